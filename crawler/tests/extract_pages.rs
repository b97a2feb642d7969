//! Every extractor on pages of its kind: real data where we have it (`fixtures/realdata`), and
//! pages reconstructed faithfully from the platforms' documented shapes where we do not.

use std::io::Read;

use catalog::{normalize, Availability, NormalizeRules, RawProduct};
use crawler::extract::{extract, extract_with, rules::Rules};
use serde_json::Value;
use url::Url;

fn url() -> Url {
    Url::parse("https://supplier.example/products/1.html").expect("url")
}

fn realdata(path: &str) -> String {
    let full = format!("{}/../fixtures/realdata/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn spec(raw: &RawProduct, n: usize) -> Vec<(&str, &str)> {
    raw.variants[n]
        .spec
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[test]
fn magento_gives_all_72_variants_of_the_four_option_product() {
    let json = realdata("magento/configurable_multipleOptionSets.magento.json");
    let html = format!(
        "<html><body><h1>Leon Paul X-Change Jacket</h1>\
         <script type=\"text/x-magento-init\">{json}</script></body></html>"
    );
    let raw = extract(&url(), &html).expect("extract");
    assert_eq!(raw.variants.len(), 72);
    assert_eq!(
        raw.option_labels,
        ["Padding Type", "Colour", "Bib Type", "Size"]
    );
    // Every child as the shop's own data says: its four option labels and its final price.
    let config: Value = serde_json::from_str(&json).expect("json");
    let config =
        &config["[data-role=swatch-options]"]["Magento_Swatches/js/swatch-renderer"]["jsonConfig"];
    let mut children: Vec<&String> = config["index"].as_object().expect("index").keys().collect();
    children.sort_by_key(|id| id.parse::<i64>().expect("id"));
    for (n, child) in children.iter().enumerate() {
        let choice = &config["index"][child.as_str()];
        let mut want = Vec::new();
        for attr_id in ["253", "92", "252", "178"] {
            let attr = &config["attributes"][attr_id];
            let option = choice[attr_id].as_str().expect("option id");
            let label = attr["options"]
                .as_array()
                .expect("options")
                .iter()
                .find(|o| o["id"] == option)
                .expect("option")["label"]
                .as_str()
                .expect("label");
            // The shop writes some labels with a trailing space; specsync trims them.
            want.push((attr["label"].as_str().expect("label"), label.trim()));
        }
        assert_eq!(spec(&raw, n), want, "child {child}");
        let amount = config["optionPrices"][child.as_str()]["finalPrice"]["amount"]
            .as_f64()
            .expect("amount");
        assert_eq!(
            raw.variants[n].price,
            Some(format!("{amount:.2}")),
            "child {child}"
        );
    }
    let product = normalize(
        &raw,
        &NormalizeRules {
            currency: Some(catalog::Currency::parse("GBP").expect("GBP")),
            ..NormalizeRules::default()
        },
    )
    .expect("normalize");
    assert_eq!(product.variants.len(), 72, "72 distinct spec keys");
    assert_eq!(product.options.len(), 4);
}

#[test]
fn shopify_product_json_in_the_page() {
    let html = r#"<html><body><script type="application/json" id="ProductJson-product-template">
        {"id":1,"title":"Linen Shirt","vendor":"Tidewater","options":["Color","Size"],
         "variants":[{"id":11,"sku":"LS-W-M","price":6499,"compare_at_price":7999,"available":true,"option1":"White","option2":"M","option3":null,"inventory_quantity":12},
                     {"id":12,"sku":"LS-W-L","price":6499,"compare_at_price":null,"available":false,"option1":"White","option2":"L","option3":null}]}
        </script></body></html>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("Linen Shirt"));
    assert_eq!(raw.brand.as_deref(), Some("Tidewater"));
    assert_eq!(spec(&raw, 0), [("Color", "White"), ("Size", "M")]);
    assert_eq!(raw.variants[0].price.as_deref(), Some("64.99"), "cents");
    assert_eq!(raw.variants[0].compare_at.as_deref(), Some("79.99"));
    assert_eq!(raw.variants[0].quantity.as_deref(), Some("12"));
    assert_eq!(raw.variants[1].availability.as_deref(), Some("OutOfStock"));
}

#[test]
fn shopify_js_endpoint_body() {
    // `/products/<handle>.js`: options as objects, one default variant.
    let body: Value = serde_json::from_str(
        r#"{"title":"Mug","vendor":"V","options":[{"name":"Title","position":1,"values":["Default Title"]}],
            "variants":[{"id":1,"title":"Default Title","option1":"Default Title","sku":"MUG-1","price":1250,"available":true}]}"#,
    )
    .expect("json");
    let found = crawler::extract::platform_shopify(&body, "shopify .js").expect("found");
    let raw = &found.product;
    assert!(
        raw.variants[0].spec.is_empty(),
        "Default Title is no option"
    );
    assert!(raw.option_labels.is_empty());
    assert_eq!(raw.variants[0].price.as_deref(), Some("12.50"));
}

