//! The `hypatia` binary: wires configuration, logging and the commands to the core library.

mod cli;
mod research_cmd;

use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Parser;
use hypatia::embed::{Embedder, FastEmbedder, ModelLocation};
use hypatia::ids::Base;
use hypatia::pipeline::{self, IngestOptions, Progress};
use hypatia::search::{self, SearchRequest};
use hypatia::store::{SearchFilter, Store, StoreOptions};
use indicatif::{ProgressBar, ProgressStyle};

use cli::{Cli, Command, Eval, Global, IngestArgs};

fn main() -> anyhow::Result<()> {
    // The configuration file first: its values become defaults of the variables clap and the
    // log filter read, so that flags and the environment override it.
    let config = config_path();
    let applied = match &config {
        Some(p) => hypatia::config::apply(p)?,
        None => Default::default(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HYPATIA_LOG")
                .unwrap_or_else(|_| "info,tantivy=warn,hnsw_rs=warn,ort=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let g = &cli.global;
    if let Some(p) = &config {
        tracing::info!(file = %p.display(), settings = ?applied, "configuration (file < environment < flags)");
    }
    match cli.command {
        Command::Ingest(args) => ingest(g, args),
        Command::Serve {
            bind,
            backup_dir,
            writes,
            tokens,
            no_anonymous_read,
            query_timeout,
            max_rows,
            cors_origins,
            allowed_hosts,
        } => {
            if query_timeout <= 0.0 || !query_timeout.is_finite() || max_rows == 0 {
                bail!("--query-timeout and --max-rows must be positive");
            }
            let limits = hypatia::http::Limits {
                query_timeout: std::time::Duration::from_secs_f64(query_timeout),
                max_rows,
                ..Default::default()
            };
            let access = match tokens {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    hypatia::http::Access::from_tokens(&text, &path.display().to_string(), !no_anonymous_read)?
                }
                None => hypatia::http::Access::open(writes),
            }
            .allow_origins(cors_origins)?
            .allow_hosts(allowed_hosts)?;
            serve(g, &bind, backup_dir, access, limits)
        }
        Command::Mcp {
            read_only,
            query_timeout,
        } => {
            if query_timeout <= 0.0 || !query_timeout.is_finite() {
                bail!("--query-timeout must be positive");
            }
            mcp(g, read_only, std::time::Duration::from_secs_f64(query_timeout))
        }
        Command::Backup { target } => {
            let stats = open(g, None)?.backup(&target)?;
            println!(
                "backup of {} papers, {} passages in {}",
                stats.papers,
                stats.passages,
                target.display()
            );
            Ok(())
        }
        Command::Restore { backup } => {
            let opts = StoreOptions {
                base: Base::new(&g.base_iri)?,
                ..Default::default()
            };
            let store = Store::restore(&backup, &g.data_dir, &opts)?;
            let stats = store.stats()?;
            let c = store.check_consistency()?;
            anyhow::ensure!(c.is_consistent(), "the restored store is inconsistent: {c:?}");
            println!(
                "restored {} papers, {} passages into {}",
                stats.papers,
                stats.passages,
                g.data_dir.display()
            );
            Ok(())
        }
        Command::Search {
            query,
            mode,
            k,
            year_from,
            year_to,
            json,
        } => {
            let embedder = load_model(g)?;
            let store = open(g, Some(embedder.identity()))?;
            let req = SearchRequest {
                query,
                mode: mode.parse()?,
                k,
                filter: SearchFilter {
                    year_from,
                    year_to,
                    ..Default::default()
                },
                tuning: Default::default(),
            };
            let hits = search::search(&store, Some(embedder.as_ref()), &req)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&hits)?);
            } else {
                for h in hits {
                    let c = &h.citation;
                    let year = c.paper.year.map(|y| format!(" ({y})")).unwrap_or_default();
                    println!("{:>2}. {:.4}  {}{year} [{}]", h.rank, h.score, c.paper.title, c.section);
                    println!("    {}", c.paper.link.as_deref().unwrap_or(&c.paper.iri));
                    println!("    \"{}\" [{}..{}]", shorten(&c.quote, 240), c.start, c.end);
                }
            }
            Ok(())
        }
        Command::Findings {
            question,
            papers,
            per_paper,
            format,
        } => {
            let store = open(g, None)?;
            let model = load_model(g)?;
            let pack = hypatia::findings::find(
                &store,
                Some(model.as_ref()),
                &hypatia::findings::FindingsRequest {
                    question,
                    papers,
                    per_paper,
                    ..Default::default()
                },
            )?;
            match format.as_str() {
                "markdown" | "md" => print!("{}", hypatia::findings::to_markdown(&pack)),
                "json" => println!("{}", serde_json::to_string_pretty(&pack)?),
                "jsonld" | "json-ld" => println!(
                    "{}",
                    serde_json::to_string_pretty(&hypatia::findings::to_jsonld(&pack))?
                ),
                other => anyhow::bail!("--format {other}: expected markdown, json or jsonld"),
            }
            Ok(())
        }
        Command::Sparql { query, file, accept } => {
            let q = match (query, file) {
                (Some(q), None) => q,
                (None, Some(f)) => std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?,
                _ => bail!("give the query as an argument or with --file, not both"),
            };
            let store = Arc::new(open(g, None)?);
            // The model loads only when the query may call the search service; when it cannot
            // load, say why before the query runs (the service then answers BM25 only).
            let embedder = if q.contains("search") {
                load_model(g)
                    .map_err(|e| {
                        tracing::warn!(
                            "the embedding model did not load, so SERVICE hyp:search has no vector mode: {e:#}"
                        )
                    })
                    .ok()
            } else {
                None
            };
            let results = hypatia::sparql_search::query(&store, embedder, &q, &[], &[])?;
            let (bytes, _) = hypatia::http::serialize_results(results, Some(&accept))?;
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
            Ok(())
        }
        Command::Reembed { batch, abort } => reembed(g, batch, abort),
        Command::Stats => {
            let store = open(g, None)?;
            let stats = store.stats()?;
            let consistency = store.check_consistency()?;
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({ "stats": stats, "consistency": consistency, "consistent": consistency.is_consistent() })
                )?
            );
            Ok(())
        }
        Command::Delete { ids } => {
            let store = open(g, None)?;
            let keys: Vec<String> = ids.iter().map(|i| hypatia::ids::paper_key_of(i)).collect();
            let n = store.delete_papers(&keys)?;
            println!("deleted {n} of {} papers", keys.len());
            Ok(())
        }
        Command::Extract { batch, min_score } => {
            let store = open(g, None)?;
            let r = hypatia::extraction::reextract(&store, batch, min_score)?;
            println!(
                "re-extracted {} papers in {:.1}s: lexicon of {} terms ({:.1}s), {} mentions/claims/results/relations ({:.1}s extracting, {:.0} papers/s), {} triples",
                r.papers,
                r.elapsed.as_secs_f64(),
                r.lexicon_terms,
                r.lexicon_time.as_secs_f64(),
                r.items,
                r.extract_time.as_secs_f64(),
                r.papers as f64 / r.extract_time.as_secs_f64().max(1e-9),
                r.triples
            );
            Ok(())
        }
        Command::Gaps {
            kind,
            concept,
            as_of,
            limit,
        } => research_cmd::gaps(g, kind, concept, as_of, limit),
        Command::Hypotheses(cmd) => research_cmd::hypotheses(g, cmd),
        Command::Experiments(cmd) => research_cmd::experiments(g, cmd),
        Command::Novelty { idea, k } => research_cmd::novelty(g, idea, k),
        Command::Eval(Eval::Gaps {
            cut,
            horizon,
            k,
            source_format,
            min_score,
        }) => research_cmd::eval_gaps(
            g,
            &hypatia::gaps::LinkEvalConfig {
                cut,
                horizon,
                ks: k,
                source_format,
                min_score,
            },
        ),
        Command::Eval(Eval::Scierc { dir }) => {
            let read = |f: &str| {
                let p = dir.join(f);
                std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
            };
            let report = hypatia_extract::eval::scierc(&read("train.json")?, &read("dev.json")?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            println!("{report}");
            Ok(())
        }
        Command::Eval(Eval::Semeval {
            dir,
            test_text,
            test_key,
        }) => {
            let read = |f: &str| {
                let p = dir.join("1.1").join(f);
                std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
            };
            let report = hypatia_extract::eval::semeval2018(&read("text.xml")?, &read("relations.txt")?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            println!("{report}");
            if let (Some(text), Some(key)) = (test_text, test_key) {
                let read = |p: &std::path::Path| {
                    std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
                };
                let data = hypatia_extract::eval::SemevalData::Test;
                let report = hypatia_extract::eval::semeval2018_on(&read(&text)?, &read(&key)?, data)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
                println!("{report}");
            }
            Ok(())
        }
        Command::Eval(Eval::Beir {
            dataset,
            split,
            limit,
            title_boost,
            rrf_k,
            vector_weight,
            fusion,
            grid,
            max_unmapped,
        }) => {
            let d = hypatia::search::Tuning::default();
            let fusion = match fusion.as_deref() {
                None => d.fusion,
                Some("rrf") => hypatia::search::Fusion::Rrf,
                Some(f) => match f.strip_prefix("convex:").and_then(|a| a.parse::<f32>().ok()) {
                    Some(alpha) if (0.0..=1.0).contains(&alpha) => hypatia::search::Fusion::Convex { alpha },
                    _ => bail!("--fusion {f}: expected rrf or convex:ALPHA with ALPHA in [0, 1]"),
                },
            };
            let tuning = hypatia::search::Tuning {
                fusion,
                title_boost: title_boost.unwrap_or(d.title_boost),
                rrf_k: rrf_k.unwrap_or(d.rrf_k),
                vector_weight: vector_weight.unwrap_or(d.vector_weight),
            };
            let run = BeirRun {
                dataset,
                split,
                limit,
                tuning,
                grid,
                max_unmapped,
            };
            eval_beir(g, &run)
        }
    }
}

