//! BibTeX / BibLaTeX files: one record per entry, located at the line of its `@`.
//!
//! Syntax: entries `@type{key, field = value, …}` (or with parentheses); values in braces, in
//! double quotes, numbers or `@string` macro names (plus the month macros `jan`…`dec`), joined
//! with `#`; `@string` defines macros, `@comment` and `@preamble` are skipped, and so is text
//! outside entries. `@set` and `@xdata` entries are containers, not works: they yield nothing.
//! A `crossref` (or `xdata`) fills the fields an entry lacks from the entry it names, and the
//! parent's `title` becomes the child's `booktitle`.
//!
//! A malformed entry is one error with its line; parsing resumes at the next `@` that starts a
//! line. Field values that are not UTF-8 make their entry an error.
//!
//! Mapping: `title` (+ `subtitle`) with braces and LaTeX commands stripped and accents turned
//! into Unicode ([`crate::latex::to_text`]); `author` split on ` and ` (braces protect), names in
//! `Last, First`, `Last, Jr, First` or `First von Last` form; `year` (else `date`); `date` (else
//! year and month); `journal`/`journaltitle`/`booktitle` → venue; `doi`; `eprint` with
//! `eprinttype = arxiv` or `archiveprefix = arXiv` (or an `arxiv` field) → arXiv id; `pmid`,
//! `pmcid`; an `aclanthology.org` `url` → ACL id; `abstract`; `keywords` (split on `,`/`;`).
//! The citation key becomes [`CorpusId`] (collection = the file stem) only when the entry has no
//! DOI, arXiv id or PubMed id.

use std::collections::HashMap;
use std::path::Path;

use crate::beir::normalize_pmcid;
use crate::dates::{iso_date, leading_year, month_number, year_in};
use crate::error::{Location, ParseError};
use crate::latex::to_text;
use crate::model::{normalize_arxiv, normalize_doi, Author, CorpusId, Identifiers, Paper};
use crate::Record;

/// Deepest brace nesting accepted in a value.
pub const MAX_BRACE_DEPTH: usize = 256;

/// Parses a BibTeX file; one result per entry.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    let collection = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "bibtex".to_string());
    let entries = scan(name, bytes);
    let keys: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.as_ref().ok().map(|e| (e.key.to_ascii_lowercase(), i)))
        .collect();
    let resolved: Vec<Result<Entry, ParseError>> = entries
        .iter()
        .map(|e| {
            e.clone().map(|mut e| {
                inherit(&mut e, &entries, &keys);
                e
            })
        })
        .collect();
    resolved
        .into_iter()
        .filter(|e| !matches!(e, Ok(e) if matches!(e.kind.as_str(), "set" | "xdata")))
        .map(move |e| e.and_then(|e| convert(name, &collection, &e)))
}

/// One entry as written: type, key, fields (lower-case names, macro-expanded raw values).
#[derive(Debug, Clone)]
struct Entry {
    kind: String,
    key: String,
    fields: Vec<(String, String)>,
    line: u64,
    byte: u64,
}

impl Entry {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    fn location(&self) -> Location {
        Location::line(self.line, self.byte)
    }
}

