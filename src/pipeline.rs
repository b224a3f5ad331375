//! Ingest: files → parsed papers → passages, facts and embeddings → the store, in batches.
//!
//! Three stages run at once on bounded channels so that parsing and store writes hide behind
//! the embedding model, which dominates the cost: a reader thread walks, parses and prepares;
//! the calling thread embeds; a writer thread writes each batch through the [`Store`] facade.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::{Duration, Instant};

use hypatia_ingest::{Format, Location, Paper};
use serde::Serialize;

use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::facts;
use crate::ids;
use crate::passages::{self, ChunkConfig};
use crate::store::{PaperDoc, Store};

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// How passages are cut.
    pub chunk: ChunkConfig,
    /// Papers per store write (one journaled batch).
    pub batch_papers: usize,
    /// Force a format instead of detecting it per file.
    pub format: Option<Format>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            chunk: ChunkConfig::default(),
            batch_papers: 64,
            format: None,
        }
    }
}

/// A record or file that could not be ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The file.
    pub source: String,
    /// Where in the file.
    pub location: Location,
    /// The field at fault, when known.
    pub field: Option<String>,
    /// What went wrong.
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.location)?;
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Time spent in each stage (stages overlap, so these add up to more than the wall time).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageTimes {
    /// Reading, parsing, segmenting and building facts.
    pub prepare: Duration,
    /// Waiting for the embedding model.
    pub embed: Duration,
    /// Writing batches through the store.
    pub write: Duration,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    /// Files read.
    pub files: usize,
    /// Files skipped because no format was recognised in them.
    pub skipped_files: Vec<String>,
    /// Papers written.
    pub papers: usize,
    /// Papers skipped because the store already holds them exactly as they are.
    pub unchanged: usize,
    /// Passages written.
    pub passages: usize,
    /// Triples written.
    pub triples: usize,
    /// Bytes of input read.
    pub bytes: u64,
    /// Records or files that failed.
    pub failures: Vec<Failure>,
    /// Wall time.
    pub elapsed: Duration,
    /// Per-stage time.
    pub stages: StageTimes,
}

/// Progress as the ingest goes, reported after each committed batch.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Papers written so far.
    pub papers: usize,
    /// Passages written so far.
    pub passages: usize,
    /// Keys of the papers of the batch just committed: acknowledged, durable writes.
    pub committed: &'a [String],
}

/// A batch on its way from the reader to the writer.
struct Prepared {
    docs: Vec<PaperDoc>,
    texts: Vec<String>,
    triples: usize,
}

