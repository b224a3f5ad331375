//! Every named query in queries/ has a case here, run against a store with known content.

use hypatia::embed::Embedder;
use hypatia::store::queries;
use hypatia::store::queries::lexical;

use super::common::{fixtures, hash_embedder, ingest, temp_store};

/// The queries this file has a case for; a query file without one fails the test.
const COVERED: [&str; 28] = [
    "citation.rq",
    "authors.rq",
    "passages_of.rq",
    "paper.rq",
    "count_papers.rq",
    // Case in tests/it/retrieval.rs, through eval::load_beir on BEIR records with identifiers.
    "corpus_ids.rq",
    // Cases in tests/it/extraction.rs, on a store with extracted facts.
    "methods_for_task.rq",
    "datasets_of_method.rq",
    "claims_about.rq",
    // Case in tests/it/findings.rs.
    "claims_in_passage.rq",
    // Cases in tests/it/gaps.rs.
    "gap_concept_sets.rq",
    "method_evaluations.rq",
    "open_question_passages.rq",
    "concept_by_label.rq",
    "concept_cooccurrence.rq",
    // Cases in tests/it/research.rs (through research::hypothesis / experiments / experiment).
    "concept_labels.rq",
    "hypotheses.rq",
    "hypothesis_history.rq",
    "hypothesis_evidence.rq",
    "experiments.rq",
    "experiment_details.rq",
    // Cases in tests/it/lineage.rs (through research::hypothesis / hypotheses / compare).
    "hypothesis_lineage.rq",
    "comparisons.rq",
    // Case in tests/it/as_of.rs (through Store::timeline and Store::graphs_as_of).
    "timeline.rq",
    // Cases in tests/it/retractions.rs (through Store::standing): a notice after its paper,
    // before it, and a paper's own record.
    "notices.rq",
    // Cases in tests/it/ingest.rs (through papers::paper_record).
    "paper_extraction.rq",
    "paper_references.rq",
    "cited_by.rq",
];

#[test]
fn every_named_query_has_a_case() {
    let on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/queries"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".rq") || n.ends_with(".ru"))
        .collect();
    for f in &on_disk {
        assert!(
            COVERED.contains(&f.as_str()),
            "queries/{f} has no case in tests/it/queries.rs"
        );
        assert!(
            queries::ALL.iter().any(|(n, _)| n == f),
            "queries/{f} is not embedded in src/queries.rs"
        );
    }
    assert_eq!(on_disk.len(), COVERED.len());
}

#[test]
fn named_queries_return_the_expected_rows() {
    let e = hash_embedder();
    let (_d, store) = temp_store(hash_embedder().identity());
    ingest(
        &store,
        &e,
        &[fixtures().join("papers/jats/plos/journal.pbio.1001044.xml")],
    );
    let iri = "https://doi.org/10.1371/journal.pbio.1001044";
    let key = hypatia::common::ids::paper_key(iri);
    let record = hypatia::store::papers::paper_record(&store, &key).unwrap();
    // citation.rq + authors.rq through the paper record.
    assert!(record.reference.title.len() > 10);
    assert_eq!(record.reference.doi.as_deref(), Some("10.1371/journal.pbio.1001044"));
    assert!(!record.reference.authors.is_empty());
    assert!(record.reference.year.is_some());
    // paper.rq: facts without the canonical text.
    assert!(record.facts.iter().all(|[_, p, _]| !p.contains("canonicalText")));
    assert!(record
        .facts
        .iter()
        .any(|[_, p, _]| p.contains("http://schema.org/citation")));
    // citation.rq's canonical text and digest: every passage verifies against the text, and
    // carries the digest as its version.
    let g = oxigraph::model::NamedNode::new(store.base().paper_graph(&key)).unwrap();
    let p = oxigraph::model::NamedNode::new(iri).unwrap();
    let oxigraph::sparql::QueryResults::Solutions(mut rows) = store
        .graph()
        .query_bound(
            queries::CITATION,
            &[("paper", p.clone().into()), ("g", g.clone().into())],
        )
        .unwrap()
    else {
        panic!()
    };
    let row = rows.next().unwrap().unwrap();
    let text = lexical(row.get("text").unwrap());
    let digest = lexical(row.get("digest").unwrap());
    for ps in &record.passages {
        assert!(
            hypatia::common::passages::verify_quote(&text, ps.start, ps.end, &ps.text),
            "{}",
            ps.key
        );
    }
    assert!(store
        .text()
        .passages_of(&key)
        .unwrap()
        .iter()
        .all(|ps| ps.version == digest));
    // passages_of.rq: the graph's own passages are the text index's.
    let from_graph =
        hypatia::store::queries::select(&store, queries::PASSAGES_OF, &[("paper", p.into()), ("g", g.into())]).unwrap();
    assert_eq!(from_graph.len(), record.passages.len());
    for (row, ps) in from_graph.iter().zip(&record.passages) {
        assert_eq!(row["text"], ps.text);
        assert_eq!(row["start"], ps.start.to_string());
    }
    // count_papers.rq.
    let oxigraph::sparql::QueryResults::Solutions(mut rows) =
        store.graph().query(queries::COUNT_PAPERS, &[], &[]).unwrap()
    else {
        panic!()
    };
    let row = rows.next().unwrap().unwrap();
    assert_eq!(lexical(row.get("papers").unwrap()), "1");
    assert_eq!(lexical(row.get("passages").unwrap()), record.passages.len().to_string());
}
