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
    "sku #",
    "art.-nr.",
    "art.nr.",
    "artikelnummer",
    "artikel-nr.",
    "item number",
    "item no.",
    "item #",
    "product code",
    "model number",
    "part number",
    "référence :",
    "référence:",
    "codice articolo",
    "código:",
    "货号",
    "商品编号",
    "商品编码",
    "品番",
    "商品コード",
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

/// Fills what the structured extractors left empty from the visible page: the product's SKU, and
/// the availability of a one-variant product (or of every variant when none has a word on it).
pub(super) fn fill_missing(html: &str, raw: &mut catalog::RawProduct) {
    let variant_skus = raw.variants.len() == 1 && raw.variants[0].sku.is_some();
    if raw.sku.is_none() && !variant_skus {
        if let Some(id) = id_in_url(html, &raw.url) {
            raw.sku = Some(id);
            raw.note("sku", "the product's id in its canonical URL");
        } else {
            raw.sku = sku(html);
            if raw.sku.is_some() {
                raw.note("sku", "visible page (label or cart form)");
            }
        }
    }
    if raw.variants.len() > 1 {
        // Several variants and not one word on their stock: what the page says of the product
        // holds for each of them.
        let silent = |v: &RawVariant| v.availability.is_none() && v.quantity.is_none();
        if raw.variants.iter().all(silent) && raw.variants.iter().any(|v| v.price.is_some()) {
            let said = availability(html).unwrap_or_else(|| offered(html).to_owned());
            for v in &mut raw.variants {
                v.availability = Some(said.clone());
            }
            raw.note(
                "variants[*].availability",
                "visible page (for the whole product)",
            );
        }
        return;
    }
    let Some(v) = raw.variants.first_mut() else {
        return;
    };
    if v.availability.is_none() && v.quantity.is_none() {
        v.availability = availability(html);
        let mut from = "visible page (stock text or add-to-cart)";
        if v.availability.is_none() && v.price.is_some() {
            // A price on offer, and nothing on the page saying it cannot be bought.
            v.availability = Some(offered(html).to_owned());
            from = "visible page (a price, and no out-of-stock text)";
        }
        if v.availability.is_some() {
            raw.note("variants[0].availability", from);
        }
    }
}

/// `OutOfStock` if the page's visible text says so about the product (from its title on, for
/// 12 KB of markup: the product's own block, not a sold-out badge of a related product further
/// down), else `InStock`. The window was chosen on the 70 real pages (BENCHMARKS.md gives the
/// score at 8 to 30 KB: it moves by a page either way).
fn offered(html: &str) -> &'static str {
    let start = scan::tags(html, "h1").next().map_or(0, |t| t.start);
    let mut end = (start + 12 * 1024).min(html.len());
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let html = &html[start..end];
    let mut text = String::new();
    let mut at = 0;
    for (start, end) in ["script", "style"]
        .iter()
        .flat_map(|name| {
            scan::elements(html, name, |_| true).map(|(t, inner)| (t.start, t.end + inner.len()))
        })
        .collect::<std::collections::BTreeSet<_>>()
    {
        if start >= at {
            text.push_str(&html[at..start]);
            at = end;
        }
    }
    text.push_str(&html[at.min(html.len())..]);
    let visible = plain_text(&text);
    match catalog::parse_stock(&visible).status {
        catalog::Availability::OutOfStock => "OutOfStock",
        _ => "InStock",
    }
}

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
/// How far after the title the product's own price is looked for: 60 KB of markup, so that a
/// recommendation carousel further down does not lend its prices (chosen on the 70 real pages:
/// BENCHMARKS.md gives the score for 30 KB to 200 KB).
const PRICE_WINDOW: usize = 60 * 1024;

