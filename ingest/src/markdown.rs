//! Markdown papers, one paper per file (UTF-8, optional byte-order mark).
//!
//! **Front matter.** YAML between a first line `---` and the next `---` (or `...`) line may give
//! `title`, `author`/`authors` (a list, a list of `name:` mappings, or a string split at `;`, `,`
//! and ` and `), `year`, `date`, `doi`, `arxiv` (or `arxiv_id`, `eprint`), `venue` (or `journal`,
//! `booktitle`, `conference`), `keywords`/`tags` (list or comma string), `abstract`/`summary`
//! (plain, quoted or `|`/`>` block) and `license`; other keys are ignored. Only that subset of
//! YAML is read: `key: value` lines, flow lists `[a, b]`, block lists `- item` and indented
//! continuations. An unterminated front matter, a line that is not `key: value` and a `year` that
//! is not a year are errors naming the line and field.
//!
//! **Body.** Without a front-matter title the first `# ` heading (or `===` setext heading) is the
//! title. A heading `Abstract` makes its paragraphs the abstract (unless the front matter has
//! one); a heading `References` or `Bibliography` makes its paragraphs and list items references
//! (raw text, a leading `[n]` as label, DOIs, arXiv ids and a year found in the text); every other
//! ATX heading (`#`…`######`, level = number of `#`) or setext heading (`===` 1, `---` 2) starts a
//! section. Paragraphs before the first heading go into a section
//! [`BODY_HEADING`](crate::s2orc::BODY_HEADING). Paragraphs are separated by blank lines; each
//! list item is a paragraph of its own; block quotes keep their text; fenced code blocks, indented
//! code blocks (outside lists), HTML comments, thematic breaks, link reference definitions and
//! footnote definitions are dropped. **Tables** keep their text: each row (header included,
//! delimiter row dropped) becomes one paragraph whose cells are joined by ` | `.
//!
//! **Inline markup** is stripped: emphasis, strong and strike-through markers go, inline code
//! keeps its text verbatim, links (inline, reference-style and autolinks) keep their text, images
//! and footnote references are dropped, HTML tags are dropped (their content kept), backslash
//! escapes and the common HTML entities are resolved; whitespace is normalised.

use crate::arxiv::split_authors;
use crate::dates::{leading_year, year_in};
use crate::error::{Location, ParseError};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, Author, Identifiers, Paper, Section};
use crate::s2orc::BODY_HEADING;
use crate::textual;
use crate::Record;

/// Parses a Markdown paper; always exactly one result.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || convert(name, bytes))
}

/// A front-matter value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::List(items) => items.join(", "),
        }
    }
}

/// The front matter's keys (lower case) and values, with the line each key stands on.
type FrontMatter = Vec<(String, Value, u64)>;

/// Line starts (byte offsets) of `text`, for locations.
fn line_offsets(text: &str) -> Vec<u64> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i as u64 + 1))
        .collect()
}

