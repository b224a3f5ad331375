//! The write-ahead journal that makes one write atomic across three stores.
//!
//! A write is first recorded whole (every paper's passages, vectors and triples, or the keys to
//! delete) in `journal/pending`, written to a temporary file, fsynced and renamed into place.
//! Then the three stores apply it, each durably. Then `pending` is removed: that is the commit.
//! On open, a `pending` file means the process died between record and commit: the write is
//! applied again. Every apply is idempotent (replace-by-key), so applying twice equals applying
//! once. A leftover `pending.tmp` was never acknowledged and is discarded.
//!
//! The record carries the write's record time (when the store learned what it brings, see
//! [`crate::common::clock`]), so that applying it again stamps the same time.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::write_atomically;
use super::{PaperDoc, ResearchWrite};
use crate::common::clock::Moment;
use crate::common::error::{Error, Result};

/// One journaled write.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Op {
    /// Insert or replace these papers.
    Put(Vec<PaperDoc>),
    /// Remove the papers with these keys.
    Delete(Vec<String>),
    /// Add facts (N-Triples) to the graphs of stored papers, e.g. identifiers learnt from
    /// another record of the same paper. Papers no longer stored are skipped.
    AddFacts(Vec<(String, String)>),
    /// Replace the extraction graphs of stored papers: (paper key, N-Triples).
    PutExtraction(Vec<(String, String)>),
    /// Write an agent's record (hypothesis, experiment, status change): its named graphs, and
    /// for searchable records its text and vector.
    Research(Box<ResearchWrite>),
}

impl Op {
    /// The keys of the papers it writes (none for an agent's record).
    pub fn paper_keys(&self) -> Vec<String> {
        match self {
            Op::Put(docs) => docs.iter().map(|d| d.key.clone()).collect(),
            Op::Delete(keys) => keys.clone(),
            Op::AddFacts(facts) | Op::PutExtraction(facts) => facts.iter().map(|(k, _)| k.clone()).collect(),
            Op::Research(_) => Vec::new(),
        }
    }
}

/// Records since the record time: `MAGIC`, CRC-32 of the payload, postcard of `(millis, Op)`.
const MAGIC: &[u8; 5] = b"HYPJ2";
/// Records before it: the payload is the `Op` alone; the record time is taken when it is read.
const MAGIC_V1: &[u8; 5] = b"HYPJ1";

/// The journal folder.
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    /// Opens (creating) the journal folder and discards never-acknowledged temporaries.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let tmp = dir.join("pending.tmp");
        if tmp.exists() {
            std::fs::remove_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        Ok(Journal { dir: dir.to_path_buf() })
    }

    fn path(&self) -> PathBuf {
        self.dir.join("pending")
    }

    /// Records `op`, learned `at`, durably before any store sees it.
    pub fn begin(&self, op: &Op, at: Moment) -> Result<()> {
        let payload = postcard::to_stdvec(&(at.0, op)).map_err(Error::journal)?;
        let mut bytes = Vec::with_capacity(payload.len() + 9);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        write_atomically(&self.path(), &bytes)
    }

    /// Marks the recorded write as applied everywhere.
    pub fn commit(&self) -> Result<()> {
        let p = self.path();
        std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(&self.dir, e))
    }

    /// The write recorded but not committed, if any, with its record time.
    pub fn pending(&self) -> Result<Option<(Op, Moment)>> {
        let p = self.path();
        let bytes = match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&p, e)),
        };
        // The file only ever appears whole (rename after fsync), so a bad one is corruption
        // from outside, not a torn write: refuse to guess.
        if bytes.len() < 9 || (&bytes[..5] != MAGIC && &bytes[..5] != MAGIC_V1) {
            return Err(Error::journal(format!(
                "{} is not a Hypatia journal record",
                p.display()
            )));
        }
        let crc = u32::from_le_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]);
        if crc32fast::hash(&bytes[9..]) != crc {
            return Err(Error::journal(format!("{} fails its checksum", p.display())));
        }
        if &bytes[..5] == MAGIC_V1 {
            let op: Op = postcard::from_bytes(&bytes[9..]).map_err(Error::journal)?;
            return Ok(Some((op, Moment::now())));
        }
        let (at, op): (i64, Op) = postcard::from_bytes(&bytes[9..]).map_err(Error::journal)?;
        Ok(Some((op, Moment(at))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_pending_commit() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path()).unwrap();
        assert!(j.pending().unwrap().is_none());
        j.begin(&Op::Delete(vec!["abc".into()]), Moment(42)).unwrap();
        let j = Journal::open(dir.path()).unwrap();
        assert!(matches!(j.pending().unwrap(), Some((Op::Delete(k), Moment(42))) if k == ["abc"]));
        j.commit().unwrap();
        assert!(j.pending().unwrap().is_none());
    }

    #[test]
    fn a_corrupt_record_is_refused_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path()).unwrap();
        j.begin(&Op::Delete(vec!["abc".into()]), Moment(42)).unwrap();
        let p = dir.path().join("pending");
        let mut b = std::fs::read(&p).unwrap();
        let last = b.len() - 1;
        b[last] ^= 0xff;
        std::fs::write(&p, b).unwrap();
        assert!(j.pending().is_err());
    }
}
