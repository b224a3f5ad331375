//! Chunked reading gives the same records, at the same locations, as parsing the whole source.

use std::io::Cursor;

use hypatia_ingest::stream::{Chunk, LineChunks, XmlRecordChunks};
use hypatia_ingest::{detect, json_lines, parse, parse_chunk, Format, Location, ParseError};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers");

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).expect("fixture")
}

/// Each result as (title or error message, location).
fn outcomes<'a>(
    results: impl Iterator<Item = Result<hypatia_ingest::Record, ParseError>> + 'a,
) -> Vec<(String, Location)> {
    results
        .map(|r| match r {
            Ok(r) => (r.paper.title, r.location),
            Err(e) => (format!("error: {}", e.message), e.location),
        })
        .collect()
}

fn chunked(
    format: Format,
    name: &str,
    chunks: impl Iterator<Item = Result<Chunk, ParseError>>,
) -> Vec<(String, Location)> {
    let mut out = Vec::new();
    for chunk in chunks {
        let chunk = chunk.expect("chunk");
        out.extend(outcomes(parse_chunk(format, name, &chunk.bytes, &chunk.base)));
    }
    out
}

#[test]
fn line_chunks_give_the_records_of_the_whole_source() {
    let cases = [
        ("beir/scifact/corpus.jsonl", Format::BeirJsonl),
        ("arxiv/arxiv-metadata-oai-snapshot.sample.jsonl", Format::ArxivMetadata),
        ("unarxive/arXiv_src_2212_086.sample.jsonl", Format::Unarxive),
    ];
    for (path, format) in cases {
        let bytes = fixture(path);
        assert!(
            format.is_line_oriented() && format.splits_at_lines(&bytes[..bytes.len().min(4096)]),
            "{path}"
        );
        let whole = outcomes(parse(format, path, &bytes));
        assert!(whole.len() >= 3, "{path}");
        for size in [1, 500, 4096, 1 << 20] {
            let chunks = LineChunks::new(path, Cursor::new(&bytes)).chunk_bytes(size);
            assert_eq!(chunked(format, path, chunks), whole, "{path} in chunks of {size}");
        }
    }
}

#[test]
fn line_chunks_hold_whole_lines_and_say_where_they_start() {
    let text = b"a\n\nbb\r\nccc\nlast without end";
    let chunks: Vec<Chunk> = LineChunks::new("x", Cursor::new(&text[..]))
        .chunk_bytes(4)
        .map(|c| c.expect("chunk"))
        .collect();
    let got: Vec<(&[u8], Location)> = chunks.iter().map(|c| (&c.bytes[..], c.base.clone())).collect();
    assert_eq!(
        got,
        vec![
            (&b"a\n\nbb\r\n"[..], Location::line(1, 0)),
            (&b"ccc\n"[..], Location::line(4, 7)),
            (&b"last without end"[..], Location::line(5, 11)),
        ]
    );
    assert!(LineChunks::new("x", Cursor::new(&b""[..])).next().is_none());
}

#[test]
fn a_line_over_the_record_limit_is_skipped_between_chunks() {
    let text = b"short\n0123456789abcdef\nfine";
    let items: Vec<_> = LineChunks::new("x.jsonl", Cursor::new(&text[..]))
        .max_record(12)
        .collect();
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().expect("chunk").bytes, b"short\n");
    let error = items[1].as_ref().expect_err("too long");
    assert_eq!(error.location, Location::line(2, 6));
    assert_eq!(error.message, "record of 17 bytes exceeds the 12 bytes limit; skipped");
    let last = items[2].as_ref().expect("chunk");
    assert_eq!(
        (&last.bytes[..], last.base.clone()),
        (&b"fine"[..], Location::line(3, 23))
    );
}

#[test]
fn chunk_locations_shift_errors_too() {
    let text = b"{\"_id\": \"1\", \"title\": \"A\", \"text\": \"a\"}\n{not json}\n{\"_id\": \"3\", \"title\": \"C\", \"text\": \"c\"}\n";
    let whole = outcomes(parse(Format::BeirJsonl, "x.jsonl", text));
    let chunks = LineChunks::new("x.jsonl", Cursor::new(&text[..])).chunk_bytes(1);
    assert_eq!(chunked(Format::BeirJsonl, "x.jsonl", chunks), whole);
    assert_eq!(whole[1].1, Location::line(2, 40));
}

#[test]
fn json_lines_or_documents() {
    assert!(json_lines(b"{\"a\": 1}\n{\"a\": 2}\n"));
    assert!(json_lines(b"{\"a\": \"cut in the head"));
    assert!(json_lines(b"\xEF\xBB\xBF  {\"a\": {\"b\": [1, 2]}}"));
    assert!(!json_lines(b"{\n  \"a\": 1\n}\n"));
    assert!(!json_lines(b"[{\"a\": 1},\n{\"a\": 2}]"));
    assert!(!json_lines(b"<xml/>"));
    let openalex = fixture("openalex/openalex_works_tu9.sample.json");
    assert_eq!(detect("w.json", &openalex), Some(Format::OpenAlex));
    assert!(
        !Format::OpenAlex.splits_at_lines(&openalex[..4096]),
        "an array of works is one document"
    );
    let s2orc = fixture("s2orc/18980380.json");
    assert!(!Format::S2orc.splits_at_lines(&s2orc[..4096]) || s2orc.iter().filter(|&&b| b == b'\n').count() <= 1);
    for format in [Format::Jats, Format::Medline, Format::Bibtex, Format::Pdf, Format::Text] {
        assert!(
            !format.is_line_oriented() && !format.splits_at_lines(b"{\"a\": 1}\n"),
            "{format}"
        );
    }
}

#[test]
fn medline_chunks_are_article_sets_with_the_records_of_the_whole_file() {
    let path = "medline/medsample1.sample.xml";
    let bytes = fixture(path);
    let whole = outcomes(parse(Format::Medline, path, &bytes));
    assert!(whole.len() > 5);
    for size in [1, 20_000, 1 << 20] {
        let chunks: Vec<Chunk> = XmlRecordChunks::new(path, Cursor::new(&bytes))
            .chunk_bytes(size)
            .map(|c| c.expect("chunk"))
            .collect();
        if size == 1 {
            // One article per chunk, and the file's tail (`</PubmedArticleSet>`) on its own.
            let with_articles = chunks
                .iter()
                .filter(|c| String::from_utf8_lossy(&c.bytes).contains("<PubmedArticle>"));
            assert_eq!(with_articles.count(), whole.len(), "one article per chunk");
            assert!(chunks.len() <= whole.len() + 1);
        }
        for chunk in &chunks {
            assert_eq!(detect("chunk.xml", &chunk.bytes), Some(Format::Medline));
            let text = String::from_utf8_lossy(&chunk.bytes);
            assert_eq!(text.matches("<PubmedArticleSet").count(), 1, "{text:.300}");
            assert_eq!(text.matches("</PubmedArticleSet>").count(), 1, "{text:.300}");
        }
        assert_eq!(
            chunked(Format::Medline, path, chunks.into_iter().map(Ok)),
            whole,
            "chunks of {size}"
        );
    }
}
