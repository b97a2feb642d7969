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

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Now, in Unix milliseconds (the store's unit of time).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
