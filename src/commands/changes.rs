//! `specsync changes list`: the change queue.

use engine::App;
use store::ChangeFilter;

use super::listing_id;
use crate::cli::StatusArg;
use crate::output::{proposal_row, table};

pub async fn list(
    app: &App,
    status: StatusArg,
    listing: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let listing = listing.as_deref().map(listing_id).transpose()?;
    let changes = app
        .store
        .changes(&ChangeFilter {
            status: status.status(),
            listing,
            run_id: None,
        })
        .await?;
    if json {
        println!("{}", serde_json::to_string(&changes)?);
        return Ok(());
    }
    if changes.is_empty() {
        println!("no changes");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let mut row = vec![c.id.to_string(), c.severity.as_str().to_owned()];
            row.extend(proposal_row(&engine::proposal_of(c)));
            row
        })
        .collect();
    let headers = [
        "id",
        "severity",
        "listing",
        "change",
        "variant",
        "before → after",
        "action",
        "why",
    ];
    print!("{}", table(&headers, &rows));
    Ok(())
}
