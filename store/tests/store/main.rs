//! The store on real SQLite files and on a real PostgreSQL server: every test runs on both
//! (`…_on_sqlite`, `…_on_postgres`); the PostgreSQL ones need `SPECSYNC_TEST_POSTGRES`
//! (`fixtures::postgres`), and are `ignore`d without it.

use std::collections::BTreeMap;

use catalog::{
    Availability, Currency, Listing, ListingId, ListingVariant, Money, Product, SpecKey, Stock,
    Variant,
};
use diff::{Action, Change, ChangeKind, Proposal, Update};
use store::{
    ChangeFilter, Channel, GoneOutcome, GoneRule, NewSource, PageRecord, SourceSettings, Store,
    StoreError,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test's store lives; [`Db::remove`] cleans up after it.
enum Db {
    /// Removed when dropped.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres(fixtures::postgres::PgDatabase),
}

impl Db {
    async fn remove(self, store: Store) {
        store.close().await;
        if let Db::Postgres(db) = self {
            db.drop_database().await;
        }
    }
}

/// Where a new, empty store goes: a SQLite file in a temporary folder, or a database of its own
/// on the PostgreSQL server.
async fn open_url(backend: Backend) -> (String, Db) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("specsync.db");
            (
                path.to_str().expect("utf-8 path").to_owned(),
                Db::Sqlite { _dir: dir },
            )
        }
        Backend::Postgres => {
            let db = fixtures::postgres::PgDatabase::create().await;
            (db.url.clone(), Db::Postgres(db))
        }
    }
}

/// A new, empty store.
async fn open(backend: Backend) -> (Store, Db) {
    let (url, db) = open_url(backend).await;
    (Store::open(&url).await.expect("open"), db)
}

