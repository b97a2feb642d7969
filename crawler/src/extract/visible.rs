//! What a shopper sees, when the page carries no structured price: the title in `<h1>`, the
//! price in the element the page marks as the price (not a struck-through, "was" or unit
//! price), the availability the page states (in any of the languages `catalog` reads) or an
//! add-to-cart button, and the SKU behind a label (`SKU:`, `Art.-Nr.`, `货号`) or in the cart
//! form. The least sure extractor: every other one outranks it.

use catalog::RawVariant;
use url::Url;

use super::{plain_text, scan, Found};

const RANK: u8 = 30;

/// Class or id words that mark a price that is not the one to pay now, matched against the
/// words of a class or id (`oldPrice` → `old`, `price`; `product-price-was` → …, `was`): a
/// word equal to one, or starting with one marked `*` (`oldprice`, `installments`). Words, not
/// substrings, so that `bold` is not `old` and `orange` not `range`.
const NOT_THE_PRICE: &[&str] = &[
    "old*",
    "was*",
    "regular*",
    "original*",
    "compare*",
    "strike*",
    "before",
    "list",
    "listprice",
    "rrp",
    "uvp",
    "msrp",
    "save*",
    "saving*",
    "discount*",
    "unit*",
    "per",
    "shipping*",
    "tax*",
    "instal*",
    "monthly",
    "cross*",
    "through",
    "retail*",
    "vorher",
];

/// Class or id words of an element about prices that holds none itself: a label (`Price:`), a
/// heading, a price-range filter.
const NOT_A_PRICE: &[&str] = &["range*", "filter*", "label*", "title*"];

/// Labels after which a page writes the product's SKU: the shop's own code for it, not the
/// maker's ("model number", "part number" and "MPN" name the manufacturer's, which several
/// shops selling one product share).
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
        // What the shop shows the shopper as the product's code comes first; then the id in
        // its canonical URL; then a hidden cart-form field (often a database id, not a SKU).
        let found = labelled_sku(html)
            .map(|s| (s, "visible page (a SKU label)"))
            .or_else(|| {
                id_in_url(html, &raw.url).map(|s| (s, "the product's id in its canonical URL"))
            })
            .or_else(|| cart_form_sku(html).map(|s| (s, "the page's add-to-cart form")));
        if let Some((sku, from)) = found {
            raw.sku = Some(sku);
            raw.note("sku", from);
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

/// `OutOfStock` if a sentence of the product's block says so (its visible text, element by
/// element: `Sold out`, `Nicht mehr lieferbar`, a disabled form's `Currently unavailable`), else
/// `InStock`: a product with a price on offer and no word against buying it. A block is read as
/// [`product_block`] bounds it, not a fixed length of markup.
fn offered(html: &str) -> &'static str {
    match sold_out_sentence(html) {
        Some(_) => "OutOfStock",
        None => "InStock",
    }
}

/// The first sentence of the product's block that says it cannot be bought.
fn sold_out_sentence(html: &str) -> Option<String> {
    let (_, block) = product_block(html);
    let mut sold_out = None;
    shown_sentences(&html[block], &mut |sentence| {
        if sold_out.is_none()
            && sentence.chars().count() <= 160
            && catalog::parse_stock(sentence).status == catalog::Availability::OutOfStock
        {
            sold_out = Some(sentence.to_owned());
        }
    });
    sold_out
}

/// Calls `f` with each sentence the shopper sees in `html`, trimmed and not empty: the text of
/// each block-level element, split at line breaks and separators (`|`, `•`), without scripts,
/// styles, select menus and hidden elements (see [`hidden_elements`]).
pub(crate) fn shown_sentences(html: &str, f: &mut impl FnMut(&str)) {
    let mut check = |text: &str| {
        for sentence in plain_text(text).split(['\n', '|', '•']) {
            let sentence = sentence.trim();
            if !sentence.is_empty() {
                f(sentence);
            }
        }
    };
    let mut at = 0;
    let mut skipped: std::collections::BTreeSet<(usize, usize)> = [
        "script", "style", "noscript", "select", "option", "template",
    ]
    .iter()
    .flat_map(|name| {
        scan::elements(html, name, |_| true).map(|(t, inner)| (t.start, t.end + inner.len()))
    })
    .collect();
    skipped.extend(hidden_elements(html));
    for (start, end) in skipped {
        if start >= at {
            text_nodes(&html[at..start], &mut check);
            at = end;
        }
    }
    text_nodes(&html[at.min(html.len())..], &mut check);
}

