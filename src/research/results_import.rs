//! Imports experiment logs written as tables: the autoresearch `results.tsv` (commit, val_bpb,
//! memory_gb, status, description) as is, and any TSV or CSV with a column mapping.
//!
//! Without a mapping, columns are recognised by name: `description`, `status`, `commit` (or
//! `code_version`), `time` (or `date`, `timestamp`), `hypothesis`, `notes`; every other column is
//! a metric when all its non-empty cells are numbers (unit and split guessed from the name:
//! `memory_gb` is in GB, `val_bpb` is measured on the val split), else a parameter. A crashed row
//! of the autoresearch loop writes 0 for metrics it never measured; those zeros are dropped.
//! Rows are keyed by their content and position, so importing a file twice stores each run once.
//!
//! [`Follow`] tails a table a loop is still appending to (`hypatia experiments watch`): each poll
//! imports the complete rows of a file that changed, so every run is logged once, shortly after
//! its row is written, and a row still being written waits for its line end.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
use crate::embed::Embedder;
use crate::research::{self, Experiment, Metric, NewExperiment, RunStatus, Written};
use crate::store::Store;

/// What a column holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// The run's description.
    Description,
    /// keep / discard / crash.
    Status,
    /// Code version.
    CodeVersion,
    /// When it ran.
    Time,
    /// The hypothesis it tests (key or IRI).
    Hypothesis,
    /// Notes.
    Notes,
    /// A metric, with its unit and split.
    Metric {
        /// Unit.
        unit: Option<String>,
        /// Split.
        split: Option<String>,
    },
    /// A parameter.
    Parameter,
    /// Not imported.
    Ignore,
}

impl std::str::FromStr for Field {
    type Err = Error;

    /// `description`, `status`, `code_version`, `time`, `hypothesis`, `notes`, `parameter`,
    /// `ignore`, or `metric[:UNIT[:SPLIT]]`.
    fn from_str(s: &str) -> Result<Self> {
        let mut parts = s.trim().splitn(3, ':');
        let head = parts.next().unwrap_or("").to_ascii_lowercase();
        let opt = |p: Option<&str>| p.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
        Ok(match head.as_str() {
            "description" => Field::Description,
            "status" => Field::Status,
            "code_version" | "commit" => Field::CodeVersion,
            "time" => Field::Time,
            "hypothesis" => Field::Hypothesis,
            "notes" => Field::Notes,
            "parameter" => Field::Parameter,
            "ignore" => Field::Ignore,
            "metric" => Field::Metric {
                unit: opt(parts.next()),
                split: opt(parts.next()),
            },
            _ => {
                return Err(Error::invalid(
                    "map",
                    format!(
                        "`{s}`: expected description, status, code_version, time, hypothesis, notes, \
                         parameter, ignore or metric[:UNIT[:SPLIT]]"
                    ),
                ))
            }
        })
    }
}

/// The field names of a column mapping (`metric` takes `:UNIT:SPLIT` after it).
pub const FIELD_NAMES: [&str; 10] = [
    "description",
    "status",
    "code_version",
    "commit",
    "time",
    "hypothesis",
    "notes",
    "parameter",
    "ignore",
    "metric",
];

