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

/// A page without its `<link rel="canonical">`, as many shops serve one.
fn without_canonical(page: &str) -> String {
    let start = page
        .find("<link rel=\"canonical\"")
        .expect("a canonical link");
    let end = start + page[start..].find('>').expect("its end") + 1;
    format!("{}{}", &page[..start], &page[end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_product_is_moved_not_a_change() {
    let sim = SupplierSim::start(SimConfig {
        seed: 31,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    let base = sim.base_url();
    // 1 → 2, another product the source has (another SKU, price, stock).
    sim.set_fault("/products/1.html", Fault::RedirectTo(sim.product_url(2)));
    // 3 → a page the source does not know, calling itself nothing, whose SKUs are product 4's.
    let four = without_canonical(&sim.product_html(4).expect("product 4"));
    sim.set_fault("/promo/4.html", Fault::Body(four));
    sim.set_fault(
        "/products/3.html",
        Fault::RedirectTo(format!("{base}/promo/4.html")),
    );
    // 5 → its own page under a new address: the same product, read as itself.
    let five = sim.product_html(5).expect("product 5");
    sim.set_fault("/new/5.html", Fault::Body(five));
    sim.set_fault(
        "/products/5.html",
        Fault::RedirectTo(format!("{base}/new/5.html")),
    );

    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["sources"][0]["moved"], 2, "{crawl}");
    assert_eq!(crawl["changes"], 0, "no change for any of them: {crawl}");
    let example = crawl["sources"][0]["moved_example"]
        .as_str()
        .expect("an example");
    assert!(
        example.contains("/products/1.html redirects to")
            || example.contains("/products/3.html redirects to"),
        "{example}"
    );
    let changes = shop.json(&["changes", "list", "--json"]);
    assert_eq!(changes, serde_json::json!([]), "{changes}");
    let said = shop.ok(&["crawl"]);
    assert!(
        said.contains("2 links now redirect to another product's page"),
        "{said}"
    );
    let dry = shop.json(&[
        "resync",
        "--url",
        &sim.product_url(1),
        "--dry-run",
        "--json",
    ]);
    assert!(
        dry["moved"]
            .as_str()
            .is_some_and(|m| m.contains("another product of the source")),
        "{dry}"
    );

    // The links follow their own pages again: nothing was overwritten by the other products'.
    sim.clear_faults();
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["sources"][0].get("moved"), None, "{crawl}");
    assert_eq!(crawl["changes"], 0, "{crawl}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_data_gone_or_broken_is_not_read_not_removed_content() {
    let sim = SupplierSim::start(SimConfig {
        seed: 31,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.add_source(&sim);
    // Listing 3 shows an old description: that change is open before anything breaks.
    let mut listings = sim.listings_json();
    listings[2]["description"] = "旧的描述".into();
    let file = shop.write("listings.json", &listings.to_string());
    shop.ok(&["listings", "import", file.to_str().expect("utf-8 path")]);
    shop.ok(&["crawl"]);
    let open_before = change_keys(&shop.json(&["changes", "list", "--json"]));
    assert_eq!(
        open_before,
        [(
            "description_changed".to_owned(),
            "/products/3.html".to_owned(),
            None
        )]
    );
    // The same products, their images and descriptions only in the JSON-LD that is now gone
    // (or cut short by a `</script>` in the name); the visible table still shows every variant.
    sim.set_fault("/products/1.html", Fault::NoStructuredData);
    sim.set_fault("/products/2.html", Fault::BrokenStructuredData);
    sim.set_fault("/products/3.html", Fault::NoStructuredData);
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["failed"], serde_json::json!({}), "{crawl}");
    let changes = change_keys(&shop.json(&["changes", "list", "--json"]));
    assert_eq!(
        changes, open_before,
        "nothing the page stopped offering is a change, and the open change was not read \
         again, so it is not resolved either"
    );
    sim.clear_faults();
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["changes"], 0, "{crawl}");
    let changes = change_keys(&shop.json(&["changes", "list", "--json"]));
    assert_eq!(changes, open_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_or_login_wall_at_200_is_blocked_not_sold_out() {
    let sim = SupplierSim::start(SimConfig {
        seed: 31,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    sim.set_fault("/products/1.html", Fault::RegionWall);
    sim.set_fault("/products/2.html", Fault::LoginWall);
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["failed"]["blocked"], 2, "{crawl}");
    assert_eq!(crawl["changes"], 0, "{crawl}");
    let changes = shop.json(&["changes", "list", "--json"]);
    assert_eq!(changes, serde_json::json!([]), "{changes}");
    // `extract` reads as `crawl` does: the wall, named.
    let out = shop.run(&[
        "extract",
        &sim.product_url(1),
        "--json",
        "--allow-private-networks",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("regional wall"), "{said}");
    let out = shop.run(&[
        "extract",
        &sim.product_url(2),
        "--json",
        "--allow-private-networks",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("login wall"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_over_the_cap_leaves_the_host_alone_for_the_run_and_says_so() {
    let sim = SupplierSim::start(SimConfig {
        seed: 31,
        products: 12,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    shop.connect(&sim);
    shop.ok(&["crawl"]);
    let limited = ["/products/3.html", "/products/6.html", "/products/9.html"];
    for path in limited {
        sim.set_fault(
            path,
            Fault::RateLimited {
                retry_after_secs: 3600,
            },
        );
    }
    let before = sim.requests().len();
    let crawl = shop.run(&["crawl", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&crawl.stdout).expect("json");
    let source = &json["sources"][0];
    let paused = source["paused"].as_str().expect("paused");
    assert!(
        paused.contains("left alone for 3600 s (Retry-After)"),
        "{paused}"
    );
    let asked: Vec<String> = sim
        .requests()
        .into_iter()
        .skip(before)
        .map(|(_, p)| p)
        .collect();
    // The first 429 ends it: no page is asked twice, and the other limited pages at most
    // while it was in flight (four pages at a time).
    let limited_asked = asked
        .iter()
        .filter(|p| limited.contains(&p.as_str()))
        .count();
    assert!((1..=3).contains(&limited_asked), "{asked:?}");
    for path in limited {
        assert!(
            asked.iter().filter(|p| *p == path).count() <= 1,
            "{asked:?}"
        );
    }
    assert_eq!(source["changes"], 0, "{json}");
    let said = shop.run(&["crawl"]);
    let text = String::from_utf8_lossy(&said.stdout);
    assert!(text.contains("longer than this crawler waits"), "{text}");
}
