//! The vector index: an append-only, checksummed log of passage vectors is the durable truth;
//! an hnsw_rs graph over it is a cache, dumped at checkpoints and rebuilt from the log's tail on
//! open. The graph holds the vectors quantised to a byte a component (`vector_q8`); a search
//! re-scores its candidates with the exact vectors read back from the log. hnsw_rs has no
//! delete, so a replaced or removed passage becomes a tombstone that searches filter out.
//!
//! **Invariant:** every live passage key maps to exactly one internal id, and the HNSW graph
//! holds every live id once the index is open. Internal ids never leave this module.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hnsw_rs::hnswio::ReloadOptions;
use hnsw_rs::prelude::{AnnT, Hnsw, HnswIo};
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use super::files::write_atomically;
pub use super::vector_log::Tail;
use super::vector_log::{encode, read_log, LogRecord};
use super::vector_q8::{quantise, DistQ8, LogVectors};
use super::SearchFilter;
use crate::common::error::{Error, Result};

/// HNSW build and search parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HnswParams {
    /// Links per node (M).
    pub m: usize,
    /// Candidate list size while building.
    pub ef_construction: usize,
    /// Candidate list size while searching (raised to k when smaller).
    pub ef_search: usize,
    /// Vectors appended between two checkpoints of the graph.
    pub checkpoint_every: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        HnswParams {
            m: 16,
            ef_construction: 200,
            // Chosen by `bash scripts/bench.sh latency` (unfiltered search, k 10): recall@10
            // 0.943 -> 0.982 at 100k passages and 0.677 -> 0.823 at 1M against ef 96, for
            // +0.6 / +1.1 ms p50. Hybrid search asks for 500 candidates, so ef 500 there.
            ef_search: 256,
            checkpoint_every: 50_000,
        }
    }
}

/// What the checkpoint's `CURRENT` file says.
#[derive(Debug, Serialize, Deserialize)]
struct Checkpoint {
    /// Basename of the dump files in the checkpoint folder.
    basename: String,
    /// Log length the dump covers.
    log_offset: u64,
    /// The layout of the dump and its id map ([`CHECKPOINT_FORMAT`]); absent (0) in
    /// checkpoints of `f32` graphs, which are rebuilt from the log instead.
    #[serde(default)]
    format: u32,
}

/// Checkpoints this code reads: 1, graphs of quantised vectors and id maps that say where in
/// the log each vector is.
const CHECKPOINT_FORMAT: u32 = 1;

/// Candidates a search takes from the graph at least, to re-score exactly before it keeps `k`:
/// the graph's order of near ties is the quantised one.
const RESCORE_MIN: usize = 64;

/// The id map as of a checkpoint, written beside its dump (`<basename>.ids`) so that open
/// reads only the log the checkpoint does not cover.
#[derive(Serialize, Deserialize)]
struct IdSnapshot {
    /// Every id's key, year, liveness and the log offset of the record that added it, by id.
    entries: Vec<(String, Option<i32>, bool, u64)>,
    /// The live agent records' vectors, by id.
    records: Vec<(u64, Vec<f32>)>,
    next: u64,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    year: Option<i32>,
    alive: bool,
    /// Where in the log the record that added this id starts (its exact vector).
    at: u64,
}

#[derive(Default)]
struct IdMap {
    /// Indexed by internal id: ids are dealt densely from 0, so a vector (a search's filter
    /// looks every candidate up here) instead of a hash map. An id no record names is dead.
    entries: Vec<Entry>,
    live: HashMap<String, u64>,
    /// The vectors of live agent records' passages (hypotheses, experiments): few, and searched
    /// exactly by novelty, so they are kept apart rather than found by a scan of every point.
    records: HashMap<u64, Vec<f32>>,
    next: u64,
}

impl IdMap {
    fn snapshot(&self) -> IdSnapshot {
        IdSnapshot {
            entries: self
                .entries
                .iter()
                .map(|e| (e.key.clone(), e.year, e.alive, e.at))
                .collect(),
            records: self.records.iter().map(|(id, v)| (*id, v.clone())).collect(),
            next: self.next,
        }
    }

