//! Titles, descriptions and image URLs, normalized for comparison only: the original is kept
//! for display, and a difference of whitespace, entities or CDN resizing is not a change.

use unicode_normalization::UnicodeNormalization;

/// Text for comparison: HTML entities decoded, NFKC, whitespace collapsed, trimmed.
pub fn normalize_text(text: &str) -> String {
    let decoded = decode_entities(text);
    let nfkc: String = decoded.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes `&amp;`, `&nbsp;`, `&#39;`, `&#x4E2D;` and the other entities product text carries.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|e| *e <= 10);
        let decoded = end.and_then(|e| entity(&rest[1..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{00A0}',
        "yen" => '¥',
        "euro" => '€',
        "pound" => '£',
        "times" => '×',
        "middot" => '·',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "reg" => '®',
        "trade" => '™',
        "copy" => '©',
        _ => return None,
    })
}

/// Query parameters that only resize or re-encode an image.
const RESIZE_PARAMS: &[&str] = &[
    "x-oss-process",
    "w",
    "h",
    "width",
    "height",
    "size",
    "resize",
    "quality",
    "q",
    "fit",
    "crop",
    "auto",
    "format",
    "fm",
    "dpr",
    "v",
    "imwidth",
    "imheight",
    "sw",
    "sh",
    "scale",
];

/// Shopify's named sizes (`_small`, `_grande`).
const SHOPIFY_SIZES: &[&str] = &[
    "pico", "icon", "thumb", "small", "compact", "medium", "large", "grande", "original", "master",
];

/// An image URL without CDN resize suffixes and parameters, `https`, lower-case host:
/// `//img.alicdn.com/a.jpg_400x400.jpg` → `https://img.alicdn.com/a.jpg`;
/// `…/files/p_100x.jpg?v=1` → `…/files/p.jpg`; `…/a.jpg?x-oss-process=image/resize,w_200` → `…/a.jpg`.
pub fn canonical_image_url(url: &str) -> String {
    let url = url.trim();
    let (scheme_less, _) = match url.split_once("://") {
        Some((scheme, rest))
            if matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") =>
        {
            (rest, scheme)
        }
        Some(_) => return url.to_owned(),
        None => (url.trim_start_matches("//"), "https"),
    };
    let (before_fragment, _) = scheme_less.split_once('#').unwrap_or((scheme_less, ""));
    let (path_part, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let (host, path) = path_part.split_once('/').unwrap_or((path_part, ""));
    let path = strip_resize_suffix(path);
    let query: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or(p).to_ascii_lowercase();
            !RESIZE_PARAMS.contains(&key.as_str())
                && !key.starts_with("imageview2")
                && !key.starts_with("imagemogr2")
        })
        .collect();
    let mut out = format!("https://{}/{}", host.to_ascii_lowercase(), path);
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

/// `a.jpg_400x400.jpg`, `a.jpg_400x400q90.jpg_.webp` → `a.jpg`; `p_100x100@2x.jpg`, `p_small.jpg`,
/// `p-300x300.jpg` → `p.jpg`.
fn strip_resize_suffix(path: &str) -> String {
    // alicdn: the original name with its extension, then `_<size>.<ext>` (possibly twice).
    for ext in [".jpg", ".jpeg", ".png", ".webp", ".gif"] {
        if let Some(at) = path.to_ascii_lowercase().find(&format!("{ext}_")) {
            return path[..at + ext.len()].to_owned();
        }
    }
    let (stem, ext) = match path.rfind('.') {
        Some(dot) if !path[dot..].contains('/') => (&path[..dot], &path[dot..]),
        _ => (path, ""),
    };
    let stem = [
        "_crop_center",
        "_crop_top",
        "_crop_bottom",
        "_crop_left",
        "_crop_right",
    ]
    .iter()
    .find_map(|crop| stem.strip_suffix(crop))
    .unwrap_or(stem);
    let cut = |sep: char| -> Option<&str> {
        let at = stem.rfind(sep)?;
        let suffix = &stem[at + 1..];
        let suffix = suffix.split('@').next().unwrap_or(suffix);
        is_size(suffix, sep == '_').then(|| &stem[..at])
    };
    let stem = cut('_').or_else(|| cut('-')).unwrap_or(stem);
    format!("{stem}{ext}")
}

/// `100x`, `x100`, `100x100`; with Shopify's names when `named`.
fn is_size(s: &str, named: bool) -> bool {
    if named && SHOPIFY_SIZES.contains(&s) {
        return true;
    }
    let Some((w, h)) = s.split_once('x') else {
        return false;
    };
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    (!w.is_empty() || !h.is_empty()) && digits(w) && digits(h) && (w.len() + h.len()) <= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_ignores_entities_width_and_whitespace() {
        assert_eq!(
            normalize_text("  T恤&nbsp;&amp; 卫衣\n\t新款 "),
            "T恤 & 卫衣 新款"
        );
        assert_eq!(normalize_text("ＡＢＣ&#x4E2D;&#25991;"), "ABC中文");
        assert_eq!(
            normalize_text("AT&T & more &bogus; &"),
            "AT&T & more &bogus; &"
        );
    }
}
