//! The research layer's records: hypotheses, their status changes, and experiment runs, written
//! by agents as nanopublications (DESIGN.md, "The research layer").
//!
//! Each record is one nanopublication under its own key ([`RecordKind`]): a head graph naming
//! the other three, an assertion graph (what the agent states: the hypothesis, or the run and its
//! outcome), a provenance graph (who asserted it, when) and a publication-info graph (the record's
//! citable description: name, author, date, canonical text and its passage). Hypotheses and
//! experiments are also indexed and embedded like papers, so search and novelty find them beside
//! the literature. A hypothesis has one mutable graph, `…/status`, holding its current status;
//! every change of it is itself an immutable record naming the outcomes it rests on. None of these
//! graphs is ever touched by ingest.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hypatia_ingest::{Author, Paper, Section};
use oxigraph::model::{Literal, NamedNode, Term};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::common::error::{Error, Result, UserError};
use crate::common::fields;
use crate::common::ids::{self, RecordKind};
use crate::common::passages::{self, ChunkConfig};
use crate::common::vocab::{hyp, np, oa, prov, rdf, schema, xsd};
use crate::embed::Embedder;
use crate::ingest::extraction::concept_iri;
use crate::ingest::facts::{self, Facts};
use crate::store::queries::{self, select, Row};
use crate::store::{PaperDoc, ResearchWrite, Store, StoredPassage};

pub use crate::common::fields::MAX_TEXT;
/// Most concepts, evidence items, parameters, metrics or artefacts on one record.
pub const MAX_ITEMS: usize = 200;

/// Where a hypothesis stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HypothesisStatus {
    /// Proposed, not tested yet.
    Proposed,
    /// Experiments are running.
    Testing,
    /// The outcomes support it.
    Supported,
    /// The outcomes refute it.
    Refuted,
    /// The outcomes decide nothing.
    Inconclusive,
}

impl HypothesisStatus {
    /// Whether moving to this status needs an experiment's outcome behind it.
    pub fn needs_outcome(self) -> bool {
        matches!(self, HypothesisStatus::Supported | HypothesisStatus::Refuted)
    }

    const ALL: [HypothesisStatus; 5] = [
        HypothesisStatus::Proposed,
        HypothesisStatus::Testing,
        HypothesisStatus::Supported,
        HypothesisStatus::Refuted,
        HypothesisStatus::Inconclusive,
    ];

    /// The status' name in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            HypothesisStatus::Proposed => "proposed",
            HypothesisStatus::Testing => "testing",
            HypothesisStatus::Supported => "supported",
            HypothesisStatus::Refuted => "refuted",
            HypothesisStatus::Inconclusive => "inconclusive",
        }
    }

    /// The status' IRI.
    pub fn iri(self) -> &'static str {
        match self {
            HypothesisStatus::Proposed => hyp::PROPOSED,
            HypothesisStatus::Testing => hyp::TESTING,
            HypothesisStatus::Supported => hyp::SUPPORTED,
            HypothesisStatus::Refuted => hyp::REFUTED,
            HypothesisStatus::Inconclusive => hyp::INCONCLUSIVE,
        }
    }

    fn from_iri(iri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.iri() == iri)
    }
}

impl std::str::FromStr for HypothesisStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.as_str() == norm).ok_or_else(|| {
            Error::invalid(
                "status",
                format!("`{s}`: expected proposed, testing, supported, refuted or inconclusive"),
            )
        })
    }
}

/// What became of an experiment run (the autoresearch loop's `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// The change was kept.
    Keep,
    /// The change was discarded.
    Discard,
    /// The run crashed.
    Crash,
}

impl RunStatus {
    const ALL: [RunStatus; 3] = [RunStatus::Keep, RunStatus::Discard, RunStatus::Crash];

    /// The status' name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Keep => "keep",
            RunStatus::Discard => "discard",
            RunStatus::Crash => "crash",
        }
    }

    /// The status' IRI.
    pub fn iri(self) -> &'static str {
        match self {
            RunStatus::Keep => hyp::KEEP,
            RunStatus::Discard => hyp::DISCARD,
            RunStatus::Crash => hyp::CRASH,
        }
    }

    fn from_iri(iri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.iri() == iri)
    }
}

impl std::str::FromStr for RunStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase();
        let norm = match norm.as_str() {
            "kept" => "keep",
            "discarded" => "discard",
            "crashed" | "failed" | "error" => "crash",
            other => other,
        };
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| Error::invalid("status", format!("`{s}`: expected keep, discard or crash")))
    }
}

/// A concept named by IRI or label, as agents pass them (a bare string, or a concept object of
/// a gap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ConceptArg {
    /// A concept IRI, or a label to look up.
    Name(String),
    /// A concept object (`{"iri": ..., "label": ...}`, as `/gaps` returns them).
    Object {
        /// The concept's IRI.
        iri: String,
    },
}

// By hand, because a name must not be blank, which the derive cannot say of an unnamed variant.
impl utoipa::PartialSchema for ConceptArg {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder};
        OneOfBuilder::new()
            .description(Some(
                "A concept IRI, or a label to look up; or a concept object of a gap.",
            ))
            .item(fields::NonBlank::schema())
            .item(
                ObjectBuilder::new()
                    .property("iri", fields::NonBlank::schema())
                    .required("iri"),
            )
            .into()
    }
}

impl ToSchema for ConceptArg {}

/// A passage named by key or IRI, or an evidence object of a gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(untagged)]
pub enum EvidenceArg {
    /// A passage key or IRI.
    Name(String),
    /// An evidence object (`{"passage": ..., "quote": ...}`, as `/gaps` returns them).
    Object {
        /// The passage's key or IRI.
        passage: String,
    },
}

