//! Tar archives, raw or gzipped: the next regular file of the stream, with refused and skipped
//! entries read past (within the total cap) to stay in step with it.

use std::io::{self, Read, Seek};

use super::limits::human_bytes;
use super::path::{is_housekeeping, safe_entry_path};
use super::source::{Source, TarStream, MAX_TAR_HEADER_BYTES};
use super::{Entries, Entry, State, Stop};
use crate::error::ParseError;

impl<R: Read + Seek> Entries<R> {
    /// The next regular file of a tar stream, skipping the rest.
    pub(super) fn next_tar(&mut self, mut tar: Box<TarStream<R>>) -> Option<Result<Entry, ParseError>> {
        loop {
            let at = tar.pos;
            tar.allowance = Some(MAX_TAR_HEADER_BYTES);
            let header = {
                let mut archive = tar::Archive::new(&mut *tar);
                match archive.entries() {
                    Err(e) => Some(Err(e)),
                    Ok(mut iter) => iter.next().map(|r| {
                        r.map(|entry| {
                            let kind = entry.header().entry_type();
                            // A sparse entry's data in the archive is shorter than the file.
                            let len = if kind.is_gnu_sparse() {
                                entry.header().entry_size()
                            } else {
                                Ok(entry.size())
                            };
                            (entry.path_bytes().into_owned(), kind, len)
                        })
                    }),
                }
            };
            tar.allowance = None;
            let (path, kind, len) = match header {
                None => return None,
                Some(Ok((path, kind, Ok(len)))) => (path, kind, len),
                Some(Ok((_, _, Err(e)))) | Some(Err(e)) => {
                    let message = if e.kind() == io::ErrorKind::UnexpectedEof || tar.compressed().is_some() {
                        tar.describe(&e)
                    } else {
                        format!("unreadable tar header at byte {at}: {e}")
                    };
                    return Some(Err(self.error(at, message)));
                }
            };
            let raw = String::from_utf8_lossy(&path).into_owned();
            let padding = (512 - len % 512) % 512;
            let regular = matches!(kind, tar::EntryType::Regular | tar::EntryType::Continuous);
            let verdict = if !regular {
                None
            } else {
                match safe_entry_path(&raw) {
                    Err(why) => Some(Err(format!("refused archive entry `{raw}`: {why}"))),
                    Ok(p) if is_housekeeping(&p) => None,
                    Ok(p) if len > self.limits.max_entry_bytes => Some(Err(format!(
                        "entry `{}` is over the limit of {} decompressed ({len} bytes)",
                        self.inner_name(&p),
                        human_bytes(self.limits.max_entry_bytes)
                    ))),
                    Ok(p) => Some(Ok(p)),
                }
            };
            let inner = match verdict {
                Some(Ok(p)) => self.inner_name(&p),
                skip => {
                    // Skipped or refused: read past the data to stay in step with the stream.
                    if let Err(stop) = self.discard(&mut tar, &raw, len + padding) {
                        return Some(Err(self.error(at, stop.message())));
                    }
                    match skip {
                        Some(Err(message)) => {
                            self.state = State::Tar(tar);
                            return Some(Err(self.error(at, message)));
                        }
                        _ => continue,
                    }
                }
            };
            return match self.fill(&mut *tar, &inner, Some(len)) {
                Ok(bytes) => {
                    if let Err(stop) = self.discard(&mut tar, &inner, padding) {
                        self.pending = Some(self.error(tar.pos, stop.message()));
                    } else {
                        self.state = State::Tar(tar);
                    }
                    Some(Ok(Entry { name: inner, bytes }))
                }
                // A bomb-like entry in a compressed tar can't be skipped but by decompressing it.
                Err((stop, _)) => Some(Err(self.error(at, stop.message()))),
            };
        }
    }

    /// Reads and drops `n` bytes of `src` (the data of a skipped tar entry), within the total cap
    /// when the stream is compressed.
    fn discard(&mut self, src: &mut TarStream<R>, entry: &str, mut n: u64) -> Result<(), Stop> {
        let compressed = src.compressed().is_some();
        let mut block = vec![0u8; 64 * 1024];
        while n > 0 {
            let want = usize::try_from(n.min(block.len() as u64)).unwrap_or(0);
            let got = match src.read(&mut block[..want]) {
                Ok(0) => {
                    return Err(Stop::Stream(
                        src.describe(&io::Error::from(io::ErrorKind::UnexpectedEof)),
                    ))
                }
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Stop::Stream(src.describe(&e))),
            };
            n -= got as u64;
            if compressed {
                self.total += got as u64;
                if self.total > self.limits.max_total_bytes {
                    return Err(Stop::Total(format!(
                        "the source expands past the total limit of {} decompressed; stopped in entry `{entry}`",
                        human_bytes(self.limits.max_total_bytes)
                    )));
                }
            }
        }
        Ok(())
    }
}
