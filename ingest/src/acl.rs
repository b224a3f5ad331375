//! ACL Anthology collection XML (`data/xml/*.xml` of the Anthology repository): `collection id=`
//! → `volume id=` → `meta` and `paper id=`; one record per paper, located at its start tag.
//!
//! The file is streamed with quick-xml: only one volume's `meta` and one `paper` are held as small
//! trees at a time, never the whole collection. A malformed file yields the papers before the
//! fault, then one located error, and stops there.
//!
//! Mapping: `title` (inline markup such as `fixed-case` gives its text), `author` (`first`,
//! `last`), `abstract`, `doi`; the ACL id from the paper's `url` when it is an Anthology id (no
//! `/` or `:`), else built from the collection, volume and paper ids as the Anthology does
//! (`P19-1001`, `W89-0101`, `2020.acl-main.1`); venue = the volume's `booktitle`; year = the
//! volume's `year` (else the paper's, else the one the collection id implies); date = year and
//! month; each `venue` element of the volume's `meta` → subject of scheme `acl-venue`.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::dates::{iso_date, leading_year, month_number};
use crate::error::{Location, ParseError};
use crate::model::{normalize_doi, Author, Identifiers, Paper, Subject};
use crate::xml::{error_at, read_element, text, Element};
use crate::Record;

/// Parses an ACL Anthology collection file; one result per paper.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    Papers {
        name,
        reader: Reader::from_reader(bytes),
        collection: String::new(),
        volume: String::new(),
        meta: Meta::default(),
        depth: 0,
        done: false,
    }
}

/// What a volume's `meta` says about its papers.
#[derive(Default, Clone)]
struct Meta {
    booktitle: Option<String>,
    year: Option<i32>,
    month: Option<u32>,
    venues: Vec<String>,
}

struct Papers<'a> {
    name: &'a str,
    reader: Reader<&'a [u8]>,
    collection: String,
    volume: String,
    meta: Meta,
    /// Depth of the element the reader is in (0 outside the root).
    depth: usize,
    done: bool,
}

impl Iterator for Papers<'_> {
    type Item = Result<Record, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = self.advance();
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }
}

impl Papers<'_> {
    fn advance(&mut self) -> Option<Result<Record, ParseError>> {
        loop {
            let pos = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    return Some(Err(error_at(
                        self.name,
                        self.reader.error_position(),
                        format!("malformed XML: {e}"),
                    )))
                }
            };
            match event {
                Event::Start(e) => {
                    let local = e.local_name();
                    match (self.depth, local.as_ref()) {
                        (0, b"collection") => {
                            self.collection = attr(&e, b"id").unwrap_or_default();
                            self.depth = 1;
                        }
                        (0, other) => {
                            return Some(Err(error_at(
                                self.name,
                                pos,
                                format!(
                                    "not an ACL Anthology collection: root element is `{}`",
                                    String::from_utf8_lossy(other)
                                ),
                            )))
                        }
                        (1, b"volume") => {
                            self.volume = attr(&e, b"id").unwrap_or_default();
                            self.meta = Meta::default();
                            self.depth = 2;
                        }
                        (2, b"meta") => {
                            let e = e.into_owned();
                            match read_element(&mut self.reader, self.name, 0, &e, 2) {
                                Ok(meta) => self.meta = read_meta(&meta),
                                Err(err) => return Some(Err(err)),
                            }
                        }
                        (2, b"paper") => {
                            let e = e.into_owned();
                            return Some(
                                read_element(&mut self.reader, self.name, 0, &e, 2)
                                    .map(|paper| self.record(&paper, pos)),
                            );
                        }
                        _ => {
                            // Anything else (`frontmatter`, `event`, …): read and drop.
                            let e = e.into_owned();
                            if let Err(err) = read_element(&mut self.reader, self.name, 0, &e, self.depth) {
                                return Some(Err(err));
                            }
                        }
                    }
                }
                Event::End(_) => self.depth = self.depth.saturating_sub(1),
                Event::Empty(e) if self.depth == 0 && e.local_name().as_ref() != b"collection" => {
                    return Some(Err(error_at(self.name, pos, "not an ACL Anthology collection")));
                }
                Event::Text(t) if self.depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                    return Some(Err(error_at(self.name, pos, "text outside the root element")));
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Some(Err(error_at(
                            self.name,
                            self.reader.buffer_position(),
                            "unexpected end of document: the collection is not closed",
                        )));
                    }
                    return None;
                }
                _ => {}
            }
        }
    }

    fn record(&self, paper: &Element, at: u64) -> Record {
        let paper_id = paper.attr("id").unwrap_or_default().trim().to_string();
        let url = paper.child("url").map(text).unwrap_or_default();
        let acl = if !url.is_empty() && !url.contains(['/', ':']) {
            Some(url)
        } else {
            anthology_id(&self.collection, &self.volume, &paper_id)
        };
        let authors = paper
            .children_named("author")
            .filter_map(|a| {
                let first = a.child("first").map(text).filter(|f| !f.is_empty());
                let last = a.child("last").map(text).filter(|l| !l.is_empty());
                let name = match (&first, &last) {
                    (Some(f), Some(l)) => format!("{f} {l}"),
                    (Some(n), None) | (None, Some(n)) => n.clone(),
                    (None, None) => return None,
                };
                Some(Author {
                    name,
                    given: first,
                    family: last,
                    orcid: a.attr("orcid").map(str::to_string),
                })
            })
            .collect();
        let year = self
            .meta
            .year
            .or_else(|| paper.child("year").and_then(|y| leading_year(&text(y))))
            .or_else(|| collection_year(&self.collection));
        let date = year.map(|y| iso_date(y, self.meta.month, None));
        let subjects = self
            .meta
            .venues
            .iter()
            .map(|v| Subject::new("acl-venue", Some(v.clone()), v.clone()))
            .collect();
        Record {
            paper: Paper {
                ids: Identifiers {
                    acl,
                    doi: paper.child("doi").and_then(|d| normalize_doi(&text(d))),
                    ..Identifiers::default()
                },
                title: paper.child("title").map(text).unwrap_or_default(),
                authors,
                year,
                date,
                venue: self.meta.booktitle.clone(),
                abstract_text: paper.child("abstract").map(text).filter(|a| !a.is_empty()),
                subjects,
                ..Paper::default()
            },
            location: Location::byte(at),
        }
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| String::from_utf8_lossy(&a.value).trim().to_string())
}

