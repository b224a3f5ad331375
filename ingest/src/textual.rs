//! Heuristics shared by the sources that arrive as bare lines of text (plain text, text extracted
//! from PDF, Markdown reference lists): finding DOIs and arXiv ids in running text, recognising
//! section headings, and laying lines out into an abstract, sections and a bibliography.
//!
//! Everything here is a guess from the text alone; the rules are deliberately simple so that their
//! failures are easy to predict:
//!
//! - a **heading** is a line of at most 100 characters on its own that is either numbered
//!   (`1 Introduction`, `2.1. Methods`, `IV. RESULTS`; level = depth of the number, at most 12
//!   words, starting with an upper-case letter, not ending like a sentence), a well-known
//!   unnumbered heading (`Introduction`, `Methods`, `Conclusions`, `References`, …, optionally
//!   followed by `:`), or an all-capitals line of 1–6 words (`RELATED WORK`);
//! - the **abstract** starts at a line beginning with `Abstract` (any case) alone or followed by
//!   `:`, `.` or a dash;
//! - a heading `References`, `Bibliography`, `Literature cited` or `Works cited` opens the
//!   **bibliography**, whose entries start at `[n]`/`[key]` labels, at `n.` / `n ` numbers counting
//!   up, at blank lines, or otherwise at lines that follow a line ending with a period.

use crate::error::{Location, ParseError};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, Identifiers, Paper, Reference, Section};
use crate::s2orc::BODY_HEADING;

/// The text of a one-document source: UTF-8 without a byte-order mark, else an error located at
/// the first invalid byte (and its line).
pub(crate) fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        ParseError::new(
            name,
            Location::line(line, line_start as u64),
            format!("invalid UTF-8 at byte {at}"),
        )
    })
}

/// One bibliography entry from its text: a leading `[label]` or `n.` becomes the label; DOI,
/// arXiv id and year are looked for in the text.
pub(crate) fn reference_from(text: &str) -> Option<Reference> {
    let (label, rest) = match entry_label(text) {
        Some((label, rest)) => (Some(label), rest),
        None => (None, text),
    };
    let raw = normalize_ws(rest);
    (!raw.is_empty()).then(|| Reference {
        label,
        ids: ids_in(&raw),
        year: find_year(&raw),
        raw: Some(raw),
        ..Reference::default()
    })
}

/// The first DOI found in running text (`10.` + registrant + `/` + suffix), normalised; trailing
/// punctuation and an unbalanced closing bracket are not part of it.
pub(crate) fn find_doi(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|t| t.find("10.")) {
        let start = from + at;
        from = start + 3;
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let digits = bytes[start + 3..].iter().take_while(|b| b.is_ascii_digit()).count();
        if !(4..=9).contains(&digits) {
            continue;
        }
        let slash = start + 3 + digits;
        // `10.1234.5/x` registrant sub-divisions.
        let mut after = slash;
        while bytes.get(after) == Some(&b'.') && bytes.get(after + 1).is_some_and(u8::is_ascii_digit) {
            after += 1;
            after += bytes[after..].iter().take_while(|b| b.is_ascii_digit()).count();
        }
        if bytes.get(after) != Some(&b'/') {
            continue;
        }
        let suffix_start = after + 1;
        let len = text[suffix_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\u{201d}' | ','))
            .unwrap_or(text.len() - suffix_start);
        let mut doi = &text[start..suffix_start + len];
        loop {
            let trimmed = doi.trim_end_matches(['.', ';', ':', '\'', ']', '}']);
            let trimmed = if trimmed.ends_with(')') && trimmed.matches('(').count() < trimmed.matches(')').count() {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            if trimmed.len() == doi.len() {
                break;
            }
            doi = trimmed;
        }
        if doi.len() > suffix_start - start {
            return normalize_doi(doi);
        }
    }
    None
}

/// The archives of old-style arXiv ids (`hep-th/9901001`).
const OLD_ARCHIVES: &[&str] = &[
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg",
    "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math",
    "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
    "quant-ph", "solv-int", "supr-con",
];

/// The first arXiv id found in running text, without version: a new-style id (`2101.00001`)
/// only after `arXiv:`/`arXiv ` or an `arxiv.org/abs/` (or `/pdf/`) link; an old-style id
/// (`hep-ph/0304172`, `math.AG/0101001`) anywhere.
pub(crate) fn find_arxiv(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    // New style after a prefix.
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|t| t.find("arxiv")) {
        let mut pos = from + at + 5;
        from = pos;
        for prefix in [".org/abs/", ".org/pdf/"] {
            if lower[pos..].starts_with(prefix) {
                pos += prefix.len();
            }
        }
        while matches!(bytes.get(pos), Some(b':' | b' ')) {
            pos += 1;
        }
        if let Some(id) = new_style_at(&text[pos..]) {
            return Some(id);
        }
        if let Some(id) = old_style_at(&text[pos..]) {
            return Some(id);
        }
    }
    // Old style anywhere.
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|t| t.find('/')) {
        let slash = from + at;
        from = slash + 1;
        let start = text[..slash]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphabetic() || c == '-' || c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        if let Some(id) = old_style_at(&text[start..]) {
            return Some(id);
        }
    }
    None
}

