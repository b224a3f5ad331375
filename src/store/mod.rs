//! The Store facade: one id space, one write order, one journal over three indexes.
//!
//! - `text` (tantivy): passages for BM25, with filter fields;
//! - `vector` (hnsw_rs over a durable log): passage embeddings;
//! - `graph` (oxigraph on RocksDB): each paper's facts in its own named graph.
//!
//! **Write order.** Every write is journaled whole first ([`journal`]). A put then goes text →
//! vector → graph; a delete goes graph → text → vector. The graph is the visibility gate: search
//! hits are turned into citations from the graph, so a paper is visible to queries exactly when
//! its graph exists, and its graph is written last and removed first.
//!
//! **Invariant:** backend ids (tantivy doc addresses, HNSW data ids) never leave this module;
//! everything outside speaks paper keys and passage keys (see [`crate::common::ids`]).

mod changes;
pub mod failpoints;
mod files;
pub mod graph;
mod history;
pub mod journal;
mod kept;
mod meta;
mod owned;
pub mod papers;
pub mod queries;
pub mod reembed;
pub mod standing;
pub mod text;
pub mod timeline;
mod types;
pub mod vector;
mod vector_log;
mod vector_q8;
pub mod writes;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use oxigraph::model::NamedNode;
use parking_lot::Mutex;

use crate::common::clock::Moment;
use crate::common::error::{Error, Result};
use crate::common::ids::{self, Base};
pub(crate) use files::write_atomically;
use graph::GraphStore;
use journal::{Journal, Op};
use text::TextIndex;
pub use types::{
    Consistency, PaperDoc, ResearchWrite, SearchFilter, Stats, StoreOptions, StoredIdentity, StoredPassage,
};
use vector::{Tail, VectorIndex};

/// The one entry point to stored data.
pub struct Store {
    dir: PathBuf,
    base: Base,
    text: TextIndex,
    vectors: VectorIndex,
    graph: GraphStore,
    journal: Journal,
    write: Mutex<()>,
    research: Mutex<()>,
    /// Writes finished (or attempted) since the store was opened: see [`Store::generation`].
    generation: std::sync::atomic::AtomicU64,
    /// The papers each write changed, by generation: see [`Store::papers_written_since`].
    changes: changes::Changes,
    /// This open store among those the process opened: see [`Store::instance`].
    instance: u64,
    /// What notices say about papers, as of a generation: see [`Store::standing`].
    standing: kept::PerGeneration<standing::Standing>,
    /// When each document became true and known, as of a generation: see [`Store::timeline`].
    timeline: kept::PerGeneration<timeline::Timeline>,
}

