//! The read side: hypotheses (with their history, experiments and quoted evidence) and
//! experiment runs, from the store's named queries, and the filters that list them.

use std::collections::{BTreeMap, HashMap};

use oxigraph::model::{Literal, Term};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::common::clock::{AsOf, Moment};
use crate::common::error::{Error, Result, UserError};
use crate::common::fields;
use crate::common::ids::{self, RecordKind};
use crate::store::queries::{self, select, Row};
use crate::store::standing::Standing;
use crate::store::Store;

use super::answers::{ConceptLabel, Experiment, Hypothesis, StatusChange};
use super::evidence::quoted_evidence;
use super::helpers::{key_of_iri, node, words};
use super::lineage::Lineage;
use super::plateau::{plateaus, PlateauSettings};
use super::rank::{comparisons, ratings, Rating};
use super::requests::{record_key, HypothesisKey, Metric};
use super::status::{HypothesisStatus, RunStatus};

/// A stored hypothesis with its history, experiments, lineage, rating and the plateaus of its
/// runs' metrics (with the default plateau settings).
pub fn hypothesis(store: &Store, id: &str) -> Result<Hypothesis> {
    hypothesis_with(store, id, &PlateauSettings::default())
}

/// [`hypothesis`], its plateaus read with `plateau`.
pub fn hypothesis_with(store: &Store, id: &str, plateau: &PlateauSettings) -> Result<Hypothesis> {
    let key = record_key(RecordKind::Hypothesis, id)?;
    let iri = store.base().iri(RecordKind::Hypothesis.segment(), &key);
    let rows = select(store, queries::HYPOTHESES, &[("h", node(&iri)?)])?;
    let Some(row) = rows.into_iter().next() else {
        return Err(UserError::NotFound(format!("hypothesis `{id}`")).into());
    };
    let extras = Extras {
        ratings: ratings(&comparisons(store)?, None),
        lineage: Lineage::load(store)?,
        // Counted below from the runs themselves.
        kept: HashMap::new(),
    };
    let mut h = hypothesis_from_row(store, row, &extras)?;
    h.quoted_evidence = quoted_evidence(store, &iri)?;
    h.history = select(store, queries::HYPOTHESIS_HISTORY, &[("h", node(&iri)?)])?
        .into_iter()
        .map(|r| status_change_from_row(store, r))
        .collect::<Result<_>>()?;
    h.experiments = experiments(
        store,
        &ExperimentFilter {
            hypothesis: Some(key),
            ..Default::default()
        },
    )?;
    h.evidence_count = h.evidence.len() + kept_runs(&h.experiments);
    h.plateaus = plateaus(run_metrics(&h.experiments), plateau);
    Ok(h)
}

fn kept_runs(runs: &[Experiment]) -> usize {
    runs.iter().filter(|e| e.status == RunStatus::Keep).count()
}

/// What hypothesis reads add to the rows of `hypotheses.rq`, read once per call: ratings,
/// lineage, and kept runs per hypothesis key.
struct Extras {
    ratings: HashMap<String, Rating>,
    lineage: Lineage,
    kept: HashMap<String, usize>,
}

impl Extras {
    fn load(store: &Store) -> Result<Extras> {
        let mut kept: HashMap<String, usize> = HashMap::new();
        for r in select(store, queries::EXPERIMENTS, &[("status", node(RunStatus::Keep.iri())?)])? {
            if let Some(t) = r.get("tested") {
                *kept.entry(key_of_iri(t)).or_default() += 1;
            }
        }
        Ok(Extras {
            ratings: ratings(&comparisons(store)?, None),
            lineage: Lineage::load(store)?,
            kept,
        })
    }

    fn rating(&self, key: &str) -> Rating {
        self.ratings.get(key).cloned().unwrap_or_default()
    }
}

