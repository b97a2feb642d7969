//! `specsync.toml`: parsed into plain values, overridden by `SPECSYNC__SECTION__KEY` environment
//! variables, then validated once into what the commands use, so every config error shows at
//! start-up with the file and the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};

pub const FILE_NAME: &str = "specsync.toml";

/// The documented example configuration; `specsync init` writes it and a test loads it.
pub const EXAMPLE: &str = r#"# specsync configuration. Every key can be overridden by an environment variable
# SPECSYNC__SECTION__KEY, e.g. SPECSYNC__DATABASE__URL=postgres://user@host/specsync.

[database]
# A SQLite file (relative to this file) or a postgres:// URL.
url = "specsync.db"

[email]
from = "specsync <specsync@localhost>"
to = ["merchant@localhost"]
# Alert emails are written here as .eml files (relative to this file)...
outbox = "outbox"
# ...unless an SMTP server is named (lettre's URL form): smtp://host:25,
# smtp://user@host:587?tls=required, smtps://user@host:465. The password comes from the
# environment variable SPECSYNC_SMTP_PASSWORD, never from this file.
# smtp_url = "smtp://127.0.0.1:25"

[crawler]
user_agent = "specsync/0.1 (+supplier sync)"
timeout = "30s"
# Retries of a page after a transient failure or a rate limit, within one crawl.
retries = 2
# A product is gone after a 404/410 on this many completed crawls in a row, the first of them at
# least `gone_after` ago. A source where most known pages answer 404 at once is a health problem
# of the source: no product is counted gone.
gone_confirmations = 2
gone_after = "6h"
# You get a health alert when a supplier could not be reached on this many crawls in a row.
health_alert_after = 3
# Requests at once over every supplier (each supplier also has its own cap, `concurrency`).
max_concurrency = 64

# Suppliers can be declared here as well as with `specsync source add`; these are put in the
# database on every start, so the file wins over earlier `source add` settings of the same name.
# [sources.acme]
# url = "https://supplier.example"
# rate = "2/s"                      # requests per second (or per minute: "30/m")
# burst = 1
# concurrency = 4
# currency = "CNY"                  # of prices the pages show without one
# robots = "obey"                   # or "ignore" when the supplier has allowed you
# category = "/collections/all"     # discover products from category pages as well
# category_path = "/collections/"   # and follow these category pages from it
# product_path = "/products/"
# headers = { "Accept-Language" = "zh-CN" }
# cookies = { session = "from-the-supplier" }
# proxy = "http://proxy.example:3128"
# rules = "acme-rules.toml"         # CSS selectors for pages without structured data
# schedule = "every 6h"             # for `specsync serve`; none: only when asked

[catalog]
# Your own names for options, added to the built-in ones (颜色/colour/Farbe… → color,
# 尺码/taille/サイズ… → size, 规格, 型号, 款式, 材质, 容量, 套餐…).
aliases = { color = ["配色", "colorway"], size = ["码段"] }

# What a change at a supplier does to your listing. Every rule applies on every sync.
[rules.pricing]
# formula = "cost * 1.8 + 5"     # listing price from the supplier's cost; none: you set prices
# ending = ".99"                  # .99, .9, whole or none; prices only ever round up
# compare_at = "1.3"              # compare-at price as a factor of the price
# margin_floor = "20%"            # or an amount such as "5.00"; a price under it is never applied

[rules.stock]
safety_buffer = 0                 # show the supplier's count less this
low_stock_threshold = 0           # show 0 below this
when_unavailable = "set_zero"     # set_zero, unpublish_variant, unpublish_product, alert_only

[rules.actions]
# auto: update the listing; hold: wait for approval; alert: tell you only.
price = "alert"
price_auto_within = "10%"         # automatic price updates only within this move
stock = "alert"
variant_added = "alert"
variant_removed = "hold"
spec_renamed = "hold"
title = "alert"
product_gone = "hold"

[rules.noise]
# min_price_change = "1%"         # smaller cost changes are ignored

