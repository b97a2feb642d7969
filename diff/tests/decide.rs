//! Golden tests for the rules: what each change leads to, and why.

use std::collections::BTreeMap;

use catalog::{
    Availability, Currency, Listing, ListingId, ListingVariant, Money, Product, SpecKey, Stock,
    Variant,
};
use diff::rules::{ActionsConfig, NoiseConfig, PricingConfig, StockConfig};
use diff::{compare, decide, Action, ChangeKind, Proposal, Rules, RulesConfig, Update};
use proptest::prelude::*;

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

fn key(k: &str) -> SpecKey {
    SpecKey::parse(k).expect("key")
}

fn supplier(variants: &[(&str, i64, Option<u32>, Availability)]) -> Product {
    let mut variants: Vec<Variant> = variants
        .iter()
        .map(|(k, price, qty, status)| Variant {
            key: key(k),
            spec: BTreeMap::new(),
            sku: Some(format!("SKU-{k}")),
            price: Some(cny(*price)),
            compare_at: None,
            stock: Stock::new(*status, *qty),
        })
        .collect();
    variants.sort_by(|a, b| a.key.cmp(&b.key));
    Product {
        url: "http://s/p/1".into(),
        title: "T恤".into(),
        brand: None,
        sku: None,
        currency: Some(Currency::CNY),
        images: vec![],
        description: None,
        options: vec![],
        variants,
    }
}

fn listing(variants: &[(&str, i64, Option<i64>, u32)]) -> Listing {
    Listing {
        id: ListingId::parse("L1").expect("id"),
        title: "T恤".into(),
        currency: Currency::CNY,
        description: None,
        images: vec![],
        variant_links: Default::default(),
        variants: variants
            .iter()
            .map(|(k, price, cost, stock)| ListingVariant {
                key: key(k),
                spec: BTreeMap::new(),
                sku: Some(format!("SKU-{k}")),
                price: cny(*price),
                cost: cost.map(cny),
                stock: *stock,
            })
            .collect(),
    }
}

fn rules(f: impl FnOnce(&mut RulesConfig)) -> Rules {
    let mut c = RulesConfig::default();
    f(&mut c);
    c.validate().expect("valid rules")
}

fn pricing(formula: &str, ending: &str, floor: Option<&str>, policy: &str) -> Rules {
    rules(|c| {
        c.pricing = PricingConfig {
            formula: Some(formula.into()),
            ending: Some(ending.into()),
            compare_at: None,
            margin_floor: floor.map(Into::into),
        };
        c.actions.price = policy.into();
    })
}

fn proposals(l: &Listing, p: &Product, r: &Rules) -> Vec<Proposal> {
    decide(l, p, compare(l, p, r), r)
}

