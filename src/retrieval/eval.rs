//! Retrieval evaluation on BEIR-format data (corpus, queries, qrels): nDCG@10 and recall@100
//! per search mode, scored at the document (paper) level as BEIR does, on the ranking the
//! search API serves.
//!
//! - **Served = measured:** the ranking scored is [`search::search`]'s, the function behind
//!   `/search`, MCP `search` and `hyp:search`, asked for [`EVAL_PASSAGES`] passages; they
//!   collapse to papers in rank order (a paper ranks where its first passage does). The fusion
//!   grid fuses the lists that function fuses, with the same code.
//! - **Metrics as trec_eval computes them** (BEIR scores through pytrec_eval): nDCG@10 with the
//!   grade itself as gain, a log2(rank + 1) discount and the ideal ranking built from the judged
//!   grades; recall@100 over documents graded above 0. Grades ≤ 0 gain nothing.
//! - **Judgements reach papers through the stored corpus id:** a paper's IRI follows its
//!   strongest identifier (a DOI in a BEIR record's metadata names the paper by its DOI), but
//!   every paper from a BEIR corpus carries `hyp:corpusId` `collection:id`, and qrels map through
//!   that. Judged documents no stored paper carries are counted and kept as relevant documents
//!   nothing can retrieve, never silently dropped.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::common::error::{Error, Result};
use crate::common::ids;
use crate::embed::Embedder;
use crate::retrieval::rerank;
use crate::retrieval::search::{self, Mode, SearchRequest, Tuning};
use crate::store::queries;
use crate::store::Store;

/// Rank cut-off of nDCG.
pub const NDCG_AT: usize = 10;
/// Rank cut-off of recall.
pub const RECALL_AT: usize = 100;
/// Passages each evaluated search asks for: the depth up to which a hybrid ranking does not
/// depend on `k` ([`search::HYBRID_DEPTH`]), so that the scored ranking's top is what `/search`
/// serves at any smaller `k`, and enough to fill the top [`RECALL_AT`] papers.
pub const EVAL_PASSAGES: usize = search::HYBRID_DEPTH;

/// One query with its relevance judgements (paper key → grade).
#[derive(Debug, Clone)]
pub struct Judged {
    /// Query id.
    pub id: String,
    /// Query text.
    pub text: String,
    /// Relevant papers (grade > 0) by paper key, with their grades. A judged document no stored
    /// paper carries is keyed `unmapped:<corpus id>`, which no ranking holds.
    pub relevant: HashMap<String, u32>,
}

/// A BEIR split's judged queries, mapped onto the stored papers.
#[derive(Debug, Clone)]
pub struct Judgements {
    /// The judged queries with at least one relevant document, in the queries file's order.
    pub queries: Vec<Judged>,
    /// The corpus collection the judgements name (`scifact`).
    pub collection: String,
    /// Distinct documents the split's qrels judge (any grade).
    pub documents: usize,
    /// Judged document ids that no stored paper of the collection carries, sorted.
    pub unmapped: Vec<String>,
}

impl Judgements {
    /// Share of judged documents no stored paper carries.
    pub fn unmapped_share(&self) -> f64 {
        self.unmapped.len() as f64 / self.documents.max(1) as f64
    }
}

/// Reads BEIR `queries-SPLIT.jsonl` and `qrels-SPLIT.tsv` from `dir` and maps every judged
/// corpus id to the stored paper carrying it in the collection the BEIR parser names after
/// `dir/corpus.jsonl`.
pub fn load_beir(dir: &Path, split: &str, store: &Store) -> Result<Judgements> {
    let collection = hypatia_ingest::beir::collection_name(&dir.join("corpus.jsonl").display().to_string());
    let qrels = read_qrels(&dir.join(format!("qrels-{split}.tsv")))?;
    let papers = corpus_papers(store, &collection)?;
    let mut unmapped = BTreeSet::new();
    let mut documents = BTreeSet::new();
    let mut relevant: HashMap<&str, HashMap<String, u32>> = HashMap::new();
    for (query, doc, grade) in &qrels {
        documents.insert(doc.as_str());
        let key = match papers.get(doc) {
            Some(key) => key.clone(),
            None => {
                unmapped.insert(doc.clone());
                format!("unmapped:{doc}")
            }
        };
        if *grade > 0 {
            relevant.entry(query).or_default().insert(key, *grade as u32);
        }
    }
    let mut queries = Vec::new();
    for (id, text) in read_queries(&dir.join(format!("queries-{split}.jsonl")))? {
        if let Some(relevant) = relevant.remove(id.as_str()) {
            queries.push(Judged { id, text, relevant });
        }
    }
    Ok(Judgements {
        queries,
        collection,
        documents: documents.len(),
        unmapped: unmapped.into_iter().collect(),
    })
}

