//! The pipeline of one crawl run, stage by stage (DESIGN.md "Data flow"): lease
//! (`lease.rs`) → targets: discover, known products, robots.txt (`targets.rs`) → fetch, extract
//! and normalize (`crawler::fetch_product`) → judge against the listings (`judge.rs`) → record
//! (`record.rs`) → health (`health.rs`). Delivering what was recorded is `deliver.rs`.
//!
//! Each batch of pages is recorded in its own transaction with the changes it caused. A failed
//! fetch is never a change (invariant 1): only a product page that was fetched and extracted is
//! compared, and a 404/410 becomes "product gone" only after `gone_confirmations` completed crawls
//! in a row spanning `gone_after`; a run where most known pages 404 is the site failing.

mod health;
mod judge;
mod lease;
pub(crate) mod moved;
mod record;
mod targets;

use std::collections::BTreeMap;
use std::sync::Arc;

use catalog::NormalizeRules;
use crawler::{fetch_product, FailureClass, PageOutcome};
use futures::StreamExt;
use serde::Serialize;
use store::Source;
use url::Url;

use crate::app::App;
use crate::error::{Error, Result};
use crate::plan::SourcePlan;
use judge::judge_page;
use lease::Lease;
use record::{count_failure, record_gone_pages, Pending, BATCH};
use targets::{store_validators, validators_of, Known};

/// What one crawl run did; `specsync crawl --json` prints it.
#[derive(Debug, Default, Serialize)]
pub struct CrawlSummary {
    pub source: String,
    pub run_id: i64,
    /// Product pages attempted.
    pub pages: usize,
    /// Pages answered with a product.
    pub products: usize,
    /// Products whose content was the same as at the last crawl.
    pub unchanged: usize,
    /// Failed pages by class (`transient`, `rate_limited`, `blocked`, `gone`, …).
    pub failed: BTreeMap<&'static str, usize>,
    pub new_styles: usize,
    /// Pages the supplier answered 304 or with the same body (not extracted again).
    pub not_modified: usize,
    /// Discovery pages (sitemaps, category pages) asked.
    pub discovery_pages: usize,
    /// Discovery pages that had not changed: their links from the last crawl were used.
    pub discovery_unchanged: usize,
    /// Pages robots.txt does not allow (not fetched).
    pub disallowed: usize,
    /// Changes recorded by this run.
    pub changes: usize,
    /// Why the rest of the host was not fetched this run, if it was paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<String>,
    /// Whether this run queued a health alert: the source failed too many crawls in a row.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub health_alert: bool,
    /// Why the source was not crawled by this worker (another one holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// When the other worker's lease runs out if it stops renewing it (ms since the epoch):
    /// the source can be crawled then at the latest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_until: Option<i64>,
    /// Why the crawl stopped before its last page (a signal); what it had fetched is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The signal that stopped it.
    #[serde(skip)]
    pub stopped_by: Option<i32>,
    /// Why discovery failed, when it did (known products were crawled anyway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_error: Option<String>,
    /// Products read whose prices show no currency nothing could tell: their prices were not
    /// read. A health problem of the source: set its currency.
    #[serde(skip_serializing_if = "is_zero")]
    pub currency_unknown: usize,
    /// One such page, to show the merchant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_unknown_example: Option<String>,
    /// Products whose structured data and visible page disagree on their stock: read as
    /// unknown, no stock change. The source's rules file can say which to trust (`trust_stock`).
    #[serde(skip_serializing_if = "is_zero")]
    pub stock_conflicts: usize,
    /// One such page, to show the merchant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_conflict_example: Option<String>,
    /// Pages that answered 404/410 and are counted towards "gone", not yet confirmed.
    #[serde(skip_serializing_if = "is_zero")]
    pub gone_pending: usize,
    /// Why this run's 404/410 answers were not counted: most known pages gave one at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gone_withheld: Option<String>,
    /// Links whose pages redirect to another product (another product of the source, or
    /// other SKUs): not read, no change; the merchant links the listing anew.
    #[serde(skip_serializing_if = "is_zero")]
    pub moved: usize,
    /// One such link, to show the merchant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_example: Option<String>,
    /// Products confirmed gone earlier whose pages answered again.
    #[serde(skip_serializing_if = "is_zero")]
    pub back: usize,
    /// The run reached no page of the supplier (or only 404s from a failing site): a failed
    /// crawl, whatever else it says.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reached_nothing: bool,
}

