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

/// True when the character at `l` starts a part of a word: the start of a word, after a hyphen
/// or a slash, a capital after a lower-case letter ("FreeSurfer"), a digit after a letter.
fn part_start(chars: &[(usize, char, bool)], l: usize) -> bool {
    if l == 0 || !chars[l - 1].1.is_alphanumeric() {
        return true;
    }
    let (_, prev, prev_upper) = chars[l - 1];
    let (_, c, upper) = chars[l];
    (upper && !prev_upper && prev.is_alphabetic()) || (c.is_ascii_digit() && prev.is_alphabetic())
}

/// Byte offset (into `long`) where the long form of `short` starts, if its letters match, with
/// the number of short-form letters that matched the start of a word or of a part of one ("long
/// short-term memory": l, s, t, m all do).
fn match_long_initials(long: &str, short: &str) -> Option<(usize, usize)> {
    let short = letters(short);
    if short.is_empty() || !short[0].is_alphanumeric() {
        return None;
    }
    let chars: Vec<(usize, char, bool)> = long
        .char_indices()
        .map(|(i, c)| (i, c.to_lowercase().next().unwrap_or(c), c.is_uppercase()))
        .collect();
    let mut l = chars.len() as isize - 1;
    let mut s = short.len() as isize - 1;
    let mut initials = 0;
    while s >= 0 {
        let c = short[s as usize];
        loop {
            if l < 0 {
                return None;
            }
            let (_, lc, _) = chars[l as usize];
            let word_start = l == 0 || !chars[l as usize - 1].1.is_alphanumeric();
            if lc == c && (s > 0 || word_start) {
                break;
            }
            l -= 1;
        }
        if part_start(&chars, l as usize) {
            initials += 1;
        }
        l -= 1;
        s -= 1;
    }
    Some((chars[(l + 1) as usize].0, initials))
}

/// True when a match of `n` short-form letters, `initials` of them on word or part starts, makes
/// an acronym: at least half of the letters (and two, when there are more than two) are initials.
/// "Eurotra (EUROTRA)" or "parallel parsing system (PLR)" are not acronyms.
fn initials_enough(initials: usize, n: usize) -> bool {
    initials * 2 >= n && (initials >= 2 || n <= 2)
}

/// True when `long` is `short` again, whatever the case and punctuation: "Eurotra" and "EUROTRA".
fn case_variant(long: &str, short: &str) -> bool {
    let a = long
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase);
    let b = short
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase);
    a.eq(b)
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
                    // the long form ends right before the parenthesis, or one word earlier when
                    // that word is not part of it ("named entity recognition problems (NER)")
                    let mut found = None;
                    for drop in 0..2 {
                        if end_tok < start_tok + 1 + drop {
                            break;
                        }
                        let last_tok = end_tok - 1 - drop;
                        if tokens[last_tok].kind == TokenKind::Punct {
                            break;
                        }
                        let long_end = tokens[last_tok].end;
                        if let Some((off, initials)) = match_long_initials(&text[base..long_end], short) {
                            if initials_enough(initials, n) {
                                found = Some((off, long_end, initials));
                                break;
                            }
                        }
                    }
                    if let Some((off, long_end, initials)) = found {
                        let long_text = &text[base + off..long_end];
                        let wc = word_count(long_text);
                        let first_word = long_text.split_whitespace().next().unwrap_or("").to_lowercase();
                        if (wc >= 2 || n >= 3 || initials == n)
                            && long_text.len() > short.len()
                            && wc <= max_words
                            && !long_text.contains(short)
                            && !case_variant(long_text, short)
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
                    let n = letters(short).len();
                    if match_long_initials(inner, short).is_some_and(|(off, k)| off == 0 && initials_enough(k, n))
                        && word_count(inner) >= 2
                        && !case_variant(inner, short)
                    {
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
        // a case variant is not an acronym, nor letters found inside words
        assert!(defs("The Eurotra (EUROTRA) project.").is_empty());
        assert!(defs("It runs a parallel parsing system (PLR) here.").is_empty());
        assert_eq!(
            defs("We use bidirectional encoder representations from transformers (BERT) here."),
            vec![(
                "BERT".into(),
                "bidirectional encoder representations from transformers".into()
            )]
        );
        assert_eq!(
            defs("Agreement was shown in Bland-Altman (BA) plots."),
            vec![("BA".into(), "Bland-Altman".into())]
        );
        assert_eq!(
            defs("Segmentation used FreeSurfer (FS) throughout."),
            vec![("FS".into(), "FreeSurfer".into())]
        );
        assert_eq!(
            defs("Systems for named entity recognition problems (NER) exist."),
            vec![("NER".into(), "named entity recognition".into())]
        );
        assert_eq!(
            defs("Cells made interleukin 13 (IL-13) and TH2 (T helper type 2) cytokines."),
            vec![
                ("IL-13".into(), "interleukin 13".into()),
                ("TH2".into(), "T helper type 2".into())
            ]
        );
    }
}