/// A new-style arXiv id (`YYMM.NNNN` or `YYMM.NNNNN`, optional version) at the start of `s`.
fn new_style_at(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let head = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if head != 4 || b.get(4) != Some(&b'.') {
        return None;
    }
    let tail = b[5..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !(4..=5).contains(&tail) || b.get(5 + tail).is_some_and(u8::is_ascii_alphanumeric) && b[5 + tail] != b'v' {
        return None;
    }
    normalize_arxiv(&s[..5 + tail])
}

/// An old-style arXiv id (`archive[.XX]/YYMMNNN`) at the start of `s`.
fn old_style_at(s: &str) -> Option<String> {
    // The archive names are short: looking for the slash only nearby keeps a text with many
    // `arXiv` mentions linear.
    let slash = s.bytes().take(MAX_OLD_ARCHIVE + 1).position(|b| b == b'/')?;
    let archive = &s[..slash];
    let base = archive.split('.').next().unwrap_or_default();
    if !OLD_ARCHIVES.iter().any(|a| a.eq_ignore_ascii_case(base)) {
        return None;
    }
    let rest = &s.as_bytes()[slash + 1..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits != 7 || rest.get(7).is_some_and(|c| c.is_ascii_alphanumeric() && *c != b'v') {
        return None;
    }
    Some(format!("{}/{}", archive, &s[slash + 1..slash + 8]))
}

/// Longest archive name (with its subject class) before the slash of an old-style arXiv id.
const MAX_OLD_ARCHIVE: usize = 32;

/// The DOI and arXiv id found in `text`.
pub(crate) fn ids_in(text: &str) -> Identifiers {
    Identifiers {
        doi: find_doi(text),
        arxiv: find_arxiv(text),
        ..Identifiers::default()
    }
}

/// The first plausible publication year (1900–2099) standing alone in `text`.
pub(crate) fn find_year(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let w = &b[i..i + 4];
        let alone = (i == 0 || !b[i - 1].is_ascii_alphanumeric()) && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (alone && w.iter().all(u8::is_ascii_digit) && (w.starts_with(b"19") || w.starts_with(b"20")))
            .then(|| text[i..i + 4].parse().ok())
            .flatten()
    })
}

/// Unnumbered headings recognised by name (lower case, compared without a final `:` or `.`).
const KNOWN_HEADINGS: &[&str] = &[
    "abstract",
    "introduction",
    "background",
    "related work",
    "related works",
    "previous work",
    "method",
    "methods",
    "methodology",
    "materials and methods",
    "methods and materials",
    "experimental",
    "experiments",
    "experimental setup",
    "evaluation",
    "results",
    "findings",
    "discussion",
    "results and discussion",
    "analysis",
    "limitations",
    "conclusion",
    "conclusions",
    "concluding remarks",
    "summary",
    "future work",
    "conclusions and future work",
    "acknowledgements",
    "acknowledgments",
    "acknowledgement",
    "acknowledgment",
    "funding",
    "author contributions",
    "competing interests",
    "conflicts of interest",
    "data availability",
    "supplementary material",
    "supporting information",
    "appendix",
    "references",
    "bibliography",
    "literature cited",
    "works cited",
    "reference list",
];

