//! Properties of normalization over generated input.

use catalog::{
    canonical_image_url, canonical_option_name, canonical_option_value, normalize_text,
    parse_price_text, parse_stock, Currency, Money, SpecKey,
};
use proptest::prelude::*;

/// How shops write numbers: grouping separator, decimal separator, digits.
#[derive(Clone, Copy, Debug)]
enum Style {
    Us,
    Europe,
    French,
    Swiss,
    Plain,
    Arabic,
}

fn group(int: &str, sep: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn written(m: Money, style: Style) -> String {
    let plain = m.amount_string();
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let (g, d) = match style {
        Style::Us => (",", "."),
        Style::Europe => (".", ","),
        Style::French => ("\u{202F}", ","),
        Style::Swiss => ("'", "."),
        Style::Plain => ("", "."),
        Style::Arabic => ("\u{066C}", "\u{066B}"),
    };
    let number = if frac.is_empty() {
        group(int, g)
    } else {
        format!("{}{d}{frac}", group(int, g))
    };
    match style {
        Style::Arabic => number
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .map_or(c, |d| char::from_u32(0x0660 + d).unwrap_or(c))
            })
            .collect(),
        _ => number,
    }
}

/// (currency, a symbol shops use for it)
const CURRENCIES: &[(&str, &str)] = &[
    ("CNY", "¥"),
    ("USD", "$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("JPY", "円"),
    ("KRW", "₩"),
    ("INR", "₹"),
    ("RUB", "₽"),
    ("PLN", "zł"),
    ("BRL", "R$"),
    ("KWD", "KWD"),
    ("CHF", "CHF"),
    ("SEK", "kr"),
    ("TRY", "₺"),
];

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::Us),
        Just(Style::Europe),
        Just(Style::French),
        Just(Style::Swiss),
        Just(Style::Plain),
        Just(Style::Arabic)
    ]
}

proptest! {
    // 2,000 cases by default; `PROPTEST_CASES=100000` for a longer hunt.
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2000)))]

    #[test]
    fn money_written_in_any_style_reads_back(
        minor in 0i64..10_000_000_000,
        which in 0..CURRENCIES.len(),
        style in style(),
        placement in 0..3u8,
    ) {
        let (code, symbol) = CURRENCIES[which];
        let currency = Currency::parse(code).expect("code");
        let money = Money::new(minor, currency);
        let number = written(money, style);
        let text = match placement {
            0 => format!("{symbol}{number}"),
            1 => format!("{number} {symbol}"),
            _ => format!("{code} {number}"),
        };
        let parsed = parse_price_text(&text, None, Some(currency));
        prop_assert_eq!(parsed.money(&text).ok().flatten(), Some(money), "{}", text);
    }

    #[test]
    fn normalization_never_panics(text in any::<String>(), hint in any::<String>()) {
        let parsed = parse_price_text(&text, Some(&hint), None);
        let _ = parsed.money(&text);
        let _ = parsed.amount_string();
        let _ = parse_stock(&text);
        let _ = canonical_option_value(&text);
        let _ = canonical_option_name(&text);
        let _ = normalize_text(&text);
        let _ = canonical_image_url(&text);
        let _ = SpecKey::parse(&text);
    }

    #[test]
    fn price_like_noise_never_panics(text in "[0-9.,' \u{a0}\u{202f}\u{66b}\u{66c}$€¥£元kr-]{0,40}") {
        let _ = parse_price_text(&text, None, None).money(&text);
    }

    #[test]
    fn canonical_values_are_stable(value in "\\PC{0,30}") {
        let once = canonical_option_value(&value);
        prop_assert_eq!(canonical_option_value(&once), once.clone(), "{:?}", value);
    }
}

/// `İ` grows by a byte when lower-cased and `ẞ` shrinks by one: the same total length with the
/// number at another offset once slicing the lower-cased text panicked.
#[test]
fn regression_lowercasing_that_moves_offsets_does_not_panic() {
    for text in ["İ1ẞ", "İ 12 ẞ was 15", "ẞİ12", "was İ10 ẞ12"] {
        let _ = parse_price_text(text, None, None);
    }
    assert_eq!(
        parse_price_text("İ1ẞ €", None, None)
            .amount_string()
            .as_deref(),
        Some("1.00")
    );
}

/// U+2029 (paragraph separator) is whitespace of three bytes: the word after it once started
/// one byte in.
#[test]
fn regression_multibyte_whitespace_before_a_number_does_not_panic() {
    let parsed = parse_price_text("was\u{2029}EUR 20 now 15", None, None);
    assert_eq!(parsed.amount_string().as_deref(), Some("15.00"));
    let _ = parse_price_text("\u{3000}$\u{2029}12", None, None);
}
