//! A fetched page → [`RawProduct`]. Pure: no I/O.
//!
//! Every extractor reads what it knows from the page and says so ([`Found`]): schema.org JSON-LD,
//! microdata, OpenGraph and product meta tags, platform data (Shopify, WooCommerce, Magento, 1688,
//! Tmall/Taobao, AliExpress), the visible variant table, and visible-page heuristics. [`merge`]
//! then combines them by confidence: each field (and each variant's price, stock, SKU) comes from
//! the most trusted extractor that has it, the variant list from the one that knows the options,
//! and every disagreement is kept in the provenance, so a merchant can see why a value was chosen.
//!
//! Structured data is found by byte scans ([`scan`]); only small fragments (a table) are parsed
//! into a DOM. A whole-page DOM would cost more than the rest of the crawl together.

use catalog::{Provenance, RawProduct, RawVariant};
use url::Url;

pub mod currency;
pub mod json;
mod jsonld;
mod meta;
mod microdata;
mod platform;
pub mod rules;
pub mod scan;
mod table;
mod visible;

/// A Magento `jsonConfig` / `spConfig` object as findings.
pub use platform::magento_config;
/// A Shopify product object (`/products/<handle>.js` or `.json`) as findings.
pub use platform::shopify_product as platform_shopify;
pub use visible::canonical_link;
pub(crate) use visible::shown_sentences;

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{url}: no product found on the page (no structured data, no price on it)")]
    NoProduct { url: String },
    /// A bug: extraction must never panic, whatever the page. Reported, never a change.
    #[error("{url}: extraction crashed on this page (a bug in specsync; please report it)")]
    Crashed { url: String },
    #[error("{url}: rules file: {reason}")]
    Rules { url: String, reason: String },
}

/// What one extractor read from the page.
#[derive(Debug, Default)]
pub struct Found {
    /// The extractor, as provenance shows it (`json-ld`, `microdata`, `magento`).
    pub from: String,
    /// How much its values are trusted over others': platform data 90, JSON-LD 80, the variant
    /// table 70, microdata 60, meta tags 50, visible heuristics 30.
    pub rank: u8,
    pub product: RawProduct,
}

impl Found {
    fn new(from: impl Into<String>, rank: u8) -> Found {
        Found {
            from: from.into(),
            rank,
            product: RawProduct::default(),
        }
    }

    fn is_empty(&self) -> bool {
        let p = &self.product;
        p.title.is_none() && p.sku.is_none() && p.variants.is_empty()
    }
}

/// Every extractor's findings on the page, most trusted first (for `specsync extract --explain`).
pub fn extract_all(url: &Url, html: &str) -> Vec<Found> {
    let mut found = Vec::new();
    found.extend(jsonld::extract(html));
    found.extend(platform::extract(html));
    found.extend(table::extract(html));
    found.extend(microdata::extract(html));
    found.extend(meta::extract(html));
    let structured_price = found
        .iter()
        .any(|f| f.product.variants.iter().any(|v| v.price.is_some()));
    // The page's visible text is read only when nothing structured gave a price: it is the
    // costliest extractor and the least sure.
    if !structured_price {
        found.extend(visible::extract(url, html));
    }
    found.retain(|f| !f.is_empty());
    found.sort_by_key(|f| std::cmp::Reverse(f.rank));
    found
}

/// The `/products/<handle>.js` of a Shopify product page that carries no product JSON of its
/// own: where the shop serves the product's variants with their option values and stock.
pub fn shopify_js_url(url: &Url, html: &str) -> Option<Url> {
    let shopify = scan::has(html, "cdn.shopify.com") || scan::has(html, "Shopify.shop");
    if !shopify || scan::has(html, "\"variants\"") {
        return None;
    }
    let mut segments = url.path_segments()?;
    let handle = segments.by_ref().skip_while(|s| *s != "products").nth(1)?;
    let handle = handle.trim_end_matches(".html");
    if handle.is_empty() || handle.contains('.') {
        return None;
    }
    url.join(&format!("/products/{handle}.js")).ok()
}

/// The product on the page, from every extractor's findings merged.
pub fn extract(url: &Url, html: &str) -> Result<RawProduct, ExtractError> {
    extract_with(url, html, None, Vec::new())
}

