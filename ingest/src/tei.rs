//! GROBID TEI XML (`http://www.tei-c.org/ns/1.0`): one paper per document.
//!
//! From a GROBID full-text or header result: the title (`teiHeader/fileDesc/titleStmt/title`),
//! the authors, identifiers and venue of `sourceDesc/biblStruct`, the abstract and keywords of
//! `profileDesc`, the body `div`s as sections (level from the numbering of `head/@n`, else from
//! nesting), figure and table captions (`head` + `figDesc`) as paragraphs where they stand (those
//! GROBID puts after the last `div` go into a section [`FLOATS_HEADING`]), body footnotes as
//! paragraphs, and `back` bibliography entries (`biblStruct`) as references. Back-matter `div`s
//! other than the bibliography (acknowledgements, annexes) are sections too.
//!
//! Tables (`figure[@type=table]`) go to [`Paper::tables`] as well: label from `head` (else
//! `label`), caption from `figDesc` (else `note`), cells from `table/row/cell` with `@cols` spans
//! expanded. GROBID marks no header rows, so the first row counts as a header when most of its
//! cells are not numbers while most cells below it (row labels aside) are.
//!
//! GROBID training files (root `tei` in lower case) are read as well: their `front` gives the
//! title (`docTitle/titlePart`) and abstract (`div[@type=abstract]`), and a `text` without `body`
//! is walked as the body, each `head` starting a section. Files whose root is not `TEI`/`tei`
//! (e.g. the `citations` training files) are errors.
//!
//! XML rules are those of the other XML parsers: predefined, numeric and common named character
//! references decoded, DTD entities never expanded, nesting bounded by [`crate::xml::MAX_DEPTH`].

use crate::beir::normalize_pmcid;
use crate::dates::{leading_year, year_in};
use crate::error::{Location, ParseError};
use crate::model::{normalize_arxiv, normalize_doi, Author, Identifiers, Paper, Reference, Section, Table, MAX_TABLES};
use crate::xml::{self, read_document, text_with, Element, TextRules};
use crate::Record;

/// Heading of the section holding paragraphs that stand before any headed `div`.
pub const BODY_HEADING: &str = "Body";

/// Heading of the section holding the figure and table captions GROBID puts after the body text.
pub const FLOATS_HEADING: &str = "Figures and tables";

/// Parses one TEI document; yields exactly one result, located at byte 0.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || parse_document(name, bytes))
}

/// Parses one TEI document into a record; errors carry the byte offset where reading failed.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let root = read_document(name, bytes, 0, "TEI", None, |r| r.eq_ignore_ascii_case("tei"))?;
    Ok(Record {
        paper: extract(&root),
        location: Location::byte(0),
    })
}

/// Running text: `lb` and blocks give spaces; graphics, tables and labels give nothing.
const RUNNING: TextRules = TextRules {
    skip: &[&["figure", "table", "graphic", "label"]],
    blocks: &["lb", "p", "head", "item", "cell", "row", "note", "s", "div"],
    ..xml::INLINE
};

/// Text of a bibliography entry: a space between elements.
const SPACED: TextRules = TextRules {
    skip: &[&["note"]],
    spaced: true,
    ..xml::INLINE
};

