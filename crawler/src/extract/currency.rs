//! The currency of a page whose prices show none, inferred from what else the page says: its
//! structured data, its other prices, its language and region, the country of its domain. Each
//! inference says where it came from, for `extract --explain`.

use std::collections::BTreeMap;

use catalog::Currency;
use url::Url;

use super::scan;

/// A currency the page implies, and where that came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inferred {
    pub currency: Currency,
    pub from: String,
}

/// Keys of markup that name a currency (`"priceCurrency": "EUR"`, `currency_code`).
const CURRENCY_KEYS: &[&str] = &[
    "pricecurrency",
    "currency",
    "currencycode",
    "currency_code",
    "currencyid",
];

/// The page's currency, from the most to the least direct evidence.
pub fn infer(url: &Url, html: &str) -> Option<Inferred> {
    markup(html)
        .or_else(|| other_prices(html))
        .or_else(|| locale(html))
        .or_else(|| domain(url))
}

/// The commonest of several currencies, with how often it was seen.
fn commonest(found: impl IntoIterator<Item = Currency>) -> Option<(Currency, usize)> {
    let mut counts: BTreeMap<Currency, usize> = BTreeMap::new();
    for c in found {
        *counts.entry(c).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n)
}

/// A currency code the markup names anywhere (structured data, a data layer, an attribute).
fn markup(html: &str) -> Option<Inferred> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for key in CURRENCY_KEYS {
        let mut at = 0;
        while let Some(i) = lower[at..].find(key).map(|i| i + at) {
            at = i + key.len();
            // The key must end there (`currency` is not `currencySymbol`).
            if lower[at..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &html[at..(at + 24).min(html.len())];
            let Some(code_at) = rest.find(|c: char| c.is_ascii_uppercase()) else {
                continue;
            };
            // Only quotes, colons, `=` and spaces between the key and the code.
            if !rest[..code_at]
                .chars()
                .all(|c| matches!(c, '"' | '\'' | ':' | '=' | ' ' | '\\'))
            {
                continue;
            }
            let code = &rest[code_at..];
            let len = code.bytes().take_while(u8::is_ascii_uppercase).count();
            if len == 3 {
                if let Some(c) = catalog::currency_from_text(&code[..3], None) {
                    found.push(c);
                }
            }
        }
    }
    let (currency, n) = commonest(found)?;
    Some(Inferred {
        currency,
        from: format!("the page's markup names {currency} ({n}×)"),
    })
}

/// The currency of the page's other prices (`€`, `zł`, `EUR` next to a number).
fn other_prices(html: &str) -> Option<Inferred> {
    let text = super::visible_text(html);
    let (currency, n) = commonest(catalog::currencies_next_to_numbers(&text))?;
    Some(Inferred {
        currency,
        from: format!("the page's other prices are in {currency} ({n}×)"),
    })
}

/// `<html lang="de-AT">`, `og:locale` `pl_PL`: a region names a country; a language spoken
/// in one currency's countries only names that currency.
fn locale(html: &str) -> Option<Inferred> {
    let tags = scan::tags(html, "html")
        .take(1)
        .filter_map(|t| t.attr("lang").or_else(|| t.attr("xml:lang")))
        .map(|l| ("lang", l.to_owned()))
        .chain(
            scan::tags(html, "meta")
                .filter(|t| t.attr("property").or_else(|| t.attr("name")) == Some("og:locale"))
                .filter_map(|t| t.attr("content"))
                .map(|l| ("og:locale", l.to_owned()))
                .take(1),
        );
    for (attr, tag) in tags {
        let tag = tag.trim().replace('_', "-");
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or_default().to_ascii_lowercase();
        let region = parts
            .find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase);
        let currency = match &region {
            Some(r) => country_currency(r),
            None => language_currency(&language),
        };
        if let Some(currency) = currency {
            return Some(Inferred {
                currency,
                from: format!("the page's language `{tag}` ({attr})"),
            });
        }
    }
    None
}

/// The country of a country-code domain (`.pl`, `.co.uk`, `.com.br`).
fn domain(url: &Url) -> Option<Inferred> {
    let host = url.host_str()?;
    let tld = host.rsplit('.').next()?.to_ascii_uppercase();
    let country = match tld.as_str() {
        "UK" => "GB",
        t if t.len() == 2 => t,
        _ => return None,
    };
    let currency = country_currency(country)?;
    Some(Inferred {
        currency,
        from: format!("the country of its domain (.{})", tld.to_ascii_lowercase()),
    })
}

/// Languages whose speakers use one currency (a language of several countries names none).
fn language_currency(language: &str) -> Option<Currency> {
    let code = match language {
        "ja" => "JPY",
        "ko" => "KRW",
        "pl" => "PLN",
        "cs" => "CZK",
        "hu" => "HUF",
        "ro" => "RON",
        "bg" => "BGN",
        "uk" => "UAH",
        "he" | "iw" => "ILS",
        "th" => "THB",
        "vi" => "VND",
        "id" => "IDR",
        "tr" => "TRY",
        "sv" => "SEK",
        "da" => "DKK",
        "nb" | "nn" | "no" => "NOK",
        "is" => "ISK",
        "fi" | "et" | "lv" | "lt" | "sk" | "sl" | "el" | "hr" | "mt" => "EUR",
        "fa" => "IRR",
        "ka" => "GEL",
        "hy" => "AMD",
        "be" => "BYN",
        "kk" => "KZT",
        "km" => "KHR",
        "ne" => "NPR",
        "si" => "LKR",
        "my" => "MMK",
        "lo" => "LAK",
        _ => return None,
    };
    Currency::parse(code).ok()
}

