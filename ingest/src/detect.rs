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
    /// GROBID TEI XML, one paper per file.
    Tei,
    /// OpenAlex works: JSON lines, an array, one object or an API page.
    OpenAlex,
    /// MEDLINE/PubMed XML (`PubmedArticleSet`), many articles per file.
    Medline,
    /// BibTeX / BibLaTeX, one record per entry.
    Bibtex,
    /// ACL Anthology collection XML, one record per paper.
    Acl,
    /// S2ORC / doc2json JSON: one document, several, or JSON lines.
    S2orc,
    /// unarXive full-text JSON lines (`paper_id`, `_source_hash`, `metadata`, `body_text`, …).
    Unarxive,
    /// Markdown, one paper per file, with optional YAML front matter.
    Markdown,
    /// Plain text, one paper per file.
    Text,
    /// PDF, one paper per file (text layer only; no OCR).
    Pdf,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 13] = [
        Format::BeirJsonl,
        Format::ArxivMetadata,
        Format::Jats,
        Format::Tei,
        Format::OpenAlex,
        Format::Medline,
        Format::Bibtex,
        Format::Acl,
        Format::S2orc,
        Format::Unarxive,
        Format::Markdown,
        Format::Text,
        Format::Pdf,
    ];

    /// The short name used on command lines and in configuration: `beir`, `arxiv`, `jats`, `tei`,
    /// `openalex`, …
    pub fn name(&self) -> &'static str {
        match self {
            Format::BeirJsonl => "beir",
            Format::ArxivMetadata => "arxiv",
            Format::Jats => "jats",
            Format::Tei => "tei",
            Format::OpenAlex => "openalex",
            Format::Medline => "medline",
            Format::Bibtex => "bibtex",
            Format::Acl => "acl",
            Format::S2orc => "s2orc",
            Format::Unarxive => "unarxive",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Pdf => "pdf",
        }
    }
}

impl Format {
    /// Whether sources of this format are, or may be, JSON lines (one record per line), so that a
    /// large source can be cut at line ends ([`crate::stream::LineChunks`]) and parsed chunk by
    /// chunk ([`crate::parse_chunk`]): BEIR corpora and the arXiv metadata snapshot always;
    /// unarXive, OpenAlex (snapshot `.jsonl` parts) and S2ORC (JSON lines releases) when the source
    /// is JSON lines rather than one (pretty-printed) document or an array, which
    /// [`Format::splits_at_lines`] checks on the source's head. XML, BibTeX, Markdown, text and
    /// PDF never are (MEDLINE files are cut between articles with
    /// [`crate::stream::XmlRecordChunks`]).
    pub fn is_line_oriented(&self) -> bool {
        matches!(
            self,
            Format::BeirJsonl | Format::ArxivMetadata | Format::Unarxive | Format::OpenAlex | Format::S2orc
        )
    }

    /// Whether the source whose first bytes are `head` may be cut at line ends: the format is line
    /// oriented and, for the formats that also come as whole documents (unarXive, OpenAlex,
    /// S2ORC), the head is JSON lines ([`json_lines`]).
    pub fn splits_at_lines(&self, head: &[u8]) -> bool {
        match self {
            Format::BeirJsonl | Format::ArxivMetadata => true,
            Format::Unarxive | Format::OpenAlex | Format::S2orc => json_lines(head),
            _ => false,
        }
    }
}

/// Whether a JSON source whose first bytes are `head` is JSON lines: its first value is an object
/// with no line break before its end (or before the end of the head, when the head ends inside
/// it). JSON strings hold no raw line breaks, so a pretty-printed document or an array of records
/// laid out on several lines is not JSON lines.
pub fn json_lines(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(head);
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    if head[start] != b'{' {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in &head[start..] {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                b'\n' => return false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return true;
                }
            }
            b'\n' => return false,
            _ => {}
        }
    }
    true
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of those of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (expected one of {names})", names = Format::ALL.map(|f| f.name()).join(", "))]
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
    /// Text opening with a `---` line: Markdown front matter, unless the file is YAML.
    FrontMatter,
    /// Text whose first line is a `# ` heading: Markdown, unless the file is a script or
    /// configuration whose comments look the same.
    HashHeading,
    /// Nothing recognisable (empty, binary, other text).
    Unknown,
}

