//! Reading inputs as streams of entries: a plain file, a gzip stream (one member or several), a
//! zip archive, a tar archive, or a gzipped tar.
//!
//! [`entries`] takes the source's name and a reader (the caller opens the file) and yields one
//! [`Entry`] (name and bytes) at a time, so that an archive is never unpacked whole. The kind of
//! container is decided by magic bytes first (gzip `1f 8b`, zip `PK\x03\x04`, tar `ustar` at byte
//! 257, also inside a gzip stream) and by the extension second (`.tar`, for old tars without the
//! `ustar` magic). An entry inside an archive is named `archive.zip!/inner/path.xml`.
//!
//! Hostile input is refused entry by entry, and the iteration goes on where it can:
//!
//! - an entry whose path escapes the archive (absolute, a `..` component, a drive letter, a NUL
//!   byte) is an error naming the entry, and the next entry is read;
//! - decompression is bounded by [`Limits`]: a per-entry size cap, a total cap for the whole
//!   source, and a compression-ratio cap for entries past a floor size (a likely decompression
//!   bomb). Bytes are read in blocks and checked as they come, so a bomb is an error, never an
//!   out-of-memory;
//! - a truncated or corrupt gzip stream is an error giving the compressed byte offset where the
//!   data stops; the entries before it have been yielded (for a single gzipped file, the bytes
//!   decompressed before the cut are yielded as the entry, then the error);
//! - directories, links and housekeeping entries (`__MACOSX/`, `._*` resource forks, any
//!   component starting with `.`, `Thumbs.db`, `desktop.ini`) are skipped silently.
//!
//! Streaming sources too large for one entry (a multi-gigabyte `.jsonl.gz`) are read with
//! [`open_stream`], which gives the decompressed bytes as a reader to cut into line chunks (see
//! [`crate::stream`]).
//!
//! By file: `sniff.rs` says what a source is, `path.rs` refuses escaping entry paths, `limits.rs`
//! holds the caps, `source.rs` the byte streams entries are read from, and `gunzip.rs`, `untar.rs`
//! and `unzip.rs` read one kind of container each; the entry iterator is here.

mod gunzip;
mod limits;
mod path;
mod sniff;
mod source;
mod untar;
mod unzip;

use std::io::{self, Read, Seek, SeekFrom};

use crate::error::{Location, ParseError};

pub use gunzip::{gzip_holds_tar, open_stream};
pub use limits::{human_bytes, Limits};
pub use path::safe_entry_path;
pub use sniff::{container, Container};

use limits::MIB;
use sniff::{is_gzip, is_tar, is_zip, lower_file_name};
use source::{compressed_offset, gz, gzip_message, read_head, Gz, Peeked, PlainSource, Source, TarBytes, TarStream};

/// One file of a source: its name (`archive.zip!/inner/path.xml` inside an archive, the
/// source's own name for a plain file) and its decompressed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name, for detection (its extension) and error messages.
    pub name: String,
    /// The entry's bytes, decompressed.
    pub bytes: Vec<u8>,
}

enum State<R> {
    /// Not looked at yet.
    Start(R),
    /// A plain file, read as one entry.
    Plain(R),
    /// One gzipped file.
    Gzip(Box<Gz<R>>),
    /// A tar archive, raw or gzipped.
    Tar(Box<TarStream<R>>),
    /// A zip archive and the index of the next entry.
    Zip(Box<zip::ZipArchive<R>>, usize),
    /// Nothing more.
    Done,
}

/// The entries of a source, one at a time; see [`entries`].
pub struct Entries<R> {
    name: String,
    limits: Limits,
    /// Decompressed bytes so far, all entries together.
    total: u64,
    state: State<R>,
    kind: Option<Container>,
    /// An error to give after the entry just given.
    pending: Option<ParseError>,
}

/// The entries of the source `name` read from `reader` (positioned at the source's start),
/// bounded by `limits`. Every failure is one `Err` item naming the entry and where it is; the
/// iteration goes on with the next entry when the container allows it (zip: always but past the
/// total cap; tar: after a refused path or an oversized entry; nothing after a truncated or
/// corrupt stream or a likely bomb in a compressed tar).
pub fn entries<R: Read + Seek>(name: &str, reader: R, limits: Limits) -> Entries<R> {
    Entries {
        name: name.to_string(),
        limits,
        total: 0,
        state: State::Start(reader),
        kind: None,
        pending: None,
    }
}

/// What stopped reading an entry's bytes.
enum Stop {
    /// The entry alone is refused (over the size cap, or too compressible); the container may go
    /// on after it.
    Entry(String),
    /// The stream broke (I/O, truncation, corrupt data).
    Stream(String),
    /// The total cap is reached: nothing more is read.
    Total(String),
}

impl Stop {
    fn message(self) -> String {
        match self {
            Stop::Entry(m) | Stop::Stream(m) | Stop::Total(m) => m,
        }
    }
}

impl<R: Read + Seek> Entries<R> {
    /// The container kind, once the first entry has been asked for.
    pub fn container(&self) -> Option<Container> {
        self.kind
    }

    fn error(&self, byte: u64, message: impl Into<String>) -> ParseError {
        ParseError::new(&self.name, Location::byte(byte), message)
    }

    fn inner_name(&self, path: &str) -> String {
        format!("{}!/{path}", self.name)
    }

