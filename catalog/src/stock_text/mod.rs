//! Stock as pages say it, in many languages → [`Stock`].
//!
//! A stock text is read as language, not matched against a list of whole phrases: the cues of
//! `cues.txt` (availability words, buttons, sold-out words, notify-me and coming-soon forms,
//! preorder, counts) are found as whole words, then the words that change them are applied:
//! a negation flips the cue it stands next to (`not available`, `nicht mehr vorrätig`,
//! `没有现货`, `在庫がありません`, `stokta mevcut değil`), a time word makes it "not yet"
//! (`bald verfügbar`), a condition makes it say nothing about now (`notify me when available`),
//! a settings verb makes the text a setting, not a statement (`show products in stock`).
//!
//! The safety rule: a text with any out-of-stock cue or any negation it cannot place is never
//! read as in stock; where cues disagree, or nothing is certain, the reading is `unknown`, which
//! the crawl treats as "no change". [`read_stock`] returns the cues behind a reading, for
//! `specsync parse stock --explain`.

mod fold;
mod lexicon;
mod quantity;

use serde::Serialize;

use crate::{Availability, Stock};
use lexicon::{Found, Kind, LEXICON};

/// How far (in words, or characters of scripts without spaces) a negation reaches the cue it
/// negates; a negation further away in the same sentence makes the cue uncertain.
const NEAR: usize = 3;
/// How far a condition ("when", "if") reaches.
const CONDITION_REACH: usize = 6;

/// A reading of a stock text and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StockReading {
    pub status: Availability,
    pub quantity: Option<u32>,
    /// The cues found, in text order, with what each came to mean.
    pub cues: Vec<Cue>,
    /// Why the cues give this status.
    pub reason: String,
}

impl StockReading {
    pub fn stock(&self) -> Stock {
        Stock {
            status: self.status,
            quantity: self.quantity,
        }
    }
}

/// One cue of a stock text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cue {
    /// `in`, `out`, `pre`, `notify`, `soon`, `insufficient`, `enough`, `noun`, `neg`,
    /// `postneg`, `future`, `when`, `meta`, `count`.
    pub kind: &'static str,
    /// The words, as read (folded).
    pub text: String,
    /// The languages whose cue it is.
    pub langs: Vec<&'static str>,
    /// The word that changed it (`not`, `没有`), if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    /// What it came to say: `in stock`, `out of stock`, `preorder`, `too little stock`,
    /// `uncertain`, `nothing`.
    pub says: &'static str,
}

/// Reads a stock text: a schema.org availability, cues in any of the languages, a count, or a
/// mix of them.
pub fn parse_stock(text: &str) -> Stock {
    read_stock(text).stock()
}

/// What each content cue came to, after the words around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Plain,
    /// By the modifier, this many words away.
    Negated(usize, usize),
    Doubtful(usize),
    Conditional(usize),
    Future(usize),
    /// In the sentence of a notify-me cue (this content cue): about when it is back.
    Notified(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Says {
    In,
    Out,
    /// Out, said by a form shown only when the item is out (notify me, coming soon).
    OutForm,
    Pre,
    Insufficient,
    Doubt,
    Nothing,
}

impl Says {
    fn as_str(self) -> &'static str {
        match self {
            Says::In => "in stock",
            Says::Out | Says::OutForm => "out of stock",
            Says::Pre => "preorder",
            Says::Insufficient => "too little stock",
            Says::Doubt => "uncertain",
            Says::Nothing => "nothing",
        }
    }
}

