//! Numbers as prices are written: `1,299.00` · `1.299,00` · `1 299,00` · `1'299.00` · `١٬٢٩٩٫٥٠`.
//!
//! A number is a run of digits and separators. Which separator is the decimal point is decided
//! as a person would: the last of two different separators; a separator repeated is grouping;
//! a single one followed by exactly three digits is grouping, unless the currency has three
//! decimals or the number starts with `0` (`0.299`).

use std::fmt;

/// An exact decimal: `mantissa × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal {
    pub mantissa: i64,
    pub scale: u32,
}

impl Decimal {
    /// The same value with exactly `scale` decimals, if no non-zero digit is lost.
    pub fn rescale(self, scale: u32) -> Option<Decimal> {
        if scale >= self.scale {
            let factor = 10i64.checked_pow(scale - self.scale)?;
            return Some(Decimal {
                mantissa: self.mantissa.checked_mul(factor)?,
                scale,
            });
        }
        let factor = 10i64.checked_pow(self.scale - scale)?;
        (self.mantissa % factor == 0).then_some(Decimal {
            mantissa: self.mantissa / factor,
            scale,
        })
    }

    fn cmp_value(&self, other: &Decimal) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        match (self.rescale(scale), other.rescale(scale)) {
            (Some(a), Some(b)) => a.mantissa.cmp(&b.mantissa),
            _ => self.scale.cmp(&other.scale),
        }
    }

    /// The value rounded to `scale` decimals, half away from zero.
    pub fn round(self, scale: u32) -> Option<Decimal> {
        if scale >= self.scale {
            return self.rescale(scale);
        }
        let factor = 10i64.checked_pow(self.scale - scale)?;
        let half = factor / 2;
        let rounded = if self.mantissa >= 0 {
            (self.mantissa + half) / factor
        } else {
            (self.mantissa - half) / factor
        };
        Some(Decimal {
            mantissa: rounded,
            scale,
        })
    }

    /// The smaller value.
    pub fn min_value(self, other: Decimal) -> Decimal {
        if other.cmp_value(&self).is_lt() {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let abs = self.mantissa.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let unit = 10u64.pow(self.scale);
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / unit,
            abs % unit,
            width = self.scale as usize
        )
    }
}

/// A number found in a text, with its byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Number<'a> {
    pub start: usize,
    pub end: usize,
    text: &'a str,
    /// Digit groups: byte range in `text`, number of digits, and the separator after it (none
    /// after the last).
    groups: Vec<Group>,
    /// Written after a bare decimal point (`.5`): every digit is a decimal.
    pub fraction: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Group {
    start: usize,
    end: usize,
    digits: usize,
    separator: Option<char>,
}

/// The value of a digit in any script pages use (after NFKC, full-width digits are ASCII).
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{0660}'..='\u{0669}' => Some((c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => Some((c as u32 - 0x06F0) as u8),
        '\u{0966}'..='\u{096F}' => Some((c as u32 - 0x0966) as u8),
        _ => None,
    }
}

fn is_point(c: char) -> bool {
    matches!(c, '.' | ',' | '\u{066B}' | '\u{066C}')
}

/// Separators that can only group: spaces and apostrophes.
fn is_spacing(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\'' | '\u{2019}'
    )
}

/// Digits at the start of `text`: how many, and how many bytes they take.
fn digit_run(text: &str) -> (usize, usize) {
    let mut count = 0;
    let mut bytes = 0;
    for c in text.chars() {
        if digit(c).is_none() {
            break;
        }
        count += 1;
        bytes += c.len_utf8();
    }
    (count, bytes)
}

/// Every number in `text`, in order.
pub(crate) fn numbers(text: &str) -> Vec<Number<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if digit(c).is_none() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut groups = Vec::new();
        loop {
            let (digits, len) = digit_run(&text[i..]);
            let mut group = Group {
                start: i,
                end: i + len,
                digits,
                separator: None,
            };
            i += len;
            let Some(sep) = text[i..].chars().next() else {
                groups.push(group);
                break;
            };
            let (after, _) = digit_run(&text[i + sep.len_utf8()..]);
            // A point needs a digit after it; a space groups only thousands: three digits
            // follow, and the group before it is the first or three digits too (`881,00 169,00`
            // is two prices, not 88100169).
            let separates = if is_point(sep) {
                after > 0
            } else {
                is_spacing(sep) && after == 3 && (groups.is_empty() || digits == 3)
            };
            if !separates {
                groups.push(group);
                break;
            }
            group.separator = Some(sep);
            groups.push(group);
            i += sep.len_utf8();
        }
        out.push(Number {
            start,
            end: i,
            text,
            groups,
            fraction: false,
        });
    }
    out
}

