//! Inline markup stripped to plain text: emphasis, code spans, links, images, footnote references,
//! HTML tags and entities, in linear time with a bound on nested link texts.

use crate::model::normalize_ws;

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
pub(super) fn inline(s: &str) -> String {
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
}
