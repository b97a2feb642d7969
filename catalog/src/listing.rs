//! The merchant's published listing: what the store shows now.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Currency, Money, SpecKey};

/// A listing's id on the merchant's side (a store product id or handle).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ListingId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "listing id `{0}` is not valid: use 1 to 200 characters without spaces or control characters"
)]
pub struct ListingIdError(pub String);

impl ListingId {
    pub fn parse(id: &str) -> Result<Self, ListingIdError> {
        let ok = !id.is_empty()
            && id.chars().count() <= 200
            && !id.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(ListingId(id.to_owned()))
        } else {
            Err(ListingIdError(id.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ListingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ListingId {
    type Error = ListingIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ListingId::parse(&s)
    }
}

impl From<ListingId> for String {
    fn from(id: ListingId) -> String {
        id.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub id: ListingId,
    pub title: String,
    pub currency: Currency,
    /// Compared with the supplier's when the merchant imported it.
    pub description: Option<String>,
    /// Compared with the supplier's (by canonical URL) when the merchant imported them.
    pub images: Vec<String>,
    pub variants: Vec<ListingVariant>,
    /// Links the merchant confirmed: listing variant key → supplier variant key.
    pub variant_links: BTreeMap<SpecKey, SpecKey>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingVariant {
    pub key: SpecKey,
    /// Option values as the listing shows them, by canonical option name.
    pub spec: BTreeMap<String, String>,
    pub sku: Option<String>,
    /// The price the store shows.
    pub price: Money,
    /// The supplier's price this listing was last synced to; the diff compares the supplier's
    /// current price with it. Without one, the listing's own price is taken as the cost.
    pub cost: Option<Money>,
    /// The quantity the store shows; 0 is sold out.
    pub stock: u32,
}

impl ListingVariant {
    pub fn cost(&self) -> Money {
        self.cost.unwrap_or(self.price)
    }
}
