//! Table cells: each `table-wrap` of the body, a `floats-group` or the back matter as a [`Table`],
//! header rows apart and row and column spans expanded.

use super::plain::{caption_text, text};
use crate::model::{Table, MAX_TABLES, MAX_TABLE_COLS};
use crate::xml::Element;

/// The `table-wrap`s of the body, a `floats-group` and the back matter, in document order.
pub(super) fn tables(article: &Element) -> Vec<Table> {
    let mut wraps = Vec::new();
    for part in ["body", "floats-group", "back"] {
        if let Some(e) = article.child(part) {
            e.collect(&["table-wrap"], &mut wraps);
        }
    }
    wraps.into_iter().take(MAX_TABLES).map(table).collect()
}

/// One `table-wrap`: label, caption and the cells of its first `table` (none when the table is
/// only an image).
fn table(wrap: &Element) -> Table {
    let mut out = Table {
        label: wrap.child("label").map(text).filter(|l| !l.is_empty()),
        caption: wrap.child("caption").map(caption_text).unwrap_or_default(),
        ..Table::default()
    };
    let Some(table) = wrap.find("table") else {
        return out;
    };
    let mut rows: Vec<(&Element, bool)> = Vec::new();
    for part in table.elements() {
        match part.local() {
            "thead" => rows.extend(part.children_named("tr").map(|r| (r, true))),
            "tbody" | "tfoot" => rows.extend(part.children_named("tr").map(|r| (r, false))),
            "tr" => rows.push((part, false)),
            _ => {}
        }
    }
    // Cells spanning rows below, by column: (text, rows still to fill).
    let mut pending: Vec<Option<(String, usize)>> = Vec::new();
    let mut body_started = false;
    for (tr, in_head) in rows {
        let cells: Vec<&Element> = tr.elements().filter(|c| matches!(c.local(), "td" | "th")).collect();
        let header = in_head || (!body_started && !cells.is_empty() && cells.iter().all(|c| c.local() == "th"));
        body_started |= !header;
        let mut row: Vec<(String, usize)> = Vec::new();
        let mut col = 0;
        let mut cells = cells.into_iter();
        while col < MAX_TABLE_COLS {
            if let Some(Some((t, left))) = pending.get_mut(col) {
                row.push((t.clone(), 1));
                *left -= 1;
                if *left == 0 {
                    pending[col] = None;
                }
                col += 1;
                continue;
            }
            let Some(cell) = cells.next() else {
                if pending.iter().skip(col).any(Option::is_some) {
                    row.push((String::new(), 1));
                    col += 1;
                    continue;
                }
                break;
            };
            let span = |key| {
                cell.attr(key)
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, MAX_TABLE_COLS)
            };
            let (colspan, rowspan) = (span("colspan"), span("rowspan"));
            let t = text(cell);
            if rowspan > 1 {
                for c in col..(col + colspan).min(MAX_TABLE_COLS) {
                    if pending.len() <= c {
                        pending.resize(c + 1, None);
                    }
                    pending[c] = Some((t.clone(), rowspan - 1));
                }
            }
            row.push((t, colspan));
            col += colspan;
        }
        out.push_row(row, header);
    }
    out
}