/// Elements the shopper does not see: `hidden`, `aria-hidden="true"`, `display:none` or
/// `visibility:hidden`, and dialogs, pop-ups and templates a script shows only for another
/// variant (a "back in stock" pop-up of an in-stock product): (start, end) of each.
fn hidden_elements(html: &str) -> Vec<(usize, usize)> {
    const VOID: &[&str] = &["input", "img", "br", "hr", "meta", "link", "source"];
    let mut out = Vec::new();
    for attr in ["style", "hidden", "aria-hidden", "class", "id"] {
        for (name, tag) in scan::tags_with_attr(html, attr) {
            if VOID.iter().any(|v| name.eq_ignore_ascii_case(v)) || !is_hidden(name, &tag) {
                continue;
            }
            if let Some(close) = scan::close_of(html, tag.end, name) {
                out.push((tag.start, close));
            }
        }
    }
    out
}

/// Whether an element is one the shopper does not see (see [`hidden_elements`]).
fn is_hidden(name: &str, tag: &scan::Tag<'_>) -> bool {
    const UNSEEN: &[&str] = &[
        "dialog*",
        "modal*",
        "popup*",
        "popover*",
        "tooltip*",
        "template*",
    ];
    let style = tag
        .attr("style")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(' ', "");
    tag.attr("hidden").is_some()
        || tag.attr("aria-hidden") == Some("true")
        || style.contains("display:none")
        || style.contains("visibility:hidden")
        || name.eq_ignore_ascii_case("template")
        || name.eq_ignore_ascii_case("dialog")
        || any_word(&words_of(tag), UNSEEN)
}

/// What the visible page says for sure of the whole product's stock, and the words that say
/// it: a sentence of its block that it is sold out, or its stock widget's text. `None` when it
/// says nothing for sure, or contradicts itself (a "sold out" sentence next to an "in stock"
/// widget). An add-to-cart button alone is no statement.
pub(super) fn visible_stock(html: &str) -> Option<(catalog::Availability, String)> {
    use catalog::Availability::{InStock, OutOfStock};
    let sold_out = sold_out_sentence(html);
    let stated = stated_availability(html);
    match (sold_out, stated) {
        (Some(_), Some((InStock, _))) => None,
        (Some(sentence), _) => Some((OutOfStock, sentence)),
        (None, Some((status @ (InStock | OutOfStock), text))) => Some((status, text)),
        (None, _) => None,
    }
}

