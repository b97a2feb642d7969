//! Delivering what a crawl recorded: change alerts (one per batch of undelivered changes) and
//! health alerts (a supplier unreachable too many crawls in a row), as `.eml` files in the
//! outbox, each once (named by its idempotency key).

use std::path::PathBuf;

use anyhow::Context as _;
use store::Source;

use crate::sync::App;

/// Writes the health alert for a source that failed too many crawls in a row: once per run that
/// reaches the threshold (the file is named by the run, so a retry does not send it twice).
pub fn send_health_alert(
    app: &App,
    source: &Source,
    run_id: i64,
    last_error: &str,
) -> anyhow::Result<PathBuf> {
    let alert = publish::render_health_alert(
        &source.name,
        &source.base_url,
        source.consecutive_failures,
        last_error,
    );
    let key = format!("health-{}-{run_id}", source.id);
    let message = publish::build_message(&app.config.email, &alert, &key)?;
    match publish::Outbox::new(&app.config.outbox).deliver(&key, &message)? {
        publish::Delivered::Written(path) | publish::Delivered::AlreadyThere(path) => Ok(path),
    }
}

/// A recorded change as the proposal it was recorded with.
pub fn proposal_of(c: &store::StoredChange) -> diff::Proposal {
    diff::Proposal {
        change: c.change.clone(),
        action: c.action,
        update: c.update.clone(),
        why: c.why.clone().unwrap_or_default(),
    }
}

/// Sends the alerts that are due: deliveries left pending (by a crash or a failed send), then
/// one new alert with every change not yet in one. Returns the files written.
pub async fn deliver_alerts(app: &App) -> anyhow::Result<Vec<PathBuf>> {
    let outbox = publish::Outbox::new(&app.config.outbox);
    let mut written = Vec::new();
    let mut deliveries = app.store.pending_deliveries("email").await?;
    if let Some(new) = app.store.claim_undelivered("email").await? {
        deliveries.push(new);
    }
    for delivery in deliveries {
        let changes: Vec<diff::Proposal> = delivery.changes.iter().map(proposal_of).collect();
        if changes.is_empty() {
            app.store.mark_delivered(delivery.id).await?;
            continue;
        }
        let alert = publish::render_alert(&changes);
        let sent = publish::build_message(&app.config.email, &alert, &delivery.idempotency_key)
            .and_then(|message| outbox.deliver(&delivery.idempotency_key, &message));
        match sent {
            Ok(publish::Delivered::Written(path) | publish::Delivered::AlreadyThere(path)) => {
                app.store.mark_delivered(delivery.id).await?;
                written.push(path);
            }
            Err(e) => {
                app.store
                    .mark_delivery_failed(delivery.id, &e.to_string())
                    .await?;
                return Err(e).context("failed to deliver a change alert");
            }
        }
    }
    Ok(written)
}
