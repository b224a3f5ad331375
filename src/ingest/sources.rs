//! Input files as parse units: a plain file, every entry of a `.zip` / `.tar` / `.tar.gz`, a
//! gzip stream, and line-oriented dumps or MEDLINE article sets cut into bounded chunks so that a
//! multi-gigabyte source never sits in memory whole.
//!
//! **Bound:** a line-oriented or MEDLINE source is held one chunk (8 MiB) plus one record (at
//! most 64 MiB, larger records are reported and skipped unread) at a time; any other source, or
//! archive entry, is held whole, up to the archive limits (2 GiB per entry).

use std::fs::File;
use std::io::{BufRead, Read};
use std::ops::ControlFlow;
use std::path::Path;

use hypatia_ingest::archive::{self, Container, Limits};
use hypatia_ingest::stream::{LineChunks, XmlRecordChunks};
use hypatia_ingest::{Format, Location, ParseError};

use crate::common::error::{Error, Result};
use std::path::PathBuf;

/// Bytes of a source to parse, with where they start in it.
pub struct Unit<'a> {
    /// The source's name (`dump.jsonl.gz!/dump.jsonl`, `papers.zip!/a/b.xml`).
    pub name: &'a str,
    /// Its format.
    pub format: Format,
    /// Whole records.
    pub bytes: &'a [u8],
    /// Where `bytes` start in the source.
    pub base: Location,
}

/// What reading one file found besides its units.
pub enum Event<'a> {
    /// Bytes to parse.
    Unit(Unit<'a>),
    /// A source (or archive entry) in no format Hypatia reads.
    Skipped(String),
    /// A source, entry or chunk that could not be read.
    Failed(ParseError),
}

/// How much of the head of a source format detection looks at.
const HEAD: usize = 64 << 10;

/// Calls `on` for every unit, skipped source and failure of `path` in order; stops early when
/// `on` breaks. `forced` overrides format detection.
pub fn read_file(
    path: &Path,
    forced: Option<Format>,
    limits: Limits,
    on: &mut dyn FnMut(Event<'_>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let name = path.display().to_string();
    let fail = |msg: String| ParseError::new(&name, Location::default(), msg);
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return on(Event::Failed(fail(format!("cannot open: {e}")))),
    };
    let mut head = Vec::with_capacity(512);
    if let Err(e) = file.by_ref().take(512).read_to_end(&mut head) {
        return on(Event::Failed(fail(format!("cannot read: {e}"))));
    }
    let mut container = archive::container(&name, &head);
    if container == Container::Gzip {
        // A `.gz` may be a tarball (arXiv source bundles are): read its entries then.
        let holds_tar = file.try_clone().and_then(reopen).is_ok_and(archive::gzip_holds_tar);
        if holds_tar {
            container = Container::TarGzip;
        }
    }
    let file = match reopen(file) {
        Ok(f) => f,
        Err(e) => return on(Event::Failed(fail(format!("cannot read: {e}")))),
    };
    match container {
        Container::Zip | Container::Tar | Container::TarGzip => {
            for entry in archive::entries(&name, file, limits) {
                let flow = match entry {
                    Ok(e) => whole(&e.name, forced, &e.bytes, on),
                    Err(e) => on(Event::Failed(e)),
                };
                flow?;
            }
            ControlFlow::Continue(())
        }
        Container::Plain | Container::Gzip => match archive::open_stream(&name, file, limits) {
            Ok((inner, reader)) => stream(&inner, forced, limits.max_entry_bytes, reader, on),
            Err(e) => on(Event::Failed(e)),
        },
    }
}

fn reopen(mut file: File) -> std::io::Result<File> {
    use std::io::Seek;
    file.rewind()?;
    Ok(file)
}

