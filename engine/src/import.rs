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
#[derive(Debug)]
pub struct Imported {
    pub listing: Listing,
    pub supplier_url: Option<url::Url>,
}

pub fn read_file(path: &Path, names: &OptionNames) -> Result<Vec<Imported>> {
    let text = read_text(path)?;
    parse(&path.display().to_string(), &text, names)
}

/// A listings file's text: UTF-8 (with or without a byte-order mark), UTF-16 with its mark, or
/// GB18030 (GBK, GB2312), as spreadsheet programs on Chinese systems save it. Anything else is
/// an error that says what the file is not.
pub fn read_text(path: &Path) -> Result<String> {
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| Error::invalid(format!("cannot read {shown}: {e}")))?;
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, _, bad) = encoding.decode(&bytes);
        if !bad {
            return Ok(text.into_owned());
        }
        return Err(Error::invalid(format!(
            "{shown}: starts with a {} byte-order mark but is not {} throughout",
            encoding.name(),
            encoding.name()
        )));
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e.into_bytes(),
    };
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
    if !bad {
        tracing::info!(file = %shown, "read as GB18030: the file is not UTF-8");
        return Ok(text.into_owned());
    }
    let at = std::str::from_utf8(&bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    Err(Error::invalid(format!(
        "{shown}: not text in UTF-8 (nor GB18030): byte {at} is not a character; save the \
         file as UTF-8 JSON"
    )))
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
    if item.title.trim().is_empty() {
        return Err("the title is empty: give the listing's title as the store shows it".into());
    }
    if item.variants.is_empty() {
        return Err(
            "no variants: a listing sells at least one (with its price and stock; a product \
             without options is one variant without a spec)"
                .into(),
        );
    }
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
        // Two labels that are one option after aliasing (`颜色` and `顏色`) would keep one value
        // and drop the other without a word.
        let mut labels: BTreeMap<String, &str> = BTreeMap::new();
        for label in v.spec.keys() {
            if let Some(first) = labels.insert(names.canonical(label), label) {
                return Err(at(format!(
                    "`{first}` and `{label}` are the same option ({}); keep one of them",
                    names.canonical(label)
                )));
            }
        }
        let key = SpecKey::from_pairs_with(names, v.spec.iter());
        if let Some(other) = variants.iter().position(|other| other.key == key) {
            return Err(at(if key.is_empty() {
                format!(
                    "variant #{} has no spec either: give each variant its spec (such as \
                     {{\"颜色\": \"红色\"}}), or list one variant only",
                    other + 1
                )
            } else {
                format!(
                    "spec {key} appears twice (variant #{} has it too)",
                    other + 1
                )
            }));
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
/// through a float), or as shops write it with its currency (`"¥29.90"`, `"29,90 €"`, read by
/// the price reader the crawl uses, and in the listing's currency). Never negative.
fn money(value: &Value, currency: Currency) -> Result<Money, String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("price {other} is not a decimal amount")),
    };
    let money = match Money::parse_decimal(text.trim(), currency) {
        Ok(money) => money,
        Err(strict) => {
            // Only a text that shows its currency is read the lenient way: a bare `9,90` is
            // left an error rather than guessed at.
            let read = catalog::parse_price_text(&text, None, None);
            match (read.amount, read.currency) {
                (Some(_), Some(shown)) if shown != currency => {
                    return Err(format!(
                        "price `{text}` is in {shown}, the listing in {currency}"
                    ))
                }
                (Some(_), Some(_)) => read
                    .money(&text)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| strict.to_string())?,
                _ => return Err(strict.to_string()),
            }
        }
    };
    if money.minor < 0 {
        return Err(format!("price `{text}` is negative"));
    }
    Ok(money)
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
    fn a_price_with_its_currency_and_files_saved_in_gb18030_or_with_a_bom_are_read() {
        let text = r#"[{"id": "g", "title": "纯棉T恤", "currency": "CNY",
            "variants": [{"spec": {"颜色": "红色"}, "price": "￥29.90", "cost": "￥ 12.50", "stock": 1}]}]"#;
        let dir = tempfile::tempdir().expect("tempdir");
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(text.as_bytes());
        for (name, bytes) in [("gbk.json", gbk.into_owned()), ("bom.json", bom)] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            let imported = read_file(&path, &OptionNames::default()).expect(name);
            let l = &imported[0].listing;
            assert_eq!(l.title, "纯棉T恤", "{name}");
            assert_eq!(l.variants[0].price.minor, 2990, "{name}");
            assert_eq!(l.variants[0].cost.map(|m| m.minor), Some(1250), "{name}");
        }
        let path = dir.path().join("bytes.json");
        std::fs::write(&path, [0x80, 0xff, 0xfe, 0x81]).expect("write");
        let err = read_file(&path, &OptionNames::default()).expect_err("not text");
        assert!(err.to_string().contains("not text in UTF-8"), "{err}");
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
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"price": "1", "stock": 1}]}, {"id": "a", "title": "t", "currency": "CNY", "variants": [{"price": "1", "stock": 1}]}]"#,
                "listing #1",
            ),
            (
                r#"[{"id": "a", "title": " ", "currency": "CNY", "variants": [{"price": "1", "stock": 1}]}]"#,
                "the title is empty",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": []}]"#,
                "no variants",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"price": "-5.00", "stock": 1}]}]"#,
                "variant #1: price `-5.00` is negative",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"price": "US$5", "stock": 1}]}]"#,
                "is in USD, the listing in CNY",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"spec": {"颜色": "红色", "顏色": "藍色"}, "price": "1", "stock": 1}]}]"#,
                "are the same option (color)",
            ),
            (
                r#"[{"id": "a", "title": "t", "currency": "CNY", "variants": [{"sku": "A", "price": "1", "stock": 1}, {"sku": "B", "price": "1", "stock": 1}]}]"#,
                "variant #2: variant #1 has no spec either",
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
