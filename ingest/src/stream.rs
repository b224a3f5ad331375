//! Bounded-memory reading of large dumps, cut into chunks that parse on their own.
//!
//! - [`LineChunks`] cuts a line-oriented source (JSON lines: BEIR corpora, the arXiv metadata
//!   snapshot, OpenAlex and S2ORC JSON lines, unarXive; see [`crate::Format::is_line_oriented`])
//!   into chunks of whole lines of about [`DEFAULT_CHUNK_BYTES`], each with the line and byte where
//!   it starts, to be parsed with [`crate::parse_chunk`], which shifts every location back to the
//!   whole source.
//! - [`XmlRecordChunks`] cuts a MEDLINE/PubMed `PubmedArticleSet` file (baseline files run past
//!   150 MB) after `</PubmedArticle>` (or `</PubmedBookArticle>`, `</MedlineCitation>`) end tags,
//!   each chunk a `PubmedArticleSet` document of its own.
//!
//! A record (a line, an article) longer than the record limit (default [`DEFAULT_MAX_RECORD`]) is
//! one [`ParseError`] at its line and byte, and is read past without being held whole: at most the
//! limit is ever buffered for it. A read error ends the iteration with one error at the position
//! reached.

use std::io::{self, BufRead};

use crate::archive::human_bytes;
use crate::error::{Location, ParseError};

/// Default size of a chunk, in bytes (8 MiB); a chunk holds whole records, so one longer record
/// makes a larger chunk.
pub const DEFAULT_CHUNK_BYTES: usize = 8 << 20;

/// Default largest record (a line, an article), in bytes (64 MiB).
pub const DEFAULT_MAX_RECORD: usize = 64 << 20;

/// Whole records of a source, and where they start in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The chunk's bytes: whole lines (or a self-contained XML document).
    pub bytes: Vec<u8>,
    /// The base to give [`crate::parse_chunk`]: the 1-based line and the byte offset in the source
    /// that line 1, byte 0 of the chunk stand for.
    pub base: Location,
}

/// Chunks of whole lines of a [`BufRead`]; see the [module documentation](self).
pub struct LineChunks<R> {
    reader: R,
    name: String,
    chunk_bytes: usize,
    max_record: usize,
    /// 1-based number of the next line to read.
    line: u64,
    /// Byte offset of the next line to read.
    byte: u64,
    /// Lines read but not given yet, and the location of the first.
    buffer: Vec<u8>,
    buffer_base: Location,
    /// Items to give before reading on (a chunk, then the error of the long line after it).
    ready: std::collections::VecDeque<Result<Chunk, ParseError>>,
    done: bool,
}

impl<R: BufRead> LineChunks<R> {
    /// Chunks of the source `name` read from `reader`, with the default chunk size and record
    /// limit.
    pub fn new(name: &str, reader: R) -> Self {
        LineChunks {
            reader,
            name: name.to_string(),
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_record: DEFAULT_MAX_RECORD,
            line: 1,
            byte: 0,
            buffer: Vec::new(),
            buffer_base: Location::line(1, 0),
            ready: Default::default(),
            done: false,
        }
    }

