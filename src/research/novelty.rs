//! Novelty of an idea: the nearest papers (with the claims in the nearest passages) and the
//! nearest past hypotheses and experiments with their outcomes, and a score, so that an agent
//! sees "tried on 2026-11-20, discarded, val_bpb 1.02" before it repeats a dead end.
//!
//! Similarity is the cosine of the idea's embedding and a passage's. The score is
//! `1 − max(similarity to any paper passage, similarity to any hypothesis or experiment)`, in
//! [0, 1]; both maxima are reported, and the summary names what drove it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::answers::findings::{claims_in, ClaimQuote};
use crate::common::clock::{as_of_param, AsOf, Clocks};
use crate::common::error::{Error, Result};
use crate::common::fields;
use crate::common::ids::{self, RecordKind};
use crate::common::work::Watch;
use crate::embed::Embedder;
use crate::research::{self, Experiment, Hypothesis};
use crate::store::papers::{Citation, Citer};
use crate::store::{SearchFilter, Store};

/// Nearest neighbours fetched from the vector index before papers are grouped.
const PASSAGE_DEPTH: usize = 100;
/// A record at least this similar is called out as "tried before" in the summary.
pub const SIMILAR: f32 = 0.75;

/// What to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoveltyRequest {
    /// The idea, in a sentence or a paragraph.
    #[schema(value_type = fields::Text)]
    pub idea: String,
    /// Nearest papers, hypotheses and experiments to return, each (default 5, at most 50).
    #[serde(default, deserialize_with = "fields::json_count")]
    #[schema(minimum = 1, maximum = 50)]
    pub k: Option<usize>,
    /// Check against the store as it stood then: a year (its end), a date (its end) or an
    /// RFC 3339 date-time. Papers published or learned later, and records made later, are
    /// left out; a past hypothesis shows the status it had then.
    #[serde(default)]
    #[schema(value_type = Option<fields::AsOfMoment>)]
    pub as_of: Option<String>,
    /// Which clocks `as_of` reads: `both` (default: the store as it stood then) or `valid`
    /// (the literature by its own dates, whatever the store learned since).
    #[serde(default)]
    pub clock: Option<Clocks>,
}

impl NoveltyRequest {
    /// The moment `as_of` names, if any.
    pub fn as_of(&self) -> Result<Option<AsOf>> {
        as_of_param(self.as_of.as_deref(), self.clock)
    }
}

/// Most neighbours of each kind a novelty check returns.
pub const MAX_K: usize = 50;

/// A paper near the idea.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearPaper {
    /// Cosine similarity of its nearest passage.
    pub similarity: f32,
    /// That passage, cited.
    pub citation: Citation,
    /// Claims extracted from that passage.
    pub claims: Vec<ClaimQuote>,
}

/// A past hypothesis near the idea.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NearHypothesis {
    /// Cosine similarity.
    pub similarity: f32,
    /// The hypothesis (with its history and experiments).
    pub hypothesis: Hypothesis,
}

/// A past experiment near the idea.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NearExperiment {
    /// Cosine similarity.
    pub similarity: f32,
    /// "tried on … by …, discarded, val_bpb 1.02".
    pub outcome: String,
    /// The run.
    pub experiment: Experiment,
}

/// The answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoveltyReport {
    /// The idea as asked.
    pub idea: String,
    /// 1 − the highest similarity to anything stored, in [0, 1]; higher is more novel.
    pub novelty: f32,
    /// Highest similarity to a paper passage (0 without papers).
    pub literature_similarity: f32,
    /// Highest similarity to a hypothesis or experiment (0 without any).
    pub record_similarity: f32,
    /// Short lines first: what was tried before and what the literature says.
    pub summary: Vec<String>,
    /// Nearest papers.
    pub papers: Vec<NearPaper>,
    /// Nearest past hypotheses.
    pub hypotheses: Vec<NearHypothesis>,
    /// Nearest past experiments.
    pub experiments: Vec<NearExperiment>,
}

/// Checks an idea against the literature and the research records.
pub fn novelty(store: &Store, embedder: &dyn Embedder, req: &NoveltyRequest) -> Result<NoveltyReport> {
    novelty_watched(store, embedder, req, &mut Watch::none())
}

