//! Replacing a stored paper is invisible until it is complete: while a new version is half
//! written (the text index already holds it, the graph does not), readers neither fail nor serve
//! a passage of a version the graph does not state; a failed apply is finished at once; the
//! consistency check sees a half-applied replacement that key sets alone would not.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hypatia::common::passages::ChunkConfig;
use hypatia::embed::Embedder;
use hypatia::ingest::pipeline::{self, Identity};
use hypatia::retrieval::search::{self, Mode, SearchRequest};
use hypatia::store::failpoints;
use hypatia::store::Store;
use hypatia_ingest::{Format, Paper, Section};

use super::common::{hash_embedder, temp_store};

/// Version `v` of one paper: same identity (title, author, year), a body that names `word`.
fn version(word: &str) -> Paper {
    Paper {
        title: "Replacement windows in three-index stores".into(),
        authors: vec![hypatia_ingest::Author::named("Ada Lovelace")],
        year: Some(2024),
        abstract_text: Some(format!(
            "We study what readers see while a paper changes; this version says {word}."
        )),
        sections: vec![Section {
            heading: "Results".into(),
            paragraphs: vec![format!(
                "The {word} measurements were repeated on three machines, and every one of them agreed."
            )],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn put(store: &Store, e: &dyn Embedder, paper: &Paper) -> hypatia::Result<()> {
    let identity = Identity::of(store.base(), paper);
    let prepared = pipeline::prepare(
        store,
        paper,
        Format::Markdown,
        &ChunkConfig::default(),
        &identity,
        &hypatia_extract::Lexicon::empty(),
    );
    let mut doc = prepared.doc;
    doc.vectors = e.embed(&prepared.texts)?;
    store.put_papers(vec![doc])
}

fn hits(store: &Store, e: &dyn Embedder, q: &str) -> Vec<search::Hit> {
    search::search(
        store,
        Some(e),
        &SearchRequest {
            query: q.into(),
            mode: Mode::Hybrid,
            k: 10,
            ..Default::default()
        },
    )
    .expect("a search never fails while a paper is replaced")
}

#[test]
fn a_half_applied_replacement_is_invisible_and_finished_by_the_next_write() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    put(&store, &e, &version("zirconium")).unwrap();
    let key = Identity::of(store.base(), &version("zirconium")).key;
    assert!(!hits(&store, &e, "zirconium measurements").is_empty());

    // The text index takes version 2, then the write fails, and so does finishing it at once:
    // the journal keeps it, the graph still states version 1.
    failpoints::fail_next("after-text", 2);
    assert!(put(&store, &e, &version("molybdenum")).is_err());
    for q in ["molybdenum measurements", "zirconium measurements"] {
        for h in hits(&store, &e, q) {
            assert_ne!(
                h.citation.paper.key, key,
                "{q}: a passage of another version was served: {h:?}"
            );
        }
    }
    let record = hypatia::store::papers::paper_record(&store, &key).unwrap();
    assert!(
        record.passages.iter().any(|p| p.text.contains("zirconium"))
            && record.passages.iter().all(|p| !p.text.contains("molybdenum")),
        "the paper record shows the version its graph states: {:?}",
        record.passages
    );
    let c = store.check_consistency().unwrap();
    assert!(!c.text_vs_canonical.is_empty() && c.text_vs_graph.is_empty(), "{c:?}");

    // The next write finishes the pending one first.
    store.delete_papers(&["0123456789abcdef".into()]).unwrap();
    assert!(store.check_consistency().unwrap().is_consistent());
    let found = hits(&store, &e, "molybdenum measurements");
    assert_eq!(found.first().map(|h| h.citation.paper.key.as_str()), Some(key.as_str()));
}

#[test]
fn a_failed_apply_is_finished_at_once() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    put(&store, &e, &version("zirconium")).unwrap();
    for point in ["after-text", "after-vector", "after-graph", "after-flush"] {
        failpoints::fail_next(point, 1);
        put(&store, &e, &version(&format!("hafnium{}", point.len()))).unwrap();
        assert!(store.check_consistency().unwrap().is_consistent(), "{point}");
    }
    assert!(!hits(&store, &e, "hafnium11 measurements").is_empty());
}

#[test]
fn readers_never_fail_while_papers_are_replaced_and_deleted() {
    let e = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.identity());
    let store = Arc::new(store);
    put(&store, e.as_ref(), &version("v0")).unwrap();
    let key = Identity::of(store.base(), &version("v0")).key;
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (store, e, stop, key) = (store.clone(), e.clone(), stop.clone(), key.clone());
            std::thread::spawn(move || {
                let mut served = 0;
                while !stop.load(Ordering::Relaxed) {
                    for h in hits(&store, e.as_ref(), "measurements repeated on three machines") {
                        // Every quote the Citer served was verified against the graph's text.
                        assert!(h.citation.quote.len() > 10);
                        served += 1;
                    }
                    let _ = hypatia::store::papers::paper_record(&store, &key);
                }
                served
            })
        })
        .collect();
    for i in 1..40 {
        if i % 7 == 0 {
            store.delete_papers(std::slice::from_ref(&key)).unwrap();
        } else {
            put(&store, e.as_ref(), &version(&format!("v{i}"))).unwrap();
        }
    }
    stop.store(true, Ordering::Relaxed);
    let served: usize = readers.into_iter().map(|r| r.join().expect("a reader failed")).sum();
    assert!(served > 0);
    assert!(store.check_consistency().unwrap().is_consistent());
}

#[test]
fn hypothesis_evidence_keeps_the_quote_it_was_made_from() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    put(&store, &e, &version("zirconium")).unwrap();
    let key = Identity::of(store.base(), &version("zirconium")).key;
    let passage = store
        .text()
        .passages_of(&key)
        .unwrap()
        .into_iter()
        .find(|p| p.text.contains("zirconium"))
        .unwrap();
    let h = hypatia::research::propose(
        &store,
        &e,
        &hypatia::research::Actor::local(),
        &hypatia::research::NewHypothesis {
            statement: "Zirconium measurements replicate across machines.".into(),
            agent: "agent-a".into(),
            concepts: vec![],
            gap: None,
            evidence: vec![hypatia::research::EvidenceArg::Name(passage.key.clone())],
            derived_from: vec![],
        },
    )
    .unwrap()
    .record;
    let cited = hypatia::research::hypothesis(&store, &h.key).unwrap().quoted_evidence;
    assert_eq!(cited.len(), 1);
    assert_eq!(
        (cited[0].quote.as_str(), cited[0].unchanged),
        (passage.text.as_str(), true)
    );
    assert_eq!(cited[0].paper_digest, passage.version);

    // The paper is replaced: the passage key now holds other text; the hypothesis still says
    // what it rested on, and that the source changed.
    put(&store, &e, &version("molybdenum")).unwrap();
    let cited = hypatia::research::hypothesis(&store, &h.key).unwrap().quoted_evidence;
    assert_eq!(cited[0].quote, passage.text);
    assert!(!cited[0].unchanged);
    assert_eq!((cited[0].start, cited[0].end), (passage.start, passage.end));
}
