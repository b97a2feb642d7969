//! Human-readable diffs of text (descriptions), with `similar`.

use similar::{ChangeTag, TextDiff};

/// A line diff of `before` → `after`: removed lines with `- `, added with `+ `, at most
/// `max_lines` lines (then `…`). Unchanged lines are left out.
pub fn render_text_diff(before: &str, after: &str, max_lines: usize) -> String {
    let diff = TextDiff::from_lines(before, after);
    let mut out = Vec::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => "- ",
            ChangeTag::Insert => "+ ",
            ChangeTag::Equal => continue,
        };
        if out.len() == max_lines {
            out.push("…".to_owned());
            break;
        }
        out.push(format!("{sign}{}", change.value().trim_end()));
    }
    out.join("\n")
}

/// How alike two texts are, from 0 (nothing shared) to 1 (the same), by characters.
pub fn similarity(a: &str, b: &str) -> f32 {
    TextDiff::from_chars(a, b).ratio()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_diffs_show_removed_and_added_lines_only() {
        let before = "纯棉面料\n宽松版型\n一件代发\n";
        let after = "纯棉面料\n修身版型\n一件代发\n支持混批\n";
        assert_eq!(
            render_text_diff(before, after, 10),
            "- 宽松版型\n+ 修身版型\n+ 支持混批"
        );
        assert_eq!(
            render_text_diff(before, after, 2),
            "- 宽松版型\n+ 修身版型\n…"
        );
    }

    #[test]
    fn similarity_ranks_close_values_higher() {
        assert!(similarity("Navy Blue", "Navy") > similarity("Navy Blue", "Red"));
        assert!((similarity("红色", "红色") - 1.0).abs() < f32::EPSILON);
    }
}
