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

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

use flate2::bufread::MultiGzDecoder;

use crate::error::{Location, ParseError};

/// Bounds on decompression, against decompression bombs and runaway archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed size of one entry, in bytes (default 2 GiB).
    pub max_entry_bytes: u64,
    /// Largest decompressed size of all entries of one source together, in bytes, counting the
    /// bytes of refused entries that had to be decompressed to be skipped (default 32 GiB).
    pub max_total_bytes: u64,
    /// Largest accepted ratio of decompressed to compressed bytes (default 200) …
    pub max_ratio: u64,
    /// … for entries past this decompressed size in bytes (default 1 MiB); smaller entries may
    /// compress as well as they like.
    pub ratio_floor_bytes: u64,
}

/// One GiB.
const GIB: u64 = 1 << 30;
/// One MiB.
const MIB: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 2 * GIB,
            max_total_bytes: 32 * GIB,
            max_ratio: 200,
            ratio_floor_bytes: MIB,
        }
    }
}

/// `bytes` as a short human size: `2 GiB`, `64 MiB`, `512 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", 1 << 10)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
        if bytes >= size {
            return format!("{:.1} {unit}", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} bytes")
}

/// The kind of container a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// Not a container: the source is its own single entry.
    Plain,
    /// A gzip stream (one member or several) holding one file.
    Gzip,
    /// A zip archive.
    Zip,
    /// An uncompressed tar archive.
    Tar,
    /// A gzip-compressed tar archive (`.tar.gz`, `.tgz`).
    TarGzip,
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Container::Plain => "plain",
            Container::Gzip => "gzip",
            Container::Zip => "zip",
            Container::Tar => "tar",
            Container::TarGzip => "tar.gz",
        })
    }
}

/// Whether `head` (the first bytes, at least 263 of them for tar) starts a gzip stream.
fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Whether `head` starts a zip archive (a local file header, or the end record of an empty one).
fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Whether `head` is a tar header: the `ustar` magic at byte 257, or (`by_name`, for old tars
/// without the magic) a header block whose checksum holds.
fn is_tar(head: &[u8], by_name: bool) -> bool {
    if head.get(257..262) == Some(b"ustar".as_slice()) {
        return true;
    }
    by_name && head.len() >= 512 && tar_checksum_ok(&head[..512])
}

/// Whether the 512-byte tar header `block` (not all zeros) carries its own checksum.
fn tar_checksum_ok(block: &[u8]) -> bool {
    if block.iter().all(|&b| b == 0) {
        return false;
    }
    let header = tar::Header::from_byte_slice(block);
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u32::from(b) })
        .sum();
    header.cksum().is_ok_and(|c| c == sum)
}

/// The file name of `name` (after the last `/` or `\`), lower-cased.
fn lower_file_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase()
}

/// What the first bytes of a source (and, second, its name) say it is. For a gzip stream,
/// `head` is the compressed head, so this says [`Container::Gzip`] unless the name ends with
/// `.tar.gz` or `.tgz`; [`entries`] looks inside the stream to settle it.
pub fn container(name: &str, head: &[u8]) -> Container {
    let file = lower_file_name(name);
    if is_gzip(head) {
        if file.ends_with(".tar.gz") || file.ends_with(".tgz") {
            Container::TarGzip
        } else {
            Container::Gzip
        }
    } else if is_zip(head) {
        Container::Zip
    } else if is_tar(head, file.ends_with(".tar")) {
        Container::Tar
    } else {
        Container::Plain
    }
}

/// One file of a source: its name (`archive.zip!/inner/path.xml` inside an archive, the
/// source's own name for a plain file) and its decompressed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name, for detection (its extension) and error messages.
    pub name: String,
    /// The entry's bytes, decompressed.
    pub bytes: Vec<u8>,
}

/// Why an entry's path is refused, or `Ok` with the path normalised (`/` separators, no `.`
/// components).
pub fn safe_entry_path(raw: &str) -> Result<String, &'static str> {
    if raw.contains('\0') {
        return Err("its path contains a NUL byte");
    }
    let path = raw.replace('\\', "/");
    if path.starts_with('/') {
        return Err("its path is absolute");
    }
    let first = path.split('/').next().unwrap_or_default();
    let b = first.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("its path names a drive");
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("its path has a `..` component that escapes the archive"),
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err("its path is empty");
    }
    Ok(parts.join("/"))
}

/// Whether a (safe, normalised) entry path is housekeeping rather than content.
fn is_housekeeping(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.') || part == "__MACOSX")
        || matches!(
            path.rsplit('/').next().map(str::to_ascii_lowercase).as_deref(),
            Some("thumbs.db" | "desktop.ini")
        )
}

/// A reader that counts the bytes it has given.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// A gzip decoder over a counted reader: the count is the compressed offset reached.
type Gz<R> = MultiGzDecoder<BufReader<Counted<R>>>;

