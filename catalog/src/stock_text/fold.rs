//! The form texts and cues are compared in.

use unicode_normalization::UnicodeNormalization;

/// NFKC, lower case, one apostrophe, no invisible joiners or soft hyphens, runs of spaces as one,
/// and Chinese read as simplified (so 庫存 and 库存 are one word).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' => '\'',
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' => continue,
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if space {
                continue;
            }
            space = true;
        } else {
            space = false;
        }
        out.push(c);
    }
    if out.chars().any(super::lexicon::is_unspaced) {
        simplet2s::convert(&out)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_width_apostrophes_joiners_and_script() {
        assert_eq!(fold("Isn’t  IN STOCK"), "isn't in stock");
        assert_eq!(fold("ＳＯＬＤ　ＯＵＴ"), "sold out");
        assert_eq!(fold("庫存不足"), "库存不足");
        assert_eq!(fold("អស់\u{200B}ស្តុក"), "អស់ស្តុក");
    }
}
