//! Ingest: files → parsed papers → passages, facts and embeddings → the store, in batches.
//!
//! Three stages run at once on bounded channels so that parsing and store writes hide behind
//! the embedding model, which dominates the cost: a reader thread walks, parses and prepares;
//! the calling thread embeds; a writer thread writes each batch through the [`Store`] facade.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::{Duration, Instant};

use hypatia_extract::learned::{Heads, TokenStates};
use hypatia_extract::{Extraction, Lexicon};
use hypatia_ingest::{Format, Location, Paper};
use serde::Serialize;
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
use crate::common::ids;
use crate::common::passages::{self, ChunkConfig};
use crate::embed::Embedder;
use crate::ingest::extraction;
use crate::ingest::facts;
pub use crate::ingest::identity::Identity;
use crate::ingest::identity::{Identities, Resolved};
use crate::ingest::sources::{self, Event};
use crate::store::{PaperDoc, Store};

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// How passages are cut.
    pub chunk: ChunkConfig,
    /// Papers per store write (one journaled batch).
    pub batch_papers: usize,
    /// Passages per store write, at most (a batch closes at whichever bound it reaches first):
    /// full texts have hundreds of passages each, and about four batches are in memory at once
    /// (being prepared, queued, embedded, written).
    pub batch_passages: usize,
    /// Force a format instead of detecting it per file.
    pub format: Option<Format>,
    /// Decompression bounds (archives, gzip streams, whole-file formats).
    pub limits: hypatia_ingest::archive::Limits,
    /// Run the learned extractor's heads on the embedding pass's token states and combine their
    /// findings with the rules' (default); off, the extraction graphs hold the rules' only.
    pub learned: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            chunk: ChunkConfig::default(),
            batch_papers: 64,
            batch_passages: 2048,
            format: None,
            limits: Default::default(),
            learned: true,
        }
    }
}

/// A record or file that could not be ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Failure {
    /// The file.
    pub source: String,
    /// Where in the file.
    #[schema(value_type = LocationSchema)]
    pub location: Location,
    /// The field at fault, when known.
    pub field: Option<String>,
    /// What went wrong.
    pub reason: String,
}