#[test]
fn woocommerce_variations_form() {
    let variations = r#"[{"attributes":{"attribute_pa_color":"red","attribute_size":"XL"},"sku":"T-R-XL","display_price":19.5,"display_regular_price":25,"is_in_stock":true,"max_qty":7},
        {"attributes":{"attribute_pa_color":"blue","attribute_size":"XL"},"sku":"T-B-XL","display_price":19.5,"display_regular_price":19.5,"is_in_stock":false,"max_qty":""}]"#;
    let html = format!(
        "<form class=\"variations_form cart\" data-product_id=\"9\" data-product_variations=\"{}\"></form>",
        variations.replace('"', "&quot;")
    );
    let raw = extract(&url(), &html).expect("extract");
    assert_eq!(spec(&raw, 0), [("color", "red"), ("size", "XL")]);
    assert_eq!(raw.variants[0].price.as_deref(), Some("19.5"));
    assert_eq!(raw.variants[0].compare_at.as_deref(), Some("25"));
    assert_eq!(raw.variants[0].quantity.as_deref(), Some("7"));
    assert_eq!(
        raw.variants[1].compare_at, None,
        "the same regular price is no sale"
    );
    assert_eq!(raw.variants[1].availability.as_deref(), Some("OutOfStock"));
}

#[test]
fn alibaba_1688_sku_model() {
    let html = r#"<title>女士纯棉T恤 - 阿里巴巴</title><script>window.__INIT_DATA = {"globalData": {"skuModel": {
        "skuProps": [{"prop": "颜色", "value": [{"name": "红色"}, {"name": "黑色"}]}, {"prop": "尺码", "value": [{"name": "XL"}]}],
        "skuInfoMap": {"红色&gt;XL": {"skuId": 4411, "specId": "a1", "price": "12.50", "discountPrice": "11.80", "canBookCount": 1195, "saleCount": 3},
                       "黑色&gt;XL": {"skuId": 4412, "specId": "a2", "price": "12.50", "canBookCount": 0}}}}};</script>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.option_labels, ["颜色", "尺码"]);
    assert_eq!(spec(&raw, 0), [("颜色", "红色"), ("尺码", "XL")]);
    assert_eq!(
        raw.variants[0].price.as_deref(),
        Some("11.80"),
        "the discount price is paid"
    );
    assert_eq!(raw.variants[0].quantity.as_deref(), Some("1195"));
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    let black = product
        .variants
        .iter()
        .find(|v| v.spec.values().any(|x| x == "黑色"))
        .expect("black");
    assert_eq!(black.stock.status, Availability::OutOfStock);
}