/// A single-file stream: cut into chunks when the format allows, else read whole.
fn stream(
    name: &str,
    forced: Option<Format>,
    limit: u64,
    mut reader: Box<dyn BufRead + '_>,
    on: &mut dyn FnMut(Event<'_>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let head = match peek(&mut reader) {
        Ok(h) => h,
        Err(e) => {
            return on(Event::Failed(ParseError::new(
                name,
                Location::byte(0),
                format!("cannot read: {e}"),
            )))
        }
    };
    let Some(format) = forced.or_else(|| hypatia_ingest::detect(name, &head)) else {
        return on(Event::Skipped(name.to_string()));
    };
    let chunks: Box<dyn Iterator<Item = Result<hypatia_ingest::stream::Chunk, ParseError>>> =
        if format.splits_at_lines(&head) {
            Box::new(LineChunks::new(name, reader))
        } else if format == Format::Medline {
            Box::new(XmlRecordChunks::new(name, reader))
        } else {
            // `head` was only peeked: the reader still holds it.
            let mut rest = Vec::new();
            if let Err(e) = reader.take(limit + 1).read_to_end(&mut rest) {
                return on(Event::Failed(ParseError::new(
                    name,
                    Location::byte(rest.len() as u64),
                    format!("cannot read: {e}"),
                )));
            }
            if rest.len() as u64 > limit {
                return on(Event::Failed(ParseError::new(
                    name,
                    Location::byte(limit),
                    format!(
                        "a {} source larger than {} must be split (or be JSON lines)",
                        format.name(),
                        archive::human_bytes(limit)
                    ),
                )));
            }
            return on(Event::Unit(Unit {
                name,
                format,
                bytes: &rest,
                base: Location::line(1, 0),
            }));
        };
    for chunk in chunks {
        match chunk {
            Ok(c) => on(Event::Unit(Unit {
                name,
                format,
                bytes: &c.bytes,
                base: c.base.clone(),
            }))?,
            Err(e) => on(Event::Failed(e))?,
        }
    }
    ControlFlow::Continue(())
}

/// The first bytes of a buffered reader, without consuming them.
fn peek(reader: &mut Box<dyn BufRead + '_>) -> std::io::Result<Vec<u8>> {
    let buf = reader.fill_buf()?;
    Ok(buf[..buf.len().min(HEAD)].to_vec())
}

/// An archive entry, held whole.
fn whole(
    name: &str,
    forced: Option<Format>,
    bytes: &[u8],
    on: &mut dyn FnMut(Event<'_>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let file_name = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    if is_housekeeping(file_name) {
        return on(Event::Skipped(format!("{name} (a README, licence or provenance note)")));
    }
    let head = &bytes[..bytes.len().min(HEAD)];
    match forced.or_else(|| hypatia_ingest::detect(name, head)) {
        Some(format) => on(Event::Unit(Unit {
            name,
            format,
            bytes,
            base: Location::line(1, 0),
        })),
        None => on(Event::Skipped(name.to_string())),
    }
}

/// The files a walk found, and those it left out (with why).
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to read, in order.
    pub files: Vec<PathBuf>,
    /// Housekeeping files left out of folder walks, as `path (why)`.
    pub skipped: Vec<String>,
}

/// Files under `paths`, folders walked recursively in name order; hidden entries and
/// housekeeping files inside folders are left out and listed.
pub fn collect_files(paths: &[PathBuf]) -> Result<Walk> {
    let mut out = Walk::default();
    for p in paths {
        walk(p, &mut out)?;
    }
    Ok(out)
}

/// Files a folder walk (and an archive read) leaves out: hidden entries, and the READMEs, licences
/// and provenance notes that sit beside corpora (a Markdown or text README would otherwise read
/// as a paper): exactly those names, bare or as text (`.md`, `.txt`, `.rst`), so that a
/// paper called `license-plate-recognition.pdf` or `sources.json` is read. Named explicitly,
/// such a file is still ingested.
fn is_housekeeping(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = lower.split_once('.').unwrap_or((&lower, ""));
    let textual = matches!(ext, "" | "md" | "txt" | "rst" | "markdown");
    let named = matches!(
        stem,
        "readme" | "license" | "licence" | "copying" | "notice" | "source" | "sources" | "changelog" | "authors"
    ) || ["license-", "licence-"].iter().any(|p| stem.starts_with(p));
    name.starts_with('.') || (named && textual)
}

fn walk(p: &Path, out: &mut Walk) -> Result<()> {
    let meta = std::fs::metadata(p).map_err(|e| Error::invalid("path", format!("{}: {e}", p.display())))?;
    if meta.is_file() {
        out.files.push(p.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| Error::io(p, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        let name = e.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if is_housekeeping(name) {
            out.skipped
                .push(format!("{} (a README, licence or provenance note)", e.display()));
            continue;
        }
        walk(&e, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn housekeeping_is_exact_names_as_text() {
        for skipped in [
            "README.md",
            "LICENSE",
            "licence.txt",
            "SOURCE.md",
            "SOURCES.txt",
            "LICENSE-MIT",
            "NOTICE",
            ".DS_Store",
            "AUTHORS",
        ] {
            assert!(is_housekeeping(skipped), "{skipped}");
        }
        for read in [
            "license-plate-recognition.pdf",
            "sources.json",
            "authors.bib",
            "readme-study.xml",
            "source.nxml",
        ] {
            assert!(!is_housekeeping(read), "{read}");
        }
    }
}
