//! Search over passages: BM25, vector, or hybrid (reciprocal rank fusion); every hit is a
//! citable passage.

use std::collections::HashMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::embed::Embedder;
use crate::error::{Error, Result, UserError};
use crate::ids;
use crate::papers::{Citation, Citer};
use crate::store::{SearchFilter, Store};

/// Which retriever to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 over passage text and title.
    Bm25,
    /// Nearest embeddings.
    Vector,
    /// Both, fused by reciprocal rank.
    #[default]
    Hybrid,
}

impl FromStr for Mode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "bm25" => Ok(Mode::Bm25),
            "vector" => Ok(Mode::Vector),
            "hybrid" => Ok(Mode::Hybrid),
            other => Err(Error::invalid(
                "mode",
                format!("`{other}` is not one of bm25, vector, hybrid"),
            )),
        }
    }
}

impl Mode {
    /// All modes, for evaluations.
    pub const ALL: [Mode; 3] = [Mode::Bm25, Mode::Vector, Mode::Hybrid];

    /// The mode's name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Bm25 => "bm25",
            Mode::Vector => "vector",
            Mode::Hybrid => "hybrid",
        }
    }
}

/// A search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query text.
    pub query: String,
    /// The retriever.
    pub mode: Mode,
    /// Number of hits wanted.
    pub k: usize,
    /// Restrictions.
    pub filter: SearchFilter,
    /// Ranking knobs; the defaults are the values tuned on SciFact training claims.
    pub tuning: Tuning,
}

/// How hybrid search combines the BM25 and vector lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// Weighted reciprocal rank fusion: Σ w / (rrf_k + rank).
    Rrf,
    /// Convex combination of min-max normalised scores: α·bm25 + (1 − α)·cosine, a document
    /// missing from a list scoring that list's minimum.
    Convex {
        /// Weight of BM25.
        alpha: f32,
    },
}

/// Ranking knobs of BM25 and fusion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// How hybrid fuses its two lists.
    pub fusion: Fusion,
    /// Weight of the paper-title field against the passage text in BM25.
    pub title_boost: f32,
    /// Reciprocal rank fusion constant: larger flattens the rank curve.
    pub rrf_k: f32,
    /// Weight of the vector list against BM25 in hybrid fusion.
    pub vector_weight: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            fusion: FUSION,
            title_boost: TITLE_BOOST,
            rrf_k: RRF_K,
            vector_weight: VECTOR_WEIGHT,
        }
    }
}

/// The largest `k` a search accepts.
pub const MAX_K: usize = 1000;
/// Default weight of the title field in BM25 (tuned on SciFact training claims with the default
/// fusion: 0 to 0.1 form a plateau, 0.3 and 0.6 lose a point or more; each passage already
/// repeats the title in its embedding text).
pub const TITLE_BOOST: f32 = 0.05;
/// Default hybrid fusion: an even convex combination of min-max normalised BM25 and cosine
/// scores (`hypatia eval beir --grid` on SciFact training claims: α 0.45–0.5 gives nDCG@10
/// 0.719–0.722, the best RRF setting 0.711).
pub const FUSION: Fusion = Fusion::Convex { alpha: 0.5 };
/// Reciprocal rank fusion constant when RRF is chosen (tuned on SciFact training claims: 5 and
/// 20 beat 60).
pub const RRF_K: f32 = 20.0;
/// Weight of the vector list against BM25 in RRF.
pub const VECTOR_WEIGHT: f32 = 1.0;

/// One search hit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// The retriever's score (BM25, cosine, or fused).
    pub score: f32,
    /// The citable passage.
    pub citation: Citation,
}

/// Runs a search and turns hits into citations. Hits whose paper is not visible are dropped.
pub fn search(store: &Store, embedder: Option<&dyn Embedder>, req: &SearchRequest) -> Result<Vec<Hit>> {
    validate(req)?;
    let depth = candidate_depth(req.k);
    let ranked = match req.mode {
        Mode::Bm25 => store
            .text()
            .search(&req.query, req.k, &req.filter, req.tuning.title_boost)?,
        Mode::Vector => vector_hits(store, embedder, req, req.k)?,
        Mode::Hybrid => {
            let bm25 = store
                .text()
                .search(&req.query, depth, &req.filter, req.tuning.title_boost)?;
            let vec = vector_hits(store, embedder, req, depth)?;
            hybrid(&bm25, &vec, &req.tuning)
        }
    };
    cite_all(store, ranked, req.k)
}