    fn of_snapshot(s: IdSnapshot) -> IdMap {
        let entries: Vec<Entry> = s
            .entries
            .into_iter()
            .map(|(key, year, alive, at)| Entry { key, year, alive, at })
            .collect();
        let live = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.alive)
            .map(|(id, e)| (e.key.clone(), id as u64))
            .collect();
        IdMap {
            entries,
            live,
            records: s.records.into_iter().collect(),
            next: s.next,
        }
    }

    fn get(&self, id: u64) -> Option<&Entry> {
        self.entries.get(usize::try_from(id).ok()?)
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut Entry> {
        self.entries.get_mut(usize::try_from(id).ok()?)
    }

    /// Whether every id is a live passage: then a search needs no liveness filter.
    fn all_alive(&self) -> bool {
        self.live.len() == self.entries.len()
    }

    /// Applies the record that starts at byte `at` of the log.
    fn apply(&mut self, at: u64, r: &LogRecord) {
        match r {
            LogRecord::Add { id, key, year, vector } => {
                if let Some(old) = self.live.insert(key.clone(), *id) {
                    if let Some(e) = self.get_mut(old) {
                        e.alive = false;
                    }
                    self.records.remove(&old);
                }
                if crate::common::ids::RecordKind::of_key(crate::common::ids::paper_key_of_passage(key)).is_some() {
                    self.records.insert(*id, vector.clone());
                }
                let slot = *id as usize;
                if slot >= self.entries.len() {
                    self.entries.resize_with(slot + 1, || Entry {
                        key: String::new(),
                        year: None,
                        alive: false,
                        at: 0,
                    });
                }
                self.entries[slot] = Entry {
                    key: key.clone(),
                    year: *year,
                    alive: true,
                    at,
                };
                self.next = self.next.max(id + 1);
            }
            LogRecord::Delete { id } => {
                if let Some(e) = self.get_mut(*id) {
                    e.alive = false;
                    let key = e.key.clone();
                    if self.live.get(&key) == Some(id) {
                        self.live.remove(&key);
                    }
                }
                self.records.remove(id);
            }
            LogRecord::Batch { .. } => {}
        }
    }
}

type Graph = Hnsw<'static, i8, DistQ8>;

/// What open reads before it replays: the id map, the graph, the log records from `replay_from`
/// on to insert into it, and the length of the good log.
struct Opened {
    ids: IdMap,
    graph: Graph,
    records: Vec<(u64, LogRecord)>,
    replay_from: u64,
    good_len: u64,
}

/// Passage vectors: a log plus an HNSW graph.
pub struct VectorIndex {
    dir: PathBuf,
    dim: usize,
    params: HnswParams,
    graph: RwLock<Graph>,
    ids: RwLock<IdMap>,
    log: Mutex<LogWriter>,
    /// The log read back by offset, for the exact re-score.
    exact: LogVectors,
}

struct LogWriter {
    /// Opened for appending.
    file: File,
    len: u64,
    since_checkpoint: usize,
    /// Set when a failed append could not be cut back: the file's end is unknown, so no
    /// further append may land after it (reopening the store finds the log's real state).
    poisoned: bool,
}

const LOG: &str = "vectors.log";
const CHECKPOINT_DIR: &str = "checkpoint";
const CURRENT: &str = "CURRENT";
impl VectorIndex {
    /// Opens or creates the index in `dir`, replaying the log past the last checkpoint. A torn
    /// last append is cut off when `tail` allows it; any other bad record is an error that names
    /// its offset, and the file is left as it is.
    pub fn open(dir: &Path, dim: usize, params: HnswParams, tail: Tail) -> Result<Self> {
        std::fs::create_dir_all(dir.join(CHECKPOINT_DIR)).map_err(|e| Error::io(dir, e))?;
        let log_path = dir.join(LOG);
        let Opened {
            ids,
            graph,
            records,
            replay_from,
            good_len,
        } = match Self::open_at_checkpoint(dir, tail)? {
            Some(opened) => opened,
            None => {
                // No usable checkpoint: the whole log, vectors and all, into a new graph.
                let (records, good_len) = read_log(&log_path, tail, 0, 0)?;
                let mut ids = IdMap::default();
                for (at, r) in &records {
                    ids.apply(*at, r);
                }
                Opened {
                    ids,
                    graph: new_graph(params, records.len()),
                    records,
                    replay_from: 0,
                    good_len,
                }
            }
        };
        let mut tail: Vec<(Vec<i8>, usize)> = Vec::new();
        for (_, r) in records.into_iter().filter(|(off, _)| *off >= replay_from) {
            if let LogRecord::Add { id, vector, .. } = r {
                if vector.len() != dim {
                    return Err(Error::vector(format!(
                        "stored vectors have dimension {}, the model gives {dim}",
                        vector.len()
                    )));
                }
                if ids.get(id).is_some_and(|e| e.alive) {
                    tail.push((quantise(&vector), id as usize));
                }
            }
        }
        if !tail.is_empty() {
            tracing::info!(vectors = tail.len(), "replaying vector log into the HNSW graph");
            graph.parallel_insert(&tail.iter().map(|(v, id)| (v, *id)).collect::<Vec<_>>());
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| Error::io(&log_path, e))?;
        if file.metadata().map_err(|e| Error::io(&log_path, e))?.len() != good_len {
            file.set_len(good_len)
                .and_then(|()| file.sync_all())
                .map_err(|e| Error::io(&log_path, e))?;
        }
        let log = LogWriter {
            file,
            len: good_len,
            since_checkpoint: tail.len(),
            poisoned: false,
        };
        Ok(VectorIndex {
            dir: dir.to_path_buf(),
            dim,
            params,
            graph: RwLock::new(graph),
            ids: RwLock::new(ids),
            log: Mutex::new(log),
            exact: LogVectors::open(&log_path)?,
        })
    }

