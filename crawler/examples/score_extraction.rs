//! Extraction accuracy on real pages, through the path `specsync extract` and the crawl use
//! ([`crawler::read_page`]: extraction, currency inference, normalization, with no source
//! currency): F1 for price, SKU and availability, scored as `shared/realdata/README.md` defines
//! it, on the tuning half, the held-out half (`fixtures/realdata/split.json`, split by site) and
//! all pages.
//!
//! ```sh
//! cargo run --release -p crawler --example score_extraction -- [fixtures/realdata] [--misses]
//! ```
//!
//! A page's prediction is its headline: the variant the URL names (a query or fragment value that
//! is a variant's SKU), else the one with the product's SKU, else the first; its price, its SKU
//! (or the product's), its availability. A product whose currency is unknown has no price read,
//! and counts as a page refused for lack of one.

use std::collections::BTreeMap;
use std::io::Read;

use catalog::{Availability, Decimal, Product, Variant};
use serde_json::Value;
use url::Url;

#[derive(Default, Clone, Copy)]
struct Score {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Score {
    fn add(
        &mut self,
        predicted: Option<&str>,
        truth: Option<&[String]>,
        same: impl Fn(&str, &str) -> bool,
    ) -> bool {
        // A folder without labels for a field (fathom: price only) does not score it.
        let Some(truth) = truth else { return true };
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

#[derive(Default, Clone, Copy)]
struct Scores {
    pages: u32,
    price: Score,
    sku: Score,
    availability: Score,
    currency_unknown: u32,
    stock_conflicts: u32,
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

fn named_values(url: &Url) -> Vec<String> {
    url.query_pairs()
        .map(|(_, v)| v.into_owned())
        .chain(url.fragment().into_iter().flat_map(|f| {
            f.split('&')
                .filter_map(|kv| kv.split_once('=').map(|(_, v)| v.to_owned()))
        }))
        .collect()
}

/// The variant the URL names, if any.
fn named_variant<'a>(url: &Url, product: &'a Product) -> Option<&'a Variant> {
    let named = named_values(url);
    product
        .variants
        .iter()
        .find(|v| v.sku.as_ref().is_some_and(|s| named.contains(s)))
}

/// The variant the page is about.
fn headline<'a>(url: &Url, product: &'a Product) -> Option<&'a Variant> {
    named_variant(url, product)
        .or_else(|| {
            product
                .variants
                .iter()
                .find(|v| v.sku.is_some() && v.sku == product.sku)
        })
        .or_else(|| product.variants.first())
}

fn availability(status: Availability) -> Option<&'static str> {
    match status {
        Availability::InStock => Some("InStock"),
        Availability::OutOfStock => Some("OutOfStock"),
        Availability::Preorder => Some("PreOrder"),
        Availability::Unknown => None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "fixtures/realdata".to_owned());
    let show_misses = args.iter().any(|a| a == "--misses");
    let split: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{root}/split.json"))?)?;
    let mut side_of: BTreeMap<String, &'static str> = BTreeMap::new();
    for side in ["tune", "held_out"] {
        for pages in split[side].as_object().into_iter().flat_map(|o| o.values()) {
            for page in pages
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                side_of.insert(page.to_owned(), side);
            }
        }
    }
    let mut scores: BTreeMap<(&str, &str), Scores> = BTreeMap::new();
    let mut cpu = std::time::Duration::ZERO;
    let mut pages = 0u32;
    for folder in ["product-pages", "fathom"] {
        let dir = format!("{root}/{folder}");
        let truth: BTreeMap<String, Value> =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}/truth.json"))?)?;
        for (key, t) in &truth {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(format!("{dir}/html/{key}.html.gz"))?)
                .read_to_end(&mut bytes)?;
            let html = crawler::fetch::decode(bytes, None);
            // Three fathom pages name no URL: they are read as from a host with no country.
            let url = t["url"]
                .as_str()
                .and_then(|u| Url::parse(u).ok())
                .map_or_else(|| Url::parse("http://unknown.invalid/"), Ok)?;
            let started = std::time::Instant::now();
            let reading = crawler::read_page(&url, &html, &Default::default(), Vec::new()).ok();
            cpu += started.elapsed();
            pages += 1;
            let product = reading.as_ref().map(|r| &r.product);
            let list = |field: &str| -> Option<Vec<String>> {
                t.get(field).and_then(Value::as_array).map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
            };
            let v = product.and_then(|p| headline(&url, p));
            let price = v.and_then(|v| v.price).map(|m| m.amount_string());
            let sku = product
                .and_then(|p| p.sku.clone())
                .or_else(|| v.and_then(|v| v.sku.clone()));
            // The product is in stock if a variant of it is, unless the URL names one variant.
            let avail = match (product, product.and_then(|p| named_variant(&url, p))) {
                (Some(p), None) if p.variants.len() > 1 => availability(p.availability()),
                _ => v.and_then(|v| availability(v.stock.status)),
            };
            let side = side_of
                .get(&format!("{folder}/{key}"))
                .copied()
                .unwrap_or("unsplit");
            let mut ok = true;
            for group in [
                (folder, side),
                (folder, "all"),
                ("both", side),
                ("both", "all"),
            ] {
                let s = scores.entry(group).or_default();
                s.pages += 1;
                let warned = |what: fn(&crawler::PageWarning) -> bool| {
                    u32::from(
                        reading
                            .as_ref()
                            .is_some_and(|r| r.warnings.iter().any(what)),
                    )
                };
                s.currency_unknown +=
                    warned(|w| matches!(w, crawler::PageWarning::CurrencyUnknown { .. }));
                s.stock_conflicts +=
                    warned(|w| matches!(w, crawler::PageWarning::StockConflict { .. }));
                ok &= s
                    .price
                    .add(price.as_deref(), list("price").as_deref(), same_price);
                ok &= s.sku.add(sku.as_deref(), list("sku").as_deref(), |a, b| {
                    a.trim() == b.trim()
                });
                ok &= s
                    .availability
                    .add(avail, list("availability").as_deref(), |a, b| a == b);
            }
            if show_misses && !ok {
                println!(
                    "{folder}/{key} [{side}] {url}\n  price {price:?} want {:?}\n  sku {sku:?} want {:?}\n  availability {avail:?} want {:?}",
                    list("price"),
                    list("sku"),
                    list("availability")
                );
            }
        }
    }
    println!(
        "| pages | half | n | F1 price | F1 sku | F1 availability | currency unknown | stock conflicts |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for ((folder, side), s) in &scores {
        let field = |sc: &Score, labelled: bool| match labelled {
            true => format!("{:.3}", sc.f1()),
            false => "–".to_owned(),
        };
        let labelled = *folder != "fathom";
        println!(
            "| {folder} | {side} | {} | {:.3} | {} | {} | {} | {} |",
            s.pages,
            s.price.f1(),
            field(&s.sku, labelled),
            field(&s.availability, labelled),
            s.currency_unknown,
            s.stock_conflicts
        );
    }
    println!(
        "\nextraction {:.2} ms per page ({pages} pages, read_page: extract, infer currency, normalize)",
        cpu.as_secs_f64() * 1000.0 / f64::from(pages.max(1))
    );
    Ok(())
}
