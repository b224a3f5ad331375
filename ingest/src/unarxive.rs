//! unarXive full texts: JSON lines, one arXiv paper per line, as published by unarXive 2022
//! (`paper_id`, `metadata` (the arXiv OAI record: `id`, `title`, `authors`, `authors_parsed`,
//! `abstract`, `doi`, `categories`, `journal-ref`, `license`, `versions`, …), `discipline`,
//! `abstract {text}`, `body_text [{section, sec_number, sec_type, content_type, text, …}]`,
//! `bib_entries {key: {bib_entry_raw, ids {doi, arxiv_id, pubmed_id, pmc_id, open_alex_id, …},
//! contained_arXiv_ids [{id, …}], contained_links [{url, …}]}}` and
//! `ref_entries {uuid: {type, latex | caption}}`).
//!
//! Mapping: the arXiv id from `paper_id`, else `metadata.id` (normalised, no version); title,
//! authors, DOI, venue (`journal-ref`, else `arXiv`), date (first version) and licence from
//! `metadata` as the arXiv metadata parser reads them (LaTeX kept); `metadata.categories` become
//! keywords and subjects of the scheme `arxiv`, `discipline` a subject of the scheme
//! `unarxive-discipline`; the abstract from `abstract.text`, else `metadata.abstract`.
//!
//! Consecutive `body_text` paragraphs with the same `section` and `sec_number` form one section
//! (level from `sec_type`: `section` 1, `subsection` 2, `subsubsection` 3, else from the depth of
//! `sec_number`; paragraphs without a section go into [`BODY_HEADING`]). Figure and table
//! captions go into a last section [`FLOATS_HEADING`], in the order the text places them.
//!
//! Inline markers are replaced by readable text: `{{cite:KEY}}` by `[n]`, where `n` is the
//! label of the cited reference (references are numbered in order of first citation, uncited
//! ones after them; a marker whose key is not in `bib_entries` is removed); `{{formula:UUID}}` by
//! the formula's LaTeX between `$` signs when `ref_entries` has it and it is at most
//! [`MAX_INLINE_FORMULA`] characters long, else by `[formula]`; `{{figure:…}}` and
//! `{{table:…}}` are removed (their captions are kept as said above). A space left before
//! punctuation by a replaced marker is removed.
//!
//! References keep the raw entry text; their ids come from `ids` (DOI, arXiv, PubMed, PMC,
//! OpenAlex), then `contained_arXiv_ids`, DOI links in `contained_links`, and finally DOIs or
//! arXiv ids found in the raw text.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::arxiv::{first_doi, parse_rfc2822_date, parsed_authors, split_authors};
use crate::beir::normalize_pmcid;
use crate::error::ParseError;
use crate::json::{self, opt_array, opt_object, opt_text};
use crate::jsonl::{kind, Line};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, Identifiers, Paper, Reference, Section, Subject};
use crate::s2orc::{BODY_HEADING, FLOATS_HEADING};
use crate::textual;
use crate::Record;

/// Longest formula (LaTeX characters) written inline; longer ones become `[formula]`.
pub const MAX_INLINE_FORMULA: usize = 200;

/// Parses unarXive JSON lines; one result per paper.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    json::records(name, bytes, false, convert)
}

/// What inline markers resolve to.
struct Markers<'a> {
    /// Formula LaTeX and figure/table captions by id.
    entries: &'a HashMap<String, (String, String)>,
    /// Reference labels by bib key.
    labels: &'a HashMap<String, usize>,
}

