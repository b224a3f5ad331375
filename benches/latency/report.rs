//! The printed report: the corpus and query lines, one column per N, the exact-scan checks, the
//! large N against the small one, and the goals.

use std::collections::BTreeMap;

use crate::corpus::Source;
use crate::measure::{candidate_depth, percentile, Report, Timings, K};

/// Goals of the issue.
const GOAL_P50_MS: f64 = 10.0;
const GOAL_P99_MS: f64 = 40.0;
const GOAL_RECALL: f64 = 0.95;

#[allow(clippy::too_many_arguments)]
pub(crate) fn print_report(
    reports: &[Report],
    src: &Source,
    embed_sample_s: f64,
    embed_ms: &[f64],
    real_nn: f64,
    synth_to_source: f64,
    n_timed: usize,
    n_warm: usize,
    total_s: f64,
) {
    println!();
    println!(
        "latency: {} real SciFact passages ({} embedded by the real model in {:.0} s, {:.1} passages/s), synthetic passages up to N",
        src.real.len(),
        src.sample,
        embed_sample_s,
        src.sample as f64 / embed_sample_s
    );
    println!(
        "  vectors: real nearest sampled neighbour cosine {real_nn:.3} (mean); synthetic vector to nearest real sample {synth_to_source:.3} (noise {})",
        src.noise
    );
    println!("  queries: {n_timed} SciFact training claims timed after {n_warm} warm-up claims; k = {K}, hybrid depth {} per retriever", candidate_depth());
    println!(
        "  query embedding (real model, one claim per call): p50 {:.2} ms, p99 {:.2} ms",
        percentile(embed_ms, 50.0),
        percentile(embed_ms, 99.0)
    );
    println!();
    let mut rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let labels = [
        "passages N",
        "HNSW M / ef_construction / ef_search",
        "build: generate (s)",
        "build: text index (s)",
        "build: vector index (s)",
        "build: HNSW checkpoint dump (s)",
        "build: wall total (s)",
        "insert rate (vectors/s)",
        "disk: text / vector (MB)",
        "text index segments",
        "peak RSS so far (MB)",
        "bm25 p50 / p99 (ms)",
        "vector p50 / p99 (ms)",
        "bm25 at hybrid depth p50 / p99 (ms)",
        "vector at hybrid depth p50 / p99 (ms)",
        "hybrid p50 / p99 (ms)",
        "hybrid+fetch p50 / p99 (ms)",
        "embed+hybrid p50 / p99 (ms)",
        "recall@10 (HNSW vs exact)",
        "load average (1 min) when timed",
        "serving process: open (s)",
        "serving process: hybrid p50 / p99 (ms)",
        "serving process: RSS all / anon / file (MB)",
    ];
    let e2e = |t: &Timings| -> Vec<f64> { t.hybrid.iter().zip(embed_ms).map(|(h, e)| h + e).collect() };
    for r in reports {
        let b = r.built.as_ref();
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
        let pp = |v: &[f64]| format!("{:.2} / {:.2}", percentile(v, 50.0), percentile(v, 99.0));
        let col = vec![
            r.n.to_string(),
            format!("{} / {} / {}", r.params.m, r.params.ef_construction, r.params.ef_search),
            f(b.map(|b| b.generate_s)),
            f(b.map(|b| b.text_s)),
            f(b.map(|b| b.vector_s)),
            f(b.map(|b| b.checkpoint_s)),
            f(b.map(|b| b.wall_s)),
            f(b.map(|b| r.n as f64 / b.vector_s)),
            b.map_or("-".into(), |b| format!("{:.0} / {:.0}", b.text_mb, b.vector_mb)),
            b.map_or("-".into(), |b| b.text_segments.to_string()),
            format!("{:.0}", r.rss_mb),
            pp(&r.t.bm25),
            pp(&r.t.vector),
            pp(&r.t.bm25_deep),
            pp(&r.t.vector_deep),
            pp(&r.t.hybrid),
            pp(&r.t.hybrid_fetch),
            pp(&e2e(&r.t)),
            format!("{:.3}", r.t.recall),
            r.t.load.clone(),
            r.serving.map_or("-".into(), |s| format!("{:.1}", s.open_s)),
            r.serving
                .map_or("-".into(), |s| format!("{:.2} / {:.2}", s.hybrid_p50, s.hybrid_p99)),
            r.serving.map_or("-".into(), |s| {
                format!("{:.0} / {:.0} / {:.0}", s.rss_mb, s.anon_mb, s.file_mb)
            }),
        ];
        for (i, c) in col.into_iter().enumerate() {
            rows.entry(i).or_default().push(c);
        }
    }
    let width = 26;
    print!("{:<38}", "");
    for r in reports {
        print!("{:>width$}", format!("N = {}", r.n));
    }
    println!();
    for (i, cells) in rows {
        print!("{:<38}", labels[i]);
        for c in cells {
            print!("{c:>width$}");
        }
        println!();
    }
    println!();
    for r in reports {
        println!("  N {}: {}", r.n, r.exact_check);
    }
    if let (Some(small), Some(big)) = (reports.first(), reports.last()) {
        if reports.len() > 1 {
            let ratio = |a: &[f64], b: &[f64], p: f64| percentile(b, p) / percentile(a, p);
            println!(
                "  N {} against N {} (same process): bm25 p50 x{:.2}, vector p50 x{:.2}, hybrid p50 x{:.2} / p99 x{:.2}, recall {:+.3}, vector build x{:.1} for x{:.1} vectors",
                big.n,
                small.n,
                ratio(&small.t.bm25, &big.t.bm25, 50.0),
                ratio(&small.t.vector, &big.t.vector, 50.0),
                ratio(&small.t.hybrid, &big.t.hybrid, 50.0),
                ratio(&small.t.hybrid, &big.t.hybrid, 99.0),
                big.t.recall - small.t.recall,
                big.built.as_ref().map_or(f64::NAN, |b| b.vector_s)
                    / small.built.as_ref().map_or(f64::NAN, |b| b.vector_s),
                big.n as f64 / small.n as f64,
            );
        }
    }
    for r in reports {
        let p50 = percentile(&r.t.hybrid, 50.0);
        let p99 = percentile(&r.t.hybrid, 99.0);
        let e = e2e(&r.t);
        println!(
            "  goals at N {}: hybrid p50 {p50:.2} ms (goal {GOAL_P50_MS} ms, ratio {:.2}), p99 {p99:.2} ms (goal {GOAL_P99_MS} ms, ratio {:.2}), recall@10 {:.3} (goal {GOAL_RECALL}, ratio {:.3}); with query embedding p50 {:.2} ms (ratio {:.2}), p99 {:.2} ms (ratio {:.2})",
            r.n,
            p50 / GOAL_P50_MS,
            p99 / GOAL_P99_MS,
            r.t.recall,
            r.t.recall / GOAL_RECALL,
            percentile(&e, 50.0),
            percentile(&e, 50.0) / GOAL_P50_MS,
            percentile(&e, 99.0),
            percentile(&e, 99.0) / GOAL_P99_MS,
        );
    }
    println!(
        "  peak RSS {:.0} MB, whole run {:.0} s",
        hypatia::peak_rss_mb(),
        total_s
    );
}