fn convert(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let text = textual::decode(name, bytes)?;
    let offsets = line_offsets(text);
    let at = |line: usize| Location::line(line as u64 + 1, offsets.get(line).copied().unwrap_or(0));
    let lines: Vec<&str> = text.lines().collect();
    let (front, body_start) = front_matter(name, &lines, &at)?;
    let blocks = blocks(&lines[body_start..]);

    let get = |keys: &[&str]| front.iter().find(|(k, _, _)| keys.contains(&k.as_str()));
    let mut title = get(&["title"]).map(|(_, v, _)| inline(&v.text())).unwrap_or_default();
    let mut abstract_text = get(&["abstract", "summary"])
        .map(|(_, v, _)| v.text())
        .map(|a| {
            a.split("\n\n")
                .map(inline)
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .filter(|a| !a.is_empty());
    let authors: Vec<Author> = match get(&["authors", "author"]).map(|(_, v, _)| v) {
        Some(Value::List(items)) => items.iter().map(|a| Author::named(inline(a))).collect(),
        Some(Value::Text(t)) if t.contains(';') => t.split(';').map(inline).map(Author::named).collect(),
        Some(Value::Text(t)) => split_authors(&inline(t)),
        None => Vec::new(),
    }
    .into_iter()
    .filter(|a| !a.name.is_empty())
    .collect();
    let year = match get(&["year"]) {
        Some((_, v, line)) => Some(leading_year(&v.text()).ok_or_else(|| {
            ParseError::new(
                name,
                at(*line as usize - 1),
                format!("expected a year, found {:?}", v.text()),
            )
            .with_field("year")
        })?),
        None => None,
    };
    let date = get(&["date"]).map(|(_, v, _)| normalize_ws(&v.text()));
    let year = year.or_else(|| date.as_deref().and_then(year_in));
    let date = date.filter(|d| leading_year(d).is_some()).map(|d| {
        let iso: String = d
            .chars()
            .take(10)
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        iso.trim_end_matches('-').to_string()
    });
    let ids = Identifiers {
        doi: get(&["doi"]).and_then(|(_, v, _)| normalize_doi(&v.text())),
        arxiv: get(&["arxiv", "arxiv_id", "eprint"]).and_then(|(_, v, _)| normalize_arxiv(&v.text())),
        ..Identifiers::default()
    };
    let venue = get(&["venue", "journal", "booktitle", "conference"])
        .map(|(_, v, _)| inline(&v.text()))
        .filter(|v| !v.is_empty());
    let keywords: Vec<String> = match get(&["keywords", "tags"]).map(|(_, v, _)| v) {
        Some(Value::List(items)) => items.iter().map(|k| inline(k)).collect(),
        Some(Value::Text(t)) => t.split([',', ';']).map(inline).collect(),
        None => Vec::new(),
    }
    .into_iter()
    .filter(|k| !k.is_empty())
    .collect();
    let license = get(&["license", "licence"]).map(|(_, v, _)| inline(&v.text()));

    let mut title_taken = !title.is_empty();
    let mut sections: Vec<Section> = Vec::new();
    let mut abstract_paras: Vec<String> = Vec::new();
    let mut references = Vec::new();
    #[derive(PartialEq)]
    enum Target {
        Body,
        Abstract,
        References,
    }
    let mut target = Target::Body;
    for block in blocks {
        match block {
            Block::Heading(1, text) if !title_taken => {
                title = text;
                title_taken = true;
            }
            Block::Heading(level, text) => {
                if textual::is_abstract_heading(&text) {
                    target = Target::Abstract;
                } else if textual::is_references_heading(&text) {
                    target = Target::References;
                } else {
                    target = Target::Body;
                    sections.push(Section {
                        heading: text,
                        level,
                        paragraphs: Vec::new(),
                    });
                }
            }
            Block::Paragraph(text) => match target {
                Target::Abstract => abstract_paras.push(text),
                Target::References => references.extend(textual::reference_from(&text)),
                Target::Body => {
                    if sections.is_empty() {
                        sections.push(Section {
                            heading: BODY_HEADING.to_string(),
                            level: 1,
                            paragraphs: Vec::new(),
                        });
                    }
                    if let Some(s) = sections.last_mut() {
                        s.paragraphs.push(text);
                    }
                }
            },
        }
    }
    sections.retain(|s| !s.paragraphs.is_empty());
    if abstract_text.is_none() && !abstract_paras.is_empty() {
        abstract_text = Some(abstract_paras.join("\n\n"));
    }
    if title.is_empty() {
        return Err(
            ParseError::new(name, at(0), "no title: no front-matter `title` and no `# ` heading").with_field("title"),
        );
    }
    Ok(Record {
        paper: Paper {
            ids,
            title,
            authors,
            year,
            date,
            venue,
            abstract_text,
            sections,
            references,
            keywords,
            subjects: Vec::new(),
            license,
            tables: Vec::new(),
        },
        location: at(0),
    })
}

/// The front matter of `lines`, and the index of the first line after it.
fn front_matter(
    name: &str,
    lines: &[&str],
    at: &dyn Fn(usize) -> Location,
) -> Result<(FrontMatter, usize), ParseError> {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Ok((Vec::new(), 0));
    }
    let Some(end) = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))
        .map(|i| i + 1)
    else {
        return Err(
            ParseError::new(name, at(0), "front matter opened by `---` on line 1 is never closed")
                .with_field("front matter"),
        );
    };
    let mut out: FrontMatter = Vec::new();
    let mut i = 1;
    while i < end {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let Some((key, value)) = line.split_once(':').filter(|(k, _)| {
            !k.starts_with([' ', '\t', '-'])
                && !k.trim().is_empty()
                && k.trim().chars().all(|c| c.is_alphanumeric() || "_- ".contains(c))
        }) else {
            return Err(
                ParseError::new(name, at(i), format!("expected `key: value`, found {trimmed:?}"))
                    .with_field("front matter"),
            );
        };
        let key = key.trim().to_lowercase();
        let value = strip_comment(value.trim());
        let line_no = i as u64 + 1;
        i += 1;
        // The indented lines (and `- ` items) that belong to this key.
        let mut block: Vec<&str> = Vec::new();
        while i < end && (lines[i].starts_with([' ', '\t', '-']) || lines[i].trim().is_empty()) {
            block.push(lines[i]);
            i += 1;
        }
        while block.last().is_some_and(|l| l.trim().is_empty()) {
            block.pop();
        }
        let parsed = if value.starts_with('[') && value.ends_with(']') {
            Value::List(split_flow(&value[1..value.len() - 1]))
        } else if matches!(value, "|" | ">" | "|-" | ">-" | "|+" | ">+") {
            // Paragraphs of a block scalar, separated by blank lines.
            let mut paras: Vec<String> = Vec::new();
            let mut current: Vec<&str> = Vec::new();
            for l in &block {
                if l.trim().is_empty() {
                    if !current.is_empty() {
                        paras.push(current.join(" "));
                        current.clear();
                    }
                } else {
                    current.push(l.trim());
                }
            }
            if !current.is_empty() {
                paras.push(current.join(" "));
            }
            Value::Text(paras.join("\n\n"))
        } else if value.is_empty() && block.iter().any(|l| l.trim_start().starts_with('-')) {
            let mut items = Vec::new();
            for l in &block {
                let t = l.trim_start();
                if let Some(item) = t.strip_prefix('-') {
                    let item = item.trim();
                    // `- name: Ada` mapping items: their `name`; other keys of the mapping are skipped.
                    let item = match item.split_once(':') {
                        Some((k, v)) if k.trim().eq_ignore_ascii_case("name") => v.trim(),
                        Some((k, _)) if !k.contains(' ') && !item.contains("://") => continue,
                        _ => item,
                    };
                    items.push(unquote(strip_comment(item)));
                } else if let Some((k, v)) = t.split_once(':') {
                    if k.trim().eq_ignore_ascii_case("name") {
                        items.push(unquote(strip_comment(v.trim())));
                    }
                }
            }
            Value::List(items.into_iter().filter(|s| !s.is_empty()).collect())
        } else {
            let mut text = unquote(value);
            for l in &block {
                text.push(' ');
                text.push_str(l.trim());
            }
            Value::Text(normalize_ws(&text))
        };
        out.push((key, parsed, line_no));
    }
    Ok((out, end + 1))
}

