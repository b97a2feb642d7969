//! A product page that answered with a redirect may have landed on another product: suppliers
//! send a withdrawn product's URL to a similar one, or to a product that replaced it. Its data
//! is not this product's, so it is no change of this product: the link is "moved", a health
//! problem of the link for the merchant to settle (link the listing to the page it should
//! follow), and the stored product is left as it was.

use std::collections::BTreeMap;

use catalog::Product;
use crawler::Redirected;
use store::Source;
use url::Url;

use crate::app::App;
use crate::error::Result;

/// Why the page asked for at `requested`, redirected as `redirected` and read as `product`, is
/// another product's, if it is: it landed on (or calls itself) another product of the source,
/// or its SKUs have nothing in common with the ones the link's product had.
pub(crate) async fn moved(
    app: &App,
    source: &Source,
    tracking_params: &[String],
    requested: &Url,
    redirected: &Redirected,
    product: &Product,
) -> Result<Option<String>> {
    let landed = std::iter::once(&redirected.to).chain(redirected.canonical.as_ref());
    for url in landed {
        let url = crawler::canonical_url(url, tracking_params);
        if url == *requested {
            continue;
        }
        if let Some(other) = app.store.product(url.as_str()).await? {
            if other.source_id == source.id {
                return Ok(Some(format!(
                    "{requested} redirects to {url}, another product of the source"
                )));
            }
        }
    }
    let Some(before) = app.store.latest_snapshot(requested.as_str()).await? else {
        return Ok(None);
    };
    let (was, now) = (skus(&before), skus(product));
    let disjoint = !was.keys().any(|sku| now.contains_key(sku));
    if !was.is_empty() && !now.is_empty() && disjoint {
        return Ok(Some(format!(
            "{requested} redirects to {}, a product with other SKUs ({} before, {} now)",
            redirected.to,
            first(&was),
            first(&now)
        )));
    }
    Ok(None)
}

/// A product's SKUs, its own and its variants', keyed to be compared without case or
/// surrounding blanks.
fn skus(product: &Product) -> BTreeMap<String, &str> {
    std::iter::once(&product.sku)
        .chain(product.variants.iter().map(|v| &v.sku))
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| (s.to_lowercase(), s))
        .collect()
}

/// The first few SKUs, as the page wrote them.
fn first(skus: &BTreeMap<String, &str>) -> String {
    let mut shown: Vec<&str> = skus.values().take(3).copied().collect();
    if skus.len() > shown.len() {
        shown.push("…");
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(sku: Option<&str>, variants: &[Option<&str>]) -> Product {
        let mut json = serde_json::json!({
            "url": "http://127.0.0.1/p/1", "title": "t", "brand": null, "sku": sku,
            "currency": null, "images": [], "description": null, "options": [], "variants": []
        });
        for (i, v) in variants.iter().enumerate() {
            json["variants"]
                .as_array_mut()
                .expect("variants")
                .push(serde_json::json!({"key": format!("size=s{i}"), "spec": {"size": format!("s{i}")}, "sku": v, "price": null}));
        }
        serde_json::from_value(json).expect("a product")
    }

    #[test]
    fn skus_gather_the_product_and_its_variants_without_case_or_blanks() {
        let p = product(Some(" AB-1 "), &[Some("ab-1-s"), None, Some("")]);
        assert_eq!(
            skus(&p),
            BTreeMap::from([("ab-1".to_owned(), "AB-1"), ("ab-1-s".to_owned(), "ab-1-s")])
        );
        assert_eq!(first(&skus(&p)), "AB-1, ab-1-s");
        assert!(skus(&product(None, &[None])).is_empty());
    }
}
