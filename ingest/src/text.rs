//! Plain-text papers, one paper per file (UTF-8, optional byte-order mark).
//!
//! Layout read from the text alone (the heuristics are shared with the PDF parser; see the
//! `textual` module): the first non-empty line is the title; a paragraph starting with `Abstract`
//! (any case, alone on its line or followed by `:`, `.` or a dash) is the abstract (when the word
//! stands alone, the paragraph after it); lines that look like section headings (`1 Introduction`,
//! `2.1 Methods`, `INTRODUCTION`, `Discussion`) start sections, whose paragraphs are separated by
//! blank lines and whose wrapped lines are joined; paragraphs before the first heading other than
//! the abstract go into a section [`BODY_HEADING`](crate::s2orc::BODY_HEADING). A `References` or
//! `Bibliography` heading starts the bibliography: its entries (split at `[n]` labels, `n.`
//! numbers, blank lines or hanging lines) become references with their raw text and the DOIs and
//! arXiv ids found in them. A DOI or arXiv id in the lines between the title and the first
//! heading or the abstract is the paper's own.

use crate::error::{Location, ParseError};
use crate::model::normalize_ws;
use crate::textual::{self, Options};
use crate::Record;

/// How many lines after the title are searched for the paper's own DOI and arXiv id.
const FRONT_LINES: usize = 40;

/// Parses a plain-text paper; always exactly one result.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || convert(name, bytes))
}

fn convert(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let text = textual::decode(name, bytes)?;
    let lines: Vec<&str> = text.lines().collect();
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return Err(ParseError::new(name, Location::line(1, 0), "empty document"));
    };
    let title = normalize_ws(lines[first]);
    let rest = &lines[first + 1..];
    let front: Vec<&str> = rest
        .iter()
        .take(FRONT_LINES)
        .take_while(|l| textual::abstract_start(l).is_none() && textual::heading(l).is_none())
        .copied()
        .collect();
    let layout = textual::layout(
        rest,
        Options {
            abstract_until_heading: false,
            keep_front: true,
        },
    );
    let front_text = front.join("\n");
    Ok(Record {
        paper: layout.into_paper(title, &front_text),
        location: Location::line(1, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Paper;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/text");

    fn paper(file: &str) -> Paper {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
        let mut records: Vec<_> = parse(file, &bytes).collect();
        assert_eq!(records.len(), 1);
        records.remove(0).unwrap().paper
    }

    #[test]
    fn scifact_abstract() {
        let p = paper("scifact-4983.txt");
        assert_eq!(
            p.title,
            "Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor magnetic resonance imaging."
        );
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("Alterations of the architecture of cerebral white matter"));
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .ends_with("into microstructural development in cerebral white matter in living infants."));
        assert!(p.sections.is_empty());
        assert!(p.references.is_empty());
    }

    #[test]
    fn sections_and_references() {
        let p = paper("hand-written-note.txt");
        assert_eq!(p.title, "Counting citations in a small graph of papers");
        assert_eq!(p.ids.doi, None);
        assert_eq!(p.ids.arxiv.as_deref(), Some("2401.00001"));
        assert!(p.abstract_text.as_deref().unwrap().starts_with("We count how often"));
        let heads: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            heads,
            [
                ("Body", 1),
                ("Introduction", 1),
                ("Data", 1),
                ("Sources and cleaning", 2),
                ("RESULTS", 1),
                ("Conclusion", 1)
            ]
        );
        assert_eq!(p.sections[0].paragraphs.len(), 2);
        assert_eq!(
            p.sections[0].paragraphs[0],
            "Ada Example and Ben Sample, Example University"
        );
        assert_eq!(p.sections[1].paragraphs.len(), 2);
        assert!(p.sections[1].paragraphs[0].contains("a well-known, if crude,"));
        assert!(p.sections[1].paragraphs[0]
            .ends_with("and investigate how much the counts depend on the cleaning of the data."));
        assert_eq!(p.references.len(), 3);
        assert_eq!(p.references[0].label.as_deref(), Some("1"));
        assert_eq!(p.references[0].ids.doi.as_deref(), Some("10.1126/science.149.3683.510"));
        assert_eq!(p.references[0].year, Some(1965));
        assert_eq!(p.references[1].ids.arxiv.as_deref(), Some("1706.03762"));
        assert!(p.references[2].raw.as_deref().unwrap().ends_with("2nd edition, 2010."));
    }

    #[test]
    fn errors_never_panics() {
        let e = parse("e.txt", b"  \n\n").next().unwrap().unwrap_err();
        assert_eq!(e.message, "empty document");
        let e = parse("e.txt", b"Title\nline two \xff\n").next().unwrap().unwrap_err();
        assert_eq!(e.location, Location::line(2, 6));
        assert!(e.message.contains("UTF-8"));
        let p = parse("t.txt", b"\xEF\xBB\xBFOnly a title")
            .next()
            .unwrap()
            .unwrap()
            .paper;
        assert_eq!(p.title, "Only a title");
        for input in [
            "T\nReferences",
            "T\nAbstract",
            "T\nAbstract:\n\nReferences\n[1]",
            "T\n1.\n2 \n[\n[]\n10.\narXiv:",
            "é\nAbstract— é\n1 É\n",
        ] {
            assert!(parse("x.txt", input.as_bytes()).next().unwrap().is_ok(), "{input}");
        }
    }
}
