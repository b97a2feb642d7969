//! `specsync listings import|list`, `specsync link`, `specsync export`: the merchant's listings
//! and what they are linked to.

use std::path::Path;

use engine::App;
use serde_json::json;

use super::listing_id;
use crate::error::Usage;
use crate::output::{plural, table};

pub async fn import(app: &App, file: &Path, json: bool) -> anyhow::Result<()> {
    let imported = app.import_listings(file).await?;
    if json {
        println!("{}", serde_json::to_string(&imported)?);
    } else {
        println!(
            "imported {} ({}) from {}; {} to supplier pages",
            plural(imported.listings, "listing", "listings"),
            plural(imported.variants, "variant", "variants"),
            file.display(),
            plural(imported.linked, "linked", "linked"),
        );
    }
    Ok(())
}

pub async fn list(app: &App, json: bool) -> anyhow::Result<()> {
    let all = app.store.listings().await?;
    let links = app.store.links().await?;
    if json {
        let items: Vec<_> = all
            .iter()
            .map(|l| json!({"id": l.id, "title": l.title, "currency": l.currency, "variants": l.variants.len(), "supplier_url": links.get(&l.id)}))
            .collect();
        println!("{}", serde_json::to_string(&items)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|l| {
            vec![
                l.id.to_string(),
                l.title.clone(),
                l.variants.len().to_string(),
                links
                    .get(&l.id)
                    .cloned()
                    .unwrap_or_else(|| "(not linked)".into()),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["listing", "title", "variants", "supplier page"], &rows)
    );
    Ok(())
}

pub async fn link(
    app: &App,
    listing: &str,
    url: Option<String>,
    confirm: bool,
) -> anyhow::Result<()> {
    let id = listing_id(listing)?;
    if confirm {
        let links = app.store.confirm_variant_links(&id).await?;
        if links.is_empty() {
            println!(
                "no proposed variant links for {id}; see `specsync changes list --listing {id}`"
            );
        }
        for (from, to) in &links {
            println!("linked {id} [{from}] to the supplier's [{to}]");
        }
        return Ok(());
    }
    let url = url.ok_or_else(|| Usage::new("give the supplier page's URL, or --confirm"))?;
    let url = engine::import::parse_product_url(&url).map_err(Usage::new)?;
    let url = app.link(&id, &url).await?;
    println!("linked {id} to {url}");
    Ok(())
}

/// `specsync link ID --remove`.
pub async fn unlink(app: &App, listing: &str) -> anyhow::Result<()> {
    let id = listing_id(listing)?;
    match app.store.unlink(&id).await? {
        Some(url) => println!("unlinked {id} from {url}; its open changes are resolved"),
        None => println!("{id} was not linked to a supplier page"),
    }
    Ok(())
}

/// `specsync listings remove ID…`.
pub async fn remove(app: &App, ids: &[String]) -> anyhow::Result<()> {
    let ids = ids
        .iter()
        .map(|id| listing_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    app.store.remove_listings(&ids).await?;
    println!(
        "removed {}; their open changes are resolved",
        plural(ids.len(), "listing", "listings")
    );
    Ok(())
}

/// Streams the current snapshots to stdout, one JSON line each.
pub async fn export(app: &App, source: Option<&str>) -> anyhow::Result<()> {
    use futures::TryStreamExt;
    use std::io::Write;
    let source_id = match source {
        Some(name) => Some(app.sources(&[name.to_owned()]).await?[0].id),
        None => None,
    };
    // Locked at each flush of the buffer, not across the awaits (the command is a task).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let mut products = std::pin::pin!(app.store.current_snapshots(source_id));
    while let Some(json) = products.try_next().await? {
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