/// Ranks papers rather than passages: each retriever's passage list collapses to its papers
/// (best passage first), then hybrid fuses the paper lists. What document-level evaluations
/// such as BEIR score.
pub fn rank_papers(store: &Store, embedder: Option<&dyn Embedder>, req: &SearchRequest) -> Result<Vec<(String, f32)>> {
    validate(req)?;
    let ranked = match req.mode {
        Mode::Bm25 => paper_list(store, embedder, req, Mode::Bm25)?,
        Mode::Vector => paper_list(store, embedder, req, Mode::Vector)?,
        Mode::Hybrid => {
            let bm25 = paper_list(store, embedder, req, Mode::Bm25)?;
            let vec = paper_list(store, embedder, req, Mode::Vector)?;
            hybrid(&bm25, &vec, &req.tuning)
        }
    };
    Ok(ranked.into_iter().take(req.k).collect())
}

/// One retriever's candidates for `req` (depth from `req.k`) collapsed to papers, untruncated:
/// what hybrid paper ranking fuses.
pub fn paper_list(
    store: &Store,
    embedder: Option<&dyn Embedder>,
    req: &SearchRequest,
    retriever: Mode,
) -> Result<Vec<(String, f32)>> {
    let depth = candidate_depth(req.k);
    Ok(collapse_to_papers(match retriever {
        Mode::Bm25 => store
            .text()
            .search(&req.query, depth, &req.filter, req.tuning.title_boost)?,
        Mode::Vector => vector_hits(store, embedder, req, depth)?,
        Mode::Hybrid => return Err(Error::invalid("mode", "a paper list comes from one retriever")),
    }))
}

fn validate(req: &SearchRequest) -> Result<()> {
    if req.query.trim().is_empty() {
        return Err(Error::invalid("q", "the query is empty"));
    }
    if req.k == 0 || req.k > MAX_K {
        return Err(Error::invalid("k", format!("must be between 1 and {MAX_K}")));
    }
    Ok(())
}

/// How many candidates each retriever contributes before fusion or collapsing.
fn candidate_depth(k: usize) -> usize {
    (k * 5).clamp(50, MAX_K * 2)
}

fn vector_hits(
    store: &Store,
    embedder: Option<&dyn Embedder>,
    req: &SearchRequest,
    k: usize,
) -> Result<Vec<(String, f32)>> {
    let embedder = embedder.ok_or_else(|| {
        Error::from(UserError::Setup(
            "vector search needs the embedding model; it is not loaded".into(),
        ))
    })?;
    let q = embedder
        .embed(std::slice::from_ref(&req.query))?
        .pop()
        .unwrap_or_default();
    if req.filter.needs_text_fields() {
        // Section and venue live in the text index: over-fetch, then keep the matching ones.
        let hits = store.vectors().search(&q, k * 4, &req.filter);
        let keys: Vec<String> = hits.iter().map(|(k, _)| k.clone()).collect();
        let ok: std::collections::HashSet<String> = store
            .text()
            .passages(&keys)?
            .into_iter()
            .filter(|p| req.filter.accepts(p))
            .map(|p| p.key)
            .collect();
        Ok(hits.into_iter().filter(|(k, _)| ok.contains(k)).take(k).collect())
    } else {
        Ok(store.vectors().search(&q, k, &req.filter))
    }
}

/// Keeps each paper's best passage, in order; keys become paper keys.
pub fn collapse_to_papers(hits: Vec<(String, f32)>) -> Vec<(String, f32)> {
    let mut seen = std::collections::HashSet::new();
    hits.into_iter()
        .filter_map(|(k, s)| {
            let paper = ids::paper_key_of_passage(&k).to_string();
            seen.insert(paper.clone()).then_some((paper, s))
        })
        .collect()
}

/// Fuses a BM25 and a vector list as `tuning` says.
pub fn hybrid(bm25: &Vec<(String, f32)>, vector: &Vec<(String, f32)>, tuning: &Tuning) -> Vec<(String, f32)> {
    match tuning.fusion {
        Fusion::Rrf => fuse(&[(bm25, 1.0), (vector, tuning.vector_weight)], tuning.rrf_k),
        Fusion::Convex { alpha } => fuse_convex(bm25, vector, alpha),
    }
}