fn convert(line: &Line<'_>) -> Result<Paper, ParseError> {
    let o = &line.object;
    let empty = Map::new();
    let m = opt_object(line, o, "metadata", "metadata")?.unwrap_or(&empty);
    let raw_id = match opt_text(line, o, "paper_id", "paper_id")? {
        Some(id) => id,
        None => opt_text(line, m, "id", "metadata.id")?
            .ok_or_else(|| line.error("paper_id", "missing `paper_id` and `metadata.id`"))?,
    };
    let arxiv = normalize_arxiv(&raw_id).ok_or_else(|| line.error("paper_id", "empty `paper_id`"))?;

    let title = normalize_ws(&opt_text(line, m, "title", "metadata.title")?.unwrap_or_default());
    let authors = match m.get("authors_parsed") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => parsed_authors(line, v, "metadata.authors_parsed")?,
    };
    let authors = if authors.is_empty() {
        split_authors(&opt_text(line, m, "authors", "metadata.authors")?.unwrap_or_default())
    } else {
        authors
    };
    let doi = opt_text(line, m, "doi", "metadata.doi")?.and_then(|d| first_doi(&d));
    let venue = opt_text(line, m, "journal-ref", "metadata.journal-ref")?
        .map(|v| normalize_ws(&v))
        .unwrap_or_else(|| "arXiv".to_string());
    let license = opt_text(line, m, "license", "metadata.license")?.map(|l| normalize_ws(&l));
    let created = match opt_array(line, m, "versions", "metadata.versions")?.first() {
        Some(Value::Object(v)) => opt_text(line, v, "created", "metadata.versions[0].created")?,
        _ => None,
    };
    let (date, year) = match created.as_deref().and_then(parse_rfc2822_date) {
        Some((y, mo, d)) => (Some(crate::dates::iso_date(y, Some(mo), Some(d))), Some(y)),
        None => (
            None,
            opt_text(line, m, "update_date", "metadata.update_date")?.and_then(|u| crate::dates::leading_year(&u)),
        ),
    };
    let keywords: Vec<String> = opt_text(line, m, "categories", "metadata.categories")?
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut subjects: Vec<Subject> = keywords
        .iter()
        .map(|c| Subject::new("arxiv", Some(c.clone()), c.clone()))
        .collect();
    if let Some(d) = opt_text(line, o, "discipline", "discipline")? {
        subjects.push(Subject::new("unarxive-discipline", None, normalize_ws(&d)));
    }

    // Formulas, figures and tables by id.
    let mut entries: HashMap<String, (String, String)> = HashMap::new();
    if let Some(refs) = opt_object(line, o, "ref_entries", "ref_entries")? {
        for (key, entry) in refs {
            let at = format!("ref_entries.{key}");
            let Value::Object(entry) = entry else {
                return Err(line.error(&at, format!("expected an object, found {}", kind(entry))));
            };
            let kind_ = opt_text(line, entry, "type", &format!("{at}.type"))?.unwrap_or_default();
            let text = match kind_.as_str() {
                "formula" => opt_text(line, entry, "latex", &format!("{at}.latex"))?,
                _ => opt_text(line, entry, "caption", &format!("{at}.caption"))?,
            };
            entries.insert(key.clone(), (kind_, text.unwrap_or_default()));
        }
    }

    // The body paragraphs, checked, and the order of first citation and of floats.
    let bib = opt_object(line, o, "bib_entries", "bib_entries")?;
    let mut paragraphs = Vec::new();
    let mut cited: Vec<String> = Vec::new();
    let mut floats: Vec<String> = Vec::new();
    for (i, para) in opt_array(line, o, "body_text", "body_text")?.iter().enumerate() {
        let at = format!("body_text[{i}]");
        let Value::Object(para) = para else {
            return Err(line.error(&at, format!("expected an object, found {}", kind(para))));
        };
        let text = opt_text(line, para, "text", &format!("{at}.text"))?.unwrap_or_default();
        for (kind_, id) in markers(&text) {
            match kind_ {
                "cite" if bib.is_some_and(|b| b.contains_key(id)) && !cited.iter().any(|c| c == id) => {
                    cited.push(id.to_string())
                }
                "figure" | "table" if !floats.iter().any(|f| f == id) => floats.push(id.to_string()),
                _ => {}
            }
        }
        let heading = opt_text(line, para, "section", &format!("{at}.section"))?
            .map(|h| normalize_ws(&h))
            .filter(|h| !h.is_empty());
        let number = opt_text(line, para, "sec_number", &format!("{at}.sec_number"))?
            .filter(|n| n != "-1")
            .unwrap_or_default();
        let sec_type = opt_text(line, para, "sec_type", &format!("{at}.sec_type"))?.unwrap_or_default();
        paragraphs.push((text, heading, number, sec_type));
    }
    // Reference labels: cited ones in order of first citation, then the others in key order.
    let mut labels: HashMap<String, usize> = HashMap::new();
    let bib_keys: Vec<&String> = bib.map(|b| b.keys().collect()).unwrap_or_default();
    let order: Vec<String> = cited
        .iter()
        .cloned()
        .chain(bib_keys.iter().filter(|k| !cited.contains(k)).map(|k| k.to_string()))
        .collect();
    for (n, key) in order.iter().enumerate() {
        labels.insert(key.clone(), n + 1);
    }
    let markers_ctx = Markers {
        entries: &entries,
        labels: &labels,
    };

    let mut sections: Vec<Section> = Vec::new();
    let mut last_key: Option<(Option<String>, String)> = None;
    for (text, heading, number, sec_type) in paragraphs {
        let text = resolve(&text, &markers_ctx);
        if text.is_empty() {
            continue;
        }
        let key = (heading.clone(), number.clone());
        if last_key.as_ref() != Some(&key) || sections.is_empty() {
            let level = match sec_type.as_str() {
                "section" => 1,
                "subsection" => 2,
                "subsubsection" => 3,
                _ => number
                    .trim_end_matches('.')
                    .split('.')
                    .filter(|p| !p.is_empty())
                    .count()
                    .clamp(1, 255) as u8,
            };
            sections.push(Section {
                heading: heading.unwrap_or_else(|| BODY_HEADING.to_string()),
                level,
                paragraphs: Vec::new(),
            });
            last_key = Some(key);
        }
        if let Some(s) = sections.last_mut() {
            s.paragraphs.push(text);
        }
    }
    // Captions: floats in text order, then the others.
    let mut float_ids: Vec<&String> = floats.iter().collect();
    let mut rest: BTreeMap<&String, ()> = BTreeMap::new();
    for (id, (kind_, _)) in &entries {
        if matches!(kind_.as_str(), "figure" | "table") && !floats.contains(id) {
            rest.insert(id, ());
        }
    }
    float_ids.extend(rest.into_keys());
    let captions: Vec<String> = float_ids
        .into_iter()
        .filter_map(|id| entries.get(id))
        .map(|(_, caption)| resolve(caption, &markers_ctx))
        .filter(|c| !c.is_empty())
        .collect();
    if !captions.is_empty() {
        sections.push(Section {
            heading: FLOATS_HEADING.to_string(),
            level: 1,
            paragraphs: captions,
        });
    }

    let abstract_text = match o.get("abstract") {
        Some(Value::Object(a)) => opt_text(line, a, "text", "abstract.text")?,
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => None,
        Some(other) => return Err(line.error("abstract", format!("expected an object, found {}", kind(other)))),
    }
    .map(|a| resolve(&a, &markers_ctx))
    .filter(|a| !a.is_empty())
    .or(opt_text(line, m, "abstract", "metadata.abstract")?.map(|a| normalize_ws(&a)));

    let mut references = Vec::new();
    if let Some(bib) = bib {
        for key in &order {
            let Some(entry) = bib.get(key) else { continue };
            let at = format!("bib_entries.{key}");
            let Value::Object(entry) = entry else {
                return Err(line.error(&at, format!("expected an object, found {}", kind(entry))));
            };
            let mut r = reference(line, entry, &at)?;
            r.label = labels.get(key).map(usize::to_string);
            references.push(r);
        }
    }

    if title.is_empty() && abstract_text.is_none() && sections.is_empty() {
        return Err(line.error("metadata.title", "record has neither title, abstract nor body text"));
    }
    Ok(Paper {
        ids: Identifiers {
            arxiv: Some(arxiv),
            doi,
            ..Identifiers::default()
        },
        title,
        authors,
        year,
        date,
        venue: Some(venue),
        abstract_text,
        sections,
        references,
        keywords,
        subjects,
        license,
        tables: Vec::new(),
        status: Default::default(),
    })
}

