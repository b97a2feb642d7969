//! `specsync resync`: crawl one listing's supplier page, one page, or one source now, ahead of
//! the schedule. `--dry-run` fetches and compares but records nothing, and prints what would
//! happen: each change, the action the rules decide and why.

use crawler::PageOutcome;
use engine::App;
use serde_json::json;
use url::Url;

use super::listing_id;
use crate::cli::ResyncArgs;
use crate::error::Usage;
use crate::output::{proposal_row, table, PROPOSAL_HEADERS};

pub async fn run(app: &App, args: ResyncArgs) -> anyhow::Result<()> {
    if args.apply {
        return Err(Usage::new(
            "--apply needs a store platform to update, and none is configured yet: updates are recorded as \
             proposals with their action (see `specsync changes list`); pushing them to Shopify, WooCommerce or \
             Vendure comes with the platform adapters",
        )
        .into());
    }
    if let Some(name) = &args.source {
        if args.dry_run {
            return Err(
                Usage::new("--dry-run works on one page: use it with --listing or --url").into(),
            );
        }
        let summaries = app.crawl_sources(std::slice::from_ref(name)).await?;
        let report = app.deliver(engine::Due::Now).await?;
        super::crawl::print(&summaries, &report, args.json);
        super::crawl::undelivered(&report)?;
        return super::crawl::finished(&summaries);
    }
    let url = match (&args.listing, &args.url) {
        (Some(id), None) => {
            let id = listing_id(id)?;
            if app.store.listing(&id).await?.is_none() {
                return Err(Usage::new(format!(
                    "there is no listing `{id}` (`specsync listings list` shows them)"
                ))
                .into());
            }
            let links = app.store.links().await?;
            let url = links.get(&id).ok_or_else(|| {
                Usage::new(format!(
                    "listing `{id}` is not linked to a supplier page: `specsync link {id} URL`"
                ))
            })?;
            Url::parse(url)?
        }
        (None, Some(url)) => engine::import::parse_product_url(url).map_err(Usage::new)?,
        _ => {
            return Err(
                Usage::new("name what to resync: --listing ID, --url URL or --source NAME").into(),
            )
        }
    };
    let source = app.source_for(&url).await?;
    if args.dry_run {
        return dry_run(app, &source, &url, args.listing.as_deref(), args.json).await;
    }
    let summary = app.crawl_urls(&source, vec![url]).await?;
    let report = app.deliver(engine::Due::Now).await?;
    let summaries = [summary];
    super::crawl::print(&summaries, &report, args.json);
    super::crawl::undelivered(&report)?;
    super::crawl::finished(&summaries)
}

async fn dry_run(
    app: &App,
    source: &store::Source,
    url: &Url,
    only: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let product = match app.fetch_now(source, url).await? {
        PageOutcome::Product {
            product,
            redirected: Some(redirected),
            ..
        } if let Some(why) = app.moved(source, url, &redirected, &product).await? => {
            if json {
                println!(
                    "{}",
                    json!({"url": url.as_str(), "moved": why, "changes": []})
                );
            } else {
                println!("{url}: moved: {why}\nnothing would change: the page is another product's; link the listing to the page it should follow");
            }
            return Ok(());
        }
        PageOutcome::Product { product, .. } => *product,
        // Not asked conditionally, so never unchanged; the stored snapshot would do as well.
        PageOutcome::Unchanged => match app.store.latest_snapshot(url.as_str()).await? {
            Some(snapshot) => snapshot,
            None => return Ok(()),
        },
        PageOutcome::Failed(failure) => {
            // A failed fetch is never a change (DESIGN.md invariant 1).
            let class = failure.class().as_str();
            if json {
                println!(
                    "{}",
                    json!({"url": url.as_str(), "failed": class, "error": failure.to_string(), "changes": []})
                );
            } else if failure.class() == crawler::FailureClass::Gone {
                // Not a failure of the fetch: the run counts it towards "gone".
                let stored = app.store.product(url.as_str()).await?;
                let said = match stored {
                    Some(p) if p.status == "gone" => {
                        "the product is gone already; nothing would change".to_owned()
                    }
                    Some(p) => format!(
                        "the run would count it towards gone ({} of {} answers so far; gone \
                         once {} completed crawls spanning `[crawler] gone_after` agree)",
                        p.gone_count + 1,
                        app.config.gone_confirmations,
                        app.config.gone_confirmations
                    ),
                    None => "no product is known at this page; nothing would change".to_owned(),
                };
                println!("{url}: answered {failure}\ndry run: {said}");
            } else {
                println!("{url}: the fetch failed ({class}): {failure}\nnothing would change: a failed fetch is never a change");
            }
            return Ok(());
        }
    };
    let mut report = Vec::new();
    for (listing, _) in app.store.listings_linked_to(url.as_str()).await? {
        if only.is_some_and(|id| id != listing.id.as_str()) {
            continue;
        }
        report.push((
            listing.id.clone(),
            app.judge(Some(&source.name), &listing, &product),
        ));
    }
    if json {
        let out: Vec<_> = report
            .iter()
            .map(|(id, p)| json!({"listing": id, "supplier_url": url.as_str(), "changes": p}))
            .collect();
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = report
        .iter()
        .flat_map(|(_, proposals)| proposals)
        .map(proposal_row)
        .collect();
    if report.is_empty() {
        println!(
            "dry run: no listing is linked to {url}; nothing to compare (the page would be \
             recorded as a product of {})",
            source.name
        );
    } else if rows.is_empty() {
        println!("dry run: {url} matches its listings; nothing would change");
    } else {
        println!(
            "dry run: nothing was recorded\n{}",
            table(&PROPOSAL_HEADERS, &rows)
        );
    }
    Ok(())
}