    /// The same, with chunks of about `bytes` bytes (at least 1).
    pub fn chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes.max(1);
        self
    }

    /// The same, with records (lines) of at most `bytes` bytes, line end included (at least 1).
    pub fn max_record(mut self, bytes: usize) -> Self {
        self.max_record = bytes.max(1);
        self
    }

    /// Bytes held in the buffer now (for tests of bounded memory): at most about the chunk size
    /// plus the record limit.
    pub fn buffered_capacity(&self) -> usize {
        self.buffer.capacity()
    }

    /// Gives the buffered lines as a chunk, if there are any.
    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            let bytes = std::mem::take(&mut self.buffer);
            self.ready.push_back(Ok(Chunk {
                bytes,
                base: self.buffer_base.clone(),
            }));
        }
        self.buffer_base = Location::line(self.line, self.byte);
    }

    /// Reads one line into the buffer. Returns false at the end of the source.
    fn read_line(&mut self) -> io::Result<bool> {
        let start = self.buffer.len();
        let (line, byte) = (self.line, self.byte);
        let mut len = 0usize;
        let mut too_long = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (take, end) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if !too_long && len + take > self.max_record {
                // Too long: drop what was kept of it and read past the rest.
                too_long = true;
                self.buffer.truncate(start);
                self.buffer.shrink_to(self.chunk_bytes);
            }
            if !too_long {
                self.buffer.extend_from_slice(&available[..take]);
            }
            len += take;
            self.reader.consume(take);
            if end {
                break;
            }
        }
        if len == 0 {
            return Ok(false);
        }
        self.line += 1;
        self.byte += len as u64;
        if too_long {
            // The lines before it go first, as a chunk; then the error.
            let keep = self.buffer_base.clone();
            let next = Location::line(self.line, self.byte);
            if !self.buffer.is_empty() {
                let bytes = std::mem::take(&mut self.buffer);
                self.ready.push_back(Ok(Chunk { bytes, base: keep }));
            }
            self.ready.push_back(Err(ParseError::new(
                &self.name,
                Location::line(line, byte),
                format!(
                    "record of {len} bytes exceeds the {} limit; skipped",
                    human_bytes(self.max_record as u64)
                ),
            )));
            self.buffer_base = next;
        }
        Ok(true)
    }
}

impl<R: BufRead> Iterator for LineChunks<R> {
    type Item = Result<Chunk, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            if self.buffer.is_empty() {
                self.buffer_base = Location::line(self.line, self.byte);
            }
            match self.read_line() {
                Ok(true) => {
                    if self.buffer.len() >= self.chunk_bytes {
                        self.flush();
                    }
                }
                Ok(false) => {
                    self.done = true;
                    self.flush();
                }
                Err(e) => {
                    self.done = true;
                    self.flush();
                    self.ready.push_back(Err(ParseError::new(
                        &self.name,
                        Location::line(self.line, self.byte),
                        format!("read error: {e}"),
                    )));
                }
            }
        }
    }
}

/// End tags after which a MEDLINE file may be cut: those of articles in a `PubmedArticleSet`, and
/// that of citations in a `MedlineCitationSet` (where a `MedlineCitation` is not inside an article).
const ARTICLE_ENDS: &[&[u8]] = &[b"</PubmedArticle>", b"</PubmedBookArticle>"];
const CITATION_ENDS: &[&[u8]] = &[b"</MedlineCitation>"];

/// The longest end tag of both lists.
const LONGEST_END: usize = 20;

