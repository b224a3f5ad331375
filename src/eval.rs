//! Retrieval evaluation on BEIR-format data (corpus, queries, qrels): nDCG@10 and recall@100
//! per search mode, scored at the document (paper) level as BEIR does.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::ids;
use crate::search::{self, Mode, SearchRequest, Tuning};
use crate::store::Store;

/// One query with its relevance judgements (paper key → grade).
#[derive(Debug, Clone)]
pub struct Judged {
    /// Query id.
    pub id: String,
    /// Query text.
    pub text: String,
    /// Relevant paper keys with their grades.
    pub relevant: HashMap<String, u32>,
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
    /// Mean milliseconds per query.
    pub mean_ms: f64,
}

/// Reads BEIR `queries*.jsonl` and `qrels*.tsv` from `dir`, mapping corpus ids to paper keys
/// of the collection named after the folder (as the BEIR parser names it).
pub fn load_beir_queries(dir: &Path, split: &str, store: &Store) -> Result<Vec<Judged>> {
    let collection = dir.file_name().and_then(|n| n.to_str()).unwrap_or("beir").to_string();
    let qpath = dir.join(format!("queries-{split}.jsonl"));
    let rpath = dir.join(format!("qrels-{split}.tsv"));
    let qtext = std::fs::read_to_string(&qpath).map_err(|e| Error::io(&qpath, e))?;
    let rtext = std::fs::read_to_string(&rpath).map_err(|e| Error::io(&rpath, e))?;
    let key_of = |doc: &str| {
        let ids = hypatia_ingest::Identifiers {
            corpus: Some(hypatia_ingest::CorpusId {
                collection: collection.clone(),
                id: doc.to_string(),
            }),
            ..Default::default()
        };
        ids::paper_key(&ids::identifier_iri(store.base(), &ids).unwrap_or_default())
    };
    let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for (i, line) in rtext.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        if i == 0 && cols.first() == Some(&"query-id") || cols.len() < 3 {
            continue;
        }
        let grade: u32 = cols[2].trim().parse().map_err(|_| {
            Error::invalid(
                "qrels",
                format!("{}: line {}: bad score `{}`", rpath.display(), i + 1, cols[2]),
            )
        })?;
        if grade > 0 {
            qrels
                .entry(cols[0].to_string())
                .or_default()
                .insert(key_of(cols[1]), grade);
        }
    }
    let mut out = Vec::new();
    for (i, line) in qtext.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Error::invalid("queries", format!("{}: line {}: {e}", qpath.display(), i + 1)))?;
        let id = v["_id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v["_id"].to_string());
        if let Some(relevant) = qrels.remove(&id) {
            out.push(Judged {
                id,
                text: v["text"].as_str().unwrap_or_default().to_string(),
                relevant,
            });
        }
    }
    Ok(out)
}

/// nDCG@k of a ranking against graded judgements.
pub fn ndcg_at(k: usize, ranking: &[String], relevant: &HashMap<String, u32>) -> f64 {
    let gain = |g: u32| 2f64.powi(g as i32) - 1.0;
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| gain(*relevant.get(d).unwrap_or(&0)) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<u32> = relevant.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) / (i as f64 + 2.0).log2())
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// Recall@k: share of relevant documents in the top k.
pub fn recall_at(k: usize, ranking: &[String], relevant: &HashMap<String, u32>) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    ranking.iter().take(k).filter(|d| relevant.contains_key(*d)).count() as f64 / relevant.len() as f64
}

/// Scores each mode over the judged queries.
pub fn evaluate(
    store: &Store,
    embedder: Option<&dyn Embedder>,
    queries: &[Judged],
    modes: &[Mode],
    tuning: Tuning,
) -> Result<Vec<ModeScores>> {
    let mut out = Vec::new();
    for &mode in modes {
        let (mut ndcg, mut recall) = (0.0, 0.0);
        let started = std::time::Instant::now();
        for q in queries {
            let req = SearchRequest {
                query: q.text.clone(),
                mode,
                k: 100,
                filter: Default::default(),
                tuning,
            };
            let ranking: Vec<String> = search::rank_papers(store, embedder, &req)?
                .into_iter()
                .map(|(k, _)| k)
                .collect();
            ndcg += ndcg_at(10, &ranking, &q.relevant);
            recall += recall_at(100, &ranking, &q.relevant);
        }
        let n = queries.len().max(1) as f64;
        out.push(ModeScores {
            mode,
            ndcg_at_10: ndcg / n,
            recall_at_100: recall / n,
            queries: queries.len(),
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

/// Scores many hybrid fusion settings at once: each query's BM25 and vector paper lists are
/// computed once, then fused every way in `settings`.
pub fn fusion_grid(
    store: &Store,
    embedder: &dyn Embedder,
    queries: &[Judged],
    title_boost: f32,
    settings: &[(String, Tuning)],
) -> Result<Vec<GridPoint>> {
    let mut lists = Vec::with_capacity(queries.len());
    for q in queries {
        let req = |mode| SearchRequest {
            query: q.text.clone(),
            mode,
            k: 100,
            filter: Default::default(),
            tuning: Tuning {
                title_boost,
                ..Tuning::default()
            },
        };
        // The lists hybrid paper ranking fuses, exactly as it sees them.
        let bm25 = search::paper_list(store, Some(embedder), &req(Mode::Hybrid), Mode::Bm25)?;
        let vector = search::paper_list(store, Some(embedder), &req(Mode::Hybrid), Mode::Vector)?;
        lists.push((bm25, vector));
    }
    Ok(settings
        .iter()
        .map(|(name, tuning)| {
            let (mut ndcg, mut recall) = (0.0, 0.0);
            for (q, (bm25, vector)) in queries.iter().zip(&lists) {
                let ranking: Vec<String> = search::hybrid(bm25, vector, tuning)
                    .into_iter()
                    .take(100)
                    .map(|(k, _)| k)
                    .collect();
                ndcg += ndcg_at(10, &ranking, &q.relevant);
                recall += recall_at(100, &ranking, &q.relevant);
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

    #[test]
    fn ndcg_of_perfect_and_reversed_rankings() {
        let rel: HashMap<String, u32> = [("a".to_string(), 1)].into();
        assert!((ndcg_at(10, &["a".into(), "b".into()], &rel) - 1.0).abs() < 1e-12);
        let second = ndcg_at(10, &["b".into(), "a".into()], &rel);
        assert!((second - 1.0 / 3f64.log2()).abs() < 1e-12);
        assert_eq!(ndcg_at(10, &["b".into()], &rel), 0.0);
        assert_eq!(recall_at(100, &["b".into(), "a".into()], &rel), 1.0);
    }
}