/// The gap behind a hypothesis, as `/gaps` returned it (other fields are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
pub struct GapArg {
    /// The gap's kind (`missing_link`, ...).
    pub kind: crate::research::gaps::GapKind,
    /// Its explanation.
    #[serde(default)]
    #[schema(value_type = Option<fields::Text>)]
    pub explanation: Option<String>,
    /// Its score.
    #[serde(default)]
    pub score: Option<f64>,
    /// The concepts it is about.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub concepts: Vec<ConceptArg>,
    /// The passages behind it.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub evidence: Vec<EvidenceArg>,
}

/// A hypothesis an agent proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHypothesis {
    /// What the agent expects to be true, in one or a few sentences.
    #[schema(value_type = fields::Text)]
    pub statement: String,
    /// Who proposes it (an agent id, e.g. "autoresearch-7").
    #[schema(value_type = fields::Agent)]
    pub agent: String,
    /// Concepts it is about: IRIs or labels.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub concepts: Vec<ConceptArg>,
    /// The gap that motivated it.
    #[serde(default)]
    pub gap: Option<GapArg>,
    /// Passages (keys or IRIs) that support proposing it.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub evidence: Vec<EvidenceArg>,
}

/// A change of a hypothesis' status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    /// The new status.
    pub status: HypothesisStatus,
    /// Who changes it.
    pub agent: String,
    /// The experiments (keys or IRIs) whose outcomes the change rests on; at least one for
    /// supported and refuted.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
}

// By hand, because "supported and refuted need an outcome" ties two fields together, which the
// derive cannot say.
impl utoipa::PartialSchema for StatusUpdate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Type,
        };
        use utoipa::openapi::Ref;
        let fields = ObjectBuilder::new()
            .property("status", Ref::from_schema_name(HypothesisStatus::name()))
            .required("status")
            .property("agent", fields::Agent::schema())
            .required("agent")
            .property(
                "outcomes",
                ArrayBuilder::new()
                    .items(ExperimentKey::schema())
                    .max_items(Some(MAX_ITEMS))
                    .description(Some(
                        "The experiments (keys or IRIs) whose outcomes the change rests on; at least \
                         one for supported and refuted.",
                    )),
            )
            .property(
                "note",
                OneOfBuilder::new()
                    .item(ObjectBuilder::new().schema_type(Type::Null))
                    .item(fields::Text::schema())
                    .description(Some("Why.")),
            )
            .additional_properties(Some(AdditionalProperties::<utoipa::openapi::schema::Schema>::FreeForm(
                false,
            )));
        let settled = HypothesisStatus::ALL.into_iter().filter(|s| !s.needs_outcome());
        let outcome_rule = AnyOfBuilder::new()
            .item(
                ObjectBuilder::new().property(
                    "status",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(settled.map(HypothesisStatus::as_str))),
                ),
            )
            .item(
                ObjectBuilder::new()
                    .property(
                        "outcomes",
                        ArrayBuilder::new().items(ExperimentKey::schema()).min_items(Some(1)),
                    )
                    .required("outcomes"),
            );
        AllOfBuilder::new()
            .description(Some("A change of a hypothesis' status."))
            .item(fields)
            .item(outcome_rule)
            .into()
    }
}

impl ToSchema for StatusUpdate {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push((HypothesisStatus::name().into(), HypothesisStatus::schema()));
    }
}

/// One metric of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// Its name ("val_bpb").
    #[schema(value_type = fields::NonBlank)]
    pub name: String,
    /// Its value.
    pub value: f64,
    /// Its unit ("GB"), when it has one.
    #[serde(default)]
    pub unit: Option<String>,
    /// The data split it was measured on ("val").
    #[serde(default)]
    pub split: Option<String>,
}

/// An experiment run an agent logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExperiment {
    /// Who ran it.
    #[schema(value_type = fields::Agent)]
    pub agent: String,
    /// What was tried, in a sentence.
    #[schema(value_type = fields::Text)]
    pub description: String,
    /// keep, discard or crash.
    pub status: RunStatus,
    /// The hypothesis it tests (key or IRI).
    #[serde(default)]
    #[schema(value_type = Option<HypothesisKey>)]
    pub hypothesis: Option<String>,
    /// Code version (a git commit, a tag).
    #[serde(default)]
    pub code_version: Option<String>,
    /// Parameters, by name.
    #[serde(default)]
    #[schema(value_type = Parameters)]
    pub parameters: BTreeMap<String, String>,
    /// Metrics.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub metrics: Vec<Metric>,
    /// Notes.
    #[serde(default)]
    #[schema(value_type = Option<fields::Text>)]
    pub notes: Option<String>,
    /// Links to artefacts (logs, checkpoints, plots).
    #[serde(default)]
    #[schema(max_items = 200)]
    pub artefacts: Vec<String>,
    /// When it ran (RFC 3339); now when absent.
    #[serde(default)]
    #[schema(value_type = Option<fields::Time>)]
    pub time: Option<String>,
    /// A client-chosen idempotency key: the same key logs the run once. Without it the run's
    /// content (and time) is the key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// A concept as a record names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConceptLabel {
    /// The concept's IRI.
    pub iri: String,
    /// Its preferred label, when the store knows the concept.
    pub label: Option<String>,
}

/// One change of a hypothesis' status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatusChange {
    /// The change record's key.
    pub key: String,
    /// The status before (none for the proposal).
    pub from: Option<HypothesisStatus>,
    /// The status after.
    pub to: HypothesisStatus,
    /// When.
    pub time: String,
    /// Who.
    pub agent: String,
    /// The experiments it rests on (keys).
    pub outcomes: Vec<String>,
    /// Why.
    pub note: Option<String>,
}

/// A stored hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Hypothesis {
    /// Its key (`hyp_…`).
    pub key: String,
    /// Its IRI.
    pub iri: String,
    /// The statement.
    pub statement: String,
    /// Who proposed it.
    pub agent: String,
    /// When (RFC 3339).
    pub created: String,
    /// The current status.
    pub status: HypothesisStatus,
    /// Concepts it is about.
    pub concepts: Vec<ConceptLabel>,
    /// Passage IRIs behind it (its own and its gap's).
    pub evidence: Vec<String>,
    /// What each evidence passage said when the hypothesis was recorded (its own and its
    /// gap's): the citation it rests on, kept even if the paper is replaced later.
    pub quoted_evidence: Vec<QuotedEvidence>,
    /// The motivating gap's kind and explanation.
    pub gap: Option<(String, Option<String>)>,
    /// Status changes, oldest first.
    pub history: Vec<StatusChange>,
    /// Experiments that test it, oldest first.
    pub experiments: Vec<Experiment>,
}

