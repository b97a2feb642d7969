//! `specsync listings import FILE.json`: the merchant's published listings.
//!
//! The file is a JSON array of listings:
//!
//! ```json
//! [{"id": "tee-1", "title": "纯棉T恤", "currency": "CNY",
//!   "supplier_url": "https://supplier.example/products/1.html",
//!   "variants": [{"sku": "SP1-00", "spec": {"颜色": "红色", "尺码": "M"}, "price": "29.90",
//!                 "cost": "12.50", "stock": 22}]}]
//! ```
//!
//! `supplier_url` (optional) links the listing as `specsync link` would; `cost` (optional) is the
//! supplier price the listing was synced to (without it, the price is taken as the cost);
//! `description` and `images` (optional) are compared with the supplier's when given.

use std::collections::BTreeMap;
use std::path::Path;

use catalog::{Currency, Listing, ListingId, ListingVariant, Money, OptionNames, SpecKey};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingJson {
    id: String,
    title: String,
    currency: String,
    #[serde(default)]
    supplier_url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    images: Vec<String>,
    variants: Vec<VariantJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantJson {
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    spec: BTreeMap<String, String>,
    price: Value,
    #[serde(default)]
    cost: Option<Value>,
    stock: u32,
}

/// A listing from the file, with the supplier page it should be linked to, if given.
pub struct Imported {
    pub listing: Listing,
    pub supplier_url: Option<url::Url>,
}

pub fn read_file(path: &Path, names: &OptionNames) -> Result<Vec<Imported>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(format!("cannot read {shown}: {e}")))?;
    parse(&shown.to_string(), &text, names)
}

pub fn parse(name: &str, text: &str, names: &OptionNames) -> Result<Vec<Imported>> {
    let mut all = Vec::new();
    parse_each(name, text, names, |item| {
        all.push(item);
        Ok(())
    })?;
    Ok(all)
}

/// Reads the listings of `text` one at a time, each checked and handed to `each` as soon as it
/// is read: the file's listings are never all held at once in their JSON form. The first
/// problem (the JSON, a listing, an id given twice, or `each` failing) ends it. Returns how
/// many listings were read.
pub fn parse_each(
    name: &str,
    text: &str,
    names: &OptionNames,
    each: impl FnMut(Imported) -> Result<()>,
) -> Result<usize> {
    use serde::de::{DeserializeSeed, SeqAccess, Visitor};

    struct Listings<'a, F> {
        name: &'a str,
        names: &'a OptionNames,
        each: F,
        /// Why it stopped, when a listing (not the JSON) was at fault.
        failed: Option<Error>,
    }

    impl<'de, F: FnMut(Imported) -> Result<()>> Visitor<'de> for &mut Listings<'_, F> {
        type Value = usize;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON array of listings")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut seen: std::collections::HashMap<String, usize> = Default::default();
            let mut n = 0;
            while let Some(item) = seq.next_element::<ListingJson>()? {
                n += 1;
                let at = format!("{}: listing #{n} (`{}`)", self.name, item.id);
                let result = match seen.insert(item.id.clone(), n) {
                    Some(first) => Err(Error::invalid(format!(
                        "{at}: the same id as listing #{first}"
                    ))),
                    None => convert(item, self.names)
                        .map_err(|e| Error::invalid(format!("{at}: {e}")))
                        .and_then(|item| (self.each)(item)),
                };
                if let Err(e) = result {
                    self.failed = Some(e);
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(n)
        }
    }

    impl<'de, F: FnMut(Imported) -> Result<()>> DeserializeSeed<'de> for &mut Listings<'_, F> {
        type Value = usize;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
            d.deserialize_seq(self)
        }
    }

    let mut listings = Listings {
        name,
        names,
        each,
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let read = (&mut listings)
        .deserialize(&mut de)
        .and_then(|n| de.end().map(|()| n));
    match (read, listings.failed) {
        (_, Some(failed)) => Err(failed),
        (Ok(n), None) => Ok(n),
        (Err(e), None) => Err(Error::invalid(format!(
            "{name}: not a JSON array of listings: {e}"
        ))),
    }
}

