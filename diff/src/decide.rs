//! Changes → proposals: for each change, the update it would make to the listing, the action
//! the merchant's rules allow (apply, hold for approval, alert only, ignore) and why.
//!
//! Invariant 3 lives here: an update that would set a price under the margin floor is never
//! applied automatically; it is held, and the reason says so.

use catalog::{Listing, Money, Product, SpecKey};
use serde::{Deserialize, Serialize};

use crate::compare::target_stock;
use crate::link::link_variants;
use crate::rules::WhenUnavailable;
use crate::{Change, ChangeKind, Policy, Rules};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Update the listing without asking.
    Apply,
    /// The update waits for the merchant's approval.
    Hold,
    /// Tell the merchant; there is nothing to update automatically.
    Alert,
    /// Noise: not recorded, not alerted.
    Ignore,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Apply => "apply",
            Action::Hold => "hold",
            Action::Alert => "alert",
            Action::Ignore => "ignore",
        }
    }
}

/// An update to the merchant's listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "update", rename_all = "snake_case")]
pub enum Update {
    SetPrice {
        variant: SpecKey,
        /// Decimal strings in the listing's currency.
        price: String,
        compare_at: Option<String>,
        /// The supplier cost this price follows.
        cost: String,
    },
    SetStock {
        variant: SpecKey,
        quantity: u32,
    },
    UnpublishVariant {
        variant: SpecKey,
    },
    UnpublishProduct,
    RenameVariant {
        from: SpecKey,
        to: SpecKey,
    },
    /// Link this listing variant to that supplier variant (`specsync link --confirm`).
    LinkVariant {
        listing: SpecKey,
        supplier: SpecKey,
    },
    SetTitle {
        title: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    #[serde(flatten)]
    pub change: Change,
    pub action: Action,
    pub update: Option<Update>,
    /// Why this action, for the merchant.
    pub why: String,
}

/// Decides what each change of `listing` against `product` leads to.
pub fn decide(
    listing: &Listing,
    product: &Product,
    changes: Vec<Change>,
    rules: &Rules,
) -> Vec<Proposal> {
    changes
        .into_iter()
        .map(|c| decide_one(listing, product, c, rules))
        .collect()
}

fn decide_one(listing: &Listing, product: &Product, change: Change, rules: &Rules) -> Proposal {
    let proposal = |change: Change, action, update, why: String| Proposal {
        change,
        action,
        update,
        why,
    };
    let variant = change.variant.clone();
    match change.kind {
        ChangeKind::PriceChanged | ChangeKind::Reprice => {
            let Some((listed, cost)) = variant.as_ref().and_then(|k| prices(listing, product, k))
            else {
                return proposal(
                    change,
                    Action::Alert,
                    None,
                    "the variant's prices could not be read".into(),
                );
            };
            decide_price(change, listed, cost, rules)
        }
        ChangeKind::StockChanged | ChangeKind::OutOfStock | ChangeKind::BackInStock => {
            decide_stock(listing, product, change, rules)
        }
        ChangeKind::VariantRemoved => {
            let update = variant.map(|variant| Update::UnpublishVariant { variant });
            by_policy(
                change,
                update,
                rules,
                "the supplier no longer sells this variant",
            )
        }
        ChangeKind::SpecRenamed => {
            let from = change
                .before
                .as_deref()
                .and_then(|b| SpecKey::parse(b).ok());
            let update = from
                .zip(variant)
                .map(|(from, to)| Update::RenameVariant { from, to });
            by_policy(change, update, rules, "same SKU under a new spec")
        }
        ChangeKind::TitleChanged => {
            let update = change.after.clone().map(|title| Update::SetTitle { title });
            by_policy(change, update, rules, "the supplier renamed the product")
        }
        ChangeKind::ProductGone => by_policy(
            change,
            Some(Update::UnpublishProduct),
            rules,
            "the supplier's page is gone (confirmed)",
        ),
        ChangeKind::ProductBack => proposal(
            change,
            Action::Alert,
            None,
            "the supplier's page answers again: the product is not gone (publish the listing again if it was unpublished)".into(),
        ),
        ChangeKind::AllUnavailable => match rules.when_unavailable {
            WhenUnavailable::UnpublishProduct => by_policy(
                change,
                Some(Update::UnpublishProduct),
                rules,
                "every variant is sold out at the supplier",
            ),
            WhenUnavailable::SetZero
            | WhenUnavailable::UnpublishVariant
            | WhenUnavailable::AlertOnly => by_policy(
                change,
                None,
                rules,
                "every variant is sold out at the supplier",
            ),
        },
        ChangeKind::DescriptionChanged | ChangeKind::ImagesChanged => by_policy(
            change,
            None,
            rules,
            "update the listing's content if you follow the supplier's",
        ),
        ChangeKind::LinkProposed => {
            let keys = change
                .before
                .as_deref()
                .and_then(|b| SpecKey::parse(b).ok())
                .zip(variant);
            let score = keys
                .as_ref()
                .and_then(|(l, s)| crate::link::fuzzy_score(l, s))
                .unwrap_or(0.0);
            let why = format!(
                "{:.0}% alike: confirm with `specsync link --confirm {}`",
                score * 100.0,
                listing.id
            );
            let update = keys.map(|(listing, supplier)| Update::LinkVariant { listing, supplier });
            proposal(change, Action::Hold, update, why)
        }
        ChangeKind::VariantAdded | ChangeKind::NewStyle => proposal(
            change,
            Action::Alert,
            None,
            "a new variant or style needs your decision to list it".into(),
        ),
    }
}

/// What a change that needs no product page leads to (a product gone, a new style).
pub fn decide_without_product(change: Change, rules: &Rules) -> Proposal {
    match change.kind {
        ChangeKind::ProductGone => by_policy(
            change,
            Some(Update::UnpublishProduct),
            rules,
            "the supplier's page is gone (confirmed)",
        ),
        ChangeKind::ProductBack => Proposal {
            change,
            action: Action::Alert,
            update: None,
            why: "the supplier's page answers again: the product is not gone (publish the listing again if it was unpublished)".into(),
        },
        ChangeKind::NewStyle | ChangeKind::VariantAdded => Proposal {
            change,
            action: Action::Alert,
            update: None,
            why: "a new variant or style needs your decision to list it".into(),
        },
        // Found without the supplier's page at hand: no update can be computed, so it is an
        // alert, and nothing changes by itself.
        ChangeKind::PriceChanged
        | ChangeKind::Reprice
        | ChangeKind::StockChanged
        | ChangeKind::OutOfStock
        | ChangeKind::BackInStock
        | ChangeKind::VariantRemoved
        | ChangeKind::SpecRenamed
        | ChangeKind::TitleChanged
        | ChangeKind::DescriptionChanged
        | ChangeKind::ImagesChanged
        | ChangeKind::AllUnavailable
        | ChangeKind::LinkProposed => by_policy(
            change,
            None,
            rules,
            "found without the supplier's page at hand",
        ),
    }
}

/// The listing's price and the supplier's current price of the variant the change names.
fn prices(listing: &Listing, product: &Product, key: &SpecKey) -> Option<(Money, Money)> {
    let links = link_variants(listing, product);
    let (lv, sv) = links.pairs.iter().find(|(_, sv)| sv.key == *key)?;
    Some((lv.price, sv.price?))
}

fn decide_price(change: Change, listed: Money, cost: Money, rules: &Rules) -> Proposal {
    let proposal = |action, update, why: String| Proposal {
        change: change.clone(),
        action,
        update,
        why,
    };
    if change.kind == ChangeKind::PriceChanged {
        let old = change
            .before
            .as_deref()
            .and_then(|b| Money::parse_decimal(b, cost.currency).ok());
        if old.is_some_and(|old| rules.is_noise(old, cost)) {
            return proposal(
                Action::Ignore,
                None,
                "the cost moved by less than your noise threshold".into(),
            );
        }
    }
    let Some(price) = rules.price_for(cost) else {
        // No pricing rule: the price is the merchant's; say whether it still pays.
        let why = match rules.margin_problem(listed, cost) {
            Some(problem) => {
                format!("at the new cost of {cost}, your price of {listed} leaves {problem}")
            }
            None => format!(
                "the supplier's price is now {cost}; you set your own prices (no pricing rule)"
            ),
        };
        return proposal(Action::Alert, None, why);
    };
    let update = Update::SetPrice {
        variant: change.variant.clone().unwrap_or_default(),
        price: price.amount_string(),
        compare_at: rules.compare_at_for(price).map(|m| m.amount_string()),
        cost: cost.amount_string(),
    };
    if let Some(problem) = rules.margin_problem(price, cost) {
        let why = format!("held: the rule's price of {price} at a cost of {cost} leaves {problem}");
        return proposal(Action::Hold, Some(update), why);
    }
    match rules.price {
        Policy::Auto if rules.within_auto_band(listed, price) => {
            proposal(Action::Apply, Some(update), format!("{listed} → {price} by your pricing rule, within the automatic band"))
        }
        Policy::Auto => proposal(
            Action::Hold,
            Some(update),
            format!("held: {listed} → {price} is a larger move than your automatic band (rules.actions.price_auto_within)"),
        ),
        Policy::Hold => proposal(Action::Hold, Some(update), format!("{listed} → {price} by your pricing rule; price updates wait for approval")),
        Policy::Alert => proposal(Action::Alert, Some(update), format!("your pricing rule gives {price}; price changes are alerts only")),
    }
}

fn decide_stock(listing: &Listing, product: &Product, change: Change, rules: &Rules) -> Proposal {
    let Some(key) = change.variant.clone() else {
        return by_policy(change, None, rules, "stock changed");
    };
    let links = link_variants(listing, product);
    let target = links
        .pairs
        .iter()
        .find(|(_, sv)| sv.key == key)
        .and_then(|(_, sv)| target_stock(sv, rules));
    let Some(quantity) = target else {
        let why = "the supplier sells it again but shows no count: set the stock by hand";
        return Proposal {
            change,
            action: Action::Alert,
            update: None,
            why: why.into(),
        };
    };
    if quantity > 0 {
        let why = format!("show {quantity} (the supplier's count, less your safety buffer)");
        return by_policy(
            change,
            Some(Update::SetStock {
                variant: key,
                quantity,
            }),
            rules,
            &why,
        );
    }
    let all_unavailable = product
        .variants
        .iter()
        .all(|v| v.stock.status == catalog::Availability::OutOfStock);
    let (update, why) = match rules.when_unavailable {
        WhenUnavailable::SetZero => (
            Some(Update::SetStock {
                variant: key,
                quantity: 0,
            }),
            "sold out at the supplier: show 0",
        ),
        WhenUnavailable::UnpublishVariant => (
            Some(Update::UnpublishVariant { variant: key }),
            "sold out at the supplier: unpublish the variant",
        ),
        WhenUnavailable::UnpublishProduct if all_unavailable => (
            Some(Update::UnpublishProduct),
            "every variant is sold out: unpublish the product",
        ),
        WhenUnavailable::UnpublishProduct => (
            Some(Update::SetStock {
                variant: key,
                quantity: 0,
            }),
            "sold out at the supplier: show 0 (other variants still sell)",
        ),
        WhenUnavailable::AlertOnly => (None, "sold out at the supplier"),
    };
    by_policy(change, update, rules, why)
}

/// The kind's policy decides; without an update there is only an alert.
fn by_policy(change: Change, update: Option<Update>, rules: &Rules, what: &str) -> Proposal {
    let policy = rules.policy(change.kind);
    let (action, why) = match (&update, policy) {
        (None, _) => (Action::Alert, what.to_owned()),
        (Some(_), Policy::Auto) => (Action::Apply, format!("{what}; updated automatically")),
        (Some(_), Policy::Hold) => (Action::Hold, format!("{what}; waits for your approval")),
        (Some(_), Policy::Alert) => (Action::Alert, format!("{what}; alert only")),
    };
    Proposal {
        change,
        action,
        update,
        why,
    }
}
