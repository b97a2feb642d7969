//! Finding elements in a page without building a DOM: a byte scan over tags.
//!
//! A product page is ~90 KB, most of it navigation, scripts and footer; the data is in a few
//! places (`<script type="application/ld+json">`, one table). Parsing the whole page into a DOM
//! costs more than everything else in the pipeline together, so the extractors scan for the few
//! elements they read and hand only those to a parser. Tag names and attribute names are matched
//! ASCII case-insensitively, as HTML does.

use memchr::memchr_iter;

/// An opening tag found by [`tags`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    /// Byte offset of its `<`.
    pub start: usize,
    /// Byte offset just past its `>`.
    pub end: usize,
    /// The text between the name and `>` (attributes, maybe a trailing `/`).
    pub attrs: &'a str,
}

impl<'a> Tag<'a> {
    /// The value of attribute `name`, unquoted (entities are not decoded).
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        attr(self.attrs, name)
    }
}

/// Every opening tag named `name` (ASCII case-insensitive), in page order. Comments are not
/// skipped: a commented-out element is found too, which for data is harmless.
pub fn tags<'a>(html: &'a str, name: &'a str) -> impl Iterator<Item = Tag<'a>> + 'a {
    let bytes = html.as_bytes();
    let n = name.len();
    // The candidates: a page has thousands of `<` and few of them open the wanted element, so
    // a page whose tags never start with an upper-case letter (no `<S` for `script`) is searched
    // for `<script` itself (SIMD); otherwise every `<` is visited. A name written with a
    // lower-case first letter and upper-case ones after it (`<sCRIPT`) is only found on a page
    // of the second kind.
    let first = name.bytes().next().unwrap_or(b'<');
    let upper = [b'<', first.to_ascii_uppercase()];
    let candidates: Box<dyn Iterator<Item = usize> + 'a> =
        if first.is_ascii_lowercase() && memchr::memmem::find(bytes, &upper).is_none() {
            let needle = format!("<{}", name.to_ascii_lowercase());
            let finder = memchr::memmem::Finder::new(needle.as_bytes()).into_owned();
            let mut from = 0;
            Box::new(std::iter::from_fn(move || {
                let at = from + finder.find(bytes.get(from..)?)?;
                from = at + 1;
                Some(at)
            }))
        } else {
            Box::new(memchr_iter(b'<', bytes))
        };
    candidates.filter_map(move |lt| {
        let after = lt + 1 + n;
        let tag_name = bytes.get(lt + 1..after)?;
        if !tag_name.eq_ignore_ascii_case(name.as_bytes()) {
            return None;
        }
        // `<table` must not match `<tablex`.
        match bytes.get(after) {
            Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/' => {}
            _ => return None,
        }
        let gt = tag_end(bytes, after)?;
        Some(Tag {
            start: lt,
            end: gt + 1,
            attrs: html.get(after..gt)?,
        })
    })
}

/// The offset of the `>` closing a tag whose attributes start at `from`; quoted `>` are skipped.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in bytes.get(from..)?.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// The offset of the `</name` closing the element whose content starts at `from`, counting nested
/// elements of the same name. Raw-text elements (`script`, `style`) take the first `</name`.
pub fn close_of(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let n = name.len();
    let raw_text = name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style");
    let mut depth = 0usize;
    for lt in memchr_iter(b'<', bytes.get(from..)?).map(|i| from + i) {
        let closing = bytes.get(lt + 1) == Some(&b'/');
        let name_at = lt + 1 + usize::from(closing);
        let tag_name = bytes.get(name_at..name_at + n)?;
        if !tag_name.eq_ignore_ascii_case(name.as_bytes()) {
            continue;
        }
        if !matches!(bytes.get(name_at + n), Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        {
            continue;
        }
        if closing {
            if depth == 0 || raw_text {
                return Some(lt);
            }
            depth -= 1;
        } else if !raw_text {
            depth += 1;
        }
    }
    None
}

/// Every element named `name` whose opening tag satisfies `wanted`: (tag, inner content).
pub fn elements<'a>(
    html: &'a str,
    name: &'a str,
    wanted: impl Fn(&Tag<'a>) -> bool + 'a,
) -> impl Iterator<Item = (Tag<'a>, &'a str)> + 'a {
    tags(html, name)
        .filter(move |t| wanted(t))
        .filter_map(move |t| {
            let close = close_of(html, t.end, name)?;
            Some((t, html.get(t.end..close)?))
        })
}

/// The whole element (from its `<` to past its closing tag's `>`), for parsing on its own.
pub fn outer<'a>(html: &'a str, tag: &Tag<'_>, name: &str) -> Option<&'a str> {
    let close = close_of(html, tag.end, name)?;
    let gt = memchr::memchr(b'>', html.as_bytes().get(close..)?)?;
    html.get(tag.start..close + gt + 1)
}

/// Attribute `name`'s value in a tag's attribute text.
pub fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let key_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>')
        {
            i += 1;
        }
        let key = &bytes[key_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = memchr::memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |e| i + 1 + e);
                    value = attrs.get(i + 1..end).unwrap_or("");
                    i = end + 1;
                }
                Some(_) => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    value = attrs.get(start..i).unwrap_or("");
                }
                None => {}
            }
        }
        if key.is_empty() {
            i += 1;
            continue;
        }
        if key.eq_ignore_ascii_case(name.as_bytes()) {
            return Some(value);
        }
    }
    None
}

