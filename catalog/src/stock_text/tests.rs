use super::*;

fn status(text: &str) -> Availability {
    parse_stock(text).status
}

#[test]
fn the_lexicon_reads_cleanly_and_covers_the_languages() {
    let lexicon = &*LEXICON;
    assert!(
        lexicon.bad_lines.is_empty(),
        "cues.txt lines {:?}",
        lexicon.bad_lines
    );
    let langs = lexicon.languages();
    assert!(langs.len() >= 30, "{} languages: {langs:?}", langs.len());
    for lang in [
        "zh", "ja", "ko", "ru", "uk", "ar", "vi", "th", "id", "en", "de", "fr", "es",
    ] {
        assert!(langs.contains(lang), "no cues for {lang}");
    }
    // A phrase means one thing among the cues of its set.
    let mut twice = Vec::new();
    for set in [&lexicon.content, &lexicon.modifiers] {
        for (i, a) in set.phrases.iter().enumerate() {
            for b in &set.phrases[i + 1..] {
                if a.text == b.text {
                    twice.push(format!(
                        "`{}` is {} ({:?}) and {} ({:?})",
                        a.text,
                        a.kind.as_str(),
                        a.langs,
                        b.kind.as_str(),
                        b.langs
                    ));
                }
            }
        }
    }
    assert!(twice.is_empty(), "{}", twice.join("\n"));
}

#[test]
fn negated_and_reworded_phrases_are_not_in_stock() {
    // Each of these was read as in stock, or not at all, by the phrase lists this replaced.
    let out = [
        "没有现货",
        "actuellement non disponible",
        "Produto não disponível no momento",
        "Ya no está disponible",
        "This item isn't available right now",
        "Belum tersedia",
        "Stokta mevcut değil",
        "在庫がありません",
        "目前无法购买",
        "Немає в наявності",
        "Товар закінчився",
        "Artikel nicht mehr vorrätig",
        "Email me when it is back",
        "Coming back soon",
        "Không có sẵn",
        "暫時缺貨",
        "재고가 없습니다",
        "ไม่มีสินค้า",
        "غير متوفر",
        "Bald wieder verfügbar",
        "Bientôt disponible",
        "Notify me when available",
    ];
    for text in out {
        assert_eq!(
            status(text),
            Availability::OutOfStock,
            "{text}: {:#?}",
            read_stock(text)
        );
    }
}

#[test]
fn plain_statements_read_as_they_say() {
    let cases = [
        ("In stock", Availability::InStock),
        ("有货", Availability::InStock),
        ("現貨供應", Availability::InStock),
        ("在庫あり", Availability::InStock),
        ("Auf Lager", Availability::InStock),
        ("Add to cart", Availability::InStock),
        ("Sold out", Availability::OutOfStock),
        ("Ausverkauft", Availability::OutOfStock),
        ("Pre-order now", Availability::Preorder),
        ("缺货预售", Availability::Preorder),
        ("Availability:", Availability::Unknown),
        ("库存", Availability::Unknown),
        ("Show products in stock", Availability::Unknown),
        ("ships in 2 days", Availability::Unknown),
    ];
    for (text, want) in cases {
        assert_eq!(status(text), want, "{text}: {:#?}", read_stock(text));
    }
}

#[test]
fn counts_are_taken_next_to_count_words() {
    let cases = [
        ("仅剩 3 件", Some(3), Availability::InStock),
        ("Only 3 left", Some(3), Availability::InStock),
        ("库存 12 件", Some(12), Availability::InStock),
        ("12 in stock", Some(12), Availability::InStock),
        ("Nur noch 2 verfügbar", Some(2), Availability::InStock),
        ("0 in stock", Some(0), Availability::OutOfStock),
        ("83", Some(83), Availability::InStock),
        (
            "Insufficient stock available, only 9 remaining",
            Some(9),
            Availability::InStock,
        ),
        (
            "Only 3 left in stock - order soon.",
            Some(3),
            Availability::InStock,
        ),
        ("Il ne reste que 3 en stock", Some(3), Availability::InStock),
    ];
    for (text, quantity, want) in cases {
        let r = read_stock(text);
        assert_eq!((r.quantity, r.status), (quantity, want), "{text}: {r:#?}");
    }
}

#[test]
fn a_negative_count_is_not_stock() {
    for text in ["-3件", "\u{2212}3 in stock", "库存 -12"] {
        let r = read_stock(text);
        assert_eq!(
            (r.status, r.quantity),
            (Availability::Unknown, None),
            "{text}: {r:#?}"
        );
    }
    assert!(read_stock("-3件").reason.contains("negative"));
}

#[test]
fn conflicting_cues_are_unknown() {
    for text in [
        "Not available in red, available in blue",
        "Sold out. Only 2 left",
        "Nicht lieferbar. Auf Lager",
    ] {
        assert_eq!(
            status(text),
            Availability::Unknown,
            "{text}: {:#?}",
            read_stock(text)
        );
    }
}

#[test]
fn the_reading_names_its_cues_and_negations() {
    let r = read_stock("Artikel nicht mehr vorrätig");
    let cue = r
        .cues
        .iter()
        .find(|c| c.kind == "in")
        .expect("the in-stock cue");
    assert_eq!(cue.text, "vorrätig");
    assert_eq!(cue.changed_by.as_deref(), Some("nicht mehr"));
    assert_eq!(cue.says, "out of stock");
}

/// The property the safety rule rests on, over every pair the lexicon holds: any negation of a
/// language before (or, for languages that negate after, behind) any in-stock phrase of that
/// language never reads as in stock, alone or inside a sentence.
#[test]
fn no_negated_in_stock_phrase_reads_as_in_stock() {
    let lexicon = &*LEXICON;
    let of = |kind: Kind, lang: &str| -> Vec<&str> {
        lexicon
            .content
            .phrases
            .iter()
            .chain(&lexicon.modifiers.phrases)
            .filter(|p| p.kind == kind && p.langs.contains(&lang))
            .map(|p| p.text.as_str())
            .collect()
    };
    let mut failures = Vec::new();
    let mut tried = 0;
    for lang in lexicon.languages() {
        let in_stock = of(Kind::In, lang);
        let unspaced = |s: &str| s.chars().any(lexicon::is_unspaced);
        let join = |a: &str, b: &str| {
            if unspaced(a) || unspaced(b) {
                format!("{a}{b}")
            } else {
                format!("{a} {b}")
            }
        };
        let mut texts = Vec::new();
        for phrase in &in_stock {
            for neg in of(Kind::Neg, lang) {
                texts.push(join(neg, phrase));
            }
            for neg in of(Kind::PostNeg, lang) {
                texts.push(join(phrase, neg));
            }
        }
        for text in texts {
            for framed in [text.clone(), format!("XR-200: {text}."), format!("{text}!")] {
                tried += 1;
                let r = read_stock(&framed);
                if r.status == Availability::InStock {
                    failures.push(format!("{lang}: `{framed}` → {:?}", r.cues));
                }
            }
        }
    }
    assert!(tried > 3000, "only {tried} texts");
    assert!(
        failures.is_empty(),
        "{} of {tried}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