/// A value without a trailing ` # comment` (outside quotes).
fn strip_comment(v: &str) -> &str {
    if v.starts_with(['"', '\'']) {
        return v;
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end(),
        None => v,
    }
}

/// A scalar without its quotes (`''` and `\"` escapes resolved).
fn unquote(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        v[1..v.len() - 1].replace("\\\"", "\"").replace("\\\\", "\\")
    } else if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.to_string()
    }
}

/// The items of a flow list's inside (`a, "b, c", d`).
fn split_flow(inner: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (c, quote) {
            ('"' | '\'', None) => {
                quote = Some(c);
                current.push(c);
            }
            (q, Some(open)) if q == open => {
                quote = None;
                current.push(c);
            }
            (',', None) => items.push(unquote(&std::mem::take(&mut current))),
            _ => current.push(c),
        }
    }
    items.push(unquote(&current));
    items.into_iter().filter(|s| !s.is_empty()).collect()
}

/// A block of the body, inline markup already stripped.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(u8, String),
    Paragraph(String),
}

/// The ATX heading `line` is: its level and raw text.
fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = line.trim_start_matches(' ');
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &t[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    // An optional closing sequence of `#`s after a space.
    let closed = rest.trim_end_matches('#');
    let text = if closed.is_empty() || closed.ends_with([' ', '\t']) {
        closed.trim_end()
    } else {
        rest
    };
    Some((hashes as u8, text))
}

