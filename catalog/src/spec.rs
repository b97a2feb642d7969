//! Spec keys: the canonical, order-independent identity of a variant (`color=red;size=xl`).
//!
//! The key is for matching only; the supplier's original labels and values are kept on the
//! [`crate::Variant`] for display.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::spec_value::canonical_option_value;
use crate::spec_value::fold_text;

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
        Self::from_pairs_with(&OptionNames::default(), pairs)
    }

    /// As [`SpecKey::from_pairs`], with the merchant's option-name aliases.
    pub fn from_pairs_with<N: AsRef<str>, V: AsRef<str>>(
        names: &OptionNames,
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        Self::from_canonical_names(
            pairs
                .into_iter()
                .map(|(n, v)| (names.canonical(n.as_ref()), v)),
        )
    }

    /// A key from option names already canonical ([`OptionNames::canonical`]) and values as
    /// shown.
    pub fn from_canonical_names<V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (String, V)>,
    ) -> Self {
        SpecKey(
            pairs
                .into_iter()
                .filter(|(n, _)| !n.is_empty())
                .map(|(n, v)| (n, canonical_option_value(v.as_ref())))
                .collect(),
        )
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

/// Option-name aliases → canonical name, in the languages suppliers write. Compared after
/// NFKC, simplified Chinese and lower-casing, so `顏色`, `Colour` and `ＣＯＬＯＲ` need no entry.
const NAME_ALIASES: &[(&str, &[&str])] = &[
    (
        "color",
        &[
            "color",
            "colour",
            "colors",
            "colours",
            "颜色",
            "颜色分类",
            "色",
            "色系",
            "主色",
            "颜色类别",
            "色号",
            "farbe",
            "couleur",
            "colore",
            "cor",
            "kleur",
            "kolor",
            "цвет",
            "カラー",
            "색상",
            "컬러",
            "renk",
            "färg",
            "farve",
            "farge",
            "barva",
            "اللون",
            "لون",
            "màu",
            "màu sắc",
            "warna",
            "สี",
        ],
    ),
    (
        "size",
        &[
            "size",
            "sizes",
            "尺码",
            "尺寸",
            "码数",
            "大小",
            "码",
            "鞋码",
            "größe",
            "grösse",
            "groesse",
            "taille",
            "talla",
            "tamaño",
            "taglia",
            "tamanho",
            "maat",
            "rozmiar",
            "размер",
            "サイズ",
            "사이즈",
            "크기",
            "beden",
            "storlek",
            "størrelse",
            "velikost",
            "المقاس",
            "مقاس",
            "kích thước",
            "kích cỡ",
            "ukuran",
            "ขนาด",
        ],
    ),
    (
        "style",
        &[
            "style",
            "款式",
            "风格",
            "样式",
            "款",
            "stil",
            "estilo",
            "stile",
            "стиль",
            "スタイル",
            "스타일",
        ],
    ),
    (
        "model",
        &[
            "model",
            "型号",
            "版本",
            "version",
            "modell",
            "modèle",
            "modelo",
            "modello",
            "модель",
            "型番",
            "모델",
        ],
    ),
    (
        "spec",
        &[
            "spec",
            "specs",
            "规格",
            "specification",
            "specifications",
            "variant",
            "variante",
            "variation",
        ],
    ),
    (
        "material",
        &[
            "material",
            "材质",
            "材料",
            "面料",
            "matériau",
            "matière",
            "materiale",
            "материал",
            "素材",
            "소재",
        ],
    ),
    (
        "capacity",
        &[
            "capacity",
            "容量",
            "内存",
            "存储",
            "storage",
            "kapazität",
            "capacité",
            "capacidad",
            "ёмкость",
        ],
    ),
    (
        "package",
        &[
            "package",
            "套餐",
            "套餐类型",
            "套装",
            "bundle",
            "pack",
            "paket",
            "lot",
        ],
    ),
    (
        "length",
        &[
            "length",
            "长度",
            "länge",
            "longueur",
            "longitud",
            "длина",
            "長さ",
        ],
    ),
    (
        "weight",
        &[
            "weight", "重量", "净重", "gewicht", "poids", "peso", "вес", "重さ",
        ],
    ),
    (
        "quantity",
        &[
            "quantity",
            "数量",
            "件数",
            "menge",
            "quantité",
            "cantidad",
            "количество",
        ],
    ),
];

/// Option names: the built-in aliases, plus the merchant's own (`[catalog.aliases]` in the
/// config: `color = ["色号", "colour way"]`).
#[derive(Clone, Debug, Default)]
pub struct OptionNames {
    extra: Vec<(String, String)>,
}

impl OptionNames {
    /// Adds `alias` as another name of `canonical`.
    pub fn with_alias(mut self, canonical: &str, alias: &str) -> Self {
        self.extra.push((fold_name(alias), fold_name(canonical)));
        self
    }

    /// The canonical name of an option label: the merchant's alias, else a built-in one, else
    /// the label folded (NFKC, simplified, collapsed whitespace, lower case).
    pub fn canonical(&self, label: &str) -> String {
        let folded = fold_name(label);
        if let Some((_, canonical)) = self.extra.iter().find(|(alias, _)| *alias == folded) {
            return canonical.clone();
        }
        for (canonical, aliases) in NAME_ALIASES {
            if aliases.contains(&folded.as_str()) {
                return (*canonical).to_owned();
            }
        }
        folded
    }
}

fn fold_name(label: &str) -> String {
    fold_text(label.trim().trim_end_matches([':', '：']))
}

/// The canonical name of an option with the built-in aliases only.
pub fn canonical_option_name(label: &str) -> String {
    OptionNames::default().canonical(label)
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
