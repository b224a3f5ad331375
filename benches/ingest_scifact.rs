//! Ingest benchmark on SciFact: the whole pipeline against embedding alone, side by side in one
//! process. Everything but the model should hide behind it (goal: ratio <= 1.10). And the
//! learned extractor's cost: the same ingest with and without it (goal: ratio <= 1.10).
//!
//! `cargo bench --bench ingest_scifact` (env: HYPATIA_SCIFACT = BEIR folder, default
//! ../shared/data/scifact; HYPATIA_BENCH_LIMIT = first N abstracts; HYPATIA_ORT_SPINNING = 0 or
//! 1, whether ONNX Runtime's threads spin, default `hypatia::embed::DEFAULT_SPINNING`).

use std::time::Instant;

use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::ingest::pipeline::{self, IngestOptions};

#[path = "support/scifact.rs"]
mod scifact;

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let lines = scifact::corpus_lines(usize::MAX)?;
    let tmp = tempfile::tempdir()?;
    let input = tmp.path().join("scifact/corpus.jsonl");
    std::fs::create_dir_all(input.parent().unwrap())?;
    std::fs::write(&input, lines.join("\n"))?;

    // HYPATIA_ORT_SPINNING=0|1 overrides whether ONNX Runtime's threads spin (to measure it).
    let spinning = match std::env::var("HYPATIA_ORT_SPINNING").as_deref() {
        Ok("0") => Some(false),
        Ok("1") => Some(true),
        _ => None,
    };
    let model = FastEmbedder::load(&ModelLocation {
        spinning,
        ..Default::default()
    })?;
    let opts = IngestOptions::default();
    let store = scifact::open_store(&tmp.path().join("data"), &model)?;

    // Baseline: embedding alone, same passages, same batches.
    let batches = scifact::passage_batches(&store, &lines, &opts, 256)?;
    let n_passages: usize = batches.iter().map(Vec::len).sum();
    let t = Instant::now();
    for b in &batches {
        model.embed(b)?;
    }
    let embed_only = t.elapsed().as_secs_f64();

    // The rules alone (no token states, no heads), into a store of its own.
    let rules_store = scifact::open_store(&tmp.path().join("rules"), &model)?;
    let rules_opts = IngestOptions {
        learned: false,
        ..IngestOptions::default()
    };
    let rules_only = pipeline::ingest_paths(&rules_store, &model, std::slice::from_ref(&input), &rules_opts, &|_| {})?;

    let report = pipeline::ingest_paths(&store, &model, &[input], &opts, &|_| {})?;
    let total = report.elapsed.as_secs_f64();
    // Embedding alone once more, after the ingests: the spread of the two is the noise.
    let t = Instant::now();
    for b in &batches {
        model.embed(b)?;
    }
    let embed_again = t.elapsed().as_secs_f64();
    let embed_only = (embed_only + embed_again) / 2.0;
    assert_eq!(report.passages, n_passages, "the baseline embeds the same passages");
    println!(
        "ingest_scifact: {} papers, {} passages, {} triples",
        report.papers, report.passages, report.triples
    );
    println!("  total ingest      {total:>8.2} s");
    println!("  embedding only    {embed_only:>8.2} s   (same passages, batches of 256; mean of a run before the ingests and one after, {embed_again:.2} s)");
    println!("  ratio             {:>8.3}     (goal <= 1.10)", total / embed_only);
    println!(
        "  stages            prepare {:.2} s, embed {:.2} s, write {:.2} s (overlapping)",
        report.stages.prepare.as_secs_f64(),
        report.stages.embed.as_secs_f64(),
        report.stages.write.as_secs_f64()
    );
    println!(
        "  extraction        {:.2} s = {:.1}% of ingest wall time (inside prepare, on the reader thread)",
        report.stages.extract.as_secs_f64(),
        100.0 * report.stages.extract.as_secs_f64() / total
    );
    let rules_total = rules_only.elapsed.as_secs_f64();
    println!(
        "  learned extractor extraction graphs rendered in {:.2} s in the writer thread (heads included); ingest with the heads / without them (rules only, {:.2} s): {:.3}  (goal <= 1.10)",
        report.stages.learned.as_secs_f64(),
        rules_total,
        total / rules_total
    );
    println!(
        "  throughput        {:.1} papers/s, {:.1} passages/s",
        report.papers as f64 / total,
        report.passages as f64 / total
    );
    println!("  peak RSS          {:.0} MB", hypatia::peak_rss_mb());
    Ok(())
}
