//! Zip archives: the next file by index, with encrypted, unsupported and bomb-like entries refused
//! from their declared sizes before any byte of them is decompressed.

use std::io::{self, Read, Seek};

use super::limits::human_bytes;
use super::path::{is_housekeeping, safe_entry_path};
use super::source::Source;
use super::{Entries, Entry, State, Stop};
use crate::error::ParseError;

/// The data of one zip entry, whose compressed size bounds what its decoder reads.
struct ZipSource<'z, R: Read> {
    file: zip::read::ZipFile<'z, R>,
    compressed: u64,
}

impl<R: Read> Read for ZipSource<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl<R: Read> Source for ZipSource<'_, R> {
    fn compressed(&self) -> Option<u64> {
        Some(self.compressed)
    }

    fn describe(&self, e: &io::Error) -> String {
        format!("unreadable zip entry data: {e}")
    }
}

impl<R: Read + Seek> Entries<R> {
    /// The next file of a zip archive, from entry `index` on.
    pub(super) fn next_zip(
        &mut self,
        mut archive: Box<zip::ZipArchive<R>>,
        mut index: usize,
    ) -> Option<Result<Entry, ParseError>> {
        while index < archive.len() {
            let i = index;
            index += 1;
            let limits = self.limits;
            let meta = archive.by_index_raw(i).map_err(|e| e.to_string()).map(|f| {
                let raw = f
                    .name()
                    .map(|n| n.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(f.name_raw()).into_owned());
                let method = f.compression();
                let (size, compressed) = (f.size(), f.compressed_size());
                let problem = if f.encrypted() {
                    Some("it is encrypted".to_string())
                } else if !matches!(
                    method,
                    zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
                ) {
                    Some(format!(
                        "its compression method ({method}) is not supported (stored and deflate are)"
                    ))
                } else if size > limits.max_entry_bytes {
                    Some(format!(
                        "it is over the limit of {} decompressed ({size} bytes declared)",
                        human_bytes(limits.max_entry_bytes)
                    ))
                } else if size > limits.ratio_floor_bytes && size > compressed.max(1).saturating_mul(limits.max_ratio) {
                    Some(format!(
                        "it expands more than {}:1 ({size} bytes declared from {compressed}): refused as a likely \
                             decompression bomb",
                        limits.max_ratio
                    ))
                } else {
                    None
                };
                (raw, f.header_start(), f.is_dir() || f.is_symlink(), problem, compressed)
            });
            let (raw, at, skip, problem, compressed) = match meta {
                Ok(meta) => meta,
                Err(e) => {
                    let error = self.error(0, format!("unreadable zip entry #{i}: {e}"));
                    self.state = State::Zip(archive, index);
                    return Some(Err(error));
                }
            };
            if skip {
                continue;
            }
            let path = match safe_entry_path(&raw) {
                Ok(p) => p,
                Err(why) => {
                    self.state = State::Zip(archive, index);
                    return Some(Err(self.error(at, format!("refused archive entry `{raw}`: {why}"))));
                }
            };
            if is_housekeeping(&path) {
                continue;
            }
            let inner = self.inner_name(&path);
            if let Some(problem) = problem {
                self.state = State::Zip(archive, index);
                return Some(Err(self.error(at, format!("refused entry `{inner}`: {problem}"))));
            }
            let result = match archive.by_index(i) {
                Err(e) => Err((Stop::Stream(format!("unreadable zip entry `{inner}`: {e}")), Vec::new())),
                Ok(file) => self.fill(&mut ZipSource { file, compressed }, &inner, None),
            };
            return match result {
                Ok(bytes) => {
                    self.state = State::Zip(archive, index);
                    Some(Ok(Entry { name: inner, bytes }))
                }
                Err((Stop::Total(m), _)) => Some(Err(self.error(at, m))),
                Err((stop, _)) => {
                    self.state = State::Zip(archive, index);
                    Some(Err(self.error(at, stop.message())))
                }
            };
        }
        None
    }
}
