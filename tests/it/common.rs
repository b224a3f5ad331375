//! Shared fixtures: the model (loaded once per test binary) and a SciFact sample store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hypatia::embed::{Embedder, FastEmbedder, HashEmbedder, ModelIdentity, ModelLocation};
use hypatia::ingest::pipeline::{self, IngestOptions, IngestReport};
use hypatia::store::{Store, StoreOptions};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The real all-MiniLM-L6-v2, loaded once (ONNX Runtime allows one environment per process).
pub fn model() -> Arc<dyn Embedder> {
    static MODEL: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let m = FastEmbedder::load(&ModelLocation {
                threads: Some(2),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("the embedding model must be set up (bash scripts/setup.sh): {e}"));
            Arc::new(m)
        })
        .clone()
}

/// A deterministic embedder for tests of plumbing.
pub fn hash_embedder() -> HashEmbedder {
    HashEmbedder::new(32)
}

/// Opens a store in a fresh temp dir for this embedding model.
pub fn temp_store(model: ModelIdentity) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("data"),
        &StoreOptions {
            model: Some(model),
            ..Default::default()
        },
    )
    .unwrap();
    (dir, store)
}

pub fn reopen(dir: &tempfile::TempDir, model: ModelIdentity) -> Store {
    Store::open(
        &dir.path().join("data"),
        &StoreOptions {
            model: Some(model),
            ..Default::default()
        },
    )
    .unwrap()
}

pub fn ingest(store: &Store, embedder: &dyn Embedder, paths: &[PathBuf]) -> IngestReport {
    pipeline::ingest_paths(store, embedder, paths, &IngestOptions::default(), &|_| {}).unwrap()
}

/// The 150-abstract SciFact sample, ingested once with the real model and shared read-only.
pub struct Scifact {
    pub _dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub report: IngestReport,
}

pub fn scifact() -> &'static Scifact {
    static S: OnceLock<Scifact> = OnceLock::new();
    S.get_or_init(|| {
        let m = model();
        let (dir, store) = temp_store(m.identity());
        let report = ingest(&store, m.as_ref(), &[fixtures().join("scifact/corpus.jsonl")]);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        Scifact {
            _dir: dir,
            store: Arc::new(store),
            report,
        }
    })
}

/// A blocking HTTP client for tests against a served store; generous timeout, since a 2-core
/// machine running the suite in parallel can be slow to answer.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap()
}