fn price(html: &str, after: usize) -> Option<String> {
    let mut fallback = None;
    for attr in ["class", "id"] {
        for (name, tag) in scan::tags_with_attr(html, attr) {
            if tag.start < after || matches!(name, "del" | "s" | "strike" | "script" | "style") {
                continue;
            }
            if tag.start > after + PRICE_WINDOW {
                break;
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
            // A short price text stays as written (`¥59.00`: the source's currency still decides
            // what `¥` is); in a longer one (`109€ 109€ 109`, `€ 20,- VB`) the other words are
            // not part of the price, which is written out as read (`109 EUR`, `20 EUR`).
            let text = match (text.split_whitespace().count() <= 2, parsed.currency) {
                (true, _) => text,
                (false, Some(currency)) => format!("{amount} {}", currency.as_str()),
                (false, None) => amount.to_string(),
            };
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

/// Words of a buy button, in the languages of the shops specsync reads.
const BUY_WORDS: &[&str] = &[
    "add to cart",
    "add to basket",
    "add to bag",
    "add to trolley",
    "buy now",
    "buy it now",
    "in den warenkorb",
    "jetzt kaufen",
    "ajouter au panier",
    "aggiungi al carrello",
    "añadir al carrito",
    "añadir a la cesta",
    "adicionar ao carrinho",
    "dodaj do koszyka",
    "in winkelwagen",
    "lägg i varukorgen",
    "в корзину",
    "купить",
    "加入购物车",
    "立即购买",
    "加入購物車",
    "立即購買",
    "カートに入れる",
    "장바구니",
];

/// Class, id or name parts of add-to-cart controls.
const CART_MARKS: &[&str] = &[
    "add-to-cart",
    "addtocart",
    "add_to_cart",
    "add-to-basket",
    "addtobasket",
    "add-to-bag",
    "add-to-trolley",
    "buy-now",
    "buynow",
    "buy-button",
    "btn-buy",
];

/// The page's availability: what the first stock-marked element says; with no stock text, a
/// buy button that is not disabled means in stock.
fn availability(html: &str) -> Option<String> {
    let mut stated = None;
    for (name, tag) in scan::tags_with_attr(html, "class").chain(scan::tags_with_attr(html, "id")) {
        let Some(marks) = marked(
            &tag,
            &["availability", "stock", "lieferbar", "verfugbar", "dispon"],
        ) else {
            continue;
        };
        // Widgets about another channel (a store's shelf, delivery, pickup) or a hidden dialog.
        if [
            "store", "shop", "pickup", "delivery", "shipping", "modal", "tooltip", "filter",
        ]
        .iter()
        .any(|w| marks.contains(w))
        {
            continue;
        }
        let Some(text) = scan::inner_text(html, name, &tag, 600) else {
            continue;
        };
        if text.len() > 120 {
            continue;
        }
        let status = catalog::parse_stock(&text).status;
        if status != catalog::Availability::Unknown {
            stated = Some((status, text));
            break;
        }
    }
    match stated {
        Some((_, text)) => Some(text),
        None => buy_button(html).then(|| "InStock".to_owned()),
    }
}

/// Whether the page has an add-to-cart control that is not disabled.
fn buy_button(html: &str) -> bool {
    let enabled = |tag: &scan::Tag<'_>| tag.attr("disabled").is_none();
    for attr in ["class", "id", "name"] {
        let found = scan::tags_with_attr(html, attr).any(|(name, tag)| {
            matches!(name, "button" | "input" | "a" | "form")
                && enabled(&tag)
                && tag.attr(attr).is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    CART_MARKS.iter().any(|c| v.contains(c))
                })
        });
        if found {
            return true;
        }
    }
    let Ok(words) = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(BUY_WORDS)
    else {
        return false;
    };
    scan::tags(html, "button").filter(enabled).any(|tag| {
        scan::inner_markup(html, "button", &tag, 400).is_some_and(|inner| words.is_match(inner))
    })
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
        if in_script(html, m.start()) {
            continue;
        }
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

/// The product id most shops put in a product URL's last segment (`/itm/133588510845`,
/// `/product/4667999`, `/dp/B0756B4GVG`, `…-mattress/418295.htm`, `…-resine-noir-14347.html`):
/// the whole segment when it is a code, else its last part with four digits or more. The page's
/// canonical URL is read first (`<link rel="canonical">`, then `og:url`), then the page's own.
fn id_in_url(html: &str, page_url: &str) -> Option<String> {
    let canonical = scan::tags(html, "link")
        .find(|t| {
            t.attr("rel")
                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
        })
        .and_then(|t| t.attr("href"))
        .or_else(|| {
            scan::tags(html, "meta")
                .find(|t| t.attr("property") == Some("og:url"))
                .and_then(|t| t.attr("content"))
        });
    let url = canonical
        .and_then(|c| {
            Url::parse(page_url)
                .ok()?
                .join(&catalog::decode_entities(c))
                .ok()
        })
        .or_else(|| Url::parse(page_url).ok())?;
    let segment = url.path_segments()?.rfind(|s| !s.is_empty())?;
    let stem = segment
        .rsplit_once('.')
        .filter(|(_, ext)| {
            ["html", "htm", "php", "aspx", "jsp"].contains(&ext.to_ascii_lowercase().as_str())
        })
        .map_or(segment, |(stem, _)| stem);
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    if stem.chars().all(|c| c.is_ascii_alphanumeric())
        && (5..=20).contains(&stem.len())
        && digits(stem) >= 1
    {
        return Some(stem.to_owned());
    }
    stem.split(['-', '_', '.', ','])
        .rev()
        .find(|part| {
            digits(part) >= 4 && part.len() <= 20 && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .map(|part| {
            part.trim_start_matches(|c: char| c.is_ascii_alphabetic() && c.is_ascii_lowercase())
                .to_owned()
        })
        .filter(|id| id.len() >= 4)
}

/// A product code: 3–40 characters, with a digit in it, not a file name.
fn is_code(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (3..=40).contains(&s.chars().count())
        && s.chars().any(|c| c.is_ascii_digit())
        && ![".js", ".css", ".png", ".jpg", ".svg", ".html"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

/// Whether byte `at` is inside a `<script>` or `<style>` element (not visible text).
fn in_script(html: &str, at: usize) -> bool {
    let before = &html.as_bytes()[..at];
    ["script", "style"].iter().any(|name| {
        let open = memchr::memmem::rfind(before, format!("<{name}").as_bytes());
        let close = memchr::memmem::rfind(before, format!("</{name}").as_bytes());
        match (open, close) {
            (Some(o), Some(c)) => o > c,
            (Some(_), None) => true,
            _ => false,
        }
    })
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}
