//! Writes the token states of SciERC's train and dev windows, computed by the embedding model
//! exactly as ingest computes them, for `scripts/train_extractor.py`.
//!
//! `cargo run --example scierc_states -- SCIERC_DIR OUT_DIR` writes `OUT_DIR/model.json` (the
//! model's identity), `OUT_DIR/windows.jsonl` (one line per window: split, document, byte start,
//! text, word-piece offsets, continuation flags, first row) and `OUT_DIR/states.f32` (the rows,
//! 384 little-endian floats each).

use std::io::Write;
use std::path::PathBuf;

use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(out)) = (args.next().map(PathBuf::from), args.next().map(PathBuf::from)) else {
        anyhow::bail!("usage: scierc_states SCIERC_DIR OUT_DIR");
    };
    std::fs::create_dir_all(&out)?;
    let model = FastEmbedder::load(&ModelLocation::default())?;
    std::fs::write(out.join("model.json"), serde_json::to_vec(&model.identity())?)?;
    let mut index = std::io::BufWriter::new(std::fs::File::create(out.join("windows.jsonl"))?);
    let mut states = std::io::BufWriter::new(std::fs::File::create(out.join("states.f32"))?);
    let mut row = 0usize;
    for split in ["train", "dev"] {
        let path = dir.join(format!("{split}.json"));
        let src = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let windows =
            hypatia_extract::eval::scierc_windows(&src).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let started = std::time::Instant::now();
        for chunk in windows.chunks(64) {
            let texts: Vec<String> = chunk.iter().map(|w| w.text.clone()).collect();
            for (w, (_, ts)) in chunk.iter().zip(model.embed_with_states(&texts)?) {
                let line = serde_json::json!({
                    "split": split,
                    "doc": w.doc,
                    "doc_key": w.doc_key,
                    "start": w.start,
                    "text": w.text,
                    "offsets": ts.offsets,
                    "continues": ts.continues,
                    "truncated": ts.truncated,
                    "row": row,
                });
                writeln!(index, "{line}")?;
                for x in &ts.states {
                    states.write_all(&x.to_le_bytes())?;
                }
                row += ts.len();
            }
        }
        eprintln!(
            "{split}: {} windows in {:.1} s",
            windows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    index.flush()?;
    states.flush()?;
    eprintln!("{row} token states written to {}", out.display());
    Ok(())
}
