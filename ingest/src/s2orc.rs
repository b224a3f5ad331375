//! S2ORC and doc2json JSON: a single document, several, or JSON lines of them.
//!
//! Every published shape is read: doc2json output (`paper_id`, `title`, `authors`, `year`,
//! `abstract`, `pdf_parse {abstract, body_text, bib_entries, ref_entries}`), S2ORC 2019
//! (`metadata` + `grobid_parse` / `latex_parse`), S2ORC 2020 (flat `abstract`, `body_text`,
//! `bib_entries`, `ref_entries`) and S2ORC 2021 (`metadata` + flat parse).
//!
//! Mapping: `paper_id` → [`CorpusId`] of the collection `s2orc`; title, authors (`first`,
//! `middle`, `last`, `suffix`), year and venue from the top level, else `metadata`; DOI, arXiv,
//! PubMed, PMC and ACL ids from `metadata` (or the top level); the abstract from the top-level or
//! metadata string, else the parse's `abstract` paragraphs; consecutive `body_text` paragraphs with
//! the same `section` form one section (level from `sec_num`, `2.1` → 2; unnamed → `Body`);
//! figure and table captions of `ref_entries` go into a last section [`FLOATS_HEADING`];
//! `bib_entries` become references (key as label, title, authors, year, venue, `other_ids` DOI,
//! arXiv, PubMed ids, `raw_text` when present). The LaTeX parse is used only when there is no PDF
//! parse.

use serde_json::{Map, Value};

use crate::beir::normalize_pmcid;
use crate::error::ParseError;
use crate::json::{self, opt_array, opt_object, opt_text, opt_year};
use crate::jsonl::{kind, Line};
use crate::model::{
    normalize_arxiv, normalize_doi, normalize_ws, Author, CorpusId, Identifiers, Paper, Reference, Section,
};
use crate::Record;

/// Heading of the section that holds paragraphs without a section name.
pub const BODY_HEADING: &str = "Body";

/// Heading of the section holding figure and table captions.
pub const FLOATS_HEADING: &str = "Figures and tables";

/// Parses S2ORC / doc2json JSON; one result per paper.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    json::records(name, bytes, false, convert)
}