/// An evidence passage as it was when a hypothesis cited it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QuotedEvidence {
    /// The passage key.
    pub passage: String,
    /// The paper's IRI.
    pub paper: String,
    /// The passage's text then, verbatim.
    pub quote: String,
    /// Start offset in the paper's canonical text then (characters).
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    /// Hash of the quote.
    pub content_hash: String,
    /// The version (digest) of the paper then.
    pub paper_digest: String,
    /// Whether the store's passage of that key still has this text at these offsets; `false`
    /// when the paper was replaced by a version that changed (or dropped) it.
    pub unchanged: bool,
}

/// A stored experiment run.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Experiment {
    /// Its key (`exp_…`).
    pub key: String,
    /// Its IRI.
    pub iri: String,
    /// What was tried.
    pub description: String,
    /// keep, discard or crash.
    pub status: RunStatus,
    /// Who ran it.
    pub agent: String,
    /// When (RFC 3339).
    pub time: String,
    /// The hypothesis it tests (key).
    pub hypothesis: Option<String>,
    /// Code version.
    pub code_version: Option<String>,
    /// Parameters.
    pub parameters: BTreeMap<String, String>,
    /// Metrics, by name then split.
    pub metrics: Vec<Metric>,
    /// Notes.
    pub notes: Option<String>,
    /// Artefact links.
    pub artefacts: Vec<String>,
}

impl Experiment {
    /// One line an agent reads before repeating a run: "tried on 2026-11-20 by a1, discarded,
    /// val_bpb 1.02".
    pub fn outcome_line(&self) -> String {
        let verb = match self.status {
            RunStatus::Keep => "kept",
            RunStatus::Discard => "discarded",
            RunStatus::Crash => "crashed",
        };
        let mut s = format!(
            "tried on {} by {}, {verb}",
            self.time.get(..10).unwrap_or(&self.time),
            self.agent
        );
        for m in &self.metrics {
            let _ = write!(s, ", {} {}", m.name, m.value);
            if let Some(u) = &m.unit {
                let _ = write!(s, " {u}");
            }
        }
        s
    }
}

/// What a write did: the record, and whether it was new (an identical earlier write makes the
/// same record, which is returned unchanged).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Written<T> {
    /// The stored record.
    pub record: T,
    /// `false` when the record already existed.
    pub created: bool,
}

// ---------------------------------------------------------------------------------------------
// Who writes.

/// Who writes a research record: the credential the write came through, which is recorded in
/// the record's provenance, and the agent ids it may act as. An agent id in a request is only
/// accepted when the credential is bound to it, so `prov:wasAttributedTo` says who really
/// wrote; changing the status of another agent's hypothesis needs an admin credential or one
/// bound to that agent too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The credential's name: an API token's name, `anonymous` (a server without tokens that
    /// lets its network write), or `local` (the command line, MCP over stdio).
    pub credential: String,
    /// The agent ids it may act as; `None` for any.
    pub agents: Option<Vec<String>>,
    /// Whether it may change any agent's hypothesis.
    pub admin: bool,
}

impl Actor {
    /// The owner of the process (command line, MCP over stdio): any agent, any hypothesis.
    pub fn local() -> Self {
        Actor {
            credential: "local".into(),
            agents: None,
            admin: true,
        }
    }

    /// A caller without a token on a server that lets its network write: it may name any agent
    /// (nothing can check it), and that is what its provenance says.
    pub fn anonymous() -> Self {
        Actor {
            credential: "anonymous".into(),
            agents: None,
            admin: false,
        }
    }

    /// Whether this credential may act as `agent`.
    pub fn acts_as(&self, agent: &str) -> bool {
        self.agents.as_ref().is_none_or(|a| a.iter().any(|x| x == agent))
    }

    /// Refuses (403) an agent id this credential is not bound to.
    fn check_agent(&self, agent: &str) -> Result<()> {
        if self.acts_as(agent) {
            return Ok(());
        }
        Err(UserError::Forbidden(format!(
            "credential `{}` may act as {}, not as `{agent}` (the tokens file binds tokens to agent ids)",
            self.credential,
            self.agents.as_deref().unwrap_or_default().join(", ")
        ))
        .into())
    }

    /// Whether this credential may change a hypothesis `owner` proposed.
    pub fn may_change(&self, owner: &str) -> bool {
        self.admin || self.acts_as(owner)
    }
}

// ---------------------------------------------------------------------------------------------
// Writes.

