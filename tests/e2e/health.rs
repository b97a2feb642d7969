use fixtures::{Fault, SimConfig, SupplierSim};

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_unreachable_for_three_crawls_gets_one_health_alert_and_one_when_it_is_back() {
    let sim = SupplierSim::start(SimConfig {
        seed: 5,
        products: 4,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    let port = url::Url::parse(&sim.base_url())
        .expect("url")
        .port()
        .expect("port");
    drop(sim);
    let mut alerts = Vec::new();
    for _ in 0..4 {
        // A crawl that reaches nothing fails, and says what it did.
        let crawl = shop.failed_json(&["crawl", "--json"]);
        assert_eq!(crawl["changes"], 0, "{crawl}");
        assert_eq!(crawl["sources"][0]["reached_nothing"], true, "{crawl}");
        let queued = crawl["sources"][0]["health_alert"] == true;
        let sent: Vec<String> = crawl["sent"]
            .as_array()
            .expect("sent")
            .iter()
            .filter(|a| a["health"] == true)
            .filter_map(|a| a["path"].as_str().map(str::to_owned))
            .collect();
        alerts.push((queued, sent));
    }
    let none = (false, Vec::new());
    assert!(alerts[0] == none && alerts[1] == none, "{alerts:?}");
    let (queued, sent) = &alerts[2];
    assert!(
        *queued && sent.len() == 1,
        "an alert at the third crawl in a row: {alerts:?}"
    );
    let path = &sent[0];
    assert_eq!(alerts[3], none, "once, not on every crawl after");
    let email = std::fs::read_to_string(path).expect("eml");
    assert!(email.contains("[supplier unreachable]"), "{email}");
    assert!(
        email.contains("on its last 3 crawls"),
        "the body says how long: {email}"
    );

    // The supplier is back: said once, at the first crawl that reaches it.
    let _sim = SupplierSim::start_on(
        SimConfig {
            seed: 5,
            products: 4,
        },
        port,
    )
    .await
    .expect("sim again");
    let health_sent = |crawl: &serde_json::Value| -> Vec<String> {
        crawl["sent"]
            .as_array()
            .expect("sent")
            .iter()
            .filter(|a| a["health"] == true)
            .filter_map(|a| a["path"].as_str().map(str::to_owned))
            .collect()
    };
    let back = shop.json(&["crawl", "--json"]);
    let sent = health_sent(&back);
    assert_eq!(sent.len(), 1, "{back}");
    let email = std::fs::read_to_string(&sent[0]).expect("eml");
    assert!(email.contains("[supplier reachable again]"), "{email}");
    assert!(
        health_sent(&shop.json(&["crawl", "--json"])).is_empty(),
        "once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_failing_page_after_page_is_left_alone_for_the_rest_of_the_run() {
    let sim = SupplierSim::start(SimConfig {
        seed: 5,
        products: 30,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.config())
        .expect("config")
        .replacen("retries = 2", "retries = 0", 1);
    std::fs::write(shop.config(), config).expect("config");
    shop.connect(&sim);
    for id in 1..=30 {
        sim.set_fault(&format!("/products/{id}.html"), Fault::Status(503));
    }
    let crawl = shop.failed_json(&["crawl", "--json"]);
    let paused = crawl["sources"][0]["paused"].as_str().expect("paused");
    assert!(paused.contains("10 pages failed in a row"), "{paused}");
    let fetched = sim
        .requests()
        .iter()
        .filter(|(_, p)| p.starts_with("/products/"))
        .count();
    assert!(
        fetched < 30,
        "the rest of the host was not fetched: {fetched}"
    );
    assert_eq!(crawl["changes"], 0);
}
