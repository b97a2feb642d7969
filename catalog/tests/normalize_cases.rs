//! Table-driven cases for normalization: prices, stock, option names and values, text and
//! image URLs, in the languages and formats supplier pages use. Each row is what a person
//! reading the page would say.

use catalog::{
    canonical_image_url, canonical_option_name, canonical_option_value, parse_price_text,
    parse_stock, Availability, Currency,
};

fn cur(code: &str) -> Option<Currency> {
    Currency::parse(code).ok()
}

/// (text, source currency, amount, currency)
const PRICES: &[(&str, &str, &str, &str)] = &[
    // Chinese
    ("¥12.50", "", "12.50", "CNY"),
    ("￥12.50", "", "12.50", "CNY"),
    ("12.5元", "", "12.50", "CNY"),
    ("¥12起", "", "12.00", "CNY"),
    ("¥10-20", "", "10.00", "CNY"),
    ("¥10.00 - ¥20.00", "", "10.00", "CNY"),
    ("￥1,299.00", "", "1299.00", "CNY"),
    ("RMB 7.90", "", "7.90", "CNY"),
    ("人民币 88", "", "88.00", "CNY"),
    ("价格：¥ 35.80", "", "35.80", "CNY"),
    ("原价¥59 现价¥39", "", "39.00", "CNY"),
    ("促销价 ¥29.9", "", "29.90", "CNY"),
    ("¥ 0.99", "", "0.99", "CNY"),
    ("CNY 128", "", "128.00", "CNY"),
    ("１２８元", "", "128.00", "CNY"),
    ("¥12.5~18.5", "", "12.50", "CNY"),
    ("12至18元", "", "12.00", "CNY"),
    ("NT$1,280", "", "1280.00", "TWD"),
    ("HK$ 99", "", "99.00", "HKD"),
    ("¥1,280", "JPY", "1280", "JPY"),
    ("1,280円", "", "1280", "JPY"),
    ("¥3,980（税込）", "JPY", "3980", "JPY"),
    // English
    ("$1,299.00", "", "1299.00", "USD"),
    ("US$ 12.99", "", "12.99", "USD"),
    ("$5 – $9", "", "5.00", "USD"),
    ("$9.49 - $12.49", "", "9.49", "USD"),
    ("From $19.99", "", "19.99", "USD"),
    ("Was $20.00 Now $15.00", "", "15.00", "USD"),
    ("List Price: $49.99 $29.99", "", "29.99", "USD"),
    ("USD 15", "", "15.00", "USD"),
    ("15 USD", "", "15.00", "USD"),
    ("$229.99 ", "", "229.99", "USD"),
    ("C$24.95", "", "24.95", "CAD"),
    ("CA$ 24.95", "", "24.95", "CAD"),
    ("A$89.00", "", "89.00", "AUD"),
    ("AU$89", "", "89.00", "AUD"),
    ("NZ$45", "", "45.00", "NZD"),
    ("S$12.90", "", "12.90", "SGD"),
    ("$12.90", "SGD", "12.90", "SGD"),
    ("$24.95", "CAD", "24.95", "CAD"),
    ("£34.99", "", "34.99", "GBP"),
    ("£1,899", "", "1899.00", "GBP"),
    ("£5,100.00", "", "5100.00", "GBP"),
    ("GBP 9.99", "", "9.99", "GBP"),
    ("Sale price£17.49Regular price£24.99", "", "17.49", "GBP"),
    ("₹2,433", "", "2433.00", "INR"),
    ("₹ 1,29,999.00", "", "129999.00", "INR"),
    ("Rs. 635,000", "", "635000.00", "INR"),
    ("Rs 635000", "PKR", "635000.00", "PKR"),
    ("RM 59.90", "", "59.90", "MYR"),
    ("₱1,250.00", "", "1250.00", "PHP"),
    ("R$ 1.759,99", "", "1759.99", "BRL"),
    ("BRL 1759.99", "", "1759.99", "BRL"),
    // German
    ("1.299,00 €", "", "1299.00", "EUR"),
    ("12,50 €", "", "12.50", "EUR"),
    ("EUR 69,95", "", "69.95", "EUR"),
    ("69,95 EUR", "", "69.95", "EUR"),
    ("€ 88", "", "88.00", "EUR"),
    ("statt 99,00 € nur 79,00 €", "", "79.00", "EUR"),
    ("UVP 49,99 € 39,99 €", "", "39.99", "EUR"),
    ("ab 19,90 €", "", "19.90", "EUR"),
    ("1.149 €", "", "1149.00", "EUR"),
    ("CHF 2.25", "", "2.25", "CHF"),
    ("CHF 1'299.00", "", "1299.00", "CHF"),
    ("Fr. 49.90", "", "49.90", "CHF"),
    // French
    ("1 299,00 €", "", "1299.00", "EUR"),
    ("1\u{202F}299,00\u{00A0}€", "", "1299.00", "EUR"),
    ("119,01 €", "", "119.01", "EUR"),
    ("à partir de 9,99 €", "", "9.99", "EUR"),
    ("au lieu de 20,00 € 15,00 €", "", "15.00", "EUR"),
    ("Prix : 36,99 €", "", "36.99", "EUR"),
    // Spanish
    ("$2.190", "ARS", "2190.00", "ARS"),
    ("ARS 2.190", "", "2190.00", "ARS"),
    ("MXN$2.072,22", "", "2072.22", "MXN"),
    ("MX$ 1,299.00", "", "1299.00", "MXN"),
    ("$1.299", "CLP", "1299", "CLP"),
    ("desde 15,50 €", "", "15.50", "EUR"),
    ("Antes 30,00 € Ahora 20,00 €", "", "20.00", "EUR"),
    ("COP 45.900", "", "45900.00", "COP"),
    // Italian
    ("€ 1.599,00", "", "1599.00", "EUR"),
    ("29,99 €", "", "29.99", "EUR"),
    ("prima 40,00 € ora 30,00 €", "", "30.00", "EUR"),
    // Portuguese
    ("R$ 49,90", "", "49.90", "BRL"),
    ("R$1.299,90", "", "1299.90", "BRL"),
    ("€ 12,95", "", "12.95", "EUR"),
    // Dutch
    ("€ 74,95", "", "74.95", "EUR"),
    ("van €20 voor €15", "", "15.00", "EUR"),
    // Polish, Czech, Hungarian, Romanian, Croatian, Bulgarian
    ("997 zł", "", "997.00", "PLN"),
    ("1 299,99 zł", "", "1299.99", "PLN"),
    ("PLN 49,00", "", "49.00", "PLN"),
    ("1 299 Kč", "", "1299.00", "CZK"),
    ("499,- Kč", "", "499.00", "CZK"),
    ("12 990 Ft", "", "12990.00", "HUF"),
    ("63,07 Lei", "", "63.07", "RON"),
    ("63.07 lei", "", "63.07", "RON"),
    ("270 Kn", "", "270.00", "HRK"),
    ("29,90 лв", "", "29.90", "BGN"),
    // Russian, Ukrainian
    ("249 ₽", "", "249.00", "RUB"),
    ("1 299 руб.", "", "1299.00", "RUB"),
    ("1299 р.", "", "1299.00", "RUB"),
    ("от 990 ₽", "", "990.00", "RUB"),
    ("было 1 500 ₽ 1 200 ₽", "", "1200.00", "RUB"),
    ("499 грн", "", "499.00", "UAH"),
    ("₴ 1 250", "", "1250.00", "UAH"),
    // Nordic
    ("1 299 kr", "SEK", "1299.00", "SEK"),
    ("299,95 kr.", "DKK", "299.95", "DKK"),
    ("kr 499,-", "NOK", "499.00", "NOK"),
    ("499 kr", "", "499.00", "SEK"),
    ("SEK 1 299", "", "1299.00", "SEK"),
    // Japanese, Korean
    ("¥3,980", "JPY", "3980", "JPY"),
    ("3980円", "", "3980", "JPY"),
    ("JPY 12,800", "", "12800", "JPY"),
    ("₩25,000", "", "25000", "KRW"),
    ("25,000원", "", "25000", "KRW"),
    ("KRW 9900", "", "9900", "KRW"),
    // Turkish, Arabic, Hebrew, Thai, Vietnamese, Indonesian
    ("₺1.299,90", "", "1299.90", "TRY"),
    ("1.299,90 TL", "", "1299.90", "TRY"),
    ("99 ر.س", "", "99.00", "SAR"),
    ("126 ر.س", "", "126.00", "SAR"),
    ("١٬٢٩٩ ر.س", "", "1299.00", "SAR"),
    ("٩٩٫٥٠ د.إ", "", "99.50", "AED"),
    ("AED 149", "", "149.00", "AED"),
    ("₪ 89.90", "", "89.90", "ILS"),
    ("฿1,290", "", "1290.00", "THB"),
    ("1.290.000₫", "", "1290000", "VND"),
    ("VND 250.000", "", "250000", "VND"),
    ("Rp 150.000", "", "150000.00", "IDR"),
    ("KWD 1.250", "", "1.250", "KWD"),
    ("BHD 12.500", "", "12.500", "BHD"),
    // No currency shown: the source's, or none
    ("88", "CNY", "88.00", "CNY"),
    ("15.99", "", "15.99", ""),
    ("1.299,00", "", "1299.00", ""),
    ("1,299", "", "1299.00", ""),
    ("0.299", "", "0.299", ""),
    ("12,5", "EUR", "12.50", "EUR"),
    // No price at all
    ("", "", "", ""),
    ("free", "", "", ""),
    ("价格面议", "", "", ""),
    ("Call for price", "USD", "", "USD"),
    // A negative amount (the minus sign U+2212 too) is no price; a dash joined to a word is not
    // a sign.
    ("−¥5", "", "", "CNY"),
    ("- $5", "", "", "USD"),
    ("Größe−5 €", "", "5.00", "EUR"),
];

