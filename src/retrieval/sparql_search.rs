//! Search inside SPARQL: the store answers `SERVICE hyp:search { … }` itself, so that one query
//! can combine BM25 / vector / hybrid retrieval with the graph.
//!
//! ```sparql
//! PREFIX hyp: <https://w3id.org/hypatia/ns#>
//! SELECT ?passage ?paper ?score WHERE {
//!   SERVICE hyp:search { [] hyp:query "protein folding" ; hyp:mode "hybrid" ; hyp:k 50 ;
//!                           hyp:passage ?passage ; hyp:paper ?paper ; hyp:score ?score }
//!   ?paper hyp:year ?year FILTER(?year > 2018)
//! }
//! ```
//!
//! Inputs (constants): `hyp:query` (required), `hyp:mode` (`bm25`, `vector`, `hybrid`; default
//! hybrid), `hyp:k` (default 10, at most [`crate::retrieval::search::MAX_K`]), `hyp:yearFrom`, `hyp:yearTo`,
//! `hyp:section`. Outputs (variables): `hyp:passage`, `hyp:paper`, `hyp:score`, `hyp:rank`,
//! `hyp:exact` (the verified passage text). Anything else in the pattern is an error that says
//! which triple, rather than a silently empty result.

use std::sync::Arc;

use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{QueryEvaluationError, QuerySolution, QuerySolutionIter, ServiceHandler, Variable};
use spargebra::algebra::GraphPattern;
use spargebra::term::{NamedNodePattern, TermPattern};

use crate::common::error::{Error, Result};
use crate::common::vocab::{hyp, xsd};
use crate::embed::Embedder;
use crate::retrieval::search::{self, Mode, SearchRequest};
use crate::store::Store;

/// The service IRI: `hyp:search`.
pub const SERVICE: &str = "https://w3id.org/hypatia/ns#search";

/// Answers `SERVICE hyp:search` from the store's text and vector indexes.
pub struct SearchService {
    store: Arc<Store>,
    embedder: Option<Arc<dyn Embedder>>,
}

impl SearchService {
    /// A service over `store`; without an embedder only `hyp:mode "bm25"` works.
    pub fn new(store: Arc<Store>, embedder: Option<Arc<dyn Embedder>>) -> Self {
        SearchService { store, embedder }
    }
}

/// What the pattern asks for.
#[derive(Default)]
struct Call {
    req: SearchRequest,
    outputs: Vec<(Output, Variable)>,
}

#[derive(Clone, Copy)]
enum Output {
    Passage,
    Paper,
    Score,
    Rank,
    Exact,
}

fn parse(pattern: &GraphPattern) -> Result<Call> {
    let GraphPattern::Bgp { patterns } = pattern else {
        return Err(Error::invalid(
            "SERVICE hyp:search",
            "the pattern must be triples only, e.g. [] hyp:query \"…\" ; hyp:passage ?p",
        ));
    };
    let mut call = Call {
        req: SearchRequest {
            k: 10,
            mode: Mode::Hybrid,
            ..SearchRequest::default()
        },
        ..Call::default()
    };
    let mut query = None;
    for t in patterns {
        let NamedNodePattern::NamedNode(p) = &t.predicate else {
            return Err(Error::invalid(
                "SERVICE hyp:search",
                format!("`{t}`: the predicate must be an IRI"),
            ));
        };
        let local = p.as_str().strip_prefix(hyp::NS).unwrap_or("");
        let output = match local {
            "passage" => Some(Output::Passage),
            "paper" => Some(Output::Paper),
            "score" => Some(Output::Score),
            "rank" => Some(Output::Rank),
            "exact" => Some(Output::Exact),
            _ => None,
        };
        if let Some(o) = output {
            let TermPattern::Variable(v) = &t.object else {
                return Err(Error::invalid(
                    "SERVICE hyp:search",
                    format!("`{t}`: {local} binds a variable"),
                ));
            };
            call.outputs.push((o, v.clone()));
            continue;
        }
        if !matches!(local, "query" | "mode" | "k" | "yearFrom" | "yearTo" | "section") {
            return Err(Error::invalid(
                "SERVICE hyp:search",
                format!(
                    "`{t}`: unknown term; inputs are hyp:query, hyp:mode, hyp:k, hyp:yearFrom, hyp:yearTo, \
                     hyp:section, outputs hyp:passage, hyp:paper, hyp:score, hyp:rank, hyp:exact"
                ),
            ));
        }
        let TermPattern::Literal(value) = &t.object else {
            return Err(Error::invalid(
                "SERVICE hyp:search",
                format!("`{t}`: {local} takes a literal"),
            ));
        };
        let v = value.value();
        let int = |field: &str| {
            v.parse::<i64>()
                .map_err(|_| Error::invalid(field, format!("`{v}` is not an integer")))
        };
        match local {
            "query" => query = Some(v.to_string()),
            "mode" => call.req.mode = v.parse()?,
            "k" => call.req.k = usize::try_from(int("hyp:k")?).map_err(|_| Error::invalid("hyp:k", "negative"))?,
            "yearFrom" => call.req.filter.year_from = Some(int("hyp:yearFrom")? as i32),
            "yearTo" => call.req.filter.year_to = Some(int("hyp:yearTo")? as i32),
            _ => call.req.filter.section = Some(v.to_string()),
        }
    }
    call.req.query = query.ok_or_else(|| Error::invalid("SERVICE hyp:search", "hyp:query \"…\" is required"))?;
    Ok(call)
}