/// Reads a stock text and says why (see [`parse_stock`]).
pub fn read_stock(text: &str) -> StockReading {
    let trimmed = text.trim();
    // The commonest stock text by far is a bare count (`83`): no cue can be in it.
    if trimmed.starts_with(|c: char| c.is_ascii_digit())
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b' ')
    {
        let stock = Stock::new(Availability::Unknown, quantity::count(trimmed).quantity);
        return StockReading {
            status: stock.status,
            quantity: stock.quantity,
            cues: Vec::new(),
            reason: "a bare count".to_owned(),
        };
    }
    let folded = fold::fold(text);
    if let Some(status) = schema_org(&folded) {
        return StockReading {
            status,
            quantity: None,
            cues: Vec::new(),
            reason: "a schema.org availability".to_owned(),
        };
    }
    let lexicon = &*LEXICON;
    let content = lexicon.content.find(&folded);
    let modifiers: Vec<Found> = lexicon
        .modifiers
        .find(&folded)
        .into_iter()
        // A negation inside a cue is part of it (`库存不足`, `mevcut değil`).
        .filter(|m| !content.iter().any(|c| c.start <= m.start && m.end <= c.end))
        .collect();
    // A modifier counts only in a language the text is in: `nu` negates in Romanian but is
    // "now" in Dutch (`nu weer op voorraad`), `no` is "in the" in Portuguese.
    let text_langs: Vec<&str> = content
        .iter()
        .flat_map(|c| lexicon.content.phrases[c.phrase].langs.iter().copied())
        .collect();
    let modifiers: Vec<Found> = modifiers
        .into_iter()
        .filter(|m| {
            text_langs.is_empty()
                || lexicon.modifiers.phrases[m.phrase]
                    .langs
                    .iter()
                    .any(|l| text_langs.contains(l))
        })
        .collect();
    let kind_of = |f: &Found| lexicon.content.phrases[f.phrase].kind;
    let mod_kind = |f: &Found| lexicon.modifiers.phrases[f.phrase].kind;
    let spans = Spans::new(&folded);

    let mut changes = vec![Change::Plain; content.len()];
    let mut meta = None;
    let mut loose_negation = None;
    for (mi, m) in modifiers.iter().enumerate() {
        match mod_kind(m) {
            Kind::Neg => {
                let target = content
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.end > m.end && kind_of(c) != Kind::Label)
                    .take_while(|(_, c)| !spans.sentence_break(m.end, c.start))
                    .collect::<Vec<_>>();
                // A negated noun is "no stock" unless a cue right after it is what is negated
                // (`no hay inventario suficiente`).
                let pick = match target.first() {
                    Some((_, first)) if kind_of(first) == Kind::Noun => target
                        .iter()
                        .skip(1)
                        .find(|(_, c)| {
                            kind_of(c) != Kind::Noun && spans.units(first.end, c.start) <= 1
                        })
                        .or(target.first()),
                    _ => target.first(),
                };
                match pick {
                    Some(&(ci, c)) => negate(&mut changes[ci], mi, spans.near(m.end, c.start)),
                    // `In stock: no`, `Dostępność: brak.`: a field answered with a negation.
                    None => match answered_field(&content, &spans, m) {
                        Some(ci) => changes[ci] = Change::Negated(mi, 0),
                        None => loose_negation = loose_negation.or(Some(mi)),
                    },
                }
            }
            Kind::PostNeg => {
                let target = content
                    .iter()
                    .enumerate()
                    .rev()
                    .filter(|(_, c)| c.start < m.start && kind_of(c) != Kind::Label)
                    .take_while(|(_, c)| !spans.sentence_break(c.end.min(m.start), m.start))
                    .next();
                match target {
                    Some((ci, c)) => negate(
                        &mut changes[ci],
                        mi,
                        spans.near(c.end.min(m.start), m.start),
                    ),
                    None => loose_negation = loose_negation.or(Some(mi)),
                }
            }
            Kind::When => {
                if let Some((ci, _)) = content.iter().enumerate().find(|(_, c)| {
                    c.start >= m.end
                        && kind_of(c) == Kind::In
                        && !spans.sentence_break(m.end, c.start)
                        && spans.units(m.end, c.start) <= CONDITION_REACH
                }) {
                    if changes[ci] == Change::Plain {
                        changes[ci] = Change::Conditional(mi);
                    }
                }
            }
            Kind::Future => {
                let next_to = content.iter().enumerate().find(|(_, c)| {
                    kind_of(c) == Kind::In
                        && ((c.start >= m.end
                            && spans.units(m.end, c.start) <= 2
                            && !spans.clause_break(m.end, c.start))
                            || (c.end <= m.start
                                && spans.units(c.end, m.start) == 0
                                && !spans.clause_break(c.end, m.start)))
                });
                if let Some((ci, _)) = next_to {
                    if matches!(changes[ci], Change::Plain | Change::Conditional(_)) {
                        changes[ci] = Change::Future(mi);
                    }
                }
            }
            Kind::Meta => meta = meta.or(Some(mi)),
            _ => {}
        }
    }

    // "Notify me when it is back in stock", "stokta olduğunda bana bildir": an in-stock cue in
    // the sentence of a notify-me form speaks of later, not of now.
    for (ni, n) in content.iter().enumerate() {
        if kind_of(n) != Kind::Notify || changes[ni] != Change::Plain {
            continue;
        }
        for (ci, c) in content.iter().enumerate() {
            let (from, to) = if c.start < n.start {
                (c.end.min(n.start), n.start)
            } else {
                (n.end.min(c.start), c.start)
            };
            if kind_of(c) == Kind::In
                && changes[ci] == Change::Plain
                && !spans.sentence_break(from, to)
            {
                changes[ci] = Change::Notified(ni);
            }
        }
    }
    let says: Vec<Says> = content
        .iter()
        .zip(&changes)
        .map(|(c, change)| meaning(kind_of(c), *change))
        .collect();
    let count = quantity::count(&folded);
    let remaining = count.quantity.filter(|q| *q > 0);
    let any = |s: Says| says.contains(&s);
    let (status, quantity, reason) = if any(Says::Pre) {
        (
            Availability::Preorder,
            remaining,
            "a preorder or backorder cue".to_owned(),
        )
    } else if any(Says::Insufficient) {
        match remaining {
            Some(q) => (
                Availability::InStock,
                Some(q),
                "too little stock for the order, but a count remains".to_owned(),
            ),
            None => (
                Availability::OutOfStock,
                count.quantity,
                "too little stock, and no count remains".to_owned(),
            ),
        }
    } else if any(Says::Out) || any(Says::OutForm) {
        if remaining.is_some() && count.words.is_some() {
            (
                Availability::Unknown,
                None,
                "an out-of-stock cue and a remaining count disagree".to_owned(),
            )
        } else if any(Says::In) {
            (
                Availability::Unknown,
                None,
                "in-stock and out-of-stock cues disagree".to_owned(),
            )
        } else {
            (
                Availability::OutOfStock,
                count.quantity,
                "an out-of-stock cue".to_owned(),
            )
        }
    } else if count.quantity == Some(0) {
        (
            Availability::OutOfStock,
            Some(0),
            "a count of zero".to_owned(),
        )
    } else if count.negative {
        (
            Availability::Unknown,
            None,
            "a negative count is not a quantity".to_owned(),
        )
    } else if any(Says::Doubt) {
        (
            Availability::Unknown,
            None,
            "a negation too far from its cue to be sure what it negates".to_owned(),
        )
    } else if let Some(mi) = meta.filter(|_| any(Says::In) || remaining.is_some()) {
        (
            Availability::Unknown,
            None,
            format!(
                "`{}` makes it a setting, not a statement about the item",
                phrase_text(&folded, &modifiers[mi])
            ),
        )
    } else if let Some(mi) = loose_negation.filter(|_| any(Says::In)) {
        (
            Availability::Unknown,
            None,
            format!(
                "a negation (`{}`) that negates no cue",
                phrase_text(&folded, &modifiers[mi])
            ),
        )
    } else if any(Says::In) {
        (
            Availability::InStock,
            remaining,
            "an in-stock cue".to_owned(),
        )
    } else if let Some(q) = remaining.filter(|_| count.words.is_some()) {
        (
            Availability::InStock,
            Some(q),
            "a remaining count".to_owned(),
        )
    } else {
        (Availability::Unknown, None, "no cue says it".to_owned())
    };

    let mut cues: Vec<Cue> = content
        .iter()
        .zip(&changes)
        .zip(&says)
        .map(|((c, change), says)| {
            let phrase = &lexicon.content.phrases[c.phrase];
            let changed_by = match change {
                Change::Plain => None,
                Change::Negated(m, _)
                | Change::Doubtful(m)
                | Change::Conditional(m)
                | Change::Future(m) => Some(phrase_text(&folded, &modifiers[*m]).to_owned()),
                Change::Notified(n) => Some(phrase_text(&folded, &content[*n]).to_owned()),
            };
            Cue {
                kind: phrase.kind.as_str(),
                text: phrase_text(&folded, c).to_owned(),
                langs: phrase.langs.clone(),
                changed_by,
                says: says.as_str(),
            }
        })
        .collect();
    if let (Some(q), Some(words)) = (count.quantity, &count.words) {
        cues.push(Cue {
            kind: "count",
            text: format!("{q} ({words})"),
            langs: Vec::new(),
            changed_by: None,
            says: if q > 0 { "in stock" } else { "out of stock" },
        });
    }
    StockReading {
        status,
        quantity,
        cues,
        reason,
    }
}

