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
                exclude_retracted: false,
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
/// then fused every way in `settings` by [`search::hybrid`], cut to [`EVAL_PASSAGES`] passages
/// and collapsed to papers, as [`evaluate`] scores them. (Every candidate of an evaluation store
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
            exclude_retracted: false,
        };
        lists.push(search::hybrid_candidates(store, Some(embedder), &req)?);
    }
    Ok(settings
        .iter()
        .map(|(name, tuning)| {
            let (mut ndcg, mut recall) = (0.0, 0.0);
            for (q, (bm25, vector)) in queries.iter().zip(&lists) {
                let fused = search::hybrid(bm25, vector, tuning);
                let ranking = papers_in_order(fused.iter().take(EVAL_PASSAGES).map(|(k, _)| k.as_str()));
                ndcg += ndcg_at(NDCG_AT, &ranking, &q.relevant);
                recall += recall_at(RECALL_AT, &ranking, &q.relevant);
            }
            let n = queries.len().max(1) as f64;
            GridPoint {
                setting: name.clone(),
                ndcg_at_10: ndcg / n,
                recall_at_100: recall / n,
            }
        })
        .collect())
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
