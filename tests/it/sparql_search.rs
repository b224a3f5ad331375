//! `SERVICE hyp:search` inside SPARQL: retrieval joined with the citation graph, over real
//! papers, in process and over the SPARQL protocol.

use std::sync::Arc;

use hypatia::embed::Embedder;
use hypatia::retrieval::search::{self, Mode, SearchRequest};
use hypatia::store::queries::lexical;
use oxigraph::sparql::QueryResults;

use super::common::{fixtures, hash_embedder, ingest, temp_store};

/// The README's example: passages about the literature graph in papers from 2018 on that cite
/// Lample et al. 2016 (N16-1030), with the concepts of those papers.
const EXAMPLE: &str = r#"PREFIX hyp: <https://w3id.org/hypatia/ns#>
PREFIX cito: <http://purl.org/spar/cito/>
SELECT ?passage ?paper ?score ?text (COUNT(DISTINCT ?concept) AS ?concepts) WHERE {
  SERVICE hyp:search {
    [] hyp:query "entity linking in the literature graph" ; hyp:mode "MODE" ; hyp:k 50 ;
       hyp:passage ?passage ; hyp:paper ?paper ; hyp:score ?score ; hyp:exact ?text
  }
  ?paper hyp:year ?year FILTER(?year >= 2018)
  ?paper cito:cites <https://doi.org/10.18653/v1/n16-1030> .
  OPTIONAL { ?paper hyp:mentionsConcept ?concept }
}
GROUP BY ?passage ?paper ?score ?text
ORDER BY DESC(?score)"#;

#[test]
fn the_readme_example_joins_search_with_the_citation_graph() {
    let e: Arc<dyn Embedder> = Arc::new(hash_embedder());
    let (_d, store) = temp_store(e.identity());
    let store = Arc::new(store);
    ingest(
        &store,
        e.as_ref(),
        &[
            fixtures().join("citations"),
            fixtures().join("papers/tei/N18-3011.tei.xml"),
            fixtures().join("papers/tei/2020.acl-main.207.tei.xml"),
            fixtures().join("papers/acl/2020.nlpcovid19.sample.xml"),
        ],
    );
    let n18_3011 = "https://doi.org/10.18653/v1/n18-3011";
    for mode in ["bm25", "hybrid"] {
        let q = EXAMPLE.replace("MODE", mode);
        let QueryResults::Solutions(sol) =
            hypatia::retrieval::sparql_search::query(&store, Some(e.clone()), &q, &[], &[]).unwrap()
        else {
            panic!()
        };
        let rows: Vec<_> = sol.map(Result::unwrap).collect();
        assert!(!rows.is_empty(), "{mode}: no passage");
        // Only N18-3011 (2018) cites N16-1030: every row is one of its passages, and they are
        // exactly its passages among the plain search's top 50.
        let plain = search::search(
            &store,
            Some(e.as_ref()),
            &SearchRequest {
                query: "entity linking in the literature graph".into(),
                mode: mode.parse::<Mode>().unwrap(),
                k: 50,
                ..Default::default()
            },
        )
        .unwrap();
        let expected: Vec<String> = plain
            .iter()
            .filter(|h| h.citation.paper.iri == n18_3011)
            .map(|h| store.base().passage_iri(&h.citation.passage))
            .collect();
        let mut got: Vec<String> = rows.iter().map(|r| lexical(r.get("passage").unwrap())).collect();
        assert!(
            rows.iter().all(|r| lexical(r.get("paper").unwrap()) == n18_3011),
            "{mode}"
        );
        let mut want = expected.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{mode}");
        for r in &rows {
            let text = lexical(r.get("text").unwrap());
            assert!(plain.iter().any(|h| h.citation.quote == text));
            assert!(lexical(r.get("concepts").unwrap()).parse::<usize>().unwrap() > 0);
        }
    }
    // A malformed call says what is wrong instead of returning nothing.
    let bad = "PREFIX hyp: <https://w3id.org/hypatia/ns#> SELECT * WHERE { SERVICE hyp:search { [] hyp:passage ?p } }";
    let err = error_of(&store, bad);
    assert!(err.contains("hyp:query"), "{err}");
    let bad = "PREFIX hyp: <https://w3id.org/hypatia/ns#> SELECT * WHERE { SERVICE hyp:search { [] hyp:query \"x\" ; hyp:colour ?p } }";
    let err = error_of(&store, bad);
    assert!(err.contains("unknown term"), "{err}");
}

/// The error a query fails with, at preparation or while its solutions are read.
fn error_of(store: &Arc<hypatia::store::Store>, q: &str) -> String {
    match hypatia::retrieval::sparql_search::query(store, None, q, &[], &[]) {
        Err(e) => e.to_string(),
        Ok(QueryResults::Solutions(mut sol)) => match sol.find_map(Result::err) {
            Some(e) => e.to_string(),
            None => panic!("{q} succeeded"),
        },
        Ok(_) => panic!("not a SELECT"),
    }
}