fn convert(line: &Line<'_>) -> Result<Paper, ParseError> {
    let o = &line.object;
    let id = opt_text(line, o, "paper_id", "paper_id")?.ok_or_else(|| line.error("paper_id", "missing `paper_id`"))?;
    let meta = opt_object(line, o, "metadata", "metadata")?;
    let empty = Map::new();
    let m = meta.unwrap_or(&empty);
    // Which parse holds the text: the PDF's, else the LaTeX one, else the record itself.
    let mut parse = None;
    for key in ["pdf_parse", "grobid_parse", "latex_parse"] {
        if let Some(p) = opt_object(line, o, key, key)? {
            if parse.is_none()
                && p.get("body_text")
                    .is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()))
            {
                parse = Some((p, key));
            }
        }
    }
    let (p, prefix) = parse.unwrap_or((o, ""));
    let path = |f: &str| {
        if prefix.is_empty() {
            f.to_string()
        } else {
            format!("{prefix}.{f}")
        }
    };

    let title = match opt_text(line, o, "title", "title")? {
        Some(t) => Some(t),
        None => opt_text(line, m, "title", "metadata.title")?,
    }
    .map(|t| normalize_ws(&t))
    .unwrap_or_default();
    let mut authors = people(line, o, "authors", "authors")?;
    if authors.is_empty() {
        authors = people(line, m, "authors", "metadata.authors")?;
    }
    let year = match opt_year(line, o, "year", "year")? {
        Some(y) => Some(y),
        None => opt_year(line, m, "year", "metadata.year")?,
    };
    let venue = match opt_text(line, m, "venue", "metadata.venue")? {
        Some(v) => Some(v),
        None => match opt_text(line, m, "journal", "metadata.journal")? {
            Some(j) => Some(j),
            None => opt_text(line, o, "venue", "venue")?,
        },
    }
    .map(|v| normalize_ws(&v));

    let mut ids = Identifiers {
        corpus: Some(CorpusId {
            collection: "s2orc".to_string(),
            id,
        }),
        ..Identifiers::default()
    };
    for (obj, prefix) in [(m, "metadata."), (o, "")] {
        let get = |k: &str| opt_text(line, obj, k, &format!("{prefix}{k}"));
        set(&mut ids.doi, get("doi")?.and_then(|d| normalize_doi(&d)));
        set(&mut ids.arxiv, get("arxiv_id")?.and_then(|a| normalize_arxiv(&a)));
        set(
            &mut ids.pmid,
            get("pubmed_id")?
                .or(get("pmid")?)
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit())),
        );
        set(&mut ids.pmcid, get("pmc_id")?.and_then(|p| normalize_pmcid(&p)));
        set(&mut ids.acl, get("acl_id")?);
    }

    let abstract_text = match o.get("abstract") {
        Some(Value::String(s)) => Some(normalize_ws(s)),
        _ => None,
    }
    .filter(|a| !a.is_empty())
    .or(opt_text(line, m, "abstract", "metadata.abstract")?.map(|a| normalize_ws(&a)))
    .filter(|a| !a.is_empty())
    .map_or_else(
        || paragraphs_text(line, p, "abstract", &path("abstract")),
        |a| Ok(Some(a)),
    )?;
    // A top-level `abstract` array (S2ORC 2020) when the parse is the record itself.
    let abstract_text = match abstract_text {
        Some(a) => Some(a),
        None if !prefix.is_empty() => paragraphs_text(line, o, "abstract", "abstract")?,
        None => None,
    };

    let mut sections: Vec<Section> = Vec::new();
    let mut last_key: Option<(String, String)> = None;
    for (i, para) in opt_array(line, p, "body_text", &path("body_text"))?.iter().enumerate() {
        let at = format!("{}[{i}]", path("body_text"));
        let Value::Object(para) = para else {
            return Err(line.error(&at, format!("expected an object, found {}", kind(para))));
        };
        let text = opt_text(line, para, "text", &format!("{at}.text"))?
            .map(|t| normalize_ws(&t))
            .unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let heading = opt_text(line, para, "section", &format!("{at}.section"))?
            .map(|h| normalize_ws(&h))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| BODY_HEADING.to_string());
        let number = opt_text(line, para, "sec_num", &format!("{at}.sec_num"))?.unwrap_or_default();
        let key = (heading.clone(), number.clone());
        if last_key.as_ref() != Some(&key) || sections.is_empty() {
            let level = number
                .trim_end_matches('.')
                .split('.')
                .filter(|p| !p.is_empty())
                .count()
                .clamp(1, 255) as u8;
            sections.push(Section {
                heading,
                level,
                paragraphs: Vec::new(),
            });
            last_key = Some(key);
        }
        if let Some(s) = sections.last_mut() {
            s.paragraphs.push(text);
        }
    }
    let mut captions = Vec::new();
    if let Some(refs) = opt_object(line, p, "ref_entries", &path("ref_entries"))? {
        for (key, entry) in refs {
            let at = format!("{}.{key}", path("ref_entries"));
            let Value::Object(entry) = entry else {
                return Err(line.error(&at, format!("expected an object, found {}", kind(entry))));
            };
            let kind_ = opt_text(line, entry, "type", &format!("{at}.type"))?.unwrap_or_default();
            if !matches!(kind_.as_str(), "figure" | "table") {
                continue;
            }
            if let Some(t) = opt_text(line, entry, "text", &format!("{at}.text"))? {
                captions.push(normalize_ws(&t));
            }
        }
    }
    if !captions.is_empty() {
        sections.push(Section {
            heading: FLOATS_HEADING.to_string(),
            level: 1,
            paragraphs: captions,
        });
    }

    let mut references = Vec::new();
    if let Some(bib) = opt_object(line, p, "bib_entries", &path("bib_entries"))? {
        for (key, entry) in bib {
            let at = format!("{}.{key}", path("bib_entries"));
            let Value::Object(entry) = entry else {
                return Err(line.error(&at, format!("expected an object, found {}", kind(entry))));
            };
            references.push(reference(line, key, entry, &at)?);
        }
    }

    Ok(Paper {
        ids,
        title,
        authors,
        year,
        venue,
        abstract_text,
        sections,
        references,
        ..Paper::default()
    })
}

fn set(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// Paragraph texts of an array of `{text}` objects (or strings), joined by blank lines.
fn paragraphs_text(
    line: &Line<'_>,
    o: &Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<Option<String>, ParseError> {
    let parts = match o.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => vec![normalize_ws(s)],
        Some(Value::Array(items)) => {
            let mut parts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(p) => {
                        if let Some(t) = opt_text(line, p, "text", &format!("{path}[{i}].text"))? {
                            parts.push(normalize_ws(&t));
                        }
                    }
                    Value::String(s) => parts.push(normalize_ws(s)),
                    other => {
                        return Err(line.error(
                            &format!("{path}[{i}]"),
                            format!("expected an object, found {}", kind(other)),
                        ))
                    }
                }
            }
            parts
        }
        Some(other) => return Err(line.error(path, format!("expected an array, found {}", kind(other)))),
    };
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    Ok((!parts.is_empty()).then(|| parts.join("\n\n")))
}

