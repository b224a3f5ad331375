//! `POST /papers` with `Accept: text/event-stream`: the ingest's progress as server-sent events,
//! read from a real upload over HTTP, and the JSON answer without it unchanged.

use std::io::{BufRead, BufReader};
use std::sync::Arc;

use hypatia::embed::Embedder;
use hypatia::serve::http::RunningServer;
use serde_json::Value;

use super::common::{client, fixtures, hash_embedder, open_server, temp_store};

fn served(store: &Arc<hypatia::store::Store>, e: &Arc<dyn Embedder>) -> RunningServer {
    open_server(store.clone(), Some(e.clone()), true)
}

/// Reads a server-sent event stream to its end: (event, data as JSON), in arrival order.
fn events(r: reqwest::blocking::Response) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let (mut event, mut data) = (String::new(), String::new());
    for line in BufReader::new(r).lines() {
        let line = line.unwrap();
        if line.is_empty() {
            if !data.is_empty() {
                let v = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{event} data is not JSON: {e}: {data}"));
                out.push((std::mem::take(&mut event), v));
            }
            data.clear();
        } else if let Some(e) = line.strip_prefix("event: ") {
            event = e.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data.push_str(d);
        } else {
            panic!("not a server-sent event line: {line}");
        }
    }
    assert!(data.is_empty(), "the stream ended inside an event");
    out
}

#[test]
fn an_upload_streams_progress_and_failures_before_its_report() {
    let e: Arc<dyn Embedder> = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let srv = served(&store, &e);
    let base = format!("http://{}", srv.addr());
    // The 150 SciFact abstracts with two broken records among them.
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    let mut lines: Vec<String> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 150);
    lines.insert(40, r#"{"_id": "broken-1", "title": "#.to_string());
    lines.insert(
        100,
        r#"{"_id": "broken-2", "title": 7, "text": "Not a string title."}"#.to_string(),
    );
    let body = lines.join("\n") + "\n";

    let r = client()
        .post(format!("{base}/papers"))
        .query(&[("name", "scifact/corpus.jsonl")])
        .header("Accept", "text/event-stream")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = events(r);
    let (last, data) = events.last().expect("some events");
    assert_eq!(last, "report", "the stream ends with the report: {events:?}");
    let report = data.clone();
    assert_eq!(report["papers"], 150, "{report}");
    let progress: Vec<&Value> = events.iter().filter(|(e, _)| e == "progress").map(|(_, d)| d).collect();
    let failures: Vec<&Value> = events.iter().filter(|(e, _)| e == "failure").map(|(_, d)| d).collect();
    assert_eq!(
        events
            .iter()
            .filter(|(e, _)| !["progress", "failure"].contains(&e.as_str()))
            .count(),
        1,
        "only progress and failure events before the report: {events:?}"
    );
    // Batches of 16 papers: progress in several steps, each counting up, to the report's counts.
    assert!(progress.len() >= 150 / 16, "{} progress events", progress.len());
    let mut papers_before = 0;
    let mut committed = std::collections::BTreeSet::new();
    for p in &progress {
        let papers = p["papers"].as_u64().unwrap();
        assert!(papers >= papers_before, "progress went back: {p}");
        let batch = p["committed"].as_array().unwrap();
        assert_eq!(papers - papers_before, batch.len() as u64, "{p}");
        committed.extend(batch.iter().map(|k| k.as_str().unwrap().to_string()));
        papers_before = papers;
        assert!(p["elapsed_secs"].as_f64().unwrap() >= 0.0);
        assert!(p["papers_per_sec"].as_f64().unwrap() >= 0.0);
        assert_eq!(
            p["file"], "scifact/corpus.jsonl",
            "the upload's name, not the private file: {p}"
        );
        assert!(p["records"].as_u64().unwrap() >= papers);
    }
    let end = progress.last().unwrap();
    assert_eq!(end["papers"], report["papers"]);
    assert_eq!(end["passages"], report["passages"]);
    assert_eq!(end["failed"], 2);
    assert_eq!(committed.len(), 150);
    let stored: std::collections::BTreeSet<String> = store.graph_paper_keys().unwrap().into_iter().collect();
    assert_eq!(committed, stored, "the committed keys are the stored papers");
    // Each failure is sent once, as the report gives it, with its line.
    assert_eq!(failures.len(), 2);
    let reported: Vec<&Value> = report["failures"].as_array().unwrap().iter().collect();
    assert_eq!(failures, reported);
    let lines_at: Vec<u64> = failures
        .iter()
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines_at, [41, 101], "{failures:?}");
    assert_eq!(failures[1]["field"], "title", "{failures:?}");
    assert!(failures
        .iter()
        .all(|f| f["source"].as_str().unwrap().ends_with("corpus.jsonl")));
    // A failure after the last batch still arrives before the report.
    let fail_at = events.iter().rposition(|(e, _)| e == "failure").unwrap();
    assert!(fail_at < events.len() - 1);

    // Without the header the answer is the JSON report, as before (here: nothing changed).
    let r = client()
        .post(format!("{base}/papers"))
        .query(&[("name", "scifact/corpus.jsonl")])
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let v: Value = r.json().unwrap();
    assert_eq!(v["papers"], 0, "{v}");
    assert_eq!(v["unchanged"], 150, "{v}");
    assert_eq!(v["failures"].as_array().unwrap().len(), 2);

    // Refusals before the ingest starts keep their status and JSON body.
    let r = client()
        .post(format!("{base}/papers"))
        .query(&[("format", "docx")])
        .header("Accept", "text/event-stream")
        .body("x")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().unwrap();
    assert_eq!(v["code"], "invalid_parameter", "{v}");
}

#[test]
fn an_upload_of_only_broken_records_streams_its_failures() {
    let e: Arc<dyn Embedder> = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let srv = served(&store, &e);
    let r = client()
        .post(format!("http://{}/papers", srv.addr()))
        .query(&[("name", "bad.jsonl"), ("format", "beir")])
        .header("Accept", "text/event-stream")
        .body("{\"_id\": \"a\"\nnot json\n")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let events = events(r);
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    let report = &events.last().unwrap().1;
    let n = report["failures"].as_array().unwrap().len();
    assert!(n >= 1, "{report}");
    assert_eq!(report["papers"], 0);
    let mut expected = vec!["failure"; n];
    expected.extend(["progress", "report"]);
    assert_eq!(names, expected);
    assert_eq!(events[n].1["failed"], n);
    assert_eq!(events[n].1["papers"], 0);
}
