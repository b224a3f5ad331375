//! What one request may cost: SPARQL time and result size, upload decompression bounds, and
//! how long an upload waits for its turn.

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