/// Each test function, run on both backends.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[cfg_attr(not(postgres_tests), ignore = "needs SPECSYNC_TEST_POSTGRES")]
                async fn $test() {
                    super::$test(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

mod decisions;
mod deliveries;
mod upgrade;

on_both_backends!(
    an_unchanged_page_adds_no_snapshot_version_and_an_open_change_is_not_recorded_twice,
    undelivered_changes_are_claimed_by_exactly_one_delivery,
    a_product_is_gone_only_after_the_configured_confirmations,
    a_page_that_answers_again_starts_the_gone_count_afresh,
    listings_round_trip_and_links_need_an_existing_listing,
    an_import_of_many_listings_replaces_them_and_links_them_at_once,
    what_the_rules_decided_is_kept_with_the_change_and_noise_is_not_recorded,
    a_change_that_goes_away_is_resolved_and_one_that_flaps_back_is_not_alerted_again,
    one_worker_at_a_time_holds_a_source_and_an_expired_lease_can_be_taken,
    discovery_pages_are_remembered_and_forgotten_when_the_source_settings_change,
    unchanged_pages_are_noted_as_seen_in_one_statement,
    the_products_of_a_source_are_read_whole_in_one_statement,
);

async fn source(store: &Store) -> i64 {
    let settings = SourceSettings {
        rate: "5/s".into(),
        burst: 1,
        concurrency: 2,
        currency: None,
        allow_private_networks: true,
        ..SourceSettings::default()
    };
    store
        .add_source(&NewSource {
            name: "sim".into(),
            base_url: "http://127.0.0.1:1".into(),
            settings,
        })
        .await
        .expect("source")
        .id
}

fn product(price: i64) -> Product {
    Product {
        url: "http://127.0.0.1:1/products/1.html".into(),
        title: "T恤".into(),
        brand: None,
        sku: None,
        currency: Some(Currency::CNY),
        images: vec![],
        description: None,
        options: vec![],
        variants: vec![Variant {
            key: SpecKey::parse("color=red").expect("key"),
            spec: BTreeMap::new(),
            sku: Some("A".into()),
            price: Some(Money::new(price, Currency::CNY)),
            compare_at: None,
            stock: Stock::new(Availability::InStock, Some(5)),
        }],
    }
}

fn listing() -> Listing {
    Listing {
        id: ListingId::parse("L1").expect("id"),
        title: "T恤".into(),
        currency: Currency::CNY,
        description: None,
        images: vec![],
        variant_links: Default::default(),
        variants: vec![ListingVariant {
            key: SpecKey::parse("color=red").expect("key"),
            spec: BTreeMap::from([("color".into(), "red".into())]),
            sku: Some("A".into()),
            price: Money::new(1000, Currency::CNY),
            cost: None,
            stock: 5,
        }],
    }
}

fn price_change(after: &str) -> Proposal {
    let change = Change {
        kind: ChangeKind::PriceChanged,
        listing: Some(ListingId::parse("L1").expect("id")),
        product_url: product(0).url,
        variant: Some(SpecKey::parse("color=red").expect("key")),
        before: Some("10.00".into()),
        after: Some(after.into()),
    };
    Proposal {
        change,
        action: Action::Alert,
        update: None,
        why: "the supplier's price changed".into(),
    }
}

/// A fresh database with one source and one crawl run.
struct Crawled {
    db: Db,
    store: Store,
    source_id: i64,
    run: i64,
}

impl Crawled {
    async fn remove(self) {
        self.db.remove(self.store).await;
    }

    async fn new(backend: Backend) -> Crawled {
        let (store, db) = open(backend).await;
        let source_id = source(&store).await;
        let run = store.start_run(source_id).await.expect("run");
        Crawled {
            db,
            store,
            source_id,
            run,
        }
    }

    /// On a store that has its source (`sim`, the first) already.
    async fn on(store: Store, db: Db) -> Crawled {
        let source_id = store.source("sim").await.expect("source").expect("sim").id;
        let run = store.start_run(source_id).await.expect("run");
        Crawled {
            db,
            store,
            source_id,
            run,
        }
    }

    async fn record(
        &self,
        product: &Product,
        content_hash: &str,
        changes: &[Proposal],
    ) -> store::Recorded {
        self.store
            .record_page(&PageRecord {
                source_id: self.source_id,
                run_id: self.run,
                product,
                content_hash,
                product_json: None,
                changes,
                compared: &[],
                flap_crawls: 3,
                validators: None,
            })
            .await
            .expect("record")
    }
}

async fn an_unchanged_page_adds_no_snapshot_version_and_an_open_change_is_not_recorded_twice(
    backend: Backend,
) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let p = product(1200);
    let hash = p.content_hash();
    let change = [price_change("12.00")];
    let first = c.record(&p, &hash, &change).await;
    assert_eq!(
        (first.version, first.new_version, first.changes),
        (1, true, 1)
    );
    let again = c.record(&p, &hash, &change).await;
    assert_eq!(
        (again.version, again.new_version, again.changes),
        (1, false, 0)
    );
    assert_eq!(
        store.latest_snapshot(&p.url).await.expect("snapshot"),
        Some(p.clone())
    );
    assert_eq!(
        store
            .changes(&ChangeFilter::default())
            .await
            .expect("changes")
            .len(),
        1
    );
    c.remove().await;
}

async fn undelivered_changes_are_claimed_by_exactly_one_delivery(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let p = product(1200);
    let changes = [price_change("12.00"), price_change("13.00")];
    c.record(&p, "h1", &changes).await;
    let delivery = store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .expect("a delivery");
    assert_eq!(delivery.changes().len(), 2);
    assert!(store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .is_none());
    assert_eq!(
        store
            .pending_deliveries(Channel::Email, i64::MAX)
            .await
            .expect("pending")
            .len(),
        1
    );
    store.mark_delivered(delivery.id).await.expect("delivered");
    assert!(store
        .pending_deliveries(Channel::Email, i64::MAX)
        .await
        .expect("pending")
        .is_empty());
    c.remove().await;
}

/// Two crawls and six hours, as `[crawler]` says by default.
const GONE: GoneRule = GoneRule {
    confirmations: 2,
    after_ms: 6 * 3_600_000,
};
const HOUR: i64 = 3_600_000;

async fn a_product_is_gone_only_after_the_configured_confirmations(backend: Backend) {
    let c = Crawled::new(backend).await;
    let (store, source_id, run) = (&c.store, c.source_id, c.run);
    let p = product(1200);
    let t0 = 1_800_000_000_000;
    assert_eq!(
        store
            .observe_gone(&p.url, run, t0, &GONE)
            .await
            .expect("unknown"),
        GoneOutcome::Unknown
    );
    c.record(&p, "h1", &[]).await;
    let counted = |count| GoneOutcome::Counted { count, since: t0 };
    assert_eq!(
        store
            .observe_gone(&p.url, run, t0, &GONE)
            .await
            .expect("first"),
        counted(1)
    );
    assert_eq!(
        store
            .observe_gone(&p.url, run, t0 + 7 * HOUR, &GONE)
            .await
            .expect("same run"),
        counted(1),
        "one crawl run counts once, however long it takes"
    );
    let run2 = store.start_run(source_id).await.expect("run");
    assert_eq!(
        store
            .observe_gone(&p.url, run2, t0 + HOUR, &GONE)
            .await
            .expect("too soon"),
        counted(2),
        "two crawls an hour apart are not six hours"
    );
    let run3 = store.start_run(source_id).await.expect("run");
    assert_eq!(
        store
            .observe_gone(&p.url, run3, t0 + 6 * HOUR, &GONE)
            .await
            .expect("late enough"),
        GoneOutcome::Confirmed
    );
    store.record_gone(run3, &p.url, &[]).await.expect("gone");
    assert_eq!(
        store
            .observe_gone(&p.url, run3, t0 + 7 * HOUR, &GONE)
            .await
            .expect("third"),
        GoneOutcome::AlreadyGone
    );
    assert!(store
        .active_products(source_id)
        .await
        .expect("active")
        .is_empty());
    c.remove().await;
}

async fn a_page_that_answers_again_starts_the_gone_count_afresh(backend: Backend) {
    let c = Crawled::new(backend).await;
    let (store, source_id) = (&c.store, c.source_id);
    let p = product(1200);
    let t0 = 1_800_000_000_000;
    c.record(&p, "h1", &[]).await;
    store
        .observe_gone(&p.url, c.run, t0, &GONE)
        .await
        .expect("404");
    c.record(&p, "h1", &[]).await;
    let run = store.start_run(source_id).await.expect("run");
    assert_eq!(
        store
            .observe_gone(&p.url, run, t0 + 7 * HOUR, &GONE)
            .await
            .expect("404 again"),
        GoneOutcome::Counted {
            count: 1,
            since: t0 + 7 * HOUR
        },
        "the outage before the page answered proves nothing now"
    );
    c.remove().await;
}

async fn listings_round_trip_and_links_need_an_existing_listing(backend: Backend) {
    let (store, db) = open(backend).await;
    let l = listing();
    let err = store
        .link(&l.id, "http://x/p")
        .await
        .expect_err("no listing yet");
    assert!(matches!(err, StoreError::NoListing(_)), "{err}");
    store.upsert_listing(&l).await.expect("save");
    store.upsert_listing(&l).await.expect("save twice");
    assert_eq!(store.listing(&l.id).await.expect("read"), Some(l.clone()));
    assert_eq!(store.listings().await.expect("all"), vec![l.clone()]);
    store.link(&l.id, "http://x/p").await.expect("link");
    let linked = store
        .listings_linked_to("http://x/p")
        .await
        .expect("linked");
    assert_eq!(linked, vec![(l, None)]);
    db.remove(store).await;
}

async fn an_import_of_many_listings_replaces_them_and_links_them_at_once(backend: Backend) {
    let (store, db) = open(backend).await;
    // More listings and variants than one statement writes, on both backends.
    let many = |price: i64| -> Vec<(Listing, Option<String>)> {
        (0..1234)
            .map(|i| {
                let mut l = listing();
                l.id = ListingId::parse(&format!("L{i}")).expect("id");
                l.variants[0].price = Money::new(price, Currency::CNY);
                let url = (i % 2 == 0).then(|| format!("http://x/p/{i}"));
                (l, url)
            })
            .collect()
    };
    store.import_listings(&many(1000)).await.expect("import");
    store
        .import_listings(&many(1200))
        .await
        .expect("import again");
    let stored = store.listings().await.expect("all");
    assert_eq!(stored.len(), 1234);
    assert!(stored
        .iter()
        .all(|l| l.variants.len() == 1 && l.variants[0].price == Money::new(1200, Currency::CNY)));
    let links = store.links().await.expect("links");
    assert_eq!(links.len(), 617);
    assert_eq!(
        links
            .get(&ListingId::parse("L1232").expect("id"))
            .map(String::as_str),
        Some("http://x/p/1232")
    );
    // An import dropped before its commit (a bad listing further on, a kill) stores nothing.
    let mut import = store.begin_import().await.expect("begin");
    let mut other = listing();
    other.id = ListingId::parse("never").expect("id");
    import.write(&[(other.clone(), None)]).await.expect("write");
    drop(import);
    assert_eq!(store.listing(&other.id).await.expect("read"), None);
    db.remove(store).await;
}

#[tokio::test]
async fn a_database_from_a_newer_specsync_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("specsync.db");
    let url = path.to_str().expect("utf-8 path");
    let store = Store::open(url).await.expect("open");
    let l = listing();
    store.upsert_listing(&l).await.expect("save");
    store.close().await;
    // What a future specsync's migration would leave behind.
    {
        let conn = format!("sqlite://{url}");
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&conn).await.expect("raw connect");
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'future', TRUE, x'00', 0)")
            .execute(&pool)
            .await
            .expect("insert future version");
        pool.close().await;
    }
    let err = Store::open(url).await.expect_err("newer schema");
    let msg = err.to_string();
    assert!(
        msg.contains("9999") && msg.contains(url) && msg.contains("upgrade specsync"),
        "{msg}"
    );
    // Nothing was lost: with the future row removed, the data is still there.
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{url}"))
        .await
        .expect("raw connect");
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 9999")
        .execute(&pool)
        .await
        .expect("delete");
    pool.close().await;
    let store = Store::open(url).await.expect("open again");
    assert_eq!(store.listing(&l.id).await.expect("read"), Some(l));
}

