//! `hypatia eval beir`: retrieval quality on a BEIR-format collection.

use anyhow::bail;
use hypatia::embed::Embedder;
use hypatia::ingest::pipeline::{self, IngestOptions};
use hypatia::store::Store;

use super::args::Global;
use super::commands::{load_model, open};

/// The split's judgements mapped onto the store, after ingesting the corpus if the store lacks a
/// judged document; fails when too many judged documents stay unmapped.
pub(super) fn beir_judgements(
    g: &Global,
    store: &Store,
    embedder: &dyn Embedder,
    run: &BeirRun,
) -> anyhow::Result<hypatia::retrieval::eval::Judgements> {
    let mut judged = hypatia::retrieval::eval::load_beir(&run.dataset, &run.split, store)?;
    if !judged.unmapped.is_empty() {
        // A fresh store, an interrupted ingest or a store of another corpus. Papers already
        // stored unchanged are skipped, so an interrupted run resumes.
        let corpus = run.dataset.join("corpus.jsonl");
        eprintln!(
            "{} of {} judged documents are not in {}: ingesting {}",
            judged.unmapped.len(),
            judged.documents,
            g.data_dir.display(),
            corpus.display()
        );
        let report = pipeline::ingest_paths(store, embedder, &[corpus], &IngestOptions::default(), &|_| {})?;
        eprintln!(
            "ingested {} papers, {} passages in {:.1}s ({} failures)",
            report.papers,
            report.passages,
            report.elapsed.as_secs_f64(),
            report.failures.len()
        );
        judged = hypatia::retrieval::eval::load_beir(&run.dataset, &run.split, store)?;
    }
    let examples: Vec<&str> = judged.unmapped.iter().take(5).map(String::as_str).collect();
    println!(
        "{} `{}`: {} judged queries; {} of {} judged documents in no stored paper{}",
        judged.collection,
        run.split,
        judged.queries.len(),
        judged.unmapped.len(),
        judged.documents,
        if examples.is_empty() {
            String::new()
        } else {
            format!(" (e.g. {})", examples.join(", "))
        }
    );
    if judged.unmapped_share() > run.max_unmapped {
        bail!(
            "{:.1}% of the judged documents of {} are carried by no stored paper (no `hyp:corpusId {}:ID`), \
             above --max-unmapped {}: they would score as misses; is --data-dir a store of this corpus?",
            100.0 * judged.unmapped_share(),
            run.dataset.display(),
            judged.collection,
            run.max_unmapped
        );
    }
    Ok(judged)
}

/// What `eval beir` was asked to do.
pub(super) struct BeirRun {
    pub(super) dataset: std::path::PathBuf,
    pub(super) split: String,
    pub(super) limit: Option<usize>,
    pub(super) tuning: hypatia::retrieval::search::Tuning,
    pub(super) grid: bool,
    pub(super) rerank: bool,
    pub(super) fit: Option<std::path::PathBuf>,
    pub(super) max_unmapped: f64,
}

pub(super) fn eval_beir(g: &Global, run: &BeirRun) -> anyhow::Result<()> {
    let embedder = load_model(g)?;
    let store = open(g, Some(embedder.identity()))?;
    let judged = beir_judgements(g, &store, embedder.as_ref(), run)?;
    println!(
        "ranking: search::search (what /search serves) for {} passages per query, collapsed to papers; \
         default settings chosen on SciFact training claims{}",
        hypatia::retrieval::eval::EVAL_PASSAGES,
        if judged.collection == "scifact" && run.split == "train" {
            ", so these scores are in-sample"
        } else {
            ""
        }
    );
    let mut queries = judged.queries;
    if let Some(n) = run.limit {
        queries.truncate(n);
    }
    let tuning = run.tuning;
    if run.grid {
        use hypatia::retrieval::search::{Fusion, Tuning};
        let mut settings = Vec::new();
        for k in [5.0f32, 10.0, 20.0, 40.0, 60.0] {
            for w in [0.8f32, 1.0, 1.2, 1.5, 2.0] {
                settings.push((
                    format!("rrf k={k} w={w}"),
                    Tuning {
                        fusion: Fusion::Rrf,
                        rrf_k: k,
                        vector_weight: w,
                        ..tuning
                    },
                ));
            }
        }
        for a in [0.2f32, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7] {
            settings.push((
                format!("convex a={a}"),
                Tuning {
                    fusion: Fusion::Convex { alpha: a },
                    ..tuning
                },
            ));
        }
        let points =
            hypatia::retrieval::eval::fusion_grid(&store, embedder.as_ref(), &queries, tuning.title_boost, &settings)?;
        println!("{:<22} {:>9} {:>11}", "hybrid setting", "nDCG@10", "recall@100");
        for p in &points {
            println!("{:<22} {:>9.4} {:>11.4}", p.setting, p.ndcg_at_10, p.recall_at_100);
        }
        return Ok(());
    }
    if run.rerank {
        return rerank_cv(&store, embedder.as_ref(), &queries, run, &judged.collection);
    }
    let fused_only = hypatia::retrieval::search::Tuning {
        rerank: false,
        ..tuning
    };
    let mut scores = hypatia::retrieval::eval::evaluate(
        &store,
        Some(embedder.as_ref()),
        &queries,
        &hypatia::retrieval::search::Mode::ALL,
        fused_only,
    )?;
    scores.extend(hypatia::retrieval::eval::evaluate(
        &store,
        Some(embedder.as_ref()),
        &queries,
        &[hypatia::retrieval::search::Mode::Hybrid],
        hypatia::retrieval::search::Tuning { rerank: true, ..tuning },
    )?);
    println!(
        "{:<8} {:>9} {:>11} {:>8} {:>7} {:>9}",
        "mode", "nDCG@10", "recall@100", "queries", "short", "ms/query"
    );
    for (i, s) in scores.iter().enumerate() {
        println!(
            "{:<8} {:>9.4} {:>11.4} {:>8} {:>7} {:>9.1}",
            if i == 3 { "reranked" } else { s.mode.name() },
            s.ndcg_at_10,
            s.recall_at_100,
            s.queries,
            s.short,
            s.mean_ms
        );
    }
    println!(
        "short: queries whose {} passages held fewer than 100 papers; ms/query: one search of that many passages, all cited",
        hypatia::retrieval::eval::EVAL_PASSAGES
    );
    println!(
        "reranked: hybrid with the bundled reranker ({}), what /search serves by default{}",
        hypatia::retrieval::rerank::RerankModel::bundled().version,
        if tuning.rerank {
            ""
        } else {
            " (off in this run's defaults)"
        }
    );
    Ok(())
}