/// Guesses the format of the source `name` from `head`, its first bytes (any length; may end
/// mid-line). Content decides; the extension (`.jsonl`, `.json`, `.xml`, `.nxml`, `.tei`,
/// `.tei.xml`, `.bib`, …) and the BEIR file name `corpus.jsonl` only break ties when the content
/// is not conclusive.
pub fn detect(name: &str, head: &[u8]) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let file = lower.rsplit(['/', '\\']).next().unwrap_or_default();
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match sniff(head) {
        Content::Known(f) => Some(f),
        Content::OtherJson | Content::OtherXml => None,
        Content::FrontMatter => (!matches!(ext, "yaml" | "yml")).then_some(Format::Markdown),
        Content::HashHeading => (!matches!(
            ext,
            "py" | "sh"
                | "bash"
                | "zsh"
                | "rb"
                | "pl"
                | "r"
                | "toml"
                | "yaml"
                | "yml"
                | "conf"
                | "cfg"
                | "ini"
                | "tsv"
                | "csv"
        ))
        .then_some(Format::Markdown),
        Content::SomeXml if file.ends_with(".tei.xml") || ext == "tei" => Some(Format::Tei),
        Content::SomeXml => matches!(ext, "xml" | "nxml").then_some(Format::Jats),
        Content::Unknown => match ext {
            "nxml" => Some(Format::Jats),
            "tei" => Some(Format::Tei),
            "bib" | "bibtex" => Some(Format::Bibtex),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Text),
            "jsonl" | "json" if file.starts_with("corpus.") => Some(Format::BeirJsonl),
            "jsonl" | "json" if file.contains("arxiv") => Some(Format::ArxivMetadata),
            _ => None,
        },
    }
}

fn sniff(head: &[u8]) -> Content {
    if head.starts_with(b"%PDF-") {
        return Content::Known(Format::Pdf);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    let rest = head.get(start.unwrap_or(0)..).unwrap_or_default();
    match rest.first() {
        Some(b'{') => sniff_json(rest),
        // A top-level array of records: look at its first element.
        Some(b'[') => {
            let inner = rest.get(1..).unwrap_or_default();
            let at = inner.iter().position(|b| !b.is_ascii_whitespace());
            match at.and_then(|i| inner.get(i..)) {
                Some(first) if first.starts_with(b"{") => sniff_json(first),
                _ => Content::Unknown,
            }
        }
        Some(b'<') => sniff_xml(head),
        Some(b'@' | b'%') if looks_like_bibtex(rest) => Content::Known(Format::Bibtex),
        _ if first_line(head) == b"---" => Content::FrontMatter,
        Some(b'#') if rest.starts_with(b"# ") => Content::HashHeading,
        _ => Content::Unknown,
    }
}

/// The first line of `head`, without its line end and trailing spaces.
fn first_line(head: &[u8]) -> &[u8] {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let end = line.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &line[..end]
}

/// Whether text starts (after `%` comment lines) with `@type{` or `@type(`.
fn looks_like_bibtex(text: &[u8]) -> bool {
    let mut rest = text;
    loop {
        let start = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
        rest = rest.get(start..).unwrap_or_default();
        if rest.first() == Some(&b'%') {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            rest = rest.get(end..).unwrap_or_default();
            continue;
        }
        break;
    }
    let Some(after) = rest.strip_prefix(b"@") else {
        return false;
    };
    let letters = after.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let next = after.get(letters..).unwrap_or_default();
    let next = next.get(next.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(next.len())..);
    letters > 0 && matches!(next.and_then(|n| n.first()), Some(b'{' | b'('))
}

/// The keys of a JSON record's head: exact when its first line parses as an object, else found
/// as text anywhere in the head (a pretty-printed document or a line cut by the end of the head).
struct JsonKeys<'a> {
    map: Option<Map<String, Value>>,
    text: &'a [u8],
}

impl JsonKeys<'_> {
    fn has(&self, key: &str) -> bool {
        match &self.map {
            Some(m) => m.contains_key(key),
            None => self.mentions(format!("\"{key}\"").as_bytes()),
        }
    }

    fn mentions(&self, needle: &[u8]) -> bool {
        self.text.windows(needle.len()).any(|w| w == needle)
    }

    fn any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.has(k))
    }
}

