//! Deliveries: what is sent to each channel (an alert email, a webhook call, a store update),
//! each with its own status, attempts, next attempt time and last error.
//!
//! A change carries at most one delivery per channel (`change_deliveries`). A change that no
//! delivery of a channel carries yet is in that channel's outbox; [`Store::claim_undelivered`]
//! moves every such change into one new delivery in one transaction, so a crash at any point
//! neither loses a change nor puts it in two deliveries of a channel. A health alert is a
//! delivery of its own, queued in the transaction that finishes the crawl that raised it. Each
//! delivery has an idempotency key that the sender uses to deliver it at most once.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};

use crate::changes::{change_from_row, StoredChange};
use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

/// Where a delivery goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Alert emails to the merchant.
    Email,
    /// Alert calls to the merchant's systems.
    Webhook,
    /// Listing updates on the merchant's store.
    Platform,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Webhook, Channel::Platform];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
            Channel::Platform => "platform",
        }
    }

    fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not yet sent, or to be tried again at `next_attempt_at`.
    Pending,
    Delivered,
    /// Given up: the server refused it; `last_error` has its words.
    Failed,
}

impl DeliveryStatus {
    fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// A change's delivery on one channel, as `changes list --json` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeDelivery {
    pub id: i64,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// Unix milliseconds; 0: at once.
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

/// What a health alert says: a supplier that no crawl reached for `failures` crawls in a row,
/// or (`recovered`) that a crawl reached again after such an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthAlert {
    pub source: String,
    pub base_url: String,
    pub failures: i64,
    pub last_error: String,
    #[serde(default)]
    pub recovered: bool,
}

/// When a finished crawl raises a health alert: at the `alert_after`th crawl in a row that
/// reached no page (once per incident, not on every crawl after).
#[derive(Clone, Debug)]
pub struct HealthCheck<'a> {
    pub alert_after: i64,
    pub last_error: &'a str,
    /// The run failed in a way that is an incident by itself (most known pages gone at once):
    /// alerted now rather than after `alert_after` runs.
    pub urgent: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryContent {
    Changes(Vec<StoredChange>),
    Health(HealthAlert),
}

#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub channel: Channel,
    pub idempotency_key: String,
    pub attempts: i64,
    pub content: DeliveryContent,
}

impl Delivery {
    /// The changes it carries (none for a health alert).
    pub fn changes(&self) -> &[StoredChange] {
        match &self.content {
            DeliveryContent::Changes(changes) => changes,
            DeliveryContent::Health(_) => &[],
        }
    }
}

/// Fills in each change's deliveries, in one query.
pub(crate) async fn deliveries_of_changes(
    pool: &AnyPool,
    changes: &mut [StoredChange],
) -> Result<(), StoreError> {
    let (Some(lo), Some(hi)) = (
        changes.iter().map(|c| c.id).min(),
        changes.iter().map(|c| c.id).max(),
    ) else {
        return Ok(());
    };
    let op = "read the deliveries of changes";
    let rows = sqlx::query(
        "SELECT cd.change_id, cd.channel, d.id, d.status, d.attempts, d.next_attempt_at, d.last_error \
         FROM change_deliveries cd JOIN deliveries d ON d.id = cd.delivery_id \
         WHERE cd.change_id BETWEEN $1 AND $2",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(pool)
    .await
    .op(op)?;
    let mut by_change: BTreeMap<i64, BTreeMap<Channel, ChangeDelivery>> = BTreeMap::new();
    for row in rows {
        let channel: String = row.try_get("channel").op(op)?;
        let status: String = row.try_get("status").op(op)?;
        let id: i64 = row.try_get("id").op(op)?;
        let corrupt = |detail: String| StoreError::Corrupt {
            what: format!("delivery {id}"),
            detail,
        };
        let channel =
            Channel::parse(&channel).ok_or_else(|| corrupt(format!("channel `{channel}`")))?;
        let status =
            DeliveryStatus::parse(&status).ok_or_else(|| corrupt(format!("status `{status}`")))?;
        by_change
            .entry(row.try_get("change_id").op(op)?)
            .or_default()
            .insert(
                channel,
                ChangeDelivery {
                    id,
                    status,
                    attempts: row.try_get("attempts").op(op)?,
                    next_attempt_at: row.try_get("next_attempt_at").op(op)?,
                    last_error: row.try_get("last_error").op(op)?,
                },
            );
    }
    for change in changes {
        change.deliveries = by_change.remove(&change.id).unwrap_or_default();
    }
    Ok(())
}

/// Queues the health alert a finished crawl raised, in the transaction that finishes it.
pub(crate) async fn queue_health_alert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    source_id: i64,
    run_id: i64,
    alert: &HealthAlert,
) -> Result<(), StoreError> {
    let op = "queue a health alert";
    let payload = serde_json::to_string(alert).map_err(|e| StoreError::Corrupt {
        what: format!("health alert of source `{}`", alert.source),
        detail: e.to_string(),
    })?;
    sqlx::query(
        "INSERT INTO deliveries (channel, kind, idempotency_key, payload, created_at) VALUES ($1, 'health', $2, $3, $4)",
    )
    .bind(Channel::Email.as_str())
    .bind(format!("health-{source_id}-{run_id}"))
    .bind(payload)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .op(op)?;
    Ok(())
}

