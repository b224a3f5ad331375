//! The research layer's records: hypotheses, their status changes, and experiment runs, written
//! by agents as nanopublications (DESIGN.md, "The research layer").
//!
//! Each record is one nanopublication under its own key ([`RecordKind`]): a head graph naming
//! the other three, an assertion graph (what the agent states: the hypothesis, or the run and its
//! outcome), a provenance graph (who asserted it, when) and a publication-info graph (the record's
//! citable description: name, author, date, canonical text and its passage). Hypotheses and
//! experiments are also indexed and embedded like papers, so search and novelty find them beside
//! the literature. A hypothesis has one mutable graph, `…/status`, holding its current status;
//! every change of it is itself an immutable record naming the outcomes it rests on. A hypothesis
//! may derive from earlier ones (refines, combines, contradicts: [`DerivationRelation`]), and
//! pairwise comparisons of hypotheses are records too ([`Comparison`]), from which Elo ratings
//! are computed when read, never stored. None of these graphs is ever touched by ingest.
//!
//! [`RecordKind`]: crate::common::ids::RecordKind

mod actor;
mod answers;
mod evidence;
mod experiments;
mod helpers;
mod hypotheses;
mod lineage;
mod nanopub;
mod plateau;
mod rank;
mod reads;
mod requests;
mod status;

pub use crate::common::fields::MAX_TEXT;

pub use actor::Actor;
pub use answers::{ConceptLabel, Derivation, Experiment, Hypothesis, QuotedEvidence, StatusChange, Written};
pub use experiments::log_experiment;
pub use hypotheses::{propose, set_status};
pub use plateau::{plateaus, MetricDirection, Plateau, PlateauQuery, PlateauSettings, DEFAULT_WINDOW, MAX_WINDOW};
pub use rank::{compare, comparison, comparisons, ratings, Compared, Comparison, Rating, INITIAL_RATING, K_FACTOR};
pub use reads::{
    experiment, experiments, hypotheses, hypothesis, hypothesis_as_of, hypothesis_with, ExperimentFilter,
    HypothesisFilter, HypothesisSort, RecordFlag, SortOrder,
};
pub use requests::{
    record_key, ConceptArg, DerivationArg, DerivationRelation, EvidenceArg, ExperimentKey, GapArg, HypothesisKey,
    MatchId, Metric, NewComparison, NewExperiment, NewHypothesis, Parameters, StatusUpdate, MAX_ITEMS, MAX_MATCH_ID,
};
pub use status::{HypothesisStatus, RunStatus};
