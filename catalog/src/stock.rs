//! Stock: an availability status and, where the page says it, a quantity.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    InStock,
    OutOfStock,
    Preorder,
    #[default]
    Unknown,
}

impl Availability {
    /// Reads a schema.org availability (`https://schema.org/InStock`) or a phrase in any of the
    /// languages [`crate::parse_stock`] knows.
    pub fn parse(text: &str) -> Availability {
        crate::parse_stock(text).status
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Availability::InStock => "in_stock",
            Availability::OutOfStock => "out_of_stock",
            Availability::Preorder => "preorder",
            Availability::Unknown => "unknown",
        }
    }

    /// Whether a buyer can order it now (preorder counts: the supplier takes the order).
    pub fn is_orderable(&self) -> bool {
        matches!(self, Availability::InStock | Availability::Preorder)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Stock {
    pub status: Availability,
    pub quantity: Option<u32>,
}

impl Stock {
    pub fn new(status: Availability, quantity: Option<u32>) -> Self {
        // A quantity of zero is out of stock whatever the status text says.
        let status = match quantity {
            Some(0) if status != Availability::Preorder => Availability::OutOfStock,
            Some(_) if status == Availability::Unknown => Availability::InStock,
            _ => status,
        };
        Stock { status, quantity }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_org_urls_and_phrases_map_to_statuses() {
        let cases = [
            ("https://schema.org/InStock", Availability::InStock),
            ("http://schema.org/OutOfStock", Availability::OutOfStock),
            ("PreOrder", Availability::Preorder),
            ("缺货", Availability::OutOfStock),
            ("现货", Availability::InStock),
            ("maybe", Availability::Unknown),
        ];
        for (text, want) in cases {
            assert_eq!(Availability::parse(text), want, "{text}");
        }
    }

    #[test]
    fn zero_quantity_means_out_of_stock() {
        assert_eq!(
            Stock::new(Availability::InStock, Some(0)).status,
            Availability::OutOfStock
        );
        assert_eq!(
            Stock::new(Availability::Unknown, Some(4)).status,
            Availability::InStock
        );
    }
}
