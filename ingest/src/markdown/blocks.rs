//! The body cut into blocks: ATX and setext headings, paragraphs, list items, quotes and table
//! rows, with code, comments, breaks and link definitions dropped.

use super::inline::inline;

/// A block of the body, inline markup already stripped.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
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
pub(super) fn blocks(lines: &[&str]) -> Vec<Block> {
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