/// Copies the fields the entry lacks from its `crossref` / `xdata` parents (one level).
fn inherit(entry: &mut Entry, all: &[Result<Entry, ParseError>], keys: &HashMap<String, usize>) {
    for link in ["crossref", "xdata"] {
        let Some(parent_key) = entry.get(link).map(|k| k.trim().to_ascii_lowercase()) else {
            continue;
        };
        for key in parent_key.split(',') {
            let Some(Ok(parent)) = keys.get(key.trim()).and_then(|&i| all.get(i)) else {
                continue;
            };
            for (k, v) in &parent.fields {
                let target = match k.as_str() {
                    "title" if entry.get("title").is_some() => "booktitle",
                    "subtitle" if entry.get("title").is_some() => "booksubtitle",
                    "crossref" | "xdata" | "ids" | "entryset" => continue,
                    other => other,
                };
                if entry.get(target).is_none() {
                    entry.fields.push((target.to_string(), v.clone()));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scanning

struct Scanner<'a> {
    name: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u64,
    line_pos: usize,
    strings: HashMap<String, String>,
}

impl Scanner<'_> {
    /// The 1-based line of byte `pos` (positions only grow).
    fn line_at(&mut self, pos: usize) -> u64 {
        let end = pos.min(self.bytes.len());
        if end > self.line_pos {
            self.line += self.bytes[self.line_pos..end].iter().filter(|&&b| b == b'\n').count() as u64;
            self.line_pos = end;
        }
        self.line
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn error(&self, entry: (u64, u64), message: impl Into<String>) -> ParseError {
        ParseError::new(self.name, Location::line(entry.0, entry.1), message)
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| !b.is_ascii_whitespace() && !b"{}()=,#\"%".contains(&b))
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned()
    }

    /// The next `@` at the start of a line (after optional spaces) at or after `from`.
    fn next_line_start_at(&self, from: usize) -> usize {
        let mut i = from;
        while i < self.bytes.len() {
            if self.bytes[i] == b'@' {
                let line_start = self.bytes[..i].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                if self.bytes[line_start..i].iter().all(|b| *b == b' ' || *b == b'\t') {
                    return i;
                }
            }
            i += 1;
        }
        self.bytes.len()
    }
}

/// Every entry of the file, parsed or failed, in order.
fn scan(name: &str, bytes: &[u8]) -> Vec<Result<Entry, ParseError>> {
    let mut s = Scanner {
        name,
        bytes,
        pos: 0,
        line: 1,
        line_pos: 0,
        strings: HashMap::new(),
    };
    let mut out = Vec::new();
    while let Some(at) = s.bytes.get(s.pos..).and_then(|r| r.iter().position(|&b| b == b'@')) {
        let start = s.pos + at;
        // An `@` that opens no entry (`x@y` in a comment) is comment text.
        if !entry_starts_at(s.bytes, start) {
            s.pos = start + 1;
            continue;
        }
        let line = s.line_at(start);
        s.pos = start + 1;
        match entry(&mut s, (line, start as u64)) {
            Ok(Some(e)) => out.push(Ok(e)),
            Ok(None) => {}
            Err(e) => {
                out.push(Err(e));
                s.pos = s.next_line_start_at(start + 1);
            }
        }
    }
    out
}

/// Reads the entry after an `@`; `None` for `@string`, `@comment`, `@preamble`.
fn entry(s: &mut Scanner<'_>, at: (u64, u64)) -> Result<Option<Entry>, ParseError> {
    s.skip_ws();
    let kind = s.identifier().to_ascii_lowercase();
    if kind.is_empty()
        || !kind
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(s.error(at, "expected an entry type after `@`"));
    }
    s.skip_ws();
    let close = match s.peek() {
        Some(b'{') => b'}',
        Some(b'(') => b')',
        _ if kind == "comment" => return Ok(None),
        _ => return Err(s.error(at, format!("expected `{{` or `(` after `@{kind}`"))),
    };
    s.pos += 1;
    match kind.as_str() {
        "comment" => {
            s.pos -= 1;
            braced(s, at).map(|_| None)
        }
        "preamble" => {
            value(s, at, close)?;
            expect_close(s, at, close)?;
            Ok(None)
        }
        "string" => {
            let (field, v) = field(s, at, close)?
                .ok_or_else(|| s.error(at, "`@string` without a definition").with_field("string"))?;
            s.strings.insert(field, v);
            s.skip_ws();
            if s.peek() == Some(b',') {
                s.pos += 1;
            }
            expect_close(s, at, close)?;
            Ok(None)
        }
        _ => {
            s.skip_ws();
            let key_start = s.pos;
            while s
                .peek()
                .is_some_and(|b| b != b',' && b != close && !b.is_ascii_whitespace())
            {
                s.pos += 1;
            }
            let key = std::str::from_utf8(&s.bytes[key_start..s.pos])
                .map_err(|_| s.error(at, "citation key is not UTF-8").with_field("key"))?
                .to_string();
            s.skip_ws();
            let mut fields = Vec::new();
            match s.peek() {
                Some(b',') => s.pos += 1,
                Some(b) if b == close => {}
                _ => {
                    return Err(s
                        .error(at, format!("expected `,` after the key `{key}`"))
                        .with_field("key"))
                }
            }
            loop {
                s.skip_ws();
                match s.peek() {
                    Some(b) if b == close => {
                        s.pos += 1;
                        break;
                    }
                    None => return Err(s.error(at, format!("unexpected end of file in entry `{key}`"))),
                    _ => {}
                }
                match field(s, at, close)? {
                    Some(f) => fields.push(f),
                    None => continue,
                }
                s.skip_ws();
                match s.peek() {
                    Some(b',') => s.pos += 1,
                    Some(b) if b == close => {}
                    None => return Err(s.error(at, format!("unexpected end of file in entry `{key}`"))),
                    Some(b) => {
                        let last = fields.last().map(|(f, _)| f.clone()).unwrap_or_default();
                        return Err(s
                            .error(
                                at,
                                format!(
                                    "expected `,` or end of entry after field `{last}`, found `{}`",
                                    b as char
                                ),
                            )
                            .with_field(last));
                    }
                }
            }
            if key.is_empty() {
                return Err(s.error(at, "entry without a citation key").with_field("key"));
            }
            Ok(Some(Entry {
                kind,
                key,
                fields,
                line: at.0,
                byte: at.1,
            }))
        }
    }
}

fn expect_close(s: &mut Scanner<'_>, at: (u64, u64), close: u8) -> Result<(), ParseError> {
    s.skip_ws();
    if s.peek() == Some(close) {
        s.pos += 1;
        Ok(())
    } else {
        Err(s.error(at, format!("expected `{}`", close as char)))
    }
}

/// `name = value # value …`; `None` for a stray comma.
fn field(s: &mut Scanner<'_>, at: (u64, u64), close: u8) -> Result<Option<(String, String)>, ParseError> {
    s.skip_ws();
    if s.peek() == Some(b',') {
        s.pos += 1;
        return Ok(None);
    }
    let name = s.identifier().to_ascii_lowercase();
    if name.is_empty() {
        let found = s
            .peek()
            .map(|b| (b as char).to_string())
            .unwrap_or_else(|| "end of file".into());
        return Err(s.error(at, format!("expected a field name, found `{found}`")));
    }
    s.skip_ws();
    if s.peek() != Some(b'=') {
        return Err(s
            .error(at, format!("expected `=` after field name `{name}`"))
            .with_field(name));
    }
    s.pos += 1;
    let v = value(s, at, close).map_err(|e| e.with_field(name.clone()))?;
    Ok(Some((name, v)))
}

/// A value: parts joined by `#`, delimiters removed, macros expanded.
fn value(s: &mut Scanner<'_>, at: (u64, u64), close: u8) -> Result<String, ParseError> {
    let mut out = String::new();
    loop {
        s.skip_ws();
        match s.peek() {
            Some(b'{') => out.push_str(&braced(s, at)?),
            Some(b'"') => out.push_str(&quoted(s, at)?),
            Some(b) if b.is_ascii_digit() => {
                let start = s.pos;
                while s.peek().is_some_and(|b| b.is_ascii_digit()) {
                    s.pos += 1;
                }
                out.push_str(std::str::from_utf8(&s.bytes[start..s.pos]).unwrap_or_default());
            }
            Some(b) if b != close && b != b',' && b != b'#' => {
                let name = s.identifier();
                if name.is_empty() {
                    return Err(s.error(at, format!("unexpected `{}` in a value", b as char)));
                }
                let lower = name.to_ascii_lowercase();
                match s.strings.get(&lower) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(month_macro(&lower).unwrap_or(&name)),
                }
            }
            _ => return Err(s.error(at, "expected a value")),
        }
        s.skip_ws();
        if s.peek() == Some(b'#') {
            s.pos += 1;
        } else {
            return Ok(out);
        }
    }
}

fn month_macro(name: &str) -> Option<&'static str> {
    Some(match name {
        "jan" => "January",
        "feb" => "February",
        "mar" => "March",
        "apr" => "April",
        "may" => "May",
        "jun" => "June",
        "jul" => "July",
        "aug" => "August",
        "sep" => "September",
        "oct" => "October",
        "nov" => "November",
        "dec" => "December",
        _ => return None,
    })
}

