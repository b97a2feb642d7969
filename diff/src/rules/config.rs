//! `[rules]` as written, with the defaults of each section.

use serde::Deserialize;

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
