//! The specsync product model and the rules that normalize what a supplier page says into it.
//!
//! Everything here is pure: no I/O, no clocks. `crawler` produces a [`RawProduct`] (strings as
//! found, each with where it came from); [`normalize()`] turns it into a [`Product`] whose variants
//! are keyed by canonical [`SpecKey`]s, with [`Money`] in integer minor units and [`Stock`].

mod listing;
mod money;
mod normalize;
mod product;
mod raw;
mod spec;
mod stock;

pub use listing::{Listing, ListingId, ListingIdError, ListingVariant};
pub use money::{Currency, Money, MoneyError};
pub use normalize::{normalize, parse_price, NormalizeError};
pub use product::{Product, ProductOption, Variant};
pub use raw::{Provenance, RawProduct, RawVariant};
pub use spec::{canonical_option_name, canonical_option_value, SpecKey, SpecKeyError};
pub use stock::{Availability, Stock};
