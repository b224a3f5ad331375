//! Shared fixtures: the model (loaded once per test binary) and a SciFact sample store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hypatia::embed::{Embedder, FastEmbedder, HashEmbedder, ModelIdentity, ModelLocation};
use hypatia::ingest::pipeline::{self, IngestOptions, IngestReport};
use hypatia::serve::http::{spawn, Access, AppState, RunningServer};
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
    store_in(tempfile::tempdir().unwrap(), model)
}

/// Opens a store for a fixture kept in a `static` (see [`static_temp_dir`]).
pub fn static_store(model: ModelIdentity) -> (tempfile::TempDir, Store) {
    store_in(static_temp_dir(), model)
}

/// A temp dir for a fixture held in a `static`. Statics are never dropped, so a plain `TempDir`
/// there outlives the test process on disk (a few hundred MB per `cargo test`, which filled CI's
/// disk over a day of runs). These are made under `$TMPDIR/hypatia-tests/` with the process id in
/// their name, and making one first removes those whose process has ended.
pub fn static_temp_dir() -> tempfile::TempDir {
    let root = std::env::temp_dir().join("hypatia-tests");
    std::fs::create_dir_all(&root).unwrap();
    sweep_dead_processes(&root);
    tempfile::Builder::new()
        .prefix(&format!("p{}-", std::process::id()))
        .tempdir_in(&root)
        .unwrap()
}

/// Removes the dirs under `root` named `p{pid}-…` whose process no longer runs. Only where
/// `/proc` tells (Linux); elsewhere nothing is removed.
fn sweep_dead_processes(root: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix('p'))
            .and_then(|n| n.split('-').next())
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if !proc.join(pid.to_string()).exists() {
            // Another test binary may sweep the same dir at the same time: losing that race is fine.
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn store_in(dir: tempfile::TempDir, model: ModelIdentity) -> (tempfile::TempDir, Store) {
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

/// `hypatia extract --rules-only --batch BATCH`: the corpus lexicon, then every paper's
/// extraction graph again, the other options at their defaults.
pub fn reextract(store: &Store, batch: usize) -> hypatia::ingest::extraction::ExtractReport {
    let options = hypatia::ingest::extraction::ExtractOptions {
        batch,
        ..Default::default()
    };
    hypatia::ingest::extraction::reextract(store, &options, None).unwrap()
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
        let (dir, store) = static_store(m.identity());
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

/// A server on a free loopback port over `store`, without tokens (anyone reads; anyone writes
/// when `writes`), embedding with `embedder` when given; it stops when dropped.
pub fn open_server(store: Arc<Store>, embedder: Option<Arc<dyn Embedder>>, writes: bool) -> RunningServer {
    spawn(
        AppState {
            store,
            embedder,
            backup_dir: None,
            access: Arc::new(Access::open(writes)),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap()
}
