//! What the commands print for people: plain tables aligned by display width (CJK characters
//! take two columns), rows of changes and proposals, a crawl's summary line.

use engine::{CrawlSummary, DeliveryReport};
use unicode_width::UnicodeWidthStr;

pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            text.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.width())));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// The columns of a table of proposals (`diff`, `resync --dry-run`).
pub const PROPOSAL_HEADERS: [&str; 6] = [
    "listing",
    "change",
    "variant",
    "before → after",
    "action",
    "why",
];

/// A change with what the rules decided, as a table row under [`PROPOSAL_HEADERS`].
pub fn proposal_row(p: &diff::Proposal) -> Vec<String> {
    let mut row = change_row(&p.change);
    row.push(p.action.as_str().to_owned());
    row.push(p.why.clone());
    row
}

pub fn change_row(c: &diff::Change) -> Vec<String> {
    vec![
        c.listing
            .as_ref()
            .map_or_else(|| "(new style)".to_owned(), ToString::to_string),
        c.kind.label().to_owned(),
        c.variant
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        format!(
            "{} → {}",
            short(c.before.as_deref()),
            short(c.after.as_deref())
        ),
    ]
}

/// A value shortened for a table cell: one line, at most 40 characters.
fn short(value: Option<&str>) -> String {
    let Some(v) = value else {
        return "-".to_owned();
    };
    let line = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 40 {
        line
    } else {
        format!("{}…", line.chars().take(39).collect::<String>())
    }
}

/// One crawl run, in a line (and a line for each thing that went wrong).
pub fn describe_crawl(s: &CrawlSummary) -> String {
    if let Some(why) = &s.skipped {
        return format!("{}: skipped: {why}", s.source);
    }
    let failed = if s.failed.is_empty() {
        "none failed".to_owned()
    } else {
        let parts: Vec<String> = s.failed.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!("failed: {}", parts.join(", "))
    };
    let mut line = format!(
        "{}: {}, {} ({} unchanged, {} not modified), {failed}; {}, {}",
        s.source,
        plural(s.pages, "page", "pages"),
        plural(s.products, "product", "products"),
        s.unchanged,
        s.not_modified,
        plural(s.changes, "change", "changes"),
        plural(s.new_styles, "new style", "new styles"),
    );
    if s.disallowed > 0 {
        line.push_str(&format!(
            "\n  {} not fetched: robots.txt disallows them (a robots.txt that cannot be read \
             disallows every page until it can)",
            plural(s.disallowed, "page", "pages")
        ));
    }
    if let Some(why) = &s.interrupted {
        line.push_str(&format!("\n  {why}"));
    }
    if let Some(why) = &s.paused {
        line.push_str(&format!("\n  {why}"));
    }
    if s.stock_conflicts > 0 {
        line.push_str(&format!(
            "\n  {} say one thing of their stock in their structured data and another on the \
             page: read as unknown, no stock change; a rules file's `trust_stock` can settle it \
             (e.g. {})",
            plural(s.stock_conflicts, "product", "products"),
            s.stock_conflict_example.as_deref().unwrap_or_default(),
        ));
    }
    if let Some(why) = &s.gone_withheld {
        line.push_str(&format!("\n  health problem: {why}"));
    }
    if s.gone_pending > 0 {
        line.push_str(&format!(
            "\n  {} answered 404/410: counted towards gone, confirmed only on a later crawl \
             (`[crawler] gone_confirmations`, `gone_after`)",
            plural(s.gone_pending, "page", "pages")
        ));
    }
    if s.moved > 0 {
        line.push_str(&format!(
            "\n  health problem: {} now redirect to another product's page: not read, no \
             change; link their listings to the page they should follow (e.g. {})",
            plural(s.moved, "link", "links"),
            s.moved_example.as_deref().unwrap_or_default(),
        ));
    }
    if s.back > 0 {
        line.push_str(&format!(
            "\n  {} confirmed gone answered again: back, and their gone changes resolved",
            plural(s.back, "product", "products")
        ));
    }
    if s.health_alert {
        line.push_str("\n  the supplier failed too many crawls in a row: health alert queued");
    }
    if let Some(e) = &s.discovery_error {
        line.push_str(&format!(
            "\n  discovery failed, known products crawled anyway: {e}"
        ));
    }
    if s.currency_unknown > 0 {
        line.push_str(&format!(
            "\n  health problem: {} show prices without a currency, so their prices were not \
             read; set one with `specsync source add {} … --currency CODE` (e.g. {})",
            plural(s.currency_unknown, "product", "products"),
            s.source,
            s.currency_unknown_example.as_deref().unwrap_or_default(),
        ));
    }
    line
}

/// What a delivery pass did, a line per alert.
pub fn describe_delivery(report: &DeliveryReport) -> String {
    let mut out = String::new();
    for a in &report.sent {
        let what = if a.health { "health alert" } else { "alert" };
        match &a.path {
            Some(path) => out.push_str(&format!("{what} written: {}\n", path.display())),
            None => out.push_str(&format!("{what} sent: {}\n", a.idempotency_key)),
        }
    }
    for f in &report.failed {
        let then = if f.permanent {
            "given up".to_owned()
        } else {
            "will be tried again".to_owned()
        };
        out.push_str(&format!(
            "alert {} not sent ({then}): {}\n",
            f.idempotency_key, f.error
        ));
    }
    out
}

/// `1 listing`, `2 listings`: a count with its noun, as a person writes it.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align_by_display_width() {
        let t = super::table(
            &["kind", "n"],
            &[
                vec!["价格".into(), "1".into()],
                vec!["stock".into(), "22".into()],
            ],
        );
        assert_eq!(t, "kind   n\n价格   1\nstock  22\n");
    }
}
