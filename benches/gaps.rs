//! Gap-finder timing on a large store: `find_gaps` for all kinds and for each kind (limit 20),
//! then, with HYPATIA_GAPS_CUT, the link-prediction evaluation at that cut.
//!
//! `bash scripts/bench.sh gaps` (never `cargo bench`). Environment:
//! - HYPATIA_GAPS_STORE: a data folder. An existing store (e.g. one `hypatia ingest` and
//!   `hypatia extract` built) is used as is, and the after-write steps write to it: one
//!   hypothesis per repeat stays, the paper each repeat adds is deleted again; otherwise HYPATIA_GAPS_CORPUS is ingested into it
//!   with the hash embedder (timing the gap finder needs no real vectors) and re-extracted. Without
//!   it, a temporary folder.
//! - HYPATIA_GAPS_CORPUS: comma-separated files or folders to ingest, e.g.
//!   `../shared/data/papers/acl-anthology/data/xml/D19.xml`.
//! - HYPATIA_GAPS_GENERATE=N: instead, N generated papers (`support/generated_papers.rs`: Markdown
//!   abstracts of 1990–2020 naming methods, tasks and datasets of Zipf-sized topics; seed
//!   HYPATIA_GAPS_SEED, default 1), ingested with the hash embedder, not re-extracted.
//! - HYPATIA_GAPS_CUT, HYPATIA_GAPS_HORIZON (3), HYPATIA_GAPS_FORMAT: `eval gaps` settings.

use std::time::Instant;

use anyhow::{bail, Context};
use hypatia::common::work::{Cancel, Watch};
use hypatia::embed::{Embedder, HashEmbedder};
use hypatia::ingest::pipeline::{self, IngestOptions};
use hypatia::research::gaps::{self, find_gaps, find_gaps_watched, GapKind, GapQuery, LinkEvalConfig, Step};
use hypatia::store::{Store, StoreOptions};

