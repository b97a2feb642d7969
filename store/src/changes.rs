//! Recorded changes: inserted with what the rules decided, resolved when they go away, listed.
//! The deliveries that carry them to each channel are `deliveries.rs`.

use std::collections::BTreeMap;
use std::fmt;

use catalog::{ListingId, SpecKey};
use diff::{Action, Change, ChangeKind, Proposal, Update};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::deliveries::{deliveries_of_changes, ChangeDelivery, Channel};
use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Found and not yet acted on.
    Open,
    /// The merchant approved its proposal (`changes approve`): due to be applied to the store.
    Approved,
    Applied,
    Rejected,
    /// The difference went away by itself (the supplier went back to what the listing shows).
    Resolved,
}

impl ChangeStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeStatus::Open => "open",
            ChangeStatus::Approved => "approved",
            ChangeStatus::Applied => "applied",
            ChangeStatus::Rejected => "rejected",
            ChangeStatus::Resolved => "resolved",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<ChangeStatus> {
        [
            ChangeStatus::Open,
            ChangeStatus::Approved,
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
    /// When the merchant approved or rejected it, and the reason given.
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    /// The delivery that carries it on each channel that has claimed it.
    pub deliveries: BTreeMap<Channel, ChangeDelivery>,
    pub created_at: i64,
}

#[derive(Clone, Debug, Default)]
pub struct ChangeFilter {
    pub status: Option<ChangeStatus>,
    pub listing: Option<ListingId>,
    pub run_id: Option<i64>,
}

pub(crate) fn change_from_row(row: &AnyRow) -> Result<StoredChange, StoreError> {
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
        decided_at: row.try_get("decided_at").op(op)?,
        decision_note: row.try_get("decision_note").op(op)?,
        deliveries: BTreeMap::new(),
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
    // Open, or answered by the merchant: the same difference is not asked about again.
    let open = sqlx::query(
        "SELECT id FROM changes WHERE fingerprint = $1 AND status IN ('open', 'approved', 'rejected')",
    )
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
        Some(run) if flap_crawls > 0 => flapped_change(tx, &fingerprint, run, flap_crawls).await?,
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
         action, proposed_update, why) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
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
    .fetch_one(&mut **tx)
    .await
    .op(op)?;
    let id: i64 = row.try_get("id").op(op)?;
    if let Some(earlier) = flapped {
        // Carried by the deliveries that carried the change it repeats, on every channel.
        sqlx::query(
            "INSERT INTO change_deliveries (change_id, channel, delivery_id) \
             SELECT $1, channel, delivery_id FROM change_deliveries WHERE change_id = $2",
        )
        .bind(id)
        .bind(earlier)
        .execute(&mut **tx)
        .await
        .op(op)?;
    }
    Ok(Some(id))
}

/// The same change, resolved within the last `window` crawls of the run's source after a
/// delivery carried it.
async fn flapped_change(
    tx: &mut Transaction<'static, Any>,
    fingerprint: &str,
    run_id: i64,
    window: i64,
) -> Result<Option<i64>, StoreError> {
    let op = "look for a flapping change";
    let row = sqlx::query(
        "SELECT c.id FROM changes c JOIN crawl_runs r ON r.id = c.run_id \
         WHERE c.fingerprint = $1 AND c.status = 'resolved' \
         AND EXISTS (SELECT 1 FROM change_deliveries cd WHERE cd.change_id = c.id) \
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
    row.map(|r| r.try_get::<i64, _>("id")).transpose().op(op)
}

/// Resolves the open changes of `listing` on `product_url` that the latest comparison no longer
/// found: the supplier is back to what the listing shows. Changes of the `unread` kinds stay:
/// the page gave nothing to compare them with.
pub(crate) async fn resolve_obsolete(
    tx: &mut Transaction<'static, Any>,
    listing: &ListingId,
    product_url: &str,
    still_found: &std::collections::HashSet<String>,
    unread: &[&str],
) -> Result<u64, StoreError> {
    let op = "resolve changes that went away";
    // An approved change that no longer holds is resolved too: applying it would be wrong now.
    let rows = sqlx::query("SELECT id, kind, fingerprint FROM changes WHERE status IN ('open', 'approved') AND listing_id = $1 AND product_url = $2")
        .bind(listing.as_str())
        .bind(product_url)
        .fetch_all(&mut **tx)
        .await
        .op(op)?;
    let mut resolved = 0;
    for row in rows {
        let fingerprint: String = row.try_get("fingerprint").op(op)?;
        let kind: String = row.try_get("kind").op(op)?;
        if still_found.contains(&fingerprint) || unread.contains(&kind.as_str()) {
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
        let mut changes = rows
            .iter()
            .map(change_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        deliveries_of_changes(&self.pool, &mut changes).await?;
        Ok(changes)
    }
}