/// [`novelty`], reporting a [`Step`](crate::common::work::Step) after each of its three stages
/// (the idea embedded, the nearest papers, the nearest records) and stopping between them once
/// the watch is cancelled.
pub fn novelty_watched(
    store: &Store,
    embedder: &dyn Embedder,
    req: &NoveltyRequest,
    watch: &mut Watch<'_>,
) -> Result<NoveltyReport> {
    const CHECK: &str = "the novelty check";
    let idea = fields::text("idea", &req.idea)?;
    let k = req.k.unwrap_or(5);
    if k == 0 || k > MAX_K {
        return Err(Error::invalid("k", format!("{k}: expected 1 to {MAX_K}")));
    }
    let as_of = req.as_of()?;
    let query = embedder
        .embed(&[idea.to_string()])?
        .pop()
        .ok_or_else(|| Error::invalid("idea", "the embedder returned no vector"))?;
    watch.step(1, 3, "embedded the idea");
    watch.check(CHECK)?;
    let papers = near_papers(store, &query, k, as_of.as_ref())?;
    watch.step(2, 3, format!("nearest papers: {}", papers.len()));
    watch.check(CHECK)?;
    let (hypotheses, experiments) = near_records(store, &query, [k, k], as_of.as_ref())?;
    watch.step(
        3,
        3,
        format!(
            "nearest hypotheses: {}, experiment runs: {}",
            hypotheses.len(),
            experiments.len()
        ),
    );

    let literature_similarity = papers.iter().map(|p| p.similarity).fold(0.0, f32::max);
    let record_similarity = hypotheses
        .iter()
        .map(|h| h.similarity)
        .chain(experiments.iter().map(|e| e.similarity))
        .fold(0.0, f32::max);
    let novelty = (1.0 - literature_similarity.max(record_similarity)).clamp(0.0, 1.0);
    let summary = summarise(novelty, &papers, &hypotheses, &experiments);
    Ok(NoveltyReport {
        idea: idea.to_string(),
        novelty,
        literature_similarity,
        record_similarity,
        summary,
        papers,
        hypotheses,
        experiments,
    })
}

/// What lies near an idea: papers, past hypotheses and past experiments, most similar first.
pub struct Neighbours {
    /// Nearest papers (best passage each).
    pub papers: Vec<NearPaper>,
    /// Nearest past hypotheses.
    pub hypotheses: Vec<NearHypothesis>,
    /// Nearest past experiments.
    pub experiments: Vec<NearExperiment>,
}

/// The nearest `counts` = [papers, hypotheses, experiments] to the idea's vector `query`, as of
/// `as_of` when given (see [`NoveltyRequest::as_of`]).
pub fn neighbours(store: &Store, query: &[f32], counts: [usize; 3], as_of: Option<&AsOf>) -> Result<Neighbours> {
    let [k_papers, k_hypotheses, k_experiments] = counts;
    let papers = near_papers(store, query, k_papers, as_of)?;
    let (hypotheses, experiments) = near_records(store, query, [k_hypotheses, k_experiments], as_of)?;
    Ok(Neighbours {
        papers,
        hypotheses,
        experiments,
    })
}

/// Whether a key is visible as of `as_of` (everything is without one).
fn visibility(store: &Store, as_of: Option<&AsOf>) -> Result<impl Fn(&str) -> bool> {
    let timeline = as_of.map(|_| store.timeline()).transpose()?;
    let as_of = as_of.cloned();
    Ok(move |key: &str| match (&timeline, &as_of) {
        (Some(t), Some(a)) => t.visible(key, a),
        _ => true,
    })
}

