//! The byte streams entries are read from: counted gzip decoders, peeked heads, tar streams with
//! bounded headers, and the [`Source`] trait through which ratios are checked and errors worded.

use std::io::{self, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use super::limits::{human_bytes, MIB};

/// A reader that counts the bytes it has given.
pub(super) struct Counted<R> {
    pub(super) inner: R,
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
pub(super) type Gz<R> = MultiGzDecoder<BufReader<Counted<R>>>;

pub(super) fn gz<R: Read>(reader: R) -> Gz<R> {
    MultiGzDecoder::new(BufReader::with_capacity(
        64 * 1024,
        Counted {
            inner: reader,
            count: 0,
        },
    ))
}

pub(super) fn compressed_offset<R>(gz: &Gz<R>) -> u64 {
    gz.get_ref().get_ref().count
}

/// Bytes read first to sniff a stream, then given again before the rest.
pub(super) struct Peeked<S> {
    pub(super) head: Vec<u8>,
    pub(super) at: usize,
    pub(super) inner: S,
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
pub(super) fn read_head(reader: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    reader.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The bytes of a tar archive: raw, or out of a gzip stream.
pub(super) enum TarBytes<R> {
    Raw(Peeked<R>),
    Gz(Box<Peeked<Gz<R>>>),
}

/// A tar stream with its position and, while headers are read, a bound on what may be read.
pub(super) struct TarStream<R> {
    pub(super) bytes: TarBytes<R>,
    /// Offset reached in the (decompressed) tar stream.
    pub(super) pos: u64,
    /// While reading headers: bytes still allowed (GNU long names and PAX records are read into
    /// memory by the `tar` crate, so their size is bounded here).
    pub(super) allowance: Option<u64>,
}

/// Most bytes of headers (with long names and PAX records) read for one tar entry.
pub(super) const MAX_TAR_HEADER_BYTES: u64 = 16 * MIB;

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
    pub(super) fn compressed(&self) -> Option<u64> {
        match &self.bytes {
            TarBytes::Raw(_) => None,
            TarBytes::Gz(g) => Some(compressed_offset(&g.inner)),
        }
    }
}

/// A stream entry bytes are read from, and what it can say about itself.
pub(super) trait Source: Read {
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
pub(super) struct PlainSource<'r, R>(pub(super) &'r mut R);

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

/// A message for a gzip read error at compressed offset `at`, after `out` decompressed bytes.
pub(super) fn gzip_message(e: &io::Error, at: u64, out: u64) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        format!("truncated gzip stream: the compressed data ends at byte {at} (after {out} decompressed bytes)")
    } else {
        format!("corrupt gzip stream near compressed byte {at} (after {out} decompressed bytes): {e}")
    }
}
