//! SPARQL 1.1 Protocol, update operation: POST `application/sparql-update` or a form with
//! `update=`, with `using-graph-uri` / `using-named-graph-uri`. Success is 204 once the update is
//! durable; see [`crate::store::writes`] for what an update may not write.

use actix_web::{web, HttpRequest, HttpResponse};

use super::access::require;
use super::protocol::{endpoint_iri, graphs};
use super::{blocking, ApiError, AppState};
use crate::common::error::Error;
use crate::service::Scope;
use crate::store::writes::UpdateRequest;

/// Largest body `POST /sparql` accepts (a query or an update, `INSERT DATA` included).
pub const MAX_BODY: usize = 16 << 20;

/// An update from a form: exactly one `update`, no `query`.
pub async fn from_form(
    state: web::Data<AppState>,
    req: &HttpRequest,
    all: Vec<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    if all.iter().any(|(k, _)| k == "query") {
        return Err(Error::invalid("update", "give a query or an update, not both").into());
    }
    let mut updates = all.iter().filter(|(k, _)| k == "update").map(|(_, v)| v.clone());
    let update = updates.next().unwrap_or_default();
    if updates.next().is_some() {
        return Err(Error::invalid("update", "give exactly one update").into());
    }
    run(state, req, &all, update).await
}

/// Runs `update` with the dataset parameters in `params`.
pub async fn run(
    state: web::Data<AppState>,
    req: &HttpRequest,
    params: &[(String, String)],
    update: String,
) -> Result<HttpResponse, ApiError> {
    require(&state, req, Scope::Write)?;
    if let Some((k, _)) = params
        .iter()
        .find(|(k, _)| k == "default-graph-uri" || k == "named-graph-uri" || k == "query")
    {
        return Err(Error::invalid(
            k,
            "belongs to queries; an update takes using-graph-uri and using-named-graph-uri",
        )
        .into());
    }
    let request = UpdateRequest {
        update,
        using_graphs: graphs(params, "using-graph-uri")?,
        using_named_graphs: graphs(params, "using-named-graph-uri")?,
        base: Some(endpoint_iri(req)),
    };
    let store = state.store.clone();
    blocking(move || store.update(&request)).await?;
    Ok(HttpResponse::NoContent().finish())
}
