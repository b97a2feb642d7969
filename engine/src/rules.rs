//! The merchant's rules with their overrides, and the step that applies them: `[rules]` for every listing, `[rules.by_source.NAME]`
//! for a supplier's listings, `[rules.by_listing.ID]` for one listing. An override is a partial
//! table merged over what it overrides (listing over source over the defaults), so it names only
//! what differs. Every combination is merged and validated once, when the configuration loads;
//! a lookup during a crawl is a map read.

use std::collections::BTreeMap;

use diff::{Rules, RulesConfig};

/// The rules of every (source override, listing override) combination, merged and validated.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// `(source, listing)` → rules; `None` where that level has no override.
    merged: BTreeMap<(Option<String>, Option<String>), Rules>,
}

/// `over` merged onto `base`, tables recursively, anything else replaced.
fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

fn validate(table: &toml::Table, place: &str) -> Result<Rules, String> {
    let config = RulesConfig::deserialize(toml::Value::Table(table.clone()))
        .map_err(|e| format!("{place}: {}", e.message()))?;
    config.validate().map_err(|e| format!("{place}: {e}"))
}

use serde::Deserialize;

fn overrides(rules: &mut toml::Table, key: &str) -> Result<BTreeMap<String, toml::Table>, String> {
    match rules.remove(key) {
        None => Ok(BTreeMap::new()),
        Some(toml::Value::Table(t)) => t
            .into_iter()
            .map(|(name, v)| match v {
                toml::Value::Table(table) => Ok((name, table)),
                _ => Err(format!("rules.{key}.{name} is not a table of rules")),
            })
            .collect(),
        Some(_) => Err(format!("rules.{key} is not a table")),
    }
}

impl RuleSet {
    /// From the `[rules]` table as written (missing: all defaults).
    pub fn from_table(rules: Option<toml::Value>) -> Result<RuleSet, String> {
        let mut defaults = match rules {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err("rules is not a table".into()),
        };
        let by_source = overrides(&mut defaults, "by_source")?;
        let by_listing = overrides(&mut defaults, "by_listing")?;
        // Every combination, so that errors show at start-up and lookups need no work.
        let sources = std::iter::once(None).chain(by_source.keys().map(Some));
        let mut merged = BTreeMap::new();
        for source in sources {
            let listings = std::iter::once(None).chain(by_listing.keys().map(Some));
            for listing in listings {
                let mut table = defaults.clone();
                let mut place = "rules".to_owned();
                if let Some(name) = source {
                    merge(&mut table, &by_source[name]);
                    place = format!("rules.by_source.{name}");
                }
                if let Some(id) = listing {
                    merge(&mut table, &by_listing[id]);
                    place = format!("rules.by_listing.{id}");
                }
                merged.insert(
                    (source.cloned(), listing.cloned()),
                    validate(&table, &place)?,
                );
            }
        }
        Ok(RuleSet { merged })
    }

    fn get(&self, source: Option<&str>, listing: Option<&str>) -> &Rules {
        let key = |s: Option<&str>, l: Option<&str>| (s.map(str::to_owned), l.map(str::to_owned));
        self.merged
            .get(&key(source, listing))
            .or_else(|| self.merged.get(&key(source, None)))
            .or_else(|| self.merged.get(&key(None, listing)))
            .or_else(|| self.merged.get(&(None, None)))
            .unwrap_or_else(|| default_rules())
    }

    /// The rules for a listing of a source.
    pub fn for_listing(&self, source: Option<&str>, listing: &str) -> &Rules {
        self.get(source, Some(listing))
    }

    /// What `product` means for `listing` under the merchant's rules: the differences, each
    /// with the action the rules decide and why. The one "rules, compare, decide" step of the
    /// crawl, `diff` and `resync --dry-run`.
    pub fn judge(
        &self,
        source: Option<&str>,
        listing: &catalog::Listing,
        product: &catalog::Product,
    ) -> Vec<diff::Proposal> {
        let rules = self.for_listing(source, listing.id.as_str());
        let found = diff::compare(listing, product, rules);
        diff::decide(listing, product, found, rules)
    }

    /// The rules for what belongs to no listing yet (new styles, a source's health).
    pub fn for_source(&self, source: &str) -> &Rules {
        self.get(Some(source), None)
    }
}

/// The built-in rules, for a set made with `Default` (no configuration).
fn default_rules() -> &'static Rules {
    static DEFAULT: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Rules::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> Result<RuleSet, String> {
        let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        RuleSet::from_table(table.remove("rules"))
    }

    #[test]
    fn listing_overrides_source_overrides_defaults() {
        let s = set(r#"
            [rules.pricing]
            formula = "cost * 2"
            [rules.actions]
            price = "alert"
            [rules.by_source.acme.actions]
            price = "auto"
            [rules.by_source.acme.pricing]
            ending = ".99"
            [rules.by_listing.tee-1.pricing]
            formula = "cost * 3"
        "#)
        .expect("valid");
        let cny = |m| catalog::Money::new(m, catalog::Currency::CNY);
        let plain = s.for_listing(Some("other"), "x");
        assert_eq!(
            (plain.price_for(cny(1000)), plain.price),
            (Some(cny(2000)), diff::Policy::Alert)
        );
        let acme = s.for_listing(Some("acme"), "x");
        assert_eq!(
            (acme.price_for(cny(1000)), acme.price),
            (Some(cny(2099)), diff::Policy::Auto)
        );
        let tee = s.for_listing(Some("acme"), "tee-1");
        assert_eq!(
            tee.price_for(cny(1000)),
            Some(cny(3099)),
            "listing formula, source ending"
        );
        assert_eq!(tee.price, diff::Policy::Auto);
    }

    #[test]
    fn a_bad_override_is_an_error_naming_it() {
        let err = set("[rules.by_source.acme.actions]\nprice = \"whenever\"\n").expect_err("bad");
        assert!(
            err.contains("rules.by_source.acme") && err.contains("actions.price"),
            "{err}"
        );
        let err = set("[rules.by_listing.tee.pricing]\nformula = \"cost ^ 2\"\n").expect_err("bad");
        assert!(err.contains("rules.by_listing.tee"), "{err}");
        let err = set("[rules.by_source]\nacme = 3\n").expect_err("bad");
        assert!(err.contains("rules.by_source.acme"), "{err}");
    }
}
