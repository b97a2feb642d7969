//! A count the text states: taken only next to a word that makes it one (`仅剩 3 件`,
//! `only 3 left`, `22 available`), or when the text is a bare number, so that "ships in 2 days"
//! gives none. A count written with a minus sign is not a quantity.

use super::lexicon::LEXICON;

/// What the text says about a count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub quantity: Option<u32>,
    /// The words that made it a count (`only … left`).
    pub words: Option<String>,
    /// A negative count was written (`-3件`): nothing is read from it.
    pub negative: bool,
}

/// The count in a folded text.
pub fn count(text: &str) -> Count {
    let trimmed = text.trim();
    if !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
    {
        return Count {
            quantity: digits(trimmed),
            words: None,
            negative: false,
        };
    }
    let lexicon = &*LEXICON;
    let mut negative = false;
    let mut at = 0;
    while let Some(start) = text[at..]
        .find(|c: char| c.is_ascii_digit())
        .map(|s| s + at)
    {
        let len = text[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == ','))
            .unwrap_or(text.len() - start);
        let end = start + len;
        at = end;
        let raw_before = &text[..start];
        let minus = raw_before
            .strip_suffix('-')
            .or_else(|| raw_before.strip_suffix('\u{2212}'));
        if minus.is_some_and(|rest| !rest.chars().next_back().is_some_and(char::is_alphanumeric)) {
            negative = true;
            continue;
        }
        // `1.5` or `2,5kg` is not a count of items.
        if text[end..].starts_with('.') && text[end + 1..].starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        // A number stuck to a code (`XR-200`, `A4`) counts only after a count word (`noch4`).
        let in_code = raw_before.chars().next_back().is_some_and(|c| {
            c.is_alphabetic()
                || (matches!(c, '-' | '_' | '/')
                    && raw_before[..raw_before.len() - c.len_utf8()]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric))
        });
        let before = raw_before
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '(' | '：'));
        // Translations write plurals as `resta(m)`, `rimasto/i`: the word is `resta`.
        let before = strip_plural_marker(before);
        let after = text[end..].trim_start_matches(|c: char| c.is_whitespace() || c == '+');
        let word = lexicon
            .before
            .iter()
            .find(|w| before.ends_with(w.as_str()) && boundary_before(before, w))
            .or_else(|| {
                if in_code {
                    return None;
                }
                lexicon
                    .after
                    .iter()
                    .find(|w| after.starts_with(w.as_str()) && boundary_after(after, w))
            });
        if let Some(word) = word {
            return Count {
                quantity: digits(&text[start..end]),
                words: Some(word.clone()),
                negative,
            };
        }
    }
    Count {
        quantity: None,
        words: None,
        negative,
    }
}

fn strip_plural_marker(word: &str) -> &str {
    if let Some(open) = word.strip_suffix(')').and_then(|w| w.rfind('(')) {
        let marker = &word[open + 1..word.len() - 1];
        if (1..=3).contains(&marker.chars().count()) && marker.chars().all(char::is_alphabetic) {
            return &word[..open];
        }
    }
    word
}

fn boundary_before(before: &str, word: &str) -> bool {
    let rest = &before[..before.len() - word.len()];
    !(word.starts_with(|c: char| c.is_alphabetic() && super::lexicon::spaces_words(c))
        && rest.chars().next_back().is_some_and(char::is_alphabetic))
}

fn boundary_after(after: &str, word: &str) -> bool {
    let rest = &after[word.len()..];
    !(word.ends_with(|c: char| c.is_alphabetic() && super::lexicon::spaces_words(c))
        && rest.chars().next().is_some_and(char::is_alphabetic))
}

fn digits(text: &str) -> Option<u32> {
    let d: String = text.chars().filter(char::is_ascii_digit).collect();
    d.parse().ok()
}
