//! Prices as pages write them → an amount and a currency.
//!
//! `¥12.50`, `12.5元`, `¥12起`, `1.299,00 €`, `MXN$2.072,22`, `US$5 – US$9` (the low end),
//! `Was $20 Now $15` (the current price), `١٬٢٩٩ ر.س`. Text is NFKC-normalized first, so
//! full-width digits and `￥` read as their plain forms.

mod currency;
mod number;

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

pub use currency::{currencies_next_to_numbers, currency_from_text};
pub use number::Decimal;

use crate::{Currency, Money, MoneyError};

/// What a price text says: an amount and a currency, each if it can be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedPrice {
    pub amount: Option<Decimal>,
    pub currency: Option<Currency>,
}

impl ParsedPrice {
    /// As money, when both the amount and the currency are known.
    pub fn money(&self, input: &str) -> Result<Option<Money>, MoneyError> {
        let (Some(amount), Some(currency)) = (self.amount, self.currency) else {
            return Ok(None);
        };
        // A computed price with more decimals than the currency has (`12.345678` in GBP) is
        // the shop's rounding left undone: rounded half away from zero, as a till would.
        let exponent = currency.exponent();
        let exact = match amount.rescale(exponent) {
            Some(exact) => exact,
            None => amount
                .round(exponent)
                .ok_or_else(|| MoneyError::TooPrecise {
                    input: input.to_owned(),
                    currency,
                    exponent,
                })?,
        };
        Ok(Some(Money::new(exact.mantissa, currency)))
    }

    /// The amount as a decimal string: with the currency's decimals when it is known
    /// (`1299.00`, `1200` for JPY), else at least two.
    pub fn amount_string(&self) -> Option<String> {
        let amount = self.amount?;
        let scale = match self.currency {
            Some(c) => c.exponent().max(amount.scale),
            None => amount.scale.max(2),
        };
        Some(amount.rescale(scale).unwrap_or(amount).to_string())
    }
}

/// Words before an old (struck-through) price, lower-case.
const OLD_PRICE_MARKERS: &[&str] = &[
    "was",
    "list price",
    "regular price",
    "reg.",
    "orig.",
    "original price",
    "rrp",
    "msrp",
    "原价",
    "原價",
    "市场价",
    "市場價",
    "划线价",
    "吊牌价",
    "statt",
    "uvp",
    "avant",
    "au lieu de",
    "antes",
    "prima",
    "era",
    "van",
    "было",
    "通常価格",
    "定価",
    "정가",
];

/// Words and signs between the two ends of a price range.
const RANGE_JOINERS: &[&str] = &[
    "-", "–", "—", "~", "～", "至", "到", "to", "bis", "à", "a", "до",
];

/// Parses a price text. `hint` is a currency seen near the price on the page (a code or a
/// symbol); `preferred` is the source's currency, which also decides ambiguous symbols.
pub fn parse_price_text(
    text: &str,
    hint: Option<&str>,
    preferred: Option<Currency>,
) -> ParsedPrice {
    let text = nfkc(text);
    let mentions = currency::mentions(&text);
    let hinted = hint.and_then(|h| currency_from_text(&nfkc(h), preferred));
    let currency = mentions
        .iter()
        .find(|m| m.definite())
        .and_then(|m| m.resolve(preferred))
        .or(hinted)
        .or_else(|| mentions.first().and_then(|m| m.resolve(preferred)))
        .or(preferred);
    let exponent = currency.map_or(2, |c| c.exponent());
    let numbers = number::numbers(&text);
    let amount = match unclear(&text, &numbers) {
        true => None,
        false => choose_amount(&text, &prices_only(&text, numbers), exponent),
    };
    ParsedPrice { amount, currency }
}

/// Texts whose amount cannot be told for sure: a negative amount (`-5.00`), separators run
/// together (`1.....5`), a space after the decimal point (`$19. 95`: 19.95, or 19 then 95?).
/// Reading them would guess, and a guess off by a power of ten is the worst error a price
/// can have; `None` says so instead.
fn unclear(text: &str, numbers: &[number::Number<'_>]) -> bool {
    let Some(first) = numbers.first() else {
        return false;
    };
    // The sign may stand before the currency sign (`-¥5`, `- $5`).
    let before = text[..first.start].trim_end_matches(|c: char| {
        c.is_whitespace() || (!c.is_alphanumeric() && !matches!(c, '-' | '\u{2212}'))
    });
    // The minus sign U+2212 is three bytes: what stands before it is found by the char.
    let negative = before
        .strip_suffix(['-', '\u{2212}'])
        .is_some_and(|rest| !rest.chars().next_back().is_some_and(char::is_alphanumeric));
    let after = &text[first.end..];
    let run_together = after.starts_with("..") || after.starts_with(",,");
    let spaced_point = numbers.len() == 2
        && (after.starts_with(". ") || after.starts_with(", "))
        && text[numbers[1].start..numbers[1].end].len() == 2
        && text[first.end..numbers[1].start].trim().len() == 1;
    negative || run_together || spaced_point
}

/// The numbers that can be prices: not a percentage (`30% OFF`); a number written after a
/// bare decimal point is a fraction (`.5 €` is 0.50, not 5); `12€50` is 12.50.
fn prices_only<'t>(text: &'t str, numbers: Vec<number::Number<'t>>) -> Vec<number::Number<'t>> {
    let mut out: Vec<number::Number<'t>> = Vec::with_capacity(numbers.len());
    let mut i = 0;
    while i < numbers.len() {
        let n = &numbers[i];
        if text[n.end..].trim_start().starts_with('%') {
            i += 1;
            continue;
        }
        // `12€50`: a currency sign between two digit runs, nothing else, two digits after.
        if let Some(next) = numbers.get(i + 1) {
            let between = &text[n.end..next.start];
            let sign = currency::mentions(between);
            if !between.is_empty()
                && !between.contains(char::is_whitespace)
                && sign.len() == 1
                && sign[0].at == 0
                && sign[0].len == between.len()
                && next.end - next.start == 2
                && !text[next.end..].starts_with(|c: char| c.is_ascii_digit())
            {
                out.push(n.joined_as_decimal(next));
                i += 2;
                continue;
            }
        }
        out.push(n.clone());
        i += 1;
    }
    for n in &mut out {
        let before = &text[..n.start];
        if before.ends_with(['.', ','])
            && !before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit())
        {
            n.fraction = true;
        }
    }
    out
}