fn read_meta(meta: &Element) -> Meta {
    Meta {
        booktitle: meta.child("booktitle").map(text).filter(|b| !b.is_empty()),
        year: meta.child("year").and_then(|y| leading_year(&text(y))),
        month: meta.child("month").and_then(|m| month_number(&text(m))),
        venues: meta
            .children_named("venue")
            .map(text)
            .filter(|v| !v.is_empty())
            .collect(),
    }
}

/// The Anthology id of a paper, as the Anthology builds it: `2020.acl-main.12` for new-style
/// collections; `W89-0101` (two-digit volume and paper) for workshops, `C69` and `D19` volumes
/// from 5; `P19-1001` (one-digit volume, three-digit paper) otherwise.
pub fn anthology_id(collection: &str, volume: &str, paper: &str) -> Option<String> {
    if collection.is_empty() || volume.is_empty() || paper.is_empty() {
        return None;
    }
    if collection.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("{collection}-{volume}.{paper}"));
    }
    let v: u32 = volume.parse().ok()?;
    let p: u32 = paper.parse().ok()?;
    let two_digit = collection.starts_with('W') || collection == "C69" || (collection == "D19" && v >= 5);
    Some(if two_digit {
        format!("{collection}-{v:02}{p:02}")
    } else {
        format!("{collection}-{v}{p:03}")
    })
}

