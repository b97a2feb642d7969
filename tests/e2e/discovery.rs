use fixtures::{Fault, SimConfig, SupplierSim};

use crate::helpers::Shop;

const FAST: [&str; 5] = [
    "--rate",
    "200/s",
    "--burst",
    "10",
    "--allow-private-networks",
];

/// A supplier of 23 products whose only catalogue is its paginated category (no sitemap), and a
/// shop with it as a source.
async fn category_only_supplier() -> (SupplierSim, Shop) {
    let sim = SupplierSim::start(SimConfig {
        seed: 12,
        products: 23,
    })
    .await
    .expect("sim");
    sim.set_robots(Some("User-agent: *\nDisallow: /cart\n"));
    sim.set_fault("/sitemap.xml", Fault::Status(404));
    let shop = Shop::new();
    let url = sim.base_url();
    let mut args = vec![
        "source",
        "add",
        "sim",
        "--url",
        &url,
        "--category",
        "/collections/all",
        "--product-path",
        "/products/",
    ];
    args.extend(FAST);
    shop.ok(&args);
    (sim, shop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_without_a_sitemap_is_discovered_through_its_paginated_category() {
    let (sim, shop) = category_only_supplier().await;
    let url = sim.base_url();
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(
        crawl["products"], 23,
        "three category pages of 10, 10 and 3: {crawl}"
    );
    let pages: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/collections/"))
        .map(|(_, p)| p)
        .collect();
    assert_eq!(pages.len(), 3, "each category page once: {pages:?}");

    // Without the category, there is nothing to discover: reported, not a change.
    let other = Shop::new();
    let mut args = vec!["source", "add", "sim", "--url", &url];
    args.extend(FAST);
    other.ok(&args);
    let crawl = other.failed_json(&["crawl", "--json"]);
    assert_eq!(crawl["products"], 0);
    assert!(
        crawl["sources"][0]["discovery_error"]
            .as_str()
            .is_some_and(|e| e.contains("404")),
        "{crawl}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sitemap_index_naming_a_gzipped_sitemap_is_followed() {
    let sim = SupplierSim::start(SimConfig {
        seed: 12,
        products: 9,
    })
    .await
    .expect("sim");
    sim.set_gzip_sitemaps(true);
    let shop = Shop::new();
    // No listings: the sitemap is the only way to find the products.
    shop.add_source(&sim);
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["products"], 9, "{crawl}");
    let paths: Vec<String> = sim.requests().into_iter().map(|(_, p)| p).collect();
    assert!(
        paths.contains(&"/sitemap_index.xml".to_owned())
            && paths.contains(&"/sitemap-products.xml.gz".to_owned()),
        "{paths:?}"
    );
    assert!(
        !paths.contains(&"/sitemap.xml".to_owned()),
        "robots.txt named the index"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suppliers_own_tracking_parameter_is_dropped_from_links_too() {
    let sim = SupplierSim::start(SimConfig {
        seed: 12,
        products: 3,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let url = sim.base_url();
    shop.ok(&[
        "source",
        "add",
        "sim",
        "--url",
        &url,
        "--rate",
        "200/s",
        "--allow-private-networks",
        "--tracking-param",
        "aff",
    ]);
    let file = shop.write("listings.json", &sim.listings_json().to_string());
    shop.ok(&["listings", "import", crate::helpers::path_str(&file)]);
    let tracked = format!("{}?aff=merchant42&utm_source=mail", sim.product_url(1));
    shop.ok(&["link", "sim-1", &tracked]);
    let listings = shop.json(&["listings", "list", "--json"]);
    let linked = listings
        .as_array()
        .expect("array")
        .iter()
        .find(|l| l["id"] == "sim-1")
        .expect("sim-1");
    assert_eq!(linked["supplier_url"], sim.product_url(1), "{linked}");
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(
        (crawl["pages"].clone(), crawl["changes"].clone()),
        (3.into(), 0.into()),
        "one URL per product: {crawl}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_category_pages_give_their_remembered_links_and_a_changed_one_is_read_again() {
    let (sim, shop) = category_only_supplier().await;
    let source = |crawl: &serde_json::Value| crawl["sources"][0].clone();
    let first = shop.json(&["crawl", "--json"]);
    assert_eq!(first["products"], 23, "{first}");
    assert_eq!(
        (
            source(&first)["discovery_pages"].clone(),
            source(&first)["discovery_unchanged"].clone()
        ),
        (3.into(), 0.into()),
        "three category pages, all read (the sitemap answers 404): {first}"
    );

    // Nothing changed: every category page answers as before (the simulator sends no ETag,
    // so the same body), and its remembered links are used.
    let second = shop.json(&["crawl", "--json"]);
    assert_eq!(second["products"], 23, "{second}");
    assert_eq!(source(&second)["discovery_unchanged"], 3, "{second}");

    // A new product joins the catalogue: the category page that lists it changed and is read
    // again, and the product is found.
    let changes = sim.set_epoch(1);
    let new: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == fixtures::SimChangeKind::NewProduct)
        .collect();
    assert!(!new.is_empty(), "epoch 1 adds a product: {changes:?}");
    let third = shop.json(&["crawl", "--json"]);
    assert!(
        source(&third)["discovery_unchanged"].as_u64() < Some(3),
        "{third}"
    );
    assert_eq!(third["new_styles"], new.len(), "{third}");
}
