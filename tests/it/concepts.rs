//! The concept explorer's reads (`research::concepts`, `GET /concepts`, `GET /concepts/{id}`) on
//! a real store: the ACL Anthology sample (papers of 1989–1990 and 2020) and the arXiv sample
//! (2007), ingested with the rule-based extraction. Neighbours are checked against
//! `queries/concept_cooccurrence.rq`, which counts the same papers another way.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use hypatia::embed::Embedder;
use hypatia::research::concepts::{self, key_of};
use hypatia::store::queries;
use hypatia::store::Store;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::QueryResults;

use super::common::{client, fixtures, hash_embedder, ingest, open_server, static_store};

fn sample() -> &'static Arc<Store> {
    static S: OnceLock<(tempfile::TempDir, Arc<Store>)> = OnceLock::new();
    &S.get_or_init(|| {
        let e = hash_embedder();
        let (dir, store) = static_store(e.identity());
        let report = ingest(
            &store,
            &e,
            &[fixtures().join("papers/acl"), fixtures().join("papers/arxiv")],
        );
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        (dir, Arc::new(store))
    })
    .1
}

/// The concept most papers mention among those whose papers have more than one year.
fn spanning_concept(store: &Store) -> String {
    let q = "PREFIX hyp: <https://w3id.org/hypatia/ns#>
        SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p hyp:mentionsConcept ?c ; hyp:year ?y }
        GROUP BY ?c HAVING (COUNT(DISTINCT ?y) > 1) ORDER BY DESC(?n) ?c LIMIT 1";
    let QueryResults::Solutions(mut s) = store.graph().query(q, &[], &[]).unwrap() else {
        panic!("not a SELECT")
    };
    let row = s.next().expect("a concept whose papers span years").unwrap();
    queries::lexical(row.get("c").unwrap())
}

/// Papers per neighbour up to `as_of`, from `concept_cooccurrence.rq` (papers per year).
fn cooccurrence(store: &Store, iri: &str, as_of: Option<i32>) -> BTreeMap<String, usize> {
    let a: Term = NamedNode::new(iri).unwrap().into();
    let mut out = BTreeMap::new();
    for row in queries::select(store, queries::CONCEPT_COOCCURRENCE, &[("a", a)]).unwrap() {
        let year: i32 = row["year"].parse().unwrap();
        if as_of.is_none_or(|t| year <= t) {
            *out.entry(row["b"].clone()).or_default() += row["papers"].parse::<usize>().unwrap();
        }
    }
    out
}

#[test]
fn a_concept_has_its_cooccurring_neighbours_and_as_of_drops_later_papers() {
    let store = sample();
    let iri = spanning_concept(store);
    let all = concepts::view(store, &key_of(&iri), None, concepts::MAX_NEIGHBOURS).unwrap();
    assert_eq!(all.iri, iri);
    let span = all.years.expect("its papers are dated");
    assert!(span.first < span.last, "{span:?}");
    assert!(all.paper_count >= 2 && all.undated == 0, "{all:?}");
    assert!(all.papers.iter().all(|p| p.title.is_some() && p.key.len() == 16));

    // Every neighbour, with the weight the co-occurrence query counts (all papers are dated).
    let expected = cooccurrence(store, &iri, None);
    assert!(expected.len() > 1, "{expected:?}");
    assert_eq!(all.neighbour_count, expected.len());
    assert_eq!(all.neighbours.len(), expected.len().min(concepts::MAX_NEIGHBOURS));
    for n in &all.neighbours {
        assert_eq!(Some(&n.weight), expected.get(&n.iri), "{}", n.label);
        assert!(n.papers >= n.weight && !n.label.is_empty(), "{n:?}");
    }
    assert!(all.neighbours.windows(2).all(|w| w[0].weight >= w[1].weight));
    for l in &all.links {
        assert!(l.a < l.b && l.weight >= 1);
        let weight_of = |x: &str| all.neighbours.iter().find(|n| n.iri == x).unwrap().weight;
        assert!(l.weight <= weight_of(&l.a).min(weight_of(&l.b)), "{l:?}");
    }

    // As of its first year: later papers drop out, and so do the co-occurrences they made.
    let early = concepts::view(store, &iri, Some(span.first), concepts::MAX_NEIGHBOURS).unwrap();
    assert_eq!(early.as_of, Some(span.first));
    assert_eq!(early.years, all.years, "the slider spans every year whatever the cut");
    assert!(early.paper_count >= 1 && early.paper_count < all.paper_count);
    assert!(early.papers.iter().all(|p| p.year.is_some_and(|y| y <= span.first)));
    assert!(all.papers.iter().any(|p| p.year == Some(span.last)));
    let expected_early = cooccurrence(store, &iri, Some(span.first));
    assert_eq!(early.neighbour_count, expected_early.len());
    for n in &early.neighbours {
        assert_eq!(Some(&n.weight), expected_early.get(&n.iri), "{}", n.label);
    }
    let before = concepts::view(store, &iri, Some(span.first - 1), 10).unwrap();
    assert_eq!((before.paper_count, before.neighbour_count), (0, 0));
    assert!(before.papers.is_empty() && before.neighbours.is_empty());

    // The same concept by its label.
    let by_label = concepts::view(store, &all.label.to_uppercase(), None, 5).unwrap();
    assert_eq!(by_label.iri, iri);
    assert_eq!(by_label.neighbours.len(), 5.min(all.neighbour_count));
}

