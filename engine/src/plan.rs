//! One validated source plan: a source's settings (as `source add` was given them, as a
//! `[sources.NAME]` table wrote them, as the store keeps them) parsed once into typed values.
//! Every place a source comes in through (the CLI, the config file, the store) makes a plan, so
//! a bad setting is an error at that edge, naming the source and the setting; the crawl then
//! reads typed values only. The defaults live in one place, `store::SourceSettings::default`.

use std::num::NonZeroU32;
use std::path::PathBuf;

use catalog::Currency;
use crawler::fetch::HostSettings;
use crawler::Rate;
use schedules::Schedule;
use store::{Robots, SourceSettings};
use url::Url;

use crate::error::{Error, Result};

/// Where a source's product pages are found, besides its sitemaps.
#[derive(Clone, Debug)]
pub struct Discovery {
    /// A category page to start from (joined to the base URL).
    pub category: Option<Url>,
    /// Category pages followed from it, by path prefix.
    pub category_path: Option<String>,
    /// Product pages among a category page's links, by path prefix.
    pub product_path: Option<String>,
}

/// A source, validated: what the crawl of it needs, typed.
#[derive(Clone, Debug)]
pub struct SourcePlan {
    pub name: String,
    pub base: Url,
    pub rate: Rate,
    pub burst: NonZeroU32,
    /// Requests at once to its host.
    pub concurrency: usize,
    pub robots: Robots,
    /// The currency of prices its pages show without one.
    pub currency: Option<Currency>,
    pub discovery: Discovery,
    /// Its own tracking parameters (besides `utm_*`, `spm`, …).
    pub tracking_params: Vec<String>,
    pub allow_private_networks: bool,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<(String, String)>,
    pub proxy: Option<Url>,
    /// Its rules file, for pages without structured data.
    pub rules: Option<PathBuf>,
    pub schedule: Schedule,
}

/// A source's name is shown in alerts, logs, file names and URLs: letters of any script,
/// digits, `-`, `_` and `.` (not first), 1 to 64 of them. No spaces, line breaks, slashes or
/// `..`, which would forge log lines and headers or reach outside a folder.
pub fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.chars().count())
        && !name.starts_with('.')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "source name {name:?} is not valid: use 1 to 64 letters, digits, `-`, `_` or `.` (not \
         first), without spaces, line breaks, slashes or `..`"
    )))
}

impl SourcePlan {
    /// Validates a source's settings. Errors name the source and the setting.
    pub fn new(name: &str, base_url: &str, s: &SourceSettings) -> Result<SourcePlan> {
        check_name(name)?;
        let bad = |what: String| Error::invalid(format!("source `{name}`: {what}"));
        let base = crate::import::parse_product_url(base_url).map_err(bad)?;
        if crawler::guard::is_private_host(&base) && !s.allow_private_networks {
            return Err(bad(format!(
                "{base} is a loopback or private address; pass --allow-private-networks if it really \
                 is a supplier site (a local test site)"
            )));
        }
        let rate: Rate = s
            .rate
            .parse()
            .map_err(|e: crawler::RateError| bad(e.to_string()))?;
        let concurrency = match usize::try_from(s.concurrency) {
            Ok(n) if (1..=1024).contains(&n) => n,
            _ => {
                return Err(bad(format!(
                    "concurrency {}: expected 1 to 1024",
                    s.concurrency
                )))
            }
        };
        let category = s
            .category
            .as_deref()
            .map(|c| {
                base.join(c)
                    .map_err(|e| bad(format!("category `{c}`: {e}")))
            })
            .transpose()?;
        if category.is_some() && s.product_path.is_none() {
            return Err(bad(
                "category needs product_path (--product-path), the path prefix of its product pages"
                    .into(),
            ));
        }
        let proxy = s
            .proxy
            .as_deref()
            .map(|p| {
                Url::parse(p)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                    .ok_or_else(|| {
                        bad(format!(
                            "proxy `{p}`: expected an http:// or https:// URL such as http://proxy.example:3128"
                        ))
                    })
            })
            .transpose()?;
        Ok(SourcePlan {
            name: name.to_owned(),
            rate,
            burst: NonZeroU32::new(s.burst)
                .ok_or_else(|| bad("burst must be at least 1".into()))?,
            concurrency,
            robots: s.robots,
            currency: s
                .currency
                .as_deref()
                .map(Currency::parse)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            discovery: Discovery {
                category,
                category_path: s.category_path.clone(),
                product_path: s.product_path.clone(),
            },
            tracking_params: s.tracking_params.clone(),
            allow_private_networks: s.allow_private_networks,
            headers: s.headers.clone().into_iter().collect(),
            cookies: s.cookies.clone().into_iter().collect(),
            proxy,
            rules: s.rules.as_deref().map(PathBuf::from),
            schedule: match &s.schedule {
                None => Schedule::Manual,
                Some(text) => text
                    .parse()
                    .map_err(|e: schedules::ScheduleError| bad(e.to_string()))?,
            },
            base,
        })
    }

