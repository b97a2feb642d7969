//! The specsync product model and the rules that normalize what a supplier page says into it.
//!
//! Everything here is pure: no I/O, no clocks. `crawler` produces a [`RawProduct`] (strings as
//! found, each with where it came from); [`normalize()`] turns it into a [`Product`] whose variants
//! are keyed by canonical [`SpecKey`]s, with [`Money`] in integer minor units and [`Stock`].

mod listing;
mod money;
mod normalize;
mod price;
mod product;
mod raw;
mod spec;
mod spec_value;
mod stock;
mod stock_text;
mod text;

pub use listing::{Listing, ListingId, ListingIdError, ListingVariant};
pub use money::{Currency, Money, MoneyError};
pub use normalize::{normalize, NormalizeError, NormalizeRules};
pub use price::{
    currencies_next_to_numbers, currency_from_text, parse_price, parse_price_text, tier_price,
    Decimal, ParsedPrice,
};
pub use product::{Product, ProductOption, Variant};
pub use raw::{Provenance, RawProduct, RawVariant};
pub use spec::{canonical_option_name, canonical_option_value, OptionNames, SpecKey, SpecKeyError};
pub use stock::{Availability, Stock};
pub use stock_text::{parse_stock, read_stock, stock_languages, Cue, StockReading};
pub use text::{canonical_image_url, decode_entities, normalize_text};
