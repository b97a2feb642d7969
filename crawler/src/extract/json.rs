//! JSON as pages ship it: with trailing commas, comments, HTML entities, unquoted keys, single
//! quotes, or as a JavaScript object literal assigned in a script (`window.runParams = {…};`).

use serde_json::Value;

/// Parses JSON the way pages write it. Strict JSON first (the common case, and the fast one),
/// then JSON5 (comments, trailing commas, unquoted keys, single quotes), then with HTML entities
/// decoded (JSON-LD escaped as `&quot;`). `None` when none of them reads it.
pub fn lenient(text: &str) -> Option<Value> {
    let text = text.trim().trim_end_matches(';').trim();
    let text = text
        .strip_prefix("<!--")
        .and_then(|t| t.strip_suffix("-->"))
        .unwrap_or(text)
        .trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str(text) {
        return Some(v);
    }
    if let Ok(v) = json5::from_str::<Value>(text) {
        return Some(v);
    }
    if text.contains('&') {
        let decoded = catalog::decode_entities(text);
        if let Ok(v) = serde_json::from_str(&decoded) {
            return Some(v);
        }
        return json5::from_str::<Value>(&decoded).ok();
    }
    None
}

/// The balanced `{…}` or `[…]` starting at or after `from`, string- and escape-aware.
pub fn balanced(text: &str, from: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let start = from
        + bytes
            .get(from..)?
            .iter()
            .position(|&b| b == b'{' || b == b'[')?;
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (i, &b) in bytes[start..].iter().enumerate() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return text.get(start..start + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Every object assigned to or keyed by `marker` in the page (`skuModel`, `runParams`,
/// `"jsonConfig"`): the value after the marker and a `:` or `=`, parsed leniently.
pub fn objects_after<'a>(html: &'a str, marker: &'a str) -> impl Iterator<Item = Value> + 'a {
    memchr::memmem::find_iter(html.as_bytes(), marker.as_bytes()).filter_map(move |at| {
        let after = at + marker.len();
        let rest = html.get(after..)?;
        // The marker's own closing quote, then `:` or `=`, then the value.
        let skip = rest
            .bytes()
            .take_while(|b| matches!(b, b'"' | b'\'' | b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        let sep = rest.as_bytes().get(skip)?;
        if !matches!(sep, b':' | b'=') {
            return None;
        }
        let value_start = after + skip + 1;
        let first = html
            .get(value_start..)?
            .bytes()
            .position(|b| !b.is_ascii_whitespace())?;
        if !matches!(html.as_bytes().get(value_start + first), Some(b'{' | b'[')) {
            return None;
        }
        lenient(balanced(html, value_start + first)?)
    })
}

/// `value` at a path of keys (`["data", "skuComponent"]`).
pub fn at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// A JSON value as text: strings as they are, numbers written out, `{"name": …}` by name.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => text(map.get("name").or_else(|| map.get("@value"))),
        Value::Array(items) => text(items.first()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_json_of_real_pages_is_read() {
        for text in [
            r#"{"a": 1, "b": [1, 2,],}"#,
            "{\"a\": 1 /* note */, // line\n \"b\": [1, 2]}",
            "{&quot;a&quot;: 1, &quot;b&quot;: [1, 2]}",
            "{a: 1, 'b': [1, 2]};",
            "<!-- {\"a\": 1, \"b\": [1, 2]} -->",
        ] {
            let v = lenient(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(v["a"], 1, "{text}");
            assert_eq!(v["b"][1], 2, "{text}");
        }
        assert_eq!(lenient("{not json at all"), None);
        assert_eq!(lenient(""), None);
    }

    #[test]
    fn objects_are_found_after_their_marker() {
        let html = r#"<script>var x = 1; window.runParams = {data: {"a": "}{", b: [1, {c: 2}]}};
            var iDetailData = {"skuModel": {"skuProps": [{"prop": "颜色"}]}};</script>"#;
        let run: Vec<Value> = objects_after(html, "runParams").collect();
        assert_eq!(run.len(), 1);
        assert_eq!(run[0]["data"]["b"][1]["c"], 2);
        assert_eq!(run[0]["data"]["a"], "}{", "braces in strings do not count");
        let sku: Vec<Value> = objects_after(html, "skuModel").collect();
        assert_eq!(sku[0]["skuProps"][0]["prop"], "颜色");
        assert_eq!(objects_after("skuModel = 5", "skuModel").count(), 0);
        assert_eq!(objects_after("skuModel = {", "skuModel").count(), 0);
    }
}
