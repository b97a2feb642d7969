//! Price strings from real shops (`fixtures/realdata`).

use catalog::parse_price_text;
use serde_json::Value;

fn realdata(path: &str) -> Value {
    let full = format!("{}/../fixtures/realdata/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every price of the 70 real pages, written with its page's currency symbol before and after
/// the number, reads back as the checked value.
#[test]
fn real_prices_with_their_shops_currency_symbols() {
    let truth = realdata("product-pages/truth.json");
    let mut checked = 0;
    for (page, values) in truth.as_object().expect("object") {
        let Some(price) = values["price"][0].as_str().map(str::trim) else {
            continue;
        };
        let Some(symbol) = values["currency"][0].as_str() else {
            continue;
        };
        for text in [
            format!("{symbol}{price}"),
            format!("{price} {symbol}"),
            format!("{symbol} {price}"),
        ] {
            let parsed = parse_price_text(&text, None, None);
            let amount = parsed.amount.expect(&text);
            let want = catalog::Decimal {
                mantissa: price.replace('.', "").parse().expect("digits"),
                scale: price.split('.').nth(1).map_or(0, |f| f.len() as u32),
            };
            assert_eq!(amount.rescale(4), want.rescale(4), "{page}: {text}");
            assert!(parsed.currency.is_some(), "{page}: {text} has a currency");
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked} pages with a price and a currency");
}

/// Magento's storefront formats each child's final price with the product's `priceFormat`
/// (`£%s`, `.` and `,`, two decimals); every one of the 72 reads back as GBP.
#[test]
fn magento_price_format_reads_back() {
    let config = realdata("magento/configurable_multipleOptionSets.magento.json");
    let json = config["[data-role=swatch-options]"]["Magento_Swatches/js/swatch-renderer"]
        ["jsonConfig"]
        .clone();
    let format = &json["priceFormat"];
    assert_eq!(format["pattern"], "£%s");
    let prices = json["optionPrices"].as_object().expect("optionPrices");
    assert_eq!(prices.len(), 72);
    for (child, p) in prices {
        let raw = p["finalPrice"]["amount"].to_string();
        let shown = magento_format(&raw, format);
        let parsed = parse_price_text(&shown, None, None);
        assert_eq!(
            parsed.currency.map(|c| c.to_string()).as_deref(),
            Some("GBP"),
            "{child}: {shown}"
        );
        let money = parsed.money(&shown).expect("two decimals").expect("money");
        assert_eq!(
            money.amount_string(),
            shown.trim_start_matches('£').replace(',', ""),
            "{child}: {shown}"
        );
    }
}

/// What Magento's `priceUtils.formatPrice` shows for an amount: rounded half up to `precision`
/// (on the decimal digits, not a float), grouped by `groupLength`, put in `pattern`.
fn magento_format(amount: &str, format: &Value) -> String {
    let precision = format["precision"].as_u64().expect("precision") as usize;
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let mut digits: Vec<u8> = format!(
        "{int}{:0<width$}",
        &frac[..frac.len().min(precision)],
        width = precision
    )
    .into_bytes();
    if frac.as_bytes().get(precision).is_some_and(|d| *d >= b'5') {
        let mut i = digits.len();
        while i > 0 {
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let digits = String::from_utf8(digits).expect("ascii");
    let (int, frac) = digits.split_at(digits.len() - precision);
    let group = format["groupSymbol"].as_str().expect("group");
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let number = format!(
        "{grouped}{}{frac}",
        format["decimalSymbol"].as_str().expect("decimal")
    );
    format["pattern"]
        .as_str()
        .expect("pattern")
        .replace("%s", &number)
}

/// Price texts as shops really write them, which were read wrong: a leading decimal point, the
/// currency sign as the decimal separator, three-decimal currencies, a computed price with more
/// decimals than its currency; and texts whose amount cannot be told, which read as no amount
/// (a percentage, a negative amount, separators run together, a space after the point).
#[test]
fn prices_as_shops_write_them_and_the_ones_that_cannot_be_told() {
    let read = |text: &str, currency: Option<&str>| {
        let preferred = currency.map(|c| catalog::Currency::parse(c).expect("code"));
        let parsed = catalog::parse_price_text(text, None, preferred);
        parsed
            .money(text)
            .ok()
            .flatten()
            .map(|m| format!("{} {}", m.amount_string(), m.currency))
            .or_else(|| parsed.amount.map(|a| a.to_string()))
    };
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        (".5 €", None, Some("0.50 EUR")),
        ("12€50", None, Some("12.50 EUR")),
        ("2.345,67 €", None, Some("2345.67 EUR")),
        ("12.345 KD", None, Some("12.345 KWD")),
        ("12.345678", Some("GBP"), Some("12.35 GBP")),
        ("30% OFF", None, None),
        ("-5.00", Some("CNY"), None),
        ("1.....5", Some("CNY"), None),
        ("$19. 95", None, None),
        ("2.345, 67 €", None, None),
        ("¥29.90", None, Some("29.90 CNY")),
    ];
    let mut wrong = Vec::new();
    for (text, currency, want) in cases {
        let got = read(text, *currency);
        if got.as_deref() != *want {
            wrong.push(format!(
                "{text:?} ({currency:?}): got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
