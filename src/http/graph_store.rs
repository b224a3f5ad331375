//! SPARQL 1.1 Graph Store HTTP Protocol at `/store`, with indirect identification: `?default`
//! or `?graph=IRI`. GET and HEAD read any graph; PUT (replace), POST (merge) and DELETE write
//! graphs the store does not own (see [`crate::store::writes`]), only on a server started with
//! `--writes`. Bodies and responses come in every RDF format oxigraph reads and writes.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::NamedNode;

use super::access::{require, Scope};
use super::sparql::{graph_formats, pairs};
use super::{blocking, body, negotiate, ApiError, AppState};
use crate::error::{Error, Result, UserError};
use crate::store::writes::{parse_graph, GraphRef};

/// Largest body PUT and POST accept.
pub const MAX_BODY: usize = 64 << 20;

/// The `/store` resource.
pub fn resource() -> actix_web::Resource {
    web::resource("/store")
        .route(web::get().to(get))
        .route(web::head().to(get))
        .route(web::put().to(put))
        .route(web::post().to(post))
        .route(web::delete().to(delete))
}

/// The graph a request names: exactly one of `?default` and `?graph=IRI`.
fn target(req: &HttpRequest) -> Result<GraphRef> {
    let (mut default, mut graph) = (false, None);
    for (k, v) in pairs(req.query_string())? {
        match k.as_str() {
            "default" if v.is_empty() => default = true,
            "default" => return Err(Error::invalid("default", "takes no value: ?default")),
            "graph" if graph.is_none() => {
                graph = Some(NamedNode::new(&v).map_err(|e| Error::invalid("graph", format!("`{v}`: {e}")))?)
            }
            "graph" => return Err(Error::invalid("graph", "name one graph per request")),
            other => return Err(Error::invalid(other, "unknown parameter; use ?default or ?graph=IRI")),
        }
    }
    match (default, graph) {
        (true, None) => Ok(GraphRef::Default),
        (false, Some(g)) => Ok(GraphRef::Named(g)),
        (true, Some(_)) => Err(Error::invalid("graph", "give ?default or ?graph=IRI, not both")),
        (false, None) => Err(Error::invalid("graph", "missing: give ?default or ?graph=IRI")),
    }
}

/// `GET` (and `HEAD`, whose body actix drops): the graph in the negotiated format; 404 for a
/// named graph that does not exist.
async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let graph = target(&req)?;
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

/// The body's format from its Content-Type.
fn body_format(req: &HttpRequest) -> Result<RdfFormat> {
    let media = body::media_type(req);
    RdfFormat::from_media_type(&media).ok_or_else(|| {
        UserError::UnsupportedMediaType(format!(
            "`{media}`: send one of {}",
            graph_formats().map(|(m, _)| m).join(", ")
        ))
        .into()
    })
}

/// Reads and parses the body of a PUT or POST into `graph`.
async fn triples(
    req: &HttpRequest,
    payload: web::Payload,
    graph: &GraphRef,
) -> Result<Vec<oxigraph::model::Triple>, ApiError> {
    let format = body_format(req)?;
    let bytes = body::read(payload, MAX_BODY, "a graph").await?;
    let base = match graph {
        GraphRef::Named(n) => Some(n.as_str().to_string()),
        GraphRef::Default => None,
    };
    blocking(move || parse_graph(&bytes, format, base.as_deref())).await
}

/// `PUT`: replaces the graph; 201 when it was created, 204 otherwise.
async fn put(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    write(state, req, payload, false).await
}

/// `POST`: adds to the graph; 201 when it was created, 204 otherwise.
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
    let graph = target(&req)?;
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
    Ok(if created {
        HttpResponse::Created().finish()
    } else {
        HttpResponse::NoContent().finish()
    })
}

/// `DELETE`: removes a named graph (404 if it does not exist) or empties the default graph.
async fn delete(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    require(&state, &req, Scope::Write)?;
    let graph = target(&req)?;
    let store = state.store.clone();
    let shown = graph.to_string();
    if blocking(move || store.delete_graph(&graph)).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(Error::not_found(format!("graph {shown} does not exist")).into())
    }
}
