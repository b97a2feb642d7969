//! Currencies as pages write them: symbols, local abbreviations and ISO 4217 codes.
//!
//! Some symbols stand for several currencies (`$`, `¥`, `kr`, `Rs`); each is listed with its
//! candidates, the most common first. The source's configured currency (or a hint seen near the
//! price) picks among them; without one, the first candidate is taken.

use crate::Currency;

/// Symbol → candidate ISO codes, most likely first. Longer symbols are tried before shorter
/// ones at the same place (`US$` before `$`).
const SYMBOLS: &[(&str, &[&str])] = &[
    ("US$", &["USD"]),
    ("MXN$", &["MXN"]),
    ("MX$", &["MXN"]),
    ("HK$", &["HKD"]),
    ("NT$", &["TWD"]),
    ("CA$", &["CAD"]),
    ("AU$", &["AUD"]),
    ("NZ$", &["NZD"]),
    ("R$", &["BRL"]),
    ("C$", &["CAD"]),
    ("A$", &["AUD"]),
    ("S$", &["SGD"]),
    (
        "$",
        &[
            "USD", "CAD", "AUD", "MXN", "NZD", "SGD", "HKD", "TWD", "ARS", "CLP", "COP",
        ],
    ),
    ("€", &["EUR"]),
    ("£", &["GBP"]),
    ("¥", &["CNY", "JPY"]),
    ("元", &["CNY", "TWD", "HKD"]),
    ("人民币", &["CNY"]),
    ("円", &["JPY"]),
    ("₩", &["KRW"]),
    ("원", &["KRW"]),
    ("₹", &["INR"]),
    ("₽", &["RUB"]),
    ("руб.", &["RUB"]),
    ("руб", &["RUB"]),
    ("р.", &["RUB"]),
    ("₴", &["UAH"]),
    ("грн", &["UAH"]),
    ("₺", &["TRY"]),
    ("₪", &["ILS"]),
    ("฿", &["THB"]),
    ("₫", &["VND"]),
    ("₱", &["PHP"]),
    ("zł", &["PLN"]),
    ("KD", &["KWD"]),
    ("د.ك", &["KWD"]),
    ("Kč", &["CZK"]),
    ("Ft", &["HUF"]),
    ("kr.", &["DKK", "SEK", "NOK", "ISK"]),
    ("kr", &["SEK", "NOK", "DKK", "ISK"]),
    ("Kn", &["HRK"]),
    ("kn", &["HRK"]),
    ("Lei", &["RON"]),
    ("lei", &["RON"]),
    ("лв", &["BGN"]),
    ("Rs.", &["INR", "PKR", "LKR", "NPR"]),
    ("Rs", &["INR", "PKR", "LKR", "NPR"]),
    ("Rp", &["IDR"]),
    ("RM", &["MYR"]),
    ("TL", &["TRY"]),
    ("Fr.", &["CHF"]),
    ("ر.س", &["SAR"]),
    ("د.إ", &["AED"]),
    ("RMB", &["CNY"]),
];

/// Active ISO 4217 codes, so that three capital letters in a price (`XXL`) are not taken for one.
const ISO_CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN \
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP \
GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT \
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR \
PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL \
THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// What a mention can mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Candidates {
    /// An ISO code: exactly one currency.
    Code(Currency),
    /// A symbol: one of these, most likely first.
    Symbol(&'static [&'static str]),
}

/// A currency mention found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mention {
    /// Byte offset in the text.
    pub at: usize,
    pub len: usize,
    pub candidates: Candidates,
}

impl Mention {
    /// A code or a symbol of one currency.
    pub fn definite(&self) -> bool {
        match self.candidates {
            Candidates::Code(_) => true,
            Candidates::Symbol(list) => list.len() == 1,
        }
    }

    /// The currency this mention means, given the source's currency.
    pub fn resolve(&self, preferred: Option<Currency>) -> Option<Currency> {
        match self.candidates {
            Candidates::Code(c) => Some(c),
            Candidates::Symbol(list) => {
                if let Some(p) = preferred.filter(|p| list.contains(&p.as_str())) {
                    return Some(p);
                }
                list.first().and_then(|c| Currency::parse(c).ok())
            }
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
}

/// An active ISO 4217 code, in any case. `ISO_CODES` is sorted and every code takes four bytes
/// with its space, so this is a binary search without allocation.
fn iso_code(text: &str) -> Option<Currency> {
    let c = Currency::parse(text).ok()?;
    let codes = ISO_CODES.as_bytes();
    let n = codes.len().div_ceil(4);
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match codes[mid * 4..mid * 4 + 3].cmp(c.as_str().as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(c),
        }
    }
    None
}

/// The symbols that start with `c`, longest first (`US$` before `$`): an index so that a
/// position is compared with the few symbols that can match there, not with all of them.
fn symbols_starting_with(c: char) -> &'static [(&'static str, &'static [&'static str])] {
    use std::sync::OnceLock;
    type Entry = (&'static str, &'static [&'static str]);
    static INDEX: OnceLock<Vec<(char, Vec<Entry>)>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index: Vec<(char, Vec<Entry>)> = Vec::new();
        for entry in SYMBOLS {
            let Some(first) = entry.0.chars().next() else {
                continue;
            };
            match index.iter_mut().find(|(c, _)| *c == first) {
                Some((_, list)) => list.push(*entry),
                None => index.push((first, vec![*entry])),
            }
        }
        for (_, list) in &mut index {
            list.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        }
        index.sort_by_key(|(c, _)| *c);
        index
    });
    index
        .binary_search_by_key(&c, |(first, _)| *first)
        .map_or(&[], |i| index[i].1.as_slice())
}

