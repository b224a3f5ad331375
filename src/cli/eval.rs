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
    let scores = hypatia::retrieval::eval::evaluate(
        &store,
        Some(embedder.as_ref()),
        &queries,
        &hypatia::retrieval::search::Mode::ALL,
        tuning,
    )?;
    println!(
        "{:<8} {:>9} {:>11} {:>8} {:>7} {:>9}",
        "mode", "nDCG@10", "recall@100", "queries", "short", "ms/query"
    );
    for s in &scores {
        println!(
            "{:<8} {:>9.4} {:>11.4} {:>8} {:>7} {:>9.1}",
            s.mode.name(),
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
    Ok(())
}
