//! One difference between a supplier product and its listing.

use std::fmt;
use std::str::FromStr;

use catalog::{ListingId, SpecKey};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    PriceChanged,
    /// The cost did not change, but the listing price is not what the pricing rule gives.
    Reprice,
    StockChanged,
    OutOfStock,
    BackInStock,
    VariantAdded,
    VariantRemoved,
    SpecRenamed,
    TitleChanged,
    DescriptionChanged,
    ImagesChanged,
    /// Every variant of the product is sold out at the supplier.
    AllUnavailable,
    ProductGone,
    /// A product confirmed gone whose page answers again: its gone change is withdrawn.
    ProductBack,
    NewStyle,
    /// Two unlinked variants look alike: a link is proposed for the merchant to confirm.
    LinkProposed,
}

impl ChangeKind {
    /// Every kind, in declaration order: what storage reads kinds back by (`FromStr`).
    pub const ALL: [ChangeKind; 16] = [
        ChangeKind::PriceChanged,
        ChangeKind::Reprice,
        ChangeKind::StockChanged,
        ChangeKind::OutOfStock,
        ChangeKind::BackInStock,
        ChangeKind::VariantAdded,
        ChangeKind::VariantRemoved,
        ChangeKind::SpecRenamed,
        ChangeKind::TitleChanged,
        ChangeKind::DescriptionChanged,
        ChangeKind::ImagesChanged,
        ChangeKind::AllUnavailable,
        ChangeKind::ProductGone,
        ChangeKind::ProductBack,
        ChangeKind::NewStyle,
        ChangeKind::LinkProposed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::PriceChanged => "price_changed",
            ChangeKind::Reprice => "reprice",
            ChangeKind::StockChanged => "stock_changed",
            ChangeKind::OutOfStock => "out_of_stock",
            ChangeKind::BackInStock => "back_in_stock",
            ChangeKind::VariantAdded => "variant_added",
            ChangeKind::VariantRemoved => "variant_removed",
            ChangeKind::SpecRenamed => "spec_renamed",
            ChangeKind::TitleChanged => "title_changed",
            ChangeKind::DescriptionChanged => "description_changed",
            ChangeKind::ImagesChanged => "images_changed",
            ChangeKind::AllUnavailable => "all_unavailable",
            ChangeKind::ProductGone => "product_gone",
            ChangeKind::ProductBack => "product_back",
            ChangeKind::NewStyle => "new_style",
            ChangeKind::LinkProposed => "link_proposed",
        }
    }

    /// How the change reads to a merchant.
    pub fn label(&self) -> &'static str {
        match self {
            ChangeKind::PriceChanged => "price changed",
            ChangeKind::Reprice => "price rule",
            ChangeKind::StockChanged => "stock changed",
            ChangeKind::OutOfStock => "out of stock",
            ChangeKind::BackInStock => "back in stock",
            ChangeKind::VariantAdded => "new variant",
            ChangeKind::VariantRemoved => "variant removed",
            ChangeKind::SpecRenamed => "spec renamed",
            ChangeKind::TitleChanged => "title changed",
            ChangeKind::DescriptionChanged => "description changed",
            ChangeKind::ImagesChanged => "images changed",
            ChangeKind::AllUnavailable => "every variant sold out",
            ChangeKind::ProductGone => "product gone",
            ChangeKind::ProductBack => "product back",
            ChangeKind::NewStyle => "new style",
            ChangeKind::LinkProposed => "link proposed",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            ChangeKind::OutOfStock
            | ChangeKind::VariantRemoved
            | ChangeKind::ProductGone
            | ChangeKind::AllUnavailable => Severity::Critical,
            ChangeKind::PriceChanged | ChangeKind::SpecRenamed => Severity::Warning,
            ChangeKind::Reprice
            | ChangeKind::StockChanged
            | ChangeKind::BackInStock
            | ChangeKind::VariantAdded
            | ChangeKind::TitleChanged
            | ChangeKind::DescriptionChanged
            | ChangeKind::ImagesChanged
            | ChangeKind::NewStyle
            | ChangeKind::ProductBack
            | ChangeKind::LinkProposed => Severity::Info,
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChangeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a change kind"))
    }
}

/// How urgently a merchant should look: a critical change risks orders that cannot be filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The affected listing; `None` for a new style, which no listing sells yet.
    pub listing: Option<ListingId>,
    pub product_url: String,
    /// The affected variant (for a rename, its new key).
    pub variant: Option<SpecKey>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// What makes two changes the same: a change already pending is not recorded twice.
    pub fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.kind,
            self.listing
                .as_ref()
                .map(ListingId::as_str)
                .unwrap_or_default(),
            self.product_url,
            self.variant
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            self.after.as_deref().unwrap_or_default(),
        )
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(listing) = &self.listing {
            write!(f, "{listing}")?;
        } else {
            write!(f, "{}", self.product_url)?;
        }
        if let Some(variant) = &self.variant {
            write!(f, " [{variant}]")?;
        }
        write!(f, ": {}", self.kind.label())?;
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => write!(f, ": {b} → {a}"),
            (None, Some(a)) => write!(f, ": {a}"),
            (Some(b), None) => write!(f, " (was {b})"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a kind is declared. The match is exhaustive: a new kind does not compile until it
    /// is placed here, and the test below fails until it is in [`ChangeKind::ALL`] too.
    fn declared_at(kind: ChangeKind) -> usize {
        match kind {
            ChangeKind::PriceChanged => 0,
            ChangeKind::Reprice => 1,
            ChangeKind::StockChanged => 2,
            ChangeKind::OutOfStock => 3,
            ChangeKind::BackInStock => 4,
            ChangeKind::VariantAdded => 5,
            ChangeKind::VariantRemoved => 6,
            ChangeKind::SpecRenamed => 7,
            ChangeKind::TitleChanged => 8,
            ChangeKind::DescriptionChanged => 9,
            ChangeKind::ImagesChanged => 10,
            ChangeKind::AllUnavailable => 11,
            ChangeKind::ProductGone => 12,
            ChangeKind::ProductBack => 13,
            ChangeKind::NewStyle => 14,
            ChangeKind::LinkProposed => 15,
        }
    }

    #[test]
    fn the_list_storage_reads_kinds_by_holds_every_kind_once() {
        for (i, kind) in ChangeKind::ALL.into_iter().enumerate() {
            assert_eq!(declared_at(kind), i, "{kind}");
            assert_eq!(kind.as_str().parse::<ChangeKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("json");
            assert_eq!(
                json,
                format!("\"{}\"", kind.as_str()),
                "serde and storage agree"
            );
        }
        assert!("price_change".parse::<ChangeKind>().is_err());
    }
}
