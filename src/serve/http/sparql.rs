//! SPARQL 1.1 Protocol, query operation: GET, POST form, POST direct (updates are handed to
//! [`super::update`]).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::io::RdfSerializer;
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults};

use super::protocol::{endpoint_iri, graph_formats, graphs, pairs};
use super::{negotiate, ApiError, AppState};
use crate::common::clock::{as_of_param, AsOf};
use crate::common::error::{Error, Result, UserError};

/// Largest query body `POST /sparql` accepts (updates: [`super::update::MAX_BODY`]).
pub const MAX_QUERY_BODY: usize = 1 << 20;

/// A query and its dataset, from whichever form the request used.
struct Request {
    query: String,
    default_graphs: Vec<NamedNode>,
    named_graphs: Vec<NamedNode>,
    /// `as_of` (with `clock`): the dataset is the graphs visible then ([`Store::graphs_as_of`]).
    ///
    /// [`Store::graphs_as_of`]: crate::store::Store::graphs_as_of
    as_of: Option<AsOf>,
}

const RESULT_FORMATS: [(&str, QueryResultsFormat); 5] = [
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ("application/json", QueryResultsFormat::Json),
];

fn from_pairs(all: &[(String, String)], body_query: Option<String>) -> Result<Request> {
    let mut queries = all.iter().filter(|(k, _)| k == "query").map(|(_, v)| v.clone());
    let query = match (body_query, queries.next()) {
        (Some(q), None) => q,
        (None, Some(q)) if queries.next().is_none() => q,
        (Some(_), Some(_)) | (None, Some(_)) => return Err(Error::invalid("query", "give exactly one query")),
        (None, None) => {
            if all.iter().any(|(k, _)| k == "update") {
                return Err(Error::invalid(
                    "update",
                    "an update is sent by POST, as application/sparql-update or as a form",
                ));
            }
            return Err(Error::invalid("query", "missing"));
        }
    };
    let one = |name: &str| -> Result<Option<&str>> {
        let mut values = all.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (first, None) => Ok(first),
            _ => Err(Error::invalid(name, "give it at most once")),
        }
    };
    Ok(Request {
        query,
        default_graphs: graphs(all, "default-graph-uri")?,
        named_graphs: graphs(all, "named-graph-uri")?,
        as_of: as_of_param(one("as_of")?, one("clock")?.map(str::parse).transpose()?)?,
    })
}

/// `GET /sparql?query=...`
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let all = pairs(req.query_string())?;
    answer(state, &req, from_pairs(&all, None)?).await
}

/// `POST /sparql` with a form body (`query=` or `update=`), or an `application/sparql-query` or
/// `application/sparql-update` body.
pub async fn post(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> Result<HttpResponse, ApiError> {
    let content_type = super::body::media_type(&req);
    // Updates may carry data (INSERT DATA); queries stay small.
    let limit = match content_type.as_str() {
        "application/sparql-query" => MAX_QUERY_BODY,
        _ => super::update::MAX_BODY,
    };
    let body = super::body::read(body, limit, "a SPARQL request").await?;
    let text = std::str::from_utf8(&body).map_err(|e| Error::invalid("body", format!("not UTF-8: {e}")))?;
    let mut all = pairs(req.query_string())?;
    let parsed = match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            all.extend(pairs(text)?);
            if all.iter().any(|(k, _)| k == "update") {
                return super::update::from_form(state, &req, all).await;
            }
            if body.len() > MAX_QUERY_BODY {
                return Err(Error::from(UserError::PayloadTooLarge(format!(
                    "a SPARQL query may be at most {MAX_QUERY_BODY} bytes"
                )))
                .into());
            }
            from_pairs(&all, None)?
        }
        "application/sparql-query" => from_pairs(&all, Some(text.to_string()))?,
        "application/sparql-update" => return super::update::run(state, &req, &all, text.to_string()).await,
        other => {
            return Err(Error::invalid(
                "content-type",
                format!(
                    "`{other}`: use application/x-www-form-urlencoded, application/sparql-query or \
                     application/sparql-update"
                ),
            )
            .into())
        }
    };
    answer(state, &req, parsed).await
}