    /// The index as of the last checkpoint: its graph (vectors memory-mapped from the dump) and,
    /// when it has one, its id map, so that only the log after it is read; a checkpoint without
    /// an id map (written before they were) has the whole log read for ids, without the vectors
    /// its graph holds. `None` when there is no usable checkpoint.
    fn open_at_checkpoint(dir: &Path, tail: Tail) -> Result<Option<Opened>> {
        let log_path = dir.join(LOG);
        let Some(c) = read_checkpoint(dir) else { return Ok(None) };
        if c.format != CHECKPOINT_FORMAT {
            tracing::info!(
                format = c.format,
                "vector checkpoint of an older layout; rebuilding the graph from the log"
            );
            return Ok(None);
        }
        let log_len = match std::fs::metadata(&log_path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(Error::io(&log_path, e)),
        };
        if c.log_offset > log_len {
            return Ok(None);
        }
        let (ids, records, good_len) = match read_snapshot(dir, &c) {
            Some(snapshot) => {
                let (records, good_len) = read_log(&log_path, tail, c.log_offset, c.log_offset)?;
                let mut ids = IdMap::of_snapshot(snapshot);
                for (at, r) in &records {
                    ids.apply(*at, r);
                }
                (ids, records, good_len)
            }
            None => {
                let (records, good_len) = read_log(&log_path, tail, 0, c.log_offset)?;
                let mut ids = IdMap::default();
                for (at, r) in &records {
                    ids.apply(*at, r);
                }
                (ids, records, good_len)
            }
        };
        if c.log_offset > good_len {
            return Ok(None);
        }
        Ok(load_graph(dir, &c).map(|graph| Opened {
            ids,
            graph,
            records,
            replay_from: c.log_offset,
            good_len,
        }))
    }

    /// The vectors' dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Replaces the vectors of these passages: old ids of the same keys and of the papers'
    /// other passages become tombstones. Idempotent; durable (fsync) when it returns.
    ///
    /// Public for `benches/latency.rs`, which builds a large index without the journal and
    /// the graph; everything else writes through [`super::Store`], which keeps the three
    /// indexes consistent.
    pub fn put(&self, paper_keys: &[String], items: &[(String, Option<i32>, Vec<f32>)]) -> Result<()> {
        for (_, _, v) in items {
            if v.len() != self.dim {
                return Err(Error::vector(format!(
                    "vector of dimension {} for an index of dimension {}",
                    v.len(),
                    self.dim
                )));
            }
        }
        let mut log = self.log.lock();
        let mut records = self.deletes_for(paper_keys);
        let first = self.ids.read().next;
        records.extend(items.iter().enumerate().map(|(i, (key, year, vector))| LogRecord::Add {
            id: first + i as u64,
            key: key.clone(),
            year: *year,
            vector: vector.clone(),
        }));
        self.append(&mut log, &records)?;
        let quantised: Vec<Vec<i8>> = items.iter().map(|(_, _, v)| quantise(v)).collect();
        let inserts: Vec<(&Vec<i8>, usize)> = quantised
            .iter()
            .enumerate()
            .map(|(i, q)| (q, (first + i as u64) as usize))
            .collect();
        self.graph.read().parallel_insert(&inserts);
        log.since_checkpoint += inserts.len();
        if log.since_checkpoint >= self.params.checkpoint_every {
            self.checkpoint_locked(&mut log)?;
        }
        Ok(())
    }

    /// Tombstones every live vector of these papers. Idempotent; durable when it returns.
    pub(crate) fn delete(&self, paper_keys: &[String]) -> Result<()> {
        let mut log = self.log.lock();
        let records = self.deletes_for(paper_keys);
        self.append(&mut log, &records)
    }

    /// Delete records for all live ids whose passage belongs to one of these papers.
    fn deletes_for(&self, paper_keys: &[String]) -> Vec<LogRecord> {
        let ids = self.ids.read();
        let papers: std::collections::HashSet<&str> = paper_keys.iter().map(String::as_str).collect();
        ids.live
            .iter()
            .filter(|(key, _)| papers.contains(crate::common::ids::paper_key_of_passage(key)))
            .map(|(_, id)| LogRecord::Delete { id: *id })
            .collect()
    }

