//! The Paper model every parser produces: plain data, no behaviour beyond small helpers.

use serde::{Deserialize, Serialize};

/// One scholarly record as a parser read it from a source file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Paper {
    /// External identifiers; the store derives the paper's IRI from the strongest one.
    pub ids: Identifiers,
    /// The title, whitespace-normalised, without markup.
    pub title: String,
    /// Authors in byline order.
    pub authors: Vec<Author>,
    /// Publication year, when the source has one.
    pub year: Option<i32>,
    /// Fuller publication date as the source gives it (ISO 8601 prefix when possible).
    pub date: Option<String>,
    /// Journal, conference or archive name.
    pub venue: Option<String>,
    /// The abstract as plain text; paragraphs separated by a blank line.
    pub abstract_text: Option<String>,
    /// Body sections in document order (nested sections flattened, headings kept as a path).
    pub sections: Vec<Section>,
    /// The bibliography.
    pub references: Vec<Reference>,
    /// Author keywords and subject categories the source carries.
    pub keywords: Vec<String>,
    /// Controlled-vocabulary concepts the source itself assigns (MeSH headings, arXiv categories,
    /// OpenAlex concepts…), each marked with its scheme.
    #[serde(default)]
    pub subjects: Vec<Subject>,
    /// Licence statement or URL, when the source has one.
    pub license: Option<String>,
    /// Tables with their cells, for the formats that carry them (JATS, GROBID TEI); at most
    /// [`MAX_TABLES`] per paper.
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Retraction, correction and update signals the source carries about this record, or,
    /// when the record is itself such a notice, about the records it is a notice of.
    #[serde(default)]
    pub status: PublicationStatus,
}

/// What a source says about a record's standing: whether it is retracted, and the notices
/// (retractions, corrections, updates, expressions of concern) that link it to other records.
///
/// A parser reports only what the record states; putting a notice and the paper it names
/// together (by identifier, in either order) is the store's work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationStatus {
    /// The source marks this record itself as retracted (MEDLINE `PublicationType` "Retracted
    /// Publication", OpenAlex `is_retracted`).
    #[serde(default)]
    pub retracted: bool,
    /// Links to notices this record is, or that were published about it, in source order.
    #[serde(default)]
    pub notices: Vec<Notice>,
}

impl PublicationStatus {
    /// Whether the source says nothing about the record's standing.
    pub fn is_empty(&self) -> bool {
        !self.retracted && self.notices.is_empty()
    }
}

/// One link between a notice and the record it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// What kind of notice.
    pub kind: NoticeKind,
    /// Which end of the link this record is.
    pub role: NoticeRole,
    /// Identifiers of the record at the other end (possibly none: MEDLINE lists many errata by
    /// their printed citation only).
    pub other: Identifiers,
    /// The other record as the source prints it (MEDLINE `RefSource`, a JATS
    /// `related-article`'s title), when given.
    pub citation: Option<String>,
    /// When the notice appeared (ISO 8601 prefix), when the source says.
    pub date: Option<String>,
}

/// Kinds of notice about a published record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// The record is withdrawn: its findings should not be relied on.
    Retraction,
    /// An erratum or correction of the record.
    Correction,
    /// A newer version or update of the record (MEDLINE `UpdateIn`, Crossref updates that are
    /// neither retractions nor corrections).
    Update,
    /// An editor's expression of concern about the record.
    ExpressionOfConcern,
}

impl NoticeKind {
    /// The kind's name: `retraction`, `correction`, `update`, `expression-of-concern`.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Retraction => "retraction",
            NoticeKind::Correction => "correction",
            NoticeKind::Update => "update",
            NoticeKind::ExpressionOfConcern => "expression-of-concern",
        }
    }

    /// The kind a source's label names (`retraction`, `Retracted`, `erratum`, `correction`,
    /// `expression_of_concern`, `update`…), if any.
    pub fn from_label(label: &str) -> Option<Self> {
        let l = label.to_ascii_lowercase();
        if l.contains("retract") || l.contains("withdraw") {
            Some(NoticeKind::Retraction)
        } else if l.contains("correct") || l.contains("errat") {
            Some(NoticeKind::Correction)
        } else if l.contains("concern") {
            Some(NoticeKind::ExpressionOfConcern)
        } else if l.contains("update") || l.contains("addendum") {
            Some(NoticeKind::Update)
        } else {
            None
        }
    }
}