/// The product on the page, with a source's rules file (its findings outrank every extractor's;
/// a rule that matches nothing fails the page as an extraction failure, never a change).
pub fn extract_with(
    url: &Url,
    html: &str,
    rules: Option<&rules::Rules>,
    extra: Vec<Found>,
) -> Result<RawProduct, ExtractError> {
    let mut found = extract_all(url, html);
    // What the caller fetched besides the page (a Shopify `.js` product), ranked as it says.
    found.extend(extra);
    found.sort_by_key(|f| std::cmp::Reverse(f.rank));
    if let Some(rules) = rules {
        let by_rules = rules.apply(html).map_err(|e| ExtractError::Rules {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        found.insert(0, by_rules);
    }
    let mut raw = merge(found).ok_or_else(|| ExtractError::NoProduct {
        url: url.to_string(),
    })?;
    raw.url = url.to_string();
    if raw.title.is_none() {
        // Platform data often leaves the title to the page: its `<h1>`, else its `<title>`.
        raw.title = ["h1", "title"].iter().find_map(|name| {
            let tag = scan::tags(html, name).next()?;
            scan::inner_text(html, name, &tag, 2048)
        });
    }
    let trust = rules.and_then(rules::Rules::trust_stock);
    if trust != Some(rules::TrustStock::Structured) && !rules.is_some_and(rules::Rules::reads_stock)
    {
        settle_stock(html, &mut raw, trust);
    }
    visible::fill_missing(html, &mut raw);
    name_unnamed_variants(&mut raw);
    Ok(raw)
}

/// The provenance field of a disagreement between structured data and the visible page on the
/// product's stock ([`settle_stock`]); `read_page` reports it as a page warning.
pub const STOCK_CONFLICT: &str = "stock conflict";

/// What the variants' stock reads as (from the structured data, before the visible page fills
/// anything in): all orderable, all sold out, or neither.
fn structured_stock(raw: &RawProduct) -> Option<catalog::Availability> {
    use catalog::Availability::{InStock, OutOfStock, Preorder};
    let mut said = None;
    for v in &raw.variants {
        let stock = match (&v.availability, &v.quantity) {
            (None, None) => continue,
            (a, q) => {
                let status = a.as_deref().map_or(catalog::Availability::Unknown, |a| {
                    catalog::parse_stock(a).status
                });
                let quantity = q.as_deref().and_then(|q| catalog::parse_stock(q).quantity);
                catalog::Stock::new(status, quantity).status
            }
        };
        let stock = match stock {
            InStock | Preorder => InStock,
            OutOfStock => OutOfStock,
            catalog::Availability::Unknown => return None,
        };
        match said {
            None => said = Some(stock),
            Some(s) if s == stock => {}
            Some(_) => return None,
        }
    }
    said
}

/// When the structured data says the whole product is in stock and the visible page says it is
/// sold out (`缺货` under JSON-LD `InStock`), or the other way round, neither is believed: every
/// variant's stock is `unknown` (the crawl makes no stock change of it) and the disagreement is
/// noted for the merchant. The source's rules may trust the visible page instead.
fn settle_stock(html: &str, raw: &mut RawProduct, trust: Option<rules::TrustStock>) {
    let Some(structured) = structured_stock(raw) else {
        return;
    };
    let Some((visible, words)) = visible::visible_stock(html) else {
        return;
    };
    if visible == structured {
        return;
    }
    let said = |a: catalog::Availability| match a {
        catalog::Availability::OutOfStock => "sold out",
        _ => "in stock",
    };
    let detail = format!(
        "the structured data says {}, the visible page says {} ({:?})",
        said(structured),
        said(visible),
        short(&words)
    );
    let read_as = match trust {
        Some(rules::TrustStock::Visible) => {
            let text = match visible {
                catalog::Availability::OutOfStock => "OutOfStock",
                _ => "InStock",
            }
            .to_owned();
            for v in &mut raw.variants {
                v.availability = Some(text.clone());
                v.quantity = None;
            }
            "the visible page, as the source's rules say"
        }
        _ => {
            for v in &mut raw.variants {
                v.availability = Some(catalog::Availability::Unknown.as_str().to_owned());
                v.quantity = None;
            }
            "unknown: no stock change until they agree (or the source's rules say which to trust)"
        }
    };
    raw.note(STOCK_CONFLICT, format!("{detail}; read as {read_as}"));
}

/// Which extractor a merged value came from, and how trusted it is.
#[derive(Clone, Copy)]
struct Source<'a> {
    from: &'a str,
    rank: u8,
}

/// Sets `slot` from `value` if it is empty or `value` is more trusted; a disagreement is noted.
/// `field` names the slot in the provenance; it is only formatted when a note is written.
fn take(
    slot: &mut Option<String>,
    slot_rank: &mut u8,
    value: &Option<String>,
    source: Source<'_>,
    field: &dyn Fn() -> String,
    provenance: &mut Vec<Provenance>,
) {
    take_with(
        slot, slot_rank, value, source, field, provenance, same_value,
    );
}

/// [`take`], with what counts as the same value for this field.
fn take_with(
    slot: &mut Option<String>,
    slot_rank: &mut u8,
    value: &Option<String>,
    source: Source<'_>,
    field: &dyn Fn() -> String,
    provenance: &mut Vec<Provenance>,
    same: fn(&str, &str) -> bool,
) {
    let Some(value) = value else { return };
    match slot {
        None => {
            *slot = Some(value.clone());
            *slot_rank = source.rank;
            provenance.push(Provenance {
                field: field(),
                from: source.from.to_owned(),
            });
        }
        Some(current) if !same(current, value) => {
            let field = field();
            let (kept, other) = if source.rank > *slot_rank {
                let old = std::mem::replace(current, value.clone());
                *slot_rank = source.rank;
                provenance.retain(|p| p.field != field);
                provenance.push(Provenance {
                    field: field.clone(),
                    from: source.from.to_owned(),
                });
                (value.clone(), old)
            } else {
                (current.clone(), value.clone())
            };
            let from = if kept == *value {
                "a less trusted source"
            } else {
                source.from
            };
            provenance.push(Provenance {
                field,
                from: format!(
                    "conflict: kept {:?}; {from} said {:?}",
                    short(&kept),
                    short(&other)
                ),
            });
        }
        Some(current) => {
            // The same value: the more trusted extractor's way of writing it is kept.
            if source.rank > *slot_rank {
                *current = value.clone();
                *slot_rank = source.rank;
                let field = field();
                if let Some(p) = provenance.iter_mut().rev().find(|p| p.field == field) {
                    p.from = source.from.to_owned();
                }
            }
        }
    }
}

/// Whether two extractors said the same thing, as written: `InStock` and
/// `https://schema.org/InStock`, or `210.99` and `$210.99`, are no disagreement.
fn same_value(a: &str, b: &str) -> bool {
    let bare = |s: &'_ str| -> (bool, String) {
        let s = s.trim();
        let s = s.rsplit_once("schema.org/").map_or(s, |(_, v)| v);
        let numeric = s.trim_matches(|c: char| !c.is_ascii_digit());
        match numeric.is_empty() {
            true => (false, s.to_ascii_lowercase()),
            false => (true, numeric.to_owned()),
        }
    };
    a.eq_ignore_ascii_case(b) || bare(a) == bare(b)
}

