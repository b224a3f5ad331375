//! `GET /queries`: the named SPARQL queries of `queries/` that the server embeds and runs, as
//! examples for `/sparql` (the web UI's SPARQL console offers them).

use actix_web::web;

use super::ErrorBody;

/// One named query: its name, what it answers, its SPARQL text, and the variables the code binds
/// when it runs it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct NamedQuery {
    /// The file name without `.rq` (`authors` for `queries/authors.rq`).
    name: &'static str,
    /// The file's leading `#` comment lines, as one paragraph.
    description: String,
    /// The SPARQL text, comment included, as the server runs it.
    text: &'static str,
    /// The variables the description says are (or may be) bound, without `?`; empty for a query
    /// that runs as it is. Run over `/sparql` unbound, they match anything: bind them with
    /// `VALUES` or replace them with terms.
    parameters: Vec<String>,
}

/// The named SPARQL queries the server runs, in name order, with their descriptions taken from
/// their files' leading comments: examples for `/sparql`.
#[utoipa::path(
    get,
    path = "/queries",
    operation_id = "named_queries",
    tag = "meta",
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "Every named query.", body = Vec<NamedQuery>),
        (status = 401, description = "No token where one is needed, or an unknown token.", body = ErrorBody),
    )
)]
pub(crate) async fn list() -> web::Json<Vec<NamedQuery>> {
    web::Json(
        crate::store::queries::catalogue()
            .into_iter()
            .map(|q| NamedQuery {
                name: q.name,
                description: q.description,
                text: q.text,
                parameters: q.parameters,
            })
            .collect(),
    )
}