#[test]
fn tmall_sku_base_and_sku2info() {
    let html = r#"<script>var data = {"skuBase": {"props": [{"pid": "1627207", "name": "颜色分类", "values": [{"vid": "28320", "name": "白色"}, {"vid": "28341", "name": "黑色"}]},
        {"pid": "20509", "name": "尺码", "values": [{"vid": "28315", "name": "M"}]}],
        "skus": [{"skuId": "5001", "propPath": "1627207:28320;20509:28315"}, {"skuId": "5002", "propPath": "1627207:28341;20509:28315"}]},
        "skuCore": {"sku2info": {"0": {"price": {"priceText": "99"}, "quantity": "500"},
        "5001": {"price": {"priceText": "89.00"}, "quantity": "12"}, "5002": {"price": {"priceText": "89.00"}, "quantity": "0"}}}};</script>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.variants.len(), 2);
    assert_eq!(spec(&raw, 1), [("颜色分类", "黑色"), ("尺码", "M")]);
    assert_eq!(raw.variants[0].price.as_deref(), Some("89.00"));
    assert_eq!(raw.variants[1].quantity.as_deref(), Some("0"));
}

#[test]
fn aliexpress_run_params() {
    let html = r#"<script>window.runParams = {data: {
        "productInfoComponent": {"subject": "Women Summer Dress"},
        "currencyComponent": {"currencyCode": "MXN"},
        "skuComponent": {"productSKUPropertyList": [{"skuPropertyName": "Color", "skuPropertyValues": [{"propertyValueId": 193, "propertyValueDisplayName": "Red"}]},
                                                    {"skuPropertyName": "Size", "skuPropertyValues": [{"propertyValueId": 100014064, "propertyValueDisplayName": "S"}]}]},
        "priceComponent": {"skuPriceList": [{"skuIdStr": "1200", "skuPropIds": "193,100014064",
             "skuVal": {"availQuantity": 31, "skuAmount": {"formatedAmount": "MXN$2.072,22", "value": 2072.22}, "skuActivityAmount": {"formatedAmount": "MXN$1.450,55", "value": 1450.55}}}]}
    }};</script>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("Women Summer Dress"));
    assert_eq!(spec(&raw, 0), [("Color", "Red"), ("Size", "S")]);
    assert_eq!(raw.variants[0].price.as_deref(), Some("MXN$1.450,55"));
    assert_eq!(raw.variants[0].compare_at.as_deref(), Some("MXN$2.072,22"));
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    assert_eq!(
        product.variants[0].price.map(|p| p.to_string()).as_deref(),
        Some("1450.55 MXN")
    );
}

#[test]
fn microdata_and_rdfa_lite() {
    let html = r#"<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Walking Boot</h1>
        <span itemprop="sku">WB-42</span><div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><meta itemprop="name" content="Trail"></div>
        <div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price" content="89.90">89,90 €</span>
        <meta itemprop="priceCurrency" content="EUR"><link itemprop="availability" href="https://schema.org/InStock"></div></div>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("Walking Boot"));
    assert_eq!(raw.sku.as_deref(), Some("WB-42"));
    assert_eq!(raw.variants[0].price.as_deref(), Some("89.90"));
    assert_eq!(raw.variants[0].currency.as_deref(), Some("EUR"));
    assert_eq!(
        raw.variants[0].availability.as_deref(),
        Some("https://schema.org/InStock")
    );
    let rdfa = r#"<div vocab="https://schema.org/" typeof="Product"><span property="schema:name">Lamp</span>
        <span property="schema:price" content="15.00"></span><span property="schema:priceCurrency" content="USD"></span></div>"#;
    let raw = extract(&url(), rdfa).expect("extract");
    assert_eq!(raw.variants[0].price.as_deref(), Some("15.00"));
}

#[test]
fn open_graph_product_meta_tags() {
    let html = r#"<head><meta property="og:title" content="Desk Lamp"><meta property="product:price:amount" content="24.00">
        <meta property="product:price:currency" content="USD"><meta property="product:availability" content="out of stock"></head>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("Desk Lamp"));
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    assert_eq!(product.availability(), Availability::OutOfStock);
    assert_eq!(
        product.price().map(|p| p.to_string()).as_deref(),
        Some("24.00 USD")
    );
}

