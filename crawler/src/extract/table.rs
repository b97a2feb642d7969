//! The visible variant table: header row names the columns (SKU, options, price, stock).

use catalog::RawVariant;

use super::{collapse, scan, Found};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Sku,
    Price,
    Stock,
    Option,
}

fn column(header: &str) -> Column {
    let h = header.trim().to_lowercase();
    match h.as_str() {
        "sku" | "货号" | "编码" | "商品编码" | "sku code" => Column::Sku,
        "price" | "价格" | "價格" | "单价" | "售价" | "preis" | "prix" => Column::Price,
        "stock" | "库存" | "庫存" | "inventory" | "availability" | "数量" | "qty" => {
            Column::Stock
        }
        _ => Column::Option,
    }
}

/// Each header's column, and the headers of the option columns (the table's option labels).
fn columns(headers: &[String]) -> (Vec<Column>, Vec<String>) {
    let columns: Vec<Column> = headers.iter().map(|h| column(h)).collect();
    let labels = headers
        .iter()
        .zip(&columns)
        .filter(|(_, c)| **c == Column::Option)
        .map(|(h, _)| h.clone())
        .collect();
    (columns, labels)
}

pub(super) struct VariantTable {
    option_labels: Vec<String>,
    rows: Vec<RawVariant>,
}

/// Reads the first `table.variant-table` of the page, if it has a header row, by a scan of its
/// markup (see [`super::scan`]): header cells are the `th` of the `thead`, else of the first row;
/// every later row with `td` cells is a variant. A table nested in a cell stays inside that cell.
pub(super) fn variant_table(html: &str) -> Option<VariantTable> {
    if !scan::has(html, "variant-table") {
        return None;
    }
    let tag = scan::tags(html, "table").find(|t| scan::has_class(t, "variant-table"))?;
    // An unclosed table runs to the end of the page, as in a browser.
    let close = scan::close_of(html, tag.end, "table").unwrap_or(html.len());
    let rows = table_rows(html.get(tag.end..close)?);
    let header_row = rows
        .iter()
        .position(|r| r.in_head && r.cells.iter().any(|c| c.header))
        .or_else(|| (!rows.is_empty() && rows[0].cells.iter().any(|c| c.header)).then_some(0))?;
    let headers: Vec<String> = rows[header_row]
        .cells
        .iter()
        .filter(|c| c.header)
        .map(|c| cell_text(c.markup, None))
        .collect();
    let (columns, option_labels) = columns(&headers);
    let mut variants = Vec::new();
    for tr in rows.iter().skip(header_row + 1).filter(|r| !r.in_head) {
        let cells = tr.cells.iter().filter(|c| !c.header);
        let mut row = RawVariant::default();
        let mut any = false;
        for ((td, col), header) in cells.zip(&columns).zip(&headers) {
            any = true;
            match col {
                Column::Sku => row.sku = Some(cell_text(td.markup, None)).filter(|s| !s.is_empty()),
                Column::Option => row.spec.push((header.clone(), cell_text(td.markup, None))),
                Column::Stock => {
                    let text = cell_text(td.markup, None);
                    if text.bytes().any(|c| c.is_ascii_digit()) {
                        row.quantity = Some(text);
                    } else {
                        row.availability = Some(text);
                    }
                }
                Column::Price => {
                    let mut was = String::new();
                    let now = cell_text(td.markup, Some(&mut was));
                    row.price = Some(now).filter(|s| !s.is_empty());
                    row.compare_at =
                        Some(collapse(&catalog::decode_entities(&was))).filter(|s| !s.is_empty());
                }
            }
        }
        if any {
            variants.push(row);
        }
    }
    Some(VariantTable {
        option_labels,
        rows: variants,
    })
}

struct Row<'a> {
    /// In a `<thead>` (or `<tfoot>`): not a variant.
    in_head: bool,
    cells: Vec<Cell<'a>>,
}

struct Cell<'a> {
    header: bool,
    markup: &'a str,
}