#[test]
fn concepts_are_found_by_a_part_of_a_label() {
    let store = sample();
    let iri = spanning_concept(store);
    let view = concepts::view(store, &iri, None, 1).unwrap();
    let found = concepts::find(store, &view.label, 10).unwrap();
    assert_eq!(found[0].matched.to_lowercase(), view.label.to_lowercase(), "{found:?}");
    assert!(found
        .iter()
        .any(|c| c.iri == iri && c.papers == view.paper_count && c.ctype == view.ctype));
    // A part of a word: every match has it in the label that matched.
    let part: String = view.label.chars().skip(1).take(4).collect::<String>().to_lowercase();
    let found = concepts::find(store, &part, 50).unwrap();
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|c| c.matched.to_lowercase().contains(&part)),
        "{found:?}"
    );
    assert!(found.iter().all(|c| c.papers >= 1 && c.key == key_of(&c.iri)));
    assert!(concepts::find(store, "zzqxj-nothing-like-it", 10).unwrap().is_empty());
    assert!(concepts::find(store, "  ", 10).is_err());
    let err = concepts::view(store, "no such concept at all", None, 10).unwrap_err();
    assert!(err.to_string().contains("no paper mentions"), "{err}");
}

#[test]
fn concepts_over_http() {
    let store = sample();
    let srv = open_server(store.clone(), Some(Arc::new(hash_embedder())), false);
    let base = format!("http://{}", srv.addr());
    let c = client();
    let iri = spanning_concept(store);
    let key = key_of(&iri);
    let view: serde_json::Value = c.get(format!("{base}/concepts/{key}")).send().unwrap().json().unwrap();
    assert_eq!(view["iri"], iri.as_str());
    let label = view["label"].as_str().unwrap().to_string();
    let first = view["years"]["first"].as_i64().unwrap();

    let found: serde_json::Value = c
        .get(format!("{base}/concepts"))
        .query(&[("q", label.as_str()), ("limit", "3")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let found = found.as_array().unwrap();
    assert!(
        found.len() <= 3 && found.iter().any(|m| m["key"] == key.as_str()),
        "{found:?}"
    );

    // By IRI (slashes and all), as of its first year.
    let early = c
        .get(format!("{base}/concepts/{iri}"))
        .query(&[("as_of", first.to_string())])
        .send()
        .unwrap();
    assert_eq!(early.status(), 200);
    let early: serde_json::Value = early.json().unwrap();
    assert_eq!(early["as_of"], first);
    assert!(early["paper_count"].as_u64() < view["paper_count"].as_u64());
    for p in early["papers"].as_array().unwrap() {
        assert!(p["year"].as_i64().unwrap() <= first, "{p}");
    }

    let missing = c.get(format!("{base}/concepts/no-such-concept-here")).send().unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().unwrap();
    assert_eq!(body["code"], "not_found");
    for bad in ["/concepts?q=%20", "/concepts", "/concepts?q=x&limit=-1"] {
        let r = c.get(format!("{base}{bad}")).send().unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    let r = c.get(format!("{base}/concepts/{key}?as_of=soon")).send().unwrap();
    assert_eq!(r.status(), 400);
    srv.stop();
}