/// The list item `line` starts: its number when ordered, and the item's text.
fn list_item(line: &str) -> Option<(Option<u32>, &str)> {
    let t = line.trim_start();
    let (number, marker) = if t.starts_with(['-', '*', '+']) {
        (None, 1)
    } else {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 || !matches!(t.as_bytes().get(digits), Some(b'.' | b')')) {
            return None;
        }
        (t[..digits].parse().ok(), digits + 1)
    };
    let rest = &t[marker..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let rest = ["[ ] ", "[x] ", "[X] "]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
        .unwrap_or(rest);
    Some((number, rest))
}

/// Whether `line` is a thematic break (`***`, `- - -`, `___`).
fn thematic_break(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    t.len() >= 3 && (t.chars().all(|c| c == '*') || t.chars().all(|c| c == '-') || t.chars().all(|c| c == '_'))
}

/// Whether `line` is a table's delimiter row (`|---|:--:|`).
fn table_delimiter(line: &str) -> bool {
    let t = line.trim();
    t.contains('-') && t.contains(['|', ':']) && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
        || (t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) && t.contains('-'))
}

/// Whether `line` is a link reference or footnote definition (`[id]: url`, `[^1]: text`).
fn link_definition(line: &str) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let t = line.trim_start();
    indent <= 3 && t.starts_with('[') && t.find("]:").is_some_and(|i| i > 1 && !t[1..i].contains(']'))
}