crate::common::fields::schema_type!(
    /// The schema of a mapping `COLUMN=FIELD` as [`Field`] reads it.
    ColumnMapping => {
        let ws = crate::common::fields::WHITESPACE;
        // Field names are matched without regard to ASCII case.
        let names: Vec<String> = FIELD_NAMES
            .iter()
            .map(|n| {
                n.chars()
                    .map(|c| match c.is_ascii_alphabetic() {
                        true => format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase()),
                        false => c.to_string(),
                    })
                    .collect()
            })
            .collect();
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(format!("`COLUMN=FIELD`, FIELD one of {}", FIELD_NAMES.join(", "))))
            .pattern(Some(format!(r"^[^=]*=[{ws}]*(?:{})(?::[\s\S]*)?[{ws}]*$", names.join("|"))))
            .build()
    }
);

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The agent the runs are attributed to.
    pub agent: String,
    /// A hypothesis every run tests (a `hypothesis` column overrides it per row).
    pub hypothesis: Option<String>,
    /// Column name → field, overriding recognition by name.
    pub mapping: BTreeMap<String, Field>,
    /// Field delimiter; guessed from the header line when `None` (tab, else comma).
    pub delimiter: Option<u8>,
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RowFailure {
    /// 1-based line of the file.
    pub line: u64,
    /// The column at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Runs stored now.
    pub imported: usize,
    /// Runs that were already stored (an earlier import of the same rows).
    pub already_present: usize,
    /// The experiment keys of imported and present rows, in file order.
    pub experiments: Vec<String>,
    /// Rows that were not imported, and why.
    pub failures: Vec<RowFailure>,
}

/// Imports a results table from `bytes` (`source` names it in errors).
pub fn import_results(
    store: &Store,
    embedder: &dyn Embedder,
    actor: &research::Actor,
    source: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<ImportReport> {
    import_results_acked(store, embedder, actor, source, bytes, opts, &mut |_, _| {})
}

/// A run a [`Follow`] poll saw for the first time.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowedRun {
    /// The row's 1-based line in the file.
    pub line: u64,
    /// The run.
    pub run: Experiment,
    /// `false` when the run was stored before this follow began (an earlier import or watch).
    pub created: bool,
}

/// What one [`Follow::poll`] of a changed file did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowStep {
    /// Runs of rows this follow had not seen, in file order.
    pub new_runs: Vec<FollowedRun>,
    /// Rows that failed and had not failed in an earlier poll (a row is reported once).
    pub new_failures: Vec<RowFailure>,
    /// The whole import of this poll (every complete row of the file).
    pub report: ImportReport,
}

/// Follows a results table that a loop appends to. Each [`poll`](Follow::poll) imports the
/// file's complete rows when its size or modification time changed since the last one; the bytes
/// after the last line end (a row being written) wait for the next poll. Importing is idempotent,
/// so a file rewritten or truncated in place is read again from the start without storing any run
/// twice.
#[derive(Debug)]
pub struct Follow {
    path: PathBuf,
    last: Option<(u64, Option<SystemTime>)>,
    seen: BTreeSet<String>,
    failed: BTreeSet<(u64, String)>,
}

impl Follow {
    /// Follows `path` (which need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            last: None,
            seen: BTreeSet::new(),
            failed: BTreeSet::new(),
        }
    }

    /// The followed file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Imports the file's complete rows if it changed; `None` when it did not, or does not exist
    /// yet, or holds no complete row beyond its header.
    pub fn poll(
        &mut self,
        store: &Store,
        embedder: &dyn Embedder,
        actor: &research::Actor,
        opts: &ImportOptions,
    ) -> Result<Option<FollowStep>> {
        let source = self.path.display().to_string();
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::invalid("file", format!("{source}: {e}"))),
        };
        let stamp = (meta.len(), meta.modified().ok());
        if self.last == Some(stamp) {
            return Ok(None);
        }
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::invalid("file", format!("{source}: {e}"))),
        };
        // Complete lines only: the header's and the rows'. A file with no line end yet is a
        // header still being written.
        let Some(end) = bytes.iter().rposition(|&b| b == b'\n') else {
            return Ok(None);
        };
        let complete = &bytes[..=end];
        let mut step = FollowStep::default();
        let seen = &mut self.seen;
        let new_runs = &mut step.new_runs;
        step.report = import_results_acked(store, embedder, actor, &source, complete, opts, &mut |line, w| {
            if seen.insert(w.record.key.clone()) {
                new_runs.push(FollowedRun {
                    line,
                    run: w.record.clone(),
                    created: w.created,
                });
            }
        })?;
        for f in &step.report.failures {
            if self.failed.insert((f.line, f.message.clone())) {
                step.new_failures.push(f.clone());
            }
        }
        // Only now: a poll that failed as a whole is retried on the next, changed or not.
        self.last = Some(stamp);
        Ok(Some(step))
    }
}

