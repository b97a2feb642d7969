//! Stock as pages say it, in many languages → [`Stock`].
//!
//! The text is NFKC-normalized, lower-cased and also read in simplified Chinese (so 庫存 and
//! 库存 are one phrase). Out-of-stock phrases are tried before in-stock ones ("not in stock"
//! contains "in stock"). A quantity is taken only next to a word that makes it one (`仅剩 3 件`,
//! `only 3 left`, `22 available`), or when the text is a bare number, so that "ships in 2 days"
//! gives no quantity.

use unicode_normalization::UnicodeNormalization;

use crate::{Availability, Stock};

const OUT_OF_STOCK: &[&str] = &[
    // English
    "out of stock",
    "out-of-stock",
    "outofstock",
    "sold out",
    "soldout",
    "not in stock",
    "no stock",
    "currently unavailable",
    "unavailable",
    "discontinued",
    "not available",
    "no longer available",
    // Chinese (simplified; traditional reads as simplified)
    "缺货",
    "无货",
    "售罄",
    "已售完",
    "已售罄",
    "卖完",
    "已下架",
    "下架",
    "暂时缺货",
    "库存不足",
    "无库存",
    // German
    "ausverkauft",
    "nicht auf lager",
    "nicht verfügbar",
    "nicht lieferbar",
    "derzeit nicht",
    // French
    "épuisé",
    "epuise",
    "rupture de stock",
    "indisponible",
    "en rupture",
    // Spanish
    "agotado",
    "sin stock",
    "sin existencias",
    "no disponible",
    // Italian
    "esaurito",
    "non disponibile",
    "non disponibili",
    // Portuguese
    "esgotado",
    "indisponível",
    "sem estoque",
    "fora de estoque",
    // Dutch
    "uitverkocht",
    "niet op voorraad",
    "niet leverbaar",
    // Polish
    "wyprzedane",
    "niedostępny",
    "brak w magazynie",
    "brak towaru",
    // Russian
    "нет в наличии",
    "распродано",
    "закончился",
    // Japanese
    "在庫切れ",
    "在库切れ",
    "売り切れ",
    "品切れ",
    "完売",
    // Korean
    "품절",
    "재고 없음",
    "일시품절",
    // Turkish
    "stokta yok",
    "tükendi",
    // Swedish, Danish, Norwegian
    "slutsåld",
    "ej i lager",
    "udsolgt",
    "utsolgt",
    "ikke på lager",
    // Czech
    "vyprodáno",
    "není skladem",
    // Arabic
    "غير متوفر",
    "نفذت الكمية",
    "نفدت الكمية",
    // Vietnamese, Indonesian, Thai
    "hết hàng",
    "stok habis",
    "habis",
    "สินค้าหมด",
];

const PREORDER: &[&str] = &[
    "pre-order",
    "preorder",
    "pre order",
    "backorder",
    "back order",
    "back-order",
    "预售",
    "预订",
    "预定",
    "vorbestellen",
    "vorbestellung",
    "précommande",
    "precommande",
    "preventa",
    "pre-venta",
    "reserva",
    "preordine",
    "pré-venda",
    "pre-venda",
    "voorbestellen",
    "przedsprzedaż",
    "предзаказ",
    "予約",
    "예약",
    "ön sipariş",
    "förbeställ",
    "forudbestil",
];

const IN_STOCK: &[&str] = &[
    "in stock",
    "instock",
    "in-stock",
    "available",
    "ready to ship",
    "ships today",
    "有货",
    "现货",
    "有现货",
    "库存充足",
    "auf lager",
    "lieferbar",
    "verfügbar",
    "sofort",
    "en stock",
    "disponible",
    "en existencia",
    "disponibile",
    "in magazzino",
    "em estoque",
    "disponível",
    "op voorraad",
    "leverbaar",
    "dostępny",
    "w magazynie",
    "в наличии",
    "есть в наличии",
    "在庫あり",
    "在库あり",
    "재고 있음",
    "구매 가능",
    "stokta",
    "mevcut",
    "i lager",
    "på lager",
    "skladem",
    "متوفر",
    "còn hàng",
    "tersedia",
    "ready stock",
    "มีสินค้า",
    "limitedavailability",
    "instoreonly",
    "onlineonly",
];

/// Words right before a quantity (`库存 123`, `only 3`, `noch 5`).
const BEFORE_QUANTITY: &[&str] = &[
    "库存",
    "库存量",
    "仅剩",
    "只剩",
    "剩余",
    "还剩",
    "可售",
    "现货",
    "only",
    "just",
    "stock:",
    "stock",
    "qty:",
    "qty",
    "quantity:",
    "quantity",
    "available:",
    "noch",
    "nur noch",
    "plus que",
    "reste",
    "il reste",
    "quedan",
    "solo quedan",
    "últimas",
    "restano",
    "solo",
    "apenas",
    "restam",
    "nog",
    "zostało",
    "zostalo",
    "осталось",
    "остался",
    "残り",
    "在庫",
    "在库",
    "남은 수량",
    "남은",
    "bara",
    "còn",
    "sisa",
    "stok",
];

