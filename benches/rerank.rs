//! Hybrid search latency with and without the learned reranker, in process, on a store of the
//! whole SciFact corpus (the size the reranker's budget is set at: hybrid p50 <= 30 ms on 2 cores).
//!
//! Each SciFact training claim is searched through `search::search` (query embedding, BM25,
//! vector, fusion, the reranker when on, citations) for k = 10, once per setting, the two settings
//! alternating query by query so that both see the same machine load; a warm-up pass over other
//! claims comes first. Prints p50 and p99 of each and their ratio.
//!
//! `HYPATIA_SCIFACT_STORE=~/.cache/hypatia/scifact-store bash scripts/bench.sh rerank` (build the
//! store with `scripts/train-rerank.sh` or `hypatia eval beir`). Environment: HYPATIA_SCIFACT (the
//! BEIR folder, default ../shared/data/scifact), HYPATIA_RERANK_QUERIES (300), HYPATIA_RERANK_K
//! (10).

use std::time::Instant;

use anyhow::Context;
use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::retrieval::search::{self, Mode, SearchRequest, Tuning};
use hypatia::store::{Store, StoreOptions};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let dir = std::env::var("HYPATIA_SCIFACT_STORE").context("set HYPATIA_SCIFACT_STORE to a SciFact store")?;
    let data = std::env::var("HYPATIA_SCIFACT").unwrap_or_else(|_| "../shared/data/scifact".into());
    let (n, k): (usize, usize) = (env_or("HYPATIA_RERANK_QUERIES", 300), env_or("HYPATIA_RERANK_K", 10));
    let model = FastEmbedder::load(&ModelLocation {
        threads: Some(2),
        ..Default::default()
    })?;
    let store = Store::open(
        std::path::Path::new(&dir),
        &StoreOptions {
            model: Some(model.identity()),
            ..Default::default()
        },
    )?;
    let claims: Vec<String> = std::fs::read_to_string(format!("{data}/queries-train.jsonl"))?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let search = |q: &str, rerank: bool| -> anyhow::Result<f64> {
        let req = SearchRequest {
            query: q.to_string(),
            mode: Mode::Hybrid,
            k,
            tuning: Tuning {
                rerank,
                ..Tuning::default()
            },
            ..SearchRequest::default()
        };
        let t = Instant::now();
        search::search(&store, Some(&model), &req)?;
        Ok(t.elapsed().as_secs_f64() * 1000.0)
    };
    for q in claims.iter().rev().take(30) {
        search(q, false)?;
        search(q, true)?;
    }
    let (mut off, mut on) = (Vec::new(), Vec::new());
    for q in claims.iter().take(n) {
        off.push(search(q, false)?);
        on.push(search(q, true)?);
    }
    off.sort_by(f64::total_cmp);
    on.sort_by(f64::total_cmp);
    println!(
        "SciFact store {dir}: {} passages; {} claims, k = {k}, search::search in process",
        store.text().num_passages(),
        off.len()
    );
    println!("{:<16} {:>8} {:>8}", "hybrid", "p50 ms", "p99 ms");
    println!(
        "{:<16} {:>8.1} {:>8.1}",
        "fused",
        percentile(&off, 0.5),
        percentile(&off, 0.99)
    );
    println!(
        "{:<16} {:>8.1} {:>8.1}",
        "fused+reranked",
        percentile(&on, 0.5),
        percentile(&on, 0.99)
    );
    println!(
        "p50 ratio reranked / fused: {:.2}",
        percentile(&on, 0.5) / percentile(&off, 0.5)
    );
    Ok(())
}
