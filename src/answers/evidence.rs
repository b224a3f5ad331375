//! Sentence-level evidence: which one to three consecutive sentences of a passage answer a
//! question, and which text may never be quoted as evidence.
//!
//! A passage is ~160 words; an answer engine wants the sentence that answers. Each sentence of
//! a retrieved passage is scored against the question by the model's sentence vectors (cosine)
//! plus the share of the question's content words it contains ([`relevance`]); the best
//! sentence is the quote, widened by a neighbouring sentence that scores nearly as well (up to
//! [`MAX_SENTENCES`]), so that the quote reads on its own and stays one verifiable span.
//!
//! Refused as evidence: titles (a paper is not evidence of itself), sentences shorter than
//! [`MIN_WORDS`] words, passages of reference-list sections and sentences that look like a
//! bibliography entry ([`looks_like_reference`]).

use hypatia_extract::text::{sentences, tokenize, TokenKind};

/// Most sentences in one quote.
pub const MAX_SENTENCES: usize = 3;
/// Fewest words a quotable sentence has ("Results were mixed." is not evidence).
pub const MIN_WORDS: usize = 6;
/// A neighbour joins the quote when it scores at least this share of the best sentence.
pub const WIDEN_RATIO: f32 = 0.9;
/// Weight of the question-word overlap beside the cosine in [`relevance`].
pub const OVERLAP_WEIGHT: f32 = 0.3;

/// A sentence of a passage: byte range in the passage text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Words in it.
    pub words: usize,
}

/// The quotable sentences of a passage text, in order: every sentence the segmenter finds that
/// has at least [`MIN_WORDS`] words and is not a bibliography entry.
pub fn quotable_sentences(text: &str) -> Vec<SentenceSpan> {
    let tokens = tokenize(text);
    sentences(text, &tokens)
        .into_iter()
        .map(|s| SentenceSpan {
            start: s.span.start,
            end: s.span.end,
            words: tokens[s.first..s.last]
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .count(),
        })
        .filter(|s| s.words >= MIN_WORDS && !looks_like_reference(&text[s.start..s.end]))
        .collect()
}

/// Whether a section label names a reference list, whose text is never evidence.
pub fn is_reference_section(label: &str) -> bool {
    let l = label.trim().to_lowercase();
    let l = l.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    [
        "references",
        "bibliography",
        "literature cited",
        "works cited",
        "reference list",
        "cited literature",
    ]
    .iter()
    .any(|r| l.starts_with(r))
}

/// Whether a sentence reads like a bibliography entry rather than prose: a year, and at least
/// two of: a leading `[n]`/`n.` marker, "et al.", a volume(issue) or page range, a DOI, three or
/// more commas among few words, several initials ("Smith J, Doe A").
pub fn looks_like_reference(s: &str) -> bool {
    let has_year = s
        .as_bytes()
        .windows(4)
        .any(|w| (w.starts_with(b"19") || w.starts_with(b"20")) && w.iter().all(u8::is_ascii_digit));
    if !has_year {
        return false;
    }
    let t = s.trim_start();
    let leading_marker = t.starts_with('[') && t[1..].chars().take_while(char::is_ascii_digit).count() > 0
        || t.chars().take_while(char::is_ascii_digit).count() > 0
            && t.chars().find(|c| !c.is_ascii_digit()) == Some('.');
    let lower = s.to_lowercase();
    let et_al = lower.contains("et al");
    let doi = lower.contains("doi:") || lower.contains("doi.org") || lower.contains("10.1");
    let bytes = s.as_bytes();
    let volume_pages = bytes
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'(' && w[2].is_ascii_digit())
        || bytes
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && (w[1] == b'-') && w[2].is_ascii_digit())
            && (s.contains(':') || s.contains("pp"));
    let words = s.split_whitespace().count().max(1);
    let commas = s.matches(',').count();
    let comma_dense = commas >= 3 && words / commas <= 4;
    let initials = s
        .split_whitespace()
        .filter(|w| {
            let w = w.trim_end_matches([',', '.', ';']);
            (1..=2).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase())
        })
        .count()
        >= 2;
    [leading_marker, et_al, doi, volume_pages, comma_dense, initials]
        .iter()
        .filter(|b| **b)
        .count()
        >= 2
}

/// The question's content words, lower-cased, without function words and question scaffolding.
pub fn content_words(question: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tokenize(question) {
        if t.kind == TokenKind::Punct {
            continue;
        }
        let w = t.text(question).to_lowercase();
        if w.chars().count() < 2 || is_function_word(&w) || hypatia_extract::is_negation(&w) || out.contains(&w) {
            continue;
        }
        out.push(w);
    }
    out
}

