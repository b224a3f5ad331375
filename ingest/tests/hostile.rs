//! Hostile inputs: each must give clear errors (or harmless results) in bounded time and memory,
//! never a panic, a stack overflow, an entity expansion or a file read. The small ones are files of
//! `tests/fixtures/hostile/` (see its README); the large ones are made here.

use std::io::{BufReader, Cursor, Read, Write};
use std::time::{Duration, Instant};

use hypatia_ingest::archive::{self, Limits};
use hypatia_ingest::stream::{LineChunks, XmlRecordChunks};
use hypatia_ingest::{detect, parse, Format, ParseError, Record};

const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/hostile");

fn read(file: &str) -> Vec<u8> {
    std::fs::read(format!("{HOSTILE}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Runs `f` on a thread with a 1 MiB stack (half of a spawned thread's default), so that any
/// recursion over input depth would overflow here first, and within `limit`.
fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let began = Instant::now();
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .expect("thread");
    let out = handle.join().expect("no panic");
    assert!(began.elapsed() < limit, "took {:?} (limit {limit:?})", began.elapsed());
    out
}

fn all(format: Format, name: &str, bytes: &[u8]) -> Vec<Result<Record, ParseError>> {
    parse(format, name, bytes).collect()
}

fn nested(open: &str, close: &str, depth: usize, inner: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn xml_nested_100k_deep_is_an_error_not_a_stack_overflow() {
    let cases = [
        (Format::Jats, "<article><body><sec>", "</sec></body></article>"),
        (Format::Tei, "<TEI><text><body>", "</body></text></TEI>"),
        (
            Format::Medline,
            "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>",
            "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
        ),
        (
            Format::Acl,
            "<collection id=\"X\"><volume id=\"1\"><paper id=\"1\"><title>",
            "</title></paper></volume></collection>",
        ),
    ];
    for (format, head, tail) in cases {
        for closed in [true, false] {
            let deep = nested("<a>", if closed { "</a>" } else { "" }, 100_000, "x");
            let doc = format!("<?xml version=\"1.0\"?>\n{head}{deep}{tail}");
            let results = bounded(Duration::from_secs(10), move || {
                let detected = detect("deep.xml", doc.as_bytes());
                (detected, all(format, "deep.xml", doc.as_bytes()))
            });
            assert_eq!(results.0, Some(format));
            let errors: Vec<&ParseError> = results.1.iter().filter_map(|r| r.as_ref().err()).collect();
            assert!(!errors.is_empty(), "{format}: the deep document must fail");
            assert!(
                errors.iter().any(|e| e.message.contains("nested deeper than")),
                "{format}: {errors:?}"
            );
            assert!(errors.iter().all(|e| e.location.byte.is_some()), "{format}: located");
        }
    }
}

#[test]
fn json_nested_100k_deep_is_an_error() {
    for format in [
        Format::BeirJsonl,
        Format::ArxivMetadata,
        Format::OpenAlex,
        Format::S2orc,
        Format::Unarxive,
    ] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let line = format!(
                "{{\"_id\": \"1\", \"id\": \"1\", \"paper_id\": \"1\", \"x\": {}}}\n",
                nested(open, close, 100_000, "1")
            );
            let bytes = format!(
                "{line}{{\"_id\": \"2\", \"id\": \"2\", \"paper_id\": \"2\", \"title\": \"T\", \"text\": \"t\"}}\n"
            );
            let results = bounded(Duration::from_secs(10), move || {
                all(format, "deep.jsonl", bytes.as_bytes())
            });
            let first = results.first().expect("a result");
            let error = first.as_ref().expect_err("the deep line fails");
            assert_eq!(error.location.line, Some(1), "{format}");
            assert!(error.message.contains("recursion limit"), "{format}: {error}");
        }
    }
}

#[test]
fn other_formats_survive_deep_nesting() {
    let cases = [
        (
            Format::Bibtex,
            format!("@article{{k, title = {}}}\n", nested("{", "}", 100_000, "x")),
        ),
        (
            Format::Bibtex,
            format!("@article{{k, title = {}}}\n", nested("{", "", 100_000, "x")),
        ),
        (
            Format::Markdown,
            format!("# T\n\n{}\n", nested("[", "](u)", 100_000, "x")),
        ),
        (Format::Markdown, format!("# T\n\n{}\n", nested("> ", "", 100_000, "x"))),
        (
            Format::Markdown,
            format!("# T\n\n{}\n", nested("<!--", "", 50_000, "x")),
        ),
        (Format::Text, nested("(", ")", 100_000, "x")),
    ];
    for (format, text) in cases {
        bounded(Duration::from_secs(10), move || {
            let _ = all(format, "deep", text.as_bytes());
        });
    }
}

/// All the text of a paper, for looking into.
fn paper_text(record: &Record) -> String {
    let p = &record.paper;
    let mut s = format!("{} {}", p.title, p.abstract_text.as_deref().unwrap_or_default());
    for section in &p.sections {
        s.push_str(&section.heading);
        for para in &section.paragraphs {
            s.push_str(para);
        }
    }
    s
}

#[test]
fn billion_laughs_is_not_expanded() {
    let bytes = read("billion-laughs.xml");
    let results = bounded(Duration::from_secs(5), move || {
        all(Format::Jats, "billion-laughs.xml", &bytes)
    });
    assert_eq!(results.len(), 1);
    let record = results[0].as_ref().expect("parses without expanding");
    let text = paper_text(record);
    assert!(text.len() < 2_000, "{} bytes of text", text.len());
    assert!(!text.contains("lollol"), "{text}");
    assert!(
        record.paper.title.starts_with("Billion laughs"),
        "{}",
        record.paper.title
    );
}

#[test]
fn external_entities_are_never_read() {
    for (file, format) in [("xxe.xml", Format::Jats), ("xxe.tei.xml", Format::Tei)] {
        let bytes = read(file);
        let results = all(format, file, &bytes);
        assert_eq!(results.len(), 1, "{file}");
        let text = match &results[0] {
            Ok(record) => paper_text(record),
            Err(e) => e.to_string(),
        };
        assert!(!text.contains("root:"), "{file}: {text}");
        let local = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        let local = local.trim();
        assert!(local.is_empty() || !text.contains(local), "{file}: {text}");
    }
}

#[test]
fn invalid_utf8_in_json_lines_is_one_located_error() {
    let bytes = read("invalid-utf8.jsonl");
    let results = all(Format::BeirJsonl, "invalid-utf8.jsonl", &bytes);
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[2].is_ok());
    let error = results[1].as_ref().expect_err("line 2 fails");
    assert_eq!(error.location.line, Some(2));
    assert!(error.message.contains("invalid UTF-8"), "{error}");
}