/// Records a hypothesis (status proposed). Proposing the same statement again as the same agent
/// returns the stored hypothesis unchanged.
pub fn propose(
    store: &Store,
    embedder: &dyn Embedder,
    actor: &Actor,
    h: &NewHypothesis,
) -> Result<Written<Hypothesis>> {
    let statement = fields::text("statement", &h.statement)?;
    let agent = fields::agent(&h.agent)?;
    actor.check_agent(agent)?;
    check_count("concepts", h.concepts.len())?;
    check_count("evidence", h.evidence.len())?;
    check_concept_names("concepts", &h.concepts)?;
    // The whole request is checked before an identical earlier one can answer for it.
    let gap_explanation = match &h.gap {
        Some(g) => {
            check_count("gap.concepts", g.concepts.len())?;
            check_count("gap.evidence", g.evidence.len())?;
            check_concept_names("gap.concepts", &g.concepts)?;
            g.explanation
                .as_deref()
                .map(|x| fields::text("gap.explanation", x))
                .transpose()?
        }
        None => None,
    };
    let key = RecordKind::Hypothesis.key(&format!("{agent}\n{}", normalise(statement)));
    let _guard = store.research_lock();
    if store.has_doc(&key)? {
        return Ok(Written {
            record: hypothesis(store, &key)?,
            created: false,
        });
    }
    let base = store.base();
    let iri = base.iri(RecordKind::Hypothesis.segment(), &key);
    let now = fields::now_rfc3339();
    let concepts = resolve_concepts(store, &h.concepts)?;
    let evidence = resolve_passages(store, h.evidence.iter().map(EvidenceArg::name))?;

    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::HYPOTHESIS);
    a.text(&iri, hyp::STATEMENT, statement);
    for c in &concepts {
        a.link(&iri, hyp::CONCERNS, c);
    }
    evidence_facts(&mut a, store, &iri, "evidence", &evidence);
    if let Some(g) = &h.gap {
        let gap = format!("{iri}#gap");
        a.link(&iri, hyp::MOTIVATED_BY, &gap);
        a.link(&gap, rdf::TYPE, hyp::GAP);
        a.text(&gap, hyp::GAP_KIND, g.kind.as_str());
        if let Some(x) = gap_explanation {
            a.text(&gap, hyp::EXPLANATION, x);
        }
        if let Some(s) = g.score.filter(|s| s.is_finite()) {
            a.typed(&gap, hyp::SCORE, s, xsd::DOUBLE);
        }
        for c in resolve_concepts(store, &g.concepts)? {
            a.link(&gap, hyp::CONCERNS, &c);
        }
        let gap_evidence = resolve_passages(store, g.evidence.iter().map(EvidenceArg::name))?;
        evidence_facts(&mut a, store, &gap, "evidence", &gap_evidence);
    }
    let title = format!("Hypothesis: {}", clip(statement, 200));
    let body = vec![statement.to_string()];
    let status_graph = (
        base.nanopub_graph(&key, "status"),
        status_triples(&iri, HypothesisStatus::Proposed),
    );
    let w = nanopub(
        store,
        embedder,
        Record {
            key: &key,
            iri: &iri,
            kind: RecordKind::Hypothesis,
            agent,
            credential: &actor.credential,
            time: &now,
            title: &title,
            body,
            assertion: a,
        },
        vec![status_graph],
    )?;
    store.put_research(w)?;
    Ok(Written {
        record: hypothesis(store, &key)?,
        created: true,
    })
}

/// Moves a hypothesis to a new status, recording the change and the outcomes behind it.
/// Supported and refuted need at least one outcome; a hypothesis never returns to proposed, and a
/// change to the current status is refused. Only a credential bound to the proposing agent, or
/// an admin one, may move another agent's hypothesis.
pub fn set_status(store: &Store, actor: &Actor, hypothesis_id: &str, u: &StatusUpdate) -> Result<Hypothesis> {
    let agent = fields::agent(&u.agent)?;
    actor.check_agent(agent)?;
    check_count("outcomes", u.outcomes.len())?;
    if let Some(n) = &u.note {
        fields::text("note", n)?;
    }
    let key = record_key(RecordKind::Hypothesis, hypothesis_id)?;
    let _guard = store.research_lock();
    let (current, owner) = current_status(store, &key)?;
    if owner != agent && !actor.may_change(&owner) {
        return Err(UserError::Forbidden(format!(
            "hypothesis {key} is `{owner}`'s; credential `{}` may change only its own agents' hypotheses \
             (an admin token, or one bound to `{owner}`, may change it)",
            actor.credential
        ))
        .into());
    }
    let outcomes = u
        .outcomes
        .iter()
        .map(|o| {
            let k = record_key(RecordKind::Experiment, o)?;
            // 409, not 404: the hypothesis this request is about exists.
            if !store.has_doc(&k)? {
                return Err(UserError::Conflict(format!("no experiment `{o}` is stored")).into());
            }
            Ok(k)
        })
        .collect::<Result<Vec<_>>>()?;
    check_transition(current, u.status, outcomes.len())?;
    let w = status_change(
        store,
        &key,
        current,
        u.status,
        agent,
        &actor.credential,
        &outcomes,
        u.note.as_deref(),
    )?;
    store.put_research(w)?;
    hypothesis(store, &key)
}