/// Every opening tag that carries attribute `name` (`itemprop`), with its tag name, in page
/// order. Found by searching for the attribute, not by visiting every tag.
pub fn tags_with_attr<'a>(
    html: &'a str,
    name: &'a str,
) -> impl Iterator<Item = (&'a str, Tag<'a>)> + 'a {
    let bytes = html.as_bytes();
    let mut last_end = 0;
    memchr::memmem::find_iter(bytes, name.as_bytes()).filter_map(move |at| {
        if at < last_end {
            return None;
        }
        // The tag's `<`: the nearest one before, within a tag's reach.
        let window = at.saturating_sub(2048);
        let lt = window + memchr::memrchr(b'<', &bytes[window..at])?;
        let name_end = lt
            + 1
            + bytes[lt + 1..at]
                .iter()
                .position(|b| b.is_ascii_whitespace())?;
        let tag_name = html.get(lt + 1..name_end)?;
        if tag_name.is_empty()
            || !tag_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return None;
        }
        let gt = tag_end(bytes, name_end)?;
        if gt < at {
            return None;
        }
        last_end = gt;
        let tag = Tag {
            start: lt,
            end: gt + 1,
            attrs: html.get(name_end..gt)?,
        };
        tag.attr(name).is_some().then_some((tag_name, tag))
    })
}

/// The text inside an element (tags dropped, entities decoded, whitespace collapsed), read up
/// to `limit` bytes of markup. Void elements have none.
pub fn inner_text(html: &str, tag_name: &str, tag: &Tag<'_>, limit: usize) -> Option<String> {
    let text = super::plain_text(inner_markup(html, tag_name, tag, limit)?);
    (!text.is_empty()).then_some(text)
}

/// The markup inside an element, read up to `limit` bytes. Void elements have none.
pub fn inner_markup<'a>(
    html: &'a str,
    tag_name: &str,
    tag: &Tag<'_>,
    limit: usize,
) -> Option<&'a str> {
    const VOID: &[&str] = &["meta", "link", "img", "input", "br", "hr", "source"];
    if VOID.iter().any(|v| v.eq_ignore_ascii_case(tag_name)) {
        return None;
    }
    let end = (tag.end + limit).min(html.len());
    let window = html.get(tag.end..end).or_else(|| {
        // `limit` cut a character: back off to its start.
        let mut e = end;
        while !html.is_char_boundary(e) {
            e -= 1;
        }
        html.get(tag.end..e)
    })?;
    let close = close_of(window, 0, tag_name).unwrap_or(window.len());
    window.get(..close)
}

/// Whether `needle` is in `haystack` (SIMD search: pages are large, needles few).
pub fn has(haystack: &str, needle: &str) -> bool {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes()).is_some()
}

/// Whether a `class` attribute value holds `class` as one of its words.
pub fn has_class(tag: &Tag<'_>, class: &str) -> bool {
    tag.attr("class")
        .is_some_and(|c| c.split_ascii_whitespace().any(|w| w == class))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_found_in_any_case_and_not_by_prefix() {
        let html = r#"<SCRIPT type="application/ld+json">{}</SCRIPT><scripts></scripts><script src='a>b.js'></script>"#;
        let found: Vec<_> = tags(html, "script").collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].attr("type"), Some("application/ld+json"));
        assert_eq!(
            found[1].attr("src"),
            Some("a>b.js"),
            "a quoted > does not end the tag"
        );
        assert_eq!(close_of(html, found[0].end, "script"), Some(37));
    }

    #[test]
    fn nested_elements_close_at_their_own_end() {
        let html =
            "<table class=x><tr><td><table><tr><td>in</td></tr></table></td></tr></TABLE> after";
        let t = tags(html, "table").next().expect("table");
        let outer = outer(html, &t, "table").expect("outer");
        assert!(outer.ends_with("</TABLE>"), "{outer}");
        assert!(has_class(&t, "x"));
    }

    #[test]
    fn attributes_are_read_quoted_unquoted_and_bare() {
        let attrs = r#" data-a=1 hidden class = "variant-table big" data-b='x y' /"#;
        assert_eq!(attr(attrs, "data-a"), Some("1"));
        assert_eq!(attr(attrs, "HIDDEN"), Some(""));
        assert_eq!(attr(attrs, "class"), Some("variant-table big"));
        assert_eq!(attr(attrs, "data-b"), Some("x y"));
        assert_eq!(attr(attrs, "missing"), None);
    }

    #[test]
    fn unfinished_markup_finds_nothing_and_does_not_panic() {
        for html in [
            "<",
            "<script",
            "<script type='x",
            "<table><tr>",
            "<scr",
            "</",
            "<a\u{fffd}",
        ] {
            for name in ["script", "table", "a"] {
                let _ = tags(html, name).count();
                let _ = elements(html, name, |_| true).count();
            }
        }
    }
}
