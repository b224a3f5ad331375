//! Text fields of requests: each check the core applies, and beside it the JSON Schema that says
//! the same thing (for the OpenAPI description), so that a change to one is made to the other.
//!
//! Patterns are written for both regular-expression dialects that read them (ECMA 262 in
//! validators, Python's in test generators): explicit classes, no `\s` (whose meaning differs).

use utoipa::openapi::schema::{ObjectBuilder, Type};

use crate::common::error::{Error, Result};

/// Longest free-text field (statements, descriptions, notes, ideas), in characters.
pub const MAX_TEXT: usize = 20_000;
/// Longest agent id, in characters.
pub const MAX_AGENT: usize = 200;

/// What `str::trim` strips (Unicode White_Space), as the inside of a regular-expression class.
pub(crate) const WHITESPACE: &str = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters (`char::is_control`), as the inside of a class.
pub(crate) const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// A type that only names a schema: fields say `#[schema(value_type = Text)]` (or
/// `#[param(value_type = Option<Text>)]`) to be described by the check they pass.
macro_rules! schema_type {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema.into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use schema_type;

/// `s` without surrounding white space; refused when nothing is left.
pub fn non_blank<'a>(field: &str, s: &'a str) -> Result<&'a str> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(t)
}

schema_type!(
    /// The schema of [`non_blank`]: some character that is not white space.
    NonBlank => string()
        .description(Some("Not blank: some character that is not white space."))
        .pattern(Some(format!("[^{WHITESPACE}]")))
        .build()
);

/// Free text: [`non_blank`], at most [`MAX_TEXT`] characters as given; trimmed.
pub fn text<'a>(field: &str, s: &'a str) -> Result<&'a str> {
    let n = s.chars().count();
    if n > MAX_TEXT {
        return Err(Error::invalid(field, format!("{n} characters; at most {MAX_TEXT}")));
    }
    non_blank(field, s)
}

schema_type!(
    /// The schema of [`text`].
    Text => string()
        .description(Some(format!("Free text: not blank, at most {MAX_TEXT} characters.")))
        .pattern(Some(format!("[^{WHITESPACE}]")))
        .max_length(Some(MAX_TEXT))
        .build()
);

/// An agent id: 1 to [`MAX_AGENT`] characters, not blank, no control characters; trimmed.
pub fn agent(s: &str) -> Result<&str> {
    let t = s.trim();
    if t.is_empty() || s.chars().count() > MAX_AGENT || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            "agent",
            format!("an agent id of 1 to {MAX_AGENT} characters without control characters is required"),
        ));
    }
    Ok(t)
}

schema_type!(
    /// The schema of [`agent`].
    Agent => string()
        .description(Some(format!(
            "An agent id: not blank, at most {MAX_AGENT} characters, no control characters."
        )))
        .pattern(Some(format!("^[^{CONTROL}]*[^{CONTROL}{WHITESPACE}][^{CONTROL}]*$")))
        .max_length(Some(MAX_AGENT))
        .build()
);

/// A date (`2026-11-26`) or an RFC 3339 date-time (`2026-11-26T10:00:00.123+01:00`, zone
/// optional).
pub fn time(t: &str) -> Result<&str> {
    if is_time(t.as_bytes()) {
        Ok(t)
    } else {
        Err(Error::invalid(
            "time",
            format!("`{t}` is not an RFC 3339 date-time (2026-11-26T10:00:00Z)"),
        ))
    }
}

schema_type!(
    /// The schema of an `as_of` moment as [`crate::common::clock::AsOf::parse`] reads it: a
    /// year, a year and month, a date or an RFC 3339 date-time (the schema admits days up to 28
    /// only, a subset of what the check accepts, so that every value it admits is valid).
    AsOfMoment => string()
        .description(Some(
            "A moment: a year (2012: its end), a month (2012-06) or a date (2012-06-30: its end), or an RFC 3339 \
             date-time (2012-06-30T12:00:00Z).",
        ))
        .pattern(Some(
            r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?)?)?$",
        ))
        .build()
);

schema_type!(
    /// The schema of [`time`].
    Time => string()
        .description(Some("A date (2026-11-26) or an RFC 3339 date-time, zone optional (2026-11-26T10:00:00Z)."))
        .pattern(Some(
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
        ))
        .build()
);

/// Reads an optional count (a `k`, a `limit`) from a query string: any whole number that is not
/// negative, numbers too large for the machine taken as the largest count; fractions, negatives
/// and other text are refused.
///
/// For `#[serde(default, deserialize_with = "crate::common::fields::count")]` on an `Option<usize>`.
pub fn count<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<usize>, D::Error> {
    d.deserialize_any(CountVisitor { text: true })
}

/// [`count`] from JSON: a number, `25.0` included (JSON Schema calls it an integer); text is
/// refused.
pub fn json_count<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<usize>, D::Error> {
    d.deserialize_any(CountVisitor { text: false })
}

