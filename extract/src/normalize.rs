//! Concept keys: one string per concept, whatever the case, number or hyphenation of a mention.

/// Prefixes written solid, hyphenated or spaced ("pre-training", "pretraining", "pre training").
const PREFIXES: &[&str] = &[
    "pre", "post", "non", "co", "re", "sub", "semi", "multi", "un", "cross", "self", "bi", "inter", "intra", "meta",
    "micro", "macro", "mini", "hyper", "over", "under", "anti", "auto", "de", "mis",
];

const IRREGULAR: &[(&str, &str)] = &[
    ("corpora", "corpus"),
    ("criteria", "criterion"),
    ("phenomena", "phenomenon"),
    ("analyses", "analysis"),
    ("hypotheses", "hypothesis"),
    ("theses", "thesis"),
    ("syntheses", "synthesis"),
    ("diagnoses", "diagnosis"),
    ("matrices", "matrix"),
    ("indices", "index"),
    ("vertices", "vertex"),
    ("appendices", "appendix"),
    ("schemata", "schema"),
    ("lemmata", "lemma"),
    ("men", "man"),
    ("women", "woman"),
    ("children", "child"),
    ("mice", "mouse"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("bacteria", "bacterium"),
    ("media", "medium"),
    ("nuclei", "nucleus"),
    ("stimuli", "stimulus"),
    ("foci", "focus"),
    ("species", "species"),
    ("series", "series"),
    ("atlas", "atlas"),
    ("bias", "bias"),
    ("gas", "gas"),
    ("alias", "alias"),
    ("canvas", "canvas"),
    ("chaos", "chaos"),
    ("cosmos", "cosmos"),
    ("kudos", "kudos"),
    ("news", "news"),
    ("physics", "physics"),
    ("mathematics", "mathematics"),
    ("statistics", "statistics"),
    ("linguistics", "linguistics"),
    ("economics", "economics"),
];

/// The singular of a lower-case English word, by rule (good enough for keys, not for display).
pub fn singular(word: &str) -> String {
    if let Some((_, s)) = IRREGULAR.iter().find(|(p, _)| *p == word) {
        return (*s).to_string();
    }
    let n = word.len();
    if n <= 3 || !word.is_ascii() || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        if n > 4 {
            return format!("{stem}y");
        }
    }
    for suf in ["sses", "shes", "ches", "xes", "zzes"] {
        if word.ends_with(suf) {
            return word[..n - 2].to_string();
        }
    }
    if word.ends_with('s') && !["ss", "us", "is"].iter().any(|s| word.ends_with(s)) {
        return word[..n - 1].to_string();
    }
    word.to_string()
}

/// The concept key of a term: lower case, hyphens, slashes and underscores as spaces, other
/// punctuation dropped, prefixes joined to their word, the last word made singular.
///
/// `"Long Short-Term Memories"`, `"long short term memory"` and `"long-short-term memory"` all give
/// `"long short term memory"`; `"Pre-training"` and `"pretraining"` give `"pretraining"`.
pub fn normalize_key(term: &str) -> String {
    let mut cleaned = String::with_capacity(term.len());
    for c in term.chars() {
        if c.is_alphanumeric() {
            cleaned.extend(c.to_lowercase());
        } else if matches!(c, '+' | '#') {
            cleaned.push(c);
        } else if c == '.' {
            // keep decimal points (4.0), drop others (e.g.)
            if cleaned.ends_with(|p: char| p.is_ascii_digit()) {
                cleaned.push('.');
            }
        } else if c == '\'' || c == '’' {
            // possessive or elision: dropped without a space
        } else {
            cleaned.push(' ');
        }
    }
    let words: Vec<&str> = cleaned
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if PREFIXES.contains(&w) && i + 1 < words.len() && words[i + 1].chars().all(|c| c.is_alphabetic()) {
            joined.push(format!("{w}{}", words[i + 1]));
            i += 2;
        } else {
            joined.push(w.to_string());
            i += 1;
        }
    }
    if let Some(last) = joined.last_mut() {
        *last = singular(last);
    }
    joined.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_collapse() {
        let k = normalize_key("long short-term memory");
        assert_eq!(k, "long short term memory");
        assert_eq!(normalize_key("Long Short-Term Memories"), k);
        assert_eq!(normalize_key("long-short-term memory"), k);
        assert_eq!(normalize_key("Pre-training"), normalize_key("pretraining"));
        assert_eq!(normalize_key("pre training"), "pretraining");
        assert_eq!(normalize_key("LSTMs"), "lstm");
        assert_eq!(normalize_key("text corpora"), "text corpus");
        assert_eq!(normalize_key("word embeddings"), "word embedding");
        assert_eq!(
            normalize_key("neural machine translation"),
            "neural machine translation"
        );
        assert_eq!(normalize_key("support vector machines"), "support vector machine");
        assert_eq!(normalize_key("studies"), "study");
        assert_eq!(normalize_key("long noncoding RNAs"), "long noncoding rna");
        assert_eq!(normalize_key("reactive oxygen species"), "reactive oxygen species");
        assert_eq!(normalize_key("bias"), "bias");
        assert_eq!(normalize_key("corpus"), "corpus");
        assert_eq!(normalize_key("Bayes' rule"), "bayes rule");
        assert_eq!(normalize_key("BLEU-4"), "bleu 4");
        assert_eq!(normalize_key("GPT-3.5"), "gpt 3.5");
    }
}