impl ServiceHandler for SearchService {
    type Error = Error;

    fn handle(
        &self,
        pattern: &GraphPattern,
        _base_iri: Option<&oxiri::Iri<String>>,
    ) -> std::result::Result<QuerySolutionIter<'static>, Error> {
        let call = parse(pattern)?;
        let hits = search::search(&self.store, self.embedder.as_deref(), &call.req)?;
        let variables: Arc<[Variable]> = call.outputs.iter().map(|(_, v)| v.clone()).collect();
        let mut rows = Vec::with_capacity(hits.len());
        for h in hits {
            let mut values = Vec::with_capacity(call.outputs.len());
            for (o, _) in &call.outputs {
                values.push(Some(match o {
                    Output::Passage => Term::from(
                        NamedNode::new(self.store.base().passage_iri(&h.citation.passage)).map_err(Error::graph)?,
                    ),
                    Output::Paper => Term::from(NamedNode::new(&h.citation.paper.iri).map_err(Error::graph)?),
                    Output::Score => Term::from(Literal::new_typed_literal(
                        h.score.to_string(),
                        NamedNode::new_unchecked(xsd::DOUBLE),
                    )),
                    Output::Rank => Term::from(Literal::from(h.rank as i64)),
                    Output::Exact => Term::from(Literal::new_simple_literal(&h.citation.quote)),
                }));
            }
            rows.push(Ok::<_, QueryEvaluationError>(QuerySolution::from((
                variables.clone(),
                values,
            ))));
        }
        Ok(QuerySolutionIter::new(variables, rows))
    }
}

/// Evaluates a SPARQL query over `store` with `SERVICE hyp:search` answered by the store
/// (default and named graphs as in [`crate::store::graph::GraphStore::query`]).
pub fn query(
    store: &Arc<Store>,
    embedder: Option<Arc<dyn Embedder>>,
    query: &str,
    default_graphs: &[NamedNode],
    named_graphs: &[NamedNode],
) -> Result<oxigraph::sparql::QueryResults<'static>> {
    query_cancellable(store, embedder, query, default_graphs, named_graphs, None, None)
}

/// [`query`], stopped with `QueryEvaluationError::Cancelled` from the result iterator once
/// `cancel` is cancelled (the server's query timeout), with relative IRIs resolved against
/// `base` (the endpoint's URL, as the Protocol's retrieval URI) when the query sets none.
pub fn query_cancellable(
    store: &Arc<Store>,
    embedder: Option<Arc<dyn Embedder>>,
    query: &str,
    default_graphs: &[NamedNode],
    named_graphs: &[NamedNode],
    cancel: Option<oxigraph::sparql::CancellationToken>,
    base: Option<&str>,
) -> Result<oxigraph::sparql::QueryResults<'static>> {
    let mut evaluator = oxigraph::sparql::SparqlEvaluator::new().with_service_handler(
        NamedNode::new_unchecked(SERVICE),
        SearchService::new(store.clone(), embedder),
    );
    if let Some(c) = cancel {
        evaluator = evaluator.with_cancellation_token(c);
    }
    if let Some(b) = base {
        evaluator = evaluator
            .with_base_iri(b)
            .map_err(|e| crate::Error::invalid("base", format!("`{b}`: {e}")))?;
    }
    store.graph().query_with(evaluator, query, default_graphs, named_graphs)
}