impl From<hypatia_ingest::ParseError> for Failure {
    fn from(e: hypatia_ingest::ParseError) -> Self {
        Failure {
            source: e.source_name,
            location: e.location,
            field: e.field,
            reason: e.message,
        }
    }
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

// The schemas of a `Location` and a `Duration` as serde writes them, for `IngestReport`'s:
// neither type derives `ToSchema` (the parser crate knows nothing of OpenAPI).

/// Where in a source: a line and/or a byte offset.
#[derive(ToSchema)]
#[schema(as = Location)]
#[allow(dead_code)]
struct LocationSchema {
    /// 1-based line number, for line-oriented formats.
    line: Option<u64>,
    /// Byte offset from the start of the source.
    byte: Option<u64>,
}

/// A duration: whole seconds and nanoseconds.
#[derive(ToSchema)]
#[schema(as = Duration)]
#[allow(dead_code)]
struct DurationSchema {
    /// Whole seconds.
    secs: u64,
    /// Nanoseconds past the whole seconds.
    #[schema(maximum = 999_999_999)]
    nanos: u32,
}

/// Time spent in each stage (stages overlap, so these add up to more than the wall time).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StageTimes {
    /// Reading, parsing, segmenting, extracting and building facts.
    #[schema(value_type = DurationSchema)]
    pub prepare: Duration,
    /// Of `prepare`, the time the extractor took.
    #[schema(value_type = DurationSchema)]
    pub extract: Duration,
    /// Waiting for the embedding model.
    #[schema(value_type = DurationSchema)]
    pub embed: Duration,
    /// Writing batches through the store.
    #[schema(value_type = DurationSchema)]
    pub write: Duration,
    /// Merging the text index's segments after the writes (`Store::merge_after_bulk`).
    #[schema(value_type = DurationSchema)]
    pub merge: Duration,
    /// Rendering each paper's extraction graph in the writer's thread, before its batch is
    /// written: the learned heads on the embedding pass's token states and their combination
    /// with the rules included.
    #[schema(value_type = DurationSchema)]
    pub learned: Duration,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct IngestReport {
    /// Files read.
    pub files: usize,
    /// Files skipped: no format was recognised in them, or they are the READMEs, licences and
    /// provenance notes a folder walk leaves out (each with why).
    pub skipped_files: Vec<String>,
    /// Papers written.
    pub papers: usize,
    /// Papers skipped because the store already holds them exactly as they are.
    pub unchanged: usize,
    /// Records merged with another record of the same paper (same identifier or fingerprint):
    /// one paper, both records' identifiers.
    pub merged: usize,
    /// Passages written.
    pub passages: usize,
    /// Triples written.
    pub triples: usize,
    /// Bytes of input read.
    pub bytes: u64,
    /// Records or files that failed.
    pub failures: Vec<Failure>,
    /// Wall time.
    #[schema(value_type = DurationSchema)]
    pub elapsed: Duration,
    /// Per-stage time.
    pub stages: StageTimes,
}

/// Progress as the ingest goes, reported after each committed batch, and once more at the end
/// when records failed since the last batch.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Papers written so far.
    pub papers: usize,
    /// Passages written so far.
    pub passages: usize,
    /// Keys of the papers of the batch just committed: acknowledged, durable writes.
    pub committed: &'a [String],
    /// Records parsed so far (the reader runs ahead of the writes).
    pub records: u64,
    /// Bytes of input parsed so far (decompressed).
    pub bytes: u64,
    /// Records or files that failed so far.
    pub failed: usize,
    /// The failures found since the previous report (each is reported once).
    pub failures: &'a [Failure],
    /// The file (or archive entry) the reader is parsing now.
    pub file: &'a str,
}

/// What the reader has done so far, for progress reports from the writer.
#[derive(Default)]
struct Counters {
    records: AtomicU64,
    bytes: AtomicU64,
    /// Failures not yet reported, and how many were reported before them.
    failures: parking_lot::Mutex<(Vec<Failure>, usize)>,
    /// The source being parsed.
    file: parking_lot::Mutex<String>,
}

impl Counters {
    /// Records a failure in the reader's report and for the next progress report.
    fn failed(&self, failures: &mut Vec<Failure>, f: Failure) {
        self.failures.lock().0.push(f.clone());
        failures.push(f);
    }

