//! A fetched page → [`RawProduct`]. Pure: no I/O.
//!
//! The skeleton's extractors: schema.org JSON-LD (`Product`, its `offers`, `@graph`, arrays),
//! joined by SKU with a visible variant table (`table.variant-table`: SKU, option columns, price,
//! stock), which is where many supplier sites put option values and stock. JSON-LD blocks are
//! found by a byte scan, without building a DOM; the table is parsed only when present.
//! Issue #4 adds the other extractors.

use catalog::{RawProduct, RawVariant};
use serde_json::Value;
use url::Url;

pub mod scan;
mod table;

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{url}: no product found on the page (no schema.org Product and no variant table)")]
    NoProduct { url: String },
    /// A bug: extraction must never panic, whatever the page. Reported, never a change.
    #[error("{url}: extraction crashed on this page (a bug in specsync; please report it)")]
    Crashed { url: String },
}

pub fn extract(url: &Url, html: &str) -> Result<RawProduct, ExtractError> {
    let mut raw = RawProduct {
        url: url.to_string(),
        ..RawProduct::default()
    };
    let ld_product = json_ld_blocks(html)
        .enumerate()
        .filter_map(|(i, block)| serde_json::from_str::<Value>(block).ok().map(|v| (i, v)))
        .find_map(|(i, v)| find_product(&v).map(|p| (i, p.clone())));
    let table = table::variant_table(html);
    if ld_product.is_none() && table.is_none() {
        return Err(ExtractError::NoProduct { url: raw.url });
    }
    if let Some((i, product)) = &ld_product {
        read_json_ld_product(&mut raw, product, &format!("json-ld[{i}]"));
    }
    if let Some(table) = table {
        table.merge_into(&mut raw);
    }
    name_unnamed_variants(&mut raw);
    Ok(raw)
}

/// Several offers and no option values: each is still its own variant, named by its SKU (or its
/// place on the page) so that no two share the empty spec key.
fn name_unnamed_variants(raw: &mut RawProduct) {
    if raw.variants.len() < 2 {
        return;
    }
    for (n, v) in raw.variants.iter_mut().enumerate() {
        if v.spec.is_empty() {
            let name = v.sku.clone().unwrap_or_else(|| format!("offer {}", n + 1));
            v.spec.push(("variant".to_owned(), name));
        }
    }
}

/// The contents of every `<script type="application/ld+json">` element.
fn json_ld_blocks(html: &str) -> impl Iterator<Item = &str> {
    scan::elements(html, "script", |tag| {
        tag.attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
    })
    .map(|(_, content)| content.trim())
}

fn is_type(v: &Value, wanted: &[&str]) -> bool {
    let matches = |t: &Value| {
        t.as_str()
            .is_some_and(|s| wanted.contains(&s.rsplit('/').next().unwrap_or(s)))
    };
    match v.get("@type") {
        Some(Value::Array(types)) => types.iter().any(matches),
        Some(t) => matches(t),
        None => false,
    }
}

fn find_product(v: &Value) -> Option<&Value> {
    match v {
        Value::Array(items) => items.iter().find_map(find_product),
        Value::Object(map) => {
            if is_type(v, &["Product", "ProductGroup"]) {
                return Some(v);
            }
            map.get("@graph").and_then(find_product)
        }
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => text(map.get("name").or_else(|| map.get("@value"))),
        Value::Array(items) => text(items.first()),
        _ => None,
    }
}

fn read_json_ld_product(raw: &mut RawProduct, product: &Value, from: &str) {
    raw.title = text(product.get("name"));
    raw.brand = text(product.get("brand"));
    raw.sku = text(product.get("sku"));
    raw.description = text(product.get("description"));
    raw.images = match product.get("image") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| text(Some(i)).or_else(|| text(i.get("url"))))
            .collect(),
        Some(Value::Object(map)) => text(map.get("url")).into_iter().collect(),
        other => text(other).into_iter().collect(),
    };
    for field in ["title", "brand", "sku", "description", "images"] {
        raw.note(field, from);
    }
    let offers: Vec<&Value> = match product.get("offers") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(offer @ Value::Object(_)) => match offer.get("offers") {
            Some(Value::Array(items)) if is_type(offer, &["AggregateOffer"]) => {
                items.iter().collect()
            }
            _ => vec![offer],
        },
        _ => Vec::new(),
    };
    for (n, offer) in offers.into_iter().enumerate() {
        let price = text(offer.get("price"))
            .or_else(|| text(offer.get("lowPrice")))
            .or_else(|| {
                offer
                    .get("priceSpecification")
                    .and_then(|p| text(p.get("price")))
            });
        let variant = RawVariant {
            sku: text(offer.get("sku")),
            price,
            currency: text(offer.get("priceCurrency")),
            availability: text(offer.get("availability")),
            quantity: offer
                .get("inventoryLevel")
                .and_then(|l| text(l.get("value"))),
            spec: Vec::new(),
            compare_at: None,
        };
        raw.variants.push(variant);
        raw.note(format!("variants[{n}]"), format!("{from}.offers[{n}]"));
    }
}

#[cfg(test)]
mod tests {
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
}
