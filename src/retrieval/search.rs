//! Search over passages: BM25, vector, or hybrid (by default a convex combination of the two
//! retrievers' normalised scores, weighted reciprocal rank fusion on request, then the learned
//! reranker over the first fused candidates when [`Tuning::rerank`] is on); every hit is a
//! citable passage.
//!
//! **Invariant:** a hybrid ranking does not depend on `k` up to [`HYBRID_DEPTH`]: each retriever
//! contributes that many candidates whatever `k` is, and the reranker re-scores a fixed number of
//! the fused ones, so a smaller `k` gets a prefix of a larger one's hits. MCP pages through one ranking that way, and `eval beir` scores the ranking
//! `/search` serves at any such `k` (served = measured).

use std::collections::HashMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::clock::AsOf;
use crate::common::error::{Error, Result, UserError};
use crate::embed::Embedder;
use crate::store::papers::{Citation, Citer};
use crate::store::{SearchFilter, Store};

/// Which retriever to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 over passage text and title.
    Bm25,
    /// Nearest embeddings.
    Vector,
    /// Both, fused as [`Tuning::fusion`] says.
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
    /// Leave out passages of retracted papers (findings do by default); otherwise they are
    /// served, marked [`Hit::retracted`].
    pub exclude_retracted: bool,
    /// Answer as of a moment ([`crate::common::clock`]): passages of papers published or
    /// learned after it, and records made after it, are left out; retractions count only if
    /// issued (and learned) by then.
    pub as_of: Option<AsOf>,
}

/// How hybrid search combines the BM25 and vector lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// Weighted reciprocal rank fusion: Σ w / (rrf_k + rank).
    Rrf,
    /// Convex combination α·bm25 + (1 − α)·cosine of scores normalised per list (see
    /// [`fuse_convex`]): a document missing from a list scores 0 there, below every candidate
    /// the list holds.
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
    /// Whether hybrid search re-scores its first fused candidates with the learned reranker
    /// ([`rerank`](super::rerank)).
    pub rerank: bool,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            fusion: FUSION,
            title_boost: TITLE_BOOST,
            rrf_k: RRF_K,
            vector_weight: VECTOR_WEIGHT,
            rerank: RERANK,
        }
    }
}

use super::ranked::normalise;
pub use super::ranked::Ranked;

/// The largest `k` a search accepts.
pub const MAX_K: usize = 1000;
/// How many passages each retriever gives hybrid fusion whatever `k` is, so that up to this
/// many hits a hybrid ranking is the same for every `k` (the module's invariant). Deep enough
/// that `eval beir` fills the top 100 papers from one served ranking of this many passages.
pub const HYBRID_DEPTH: usize = 500;
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
/// Whether hybrid search reranks by default: off. Under 5-fold cross-validation on SciFact
/// training claims (`hypatia eval beir --rerank`) the reranker gains +0.005 nDCG@10 over fusion
/// (0.730 against 0.725, better on four folds of five), less than the optimism of having chosen
/// its training objective on those folds, for ~17% more latency; it is served on request
/// (`rerank=true`) until it clears that bar.
pub const RERANK: bool = false;

/// One search hit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    /// 1-based rank.
    #[schema(minimum = 1)]
    pub rank: usize,
    /// The retriever's score (BM25, cosine, or fused; 1 + the reranker's probability for a
    /// re-scored hybrid hit).
    pub score: f32,
    /// The citable passage.
    pub citation: Citation,
    /// The passage's paper is retracted (a notice says so, see [`crate::store::standing`]);
    /// present only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retracted: bool,
}

/// Runs a search and turns hits into citations. Hits whose paper is not visible are dropped.
pub fn search(store: &Store, embedder: Option<&dyn Embedder>, req: &SearchRequest) -> Result<Vec<Hit>> {
    validate(req)?;
    // Hits a filter after ranking may drop are made up from deeper in the ranking.
    let depth = if req.as_of.is_some() || req.exclude_retracted {
        req.k.max(HYBRID_DEPTH)
    } else {
        req.k
    };
    let ranked = match req.mode {
        Mode::Bm25 => store
            .text()
            .search(&req.query, depth, &req.filter, req.tuning.title_boost)?,
        Mode::Vector => vector_hits(store, embedder, req, depth)?,
        Mode::Hybrid => {
            let (bm25, vector) = hybrid_candidates(store, embedder, req)?;
            let fused = hybrid(&bm25, &vector, &req.tuning);
            if req.tuning.rerank {
                super::rerank::rerank_fused(store, &req.query, &bm25, &vector, fused)?
            } else {
                fused
            }
        }
    };
    cite_all(store, ranked, req.k, req.exclude_retracted, req.as_of.as_ref())
}

