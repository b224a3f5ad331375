//! OpenAlex work objects, as JSON lines (snapshot), a JSON array, a single object, or an API page
//! `{"meta": …, "results": [...]}`. Both the 2022 schema (`host_venue`, `concepts`) and the
//! current one (`primary_location.source`, `topics`, `keywords`) are read.
//!
//! Mapping: `id` → OpenAlex id (`W…`), `doi` and `ids.{doi,pmid,pmcid}` → identifiers, `title`
//! (else `display_name`, HTML tags stripped), `publication_year` / `publication_date`,
//! `authorships[].author` (display name, ORCID; `raw_author_name` when the author has none),
//! venue from `primary_location.source.display_name`, else `host_venue.display_name`; the
//! abstract is rebuilt from `abstract_inverted_index` by placing every word at its positions.
//! Subjects: `concepts` → `openalex-concept`, `topics` (and `primary_topic`) → `openalex-topic`,
//! `keywords` → `openalex-keyword`, `mesh` → `mesh`. `referenced_works` become references that
//! carry only their OpenAlex id. `is_retracted: true` marks the work retracted; Crossref-style
//! `update-to` / `updated-by` / `relation` notices are read as [`crate::notices`] says.

use serde_json::{Map, Value};

use crate::beir::normalize_pmcid;
use crate::error::ParseError;
use crate::json::{self, opt_array, opt_object, opt_text, opt_year};
use crate::jsonl::{kind, Line};
use crate::model::{normalize_doi, normalize_ws, Author, Identifiers, Paper, PublicationStatus, Reference, Subject};
use crate::Record;

/// Parses OpenAlex works; one result per work.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    json::records(name, bytes, true, convert)
}