/// Whether a line starting at `i` (after a newline) opens a new entry: `@word{` or `@word(`.
fn entry_starts_at(bytes: &[u8], mut i: usize) -> bool {
    while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
        i += 1;
    }
    if bytes.get(i) != Some(&b'@') {
        return false;
    }
    i += 1;
    let start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
        i += 1;
    }
    i > start && matches!(bytes.get(i), Some(b'{') | Some(b'('))
}

/// `{…}` with nested braces (escaped `\{`, `\}` do not count); the outer braces removed. A line
/// that opens a new entry inside the braces is taken as a missing `}`.
fn braced(s: &mut Scanner<'_>, at: (u64, u64)) -> Result<String, ParseError> {
    let start = s.pos + 1;
    let mut depth = 0usize;
    let mut i = s.pos;
    while let Some(&b) = s.bytes.get(i) {
        match b {
            b'\\' => {
                i += 2;
                continue;
            }
            b'{' => {
                depth += 1;
                if depth > MAX_BRACE_DEPTH {
                    return Err(s.error(at, format!("braces nested deeper than {MAX_BRACE_DEPTH}")));
                }
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    s.pos = i + 1;
                    return utf8(s, at, &s.bytes[start..i]);
                }
            }
            b'\n' if entry_starts_at(s.bytes, i + 1) => {
                let line = s.line_at(i + 1);
                return Err(s.error(at, format!("unbalanced braces: a new entry starts on line {line}")));
            }
            _ => {}
        }
        i += 1;
    }
    Err(s.error(at, "unexpected end of file: unbalanced braces"))
}

