//! The rules' arithmetic, on integer minor units: the price a cost gives, the compare-at
//! price, the margin floor, the stock shown, what is noise.

use catalog::{Decimal, Money};

use super::{Ending, Policy, Rules, Threshold};
use crate::ChangeKind;

/// `value × mantissa / 10^scale`, rounded up (ceiling), in i128 to avoid overflow.
fn times_ceil(value: i128, d: Decimal) -> i128 {
    let num = value * i128::from(d.mantissa);
    let den = 10i128.pow(d.scale);
    num.div_euclid(den) + i128::from(num.rem_euclid(den) != 0)
}

/// A decimal amount in the currency's minor units (`5` CNY → 500).
fn minor_units(d: Decimal, exponent: u32) -> i128 {
    let m = i128::from(d.mantissa);
    if exponent >= d.scale {
        m * 10i128.pow(exponent - d.scale)
    } else {
        // More decimals than the currency has: round up to its minor unit.
        let den = 10i128.pow(d.scale - exponent);
        m.div_euclid(den) + i128::from(m.rem_euclid(den) != 0)
    }
}

impl Rules {
    /// The kind's policy.
    pub fn policy(&self, kind: ChangeKind) -> Policy {
        match kind {
            ChangeKind::PriceChanged | ChangeKind::Reprice => self.price,
            ChangeKind::StockChanged
            | ChangeKind::OutOfStock
            | ChangeKind::BackInStock
            | ChangeKind::AllUnavailable => self.stock,
            ChangeKind::VariantAdded | ChangeKind::NewStyle | ChangeKind::LinkProposed => {
                self.variant_added
            }
            ChangeKind::VariantRemoved => self.variant_removed,
            ChangeKind::SpecRenamed => self.spec_renamed,
            ChangeKind::TitleChanged
            | ChangeKind::DescriptionChanged
            | ChangeKind::ImagesChanged => self.title,
            ChangeKind::ProductGone | ChangeKind::ProductBack => self.product_gone,
        }
    }

    /// The listing price the pricing rule gives for `cost`, if there is a rule.
    pub fn price_for(&self, cost: Money) -> Option<Money> {
        let f = self.formula?;
        let exponent = cost.currency.exponent();
        let raw = times_ceil(i128::from(cost.minor), f.factor) + minor_units(f.offset, exponent);
        let ended = self.ending(raw.max(0), exponent);
        i64::try_from(ended)
            .ok()
            .map(|m| Money::new(m, cost.currency))
    }

    /// The compare-at price for `price`, if the rules set one (same ending).
    pub fn compare_at_for(&self, price: Money) -> Option<Money> {
        let factor = self.compare_at?;
        let exponent = price.currency.exponent();
        let raw = times_ceil(i128::from(price.minor), factor);
        i64::try_from(self.ending(raw, exponent))
            .ok()
            .map(|m| Money::new(m, price.currency))
    }

    /// The smallest price at or above `minor` with the configured ending: rounding only ever
    /// raises a price, so it never eats into the margin.
    fn ending(&self, minor: i128, exponent: u32) -> i128 {
        let unit = 10i128.pow(exponent);
        match self.ending {
            Ending::None => minor,
            Ending::Whole => (minor + unit - 1).div_euclid(unit) * unit,
            Ending::Cents(cents) if exponent == 2 => {
                let cents = i128::from(cents);
                let base = minor.div_euclid(unit) * unit + cents;
                if base >= minor {
                    base
                } else {
                    base + unit
                }
            }
            // An ending in cents means nothing for a currency without them: round to whole units.
            Ending::Cents(_) => (minor + unit - 1).div_euclid(unit) * unit,
        }
    }

    /// Why `price` at `cost` breaks the margin floor, if it does.
    pub fn margin_problem(&self, price: Money, cost: Money) -> Option<String> {
        let floor = self.margin_floor?;
        if price.currency != cost.currency {
            return Some(format!(
                "the supplier's cost is in {} and the listing in {}: the margin floor cannot be checked",
                cost.currency, price.currency
            ));
        }
        let margin = i128::from(price.minor) - i128::from(cost.minor);
        let shown = |minor: i128| {
            Money::new(i64::try_from(minor).unwrap_or(i64::MAX), price.currency).amount_string()
        };
        match floor {
            Threshold::Amount(d) => {
                let need = minor_units(d, price.currency.exponent());
                (margin < need).then(|| {
                    format!(
                        "a margin of {} {} is under your floor of {} {}",
                        shown(margin),
                        price.currency,
                        shown(need),
                        price.currency
                    )
                })
            }
            Threshold::Percent(p) => {
                // margin / price >= p / 100  ⇔  margin × 100 × 10^scale >= p.mantissa × price
                let lhs = margin * 100 * 10i128.pow(p.scale);
                let rhs = i128::from(p.mantissa) * i128::from(price.minor);
                (price.minor <= 0 || lhs < rhs).then(|| {
                    let percent = if price.minor > 0 {
                        margin * 1000 / i128::from(price.minor)
                    } else {
                        0
                    };
                    format!(
                        "a margin of {}.{}% ({} {}) is under your floor of {p}%",
                        percent / 10,
                        (percent % 10).abs(),
                        shown(margin),
                        price.currency
                    )
                })
            }
        }
    }

    /// The stock a listing shows for a supplier quantity.
    pub fn stock_for(&self, supplier: u32) -> u32 {
        let available = supplier.saturating_sub(self.safety_buffer);
        if available < self.low_stock_threshold {
            0
        } else {
            available
        }
    }