/// Headings that open the bibliography.
const REFERENCE_HEADINGS: &[&str] = &[
    "references",
    "bibliography",
    "literature cited",
    "works cited",
    "reference list",
];

/// Headings that end a bibliography (what may follow it).
const AFTER_REFERENCES: &[&str] = &[
    "appendix",
    "supplementary material",
    "supporting information",
    "acknowledgements",
    "acknowledgments",
    "funding",
    "author contributions",
    "competing interests",
    "data availability",
];

fn heading_key(text: &str) -> String {
    normalize_ws(text.trim_end_matches([':', '.'])).to_lowercase()
}

/// Whether a heading's text names the bibliography.
pub(crate) fn is_references_heading(text: &str) -> bool {
    REFERENCE_HEADINGS.contains(&heading_key(text).as_str())
}

/// Whether a heading's text is `Abstract`.
pub(crate) fn is_abstract_heading(text: &str) -> bool {
    heading_key(text) == "abstract"
}

/// A heading recognised on a line of its own: its text (without the number) and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    /// The heading as printed, number removed.
    pub text: String,
    /// 1 for unnumbered and top-level numbered headings, the depth of the number otherwise.
    pub level: u8,
    /// Whether the heading had a number (`2.1`, `IV.`).
    pub numbered: bool,
}

/// The heading `line` is, if it looks like one.
pub(crate) fn heading(line: &str) -> Option<Heading> {
    let line = normalize_ws(line);
    if line.is_empty() || line.chars().count() > 100 {
        return None;
    }
    if let Some((level, rest)) = split_number(&line) {
        let words = rest.split(' ').count();
        let first = rest.chars().next()?;
        let sentence_end = rest.ends_with(['.', ',', ';']) && words > 4;
        if first.is_uppercase() && words <= 12 && !sentence_end && !rest.ends_with([',', ';']) && letters(rest) >= 3 {
            return Some(Heading {
                text: rest.trim_end_matches('.').to_string(),
                level,
                numbered: true,
            });
        }
        return None;
    }
    if KNOWN_HEADINGS.contains(&heading_key(&line).as_str()) {
        return Some(Heading {
            text: line.trim_end_matches([':', '.']).to_string(),
            level: 1,
            numbered: false,
        });
    }
    let words = line.split(' ').count();
    let all_caps = line
        .chars()
        .all(|c| c.is_uppercase() || c.is_ascii_digit() || " &-,:'()/".contains(c))
        && line.chars().filter(|c| c.is_alphabetic()).count() >= 4
        && !line.chars().next().is_some_and(|c| c.is_ascii_digit());
    (all_caps && words <= 6).then(|| Heading {
        text: line.trim_end_matches(':').to_string(),
        level: 1,
        numbered: false,
    })
}

fn letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphabetic()).count()
}

/// Splits a leading section number (`2`, `2.1`, `2.1.`, `IV.`, `A.` is not one) off `line`.
fn split_number(line: &str) -> Option<(u8, &str)> {
    let (number, rest) = line.split_once(' ')?;
    let number = number.strip_suffix('.').unwrap_or(number);
    if number.is_empty() {
        return None;
    }
    let parts: Vec<&str> = number.split('.').collect();
    if parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.len() <= 4
        && parts[0] != "0"
    {
        return Some((parts.len() as u8, rest.trim()));
    }
    // Roman numerals I–XX, only with a final period and an upper-case heading after.
    const ROMAN: [&str; 20] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
        "XVIII", "XIX", "XX",
    ];
    let dotted = line.split_once(' ')?.0.ends_with('.');
    (dotted && ROMAN.contains(&number)).then(|| (1, rest.trim()))
}

/// Whether `line` opens the abstract; returns the text after the `Abstract` marker.
pub(crate) fn abstract_start(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let head = t.get(..8)?;
    if !head.eq_ignore_ascii_case("abstract") {
        return None;
    }
    let rest = &t[8..];
    let after = rest.trim_start();
    if after.is_empty() {
        return Some("");
    }
    let mut chars = after.chars();
    match chars.next() {
        Some(':' | '.' | '\u{2014}' | '\u{2013}' | '-') => Some(chars.as_str().trim_start()),
        _ => None,
    }
}