/// Which end of a notice link a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeRole {
    /// This record is the notice; the other record is the one it retracts or corrects
    /// (MEDLINE `RetractionOf`, JATS `retracted-article`, Crossref `update-to`).
    NoticeOf,
    /// The other record is a notice about this one (MEDLINE `RetractionIn`, Crossref
    /// `updated-by`).
    NoticeIn,
}

/// Most tables kept per paper.
pub const MAX_TABLES: usize = 100;
/// Most rows (header and body together) kept per table.
pub const MAX_TABLE_ROWS: usize = 200;
/// Most columns kept per row.
pub const MAX_TABLE_COLS: usize = 50;

/// A table as the source gives it: caption and cells as plain text, header rows first.
///
/// Cell text is whitespace-normalised; a cell spanning several columns is repeated in each so
/// that columns line up. At most [`MAX_TABLE_ROWS`] rows and [`MAX_TABLE_COLS`] columns are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The label as printed ("Table 2"), when the source has one.
    pub label: Option<String>,
    /// The caption (title and text) as plain text; empty when there is none.
    pub caption: String,
    /// Header rows (`thead`, or rows of header cells only), top first.
    pub header: Vec<Vec<String>>,
    /// Body rows, top first.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Appends a row of `(text, colspan)` cells: text normalised, spans expanded by repetition,
    /// bounded to [`MAX_TABLE_COLS`] columns; rows past [`MAX_TABLE_ROWS`] are dropped.
    pub fn push_row<I, S>(&mut self, cells: I, header: bool)
    where
        I: IntoIterator<Item = (S, usize)>,
        S: AsRef<str>,
    {
        if self.header.len() + self.rows.len() >= MAX_TABLE_ROWS {
            return;
        }
        let mut row: Vec<String> = Vec::new();
        for (text, span) in cells {
            let text = normalize_ws(text.as_ref());
            for _ in 0..span.clamp(1, MAX_TABLE_COLS) {
                if row.len() >= MAX_TABLE_COLS {
                    break;
                }
                row.push(text.clone());
            }
            if row.len() >= MAX_TABLE_COLS {
                break;
            }
        }
        if row.is_empty() {
            return;
        }
        if header {
            self.header.push(row);
        } else {
            self.rows.push(row);
        }
    }

    /// Whether the table has no cells at all.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.rows.is_empty()
    }
}

/// A controlled-vocabulary concept a source assigns to a paper, marked with its origin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The vocabulary: `mesh`, `openalex-concept`, `openalex-topic`, `arxiv`, `acl-venue`,
    /// `keyword`…
    pub scheme: String,
    /// The concept's id in its vocabulary (`D000818`, `C41008148`), when the source gives one.
    pub id: Option<String>,
    /// The concept's label as the source prints it.
    pub label: String,
}

impl Subject {
    /// A subject of `scheme` with an optional id and a label.
    pub fn new(scheme: &str, id: Option<String>, label: impl Into<String>) -> Self {
        Subject {
            scheme: scheme.to_string(),
            id,
            label: label.into(),
        }
    }
}

/// External identifiers of a paper or a reference, each normalised by its parser
/// (DOI lower-cased without a resolver prefix, arXiv id without version, PMC id with `PMC`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifiers {
    /// Digital Object Identifier, e.g. `10.1371/journal.pone.0000001`.
    pub doi: Option<String>,
    /// arXiv identifier without version, e.g. `0704.0001` or `hep-th/9901001`.
    pub arxiv: Option<String>,
    /// PubMed id (digits).
    pub pmid: Option<String>,
    /// PubMed Central id, e.g. `PMC1234567`.
    pub pmcid: Option<String>,
    /// ACL Anthology id, e.g. `P19-1001`.
    pub acl: Option<String>,
    /// OpenAlex work id, e.g. `W2741809807`.
    pub openalex: Option<String>,
    /// An id only meaningful inside one collection (a BEIR corpus `_id`).
    pub corpus: Option<CorpusId>,
}

impl Identifiers {
    /// Whether no identifier at all is known.
    pub fn is_empty(&self) -> bool {
        self == &Identifiers::default()
    }
}

/// An identifier local to a named collection, e.g. SciFact document `4983`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusId {
    /// The collection's name, e.g. `scifact`.
    pub collection: String,
    /// The record's id inside the collection.
    pub id: String,
}

