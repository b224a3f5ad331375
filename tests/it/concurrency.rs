//! Several writers and readers at once over real HTTP: uploads through `POST /papers`, agents
//! proposing hypotheses and logging experiment runs, and SPARQL updates, from several threads
//! while others search, query SPARQL and ask for findings. Nothing acknowledged is lost, readers
//! never fail, and what readers see only grows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hypatia::embed::Embedder;
use hypatia::serve::http::RunningServer;

use super::common::{client, fixtures, hash_embedder, open_server, temp_store};

const COUNT: &str = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <http://schema.org/ScholarlyArticle> }";

/// A server with writes on over `store`, embedding with `e`.
fn served(store: &Arc<hypatia::store::Store>, e: &Arc<dyn Embedder>, writes: bool) -> RunningServer {
    open_server(store.clone(), Some(e.clone()), writes)
}

#[test]
fn concurrent_writers_lose_nothing_and_readers_never_fail() {
    let e: Arc<dyn Embedder> = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let srv = served(&store, &e, true);
    let base = format!("http://{}", srv.addr());
    // The 150 SciFact abstracts in 10 uploads of 15, spread over 5 writer threads.
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();
    let chunks: Vec<String> = lines.chunks(15).map(|c| c.join("\n") + "\n").collect();
    assert_eq!(chunks.len(), 10);
    let done = Arc::new(AtomicBool::new(false));
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
    // Agents at the same time: each proposes a hypothesis and logs runs against it; another
    // writes notes into its own graph with SPARQL Update.
    let (agents, runs, updates) = (3, 8, 20);
    let agent_threads: Vec<_> = (0..agents)
        .map(|a| {
            let base = base.clone();
            std::thread::spawn(move || {
                let c = client();
                let r = c
                    .post(format!("{base}/hypotheses"))
                    .json(&serde_json::json!({
                        "statement": format!("Agent {a}: vitamin D supplements lower fracture risk in the elderly"),
                        "agent": format!("agent-{a}"),
                    }))
                    .send()
                    .unwrap();
                assert_eq!(r.status(), 201);
                let h = r.json::<serde_json::Value>().unwrap()["record"]["key"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let mut keys = Vec::new();
                for i in 0..runs {
                    let r = c
                        .post(format!("{base}/experiments"))
                        .json(&serde_json::json!({
                            "agent": format!("agent-{a}"), "hypothesis": h,
                            "description": format!("dose {} IU, cohort {a}", 400 * (i + 1)),
                            "status": if i % 2 == 0 { "keep" } else { "discard" },
                            "metrics": [{"name": "hazard_ratio", "value": 0.8 + i as f64 / 100.0}],
                        }))
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), 201, "{}", r.text().unwrap_or_default());
                    keys.push(
                        r.json::<serde_json::Value>().unwrap()["record"]["key"]
                            .as_str()
                            .unwrap()
                            .to_string(),
                    );
                }
                (h, keys)
            })
        })
        .collect();
    let updater = {
        let base = base.clone();
        std::thread::spawn(move || {
            let c = client();
            for i in 0..updates {
                let r = c
                    .post(format!("{base}/sparql"))
                    .header("Content-Type", "application/sparql-update")
                    .body(format!(
                        "INSERT DATA {{ GRAPH <http://example.org/notes> {{ <http://example.org/note/{i}> <http://example.org/says> \"note {i}\" }} }}"
                    ))
                    .send()
                    .unwrap();
                assert_eq!(r.status(), 204, "update {i}: {}", r.text().unwrap_or_default());
            }
        })
    };
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let logged: Vec<(String, Vec<String>)> = agent_threads.into_iter().map(|t| t.join().unwrap()).collect();
    updater.join().unwrap();
    done.store(true, Ordering::SeqCst);
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(written, 150, "every acknowledged upload wrote its papers");
    assert!(reads > 3, "readers ran during the writes ({reads} reads)");
    let stats = store.stats().unwrap();
    assert_eq!(stats.papers, 150);
    assert_eq!(stats.records, agents * (1 + runs), "every hypothesis and run is stored");
    for (h, keys) in &logged {
        let shown = hypatia::research::hypothesis(&store, h).unwrap();
        let mut stored: Vec<String> = shown.experiments.iter().map(|x| x.key.clone()).collect();
        let mut acked = keys.clone();
        stored.sort();
        acked.sort();
        assert_eq!(stored, acked, "the runs of {h}");
        assert_eq!(shown.status, hypatia::research::HypothesisStatus::Testing);
    }
    let notes = hypatia::retrieval::sparql_search::query(
        &store,
        None,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/notes> { ?s ?p ?o } }",
        &[],
        &[],
    )
    .unwrap();
    let oxigraph::sparql::QueryResults::Solutions(mut rows) = notes else {
        panic!()
    };
    let n = rows.next().unwrap().unwrap().get("n").unwrap().to_string();
    assert!(n.starts_with(&format!("\"{updates}\"")), "{n}");
    assert!(store.check_consistency().unwrap().is_consistent());
    // Writes are refused when the server has them off; a bad format name is a 400.
    let ro = served(&store, &e, false);
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