/// Which end tags cut a MEDLINE file: settled by the first record start tag met.
fn record_ends(buffer: &[u8]) -> Option<&'static [&'static [u8]]> {
    let mut pos = 0;
    while let Some(i) = buffer.get(pos..).and_then(|h| h.iter().position(|&b| b == b'<')) {
        let at = pos + i;
        let rest = &buffer[at + 1..];
        let tag = |name: &[u8]| {
            rest.starts_with(name)
                && rest
                    .get(name.len())
                    .is_some_and(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
        };
        if tag(b"PubmedArticle") || tag(b"PubmedBookArticle") {
            return Some(ARTICLE_ENDS);
        }
        if tag(b"MedlineCitation") {
            return Some(CITATION_ENDS);
        }
        pos = at + 1;
    }
    None
}

/// Start and end tags of the set wrapped around chunks after the first.
const SET_OPEN: &[u8] = b"<PubmedArticleSet>";
const SET_CLOSE: &[u8] = b"</PubmedArticleSet>\n";

/// Chunks of a MEDLINE/PubMed XML file cut between articles, each a `PubmedArticleSet` document;
/// see the [module documentation](self).
///
/// The first chunk keeps the file's own head (XML declaration, doctype, `<PubmedArticleSet>`);
/// later chunks open with a bare `<PubmedArticleSet>` put on the line of their first article's
/// start, and every chunk but the last is closed with `</PubmedArticleSet>`. The chunk's `base`
/// accounts for the added open tag, so that [`crate::parse_chunk`] gives the locations in the
/// file. An article longer than the record limit is one error and is read past.
pub struct XmlRecordChunks<R> {
    reader: R,
    name: String,
    chunk_bytes: usize,
    max_record: usize,
    /// Bytes read but not given yet; they start at `start` (byte, line) of the file.
    buffer: Vec<u8>,
    start: (u64, u64),
    /// Whether the next chunk is the first.
    first: bool,
    /// Bytes of `buffer` already scanned for end tags, and the cut points found (offsets in
    /// `buffer` just after an end tag), in order.
    scanned: usize,
    cuts: std::collections::VecDeque<usize>,
    /// The end tags that cut this file, once known.
    ends: Option<&'static [&'static [u8]]>,
    ready: std::collections::VecDeque<Result<Chunk, ParseError>>,
    done: bool,
}

impl<R: BufRead> XmlRecordChunks<R> {
    /// Chunks of the MEDLINE source `name` read from `reader`, with the default chunk size and
    /// record limit.
    pub fn new(name: &str, reader: R) -> Self {
        XmlRecordChunks {
            reader,
            name: name.to_string(),
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_record: DEFAULT_MAX_RECORD,
            buffer: Vec::new(),
            start: (0, 1),
            first: true,
            scanned: 0,
            cuts: Default::default(),
            ends: None,
            ready: Default::default(),
            done: false,
        }
    }

