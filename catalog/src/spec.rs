//! Spec keys: the canonical, order-independent identity of a variant (`color=red;size=xl`).
//!
//! The key is for matching only; the supplier's original labels and values are kept on the
//! [`crate::Variant`] for display.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Canonical option name → canonical value, ordered by name, so `size=xl;color=red` and
/// `color=red;size=xl` are the same key.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpecKey(BTreeMap<String, String>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpecKeyError {
    #[error("spec key `{key}`: part `{part}` is not `name=value`")]
    NotNameValue { key: String, part: String },
    #[error("spec key `{key}`: option `{name}` appears twice")]
    Duplicate { key: String, name: String },
}

impl SpecKey {
    /// Builds a key from `(name, value)` pairs as a page shows them; both are canonicalized.
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let map = pairs
            .into_iter()
            .map(|(n, v)| {
                (
                    canonical_option_name(n.as_ref()),
                    canonical_option_value(v.as_ref()),
                )
            })
            .filter(|(n, _)| !n.is_empty())
            .collect();
        SpecKey(map)
    }

    /// Parses the textual form `color=red;size=xl` (as printed by `Display`). The parts are
    /// canonicalized again, so a hand-written `Size=XL;Color=Red` gives the same key.
    pub fn parse(key: &str) -> Result<Self, SpecKeyError> {
        let mut map = BTreeMap::new();
        for part in key.split(';').filter(|p| !p.trim().is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| SpecKeyError::NotNameValue {
                    key: key.to_owned(),
                    part: part.to_owned(),
                })?;
            let name = canonical_option_name(&unescape(name));
            let value = canonical_option_value(&unescape(value));
            if map.insert(name.clone(), value).is_some() {
                return Err(SpecKeyError::Duplicate {
                    key: key.to_owned(),
                    name,
                });
            }
        }
        Ok(SpecKey(map))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl fmt::Display for SpecKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{}={}", escape(name), escape(value))?;
        }
        Ok(())
    }
}

impl fmt::Debug for SpecKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpecKey({self})")
    }
}

impl Serialize for SpecKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SpecKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SpecKey::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `%`, `;` and `=` would break the textual form, so they are percent-escaped.
fn escape(s: &str) -> String {
    if !s.contains(['%', ';', '=']) {
        return s.to_owned();
    }
    s.replace('%', "%25")
        .replace(';', "%3B")
        .replace('=', "%3D")
}

fn unescape(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    s.replace("%3B", ";")
        .replace("%3b", ";")
        .replace("%3D", "=")
        .replace("%3d", "=")
        .replace("%25", "%")
}

/// Option-name aliases → canonical name. Issue #5 extends this table and lets merchants add to it.
const NAME_ALIASES: &[(&str, &[&str])] = &[
    (
        "color",
        &[
            "color",
            "colour",
            "颜色",
            "顏色",
            "颜色分类",
            "顏色分類",
            "色",
            "farbe",
            "couleur",
        ],
    ),
    (
        "size",
        &[
            "size", "尺码", "尺碼", "尺寸", "码数", "碼數", "大小", "größe", "grösse", "taille",
        ],
    ),
    ("style", &["style", "款式", "风格", "風格"]),
    ("model", &["model", "型号", "型號", "版本", "version"]),
    ("spec", &["spec", "规格", "規格", "specification"]),
];

/// The canonical name of an option: an alias from the table, else the label with collapsed
/// whitespace, lower-cased.
pub fn canonical_option_name(label: &str) -> String {
    let folded = fold(label);
    for (canonical, aliases) in NAME_ALIASES {
        if aliases.contains(&folded.as_str()) {
            return (*canonical).to_owned();
        }
    }
    folded
}

/// The canonical value of an option, for matching: collapsed whitespace, lower-case, and the
/// most common size spellings unified (`XXL` = `2XL`).
pub fn canonical_option_value(value: &str) -> String {
    let folded = fold(value);
    match folded.as_str() {
        "xxl" => "2xl".to_owned(),
        "xxxl" => "3xl".to_owned(),
        "xxxxl" => "4xl".to_owned(),
        "xxs" => "2xs".to_owned(),
        "均码" | "均碼" | "free size" | "one size" | "onesize" | "f" => "one-size".to_owned(),
        _ => folded,
    }
}

/// Trim, collapse inner whitespace (including the ideographic space) to one space, lower-case.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_independent_of_option_order_and_spelling() {
        let a = SpecKey::from_pairs([("颜色", "Red"), ("尺码", "XXL")]);
        let b = SpecKey::from_pairs([("Size", "2xl"), ("Colour", " red ")]);
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "color=red;size=2xl");
    }

    #[test]
    fn textual_form_round_trips_including_reserved_characters() {
        let key = SpecKey::from_pairs([("spec", "a=b;c%d"), ("color", "深 蓝")]);
        let text = key.to_string();
        assert_eq!(SpecKey::parse(&text).expect("parse"), key);
    }

    #[test]
    fn malformed_keys_are_errors_naming_the_part() {
        let err = SpecKey::parse("color=red;size").expect_err("no value");
        assert!(err.to_string().contains("`size`"), "{err}");
        assert!(SpecKey::parse("color=red;Color=blue").is_err());
        assert!(SpecKey::parse("")
            .expect("empty is the single-variant key")
            .is_empty());
    }
}
