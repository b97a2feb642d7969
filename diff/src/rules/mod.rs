//! The merchant's sync rules: how a listing's price follows the supplier's cost, what stock it
//! shows, what each kind of change may do on its own, and what is noise.
//!
//! Configuration (`[rules]` in specsync.toml) is parsed into [`RulesConfig`] (`config.rs`) and
//! validated once into [`Rules`] (`validate.rs`); every error names the key. The arithmetic
//! (`pricing.rs`) is on integer minor units.

mod config;
mod pricing;
mod validate;

use catalog::Decimal;

pub use config::{ActionsConfig, NoiseConfig, PricingConfig, RulesConfig, StockConfig};
pub use validate::parse_formula;

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