    /// Whether a change of `from` → `to` is under the noise threshold.
    pub fn is_noise(&self, from: Money, to: Money) -> bool {
        let Some(min) = self.min_price_change else {
            return false;
        };
        let delta = (i128::from(to.minor) - i128::from(from.minor)).abs();
        match min {
            Threshold::Amount(d) => delta < minor_units(d, to.currency.exponent()),
            Threshold::Percent(p) => {
                delta * 100 * 10i128.pow(p.scale)
                    < i128::from(p.mantissa) * i128::from(from.minor).abs()
            }
        }
    }

    /// Whether moving the listing price `from` → `to` is within the automatic band.
    pub fn within_auto_band(&self, from: Money, to: Money) -> bool {
        let Some(p) = self.price_auto_within else {
            return true;
        };
        let delta = (i128::from(to.minor) - i128::from(from.minor)).abs();
        delta * 100 * 10i128.pow(p.scale) <= i128::from(p.mantissa) * i128::from(from.minor).abs()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{NoiseConfig, PricingConfig, RulesConfig, StockConfig};
    use super::*;
    use catalog::Currency;

    fn cny(minor: i64) -> Money {
        Money::new(minor, Currency::CNY)
    }

    fn rules(pricing: PricingConfig) -> Rules {
        RulesConfig {
            pricing,
            ..RulesConfig::default()
        }
        .validate()
        .expect("valid")
    }

    #[test]
    fn the_pricing_rule_rounds_up_to_the_ending() {
        // (formula, ending, cost in fen, price in fen)
        let cases = [
            ("cost * 1.8 + 5", "none", 1250, 2750),
            ("cost * 1.8 + 5", ".99", 1250, 2799),
            ("cost * 1.8 + 5", ".9", 1250, 2790),
            ("cost * 1.8 + 5", "whole", 1251, 2800),
            ("cost * 1.8", ".99", 5000, 9099),
            ("cost * 2", ".99", 4950, 9999),
            ("cost * 2", ".99", 5000, 10099),
            ("cost * 1.333", "none", 100, 134),
            ("cost + 3.5", "none", 1000, 1350),
        ];
        for (formula, ending, cost, want) in cases {
            let r = rules(PricingConfig {
                formula: Some(formula.into()),
                ending: Some(ending.into()),
                ..PricingConfig::default()
            });
            assert_eq!(
                r.price_for(cny(cost)),
                Some(cny(want)),
                "{formula} {ending} at {cost}"
            );
        }
        let yen = Money::new(1280, Currency::parse("JPY").expect("jpy"));
        let r = rules(PricingConfig {
            formula: Some("cost * 1.5".into()),
            ending: Some(".99".into()),
            ..PricingConfig::default()
        });
        assert_eq!(
            r.price_for(yen).map(|m| m.minor),
            Some(1920),
            "no cents in yen: whole units"
        );
        assert_eq!(rules(PricingConfig::default()).price_for(cny(100)), None);
    }

    #[test]
    fn compare_at_is_a_factor_of_the_price_with_the_same_ending() {
        let r = rules(PricingConfig {
            compare_at: Some("1.3".into()),
            ending: Some(".99".into()),
            ..PricingConfig::default()
        });
        assert_eq!(r.compare_at_for(cny(2799)), Some(cny(3699)));
    }

    #[test]
    fn the_margin_floor_is_checked_in_percent_or_amount() {
        let percent = rules(PricingConfig {
            margin_floor: Some("20%".into()),
            ..PricingConfig::default()
        });
        assert_eq!(
            percent.margin_problem(cny(1000), cny(800)),
            None,
            "exactly 20%"
        );
        let why = percent.margin_problem(cny(1000), cny(801)).expect("19.9%");
        assert!(why.contains("19.9%") && why.contains("20%"), "{why}");
        let amount = rules(PricingConfig {
            margin_floor: Some("5.00".into()),
            ..PricingConfig::default()
        });
        assert_eq!(amount.margin_problem(cny(1500), cny(1000)), None);
        assert!(amount
            .margin_problem(cny(1499), cny(1000))
            .expect("4.99")
            .contains("4.99 CNY"));
        let usd = Money::new(100, Currency::USD);
        assert!(percent
            .margin_problem(cny(1000), usd)
            .expect("currencies")
            .contains("USD"));
    }

    #[test]
    fn stock_rule_keeps_a_buffer_and_hides_low_stock() {
        let r = RulesConfig {
            stock: StockConfig {
                safety_buffer: 2,
                low_stock_threshold: 3,
                ..StockConfig::default()
            },
            ..RulesConfig::default()
        }
        .validate()
        .expect("valid");
        let cases = [(0, 0), (1, 0), (4, 0), (5, 3), (100, 98)];
        for (supplier, shown) in cases {
            assert_eq!(r.stock_for(supplier), shown, "{supplier}");
        }
    }

    #[test]
    fn noise_and_the_automatic_band() {
        let r = RulesConfig {
            noise: NoiseConfig {
                min_price_change: Some("1%".into()),
                ..NoiseConfig::default()
            },
            ..RulesConfig::default()
        }
        .validate()
        .expect("valid");
        assert!(r.is_noise(cny(10000), cny(10099)));
        assert!(!r.is_noise(cny(10000), cny(10100)));
        assert!(r.within_auto_band(cny(10000), cny(11000)), "exactly 10%");
        assert!(!r.within_auto_band(cny(10000), cny(11001)));
    }
}
