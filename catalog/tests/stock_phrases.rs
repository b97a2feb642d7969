//! Stock texts as real shop software shows them (`fixtures/realdata/stock-phrases`, 940 strings
//! in 39 languages from Spree, Solidus and Magento 2 translations), scored as its README says.

use catalog::{read_stock, Availability};
use serde_json::Value;

struct Case {
    text: String,
    expect: String,
    quantity: Option<u32>,
    lang: String,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/realdata/stock-phrases/strings.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let v: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", n + 1));
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            Case {
                text: field("text"),
                expect: field("expect"),
                quantity: v["quantity"].as_u64().and_then(|q| u32::try_from(q).ok()),
                lang: field("lang"),
            }
        })
        .collect()
}

/// Whether a reading meets the label, as the README scores it.
fn meets(case: &Case, status: Availability, quantity: Option<u32>) -> bool {
    match case.expect.as_str() {
        "in_stock" => {
            status == Availability::InStock
                && (case.quantity.is_none() || quantity == case.quantity)
        }
        "out_of_stock" => status == Availability::OutOfStock,
        "preorder" => status == Availability::Preorder,
        _ => status != Availability::InStock,
    }
}

#[test]
fn no_string_that_is_not_in_stock_reads_as_in_stock() {
    let dangerous: Vec<String> = cases()
        .iter()
        .filter(|c| c.expect != "in_stock")
        .filter_map(|c| {
            let r = read_stock(&c.text);
            (r.status == Availability::InStock)
                .then(|| format!("{} [{}] {}: {:?}", c.lang, c.expect, c.text, r.cues))
        })
        .collect();
    assert!(
        dangerous.is_empty(),
        "{} strings read as in stock:\n{}",
        dangerous.len(),
        dangerous.join("\n")
    );
}

#[test]
fn real_shop_strings_read_as_labelled() {
    let cases = cases();
    assert_eq!(cases.len(), 940, "the fixture holds 940 strings");
    let mut misses = Vec::new();
    for c in &cases {
        let r = read_stock(&c.text);
        if !meets(c, r.status, r.quantity) {
            misses.push(format!(
                "{} [{}] {} → {} {:?} ({})",
                c.lang,
                c.expect,
                c.text,
                r.status.as_str(),
                r.quantity,
                r.reason
            ));
        }
    }
    let accuracy = 1.0 - misses.len() as f64 / cases.len() as f64;
    eprintln!(
        "accuracy {accuracy:.3} ({} of {} missed)",
        misses.len(),
        cases.len()
    );
    for m in &misses {
        eprintln!("  {m}");
    }
    assert!(accuracy >= 0.95, "accuracy {accuracy:.3}");
}