#[test]
fn truncated_gzip_gives_the_bytes_before_the_cut_then_an_error() {
    let bytes = read("truncated.jsonl.gz");
    let len = bytes.len() as u64;
    let items: Vec<_> = archive::entries("truncated.jsonl.gz", Cursor::new(bytes), Limits::default()).collect();
    assert_eq!(items.len(), 2, "{items:?}");
    let entry = items[0].as_ref().expect("the bytes before the cut");
    assert_eq!(entry.name, "truncated.jsonl.gz!/truncated.jsonl");
    assert!(!entry.bytes.is_empty());
    // The whole lines before the cut parse.
    let good = parse(Format::ArxivMetadata, &entry.name, &entry.bytes)
        .filter(Result::is_ok)
        .count();
    assert!(good >= 1, "{good}");
    let error = items[1].as_ref().expect_err("then the error");
    assert!(error.message.contains("truncated gzip stream"), "{error}");
    assert!(error.message.contains(&format!("byte {len}")), "{error}");
    assert_eq!(error.location.byte, Some(len));
}

/// A reader of one huge line, made on the fly: a good line, `size` bytes of `a` (a line of its
/// own), then a good line.
struct HugeLine {
    before: Cursor<Vec<u8>>,
    left: u64,
    after: Cursor<Vec<u8>>,
}

impl Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.before.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        if self.left > 0 {
            let n = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
            buf[..n].fill(b'a');
            self.left -= n as u64;
            if self.left == 0 {
                buf[n - 1] = b'\n';
            }
            return Ok(n);
        }
        self.after.read(buf)
    }
}

#[test]
fn a_100_mb_line_is_one_error_in_bounded_memory() {
    let first = b"{\"_id\": \"1\", \"title\": \"One\", \"text\": \"t\"}\n".to_vec();
    let last = b"{\"_id\": \"3\", \"title\": \"Three\", \"text\": \"t\"}\n".to_vec();
    let size = 100_000_000u64;
    let reader = HugeLine {
        before: Cursor::new(first.clone()),
        left: size,
        after: Cursor::new(last.clone()),
    };
    let mut chunks = LineChunks::new("huge.jsonl", BufReader::new(reader));
    let one = chunks.next().expect("item").expect("the first line");
    assert_eq!(one.bytes, first);
    assert_eq!(one.base.line, Some(1));
    let error = chunks.next().expect("item").expect_err("the huge line");
    assert_eq!(error.location.line, Some(2));
    assert_eq!(error.location.byte, Some(first.len() as u64));
    assert!(
        error
            .message
            .contains("record of 100000000 bytes exceeds the 64 MiB limit"),
        "{error}"
    );
    // At most the limit was ever held, and it is released.
    assert!(chunks.buffered_capacity() <= 72 << 20, "{}", chunks.buffered_capacity());
    let three = chunks.next().expect("item").expect("the last line");
    assert_eq!(three.bytes, last);
    assert_eq!(three.base.line, Some(3));
    assert_eq!(three.base.byte, Some(first.len() as u64 + size));
    assert!(chunks.next().is_none());
    let records: Vec<_> =
        hypatia_ingest::parse_chunk(Format::BeirJsonl, "huge.jsonl", &three.bytes, &three.base).collect();
    assert_eq!(records[0].as_ref().expect("parses").location.line, Some(3));
}