/// The cells of a table row, stripped, joined by ` | `.
fn table_row(line: &str) -> String {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').filter(|s| !s.ends_with('\\')).unwrap_or(t);
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                current.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    cells.push(current);
    cells
        .iter()
        .map(|c| inline(c))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The blocks of a Markdown body.
fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut para_is_item = false;
    let mut in_list = false;
    let mut fence: Option<(char, usize)> = None;
    let mut in_comment = false;
    let mut in_table = false;
    let mut item_indent = 0;

    fn flush(para: &mut Vec<&str>, out: &mut Vec<Block>) {
        if para.is_empty() {
            return;
        }
        let text = inline(&para.join("\n"));
        para.clear();
        if !text.is_empty() {
            out.push(Block::Paragraph(text));
        }
    }

    for (i, &raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        if let Some((ch, len)) = fence {
            let t = line.trim_start();
            if t.chars().take_while(|&c| c == ch).count() >= len && t.trim_start_matches(ch).trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if in_comment {
            if line.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if t.is_empty() {
            flush(&mut para, &mut out);
            para_is_item = false;
            in_table = false;
            continue;
        }
        if indent <= 3 && (t.starts_with("```") || t.starts_with("~~~")) {
            flush(&mut para, &mut out);
            let ch = t.chars().next().unwrap_or('`');
            fence = Some((ch, t.chars().take_while(|&c| c == ch).count()));
            continue;
        }
        if t.starts_with("<!--") && !t.contains("-->") {
            flush(&mut para, &mut out);
            in_comment = true;
            continue;
        }
        if para.is_empty() && indent >= 4 && !in_list {
            continue; // An indented code block.
        }
        if let Some((level, text)) = atx_heading(line) {
            flush(&mut para, &mut out);
            in_list = false;
            out.push(Block::Heading(level, inline(text)));
            continue;
        }
        // Setext underline of a plain paragraph.
        if !para.is_empty() && !para_is_item && !in_table && indent <= 3 {
            let level = if !t.is_empty() && t.chars().all(|c| c == '=') {
                Some(1)
            } else if !t.is_empty() && t.chars().all(|c| c == '-') {
                Some(2)
            } else {
                None
            };
            if let Some(level) = level {
                let text = inline(&para.join("\n"));
                para.clear();
                if !text.is_empty() {
                    out.push(Block::Heading(level, text));
                }
                continue;
            }
        }
        if indent <= 3 && thematic_break(t) {
            flush(&mut para, &mut out);
            para_is_item = false;
            continue;
        }
        if link_definition(line) {
            flush(&mut para, &mut out);
            continue;
        }
        let next_is_delimiter = lines.get(i + 1).is_some_and(|n| table_delimiter(n));
        if in_table || (t.contains('|') && (t.starts_with('|') || next_is_delimiter)) {
            flush(&mut para, &mut out);
            para_is_item = false;
            in_table = true;
            if !table_delimiter(t) {
                let row = table_row(t);
                if !row.is_empty() {
                    out.push(Block::Paragraph(row));
                }
            }
            continue;
        }
        // An ordered item numbered other than 1 interrupts a paragraph only as a sibling item
        // (`1997. Journal…` wrapped inside an item or a paragraph is text).
        let item = list_item(line).filter(|(number, _)| {
            para.is_empty() || number.is_none_or(|n| n == 1) || (para_is_item && indent == item_indent)
        });
        if let Some((_, item)) = item {
            flush(&mut para, &mut out);
            para.push(item);
            para_is_item = true;
            in_list = true;
            item_indent = indent;
            continue;
        }
        if indent == 0 && para.is_empty() {
            in_list = false;
        }
        // Block quotes keep their text.
        let mut text = t;
        while let Some(rest) = text.strip_prefix('>') {
            text = rest.trim_start();
        }
        if text.is_empty() {
            flush(&mut para, &mut out);
            continue;
        }
        para.push(text);
    }
    flush(&mut para, &mut out);
    out
}

/// Deepest nesting of link texts read for their inline markup; deeper ones are kept as they are.
const MAX_INLINE_DEPTH: usize = 16;

/// Where every `[` and `(` of a text closes, found once in linear time (a backslash escapes the
/// next character), so that finding the end of a link never rescans the text.
struct Pairs {
    /// For each position: the matching `]` or `)` of the `[` or `(` there, or `usize::MAX`.
    close: Vec<usize>,
    /// Where the last `-->` of the text starts, if anywhere.
    last_comment_end: Option<usize>,
}

impl Pairs {
    fn new(chars: &[char]) -> Self {
        let mut close = vec![usize::MAX; chars.len()];
        let (mut brackets, mut parens) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' => i += 1,
                '[' => brackets.push(i),
                '(' => parens.push(i),
                ']' => {
                    if let Some(open) = brackets.pop() {
                        close[open] = i;
                    }
                }
                ')' => {
                    if let Some(open) = parens.pop() {
                        close[open] = i;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let last_comment_end = (0..chars.len().saturating_sub(2))
            .rev()
            .find(|&j| chars[j] == '-' && chars[j + 1] == '-' && chars[j + 2] == '>');
        Pairs {
            close,
            last_comment_end,
        }
    }
}

/// A slice of a text being read for inline markup, with the text's pairs.
#[derive(Clone, Copy)]
struct Span<'a> {
    chars: &'a [char],
    /// Where `chars` starts in the whole text.
    offset: usize,
    pairs: &'a Pairs,
    /// Nesting depth of link texts.
    depth: usize,
}

impl<'a> Span<'a> {
    /// The position of the `]` or `)` matching the `[` or `(` at `start`, within this slice.
    fn matching(&self, start: usize) -> Option<usize> {
        let close = *self.pairs.close.get(self.offset + start)?;
        close
            .checked_sub(self.offset)
            .filter(|&c| close != usize::MAX && c < self.chars.len())
    }

    /// The part `a..b` of this slice, one level deeper.
    fn inner(&self, a: usize, b: usize) -> Span<'a> {
        Span {
            chars: &self.chars[a..b],
            offset: self.offset + a,
            pairs: self.pairs,
            depth: self.depth + 1,
        }
    }
}

/// Decodes the HTML entity starting at `chars[i]` (`&`): the text and its length.
fn entity(chars: &[char], i: usize) -> Option<(String, usize)> {
    let end = (i + 1..chars.len().min(i + 12)).find(|&j| chars[j] == ';')?;
    let name: String = chars[i + 1..end].iter().collect();
    let text = match name.as_str() {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        "apos" => "'".to_string(),
        "nbsp" => " ".to_string(),
        "ndash" => "\u{2013}".to_string(),
        "mdash" => "\u{2014}".to_string(),
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else {
                name.strip_prefix('#').and_then(|d| d.parse().ok())
            };
            char::from_u32(code?)?.to_string()
        }
    };
    Some((text, end - i + 1))
}

/// Inline Markdown stripped to plain text (see the module documentation), whitespace normalised.
fn inline(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let pairs = Pairs::new(&chars);
    let span = Span {
        chars: &chars,
        offset: 0,
        pairs: &pairs,
        depth: 0,
    };
    inline_into(span, &mut out);
    normalize_ws(&out)
}

fn inline_into(span: Span<'_>, out: &mut String) {
    let chars = span.chars;
    if span.depth > MAX_INLINE_DEPTH {
        out.extend(chars);
        return;
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                let body = i + run;
                let close = (body..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|&&c| c == '`').count() == run && (j == 0 || chars[j - 1] != '`')
                });
                match close {
                    Some(j) => {
                        out.extend(&chars[body..j]);
                        i = j + run;
                    }
                    None => {
                        out.extend(&chars[i..body]);
                        i = body;
                    }
                }
            }
            '!' if chars.get(i + 1) == Some(&'[') => match link_end(&span, i + 1) {
                Some((_, end)) => i = end, // Images are dropped.
                None => {
                    out.push('!');
                    i += 1;
                }
            },
            '[' => {
                if chars.get(i + 1) == Some(&'^') {
                    if let Some(close) = span.matching(i) {
                        i = close + 1; // Footnote references are dropped.
                        continue;
                    }
                }
                match link_end(&span, i) {
                    Some((text_end, end)) => {
                        inline_into(span.inner(i + 1, text_end), out);
                        i = end;
                    }
                    None => {
                        out.push('[');
                        i += 1;
                    }
                }
            }
            '<' => match html_end(&span, i) {
                Some((end, keep)) => {
                    if let Some((a, b)) = keep {
                        out.extend(&chars[a..b]);
                    }
                    i = end;
                }
                None => {
                    out.push('<');
                    i += 1;
                }
            },
            '&' => match entity(chars, i) {
                Some((text, len)) => {
                    out.push_str(&text);
                    i += len;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            },
            '*' | '_' | '~' => {
                let run = chars[i..].iter().take_while(|&&x| x == c).count();
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + run).copied();
                let space = |x: Option<char>| x.is_none_or(char::is_whitespace);
                let alnum = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
                let delimiter = !(space(before) && space(after))
                    && match c {
                        '_' => !(alnum(before) && alnum(after)),
                        '~' => run >= 2,
                        _ => true,
                    };
                if !delimiter {
                    out.extend(&chars[i..i + run]);
                }
                i += run;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
}

