//! SciFact claims find their gold abstracts; SPARQL counts match what was ingested.

use hypatia::eval;
use hypatia::search::{self, Mode, SearchRequest};

use super::common::{fixtures, model, scifact};

fn gold_in_top_10(mode: Mode) -> (usize, usize) {
    let s = scifact();
    let queries = eval::load_beir_queries(&fixtures().join("scifact"), "train", &s.store).unwrap();
    let m = model();
    let mut found = 0;
    for q in &queries {
        let req = SearchRequest {
            query: q.text.clone(),
            mode,
            k: 10,
            filter: Default::default(),
            tuning: Default::default(),
        };
        let hits = search::search(&s.store, Some(m.as_ref()), &req).unwrap();
        if hits.iter().any(|h| q.relevant.contains_key(&h.citation.paper.key)) {
            found += 1;
        }
    }
    (found, queries.len())
}

#[test]
fn scifact_claims_find_their_gold_abstract_with_each_mode() {
    for mode in Mode::ALL {
        let (found, total) = gold_in_top_10(mode);
        assert_eq!(total, 12);
        assert!(
            found >= 10,
            "{}: gold abstract in the top 10 for {found} of {total} claims",
            mode.name()
        );
    }
}

#[test]
fn a_specific_claim_ranks_its_gold_abstract_first_in_hybrid() {
    let s = scifact();
    let req = SearchRequest {
        query: "0-dimensional biomaterials show inductive properties.".into(),
        mode: Mode::Hybrid,
        k: 10,
        filter: Default::default(),
        tuning: Default::default(),
    };
    let hits = search::search(&s.store, Some(model().as_ref()), &req).unwrap();
    assert!(!hits.is_empty());
    let c = &hits[0].citation;
    assert!(c.paper.corpus_id.is_some(), "{c:?}");
    assert!(c.quote.len() > 20);
}

#[test]
fn sparql_counts_match_what_was_ingested() {
    let s = scifact();
    let q = hypatia::queries::COUNT_PAPERS;
    let results = s.store.graph().query(q, &[], &[]).unwrap();
    let oxigraph::sparql::QueryResults::Solutions(mut sol) = results else {
        panic!("not a SELECT")
    };
    let row = sol.next().unwrap().unwrap();
    let int = |v: &str| hypatia::papers::lexical(row.get(v).unwrap()).parse::<usize>().unwrap();
    assert_eq!(int("papers"), 150);
    assert_eq!(int("papers"), s.report.papers);
    assert_eq!(int("passages"), s.report.passages);
    let stats = s.store.stats().unwrap();
    assert_eq!(stats.papers, 150);
    assert_eq!(stats.passages, s.report.passages);
    assert_eq!(stats.vectors, s.report.passages);
    assert!(s.store.check_consistency().unwrap().is_consistent());
    assert!(
        s.store.graph().default_graph_is_empty().unwrap(),
        "every fact sits in a paper's named graph"
    );
}

#[test]
fn year_filters_apply_to_every_mode() {
    let s = scifact();
    let m = model();
    for mode in Mode::ALL {
        let req = SearchRequest {
            query: "cancer".into(),
            mode,
            k: 10,
            filter: hypatia::store::SearchFilter {
                year_from: Some(1900),
                year_to: Some(1901),
                ..Default::default()
            },
            tuning: Default::default(),
        };
        // SciFact abstracts carry no year: a year bound excludes all of them.
        assert!(
            search::search(&s.store, Some(m.as_ref()), &req).unwrap().is_empty(),
            "{}",
            mode.name()
        );
    }
}