/// A hypothesis as it stood as of `as_of`: the status its last change by then set (proposed
/// before any), the changes and experiments made by then, and the evidence retracted by then
/// ([`crate::common::clock`]). The caller checks that the hypothesis itself existed.
pub fn hypothesis_as_of(store: &Store, id: &str, as_of: &AsOf) -> Result<Hypothesis> {
    let mut h = hypothesis(store, id)?;
    let by_then = |t: &str| Moment::latest_in(t).is_none_or(|m| m <= as_of.at);
    h.history.retain(|c| by_then(&c.time));
    h.status = h.history.last().map_or(HypothesisStatus::Proposed, |c| c.to);
    h.experiments.retain(|e| by_then(&e.time));
    h.derivatives = Lineage::load(store)?
        .children_of(&h.key)
        .iter()
        .filter(|(_, created)| by_then(created))
        .map(|(d, _)| d.clone())
        .collect();
    h.rating = ratings(&comparisons(store)?, Some(as_of.at))
        .remove(&h.key)
        .unwrap_or_default();
    h.evidence_count = h.evidence.len() + kept_runs(&h.experiments);
    h.plateaus = plateaus(run_metrics(&h.experiments), &PlateauSettings::default());
    let standing = store.standing()?;
    let prefix = store.base().passage_iri("");
    let retracted = |e: &String| {
        e.strip_prefix(&prefix)
            .is_some_and(|k| standing.is_retracted_as_of(ids::paper_key_of_passage(k), Some(as_of)))
    };
    h.retracted_evidence.retain(&retracted);
    for e in &mut h.experiments {
        e.retracted_evidence.retain(&retracted);
    }
    Ok(h)
}

/// Which hypotheses to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HypothesisFilter {
    /// Only this status.
    #[serde(default)]
    pub status: Option<HypothesisStatus>,
    /// Only this agent's.
    #[serde(default)]
    pub agent: Option<String>,
    /// Only those with this flag: `retracted_evidence`, evidence from a retracted paper.
    #[serde(default)]
    #[param(inline)]
    pub flag: Option<RecordFlag>,
    /// What to order by: `recency` (when it was proposed; the default), `rating` (Elo from
    /// pairwise comparisons, 1200 before any) or `evidence` (`evidence_count`: distinct
    /// evidence passages, its own and its gap's, plus kept runs testing it). Ties are newest
    /// first.
    #[serde(default)]
    #[param(inline)]
    pub sort: Option<HypothesisSort>,
    /// `desc` (the default: newest, highest rated or best supported first) or `asc`.
    #[serde(default)]
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Most hypotheses, taken after sorting; 100 when absent.
    #[serde(default, deserialize_with = "fields::count")]
    pub limit: Option<usize>,
}

/// What `GET /hypotheses` orders by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HypothesisSort {
    /// When it was proposed.
    #[default]
    Recency,
    /// Its Elo rating.
    Rating,
    /// Its evidence count: evidence passages plus kept runs.
    Evidence,
}

/// Which end of a sort comes first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Highest (newest) first.
    #[default]
    Desc,
    /// Lowest (oldest) first.
    Asc,
}

/// Something about a record an agent should look at again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordFlag {
    /// Its evidence (a hypothesis' own or its gap's; for a run, its hypothesis') cites a
    /// passage of a paper that is now retracted.
    RetractedEvidence,
}

impl RecordFlag {
    fn holds(self, retracted_evidence: &[String]) -> bool {
        match self {
            RecordFlag::RetractedEvidence => !retracted_evidence.is_empty(),
        }
    }
}

/// The passages among `evidence` (passage IRIs) whose paper is retracted.
fn retracted_among(store: &Store, standing: &Standing, evidence: &[String]) -> Vec<String> {
    let prefix = store.base().passage_iri("");
    evidence
        .iter()
        .filter(|e| {
            e.strip_prefix(&prefix)
                .is_some_and(|k| standing.is_retracted(ids::paper_key_of_passage(k)))
        })
        .cloned()
        .collect()
}

/// Stored hypotheses in the order `f` asks for (newest first by default), without history,
/// experiments and plateaus (ask for one to get them).
pub fn hypotheses(store: &Store, f: &HypothesisFilter) -> Result<Vec<Hypothesis>> {
    let mut b: Vec<(&str, Term)> = Vec::new();
    if let Some(s) = f.status {
        b.push(("status", node(s.iri())?));
    }
    if let Some(a) = &f.agent {
        b.push(("agent", Literal::new_simple_literal(a.trim()).into()));
    }
    let limit = f.limit.unwrap_or(100);
    let extras = Extras::load(store)?;
    // The query's order is newest first; the sorts below are stable, so ties stay that way.
    let mut rows = select(store, queries::HYPOTHESES, &b)?;
    let key = |r: &Row| key_of_iri(r.get("h").map_or("", String::as_str));
    let desc = f.order.unwrap_or_default() == SortOrder::Desc;
    match f.sort.unwrap_or_default() {
        HypothesisSort::Recency if desc => {}
        HypothesisSort::Recency => rows.reverse(),
        HypothesisSort::Rating => rows.sort_by(|x, y| {
            let (a, b) = (extras.rating(&key(x)).elo, extras.rating(&key(y)).elo);
            if desc {
                b.total_cmp(&a)
            } else {
                a.total_cmp(&b)
            }
        }),
        HypothesisSort::Evidence => {
            let count = |r: &Row| words(r.get("evidence")).len() + extras.kept.get(&key(r)).copied().unwrap_or(0);
            rows.sort_by(|x, y| {
                if desc {
                    count(y).cmp(&count(x))
                } else {
                    count(x).cmp(&count(y))
                }
            });
        }
    }
    let mut out = Vec::new();
    for r in rows {
        if out.len() == limit {
            break;
        }
        let h = hypothesis_from_row(store, r, &extras)?;
        if f.flag.is_none_or(|flag| flag.holds(&h.retracted_evidence)) {
            out.push(h);
        }
    }
    Ok(out)
}

