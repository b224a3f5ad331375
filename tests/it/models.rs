//! A store knows the embedding model that made its vectors: another model (even of the same
//! dimension) is refused with the way out, and `reembed` rebuilds every vector in place,
//! resumably.

use std::sync::atomic::{AtomicUsize, Ordering};

use hypatia::embed::{Embedder, HashEmbedder, ModelIdentity};
use hypatia::research::{self, Actor, NewHypothesis};
use hypatia::retrieval::search::{self, Mode, SearchRequest};
use hypatia::store::reembed;
use hypatia::store::{Store, StoreOptions};

use super::common::{fixtures, ingest};

fn opts(model: Option<ModelIdentity>) -> StoreOptions {
    StoreOptions {
        model,
        ..Default::default()
    }
}

/// A store of the JATS samples and one hypothesis, embedded by `e`.
fn store_with(dir: &std::path::Path, e: &dyn Embedder) {
    let store = Store::open(dir, &opts(Some(e.identity()))).unwrap();
    ingest(&store, e, &[fixtures().join("papers/jats")]);
    research::propose(
        &store,
        e,
        &Actor::local(),
        &NewHypothesis {
            statement: "Open access articles are cited more often within two years.".into(),
            agent: "agent-a".into(),
            concepts: vec![],
            gap: None,
            evidence: vec![],
            derived_from: vec![],
        },
    )
    .unwrap();
}

#[test]
fn another_model_of_the_same_dimension_is_refused_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let e = HashEmbedder::new(32);
    store_with(&data, &e);
    let other = ModelIdentity {
        name: "bge-small-en-v1.5".into(),
        weights_sha256: "f".repeat(64),
        pooling: "cls".into(),
        dim: 32,
    };
    let err = Store::open(&data, &opts(Some(other)))
        .err()
        .expect("another model is refused")
        .to_string();
    assert!(
        err.contains("bge-small-en-v1.5") && err.contains("hash") && err.contains("reembed"),
        "{err}"
    );
    // The same model under another folder name is the same model.
    let renamed = ModelIdentity {
        name: "renamed".into(),
        ..e.identity()
    };
    Store::open(&data, &opts(Some(renamed))).unwrap();
}

#[test]
fn a_store_written_before_models_were_recorded_adopts_the_first_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let e = HashEmbedder::new(32);
    store_with(&data, &e);
    let meta = data.join("hypatia.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("model");
    std::fs::write(&meta, serde_json::to_vec(&v).unwrap()).unwrap();
    Store::open(&data, &opts(Some(e.identity()))).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    assert_eq!(v["model"]["name"], "hash");
    let other = ModelIdentity {
        weights_sha256: "0".repeat(64),
        ..e.identity()
    };
    assert!(Store::open(&data, &opts(Some(other))).is_err());
}

/// An embedder that fails after `ok` calls, as an interrupted run would stop.
struct Failing {
    inner: HashEmbedder,
    calls: AtomicUsize,
    ok: usize,
}

impl Embedder for Failing {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn name(&self) -> &str {
        "hash"
    }
    fn identity(&self) -> ModelIdentity {
        self.inner.identity()
    }
    fn embed(&self, texts: &[String]) -> hypatia::Result<Vec<Vec<f32>>> {
        if self.calls.fetch_add(1, Ordering::SeqCst) >= self.ok {
            return Err(hypatia::Error::invalid("embed", "interrupted"));
        }
        self.inner.embed(texts)
    }
}

#[test]
fn reembed_rebuilds_every_vector_in_place_and_resumes_after_an_interruption() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (old, new) = (HashEmbedder::new(16), HashEmbedder::new(24));
    store_with(&data, &old);
    let before = Store::open(&data, &opts(Some(old.identity())))
        .unwrap()
        .stats()
        .unwrap();
    assert!(Store::open(&data, &opts(Some(new.identity()))).is_err());

    let failing = Failing {
        inner: HashEmbedder::new(24),
        calls: AtomicUsize::new(0),
        ok: 2,
    };
    assert!(reembed::reembed(&data, &opts(None), &failing, 2, &|_, _| {}).is_err());
    let err = Store::open(&data, &opts(Some(old.identity())))
        .err()
        .expect("refused mid-way")
        .to_string();
    assert!(err.contains("re-embedded"), "{err}");

    let report = reembed::reembed(&data, &opts(None), &new, 2, &|_, _| {}).unwrap();
    assert!(report.resumed && report.documents > 0, "{report:?}");
    assert!(
        reembed::reembed(&data, &opts(None), &new, 2, &|_, _| {})
            .unwrap()
            .already
    );

    let store = Store::open(&data, &opts(Some(new.identity()))).unwrap();
    assert_eq!(store.dim(), 24);
    let after = store.stats().unwrap();
    assert_eq!(
        (after.papers, after.records, after.passages, after.vectors),
        (before.papers, before.records, before.passages, before.vectors)
    );
    assert!(store.check_consistency().unwrap().is_consistent());
    let hits = search::search(
        &store,
        Some(&new),
        &SearchRequest {
            query: "open access citation advantage".into(),
            mode: Mode::Vector,
            k: 3,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(hits.len(), 3);
    drop(store);
    assert!(
        Store::open(&data, &opts(Some(old.identity()))).is_err(),
        "the old model is now the other one"
    );
}

#[test]
fn an_unfinished_reembedding_can_be_given_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let old = HashEmbedder::new(16);
    store_with(&data, &old);
    let failing = Failing {
        inner: HashEmbedder::new(24),
        calls: AtomicUsize::new(0),
        ok: 1,
    };
    assert!(reembed::reembed(&data, &opts(None), &failing, 1, &|_, _| {}).is_err());
    assert!(reembed::abort(&data).unwrap());
    let store = Store::open(&data, &opts(Some(old.identity()))).unwrap();
    assert!(store.check_consistency().unwrap().is_consistent());
    assert!(!data.join("vector.new").exists());
}