    /// What the fetcher is told about the source's host.
    pub fn host_settings(&self) -> HostSettings {
        HostSettings {
            rate: self.rate,
            burst: self.burst,
            concurrency: self.concurrency,
            allow_private_networks: self.allow_private_networks,
            headers: self.headers.clone(),
            cookies: self.cookies.clone(),
            proxy: self.proxy.as_ref().map(Url::to_string),
        }
    }

    /// How long a new holder of the source's lease waits after the last one gave it back: a
    /// full burst's interval, so the two together keep the host's rate.
    pub fn spacing(&self) -> std::time::Duration {
        self.rate.interval().saturating_mul(self.burst.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(edit: impl FnOnce(&mut SourceSettings)) -> Result<SourcePlan> {
        let mut settings = SourceSettings::default();
        edit(&mut settings);
        SourcePlan::new("acme", "https://supplier.example", &settings)
    }

    #[test]
    fn the_defaults_make_a_valid_plan() {
        let p = plan(|_| {}).expect("defaults");
        assert_eq!(p.rate.interval(), std::time::Duration::from_millis(500));
        assert_eq!((p.burst.get(), p.concurrency), (1, 4));
        assert_eq!(p.robots, Robots::Obey);
        assert_eq!(p.schedule, Schedule::Manual);
    }

    #[test]
    fn a_bad_setting_names_the_source_and_the_setting() {
        type Edit = fn(&mut SourceSettings);
        let cases: [(Edit, &str); 7] = [
            (|s| s.rate = "fast".into(), "rate `fast`"),
            (
                |s| s.rate = "99999999999999/s".into(),
                "rate `99999999999999/s`",
            ),
            (|s| s.burst = 0, "burst"),
            (|s| s.concurrency = 0, "concurrency 0"),
            (|s| s.currency = Some("yuan".into()), "yuan"),
            (
                |s| s.proxy = Some("socks9://x".into()),
                "proxy `socks9://x`",
            ),
            (
                |s| s.schedule = Some("every 99999999999999h".into()),
                "schedule",
            ),
        ];
        for (edit, needle) in cases {
            let err = plan(edit).expect_err(needle).to_string();
            assert!(
                err.starts_with("source `acme`: ") && err.contains(needle),
                "{err}"
            );
        }
    }

    #[test]
    fn a_category_is_joined_to_the_base_and_needs_a_product_path() {
        let err = plan(|s| s.category = Some("/collections/all".into())).expect_err("no path");
        assert!(err.to_string().contains("product_path"), "{err}");
        let p = plan(|s| {
            s.category = Some("/collections/all".into());
            s.product_path = Some("/products/".into());
        })
        .expect("category");
        assert_eq!(
            p.discovery.category.map(String::from).as_deref(),
            Some("https://supplier.example/collections/all")
        );
    }
}
