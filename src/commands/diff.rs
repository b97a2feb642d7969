//! `specsync diff`: what differs now between listings and their suppliers' latest pages,
//! recording nothing.

use catalog::ListingId;
use engine::App;
use serde::Serialize;
use store::StoreError;

use super::listing_id;
use crate::output::{proposal_row, table, PROPOSAL_HEADERS};

/// What `specsync diff` reports for one listing.
#[derive(Serialize)]
struct ListingDiff {
    listing: ListingId,
    supplier_url: Option<String>,
    crawled: bool,
    changes: Vec<diff::Proposal>,
}

pub async fn run(app: &App, names: &[String], json: bool) -> anyhow::Result<()> {
    let links = app.store.links().await?;
    let ids: Vec<ListingId> = if names.is_empty() {
        links.keys().cloned().collect()
    } else {
        names
            .iter()
            .map(|n| listing_id(n))
            .collect::<Result<_, _>>()?
    };
    let mut report = Vec::new();
    for id in ids {
        let listing = app
            .store
            .listing(&id)
            .await?
            .ok_or_else(|| StoreError::NoListing(id.clone()))?;
        let Some(url) = links.get(&id) else {
            report.push(ListingDiff {
                listing: id,
                supplier_url: None,
                crawled: false,
                changes: Vec::new(),
            });
            continue;
        };
        let snapshot = app.store.latest_snapshot(url).await?;
        let changes = match &snapshot {
            Some(product) => {
                let source = match url::Url::parse(url) {
                    Ok(u) => app.source_for(&u).await.ok().map(|s| s.name),
                    Err(_) => None,
                };
                app.judge(source.as_deref(), &listing, product)
            }
            None => Vec::new(),
        };
        report.push(ListingDiff {
            listing: id,
            supplier_url: Some(url.clone()),
            crawled: snapshot.is_some(),
            changes,
        });
    }
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let mut rows = Vec::new();
    for entry in &report {
        let id = entry.listing.to_string();
        if entry.supplier_url.is_none() {
            rows.push(vec![id, "(not linked)".into()]);
        } else if !entry.crawled {
            rows.push(vec![id, "(not crawled yet)".into()]);
        }
        rows.extend(entry.changes.iter().map(proposal_row));
    }
    if rows.is_empty() {
        println!("no differences");
    } else {
        print!("{}", table(&PROPOSAL_HEADERS, &rows));
    }
    Ok(())
}