/// [`import_results`], calling `ack` with each row's line and run as soon as the run is durable
/// (for `hypatia experiments import --ack-log` and [`Follow`]).
pub fn import_results_acked(
    store: &Store,
    embedder: &dyn Embedder,
    actor: &research::Actor,
    source: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    ack: &mut dyn FnMut(u64, &Written<Experiment>),
) -> Result<ImportReport> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::invalid("file", format!("{source}: not UTF-8 at byte {}", e.valid_up_to())))?;
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = opts
        .delimiter
        .unwrap_or(if header_line.contains('\t') { b'\t' } else { b',' });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("file", format!("{source}: header line: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(Error::invalid("file", format!("{source}: empty header line")));
    }
    for name in opts.mapping.keys() {
        if !headers.contains(name) {
            return Err(Error::invalid(
                "map",
                format!("{source}: no column `{name}` (columns: {})", headers.join(", ")),
            ));
        }
    }
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut report = ImportReport::default();
    for rec in reader.records() {
        match rec {
            Ok(r) => rows.push((
                r.position().map_or(0, |p| p.line()),
                r.iter().map(str::to_string).collect(),
            )),
            Err(e) => report.failures.push(RowFailure {
                line: e.position().map_or(0, |p| p.line()),
                field: None,
                message: e.to_string(),
            }),
        }
    }
    let fields: Vec<Field> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            opts.mapping
                .get(h)
                .cloned()
                .unwrap_or_else(|| recognise(h, rows.iter().map(|(_, r)| r.get(i).map_or("", String::as_str))))
        })
        .collect();
    if !fields.contains(&Field::Status) {
        return Err(Error::invalid(
            "map",
            format!("{source}: no status column (name one `status` or map one with status)"),
        ));
    }
    for (line, row) in rows {
        if row.iter().all(String::is_empty) {
            continue;
        }
        report.rows += 1;
        match run_of_row(&headers, &fields, &row, line, opts) {
            Ok(x) => match research::log_experiment(store, embedder, actor, &x) {
                Ok(w) => {
                    ack(line, &w);
                    if w.created {
                        report.imported += 1;
                    } else {
                        report.already_present += 1;
                    }
                    report.experiments.push(w.record.key);
                }
                Err(Error::User(e)) => report.failures.push(RowFailure {
                    line,
                    field: None,
                    message: e.to_string(),
                }),
                Err(e) => return Err(e),
            },
            Err(f) => report.failures.push(f),
        }
    }
    Ok(report)
}

/// A field for a column by its name, and for other columns by whether its cells are numbers.
fn recognise<'a>(name: &str, mut cells: impl Iterator<Item = &'a str>) -> Field {
    let n = name.trim().to_ascii_lowercase();
    match n.as_str() {
        "description" | "desc" | "idea" => return Field::Description,
        "status" | "outcome" => return Field::Status,
        "commit" | "code_version" | "git_commit" | "revision" => return Field::CodeVersion,
        "time" | "date" | "timestamp" | "started" => return Field::Time,
        "hypothesis" => return Field::Hypothesis,
        "notes" | "note" | "comment" => return Field::Notes,
        _ => {}
    }
    let numeric = cells.all(|c| c.is_empty() || c.parse::<f64>().is_ok());
    if !numeric {
        return Field::Parameter;
    }
    let unit = [
        ("_gb", "GB"),
        ("_mb", "MB"),
        ("_kb", "KB"),
        ("_ms", "ms"),
        ("_seconds", "s"),
        ("_sec", "s"),
        ("_s", "s"),
        ("_pct", "%"),
        ("_percent", "%"),
    ]
    .iter()
    .find(|(suffix, _)| n.ends_with(suffix))
    .map(|(_, u)| u.to_string());
    let split = ["val", "valid", "dev", "test", "train"]
        .iter()
        .find(|s| n.starts_with(&format!("{s}_")) || n.ends_with(&format!("_{s}")))
        .map(|s| {
            if *s == "valid" {
                "val".to_string()
            } else {
                s.to_string()
            }
        });
    Field::Metric { unit, split }
}

