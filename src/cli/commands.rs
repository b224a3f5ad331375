//! The bodies of the commands that open a store, load the model, ingest, serve and re-embed.

use std::sync::Arc;

use anyhow::Context;
use hypatia::common::ids::Base;
use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::ingest::pipeline::{self, IngestOptions, Progress};
use hypatia::store::{Store, StoreOptions};
use indicatif::{ProgressBar, ProgressStyle};

use super::args::{Global, IngestArgs, LoadArgs};

/// `--config PATH`, `--config=PATH` or `HYPATIA_CONFIG`, looked up before clap parses.
pub(super) fn config_path() -> Option<std::path::PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--config") {
            Some("") => args.get(i + 1).cloned(),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        })
        .or_else(|| std::env::var("HYPATIA_CONFIG").ok())
        .map(Into::into)
}

pub(super) fn shorten(s: &str, n: usize) -> String {
    let cut: String = s.chars().take(n).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

pub(super) fn load_model(g: &Global) -> anyhow::Result<Arc<dyn Embedder>> {
    let loc = ModelLocation {
        model_dir: g.model_dir.clone(),
        ort_library: g.ort_library.clone(),
        threads: g.embed_threads,
        ..Default::default()
    };
    Ok(Arc::new(FastEmbedder::load(&loc)?))
}

pub(super) fn open(g: &Global, model: Option<hypatia::embed::ModelIdentity>) -> anyhow::Result<Store> {
    let opts = StoreOptions {
        base: Base::new(&g.base_iri)?,
        model,
        ..Default::default()
    };
    Store::open(&g.data_dir, &opts).with_context(|| format!("opening the store in {}", g.data_dir.display()))
}

/// `hypatia load`: each file bulk-loaded whole or not at all; a failure is reported and the
/// next file goes on, and the command fails at the end if any file did.
pub(super) fn load(g: &Global, args: LoadArgs) -> anyhow::Result<()> {
    use hypatia::store::writes::LoadOptions;
    use oxigraph::io::RdfFormat;
    let LoadArgs {
        files,
        format,
        graph,
        base,
        memory_mb,
    } = args;
    let format = match format {
        Some(f) => Some(
            RdfFormat::from_extension(&f)
                .or_else(|| RdfFormat::from_media_type(&f))
                .with_context(|| {
                    format!("--format `{f}` is not an RDF format (nq, trig, nt, ttl, rdf, jsonld, n3 or a media type)")
                })?,
        ),
        None => None,
    };
    let graph = match graph {
        Some(iri) => {
            Some(oxigraph::model::NamedNode::new(&iri).with_context(|| format!("--graph `{iri}` is not an IRI"))?)
        }
        None => None,
    };
    let options = LoadOptions {
        format,
        graph,
        base,
        memory_mb,
    };
    let store = match open(g, None) {
        Ok(store) => store,
        // A new store records the model its vectors will be made with.
        Err(e)
            if matches!(
                e.downcast_ref::<hypatia::Error>(),
                Some(hypatia::Error::User(hypatia::common::error::UserError::NotFound(_)))
            ) =>
        {
            open(g, Some(load_model(g)?.identity()))?
        }
        Err(e) => return Err(e),
    };
    let mut failed = 0;
    for f in &files {
        let started = std::time::Instant::now();
        match store.load_file(f, &options) {
            Ok(n) => {
                let s = started.elapsed().as_secs_f64();
                println!(
                    "loaded {n} quads from {} in {s:.2}s ({:.0} quads/s)",
                    f.display(),
                    n as f64 / s.max(1e-9)
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} files failed; nothing of them was loaded",
        files.len()
    );
    Ok(())
}

pub(super) fn reembed(g: &Global, batch: usize, abort: bool) -> anyhow::Result<()> {
    if abort {
        let had = hypatia::store::reembed::abort(&g.data_dir)?;
        println!(
            "{}",
            if had {
                "re-embedding given up; the store keeps its old vectors"
            } else {
                "no re-embedding was under way"
            }
        );
        return Ok(());
    }
    let embedder = load_model(g)?;
    let opts = StoreOptions {
        base: Base::new(&g.base_iri)?,
        ..Default::default()
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {elapsed} (eta {eta})").expect("static template"),
    );
    let report = hypatia::store::reembed::reembed(&g.data_dir, &opts, embedder.as_ref(), batch, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    if report.already {
        println!(
            "the vectors are already {}'s; nothing to do",
            embedder.identity().describe()
        );
    } else {
        println!(
            "re-embedded {} passages of {} documents with {}{}",
            report.passages,
            report.documents,
            embedder.identity().describe(),
            if report.resumed {
                " (continuing an interrupted run)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

pub(super) fn ingest(g: &Global, args: IngestArgs) -> anyhow::Result<()> {
    let IngestArgs {
        paths,
        format,
        batch,
        report: report_path,
        ack_log,
    } = args;
    let format = format
        .map(|f| f.parse::<hypatia_ingest::Format>())
        .transpose()
        .map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let embedder = load_model(g)?;
    let store = open(g, Some(embedder.identity()))?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("static template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let progress = |p: Progress<'_>| {
        if ack_log {
            // One line per acknowledged paper, flushed before the next batch starts: what the
            // crash torture harness holds the store to.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for k in p.committed {
                let _ = writeln!(out, "ack {k}");
            }
            let _ = out.flush();
        }
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!(
            "{} papers, {} passages stored ({:.1} papers/s); {} records parsed ({:.0} records/s, {:.2} MB/s)",
            p.papers,
            p.passages,
            p.papers as f64 / secs,
            p.records,
            p.records as f64 / secs,
            p.bytes as f64 / secs / 1e6
        ));
    };
    let opts = IngestOptions {
        batch_papers: batch.max(1),
        format,
        ..Default::default()
    };
    let report = pipeline::ingest_paths(&store, embedder.as_ref(), &paths, &opts, &progress)?;
    bar.finish_and_clear();
    let secs = report.elapsed.as_secs_f64().max(1e-9);
    println!(
        "ingested {} papers ({} unchanged, skipped; {} merged with another record of the same paper), {} passages, {} triples from {} files in {:.1}s ({:.1} papers/s, {:.2} MB/s); {} failures, {} files skipped",
        report.papers,
        report.unchanged,
        report.merged,
        report.passages,
        report.triples,
        report.files,
        secs,
        report.papers as f64 / secs,
        report.bytes as f64 / secs / 1e6,
        report.failures.len(),
        report.skipped_files.len()
    );
    for f in report.failures.iter().take(50) {
        println!("  failed: {f}");
    }
    if report.failures.len() > 50 {
        println!("  ... and {} more (see --report)", report.failures.len() - 50);
    }
    if let Some(p) = report_path {
        std::fs::write(&p, serde_json::to_vec_pretty(&report)?).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

pub(super) fn serve(
    g: &Global,
    bind: &str,
    backup_dir: Option<std::path::PathBuf>,
    access: hypatia::serve::http::Access,
    limits: hypatia::serve::http::Limits,
) -> anyhow::Result<()> {
    tracing::info!(access = %access.describe(), backups = ?backup_dir, ?limits, "serving");
    if !access.answers_to(bind) {
        tracing::warn!(
            %bind,
            "not a loopback or allowed host: requests must name one in `Host` (add the names clients \
             use with --allowed-host), else they are refused with 403"
        );
    }
    let embedder = match load_model(g) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(error = %e, "serving without the embedding model: bm25 search and SPARQL only");
            None
        }
    };
    let store = Arc::new(open(g, embedder.as_ref().map(|e| e.identity()))?);
    let state = hypatia::serve::http::AppState {
        store,
        embedder,
        backup_dir,
        access: Arc::new(access),
        limits,
    };
    hypatia::serve::http::run(state, bind)?;
    Ok(())
}

pub(super) fn mcp(g: &Global, read_only: bool, query_timeout: std::time::Duration) -> anyhow::Result<()> {
    let embedder = match load_model(g) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(error = %e, "MCP without the embedding model: bm25 search, SPARQL, papers and gaps only");
            None
        }
    };
    let store = Arc::new(open(g, embedder.as_ref().map(|e| e.identity()))?);
    let scope = if read_only {
        hypatia::serve::http::Scope::Read
    } else {
        hypatia::serve::http::Scope::Write
    };
    tracing::info!(?scope, "MCP on stdin/stdout");
    let ctx = Arc::new(hypatia::serve::mcp::Context {
        service: hypatia::service::Service {
            store,
            embedder,
            limits: hypatia::service::Limits {
                query_timeout,
                ..Default::default()
            },
        },
        scope,
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(hypatia::serve::mcp::serve_stdio(ctx))
}
