use std::time::Duration;

use fixtures::{SimConfig, SupplierSim};

use crate::helpers::Shop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_disallow_and_crawl_delay_are_obeyed_unless_the_source_ignores_them() {
    let sim = SupplierSim::start(SimConfig {
        seed: 2,
        products: 6,
    })
    .await
    .expect("sim");
    let sitemap = format!("Sitemap: {}/sitemap.xml", sim.base_url());
    sim.set_robots(Some(&format!(
        "User-agent: *\nDisallow: /products/2.html\nCrawl-delay: 0.2\n\nUser-agent: otherbot\nDisallow: /\n\n{sitemap}\n"
    )));
    let shop = Shop::new();
    shop.connect(&sim);
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["sources"][0]["disallowed"], 1, "{crawl}");
    assert_eq!(crawl["products"], 5, "{crawl}");
    // Said in the crawl's own words too, with each page's outcome in the info log.
    let out = shop.run_with_env(&["crawl"], &[("SPECSYNC_LOG", "info")]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("1 page not fetched: robots.txt disallows them"),
        "{said}"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("/products/1.html") && (log.contains("not modified") || log.contains("read")),
        "{log}"
    );
    let product_requests: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/products/"))
        .collect();
    assert!(
        product_requests
            .iter()
            .all(|(_, p)| p != "/products/2.html"),
        "a disallowed page is never fetched"
    );
    // Five pages at one every 0.2 s take at least 0.8 s from the first to the last.
    let first = product_requests.first().expect("requests").0;
    let last = product_requests.last().expect("requests").0;
    assert!(
        last.duration_since(first) >= Duration::from_millis(750),
        "{:?}",
        last.duration_since(first)
    );

    // The merchant's own supplier may allow the crawl: `--robots ignore`.
    let other = Shop::new();
    other.ok(&[
        "source",
        "add",
        "sim",
        "--url",
        &sim.base_url(),
        "--rate",
        "200/s",
        "--burst",
        "10",
        "--allow-private-networks",
        "--robots",
        "ignore",
    ]);
    let crawl = other.json(&["crawl", "--json"]);
    assert_eq!(
        (
            crawl["sources"][0]["disallowed"].clone(),
            crawl["products"].clone()
        ),
        (0.into(), 6.into()),
        "{crawl}"
    );
    let bad = other.run(&[
        "source",
        "add",
        "x",
        "--url",
        &sim.base_url(),
        "--allow-private-networks",
        "--robots",
        "sometimes",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("'sometimes'") && err.contains("--robots") && err.contains("obey"),
        "{err}"
    );
}