    /// The same, with chunks of about `bytes` bytes (at least 1).
    pub fn chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes.max(1);
        self
    }

    /// The same, with articles of at most `bytes` bytes (at least 1).
    pub fn max_record(mut self, bytes: usize) -> Self {
        self.max_record = bytes.max(1);
        self
    }

    /// Gives `buffer[..at]` as a chunk and keeps the rest.
    fn emit(&mut self, at: usize, last: bool) {
        let rest = self.buffer.split_off(at);
        let body = std::mem::replace(&mut self.buffer, rest);
        let (byte, line) = self.start;
        let newlines = body.iter().filter(|&&b| b == b'\n').count() as u64;
        self.start = (byte + at as u64, line + newlines);
        self.scanned = self.scanned.saturating_sub(at);
        self.cuts.retain(|&c| c > at);
        for c in &mut self.cuts {
            *c -= at;
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let mut bytes = Vec::with_capacity(body.len() + SET_OPEN.len() + SET_CLOSE.len());
        let base = if self.first {
            Location::line(line, byte)
        } else {
            bytes.extend_from_slice(SET_OPEN);
            Location::line(line, byte.saturating_sub(SET_OPEN.len() as u64))
        };
        self.first = false;
        bytes.extend_from_slice(&body);
        if !last {
            bytes.push(b'\n');
            bytes.extend_from_slice(SET_CLOSE);
        }
        self.ready.push_back(Ok(Chunk { bytes, base }));
    }

    /// Scans the newly read bytes for end tags and records the cut points after them.
    fn scan(&mut self) {
        if self.ends.is_none() {
            self.ends = record_ends(&self.buffer);
        }
        let Some(ends) = self.ends else {
            return;
        };
        let from = self.scanned.saturating_sub(LONGEST_END - 1);
        let hay = &self.buffer[from..];
        let mut pos = 0;
        while let Some(i) = hay.get(pos..).and_then(|h| h.iter().position(|&b| b == b'<')) {
            let at = pos + i;
            if let Some(tag) = ends.iter().find(|t| hay[at..].starts_with(t)) {
                let cut = from + at + tag.len();
                if self.cuts.back().is_none_or(|&last| cut > last) {
                    self.cuts.push_back(cut);
                }
            }
            pos = at + 1;
        }
        self.scanned = self.buffer.len();
    }

    /// Where to cut now, if the buffer is full: after the last article that fits the chunk size,
    /// else after the first one.
    fn cut_point(&self) -> Option<usize> {
        if self.buffer.len() < self.chunk_bytes {
            return None;
        }
        let fitting = self.cuts.iter().take_while(|&&c| c <= self.chunk_bytes).last();
        fitting.or(self.cuts.front()).copied()
    }

    /// Reads past an article longer than the limit, up to the end tag after it, and gives an
    /// error for it.
    fn skip_long(&mut self) -> io::Result<()> {
        let (byte, line) = self.start;
        // Where the long article starts: its first `<` after any leading space.
        let lead = self.buffer.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
        let lines_before = self.buffer[..lead].iter().filter(|&&b| b == b'\n').count() as u64;
        let location = Location::line(line + lines_before, byte + lead as u64);
        let mut skipped = self.buffer.len() as u64;
        let mut newlines = self.buffer.iter().filter(|&&b| b == b'\n').count() as u64;
        // Keep the tail, where an end tag may be starting.
        let longest = LONGEST_END;
        let ends = self.ends.unwrap_or(ARTICLE_ENDS);
        let mut tail: Vec<u8> = self.buffer[self.buffer.len().saturating_sub(longest)..].to_vec();
        skipped -= tail.len() as u64;
        newlines -= tail.iter().filter(|&&b| b == b'\n').count() as u64;
        self.buffer = Vec::new();
        let found = loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break None;
            }
            let n = available.len();
            tail.extend_from_slice(available);
            self.reader.consume(n);
            let end = ends.iter().filter_map(|t| find(&tail, t).map(|i| i + t.len())).min();
            if let Some(end) = end {
                break Some(end);
            }
            let keep = tail.len().saturating_sub(longest);
            skipped += keep as u64;
            newlines += tail[..keep].iter().filter(|&&b| b == b'\n').count() as u64;
            tail.drain(..keep);
        };
        let end = found.unwrap_or(tail.len());
        skipped += end as u64;
        newlines += tail[..end].iter().filter(|&&b| b == b'\n').count() as u64;
        self.buffer = tail.split_off(end);
        self.start = (byte + skipped, line + newlines);
        self.scanned = 0;
        self.cuts.clear();
        self.ready.push_back(Err(ParseError::new(
            &self.name,
            location,
            format!(
                "record of {} bytes exceeds the {} limit; skipped",
                skipped - lead as u64,
                human_bytes(self.max_record as u64)
            ),
        )));
        if found.is_none() {
            self.done = true;
        }
        Ok(())
    }

    fn step(&mut self) -> io::Result<()> {
        let available = self.reader.fill_buf()?;
        if available.is_empty() {
            self.done = true;
            let len = self.buffer.len();
            self.emit(len, true);
            return Ok(());
        }
        let n = available.len().min(1 << 20);
        self.buffer.extend_from_slice(&available[..n]);
        self.reader.consume(n);
        self.scan();
        while let Some(cut) = self.cut_point() {
            self.emit(cut, false);
        }
        // The bytes after the last cut: one article (or the head and the first), growing.
        let last = self.cuts.back().copied().unwrap_or(0);
        if self.buffer.len() - last > self.max_record {
            if last > 0 {
                self.emit(last, false);
            }
            self.skip_long()?;
        }
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl<R: BufRead> Iterator for XmlRecordChunks<R> {
    type Item = Result<Chunk, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.step() {
                self.done = true;
                let (byte, line) = self.start;
                let at = Location::line(line, byte + self.buffer.len() as u64);
                self.ready
                    .push_back(Err(ParseError::new(&self.name, at, format!("read error: {e}"))));
            }
        }
    }
}
