//! Guessing a source's format from its first bytes, with the file name as a tie-breaker.

use std::fmt;
use std::str::FromStr;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

/// The formats this crate parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Format {
    /// BEIR corpus JSON lines (`_id`, `title`, `text`, `metadata`).
    BeirJsonl,
    /// The arXiv metadata OAI snapshot, JSON lines.
    ArxivMetadata,
    /// JATS XML full text (PMC, PLOS, …), one article per file.
    Jats,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 3] = [Format::BeirJsonl, Format::ArxivMetadata, Format::Jats];

    /// The short name used on command lines and in configuration: `beir`, `arxiv` or `jats`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::BeirJsonl => "beir",
            Format::ArxivMetadata => "arxiv",
            Format::Jats => "jats",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of `beir`, `arxiv`, `jats`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (expected beir, arxiv or jats)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// What the content alone says.
enum Content {
    /// The content settles the format.
    Known(Format),
    /// JSON lines whose keys match no known format.
    OtherJson,
    /// XML whose root is not `article`.
    OtherXml,
    /// XML, root not seen (head too short).
    SomeXml,
    /// Nothing recognisable (empty, binary, other text).
    Unknown,
}

/// Guesses the format of the source `name` from `head`, its first bytes (any length; may end
/// mid-line). Content decides; the extension (`.jsonl`, `.json`, `.xml`, `.nxml`) and the BEIR
/// file name `corpus.jsonl` only break ties when the content is not conclusive.
pub fn detect(name: &str, head: &[u8]) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit(['/', '\\']).next().unwrap_or_default();
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match sniff(head) {
        Content::Known(f) => Some(f),
        Content::OtherJson | Content::OtherXml => None,
        Content::SomeXml => matches!(ext, "xml" | "nxml").then_some(Format::Jats),
        Content::Unknown => match ext {
            "nxml" => Some(Format::Jats),
            "jsonl" | "json" if file.starts_with("corpus.") => Some(Format::BeirJsonl),
            "jsonl" | "json" if file.contains("arxiv") => Some(Format::ArxivMetadata),
            _ => None,
        },
    }
}

fn sniff(head: &[u8]) -> Content {
    let head = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    match start.and_then(|i| head.get(i)) {
        Some(b'{') => sniff_json(head.get(start.unwrap_or(0)..).unwrap_or_default()),
        Some(b'<') => sniff_xml(head),
        _ => Content::Unknown,
    }
}

fn sniff_json(text: &[u8]) -> Content {
    let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    if let Ok(map) = serde_json::from_slice::<Map<String, Value>>(line) {
        let has = |k: &str| map.contains_key(k);
        return if has("_id") {
            Content::Known(Format::BeirJsonl)
        } else if has("id")
            && ["abstract", "authors_parsed", "categories", "submitter"]
                .iter()
                .any(|k| has(k))
        {
            Content::Known(Format::ArxivMetadata)
        } else {
            Content::OtherJson
        };
    }
    // A line cut by the end of `head`: look for the keys as text.
    let has = |k: &[u8]| line.windows(k.len()).any(|w| w == k);
    if has(b"\"_id\"") {
        Content::Known(Format::BeirJsonl)
    } else if has(b"\"id\"")
        && [
            &b"\"abstract\""[..],
            b"\"authors_parsed\"",
            b"\"categories\"",
            b"\"submitter\"",
        ]
        .iter()
        .any(|k| has(k))
    {
        Content::Known(Format::ArxivMetadata)
    } else {
        Content::Unknown
    }
}

fn sniff_xml(head: &[u8]) -> Content {
    let mut reader = Reader::from_reader(head);
    let mut doctype_article = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return if e.local_name().as_ref() == b"article" {
                    Content::Known(Format::Jats)
                } else {
                    Content::OtherXml
                };
            }
            Ok(Event::DocType(d)) => {
                let text = d.into_inner();
                let root = text
                    .split(|b| b.is_ascii_whitespace())
                    .find(|t| !t.is_empty())
                    .unwrap_or_default();
                doctype_article = root == b"article";
                let lower = text.to_ascii_lowercase();
                let mentions = |k: &[u8]| lower.windows(k.len()).any(|w| w == k);
                if doctype_article && (mentions(b"jats") || mentions(b"nlm") || mentions(b"journal")) {
                    return Content::Known(Format::Jats);
                }
            }
            Ok(Event::Eof) | Err(_) => {
                // The head may end inside the doctype: look for it as text.
                let needle = b"<!DOCTYPE article";
                let cut_doctype = head.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
                return if doctype_article || cut_doctype {
                    Content::Known(Format::Jats)
                } else {
                    Content::SomeXml
                };
            }
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers");

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.name());
        }
        assert_eq!("JATS".parse::<Format>(), Ok(Format::Jats));
        assert!("bibtex".parse::<Format>().is_err());
        assert_eq!(serde_json::to_string(&Format::BeirJsonl).unwrap(), "\"BeirJsonl\"");
    }

    #[test]
    fn real_fixtures_by_content() {
        let cases = [
            ("beir/scifact/corpus.jsonl", Format::BeirJsonl),
            ("arxiv/arxiv-metadata-oai-snapshot.sample.jsonl", Format::ArxivMetadata),
            ("jats/plos/journal.pbio.1001044.xml", Format::Jats),
            ("jats/pmc/1472-6831-8-11.nxml", Format::Jats),
        ];
        for (path, format) in cases {
            let bytes = std::fs::read(format!("{FIXTURES}/{path}")).unwrap();
            // Content alone decides, whatever the name; a 100-byte head cuts JSON lines mid-way.
            assert_eq!(detect("data.bin", &bytes), Some(format), "{path}");
            let cut = &bytes[..bytes.len().min(100)];
            assert_eq!(detect("data.bin", cut), Some(format), "{path} (100 bytes)");
        }
    }

    #[test]
    fn content_beats_extension() {
        assert_eq!(
            detect("x.xml", br#"{"_id": "1", "text": "t"}"#),
            Some(Format::BeirJsonl)
        );
        assert_eq!(
            detect("x.jsonl", b"<?xml version=\"1.0\"?>\n<!-- c -->\n<article/>"),
            Some(Format::Jats)
        );
        assert_eq!(detect("x.xml", b"<?xml version=\"1.0\"?><PubmedArticleSet>"), None);
        assert_eq!(detect("x.jsonl", br#"{"id": "1", "title": "t"}"#), None);
        assert_eq!(
            detect("a", br#"{"id":"0704.0001","submitter":"x","categories":"hep-ph""#),
            Some(Format::ArxivMetadata)
        );
        assert_eq!(
            detect("a", b"<!DOCTYPE article PUBLIC \"-//NLM//DTD JATS (Z39.96)"),
            Some(Format::Jats)
        );
    }

    #[test]
    fn extension_breaks_ties() {
        assert_eq!(detect("a/b.nxml", b""), Some(Format::Jats));
        assert_eq!(detect("a/b.xml", b"<?xml version=\"1.0\"?>"), Some(Format::Jats));
        assert_eq!(detect("scifact/corpus.jsonl", b""), Some(Format::BeirJsonl));
        assert_eq!(detect("arxiv-metadata.json", b"\n\n"), Some(Format::ArxivMetadata));
        assert_eq!(detect("notes.txt", b"hello"), None);
        assert_eq!(detect("x.xml", b"\xff\xfe<\x00"), None);
    }
}
