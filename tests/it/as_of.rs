//! What was known when: `as_of` reads on both clocks. A real retracted paper (PMID 11543891,
//! published 2001-09) is ingested, its retraction notice (PMID 11600210, 2001-10) arrives in a
//! later batch; search, findings, novelty, hypotheses' statuses and SPARQL answer as the store
//! stood between the two batches (record clock) and as the literature stood in 2001 (valid
//! clock). The paper's versions are end-dated, not deleted, when it is written again and when
//! it is deleted.

use std::sync::Arc;
use std::time::Duration;

use hypatia::answers::findings::{self, FindingsRequest};
use hypatia::common::clock::{AsOf, Clocks, Moment};
use hypatia::common::ids::paper_key;
use hypatia::embed::Embedder;
use hypatia::research::novelty::{novelty, NoveltyRequest};
use hypatia::research::{self, Actor, HypothesisStatus, NewHypothesis, StatusUpdate};
use hypatia::retrieval::search::{self, Hit, Mode, SearchRequest};
use hypatia::store::queries::lexical;
use hypatia::store::Store;

use super::common::{client, fixtures, hash_embedder, ingest, open_server, temp_store};

const PAPER: &str = "https://pubmed.ncbi.nlm.nih.gov/11543891";
const NOTICE: &str = "https://pubmed.ncbi.nlm.nih.gov/11600210";
const QUESTION: &str = "genetic relatedness of Palestinians Jews Mediterranean populations HLA";

fn medline(name: &str) -> std::path::PathBuf {
    fixtures().join("papers/medline").join(name)
}

fn hits(store: &Store, as_of: Option<AsOf>) -> Vec<Hit> {
    search::search(
        store,
        None,
        &SearchRequest {
            query: QUESTION.into(),
            mode: Mode::Bm25,
            k: 10,
            as_of,
            ..Default::default()
        },
    )
    .unwrap()
}

fn at(s: &str, clocks: Clocks) -> AsOf {
    AsOf::parse("as_of", s, clocks).unwrap()
}

/// A moment strictly between what was written before and what is written after.
fn pause() -> Moment {
    std::thread::sleep(Duration::from_millis(20));
    let m = Moment::now();
    std::thread::sleep(Duration::from_millis(20));
    m
}

fn paper_keys(found: &[Hit]) -> Vec<String> {
    found.iter().map(|h| h.citation.paper.key.clone()).collect()
}

