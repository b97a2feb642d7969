//! The raw product: strings exactly as a page shows them, each with where it came from.
//! `crawler`'s extractors produce it; [`crate::normalize()`] turns it into a [`crate::Product`].

use serde::Serialize;

/// Where a value was read, e.g. `json-ld[2].offers[3].price` or `table.variant-table row 4`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub field: String,
    pub from: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RawProduct {
    pub url: String,
    pub title: Option<String>,
    pub brand: Option<String>,
    pub sku: Option<String>,
    pub currency: Option<String>,
    pub description: Option<String>,
    pub images: Vec<String>,
    /// Option labels in page order (`颜色`, `尺码`).
    pub option_labels: Vec<String>,
    pub variants: Vec<RawVariant>,
    pub provenance: Vec<Provenance>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RawVariant {
    /// `(label, value)` as shown, in the order of `RawProduct::option_labels`.
    pub spec: Vec<(String, String)>,
    pub sku: Option<String>,
    pub price: Option<String>,
    pub compare_at: Option<String>,
    pub currency: Option<String>,
    pub availability: Option<String>,
    pub quantity: Option<String>,
}

impl RawProduct {
    pub fn note(&mut self, field: impl Into<String>, from: impl Into<String>) {
        self.provenance.push(Provenance {
            field: field.into(),
            from: from.into(),
        });
    }
}
