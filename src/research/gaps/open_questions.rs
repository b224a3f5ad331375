//! Open questions: future-work and limitation sentences, found by cue phrases, that no later
//! paper answers with claims about the same concepts.
//!
//! Only sentences in the corpus's language are served: an English cue phrase inside a German
//! or French sentence (a second abstract, a quoted title) makes no open question of an English
//! corpus, and an agent reading one cannot act on it. Each sentence's language is told by
//! [`whatlang`] (trigram profiles of 69 languages) when it is read ([`language`]): only when
//! whatlang calls its guess reliable (confidence above 0.9) and the sentence has at least
//! [`MIN_LANGUAGE_WORDS`] words; otherwise it is unknown. The corpus language, per call, is the
//! language most of the counted papers' question sentences of known language are in (ties to
//! the first by ISO 639-3 code); a candidate whose known language is another one is dropped,
//! and one of unknown language (short, mixed, or formula-laden) is kept.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use std::sync::Arc;

use super::context::{Ctx, Question, Questions};
use super::rank::top_k;
use super::reads::{mentions_in, Mention};
use super::text::Text;
use super::{Evidence, Gap, GapKind, MAX_EVIDENCE};
use crate::common::error::Result;
use crate::store::queries;
use hypatia_extract::ConceptType;

/// Phrases that make a sentence a future-work, limitation or open-question statement.
const STRONG_CUES: [&str; 26] = [
    "future work",
    "future research",
    "future studies",
    "future study",
    "future direction",
    "remains unclear",
    "remain unclear",
    "remains unknown",
    "remain unknown",
    "remains open",
    "remains to be",
    "remain to be",
    "open question",
    "open problem",
    "open issue",
    "is unknown whether",
    "is not known whether",
    "it is unclear whether",
    "limitations",
    "limitation of",
    "limitation is",
    "further research",
    "further work",
    "further studies",
    "further investigation",
    "we plan to",
];
/// Weaker cues, counted only in sections whose heading names future work or limitations.
const WEAK_CUES: [&str; 10] = [
    "will ",
    "plan",
    "could ",
    "would ",
    "should ",
    "might ",
    "further",
    "extend",
    "explore",
    "investigate",
];
const SECTION_CUES: [&str; 6] = [
    "future",
    "limitation",
    "open problem",
    "open question",
    "open issue",
    "outlook",
];

/// Fewest words of a sentence whose language is told ([`language`]).
pub(super) const MIN_LANGUAGE_WORDS: usize = 5;

/// A sentence's language, when whatlang tells it reliably and the sentence has at least
/// [`MIN_LANGUAGE_WORDS`] words; `None` when it is not known.
pub(super) fn language(sentence: &str) -> Option<whatlang::Lang> {
    if sentence.split_whitespace().count() < MIN_LANGUAGE_WORDS {
        return None;
    }
    whatlang::detect(sentence)
        .filter(whatlang::Info::is_reliable)
        .map(|i| i.lang())
}