async fn what_the_rules_decided_is_kept_with_the_change_and_noise_is_not_recorded(
    backend: Backend,
) {
    let c = Crawled::new(backend).await;
    let p = product(1300);
    let mut applied = price_change("13.00");
    applied.action = Action::Hold;
    applied.update = Some(Update::SetPrice {
        variant: SpecKey::parse("color=red").expect("key"),
        price: "28.99".into(),
        compare_at: None,
        cost: "13.00".into(),
    });
    applied.why = "held: under your floor".into();
    let mut noise = price_change("13.01");
    noise.action = Action::Ignore;
    let recorded = c.record(&p, "h1", &[applied.clone(), noise]).await;
    assert_eq!(recorded.changes, 1, "the ignored one is not recorded");
    let stored = c
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].action, Action::Hold);
    assert_eq!(stored[0].update, applied.update);
    assert_eq!(stored[0].why.as_deref(), Some("held: under your floor"));
    c.remove().await;
}

async fn a_change_that_goes_away_is_resolved_and_one_that_flaps_back_is_not_alerted_again(
    backend: Backend,
) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let l1 = listing();
    store.upsert_listing(&l1).await.expect("listing");
    let p = product(1200);
    let compared = [l1.id.clone()];
    let record = |run: i64, hash: &'static str, changes: Vec<Proposal>, window: i64| {
        let p = &p;
        let compared = &compared;
        async move {
            store
                .record_page(&PageRecord {
                    source_id: c.source_id,
                    run_id: run,
                    product: p,
                    content_hash: hash,
                    product_json: None,
                    changes: &changes,
                    compared,
                    flap_crawls: window,
                    validators: None,
                })
                .await
                .expect("record")
        }
    };
    let mut rise = price_change("12.00");
    rise.change.listing = Some(l1.id.clone());
    record(c.run, "h1", vec![rise.clone()], 3).await;
    let first = store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .expect("alerted");
    store.mark_delivered(first.id).await.expect("delivered");

    // The supplier goes back to what the listing shows: the open change is resolved.
    let run2 = store.start_run(c.source_id).await.expect("run");
    record(run2, "h2", vec![], 3).await;
    let all = ChangeFilter::default();
    assert_eq!(
        store.changes(&all).await.expect("changes")[0].status,
        store::ChangeStatus::Resolved
    );

    // And back again within 3 crawls: recorded, open, but part of the alert already sent.
    let run3 = store.start_run(c.source_id).await.expect("run");
    record(run3, "h3", vec![rise.clone()], 3).await;
    let changes = store.changes(&all).await.expect("changes");
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].status, store::ChangeStatus::Open);
    assert_eq!(changes[1].deliveries[&Channel::Email].id, first.id);
    assert!(changes[1]
        .why
        .as_deref()
        .is_some_and(|w| w.contains("not alerted again")));
    assert!(store
        .claim_undelivered(Channel::Email)
        .await
        .expect("claim")
        .is_none());

    // Gone again, then back after the window: alerted like any new change.
    let run4 = store.start_run(c.source_id).await.expect("run");
    record(run4, "h4", vec![], 1).await;
    for _ in 0..2 {
        store.start_run(c.source_id).await.expect("run");
    }
    let run7 = store.start_run(c.source_id).await.expect("run");
    record(run7, "h7", vec![rise], 1).await;
    assert!(
        store
            .claim_undelivered(Channel::Email)
            .await
            .expect("claim")
            .is_some(),
        "outside the window"
    );
    c.remove().await;
}