fn sniff_json(text: &[u8]) -> Content {
    let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let map = serde_json::from_slice::<Map<String, Value>>(line).ok();
    let parsed = map.is_some();
    let keys = JsonKeys {
        text: if parsed { line } else { text },
        map,
    };
    let openalex_id = match &keys.map {
        Some(m) => m
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.starts_with("https://openalex.org/")),
        None => keys.mentions(b"\"https://openalex.org/W"),
    };
    let format = if keys.has("_id") {
        Some(Format::BeirJsonl)
    } else if keys.has("paper_id") && keys.any(&["_source_hash", "_source_name"]) {
        Some(Format::Unarxive)
    } else if keys.has("paper_id") {
        Some(Format::S2orc)
    } else if openalex_id
        || keys.any(&["authorships", "abstract_inverted_index", "referenced_works"])
        || (keys.has("results") && keys.has("meta"))
    {
        Some(Format::OpenAlex)
    } else if keys.has("id") && keys.any(&["abstract", "authors_parsed", "categories", "submitter"]) {
        Some(Format::ArxivMetadata)
    } else {
        None
    };
    match format {
        Some(f) => Content::Known(f),
        None if parsed => Content::OtherJson,
        None => Content::Unknown,
    }
}

/// The format an XML root element (local name) or doctype root stands for.
fn xml_root_format(root: &[u8]) -> Option<Format> {
    let local = root.rsplit(|&b| b == b':').next().unwrap_or(root);
    match local {
        b"article" => Some(Format::Jats),
        _ if local.eq_ignore_ascii_case(b"tei") => Some(Format::Tei),
        b"PubmedArticleSet" | b"PubmedArticle" | b"PubmedBookArticle" | b"MedlineCitationSet" | b"MedlineCitation" => {
            Some(Format::Medline)
        }
        b"collection" => Some(Format::Acl),
        _ => None,
    }
}

