//! Who a request is and what it may do: the scopes (read < write < admin) and the caller a
//! surface hands the service, with the agent identity its research writes carry.

use crate::common::error::{Error, Result};

/// What a caller may do; each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Search, SPARQL queries, papers, gaps, novelty.
    Read,
    /// Ingest, SPARQL Update, Graph Store writes, hypotheses, experiments.
    Write,
    /// Backups.
    Admin,
}

impl Scope {
    /// Its name in token files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Scope::Read),
            "write" => Ok(Scope::Write),
            "admin" => Ok(Scope::Admin),
            other => Err(Error::invalid(
                "scope",
                format!("`{other}`: expected read, write or admin"),
            )),
        }
    }
}

/// Who a request is, once the gate let it through: what it may do, and as whom it may write
/// research records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// What it may do.
    pub scope: Scope,
    /// Its identity for research writes.
    pub actor: crate::research::Actor,
}
