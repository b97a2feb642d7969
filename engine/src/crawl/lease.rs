//! Stage "lease": one source is crawled by one worker at a time (DESIGN.md "lease"). The lease
//! is short (a minute) and renewed every 15 seconds while the crawl runs, whatever it is doing
//! (a page slow to answer, a host paused by a 429): a worker that dies (kill -9, a crash, a
//! power cut) leaves a lease that expires within a minute, and the next crawl can start then.
//! A worker that stops on a signal gives it back on its way out. Lease times are the app's
//! clock's.

use std::time::Duration;

use store::Source;

use crate::app::App;
use crate::error::{Error, Result};
use crate::plan::SourcePlan;

/// How long a lease lasts without being renewed.
pub(super) const LEASE_MS: i64 = 60 * 1000;
/// A crawl renews its lease this often: a few renewals may fail (a busy database) before the
/// lease runs out.
const RENEW_EVERY: Duration = Duration::from_secs(15);

/// A source's lease, held by this worker.
pub(super) struct Lease<'a> {
    app: &'a App,
    source_id: i64,
}

/// Why a source was not crawled: another worker holds its lease.
pub(super) struct Held {
    pub holder: String,
    /// When the lease runs out if its holder stops renewing it (ms since the epoch).
    pub until: i64,
}

impl<'a> Lease<'a> {
    /// Takes the source's lease, or says who holds it. The new holder starts no sooner than a
    /// full burst's interval after the last one gave it back: the previous holder's requests
    /// count against the host's rate too.
    pub(super) async fn acquire(
        app: &'a App,
        source: &Source,
        plan: &SourcePlan,
    ) -> Result<std::result::Result<Lease<'a>, Held>> {
        let now = app.clock.now_ms();
        if !app
            .store
            .acquire_lease(source.id, &app.worker, now, LEASE_MS)
            .await?
        {
            let (holder, until) = app
                .store
                .lease_holder(source.id)
                .await?
                .unwrap_or_else(|| ("another worker".into(), now.saturating_add(LEASE_MS)));
            return Ok(Err(Held { holder, until }));
        }
        let lease = Lease {
            app,
            source_id: source.id,
        };
        if let Some(released) = app.store.lease_released_at(source.id).await? {
            let since = app.clock.now_ms().saturating_sub(released);
            let waited = Duration::from_millis(u64::try_from(since).unwrap_or(0));
            if let Some(rest) = plan.spacing().checked_sub(waited) {
                tokio::time::sleep(rest).await;
            }
        }
        Ok(Ok(lease))
    }

    /// Renews the lease every [`RENEW_EVERY`] for as long as it is polled; returns only when
    /// the lease was lost (this worker was too slow to renew it and another took it over), as
    /// the error to end the crawl with. A renewal the database refuses is tried again at the
    /// next turn: the lease outlasts three of them.
    pub(super) async fn keep(&self, source: &str) -> Error {
        let mut every = tokio::time::interval(RENEW_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            let now = self.app.clock.now_ms();
            match self
                .app
                .store
                .acquire_lease(self.source_id, &self.app.worker, now, LEASE_MS)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    return Error::LeaseLost(format!(
                        "source `{source}`: the crawl lost its lease to another worker (it could \
                         not renew it for a minute); that worker crawls the source now"
                    ))
                }
                Err(error) => {
                    tracing::warn!(%source, %error, "the source's lease was not renewed; trying again")
                }
            }
        }
    }

    /// Gives the lease back, whatever the crawl's outcome.
    pub(super) async fn release(self) -> Result<()> {
        Ok(self
            .app
            .store
            .release_lease(self.source_id, &self.app.worker, self.app.clock.now_ms())
            .await?)
    }
}
