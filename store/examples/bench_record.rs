//! What recording a crawl's changes costs as the history grows: 500 new changes of one page
//! recorded in one transaction (as a crawl's batch is: each change's fingerprint looked up among
//! the open, answered and recently resolved ones, the listing's obsolete changes resolved), on a
//! SQLite file holding 0, 100,000 and 1,000,000 old changes, and at 100,000 once more without
//! the lookup indexes of migration 0011, for the ratio in the same run.
//!
//! ```sh
//! cargo run --release -p store --example bench_record            # up to 1,000,000 old changes
//! cargo run --release -p store --example bench_record -- 300000  # up to another size
//! ```

use std::time::Instant;

use catalog::{Availability, Currency, ListingId, Money, Product, SpecKey, Stock, Variant};
use diff::{Action, Change, ChangeKind, Proposal};
use store::{NewSource, PageRecord, SourceSettings, Store};

/// New changes per measured batch.
const NEW: usize = 500;
/// Old crawl runs of the source (the flap window counts the latest ones).
const RUNS: i64 = 200;

fn product(url: &str, variants: usize, price: i64) -> Product {
    Product {
        url: url.into(),
        title: "T恤".into(),
        brand: None,
        sku: None,
        currency: Some(Currency::CNY),
        images: vec![],
        description: None,
        options: vec![],
        variants: (0..variants)
            .map(|i| Variant {
                key: SpecKey::parse(&format!("size=s{i}")).expect("key"),
                spec: Default::default(),
                sku: Some(format!("SKU-{i}")),
                price: Some(Money::new(price, Currency::CNY)),
                compare_at: None,
                stock: Stock::new(Availability::InStock, Some(5)),
            })
            .collect(),
    }
}

/// `count` price changes of one listing on one page, different in every round.
fn proposals(url: &str, listing: &ListingId, round: usize, count: usize) -> Vec<Proposal> {
    (0..count)
        .map(|i| Proposal {
            change: Change {
                kind: ChangeKind::PriceChanged,
                listing: Some(listing.clone()),
                product_url: url.into(),
                variant: Some(SpecKey::parse(&format!("size=s{i}")).expect("key")),
                before: Some("10.00".into()),
                after: Some(format!("{}.00", 11 + round)),
            },
            action: Action::Alert,
            update: None,
            why: "bench".into(),
        })
        .collect()
}

/// Adds old resolved changes (and their runs' rows) until the table holds `total`.
async fn grow_history(pool: &sqlx::SqlitePool, run: i64, from: i64, total: i64) {
    sqlx::query(
        "INSERT INTO changes (run_id, kind, severity, listing_id, product_url, variant, \
         before_value, after_value, fingerprint, status, created_at, action, why) \
         WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) \
         SELECT $3, 'price_changed', 'warning', 'old-' || (i % 10000), \
         'http://old.example/p/' || (i % 50000) || '.html', 'size=m', '1.00', '2.00', \
         'old-fingerprint-' || i, 'resolved', 0, 'alert', 'old' FROM n",
    )
    .bind(from + 1)
    .bind(total)
    .bind(run)
    .execute(pool)
    .await
    .expect("grow the history");
}

/// Records `count` changes of one page (of as many variants) in one batch; returns the seconds
/// it took.
async fn record_batch(store: &Store, source_id: i64, url: &str, round: usize, count: usize) -> f64 {
    let run_id = store.start_run(source_id).await.expect("run");
    let listing = ListingId::parse("bench-listing").expect("id");
    let product = product(url, count, 1000 + i64::try_from(round).unwrap_or(0));
    let (json, hash) = product.json_and_hash();
    let changes = proposals(url, &listing, round, count);
    let compared = [listing];
    let page = PageRecord {
        source_id,
        run_id,
        product: &product,
        content_hash: &hash,
        product_json: Some(&json),
        changes: &changes,
        compared: &compared,
        flap_crawls: 3,
        validators: None,
    };
    let started = Instant::now();
    let recorded = store.record_pages(&[page]).await.expect("record");
    let took = started.elapsed().as_secs_f64();
    assert_eq!(recorded[0].changes, count, "every change is new");
    took
}

#[tokio::main]
async fn main() {
    let largest: i64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a number of old changes"))
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.db");
    let url = path.to_str().expect("utf-8 path").to_owned();
    let store = Store::open(&url).await.expect("open");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{url}"))
        .await
        .expect("raw connect");
    let source = store
        .upsert_source(&NewSource {
            name: "bench".into(),
            base_url: "http://bench.example".into(),
            settings: SourceSettings::default(),
        })
        .await
        .expect("source");
    let mut old_run = 0;
    for _ in 0..RUNS {
        old_run = store.start_run(source.id).await.expect("run");
    }
    println!("| old changes | indexes | 500 new changes recorded | per change |");
    println!("|---:|---|---:|---:|");
    let mut held = 0;
    let mut round = 0;
    let mut sizes = vec![0, 100_000.min(largest), largest];
    sizes.dedup();
    for size in sizes {
        grow_history(&pool, old_run, held, size).await;
        held = size;
        // Two rounds, the best kept: the first may warm the file's pages.
        let mut best = f64::MAX;
        for _ in 0..2 {
            round += 1;
            let url = format!("http://bench.example/p/{round}.html");
            best = best.min(record_batch(&store, source.id, &url, round, NEW).await);
        }
        println!(
            "| {size} | 0011 | {:.3} s | {:.0} µs |",
            best,
            best * 1e6 / NEW as f64
        );
        if size == 100_000.min(largest) && size > 0 {
            // The same, without the lookup indexes (as before migration 0011).
            for drop in [
                "DROP INDEX changes_by_fingerprint",
                "DROP INDEX crawl_runs_by_source",
            ] {
                sqlx::query(drop).execute(&pool).await.expect("drop index");
            }
            round += 1;
            let url = format!("http://bench.example/p/{round}.html");
            let took = record_batch(&store, source.id, &url, round, NEW).await;
            println!(
                "| {size} | none (before 0011) | {took:.3} s | {:.0} µs |",
                took * 1e6 / NEW as f64
            );
            for create in [
                "CREATE INDEX changes_by_fingerprint ON changes(fingerprint, status)",
                "CREATE INDEX crawl_runs_by_source ON crawl_runs(source_id, id)",
            ] {
                sqlx::query(create).execute(&pool).await.expect("index");
            }
        }
    }
    // One page of 100,000 variants, every one changed, on the largest history.
    round += 1;
    let url = format!("http://bench.example/p/{round}.html");
    let took = record_batch(&store, source.id, &url, round, 100_000).await;
    println!(
        "| {held} | 0011 | one page of 100,000 changes: {took:.2} s | {:.0} µs |",
        took * 1e6 / 100_000.0
    );
}