/// Which experiments to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExperimentFilter {
    /// Only runs testing this hypothesis (key or IRI).
    #[serde(default)]
    #[param(value_type = Option<HypothesisKey>, inline)]
    pub hypothesis: Option<String>,
    /// Only this run status.
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// Only this agent's.
    #[serde(default)]
    pub agent: Option<String>,
    /// Only those with this flag: `retracted_evidence`, the tested hypothesis' evidence is
    /// from a retracted paper.
    #[serde(default)]
    #[param(inline)]
    pub flag: Option<RecordFlag>,
    /// Most runs (oldest first); all when absent.
    #[serde(default, deserialize_with = "fields::count")]
    pub limit: Option<usize>,
}

/// Stored experiment runs, oldest first.
pub fn experiments(store: &Store, f: &ExperimentFilter) -> Result<Vec<Experiment>> {
    let mut b: Vec<(&str, Term)> = Vec::new();
    let tested = match &f.hypothesis {
        Some(h) => Some(store.base().iri(
            RecordKind::Hypothesis.segment(),
            &record_key(RecordKind::Hypothesis, h)?,
        )),
        None => None,
    };
    if let Some(s) = f.status {
        b.push(("status", node(s.iri())?));
    }
    if let Some(a) = &f.agent {
        b.push(("agent", Literal::new_simple_literal(a.trim()).into()));
    }
    let rows = select(store, queries::EXPERIMENTS, &b)?;
    let limit = f.limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for r in rows {
        if out.len() == limit {
            break;
        }
        if tested.is_some() && r.get("tested") != tested.as_ref() {
            continue;
        }
        let e = experiment_from_row(store, r)?;
        if f.flag.is_none_or(|flag| flag.holds(&e.retracted_evidence)) {
            out.push(e);
        }
    }
    Ok(out)
}

/// One stored experiment run.
pub fn experiment(store: &Store, id: &str) -> Result<Experiment> {
    let key = record_key(RecordKind::Experiment, id)?;
    let iri = store.base().iri(RecordKind::Experiment.segment(), &key);
    select(store, queries::EXPERIMENTS, &[("e", node(&iri)?)])?
        .into_iter()
        .next()
        .map(|r| experiment_from_row(store, r))
        .unwrap_or_else(|| Err(UserError::NotFound(format!("experiment `{id}`")).into()))
}

fn hypothesis_from_row(store: &Store, r: Row, extras: &Extras) -> Result<Hypothesis> {
    let iri = r.get("h").cloned().unwrap_or_default();
    let status = r
        .get("status")
        .and_then(|s| HypothesisStatus::from_iri(s))
        .ok_or_else(|| Error::graph(format!("hypothesis {iri} has no status")))?;
    let concepts = words(r.get("concepts"))
        .into_iter()
        .map(|c| {
            let label = concept_label(store, &c)?;
            Ok(ConceptLabel { iri: c, label })
        })
        .collect::<Result<_>>()?;
    let evidence = words(r.get("evidence"));
    let key = key_of_iri(&iri);
    Ok(Hypothesis {
        retracted_evidence: retracted_among(store, &*store.standing()?, &evidence),
        evidence_count: evidence.len() + extras.kept.get(&key).copied().unwrap_or(0),
        evidence,
        derived_from: extras.lineage.parents_of(&key),
        derivatives: extras
            .lineage
            .children_of(&key)
            .iter()
            .map(|(d, _)| d.clone())
            .collect(),
        rating: extras.rating(&key),
        plateaus: Vec::new(),
        key,
        statement: r.get("statement").cloned().unwrap_or_default(),
        agent: r.get("agent").cloned().unwrap_or_default(),
        created: r.get("created").cloned().unwrap_or_default(),
        status,
        concepts,
        quoted_evidence: Vec::new(),
        gap: r.get("gapKind").map(|k| (k.clone(), r.get("gapExplanation").cloned())),
        history: Vec::new(),
        experiments: Vec::new(),
        iri,
    })
}