    /// Sniffs the source's head and sets the state; an error if the source can't be opened.
    fn start(&mut self, mut reader: R) -> Result<(), ParseError> {
        let begin = reader
            .stream_position()
            .map_err(|e| self.error(0, format!("cannot read: {e}")))?;
        let head = read_head(&mut reader, 512)
            .and_then(|h| reader.seek(SeekFrom::Start(begin)).map(|_| h))
            .map_err(|e| self.error(0, format!("cannot read: {e}")))?;
        let file = lower_file_name(&self.name);
        let by_name = file.ends_with(".tar.gz") || file.ends_with(".tgz") || file.ends_with(".tar");
        if is_gzip(&head) {
            let mut decoder = gz(reader);
            let inner_head = read_head(&mut decoder, 512).map_err(|e| {
                let at = compressed_offset(&decoder);
                self.error(at, gzip_message(&e, at, 0))
            })?;
            if is_tar(&inner_head, by_name) {
                self.kind = Some(Container::TarGzip);
                self.state = State::Tar(Box::new(TarStream {
                    bytes: TarBytes::Gz(Box::new(Peeked {
                        head: inner_head,
                        at: 0,
                        inner: decoder,
                    })),
                    pos: 0,
                    allowance: None,
                }));
            } else {
                // Start again, so that the decoder gives the head too and counts from the start.
                let mut reader = decoder.into_inner().into_inner().inner;
                reader
                    .seek(SeekFrom::Start(begin))
                    .map_err(|e| self.error(0, format!("cannot read: {e}")))?;
                self.kind = Some(Container::Gzip);
                self.state = State::Gzip(Box::new(gz(reader)));
            }
        } else if is_zip(&head) {
            self.kind = Some(Container::Zip);
            let archive =
                zip::ZipArchive::new(reader).map_err(|e| self.error(0, format!("unreadable zip archive: {e}")))?;
            self.state = State::Zip(Box::new(archive), 0);
        } else if is_tar(&head, by_name) {
            self.kind = Some(Container::Tar);
            self.state = State::Tar(Box::new(TarStream {
                bytes: TarBytes::Raw(Peeked {
                    head: Vec::new(),
                    at: 0,
                    inner: reader,
                }),
                pos: 0,
                allowance: None,
            }));
        } else {
            self.kind = Some(Container::Plain);
            self.state = State::Plain(reader);
        }
        Ok(())
    }

    /// Reads the bytes of the entry `entry` from `src`: exactly `len` when given (a tar entry),
    /// else to the end, checking the limits after every block. On failure, also the bytes read
    /// before it (empty when a limit was hit).
    fn fill(&mut self, src: &mut dyn Source, entry: &str, len: Option<u64>) -> Result<Vec<u8>, (Stop, Vec<u8>)> {
        let limits = self.limits;
        let base = src.compressed();
        let start_cap = len.unwrap_or(64 * 1024).min(16 * MIB);
        let mut out = Vec::with_capacity(usize::try_from(start_cap).unwrap_or(0));
        let mut block = vec![0u8; 256 * 1024];
        loop {
            let want = match len {
                Some(l) => usize::try_from((l - out.len() as u64).min(block.len() as u64)).unwrap_or(0),
                None => block.len(),
            };
            if want == 0 {
                return Ok(out);
            }
            let n = match src.read(&mut block[..want]) {
                Ok(0) if len.is_some() => {
                    let e = io::Error::from(io::ErrorKind::UnexpectedEof);
                    return Err((Stop::Stream(src.describe(&e)), out));
                }
                Ok(0) => return Ok(out),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err((Stop::Stream(src.describe(&e)), out)),
            };
            if base.is_some() {
                self.total += n as u64;
            }
            out.extend_from_slice(&block[..n]);
            let size = out.len() as u64;
            if self.total > limits.max_total_bytes {
                let m = format!(
                    "the source expands past the total limit of {} decompressed; stopped in entry `{entry}`",
                    human_bytes(limits.max_total_bytes)
                );
                return Err((Stop::Total(m), Vec::new()));
            }
            if size > limits.max_entry_bytes {
                let m = format!(
                    "entry `{entry}` is over the limit of {} decompressed",
                    human_bytes(limits.max_entry_bytes)
                );
                return Err((Stop::Entry(m), Vec::new()));
            }
            if let (Some(base), Some(now)) = (base, src.compressed()) {
                let used = now.saturating_sub(base).max(1);
                if size > limits.ratio_floor_bytes && size > used.saturating_mul(limits.max_ratio) {
                    let m = format!(
                        "entry `{entry}` expands more than {}:1 ({size} bytes out of {used} compressed bytes so far): \
                         refused as a likely decompression bomb",
                        limits.max_ratio
                    );
                    return Err((Stop::Entry(m), Vec::new()));
                }
            }
        }
    }

    fn next_plain(&mut self, mut reader: R) -> Option<Result<Entry, ParseError>> {
        let name = self.name.clone();
        match self.fill(&mut PlainSource(&mut reader), &name, None) {
            Ok(bytes) => Some(Ok(Entry { name, bytes })),
            Err((stop, _)) => Some(Err(self.error(0, stop.message()))),
        }
    }
}

impl<R: Read + Seek> Iterator for Entries<R> {
    type Item = Result<Entry, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Start(reader) => match self.start(reader) {
                Ok(()) => self.next(),
                Err(e) => Some(Err(e)),
            },
            State::Plain(reader) => self.next_plain(reader),
            State::Gzip(decoder) => self.next_gzip(decoder),
            State::Tar(tar) => self.next_tar(tar),
            State::Zip(archive, index) => self.next_zip(archive, index),
            State::Done => None,
        }
    }
}
