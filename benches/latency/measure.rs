//! The timed part: exact top-k by scan, BM25 / vector / hybrid / hybrid+fetch passes with their
//! percentiles and recall@10, one N at a time and an ef_search sweep.

use std::collections::HashSet;
use std::time::Instant;

use hypatia::retrieval::search::{self, Tuning, HYBRID_DEPTH};
use hypatia::store::text::TextIndex;
use hypatia::store::vector::{HnswParams, Tail, VectorIndex};
use hypatia::store::SearchFilter;

use crate::corpus::{dot, Source};
use crate::index::{build, BuildStats, Built};

/// Hits per search.
pub(crate) const K: usize = 10;

/// The 1-minute load average: timings taken while other processes compete for the cores
/// are worth less, and the report says so.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Exact top-k passage indexes of every query over all vectors (two threads, SIMD dot).
fn exact_topk(flat: &[f32], dim: usize, queries: &[Vec<f32>], k: usize) -> Vec<Vec<usize>> {
    let n = flat.len() / dim;
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).max(1);
    let per = n.div_ceil(threads);
    let parts: Vec<Vec<Vec<(f32, usize)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut tops: Vec<Vec<(f32, usize)>> = vec![Vec::with_capacity(k + 1); queries.len()];
                    for j in t * per..((t + 1) * per).min(n) {
                        let v = &flat[j * dim..(j + 1) * dim];
                        for (q, top) in queries.iter().zip(tops.iter_mut()) {
                            let d = dot(q, v);
                            if top.len() < k || d > top[top.len() - 1].0 {
                                let at = top.partition_point(|(x, _)| *x >= d);
                                top.insert(at, (d, j));
                                top.truncate(k);
                            }
                        }
                    }
                    tops
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("scan thread")).collect()
    });
    (0..queries.len())
        .map(|q| {
            let mut all: Vec<(f32, usize)> = parts.iter().flat_map(|p| p[q].iter().copied()).collect();
            all.sort_by(|a, b| b.0.total_cmp(&a.0));
            all.into_iter().take(k).map(|(_, j)| j).collect()
        })
        .collect()
}

pub(crate) fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

/// How many candidates each retriever gives hybrid fusion at k = K (`search::hybrid_candidates`).
pub(crate) fn candidate_depth() -> usize {
    K.max(HYBRID_DEPTH)
}

/// Hybrid search exactly as `search::search` ranks: BM25 and HNSW at the candidate depth (at
/// once, as `search::hybrid_candidates` runs them), fused by `search::hybrid` with the default
/// tuning, first k.
pub(crate) fn hybrid(
    text: &TextIndex,
    vectors: &VectorIndex,
    q: &str,
    qv: &[f32],
) -> anyhow::Result<Vec<(String, f32)>> {
    let tuning = Tuning::default();
    let filter = SearchFilter::default();
    let depth = candidate_depth();
    let (bm25, vec) = hypatia::common::parallel::join(
        || text.search(q, depth, &filter, tuning.title_boost),
        || vectors.search(qv, depth, &filter),
    );
    let (bm25, vec) = (bm25?, vec?);
    let mut fused = search::hybrid(&bm25, &vec, &tuning);
    fused.truncate(K);
    Ok(fused)
}

/// Latency samples (ms) of one index.
#[derive(Default)]
pub(crate) struct Timings {
    pub(crate) bm25: Vec<f64>,
    pub(crate) vector: Vec<f64>,
    pub(crate) hybrid: Vec<f64>,
    pub(crate) hybrid_fetch: Vec<f64>,
    /// Each retriever alone at the hybrid candidate depth: what hybrid spends before fusing.
    pub(crate) bm25_deep: Vec<f64>,
    pub(crate) vector_deep: Vec<f64>,
    pub(crate) recall: f64,
    /// Load average when the timed passes began.
    pub(crate) load: String,
}

pub(crate) fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// Times each mode as its own pass over the queries after a warm-up; recall@10 against `truth`.
fn measure(
    text: &TextIndex,
    vectors: &VectorIndex,
    keys: &[String],
    warm: &[(String, Vec<f32>)],
    timed: &[(String, Vec<f32>)],
    truth: &[Vec<usize>],
) -> anyhow::Result<Timings> {
    let filter = SearchFilter::default();
    let title_boost = Tuning::default().title_boost;
    for (q, qv) in warm {
        text.search(q, K, &filter, title_boost)?;
        vectors.search(qv, K, &filter)?;
        hybrid(text, vectors, q, qv)?;
    }
    let mut t = Timings {
        load: load_average(),
        ..Timings::default()
    };
    for (q, _) in timed {
        let s = Instant::now();
        std::hint::black_box(text.search(q, K, &filter, title_boost)?);
        t.bm25.push(ms(s));
    }
    let mut hits = 0usize;
    for ((_, qv), exact) in timed.iter().zip(truth) {
        let s = Instant::now();
        let found = vectors.search(qv, K, &filter)?;
        t.vector.push(ms(s));
        let want: HashSet<&str> = exact.iter().map(|&j| keys[j].as_str()).collect();
        hits += found.iter().filter(|(k, _)| want.contains(k.as_str())).count();
    }
    t.recall = hits as f64 / (K * timed.len()).max(1) as f64;
    let depth = candidate_depth();
    for (q, qv) in timed {
        let s = Instant::now();
        std::hint::black_box(text.search(q, depth, &filter, title_boost)?);
        t.bm25_deep.push(ms(s));
        let s = Instant::now();
        std::hint::black_box(vectors.search(qv, depth, &filter)?);
        t.vector_deep.push(ms(s));
    }
    for (q, qv) in timed {
        let s = Instant::now();
        std::hint::black_box(hybrid(text, vectors, q, qv)?);
        t.hybrid.push(ms(s));
    }
    for (q, qv) in timed {
        // What `search::search` does before citing: fuse, then fetch the first k fused passages.
        let s = Instant::now();
        let fused = hybrid(text, vectors, q, qv)?;
        let keys: Vec<String> = fused.into_iter().map(|(k, _)| k).collect();
        std::hint::black_box(text.passages(&keys)?);
        t.hybrid_fetch.push(ms(s));
    }
    Ok(t)
}