#[test]
fn a_huge_medline_article_is_one_error() {
    let article = |pmid: u32| {
        format!(
            "<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>T{pmid}</ArticleTitle>\
             </Article></MedlineCitation></PubmedArticle>\n"
        )
    };
    let mut doc = String::from("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n");
    doc.push_str(&article(1));
    doc.push_str("<PubmedArticle><MedlineCitation><PMID>2</PMID><Article><ArticleTitle>");
    doc.push_str(&"x".repeat(3 << 20));
    doc.push_str("</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n");
    doc.push_str(&article(3));
    doc.push_str("</PubmedArticleSet>\n");
    let items: Vec<_> = XmlRecordChunks::new("big.xml", Cursor::new(doc.into_bytes()))
        .chunk_bytes(1024)
        .max_record(1 << 20)
        .collect();
    let mut pmids = Vec::new();
    let mut errors = Vec::new();
    for item in &items {
        match item {
            Ok(chunk) => {
                for r in hypatia_ingest::parse_chunk(Format::Medline, "big.xml", &chunk.bytes, &chunk.base) {
                    pmids.push(r.expect("parses").paper.ids.pmid.expect("pmid"));
                }
            }
            Err(e) => errors.push(e.clone()),
        }
    }
    assert_eq!(pmids, vec!["1".to_string(), "3".to_string()]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("exceeds the 1 MiB limit"), "{}", errors[0]);
    assert_eq!(errors[0].location.line, Some(4));
}

/// Names and outcomes of the entries of an archive.
fn outcomes(name: &str, bytes: Vec<u8>, limits: Limits) -> Vec<Result<String, String>> {
    archive::entries(name, Cursor::new(bytes), limits)
        .map(|r| r.map(|e| e.name).map_err(|e| e.to_string()))
        .collect()
}

#[test]
fn zip_entries_escaping_the_archive_are_refused_and_the_rest_read() {
    let got = outcomes("zip-slip.zip", read("zip-slip.zip"), Limits::default());
    assert_eq!(got.len(), 5, "{got:#?}");
    assert_eq!(got[0].as_deref(), Ok("zip-slip.zip!/good/refs.bib"));
    for (i, evil) in [(1, "../../evil.bib"), (2, "/abs/evil.bib"), (3, "C:/windows/evil.bib")] {
        let error = got[i].as_ref().expect_err("refused");
        assert!(error.contains(&format!("`{evil}`")), "{error}");
        assert!(error.contains("refused archive entry"), "{error}");
    }
    assert_eq!(got[4].as_deref(), Ok("zip-slip.zip!/good/after.bib"));
}

