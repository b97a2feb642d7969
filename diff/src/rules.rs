//! The merchant's sync rules: how a listing's price follows the supplier's cost, what stock it
//! shows, what each kind of change may do on its own, and what is noise.
//!
//! Configuration (`[rules]` in specsync.toml) is parsed into [`RulesConfig`] and validated once
//! into [`Rules`]; every error names the key. All arithmetic is on integer minor units.

use serde::Deserialize;

use crate::ChangeKind;
use catalog::{Decimal, Money};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("rules.{key}: `{value}` {expected}")]
pub struct RulesError {
    pub key: String,
    pub value: String,
    pub expected: &'static str,
}

fn bad(key: &str, value: &str, expected: &'static str) -> RulesError {
    RulesError {
        key: key.to_owned(),
        value: value.to_owned(),
        expected,
    }
}

/// `[rules]` as written.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    pub pricing: PricingConfig,
    pub stock: StockConfig,
    pub actions: ActionsConfig,
    pub noise: NoiseConfig,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PricingConfig {
    /// `cost * 1.8 + 5`; none: listing prices are the merchant's and only alerts follow a cost.
    pub formula: Option<String>,
    /// `.99`, `.9`, `whole`, or `none` (to the cent).
    pub ending: Option<String>,
    /// Compare-at price as a factor of the price, e.g. `1.3`.
    pub compare_at: Option<String>,
    /// `20%` of the price, or an amount such as `5.00`.
    pub margin_floor: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct StockConfig {
    pub safety_buffer: u32,
    pub low_stock_threshold: u32,
    /// `set_zero`, `unpublish_variant`, `unpublish_product` or `alert_only`.
    pub when_unavailable: String,
}

impl Default for StockConfig {
    fn default() -> Self {
        StockConfig {
            safety_buffer: 0,
            low_stock_threshold: 0,
            when_unavailable: "set_zero".into(),
        }
    }
}

/// Per change kind: `auto`, `hold` or `alert`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ActionsConfig {
    pub price: String,
    /// Automatic price updates only within this change of the listing price, e.g. `10%`.
    pub price_auto_within: Option<String>,
    pub stock: String,
    pub variant_added: String,
    pub variant_removed: String,
    pub spec_renamed: String,
    pub title: String,
    pub product_gone: String,
}

impl Default for ActionsConfig {
    fn default() -> Self {
        ActionsConfig {
            price: "alert".into(),
            price_auto_within: Some("10%".into()),
            stock: "alert".into(),
            variant_added: "alert".into(),
            variant_removed: "hold".into(),
            spec_renamed: "hold".into(),
            title: "alert".into(),
            product_gone: "hold".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct NoiseConfig {
    /// A cost change smaller than this (`1%` or `0.50`) is ignored.
    pub min_price_change: Option<String>,
    /// A change that comes back within this many crawls after it went away is recorded but not
    /// alerted again.
    pub flap_crawls: u32,
}

impl Default for NoiseConfig {
    fn default() -> Self {
        NoiseConfig {
            min_price_change: None,
            flap_crawls: 3,
        }
    }
}

/// What a change may do by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Update the listing automatically.
    Auto,
    /// Propose the update; it waits for the merchant's approval.
    Hold,
    /// Tell the merchant; propose nothing.
    Alert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// To the cent (or the currency's minor unit), rounded up.
    None,
    /// Up to the next whole unit.
    Whole,
    /// Up to the next price ending in these minor units (`.99` → 99, `.9` → 90).
    Cents(i64),
}

/// `20%` of the price, or an absolute amount of margin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    Percent(Decimal),
    Amount(Decimal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenUnavailable {
    SetZero,
    UnpublishVariant,
    UnpublishProduct,
    AlertOnly,
}

/// `cost × factor + offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formula {
    pub factor: Decimal,
    pub offset: Decimal,
}

/// The validated rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    pub formula: Option<Formula>,
    pub ending: Ending,
    pub compare_at: Option<Decimal>,
    pub margin_floor: Option<Threshold>,
    pub safety_buffer: u32,
    pub low_stock_threshold: u32,
    pub when_unavailable: WhenUnavailable,
    pub price: Policy,
    pub price_auto_within: Option<Decimal>,
    pub stock: Policy,
    pub variant_added: Policy,
    pub variant_removed: Policy,
    pub spec_renamed: Policy,
    pub title: Policy,
    pub product_gone: Policy,
    pub min_price_change: Option<Threshold>,
    pub flap_crawls: u32,
}

impl Default for Rules {
    fn default() -> Self {
        RulesConfig::default()
            .validate()
            .unwrap_or_else(|_| unreachable!("the defaults are valid"))
    }
}

fn decimal(key: &str, text: &str) -> Result<Decimal, RulesError> {
    let t = text.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let ok = !t.is_empty()
        && !int.starts_with('-')
        && (int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()))
        && frac.len() <= 6;
    let mantissa = ok
        .then(|| format!("{int}{frac}").parse::<i64>().ok())
        .flatten();
    mantissa
        .map(|mantissa| Decimal {
            mantissa,
            scale: frac.len() as u32,
        })
        .ok_or_else(|| bad(key, text, "is not a decimal number such as 1.8"))
}

