//! Several writers and readers at once over real HTTP: uploads through `POST /papers` from
//! several threads while others search, query SPARQL and ask for findings. Nothing acknowledged
//! is lost, readers never fail, and what readers see only grows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hypatia::embed::Embedder;
use hypatia::http::{spawn, AppState};

use super::common::{fixtures, hash_embedder, temp_store};

const COUNT: &str = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <http://schema.org/ScholarlyArticle> }";

#[test]
fn concurrent_writers_lose_nothing_and_readers_never_fail() {
    let e: Arc<dyn Embedder> = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.dim());
    let store = Arc::new(store);
    let srv = spawn(
        AppState {
            store: store.clone(),
            embedder: Some(e.clone()),
            backup_dir: None,
            writes: true,
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let base = format!("http://{}", srv.addr());
    // The 150 SciFact abstracts in 10 uploads of 15, spread over 5 writer threads.
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();
    let chunks: Vec<String> = lines.chunks(15).map(|c| c.join("\n") + "\n").collect();
    assert_eq!(chunks.len(), 10);
    let done = Arc::new(AtomicBool::new(false));
    let client = || {
        reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap()
    };
    let readers: Vec<_> = (0..3)
        .map(|i| {
            let (base, done) = (base.clone(), done.clone());
            std::thread::spawn(move || {
                let c = client();
                let (mut reads, mut last_count) = (0usize, 0usize);
                while !done.load(Ordering::SeqCst) {
                    let r = match i {
                        0 => c
                            .get(format!("{base}/search"))
                            .query(&[("q", "DNA methylation"), ("mode", "bm25")])
                            .send(),
                        1 => c
                            .get(format!("{base}/findings"))
                            .query(&[("q", "vitamin D and fractures"), ("papers", "3")])
                            .send(),
                        _ => c
                            .get(format!("{base}/sparql"))
                            .query(&[("query", COUNT)])
                            .header("Accept", "application/sparql-results+json")
                            .send(),
                    }
                    .unwrap();
                    assert_eq!(r.status(), 200, "reader {i} failed: {}", r.text().unwrap_or_default());
                    if i == 2 {
                        let v: serde_json::Value = r.json().unwrap();
                        let n: usize = v["results"]["bindings"][0]["n"]["value"]
                            .as_str()
                            .unwrap()
                            .parse()
                            .unwrap();
                        assert!(
                            n >= last_count,
                            "a reader saw the paper count go down: {last_count} -> {n}"
                        );
                        last_count = n;
                    }
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let chunks = Arc::new(chunks);
    let writers: Vec<_> = (0..5)
        .map(|w| {
            let (base, chunks) = (base.clone(), chunks.clone());
            std::thread::spawn(move || {
                let c = client();
                let mut papers = 0;
                for j in [w, w + 5] {
                    let r = c
                        .post(format!("{base}/papers"))
                        .query(&[("name", format!("part-{j}.jsonl"))])
                        .body(chunks[j].clone())
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), 200, "upload {j}");
                    let v: serde_json::Value = r.json().unwrap();
                    assert!(v["failures"].as_array().unwrap().is_empty(), "{v}");
                    papers += v["papers"].as_u64().unwrap();
                }
                papers
            })
        })
        .collect();
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    done.store(true, Ordering::SeqCst);
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(written, 150, "every acknowledged upload wrote its papers");
    assert!(reads > 3, "readers ran during the writes ({reads} reads)");
    let stats = store.stats().unwrap();
    assert_eq!(stats.papers, 150);
    assert!(store.check_consistency().unwrap().is_consistent());
    // Writes are refused when the server has them off; a bad format name is a 400.
    let ro = spawn(
        AppState {
            store: store.clone(),
            embedder: Some(e),
            backup_dir: None,
            writes: false,
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let r = client()
        .post(format!("http://{}/papers", ro.addr()))
        .body("x")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client()
        .post(format!("{base}/papers"))
        .query(&[("format", "docx")])
        .body("x")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(store.stats().unwrap(), stats);
}