fn only(l: &Listing, p: &Product, r: &Rules) -> Proposal {
    let mut all = proposals(l, p, r);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

use Availability::{InStock, OutOfStock};

#[test]
fn a_supplier_price_rise_flows_through_the_pricing_rule_to_a_new_listing_price() {
    // Synced at a cost of 12.50 → 27.99 (× 1.8 + 5, .99); the supplier now asks 13.00.
    let l = listing(&[("color=red", 2799, Some(1250), 10)]);
    let p = supplier(&[("color=red", 1300, Some(10), InStock)]);
    let got = only(
        &l,
        &p,
        &pricing("cost * 1.8 + 5", ".99", Some("20%"), "auto"),
    );
    assert_eq!(got.change.kind, ChangeKind::PriceChanged);
    assert_eq!(got.action, Action::Apply, "{}", got.why);
    assert_eq!(
        got.update,
        Some(Update::SetPrice {
            variant: key("color=red"),
            price: "28.99".into(),
            compare_at: None,
            cost: "13.00".into(),
        })
    );
}

#[test]
fn a_price_under_the_margin_floor_is_held_with_the_reason() {
    // × 1.1 leaves 9%, under a 20% floor: never applied, whatever the policy.
    let l = listing(&[("color=red", 1100, Some(1000), 10)]);
    let p = supplier(&[("color=red", 1200, Some(10), InStock)]);
    let got = only(&l, &p, &pricing("cost * 1.1", "none", Some("20%"), "auto"));
    assert_eq!(got.action, Action::Hold);
    assert!(got.why.contains("under your floor of 20%"), "{}", got.why);
    assert!(matches!(got.update, Some(Update::SetPrice { ref price, .. }) if price == "13.20"));
}

#[test]
fn a_price_move_beyond_the_automatic_band_is_held() {
    let l = listing(&[("color=red", 2799, Some(1250), 10)]);
    let p = supplier(&[("color=red", 2000, Some(10), InStock)]);
    let got = only(&l, &p, &pricing("cost * 1.8 + 5", ".99", None, "auto"));
    assert_eq!(got.action, Action::Hold);
    assert!(got.why.contains("automatic band"), "{}", got.why);
}

#[test]
fn without_a_pricing_rule_a_cost_rise_that_eats_the_margin_is_an_alert_saying_so() {
    let l = listing(&[("color=red", 1500, Some(1000), 10)]);
    let p = supplier(&[("color=red", 1400, Some(10), InStock)]);
    let r = rules(|c| c.pricing.margin_floor = Some("20%".into()));
    let got = only(&l, &p, &r);
    assert_eq!((got.action, got.update.clone()), (Action::Alert, None));
    assert!(
        got.why.contains("6.6%") && got.why.contains("floor of 20%"),
        "{}",
        got.why
    );
}

#[test]
fn a_cost_change_under_the_noise_threshold_is_ignored() {
    let l = listing(&[("color=red", 2000, Some(10000), 10)]);
    let p = supplier(&[("color=red", 10050, Some(10), InStock)]);
    let r = rules(|c| {
        c.noise = NoiseConfig {
            min_price_change: Some("1%".into()),
            ..NoiseConfig::default()
        }
    });
    assert_eq!(only(&l, &p, &r).action, Action::Ignore);
    let p = supplier(&[("color=red", 10100, Some(10), InStock)]);
    assert_eq!(only(&l, &p, &r).action, Action::Alert);
}

#[test]
fn rules_apply_to_listings_already_published_not_only_new_ones() {
    // Nothing changed at the supplier, but the listing price is not what the rule gives.
    let l = listing(&[("color=red", 2500, Some(1250), 10)]);
    let p = supplier(&[("color=red", 1250, Some(10), InStock)]);
    let got = only(&l, &p, &pricing("cost * 1.8 + 5", ".99", None, "hold"));
    assert_eq!(got.change.kind, ChangeKind::Reprice);
    assert_eq!(got.action, Action::Hold);
    assert!(matches!(got.update, Some(Update::SetPrice { ref price, .. }) if price == "27.99"));
}

#[test]
fn compare_at_follows_the_price() {
    let l = listing(&[("color=red", 2799, Some(1250), 10)]);
    let p = supplier(&[("color=red", 1300, Some(10), InStock)]);
    let r = rules(|c| {
        c.pricing = PricingConfig {
            formula: Some("cost * 1.8 + 5".into()),
            ending: Some(".99".into()),
            compare_at: Some("1.3".into()),
            margin_floor: None,
        };
        c.actions.price = "auto".into();
    });
    let got = only(&l, &p, &r);
    assert!(
        matches!(got.update, Some(Update::SetPrice { compare_at: Some(ref c), .. }) if c == "37.99"),
        "{:?}",
        got.update
    );
}

fn stock_rules(buffer: u32, threshold: u32, unavailable: &str) -> Rules {
    rules(|c| {
        c.stock = StockConfig {
            safety_buffer: buffer,
            low_stock_threshold: threshold,
            when_unavailable: unavailable.into(),
        };
        c.actions = ActionsConfig {
            stock: "auto".into(),
            ..ActionsConfig::default()
        };
    })
}

#[test]
fn stock_is_published_less_the_safety_buffer_and_zero_when_low() {
    let r = stock_rules(2, 5, "set_zero");
    let l = listing(&[("color=red", 1000, None, 20)]);
    // 30 at the supplier → 28 shown.
    let got = only(&l, &supplier(&[("color=red", 1000, Some(30), InStock)]), &r);
    assert_eq!(
        (got.change.kind, got.action),
        (ChangeKind::StockChanged, Action::Apply)
    );
    assert_eq!(
        got.update,
        Some(Update::SetStock {
            variant: key("color=red"),
            quantity: 28
        })
    );
    // 6 at the supplier → 4, under the threshold of 5 → 0: out of stock on the listing.
    let got = only(&l, &supplier(&[("color=red", 1000, Some(6), InStock)]), &r);
    assert_eq!(got.change.kind, ChangeKind::OutOfStock);
    assert_eq!(
        got.update,
        Some(Update::SetStock {
            variant: key("color=red"),
            quantity: 0
        })
    );
    // A listing already showing what the rules give has no change at all.
    let l = listing(&[("color=red", 1000, None, 28)]);
    assert!(proposals(&l, &supplier(&[("color=red", 1000, Some(30), InStock)]), &r).is_empty());
}

#[test]
fn what_happens_when_a_variant_is_unavailable_is_the_merchants_choice() {
    let l = listing(&[("color=red", 1000, None, 5), ("color=blue", 1000, None, 5)]);
    let one_out = supplier(&[
        ("color=red", 1000, None, OutOfStock),
        ("color=blue", 1000, Some(5), InStock),
    ]);
    let all_out = supplier(&[
        ("color=red", 1000, None, OutOfStock),
        ("color=blue", 1000, None, OutOfStock),
    ]);
    let red = key("color=red");
    let cases = [
        (
            "set_zero",
            &one_out,
            Some(Update::SetStock {
                variant: red.clone(),
                quantity: 0,
            }),
        ),
        (
            "unpublish_variant",
            &one_out,
            Some(Update::UnpublishVariant {
                variant: red.clone(),
            }),
        ),
        (
            "unpublish_product",
            &one_out,
            Some(Update::SetStock {
                variant: red.clone(),
                quantity: 0,
            }),
        ),
        (
            "unpublish_product",
            &all_out,
            Some(Update::UnpublishProduct),
        ),
        ("alert_only", &one_out, None),
    ];
    for (choice, product, want) in cases {
        let got: Vec<Proposal> = proposals(&l, product, &stock_rules(0, 0, choice));
        let red_out = got
            .iter()
            .find(|p| p.change.variant.as_ref() == Some(&red))
            .expect("red");
        assert_eq!(red_out.change.kind, ChangeKind::OutOfStock);
        assert_eq!(red_out.update, want, "{choice}");
    }
}

#[test]
fn back_in_stock_without_a_count_asks_the_merchant() {
    let l = listing(&[("color=red", 1000, None, 0)]);
    let got = only(
        &l,
        &supplier(&[("color=red", 1000, None, InStock)]),
        &stock_rules(0, 0, "set_zero"),
    );
    assert_eq!(
        (got.change.kind, got.action, got.update.clone()),
        (ChangeKind::BackInStock, Action::Alert, None)
    );
    assert!(got.why.contains("no count"), "{}", got.why);
}

#[test]
fn removals_renames_and_titles_follow_their_policies() {
    let mut l = listing(&[("color=red", 1000, None, 5), ("color=pink", 1000, None, 5)]);
    l.title = "旧标题".into();
    let mut p = supplier(&[("color=dark pink", 1000, Some(5), InStock)]);
    p.variants[0].sku = Some("SKU-color=pink".into());
    let got = proposals(&l, &p, &Rules::default());
    let by_kind = |k: ChangeKind| {
        got.iter()
            .find(|p| p.change.kind == k)
            .unwrap_or_else(|| panic!("{k:?} in {got:#?}"))
    };
    let removed = by_kind(ChangeKind::VariantRemoved);
    assert_eq!(
        (removed.action, removed.update.clone()),
        (
            Action::Hold,
            Some(Update::UnpublishVariant {
                variant: key("color=red")
            })
        )
    );
    let renamed = by_kind(ChangeKind::SpecRenamed);
    assert_eq!(renamed.action, Action::Hold);
    assert_eq!(
        renamed.update,
        Some(Update::RenameVariant {
            from: key("color=pink"),
            to: key("color=dark pink")
        })
    );
    let title = by_kind(ChangeKind::TitleChanged);
    assert_eq!(
        (title.action, title.update.clone()),
        (
            Action::Alert,
            Some(Update::SetTitle {
                title: "T恤".into()
            })
        )
    );
}

fn arb_product() -> impl Strategy<Value = Product> {
    let variant = (
        0u8..6,
        0u8..5,
        100i64..100_000,
        proptest::option::of(0u32..500),
        any::<bool>(),
    );
    proptest::collection::vec(variant, 1..12).prop_map(|vs| {
        let mut seen = std::collections::BTreeSet::new();
        let vs: Vec<_> = vs
            .into_iter()
            .filter(|(c, s, ..)| seen.insert((*c, *s)))
            .collect();
        let colors = ["红色", "蓝色", "Navy Blue", "黑色", "白色", "灰色"];
        let sizes = ["S", "M", "L", "XL", "XXL"];
        let mut variants: Vec<Variant> = vs
            .iter()
            .map(|(c, s, price, qty, orderable)| Variant {
                key: SpecKey::from_pairs([
                    ("颜色", colors[*c as usize]),
                    ("尺码", sizes[*s as usize]),
                ]),
                spec: BTreeMap::new(),
                sku: Some(format!("S{c}{s}")),
                price: Some(cny(*price)),
                compare_at: None,
                stock: Stock::new(if *orderable { InStock } else { OutOfStock }, *qty),
            })
            .collect();
        variants.sort_by(|a, b| a.key.cmp(&b.key));
        Product {
            url: "http://s/p/9".into(),
            title: "产品".into(),
            brand: None,
            sku: None,
            currency: Some(Currency::CNY),
            images: vec![],
            description: None,
            options: vec![],
            variants,
        }
    })
}

/// The listing a merchant publishes from a product under `rules`.
fn listing_of(p: &Product, rules: &Rules) -> Listing {
    Listing {
        id: ListingId::parse("P").expect("id"),
        title: p.title.clone(),
        currency: Currency::CNY,
        description: None,
        images: vec![],
        variant_links: Default::default(),
        variants: p
            .variants
            .iter()
            .map(|v| {
                let cost = v.price.expect("price");
                let stock = match (v.stock.status.is_orderable(), v.stock.quantity) {
                    (false, _) => 0,
                    (true, Some(q)) => rules.stock_for(q),
                    (true, None) => 1,
                };
                ListingVariant {
                    key: v.key.clone(),
                    spec: BTreeMap::new(),
                    sku: v.sku.clone(),
                    price: rules.price_for(cost).unwrap_or(cost),
                    cost: Some(cost),
                    stock,
                }
            })
            .collect(),
    }
}

proptest! {
    #[test]
    fn a_product_diffed_with_its_own_listing_gives_nothing(p in arb_product(), buffer in 0u32..3, priced in any::<bool>()) {
        let r = rules(|c| {
            c.stock.safety_buffer = buffer;
            if priced {
                c.pricing.formula = Some("cost * 1.8 + 5".into());
                c.pricing.ending = Some(".99".into());
            }
        });
        prop_assert_eq!(compare(&listing_of(&p, &r), &p, &r), vec![]);
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_of_variants(
        p in arb_product(),
        other in arb_product(),
        seed in any::<u64>(),
    ) {
        let r = Rules::default();
        let l = listing_of(&other, &r);
        let want = compare(&l, &p, &r);
        // Listings keep their variants in any order; products too before they are sorted.
        let mut shuffled = l.clone();
        let n = shuffled.variants.len();
        for i in 0..n {
            let j = (seed.wrapping_mul(i as u64 + 7) % n as u64) as usize;
            shuffled.variants.swap(i, j);
        }
        prop_assert_eq!(compare(&shuffled, &p, &r), want);
    }
}