fn gz<R: Read>(reader: R) -> Gz<R> {
    MultiGzDecoder::new(BufReader::with_capacity(
        64 * 1024,
        Counted {
            inner: reader,
            count: 0,
        },
    ))
}

fn compressed_offset<R>(gz: &Gz<R>) -> u64 {
    gz.get_ref().get_ref().count
}

/// Bytes read first to sniff a stream, then given again before the rest.
struct Peeked<S> {
    head: Vec<u8>,
    at: usize,
    inner: S,
}

impl<S: Read> Read for Peeked<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Reads up to `n` bytes (fewer only at the end of the stream).
/// Whether the gzip stream `reader` starts holds a tar archive (a `.gz` that is really a
/// `.tar.gz`, as arXiv source bundles are): then read it with [`entries`], not as one stream.
pub fn gzip_holds_tar<R: Read>(reader: R) -> bool {
    let mut decoder = gz(reader);
    read_head(&mut decoder, 512).is_ok_and(|h| is_tar(&h, false))
}

fn read_head(reader: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    reader.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The bytes of a tar archive: raw, or out of a gzip stream.
enum TarBytes<R> {
    Raw(Peeked<R>),
    Gz(Box<Peeked<Gz<R>>>),
}

/// A tar stream with its position and, while headers are read, a bound on what may be read.
struct TarStream<R> {
    bytes: TarBytes<R>,
    /// Offset reached in the (decompressed) tar stream.
    pos: u64,
    /// While reading headers: bytes still allowed (GNU long names and PAX records are read into
    /// memory by the `tar` crate, so their size is bounded here).
    allowance: Option<u64>,
}

/// Most bytes of headers (with long names and PAX records) read for one tar entry.
const MAX_TAR_HEADER_BYTES: u64 = 16 * MIB;

impl<R: Read> Read for TarStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let buf = match self.allowance {
            Some(0) => {
                return Err(io::Error::other(format!(
                    "tar headers (long names, PAX records) over {} for one entry",
                    human_bytes(MAX_TAR_HEADER_BYTES)
                )))
            }
            Some(left) => {
                let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                &mut buf[..n]
            }
            None => buf,
        };
        let n = match &mut self.bytes {
            TarBytes::Raw(r) => r.read(buf)?,
            TarBytes::Gz(g) => g.read(buf)?,
        };
        self.pos += n as u64;
        if let Some(left) = &mut self.allowance {
            *left -= n as u64;
        }
        Ok(n)
    }
}

impl<R> TarStream<R> {
    /// Compressed bytes consumed so far, for a gzipped tar.
    fn compressed(&self) -> Option<u64> {
        match &self.bytes {
            TarBytes::Raw(_) => None,
            TarBytes::Gz(g) => Some(compressed_offset(&g.inner)),
        }
    }
}

/// A stream entry bytes are read from, and what it can say about itself.
trait Source: Read {
    /// Compressed bytes consumed so far, when the stream is compressed (for ratio checks).
    fn compressed(&self) -> Option<u64>;
    /// A message for a read error.
    fn describe(&self, e: &io::Error) -> String;
}

impl<R: Read> Source for TarStream<R> {
    fn compressed(&self) -> Option<u64> {
        TarStream::compressed(self)
    }

    fn describe(&self, e: &io::Error) -> String {
        match self.compressed() {
            Some(at) => gzip_message(e, at, self.pos),
            None if e.kind() == io::ErrorKind::UnexpectedEof => {
                format!("truncated tar archive: the data ends at byte {}", self.pos)
            }
            None => format!("cannot read the tar archive at byte {}: {e}", self.pos),
        }
    }
}

/// A plain reader.
struct PlainSource<'r, R>(&'r mut R);

impl<R: Read> Read for PlainSource<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Source for PlainSource<'_, R> {
    fn compressed(&self) -> Option<u64> {
        None
    }

    fn describe(&self, e: &io::Error) -> String {
        format!("cannot read: {e}")
    }
}

/// A gzip decoder, counting what it gives.
struct GzSource<'d, R> {
    decoder: &'d mut Gz<R>,
    out: u64,
}

impl<R: Read> Read for GzSource<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.decoder.read(buf)?;
        self.out += n as u64;
        Ok(n)
    }
}

impl<R: Read> Source for GzSource<'_, R> {
    fn compressed(&self) -> Option<u64> {
        Some(compressed_offset(self.decoder))
    }

    fn describe(&self, e: &io::Error) -> String {
        gzip_message(e, compressed_offset(self.decoder), self.out)
    }
}

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

