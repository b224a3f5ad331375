//! Hypatia: a knowledge-graph research database for AI research agents.
//!
//! The folders follow the data: papers come in through [`ingest`] (parsers live in the
//! `hypatia-ingest` crate, extractors in `hypatia-extract`), become citable passages
//! ([`common::passages`]) with embeddings ([`embed`]) and RDF facts, and are written through the
//! one [`store::Store`] facade into tantivy, hnsw_rs and oxigraph under one id space
//! ([`common::ids`]). [`retrieval`] reads them back as cited hits, [`answers`] turns hits into
//! evidence packs, [`research`] finds gaps and keeps agents' hypotheses and experiments, and
//! [`serve`] puts it all on HTTP and MCP through one [`service`] layer. Imports point down this
//! list, never up: serve → service → research → answers → retrieval → ingest → store → embed →
//! common (ARCHITECTURE.md has the diagram, and `tests/it/layout.rs` checks it).

pub mod answers;
pub mod common;
pub mod embed;
pub mod ingest;
pub mod research;
pub mod retrieval;
pub mod serve;
pub mod service;
pub mod store;

pub use common::error::{Error, Result};

/// This process's peak resident memory (VmHWM) in MB, for benches and reports; 0 where
/// `/proc/self/status` does not exist.
pub fn peak_rss_mb() -> f64 {
    status_mb("VmHWM")
}

/// One memory line of `/proc/self/status` (`VmRSS`, `RssAnon`, `RssFile`, `VmHWM`...) in MB; 0
/// where the file or the line does not exist.
pub fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
