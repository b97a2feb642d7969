//! OpenGraph and product meta tags: `og:title`, `og:price:amount`, `product:price:amount`,
//! `product:price:currency`, `product:availability`, `product:retailer_item_id`, `og:image`.

use catalog::RawVariant;

use super::{scan, Found};

pub(super) fn extract(html: &str) -> Option<Found> {
    // One SIMD search each spares a visit of every tag on pages without these tags.
    if !scan::has(html, "og:") && !scan::has(html, "product:") && !scan::has(html, "twitter:") {
        return None;
    }
    let mut found = Found::new("meta", 50);
    let p = &mut found.product;
    let mut v = RawVariant::default();
    for tag in scan::tags(html, "meta") {
        let Some(key) = tag.attr("property").or_else(|| tag.attr("name")) else {
            continue;
        };
        let Some(content) = tag.attr("content") else {
            continue;
        };
        let content = catalog::decode_entities(content.trim());
        if content.is_empty() {
            continue;
        }
        let slot = match key.to_ascii_lowercase().as_str() {
            "og:title" | "twitter:title" => &mut p.title,
            "og:brand" | "product:brand" => &mut p.brand,
            "product:retailer_item_id" | "product:sku" | "og:sku" => &mut p.sku,
            "og:description" => &mut p.description,
            "og:price:amount" | "product:price:amount" | "product:sale_price:amount" => {
                &mut v.price
            }
            "og:price:currency" | "product:price:currency" | "product:sale_price:currency" => {
                &mut v.currency
            }
            "og:availability" | "product:availability" => &mut v.availability,
            "og:image" => {
                p.images.push(content);
                continue;
            }
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(content);
        }
    }
    if v.price.is_some() || v.availability.is_some() {
        v.sku = p.sku.clone();
        p.currency = v.currency.clone();
        p.variants.push(v);
        p.note("variants[0]", "meta product:price / og:price");
    }
    Some(found)
}