/// The BM25 and vector passage lists a hybrid search for `req` fuses, best first: each
/// retriever's [`HYBRID_DEPTH`] best passages, or `req.k` when that is larger. [`search`] in
/// hybrid mode is [`hybrid`] of these lists, reranked when [`Tuning::rerank`] says so, cited up
/// to `req.k` hits.
pub fn hybrid_candidates(
    store: &Store,
    embedder: Option<&dyn Embedder>,
    req: &SearchRequest,
) -> Result<(Ranked, Ranked)> {
    let depth = req.k.max(HYBRID_DEPTH);
    // BM25 on a thread of its own while this one embeds the query and searches the vectors.
    let (bm25, vector) = crate::common::parallel::join(
        || {
            store
                .text()
                .search(&req.query, depth, &req.filter, req.tuning.title_boost)
        },
        || vector_hits(store, embedder, req, depth),
    );
    Ok((bm25?, vector?))
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
        let hits = store.vectors().search(&q, k * 4, &req.filter)?;
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
        store.vectors().search(&q, k, &req.filter)
    }
}

/// Fuses a BM25 and a vector list as `tuning` says.
pub fn hybrid(bm25: &Vec<(String, f32)>, vector: &Vec<(String, f32)>, tuning: &Tuning) -> Vec<(String, f32)> {
    match tuning.fusion {
        Fusion::Rrf => fuse(&[(bm25, 1.0), (vector, tuning.vector_weight)], tuning.rrf_k),
        Fusion::Convex { alpha } => fuse_convex(bm25, vector, alpha),
    }
}

/// Convex combination α·bm25 + (1 − α)·cosine of each list's [`normalise`]d scores; a
/// document absent from a list scores 0 there. Ties go to the smaller key.
pub fn fuse_convex(bm25: &[(String, f32)], vector: &[(String, f32)], alpha: f32) -> Vec<(String, f32)> {
    let (b, v) = (normalise(bm25), normalise(vector));
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

/// The first `k` visible hits of `ranked` (as of `as_of`, when given), cited. Stored passages
/// are fetched a block of `k` at a time: hybrid ranks up to twice [`HYBRID_DEPTH`] candidates,
/// and the first block nearly always suffices.
fn cite_all(
    store: &Store,
    ranked: Vec<(String, f32)>,
    k: usize,
    exclude_retracted: bool,
    as_of: Option<&AsOf>,
) -> Result<Vec<Hit>> {
    let mut citer = Citer::new(store);
    let standing = store.standing()?;
    let timeline = as_of.map(|_| store.timeline()).transpose()?;
    let mut hits = Vec::with_capacity(k);
    for block in ranked.chunks(k.max(1)) {
        if hits.len() == k {
            break;
        }
        let keys: Vec<String> = block.iter().map(|(k, _)| k.clone()).collect();
        let stored: HashMap<String, _> = store
            .text()
            .passages(&keys)?
            .into_iter()
            .map(|p| (p.key.clone(), p))
            .collect();
        for (key, score) in block {
            if hits.len() == k {
                return Ok(hits);
            }
            let Some(p) = stored.get(key) else { continue };
            if let (Some(t), Some(a)) = (&timeline, as_of) {
                if !t.visible(&p.paper_key, a) {
                    continue;
                }
            }
            let retracted = standing.is_retracted_as_of(&p.paper_key, as_of);
            if retracted && exclude_retracted {
                continue;
            }
            if let Some(citation) = citer.cite(p)? {
                hits.push(Hit {
                    rank: hits.len() + 1,
                    score: *score,
                    citation,
                    retracted,
                });
            }
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
        // Floors one mean gap below each minimum: BM25 10 − 20/3 = 10/3, so x 1, y 0.625,
        // z 0.25; cosine 0.5 − 0.4/3 = 1.1/3, so y 1, z 0.8125, w 0.25. Absent scores 0.
        assert!((score("y") - (0.5 * 0.625 + 0.5 * 1.0)).abs() < 1e-6);
        assert!((score("z") - (0.5 * 0.25 + 0.5 * 0.8125)).abs() < 1e-6);
        assert!((score("x") - 0.5).abs() < 1e-6);
        assert!((score("w") - 0.5 * 0.25).abs() < 1e-6);
        let order: Vec<&str> = fused.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(order, ["y", "z", "x", "w"]);
        // All BM25: the BM25 order, its lowest candidate above the unretrieved w.
        let only_bm25: Vec<String> = fuse_convex(&bm25, &cos, 1.0)
            .into_iter()
            .take(3)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(only_bm25, ["x", "y", "z"]);
    }

    #[test]
    fn a_list_of_equal_scores_normalises_to_one() {
        let one = vec![("x".to_string(), 3.0)];
        let fused = fuse_convex(&one, &[], 0.5);
        assert_eq!(fused, [("x".to_string(), 0.5)]);
    }

    #[test]
    fn modes_parse() {
        assert_eq!("bm25".parse::<Mode>().unwrap(), Mode::Bm25);
        assert!("fuzzy".parse::<Mode>().is_err());
    }
}
