//! What the records read back as: hypotheses with their history and quoted evidence, experiment
//! runs, status changes, and what a write did.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use utoipa::ToSchema;

use super::plateau::Plateau;
use super::rank::Rating;
use super::requests::{DerivationRelation, Metric};
use super::status::{HypothesisStatus, RunStatus};

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
    /// Evidence passages (IRIs, of `evidence`) whose paper is retracted, as the store's
    /// notices say now (a notice ingested after the hypothesis counts); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retracted_evidence: Vec<String>,
    /// The motivating gap's kind and explanation.
    pub gap: Option<(String, Option<String>)>,
    /// The earlier hypotheses it derives from, and how (its parents in the lineage).
    pub derived_from: Vec<Derivation>,
    /// The later hypotheses derived from it, and how each derives (its children), oldest first.
    pub derivatives: Vec<Derivation>,
    /// Its Elo rating from the pairwise comparisons recorded so far.
    pub rating: Rating,
    /// What `sort=evidence` orders by: its distinct evidence passages (its own and its gap's)
    /// plus the runs testing it that were kept.
    pub evidence_count: usize,
    /// Status changes, oldest first (empty in lists).
    pub history: Vec<StatusChange>,
    /// Experiments that test it, oldest first (empty in lists).
    pub experiments: Vec<Experiment>,
    /// For each metric its runs report (or the one asked for), whether the runs have stopped
    /// improving it (empty in lists).
    pub plateaus: Vec<Plateau>,
}

/// One edge of a hypothesis' lineage: the hypothesis at the other end, and how the child
/// derives from the parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Derivation {
    /// The hypothesis at the other end (key).
    pub hypothesis: String,
    /// How the child derives from the parent.
    pub relation: DerivationRelation,
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
    /// Evidence passages of the hypothesis it tests whose paper is retracted; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retracted_evidence: Vec<String>,
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
