//! `specsync changes list`: the change queue.

use engine::App;
use store::{ChangeFilter, Decided, Decision};

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
    if let Some(id) = &listing {
        if app.store.listing(id).await?.is_none() {
            return Err(crate::error::Usage::new(format!(
                "there is no listing `{id}` (`specsync listings list` shows them)"
            ))
            .into());
        }
    }
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
            let mut row = vec![
                c.id.to_string(),
                c.status.as_str().to_owned(),
                c.severity.as_str().to_owned(),
            ];
            row.extend(proposal_row(&engine::proposal_of(c)));
            row.push(deliveries(c));
            row
        })
        .collect();
    let headers = [
        "id",
        "status",
        "severity",
        "listing",
        "change",
        "variant",
        "before → after",
        "action",
        "why",
        "delivered",
    ];
    print!("{}", table(&headers, &rows));
    Ok(())
}

pub async fn approve(
    app: &App,
    ids: Vec<i64>,
    all: bool,
    listing: Option<String>,
) -> anyhow::Result<()> {
    let which = match all {
        true => Decided::AllHeld {
            listing: listing.as_deref().map(listing_id).transpose()?,
        },
        false => Decided::Ids(ids),
    };
    let approved = app.store.decide(&which, &Decision::Approve).await?;
    match approved.as_slice() {
        [] => println!("no changes are held for approval"),
        ids => println!(
            "approved {}: each is applied when a store platform is connected (`changes list --status approved`)",
            id_list(ids)
        ),
    }
    Ok(())
}

pub async fn reject(app: &App, ids: Vec<i64>, reason: Option<String>) -> anyhow::Result<()> {
    let rejected = app
        .store
        .decide(&Decided::Ids(ids), &Decision::Reject { reason })
        .await?;
    println!(
        "rejected {}; the same changes will not be asked about again",
        id_list(&rejected)
    );
    Ok(())
}

fn id_list(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!(
        "change{} {}",
        if ids.len() == 1 { "" } else { "s" },
        ids.join(", ")
    )
}

/// A change's deliveries, a word per channel: `email sent`, `email retry 2`, `email failed`.
fn deliveries(c: &store::StoredChange) -> String {
    if c.deliveries.is_empty() {
        return "-".to_owned();
    }
    c.deliveries
        .iter()
        .map(|(channel, d)| match d.status {
            store::DeliveryStatus::Delivered => format!("{channel} sent"),
            store::DeliveryStatus::Failed => format!("{channel} failed"),
            store::DeliveryStatus::Pending if d.attempts > 0 => {
                format!("{channel} retry {}", d.attempts)
            }
            store::DeliveryStatus::Pending => format!("{channel} queued"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
