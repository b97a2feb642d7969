use std::io::Write;
use std::process::Stdio;

use crate::helpers::{specsync, Shop};

fn parse(shop: Option<&Shop>, args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let mut cmd = specsync();
    if let Some(shop) = shop {
        cmd.arg("--config").arg(shop.config());
    } else {
        cmd.arg("--config").arg("/nonexistent/specsync.toml");
    }
    let mut child = cmd
        .arg("parse")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn parse_price_prints_one_json_line_per_input_line_in_order() {
    let input = "1.299,00 €\n¥12起\n\n$5\tCAD\n12.50\nMXN$2.072,22\n";
    let out = parse(None, &["price", "--currency", "CNY"], input);
    let pairs: Vec<(Option<&str>, Option<&str>)> = out
        .iter()
        .map(|v| (v["amount"].as_str(), v["currency"].as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            (Some("1299.00"), Some("EUR")),
            (Some("12.00"), Some("CNY")),
            (None, None),
            (Some("5.00"), Some("CAD")),
            (Some("12.50"), Some("CNY")),
            (Some("2072.22"), Some("MXN")),
        ]
    );
}

#[test]
fn parse_stock_and_spec_read_stdin() {
    let out = parse(
        None,
        &["stock"],
        "仅剩3件\nAusverkauft\nIn stock (22 available)\n",
    );
    assert_eq!(
        out[0],
        serde_json::json!({"status": "in_stock", "quantity": 3})
    );
    assert_eq!(
        out[1],
        serde_json::json!({"status": "out_of_stock", "quantity": null})
    );
    assert_eq!(out[2]["quantity"], 22);
    let out = parse(None, &["spec"], "顏色\t酒紅\n尺码\tXXL\n");
    assert_eq!(out[0]["key"], "color=酒红");
    assert_eq!(out[1]["key"], "size=2xl");
}

#[test]
fn the_merchants_aliases_from_the_config_apply() {
    let shop = Shop::new();
    let out = parse(Some(&shop), &["spec"], "配色\t01\n");
    assert_eq!(
        out[0]["name"], "color",
        "the example config names 配色 as a colour"
    );
    let out = parse(None, &["spec"], "配色\t01\n");
    assert_eq!(
        out[0]["name"], "配色",
        "without the config it is its own option"
    );
}

#[test]
fn a_bad_currency_option_is_a_usage_error() {
    let out = specsync()
        .args(["parse", "price", "--currency", "dollars"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`dollars`"));
}