/// `eval beir --rerank`: the four rankers under cross-validation, the bundled reranker
/// in-sample, and with `--fit` a reranker fitted on every query, written out.
fn rerank_cv(
    store: &Store,
    embedder: &dyn Embedder,
    queries: &[hypatia::retrieval::eval::Judged],
    run: &BeirRun,
    collection: &str,
) -> anyhow::Result<()> {
    use hypatia::retrieval::{eval, rerank};
    let tuning = hypatia::retrieval::search::Tuning {
        rerank: false,
        ..run.tuning
    };
    let started = std::time::Instant::now();
    let cands = eval::candidates(store, embedder, queries, tuning)?;
    eprintln!(
        "candidates of {} queries in {:.1}s",
        queries.len(),
        started.elapsed().as_secs_f64()
    );
    let mut runs = Vec::new();
    for objective in rerank::OBJECTIVES {
        runs.push((objective, eval::cross_validate(queries, &cands, objective)?));
    }
    let ndcg_of = |cv: &[eval::CvScores]| cv.iter().find(|s| s.ranker == "reranked").map_or(0.0, |s| s.ndcg_at_10);
    let best = (0..runs.len()).fold(0, |b, i| {
        if ndcg_of(&runs[i].1) > ndcg_of(&runs[b].1) {
            i
        } else {
            b
        }
    });
    let (objective, cv) = &runs[best];
    println!(
        "{}-fold cross-validation over {} `{}` queries (fold = position mod {}); reranker re-scores the first {} fused passages",
        eval::FOLDS,
        queries.len(),
        run.split,
        eval::FOLDS,
        rerank::RERANK_DEPTH
    );
    println!(
        "{:<9} {:>9} {:>11}  nDCG@10 per held-out fold",
        "ranker", "nDCG@10", "recall@100"
    );
    for s in cv {
        let folds: Vec<String> = s.fold_ndcg.iter().map(|x| format!("{x:.4}")).collect();
        println!(
            "{:<9} {:>9.4} {:>11.4}  {}",
            s.ranker,
            s.ndcg_at_10,
            s.recall_at_100,
            folds.join(" ")
        );
    }
    println!("reranked: the objective of best cross-validated nDCG@10 of these (chosen on the same folds):");
    for (o, cv) in &runs {
        println!(
            "  {:<24} nDCG@10 {:.4}{}",
            o.name(),
            ndcg_of(cv),
            if o == objective { "  <- chosen" } else { "" }
        );
    }
    let bundled = rerank::RerankModel::bundled();
    let (ndcg, recall) = eval::score_reranker(bundled, queries, &cands);
    println!(
        "bundled reranker {} on these queries: nDCG@10 {ndcg:.4}, recall@100 {recall:.4} (in-sample when it was trained on them)",
        bundled.version
    );
    if let Some(path) = &run.fit {
        let version = format!("rerank-v1-{collection}-{}", run.split);
        let trained_on = format!(
            "{collection} `{}` split: {} queries, the first {} fused passages of each (labels: paper judged relevant), L2 {}",
            run.split,
            queries.len(),
            rerank::RERANK_DEPTH,
            rerank::L2
        );
        let model = eval::fit_reranker(&version, &trained_on, queries, &cands, *objective)?;
        let (ndcg, recall) = eval::score_reranker(&model, queries, &cands);
        println!(
            "fitted {version} on all {} queries: in-sample nDCG@10 {ndcg:.4}, recall@100 {recall:.4}",
            queries.len()
        );
        std::fs::write(path, serde_json::to_string_pretty(&model)? + "\n")?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
