//! Acronym definitions: "long short-term memory (LSTM)" and "LSTM (long short-term memory)".
//!
//! The long form is found by matching the acronym's letters from right to left against the words
//! before the parenthesis, the first letter at the start of a word (the idea of Schwartz and
//! Hearst, 2003, written anew here).

use crate::normalize::normalize_key;
use crate::text::{Sentence, Token, TokenKind};
use crate::{AcronymDef, Span};

/// True when a token looks like an acronym: 2 to 10 characters, at least two capitals (or one
/// capital and a digit), not a plain capitalised word.
pub fn is_acronym_like(word: &str) -> bool {
    let n = word.chars().count();
    if !(2..=10).contains(&n) {
        return false;
    }
    let caps = word.chars().filter(|c| c.is_uppercase()).count();
    let digits = word.chars().filter(|c| c.is_ascii_digit()).count();
    let first = word.chars().next().unwrap_or(' ');
    (caps >= 2 || (caps == 1 && digits >= 1 && first.is_uppercase())) && first.is_alphanumeric() && digits < n
}

fn letters(short: &str) -> Vec<char> {
    let mut s: Vec<char> = short.chars().filter(|c| c.is_alphanumeric()).collect();
    // plural acronyms: LSTMs, CNNs
    if s.len() > 2 && s.last() == Some(&'s') && s[..s.len() - 1].iter().all(|c| !c.is_lowercase()) {
        s.pop();
    }
    s.iter().flat_map(|c| c.to_lowercase()).collect()
}

/// Byte offset (into `long`) where the long form of `short` starts, if its letters match.
fn match_long(long: &str, short: &str) -> Option<usize> {
    let short = letters(short);
    if short.is_empty() || !short[0].is_alphanumeric() {
        return None;
    }
    let chars: Vec<(usize, char)> = long
        .char_indices()
        .map(|(i, c)| (i, c.to_lowercase().next().unwrap_or(c)))
        .collect();
    let mut l = chars.len() as isize - 1;
    let mut s = short.len() as isize - 1;
    while s >= 0 {
        let c = short[s as usize];
        loop {
            if l < 0 {
                return None;
            }
            let (_, lc) = chars[l as usize];
            let word_start = l == 0 || !chars[l as usize - 1].1.is_alphanumeric();
            if lc == c && (s > 0 || word_start) {
                break;
            }
            l -= 1;
        }
        l -= 1;
        s -= 1;
    }
    Some(chars[(l + 1) as usize].0)
}

fn word_count(s: &str) -> usize {
    s.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .count()
}

/// The acronym definitions of one sentence.
pub fn definitions(text: &str, tokens: &[Token], sentence: &Sentence) -> Vec<AcronymDef> {
    let mut out = Vec::new();
    let (first, last) = (sentence.first, sentence.last);
    let mut i = first;
    while i < last {
        if tokens[i].text(text) != "(" {
            i += 1;
            continue;
        }
        // long form (SHORT)
        if i + 2 < last && i > first && tokens[i + 1].kind != TokenKind::Punct {
            let short_tok = tokens[i + 1];
            let short = short_tok.text(text);
            let closer = tokens[i + 2].text(text);
            if is_acronym_like(short) && matches!(closer, ")" | ";" | ",") {
                let n = letters(short).len();
                let max_words = (n + 5).min(2 * n);
                // window: up to max_words word tokens before the parenthesis, not past punctuation
                let end_tok = i; // exclusive
                let mut start_tok = i;
                let mut words = 0;
                while start_tok > first && words < max_words {
                    let t = tokens[start_tok - 1];
                    if t.kind == TokenKind::Punct && !matches!(t.text(text), "-" | "/") {
                        break;
                    }
                    start_tok -= 1;
                    if t.kind != TokenKind::Punct {
                        words += 1;
                    }
                }
                if start_tok < end_tok {
                    let base = tokens[start_tok].start;
                    let long_end = tokens[end_tok - 1].end;
                    let window = &text[base..long_end];
                    if let Some(off) = match_long(window, short) {
                        let long_text = &text[base + off..long_end];
                        let wc = word_count(long_text);
                        let first_word = long_text.split_whitespace().next().unwrap_or("").to_lowercase();
                        if (wc >= 2 || n >= 3)
                            && long_text.len() > short.len()
                            && wc <= max_words
                            && !long_text.contains(short)
                            && !crate::words::is_break(&first_word)
                        {
                            out.push(AcronymDef {
                                short: Span::new(short_tok.start, short_tok.end),
                                long: Span::new(base + off, long_end),
                                short_text: short.to_string(),
                                long_text: long_text.to_string(),
                                key: normalize_key(long_text),
                            });
                            i += 3;
                            continue;
                        }
                    }
                }
            }
        }
        // SHORT (long form)
        if i > first {
            let short_tok = tokens[i - 1];
            let short = short_tok.text(text);
            if is_acronym_like(short) {
                let mut j = i + 1;
                while j < last && j < i + 12 && tokens[j].text(text) != ")" {
                    j += 1;
                }
                if j < last && j > i + 2 && tokens[j].text(text) == ")" {
                    let inner = &text[tokens[i + 1].start..tokens[j - 1].end];
                    if match_long(inner, short) == Some(0) && word_count(inner) >= 2 {
                        out.push(AcronymDef {
                            short: Span::new(short_tok.start, short_tok.end),
                            long: Span::new(tokens[i + 1].start, tokens[j - 1].end),
                            short_text: short.to_string(),
                            long_text: inner.to_string(),
                            key: normalize_key(inner),
                        });
                        i = j + 1;
                        continue;
                    }
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{sentences, tokenize};

    fn defs(text: &str) -> Vec<(String, String)> {
        let toks = tokenize(text);
        sentences(text, &toks)
            .iter()
            .flat_map(|s| definitions(text, &toks, s))
            .map(|d| (d.short_text, d.long_text))
            .collect()
    }

    #[test]
    fn finds_long_forms() {
        assert_eq!(
            defs("We train a long short-term memory (LSTM) network."),
            vec![("LSTM".into(), "long short-term memory".into())]
        );
        assert_eq!(
            defs("A line scan diffusion-weighted magnetic resonance imaging (MRI) sequence was used."),
            vec![("MRI".into(), "magnetic resonance imaging".into())]
        );
        assert_eq!(
            defs("Conditional random fields (CRFs; Lafferty et al.) and HMMs (hidden Markov models) work."),
            vec![
                ("CRFs".into(), "Conditional random fields".into()),
                ("HMMs".into(), "hidden Markov models".into())
            ]
        );
        assert!(defs("The results (Table 2) were good (p < 0.05).").is_empty());
        assert!(defs("We used the model (BERT) here.").is_empty());
        assert!(defs("Here we use chromosome conformation capture (Hi-C).").is_empty());
        assert!(defs("The number of cells (CE) grew.").is_empty());
    }
}