#[test]
fn visible_page_heuristics_in_chinese() {
    let html = r#"<html><body><div class="nav"><span class="price">¥1.00</span></div>
        <h1>纯棉短袖T恤</h1><p class="goods-price"><del class="old-price">¥99.00</del> <span class="price-now">¥59.00</span></p>
        <div class="stock-info">仅剩 3 件</div><p>货号：TX-2024-01</p><button class="btn add-to-cart">加入购物车</button></body></html>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("纯棉短袖T恤"));
    assert_eq!(
        raw.variants[0].price.as_deref(),
        Some("¥59.00"),
        "after the title, not struck"
    );
    assert_eq!(raw.sku.as_deref(), Some("TX-2024-01"));
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    assert_eq!(product.variants[0].stock.quantity, Some(3));
    for (text, status) in [
        ("有货", Availability::InStock),
        ("现货", Availability::InStock),
        ("缺货", Availability::OutOfStock),
        ("无货", Availability::OutOfStock),
        ("售罄", Availability::OutOfStock),
        ("已下架", Availability::OutOfStock),
    ] {
        let page = format!(
            "<h1>T</h1><span class=\"price\">¥5.00</span><div class=\"stock\">{text}</div>"
        );
        let raw = extract(&url(), &page).expect("extract");
        let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
        assert_eq!(product.variants[0].stock.status, status, "{text}");
    }
}

#[test]
fn the_visible_price_is_the_products_own_in_its_block() {
    // A banner <h1> first, the product's title (the one <title> names) far after it: the price
    // is looked for from the product's title on, however much markup comes before.
    let filler = "<p>menu</p>".repeat(10_000);
    let html = format!(
        r#"<html><head><title>Trail Shoe | Shop</title></head><body><h1 class="banner">Free shipping</h1>{filler}
        <h1 class="product-title">Trail Shoe</h1>
        <p id="car-price" class="bold">$137,200</p>
        <div class="related-products"><span class="price">$9.00</span></div></body></html>"#
    );
    let raw = extract(&url(), &html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("Trail Shoe"));
    assert_eq!(
        raw.variants[0].price.as_deref(),
        Some("$137,200"),
        "`bold` is not the word `old`"
    );

    // A box with one amount is read whole; a box with a struck or "regular" price inside is not.
    let boxed = r#"<h1>Massage Table</h1><div class="online-price"><span class="op-label">Online Price</span>
        <span class="op-value">199.99</span><span class="currency">$</span></div>"#;
    let raw = extract(&url(), boxed).expect("extract");
    assert_eq!(raw.variants[0].price.as_deref(), Some("199.99 USD"));
    let was = r#"<h1>Fragrance</h1><div class="prices"><span class="price cross"><span class="regular-price">Was:</span>
        <span class="strike">$69.00</span></span><span class="sale-price">$32.50</span></div>"#;
    let raw = extract(&url(), was).expect("extract");
    assert_eq!(raw.variants[0].price.as_deref(), Some("$32.50"));
    let compound = r#"<h1>Insoles</h1><div class="item-price"><span class="item-priceold">881,00</span>
        <span class="item-pricenew">169,00 Kn</span></div>"#;
    let raw = extract(&url(), compound).expect("extract");
    assert_eq!(
        raw.variants[0].price.as_deref(),
        Some("169,00 Kn"),
        "two amounts in one box are two prices, and `priceold` is an old price"
    );
}

#[test]
fn a_sold_out_page_without_a_price_is_read_as_out_of_stock() {
    // Shops hide the price of what they cannot sell: the page is still about the product.
    let html = r#"<h1 id="title">Bosch Drill</h1><div id="availability"><span>Derzeit nicht verfügbar.</span>
        <br>Ob und wann dieser Artikel wieder vorrätig sein wird, ist unbekannt.</div>"#;
    let raw = extract(&url(), html).expect("extract");
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    assert_eq!(product.availability(), Availability::OutOfStock);
    assert_eq!(product.price(), None, "the price is not read, not zero");
    // A page with neither a price nor a word about stock is still no product to act on.
    let err = normalize(
        &extract(&url(), "<h1>About us</h1><p>We are a family shop.</p>").expect("extract"),
        &NormalizeRules::default(),
    )
    .expect_err("no product");
    assert!(err.to_string().contains("no variant with a price"), "{err}");
}

