//! Benchmark: diff 100,000 listings of 10 variants each against their supplier products, on
//! one thread. Target: under 2 s and under 1 GB.
//!
//!     cargo run --release -p diff --example bench_diff [-- LISTINGS]
//!
//! Pairs are made one at a time and dropped after their diff, as the pipeline does (one crawled
//! page against its linked listings); only `compare` + `decide` are timed. 10% of the products
//! have a price change and 5% a stock change; every listing is priced by a rule, so prices and
//! stock are compared through it. `--all-in-memory` builds every pair first, to show what holding
//! them all would cost. Peak memory is the process's high-water mark.

use std::collections::BTreeMap;
use std::time::Instant;

use catalog::{
    Availability, Currency, Listing, ListingId, ListingVariant, Money, Product, SpecKey, Stock,
    Variant,
};
use diff::{compare, decide, Rules, RulesConfig};

const COLORS: [&str; 5] = ["红色", "蓝色", "黑色", "白色", "灰色"];
const SIZES: [&str; 2] = ["M", "L"];

fn pair(i: u64, rules: &Rules) -> (Listing, Product) {
    let mut variants = Vec::with_capacity(10);
    let mut listed = Vec::with_capacity(10);
    for (c, color) in COLORS.iter().enumerate() {
        for (s, size) in SIZES.iter().enumerate() {
            let key = SpecKey::from_pairs([("颜色", *color), ("尺码", *size)]);
            let cost = Money::new(
                1000 + (i % 5000) as i64 + (c * 100 + s * 10) as i64,
                Currency::CNY,
            );
            let qty = ((i * 7 + c as u64 * 3 + s as u64) % 400) as u32 + 10;
            let sku = format!("SP{i}-{c}{s}");
            listed.push(ListingVariant {
                key: key.clone(),
                spec: BTreeMap::new(),
                sku: Some(sku.clone()),
                price: rules.price_for(cost).unwrap_or(cost),
                cost: Some(cost),
                stock: rules.stock_for(qty),
            });
            // 10% of the products changed a price, 5% a stock count.
            let price = if i.is_multiple_of(10) && c == 0 && s == 0 {
                Money::new(cost.minor + 150, cost.currency)
            } else {
                cost
            };
            let qty = if i % 20 == 1 && c == 1 { qty + 5 } else { qty };
            variants.push(Variant {
                key,
                spec: BTreeMap::new(),
                sku: Some(sku),
                price: Some(price),
                compare_at: None,
                stock: Stock::new(Availability::InStock, Some(qty)),
            });
        }
    }
    variants.sort_by(|a, b| a.key.cmp(&b.key));
    let listing = Listing {
        id: ListingId::parse(&format!("L{i}")).unwrap_or_else(|_| unreachable!("a valid id")),
        title: format!("商品 {i}"),
        currency: Currency::CNY,
        description: None,
        images: vec![],
        variant_links: Default::default(),
        variants: listed,
    };
    let product = Product {
        url: format!("https://supplier.example/p/{i}.html"),
        title: format!("商品 {i}"),
        brand: None,
        sku: None,
        currency: Some(Currency::CNY),
        images: vec![],
        description: None,
        options: vec![],
        variants,
    };
    (listing, product)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut config = RulesConfig::default();
    config.pricing.formula = Some("cost * 1.8 + 5".into());
    config.pricing.ending = Some(".99".into());
    config.pricing.margin_floor = Some("20%".into());
    config.stock.safety_buffer = 2;
    config.actions.price = "auto".into();
    let rules = config.validate().unwrap_or_else(|e| panic!("{e}"));

    let all_in_memory = std::env::args().any(|a| a == "--all-in-memory");
    let mut diffing = std::time::Duration::ZERO;
    let mut changes = 0usize;
    let mut held = 0usize;
    let mut diff_one = |listing: &Listing, product: &Product| {
        let start = Instant::now();
        let found = compare(listing, product, &rules);
        let proposals = decide(listing, product, found, &rules);
        diffing += start.elapsed();
        changes += proposals.len();
        held += proposals
            .iter()
            .filter(|p| p.action == diff::Action::Hold)
            .count();
    };
    if all_in_memory {
        let pairs: Vec<(Listing, Product)> = (0..n).map(|i| pair(i, &rules)).collect();
        for (listing, product) in &pairs {
            diff_one(listing, product);
        }
    } else {
        for i in 0..n {
            let (listing, product) = pair(i, &rules);
            diff_one(&listing, &product);
        }
    }
    let elapsed = diffing;
    let variants = n * 10;
    println!("listings: {n} × 10 variants ({variants} variant pairs)");
    println!(
        "diff + decide: {:.3} s on one thread ({:.0} listings/s)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    println!("changes: {changes} ({held} held)");
    let how = if all_in_memory {
        "all pairs held in memory at once"
    } else {
        "one pair at a time, as the pipeline diffs"
    };
    println!("peak RSS: {:.0} MB ({how})", peak_rss_mb());
}