/// Everything printed for one N.
pub(crate) struct Report {
    pub(crate) n: usize,
    pub(crate) params: HnswParams,
    pub(crate) built: Option<BuildStats>,
    pub(crate) t: Timings,
    pub(crate) exact_check: String,
    pub(crate) rss_mb: f64,
    /// A fresh process serving from the index: open time, hybrid latency, memory.
    pub(crate) serving: Option<crate::serving::Serving>,
}

pub(crate) fn run_n(
    src: &Source,
    n: usize,
    params: HnswParams,
    warm: &[(String, Vec<f32>)],
    timed: &[(String, Vec<f32>)],
    n_exact: usize,
) -> anyhow::Result<Report> {
    eprintln!(
        "building the index of {n} passages (M {}, ef_construction {})",
        params.m, params.ef_construction
    );
    let mut built = build(src, n, params)?;
    let vectors = built
        .vectors
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no vector index"))?;
    let qvs: Vec<Vec<f32>> = timed.iter().map(|(_, v)| v.clone()).collect();
    let s = Instant::now();
    let truth = exact_topk(&built.flat, src.dim, &qvs, K);
    eprintln!(
        "  exact scan of {} queries: {:.1} s",
        qvs.len(),
        s.elapsed().as_secs_f64()
    );
    // The module's own oracle on a few queries: same top-10 sets as the scan here?
    let mut agree = 0;
    let mut exact_ms = Vec::new();
    let filter = SearchFilter::default();
    for (qv, want) in qvs.iter().zip(&truth).take(n_exact) {
        let s = Instant::now();
        let got = vectors.exact_search(qv, K, &filter)?;
        exact_ms.push(ms(s));
        let got: HashSet<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        let overlap = want.iter().filter(|&&j| got.contains(built.keys[j].as_str())).count();
        agree += usize::from(overlap >= K - 1);
    }
    let exact_check = format!(
        "exact_search agrees with the scan on {agree}/{} queries (>= 9 of 10 shared; ties aside), {:.0} ms per query",
        n_exact.min(qvs.len()),
        percentile(&exact_ms, 50.0)
    );
    eprintln!("  {exact_check}");
    let t = measure(&built.text, vectors, &built.keys, warm, timed, &truth)?;
    let report = Report {
        n,
        params,
        built: Some(built.stats),
        t,
        exact_check,
        rss_mb: hypatia::peak_rss_mb(),
        serving: None,
    };
    sweep(src, &report, &mut built, warm, timed, &truth)?;
    // A fresh process opens the index as a server would (this one lets go of it first).
    let Built { dir, text, vectors, .. } = built;
    drop((text, vectors));
    let serving = crate::serving::check(dir.path(), src.dim, params, timed)?;
    Ok(Report {
        serving: Some(serving),
        ..report
    })
}

/// Re-measures the index with other ef_search values (HYPATIA_LATENCY_EF_SWEEP), reopening it
/// from its checkpoint as a restarted server would.
fn sweep(
    src: &Source,
    report: &Report,
    built: &mut Built,
    warm: &[(String, Vec<f32>)],
    timed: &[(String, Vec<f32>)],
    truth: &[Vec<usize>],
) -> anyhow::Result<()> {
    let efs: Vec<usize> = std::env::var("HYPATIA_LATENCY_EF_SWEEP")
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for ef in efs {
        let params = HnswParams {
            ef_search: ef,
            ..report.params
        };
        // Close the open index first: hnsw_rs keeps its graph in memory.
        built.vectors = None;
        let s = Instant::now();
        let vectors = built
            .vectors
            .insert(VectorIndex::open(&built.vector_dir, src.dim, params, Tail::MayBeTorn)?);
        let reopen = s.elapsed().as_secs_f64();
        let t = measure(&built.text, vectors, &built.keys, warm, timed, truth)?;
        println!(
            "  N {:>9}  ef_search {ef:>4}: recall@10 {:.3}, vector p50 {:.2} / p99 {:.2} ms, hybrid p50 {:.2} / p99 {:.2} ms (reopen {reopen:.1} s, load {})",
            report.n,
            t.recall,
            percentile(&t.vector, 50.0),
            percentile(&t.vector, 99.0),
            percentile(&t.hybrid, 50.0),
            percentile(&t.hybrid, 99.0),
            t.load,
        );
    }
    Ok(())
}