impl Store {
    /// Moves every change that no delivery of `channel` carries yet into a new delivery on it.
    pub async fn claim_undelivered(
        &self,
        channel: Channel,
    ) -> Result<Option<Delivery>, StoreError> {
        let op = "queue an alert";
        let mut tx = self.write(op).await?;
        let row = sqlx::query(
            "SELECT MIN(id) AS lo, MAX(id) AS hi FROM changes c WHERE NOT EXISTS \
             (SELECT 1 FROM change_deliveries cd WHERE cd.change_id = c.id AND cd.channel = $1)",
        )
        .bind(channel.as_str())
        .fetch_one(&mut *tx)
        .await
        .op(op)?;
        let (lo, hi): (Option<i64>, Option<i64>) =
            (row.try_get("lo").op(op)?, row.try_get("hi").op(op)?);
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(None);
        };
        let key = format!("{channel}-{lo}-{hi}");
        let row = sqlx::query("INSERT INTO deliveries (channel, idempotency_key, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(channel.as_str())
            .bind(&key)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await
            .op(op)?;
        let id: i64 = row.try_get("id").op(op)?;
        sqlx::query(
            "INSERT INTO change_deliveries (change_id, channel, delivery_id) \
             SELECT c.id, $1, $2 FROM changes c WHERE c.id <= $3 AND NOT EXISTS \
             (SELECT 1 FROM change_deliveries cd WHERE cd.change_id = c.id AND cd.channel = $1)",
        )
        .bind(channel.as_str())
        .bind(id)
        .bind(hi)
        .execute(&mut *tx)
        .await
        .op(op)?;
        tx.commit().await.op(op)?;
        self.delivery(id, channel, key, 0, None).await.map(Some)
    }

    /// Deliveries of `channel` not yet delivered (left by a crash or a failed send) whose next
    /// attempt is due by `now_ms`, oldest first.
    pub async fn pending_deliveries(
        &self,
        channel: Channel,
        now_ms: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let op = "list pending deliveries";
        let rows = sqlx::query(
            "SELECT id, idempotency_key, attempts, payload FROM deliveries \
             WHERE channel = $1 AND status = 'pending' AND next_attempt_at <= $2 ORDER BY id",
        )
        .bind(channel.as_str())
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await
        .op(op)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(
                self.delivery(
                    row.try_get("id").op(op)?,
                    channel,
                    row.try_get("idempotency_key").op(op)?,
                    row.try_get("attempts").op(op)?,
                    row.try_get("payload").op(op)?,
                )
                .await?,
            );
        }
        Ok(out)
    }

    /// How many deliveries of `channel` are still pending, due or not.
    pub async fn count_pending(&self, channel: Channel) -> Result<i64, StoreError> {
        let op = "count pending deliveries";
        sqlx::query(
            "SELECT COUNT(*) AS n FROM deliveries WHERE channel = $1 AND status = 'pending'",
        )
        .bind(channel.as_str())
        .fetch_one(&self.pool)
        .await
        .and_then(|r| r.try_get("n"))
        .op(op)
    }

    async fn delivery(
        &self,
        id: i64,
        channel: Channel,
        idempotency_key: String,
        attempts: i64,
        payload: Option<String>,
    ) -> Result<Delivery, StoreError> {
        let content = match payload {
            Some(payload) => {
                DeliveryContent::Health(serde_json::from_str(&payload).map_err(|e| {
                    StoreError::Corrupt {
                        what: format!("delivery {id}"),
                        detail: e.to_string(),
                    }
                })?)
            }
            None => {
                let rows = sqlx::query(
                    "SELECT c.* FROM changes c JOIN change_deliveries cd ON cd.change_id = c.id \
                     WHERE cd.delivery_id = $1 ORDER BY c.id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .op("read a delivery")?;
                DeliveryContent::Changes(
                    rows.iter().map(change_from_row).collect::<Result<_, _>>()?,
                )
            }
        };
        Ok(Delivery {
            id,
            channel,
            idempotency_key,
            attempts,
            content,
        })
    }

    pub async fn mark_delivered(&self, delivery_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $1, last_error = NULL WHERE id = $2")
            .bind(now_ms())
            .bind(delivery_id)
            .execute(&self.pool)
            .await
            .op("mark a delivery done")?;
        Ok(())
    }

    /// Gives a delivery up (the server refused it): it is not tried again.
    pub async fn give_up_delivery(&self, delivery_id: i64, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(delivery_id)
            .execute(&self.pool)
            .await
            .op("give a delivery up")?;
        Ok(())
    }

    /// Notes a failed attempt and when to try again (Unix milliseconds).
    pub async fn mark_delivery_failed(
        &self,
        delivery_id: i64,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(error)
            .bind(next_attempt_at)
            .bind(delivery_id)
            .execute(&self.pool)
            .await
            .op("mark a delivery failed")?;
        Ok(())
    }
}
