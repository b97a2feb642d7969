//! `specsync crawl`: crawl sources now, then deliver the alerts that are due.

use engine::{App, CrawlSummary, SentAlert};
use serde_json::json;

use crate::output::{describe_alerts, describe_crawl};

pub async fn run(app: &App, names: &[String], json: bool) -> anyhow::Result<()> {
    let summaries = app.crawl_sources(names).await?;
    let alerts = app.deliver().await?;
    print(&summaries, &alerts, json);
    Ok(())
}

/// Crawl runs and the alerts sent after them, for people or (`--json`) for scripts.
pub fn print(summaries: &[CrawlSummary], alerts: &[SentAlert], json: bool) {
    if json {
        let total = |f: fn(&CrawlSummary) -> usize| summaries.iter().map(f).sum::<usize>();
        let mut failed = std::collections::BTreeMap::new();
        for s in summaries {
            for (class, n) in &s.failed {
                *failed.entry(*class).or_insert(0) += n;
            }
        }
        let paths: Vec<_> = alerts.iter().filter_map(|a| a.path.as_ref()).collect();
        let out = json!({
            "pages": total(|s| s.pages),
            "products": total(|s| s.products),
            "unchanged": total(|s| s.unchanged),
            "failed": failed,
            "changes": total(|s| s.changes),
            "new_styles": total(|s| s.new_styles),
            "alerts": paths,
            "sent": alerts,
            "sources": summaries,
        });
        println!("{out}");
        return;
    }
    for s in summaries {
        println!("{}", describe_crawl(s));
    }
    print!("{}", describe_alerts(alerts));
}
