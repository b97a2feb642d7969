//! `(Listing, Product)` → changes.

use catalog::{Availability, Listing, ListingVariant, Product, SpecKey, Variant};

use crate::link::{fuzzy_links, link_variants};
use crate::{Change, ChangeKind, Rules};

/// The kinds of change a product's page gave nothing to compare for: a description or images
/// it does not offer were not read. Such a change is neither found nor gone: an open one stays
/// open until the page shows the field again.
pub fn unread(product: &Product) -> Vec<ChangeKind> {
    let mut unread = Vec::new();
    let description = product.description.as_deref().unwrap_or_default();
    if catalog::normalize_text(description).is_empty() {
        unread.push(ChangeKind::DescriptionChanged);
    }
    if product.images.is_empty() {
        unread.push(ChangeKind::ImagesChanged);
    }
    unread
}

/// Every difference between what the supplier sells now and what the listing shows, under the
/// merchant's rules (stock is compared with what the rules would show; a listing price off the
/// pricing rule at an unchanged cost is a `reprice`).
pub fn compare(listing: &Listing, product: &Product, rules: &Rules) -> Vec<Change> {
    let mut changes = Vec::new();
    let change =
        |kind, variant: Option<&SpecKey>, before: Option<String>, after: Option<String>| Change {
            kind,
            listing: Some(listing.id.clone()),
            product_url: product.url.clone(),
            variant: variant.cloned(),
            before,
            after,
        };
    if catalog::normalize_text(&listing.title) != catalog::normalize_text(&product.title) {
        changes.push(change(
            ChangeKind::TitleChanged,
            None,
            Some(listing.title.clone()),
            Some(product.title.clone()),
        ));
    }
    // A description or images the page does not offer (its structured data gone or cut short,
    // a template that stopped showing them) were not read: that is no change, not "now empty".
    let description = product
        .description
        .as_deref()
        .filter(|_| !unread(product).contains(&ChangeKind::DescriptionChanged));
    if let (Some(listed), Some(supplier)) = (&listing.description, description) {
        if catalog::normalize_text(listed) != catalog::normalize_text(supplier) {
            changes.push(change(
                ChangeKind::DescriptionChanged,
                None,
                Some(listed.clone()),
                Some(supplier.to_owned()),
            ));
        }
    }
    if !listing.images.is_empty() && !unread(product).contains(&ChangeKind::ImagesChanged) {
        let canonical = |urls: &[String]| -> std::collections::BTreeSet<String> {
            urls.iter()
                .map(|u| catalog::canonical_image_url(u))
                .collect()
        };
        let (listed, supplier) = (canonical(&listing.images), canonical(&product.images));
        if listed != supplier {
            let added = supplier.difference(&listed).count();
            let removed = listed.difference(&supplier).count();
            changes.push(change(
                ChangeKind::ImagesChanged,
                None,
                Some(format!("{} images", listed.len())),
                Some(format!(
                    "{} images ({added} new, {removed} gone)",
                    supplier.len()
                )),
            ));
        }
    }
    // Sold out only when every variant says so: an `unknown` reading is no change.
    let sold_out = !product.variants.is_empty()
        && product
            .variants
            .iter()
            .all(|v| v.stock.status == Availability::OutOfStock);
    if sold_out && listing.variants.iter().any(|v| v.stock > 0) {
        changes.push(change(ChangeKind::AllUnavailable, None, None, None));
    }
    let links = link_variants(listing, product);
    for (lv, sv) in &links.pairs {
        changes.extend(
            compare_variant(lv, sv, rules)
                .into_iter()
                .map(|(kind, before, after)| {
                    change(kind, Some(&sv.key), Some(before), Some(after))
                }),
        );
    }
    for (lv, sv) in &links.renamed {
        changes.push(change(
            ChangeKind::SpecRenamed,
            Some(&sv.key),
            Some(lv.key.to_string()),
            Some(sv.key.to_string()),
        ));
    }
    // A look-alike pair (卡其 ↔ 卡其色) is one proposal to link them, not also a variant removed
    // (which would propose unpublishing it) and one added: the merchant confirms the link
    // (`specsync link --confirm`) or the pair is told as removed and added once the listing's
    // variant no longer has a look-alike.
    let proposed = fuzzy_links(&links.listing_only, &links.supplier_only);
    for (lv, sv) in &proposed {
        changes.push(change(
            ChangeKind::LinkProposed,
            Some(&sv.key),
            Some(lv.key.to_string()),
            Some(sv.key.to_string()),
        ));
    }
    for lv in &links.listing_only {
        if proposed.iter().any(|(l, _)| l.key == lv.key) {
            continue;
        }
        changes.push(change(
            ChangeKind::VariantRemoved,
            Some(&lv.key),
            Some(lv.price.amount_string()),
            None,
        ));
    }
    for sv in &links.supplier_only {
        if proposed.iter().any(|(_, s)| s.key == sv.key) {
            continue;
        }
        changes.push(change(
            ChangeKind::VariantAdded,
            Some(&sv.key),
            None,
            sv.price.map(|m| m.amount_string()),
        ));
    }
    changes.sort_by(|a, b| (a.kind, &a.variant).cmp(&(b.kind, &b.variant)));
    changes
}

