//! One index of N passages, built with the store's own text and vector types (no journal, no
//! graph), with build times, sizes and every vector kept for the exact scan.

use std::path::Path;
use std::time::Instant;

use hypatia::store::text::TextIndex;
use hypatia::store::vector::{HnswParams, Tail, VectorIndex};
use hypatia::store::PaperDoc;

use crate::corpus::{Item, Rng, Source};

/// Passages written per text commit and per vector append.
const CHUNK: usize = 10_000;

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

/// An index built for one N, with every vector kept for the exact scan.
pub(crate) struct Built {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) text: TextIndex,
    /// None only while the index is reopened.
    pub(crate) vectors: Option<VectorIndex>,
    pub(crate) vector_dir: std::path::PathBuf,
    pub(crate) keys: Vec<String>,
    pub(crate) flat: Vec<f32>,
    pub(crate) stats: BuildStats,
}

/// What building took.
#[derive(Clone, Copy)]
pub(crate) struct BuildStats {
    pub(crate) generate_s: f64,
    pub(crate) text_s: f64,
    pub(crate) vector_s: f64,
    pub(crate) checkpoint_s: f64,
    pub(crate) wall_s: f64,
    pub(crate) text_mb: f64,
    pub(crate) vector_mb: f64,
    pub(crate) text_segments: usize,
}

pub(crate) fn build(src: &Source, n: usize, params: HnswParams) -> anyhow::Result<Built> {
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
    // As `Store::merge_after_bulk` does after an ingest this large (HYPATIA_LATENCY_MERGE=0: the
    // segments the build's commits and the background merge policy leave).
    if std::env::var("HYPATIA_LATENCY_MERGE").map_or(true, |v| v != "0") {
        let t = Instant::now();
        let before = text.merge_segments()?;
        eprintln!(
            "  merged {before} text segments into one in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let mb = |p: &Path| dir_size(p) as f64 / (1 << 20) as f64;
    let stats = BuildStats {
        text_mb: mb(&dir.path().join("text")),
        text_segments: text.num_segments(),
        vector_mb: mb(&vector_dir),
        generate_s,
        text_s,
        vector_s,
        checkpoint_s,
        wall_s,
    };
    Ok(Built {
        dir,
        text,
        vectors: Some(vectors),
        vector_dir,
        keys,
        flat,
        stats,
    })
}