/// A person in a byline or a reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The name as displayed ("Ada Lovelace").
    pub name: String,
    /// Given names, when the source separates them.
    pub given: Option<String>,
    /// Family name, when the source separates it.
    pub family: Option<String>,
    /// ORCID iD (`0000-0002-1825-0097`), when given.
    pub orcid: Option<String>,
}

impl Author {
    /// An author known only by a display name.
    pub fn named(name: impl Into<String>) -> Self {
        Author {
            name: name.into(),
            ..Author::default()
        }
    }
}

/// A body section: its heading and its paragraphs of plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading as printed; for nested sections, the innermost heading.
    pub heading: String,
    /// Nesting depth, 1 for top-level sections.
    pub level: u8,
    /// Paragraphs of plain text, markup removed, whitespace normalised.
    pub paragraphs: Vec<String>,
}

/// One entry of a bibliography.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The label or key in the citing paper ("12", "smith2020").
    pub label: Option<String>,
    /// Identifiers of the cited work, when the reference gives them.
    pub ids: Identifiers,
    /// Title of the cited work.
    pub title: Option<String>,
    /// Authors of the cited work.
    pub authors: Vec<String>,
    /// Year of the cited work.
    pub year: Option<i32>,
    /// Where the cited work appeared.
    pub venue: Option<String>,
    /// The reference as printed, when the source has a flat form.
    pub raw: Option<String>,
}

/// Collapses runs of whitespace into single spaces and trims the ends.
pub fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Normalises a DOI: lower case, no resolver prefix or `doi:` scheme.
pub fn normalize_doi(s: &str) -> Option<String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let stripped = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))
    .unwrap_or(&lower)
    .trim();
    stripped.starts_with("10.").then(|| stripped.to_string())
}

/// Normalises an arXiv id: no `arXiv:` prefix, no version suffix.
pub fn normalize_arxiv(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t
        .strip_prefix("arXiv:")
        .or_else(|| t.strip_prefix("arxiv:"))
        .unwrap_or(t);
    let t = t
        .trim_start_matches("https://arxiv.org/abs/")
        .trim_start_matches("http://arxiv.org/abs/");
    let base = match t.rfind('v') {
        Some(i) if i > 0 && t[i + 1..].chars().all(|c| c.is_ascii_digit()) && i + 1 < t.len() => &t[..i],
        _ => t,
    };
    (!base.is_empty()).then(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doi_normalisation() {
        assert_eq!(
            normalize_doi("https://doi.org/10.1371/Journal.PONE.1"),
            Some("10.1371/journal.pone.1".into())
        );
        assert_eq!(normalize_doi("doi:10.1/x"), Some("10.1/x".into()));
        assert_eq!(normalize_doi("not a doi"), None);
    }

    #[test]
    fn arxiv_normalisation() {
        assert_eq!(normalize_arxiv("arXiv:0704.0001v2"), Some("0704.0001".into()));
        assert_eq!(normalize_arxiv("hep-th/9901001"), Some("hep-th/9901001".into()));
        assert_eq!(normalize_arxiv("hep-th/9901001v1"), Some("hep-th/9901001".into()));
    }

    #[test]
    fn table_rows_expand_spans_and_are_bounded() {
        let mut t = Table::default();
        t.push_row([("Model", 1), (" F1 \n score", 2)], true);
        assert_eq!(t.header, vec![vec!["Model", "F1 score", "F1 score"]]);
        t.push_row([("x", 1000)], false);
        assert_eq!(t.rows[0].len(), MAX_TABLE_COLS);
        for _ in 0..MAX_TABLE_ROWS * 2 {
            t.push_row([("y", 1)], false);
        }
        assert_eq!(t.header.len() + t.rows.len(), MAX_TABLE_ROWS);
        t.push_row(Vec::<(String, usize)>::new(), false);
        assert!(!t.is_empty());
    }

    #[test]
    fn notice_kinds_from_labels() {
        let kinds: Vec<_> = [
            "Retraction",
            "erratum",
            "Correction",
            "expression_of_concern",
            "new_version",
            "update",
        ]
        .into_iter()
        .map(NoticeKind::from_label)
        .collect();
        use NoticeKind::*;
        assert_eq!(
            kinds,
            [
                Some(Retraction),
                Some(Correction),
                Some(Correction),
                Some(ExpressionOfConcern),
                None,
                Some(Update)
            ]
        );
    }

    #[test]
    fn whitespace() {
        assert_eq!(normalize_ws("  a \n b\tc "), "a b c");
    }
}