fn concept_label(store: &Store, iri: &str) -> Result<Option<String>> {
    Ok(select(store, queries::CONCEPT_LABELS, &[("concept", node(iri)?)])?
        .into_iter()
        .next()
        .and_then(|mut r| r.remove("label")))
}

fn status_change_from_row(_store: &Store, r: Row) -> Result<StatusChange> {
    let to = r
        .get("to")
        .and_then(|s| HypothesisStatus::from_iri(s))
        .ok_or_else(|| Error::graph("status change without a status"))?;
    Ok(StatusChange {
        key: r.get("c").map(|c| key_of_iri(c)).unwrap_or_default(),
        from: r.get("from").and_then(|s| HypothesisStatus::from_iri(s)),
        to,
        time: r.get("time").cloned().unwrap_or_default(),
        agent: r.get("agent").cloned().unwrap_or_default(),
        outcomes: words(r.get("outcomes")).iter().map(|o| key_of_iri(o)).collect(),
        note: r.get("note").cloned(),
    })
}

fn experiment_from_row(store: &Store, r: Row) -> Result<Experiment> {
    let iri = r.get("e").cloned().unwrap_or_default();
    let status = r
        .get("status")
        .and_then(|s| RunStatus::from_iri(s))
        .ok_or_else(|| Error::graph(format!("experiment {iri} has no run status")))?;
    let mut metrics = Vec::new();
    let mut parameters = BTreeMap::new();
    let mut artefacts = Vec::new();
    for d in select(store, queries::EXPERIMENT_DETAILS, &[("e", node(&iri)?)])? {
        match d.get("kind").map(String::as_str) {
            Some("measurement") => metrics.push(Metric {
                name: d.get("name").cloned().unwrap_or_default(),
                value: d.get("value").and_then(|v| v.parse().ok()).unwrap_or(f64::NAN),
                unit: d.get("unit").cloned(),
                split: d.get("split").cloned(),
            }),
            Some("parameter") => {
                parameters.insert(
                    d.get("name").cloned().unwrap_or_default(),
                    d.get("value").cloned().unwrap_or_default(),
                );
            }
            Some("artefact") => artefacts.extend(d.get("value").cloned()),
            _ => {}
        }
    }
    // A run stands on its hypothesis' evidence.
    let retracted_evidence = match r.get("tested") {
        Some(h) => {
            let standing = store.standing()?;
            select(store, queries::HYPOTHESES, &[("h", node(h)?)])?
                .into_iter()
                .next()
                .map(|row| retracted_among(store, &standing, &words(row.get("evidence"))))
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    Ok(Experiment {
        retracted_evidence,
        key: key_of_iri(&iri),
        description: r.get("description").cloned().unwrap_or_default(),
        status,
        agent: r.get("agent").cloned().unwrap_or_default(),
        time: r.get("time").cloned().unwrap_or_default(),
        hypothesis: r.get("tested").map(|h| key_of_iri(h)),
        code_version: r.get("code").cloned(),
        parameters,
        metrics,
        notes: r.get("notes").cloned(),
        artefacts,
        iri,
    })
}

/// A hypothesis' current status and the agent who proposed it.
pub(super) fn current_status(store: &Store, key: &str) -> Result<(HypothesisStatus, String)> {
    let iri = store.base().iri(RecordKind::Hypothesis.segment(), key);
    select(store, queries::HYPOTHESES, &[("h", node(&iri)?)])?
        .into_iter()
        .find_map(|r| {
            let status = r.get("status").and_then(|s| HypothesisStatus::from_iri(s))?;
            Some((status, r.get("agent")?.clone()))
        })
        .ok_or_else(|| UserError::NotFound(format!("hypothesis `{key}`")).into())
}

/// What plateau detection reads of each run.
fn run_metrics(runs: &[Experiment]) -> impl Iterator<Item = super::plateau::RunMetrics<'_>> {
    runs.iter().map(|x| (x.key.as_str(), x.status, x.metrics.as_slice()))
}
