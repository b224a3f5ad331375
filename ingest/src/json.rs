//! Shared plumbing for JSON sources that may be JSON lines, a single document, several
//! concatenated documents, a top-level array of records, or an API page `{"results": [...]}`.
//!
//! A light scanner (string-aware bracket counting, no recursion) finds where each record starts
//! and ends, so that every record is parsed on its own and located by the byte offset (and line)
//! where it starts; a bad record is one error and the next one still parses. When the first
//! value of the source stands on a single line, the source is read as JSON lines (one value per
//! non-blank line), so that a truncated line never swallows the lines after it.

use serde_json::{Map, Value};

use crate::error::{Location, ParseError};
use crate::jsonl::{kind, record, Line};
use crate::{Paper, Record};

/// One candidate record: where it starts, and its bytes or what stopped the scanner.
type Item<'a> = (usize, Result<&'a [u8], String>);

/// Records of a JSON source, each converted with `convert`. With `results`, an object that has a
/// `results` array (an API page) stands for the elements of that array.
pub(crate) fn records<'a, F>(
    name: &'a str,
    bytes: &'a [u8],
    results: bool,
    convert: F,
) -> impl Iterator<Item = Result<Record, ParseError>> + 'a
where
    F: Fn(&Line<'a>) -> Result<Paper, ParseError> + 'a,
{
    let items = split(bytes, results);
    let mut lines = LineCounter::default();
    items.into_iter().map(move |(offset, item)| {
        let number = lines.line_of(bytes, offset);
        let raw = item.map_err(|m| ParseError::new(name, Location::line(number, offset as u64), m))?;
        record(name, number, offset as u64, raw, true, &convert)
    })
}

/// 1-based line numbers of increasing offsets, counted incrementally.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    line: u64,
}

impl LineCounter {
    fn line_of(&mut self, bytes: &[u8], offset: usize) -> u64 {
        if offset < self.pos {
            self.pos = 0;
            self.line = 0;
        }
        let upto = offset.min(bytes.len());
        self.line += bytes
            .get(self.pos..upto)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = upto;
        self.line + 1
    }
}

/// The records of `bytes`, in order.
fn split(bytes: &[u8], results: bool) -> Vec<Item<'_>> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let first = skip_ws(bytes, start);
    let mut out = Vec::new();
    if first >= bytes.len() {
        return out;
    }
    let first_line_end = bytes[first..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| first + n);
    let one_line = matches!(value_end(bytes, first), Ok(end) if end <= first_line_end
        && bytes.get(end..first_line_end).unwrap_or_default().iter().all(u8::is_ascii_whitespace));
    if one_line {
        // JSON lines: every non-blank line is a value.
        let mut pos = start;
        while pos < bytes.len() {
            let len = bytes[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(bytes.len() - pos);
            let line = &bytes[pos..pos + len];
            let lead = line.iter().position(|b| !b.is_ascii_whitespace());
            if let Some(lead) = lead {
                expand(bytes, pos + lead, pos + len, results, &mut out);
            }
            pos += len + 1;
        }
        return out;
    }
    // Whole documents, one after the other; a top-level array element by element, so that the
    // elements before a cut or a syntax error still parse.
    let mut pos = first;
    while pos < bytes.len() {
        if bytes[pos] == b'[' {
            match elements(bytes, pos, bytes.len(), &mut out) {
                Some(end) => {
                    pos = skip_ws(bytes, end);
                    continue;
                }
                None => break,
            }
        }
        match value_end(bytes, pos) {
            Ok(end) => {
                expand(bytes, pos, end, results, &mut out);
                pos = skip_ws(bytes, end);
            }
            Err((at, message)) => {
                out.push((pos, Err(format!("{message} (at byte {at})"))));
                break;
            }
        }
    }
    out
}

/// Pushes the records of the value `bytes[start..end]`: the elements of an array, the `results`
/// of an API page, or the value itself.
fn expand<'a>(bytes: &'a [u8], start: usize, end: usize, results: bool, out: &mut Vec<Item<'a>>) {
    let value = &bytes[start..end];
    match value.first() {
        Some(b'[') => {
            elements(bytes, start, end, out);
        }
        Some(b'{') if results => match member(bytes, start, end, "results") {
            Some((s, e)) if bytes.get(s) == Some(&b'[') && member(bytes, start, end, "id").is_none() => {
                elements(bytes, s, e, out);
            }
            _ => out.push((start, Ok(value))),
        },
        _ => out.push((start, Ok(value))),
    }
}

/// Pushes the elements of the array starting at `start` and ending by `end`; returns the offset
/// after its `]`, or `None` when an error (pushed too) stopped the scan.
fn elements<'a>(bytes: &'a [u8], start: usize, end: usize, out: &mut Vec<Item<'a>>) -> Option<usize> {
    let slice = &bytes[..end];
    let mut pos = skip_ws(slice, start + 1);
    loop {
        match slice.get(pos) {
            None => {
                out.push((pos.min(end), Err("unexpected end of input in an array".to_string())));
                return None;
            }
            Some(b']') => return Some(pos + 1),
            Some(_) => {}
        }
        match value_end(slice, pos) {
            Ok(e) => {
                out.push((pos, Ok(&slice[pos..e])));
                pos = skip_ws(slice, e);
                match slice.get(pos) {
                    Some(b',') => pos = skip_ws(slice, pos + 1),
                    Some(b']') => return Some(pos + 1),
                    _ => {
                        out.push((pos, Err("expected `,` or `]` after an array element".to_string())));
                        return None;
                    }
                }
            }
            Err((at, message)) => {
                out.push((pos, Err(format!("{message} (at byte {at})"))));
                return None;
            }
        }
    }
}

