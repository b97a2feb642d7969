//! The crawler against the supplier simulator on loopback.

use std::num::NonZeroU32;

use catalog::Availability;
use crawler::{discover, fetch_product, FailureClass, Fetcher, FetcherConfig, PageOutcome, Rate};
use fixtures::{Fault, SimConfig, SupplierSim};
use futures::StreamExt;
use url::Url;

fn fast_fetcher() -> Fetcher {
    Fetcher::new(FetcherConfig {
        rate: Rate::per_second(1000).expect("rate"),
        burst: NonZeroU32::new(50).expect("burst"),
        retries: 1,
        backoff: std::time::Duration::from_millis(10),
        // The simulator is on loopback.
        allow_private_networks: true,
        ..FetcherConfig::default()
    })
    .expect("fetcher")
}

#[tokio::test]
async fn every_product_of_the_sitemap_is_extracted_as_the_simulator_serves_it() {
    let sim = SupplierSim::start(SimConfig {
        seed: 5,
        products: 12,
    })
    .await
    .expect("sim");
    let fetcher = fast_fetcher();
    let base = Url::parse(&sim.base_url()).expect("base");
    let urls = discover::sitemap_urls(&fetcher, &base, None, &mut discover::Memo::default())
        .await
        .expect("sitemap");
    let catalogue = sim.catalogue();
    assert_eq!(urls.len(), catalogue.products.len());
    for sim_product in catalogue.products.values() {
        let url = Url::parse(&sim.product_url(sim_product.id)).expect("url");
        let PageOutcome::Product { product, .. } =
            fetch_product(&fetcher, &url, &Default::default(), &Default::default()).await
        else {
            panic!("{url} gave no product");
        };
        assert_eq!(product.title, sim_product.title);
        assert_eq!(product.variants.len(), sim_product.variants.len(), "{url}");
        for v in &sim_product.variants {
            let got = product
                .variant(&v.key())
                .unwrap_or_else(|| panic!("{url}: no variant {}", v.key()));
            assert_eq!(got.sku.as_deref(), Some(v.sku.as_str()));
            assert_eq!(
                got.price.map(|m| m.minor),
                Some(v.price),
                "{url} {}",
                v.key()
            );
            assert_eq!(
                got.price.map(|m| m.currency.to_string()).as_deref(),
                Some("CNY")
            );
            let want_status = if v.stock > 0 {
                Availability::InStock
            } else {
                Availability::OutOfStock
            };
            assert_eq!(got.stock.status, want_status, "{url} {}", v.key());
            assert_eq!(
                got.stock.quantity,
                (v.stock > 0).then_some(v.stock),
                "{url} {}",
                v.key()
            );
            assert_eq!(got.spec.get("color"), Some(&v.color));
        }
    }
}

#[tokio::test]
async fn failures_are_classified_and_never_a_product() {
    let sim = SupplierSim::start(SimConfig {
        seed: 5,
        products: 3,
    })
    .await
    .expect("sim");
    sim.set_fault("/products/1.html", Fault::Status(500));
    sim.set_fault("/products/2.html", Fault::Status(403));
    let fetcher = fast_fetcher();
    let outcome = |id: u32| {
        let url = Url::parse(&sim.product_url(id)).expect("url");
        let fetcher = &fetcher;
        async move { fetch_product(fetcher, &url, &Default::default(), &Default::default()).await }
    };
    let class = |o: PageOutcome| match o {
        PageOutcome::Failed(f) => Some(f.class()),
        PageOutcome::Product { .. } | PageOutcome::Unchanged => None,
    };
    assert_eq!(class(outcome(1).await), Some(FailureClass::Transient));
    assert_eq!(class(outcome(2).await), Some(FailureClass::Blocked));
    assert_eq!(class(outcome(99).await), Some(FailureClass::Gone));
    assert_eq!(class(outcome(3).await), None);
    // The 500 was retried once before giving up.
    let hits = sim
        .requests()
        .iter()
        .filter(|(_, p)| p == "/products/1.html")
        .count();
    assert_eq!(hits, 2);
}

