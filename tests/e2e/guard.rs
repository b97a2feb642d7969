//! What a source may reach and how: the SSRF guard, per-source headers, cookies and proxy, and
//! the concurrency caps shared by sources on one host and over all of them.

use std::time::Duration;

use fixtures::{Fault, SimConfig, SupplierSim};

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_cookies_and_the_proxy_of_a_source_reach_its_supplier() {
    let proxy = SupplierSim::start(SimConfig {
        seed: 41,
        products: 3,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    // The supplier's name does not resolve here: only the proxy (the simulator) can reach it,
    // so a product coming back shows the request went through the proxy.
    shop.ok(&[
        "source",
        "add",
        "far",
        "--url",
        "http://supplier.invalid/",
        "--proxy",
        &proxy.base_url(),
        "--header",
        "Accept-Language: zh-CN",
        "--cookie",
        "session=abc123",
        "--cookie",
        "region=cn",
    ]);
    let out = shop.json(&[
        "resync",
        "--url",
        "http://supplier.invalid/products/1.html",
        "--dry-run",
        "--json",
    ]);
    assert!(
        !out.to_string().contains("error"),
        "fetched through the proxy: {out}"
    );
    let headers = proxy
        .request_headers("/products/1.html")
        .expect("the proxy was asked for the page");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("host").as_deref(), Some("supplier.invalid"));
    assert_eq!(header("accept-language").as_deref(), Some("zh-CN"));
    assert_eq!(
        header("cookie").as_deref(),
        Some("region=cn; session=abc123")
    );
}

#[test]
fn malformed_headers_cookies_and_proxies_are_refused_by_name() {
    let shop = Shop::new();
    for (flag, value, expect) in [
        ("--header", "no colon here", "--header `no colon here`"),
        ("--cookie", "=x", "--cookie `=x`"),
    ] {
        let out = shop.run(&[
            "source",
            "add",
            "s",
            "--url",
            "https://supplier.example/",
            flag,
            value,
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{err}");
    }
    // Refused when it is added, not at its first crawl.
    let out = shop.run(&[
        "source",
        "add",
        "p",
        "--url",
        "https://supplier.example/",
        "--proxy",
        "not a proxy url",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("source `p`") && err.contains("proxy"), "{err}");
}

#[test]
fn a_private_source_needs_allow_private_networks() {
    let shop = Shop::new();
    for url in [
        "http://127.0.0.1:9/",
        "http://169.254.169.254/",
        "http://localhost:8080/",
        "http://[::1]/",
    ] {
        let out = shop.run(&["source", "add", "local", "--url", url]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-private-networks"));
    }
}

/// Two sources at one host crawled at once: the simulator never answers more requests at once
/// than the stricter cap allows. (The global cap over hosts is tested in the crawler crate.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_on_one_host_share_its_concurrency_cap() {
    let sim = SupplierSim::start(SimConfig {
        seed: 42,
        products: 16,
    })
    .await
    .expect("sim");
    for id in 1..=16 {
        sim.set_fault(
            &format!("/products/{id}.html"),
            Fault::Slow(Duration::from_millis(150)),
        );
    }
    let shop = Shop::new();
    let url = sim.base_url();
    // The same host under two names: one with 2 at once, one with 6.
    for (name, concurrency) in [("narrow", "2"), ("wide", "6")] {
        shop.ok(&[
            "source",
            "add",
            name,
            "--url",
            &url,
            "--rate",
            "500/s",
            "--burst",
            "20",
            "--concurrency",
            concurrency,
            "--allow-private-networks",
        ]);
    }
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["products"], 32, "{crawl}");
    assert!(
        sim.max_in_flight() <= 2,
        "at most 2 at once at the host, saw {}",
        sim.max_in_flight()
    );
    assert!(sim.max_in_flight() >= 2, "the sources did run concurrently");
}
