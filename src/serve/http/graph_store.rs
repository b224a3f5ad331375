//! SPARQL 1.1 Graph Store HTTP Protocol at `/store`: graphs named by `?default` or `?graph=IRI`
//! (indirect identification), or by their own URL under `/store/` (direct identification: the
//! graph `http://host/store/people/1` is served at that URL; its IRI follows the `Host` the client
//! used). GET and HEAD read any graph; PUT (replace), POST (merge) and DELETE write
//! graphs the store does not own (see [`crate::store::writes`]), only with write scope. POST of
//! triples to `/store` itself creates a new graph and answers 201 with its IRI in `Location`;
//! POST of a dataset (N-Quads, TriG) there loads each quad into its own graph in bulk. Bodies come in
//! every RDF format oxigraph reads, or as `multipart/form-data` with one RDF document per part
//! (merged); responses in every format it writes.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::NamedNode;

use super::access::require;
use super::protocol::{endpoint_iri, graph_formats, pairs};
use super::{blocking, body, negotiate, ApiError, AppState};
use crate::common::error::{Error, Result, UserError};
use crate::service::Scope;
use crate::store::writes::{parse_graph, GraphRef};

/// Largest body PUT and POST of a graph accept.
pub const MAX_BODY: usize = 64 << 20;

/// Largest dataset a POST to the store itself accepts (streamed to a file, not held in memory).
pub const MAX_DATASET: usize = 1 << 30;

/// The `/store` resources: the graph store itself (graphs named by `?default` or `?graph=IRI`,
/// indirect identification), and `/store/{path}`, a graph whose IRI is that URL (direct
/// identification).
pub fn resources() -> (actix_web::Resource, actix_web::Resource) {
    let resource = |pattern| {
        web::resource(pattern)
            .route(web::get().to(get))
            .route(web::head().to(get))
            .route(web::put().to(put))
            .route(web::post().to(post))
            .route(web::delete().to(delete))
    };
    (resource("/store"), resource("/store/{graph:.+}"))
}

/// The graph a request names: by its URL under `/store/` (direct identification), or by
/// exactly one of `?default` and `?graph=IRI`; `None` for none (the graph store itself).
fn target(req: &HttpRequest) -> Result<Option<GraphRef>> {
    let direct = req.match_info().get("graph").is_some();
    let (mut default, mut graph) = (false, None);
    for (k, v) in pairs(req.query_string())? {
        match k.as_str() {
            "default" | "graph" if direct => {
                return Err(Error::invalid(
                    k.as_str(),
                    format!(
                        "{} names its graph by its URL; ?{k} names another: use one or the other",
                        req.path()
                    ),
                ))
            }
            "default" if v.is_empty() => default = true,
            "default" => return Err(Error::invalid("default", "takes no value: ?default")),
            "graph" if graph.is_none() => {
                graph = Some(NamedNode::new(&v).map_err(|e| Error::invalid("graph", format!("`{v}`: {e}")))?)
            }
            "graph" => return Err(Error::invalid("graph", "name one graph per request")),
            other => return Err(Error::invalid(other, "unknown parameter; use ?default or ?graph=IRI")),
        }
    }
    if direct {
        let iri = endpoint_iri(req);
        let graph = NamedNode::new(&iri).map_err(|e| Error::invalid("graph", format!("`{iri}`: {e}")))?;
        return Ok(Some(GraphRef::Named(graph)));
    }
    match (default, graph) {
        (true, None) => Ok(Some(GraphRef::Default)),
        (false, Some(g)) => Ok(Some(GraphRef::Named(g))),
        (true, Some(_)) => Err(Error::invalid("graph", "give ?default or ?graph=IRI, not both")),
        (false, None) => Ok(None),
    }
}

/// The graph a GET, HEAD, PUT or DELETE names (they act on one graph, not on the store).
fn one_graph(req: &HttpRequest) -> Result<GraphRef> {
    target(req)?.ok_or_else(|| Error::invalid("graph", "missing: give ?default or ?graph=IRI"))
}

/// `GET` (and `HEAD`, whose body actix drops): the graph in the negotiated format; 404 for a
/// named graph that does not exist.
async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let graph = one_graph(&req)?;
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate::choose(accept, &graph_formats()).ok_or_else(|| {
        Error::from(UserError::NotAcceptable(format!(
            "graphs come as {}",
            graph_formats().map(|(m, _)| m).join(", ")
        )))
    })?;
    let store = state.store.clone();
    let bytes = blocking(move || {
        let triples = store
            .graph_triples(&graph)?
            .ok_or_else(|| Error::not_found(format!("graph {graph} does not exist")))?;
        let mut w = RdfSerializer::from_format(format).for_writer(Vec::new());
        for t in &triples {
            w.serialize_triple(t).map_err(Error::graph)?;
        }
        w.finish().map_err(Error::graph)
    })
    .await?;
    Ok(HttpResponse::Ok().content_type(format.media_type()).body(bytes))
}

/// An RDF format from a media type; `what` names the body or part in the error.
fn rdf_format(media: &str, what: &str) -> Result<RdfFormat> {
    RdfFormat::from_media_type(media).ok_or_else(|| {
        UserError::UnsupportedMediaType(format!(
            "{what}: `{media}` is not an RDF format; send one of {}",
            graph_formats().map(|(m, _)| m).join(", ")
        ))
        .into()
    })
}

