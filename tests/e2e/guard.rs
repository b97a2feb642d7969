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
        "http://[::127.0.0.1]:8080/",
        "http://[::ffff:7f00:1]/",
        "http://2130706433/",
        "http://0x7f.1/",
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

/// Two sites on one address, each on its own port and each allowed on loopback for its own
/// source: a redirect from one to the other (in any writing of the address) or to the cloud
/// metadata address is refused and never reaches it, and each source crawls only its own pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_networks_are_allowed_for_a_sources_own_origin_only() {
    let a = SupplierSim::start(SimConfig {
        seed: 43,
        products: 4,
    })
    .await
    .expect("sim a");
    let b = SupplierSim::start(SimConfig {
        seed: 44,
        products: 6,
    })
    .await
    .expect("sim b");
    let shop = Shop::new();
    for (name, sim) in [("a", &a), ("b", &b)] {
        shop.ok(&[
            "source",
            "add",
            name,
            "--url",
            &sim.base_url(),
            "--rate",
            "200/s",
            "--allow-private-networks",
        ]);
    }
    // The merchant's listings are linked to b's pages, on the same address as a's.
    let listings = shop.write(
        "listings.json",
        &serde_json::to_string(&b.listings_json()).expect("json"),
    );
    shop.ok(&["listings", "import", listings.to_str().expect("utf-8 path")]);
    let b_port = b.addr().port();
    let targets = [
        b.product_url(1),
        format!("http://2130706433:{b_port}/products/2.html"),
        format!("http://[::ffff:127.0.0.1]:{b_port}/products/3.html"),
        format!("http://localhost:{b_port}/products/4.html"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ];
    for (i, target) in targets.iter().enumerate() {
        let path = format!("/products/{}.html", i % 4 + 1);
        a.set_fault(&path, Fault::RedirectTo(target.clone()));
        let out = shop.run(&[
            "resync",
            "--url",
            &format!("{}{path}", a.base_url()),
            "--dry-run",
            "--json",
        ]);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("redirected to"), "{target}: {said}");
        assert!(
            [
                "private address",
                "another source",
                "not the host of any configured source"
            ]
            .iter()
            .any(|why| said.contains(why)),
            "{target}: {said}"
        );
    }
    assert!(
        b.requests().is_empty(),
        "no redirect from a reached b: {:?}",
        b.requests()
    );
    a.clear_faults();
    // Twice: the second crawl also has the stored products of both sources to go by.
    for _ in 0..2 {
        let crawl = shop.json(&["crawl", "--json"]);
        let sources = crawl["sources"].as_array().expect("sources");
        for (name, pages) in [("a", 4), ("b", 6)] {
            let summary = sources
                .iter()
                .find(|s| s["source"] == name)
                .expect("a summary");
            assert_eq!(summary["pages"], pages, "{name}: {crawl}");
            assert_eq!(summary["failed"], serde_json::json!({}), "{name}: {crawl}");
        }
    }
}

/// A redirect from a source that has a proxy to another source's host goes through the proxy
/// too (never around it), and without the source's cookies; a public site redirecting to a site allowed on loopback for
/// another source is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_from_a_proxied_source_stays_on_its_proxy() {
    let proxy = SupplierSim::start(SimConfig {
        seed: 45,
        products: 3,
    })
    .await
    .expect("proxy");
    let local = SupplierSim::start(SimConfig {
        seed: 46,
        products: 3,
    })
    .await
    .expect("local");
    let shop = Shop::new();
    shop.ok(&[
        "source",
        "add",
        "far",
        "--url",
        "http://supplier.invalid/",
        "--proxy",
        &proxy.base_url(),
        "--cookie",
        "session=abc123",
    ]);
    shop.ok(&[
        "source",
        "add",
        "local",
        "--url",
        &local.base_url(),
        "--allow-private-networks",
    ]);
    // Fetched directly when it is crawled; its name does not resolve here.
    shop.ok(&[
        "source",
        "add",
        "near",
        "--url",
        "http://elsewhere.invalid/",
    ]);
    proxy.set_fault(
        "/products/1.html",
        Fault::RedirectTo("http://elsewhere.invalid/products/2.html".to_owned()),
    );
    let out = shop.json(&[
        "resync",
        "--url",
        "http://supplier.invalid/products/1.html",
        "--dry-run",
        "--json",
    ]);
    assert!(!out.to_string().contains("error"), "{out}");
    let headers = proxy
        .request_headers("/products/2.html")
        .expect("the redirect went through the proxy");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("host").as_deref(), Some("elsewhere.invalid"));
    assert_eq!(header("cookie"), None, "the source's cookies stay with it");

    proxy.set_fault("/products/3.html", Fault::RedirectTo(local.product_url(1)));
    let out = shop.run(&[
        "resync",
        "--url",
        "http://supplier.invalid/products/3.html",
        "--dry-run",
        "--json",
    ]);
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("another source"), "{said}");
    assert!(local.requests().is_empty(), "{:?}", local.requests());
}
