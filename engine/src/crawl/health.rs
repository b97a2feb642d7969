//! Stage "health": a finished run counts for its source's health. A crawl that reached no page
//! is a failure in a row; the run that makes it `health_alert_after` in a row queues a health
//! alert with the run's summary, in the same transaction. A run that shows the site failing
//! outright (most known pages 404 at once) alerts at once. It is sent by the delivery step like
//! any alert, so a failing mailer never fails the crawl.

use store::{HealthCheck, Source};

use super::CrawlSummary;
use crate::app::App;
use crate::error::Result;

/// Finishes the run; returns whether it queued a health alert.
pub(super) async fn finish_run(
    app: &App,
    source: &Source,
    run_id: i64,
    summary: &CrawlSummary,
    reached: usize,
    last_error: Option<&str>,
    urgent: bool,
) -> Result<bool> {
    let summary_json = serde_json::to_string(summary).unwrap_or_default();
    let last_error = last_error
        .or(summary.discovery_error.as_deref())
        .unwrap_or("no page answered");
    let check = HealthCheck {
        alert_after: i64::from(app.config.health_alert_after),
        last_error,
        urgent,
    };
    Ok(app
        .store
        .finish_run(
            source.id,
            run_id,
            &summary_json,
            reached > 0 && !urgent,
            &check,
        )
        .await?)
}
