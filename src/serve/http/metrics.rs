//! `/metrics` in the Prometheus text format: requests by method, route and status, latency
//! histograms by route, papers ingested over HTTP, and the store's sizes at scrape time.
//! Counters are process-wide (every server of the process adds to them).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actix_web::{web, HttpResponse};
use parking_lot::Mutex;

use super::{blocking, ApiError, AppState};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

struct Metrics {
    started: Instant,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    ingested_papers: AtomicU64,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics {
        started: Instant::now(),
        requests: Mutex::new(BTreeMap::new()),
        latency: Mutex::new(BTreeMap::new()),
        ingested_papers: AtomicU64::new(0),
    })
}

/// Counts one answered request. `route` is the matched pattern (`/papers/{id:.*}`), so that
/// label values stay few.
pub(crate) fn observe(method: &str, route: &str, status: u16, took: Duration) {
    let m = metrics();
    *m.requests
        .lock()
        .entry((method.to_string(), route.to_string(), status))
        .or_default() += 1;
    let secs = took.as_secs_f64();
    let mut lat = m.latency.lock();
    let h = lat.entry(route.to_string()).or_default();
    for (i, b) in BUCKETS.iter().enumerate() {
        if secs <= *b {
            h.counts[i] += 1;
        }
    }
    h.count += 1;
    h.sum += secs;
}

/// Counts papers written by `POST /papers`.
pub(crate) fn ingested(papers: usize) {
    metrics().ingested_papers.fetch_add(papers as u64, Ordering::Relaxed);
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) -> String {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    name.to_string()
}

fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Prometheus metrics: requests by method, route and status, latency histograms by route,
/// papers ingested over HTTP, and the store's sizes.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "meta",
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The Prometheus text format, version 0.0.4.", body = String, content_type = "text/plain"),
    )
)]
pub(crate) async fn handler(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let stats = blocking(move || store.stats()).await?;
    let m = metrics();
    let mut out = String::new();
    let mut body = String::new();
    let n = family(
        &mut out,
        "hypatia_http_requests_total",
        "counter",
        "HTTP requests by method, route and status.",
    );
    for ((method, route, status), count) in m.requests.lock().iter() {
        let _ = writeln!(
            body,
            "{n}{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
            label(method),
            label(route)
        );
    }
    out.push_str(&body);
    body.clear();
    let n = family(
        &mut out,
        "hypatia_http_request_duration_seconds",
        "histogram",
        "Time to answer a request, by route.",
    );
    for (route, h) in m.latency.lock().iter() {
        let r = label(route);
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(body, "{n}_bucket{{route=\"{r}\",le=\"{b}\"}} {}", h.counts[i]);
        }
        let _ = writeln!(body, "{n}_bucket{{route=\"{r}\",le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(body, "{n}_sum{{route=\"{r}\"}} {}", h.sum);
        let _ = writeln!(body, "{n}_count{{route=\"{r}\"}} {}", h.count);
    }
    out.push_str(&body);
    let gauges = [
        ("hypatia_papers", "Papers stored.", stats.papers),
        (
            "hypatia_records",
            "Hypotheses and experiment runs stored.",
            stats.records,
        ),
        ("hypatia_passages", "Passages in the text index.", stats.passages),
        ("hypatia_vectors", "Live vectors.", stats.vectors),
        ("hypatia_triples", "Quads in the graph store.", stats.triples),
    ];
    for (name, help, v) in gauges {
        let n = family(&mut out, name, "gauge", help);
        let _ = writeln!(out, "{n} {v}");
    }
    let n = family(
        &mut out,
        "hypatia_ingested_papers_total",
        "counter",
        "Papers written through POST /papers.",
    );
    let _ = writeln!(out, "{n} {}", m.ingested_papers.load(Ordering::Relaxed));
    let n = family(
        &mut out,
        "hypatia_uptime_seconds",
        "gauge",
        "Seconds since the first request was counted.",
    );
    let _ = writeln!(out, "{n} {:.3}", m.started.elapsed().as_secs_f64());
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}