impl<'a> Number<'a> {
    /// The value, deciding which separator is the decimal point. `exponent` is the currency's
    /// number of decimals (2 when it is not known).
    pub fn value(&self, exponent: u32) -> Option<Decimal> {
        if self.fraction {
            let whole = self.value_with_point(None)?;
            let digits: u32 = self.groups.iter().map(|g| g.digits as u32).sum();
            return Some(Decimal {
                mantissa: whole.mantissa,
                scale: digits,
            });
        }
        self.value_with_point(self.decimal_separator(exponent))
    }

    /// `12€50`: this number's digits, then `next`'s as its decimals.
    pub fn joined_as_decimal(&self, next: &Number<'_>) -> Number<'a> {
        let mut groups = self.groups.clone();
        if let Some(last) = groups.last_mut() {
            last.separator = Some('.');
        }
        groups.extend(next.groups.iter().copied());
        Number {
            start: self.start,
            end: next.end,
            text: self.text,
            groups,
            fraction: false,
        }
    }

    fn value_with_point(&self, decimal_at: Option<usize>) -> Option<Decimal> {
        let mut mantissa: i64 = 0;
        let mut scale = 0u32;
        for (i, g) in self.groups.iter().enumerate() {
            for c in self.text[g.start..g.end].chars() {
                let d = digit(c)?;
                mantissa = mantissa.checked_mul(10)?.checked_add(i64::from(d))?;
                if decimal_at.is_some_and(|at| i > at) {
                    scale += 1;
                }
            }
        }
        Some(Decimal { mantissa, scale })
    }

    /// The index of the group after which the decimal point stands, if any.
    fn decimal_separator(&self, exponent: u32) -> Option<usize> {
        let last_index = self.groups.iter().rposition(|g| g.separator.is_some())?;
        let last = self.groups[last_index].separator?;
        if is_spacing(last) || last == '\u{066C}' {
            return None;
        }
        if last == '\u{066B}' {
            return Some(last_index);
        }
        let seps = || self.groups.iter().filter_map(|g| g.separator);
        let same = seps().filter(|s| *s == last).count();
        let other_points = seps().any(|s| s != last && !is_spacing(s));
        let frac_len = self.groups[last_index + 1].digits;
        if other_points {
            // `1,299.00`, `1.299,00`, `1,29,999.00`: the last different separator is the point.
            return (same == 1).then_some(last_index);
        }
        if same > 1 {
            // `1.299.000` groups; `1.299.00` is not a grouping and reads as a decimal point.
            let all_thousands = self.groups[1..].iter().all(|g| g.digits == 3);
            return (!all_thousands).then_some(last_index);
        }
        let first = &self.groups[0];
        let leading_zero = first.digits == 1
            && self.text[first.start..first.end]
                .chars()
                .next()
                .and_then(digit)
                == Some(0);
        let grouping =
            frac_len == 3 && exponent != 3 && !leading_zero && seps().all(|s| !is_spacing(s));
        (!grouping).then_some(last_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, exponent: u32) -> String {
        let n = numbers(text);
        n.first()
            .and_then(|n| n.value(exponent))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn separators_are_read_as_a_person_would() {
        let cases = [
            ("1,299.00", "1299.00"),
            ("1.299,00", "1299.00"),
            ("1 299,00", "1299.00"),
            ("1\u{00A0}299,00", "1299.00"),
            ("1'299.00", "1299.00"),
            ("1,29,999.00", "129999.00"),
            ("1,299", "1299"),
            ("1.299", "1299"),
            ("12,50", "12.50"),
            ("12.5", "12.5"),
            ("0.299", "0.299"),
            ("1.299.000", "1299000"),
            ("١٬٢٩٩٫٥٠", "1299.50"),
            ("۱۲۳", "123"),
            ("2.072,22", "2072.22"),
            ("12 500", "12500"),
            ("1 299.00", "1299.00"),
        ];
        for (text, want) in cases {
            assert_eq!(value(text, 2), want, "{text}");
        }
        assert_eq!(
            value("1.299", 3),
            "1.299",
            "three-decimal currencies keep the point"
        );
    }

    #[test]
    fn numbers_end_where_the_digits_end() {
        let n = numbers("¥10-20");
        assert_eq!(n.len(), 2);
        let n = numbers("2 for 10");
        assert_eq!(n.len(), 2, "a space before `for` is not grouping");
        let n = numbers("881,00 169,00 Kn");
        assert_eq!(n.len(), 2, "a space after decimals starts another number");
        assert_eq!(numbers("1 234 567,89").len(), 1);
        assert!(numbers("no digits").is_empty());
    }
}