#[test]
fn reads_as_of_a_moment_see_the_store_as_it_stood_then() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let (key, notice_key) = (paper_key(PAPER), paper_key(NOTICE));
    let report = ingest(
        &store,
        &e,
        &[
            medline("retraction/pubmed-11543891-as-first-indexed.xml"),
            medline("medsample1.sample.xml"),
        ],
    );
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let before_notice = pause();
    let hypothesis = research::propose(
        &store,
        &e as &dyn Embedder,
        &Actor::local(),
        &NewHypothesis {
            statement: "HLA genes place Palestinians close to Jews among Mediterranean populations.".into(),
            agent: "a1".into(),
            concepts: vec![],
            gap: None,
            evidence: vec![],
            derived_from: vec![],
        },
    )
    .unwrap()
    .record;
    let proposed = pause();
    research::set_status(
        &store,
        &Actor::local(),
        &hypothesis.key,
        &StatusUpdate {
            status: HypothesisStatus::Testing,
            agent: "a1".into(),
            outcomes: vec![],
            note: None,
        },
    )
    .unwrap();
    let report = ingest(&store, &e, &[medline("retraction/pubmed-11600210-notice.xml")]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);

    // Now: retracted, and findings leave it out.
    let now = hits(&store, None);
    assert_eq!(now[0].citation.paper.key, key);
    assert!(now[0].retracted);
    let pack = |as_of: Option<AsOf>| {
        findings::find(
            &store,
            None,
            &FindingsRequest {
                question: QUESTION.into(),
                mode: Mode::Bm25,
                as_of,
                ..Default::default()
            },
        )
        .unwrap()
    };
    assert!(pack(None).papers.iter().all(|p| p.reference.key != key));

    // Record clock: before the notice was learned, the paper is not retracted and findings
    // serve it; the notice's own record is not there yet.
    let then = AsOf {
        at: before_notice,
        clocks: Clocks::Both,
    };
    let found = hits(&store, Some(then));
    assert_eq!(found[0].citation.paper.key, key);
    assert!(found.iter().all(|h| !(h.citation.paper.key == key && h.retracted)));
    assert!(!paper_keys(&found).contains(&notice_key));
    assert!(!paper_keys(&now).is_empty());
    let p = pack(Some(then));
    assert_eq!(p.papers[0].reference.key, key);
    assert!(!p.papers[0].retracted);
    // Before anything was learned: nothing.
    assert!(hits(&store, Some(at("2001", Clocks::Both))).is_empty());

    // Valid clock: the literature as of September 2001 has the paper, unretracted; as of
    // October 2001 it is retracted; as of August 2001 it was not published.
    let sept = hits(&store, Some(at("2001-09", Clocks::Valid)));
    assert_eq!(sept[0].citation.paper.key, key);
    assert!(!sept[0].retracted);
    let oct = hits(&store, Some(at("2001-10-31", Clocks::Valid)));
    assert!(oct.iter().any(|h| h.citation.paper.key == key && h.retracted));
    let aug = hits(&store, Some(at("2001-08", Clocks::Valid)));
    assert!(!paper_keys(&aug).contains(&key));
    // Half-way through 2001 a paper dated only "2001" is not certainly out yet.
    let timeline = store.timeline().unwrap();
    assert!(aug
        .iter()
        .all(|h| timeline.times(&h.citation.paper.key).unwrap().published <= Moment::latest_in("2001-08")));

    // Novelty: the hypothesis did not exist before it was proposed; between proposal and the
    // status change it was proposed, now it is testing.
    let check = |as_of: Option<Moment>| {
        novelty(
            &store,
            &e,
            &NoveltyRequest {
                idea: "HLA genes place Palestinians close to Jews among Mediterranean populations.".into(),
                k: Some(5),
                as_of: as_of.map(Moment::rfc3339),
                clock: None,
            },
        )
        .unwrap()
    };
    assert!(check(Some(before_notice)).hypotheses.is_empty());
    let mid = check(Some(proposed));
    assert_eq!(mid.hypotheses[0].hypothesis.key, hypothesis.key);
    assert_eq!(mid.hypotheses[0].hypothesis.status, HypothesisStatus::Proposed);
    assert!(mid.hypotheses[0].hypothesis.history.len() < check(None).hypotheses[0].hypothesis.history.len());
    assert_eq!(check(None).hypotheses[0].hypothesis.status, HypothesisStatus::Testing);
    assert!(novelty(
        &store,
        &e,
        &NoveltyRequest {
            idea: "x y z".into(),
            k: None,
            as_of: Some("soon".into()),
            clock: None,
        },
    )
    .is_err());

    // SPARQL over the graphs visible then: the notice's record is not among them, and the
    // hypothesis' status graph (changed since) is not either.
    let graphs = store.graphs_as_of(&then).unwrap();
    assert!(graphs.contains(&store.base().paper_graph(&key)));
    assert!(!graphs.contains(&store.base().paper_graph(&notice_key)));
    assert!(!graphs.contains(&store.base().nanopub_graph(&hypothesis.key, "status")));
    assert!(store
        .graphs_as_of(&AsOf {
            at: proposed,
            clocks: Clocks::Both
        })
        .unwrap()
        .contains(&store.base().nanopub_graph(&hypothesis.key, "pubinfo")));

    // Over HTTP: the same answers, and a bad moment is refused naming the parameter.
    let srv = open_server(store.clone(), None, false);
    let get = |path: &str, query: &[(&str, &str)]| {
        client()
            .get(format!("http://{}{path}", srv.addr()))
            .query(query)
            .header("accept", "application/json, application/sparql-results+json")
            .send()
            .unwrap()
    };
    let then_s = before_notice.rfc3339();
    let (q, bm25) = (("q", QUESTION), ("mode", "bm25"));
    let v: serde_json::Value = get("/search", &[q, bm25, ("as_of", &then_s)]).json().unwrap();
    assert_eq!(v["hits"][0]["citation"]["paper"]["key"], key.as_str());
    assert!(v["hits"][0].get("retracted").is_none(), "{v}");
    let v: serde_json::Value = get("/findings", &[q, bm25, ("as_of", &then_s)]).json().unwrap();
    assert_eq!(v["papers"][0]["reference"]["key"], key.as_str());
    let v: serde_json::Value = get("/search", &[q, bm25, ("as_of", "2001-09"), ("clock", "valid")])
        .json()
        .unwrap();
    assert_eq!(v["hits"][0]["citation"]["paper"]["key"], key.as_str());
    for bad in [
        vec![q, ("as_of", "last tuesday")],
        vec![q, ("as_of", "2001"), ("clock", "wall")],
        vec![q, ("as_of", "2001-02-30")],
    ] {
        let r = get("/search", &bad);
        assert_eq!(r.status(), 400);
        let body = r.text().unwrap();
        assert!(body.contains("as_of") || body.contains("clock"), "{body}");
    }
    let pmid = "PREFIX hyp: <https://w3id.org/hypatia/ns#> SELECT ?p WHERE { ?p hyp:pmid \"11600210\" }";
    let rows = |query: &[(&str, &str)]| -> usize {
        let v: serde_json::Value = get("/sparql", query).json().unwrap();
        v["results"]["bindings"].as_array().unwrap().len()
    };
    assert_eq!(rows(&[("query", pmid)]), 1);
    assert_eq!(rows(&[("query", pmid), ("as_of", &then_s)]), 0);
    assert_eq!(rows(&[("query", pmid), ("as_of", "2001-09"), ("clock", "valid")]), 0);
    assert_eq!(rows(&[("query", pmid), ("as_of", "2001-10"), ("clock", "valid")]), 1);
    let api: serde_json::Value = get("/openapi.json", &[]).json().unwrap();
    for path in ["/search", "/findings", "/novelty", "/gaps"] {
        let names: Vec<&str> = api["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(names.contains(&"as_of"), "{path}: {names:?}");
    }
}