#[test]
fn readers_never_fail_while_papers_are_replaced_and_deleted_over_http() {
    let e: Arc<dyn Embedder> = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let srv = served(&store, &e, true);
    let base = format!("http://{}", srv.addr());
    // 40 SciFact abstracts, and a revision of each (same ids, other text).
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).take(40).collect();
    let revise = |round: usize| -> String {
        lines
            .iter()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let t = v["text"].as_str().unwrap().to_string();
                v["text"] = serde_json::Value::String(format!("{t} Revision {round} of this abstract."));
                v.to_string() + "\n"
            })
            .collect()
    };
    let upload = |c: &reqwest::blocking::Client, body: String| {
        let r = c
            .post(format!("{base}/papers"))
            .query(&[("name", "scifact/corpus.jsonl")])
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().unwrap_or_default());
    };
    upload(&client(), lines.join("\n") + "\n");
    let keys: Vec<String> = store.graph_paper_keys().unwrap().into_iter().collect();
    assert_eq!(keys.len(), 40);
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|i| {
            let (base, done, keys) = (base.clone(), done.clone(), keys.clone());
            std::thread::spawn(move || {
                let c = client();
                let mut reads = 0usize;
                while !done.load(Ordering::SeqCst) {
                    let r = match i {
                        0 => c
                            .get(format!("{base}/search"))
                            .query(&[("q", "revision of this abstract"), ("mode", "hybrid"), ("k", "20")])
                            .send(),
                        1 => c
                            .get(format!("{base}/findings"))
                            .query(&[("q", "DNA methylation in blood cells"), ("papers", "5")])
                            .send(),
                        _ => c.get(format!("{base}/papers/{}", keys[reads % keys.len()])).send(),
                    }
                    .unwrap();
                    let status = r.status().as_u16();
                    // A paper deleted a moment ago is a 404; nothing else may fail.
                    assert!(
                        status == 200 || (i == 2 && status == 404),
                        "reader {i}: {status} {}",
                        r.text().unwrap_or_default()
                    );
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let c = client();
    for round in 1..=6 {
        upload(&c, revise(round));
        for k in keys.iter().skip(round).step_by(9) {
            let r = c.delete(format!("{base}/papers/{k}")).send().unwrap();
            assert!(r.status() == 200 || r.status() == 404, "delete {k}: {}", r.status());
        }
    }
    done.store(true, Ordering::SeqCst);
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(reads > 3, "readers ran during the writes ({reads} reads)");
    assert!(store.check_consistency().unwrap().is_consistent());
    // The last revision is what is stored for every paper not deleted after it.
    upload(&c, revise(7));
    for k in &keys {
        let (_, text) = store.canonical_text(k).unwrap().expect("re-uploaded");
        assert!(text.contains("Revision 7 of this abstract."), "{k}");
    }
}
