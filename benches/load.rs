//! Load run on loopback: mixed reads (hybrid and BM25 search, SPARQL, findings) from several
//! client threads against a real server with the real model, first alone (the baseline), then
//! with a concurrent ingest through `POST /papers`, side by side in one process. Prints
//! throughput, p50 / p99 per kind and errors for both phases, and the ratios.
//!
//! `bash scripts/bench.sh load` (env: HYPATIA_LOAD_SECS per phase, default 30;
//! HYPATIA_LOAD_CLIENTS, default 4; HYPATIA_LOAD_CORPUS, a BEIR corpus.jsonl, default the SciFact
//! sample of tests/fixtures: its first half is stored before the run, its second half is what the
//! concurrent ingest uploads).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::serve::http::{spawn, AppState};
use hypatia::store::{Store, StoreOptions};

const KINDS: [&str; 4] = ["hybrid", "bm25", "sparql", "findings"];

#[derive(Default)]
struct Phase {
    /// Latencies per kind, in milliseconds.
    latencies: [Vec<f64>; 4],
    errors: [usize; 4],
    first_error: Option<String>,
    wall: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn run_phase(base: &str, claims: &[String], clients: usize, secs: u64, stop_writer: Option<&AtomicBool>) -> Phase {
    let phase = Mutex::new(Phase::default());
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    std::thread::scope(|s| {
        for c in 0..clients {
            let phase = &phase;
            s.spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(60))
                    .build()
                    .expect("client");
                let mut i = c;
                while Instant::now() < deadline {
                    let kind = i % KINDS.len();
                    let q = &claims[(i / KINDS.len()) % claims.len()];
                    let t = Instant::now();
                    let r = match kind {
                        0 | 1 => http
                            .get(format!("{base}/search"))
                            .query(&[("q", q.as_str()), ("mode", KINDS[kind]), ("k", "10")])
                            .send(),
                        2 => http
                            .get(format!("{base}/sparql"))
                            .query(&[(
                                "query",
                                "PREFIX hyp: <https://w3id.org/hypatia/ns#> SELECT ?p (COUNT(?x) AS ?n) WHERE { ?x hyp:passageOf ?p } GROUP BY ?p ORDER BY DESC(?n) LIMIT 10",
                            )])
                            .header("Accept", "application/sparql-results+json")
                            .send(),
                        _ => http
                            .get(format!("{base}/findings"))
                            .query(&[("q", q.as_str()), ("papers", "3")])
                            .send(),
                    };
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let ok = match r {
                        Ok(r) if r.status().is_success() => r.bytes().is_ok(),
                        Ok(r) => {
                            let msg = format!("{} {}", r.status(), r.text().unwrap_or_default());
                            phase.lock().unwrap().first_error.get_or_insert(msg);
                            false
                        }
                        Err(e) => {
                            phase.lock().unwrap().first_error.get_or_insert(e.to_string());
                            false
                        }
                    };
                    let mut p = phase.lock().unwrap();
                    if ok {
                        p.latencies[kind].push(ms);
                    } else {
                        p.errors[kind] += 1;
                    }
                    i += clients;
                }
            });
        }
    });
    if let Some(stop) = stop_writer {
        stop.store(true, Ordering::SeqCst);
    }
    let mut p = phase.into_inner().unwrap();
    p.wall = started.elapsed().as_secs_f64();
    for l in &mut p.latencies {
        l.sort_by(f64::total_cmp);
    }
    p
}

