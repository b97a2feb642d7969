//! `RawProduct` → `Product`: canonical spec keys, money, stock.
//!
//! One pure function over the modules that read each kind of text (`price`, `stock_text`,
//! `spec`, `spec_value`, `text`); `specsync parse` uses the same ones.

use std::collections::BTreeMap;

use crate::price::parse_price;
use crate::{
    Availability, Currency, Money, MoneyError, OptionNames, Product, ProductOption, RawProduct,
    SpecKey, Stock, Variant,
};

#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("{url}: the page has no product title")]
    NoTitle { url: String },
    #[error("{url}: the page shows no variant with a price (nor says it is sold out)")]
    NoVariants { url: String },
    #[error("{url}: variant {key} appears twice")]
    DuplicateVariant { url: String, key: String },
    #[error("{url}: currency `{currency}` is not known")]
    BadCurrency { url: String, currency: String },
    #[error("{url}: price `{price}` is not a price")]
    BadPrice {
        url: String,
        price: String,
        #[source]
        source: Option<MoneyError>,
    },
}

/// What a source and the merchant tell normalization.
#[derive(Clone, Debug, Default)]
pub struct NormalizeRules {
    /// The source's currency: used when a page shows none, and to read `$` or `¥`.
    pub currency: Option<Currency>,
    /// Option names, with the merchant's aliases.
    pub names: OptionNames,
}

/// Normalizes a raw product.
pub fn normalize<'r>(
    raw: &'r RawProduct,
    rules: &NormalizeRules,
) -> Result<Product, NormalizeError> {
    let default_currency = rules.currency;
    let url = raw.url.clone();
    let title = raw
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| NormalizeError::NoTitle { url: url.clone() })?
        .to_owned();
    let product_currency =
        declared_currency(&url, raw.currency.as_deref(), default_currency)?.or(default_currency);

    let mut currency = product_currency;
    let mut variants: Vec<Variant> = Vec::with_capacity(raw.variants.len());
    // Every variant names the same few options: each label is made canonical once.
    let mut canonical_names: Vec<(&str, String)> = Vec::new();
    let mut name_of = |label: &'r str| -> String {
        if let Some((_, name)) = canonical_names.iter().find(|(l, _)| *l == label) {
            return name.clone();
        }
        let name = rules.names.canonical(label);
        canonical_names.push((label, name.clone()));
        name
    };
    for rv in &raw.variants {
        let variant_currency =
            declared_currency(&url, rv.currency.as_deref(), default_currency)?.or(product_currency);
        let money = |text: &Option<String>| -> Result<Option<Money>, NormalizeError> {
            let Some(text) = text.as_deref().filter(|t| !t.trim().is_empty()) else {
                return Ok(None);
            };
            // A price whose currency nothing gives is not read (`None`): the product then has
            // no currency, which the reader reports ("currency unknown"), never a wrong price.
            parse_price(text, variant_currency).map_err(|source| NormalizeError::BadPrice {
                url: url.clone(),
                price: text.to_owned(),
                source: Some(source),
            })
        };
        let price = money(&rv.price)?;
        let compare_at = money(&rv.compare_at)?;
        if currency.is_none() {
            currency = price.map(|m| m.currency);
        }
        let quantity = rv
            .quantity
            .as_deref()
            .and_then(|q| crate::parse_stock(q).quantity);
        let status = rv
            .availability
            .as_deref()
            .map_or(Availability::Unknown, Availability::parse);
        let names: Vec<String> = rv.spec.iter().map(|(l, _)| name_of(l)).collect();
        let key = SpecKey::from_canonical_names(
            names
                .iter()
                .cloned()
                .zip(rv.spec.iter().map(|(_, v)| v.as_str())),
        );
        let spec: BTreeMap<String, String> = names
            .into_iter()
            .zip(&rv.spec)
            .map(|(name, (_, v))| (name, v.trim().to_owned()))
            .collect();
        variants.push(Variant {
            key,
            spec,
            sku: rv
                .sku
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            price,
            compare_at,
            stock: Stock::new(status, quantity),
        });
    }
    let priced = |t: &Option<String>| t.as_deref().is_some_and(|t| !t.trim().is_empty());
    // A page with no price is read only when it says the product cannot be bought (a sold-out
    // page often hides its price): the product is out of stock, its prices not read. Any other
    // page without a price is not a product this can act on.
    let sold_out = variants
        .iter()
        .any(|v| v.stock.status == Availability::OutOfStock);
    if !raw.variants.iter().any(|v| priced(&v.price)) && !sold_out {
        return Err(NormalizeError::NoVariants { url });
    }
    variants.sort_by(|a, b| a.key.cmp(&b.key));
    if let Some(w) = variants.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(NormalizeError::DuplicateVariant {
            url,
            key: w[0].key.to_string(),
        });
    }
    let options = options_in_page_order(raw, &rules.names);
    Ok(Product {
        url,
        title,
        brand: raw.brand.clone(),
        sku: raw.sku.clone(),
        currency,
        images: raw.images.clone(),
        description: raw.description.clone(),
        options,
        variants,
    })
}