/// Logs an experiment run; its outcome becomes facts linked to the hypothesis it tests, and a
/// proposed hypothesis moves to testing (when the credential may change that hypothesis; a run
/// on another agent's hypothesis is logged and leaves its status alone). Logging the same run
/// again (same idempotency key, or same content and time) returns the stored run unchanged.
pub fn log_experiment(
    store: &Store,
    embedder: &dyn Embedder,
    actor: &Actor,
    x: &NewExperiment,
) -> Result<Written<Experiment>> {
    let agent = fields::agent(&x.agent)?;
    actor.check_agent(agent)?;
    let description = fields::text("description", &x.description)?;
    check_count("metrics", x.metrics.len())?;
    check_count("parameters", x.parameters.len())?;
    check_count("artefacts", x.artefacts.len())?;
    if let Some(n) = &x.notes {
        fields::text("notes", n)?;
    }
    for m in &x.metrics {
        if m.name.trim().is_empty() {
            return Err(Error::invalid("metrics.name", "must not be empty"));
        }
        if !m.value.is_finite() {
            return Err(Error::invalid(
                "metrics.value",
                format!("`{}` of {} is not a finite number", m.value, m.name),
            ));
        }
    }
    let time = match &x.time {
        Some(t) => fields::time(t)?.to_string(),
        None => fields::now_rfc3339(),
    };
    // Checked before an identical earlier run can answer for this one.
    let hypothesis_key = x
        .hypothesis
        .as_deref()
        .map(|h| record_key(RecordKind::Hypothesis, h))
        .transpose()?;
    let seed = match &x.idempotency_key {
        Some(k) => format!("{agent}\nkey\n{k}"),
        None => format!(
            "{agent}\n{description}\n{}\n{:?}\n{:?}\n{:?}\n{:?}\n{time}",
            x.status.as_str(),
            x.hypothesis,
            x.code_version,
            x.parameters,
            x.metrics
        ),
    };
    let key = RecordKind::Experiment.key(&seed);
    let _guard = store.research_lock();
    if store.has_doc(&key)? {
        return Ok(Written {
            record: experiment(store, &key)?,
            created: false,
        });
    }
    let hypothesis = match hypothesis_key {
        Some(k) => {
            let (status, owner) = current_status(store, &k)?;
            let movable = owner == agent || actor.may_change(&owner);
            Some((k, status, movable))
        }
        None => None,
    };
    let base = store.base();
    let iri = base.iri(RecordKind::Experiment.segment(), &key);
    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::EXPERIMENT);
    a.link(&iri, rdf::TYPE, prov::ACTIVITY);
    a.text(&iri, schema::DESCRIPTION, description);
    a.link(&iri, hyp::RUN_STATUS, x.status.iri());
    if let Some((h, _, _)) = &hypothesis {
        a.link(&iri, hyp::TESTS, &base.iri(RecordKind::Hypothesis.segment(), h));
    }
    if let Some(c) = &x.code_version {
        a.text(&iri, hyp::CODE_VERSION, c.trim());
    }
    for (i, (name, value)) in x.parameters.iter().enumerate() {
        let p = format!("{iri}#parameter-{i}");
        a.link(&iri, hyp::PARAMETER, &p);
        a.text(&p, hyp::NAME, name);
        a.add(&p, hyp::VALUE, Literal::new_simple_literal(value));
    }
    for (i, m) in x.metrics.iter().enumerate() {
        let n = format!("{iri}#measurement-{i}");
        a.link(&iri, hyp::MEASUREMENT, &n);
        a.text(&n, hyp::NAME, m.name.trim());
        a.typed(&n, hyp::VALUE, m.value, xsd::DOUBLE);
        if let Some(u) = &m.unit {
            a.text(&n, hyp::UNIT, u);
        }
        if let Some(s) = &m.split {
            a.text(&n, hyp::SPLIT, s);
        }
    }
    if let Some(n) = &x.notes {
        a.text(&iri, hyp::NOTE, n);
    }
    for l in &x.artefacts {
        match NamedNode::new(l.trim()) {
            Ok(n) => a.add(&iri, hyp::ARTEFACT, n),
            Err(_) => a.text(&iri, hyp::ARTEFACT, l),
        }
    }
    a.typed(&iri, prov::GENERATED_AT_TIME, &time, xsd::DATE_TIME);

    let title = format!("Experiment ({}): {}", x.status.as_str(), clip(description, 200));
    let mut body = vec![description.to_string()];
    let mut outcome = format!("Outcome: {}.", x.status.as_str());
    for m in &x.metrics {
        let _ = write!(outcome, " {} = {}", m.name, m.value);
        if let Some(u) = &m.unit {
            let _ = write!(outcome, " {u}");
        }
        if let Some(s) = &m.split {
            let _ = write!(outcome, " ({s})");
        }
        outcome.push(';');
    }
    body.push(outcome.trim_end_matches(';').to_string());
    if let Some(n) = &x.notes {
        body.push(n.clone());
    }
    if !x.parameters.is_empty() {
        let p: Vec<String> = x.parameters.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        body.push(format!("Parameters: {}.", p.join(", ")));
    }
    let w = nanopub(
        store,
        embedder,
        Record {
            key: &key,
            iri: &iri,
            kind: RecordKind::Experiment,
            agent,
            credential: &actor.credential,
            time: &time,
            title: &title,
            body,
            assertion: a,
        },
        Vec::new(),
    )?;
    store.put_research(w)?;
    if let Some((h, HypothesisStatus::Proposed, true)) = &hypothesis {
        let note = "an experiment testing it was logged";
        let w = status_change(
            store,
            h,
            HypothesisStatus::Proposed,
            HypothesisStatus::Testing,
            agent,
            &actor.credential,
            std::slice::from_ref(&key),
            Some(note),
        )?;
        store.put_research(w)?;
    }
    Ok(Written {
        record: experiment(store, &key)?,
        created: true,
    })
}

fn check_transition(from: HypothesisStatus, to: HypothesisStatus, outcomes: usize) -> Result<()> {
    use HypothesisStatus::*;
    if to == Proposed {
        return Err(UserError::Conflict("a hypothesis cannot return to proposed".into()).into());
    }
    if from == to {
        return Err(UserError::Conflict(format!("the hypothesis is already {}", to.as_str())).into());
    }
    if to.needs_outcome() && outcomes == 0 {
        return Err(Error::invalid(
            "outcomes",
            format!("moving a hypothesis to {} needs at least one experiment", to.as_str()),
        ));
    }
    Ok(())
}

fn status_triples(hypothesis_iri: &str, status: HypothesisStatus) -> String {
    let mut f = Facts::new();
    f.link(hypothesis_iri, hyp::STATUS, status.iri());
    to_ntriples(&f)
}

#[allow(clippy::too_many_arguments)]
fn status_change(
    store: &Store,
    hypothesis_key: &str,
    from: HypothesisStatus,
    to: HypothesisStatus,
    agent: &str,
    credential: &str,
    outcomes: &[String],
    note: Option<&str>,
) -> Result<ResearchWrite> {
    let base = store.base();
    let time = fields::now_rfc3339();
    let h_iri = base.iri(RecordKind::Hypothesis.segment(), hypothesis_key);
    let key = RecordKind::StatusChange.key(&format!(
        "{hypothesis_key}\n{}\n{}\n{agent}\n{time}\n{outcomes:?}",
        from.as_str(),
        to.as_str()
    ));
    let iri = base.iri(RecordKind::StatusChange.segment(), &key);
    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::STATUS_CHANGE);
    a.link(&iri, hyp::OF_HYPOTHESIS, &h_iri);
    a.link(&iri, hyp::FROM_STATUS, from.iri());
    a.link(&iri, hyp::TO_STATUS, to.iri());
    a.typed(&iri, prov::GENERATED_AT_TIME, &time, xsd::DATE_TIME);
    for o in outcomes {
        a.link(&iri, hyp::BASED_ON, &base.iri(RecordKind::Experiment.segment(), o));
    }
    if let Some(n) = note {
        a.text(&iri, hyp::NOTE, n);
    }
    let mut w = nanopub_graphs(store, &key, &iri, (agent, credential), &time, a, Facts::new());
    w.push((base.nanopub_graph(hypothesis_key, "status"), status_triples(&h_iri, to)));
    Ok(ResearchWrite {
        key,
        graphs: w,
        doc: None,
    })
}

