//! The visible variant table: header row names the columns (SKU, options, price, stock).

use catalog::{RawProduct, RawVariant};
use scraper::{ElementRef, Html, Selector};

use super::scan;

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

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl VariantTable {
    /// Joins the table with JSON-LD offers by SKU; without offers, the rows are the variants.
    pub(super) fn merge_into(self, raw: &mut RawProduct) {
        raw.option_labels = self.option_labels;
        if raw.variants.is_empty() {
            for (n, row) in self.rows.into_iter().enumerate() {
                raw.note(
                    format!("variants[{n}]"),
                    format!("table.variant-table row {}", n + 1),
                );
                raw.variants.push(row);
            }
            return;
        }
        let mut unmatched = Vec::new();
        for (n, row) in self.rows.into_iter().enumerate() {
            let offer = row.sku.as_ref().and_then(|sku| {
                raw.variants
                    .iter_mut()
                    .find(|v| v.sku.as_ref() == Some(sku))
            });
            match offer {
                Some(offer) => {
                    offer.spec = row.spec;
                    offer.compare_at = offer.compare_at.take().or(row.compare_at);
                    offer.quantity = offer.quantity.take().or(row.quantity);
                    offer.availability = offer.availability.take().or(row.availability);
                    offer.price = offer.price.take().or(row.price);
                    raw.provenance.push(catalog::Provenance {
                        field: format!(
                            "variants[sku={}].spec",
                            offer.sku.as_deref().unwrap_or_default()
                        ),
                        from: format!("table.variant-table row {}", n + 1),
                    });
                }
                None => unmatched.push(row),
            }
        }
        // Rows with no offer of their SKU still are variants the page shows.
        raw.variants.extend(unmatched);
    }
}