/// The write lock. Dropping it counts one more write generation, before the lock is released.
struct WriteGuard<'a> {
    generation: &'a std::sync::atomic::AtomicU64,
    _lock: parking_lot::MutexGuard<'a, ()>,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`, finishing any write a crash interrupted.
    pub fn open(dir: &Path, opts: &StoreOptions) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        reembed::refuse_if_unfinished(dir)?;
        let mut meta = meta::Meta::open(dir, opts)?;
        let journal = Journal::open(&dir.join("journal"))?;
        // Only an append inside an unfinished write can have been torn by a crash.
        let tail = if journal.pending()?.is_some() {
            Tail::MayBeTorn
        } else {
            Tail::Complete
        };
        let graph = GraphStore::open(&dir.join("graph"), &opts.base)?;
        if meta.format < meta::FORMAT {
            let version_of = |key: &str| Ok(doc_digest(&graph, &opts.base, key)?.unwrap_or_default());
            let n = text::upgrade(&dir.join("text"), &version_of)?;
            meta.format = meta::FORMAT;
            meta.write(dir)?;
            tracing::info!(
                passages = n,
                format = meta::FORMAT,
                "upgraded the text index to the current store format"
            );
        }
        let store = Store {
            dir: dir.to_path_buf(),
            base: opts.base.clone(),
            text: TextIndex::open(&dir.join("text"))?,
            vectors: VectorIndex::open(&dir.join("vector"), meta.dim, opts.hnsw, tail)?,
            graph,
            journal,
            write: Mutex::new(()),
            research: Mutex::new(()),
            generation: std::sync::atomic::AtomicU64::new(0),
            changes: Default::default(),
            instance: {
                static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
            standing: Default::default(),
            timeline: Default::default(),
        };
        store.recover()?;
        Ok(store)
    }

    /// Applies the journaled write a crash left behind, if any.
    fn recover(&self) -> Result<()> {
        let _w = self.write_lock();
        self.recover_locked()
    }

    fn recover_locked(&self) -> Result<()> {
        if let Some((op, at)) = self.journal.pending()? {
            let (kind, n) = match &op {
                Op::Put(d) => ("put", d.len()),
                Op::Delete(k) => ("delete", k.len()),
                Op::AddFacts(f) => ("add-facts", f.len()),
                Op::PutExtraction(f) => ("put-extraction", f.len()),
                Op::Research(_) => ("research", 1),
            };
            tracing::warn!(kind, papers = n, "finishing an interrupted write");
            self.apply_durably(&op, at)?;
            self.journal.commit()?;
            tracing::info!(kind, papers = n, "recovered");
        }
        Ok(())
    }

    /// The folder holding the three indexes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The base IRI of local resources.
    pub fn base(&self) -> &Base {
        &self.base
    }

    /// The vector dimension.
    pub fn dim(&self) -> usize {
        self.vectors.dim()
    }

    /// Inserts or replaces these papers in all three indexes, atomically as a batch. When this
    /// returns `Ok`, the write survives any crash.
    pub fn put_papers(&self, docs: Vec<PaperDoc>) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        for d in &docs {
            if d.passages.len() != d.vectors.len() {
                return Err(Error::invalid(
                    "vectors",
                    format!(
                        "paper {} has {} passages and {} vectors",
                        d.iri,
                        d.passages.len(),
                        d.vectors.len()
                    ),
                ));
            }
        }
        self.write_op(Op::Put(docs))
    }

    /// Adds facts (N-Triples, one string per paper key) to the graphs of stored papers, resolving
    /// references to them by any new match key. Graph-only: text and vectors do not change.
    pub fn add_facts(&self, facts: Vec<(String, String)>) -> Result<()> {
        if facts.is_empty() {
            return Ok(());
        }
        self.write_op(Op::AddFacts(facts))
    }

    /// Replaces the extraction graphs of stored papers (a re-run of the extractor); papers no
    /// longer stored are skipped. Graph-only.
    pub fn put_extractions(&self, items: Vec<(String, String)>) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        self.write_op(Op::PutExtraction(items))
    }

    /// Writes an agent's record (see [`ResearchWrite`]) in all the indexes it belongs in. When
    /// this returns `Ok`, the write survives any crash.
    pub fn put_research(&self, w: ResearchWrite) -> Result<()> {
        let Some(kind) = ids::RecordKind::of_key(&w.key) else {
            return Err(Error::invalid("key", format!("`{}` is not a record key", w.key)));
        };
        let pubinfo = self.base.doc_graph(&w.key);
        if !w.graphs.iter().any(|(g, _)| *g == pubinfo) {
            return Err(Error::invalid(
                "graphs",
                format!("record {} has no publication-info graph", w.key),
            ));
        }
        match &w.doc {
            Some(d) if d.key != w.key || d.passages.len() != d.vectors.len() || d.passages.is_empty() => {
                return Err(Error::invalid(
                    "doc",
                    format!(
                        "record {}: the document must carry its key and one vector per passage",
                        w.key
                    ),
                ))
            }
            None if kind.is_indexed() => {
                return Err(Error::invalid("doc", format!("record {} must be searchable", w.key)))
            }
            _ => {}
        }
        self.write_op(Op::Research(Box::new(w)))
    }

    /// Serialises the read-check-write sequences of the research layer (a status change checks
    /// the current status first), so that concurrent agents cannot both move one hypothesis.
    pub fn research_lock(&self) -> parking_lot::MutexGuard<'_, ()> {
        self.research.lock()
    }

    /// Removes these papers from all three indexes. Returns how many existed. Agent records are
    /// not papers and are refused.
    pub fn delete_papers(&self, keys: &[String]) -> Result<usize> {
        if let Some(k) = keys.iter().find(|k| ids::RecordKind::of_key(k).is_some()) {
            return Err(Error::invalid("key", format!("`{k}` is an agent record, not a paper")));
        }
        let _w = self.write_lock();
        // Counted under the write lock, so that the count is of what this delete removes.
        self.recover_locked()?;
        let mut existing = 0;
        for k in keys {
            if self.graph.has_graph(self.graph_node(k)?.as_ref())? {
                existing += 1;
            }
        }
        self.write_op_locked(Op::Delete(keys.to_vec()))?;
        Ok(existing)
    }

    /// Takes the write lock; when it is released, the write generation has moved on.
    fn write_lock(&self) -> WriteGuard<'_> {
        WriteGuard {
            generation: &self.generation,
            _lock: self.write.lock(),
        }
    }

    /// A number that changes whenever a write may have changed what is stored: it moves on as
    /// each write (or a failed attempt) releases the write lock. What a reader derives from the
    /// store and keeps (the gap finder's concept graph) is valid while this is the number it read
    /// before reading the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The keys of the papers that writes since a reader read `generation` put, replaced,
    /// deleted, or added facts or an extraction to; `None` when this open store no longer
    /// remembers that far back. A put also links stored papers that cite the new ones, and
    /// a notice changes its paper's standing ([`Store::standing`]): neither is listed. Writes
    /// to users' graphs change no paper.
    pub fn papers_written_since(&self, generation: u64) -> Option<BTreeSet<String>> {
        self.changes.since(generation)
    }

    /// A number that tells this open store from any other the process opened (reopening the
    /// same folder gives a new one), for what readers keep per store.
    pub fn instance(&self) -> u64 {
        self.instance
    }

    fn write_op(&self, op: Op) -> Result<()> {
        let _w = self.write_lock();
        self.write_op_locked(op)
    }

    /// Journals and applies one write; the caller holds the write lock.
    fn write_op_locked(&self, op: Op) -> Result<()> {
        // A write that failed half-way and could not be finished then: finish it first.
        self.recover_locked()?;
        let at = Moment::now();
        self.journal.begin(&op, at)?;
        failpoints::abort_at("after-journal");
        if let Err(e) = self.apply_durably(&op, at) {
            // Half applied (the text index may hold a new version the graph does not): finish it
            // now from the journal rather than at the next write. Readers meanwhile drop the
            // passages whose version is not the graph's (see `papers::Citer`).
            tracing::warn!(error = %e, "a write failed while applying; applying it again");
            return match self.recover_locked() {
                Ok(()) => Ok(()),
                Err(again) => {
                    tracing::error!(error = %again, "the write could not be finished; the next write or open retries it");
                    Err(e)
                }
            };
        }
        self.journal.commit()
    }

    /// Applies a journaled write to the three indexes and makes each durable: tantivy commits
    /// and the vector log is synced as they apply; the graph's RocksDB write-ahead log is not
    /// synced per transaction, so its memtables are flushed (SST files synced) before the
    /// journal entry may be committed. An acknowledged write survives power loss, not only a
    /// process crash.
    fn apply_durably(&self, op: &Op, at: Moment) -> Result<()> {
        self.apply(op, at)?;
        self.graph.flush()?;
        step("after-flush")
    }

    /// Applies `op`, learned `at` (its record time).
    fn apply(&self, op: &Op, at: Moment) -> Result<()> {
        self.changes.note(self.generation(), op.paper_keys());
        match op {
            Op::Put(docs) => {
                self.text.put(docs)?;
                step("after-text")?;
                let keys: Vec<String> = docs.iter().map(|d| d.key.clone()).collect();
                let items: Vec<(String, Option<i32>, Vec<f32>)> = docs
                    .iter()
                    .flat_map(|d| {
                        d.passages
                            .iter()
                            .zip(&d.vectors)
                            .map(move |(p, v)| (p.key.clone(), d.year, v.clone()))
                    })
                    .collect();
                self.vectors.put(&keys, &items)?;
                step("after-vector")?;
                let graphs = docs
                    .iter()
                    .map(|d| Ok((self.graph_node(&d.key)?, self.extraction_node(&d.key)?, d)))
                    .collect::<Result<Vec<_>>>()?;
                self.graph.put(&graphs, at)?;
                step("after-graph")?;
            }
            Op::Delete(keys) => {
                let graphs = keys
                    .iter()
                    .map(|k| Ok((k.clone(), self.graph_node(k)?, self.extraction_node(k)?)))
                    .collect::<Result<Vec<_>>>()?;
                self.graph.delete(&graphs, at)?;
                step("after-graph")?;
                self.text.delete(keys)?;
                step("after-text")?;
                self.vectors.delete(keys)?;
                step("after-vector")?;
            }
            Op::AddFacts(facts) => {
                let graphs = facts
                    .iter()
                    .map(|(k, nt)| Ok((self.graph_node(k)?, nt.as_str())))
                    .collect::<Result<Vec<_>>>()?;
                self.graph.add(&graphs, at)?;
                step("after-graph")?;
            }
            Op::Research(w) => {
                if let Some(d) = &w.doc {
                    self.text.put(std::slice::from_ref(d))?;
                    step("after-text")?;
                    let items: Vec<(String, Option<i32>, Vec<f32>)> = d
                        .passages
                        .iter()
                        .zip(&d.vectors)
                        .map(|(p, v)| (p.key.clone(), d.year, v.clone()))
                        .collect();
                    self.vectors.put(std::slice::from_ref(&d.key), &items)?;
                    step("after-vector")?;
                }
                let graphs = w
                    .graphs
                    .iter()
                    .map(|(g, nt)| Ok((NamedNode::new(g.as_str()).map_err(Error::graph)?, nt.as_str())))
                    .collect::<Result<Vec<_>>>()?;
                self.graph.put_graphs(&graphs)?;
                step("after-graph")?;
            }
            Op::PutExtraction(items) => {
                let graphs = items
                    .iter()
                    .map(|(k, nt)| Ok((self.graph_node(k)?, self.extraction_node(k)?, nt.as_str())))
                    .collect::<Result<Vec<_>>>()?;
                self.graph.put_extraction(&graphs)?;
                step("after-graph")?;
            }
        }
        Ok(())
    }

    fn graph_node(&self, paper_key: &str) -> Result<NamedNode> {
        NamedNode::new(self.base.paper_graph(paper_key)).map_err(Error::graph)
    }

    fn extraction_node(&self, paper_key: &str) -> Result<NamedNode> {
        NamedNode::new(self.base.extraction_graph(paper_key)).map_err(Error::graph)
    }

    /// The stored digest (`hyp:digest`) of a paper or an agent record, if it is stored.
    pub fn paper_digest(&self, key: &str) -> Result<Option<String>> {
        doc_digest(&self.graph, &self.base, key)
    }

    /// The stored paper that carries the first of `keys` (match keys, strongest first) any
    /// stored paper carries.
    pub fn find_by_match_keys(&self, keys: &[String]) -> Result<Option<StoredIdentity>> {
        let prefix = self.base.paper_graph("");
        let ox = self.graph.oxigraph();
        let match_key = oxigraph::model::NamedNodeRef::new_unchecked(crate::common::vocab::hyp::MATCH_KEY);
        for k in keys {
            let literal = oxigraph::model::Literal::new_simple_literal(k);
            // The key as a paper's own graph states it: the same literal in the default graph
            // or in a graph a user wrote names no paper.
            let mut hit = None;
            for q in ox.quads_for_pattern(None, Some(match_key), Some(literal.as_ref().into()), None) {
                let q = q?;
                if let (oxigraph::model::NamedOrBlankNode::NamedNode(iri), oxigraph::model::GraphName::NamedNode(g)) =
                    (&q.subject, &q.graph_name)
                {
                    if let Some(key) = g.as_str().strip_prefix(&prefix) {
                        hit = Some((iri.clone(), g.clone(), key.to_string()));
                        break;
                    }
                }
            }
            let Some((iri, g, key)) = hit else { continue };
            let literals = |p: &str| -> Result<Vec<String>> {
                ox.quads_for_pattern(
                    Some(iri.as_ref().into()),
                    Some(oxigraph::model::NamedNodeRef::new_unchecked(p)),
                    None,
                    Some(g.as_ref().into()),
                )
                .map(|q| {
                    Ok(match q?.object {
                        oxigraph::model::Term::Literal(l) => l.value().to_string(),
                        _ => String::new(),
                    })
                })
                .collect()
            };
            let len = |p: &str| -> Result<usize> { Ok(literals(p)?.iter().map(String::len).sum()) };
            let text_len = len(crate::common::vocab::hyp::CANONICAL_TEXT)?;
            // The canonical text is title, abstract, then the body, joined by blank lines.
            let head = len(crate::common::vocab::schema::NAME)? + len(crate::common::vocab::schema::ABSTRACT)? + 4;
            return Ok(Some(StoredIdentity {
                iri: iri.as_str().to_string(),
                key: key.to_string(),
                match_keys: literals(crate::common::vocab::hyp::MATCH_KEY)?,
                text_len,
                source_format: literals(crate::common::vocab::hyp::SOURCE_FORMAT)?
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
                has_body: text_len > head,
            }));
        }
        Ok(None)
    }

    /// A stored paper's (or agent record's) IRI and canonical text.
    pub fn canonical_text(&self, key: &str) -> Result<Option<(String, String)>> {
        let graph = NamedNode::new(self.base.doc_graph(key)).map_err(Error::graph)?;
        let p = oxigraph::model::NamedNodeRef::new_unchecked(crate::common::vocab::hyp::CANONICAL_TEXT);
        let quad = self
            .graph
            .oxigraph()
            .quads_for_pattern(None, Some(p), None, Some(graph.as_ref().into()))
            .next()
            .transpose()?;
        Ok(quad.and_then(|q| match (q.subject, q.object) {
            (oxigraph::model::NamedOrBlankNode::NamedNode(s), oxigraph::model::Term::Literal(l)) => {
                Some((s.into_string(), l.value().to_string()))
            }
            _ => None,
        }))
    }

    /// Whether the paper is visible (its graph exists).
    pub fn has_paper(&self, paper_key: &str) -> Result<bool> {
        self.graph.has_graph(self.graph_node(paper_key)?.as_ref())
    }

    /// Whether a paper or an agent record is visible (its document graph exists).
    pub fn has_doc(&self, key: &str) -> Result<bool> {
        let g = NamedNode::new(self.base.doc_graph(key)).map_err(Error::graph)?;
        self.graph.has_graph(g.as_ref())
    }

    /// The text index (reads).
    pub fn text(&self) -> &TextIndex {
        &self.text
    }

    /// The vector index (reads).
    pub fn vectors(&self) -> &VectorIndex {
        &self.vectors
    }

    /// The graph store (reads; writes go through [`Store::put_papers`]).
    pub fn graph(&self) -> &GraphStore {
        &self.graph
    }

    /// Paper keys that have a graph.
    pub fn graph_paper_keys(&self) -> Result<BTreeSet<String>> {
        let prefix = self.base.paper_graph("");
        Ok(self
            .graph
            .graph_names()?
            .into_iter()
            .filter_map(|g| g.strip_prefix(&prefix).map(str::to_string))
            .collect())
    }

    /// Keys of the searchable agent records (hypotheses, experiments) that have a graph.
    pub fn graph_record_keys(&self) -> Result<BTreeSet<String>> {
        let prefix = self.base.nanopub("");
        Ok(self
            .graph
            .graph_names()?
            .into_iter()
            .filter_map(|g| g.strip_prefix(&prefix)?.strip_suffix("/pubinfo").map(str::to_string))
            .filter(|k| ids::RecordKind::of_key(k).is_some_and(ids::RecordKind::is_indexed))
            .collect())
    }

    /// Counts of papers, records, passages, vectors and triples.
    pub fn stats(&self) -> Result<Stats> {
        Ok(Stats {
            papers: self.graph_paper_keys()?.len(),
            records: self.graph_record_keys()?.len(),
            passages: self.text.num_passages(),
            vectors: self.vectors.live_keys().len(),
            triples: self.graph.len()?,
        })
    }

    /// Compares the three indexes: paper and passage keys, and each passage against its
    /// paper's graph (version, content hash, quote at its offsets); reads the whole vector log
    /// (an error if a record is corrupt). Reads everything: for recovery checks and the torture
    /// harness, not for hot paths.
    pub fn check_consistency(&self) -> Result<Consistency> {
        let mut graph = self.graph_paper_keys()?;
        graph.extend(self.graph_record_keys()?);
        let (text_papers, _) = self.text.paper_keys()?;
        let mut text_passages = BTreeSet::new();
        let mut text_vs_canonical = Vec::new();
        for key in &text_papers {
            let passages = self.text.passages_of(key)?;
            let digest = self.paper_digest(key)?;
            let canonical = self.canonical_text(key)?.map(|(_, text)| text);
            for p in passages {
                let agrees = canonical.as_deref().is_some_and(|text| {
                    crate::common::passages::verify_quote(text, p.start, p.end, &p.text)
                        && ids::content_hash(&p.text) == p.hash
                        && digest.as_deref().is_none_or(|d| d == p.version)
                });
                if !agrees {
                    text_vs_canonical.push(p.key.clone());
                }
                text_passages.insert(p.key);
            }
        }
        self.vectors.verify_log()?;
        let vector_passages: BTreeSet<String> = self.vectors.live_keys().into_iter().collect();
        Ok(Consistency {
            text_vs_graph: graph.symmetric_difference(&text_papers).cloned().collect(),
            text_vs_vector: text_passages.symmetric_difference(&vector_passages).cloned().collect(),
            text_vs_canonical,
        })
    }

    /// After a bulk write of `added` passages: merges the text index into one segment when they
    /// are at least a tenth of it (each batch commits a segment of its own, and the background
    /// merge policy leaves several per size level; a query pays per segment). The bound keeps
    /// the rewrite amortised: each merge rewrites at most ten times what was added since the
    /// last. Content does not change, so writers and readers go on meanwhile. Returns the number
    /// of segments before when it merged.
    pub fn merge_after_bulk(&self, added: usize) -> Result<Option<usize>> {
        let total = self.text.num_passages();
        if added == 0 || added.saturating_mul(10) < total || self.text.num_segments() <= 1 {
            return Ok(None);
        }
        self.text.merge_segments().map(Some)
    }

    /// Makes the next open fast: dumps the vector graph and flushes RocksDB.
    pub fn checkpoint(&self) -> Result<()> {
        let _w = self.write_lock();
        self.vectors.checkpoint()?;
        self.graph.flush()
    }

    /// Writes a consistent snapshot of all three indexes into `target` (which must not exist):
    /// writers wait while it runs, readers do not. The snapshot opens as a store of its own.
    pub fn backup(&self, target: &Path) -> Result<Stats> {
        if target.exists() {
            return Err(Error::invalid("target", format!("{} already exists", target.display())));
        }
        let _w = self.write_lock();
        self.recover_locked()?;
        std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
        self.graph.backup(&target.join("graph"))?;
        self.text.backup(&self.dir.join("text"), &target.join("text"))?;
        self.vectors.backup(&target.join("vector"))?;
        std::fs::create_dir_all(target.join("journal")).map_err(|e| Error::io(target, e))?;
        let meta = self.dir.join(meta::META);
        std::fs::copy(&meta, target.join(meta::META)).map_err(|e| Error::io(&meta, e))?;
        let stats = self.stats()?;
        tracing::info!(target = %target.display(), papers = stats.papers, "backup written");
        Ok(stats)
    }

    /// Restores a backup into `target` (which must not exist or be empty) and opens it, so that
    /// a broken backup is found now rather than when it is needed.
    pub fn restore(backup: &Path, target: &Path, opts: &StoreOptions) -> Result<Store> {
        if !backup.join(meta::META).is_file() {
            return Err(Error::invalid(
                "backup",
                format!("{} is not a Hypatia backup (no {})", backup.display(), meta::META),
            ));
        }
        if target.exists()
            && std::fs::read_dir(target)
                .map_err(|e| Error::io(target, e))?
                .next()
                .is_some()
        {
            return Err(Error::invalid("target", format!("{} is not empty", target.display())));
        }
        copy_tree(backup, target)?;
        Store::open(target, opts)
    }

    /// The key of a paper given by key or IRI, if the store has it.
    pub fn resolve_paper(&self, key_or_iri: &str) -> Result<Option<String>> {
        let key = ids::paper_key_of(key_or_iri);
        Ok(self.has_paper(&key)?.then_some(key))
    }
}

