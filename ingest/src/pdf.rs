//! PDF papers, one paper per file, read in pure Rust with the `pdf-extract` crate (over `lopdf`).
//!
//! The text of each page is extracted in content-stream order (which for most single-column
//! papers is reading order), then laid out with the heuristics the plain-text parser uses (see the
//! `textual` module):
//!
//! - **title**: the PDF Info dictionary's `Title` when it is plausible (two words or more, not a
//!   file name, not "untitled" or "Microsoft Word - …"), else the first substantial line of page 1
//!   (at least three words, not a running head, a DOI, a URL, an e-mail address or a label in
//!   capitals such as `RESEARCH ARTICLE`) joined with up to two following lines of the same block
//!   that do not look like an author list;
//! - **DOI and arXiv id**: the first found in the text of page 1;
//! - **abstract**: the text after a line starting with `Abstract` up to the first heading
//!   (`1 Introduction`, `Introduction`, …);
//! - **sections** start at lines that look like headings; text between the title and the abstract
//!   (authors, affiliations) is dropped;
//! - **references**: the `References`/`Bibliography` section split into entries at `[n]` labels,
//!   `n.` numbers or hanging lines, with DOIs, arXiv ids and years found in them.
//!
//! Page numbers (lines of digits only) and running heads or feet (the same first or last line on
//! at least half of the pages, when there are three pages or more) are removed first.
//!
//! Work is bounded: files over [`MAX_BYTES`] or with more than [`MAX_PAGES`] pages are refused, and
//! a panic inside the PDF reader is caught and reported as a [`ParseError`]. Encrypted files are
//! read only when they open with the empty password.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId, PlainTextOutput};

use crate::error::{Location, ParseError};
use crate::model::normalize_ws;
use crate::textual::{self, Options};
use crate::Record;

/// Largest PDF file read, in bytes (100 MB).
pub const MAX_BYTES: usize = 100 * 1024 * 1024;

/// Most pages a PDF may have to be read.
pub const MAX_PAGES: usize = 2_000;

/// Parses a PDF paper; always exactly one result.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || convert(name, bytes))
}

/// The text a PDF holds: its Info title and the text of each page.
struct Extracted {
    info_title: Option<String>,
    pages: Vec<String>,
}

fn convert(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let start = Location::byte(0);
    let error = |message: String| ParseError::new(name, start.clone(), message);
    if bytes.len() > MAX_BYTES {
        return Err(error(format!(
            "PDF of {} bytes is over the limit of {MAX_BYTES} bytes",
            bytes.len()
        )));
    }
    let header = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    if !bytes[header..].starts_with(b"%PDF-") {
        return Err(error("not a PDF: no `%PDF-` header".to_string()));
    }
    let extracted = guarded(|| extract(bytes)).map_err(error)?;
    let pages = clean_pages(&extracted.pages);
    let first_page: Vec<&str> = pages
        .first()
        .map(|p| p.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let (title, title_end) = match extracted.info_title.filter(|t| plausible_title(t)) {
        Some(t) => {
            let end = title_lines_end(&first_page, &t);
            (t, end)
        }
        None => title_from_text(&first_page),
    };
    let page_one = first_page.join("\n");
    let mut lines: Vec<&str> = first_page.get(title_end..).unwrap_or_default().to_vec();
    for page in pages.iter().skip(1) {
        lines.extend(page.iter().map(String::as_str));
    }
    if title.is_empty() && lines.iter().all(|l| l.trim().is_empty()) {
        return Err(error(
            "no text could be extracted (a scanned PDF without a text layer?)".to_string(),
        ));
    }
    let layout = textual::layout(
        &lines,
        Options {
            abstract_until_heading: true,
            keep_front: false,
        },
    );
    Ok(Record {
        paper: layout.into_paper(title, &page_one),
        location: start,
    })
}

/// Runs `f`, turning a panic inside it into an error message.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        Err(format!("the PDF reader failed on this file: {what}"))
    })
}

