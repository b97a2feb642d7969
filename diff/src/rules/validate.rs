//! `[rules]` as written → the validated [`Rules`]; every error names its key.

use catalog::Decimal;

use super::{
    bad, Ending, Formula, Policy, Rules, RulesConfig, RulesError, Threshold, WhenUnavailable,
};

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

#[cfg(test)]
mod tests {
    use super::*;

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
