//! The research-layer commands of the binary: gaps, hypotheses, experiments, novelty and the
//! gap evaluation. Each parses its arguments, calls one core function and prints JSON.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use hypatia::gaps::{self, GapQuery};
use hypatia::novelty::{self, NoveltyRequest};
use hypatia::research::{self, ExperimentFilter, HypothesisFilter, Metric, NewExperiment, NewHypothesis, StatusUpdate};
use hypatia::results_import::{self, Field, ImportOptions};
use serde::Serialize;

use crate::cli::{Experiments, Global, Hypotheses};
use crate::{load_model, open};

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
pub fn eval_gaps(g: &Global, cut: i32, ks: &[usize], source_format: Option<&str>) -> anyhow::Result<()> {
    let store = open(g, None)?;
    let started = std::time::Instant::now();
    let e = gaps::evaluate_link_prediction(&store, cut, ks, source_format)?;
    println!(
        "concept graph as of {cut}: {} papers, {} concepts, {} edges; after {cut}: {} papers, {} new links \
         ({} of them within two hops); {} unconnected pairs (random precision {:.5})",
        e.papers_up_to_t,
        e.concepts,
        e.edges,
        e.papers_after_t,
        e.new_links_after_t,
        e.new_links_in_candidates,
        e.unconnected_pairs,
        e.random_expected_precision
    );
    print!("{:<26} {:>7}", "ranker", "AUC");
    for k in ks {
        print!(" {:>9}", format!("P@{k}"));
    }
    println!();
    for r in &e.rankers {
        print!(
            "{:<26} {:>7}",
            r.name,
            r.auc.map_or("-".to_string(), |a| format!("{a:.3}"))
        );
        for p in &r.precision {
            print!(" {:>9.3}", p.precision);
        }
        println!();
    }
    println!(
        "({} negative pairs sampled for the AUC; {:.1}s)",
        e.auc_negatives,
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
        &NoveltyRequest { idea, k: Some(k) },
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
        } => {
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
            };
            print(&research::propose(
                &store,
                model.as_ref(),
                &research::Actor::local(),
                &h,
            )?)
        }
        Hypotheses::List { status, agent, limit } => print(&research::hypotheses(
            &store,
            &HypothesisFilter {
                status: status.map(|s| s.parse()).transpose()?,
                agent,
                limit: Some(limit),
            },
        )?),
        Hypotheses::Show { id } => print(&research::hypothesis(&store, &id)?),
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
        Experiments::Import {
            file,
            agent,
            hypothesis,
            map,
            ack_log,
        } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let mapping = map
                .iter()
                .map(|m| {
                    let (col, field) = m
                        .split_once('=')
                        .with_context(|| format!("--map {m}: expected COLUMN=FIELD"))?;
                    Ok((col.trim().to_string(), field.parse::<Field>()?))
                })
                .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
            let model = model.context("the model is loaded for imports")?;
            let mut ack = |key: &str| {
                if ack_log {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "ack {key}");
                    let _ = out.flush();
                }
            };
            let report = results_import::import_results_acked(
                &store,
                model.as_ref(),
                &research::Actor::local(),
                &file.display().to_string(),
                &bytes,
                &ImportOptions {
                    agent,
                    hypothesis,
                    mapping,
                    delimiter: None,
                },
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
        Experiments::List { hypothesis, status } => print(&research::experiments(
            &store,
            &ExperimentFilter {
                hypothesis,
                status: status.map(|s| s.parse()).transpose()?,
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