fn threshold(key: &str, text: &str) -> Result<Threshold, RulesError> {
    match text.trim().strip_suffix('%') {
        Some(p) => decimal(key, p).map(Threshold::Percent),
        None => decimal(key, text).map(Threshold::Amount),
    }
}

fn policy(key: &str, text: &str) -> Result<Policy, RulesError> {
    match text {
        "auto" => Ok(Policy::Auto),
        "hold" => Ok(Policy::Hold),
        "alert" => Ok(Policy::Alert),
        _ => Err(bad(key, text, "is not one of auto, hold, alert")),
    }
}

/// `cost * 1.8 + 5`, `cost*2`, `cost + 3.5`, `cost * 1.2 - 1`.
pub fn parse_formula(text: &str) -> Result<Formula, RulesError> {
    let err = || {
        bad(
            "pricing.formula",
            text,
            "is not of the form `cost * FACTOR + AMOUNT`",
        )
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = compact.strip_prefix("cost").ok_or_else(err)?;
    let (factor, rest) = match rest.strip_prefix('*') {
        Some(r) => {
            let end = r.find(['+', '-']).unwrap_or(r.len());
            (
                decimal("pricing.formula", &r[..end]).map_err(|_| err())?,
                &r[end..],
            )
        }
        None => (
            Decimal {
                mantissa: 1,
                scale: 0,
            },
            rest,
        ),
    };
    let offset = match rest.chars().next() {
        None => Decimal {
            mantissa: 0,
            scale: 0,
        },
        Some(sign @ ('+' | '-')) => {
            let d = decimal("pricing.formula", &rest[1..]).map_err(|_| err())?;
            Decimal {
                mantissa: if sign == '-' { -d.mantissa } else { d.mantissa },
                scale: d.scale,
            }
        }
        Some(_) => return Err(err()),
    };
    Ok(Formula { factor, offset })
}

impl RulesConfig {
    pub fn validate(&self) -> Result<Rules, RulesError> {
        let p = &self.pricing;
        let ending = match p.ending.as_deref() {
            None | Some("none") => Ending::None,
            Some("whole") => Ending::Whole,
            Some(e) => {
                let digits = e.strip_prefix('.').filter(|d| {
                    (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())
                });
                let digits = digits.ok_or_else(|| {
                    bad("pricing.ending", e, "is not one of .99, .9, whole, none")
                })?;
                let cents: i64 = format!("{digits:0<2}")
                    .parse()
                    .map_err(|_| bad("pricing.ending", e, "is not an ending"))?;
                Ending::Cents(cents)
            }
        };
        let s = &self.stock;
        let when_unavailable = match s.when_unavailable.as_str() {
            "set_zero" => WhenUnavailable::SetZero,
            "unpublish_variant" => WhenUnavailable::UnpublishVariant,
            "unpublish_product" => WhenUnavailable::UnpublishProduct,
            "alert_only" => WhenUnavailable::AlertOnly,
            other => {
                return Err(bad(
                    "stock.when_unavailable",
                    other,
                    "is not one of set_zero, unpublish_variant, unpublish_product, alert_only",
                ))
            }
        };
        let a = &self.actions;
        let price_auto_within = match a.price_auto_within.as_deref() {
            None => None,
            Some(w) => match threshold("actions.price_auto_within", w)? {
                Threshold::Percent(d) => Some(d),
                Threshold::Amount(_) => {
                    return Err(bad(
                        "actions.price_auto_within",
                        w,
                        "is not a percentage such as 10%",
                    ))
                }
            },
        };
        Ok(Rules {
            formula: p.formula.as_deref().map(parse_formula).transpose()?,
            ending,
            compare_at: p
                .compare_at
                .as_deref()
                .map(|c| decimal("pricing.compare_at", c))
                .transpose()?,
            margin_floor: p
                .margin_floor
                .as_deref()
                .map(|m| threshold("pricing.margin_floor", m))
                .transpose()?,
            safety_buffer: s.safety_buffer,
            low_stock_threshold: s.low_stock_threshold,
            when_unavailable,
            price: policy("actions.price", &a.price)?,
            price_auto_within,
            stock: policy("actions.stock", &a.stock)?,
            variant_added: policy("actions.variant_added", &a.variant_added)?,
            variant_removed: policy("actions.variant_removed", &a.variant_removed)?,
            spec_renamed: policy("actions.spec_renamed", &a.spec_renamed)?,
            title: policy("actions.title", &a.title)?,
            product_gone: policy("actions.product_gone", &a.product_gone)?,
            min_price_change: self
                .noise
                .min_price_change
                .as_deref()
                .map(|m| threshold("noise.min_price_change", m))
                .transpose()?,
            flap_crawls: self.noise.flap_crawls,
        })
    }
}

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
            ChangeKind::ProductGone => self.product_gone,
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
    fn formulas_parse() {
        let f = parse_formula("cost * 1.8 + 5").expect("formula");
        assert_eq!(
            (f.factor.mantissa, f.factor.scale, f.offset.mantissa),
            (18, 1, 5)
        );
        let f = parse_formula("cost+3.5").expect("formula");
        assert_eq!(
            (f.factor.mantissa, f.offset.mantissa, f.offset.scale),
            (1, 35, 1)
        );
        assert_eq!(
            parse_formula("cost*1.2-1")
                .expect("formula")
                .offset
                .mantissa,
            -1
        );
        for bad in [
            "price * 2",
            "cost * x",
            "cost ^ 2",
            "cost * 1.8 + ",
            "2 * cost",
        ] {
            let err = parse_formula(bad).expect_err(bad);
            assert!(err.to_string().contains("rules.pricing.formula"), "{err}");
        }
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

    #[test]
    fn bad_rules_name_the_key() {
        let mut c = RulesConfig::default();
        c.actions.price = "sometimes".into();
        assert!(c
            .validate()
            .expect_err("policy")
            .to_string()
            .contains("rules.actions.price"));
        let mut c = RulesConfig::default();
        c.pricing.ending = Some(".999".into());
        assert!(c
            .validate()
            .expect_err("ending")
            .to_string()
            .contains("rules.pricing.ending"));
        let mut c = RulesConfig::default();
        c.pricing.margin_floor = Some("lots".into());
        assert!(c
            .validate()
            .expect_err("floor")
            .to_string()
            .contains("rules.pricing.margin_floor"));
        let mut c = RulesConfig::default();
        c.stock.when_unavailable = "panic".into();
        assert!(c
            .validate()
            .expect_err("stock")
            .to_string()
            .contains("rules.stock.when_unavailable"));
    }
}