/// The rows of a BEIR qrels file: (query id, corpus id, grade); a `query-id` header is skipped.
fn read_qrels(path: &Path) -> Result<Vec<(String, String, i32)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if i == 0 && cols.first() == Some(&"query-id") || cols.len() < 3 {
            continue;
        }
        let grade = cols[2].parse().map_err(|_| {
            Error::invalid(
                "qrels",
                format!("{}: line {}: bad score `{}`", path.display(), i + 1, cols[2]),
            )
        })?;
        out.push((cols[0].to_string(), cols[1].to_string(), grade));
    }
    Ok(out)
}

/// The (id, text) of each query of a BEIR queries file, in file order.
fn read_queries(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Error::invalid("queries", format!("{}: line {}: {e}", path.display(), i + 1)))?;
        let id = v["_id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v["_id"].to_string());
        out.push((id, v["text"].as_str().unwrap_or_default().to_string()));
    }
    Ok(out)
}

/// Corpus id → paper key of every stored paper of `collection`, from the `hyp:corpusId` facts in
/// the papers' own graphs (one scan; a fact about a paper in any other graph does not count).
pub fn corpus_papers(store: &Store, collection: &str) -> Result<HashMap<String, String>> {
    let prefix = format!("{collection}:");
    let mut out = HashMap::new();
    for row in queries::select(store, queries::CORPUS_IDS, &[])? {
        let (Some(paper), Some(g), Some(corpus)) = (row.get("paper"), row.get("g"), row.get("corpus")) else {
            continue;
        };
        let key = ids::paper_key(paper);
        if let Some(id) = corpus.strip_prefix(&prefix) {
            if *g == store.base().paper_graph(&key) {
                out.insert(id.to_string(), key);
            }
        }
    }
    Ok(out)
}

/// nDCG@k of a ranking against graded judgements, as trec_eval's `ndcg_cut` computes it: the
/// grade as gain, discount log2(rank + 1), ideal DCG from the judged grades.
pub fn ndcg_at(k: usize, ranking: &[String], relevant: &HashMap<String, u32>) -> f64 {
    let dcg = |grades: &mut dyn Iterator<Item = u32>| -> f64 {
        grades
            .take(k)
            .enumerate()
            .map(|(i, g)| f64::from(g) / (i as f64 + 2.0).log2())
            .sum()
    };
    let mut ideal: Vec<u32> = relevant.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg(&mut ideal.into_iter());
    if idcg == 0.0 {
        return 0.0;
    }
    dcg(&mut ranking.iter().map(|d| relevant.get(d).copied().unwrap_or(0))) / idcg
}

/// Recall@k: share of relevant documents in the top k.
pub fn recall_at(k: usize, ranking: &[String], relevant: &HashMap<String, u32>) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    ranking.iter().take(k).filter(|d| relevant.contains_key(*d)).count() as f64 / relevant.len() as f64
}

/// Scores of one mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeScores {
    /// The mode.
    pub mode: Mode,
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean recall@100.
    pub recall_at_100: f64,
    /// Queries scored.
    pub queries: usize,
    /// Queries whose [`EVAL_PASSAGES`] served passages came from fewer than [`RECALL_AT`] papers
    /// although the retriever had more passages: their recall@100 is cut short by the depth.
    pub short: usize,
    /// Mean milliseconds per query: a search of [`EVAL_PASSAGES`] passages, all cited.
    pub mean_ms: f64,
}

/// Papers in the order of their first passage in `passages`.
fn papers_in_order<'a>(passages: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    passages
        .into_iter()
        .map(|p| ids::paper_key_of_passage(p).to_string())
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

