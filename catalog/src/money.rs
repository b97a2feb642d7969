//! Money: integer minor units with an ISO 4217 currency. Never a float (DESIGN.md invariant 5).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code such as `CNY`: three ASCII upper-case letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("`{0}` is not an ISO 4217 currency code (three letters, such as CNY)")]
    BadCurrency(String),
    #[error(
        "`{input}` is not a decimal amount (expected digits with an optional `.`, such as 12.50)"
    )]
    BadAmount { input: String },
    #[error("`{input}` has more decimals than {currency} allows ({exponent})")]
    TooPrecise {
        input: String,
        currency: Currency,
        exponent: u32,
    },
    #[error("`{input}` is too large an amount")]
    Overflow { input: String },
}

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parses a currency code, case-insensitively (`cny` → `CNY`).
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let code = code.trim();
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(MoneyError::BadCurrency(code.to_owned()));
        }
        let mut out = [0u8; 3];
        for (o, b) in out.iter_mut().zip(bytes) {
            *o = b.to_ascii_uppercase();
        }
        Ok(Currency(out))
    }

    pub fn as_str(&self) -> &str {
        // The bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of decimal digits of the minor unit (ISO 4217 exponent).
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" | b"PYG" | b"UGX" | b"XAF" | b"XOF" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" | b"IQD" | b"LYD" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of money in the currency's minor unit (fen, cents).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses a plain decimal string (`12.50`, `-3`, `1200`) in `currency`. Thousands separators
    /// and symbols are not accepted here: that is [`crate::parse_price`]'s job.
    pub fn parse_decimal(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let bad = || MoneyError::BadAmount {
            input: input.to_owned(),
        };
        let s = input.trim();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if (int_part.is_empty() && frac_part.is_empty())
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let exponent = currency.exponent();
        // Trailing zeros beyond the exponent are harmless (`12.500` CNY); other digits are not.
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > exponent as usize {
            return Err(MoneyError::TooPrecise {
                input: input.to_owned(),
                currency,
                exponent,
            });
        }
        let overflow = || MoneyError::Overflow {
            input: input.to_owned(),
        };
        let mut minor: i64 = 0;
        for b in int_part.bytes() {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        let frac_bytes = frac_trimmed.as_bytes();
        for i in 0..exponent as usize {
            let digit = frac_bytes.get(i).map_or(0, |b| i64::from(b - b'0'));
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(digit))
                .ok_or_else(overflow)?;
        }
        Ok(Money::new(if negative { -minor } else { minor }, currency))
    }

    /// Integer minor units as a platform writes them, e.g. Shopify's `.js` product JSON, whose
    /// `"price": 2990` means 29.90 in the shop's currency.
    pub fn from_minor_units(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::BadAmount {
                input: text.to_owned(),
            });
        }
        let minor: i64 = t.parse().map_err(|_| MoneyError::Overflow {
            input: text.to_owned(),
        })?;
        Ok(Money::new(minor, currency))
    }

    /// The amount as a decimal string with the currency's number of decimals (`12.50`).
    pub fn amount_string(&self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        let unit = 10u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            abs / unit,
            abs % unit,
            width = exponent as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings_round_trip_through_minor_units() {
        let cases = [
            ("12.50", "CNY", 1250, "12.50"),
            ("12.5", "CNY", 1250, "12.50"),
            ("12", "USD", 1200, "12.00"),
            ("0.07", "EUR", 7, "0.07"),
            (".5", "EUR", 50, "0.50"),
            ("1200", "JPY", 1200, "1200"),
            ("1.250", "KWD", 1250, "1.250"),
            ("-3.10", "CNY", -310, "-3.10"),
            ("12.500", "CNY", 1250, "12.50"),
        ];
        for (input, cur, minor, shown) in cases {
            let c = Currency::parse(cur).expect("currency");
            let m = Money::parse_decimal(input, c).expect(input);
            assert_eq!(m.minor, minor, "{input} {cur}");
            assert_eq!(m.amount_string(), shown, "{input} {cur}");
        }
    }

    #[test]
    fn bad_amounts_are_errors_that_name_the_input() {
        for input in [
            "",
            ".",
            "1,299.00",
            "12.5.0",
            "abc",
            "1e5",
            "99999999999999999999",
        ] {
            let err = Money::parse_decimal(input, Currency::CNY).expect_err(input);
            assert!(err.to_string().contains(input), "{err}");
        }
        let err = Money::parse_decimal("12.345", Currency::CNY).expect_err("too precise");
        assert!(matches!(err, MoneyError::TooPrecise { .. }));
    }

    #[test]
    fn minor_units_as_shopify_writes_them() {
        let m = Money::from_minor_units("2990", Currency::USD).expect("cents");
        assert_eq!(m.amount_string(), "29.90");
        let yen =
            Money::from_minor_units("1280", Currency::parse("JPY").expect("jpy")).expect("yen");
        assert_eq!(yen.amount_string(), "1280");
        for bad in ["29.90", "", "12a", "99999999999999999999"] {
            assert!(
                Money::from_minor_units(bad, Currency::USD).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(Currency::parse("cny").expect("cny"), Currency::CNY);
        assert!(Currency::parse("¥").is_err());
        assert!(Currency::parse("CNYY").is_err());
    }
}
