//! Extraction accuracy on real pages: F1 for price, SKU and availability, scored as
//! `shared/realdata/README.md` defines it.
//!
//! ```sh
//! cargo run --release -p crawler --example score_extraction -- fixtures/realdata/product-pages [--misses]
//! ```
//!
//! A page's prediction is its headline: the variant the URL names (a query or fragment value that
//! is a variant's SKU), else the one with the product's SKU, else the first; its price, its SKU
//! (or the product's), its availability (read from the stock text or the quantity).

use std::collections::BTreeMap;
use std::io::Read;

use catalog::{Availability, Decimal, RawProduct, RawVariant};
use serde_json::Value;
use url::Url;

#[derive(Default)]
struct Score {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Score {
    fn add(
        &mut self,
        predicted: Option<&str>,
        truth: &[String],
        same: impl Fn(&str, &str) -> bool,
    ) -> bool {
        match predicted {
            Some(p) if truth.iter().any(|t| same(p, t)) => {
                self.tp += 1;
                true
            }
            Some(_) => {
                self.fp += 1;
                false
            }
            None if !truth.is_empty() => {
                self.fn_ += 1;
                false
            }
            None => true,
        }
    }

    fn f1(&self) -> f64 {
        let tp = f64::from(self.tp);
        let p = tp / f64::from(self.tp + self.fp).max(1.0);
        let r = tp / f64::from(self.tp + self.fn_).max(1.0);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn decimal(text: &str) -> Option<Decimal> {
    catalog::parse_price_text(text, None, None).amount
}

fn same_price(a: &str, b: &str) -> bool {
    match (decimal(a), decimal(b)) {
        (Some(a), Some(b)) => {
            let scale = a.scale.max(b.scale);
            a.rescale(scale) == b.rescale(scale)
        }
        _ => false,
    }
}

/// The variant the URL names, if any.
fn named_variant<'a>(url: &Url, raw: Option<&'a RawProduct>) -> Option<&'a RawVariant> {
    let raw = raw?;
    let named = named_values(url);
    raw.variants
        .iter()
        .find(|v| v.sku.as_ref().is_some_and(|s| named.contains(s)))
}

fn named_values(url: &Url) -> Vec<String> {
    url.query_pairs()
        .map(|(_, v)| v.into_owned())
        .chain(url.fragment().into_iter().flat_map(|f| {
            f.split('&')
                .filter_map(|kv| kv.split_once('=').map(|(_, v)| v.to_owned()))
        }))
        .collect()
}

/// The variant the page is about.
fn headline<'a>(url: &Url, raw: &'a RawProduct) -> Option<&'a RawVariant> {
    named_variant(url, Some(raw))
        .or_else(|| {
            raw.variants
                .iter()
                .find(|v| v.sku.is_some() && v.sku == raw.sku)
        })
        .or_else(|| raw.variants.first())
}

fn availability(v: &RawVariant) -> Option<&'static str> {
    let text = v.availability.as_deref().or(v.quantity.as_deref())?;
    match catalog::parse_stock(text).status {
        Availability::InStock => Some("InStock"),
        Availability::OutOfStock => Some("OutOfStock"),
        Availability::Preorder => Some("PreOrder"),
        Availability::Unknown => None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "fixtures/realdata/product-pages".to_owned());
    let show_misses = args.any(|a| a == "--misses");
    let truth: BTreeMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/truth.json"))?)?;
    let (mut price, mut sku, mut avail) = (Score::default(), Score::default(), Score::default());
    let mut cpu = std::time::Duration::ZERO;
    for (key, t) in &truth {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(format!("{dir}/html/{key}.html.gz"))?)
            .read_to_end(&mut bytes)?;
        let html = crawler::fetch::decode(bytes, None);
        let url = Url::parse(t["url"].as_str().unwrap_or("http://unknown/"))?;
        let started = std::time::Instant::now();
        let raw = crawler::extract::extract(&url, &html).ok();
        cpu += started.elapsed();
        let v = raw.as_ref().and_then(|r| headline(&url, r));
        let list = |field: &str| -> Vec<String> {
            t[field]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let p = v.and_then(|v| v.price.as_deref());
        // The product's SKU, else the variant's: the page is about the product.
        let s = raw
            .as_ref()
            .and_then(|r| r.sku.as_deref())
            .or_else(|| v.and_then(|v| v.sku.as_deref()));
        // The product is in stock if a variant of it is, unless the URL names one variant.
        let a = match (named_variant(&url, raw.as_ref()), raw.as_ref()) {
            (None, Some(r)) if r.variants.len() > 1 => {
                let all: Vec<_> = r.variants.iter().filter_map(availability).collect();
                all.iter()
                    .find(|a| **a == "InStock")
                    .or_else(|| all.first())
                    .copied()
            }
            _ => v.and_then(availability),
        };
        let ok_p = price.add(p, &list("price"), same_price);
        let ok_s = sku.add(s, &list("sku"), |a, b| a.trim() == b.trim());
        let ok_a = avail.add(a, &list("availability"), |a, b| a == b);
        if show_misses && !(ok_p && ok_s && ok_a) {
            println!(
                "{} {}\n  price {:?} want {:?}\n  sku {:?} want {:?}\n  availability {:?} want {:?}",
                &key[..10],
                url,
                p,
                list("price"),
                s,
                list("sku"),
                a,
                list("availability")
            );
        }
    }
    println!(
        "{} pages: F1 price {:.3}, sku {:.3}, availability {:.3}; extraction {:.2} ms per page",
        truth.len(),
        price.f1(),
        sku.f1(),
        avail.f1(),
        cpu.as_secs_f64() * 1000.0 / truth.len().max(1) as f64
    );
    Ok(())
}