/// `--config PATH`, `--config=PATH` or `HYPATIA_CONFIG`, looked up before clap parses.
fn config_path() -> Option<std::path::PathBuf> {
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

fn shorten(s: &str, n: usize) -> String {
    let cut: String = s.chars().take(n).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

fn load_model(g: &Global) -> anyhow::Result<Arc<dyn Embedder>> {
    let loc = ModelLocation {
        model_dir: g.model_dir.clone(),
        ort_library: g.ort_library.clone(),
        threads: g.embed_threads,
    };
    Ok(Arc::new(FastEmbedder::load(&loc)?))
}

fn open(g: &Global, model: Option<hypatia::embed::ModelIdentity>) -> anyhow::Result<Store> {
    let opts = StoreOptions {
        base: Base::new(&g.base_iri)?,
        model,
        ..Default::default()
    };
    Store::open(&g.data_dir, &opts).with_context(|| format!("opening the store in {}", g.data_dir.display()))
}

fn reembed(g: &Global, batch: usize, abort: bool) -> anyhow::Result<()> {
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

fn ingest(g: &Global, args: IngestArgs) -> anyhow::Result<()> {
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

fn serve(
    g: &Global,
    bind: &str,
    backup_dir: Option<std::path::PathBuf>,
    access: hypatia::http::Access,
    limits: hypatia::http::Limits,
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
    let state = hypatia::http::AppState {
        store,
        embedder,
        backup_dir,
        access: Arc::new(access),
        limits,
    };
    hypatia::http::run(state, bind)?;
    Ok(())
}

fn mcp(g: &Global, read_only: bool, query_timeout: std::time::Duration) -> anyhow::Result<()> {
    let embedder = match load_model(g) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(error = %e, "MCP without the embedding model: bm25 search, SPARQL, papers and gaps only");
            None
        }
    };
    let store = Arc::new(open(g, embedder.as_ref().map(|e| e.identity()))?);
    let scope = if read_only {
        hypatia::http::Scope::Read
    } else {
        hypatia::http::Scope::Write
    };
    tracing::info!(?scope, "MCP on stdin/stdout");
    let ctx = Arc::new(hypatia::mcp::Context {
        store,
        embedder,
        limits: hypatia::http::Limits {
            query_timeout,
            ..Default::default()
        },
        scope,
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(hypatia::mcp::serve_stdio(ctx))
}

/// The split's judgements mapped onto the store, after ingesting the corpus if the store lacks a
/// judged document; fails when too many judged documents stay unmapped.
fn beir_judgements(
    g: &Global,
    store: &Store,
    embedder: &dyn Embedder,
    run: &BeirRun,
) -> anyhow::Result<hypatia::eval::Judgements> {
    let mut judged = hypatia::eval::load_beir(&run.dataset, &run.split, store)?;
    if !judged.unmapped.is_empty() {
        // A fresh store, an interrupted ingest or a store of another corpus. Papers already
        // stored unchanged are skipped, so an interrupted run resumes.
        let corpus = run.dataset.join("corpus.jsonl");
        eprintln!(
            "{} of {} judged documents are not in {}: ingesting {}",
            judged.unmapped.len(),
            judged.documents,
            g.data_dir.display(),
            corpus.display()
        );
        let report = pipeline::ingest_paths(store, embedder, &[corpus], &IngestOptions::default(), &|_| {})?;
        eprintln!(
            "ingested {} papers, {} passages in {:.1}s ({} failures)",
            report.papers,
            report.passages,
            report.elapsed.as_secs_f64(),
            report.failures.len()
        );
        judged = hypatia::eval::load_beir(&run.dataset, &run.split, store)?;
    }
    let examples: Vec<&str> = judged.unmapped.iter().take(5).map(String::as_str).collect();
    println!(
        "{} `{}`: {} judged queries; {} of {} judged documents in no stored paper{}",
        judged.collection,
        run.split,
        judged.queries.len(),
        judged.unmapped.len(),
        judged.documents,
        if examples.is_empty() {
            String::new()
        } else {
            format!(" (e.g. {})", examples.join(", "))
        }
    );
    if judged.unmapped_share() > run.max_unmapped {
        bail!(
            "{:.1}% of the judged documents of {} are carried by no stored paper (no `hyp:corpusId {}:ID`), \
             above --max-unmapped {}: they would score as misses; is --data-dir a store of this corpus?",
            100.0 * judged.unmapped_share(),
            run.dataset.display(),
            judged.collection,
            run.max_unmapped
        );
    }
    Ok(judged)
}

/// What `eval beir` was asked to do.
struct BeirRun {
    dataset: std::path::PathBuf,
    split: String,
    limit: Option<usize>,
    tuning: hypatia::search::Tuning,
    grid: bool,
    max_unmapped: f64,
}

fn eval_beir(g: &Global, run: &BeirRun) -> anyhow::Result<()> {
    let embedder = load_model(g)?;
    let store = open(g, Some(embedder.identity()))?;
    let judged = beir_judgements(g, &store, embedder.as_ref(), run)?;
    println!(
        "ranking: search::search (what /search serves) for {} passages per query, collapsed to papers; \
         default settings chosen on SciFact training claims{}",
        hypatia::eval::EVAL_PASSAGES,
        if judged.collection == "scifact" && run.split == "train" {
            ", so these scores are in-sample"
        } else {
            ""
        }
    );
    let mut queries = judged.queries;
    if let Some(n) = run.limit {
        queries.truncate(n);
    }
    let tuning = run.tuning;
    if run.grid {
        use hypatia::search::{Fusion, Tuning};
        let mut settings = Vec::new();
        for k in [5.0f32, 10.0, 20.0, 40.0, 60.0] {
            for w in [0.8f32, 1.0, 1.2, 1.5, 2.0] {
                settings.push((
                    format!("rrf k={k} w={w}"),
                    Tuning {
                        fusion: Fusion::Rrf,
                        rrf_k: k,
                        vector_weight: w,
                        ..tuning
                    },
                ));
            }
        }
        for a in [0.2f32, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7] {
            settings.push((
                format!("convex a={a}"),
                Tuning {
                    fusion: Fusion::Convex { alpha: a },
                    ..tuning
                },
            ));
        }
        let points = hypatia::eval::fusion_grid(&store, embedder.as_ref(), &queries, tuning.title_boost, &settings)?;
        println!("{:<22} {:>9} {:>11}", "hybrid setting", "nDCG@10", "recall@100");
        for p in &points {
            println!("{:<22} {:>9.4} {:>11.4}", p.setting, p.ndcg_at_10, p.recall_at_100);
        }
        return Ok(());
    }
    let scores = hypatia::eval::evaluate(
        &store,
        Some(embedder.as_ref()),
        &queries,
        &hypatia::search::Mode::ALL,
        tuning,
    )?;
    println!(
        "{:<8} {:>9} {:>11} {:>8} {:>7} {:>9}",
        "mode", "nDCG@10", "recall@100", "queries", "short", "ms/query"
    );
    for s in &scores {
        println!(
            "{:<8} {:>9.4} {:>11.4} {:>8} {:>7} {:>9.1}",
            s.mode.name(),
            s.ndcg_at_10,
            s.recall_at_100,
            s.queries,
            s.short,
            s.mean_ms
        );
    }
    println!(
        "short: queries whose {} passages held fewer than 100 papers; ms/query: one search of that many passages, all cited",
        hypatia::eval::EVAL_PASSAGES
    );
    Ok(())
}