async fn one_worker_at_a_time_holds_a_source_and_an_expired_lease_can_be_taken(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    assert!(store
        .acquire_lease(c.source_id, "worker-a", store::now_ms(), 60_000)
        .await
        .expect("a"));
    assert!(
        !store
            .acquire_lease(c.source_id, "worker-b", store::now_ms(), 60_000)
            .await
            .expect("b"),
        "held by a"
    );
    assert!(
        store
            .acquire_lease(c.source_id, "worker-a", store::now_ms(), 60_000)
            .await
            .expect("renew"),
        "a renews"
    );
    store
        .release_lease(c.source_id, "worker-b", store::now_ms())
        .await
        .expect("b cannot release a's lease");
    assert!(!store
        .acquire_lease(c.source_id, "worker-b", store::now_ms(), 60_000)
        .await
        .expect("b"));
    store
        .release_lease(c.source_id, "worker-a", store::now_ms())
        .await
        .expect("release");
    assert!(store
        .acquire_lease(c.source_id, "worker-b", store::now_ms(), -1)
        .await
        .expect("b takes it"));
    // b's lease expired at once (a worker that died): c may take it.
    assert!(store
        .acquire_lease(c.source_id, "worker-c", store::now_ms(), 60_000)
        .await
        .expect("c"));
    c.remove().await;
}

