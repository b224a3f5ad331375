//! The research-layer commands of the binary: gaps, hypotheses, experiments, novelty and the
//! gap evaluation. Each parses its arguments, calls one core function and prints JSON.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use hypatia::research::gaps::{self, GapQuery};
use hypatia::research::novelty::{self, NoveltyRequest};
use hypatia::research::results_import::{self, Field, ImportOptions};
use hypatia::research::{self, ExperimentFilter, HypothesisFilter, Metric, NewExperiment, NewHypothesis, StatusUpdate};
use serde::Serialize;

use super::args::{Experiments, Global, Hypotheses, Table};
use super::commands::{load_model, open};

fn print(v: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// `hypatia gaps`.
pub fn gaps(
    g: &Global,
    kind: Option<String>,
    concept: Option<String>,
    as_of: Option<i32>,
    limit: usize,
) -> anyhow::Result<()> {
    let store = open(g, None)?;
    let q = GapQuery {
        kind: kind.map(|k| k.parse()).transpose()?,
        concept,
        as_of,
        limit,
    };
    print(&gaps::find_gaps(&store, &q)?)
}

/// `hypatia eval gaps`.
pub fn eval_gaps(g: &Global, cfg: &gaps::LinkEvalConfig) -> anyhow::Result<()> {
    let store = open(g, None)?;
    let started = std::time::Instant::now();
    let e = gaps::evaluate_link_prediction(&store, cfg)?;
    let (t, h) = (e.t, e.horizon);
    println!(
        "as of {t}: {} papers up to {t} re-extracted with a lexicon of {} terms built from them alone; \
         {} concepts, {} edges, {} unconnected pairs ({} within two hops)",
        e.papers_up_to_t, e.lexicon_terms, e.concepts, e.edges, e.unconnected_pairs, e.candidates
    );
    println!(
        "horizon {h} years: {} papers of {}–{} link {} of those pairs for the first time (the positives; \
         {} of them within two hops)",
        e.papers_in_horizon,
        t + 1,
        t + h,
        e.positives,
        e.positives_in_candidates
    );
    println!(
        "AUC over {} sampled negatives (uniform among the unconnected pairs no paper of the horizon \
         links) and all {} positives; P@k over each ranker's top k unconnected pairs (the link \
         scores and neighbourhood baselines list pairs within two hops, as /gaps does)",
        e.auc_negatives, e.positives
    );
    for s in &e.strata {
        println!();
        println!(
            "{} pairs: {} unconnected, {} positives, {} sampled negatives (random precision {:.5})",
            s.name, s.unconnected_pairs, s.positives, s.auc_negatives, s.random_expected_precision
        );
        print!("{:<34} {:>14}", "ranker", "AUC");
        for k in &e.ks {
            print!(" {:>9}", format!("P@{k}"));
        }
        println!();
        for r in &s.rankers {
            let name = if r.served {
                format!("{} (served by /gaps)", r.name)
            } else {
                r.name.clone()
            };
            // Random's AUC is not measured: it is 0.5 in expectation, and printed as such.
            let auc = match (r.auc, r.name.as_str()) {
                (Some(a), _) => format!("{a:.3}"),
                (None, "random") => "0.5 expected".to_string(),
                (None, _) => "-".to_string(),
            };
            print!("{name:<34} {auc:>14}");
            for p in &r.precision {
                print!(" {:>9.3}", p.precision);
            }
            println!();
        }
    }
    println!("({:.1}s)", started.elapsed().as_secs_f64());
    Ok(())
}

/// `hypatia eval gaps --fit FILE`.
pub fn fit_gaps(g: &Global, cfg: &gaps::LinkEvalConfig, out: &std::path::Path) -> anyhow::Result<()> {
    let store = open(g, None)?;
    let started = std::time::Instant::now();
    let version = format!("links-v1-cut{}-h{}", cfg.cut, cfg.horizon);
    let fit = gaps::fit_link_model(&store, cfg, &version)?;
    let mut json = serde_json::to_string_pretty(&fit.model)?;
    json.push('\n');
    std::fs::write(out, json).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("trained on {}", fit.model.trained_on);
    for (name, w) in gaps::FEATURES.iter().zip(&fit.model.weights) {
        println!("  {name:<12} {w:>8.3}");
    }
    println!(
        "in-sample AUC {:.3} ({} positives, {} negatives); wrote {} ({:.1}s)",
        fit.in_sample_auc,
        fit.positives,
        fit.negatives,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `hypatia novelty`.
pub fn novelty(g: &Global, idea: String, k: usize) -> anyhow::Result<()> {
    let store = open(g, None)?;
    let model = load_model(g)?;
    print(&novelty::novelty(
        &store,
        model.as_ref(),
        &NoveltyRequest {
            idea,
            k: Some(k),
            as_of: None,
            clock: None,
        },
    )?)
}

/// `hypatia hypotheses ...`.
pub fn hypotheses(g: &Global, cmd: Hypotheses) -> anyhow::Result<()> {
    // A proposal may be the store's first write: it is embedded, so the model fixes the dimension.
    let model = match cmd {
        Hypotheses::Propose { .. } => Some(load_model(g)?),
        _ => None,
    };
    let store = open(g, model.as_ref().map(|m| m.identity()))?;
    match cmd {
        Hypotheses::Propose {
            statement,
            agent,
            concepts,
            evidence,
            gap,
            refines,
            combines,
            contradicts,
        } => {
            let derived_from = [
                (research::DerivationRelation::Refines, refines),
                (research::DerivationRelation::Combines, combines),
                (research::DerivationRelation::Contradicts, contradicts),
            ]
            .into_iter()
            .flat_map(|(relation, keys)| {
                keys.into_iter()
                    .map(move |hypothesis| research::DerivationArg { hypothesis, relation })
            })
            .collect();
            let gap = gap
                .map(|j| serde_json::from_str(&j).context("--gap: not a gap as `hypatia gaps` prints it"))
                .transpose()?;
            let model = model.context("the model is loaded for proposals")?;
            let h = NewHypothesis {
                statement,
                agent,
                concepts: concepts.into_iter().map(research::ConceptArg::Name).collect(),
                gap,
                evidence: evidence.into_iter().map(research::EvidenceArg::Name).collect(),
                derived_from,
            };
            print(&research::propose(
                &store,
                model.as_ref(),
                &research::Actor::local(),
                &h,
            )?)
        }
        Hypotheses::List {
            status,
            agent,
            retracted_evidence,
            sort,
            ascending,
            limit,
        } => print(&research::hypotheses(
            &store,
            &HypothesisFilter {
                status: status.map(|s| s.parse()).transpose()?,
                agent,
                flag: retracted_evidence.then_some(research::RecordFlag::RetractedEvidence),
                sort: sort
                    .map(|s| serde_json::from_value(serde_json::Value::String(s.clone())))
                    .transpose()
                    .context("--sort: recency, rating or evidence")?,
                order: Some(if ascending {
                    research::SortOrder::Asc
                } else {
                    research::SortOrder::Desc
                }),
                limit: Some(limit),
            },
        )?),
        Hypotheses::Show {
            id,
            plateau_metric,
            plateau_direction,
            plateau_window,
            plateau_threshold,
        } => {
            let plateau = research::PlateauQuery {
                plateau_metric,
                plateau_direction: plateau_direction
                    .map(|d| serde_json::from_value(serde_json::Value::String(d)))
                    .transpose()
                    .context("--plateau-direction: lower or higher")?,
                plateau_window: Some(plateau_window),
                plateau_threshold: Some(plateau_threshold),
            };
            print(&research::hypothesis_with(&store, &id, &plateau.settings()?)?)
        }
        Hypotheses::Compare {
            winner,
            loser,
            draw,
            agent,
            rationale,
            match_id,
        } => print(&research::compare(
            &store,
            &research::Actor::local(),
            &research::NewComparison {
                winner,
                loser,
                draw,
                agent,
                rationale,
                match_id,
            },
        )?),
        Hypotheses::Status {
            id,
            to,
            agent,
            outcomes,
            note,
        } => print(&research::set_status(
            &store,
            &research::Actor::local(),
            &id,
            &StatusUpdate {
                status: to.parse()?,
                agent,
                outcomes,
                note,
            },
        )?),
    }
}

/// A table's file, and the import options its arguments give (`--map COLUMN=FIELD` parsed).
fn table_options(t: Table) -> anyhow::Result<(std::path::PathBuf, ImportOptions)> {
    let mapping = t
        .map
        .iter()
        .map(|m| {
            let (col, field) = m
                .split_once('=')
                .with_context(|| format!("--map {m}: expected COLUMN=FIELD"))?;
            Ok((col.trim().to_string(), field.parse::<Field>()?))
        })
        .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
    let opts = ImportOptions {
        agent: t.agent,
        hypothesis: t.hypothesis,
        mapping,
        delimiter: None,
    };
    Ok((t.file, opts))
}

/// `hypatia experiments watch`: one line on stdout per run logged, one on stderr per row that
/// failed, until stopped or idle for `idle_exit` seconds.
fn watch(
    store: &hypatia::store::Store,
    model: &dyn hypatia::embed::Embedder,
    file: &std::path::Path,
    opts: &ImportOptions,
    interval: f64,
    idle_exit: Option<f64>,
) -> anyhow::Result<()> {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let mut follow = results_import::Follow::new(file);
    let mut changed = Instant::now();
    if !file.exists() {
        eprintln!("watch: waiting for {}", file.display());
    }
    loop {
        if let Some(step) = follow.poll(store, model, &research::Actor::local(), opts)? {
            changed = Instant::now();
            let mut out = std::io::stdout().lock();
            for r in &step.new_runs {
                let what = if r.created { "logged" } else { "already stored" };
                writeln!(
                    out,
                    "{}:{}: {what} {} ({}) {}",
                    file.display(),
                    r.line,
                    r.run.key,
                    r.run.status.as_str(),
                    r.run.description
                )?;
            }
            out.flush()?;
            for f in &step.new_failures {
                eprintln!(
                    "{}:{}{}: {}",
                    file.display(),
                    f.line,
                    f.field.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(),
                    f.message
                );
            }
        }
        if idle_exit.is_some_and(|s| changed.elapsed() >= Duration::from_secs_f64(s)) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs_f64(interval));
    }
}

/// `hypatia experiments ...`.
pub fn experiments(g: &Global, cmd: Experiments) -> anyhow::Result<()> {
    // Logging and importing may be the store's first write: runs are embedded.
    let model = match cmd {
        Experiments::List { .. } => None,
        _ => Some(load_model(g)?),
    };
    let store = open(g, model.as_ref().map(|m| m.identity()))?;
    match cmd {
        Experiments::Log {
            description,
            status,
            agent,
            hypothesis,
            commit,
            metrics,
            params,
            notes,
        } => {
            let x = NewExperiment {
                agent,
                description,
                status: status.parse()?,
                hypothesis,
                code_version: commit,
                parameters: params
                    .iter()
                    .map(|p| {
                        p.split_once('=')
                            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                            .with_context(|| format!("--param {p}: expected NAME=VALUE"))
                    })
                    .collect::<anyhow::Result<BTreeMap<_, _>>>()?,
                metrics: metrics.iter().map(|m| metric_arg(m)).collect::<anyhow::Result<_>>()?,
                notes,
                artefacts: Vec::new(),
                time: None,
                idempotency_key: None,
            };
            let model = model.context("the model is loaded for logging")?;
            print(&research::log_experiment(
                &store,
                model.as_ref(),
                &research::Actor::local(),
                &x,
            )?)
        }
        Experiments::Import { table, ack_log } => {
            let (file, opts) = table_options(table)?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let model = model.context("the model is loaded for imports")?;
            let mut ack = |_line: u64, w: &research::Written<research::Experiment>| {
                if ack_log {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "ack {}", w.record.key);
                    let _ = out.flush();
                }
            };
            let report = results_import::import_results_acked(
                &store,
                model.as_ref(),
                &research::Actor::local(),
                &file.display().to_string(),
                &bytes,
                &opts,
                &mut ack,
            )?;
            eprintln!(
                "{}: {} rows, {} imported, {} already present, {} failed",
                file.display(),
                report.rows,
                report.imported,
                report.already_present,
                report.failures.len()
            );
            for f in &report.failures {
                eprintln!(
                    "  {}:{}{}: {}",
                    file.display(),
                    f.line,
                    f.field.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(),
                    f.message
                );
            }
            if ack_log {
                Ok(())
            } else {
                print(&report)
            }
        }
        Experiments::Watch {
            table,
            interval,
            idle_exit,
        } => {
            let model = model.context("the model is loaded for watching")?;
            let (file, opts) = table_options(table)?;
            watch(&store, model.as_ref(), &file, &opts, interval, idle_exit)
        }
        Experiments::List {
            hypothesis,
            status,
            retracted_evidence,
        } => print(&research::experiments(
            &store,
            &ExperimentFilter {
                hypothesis,
                status: status.map(|s| s.parse()).transpose()?,
                flag: retracted_evidence.then_some(research::RecordFlag::RetractedEvidence),
                ..Default::default()
            },
        )?),
    }
}

/// `NAME=VALUE[:UNIT[:SPLIT]]`.
fn metric_arg(s: &str) -> anyhow::Result<Metric> {
    let Some((name, rest)) = s.split_once('=') else {
        bail!("--metric {s}: expected NAME=VALUE[:UNIT[:SPLIT]]");
    };
    let mut parts = rest.splitn(3, ':');
    let value = parts.next().unwrap_or("").trim();
    let value: f64 = value
        .parse()
        .with_context(|| format!("--metric {s}: `{value}` is not a number"))?;
    let opt = |p: Option<&str>| p.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    Ok(Metric {
        name: name.trim().to_string(),
        value,
        unit: opt(parts.next()),
        split: opt(parts.next()),
    })
}
