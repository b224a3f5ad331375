//! The `hypatia` command: clap's definitions ([`args`]), the dispatch of each command, and
//! their bodies. The only place that installs a tracing subscriber.

mod args;
mod commands;
mod eval;
mod research;

use commands::*;
use eval::*;

use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Parser;
use hypatia::common::ids::Base;
use hypatia::retrieval::search::{self, SearchRequest};
use hypatia::store::{SearchFilter, Store, StoreOptions};

use args::{Cli, Command, Eval};

/// Parses the command line (after the configuration file) and runs the command.
pub fn main() -> anyhow::Result<()> {
    // The configuration file first: its values become defaults of the variables clap and the
    // log filter read, so that flags and the environment override it.
    let config = config_path();
    let applied = match &config {
        Some(p) => hypatia::common::config::apply(p)?,
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
            let limits = hypatia::serve::http::Limits {
                query_timeout: std::time::Duration::from_secs_f64(query_timeout),
                max_rows,
                ..Default::default()
            };
            let access = match tokens {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    hypatia::serve::http::Access::from_tokens(&text, &path.display().to_string(), !no_anonymous_read)?
                }
                None => hypatia::serve::http::Access::open(writes),
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
                ..Default::default()
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
            include_retracted,
        } => {
            let store = open(g, None)?;
            let model = load_model(g)?;
            let pack = hypatia::answers::findings::find(
                &store,
                Some(model.as_ref()),
                &hypatia::answers::findings::FindingsRequest {
                    question,
                    papers,
                    per_paper,
                    include_retracted,
                    ..Default::default()
                },
            )?;
            match format.as_str() {
                "markdown" | "md" => print!("{}", hypatia::answers::formats::to_markdown(&pack)),
                "json" => println!("{}", serde_json::to_string_pretty(&pack)?),
                "jsonld" | "json-ld" => println!(
                    "{}",
                    serde_json::to_string_pretty(&hypatia::answers::formats::to_jsonld(&pack))?
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
            let results = hypatia::retrieval::sparql_search::query(&store, embedder, &q, &[], &[])?;
            let (bytes, _) = hypatia::serve::http::serialize_results(results, Some(&accept))?;
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
            Ok(())
        }
        Command::Load(args) => load(g, args),
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
            let keys: Vec<String> = ids.iter().map(|i| hypatia::common::ids::paper_key_of(i)).collect();
            let n = store.delete_papers(&keys)?;
            println!("deleted {n} of {} papers", keys.len());
            Ok(())
        }
        Command::Extract {
            batch,
            min_score,
            rules_only,
            threads,
        } => {
            let store = open(g, None)?;
            let model = if rules_only { None } else { Some(load_model(g)?) };
            let defaults = hypatia::ingest::extraction::ExtractOptions::default();
            let options = hypatia::ingest::extraction::ExtractOptions {
                batch,
                min_score,
                threads: threads.unwrap_or(defaults.threads),
            };
            let r = hypatia::ingest::extraction::reextract(&store, &options, model.as_deref())?;
            println!(
                "re-extracted {} papers in {:.1}s on {} threads: lexicon of {} terms ({:.1}s), {} mentions/claims/results/relations; thread time {:.1}s reading, {:.1}s embedding, {:.1}s extracting ({:.0} papers/s per thread); {:.1}s writing {} triples",
                r.papers,
                r.elapsed.as_secs_f64(),
                r.threads,
                r.lexicon_terms,
                r.lexicon_time.as_secs_f64(),
                r.items,
                r.read_time.as_secs_f64(),
                r.embed_time.as_secs_f64(),
                r.extract_time.as_secs_f64(),
                r.papers as f64 / r.extract_time.as_secs_f64().max(1e-9),
                r.write_time.as_secs_f64(),
                r.triples
            );
            Ok(())
        }
        Command::Gaps {
            kind,
            concept,
            as_of,
            limit,
        } => research::gaps(g, kind, concept, as_of, limit),
        Command::Hypotheses(cmd) => research::hypotheses(g, cmd),
        Command::Experiments(cmd) => research::experiments(g, cmd),
        Command::Novelty { idea, k } => research::novelty(g, idea, k),
        Command::Eval(Eval::Gaps {
            cut,
            horizon,
            k,
            source_format,
            min_score,
            fit,
        }) => {
            let cfg = hypatia::research::gaps::LinkEvalConfig {
                cut,
                horizon,
                ks: k,
                source_format,
                min_score,
            };
            match fit {
                Some(out) => research::fit_gaps(g, &cfg, &out),
                None => research::eval_gaps(g, &cfg),
            }
        }
        Command::Eval(Eval::Stance {
            pairs,
            dataset,
            no_model,
            half,
        }) => {
            let keep: fn(usize) -> bool = match half.as_str() {
                "even" => |i| i % 2 == 0,
                "odd" => |i| i % 2 == 1,
                "all" => |_| true,
                other => bail!("--half `{other}` is not one of even, odd, all"),
            };
            let labelled: Vec<_> = hypatia::answers::eval::read_pairs(&pairs)?
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, p)| p)
                .collect();
            let mut abstracts = std::collections::HashMap::new();
            let corpus = dataset.join("corpus.jsonl");
            match std::fs::read_to_string(&corpus) {
                Ok(text) => {
                    let wanted: std::collections::HashSet<&str> = labelled.iter().map(|p| p.doc_id.as_str()).collect();
                    for (i, line) in text.lines().enumerate() {
                        let v: serde_json::Value = serde_json::from_str(line)
                            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", corpus.display(), i + 1))?;
                        let id = v["_id"].as_str().unwrap_or_default();
                        if wanted.contains(id) {
                            abstracts.insert(id.to_string(), v["text"].as_str().unwrap_or_default().to_string());
                        }
                    }
                }
                Err(e) => eprintln!("{}: {e}; the quote figure is not scored", corpus.display()),
            }
            let model = if no_model { None } else { Some(commands::load_model(g)?) };
            let report = hypatia::answers::eval::evaluate(&labelled, model.as_deref(), &abstracts)?;
            println!("pairs: {} ({half} lines)", pairs.display());
            print!("{report}");
            Ok(())
        }
        Command::Eval(Eval::Scierc { dir }) => {
            let read = |f: &str| {
                let p = dir.join(f);
                std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
            };
            let (train, dev) = (read("train.json")?, read("dev.json")?);
            let report =
                hypatia_extract::eval::scierc(&train, &dev).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            println!("{report}");
            let model = commands::load_model(g)?;
            let heads = hypatia_extract::learned::Heads::bundled();
            // Scored whatever the model, so that a variant of the heads' model (int8, exact fp32)
            // can be measured before it is listed as one the heads serve.
            let sha = &model.identity().weights_sha256;
            if let Some(listed) = heads.listed_model(sha) {
                println!(
                    "  learned heads {}: {} is a variant of the model they were trained on, listed with dev F1 {:.1} entities / {:.1} relations (extract/models/scierc-heads-models.json)",
                    heads.version(),
                    listed.name,
                    listed.dev_entity_f1,
                    listed.dev_relation_f1
                );
            } else if !heads.fits_model(sha) {
                println!(
                    "  learned heads {}: not trained on, nor listed for, {}; scored anyway (ingest would run the rules only)",
                    heads.version(),
                    model.identity().describe()
                );
            }
            let learned = hypatia_extract::eval::scierc_learned(&train, &dev, heads, &mut |texts| {
                model
                    .embed_with_states(texts)
                    .map(|v| v.into_iter().map(|(_, s)| s).collect())
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            println!("{learned}");
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
            rerank,
            fit,
            max_unmapped,
        }) => {
            let d = hypatia::retrieval::search::Tuning::default();
            let fusion = match fusion.as_deref() {
                None => d.fusion,
                Some("rrf") => hypatia::retrieval::search::Fusion::Rrf,
                Some(f) => match f.strip_prefix("convex:").and_then(|a| a.parse::<f32>().ok()) {
                    Some(alpha) if (0.0..=1.0).contains(&alpha) => hypatia::retrieval::search::Fusion::Convex { alpha },
                    _ => bail!("--fusion {f}: expected rrf or convex:ALPHA with ALPHA in [0, 1]"),
                },
            };
            let tuning = hypatia::retrieval::search::Tuning {
                fusion,
                title_boost: title_boost.unwrap_or(d.title_boost),
                rrf_k: rrf_k.unwrap_or(d.rrf_k),
                vector_weight: vector_weight.unwrap_or(d.vector_weight),
                rerank: d.rerank,
            };
            let run = BeirRun {
                dataset,
                split,
                limit,
                tuning,
                grid,
                rerank,
                fit,
                max_unmapped,
            };
            eval_beir(g, &run)
        }
    }
}