/// Convex combination of min-max normalised scores; see [`Fusion::Convex`].
pub fn fuse_convex(bm25: &[(String, f32)], vector: &[(String, f32)], alpha: f32) -> Vec<(String, f32)> {
    let (b, v) = (min_max(bm25), min_max(vector));
    let mut keys: Vec<&str> = b.keys().chain(v.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out: Vec<(String, f32)> = keys
        .into_iter()
        .map(|k| {
            let score = alpha * b.get(k).copied().unwrap_or(0.0) + (1.0 - alpha) * v.get(k).copied().unwrap_or(0.0);
            (k.to_string(), score)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Scores mapped onto [0, 1] by the list's minimum and maximum.
fn min_max(list: &[(String, f32)]) -> HashMap<&str, f32> {
    let (lo, hi) = list
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (_, s)| {
            (lo.min(*s), hi.max(*s))
        });
    let span = (hi - lo).max(f32::EPSILON);
    list.iter().map(|(k, s)| (k.as_str(), (s - lo) / span)).collect()
}

/// Weighted reciprocal rank fusion of ranked lists: score = Σ w / (rrf_k + rank).
pub fn fuse(lists: &[(&Vec<(String, f32)>, f32)], rrf_k: f32) -> Vec<(String, f32)> {
    let mut scores: HashMap<&str, f32> = HashMap::new();
    for (list, weight) in lists {
        for (rank, (key, _)) in list.iter().enumerate() {
            *scores.entry(key.as_str()).or_default() += weight / (rrf_k + rank as f32 + 1.0);
        }
    }
    let mut out: Vec<(String, f32)> = scores.into_iter().map(|(k, s)| (k.to_string(), s)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn cite_all(store: &Store, ranked: Vec<(String, f32)>, k: usize) -> Result<Vec<Hit>> {
    let keys: Vec<String> = ranked.iter().map(|(k, _)| k.clone()).collect();
    let stored: HashMap<String, _> = store
        .text()
        .passages(&keys)?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    let mut citer = Citer::new(store);
    let mut hits = Vec::with_capacity(k);
    for (key, score) in ranked {
        if hits.len() == k {
            break;
        }
        let Some(p) = stored.get(&key) else { continue };
        if let Some(citation) = citer.cite(p)? {
            hits.push(Hit {
                rank: hits.len() + 1,
                score,
                citation,
            });
        }
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(keys: &[&str]) -> Vec<(String, f32)> {
        keys.iter().map(|k| (k.to_string(), 0.0)).collect()
    }

    #[test]
    fn fusion_rewards_agreement() {
        let a = list(&["x", "y", "z"]);
        let b = list(&["y", "x", "w"]);
        let fused = fuse(&[(&a, 1.0), (&b, 1.0)], RRF_K);
        let order: Vec<&str> = fused.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(&order[..2], &["x", "y"]);
        assert_eq!(order.len(), 4);
    }

    #[test]
    fn convex_fusion_normalises_each_list_and_weighs_them() {
        let bm25 = vec![
            ("x".to_string(), 30.0),
            ("y".to_string(), 20.0),
            ("z".to_string(), 10.0),
        ];
        let cos = vec![("y".to_string(), 0.9), ("z".to_string(), 0.8), ("w".to_string(), 0.5)];
        let fused = fuse_convex(&bm25, &cos, 0.5);
        let score = |k: &str| fused.iter().find(|(d, _)| d == k).unwrap().1;
        // y: 0.5 * 0.5 + 0.5 * 1.0; x: 0.5 * 1.0 + 0 (absent from the vector list).
        assert!((score("y") - 0.75).abs() < 1e-6);
        assert!((score("x") - 0.5).abs() < 1e-6);
        assert!((score("w") - 0.0).abs() < 1e-6);
        assert_eq!(fused[0].0, "y");
        // All BM25: the BM25 order (the list minimum ties with absent documents at 0).
        let only_bm25: Vec<String> = fuse_convex(&bm25, &cos, 1.0)
            .into_iter()
            .take(2)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(only_bm25, ["x", "y"]);
    }

    #[test]
    fn collapse_keeps_best_passage_per_paper() {
        let hits = list(&["aaaa-3", "bbbb-0", "aaaa-1"]);
        let papers: Vec<String> = collapse_to_papers(hits).into_iter().map(|(k, _)| k).collect();
        assert_eq!(papers, ["aaaa", "bbbb"]);
    }

    #[test]
    fn modes_parse() {
        assert_eq!("bm25".parse::<Mode>().unwrap(), Mode::Bm25);
        assert!("fuzzy".parse::<Mode>().is_err());
    }
}