/// Loads the document and extracts its Info title and page texts; may panic on odd files.
fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| format!("unreadable PDF: {e}"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err("encrypted PDF that does not open without a password".to_string());
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err("PDF without pages".to_string());
    }
    if pages.len() > MAX_PAGES {
        return Err(format!(
            "PDF of {} pages is over the limit of {MAX_PAGES} pages",
            pages.len()
        ));
    }
    let info_title = info_title(&doc);
    let mut texts = Vec::with_capacity(pages.len());
    let mut failures = 0;
    let mut last_error = String::new();
    for (&number, &id) in &pages {
        if let Some(hazard) = page_hazard(&doc, id) {
            failures += 1;
            last_error = format!("page {number}: {hazard}");
            texts.push(String::new());
            continue;
        }
        let mut text = String::new();
        let mut output = PlainTextOutput::new(&mut text);
        match pdf_extract::output_doc_page(&doc, &mut output, number) {
            Ok(()) => texts.push(text),
            Err(e) => {
                failures += 1;
                last_error = e.to_string();
                texts.push(String::new());
            }
        }
    }
    if failures == texts.len() {
        return Err(format!("no page could be read: {last_error}"));
    }
    Ok(Extracted {
        info_title,
        pages: texts,
    })
}

/// Deepest chain of page-tree parents, or of form XObjects drawn inside each other, followed.
const MAX_TREE_DEPTH: usize = 64;

/// Most form XObjects the reader may be asked to draw for one page, nested or shared (a form drawn
/// twice by each of the forms that draw it doubles the work at each level).
const MAX_FORM_DRAWS: u64 = 10_000;

/// Why the PDF reader would loop or recurse without end (or for an absurd time) on the page `id`,
/// if it would: its chain of `/Parent`s (followed to inherit `/Resources` and `/MediaBox`) has a
/// cycle or is too deep, or its form XObjects draw each other in a cycle or too many times.
fn page_hazard(doc: &Document, id: ObjectId) -> Option<String> {
    let mut seen = HashSet::from([id]);
    let mut dict = doc.get_dictionary(id).ok()?;
    let mut resources = None;
    let mut depth = 0;
    loop {
        if resources.is_none() {
            resources = dictionary(doc, dict.get(b"Resources").ok());
        }
        let Some(parent) = dict.get(b"Parent").ok().and_then(|p| p.as_reference().ok()) else {
            break;
        };
        if !seen.insert(parent) {
            return Some("the page tree has a cycle of `/Parent`s".to_string());
        }
        depth += 1;
        if depth > MAX_TREE_DEPTH {
            return Some(format!("the page tree is deeper than {MAX_TREE_DEPTH}"));
        }
        match doc.get_dictionary(parent) {
            Ok(d) => dict = d,
            Err(_) => break,
        }
    }
    let content = doc.get_page_content(id).ok()?;
    let mut forms = Forms {
        doc,
        draws: HashMap::new(),
        path: Vec::new(),
    };
    match forms.draws_in(&content, resources?) {
        Err(hazard) => Some(hazard),
        Ok(n) if n > MAX_FORM_DRAWS => Some(format!(
            "its form XObjects would be drawn more than {MAX_FORM_DRAWS} times"
        )),
        Ok(_) => None,
    }
}

/// A dictionary given directly or by reference.
fn dictionary<'d>(doc: &'d Document, object: Option<&'d Object>) -> Option<&'d Dictionary> {
    match object? {
        Object::Dictionary(d) => Some(d),
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        _ => None,
    }
}

/// Counts the form XObjects a content stream draws, through the forms they draw in turn.
struct Forms<'d> {
    doc: &'d Document,
    /// Draws counted for each form already explored.
    draws: HashMap<ObjectId, u64>,
    /// The forms being explored, outermost first.
    path: Vec<ObjectId>,
}

