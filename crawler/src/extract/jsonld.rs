//! schema.org JSON-LD: `Product`, `ProductGroup` with `hasVariant`, `Offer` / `AggregateOffer`,
//! `@graph`, arrays, nested `offers`; several blocks; the broken JSON real sites ship.

use catalog::{RawProduct, RawVariant};
use serde_json::Value;

use super::json::{lenient, text};
use super::{scan, Found};

/// The product of the page's JSON-LD: the first `ProductGroup`, else the first `Product`.
pub(super) fn extract(html: &str) -> Option<Found> {
    let parsed: Vec<(usize, Value)> = blocks(html)
        .enumerate()
        .filter_map(|(i, block)| Some((i, lenient(block)?)))
        .collect();
    let mut products: Vec<(usize, &Value)> = Vec::new();
    for (i, v) in &parsed {
        collect_products(v, *i, &mut products);
    }
    let (i, product) = products
        .iter()
        .find(|(_, p)| is_type(p, &["ProductGroup"]))
        .or_else(|| products.first())?;
    let from = format!("json-ld[{i}]");
    let mut found = Found::new(from.clone(), 80);
    read_product(&mut found.product, product, &from);
    Some(found)
}

/// The contents of every `<script type="application/ld+json">` element.
fn blocks(html: &str) -> impl Iterator<Item = &str> {
    scan::elements(html, "script", |tag| {
        tag.attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
    })
    .map(|(_, content)| content.trim())
}

fn is_type(v: &Value, wanted: &[&str]) -> bool {
    let matches = |t: &Value| {
        t.as_str()
            .is_some_and(|s| wanted.contains(&s.rsplit(['/', ':']).next().unwrap_or(s)))
    };
    match v.get("@type") {
        Some(Value::Array(types)) => types.iter().any(matches),
        Some(t) => matches(t),
        None => false,
    }
}

/// Every `Product`/`ProductGroup` in a block, at any depth of arrays and `@graph`, and under
/// `mainEntity` / `itemOffered` (a `WebPage` or an `Offer` naming the product).
fn collect_products<'v>(v: &'v Value, block: usize, out: &mut Vec<(usize, &'v Value)>) {
    match v {
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_products(item, block, out)),
        Value::Object(map) => {
            if is_type(
                v,
                &[
                    "Product",
                    "ProductGroup",
                    "IndividualProduct",
                    "ProductModel",
                ],
            ) {
                out.push((block, v));
                return;
            }
            for key in ["@graph", "mainEntity", "itemOffered", "about"] {
                if let Some(inner) = map.get(key) {
                    collect_products(inner, block, out);
                }
            }
        }
        _ => {}
    }
}

fn read_product(raw: &mut RawProduct, product: &Value, from: &str) {
    raw.title = text(product.get("name"));
    raw.brand = text(product.get("brand")).or_else(|| text(product.get("manufacturer")));
    raw.sku = text(product.get("sku"))
        .or_else(|| text(product.get("productID")))
        .or_else(|| text(product.get("mpn")));
    raw.description = text(product.get("description")).map(|d| catalog::decode_entities(&d));
    raw.images = images(product.get("image"));
    if let Some(variants) = product.get("hasVariant").and_then(Value::as_array) {
        read_group(raw, product, variants, from);
        return;
    }
    for (n, offer) in offers(product).into_iter().enumerate() {
        let mut variant = offer_variant(offer);
        // One offer of a product without its own SKU: the product's SKU is the offer's.
        if variant.sku.is_none() && n == 0 {
            variant.sku = raw.sku.clone();
        }
        raw.variants.push(variant);
        raw.note(format!("variants[{n}]"), format!("{from}.offers[{n}]"));
    }
    if raw.currency.is_none() {
        raw.currency = raw.variants.iter().find_map(|v| v.currency.clone());
    }
}

/// A `ProductGroup`: its variants are products whose option values are the properties it
/// `variesBy` (`color`, `size`, or any property named there).
fn read_group(raw: &mut RawProduct, group: &Value, variants: &[Value], from: &str) {
    let varies: Vec<String> = match group.get("variesBy") {
        Some(Value::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        Some(v) => text(Some(v)).into_iter().collect(),
        None => Vec::new(),
    };
    let labels: Vec<String> = varies
        .iter()
        .map(|v| v.rsplit(['/', ':']).next().unwrap_or(v).to_owned())
        .collect();
    let labels = if labels.is_empty() {
        vec!["color".to_owned(), "size".to_owned()]
    } else {
        labels
    };
    raw.option_labels = labels.clone();
    for (n, product) in variants.iter().enumerate() {
        let offer = offers(product).into_iter().next();
        let mut variant = offer.map(offer_variant).unwrap_or_default();
        variant.sku = text(product.get("sku")).or(variant.sku);
        for label in &labels {
            if let Some(value) = text(product.get(label.as_str())) {
                variant.spec.push((label.clone(), value));
            }
        }
        raw.variants.push(variant);
        raw.note(format!("variants[{n}]"), format!("{from}.hasVariant[{n}]"));
    }
    raw.option_labels.retain(|l| {
        raw.variants
            .iter()
            .any(|v| v.spec.iter().any(|(n, _)| n == l))
    });
    if raw.currency.is_none() {
        raw.currency = raw.variants.iter().find_map(|v| v.currency.clone());
    }
}

fn offers(product: &Value) -> Vec<&Value> {
    match product.get("offers") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(offer @ Value::Object(_)) => match offer.get("offers") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(inner @ Value::Object(_)) => vec![inner],
            _ => vec![offer],
        },
        _ => Vec::new(),
    }
}

fn offer_variant(offer: &Value) -> RawVariant {
    let spec = offer.get("priceSpecification");
    let spec = match spec {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    let price = text(offer.get("price"))
        .or_else(|| text(offer.get("lowPrice")))
        .or_else(|| spec.and_then(|p| text(p.get("price"))));
    RawVariant {
        sku: text(offer.get("sku")),
        price,
        currency: text(offer.get("priceCurrency"))
            .or_else(|| spec.and_then(|p| text(p.get("priceCurrency")))),
        availability: text(offer.get("availability")),
        quantity: offer
            .get("inventoryLevel")
            .and_then(|l| text(l.get("value")).or_else(|| text(Some(l)))),
        spec: Vec::new(),
        compare_at: None,
    }
}

fn images(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| text(Some(i)).or_else(|| text(i.get("url"))))
            .collect(),
        Some(Value::Object(map)) => text(map.get("url")).into_iter().collect(),
        other => text(other).into_iter().collect(),
    }
}
