//! specsync's persistence, with sqlx.
//!
//! One [`Store`] over an `AnyPool`: SQLite by default, PostgreSQL when several workers share the
//! work. Every query is portable SQL with `$N` placeholders (which sqlx binds by number on both
//! backends), checked at run time; only the migrations' DDL exists once per backend
//! (`migrations/sqlite`, `migrations/postgres`). Times are stored as Unix milliseconds.

mod changes;
mod decisions;
mod deliveries;
mod discovery;
mod error;
mod listings;
mod open;
mod products;
mod sources;

pub use changes::{ChangeFilter, ChangeStatus, StoredChange};
pub use decisions::{Decided, Decision};
pub use deliveries::{
    ChangeDelivery, Channel, Delivery, DeliveryContent, DeliveryStatus, HealthAlert, HealthCheck,
};
pub use discovery::DiscoveryPage;
pub use error::StoreError;
pub use listings::ListingImport;
pub use open::Backend;
pub use products::{GoneOutcome, GoneRule, PageRecord, PageValidators, Recorded, StoredProduct};
pub use sources::{NewSource, Robots, Source, SourceSettings};

use sqlx::AnyPool;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the store. On SQLite the write-ahead log is first folded into the database file
    /// and emptied, so that the file alone is the whole database (a copy of `specsync.db`
    /// without its `-wal` is not half of it); a process still writing keeps its part of the log.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
            {
                tracing::debug!(%error, "the write-ahead log was not checkpointed");
            }
        }
        self.pool.close().await;
    }

    /// Writes a consistent copy of the whole database to `path` (a new file), while other
    /// processes go on reading and writing: SQLite's `VACUUM INTO`. PostgreSQL is backed up
    /// with its own tools.
    pub async fn backup(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let path = path.to_str().ok_or_else(|| StoreError::Corrupt {
                    what: format!("backup path {}", path.display()),
                    detail: "not UTF-8".into(),
                })?;
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(|source| StoreError::Query {
                        op: "back up the database",
                        source,
                    })
            }
            Backend::Postgres => Err(StoreError::Unsupported(
                "the database is PostgreSQL: back it up with pg_dump",
            )),
        }
    }

    /// Begins a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), waiting for it up to the busy timeout: a transaction that read first and
    /// wrote later could only fail (`SQLITE_BUSY_SNAPSHOT`, 517) when another process wrote in
    /// between. A lock still busy after the timeout is asked for again, twice.
    pub(crate) async fn write(
        &self,
        op: &'static str,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tries = 0;
        loop {
            let begun = match self.backend {
                Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
                Backend::Postgres => self.pool.begin().await,
            };
            match begun {
                Err(e) if tries < 2 && is_busy(&e) => {
                    tries += 1;
                    tracing::warn!(op, "the database is busy; asking again");
                    tokio::time::sleep(std::time::Duration::from_millis(100 << tries)).await;
                }
                other => return error::QueryContext::op(other, op),
            }
        }
    }
}

/// Whether an error is SQLite's "database is locked" in any of its forms (`SQLITE_BUSY`, 5,
/// and its extended codes: 261, 517, 773).
pub(crate) fn is_busy(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    db.code()
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| c & 0xff == 5)
}

/// Now, in Unix milliseconds (the store's unit of time).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