/// Whether two availability readings say the same, once read: `https://schema.org/OutOfStock`
/// and `缺货` are no disagreement.
fn same_availability(a: &str, b: &str) -> bool {
    use catalog::Availability;
    if same_value(a, b) {
        return true;
    }
    let (a, b) = (Availability::parse(a), Availability::parse(b));
    a == b && a != Availability::Unknown
}

/// A merged variant with the trust of each of its fields.
struct MergedVariant {
    v: RawVariant,
    ranks: [u8; 6],
}

impl MergedVariant {
    fn absorb(
        &mut self,
        other: &RawVariant,
        source: Source<'_>,
        n: usize,
        prov: &mut Vec<Provenance>,
    ) {
        let fields: [(&mut Option<String>, &Option<String>, &str); 6] = [
            (&mut self.v.sku, &other.sku, "sku"),
            (&mut self.v.price, &other.price, "price"),
            (&mut self.v.compare_at, &other.compare_at, "compare_at"),
            (&mut self.v.currency, &other.currency, "currency"),
            (
                &mut self.v.availability,
                &other.availability,
                "availability",
            ),
            (&mut self.v.quantity, &other.quantity, "quantity"),
        ];
        for ((slot, value, name), rank) in fields.into_iter().zip(self.ranks.iter_mut()) {
            let same = match name {
                "availability" => same_availability,
                _ => same_value,
            };
            take_with(
                slot,
                rank,
                value,
                source,
                &|| format!("variants[{n}].{name}"),
                prov,
                same,
            );
        }
        if self.v.spec.is_empty() && !other.spec.is_empty() {
            self.v.spec = other.spec.clone();
        }
    }
}

