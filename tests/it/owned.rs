//! Facts users write with SPARQL Update (in the default graph, or in a graph of their own) never
//! change what the store's own readers answer: hypothesis status and its transition rules,
//! hypothesis lists, gaps, paper records, search citations, identity and citation resolution.
//! Users still see their facts through `/sparql`, which queries the union of all graphs.

use hypatia::embed::Embedder;
use hypatia::research::gaps::{self, GapQuery};
use hypatia::research::{self, HypothesisFilter, HypothesisStatus, NewHypothesis, StatusUpdate};
use hypatia::retrieval::search::{self, Mode, SearchRequest};
use hypatia::store::writes::UpdateRequest;
use hypatia::store::Store;

use super::common::{fixtures, hash_embedder, ingest, reextract, temp_store};

const HYP: &str = "https://w3id.org/hypatia/ns#";
const MINE: &str = "http://example.org/users/mine";

/// Inserts `triples` (Turtle-style, full IRIs) into the default graph and into a user graph.
fn forge(store: &Store, triples: &str) {
    for update in [
        format!("INSERT DATA {{ {triples} }}"),
        format!("INSERT DATA {{ GRAPH <{MINE}> {{ {triples} }} }}"),
    ] {
        store
            .update(&UpdateRequest {
                update,
                using_graphs: vec![],
                using_named_graphs: vec![],
                base: None,
            })
            .unwrap();
    }
}

fn ask(store: &Store, q: &str) -> bool {
    match store.graph().query(q, &[], &[]).unwrap() {
        oxigraph::sparql::QueryResults::Boolean(b) => b,
        _ => panic!("not an ASK"),
    }
}

