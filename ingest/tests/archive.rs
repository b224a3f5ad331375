//! Archives built from the real fixtures: every entry comes out whole, named `archive!/path`, and
//! parses to the same records as the file itself.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use hypatia_ingest::archive::{self, container, safe_entry_path, Container, Entry, Limits};
use hypatia_ingest::stream::LineChunks;
use hypatia_ingest::{detect, parse, parse_chunk, Format, Location};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers");

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The fixture files of a folder, as (path relative to the folder, bytes).
fn folder(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(FIXTURES).join(name);
    let mut paths = Vec::new();
    files_under(&dir, &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&dir).expect("under").to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).expect("read");
            (rel, bytes)
        })
        .collect()
}

fn tar_of(files: &[(String, Vec<u8>)], prefix: &str) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_size(0);
    dir.set_mode(0o755);
    dir.set_cksum();
    tar.append_data(&mut dir, format!("{prefix}/"), std::io::empty())
        .expect("tar");
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, format!("{prefix}/{path}"), &bytes[..])
            .expect("tar");
    }
    tar.into_inner().expect("tar")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn entries(name: &str, bytes: Vec<u8>) -> Vec<Entry> {
    archive::entries(name, Cursor::new(bytes), Limits::default())
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// (title, location) of every record, and the number of errors.
fn summary(format: Format, name: &str, bytes: &[u8]) -> (Vec<(String, Location)>, usize) {
    let mut ok = Vec::new();
    let mut errors = 0;
    for r in parse(format, name, bytes) {
        match r {
            Ok(r) => ok.push((r.paper.title, r.location)),
            Err(_) => errors += 1,
        }
    }
    (ok, errors)
}

#[test]
fn tar_gz_of_the_jats_folder() {
    let files = folder("jats");
    let tgz = gzip(&tar_of(&files, "jats"));
    assert_eq!(container("jats.tgz", &tgz), Container::TarGzip);
    assert_eq!(container("jats.bin", &tgz), Container::Gzip);
    let mut iter = archive::entries("data/jats.tar.gz", Cursor::new(tgz.clone()), Limits::default());
    let got: Vec<Entry> = iter.by_ref().map(|r| r.expect("entry")).collect();
    assert_eq!(iter.container(), Some(Container::TarGzip));
    // The directory is skipped; every file comes out whole, in order.
    assert_eq!(got.len(), files.len());
    let mut articles = 0;
    for ((path, bytes), entry) in files.iter().zip(&got) {
        assert_eq!(entry.name, format!("data/jats.tar.gz!/jats/{path}"));
        assert_eq!(&entry.bytes, bytes);
        if let Some(Format::Jats) = detect(&entry.name, &entry.bytes) {
            assert_eq!(
                summary(Format::Jats, &entry.name, &entry.bytes),
                summary(Format::Jats, path, bytes)
            );
            articles += 1;
        }
    }
    assert!(articles >= 4, "{articles}");
    // Named without an extension, the tar inside the gzip stream is found by its magic.
    assert_eq!(entries("blob", tgz).len(), files.len());
}

#[test]
fn plain_tar_by_magic_and_by_name() {
    let files = folder("acl");
    let tar = tar_of(&files, "acl");
    assert_eq!(container("x", &tar), Container::Tar);
    let got = entries("acl.tar", tar);
    assert_eq!(got.len(), files.len());
    assert_eq!(got[0].name, format!("acl.tar!/acl/{}", files[0].0));
}

#[test]
fn zip_of_the_bibtex_folder() {
    let files = folder("bibtex");
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.add_directory("bib/", deflate).expect("zip");
    for (path, bytes) in &files {
        zip.start_file(format!("bib/{path}"), deflate).expect("zip");
        zip.write_all(bytes).expect("zip");
    }
    // Housekeeping entries are skipped.
    zip.start_file("__MACOSX/bib/._biblatex-examples.bib", deflate)
        .expect("zip");
    zip.write_all(b"\x00\x05\x16\x07 resource fork").expect("zip");
    zip.start_file("bib/.DS_Store", deflate).expect("zip");
    zip.write_all(b"Bud1").expect("zip");
    let stored = deflate.compression_method(zip::CompressionMethod::Stored);
    zip.start_file("stored/refs.bib", stored).expect("zip");
    zip.write_all(&files.iter().find(|(p, _)| p.ends_with(".bib")).expect("bib").1)
        .expect("zip");
    let bytes = zip.finish().expect("zip").into_inner();
    assert_eq!(container("refs.bin", &bytes), Container::Zip);
    let got = entries("refs.zip", bytes);
    assert_eq!(
        got.len(),
        files.len() + 1,
        "{:?}",
        got.iter().map(|e| &e.name).collect::<Vec<_>>()
    );
    for ((path, bytes), entry) in files.iter().zip(&got) {
        assert_eq!(entry.name, format!("refs.zip!/bib/{path}"));
        assert_eq!(&entry.bytes, bytes);
    }
    let bib = got
        .iter()
        .find(|e| e.name.ends_with("biblatex-examples.bib"))
        .expect("bib");
    assert_eq!(detect(&bib.name, &bib.bytes), Some(Format::Bibtex));
    let (records, _) = summary(Format::Bibtex, &bib.name, &bib.bytes);
    assert!(records.len() > 50, "{}", records.len());
    assert_eq!(got.last().expect("stored").name, "refs.zip!/stored/refs.bib");
}

fn arxiv() -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/arxiv/arxiv-metadata-oai-snapshot.sample.jsonl")).expect("arxiv")
}

