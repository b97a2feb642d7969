//! A source's rules file: where the product is on pages that do not say it in structured data.
//!
//! ```toml
//! title = "h1.goods-name"                 # CSS selectors (the text of the first match)
//! price = ".price-now"
//! stock = "#stock"
//! sku = ".goods-sn"
//! currency = "CNY"                        # a fixed value, not a selector
//!
//! [variants]                              # one row per variant
//! row = "table.sku-list tbody tr"
//! sku = "td.sn"
//! price = "td.price"
//! stock = "td.qty"
//! options = { "颜色" = "td.color", "尺码" = "td.size" }
//!
//! [regex]                                 # post-processing: the first capture group is kept
//! price = '([0-9]+(?:\.[0-9]+)?)\s*元'
//!
//! [json]                                  # or: paths into a script's JSON
//! after = "window.__GOODS__"              # the object assigned after this marker
//! title = "goods.name"
//! price = "goods.price"
//! ```
//!
//! Every selector must match: one that matches nothing is an extraction failure (the page
//! changed, a health problem for the merchant to fix), never a product gone or out of stock.

use std::collections::BTreeMap;

use catalog::RawVariant;
use scraper::{Html, Selector};
use serde::Deserialize;

use super::json::{objects_after, text};
use super::Found;

/// A parsed, checked rules file.
#[derive(Debug)]
pub struct Rules {
    fields: BTreeMap<&'static str, Selector>,
    selectors_text: BTreeMap<&'static str, String>,
    currency: Option<String>,
    variants: Option<VariantRules>,
    regex: BTreeMap<String, regex_lite::Regex>,
    json: Option<JsonRules>,
    trust_stock: Option<TrustStock>,
}

/// Which of the page's two accounts of its stock the source's rules trust when they disagree:
/// its structured data (JSON-LD, platform data) or its visible text. Without it a disagreement
/// is read as "unknown" and reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustStock {
    Structured,
    Visible,
}