fn sniff_xml(head: &[u8]) -> Content {
    let mut reader = Reader::from_reader(head);
    let mut doctype: Option<Format> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return match xml_root_format(e.name().as_ref()) {
                    Some(f) => Content::Known(f),
                    None => Content::OtherXml,
                };
            }
            Ok(Event::DocType(d)) => {
                let text = d.into_inner();
                let root = text
                    .split(|b| b.is_ascii_whitespace() || *b == b'[')
                    .find(|t| !t.is_empty())
                    .unwrap_or_default();
                doctype = xml_root_format(root);
                let lower = text.to_ascii_lowercase();
                let mentions = |k: &[u8]| lower.windows(k.len()).any(|w| w == k);
                match doctype {
                    Some(Format::Jats) if mentions(b"jats") || mentions(b"nlm") || mentions(b"journal") => {
                        return Content::Known(Format::Jats)
                    }
                    Some(f) if f != Format::Jats => return Content::Known(f),
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => {
                // The head may end inside the doctype or the root's start tag: look for it as text.
                if let Some(f) = doctype {
                    return Content::Known(f);
                }
                let find = |needle: &[u8]| head.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
                return if find(b"<!DOCTYPE article") {
                    Content::Known(Format::Jats)
                } else if find(b"<TEI ") || find(b"<TEI>") || find(b"<!DOCTYPE TEI") {
                    Content::Known(Format::Tei)
                } else if find(b"<!DOCTYPE PubmedArticleSet") || find(b"<PubmedArticleSet") {
                    Content::Known(Format::Medline)
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
        assert_eq!("PDF".parse::<Format>(), Ok(Format::Pdf));
        assert!("docx".parse::<Format>().is_err());
        assert_eq!(serde_json::to_string(&Format::BeirJsonl).unwrap(), "\"BeirJsonl\"");
    }

    #[test]
    fn real_fixtures_by_content() {
        let cases = [
            ("beir/scifact/corpus.jsonl", Format::BeirJsonl),
            ("arxiv/arxiv-metadata-oai-snapshot.sample.jsonl", Format::ArxivMetadata),
            ("jats/plos/journal.pbio.1001044.xml", Format::Jats),
            ("jats/pmc/1472-6831-8-11.nxml", Format::Jats),
            ("tei/N18-3011.tei.xml", Format::Tei),
            ("tei/sample_header.tei", Format::Tei),
            ("tei/003061v1.training.header.tei.xml", Format::Tei),
            ("openalex/openalex_works_tu9.sample.json", Format::OpenAlex),
            ("medline/medsample1.sample.xml", Format::Medline),
            ("medline/pubmed-29768149.xml", Format::Medline),
            ("bibtex/biblatex-examples.bib", Format::Bibtex),
            ("acl/W89.xml", Format::Acl),
            ("acl/2020.nlpcovid19.sample.xml", Format::Acl),
            ("s2orc/N18-3011.json", Format::S2orc),
            ("s2orc/18980380.json", Format::S2orc),
            ("unarxive/arXiv_src_2212_086.sample.jsonl", Format::Unarxive),
            ("markdown/paper-summary.md", Format::Markdown),
            ("pdf/journal.pone.0146913.pdf", Format::Pdf),
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
        assert_eq!(
            detect("x.xml", b"<?xml version=\"1.0\"?><PubmedArticleSet>"),
            Some(Format::Medline)
        );
        assert_eq!(detect("x.xml", b"<?xml version=\"1.0\"?><rss version=\"2.0\">"), None);
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
    fn new_formats_by_content() {
        let cases: [(&[u8], Format); 5] = [
            (
                br#"{"meta": {"count": 1}, "results": [{"id": "https://openalex.org/W1"}]}"#,
                Format::OpenAlex,
            ),
            (
                b"[\n  {\n    \"id\": \"https://openalex.org/W2741809807\",",
                Format::OpenAlex,
            ),
            (
                b"<?xml version=\"1.0\"?>\n<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">",
                Format::Tei,
            ),
            (b"<tei xml:space=\"preserve\">\n\t<teiHeader>", Format::Tei),
            (b"% refs\n\n@Article{key,\n title = {x}}", Format::Bibtex),
        ];
        for (head, format) in cases {
            assert_eq!(
                detect("data.bin", head),
                Some(format),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn markdown_and_text_by_content() {
        assert_eq!(detect("a", b"---\ntitle: T\n---\n"), Some(Format::Markdown));
        assert_eq!(detect("a", b"\xEF\xBB\xBF---  \r\ntitle: T"), Some(Format::Markdown));
        assert_eq!(detect("a.txt", b"# Title\n\ntext"), Some(Format::Markdown));
        assert_eq!(detect("config.yaml", b"---\nkey: v\n"), None);
        assert_eq!(detect("script.py", b"# a comment\nimport os"), None);
        assert_eq!(detect("a", b"#include <x>"), None);
        assert_eq!(detect("a", b"----\n"), None);
        assert_eq!(detect("a.txt", b"%PDF-1.7\n%\xe2\xe3"), Some(Format::Pdf));
        assert_eq!(detect("a.pdf", b"%PDX"), None);
    }

    #[test]
    fn extension_breaks_ties() {
        assert_eq!(detect("a/b.nxml", b""), Some(Format::Jats));
        assert_eq!(detect("a/b.tei.xml", b"<?xml version=\"1.0\"?>"), Some(Format::Tei));
        assert_eq!(detect("refs.bib", b"\n"), Some(Format::Bibtex));
        assert_eq!(detect("a/b.xml", b"<?xml version=\"1.0\"?>"), Some(Format::Jats));
        assert_eq!(detect("scifact/corpus.jsonl", b""), Some(Format::BeirJsonl));
        assert_eq!(detect("arxiv-metadata.json", b"\n\n"), Some(Format::ArxivMetadata));
        assert_eq!(detect("notes.txt", b"hello"), Some(Format::Text));
        assert_eq!(detect("notes.TXT", b""), Some(Format::Text));
        assert_eq!(detect("README.md", b"Some text\n\n## Part"), Some(Format::Markdown));
        assert_eq!(detect("notes.markdown", b"x"), Some(Format::Markdown));
        assert_eq!(detect("notes", b"hello"), None);
        assert_eq!(detect("x.xml", b"\xff\xfe<\x00"), None);
    }
}
