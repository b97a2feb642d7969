//! A database made by the previous release (schema 7, one delivery per change) upgrades in place:
//! every change, delivery and claim is kept, and the outbox goes on where it stopped.

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use store::{Channel, DeliveryStatus, Store};

use crate::{open_url, price_change, product, Backend, Crawled};

on_both_backends!(an_upgrade_from_the_previous_release_keeps_every_change_and_delivery);

/// Rows as the previous release wrote them: two alerted changes in one delivered email, one
/// still in the outbox.
const PREVIOUS_RELEASE_ROWS: &[&str] = &[
    "INSERT INTO sources (id, name, base_url, settings, created_at, crawls) VALUES \
     (1, 'sim', 'http://127.0.0.1:1', '{\"rate\":\"5/s\",\"burst\":1,\"concurrency\":2,\"allow_private_networks\":true}', 1, 2)",
    "INSERT INTO crawl_runs (id, source_id, started_at, finished_at, summary) VALUES (1, 1, 10, 20, '{}')",
    "INSERT INTO listings (id, title, currency, updated_at) VALUES ('L1', 'T恤', 'CNY', 5)",
    "INSERT INTO deliveries (id, channel, idempotency_key, status, attempts, created_at, delivered_at) \
     VALUES (1, 'email', 'email-1-2', 'delivered', 1, 30, 31)",
    "INSERT INTO changes (id, run_id, kind, severity, listing_id, product_url, variant, before_value, after_value, \
     fingerprint, status, delivery_id, created_at, action, why) VALUES \
     (1, 1, 'price_changed', 'info', 'L1', 'http://127.0.0.1:1/products/1.html', 'color=red', '10.00', '12.00', 'f1', 'open', 1, 25, 'alert', 'up'), \
     (2, 1, 'out_of_stock', 'critical', 'L1', 'http://127.0.0.1:1/products/1.html', 'color=blue', '5', '0', 'f2', 'resolved', 1, 25, 'hold', 'gone'), \
     (3, 1, 'title_changed', 'info', 'L1', 'http://127.0.0.1:1/products/1.html', NULL, 'a', 'b', 'f3', 'open', NULL, 26, 'alert', 'renamed')",
];

/// The schema of the previous release: the migrations before deliveries per channel.
async fn previous_release_database(backend: Backend, url: &str) {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let previous = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.as_bytes().first().is_some_and(u8::is_ascii_digit) && name < "0008" {
            std::fs::copy(&path, previous.path().join(name)).expect("copy");
        }
    }
    sqlx::any::install_default_drivers();
    let conn = match backend {
        Backend::Sqlite => format!("sqlite://{url}?mode=rwc"),
        Backend::Postgres => url.to_owned(),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&conn)
        .await
        .expect("connect");
    let migrator = Migrator::new(previous.path()).await.expect("migrator");
    assert_eq!(
        migrator.iter().count(),
        7,
        "the previous release had 7 migrations"
    );
    migrator.run(&pool).await.expect("previous schema");
    for sql in PREVIOUS_RELEASE_ROWS {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }
    if backend == Backend::Postgres {
        // Explicit ids leave the sequences behind, as they would not be after real inserts.
        for table in ["sources", "crawl_runs", "deliveries", "changes"] {
            let sql = format!("SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))");
            sqlx::query(&sql).execute(&pool).await.expect("setval");
        }
    }
    pool.close().await;
}

async fn an_upgrade_from_the_previous_release_keeps_every_change_and_delivery(backend: Backend) {
    let (url, db) = open_url(backend).await;
    previous_release_database(backend, &url).await;
    let store = Store::open(&url).await.expect("upgrade");
    assert_eq!(store.schema_version(), 11);
    let changes = store.changes(&Default::default()).await.expect("changes");
    assert_eq!(changes.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(changes[1].status, store::ChangeStatus::Resolved);
    assert_eq!(changes[1].why.as_deref(), Some("gone"));
    for alerted in &changes[..2] {
        let email = &alerted.deliveries[&Channel::Email];
        assert_eq!((email.id, email.status), (1, DeliveryStatus::Delivered));
    }
    assert!(changes[2].deliveries.is_empty());
    // The outbox goes on: the change not yet alerted is claimed, and only it.
    let next = store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .expect("the change left in the outbox");
    assert_eq!(next.changes().iter().map(|c| c.id).collect::<Vec<_>>(), [3]);
    // New changes get new ids after the old ones.
    let c = Crawled::on(store, db).await;
    let mut rise = price_change("13.00");
    rise.change.variant = Some(catalog::SpecKey::parse("color=green").expect("key"));
    c.record(&product(1300), "h9", &[rise]).await;
    let changes = c.store.changes(&Default::default()).await.expect("changes");
    assert_eq!(changes.last().map(|c| c.id), Some(4));
    c.remove().await;
}

/// The database `specsync demo --products 6` left with the previous release (schema 7): its
/// seven changes went out in one email.
#[tokio::test]
async fn a_database_written_by_the_previous_release_binary_upgrades_in_place() {
    use std::io::Read;
    let gz = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/release-schema-7-demo.db.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).expect("fixture"))
        .read_to_end(&mut bytes)
        .expect("gunzip");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("specsync.db");
    std::fs::write(&path, bytes).expect("write");
    let store = Store::open(path.to_str().expect("utf-8"))
        .await
        .expect("upgrade");
    let changes = store.changes(&Default::default()).await.expect("changes");
    assert_eq!(changes.len(), 7);
    let email = changes[0].deliveries[&Channel::Email].id;
    assert!(changes.iter().all(|c| {
        let d = &c.deliveries[&Channel::Email];
        d.id == email && d.status == DeliveryStatus::Delivered
    }));
    assert!(store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .is_none());
    assert_eq!(store.sources().await.expect("sources").len(), 1);
    assert!(!store.listings().await.expect("listings").is_empty());
    store.close().await;
    // Opening it again changes nothing.
    let again = Store::open(path.to_str().expect("utf-8"))
        .await
        .expect("again");
    assert_eq!(
        again
            .changes(&Default::default())
            .await
            .expect("changes")
            .len(),
        7
    );
    again.close().await;
}
