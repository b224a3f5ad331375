//! Request bodies: their media type, and reading them under a size limit with a JSON 413.

use actix_web::http::header;
use actix_web::{web, HttpRequest};

use super::ApiError;
use crate::common::error::{Error, UserError};

/// The request's media type, lower-case, without parameters (empty when absent).
pub fn media_type(req: &HttpRequest) -> String {
    content_type(req).map(value_of).unwrap_or_default()
}

/// A parameter of the request's Content-Type (`boundary` of `multipart/form-data; boundary=x`),
/// unquoted.
pub fn media_param(req: &HttpRequest, name: &str) -> Option<String> {
    param_of(content_type(req)?, name)
}

fn content_type(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::CONTENT_TYPE)?.to_str().ok()
}

/// The value of a header with parameters (`text/turtle; charset=utf-8`), lower-case, without
/// them.
fn value_of(header: &str) -> String {
    header.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// A parameter of such a header (`charset`), unquoted; names are case-insensitive.
fn param_of(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Reads the whole body, refusing with 413 once it passes `limit` bytes.
pub async fn read(payload: web::Payload, limit: usize, what: &str) -> Result<web::Bytes, ApiError> {
    let too_large = || {
        ApiError(Error::from(UserError::PayloadTooLarge(format!(
            "{what} may be at most {limit} bytes"
        ))))
    };
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(ApiError(Error::invalid(
            "body",
            format!("reading the body failed: {e}"),
        ))),
        Err(_) => Err(too_large()),
    }
}

/// A request body written to a private temporary file.
pub struct Upload {
    /// The file (removed when dropped).
    pub file: tempfile::NamedTempFile,
    /// Its length in bytes.
    pub len: u64,
}

/// Streams the body into a new temporary file in `dir`, refusing (413) past `limit` bytes: an
/// upload never sits in memory whole.
pub async fn to_file(
    mut payload: web::Payload,
    dir: &std::path::Path,
    limit: usize,
    what: &str,
) -> Result<Upload, ApiError> {
    use futures_util::StreamExt;
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(|e| ApiError(Error::io(dir, e)))?;
    let mut file = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(dir)
        .map_err(|e| ApiError(Error::io(dir, e)))?;
    let mut len = 0u64;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError(Error::invalid("body", format!("reading the body failed: {e}"))))?;
        len += chunk.len() as u64;
        if len > limit as u64 {
            return Err(ApiError(Error::from(UserError::PayloadTooLarge(format!(
                "{what} may be at most {limit} bytes"
            )))));
        }
        // Small writes to a local file; the executor tolerates them as it does logging.
        file.write_all(&chunk)
            .map_err(|e| ApiError(Error::io(file.path(), e)))?;
    }
    file.flush().map_err(|e| ApiError(Error::io(file.path(), e)))?;
    Ok(Upload { file, len })
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, PartialEq)]
pub struct Part<'a> {
    /// How errors name it: its file name, else its field name, else `part N`.
    pub name: String,
    /// Its media type, lower-case, without parameters (empty when it has none).
    pub media_type: String,
    /// Its content.
    pub body: &'a [u8],
}

/// The parts of a `multipart/form-data` body (RFC 7578, with RFC 2046's framing): a preamble,
/// then parts each opened by `--boundary` and a line of headers, and `--boundary--` at the end.
pub fn multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, Error> {
    let bad = |m: String| Error::invalid("body", format!("multipart/form-data: {m}"));
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(bad("the Content-Type needs a boundary of 1 to 70 characters".into()));
    }
    let open = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    // The first delimiter may open the body, or follow a preamble.
    let mut at = if body.starts_with(open.as_bytes()) {
        open.len()
    } else {
        find(body, delimiter.as_bytes())
            .map(|i| i + delimiter.len())
            .ok_or_else(|| bad(format!("no `{open}` line")))?
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break that ends the delimiter line.
        let line_end = find(rest, b"\r\n").ok_or_else(|| bad(format!("part {}: no headers", parts.len() + 1)))?;
        if rest[..line_end].iter().any(|b| !matches!(b, b' ' | b'\t')) {
            return Err(bad(format!("part {}: text after the boundary", parts.len() + 1)));
        }
        let start = at + line_end + 2;
        let part = &body[start..];
        let (headers, offset) = if part.starts_with(b"\r\n") {
            ("", 2)
        } else {
            let end = find(part, b"\r\n\r\n")
                .ok_or_else(|| bad(format!("part {}: its headers do not end", parts.len() + 1)))?;
            let headers = std::str::from_utf8(&part[..end])
                .map_err(|_| bad(format!("part {}: headers are not UTF-8", parts.len() + 1)))?;
            (headers, end + 4)
        };
        let content = &part[offset..];
        let len = find(content, delimiter.as_bytes()).ok_or_else(|| {
            bad(format!(
                "part {}: the body ends before the closing `{open}--`",
                parts.len() + 1
            ))
        })?;
        let (mut name, mut media_type) = (None, String::new());
        for line in headers.split("\r\n").filter(|l| !l.is_empty()) {
            let Some((k, v)) = line.split_once(':') else {
                return Err(bad(format!("part {}: `{line}` is not a header", parts.len() + 1)));
            };
            let k = k.trim();
            if k.eq_ignore_ascii_case("content-type") {
                media_type = value_of(v);
            } else if k.eq_ignore_ascii_case("content-disposition") {
                name = param_of(v, "filename").or_else(|| param_of(v, "name"));
            }
        }
        parts.push(Part {
            name: name.unwrap_or_else(|| format!("part {}", parts.len() + 1)),
            media_type,
            body: &content[..len],
        });
        at = start + offset + len + delimiter.len();
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_split_into_their_parts() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.ttl\"\r\n\
            Content-Type: text/turtle; charset=utf-8\r\n\r\n<s> <p> <o> .\r\n\r\n--XyZ \r\n\r\n\
            no headers\r\n--XyZ--\r\nepilogue";
        let parts = multipart(body, "XyZ").unwrap();
        assert_eq!(
            parts,
            vec![
                Part {
                    name: "a.ttl".into(),
                    media_type: "text/turtle".into(),
                    body: b"<s> <p> <o> .\r\n",
                },
                Part {
                    name: "part 2".into(),
                    media_type: String::new(),
                    body: b"no headers",
                },
            ]
        );
        assert!(multipart(b"--b\r\n\r\nx\r\n--b--", "b").unwrap()[0].body == b"x");
        for (broken, says) in [
            (&b"--b\r\n\r\nunterminated"[..], "closing"),
            (b"nothing here", "no `--b` line"),
            (b"--bx\r\n\r\nx\r\n--b--", "text after the boundary"),
            (b"--b\r\nContent-Type text/turtle\r\n\r\nx\r\n--b--", "is not a header"),
        ] {
            let e = multipart(broken, "b").unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
        assert!(multipart(b"", "").is_err());
    }
}