fn run_of_row(
    headers: &[String],
    fields: &[Field],
    row: &[String],
    line: u64,
    opts: &ImportOptions,
) -> std::result::Result<NewExperiment, RowFailure> {
    let fail = |field: &str, message: String| RowFailure {
        line,
        field: Some(field.to_string()),
        message,
    };
    let mut x = NewExperiment {
        agent: opts.agent.clone(),
        description: String::new(),
        status: RunStatus::Keep,
        hypothesis: opts.hypothesis.clone(),
        code_version: None,
        parameters: BTreeMap::new(),
        metrics: Vec::new(),
        notes: None,
        artefacts: Vec::new(),
        time: None,
        idempotency_key: Some(format!("row {line}: {}", row.join("\u{1f}"))),
    };
    let mut status = None;
    for ((name, field), cell) in headers.iter().zip(fields).zip(row.iter().map(String::as_str)) {
        if cell.is_empty() {
            continue;
        }
        match field {
            Field::Description => x.description = cell.to_string(),
            Field::Status => status = Some(cell.parse::<RunStatus>().map_err(|e| fail(name, e.to_string()))?),
            Field::CodeVersion => x.code_version = Some(cell.to_string()),
            Field::Time => x.time = Some(cell.to_string()),
            Field::Hypothesis => x.hypothesis = Some(cell.to_string()),
            Field::Notes => x.notes = Some(cell.to_string()),
            Field::Parameter => {
                x.parameters.insert(name.clone(), cell.to_string());
            }
            Field::Metric { unit, split } => {
                let value: f64 = cell
                    .parse()
                    .map_err(|_| fail(name, format!("`{cell}` is not a number")))?;
                x.metrics.push(Metric {
                    name: name.clone(),
                    value,
                    unit: unit.clone(),
                    split: split.clone(),
                });
            }
            Field::Ignore => {}
        }
    }
    x.status = status.ok_or_else(|| fail("status", "empty".to_string()))?;
    if x.status == RunStatus::Crash {
        x.metrics.retain(|m| m.value != 0.0);
    }
    if x.description.is_empty() {
        x.description = match &x.code_version {
            Some(c) => format!("run at {c}"),
            None => format!("run on line {line}"),
        };
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_name_parses() {
        for n in FIELD_NAMES {
            assert!(n.parse::<Field>().is_ok(), "{n}");
            assert!(n.to_ascii_uppercase().parse::<Field>().is_ok(), "{n}");
        }
        assert!("nothing".parse::<Field>().is_err());
    }

    #[test]
    fn columns_are_recognised_by_name_and_content() {
        assert_eq!(recognise("commit", ["a1b2c3d"].into_iter()), Field::CodeVersion);
        assert_eq!(
            recognise("val_bpb", ["0.997", "1.002"].into_iter()),
            Field::Metric {
                unit: None,
                split: Some("val".into())
            }
        );
        assert_eq!(
            recognise("memory_gb", ["44.0", ""].into_iter()),
            Field::Metric {
                unit: Some("GB".into()),
                split: None
            }
        );
        assert_eq!(recognise("optimizer", ["adamw", "muon"].into_iter()), Field::Parameter);
    }

    #[test]
    fn mapping_fields_parse() {
        assert_eq!(
            "metric:GB:val".parse::<Field>().unwrap(),
            Field::Metric {
                unit: Some("GB".into()),
                split: Some("val".into())
            }
        );
        assert_eq!("commit".parse::<Field>().unwrap(), Field::CodeVersion);
        assert!("colour".parse::<Field>().is_err());
    }
}