/// `W123` from `https://openalex.org/W123` (or `W123` itself).
pub fn short_id(s: &str) -> Option<String> {
    let id = s.trim().trim_end_matches('/').rsplit('/').next()?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

fn convert(line: &Line<'_>) -> Result<Paper, ParseError> {
    let o = &line.object;
    let id = opt_text(line, o, "id", "id")?
        .and_then(|s| short_id(&s))
        .ok_or_else(|| line.error("id", "missing `id`"))?;
    let mut ids = Identifiers {
        openalex: Some(id),
        doi: opt_text(line, o, "doi", "doi")?.and_then(|d| normalize_doi(&d)),
        ..Identifiers::default()
    };
    if let Some(more) = opt_object(line, o, "ids", "ids")? {
        let get = |k: &str| opt_text(line, more, k, &format!("ids.{k}"));
        if ids.doi.is_none() {
            ids.doi = get("doi")?.and_then(|d| normalize_doi(&d));
        }
        ids.pmid = get("pmid")?
            .and_then(|p| short_id(&p))
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
        ids.pmcid = get("pmcid")?
            .and_then(|p| short_id(&p))
            .and_then(|p| normalize_pmcid(&p));
    }
    let title = match opt_text(line, o, "title", "title")? {
        Some(t) => strip_tags(&t),
        None => strip_tags(&opt_text(line, o, "display_name", "display_name")?.unwrap_or_default()),
    };
    let year = opt_year(line, o, "publication_year", "publication_year")?;
    let date = opt_text(line, o, "publication_date", "publication_date")?;
    let year = year.or_else(|| date.as_deref().and_then(crate::dates::leading_year));

    let mut authors = Vec::new();
    for (i, a) in opt_array(line, o, "authorships", "authorships")?.iter().enumerate() {
        let path = format!("authorships[{i}]");
        let Value::Object(a) = a else {
            return Err(line.error(&path, format!("expected an object, found {}", kind(a))));
        };
        let author = opt_object(line, a, "author", &format!("{path}.author"))?;
        let name = match author {
            Some(au) => opt_text(line, au, "display_name", &format!("{path}.author.display_name"))?,
            None => None,
        }
        .or(opt_text(
            line,
            a,
            "raw_author_name",
            &format!("{path}.raw_author_name"),
        )?)
        .map(|n| normalize_ws(&n));
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            continue;
        };
        let orcid = match author {
            Some(au) => opt_text(line, au, "orcid", &format!("{path}.author.orcid"))?.and_then(|s| short_id(&s)),
            None => None,
        };
        authors.push(Author {
            name,
            orcid,
            ..Author::default()
        });
    }

    let primary = opt_object(line, o, "primary_location", "primary_location")?;
    let source = match primary {
        Some(p) => opt_object(line, p, "source", "primary_location.source")?,
        None => None,
    };
    let host = opt_object(line, o, "host_venue", "host_venue")?;
    let venue = match source {
        Some(s) => opt_text(line, s, "display_name", "primary_location.source.display_name")?,
        None => None,
    }
    .or(match host {
        Some(h) => opt_text(line, h, "display_name", "host_venue.display_name")?,
        None => None,
    })
    .map(|v| normalize_ws(&v));
    let license = match primary {
        Some(p) => opt_text(line, p, "license", "primary_location.license")?,
        None => None,
    }
    .or(match host {
        Some(h) => opt_text(line, h, "license", "host_venue.license")?,
        None => None,
    });

    let abstract_text = match o.get("abstract_inverted_index") {
        None | Some(Value::Null) => None,
        Some(Value::Object(index)) => rebuild_abstract(line, index)?,
        Some(other) => {
            return Err(line.error(
                "abstract_inverted_index",
                format!("expected an object, found {}", kind(other)),
            ))
        }
    };

    let mut subjects = Vec::new();
    subjects_of(line, o, "concepts", "openalex-concept", &mut subjects)?;
    if let Some(t) = opt_object(line, o, "primary_topic", "primary_topic")? {
        add_subject(line, t, "primary_topic", "openalex-topic", &mut subjects)?;
    }
    subjects_of(line, o, "topics", "openalex-topic", &mut subjects)?;
    subjects_of(line, o, "keywords", "openalex-keyword", &mut subjects)?;
    for (i, m) in opt_array(line, o, "mesh", "mesh")?.iter().enumerate() {
        let path = format!("mesh[{i}]");
        let Value::Object(m) = m else {
            return Err(line.error(&path, format!("expected an object, found {}", kind(m))));
        };
        let label = opt_text(line, m, "descriptor_name", &format!("{path}.descriptor_name"))?;
        let id = opt_text(line, m, "descriptor_ui", &format!("{path}.descriptor_ui"))?;
        if let Some(label) = label {
            let s = Subject::new("mesh", id, label);
            if !subjects.contains(&s) {
                subjects.push(s);
            }
        }
    }

    let mut references = Vec::new();
    for (i, r) in opt_array(line, o, "referenced_works", "referenced_works")?
        .iter()
        .enumerate()
    {
        let Value::String(r) = r else {
            return Err(line.error(
                &format!("referenced_works[{i}]"),
                format!("expected a string, found {}", kind(r)),
            ));
        };
        if let Some(id) = short_id(r) {
            references.push(Reference {
                ids: Identifiers {
                    openalex: Some(id),
                    ..Identifiers::default()
                },
                ..Reference::default()
            });
        }
    }

    Ok(Paper {
        ids,
        title,
        authors,
        year,
        date,
        venue,
        abstract_text,
        references,
        subjects,
        license,
        status: PublicationStatus {
            retracted: match o.get("is_retracted") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(line.error("is_retracted", format!("expected a boolean, found {}", kind(other))))
                }
            },
            notices: crate::notices::crossref(line, o)?,
        },
        ..Paper::default()
    })
}

/// Pushes the subjects of the array `field` (objects with `id` and `display_name`).
fn subjects_of(
    line: &Line<'_>,
    o: &Map<String, Value>,
    field: &str,
    scheme: &str,
    out: &mut Vec<Subject>,
) -> Result<(), ParseError> {
    for (i, c) in opt_array(line, o, field, field)?.iter().enumerate() {
        let path = format!("{field}[{i}]");
        match c {
            Value::Object(c) => add_subject(line, c, &path, scheme, out)?,
            // Some exports list keywords as plain strings.
            Value::String(s) if !s.trim().is_empty() => out.push(Subject::new(scheme, None, normalize_ws(s))),
            other => return Err(line.error(&path, format!("expected an object, found {}", kind(other)))),
        }
    }
    Ok(())
}

fn add_subject(
    line: &Line<'_>,
    c: &Map<String, Value>,
    path: &str,
    scheme: &str,
    out: &mut Vec<Subject>,
) -> Result<(), ParseError> {
    let label = opt_text(line, c, "display_name", &format!("{path}.display_name"))?;
    let id = opt_text(line, c, "id", &format!("{path}.id"))?.and_then(|i| short_id(&i));
    if let Some(label) = label {
        let s = Subject::new(scheme, id, normalize_ws(&label));
        if !out
            .iter()
            .any(|o| o.scheme == s.scheme && o.id == s.id && o.label == s.label)
        {
            out.push(s);
        }
    }
    Ok(())
}

