//! A paper's canonical text and its citable passages.
//!
//! The canonical text is title, abstract and body sections (heading, then paragraphs) joined by
//! blank lines. Every passage is a contiguous slice of it, cut at sentence boundaries to at most
//! `max_words` words with about `overlap_words` words repeated from the previous passage of the
//! same section. Offsets count Unicode scalar values (characters), as Web Annotation's
//! TextPositionSelector does.
//!
//! **Invariant:** `canonical[passage.start..passage.end]` (in characters) equals `passage.text`
//! byte for byte; [`verify_quote`] checks it wherever a quote leaves the store.

use hypatia_ingest::Paper;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::common::ids;

/// How passages are cut. Words stand in for model tokens: with all-MiniLM-L6-v2, scientific
/// English runs about 1.3 word pieces a word, so 160 words plus a title stay under its 256-token
/// window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkConfig {
    /// Upper bound of words in one passage.
    pub max_words: usize,
    /// Words of the previous passage repeated at the start of the next, at most.
    pub overlap_words: usize,
}

impl Default for ChunkConfig {
    fn default() -> Self {
        ChunkConfig {
            max_words: 160,
            overlap_words: 32,
        }
    }
}

/// Section label of the title passage.
pub const TITLE: &str = "title";
/// Section label of abstract passages.
pub const ABSTRACT: &str = "abstract";
/// Section label of body text that sits under no heading.
pub const BODY: &str = "body";

/// A citable span of a paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// The passage key, the one id every store uses.
    pub key: String,
    /// Position within the paper, from 0.
    pub ordinal: usize,
    /// `title`, `abstract`, or the body section's heading.
    pub section: String,
    /// The exact text.
    pub text: String,
    /// Start offset in the canonical text, in characters.
    pub start: usize,
    /// End offset (exclusive) in the canonical text, in characters.
    pub end: usize,
    /// Hash of `text`.
    pub hash: String,
}

/// A paper's canonical text and its passages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segmented {
    /// Title, abstract and body joined by blank lines.
    pub canonical: String,
    /// The passages in order.
    pub passages: Vec<Passage>,
}

/// One block of the canonical text: a section label and its paragraphs' byte ranges.
struct Block {
    section: String,
    paragraphs: Vec<(usize, usize)>,
}

/// Builds the canonical text of `paper` and cuts it into passages keyed under `paper_key`.
pub fn segment(paper: &Paper, paper_key: &str, cfg: &ChunkConfig) -> Segmented {
    let (canonical, blocks) = canonical_text(paper);
    let mut spans = Vec::new();
    for block in &blocks {
        for (s, e) in chunk_block(&canonical, &block.paragraphs, cfg) {
            spans.push((block.section.clone(), s, e));
        }
    }
    let mut chars = CharCounter::new(&canonical);
    let passages = spans
        .into_iter()
        .enumerate()
        .map(|(ordinal, (section, s, e))| {
            let text = canonical[s..e].to_string();
            Passage {
                key: ids::passage_key(paper_key, ordinal),
                ordinal,
                section,
                hash: ids::content_hash(&text),
                start: chars.at(s),
                end: chars.at(e),
                text,
            }
        })
        .collect();
    Segmented { canonical, passages }
}

/// The text a passage is embedded as: body passages carry their paper's title, so that a
/// passage deep in a paper still knows what the paper is about.
pub fn embedding_text(title: &str, passage: &Passage) -> String {
    if passage.section == TITLE || title.is_empty() {
        passage.text.clone()
    } else {
        format!("{title}. {}", passage.text)
    }
}

/// Checks that `quote` is exactly the text of `canonical` between character offsets
/// `start` and `end`.
pub fn verify_quote(canonical: &str, start: usize, end: usize, quote: &str) -> bool {
    let byte_at = |n: usize| {
        canonical
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(canonical.len()))
            .nth(n)
    };
    match (byte_at(start), byte_at(end)) {
        (Some(s), Some(e)) if s <= e => canonical.get(s..e) == Some(quote),
        _ => false,
    }
}

