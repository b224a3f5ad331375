//! The vector index: an append-only, checksummed log of passage vectors is the durable truth;
//! an hnsw_rs graph over it is a cache, dumped at checkpoints and rebuilt from the log's tail on
//! open. hnsw_rs has no delete, so a replaced or removed passage becomes a tombstone that
//! searches filter out.
//!
//! **Invariant:** every live passage key maps to exactly one internal id, and the HNSW graph
//! holds every live id once the index is open. Internal ids never leave this module.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hnsw_rs::prelude::{AnnT, DistDot, Hnsw, HnswIo};
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use super::SearchFilter;
use crate::error::{Error, Result};

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
            ef_search: 96,
            checkpoint_every: 50_000,
        }
    }
}

/// One log record.
#[derive(Debug, Serialize, Deserialize)]
enum LogRecord {
    /// A passage vector with its internal id.
    Add {
        id: u64,
        key: String,
        year: Option<i32>,
        vector: Vec<f32>,
    },
    /// The internal id is dead.
    Delete { id: u64 },
}

/// What the checkpoint's `CURRENT` file says.
#[derive(Debug, Serialize, Deserialize)]
struct Checkpoint {
    /// Basename of the dump files in the checkpoint folder.
    basename: String,
    /// Log length the dump covers.
    log_offset: u64,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    year: Option<i32>,
    alive: bool,
}

#[derive(Default)]
struct IdMap {
    entries: HashMap<u64, Entry>,
    live: HashMap<String, u64>,
    next: u64,
}

impl IdMap {
    fn apply(&mut self, r: &LogRecord) {
        match r {
            LogRecord::Add { id, key, year, .. } => {
                if let Some(old) = self.live.insert(key.clone(), *id) {
                    if let Some(e) = self.entries.get_mut(&old) {
                        e.alive = false;
                    }
                }
                self.entries.insert(
                    *id,
                    Entry {
                        key: key.clone(),
                        year: *year,
                        alive: true,
                    },
                );
                self.next = self.next.max(id + 1);
            }
            LogRecord::Delete { id } => {
                if let Some(e) = self.entries.get_mut(id) {
                    e.alive = false;
                    if self.live.get(&e.key) == Some(id) {
                        self.live.remove(&e.key);
                    }
                }
            }
        }
    }
}

type Graph = Hnsw<'static, f32, DistDot>;

/// Passage vectors: a log plus an HNSW graph.
pub struct VectorIndex {
    dir: PathBuf,
    dim: usize,
    params: HnswParams,
    graph: RwLock<Graph>,
    ids: RwLock<IdMap>,
    log: Mutex<LogWriter>,
}

struct LogWriter {
    file: BufWriter<File>,
    len: u64,
    since_checkpoint: usize,
}

const LOG: &str = "vectors.log";
const CHECKPOINT_DIR: &str = "checkpoint";
const CURRENT: &str = "CURRENT";
/// Largest record we accept on reading: a 16k-dimension vector and a long key.
const MAX_RECORD: u32 = 1 << 20;