impl<'d> Forms<'d> {
    /// How many forms drawing `content` (with `resources`) draws, or why it never ends.
    fn draws_in(&mut self, content: &[u8], resources: &'d Dictionary) -> Result<u64, String> {
        if !content.windows(2).any(|w| w == b"Do") {
            return Ok(0);
        }
        let Ok(ops) = Content::decode(content) else {
            return Ok(0);
        };
        let Some(xobjects) = dictionary(self.doc, resources.get(b"XObject").ok()) else {
            return Ok(0);
        };
        let mut total = 0u64;
        for op in ops.operations.iter().filter(|o| o.operator == "Do") {
            let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
                continue;
            };
            let Some(id) = xobjects.get(name).ok().and_then(|o| o.as_reference().ok()) else {
                continue;
            };
            if self.path.contains(&id) {
                return Err("its form XObjects draw each other in a cycle".to_string());
            }
            if self.path.len() >= MAX_TREE_DEPTH {
                return Err(format!("its form XObjects are nested deeper than {MAX_TREE_DEPTH}"));
            }
            let inner = match self.draws.get(&id) {
                Some(&n) => n,
                None => {
                    let Ok(stream) = self.doc.get_object(id).and_then(|o| o.as_stream()) else {
                        continue;
                    };
                    // A form without its own resources uses those of the stream that draws it.
                    let inner_resources = dictionary(self.doc, stream.dict.get(b"Resources").ok()).unwrap_or(resources);
                    let inner_content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
                    self.path.push(id);
                    let n = self.draws_in(&inner_content, inner_resources);
                    self.path.pop();
                    let n = n?;
                    self.draws.insert(id, n);
                    n
                }
            };
            total = total.saturating_add(1).saturating_add(inner);
            if total > MAX_FORM_DRAWS {
                return Ok(total);
            }
        }
        Ok(total)
    }
}

/// The Info dictionary's `Title`, decoded (UTF-16 with a byte-order mark, else PDFDocEncoding
/// read as Latin-1) and whitespace-normalised.
fn info_title(doc: &Document) -> Option<String> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let raw = match info.get(b"Title").ok()? {
        Object::String(bytes, _) => bytes.clone(),
        Object::Reference(id) => match doc.get_object(*id).ok()? {
            Object::String(bytes, _) => bytes.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let text = if let Some(utf16) = raw.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(utf8) = raw.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(utf8).into_owned()
    } else {
        raw.iter().map(|&b| b as char).collect()
    };
    let text = normalize_ws(&text);
    (!text.is_empty()).then_some(text)
}

/// Whether an Info title looks like a real title rather than a file name or a placeholder.
fn plausible_title(t: &str) -> bool {
    let lower = t.to_lowercase();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    t.split(' ').count() >= 2
        && t.chars().count() <= 300
        && letters * 2 >= t.chars().count()
        && ![".pdf", ".doc", ".docx", ".tex", ".dvi", ".ps", ".rtf", ".odt"]
            .iter()
            .any(|e| lower.ends_with(e))
        && !lower.starts_with("microsoft word")
        && !lower.starts_with("untitled")
        && !lower.contains('\u{fffd}')
}

/// Pages as lines, without page numbers and repeated running heads and feet.
fn clean_pages(pages: &[String]) -> Vec<Vec<String>> {
    let pages: Vec<Vec<String>> = pages
        .iter()
        .map(|p| {
            p.lines()
                .map(|l| l.trim_end().to_string())
                .filter(|l| !is_page_number(l))
                .collect()
        })
        .collect();
    if pages.len() < 3 {
        return pages;
    }
    // Running heads and feet: the same first or last line (digits ignored) on half the pages.
    let key = |l: &str| normalize_ws(&l.replace(|c: char| c.is_ascii_digit(), ""));
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in &pages {
        let nonblank: Vec<&String> = page.iter().filter(|l| !l.trim().is_empty()).collect();
        let mut ends: Vec<String> = nonblank.first().map(|l| key(l)).into_iter().collect();
        ends.extend(nonblank.last().map(|l| key(l)));
        ends.dedup();
        for e in ends.into_iter().filter(|e| !e.is_empty()) {
            *counts.entry(e).or_default() += 1;
        }
    }
    let repeated: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n * 2 >= pages.len())
        .map(|(k, _)| k)
        .collect();
    pages
        .into_iter()
        .map(|page| page.into_iter().filter(|l| !repeated.contains(&key(l))).collect())
        .collect()
}

