//! The learned reranker over hybrid search's fused candidates: a logistic model, trained on
//! SciFact training claims only (`scripts/train-rerank.sh`), shipped as the versioned file
//! `models/rerank-model.json`, re-scores the first [`RERANK_DEPTH`] fused passages.
//!
//! Features of one candidate passage (query terms: lower-cased words of three letters or more,
//! cut to six letters as a crude stem, a few function words dropped):
//!
//! | name | value |
//! |---|---|
//! | `fused` | the fused score (`search::hybrid`) |
//! | `bm25_norm` | BM25 normalised as convex fusion does (0 when BM25 did not return it) |
//! | `cosine` | cosine to the query (the vector list's lowest when it did not return it) |
//! | `cosine_gap` | the vector list's best cosine minus `cosine` |
//! | `ln_bm25_rank`, `ln_vector_rank`, `ln_fused_rank` | ln(1 + rank), rank depth + 1 when absent |
//! | `title_cover` | share of the query terms in the paper's title |
//! | `text_cover` | share of the query terms in the passage |
//! | `sentence_cover` | the largest share of the query terms in one sentence of the passage |
//! | `is_title` | 1 for the title passage |
//! | `ln_ordinal` | ln(1 + the passage's position in its paper) |
//! | `ln_paper_passages` | ln(1 + the paper's passages among the re-scored candidates) |
//! | `paper_max_fused`, `paper_top2_fused` | the paper's best fused score, and its two best summed |
//! | `paper_max_cosine`, `paper_max_bm25` | the paper's best `cosine` and `bm25_norm` |
//! | `paper_best` | 1 for the paper's first candidate in fused order |
//! | `paper_title_cosine` | `cosine` of the paper's title passage (the vector list's lowest when it is no candidate) |
//! | `paper_max_text_cover` | the paper's best `text_cover` |
//! | `fused_gap` | the best fused score minus `fused` |
//!
//! The paper-level features carry aggregation into the model: a paper ranks where its best
//! re-scored passage does, and its other passages' evidence reaches that passage's score.
//!
//! **Invariant:** reranking permutes the first [`RERANK_DEPTH`] fused passages and leaves the rest
//! in fused order; it reads only those candidates, so a ranking still does not depend on `k` up to
//! `search::HYBRID_DEPTH`. Re-scored passages score 1 + σ(logit), above every fused score (at
//! most 1 for convex fusion, below 1 for RRF), so scores fall as ranks go down.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::common::error::{Error, Result};
use crate::common::ids;
use crate::common::logistic::Logistic;
use crate::common::passages::TITLE;
use crate::retrieval::ranked::{normalise, Ranked};
use crate::store::{Store, StoredPassage};

/// The feature names, in the order of the model's weights.
pub const FEATURES: [&str; 21] = [
    "fused",
    "bm25_norm",
    "cosine",
    "cosine_gap",
    "ln_bm25_rank",
    "ln_vector_rank",
    "ln_fused_rank",
    "title_cover",
    "text_cover",
    "sentence_cover",
    "is_title",
    "ln_ordinal",
    "ln_paper_passages",
    "paper_max_fused",
    "paper_top2_fused",
    "paper_max_cosine",
    "paper_max_bm25",
    "paper_best",
    "paper_title_cosine",
    "paper_max_text_cover",
    "fused_gap",
];

/// One candidate's features, in [`FEATURES`] order.
pub type Features = [f64; FEATURES.len()];

/// How many fused passages the reranker re-scores.
pub const RERANK_DEPTH: usize = 100;

/// L2 penalty of the fit (on standardised features, sample weights summing to 1).
pub const L2: f64 = 1e-4;

/// What the fit maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// The likelihood of each candidate's label on its own.
    Pointwise,
    /// The likelihood that a relevant candidate outscores an irrelevant one of the same query,
    /// each query's pairs weighted to count as one query.
    Pairwise {
        /// Only each paper's first candidate in fused order (the one its rank comes from).
        best_only: bool,
        /// Irrelevant candidates only from the first this many fused passages, where the
        /// ranking that nDCG@10 sees is decided.
        negatives_within: usize,
    },
}