/// `"…"`, braces inside protecting quotes; the quotes removed.
fn quoted(s: &mut Scanner<'_>, at: (u64, u64)) -> Result<String, ParseError> {
    let start = s.pos + 1;
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&b) = s.bytes.get(i) {
        match b {
            b'\\' => {
                i += 2;
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'"' if depth == 0 => {
                s.pos = i + 1;
                return utf8(s, at, &s.bytes[start..i]);
            }
            b'\n' if entry_starts_at(s.bytes, i + 1) => {
                return Err(s.error(at, "unterminated quoted value"));
            }
            _ => {}
        }
        i += 1;
    }
    Err(s.error(at, "unexpected end of file in a quoted value"))
}

fn utf8(s: &Scanner<'_>, at: (u64, u64), raw: &[u8]) -> Result<String, ParseError> {
    std::str::from_utf8(raw).map(str::to_string).map_err(|e| {
        let offset = raw.as_ptr() as usize - s.bytes.as_ptr() as usize + e.valid_up_to();
        s.error(at, format!("invalid UTF-8 at byte {offset}"))
    })
}

// ---------------------------------------------------------------------------------------------
// Conversion

fn convert(name: &str, collection: &str, e: &Entry) -> Result<Record, ParseError> {
    let error = |field: &str, message: &str| ParseError::new(name, e.location(), message).with_field(field);
    let mut title = e.get("title").map(to_text).unwrap_or_default();
    if let Some(sub) = e.get("subtitle").map(to_text).filter(|s| !s.is_empty()) {
        title = if title.is_empty() {
            sub
        } else {
            format!("{title}: {sub}")
        };
    }
    if title.is_empty() {
        return Err(error("title", &format!("entry `{}` has no title", e.key)));
    }
    let authors = e.get("author").map(split_names).unwrap_or_default();

    let date_field = e.get("date").map(str::trim);
    let year = match e.get("year") {
        Some(y) => Some(year_in(y).ok_or_else(|| error("year", &format!("no year in {:?}", y.trim())))?),
        None => date_field.and_then(leading_year),
    };
    let date = date_field
        .map(str::to_string)
        .or_else(|| Some(iso_date(year?, e.get("month").and_then(month_number), None)));
    let venue = ["journaltitle", "journal", "booktitle", "eventtitle"]
        .iter()
        .find_map(|f| e.get(f))
        .map(to_text)
        .filter(|v| !v.is_empty());

    let mut ids = Identifiers {
        doi: e.get("doi").and_then(|d| normalize_doi(&to_text(d).replace(' ', ""))),
        pmid: e
            .get("pmid")
            .map(str::trim)
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string),
        pmcid: e.get("pmcid").and_then(normalize_pmcid),
        ..Identifiers::default()
    };
    let eprint_type = e
        .get("eprinttype")
        .or_else(|| e.get("archiveprefix"))
        .map(|t| t.trim().to_ascii_lowercase());
    if let Some(eprint) = e.get("eprint") {
        if eprint_type.as_deref() == Some("arxiv") || eprint.trim().to_ascii_lowercase().starts_with("arxiv:") {
            ids.arxiv = normalize_arxiv(eprint.trim());
        }
    }
    if ids.arxiv.is_none() {
        ids.arxiv = e.get("arxiv").and_then(|a| normalize_arxiv(a.trim()));
    }
    if let Some(url) = e.get("url") {
        if let Some(id) = url
            .split("aclanthology.org/")
            .nth(1)
            .or_else(|| url.split("aclweb.org/anthology/").nth(1))
        {
            let id = id.trim().trim_end_matches('/').trim_end_matches(".pdf");
            if !id.is_empty() && !id.contains('/') {
                ids.acl = Some(id.to_string());
            }
        }
        if ids.doi.is_none() {
            ids.doi = url.split("doi.org/").nth(1).and_then(normalize_doi);
        }
    }
    if ids.doi.is_none() && ids.arxiv.is_none() && ids.pmid.is_none() {
        ids.corpus = Some(CorpusId {
            collection: collection.to_string(),
            id: e.key.clone(),
        });
    }
    let keywords = e
        .get("keywords")
        .map(|k| {
            to_text(k)
                .split([',', ';'])
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let paper = Paper {
        ids,
        title,
        authors,
        year,
        date,
        venue,
        abstract_text: e.get("abstract").map(to_text).filter(|a| !a.is_empty()),
        keywords,
        license: e.get("license").map(to_text).filter(|l| !l.is_empty()),
        ..Paper::default()
    };
    Ok(Record {
        paper,
        location: e.location(),
    })
}

/// Splits `a` on ` and ` outside braces (case-insensitive), dropping `others`.
fn split_names(list: &str) -> Vec<Author> {
    split_top(list, " and ")
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty() && n != "others")
        .filter_map(|n| person(&n))
        .collect()
}