    /// Appends `records` as one batch (a marker, then the records), synced before it returns.
    /// A failed append is cut back to where the log ended, so that nothing half-written stays
    /// before later appends; when even that fails, the index refuses further appends.
    fn append(&self, log: &mut LogWriter, records: &[LogRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(LOG);
        if log.poisoned {
            return Err(Error::vector(format!(
                "{}: an earlier append failed and could not be undone; reopen the store",
                path.display()
            )));
        }
        // Each record's offset within the body: the id map keeps where each vector is.
        let mut body = Vec::new();
        let mut starts = Vec::with_capacity(records.len());
        for r in records {
            starts.push(body.len() as u64);
            encode(r, &mut body)?;
        }
        let mut bytes = Vec::with_capacity(body.len() + 32);
        encode(
            &LogRecord::Batch {
                records: records.len() as u32,
                bytes: body.len() as u64,
            },
            &mut bytes,
        )?;
        let body_at = log.len + bytes.len() as u64;
        bytes.extend_from_slice(&body);
        let before = log.len;
        let written = super::failpoints::io("vector-append")
            .and_then(|()| log.file.write_all(&bytes))
            .and_then(|()| log.file.sync_data());
        if let Err(e) = written {
            match log.file.set_len(before).and_then(|()| log.file.sync_all()) {
                Ok(()) => tracing::warn!(path = %path.display(), error = %e, "vector append failed; cut back"),
                Err(undo) => {
                    log.poisoned = true;
                    tracing::error!(path = %path.display(), error = %e, undo = %undo, "vector append failed and could not be cut back");
                }
            }
            return Err(Error::io(&path, e));
        }
        log.len = before + bytes.len() as u64;
        let mut ids = self.ids.write();
        for (r, start) in records.iter().zip(starts) {
            ids.apply(body_at + start, r);
        }
        Ok(())
    }

    /// Nearest live passages to `query` by HNSW, as (passage key, cosine similarity): the
    /// graph's candidates (at least [`RESCORE_MIN`]) re-scored exactly with their vectors from
    /// the log, best first. Fails only when the log cannot be read back.
    pub fn search(&self, query: &[f32], k: usize, filter: &SearchFilter) -> Result<Vec<(String, f32)>> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let ids = self.ids.read();
        let keep = |id: &usize| {
            ids.get(*id as u64)
                .is_some_and(|e| e.alive && filter.accepts_year(e.year))
        };
        let depth = k.max(RESCORE_MIN);
        let ef = self.params.ef_search.max(depth);
        let q = quantise(query);
        let graph = self.graph.read();
        // hnsw_rs does not stop a filtered search where an unfiltered one stops (it keeps
        // expanding candidates and re-filters its result heap), which costs 2-7x at depth 500:
        // when the filter would accept every point, search without it.
        let hits = if ids.all_alive() && filter.year_from.is_none() && filter.year_to.is_none() {
            graph.search_filter(&q, depth, ef, None)
        } else {
            graph.search_filter(&q, depth, ef, Some(&keep))
        };
        drop(graph);
        let mut scored = Vec::with_capacity(hits.len());
        for n in hits {
            let Some(e) = ids.get(n.d_id as u64) else { continue };
            let v = self.exact.vector_at(e.at, e.key.len(), self.dim)?;
            scored.push((e.key.clone(), crate::embed::dot(query, &v)));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(k);
        Ok(scored)
    }

    /// Exact similarities of the live agent records' passages (hypotheses, experiments), best
    /// first: records are kept apart in memory, so this costs O(records), not O(passages).
    pub fn exact_records(&self, query: &[f32], k: usize) -> Vec<(String, f32)> {
        let ids = self.ids.read();
        let mut scored: Vec<(String, f32)> = ids
            .records
            .iter()
            .filter_map(|(id, v)| Some((ids.get(*id)?.key.clone(), crate::embed::dot(query, v))))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }

    /// Nearest live passages by an exact scan of the log: the recall oracle for the HNSW graph.
    pub fn exact_search(&self, query: &[f32], k: usize, filter: &SearchFilter) -> Result<Vec<(String, f32)>> {
        let _quiet = self.log.lock();
        let (records, _) = read_log(&self.dir.join(LOG), Tail::Complete, 0, 0)?;
        let ids = self.ids.read();
        let mut scored: Vec<(String, f32)> = records
            .into_iter()
            .filter_map(|(_, r)| match r {
                LogRecord::Add { id, key, vector, .. } => {
                    let e = ids.get(id)?;
                    (e.alive && filter.accepts_year(e.year)).then(|| (key, crate::embed::dot(query, &vector)))
                }
                LogRecord::Delete { .. } | LogRecord::Batch { .. } => None,
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(k);
        Ok(scored)
    }

    /// Reads the whole log (open reads only what the last checkpoint does not cover): an error
    /// names a corrupt record, or live keys on which the open index and the log disagree.
    pub(crate) fn verify_log(&self) -> Result<()> {
        let _quiet = self.log.lock();
        let path = self.dir.join(LOG);
        let (records, _) = read_log(&path, Tail::Complete, 0, u64::MAX)?;
        let mut from_log = IdMap::default();
        for (at, r) in &records {
            from_log.apply(*at, r);
        }
        let ids = self.ids.read();
        let differ = from_log
            .live
            .iter()
            .filter(|(k, id)| ids.live.get(*k) != Some(id))
            .count()
            + ids.live.keys().filter(|k| !from_log.live.contains_key(*k)).count();
        if differ > 0 {
            return Err(Error::vector(format!(
                "{}: the open index and its log disagree on {differ} live passages (a bad checkpoint \
                 id map); remove {} and reopen to rebuild it from the log",
                path.display(),
                self.dir.join(CHECKPOINT_DIR).display()
            )));
        }
        Ok(())
    }

    /// Copies the durable state (the log up to its current end, and the last checkpoint) into
    /// `target`. Appends wait meanwhile.
    pub(crate) fn backup(&self, target: &Path) -> Result<()> {
        let log = self.log.lock();
        let path = self.dir.join(LOG);
        std::fs::create_dir_all(target.join(CHECKPOINT_DIR)).map_err(|e| Error::io(target, e))?;
        let mut src = File::open(&path).map_err(|e| Error::io(&path, e))?.take(log.len);
        let dest = target.join(LOG);
        let mut out = File::create(&dest).map_err(|e| Error::io(&dest, e))?;
        std::io::copy(&mut src, &mut out)
            .and_then(|_| out.sync_all())
            .map_err(|e| Error::io(&dest, e))?;
        let cdir = self.dir.join(CHECKPOINT_DIR);
        for e in std::fs::read_dir(&cdir).map_err(|e| Error::io(&cdir, e))?.flatten() {
            if e.path().extension().is_some_and(|x| x == "tmp") {
                continue;
            }
            let to = target.join(CHECKPOINT_DIR).join(e.file_name());
            std::fs::copy(e.path(), &to).map_err(|err| Error::io(&to, err))?;
        }
        Ok(())
    }

    /// Keys of all live passages.
    pub fn live_keys(&self) -> Vec<String> {
        self.ids.read().live.keys().cloned().collect()
    }

    /// Dumps the HNSW graph so that the next open replays only the log written after now.
    pub fn checkpoint(&self) -> Result<()> {
        let mut log = self.log.lock();
        self.checkpoint_locked(&mut log)
    }

    fn checkpoint_locked(&self, log: &mut LogWriter) -> Result<()> {
        let graph = self.graph.read();
        if graph.get_nb_point() == 0 || log.since_checkpoint == 0 {
            return Ok(());
        }
        let cdir = self.dir.join(CHECKPOINT_DIR);
        let basename = format!("hnsw-{}", log.len);
        let written = graph.file_dump(&cdir, &basename).map_err(Error::vector)?;
        for ext in ["hnsw.graph", "hnsw.data"] {
            let p = cdir.join(format!("{written}.{ext}"));
            File::open(&p)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&p, e))?;
        }
        let ids = postcard::to_stdvec(&self.ids.read().snapshot()).map_err(Error::vector)?;
        write_atomically(&cdir.join(format!("{written}.ids")), &ids)?;
        let current = Checkpoint {
            basename: written.clone(),
            log_offset: log.len,
            format: CHECKPOINT_FORMAT,
        };
        write_atomically(
            &cdir.join(CURRENT),
            &serde_json::to_vec(&current).map_err(Error::vector)?,
        )?;
        remove_other_dumps(&cdir, &written);
        log.since_checkpoint = 0;
        tracing::debug!(basename = %written, log_offset = log.len, "vector checkpoint written");
        Ok(())
    }
}

fn new_graph(params: HnswParams, expected: usize) -> Graph {
    Hnsw::new(params.m, expected.max(10_000), 16, params.ef_construction, DistQ8)
}

fn load_graph(dir: &Path, c: &Checkpoint) -> Option<Graph> {
    // A reloaded hnsw_rs graph borrows its loader, which holds the memory map of the dump's
    // vectors (points read them from the map, so they are in memory once, in the page cache);
    // there is one per open index, so it lives for the rest of the process.
    let io: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(&dir.join(CHECKPOINT_DIR), &c.basename)));
    io.set_options(ReloadOptions::default().set_mmap(true));
    match io.load_hnsw::<i8, DistQ8>() {
        Ok(g) => Some(g),
        Err(e) => {
            tracing::warn!(error = %e, "vector checkpoint unreadable, rebuilding the graph from the log");
            None
        }
    }
}