#[test]
fn prices_read_as_a_person_would() {
    let mut failures = Vec::new();
    for (text, source, amount, currency) in PRICES {
        let parsed = parse_price_text(text, None, cur(source));
        let got_amount = parsed.amount_string().unwrap_or_default();
        let got_currency = parsed.currency.map(|c| c.to_string()).unwrap_or_default();
        if (got_amount.as_str(), got_currency.as_str()) != (*amount, *currency) {
            failures.push(format!("{text:?} (source {source:?}): got {got_amount:?} {got_currency:?}, want {amount:?} {currency:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} wrong:\n{}",
        failures.len(),
        PRICES.len(),
        failures.join("\n")
    );
}

/// (text, hint seen near it, amount, currency): the hint decides what the text leaves open.
const HINTED: &[(&str, &str, &str, &str)] = &[
    ("12.50", "CNY", "12.50", "CNY"),
    ("$12.50", "CAD", "12.50", "CAD"),
    ("$12.50", "MXN$", "12.50", "MXN"),
    ("¥1,280", "円", "1280", "JPY"),
    ("1 299", "zł", "1299.00", "PLN"),
    ("€12", "USD", "12.00", "EUR"),
    ("9,90", "€", "9.90", "EUR"),
    ("499", "kr", "499.00", "SEK"),
];

#[test]
fn a_hint_decides_only_what_the_text_leaves_open() {
    for (text, hint, amount, currency) in HINTED {
        let parsed = parse_price_text(text, Some(hint), None);
        assert_eq!(
            parsed.amount_string().as_deref(),
            Some(*amount),
            "{text} + {hint}"
        );
        assert_eq!(
            parsed.currency.map(|c| c.to_string()).as_deref(),
            Some(*currency),
            "{text} + {hint}"
        );
    }
}

/// (text, status, quantity)
const STOCK: &[(&str, &str, Option<u32>)] = &[
    // schema.org
    ("https://schema.org/InStock", "in_stock", None),
    ("http://schema.org/OutOfStock", "out_of_stock", None),
    ("https://schema.org/PreOrder", "preorder", None),
    ("https://schema.org/BackOrder", "preorder", None),
    ("https://schema.org/SoldOut", "out_of_stock", None),
    ("https://schema.org/LimitedAvailability", "in_stock", None),
    ("InStock", "in_stock", None),
    // bare numbers (variant tables)
    ("22", "in_stock", Some(22)),
    ("0", "out_of_stock", Some(0)),
    ("1,250", "in_stock", Some(1250)),
    // Chinese
    ("有货", "in_stock", None),
    ("现货", "in_stock", None),
    ("现货供应", "in_stock", None),
    ("缺货", "out_of_stock", None),
    ("無貨", "out_of_stock", None),
    ("无货", "out_of_stock", None),
    ("售罄", "out_of_stock", None),
    ("已售罄", "out_of_stock", None),
    ("已下架", "out_of_stock", None),
    ("暂时缺货", "out_of_stock", None),
    ("库存 123 件", "in_stock", Some(123)),
    ("库存123件", "in_stock", Some(123)),
    ("庫存 56 件", "in_stock", Some(56)),
    ("库存：0", "out_of_stock", Some(0)),
    ("仅剩 3 件", "in_stock", Some(3)),
    ("仅剩3件", "in_stock", Some(3)),
    ("僅剩2件", "in_stock", Some(2)),
    ("只剩5件", "in_stock", Some(5)),
    ("剩余 10 件", "in_stock", Some(10)),
    ("还剩8个", "in_stock", Some(8)),
    ("可售 1195 件", "in_stock", Some(1195)),
    ("预售", "preorder", None),
    ("预售 15天发货", "preorder", None),
    ("７件", "in_stock", Some(7)),
    // English
    ("In stock", "in_stock", None),
    ("In Stock.", "in_stock", None),
    ("Only 3 left", "in_stock", Some(3)),
    ("Only 3 left in stock - order soon.", "in_stock", Some(3)),
    ("In stock (22 available)", "in_stock", Some(22)),
    ("22 in stock", "in_stock", Some(22)),
    ("5 available", "in_stock", Some(5)),
    ("Sold out", "out_of_stock", None),
    ("SOLD OUT", "out_of_stock", None),
    ("Out of stock", "out_of_stock", None),
    ("Currently unavailable.", "out_of_stock", None),
    ("Not in stock", "out_of_stock", None),
    ("Pre-order", "preorder", None),
    ("Available for pre-order", "preorder", None),
    ("Backorder", "preorder", None),
    ("In stock, ships in 2 days", "in_stock", None),
    ("Qty: 14", "in_stock", Some(14)),
    ("Hurry! Only 1 left", "in_stock", Some(1)),
    // German
    ("Auf Lager", "in_stock", None),
    ("Sofort lieferbar", "in_stock", None),
    ("Ausverkauft", "out_of_stock", None),
    ("Nicht auf Lager", "out_of_stock", None),
    ("Derzeit nicht verfügbar", "out_of_stock", None),
    ("Nur noch 2 auf Lager", "in_stock", Some(2)),
    ("Noch 5 Stück verfügbar", "in_stock", Some(5)),
    ("Vorbestellen", "preorder", None),
    // French
    ("En stock", "in_stock", None),
    ("Épuisé", "out_of_stock", None),
    ("Rupture de stock", "out_of_stock", None),
    ("Plus que 3 en stock", "in_stock", Some(3)),
    ("Il reste 4 articles", "in_stock", Some(4)),
    ("Précommande", "preorder", None),
    ("Indisponible", "out_of_stock", None),
    // Spanish
    ("Disponible", "in_stock", None),
    ("Agotado", "out_of_stock", None),
    ("Sin stock", "out_of_stock", None),
    ("Quedan 3", "in_stock", Some(3)),
    ("Solo quedan 2 unidades", "in_stock", Some(2)),
    ("Preventa", "preorder", None),
    // Italian
    ("Disponibile", "in_stock", None),
    ("Esaurito", "out_of_stock", None),
    ("Non disponibile", "out_of_stock", None),
    ("Solo 3 rimasti", "in_stock", Some(3)),
    ("Preordine", "preorder", None),
    // Portuguese
    ("Em estoque", "in_stock", None),
    ("Esgotado", "out_of_stock", None),
    ("Indisponível", "out_of_stock", None),
    ("Restam 4 unidades", "in_stock", Some(4)),
    // Dutch
    ("Op voorraad", "in_stock", None),
    ("Uitverkocht", "out_of_stock", None),
    ("Niet op voorraad", "out_of_stock", None),
    ("Nog 2 op voorraad", "in_stock", Some(2)),
    // Polish
    ("Dostępny", "in_stock", None),
    ("Wyprzedane", "out_of_stock", None),
    ("Brak w magazynie", "out_of_stock", None),
    ("Zostało 3 szt.", "in_stock", Some(3)),
    // Russian
    ("В наличии", "in_stock", None),
    ("Есть в наличии", "in_stock", None),
    ("Нет в наличии", "out_of_stock", None),
    ("Осталось 3 шт", "in_stock", Some(3)),
    ("Предзаказ", "preorder", None),
    // Japanese
    ("在庫あり", "in_stock", None),
    ("在庫切れ", "out_of_stock", None),
    ("売り切れ", "out_of_stock", None),
    ("残り3点", "in_stock", Some(3)),
    ("予約受付中", "preorder", None),
    // Korean
    ("재고 있음", "in_stock", None),
    ("품절", "out_of_stock", None),
    ("일시품절", "out_of_stock", None),
    ("남은 수량 3개", "in_stock", Some(3)),
    // Turkish, Swedish, Danish, Czech, Arabic, Vietnamese, Indonesian, Thai
    ("Stokta", "in_stock", None),
    ("Stokta yok", "out_of_stock", None),
    ("Tükendi", "out_of_stock", None),
    ("Son 3 adet", "in_stock", Some(3)),
    ("I lager", "in_stock", None),
    ("Slutsåld", "out_of_stock", None),
    ("Udsolgt", "out_of_stock", None),
    ("Skladem", "in_stock", None),
    ("Není skladem", "out_of_stock", None),
    ("Vyprodáno", "out_of_stock", None),
    ("متوفر", "in_stock", None),
    ("غير متوفر", "out_of_stock", None),
    ("Còn hàng", "in_stock", None),
    ("Hết hàng", "out_of_stock", None),
    ("Tersedia", "in_stock", None),
    ("Stok habis", "out_of_stock", None),
    ("สินค้าหมด", "out_of_stock", None),
    // Nothing said
    ("", "unknown", None),
    ("Ships from Shenzhen", "unknown", None),
    ("Delivery in 3 days", "unknown", None),
];

#[test]
fn stock_texts_in_every_language() {
    let mut failures = Vec::new();
    for (text, status, quantity) in STOCK {
        let stock = parse_stock(text);
        if (stock.status.as_str(), stock.quantity) != (*status, *quantity) {
            failures.push(format!(
                "{text:?}: got {} {:?}, want {status} {quantity:?}",
                stock.status.as_str(),
                stock.quantity
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} wrong:\n{}",
        failures.len(),
        STOCK.len(),
        failures.join("\n")
    );
    assert_eq!(parse_stock("InStock").status, Availability::InStock);
}

/// (label, canonical name)
const NAMES: &[(&str, &str)] = &[
    ("颜色", "color"),
    ("顏色", "color"),
    ("颜色分类", "color"),
    ("顏色分類", "color"),
    ("色", "color"),
    ("Color", "color"),
    ("Colour", "color"),
    ("COLOR:", "color"),
    ("ＣＯＬＯＲ", "color"),
    ("Farbe", "color"),
    ("Couleur", "color"),
    ("Colore", "color"),
    ("Cor", "color"),
    ("Kleur", "color"),
    ("Kolor", "color"),
    ("Цвет", "color"),
    ("カラー", "color"),
    ("색상", "color"),
    ("Renk", "color"),
    ("Färg", "color"),
    ("اللون", "color"),
    ("Màu sắc", "color"),
    ("Warna", "color"),
    ("尺码", "size"),
    ("尺碼", "size"),
    ("尺寸", "size"),
    ("码数", "size"),
    ("大小", "size"),
    ("鞋码", "size"),
    ("Size", "size"),
    ("Größe", "size"),
    ("Taille", "size"),
    ("Talla", "size"),
    ("Taglia", "size"),
    ("Tamanho", "size"),
    ("Maat", "size"),
    ("Rozmiar", "size"),
    ("Размер", "size"),
    ("サイズ", "size"),
    ("사이즈", "size"),
    ("Beden", "size"),
    ("Storlek", "size"),
    ("Velikost", "size"),
    ("Kích thước", "size"),
    ("Ukuran", "size"),
    ("规格", "spec"),
    ("規格", "spec"),
    ("型号", "model"),
    ("型號", "model"),
    ("版本", "model"),
    ("Model", "model"),
    ("款式", "style"),
    ("Style", "style"),
    ("Stil", "style"),
    ("材质", "material"),
    ("Material", "material"),
    ("容量", "capacity"),
    ("Storage", "capacity"),
    ("套餐", "package"),
    ("套餐类型", "package"),
    ("Flavour", "flavour"),
    ("  Pattern  Type ", "pattern type"),
];

#[test]
fn option_names_by_alias() {
    for (label, want) in NAMES {
        assert_eq!(canonical_option_name(label), *want, "{label}");
    }
}

/// (value, canonical value)
const VALUES: &[(&str, &str)] = &[
    ("XXL", "2xl"),
    ("2XL", "2xl"),
    ("xxl", "2xl"),
    ("XXXL", "3xl"),
    ("3XL", "3xl"),
    ("XXXXL", "4xl"),
    ("XXS", "2xs"),
    ("ＸＬ", "xl"),
    ("XL码", "xl"),
    ("L", "l"),
    ("M", "m"),
    ("39码", "39"),
    ("均码", "one-size"),
    ("Free Size", "one-size"),
    ("One Size", "one-size"),
    ("F", "one-size"),
    ("Taille unique", "one-size"),
    ("Einheitsgröße", "one-size"),
    ("フリーサイズ", "one-size"),
    ("1.5米", "150cm"),
    ("150cm", "150cm"),
    ("150 cm", "150cm"),
    ("1500mm", "150cm"),
    ("1.5m", "150cm"),
    ("60英寸", "152.4cm"),
    ("500克", "500g"),
    ("0.5kg", "500g"),
    ("1斤", "500g"),
    ("1公斤", "1000g"),
    ("2L", "2000ml"),
    ("500ml", "500ml"),
    ("1.5升", "1500ml"),
    ("150*200cm", "150x200cm"),
    ("1.5×2米", "150x200cm"),
    ("酒紅色", "酒红色"),
    ("深藍", "深蓝"),
    ("  Navy   Blue ", "navy blue"),
    ("红色", "红色"),
    ("Ｒｅｄ", "red"),
];

#[test]
fn option_values_are_unified_for_matching() {
    let mut failures = Vec::new();
    for (value, want) in VALUES {
        let got = canonical_option_value(value);
        if got != *want {
            failures.push(format!("{value:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (image URL as found, canonical)
const IMAGES: &[(&str, &str)] = &[
    (
        "https://img.alicdn.com/imgextra/i1/123/O1CN01abc.jpg_400x400.jpg",
        "https://img.alicdn.com/imgextra/i1/123/O1CN01abc.jpg",
    ),
    (
        "//img.alicdn.com/imgextra/i1/O1CN01abc.jpg_400x400q90.jpg_.webp",
        "https://img.alicdn.com/imgextra/i1/O1CN01abc.jpg",
    ),
    (
        "https://cbu01.alicdn.com/img/ibank/O1CN01x.jpg",
        "https://cbu01.alicdn.com/img/ibank/O1CN01x.jpg",
    ),
    (
        "https://ae01.alicdn.com/kf/Sabc.jpg_220x220.jpg",
        "https://ae01.alicdn.com/kf/Sabc.jpg",
    ),
    (
        "https://bucket.oss-cn-hangzhou.aliyuncs.com/a.jpg?x-oss-process=image/resize,w_200",
        "https://bucket.oss-cn-hangzhou.aliyuncs.com/a.jpg",
    ),
    (
        "https://shop.example/cdn/shop/files/p_100x.jpg?v=1700000000",
        "https://shop.example/cdn/shop/files/p.jpg",
    ),
    (
        "https://cdn.shopify.com/s/files/1/0/products/p_100x100@2x.jpg?v=1",
        "https://cdn.shopify.com/s/files/1/0/products/p.jpg",
    ),
    (
        "https://cdn.shopify.com/s/files/1/0/products/p_x600_crop_center.png",
        "https://cdn.shopify.com/s/files/1/0/products/p.png",
    ),
    (
        "https://cdn.shopify.com/s/files/1/0/products/p_grande.jpg",
        "https://cdn.shopify.com/s/files/1/0/products/p.jpg",
    ),
    (
        "https://blog.example/wp-content/uploads/2024/05/shirt-300x300.jpg",
        "https://blog.example/wp-content/uploads/2024/05/shirt.jpg",
    ),
    (
        "HTTP://CDN.Example.com/img/a.jpg?w=300&h=300&fit=crop",
        "https://cdn.example.com/img/a.jpg",
    ),
    (
        "https://cdn.example.com/img/a.jpg?id=7&w=300",
        "https://cdn.example.com/img/a.jpg?id=7",
    ),
    (
        "https://cdn.example.com/img/red_shirt.jpg",
        "https://cdn.example.com/img/red_shirt.jpg",
    ),
    (
        "https://img.example.com/a.jpg?imageView2/2/w/200",
        "https://img.example.com/a.jpg",
    ),
    (
        "https://cdn.example.com/img/a.jpg#zoom",
        "https://cdn.example.com/img/a.jpg",
    ),
];

#[test]
fn image_urls_lose_only_resizing() {
    for (url, want) in IMAGES {
        assert_eq!(canonical_image_url(url), *want, "{url}");
    }
}

#[test]
fn there_are_enough_cases() {
    let total =
        PRICES.len() + HINTED.len() + STOCK.len() + NAMES.len() + VALUES.len() + IMAGES.len();
    assert!(total >= 300, "{total} cases");
}

/// 1688's `skuPriceScale`: the price depends on how many the merchant buys.
#[test]
fn tiered_prices_follow_the_quantity_bought() {
    use catalog::{tier_price, Money};
    let cny = |yuan: i64| Money::new(yuan * 100, Currency::CNY);
    let tiers = [(1, cny(15)), (10, cny(13)), (100, cny(11))];
    let cases = [(1, 15), (9, 15), (10, 13), (99, 13), (100, 11), (5000, 11)];
    for (quantity, want) in cases {
        assert_eq!(tier_price(&tiers, quantity), Some(cny(want)), "{quantity}");
    }
    // Below the first tier's minimum the first tier still prices it; no tiers, no price.
    let from_two = [(2, cny(15)), (10, cny(13))];
    assert_eq!(tier_price(&from_two, 1), Some(cny(15)));
    assert_eq!(tier_price(&[], 1), None);
}