/// A product whose page is confirmed gone.
pub fn product_gone(listing: &Listing, product_url: &str) -> Change {
    Change {
        kind: ChangeKind::ProductGone,
        listing: Some(listing.id.clone()),
        product_url: product_url.to_owned(),
        variant: None,
        before: Some(listing.title.clone()),
        after: None,
    }
}

/// A product confirmed gone whose page answers again.
pub fn product_back(listing: &Listing, product: &Product) -> Change {
    Change {
        kind: ChangeKind::ProductBack,
        listing: Some(listing.id.clone()),
        product_url: product.url.clone(),
        variant: None,
        before: None,
        after: Some(product.title.clone()),
    }
}

/// A product that appeared in a source's catalogue.
pub fn new_style(product: &Product) -> Change {
    Change {
        kind: ChangeKind::NewStyle,
        listing: None,
        product_url: product.url.clone(),
        variant: None,
        before: None,
        after: Some(product.title.clone()),
    }
}

fn compare_variant(
    lv: &ListingVariant,
    sv: &Variant,
    rules: &Rules,
) -> Vec<(ChangeKind, String, String)> {
    let mut out = Vec::new();
    if let Some(price) = sv.price {
        let cost = lv.cost();
        if price != cost {
            out.push((
                ChangeKind::PriceChanged,
                cost.amount_string(),
                price.amount_string(),
            ));
        } else if let Some(target) = rules.price_for(price).filter(|t| *t != lv.price) {
            out.push((
                ChangeKind::Reprice,
                lv.price.amount_string(),
                target.amount_string(),
            ));
        }
    }
    // A stock text that could not be read for sure (`unknown`) changes nothing: it is never
    // taken for in stock, nor for sold out.
    if sv.stock.status == Availability::Unknown {
        return out;
    }
    let listed = lv.stock > 0;
    match target_stock(sv, rules) {
        Some(0) if listed => {
            out.push((ChangeKind::OutOfStock, lv.stock.to_string(), "0".to_owned()))
        }
        Some(q) if q > 0 && !listed => {
            out.push((ChangeKind::BackInStock, lv.stock.to_string(), q.to_string()))
        }
        Some(q) if q > 0 && q != lv.stock => out.push((
            ChangeKind::StockChanged,
            lv.stock.to_string(),
            q.to_string(),
        )),
        // Orderable without a count: back in stock shows as the status (`in_stock`, `preorder`).
        None if !listed => out.push((
            ChangeKind::BackInStock,
            lv.stock.to_string(),
            sv.stock.status.as_str().to_owned(),
        )),
        _ => {}
    }
    out
}