/// The digest a document's graph (a paper's graph, a record's publication info) states.
fn doc_digest(graph: &GraphStore, base: &Base, key: &str) -> Result<Option<String>> {
    let g = NamedNode::new(base.doc_graph(key)).map_err(Error::graph)?;
    let digest = oxigraph::model::NamedNodeRef::new_unchecked(crate::common::vocab::hyp::DIGEST);
    let quad = graph
        .oxigraph()
        .quads_for_pattern(None, Some(digest), None, Some(g.as_ref().into()))
        .next();
    match quad {
        Some(q) => match q?.object {
            oxigraph::model::Term::Literal(l) => Ok(Some(l.value().to_string())),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    for e in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let e = e.map_err(|e| Error::io(from, e))?;
        let dest = to.join(e.file_name());
        if e.file_type().map_err(|err| Error::io(e.path(), err))?.is_dir() {
            copy_tree(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), &dest).map_err(|err| Error::io(e.path(), err))?;
        }
    }
    Ok(())
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.vectors.checkpoint() {
            tracing::warn!(error = %e, "vector checkpoint on close failed; the next open replays the log");
        }
    }
}

/// A named point between two steps of a write: the crash tests abort the process here, the
/// error-path tests make it fail (see [`failpoints`]).
fn step(name: &str) -> Result<()> {
    failpoints::abort_at(name);
    failpoints::io(name).map_err(|e| Error::io(name, e))
}