async fn answer(state: web::Data<AppState>, req: &HttpRequest, q: Request) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let max_rows = state.limits.max_rows;
    let base = endpoint_iri(req);
    let (body, media) = state
        .service()
        .sparql(move |store, embedder, cancel| {
            let (default_graphs, named_graphs) = match &q.as_of {
                Some(a) => dataset_as_of(store, a, q.default_graphs, q.named_graphs)?,
                None => (q.default_graphs, q.named_graphs),
            };
            let results = crate::retrieval::sparql_search::query_cancellable(
                store,
                embedder,
                &q.query,
                &default_graphs,
                &named_graphs,
                Some(cancel),
                Some(&base),
            )?;
            serialize_results_capped(results, accept.as_deref(), Some(max_rows))
        })
        .await?;
    Ok(HttpResponse::Ok().content_type(media).body(body))
}

/// The dataset of a read as of `as_of`: the graphs visible then, as the default graph (their
/// union) and as the named graphs, each narrowed to those the request's `default-graph-uri` and
/// `named-graph-uri` give, when it gives any. A dataset with no graph names one that cannot
/// exist, so that it stays empty (an empty list would mean the whole store).
fn dataset_as_of(
    store: &crate::store::Store,
    as_of: &AsOf,
    default_graphs: Vec<NamedNode>,
    named_graphs: Vec<NamedNode>,
) -> Result<(Vec<NamedNode>, Vec<NamedNode>)> {
    let visible: std::collections::BTreeSet<String> = store.graphs_as_of(as_of)?.into_iter().collect();
    let given = !default_graphs.is_empty() || !named_graphs.is_empty();
    let narrow = |asked: Vec<NamedNode>| -> Result<Vec<NamedNode>> {
        let mut out: Vec<NamedNode> = if given {
            asked.into_iter().filter(|g| visible.contains(g.as_str())).collect()
        } else {
            visible
                .iter()
                .map(|g| NamedNode::new(g.as_str()).map_err(Error::graph))
                .collect::<Result<_>>()?
        };
        if out.is_empty() {
            out.push(NamedNode::new(store.base().iri("graph/none", "as-of")).map_err(Error::graph)?);
        }
        Ok(out)
    };
    Ok((narrow(default_graphs)?, narrow(named_graphs)?))
}

/// Serialises query results in the negotiated format; returns the bytes and the media type.
pub fn serialize_results(results: QueryResults<'_>, accept: Option<&str>) -> Result<(Vec<u8>, &'static str)> {
    serialize_results_capped(results, accept, None)
}

/// [`serialize_results`], refusing results of more than `max_rows` solutions or triples, and
/// turning a cancelled evaluation into [`UserError::Timeout`].
pub fn serialize_results_capped(
    results: QueryResults<'_>,
    accept: Option<&str>,
    max_rows: Option<usize>,
) -> Result<(Vec<u8>, &'static str)> {
    let cap = max_rows.unwrap_or(usize::MAX);
    let too_many = || {
        Error::invalid(
            "query",
            format!("the result has more than {cap} rows; add a LIMIT or narrow the query"),
        )
    };
    let not_acceptable = |what: &str| {
        Error::from(UserError::NotAcceptable(format!(
            "no acceptable format for {what} in `{}`",
            accept.unwrap_or("")
        )))
    };
    let eval = |e: &QueryEvaluationError| match e {
        QueryEvaluationError::Cancelled => Error::from(UserError::Timeout("the query was cancelled".into())),
        e => Error::from(UserError::SparqlEvaluation(e.to_string())),
    };
    match results {
        QueryResults::Solutions(solutions) => {
            let format = negotiate::choose(accept, &RESULT_FORMATS).ok_or_else(|| not_acceptable("solutions"))?;
            let mut w = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                .map_err(Error::graph)?;
            for (i, s) in solutions.enumerate() {
                let s = s.map_err(|e| eval(&e))?;
                if i >= cap {
                    return Err(too_many());
                }
                w.serialize(&s).map_err(Error::graph)?;
            }
            Ok((w.finish().map_err(Error::graph)?, format.media_type()))
        }
        QueryResults::Boolean(b) => {
            let format = negotiate::choose(accept, &RESULT_FORMATS).ok_or_else(|| not_acceptable("a boolean"))?;
            let bytes = QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), b)
                .map_err(Error::graph)?;
            Ok((bytes, format.media_type()))
        }
        QueryResults::Graph(triples) => {
            let format = negotiate::choose(accept, &graph_formats()).ok_or_else(|| not_acceptable("a graph"))?;
            let mut w = RdfSerializer::from_format(format).for_writer(Vec::new());
            for (i, t) in triples.enumerate() {
                let t = t.map_err(|e| eval(&e))?;
                if i >= cap {
                    return Err(too_many());
                }
                w.serialize_triple(&t).map_err(Error::graph)?;
            }
            Ok((w.finish().map_err(Error::graph)?, format.media_type()))
        }
    }
}
