//! The visible variant table: header row names the columns (SKU, options, price, stock).

use catalog::RawVariant;
use scraper::{ElementRef, Html, Selector};

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

pub(super) struct VariantTable {
    option_labels: Vec<String>,
    rows: Vec<RawVariant>,
}

/// Parses the first `table.variant-table` of the page, if it has a header row. Only the table is
/// parsed, not the page (see [`super::scan`]).
pub(super) fn variant_table(html: &str) -> Option<VariantTable> {
    if !scan::has(html, "variant-table") {
        return None;
    }
    let tag = scan::tags(html, "table").find(|t| scan::has_class(t, "variant-table"))?;
    let doc = Html::parse_fragment(scan::outer(html, &tag, "table")?);
    let table_sel = Selector::parse("table.variant-table").ok()?;
    let th_sel = Selector::parse("thead th, tr:first-child th").ok()?;
    let row_sel = Selector::parse("tbody tr").ok()?;
    let td_sel = Selector::parse("td").ok()?;
    let table = doc.select(&table_sel).next()?;
    let headers: Vec<String> = table
        .select(&th_sel)
        .map(|th| collapse(&th.text().collect::<String>()))
        .collect();
    if headers.is_empty() {
        return None;
    }
    let columns: Vec<Column> = headers.iter().map(|h| column(h)).collect();
    let option_labels = headers
        .iter()
        .zip(&columns)
        .filter(|(_, c)| **c == Column::Option)
        .map(|(h, _)| h.clone())
        .collect();
    let mut rows = Vec::new();
    for tr in table.select(&row_sel) {
        let mut row = RawVariant::default();
        for ((td, col), header) in tr.select(&td_sel).zip(&columns).zip(&headers) {
            match col {
                Column::Sku => {
                    row.sku =
                        Some(collapse(&td.text().collect::<String>())).filter(|s| !s.is_empty())
                }
                Column::Option => row
                    .spec
                    .push((header.clone(), collapse(&td.text().collect::<String>()))),
                Column::Stock => {
                    let text = collapse(&td.text().collect::<String>());
                    if text.chars().any(|c| c.is_ascii_digit()) {
                        row.quantity = Some(text);
                    } else {
                        row.availability = Some(text);
                    }
                }
                Column::Price => {
                    let (now, was) = price_cell(td);
                    row.price = Some(now).filter(|s| !s.is_empty());
                    row.compare_at = Some(was).filter(|s| !s.is_empty());
                }
            }
        }
        rows.push(row);
    }
    Some(VariantTable {
        option_labels,
        rows,
    })
}

/// The current price, and the struck-through original price (`<del>`, `<s>`) if any.
fn price_cell(td: ElementRef<'_>) -> (String, String) {
    let mut now = String::new();
    let mut was = String::new();
    for node in td.descendants() {
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let struck = node.ancestors().take_while(|a| a.id() != td.id()).any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "del" | "s" | "strike"))
        });
        if struck { &mut was } else { &mut now }.push_str(text);
    }
    (collapse(&now), collapse(&was))
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