/// Whether an ASCII byte that is not a letter can start a symbol (`$`); letters are looked at
/// where a word starts. Derived from the table, once.
fn ascii_may_start(b: u8) -> bool {
    use std::sync::OnceLock;
    static TABLE: OnceLock<[bool; 128]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [false; 128];
        for (symbol, _) in SYMBOLS {
            if let Some(&first) = symbol.as_bytes().first().filter(|b| b.is_ascii()) {
                t[usize::from(first)] = true;
            }
        }
        t
    });
    table.get(usize::from(b)).copied().unwrap_or(false)
}

/// Every currency mention in `text`, in order. Most of a price text is digits and separators,
/// which are passed over byte by byte.
pub(crate) fn mentions(text: &str) -> Vec<Mention> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_word = false;
    while i < bytes.len() {
        let b = bytes[i];
        let starts_word = b.is_ascii_alphabetic() && !in_word;
        if b.is_ascii() && !starts_word && !ascii_may_start(b) {
            in_word = b.is_ascii_alphabetic();
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if let Some(m) = mention_at(text, i, c, in_word) {
            in_word = text[..m.at + m.len]
                .chars()
                .next_back()
                .is_some_and(is_word_char);
            i = m.at + m.len;
            out.push(m);
            continue;
        }
        in_word = is_word_char(c);
        i += c.len_utf8();
    }
    out
}

/// The mention starting at byte `i` (character `c`), if one does; `in_word` tells whether the
/// character before is a letter.
fn mention_at(text: &str, i: usize, c: char, in_word: bool) -> Option<Mention> {
    let rest = &text[i..];
    if in_word && is_word_char(c) {
        return None;
    }
    let symbol = symbols_starting_with(c)
        .iter()
        .find(|(s, _)| rest.starts_with(s))
        .filter(|(symbol, _)| {
            // A symbol made of letters must stand alone (`kr`, not the `kr` in `Krone`).
            let lettered = symbol.chars().next().is_some_and(is_word_char);
            let next = rest[symbol.len()..].chars().next();
            !lettered || (!in_word && !next.is_some_and(is_word_char))
        });
    // Three ASCII letters standing alone: an ISO code, unless a longer symbol starts here (`MXN$`).
    let code = (c.is_ascii_alphabetic()
        && !in_word
        && rest.bytes().take_while(u8::is_ascii_alphabetic).count() == 3)
        .then(|| iso_code(&rest[..3]))
        .flatten()
        .filter(|_| symbol.is_none_or(|(s, _)| s.len() <= 3));
    let (len, candidates) = match (code, symbol) {
        (Some(code), _) => (3, Candidates::Code(code)),
        (None, Some((symbol, list))) => (symbol.len(), Candidates::Symbol(list)),
        (None, None) => return None,
    };
    Some(Mention {
        at: i,
        len,
        candidates,
    })
}

/// The definite currencies written next to a number in `text` (`€12`, `12 zł`, `EUR 5`), in
/// order: how a page's other prices say which currency it uses.
pub fn currencies_next_to_numbers(text: &str) -> Vec<Currency> {
    let near_digit = |s: &str| s.trim_start().starts_with(|c: char| c.is_ascii_digit());
    mentions(text)
        .into_iter()
        .filter(|m| m.definite())
        .filter(|m| {
            let after = &text[m.at + m.len..];
            let before = text[..m.at].trim_end();
            near_digit(after) || before.ends_with(|c: char| c.is_ascii_digit())
        })
        .filter_map(|m| m.resolve(None))
        .collect()
}

/// A currency named by a short text (a hint, a `priceCurrency`, a configured symbol).
pub fn currency_from_text(text: &str, preferred: Option<Currency>) -> Option<Currency> {
    let t = text.trim();
    if let Some(c) = iso_code(t) {
        return Some(c);
    }
    mentions(t).first().and_then(|m| m.resolve(preferred))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_codes_and_words_are_found_longest_first() {
        let found = |t: &str| -> Vec<String> {
            mentions(t)
                .iter()
                .filter_map(|m| m.resolve(None))
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(found("US$ 12"), ["USD"]);
        assert_eq!(found("MXN$2.072,22"), ["MXN"]);
        assert_eq!(found("12 EUR"), ["EUR"]);
        assert!(found("XXL 12").is_empty());
        assert_eq!(found("Krone 12 kr"), ["SEK"]);
        assert_eq!(found("99 ر.س"), ["SAR"]);
    }

    #[test]
    fn the_iso_code_list_is_sorted_and_evenly_spaced() {
        let codes: Vec<&str> = ISO_CODES.split(' ').collect();
        assert!(
            codes.iter().all(|c| c.len() == 3),
            "every code is three letters"
        );
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "sorted, for the binary search"
        );
        for code in &codes {
            assert!(iso_code(code).is_some(), "{code}");
        }
        assert!(iso_code("XXL").is_none() && iso_code("ABC").is_none());
    }

    #[test]
    fn ambiguous_symbols_follow_the_preferred_currency() {
        let jpy = Currency::parse("JPY").ok();
        let cad = Currency::parse("CAD").ok();
        assert_eq!(currency_from_text("¥", jpy), jpy);
        assert_eq!(currency_from_text("¥", None), Some(Currency::CNY));
        assert_eq!(currency_from_text("$", cad), cad);
        assert_eq!(currency_from_text("$", jpy), Some(Currency::USD));
        assert_eq!(currency_from_text("chf", None), Currency::parse("CHF").ok());
        assert_eq!(currency_from_text("ABC", None), None);
    }
}
