//! The change-alert email, written for a merchant: what changed, grouped by listing, the
//! urgent first.

use std::collections::BTreeMap;
use std::fmt::Write;

use diff::{Action, Change, Proposal, Severity};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn group_name(change: &Change) -> String {
    match &change.listing {
        Some(listing) => format!("Listing {listing}"),
        None => "New styles at your suppliers".to_owned(),
    }
}

fn describe(change: &Change) -> String {
    let what = change.kind.label();
    if change.kind == diff::ChangeKind::DescriptionChanged {
        let before = change.before.as_deref().unwrap_or_default();
        let after = change.after.as_deref().unwrap_or_default();
        let lines = diff::render_text_diff(before, after, 12).replace('\n', "\n      ");
        return format!("{what}:\n      {lines}");
    }
    let variant = change
        .variant
        .as_ref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let values = match (&change.before, &change.after) {
        (Some(b), Some(a)) => format!(": {b} → {a}"),
        (None, Some(a)) => format!(": {a}"),
        (Some(b), None) => format!(" (was {b})"),
        (None, None) => String::new(),
    };
    format!("{what}{variant}{values}")
}

/// What the merchant is asked to do about a change.
fn todo(p: &Proposal) -> String {
    let what = match p.action {
        Action::Apply => "updated automatically",
        Action::Hold => "waits for your approval",
        Action::Alert | Action::Ignore => return p.why.clone(),
    };
    if p.why.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {}", p.why)
    }
}

/// Renders an alert for `proposals` (at least one): each change, and what the rules decided.
pub fn render_alert(proposals: &[Proposal]) -> Alert {
    let urgent = proposals
        .iter()
        .filter(|p| p.change.severity() == Severity::Critical)
        .count();
    let held = proposals
        .iter()
        .filter(|p| p.action == Action::Hold)
        .count();
    let listings = proposals
        .iter()
        .filter_map(|p| p.change.listing.as_ref())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut subject = format!(
        "specsync: {} at your suppliers ({})",
        plural(proposals.len(), "change"),
        plural(listings, "listing")
    );
    if held > 0 {
        subject = format!("[{held} to approve] {subject}");
    }
    if urgent > 0 {
        subject = format!("[{urgent} urgent] {subject}");
    }
    let mut groups: BTreeMap<String, Vec<&Proposal>> = BTreeMap::new();
    for p in proposals {
        groups.entry(group_name(&p.change)).or_default().push(p);
    }
    for group in groups.values_mut() {
        group.sort_by_key(|p| std::cmp::Reverse(p.change.severity()));
    }

    let mut text = String::new();
    let _ = writeln!(
        text,
        "specsync compared your listings with what your suppliers sell now.\n"
    );
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\
         <p>specsync compared your listings with what your suppliers sell now.</p>",
    );
    for (name, group) in &groups {
        let url = &group[0].change.product_url;
        let _ = writeln!(text, "{name}  ({url})");
        let _ = write!(
            html,
            "<h3>{} <small><a href=\"{}\">supplier page</a></small></h3><ul>",
            escape(name),
            escape(url)
        );
        for p in group {
            let critical = p.change.severity() == Severity::Critical;
            let mark = if critical { "!" } else { "-" };
            let todo = todo(p);
            let line = if todo.is_empty() {
                describe(&p.change)
            } else {
                format!("{} ({todo})", describe(&p.change))
            };
            let _ = writeln!(text, "  {mark} {line}");
            let style = if critical {
                " style=\"color:#b00\""
            } else {
                ""
            };
            let _ = write!(html, "<li{style}>{}</li>", escape(&line));
        }
        text.push('\n');
        html.push_str("</ul>");
    }
    let footer = "Review and act on these with `specsync changes list`.";
    let _ = writeln!(text, "{footer}");
    let _ = write!(html, "<p>{}</p></body></html>", escape(footer));
    Alert {
        subject,
        text,
        html,
    }
}

