//! Stage "lease": one source is crawled by one worker at a time (DESIGN.md "lease"). The lease
//! outlives a crawl's pauses and is renewed as pages come in; a worker that dies leaves it to
//! expire.

use std::time::{Duration, Instant};

use store::Source;

use crate::app::App;
use crate::error::Result;
use crate::plan::SourcePlan;

/// How long a lease lasts without being renewed.
const LEASE_MS: i64 = 15 * 60 * 1000;
/// A crawl renews its lease this often, as pages come in.
const RENEW_EVERY: Duration = Duration::from_secs(60);

/// A source's lease, held by this worker.
pub(super) struct Lease<'a> {
    app: &'a App,
    source_id: i64,
    renewed: Instant,
}

impl<'a> Lease<'a> {
    /// Takes the source's lease, or `None` if another worker holds it. The new holder starts no
    /// sooner than a full burst's interval after the last one gave it back: the previous
    /// holder's requests count against the host's rate too.
    pub(super) async fn acquire(
        app: &'a App,
        source: &Source,
        plan: &SourcePlan,
    ) -> Result<Option<Lease<'a>>> {
        if !app
            .store
            .acquire_lease(source.id, &app.worker, LEASE_MS)
            .await?
        {
            return Ok(None);
        }
        let lease = Lease {
            app,
            source_id: source.id,
            renewed: Instant::now(),
        };
        if let Some(released) = app.store.lease_released_at(source.id).await? {
            let since = store::now_ms().saturating_sub(released);
            let waited = Duration::from_millis(u64::try_from(since).unwrap_or(0));
            if let Some(rest) = plan.spacing().checked_sub(waited) {
                tokio::time::sleep(rest).await;
            }
        }
        Ok(Some(lease))
    }

    /// Renews the lease if it is time to.
    pub(super) async fn renew_if_due(&mut self) -> Result<()> {
        if self.renewed.elapsed() >= RENEW_EVERY {
            self.app
                .store
                .acquire_lease(self.source_id, &self.app.worker, LEASE_MS)
                .await?;
            self.renewed = Instant::now();
        }
        Ok(())
    }

    /// Gives the lease back, whatever the crawl's outcome.
    pub(super) async fn release(self) -> Result<()> {
        Ok(self
            .app
            .store
            .release_lease(self.source_id, &self.app.worker)
            .await?)
    }
}