/// Words right after a quantity (`3 件`, `3 left`, `22 available`).
const AFTER_QUANTITY: &[&str] = &[
    "件",
    "个",
    "只",
    "套",
    "双",
    "pcs",
    "pieces",
    "piece",
    "units",
    "unit",
    "items",
    "left",
    "available",
    "in stock",
    "on hand",
    "remaining",
    "auf lager",
    "stück",
    "stk",
    "verfügbar",
    "en stock",
    "disponibles",
    "unidades",
    "rimasti",
    "rimaste",
    "disponibili",
    "pezzi",
    "em estoque",
    "unidades",
    "op voorraad",
    "stuks",
    "szt",
    "шт",
    "点",
    "個",
    "개",
    "adet",
    "kaldı",
    "kvar",
    "st",
    "ks",
    "قطع",
    "sản phẩm",
    "buah",
];

/// A list of phrases, searched for all at once.
struct Phrases {
    phrases: &'static [&'static str],
    automaton: std::sync::LazyLock<aho_corasick::AhoCorasick>,
}

macro_rules! phrases {
    ($list:expr) => {
        Phrases {
            phrases: $list,
            // Building fails only for lists beyond the automaton's size limits, never for
            // these few hundred bytes of constants (and the tests build every list).
            automaton: std::sync::LazyLock::new(|| {
                aho_corasick::AhoCorasick::new($list).expect("phrase lists are small constants")
            }),
        }
    };
}

static OUT_OF_STOCK_PHRASES: Phrases = phrases!(OUT_OF_STOCK);
static PREORDER_PHRASES: Phrases = phrases!(PREORDER);
static IN_STOCK_PHRASES: Phrases = phrases!(IN_STOCK);

/// Whether any text holds any of the phrases; a phrase of a spaced script (Latin, Cyrillic)
/// counts only as a whole word, not inside a longer one.
fn contains_any(haystacks: &[&str], phrases: &Phrases) -> bool {
    haystacks.iter().any(|text| {
        phrases.automaton.find_overlapping_iter(*text).any(|m| {
            let phrase = phrases.phrases[m.pattern().as_usize()];
            let spaced = phrase
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || ('\u{0400}'..='\u{04FF}').contains(&c));
            if !spaced {
                return true;
            }
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
        })
    })
}

/// Reads a stock text: a schema.org availability, a phrase, a quantity, or a mix of them.
pub fn parse_stock(text: &str) -> Stock {
    // The commonest stock text by far is a bare count (`83`): no phrase can be in it.
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Stock::new(Availability::Unknown, trimmed.parse().ok());
    }
    let folded: String = text.nfkc().collect::<String>().to_lowercase();
    let simplified = simplet2s::convert(&folded);
    let texts = [folded.as_str(), simplified.as_str()];
    let schema = schema_org(&folded);
    let quantity = quantity(&simplified);
    let status = if let Some(status) = schema {
        status
    } else if contains_any(&texts, &OUT_OF_STOCK_PHRASES) {
        Availability::OutOfStock
    } else if contains_any(&texts, &PREORDER_PHRASES) {
        Availability::Preorder
    } else if contains_any(&texts, &IN_STOCK_PHRASES) {
        Availability::InStock
    } else {
        Availability::Unknown
    };
    Stock::new(status, quantity)
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

/// A quantity the text states, if any.
fn quantity(text: &str) -> Option<u32> {
    let trimmed = text.trim();
    if !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
    {
        return digits(trimmed);
    }
    let mut at = 0;
    while let Some(start) = text[at..]
        .find(|c: char| c.is_ascii_digit())
        .map(|s| s + at)
    {
        let len = text[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == ','))
            .unwrap_or(text.len() - start);
        let end = start + len;
        let before =
            text[..start].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '('));
        let after = text[end..].trim_start_matches(|c: char| c.is_whitespace() || c == '+');
        let word_before = BEFORE_QUANTITY
            .iter()
            .any(|w| before.ends_with(w) && boundary_before(before, w));
        let word_after = AFTER_QUANTITY
            .iter()
            .any(|w| after.starts_with(w) && boundary_after(after, w));
        if word_before || word_after {
            return digits(&text[start..end]);
        }
        at = end;
    }
    None
}

fn boundary_before(before: &str, word: &str) -> bool {
    let rest = &before[..before.len() - word.len()];
    !(word.starts_with(|c: char| c.is_ascii_alphabetic())
        && rest.chars().next_back().is_some_and(char::is_alphabetic))
}

fn boundary_after(after: &str, word: &str) -> bool {
    let rest = &after[word.len()..];
    !(word.ends_with(|c: char| c.is_ascii_alphabetic())
        && rest.chars().next().is_some_and(char::is_alphabetic))
}

fn digits(text: &str) -> Option<u32> {
    let d: String = text.chars().filter(char::is_ascii_digit).collect();
    d.parse().ok()
}