/// Joins wrapped lines into one paragraph: a word hyphenated across a line break
/// (`investi-` + `gate`) is rejoined, other line breaks become spaces.
pub(crate) fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.as_ref().trim();
        if line.is_empty() {
            continue;
        }
        let rejoin = out.ends_with('-')
            && out[..out.len() - 1].chars().last().is_some_and(|c| c.is_lowercase())
            && line.chars().next().is_some_and(|c| c.is_lowercase());
        if rejoin {
            out.pop();
        } else if !out.is_empty() && !out.ends_with('-') && !out.ends_with('/') {
            out.push(' ');
        }
        out.push_str(line);
    }
    normalize_ws(&out)
}

/// How [`layout`] reads the lines before the first heading and the abstract.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// The abstract runs until the next heading (PDF) rather than to the end of its paragraph
    /// (plain text).
    pub abstract_until_heading: bool,
    /// Paragraphs before the first heading (other than the abstract) are kept in a section
    /// [`BODY_HEADING`] (plain text) rather than dropped as front matter (PDF: authors,
    /// affiliations, running heads).
    pub keep_front: bool,
}

/// What [`layout`] found.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// The abstract, paragraphs joined by a blank line.
    pub abstract_text: Option<String>,
    /// Body sections in order.
    pub sections: Vec<Section>,
    /// Bibliography entries.
    pub references: Vec<Reference>,
}

impl Layout {
    /// The paper of `title` and this layout; a DOI and arXiv id found in `front` are its own.
    pub fn into_paper(self, title: String, front: &str) -> Paper {
        Paper {
            ids: Identifiers {
                doi: find_doi(front),
                arxiv: find_arxiv(front),
                ..Identifiers::default()
            },
            title,
            abstract_text: self.abstract_text,
            sections: self.sections,
            references: self.references,
            ..Paper::default()
        }
    }
}

#[derive(PartialEq)]
enum Mode {
    Front,
    Abstract,
    Body,
    References,
}