impl VectorIndex {
    /// Opens or creates the index in `dir`, replaying the log past the last checkpoint.
    pub fn open(dir: &Path, dim: usize, params: HnswParams) -> Result<Self> {
        std::fs::create_dir_all(dir.join(CHECKPOINT_DIR)).map_err(|e| Error::io(dir, e))?;
        let log_path = dir.join(LOG);
        let (records, good_len) = read_log(&log_path)?;
        let mut ids = IdMap::default();
        for (_, r) in &records {
            ids.apply(r);
        }
        let checkpoint = read_checkpoint(dir).filter(|c| c.log_offset <= good_len);
        let (graph, replay_from) = match checkpoint
            .as_ref()
            .and_then(|c| load_graph(dir, c).map(|g| (g, c.log_offset)))
        {
            Some(loaded) => loaded,
            None => (new_graph(params, records.len()), 0),
        };
        let tail: Vec<(Vec<f32>, usize)> = records
            .into_iter()
            .filter(|(off, _)| *off >= replay_from)
            .filter_map(|(_, r)| match r {
                LogRecord::Add { id, vector, .. } if ids.entries.get(&id).is_some_and(|e| e.alive) => {
                    Some((vector, id as usize))
                }
                _ => None,
            })
            .collect();
        for (v, _) in &tail {
            if v.len() != dim {
                return Err(Error::vector(format!(
                    "stored vectors have dimension {}, the model gives {dim}",
                    v.len()
                )));
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
        file.set_len(good_len).map_err(|e| Error::io(&log_path, e))?;
        let log = LogWriter {
            file: BufWriter::new(file),
            len: good_len,
            since_checkpoint: tail.len(),
        };
        Ok(VectorIndex {
            dir: dir.to_path_buf(),
            dim,
            params,
            graph: RwLock::new(graph),
            ids: RwLock::new(ids),
            log: Mutex::new(log),
        })
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
        let inserts: Vec<(&Vec<f32>, usize)> = items
            .iter()
            .enumerate()
            .map(|(i, (_, _, v))| (v, (first + i as u64) as usize))
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
            .filter(|(key, _)| papers.contains(crate::ids::paper_key_of_passage(key)))
            .map(|(_, id)| LogRecord::Delete { id: *id })
            .collect()
    }

    fn append(&self, log: &mut LogWriter, records: &[LogRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(LOG);
        for r in records {
            let payload = postcard::to_stdvec(r).map_err(Error::vector)?;
            let crc = crc32fast::hash(&payload);
            let w = &mut log.file;
            w.write_all(&(payload.len() as u32).to_le_bytes())
                .map_err(|e| Error::io(&path, e))?;
            w.write_all(&crc.to_le_bytes()).map_err(|e| Error::io(&path, e))?;
            w.write_all(&payload).map_err(|e| Error::io(&path, e))?;
            log.len += 8 + payload.len() as u64;
        }
        log.file.flush().map_err(|e| Error::io(&path, e))?;
        log.file.get_ref().sync_data().map_err(|e| Error::io(&path, e))?;
        let mut ids = self.ids.write();
        for r in records {
            ids.apply(r);
        }
        Ok(())
    }

    /// Nearest live passages to `query` by HNSW, as (passage key, cosine similarity).
    pub fn search(&self, query: &[f32], k: usize, filter: &SearchFilter) -> Vec<(String, f32)> {
        let ids = self.ids.read();
        let keep = |id: &usize| {
            ids.entries
                .get(&(*id as u64))
                .is_some_and(|e| e.alive && filter.accepts_year(e.year))
        };
        let ef = self.params.ef_search.max(k);
        let hits = self.graph.read().search_filter(query, k, ef, Some(&keep));
        hits.into_iter()
            .filter_map(|n| {
                ids.entries
                    .get(&(n.d_id as u64))
                    .map(|e| (e.key.clone(), 1.0 - n.distance))
            })
            .collect()
    }

    /// Exact similarities of the live passages whose key passes `keep` (a small set, e.g. the
    /// passages of agent records), best first: a scan of the graph's points, no log read.
    pub fn exact_among(&self, query: &[f32], k: usize, keep: &dyn Fn(&str) -> bool) -> Vec<(String, f32)> {
        let ids = self.ids.read();
        let wanted: HashMap<usize, &str> = ids
            .live
            .iter()
            .filter(|(key, _)| keep(key))
            .map(|(key, id)| (*id as usize, key.as_str()))
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let graph = self.graph.read();
        let mut scored: Vec<(String, f32)> = graph
            .get_point_indexation()
            .into_iter()
            .filter_map(|p| {
                let key = wanted.get(&p.get_origin_id())?;
                Some((key.to_string(), crate::embed::dot(query, p.get_v())))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }

    /// Nearest live passages by an exact scan of the log: the recall oracle for the HNSW graph.
    pub fn exact_search(&self, query: &[f32], k: usize, filter: &SearchFilter) -> Result<Vec<(String, f32)>> {
        let _quiet = self.log.lock();
        let (records, _) = read_log(&self.dir.join(LOG))?;
        let ids = self.ids.read();
        let mut scored: Vec<(String, f32)> = records
            .into_iter()
            .filter_map(|(_, r)| match r {
                LogRecord::Add { id, key, vector, .. } => {
                    let e = ids.entries.get(&id)?;
                    (e.alive && filter.accepts_year(e.year)).then(|| (key, crate::embed::dot(query, &vector)))
                }
                LogRecord::Delete { .. } => None,
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(k);
        Ok(scored)
    }

    /// Copies the durable state (the log up to its current end, and the last checkpoint) into
    /// `target`. Appends wait meanwhile.
    pub(crate) fn backup(&self, target: &Path) -> Result<()> {
        let mut log = self.log.lock();
        let path = self.dir.join(LOG);
        log.file.flush().map_err(|e| Error::io(&path, e))?;
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
        let current = Checkpoint {
            basename: written.clone(),
            log_offset: log.len,
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
    Hnsw::new(params.m, expected.max(10_000), 16, params.ef_construction, DistDot {})
}

fn load_graph(dir: &Path, c: &Checkpoint) -> Option<Graph> {
    // A reloaded hnsw_rs graph borrows its loader; the loader is small once loading copied the
    // data, and there is one per open index, so it lives for the rest of the process.
    let io: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(&dir.join(CHECKPOINT_DIR), &c.basename)));
    match io.load_hnsw::<f32, DistDot>() {
        Ok(g) => Some(g),
        Err(e) => {
            tracing::warn!(error = %e, "vector checkpoint unreadable, rebuilding the graph from the log");
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

/// Reads every whole, checksummed record; stops at the first torn or corrupt one (a crash
/// mid-append) and returns the length of the good prefix.
fn read_log(path: &Path) -> Result<(Vec<(u64, LogRecord)>, u64)> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(Error::io(path, e)),
    };
    let total = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = BufReader::new(file);
    r.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    let mut off = 0u64;
    let mut head = [0u8; 8];
    while off + 8 <= total {
        if r.read_exact(&mut head).is_err() {
            break;
        }
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if len > MAX_RECORD || off + 8 + u64::from(len) > total {
            break;
        }
        let mut payload = vec![0u8; len as usize];
        if r.read_exact(&mut payload).is_err() || crc32fast::hash(&payload) != crc {
            break;
        }
        let Ok(rec) = postcard::from_bytes::<LogRecord>(&payload) else {
            break;
        };
        out.push((off, rec));
        off += 8 + u64::from(len);
    }
    if off < total {
        tracing::warn!(path = %path.display(), good = off, total, "vector log has a torn tail; truncating it");
    }
    Ok((out, off))
}

/// Writes `bytes` to `path` through a temporary file, fsync and rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    if let Some(parent) = path.parent() {
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(parent, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64, dim: usize) -> Vec<f32> {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut v: Vec<f32> = (0..dim)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 1000) as f32 / 500.0 - 1.0
            })
            .collect();
        crate::embed::normalize(&mut v);
        v
    }

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
            let idx = VectorIndex::open(dir.path(), 16, params).unwrap();
            let papers: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
            idx.put(&papers, &items).unwrap();
            let hit = idx.search(&items[7].2, 1, &SearchFilter::default());
            assert_eq!(hit[0].0, items[7].0);
            idx.put(&papers, &items).unwrap();
            assert_eq!(idx.live_keys().len(), 120, "re-putting replaces, never duplicates");
            idx.delete(&["p7".to_string()]).unwrap();
            assert_eq!(idx.live_keys().len(), 110);
        }
        let idx = VectorIndex::open(dir.path(), 16, params).unwrap();
        assert_eq!(idx.live_keys().len(), 110);
        let hit = idx.search(&items[8].2, 1, &SearchFilter::default());
        assert_eq!(hit[0].0, items[8].0);
        assert!(idx
            .search(&items[7].2, 5, &SearchFilter::default())
            .iter()
            .all(|(k, _)| !k.starts_with("p7-")));
        let exact = idx.exact_search(&items[9].2, 3, &SearchFilter::default()).unwrap();
        assert_eq!(exact[0].0, items[9].0);
        let only_2001 = SearchFilter {
            year_from: Some(2001),
            year_to: Some(2001),
            ..SearchFilter::default()
        };
        let hits = idx.search(&items[9].2, 5, &only_2001);
        assert!(!hits.is_empty());
        for (k, _) in hits {
            assert!(
                items.iter().any(|(ik, y, _)| ik == &k && *y == Some(2001)),
                "{k} is not from 2001"
            );
        }
    }

    #[test]
    fn a_torn_log_tail_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        {
            let idx = VectorIndex::open(dir.path(), 8, HnswParams::default()).unwrap();
            idx.put(
                &[],
                &[("a-0".into(), None, unit(1, 8)), ("b-0".into(), None, unit(2, 8))],
            )
            .unwrap();
        }
        let log = dir.path().join(LOG);
        let len = std::fs::metadata(&log).unwrap().len();
        OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(&[9, 0, 0, 0, 1, 2])
            .unwrap();
        let idx = VectorIndex::open(dir.path(), 8, HnswParams::default()).unwrap();
        assert_eq!(idx.live_keys().len(), 2);
        assert_eq!(std::fs::metadata(&log).unwrap().len(), len);
    }
}