#[path = "support/generated_papers.rs"]
mod generated_papers;

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
        let generate: Option<usize> = std::env::var("HYPATIA_GAPS_GENERATE")
            .ok()
            .map(|n| n.parse())
            .transpose()
            .context("HYPATIA_GAPS_GENERATE")?;
        let paths = match generate {
            Some(n) => {
                let seed = std::env::var("HYPATIA_GAPS_SEED").map_or(Ok(1), |s| s.parse()).context("HYPATIA_GAPS_SEED")?;
                let t = Instant::now();
                let folder = generated_papers::write(tmp.path(), n, seed)?;
                eprintln!("generated {n} papers in {:?}", t.elapsed());
                folder.display().to_string()
            }
            None => match std::env::var("HYPATIA_GAPS_CORPUS") {
                Ok(paths) => paths,
                Err(_) => bail!(
                    "set HYPATIA_GAPS_STORE to a built store, or HYPATIA_GAPS_CORPUS to files to ingest, or HYPATIA_GAPS_GENERATE to a number of papers to generate"
                ),
            },
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
        if generate.is_none() {
            let t = Instant::now();
            let x = hypatia::ingest::extraction::reextract(
                &store,
                &hypatia::ingest::extraction::ExtractOptions::default(),
                None,
            )?;
            eprintln!(
                "re-extracted with a corpus lexicon of {} terms in {:?}",
                x.lexicon_terms,
                t.elapsed()
            );
        }
        store
    };
    // The first call loads the corpus (and types its concepts); later ones reuse it until a
    // write. Per as_of, the first call builds that year's co-occurrence graph: "first" times
    // it, "p50" is the median of the next HYPATIA_GAPS_REPEATS (default 5).
    let t = Instant::now();
    let (found, stages) = staged(
        &store,
        &GapQuery {
            limit: 20,
            ..Default::default()
        },
    )?;
    println!(
        "find_gaps, every kind, cold (loads the corpus): {} gaps in {:?}\n  {stages}",
        found.len(),
        t.elapsed()
    );
    let repeats: usize = std::env::var("HYPATIA_GAPS_REPEATS")
        .map_or(Ok(5), |r| r.parse())
        .context("HYPATIA_GAPS_REPEATS")?;
    for as_of in [None, Some(2015), Some(2010)] {
        for kind in [
            None,
            Some(GapKind::MissingLink),
            Some(GapKind::UntestedCombination),
            Some(GapKind::OpenQuestion),
            Some(GapKind::ContestedClaim),
        ] {
            let q = GapQuery {
                kind,
                as_of,
                limit: 20,
                ..Default::default()
            };
            let t = Instant::now();
            let (found, stages) = staged(&store, &q)?;
            let first = t.elapsed();
            let mut times = Vec::new();
            for _ in 0..repeats {
                let t = Instant::now();
                find_gaps(&store, &q)?;
                times.push(t.elapsed());
            }
            times.sort();
            let p50 = times.get(times.len() / 2).map_or(f64::NAN, |t| t.as_secs_f64());
            println!(
                "find_gaps {kind:?} as_of {as_of:?}: {} gaps; first {:.3}s, p50 of the next {repeats} {p50:.3}s",
                found.len(),
                first.as_secs_f64(),
            );
            if kind.is_none() {
                println!("  {stages}");
            }
        }
    }
    // After writes, each timed as the first search of every kind as of now, then as of 2015:
    // - a research record (a hypothesis), which no gap reads;
    // - a new paper (Markdown, year 2020) whose text joins two stored papers' texts, so that it
    //   mentions both papers' concepts together (new co-occurrences, as a real paper brings);
    //   it is deleted afterwards and the search after the deletion is not timed, so the store's
    //   content stays as it was.
    let papers: Vec<String> = hypatia::store::queries::select(
        &store,
        "PREFIX hyp: <https://w3id.org/hypatia/ns#> SELECT DISTINCT ?p WHERE { ?p hyp:mentionsConcept ?c } LIMIT 50",
        &[],
    )?
    .iter()
    .filter_map(|r| r.get("p").cloned())
    .collect();
    let timed = |store: &Store, what: &str| -> anyhow::Result<(f64, f64)> {
        let mut loaded = 0.0;
        let t = Instant::now();
        for as_of in [None, Some(2015)] {
            let (_, stages) = staged(
                store,
                &GapQuery {
                    as_of,
                    limit: 20,
                    ..Default::default()
                },
            )?;
            if as_of.is_none() {
                loaded = stages.0.first().map_or(0.0, |s| s.1);
            }
            println!("  as of {as_of:?}: {stages}");
        }
        let whole = t.elapsed().as_secs_f64();
        println!("after {what}: corpus up to date in {loaded:.3}s; every kind as of now and 2015 in {whole:.3}s");
        Ok((loaded, whole))
    };
    let mut after_record: Vec<(f64, f64)> = Vec::new();
    let mut after_paper: Vec<(f64, f64)> = Vec::new();
    let e = HashEmbedder::new(32);
    let folder = tempfile::tempdir()?;
    for i in 0..repeats.max(1) {
        let h = hypatia::research::NewHypothesis {
            statement: format!("Gaps bench hypothesis {i}: joining two stored papers' methods helps."),
            agent: "gaps-bench".into(),
            concepts: Vec::new(),
            gap: None,
            evidence: Vec::new(),
            derived_from: Vec::new(),
        };
        hypatia::research::propose(&store, &e, &hypatia::research::Actor::local(), &h)?;
        after_record.push(timed(&store, "a research record")?);
        let last = papers.len().checked_sub(1 + i);
        let (Some(a), Some(b)) = (papers.get(i), last.and_then(|j| papers.get(j))) else {
            break;
        };
        let text = |p: &str| -> anyhow::Result<String> {
            Ok(store
                .canonical_text(&hypatia::common::ids::paper_key(p))?
                .map(|t| t.1)
                .unwrap_or_default())
        };
        let file = folder.path().join(format!("bench-{i}.md"));
        std::fs::write(
            &file,
            format!(
                "---\ntitle: Gaps bench paper {i}, joining two papers\nyear: 2020\n---\n\n{}\n\n{}\n",
                text(a)?,
                text(b)?
            ),
        )?;
        let before = store.generation();
        pipeline::ingest_paths(&store, &e, &[file], &IngestOptions::default(), &|_| {})?;
        let written = store.papers_written_since(before).unwrap_or_default();
        after_paper.push(timed(&store, "a new paper")?);
        store.delete_papers(&written.into_iter().collect::<Vec<_>>())?;
        find_gaps(
            &store,
            &GapQuery {
                limit: 20,
                ..Default::default()
            },
        )?;
        find_gaps(
            &store,
            &GapQuery {
                as_of: Some(2015),
                limit: 20,
                ..Default::default()
            },
        )?;
    }
    for (what, mut times) in [("a research record", after_record), ("a new paper", after_paper)] {
        times.sort_by(|a, b| a.1.total_cmp(&b.1));
        if let Some(m) = times.get(times.len() / 2) {
            println!(
                "after {what}, p50 of {}: corpus {:.3}s, whole {:.3}s",
                times.len(),
                m.0,
                m.1
            );
        }
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

/// Each stage of a search with its time.
struct Stages(Vec<(String, f64)>);

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(what, t)| format!("{what} {t:.3}s")).collect();
        write!(f, "stages: {}", parts.join("; "))
    }
}

/// One search, timed stage by stage (loading the corpus, then each kind).
fn staged(store: &Store, q: &GapQuery) -> anyhow::Result<(Vec<hypatia::research::gaps::Gap>, Stages)> {
    let mut stages = Vec::new();
    let mut last = Instant::now();
    let found = find_gaps_watched(
        store,
        q,
        &mut Watch::new(Cancel::new(), |s: Step| {
            stages.push((s.what, last.elapsed().as_secs_f64()));
            last = Instant::now();
        }),
    )?;
    Ok((found, Stages(stages)))
}