#[tokio::test]
async fn a_429_slows_the_whole_host_not_just_the_page() {
    let sim = SupplierSim::start(SimConfig {
        seed: 5,
        products: 8,
    })
    .await
    .expect("sim");
    sim.set_fault(
        "/products/1.html",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    );
    let fetcher = Fetcher::new(FetcherConfig {
        rate: Rate::per_second(20).expect("rate"),
        burst: NonZeroU32::MIN,
        retries: 0,
        // The simulator is on loopback.
        allow_private_networks: true,
        ..FetcherConfig::default()
    })
    .expect("fetcher");
    let fetcher = &fetcher;
    let urls: Vec<Url> = (1..=8)
        .map(|id| Url::parse(&sim.product_url(id)).expect("url"))
        .collect();
    // Four at a time, the rate-limited page first.
    let outcomes: Vec<_> = futures::stream::iter(urls)
        .map(|url| async move {
            fetch_product(fetcher, &url, &Default::default(), &Default::default()).await
        })
        .buffered(4)
        .collect()
        .await;
    assert!(
        matches!(&outcomes[0], PageOutcome::Failed(f) if f.class() == FailureClass::RateLimited)
    );
    let requests = sim.requests();
    let limited = requests
        .iter()
        .position(|(_, p)| p == "/products/1.html")
        .expect("the 429");
    let t429 = requests[limited].0;
    // Requests already on their way may still arrive; none sent after the 429 comes within the second.
    let soon = requests[limited + 1..]
        .iter()
        .filter(|(t, _)| t.duration_since(t429) < std::time::Duration::from_millis(900))
        .count();
    assert!(soon <= 1, "{soon} requests within the Retry-After");
}

