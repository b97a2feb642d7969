//! `specsync deliver`: send the alerts that are due now (what `crawl` does at its end).

use engine::{App, Due};

use crate::output::describe_delivery;

pub async fn run(app: &App, retry_now: bool, json: bool) -> anyhow::Result<()> {
    let due = if retry_now { Due::RetryAll } else { Due::Now };
    let report = app.deliver(due).await?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else if report.sent.is_empty() && report.failed.is_empty() {
        println!("nothing to send ({} waiting for a retry)", report.pending);
    } else {
        print!("{}", describe_delivery(&report));
    }
    super::crawl::undelivered(&report)
}
