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
            each_line(input, &mut out, |line| price(line, currency))
        }
        ParseCommand::Stock => each_line(input, &mut out, |line| {
            let stock = catalog::parse_stock(line);
            json!({"status": stock.status.as_str(), "quantity": stock.quantity})
        }),
        ParseCommand::Spec => each_line(input, &mut out, |line| spec(line, names)),
    }
}

/// Calls `f` on every line (without its line ending) and writes its JSON. A line that is not
/// UTF-8 gives an `error` naming it instead.
fn each_line(
    input: impl BufRead,
    out: &mut impl Write,
    mut f: impl FnMut(&str) -> serde_json::Value,
) -> anyhow::Result<()> {
    for (n, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let value = match std::str::from_utf8(line) {
            Ok(text) => f(text),
            Err(e) => {
                json!({"error": format!("stdin line {}: not UTF-8 (byte {})", n + 1, e.valid_up_to() + 1)})
            }
        };
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// `text` or `text<TAB>hint`.
fn price(line: &str, currency: Option<Currency>) -> serde_json::Value {
    let (text, hint) = match line.split_once('\t') {
        Some((text, hint)) => (text, Some(hint).filter(|h| !h.trim().is_empty())),
        None => (line, None),
    };
    if text.trim().is_empty() {
        return json!({"amount": null, "currency": null});
    }
    let parsed = catalog::parse_price_text(text, hint, currency);
    match parsed.money(text) {
        Err(e) => json!({"amount": null, "currency": parsed.currency, "error": e.to_string()}),
        Ok(_) => json!({"amount": parsed.amount_string(), "currency": parsed.currency}),
    }
}

/// `name<TAB>value`.
fn spec(line: &str, names: &OptionNames) -> serde_json::Value {
    let Some((name, value)) = line.split_once('\t') else {
        if line.trim().is_empty() {
            return json!({"name": null, "value": null, "key": null});
        }
        return json!({"name": null, "value": null, "key": null, "error": format!("`{line}`: expected name<TAB>value")});
    };
    let key = catalog::SpecKey::from_pairs_with(names, [(name, value)]);
    let part = key.iter().next().map(|(n, v)| (n.to_owned(), v.to_owned()));
    match part {
        Some((name, value)) => json!({"name": name, "value": value, "key": key.to_string()}),
        None => {
            json!({"name": null, "value": null, "key": null, "error": format!("`{line}`: the option name is empty")})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_lines(input: &[u8], f: impl FnMut(&str) -> serde_json::Value) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        each_line(input, &mut out, f).expect("run");
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
            |l| price(l, None),
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
            spec(l, &names)
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
