//! The arXiv metadata OAI snapshot (Kaggle `arxiv-metadata-oai-snapshot.json`): JSON lines, one
//! paper per line with `id`, `doi`, `title`, `abstract`, `authors_parsed`, `journal-ref`,
//! `categories`, `license`, `versions` and `update_date`.
//!
//! Titles and abstracts keep their LaTeX but get their whitespace normalised. The date is the
//! first version's submission date; `update_date` only supplies the year when no version has one.

use crate::dates::{iso_date, leading_year};
use serde_json::Value;

use crate::error::ParseError;
use crate::jsonl::{self, kind, Line};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, Author, Identifiers, Paper, Subject};
use crate::Record;

/// Parses arXiv metadata JSON lines; one result per non-blank line.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    jsonl::records(name, bytes, convert)
}

fn convert(line: &Line<'_>) -> Result<Paper, ParseError> {
    let raw_id = line.opt_str("id")?.ok_or_else(|| line.error("id", "missing `id`"))?;
    let arxiv = normalize_arxiv(raw_id).ok_or_else(|| line.error("id", "empty `id`"))?;
    let title = normalize_ws(line.opt_str("title")?.unwrap_or_default());
    let abstract_text = normalize_ws(line.opt_str("abstract")?.unwrap_or_default());
    if title.is_empty() && abstract_text.is_empty() {
        return Err(line.error("title", "record has neither title nor abstract"));
    }
    let doi = line.opt_str("doi")?.and_then(first_doi);
    let authors = match line.object.get("authors_parsed") {
        None | Some(Value::Null) => None,
        Some(v) => Some(parsed_authors(line, v, "authors_parsed")?),
    }
    .filter(|a| !a.is_empty())
    .or_else(|| line.opt_str("authors").ok().flatten().map(split_authors))
    .unwrap_or_default();
    // Fail on a wrongly typed `authors` even when `authors_parsed` made it unnecessary.
    line.opt_str("authors")?;
    let venue = line
        .opt_str("journal-ref")?
        .map(normalize_ws)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "arXiv".to_string());
    let keywords: Vec<String> = line
        .opt_str("categories")?
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let subjects = keywords
        .iter()
        .map(|c| Subject::new("arxiv", Some(c.clone()), c.clone()))
        .collect();
    let license = line.opt_str("license")?.map(normalize_ws).filter(|s| !s.is_empty());
    let created = first_version_date(line)?;
    let update_year = line.opt_str("update_date")?.and_then(leading_year);
    let (date, year) = match created {
        Some((y, m, d)) => (Some(iso_date(y, Some(m), Some(d))), Some(y)),
        None => (None, update_year),
    };
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
        abstract_text: (!abstract_text.is_empty()).then_some(abstract_text),
        keywords,
        subjects,
        license,
        ..Paper::default()
    })
}

/// The first valid DOI of a field that may list several, separated by spaces, commas or semicolons.
pub(crate) fn first_doi(s: &str) -> Option<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .find_map(normalize_doi)
}

/// `[[last, first, suffix, affiliation…], …]` (the value of `field`) into authors; entries need
/// at least a last name.
pub(crate) fn parsed_authors(line: &Line<'_>, v: &Value, field: &str) -> Result<Vec<Author>, ParseError> {
    let Value::Array(entries) = v else {
        return Err(line.error(field, format!("expected an array, found {}", kind(v))));
    };
    let mut authors = Vec::with_capacity(entries.len());
    for entry in entries {
        let Value::Array(parts) = entry else {
            return Err(line.error(field, format!("expected an array per author, found {}", kind(entry))));
        };
        let part = |i: usize| {
            parts
                .get(i)
                .and_then(Value::as_str)
                .map(normalize_ws)
                .unwrap_or_default()
        };
        let (family, given, suffix) = (part(0), part(1), part(2));
        let name = [given.as_str(), family.as_str(), suffix.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            continue;
        }
        authors.push(Author {
            name,
            given: (!given.is_empty()).then_some(given),
            family: (!family.is_empty()).then_some(family),
            orcid: None,
        });
    }
    Ok(authors)
}

