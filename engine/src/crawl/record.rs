//! Stage "record": judged pages written in batches, each batch one transaction with the
//! changes it caused (DESIGN.md invariant 2), and failed pages counted, a 404 confirmed on
//! enough completed crawls over enough time recorded as the product gone (invariant 1).

use crawler::PageFailure;
use store::{GoneOutcome, GoneRule, PageRecord, Source};
use url::Url;

use super::judge::PendingPage;
use super::CrawlSummary;
use crate::app::App;
use crate::error::Result;

/// Pages are written in batches, a transaction each: one commit per page would make the crawl
/// wait on the database rather than on the supplier.
pub(super) const BATCH: usize = 256;

#[derive(Default)]
pub(super) struct Pending {
    pub pages: Vec<PendingPage>,
    /// Unchanged pages, only to be noted as seen.
    pub touched: Vec<String>,
}

impl Pending {
    pub fn is_full(&self) -> bool {
        self.pages.len() >= BATCH || self.touched.len() >= 4 * BATCH
    }

    pub async fn flush(
        &mut self,
        app: &App,
        source: &Source,
        run_id: i64,
        summary: &mut CrawlSummary,
    ) -> Result<()> {
        if !self.touched.is_empty() {
            app.store.touch_products(&self.touched).await?;
            summary.products += self.touched.len();
            summary.unchanged += self.touched.len();
            self.touched.clear();
        }
        if self.pages.is_empty() {
            return Ok(());
        }
        let records: Vec<PageRecord<'_>> = self
            .pages
            .iter()
            .map(|p| PageRecord {
                source_id: source.id,
                run_id,
                product: &p.product,
                content_hash: &p.hash,
                product_json: Some(&p.json),
                changes: &p.changes,
                compared: &p.compared,
                flap_crawls: p.flap_crawls,
                validators: p.validators.clone(),
            })
            .collect();
        let recorded = app.store.record_pages(&records).await?;
        for (page, recorded) in self.pages.iter().zip(&recorded) {
            summary.products += 1;
            summary.unchanged += usize::from(!recorded.new_version);
            summary.new_styles += usize::from(page.new_style);
            summary.back += usize::from(page.back);
            summary.changes += recorded.changes;
        }
        self.pages.clear();
        Ok(())
    }
}

/// Counts a failed page. A 404/410 is only noted: the run decides on those once it has
/// completed ([`record_gone_pages`]).
pub(super) fn count_failure(url: &Url, failure: &PageFailure, summary: &mut CrawlSummary) {
    *summary.failed.entry(failure.class().as_str()).or_default() += 1;
    tracing::info!(%url, class = failure.class().as_str(), "{failure}");
}

/// Fewer pages than this answering 404/410 at once are read one by one, however few are known.
const SITE_WIDE_AT_LEAST: usize = 3;

/// Decides on the pages of a completed run that answered 404/410. When most of the known pages
/// attempted did (at least [`SITE_WIDE_AT_LEAST`]), the site is failing, not its products: none is
/// counted, and the reason is returned for the run's health. Otherwise each counts once for this
/// run, and one whose answers span `gone_confirmations` completed crawls and `gone_after` is
/// recorded as the product gone for every listing linked to it.
pub(super) async fn record_gone_pages(
    app: &App,
    source: &Source,
    run_id: i64,
    gone: &[Url],
    known_attempted: usize,
    summary: &mut CrawlSummary,
) -> Result<Option<String>> {
    if gone.len() >= SITE_WIDE_AT_LEAST && gone.len() * 2 > known_attempted {
        let why = format!(
            "{} of the {known_attempted} known pages answered 404/410 at once: the site is failing, \
             not its products, so none is counted gone",
            gone.len()
        );
        tracing::warn!(source = %source.name, "{why}");
        summary.gone_withheld = Some(why.clone());
        return Ok(Some(why));
    }
    let rule = GoneRule {
        confirmations: i64::from(app.config.gone_confirmations),
        after_ms: i64::try_from(app.config.gone_after.as_millis()).unwrap_or(i64::MAX),
    };
    let now = app.clock.now_ms();
    for url in gone {
        match app
            .store
            .observe_gone(url.as_str(), run_id, now, &rule)
            .await?
        {
            GoneOutcome::Confirmed => {}
            GoneOutcome::Counted { .. } => {
                summary.gone_pending += 1;
                continue;
            }
            GoneOutcome::AlreadyGone | GoneOutcome::Unknown => continue,
        }
        let changes: Vec<_> = app
            .store
            .listings_linked_to(url.as_str())
            .await?
            .iter()
            .map(|(listing, _)| {
                diff::decide_without_product(
                    diff::product_gone(listing, url.as_str()),
                    app.config
                        .rules
                        .for_listing(Some(&source.name), listing.id.as_str()),
                )
            })
            .collect();
        summary.changes += app
            .store
            .record_gone(run_id, url.as_str(), &changes)
            .await?;
    }
    Ok(None)
}