/// What one record is made of, before it becomes a nanopublication.
struct Record<'a> {
    key: &'a str,
    iri: &'a str,
    kind: RecordKind,
    agent: &'a str,
    credential: &'a str,
    time: &'a str,
    title: &'a str,
    body: Vec<String>,
    assertion: Facts,
}

/// A searchable record as a nanopublication plus the document the text and vector indexes keep.
fn nanopub(
    store: &Store,
    embedder: &dyn Embedder,
    r: Record<'_>,
    extra_graphs: Vec<(String, String)>,
) -> Result<ResearchWrite> {
    let year = r.time.get(..4).and_then(|y| y.parse::<i32>().ok());
    let venue = match r.kind {
        RecordKind::Hypothesis => "Hypatia hypotheses",
        _ => "Hypatia experiment log",
    };
    // The record as a paper of one section, so that its canonical text and passages are made
    // exactly as a paper's are.
    let paper = Paper {
        title: r.title.to_string(),
        authors: vec![Author {
            name: r.agent.to_string(),
            ..Default::default()
        }],
        year,
        date: Some(r.time.to_string()),
        venue: Some(venue.to_string()),
        sections: vec![Section {
            heading: r.kind.segment().to_string(),
            paragraphs: r.body,
            ..Default::default()
        }],
        ..Default::default()
    };
    let seg = passages::segment(&paper, r.key, &ChunkConfig::default());
    let texts: Vec<String> = seg
        .passages
        .iter()
        .map(|p| passages::embedding_text(&paper.title, p))
        .collect();
    let vectors = embedder.embed(&texts)?;
    let mut info = Facts::new();
    info.text(r.iri, schema::NAME, r.title);
    info.typed(r.iri, schema::DATE_CREATED, r.time, xsd::DATE_TIME);
    if let Some(y) = year {
        info.typed(r.iri, hyp::YEAR, y, xsd::INTEGER);
    }
    info.text(r.iri, hyp::VENUE, venue);
    let author = format!("{}#author", r.iri);
    info.link(r.iri, schema::AUTHOR, &author);
    info.text(&author, schema::NAME, r.agent);
    info.typed(&author, schema::POSITION, 0, xsd::INTEGER);
    info.text(r.iri, hyp::CANONICAL_TEXT, &seg.canonical);
    // The version its passages carry in the text index (see `papers::Citer`).
    let digest = ids::content_hash(&seg.canonical);
    info.text(r.iri, hyp::DIGEST, &digest);
    for p in &seg.passages {
        facts::passage(&mut info, store.base(), r.iri, p);
    }
    let graphs = nanopub_graphs(store, r.key, r.iri, (r.agent, r.credential), r.time, r.assertion, info);
    let mut graphs = graphs;
    graphs.extend(extra_graphs);
    Ok(ResearchWrite {
        key: r.key.to_string(),
        graphs,
        doc: Some(PaperDoc {
            key: r.key.to_string(),
            iri: r.iri.to_string(),
            title: paper.title.clone(),
            year,
            venue: paper.venue.clone(),
            digest,
            passages: seg.passages,
            vectors,
            ntriples: String::new(),
            extraction: String::new(),
        }),
    })
}

/// The four graphs of a nanopublication: head, assertion, provenance (who: the agent, and the
/// credential the write came through), publication info (with `info` added to the last).
fn nanopub_graphs(
    store: &Store,
    key: &str,
    iri: &str,
    (agent, credential): (&str, &str),
    time: &str,
    assertion: Facts,
    mut info: Facts,
) -> Vec<(String, String)> {
    let base = store.base();
    let np_iri = base.nanopub(key);
    let [head, a, prov_g, pubinfo] = ["head", "assertion", "provenance", "pubinfo"].map(|p| base.nanopub_graph(key, p));
    let agent_iri = base.iri("agent", &facts::slug_key(agent));
    let mut h = Facts::new();
    h.link(&np_iri, rdf::TYPE, np::NANOPUBLICATION);
    h.link(&np_iri, np::HAS_ASSERTION, &a);
    h.link(&np_iri, np::HAS_PROVENANCE, &prov_g);
    h.link(&np_iri, np::HAS_PUBLICATION_INFO, &pubinfo);
    let mut p = Facts::new();
    p.link(&a, prov::WAS_ATTRIBUTED_TO, &agent_iri);
    p.typed(&a, prov::GENERATED_AT_TIME, time, xsd::DATE_TIME);
    p.link(&agent_iri, rdf::TYPE, prov::SOFTWARE_AGENT);
    p.text(&agent_iri, schema::NAME, agent);
    p.text(&a, hyp::VIA_CREDENTIAL, credential);
    info.link(&np_iri, prov::WAS_ATTRIBUTED_TO, &agent_iri);
    info.typed(&np_iri, prov::GENERATED_AT_TIME, time, xsd::DATE_TIME);
    info.text(iri, hyp::AGENT_ID, agent);
    vec![
        (head, to_ntriples(&h)),
        (a, to_ntriples(&assertion)),
        (prov_g, to_ntriples(&p)),
        (pubinfo, to_ntriples(&info)),
    ]
}

fn to_ntriples(f: &Facts) -> String {
    f.triples.iter().map(|t| format!("{t} .\n")).collect()
}

// ---------------------------------------------------------------------------------------------
// Reads.

