//! Runs the product: the [`App`] (configuration, store, fetcher, rules, mailer), the crawl
//! pipeline stage by stage (`crawl/`), the one "rules, compare, decide" step
//! ([`RuleSet::judge`]), and delivery. The `specsync` binary parses arguments, reads the
//! configuration file and formats output; everything it runs, it runs through this crate, so a
//! test (or `specsync serve`) can run a whole crawl in-process.

mod app;
pub mod clock;
pub mod config;
mod crawl;
mod deliver;
mod error;
pub mod import;
pub mod plan;
pub mod progress;
pub mod rules;
mod stop;

pub use app::{App, ImportSummary};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use crawl::CrawlSummary;
pub use deliver::{next_attempt_at, proposal_of, DeliveryReport, Due, FailedAlert, SentAlert};
pub use error::{Error, Result};
pub use plan::SourcePlan;
pub use rules::RuleSet;
pub use stop::{signal_name, Stop};