/// `[{first, middle: [...], last, suffix}, …]` (or plain strings) as authors.
fn people(line: &Line<'_>, o: &Map<String, Value>, field: &str, path: &str) -> Result<Vec<Author>, ParseError> {
    let mut out = Vec::new();
    for (i, a) in opt_array(line, o, field, path)?.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let a = match a {
            Value::Object(a) => a,
            Value::String(s) if !s.trim().is_empty() => {
                out.push(Author::named(normalize_ws(s)));
                continue;
            }
            Value::String(_) => continue,
            other => return Err(line.error(&at, format!("expected an object, found {}", kind(other)))),
        };
        let first = opt_text(line, a, "first", &format!("{at}.first"))?;
        let middle: Vec<String> = opt_array(line, a, "middle", &format!("{at}.middle"))?
            .iter()
            .filter_map(|m| m.as_str().map(str::trim).filter(|m| !m.is_empty()).map(str::to_string))
            .collect();
        let given: Vec<String> = first.into_iter().chain(middle).collect();
        let given = normalize_ws(&given.join(" "));
        let family = normalize_ws(&opt_text(line, a, "last", &format!("{at}.last"))?.unwrap_or_default());
        let suffix = normalize_ws(&opt_text(line, a, "suffix", &format!("{at}.suffix"))?.unwrap_or_default());
        let name = normalize_ws(&format!("{given} {family} {suffix}"));
        if name.is_empty() {
            continue;
        }
        out.push(Author {
            name,
            given: (!given.is_empty()).then_some(given),
            family: (!family.is_empty()).then_some(family),
            orcid: None,
        });
    }
    Ok(out)
}