/// The alert for a supplier that could not be crawled `failures` times in a row.
pub fn render_health_alert(source: &str, url: &str, failures: i64, last_error: &str) -> Alert {
    let subject = format!(
        "[supplier unreachable] specsync could not crawl {source} {failures} times in a row"
    );
    let text = format!(
        "specsync could not read {source} ({url}) on its last {failures} crawls.\n\n\
         Last problem: {last_error}\n\n\
         Nothing was changed on your listings: a failed crawl is never taken for a change at the\n\
         supplier. Check that the site is up and does not block specsync; the next crawl that\n\
         reaches it picks up where this one left off.\n"
    );
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>specsync could not read \
         <a href=\"{u}\">{s}</a> on its last {failures} crawls.</p><p>Last problem: {e}</p>\
         <p>Nothing was changed on your listings: a failed crawl is never taken for a change at the supplier.</p></body></html>",
        u = escape(url),
        s = escape(source),
        e = escape(last_error)
    );
    Alert {
        subject,
        text,
        html,
    }
}

/// The note that a supplier is reached again, after the health alert of `failures` crawls.
pub fn render_recovery(source: &str, url: &str, failures: i64) -> Alert {
    let subject = format!("[supplier reachable again] specsync crawled {source} again");
    let text = format!(
        "specsync reached {source} ({url}) again, after {failures} crawls in a row that could not.\n\n\
         Its pages are compared with your listings again from this crawl on; any change it found is\n\
         in its own alert.\n"
    );
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>specsync reached \
         <a href=\"{u}\">{s}</a> again, after {failures} crawls in a row that could not.</p>\
         <p>Its pages are compared with your listings again from this crawl on; any change it found is in its own alert.</p></body></html>",
        u = escape(url),
        s = escape(source),
    );
    Alert {
        subject,
        text,
        html,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use catalog::{ListingId, SpecKey};
    use diff::ChangeKind;

    fn change(
        kind: ChangeKind,
        listing: Option<&str>,
        variant: Option<&str>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Change {
        Change {
            kind,
            listing: listing.map(|l| ListingId::parse(l).expect("id")),
            product_url: "http://s/p/1.html".into(),
            variant: variant.map(|v| SpecKey::parse(v).expect("key")),
            before: before.map(Into::into),
            after: after.map(Into::into),
        }
    }

    #[test]
    fn a_description_change_reads_as_a_line_diff() {
        let c = change(
            ChangeKind::DescriptionChanged,
            Some("L1"),
            None,
            Some("纯棉面料\n宽松版型"),
            Some("纯棉面料\n修身版型"),
        );
        assert_eq!(
            describe(&c),
            "description changed:\n      - 宽松版型\n      + 修身版型"
        );
    }

    #[test]
    fn alert_groups_by_listing_with_urgent_changes_first() {
        let changes = [
            change(
                ChangeKind::PriceChanged,
                Some("L1"),
                Some("color=red"),
                Some("10.00"),
                Some("12.00"),
            ),
            change(
                ChangeKind::OutOfStock,
                Some("L1"),
                Some("color=blue"),
                Some("5"),
                Some("0"),
            ),
            change(ChangeKind::NewStyle, None, None, None, Some("新款<卫衣>")),
        ];
        let proposals: Vec<Proposal> = changes
            .into_iter()
            .map(|change| Proposal {
                action: if change.kind == ChangeKind::OutOfStock {
                    Action::Hold
                } else {
                    Action::Alert
                },
                update: None,
                why: if change.kind == ChangeKind::PriceChanged {
                    "no pricing rule: you set your own prices".into()
                } else {
                    String::new()
                },
                change,
            })
            .collect();
        let alert = render_alert(&proposals);
        assert_eq!(
            alert.subject,
            "[1 urgent] [1 to approve] specsync: 3 changes at your suppliers (1 listing)"
        );
        let expected_text = "\
specsync compared your listings with what your suppliers sell now.

Listing L1  (http://s/p/1.html)
  ! out of stock color=blue: 5 → 0 (waits for your approval)
  - price changed color=red: 10.00 → 12.00 (no pricing rule: you set your own prices)

New styles at your suppliers  (http://s/p/1.html)
  - new style: 新款<卫衣>

Review and act on these with `specsync changes list`.
";
        assert_eq!(alert.text, expected_text);
        assert!(alert.html.contains("新款&lt;卫衣&gt;"), "{}", alert.html);
        assert!(alert
            .html
            .contains("<li style=\"color:#b00\">out of stock color=blue: 5 → 0 (waits for your approval)</li>"));
    }
}