/// The `{{kind:id}}` markers of `text`, in order.
fn markers(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        let start = rest.find("{{")?;
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            rest = "";
            return None;
        };
        let inner = &after[..end];
        rest = &after[end + 2..];
        if let Some((kind_, id)) = inner.split_once(':') {
            if !kind_.is_empty() && kind_.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Some((kind_, id));
            }
        }
    })
}

/// `text` with its markers replaced (see the module documentation), whitespace normalised.
/// Longest inline marker (`{{cite:…}}`, `{{formula:…}}`) looked for, in bytes.
const MAX_MARKER: usize = 256;

fn resolve(text: &str, ctx: &Markers<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        // A marker is short: looking for its end only nearby keeps the work linear when a text
        // holds many `{{` and no `}}`.
        let window = &after.as_bytes()[..after.len().min(MAX_MARKER)];
        let Some(end) = window.windows(2).position(|w| w == b"}}") else {
            out.push_str("{{");
            rest = after;
            continue;
        };
        let inner = &after[..end];
        let replacement = match inner.split_once(':') {
            Some(("cite", id)) => Some(ctx.labels.get(id).map(|n| format!("[{n}]")).unwrap_or_default()),
            Some(("formula", id)) => Some(match ctx.entries.get(id) {
                Some((_, latex)) => {
                    let latex = normalize_ws(latex);
                    if latex.is_empty() || latex.chars().count() > MAX_INLINE_FORMULA {
                        "[formula]".to_string()
                    } else {
                        format!("${latex}$")
                    }
                }
                None => "[formula]".to_string(),
            }),
            Some(("figure" | "table", _)) => Some(String::new()),
            _ => None,
        };
        match replacement {
            Some(r) => {
                out.push_str(&r);
                rest = &after[end + 2..];
                // No space left between a replaced marker and the punctuation after it.
                let trimmed = rest.trim_start();
                if trimmed.len() < rest.len() && trimmed.starts_with([',', '.', ';', ':', ')']) {
                    while out.ends_with(char::is_whitespace) {
                        out.pop();
                    }
                    rest = trimmed;
                }
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    normalize_ws(&out)
}

fn set(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// The last path segment of a URL or the value itself (`https://openalex.org/W1` → `W1`).
fn last_segment(s: &str) -> &str {
    s.trim().trim_end_matches('/').rsplit('/').next().unwrap_or_default()
}

fn reference(line: &Line<'_>, e: &Map<String, Value>, at: &str) -> Result<Reference, ParseError> {
    let raw = opt_text(line, e, "bib_entry_raw", &format!("{at}.bib_entry_raw"))?.map(|r| normalize_ws(&r));
    let mut ids = Identifiers::default();
    if let Some(given) = opt_object(line, e, "ids", &format!("{at}.ids"))? {
        let get = |k: &str| opt_text(line, given, k, &format!("{at}.ids.{k}"));
        set(&mut ids.doi, get("doi")?.and_then(|d| normalize_doi(&d)));
        set(&mut ids.arxiv, get("arxiv_id")?.and_then(|a| normalize_arxiv(&a)));
        set(
            &mut ids.pmid,
            get("pubmed_id")?
                .map(|p| last_segment(&p).to_string())
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
        );
        set(
            &mut ids.pmcid,
            get("pmc_id")?.and_then(|p| normalize_pmcid(last_segment(&p))),
        );
        set(
            &mut ids.openalex,
            get("open_alex_id")?
                .map(|p| last_segment(&p).to_string())
                .filter(|p| !p.is_empty()),
        );
    }
    for (i, c) in opt_array(line, e, "contained_arXiv_ids", &format!("{at}.contained_arXiv_ids"))?
        .iter()
        .enumerate()
    {
        let id = match c {
            Value::Object(c) => opt_text(line, c, "id", &format!("{at}.contained_arXiv_ids[{i}].id"))?,
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        set(&mut ids.arxiv, id.and_then(|a| normalize_arxiv(&a)));
    }
    for (i, l) in opt_array(line, e, "contained_links", &format!("{at}.contained_links"))?
        .iter()
        .enumerate()
    {
        let Value::Object(l) = l else { continue };
        let Some(url) = opt_text(line, l, "url", &format!("{at}.contained_links[{i}].url"))? else {
            continue;
        };
        if let Some(i) = url.rfind("doi.org/") {
            set(&mut ids.doi, normalize_doi(&url[i + "doi.org/".len()..]));
        } else if url.contains("arxiv.org/") {
            set(&mut ids.arxiv, textual::find_arxiv(&url));
        }
    }
    if let Some(raw) = &raw {
        set(&mut ids.doi, textual::find_doi(raw));
        set(&mut ids.arxiv, textual::find_arxiv(raw));
    }
    Ok(Reference {
        ids,
        year: raw.as_deref().and_then(textual::find_year),
        raw,
        ..Reference::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/unarxive");
    const SAMPLE: &str = "arXiv_src_2212_086.sample.jsonl";

    fn papers() -> Vec<Paper> {
        let bytes = std::fs::read(format!("{DIR}/{SAMPLE}")).unwrap();
        parse(SAMPLE, &bytes).map(|r| r.unwrap().paper).collect()
    }

    #[test]
    fn fixture_papers() {
        let papers = papers();
        assert_eq!(papers.len(), 3);
        let p = &papers[0];
        assert_eq!(p.ids.arxiv.as_deref(), Some("2212.11739"));
        assert_eq!(
            p.title,
            "A light Higgs boson in the NMSSM confronted with the CMS di-photon and di-tau excesses"
        );
        assert_eq!(p.authors[0].name, "Weichao Li");
        assert_eq!(p.authors.len(), 6);
        assert_eq!((p.year, p.date.as_deref()), (Some(2022), Some("2022-12-22")));
        assert_eq!(p.keywords, ["hep-ph", "hep-ex"]);
        assert_eq!(p.subjects[0], Subject::new("arxiv", Some("hep-ph".into()), "hep-ph"));
        assert!(p.subjects.iter().any(|s| s.scheme == "unarxive-discipline"));
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("In 2018, the CMS collaboration reported a di-photon excess around 95.3 GeV"));
        assert_eq!(
            p.license.as_deref(),
            Some("http://creativecommons.org/licenses/by/4.0/")
        );
        assert_eq!(p.sections[0].heading, BODY_HEADING);
        assert_eq!(p.venue.as_deref(), Some("arXiv"));
    }

    #[test]
    fn sections_markers_and_references() {
        let papers = papers();
        let p = &papers[2];
        assert_eq!(p.ids.arxiv.as_deref(), Some("2212.11827"));
        let first = &p.sections[0];
        assert_eq!(
            first.heading,
            "The relationship between images and probability density functions in Fourier space"
        );
        assert_eq!(first.level, 1);
        assert!(first.paragraphs.len() > 5, "consecutive paragraphs are grouped");
        // No marker survives anywhere.
        for s in &p.sections {
            for para in &s.paragraphs {
                assert!(!para.contains("{{"), "{para}");
            }
        }
        let all: String = p.sections.iter().flat_map(|s| s.paragraphs.iter().cloned()).collect();
        assert!(all.contains("[1]"));
        assert!(all.contains('$'));
        assert!(p.sections.iter().any(|s| s.heading == FLOATS_HEADING));
        assert_eq!(p.references.len(), 10);
        assert_eq!(p.references[0].label.as_deref(), Some("1"));
        assert!(p.references.iter().all(|r| r.raw.is_some()));
        let r = p
            .references
            .iter()
            .find(|r| {
                r.raw
                    .as_deref()
                    .unwrap()
                    .starts_with("Giavazzi F, Cerbino R. Digital Fourier")
            })
            .unwrap();
        assert_eq!(r.ids.doi.as_deref(), Some("10.1088/2040-8978/16/8/083001"));
        assert_eq!(r.year, Some(2014));
        assert!(p.references.iter().any(|r| r.ids.pmid.as_deref() == Some("26822331")));
        assert!(p
            .references
            .iter()
            .any(|r| r.ids.openalex.as_deref() == Some("W2265739976")));
        // References with arXiv ids in `contained_arXiv_ids` and DOIs in `contained_links`.
        let p = &papers[1];
        assert_eq!(p.ids.arxiv.as_deref(), Some("2212.11846"));
        let ellis = p
            .references
            .iter()
            .find(|r| {
                r.raw
                    .as_deref()
                    .unwrap()
                    .starts_with("J. Ellis, Int. J. Mod. Phys. A 29")
            })
            .unwrap();
        assert_eq!(ellis.ids.arxiv.as_deref(), Some("1409.4232"));
        assert_eq!(ellis.ids.doi.as_deref(), Some("10.1142/s0217751x14300725"));
    }

    #[test]
    fn marker_resolution() {
        let entries: HashMap<String, (String, String)> = [
            ("f1".to_string(), ("formula".to_string(), " \\mu ".to_string())),
            ("f2".to_string(), ("formula".to_string(), "x".repeat(300))),
        ]
        .into_iter()
        .collect();
        let labels: HashMap<String, usize> = [("c1".to_string(), 3)].into_iter().collect();
        let ctx = Markers {
            entries: &entries,
            labels: &labels,
        };
        assert_eq!(
            resolve(
                "Let {{formula:f1}} , as in {{cite:c1}} and {{cite:zz}} . See {{figure:g}}{{formula:f2}} {{formula:f3}} {{x}}",
                &ctx
            ),
            "Let $\\mu$, as in [3] and. See [formula] [formula] {{x}}"
        );
    }

    #[test]
    fn lines_and_errors() {
        let input = concat!(
            "{\"paper_id\": \"2212.00001v2\", \"metadata\": {\"title\": \"T\", \"authors\": \"A. One and B. Two\"}, \"bib_entries\": {\"k\": {\"bib_entry_raw\": \"X, https://doi.org/https://doi.org/10.48550/arXiv.2211.16294 (2022).\", \"contained_links\": [{\"url\": \"https://doi.org/https://doi.org/10.48550/arXiv.2211.16294\"}]}}}\n",
            "{\"metadata\": {\"title\": \"no id\"}}\n",
            "{\"paper_id\": \"3\", \"body_text\": [3]}\n",
            "{\"paper_id\": \"4\", \"metadata\": {\"title\": \"x\"}, \"bib_entries\": {\"k\": {\"ids\": {\"doi\": [5]}}}}\n",
            "{\"paper_id\": \"5\", \"metadata\": {\"title\": \"trunc\n",
            "{\"paper_id\": \"6\"}\n",
            "{\"paper_id\": \"7\", \"metadata\": {\"id\": \"7\", \"title\": \"ok\", \"authors_parsed\": \"x\"}}\n",
        );
        let records: Vec<_> = parse("x.jsonl", input.as_bytes()).collect();
        assert_eq!(records.len(), 7);
        let p = &records[0].as_ref().unwrap().paper;
        assert_eq!(p.ids.arxiv.as_deref(), Some("2212.00001"));
        assert_eq!(p.authors.len(), 2);
        assert_eq!(p.references[0].ids.doi.as_deref(), Some("10.48550/arxiv.2211.16294"));
        let errors: Vec<(Option<&str>, Option<u64>)> = records
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| (e.field.as_deref(), e.location.line))
            .collect();
        assert_eq!(
            errors,
            [
                (Some("paper_id"), Some(2)),
                (Some("body_text[0]"), Some(3)),
                (Some("bib_entries.k.ids.doi"), Some(4)),
                (None, Some(5)),
                (Some("metadata.title"), Some(6)),
                (Some("metadata.authors_parsed"), Some(7)),
            ]
        );
        let bytes = std::fs::read(format!("{DIR}/{SAMPLE}")).unwrap();
        for cut in (0..bytes.len()).step_by(997) {
            let _ = parse("cut.jsonl", &bytes[..cut]).count();
        }
    }

    /// Parses the shared unarXive sample when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_unarxive() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let dir = std::path::Path::new(&root).join("papers/unarxive");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        paths.sort();
        let (mut ok, mut sections, mut refs, mut failures) = (0, 0, 0, Vec::new());
        let mut lines = 0;
        for path in &paths {
            let bytes = std::fs::read(path).unwrap();
            lines += bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
            let name = path.to_string_lossy();
            for r in parse(&name, &bytes) {
                match r {
                    Ok(r) => {
                        ok += 1;
                        sections += r.paper.sections.len();
                        refs += r.paper.references.len();
                        for s in &r.paper.sections {
                            for p in &s.paragraphs {
                                assert!(!p.contains("{{cite:") && !p.contains("{{formula:"), "{p}");
                            }
                        }
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
        }
        eprintln!(
            "unarxive: {} files, {ok} papers, {sections} sections, {refs} references",
            paths.len()
        );
        assert!(failures.is_empty(), "{failures:#?}");
        assert_eq!(ok, lines);
    }
}