/// The form in which a client compares a quote with its own copy of a paper's text, tolerant
/// only of what PDF and XML extraction change and nothing else:
///
/// 1. the Latin ligatures U+FB00–U+FB06 become their letters (`ﬁ` → `fi`);
/// 2. soft hyphens (U+00AD) are dropped;
/// 3. a hyphen (`-`, U+2010 or U+2011) directly before a line break and a lower-case letter is
///    a line-end hyphenation: the hyphen and the break go (`treat-\nment` → `treatment`);
/// 4. every run of whitespace becomes one space, and the ends are trimmed.
///
/// Letters, digits, punctuation and case are compared as they are. Hypatia itself checks
/// quotes exactly ([`verify_quote`]); this is for text that went through another extractor.
pub fn match_form(text: &str) -> String {
    let mut expanded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FB00}' => expanded.push_str("ff"),
            '\u{FB01}' => expanded.push_str("fi"),
            '\u{FB02}' => expanded.push_str("fl"),
            '\u{FB03}' => expanded.push_str("ffi"),
            '\u{FB04}' => expanded.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => expanded.push_str("st"),
            '\u{00AD}' => {}
            c => expanded.push(c),
        }
    }
    let chars: Vec<char> = expanded.chars().collect();
    let mut out = String::with_capacity(expanded.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '-' | '\u{2010}' | '\u{2011}') {
            // a hyphen, optional spaces, one line break, optional spaces, a lower-case letter
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], ' ' | '\t') {
                j += 1;
            }
            if j < chars.len() && matches!(chars[j], '\n' | '\r') {
                j += if chars[j] == '\r' && chars.get(j + 1) == Some(&'\n') {
                    2
                } else {
                    1
                };
                while j < chars.len() && matches!(chars[j], ' ' | '\t') {
                    j += 1;
                }
                if chars.get(j).is_some_and(|n| n.is_lowercase()) {
                    i = j;
                    continue;
                }
            }
        }
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether `quote` says what `text` says, compared in [`match_form`].
pub fn quote_matches(text: &str, quote: &str) -> bool {
    match_form(text) == match_form(quote)
}

fn canonical_text(paper: &Paper) -> (String, Vec<Block>) {
    let mut canon = String::new();
    let mut blocks = Vec::new();
    let mut push = |section: &str, heading: Option<&str>, paragraphs: &mut dyn Iterator<Item = &str>| {
        let paras: Vec<&str> = paragraphs.map(str::trim).filter(|p| !p.is_empty()).collect();
        if paras.is_empty() {
            return;
        }
        if !canon.is_empty() {
            canon.push_str("\n\n");
        }
        if let Some(h) = heading.map(str::trim).filter(|h| !h.is_empty()) {
            canon.push_str(h);
            canon.push_str("\n\n");
        }
        let mut ranges = Vec::with_capacity(paras.len());
        for (i, p) in paras.iter().enumerate() {
            if i > 0 {
                canon.push_str("\n\n");
            }
            ranges.push((canon.len(), canon.len() + p.len()));
            canon.push_str(p);
        }
        blocks.push(Block {
            section: section.to_string(),
            paragraphs: ranges,
        });
    };
    push(TITLE, None, &mut std::iter::once(paper.title.as_str()));
    if let Some(a) = &paper.abstract_text {
        push(ABSTRACT, None, &mut a.split("\n\n"));
    }
    for sec in &paper.sections {
        let label = if sec.heading.trim().is_empty() {
            BODY
        } else {
            sec.heading.trim()
        };
        push(
            label,
            Some(&sec.heading),
            &mut sec.paragraphs.iter().map(String::as_str),
        );
    }
    for (i, table) in paper.tables.iter().enumerate() {
        if table.rows.is_empty() && table.header.is_empty() {
            continue;
        }
        let label = table.label.clone().unwrap_or_else(|| format!("Table {}", i + 1));
        let heading = if table.caption.trim().is_empty() {
            label.clone()
        } else {
            format!("{label}: {}", table.caption.trim())
        };
        let rows = render_table(table);
        push(
            &format!("{TABLE_SECTION_PREFIX}{label}"),
            Some(&heading),
            &mut rows.iter().map(String::as_str),
        );
    }
    (canon, blocks)
}

/// Section labels of table passages start with this.
pub const TABLE_SECTION_PREFIX: &str = "table: ";
/// Between two cells of a rendered table row.
pub const CELL_SEPARATOR: &str = " | ";
/// The row between a rendered table's header rows and its body rows.
pub const HEADER_RULE: &str = "---";

/// A table as canonical text, one paragraph per row like a Markdown table: header rows, a
/// `---` rule, body rows; cells joined by ` | `, a `|` inside a cell written `/`, an empty cell
/// written `–`, so that [`parse_table`] reads the same cells back.
fn render_table(t: &hypatia_ingest::Table) -> Vec<String> {
    let row = |cells: &Vec<String>| {
        cells
            .iter()
            .map(|c| {
                let c = c.replace('|', "/");
                let c = c.split_whitespace().collect::<Vec<_>>().join(" ");
                if c.is_empty() {
                    "–".to_string()
                } else {
                    c
                }
            })
            .collect::<Vec<_>>()
            .join(CELL_SEPARATOR)
    };
    let mut out: Vec<String> = t.header.iter().map(row).collect();
    if !t.header.is_empty() {
        out.push(HEADER_RULE.to_string());
    }
    out.extend(t.rows.iter().map(row));
    out
}

