use fixtures::{Fault, SimChangeKind, SimConfig, SupplierSim};

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_dry_run_shows_actions_and_records_nothing_then_resync_records() {
    let sim = SupplierSim::start(SimConfig {
        seed: 9,
        products: 14,
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
        .expect("a variant sells out");
    let id = format!(
        "sim-{}",
        sold_out
            .path
            .trim_start_matches("/products/")
            .trim_end_matches(".html")
    );

    let dry = shop.json(&["resync", "--listing", &id, "--dry-run", "--json"]);
    let changes = dry[0]["changes"].as_array().expect("changes");
    let oos = changes
        .iter()
        .find(|c| c["kind"] == "out_of_stock")
        .unwrap_or_else(|| panic!("{dry}"));
    assert_eq!(oos["variant"].as_str(), sold_out.variant.as_deref());
    assert_eq!(
        oos["action"], "alert",
        "stock changes are alerts by default: {oos}"
    );
    assert!(
        oos["why"].as_str().is_some_and(|w| w.contains("sold out")),
        "{oos}"
    );
    assert_eq!(
        shop.json(&["changes", "list", "--json"]),
        serde_json::json!([]),
        "a dry run records nothing"
    );

    let done = shop.json(&["resync", "--listing", &id, "--json"]);
    assert_eq!(
        done["sources"][0]["pages"], 1,
        "only that listing's page: {done}"
    );
    let recorded = shop.json(&["changes", "list", "--json"]);
    let kinds: Vec<&str> = recorded
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"out_of_stock"), "{recorded}");
    assert!(recorded
        .as_array()
        .expect("array")
        .iter()
        .all(|c| c["product_url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&sold_out.path))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_of_a_failing_page_is_never_a_change_and_apply_needs_a_platform() {
    let sim = SupplierSim::start(SimConfig {
        seed: 9,
        products: 6,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    sim.set_fault("/products/2.html", Fault::Status(500));
    let out = shop.ok(&["resync", "--url", &sim.product_url(2), "--dry-run"]);
    assert!(out.contains("a failed fetch is never a change"), "{out}");

    let apply = shop.run(&["resync", "--listing", "sim-1", "--apply"]);
    assert_eq!(apply.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&apply.stderr).contains("platform"));
    let nothing = shop.run(&["resync", "--dry-run"]);
    assert_eq!(
        nothing.status.code(),
        Some(2),
        "resync needs to be told what"
    );
    let unknown = shop.run(&["resync", "--url", "https://elsewhere.example/p/1.html"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no source crawls"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_says_what_the_run_would_do_with_a_404_and_with_an_unlinked_page() {
    let sim = fixtures::SupplierSim::start(fixtures::SimConfig {
        seed: 9,
        products: 6,
    })
    .await
    .expect("sim");
    let shop = crate::helpers::Shop::new();
    shop.add_source(&sim);
    let one = r#"[{"id": "tee-1", "title": "T", "currency": "CNY", "variants": [{"price": "1", "stock": 1}]}]"#;
    let file = shop.write("listings.json", one);
    shop.ok(&["listings", "import", crate::helpers::path_str(&file)]);
    shop.ok(&["crawl"]);
    let unlinked = shop.ok(&["resync", "--url", &sim.product_url(2), "--dry-run"]);
    assert!(
        unlinked.contains("no listing is linked to") && !unlinked.contains("matches its listings"),
        "{unlinked}"
    );
    sim.set_fault("/products/3.html", fixtures::Fault::Status(404));
    let gone = shop.ok(&["resync", "--url", &sim.product_url(3), "--dry-run"]);
    assert!(
        gone.contains("the run would count it towards gone (1 of 2 answers so far"),
        "{gone}"
    );
    assert!(!gone.contains("a failed fetch is never a change"), "{gone}");
}