#[test]
fn tar_entries_escaping_the_archive_are_refused_and_the_rest_read() {
    let got = outcomes("path-traversal.tar", read("path-traversal.tar"), Limits::default());
    assert_eq!(got.len(), 5, "{got:#?}");
    assert_eq!(got[0].as_deref(), Ok("path-traversal.tar!/ok/first.bib"));
    for (i, evil) in [(1, "../evil.bib"), (2, "/etc/evil.bib"), (3, "ok/../../evil3.bib")] {
        let error = got[i].as_ref().expect_err("refused");
        assert!(error.contains(&format!("`{evil}`")), "{error}");
    }
    assert_eq!(got[4].as_deref(), Ok("path-traversal.tar!/ok/last.bib"));
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn a_gzip_bomb_is_refused_early() {
    // 256 MiB of zeros: ~250 KB compressed, far past 200:1.
    let zeros = vec![0u8; 256 << 20];
    let bomb = gzip(&zeros);
    drop(zeros);
    assert!(bomb.len() < 2 << 20);
    let began = Instant::now();
    let got = outcomes("bomb.json.gz", bomb.clone(), Limits::default());
    assert_eq!(got.len(), 1, "{got:?}");
    let error = got[0].as_ref().expect_err("refused");
    assert!(error.contains("likely decompression bomb"), "{error}");
    assert!(began.elapsed() < Duration::from_secs(5));
    // The same through the streaming reader: an I/O error, early.
    let (_, mut reader) = archive::open_stream("bomb.json.gz", Cursor::new(bomb), Limits::default()).expect("opens");
    let mut sink = Vec::new();
    let error = reader.read_to_end(&mut sink).expect_err("refused");
    assert!(error.to_string().contains("likely decompression bomb"), "{error}");
    assert!(sink.len() < 64 << 20, "{}", sink.len());
}

#[test]
fn a_zip_bomb_entry_is_refused_without_decompressing_it() {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("bomb.jsonl", deflate).expect("zip");
    let block = vec![b' '; 1 << 20];
    for _ in 0..64 {
        zip.write_all(&block).expect("zip");
    }
    zip.start_file("ok.bib", deflate).expect("zip");
    zip.write_all(b"@article{k, title = {Fine}, year = {2000}}\n")
        .expect("zip");
    let bytes = zip.finish().expect("zip").into_inner();
    let began = Instant::now();
    let got = outcomes("bomb.zip", bytes.clone(), Limits::default());
    assert_eq!(got.len(), 2, "{got:?}");
    let error = got[0].as_ref().expect_err("refused");
    assert!(
        error.contains("bomb.zip!/bomb.jsonl") && error.contains("likely decompression bomb"),
        "{error}"
    );
    assert_eq!(got[1].as_deref(), Ok("bomb.zip!/ok.bib"));
    assert!(began.elapsed() < Duration::from_secs(2));
    // Past a smaller per-entry cap, and past a total cap.
    let small = Limits {
        max_entry_bytes: 1 << 20,
        max_ratio: u64::MAX,
        ..Limits::default()
    };
    let got = outcomes("bomb.zip", bytes.clone(), small);
    assert!(
        got[0]
            .as_ref()
            .expect_err("over the cap")
            .contains("over the limit of 1 MiB"),
        "{got:?}"
    );
    let total = Limits {
        max_total_bytes: 1 << 20,
        max_ratio: u64::MAX,
        ..Limits::default()
    };
    let got = outcomes("bomb.zip", bytes, total);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0]
            .as_ref()
            .expect_err("over the total")
            .contains("total limit of 1 MiB"),
        "{got:?}"
    );
}

#[test]
fn a_tar_gz_bomb_stops_the_archive_after_the_entries_before_it() {
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |path: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, bytes).expect("tar");
    };
    add("first.bib", b"@article{a, title = {First}, year = {2000}}\n");
    add("bomb.jsonl", &vec![b'\n'; 96 << 20]);
    add("after.bib", b"@article{b, title = {After}, year = {2000}}\n");
    let tgz = gzip(&tar.into_inner().expect("tar"));
    let got = outcomes("bomb.tar.gz", tgz, Limits::default());
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].as_deref(), Ok("bomb.tar.gz!/first.bib"));
    assert!(
        got[1].as_ref().expect_err("bomb").contains("likely decompression bomb"),
        "{got:?}"
    );
}

#[test]
fn a_truncated_tar_gz_gives_the_entries_before_the_cut() {
    let mut tar = tar::Builder::new(Vec::new());
    for i in 0..20 {
        let body = format!(
            "@article{{k{i}, title = {{Entry {i} {}}}, year = {{2000}}}}\n",
            "word ".repeat(2000)
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, format!("refs/{i}.bib"), body.as_bytes())
            .expect("tar");
    }
    // Random-ish bytes so that the compressed stream is long enough to cut mid-way.
    let mut tgz = gzip(&tar.into_inner().expect("tar"));
    let cut = tgz.len() * 2 / 3;
    tgz.truncate(cut);
    let got = outcomes("refs.tgz", tgz, Limits::default());
    let good = got.iter().take_while(|r| r.is_ok()).count();
    assert!((1..20).contains(&good), "{got:?}");
    assert_eq!(got.len(), good + 1, "{got:?}");
    let error = got[good].as_ref().expect_err("the cut");
    assert!(
        error.contains("truncated gzip stream") && error.contains(&format!("byte {cut}")),
        "{error}"
    );
}

#[test]
fn a_pdf_page_that_is_its_own_parent_is_an_error_not_a_hang() {
    // Found by the fuzzer (one flipped bit): page object 5 names itself as its `/Parent`, and the
    // PDF reader follows parents to inherit resources without end. Here every page does.
    let mut bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/papers/pdf/journal.pone.0146913.pdf"
    ))
    .expect("fixture");
    let mut pages = 0;
    while let Some(at) = bytes.windows(13).position(|w| w == b"/Parent 1 0 R") {
        // The number of the object this dictionary belongs to: the digits before ` 0 obj`.
        let obj = bytes[..at].windows(6).rposition(|w| w == b" 0 obj").expect("object");
        let start = bytes[..obj]
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |i| i + 1);
        assert_eq!(obj - start, 1, "one-digit object numbers keep the offsets");
        bytes[at + 8] = bytes[start];
        pages += 1;
    }
    assert!(pages >= 1);
    let results = bounded(Duration::from_secs(10), move || all(Format::Pdf, "cycle.pdf", &bytes));
    let error = results[0].as_ref().expect_err("refused");
    assert!(error.message.contains("cycle"), "{error}");
}