/// Combines the findings, most trusted first. The variant list comes from the most trusted
/// extractor that names options (else the most trusted with variants); the others' variants
/// fill in and compete for its fields, matched by SKU, by spec, or one-to-one when each has one.
pub fn merge(found: Vec<Found>) -> Option<RawProduct> {
    if found.is_empty() {
        return None;
    }
    let skeleton = found
        .iter()
        .position(|f| f.product.variants.iter().any(|v| !v.spec.is_empty()))
        .or_else(|| found.iter().position(|f| !f.product.variants.is_empty()));
    let mut out = RawProduct::default();
    let mut prov = Vec::new();
    let mut ranks = [0u8; 5];
    let mut variants: Vec<MergedVariant> = Vec::new();
    if let Some(i) = skeleton {
        let f = &found[i];
        out.option_labels = f.product.option_labels.clone();
        for (n, v) in f.product.variants.iter().enumerate() {
            let mut m = MergedVariant {
                v: RawVariant {
                    spec: v.spec.clone(),
                    ..RawVariant::default()
                },
                ranks: [0; 6],
            };
            m.absorb(
                v,
                Source {
                    from: &f.from,
                    rank: f.rank,
                },
                n,
                &mut prov,
            );
            variants.push(m);
        }
        prov.push(Provenance {
            field: "variants".into(),
            from: f.from.clone(),
        });
    }
    for (i, f) in found.iter().enumerate() {
        let source = Source {
            from: &f.from,
            rank: f.rank,
        };
        let p = &f.product;
        let scalars: [(&mut Option<String>, &Option<String>, &str); 5] = [
            (&mut out.title, &p.title, "title"),
            (&mut out.brand, &p.brand, "brand"),
            (&mut out.sku, &p.sku, "sku"),
            (&mut out.currency, &p.currency, "currency"),
            (&mut out.description, &p.description, "description"),
        ];
        for ((slot, value, name), rank) in scalars.into_iter().zip(ranks.iter_mut()) {
            take(slot, rank, value, source, &|| name.to_owned(), &mut prov);
        }
        if out.images.is_empty() && !p.images.is_empty() {
            out.images = p.images.clone();
        }
        if Some(i) == skeleton {
            continue;
        }
        let one_each = variants.len() == 1 && p.variants.len() == 1;
        for v in &p.variants {
            let target = if one_each {
                Some(0)
            } else {
                variants.iter().position(|m| {
                    (v.sku.is_some() && m.v.sku == v.sku)
                        || (!v.spec.is_empty() && same_spec(&m.v.spec, &v.spec))
                })
            };
            if let Some(t) = target {
                variants[t].absorb(v, source, t, &mut prov);
            }
        }
    }
    prov.extend(
        found
            .iter()
            .flat_map(|f| f.product.provenance.iter().cloned()),
    );
    out.variants = variants.into_iter().map(|m| m.v).collect();
    out.provenance = prov;
    Some(out)
}

fn same_spec(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len()
        && a.iter().all(|(name, value)| {
            b.iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
        })
}

/// Several offers and no option values: each is still its own variant, named by its SKU (or its
/// place on the page) so that no two share the empty spec key.
fn name_unnamed_variants(raw: &mut RawProduct) {
    if raw.variants.len() < 2 {
        return;
    }
    for (n, v) in raw.variants.iter_mut().enumerate() {
        if v.spec.is_empty() {
            let name = v.sku.clone().unwrap_or_else(|| format!("offer {}", n + 1));
            v.spec.push(("variant".to_owned(), name));
        }
    }
}

/// Text with tags removed, entities decoded and whitespace collapsed.
pub(crate) fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(256));
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        match rest[lt..].find('>') {
            Some(gt) => rest = &rest[lt + gt + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    collapse(&catalog::decode_entities(&out))
}

/// The text a shopper sees: [`plain_text`] of the page without its `<script>` and `<style>`
/// elements (a stylesheet's `#BBD3DE` is no Barbados dollar).
pub(crate) fn visible_text(html: &str) -> String {
    let mut kept = String::with_capacity(html.len() / 2);
    let mut at = 0;
    for (start, end) in ["script", "style"]
        .iter()
        .flat_map(|name| {
            scan::elements(html, name, |_| true).map(|(t, inner)| (t.start, t.end + inner.len()))
        })
        .collect::<std::collections::BTreeSet<_>>()
    {
        if start >= at {
            kept.push_str(&html[at..start]);
            kept.push(' ');
            at = end;
        }
    }
    kept.push_str(&html[at.min(html.len())..]);
    plain_text(&kept)
}

/// A value as a conflict note quotes it: at most 60 characters.
fn short(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