/// Ingests every file under `paths` into `store`, reporting per-record failures and going on.
/// Fails as a whole only when the store itself fails.
pub fn ingest_paths(
    store: &Store,
    embedder: &dyn Embedder,
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<IngestReport> {
    let started = Instant::now();
    let files = collect_files(paths)?;
    let (prep_tx, prep_rx) = sync_channel::<Prepared>(2);
    let (write_tx, write_rx) = sync_channel::<Prepared>(2);
    let mut report = std::thread::scope(|scope| -> Result<IngestReport> {
        let reader = scope.spawn(|| read_and_prepare(store, &files, opts, prep_tx));
        let writer = scope.spawn(|| write_batches(store, write_rx, progress));
        let mut embed_time = Duration::ZERO;
        let mut embed_error = None;
        for mut batch in prep_rx {
            let t = Instant::now();
            match embedder.embed(&batch.texts) {
                Ok(vectors) => {
                    embed_time += t.elapsed();
                    distribute(&mut batch.docs, vectors);
                    if write_tx.send(batch).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    embed_error = Some(e);
                    break;
                }
            }
        }
        drop(write_tx);
        let written = writer.join().map_err(|_| Error::journal("writer thread panicked"))?;
        let mut read = reader.join().map_err(|_| Error::journal("reader thread panicked"))?;
        if let Some(e) = embed_error {
            return Err(e);
        }
        let (papers, passages, triples, write_time) = written?;
        read.papers = papers;
        read.passages = passages;
        read.triples = triples;
        read.stages.embed = embed_time;
        read.stages.write = write_time;
        Ok(read)
    })?;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn distribute(docs: &mut [PaperDoc], vectors: Vec<Vec<f32>>) {
    let mut it = vectors.into_iter();
    for d in docs {
        d.vectors = it.by_ref().take(d.passages.len()).collect();
    }
}

fn write_batches(
    store: &Store,
    rx: Receiver<Prepared>,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<(usize, usize, usize, Duration)> {
    let (mut papers, mut passages, mut triples, mut time) = (0, 0, 0, Duration::ZERO);
    for batch in rx {
        let n_pass: usize = batch.docs.iter().map(|d| d.passages.len()).sum();
        let keys: Vec<String> = batch.docs.iter().map(|d| d.key.clone()).collect();
        let t = Instant::now();
        store.put_papers(batch.docs)?;
        time += t.elapsed();
        papers += keys.len();
        passages += n_pass;
        triples += batch.triples;
        progress(Progress {
            papers,
            passages,
            committed: &keys,
        });
    }
    Ok((papers, passages, triples, time))
}

/// The reader stage: returns the report of what it read (files, bytes, failures, time).
fn read_and_prepare(store: &Store, files: &[PathBuf], opts: &IngestOptions, tx: SyncSender<Prepared>) -> IngestReport {
    let mut report = IngestReport::default();
    let mut batch = Batch::default();
    let started = Instant::now();
    // Time spent reading, parsing and preparing; waiting for the embedder to take a batch is
    // not work and is left out.
    let mut busy = Duration::ZERO;
    for file in files {
        let t = Instant::now();
        let name = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                report.failures.push(Failure {
                    source: name,
                    location: Location::default(),
                    field: None,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        report.files += 1;
        report.bytes += bytes.len() as u64;
        let head = &bytes[..bytes.len().min(64 << 10)];
        let Some(format) = opts.format.or_else(|| hypatia_ingest::detect(&name, head)) else {
            report.skipped_files.push(name);
            continue;
        };
        busy += t.elapsed();
        let mut records = hypatia_ingest::parse(format, &name, &bytes);
        loop {
            let t = Instant::now();
            let Some(record) = records.next() else {
                busy += t.elapsed();
                break;
            };
            match record {
                Ok(r) => {
                    let prepared = prepare(store, &r.paper, format, &opts.chunk);
                    match store.paper_digest(&prepared.0.key) {
                        Ok(Some(d)) if d == prepared.0.digest => report.unchanged += 1,
                        _ => batch.add(prepared),
                    }
                }
                Err(e) => report.failures.push(Failure {
                    source: e.source_name,
                    location: e.location,
                    field: e.field,
                    reason: e.message,
                }),
            }
            busy += t.elapsed();
            if batch.docs.len() >= opts.batch_papers && tx.send(batch.take()).is_err() {
                return report;
            }
        }
    }
    if !batch.docs.is_empty() {
        let _ = tx.send(batch.take());
    }
    tracing::debug!(wall = ?started.elapsed(), "reader finished");
    report.stages.prepare = busy;
    report
}

#[derive(Default)]
struct Batch {
    docs: Vec<PaperDoc>,
    texts: Vec<Vec<String>>,
    triples: usize,
}

impl Batch {
    /// Adds a prepared paper; a second record of the same paper in one batch replaces the first.
    fn add(&mut self, (doc, texts, triples): (PaperDoc, Vec<String>, usize)) {
        if let Some(i) = self.docs.iter().position(|d| d.key == doc.key) {
            self.docs.remove(i);
            self.texts.remove(i);
        }
        self.docs.push(doc);
        self.texts.push(texts);
        self.triples += triples;
    }

    fn take(&mut self) -> Prepared {
        let b = std::mem::take(self);
        Prepared {
            docs: b.docs,
            texts: b.texts.into_iter().flatten().collect(),
            triples: b.triples,
        }
    }
}

/// Turns one parsed paper into what the store writes (vectors still empty) and the texts to
/// embed for its passages.
pub fn prepare(store: &Store, paper: &Paper, format: Format, chunk: &ChunkConfig) -> (PaperDoc, Vec<String>, usize) {
    let iri = ids::paper_iri(store.base(), paper);
    let key = ids::paper_key(&iri);
    let seg = passages::segment(paper, &key, chunk);
    let triples = facts::paper_facts(
        store.base(),
        paper,
        &iri,
        &key,
        &seg.canonical,
        &seg.passages,
        format.name(),
    );
    let mut ntriples: String = triples.iter().map(|t| format!("{t} .\n")).collect();
    // The digest covers every fact, passages and canonical text included: equal digests mean
    // an identical paper, which a re-run of the same ingest can skip (model version aside:
    // a new embedding model needs a new store anyway, see Store::open).
    let digest = ids::content_hash(&ntriples);
    ntriples.push_str(&format!("<{iri}> <{}> \"{digest}\" .\n", crate::vocab::hyp::DIGEST));
    let texts = seg
        .passages
        .iter()
        .map(|p| passages::embedding_text(&paper.title, p))
        .collect();
    let doc = PaperDoc {
        key,
        iri,
        title: paper.title.clone(),
        year: paper.year,
        venue: paper.venue.clone(),
        passages: seg.passages,
        vectors: Vec::new(),
        ntriples,
        digest,
    };
    (doc, texts, triples.len())
}

/// Files under `paths`, folders walked recursively in name order, hidden entries skipped.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        walk(p, &mut out)?;
    }
    Ok(out)
}

/// Files a folder walk leaves out: hidden entries, and the READMEs, licences and provenance notes
/// that sit beside corpora (a Markdown or text README would otherwise read as a paper). Named
/// explicitly, such a file is still ingested.
fn is_housekeeping(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    name.starts_with('.')
        || matches!(
            stem,
            "readme" | "license" | "licence" | "copying" | "notice" | "source" | "sources" | "changelog" | "authors"
        )
        || stem.starts_with("license-")
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(p).map_err(|e| Error::invalid("path", format!("{}: {e}", p.display())))?;
    if meta.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| Error::io(p, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|e| !e.file_name().and_then(|n| n.to_str()).is_some_and(is_housekeeping))
        .collect();
    entries.sort();
    for e in entries {
        walk(&e, out)?;
    }
    Ok(())
}
