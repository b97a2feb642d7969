//! The cues of `cues.txt`, read once into two phrase sets: what a text says about stock
//! (content) and the words that change it (modifiers: negation, time, conditions).

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::fold::fold;

/// What a phrase says; see `cues.txt` for each kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    In,
    Out,
    Pre,
    Notify,
    Soon,
    Insufficient,
    Enough,
    Noun,
    Label,
    Neg,
    PostNeg,
    Future,
    When,
    Meta,
    Only,
    Before,
    After,
}

impl Kind {
    fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "in" => Kind::In,
            "out" => Kind::Out,
            "pre" => Kind::Pre,
            "notify" => Kind::Notify,
            "soon" => Kind::Soon,
            "insufficient" => Kind::Insufficient,
            "enough" => Kind::Enough,
            "noun" => Kind::Noun,
            "label" => Kind::Label,
            "neg" => Kind::Neg,
            "postneg" => Kind::PostNeg,
            "future" => Kind::Future,
            "when" => Kind::When,
            "meta" => Kind::Meta,
            "only" => Kind::Only,
            "before" => Kind::Before,
            "after" => Kind::After,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::In => "in",
            Kind::Out => "out",
            Kind::Pre => "pre",
            Kind::Notify => "notify",
            Kind::Soon => "soon",
            Kind::Insufficient => "insufficient",
            Kind::Enough => "enough",
            Kind::Noun => "noun",
            Kind::Label => "label",
            Kind::Neg => "neg",
            Kind::PostNeg => "postneg",
            Kind::Future => "future",
            Kind::When => "when",
            Kind::Meta => "meta",
            Kind::Only => "only",
            Kind::Before => "before",
            Kind::After => "after",
        }
    }

    /// Cues that say something about the item, as opposed to words that modify them.
    fn is_content(self) -> bool {
        matches!(
            self,
            Kind::In
                | Kind::Out
                | Kind::Pre
                | Kind::Notify
                | Kind::Soon
                | Kind::Insufficient
                | Kind::Enough
                | Kind::Noun
                | Kind::Label
        )
    }
}

/// One phrase of the lexicon, folded as texts are.
#[derive(Clone, Debug)]
pub struct Phrase {
    pub text: String,
    pub kind: Kind,
    /// The languages that list it.
    pub langs: Vec<&'static str>,
    /// `~` at its end: any ending may follow.
    pub open_end: bool,
    /// `~` at its start: it may follow letters.
    pub open_start: bool,
}

/// A set of phrases searched for all at once.
pub struct PhraseSet {
    pub phrases: Vec<Phrase>,
    pub automaton: AhoCorasick,
}

pub struct Lexicon {
    pub content: PhraseSet,
    pub modifiers: PhraseSet,
    /// Words before and after a count, longest first.
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// Lines of `cues.txt` that could not be read (a test keeps this empty).
    #[cfg_attr(not(test), allow(dead_code))]
    pub bad_lines: Vec<usize>,
}

const CUES: &str = include_str!("cues.txt");

pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(CUES));

impl Lexicon {
    pub fn parse(source: &'static str) -> Lexicon {
        let mut content: Vec<Phrase> = Vec::new();
        let mut modifiers: Vec<Phrase> = Vec::new();
        let mut before = Vec::new();
        let mut after = Vec::new();
        let mut bad_lines = Vec::new();
        for (n, line) in source.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((head, list)) = line.split_once(':') else {
                bad_lines.push(n + 1);
                continue;
            };
            let mut head = head.split_whitespace();
            let (Some(lang), Some(kind), None) = (head.next(), head.next(), head.next()) else {
                bad_lines.push(n + 1);
                continue;
            };
            let Some(kind) = Kind::parse(kind) else {
                bad_lines.push(n + 1);
                continue;
            };
            for raw in list.split(" | ") {
                let raw = raw.trim();
                let open_start = raw.starts_with('~');
                let open_end = raw.ends_with('~');
                let text = fold(raw.trim_matches('~')).trim().to_owned();
                if text.is_empty() {
                    bad_lines.push(n + 1);
                    continue;
                }
                match kind {
                    Kind::Before => before.push(text),
                    Kind::After => after.push(text),
                    _ => {
                        let set = if kind.is_content() {
                            &mut content
                        } else {
                            &mut modifiers
                        };
                        match set.iter_mut().find(|p| p.text == text && p.kind == kind) {
                            Some(p) => p.langs.push(lang),
                            None => set.push(Phrase {
                                text,
                                kind,
                                langs: vec![lang],
                                open_end,
                                open_start,
                            }),
                        }
                    }
                }
            }
        }
        for list in [&mut before, &mut after] {
            list.sort_by_key(|w| std::cmp::Reverse(w.len()));
            list.dedup();
        }
        Lexicon {
            content: PhraseSet::new(content),
            modifiers: PhraseSet::new(modifiers),
            before,
            after,
            bad_lines,
        }
    }

    /// Every language the lexicon has cues for.
    pub fn languages(&self) -> std::collections::BTreeSet<&'static str> {
        self.content
            .phrases
            .iter()
            .chain(&self.modifiers.phrases)
            .flat_map(|p| p.langs.iter().copied())
            .collect()
    }
}