/// The cue a negation answers when the text is `CUE: NEGATION` and nothing follows.
fn answered_field(content: &[Found], spans: &Spans<'_>, negation: &Found) -> Option<usize> {
    let (ci, cue) = content
        .iter()
        .enumerate()
        .rev()
        .find(|(_, c)| c.end <= negation.start)?;
    let between = spans.text[cue.end..negation.start].trim();
    let rest = spans.text[negation.end..].trim_matches(|c: char| !c.is_alphanumeric());
    (matches!(between, ":" | "：") && rest.is_empty()).then_some(ci)
}

fn phrase_text<'t>(text: &'t str, f: &Found) -> &'t str {
    &text[f.start..f.end]
}

fn negate(change: &mut Change, by: usize, distance: Option<usize>) {
    *change = match (*change, distance) {
        (Change::Negated(m, d), _) => Change::Negated(m, d),
        (_, Some(d)) => Change::Negated(by, d),
        (_, None) => Change::Doubtful(by),
    };
}

fn meaning(kind: Kind, change: Change) -> Says {
    use Change::*;
    match (kind, change) {
        (Kind::In, Plain) => Says::In,
        (Kind::In, Negated(..)) => Says::Out,
        (Kind::In, Doubtful(_)) => Says::Doubt,
        (Kind::In, Conditional(_) | Notified(_)) => Says::Nothing,
        (Kind::In, Future(_)) => Says::OutForm,
        // Only a negation right before an out-of-stock cue doubts it (`not sold out`); one
        // further away is about something else.
        (Kind::Out, Negated(_, 0)) => Says::Doubt,
        (Kind::Out, _) => Says::Out,
        (Kind::Notify | Kind::Soon, Negated(_, 0)) => Says::Doubt,
        (Kind::Notify | Kind::Soon, _) => Says::OutForm,
        (Kind::Pre, Negated(..)) => Says::Out,
        (Kind::Pre, Doubtful(_)) => Says::Doubt,
        (Kind::Pre, _) => Says::Pre,
        (Kind::Insufficient, Negated(_, 0)) => Says::Doubt,
        (Kind::Insufficient, _) => Says::Insufficient,
        (Kind::Enough, Negated(..)) => Says::Insufficient,
        (Kind::Noun | Kind::Label, Negated(..)) => Says::Out,
        _ => Says::Nothing,
    }
}

