//! What agents send: the request types with their OpenAPI and JSON schemas, the record keys
//! they name, and the field checks a write runs before anything is stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
use crate::common::fields;
use crate::common::ids::RecordKind;

use super::status::{HypothesisStatus, RunStatus};

/// Most concepts, evidence items, parameters, metrics or artefacts on one record.
pub const MAX_ITEMS: usize = 200;

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

impl EvidenceArg {
    pub(super) fn name(&self) -> &str {
        match self {
            EvidenceArg::Name(s) | EvidenceArg::Object { passage: s } => s,
        }
    }
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
    /// Earlier hypotheses it derives from, each with how: it refines one, combines several, or
    /// contradicts one. Each must be stored, none may be named twice, and a hypothesis cannot
    /// derive from itself.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub derived_from: Vec<DerivationArg>,
}

/// How a hypothesis derives from an earlier one (each a sub-property of `prov:wasDerivedFrom`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DerivationRelation {
    /// A narrower or sharper version of the parent.
    Refines,
    /// One of several parents merged into one hypothesis.
    Combines,
    /// States the opposite of the parent, or an alternative that excludes it.
    Contradicts,
}

impl DerivationRelation {
    /// Every relation.
    pub const ALL: [DerivationRelation; 3] = [Self::Refines, Self::Combines, Self::Contradicts];

    /// The property that states it (`hyp:refines`, ...).
    pub fn iri(self) -> &'static str {
        use crate::common::vocab::hyp;
        match self {
            Self::Refines => hyp::REFINES,
            Self::Combines => hyp::COMBINES,
            Self::Contradicts => hyp::CONTRADICTS,
        }
    }

    /// The relation a property states.
    pub fn from_iri(iri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.iri() == iri)
    }
}

/// An earlier hypothesis a new one derives from, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivationArg {
    /// The parent hypothesis (key or IRI); it must be stored.
    #[schema(value_type = HypothesisKey)]
    pub hypothesis: String,
    /// refines, combines or contradicts.
    pub relation: DerivationRelation,
}

/// A pairwise judgement of two hypotheses: which is better (or a draw), by whom and why. Each
/// is kept as its own record; Elo ratings are computed from all of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComparison {
    /// The hypothesis judged better (key or IRI); for a draw, one of the two.
    #[schema(value_type = HypothesisKey)]
    pub winner: String,
    /// The hypothesis judged worse (key or IRI); for a draw, the other one. Not the winner.
    #[schema(value_type = HypothesisKey)]
    pub loser: String,
    /// Neither is better: each scores one half.
    #[serde(default)]
    pub draw: bool,
    /// Who judged (an agent id or a person).
    #[schema(value_type = fields::Agent)]
    pub agent: String,
    /// Why.
    #[serde(default)]
    #[schema(value_type = Option<fields::Text>)]
    pub rationale: Option<String>,
    /// A client-chosen match id: the same agent sending the same id again gets the stored
    /// comparison back (200), or 409 when the winner, loser or draw differ. Without it every
    /// call is a new match (tournaments replay pairs).
    #[serde(default, rename = "match")]
    #[schema(value_type = Option<MatchId>)]
    pub match_id: Option<String>,
}

/// Longest match id.
pub const MAX_MATCH_ID: usize = 200;

fields::schema_type!(
    /// The schema of a comparison's match id: as an agent id, 1 to [`MAX_MATCH_ID`] characters,
    /// not blank, no control characters.
    MatchId => {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let (c, ws) = (fields::CONTROL, fields::WHITESPACE);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "A client-chosen match id: not blank, at most {MAX_MATCH_ID} characters, no control characters."
            )))
            .pattern(Some(format!("^[^{c}]*[^{c}{ws}][^{c}]*$")))
            .max_length(Some(MAX_MATCH_ID))
            .build()
    }
);

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

/// The hypothesis key named in request field `field` (a key or IRI), the field named when it
/// is neither.
pub(super) fn hypothesis_key_in(field: &str, id: &str) -> Result<String> {
    record_key(RecordKind::Hypothesis, id).map_err(|_| {
        Error::invalid(
            field,
            format!(
                "`{}` is not a hypothesis key (`{}` + 16 hex digits) or IRI",
                id.trim(),
                RecordKind::Hypothesis.prefix()
            ),
        )
    })
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

pub(super) fn check_concept_names(field: &str, concepts: &[ConceptArg]) -> Result<()> {
    for c in concepts {
        let (ConceptArg::Name(s) | ConceptArg::Object { iri: s }) = c;
        fields::non_blank(field, s)?;
    }
    Ok(())
}

pub(super) fn check_count(field: &str, n: usize) -> Result<()> {
    if n > MAX_ITEMS {
        return Err(Error::invalid(field, format!("{n} items; at most {MAX_ITEMS}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