/// The language most of the counted papers' questions of known language are in.
fn corpus_language(ctx: &Ctx<'_>, questions: &Questions) -> Option<whatlang::Lang> {
    let mut n: BTreeMap<&str, (usize, whatlang::Lang)> = BTreeMap::new();
    for (paper, found) in &questions.by_paper {
        if !ctx.counts_paper(paper) {
            continue;
        }
        for lang in found.iter().filter_map(|q| q.lang) {
            n.entry(lang.code()).or_insert((0, lang)).0 += 1;
        }
    }
    // The most frequent, ties to the first code (a BTreeMap iterates codes in order).
    let mut best: Option<(usize, whatlang::Lang)> = None;
    for (count, lang) in n.into_values() {
        if best.is_none_or(|(c, _)| count > c) {
            best = Some((count, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

pub(super) fn cue_weight(section: &str, sentence: &str) -> f64 {
    let s = sentence.to_lowercase();
    if STRONG_CUES.iter().any(|c| s.contains(c))
        || s.contains("it would be interesting")
        || s.contains("warrant further")
        || s.contains("warrants further")
    {
        return 1.0;
    }
    let sec = section.to_lowercase();
    if SECTION_CUES.iter().any(|c| sec.contains(c)) && WEAK_CUES.iter().any(|c| s.contains(c)) {
        return 0.6;
    }
    0.0
}

pub(super) fn open_questions(ctx: &mut Ctx<'_>, limit: usize) -> Result<Vec<Gap>> {
    let corpus = ctx.corpus;
    let rows = ctx.rows(queries::OPEN_QUESTION_PASSAGES)?;
    // Claim concepts per paper (for "addressed").
    let claims = ctx.claims()?;
    let mut claimed: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    for c in claims.iter() {
        if let Some(&k) = corpus.by_iri.get(c.concept.as_str()) {
            claimed.entry(c.paper.as_str()).or_default().insert(k);
        }
    }
    // The dated papers with claims, and for each concept the ones claiming about it, so that a
    // candidate visits only the papers that share one of its concepts.
    let claimers: Vec<(&str, i32)> = claimed.keys().filter_map(|p| Some((*p, corpus.year_of(p)?))).collect();
    let mut claimed_by: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, (p, _)) in claimers.iter().enumerate() {
        for &k in &claimed[p] {
            claimed_by.entry(k).or_default().push(i as u32);
        }
    }
    struct Cand {
        paper: String,
        passage: String,
        span: (usize, usize),
        quote: String,
        concepts: Vec<u32>,
        cue: f64,
        /// Whether the sentence's language was told (and is the corpus's).
        lang_known: bool,
        year: Option<i32>,
        addressing: Vec<(f64, String)>,
        touching: usize,
        best: f64,
    }
    let questions = questions(ctx, &rows)?;
    let corpus_lang = corpus_language(ctx, &questions);
    let mut cands: Vec<(f64, Cand)> = Vec::new();
    for (paper, found) in &questions.by_paper {
        if !ctx.counts_paper(paper) {
            continue;
        }
        ctx.check()?;
        let year = corpus.year_of(paper);
        for q in found {
            // Another language than the corpus's, told reliably: not served.
            if q.lang.is_some_and(|l| Some(l) != corpus_lang) {
                continue;
            }
            // In order of first mention, typed concepts first.
            let mut concepts: Vec<u32> = q
                .concepts
                .iter()
                .filter_map(|c| corpus.by_iri.get(c.as_str()).copied())
                .collect();
            concepts.sort_by_key(|&k| corpus.ctype(k) == ConceptType::Other);
            if concepts.is_empty() || !concepts.iter().any(|&c| ctx.in_focus(c)) {
                continue;
            }
            // Later papers (year > this one's, and counted) with claims about these concepts.
            let mut addressing = Vec::new();
            let mut touching = 0;
            let mut best: f64 = 0.0;
            if let Some(y) = year {
                // Later papers sharing a concept: how many of the candidate's concepts each claims about.
                let mut shared: BTreeMap<u32, usize> = BTreeMap::new();
                for c in &concepts {
                    for &i in claimed_by.get(c).into_iter().flatten() {
                        if claimers[i as usize].1 > y {
                            *shared.entry(i).or_default() += 1;
                        }
                    }
                }
                for (i, n) in shared {
                    touching += 1;
                    let coverage = n as f64 / concepts.len() as f64;
                    best = best.max(coverage);
                    if coverage >= 0.5 {
                        addressing.push((coverage, claimers[i as usize].0.to_string()));
                    }
                }
            }
            addressing.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let n = concepts.len() as f64;
            let score = q.cue * (1.0 + (1.0 + n).ln()) * (1.0 - best / 2.0) / (1.0 + addressing.len() as f64);
            cands.push((
                score,
                Cand {
                    paper: paper.clone(),
                    passage: q.passage.clone(),
                    span: q.span,
                    quote: q.quote.clone(),
                    concepts,
                    cue: q.cue,
                    lang_known: q.lang.is_some(),
                    year,
                    addressing,
                    touching,
                    best,
                },
            ));
        }
    }
    let best = top_k(cands, limit, |a, b| (&a.paper, a.span).cmp(&(&b.paper, b.span)));
    let mut gaps = Vec::new();
    for (score, c) in best {
        ctx.check()?;
        let labels: Vec<String> = c.concepts.iter().take(6).map(|&k| corpus.label(k)).collect();
        let when = c
            .year
            .map(|y| format!("A {y} paper"))
            .unwrap_or_else(|| "A paper (year unknown)".into());
        let answered = match (c.year, c.addressing.len()) {
            (None, _) => "no later paper can be told apart without a year".to_string(),
            (Some(_), 0) if c.touching == 0 => format!("no later paper {} makes a claim about them", ctx.horizon()),
            (Some(_), 0) => format!(
                "{} later paper{} {} claim about some of them, none about half",
                c.touching,
                if c.touching == 1 { "" } else { "s" },
                if c.touching == 1 { "makes a" } else { "make a" }
            ),
            (Some(_), k) => format!(
                "{k} later paper{} {} claims about at least half of them",
                if k == 1 { "" } else { "s" },
                if k == 1 { "makes" } else { "make" }
            ),
        };
        let explanation = format!(
            "{when} states future work or a limitation about {}{}; {answered}.",
            labels.join(", "),
            if c.concepts.len() > 6 { ", ..." } else { "" }
        );
        let mut features = BTreeMap::new();
        features.insert("cue_weight".into(), c.cue);
        features.insert("concepts".into(), c.concepts.len() as f64);
        features.insert("later_papers_touching".into(), c.touching as f64);
        features.insert("later_papers_addressing".into(), c.addressing.len() as f64);
        features.insert("best_coverage".into(), c.best);
        features.insert("year_known".into(), if c.year.is_some() { 1.0 } else { 0.0 });
        features.insert("language_known".into(), if c.lang_known { 1.0 } else { 0.0 });
        let mut evidence = vec![Evidence {
            paper: c.paper.clone(),
            passage: c.passage.clone(),
            quote: c.quote.clone(),
            start: c.span.0,
            end: c.span.1,
            year: c.year,
            role: "open question".into(),
        }];
        let concept_iris: HashSet<&str> = c.concepts.iter().map(|&k| &*corpus.concepts[k as usize].iri).collect();
        for (_, p) in &c.addressing {
            if evidence.len() >= MAX_EVIDENCE {
                break;
            }
            if let Some(cl) = claims
                .iter()
                .find(|cl| &cl.paper == p && concept_iris.contains(cl.concept.as_str()))
            {
                evidence.extend(ctx.claim_evidence(cl, "later claim")?);
            }
        }
        gaps.push(Gap {
            kind: GapKind::OpenQuestion,
            score,
            explanation,
            concepts: c.concepts.iter().map(|&k| corpus.concept_ref(k)).collect(),
            evidence,
            features,
        });
    }
    Ok(gaps)
}

/// Every paper's future-work and limitation sentences with the concepts mentioned in them, of
/// any year: kept for the store, and after writes read again for the written papers only.
fn questions(ctx: &mut Ctx<'_>, rows: &[Arc<queries::Row>]) -> Result<Arc<Questions>> {
    let (mut questions, only) = match ctx.kept_questions() {
        Some(q) if q.stale.is_empty() => return Ok(q),
        Some(q) => {
            let mut q = (*q).clone();
            let stale = std::mem::take(&mut q.stale);
            (q, Some(stale))
        }
        None => (Questions::default(), None),
    };
    let mut seen: HashSet<(String, usize, usize)> = HashSet::new();
    let mut mentions: HashMap<String, Vec<Mention>> = HashMap::new();
    for r in rows {
        let (Some(paper), Some(passage), Some(text), Some(start)) = (
            r.get("paper"),
            r.get("passage"),
            r.get("text"),
            r.get("start").and_then(|s| s.parse::<usize>().ok()),
        ) else {
            continue;
        };
        if only.as_ref().is_some_and(|o| !o.contains(paper)) {
            continue;
        }
        ctx.check()?;
        let section = r.get("section").map(String::as_str).unwrap_or("");
        let t = Text::new(text.clone());
        let mut found = Vec::new();
        for (s, e) in t.sentences(0, t.chars.len()) {
            let sentence = t.slice(s, e).unwrap_or("");
            let cue = cue_weight(section, sentence);
            if cue > 0.0 && seen.insert((paper.clone(), start + s, start + e)) {
                found.push((start + s, start + e, sentence.to_string(), cue));
            }
        }
        if found.is_empty() {
            continue;
        }
        if !mentions.contains_key(paper) {
            mentions.insert(paper.clone(), mentions_in(ctx.store, paper)?);
        }
        let ms = &mentions[paper];
        for (s, e, quote, cue) in found {
            let mut concepts: Vec<String> = Vec::new();
            for m in ms.iter().filter(|m| s <= m.start && m.end <= e) {
                if !concepts.contains(&m.concept) {
                    concepts.push(m.concept.clone());
                }
            }
            questions.by_paper.entry(paper.clone()).or_default().push(Question {
                passage: passage.clone(),
                span: (s, e),
                lang: language(&quote),
                quote,
                cue,
                concepts,
            });
        }
    }
    let questions = Arc::new(questions);
    ctx.keep_questions(questions.clone());
    Ok(questions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_of_a_question_is_told_only_when_reliable() {
        use whatlang::Lang;
        assert_eq!(
            language("In future work, we will apply conditional random fields to named entity recognition."),
            Some(Lang::Eng)
        );
        assert_eq!(
            language(
                "In zukünftigen Arbeiten wollen wir die Methode auf weitere Sprachen und größere Korpora übertragen."
            ),
            Some(Lang::Deu)
        );
        assert_eq!(
            language("Dans un travail futur, nous appliquerons cette méthode à d'autres langues et à des corpus plus grands."),
            Some(Lang::Fra)
        );
        // Too short to tell.
        assert_eq!(language("Future work: CRF."), None);
    }
}