/// Scores each mode over the judged queries on the served ranking: [`search::search`] for
/// [`EVAL_PASSAGES`] passages, collapsed to papers.
pub fn evaluate(
    store: &Store,
    embedder: Option<&dyn Embedder>,
    queries: &[Judged],
    modes: &[Mode],
    tuning: Tuning,
) -> Result<Vec<ModeScores>> {
    let mut out = Vec::new();
    for &mode in modes {
        let (mut ndcg, mut recall, mut short) = (0.0, 0.0, 0);
        let started = std::time::Instant::now();
        for q in queries {
            let req = SearchRequest {
                query: q.text.clone(),
                mode,
                k: EVAL_PASSAGES,
                filter: Default::default(),
                tuning,
                ..Default::default()
            };
            let hits = search::search(store, embedder, &req)?;
            let ranking = papers_in_order(hits.iter().map(|h| h.citation.passage.as_str()));
            if ranking.len() < RECALL_AT && hits.len() == EVAL_PASSAGES {
                short += 1;
            }
            ndcg += ndcg_at(NDCG_AT, &ranking, &q.relevant);
            recall += recall_at(RECALL_AT, &ranking, &q.relevant);
        }
        let n = queries.len().max(1) as f64;
        out.push(ModeScores {
            mode,
            ndcg_at_10: ndcg / n,
            recall_at_100: recall / n,
            queries: queries.len(),
            short,
            mean_ms: started.elapsed().as_secs_f64() * 1000.0 / n,
        });
    }
    Ok(out)
}

/// One fusion setting's scores in a grid.
#[derive(Debug, Clone, Serialize)]
pub struct GridPoint {
    /// The setting, e.g. `rrf k=20 w=1.0` or `convex a=0.3`.
    pub setting: String,
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean recall@100.
    pub recall_at_100: f64,
}

/// Scores many hybrid fusion settings at once on the served ranking: each query's candidate
/// lists ([`search::hybrid_candidates`], as [`search::search`] fetches them) are fetched once,
/// then fused every way in `settings` by [`search::hybrid`] (and reranked when a setting's
/// [`Tuning::rerank`] is on, as search does), cut to [`EVAL_PASSAGES`] passages and collapsed to
/// papers, as [`evaluate`] scores them. (Every candidate of an evaluation store
/// is visible, so no hit is dropped between fusion and citation.)
pub fn fusion_grid(
    store: &Store,
    embedder: &dyn Embedder,
    queries: &[Judged],
    title_boost: f32,
    settings: &[(String, Tuning)],
) -> Result<Vec<GridPoint>> {
    let mut lists = Vec::with_capacity(queries.len());
    for q in queries {
        let req = SearchRequest {
            query: q.text.clone(),
            mode: Mode::Hybrid,
            k: EVAL_PASSAGES,
            filter: Default::default(),
            tuning: Tuning {
                title_boost,
                ..Tuning::default()
            },
            ..Default::default()
        };
        lists.push(search::hybrid_candidates(store, Some(embedder), &req)?);
    }
    let mut out = Vec::with_capacity(settings.len());
    for (name, tuning) in settings {
        let (mut ndcg, mut recall) = (0.0, 0.0);
        for (q, (bm25, vector)) in queries.iter().zip(&lists) {
            let mut fused = search::hybrid(bm25, vector, tuning);
            if tuning.rerank {
                fused = rerank::rerank_fused(store, &q.text, bm25, vector, fused)?;
            }
            let ranking = papers_in_order(fused.iter().take(EVAL_PASSAGES).map(|(k, _)| k.as_str()));
            ndcg += ndcg_at(NDCG_AT, &ranking, &q.relevant);
            recall += recall_at(RECALL_AT, &ranking, &q.relevant);
        }
        let n = queries.len().max(1) as f64;
        out.push(GridPoint {
            setting: name.clone(),
            ndcg_at_10: ndcg / n,
            recall_at_100: recall / n,
        });
    }
    Ok(out)
}

/// Folds of the reranker's cross-validation.
pub const FOLDS: usize = 5;

/// The fold of the `i`-th judged query (in the queries file's order): `i mod FOLDS`, fixed and
/// independent of any score.
pub fn fold_of(i: usize) -> usize {
    i % FOLDS
}

/// One query's hybrid candidates as [`search::search`] computes them, with the reranker's
/// features of the first fused ones: what cross-validation ranks, fetched once.
#[derive(Debug, Clone)]
pub struct Candidates {
    /// BM25 passages, best first.
    pub bm25: search::Ranked,
    /// Vector passages, best first.
    pub vector: search::Ranked,
    /// The fused list.
    pub fused: search::Ranked,
    /// [`rerank::candidate_features`] of the first fused passages.
    pub features: Vec<rerank::Features>,
}

