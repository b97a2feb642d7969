//! The merchant's answers to changes: approve a held proposal, reject a change. Every change
//! named is checked before any is answered, so a mistake in one id answers none.

use catalog::ListingId;
use diff::Action;
use sqlx::Row;

use crate::changes::ChangeStatus;
use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

/// What the merchant answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The held proposal may be applied.
    Approve,
    /// No, with the merchant's reason if given.
    Reject { reason: Option<String> },
}

/// Which changes an answer is for.
#[derive(Clone, Debug)]
pub enum Decided {
    Ids(Vec<i64>),
    /// Every open change waiting for approval (of one listing).
    AllHeld {
        listing: Option<ListingId>,
    },
}

impl Store {
    /// Answers changes; returns the ids answered. An id that is not an open change (or, to
    /// approve, not one waiting for approval) is an error naming it, and nothing is answered.
    pub async fn decide(
        &self,
        which: &Decided,
        decision: &Decision,
    ) -> Result<Vec<i64>, StoreError> {
        let op = "answer changes";
        let mut tx = self.write(op).await?;
        let ids = match which {
            Decided::Ids(ids) => {
                for id in ids {
                    let row = sqlx::query("SELECT status, action FROM changes WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .op(op)?
                        .ok_or(StoreError::NoChange(*id))?;
                    let status: String = row.try_get("status").op(op)?;
                    let action: String = row.try_get("action").op(op)?;
                    if status != ChangeStatus::Open.as_str() {
                        return Err(StoreError::NotAnswerable {
                            id: *id,
                            why: format!("it is {status}, not open"),
                        });
                    }
                    if *decision == Decision::Approve && action != Action::Hold.as_str() {
                        return Err(StoreError::NotAnswerable {
                            id: *id,
                            why: format!(
                                "its action is `{action}`: only changes held for approval are approved"
                            ),
                        });
                    }
                }
                ids.clone()
            }
            Decided::AllHeld { listing } => {
                let mut sql = String::from(
                    "SELECT id FROM changes WHERE status = 'open' AND action = 'hold'",
                );
                if listing.is_some() {
                    sql.push_str(" AND listing_id = $1");
                }
                sql.push_str(" ORDER BY id");
                let mut query = sqlx::query(&sql);
                if let Some(listing) = listing {
                    query = query.bind(listing.as_str());
                }
                let rows = query.fetch_all(&mut *tx).await.op(op)?;
                rows.iter()
                    .map(|r| r.try_get::<i64, _>("id"))
                    .collect::<Result<_, _>>()
                    .op(op)?
            }
        };
        let (status, note) = match decision {
            Decision::Approve => (ChangeStatus::Approved, None),
            Decision::Reject { reason } => (ChangeStatus::Rejected, reason.as_deref()),
        };
        let now = now_ms();
        for id in &ids {
            sqlx::query(
                "UPDATE changes SET status = $1, decided_at = $2, decision_note = $3 WHERE id = $4",
            )
            .bind(status.as_str())
            .bind(now)
            .bind(note)
            .bind(id)
            .execute(&mut *tx)
            .await
            .op(op)?;
        }
        tx.commit().await.op(op)?;
        Ok(ids)
    }
}