/// The nearest `k_papers` papers: nearest passages, best passage per paper.
fn near_papers(store: &Store, query: &[f32], k_papers: usize, as_of: Option<&AsOf>) -> Result<Vec<NearPaper>> {
    let visible = visibility(store, as_of)?;
    let hits = store.vectors().search(query, PASSAGE_DEPTH, &SearchFilter::default())?;
    let mut best: Vec<(String, f32)> = Vec::new();
    for (key, sim) in hits {
        let paper = ids::paper_key_of_passage(&key);
        if RecordKind::of_key(paper).is_some()
            || !visible(paper)
            || best.iter().any(|(b, _)| ids::paper_key_of_passage(b) == paper)
        {
            continue;
        }
        best.push((key, sim));
    }
    let passages = store
        .text()
        .passages(&best.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>())?;
    let by_key: BTreeMap<&str, _> = passages.iter().map(|p| (p.key.as_str(), p)).collect();
    let mut citer = Citer::new(store);
    let mut papers = Vec::new();
    for (key, sim) in &best {
        if papers.len() == k_papers {
            break;
        }
        let Some(p) = by_key.get(key.as_str()) else { continue };
        let Some(citation) = citer.cite(p)? else { continue };
        let claims = claims_in(store, &p.paper_key, &[key.as_str()], citation.version.as_deref())?;
        papers.push(NearPaper {
            similarity: *sim,
            citation,
            claims,
        });
    }
    Ok(papers)
}

/// The nearest `[hypotheses, experiments]`: exact similarities over their passages, best passage
/// per record.
fn near_records(
    store: &Store,
    query: &[f32],
    [k_hypotheses, k_experiments]: [usize; 2],
    as_of: Option<&AsOf>,
) -> Result<(Vec<NearHypothesis>, Vec<NearExperiment>)> {
    let visible = visibility(store, as_of)?;
    let scored = store.vectors().exact_records(query, usize::MAX);
    let mut record_best: Vec<(String, f32)> = Vec::new();
    for (key, sim) in scored {
        let rec = ids::paper_key_of_passage(&key).to_string();
        if !visible(&rec) {
            continue;
        }
        if !record_best.iter().any(|(r, _)| *r == rec) {
            record_best.push((rec, sim));
        }
    }
    let mut hypotheses = Vec::new();
    let mut experiments = Vec::new();
    for (rec, sim) in &record_best {
        match RecordKind::of_key(rec) {
            Some(RecordKind::Hypothesis) if hypotheses.len() < k_hypotheses && store.has_doc(rec)? => {
                hypotheses.push(NearHypothesis {
                    similarity: *sim,
                    hypothesis: match as_of {
                        Some(a) => research::hypothesis_as_of(store, rec, a)?,
                        None => research::hypothesis(store, rec)?,
                    },
                })
            }
            Some(RecordKind::Experiment) if experiments.len() < k_experiments && store.has_doc(rec)? => {
                let experiment = research::experiment(store, rec)?;
                experiments.push(NearExperiment {
                    similarity: *sim,
                    outcome: experiment.outcome_line(),
                    experiment,
                })
            }
            _ => {}
        }
    }
    Ok((hypotheses, experiments))
}

fn summarise(
    novelty: f32,
    papers: &[NearPaper],
    hypotheses: &[NearHypothesis],
    experiments: &[NearExperiment],
) -> Vec<String> {
    let mut out = vec![format!(
        "novelty {novelty:.2} (1 − highest similarity to anything stored)"
    )];
    for e in experiments.iter().filter(|e| e.similarity >= SIMILAR) {
        out.push(format!(
            "similar experiment {} ({:.2}): {} — \"{}\"",
            e.experiment.key, e.similarity, e.outcome, e.experiment.description
        ));
    }
    for h in hypotheses.iter().filter(|h| h.similarity >= SIMILAR) {
        out.push(format!(
            "similar hypothesis {} ({:.2}), {} since {} by {}: \"{}\"",
            h.hypothesis.key,
            h.similarity,
            h.hypothesis.status.as_str(),
            h.hypothesis.created.get(..10).unwrap_or(&h.hypothesis.created),
            h.hypothesis.agent,
            h.hypothesis.statement
        ));
    }
    if let Some(p) = papers.first() {
        let year = p.citation.paper.year.map(|y| format!(" ({y})")).unwrap_or_default();
        out.push(format!(
            "nearest paper ({:.2}): {}{year}",
            p.similarity, p.citation.paper.title
        ));
    }
    if out.len() == 1 {
        out.push("nothing stored is close".to_string());
    }
    out
}