/// Lays `lines` (the document after its title) out into abstract, sections and references.
pub(crate) fn layout<S: AsRef<str>>(lines: &[S], options: Options) -> Layout {
    let mut out = Layout::default();
    let mut mode = Mode::Front;
    let mut para: Vec<&str> = Vec::new();
    let mut abstract_paras: Vec<String> = Vec::new();
    let mut front: Vec<String> = Vec::new();
    let mut ref_lines: Vec<&str> = Vec::new();
    let mut abstract_seen = false;

    // Ends the current paragraph.
    fn flush(
        para: &mut Vec<&str>,
        mode: &Mode,
        abstract_paras: &mut Vec<String>,
        front: &mut Vec<String>,
        sections: &mut [Section],
    ) {
        let text = join_lines(para);
        para.clear();
        if text.is_empty() {
            return;
        }
        match mode {
            Mode::Front => front.push(text),
            Mode::Abstract => abstract_paras.push(text),
            Mode::Body => {
                if let Some(s) = sections.last_mut() {
                    s.paragraphs.push(text);
                }
            }
            Mode::References => {}
        }
    }

    for line in lines {
        let line = line.as_ref();
        let blank = line.trim().is_empty();
        if mode == Mode::References {
            let h = if blank { None } else { heading(line) };
            match h {
                Some(h) if !h.numbered && AFTER_REFERENCES.contains(&heading_key(&h.text).as_str()) => {
                    out.references.extend(split_references(&ref_lines));
                    ref_lines.clear();
                    mode = Mode::Body;
                    out.sections.push(Section {
                        heading: h.text,
                        level: h.level,
                        paragraphs: Vec::new(),
                    });
                }
                _ => ref_lines.push(line),
            }
            continue;
        }
        if blank {
            let was_marker_only = mode == Mode::Abstract && abstract_paras.is_empty() && para.is_empty();
            flush(&mut para, &mode, &mut abstract_paras, &mut front, &mut out.sections);
            // Plain text: the abstract is one paragraph (the one after a lone `Abstract` line).
            if mode == Mode::Abstract && !options.abstract_until_heading && !was_marker_only {
                mode = Mode::Body;
                if out.sections.last().is_none_or(|s| s.heading != BODY_HEADING) {
                    out.sections.push(body_section());
                }
            }
            continue;
        }
        if !abstract_seen && matches!(mode, Mode::Front | Mode::Body) {
            if let Some(rest) = abstract_start(line) {
                flush(&mut para, &mode, &mut abstract_paras, &mut front, &mut out.sections);
                abstract_seen = true;
                mode = Mode::Abstract;
                if !rest.is_empty() {
                    para.push(rest);
                }
                continue;
            }
        }
        // A numbered or all-capitals heading inside a paragraph (`3 T scanners were used…`
        // wrapped onto a line of its own) must follow a line that ends a sentence.
        let boundary = para
            .last()
            .is_none_or(|l| l.trim_end().ends_with(['.', ':', '?', '!', ')', ']']));
        let h = heading(line)
            .filter(|h| boundary || KNOWN_HEADINGS.contains(&heading_key(&h.text).as_str()) && !h.numbered);
        if let Some(h) = h {
            flush(&mut para, &mode, &mut abstract_paras, &mut front, &mut out.sections);
            if is_references_heading(&h.text) {
                mode = Mode::References;
            } else {
                mode = Mode::Body;
                out.sections.push(Section {
                    heading: h.text,
                    level: h.level,
                    paragraphs: Vec::new(),
                });
            }
            continue;
        }
        if mode == Mode::Body && out.sections.is_empty() {
            out.sections.push(body_section());
        }
        para.push(line);
    }
    flush(&mut para, &mode, &mut abstract_paras, &mut front, &mut out.sections);
    if mode == Mode::References {
        out.references.extend(split_references(&ref_lines));
    }
    if options.keep_front && !front.is_empty() {
        match out.sections.first_mut() {
            Some(s) if s.heading == BODY_HEADING => {
                front.append(&mut s.paragraphs);
                s.paragraphs = front;
            }
            _ => out.sections.insert(
                0,
                Section {
                    heading: BODY_HEADING.to_string(),
                    level: 1,
                    paragraphs: front,
                },
            ),
        }
    }
    out.sections.retain(|s| !s.paragraphs.is_empty());
    out.abstract_text = (!abstract_paras.is_empty()).then(|| abstract_paras.join("\n\n"));
    out
}

fn body_section() -> Section {
    Section {
        heading: BODY_HEADING.to_string(),
        level: 1,
        paragraphs: Vec::new(),
    }
}

