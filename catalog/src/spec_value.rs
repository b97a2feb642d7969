//! Option values for matching: `XXL` = `2XL`, `均码` = `free size`, `1.5米` = `150cm`,
//! `顏色` = `颜色`, `Ｍ` = `M`. The value a supplier shows is kept for display; this canonical
//! form only decides whether two values are the same.

use unicode_normalization::UnicodeNormalization;

/// The canonical value: NFKC (full-width → half-width), simplified Chinese, collapsed
/// whitespace, lower case; then size spellings and measurements unified.
pub fn canonical_option_value(value: &str) -> String {
    let folded = fold_text(value);
    if let Some(size) = size(&folded) {
        return size;
    }
    if let Some(measure) = measurement(&folded) {
        return measure;
    }
    dimensions(&folded).unwrap_or(folded)
}

/// NFKC (full-width → half-width), simplified Chinese, then [`fold`]ed. ASCII is only folded:
/// the first two leave it as it is.
pub(crate) fn fold_text(text: &str) -> String {
    if text.is_ascii() {
        return fold(text);
    }
    let nfkc: String = text.nfkc().collect();
    match nfkc.is_ascii() {
        true => fold(&nfkc),
        false => fold(&simplet2s::convert(&nfkc)),
    }
}

/// Trim, collapse inner whitespace to one space, lower-case.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

const ONE_SIZE: &[&str] = &[
    "均码",
    "均號",
    "均号",
    "free size",
    "freesize",
    "free",
    "one size",
    "onesize",
    "one-size",
    "os",
    "f",
    "taille unique",
    "einheitsgröße",
    "einheitsgrösse",
    "talla única",
    "taglia unica",
    "tamanho único",
    "フリーサイズ",
    "프리사이즈",
    "tek beden",
    "размер единый",
];

/// Clothing and shoe sizes: `XXL` = `2XL`, `XL码` = `XL`, `39码` = `39`.
fn size(v: &str) -> Option<String> {
    if ONE_SIZE.contains(&v) {
        return Some("one-size".to_owned());
    }
    let bare = v
        .strip_suffix('码')
        .or_else(|| v.strip_suffix('号'))
        .map_or(v, str::trim);
    let xs = bare.chars().take_while(|c| *c == 'x').count();
    let tail = &bare[xs..];
    if xs >= 2 && (tail == "l" || tail == "s") {
        return Some(format!("{xs}x{tail}"));
    }
    let digits = bare.chars().take_while(char::is_ascii_digit).count();
    let lettered = matches!(bare, "xs" | "s" | "m" | "l" | "xl")
        || (digits > 0 && matches!(&bare[digits..], "xl" | "xs"));
    let shoe = bare != v && digits == bare.len() && digits > 0;
    (lettered || shoe).then(|| bare.to_owned())
}

/// Units and their size in a base unit, as a fraction `num / den`.
const UNITS: &[(&str, &str, u64, u64)] = &[
    // length → cm
    ("mm", "cm", 1, 10),
    ("毫米", "cm", 1, 10),
    ("cm", "cm", 1, 1),
    ("厘米", "cm", 1, 1),
    ("公分", "cm", 1, 1),
    ("m", "cm", 100, 1),
    ("米", "cm", 100, 1),
    ("inch", "cm", 254, 100),
    ("inches", "cm", 254, 100),
    ("in", "cm", 254, 100),
    ("\"", "cm", 254, 100),
    ("英寸", "cm", 254, 100),
    // weight → g
    ("mg", "g", 1, 1000),
    ("g", "g", 1, 1),
    ("克", "g", 1, 1),
    ("kg", "g", 1000, 1),
    ("公斤", "g", 1000, 1),
    ("千克", "g", 1000, 1),
    ("斤", "g", 500, 1),
    ("lb", "g", 45_359_237, 100_000),
    ("lbs", "g", 45_359_237, 100_000),
    ("磅", "g", 45_359_237, 100_000),
    ("oz", "g", 28_349_523_125, 1_000_000_000),
    // volume → ml
    ("ml", "ml", 1, 1),
    ("毫升", "ml", 1, 1),
    ("l", "ml", 1000, 1),
    ("升", "ml", 1000, 1),
];

/// `1.5米` → `150cm`; `500克` → `500g`; `2L` → `2000ml`. Values round to 3 decimals.
fn measurement(v: &str) -> Option<String> {
    let (number, unit) = split_number(v)?;
    let unit = unit.trim();
    let (_, base, num, den) = UNITS.iter().find(|(u, ..)| *u == unit)?;
    Some(format!("{}{base}", scale(number, *num, *den)?))
}

/// `150x200cm`, `150*200 cm`, `150×200` → `150x200cm` (both sides in the unit given once).
fn dimensions(v: &str) -> Option<String> {
    let v = v.replace(['×', '*'], "x").replace(" x ", "x");
    let (a, rest) = v.split_once('x')?;
    let (b, unit) = split_number(rest)?;
    let (a, nothing) = split_number(a)?;
    if !nothing.trim().is_empty() {
        return None;
    }
    let unit = unit.trim();
    match UNITS.iter().find(|(u, ..)| *u == unit) {
        Some((_, base, num, den)) => Some(format!(
            "{}x{}{base}",
            scale(a, *num, *den)?,
            scale(b, *num, *den)?
        )),
        None if unit.is_empty() => Some(format!("{a}x{b}")),
        None => None,
    }
}

/// A leading decimal number and what follows it.
fn split_number(v: &str) -> Option<(&str, &str)> {
    let len = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let number = &v[..len];
    (!number.is_empty()
        && number.starts_with(|c: char| c.is_ascii_digit())
        && number.matches('.').count() <= 1)
        .then(|| (number, &v[len..]))
}

/// `number × num / den`, exact in integers, rounded half up to 3 decimals, trailing zeros cut.
fn scale(number: &str, num: u64, den: u64) -> Option<String> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let frac = &frac[..frac.len().min(9)];
    let digits: u128 = format!("{int}{frac}").parse().ok()?;
    let divisor = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    // In thousandths, rounded half up.
    let thousandths = (digits.checked_mul(u128::from(num))?.checked_mul(2000)?
        / (divisor * u128::from(den)))
    .div_ceil(2);
    let whole = thousandths / 1000;
    let rest = thousandths % 1000;
    if rest == 0 {
        return Some(whole.to_string());
    }
    Some(
        format!("{whole}.{rest:03}")
            .trim_end_matches('0')
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_unified_for_matching() {
        let cases = [
            ("XXL", "2xl"),
            ("2XL", "2xl"),
            ("xxxl", "3xl"),
            ("ＸＬ", "xl"),
            ("XL码", "xl"),
            ("均码", "one-size"),
            ("Free Size", "one-size"),
            ("1.5米", "150cm"),
            ("150cm", "150cm"),
            ("15.6英寸", "39.624cm"),
            ("1斤", "500g"),
            ("0.5kg", "500g"),
            ("2L", "2000ml"),
            ("150*200cm", "150x200cm"),
            ("150 × 200", "150x200"),
            ("深  藍色", "深 蓝色"),
            ("酒紅", "酒红"),
            ("M", "m"),
            ("39码", "39"),
            ("39", "39"),
        ];
        for (value, want) in cases {
            assert_eq!(canonical_option_value(value), want, "{value}");
        }
    }
}