/// Most positions accepted in an inverted index; more is taken as a malformed record.
const MAX_POSITIONS: usize = 1_000_000;

/// The abstract from `{"word": [positions…]}`: words sorted by position, joined by spaces.
fn rebuild_abstract(line: &Line<'_>, index: &Map<String, Value>) -> Result<Option<String>, ParseError> {
    let field = "abstract_inverted_index";
    let mut placed: Vec<(u64, &str)> = Vec::new();
    for (word, positions) in index {
        let Value::Array(positions) = positions else {
            return Err(line.error(field, format!("expected an array of positions for {word:?}")));
        };
        for p in positions {
            let p = p
                .as_u64()
                .ok_or_else(|| line.error(field, format!("expected a position number for {word:?}, found {p}")))?;
            placed.push((p, word));
            if placed.len() > MAX_POSITIONS {
                return Err(line.error(field, format!("more than {MAX_POSITIONS} positions")));
            }
        }
    }
    placed.sort_unstable();
    let words: Vec<&str> = placed.into_iter().map(|(_, w)| w).collect();
    let text = normalize_ws(&words.join(" "));
    Ok((!text.is_empty()).then_some(text))
}

/// Removes HTML tags (`<i>`, `<sub>`…) and decodes the common character references.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        // A tag is `<`, an optional `/`, a letter, then anything up to `>`.
        let is_tag = after[1..]
            .trim_start_matches('/')
            .starts_with(|c: char| c.is_ascii_alphabetic());
        match after.find('>').filter(|_| is_tag) {
            Some(gt) => rest = &after[gt + 1..],
            None => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    normalize_ws(&crate::xml::unescape(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/openalex/openalex_works_tu9.sample.json"
    ));

    use crate::model::{NoticeKind, NoticeRole};

    fn papers(bytes: &[u8]) -> Vec<Paper> {
        parse("openalex.json", bytes).map(|r| r.unwrap().paper).collect()
    }

    #[test]
    fn schema_2022_array() {
        let p = papers(SAMPLE);
        assert_eq!(p.len(), 11);
        let first = &p[0];
        assert_eq!(first.ids.openalex.as_deref(), Some("W4200035428"));
        assert_eq!(first.ids.doi.as_deref(), Some("10.1142/10552"));
        assert_eq!(first.title, "Handbook of Random Forests");
        assert_eq!((first.year, first.date.as_deref()), (Some(2023), Some("2023-02-01")));
        assert_eq!(first.authors[0].name, "Ronny Hänsch");
        assert_eq!(first.venue.as_deref(), Some("Series in computer vision"));
        assert_eq!(
            first.subjects[0],
            Subject::new("openalex-concept", Some("C169258074".into()), "Random forest")
        );
        let ce = p
            .iter()
            .find(|p| p.ids.openalex.as_deref() == Some("W3024577869"))
            .unwrap();
        assert_eq!(
            ce.title,
            "Neutron-scattering studies of spin dynamics in pure and doped CeB6"
        );
        assert_eq!(ce.ids.doi, None);
        assert_eq!(ce.authors.len(), 3);
        assert_eq!(ce.authors[2].name, "Dmytro S. Inosov");
        assert_eq!(ce.authors[2].orcid.as_deref(), Some("0000-0003-0639-2503"));
        assert_eq!(ce.venue.as_deref(), Some("arXiv: Strongly Correlated Electrons"));
        assert_eq!(ce.references.len(), 142);
        assert_eq!(ce.references[0].ids.openalex.as_deref(), Some("W28836077"));
        let abs = ce.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with(
            "As a simple cubic system with only one f electron per cerium ion, CeB6 is of model character"
        ));
        assert!(abs.ends_with("conclusively compare them with the theoretically predicted multipolar excitations."));
        assert_eq!(ce.subjects[0].label, "Physics");
    }

    #[test]
    fn lines_page_and_single_object() {
        let works: Vec<Value> = serde_json::from_slice(SAMPLE).unwrap();
        let lines: String = works[..3].iter().map(|w| format!("{w}\n")).collect();
        assert_eq!(papers(lines.as_bytes()).len(), 3);
        let page = serde_json::json!({"meta": {"count": 3}, "results": works[..3]});
        let from_page = papers(serde_json::to_string_pretty(&page).unwrap().as_bytes());
        assert_eq!(from_page.len(), 3);
        assert_eq!(from_page[2].ids.openalex.as_deref(), Some("W4289260064"));
        let single = serde_json::to_string_pretty(&works[1]).unwrap();
        assert_eq!(
            papers(single.as_bytes())[0].ids.openalex.as_deref(),
            Some("W4288269695")
        );
    }

    #[test]
    fn retraction_flag_and_crossref_notices() {
        // Every work of the real sample carries `is_retracted: false`.
        let text = std::str::from_utf8(SAMPLE).unwrap();
        assert_eq!(text.matches("\"is_retracted\": false").count(), 11);
        assert!(papers(SAMPLE).iter().all(|p| p.status.is_empty()));
        // The sample's first work with the flag set, and Crossref's `update-to` / `relation`
        // shapes (as api.crossref.org serves them for a retraction notice).
        let retracted = text.replacen("\"is_retracted\": false", "\"is_retracted\": true", 1);
        let p = &papers(retracted.as_bytes())[0];
        assert!(p.status.retracted && p.status.notices.is_empty());
        let notice = r#"{"id":"W1","title":"Retraction notice","is_retracted":false,
"update-to":[{"updated":{"date-parts":[[2020,6,4]]},"DOI":"10.1016/S0140-6736(20)31180-6","type":"retraction","label":"Retraction"},
 {"DOI":"10.1/x","type":"new_version"}],
"relation":{"is-retraction-of":[{"id-type":"doi","id":"10.1/Y","asserted-by":"subject"}],"is-preprint-of":[{"id-type":"doi","id":"10.1/z"}],
 "has-correction":[{"id-type":"doi","id":"https://doi.org/10.1/C"}]}}"#;
        let s = &papers(notice.as_bytes())[0].status;
        let got: Vec<(NoticeKind, NoticeRole, Option<&str>, Option<&str>)> = s
            .notices
            .iter()
            .map(|n| (n.kind, n.role, n.other.doi.as_deref(), n.date.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    NoticeKind::Retraction,
                    NoticeRole::NoticeOf,
                    Some("10.1016/s0140-6736(20)31180-6"),
                    Some("2020-06-04")
                ),
                (NoticeKind::Correction, NoticeRole::NoticeIn, Some("10.1/c"), None),
                (NoticeKind::Retraction, NoticeRole::NoticeOf, Some("10.1/y"), None),
            ]
        );
        let bad = r#"{"id":"W1","is_retracted":"yes"}"#;
        let e = parse("w.json", bad.as_bytes()).next().unwrap().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("is_retracted"));
    }

    #[test]
    fn current_schema() {
        let work = r#"{"id":"https://openalex.org/W2741809807","doi":"https://doi.org/10.7717/peerj.4375",
"title":"The state of OA: a large-scale analysis of the prevalence and impact of <i>Open Access</i> articles",
"display_name":"ignored","publication_year":2018,"publication_date":"2018-02-13",
"ids":{"openalex":"https://openalex.org/W2741809807","doi":"https://doi.org/10.7717/peerj.4375","mag":"2741809807","pmid":"https://pubmed.ncbi.nlm.nih.gov/29456894","pmcid":"https://www.ncbi.nlm.nih.gov/pmc/articles/5815332"},
"primary_location":{"is_oa":true,"license":"cc-by","source":{"id":"https://openalex.org/S1983995261","display_name":"PeerJ"}},
"authorships":[{"author_position":"first","author":{"id":"https://openalex.org/A5048491430","display_name":"Heather Piwowar","orcid":"https://orcid.org/0000-0003-1613-5981"},"raw_author_name":"Heather Piwowar"},
 {"author":{"id":null,"display_name":null},"raw_author_name":"J. Priem"}],
"primary_topic":{"id":"https://openalex.org/T10102","display_name":"scientometrics and bibliometrics research"},
"topics":[{"id":"https://openalex.org/T10102","display_name":"scientometrics and bibliometrics research","score":0.99},{"id":"https://openalex.org/T12","display_name":"Other"}],
"keywords":[{"id":"https://openalex.org/keywords/open-access","display_name":"Open Access","score":0.6}],
"mesh":[{"descriptor_ui":"D000818","descriptor_name":"Animals","qualifier_ui":"","qualifier_name":null,"is_major_topic":false}],
"abstract_inverted_index":{"Despite":[0],"growing":[1],"interest":[2],"in":[3,57],"Open":[4],"the":[58]},
"referenced_works":["https://openalex.org/W1","https://openalex.org/W2"]}"#;
        let page = format!("{{\"meta\":{{}},\"results\":[{work}]}}");
        let p = &papers(page.as_bytes())[0];
        assert_eq!(
            p.title,
            "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles"
        );
        assert_eq!(p.ids.pmid.as_deref(), Some("29456894"));
        assert_eq!(p.ids.pmcid.as_deref(), Some("PMC5815332"));
        assert_eq!(p.venue.as_deref(), Some("PeerJ"));
        assert_eq!(p.license.as_deref(), Some("cc-by"));
        assert_eq!(p.authors[1].name, "J. Priem");
        assert_eq!(
            p.abstract_text.as_deref(),
            Some("Despite growing interest in Open in the")
        );
        let schemes: Vec<(&str, Option<&str>)> = p
            .subjects
            .iter()
            .map(|s| (s.scheme.as_str(), s.id.as_deref()))
            .collect();
        assert_eq!(
            schemes,
            [
                ("openalex-topic", Some("T10102")),
                ("openalex-topic", Some("T12")),
                ("openalex-keyword", Some("open-access")),
                ("mesh", Some("D000818"))
            ]
        );
        assert_eq!(p.references.len(), 2);
    }

    #[test]
    fn bad_records_are_located() {
        let input = concat!(
            "{\"id\":\"https://openalex.org/W1\",\"title\":\"ok\"}\n",
            "{\"id\":\"https://openalex.org/W2\",\"authorships\":{}}\n",
            "{\"title\":\"no id\"}\n",
            "{\"id\":\"W4\",\"abstract_inverted_index\":{\"a\":[\"x\"]}}\n",
            "{\"id\":\"W5\",\"concepts\":[{\"display_name\":[3]}]}\n",
            "{\"id\":\"W6\", \"title\": \"trunc\n",
            "{\"id\":\"W7\",\"title\":\"\u{e9}\"}\n",
        );
        let mut bytes = input.as_bytes().to_vec();
        bytes.extend_from_slice(b"{\"id\":\"W8\",\"title\":\"\xff\"}\n");
        let records: Vec<_> = parse("x.jsonl", &bytes).collect();
        assert_eq!(records.len(), 8);
        let errors: Vec<(Option<&str>, Option<u64>)> = records
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| (e.field.as_deref(), e.location.line))
            .collect();
        assert_eq!(
            errors,
            [
                (Some("authorships"), Some(2)),
                (Some("id"), Some(3)),
                (Some("abstract_inverted_index"), Some(4)),
                (Some("concepts[0].display_name"), Some(5)),
                (None, Some(6)),
                (None, Some(8)),
            ]
        );
        assert_eq!(records[6].as_ref().unwrap().paper.title, "é");
        // A truncated array: the complete works before the cut still parse.
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        let records: Vec<_> = parse("cut.json", cut).collect();
        assert!(records.len() >= 2);
        assert!(records[0].is_ok());
        assert!(records.last().unwrap().is_err());
        for step in [1usize, 7, 5000] {
            for i in (0..SAMPLE.len()).step_by(step * 97) {
                let _ = parse("cut.json", &SAMPLE[..i]).count();
            }
        }
        let deep = format!("[{}{}]", "[".repeat(5000), "]".repeat(5000));
        assert!(parse("deep.json", deep.as_bytes()).all(|r| r.is_err()));
    }

    #[test]
    fn tags_are_stripped() {
        assert_eq!(strip_tags("a <i>b</i> &amp; x<y 1 < 2"), "a b & x<y 1 < 2");
    }

    /// Parses the shared OpenAlex sample when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_openalex() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let dir = std::path::Path::new(&root).join("papers/openalex");
        let mut failures = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let name = path.to_string_lossy();
            let (mut ok, mut refs, mut subjects) = (0, 0, 0);
            for r in parse(&name, &bytes) {
                match r {
                    Ok(r) => {
                        ok += 1;
                        refs += r.paper.references.len();
                        subjects += r.paper.subjects.len();
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
            eprintln!("openalex {name}: {ok} works, {refs} references, {subjects} subjects");
            assert_eq!(ok, 410);
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
