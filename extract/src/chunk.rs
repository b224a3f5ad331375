//! Noun-phrase chunks without a tagger: maximal runs of content words, cut at function words,
//! common verbs, adverbs, punctuation and numbers, with a few shape rules for verbs.

use crate::text::{Sentence, Token, TokenKind};
use crate::words;

/// A chunk: tokens `first..last` of the token list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// First token.
    pub first: usize,
    /// One past the last token.
    pub last: usize,
}

const PREPOSITIONS: &[&str] = &[
    "by", "on", "in", "to", "for", "with", "from", "as", "into", "at", "that", "using", "via", "through", "over",
    "under", "than", "without", "upon",
];

const NOT_ADVERBS: &[&str] = &[
    "family", "supply", "anomaly", "assembly", "poly", "italy", "monopoly", "reply", "only",
];

/// Lower case of a token's text (ASCII fast path).
pub fn lower(text: &str, t: &Token) -> String {
    t.text(text).to_lowercase()
}

fn is_content(text: &str, tokens: &[Token], i: usize, lowers: &[String]) -> bool {
    let t = &tokens[i];
    if t.kind != TokenKind::Word {
        return false;
    }
    let w = lowers[i].as_str();
    if words::is_break(w) {
        return false;
    }
    let raw = t.text(text);
    if w.len() > 4 && w.ends_with("ly") && !NOT_ADVERBS.contains(&w) {
        return false;
    }
    let next = lowers.get(i + 1).map(|s| s.as_str()).unwrap_or("");
    let prev = if i > 0 { lowers[i - 1].as_str() } else { "" };
    let capital = raw.starts_with(|c: char| c.is_uppercase());
    // a lower-case word right before a determiner is a verb: "gives the", "outperforms all"
    if !capital && words::is_determiner(next) && !w.ends_with("ing") {
        return false;
    }
    if w.ends_with("ed") && w.len() > 4 && (words::is_auxiliary(prev) || PREPOSITIONS.contains(&next)) {
        return false;
    }
    true
}

/// The chunks of a sentence.
pub fn chunks(text: &str, tokens: &[Token], sentence: &Sentence, lowers: &[String], out: &mut Vec<Chunk>) {
    let mut i = sentence.first;
    while i < sentence.last {
        if !is_content(text, tokens, i, lowers) {
            i += 1;
            continue;
        }
        let first = i;
        while i < sentence.last && is_content(text, tokens, i, lowers) {
            i += 1;
        }
        let mut first = first;
        // a leading number word counts, it does not name ("two models", "three datasets")
        while first + 1 < i && words::is_number_word(&lowers[first]) {
            first += 1;
        }
        let mut last = i;
        // a trailing participle is a verb ("the models trained")
        while last > first {
            let w = lowers[last - 1].as_str();
            if (w.ends_with("ed") && w.len() > 4 && last - first > 1) || w.len() == 1 && last - first > 1 {
                last -= 1;
            } else {
                break;
            }
        }
        if last > first {
            out.push(Chunk { first, last });
        }
    }
}

/// Lower-cased token texts for a whole token list (index-aligned).
pub fn lowers(text: &str, tokens: &[Token]) -> Vec<String> {
    tokens.iter().map(|t| lower(text, t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{sentences, tokenize};

    fn chunk_texts(text: &str) -> Vec<String> {
        let toks = tokenize(text);
        let lw = lowers(text, &toks);
        let mut out = Vec::new();
        for s in sentences(text, &toks) {
            chunks(text, &toks, &s, &lw, &mut out);
        }
        out.iter()
            .map(|c| text[toks[c.first].start..toks[c.last - 1].end].to_string())
            .collect()
    }

    #[test]
    fn chunks_are_noun_phrases() {
        assert_eq!(
            chunk_texts("This paper presents an algorithm for computing optical flow from an image sequence."),
            vec!["algorithm", "computing optical flow", "image sequence"]
        );
        assert_eq!(
            chunk_texts("The proposed model outperforms all baselines on the Penn Treebank."),
            vec!["model", "baselines", "Penn Treebank"]
        );
        assert_eq!(
            chunk_texts("Models trained on labeled data generalize poorly."),
            vec!["Models", "labeled data generalize"]
        );
    }
}