/// Calls `f` with each run of text between block-level tags of `markup` (a paragraph, a
/// button's label, a badge), inline tags (`<b>`, `<span>`) kept inside their sentence.
fn text_nodes(markup: &str, f: &mut impl FnMut(&str)) {
    const INLINE: &[&str] = &[
        "a", "b", "i", "em", "strong", "span", "small", "sup", "sub", "font", "u", "abbr", "bdi",
        "mark", "time",
    ];
    let mut from = 0;
    let mut rest = markup;
    let mut offset = 0;
    while let Some(lt) = rest.find('<') {
        let tag = &rest[lt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let gt = tag.find('>').map_or(rest.len(), |g| lt + 1 + g + 1);
        if !INLINE.contains(&name.as_str()) {
            let end = offset + lt;
            if end > from {
                f(&markup[from..end]);
            }
            from = offset + gt.min(rest.len());
        }
        offset += gt.min(rest.len());
        rest = &markup[offset..];
    }
    if from < markup.len() {
        f(&markup[from..]);
    }
}

pub(super) fn extract(_url: &Url, html: &str) -> Option<Found> {
    let mut found = Found::new("visible page", RANK);
    let p = &mut found.product;
    let (h1, block) = product_block(html);
    p.title = h1.and_then(|t| scan::inner_text(html, "h1", &t, 2048));
    let mut v = RawVariant {
        price: price(html, &block),
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

/// The words of a tag's class and id, lower-cased: split at every character that is not a letter
/// or digit, and where a lower-case letter meets an upper-case one (`productPriceOld`).
fn words_of(tag: &scan::Tag<'_>) -> Vec<String> {
    let mut words = Vec::new();
    for value in [tag.attr("class"), tag.attr("id")].into_iter().flatten() {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in value.chars() {
            if (!c.is_alphanumeric() || (prev_lower && c.is_uppercase())) && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_lowercase();
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

/// Whether one of `words` is one of `list` (`*` at the end of an entry: starts with it).
fn any_word(words: &[String], list: &[&str]) -> bool {
    words.iter().any(|w| {
        list.iter().any(|entry| match entry.strip_suffix('*') {
            Some(prefix) => w.starts_with(prefix),
            None => w == entry,
        })
    })
}

/// Class or id words of a section about other products (related, recommended, recently
/// viewed, bought together), or of the page's footer: where the product's own block has ended.
const OTHER_PRODUCTS: &[&str] = &[
    "related*",
    "recommend*",
    "similar*",
    "crosssell*",
    "recently*",
    "viewed",
    "together",
    "also*",
    "footer*",
    "reco",
    "recs",
    "sponsored*",
];

/// Where the product's own block is: from its title (the `<h1>` that the page's `<title>` or
/// `og:title` names, else the first) to the first section about other products or the footer
/// after it (the page's end when it has none). Its price and its stock text are looked for
/// there, so that a recommendation's price or sold-out badge is not read as the product's.
pub(super) fn product_block(html: &str) -> (Option<scan::Tag<'_>>, std::ops::Range<usize>) {
    let title = title_h1(html);
    let start = title.map_or(0, |t| t.start);
    let mut end = html.len();
    for attr in ["class", "id"] {
        if let Some((_, tag)) = scan::tags_with_attr(html, attr)
            .filter(|(name, t)| t.start > start && !matches!(*name, "script" | "style" | "a"))
            .find(|(_, t)| any_word(&words_of(t), OTHER_PRODUCTS))
        {
            end = end.min(tag.start);
        }
    }
    (title, start..end)
}

/// The page's product title: the `<h1>` whose text the page's `<title>` or `og:title` holds (or
/// that holds it); else the first `<h1>` marked as a product's name or title; else the first.
fn title_h1(html: &str) -> Option<scan::Tag<'_>> {
    let fold = |s: &str| s.to_lowercase();
    let named: Vec<String> = scan::tags(html, "meta")
        .filter(|t| t.attr("property") == Some("og:title"))
        .filter_map(|t| {
            t.attr("content")
                .map(|c| fold(&catalog::decode_entities(c)))
        })
        .chain(
            scan::tags(html, "title")
                .next()
                .and_then(|t| scan::inner_text(html, "title", &t, 2048))
                .map(|t| fold(&t)),
        )
        .filter(|t| t.chars().count() >= 3)
        .collect();
    let h1s: Vec<scan::Tag<'_>> = scan::tags(html, "h1").take(32).collect();
    let titled = h1s.iter().find(|t| {
        scan::inner_text(html, "h1", t, 2048)
            .map(|text| fold(&text))
            .filter(|text| text.chars().count() >= 3)
            .is_some_and(|text| named.iter().any(|n| n.contains(&text) || text.contains(n)))
    });
    let marked = || {
        h1s.iter().find(|t| {
            t.attr("itemprop") == Some("name") || any_word(&words_of(t), &["product*", "name"])
        })
    };
    titled.or_else(marked).or(h1s.first()).copied()
}

/// The first price-marked element of the product's block whose text reads as a price: not a
/// struck-through, old, unit or instalment price; a box holding several prices is passed over
/// for the price-marked elements inside it, a box holding one amount (`Your Price 199.99 $`) is
/// read whole.
fn price(html: &str, block: &std::ops::Range<usize>) -> Option<String> {
    let mut fallback = None;
    for attr in ["class", "id"] {
        for (name, tag) in scan::tags_with_attr(html, attr) {
            if tag.start < block.start
                || matches!(name, "del" | "s" | "strike" | "script" | "style")
            {
                continue;
            }
            if tag.start >= block.end {
                break;
            }
            let words = words_of(&tag);
            let marks_price = words.iter().any(|w| {
                ["price", "preis", "prix", "prezzo", "precio", "cena"]
                    .iter()
                    .any(|m| w.contains(m))
            });
            if !marks_price
                || any_word(&words, NOT_THE_PRICE)
                || any_word(&words, NOT_A_PRICE)
                || any_word(&around_price(&words), NOT_THE_PRICE)
            {
                continue;
            }
            let text = match tag.attr("content").or_else(|| tag.attr("data-price")) {
                Some(v) => v.to_owned(),
                None => {
                    let Some(inner) = scan::inner_markup(html, name, &tag, 600) else {
                        continue;
                    };
                    let lower = inner.to_ascii_lowercase();
                    if ["<del", "<s>", "<s ", "<strike"]
                        .iter()
                        .any(|t| lower.contains(t))
                    {
                        continue;
                    }
                    let text = super::plain_text(inner);
                    let boxed = lower.contains("price") && lower.contains("class=");
                    if text.is_empty() || boxed && (amounts(&text) != 1 || holds_other_price(inner))
                    {
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

/// Whether markup holds an element marked as a price not to pay (`<span class="strike">`,
/// `<span class="regular-price">Was:</span>`): the box is then not read whole.
fn holds_other_price(inner: &str) -> bool {
    ["class", "id"].iter().any(|attr| {
        scan::tags_with_attr(inner, attr).any(|(_, tag)| {
            let words = words_of(&tag);
            any_word(&words, NOT_THE_PRICE) || any_word(&around_price(&words), NOT_THE_PRICE)
        })
    })
}

/// What a compound word says around `price` (`priceold` → `old`, `wasprice` → `was`).
fn around_price(words: &[String]) -> Vec<String> {
    words
        .iter()
        .filter_map(|w| w.split_once("price"))
        .flat_map(|(before, after)| [before, after])
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How many amounts a text holds, read as the price parser reads numbers: digits, with a point
/// or comma between digits part of one (`1.299,00`), and a space too when three digits follow
/// and no point came before (`34 300`, but `881,00 169,00` is two).
fn amounts(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        count += 1;
        let mut pointed = false;
        loop {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits_after = |from: usize| {
                chars[from.min(chars.len())..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count()
            };
            match chars.get(i) {
                Some('.' | ',' | '\'') if digits_after(i + 1) > 0 => pointed = true,
                Some(' ' | '\u{a0}' | '\u{202f}') if !pointed && digits_after(i + 1) == 3 => {}
                _ => break,
            }
            i += 1;
        }
    }
    count
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
    match stated_availability(html) {
        Some((_, text)) => Some(text),
        None => buy_button(html).then(|| "InStock".to_owned()),
    }
}

/// The text of the page's stock widget (an element whose class or id speaks of availability or
/// stock, not of a store's shelf or delivery) that says something of the stock.
fn stated_availability(html: &str) -> Option<(catalog::Availability, String)> {
    let mut unseen: Option<Vec<(usize, usize)>> = None;
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
            || is_hidden(name, &tag)
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
        if status == catalog::Availability::Unknown {
            continue;
        }
        // Inside a hidden dialog or template: not what the shopper is told. Found only for a
        // widget that says something, so a page pays for it only then.
        let unseen = unseen.get_or_insert_with(|| hidden_elements(html));
        if !unseen
            .iter()
            .any(|&(start, end)| start <= tag.start && tag.start < end)
        {
            return Some((status, text));
        }
    }
    None
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

/// The SKU the page shows behind a label, else the one in its add-to-cart form.
fn sku(html: &str) -> Option<String> {
    labelled_sku(html).or_else(|| cart_form_sku(html))
}

/// The value of an add-to-cart form's product field (`<input name="sku" value="…">`).
fn cart_form_sku(html: &str) -> Option<String> {
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
    None
}

/// The code after a SKU label in the visible text (`SKU: AB-12`, `Art.-Nr. 4711`, `货号：K88`).
fn labelled_sku(html: &str) -> Option<String> {
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
    let page = Url::parse(page_url).ok()?;
    let url = canonical_link(html, &page).unwrap_or(page);
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

/// The URL a page gives as its own: `<link rel="canonical">`, else `og:url`, resolved against
/// the page's URL.
pub fn canonical_link(html: &str, page_url: &Url) -> Option<Url> {
    let href = scan::tags(html, "link")
        .find(|t| {
            t.attr("rel")
                .is_some_and(|r| r.eq_ignore_ascii_case("canonical"))
        })
        .and_then(|t| t.attr("href"))
        .or_else(|| {
            scan::tags(html, "meta")
                .find(|t| t.attr("property") == Some("og:url"))
                .and_then(|t| t.attr("content"))
        })?;
    page_url.join(catalog::decode_entities(href).trim()).ok()
}
