//! The normalized product, and its JSON form (DESIGN.md "Normalized product").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Availability, Currency, Money, MoneyError, SpecKey, Stock};

/// What a supplier page says now, normalized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProductJson", into = "ProductJson")]
pub struct Product {
    pub url: String,
    pub title: String,
    pub brand: Option<String>,
    pub sku: Option<String>,
    /// The currency of every price of the product; `None` only when the page shows no price.
    pub currency: Option<Currency>,
    pub images: Vec<String>,
    pub description: Option<String>,
    pub options: Vec<ProductOption>,
    /// Sorted by key; keys are unique.
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    /// Canonical name (`color`).
    pub name: String,
    /// The label as the page shows it (`颜色`).
    pub label: String,
    /// Values as the page shows them, in page order.
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub key: SpecKey,
    /// Canonical option name → the value as the page shows it (`size` → `XL`), for display.
    pub spec: BTreeMap<String, String>,
    pub sku: Option<String>,
    pub price: Option<Money>,
    pub compare_at: Option<Money>,
    pub stock: Stock,
}

impl Product {
    /// The lowest variant price.
    pub fn price(&self) -> Option<Money> {
        self.variants.iter().filter_map(|v| v.price).min()
    }

    /// In stock if any variant can be bought now; out of stock only if every variant says so.
    pub fn availability(&self) -> Availability {
        let statuses = || self.variants.iter().map(|v| v.stock.status);
        if statuses().any(|s| s == Availability::InStock) {
            Availability::InStock
        } else if statuses().any(|s| s == Availability::Preorder) {
            Availability::Preorder
        } else if !self.variants.is_empty() && statuses().all(|s| s == Availability::OutOfStock) {
            Availability::OutOfStock
        } else {
            Availability::Unknown
        }
    }

    pub fn variant(&self, key: &SpecKey) -> Option<&Variant> {
        self.variants
            .binary_search_by(|v| v.key.cmp(key))
            .ok()
            .map(|i| &self.variants[i])
    }

    /// A hash of everything the product says, hex SHA-256 of its JSON: an unchanged page gives
    /// the same hash, so it adds no snapshot version.
    pub fn content_hash(&self) -> String {
        self.json_and_hash().1
    }

    /// The product's JSON (as a snapshot stores it) and its [`content_hash`](Self::content_hash),
    /// from one serialization.
    pub fn json_and_hash(&self) -> (String, String) {
        let json = serde_json::to_string(self).unwrap_or_default();
        let digest = Sha256::digest(json.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in digest {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
        }
        (json, hex)
    }
}

/// The wire form: prices are decimal strings in the product's currency.
#[derive(Serialize, Deserialize)]
struct ProductJson {
    url: String,
    title: String,
    #[serde(default)]
    brand: Option<String>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    currency: Option<Currency>,
    #[serde(default)]
    price: Option<String>,
    #[serde(default)]
    availability: Availability,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    options: Vec<ProductOption>,
    #[serde(default)]
    variants: Vec<VariantJson>,
}

#[derive(Serialize, Deserialize)]
struct VariantJson {
    key: SpecKey,
    #[serde(default)]
    spec: BTreeMap<String, String>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    price: Option<String>,
    #[serde(default)]
    compare_at: Option<String>,
    #[serde(default)]
    stock: Stock,
}

impl From<Product> for ProductJson {
    fn from(p: Product) -> Self {
        let price = p.price().map(|m| m.amount_string());
        let availability = p.availability();
        ProductJson {
            url: p.url,
            title: p.title,
            brand: p.brand,
            sku: p.sku,
            currency: p.currency,
            price,
            availability,
            images: p.images,
            description: p.description,
            options: p.options,
            variants: p
                .variants
                .into_iter()
                .map(|v| VariantJson {
                    key: v.key,
                    spec: v.spec,
                    sku: v.sku,
                    price: v.price.map(|m| m.amount_string()),
                    compare_at: v.compare_at.map(|m| m.amount_string()),
                    stock: v.stock,
                })
                .collect(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProductJsonError {
    #[error("variant `{key}`: price `{price}` is given but the product has no currency")]
    NoCurrency { key: String, price: String },
    #[error("variant `{key}`: {source}")]
    Price {
        key: String,
        #[source]
        source: MoneyError,
    },
}

impl TryFrom<ProductJson> for Product {
    type Error = ProductJsonError;
    fn try_from(p: ProductJson) -> Result<Self, Self::Error> {
        let money = |key: &SpecKey, s: Option<String>| -> Result<Option<Money>, ProductJsonError> {
            let Some(s) = s else { return Ok(None) };
            let currency = p.currency.ok_or_else(|| ProductJsonError::NoCurrency {
                key: key.to_string(),
                price: s.clone(),
            })?;
            Money::parse_decimal(&s, currency)
                .map(Some)
                .map_err(|source| ProductJsonError::Price {
                    key: key.to_string(),
                    source,
                })
        };
        let mut variants = Vec::with_capacity(p.variants.len());
        for v in p.variants {
            variants.push(Variant {
                price: money(&v.key, v.price)?,
                compare_at: money(&v.key, v.compare_at)?,
                key: v.key,
                spec: v.spec,
                sku: v.sku,
                stock: v.stock,
            });
        }
        variants.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Product {
            url: p.url,
            title: p.title,
            brand: p.brand,
            sku: p.sku,
            currency: p.currency,
            images: p.images,
            description: p.description,
            options: p.options,
            variants,
        })
    }
}