impl PhraseSet {
    fn new(phrases: Vec<Phrase>) -> PhraseSet {
        // Only fails beyond the automaton's size limits, far above a few thousand short
        // phrases; an empty automaton then finds nothing rather than failing every read.
        let automaton = AhoCorasick::new(phrases.iter().map(|p| p.text.as_str()))
            .or_else(|_| AhoCorasick::new(Vec::<&str>::new()))
            .unwrap_or_else(|_| unreachable!("an empty automaton always builds"));
        PhraseSet { phrases, automaton }
    }

    /// The phrases found in `text` as whole words where their script spaces words: where
    /// they overlap, the longest (then the first) wins.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let mut all: Vec<Found> = self
            .automaton
            .find_overlapping_iter(text)
            .filter_map(|m| {
                let phrase = m.pattern().as_usize();
                let p = &self.phrases[phrase];
                let ok = (p.open_start || starts_cleanly(text, m.start(), &p.text))
                    && (p.open_end || ends_cleanly(text, m.end(), &p.text));
                ok.then_some(Found {
                    start: m.start(),
                    end: m.end(),
                    phrase,
                })
            })
            .collect();
        all.sort_by(|a, b| {
            (b.end - b.start)
                .cmp(&(a.end - a.start))
                .then(a.start.cmp(&b.start))
        });
        let mut chosen: Vec<Found> = Vec::with_capacity(all.len());
        for f in all {
            if chosen.iter().all(|c| f.end <= c.start || f.start >= c.end) {
                chosen.push(f);
            }
        }
        chosen.sort_by_key(|f| f.start);
        chosen
    }
}

/// A phrase found in a text: its byte span and which phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub phrase: usize,
}

/// Scripts that put spaces between words, where a phrase must be a whole word.
pub fn spaces_words(c: char) -> bool {
    !is_unspaced(c)
}

/// Scripts written without spaces between words (or, for Hangul, with particles attached).
pub fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'     // Thai, Lao
        | '\u{1000}'..='\u{109F}'   // Myanmar
        | '\u{1780}'..='\u{17FF}'   // Khmer
        | '\u{1100}'..='\u{11FF}'   // Hangul Jamo
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'   // CJK
        | '\u{AC00}'..='\u{D7AF}'   // Hangul
    )
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn starts_cleanly(text: &str, at: usize, phrase: &str) -> bool {
    let Some(first) = phrase.chars().next() else {
        return true;
    };
    if !first.is_alphanumeric() || !spaces_words(first) {
        return true;
    }
    let before = &text[..at];
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(is_word_char(*c) && spaces_words(*c)))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let attached = &before[word_start..];
    // Arabic script writes "and", "the", "with", "for" onto the word (`والمخزون`, `بالمخزن`).
    attached.is_empty() || (is_arabic(first) && ARABIC_CLITICS.contains(&attached))
}

const ARABIC_CLITICS: &[&str] = &[
    "و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "فال", "لل", "كال", "ول", "وب",
];

fn ends_cleanly(text: &str, at: usize, phrase: &str) -> bool {
    let Some(last) = phrase.chars().next_back() else {
        return true;
    };
    if !last.is_alphanumeric() || !spaces_words(last) {
        return true;
    }
    !text[at..]
        .chars()
        .next()
        .is_some_and(|c| is_word_char(c) && spaces_words(c))
}