/// Whether digits in text are a count (in a query string everything is text).
struct CountVisitor {
    text: bool,
}

impl<'de> serde::de::Visitor<'de> for CountVisitor {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole number of at least 0")
    }

    fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
        Ok(Some(usize::try_from(v).unwrap_or(usize::MAX)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
        u64::try_from(v)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            .and_then(|v| self.visit_u64(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
        if v.fract() != 0.0 || v < 0.0 || !v.is_finite() {
            return Err(E::invalid_value(serde::de::Unexpected::Float(v), &self));
        }
        // `as` saturates: a number past the largest count is the largest count.
        Ok(Some(v as usize))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        let digits = v.strip_prefix('+').unwrap_or(v);
        if !self.text || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid_value(serde::de::Unexpected::Str(v), &self));
        }
        Ok(Some(digits.parse().unwrap_or(usize::MAX)))
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn is_time(b: &[u8]) -> bool {
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let date = b.len() >= 10 && digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10);
    if !date || b.len() == 10 {
        return date;
    }
    if !(at(10, b'T') && digits(11..13) && at(13, b':') && digits(14..16) && at(16, b':') && digits(17..19)) {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    match b.get(i) {
        None => true,
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => b.len() == i + 6 && digits(i + 1..i + 3) && at(i + 3, b':') && digits(i + 4..i + 6),
        Some(_) => false,
    }
}

/// The current time as an RFC 3339 UTC timestamp with milliseconds.
pub fn now_rfc3339() -> String {
    super::clock::Moment::now().rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_dates_or_rfc3339_date_times() {
        for ok in [
            "2026-11-26",
            "2026-11-26T10:00:00",
            "2026-11-26T10:00:00Z",
            "2026-11-26T10:00:00.123+01:00",
            "2026-11-26T10:00:00-05:30",
        ] {
            assert!(time(ok).is_ok(), "{ok}");
        }
        for bad in [
            "yesterday",
            "2026-11-26 10:00",
            "2026-11-26T10:00:00garbage",
            "2026-11-26T10:00:00.Z",
            "2026-11-26T10:00:00+0100",
            " 2026-11-26",
            "2026-11-26Z",
        ] {
            assert!(time(bad).is_err(), "{bad}");
        }
        let now = super::now_rfc3339();
        assert!(time(&now).is_ok(), "{now}");
    }

    #[test]
    fn now_is_an_rfc3339_time() {
        let now = super::now_rfc3339();
        assert!(time(&now).is_ok(), "{now}");
        assert!(now.starts_with("20"), "{now}");
    }

    #[test]
    fn agents_are_short_plain_and_not_blank() {
        assert_eq!(agent("  autoresearch-7 ").unwrap(), "autoresearch-7");
        assert!(agent(" \u{3000} ").is_err());
        assert!(agent("a\tb").is_err());
        assert!(agent(&"x".repeat(MAX_AGENT + 1)).is_err());
        assert!(agent(&"é".repeat(MAX_AGENT)).is_ok());
    }

    #[derive(Debug, serde::Deserialize)]
    struct Counted {
        #[serde(default, deserialize_with = "count")]
        k: Option<usize>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct JsonCounted {
        #[serde(default, deserialize_with = "json_count")]
        k: Option<usize>,
    }

    #[test]
    fn counts_are_whole_numbers_of_any_size() {
        let json = |s: &str| serde_json::from_str::<JsonCounted>(s).map(|c| c.k);
        assert_eq!(json(r#"{"k": 25}"#).unwrap(), Some(25));
        assert_eq!(json(r#"{"k": 25.0}"#).unwrap(), Some(25));
        assert_eq!(json(r#"{"k": null}"#).unwrap(), None);
        assert_eq!(json("{}").unwrap(), None);
        assert_eq!(json(r#"{"k": 1e300}"#).unwrap(), Some(usize::MAX));
        assert!(json(r#"{"k": 2.5}"#).is_err());
        assert!(json(r#"{"k": -1}"#).is_err());
        assert!(json(r#"{"k": "3"}"#).is_err());
        let query = |s: &str| serde_urlencoded::from_str::<Counted>(s).map(|c| c.k);
        assert_eq!(query("k=7").unwrap(), Some(7));
        assert_eq!(query("k=380563283515102789632").unwrap(), Some(usize::MAX));
        assert_eq!(query("").unwrap(), None);
        assert!(query("k=-1").is_err());
        assert!(query("k=").is_err());
        assert!(query("k=1.5").is_err());
    }

    #[test]
    fn text_counts_characters() {
        assert!(text("note", &"é".repeat(MAX_TEXT)).is_ok());
        assert!(text("note", &"e".repeat(MAX_TEXT + 1)).is_err());
        assert!(text("note", "\u{a0}\n").is_err());
    }
}
