//! `specsync parse price|stock|spec`: normalize strings read line by line from stdin, print one
//! JSON line per input line, in order, for checking rules and for scripts.

use std::io::{BufRead, BufWriter, Write};

use catalog::{Currency, OptionNames};
use serde_json::json;

use crate::cli::ParseCommand;
use crate::error::Usage;

pub fn run(command: &ParseCommand, names: &OptionNames) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match command {
        ParseCommand::Price { currency } => {
            let currency = currency
                .as_deref()
                .map(|c| {
                    catalog::currency_from_text(c, None)
                        .ok_or_else(|| Usage::new(format!("--currency `{c}` is not a currency")))
                })
                .transpose()?;
            each_line(input, &mut out, |line, out| price(line, currency, out))
        }
        ParseCommand::Stock { explain } => each_line(input, &mut out, |line, out| {
            let reading = catalog::read_stock(line);
            let line = StockLine {
                status: reading.status.as_str(),
                quantity: reading.quantity,
                cues: explain.then_some(&reading.cues),
                reason: explain.then_some(reading.reason.as_str()),
            };
            write_value(out, &line)
        }),
        ParseCommand::Spec => each_line(input, &mut out, |line, out| {
            write_value(out, &spec(line, names))
        }),
    }
}

/// Calls `f` on every line (without its line ending); `f` writes the line's JSON. A line that
/// is not UTF-8 gives an `error` naming it instead.
fn each_line<W: Write>(
    input: impl BufRead,
    out: &mut W,
    mut f: impl FnMut(&str, &mut W) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    for (n, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        match std::str::from_utf8(line) {
            Ok(text) => f(text, out)?,
            Err(e) => {
                let error = format!(
                    "stdin line {}: not UTF-8 (byte {})",
                    n + 1,
                    e.valid_up_to() + 1
                );
                serde_json::to_writer(&mut *out, &json!({ "error": error }))?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Fields in the order DESIGN.md shows them.
#[derive(serde::Serialize)]
struct StockLine<'a> {
    status: &'static str,
    quantity: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cues: Option<&'a Vec<catalog::Cue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct SpecLine {
    name: Option<String>,
    value: Option<String>,
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn write_value(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer(out, value).map_err(std::io::Error::other)
}

/// `text` or `text<TAB>hint`. Written directly: an amount is digits and a point, a currency
/// three letters, so neither needs escaping (this is the hot loop of `parse price`).
fn price(line: &str, currency: Option<Currency>, out: &mut impl Write) -> std::io::Result<()> {
    let (text, hint) = match line.split_once('\t') {
        Some((text, hint)) => (text, Some(hint).filter(|h| !h.trim().is_empty())),
        None => (line, None),
    };
    if text.trim().is_empty() {
        return out.write_all(br#"{"amount":null,"currency":null}"#);
    }
    let parsed = catalog::parse_price_text(text, hint, currency);
    if let Err(e) = parsed.money(text) {
        return write_value(
            out,
            &json!({"amount": null, "currency": parsed.currency, "error": e.to_string()}),
        );
    }
    match parsed.amount_string() {
        Some(amount) => write!(out, r#"{{"amount":"{amount}","#)?,
        None => out.write_all(br#"{"amount":null,"#)?,
    }
    match parsed.currency {
        Some(c) => write!(out, r#""currency":"{c}"}}"#),
        None => out.write_all(br#""currency":null}"#),
    }
}

/// `name<TAB>value`.
fn spec(line: &str, names: &OptionNames) -> SpecLine {
    let empty = |error: Option<String>| SpecLine {
        name: None,
        value: None,
        key: None,
        error,
    };
    let out = match line.split_once('\t') {
        None if line.trim().is_empty() => empty(None),
        None => empty(Some(format!("`{line}`: expected name<TAB>value"))),
        Some((name, value)) => {
            let key = catalog::SpecKey::from_pairs_with(names, [(name, value)]);
            let first = key.iter().next().map(|(n, v)| (n.to_owned(), v.to_owned()));
            match first {
                Some((name, value)) => SpecLine {
                    name: Some(name),
                    value: Some(value),
                    key: Some(key.to_string()),
                    error: None,
                },
                None => empty(Some(format!("`{line}`: the option name is empty"))),
            }
        }
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_lines(
        input: &[u8],
        mut f: impl FnMut(&str) -> serde_json::Value,
    ) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        each_line(input, &mut out, |line, out: &mut Vec<u8>| {
            write_value(out, &f(line))
        })
        .expect("run");
        String::from_utf8(out)
            .expect("utf-8 output")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }

    #[test]
    fn each_input_line_gives_one_json_line_in_order() {
        let out = run_lines(
            b"1.299,00 \xe2\x82\xac\n\n$5\tCAD\r\nfree\n\xff\xfe\n",
            |l| {
                let mut line = Vec::new();
                price(l, None, &mut line).expect("write");
                serde_json::from_slice(&line).expect("json")
            },
        );
        assert_eq!(out.len(), 5);
        assert_eq!(out[0], json!({"amount": "1299.00", "currency": "EUR"}));
        assert_eq!(out[1], json!({"amount": null, "currency": null}));
        assert_eq!(out[2], json!({"amount": "5.00", "currency": "CAD"}));
        assert_eq!(out[3], json!({"amount": null, "currency": null}));
        assert_eq!(out[4]["error"], "stdin line 5: not UTF-8 (byte 1)");
    }

    #[test]
    fn spec_lines_give_name_value_and_key() {
        let names = OptionNames::default();
        let out = run_lines("顏色\t酒紅\nSize\tXXL\nno tab\n".as_bytes(), |l| {
            serde_json::to_value(spec(l, &names)).expect("json")
        });
        assert_eq!(
            out[0],
            json!({"name": "color", "value": "酒红", "key": "color=酒红"})
        );
        assert_eq!(out[1]["key"], "size=2xl");
        assert!(out[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("`no tab`")));
    }
}