/// A leading entry label: `[12]`, `[Smi20]`, `12.` or `12` followed by a space.
fn entry_label(line: &str) -> Option<(String, &str)> {
    let t = line.trim_start();
    if let Some(inner) = t.strip_prefix('[') {
        let end = inner.find(']')?;
        let label = &inner[..end];
        if label.is_empty() || label.len() > 30 {
            return None;
        }
        return Some((label.to_string(), inner[end + 1..].trim_start()));
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = &t[digits..];
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    rest.starts_with(' ')
        .then(|| (t[..digits].to_string(), rest.trim_start()))
}

/// Entries that start at the lines `label` recognises. An unlabelled line continues the last
/// entry, unless a blank line came after an entry ending with a period: then it is a note after
/// the list (not a page break inside an entry) and is dropped, up to the next label.
fn labelled<'a>(
    lines: &[&'a str],
    mut label: impl FnMut(&'a str) -> Option<(String, &'a str)>,
) -> Vec<(Option<String>, Vec<&'a str>)> {
    let mut entries: Vec<(Option<String>, Vec<&'a str>)> = Vec::new();
    let mut after_blank = false;
    let mut closed = false;
    for &line in lines {
        if line.trim().is_empty() {
            after_blank = true;
            continue;
        }
        match label(line) {
            Some((l, rest)) => {
                entries.push((Some(l), vec![rest]));
                closed = false;
            }
            None => match entries.last_mut() {
                _ if closed => {}
                Some(e) if after_blank && e.1.last().is_some_and(|l| l.trim_end().ends_with('.')) => closed = true,
                Some(e) => e.1.push(line),
                None => entries.push((None, vec![line])),
            },
        }
        after_blank = false;
    }
    entries
}

/// Splits the lines of a bibliography into entries, each with its raw text, label, DOI, arXiv id
/// and year.
pub(crate) fn split_references<S: AsRef<str>>(lines: &[S]) -> Vec<Reference> {
    let lines: Vec<&str> = lines.iter().map(AsRef::as_ref).collect();
    let nonblank: Vec<&str> = lines.iter().copied().filter(|l| !l.trim().is_empty()).collect();
    let bracketed = nonblank
        .iter()
        .filter(|l| l.trim_start().starts_with('[') && entry_label(l).is_some())
        .count();
    let mut entries: Vec<(Option<String>, Vec<&str>)> = Vec::new();
    if bracketed >= 2 || (bracketed == 1 && nonblank.first().is_some_and(|l| entry_label(l).is_some())) {
        // `[n]` labels start entries.
        entries = labelled(&lines, |line| {
            entry_label(line).filter(|_| line.trim_start().starts_with('['))
        });
    } else if nonblank
        .first()
        .and_then(|l| entry_label(l))
        .is_some_and(|(l, _)| l == "1")
    {
        // `1.` / `1 ` numbers counting up start entries.
        let mut next = 1u32;
        entries = labelled(&lines, |line| {
            let found = entry_label(line).filter(|(l, _)| l.parse::<u32>().ok() == Some(next));
            if found.is_some() {
                next += 1;
            }
            found
        });
    } else if lines.iter().any(|l| l.trim().is_empty()) && nonblank.len() > 1 {
        // Blank lines separate entries.
        let mut current: Vec<&str> = Vec::new();
        for line in &lines {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    entries.push((None, std::mem::take(&mut current)));
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            entries.push((None, current));
        }
    } else {
        // Hanging lines: an entry ends at a line ending with a period.
        let mut current: Vec<&str> = Vec::new();
        for line in &nonblank {
            let starts_lower = line.trim_start().chars().next().is_some_and(char::is_lowercase);
            let ended = current.last().is_some_and(|l: &&str| l.trim_end().ends_with('.'));
            if ended && !starts_lower {
                entries.push((None, std::mem::take(&mut current)));
            }
            current.push(line);
        }
        if !current.is_empty() {
            entries.push((None, current));
        }
    }
    entries
        .into_iter()
        .filter_map(|(label, lines)| {
            let raw = join_lines(&lines);
            if raw.is_empty() {
                return None;
            }
            Some(Reference {
                label,
                ids: ids_in(&raw),
                year: find_year(&raw),
                raw: Some(raw),
                ..Reference::default()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_in_text() {
        assert_eq!(
            find_doi("see https://doi.org/10.1371/journal.pone.0146913."),
            Some("10.1371/journal.pone.0146913".into())
        );
        assert_eq!(
            find_doi("Phys. Lett. B 86 (1979) doi:10.1016/0370-2693(79)90830-X)."),
            Some("10.1016/0370-2693(79)90830-x".into())
        );
        assert_eq!(find_doi("(DOI 10.1000.10/abc)"), Some("10.1000.10/abc".into()));
        assert_eq!(find_doi("version 10.2 of 110.1234/x"), None);
        assert_eq!(find_doi("10.12/x"), None);
    }

    #[test]
    fn arxiv_ids_in_text() {
        assert_eq!(
            find_arxiv("Preprint arXiv:2212.11846v2 [hep-ph]"),
            Some("2212.11846".into())
        );
        assert_eq!(
            find_arxiv("https://arxiv.org/abs/1806.04617"),
            Some("1806.04617".into())
        );
        assert_eq!(
            find_arxiv("Phys. Rev. D 68 [hep-ph/0304172]."),
            Some("hep-ph/0304172".into())
        );
        assert_eq!(find_arxiv("math.AG/0101001"), Some("math.AG/0101001".into()));
        assert_eq!(find_arxiv("pages 1409.4232 and a/b/1234567"), None);
        assert_eq!(
            find_arxiv("é/1234567 ü hep-thé/1234567 — cond-mat/0101001"),
            Some("cond-mat/0101001".into())
        );
        assert_eq!(find_year("Nature 585, 357 (2020)."), Some(2020));
        assert_eq!(find_year("p. 12019"), None);
    }

    #[test]
    fn headings() {
        let h = |s: &str| heading(s).map(|h| (h.text, h.level));
        assert_eq!(h("1 Introduction"), Some(("Introduction".into(), 1)));
        assert_eq!(h("2.1. Data collection"), Some(("Data collection".into(), 2)));
        assert_eq!(h("IV. EXPERIMENTS"), Some(("EXPERIMENTS".into(), 1)));
        assert_eq!(h("INTRODUCTION"), Some(("INTRODUCTION".into(), 1)));
        assert_eq!(h("References"), Some(("References".into(), 1)));
        assert_eq!(h("Materials and methods:"), Some(("Materials and methods".into(), 1)));
        assert_eq!(
            h("12 patients were enrolled in the study and followed for a year."),
            None
        );
        assert_eq!(h("2019 was a year"), None);
        assert_eq!(h("The results are shown below"), None);
        assert_eq!(h("I think so."), None);
        assert_eq!(abstract_start("ABSTRACT: We study"), Some("We study"));
        assert_eq!(abstract_start("Abstract"), Some(""));
        assert_eq!(abstract_start("Abstract algebra is fun"), None);
    }

    #[test]
    fn reference_styles() {
        let refs = split_references(&[
            "[1] A. One. Title one.",
            "   Continued 2020.",
            "[2] B. Two, arXiv:2101.00001.",
        ]);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].label.as_deref(), Some("1"));
        assert_eq!(refs[0].raw.as_deref(), Some("A. One. Title one. Continued 2020."));
        assert_eq!(refs[0].year, Some(2020));
        assert_eq!(refs[1].ids.arxiv.as_deref(), Some("2101.00001"));
        let refs = split_references(&[
            "1. A. One. T.",
            "2. B. Two. doi:10.1/abcd",
            "continued.",
            "3. C. Three.",
        ]);
        assert_eq!(refs.len(), 3);
        let refs = split_references(&["Smith J. A title.", "Nature 2001.", "", "Doe J. Another", "line."]);
        assert_eq!(refs.len(), 2);
        let refs = split_references(&["Smith J (2001) A title. Nature", "12: 1-2.", "Doe J (2002) Other."]);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].raw.as_deref(), Some("Smith J (2001) A title. Nature 12: 1-2."));
    }

    #[test]
    fn layouts() {
        let lines = [
            "Some front line",
            "",
            "Abstract: We did",
            "things.",
            "",
            "Unheaded paragraph.",
            "",
            "1 Introduction",
            "Intro text wraps here and investi-",
            "gates.",
            "",
            "Second para.",
            "2.1 Sub part",
            "Sub text.",
            "References",
            "[1] Ref one.",
            "[2] Ref two.",
            "Appendix",
            "App text.",
        ];
        let text = layout(
            &lines,
            Options {
                abstract_until_heading: false,
                keep_front: true,
            },
        );
        assert_eq!(text.abstract_text.as_deref(), Some("We did things."));
        let heads: Vec<(&str, u8, usize)> = text
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.level, s.paragraphs.len()))
            .collect();
        assert_eq!(
            heads,
            [
                ("Body", 1, 2),
                ("Introduction", 1, 2),
                ("Sub part", 2, 1),
                ("Appendix", 1, 1)
            ]
        );
        assert_eq!(
            text.sections[1].paragraphs[0],
            "Intro text wraps here and investigates."
        );
        assert_eq!(text.references.len(), 2);
        let pdf = layout(
            &lines,
            Options {
                abstract_until_heading: true,
                keep_front: false,
            },
        );
        assert_eq!(
            pdf.abstract_text.as_deref(),
            Some("We did things.\n\nUnheaded paragraph.")
        );
        assert_eq!(pdf.sections[0].heading, "Introduction");
        let wrapped = layout(
            &[
                "1 Methods",
                "We scanned everyone on",
                "3 T MRI scanners in",
                "TWO HOSPITALS",
                "daily.",
            ],
            Options {
                abstract_until_heading: true,
                keep_front: false,
            },
        );
        assert_eq!(wrapped.sections.len(), 1);
        assert_eq!(
            wrapped.sections[0].paragraphs,
            ["We scanned everyone on 3 T MRI scanners in TWO HOSPITALS daily."]
        );
    }
}
