//! What a server pays for the index it opens: a fresh process (this binary, `--serving`) opens
//! the built text and vector indexes, runs the timed hybrid queries, and reports the open time
//! and its memory. The building process cannot tell that: it holds every vector for the exact
//! scan, and the graph it built (the server maps the checkpoint's vectors from the dump).

use std::path::Path;
use std::time::Instant;

use hypatia::store::text::TextIndex;
use hypatia::store::vector::{HnswParams, Tail, VectorIndex};
use serde::{Deserialize, Serialize};

use crate::measure::{ms, percentile};

/// What the serving process reports.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub(crate) struct Serving {
    pub(crate) open_s: f64,
    pub(crate) hybrid_p50: f64,
    pub(crate) hybrid_p99: f64,
    /// /proc/self/status after the queries: resident in all, anonymous, file-backed (MB).
    pub(crate) rss_mb: f64,
    pub(crate) anon_mb: f64,
    pub(crate) file_mb: f64,
}

/// In the parent: runs the check on the index in `dir` (its `text` and `vector` folders; no
/// other process may hold them open) and returns what the child measured.
pub(crate) fn check(
    dir: &Path,
    dim: usize,
    params: HnswParams,
    timed: &[(String, Vec<f32>)],
) -> anyhow::Result<Serving> {
    let queries = dir.join("serving-queries.json");
    std::fs::write(&queries, serde_json::to_vec(timed)?)?;
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg("--serving")
        .arg(dir)
        .arg(&queries)
        .arg(serde_json::to_string(&(dim, params))?)
        .output()?;
    if !out.status.success() {
        anyhow::bail!("serving check failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    Ok(serde_json::from_str(line.trim())?)
}

/// In the child: `--serving DIR QUERIES PARAMS`.
pub(crate) fn serve(args: &[String]) -> anyhow::Result<()> {
    let [dir, queries, params] = args else {
        anyhow::bail!("usage: --serving DIR QUERIES PARAMS");
    };
    let dir = Path::new(dir);
    let (dim, params): (usize, HnswParams) = serde_json::from_str(params)?;
    let timed: Vec<(String, Vec<f32>)> = serde_json::from_slice(&std::fs::read(queries)?)?;
    let s = Instant::now();
    let text = TextIndex::open(&dir.join("text"))?;
    let vectors = VectorIndex::open(&dir.join("vector"), dim, params, Tail::Complete)?;
    let open_s = s.elapsed().as_secs_f64();
    let mut times = Vec::with_capacity(timed.len());
    // One pass to warm the caches a server would have warm, one timed.
    for pass in 0..2 {
        for (q, qv) in &timed {
            let s = Instant::now();
            std::hint::black_box(crate::measure::hybrid(&text, &vectors, q, qv)?);
            if pass == 1 {
                times.push(ms(s));
            }
        }
    }
    let report = Serving {
        open_s,
        hybrid_p50: percentile(&times, 50.0),
        hybrid_p99: percentile(&times, 99.0),
        rss_mb: hypatia::status_mb("VmRSS"),
        anon_mb: hypatia::status_mb("RssAnon"),
        file_mb: hypatia::status_mb("RssFile"),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