/// The rows and cells of a table's inner markup. Like a browser, a cell ends at the next cell or
/// row even without its end tag; tables nested in a cell and comments are skipped over.
fn table_rows(inner: &str) -> Vec<Row<'_>> {
    let bytes = inner.as_bytes();
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut in_head = false;
    // The open cell: (is a th, where its content starts).
    let mut open: Option<(bool, usize)> = None;
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) {
        if bytes[lt..].starts_with(b"<!--") {
            at = memchr::memmem::find(&bytes[lt..], b"-->").map_or(bytes.len(), |e| lt + e + 3);
            continue;
        }
        let (closing, name_at, name) = tag_name(bytes, lt);
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let tag_end =
            memchr::memchr(b'>', &bytes[name_at..]).map_or(bytes.len(), |e| name_at + e + 1);
        let ends_cell =
            is("td") || is("th") || is("tr") || is("thead") || is("tbody") || is("tfoot");
        if ends_cell {
            if let Some((header, from)) = open.take() {
                if let (Some(row), Some(markup)) = (rows.last_mut(), inner.get(from..lt)) {
                    row.cells.push(Cell { header, markup });
                }
            }
        }
        match (closing, ends_cell) {
            (false, _) if is("table") => {
                // A nested table belongs to the open cell: skip to its end.
                at = scan::close_of(inner, tag_end, "table").unwrap_or(bytes.len());
                continue;
            }
            (false, true) if is("thead") || is("tfoot") => in_head = true,
            (false, true) if is("tbody") => in_head = false,
            (true, true) if is("thead") || is("tfoot") => in_head = false,
            (false, true) if is("tr") => rows.push(Row {
                in_head,
                cells: Vec::new(),
            }),
            (false, true) => {
                // A cell outside any row opens one, as a browser does.
                if rows.is_empty() {
                    rows.push(Row {
                        in_head,
                        cells: Vec::new(),
                    });
                }
                open = Some((is("th"), tag_end));
            }
            _ => {}
        }
        at = tag_end.max(lt + 1);
    }
    if let (Some((header, from)), Some(row)) = (open, rows.last_mut()) {
        if let Some(markup) = inner.get(from..) {
            row.cells.push(Cell { header, markup });
        }
    }
    rows
}

/// The tag at `lt` (a `<`): whether it closes, where its name starts, and the name.
fn tag_name(bytes: &[u8], lt: usize) -> (bool, usize, &[u8]) {
    let closing = bytes.get(lt + 1) == Some(&b'/');
    let name_at = (lt + 1 + usize::from(closing)).min(bytes.len());
    let name_len = bytes[name_at..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    (closing, name_at, &bytes[name_at..name_at + name_len])
}

/// A cell's text: tags dropped (a `<br>` is a space), entities decoded, whitespace collapsed.
/// With `struck`, text inside `<del>`, `<s>` or `<strike>` (an old price) goes there instead.
fn cell_text(markup: &str, mut struck: Option<&mut String>) -> String {
    let bytes = markup.as_bytes();
    let mut now = String::with_capacity(markup.len().min(64));
    let mut depth_struck = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) else {
            break;
        };
        let next = bytes.get(lt + 1).copied().unwrap_or(b' ');
        // A `<` not starting a tag is text.
        let is_tag = next.is_ascii_alphabetic() || next == b'/' || next == b'!';
        let text = &markup[at..if is_tag { lt } else { lt + 1 }];
        match (&mut struck, depth_struck) {
            (Some(was), d) if d > 0 => was.push_str(text),
            _ => now.push_str(text),
        }
        if !is_tag {
            at = lt + 1;
            continue;
        }
        if bytes[lt..].starts_with(b"<!--") {
            at = memchr::memmem::find(&bytes[lt..], b"-->").map_or(bytes.len(), |e| lt + e + 3);
            continue;
        }
        let (closing, _, name) = tag_name(bytes, lt);
        if name.eq_ignore_ascii_case(b"br") {
            now.push(' ');
        }
        if [&b"del"[..], b"s", b"strike"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            depth_struck = match closing {
                true => depth_struck.saturating_sub(1),
                false => depth_struck + 1,
            };
        }
        at = memchr::memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |e| lt + e + 1);
    }
    if at < bytes.len() {
        now.push_str(&markup[at..]);
    }
    collapse(&catalog::decode_entities(&now))
}

