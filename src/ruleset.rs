//! The merchant's rules with their overrides: `[rules]` for every listing, `[rules.by_source.NAME]`
//! for a supplier's listings, `[rules.by_listing.ID]` for one listing. An override is a partial
//! table merged over what it overrides (listing over source over the defaults), so it names only
//! what differs. Every combination is validated when the configuration loads.

use std::collections::BTreeMap;

use diff::{Rules, RulesConfig};

#[derive(Clone, Debug)]
pub struct RuleSet {
    defaults: toml::Table,
    by_source: BTreeMap<String, toml::Table>,
    by_listing: BTreeMap<String, toml::Table>,
    /// The validated defaults, for the common case of no override.
    default_rules: Rules,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            defaults: toml::Table::new(),
            by_source: BTreeMap::new(),
            by_listing: BTreeMap::new(),
            default_rules: Rules::default(),
        }
    }
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
        let default_rules = validate(&defaults, "rules")?;
        let set = RuleSet {
            defaults,
            by_source,
            by_listing,
            default_rules,
        };
        // Every override, alone and with every source's, is valid: errors show at start-up.
        for name in set.by_source.keys() {
            set.merged(Some(name), None).map(|_| ())?;
        }
        for id in set.by_listing.keys() {
            set.merged(None, Some(id))?;
            for name in set.by_source.keys() {
                set.merged(Some(name), Some(id))?;
            }
        }
        Ok(set)
    }

    fn merged(&self, source: Option<&str>, listing: Option<&str>) -> Result<Rules, String> {
        let mut table = self.defaults.clone();
        let mut place = "rules".to_owned();
        if let Some(over) = source.and_then(|s| self.by_source.get(s)) {
            merge(&mut table, over);
            place = format!("rules.by_source.{}", source.unwrap_or_default());
        }
        if let Some(over) = listing.and_then(|l| self.by_listing.get(l)) {
            merge(&mut table, over);
            place = format!("rules.by_listing.{}", listing.unwrap_or_default());
        }
        validate(&table, &place)
    }

    /// The rules for a listing of a source.
    pub fn for_listing(&self, source: Option<&str>, listing: &str) -> Rules {
        let has_source = source.is_some_and(|s| self.by_source.contains_key(s));
        if !has_source && !self.by_listing.contains_key(listing) {
            return self.default_rules.clone();
        }
        // Validated at start-up, so this cannot fail; the defaults are the safe fallback.
        self.merged(source, Some(listing))
            .unwrap_or_else(|_| self.default_rules.clone())
    }

    /// The rules for what belongs to no listing yet (new styles, a source's health).
    pub fn for_source(&self, source: &str) -> Rules {
        self.merged(Some(source), None)
            .unwrap_or_else(|_| self.default_rules.clone())
    }
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