/// The stock the listing should show for the supplier's: the rules applied to the count, 0 when
/// the supplier cannot sell it, `None` when it can but says no count.
pub(crate) fn target_stock(sv: &Variant, rules: &Rules) -> Option<u32> {
    match (sv.stock.quantity, sv.stock.status.is_orderable()) {
        (_, false) => Some(0),
        (Some(q), true) => Some(rules.stock_for(q)),
        (None, true) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::fuzzy_score;
    use catalog::{Availability, Currency, ListingId, Money, Stock};
    use std::collections::BTreeMap;

    fn key(s: &str) -> SpecKey {
        SpecKey::parse(s).expect("key")
    }

    fn variant(
        k: &str,
        sku: &str,
        price: i64,
        stock: Option<u32>,
        status: Availability,
    ) -> Variant {
        Variant {
            key: key(k),
            spec: BTreeMap::new(),
            sku: Some(sku.into()),
            price: Some(Money::new(price, Currency::CNY)),
            compare_at: None,
            stock: Stock::new(status, stock),
        }
    }

    fn listed(k: &str, sku: &str, price: i64, stock: u32) -> ListingVariant {
        ListingVariant {
            key: key(k),
            spec: BTreeMap::new(),
            sku: Some(sku.into()),
            price: Money::new(price, Currency::CNY),
            cost: None,
            stock,
        }
    }

    fn product(variants: Vec<Variant>) -> Product {
        let mut variants = variants;
        variants.sort_by(|a, b| a.key.cmp(&b.key));
        Product {
            url: "http://s/p/1".into(),
            title: "T恤".into(),
            brand: None,
            sku: None,
            currency: Some(Currency::CNY),
            images: vec![],
            description: None,
            options: vec![],
            variants,
        }
    }

    fn listing(variants: Vec<ListingVariant>) -> Listing {
        Listing {
            id: ListingId::parse("L1").expect("id"),
            title: "T恤".into(),
            currency: Currency::CNY,
            description: None,
            images: vec![],
            variant_links: Default::default(),
            variants,
        }
    }

    fn kinds(changes: &[Change]) -> Vec<(ChangeKind, String)> {
        changes
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.variant
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    use Availability::{InStock, OutOfStock};

    #[test]
    fn a_stock_text_read_as_unknown_changes_nothing() {
        // Listed in stock and listed sold out: neither becomes a stock change, and a product
        // whose every variant is unknown is not "all unavailable".
        let l = listing(vec![
            listed("color=red", "A", 1000, 5),
            listed("color=blue", "B", 1000, 0),
        ]);
        let p = product(vec![
            variant("color=red", "A", 1000, None, Availability::Unknown),
            variant("color=blue", "B", 1000, None, Availability::Unknown),
        ]);
        assert_eq!(compare(&l, &p, &Rules::default()), vec![]);
    }

    #[test]
    fn each_kind_of_variant_change_is_found() {
        let l = listing(vec![
            listed("color=red", "A", 1000, 5),
            listed("color=blue", "B", 1000, 5),
            listed("color=green", "C", 1000, 0),
            listed("color=black", "D", 1000, 5),
            listed("color=white", "E", 1000, 5),
            listed("color=pink", "F", 1000, 5),
            listed("color=gray", "G", 1000, 5),
        ]);
        let p = product(vec![
            variant("color=red", "A", 1200, Some(5), InStock),
            variant("color=blue", "B", 1000, Some(0), OutOfStock),
            variant("color=green", "C", 1000, Some(9), InStock),
            variant("color=black", "D", 1000, Some(7), InStock),
            variant("color=dark pink", "F", 1000, Some(5), InStock),
            variant("color=gray", "G", 1000, Some(5), InStock),
            variant("color=navy", "H", 1000, Some(5), InStock),
        ]);
        let got = kinds(&compare(&l, &p, &Rules::default()));
        let want = [
            (ChangeKind::PriceChanged, "color=red"),
            (ChangeKind::StockChanged, "color=black"),
            (ChangeKind::OutOfStock, "color=blue"),
            (ChangeKind::BackInStock, "color=green"),
            (ChangeKind::VariantAdded, "color=navy"),
            (ChangeKind::VariantRemoved, "color=white"),
            (ChangeKind::SpecRenamed, "color=dark pink"),
        ];
        let want: Vec<_> = want.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_product_compared_with_its_own_listing_has_no_changes() {
        let p = product(vec![
            variant("color=red;size=m", "A", 1250, Some(3), InStock),
            variant("color=red;size=l", "B", 1250, None, OutOfStock),
        ]);
        let l = listing(vec![
            listed("size=m;color=red", "A", 1250, 3),
            listed("color=red;size=l", "B", 1250, 0),
        ]);
        assert_eq!(compare(&l, &p, &Rules::default()), vec![]);
    }

    #[test]
    fn price_is_compared_with_the_synced_cost_not_the_marked_up_price() {
        let mut lv = listed("color=red", "A", 2999, 5);
        lv.cost = Some(Money::new(1250, Currency::CNY));
        let p = product(vec![variant("color=red", "A", 1250, Some(5), InStock)]);
        assert_eq!(
            compare(&listing(vec![lv.clone()]), &p, &Rules::default()),
            vec![]
        );
        let p = product(vec![variant("color=red", "A", 1400, Some(5), InStock)]);
        let changes = compare(&listing(vec![lv]), &p, &Rules::default());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].before.as_deref(), Some("12.50"));
        assert_eq!(changes[0].after.as_deref(), Some("14.00"));
    }

    #[test]
    fn descriptions_and_images_are_compared_only_when_the_listing_has_them() {
        let mut p = product(vec![variant("color=red", "A", 1000, Some(5), InStock)]);
        p.description = Some("纯棉 面料".into());
        p.images = vec!["https://img.alicdn.com/a.jpg_400x400.jpg".into()];
        let mut l = listing(vec![listed("color=red", "A", 1000, 5)]);
        assert!(
            compare(&l, &p, &Rules::default()).is_empty(),
            "nothing imported, nothing compared"
        );
        l.description = Some("纯棉&nbsp;面料".into());
        l.images = vec!["https://img.alicdn.com/a.jpg".into()];
        assert!(
            compare(&l, &p, &Rules::default()).is_empty(),
            "entities and CDN sizes are not changes"
        );
        l.description = Some("涤纶面料".into());
        l.images.push("https://img.alicdn.com/b.jpg".into());
        let got: Vec<ChangeKind> = compare(&l, &p, &Rules::default())
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(
            got,
            [ChangeKind::DescriptionChanged, ChangeKind::ImagesChanged]
        );
        p.description = Some(" \n".into());
        p.images.clear();
        assert!(
            compare(&l, &p, &Rules::default()).is_empty(),
            "what the page does not offer was not read, it is not removed"
        );
    }

    #[test]
    fn a_product_sold_out_in_every_variant_is_one_more_change() {
        let p = product(vec![
            variant("color=red", "A", 1000, None, OutOfStock),
            variant("color=blue", "B", 1000, Some(0), OutOfStock),
        ]);
        let l = listing(vec![
            listed("color=red", "A", 1000, 5),
            listed("color=blue", "B", 1000, 0),
        ]);
        let got: Vec<ChangeKind> = compare(&l, &p, &Rules::default())
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(got, [ChangeKind::OutOfStock, ChangeKind::AllUnavailable]);
    }

    #[test]
    fn look_alike_variants_are_proposed_as_links_and_confirmed_links_are_used() {
        let l = listing(vec![
            listed("color=大红;size=m", "L-1", 1000, 5),
            listed("color=navy blue;size=m", "L-2", 1000, 5),
            listed("color=黑色;size=m", "L-3", 1000, 5),
        ]);
        let p = product(vec![
            variant("color=红色;size=m", "S-1", 1000, Some(5), InStock),
            variant("color=navy;size=m", "S-2", 1000, Some(5), InStock),
            variant("color=white;size=l", "S-3", 1000, Some(5), InStock),
        ]);
        let changes = compare(&l, &p, &Rules::default());
        let proposed: Vec<(String, String)> = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::LinkProposed)
            .map(|c| {
                (
                    c.before.clone().unwrap_or_default(),
                    c.after.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            proposed,
            [
                (
                    "color=navy blue;size=m".to_owned(),
                    "color=navy;size=m".to_owned()
                ),
                (
                    "color=大红;size=m".to_owned(),
                    "color=红色;size=m".to_owned()
                ),
            ],
            "changes are sorted by kind, then variant key"
        );
        assert_eq!(
            changes
                .iter()
                .filter(
                    |c| c.kind == ChangeKind::VariantRemoved || c.kind == ChangeKind::VariantAdded
                )
                .filter_map(|c| c.variant.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>(),
            ["color=white;size=l", "color=黑色;size=m"],
            "a proposed pair is not also removed and added; only 黑色 and white are"
        );
        // Once confirmed, the links are used: no removal, no addition, no proposal for them.
        let mut confirmed = l.clone();
        for (from, to) in &proposed {
            confirmed.variant_links.insert(key(from), key(to));
        }
        let kinds: Vec<ChangeKind> = compare(&confirmed, &p, &Rules::default())
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(
            kinds,
            [ChangeKind::VariantAdded, ChangeKind::VariantRemoved],
            "only 黑色 and white remain unlinked"
        );
    }

    #[test]
    fn colours_that_only_share_a_generic_suffix_are_not_alike() {
        let score = |a: &str, b: &str| {
            fuzzy_score(&key(&format!("color={a}")), &key(&format!("color={b}")))
        };
        assert!(score("大红", "红色").is_some());
        assert!(score("深蓝", "蓝色").is_some());
        assert!(score("navy blue", "navy").is_some());
        for (a, b) in [
            ("红色", "黑色"),
            ("白色", "黑色"),
            ("浅蓝", "深蓝"),
            ("light blue", "dark blue"),
            ("red", "bed"),
        ] {
            assert_eq!(score(a, b), None, "{a} ↔ {b}");
        }
    }

    #[test]
    fn title_changes_ignore_whitespace() {
        let mut l = listing(vec![]);
        l.title = " T恤 ".into();
        assert!(compare(&l, &product(vec![]), &Rules::default()).is_empty());
        l.title = "T恤 旧款".into();
        assert_eq!(
            kinds(&compare(&l, &product(vec![]), &Rules::default()))[0].0,
            ChangeKind::TitleChanged
        );
    }
}
