//! The synthetic corpus: real SciFact passages and their embedded sample, and synthetic passages
//! recombined from them with vectors clustered like the real ones.

use std::time::Instant;

use hnsw_rs::prelude::{DistDot, Distance};
use hypatia::common::ids::{self, Base};
use hypatia::common::passages::{self, ChunkConfig, Passage};
use hypatia::embed::{normalize, Embedder, FastEmbedder};

/// Passages per synthetic paper.
const PER_PAPER: usize = 5;

/// The bench's generator: the library's SplitMix64 with the shapes the bench draws.
pub(crate) struct Rng(pub(crate) hypatia::common::rng::SplitMix);

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
pub(crate) struct Real {
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
pub(crate) struct Source {
    pub(crate) real: Vec<Real>,
    pub(crate) sample: usize,
    pub(crate) vectors: Vec<Vec<f32>>,
    pub(crate) neighbours: Vec<Vec<usize>>,
    centred: Vec<Vec<f32>>,
    pub(crate) noise: f32,
    pub(crate) dim: usize,
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    1.0 - DistDot.eval(a, b)
}

/// One passage to index: key, paper, text, vector.
pub(crate) struct Item {
    pub(crate) paper_key: String,
    pub(crate) iri: String,
    pub(crate) title: String,
    pub(crate) year: Option<i32>,
    pub(crate) passage: Passage,
    pub(crate) vector: Vec<f32>,
}

impl Source {
    /// Passage `i` of every index (the same for every N, so the small index is a prefix of the
    /// large one).
    pub(crate) fn item(&self, i: usize, rng: &mut Rng) -> Item {
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

pub(crate) fn load_source(
    dataset: &str,
    sample: usize,
    noise: f32,
    model: &FastEmbedder,
) -> anyhow::Result<(Source, f64)> {
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