/// ISO 3166 country → the currency it prices in.
fn country_currency(country: &str) -> Option<Currency> {
    const EURO: &[&str] = &[
        "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
        "MT", "NL", "PT", "SI", "SK", "AD", "MC", "SM", "VA", "ME", "XK",
    ];
    if EURO.contains(&country) {
        return Some(Currency::EUR);
    }
    let code = match country {
        "US" | "EC" | "SV" | "PA" | "PR" | "TL" => "USD",
        "CN" => "CNY",
        "HK" => "HKD",
        "MO" => "MOP",
        "TW" => "TWD",
        "JP" => "JPY",
        "KR" => "KRW",
        "GB" => "GBP",
        "CH" | "LI" => "CHF",
        "PL" => "PLN",
        "CZ" => "CZK",
        "HU" => "HUF",
        "RO" => "RON",
        "BG" => "BGN",
        "SE" => "SEK",
        "DK" => "DKK",
        "NO" => "NOK",
        "IS" => "ISK",
        "RU" => "RUB",
        "UA" => "UAH",
        "BY" => "BYN",
        "KZ" => "KZT",
        "TR" => "TRY",
        "IL" => "ILS",
        "AE" => "AED",
        "SA" => "SAR",
        "QA" => "QAR",
        "KW" => "KWD",
        "BH" => "BHD",
        "OM" => "OMR",
        "JO" => "JOD",
        "EG" => "EGP",
        "MA" => "MAD",
        "TN" => "TND",
        "ZA" => "ZAR",
        "NG" => "NGN",
        "KE" => "KES",
        "IN" => "INR",
        "PK" => "PKR",
        "BD" => "BDT",
        "LK" => "LKR",
        "NP" => "NPR",
        "TH" => "THB",
        "VN" => "VND",
        "ID" => "IDR",
        "MY" => "MYR",
        "SG" => "SGD",
        "PH" => "PHP",
        "KH" => "KHR",
        "AU" => "AUD",
        "NZ" => "NZD",
        "CA" => "CAD",
        "MX" => "MXN",
        "BR" => "BRL",
        "AR" => "ARS",
        "CL" => "CLP",
        "CO" => "COP",
        "PE" => "PEN",
        "UY" => "UYU",
        "PY" => "PYG",
        "BO" => "BOB",
        "VE" => "VES",
        "CR" => "CRC",
        "GT" => "GTQ",
        "DO" => "DOP",
        "RS" => "RSD",
        "BA" => "BAM",
        "MK" => "MKD",
        "AL" => "ALL",
        "MD" => "MDL",
        "GE" => "GEL",
        "AM" => "AMD",
        "AZ" => "AZN",
        "UZ" => "UZS",
        "IR" => "IRR",
        "IQ" => "IQD",
        _ => return None,
    };
    Currency::parse(code).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> Url {
        Url::parse(u).expect("url")
    }

    #[test]
    fn markup_names_the_currency() {
        let html = r#"<script>{"offers":{"price":"12","priceCurrency":"PLN"}}</script>"#;
        let got = infer(&url("https://shop.example.com/p"), html).expect("inferred");
        assert_eq!(got.currency.as_str(), "PLN");
        assert!(got.from.contains("markup"), "{}", got.from);
        // `currencySymbol` is not `currency`.
        assert_eq!(markup(r#"{"currencySymbol":"EUR"}"#), None);
    }

    #[test]
    fn the_pages_other_prices_name_it() {
        let html = "<p>Price 12.50</p><p>Shipping from 4,99 €</p><p>Was 15 €</p>";
        let got = infer(&url("https://shop.example.com/p"), html).expect("inferred");
        assert_eq!(got.currency, Currency::EUR);
        assert!(got.from.contains("other prices"), "{}", got.from);
        // A stylesheet's colours and a script's numbers are not prices: `#BBD3DE` is no BBD.
        let html = "<style>.box{border-color:#BBD3DE;color:#BBD3DE}</style><script>var x='BBD3';</script><p>Price 12.50</p>";
        assert_eq!(other_prices(html).map(|i| i.currency), None);
    }

    #[test]
    fn the_language_and_region_name_it() {
        for (html, want) in [
            (r#"<html lang="de-CH"><p>12.50</p>"#, "CHF"),
            (r#"<html lang="pl"><p>12,50</p>"#, "PLN"),
            (
                r#"<meta property="og:locale" content="en_GB"><p>12.50</p>"#,
                "GBP",
            ),
        ] {
            let got = infer(&url("https://shop.example.com/p"), html).expect(html);
            assert_eq!(got.currency.as_str(), want, "{html}");
            assert!(got.from.contains("language"), "{}", got.from);
        }
        // German is spoken in three currencies: the language alone names none.
        assert_eq!(locale(r#"<html lang="de">"#), None);
    }

    #[test]
    fn the_country_of_the_domain_names_it() {
        let got = infer(&url("https://sklep.example.pl/p"), "<p>12,50</p>").expect("inferred");
        assert_eq!(got.currency.as_str(), "PLN");
        assert!(got.from.contains(".pl"), "{}", got.from);
        assert_eq!(
            infer(&url("https://shop.example.co.uk/p"), "<p>12</p>").map(|i| i.currency),
            Currency::parse("GBP").ok()
        );
        assert_eq!(
            infer(&url("https://shop.example.com/p"), "<p>12.50</p>"),
            None
        );
    }
}