# Overrides name only what differs, for one supplier or one listing:
# [rules.by_source.acme.actions]
# price = "auto"
# [rules.by_listing.tee-1.pricing]
# formula = "cost * 2.2"
"#;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    email: EmailSection,
    #[serde(default)]
    crawler: CrawlerSection,
    #[serde(default)]
    sources: std::collections::BTreeMap<String, SourceSection>,
    #[serde(default)]
    catalog: CatalogSection,
    /// Read by `RuleSet::from_table`; here only so that reading the file whole (for the line of
    /// a mistake) does not call it unknown.
    #[serde(default, rename = "rules")]
    _rules: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CatalogSection {
    /// Canonical option name → the merchant's other names for it.
    aliases: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct DatabaseSection {
    url: String,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        DatabaseSection {
            url: "specsync.db".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct EmailSection {
    from: String,
    to: Vec<String>,
    outbox: String,
    smtp_url: Option<String>,
}

impl Default for EmailSection {
    fn default() -> Self {
        EmailSection {
            from: "specsync <specsync@localhost>".into(),
            to: vec!["merchant@localhost".into()],
            outbox: "outbox".into(),
            smtp_url: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CrawlerSection {
    user_agent: String,
    timeout: String,
    retries: u32,
    gone_confirmations: u32,
    gone_after: String,
    health_alert_after: u32,
    max_concurrency: usize,
}

/// `[sources.NAME]`: a supplier declared in the file rather than with `specsync source add`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSection {
    url: String,
    rate: Option<String>,
    burst: Option<u32>,
    concurrency: Option<u32>,
    currency: Option<String>,
    allow_private_networks: Option<bool>,
    robots: Option<store::Robots>,
    category: Option<String>,
    category_path: Option<String>,
    product_path: Option<String>,
    #[serde(default)]
    tracking_params: Vec<String>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    cookies: std::collections::BTreeMap<String, String>,
    proxy: Option<String>,
    /// Relative to the config file's folder.
    rules: Option<String>,
    schedule: Option<String>,
}

impl SourceSection {
    fn into_settings(self, config_dir: &Path) -> (String, store::SourceSettings) {
        let d = store::SourceSettings::default();
        let settings = store::SourceSettings {
            rate: self.rate.unwrap_or(d.rate),
            burst: self.burst.unwrap_or(d.burst),
            concurrency: self.concurrency.unwrap_or(d.concurrency),
            currency: self.currency,
            allow_private_networks: self.allow_private_networks.unwrap_or(false),
            robots: self.robots.unwrap_or(d.robots),
            category: self.category,
            product_path: self.product_path,
            tracking_params: self.tracking_params,
            category_path: self.category_path,
            headers: self.headers,
            cookies: self.cookies,
            proxy: self.proxy,
            rules: self.rules.map(|r| config_dir.join(r).display().to_string()),
            schedule: self.schedule,
        };
        (self.url, settings)
    }
}

/// A source from the config file, validated: its name, base URL (canonical) and settings.
#[derive(Clone, Debug)]
pub struct ConfigSource {
    pub name: String,
    pub url: String,
    pub settings: store::SourceSettings,
}

impl Default for CrawlerSection {
    fn default() -> Self {
        CrawlerSection {
            user_agent: concat!("specsync/", env!("CARGO_PKG_VERSION"), " (+supplier sync)").into(),
            timeout: "30s".into(),
            retries: 2,
            gone_confirmations: 2,
            gone_after: "6h".into(),
            health_alert_after: 3,
            max_concurrency: 64,
        }
    }
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub path: PathBuf,
    /// A `postgres://` URL, or the SQLite file's path.
    pub database_url: String,
    pub email: notify::Addresses,
    pub outbox: PathBuf,
    /// An SMTP server for alert emails, in lettre's URL form; `None`: the outbox folder.
    pub smtp_url: Option<String>,
    pub user_agent: String,
    pub timeout: Duration,
    pub retries: u32,
    pub gone_confirmations: u32,
    /// How long after the first 404/410 a product may be confirmed gone.
    pub gone_after: Duration,
    /// Crawls in a row that reach no page before the merchant gets a health alert.
    pub health_alert_after: u32,
    /// Option names with the merchant's aliases, for supplier pages and listings alike.
    pub option_names: catalog::OptionNames,
    /// The merchant's sync rules, with per-source and per-listing overrides.
    pub rules: crate::rules::RuleSet,
    /// Requests at once over every supplier.
    pub max_concurrency: usize,
    /// `[sources.NAME]` tables, put in the store at start-up.
    pub sources: Vec<ConfigSource>,
}

impl Config {
    /// Loads `path`, applying environment overrides from `env`.
    pub fn load(path: &Path, env: impl IntoIterator<Item = (String, String)>) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::invalid(format!(
                    "no configuration at {}: run `specsync init` in that folder first, or pass --config FILE",
                    path.display()
                ))
            } else {
                Error::invalid(format!("cannot read {}: {e}", path.display()))
            }
        })?;
        Self::parse(path, &text, env)
    }

    pub fn parse(
        path: &Path,
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config> {
        let shown = path.display();
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Error::invalid(format!("{shown}: {e}")))?;
        let env: Vec<(String, String)> = env
            .into_iter()
            .filter(|(name, _)| name.starts_with("SPECSYNC__"))
            .collect();
        let file = table.clone();
        apply_env(&mut table, env.clone())?;
        let rules = crate::rules::RuleSet::from_table(table.remove("rules"))
            .map_err(|e| Error::invalid(format!("{shown}: {e}")))?;
        let raw: RawConfig = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| blame(&shown.to_string(), text, &file, &env, &e))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let relative = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_owned()
            } else {
                dir.join(p)
            }
        };
        let database_url = if raw.database.url.contains("://") {
            raw.database.url.clone()
        } else {
            relative(&raw.database.url).to_string_lossy().into_owned()
        };
        let email = notify::Addresses::parse(&raw.email.from, &raw.email.to)
            .map_err(|e| Error::invalid(format!("{shown}: {e}")))?;
        let timeout = parse_duration(&raw.crawler.timeout).ok_or_else(|| {
            Error::invalid(format!(
                "{shown}: crawler.timeout `{}` is not a duration such as `30s` or `500ms` (at most a year)",
                raw.crawler.timeout
            ))
        })?;
        if raw.crawler.gone_confirmations == 0 {
            return Err(Error::invalid(format!(
                "{shown}: crawler.gone_confirmations must be at least 1"
            )));
        }
        let gone_after = parse_duration(&raw.crawler.gone_after).ok_or_else(|| {
            Error::invalid(format!(
                "{shown}: crawler.gone_after `{}` is not a duration such as `6h` or `30m` (at most a year)",
                raw.crawler.gone_after
            ))
        })?;
        let mut option_names = catalog::OptionNames::default();
        for (canonical, aliases) in &raw.catalog.aliases {
            for alias in aliases {
                option_names = option_names.with_alias(canonical, alias);
            }
        }
        Ok(Config {
            rules,
            option_names,
            path: path.to_owned(),
            database_url,
            email,
            outbox: relative(&raw.email.outbox),
            smtp_url: raw.email.smtp_url,
            user_agent: raw.crawler.user_agent,
            timeout,
            retries: raw.crawler.retries,
            gone_confirmations: raw.crawler.gone_confirmations,
            gone_after,
            health_alert_after: raw.crawler.health_alert_after.max(1),
            max_concurrency: raw.crawler.max_concurrency.max(1),
            sources: raw
                .sources
                .into_iter()
                .map(|(name, section)| {
                    let (url, settings) = section.into_settings(dir);
                    // Validated here, so a bad `[sources.NAME]` shows at start-up.
                    let plan = crate::plan::SourcePlan::new(&name, &url, &settings)
                        .map_err(|e| Error::invalid(format!("{shown}: sources.{name}: {e}")))?;
                    Ok(ConfigSource {
                        name,
                        url: plan.base.to_string(),
                        settings,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}

/// Who is to blame for a configuration that does not deserialize (`error`): the file, told
/// with the line of its mistake (read again from its text, which keeps the places), or else the
/// environment variable that broke it, by name.
fn blame(
    shown: &str,
    text: &str,
    file: &toml::Table,
    env: &[(String, String)],
    error: &serde_path_to_error::Error<toml::de::Error>,
) -> Error {
    if let Err(e) =
        serde_path_to_error::deserialize::<_, RawConfig>(toml::de::Deserializer::new(text))
    {
        let line = e.inner().span().map(|span| {
            text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        });
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        return Error::invalid(format!(
            "{shown}:{at} {}",
            in_merchant_words(&e.path().to_string(), e.inner().message())
        ));
    }
    // The file is fine: one of the variables is not.
    let culprit = env.iter().find(|var| {
        let mut one = file.clone();
        apply_env(&mut one, [(*var).clone()]).is_err()
            || serde_path_to_error::deserialize::<_, RawConfig>(toml::Value::Table(one)).is_err()
    });
    let what = in_merchant_words(&error.path().to_string(), error.inner().message());
    match culprit {
        Some((name, value)) => {
            Error::invalid(format!("environment variable {name}={value:?}: {what}"))
        }
        None => Error::invalid(format!("{shown} with the environment's overrides: {what}")),
    }
}

/// A deserializer's complaint about `path` (`crawler.timeout`), as a merchant would put it:
/// which key, what was found, what is expected.
fn in_merchant_words(path: &str, message: &str) -> String {
    const DURATIONS: &[&str] = &["crawler.timeout", "crawler.gone_after"];
    let expected = message.split_once(", expected ").map(|(_, e)| e);
    let found = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|m| m.split_once(", expected "))
        .map(|(found, _)| found);
    let want = match expected {
        _ if DURATIONS.contains(&path) => Some("a duration in quotes, such as \"30s\" or \"6h\""),
        _ if path.starts_with("sources.") && path.ends_with(".rate") => {
            Some("a rate in quotes, such as \"2/s\" or \"30/min\"")
        }
        Some("u8" | "u16" | "u32" | "u64" | "usize") => Some("a whole number, 0 or more"),
        Some("i8" | "i16" | "i32" | "i64" | "isize") => Some("a whole number"),
        Some("a string") => Some("a text in quotes"),
        Some("a boolean") => Some("true or false"),
        Some("a sequence") => Some("a list in brackets, such as [\"a@example.com\"]"),
        _ => None,
    };
    let key = match path {
        "" | "." => String::new(),
        path => format!("{path}: "),
    };
    match (found, want) {
        (Some(found), Some(want)) => format!("{key}{found} is not {want}"),
        _ => format!("{key}{message}"),
    }
}

/// `SPECSYNC__CRAWLER__RETRIES=3` sets `crawler.retries`. A value that reads as TOML (a number,
/// a boolean, an array) is taken as such, anything else as a string.
fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<()> {
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("SPECSYNC__") else {
            continue;
        };
        let Some((section, key)) = rest.split_once("__") else {
            return Err(Error::invalid(format!(
                "environment variable {name}: expected SPECSYNC__SECTION__KEY"
            )));
        };
        let parsed = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(toml::Value::String(value));
        let section = table
            .entry(section.to_ascii_lowercase())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section) = section.as_table_mut() else {
            return Err(Error::invalid(format!(
                "environment variable {name}: that section is not a table"
            )));
        };
        section.insert(key.to_ascii_lowercase(), parsed);
    }
    Ok(())
}

/// `500ms`, `30s`, `5m`, `1h`; at most a year (a longer one is a typo, never an overflow).
pub fn parse_duration(s: &str) -> Option<Duration> {
    const MAX_SECS: u64 = 366 * 86_400;
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = s[..split].parse().ok()?;
    let duration = match s[split..].trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    };
    (duration.as_secs() <= MAX_SECS).then_some(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, env: &[(&str, &str)]) -> Result<Config> {
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        Config::parse(Path::new("/shop/specsync.toml"), text, env)
    }

    #[test]
    fn the_documented_example_loads() {
        let config = parse(EXAMPLE, &[]).expect("example");
        assert_eq!(config.database_url, "/shop/specsync.db");
        assert_eq!(config.outbox, Path::new("/shop/outbox"));
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.gone_confirmations, 2);
        assert_eq!(config.option_names.canonical("配色"), "color");
        assert_eq!(config.option_names.canonical("Colorway"), "color");
    }

    #[test]
    fn environment_variables_override_the_file() {
        let env = [
            ("SPECSYNC__DATABASE__URL", "postgres://u@127.0.0.1/s"),
            ("SPECSYNC__CRAWLER__RETRIES", "5"),
            ("HOME", "/root"),
        ];
        let config = parse(EXAMPLE, &env).expect("override");
        assert_eq!(config.database_url, "postgres://u@127.0.0.1/s");
        assert_eq!(config.retries, 5);
    }

    #[test]
    fn config_errors_name_the_file_and_the_key() {
        let cases = [
            ("[crawler]\ntimeout = \"soon\"\n", "crawler.timeout"),
            ("[crawler]\nretry = 3\n", "retry"),
            ("[email]\nfrom = \"nobody\"\n", "email.from"),
            ("[database\n", "specsync.toml"),
            ("[crawler]\ngone_confirmations = 0\n", "gone_confirmations"),
            (
                "[crawler]\ntimeout = \"99999999999999h\"\n",
                "crawler.timeout `99999999999999h`",
            ),
            (
                "[sources.acme]\nurl = \"https://s.example\"\nrate = \"fast\"\n",
                "sources.acme: source `acme`: rate `fast`",
            ),
            (
                "[sources.acme]\nurl = \"https://s.example\"\nrobots = \"sometimes\"\n",
                "sometimes",
            ),
            (
                "[rules.pricing]\nformula = \"price * 2\"\n",
                "rules.pricing.formula",
            ),
            (
                "[rules.actions]\nprice = \"maybe\"\n",
                "rules.actions.price",
            ),
        ];
        for (text, needle) in cases {
            let err = parse(text, &[]).expect_err(text).to_string();
            assert!(
                err.contains("/shop/specsync.toml") && err.contains(needle),
                "{text:?} → {err}"
            );
        }
        let err = parse(EXAMPLE, &[("SPECSYNC__NOSECTION", "1")])
            .expect_err("bad env")
            .to_string();
        assert!(err.contains("SPECSYNC__NOSECTION"), "{err}");
    }

    #[test]
    fn a_mistake_is_told_with_its_line_key_and_what_is_expected_and_a_variable_by_its_name() {
        let edit = |from: &str, to: &str| {
            assert!(EXAMPLE.contains(from), "{from}");
            EXAMPLE.replacen(from, to, 1)
        };
        let line_of =
            |text: &str, key: &str| 1 + text[..text.find(key).expect("key")].matches('\n').count();
        let cases = [
            (
                edit("timeout = \"30s\"", "timeout = 30"),
                "timeout = 30",
                "crawler.timeout: integer `30` is not a duration in quotes, such as \"30s\"",
            ),
            (
                edit("retries = 2", "retires = 2"),
                "retires = 2",
                "crawler.retires: unknown field `retires`",
            ),
            (
                edit("max_concurrency = 64", "max_concurrency = -1"),
                "max_concurrency = -1",
                "crawler.max_concurrency: integer `-1` is not a whole number, 0 or more",
            ),
        ];
        for (text, at, needle) in cases {
            let err = parse(&text, &[]).expect_err(needle).to_string();
            let line = format!("/shop/specsync.toml: line {}: ", line_of(&text, at));
            assert!(err.starts_with(&line) && err.contains(needle), "{err}");
        }
        for (name, value, needle) in [
            (
                "SPECSYNC__CRAWLER__RETRIES",
                "abc",
                "crawler.retries: string \"abc\" is not a whole number",
            ),
            ("SPECSYNC__CRAWLR__RETRIES", "3", "unknown field `crawlr`"),
        ] {
            let err = parse(EXAMPLE, &[(name, value)])
                .expect_err(name)
                .to_string();
            assert!(
                err.starts_with(&format!("environment variable {name}=")) && err.contains(needle),
                "{err}"
            );
            assert!(
                !err.contains("specsync.toml"),
                "the file is not blamed: {err}"
            );
        }
    }

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("2 weeks"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("99999999999999h"), None, "no overflow");
        assert_eq!(parse_duration("99999999999999999999s"), None);
    }
}
