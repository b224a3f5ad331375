//! Results from tables: (method, dataset, metric, value) tuples read from the cells of a table,
//! its header rows and its caption.
//!
//! A table is read as the ingest step gives it: header rows (spans already repeated so that
//! columns line up) and body rows of plain text. In the usual layout ([`Orientation::MethodsInRows`])
//! each body row is a method, named by its first non-numeric cell, and each column whose header
//! names a metric ("F1", "BLEU", "Accuracy (%)", "MAP", a header with `%` or `±`) holds its
//! values; the dataset comes from an upper header row over the column ("SQuAD" over "EM" and
//! "F1"), else from the caption ("… on SQuAD", "the MeSH dataset", a Dataset or Task mention).
//! Transposed tables ([`Orientation::MethodsInColumns`]), whose first column names metrics, give
//! methods from the column headers instead. Only cells that are one number (`92.3`, `92.3%`,
//! `0.87 ± 0.02`, `**93.1**`, `93.1*`) become results; columns such as "# params", "year" or "n"
//! never do. Work is bounded: at most [`MAX_ROWS`] rows and [`MAX_COLS`] columns are read.

use serde::{Deserialize, Serialize};

use crate::typing::is_metric_name;
use crate::{extract, normalize_key, ConceptType, Lexicon};

/// Most body rows read.
pub const MAX_ROWS: usize = 200;
/// Most columns read.
pub const MAX_COLS: usize = 50;

/// One value of a table tied to its metric and, when the table says, a method and a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableResult {
    /// Index of the body row (0 for the first row after the header rows).
    pub row: usize,
    /// Index of the column.
    pub col: usize,
    /// Concept key ([`normalize_key`], acronyms resolved through the lexicon) of the method: the
    /// row label, or the column header of a transposed table.
    pub method: Option<String>,
    /// Concept key of the dataset or task: from an upper header row over the column, else from the
    /// caption.
    pub dataset: Option<String>,
    /// The metric as the table prints it ("F1", "Accuracy (%)").
    pub metric: String,
    /// The number.
    pub value: f64,
    /// `%` when the cell or the metric's header says so.
    pub unit: Option<String>,
}

/// Where a table puts its methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Orientation {
    /// One method per row, metrics as column headers (the usual layout).
    MethodsInRows,
    /// One method per column, metrics as row labels (the first column names metrics).
    MethodsInColumns,
}

/// Further metric names and abbreviations usual in table headers, beside those of the running
/// text.
const TABLE_METRICS: &[&str] = &[
    "map",
    "em",
    "acc",
    "ppl",
    "icc",
    "auroc",
    "auprc",
    "roc",
    "ap",
    "mape",
    "eer",
    "ter",
    "chrf",
    "bertscore",
    "sensitivity",
    "specificity",
    "fscore",
    "fmeasure",
    "f-measure",
    "f-score",
    "f1-score",
    "micro-f1",
    "macro-f1",
    "hits",
    "p@1",
    "p@5",
    "p@10",
    "r@1",
    "r@5",
    "r@10",
    "hits@1",
    "hits@3",
    "hits@10",
    "mrr",
    "top-1",
    "top-5",
    "spearman",
    "pearson",
    "correlation",
    "alpha",
    "miou",
    "uas",
    "las",
];

/// Words of headers that count or describe rather than measure: such columns are never metrics.
const NOT_METRICS: &[&str] = &[
    "#",
    "n",
    "params",
    "parameters",
    "param",
    "year",
    "years",
    "size",
    "count",
    "number",
    "no",
    "no.",
    "epochs",
    "epoch",
    "layers",
    "layer",
    "dim",
    "dimension",
    "dimensions",
    "age",
    "id",
    "p",
    "p-value",
    "df",
    "k",
    "sessions",
    "subjects",
    "time",
    "seconds",
    "sec",
    "hours",
    "ms",
    "#params",
    "batch",
    "steps",
    "tokens",
    "vocab",
    "length",
];