#[test]
fn the_shops_own_code_is_the_sku_not_the_makers_or_a_database_id() {
    let html = r#"<h1>Faux Fur Throw</h1><span class="price">£150.00</span>
        <form class="add-to-cart"><input type="hidden" name="product-id" value="1738666147883"></form>
        <p class="product-code">Product code: 64981901</p><p>Model number: A157S546</p>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.sku.as_deref(), Some("64981901"));
    let html = r#"<h1>Drill</h1><span class="price">£50.00</span><p>Model number: A157S546</p>
        <input type="hidden" name="product-id" value="88213">"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(
        raw.sku.as_deref(),
        Some("88213"),
        "a model number is the maker's code"
    );
}

#[test]
fn conflicts_are_kept_in_the_provenance() {
    let html = r#"<script type="application/ld+json">{"@type":"Product","name":"Kettle","offers":{"price":"30.00","priceCurrency":"EUR"}}</script>
        <meta property="product:price:amount" content="35.00">"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(
        raw.variants[0].price.as_deref(),
        Some("30.00"),
        "JSON-LD outranks meta"
    );
    assert!(
        raw.provenance
            .iter()
            .any(|p| p.from.contains("conflict") && p.from.contains("35.00")),
        "{:?}",
        raw.provenance
    );
}

#[test]
fn json_ld_product_group_with_variants() {
    let html = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"ProductGroup","name":"Tee",
        "variesBy":["https://schema.org/color","https://schema.org/size"],
        "hasVariant":[{"@type":"Product","sku":"T-R-S","color":"Red","size":"S","offers":{"@type":"Offer","price":10,"priceCurrency":"USD","availability":"https://schema.org/InStock"}},
                      {"@type":"Product","sku":"T-R-M","color":"Red","size":"M","offers":{"@type":"Offer","price":11,"priceCurrency":"USD","availability":"https://schema.org/OutOfStock"}},]}
        </script>"#;
    let raw = extract(&url(), html).expect("trailing comma tolerated");
    assert_eq!(raw.option_labels, ["color", "size"]);
    assert_eq!(spec(&raw, 1), [("color", "Red"), ("size", "M")]);
    assert_eq!(raw.variants[1].price.as_deref(), Some("11"));
}

#[test]
fn a_rules_file_reads_pages_without_structured_data() {
    let rules = Rules::parse(
        r#"
        title = "h1.goods-name"
        currency = "CNY"
        [variants]
        row = "table.skus tr.sku"
        sku = "td.sn"
        price = "td.p"
        stock = "td.q"
        options = { "颜色" = "td.c" }
        [regex]
        price = '([0-9.]+)\s*元'
        "#,
    )
    .expect("rules");
    let html = r#"<h1 class="goods-name">保温杯</h1><table class="skus"><tr class="sku"><td class="sn">B1</td><td class="c">白色</td><td class="p">售价 39.9 元</td><td class="q">库存 12 件</td></tr>
        <tr class="sku"><td class="sn">B2</td><td class="c">黑色</td><td class="p">售价 42 元</td><td class="q">缺货</td></tr></table>"#;
    let raw = extract_with(&url(), html, Some(&rules), Vec::new()).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("保温杯"));
    assert_eq!(spec(&raw, 1), [("颜色", "黑色")]);
    assert_eq!(raw.variants[0].price.as_deref(), Some("39.9"));
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    assert_eq!(product.variants[0].stock.quantity, Some(12));

    // The page changed: the rule matches nothing. An extraction failure naming the rule.
    let err =
        extract_with(&url(), "<h1>保温杯</h1>", Some(&rules), Vec::new()).expect_err("no match");
    assert!(err.to_string().contains("h1.goods-name"), "{err}");
    for (bad, names) in [
        ("price = \"td[\"", "`price`"),
        ("[regex]\nprice = \"(\"", "regex.price"),
        ("title = 5", "title"),
        ("", "names no selector"),
    ] {
        let err = Rules::parse(bad).expect_err(bad);
        assert!(err.to_string().contains(names), "{bad}: {err}");
    }
}

