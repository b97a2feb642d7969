//! The engine in-process, without the binary: a whole crawl against the supplier simulator on
//! loopback, on a SQLite file in a temporary folder.

use std::collections::BTreeSet;
use std::path::Path;

use engine::{App, Config};
use fixtures::{SimConfig, SupplierSim};
use store::{ChangeFilter, NewSource, SourceSettings};

const SOURCE: &str = "sim";

async fn app(dir: &Path) -> App {
    let path = dir.join(engine::config::FILE_NAME);
    let config = Config::parse(&path, engine::config::EXAMPLE, std::iter::empty()).expect("config");
    App::open(config).await.expect("app")
}

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
    let app = app(dir.path()).await;
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
        // The second crawl confirms removed products gone.
        app.crawl_sources(&[SOURCE.to_owned()])
            .await
            .expect("crawl");
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