/// The words of a header, lower-cased, split at spaces and punctuation other than `-`, `@`, `#`.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || "()[]{},;:/|".contains(c))
        .map(|w| w.trim_matches(|c: char| "'\".*†‡§".contains(c)).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a header (or a row label) names a metric; the lexicon's Metric terms count too.
pub fn names_metric(header: &str, lexicon: &Lexicon) -> bool {
    let ws = words(header);
    if ws.is_empty()
        || ws
            .iter()
            .any(|w| NOT_METRICS.contains(&w.as_str()) || w.starts_with('#'))
    {
        return false;
    }
    let named = ws.iter().any(|w| {
        let w = w.as_str();
        is_metric_name(w)
            || TABLE_METRICS.contains(&w)
            || w.strip_prefix("macro-")
                .or_else(|| w.strip_prefix("micro-"))
                .is_some_and(is_metric_name)
            || w.strip_suffix("@1").is_some_and(|b| !b.is_empty())
    });
    let two = ws.windows(2).any(|p| {
        matches!(
            (p[0].as_str(), p[1].as_str()),
            ("exact", "match") | ("error", "rate") | ("average", "precision") | ("mean", "error")
        )
    });
    let units = header.contains('%') || header.contains('±');
    let key = normalize_key(header);
    let known = lexicon.get(&key).is_some_and(|t| t.ctype == ConceptType::Metric);
    named || two || units || known
}

/// The number a cell holds and its unit: `92.3`, `92.3%`, `0.87 ± 0.02`, `**93.1**`, `93.1*`,
/// `−1.5`; `None` for text, ranges, several numbers or an empty cell.
pub fn cell_value(cell: &str) -> Option<(f64, Option<String>)> {
    let mut t = cell.trim();
    // "0.87 ± 0.02", "0.87 +/- 0.02", "55.5 (42–75)": the value before the spread
    for sep in ["±", "+/-", "+-", " ("] {
        if let Some(i) = t.find(sep) {
            t = &t[..i];
        }
    }
    let t = t
        .trim()
        .trim_matches(|c: char| "*_†‡§¶^".contains(c) || c.is_whitespace());
    let (t, unit) = match t.strip_suffix('%') {
        Some(rest) => (rest.trim_end(), Some("%".to_string())),
        None => (t, None),
    };
    let t = t.trim_end_matches(|c: char| "*†‡§¶^".contains(c));
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    let cleaned: String = t
        .chars()
        .filter(|c| *c != ',')
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    if !cleaned.chars().any(|c| c.is_ascii_digit()) || cleaned.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let value = cleaned.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some((value, unit))
}

fn numeric(cell: &str) -> bool {
    cell_value(cell).is_some()
}

/// The header rows to read: those given, else the first row when it has words over numbers.
fn split_header<'a>(
    header: &'a [Vec<String>],
    rows: &'a [Vec<String>],
) -> (&'a [Vec<String>], &'a [Vec<String>], usize) {
    if !header.is_empty() || rows.len() < 2 {
        return (header, rows, 0);
    }
    let first = &rows[0];
    let filled: Vec<&String> = first.iter().filter(|c| !c.is_empty()).collect();
    let words = filled.iter().filter(|c| !numeric(c)).count();
    if !filled.is_empty() && words == filled.len() {
        (&rows[..1], &rows[1..], 1)
    } else {
        (header, rows, 0)
    }
}

/// Index of a row's label: its first non-empty, non-numeric cell.
fn label_col(row: &[String]) -> Option<usize> {
    row.iter().position(|c| !c.is_empty() && !numeric(c))
}

/// Where the table puts its methods: in columns when most row labels of the first column name
/// metrics and no column header does.
pub fn orientation(header: &[Vec<String>], rows: &[Vec<String>]) -> Orientation {
    orientation_with(header, rows, &Lexicon::empty())
}

fn orientation_with(header: &[Vec<String>], rows: &[Vec<String>], lexicon: &Lexicon) -> Orientation {
    let (header, rows, _) = split_header(header, rows);
    let labels: Vec<&String> = rows
        .iter()
        .take(MAX_ROWS)
        .filter_map(|r| r.first())
        .filter(|c| !c.is_empty())
        .collect();
    let metric_labels = labels.iter().filter(|l| names_metric(l, lexicon)).count();
    let metric_headers = header
        .iter()
        .flat_map(|r| r.iter().skip(1).take(MAX_COLS))
        .filter(|h| names_metric(h, lexicon))
        .count();
    if !labels.is_empty() && metric_labels * 2 > labels.len() && metric_headers == 0 {
        Orientation::MethodsInColumns
    } else {
        Orientation::MethodsInRows
    }
}