/// The candidates of each query under `tuning`'s fusion, as a hybrid search fetches them.
pub fn candidates(
    store: &Store,
    embedder: &dyn Embedder,
    queries: &[Judged],
    tuning: Tuning,
) -> Result<Vec<Candidates>> {
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        let req = SearchRequest {
            query: q.text.clone(),
            mode: Mode::Hybrid,
            k: EVAL_PASSAGES,
            tuning,
            ..SearchRequest::default()
        };
        let (bm25, vector) = search::hybrid_candidates(store, Some(embedder), &req)?;
        let fused = search::hybrid(&bm25, &vector, &tuning);
        let keys: Vec<String> = fused
            .iter()
            .take(rerank::RERANK_DEPTH)
            .map(|(k, _)| k.clone())
            .collect();
        let stored = store
            .text()
            .passages(&keys)?
            .into_iter()
            .map(|p| (p.key.clone(), p))
            .collect();
        let features = rerank::candidate_features(&q.text, &bm25, &vector, &fused, &stored);
        out.push(Candidates {
            bm25,
            vector,
            fused,
            features,
        });
    }
    Ok(out)
}

/// The reranker's training rows of one query: each re-scored candidate, labelled by whether its
/// paper is judged relevant.
pub fn training_rows(q: &Judged, c: &Candidates) -> Vec<(rerank::Features, bool)> {
    c.fused
        .iter()
        .zip(&c.features)
        .map(|((key, _), x)| (*x, q.relevant.contains_key(ids::paper_key_of_passage(key))))
        .collect()
}

/// Fits the reranker on the given queries.
pub fn fit_reranker(
    version: &str,
    trained_on: &str,
    queries: &[Judged],
    cands: &[Candidates],
    objective: rerank::Objective,
) -> Result<rerank::RerankModel> {
    let rows: Vec<_> = queries.iter().zip(cands).map(|(q, c)| training_rows(q, c)).collect();
    rerank::RerankModel::fit(version, trained_on, &rows, objective)
}

/// One ranker's cross-validated scores.
#[derive(Debug, Clone, Serialize)]
pub struct CvScores {
    /// `bm25`, `vector`, `hybrid` or `reranked`.
    pub ranker: String,
    /// nDCG@10 of each held-out fold.
    pub fold_ndcg: Vec<f64>,
    /// Mean over folds of nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean over folds of recall@100.
    pub recall_at_100: f64,
}

/// The rankers cross-validation compares.
pub const CV_RANKERS: [&str; 4] = ["bm25", "vector", "hybrid", "reranked"];

/// `FOLDS`-fold cross-validation of the reranker over `queries` ([`fold_of`]): for each fold, a
/// model fitted on the other folds ranks the fold's queries. BM25, vector and hybrid learn
/// nothing here and are scored on the same folds (hybrid's fusion setting was chosen on all of
/// SciFact's training claims, so its figure is in-sample).
pub fn cross_validate(queries: &[Judged], cands: &[Candidates], objective: rerank::Objective) -> Result<Vec<CvScores>> {
    let mut per = vec![(vec![0.0; FOLDS], vec![0.0; FOLDS]); CV_RANKERS.len()];
    let mut sizes = [0usize; FOLDS];
    for (fold, size) in sizes.iter_mut().enumerate() {
        let (train_q, train_c): (Vec<Judged>, Vec<Candidates>) = queries
            .iter()
            .zip(cands)
            .enumerate()
            .filter(|(i, _)| fold_of(*i) != fold)
            .map(|(_, (q, c))| (q.clone(), c.clone()))
            .unzip();
        let model = fit_reranker("cv", "cv", &train_q, &train_c, objective)?;
        for (i, (q, c)) in queries.iter().zip(cands).enumerate() {
            if fold_of(i) != fold {
                continue;
            }
            *size += 1;
            for (r, ranking) in rankings(&model, c).iter().enumerate() {
                per[r].0[fold] += ndcg_at(NDCG_AT, ranking, &q.relevant);
                per[r].1[fold] += recall_at(RECALL_AT, ranking, &q.relevant);
            }
        }
    }
    Ok(CV_RANKERS
        .iter()
        .zip(per)
        .map(|(name, (ndcg, recall))| {
            let fold_ndcg: Vec<f64> = ndcg.iter().zip(&sizes).map(|(s, n)| s / (*n).max(1) as f64).collect();
            let fold_recall: Vec<f64> = recall.iter().zip(&sizes).map(|(s, n)| s / (*n).max(1) as f64).collect();
            CvScores {
                ranker: name.to_string(),
                ndcg_at_10: fold_ndcg.iter().sum::<f64>() / FOLDS as f64,
                recall_at_100: fold_recall.iter().sum::<f64>() / FOLDS as f64,
                fold_ndcg,
            }
        })
        .collect())
}

