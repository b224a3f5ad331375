//! What HTTP routes and MCP tools share, so that the two surfaces cannot drift apart: who a
//! caller is and what it may do, what one request may cost, and how a request reaches the
//! blocking domain code (the embedding model it needs, a blocking thread).

use std::sync::Arc;

use crate::common::error::{Error, Result, UserError};
use crate::embed::Embedder;

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

/// Limits on what one request may cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// A SPARQL query running longer is cancelled (503).
    pub query_timeout: std::time::Duration,
    /// A SPARQL result with more solutions or triples is refused (400).
    pub max_rows: usize,
    /// Decompression bounds of uploads (see [`UPLOAD_LIMITS`]).
    pub upload: hypatia_ingest::archive::Limits,
    /// How long an upload waits for its turn (see `serve::http::CONCURRENT_INGESTS`) before a 503.
    pub ingest_wait: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            query_timeout: std::time::Duration::from_secs(30),
            max_rows: 1_000_000,
            upload: UPLOAD_LIMITS,
            ingest_wait: std::time::Duration::from_secs(30),
        }
    }
}

/// Decompression bounds for uploads: an archive entry is read whole into memory to be parsed,
/// so one upload may cost at most this much at a time (the command line's defaults allow 2 GiB
/// entries for local dumps).
pub const UPLOAD_LIMITS: hypatia_ingest::archive::Limits = hypatia_ingest::archive::Limits {
    max_entry_bytes: 256 << 20,
    max_total_bytes: 8 << 30,
    max_ratio: 200,
    ratio_floor_bytes: 1 << 20,
};

/// The embedding model, or the error both surfaces give when a request needs it and the server
/// runs without one (503).
pub fn model(embedder: &Option<Arc<dyn Embedder>>) -> Result<Arc<dyn Embedder>> {
    embedder
        .clone()
        .ok_or_else(|| UserError::Setup("this needs the embedding model; it is not loaded".into()).into())
}

/// Runs blocking domain code (index reads, SPARQL, the embedding model) on tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::journal(format!("blocking task failed: {e}")))?
}