fn reference(line: &Line<'_>, key: &str, e: &Map<String, Value>, at: &str) -> Result<Reference, ParseError> {
    let mut ids = Identifiers::default();
    if let Some(other) = opt_object(line, e, "other_ids", &format!("{at}.other_ids"))? {
        for (k, v) in other {
            let first = match v {
                Value::Array(a) => a.iter().find_map(Value::as_str).map(str::to_string),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            let Some(value) = first else { continue };
            match k.to_ascii_lowercase().as_str() {
                "doi" => set(&mut ids.doi, normalize_doi(&value)),
                "arxiv" => set(&mut ids.arxiv, normalize_arxiv(&value)),
                "pubmed" | "pmid" => set(
                    &mut ids.pmid,
                    Some(value).filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())),
                ),
                "pmc" | "pmcid" => set(&mut ids.pmcid, normalize_pmcid(&value)),
                _ => {}
            }
        }
    }
    let authors = people(line, e, "authors", &format!("{at}.authors"))?
        .into_iter()
        .map(|a| a.name)
        .collect();
    Ok(Reference {
        label: Some(key.to_string()),
        ids,
        title: opt_text(line, e, "title", &format!("{at}.title"))?.map(|t| normalize_ws(&t)),
        authors,
        year: opt_year(line, e, "year", &format!("{at}.year"))?,
        venue: opt_text(line, e, "venue", &format!("{at}.venue"))?.map(|v| normalize_ws(&v)),
        raw: opt_text(line, e, "raw_text", &format!("{at}.raw_text"))?.map(|r| normalize_ws(&r)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/s2orc");

    fn paper(file: &str) -> Paper {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
        let mut records: Vec<_> = parse(file, &bytes).collect();
        assert_eq!(records.len(), 1, "{file}");
        records.remove(0).unwrap().paper
    }

    #[test]
    fn doc2json_pdf_output() {
        let p = paper("N18-3011.json");
        assert_eq!(p.title, "Construction of the Literature Graph in Semantic Scholar");
        assert_eq!(p.ids.corpus.as_ref().unwrap().id, "N18-3011");
        assert_eq!(p.authors[0].name, "Waleed Ammar");
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("We describe a deployed scalable system"));
        assert_eq!(
            (p.sections[0].heading.as_str(), p.sections[0].level),
            ("Introduction", 1)
        );
        assert_eq!(
            p.sections[0].paragraphs[3],
            "Which papers discuss the effects of Ranibizumab on the Retina?"
        );
        assert!(p.sections.iter().any(|s| s.heading == "Node Types" && s.level == 2));
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("BIBREF0"));
        assert!(r
            .title
            .as_deref()
            .unwrap()
            .starts_with("The ai2 system at semeval-2017 task 10"));
        assert_eq!(r.authors[1], "Matthew E Peters");
    }

    #[test]
    fn s2orc_2019_with_metadata() {
        let p = paper("10045593.json");
        assert_eq!(
            p.title,
            "Postmortem muscle protein degradation in humans as a tool for PMI delimitation"
        );
        // The metadata abstract wins over the PDF parse's ("Abstract Forensic…").
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("Forensic estimation of time since death relies"));
        let r = &p.references[0];
        assert_eq!(r.title.as_deref(), Some("Estimation of the time since death"));
        assert_eq!(r.ids.doi.as_deref(), Some("10.1016/j.forsciint.2006.05.017"));
        assert_eq!((r.year, r.venue.as_deref()), (Some(2007), Some("Forensic Sci Int")));
        assert_eq!(r.authors, ["C Henssge", "B Madea"]);
    }

    #[test]
    fn s2orc_2020_flat_and_2021() {
        let p = paper("18980380.json");
        assert_eq!(p.title, "", "the 2020 release carries no title");
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("This technical note studies Markov decision processes"));
        assert_eq!(
            p.references[0].title.as_deref(),
            Some("Distributionally robust Markov decision processes")
        );
        let p = paper("24e6b80e338a4e543de6b49cada07156c9149d22.json");
        assert_eq!(
            p.title,
            "Niche Partitioning of Marine Group I Crenarchaeota in the Euphotic and Upper Mesopelagic Zones of the East China Sea"
        );
        assert_eq!(p.year, Some(2011));
        assert_eq!(p.references[0].venue.as_deref(), Some("Nature"));
    }

    #[test]
    fn lines_and_errors() {
        let input = concat!(
            "{\"paper_id\": \"1\", \"title\": \"A\", \"body_text\": [{\"text\": \"x\", \"section\": \"S\", \"sec_num\": \"2.1\"}, {\"text\": \"y\", \"section\": \"S\", \"sec_num\": \"2.1\"}]}\n",
            "{\"title\": \"no id\"}\n",
            "{\"paper_id\": \"3\", \"body_text\": [3]}\n",
            "{\"paper_id\": \"4\", \"bib_entries\": {\"BIBREF0\": {\"authors\": [{\"first\": [1]}]}}}\n",
            "{\"paper_id\": \"5\", \"title\": \"trunc\n",
            "{\"paper_id\": 6}\n",
        );
        let records: Vec<_> = parse("x.jsonl", input.as_bytes()).collect();
        assert_eq!(records.len(), 6);
        let p = &records[0].as_ref().unwrap().paper;
        assert_eq!(p.sections.len(), 1);
        assert_eq!((p.sections[0].level, p.sections[0].paragraphs.len()), (2, 2));
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
                (Some("bib_entries.BIBREF0.authors[0].first"), Some(4)),
                (None, Some(5)),
            ]
        );
        assert_eq!(records[5].as_ref().unwrap().paper.ids.corpus.as_ref().unwrap().id, "6");
        let bytes = std::fs::read(format!("{DIR}/N18-3011.json")).unwrap();
        for cut in (0..bytes.len()).step_by(4999) {
            let _ = parse("cut.json", &bytes[..cut]).count();
        }
        let e = parse("cut.json", &bytes[..bytes.len() / 2])
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(e.location.line, Some(1));
        let mut bad = bytes.clone();
        bad[1000] = 0xff;
        assert!(parse("bad.json", &bad)
            .next()
            .unwrap()
            .unwrap_err()
            .message
            .contains("UTF-8"));
    }

    /// Parses every S2ORC / doc2json JSON file of the shared data when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_s2orc() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let root = std::path::Path::new(&root).join("papers/s2orc-doc2json/tests");
        let mut paths = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    paths.push(path);
                }
            }
        }
        let (mut ok, mut sections, mut refs, mut failures) = (0, 0, 0, Vec::new());
        for path in &paths {
            let bytes = std::fs::read(path).unwrap();
            let name = path.to_string_lossy();
            for r in parse(&name, &bytes) {
                match r {
                    Ok(r) => {
                        ok += 1;
                        sections += r.paper.sections.len();
                        refs += r.paper.references.len();
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
        }
        eprintln!(
            "s2orc: {} files, {ok} papers, {sections} sections, {refs} references",
            paths.len()
        );
        assert!(failures.is_empty(), "{failures:#?}");
        assert_eq!(ok, paths.len());
    }
}
