//! `specsync extract` on saved pages and on the simulator, `specsync export`, and suppliers
//! declared in the config file.

use fixtures::{SimConfig, SupplierSim};

use crate::helpers::{path_str, Shop};

const PAGE: &str = r#"<html><head><title>Shop</title>
<script type="application/ld+json">{"@type":"Product","name":"纯棉T恤","sku":"SP1",
 "offers":[{"sku":"A1","price":"12.50","priceCurrency":"CNY","availability":"https://schema.org/InStock"},
           {"sku":"A2","price":"13.00","priceCurrency":"CNY","availability":"https://schema.org/OutOfStock"},]}</script>
<meta property="product:price:amount" content="11.00"></head><body>
<table class="variant-table"><thead><tr><th>SKU</th><th>颜色</th><th>库存</th></tr></thead>
<tbody><tr><td>A1</td><td>红色</td><td>22</td></tr><tr><td>A2</td><td>蓝色</td><td>缺货</td></tr></tbody></table></body></html>"#;

#[test]
fn a_saved_page_is_read_as_json_with_where_each_value_came_from() {
    let shop = Shop::new();
    let page = shop.write("page.html", PAGE);
    let out = shop.json(&[
        "extract",
        path_str(&page),
        "--base-url",
        "https://supplier.example/p/1",
        "--json",
        "--explain",
    ]);
    let product = &out["product"];
    assert_eq!(product["title"], "纯棉T恤");
    assert_eq!(product["currency"], "CNY");
    assert_eq!(product["options"][0]["label"], "颜色");
    assert_eq!(product["variants"][0]["spec"]["color"], "红色");
    assert_eq!(product["variants"][0]["stock"]["quantity"], 22);
    assert_eq!(product["variants"][1]["stock"]["status"], "out_of_stock");
    let provenance = out["provenance"].to_string();
    assert!(provenance.contains("table.variant-table"), "{provenance}");
    assert!(provenance.contains("json-ld"), "{provenance}");

    // Without --json: a table people read.
    let table = shop.ok(&[
        "extract",
        path_str(&page),
        "--base-url",
        "https://supplier.example/p/1",
    ]);
    assert!(
        table.contains("纯棉T恤") && table.contains("color=红色"),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_fetched_and_read_by_url() {
    let sim = SupplierSim::start(SimConfig {
        seed: 51,
        products: 3,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let url = sim.product_url(2);
    let refused = shop.run(&["extract", &url]);
    assert_ne!(refused.status.code(), Some(0), "loopback needs the flag");
    let out = shop.json(&["extract", &url, "--json", "--allow-private-networks"]);
    assert!(
        out["variants"].as_array().is_some_and(|v| !v.is_empty()),
        "{out}"
    );
}

#[test]
fn bad_extract_input_is_named() {
    let shop = Shop::new();
    let out = shop.run(&[
        "extract",
        "/no/such/page.html",
        "--base-url",
        "https://s.example/",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/page.html"));

    let page = shop.write("page.html", PAGE);
    let bad_rules = shop.write("rules.toml", "price = \"td[\"\n");
    let stale_rules = shop.write("missing.toml", "title = \"h1.gone\"\n");
    let empty = shop.write("empty.html", "<html><body>nothing here</body></html>");
    let cases: [(&std::path::Path, Option<&std::path::Path>, &[&str]); 3] = [
        // A selector that is no CSS: a usage error naming the file and the key.
        (&page, Some(&bad_rules), &["rules.toml", "`price`"]),
        // A selector that matches nothing: an extraction failure naming it.
        (&page, Some(&stale_rules), &["h1.gone", "matched nothing"]),
        (&empty, None, &["no product found"]),
    ];
    for (file, rules, expected) in cases {
        let mut args = vec![
            "extract",
            path_str(file),
            "--base-url",
            "https://s.example/e",
        ];
        if let Some(rules) = rules {
            args.extend(["--rules", path_str(rules)]);
        }
        let out = shop.run(&args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(expected.iter().all(|e| err.contains(e)), "{args:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_in_the_config_file_is_crawled_and_exported() {
    let sim = SupplierSim::start(SimConfig {
        seed: 52,
        products: 5,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.config()).expect("config");
    std::fs::write(
        shop.config(),
        format!(
            "{config}\n[sources.filed]\nurl = \"{}\"\nrate = \"200/s\"\nburst = 10\nallow_private_networks = true\n",
            sim.base_url()
        ),
    )
    .expect("write config");
    let sources = shop.json(&["source", "list", "--json"]);
    assert_eq!(sources[0]["name"], "filed", "{sources}");
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["products"], 5, "{crawl}");
    let export = shop.ok(&["export", "--source", "filed"]);
    let lines: Vec<serde_json::Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(lines
        .iter()
        .all(|p| p["variants"].as_array().is_some_and(|v| !v.is_empty())));
    let out = shop.run(&["export", "--source", "nobody"]);
    assert_eq!(out.status.code(), Some(2));

    // A bad key in a declared source is named, with the file.
    let config = std::fs::read_to_string(shop.config()).expect("config");
    std::fs::write(
        shop.config(),
        config.replace("burst = 10", "burst = 10\nspeed = 3"),
    )
    .expect("write");
    let out = shop.run(&["source", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("specsync.toml") && err.contains("speed"),
        "{err}"
    );
}

/// A source's rules file is used on every page; when the page changes under it, the pages fail
/// as extraction failures and nothing changes on the listings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_rules_file_reads_the_pages_and_a_broken_rule_is_no_change() {
    let sim = SupplierSim::start(SimConfig {
        seed: 53,
        products: 4,
    })
    .await
    .expect("sim");
    let shop = Shop::new();
    let rules = shop.write("sim-rules.toml", "title = \"h1\"\n");
    shop.add_source_with(&sim, &["--rules", path_str(&rules)]);
    let file = shop.write(
        "listings.json",
        &serde_json::to_string(&sim.listings_json()).expect("json"),
    );
    shop.ok(&["listings", "import", path_str(&file)]);
    let crawl = shop.json(&["crawl", "--json"]);
    assert_eq!(crawl["products"], 4, "{crawl}");

    std::fs::write(&rules, "title = \"h1.was-renamed\"\n").expect("write rules");
    // No page could be read: a failed crawl, with no change.
    let crawl = shop.failed_json(&["crawl", "--json"]);
    assert_eq!(crawl["failed"]["extraction"], 4, "{crawl}");
    assert_eq!(
        crawl["changes"], 0,
        "a rule that matches nothing is no change: {crawl}"
    );

    std::fs::write(&rules, "title = \"h1[\"\n").expect("write rules");
    let out = shop.run(&["crawl"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sim-rules.toml") && err.contains("`title`"),
        "{err}"
    );
}

/// A page whose price shows no currency is read, not refused: the currency is inferred from what
/// else the page says (here the country of its domain, and said so in `--explain`), and where
/// nothing gives one the product carries "currency unknown" as a warning, with no price read.
#[test]
fn a_price_without_a_currency_is_inferred_or_warned_never_refused() {
    let shop = Shop::new();
    let page = shop.write(
        "bare.html",
        r#"<html><head><title>Kubek</title></head><body><h1>Kubek ceramiczny</h1>
<div class="price">12,50</div><button class="add-to-cart">Dodaj do koszyka</button></body></html>"#,
    );
    let args = |base: &'static str| {
        vec![
            "extract",
            path_str(&page),
            "--base-url",
            base,
            "--json",
            "--explain",
        ]
    };
    let out = shop.json(&args("https://sklep.example.pl/kubek"));
    assert_eq!(out["product"]["currency"], "PLN", "{out}");
    assert_eq!(out["product"]["variants"][0]["price"], "12.50", "{out}");
    assert!(
        out["currency_from"]
            .as_str()
            .is_some_and(|f| f.contains(".pl")),
        "{out}"
    );

    let run = shop.run(&args("https://shop.example.com/mug"));
    assert!(run.status.success(), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("currency unknown") && stderr.contains("--currency"),
        "{stderr}"
    );
    let out: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!(out["product"]["currency"], serde_json::Value::Null, "{out}");
    assert_eq!(out["warnings"][0]["kind"], "currency_unknown", "{out}");
}