/// Distances and breaks in a folded text.
struct Spans<'t> {
    text: &'t str,
}

impl<'t> Spans<'t> {
    fn new(text: &'t str) -> Self {
        Spans { text }
    }

    /// Words between two byte offsets; each character of a script without spaces is a word.
    fn units(&self, from: usize, to: usize) -> usize {
        if to <= from {
            return 0;
        }
        let mut units = 0;
        let mut in_word = false;
        for c in self.text[from..to].chars() {
            if c.is_alphanumeric() {
                if lexicon::is_unspaced(c) {
                    units += 1;
                    in_word = false;
                } else if !in_word {
                    units += 1;
                    in_word = true;
                }
            } else {
                in_word = false;
            }
        }
        units
    }

    fn sentence_break(&self, from: usize, to: usize) -> bool {
        to > from
            && self.text[from..to]
                .contains(['.', '!', '?', ';', '。', '！', '？', '；', '។', '۔', '\n'])
    }

    fn clause_break(&self, from: usize, to: usize) -> bool {
        self.sentence_break(from, to)
            || (to > from
                && self.text[from..to].contains([',', '，', '、', '،', ':', '：', '(', ')']))
    }

    /// How far a negation at `from` is from a cue at `to`, if near enough to negate it for sure.
    fn near(&self, from: usize, to: usize) -> Option<usize> {
        let units = self.units(from, to);
        (units <= NEAR && !self.clause_break(from, to)).then_some(units)
    }
}

/// `https://schema.org/InStock`, `http://schema.org/OutOfStock`, `InStock`.
fn schema_org(folded: &str) -> Option<Availability> {
    let last = folded.trim().rsplit('/').next()?;
    match last {
        "instock" | "limitedavailability" | "instoreonly" | "onlineonly" | "in_stock" => {
            Some(Availability::InStock)
        }
        "outofstock" | "soldout" | "discontinued" | "out_of_stock" => {
            Some(Availability::OutOfStock)
        }
        "preorder" | "presale" | "backorder" => Some(Availability::Preorder),
        _ => None,
    }
}

/// The languages the cues cover.
pub fn stock_languages() -> Vec<&'static str> {
    LEXICON.languages().into_iter().collect()
}

#[cfg(test)]
mod tests;
