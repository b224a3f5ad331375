//! Archives and hostile inputs through the whole pipeline: what a user's folder of downloads
//! really holds. Every hostile input gets a located error and leaves stored counts unchanged.

use std::io::Write;
use std::path::{Path, PathBuf};

use hypatia::embed::Embedder;

use super::common::{fixtures, hash_embedder, ingest, temp_store};

fn tar_gz(dir: &Path, out: &Path) {
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(out).unwrap(), flate2::Compression::fast());
    let mut t = tar::Builder::new(gz);
    t.append_dir_all("jats", dir).unwrap();
    t.into_inner().unwrap().finish().unwrap();
}

fn zip_of(files: &[PathBuf], out: &Path) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap();
        z.start_file(format!("lab/{name}"), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&std::fs::read(f).unwrap()).unwrap();
    }
    z.finish().unwrap();
}

fn gz_of(file: &Path, out: &Path) {
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(out).unwrap(), flate2::Compression::fast());
    gz.write_all(&std::fs::read(file).unwrap()).unwrap();
    gz.finish().unwrap();
}

#[test]
fn archives_ingest_like_the_files_they_hold() {
    let e = hash_embedder();
    let work = tempfile::tempdir().unwrap();
    let jats = fixtures().join("papers/jats");
    let bib = fixtures().join("papers/bibtex/biblatex-examples.bib");
    let arxiv = fixtures().join("papers/arxiv/arxiv-metadata-oai-snapshot.sample.jsonl");
    tar_gz(&jats, &work.path().join("jats.tar.gz"));
    zip_of(std::slice::from_ref(&bib), &work.path().join("lab.zip"));
    gz_of(&arxiv, &work.path().join("arxiv.jsonl.gz"));

    let (_d1, plain) = temp_store(e.identity());
    let direct = ingest(&plain, &e, &[jats, bib, arxiv]);
    let (_d2, packed) = temp_store(e.identity());
    let archived = ingest(&packed, &e, &[work.path().to_path_buf()]);
    assert!(archived.failures.is_empty(), "{:?}", archived.failures);
    assert!(direct.papers > 100);
    // Report counts are writes (a paper merged across batches is written twice, and file order
    // differs between the two runs); what is stored must be the same.
    assert_eq!(packed.stats().unwrap(), plain.stats().unwrap());
    assert!(packed.check_consistency().unwrap().is_consistent());
}

#[test]
fn a_chunked_dump_reports_failures_at_their_line_in_the_whole_file() {
    let e = hash_embedder();
    let work = tempfile::tempdir().unwrap();
    // 2,000 good BEIR records with a broken one at line 1,501: far more than one chunk would
    // be needed for a real dump, so this checks the location arithmetic, not the chunk size.
    let mut text = String::new();
    for i in 1..=2000 {
        if i == 1501 {
            text.push_str("{\"_id\": \"broken\", \"title\": \n");
        } else {
            text.push_str(&format!(
                "{{\"_id\": \"{i}\", \"title\": \"Paper {i}\", \"text\": \"Abstract number {i} about proteins.\"}}\n"
            ));
        }
    }
    let path = work.path().join("corpus.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
    let (_d, store) = temp_store(e.identity());
    let report = ingest(&store, &e, &[path]);
    assert_eq!(report.papers, 1999);
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let f = &report.failures[0];
    assert_eq!(f.location.line, Some(1501), "{f}");
    assert!(f.source.ends_with("corpus.jsonl.gz!/corpus.jsonl"), "{f}");
}

#[test]
fn hostile_inputs_get_located_errors_and_leave_the_store_as_it_was() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/jats")]);
    let before = store.stats().unwrap();
    let hostile = fixtures().join("hostile");
    let work = tempfile::tempdir().unwrap();
    // Generated cases: 100,000-deep XML, deep JSON, a zip bomb and a gzip bomb.
    let deep = format!(
        "<?xml version=\"1.0\"?><article><front><article-meta><title-group><article-title>{}</article-title></title-group></article-meta></front></article>",
        "<b>".repeat(100_000)
    );
    std::fs::write(work.path().join("deep.nxml"), deep).unwrap();
    std::fs::write(
        work.path().join("deep.jsonl"),
        format!("{{\"_id\":\"x\",\"title\":{}}}\n", "[".repeat(100_000)),
    )
    .unwrap();
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(work.path().join("bomb.zip")).unwrap());
        z.start_file("bomb.jsonl", zip::write::SimpleFileOptions::default())
            .unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..512 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    let report = ingest(&store, &e, &[hostile.clone(), work.path().to_path_buf()]);
    let reasons: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    assert!(has("evil"), "escaping archive paths are refused by name: {reasons:#?}");
    assert!(has("invalid-utf8.jsonl: line 2"), "{reasons:#?}");
    assert!(has("truncated"), "{reasons:#?}");
    assert!(has("deep.nxml"), "{reasons:#?}");
    assert!(has("deep.jsonl: line 1"), "{reasons:#?}");
    assert!(has("bomb.zip!/bomb.jsonl") || has("bomb.zip"), "{reasons:#?}");
    // Nothing of /etc/passwd was read into any paper.
    let leaked = "ASK { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), \"root:x:0\")) }";
    assert!(matches!(
        store.graph().query(leaked, &[], &[]).unwrap(),
        oxigraph::sparql::QueryResults::Boolean(false)
    ));
    // Whatever good records sat between the hostile ones were added; nothing stored was lost.
    let after = store.stats().unwrap();
    assert!(after.papers >= before.papers);
    assert!(after.passages >= before.passages);
    assert!(store.check_consistency().unwrap().is_consistent());
    // And with only the hostile generated files, the counts do not move at all.
    let again = ingest(&store, &e, &[work.path().to_path_buf()]);
    assert_eq!(again.papers, 0, "{:?}", again.failures);
    assert_eq!(store.stats().unwrap(), after);
}