fn nfkc(text: &str) -> Cow<'_, str> {
    use unicode_normalization::{is_nfkc_quick, IsNormalized};
    if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

/// `text` ends with `marker` (lower case), ignoring the case of `text`.
fn ends_with_ignoring_case(text: &str, marker: &str) -> bool {
    let mut chars = text.chars().rev();
    marker.chars().rev().all(|m| {
        chars
            .next()
            .is_some_and(|c| c == m || c.to_lowercase().eq(std::iter::once(m)))
    })
}

fn eq_ignoring_case(word: &str, lower: &str) -> bool {
    word.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

/// The current price among the numbers: old prices are skipped, a range gives its low end.
fn choose_amount(text: &str, numbers: &[number::Number<'_>], exponent: u32) -> Option<Decimal> {
    let is_old = |n: &number::Number<'_>| {
        let before = text[..n.start].trim_end_matches(|c: char| !c.is_alphanumeric());
        let before = without_trailing_currency(before);
        OLD_PRICE_MARKERS
            .iter()
            .any(|m| ends_with_ignoring_case(before, m))
    };
    // The first two current prices; if every price is marked old, the first two of all.
    let current = numbers.iter().position(|n| !is_old(n));
    let (first, second) = match current {
        Some(at) => (&numbers[at], numbers[at + 1..].iter().find(|n| !is_old(n))),
        None => (numbers.first()?, numbers.get(1)),
    };
    let value = first.value(exponent)?;
    let Some(second) = second else {
        return Some(value);
    };
    // One word between two prices, a range joiner (`-`, `to`, `至`), makes them a range.
    let mut words = text[first.end..second.start]
        .split(char::is_whitespace)
        .map(strip_currency)
        .filter(|w| !w.is_empty());
    let is_range = match (words.next(), words.next()) {
        (Some(word), None) => RANGE_JOINERS.iter().any(|j| eq_ignoring_case(word, j)),
        _ => false,
    };
    match (is_range, second.value(exponent)) {
        (true, Some(other)) => Some(value.min_value(other)),
        _ => Some(value),
    }
}

/// The text before a number without the currency written just before it (`statt EUR`).
fn without_trailing_currency(before: &str) -> &str {
    if before.is_empty() {
        return before;
    }
    let last_word_at = before
        .char_indices()
        .rfind(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[last_word_at..];
    // Currency words are short; anything longer is a word of the text.
    if word.len() > 8 {
        return before;
    }
    match currency::mentions(word).first() {
        Some(m) if m.at == 0 && m.len == word.len() => {
            before[..last_word_at].trim_end_matches(|c: char| !c.is_alphanumeric())
        }
        _ => before,
    }
}

/// A word of the text without the currency symbols stuck to it (`US$9` → ``, `-US$` → `-`).
fn strip_currency(word: &str) -> &str {
    let mentions = currency::mentions(word);
    match (mentions.first(), mentions.len()) {
        (Some(m), 1) if m.at == 0 => &word[m.len..],
        (Some(m), 1) if m.at + m.len == word.len() => &word[..m.at],
        _ => word,
    }
}

/// Parses a price into money, with `currency` as the source's currency (see [`parse_price_text`]).
/// `Ok(None)` when the text shows no currency and none is configured.
pub fn parse_price(text: &str, currency: Option<Currency>) -> Result<Option<Money>, MoneyError> {
    let parsed = parse_price_text(text, None, currency);
    if parsed.amount.is_none() {
        return Err(MoneyError::BadAmount {
            input: text.to_owned(),
        });
    }
    parsed.money(text)
}

/// The price for buying `quantity`, from quantity tiers such as 1688's `skuPriceScale`
/// (`[(1, ¥15), (10, ¥13), (100, ¥11)]`): the tier with the largest minimum not above it.
pub fn tier_price(tiers: &[(u32, Money)], quantity: u32) -> Option<Money> {
    tiers
        .iter()
        .filter(|(min, _)| *min <= quantity)
        .max_by_key(|(min, _)| *min)
        .or_else(|| tiers.iter().min_by_key(|(min, _)| *min))
        .map(|(_, price)| *price)
}