/// The span of the value of `key` in the object `bytes[start..end]`, if it has that member.
fn member(bytes: &[u8], start: usize, end: usize, key: &str) -> Option<(usize, usize)> {
    let slice = &bytes[..end];
    let mut pos = skip_ws(slice, start + 1);
    loop {
        if slice.get(pos)? != &b'"' {
            return None;
        }
        let key_end = value_end(slice, pos).ok()?;
        let this: String = serde_json::from_slice(&slice[pos..key_end]).ok()?;
        pos = skip_ws(slice, key_end);
        if slice.get(pos)? != &b':' {
            return None;
        }
        pos = skip_ws(slice, pos + 1);
        let value_stop = value_end(slice, pos).ok()?;
        if this == key {
            return Some((pos, value_stop));
        }
        pos = skip_ws(slice, value_stop);
        match slice.get(pos)? {
            b',' => pos = skip_ws(slice, pos + 1),
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

/// Where the JSON value starting at `start` ends (exclusive), without checking its content
/// beyond strings and brackets; or where and why scanning stopped.
fn value_end(bytes: &[u8], start: usize) -> Result<usize, (usize, &'static str)> {
    let mut pos = start;
    let mut depth = 0usize;
    loop {
        let Some(&b) = bytes.get(pos) else {
            return Err((pos, "unexpected end of input"));
        };
        match b {
            b'"' => {
                pos += 1;
                loop {
                    match bytes.get(pos) {
                        None => return Err((pos, "unexpected end of input in a string")),
                        Some(b'\\') => pos += 2,
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(b'\n') => return Err((pos, "line break in a string")),
                        Some(_) => pos += 1,
                    }
                }
                if depth == 0 {
                    return Ok(pos);
                }
            }
            b'{' | b'[' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    return Err((pos, "unbalanced closing bracket"));
                }
                depth -= 1;
                pos += 1;
                if depth == 0 {
                    return Ok(pos);
                }
            }
            _ if depth == 0 => {
                // A scalar: up to the next delimiter.
                while bytes
                    .get(pos)
                    .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b',' | b']' | b'}' | b'[' | b'{'))
                {
                    pos += 1;
                }
                return if pos == start {
                    Err((pos, "expected a value"))
                } else {
                    Ok(pos)
                };
            }
            _ => pos += 1,
        }
    }
}

/// The object at `field` of `object`: absent or null gives `None`, a non-object is an error.
pub(crate) fn opt_object<'v>(
    line: &Line<'_>,
    object: &'v Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<Option<&'v Map<String, Value>>, ParseError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(line.error(path, format!("expected an object, found {}", kind(other)))),
    }
}

/// The array at `field` of `object`: absent or null gives an empty slice, a non-array is an error.
pub(crate) fn opt_array<'v>(
    line: &Line<'_>,
    object: &'v Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<&'v [Value], ParseError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(line.error(path, format!("expected an array, found {}", kind(other)))),
    }
}

/// A string or number at `field` of `object` as text: absent, null or empty gives `None`; any
/// other type is an error.
pub(crate) fn opt_text(
    line: &Line<'_>,
    object: &Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<Option<String>, ParseError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(line.error(path, format!("expected a string, found {}", kind(other)))),
    }
}

/// A year from a number or a string starting with four digits; any other type is an error.
pub(crate) fn opt_year(
    line: &Line<'_>,
    object: &Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<Option<i32>, ParseError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| (1000..3000).contains(y))),
        Some(Value::String(s)) => Ok(crate::dates::leading_year(s)),
        Some(other) => Err(line.error(path, format!("expected a year, found {}", kind(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(input: &str, results: bool) -> Vec<(usize, Result<String, String>)> {
        split(input.as_bytes(), results)
            .into_iter()
            .map(|(o, r)| (o, r.map(|b| String::from_utf8_lossy(b).into_owned())))
            .collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            spans("{\"a\":1}\n\n{\"b\":\"}\"}\n", false),
            [(0, Ok("{\"a\":1}".into())), (9, Ok("{\"b\":\"}\"}".into()))]
        );
        assert_eq!(
            spans("[ {\"a\":[1,2]} ,\n {\"b\":2}]", false),
            [(2, Ok("{\"a\":[1,2]}".into())), (17, Ok("{\"b\":2}".into()))]
        );
        assert_eq!(
            spans("{\n \"meta\": {}, \"results\": [{\"id\":1}, {\"id\":2}]\n}", true),
            [(27, Ok("{\"id\":1}".into())), (37, Ok("{\"id\":2}".into()))]
        );
        assert_eq!(spans("{\"id\": 1, \"results\": []}", true).len(), 1);
        // A truncated line does not swallow the next one.
        let s = spans("{\"a\":1}\n{\"b\":\n{\"c\":3}\n", false);
        assert_eq!(s.len(), 3);
        assert_eq!(s[2], (14, Ok("{\"c\":3}".into())));
        // A truncated document is one error.
        let s = spans("{\n\"a\": [1, 2", false);
        assert_eq!(s.len(), 1);
        assert!(s[0].1.is_err());
        let s = spans("[{\"a\":1}, {\"b\": ", false);
        assert_eq!(s.len(), 2);
        assert!(s[1].1.is_err());
        assert!(spans("  \n ", false).is_empty());
    }
}