/// The variant table as one extractor's findings: its rows are the variants.
pub(super) fn extract(html: &str) -> Option<Found> {
    let table = variant_table(html)?;
    let mut found = Found::new("table.variant-table", 70);
    found.product.option_labels = table.option_labels;
    for (n, row) in table.rows.into_iter().enumerate() {
        found.product.note(
            format!("variants[{n}]"),
            format!("table.variant-table row {}", n + 1),
        );
        found.product.variants.push(row);
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scraper::{ElementRef, Html, Selector};

    /// The table as a browser's DOM reads it (html5ever, the former implementation): the
    /// reference the scan is checked against.
    fn dom_table(html: &str) -> Option<(Vec<String>, Vec<RawVariant>)> {
        let doc = Html::parse_document(html);
        let sel = |s: &str| Selector::parse(s).expect("selector");
        let table = doc.select(&sel("table.variant-table")).next()?;
        let text = |e: ElementRef<'_>| collapse(&e.text().collect::<String>());
        let headers: Vec<String> = table
            .select(&sel("thead th, tr:first-child th"))
            .map(text)
            .collect();
        if headers.is_empty() {
            return None;
        }
        let (columns, labels) = columns(&headers);
        let mut rows = Vec::new();
        for tr in table.select(&sel("tbody tr")) {
            let mut row = RawVariant::default();
            let mut any = false;
            for ((td, col), header) in tr.select(&sel("td")).zip(&columns).zip(&headers) {
                any = true;
                match col {
                    Column::Sku => row.sku = Some(text(td)).filter(|s| !s.is_empty()),
                    Column::Option => row.spec.push((header.clone(), text(td))),
                    Column::Stock if text(td).bytes().any(|b| b.is_ascii_digit()) => {
                        row.quantity = Some(text(td))
                    }
                    Column::Stock => row.availability = Some(text(td)),
                    Column::Price => {
                        let (mut now, mut was) = (String::new(), String::new());
                        for node in td.descendants() {
                            let Some(t) = node.value().as_text() else {
                                continue;
                            };
                            let struck =
                                node.ancestors().take_while(|a| a.id() != td.id()).any(|a| {
                                    a.value()
                                        .as_element()
                                        .is_some_and(|e| matches!(e.name(), "del" | "s" | "strike"))
                                });
                            if struck { &mut was } else { &mut now }.push_str(t);
                        }
                        row.price = Some(collapse(&now)).filter(|s| !s.is_empty());
                        row.compare_at = Some(collapse(&was)).filter(|s| !s.is_empty());
                    }
                }
            }
            if any {
                rows.push(row);
            }
        }
        Some((labels, rows))
    }

    fn scanned(html: &str) -> Option<(Vec<String>, Vec<RawVariant>)> {
        variant_table(html).map(|t| (t.option_labels, t.rows))
    }

    /// Cell contents a supplier's table holds.
    fn content() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("A1".to_owned()),
            Just("红色".to_owned()),
            Just(" XL ".to_owned()),
            Just("¥12.50".to_owned()),
            Just("<span class=\"cur\">¥</span><span>9.90</span>".to_owned()),
            Just("<del>¥20.00</del> ¥15.00".to_owned()),
            Just("<s>$5</s><b>$4</b>".to_owned()),
            Just("Tom &amp; Jerry &lt;3".to_owned()),
            Just("<em>in</em> stock<!-- <td>no</td> -->".to_owned()),
            Just("3 件".to_owned()),
            Just(String::new()),
        ]
    }

    fn cell(tag: &'static str) -> impl Strategy<Value = String> {
        (content(), any::<bool>()).prop_map(move |(c, close)| {
            format!(
                "<{tag} class=\"c\">{c}{}",
                if close {
                    format!("</{tag}>")
                } else {
                    String::new()
                }
            )
        })
    }

    fn table() -> impl Strategy<Value = String> {
        let header = prop::collection::vec(
            prop_oneof![
                Just("SKU"),
                Just("Color"),
                Just("颜色"),
                Just("Size"),
                Just("价格"),
                Just("Price"),
                Just("Stock"),
                Just("库存")
            ],
            1..6,
        );
        let rows = prop::collection::vec(
            (prop::collection::vec(cell("td"), 0..7), any::<bool>()),
            0..6,
        );
        (header, rows, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(header, rows, thead, tbody, close_th)| {
                let mut h =
                    String::from("<html><body><p>intro</p><table class=\"variant-table x\">");
                let ths: String = header
                    .iter()
                    .map(|t| format!("<th>{t}{}", if close_th { "</th>" } else { "" }))
                    .collect();
                match thead {
                    true => h.push_str(&format!("<thead><tr>{ths}</tr></thead>")),
                    false => h.push_str(&format!("<tr>{ths}</tr>")),
                }
                if tbody {
                    h.push_str("<tbody>");
                }
                for (cells, close) in rows {
                    h.push_str("<tr>");
                    h.push_str(&cells.concat());
                    if close {
                        h.push_str("</tr>");
                    }
                }
                if tbody {
                    h.push_str("</tbody>");
                }
                h.push_str("</table><p>after</p></body></html>");
                h
            },
        )
    }

    proptest! {
        #[test]
        fn the_scan_reads_a_table_as_a_browser_does(html in table()) {
            prop_assert_eq!(scanned(&html), dom_table(&html), "{}", html);
        }
    }

    #[test]
    fn a_nested_table_stays_in_its_cell_and_a_later_table_is_not_read() {
        let html = r#"<table class="variant-table"><tr><th>SKU<th>Color<th>Price</tr>
            <tr><td>A1<td><table><tr><td>Red</td></tr></table><td><del>9.00</del> 7.50
            <tr><td>A2<td>Blue<td>8.00</table><table><tr><td>B9</td></tr></table>"#;
        let (labels, rows) = scanned(html).expect("table");
        assert_eq!(labels, ["Color"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].spec, [("Color".to_owned(), "Red".to_owned())]);
        assert_eq!(rows[0].price.as_deref(), Some("7.50"));
        assert_eq!(rows[0].compare_at.as_deref(), Some("9.00"));
        assert_eq!(rows[1].sku.as_deref(), Some("A2"));
    }

    #[test]
    fn a_table_without_header_cells_is_not_a_variant_table() {
        let html = r#"<table class="variant-table"><tr><td>A1</td><td>9.00</td></tr></table>"#;
        assert!(scanned(html).is_none());
        assert!(scanned(r#"<table class="variant-table"><tr><th>SKU"#).is_some());
        assert!(scanned("<table class=\"variant-table\">").is_none());
    }
}