fn print_phase(name: &str, p: &Phase) {
    let total: usize = p.latencies.iter().map(Vec::len).sum();
    let errors: usize = p.errors.iter().sum();
    println!(
        "{name}: {total} requests in {:.1} s = {:.1} req/s, {errors} errors",
        p.wall,
        total as f64 / p.wall
    );
    println!(
        "  {:<9} {:>7} {:>9} {:>9} {:>7}",
        "kind", "count", "p50 ms", "p99 ms", "errors"
    );
    for (k, kind) in KINDS.iter().enumerate() {
        let l = &p.latencies[k];
        println!(
            "  {kind:<9} {:>7} {:>9.1} {:>9.1} {:>7}",
            l.len(),
            percentile(l, 0.5),
            percentile(l, 0.99),
            p.errors[k]
        );
    }
    if let Some(e) = &p.first_error {
        println!("  first error: {e}");
    }
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (secs, clients) = (env("HYPATIA_LOAD_SECS", 30), env("HYPATIA_LOAD_CLIENTS", 4) as usize);
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scifact");
    let corpus = std::env::var("HYPATIA_LOAD_CORPUS").map_or(fixtures.join("corpus.jsonl"), PathBuf::from);
    let lines: Vec<String> = std::fs::read_to_string(&corpus)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let (stored, uploaded) = lines.split_at(lines.len() / 2);
    let claims: Vec<String> = std::fs::read_to_string(fixtures.join("queries-train.jsonl"))?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();

    let model: Arc<dyn Embedder> = Arc::new(FastEmbedder::load(&ModelLocation::default())?);
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Store::open(
        &dir.path().join("data"),
        &StoreOptions {
            model: Some(model.identity()),
            ..Default::default()
        },
    )?);
    let first = dir.path().join("stored.jsonl");
    std::fs::write(&first, stored.join("\n") + "\n")?;
    let t = Instant::now();
    let r = hypatia::ingest::pipeline::ingest_paths(&store, model.as_ref(), &[first], &Default::default(), &|_| {})?;
    println!(
        "stored {} papers ({} passages) in {:.1} s; {} more to upload during phase B",
        r.papers,
        r.passages,
        t.elapsed().as_secs_f64(),
        uploaded.len()
    );
    let srv = spawn(
        AppState {
            store: store.clone(),
            embedder: Some(model.clone()),
            backup_dir: None,
            access: std::sync::Arc::new(hypatia::serve::http::Access::open(true)),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )?;
    let base = format!("http://{}", srv.addr());
    println!(
        "load: {clients} client threads, {secs} s per phase, {} distinct questions",
        claims.len()
    );

    let a = run_phase(&base, &claims, clients, secs, None);
    print_phase("A (reads only)", &a);

    let stop = AtomicBool::new(false);
    let uploaded_papers = Mutex::new((0u64, 0usize, Vec::<String>::new()));
    let b = std::thread::scope(|s| {
        s.spawn(|| {
            let http = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(600))
                .build()
                .expect("client");
            for (i, chunk) in uploaded.chunks(8).enumerate() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let r = http
                    .post(format!("{base}/papers"))
                    .query(&[("name", format!("upload-{i}.jsonl"))])
                    .body(chunk.join("\n") + "\n")
                    .send();
                let mut u = uploaded_papers.lock().unwrap();
                match r {
                    Ok(r) if r.status().is_success() => {
                        let v: serde_json::Value = r.json().unwrap_or_default();
                        u.0 += v["papers"].as_u64().unwrap_or(0);
                        u.1 += 1;
                    }
                    Ok(r) => u.2.push(format!("{} {}", r.status(), r.text().unwrap_or_default())),
                    Err(e) => u.2.push(e.to_string()),
                }
            }
        });
        run_phase(&base, &claims, clients, secs, Some(&stop))
    });
    let (papers, uploads, upload_errors) = uploaded_papers.into_inner().unwrap();
    print_phase("B (reads + concurrent ingest)", &b);
    println!(
        "  ingest during B: {uploads} uploads, {papers} papers, {} errors{}",
        upload_errors.len(),
        upload_errors
            .first()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!("ratios B / A:");
    for (k, kind) in KINDS.iter().enumerate() {
        let (la, lb) = (&a.latencies[k], &b.latencies[k]);
        println!(
            "  {kind:<9} p50 {:.2}x, p99 {:.2}x",
            percentile(lb, 0.5) / percentile(la, 0.5),
            percentile(lb, 0.99) / percentile(la, 0.99)
        );
    }
    let consistent = store.check_consistency()?.is_consistent();
    println!(
        "store after the run: {} papers, consistent: {consistent}",
        store.stats()?.papers
    );
    srv.stop();
    Ok(())
}