/// Splits on `sep` (ASCII, case-insensitive, whitespace-normalised) at brace depth 0.
fn split_top(s: &str, sep: &str) -> Vec<String> {
    let normalized = crate::model::normalize_ws(s);
    let bytes = normalized.as_bytes();
    let sep = sep.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ if depth == 0 && bytes[i..].len() >= sep.len() && bytes[i..i + sep.len()].eq_ignore_ascii_case(sep) => {
                parts.push(normalized[start..i].to_string());
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(normalized[start..].to_string());
    parts
}

/// One name in `Last, First`, `Last, Jr, First` or `First von Last` form.
fn person(raw: &str) -> Option<Author> {
    let parts = split_top(raw, ",");
    let (given, family) = match parts.len() {
        1 => {
            let words = split_top(raw, " ");
            if words.len() == 1 {
                (None, words[0].clone())
            } else {
                // `von` particles (lower-case words before the last one) belong to the family name.
                let mut first_family = words.len() - 1;
                while first_family > 1 && starts_lower(&words[first_family - 1]) {
                    first_family -= 1;
                }
                (Some(words[..first_family].join(" ")), words[first_family..].join(" "))
            }
        }
        2 => (Some(parts[1].clone()), parts[0].clone()),
        _ => (
            Some(format!("{}, {}", parts[2].trim(), parts[1].trim())),
            parts[0].clone(),
        ),
    };
    let family = to_text(&family);
    let given = given.map(|g| to_text(&g)).filter(|g| !g.is_empty());
    let name = match &given {
        Some(_) if parts.len() >= 3 => format!("{} {family}, {}", to_text(parts[2].trim()), to_text(parts[1].trim())),
        Some(g) => format!("{g} {family}"),
        None => family.clone(),
    };
    let name = crate::model::normalize_ws(&name);
    if name.is_empty() {
        return None;
    }
    Some(Author {
        name,
        given: if parts.len() >= 3 {
            Some(to_text(parts[2].trim())).filter(|g| !g.is_empty())
        } else {
            given
        },
        family: Some(family).filter(|f| !f.is_empty()),
        orcid: None,
    })
}

fn starts_lower(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/bibtex/biblatex-examples.bib"
    ));

    fn records(bytes: &[u8]) -> Vec<Result<Record, ParseError>> {
        parse("biblatex-examples.bib", bytes).collect()
    }

    fn by_key<'r>(records: &'r [Result<Record, ParseError>], key: &str) -> &'r Paper {
        records
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| &r.paper)
            .find(|p| p.ids.corpus.as_ref().is_some_and(|c| c.id == key) || p.title.is_empty() && key.is_empty())
            .unwrap_or_else(|| panic!("no entry {key}"))
    }

    #[test]
    fn biblatex_examples() {
        let records = records(EXAMPLES);
        let errors: Vec<&ParseError> = records.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // 100 `@`s: 8 `@string`s, 2 `@set`s and 90 works.
        assert_eq!(records.len(), 90);
        let aksin = by_key(&records, "aksin");
        assert_eq!(
            aksin.title,
            "Effect of immobilization on catalytic characteristics of saturated Pd-N-heterocyclic carbenes in Mizoroki-Heck reactions"
        );
        let names: Vec<&str> = aksin.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Özge Aksın",
                "Hayati Türkmen",
                "Levent Artok",
                "Bekir Çetinkaya",
                "Chaoying Ni",
                "Orhan Büyükgüngör",
                "Erhan Özkal"
            ]
        );
        assert_eq!(aksin.authors[0].family.as_deref(), Some("Aksın"));
        assert_eq!(aksin.venue.as_deref(), Some("J. Organomet. Chem."), "@string macro");
        assert_eq!((aksin.year, aksin.date.as_deref()), (Some(2006), Some("2006")));
        let angenendt = by_key(&records, "angenendt");
        assert_eq!(angenendt.venue.as_deref(), Some("Revue d'Histoire Ecclésiastique"));
        assert_eq!(
            angenendt.title,
            "In Honore Salvatoris – Vom Sinn und Unsinn der Patrozinienkunde"
        );
        // The westfahl:space incollection inherits its book's title and date through crossref.
        let space = by_key(&records, "westfahl:space");
        assert_eq!(
            space.title,
            "The True Frontier: Confronting and Avoiding the Realities of Space in American Science Fiction Films"
        );
        assert!(
            space.venue.as_deref().unwrap().starts_with("Space and Beyond"),
            "{:?}",
            space.venue
        );
        assert_eq!(space.year, Some(2000));
    }

    #[test]
    fn identifiers() {
        let records = records(EXAMPLES);
        let papers: Vec<&Paper> = records
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| &r.paper)
            .collect();
        let baez = papers
            .iter()
            .find(|p| p.title == "Higher-Dimensional Algebra V: 2-Groups")
            .unwrap();
        assert_eq!(baez.ids.arxiv.as_deref(), Some("math/0307200"));
        assert_eq!(baez.ids.corpus, None, "no corpus id when there is an arXiv id");
        assert_eq!(baez.authors[1].name, "Aaron D. Lauda");
        let k = papers
            .iter()
            .find(|p| p.ids.doi.as_deref() == Some("10.1063/1.2172593"))
            .unwrap();
        assert_eq!(
            k.title,
            "Computation of methodology-independent ionic solvation free energies from molecular simulations: I. The electrostatic potential in molecular liquids"
        );
        assert_eq!(k.authors[1].name, "Philippe H. Hünenberger");
        assert_eq!(k.venue.as_deref(), Some("J. Chem. Phys."));
        assert!(k
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("The computation of ionic solvation free energies"));
        let knuth = by_key(&records, "knuth:ct:a");
        assert_eq!(knuth.authors[0].name, "Donald E. Knuth");
        assert_eq!(knuth.ids.corpus.as_ref().unwrap().collection, "biblatex-examples");
    }

    #[test]
    fn names_and_values() {
        let bib = r#"
% a comment with an @ sign: x@y
@String(pub = "Pub")
@preamble{ "\newcommand{\noop}[1]{}" }
@comment{ anything {nested} }
@Article{k1,
  author = {van der Berg, Jr, Jan and Ludwig van Beethoven and {Barnes and Noble} and others},
  title = "A {\"U}ber " # pub # { Title},
  journal = {J},
  year = 1999, month = feb,
  eprint = {1234.5678v2}, archivePrefix = {arXiv},
  keywords = {x, y; z},
  abstract = {An \emph{abstract} with 5\% \{braces\}.},
}
@misc{k2, title = {Only {ACL}}, url = {https://aclanthology.org/P19-1001}, date = {2019-07-28}}
"#;
        let records: Vec<_> = parse("refs.bib", bib.as_bytes()).collect();
        assert_eq!(records.len(), 2);
        let r = records[0].as_ref().unwrap();
        assert_eq!(r.location.line, Some(6));
        let p = &r.paper;
        assert_eq!(p.title, "A Über Pub Title");
        let names: Vec<(&str, Option<&str>, Option<&str>)> = p
            .authors
            .iter()
            .map(|a| (a.name.as_str(), a.given.as_deref(), a.family.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Jan van der Berg, Jr", Some("Jan"), Some("van der Berg")),
                ("Ludwig van Beethoven", Some("Ludwig"), Some("van Beethoven")),
                ("Barnes and Noble", None, Some("Barnes and Noble")),
            ]
        );
        assert_eq!((p.year, p.date.as_deref()), (Some(1999), Some("1999-02")));
        assert_eq!(p.ids.arxiv.as_deref(), Some("1234.5678"));
        assert_eq!(p.keywords, ["x", "y", "z"]);
        assert_eq!(p.abstract_text.as_deref(), Some("An abstract with 5% {braces}."));
        let p = &records[1].as_ref().unwrap().paper;
        assert_eq!(p.ids.acl.as_deref(), Some("P19-1001"));
        assert_eq!(p.ids.corpus.as_ref().unwrap().id, "k2");
        assert_eq!((p.year, p.date.as_deref()), (Some(2019), Some("2019-07-28")));
    }

    #[test]
    fn malformed_entries_resume_at_the_next() {
        let bib = b"@article{a, title = {One}}\n\
@article{b, title = {Two\n\
@article{c, title = {Three}, year = {x}}\n\
@article{d title = {Four}}\n\
@article{e, title = {Fi\xffve}}\n\
@article{f, title = {Six}, author = }\n\
@article{g, title = {Seven}}\n\
@article{h, title = {Eight}";
        let records: Vec<_> = parse("bad.bib", bib).collect();
        let summary: Vec<Result<&str, (u64, Option<&str>)>> = records
            .iter()
            .map(|r| match r {
                Ok(r) => Ok(r.paper.title.as_str()),
                Err(e) => Err((e.location.line.unwrap(), e.field.as_deref())),
            })
            .collect();
        assert_eq!(
            summary,
            [
                Ok("One"),
                Err((2, Some("title"))),
                Err((3, Some("year"))),
                Err((4, Some("key"))),
                Err((5, Some("title"))),
                Err((6, Some("author"))),
                Ok("Seven"),
                Err((8, None)),
            ]
        );
        let e = records[4].as_ref().unwrap_err();
        assert!(e.message.contains("UTF-8"), "{e}");
        // Truncations anywhere never panic.
        for i in (0..EXAMPLES.len()).step_by(211) {
            let _ = parse("cut.bib", &EXAMPLES[..i]).count();
        }
        let deep = format!("@misc{{k, title = {}x{}}}", "{".repeat(1000), "}".repeat(1000));
        let e = parse("deep.bib", deep.as_bytes()).next().unwrap().unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
    }

    /// Parses the shared BibTeX files when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_bibtex() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let dir = std::path::Path::new(&root).join("papers/bibtex");
        let mut failures = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "bib") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let name = path.to_string_lossy();
            let started = std::time::Instant::now();
            let (mut ok, mut with_ids) = (0, 0);
            for r in parse(&name, &bytes) {
                match r {
                    Ok(r) => {
                        ok += 1;
                        with_ids += usize::from(r.paper.ids.doi.is_some() || r.paper.ids.acl.is_some());
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
            eprintln!(
                "bibtex {name}: {ok} entries ({with_ids} with DOI or ACL id) in {:?}",
                started.elapsed()
            );
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