/// The year a collection id implies: `2020.acl` → 2020, `P19` → 2019, `J89` → 1989.
fn collection_year(collection: &str) -> Option<i32> {
    if let Some(y) = leading_year(collection) {
        return Some(y);
    }
    let digits = collection.get(1..3)?;
    let yy: i32 = digits.parse().ok()?;
    Some(if yy >= 60 { 1900 + yy } else { 2000 + yy })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COVID: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/acl/2020.nlpcovid19.sample.xml"
    ));
    const W89: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/acl/W89.xml"
    ));

    fn papers(bytes: &[u8]) -> Vec<Paper> {
        parse("acl.xml", bytes).map(|r| r.unwrap().paper).collect()
    }

    #[test]
    fn new_style_collection() {
        let records: Vec<Record> = parse("acl.xml", COVID).map(Result::unwrap).collect();
        assert_eq!(records.len(), 30);
        let text = std::str::from_utf8(COVID).unwrap();
        assert_eq!(
            records[0].location.byte,
            Some(text.find("<paper id=\"1\">").unwrap() as u64)
        );
        let p = &records[0].paper;
        assert_eq!(p.title, "CORD-19: The COVID-19 Open Research Dataset");
        assert_eq!(p.ids.acl.as_deref(), Some("2020.nlpcovid19-acl.1"));
        assert_eq!(p.authors[0].name, "Lucy Lu Wang");
        assert_eq!(p.authors[0].family.as_deref(), Some("Wang"));
        assert_eq!(
            p.venue.as_deref(),
            Some("Proceedings of the 1st Workshop on NLP for COVID-19 at ACL 2020")
        );
        assert_eq!(p.year, Some(2020));
        let second_volume = &records[15].paper;
        assert_eq!(second_volume.title, "Answering Questions on COVID-19 in Real-Time");
        assert_eq!(second_volume.ids.acl.as_deref(), Some("2020.nlpcovid19-2.1"));
        assert_eq!(
            second_volume.ids.doi.as_deref(),
            Some("10.18653/v1/2020.nlpcovid19-2.1")
        );
        assert_eq!(second_volume.authors.len(), 8);
        assert!(second_volume
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("The recent outbreak of the novel coronavirus"));
    }

    #[test]
    fn old_style_workshop_ids() {
        let p = papers(W89);
        assert_eq!(p.len(), 77);
        assert_eq!(p[0].ids.acl.as_deref(), Some("W89-0101"));
        assert_eq!(p[0].year, Some(1990), "the volume's year, not the collection's");
        assert!(p[0].venue.as_deref().unwrap().contains("(NODALIDA 1989)"));
        assert_eq!(anthology_id("W89", "1", "1").as_deref(), Some("W89-0101"));
        assert_eq!(anthology_id("P19", "1", "1").as_deref(), Some("P19-1001"));
        assert_eq!(anthology_id("D19", "5", "3").as_deref(), Some("D19-0503"));
        assert_eq!(
            anthology_id("2020.acl", "main", "7").as_deref(),
            Some("2020.acl-main.7")
        );
        assert_eq!(anthology_id("P19", "x", "1"), None);
        assert_eq!(collection_year("J89"), Some(1989));
        assert_eq!(collection_year("P19"), Some(2019));
    }

    #[test]
    fn venues_and_built_ids() {
        let xml = r#"<collection id="P19"><volume id="2"><meta><booktitle>B <fixed-case>ACL</fixed-case></booktitle><month>July</month><venue>acl</venue></meta>
<frontmatter><url>P19-2000</url></frontmatter><paper id="4"><title>T</title><author><first>A</first><last>B</last></author><url>https://example.org/x.pdf</url></paper></volume></collection>"#;
        let p = &papers(xml.as_bytes())[0];
        assert_eq!(p.ids.acl.as_deref(), Some("P19-2004"));
        assert_eq!((p.year, p.date.as_deref()), (Some(2019), Some("2019-07")));
        assert_eq!(p.venue.as_deref(), Some("B ACL"));
        assert_eq!(p.subjects, [Subject::new("acl-venue", Some("acl".into()), "acl")]);
    }

    #[test]
    fn malformed_files() {
        let text = std::str::from_utf8(COVID).unwrap();
        // Cut in the middle of the 5th paper: four papers, then one error.
        let cut = text.match_indices("<paper ").nth(4).unwrap().0 + 40;
        let records: Vec<_> = parse("cut.xml", &COVID[..cut]).collect();
        assert_eq!(records.len(), 5);
        assert!(records[..4].iter().all(Result::is_ok));
        let e = records[4].as_ref().unwrap_err();
        assert!(e.location.byte.unwrap() <= cut as u64, "{e}");
        // Invalid UTF-8 in a title.
        let mut bad = COVID.to_vec();
        let at = text.find("<title>").unwrap() + 7;
        bad[at] = 0xff;
        let e = parse("bad.xml", &bad).next().unwrap().unwrap_err();
        assert!(e.message.contains("undecodable") || e.message.contains("UTF-8"), "{e}");
        let deep = format!(
            "<collection id=\"X\"><volume id=\"1\"><paper id=\"1\">{}{}</paper></volume></collection>",
            "<i>".repeat(600),
            "</i>".repeat(600)
        );
        let e = parse("deep.xml", deep.as_bytes()).next().unwrap().unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        let e = parse("x.xml", b"<article/>").next().unwrap().unwrap_err();
        assert!(e.message.contains("not an ACL"), "{e}");
        for i in (0..COVID.len()).step_by(313) {
            let _ = parse("cut.xml", &COVID[..i]).count();
        }
    }

    /// Parses the whole shared Anthology snapshot when `HYPATIA_SHARED_DATA` is set, and checks
    /// that built ids agree with the `url` ids the Anthology wrote.
    #[test]
    fn shared_acl_anthology() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let dir = std::path::Path::new(&root).join("papers/acl-anthology/data/xml");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        paths.sort();
        let started = std::time::Instant::now();
        let (mut ok, mut with_doi, mut mismatched, mut failures) = (0usize, 0usize, Vec::new(), Vec::new());
        let mut bytes_read = 0;
        for path in &paths {
            let bytes = std::fs::read(path).unwrap();
            bytes_read += bytes.len();
            let name = path.to_string_lossy();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            for r in parse(&name, &bytes) {
                match r {
                    Ok(r) => {
                        ok += 1;
                        with_doi += usize::from(r.paper.ids.doi.is_some());
                        if r.paper.title.is_empty() || r.paper.ids.acl.is_none() {
                            failures.push(format!("{name}: {:?} without title or id", r.location));
                        }
                        if let Some(id) = r.paper.ids.acl.as_deref() {
                            if !id.starts_with(&stem) {
                                mismatched.push(id.to_string());
                            }
                        }
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
        }
        eprintln!(
            "acl: {} files ({} MB), {ok} papers ({with_doi} with DOI), {} failures, in {:?}",
            paths.len(),
            bytes_read / 1_000_000,
            failures.len(),
            started.elapsed()
        );
        assert!(failures.is_empty(), "{failures:#?}");
        assert!(mismatched.is_empty(), "{mismatched:?}");
        assert_eq!(ok, 61686);
    }
}