/// What the readers answer, as JSON, for comparison before and after forging.
fn readers(store: &Store, e: &dyn Embedder, h: &str, paper: &str) -> serde_json::Value {
    let gaps = gaps::find_gaps(
        store,
        &GapQuery {
            limit: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let hits = search::search(
        store,
        Some(e),
        &SearchRequest {
            query: "parsing".into(),
            mode: Mode::Bm25,
            k: 5,
            ..Default::default()
        },
    )
    .unwrap();
    serde_json::json!({
        "hypotheses": research::hypotheses(store, &HypothesisFilter::default()).unwrap(),
        "hypothesis": research::hypothesis(store, h).unwrap(),
        "gaps": gaps,
        "paper": hypatia::store::papers::paper_record(store, paper).unwrap(),
        "hits": hits,
        "stats": store.stats().unwrap().papers,
    })
}

#[test]
fn facts_users_write_change_nothing_the_store_answers() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    let report = ingest(&store, &e, &[fixtures().join("papers/acl")]);
    assert!(report.papers > 10, "{report:?}");
    reextract(&store, 64);
    let h = research::propose(
        &store,
        &e,
        &research::Actor::local(),
        &NewHypothesis {
            statement: "Lexicalised parsers gain little from larger treebanks.".into(),
            agent: "agent-a".into(),
            concepts: vec![],
            gap: None,
            evidence: vec![],
            derived_from: vec![],
        },
    )
    .unwrap()
    .record;
    let h_iri = store.base().iri("hypothesis", &h.key);
    let paper = store.graph_paper_keys().unwrap().into_iter().next().unwrap();
    let paper_iri = hypatia::store::papers::paper_record(&store, &paper)
        .unwrap()
        .reference
        .iri;
    let g = gaps::find_gaps(
        &store,
        &GapQuery {
            limit: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let concepts: Vec<String> = g
        .iter()
        .flat_map(|g| g.concepts.iter().map(|c| c.iri.clone()))
        .take(2)
        .collect();
    assert_eq!(concepts.len(), 2, "the sample yields gaps with concepts");
    let before = readers(&store, &e, &h.key, &paper);

    forge(
        &store,
        &format!(
            "<{h_iri}> <{HYP}status> <{HYP}Testing> . \
             <{h_iri}> <{HYP}statement> \"forged statement\" . \
             <{paper_iri}> <http://schema.org/name> \"Forged title\" . \
             <{paper_iri}> <{HYP}year> 1900 . \
             <{paper_iri}> <{HYP}mentionsConcept> <{c0}> , <{c1}> . \
             <{paper_iri}> <{HYP}sourceFormat> \"forged\" . \
             <{paper_iri}> <{HYP}digest> \"forged\" . \
             <http://example.org/forged-paper> <{HYP}mentionsConcept> <{c0}> , <{c1}> .",
            c0 = concepts[0],
            c1 = concepts[1],
        ),
    );
    assert!(
        ask(&store, &format!("ASK {{ <{h_iri}> <{HYP}status> <{HYP}Testing> }}")),
        "users see their own facts through SPARQL"
    );
    let after = readers(&store, &e, &h.key, &paper);
    assert_eq!(before, after, "forged facts reached a reader");

    // The transition rules read the real status (proposed), not the forged one (testing).
    let moved = research::set_status(
        &store,
        &research::Actor::local(),
        &h.key,
        &StatusUpdate {
            agent: "agent-a".into(),
            status: HypothesisStatus::Testing,
            outcomes: vec![],
            note: None,
        },
    )
    .unwrap();
    assert_eq!(moved.status, HypothesisStatus::Testing);
}

#[test]
fn forged_match_keys_neither_merge_nor_resolve_citations() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/jats")]);
    // A reference key some stored paper's bibliography carries, and that paper.
    let row = match store
        .graph()
        .query(
            &format!("SELECT ?g ?k WHERE {{ GRAPH ?g {{ ?r <{HYP}refKey> ?k }} }} LIMIT 1"),
            &[],
            &[],
        )
        .unwrap()
    {
        oxigraph::sparql::QueryResults::Solutions(mut s) => s.next().unwrap().unwrap(),
        _ => unreachable!(),
    };
    let key = hypatia::store::queries::lexical(row.get("k").unwrap());
    let citing_graph = hypatia::store::queries::lexical(row.get("g").unwrap());
    let citing = citing_graph.rsplit('/').next().unwrap().to_string();
    let (citing_iri, _) = store.canonical_text(&citing).unwrap().unwrap();

    // A user claims the reference's key for a paper of their own, then the citing paper comes
    // again (deleted and re-ingested): its reference must not resolve to the user's node.
    forge(
        &store,
        &format!("<http://example.org/evil> <{HYP}matchKey> \"{key}\" ."),
    );
    store.delete_papers(std::slice::from_ref(&citing)).unwrap();
    ingest(&store, &e, &[fixtures().join("papers/jats")]);
    assert!(
        !ask(
            &store,
            &format!(
                "ASK {{ GRAPH ?g {{ ?p <http://purl.org/spar/cito/cites> <http://example.org/evil> }} \
                 FILTER(STRSTARTS(STR(?g), \"{}\")) }}",
                store.base().as_str()
            )
        ),
        "a forged match key resolved a stored paper's citation"
    );
    assert_eq!(
        store.find_by_match_keys(&[key]).unwrap(),
        None,
        "a forged match key named a paper"
    );

    // Links a user wrote in their own graph survive the deletion of the paper they point at:
    // the store removes only the links it made.
    forge(
        &store,
        &format!(
            "<http://example.org/r> <{HYP}resolvesTo> <{citing_iri}> . \
             <http://example.org/c> <http://schema.org/citation> <http://example.org/r> . \
             <http://example.org/c> <http://purl.org/spar/cito/cites> <{citing_iri}> ."
        ),
    );
    store.delete_papers(&[citing]).unwrap();
    assert!(ask(
        &store,
        &format!(
            "ASK {{ GRAPH <{MINE}> {{ <http://example.org/c> <http://purl.org/spar/cito/cites> <{citing_iri}> }} }}"
        )
    ));
}