#[test]
fn nasty_pages_give_an_error_or_a_product_never_a_panic() {
    let deep = "<div>".repeat(100_000)
        + "<script type=\"application/ld+json\">"
        + &"[".repeat(100_000)
        + "</script>";
    let attrs = format!(
        "<div class=\"price\" data-x=\"{}\">5.00</div>",
        "a".repeat(10 * 1024 * 1024)
    );
    let many = "<span class=\"price\" itemprop=\"price\">".repeat(20_000);
    let invalid = crawler::fetch::decode(vec![0xff, 0xfe, b'<', 0xc3, 0x28, b'>', 0x80], None);
    for page in [
        "",
        "<",
        "<script",
        "<html><body></body></html>",
        &deep,
        &attrs,
        &many,
        &invalid,
    ] {
        let _ = extract(&url(), page);
    }
}

#[test]
fn real_pages_score_at_least_the_measured_f1() {
    // The same scoring as `cargo run -p crawler --example score_extraction`: a regression guard
    // on the 70 real pages (the figures themselves are in BENCHMARKS.md).
    let dir = format!(
        "{}/../fixtures/realdata/product-pages",
        env!("CARGO_MANIFEST_DIR")
    );
    let truth: std::collections::BTreeMap<String, Value> =
        serde_json::from_str(&realdata("product-pages/truth.json")).expect("truth");
    let mut extracted = 0;
    for (key, t) in &truth {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(
            std::fs::File::open(format!("{dir}/html/{key}.html.gz")).expect("page"),
        )
        .read_to_end(&mut bytes)
        .expect("gzip");
        let html = crawler::fetch::decode(bytes, None);
        let url = Url::parse(t["url"].as_str().expect("url")).expect("url");
        extracted += usize::from(extract(&url, &html).is_ok());
    }
    assert!(extracted >= 60, "a product on {extracted} of 70 real pages");
}

proptest::proptest! {
    // 300 cases on every test run; PROPTEST_CASES=200000 for a long run (BENCHMARKS.md).
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
    ))]

    /// Pages made of the pieces extractors look for, in any order and cut anywhere.
    #[test]
    fn extraction_never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
        "<script type=\"application/ld+json\">", "</script>", "{\"@type\":\"Product\",", "\"offers\":[{",
        "\"price\":", "\"12.5\"", "}", "]", ",", "<div itemprop=\"price\" content=\"", "\">", "<meta property=\"product:price:amount\" content=\"",
        "<table class=\"variant-table\"><thead><tr><th>SKU</th><th>颜色</th></tr></thead><tbody><tr><td>", "</td></tr>",
        "skuModel = {\"skuProps\":[{\"prop\":\"颜色\"}],\"skuInfoMap\":{\"红&gt;", "runParams = {data:", "\"jsonConfig\":{\"attributes\":",
        "<h1>", "</h1>", "<span class=\"price\">¥", "仅剩", "<", ">", "\"", "'", "&quot;", "&#x", "\u{0}", "é", "红色",
        "data-product_variations=\"[{", "\"variants\":[{\"option1\":", "<form", "name=\"sku\" value=\"A1\"",
    ]), 0..60), tail in ".{0,40}") {
        let page = parts.concat() + &tail;
        let _ = extract(&url(), &page);
        for cut in [page.len() / 3, page.len() / 2] {
            let mut at = cut;
            while !page.is_char_boundary(at) {
                at -= 1;
            }
            let _ = extract(&url(), &page[..at]);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
    ))]

    /// Arbitrary bytes, decoded as a fetched body is (invalid UTF-8 and all), then extracted.
    #[test]
    fn extraction_of_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
        let page = crawler::fetch::decode(bytes, None);
        let _ = extract(&url(), &page);
    }
}