/// Concept key of a method or dataset name: the lexicon's expansion of an acronym, else
/// [`normalize_key`]; `None` for names without letters.
fn concept_key(name: &str, lexicon: &Lexicon) -> Option<String> {
    let name = name.trim_matches(|c: char| "*†‡§¶^".contains(c) || c.is_whitespace());
    if !name.chars().any(char::is_alphabetic) {
        return None;
    }
    if let Some(k) = lexicon.resolve_acronym(name) {
        return Some(k.to_string());
    }
    Some(normalize_key(name)).filter(|k| !k.is_empty())
}

/// The dataset or task a caption names: a Dataset (else Task) mention, else "on X", else
/// "X dataset/corpus/benchmark".
fn caption_dataset(caption: &str, lexicon: &Lexicon) -> Option<String> {
    if caption.trim().is_empty() {
        return None;
    }
    let mentions = extract(caption, lexicon).mentions;
    if let Some(m) = mentions
        .iter()
        .find(|m| m.ctype == ConceptType::Dataset)
        .or_else(|| mentions.iter().find(|m| m.ctype == ConceptType::Task))
    {
        return Some(m.key.clone());
    }
    let tokens: Vec<&str> = caption.split_whitespace().collect();
    let stop = |w: &str| {
        matches!(
            w.to_lowercase().as_str(),
            "and" | "with" | "for" | "using" | "in" | "of" | "by" | "across" | "when" | "where" | "under"
        )
    };
    for (i, w) in tokens.iter().enumerate() {
        if w.eq_ignore_ascii_case("on") {
            let mut name: Vec<&str> = Vec::new();
            for t in tokens.iter().skip(i + 1).take(5) {
                let clean = t.trim_end_matches([',', '.', ';', ':', ')']);
                if name.is_empty() && clean.eq_ignore_ascii_case("the") {
                    continue;
                }
                if stop(clean) || clean.is_empty() {
                    break;
                }
                name.push(clean);
                if clean.len() != t.len() {
                    break;
                }
            }
            let named = name
                .first()
                .is_some_and(|f| f.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()));
            if named {
                return concept_key(&name.join(" "), lexicon);
            }
        }
        let lw = w.trim_end_matches([',', '.', ';', ':', ')']).to_lowercase();
        if i > 0 && matches!(lw.as_str(), "dataset" | "datasets" | "corpus" | "benchmark") {
            let prev = tokens[i - 1].trim_start_matches('(');
            if prev.starts_with(|c: char| c.is_uppercase()) {
                return concept_key(prev, lexicon);
            }
        }
    }
    None
}

fn header_at(r: &[String], c: usize) -> &str {
    r.get(c).map(String::as_str).unwrap_or("")
}