/// The checkpoint's id map, if it has one that reads.
fn read_snapshot(dir: &Path, c: &Checkpoint) -> Option<IdSnapshot> {
    let path = dir.join(CHECKPOINT_DIR).join(format!("{}.ids", c.basename));
    let bytes = std::fs::read(&path).ok()?;
    match postcard::from_bytes(&bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "vector id map unreadable, reading the whole log");
            None
        }
    }
}

fn read_checkpoint(dir: &Path) -> Option<Checkpoint> {
    let bytes = std::fs::read(dir.join(CHECKPOINT_DIR).join(CURRENT)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn remove_other_dumps(cdir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(cdir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("hnsw-") && !name.starts_with(&format!("{keep}.")) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::random_unit as unit;

    #[test]
    fn put_search_reopen_and_tombstones() {
        let dir = tempfile::tempdir().unwrap();
        let params = HnswParams {
            checkpoint_every: 50,
            ..HnswParams::default()
        };
        let items: Vec<_> = (0..120)
            .map(|i| (format!("p{}-{}", i % 12, i), Some(2000 + (i % 5) as i32), unit(i, 16)))
            .collect();
        {
            let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
            let papers: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
            idx.put(&papers, &items).unwrap();
            let hit = idx.search(&items[7].2, 1, &SearchFilter::default()).unwrap();
            assert_eq!(hit[0].0, items[7].0);
            idx.put(&papers, &items).unwrap();
            assert_eq!(idx.live_keys().len(), 120, "re-putting replaces, never duplicates");
            idx.delete(&["p7".to_string()]).unwrap();
            assert_eq!(idx.live_keys().len(), 110);
        }
        let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
        assert_eq!(idx.live_keys().len(), 110);
        let hit = idx.search(&items[8].2, 1, &SearchFilter::default()).unwrap();
        assert_eq!(hit[0].0, items[8].0);
        assert!(idx
            .search(&items[7].2, 5, &SearchFilter::default())
            .unwrap()
            .iter()
            .all(|(k, _)| !k.starts_with("p7-")));
        let exact = idx.exact_search(&items[9].2, 3, &SearchFilter::default()).unwrap();
        assert_eq!(exact[0].0, items[9].0);
        let only_2001 = SearchFilter {
            year_from: Some(2001),
            year_to: Some(2001),
            ..SearchFilter::default()
        };
        let hits = idx.search(&items[9].2, 5, &only_2001).unwrap();
        assert!(!hits.is_empty());
        for (k, _) in hits {
            assert!(
                items.iter().any(|(ik, y, _)| ik == &k && *y == Some(2001)),
                "{k} is not from 2001"
            );
        }
    }

    #[test]
    fn hits_are_rescored_with_the_logs_exact_vectors() {
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<_> = (0..2000u64).map(|i| passage_of(i, 50)).collect();
        let idx = VectorIndex::open(dir.path(), 16, checkpoint_every_40(), Tail::Complete).unwrap();
        idx.put(&[], &items).unwrap();
        let by_key: HashMap<&str, &Vec<f32>> = items.iter().map(|(k, _, v)| (k.as_str(), v)).collect();
        for q in (5000..5030u64).map(|i| unit(i, 16)) {
            for k in [1, 10, 100] {
                let hits = idx.search(&q, k, &SearchFilter::default()).unwrap();
                assert_eq!(hits.len(), k);
                for (key, sim) in &hits {
                    // Bit for bit the similarity of the f32 vectors, not of the quantised ones.
                    assert_eq!(*sim, crate::embed::dot(&q, by_key[key.as_str()]), "{key}");
                }
                assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
            }
            let exact = idx.exact_search(&q, 1, &SearchFilter::default()).unwrap();
            assert_eq!(idx.search(&q, 1, &SearchFilter::default()).unwrap()[0].0, exact[0].0);
        }
    }

    #[test]
    fn a_checkpoint_of_an_older_layout_is_rebuilt_from_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<_> = (0..100u64).map(|i| passage_of(i, 10)).collect();
        {
            let idx = VectorIndex::open(dir.path(), 16, checkpoint_every_40(), Tail::Complete).unwrap();
            idx.put(&[], &items).unwrap();
            idx.checkpoint().unwrap();
        }
        // As `f32` graphs' checkpoints were written: no format.
        let current = dir.path().join(CHECKPOINT_DIR).join(CURRENT);
        let mut c: serde_json::Value = serde_json::from_slice(&std::fs::read(&current).unwrap()).unwrap();
        c.as_object_mut().unwrap().remove("format");
        std::fs::write(&current, serde_json::to_vec(&c).unwrap()).unwrap();
        let idx = VectorIndex::open(dir.path(), 16, checkpoint_every_40(), Tail::Complete).unwrap();
        assert_eq!(idx.live_keys().len(), 100);
        for (key, _, v) in &items {
            assert_eq!(&idx.search(v, 1, &SearchFilter::default()).unwrap()[0].0, key);
        }
        idx.checkpoint().unwrap();
        assert_eq!(read_checkpoint(dir.path()).unwrap().format, CHECKPOINT_FORMAT);
    }

    /// Small checkpoints, so that a test's hundred vectors span a few.
    fn checkpoint_every_40() -> HnswParams {
        HnswParams {
            checkpoint_every: 40,
            ..HnswParams::default()
        }
    }

    /// Passage `i` of one of `papers` papers (keys in canonical form), with a vector of its own.
    fn passage_of(i: u64, papers: u64) -> (String, Option<i32>, Vec<f32>) {
        (format!("{:016x}-{i}", i % papers), Some(2000), unit(i, 16))
    }

    #[test]
    fn checkpoints_chain_through_reopens_and_keep_record_vectors() {
        let dir = tempfile::tempdir().unwrap();
        let params = checkpoint_every_40();
        let item = |i: u64| passage_of(i, 7);
        let record = "hyp_0123456789abcdef-0".to_string();
        {
            let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
            let mut items: Vec<_> = (0..100).map(item).collect();
            items.push((record.clone(), None, unit(1000, 16)));
            idx.put(&[], &items).unwrap();
        }
        // Reopened from the checkpoint (its vectors mapped from the dump, none kept from the
        // log), then grown past another checkpoint written from that graph.
        {
            let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
            assert_eq!(
                idx.exact_records(&unit(1000, 16), 1)[0].0,
                record,
                "record vectors survive"
            );
            idx.put(&[], &(100..160).map(item).collect::<Vec<_>>()).unwrap();
        }
        let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
        assert_eq!(idx.live_keys().len(), 161);
        for i in [0, 57, 99, 100, 159] {
            let (key, _, v) = item(i);
            assert_eq!(
                idx.search(&v, 1, &SearchFilter::default()).unwrap()[0].0,
                key,
                "item {i}"
            );
        }
        assert_eq!(idx.exact_records(&unit(1000, 16), 1)[0].0, record);
        let exact = idx.exact_search(&item(57).2, 1, &SearchFilter::default()).unwrap();
        assert_eq!(exact[0].0, item(57).0, "the log still holds every vector");
    }

    #[test]
    fn open_reads_only_the_log_after_the_checkpoint_and_verify_reads_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let params = checkpoint_every_40();
        let item = |i: u64| passage_of(i, 9);
        let covered = {
            let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
            idx.put(&[], &(0..100).map(item).collect::<Vec<_>>()).unwrap();
            let covered = std::fs::metadata(dir.path().join(LOG)).unwrap().len();
            idx.put(&[], &(100..105).map(item).collect::<Vec<_>>()).unwrap();
            idx.verify_log().unwrap();
            covered
        };
        // A flipped bit inside the checkpointed part of the log: open does not read it.
        let log = dir.path().join(LOG);
        let mut bytes = std::fs::read(&log).unwrap();
        bytes[(covered / 2) as usize] ^= 0x10;
        std::fs::write(&log, &bytes).unwrap();
        let idx = VectorIndex::open(dir.path(), 16, params, Tail::Complete).unwrap();
        assert_eq!(idx.live_keys().len(), 105);
        // A search re-scores its candidates from the log: one that reads the bad record (all
        // 105 do) fails and says where it is.
        let err = idx
            .search(&item(3).2, 105, &SearchFilter::default())
            .expect_err("a re-score reads it");
        assert!(err.to_string().contains("corrupt at byte"), "{err}");
        let err = idx.verify_log().expect_err("a full read finds it");
        assert!(err.to_string().contains("corrupt at byte"), "{err}");
        // Without the checkpoint, open reads the whole log and refuses it.
        drop(idx);
        std::fs::remove_dir_all(dir.path().join(CHECKPOINT_DIR)).unwrap();
        assert!(VectorIndex::open(dir.path(), 16, params, Tail::Complete).is_err());
    }

    fn open(dir: &Path, tail: Tail) -> Result<VectorIndex> {
        VectorIndex::open(dir, 8, HnswParams::default(), tail)
    }

    /// Three appends (one paper each), and the log's length after each.
    fn three_batches(dir: &Path) -> Vec<u64> {
        let idx = open(dir, Tail::Complete).unwrap();
        (0..3u64)
            .map(|i| {
                let paper = format!("p{i}");
                idx.put(
                    std::slice::from_ref(&paper),
                    &[
                        (format!("{paper}-0"), None, unit(i, 8)),
                        (format!("{paper}-1"), None, unit(i + 10, 8)),
                    ],
                )
                .unwrap();
                std::fs::metadata(dir.join(LOG)).unwrap().len()
            })
            .collect()
    }

    fn append_raw(dir: &Path, bytes: &[u8]) {
        OpenOptions::new()
            .append(true)
            .open(dir.join(LOG))
            .unwrap()
            .write_all(bytes)
            .unwrap();
    }

    #[test]
    fn a_torn_log_tail_is_cut_off_while_a_write_was_pending() {
        let dir = tempfile::tempdir().unwrap();
        let ends = three_batches(dir.path());
        append_raw(dir.path(), &[9, 0, 0, 0, 1, 2]);
        let err = open(dir.path(), Tail::Complete)
            .err()
            .expect("nothing was pending: corruption");
        assert!(err.to_string().contains(&format!("byte {}", ends[2])), "{err}");
        let idx = open(dir.path(), Tail::MayBeTorn).unwrap();
        assert_eq!(idx.live_keys().len(), 6);
        assert_eq!(std::fs::metadata(dir.path().join(LOG)).unwrap().len(), ends[2]);
    }

    #[test]
    fn a_half_written_last_batch_is_cut_whole() {
        let dir = tempfile::tempdir().unwrap();
        let ends = three_batches(dir.path());
        // The last append stopped half-way: its marker and first record made it to disk, the
        // second record only in part.
        let log = dir.path().join(LOG);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&log)
            .unwrap()
            .set_len(ends[2] - 10)
            .unwrap();
        let idx = open(dir.path(), Tail::MayBeTorn).unwrap();
        let mut keys = idx.live_keys();
        keys.sort();
        assert_eq!(
            keys,
            ["p0-0", "p0-1", "p1-0", "p1-1"],
            "the whole torn batch goes, no more"
        );
        assert_eq!(std::fs::metadata(&log).unwrap().len(), ends[1]);
    }

    #[test]
    fn corruption_in_the_middle_is_an_error_that_names_its_offset_and_keeps_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let ends = three_batches(dir.path());
        let log = dir.path().join(LOG);
        let mut bytes = std::fs::read(&log).unwrap();
        // A flipped bit inside the second batch's first vector.
        let at = ends[0] as usize + 40;
        bytes[at] ^= 0x10;
        std::fs::write(&log, &bytes).unwrap();
        for tail in [Tail::Complete, Tail::MayBeTorn] {
            let err = open(dir.path(), tail).err().expect("corruption is refused");
            let msg = err.to_string();
            assert!(msg.contains("corrupt at byte") && msg.contains("reembed"), "{msg}");
            assert_eq!(std::fs::read(&log).unwrap(), bytes, "the file is left as it is");
        }
    }

    #[test]
    fn a_failed_append_is_cut_back_and_later_appends_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let ends = three_batches(dir.path());
        {
            let idx = open(dir.path(), Tail::Complete).unwrap();
            crate::store::failpoints::fail_next("vector-append", 1);
            assert!(idx.put(&["p9".into()], &[("p9-0".into(), None, unit(9, 8))]).is_err());
            assert_eq!(std::fs::metadata(dir.path().join(LOG)).unwrap().len(), ends[2]);
            assert!(!idx.live_keys().contains(&"p9-0".to_string()));
            idx.put(&["p8".into()], &[("p8-0".into(), None, unit(8, 8))]).unwrap();
        }
        let idx = open(dir.path(), Tail::Complete).unwrap();
        assert_eq!(idx.live_keys().len(), 7);
        assert!(idx.live_keys().contains(&"p8-0".to_string()));
    }

    #[test]
    fn logs_written_before_batch_markers_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        for (i, key) in ["a-0", "b-0"].iter().enumerate() {
            encode(
                &LogRecord::Add {
                    id: i as u64,
                    key: key.to_string(),
                    year: Some(2001),
                    vector: unit(i as u64, 8),
                },
                &mut bytes,
            )
            .unwrap();
        }
        let whole = bytes.len() as u64;
        bytes.extend_from_slice(&[7, 0, 0]);
        std::fs::write(dir.path().join(LOG), &bytes).unwrap();
        let idx = open(dir.path(), Tail::MayBeTorn).unwrap();
        assert_eq!(idx.live_keys().len(), 2);
        assert_eq!(std::fs::metadata(dir.path().join(LOG)).unwrap().len(), whole);
        idx.put(&["c".into()], &[("c-0".into(), None, unit(5, 8))]).unwrap();
        drop(idx);
        assert_eq!(open(dir.path(), Tail::Complete).unwrap().live_keys().len(), 3);
    }

    #[test]
    fn record_vectors_are_searched_apart_from_passages() {
        let dir = tempfile::tempdir().unwrap();
        let idx = open(dir.path(), Tail::Complete).unwrap();
        let h = "hyp_0123456789abcdef";
        idx.put(
            &[],
            &[("p0-0".into(), None, unit(1, 8)), (format!("{h}-0"), None, unit(2, 8))],
        )
        .unwrap();
        let hits = idx.exact_records(&unit(1, 8), 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, format!("{h}-0"));
        idx.delete(&[h.to_string()]).unwrap();
        assert!(idx.exact_records(&unit(2, 8), 10).is_empty());
    }
}