/// For a link starting at `chars[start]` (`[`): the end of its text and of the whole link
/// (`[text](url "title")`, `[text][ref]`, `[text][]`); `None` when it is no link.
fn link_end(span: &Span<'_>, start: usize) -> Option<(usize, usize)> {
    let text_end = span.matching(start)?;
    match span.chars.get(text_end + 1) {
        Some('(' | '[') => Some((text_end, span.matching(text_end + 1)? + 1)),
        _ => None,
    }
}

/// For `<` at `chars[start]`: the end of an HTML tag, comment or autolink, and for an autolink
/// the span of its text.
#[allow(clippy::type_complexity)]
fn html_end(span: &Span<'_>, start: usize) -> Option<(usize, Option<(usize, usize)>)> {
    let chars = span.chars;
    let rest = &chars[start..];
    if rest.starts_with(&['<', '!', '-', '-']) {
        // No `-->` after this one: no need to look.
        span.pairs
            .last_comment_end
            .filter(|&last| last >= span.offset + start + 4)?;
        let end = (start + 4..chars.len().saturating_sub(2))
            .find(|&j| chars[j] == '-' && chars[j + 1] == '-' && chars[j + 2] == '>')?;
        return Some((end + 3, None));
    }
    let close = (start + 1..chars.len()).find(|&j| chars[j] == '>' || chars[j] == '<' || chars[j] == '\n')?;
    if chars[close] != '>' {
        return None;
    }
    let inner: String = chars[start + 1..close].iter().collect();
    if inner.contains("://") && !inner.contains(' ') || inner.contains('@') && !inner.contains(' ') {
        return Some((close + 1, Some((start + 1, close)))); // Autolink.
    }
    let name = inner.strip_prefix('/').unwrap_or(&inner);
    let tag = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    tag.then_some((close + 1, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/markdown");

    fn paper(file: &str) -> Paper {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
        let mut records: Vec<_> = parse(file, &bytes).collect();
        assert_eq!(records.len(), 1);
        records.remove(0).unwrap().paper
    }

    #[test]
    fn inline_markup() {
        assert_eq!(
            inline("**Bold** and *em* and __strong__ and _em_ and ~~gone~~ text"),
            "Bold and em and strong and em and gone text"
        );
        assert_eq!(
            inline("snake_case_name and 2 * 3 and a*b*c"),
            "snake_case_name and 2 * 3 and abc"
        );
        assert_eq!(inline("use `a*b_c` here"), "use a*b_c here");
        assert_eq!(
            inline("see [the *paper*](https://x.org/a_(b) \"t\") and [ref][r] and [1]"),
            "see the paper and ref and [1]"
        );
        assert_eq!(inline("![logo](a.png) text<sup>2</sup> <br/>end"), "text2 end");
        assert_eq!(
            inline("<https://doi.org/10.1/x> a < b &amp; c&#233; \\*x\\*"),
            "https://doi.org/10.1/x a < b & cé *x*"
        );
        assert_eq!(inline("note[^1] <!-- hidden --> done"), "note done");
    }

    #[test]
    fn readme_summary() {
        let p = paper("paper-summary.md");
        assert_eq!(p.title, "Attention Is All You Need");
        let names: Vec<&str> = p.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names[..3], ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]);
        assert_eq!(p.year, Some(2017));
        assert_eq!(p.date.as_deref(), Some("2017-06-12"));
        assert_eq!(p.ids.arxiv.as_deref(), Some("1706.03762"));
        assert_eq!(p.ids.doi.as_deref(), Some("10.48550/arxiv.1706.03762"));
        assert_eq!(p.venue.as_deref(), Some("NeurIPS 2017"));
        assert_eq!(p.keywords, ["transformers", "attention", "machine translation"]);
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("A hand-written summary"));
        let heads: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            heads,
            [
                ("Key idea", 2),
                ("Architecture", 2),
                ("Attention", 3),
                ("Results", 2),
                ("Notes", 2)
            ]
        );
        let key = &p.sections[0].paragraphs;
        assert_eq!(
            key[0],
            "The Transformer replaces recurrence with self-attention, so that every position attends to every other in one step."
        );
        assert_eq!(key[1], "No recurrence.");
        assert_eq!(key[2], "No convolution: only attention and feed-forward layers.");
        assert!(!p
            .sections
            .iter()
            .flat_map(|s| &s.paragraphs)
            .any(|t| t.contains("import torch")));
        let results = &p.sections[3].paragraphs;
        assert_eq!(results[0], "Task | BLEU");
        assert_eq!(results[1], "WMT 2014 En-De | 28.4");
        assert_eq!(
            p.sections[4].paragraphs,
            [
                "A setext heading, a quote and an HTML comment follow.".to_string(),
                "Quoted text stays.".to_string()
            ]
        );
        assert_eq!(p.references.len(), 2);
        assert_eq!(p.references[0].label.as_deref(), Some("1"));
        assert_eq!(p.references[0].ids.doi.as_deref(), Some("10.1162/neco.1997.9.8.1735"));
        assert_eq!(p.references[1].ids.arxiv.as_deref(), Some("1409.0473"));
    }

    #[test]
    fn without_front_matter() {
        let p = paper("no-front-matter.md");
        assert_eq!(p.title, "Notes on a Small Graph");
        assert_eq!(p.abstract_text.as_deref(), Some("We count citations by hand."));
        assert_eq!(p.sections[0].heading, "Body");
        assert_eq!(p.sections[0].paragraphs, ["Written by hand for the parser tests."]);
        assert_eq!((p.sections[1].heading.as_str(), p.sections[1].level), ("Method", 2));
        assert_eq!(
            (p.sections[2].heading.as_str(), p.sections[2].level),
            ("Setext section", 2)
        );
    }

    #[test]
    fn front_matter_shapes_and_errors() {
        let input = "---\ntitle: \"A: quoted\"\nauthors: Ada One, Ben Two and Cy Three\nkeywords: a, b\nabstract: >\n  First line\n  continues.\n\n  Second.\n---\nBody text.\n";
        let p = parse("a.md", input.as_bytes()).next().unwrap().unwrap().paper;
        assert_eq!(p.title, "A: quoted");
        assert_eq!(p.authors.len(), 3);
        assert_eq!(p.keywords, ["a", "b"]);
        assert_eq!(p.abstract_text.as_deref(), Some("First line continues.\n\nSecond."));
        let input = "---\ntitle: T\nauthors:\n  - name: Ada One\n    affiliation: X\n  - Ben Two\n---\n";
        let p = parse("a.md", input.as_bytes()).next().unwrap().unwrap().paper;
        assert_eq!(p.authors, [Author::named("Ada One"), Author::named("Ben Two")]);
        let e = parse("a.md", b"---\ntitle: T\n").next().unwrap().unwrap_err();
        assert_eq!((e.field.as_deref(), e.location.line), (Some("front matter"), Some(1)));
        let e = parse("a.md", b"---\ntitle: T\njunk line\n---\n")
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!((e.field.as_deref(), e.location.line), (Some("front matter"), Some(3)));
        let e = parse("a.md", b"---\ntitle: T\nyear: soon\n---\n")
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!((e.field.as_deref(), e.location), (Some("year"), Location::line(3, 13)));
        let e = parse("a.md", b"## Only a section\n\ntext").next().unwrap().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        let e = parse("a.md", b"# T\n\xc3").next().unwrap().unwrap_err();
        assert!(e.message.contains("UTF-8"));
        for input in [
            "# T\n```\nunclosed",
            "# T\n<!-- unclosed",
            "# T\n[a](b",
            "# T\n![",
            "# T\n<",
            "# T\n&#xffffffff;",
            "# T\n|",
            "# T\n- ",
            "# T\n1)",
            "# T\n`",
            "# T\n[^",
            "# T\n***\n___",
            "---\n---\n# é\n> \n>",
            "# T\n\\",
            "# T\n<!--->",
            "# T\n&;",
            "# T\n[x]:",
            "---\na:\n - \n---\n# T",
        ] {
            let _ = parse("x.md", input.as_bytes()).next().unwrap();
        }
    }
}
