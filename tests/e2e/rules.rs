use fixtures::{SimChangeKind, SimConfig, SupplierSim};
use serde_json::Value;

use crate::helpers::{path_str, Shop};

/// A shop whose listings were priced by its rule at epoch 0: `cost` is the supplier's price,
/// `price` what the rule gave.
fn shop_with_rules(
    sim: &SupplierSim,
    rules: &[(&str, &str)],
    price_of: impl Fn(i64) -> i64,
) -> Shop {
    let shop = Shop::new();
    let mut config = std::fs::read_to_string(shop.config()).expect("config");
    for (from, to) in rules {
        assert!(config.contains(from), "the example config has `{from}`");
        config = config.replacen(from, to, 1);
    }
    std::fs::write(shop.config(), config).expect("write config");
    shop.add_source(sim);
    let mut listings = sim.listings_json();
    for listing in listings.as_array_mut().expect("array") {
        for v in listing["variants"].as_array_mut().expect("variants") {
            let cost = v["price"].as_str().expect("price").to_owned();
            let fen: i64 = cost.replace('.', "").parse().expect("fen");
            let price = price_of(fen);
            v["cost"] = Value::String(cost);
            v["price"] = Value::String(format!("{}.{:02}", price / 100, price % 100));
        }
    }
    let file = shop.write("listings.json", &listings.to_string());
    shop.ok(&["listings", "import", path_str(&file)]);
    let baseline = shop.json(&["crawl", "--json"]);
    assert_eq!(
        baseline["changes"], 0,
        "listings priced by the rule: {baseline}"
    );
    shop
}

/// The recorded change for the simulator's price rise.
fn price_rise(shop: &Shop, sim: &SupplierSim) -> (Value, i64) {
    let truth = sim.set_epoch(1);
    let rise = truth
        .iter()
        .find(|c| c.kind == SimChangeKind::PriceChanged && c.after > c.before)
        .expect("the epoch raises a price");
    shop.ok(&["crawl"]);
    let changes = shop.json(&["changes", "list", "--json"]);
    let found = changes
        .as_array()
        .expect("array")
        .iter()
        .find(|c| {
            c["kind"] == "price_changed"
                && c["product_url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(&rise.path))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no price change for {} in {changes}", rise.path));
    let new_cost: i64 = rise
        .after
        .as_deref()
        .expect("after")
        .replace('.', "")
        .parse()
        .expect("fen");
    (found, new_cost)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_price_rise_flows_through_the_pricing_rule_to_the_listing_price() {
    let sim = SupplierSim::start(SimConfig {
        seed: 21,
        products: 16,
    })
    .await
    .expect("sim");
    let rules = [
        ("# formula = \"cost * 1.8 + 5\"", "formula = \"cost * 2\""),
        ("# margin_floor = \"20%\"", "margin_floor = \"40%\""),
        ("price = \"alert\"", "price = \"auto\""),
        ("price_auto_within = \"10%\"", "price_auto_within = \"50%\""),
    ];
    let shop = shop_with_rules(&sim, &rules, |cost| cost * 2);
    let (change, new_cost) = price_rise(&shop, &sim);
    assert_eq!(change["action"], "apply", "{change}");
    assert_eq!(change["update"]["update"], "set_price");
    let want = new_cost * 2;
    assert_eq!(
        change["update"]["price"],
        format!("{}.{:02}", want / 100, want % 100),
        "{change}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_that_breaks_the_margin_floor_is_held_and_the_alert_says_why() {
    let sim = SupplierSim::start(SimConfig {
        seed: 21,
        products: 16,
    })
    .await
    .expect("sim");
    let rules = [
        ("# formula = \"cost * 1.8 + 5\"", "formula = \"cost * 1.1\""),
        ("# margin_floor = \"20%\"", "margin_floor = \"20%\""),
        ("price = \"alert\"", "price = \"auto\""),
    ];
    // × 1.1, rounded up to the fen.
    let shop = shop_with_rules(&sim, &rules, |cost| (cost * 11 + 9) / 10);
    let (change, _) = price_rise(&shop, &sim);
    assert_eq!(
        change["action"], "hold",
        "never applied under the floor: {change}"
    );
    let why = change["why"].as_str().expect("why");
    assert!(why.contains("under your floor of 20%"), "{why}");
    let emails: Vec<String> = shop
        .eml_files()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("eml"))
        .collect();
    assert!(
        emails.iter().any(|e| e.contains("to approve]")),
        "the subject counts what waits for approval"
    );
}