fn options_in_page_order(raw: &RawProduct, names: &OptionNames) -> Vec<ProductOption> {
    raw.option_labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut values: Vec<String> = Vec::new();
            for rv in &raw.variants {
                if let Some((_, v)) = rv.spec.get(i) {
                    let v = v.trim();
                    if !values.iter().any(|x| x == v) {
                        values.push(v.to_owned());
                    }
                }
            }
            ProductOption {
                name: names.canonical(label),
                label: label.trim().to_owned(),
                values,
            }
        })
        .collect()
}

/// The currency a page declares for a product or an offer, if it declares one.
fn declared_currency(
    url: &str,
    text: Option<&str>,
    preferred: Option<Currency>,
) -> Result<Option<Currency>, NormalizeError> {
    let Some(text) = text else { return Ok(None) };
    crate::price::currency_from_text(text, preferred)
        .map(Some)
        .ok_or_else(|| NormalizeError::BadCurrency {
            url: url.to_owned(),
            currency: text.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawVariant;

    #[test]
    fn prices_as_pages_write_them() {
        let cases = [
            ("¥12.50", None, "12.50 CNY"),
            ("12.5元", None, "12.50 CNY"),
            ("$1,299.00", None, "1299.00 USD"),
            ("1.299,00 €", None, "1299.00 EUR"),
            ("12,50 €", None, "12.50 EUR"),
            ("88", Some(Currency::CNY), "88.00 CNY"),
            ("RMB 7.90", None, "7.90 CNY"),
        ];
        for (text, cur, want) in cases {
            let got = parse_price(text, cur).expect(text).expect(text);
            assert_eq!(got.to_string(), want, "{text}");
        }
        assert_eq!(parse_price("88", None).expect("no currency"), None);
        assert!(parse_price("free", Some(Currency::CNY)).is_err());
    }

    fn raw_variant(color: &str, price: &str, qty: &str) -> RawVariant {
        RawVariant {
            spec: vec![("颜色".into(), color.into())],
            sku: Some(format!("SKU-{color}")),
            price: Some(price.into()),
            availability: Some("https://schema.org/InStock".into()),
            quantity: Some(qty.into()),
            ..RawVariant::default()
        }
    }

    #[test]
    fn raw_product_becomes_keyed_variants_with_money_and_stock() {
        let raw = RawProduct {
            url: "http://s/p/1".into(),
            title: Some(" 纯棉T恤 ".into()),
            currency: Some("CNY".into()),
            option_labels: vec!["颜色".into()],
            variants: vec![
                raw_variant("红色", "12.50", "22"),
                raw_variant("蓝色", "9.90", "0"),
            ],
            ..RawProduct::default()
        };
        let p = normalize(&raw, &NormalizeRules::default()).expect("normalize");
        assert_eq!(p.title, "纯棉T恤");
        assert_eq!(
            p.price().map(|m| m.to_string()).as_deref(),
            Some("9.90 CNY")
        );
        let red = p
            .variant(&SpecKey::parse("color=红色").expect("key"))
            .expect("red");
        assert_eq!(red.stock, Stock::new(Availability::InStock, Some(22)));
        let blue = p
            .variant(&SpecKey::parse("color=蓝色").expect("key"))
            .expect("blue");
        assert_eq!(blue.stock.status, Availability::OutOfStock);
        assert_eq!(p.options[0].name, "color");
        assert_eq!(p.options[0].label, "颜色");
        let json = serde_json::to_value(&p).expect("json");
        assert_eq!(json["price"], "9.90");
        assert_eq!(
            json["variants"][0]["stock"]["quantity"], 22,
            "红 sorts before 蓝"
        );
        let back: Product = serde_json::from_value(json).expect("back");
        assert_eq!(back, p);
    }

    #[test]
    fn empty_or_duplicate_extractions_are_errors_naming_the_page() {
        let mut raw = RawProduct {
            url: "http://s/p/2".into(),
            title: Some("x".into()),
            currency: Some("CNY".into()),
            ..RawProduct::default()
        };
        let err = normalize(&raw, &NormalizeRules::default()).expect_err("no variants");
        assert!(err.to_string().contains("http://s/p/2"), "{err}");
        raw.variants = vec![raw_variant("红色", "1", "1"), raw_variant("红色", "2", "1")];
        assert!(matches!(
            normalize(&raw, &NormalizeRules::default()),
            Err(NormalizeError::DuplicateVariant { .. })
        ));
    }
}
