//! Shared plumbing for JSON-lines sources: splitting into lines, decoding, error locations.

use serde_json::{Map, Value};

use crate::error::{Location, ParseError};
use crate::Record;

/// One non-blank line of a JSON-lines source, parsed as a JSON object.
pub(crate) struct Line<'a> {
    /// The source's name, for errors.
    pub name: &'a str,
    /// 1-based line number.
    pub number: u64,
    /// Byte offset where the line starts.
    pub offset: u64,
    /// The parsed object.
    pub object: Map<String, Value>,
}

impl Line<'_> {
    /// Where the line is.
    pub fn location(&self) -> Location {
        Location::line(self.number, self.offset)
    }

    /// An error about `field` of this line.
    pub fn error(&self, field: &str, message: impl Into<String>) -> ParseError {
        ParseError::new(self.name, self.location(), message).with_field(field)
    }

    /// The optional string `field`: absent or null gives `None`; any other non-string is an error.
    pub fn opt_str(&self, field: &str) -> Result<Option<&str>, ParseError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(field, format!("expected a string, found {}", kind(other)))),
        }
    }
}

/// The JSON type name of `v`, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Splits `bytes` into lines and turns each non-blank one into a record with `convert`.
///
/// Lines that are not UTF-8, not JSON or not a JSON object become errors located at their line;
/// the iteration always goes on with the next line.
pub(crate) fn records<'a, F>(
    name: &'a str,
    bytes: &'a [u8],
    convert: F,
) -> impl Iterator<Item = Result<Record, ParseError>> + 'a
where
    F: Fn(&Line<'a>) -> Result<crate::Paper, ParseError> + 'a,
{
    RawLines {
        bytes,
        pos: 0,
        number: 0,
    }
    .map(move |(number, offset, raw)| record(name, number, offset, raw, false, &convert))
}

/// Decodes the bytes `raw` of one record (on line `number`, at byte `offset` of the source
/// `name`) as a JSON object and turns it into a record with `convert`. A JSON error gives its
/// column, and with `inner_line` also its line within `raw`.
pub(crate) fn record<'a, F>(
    name: &'a str,
    number: u64,
    offset: u64,
    raw: &[u8],
    inner_line: bool,
    convert: &F,
) -> Result<Record, ParseError>
where
    F: Fn(&Line<'a>) -> Result<crate::Paper, ParseError>,
{
    let location = Location::line(number, offset);
    let text = std::str::from_utf8(raw).map_err(|e| {
        ParseError::new(
            name,
            location.clone(),
            format!("invalid UTF-8 at byte {}", offset + e.valid_up_to() as u64),
        )
    })?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let msg = full.rfind(" at line ").map_or(full.as_str(), |i| &full[..i]);
        let at = if inner_line {
            format!("line {} column {}", e.line(), e.column())
        } else {
            format!("column {}", e.column())
        };
        ParseError::new(name, location.clone(), format!("invalid JSON at {at}: {msg}"))
    })?;
    let Value::Object(object) = value else {
        return Err(ParseError::new(
            name,
            location,
            format!("expected a JSON object, found {}", kind(&value)),
        ));
    };
    let line = Line {
        name,
        number,
        offset,
        object,
    };
    let paper = convert(&line)?;
    Ok(Record { paper, location })
}

/// Non-blank lines of a byte buffer: (1-based number, start offset, content without line end).
struct RawLines<'a> {
    bytes: &'a [u8],
    pos: usize,
    number: u64,
}

impl<'a> Iterator for RawLines<'a> {
    type Item = (u64, u64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let rest = self.bytes.get(start..).unwrap_or_default();
            let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            self.pos = start + len + 1;
            self.number += 1;
            let mut line = rest.get(..len).unwrap_or_default();
            if start == 0 {
                line = line.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(line);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some((self.number, start as u64, line));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_blanks_and_count_from_one() {
        let lines: Vec<_> = RawLines {
            bytes: b"a\n\n  \r\nb\r\nc",
            pos: 0,
            number: 0,
        }
        .collect();
        assert_eq!(lines, vec![(1, 0, &b"a"[..]), (4, 7, &b"b\r"[..]), (5, 10, &b"c"[..])]);
    }
}