/// A stored hypothesis with its history and experiments.
pub fn hypothesis(store: &Store, id: &str) -> Result<Hypothesis> {
    let key = record_key(RecordKind::Hypothesis, id)?;
    let iri = store.base().iri(RecordKind::Hypothesis.segment(), &key);
    let rows = select(store, queries::HYPOTHESES, &[("h", node(&iri)?)])?;
    let Some(row) = rows.into_iter().next() else {
        return Err(UserError::NotFound(format!("hypothesis `{id}`")).into());
    };
    let mut h = hypothesis_from_row(store, row)?;
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
    /// Most hypotheses (newest first); 100 when absent.
    #[serde(default, deserialize_with = "fields::count")]
    pub limit: Option<usize>,
}

/// Stored hypotheses, newest first, without history and experiments (ask for one to get them).
pub fn hypotheses(store: &Store, f: &HypothesisFilter) -> Result<Vec<Hypothesis>> {
    let mut b: Vec<(&str, Term)> = Vec::new();
    if let Some(s) = f.status {
        b.push(("status", node(s.iri())?));
    }
    if let Some(a) = &f.agent {
        b.push(("agent", Literal::new_simple_literal(a.trim()).into()));
    }
    let limit = f.limit.unwrap_or(100);
    select(store, queries::HYPOTHESES, &b)?
        .into_iter()
        .take(limit)
        .map(|r| hypothesis_from_row(store, r))
        .collect()
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
    rows.into_iter()
        .filter(|r| tested.is_none() || r.get("tested") == tested.as_ref())
        .take(limit)
        .map(|r| experiment_from_row(store, r))
        .collect()
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

fn node(iri: &str) -> Result<Term> {
    Ok(NamedNode::new(iri).map_err(Error::graph)?.into())
}

fn key_of_iri(iri: &str) -> String {
    iri.rsplit('/').next().unwrap_or(iri).to_string()
}

fn words(s: Option<&String>) -> Vec<String> {
    s.map(|s| s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

fn hypothesis_from_row(store: &Store, r: Row) -> Result<Hypothesis> {
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
    Ok(Hypothesis {
        key: key_of_iri(&iri),
        statement: r.get("statement").cloned().unwrap_or_default(),
        agent: r.get("agent").cloned().unwrap_or_default(),
        created: r.get("created").cloned().unwrap_or_default(),
        status,
        concepts,
        evidence: words(r.get("evidence")),
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
    Ok(Experiment {
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
fn current_status(store: &Store, key: &str) -> Result<(HypothesisStatus, String)> {
    let iri = store.base().iri(RecordKind::Hypothesis.segment(), key);
    select(store, queries::HYPOTHESES, &[("h", node(&iri)?)])?
        .into_iter()
        .find_map(|r| {
            let status = r.get("status").and_then(|s| HypothesisStatus::from_iri(s))?;
            Some((status, r.get("agent")?.clone()))
        })
        .ok_or_else(|| UserError::NotFound(format!("hypothesis `{key}`")).into())
}

// ---------------------------------------------------------------------------------------------
// Input checks.

/// The record key named by a key or an IRI of the given kind.
pub fn record_key(kind: RecordKind, id: &str) -> Result<String> {
    let id = id.trim();
    let key = id.rsplit('/').next().unwrap_or(id);
    match RecordKind::of_key(key) {
        Some(k) if k == kind => Ok(key.to_string()),
        _ => Err(Error::invalid(
            kind.segment(),
            format!(
                "`{id}` is not a {} key (`{}` + 16 hex digits) or IRI",
                kind.segment(),
                kind.prefix()
            ),
        )),
    }
}

/// The schema of a [`record_key`] of `kind`: white space around, and anything up to a last `/`
/// before the key.
fn key_schema(kind: RecordKind) -> utoipa::openapi::schema::Object {
    let ws = fields::WHITESPACE;
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(format!(
            "A record key (`{}` and 16 hex digits) or IRI.",
            kind.prefix()
        )))
        .pattern(Some(format!(
            r"^(?:[{ws}]*|[\s\S]*/){}[0-9A-Fa-f]{{16}}[{ws}]*$",
            kind.prefix()
        )))
        .build()
}

fields::schema_type!(
    /// The schema of a hypothesis' [`record_key`].
    HypothesisKey => key_schema(RecordKind::Hypothesis)
);

fields::schema_type!(
    /// The schema of an experiment's [`record_key`].
    ExperimentKey => key_schema(RecordKind::Experiment)
);

fields::schema_type!(
    /// The schema of a run's parameters: names to values, at most [`MAX_ITEMS`].
    Parameters => {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::RefOr(
                ObjectBuilder::new().schema_type(Type::String).into(),
            )))
            .max_properties(Some(MAX_ITEMS))
            .build()
    }
);

fn check_concept_names(field: &str, concepts: &[ConceptArg]) -> Result<()> {
    for c in concepts {
        let (ConceptArg::Name(s) | ConceptArg::Object { iri: s }) = c;
        fields::non_blank(field, s)?;
    }
    Ok(())
}

fn check_count(field: &str, n: usize) -> Result<()> {
    if n > MAX_ITEMS {
        return Err(Error::invalid(field, format!("{n} items; at most {MAX_ITEMS}")));
    }
    Ok(())
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

/// Concept IRIs for IRIs or labels: a label the store knows (preferred or alternative) names
/// that concept; an unknown label names the concept the extractor would mint for it.
fn resolve_concepts(store: &Store, args: &[ConceptArg]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in args {
        let name = match a {
            ConceptArg::Name(s) | ConceptArg::Object { iri: s } => s.trim(),
        };
        if name.is_empty() {
            return Err(Error::invalid("concepts", "an empty concept name"));
        }
        // A name that is not a valid IRI is a label, whatever it looks like.
        let iri = if name.contains("://") && NamedNode::new(name).is_ok() {
            name.to_string()
        } else {
            let rows = select(
                store,
                queries::CONCEPT_BY_LABEL,
                &[("label", Literal::new_simple_literal(name).into())],
            )?;
            rows.into_iter()
                .find_map(|mut r| r.remove("concept"))
                .unwrap_or_else(|| concept_iri(store.base(), name))
        };
        if !out.contains(&iri) {
            out.push(iri);
        }
    }
    Ok(out)
}

/// The stored passages named by passage keys or IRIs, in order, without repeats; each must be
/// stored (and visible).
fn resolve_passages<'a>(store: &Store, names: impl Iterator<Item = &'a str>) -> Result<Vec<StoredPassage>> {
    let prefix = store.base().passage_iri("");
    let mut keys: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim();
        let k = n.strip_prefix(&prefix).unwrap_or(n).to_string();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let found = store.text().passages(&keys)?;
    keys.iter()
        .map(|k| {
            found
                .iter()
                .find(|p| &p.key == k)
                .cloned()
                .ok_or_else(|| UserError::NotFound(format!("evidence passage `{k}`")).into())
        })
        .collect()
}

/// Links `subject` to each evidence passage, and records what the passage said when it was
/// cited: its quote, offsets, content hash and the version (digest) of its paper. A later
/// re-put of the paper can give the passage key other text; the snapshot keeps what the
/// hypothesis rests on (see [`QuotedEvidence`]).
fn evidence_facts(a: &mut Facts, store: &Store, subject: &str, tag: &str, evidence: &[StoredPassage]) {
    for (i, p) in evidence.iter().enumerate() {
        let passage = store.base().passage_iri(&p.key);
        a.link(subject, hyp::EVIDENCE, &passage);
        let snap = format!("{subject}#{tag}-{i}");
        let (quote, position) = (format!("{snap}-quote"), format!("{snap}-position"));
        a.link(subject, hyp::QUOTED_EVIDENCE, &snap);
        a.link(&snap, rdf::TYPE, oa::SPECIFIC_RESOURCE);
        a.link(&snap, oa::HAS_SOURCE, &p.paper_iri);
        a.link(&snap, prov::WAS_DERIVED_FROM, &passage);
        a.text(&snap, hyp::CONTENT_HASH, &p.hash);
        a.text(&snap, hyp::DIGEST, &p.version);
        a.link(&snap, oa::HAS_SELECTOR, &quote);
        a.link(&quote, rdf::TYPE, oa::TEXT_QUOTE_SELECTOR);
        a.add(&quote, oa::EXACT, Literal::new_simple_literal(&p.text));
        a.link(&snap, oa::HAS_SELECTOR, &position);
        a.link(&position, rdf::TYPE, oa::TEXT_POSITION_SELECTOR);
        a.typed(&position, oa::START, p.start, xsd::NON_NEGATIVE_INTEGER);
        a.typed(&position, oa::END, p.end, xsd::NON_NEGATIVE_INTEGER);
    }
}

/// The quoted evidence of a hypothesis (its own and its gap's), each marked with whether the
/// passage still says the same today.
fn quoted_evidence(store: &Store, h_iri: &str) -> Result<Vec<QuotedEvidence>> {
    let rows = select(store, queries::HYPOTHESIS_EVIDENCE, &[("h", node(h_iri)?)])?;
    let prefix = store.base().passage_iri("");
    let keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get("passage")?.strip_prefix(&prefix).map(str::to_string))
        .collect();
    let now: BTreeMap<String, StoredPassage> = store
        .text()
        .passages(&keys)?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    rows.into_iter()
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            let num = |k: &str| {
                get(k)
                    .parse::<usize>()
                    .map_err(|_| Error::graph(format!("evidence {k} of {h_iri}")))
            };
            let key = get("passage").strip_prefix(&prefix).unwrap_or_default().to_string();
            let (start, end, content_hash) = (num("start")?, num("end")?, get("hash"));
            let unchanged = now
                .get(&key)
                .is_some_and(|p| p.hash == content_hash && p.start == start && p.end == end);
            Ok(QuotedEvidence {
                passage: key,
                paper: get("paper"),
                quote: get("quote"),
                start,
                end,
                content_hash,
                paper_digest: get("digest"),
                unchanged,
            })
        })
        .collect()
}

impl EvidenceArg {
    fn name(&self) -> &str {
        match self {
            EvidenceArg::Name(s) | EvidenceArg::Object { passage: s } => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_an_rfc3339_time() {
        let now = fields::now_rfc3339();
        assert!(fields::time(&now).is_ok(), "{now}");
        assert!(now.starts_with("20"), "{now}");
    }

    #[test]
    fn transitions() {
        use HypothesisStatus::*;
        assert!(check_transition(Proposed, Testing, 0).is_ok());
        assert!(check_transition(Testing, Supported, 0).is_err());
        assert!(check_transition(Testing, Supported, 1).is_ok());
        assert!(check_transition(Testing, Inconclusive, 0).is_ok());
        assert!(check_transition(Supported, Proposed, 1).is_err());
        assert!(check_transition(Refuted, Refuted, 1).is_err());
        assert!(check_transition(Refuted, Testing, 0).is_ok());
    }

    #[test]
    fn statuses_parse() {
        assert_eq!("Discarded".parse::<RunStatus>().unwrap(), RunStatus::Discard);
        assert_eq!("crash".parse::<RunStatus>().unwrap(), RunStatus::Crash);
        assert!("maybe".parse::<RunStatus>().is_err());
        assert_eq!(
            "supported".parse::<HypothesisStatus>().unwrap(),
            HypothesisStatus::Supported
        );
    }

    #[test]
    fn record_keys_from_keys_and_iris() {
        let k = RecordKind::Hypothesis.key("x");
        assert_eq!(record_key(RecordKind::Hypothesis, &k).unwrap(), k);
        let iri = format!("https://w3id.org/hypatia/id/hypothesis/{k}");
        assert_eq!(record_key(RecordKind::Hypothesis, &iri).unwrap(), k);
        assert!(record_key(RecordKind::Experiment, &k).is_err());
        assert!(record_key(RecordKind::Hypothesis, "0123456789abcdef").is_err());
    }
}