/// Mean nDCG@10 and recall@100 of `model`'s reranking over `queries`.
pub fn score_reranker(model: &rerank::RerankModel, queries: &[Judged], cands: &[Candidates]) -> (f64, f64) {
    let (mut ndcg, mut recall) = (0.0, 0.0);
    for (q, c) in queries.iter().zip(cands) {
        let ranking = &rankings(model, c)[3];
        ndcg += ndcg_at(NDCG_AT, ranking, &q.relevant);
        recall += recall_at(RECALL_AT, ranking, &q.relevant);
    }
    let n = queries.len().max(1) as f64;
    (ndcg / n, recall / n)
}

/// The paper rankings of [`CV_RANKERS`] for one query: each list cut to [`EVAL_PASSAGES`]
/// passages and collapsed to papers, as [`evaluate`] scores the served ones.
fn rankings(model: &rerank::RerankModel, c: &Candidates) -> [Vec<String>; 4] {
    let papers = |list: &search::Ranked| papers_in_order(list.iter().take(EVAL_PASSAGES).map(|(k, _)| k.as_str()));
    let reranked = rerank::rerank(model, c.fused.clone(), &c.features);
    [papers(&c.bm25), papers(&c.vector), papers(&c.fused), papers(&reranked)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn ndcg_of_perfect_and_reversed_rankings() {
        let rel: HashMap<String, u32> = [("a".to_string(), 1)].into();
        assert!((ndcg_at(10, &docs(&["a", "b"]), &rel) - 1.0).abs() < 1e-12);
        let second = ndcg_at(10, &docs(&["b", "a"]), &rel);
        assert!((second - 1.0 / 3f64.log2()).abs() < 1e-12);
        assert_eq!(ndcg_at(10, &docs(&["b"]), &rel), 0.0);
        assert_eq!(recall_at(100, &docs(&["b", "a"]), &rel), 1.0);
    }

    /// A graded case, as trec_eval scores it (linear gain, not 2^g − 1). Judged: a 2, b 1, c 2,
    /// d 1 (e judged 0 is not in `relevant`); ranking a, x (unjudged), b, e, c; d is missed.
    ///   DCG  = 2/log2(2) + 0/log2(3) + 1/log2(4) + 0/log2(5) + 2/log2(6)
    ///        = 2 + 0 + 0.5 + 0 + 0.7737056144690833 = 3.2737056144690833
    ///   IDCG = 2/log2(2) + 2/log2(3) + 1/log2(4) + 1/log2(5)   (grades sorted 2, 2, 1, 1)
    ///        = 2 + 1.261859507142915 + 0.5 + 0.43067655807339306 = 4.192536065216308
    ///   nDCG@10 = 0.7808413722733667; recall@100 = 3/4.
    /// pytrec_eval-terrier 0.5.11 (`ndcg_cut.10`, `recall.100`) on the same qrels and run gives
    /// ndcg_cut_10 0.7808413722733667 and recall_100 0.75. Exponential gain (2^g − 1) gives 0.8003.
    #[test]
    fn graded_ndcg_matches_trec_eval() {
        let rel: HashMap<String, u32> = [("a", 2), ("b", 1), ("c", 2), ("d", 1)]
            .into_iter()
            .map(|(d, g)| (d.to_string(), g))
            .collect();
        let ranking = docs(&["a", "x", "b", "e", "c"]);
        assert!((ndcg_at(10, &ranking, &rel) - 0.7808413722733667).abs() < 1e-12);
        assert_eq!(recall_at(100, &ranking, &rel), 0.75);
        // The cut-off applies to the ranking and to the ideal alike.
        let at2 = (2.0 + 0.0) / (2.0 + 2.0 / 3f64.log2());
        assert!((ndcg_at(2, &ranking, &rel) - at2).abs() < 1e-12);
    }

    #[test]
    fn papers_rank_where_their_first_passage_does() {
        let passages = ["aaaa-3", "bbbb-0", "aaaa-1", "cccc-2"];
        assert_eq!(papers_in_order(passages), ["aaaa", "bbbb", "cccc"]);
    }
}