impl Objective {
    /// The objective's name, e.g. `pairwise(best, neg<30)`.
    pub fn name(self) -> String {
        match self {
            Objective::Pointwise => "pointwise".into(),
            Objective::Pairwise {
                best_only,
                negatives_within,
            } => format!(
                "pairwise({}, neg<{negatives_within})",
                if best_only { "best" } else { "all" }
            ),
        }
    }
}

/// The objectives `eval beir --rerank` cross-validates; `--fit` trains the bundled model with the
/// one of best cross-validated nDCG@10.
pub const OBJECTIVES: [Objective; 5] = [
    Objective::Pointwise,
    Objective::Pairwise {
        best_only: false,
        negatives_within: RERANK_DEPTH,
    },
    Objective::Pairwise {
        best_only: true,
        negatives_within: RERANK_DEPTH,
    },
    Objective::Pairwise {
        best_only: false,
        negatives_within: 30,
    },
    Objective::Pairwise {
        best_only: true,
        negatives_within: 30,
    },
];

/// A query's pairs as rows of a logistic fit: the difference relevant − irrelevant labelled 1 and
/// its negation labelled 0, so the fit is symmetric and its intercept 0. `rows` are in fused
/// order.
fn pairs(rows: &[(Features, bool)], best_only: bool, negatives_within: usize) -> Vec<(Vec<f64>, bool, f64)> {
    let kept = |x: &Features| !best_only || x[17] == 1.0;
    let pos: Vec<&Features> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.1 && kept(&r.0))
        .map(|(_, r)| &r.0)
        .collect();
    let neg: Vec<&Features> = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| !r.1 && *i < negatives_within && kept(&r.0))
        .map(|(_, r)| &r.0)
        .collect();
    let weight = 1.0 / (2 * pos.len() * neg.len()).max(1) as f64;
    let mut out = Vec::with_capacity(2 * pos.len() * neg.len());
    for p in &pos {
        for n in &neg {
            let d: Vec<f64> = p.iter().zip(n.iter()).map(|(a, b)| a - b).collect();
            out.push((d.iter().map(|x| -x).collect(), false, weight));
            out.push((d, true, weight));
        }
    }
    out
}

/// A trained reranker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RerankModel {
    /// Name and version, e.g. `rerank-v1-scifact-train`.
    pub version: String,
    /// What it was trained on.
    pub trained_on: String,
    /// [`FEATURES`], as trained (checked on load).
    pub features: Vec<String>,
    /// The fitted parameters.
    #[serde(flatten)]
    pub params: Logistic,
}

/// The bundled model's file.
const BUNDLED: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/rerank-model.json"));

impl RerankModel {
    /// The model shipped with Hypatia (`models/rerank-model.json`), the one search serves.
    pub fn bundled() -> &'static RerankModel {
        static M: std::sync::OnceLock<RerankModel> = std::sync::OnceLock::new();
        M.get_or_init(|| RerankModel::parse(BUNDLED).expect("the bundled rerank model is valid"))
    }

    /// Reads a model file, checking that it has this build's features.
    pub fn parse(json: &str) -> Result<RerankModel> {
        let m: RerankModel = serde_json::from_str(json)
            .map_err(|e| Error::invalid("rerank model", format!("not a rerank model file: {e}")))?;
        let n = FEATURES.len();
        let p = &m.params;
        if m.features != FEATURES || p.mean.len() != n || p.scale.len() != n || p.weights.len() != n {
            return Err(Error::invalid(
                "rerank model",
                format!("its features are {:?}, this build's are {FEATURES:?}", m.features),
            ));
        }
        Ok(m)
    }

    /// Fits the model to queries' candidate rows (features, whether the candidate's paper is
    /// judged relevant) as `objective` says. Deterministic.
    pub fn fit(
        version: &str,
        trained_on: &str,
        queries: &[Vec<(Features, bool)>],
        objective: Objective,
    ) -> Result<RerankModel> {
        let rows: Vec<(Vec<f64>, bool, f64)> = match objective {
            Objective::Pointwise => queries.iter().flatten().map(|(x, y)| (x.to_vec(), *y, 1.0)).collect(),
            Objective::Pairwise {
                best_only,
                negatives_within,
            } => queries
                .iter()
                .flat_map(|q| pairs(q, best_only, negatives_within))
                .collect(),
        };
        Ok(RerankModel {
            version: version.into(),
            trained_on: format!("{trained_on}; {} objective", objective.name()),
            features: FEATURES.iter().map(|f| f.to_string()).collect(),
            params: Logistic::fit(&rows, L2)?,
        })
    }

    /// The logit of a candidate.
    pub fn score(&self, x: &Features) -> f64 {
        self.params.score(x)
    }
}