async fn discovery_pages_are_remembered_and_forgotten_when_the_source_settings_change(
    backend: Backend,
) {
    let (store, db) = open(backend).await;
    let id = source(&store).await;
    let page = store::DiscoveryPage {
        kind: "category".into(),
        validators: store::PageValidators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            body_hash: Some("abc".into()),
        },
        links: vec![
            "http://127.0.0.1:1/products/1.html".into(),
            "http://127.0.0.1:1/collections/all?page=2".into(),
        ],
        next_page: Some("http://127.0.0.1:1/collections/all?page=2".into()),
    };
    let url = "http://127.0.0.1:1/collections/all".to_owned();
    store
        .save_discovery_pages(id, &[(url.clone(), page.clone())])
        .await
        .expect("save");
    let mut again = page.clone();
    again.links.pop();
    store
        .save_discovery_pages(id, &[(url.clone(), again.clone())])
        .await
        .expect("save again");
    let known = store.discovery_pages(id).await.expect("read");
    assert_eq!(known.len(), 1);
    assert_eq!(known[&url], again, "the newer reading replaces the older");

    // The same settings again: nothing to forget.
    let current = store.source("sim").await.expect("read").expect("source");
    let same = NewSource {
        name: "sim".into(),
        base_url: current.base_url.clone(),
        settings: current.settings.clone(),
    };
    store.upsert_source(&same).await.expect("upsert");
    assert_eq!(store.discovery_pages(id).await.expect("read").len(), 1);

    // Another product path: what was remembered was filtered by the old one.
    let mut settings = current.settings.clone();
    settings.product_path = Some("/p/".into());
    store
        .upsert_source(&NewSource { settings, ..same })
        .await
        .expect("upsert");
    assert!(store.discovery_pages(id).await.expect("read").is_empty());
    db.remove(store).await;
}

