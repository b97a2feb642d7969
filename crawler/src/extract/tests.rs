//! Extraction on small pages written for each case; real pages are in crawler/tests.

use super::*;

fn url() -> Url {
    Url::parse("http://127.0.0.1/products/1.html").expect("url")
}

#[test]
fn json_ld_offers_join_the_variant_table_by_sku() {
    let html = r#"<html><head><script type="application/ld+json">{"@type":"Organization","name":"x"}</script>
        <SCRIPT type='application/ld+json'>{"@context":"https://schema.org/","@type":"Product","name":"纯棉T恤",
        "sku":"SP1","brand":{"@type":"Brand","name":"优品"},"image":["http://i/1.jpg"],
        "offers":[{"@type":"Offer","sku":"A1","price":"12.50","priceCurrency":"CNY","availability":"https://schema.org/InStock","inventoryLevel":{"value":22}},
                  {"@type":"Offer","sku":"A2","price":13,"priceCurrency":"CNY","availability":"https://schema.org/OutOfStock"}]}</SCRIPT></head>
        <body><table class="variant-table"><thead><tr><th>SKU</th><th>颜色</th><th>尺码</th><th>价格</th><th>库存</th></tr></thead>
        <tbody><tr><td>A1</td><td>红色</td><td>XL</td><td>¥12.50 <del>¥20.00</del></td><td>22</td></tr>
        <tr><td>A2</td><td>蓝色</td><td>XL</td><td>¥13.00</td><td><span class="oos">缺货</span></td></tr></tbody></table></body></html>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("纯棉T恤"));
    assert_eq!(raw.brand.as_deref(), Some("优品"));
    assert_eq!(raw.option_labels, ["颜色", "尺码"]);
    assert_eq!(raw.variants.len(), 2);
    let a1 = &raw.variants[0];
    assert_eq!(
        a1.spec,
        [
            ("颜色".to_owned(), "红色".to_owned()),
            ("尺码".to_owned(), "XL".to_owned())
        ]
    );
    assert_eq!(a1.price.as_deref(), Some("12.50"));
    assert_eq!(a1.compare_at.as_deref(), Some("¥20.00"));
    assert_eq!(a1.quantity.as_deref(), Some("22"));
    assert_eq!(raw.variants[1].price.as_deref(), Some("13"));
    let product = catalog::normalize(&raw, &Default::default()).expect("normalize");
    assert_eq!(product.variants.len(), 2);
    assert!(raw
        .provenance
        .iter()
        .any(|p| p.from.contains("variant-table")));
}

#[test]
fn product_is_found_in_a_graph() {
    let html = r#"<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":["Product"],"name":"P",
        "offers":{"@type":"Offer","price":"5.00","priceCurrency":"USD"}}]}</script>"#;
    let raw = extract(&url(), html).expect("extract");
    assert_eq!(raw.title.as_deref(), Some("P"));
    assert_eq!(raw.variants[0].price.as_deref(), Some("5.00"));
}

#[test]
fn offers_without_options_are_named_by_sku() {
    let html = r#"<script type="application/ld+json">{"@type":"Product","name":"P","offers":[
        {"sku":"A","price":"1.00","priceCurrency":"CNY"},{"sku":"B","price":"2.00","priceCurrency":"CNY"}]}</script>"#;
    let raw = extract(&url(), html).expect("extract");
    let product = catalog::normalize(&raw, &Default::default()).expect("distinct keys");
    assert_eq!(
        product.variants[1].key.to_string(),
        "spec=b",
        "`variant` is an alias of `spec`"
    );
}

#[test]
fn pages_without_a_product_are_an_error_naming_the_url() {
    for html in [
        "",
        "<html><body>404</body></html>",
        "<script type=\"application/ld+json\">{not json",
        "<script",
    ] {
        let err = extract(&url(), html).expect_err(html);
        assert!(err.to_string().contains("/products/1.html"), "{err}");
    }
}

#[test]
fn an_availability_said_in_two_languages_is_no_conflict() {
    let html = r#"<script type="application/ld+json">{"@type":"Product","name":"P","offers":[
        {"sku":"A1","price":"21.00","priceCurrency":"CNY","availability":"https://schema.org/OutOfStock"},
        {"sku":"A2","price":"21.00","priceCurrency":"CNY","availability":"https://schema.org/InStock"}]}</script>
        <table class="variant-table"><tr><th>SKU<th>颜色<th>价格<th>库存
        <tr><td>A1<td>红色<td>¥21.00<td>缺货
        <tr><td>A2<td>蓝色<td>¥21.00<td>缺货</table>"#;
    let raw = extract(&url(), html).expect("extract");
    let notes = |field: &str| -> Vec<String> {
        raw.provenance
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.from.clone())
            .collect()
    };
    assert!(
        !notes("variants[0].availability")
            .iter()
            .any(|n| n.contains("conflict")),
        "OutOfStock and 缺货 agree: {:?}",
        notes("variants[0].availability")
    );
    assert!(
        notes("variants[1].availability")
            .iter()
            .any(|n| n.contains("conflict")),
        "InStock and 缺货 do not: {:?}",
        notes("variants[1].availability")
    );
}

#[test]
fn the_same_value_written_two_ways_is_no_conflict() {
    let html = r#"<script type="application/ld+json">{"@type":"Product","name":"P","offers":[
        {"sku":"A1","price":"210.99","priceCurrency":"USD","availability":"https://schema.org/InStock"},
        {"sku":"A2","price":"12.00","priceCurrency":"USD","availability":"https://schema.org/InStock"}]}</script>
        <table class="variant-table"><tr><th>SKU<th>Color<th>Price<th>Availability
        <tr><td>A1<td>Red<td>$210.99<td>InStock
        <tr><td>A2<td>Blue<td>$13.00<td>instock</table>"#;
    let raw = extract(&url(), html).expect("extract");
    let notes = |field: &str| -> Vec<&str> {
        raw.provenance
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.from.as_str())
            .collect()
    };
    assert_eq!(
        notes("variants[0].price"),
        ["json-ld[0]"],
        "$210.99 and 210.99 agree: the more trusted writing is kept, no conflict"
    );
    assert_eq!(raw.variants[0].price.as_deref(), Some("210.99"));
    assert_eq!(notes("variants[0].availability"), ["json-ld[0]"]);
    let a2 = notes("variants[1].price");
    assert!(
        a2.iter()
            .any(|n| n.contains("conflict") && n.contains("$13.00")),
        "{a2:?}"
    );
}
