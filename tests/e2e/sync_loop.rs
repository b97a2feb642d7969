use std::collections::BTreeSet;

use fixtures::{Fault, SimChangeKind, SimConfig, SupplierSim};

use crate::helpers::{change_keys, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_changes_equal_what_the_simulator_changed_at_epoch_1() {
    the_whole_loop_finds_what_the_simulator_changed(&Shop::new()).await;
}

/// The same loop with the data on a real PostgreSQL server (several workers share one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs SPECSYNC_TEST_POSTGRES")]
async fn the_whole_loop_on_postgresql_finds_what_the_simulator_changed() {
    let db = fixtures::postgres::PgDatabase::create().await;
    let shop = Shop::new();
    shop.use_database(&db.url);
    let last = the_whole_loop_finds_what_the_simulator_changed(&shop).await;
    // Every product the last crawl saw is in the database, as the CLI exports it.
    let exported = shop.ok(&["export"]);
    assert_eq!(
        Some(exported.lines().count() as u64),
        last["products"].as_u64(),
        "{last}"
    );
    db.drop_database().await;
}

/// Crawl, let the simulator change, crawl twice more: every change it made is recorded once,
/// in one alert per crawl that found changes. Returns the last crawl's summary.
async fn the_whole_loop_finds_what_the_simulator_changed(shop: &Shop) -> serde_json::Value {
    let sim = SupplierSim::start(SimConfig {
        seed: 7,
        products: 24,
    })
    .await
    .expect("sim");
    shop.connect(&sim);
    shop.confirm_gone_at_once();
    // Linking by hand gives the same link the import made.
    shop.ok(&["link", "sim-1", &sim.product_url(1)]);

    let baseline = shop.json(&["crawl", "--json"]);
    assert_eq!(baseline["products"], 24, "{baseline}");
    assert_eq!(
        baseline["changes"], 0,
        "listings equal to epoch 0 differ from nothing: {baseline}"
    );
    assert!(shop.eml_files().is_empty());

    let truth = sim.set_epoch(1);
    let second = shop.json(&["crawl", "--json"]);
    assert_eq!(second["failed"]["gone"], 1, "{second}");
    let confirming = shop.json(&["crawl", "--json"]);
    assert_eq!(
        confirming["unchanged"], confirming["products"],
        "nothing changed between: {confirming}"
    );

    let expected: BTreeSet<_> = truth
        .iter()
        .map(|c| {
            let (kind, path, variant) = c.expected();
            (kind.to_owned(), path, variant)
        })
        .collect();
    let recorded = change_keys(&shop.json(&["changes", "list", "--json"]));
    let found: BTreeSet<_> = recorded.iter().cloned().collect();
    assert_eq!(
        found.len(),
        recorded.len(),
        "a change was recorded twice: {recorded:#?}"
    );
    assert_eq!(
        found,
        expected,
        "missed: {:#?}\nextra: {:#?}",
        expected.difference(&found),
        found.difference(&expected)
    );

    // Every change went into exactly one alert email.
    let emails: Vec<String> = shop
        .eml_files()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("eml"))
        .collect();
    assert_eq!(emails.len(), 2, "one per crawl run that found changes");
    assert!(emails
        .iter()
        .all(|e| e.contains("Content-Type: multipart/alternative")));
    let changes = shop.json(&["changes", "list", "--json"]);
    let undelivered = changes
        .as_array()
        .expect("array")
        .iter()
        .filter(|c| c["deliveries"]["email"]["status"] != "delivered")
        .count();
    assert_eq!(undelivered, 0, "{changes}");

    // The listings were not updated, so `diff` still shows the differences, and records nothing.
    let diff = shop.json(&["diff", "--json", "sim-1"]);
    assert_eq!(diff[0]["crawled"], true);
    let before = shop.json(&["changes", "list", "--json", "--status", "all"]);
    assert_eq!(before.as_array().map(Vec::len), Some(recorded.len()));
    confirming
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_page_failing_with_500_records_no_change_for_its_listing() {
    let sim = SupplierSim::start(SimConfig {
        seed: 11,
        products: 20,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    let truth = sim.set_epoch(1);
    let changed = truth
        .iter()
        .find(|c| c.kind == SimChangeKind::PriceChanged)
        .expect("a price change");
    sim.set_fault(&changed.path, Fault::Status(500));

    // However often the page fails, nothing is recorded for it: not a change, not "gone".
    for _ in 0..3 {
        let crawl = shop.json(&["crawl", "--json"]);
        assert_eq!(crawl["failed"]["transient"], 1, "{crawl}");
    }
    let recorded = change_keys(&shop.json(&["changes", "list", "--json"]));
    assert!(
        recorded.iter().all(|(_, path, _)| path != &changed.path),
        "{recorded:#?}"
    );
    assert!(
        recorded.iter().any(|(kind, _, _)| kind == "title_changed"),
        "other pages still sync: {recorded:#?}"
    );

    // Once the page answers again, its change is found.
    sim.clear_faults();
    shop.ok(&["crawl"]);
    let recorded = change_keys(&shop.json(&["changes", "list", "--json"]));
    let want = (
        "price_changed".to_owned(),
        changed.path.clone(),
        changed.variant.clone(),
    );
    assert!(recorded.contains(&want), "{recorded:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_supplier_counts_against_its_health_and_changes_nothing() {
    let sim = SupplierSim::start(SimConfig {
        seed: 3,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    sim.set_epoch(1);
    drop(sim);
    let crawl = shop.failed_json(&["crawl", "--json"]);
    assert_eq!(crawl["products"], 0, "{crawl}");
    assert_eq!(crawl["changes"], 0, "{crawl}");
    let sources = shop.json(&["source", "list", "--json"]);
    assert_eq!(sources[0]["consecutive_failures"], 1, "{sources}");
    assert_eq!(
        shop.json(&["changes", "list", "--json"]),
        serde_json::json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captcha_and_slider_pages_are_blocked_failures_never_changes() {
    let sim = SupplierSim::start(SimConfig {
        seed: 11,
        products: 20,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    let truth = sim.set_epoch(1);
    let sold_out = truth
        .iter()
        .find(|c| c.kind == SimChangeKind::OutOfStock)
        .expect("a sell-out");
    let gone_variant = truth
        .iter()
        .find(|c| c.kind == SimChangeKind::VariantRemoved)
        .expect("a removal");
    sim.set_fault(&sold_out.path, Fault::Captcha);
    sim.set_fault(&gone_variant.path, Fault::Slider);
    for _ in 0..2 {
        let crawl = shop.json(&["crawl", "--json"]);
        assert_eq!(crawl["failed"]["blocked"], 2, "{crawl}");
    }
    let recorded = change_keys(&shop.json(&["changes", "list", "--json"]));
    for blocked in [&sold_out.path, &gone_variant.path] {
        assert!(
            recorded.iter().all(|(_, path, _)| path != blocked),
            "{blocked}: {recorded:#?}"
        );
    }
    sim.clear_faults();
    shop.ok(&["crawl"]);
    let recorded = change_keys(&shop.json(&["changes", "list", "--json"]));
    assert!(
        recorded
            .iter()
            .any(|(k, p, _)| k == "out_of_stock" && p == &sold_out.path),
        "{recorded:#?}"
    );
    assert!(
        recorded
            .iter()
            .any(|(k, p, _)| k == "variant_removed" && p == &gone_variant.path),
        "{recorded:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gone_product_settles_its_older_changes_and_a_new_style_that_goes() {
    let sim = fixtures::SupplierSim::start(fixtures::SimConfig {
        seed: 21,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = crate::helpers::Shop::new();
    shop.connect(&sim);
    shop.confirm_gone_at_once();
    shop.ok(&["crawl"]);
    let truth = sim.set_epoch(1);
    shop.ok(&["crawl"]);
    let path_of = |kind: fixtures::SimChangeKind| {
        truth
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| c.path.clone())
            .expect("the epoch has one")
    };
    let repriced = path_of(fixtures::SimChangeKind::PriceChanged);
    let new_style = path_of(fixtures::SimChangeKind::NewProduct);
    let open_on = |path: &str| -> Vec<String> {
        crate::helpers::change_keys(&shop.json(&["changes", "list", "--json"]))
            .into_iter()
            .filter(|(_, p, _)| p == path)
            .map(|(kind, _, _)| kind)
            .collect()
    };
    assert!(open_on(&repriced).contains(&"price_changed".to_owned()));
    assert_eq!(open_on(&new_style), ["new_style"]);
    for path in [&repriced, &new_style] {
        sim.set_fault(path, fixtures::Fault::Status(404));
    }
    shop.ok(&["crawl"]);
    shop.ok(&["crawl"]);
    let mut left = open_on(&repriced);
    left.dedup();
    assert_eq!(
        left,
        ["product_gone"],
        "its price change is settled by its going"
    );
    assert!(
        open_on(&new_style).iter().all(|k| k == "product_gone"),
        "the new style is not left open: {:?}",
        open_on(&new_style)
    );
}
