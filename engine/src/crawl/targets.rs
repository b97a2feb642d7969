//! Stage "targets": which pages a crawl fetches. Those its sitemaps and category pages list
//! (asked conditionally; an unchanged one gives the links remembered from the last crawl),
//! every product already known or linked on its host (that is how a product is found gone),
//! less what robots.txt disallows.

use std::collections::{HashMap, HashSet};

use crawler::discover;
use store::Robots;
use url::Url;

use super::CrawlSummary;
use crate::app::App;
use crate::error::Result;
use crate::plan::SourcePlan;

/// What the crawl knows of the source before it starts, so that a page is judged without a
/// query of its own.
pub(super) struct Known {
    /// Every product of the source, by URL.
    pub products: HashMap<String, store::StoredProduct>,
    /// Product URLs some listing is linked to.
    pub linked: HashSet<String>,
}

/// What discovery remembers of the source's discovery pages.
pub(super) async fn memo(app: &App, source_id: i64) -> Result<discover::Memo> {
    Ok(discover::Memo {
        known: app
            .store
            .discovery_pages(source_id)
            .await?
            .into_iter()
            .map(|(url, page)| (url, remembered_of(page)))
            .collect(),
        ..discover::Memo::default()
    })
}

/// The product pages the site lists: in its sitemap(s) and on its category pages. Discovery
/// pages are asked conditionally; the unchanged ones give the links remembered from the last
/// crawl.
pub(super) async fn discovered(
    app: &App,
    source_id: i64,
    plan: &SourcePlan,
    mut memo: discover::Memo,
    summary: &mut CrawlSummary,
) -> Result<Vec<Url>> {
    let mut urls: Vec<Url> = Vec::new();
    let product_path = plan.discovery.product_path.as_deref();
    let started = std::time::Instant::now();
    match discover::sitemap_urls(&app.fetcher, &plan.base, product_path, &mut memo).await {
        Ok(found) => urls.extend(found),
        Err(e) => {
            tracing::warn!(source = %plan.name, error = %e, "discovery failed; crawling known products only");
            summary.discovery_error = Some(e.to_string());
        }
    }
    tracing::debug!(elapsed = ?started.elapsed(), "sitemap read");
    if let (Some(start), Some(product_path)) = (&plan.discovery.category, product_path) {
        let categories = discover::Categories {
            start,
            category_path: plan.discovery.category_path.as_deref(),
            product_path,
            concurrency: plan.concurrency,
        };
        match discover::category_urls(&app.fetcher, categories, &mut memo).await {
            Ok(found) => urls.extend(found),
            Err(e) => summary.discovery_error = Some(e.to_string()),
        }
        tracing::debug!(elapsed = ?started.elapsed(), "category pages read");
    }
    summary.discovery_pages = memo.unchanged + memo.read.len();
    summary.discovery_unchanged = memo.unchanged;
    let read: Vec<(String, store::DiscoveryPage)> = memo
        .read
        .into_iter()
        .map(|(url, page)| (url, discovery_page_of(page)))
        .collect();
    app.store.save_discovery_pages(source_id, &read).await?;
    urls.sort_unstable();
    urls.dedup();
    Ok(urls)
}

/// The crawl's pages: those discovered, and every product already known or linked on the
/// source's host, so a product that left the catalogue is still checked (that is how it is found
/// gone). Canonical (with the source's own tracking parameters), sorted, deduplicated.
pub(super) fn with_known(mut urls: Vec<Url>, known: &Known, plan: &SourcePlan) -> Vec<Url> {
    let extra = &plan.tracking_params;
    // Discovery made them canonical already, but for the source's own tracking parameters.
    if !extra.is_empty() {
        for url in &mut urls {
            *url = crawler::canonical_url(url, extra);
        }
    }
    // Known URLs are compared as text first: most are listed, and parsing 20,000 URLs again
    // would be most of an unchanged recrawl's discovery.
    let listed: HashSet<&str> = urls.iter().map(Url::as_str).collect();
    let unlisted: Vec<Url> = known
        .products
        .values()
        .filter(|p| p.status == "active")
        .map(|p| &p.url)
        .chain(&known.linked)
        .filter(|u| !listed.contains(u.as_str()))
        .filter_map(|u| Url::parse(u).ok())
        .filter(|u| crawler::same_site(u, &plan.base))
        .map(|u| crawler::canonical_url(&u, extra))
        .collect();
    drop(listed);
    urls.extend(unlisted);
    urls.sort_unstable();
    urls.dedup();
    urls
}

/// Leaves out what robots.txt disallows and slows the host to its `Crawl-delay`.
pub(super) async fn obey_robots(
    app: &App,
    plan: &SourcePlan,
    targets: &mut Vec<Url>,
    summary: &mut CrawlSummary,
) {
    if plan.robots == Robots::Ignore {
        return;
    }
    let rules = app.fetcher.robots_rules(&plan.base).await;
    let before = targets.len();
    targets.retain(|url| {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        rules.allows(&path)
    });
    summary.disallowed = before - targets.len();
    if let Some(host) = plan.base.host_str() {
        // As robots.txt says now: a Crawl-delay it no longer asks for is lifted.
        let delay = rules.crawl_delay.filter(|d| *d > plan.rate.interval());
        app.fetcher.set_crawl_delay(host, delay);
    }
}

fn remembered_of(page: store::DiscoveryPage) -> discover::Remembered {
    discover::Remembered {
        kind: page.kind,
        validators: validators_of(&page.validators),
        links: page.links,
        next: page.next_page,
    }
}

fn discovery_page_of(page: discover::Remembered) -> store::DiscoveryPage {
    store::DiscoveryPage {
        kind: page.kind,
        validators: store_validators(page.validators),
        links: page.links,
        next_page: page.next,
    }
}

pub(super) fn validators_of(v: &store::PageValidators) -> crawler::Validators {
    crawler::Validators {
        etag: v.etag.clone(),
        last_modified: v.last_modified.clone(),
        body_hash: v.body_hash.clone(),
    }
}

pub(super) fn store_validators(v: crawler::Validators) -> store::PageValidators {
    store::PageValidators {
        etag: v.etag,
        last_modified: v.last_modified,
        body_hash: v.body_hash,
    }
}
