//! The engine in-process, without the binary: a whole crawl against the supplier simulator on
//! loopback, on a SQLite file in a temporary folder.

use std::collections::BTreeSet;
use std::path::Path;

use std::sync::Arc;
use std::time::Duration;

use engine::{App, Clock, Config, ManualClock};
use fixtures::{SimConfig, SupplierSim};
use store::{ChangeFilter, NewSource, SourceSettings};

const SOURCE: &str = "sim";

async fn app(dir: &Path) -> App {
    let path = dir.join(engine::config::FILE_NAME);
    let config = Config::parse(&path, engine::config::EXAMPLE, std::iter::empty()).expect("config");
    App::open(config).await.expect("app")
}

/// An app whose clock is set by the test: 2027-01-15 08:00 UTC, moved on by hand.
async fn app_with_clock(dir: &Path) -> (App, Arc<ManualClock>) {
    let mut app = app(dir).await;
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    app.clock = clock.clone();
    (app, clock)
}

const HOURS_7: Duration = Duration::from_secs(7 * 3600);

fn settings(rate: &str) -> SourceSettings {
    SourceSettings {
        rate: rate.into(),
        currency: Some("CNY".into()),
        // The simulator is on loopback.
        allow_private_networks: true,
        ..SourceSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_crawl_runs_in_process_and_its_alert_is_delivered_once() {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 8,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, clock) = app_with_clock(dir.path()).await;
    app.add_source(SOURCE, &sim.base_url(), settings("100/s"))
        .await
        .expect("source");
    let listings = dir.path().join("listings.json");
    std::fs::write(&listings, sim.listings_json().to_string()).expect("listings");
    let imported = app.import_listings(&listings).await.expect("import");
    assert_eq!(imported.listings, imported.linked);

    let baseline = app.crawl_sources(&[]).await.expect("crawl 1");
    assert_eq!((baseline[0].pages, baseline[0].changes), (8, 0));
    assert!(
        app.deliver(engine::Due::Now)
            .await
            .expect("deliver")
            .sent
            .is_empty(),
        "nothing to say yet"
    );

    let truth = sim.set_epoch(1);
    for _ in 0..2 {
        // The second crawl, seven hours later, confirms removed products gone.
        app.crawl_sources(&[SOURCE.to_owned()])
            .await
            .expect("crawl");
        clock.advance(HOURS_7);
    }
    let recorded = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    let found: BTreeSet<_> = recorded
        .iter()
        .map(|c| {
            let path = url::Url::parse(&c.change.product_url)
                .expect("url")
                .path()
                .to_owned();
            (
                c.change.kind.as_str(),
                path,
                c.change.variant.as_ref().map(ToString::to_string),
            )
        })
        .collect();
    let expected: BTreeSet<_> = truth.iter().map(|c| c.expected()).collect();
    assert_eq!(found, expected);

    let sent = app.deliver(engine::Due::Now).await.expect("deliver").sent;
    assert_eq!(sent.len(), 1, "one alert with every change: {sent:?}");
    let email = std::fs::read_to_string(sent[0].path.as_ref().expect("an .eml file")).expect("eml");
    assert!(email.contains("multipart/alternative"), "{email}");
    assert!(
        app.deliver(engine::Due::Now)
            .await
            .expect("again")
            .sent
            .is_empty(),
        "delivered once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sources_rate_edited_between_two_crawls_in_one_process_is_obeyed_by_the_second() {
    let sim = SupplierSim::start(SimConfig {
        seed: 8,
        products: 3,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(dir.path()).await;
    app.add_source(SOURCE, &sim.base_url(), settings("100/s"))
        .await
        .expect("source");
    app.crawl_sources(&[]).await.expect("crawl 1");
    let host = "127.0.0.1";
    let interval = |app: &App| app.fetcher.host_limits(host).expect("known host").interval;
    assert_eq!(interval(&app), std::time::Duration::from_millis(10));

    // Slower, as an edited `[sources.sim]` or a new `source add` would store it.
    let edit = |rate: &str| NewSource {
        name: SOURCE.into(),
        base_url: sim.base_url(),
        settings: settings(rate),
    };
    app.store.upsert_source(&edit("4/s")).await.expect("edit");
    let before = sim.requests().len();
    app.crawl_sources(&[]).await.expect("crawl 2");
    let second: Vec<_> = sim.requests()[before..].iter().map(|(at, _)| *at).collect();
    assert!(
        second.len() >= 4,
        "the sitemap and three products: {second:?}"
    );
    for pair in second.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(
            gap >= std::time::Duration::from_millis(200),
            "requests {gap:?} apart at 4/s"
        );
    }
    assert_eq!(interval(&app), std::time::Duration::from_millis(250));

    // Faster again: the host follows (its limits no longer only ever tighten).
    app.store.upsert_source(&edit("50/s")).await.expect("edit");
    app.crawl_sources(&[]).await.expect("crawl 3");
    assert_eq!(interval(&app), std::time::Duration::from_millis(20));
}

#[tokio::test]
async fn a_bad_source_setting_is_refused_before_anything_is_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(dir.path()).await;
    let err = app
        .add_source(
            "acme",
            "https://supplier.example",
            settings("99999999999999/s"),
        )
        .await
        .expect_err("huge rate");
    assert!(err.is_invalid_input(), "{err}");
    assert!(
        err.to_string()
            .contains("source `acme`: rate `99999999999999/s`"),
        "{err}"
    );
    assert!(app.store.sources().await.expect("sources").is_empty());
}

/// A page whose prices show no currency, on a source that sets none and a host that names no
/// country: its prices are not read (no price change, never a guessed currency), the rest of it
/// is, and the run reports it as a health problem of the source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_any_currency_is_a_health_problem_and_no_change() {
    let sim = SupplierSim::start(SimConfig {
        seed: 11,
        products: 3,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(dir.path()).await;
    let no_currency = SourceSettings {
        currency: None,
        ..settings("100/s")
    };
    app.add_source(SOURCE, &sim.base_url(), no_currency)
        .await
        .expect("source");
    let listings = dir.path().join("listings.json");
    std::fs::write(&listings, sim.listings_json().to_string()).expect("listings");
    app.import_listings(&listings).await.expect("import");
    let bare = url::Url::parse(&sim.product_url(1)).expect("url");
    sim.set_fault(bare.path(), fixtures::Fault::NoCurrency);

    let summary = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(summary[0].products, 3, "every page is read");
    assert_eq!(summary[0].currency_unknown, 1);
    let example = summary[0]
        .currency_unknown_example
        .as_deref()
        .unwrap_or_default();
    assert!(
        example.contains(bare.as_str()) && example.contains("--currency"),
        "{example}"
    );
    // The same page again: still no change (it is not read again while its body is the same).
    let again = app.crawl_sources(&[]).await.expect("crawl 2");
    assert_eq!(again[0].changes, 0);
    let changes = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    let on_bare: Vec<_> = changes
        .iter()
        .filter(|c| c.change.product_url == bare.as_str())
        .map(|c| c.change.kind.as_str())
        .collect();
    assert!(
        on_bare.is_empty(),
        "no change for the page without a currency: {on_bare:?}"
    );
}

/// The sim's products, their listings imported and linked, crawled once (the baseline).
async fn linked_and_crawled(sim: &SupplierSim, app: &App, dir: &Path) {
    app.add_source(SOURCE, &sim.base_url(), settings("100/s"))
        .await
        .expect("source");
    let listings = dir.join("listings.json");
    std::fs::write(&listings, sim.listings_json().to_string()).expect("listings");
    app.import_listings(&listings).await.expect("import");
    let baseline = app.crawl_sources(&[]).await.expect("baseline");
    assert_eq!(baseline[0].changes, 0, "{baseline:?}");
}

fn kinds_on(changes: &[store::StoredChange], url: &str) -> Vec<(&'static str, &'static str)> {
    changes
        .iter()
        .filter(|c| c.change.product_url == url)
        .map(|c| (c.change.kind.as_str(), c.status.as_str()))
        .collect()
}

/// A page that 404s for a moment across two back-to-back crawls is not gone; one that still
/// 404s seven hours later is; when it answers again the merchant is told it is back and the
/// gone change is resolved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_is_gone_only_after_404s_spread_over_time_and_its_return_is_told() {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 8,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, clock) = app_with_clock(dir.path()).await;
    linked_and_crawled(&sim, &app, dir.path()).await;
    let url = sim.product_url(1);
    let path = url::Url::parse(&url).expect("url").path().to_owned();

    sim.set_fault(&path, fixtures::Fault::Status(404));
    for crawl in 0..2 {
        let run = app.crawl_sources(&[]).await.expect("crawl");
        assert_eq!(
            (
                run[0].failed.get("gone"),
                run[0].gone_pending,
                run[0].changes
            ),
            (Some(&1), 1, 0),
            "crawl {crawl}: {run:?}"
        );
        assert!(!run[0].reached_nothing && run[0].gone_withheld.is_none());
        clock.advance(Duration::from_secs(1));
    }
    let changes = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    assert!(kinds_on(&changes, &url).is_empty(), "{changes:?}");

    clock.advance(HOURS_7);
    let confirming = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(confirming[0].changes, 1, "{confirming:?}");
    let changes = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    assert_eq!(kinds_on(&changes, &url), [("product_gone", "open")]);

    sim.clear_faults();
    let back = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(back[0].back, 1, "{back:?}");
    let changes = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    assert_eq!(
        kinds_on(&changes, &url),
        [("product_gone", "resolved"), ("product_back", "open")]
    );
    let product = app.store.product(&url).await.expect("read").expect("known");
    assert_eq!((product.status.as_str(), product.gone_count), ("active", 0));
}

/// Every product page answering 404 at once is the site failing: over two crawls seven hours
/// apart no product is gone, and the merchant gets one health alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_wide_404_is_one_health_alert_and_no_product_gone() {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 8,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, clock) = app_with_clock(dir.path()).await;
    linked_and_crawled(&sim, &app, dir.path()).await;
    for id in 1..=8 {
        let url = url::Url::parse(&sim.product_url(id)).expect("url");
        sim.set_fault(url.path(), fixtures::Fault::Status(404));
    }
    let mut health = 0;
    for crawl in 0..2 {
        let run = app.crawl_sources(&[]).await.expect("crawl");
        let withheld = run[0].gone_withheld.as_deref().unwrap_or_default();
        assert!(
            withheld.contains("8 of the 8 known pages"),
            "crawl {crawl}: {run:?}"
        );
        assert!(run[0].reached_nothing, "a failed crawl: {run:?}");
        assert_eq!((run[0].gone_pending, run[0].changes), (0, 0), "{run:?}");
        health += app
            .deliver(engine::Due::Now)
            .await
            .expect("deliver")
            .sent
            .iter()
            .filter(|a| a.health)
            .count();
        clock.advance(HOURS_7);
    }
    assert_eq!(health, 1, "one health alert for the incident");
    let changes = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    assert!(
        changes
            .iter()
            .all(|c| c.change.kind != diff::ChangeKind::ProductGone),
        "{changes:?}"
    );
    let source = app
        .store
        .source(SOURCE)
        .await
        .expect("read")
        .expect("source");
    for product in app.store.active_products(source.id).await.expect("active") {
        assert_eq!(product.gone_count, 0, "not even counted: {product:?}");
    }
}

/// JSON-LD in stock and the page saying 缺货: no stock change either way (never a false in-stock,
/// never a false sold-out), and the run reports the conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_and_visible_stock_disagreeing_is_no_change_and_reported() {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 4,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(dir.path()).await;
    linked_and_crawled(&sim, &app, dir.path()).await;
    let url = sim.product_url(2);
    let path = url::Url::parse(&url).expect("url").path().to_owned();
    sim.set_fault(&path, fixtures::Fault::VisibleSoldOut);
    let run = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(run[0].stock_conflicts, 1, "{run:?}");
    let example = run[0].stock_conflict_example.as_deref().unwrap_or_default();
    assert!(
        example.contains(&url) && example.contains("缺货"),
        "{example}"
    );
    let changes = app
        .store
        .changes(&ChangeFilter::default())
        .await
        .expect("changes");
    assert!(
        kinds_on(&changes, &url).is_empty(),
        "no change: {changes:?}"
    );
    let stored = app
        .store
        .latest_snapshot(&url)
        .await
        .expect("read")
        .expect("snapshot");
    assert!(
        stored
            .variants
            .iter()
            .all(|v| v.stock.status == catalog::Availability::Unknown),
        "{stored:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_workers_lease_frees_the_source_a_minute_later_by_the_apps_clock() {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 4,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, clock) = app_with_clock(dir.path()).await;
    app.add_source(SOURCE, &sim.base_url(), settings("100/s"))
        .await
        .expect("source");
    let source = app
        .store
        .source(SOURCE)
        .await
        .expect("read")
        .expect("source");
    // A worker took the lease and died (kill -9): it never renews it nor gives it back.
    let now = clock.now_ms();
    assert!(app
        .store
        .acquire_lease(source.id, "a dead worker", now, 60_000)
        .await
        .expect("lease"));
    let skipped = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(skipped[0].skipped_until, Some(now + 60_000));
    assert!(
        skipped[0]
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains("a dead worker")),
        "{:?}",
        skipped[0].skipped
    );
    clock.advance(Duration::from_secs(59));
    assert!(app.crawl_sources(&[]).await.expect("crawl")[0]
        .skipped
        .is_some());
    clock.advance(Duration::from_secs(2));
    let crawled = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!((crawled[0].skipped.as_deref(), crawled[0].pages), (None, 4));
    // Given back at its end: the next crawl runs too.
    let again = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(again[0].skipped, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_asked_before_a_crawl_records_nothing_and_gives_the_source_back() {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 4,
    })
    .await
    .expect("sim");
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, _clock) = app_with_clock(dir.path()).await;
    app.add_source(SOURCE, &sim.base_url(), settings("100/s"))
        .await
        .expect("source");
    app.stop.request(15);
    let stopped = app.crawl_sources(&[]).await.expect("crawl");
    assert_eq!(stopped[0].stopped_by, Some(15));
    assert_eq!(stopped[0].products, 0);
    let source = app
        .store
        .source(SOURCE)
        .await
        .expect("read")
        .expect("source");
    assert_eq!(
        source.crawls, 0,
        "an interrupted crawl is no completed crawl"
    );
    assert_eq!(
        app.store.lease_holder(source.id).await.expect("lease"),
        None
    );
}
