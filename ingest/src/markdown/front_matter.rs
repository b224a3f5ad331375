//! Front matter: the subset of YAML between `---` lines (`key: value`, flow and block lists,
//! block scalars, indented continuations) read into keys and values with their lines.

use crate::error::{Location, ParseError};
use crate::model::normalize_ws;

/// A front-matter value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    pub(super) fn text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::List(items) => items.join(", "),
        }
    }
}

/// The front matter's keys (lower case) and values, with the line each key stands on.
pub(super) type FrontMatter = Vec<(String, Value, u64)>;

/// The front matter of `lines`, and the index of the first line after it.
pub(super) fn front_matter(
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