#[test]
fn gz_of_the_arxiv_jsonl_single_and_multi_member() {
    let lines = arxiv();
    let gz = gzip(&lines);
    assert_eq!(container("a.jsonl.gz", &gz), Container::Gzip);
    let got = entries("dumps/arxiv.jsonl.gz", gz);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name, "dumps/arxiv.jsonl.gz!/arxiv.jsonl");
    assert_eq!(got[0].bytes, lines);
    assert_eq!(
        summary(Format::ArxivMetadata, &got[0].name, &got[0].bytes),
        summary(Format::ArxivMetadata, &got[0].name, &lines)
    );
    // Several members (as `cat a.gz b.gz` or parallel gzip make) read as one stream.
    let half = lines.len() / 2;
    let mut multi = gzip(&lines[..half]);
    multi.extend(gzip(&lines[half..]));
    let got = entries("arxiv.jsonl.gz", multi);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].bytes, lines);
}

#[test]
fn a_plain_file_is_its_own_entry() {
    let lines = arxiv();
    let got = entries("arxiv.jsonl", lines.clone());
    assert_eq!(
        got,
        vec![Entry {
            name: "arxiv.jsonl".into(),
            bytes: lines.clone()
        }]
    );
    // A `.gz` name on bytes that are not gzip (a server that decompressed on the fly): content
    // decides.
    let got = entries("arxiv.jsonl.gz", lines.clone());
    assert_eq!(got[0].bytes, lines);
    let got = entries("empty.txt", Vec::new());
    assert_eq!(
        got,
        vec![Entry {
            name: "empty.txt".into(),
            bytes: Vec::new()
        }]
    );
}

#[test]
fn streaming_a_gz_through_line_chunks_gives_the_same_records() {
    let lines = arxiv();
    let (name, reader) =
        archive::open_stream("arxiv.jsonl.gz", Cursor::new(gzip(&lines)), Limits::default()).expect("opens");
    assert_eq!(name, "arxiv.jsonl.gz!/arxiv.jsonl");
    let mut streamed = Vec::new();
    for chunk in LineChunks::new(&name, reader).chunk_bytes(3000) {
        let chunk = chunk.expect("chunk");
        for r in parse_chunk(Format::ArxivMetadata, &name, &chunk.bytes, &chunk.base) {
            let r = r.expect("record");
            streamed.push((r.paper.title, r.location));
        }
    }
    assert_eq!(streamed, summary(Format::ArxivMetadata, &name, &lines).0);
    // Plain bytes stream as they are; archives are refused.
    let (name, _) = archive::open_stream("a.jsonl", Cursor::new(lines), Limits::default()).expect("plain");
    assert_eq!(name, "a.jsonl");
    let tar = tar_of(&folder("acl"), "acl");
    let error = archive::open_stream("acl.tar", Cursor::new(tar), Limits::default())
        .err()
        .expect("refused");
    assert!(error.message.contains("read its entries"), "{error}");
}

#[test]
fn entry_paths() {
    assert_eq!(safe_entry_path("a/./b//c.xml"), Ok("a/b/c.xml".to_string()));
    assert_eq!(safe_entry_path("a\\b.xml"), Ok("a/b.xml".to_string()));
    for bad in [
        "../x",
        "a/../../x",
        "/etc/passwd",
        "\\\\server\\share",
        "C:\\x",
        "c:x",
        "a\0b",
        "",
        "./",
    ] {
        assert!(safe_entry_path(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn corrupt_zip_is_one_error() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0u8; 100]);
    let got: Vec<_> = archive::entries("bad.zip", Cursor::new(bytes), Limits::default()).collect();
    assert_eq!(got.len(), 1);
    let error = got[0].as_ref().expect_err("unreadable");
    assert!(error.message.contains("unreadable zip archive"), "{error}");
}