/// The results of a table: one per numeric cell under a metric (see the module documentation).
/// `header` holds the header rows (may be empty: a first row of words over numbers is then taken
/// as the header), `rows` the body rows; `row` indices of the results count from the first body
/// row.
pub fn table_results(
    caption: &str,
    header: &[Vec<String>],
    rows: &[Vec<String>],
    lexicon: &Lexicon,
) -> Vec<TableResult> {
    let orientation = orientation_with(header, rows, lexicon);
    let (header, rows, offset) = split_header(header, rows);
    let from_caption = caption_dataset(caption, lexicon);
    let mut out = Vec::new();
    match orientation {
        Orientation::MethodsInRows => {
            let width = rows.iter().chain(header).map(Vec::len).max().unwrap_or(0).min(MAX_COLS);
            // per column: (metric, dataset from the header rows)
            let columns: Vec<Option<(String, Option<String>)>> = (0..width)
                .map(|c| {
                    let cells: Vec<&str> = header.iter().map(|r| header_at(r, c)).collect();
                    let m = cells.iter().rposition(|h| names_metric(h, lexicon))?;
                    let dataset = cells[..m]
                        .iter()
                        .rev()
                        .chain(cells[m + 1..].iter())
                        .find(|h| !h.is_empty() && **h != cells[m] && !names_metric(h, lexicon))
                        .and_then(|h| concept_key(h, lexicon));
                    Some((cells[m].to_string(), dataset))
                })
                .collect();
            for (r, row) in rows.iter().enumerate().take(MAX_ROWS) {
                let label = label_col(row);
                let method = label.and_then(|l| concept_key(&row[l], lexicon));
                for (c, cell) in row.iter().enumerate().take(width) {
                    if Some(c) == label {
                        continue;
                    }
                    let Some(Some((metric, dataset))) = columns.get(c) else {
                        continue;
                    };
                    let Some((value, unit)) = cell_value(cell) else {
                        continue;
                    };
                    out.push(TableResult {
                        row: r + offset,
                        col: c,
                        method: method.clone(),
                        dataset: dataset.clone().or_else(|| from_caption.clone()),
                        metric: metric.clone(),
                        value,
                        unit: unit.or_else(|| metric.contains('%').then(|| "%".to_string())),
                    });
                }
            }
        }
        Orientation::MethodsInColumns => {
            let width = rows.iter().chain(header).map(Vec::len).max().unwrap_or(0).min(MAX_COLS);
            // per column: (method, dataset) from the header rows, lowest row naming the method
            let columns: Vec<(Option<String>, Option<String>)> = (0..width)
                .map(|c| {
                    let cells: Vec<&str> = header
                        .iter()
                        .map(|r| header_at(r, c))
                        .filter(|h| !h.is_empty())
                        .collect();
                    let method = cells.last().and_then(|h| concept_key(h, lexicon));
                    let dataset = cells
                        .iter()
                        .rev()
                        .skip(1)
                        .find(|h| Some(**h) != cells.last().copied())
                        .and_then(|h| concept_key(h, lexicon));
                    (method, dataset)
                })
                .collect();
            for (r, row) in rows.iter().enumerate().take(MAX_ROWS) {
                let Some(metric) = row.first().filter(|m| names_metric(m, lexicon)) else {
                    continue;
                };
                for (c, cell) in row.iter().enumerate().take(width).skip(1) {
                    let Some((value, unit)) = cell_value(cell) else {
                        continue;
                    };
                    let (method, dataset) = columns.get(c).cloned().unwrap_or((None, None));
                    out.push(TableResult {
                        row: r + offset,
                        col: c,
                        method,
                        dataset: dataset.or_else(|| from_caption.clone()),
                        metric: metric.clone(),
                        value,
                        unit: unit.or_else(|| metric.contains('%').then(|| "%".to_string())),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_values() {
        assert_eq!(cell_value("92.3"), Some((92.3, None)));
        assert_eq!(cell_value("92.3%"), Some((92.3, Some("%".into()))));
        assert_eq!(cell_value("0.87 ± 0.02"), Some((0.87, None)));
        assert_eq!(cell_value("**93.1**"), Some((93.1, None)));
        assert_eq!(cell_value("93.1*"), Some((93.1, None)));
        assert_eq!(cell_value("−1.5"), Some((-1.5, None)));
        assert_eq!(cell_value("1,234"), Some((1234.0, None)));
        assert_eq!(cell_value("55.5 (42–75)"), Some((55.5, None)));
        assert_eq!(cell_value("84.2 88.4 91.5"), None);
        assert_eq!(cell_value("5/7"), None);
        assert_eq!(cell_value("BERT"), None);
        assert_eq!(cell_value(""), None);
        assert_eq!(cell_value("-37.9 to 26.7"), None);
    }

    #[test]
    fn metric_headers() {
        let l = Lexicon::empty();
        for h in [
            "F1",
            "BLEU",
            "Accuracy (%)",
            "MAP",
            "nDCG",
            "EM",
            "Macro-F1",
            "ICC",
            "Cronbach's alpha",
            "P@1",
        ] {
            assert!(names_metric(h, &l), "{h}");
        }
        for h in [
            "# params",
            "#Params (M)",
            "Year",
            "n",
            "Model",
            "Subjects",
            "p",
            "Training signal",
            "",
        ] {
            assert!(!names_metric(h, &l), "{h}");
        }
    }
}