/// Reranks a hybrid search's fused list with the bundled model, reading the stored passages of
/// the first [`RERANK_DEPTH`] candidates.
pub fn rerank_fused(store: &Store, query: &str, bm25: &Ranked, vector: &Ranked, fused: Ranked) -> Result<Ranked> {
    let keys: Vec<String> = fused.iter().take(RERANK_DEPTH).map(|(k, _)| k.clone()).collect();
    let stored: HashMap<String, StoredPassage> = store
        .text()
        .passages(&keys)?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    let features = candidate_features(query, bm25, vector, &fused, &stored);
    Ok(rerank(RerankModel::bundled(), fused, &features))
}

/// The features of the first [`RERANK_DEPTH`] passages of `fused`, in fused order. A passage
/// missing from `stored` has empty text.
pub fn candidate_features(
    query: &str,
    bm25: &Ranked,
    vector: &Ranked,
    fused: &Ranked,
    stored: &HashMap<String, StoredPassage>,
) -> Vec<Features> {
    let head = &fused[..fused.len().min(RERANK_DEPTH)];
    let q: HashSet<String> = terms(query).into_iter().collect();
    let bm25_norm = normalise(bm25);
    let (bm25_rank, vector_rank) = (ranks(bm25), ranks(vector));
    let cosine: HashMap<&str, f32> = vector.iter().map(|(k, s)| (k.as_str(), *s)).collect();
    let lowest_cosine = vector.last().map_or(0.0, |(_, s)| f64::from(*s));
    let best_cosine = vector.first().map_or(0.0, |(_, s)| f64::from(*s));
    let absent = (bm25.len().max(vector.len()) + 1) as f64;
    let ln_rank = |r: Option<&usize>| (1.0 + r.map_or(absent, |r| *r as f64)).ln();
    let mut rows: Vec<Features> = Vec::with_capacity(head.len());
    for (i, (key, fused_score)) in head.iter().enumerate() {
        let p = stored.get(key);
        let text = p.map_or("", |p| p.text.as_str());
        let title = p.map_or("", |p| p.title.as_str());
        let sentence_cover = text.unicode_sentences().map(|s| cover(&q, s)).fold(0.0f64, f64::max);
        let cos = cosine.get(key.as_str()).map_or(lowest_cosine, |c| f64::from(*c));
        let mut x = [0.0; FEATURES.len()];
        x[0] = f64::from(*fused_score);
        x[1] = bm25_norm.get(key.as_str()).map_or(0.0, |s| f64::from(*s));
        x[2] = cos;
        x[3] = best_cosine - cos;
        x[4] = ln_rank(bm25_rank.get(key.as_str()));
        x[5] = ln_rank(vector_rank.get(key.as_str()));
        x[6] = (2.0 + i as f64).ln();
        x[7] = cover(&q, title);
        x[8] = cover(&q, text);
        x[9] = sentence_cover;
        x[10] = f64::from(u8::from(p.is_some_and(|p| p.section == TITLE)));
        x[11] = (1.0 + p.map_or(0.0, |p| p.ordinal as f64)).ln();
        rows.push(x);
    }
    paper_aggregates(head, &mut rows, lowest_cosine);
    rows
}