/// Splits an `authors` string ("A. One, B. Two and C. Three (1) ((1) Place)") into names.
pub(crate) fn split_authors(s: &str) -> Vec<Author> {
    let mut plain = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = normalize_ws(&plain);
    plain
        .split(',')
        .flat_map(|part| part.split(" and "))
        .map(|n| normalize_ws(n.trim().trim_start_matches("and ")))
        .filter(|n| !n.is_empty())
        .map(Author::named)
        .collect()
}

/// The `created` date of `versions[0]`, parsed from RFC 2822.
fn first_version_date(line: &Line<'_>) -> Result<Option<(i32, u32, u32)>, ParseError> {
    let created = match line.object.get("versions") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(versions)) => versions.first().and_then(|v| v.get("created")).and_then(Value::as_str),
        Some(other) => return Err(line.error("versions", format!("expected an array, found {}", kind(other)))),
    };
    match created {
        None => Ok(None),
        Some(s) => parse_rfc2822_date(s)
            .map(Some)
            .ok_or_else(|| line.error("versions", format!("unreadable date {s:?} in `versions[0].created`"))),
    }
}

/// The (year, month, day) of an RFC 2822 date such as `Mon, 2 Apr 2007 19:18:42 GMT`.
pub fn parse_rfc2822_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut tokens = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .peekable();
    if tokens.peek()?.chars().next()?.is_ascii_alphabetic() {
        tokens.next(); // weekday
    }
    let day: u32 = tokens.next()?.parse().ok()?;
    let month_name = tokens.next()?.to_ascii_lowercase();
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| month_name.starts_with(m))? as u32
        + 1;
    let year_token = tokens.next()?;
    if year_token.len() != 4 {
        return None;
    }
    let year: i32 = year_token.parse().ok()?;
    (1..=days_in_month(year, month))
        .contains(&day)
        .then_some((year, month, day))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/arxiv/arxiv-metadata-oai-snapshot.sample.jsonl"
    ));
    const NAME: &str = "arxiv-metadata-oai-snapshot.sample.jsonl";

    fn papers() -> Vec<Paper> {
        parse(NAME, SAMPLE.as_bytes()).map(|r| r.unwrap().paper).collect()
    }

    #[test]
    fn fixture_parses_every_line() {
        let records: Vec<_> = parse(NAME, SAMPLE.as_bytes()).collect();
        assert_eq!(records.len(), 21);
        for r in &records {
            let r = r.as_ref().unwrap();
            assert!(!r.paper.title.is_empty());
            assert!(r.paper.year.is_some());
            assert!(!r.paper.keywords.is_empty());
        }
    }

    #[test]
    fn first_record() {
        let p = &papers()[0];
        assert_eq!(p.ids.arxiv.as_deref(), Some("0704.0001"));
        assert_eq!(p.ids.doi.as_deref(), Some("10.1103/physrevd.76.013009"));
        assert_eq!(
            p.title,
            "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
        );
        assert_eq!(p.authors.len(), 4);
        assert_eq!(p.authors[0].name, "C. Balázs");
        assert_eq!(p.authors[0].family.as_deref(), Some("Balázs"));
        assert_eq!(p.authors[0].given.as_deref(), Some("C."));
        assert_eq!(p.authors[3].name, "C. -P. Yuan");
        assert_eq!(p.venue.as_deref(), Some("Phys.Rev.D76:013009,2007"));
        assert_eq!(p.date.as_deref(), Some("2007-04-02"));
        assert_eq!(p.year, Some(2007));
        assert_eq!(p.keywords, vec!["hep-ph"]);
        assert_eq!(p.subjects, [Subject::new("arxiv", Some("hep-ph".into()), "hep-ph")]);
        assert_eq!(p.license, None);
        let abs = p.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with("A fully differential calculation in perturbative quantum chromodynamics is presented"));
        assert!(!abs.contains('\n'));
    }

    #[test]
    fn values_read_from_the_fixture() {
        let papers = papers();
        struct Case {
            index: usize,
            id: &'static str,
            doi: Option<&'static str>,
            venue: &'static str,
            date: &'static str,
            categories: &'static [&'static str],
            authors: usize,
        }
        let case = |index, id, doi, venue, date, categories, authors| Case {
            index,
            id,
            doi,
            venue,
            date,
            categories,
            authors,
        };
        let cases = [
            case(1, "0704.0002", None, "arXiv", "2007-03-31", &["math.CO", "cs.CG"], 2),
            case(
                4,
                "0704.0005",
                None,
                "Illinois J. Math. 52 (2008) no.2, 681-689",
                "2007-04-02",
                &["math.CA", "math.FA"],
                2,
            ),
            case(
                8,
                "0704.0009",
                Some("10.1086/518646"),
                "Astrophys.J.663:1149-1173,2007",
                "2007-04-02",
                &["astro-ph"],
                7,
            ),
            case(
                19,
                "0704.0020",
                Some("10.1103/physrevd.76.052005"),
                "Phys.Rev.D76:052005,2007",
                "2007-03-31",
                &["hep-ex"],
                2,
            ),
            case(
                20,
                "0704.0033",
                Some("10.1364/josaa.23.002578"),
                "J.Opt.Soc.Am.A 23, 2578-2591 (2006); Erratum: J.Opt.Soc.Am.A 32, 2407-2408 (2015)",
                "2007-03-31",
                &["physics.optics", "physics.comp-ph"],
                3,
            ),
        ];
        for Case {
            index: i,
            id,
            doi,
            venue,
            date,
            categories: cats,
            authors: n_authors,
        } in cases
        {
            let p = &papers[i];
            assert_eq!(p.ids.arxiv.as_deref(), Some(id));
            assert_eq!(p.ids.doi.as_deref(), doi, "{id}");
            assert_eq!(p.venue.as_deref(), Some(venue), "{id}");
            assert_eq!(p.date.as_deref(), Some(date), "{id}");
            assert_eq!(p.keywords, cats.to_vec(), "{id}");
            assert_eq!(p.authors.len(), n_authors, "{id}");
        }
        assert_eq!(
            papers[1].license.as_deref(),
            Some("http://arxiv.org/licenses/nonexclusive-distrib/1.0/")
        );
        assert_eq!(papers[8].authors[5].name, "Neal J. Evans II");
        assert_eq!(
            papers[4].title,
            "From dyadic $\\Lambda_{\\alpha}$ to $\\Lambda_{\\alpha}$"
        );
    }

    #[test]
    fn fallbacks_and_errors() {
        let input = concat!(
            "{\"id\":\"hep-th/9901001v2\",\"title\":\"T\",\"authors\":\"A. One, B. Two and C. Three (1) ((1) Somewhere)\",\"update_date\":\"2008-11-26\",\"doi\":\"not-a-doi 10.5/X\"}\n",
            "{\"title\":\"no id\"}\n",
            "{\"id\":\"1\",\"title\":\"t\",\"versions\":[{\"created\":\"yesterday\"}]}\n",
            "{\"id\":\"2\",\"title\":\"t\",\"categories\":[\"cs.AI\"]}\n",
            "{\"id\":\"3\",\"title\":\"t\",\"authors_parsed\":\"x\"}\n",
            "{\"id\":\"4\",\"title\":\"\",\"abstract\":\"  \"}\n",
        );
        let records: Vec<_> = parse("x.jsonl", input.as_bytes()).collect();
        let p = &records[0].as_ref().unwrap().paper;
        assert_eq!(p.ids.arxiv.as_deref(), Some("hep-th/9901001"));
        assert_eq!(p.ids.doi.as_deref(), Some("10.5/x"));
        assert_eq!(
            p.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["A. One", "B. Two", "C. Three"]
        );
        assert_eq!(
            (p.year, p.date.as_deref(), p.venue.as_deref()),
            (Some(2008), None, Some("arXiv"))
        );
        let fields: Vec<(Option<&str>, Option<u64>)> = records[1..]
            .iter()
            .map(|r| {
                let e = r.as_ref().unwrap_err();
                (e.field.as_deref(), e.location.line)
            })
            .collect();
        assert_eq!(
            fields,
            [
                (Some("id"), Some(2)),
                (Some("versions"), Some(3)),
                (Some("categories"), Some(4)),
                (Some("authors_parsed"), Some(5)),
                (Some("title"), Some(6)),
            ]
        );
    }

    #[test]
    fn truncated_line_and_invalid_utf8() {
        let lines: Vec<&str> = SAMPLE.lines().take(4).collect();
        let mut input = Vec::new();
        input.extend_from_slice(lines[0].as_bytes());
        input.push(b'\n');
        input.extend_from_slice(&lines[1].as_bytes()[..200]);
        input.push(b'\n');
        let third_start = input.len() as u64;
        input.extend_from_slice(&lines[2].as_bytes()[..50]);
        input.extend_from_slice(b"\xC3\x28");
        input.extend_from_slice(&lines[2].as_bytes()[50..]);
        input.push(b'\n');
        input.extend_from_slice(lines[3].as_bytes());
        let records: Vec<_> = parse(NAME, &input).collect();
        assert_eq!(records.len(), 4);
        let e1 = records[1].as_ref().unwrap_err();
        assert_eq!(
            (e1.location.line, e1.location.byte),
            (Some(2), Some(lines[0].len() as u64 + 1))
        );
        assert!(e1.message.contains("invalid JSON"), "{e1}");
        let e2 = records[2].as_ref().unwrap_err();
        assert_eq!((e2.location.line, e2.location.byte), (Some(3), Some(third_start)));
        assert!(e2.message.contains("UTF-8"), "{e2}");
        assert_eq!(
            records[0].as_ref().unwrap().paper.ids.arxiv.as_deref(),
            Some("0704.0001")
        );
        assert_eq!(
            records[3].as_ref().unwrap().paper.ids.arxiv.as_deref(),
            Some("0704.0004")
        );
    }

    #[test]
    fn rfc2822_dates() {
        assert_eq!(parse_rfc2822_date("Mon, 2 Apr 2007 19:18:42 GMT"), Some((2007, 4, 2)));
        assert_eq!(parse_rfc2822_date("31 Dec 1999 00:00:00 GMT"), Some((1999, 12, 31)));
        assert_eq!(parse_rfc2822_date("Sat, 30 Feb 2007 02:26:18 GMT"), None);
        assert_eq!(parse_rfc2822_date("Sat, 1 Foo 2007"), None);
        assert_eq!(parse_rfc2822_date(""), None);
        assert_eq!(parse_rfc2822_date("é, 1 Jan 2007"), None);
    }

    /// Runs over the shared arXiv sample when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_arxiv_metadata() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let path = std::path::Path::new(&root).join("papers/arxiv-metadata/arxiv-metadata-oai-snapshot.head200.jsonl");
        let bytes = std::fs::read(&path).expect("read shared arXiv sample");
        let (mut ok, mut failures) = (0, Vec::new());
        for r in parse("arxiv-metadata-oai-snapshot.head200.jsonl", &bytes) {
            match r {
                Ok(r) => {
                    assert!(
                        r.paper.date.is_some() && !r.paper.authors.is_empty(),
                        "{:?}",
                        r.paper.ids
                    );
                    ok += 1;
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        eprintln!("arxiv: {ok} records, {} failures", failures.len());
        assert!(failures.is_empty(), "{failures:#?}");
        assert_eq!(ok, 200);
    }
}