/// A rendered table read back from canonical text: header and body rows of cells, each cell
/// with its byte range in the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedTable {
    /// The caption (the heading after `Label: `).
    pub caption: String,
    /// Header rows.
    pub header: Vec<Vec<(String, usize, usize)>>,
    /// Body rows.
    pub rows: Vec<Vec<(String, usize, usize)>>,
}

/// Reads back the table whose rows occupy bytes `start..end` of `canonical` (its passages'
/// extent) and whose heading is the paragraph just before.
pub fn parse_table(canonical: &str, start: usize, end: usize) -> ParsedTable {
    let head = canonical[..start].trim_end();
    let heading = head.rsplit("\n\n").next().unwrap_or("");
    let caption = heading.split_once(": ").map_or("", |(_, c)| c).to_string();
    let mut t = ParsedTable {
        caption,
        ..ParsedTable::default()
    };
    let mut in_header = canonical[start..end].split("\n\n").any(|r| r == HEADER_RULE);
    let mut at = start;
    for line in canonical[start..end].split("\n\n") {
        let line_start = at;
        at += line.len() + 2;
        if line == HEADER_RULE {
            in_header = false;
            continue;
        }
        let mut cells = Vec::new();
        let mut cell_start = line_start;
        for cell in line.split(CELL_SEPARATOR) {
            cells.push((cell.to_string(), cell_start, cell_start + cell.len()));
            cell_start += cell.len() + CELL_SEPARATOR.len();
        }
        if in_header {
            t.header.push(cells);
        } else {
            t.rows.push(cells);
        }
    }
    t
}

/// A sentence (or a piece of an over-long one) as a byte range with its word count.
#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    words: usize,
}

/// Cuts one block into byte ranges of whole sentences.
fn chunk_block(canon: &str, paragraphs: &[(usize, usize)], cfg: &ChunkConfig) -> Vec<(usize, usize)> {
    let max = cfg.max_words.max(1);
    let units: Vec<Unit> = paragraphs
        .iter()
        .flat_map(|&(s, e)| units_of(canon, s, e, max))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let mut j = i;
        let mut words = 0;
        while j < units.len() && (j == i || words + units[j].words <= max) {
            words += units[j].words;
            j += 1;
        }
        out.push((units[i].start, units[j - 1].end));
        if j >= units.len() {
            break;
        }
        let mut k = j;
        let mut overlap = 0;
        while k > i + 1 && overlap + units[k - 1].words <= cfg.overlap_words {
            k -= 1;
            overlap += units[k].words;
        }
        i = k;
    }
    out
}

/// The sentences of one paragraph, over-long ones split into windows of at most `max` words.
fn units_of(canon: &str, start: usize, end: usize, max: usize) -> Vec<Unit> {
    let para = &canon[start..end];
    let mut units = Vec::new();
    for (off, sentence) in para.split_sentence_bound_indices() {
        let trimmed = sentence.trim_end();
        let lead = trimmed.len() - trimmed.trim_start().len();
        let (s, e) = (start + off + lead, start + off + trimmed.len());
        if s >= e {
            continue;
        }
        let words: Vec<(usize, usize)> = word_ranges(&canon[s..e]).map(|(a, b)| (s + a, s + b)).collect();
        if words.len() <= max {
            units.push(Unit {
                start: s,
                end: e,
                words: words.len(),
            });
        } else {
            units.extend(words.chunks(max).map(|w| Unit {
                start: w[0].0,
                end: w[w.len() - 1].1,
                words: w.len(),
            }));
        }
    }
    units
}

/// Byte ranges of whitespace-separated words.
fn word_ranges(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    s.split_whitespace().map(move |w| {
        let a = w.as_ptr() as usize - s.as_ptr() as usize;
        (a, a + w.len())
    })
}

