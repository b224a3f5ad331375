//! Tokens and sentences with byte offsets into the original text.
//!
//! Every offset produced here lies on a `char` boundary of the input, so that spans built from
//! tokens are always valid `&text[start..end]` slices.

use crate::Span;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters (and digits, hyphens, apostrophes or dots inside), starting with a letter.
    Word,
    /// Starts with a digit: `92.3`, `1,000`, `2014`, `3D`.
    Number,
    /// One punctuation or symbol character.
    Punct,
}

/// A token: a byte range of the text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Kind.
    pub kind: TokenKind,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | '.' | '/' | '‐' | '‑' | '_' | '+')
}

/// Splits `text` into words, numbers and single punctuation characters. Whitespace separates
/// tokens and belongs to none. A joiner (`-`, `'`, `.`, `/`, `_`, `+`) stays inside a word or
/// number when an alphanumeric character follows it (`short-term`, `e.g`, `0.87`, `C++` is `C`,
/// `+`, `+`).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_alphanumeric() {
            let kind = if c.is_ascii_digit() {
                TokenKind::Number
            } else {
                TokenKind::Word
            };
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if d.is_alphanumeric() {
                    end = j + d.len_utf8();
                    it.next();
                    continue;
                }
                if is_joiner(d) {
                    // look one further: keep the joiner only when an alphanumeric follows
                    let after = text[j + d.len_utf8()..].chars().next();
                    let keep = match after {
                        Some(a) => {
                            a.is_alphanumeric()
                                && !(d == '.' && kind == TokenKind::Word && a.is_uppercase() && end - i > 3)
                        }
                        None => false,
                    };
                    if keep {
                        it.next();
                        end = j + d.len_utf8();
                        continue;
                    }
                }
                if d == ',' && kind == TokenKind::Number {
                    // thousands separator: 1,000
                    let rest = &text[j + 1..];
                    let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
                    if digits == 3 && !rest[3..].starts_with(|x: char| x.is_ascii_digit()) {
                        it.next();
                        end = j + 1;
                        continue;
                    }
                }
                break;
            }
            out.push(Token { start: i, end, kind });
        } else {
            out.push(Token {
                start: i,
                end: i + c.len_utf8(),
                kind: TokenKind::Punct,
            });
        }
    }
    out
}

/// Lower-case words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "al", "fig", "figs", "eq", "eqs", "vs", "cf", "dr", "mr", "mrs", "ms", "prof", "no", "nos", "approx",
    "ref", "refs", "sec", "sect", "tab", "resp", "viz", "ca", "st", "jr", "inc", "ltd", "vol", "pp", "ch", "e.g.,",
    "et", "esp", "incl", "min", "max", "avg", "dept", "univ", "u.s", "u.k", "n.b", "p", "var",
];

fn is_abbreviation(word: &str) -> bool {
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // initials: "J." in "J. Smith"
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// A sentence: its span and the range of its tokens in the token list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    /// Bytes of the sentence, from its first token's start to its last token's end.
    pub span: Span,
    /// Index of its first token.
    pub first: usize,
    /// One past the index of its last token.
    pub last: usize,
}

fn starts_sentence(text: &str, tok: &Token) -> bool {
    let c = text[tok.start..].chars().next().unwrap_or(' ');
    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '(' | '[' | '"' | '“' | '\'' | '‘')
}

/// Splits a token list into sentences. A sentence ends after `.`, `!` or `?` (and any closing
/// quotes or brackets right after it) when the next token starts like a sentence, unless the full
/// stop follows an abbreviation (e.g., i.e., et al., Fig., initials). A blank line always ends one.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut i = 0;
    let n = tokens.len();
    let push = |out: &mut Vec<Sentence>, first: usize, last: usize| {
        if last > first {
            out.push(Sentence {
                span: Span::new(tokens[first].start, tokens[last - 1].end),
                first,
                last,
            });
        }
    };
    while i < n {
        let t = tokens[i];
        // blank line between this token and the next
        if i + 1 < n && text[t.end..tokens[i + 1].start].matches('\n').count() >= 2 {
            push(&mut out, first, i + 1);
            first = i + 1;
            i += 1;
            continue;
        }
        if t.kind == TokenKind::Punct {
            let ch = t.text(text);
            if ch == "." || ch == "!" || ch == "?" {
                let mut j = i + 1;
                while j < n && matches!(tokens[j].text(text), ")" | "]" | "\"" | "”" | "’" | "'") {
                    j += 1;
                }
                let abbrev = ch == "."
                    && i > first
                    && tokens[i - 1].end == t.start
                    && tokens[i - 1].kind == TokenKind::Word
                    && is_abbreviation(tokens[i - 1].text(text));
                let etc_end = i > first && tokens[i - 1].text(text).eq_ignore_ascii_case("etc");
                if j >= n {
                    i = j;
                    continue;
                }
                let gap_ok = tokens[j - 1].end < tokens[j].start;
                if gap_ok && starts_sentence(text, &tokens[j]) && (!abbrev || etc_end) {
                    push(&mut out, first, j);
                    first = j;
                    i = j;
                    continue;
                }
            }
        }
        i += 1;
    }
    push(&mut out, first, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn tokens_keep_hyphens_decimals_and_abbreviations() {
        assert_eq!(
            words("long short-term memory (LSTM) gets 92.3% on 1,000 e.g. cases."),
            vec![
                "long",
                "short-term",
                "memory",
                "(",
                "LSTM",
                ")",
                "gets",
                "92.3",
                "%",
                "on",
                "1,000",
                "e.g",
                ".",
                "cases",
                "."
            ]
        );
        assert_eq!(words("F1=0.87, BLEU-4"), vec!["F1", "=", "0.87", ",", "BLEU-4"]);
    }

    #[test]
    fn sentences_respect_abbreviations() {
        let text = "We use CRFs, e.g. linear-chain ones (Lafferty et al. 2001). Accuracy is 92.3%. \
                    See Fig. 2 for details! Then J. Smith came.\n\nNew paragraph without stop";
        let toks = tokenize(text);
        let s: Vec<&str> = sentences(text, &toks)
            .iter()
            .map(|s| &text[s.span.start..s.span.end])
            .collect();
        assert_eq!(
            s,
            vec![
                "We use CRFs, e.g. linear-chain ones (Lafferty et al. 2001).",
                "Accuracy is 92.3%.",
                "See Fig. 2 for details!",
                "Then J. Smith came.",
                "New paragraph without stop"
            ]
        );
    }

    #[test]
    fn multibyte_text_is_safe() {
        let text = "Der Übergang — naïve Bayes’ rule… ok. Ünïcödé starts here.";
        let toks = tokenize(text);
        for t in &toks {
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
        assert_eq!(sentences(text, &toks).len(), 2);
    }
}
