//! Extraction through the store: real papers in, concepts, claims, results and relations out as
//! facts with byte-exact spans and provenance, queryable in SPARQL, and replaced exactly by a
//! re-run of the extractor.

use std::sync::OnceLock;

use hypatia::embed::Embedder;
use hypatia::store::queries;
use hypatia::store::Store;
use oxigraph::model::{NamedNode, Term};

use super::common::{fixtures, hash_embedder, ingest, reextract, static_store, temp_store};

/// ACL Anthology abstracts, GROBID full texts (SPECTER, N18-3011) and PLOS/PMC JATS full texts,
/// ingested and re-extracted once.
pub fn sample() -> &'static Store {
    static S: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    &S.get_or_init(|| {
        let e = hash_embedder();
        let (dir, store) = static_store(e.identity());
        ingest(
            &store,
            &e,
            &[
                fixtures().join("papers/acl"),
                fixtures().join("papers/tei"),
                fixtures().join("papers/jats"),
            ],
        );
        let r = reextract(&store, 64);
        assert!(r.papers > 100 && r.lexicon_terms > 100, "{r:?}");
        (dir, store)
    })
    .1
}

pub fn rows(store: &Store, q: &str, bindings: &[(&str, Term)]) -> Vec<hypatia::store::queries::Row> {
    hypatia::store::queries::select(store, q, bindings).unwrap()
}

fn count(store: &Store, q: &str) -> usize {
    rows(store, q, &[])[0]["n"].parse().unwrap()
}

const P: &str = "PREFIX hyp: <https://w3id.org/hypatia/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX schema: <http://schema.org/> ";

#[test]
fn every_extracted_item_quotes_its_paper_exactly_with_provenance() {
    let store = sample();
    let items = rows(
        store,
        &format!(
            "{P} SELECT ?item ?s ?e ?x ?passage ?agent WHERE {{ ?item hyp:start ?s ; hyp:end ?e ; hyp:exact ?x ;
               prov:wasDerivedFrom ?passage ; prov:wasGeneratedBy ?agent }}"
        ),
        &[],
    );
    assert!(items.len() > 1000, "{} items", items.len());
    let mut texts = std::collections::HashMap::new();
    for it in &items {
        let paper_key =
            hypatia::common::ids::paper_key_of_passage(it["passage"].rsplit('/').next().unwrap()).to_string();
        let text = texts
            .entry(paper_key.clone())
            .or_insert_with(|| store.canonical_text(&paper_key).unwrap().unwrap().1);
        let (s, e): (usize, usize) = (it["s"].parse().unwrap(), it["e"].parse().unwrap());
        assert!(
            hypatia::common::passages::verify_quote(text, s, e, &it["x"]),
            "{} does not quote {}..{} of {paper_key}",
            it["item"],
            s,
            e
        );
        // The passage it names holds the span, or at least its start.
        let passages = store.text().passages_of(&paper_key).unwrap();
        let p = passages.iter().find(|p| it["passage"].ends_with(&p.key)).unwrap();
        assert!(p.start <= s && s < p.end, "{} outside {}", it["item"], p.key);
        assert!(it["agent"].contains("extractor/hypatia-extract/"), "{}", it["agent"]);
    }
    for class in ["Mention", "Claim", "Result", "Relation"] {
        let n = count(
            store,
            &format!("{P} SELECT (COUNT(*) AS ?n) WHERE {{ ?i a hyp:{class} }}"),
        );
        assert!(n > 0, "no hyp:{class}");
    }
    // Results from tables (JATS PLOS pone.0146913 and PMC 1472-6831-8-11 have ICC and
    // Cronbach's alpha columns): each one's span is exactly its cell.
    let table_results = rows(
        store,
        &format!(
            "{P} SELECT ?r ?m ?x WHERE {{ ?r a hyp:Result ; hyp:metric ?m ; hyp:exact ?x
               FILTER(CONTAINS(STR(?r), \"#table\")) }}"
        ),
        &[],
    );
    assert!(table_results.len() > 20, "{} table results", table_results.len());
    assert!(table_results
        .iter()
        .any(|r| r["m"] == "ICC" && r["x"].starts_with("0.")));
    // Acronym definitions merge the short form into the concept of its expansion.
    let acronyms = count(
        store,
        &format!(
            "{P} SELECT (COUNT(*) AS ?n) WHERE {{ ?c skos:prefLabel ?l ; skos:altLabel ?a
               FILTER(STRLEN(?a) >= 2 && STRLEN(?a) <= 8 && UCASE(?a) = ?a && STRLEN(?l) > STRLEN(?a) + 4) }}"
        ),
    );
    assert!(acronyms > 5, "{acronyms} acronym labels");
    // Claims carry a polarity, and some are negative or hedged.
    let negative = count(
        store,
        &format!("{P} SELECT (COUNT(*) AS ?n) WHERE {{ ?c a hyp:Claim ; hyp:polarity \"negative\" }}"),
    );
    let hedged = count(
        store,
        &format!("{P} SELECT (COUNT(*) AS ?n) WHERE {{ ?c a hyp:Claim ; hyp:hedged true }}"),
    );
    assert!(negative > 0 && hedged > 0, "negative {negative}, hedged {hedged}");
}