fn is_function_word(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "of"
            | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "by"
            | "with"
            | "from"
            | "and"
            | "or"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "being"
            | "do"
            | "does"
            | "did"
            | "has"
            | "have"
            | "had"
            | "can"
            | "could"
            | "will"
            | "would"
            | "should"
            | "may"
            | "might"
            | "what"
            | "which"
            | "who"
            | "whom"
            | "whose"
            | "how"
            | "why"
            | "when"
            | "where"
            | "whether"
            | "that"
            | "this"
            | "these"
            | "those"
            | "it"
            | "its"
            | "as"
            | "than"
            | "there"
            | "their"
            | "into"
            | "about"
            | "any"
            | "some"
    )
}

/// Whether two lower-cased words are forms of one word: equal, or sharing a stem of at least
/// five letters ("reduces", "reduced", "reduction").
pub fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    common >= 5 && common + 4 >= a.chars().count().max(b.chars().count())
}

/// Share of `terms` (a question's content words) that occur in `sentence`, in any form.
pub fn overlap(terms: &[String], sentence: &str) -> f32 {
    if terms.is_empty() {
        return 0.0;
    }
    let words: Vec<String> = tokenize(sentence)
        .iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| t.text(sentence).to_lowercase())
        .collect();
    let hit = terms.iter().filter(|q| words.iter().any(|w| same_word(q, w))).count();
    hit as f32 / terms.len() as f32
}

/// How well a sentence answers the question: the cosine of their vectors (when a model is
/// loaded) plus [`OVERLAP_WEIGHT`] times the question-word overlap.
pub fn relevance(cosine: Option<f32>, overlap: f32) -> f32 {
    cosine.unwrap_or(0.0) + OVERLAP_WEIGHT * overlap
}

/// The best quote among scored sentences (in text order): the index range `[first, last)` of
/// the best sentence widened by neighbours that score at least [`WIDEN_RATIO`] of it, at most
/// [`MAX_SENTENCES`]. `None` when there is no sentence.
pub fn best_run(scores: &[f32]) -> Option<(usize, usize)> {
    let best = (0..scores.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))?;
    let (mut first, mut last) = (best, best + 1);
    let bar = scores[best] * WIDEN_RATIO;
    while last - first < MAX_SENTENCES {
        let left = first.checked_sub(1).map(|i| scores[i]).filter(|s| *s >= bar);
        let right = scores.get(last).copied().filter(|s| *s >= bar);
        match (left, right) {
            (Some(l), Some(r)) if l >= r => first -= 1,
            (_, Some(_)) => last += 1,
            (Some(_), None) => first -= 1,
            (None, None) => break,
        }
    }
    Some((first, last))
}

/// Cosine of two vectors (the model's are unit length, but nothing here relies on it).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_told_from_prose() {
        for r in [
            "[12] Smith J, Doe A. Vitamin D and fractures. N Engl J Med. 2003;348(9):1-8.",
            "3. Jones, K., Lee, M., Park, S. (2010). Deep nets. Proc. ACL, pp. 100-110.",
            "Smith et al. Vitamin D in the elderly. Lancet 2001; 357(9): 1200-1205. doi:10.1016/x",
        ] {
            assert!(looks_like_reference(r), "{r}");
        }
        for p in [
            "In 2003, we found that vitamin D supplementation reduced the risk of hip fracture by 20%.",
            "Smith et al. (2010) reported a similar effect in a cohort of 1,200 women.",
            "Patients (n = 120) were randomised, and outcomes were assessed at 12, 24 and 36 months.",
        ] {
            assert!(!looks_like_reference(p), "{p}");
        }
        assert!(is_reference_section("References"));
        assert!(is_reference_section("7. Bibliography"));
        assert!(!is_reference_section("Results"));
    }

    #[test]
    fn short_sentences_and_entries_are_not_quotable() {
        let text = "Results were mixed. Vitamin D supplementation reduced fracture risk in older women. \
                    [3] Smith J, Doe A. Title. Lancet 2001;357(9):1-2.";
        let s = quotable_sentences(text);
        assert_eq!(s.len(), 1);
        assert_eq!(
            &text[s[0].start..s[0].end],
            "Vitamin D supplementation reduced fracture risk in older women."
        );
    }

    #[test]
    fn the_run_widens_only_to_close_neighbours() {
        assert_eq!(best_run(&[]), None);
        assert_eq!(best_run(&[0.1, 0.9, 0.2]), Some((1, 2)));
        assert_eq!(best_run(&[0.1, 0.9, 0.85, 0.84, 0.83]), Some((1, 4)));
        assert_eq!(best_run(&[0.85, 0.9, 0.1]), Some((0, 2)));
    }

    #[test]
    fn word_forms_match_by_stem() {
        assert!(same_word("reduces", "reduction"));
        assert!(same_word("fracture", "fractures"));
        assert!(!same_word("cell", "cellular"));
        assert!(!same_word("vitamin", "vital"));
        let terms = content_words("Does vitamin D supplementation reduce fracture risk?");
        assert_eq!(terms, ["vitamin", "supplementation", "reduce", "fracture", "risk"]);
        assert!((overlap(&terms, "Supplementation lowered the risk of fractures.") - 0.6).abs() < 1e-6);
    }
}
