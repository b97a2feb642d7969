//! schema.org microdata (`itemprop`) and RDFa-lite (`property="schema:price"`).
//!
//! Read flat, in page order: the product's own properties are the first of each name after the
//! `Product` item starts; every `offers` item is a variant (its price, currency, availability,
//! SKU). Values come from `content`, then `href`/`src`/`value`, then the element's text.

use catalog::RawVariant;

use super::{scan, Found};

/// Properties read, and the field they fill.
const PROPS: &[&str] = &[
    "name",
    "brand",
    "sku",
    "mpn",
    "productID",
    "price",
    "lowPrice",
    "priceCurrency",
    "availability",
    "description",
    "image",
    "offers",
];

pub(super) fn extract(html: &str) -> Option<Found> {
    if !scan::has(html, "itemprop") && !scan::has(html, "property=\"schema:") {
        return None;
    }
    // Every item on the page, with where it ends: a property belongs to the innermost item
    // around it, and only a product's, its offers' and its brand's properties are read (not a
    // breadcrumb's `name`, nor a review's `author`).
    let scopes: Vec<(usize, usize, String)> = scan::tags_with_attr(html, "itemscope")
        .map(|(name, tag)| {
            let end = scan::close_of(html, tag.end, name).unwrap_or(html.len());
            let kind = tag.attr("itemtype").unwrap_or_default();
            let kind = kind.rsplit('/').next().unwrap_or(kind).trim().to_owned();
            (tag.start, end, kind)
        })
        .collect();
    let owner = |at: usize| -> Option<&str> {
        scopes
            .iter()
            .filter(|(start, end, _)| *start < at && at < *end)
            .max_by_key(|(start, _, _)| *start)
            .map(|(_, _, kind)| kind.as_str())
    };
    let mut found = Found::new("microdata", 60);
    let p = &mut found.product;
    let mut variant: Option<RawVariant> = None;
    let mut props = scan::tags_with_attr(html, "itemprop")
        .filter_map(|(name, tag)| Some((tag.attr("itemprop")?.to_owned(), name, tag)))
        .chain(
            scan::tags_with_attr(html, "property").filter_map(|(name, tag)| {
                let prop = tag.attr("property")?.strip_prefix("schema:")?.to_owned();
                Some((prop, name, tag))
            }),
        )
        .filter_map(|(prop, name, tag)| {
            let kind = match owner(tag.start) {
                None if scopes.is_empty() => "Product",
                None => return None,
                Some(kind) => kind,
            };
            const READ: &[&str] = &[
                "Product",
                "IndividualProduct",
                "ProductModel",
                "ProductGroup",
                "Offer",
                "AggregateOffer",
                "Brand",
                "Organization",
                "PriceSpecification",
                "UnitPriceSpecification",
            ];
            if !READ.contains(&kind) {
                return None;
            }
            // A brand's (or a seller's) name is the brand, not the product's name.
            let prop = match (kind, prop.as_str()) {
                ("Brand", "name") => "brand".to_owned(),
                ("Organization", "name") => return None,
                _ => prop,
            };
            Some((prop, name, tag))
        })
        .collect::<Vec<_>>();
    props.sort_by_key(|(_, _, tag)| tag.start);
    for (prop, tag_name, tag) in props {
        // `itemprop="price offers"` names several properties at once.
        for prop in prop.split_ascii_whitespace() {
            if !PROPS.contains(&prop) {
                continue;
            }
            if prop == "offers" {
                if let Some(done) = variant.take() {
                    p.variants.push(done);
                }
                variant = Some(RawVariant::default());
                continue;
            }
            let value = value(html, tag_name, &tag);
            let Some(value) = value else { continue };
            let v = variant.get_or_insert_with(RawVariant::default);
            let slot = match prop {
                "name" => &mut p.title,
                "brand" => &mut p.brand,
                "description" => &mut p.description,
                "sku" | "productID" | "mpn" if v.price.is_none() && p.variants.is_empty() => {
                    &mut p.sku
                }
                "sku" => &mut v.sku,
                "price" | "lowPrice" => &mut v.price,
                "priceCurrency" => &mut v.currency,
                "availability" => &mut v.availability,
                "image" => {
                    p.images.push(value);
                    continue;
                }
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
    }
    if let Some(done) = variant {
        p.variants.push(done);
    }
    p.variants
        .retain(|v| v.price.is_some() || v.availability.is_some() || v.sku.is_some());
    if p.variants.len() == 1 && p.variants[0].sku.is_none() {
        p.variants[0].sku = p.sku.clone();
    }
    p.currency = p.variants.iter().find_map(|v| v.currency.clone());
    for n in 0..p.variants.len() {
        p.note(format!("variants[{n}]"), format!("microdata offers[{n}]"));
    }
    Some(found)
}

fn value(html: &str, tag_name: &str, tag: &scan::Tag<'_>) -> Option<String> {
    for attr in ["content", "href", "src", "value", "datetime"] {
        if let Some(v) = tag.attr(attr) {
            let v = catalog::decode_entities(v.trim());
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    scan::inner_text(html, tag_name, tag, 4096)
}