/// The global cap holds over hosts: the simulator, reached as 127.0.0.1 and as localhost, never
/// answers more requests at once than the cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_cap_holds_over_different_hosts() {
    let sim = SupplierSim::start(SimConfig {
        seed: 43,
        products: 6,
    })
    .await
    .expect("sim");
    for id in 1..=6 {
        sim.set_fault(
            &format!("/products/{id}.html"),
            Fault::Slow(std::time::Duration::from_millis(150)),
        );
    }
    let fetcher = Fetcher::new(FetcherConfig {
        rate: Rate::per_second(1000).expect("rate"),
        burst: NonZeroU32::new(50).expect("burst"),
        host_concurrency: 8,
        max_concurrency: 3,
        allow_private_networks: true,
        ..FetcherConfig::default()
    })
    .expect("fetcher");
    let port = Url::parse(&sim.base_url())
        .expect("url")
        .port()
        .expect("port");
    let urls: Vec<Url> = ["127.0.0.1", "localhost"]
        .iter()
        .flat_map(|host| {
            (1..=6).map(move |id| {
                Url::parse(&format!("http://{host}:{port}/products/{id}.html")).expect("url")
            })
        })
        .collect();
    let fetched = futures::future::join_all(urls.iter().map(|u| fetcher.fetch(u))).await;
    assert!(fetched.iter().all(Result::is_ok), "{fetched:?}");
    assert!(
        (2..=3).contains(&sim.max_in_flight()),
        "the cap is 3, saw {}",
        sim.max_in_flight()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_configured_hosts_are_fetched_and_private_ones_only_when_allowed() {
    let sim = SupplierSim::start(SimConfig {
        seed: 44,
        products: 2,
    })
    .await
    .expect("sim");
    let fetcher = Fetcher::new(FetcherConfig {
        only_known_hosts: true,
        ..FetcherConfig::default()
    })
    .expect("fetcher");
    let url = Url::parse(&sim.product_url(1)).expect("url");
    let refused = fetcher.fetch(&url).await.expect_err("unknown host");
    assert!(
        refused
            .to_string()
            .contains("not the host of any configured source"),
        "{refused}"
    );
    let settings = |allow_private_networks| crawler::fetch::HostSettings {
        rate: Rate::per_second(100).expect("rate"),
        burst: NonZeroU32::MIN,
        concurrency: 2,
        allow_private_networks,
        headers: Vec::new(),
        cookies: Vec::new(),
        proxy: None,
    };
    fetcher
        .configure_host(&url, "sim", &settings(false))
        .expect("configure");
    let refused = fetcher.fetch(&url).await.expect_err("private");
    assert!(refused.to_string().contains("private"), "{refused}");
    fetcher
        .configure_host(&url, "sim", &settings(true))
        .expect("configure");
    assert!(fetcher.fetch(&url).await.is_ok());
    assert_eq!(
        sim.requests().len(),
        1,
        "the refused ones never reached the site"
    );
}

/// A Shopify product page without product JSON: the `.js` endpoint of its handle gives the
/// variants, fetched through the same fetcher.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_page_is_completed_by_its_products_js() {
    use axum::routing::get;
    let page = r#"<html><head><link rel="stylesheet" href="https://cdn.shopify.com/s/files/theme.css">
        <meta property="og:title" content="Enamel Mug"><meta property="product:price:amount" content="12.50">
        <meta property="product:price:currency" content="USD"></head><body><h1>Enamel Mug</h1></body></html>"#;
    let js = r#"{"title":"Enamel Mug","vendor":"Camp","options":[{"name":"Color","position":1,"values":["White","Blue"]}],
        "variants":[{"id":1,"sku":"MUG-W","price":1250,"available":true,"option1":"White"},
                    {"id":2,"sku":"MUG-B","price":1350,"available":false,"option1":"Blue"}]}"#;
    let app = axum::Router::new()
        .route(
            "/products/enamel-mug",
            get(move || async move { axum::response::Html(page) }),
        )
        .route("/products/enamel-mug.js", get(move || async move { js }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let fetcher = fast_fetcher();
    let url = Url::parse(&format!("http://{addr}/products/enamel-mug")).expect("url");
    let outcome = fetch_product(&fetcher, &url, &Default::default(), &Default::default()).await;
    let PageOutcome::Product { product, .. } = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(product.variants.len(), 2, "{product:?}");
    let blue = product
        .variants
        .iter()
        .find(|v| v.sku.as_deref() == Some("MUG-B"))
        .expect("blue");
    assert_eq!(blue.spec.get("color").map(String::as_str), Some("Blue"));
    assert_eq!(
        blue.price.map(|p| p.to_string()).as_deref(),
        Some("13.50 USD")
    );
    assert_eq!(blue.stock.status, Availability::OutOfStock);
}

/// A site on loopback that answers in every content encoding, redirects, and compresses a
/// page that is far larger than it looks.
async fn encoding_site() -> String {
    use axum::http::header;
    use axum::response::IntoResponse;
    use std::io::Write;
    let page = "<html><body><h1>纯棉T恤</h1><p>颜色 红色</p></body></html>".repeat(50);
    let gzip = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).expect("gzip");
        gz.finish().expect("gzip")
    };
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(page.as_bytes()).expect("zlib");
    let deflate = zlib.finish().expect("zlib");
    let mut br = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        writer.write_all(page.as_bytes()).expect("br");
    }
    let gzipped = gzip(page.as_bytes());
    // 20 MB of zeros, compressed to about 20 KB: over the 10 MB cap once decompressed.
    let bomb = gzip(&vec![b'0'; 20 * 1024 * 1024]);
    let encoded = |encoding: &'static str, body: Vec<u8>| {
        move || async move {
            (
                [
                    (header::CONTENT_ENCODING, encoding),
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                ],
                body,
            )
                .into_response()
        }
    };
    let app = axum::Router::new()
        .route("/gzip", axum::routing::get(encoded("gzip", gzipped)))
        .route("/deflate", axum::routing::get(encoded("deflate", deflate)))
        .route("/br", axum::routing::get(encoded("br", br)))
        .route("/bomb", axum::routing::get(encoded("gzip", bomb)))
        .route(
            "/moved",
            axum::routing::get(|| async { axum::response::Redirect::permanent("/hop") }),
        )
        .route(
            "/hop",
            axum::routing::get(|| async { axum::response::Redirect::temporary("/br") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn compressed_answers_are_read_within_the_cap_and_redirects_give_the_final_url() {
    let base = encoding_site().await;
    let fetcher = fast_fetcher();
    let page = "<html><body><h1>纯棉T恤</h1><p>颜色 红色</p></body></html>".repeat(50);
    for encoding in ["gzip", "deflate", "br"] {
        let url = Url::parse(&format!("{base}/{encoding}")).expect("url");
        let fetched = fetcher.fetch(&url).await.expect(encoding);
        assert_eq!(fetched.body, page, "{encoding}");
    }
    let moved = Url::parse(&format!("{base}/moved")).expect("url");
    let fetched = fetcher.fetch(&moved).await.expect("redirected");
    assert_eq!(fetched.url.as_str(), format!("{base}/br"), "two hops");
    assert_eq!(fetched.body, page);
    let bomb = Url::parse(&format!("{base}/bomb")).expect("url");
    let refused = fetcher.fetch(&bomb).await.expect_err("too large");
    assert_eq!(refused.class(), FailureClass::TooLarge, "{refused}");
}

/// Waits until the simulator has been asked for `path` (the request is on its way).
async fn asked_for(sim: &SupplierSim, path: &str) {
    for _ in 0..2000 {
        if sim.requests().iter().any(|(_, p)| p == path) {
            return;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    panic!("{path} was never asked for");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_that_answers_after_10s_on_one_host_does_not_delay_another_hosts_first_request(
) {
    let slow = SupplierSim::start(SimConfig {
        seed: 45,
        products: 1,
    })
    .await
    .expect("sim");
    slow.set_fault(
        "/robots.txt",
        Fault::Slow(std::time::Duration::from_secs(10)),
    );
    let quick = SupplierSim::start(SimConfig {
        seed: 46,
        products: 1,
    })
    .await
    .expect("sim");
    let fetcher = std::sync::Arc::new(fast_fetcher());
    let slow_base = Url::parse(&slow.base_url()).expect("url");
    let waiting = tokio::spawn({
        let fetcher = std::sync::Arc::clone(&fetcher);
        async move { fetcher.robots_rules(&slow_base).await }
    });
    asked_for(&slow, "/robots.txt").await;
    let quick_base = Url::parse(&quick.base_url().replace("127.0.0.1", "localhost")).expect("url");
    fetcher.robots_rules(&quick_base).await;
    let page = quick_base.join("/products/1.html").expect("url");
    fetcher
        .fetch(&page)
        .await
        .expect("the other host's first page");
    assert!(
        !waiting.is_finished(),
        "the slow host's robots.txt is still on its way"
    );
    waiting.abort();
}

// On one thread, so that yielding once runs the waiting request up to where it waits.
#[tokio::test]
async fn a_request_waiting_for_its_hosts_turn_holds_no_global_slot() {
    let sim = SupplierSim::start(SimConfig {
        seed: 47,
        products: 2,
    })
    .await
    .expect("sim");
    let fetcher = std::sync::Arc::new(
        Fetcher::new(FetcherConfig {
            max_concurrency: 1,
            allow_private_networks: true,
            ..FetcherConfig::default()
        })
        .expect("fetcher"),
    );
    // 127.0.0.1 allows one request a minute; localhost (the same simulator) is quick.
    let slow = crawler::fetch::HostSettings {
        rate: "1/m".parse().expect("rate"),
        burst: NonZeroU32::MIN,
        concurrency: 4,
        allow_private_networks: true,
        headers: Vec::new(),
        cookies: Vec::new(),
        proxy: None,
    };
    fetcher
        .configure_host(&Url::parse(&sim.base_url()).expect("base"), "slow", &slow)
        .expect("slow host");
    let slow_page = |id: u32| Url::parse(&format!("{}/products/{id}.html", sim.base_url()));
    fetcher
        .fetch(&slow_page(1).expect("url"))
        .await
        .expect("the slow host's first request goes at once");
    let waiting = tokio::spawn({
        let fetcher = std::sync::Arc::clone(&fetcher);
        let url = slow_page(2).expect("url");
        async move { fetcher.fetch(&url).await }
    });
    tokio::task::yield_now().await;
    let quick = Url::parse(
        &format!("{}/products/1.html", sim.base_url()).replace("127.0.0.1", "localhost"),
    )
    .expect("url");
    fetcher
        .fetch(&quick)
        .await
        .expect("the quick host is not held up by the one global slot");
    assert!(
        !waiting.is_finished(),
        "the slow host's turn is a minute away"
    );
    waiting.abort();
}
