//! `specsync crawl`: crawl sources now, then deliver the alerts that are due.

use engine::{App, CrawlSummary, DeliveryReport, Due};
use serde_json::json;

use crate::output::{describe_crawl, describe_delivery};

pub async fn run(app: &App, names: &[String], json: bool) -> anyhow::Result<()> {
    let summaries = app.crawl_sources(names).await?;
    let report = app.deliver(Due::Now).await?;
    print(&summaries, &report, json);
    undelivered(&report)?;
    finished(&summaries)
}

/// How a crawl of these sources ends: stopped by a signal (exit 128 + n), a source reached
/// nothing (1), a source skipped because another worker crawls it (75), else done.
pub fn finished(summaries: &[CrawlSummary]) -> anyhow::Result<()> {
    if let Some(signal) = summaries.iter().find_map(|s| s.stopped_by) {
        return Err(crate::error::Stopped(signal).into());
    }
    reached(summaries)?;
    let skipped: Vec<&str> = summaries
        .iter()
        .filter(|s| s.skipped.is_some())
        .map(|s| s.source.as_str())
        .collect();
    match skipped.as_slice() {
        [] => Ok(()),
        names => Err(crate::error::Skipped(format!(
            "{} not crawled: another worker is crawling {} (see above)",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" }
        ))
        .into()),
    }
}

/// A crawl that reached none of a source's pages failed (exit 1), whatever it recorded.
fn reached(summaries: &[CrawlSummary]) -> anyhow::Result<()> {
    let failed: Vec<&str> = summaries
        .iter()
        .filter(|s| s.reached_nothing)
        .map(|s| s.source.as_str())
        .collect();
    match failed.as_slice() {
        [] => Ok(()),
        names => anyhow::bail!(
            "the crawl of {} reached no page of the supplier (see above)",
            names.join(", ")
        ),
    }
}

/// A pass that could not send everything fails the command (exit 1), after saying what was
/// recorded and sent: the changes are kept and go out on a later pass.
pub fn undelivered(report: &DeliveryReport) -> anyhow::Result<()> {
    match report.failed.len() {
        0 => Ok(()),
        n => anyhow::bail!(
            "{n} alert{} could not be sent; the changes are kept and are sent again later \
             (`specsync deliver --retry-now` tries at once)",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// Crawl runs and the alerts sent after them, for people or (`--json`) for scripts.
pub fn print(summaries: &[CrawlSummary], report: &DeliveryReport, json: bool) {
    if json {
        let total = |f: fn(&CrawlSummary) -> usize| summaries.iter().map(f).sum::<usize>();
        let mut failed = std::collections::BTreeMap::new();
        for s in summaries {
            for (class, n) in &s.failed {
                *failed.entry(*class).or_insert(0) += n;
            }
        }
        let paths: Vec<_> = report.sent.iter().filter_map(|a| a.path.as_ref()).collect();
        let out = json!({
            "pages": total(|s| s.pages),
            "products": total(|s| s.products),
            "unchanged": total(|s| s.unchanged),
            "failed": failed,
            "changes": total(|s| s.changes),
            "new_styles": total(|s| s.new_styles),
            "alerts": paths,
            "sent": report.sent,
            "delivery": report,
            "sources": summaries,
        });
        println!("{out}");
        return;
    }
    for s in summaries {
        println!("{}", describe_crawl(s));
    }
    print!("{}", describe_delivery(report));
}
