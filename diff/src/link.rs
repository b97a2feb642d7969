//! Linking a listing's variants to the supplier's: a link the merchant confirmed, else the spec
//! key, else the SKU; look-alike pairs left over are proposed as links (`fuzzy_links`).

use std::collections::BTreeMap;

use catalog::{Listing, ListingVariant, Product, SpecKey, Variant};

pub(crate) struct Links<'a> {
    /// Linked pairs, whichever way they were linked.
    pub(crate) pairs: Vec<(&'a ListingVariant, &'a Variant)>,
    /// Pairs linked by SKU although their spec keys differ: a renamed spec.
    pub(crate) renamed: Vec<(&'a ListingVariant, &'a Variant)>,
    pub(crate) listing_only: Vec<&'a ListingVariant>,
    pub(crate) supplier_only: Vec<&'a Variant>,
}

/// Links listing variants to supplier variants: a link the merchant confirmed, else the spec
/// key, else the SKU. What stays unlinked on either side is reported, never dropped.
pub(crate) fn link_variants<'a>(listing: &'a Listing, product: &'a Product) -> Links<'a> {
    let mut supplier: BTreeMap<&SpecKey, &Variant> =
        product.variants.iter().map(|v| (&v.key, v)).collect();
    let mut pairs = Vec::new();
    let mut unkeyed = Vec::new();
    for lv in &listing.variants {
        let target = listing.variant_links.get(&lv.key).unwrap_or(&lv.key);
        match supplier.remove(target) {
            Some(sv) => pairs.push((lv, sv)),
            None => unkeyed.push(lv),
        }
    }
    let mut renamed = Vec::new();
    let mut listing_only = Vec::new();
    for lv in unkeyed {
        let by_sku = lv.sku.as_ref().and_then(|sku| {
            supplier
                .iter()
                .find(|(_, sv)| sv.sku.as_ref() == Some(sku))
                .map(|(k, _)| *k)
        });
        match by_sku.and_then(|k| supplier.remove(k)) {
            Some(sv) => {
                pairs.push((lv, sv));
                if !lv.key.is_empty() {
                    renamed.push((lv, sv));
                }
            }
            None => listing_only.push(lv),
        }
    }
    Links {
        pairs,
        renamed,
        listing_only,
        supplier_only: supplier.into_values().collect(),
    }
}

/// How likely two spec keys name the same variant: every option equal but one, whose values
/// look alike (`大红` ↔ `红色`, `Navy Blue` ↔ `Navy`). `None` unless above 0.5.
pub(crate) fn fuzzy_score(a: &SpecKey, b: &SpecKey) -> Option<f32> {
    let names_a: Vec<&str> = a.iter().map(|(n, _)| n).collect();
    let names_b: Vec<&str> = b.iter().map(|(n, _)| n).collect();
    if names_a != names_b || names_a.is_empty() {
        return None;
    }
    let differing: Vec<(&str, &str)> = a
        .iter()
        .zip(b.iter())
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, y)| (x.1, y.1))
        .collect();
    let [(va, vb)] = differing.as_slice() else {
        return None;
    };
    let score = value_likeness(va, vb);
    (score > 0.5).then_some(score)
}

/// Suffixes that every value of a kind carries (`红色`, `黑色`): sharing one says nothing.
const GENERIC_SUFFIXES: &[char] = &['色', '款', '码', '号'];

/// Words for values written in Latin letters (`light blue` is not `dark blue` though they share
/// `blue`), characters without the generic suffix for the others (`大红` and `红色` share `红`).
fn value_likeness(a: &str, b: &str) -> f32 {
    if a.chars().any(|c| c.is_ascii_alphabetic()) || b.chars().any(|c| c.is_ascii_alphabetic()) {
        let words = |s: &str| {
            s.split_whitespace()
                .map(str::to_owned)
                .collect::<std::collections::BTreeSet<_>>()
        };
        let (wa, wb) = (words(a), words(b));
        let shared = wa.intersection(&wb).count();
        let jaccard = shared as f32 / wa.union(&wb).count().max(1) as f32;
        let contained = shared > 0 && (wa.is_subset(&wb) || wb.is_subset(&wa));
        return if contained { jaccard.max(0.6) } else { jaccard };
    }
    let trim = |s: &str| s.trim_end_matches(GENERIC_SUFFIXES).to_owned();
    let (ta, tb) = (trim(a), trim(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    crate::similarity(&ta, &tb)
}

/// Links proposed between variants left unlinked on both sides, best first, each variant once.
pub(crate) fn fuzzy_links<'a>(
    listing_only: &[&'a ListingVariant],
    supplier_only: &[&'a Variant],
) -> Vec<(&'a ListingVariant, &'a Variant)> {
    let mut scored: Vec<(f32, usize, usize)> = Vec::new();
    for (i, lv) in listing_only.iter().enumerate() {
        for (j, sv) in supplier_only.iter().enumerate() {
            if let Some(score) = fuzzy_score(&lv.key, &sv.key) {
                scored.push((score, i, j));
            }
        }
    }
    // Best first; ties broken by the keys, so the result does not depend on the order of variants.
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| listing_only[a.1].key.cmp(&listing_only[b.1].key))
            .then_with(|| supplier_only[a.2].key.cmp(&supplier_only[b.2].key))
    });
    let (mut used_l, mut used_s) = (
        vec![false; listing_only.len()],
        vec![false; supplier_only.len()],
    );
    let mut out = Vec::new();
    for (_, i, j) in scored {
        if !used_l[i] && !used_s[j] {
            used_l[i] = true;
            used_s[j] = true;
            out.push((listing_only[i], supplier_only[j]));
        }
    }
    out
}
