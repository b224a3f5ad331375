//! SciFact as the ingest and embedding benches read it: the corpus lines, and the passages
//! ingest would embed, in ingest's order and batches.

use hypatia::embed::Embedder;
use hypatia::ingest::pipeline::{self, IngestOptions};
use hypatia::store::{Store, StoreOptions};

/// The BEIR folder (`HYPATIA_SCIFACT`, default ../shared/data/scifact).
pub fn dataset() -> String {
    std::env::var("HYPATIA_SCIFACT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/scifact").into())
}

/// The first `HYPATIA_BENCH_LIMIT` (default `default_limit`) non-empty lines of the corpus.
pub fn corpus_lines(default_limit: usize) -> anyhow::Result<Vec<String>> {
    let limit: usize = std::env::var("HYPATIA_BENCH_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_limit);
    let path = format!("{}/corpus.jsonl", dataset());
    let corpus = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    Ok(corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(limit)
        .map(String::from)
        .collect())
}

/// The passage texts ingest would embed for `lines`, in batches of about `batch` texts cut at
/// paper boundaries (as ingest's batches are).
pub fn passage_batches(
    store: &Store,
    lines: &[String],
    opts: &IngestOptions,
    batch: usize,
) -> anyhow::Result<Vec<Vec<String>>> {
    let mut batches: Vec<Vec<String>> = vec![Vec::new()];
    for rec in hypatia_ingest::parse(
        hypatia_ingest::Format::BeirJsonl,
        "scifact/corpus.jsonl",
        lines.join("\n").as_bytes(),
    ) {
        let paper = rec?.paper;
        let identity = pipeline::Identity::of(store.base(), &paper);
        let texts = pipeline::prepare(
            store,
            &paper,
            hypatia_ingest::Format::BeirJsonl,
            &opts.chunk,
            &identity,
            &hypatia_extract::Lexicon::empty(),
        )
        .texts;
        if batches.last().is_some_and(|b| b.len() >= batch) {
            batches.push(Vec::new());
        }
        batches.last_mut().unwrap().extend(texts);
    }
    Ok(batches)
}

/// A fresh store in `dir` for `model`'s vectors.
pub fn open_store(dir: &std::path::Path, model: &dyn Embedder) -> anyhow::Result<Store> {
    Ok(Store::open(
        dir,
        &StoreOptions {
            model: Some(model.identity()),
            ..Default::default()
        },
    )?)
}
