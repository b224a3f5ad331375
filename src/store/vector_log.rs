//! The vector log's format and its reading: records (a passage vector added under an internal
//! id, an id dead, the start of one append's batch), each framed by its length and CRC-32, and
//! the reader that tells a torn last append (cut off) from corruption (an error that names its
//! offset). [`super::vector`] owns the file and appends to it.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};

/// One log record.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum LogRecord {
    /// A passage vector with its internal id.
    Add {
        id: u64,
        key: String,
        year: Option<i32>,
        vector: Vec<f32>,
    },
    /// The internal id is dead.
    Delete { id: u64 },
    /// Starts one append: the records of one write follow, `bytes` long in all. Appended after
    /// the other kinds so that logs written before batches were marked still read.
    Batch { records: u32, bytes: u64 },
}

/// Whether the end of the log may be a torn append: only while a journaled write is pending
/// (every append happens inside one, and the journal entry is committed only after the append
/// was synced). With nothing pending, a bad record anywhere is corruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// A write was in flight when the process stopped: a bad last append is cut off (the
    /// journal applies the write again).
    MayBeTorn,
    /// Every append was acknowledged: any bad record is an error.
    Complete,
}

/// What to do about a corrupt vector log, for the errors that find one.
pub(super) const CORRUPT_LOG_REMEDY: &str = "the file is left as it is. Restore the store from a backup, or rebuild \
     its vectors from the stored passages with `hypatia reembed`";

/// Largest record we accept on reading: a 16k-dimension vector and a long key.
const MAX_RECORD: u32 = 1 << 20;

/// Appends one record (length, CRC-32 of the payload, payload) to `out`.
pub(super) fn encode(r: &LogRecord, out: &mut Vec<u8>) -> Result<()> {
    let payload = postcard::to_stdvec(r).map_err(Error::vector)?;
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(())
}

/// The whole, checksummed record at `off` of `bytes` and where the next one starts.
pub(super) fn decode_at(bytes: &[u8], off: usize) -> Option<(LogRecord, usize)> {
    let head = bytes.get(off..off + 8)?;
    let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if len > MAX_RECORD {
        return None;
    }
    let payload = bytes.get(off + 8..off + 8 + len as usize)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    let rec = postcard::from_bytes::<LogRecord>(payload).ok()?;
    Some((rec, off + 8 + len as usize))
}

/// How far past a bad record the reader looks for a later batch before it gives up proving
/// that the bad bytes are the torn end of the last append (appends are one write's vectors:
/// megabytes, not hundreds of them).
const RESYNC_WINDOW: usize = 256 << 20;

/// Reads every record from byte `from` on (a batch boundary) and returns them with their
/// offsets and the length of the good log. Passage vectors of records before `vectors_from` are
/// left empty (a checkpoint's graph holds them); agent records keep theirs ([`IdMap`] searches
/// them apart).
///
/// A bad record (short, failing its checksum, undecodable, or a batch that ends past the end
/// of the file) is the torn end of the last append only if nothing acknowledged can follow it:
/// `tail` must allow a torn end (a write was pending), and either the bad record lies inside
/// the last batch, or no later batch marker can be found after it. Then the log is cut at the
/// start of that batch (its write is applied again from the journal). Anything else is
/// corruption in the middle: an error naming the offset, with the file left untouched.
pub(super) fn read_log(path: &Path, tail: Tail, from: u64, vectors_from: u64) -> Result<(Vec<(u64, LogRecord)>, u64)> {
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
            use std::io::Seek;
            f.seek(std::io::SeekFrom::Start(from))
                .and_then(|_| f.read_to_end(&mut bytes))
                .map_err(|e| Error::io(path, e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(Error::io(path, e)),
    }
    // Offsets below are within `bytes`; `base` makes them the file's.
    let base = from as usize;
    let total = bytes.len();
    let mut out: Vec<(u64, LogRecord)> = Vec::new();
    let mut off = 0usize;
    // The last batch marker read: (where it starts, where its records end).
    let mut batch: Option<(usize, usize)> = None;
    let mut marked = false;
    let bad_at = loop {
        if let Some((_, end)) = batch {
            if off == end {
                batch = None;
            } else if off > end {
                break Some((off, "a batch's records overrun its length"));
            }
        }
        if off == total {
            match batch {
                Some(_) => break Some((off, "the last batch ends past the end of the file")),
                None => break None,
            }
        }
        match decode_at(&bytes, off) {
            Some((mut rec, next)) => {
                if let LogRecord::Add { key, vector, .. } = &mut rec {
                    let record = crate::common::ids::RecordKind::of_key(crate::common::ids::paper_key_of_passage(key));
                    if ((base + off) as u64) < vectors_from && record.is_none() {
                        *vector = Vec::new();
                    }
                }
                if let LogRecord::Batch { bytes: len, .. } = rec {
                    if batch.is_some() {
                        break Some((off, "a batch marker inside a batch"));
                    }
                    batch = Some((off, next.saturating_add(len as usize)));
                    marked = true;
                }
                out.push(((base + off) as u64, rec));
                off = next;
            }
            None => break Some((off, "a record fails its length or checksum")),
        }
    };
    let Some((bad, why)) = bad_at else {
        return Ok((out, (base + total) as u64));
    };
    let corrupt = |detail: &str| {
        Error::vector(format!(
            "{} is corrupt at byte {} of {} ({why}){detail}; {CORRUPT_LOG_REMEDY}",
            path.display(),
            base + bad,
            base + total,
        ))
    };
    if tail == Tail::Complete {
        return Err(corrupt(", and every append to it was acknowledged"));
    }
    let cut = match batch {
        // Inside a batch: torn only if that batch is the last thing in the file.
        Some((start, end)) if end >= total => start,
        Some(_) => return Err(corrupt(", inside a batch that later data follows")),
        // Between batches (or in a log older than batch markers): torn only if no later
        // batch (or, unmarked, no later record at all) can be found.
        None => {
            let window = &bytes[..total.min(bad.saturating_add(RESYNC_WINDOW))];
            let later = (bad + 1..window.len())
                .find(|&o| decode_at(window, o).is_some_and(|(r, _)| !marked || matches!(r, LogRecord::Batch { .. })));
            match later {
                Some(o) => return Err(corrupt(&format!(", and a valid record follows at byte {}", base + o))),
                None if window.len() < total => {
                    return Err(corrupt(
                        ", and the rest of the file is too long to prove it a torn tail",
                    ))
                }
                None => bad,
            }
        }
    };
    let (cut, total) = (base + cut, base + total);
    out.retain(|(o, _)| (*o as usize) < cut);
    tracing::warn!(path = %path.display(), good = cut, total, "vector log ends in a torn append; cutting it off");
    Ok((out, cut as u64))
}