/// Reads and parses the body of a PUT or POST: one RDF document, or with `multipart/form-data`
/// one per part (each with its own Content-Type, or a file name whose extension says it),
/// merged. Relative IRIs resolve against the graph's IRI.
async fn triples(
    req: &HttpRequest,
    payload: web::Payload,
    graph: &GraphRef,
) -> Result<Vec<oxigraph::model::Triple>, ApiError> {
    let media = body::media_type(req);
    // `None`: multipart, each part in its own format.
    let format = match media.as_str() {
        "multipart/form-data" => None,
        _ => Some(rdf_format(&media, "the body")?),
    };
    let boundary = body::media_param(req, "boundary").unwrap_or_default();
    let bytes = body::read(payload, MAX_BODY, "a graph").await?;
    let base = match graph {
        GraphRef::Named(n) => Some(n.as_str().to_string()),
        GraphRef::Default => None,
    };
    blocking(move || match format {
        Some(format) => parse_graph(&bytes, format, base.as_deref()),
        None => {
            let mut all = Vec::new();
            for part in body::multipart(&bytes, &boundary)? {
                let by_name = part
                    .name
                    .rsplit_once('.')
                    .and_then(|(_, ext)| RdfFormat::from_extension(ext));
                let format = match (rdf_format(&part.media_type, &part.name), by_name) {
                    (Ok(f), _) | (Err(_), Some(f)) => f,
                    (Err(e), None) => return Err(e),
                };
                let triples = parse_graph(part.body, format, base.as_deref())
                    .map_err(|e| Error::invalid("body", format!("{}: {e}", part.name)))?;
                all.extend(triples);
            }
            Ok(all)
        }
    })
    .await
    .map_err(ApiError)
}

/// `PUT`: replaces the graph; 201 when it was created, 204 otherwise.
async fn put(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    write(state, req, payload, false).await
}

/// `POST`: adds to the graph; 201 when it was created, 204 otherwise. To the store itself:
/// a new graph, 201 with its IRI in `Location`.
async fn post(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    write(state, req, payload, true).await
}

async fn write(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    merge: bool,
) -> Result<HttpResponse, ApiError> {
    require(&state, &req, Scope::Write)?;
    let target = if merge { target(&req)? } else { Some(one_graph(&req)?) };
    if target.is_none() {
        let media = body::media_type(&req);
        if let Some(format) =
            RdfFormat::from_media_type(&media).filter(|f| matches!(f, RdfFormat::NQuads | RdfFormat::TriG))
        {
            return load_dataset(state, req, payload, format).await;
        }
    }
    // A POST of triples to the store itself makes a new graph, whose IRI is also the body's base
    // and is given back in `Location`.
    let (graph, location) = match target {
        Some(g) => (g, None),
        None => {
            let store = state.store.clone();
            let iri = blocking(move || store.fresh_graph_iri()).await?;
            let location = iri.as_str().to_string();
            (GraphRef::Named(iri), Some(location))
        }
    };
    state.store.check_writable(&graph, if merge { "POST" } else { "PUT" })?;
    let triples = triples(&req, payload, &graph).await?;
    let store = state.store.clone();
    let created = blocking(move || {
        if merge {
            store.post_graph(&graph, &triples)
        } else {
            store.put_graph(&graph, &triples)
        }
    })
    .await?;
    Ok(match (created, location) {
        (_, Some(iri)) => HttpResponse::Created().insert_header((header::LOCATION, iri)).finish(),
        (true, None) => HttpResponse::Created().finish(),
        (false, None) => HttpResponse::NoContent().finish(),
    })
}

/// `POST /store` of a dataset (N-Quads, TriG): every quad into its own graph, through the bulk
/// loader ([`crate::store::Store::bulk_load`]): whole or nothing, refused if a quad is in
/// a graph the store owns (403). The body streams to a file first (at most [`MAX_DATASET`] bytes);
/// relative IRIs resolve against the request's URL. 200 with `{"quads": N}`, the quads read.
async fn load_dataset(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    format: RdfFormat,
) -> Result<HttpResponse, ApiError> {
    let upload = body::to_file(payload, &state.store.dir().join("uploads"), MAX_DATASET, "a dataset").await?;
    let base = endpoint_iri(&req);
    let store = state.store.clone();
    let quads = blocking(move || {
        let parser = RdfParser::from_format(format)
            .with_base_iri(&base)
            .map_err(|e| Error::invalid("base", format!("`{base}`: {e}")))?;
        let file = upload.file.reopen().map_err(|e| Error::io(upload.file.path(), e))?;
        store.bulk_load(
            std::io::BufReader::with_capacity(1 << 20, file),
            parser,
            "the body",
            None,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "quads": quads })))
}

/// `DELETE`: removes a named graph (404 if it does not exist) or empties the default graph.
async fn delete(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    require(&state, &req, Scope::Write)?;
    let graph = one_graph(&req)?;
    let store = state.store.clone();
    let shown = graph.to_string();
    if blocking(move || store.delete_graph(&graph)).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(Error::not_found(format!("graph {shown} does not exist")).into())
    }
}
