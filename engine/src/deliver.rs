//! Stage "deliver": what a crawl recorded goes out on each channel. Email today: one change
//! alert per batch of changes the email channel has not carried yet, and each health alert a
//! crawl queued, through the configured [`notify::Mailer`] (the `.eml` outbox by default). Each
//! delivery is sent at most once (its idempotency key names it to the mailer); a failed one is
//! tried again after a backoff that grows with its attempts, without holding up the others.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use store::{Channel, Delivery, DeliveryContent};

use crate::app::App;
use crate::error::{Error, Result};

/// One alert that went out.
#[derive(Clone, Debug, Serialize)]
pub struct SentAlert {
    pub idempotency_key: String,
    /// A health alert (a supplier unreachable), not a change alert.
    pub health: bool,
    /// The file it is in, when the mailer writes files.
    pub path: Option<PathBuf>,
}

/// The first retry waits this long; each next one twice as long, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// When a delivery that failed `attempts` times (this one included) is tried again.
pub fn next_attempt_at(now_ms: i64, attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let backoff = FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF);
    now_ms.saturating_add(i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX))
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

/// One alert that could not be sent.
#[derive(Clone, Debug, Serialize)]
pub struct FailedAlert {
    pub idempotency_key: String,
    /// What went wrong, in the server's words.
    pub error: String,
    /// Given up: the server refused it (SMTP 5xx); else tried again at `next_attempt_at`.
    pub permanent: bool,
    pub next_attempt_at: Option<i64>,
}

/// What one delivery pass did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeliveryReport {
    pub sent: Vec<SentAlert>,
    pub failed: Vec<FailedAlert>,
    /// Deliveries still waiting for their next attempt after this pass.
    pub pending: i64,
}

/// Which pending deliveries a pass sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Those whose next attempt has come.
    Now,
    /// Every pending one, also those waiting for a retry (the merchant fixed the mail settings).
    RetryAll,
}

impl App {
    /// Sends the alerts that are due: deliveries left pending (by a crash or a failed send)
    /// whose next attempt has come, health alerts, then one new alert with every change not yet
    /// alerted. A failed send is noted on its delivery (given up when the server refused it,
    /// else tried again after a backoff) and the others still go. Errors only when the store
    /// fails.
    pub async fn deliver(&self, due: Due) -> Result<DeliveryReport> {
        let now = store::now_ms();
        let until = match due {
            Due::Now => now,
            Due::RetryAll => i64::MAX,
        };
        let mut deliveries = self.store.pending_deliveries(Channel::Email, until).await?;
        if let Some(new) = self.store.claim_undelivered(Channel::Email).await? {
            deliveries.push(new);
        }
        let mut report = DeliveryReport::default();
        for delivery in deliveries {
            match self.send_email(&delivery).await {
                Ok(sent) => {
                    self.store.mark_delivered(delivery.id).await?;
                    report.sent.extend(sent);
                }
                Err(e) => {
                    let error = error_chain(&e);
                    let permanent = matches!(
                        e,
                        Error::Deliver {
                            source: notify::NotifyError::Permanent(_)
                                | notify::NotifyError::BadAddress { .. }
                                | notify::NotifyError::Build(_),
                            ..
                        }
                    );
                    let next = (!permanent).then(|| next_attempt_at(now, delivery.attempts + 1));
                    match next {
                        Some(at) => {
                            self.store
                                .mark_delivery_failed(delivery.id, &error, at)
                                .await?
                        }
                        None => self.store.give_up_delivery(delivery.id, &error).await?,
                    }
                    tracing::warn!(key = %delivery.idempotency_key, permanent, "an alert was not delivered: {error}");
                    report.failed.push(FailedAlert {
                        idempotency_key: delivery.idempotency_key.clone(),
                        error,
                        permanent,
                        next_attempt_at: next,
                    });
                }
            }
        }
        report.pending = self.store.count_pending(Channel::Email).await?;
        Ok(report)
    }

    /// Renders and sends one email delivery; `None` when it carried nothing to say.
    async fn send_email(&self, delivery: &Delivery) -> Result<Option<SentAlert>> {
        let (alert, health) = match &delivery.content {
            DeliveryContent::Changes(changes) if changes.is_empty() => return Ok(None),
            DeliveryContent::Changes(changes) => {
                let proposals: Vec<diff::Proposal> = changes.iter().map(proposal_of).collect();
                (notify::render_alert(&proposals), false)
            }
            DeliveryContent::Health(h) if h.recovered => (
                notify::render_recovery(&h.source, &h.base_url, h.failures),
                true,
            ),
            DeliveryContent::Health(h) => (
                notify::render_health_alert(&h.source, &h.base_url, h.failures, &h.last_error),
                true,
            ),
        };
        let failed = |source| Error::Deliver {
            what: format!("alert {}", delivery.idempotency_key),
            source,
        };
        let message = notify::build_message(&self.config.email, &alert, &delivery.idempotency_key)
            .map_err(failed)?;
        let sent = self
            .mailer
            .send(&delivery.idempotency_key, &message)
            .await
            .map_err(failed)?;
        Ok(Some(SentAlert {
            idempotency_key: delivery.idempotency_key.clone(),
            health,
            path: sent.path().cloned(),
        }))
    }
}

fn error_chain(e: &Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        let minute = 60_000;
        assert_eq!(next_attempt_at(0, 1), minute);
        assert_eq!(next_attempt_at(0, 2), 2 * minute);
        assert_eq!(next_attempt_at(0, 4), 8 * minute);
        assert_eq!(next_attempt_at(0, 40), 6 * 60 * minute);
        assert_eq!(next_attempt_at(i64::MAX - 1, 3), i64::MAX, "no overflow");
    }
}
