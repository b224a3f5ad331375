//! Embedding throughput on SciFact's passages, technique by technique, side by side in one
//! process: the same passages (as ingest makes them), each row one way of running the model.
//! Prints seconds, passages/s, tokens/s, and the share of the machine's arithmetic limit the
//! model's matrix products reach.
//!
//! `bash scripts/bench.sh embed` (env: HYPATIA_SCIFACT = BEIR folder; HYPATIA_BENCH_LIMIT = first
//! N abstracts, default 500; HYPATIA_PEAK_GFLOPS = the machine's fp32 peak, default 69 per core,
//! AVX-512 FMA at this machine's clock; int8 products are counted against 4× that, VNNI).
//!
//! Rows:
//! - `ingest order`: consecutive runs of 8 passages as ingest makes them (title, then windows of
//!   the abstract): each batch pads to its longest text.
//! - `length-bucketed`: what ingest does, one call per ingest batch (~256 passages), sorted by
//!   length inside the call so that each batch of 8 holds texts of similar length.
//! - the same with ONNX Runtime's threads not spinning between operators, and on one thread.
//! - the same with the fp32 and int8 variants made by `scripts/setup.sh`, when present.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::ingest::pipeline::IngestOptions;

#[path = "support/scifact.rs"]
mod scifact;

/// The shape numbers that set a BERT-style encoder's arithmetic per token.
struct Shape {
    layers: f64,
    hidden: f64,
    intermediate: f64,
}

impl Shape {
    fn read(model_dir: &Path) -> anyhow::Result<Shape> {
        let cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(model_dir.join("config.json"))?)?;
        let get = |k: &str| {
            cfg.get(k)
                .and_then(|v| v.as_f64())
                .ok_or_else(|| anyhow::anyhow!("config.json has no {k}"))
        };
        Ok(Shape {
            layers: get("num_hidden_layers")?,
            hidden: get("hidden_size")?,
            intermediate: get("intermediate_size")?,
        })
    }

    /// Floating-point operations (a multiply-add is two) to encode one text of `n` tokens:
    /// per layer, the four attention projections and the two feed-forward products per token,
    /// and the attention scores and mix, which grow with the text's length.
    fn flops(&self, n: usize) -> f64 {
        let n = n as f64;
        let per_token = 2.0 * (4.0 * self.hidden * self.hidden + 2.0 * self.hidden * self.intermediate);
        let attention = 2.0 * 2.0 * n * self.hidden;
        self.layers * n * (per_token + attention)
    }
}

struct Row {
    name: String,
    seconds: f64,
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let lines = scifact::corpus_lines(500)?;
    let default_dir = ModelLocation::default().resolve_model_dir()?;
    let model = FastEmbedder::load(&ModelLocation::default())?;
    let tmp = tempfile::tempdir()?;
    let store = scifact::open_store(&tmp.path().join("data"), &model)?;
    let batches = scifact::passage_batches(&store, &lines, &IngestOptions::default(), 256)?;
    let texts: Vec<&str> = batches.iter().flatten().map(String::as_str).collect();
    let tokens = model.count_tokens(&texts)?;
    let shape = Shape::read(&default_dir)?;
    let n_tokens: usize = tokens.iter().sum();
    let flops: f64 = tokens.iter().map(|&n| shape.flops(n)).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let peak_fp32 = std::env::var("HYPATIA_PEAK_GFLOPS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(69.0 * cores)
        * 1e9;
    println!(
        "embed: {} SciFact abstracts, {} passages, {} tokens ({:.0} a passage), {:.1} GFLOP in all",
        lines.len(),
        texts.len(),
        n_tokens,
        n_tokens as f64 / texts.len() as f64,
        flops / 1e9
    );
    println!(
        "  limit: {:.0} GFLOP/s fp32 ({} cores), {:.0} GOP/s int8",
        peak_fp32 / 1e9,
        cores,
        4.0 * peak_fp32 / 1e9
    );

    // Warm-up: the first calls pay for ONNX Runtime's allocations.
    model.embed(&batches[0])?;

    let mut rows = Vec::new();
    let t = Instant::now();
    for batch in &batches {
        for eight in batch.chunks(8) {
            model.embed(eight)?;
        }
    }
    rows.push(Row {
        name: "default model, ingest order, batches of 8".into(),
        seconds: t.elapsed().as_secs_f64(),
    });
    rows.push(Row {
        name: "default model, length-bucketed (served)".into(),
        seconds: bucketed(&model, &batches)?,
    });
    drop(model);
    // ONNX Runtime session options on the served path (the graph is optimised at the highest
    // level, ORT_ENABLE_ALL, in every row: fastembed sets it).
    for (name, threads, spinning) in [
        ("default model, length-bucketed, no spinning", None, false),
        ("default model, length-bucketed, 1 thread", Some(1), true),
    ] {
        let m = FastEmbedder::load(&ModelLocation {
            threads,
            spinning: Some(spinning),
            ..Default::default()
        })?;
        m.embed(&batches[0])?;
        rows.push(Row {
            name: name.into(),
            seconds: bucketed(&m, &batches)?,
        });
    }
    for variant in ["fp32", "int8"] {
        let dir = variant_dir(&default_dir, variant);
        if !dir.join("model.onnx").is_file() {
            println!("  ({variant} variant not set up: {} missing)", dir.display());
            continue;
        }
        let m = FastEmbedder::load(&ModelLocation {
            model_dir: Some(dir),
            ..Default::default()
        })?;
        m.embed(&batches[0])?;
        rows.push(Row {
            name: format!("{variant} variant, length-bucketed"),
            seconds: bucketed(&m, &batches)?,
        });
    }

    let base = rows[0].seconds;
    println!(
        "  {:<44} {:>8} {:>10} {:>9} {:>8} {:>8} {:>8}",
        "technique", "seconds", "passages/s", "tokens/s", "GFLOP/s", "of limit", "speed-up"
    );
    for r in &rows {
        let limit = if r.name.starts_with("int8") {
            4.0 * peak_fp32
        } else {
            peak_fp32
        };
        println!(
            "  {:<44} {:>8.2} {:>10.1} {:>9.0} {:>8.1} {:>7.1}% {:>7.2}×",
            r.name,
            r.seconds,
            texts.len() as f64 / r.seconds,
            n_tokens as f64 / r.seconds,
            flops / r.seconds / 1e9,
            100.0 * flops / r.seconds / limit,
            base / r.seconds
        );
    }
    Ok(())
}

/// Embeds each ingest batch in one call, as ingest does (the embedder sorts it by length).
fn bucketed(model: &FastEmbedder, batches: &[Vec<String>]) -> anyhow::Result<f64> {
    let t = Instant::now();
    for batch in batches {
        model.embed(batch)?;
    }
    Ok(t.elapsed().as_secs_f64())
}

/// The folder `scripts/setup.sh` writes a variant of the default model to.
fn variant_dir(default_dir: &Path, variant: &str) -> PathBuf {
    let name = default_dir.file_name().and_then(|n| n.to_str()).unwrap_or("model");
    default_dir.with_file_name(format!("{name}-{variant}"))
}