fn text(e: &Element) -> String {
    text_with(e, RUNNING)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn extract(root: &Element) -> Paper {
    let header = root.child("teiHeader");
    let file_desc = header.and_then(|h| h.child("fileDesc"));
    let source = file_desc
        .and_then(|f| f.child("sourceDesc"))
        .and_then(|s| s.child("biblStruct"));
    let text_el = root.child("text");
    let front = text_el.and_then(|t| t.child("front"));
    let title = file_desc
        .and_then(|f| f.child("titleStmt"))
        .and_then(|t| {
            t.children_named("title")
                .find(|e| e.attr_is("type", "main"))
                .or_else(|| t.child("title"))
        })
        .map(text)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            source
                .and_then(|s| s.child("analytic"))
                .and_then(|a| a.child("title"))
                .map(text)
        })
        .filter(|t| !t.is_empty())
        .or_else(|| front.and_then(|f| f.find("docTitle")).map(text))
        .unwrap_or_default();
    let mut paper = Paper {
        title,
        ..Paper::default()
    };

    if let Some(source) = source {
        let holder = source
            .child("analytic")
            .filter(|a| a.child("author").is_some())
            .or_else(|| source.child("monogr"));
        if let Some(holder) = holder {
            paper.authors = holder.children_named("author").filter_map(author).collect();
        }
        paper.ids = identifiers(source);
        let monogr = source.child("monogr");
        paper.venue = monogr
            .and_then(|m| m.children_named("title").find(|t| !t.attr_is("level", "a")))
            .map(text)
            .and_then(non_empty);
        let date = monogr
            .and_then(|m| m.child("imprint"))
            .and_then(|i| i.child("date"))
            .or_else(|| {
                file_desc
                    .and_then(|f| f.child("publicationStmt"))
                    .and_then(|p| p.child("date"))
            });
        if let Some((year, date)) = date.and_then(date_of) {
            paper.year = Some(year);
            paper.date = date;
        }
    }
    if paper.year.is_none() {
        let date = file_desc
            .and_then(|f| f.child("publicationStmt"))
            .and_then(|p| p.child("date"));
        if let Some((year, date)) = date.and_then(date_of) {
            paper.year = Some(year);
            paper.date = date;
        }
    }
    paper.license = file_desc
        .and_then(|f| f.child("publicationStmt"))
        .and_then(|p| p.find("licence"))
        .and_then(|l| l.attr("target").map(str::to_string).or_else(|| non_empty(text(l))));

    let profile = header.and_then(|h| h.child("profileDesc"));
    paper.abstract_text = profile
        .and_then(|p| p.child("abstract"))
        .and_then(abstract_text)
        .or_else(|| {
            let mut divs = Vec::new();
            if let Some(front) = front {
                front.collect(&["div"], &mut divs);
            }
            divs.into_iter()
                .find(|d| d.attr_is("type", "abstract"))
                .and_then(abstract_text)
        });
    let old_keywords = || source.and_then(|s| s.children_named("keywords").find(|k| k.attr("type").is_none()));
    if let Some(keywords) = profile.and_then(|p| p.find("keywords")).or_else(old_keywords) {
        let terms: Vec<String> = keywords
            .children_named("term")
            .map(text)
            .filter(|t| !t.is_empty())
            .collect();
        paper.keywords = if terms.is_empty() {
            text(keywords)
                .split([',', ';'])
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect()
        } else {
            terms
        };
    }

    let mut walker = Walker::default();
    if let Some(t) = text_el {
        match t.child("body") {
            Some(body) => walker.walk(body, 0, true),
            // Training files: the text itself, without its front and back.
            None => walker.walk(t, 0, true),
        }
        if let Some(back) = t.child("back") {
            walker.current = None;
            for div in back.children_named("div") {
                if !div.attr_is("type", "references") && div.child("listBibl").is_none() {
                    walker.walk_div(div, 0);
                }
            }
            let mut entries = Vec::new();
            back.collect(&["biblStruct"], &mut entries);
            paper.references = entries.into_iter().map(reference).collect();
        }
    }
    paper.sections = walker.sections;
    if let Some(t) = text_el {
        paper.tables = tables(t);
    }
    paper
}

// ---------------------------------------------------------------------------------------------
// Tables

/// The `figure[@type=table]`s of `text`, in document order.
fn tables(text_el: &Element) -> Vec<Table> {
    let mut figures = Vec::new();
    text_el.collect(&["figure"], &mut figures);
    figures
        .into_iter()
        .filter(|f| f.attr_is("type", "table"))
        .take(MAX_TABLES)
        .map(table)
        .collect()
}