    /// Reports progress with the failures found since the last report.
    fn report(&self, progress: &(dyn Fn(Progress<'_>) + Sync), papers: usize, passages: usize, committed: &[String]) {
        let (new, failed) = {
            let mut f = self.failures.lock();
            let new = std::mem::take(&mut f.0);
            f.1 += new.len();
            (new, f.1)
        };
        let file = self.file.lock().clone();
        progress(Progress {
            papers,
            passages,
            committed,
            records: self.records.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            failed,
            failures: &new,
            file: &file,
        });
    }
}

/// A batch on its way from the reader to the writer.
struct Prepared {
    docs: Vec<PaperDoc>,
    texts: Vec<String>,
    /// What the rules found in each paper, for the learned step after embedding.
    pending: Vec<PendingExtraction>,
    /// Token states of `texts`, once embedded (empty from an embedder without them).
    states: Vec<TokenStates>,
    triples: usize,
    /// Identity facts for stored papers that a poorer record of theirs brought, written after
    /// the batch's papers.
    additions: Vec<(String, String)>,
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
    let walk = sources::collect_files(paths)?;
    // The heads read the token states of the model they were trained on, and of no other.
    let learned = opts.learned && Heads::bundled().fits_model(&embedder.identity().weights_sha256);
    let lexicon = match extraction::load_lexicon(store.dir()) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "extracting without the corpus lexicon");
            hypatia_extract::Lexicon::empty()
        }
    };
    let files = walk.files;
    let counters = Counters::default();
    let (prep_tx, prep_rx) = sync_channel::<Prepared>(2);
    let (write_tx, write_rx) = sync_channel::<Prepared>(2);
    let mut report = std::thread::scope(|scope| -> Result<IngestReport> {
        let counters = &counters;
        let lexicon = &lexicon;
        // Named, so that a profile (and `ps -L`) tells the stages apart.
        let reader = std::thread::Builder::new()
            .name("ingest-read".into())
            .spawn_scoped(scope, move || {
                read_and_prepare(store, &files, opts, lexicon, counters, prep_tx)
            })
            .map_err(|e| Error::io("ingest reader thread", e))?;
        let writer = std::thread::Builder::new()
            .name("ingest-write".into())
            .spawn_scoped(scope, move || {
                write_batches(store, lexicon, write_rx, counters, progress)
            })
            .map_err(|e| Error::io("ingest writer thread", e))?;
        let mut embed_time = Duration::ZERO;
        let mut embed_error = None;
        for mut batch in prep_rx {
            let t = Instant::now();
            let embedded = if learned {
                embedder.embed_with_states(&batch.texts)
            } else {
                embedder
                    .embed(&batch.texts)
                    .map(|v| v.into_iter().map(|v| (v, TokenStates::default())).collect())
            };
            match embedded {
                Ok(embedded) => {
                    embed_time += t.elapsed();
                    let (vectors, states) = embedded.into_iter().unzip();
                    distribute(&mut batch.docs, vectors);
                    batch.states = states;
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
        let (papers, passages, triples, write_time, learned_time) = written?;
        read.papers = papers;
        read.passages = passages;
        read.triples = triples;
        read.stages.embed = embed_time;
        read.stages.write = write_time;
        read.stages.learned = learned_time;
        Ok(read)
    })?;
    report.skipped_files.splice(0..0, walk.skipped);
    let t = Instant::now();
    // The writes are durable already; a merge that fails leaves more segments, not less data.
    if let Err(e) = store.merge_after_bulk(report.passages) {
        tracing::warn!(error = %e, "merging the text index after the ingest failed");
    }
    report.stages.merge = t.elapsed();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Papers per store write for an upload: someone is often watching its progress, which is
/// reported once per committed batch, so batches are smaller than the CLI's.
pub const UPLOAD_BATCH_PAPERS: usize = 16;

/// Ingests one uploaded file (or archive), already written to `path`, as [`ingest_paths`] would
/// ingest it from disk, under the decompression bounds `limits`, reporting `progress` after each
/// committed batch of [`UPLOAD_BATCH_PAPERS`]. Failures and the current file name the upload
/// (`name`, its last path component), not the private file.
pub fn ingest_upload(
    store: &Store,
    embedder: &dyn Embedder,
    name: &str,
    path: &std::path::Path,
    format: Option<Format>,
    limits: hypatia_ingest::archive::Limits,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<IngestReport> {
    // Named after the upload, in a private folder: the file name's extension helps format
    // detection, and its folder names the collection of collection-local ids (BEIR's
    // `scifact/corpus.jsonl`), so that uploading the same file twice names the same papers.
    let parts: Vec<&str> = name.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let file = sanitize(parts.last().copied().unwrap_or("upload"));
    let folder = match parts.len() {
        0 | 1 => sanitize(file.split('.').next().unwrap_or("upload")),
        n => sanitize(parts[n - 2]),
    };
    let dir = tempfile::Builder::new()
        .prefix("upload-")
        .tempdir_in(path.parent().unwrap_or(store.dir()))
        .map_err(|e| Error::io(store.dir(), e))?;
    let named = dir.path().join(&folder).join(&file);
    std::fs::create_dir_all(dir.path().join(&folder)).map_err(|e| Error::io(dir.path(), e))?;
    std::fs::rename(path, &named).map_err(|e| Error::io(&named, e))?;
    let opts = IngestOptions {
        format,
        limits,
        batch_papers: UPLOAD_BATCH_PAPERS,
        ..IngestOptions::default()
    };
    let private = named.display().to_string();
    let public = |f: &Failure| Failure {
        source: f.source.replace(&private, name),
        ..f.clone()
    };
    let named_progress = |p: Progress<'_>| {
        let failures: Vec<Failure> = p.failures.iter().map(public).collect();
        let file = p.file.replace(&private, name);
        progress(Progress {
            failures: &failures,
            file: &file,
            ..p
        })
    };
    let mut report = ingest_paths(store, embedder, std::slice::from_ref(&named), &opts, &named_progress)?;
    report.failures = report.failures.iter().map(public).collect();
    for s in &mut report.skipped_files {
        *s = s.replace(&private, name);
    }
    Ok(report)
}

/// A path component made of letters, digits, `.`, `-` and `_` only (others become `_`), never
/// empty or only dots.
fn sanitize(part: &str) -> String {
    let safe: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.trim_matches('.').is_empty() {
        "upload".to_string()
    } else {
        safe
    }
}

fn distribute(docs: &mut [PaperDoc], vectors: Vec<Vec<f32>>) {
    let mut it = vectors.into_iter();
    for d in docs {
        d.vectors = it.by_ref().take(d.passages.len()).collect();
    }
}

/// What the rules found in one paper, kept until its token states are known.
struct PendingExtraction {
    iri: String,
    title: String,
    canonical: String,
    rules: Extraction,
}

/// Renders each paper's extraction graph, once its token states are known: the rules combined
/// with what the learned heads find in the states, or the rules alone for papers without
/// states. Returns the triples rendered.
fn render_extractions(store: &Store, lexicon: &Lexicon, batch: &mut Prepared) -> usize {
    let heads = Heads::bundled();
    let learned = batch.states.iter().any(|s| s.dim == heads.dim());
    let mut states = std::mem::take(&mut batch.states).into_iter();
    let mut triples = 0;
    for (doc, p) in batch.docs.iter_mut().zip(&mut batch.pending) {
        let rules = std::mem::take(&mut p.rules);
        let found = if learned {
            let st: Vec<TokenStates> = states.by_ref().take(doc.passages.len()).collect();
            let l = extraction::learned_of_passages(heads, &p.canonical, &p.title, &doc.passages, &st);
            hypatia_extract::learned::combine(&p.canonical, &rules, &l)
        } else {
            rules
        };
        let version = learned.then(|| heads.version());
        let ex = extraction::render_paper(
            store.base(),
            &p.iri,
            &p.canonical,
            &doc.passages,
            lexicon,
            &found,
            version,
        );
        triples += ex.triples.len();
        doc.extraction = ex.triples.iter().map(|t| format!("{t} .\n")).collect();
    }
    triples
}

fn write_batches(
    store: &Store,
    lexicon: &Lexicon,
    rx: Receiver<Prepared>,
    counters: &Counters,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<(usize, usize, usize, Duration, Duration)> {
    let (mut papers, mut passages, mut triples, mut time) = (0, 0, 0, Duration::ZERO);
    let mut learned_time = Duration::ZERO;
    for mut batch in rx {
        let t = Instant::now();
        batch.triples += render_extractions(store, lexicon, &mut batch);
        learned_time += t.elapsed();
        let n_pass: usize = batch.docs.iter().map(|d| d.passages.len()).sum();
        let keys: Vec<String> = batch.docs.iter().map(|d| d.key.clone()).collect();
        let t = Instant::now();
        store.put_papers(batch.docs)?;
        store.add_facts(batch.additions)?;
        time += t.elapsed();
        papers += keys.len();
        passages += n_pass;
        triples += batch.triples;
        counters.report(progress, papers, passages, &keys);
    }
    // The reader is done: failures after the last batch (or in an upload with no paper written)
    // are reported too.
    if !counters.failures.lock().0.is_empty() {
        counters.report(progress, papers, passages, &[]);
    }
    Ok((papers, passages, triples, time, learned_time))
}

/// The reader stage: returns the report of what it read (files, bytes, failures, time).
fn read_and_prepare(
    store: &Store,
    files: &[PathBuf],
    opts: &IngestOptions,
    lexicon: &Lexicon,
    counters: &Counters,
    tx: SyncSender<Prepared>,
) -> IngestReport {
    let mut report = IngestReport::default();
    let mut batch = Batch::default();
    let started = Instant::now();
    // Time spent reading, parsing and preparing.
    let mut busy = Duration::ZERO;
    let mut identities = Identities::new(store, opts.batch_papers * IN_FLIGHT_BATCHES);

    let mut t = Instant::now();
    for file in files {
        report.files += 1;
        let flow = sources::read_file(file, opts.format, opts.limits, &mut |event| {
            let unit = match event {
                Event::Unit(u) => u,
                Event::Skipped(name) => {
                    report.skipped_files.push(name);
                    return ControlFlow::Continue(());
                }
                Event::Failed(e) => {
                    counters.failed(&mut report.failures, Failure::from(e));
                    return ControlFlow::Continue(());
                }
            };
            {
                let mut current = counters.file.lock();
                if *current != unit.name {
                    *current = unit.name.to_string();
                }
            }
            report.bytes += unit.bytes.len() as u64;
            counters.bytes.fetch_add(unit.bytes.len() as u64, Ordering::Relaxed);
            let format = unit.format;
            for record in hypatia_ingest::parse_chunk(format, unit.name, unit.bytes, &unit.base) {
                counters.records.fetch_add(1, Ordering::Relaxed);
                match record {
                    Ok(r) => match identities.resolve(r.paper, format) {
                        Ok(Resolved::Put {
                            paper,
                            format,
                            identity,
                            merged,
                        }) => {
                            report.merged += usize::from(merged);
                            let prepared = prepare(store, &paper, format, &opts.chunk, &identity, lexicon);
                            report.stages.extract += prepared.extract_time;
                            match store.paper_digest(&prepared.doc.key) {
                                Ok(Some(d)) if d == prepared.doc.digest => report.unchanged += 1,
                                _ => batch.add(prepared),
                            }
                        }
                        Ok(Resolved::AddFacts { key, ntriples }) => {
                            report.merged += 1;
                            batch.additions.push((key, ntriples));
                        }
                        Ok(Resolved::Unchanged) => report.unchanged += 1,
                        Err(e) => counters.failed(
                            &mut report.failures,
                            Failure {
                                source: unit.name.to_string(),
                                location: r.location,
                                field: None,
                                reason: format!("identity lookup failed: {e}"),
                            },
                        ),
                    },
                    Err(e) => counters.failed(&mut report.failures, Failure::from(e)),
                }
                if batch.docs.len() + batch.additions.len() >= opts.batch_papers
                    || batch.passages >= opts.batch_passages
                {
                    // Waiting for the embedder to take a batch is not work.
                    busy += t.elapsed();
                    if tx.send(batch.take()).is_err() {
                        return ControlFlow::Break(());
                    }
                    t = Instant::now();
                }
            }
            ControlFlow::Continue(())
        });
        if flow.is_break() {
            return report;
        }
    }
    busy += t.elapsed();
    if !batch.docs.is_empty() || !batch.additions.is_empty() {
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
    pending: Vec<PendingExtraction>,
    passages: usize,
    triples: usize,
    additions: Vec<(String, String)>,
}

impl Batch {
    /// Adds a prepared paper; a second record of the same paper in one batch replaces the first.
    fn add(
        &mut self,
        PreparedPaper {
            doc,
            texts,
            triples,
            title,
            canonical,
            rules,
            ..
        }: PreparedPaper,
    ) {
        if let Some(i) = self.docs.iter().position(|d| d.key == doc.key) {
            self.passages -= self.docs[i].passages.len();
            self.docs.remove(i);
            self.texts.remove(i);
            self.pending.remove(i);
        }
        self.passages += doc.passages.len();
        self.pending.push(PendingExtraction {
            iri: doc.iri.clone(),
            title,
            canonical,
            rules,
        });
        self.docs.push(doc);
        self.texts.push(texts);
        self.triples += triples;
    }

    fn take(&mut self) -> Prepared {
        let b = std::mem::take(self);
        Prepared {
            docs: b.docs,
            texts: b.texts.into_iter().flatten().collect(),
            pending: b.pending,
            states: Vec::new(),
            triples: b.triples,
            additions: b.additions,
        }
    }
}

/// Turns one parsed paper into what the store writes (vectors still empty) and the texts to
/// embed for its passages.
pub fn prepare(
    store: &Store,
    paper: &Paper,
    format: Format,
    chunk: &ChunkConfig,
    identity: &Identity,
    lexicon: &Lexicon,
) -> PreparedPaper {
    let Identity { iri, key, match_keys } = identity;
    let seg = passages::segment(paper, key, chunk);
    let triples = facts::paper_facts(
        store.base(),
        &facts::PaperInput {
            paper,
            iri,
            key,
            canonical: &seg.canonical,
            passages: &seg.passages,
            format: format.name(),
            match_keys,
        },
    );
    let t = Instant::now();
    let rules = hypatia_extract::extract(&seg.canonical, lexicon);
    let extract_time = t.elapsed();
    let mut ntriples: String = triples.iter().map(|t| format!("{t} .\n")).collect();
    // The digest covers every fact, passages and canonical text included: equal digests mean
    // an identical paper, which a re-run of the same ingest can skip (model version aside:
    // a new embedding model needs a new store anyway, see Store::open).
    let digest = ids::content_hash(&ntriples);
    ntriples.push_str(&format!(
        "<{iri}> <{}> \"{digest}\" .\n",
        crate::common::vocab::hyp::DIGEST
    ));
    let texts = seg
        .passages
        .iter()
        .map(|p| passages::embedding_text(&paper.title, p))
        .collect();
    let doc = PaperDoc {
        key: key.clone(),
        iri: iri.clone(),
        title: paper.title.clone(),
        year: paper.year,
        venue: paper.venue.clone(),
        passages: seg.passages,
        vectors: Vec::new(),
        ntriples,
        // rendered after embedding, with the learned heads' findings (see render_extractions)
        extraction: String::new(),
        digest,
    };
    PreparedPaper {
        doc,
        texts,
        triples: triples.len(),
        extract_time,
        title: paper.title.clone(),
        canonical: seg.canonical,
        rules,
    }
}

/// One paper ready for the store, but for its vectors.
pub struct PreparedPaper {
    /// What the store writes (vectors still empty).
    pub doc: PaperDoc,
    /// The texts to embed, one per passage.
    pub texts: Vec<String>,
    /// Triples in its source graph (its extraction graph is counted when rendered, after
    /// embedding).
    pub triples: usize,
    /// Time the extractor took.
    pub extract_time: Duration,
    /// The paper's title, as its passages were embedded with it.
    pub title: String,
    /// Its canonical text.
    pub canonical: String,
    /// What the rules found in it (combined with the learned heads' findings once its token
    /// states are known).
    pub rules: Extraction,
}

/// Batches that may be between the reader and a committed write: the one being filled, two
/// queued for the embedder, one embedding, two queued for the writer, one being written, and one
/// spare. A paper prepared longer ago than this many batches is in the store.
const IN_FLIGHT_BATCHES: usize = 8;