#[derive(Debug)]
struct VariantRules {
    row: Selector,
    fields: Vec<(&'static str, Selector)>,
    options: Vec<(String, Selector)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRules {
    after: String,
    #[serde(flatten)]
    paths: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    title: Option<String>,
    price: Option<String>,
    compare_at: Option<String>,
    stock: Option<String>,
    sku: Option<String>,
    brand: Option<String>,
    currency: Option<String>,
    variants: Option<VariantsFile>,
    #[serde(default)]
    regex: BTreeMap<String, String>,
    json: Option<JsonRules>,
    trust_stock: Option<TrustStock>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantsFile {
    row: String,
    sku: Option<String>,
    price: Option<String>,
    stock: Option<String>,
    #[serde(default)]
    options: BTreeMap<String, String>,
}

/// Why a rules file cannot be used, naming the key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RulesError(String);

fn selector(key: &str, css: &str) -> Result<Selector, RulesError> {
    Selector::parse(css)
        .map_err(|e| RulesError(format!("`{key}`: `{css}` is not a CSS selector: {e}")))
}

impl Rules {
    /// Parses a rules file's text; every selector and regex is checked here, once.
    pub fn parse(toml_text: &str) -> Result<Rules, RulesError> {
        let file: RulesFile = toml::from_str(toml_text).map_err(|e| RulesError(e.to_string()))?;
        let mut fields = BTreeMap::new();
        let mut selectors_text = BTreeMap::new();
        for (key, css) in [
            ("title", &file.title),
            ("price", &file.price),
            ("compare_at", &file.compare_at),
            ("stock", &file.stock),
            ("sku", &file.sku),
            ("brand", &file.brand),
        ] {
            if let Some(css) = css {
                fields.insert(key, selector(key, css)?);
                selectors_text.insert(key, css.clone());
            }
        }
        let variants = match file.variants {
            None => None,
            Some(v) => {
                let mut vf = Vec::new();
                for (key, css) in [("sku", &v.sku), ("price", &v.price), ("stock", &v.stock)] {
                    if let Some(css) = css {
                        vf.push((key, selector(&format!("variants.{key}"), css)?));
                    }
                }
                let mut options = Vec::new();
                for (label, css) in &v.options {
                    options.push((
                        label.clone(),
                        selector(&format!("variants.options.{label}"), css)?,
                    ));
                }
                Some(VariantRules {
                    row: selector("variants.row", &v.row)?,
                    fields: vf,
                    options,
                })
            }
        };
        let mut regex = BTreeMap::new();
        for (key, pattern) in file.regex {
            let re = regex_lite::Regex::new(&pattern)
                .map_err(|e| RulesError(format!("`regex.{key}`: {e}")))?;
            regex.insert(key, re);
        }
        if fields.is_empty()
            && variants.is_none()
            && file.json.is_none()
            && file.trust_stock.is_none()
        {
            return Err(RulesError(
                "names no selector: give at least `price`, `[variants]`, `[json]` or `trust_stock`"
                    .into(),
            ));
        }
        Ok(Rules {
            fields,
            selectors_text,
            currency: file.currency,
            variants,
            regex,
            json: file.json,
            trust_stock: file.trust_stock,
        })
    }

    /// Whether a disagreement between structured data and the visible page on stock is settled
    /// by the rules: they say which to trust, or read the stock themselves.
    pub fn trust_stock(&self) -> Option<TrustStock> {
        self.trust_stock
    }

    /// Whether the rules read the stock with a selector of their own.
    pub fn reads_stock(&self) -> bool {
        self.fields.contains_key("stock")
            || self
                .variants
                .as_ref()
                .is_some_and(|v| v.fields.iter().any(|(k, _)| *k == "stock"))
    }

    fn post(&self, key: &str, value: String) -> Option<String> {
        match self.regex.get(key) {
            None => Some(value),
            Some(re) => re
                .captures(&value)
                .and_then(|c| c.get(1).or_else(|| c.get(0)))
                .map(|m| m.as_str().trim().to_owned()),
        }
    }

    /// What the rules read from the page. A selector or path that matches nothing is an error
    /// naming it.
    pub fn apply(&self, html: &str) -> Result<Found, RulesError> {
        let mut found = Found::new("rules file", 100);
        let mut v = RawVariant::default();
        if !self.fields.is_empty() || self.variants.is_some() {
            let doc = Html::parse_document(html);
            let text_of =
                |e: scraper::ElementRef<'_>| super::collapse(&e.text().collect::<String>());
            for (key, sel) in &self.fields {
                let value = doc.select(sel).next().map(text_of).ok_or_else(|| {
                    RulesError(format!(
                        "`{key}` = `{}` matched nothing",
                        self.selectors_text[key]
                    ))
                })?;
                let value = self.post(key, value).ok_or_else(|| {
                    RulesError(format!("`regex.{key}` did not match what `{key}` selected"))
                })?;
                let p = &mut found.product;
                match *key {
                    "title" => p.title = Some(value),
                    "brand" => p.brand = Some(value),
                    "sku" => p.sku = Some(value),
                    "price" => v.price = Some(value),
                    "compare_at" => v.compare_at = Some(value),
                    _ => v.availability = Some(value),
                }
            }
            if let Some(vr) = &self.variants {
                let rows: Vec<_> = doc.select(&vr.row).collect();
                if rows.is_empty() {
                    return Err(RulesError("`variants.row` matched nothing".into()));
                }
                let p = &mut found.product;
                p.option_labels = vr.options.iter().map(|(l, _)| l.clone()).collect();
                for row in rows {
                    let mut rv = RawVariant::default();
                    for (key, sel) in &vr.fields {
                        let value = row.select(sel).next().map(text_of);
                        let value = value.and_then(|x| self.post(key, x));
                        match *key {
                            "sku" => rv.sku = value,
                            "price" => rv.price = value,
                            // A count reads as the quantity, words as the availability.
                            _ if value
                                .as_deref()
                                .is_some_and(|v| v.chars().any(|c| c.is_ascii_digit())) =>
                            {
                                rv.quantity = value
                            }
                            _ => rv.availability = value,
                        }
                    }
                    for (label, sel) in &vr.options {
                        if let Some(value) = row.select(sel).next().map(text_of) {
                            rv.spec.push((label.clone(), value));
                        }
                    }
                    rv.currency.clone_from(&self.currency);
                    p.variants.push(rv);
                }
            }
        }
        if let Some(json) = &self.json {
            let data = objects_after(html, &json.after).next().ok_or_else(|| {
                RulesError(format!(
                    "`json.after` = `{}`: no object after it",
                    json.after
                ))
            })?;
            for (key, path) in &json.paths {
                let keys: Vec<&str> = path.split('.').collect();
                let value = text(super::json::at(&data, &keys)).ok_or_else(|| {
                    RulesError(format!("`json.{key}` = `{path}` is not in the object"))
                })?;
                let value = self.post(key, value).unwrap_or_default();
                let p = &mut found.product;
                match key.as_str() {
                    "title" => p.title = Some(value),
                    "brand" => p.brand = Some(value),
                    "sku" => p.sku = Some(value),
                    "price" => v.price = Some(value),
                    "stock" => v.availability = Some(value),
                    _ => {}
                }
            }
        }
        let p = &mut found.product;
        p.currency.clone_from(&self.currency);
        if found.product.variants.is_empty() && (v.price.is_some() || v.availability.is_some()) {
            v.currency.clone_from(&self.currency);
            v.sku.clone_from(&found.product.sku);
            found.product.variants.push(v);
        }
        Ok(found)
    }
}