/// Converts increasing byte offsets to character offsets in one pass.
struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    fn new(text: &'a str) -> Self {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hypatia_ingest::Section;

    fn paper() -> Paper {
        Paper {
            title: "Étude of ß-sheets".into(),
            abstract_text: Some("First sentence here. Second one follows.\n\nA new paragraph.".into()),
            sections: vec![Section {
                heading: "Methods".into(),
                level: 1,
                paragraphs: vec!["We did things. ".repeat(40), "Then more.".into()],
            }],
            ..Paper::default()
        }
    }

    #[test]
    fn a_table_renders_into_passages_and_parses_back_cell_for_cell() {
        let mut p = paper();
        let mut t = hypatia_ingest::Table {
            label: Some("Table 2".into()),
            caption: "Results on the test set.".into(),
            ..Default::default()
        };
        t.push_row([("Model", 1), ("F1 (%)", 1), ("Notes", 1)], true);
        t.push_row([("BiLSTM-CRF", 1), ("90.9", 1), ("a | b", 1)], false);
        t.push_row([("Ours", 1), ("92.3", 1), ("", 1)], false);
        p.tables.push(t);
        let seg = segment(&p, "k", &ChunkConfig::default());
        let rows: Vec<&Passage> = seg.passages.iter().filter(|x| x.section == "table: Table 2").collect();
        assert_eq!(rows.len(), 1);
        assert!(seg
            .canonical
            .contains("Table 2: Results on the test set.\n\nModel | F1 (%) | Notes\n\n---"));
        let byte = |c: usize| {
            seg.canonical
                .char_indices()
                .nth(c)
                .map_or(seg.canonical.len(), |(b, _)| b)
        };
        let parsed = parse_table(&seg.canonical, byte(rows[0].start), byte(rows[0].end));
        assert_eq!(parsed.caption, "Results on the test set.");
        let text = |cells: &Vec<(String, usize, usize)>| cells.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
        assert_eq!(text(&parsed.header[0]), ["Model", "F1 (%)", "Notes"]);
        assert_eq!(text(&parsed.rows[0]), ["BiLSTM-CRF", "90.9", "a / b"]);
        assert_eq!(text(&parsed.rows[1]), ["Ours", "92.3", "–"]);
        for (cell, s, e) in parsed.rows.iter().flatten() {
            assert_eq!(&seg.canonical[*s..*e], cell);
        }
    }

    #[test]
    fn every_passage_is_its_span_of_the_canonical_text() {
        let cfg = ChunkConfig {
            max_words: 12,
            overlap_words: 4,
        };
        let seg = segment(&paper(), "k", &cfg);
        assert!(seg.passages.len() > 4);
        for p in &seg.passages {
            assert!(verify_quote(&seg.canonical, p.start, p.end, &p.text), "{p:?}");
            assert!(p.text.split_whitespace().count() <= 12);
        }
        assert_eq!(seg.passages[0].section, TITLE);
        assert_eq!(seg.passages[0].text, "Étude of ß-sheets");
        assert_eq!(seg.passages[1].section, ABSTRACT);
        assert!(seg.passages.iter().any(|p| p.section == "Methods"));
        assert!(
            !seg.passages.iter().any(|p| p.text.contains("Methods")),
            "headings are not passage text"
        );
    }

    #[test]
    fn overlap_repeats_the_last_sentences() {
        let cfg = ChunkConfig {
            max_words: 9,
            overlap_words: 3,
        };
        let seg = segment(&paper(), "k", &cfg);
        let methods: Vec<_> = seg.passages.iter().filter(|p| p.section == "Methods").collect();
        assert!(
            methods.windows(2).all(|w| w[1].start < w[0].end),
            "consecutive passages overlap"
        );
    }

    #[test]
    fn an_over_long_sentence_is_split_by_words() {
        let mut p = paper();
        p.abstract_text = Some("word ".repeat(50));
        let seg = segment(
            &p,
            "k",
            &ChunkConfig {
                max_words: 20,
                overlap_words: 0,
            },
        );
        let abs: Vec<_> = seg.passages.iter().filter(|p| p.section == ABSTRACT).collect();
        assert_eq!(abs.len(), 3);
    }

    #[test]
    fn match_form_forgives_extraction_changes_only() {
        assert!(quote_matches(
            "The e\u{FB00}ect of treat-\nment was signi\u{FB01}cant.",
            "The effect of treatment  was significant."
        ));
        assert!(quote_matches("co\u{00AD}operation", "cooperation"));
        assert!(quote_matches("a\n\n b\t c ", "a b c"));
        // A hyphen before a capital or a digit is not a line-end hyphenation.
        assert_eq!(match_form("anti-\nTNF"), "anti- TNF");
        assert_eq!(match_form("COVID-\n19"), "COVID- 19");
        // Nothing else is forgiven: case, punctuation, digits, words.
        assert!(!quote_matches("Effect was significant.", "effect was significant."));
        assert!(!quote_matches("p < 0.05", "p < 0.01"));
        assert!(!quote_matches("treatment", "treat- ment"));
    }

    #[test]
    fn verify_quote_rejects_shifted_offsets() {
        let canon = "αβγ δεζ";
        assert!(verify_quote(canon, 4, 7, "δεζ"));
        assert!(!verify_quote(canon, 3, 6, "δεζ"));
        assert!(!verify_quote(canon, 4, 9, "δεζ"));
        assert!(verify_quote(canon, 0, 0, ""));
    }
}
