//! BEIR corpus files: JSON lines of `{"_id", "title", "text", "metadata"}`.
//!
//! Each line becomes one [`Paper`] whose `text` is the abstract and whose `_id` is a
//! [`CorpusId`] in the collection named after the file's folder (`scifact/corpus.jsonl` →
//! `scifact`). Identifier-like metadata keys (`doi`, `pmid`, `arxiv_id`, …) fill the other ids.

use std::path::Path;

use serde_json::Value;

use crate::error::ParseError;
use crate::jsonl::{self, kind, Line};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, CorpusId, Identifiers, Paper};
use crate::Record;

/// Parses a BEIR `corpus.jsonl`; one result per non-blank line.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    let collection = collection_name(name);
    jsonl::records(name, bytes, move |line| convert(line, &collection))
}

/// The collection a BEIR file belongs to: its parent folder's name, else its file stem.
pub fn collection_name(name: &str) -> String {
    let path = Path::new(name);
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && s != "." && s != "..");
    parent
        .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "beir".to_string())
}

fn convert(line: &Line<'_>, collection: &str) -> Result<Paper, ParseError> {
    let id = match line.object.get("_id") {
        None | Some(Value::Null) => return Err(line.error("_id", "missing `_id`")),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => return Err(line.error("_id", format!("expected a string, found {}", kind(other)))),
    };
    if id.is_empty() {
        return Err(line.error("_id", "empty `_id`"));
    }
    let title = normalize_ws(line.opt_str("title")?.unwrap_or_default());
    let text = normalize_ws(line.opt_str("text")?.unwrap_or_default());
    if title.is_empty() && text.is_empty() {
        return Err(line.error("text", "record has neither title nor text"));
    }
    let mut ids = Identifiers {
        corpus: Some(CorpusId {
            collection: collection.to_string(),
            id,
        }),
        ..Identifiers::default()
    };
    match line.object.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(meta)) => {
            for (key, value) in meta {
                let value = match value {
                    Value::String(s) => s.trim().to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if !value.is_empty() {
                    add_metadata_id(&mut ids, key, &value);
                }
            }
        }
        Some(other) => {
            return Err(line.error("metadata", format!("expected an object, found {}", kind(other))));
        }
    }
    Ok(Paper {
        ids,
        title,
        abstract_text: (!text.is_empty()).then_some(text),
        ..Paper::default()
    })
}

/// Puts `value` into `ids` when `key` names an identifier; the first value of each kind wins.
fn add_metadata_id(ids: &mut Identifiers, key: &str, value: &str) {
    let key: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let (slot, normalized) = match key.as_str() {
        "doi" => (&mut ids.doi, normalize_doi(value)),
        "pmid" | "pubmedid" | "pubmed" => (
            &mut ids.pmid,
            value.chars().all(|c| c.is_ascii_digit()).then(|| value.to_string()),
        ),
        "pmcid" | "pmc" => (&mut ids.pmcid, normalize_pmcid(value)),
        "arxiv" | "arxivid" => (&mut ids.arxiv, normalize_arxiv(value)),
        "acl" | "aclid" | "anthologyid" => (&mut ids.acl, Some(value.to_string())),
        "openalex" | "openalexid" => {
            let id = value.rsplit('/').next().unwrap_or(value);
            (&mut ids.openalex, (!id.is_empty()).then(|| id.to_string()))
        }
        _ => return,
    };
    if slot.is_none() {
        *slot = normalized;
    }
}

