//! Every named query in queries/ has a case here, run against a store with known content.

use hypatia::embed::Embedder;
use hypatia::store::queries;
use hypatia::store::queries::lexical;

use super::common::{client, fixtures, hash_embedder, ingest, open_server, temp_store};
use std::sync::Arc;

/// The queries this file has a case for; a query file without one fails the test.
const COVERED: [&str; 32] = [
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
    "method_results.rq",
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
    // Cases in tests/it/concepts.rs (through research::concepts::find and ::view).
    "concept_search.rq",
    "concept_facts.rq",
    "concept_neighbours.rq",
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

/// `GET /queries` lists every file of `queries/` with its text as the server runs it, the
/// description from its leading comment and the variables that comment says are bound; each
/// listed query runs over `/sparql` as it is (its parameters unbound).
#[test]
fn the_server_lists_its_named_queries_and_each_runs_over_sparql() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/arxiv")]);
    let srv = open_server(Arc::new(store), None, false);
    let base = format!("http://{}", srv.addr());
    let c = client();
    let r = c.get(format!("{base}/queries")).send().unwrap();
    assert_eq!(r.status(), 200);
    let listed: Vec<serde_json::Value> = r.json().unwrap();
    let names: Vec<&str> = listed.iter().map(|q| q["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "in name order");
    assert_eq!(listed.len(), queries::ALL.len());
    for q in &listed {
        let name = q["name"].as_str().unwrap();
        let file = std::fs::read_to_string(format!("{}/queries/{name}.rq", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(q["text"].as_str().unwrap(), file, "{name}: the text is the file's");
        let description = q["description"].as_str().unwrap();
        assert!(
            !description.is_empty() && !description.contains('#') && file.starts_with('#'),
            "{name}: {description}"
        );
        let body = file
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        for p in q["parameters"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            assert!(
                body.contains(&format!("?{p}")),
                "{name}: parameter ?{p} is not in the query"
            );
        }
        let run = c
            .post(format!("{base}/sparql"))
            .header("content-type", "application/sparql-query")
            .header("accept", "application/sparql-results+json")
            .body(file.clone())
            .send()
            .unwrap();
        let status = run.status();
        assert_eq!(status, 200, "{name}: {}", run.text().unwrap());
    }
    let by_name = |n: &str| listed.iter().find(|q| q["name"] == n).unwrap();
    let parameters = |n: &str| by_name(n)["parameters"].clone();
    assert_eq!(parameters("authors"), serde_json::json!(["paper", "g"]));
    assert_eq!(
        parameters("claims_in_passage"),
        serde_json::json!(["passage", "g", "x"])
    );
    assert_eq!(
        parameters("experiments"),
        serde_json::json!(["e", "status", "agent"]),
        "?tested is an output"
    );
    assert_eq!(parameters("concept_cooccurrence"), serde_json::json!(["a", "b"]));
    assert_eq!(parameters("method_evaluations"), serde_json::json!(["method"]));
    assert_eq!(parameters("count_papers"), serde_json::json!([]));
    assert_eq!(parameters("gap_concept_sets"), serde_json::json!([]));
    assert!(by_name("authors")["description"]
        .as_str()
        .unwrap()
        .starts_with("The authors of one paper in byline order."));
    // count_papers over /sparql counts the ingested papers.
    let counted: serde_json::Value = c
        .get(format!("{base}/sparql"))
        .query(&[("query", by_name("count_papers")["text"].as_str().unwrap())])
        .header("accept", "application/sparql-results+json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let papers = counted["results"]["bindings"][0]["papers"]["value"].as_str().unwrap();
    assert_ne!(papers, "0", "{counted}");
}
