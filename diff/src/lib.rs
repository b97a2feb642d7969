//! Comparing a supplier product with the merchant's listing → changes. Pure.
//!
//! Variants are linked by canonical spec key, then by SKU. Unlinked variants on either side are
//! reported (added / removed), never dropped; a removed and an added variant that share a SKU are
//! one rename; look-alike unlinked pairs are proposed as links. The merchant's rules (`rules/`)
//! decide what each change does (`decide`).

mod change;
mod compare;
mod decide;
mod link;
pub mod rules;
mod text;

pub use change::{Change, ChangeKind, Severity};
pub use compare::{compare, new_style, product_back, product_gone, unread};
pub use decide::{decide, decide_without_product, Action, Proposal, Update};
pub use rules::{Policy, Rules, RulesConfig, RulesError};
pub use text::{render_text_diff, similarity};