/// The 1-based rank of each key of a list.
fn ranks(list: &Ranked) -> HashMap<&str, usize> {
    list.iter().enumerate().map(|(i, (k, _))| (k.as_str(), i + 1)).collect()
}

/// Fills the paper-level features of each row from the rows of the same paper.
fn paper_aggregates(head: &[(String, f32)], rows: &mut [Features], lowest_cosine: f64) {
    let best_fused = head.first().map_or(0.0, |(_, s)| f64::from(*s));
    let mut of_paper: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (key, _)) in head.iter().enumerate() {
        of_paper.entry(ids::paper_key_of_passage(key)).or_default().push(i);
    }
    for members in of_paper.values() {
        let max = |f: usize| members.iter().map(|&i| rows[i][f]).fold(f64::NEG_INFINITY, f64::max);
        let (fused_max, cos_max, bm25_max, cover_max) = (max(0), max(2), max(1), max(8));
        let title_cos = members.iter().find(|&&i| rows[i][10] == 1.0).map(|&i| rows[i][2]);
        // Fused order is descending, so the first two members hold the two best fused scores.
        let top2: f64 = members.iter().take(2).map(|&i| rows[i][0]).sum();
        for (j, &i) in members.iter().enumerate() {
            let r = &mut rows[i];
            r[12] = (1.0 + members.len() as f64).ln();
            r[13] = fused_max;
            r[14] = top2;
            r[15] = cos_max;
            r[16] = bm25_max;
            r[17] = f64::from(u8::from(j == 0));
            r[18] = title_cos.unwrap_or(lowest_cosine);
            r[19] = cover_max;
            r[20] = best_fused - r[0];
        }
    }
}

/// The fused list with its first `features.len()` passages re-scored by `model` and sorted by
/// that score (ties keep fused order); the rest follow in fused order.
pub fn rerank(model: &RerankModel, fused: Ranked, features: &[Features]) -> Ranked {
    let n = features.len().min(fused.len());
    let mut head: Vec<(f64, (String, f32))> = fused
        .iter()
        .take(n)
        .zip(features)
        .map(|(c, x)| (model.score(x), c.clone()))
        .collect();
    head.sort_by(|a, b| b.0.total_cmp(&a.0));
    head.into_iter()
        .map(|(z, (key, _))| (key, 1.0 + (1.0 / (1.0 + (-z).exp())) as f32))
        .chain(fused.into_iter().skip(n))
        .collect()
}

/// Words too common in claims to say anything.
const STOPWORDS: [&str; 24] = [
    "the", "and", "for", "are", "was", "were", "with", "that", "this", "from", "not", "has", "have", "been", "its",
    "can", "but", "than", "all", "into", "more", "less", "their", "which",
];

/// The query terms of a text: lower-cased alphanumeric words of three characters or more, cut to
/// six characters, function words dropped.
fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(|w| w.chars().take(6).collect())
        .collect()
}

/// Share of the query terms `q` that occur in `text`.
fn cover(q: &HashSet<String>, text: &str) -> f64 {
    if q.is_empty() {
        return 0.0;
    }
    let t: HashSet<String> = terms(text).into_iter().collect();
    q.iter().filter(|w| t.contains(*w)).count() as f64 / q.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_cut_and_filtered() {
        assert_eq!(
            terms("The Vitamins reduce X-ray risk"),
            ["vitami", "reduce", "ray", "risk"]
        );
        let q: HashSet<String> = terms("vitamin reduces risk").into_iter().collect();
        assert!((cover(&q, "Vitamins and the risk") - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn bundled_model_loads() {
        let m = RerankModel::bundled();
        assert_eq!(m.features, FEATURES);
        assert!(!m.version.is_empty());
        assert!(m.params.weights.iter().all(|w| w.is_finite()));
    }
}