fn table(figure: &Element) -> Table {
    let label = figure
        .child("head")
        .map(text)
        .map(|h| h.trim_end_matches([':', '.', ' ']).to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| {
            figure
                .child("label")
                .map(xml::text)
                .and_then(non_empty)
                .map(|l| format!("Table {l}"))
        });
    let caption = figure
        .child("figDesc")
        .map(text)
        .and_then(non_empty)
        .or_else(|| figure.child("note").map(text).and_then(non_empty))
        .unwrap_or_default();
    let mut out = Table {
        label,
        caption,
        ..Table::default()
    };
    let rows: Vec<Vec<(String, usize)>> = figure
        .child("table")
        .map(|t| {
            t.children_named("row")
                .map(|r| {
                    r.children_named("cell")
                        .map(|c| {
                            let span = c.attr("cols").and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1);
                            (text(c), span)
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    let header = first_row_is_header(&rows);
    for (i, row) in rows.into_iter().enumerate() {
        out.push_row(row, header && i == 0);
    }
    out
}

/// Whether a cell reads as a number: `92.3`, `-1.5%`, `**93.1**`, `0.87 ± 0.02`, `84.2 88.4`.
fn numeric(cell: &str) -> bool {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || "*_†‡§¶#".contains(c));
    let t = t.trim_start_matches(['+', '-', '−', '(']);
    let head: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    !head.is_empty() && head.parse::<f64>().is_ok()
}

/// GROBID gives no header rows: the first row is one when most of its cells are not numbers and
/// most cells of the rows below (the first column, of row labels, aside) are.
fn first_row_is_header(rows: &[Vec<(String, usize)>]) -> bool {
    let Some((first, rest)) = rows.split_first() else {
        return false;
    };
    let filled: Vec<&str> = first
        .iter()
        .map(|(t, _)| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let words = filled.iter().filter(|t| !numeric(t)).count();
    if filled.is_empty() || words * 2 <= filled.len() {
        return false;
    }
    let below: Vec<&str> = rest
        .iter()
        .flat_map(|r| r.iter().skip(usize::from(r.len() > 1)))
        .map(|(t, _)| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let numbers = below.iter().filter(|t| numeric(t)).count();
    !below.is_empty() && numbers * 2 > below.len()
}

fn author(a: &Element) -> Option<Author> {
    let pers = a.child("persName")?;
    let given: Vec<String> = pers
        .children_named("forename")
        .map(text)
        .filter(|f| !f.is_empty())
        .collect();
    let given = non_empty(given.join(" "));
    let family = pers.child("surname").map(text).and_then(non_empty);
    let name = match (&given, &family) {
        (Some(g), Some(f)) => format!("{g} {f}"),
        (Some(g), None) => g.clone(),
        (None, Some(f)) => f.clone(),
        (None, None) => non_empty(text(pers))?,
    };
    let orcid = a
        .children_named("idno")
        .find(|i| i.attr_is("type", "ORCID"))
        .map(|i| {
            let t = text(i);
            t.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .and_then(non_empty);
    Some(Author {
        name,
        given,
        family,
        orcid,
    })
}

/// `idno` values anywhere in `bibl` (not in nested `relatedItem`s): DOI, arXiv, PMID, PMCID;
/// an untyped `abs/1234.5678` (CoRR) is an arXiv id.
fn identifiers(bibl: &Element) -> Identifiers {
    let mut ids = Identifiers::default();
    let mut idnos = Vec::new();
    bibl.collect(&["idno", "ptr"], &mut idnos);
    for idno in idnos {
        let value = if idno.local() == "ptr" {
            idno.attr("target").unwrap_or_default().to_string()
        } else {
            text(idno)
        };
        let kind = idno.attr("type").unwrap_or_default().to_ascii_lowercase();
        match kind.as_str() {
            "doi" => set(&mut ids.doi, normalize_doi(&value)),
            "arxiv" => set(&mut ids.arxiv, normalize_arxiv(value.trim_start_matches("arXiv:"))),
            "pmid" => set(
                &mut ids.pmid,
                Some(value.trim().to_string()).filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())),
            ),
            "pmcid" | "pmc" => set(&mut ids.pmcid, normalize_pmcid(&value)),
            _ => {
                if let Some(a) = value.trim().strip_prefix("abs/") {
                    set(&mut ids.arxiv, arxiv_like(a));
                } else if let Some(a) = value.split("arxiv.org/abs/").nth(1) {
                    set(&mut ids.arxiv, arxiv_like(a));
                } else if kind.is_empty() || kind == "url" {
                    set(&mut ids.doi, value.split("doi.org/").nth(1).and_then(normalize_doi));
                }
            }
        }
    }
    ids
}

fn set(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// A new-style (`1234.56789`) or old-style (`hep-th/9901001`) arXiv id, version removed.
fn arxiv_like(s: &str) -> Option<String> {
    let id = normalize_arxiv(s.trim())?;
    let new_style = id.split_once('.').is_some_and(|(a, b)| {
        a.len() == 4 && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
    });
    let old_style = id
        .split_once('/')
        .is_some_and(|(_, n)| n.len() == 7 && n.bytes().all(|c| c.is_ascii_digit()));
    (new_style || old_style).then_some(id)
}

/// Year and ISO date from `date/@when`, else the year printed in the text.
fn date_of(d: &Element) -> Option<(i32, Option<String>)> {
    if let Some(when) = d.attr("when").map(str::trim).filter(|w| !w.is_empty()) {
        if let Some(year) = leading_year(when) {
            return Some((year, Some(when.to_string())));
        }
    }
    year_in(&text(d)).map(|y| (y, None))
}

/// Paragraphs of an abstract, each `div` with a `head` leading its first paragraph.
fn abstract_text(a: &Element) -> Option<String> {
    let mut walker = Walker {
        loose_heading: "",
        ..Walker::default()
    };
    walker.walk(a, 0, false);
    let mut paragraphs = Vec::new();
    for section in walker.sections {
        for (i, p) in section.paragraphs.into_iter().enumerate() {
            if i == 0 && !section.heading.is_empty() {
                let sep = if section.heading.ends_with(['.', ':', '?', '!']) {
                    " "
                } else {
                    ": "
                };
                paragraphs.push(format!("{}{sep}{p}", section.heading));
            } else {
                paragraphs.push(p);
            }
        }
    }
    if paragraphs.is_empty() {
        // Training files: the text stands directly in the abstract's `div`.
        return non_empty(text_with(
            a,
            TextRules {
                skip: &[&["head", "figure", "label"]],
                ..RUNNING
            },
        ));
    }
    Some(paragraphs.join("\n\n"))
}

/// `Table 1: Caption.` from a `figure`'s `head` (or `label`) and `figDesc`.
fn caption(figure: &Element) -> Option<String> {
    let head = figure
        .child("head")
        .map(text)
        .map(|h| h.trim_end_matches([':', ' ']).to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| figure.child("label").map(xml::text).and_then(non_empty));
    let desc = figure
        .child("figDesc")
        .map(text)
        .and_then(non_empty)
        .or_else(|| figure.child("note").map(text).and_then(non_empty));
    match (head, desc) {
        (Some(h), Some(d)) => Some(format!("{h}: {d}")),
        (None, Some(d)) => Some(d),
        (Some(h), None) => Some(h),
        (None, None) => None,
    }
}

struct Walker {
    sections: Vec<Section>,
    current: Option<usize>,
    loose_heading: &'static str,
}

impl Default for Walker {
    fn default() -> Self {
        Walker {
            sections: Vec::new(),
            current: None,
            loose_heading: BODY_HEADING,
        }
    }
}

impl Walker {
    fn start(&mut self, heading: String, level: u8) {
        self.sections.push(Section {
            heading,
            level: level.max(1),
            paragraphs: Vec::new(),
        });
        self.current = Some(self.sections.len() - 1);
    }

    fn paragraph(&mut self, text: String, level: u8) {
        if text.is_empty() {
            return;
        }
        if self.current.is_none() {
            self.start(self.loose_heading.to_string(), level);
        }
        if let Some(s) = self.current.and_then(|i| self.sections.get_mut(i)) {
            s.paragraphs.push(text);
        }
    }

    /// A `div`: its `head` starts a section at the level its number gives (`2.1` → 2), else one
    /// below `depth`.
    fn walk_div(&mut self, div: &Element, depth: u8) {
        let head = div.child("head");
        let level = head
            .and_then(|h| h.attr("n"))
            .map(|n| n.trim().trim_end_matches('.'))
            .filter(|n| !n.is_empty() && n.split('.').all(|p| !p.is_empty() && p.len() <= 3))
            .map(|n| n.split('.').count().min(u8::MAX as usize) as u8)
            .unwrap_or_else(|| depth.saturating_add(1));
        if let Some(head) = head {
            self.start(text(head), level);
        }
        self.walk(div, level, false);
    }

    /// The block content of `container`, whose sections are at `depth + 1`. At the top of a body,
    /// figures after the last `div` go into [`FLOATS_HEADING`].
    fn walk(&mut self, container: &Element, depth: u8, top: bool) {
        let mut seen_div = false;
        let mut first_head = !top;
        for child in container.elements() {
            match child.local() {
                "div" | "div1" | "div2" | "div3" => {
                    seen_div = true;
                    self.walk_div(child, depth);
                }
                // A div's own head was taken by `walk_div`; later heads (training files) start
                // sections of their own.
                "head" => {
                    if first_head {
                        first_head = false;
                        continue;
                    }
                    self.start(text(child), depth.saturating_add(1));
                }
                "figure" => {
                    if top && seen_div && !self.in_floats() {
                        self.start(FLOATS_HEADING.to_string(), 1);
                    }
                    if let Some(c) = caption(child) {
                        self.paragraph(c, depth);
                    }
                }
                "listBibl" | "front" | "back" | "label" | "graphic" | "table" | "pb" | "lb" | "fw" => {}
                "list" => {
                    for item in child.elements() {
                        self.paragraph(text(item), depth);
                    }
                }
                "p" | "ab" | "formula" | "note" | "q" | "quote" => {
                    self.paragraph(text(child), depth);
                    let mut figures = Vec::new();
                    child.collect(&["figure"], &mut figures);
                    for f in figures {
                        if let Some(c) = caption(f) {
                            self.paragraph(c, depth);
                        }
                    }
                }
                "body" => self.walk(child, depth, top),
                _ if child.elements().any(|c| matches!(c.local(), "p" | "div" | "head")) => {
                    self.walk(child, depth, false)
                }
                _ => self.paragraph(text(child), depth),
            }
            if child.local() != "head" {
                first_head = false;
            }
        }
    }

    fn in_floats(&self) -> bool {
        self.current
            .and_then(|i| self.sections.get(i))
            .is_some_and(|s| s.heading == FLOATS_HEADING)
    }
}

fn reference(b: &Element) -> Reference {
    let analytic = b.child("analytic");
    let monogr = b.child("monogr");
    let title_of = |e: Option<&Element>| {
        e.and_then(|e| {
            e.children_named("title")
                .find(|t| t.attr_is("type", "main"))
                .or_else(|| e.child("title"))
        })
        .map(text)
        .and_then(non_empty)
    };
    let analytic_title = title_of(analytic);
    let monogr_title = title_of(monogr);
    let (title, venue) = match analytic_title {
        Some(t) => (Some(t), monogr_title),
        None => (monogr_title, None),
    };
    let holder = analytic
        .filter(|a| a.child("author").is_some())
        .or(monogr.filter(|m| m.child("author").is_some()));
    let authors = holder
        .map(|h| h.children_named("author").filter_map(author).map(|a| a.name).collect())
        .unwrap_or_default();
    let year = monogr
        .and_then(|m| m.child("imprint"))
        .and_then(|i| i.child("date"))
        .and_then(date_of)
        .map(|(y, _)| y);
    let raw = b
        .children_named("note")
        .find(|n| n.attr_is("type", "raw_reference"))
        .map(text)
        .and_then(non_empty)
        .or_else(|| non_empty(text_with(b, SPACED)));
    Reference {
        label: b.attr("xml:id").or_else(|| b.attr("id")).map(str::to_string),
        ids: identifiers(b),
        title,
        authors,
        year,
        venue,
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/tei");
    const N18: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/tei/N18-3011.tei.xml"
    ));

    fn paper(bytes: &[u8]) -> Paper {
        parse_document("test.tei.xml", bytes).unwrap().paper
    }

    fn fixture(name: &str) -> Paper {
        paper(&std::fs::read(format!("{FIXTURES}/{name}")).unwrap())
    }

    #[test]
    fn grobid_full_text() {
        let p = paper(N18);
        assert_eq!(p.title, "Construction of the Literature Graph in Semantic Scholar");
        assert_eq!(p.authors.len(), 23, "affiliation-only authors are not authors");
        assert_eq!(p.authors[0].name, "Waleed Ammar");
        assert_eq!(p.authors[18].name, "Lucy Lu Wang");
        assert_eq!(p.authors[18].family.as_deref(), Some("Wang"));
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("We describe a deployed scalable system for organizing published scientific literature"));
        let headings: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            &headings[..4],
            [
                ("Introduction", 1),
                ("Structure of The Literature Graph", 1),
                ("Node Types", 2),
                ("Edge Types", 2)
            ]
        );
        let intro = &p.sections[0].paragraphs[0];
        assert!(
            intro.ends_with("digital libraries (e.g., Wu et al., 2014), researchers remain unable to answer simple questions such as:"),
            "{intro}"
        );
        assert!(p
            .sections
            .iter()
            .any(|s| s.paragraphs.iter().any(|p| p.starts_with("g ! k D LSTM"))));
        assert_eq!(p.references.len(), 27);
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("b0"));
        assert_eq!(
            r.title.as_deref(),
            Some("The ai2 system at semeval-2017 task 10 (scienceie): semi-supervised end-to-end entity and relation extraction")
        );
        assert_eq!(
            r.authors,
            [
                "Waleed Ammar",
                "Matthew E Peters",
                "Chandra Bhagavatula",
                "Russell Power"
            ]
        );
        assert_eq!(
            (r.year, r.venue.as_deref()),
            (Some(2017), Some("ACL workshop (SemEval)"))
        );
        assert!(r
            .raw
            .as_deref()
            .unwrap()
            .starts_with("Waleed Ammar, Matthew E. Peters, Chandra Bhagavat- ula"));
        // A monograph-only entry: the title is the monograph's.
        let r = &p.references[1];
        assert_eq!(r.title.as_deref().map(|t| &t[..16]), Some("Semeval 2017 tas"));
        assert_eq!((r.venue.as_deref(), r.authors.len()), (None, 5));
    }

    #[test]
    fn grobid_full_text_with_figures_and_ids() {
        let p = fixture("2020.acl-main.207.tei.xml");
        assert_eq!(
            p.title,
            "SPECTER: Document-level Representation Learning using Citation-informed Transformers"
        );
        assert_eq!(p.authors[0].name, "Arman Cohan");
        let floats = p.sections.iter().find(|s| s.heading == FLOATS_HEADING).unwrap();
        assert!(
            floats
                .paragraphs
                .contains(&"Table 1: Results on the SCIDOCS evaluation suite consisting of 7 tasks.".to_string()),
            "{:#?}",
            floats.paragraphs
        );
        assert!(floats
            .paragraphs
            .contains(&"t-SNE visualization of paper embeddings and their corresponding MAG topics.".to_string()));
        let dois: Vec<&str> = p.references.iter().filter_map(|r| r.ids.doi.as_deref()).collect();
        assert!(dois.contains(&"10.18653/v1/d17-1070"), "{dois:?}");
        let arxiv: Vec<&str> = p.references.iter().filter_map(|r| r.ids.arxiv.as_deref()).collect();
        assert!(
            arxiv.contains(&"1806.01620") && arxiv.contains(&"1711.04168"),
            "{arxiv:?}"
        );
    }

    #[test]
    fn grobid_header_result() {
        let p = fixture("sample_header.tei");
        assert_eq!(
            p.title,
            "Bi-criteria Algorithm for Scheduling Jobs on Cluster Platforms"
        );
        assert_eq!(p.authors.len(), 4);
        assert_eq!(p.authors[1].name, "Lionel Eyraud-Dubois");
        assert_eq!(p.year, Some(2005));
        assert_eq!(p.abstract_text, None);
        assert_eq!(p.keywords[..2], ["Parallel Computing", "Algorithms"]);
        assert!(p.sections.is_empty());
    }

    #[test]
    fn training_files() {
        let p = fixture("003061v1.training.header.tei.xml");
        assert_eq!(
            p.title,
            "DNA methylation modulates transcription factor occupancy chiefly at sites of high intrinsic cell--type variability"
        );
        assert!(p
            .abstract_text
            .unwrap()
            .starts_with("The nuclear genome of every cell harbors millions"));
        let p = fixture("0070234.training.fulltext.tei.xml");
        assert_eq!(p.sections[0].heading, BODY_HEADING);
        assert!(p.sections[0].paragraphs[0].starts_with("The technologies stemming from the Internet promise to bring"));
        assert_eq!(p.sections[1].heading, "About Pediatrics");
        let e = parse_document("c.xml", b"<citations><bibl>x</bibl></citations>").unwrap_err();
        assert!(e.message.contains("not a TEI document"), "{e}");
    }

    #[test]
    fn synthetic_ids_dates_and_markup() {
        let xml = r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc>
<titleStmt><title level="a" type="main">A <hi rend="italic">B</hi> &amp; C&#x2082;</title></titleStmt>
<sourceDesc><biblStruct><analytic><author><persName><forename type="first">Jo</forename><surname>Doe</surname></persName><idno type="ORCID">https://orcid.org/0000-0002-1825-0097</idno></author>
<idno type="DOI">https://doi.org/10.1000/ABC</idno><idno type="arXiv">arXiv:2101.00001v2</idno><idno type="PMID">123</idno></analytic>
<monogr><title level="j">Journal X</title><imprint><date type="published" when="2019-05-02">May 2019</date></imprint></monogr></biblStruct></sourceDesc></fileDesc>
<profileDesc><textClass><keywords><term>alpha</term><term>beta</term></keywords></textClass>
<abstract><div><head>Background</head><p>One.</p></div><div><p>Two.</p></div></abstract></profileDesc></teiHeader>
<text><body><p>Loose &unknown;.</p><div><head>Intro</head><p>See <ref type="bibr">[1]</ref>.<figure><head>Fig. 2</head><figDesc>Inner.</figDesc></figure></p>
<div><head>Deeper</head><p>x</p></div></div></body>
<back><div type="acknowledgement"><div><head>Acknowledgements</head><p>Thanks.</p></div></div>
<div type="references"><listBibl><biblStruct xml:id="b0"><monogr><title>Only</title><imprint><date>1999</date></imprint></monogr><idno type="PMID">42</idno></biblStruct></listBibl></div></back></text></TEI>"#;
        let p = paper(xml.as_bytes());
        assert_eq!(p.title, "A B & C₂");
        assert_eq!(p.ids.doi.as_deref(), Some("10.1000/abc"));
        assert_eq!(p.ids.arxiv.as_deref(), Some("2101.00001"));
        assert_eq!(p.ids.pmid.as_deref(), Some("123"));
        assert_eq!(p.authors[0].orcid.as_deref(), Some("0000-0002-1825-0097"));
        assert_eq!((p.year, p.date.as_deref()), (Some(2019), Some("2019-05-02")));
        assert_eq!(p.venue.as_deref(), Some("Journal X"));
        assert_eq!(p.keywords, ["alpha", "beta"]);
        assert_eq!(p.abstract_text.as_deref(), Some("Background: One.\n\nTwo."));
        let s: Vec<(&str, u8, Vec<&str>)> = p
            .sections
            .iter()
            .map(|s| {
                (
                    s.heading.as_str(),
                    s.level,
                    s.paragraphs.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            s,
            [
                (BODY_HEADING, 1, vec!["Loose &unknown;."]),
                ("Intro", 1, vec!["See [1].", "Fig. 2: Inner."]),
                ("Deeper", 2, vec!["x"]),
                ("Acknowledgements", 2, vec!["Thanks."]),
            ]
        );
        let r = &p.references[0];
        assert_eq!(
            (r.title.as_deref(), r.year, r.ids.pmid.as_deref()),
            (Some("Only"), Some(1999), Some("42"))
        );
        assert_eq!(r.raw.as_deref(), Some("Only 1999 42"));
    }

    #[test]
    fn malformed_inputs() {
        for cut in [0, 10, 300, 5000, N18.len() / 2, N18.len() - 3] {
            let e = parse_document("cut.xml", &N18[..cut]).unwrap_err();
            assert!(e.location.byte.unwrap() <= cut as u64, "{e}");
        }
        let mut bad = N18.to_vec();
        let at = 2000;
        bad[at] = 0xff;
        let e = parse_document("bad.xml", &bad).unwrap_err();
        assert_eq!(e.location, Location::byte(at as u64));
        assert!(e.message.contains("UTF-8"));
        let deep = format!(
            "<TEI><text><body>{}{}</body></text></TEI>",
            "<div>".repeat(600),
            "</div>".repeat(600)
        );
        let e = parse_document("deep.xml", deep.as_bytes()).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        let ok = format!(
            "<TEI><text><body>{}<p>x</p>{}</body></text></TEI>",
            "<div>".repeat(400),
            "</div>".repeat(400)
        );
        assert_eq!(paper(ok.as_bytes()).sections[0].paragraphs, ["x"]);
        let lol = "<!DOCTYPE TEI [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><TEI><teiHeader><fileDesc><titleStmt><title>&b;</title></titleStmt></fileDesc></teiHeader></TEI>";
        assert_eq!(paper(lol.as_bytes()).title, "&b;");
        for i in (0..N18.len()).step_by(997) {
            let mut flipped = N18.to_vec();
            flipped[i] = b"<>&\"/"[i % 5];
            let _ = parse_document("flip.xml", &flipped);
        }
    }

    /// Parses every file of the shared GROBID folder (and the GROBID outputs of the S2ORC tests)
    /// when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_grobid_tei() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let root = std::path::Path::new(&root).join("papers");
        let mut paths = Vec::new();
        let mut stack = vec![root.join("grobid-tei")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.to_string_lossy().contains(".tei") || path.extension().is_some_and(|e| e == "xml") {
                    paths.push(path);
                }
            }
        }
        for f in ["N18-3011.tei.xml", "2020.acl-main.207.tei.xml"] {
            paths.push(root.join("s2orc-doc2json/tests/pdf").join(f));
        }
        paths.sort();
        let mut by_kind: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
        let mut unexpected = Vec::new();
        for path in &paths {
            let bytes = std::fs::read(path).unwrap();
            let name = path.to_string_lossy();
            let kind = ["citation", "header", "fulltext", "grobid-service", "s2orc"]
                .into_iter()
                .find(|k| name.contains(k))
                .unwrap_or("other")
                .to_string();
            let entry = by_kind.entry(kind.clone()).or_default();
            entry.0 += 1;
            match parse_document(&name, &bytes) {
                Ok(r) => {
                    entry.1 += 1;
                    if (kind == "s2orc" || name.contains("sample_header")) && r.paper.title.is_empty() {
                        unexpected.push(format!("{name}: no title"));
                    }
                }
                Err(e) => {
                    entry.2 += 1;
                    if kind != "citation" {
                        unexpected.push(e.to_string());
                    } else if std::env::var_os("HYPATIA_VERBOSE").is_some() {
                        eprintln!("{e}");
                    }
                }
            }
        }
        for (kind, (n, ok, err)) in &by_kind {
            eprintln!("tei {kind}: {n} files, {ok} parsed, {err} failed");
        }
        assert!(unexpected.is_empty(), "{unexpected:#?}");
    }

    #[test]
    fn grobid_tables() {
        let p = fixture("2020.acl-main.207.tei.xml");
        assert_eq!(p.tables.len(), 4);
        let t1 = &p.tables[0];
        assert_eq!(t1.label.as_deref(), Some("Table 1"));
        assert_eq!(
            t1.caption,
            "Results on the SCIDOCS evaluation suite consisting of 7 tasks."
        );
        assert!(t1.is_empty(), "GROBID gave no cells");
        assert_eq!(p.tables[1].label.as_deref(), Some("Table 2"));
        assert!(p.tables[1]
            .caption
            .starts_with("Ablations: Numbers are averages of metrics"));
        let t = &p.tables[2];
        assert_eq!(t.label, None);
        assert_eq!(t.header, [["Training signal", "CLS USR CITE REC All"]]);
        assert_eq!(t.rows, [["SPECTER", "84.2 88.4 91.5 36.9 80.0"]]);
        assert_eq!(p.tables[3].label.as_deref(), Some("Table 3"));
        // No `figure[@type=table]` in these.
        assert!(paper(N18).tables.is_empty());
        assert!(fixture("0070234.training.fulltext.tei.xml").tables.is_empty());
    }

    #[test]
    fn grobid_table_cells_and_header_guess() {
        let xml = br#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div><head>R</head><p>x</p></div>
<figure type="table"><head>Table 4 :</head><label>4</label><figDesc>F1 on two datasets.</figDesc>
<table><row><cell>Model</cell><cell cols="2">F1</cell></row>
<row><cell>Baseline</cell><cell>0.81</cell><cell>0.79</cell></row>
<row><cell>Neural</cell><cell>0.85*</cell><cell>0.84</cell></row></table></figure>
<figure type="table"><label>5</label><table><row><cell>a</cell><cell>b</cell></row>
<row><cell>c</cell><cell>d</cell></row></table></figure>
<figure><head>Figure 1</head></figure></body></text></TEI>"#;
        let p = paper(xml);
        assert_eq!(p.tables.len(), 2);
        let t = &p.tables[0];
        assert_eq!(t.label.as_deref(), Some("Table 4"));
        assert_eq!(t.caption, "F1 on two datasets.");
        assert_eq!(t.header, [["Model", "F1", "F1"]]);
        assert_eq!(t.rows[1], ["Neural", "0.85*", "0.84"]);
        let t = &p.tables[1];
        assert_eq!(t.label.as_deref(), Some("Table 5"));
        assert!(t.header.is_empty(), "words below: no header guessed");
        assert_eq!(t.rows.len(), 2);
        assert!(numeric("**93.1**") && numeric("-1.5%") && numeric("0.87 ± 0.02") && !numeric("BLEU"));
    }
}