fn convert(item: ListingJson, names: &OptionNames) -> Result<Imported, String> {
    let id = ListingId::parse(&item.id).map_err(|e| e.to_string())?;
    let currency = Currency::parse(&item.currency).map_err(|e| e.to_string())?;
    let supplier_url = item
        .supplier_url
        .as_deref()
        .map(parse_product_url)
        .transpose()?;
    let mut variants: Vec<ListingVariant> = Vec::with_capacity(item.variants.len());
    for (n, v) in item.variants.into_iter().enumerate() {
        let at = |e: String| format!("variant #{}: {e}", n + 1);
        let price = money(&v.price, currency).map_err(at)?;
        let cost = v
            .cost
            .as_ref()
            .map(|c| money(c, currency))
            .transpose()
            .map_err(at)?;
        let key = SpecKey::from_pairs_with(names, v.spec.iter());
        if variants.iter().any(|other| other.key == key) {
            return Err(at(format!("spec {key} appears twice")));
        }
        let spec = v
            .spec
            .iter()
            .map(|(k, val)| (names.canonical(k), val.clone()))
            .collect();
        variants.push(ListingVariant {
            key,
            spec,
            sku: v.sku,
            price,
            cost,
            stock: v.stock,
        });
    }
    variants.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Imported {
        listing: Listing {
            id,
            title: item.title,
            currency,
            description: item.description,
            images: item.images,
            variant_links: Default::default(),
            variants,
        },
        supplier_url,
    })
}

/// A price as a decimal string (`"29.90"`) or a JSON number (`29.9`, read from its digits, never
/// through a float).
fn money(value: &Value, currency: Currency) -> Result<Money, String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("price {other} is not a decimal amount")),
    };
    Money::parse_decimal(&text, currency).map_err(|e| e.to_string())
}

/// A supplier product URL as specsync keys it: absolute http(s), canonical (no fragment, no
/// tracking parameters), so a link names the same product as the sitemap.
pub fn parse_product_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{text}` is not an http(s) URL"));
    }
    Ok(crawler::canonical_url(&url, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_file_becomes_listings_with_keys_and_money() {
        let text = r#"[{"id": "tee-1", "title": "T恤", "currency": "cny", "supplier_url": "http://s/p/1.html#top",
            "variants": [{"sku": "A", "spec": {"颜色": "红色", "尺码": "XXL"}, "price": "29.90", "cost": 12.5, "stock": 3}]}]"#;
        let imported = parse("l.json", text, &OptionNames::default()).expect("parse");
        let l = &imported[0].listing;
        assert_eq!(l.variants[0].key.to_string(), "color=红色;size=2xl");
        assert_eq!(l.variants[0].price.minor, 2990);
        assert_eq!(l.variants[0].cost.map(|m| m.minor), Some(1250));
        assert_eq!(
            imported[0].supplier_url.as_ref().map(|u| u.as_str()),
            Some("http://s/p/1.html")
        );
    }

    #[test]
    fn bad_files_are_errors_naming_the_file_and_the_place() {
        let cases = [
            ("[{\"id\": \"a\",", "line 1"),
            ("{}", "not a JSON array"),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"price": "abc", "stock": 1}]}]"#,
                "listing #1 (`a`): variant #1: `abc`",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "yuan", "variants": []}]"#,
                "`yuan`",
            ),
            (
                r#"[{"id": "a b", "title": "t", "currency": "CNY", "variants": []}]"#,
                "`a b`",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [], "colour": 1}]"#,
                "colour",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "supplier_url": "ftp://x", "variants": []}]"#,
                "http(s)",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": []}, {"id": "a", "title": "t", "currency": "CNY", "variants": []}]"#,
                "listing #1",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"spec": {"size": "XXL"}, "price": "1", "stock": 1}, {"spec": {"size": "2XL"}, "price": "1", "stock": 1}]}]"#,
                "appears twice",
            ),
        ];
        for (text, needle) in cases {
            let err = parse("shop.json", text, &OptionNames::default())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.starts_with("shop.json") && err.contains(needle),
                "{text}\n→ {err}"
            );
        }
    }
}
