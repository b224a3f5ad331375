//! Hypatia: a knowledge-graph research database for AI research agents.
//!
//! Papers come in through [`pipeline`] (parsers live in the `hypatia-ingest` crate), become
//! citable [`passages`] with embeddings ([`embed`]) and RDF [`facts`], and are written through
//! the one [`store::Store`] facade into tantivy, hnsw_rs and oxigraph under one id space
//! ([`ids`]). [`search`] and [`papers`] read them back as citations; [`http`] serves it all.

pub mod citations;
pub mod config;
pub mod embed;
pub mod error;
pub mod eval;
pub mod extraction;
pub mod facts;
pub mod fields;
pub mod findings;
pub mod gaps;
pub mod http;
pub mod ids;
pub mod mcp;
pub mod novelty;
pub mod papers;
pub mod passages;
pub mod pipeline;
pub mod queries;
pub mod research;
pub mod results_import;
pub mod rng;
pub mod search;
pub mod sources;
pub mod sparql_search;
pub mod store;
pub mod vocab;

pub use error::{Error, Result};

/// This process's peak resident memory (VmHWM) in MB, for benches and reports; 0 where
/// `/proc/self/status` does not exist.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