/// A one-offer JSON-LD product with this availability, and this markup after its `<h1>`.
fn offer_page(availability: &str, visible: &str) -> String {
    format!(
        "<html><head><title>纯棉T恤</title><script type=\"application/ld+json\">\
         {{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\"name\":\"纯棉T恤\",\"sku\":\"T-1\",\
         \"offers\":{{\"@type\":\"Offer\",\"price\":\"59.00\",\"priceCurrency\":\"CNY\",\
         \"availability\":\"https://schema.org/{availability}\"}}}}</script></head>\
         <body><div class=\"product\"><h1>纯棉T恤</h1><span class=\"price\">¥59.00</span>{visible}\
         </div><footer>关于我们</footer></body></html>"
    )
}

fn stock_of(html: &str, rules: Option<&Rules>) -> (Availability, Option<String>) {
    let raw = extract_with(&url(), html, rules, Vec::new()).expect("extract");
    let conflict = raw
        .provenance
        .iter()
        .find(|p| p.field == crawler::extract::STOCK_CONFLICT)
        .map(|p| p.from.clone());
    let product = normalize(&raw, &NormalizeRules::default()).expect("normalize");
    (product.variants[0].stock.status, conflict)
}

#[test]
fn structured_data_and_the_visible_page_disagreeing_on_stock_is_unknown_and_reported() {
    // JSON-LD says in stock, the page says 缺货: never a false in-stock.
    let (status, conflict) = stock_of(
        &offer_page("InStock", "<p class=\"tip\">该商品暂时缺货</p>"),
        None,
    );
    assert_eq!(status, Availability::Unknown);
    let conflict = conflict.expect("reported");
    assert!(
        conflict.contains("structured data says in stock") && conflict.contains("缺货"),
        "{conflict}"
    );
    // The other way round: JSON-LD sold out, the stock widget says 有货.
    let (status, conflict) = stock_of(
        &offer_page(
            "OutOfStock",
            "<span class=\"stock-status\">现货 有货</span>",
        ),
        None,
    );
    assert_eq!(status, Availability::Unknown);
    assert!(conflict.is_some_and(|c| c.contains("says sold out")));
    // Agreeing, or the page saying nothing for sure: the structured data, no conflict.
    for (availability, visible, expected) in [
        (
            "InStock",
            "<span class=\"stock\">In stock</span>",
            Availability::InStock,
        ),
        (
            "OutOfStock",
            "<button disabled>Sold out</button>",
            Availability::OutOfStock,
        ),
        (
            "InStock",
            "<button class=\"add-to-cart\">加入购物车</button>",
            Availability::InStock,
        ),
        (
            "OutOfStock",
            "<button class=\"add-to-cart\">加入购物车</button>",
            Availability::OutOfStock,
        ),
    ] {
        let (status, conflict) = stock_of(&offer_page(availability, visible), None);
        assert_eq!(
            (status, conflict),
            (expected, None),
            "{availability} / {visible}"
        );
    }
}

#[test]
fn a_sources_rules_say_which_account_of_stock_to_trust() {
    let page = offer_page("InStock", "<p>该商品暂时缺货</p>");
    let visible = Rules::parse("trust_stock = \"visible\"\n").expect("rules");
    assert_eq!(stock_of(&page, Some(&visible)).0, Availability::OutOfStock);
    let structured = Rules::parse("trust_stock = \"structured\"\n").expect("rules");
    assert_eq!(
        stock_of(&page, Some(&structured)),
        (Availability::InStock, None)
    );
    let err = Rules::parse("trust_stock = \"both\"\n").expect_err("refused");
    assert!(err.to_string().contains("trust_stock"), "{err}");
}
