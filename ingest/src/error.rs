//! Parse errors that say what went wrong and where.

use std::fmt;

/// Where in a source something was found: a 1-based line, a byte offset, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// 1-based line number, for line-oriented formats.
    pub line: Option<u64>,
    /// Byte offset from the start of the source.
    pub byte: Option<u64>,
}

impl Location {
    /// A location given by line number and the byte offset where that line starts.
    pub fn line(line: u64, byte: u64) -> Self {
        Location {
            line: Some(line),
            byte: Some(byte),
        }
    }

    /// A location given by byte offset only.
    pub fn byte(byte: u64) -> Self {
        Location {
            line: None,
            byte: Some(byte),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.byte) {
            (Some(l), Some(b)) => write!(f, "line {l} (byte {b})"),
            (Some(l), None) => write!(f, "line {l}"),
            (None, Some(b)) => write!(f, "byte {b}"),
            (None, None) => write!(f, "unknown position"),
        }
    }
}

/// A record that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{source_name}: {location}{}: {message}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct ParseError {
    /// The source's name, usually its path.
    pub source_name: String,
    /// Where the bad record or value is.
    pub location: Location,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong, lower-case, no final period.
    pub message: String,
}

impl ParseError {
    /// An error at `location` of `source_name`.
    pub fn new(source_name: &str, location: Location, message: impl Into<String>) -> Self {
        ParseError {
            source_name: source_name.to_string(),
            location,
            field: None,
            message: message.into(),
        }
    }

    /// The same error, naming the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}