#[test]
fn a_re_run_of_the_extractor_replaces_exactly_its_own_facts() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/tei")]);
    let source_facts =
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), \"/graph/paper/\")) }";
    let extracted =
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), \"/graph/extraction/\")) }";
    let (paper0, ex0) = (count(&store, source_facts), count(&store, extracted));
    assert!(ex0 > 0, "ingest extracts without a lexicon already");
    reextract(&store, 16);
    let (paper1, ex1) = (count(&store, source_facts), count(&store, extracted));
    assert_eq!(paper1, paper0, "the source facts are untouched");
    assert_ne!(ex1, ex0, "the corpus lexicon changes what is found");
    reextract(&store, 16);
    assert_eq!(
        (count(&store, source_facts), count(&store, extracted)),
        (paper1, ex1),
        "idempotent"
    );
    // Deleting a paper takes its extraction graph too.
    let keys: Vec<String> = store.graph_paper_keys().unwrap().into_iter().collect();
    store.delete_papers(&keys).unwrap();
    assert_eq!(count(&store, extracted), 0);
}

/// Re-extraction on several threads writes the same graphs as on one, batch boundaries and
/// thread scheduling notwithstanding, and reports every paper once.
#[test]
fn re_extraction_on_many_threads_writes_what_one_thread_writes() {
    use hypatia::ingest::extraction::ExtractOptions;
    let e = hash_embedder();
    let graphs = |threads: usize, batch: usize| {
        let (_d, store) = temp_store(e.identity());
        ingest(
            &store,
            &e,
            &[fixtures().join("papers/acl"), fixtures().join("papers/tei")],
        );
        let r = hypatia::ingest::extraction::reextract(
            &store,
            &ExtractOptions {
                batch,
                threads,
                ..Default::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(
            (r.threads, r.papers),
            (threads, store.graph_paper_keys().unwrap().len())
        );
        let quads: std::collections::BTreeSet<String> = rows(
            &store,
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), \"/graph/extraction/\")) }",
            &[],
        )
        .into_iter()
        .map(|r| format!("{} {} {} {}", r["g"], r["s"], r["p"], r["o"]))
        .collect();
        let lexicon = std::fs::read(store.dir().join(hypatia::ingest::extraction::LEXICON_FILE)).unwrap();
        (
            quads,
            serde_json::from_slice::<serde_json::Value>(&lexicon).unwrap(),
            r.triples,
        )
    };
    let one = graphs(1, 64);
    assert!(one.0.len() > 1000, "{} extracted quads", one.0.len());
    let many = graphs(3, 7);
    assert!(one.1 == many.1, "the lexicon does not depend on the threads");
    assert!(
        one.0 == many.0,
        "{} quads on one thread, {} on three",
        one.0.len(),
        many.0.len()
    );
}

/// A write with many new extraction quads (a re-extraction after a lexicon change) goes through
/// the bulk loader; the graphs still hold exactly the new triples afterwards (offsets typed
/// `xsd:nonNegativeInteger`, which the store keeps as `xsd:integer`, included), are listed as
/// named graphs, and a smaller write of the same papers goes on from there.
#[test]
fn a_bulk_loaded_extraction_write_leaves_exactly_the_new_triples() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/tei")]);
    let keys: Vec<String> = store.graph_paper_keys().unwrap().into_iter().take(2).collect();
    let n = hypatia::store::graph::BULK_LOAD_MIN_QUADS;
    // Per subject a plain literal and an offset, as extraction writes them.
    let nt = |range: std::ops::Range<usize>, tag: &str| {
        range
            .map(|i| {
                format!(
                    "<https://example.org/s{i}> <https://example.org/p> \"{tag}\" .\n\
                     <https://example.org/s{i}> <https://example.org/start> \"{}\"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n",
                    i % 7
                )
            })
            .collect::<String>()
    };
    let held = |store: &Store, key: &str| -> std::collections::BTreeSet<String> {
        let graph = store.base().extraction_graph(key);
        rows(
            store,
            &format!("SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
            &[],
        )
        .into_iter()
        .map(|r| format!("{} {} {}", r["s"], r["p"], r["o"]))
        .collect()
    };
    let want = |range: std::ops::Range<usize>, tag: &str| -> std::collections::BTreeSet<String> {
        range
            .flat_map(|i| {
                [
                    format!("https://example.org/s{i} https://example.org/p {tag}"),
                    format!("https://example.org/s{i} https://example.org/start {}", i % 7),
                ]
            })
            .collect()
    };
    // Bulk: 2n new quads for the first paper, a few for the second.
    store
        .put_extractions(vec![(keys[0].clone(), nt(0..n, "a")), (keys[1].clone(), nt(0..5, "b"))])
        .unwrap();
    assert_eq!(held(&store, &keys[0]), want(0..n, "a"));
    assert_eq!(held(&store, &keys[1]), want(0..5, "b"));
    // Bulk again: the first paper's quads of s0…s(n/2 - 1) go, those of s(n/2)… stay, and for
    // the subjects from n on, 2n new quads come; the second paper's plain literal changes and its
    // offset stays.
    store
        .put_extractions(vec![
            (keys[0].clone(), nt(n / 2..2 * n, "a")),
            (keys[1].clone(), nt(3..4, "c")),
        ])
        .unwrap();
    assert_eq!(held(&store, &keys[0]), want(n / 2..2 * n, "a"));
    assert_eq!(held(&store, &keys[1]), want(3..4, "c"));
    // The same write again changes nothing; then a transaction-sized write.
    store
        .put_extractions(vec![(keys[0].clone(), nt(n / 2..2 * n, "a"))])
        .unwrap();
    assert_eq!(held(&store, &keys[0]), want(n / 2..2 * n, "a"));
    store.put_extractions(vec![(keys[0].clone(), nt(0..3, "c"))]).unwrap();
    assert_eq!(held(&store, &keys[0]), want(0..3, "c"));
    let graphs = rows(&store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", &[]);
    for key in &keys {
        let g = store.base().extraction_graph(key);
        assert!(graphs.iter().any(|r| r["g"] == g), "{g} is listed");
    }
}

/// A replaced extraction graph holds exactly the new triples: the store writes only the
/// difference (stale triples removed, new ones added, common ones kept), and skips papers that
/// are not stored.
#[test]
fn replacing_an_extraction_graph_leaves_exactly_the_new_triples() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/tei")]);
    let key = store.graph_paper_keys().unwrap().into_iter().next().unwrap();
    let graph = store.base().extraction_graph(&key);
    let triples = |store: &Store| -> std::collections::BTreeSet<String> {
        rows(
            store,
            &format!("SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
            &[],
        )
        .into_iter()
        .map(|r| format!("{} {} {}", r["s"], r["p"], r["o"]))
        .collect()
    };
    let t = |s: &str, o: &str| format!("<https://example.org/{s}> <https://example.org/p> \"{o}\" .\n");
    let first = [t("a", "1"), t("b", "2"), t("c", "3")].concat();
    store.put_extractions(vec![(key.clone(), first)]).unwrap();
    let want = |pairs: &[(&str, &str)]| -> std::collections::BTreeSet<String> {
        pairs
            .iter()
            .map(|(s, o)| format!("https://example.org/{s} https://example.org/p {o}"))
            .collect()
    };
    assert_eq!(triples(&store), want(&[("a", "1"), ("b", "2"), ("c", "3")]));
    // b stays, a and c go, d and e arrive.
    let second = [t("b", "2"), t("d", "4"), t("e", "5")].concat();
    store.put_extractions(vec![(key.clone(), second.clone())]).unwrap();
    assert_eq!(triples(&store), want(&[("b", "2"), ("d", "4"), ("e", "5")]));
    // The same again changes nothing; an empty extraction empties the graph.
    store.put_extractions(vec![(key.clone(), second)]).unwrap();
    assert_eq!(triples(&store), want(&[("b", "2"), ("d", "4"), ("e", "5")]));
    store.put_extractions(vec![(key.clone(), String::new())]).unwrap();
    assert!(triples(&store).is_empty());
    // A paper that is not stored gets no extraction graph.
    let ghost = "not-a-stored-paper".to_string();
    store.put_extractions(vec![(ghost.clone(), t("x", "9"))]).unwrap();
    let ghost_graph = store.base().extraction_graph(&ghost);
    assert_eq!(
        count(
            &store,
            &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ghost_graph}> {{ ?s ?p ?o }} }}")
        ),
        0
    );
}

