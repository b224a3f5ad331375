//! Where a hypothesis stands and what became of a run: the two status enums, with their names,
//! IRIs and parsing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
use crate::common::vocab::hyp;

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

    pub(super) const ALL: [HypothesisStatus; 5] = [
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

    pub(super) fn from_iri(iri: &str) -> Option<Self> {
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

    pub(super) fn from_iri(iri: &str) -> Option<Self> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