async fn unchanged_pages_are_noted_as_seen_in_one_statement(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    let mut urls = Vec::new();
    for n in 0..600 {
        let mut p = product(1200);
        p.url = format!("http://127.0.0.1:1/products/{n}.html");
        c.record(&p, &p.content_hash(), &[]).await;
        urls.push(p.url);
    }
    // One 404 counted: an answer since then says the page is there after all.
    assert_eq!(
        store
            .observe_gone(&urls[7], c.run, 1, &GONE)
            .await
            .expect("404"),
        GoneOutcome::Counted { count: 1, since: 1 }
    );
    let before = store.product(&urls[7]).await.expect("read").expect("known");
    // More URLs than one statement could bind as parameters on some backends, quotes included.
    let mut seen = urls.clone();
    seen.push("http://127.0.0.1:1/products/it's-\"new\".html".into());
    store.touch_products(&seen).await.expect("touch");
    let after = store.product(&urls[7]).await.expect("read").expect("known");
    assert_eq!((after.gone_count, after.status.as_str()), (0, "active"));
    assert_eq!(
        after.version, before.version,
        "a page seen is not a new version"
    );
    assert_eq!(
        store
            .active_products(c.source_id)
            .await
            .expect("active")
            .len(),
        600
    );
    c.remove().await;
}

async fn the_products_of_a_source_are_read_whole_in_one_statement(backend: Backend) {
    let c = Crawled::new(backend).await;
    let store = &c.store;
    assert!(
        store
            .source_products(c.source_id)
            .await
            .expect("read")
            .is_empty(),
        "a source not crawled yet has no products"
    );
    let urls = [
        "http://127.0.0.1:1/products/1.html".to_owned(),
        "http://127.0.0.1:1/products/红色-it's-\"new\"\\.html?id=1&a=%20".to_owned(),
        "http://127.0.0.1:1/products/3.html".to_owned(),
    ];
    for (n, url) in urls.iter().enumerate() {
        let mut p = product(1200 + i64::try_from(n).expect("small"));
        p.url = url.clone();
        let validators = (n != 2).then(|| store::PageValidators {
            etag: Some(format!("W/\"{n}-\\\"quoted\\\"\"")),
            last_modified: (n == 0).then(|| "Sun, 22 Nov 2026 10:00:00 GMT".to_owned()),
            body_hash: Some(format!("{n:032x}")),
        });
        store
            .record_page(&PageRecord {
                source_id: c.source_id,
                run_id: c.run,
                product: &p,
                content_hash: &p.content_hash(),
                product_json: None,
                changes: &[],
                compared: &[],
                flap_crawls: 3,
                validators,
            })
            .await
            .expect("record");
    }
    assert_eq!(
        store
            .observe_gone(&urls[2], c.run, 1, &GONE)
            .await
            .expect("404"),
        GoneOutcome::Counted { count: 1, since: 1 }
    );
    let read = store.source_products(c.source_id).await.expect("read");
    assert_eq!(read.len(), urls.len());
    for url in &urls {
        let one = store.product(url).await.expect("read").expect("known");
        assert_eq!(read.get(url), Some(&one), "{url}");
    }
    assert_eq!(read[&urls[2]].gone_count, 1);
    assert_eq!(
        read[&urls[0]].validators.etag.as_deref(),
        Some("W/\"0-\\\"quoted\\\"\"")
    );
    c.remove().await;
}
