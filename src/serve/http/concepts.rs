//! Concepts over HTTP: `GET /concepts` (find extracted concepts by label) and `GET
//! /concepts/{id}` (one concept's neighbourhood in the co-occurrence graph as of a year), for
//! the web UI's concept explorer and for agents.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::openapi::Documented;
use super::{ApiError, AppState, ErrorBody};
use crate::common::clock::{AsOf, Clocks};
use crate::research::concepts::{ConceptMatch, ConceptView};

/// Registers the routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(Documented::at("/concepts").to(__path_find_concepts, find_concepts))
        // An IRI has slashes: the id is the rest of the path.
        .service(Documented::at("/concepts/{id:.*}").to(__path_get_concept, get_concept));
}

/// Query parameters of `GET /concepts`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FindParams {
    /// Text to find in the concepts' preferred or alternative labels, case aside (at most 200
    /// characters).
    #[param(min_length = 1, max_length = 200)]
    q: String,
    /// Most concepts; default 10, more than 50 is taken as 50.
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1)]
    limit: Option<usize>,
}

/// Extracted concepts whose preferred or alternative label contains `q` (case aside), best
/// first: the whole label, then labels that start with it, then labels with a word that starts
/// with it, then the others, each by the number of papers that mention the concept. Each comes
/// with its type (a vote over the extraction graphs, as the gap finder decides) and its key for
/// `GET /concepts/{id}`. A look-up reads every label of the extracted concepts (linear in their
/// number; milliseconds on the bundled samples).
#[utoipa::path(
    get,
    path = "/concepts",
    tag = "research",
    params(FindParams),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The concepts, best first (none: an empty list).", body = Vec<ConceptMatch>),
        (status = 400, description = "`q` is blank or longer than 200 characters, or `limit` is not a count.", body = ErrorBody),
    )
)]
async fn find_concepts(state: web::Data<AppState>, p: web::Query<FindParams>) -> Result<HttpResponse, ApiError> {
    let p = p.into_inner();
    let found = state.service().concepts(p.q, p.limit.unwrap_or(10)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Query parameters of `GET /concepts/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ViewParams {
    /// As of a year (its end) or a date: only papers published in whole years up to it count
    /// (undated papers then do not), and retractions dated up to it. Absent: every paper.
    #[param(value_type = Option<crate::common::fields::AsOfMoment>, inline)]
    as_of: Option<String>,
    /// Most neighbours; default 25, more than 100 is taken as 100.
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1)]
    limit: Option<usize>,
}

/// One extracted concept and its neighbourhood in the concept co-occurrence graph as of a
/// year: its labels and type, the papers that mention it (newest first, at most 100; a
/// retracted one is marked and adds no co-occurrence), the concepts those papers mention with it,
/// each with the number of papers that mention both (the edge's weight), heaviest first, and the
/// span of its papers' years (what a year slider spans). Every co-occurring concept is a
/// neighbour, whatever its type. Cost: one indexed read per paper of the concept and per
/// neighbour returned.
#[utoipa::path(
    get,
    path = "/concepts/{id}",
    tag = "research",
    params(
        ("id" = String, Path, description = "The concept's key (the last segment of its IRI), its IRI, or a label (preferred or alternative, case aside; of several concepts with it, the one most papers mention)."),
        ViewParams,
    ),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The concept and its neighbourhood.", body = ConceptView),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status = 404, description = "No paper mentions a concept of that key, IRI or label.", body = ErrorBody),
    )
)]
async fn get_concept(
    state: web::Data<AppState>,
    id: web::Path<String>,
    p: web::Query<ViewParams>,
) -> Result<HttpResponse, ApiError> {
    let p = p.into_inner();
    let as_of = p
        .as_of
        .as_deref()
        .map(|s| AsOf::parse("as_of", s, Clocks::Valid).map(|a| a.whole_year()))
        .transpose()?;
    let view = state
        .service()
        .concept(id.into_inner(), as_of, p.limit.unwrap_or(25))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