fn is_page_number(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a page-1 line can be (the start of) the title.
fn title_candidate(line: &str) -> bool {
    let t = normalize_ws(line);
    let lower = t.to_lowercase();
    let words = t.split(' ').count();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let caps_label = words <= 3 && t.chars().all(|c| !c.is_lowercase());
    words >= 3
        && letters * 2 > t.chars().count()
        && !caps_label
        && !t.contains('@')
        && ![
            "doi",
            "http",
            "www.",
            "arxiv",
            "\u{a9}",
            "copyright",
            "vol.",
            "volume",
            "received",
            "citation",
            "journal of",
            "proceedings",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        && textual::abstract_start(&t).is_none()
        && textual::heading(&t).is_none_or(|h| !h.numbered && h.text.split(' ').count() >= 3)
}

/// Whether a line looks like a byline (`A. One, B. Two and C. Three`, with marks or numbers).
fn looks_like_authors(line: &str) -> bool {
    let t = normalize_ws(line);
    let parts: Vec<&str> = t.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let short_parts = parts.len() >= 2 && parts.iter().all(|p| p.split(' ').count() <= 4);
    short_parts
        || t.contains('@')
        || t.chars()
            .any(|c| matches!(c, '*' | '\u{2020}' | '\u{2021}' | '\u{b9}' | '\u{b2}' | '\u{b3}'))
}

/// The title found in the text of page 1 and the index of the line after it.
fn title_from_text(lines: &[&str]) -> (String, usize) {
    let limit = lines.len().min(40);
    let Some(start) = (0..limit)
        .take_while(|&i| textual::abstract_start(lines[i]).is_none())
        .find(|&i| title_candidate(lines[i]))
    else {
        return (String::new(), 0);
    };
    let mut parts = vec![lines[start]];
    let mut end = start + 1;
    while end < limit && parts.len() < 3 {
        let next = lines[end];
        let joined = parts.join(" ");
        if next.trim().is_empty()
            || joined.trim_end().ends_with(['.', '?', '!'])
            || looks_like_authors(next)
            || textual::abstract_start(next).is_some()
            || textual::heading(next).is_some()
        {
            break;
        }
        parts.push(next);
        end += 1;
    }
    (textual::join_lines(&parts), end)
}

/// The index of the line after the page-1 lines that spell out `title` (0 when not found).
fn title_lines_end(lines: &[&str], title: &str) -> usize {
    let target: String = title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    if target.is_empty() {
        return 0;
    }
    for start in 0..lines.len().min(40) {
        let mut acc = String::new();
        for (end, line) in lines.iter().enumerate().skip(start).take(4) {
            acc.extend(
                line.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase),
            );
            if acc.is_empty() || !target.starts_with(&acc) {
                break;
            }
            if acc == target {
                return end + 1;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Paper;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/pdf");
    const TITLE: &str =
        "Reproducibility of Brain Morphometry from Short-Term Repeat Clinical MRI Examinations: A Retrospective Study";

    fn paper(file: &str) -> Paper {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
        let mut records: Vec<_> = parse(file, &bytes).collect();
        assert_eq!(records.len(), 1);
        records.remove(0).unwrap().paper
    }

    fn check(p: &Paper) {
        assert_eq!(p.title, TITLE);
        assert_eq!(p.ids.doi.as_deref(), Some("10.1371/journal.pone.0146913"));
        let abstract_text = p.abstract_text.as_deref().unwrap();
        assert!(
            abstract_text.starts_with(
                "Purpose. To assess the inter session reproducibility of automatic segmented MRI-derived measures"
            ),
            "{abstract_text}"
        );
        let heads: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(heads[0], ("Introduction", 1));
        // `2 Materials and Methods` has no text of its own before `2.1`: only sections with
        // paragraphs are kept.
        assert_eq!(heads[1], ("Ethics Statement", 2));
        assert!(p.sections[0].paragraphs[0].starts_with("Brain morphometry is an important assessment"));
        assert_eq!(p.references.len(), 3, "{:#?}", p.references);
        let labels: Vec<Option<&str>> = p.references.iter().map(|r| r.label.as_deref()).collect();
        assert_eq!(labels, [Some("1"), Some("6"), Some("7")]);
        assert!(p.references[0]
            .raw
            .as_deref()
            .unwrap()
            .starts_with("Fotenos AF, Snyder AZ"));
        assert_eq!(p.references[0].year, Some(2005));
        assert_eq!(p.references[1].ids.doi.as_deref(), Some("10.1067/mcp.2001.113989"));
        assert_eq!(p.references[2].ids.doi.as_deref(), Some("10.1007/s10278-012-9465-7"));
        // The licence note after a blank line is not part of the last reference.
        assert!(p.references[2]
            .raw
            .as_deref()
            .unwrap()
            .ends_with("PubMed Central PMCID: PMC3553365."));
    }

    #[test]
    fn fixture_with_info_title() {
        check(&paper("journal.pone.0146913.pdf"));
    }

    #[test]
    fn fixture_title_from_text() {
        check(&paper("journal.pone.0146913.noinfo.pdf"));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let bytes = std::fs::read(format!("{DIR}/journal.pone.0146913.pdf")).unwrap();
        for cut in [10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 200] {
            let r = parse("cut.pdf", &bytes[..cut]).next().unwrap();
            if let Err(e) = &r {
                assert_eq!(e.location, Location::byte(0));
            }
        }
        assert!(parse("cut.pdf", &bytes[..bytes.len() / 2]).next().unwrap().is_err());
        let e = parse("random.pdf", b"\x8f\x12random bytes\x00\xff")
            .next()
            .unwrap()
            .unwrap_err();
        assert!(e.message.contains("not a PDF"), "{e}");
        let mut noise = b"%PDF-1.4\n".to_vec();
        let mut x: u32 = 12345;
        for _ in 0..4000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            noise.push((x >> 16) as u8);
        }
        assert!(parse("noise.pdf", &noise).next().unwrap().is_err());
        let caught = guarded::<()>(|| panic!("boom"));
        assert_eq!(caught, Err("the PDF reader failed on this file: boom".to_string()));
        // Corrupt bytes in the middle of a real file: any result, but no panic escapes.
        for step in [97usize, 331, 1009] {
            let mut bad = bytes.clone();
            for i in (200..bad.len()).step_by(step) {
                bad[i] = bad[i].wrapping_add(1);
            }
            let _ = parse("bad.pdf", &bad).next().unwrap();
        }
    }

    #[test]
    fn titles_and_running_heads() {
        assert!(plausible_title("A study of things"));
        assert!(!plausible_title("paper.pdf"));
        assert!(!plausible_title("Microsoft Word - draft7.docx"));
        assert!(!plausible_title("untitled"));
        let lines = [
            "RESEARCH ARTICLE",
            "",
            "Deep Learning for the Counting",
            "of Citations",
            "Ada One, Ben Two",
            "Abstract",
        ];
        assert_eq!(
            title_from_text(&lines),
            ("Deep Learning for the Counting of Citations".to_string(), 4)
        );
        assert_eq!(
            title_lines_end(&lines, "Deep learning for the counting of citations"),
            4
        );
        let bodies = ["alpha", "beta", "gamma", "delta"];
        let pages: Vec<String> = (1..=4)
            .map(|n| format!("Journal X {n}\nbody {}\n{n}", bodies[n - 1]))
            .collect();
        let cleaned = clean_pages(&pages);
        assert!(cleaned.iter().all(|p| p.len() == 1 && p[0].starts_with("body")));
    }
}
