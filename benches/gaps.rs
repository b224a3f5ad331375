//! Gap-finder timing on a large store: `find_gaps` for all kinds and for each kind (limit 20),
//! then, with HYPATIA_GAPS_CUT, the link-prediction evaluation at that cut.
//!
//! `bash scripts/bench.sh gaps` (never `cargo bench`). Environment:
//! - HYPATIA_GAPS_STORE: a data folder. An existing store (e.g. one `hypatia ingest` and
//!   `hypatia extract` built) is read as is; otherwise HYPATIA_GAPS_CORPUS is ingested into it
//!   with the hash embedder (timing the gap finder needs no real vectors) and re-extracted. Without
//!   it, a temporary folder.
//! - HYPATIA_GAPS_CORPUS: comma-separated files or folders to ingest, e.g.
//!   `../shared/data/papers/acl-anthology/data/xml/D19.xml`.
//! - HYPATIA_GAPS_CUT, HYPATIA_GAPS_HORIZON (3), HYPATIA_GAPS_FORMAT: `eval gaps` settings.

use std::time::Instant;

use anyhow::{bail, Context};
use hypatia::embed::{Embedder, HashEmbedder};
use hypatia::ingest::pipeline::{self, IngestOptions};
use hypatia::research::gaps::{self, find_gaps, GapKind, GapQuery, LinkEvalConfig};
use hypatia::store::{Store, StoreOptions};

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return Ok(());
    }
    let tmp = tempfile::tempdir()?;
    let dir = std::env::var("HYPATIA_GAPS_STORE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| tmp.path().join("data"));
    let store = if dir.join("hypatia.json").exists() {
        Store::open(&dir, &StoreOptions::default())?
    } else {
        let Ok(paths) = std::env::var("HYPATIA_GAPS_CORPUS") else {
            bail!("set HYPATIA_GAPS_STORE to a built store, or HYPATIA_GAPS_CORPUS to files to ingest");
        };
        let e = HashEmbedder::new(32);
        let store = Store::open(
            &dir,
            &StoreOptions {
                model: Some(e.identity()),
                ..Default::default()
            },
        )?;
        let t = Instant::now();
        let paths: Vec<std::path::PathBuf> = paths.split(',').map(Into::into).collect();
        let r = pipeline::ingest_paths(&store, &e, &paths, &IngestOptions::default(), &|_| {})?;
        eprintln!("ingested {} papers in {:?}", r.papers, t.elapsed());
        let t = Instant::now();
        let x =
            hypatia::ingest::extraction::reextract(&store, 256, hypatia::ingest::extraction::LEXICON_MIN_SCORE, None)?;
        eprintln!(
            "re-extracted with a corpus lexicon of {} terms in {:?}",
            x.lexicon_terms,
            t.elapsed()
        );
        store
    };
    for kind in [
        None,
        Some(GapKind::MissingLink),
        Some(GapKind::UntestedCombination),
        Some(GapKind::OpenQuestion),
        Some(GapKind::ContestedClaim),
    ] {
        let t = Instant::now();
        let q = GapQuery {
            kind,
            limit: 20,
            ..Default::default()
        };
        let found = find_gaps(&store, &q)?;
        println!("find_gaps {kind:?}: {} gaps in {:?}", found.len(), t.elapsed());
    }
    if let Ok(cut) = std::env::var("HYPATIA_GAPS_CUT") {
        let cfg = LinkEvalConfig {
            cut: cut.parse().context("HYPATIA_GAPS_CUT")?,
            horizon: std::env::var("HYPATIA_GAPS_HORIZON")
                .map_or(Ok(3), |h| h.parse().context("HYPATIA_GAPS_HORIZON"))?,
            source_format: std::env::var("HYPATIA_GAPS_FORMAT").ok(),
            ..Default::default()
        };
        let t = Instant::now();
        let e = gaps::evaluate_link_prediction(&store, &cfg)?;
        println!("{}\nevaluated in {:?}", serde_json::to_string_pretty(&e)?, t.elapsed());
    }
    Ok(())
}