/// `PMC` followed by digits, from `PMC123`, `pmc123` or `123`.
pub(crate) fn normalize_pmcid(s: &str) -> Option<String> {
    let t = s.trim();
    let digits = if t.len() > 3 && t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("pmc")) {
        t.get(3..)?
    } else {
        t
    };
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then(|| format!("PMC{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCIFACT: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/beir/scifact/corpus.jsonl"
    ));
    const NAME: &str = "tests/fixtures/papers/beir/scifact/corpus.jsonl";

    fn all(name: &str, bytes: &[u8]) -> Vec<Result<Record, ParseError>> {
        parse(name, bytes).collect()
    }

    #[test]
    fn scifact_fixture_parses_every_line() {
        let records = all(NAME, SCIFACT.as_bytes());
        assert_eq!(records.len(), 30);
        assert!(records.iter().all(Result::is_ok));
        let first = records[0].as_ref().unwrap();
        assert_eq!(
            first.paper.title,
            "Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor magnetic resonance imaging."
        );
        assert_eq!(
            first.paper.ids.corpus,
            Some(CorpusId {
                collection: "scifact".into(),
                id: "4983".into()
            })
        );
        assert!(first
            .paper
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("Alterations of the architecture of cerebral white matter"));
        assert_eq!(first.location.line, Some(1));
        assert_eq!(first.location.byte, Some(0));
        let second = records[1].as_ref().unwrap();
        assert_eq!(second.location.line, Some(2));
        assert_eq!(second.location.byte, Some(SCIFACT.find('\n').unwrap() as u64 + 1));
    }

    #[test]
    fn expected_values_of_fixture() {
        // (line, _id, title prefix) read by hand from the fixture.
        let cases = [
            (1, "4983", "Microstructural development of human newborn"),
            (
                2,
                "5836",
                "Induction of myelodysplasia by myeloid-derived suppressor cells.",
            ),
            (30, "164189", "Chk1 inhibits replication factory activation"),
        ];
        let records: Vec<Record> = parse(NAME, SCIFACT.as_bytes()).map(Result::unwrap).collect();
        for (line, id, title) in cases {
            let r = &records[line - 1];
            assert_eq!(r.location.line, Some(line as u64));
            assert_eq!(r.paper.ids.corpus.as_ref().unwrap().id, id, "line {line}");
            assert!(r.paper.title.starts_with(title), "line {line}: {}", r.paper.title);
        }
    }

    #[test]
    fn collection_from_folder_or_stem() {
        for (name, expected) in [
            ("/data/scifact/corpus.jsonl", "scifact"),
            ("nfcorpus/corpus.jsonl", "nfcorpus"),
            ("corpus.jsonl", "corpus"),
            ("trec-covid.jsonl", "trec-covid"),
            ("", "beir"),
        ] {
            assert_eq!(collection_name(name), expected, "{name}");
        }
    }

    #[test]
    fn truncated_line_in_the_middle_is_one_error() {
        let mut lines: Vec<&str> = SCIFACT.lines().take(5).collect();
        let cut = &lines[2][..lines[2].len() / 2];
        lines[2] = cut;
        let input = lines.join("\n");
        let records = all(NAME, input.as_bytes());
        assert_eq!(records.len(), 5);
        let errors: Vec<&ParseError> = records.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location.line, Some(3));
        let offset = lines[0].len() + lines[1].len() + 2;
        assert_eq!(errors[0].location.byte, Some(offset as u64));
        assert!(errors[0].message.contains("invalid JSON"), "{}", errors[0]);
        assert!(records[2].is_err());
        assert_eq!(records.iter().filter(|r| r.is_ok()).count(), 4);
    }

    #[test]
    fn field_errors_name_the_field() {
        let input = concat!(
            "{\"title\": \"t\", \"text\": \"x\"}\n",
            "{\"_id\": \"a\", \"title\": \"\", \"text\": \"  \"}\n",
            "\n",
            "{\"_id\": \"b\", \"title\": 3}\n",
            "[1, 2]\n",
            "{\"_id\": 17, \"title\": \"numeric id\", \"metadata\": {\"DOI\": \"https://doi.org/10.1/ABC\", \"pubmed_id\": 123, \"arxiv_id\": \"arXiv:1234.5678v2\", \"url\": \"x\"}}\n",
        );
        let records = all("x/corpus.jsonl", input.as_bytes());
        assert_eq!(records.len(), 5);
        let e0 = records[0].as_ref().unwrap_err();
        assert_eq!((e0.field.as_deref(), e0.location.line), (Some("_id"), Some(1)));
        let e1 = records[1].as_ref().unwrap_err();
        assert_eq!((e1.field.as_deref(), e1.location.line), (Some("text"), Some(2)));
        let e2 = records[2].as_ref().unwrap_err();
        assert_eq!((e2.field.as_deref(), e2.location.line), (Some("title"), Some(4)));
        let e3 = records[3].as_ref().unwrap_err();
        assert_eq!((e3.field.as_deref(), e3.location.line), (None, Some(5)));
        let ok = &records[4].as_ref().unwrap().paper;
        assert_eq!(
            ok.ids.corpus,
            Some(CorpusId {
                collection: "x".into(),
                id: "17".into()
            })
        );
        assert_eq!(ok.ids.doi.as_deref(), Some("10.1/abc"));
        assert_eq!(ok.ids.pmid.as_deref(), Some("123"));
        assert_eq!(ok.ids.arxiv.as_deref(), Some("1234.5678"));
        assert_eq!(ok.abstract_text, None);
        assert!(
            e0.to_string().contains("x/corpus.jsonl: line 1 (byte 0), field `_id`"),
            "{e0}"
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let mut input = b"{\"_id\": \"1\", \"text\": \"ok\"}\n".to_vec();
        input.extend_from_slice(b"{\"_id\": \"2\", \"text\": \"bad \xff\xfe byte\"}\n");
        input.extend_from_slice(b"{\"_id\": \"3\", \"text\": \"ok\"}");
        let records = all("c.jsonl", &input);
        assert_eq!(records.len(), 3);
        let err = records[1].as_ref().unwrap_err();
        assert_eq!(err.location.line, Some(2));
        assert!(err.message.contains("UTF-8"));
        assert!(records[0].is_ok() && records[2].is_ok());
    }

    #[test]
    fn pmcid_normalisation() {
        assert_eq!(normalize_pmcid("pmc123").as_deref(), Some("PMC123"));
        assert_eq!(normalize_pmcid("123").as_deref(), Some("PMC123"));
        assert_eq!(normalize_pmcid("PMCx"), None);
        assert_eq!(normalize_pmcid("ü"), None);
    }

    /// Runs over the whole shared SciFact corpus when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_scifact_corpus() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let path = Path::new(&root).join("scifact/corpus.jsonl");
        let bytes = std::fs::read(&path).expect("read shared scifact corpus");
        let name = path.to_string_lossy().into_owned();
        let (mut ok, mut failures) = (0, Vec::new());
        for r in parse(&name, &bytes) {
            match r {
                Ok(r) => {
                    assert_eq!(r.paper.ids.corpus.as_ref().unwrap().collection, "scifact");
                    ok += 1;
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        eprintln!("scifact: {ok} records, {} failures", failures.len());
        assert!(failures.is_empty(), "{failures:#?}");
        assert_eq!(ok, 5183);
    }
}