#[test]
fn hostile_sparql_requests_get_errors_and_the_server_stays_up() {
    let s = super::common::scifact();
    let before = s.store.stats().unwrap();
    let srv = hypatia::serve::http::spawn(
        hypatia::serve::http::AppState {
            store: s.store.clone(),
            embedder: None,
            backup_dir: None,
            access: std::sync::Arc::new(hypatia::serve::http::Access::open(false)),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let url = format!("http://{}/sparql", srv.addr());
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    let post = |body: Vec<u8>| {
        client
            .post(&url)
            .header("Content-Type", "application/sparql-query")
            .body(body)
            .send()
            .unwrap()
    };
    // 5,000 nested groups would overflow the parser's stack and abort the process.
    let deep = format!("SELECT * WHERE {} ?s ?p ?o {}", "{".repeat(5000), "}".repeat(5000));
    let r = post(deep.into_bytes());
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["code"], "sparql_syntax");
    assert!(body["message"].as_str().unwrap().contains("nests"), "{body}");
    // A 2 MB query is over the body limit.
    let huge = format!("SELECT * WHERE {{ ?s ?p \"{}\" }}", "x".repeat(2 << 20));
    assert_eq!(post(huge.into_bytes()).status(), 413);
    // Invalid UTF-8 in the body.
    let r = post(b"SELECT * WHERE { ?s ?p \"\xff\xfe\" }".to_vec());
    assert_eq!(r.status(), 400);
    // A query that is merely long and flat is fine.
    let flat = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <http://schema.org/ScholarlyArticle> FILTER(?s IN ({})) }}",
        (0..2000).map(|i| format!("<urn:x:{i}>")).collect::<Vec<_>>().join(", ")
    );
    assert_eq!(post(flat.into_bytes()).status(), 200);
    let health = client.get(format!("http://{}/healthz", srv.addr())).send().unwrap();
    assert_eq!(health.status(), 200, "the server survived");
    assert_eq!(s.store.stats().unwrap(), before);
}

#[test]
fn a_tarball_named_dot_gz_is_read_entry_by_entry() {
    // arXiv source bundles are tar archives gzipped under a bare `.gz` name.
    let e = hash_embedder();
    let work = tempfile::tempdir().unwrap();
    tar_gz(&fixtures().join("papers/tei"), &work.path().join("2004.14974.gz"));
    let (_d, store) = temp_store(e.identity());
    let report = ingest(&store, &e, &[work.path().join("2004.14974.gz")]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report.papers >= 4, "{report:?}");
}