/// A message for a gzip read error at compressed offset `at`, after `out` decompressed bytes.
fn gzip_message(e: &io::Error, at: u64, out: u64) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        format!("truncated gzip stream: the compressed data ends at byte {at} (after {out} decompressed bytes)")
    } else {
        format!("corrupt gzip stream near compressed byte {at} (after {out} decompressed bytes): {e}")
    }
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

    fn next_plain(&mut self, mut reader: R) -> Option<Result<Entry, ParseError>> {
        let name = self.name.clone();
        match self.fill(&mut PlainSource(&mut reader), &name, None) {
            Ok(bytes) => Some(Ok(Entry { name, bytes })),
            Err((stop, _)) => Some(Err(self.error(0, stop.message()))),
        }
    }

    fn next_gzip(&mut self, mut decoder: Box<Gz<R>>) -> Option<Result<Entry, ParseError>> {
        let file = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        let lower = file.to_ascii_lowercase();
        let stem = if lower.ends_with(".gz") {
            &file[..file.len() - 3]
        } else if lower.ends_with(".gzip") {
            &file[..file.len() - 5]
        } else {
            file
        };
        let name = self.inner_name(stem);
        let mut src = GzSource {
            decoder: &mut decoder,
            out: 0,
        };
        match self.fill(&mut src, &name, None) {
            Ok(bytes) => Some(Ok(Entry { name, bytes })),
            Err((stop, partial)) => {
                let error = self.error(compressed_offset(&decoder), stop.message());
                if partial.is_empty() {
                    Some(Err(error))
                } else {
                    // The bytes before the cut are given, then the error.
                    self.pending = Some(error);
                    Some(Ok(Entry { name, bytes: partial }))
                }
            }
        }
    }

    /// The next regular file of a tar stream, skipping the rest.
    fn next_tar(&mut self, mut tar: Box<TarStream<R>>) -> Option<Result<Entry, ParseError>> {
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

    /// The next file of a zip archive, from entry `index` on.
    fn next_zip(
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

/// A gzip stream read through, within the total cap and the ratio cap.
struct GuardedGz<R> {
    decoder: Gz<Peeked<R>>,
    out: u64,
    limits: Limits,
}

impl<R: Read> Read for GuardedGz<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.decoder.read(buf).map_err(|e| {
            let at = compressed_offset(&self.decoder);
            io::Error::new(e.kind(), gzip_message(&e, at, self.out))
        })?;
        self.out += n as u64;
        let limits = self.limits;
        if self.out > limits.max_total_bytes {
            return Err(io::Error::other(format!(
                "the stream expands past the total limit of {} decompressed",
                human_bytes(limits.max_total_bytes)
            )));
        }
        let used = compressed_offset(&self.decoder).max(1);
        if self.out > limits.ratio_floor_bytes && self.out > used.saturating_mul(limits.max_ratio) {
            return Err(io::Error::other(format!(
                "the stream expands more than {}:1 ({} bytes out of {used} compressed bytes): refused as a likely \
                 decompression bomb",
                limits.max_ratio, self.out
            )));
        }
        Ok(n)
    }
}

/// Opens a single-file source of any size as a stream of its bytes: a plain file as is, a gzip
/// stream decompressed on the fly (within `limits.max_total_bytes` and the ratio cap; errors then
/// come as I/O errors from the reader, with the compressed byte offset). Gives the name the bytes
/// go by (`data.jsonl.gz!/data.jsonl` for a gzip stream) and the reader, to cut into line chunks
/// with [`crate::stream::LineChunks`]. A tar or zip archive is an error: read it with [`entries`].
pub fn open_stream<'a, R: Read + 'a>(
    name: &str,
    mut reader: R,
    limits: Limits,
) -> Result<(String, Box<dyn BufRead + 'a>), ParseError> {
    let head = read_head(&mut reader, 512)
        .map_err(|e| ParseError::new(name, Location::byte(0), format!("cannot read: {e}")))?;
    let kind = container(name, &head);
    let peeked = Peeked {
        head,
        at: 0,
        inner: reader,
    };
    match kind {
        Container::Plain => Ok((name.to_string(), Box::new(BufReader::with_capacity(256 * 1024, peeked)))),
        Container::Gzip | Container::TarGzip => {
            let mut decoder = gz(peeked);
            let inner_head = read_head(&mut decoder, 512).map_err(|e| {
                let at = compressed_offset(&decoder);
                ParseError::new(name, Location::byte(at), gzip_message(&e, at, 0))
            })?;
            let file = lower_file_name(name);
            if is_tar(&inner_head, file.ends_with(".tar.gz") || file.ends_with(".tgz")) {
                return Err(ParseError::new(
                    name,
                    Location::byte(0),
                    "a gzipped tar archive is not one stream: read its entries",
                ));
            }
            let original = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let stem = original
                .len()
                .checked_sub(3)
                .filter(|&n| original.to_ascii_lowercase().ends_with(".gz") && original.is_char_boundary(n))
                .map_or(original, |n| &original[..n]);
            let inner_name = format!("{name}!/{stem}");
            let out = inner_head.len() as u64;
            let guarded = Peeked {
                head: inner_head,
                at: 0,
                inner: GuardedGz { decoder, out, limits },
            };
            Ok((inner_name, Box::new(BufReader::with_capacity(256 * 1024, guarded))))
        }
        Container::Zip | Container::Tar => Err(ParseError::new(
            name,
            Location::byte(0),
            format!("a {kind} archive is not one stream: read its entries"),
        )),
    }
}
