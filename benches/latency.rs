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

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Instant;

use hnsw_rs::prelude::{DistDot, Distance};
use hypatia::common::ids::{self, Base};
use hypatia::common::passages::{self, ChunkConfig, Passage};
use hypatia::embed::{normalize, Embedder, FastEmbedder, ModelLocation};
use hypatia::retrieval::search::{self, Tuning, HYBRID_DEPTH};
use hypatia::store::text::TextIndex;
use hypatia::store::vector::{HnswParams, Tail, VectorIndex};
use hypatia::store::{PaperDoc, SearchFilter};

/// Hits per search.
const K: usize = 10;
/// Passages written per text commit and per vector append.
const CHUNK: usize = 10_000;
/// Passages per synthetic paper.
const PER_PAPER: usize = 5;
/// Goals of the issue.
const GOAL_P50_MS: f64 = 10.0;
const GOAL_P99_MS: f64 = 40.0;
const GOAL_RECALL: f64 = 0.95;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The 1-minute load average: timings taken while other processes compete for the cores
/// are worth less, and the report says so.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn dir_size(p: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(p) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The bench's generator: the library's SplitMix64 with the shapes the bench draws.
struct Rng(hypatia::common::rng::SplitMix);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        self.0.unit()
    }
    fn gauss(&mut self) -> f32 {
        self.0.gauss() as f32
    }
}

