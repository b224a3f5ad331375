//! Search latency on a synthetic passage index of N passages (default 1,000,000): query
//! embedding, BM25, vector and hybrid search p50/p99, and recall@10 of the HNSW graph against an
//! exact scan, printed beside the same numbers at a small N (default 100,000) built in the same
//! process as the baseline.
//!
//! Goals (per search, in process): hybrid p50 <= 10 ms, p99 <= 40 ms; recall@10 >= 0.95.
//!
//! The index: real SciFact passages (cut by `passages::segment`, as ingest does) of which the
//! first HYPATIA_LATENCY_SAMPLE are embedded by the real model, then synthetic passages up to N.
//! A synthetic passage recombines sentences of a sampled passage A, of one of A's nearest
//! sampled neighbours B and of any real passage (so BM25 sees realistic terms and posting
//! lists); its vector is `normalise(w·vA + (1-w)·vB + noise)` with noise shaped like the real
//! sample's spread (a gaussian mix of centred real vectors), so vectors are clustered like real
//! ones, not uniform. The text index (tantivy) and the vector index (log + hnsw_rs) are the
//! store's own types, written directly: no journal and no oxigraph graph (whose RocksDB writes
//! would dominate the build and take no part in a search until citations). Citations through
//! the graph are therefore not timed; the passage fetch that precedes them is ("hybrid+fetch").
//!
//! Queries: SciFact training claims embedded one at a time by the real model (timed apart).
//! Each mode runs as its own pass over the timed queries after a warm-up on other claims.
//! Recall@10: HNSW top 10 against an exact scan of all vectors (SIMD dot in the bench; checked
//! against `VectorIndex::exact_search` on the first HYPATIA_LATENCY_EXACT queries).
//!
//! `bash scripts/bench.sh latency` (never `cargo bench`). Environment:
//! - HYPATIA_SCIFACT: BEIR folder (default ../shared/data/scifact)
//! - HYPATIA_LATENCY_N (1000000), HYPATIA_LATENCY_N_SMALL (100000; 0 skips the baseline)
//! - HYPATIA_LATENCY_SAMPLE (2000): passages embedded by the real model
//! - HYPATIA_LATENCY_QUERIES (500), HYPATIA_LATENCY_WARMUP (50), HYPATIA_LATENCY_EXACT (20)
//! - HYPATIA_LATENCY_M, HYPATIA_LATENCY_EF_CONSTRUCTION, HYPATIA_LATENCY_EF_SEARCH: HNSW
//!   parameters (default `HnswParams::default()`)
//! - HYPATIA_LATENCY_EF_SWEEP (e.g. "48,192"): ef_search values re-measured after a reopen
//! - HYPATIA_LATENCY_NOISE (0.5): noise norm against the unit signal of synthetic vectors
//! - HYPATIA_LATENCY_DIR: parent of the temporary index folders (default $TMPDIR)
//! - HYPATIA_LATENCY_MERGE (1): merge the text index into one segment before timing, as the
//!   store does after a bulk ingest; 0 keeps the segments the build leaves
//!
//! Last, a fresh process (`serving.rs`) opens the index as a server would and reports its open
//! time, hybrid latency and memory (resident, anonymous, file-backed).
//!
//! By file (in `latency/`): `corpus.rs` makes the synthetic passages, `index.rs` builds an index of
//! N of them, `measure.rs` times the searches and recall, `serving.rs` is the fresh process,
//! `report.rs` prints the tables; `main` here reads the environment and the queries.

#[path = "latency/corpus.rs"]
mod corpus;
#[path = "latency/index.rs"]
mod index;
#[path = "latency/measure.rs"]
mod measure;
#[path = "latency/report.rs"]
mod report;
#[path = "latency/serving.rs"]
mod serving;

use std::time::Instant;

use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::store::vector::HnswParams;

use corpus::{dot, load_source, Rng};
use measure::{ms, run_n, Report};
use report::print_report;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--serving") {
        return serving::serve(&args[2..]);
    }
    let dataset = std::env::var("HYPATIA_SCIFACT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/scifact").into());
    let n_big: usize = env_or("HYPATIA_LATENCY_N", 1_000_000);
    let n_small: usize = env_or("HYPATIA_LATENCY_N_SMALL", 100_000);
    let sample: usize = env_or("HYPATIA_LATENCY_SAMPLE", 2_000);
    let n_queries: usize = env_or("HYPATIA_LATENCY_QUERIES", 500);
    let n_warm: usize = env_or("HYPATIA_LATENCY_WARMUP", 50);
    let n_exact: usize = env_or("HYPATIA_LATENCY_EXACT", 20);
    let noise: f32 = env_or("HYPATIA_LATENCY_NOISE", 0.5);
    let d = HnswParams::default();
    let params = HnswParams {
        m: env_or("HYPATIA_LATENCY_M", d.m),
        ef_construction: env_or("HYPATIA_LATENCY_EF_CONSTRUCTION", d.ef_construction),
        ef_search: env_or("HYPATIA_LATENCY_EF_SEARCH", d.ef_search),
        ..d
    };

    let model = FastEmbedder::load(&ModelLocation::default())?;
    let started = Instant::now();
    let (src, embed_sample_s) = load_source(&dataset, sample, noise, &model)?;

    // Queries: SciFact training claims, embedded one at a time as a server would.
    let claims = std::fs::read_to_string(format!("{dataset}/queries-train.jsonl"))?;
    let claims: Vec<String> = claims
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).map(|v| v["text"].as_str().unwrap_or("").to_string()))
        .collect::<Result<_, _>>()?;
    let wanted = (n_warm + n_queries).min(claims.len());
    let mut embed_ms = Vec::new();
    let mut queries: Vec<(String, Vec<f32>)> = Vec::with_capacity(wanted);
    for (i, q) in claims.into_iter().take(wanted).enumerate() {
        let s = Instant::now();
        let v = model.embed(std::slice::from_ref(&q))?.pop().unwrap_or_default();
        if i >= n_warm {
            embed_ms.push(ms(s));
        }
        queries.push((q, v));
    }
    let (warm, timed) = queries.split_at(n_warm.min(queries.len()));

    // How clustered the vectors are: nearest sampled neighbour of a real passage, and of a
    // synthetic vector among its own siblings' sources.
    let real_nn: f64 = src
        .neighbours
        .iter()
        .enumerate()
        .map(|(i, nb)| f64::from(dot(&src.vectors[i], &src.vectors[nb[0]])))
        .sum::<f64>()
        / src.sample as f64;
    let mut rng = Rng(hypatia::common::rng::SplitMix(7));
    let synth_to_source: f64 = (0..500)
        .map(|i| {
            let it = src.item(src.sample + i, &mut rng);
            src.vectors
                .iter()
                .map(|v| f64::from(dot(v, &it.vector)))
                .fold(f64::MIN, f64::max)
        })
        .sum::<f64>()
        / 500.0;

    let mut reports = Vec::new();
    for n in [n_small, n_big] {
        if n == 0 || reports.iter().any(|r: &Report| r.n == n) {
            continue;
        }
        // The index is dropped (and its folder removed) before the next build.
        reports.push(run_n(&src, n.max(src.sample), params, warm, timed, n_exact)?);
    }

    print_report(
        &reports,
        &src,
        embed_sample_s,
        &embed_ms,
        real_nn,
        synth_to_source,
        timed.len(),
        warm.len(),
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}
