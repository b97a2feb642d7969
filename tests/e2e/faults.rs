//! Every way a supplier page can fail: the crawl completes, the failure has its class, and no
//! change is recorded for the page (DESIGN.md invariant 1).

use std::time::Duration;

use fixtures::{Fault, SimChangeKind, SimConfig, SupplierSim};

use crate::helpers::{change_keys, Shop};

/// A shop crawling a simulator whose changed page (a price change at epoch 1) misbehaves.
/// Returns the crawl's JSON and the changes recorded for that page.
async fn crawl_with_fault(
    fault: Fault,
) -> (
    serde_json::Value,
    Vec<(String, String, Option<String>)>,
    String,
) {
    let sim = SupplierSim::start(SimConfig {
        seed: 31,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    // Quick to give up, so the slow page fails fast.
    let config = std::fs::read_to_string(shop.config()).expect("config");
    let config = config
        .replacen("timeout = \"30s\"", "timeout = \"1s\"", 1)
        .replacen("retries = 2", "retries = 1", 1);
    std::fs::write(shop.config(), config).expect("write config");
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    let truth = sim.set_epoch(1);
    let page = truth
        .iter()
        .find(|c| c.kind == SimChangeKind::PriceChanged)
        .expect("a price change")
        .path
        .clone();
    sim.set_fault(&page, fault);
    let crawl = shop.json(&["crawl", "--json"]);
    let recorded = change_keys(&shop.json(&["changes", "list", "--json"]));
    let for_page = recorded
        .into_iter()
        .filter(|(_, p, _)| *p == page)
        .collect();
    (crawl, for_page, page)
}

async fn fails_as(fault: Fault, class: &str) {
    let (crawl, for_page, page) = crawl_with_fault(fault.clone()).await;
    assert_eq!(crawl["failed"][class], 1, "{fault:?} on {page}: {crawl}");
    assert!(
        for_page.is_empty(),
        "{fault:?}: no change for a failed page: {for_page:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_is_rate_limited_not_a_change() {
    fails_as(
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        "rate_limited",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_slower_than_the_timeout_is_transient_not_a_change() {
    fails_as(Fault::Slow(Duration::from_secs(3)), "transient").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_before_the_headers_is_transient_not_a_change() {
    fails_as(Fault::ResetBeforeHeaders, "transient").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_the_metadata_address_is_refused_not_followed() {
    let (crawl, for_page, page) = crawl_with_fault(Fault::RedirectToMetadata).await;
    assert_eq!(crawl["failed"]["permanent"], 1, "{page}: {crawl}");
    assert!(for_page.is_empty(), "{for_page:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_cut_off_halfway_is_transient_not_a_change() {
    fails_as(Fault::Truncated, "transient").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_is_permanent_not_a_change() {
    fails_as(Fault::RedirectLoop, "permanent").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_page_is_too_large_not_a_change() {
    fails_as(Fault::Huge { megabytes: 50 }, "too_large").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captcha_page_is_blocked_not_a_change() {
    fails_as(Fault::Captcha, "blocked").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gbk_page_reads_like_the_utf8_one() {
    let (crawl, for_page, page) = crawl_with_fault(Fault::Gbk).await;
    assert!(
        crawl["failed"].as_object().is_some_and(|f| f.is_empty()),
        "{crawl}"
    );
    let kinds: Vec<&str> = for_page.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["price_changed"],
        "{page}: its real change, and nothing from mis-decoded text"
    );
}