/// A real passage of the corpus.
struct Real {
    paper_key: String,
    iri: String,
    title: String,
    year: Option<i32>,
    passage: Passage,
    sentences: Vec<String>,
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(1) {
        if matches!(b[i], b'.' | b'?' | b'!') && b[i + 1] == b' ' {
            out.push(text[start..=i].trim().to_string());
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(text[start..].trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// A run of about `share` of `from`'s sentences (at least one), appended to `out`.
fn pick<'a>(rng: &mut Rng, from: &'a Real, share: f32, out: &mut Vec<&'a str>) {
    let s = &from.sentences;
    if s.is_empty() {
        return;
    }
    let n = ((s.len() as f32 * share).ceil() as usize).clamp(1, s.len());
    let first = rng.below(s.len() - n + 1);
    out.extend(s[first..first + n].iter().map(String::as_str));
}

/// What every index build draws from: the real passages, the sample's vectors, each sampled
/// passage's nearest sampled neighbours, and the sample's centred vectors for noise.
struct Source {
    real: Vec<Real>,
    sample: usize,
    vectors: Vec<Vec<f32>>,
    neighbours: Vec<Vec<usize>>,
    centred: Vec<Vec<f32>>,
    noise: f32,
    dim: usize,
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    1.0 - DistDot.eval(a, b)
}

/// One passage to index: key, paper, text, vector.
struct Item {
    paper_key: String,
    iri: String,
    title: String,
    year: Option<i32>,
    passage: Passage,
    vector: Vec<f32>,
}

impl Source {
    /// Passage `i` of every index (the same for every N, so the small index is a prefix of the
    /// large one).
    fn item(&self, i: usize, rng: &mut Rng) -> Item {
        if i < self.sample {
            let r = &self.real[i];
            return Item {
                paper_key: r.paper_key.clone(),
                iri: r.iri.clone(),
                title: r.title.clone(),
                year: r.year,
                passage: r.passage.clone(),
                vector: self.vectors[i].clone(),
            };
        }
        let a = rng.below(self.sample);
        let b = self.neighbours[a][rng.below(self.neighbours[a].len())];
        let w = 0.5 + 0.5 * rng.unit() as f32;
        let mut text_parts: Vec<&str> = Vec::new();
        let ra = &self.real[a];
        pick(rng, ra, w, &mut text_parts);
        pick(rng, &self.real[b], 1.0 - w, &mut text_parts);
        let other = &self.real[rng.below(self.real.len())];
        if !other.sentences.is_empty() {
            text_parts.push(other.sentences[rng.below(other.sentences.len())].as_str());
        }
        let mut words = 0;
        let mut text = String::new();
        for s in text_parts {
            if words > 0 && words + s.split_whitespace().count() > 160 {
                break;
            }
            words += s.split_whitespace().count();
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(s);
        }
        let mut noise = vec![0f32; self.dim];
        for _ in 0..8 {
            let c = &self.centred[rng.below(self.centred.len())];
            let g = rng.gauss();
            noise.iter_mut().zip(c).for_each(|(n, x)| *n += g * x);
        }
        normalize(&mut noise);
        let mut vector: Vec<f32> = self.vectors[a]
            .iter()
            .zip(&self.vectors[b])
            .zip(&noise)
            .map(|((x, y), n)| w * x + (1.0 - w) * y + self.noise * n)
            .collect();
        normalize(&mut vector);
        let paper = i / PER_PAPER;
        let paper_key = format!("{:016x}", 0xf000_0000_0000_0000u64 | paper as u64);
        let ordinal = i % PER_PAPER;
        Item {
            iri: format!("{}paper/synthetic-{paper}", Base::DEFAULT),
            title: ra.title.clone(),
            year: ra.year,
            passage: Passage {
                key: ids::passage_key(&paper_key, ordinal),
                ordinal,
                section: passages::ABSTRACT.to_string(),
                hash: ids::content_hash(&text),
                start: 0,
                end: text.chars().count(),
                text,
            },
            paper_key,
            vector,
        }
    }
}

/// An index built for one N, with every vector kept for the exact scan.
struct Built {
    _dir: tempfile::TempDir,
    text: TextIndex,
    /// None only while the index is reopened.
    vectors: Option<VectorIndex>,
    vector_dir: std::path::PathBuf,
    keys: Vec<String>,
    flat: Vec<f32>,
    stats: BuildStats,
}

/// What building took.
#[derive(Clone, Copy)]
struct BuildStats {
    generate_s: f64,
    text_s: f64,
    vector_s: f64,
    checkpoint_s: f64,
    wall_s: f64,
    text_mb: f64,
    vector_mb: f64,
}

fn build(src: &Source, n: usize, params: HnswParams) -> anyhow::Result<Built> {
    let parent = std::env::var_os("HYPATIA_LATENCY_DIR").map_or_else(std::env::temp_dir, Into::into);
    std::fs::create_dir_all(&parent)?;
    let dir = tempfile::tempdir_in(parent)?;
    let wall = Instant::now();
    let text = TextIndex::open(&dir.path().join("text"))?;
    let vector_dir = dir.path().join("vector");
    // One checkpoint at the end instead of one every 50,000 vectors (timed apart below).
    let build_params = HnswParams {
        checkpoint_every: usize::MAX,
        ..params
    };
    let vectors = VectorIndex::open(&vector_dir, src.dim, build_params, Tail::MayBeTorn)?;
    let mut rng = Rng(hypatia::common::rng::SplitMix(0x4859_5041_5449_4121));
    let mut keys = Vec::with_capacity(n);
    let mut flat = Vec::with_capacity(n * src.dim);
    let (mut generate_s, mut text_s, mut vector_s) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < n {
        let t = Instant::now();
        let end = (i + CHUNK).min(n);
        let items: Vec<Item> = (i..end).map(|j| src.item(j, &mut rng)).collect();
        let mut docs: Vec<PaperDoc> = Vec::new();
        for it in &items {
            if docs.last().is_none_or(|d| d.key != it.paper_key) {
                docs.push(PaperDoc {
                    key: it.paper_key.clone(),
                    iri: it.iri.clone(),
                    title: it.title.clone(),
                    year: it.year,
                    venue: None,
                    passages: Vec::new(),
                    vectors: Vec::new(),
                    ntriples: String::new(),
                    extraction: String::new(),
                    digest: String::new(),
                });
            }
            if let Some(d) = docs.last_mut() {
                d.passages.push(it.passage.clone());
            }
        }
        let vitems: Vec<(String, Option<i32>, Vec<f32>)> = items
            .into_iter()
            .map(|it| {
                keys.push(it.passage.key.clone());
                flat.extend_from_slice(&it.vector);
                (it.passage.key, it.year, it.vector)
            })
            .collect();
        generate_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        text.put(&docs)?;
        text_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        vectors.put(&[], &vitems)?;
        vector_s += t.elapsed().as_secs_f64();
        i = end;
        if i % 100_000 == 0 || i == n {
            eprintln!(
                "  built {i}/{n}: text {text_s:.0} s, vector {vector_s:.0} s, {:.0} s wall",
                wall.elapsed().as_secs_f64()
            );
        }
    }
    let t = Instant::now();
    vectors.checkpoint()?;
    let checkpoint_s = t.elapsed().as_secs_f64();
    let wall_s = wall.elapsed().as_secs_f64();
    // Reopen the text index so that no segment merge of the build runs while we time (a
    // dropped tantivy writer stops its merges); searches then see the committed segments.
    drop(text);
    let text = TextIndex::open(&dir.path().join("text"))?;
    let mb = |p: &Path| dir_size(p) as f64 / (1 << 20) as f64;
    let stats = BuildStats {
        text_mb: mb(&dir.path().join("text")),
        vector_mb: mb(&vector_dir),
        generate_s,
        text_s,
        vector_s,
        checkpoint_s,
        wall_s,
    };
    Ok(Built {
        _dir: dir,
        text,
        vectors: Some(vectors),
        vector_dir,
        keys,
        flat,
        stats,
    })
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

fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

/// How many candidates each retriever gives hybrid fusion at k = K (`search::hybrid_candidates`).
fn candidate_depth() -> usize {
    K.max(HYBRID_DEPTH)
}

/// Hybrid search exactly as `search::search` ranks: BM25 and HNSW at the candidate depth, fused
/// by `search::hybrid` with the default tuning, first k.
fn hybrid(text: &TextIndex, vectors: &VectorIndex, q: &str, qv: &[f32]) -> anyhow::Result<Vec<(String, f32)>> {
    let tuning = Tuning::default();
    let filter = SearchFilter::default();
    let depth = candidate_depth();
    let bm25 = text.search(q, depth, &filter, tuning.title_boost)?;
    let vec = vectors.search(qv, depth, &filter);
    let mut fused = search::hybrid(&bm25, &vec, &tuning);
    fused.truncate(K);
    Ok(fused)
}

/// Latency samples (ms) of one index.
#[derive(Default)]
struct Timings {
    bm25: Vec<f64>,
    vector: Vec<f64>,
    hybrid: Vec<f64>,
    hybrid_fetch: Vec<f64>,
    recall: f64,
    /// Load average when the timed passes began.
    load: String,
}

fn ms(t: Instant) -> f64 {
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
        vectors.search(qv, K, &filter);
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
        let found = vectors.search(qv, K, &filter);
        t.vector.push(ms(s));
        let want: HashSet<&str> = exact.iter().map(|&j| keys[j].as_str()).collect();
        hits += found.iter().filter(|(k, _)| want.contains(k.as_str())).count();
    }
    t.recall = hits as f64 / (K * timed.len()).max(1) as f64;
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
struct Report {
    n: usize,
    params: HnswParams,
    built: Option<BuildStats>,
    t: Timings,
    exact_check: String,
    rss_mb: f64,
}

fn run_n(
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
    };
    sweep(src, &report, &mut built, warm, timed, &truth)?;
    Ok(report)
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

fn load_source(dataset: &str, sample: usize, noise: f32, model: &FastEmbedder) -> anyhow::Result<(Source, f64)> {
    let corpus = std::fs::read(format!("{dataset}/corpus.jsonl"))?;
    let base = Base::new(Base::DEFAULT)?;
    let mut real = Vec::new();
    for rec in hypatia_ingest::parse(hypatia_ingest::Format::BeirJsonl, "scifact/corpus.jsonl", &corpus) {
        let paper = rec?.paper;
        let iri = ids::paper_iri(&base, &paper);
        let key = ids::paper_key(&iri);
        for p in passages::segment(&paper, &key, &ChunkConfig::default()).passages {
            real.push(Real {
                paper_key: key.clone(),
                iri: iri.clone(),
                title: paper.title.clone(),
                year: paper.year,
                sentences: sentences(&p.text),
                passage: p,
            });
        }
    }
    let sample = sample.clamp(1, real.len());
    let texts: Vec<String> = real[..sample]
        .iter()
        .map(|r| passages::embedding_text(&r.title, &r.passage))
        .collect();
    let s = Instant::now();
    let mut vectors = Vec::with_capacity(sample);
    for batch in texts.chunks(256) {
        vectors.extend(model.embed(batch)?);
        eprintln!("  embedded {}/{sample} sample passages", vectors.len());
    }
    let embed_s = s.elapsed().as_secs_f64();
    let dim = model.dim();
    let neighbours: Vec<Vec<usize>> = (0..sample)
        .map(|i| {
            let mut sims: Vec<(f32, usize)> = (0..sample)
                .filter(|&j| j != i)
                .map(|j| (dot(&vectors[i], &vectors[j]), j))
                .collect();
            sims.sort_by(|a, b| b.0.total_cmp(&a.0));
            sims.into_iter().take(8).map(|(_, j)| j).collect()
        })
        .collect();
    let mut mean = vec![0f32; dim];
    for v in &vectors {
        mean.iter_mut().zip(v).for_each(|(m, x)| *m += x / sample as f32);
    }
    let centred = vectors
        .iter()
        .map(|v| v.iter().zip(&mean).map(|(x, m)| x - m).collect())
        .collect();
    Ok((
        Source {
            real,
            sample,
            vectors,
            neighbours,
            centred,
            noise,
            dim,
        },
        embed_s,
    ))
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
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

#[allow(clippy::too_many_arguments)]
fn print_report(
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
        "peak RSS so far (MB)",
        "bm25 p50 / p99 (ms)",
        "vector p50 / p99 (ms)",
        "hybrid p50 / p99 (ms)",
        "hybrid+fetch p50 / p99 (ms)",
        "embed+hybrid p50 / p99 (ms)",
        "recall@10 (HNSW vs exact)",
        "load average (1 min) when timed",
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
            format!("{:.0}", r.rss_mb),
            pp(&r.t.bm25),
            pp(&r.t.vector),
            pp(&r.t.hybrid),
            pp(&r.t.hybrid_fetch),
            pp(&e2e(&r.t)),
            format!("{:.3}", r.t.recall),
            r.t.load.clone(),
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
