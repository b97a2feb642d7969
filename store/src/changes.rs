//! Recorded changes and the alert deliveries that carry them.
//!
//! A change with no delivery yet is in the outbox. [`Store::claim_undelivered`] moves every such
//! change into one new delivery in one transaction, so a crash at any point neither loses a
//! change nor puts it in two deliveries; each delivery has an idempotency key that the sender
//! uses to deliver it at most once.

use std::fmt;

use catalog::{ListingId, SpecKey};
use diff::{Action, Change, ChangeKind, Proposal, Update};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Found and not yet acted on.
    Open,
    Applied,
    Rejected,
    /// The difference went away by itself (the supplier went back to what the listing shows).
    Resolved,
}

impl ChangeStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeStatus::Open => "open",
            ChangeStatus::Applied => "applied",
            ChangeStatus::Rejected => "rejected",
            ChangeStatus::Resolved => "resolved",
        }
    }

    fn parse(s: &str) -> Option<ChangeStatus> {
        [
            ChangeStatus::Open,
            ChangeStatus::Applied,
            ChangeStatus::Rejected,
            ChangeStatus::Resolved,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ChangeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredChange {
    pub id: i64,
    pub run_id: Option<i64>,
    #[serde(flatten)]
    pub change: Change,
    pub severity: diff::Severity,
    /// What the rules decided, the update they propose, and why.
    pub action: Action,
    pub update: Option<Update>,
    pub why: Option<String>,
    pub status: ChangeStatus,
    pub delivery_id: Option<i64>,
    pub created_at: i64,
}

#[derive(Clone, Debug, Default)]
pub struct ChangeFilter {
    pub status: Option<ChangeStatus>,
    pub listing: Option<ListingId>,
    pub run_id: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub idempotency_key: String,
    pub changes: Vec<StoredChange>,
}

fn change_from_row(row: &AnyRow) -> Result<StoredChange, StoreError> {
    let op = "read a change";
    let id: i64 = row.try_get("id").op(op)?;
    let corrupt = |detail: String| StoreError::Corrupt {
        what: format!("change {id}"),
        detail,
    };
    let kind: String = row.try_get("kind").op(op)?;
    let kind: ChangeKind = kind.parse().map_err(corrupt)?;
    let status: String = row.try_get("status").op(op)?;
    let status =
        ChangeStatus::parse(&status).ok_or_else(|| corrupt(format!("status `{status}`")))?;
    let listing: Option<String> = row.try_get("listing_id").op(op)?;
    let listing = listing
        .map(|l| ListingId::parse(&l))
        .transpose()
        .map_err(|e| corrupt(e.to_string()))?;
    let variant: Option<String> = row.try_get("variant").op(op)?;
    let variant = variant
        .map(|v| SpecKey::parse(&v))
        .transpose()
        .map_err(|e| corrupt(e.to_string()))?;
    let action: String = row.try_get("action").op(op)?;
    let action = [Action::Apply, Action::Hold, Action::Alert, Action::Ignore]
        .into_iter()
        .find(|a| a.as_str() == action)
        .ok_or_else(|| corrupt(format!("action `{action}`")))?;
    let update: Option<String> = row.try_get("proposed_update").op(op)?;
    let update = update
        .map(|u| serde_json::from_str(&u))
        .transpose()
        .map_err(|e| corrupt(e.to_string()))?;
    Ok(StoredChange {
        id,
        action,
        update,
        why: row.try_get("why").op(op)?,
        run_id: row.try_get("run_id").op(op)?,
        severity: kind.severity(),
        change: Change {
            kind,
            listing,
            product_url: row.try_get("product_url").op(op)?,
            variant,
            before: row.try_get("before_value").op(op)?,
            after: row.try_get("after_value").op(op)?,
        },
        status,
        delivery_id: row.try_get("delivery_id").op(op)?,
        created_at: row.try_get("created_at").op(op)?,
    })
}

/// Inserts a change with what the rules decided, unless the same change is already open;
/// returns its id if inserted. Ignored changes (noise) are not recorded.
pub(crate) async fn insert_change(
    tx: &mut Transaction<'static, Any>,
    run_id: Option<i64>,
    proposal: &Proposal,
    flap_crawls: i64,
) -> Result<Option<i64>, StoreError> {
    if proposal.action == Action::Ignore {
        return Ok(None);
    }
    let change = &proposal.change;
    let op = "record a change";
    let fingerprint = change.fingerprint();
    let open = sqlx::query("SELECT id FROM changes WHERE fingerprint = $1 AND status = 'open'")
        .bind(&fingerprint)
        .fetch_optional(&mut **tx)
        .await
        .op(op)?;
    if open.is_some() {
        return Ok(None);
    }
    // Came back within the flap window after it went away: recorded, but it belongs to the
    // alert that already told the merchant, so it is not alerted again.
    let flapped = match run_id {
        Some(run) if flap_crawls > 0 => {
            flapped_delivery(tx, &fingerprint, run, flap_crawls).await?
        }
        _ => None,
    };
    let why = match flapped {
        Some(_) => format!(
            "{} (came back within {flap_crawls} crawls: not alerted again)",
            proposal.why
        ),
        None => proposal.why.clone(),
    };
    let row = sqlx::query(
        "INSERT INTO changes (run_id, kind, severity, listing_id, product_url, variant, before_value, after_value, fingerprint, created_at, \
         action, proposed_update, why, delivery_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(run_id)
    .bind(change.kind.as_str())
    .bind(change.severity().as_str())
    .bind(change.listing.as_ref().map(ListingId::as_str))
    .bind(&change.product_url)
    .bind(change.variant.as_ref().map(ToString::to_string))
    .bind(change.before.as_deref())
    .bind(change.after.as_deref())
    .bind(fingerprint)
    .bind(now_ms())
    .bind(proposal.action.as_str())
    .bind(proposal.update.as_ref().map(|u| serde_json::to_string(u).unwrap_or_default()))
    .bind(why)
    .bind(flapped)
    .fetch_one(&mut **tx)
    .await
    .op(op)?;
    row.try_get("id").map(Some).op(op)
}

/// The delivery of the same change, resolved within the last `window` crawls of the run's source.
async fn flapped_delivery(
    tx: &mut Transaction<'static, Any>,
    fingerprint: &str,
    run_id: i64,
    window: i64,
) -> Result<Option<i64>, StoreError> {
    let op = "look for a flapping change";
    let row = sqlx::query(
        "SELECT c.delivery_id FROM changes c JOIN crawl_runs r ON r.id = c.run_id \
         WHERE c.fingerprint = $1 AND c.status = 'resolved' AND c.delivery_id IS NOT NULL \
         AND r.source_id = (SELECT source_id FROM crawl_runs WHERE id = $2) \
         AND r.id >= COALESCE((SELECT id FROM crawl_runs WHERE source_id = (SELECT source_id FROM crawl_runs WHERE id = $2) \
                               ORDER BY id DESC LIMIT 1 OFFSET $3), 0) \
         ORDER BY c.id DESC LIMIT 1",
    )
    .bind(fingerprint)
    .bind(run_id)
    .bind(window)
    .fetch_optional(&mut **tx)
    .await
    .op(op)?;
    row.map(|r| r.try_get::<Option<i64>, _>("delivery_id"))
        .transpose()
        .op(op)
        .map(Option::flatten)
}

/// Resolves the open changes of `listing` on `product_url` that the latest comparison no longer
/// found: the supplier is back to what the listing shows.
pub(crate) async fn resolve_obsolete(
    tx: &mut Transaction<'static, Any>,
    listing: &ListingId,
    product_url: &str,
    still_found: &[String],
) -> Result<u64, StoreError> {
    let op = "resolve changes that went away";
    let rows = sqlx::query("SELECT id, fingerprint FROM changes WHERE status = 'open' AND listing_id = $1 AND product_url = $2")
        .bind(listing.as_str())
        .bind(product_url)
        .fetch_all(&mut **tx)
        .await
        .op(op)?;
    let mut resolved = 0;
    for row in rows {
        let fingerprint: String = row.try_get("fingerprint").op(op)?;
        if still_found.contains(&fingerprint) {
            continue;
        }
        let id: i64 = row.try_get("id").op(op)?;
        sqlx::query("UPDATE changes SET status = 'resolved' WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await
            .op(op)?;
        resolved += 1;
    }
    Ok(resolved)
}

impl Store {
    pub async fn changes(&self, filter: &ChangeFilter) -> Result<Vec<StoredChange>, StoreError> {
        let mut sql = String::from("SELECT * FROM changes WHERE 1 = 1");
        let mut n = 0;
        let mut param = |col: &str| {
            n += 1;
            format!(" AND {col} = ${n}")
        };
        if filter.status.is_some() {
            sql += &param("status");
        }
        if filter.listing.is_some() {
            sql += &param("listing_id");
        }
        if filter.run_id.is_some() {
            sql += &param("run_id");
        }
        sql += " ORDER BY id";
        let mut query = sqlx::query(&sql);
        if let Some(status) = filter.status {
            query = query.bind(status.as_str());
        }
        if let Some(listing) = &filter.listing {
            query = query.bind(listing.as_str());
        }
        if let Some(run_id) = filter.run_id {
            query = query.bind(run_id);
        }
        let rows = query.fetch_all(&self.pool).await.op("list changes")?;
        rows.iter().map(change_from_row).collect()
    }

    /// Moves every change not yet in a delivery into a new delivery on `channel`.
    pub async fn claim_undelivered(&self, channel: &str) -> Result<Option<Delivery>, StoreError> {
        let op = "queue an alert";
        let mut tx = self.pool.begin().await.op(op)?;
        let row = sqlx::query(
            "SELECT MIN(id) AS lo, MAX(id) AS hi FROM changes WHERE delivery_id IS NULL",
        )
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
            .bind(channel)
            .bind(&key)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await
            .op(op)?;
        let id: i64 = row.try_get("id").op(op)?;
        sqlx::query("UPDATE changes SET delivery_id = $1 WHERE delivery_id IS NULL AND id <= $2")
            .bind(id)
            .bind(hi)
            .execute(&mut *tx)
            .await
            .op(op)?;
        tx.commit().await.op(op)?;
        self.delivery(id, key).await.map(Some)
    }

    /// Deliveries not yet delivered (left by a crash or a failed send), oldest first.
    pub async fn pending_deliveries(&self, channel: &str) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query("SELECT id, idempotency_key FROM deliveries WHERE channel = $1 AND status = 'pending' ORDER BY id")
            .bind(channel)
            .fetch_all(&self.pool)
            .await
            .op("list pending deliveries")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id").op("list pending deliveries")?;
            let key: String = row
                .try_get("idempotency_key")
                .op("list pending deliveries")?;
            out.push(self.delivery(id, key).await?);
        }
        Ok(out)
    }

    async fn delivery(&self, id: i64, idempotency_key: String) -> Result<Delivery, StoreError> {
        let rows = sqlx::query("SELECT * FROM changes WHERE delivery_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .op("read a delivery")?;
        Ok(Delivery {
            id,
            idempotency_key,
            changes: rows.iter().map(change_from_row).collect::<Result<_, _>>()?,
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

    pub async fn mark_delivery_failed(
        &self,
        delivery_id: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE deliveries SET attempts = attempts + 1, last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(delivery_id)
            .execute(&self.pool)
            .await
            .op("mark a delivery failed")?;
        Ok(())
    }
}