fn concept(store: &Store, label: &str) -> NamedNode {
    let r = rows(
        store,
        &format!("{P} SELECT ?c WHERE {{ ?c a skos:Concept ; skos:prefLabel|skos:altLabel ?l FILTER(LCASE(STR(?l)) = \"{label}\") }} LIMIT 1"),
        &[],
    );
    NamedNode::new(&r.first().unwrap_or_else(|| panic!("no concept {label}"))["c"]).unwrap()
}

#[test]
fn sparql_answers_methods_for_a_task_datasets_of_a_method_and_claims_about_a_concept() {
    let store = sample();
    // Claims about a concept, each with a quote that verifies at its offsets.
    let top = rows(
        store,
        &format!("{P} SELECT ?c (COUNT(?cl) AS ?n) WHERE {{ ?cl a hyp:Claim ; schema:about ?c }} GROUP BY ?c ORDER BY DESC(?n) LIMIT 1"),
        &[],
    );
    let c = NamedNode::new(&top[0]["c"]).unwrap();
    let claims = rows(store, queries::CLAIMS_ABOUT, &[("concept", c.clone().into())]);
    assert_eq!(claims.len(), top[0]["n"].parse::<usize>().unwrap());
    for cl in &claims {
        let key = hypatia::common::ids::paper_key(&cl["paper"]);
        let text = store.canonical_text(&key).unwrap().unwrap().1;
        let (s, e) = (cl["start"].parse().unwrap(), cl["end"].parse().unwrap());
        assert!(hypatia::common::passages::verify_quote(&text, s, e, &cl["quote"]));
        assert!(["supports", "negative"].contains(&cl["polarity"].as_str()));
    }
    // SPECTER reports "a MAP score of 83.8 on the co-view" task: a result the query finds.
    let specter = concept(store, "specter");
    let datasets = rows(store, queries::DATASETS_OF_METHOD, &[("method", specter.into())]);
    assert!(
        datasets
            .iter()
            .any(|d| d.get("quote").is_some_and(|q| q.contains("83.8"))),
        "{datasets:#?}"
    );
    // Methods for the task most papers mention: every row a Method, counted by co-mentioning papers.
    let task = rows(
        store,
        &format!("{P} SELECT ?t (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p hyp:mentionsConcept ?t . ?t hyp:conceptType hyp:Task }} GROUP BY ?t ORDER BY DESC(?n) LIMIT 1"),
        &[],
    );
    let t = NamedNode::new(&task[0]["t"]).unwrap();
    let methods = rows(store, queries::METHODS_FOR_TASK, &[("task", t.clone().into())]);
    assert!(!methods.is_empty(), "no methods for {t}");
    let first = &methods[0];
    let both = count(
        store,
        &format!(
            "{P} SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p hyp:mentionsConcept <{}> , <{}> }}",
            t.as_str(),
            first["method"]
        ),
    );
    assert_eq!(first["papers"].parse::<usize>().unwrap(), both);
    let typed = count(
        store,
        &format!(
            "{P} SELECT (COUNT(*) AS ?n) WHERE {{ <{}> hyp:conceptType hyp:Method }}",
            first["method"]
        ),
    );
    assert!(typed > 0);
}
