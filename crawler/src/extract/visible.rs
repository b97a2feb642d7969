//! What a shopper sees, when the page carries no structured price: the title in `<h1>`, the
//! price in the element the page marks as the price (not a struck-through, "was" or unit
//! price), the availability the page states (in any of the languages `catalog` reads) or an
//! add-to-cart button, and the SKU behind a label (`SKU:`, `Art.-Nr.`, `货号`) or in the cart
//! form. The least sure extractor: every other one outranks it.

use catalog::RawVariant;
use url::Url;

use super::{plain_text, scan, Found};

const RANK: u8 = 30;

/// Class or id words that mark a price that is not the one to pay now.
const NOT_THE_PRICE: &[&str] = &[
    "old", "was", "regular", "original", "compare", "strike", "before", "list", "rrp", "uvp",
    "msrp", "save", "saving", "discount", "unit", "per-", "shipping", "tax", "instal", "monthly",
    "range", "filter", "slider", "label", "title", "crossed", "through", "retail", "vorher",
];

/// Labels after which a page writes the product's SKU.
const SKU_LABELS: &[&str] = &[
    "sku:",
    "sku",
    "art.-nr.",
    "art.nr.",
    "artikelnummer",
    "artikel-nr.",
    "item number",
    "item no.",
    "item #",
    "product code",
    "product id",
    "model number",
    "part number",
    "référence",
    "reference:",
    "ref.",
    "codice",
    "código",
    "货号",
    "商品编号",
    "商品编码",
    "型号",
    "品番",
    "商品コード",
    "asin",
];

/// Names of form fields that carry the product's id in an add-to-cart form.
const SKU_FIELDS: &[&str] = &[
    "sku",
    "asin",
    "product_id",
    "productid",
    "product-id",
    "item_id",
    "itemid",
    "product",
    "id_product",
    "products_id",
];

pub(super) fn extract(_url: &Url, html: &str) -> Option<Found> {
    let mut found = Found::new("visible page", RANK);
    let p = &mut found.product;
    let h1 = scan::tags(html, "h1").next();
    p.title = h1.and_then(|t| scan::inner_text(html, "h1", &t, 2048));
    let after = h1.map_or(0, |t| t.start);
    let mut v = RawVariant {
        price: price(html, after),
        availability: availability(html),
        ..RawVariant::default()
    };
    p.sku = sku(html);
    v.sku = p.sku.clone();
    // `仅剩 3 件`, `Only 3 left`: the text also states the quantity.
    if v.availability
        .as_deref()
        .is_some_and(|a| catalog::parse_stock(a).quantity.is_some())
    {
        v.quantity.clone_from(&v.availability);
    }
    if v.price.is_some() || v.availability.is_some() {
        p.variants.push(v);
        p.note(
            "variants[0]",
            "visible page (price element, availability text)",
        );
    }
    Some(found)
}

fn marked(tag: &scan::Tag<'_>, words: &[&str]) -> Option<String> {
    let class = tag.attr("class").unwrap_or_default();
    let id = tag.attr("id").unwrap_or_default();
    let both = format!("{class} {id}").to_ascii_lowercase();
    words.iter().any(|w| both.contains(w)).then_some(both)
}

/// The first price-marked element after the title whose text reads as a price.
fn price(html: &str, after: usize) -> Option<String> {
    let mut fallback = None;
    for attr in ["class", "id"] {
        for (name, tag) in scan::tags_with_attr(html, attr) {
            if tag.start < after || matches!(name, "del" | "s" | "strike" | "script" | "style") {
                continue;
            }
            let Some(marks) = marked(
                &tag,
                &["price", "preis", "prix", "prezzo", "precio", "cena"],
            ) else {
                continue;
            };
            if NOT_THE_PRICE.iter().any(|w| marks.contains(w)) {
                continue;
            }
            let text = match tag.attr("content").or_else(|| tag.attr("data-price")) {
                Some(v) => v.to_owned(),
                None => {
                    let Some(inner) = scan::inner_markup(html, name, &tag, 600) else {
                        continue;
                    };
                    // A box holding the old and the new price, or several prices: its
                    // price-marked children are looked at on their own.
                    let lower = inner.to_ascii_lowercase();
                    if ["<del", "<s>", "<s ", "<strike"]
                        .iter()
                        .any(|t| lower.contains(t))
                        || lower.matches("price").count() > 0 && lower.contains("class=")
                    {
                        continue;
                    }
                    let text = super::plain_text(inner);
                    if text.is_empty() {
                        continue;
                    }
                    text
                }
            };
            if text.len() > 80 {
                continue;
            }
            let parsed = catalog::parse_price_text(&text, None, None);
            let Some(amount) = parsed.amount else {
                continue;
            };
            if amount.mantissa <= 0 {
                continue;
            }
            if parsed.currency.is_some() {
                return Some(text);
            }
            fallback.get_or_insert(text);
        }
        if fallback.is_some() {
            break;
        }
    }
    fallback
}

/// The page's availability: a stock-marked element's text, else an add-to-cart control.
fn availability(html: &str) -> Option<String> {
    for (name, tag) in scan::tags_with_attr(html, "class").chain(scan::tags_with_attr(html, "id")) {
        if marked(
            &tag,
            &["availability", "stock", "lieferbar", "verfugbar", "dispon"],
        )
        .is_none()
        {
            continue;
        }
        let Some(text) = scan::inner_text(html, name, &tag, 600) else {
            continue;
        };
        if text.len() > 120 {
            continue;
        }
        if catalog::parse_stock(&text).status != catalog::Availability::Unknown {
            return Some(text);
        }
    }
    let cart = [
        "add-to-cart",
        "addtocart",
        "add_to_cart",
        "add-to-basket",
        "buy-now",
        "buynow",
    ];
    for attr in ["class", "id", "name"] {
        if scan::tags_with_attr(html, attr).any(|(name, tag)| {
            matches!(name, "button" | "input" | "a" | "form")
                && tag
                    .attr(attr)
                    .is_some_and(|v| cart.iter().any(|c| v.to_ascii_lowercase().contains(c)))
        }) {
            return Some("InStock".to_owned());
        }
    }
    None
}

fn sku(html: &str) -> Option<String> {
    for (_, tag) in scan::tags_with_attr(html, "name") {
        let Some(field) = tag.attr("name") else {
            continue;
        };
        if SKU_FIELDS.contains(&field.to_ascii_lowercase().as_str()) {
            if let Some(value) = tag.attr("value").map(str::trim).filter(|v| is_code(v)) {
                return Some(value.to_owned());
            }
        }
    }
    let search = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SKU_LABELS)
        .ok()?;
    for m in search.find_iter(html) {
        let rest = html.get(m.end()..)?;
        let window = &rest[..floor_boundary(rest, 300)];
        let text = plain_text(window);
        let token: String = text
            .trim_start_matches([':', '：', '#', ' ', '-'])
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
            .collect();
        let token = token.trim_end_matches('.');
        if is_code(token) {
            return Some(token.to_owned());
        }
    }
    None
}

/// A product code: 3–40 characters, with a digit in it.
fn is_code(s: &str) -> bool {
    (3..=40).contains(&s.chars().count()) && s.chars().any(|c| c.is_ascii_digit())
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}
