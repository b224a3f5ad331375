//! Gzip streams: a single gzipped file as one entry, a `.gz` that is really a tarball, and
//! [`open_stream`] for single-file sources too large to be one entry, within the same caps.

use std::io::{self, BufRead, BufReader, Read, Seek};

use super::limits::{human_bytes, Limits};
use super::sniff::{container, is_tar, lower_file_name, Container};
use super::source::{compressed_offset, gz, gzip_message, read_head, Gz, Peeked, Source};
use super::{Entries, Entry};
use crate::error::{Location, ParseError};

/// Whether the gzip stream `reader` starts holds a tar archive (a `.gz` that is really a
/// `.tar.gz`, as arXiv source bundles are): then read it with [`entries`](super::entries), not as
/// one stream.
pub fn gzip_holds_tar<R: Read>(reader: R) -> bool {
    let mut decoder = gz(reader);
    read_head(&mut decoder, 512).is_ok_and(|h| is_tar(&h, false))
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

impl<R: Read + Seek> Entries<R> {
    pub(super) fn next_gzip(&mut self, mut decoder: Box<Gz<R>>) -> Option<Result<Entry, ParseError>> {
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
/// with [`crate::stream::LineChunks`]. A tar or zip archive is an error: read it with
/// [`entries`](super::entries).
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