#[test]
fn a_superseded_version_is_end_dated_not_deleted() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let key = paper_key(PAPER);
    ingest(
        &store,
        &e,
        &[medline("retraction/pubmed-11543891-as-first-indexed.xml")],
    );
    let versions = |store: &Store| -> Vec<(String, Option<String>)> {
        let q = format!(
            "PREFIX hyp: <https://w3id.org/hypatia/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
             SELECT ?d ?end FROM <{}> WHERE {{ ?v hyp:versionOf <{PAPER}> ; hyp:digest ?d ;
             prov:generatedAtTime ?t OPTIONAL {{ ?v prov:invalidatedAtTime ?end }} }} ORDER BY ?t",
            store.base().history_graph(&key)
        );
        let oxigraph::sparql::QueryResults::Solutions(rows) = store.graph().query(&q, &[], &[]).unwrap() else {
            panic!("a SELECT")
        };
        rows.map(|r| {
            let r = r.unwrap();
            (lexical(r.get("d").unwrap()), r.get("end").map(lexical))
        })
        .collect()
    };
    let first = store.paper_digest(&key).unwrap().unwrap();
    assert_eq!(versions(&store), [(first.clone(), None)]);
    // The same record again changes nothing.
    ingest(
        &store,
        &e,
        &[medline("retraction/pubmed-11543891-as-first-indexed.xml")],
    );
    assert_eq!(versions(&store), [(first.clone(), None)]);
    // MEDLINE's updated record (it says the paper is retracted): a second version.
    let learned = pause();
    ingest(&store, &e, &[medline("retraction/pubmed-11543891.xml")]);
    let second = store.paper_digest(&key).unwrap().unwrap();
    assert_ne!(first, second);
    let v = versions(&store);
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0].0, first);
    let ended = Moment::latest_in(v[0].1.as_deref().expect("the first version is end-dated")).unwrap();
    assert!(ended > learned);
    assert_eq!(v[1], (second, None));
    // Its retraction flag was learned with the second version: not retracted before then.
    let standing = store.standing().unwrap();
    assert!(standing.is_retracted(&key));
    let before = AsOf {
        at: learned,
        clocks: Clocks::Both,
    };
    assert!(!standing.is_retracted_as_of(&key, Some(&before)));
    // The first version's time is kept as when the paper became known.
    assert!(store.timeline().unwrap().visible(&key, &before));
    // Deleted: the history stays, the last version end-dated.
    assert_eq!(store.delete_papers(std::slice::from_ref(&key)).unwrap(), 1);
    let v = versions(&store);
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(|(_, end)| end.is_some()), "{v:?}");
    assert!(store.check_consistency().unwrap().is_consistent());
}