/// Pages a run got an answer for or gave up on.
fn progress_done(summary: &CrawlSummary, reached: usize) -> usize {
    reached + summary.failed.values().sum::<usize>()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Pages failing in a row (not gone) after which a host is left alone for the rest of the run.
const PAUSE_AFTER_FAILURES: usize = 10;

/// Validates a source's stored settings into its plan and gives its host to the fetcher: the
/// guard lets it through, with the source's rate, burst, concurrency, headers, cookies and proxy.
/// A source's edited settings take effect here, on its next crawl.
pub(crate) fn prepare(app: &App, source: &Source) -> Result<SourcePlan> {
    let plan = SourcePlan::new(&source.name, &source.base_url, &source.settings)?;
    if plan.base.host_str().is_some() {
        app.fetcher
            .configure_host(&plan.base, &plan.name, &plan.host_settings())
            .map_err(|e| Error::invalid(format!("source `{}`: {e}", source.name)))?;
    }
    Ok(plan)
}

/// How the source's pages are read: its currency, the merchant's option names, its rules file.
pub(crate) fn page_rules(app: &App, plan: &SourcePlan) -> Result<crawler::PageRules> {
    let extract = match &plan.rules {
        None => None,
        Some(path) => {
            let bad = |e: String| {
                Error::invalid(format!(
                    "source `{}`: rules file {}: {e}",
                    plan.name,
                    path.display()
                ))
            };
            let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
            let rules =
                crawler::extract::rules::Rules::parse(&text).map_err(|e| bad(e.to_string()))?;
            Some(Arc::new(rules))
        }
    };
    Ok(crawler::PageRules {
        normalize: NormalizeRules {
            currency: plan.currency,
            names: app.config.option_names.clone(),
        },
        extract,
    })
}

/// Whether the source's rules file was written after its last crawl started.
async fn rules_edited_since_last_crawl(
    app: &App,
    source: &Source,
    plan: &SourcePlan,
) -> Result<bool> {
    let Some(path) = &plan.rules else {
        return Ok(false);
    };
    let Some(last) = app.store.last_run_started(source.id).await? else {
        return Ok(false);
    };
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(i64::MAX, |d| {
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
        });
    Ok(modified >= last)
}

/// Crawls one source now and records what changed.
pub async fn crawl_source(app: &App, source: &Source) -> Result<CrawlSummary> {
    crawl(app, source, None).await
}

/// Crawls these pages of a source now (`specsync resync`), recording as a crawl does.
pub async fn crawl_pages(app: &App, source: &Source, urls: Vec<Url>) -> Result<CrawlSummary> {
    crawl(app, source, Some(urls)).await
}

/// Crawls under the source's lease: one worker at a time per source.
async fn crawl(app: &App, source: &Source, only: Option<Vec<Url>>) -> Result<CrawlSummary> {
    let plan = prepare(app, source)?;
    let lease = match Lease::acquire(app, source, &plan).await? {
        Ok(lease) => lease,
        Err(held) => {
            return Ok(CrawlSummary {
                source: source.name.clone(),
                skipped: Some(format!(
                    "another worker ({}) is crawling this source; it renews its lease while it                      crawls, so it can be crawled when that crawl ends, or at {} if that worker                      died",
                    held.holder,
                    crate::clock::describe_ms(held.until, app.clock.now_ms()),
                )),
                skipped_until: Some(held.until),
                ..CrawlSummary::default()
            })
        }
    };
    let result = tokio::select! {
        result = crawl_leased(app, source, &plan, only) => result,
        lost = lease.keep(&source.name) => Err(lost),
    };
    // Given back whatever happened (a signal too); a worker that dies leaves it to expire.
    lease.release().await?;
    result
}

async fn crawl_leased(
    app: &App,
    source: &Source,
    plan: &SourcePlan,
    only: Option<Vec<Url>>,
) -> Result<CrawlSummary> {
    let started = std::time::Instant::now();
    let run_id = app.store.start_run(source.id).await?;
    let mut summary = CrawlSummary {
        source: source.name.clone(),
        run_id,
        ..CrawlSummary::default()
    };
    // What the store knows and what the site lists are read at once: one waits on the
    // database, the other on the supplier. The known products are read by a task of their own:
    // converting 20,000 rows keeps a thread busy, which would hold up discovery on a shared one.
    let store = app.store.clone();
    let source_id = source.id;
    let known_products = tokio::spawn(async move { store.source_products(source_id).await });
    let preload = async {
        let known = Known {
            products: known_products.await.map_err(|source| Error::Crashed {
                what: "reading the known products",
                source,
            })??,
            linked: app.store.links().await?.into_values().collect(),
        };
        let reread_all = rules_edited_since_last_crawl(app, source, plan).await?;
        tracing::debug!(source = %source.name, elapsed = ?started.elapsed(), "known products read");
        Ok::<_, Error>((known, reread_all))
    };
    // What discovery remembers is read first: the database is busy with the preload once that
    // starts. Nothing is discovered when the crawl was given its pages.
    let memo = match only {
        Some(_) => None,
        None => Some(targets::memo(app, source.id).await?),
    };
    let discovery = async {
        match memo {
            None => Ok(None),
            Some(memo) => targets::discovered(app, source.id, plan, memo, &mut summary)
                .await
                .map(Some),
        }
    };
    let (preloaded, found) = tokio::join!(preload, discovery);
    let (known, reread_all) = preloaded?;
    let mut targets = match (only, found?) {
        (Some(urls), _) => urls,
        (None, found) => targets::with_known(found.unwrap_or_default(), &known, plan),
    };
    targets::obey_robots(app, plan, &mut targets, &mut summary).await;
    summary.pages = targets.len();
    // How many 404s at once would be the site failing rather than its products going.
    let known_attempted = targets
        .iter()
        .filter(|u| {
            known
                .products
                .get(u.as_str())
                .is_some_and(|p| p.status == "active")
        })
        .count();
    tracing::debug!(source = %source.name, pages = summary.pages, elapsed = ?started.elapsed(), "discovered");
    let rules = Arc::new(page_rules(app, plan)?);
    let mut pending = Pending::default();
    let pages = futures::stream::iter(targets)
        .map(|url| {
            // What the page's last answer said: a 304 or the same body skips extraction. Not
            // after the source's rules file changed: every page is read again under the new rules.
            let validators = match reread_all {
                true => None,
                false => known.products.get(url.as_str()),
            }
            .map(|p| validators_of(&p.validators))
            .unwrap_or_default();
            let fetcher = Arc::clone(&app.fetcher);
            let rules = Arc::clone(&rules);
            // Each page its own task, so that fetching (TLS, decompression, decoding) runs on
            // every core; this loop only records.
            let task = tokio::spawn(async move {
                let outcome = fetch_product(&fetcher, &url, &rules, &validators).await;
                (url, outcome)
            });
            task
        })
        .buffer_unordered(plan.concurrency);
    // Fetching goes on while a batch is written: the pages in flight are driven by their own
    // future, and hand their outcomes over through a channel of a few batches.
    let (answered, outcomes) = tokio::sync::mpsc::channel(BATCH / 4);
    let fetching = async move {
        let mut pages = pages;
        loop {
            let outcome = tokio::select! {
                biased;
                // Asked to stop: the pages in flight are left; the recorder ends its batch.
                () = app.stop.wait() => break,
                outcome = pages.next() => outcome,
            };
            let Some(outcome) = outcome else { break };
            if answered.send(outcome).await.is_err() {
                // The recorder stopped (the host was paused, or a write failed).
                break;
            }
        }
    };
    let progress = app.progress.crawl_started(&source.name, summary.pages);
    let mut reached = 0;
    let mut gone = Vec::new();
    let mut failing_in_a_row = 0;
    let mut last_error: Option<String> = None;
    let recording = async {
        // Owned here: when recording ends, early or not, the channel closes and fetching stops.
        let mut outcomes = outcomes;
        loop {
            let joined = tokio::select! {
                biased;
                () = app.stop.wait() => break,
                joined = outcomes.recv() => joined,
            };
            let Some(joined) = joined else { break };
            // A page task ends only by returning or by a panic, which is a bug to report as such.
            let (url, outcome) = joined.map_err(|source| Error::Crashed {
                what: "a page's fetch task",
                source,
            })?;
            progress.page_done();
            match outcome {
                PageOutcome::Product {
                    product,
                    validators,
                    warnings,
                    redirected,
                } => {
                    reached += 1;
                    failing_in_a_row = 0;
                    if let Some(redirected) = &redirected {
                        let moved = moved::moved(
                            app,
                            source,
                            &plan.tracking_params,
                            &url,
                            redirected,
                            &product,
                        )
                        .await?;
                        if let Some(why) = moved {
                            tracing::warn!(source = %source.name, %url, "moved: {why}");
                            summary.moved += 1;
                            summary.moved_example.get_or_insert(why);
                            continue;
                        }
                    }
                    for warning in &warnings {
                        match warning {
                            crawler::PageWarning::CurrencyUnknown { .. } => {
                                summary.currency_unknown += 1;
                                if summary.currency_unknown_example.is_none() {
                                    summary.currency_unknown_example =
                                        Some(format!("{url}: {warning}"));
                                }
                                tracing::warn!(source = %source.name, %url, "{warning}");
                            }
                            crawler::PageWarning::StockConflict { .. } => {
                                summary.stock_conflicts += 1;
                                if summary.stock_conflict_example.is_none() {
                                    summary.stock_conflict_example =
                                        Some(format!("{url}: {warning}"));
                                }
                                tracing::warn!(source = %source.name, %url, "{warning}");
                            }
                        }
                    }
                    let validators = Some(store_validators(validators));
                    let page = judge_page(app, source, &known, &url, *product, validators).await?;
                    tracing::info!(
                        source = %source.name,
                        %url,
                        variants = page.product.variants.len(),
                        changes = page.changes.len(),
                        "read"
                    );
                    pending.pages.push(page);
                }
                PageOutcome::Unchanged => {
                    reached += 1;
                    summary.not_modified += 1;
                    tracing::info!(source = %source.name, %url, "not modified");
                    // The stored snapshot still holds. Only a listing not yet compared with it (linked
                    // or re-imported since, or its product back after being gone) makes it worth
                    // loading; otherwise the page is just seen.
                    let back = known
                        .products
                        .get(url.as_str())
                        .is_some_and(|p| p.status == "gone");
                    let needs_compare = known.linked.contains(url.as_str())
                        && (back || app.store.needs_compare(url.as_str()).await?);
                    let snapshot = match needs_compare {
                        true => app.store.latest_snapshot(url.as_str()).await?,
                        false => None,
                    };
                    match snapshot {
                        Some(snapshot) => {
                            let page =
                                judge_page(app, source, &known, &url, snapshot, None).await?;
                            pending.pages.push(page);
                        }
                        None => pending.touched.push(url.to_string()),
                    }
                }
                PageOutcome::Failed(failure) => {
                    count_failure(&url, &failure, &mut summary);
                    if failure.class() == FailureClass::Gone {
                        // Decided on once the run has completed, with every other 404 of it.
                        gone.push(url);
                        failing_in_a_row = 0;
                        continue;
                    }
                    if failure.class() == FailureClass::RateLimited {
                        if let Some(asked) = url.host_str().and_then(|h| app.fetcher.held_off(h)) {
                            // The host asked for more than the crawler waits: the rest is not
                            // asked this run (each page would fail unasked anyway).
                            summary.paused = Some(format!(
                                "the supplier asked to be left alone for {} s (Retry-After), \
                                 longer than this crawler waits: the rest of its pages were not \
                                 asked this run ({failure})",
                                asked.as_secs()
                            ));
                            last_error = Some(failure.to_string());
                            break;
                        }
                    }
                    failing_in_a_row += 1;
                    last_error = Some(failure.to_string());
                    if failing_in_a_row >= PAUSE_AFTER_FAILURES {
                        // The rest is not fetched: each page would fail the same way and only add load.
                        summary.paused = Some(format!(
                            "paused after {failing_in_a_row} pages failed in a row: {failure}"
                        ));
                        break;
                    }
                    continue;
                }
            }
            failing_in_a_row = 0;
            if pending.is_full() {
                pending.flush(app, source, run_id, &mut summary).await?;
            }
        }
        pending.flush(app, source, run_id, &mut summary).await
    };
    let ((), recorded) = tokio::join!(fetching, recording);
    recorded?;
    drop(progress);
    if let Some(signal) = app.stop.requested() {
        // What was fetched is recorded; the rest waits for the next crawl. A run cut short
        // decides on no 404 and counts for nothing in the source's health.
        summary.stopped_by = Some(signal);
        summary.interrupted = Some(format!(
            "stopped by {} after {} of {} pages: what was fetched is recorded, the rest waits \
             for the next crawl",
            crate::signal_name(signal),
            progress_done(&summary, reached),
            summary.pages
        ));
        let json = serde_json::to_string(&summary).unwrap_or_default();
        app.store.finish_run_interrupted(run_id, &json).await?;
        return Ok(summary);
    }
    // A 404 is the host answering: it is not failing, unless most known pages give one at once.
    let site_failing =
        record_gone_pages(app, source, run_id, &gone, known_attempted, &mut summary).await?;
    if site_failing.is_none() {
        reached += gone.len();
    }
    summary.reached_nothing = site_failing.is_some()
        || (reached == 0 && (summary.pages > 0 || summary.discovery_error.is_some()));
    tracing::debug!(source = %source.name, elapsed = ?started.elapsed(), "pages fetched and recorded");
    summary.health_alert = health::finish_run(
        app,
        source,
        run_id,
        &summary,
        reached,
        site_failing.as_deref().or(last_error.as_deref()),
        site_failing.is_some(),
    )
    .await?;
    Ok(summary)
}
