//! `/search` and `/findings`: cited passages and evidence packs for a question.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{negotiate, ApiError, AppState, ErrorBody};
use crate::common::clock::{as_of_param, Clocks};
use crate::common::error::{Error, UserError};
use crate::retrieval::search::{self, Hit, Mode, SearchRequest, Tuning};
use crate::store::SearchFilter;

/// Query parameters of `/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchParams {
    /// The question or keywords (not blank), as plain text: BM25 matches its stemmed words in
    /// passage text and title; quotes, `+`, `-` and `field:` carry no meaning.
    #[param(value_type = crate::common::fields::NonBlank, inline)]
    q: String,
    /// The retriever: `bm25`, `vector` or `hybrid` (the default).
    mode: Option<Mode>,
    /// How many passages (default 10).
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1, maximum = 1000)]
    k: Option<usize>,
    /// Only papers of this year or later.
    year_from: Option<i32>,
    /// Only papers of this year or earlier.
    year_to: Option<i32>,
    /// Only passages of this section (e.g. `abstract`).
    section: Option<String>,
    /// Only papers of this venue.
    venue: Option<String>,
    /// Whether hybrid search re-scores its first fused candidates with the learned reranker
    /// (default false: fusion alone; see `search::RERANK` for why).
    rerank: Option<bool>,
    /// Answer as the store stood then: a year (its end), a date (its end) or an RFC 3339
    /// date-time. Papers published or learned later are left out, retractions issued or
    /// learned later do not count.
    #[param(value_type = Option<crate::common::fields::AsOfMoment>, inline)]
    as_of: Option<String>,
    /// Which clocks `as_of` reads: `both` (default) or `valid` (the sources' dates only,
    /// whatever the store learned since).
    #[param(value_type = Option<Clocks>)]
    clock: Option<String>,
}

/// The `clock` parameter, read here rather than by serde so that a wrong value is refused
/// naming the parameter.
pub(super) fn clock(s: Option<&str>) -> Result<Option<Clocks>, Error> {
    s.map(str::parse).transpose()
}

/// The answer of `/search`.
#[derive(Debug, Serialize, ToSchema)]
struct SearchResults {
    /// The retriever used.
    mode: Mode,
    /// Best first, each a citable passage with its paper's reference.
    hits: Vec<Hit>,
}

/// Passages that answer a question, best first, each with a verified quote and the full
/// reference of its paper.
#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    params(SearchParams),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The hits.", body = SearchResults),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status = 503, description = "Vector and hybrid search need the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
pub(super) async fn search_handler(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let as_of = as_of_param(p.as_of.as_deref(), clock(p.clock.as_deref())?)?;
    let req = SearchRequest {
        query: p.q,
        mode: p.mode.unwrap_or(Mode::Hybrid),
        k: p.k.unwrap_or(10),
        filter: SearchFilter {
            year_from: p.year_from,
            year_to: p.year_to,
            section: p.section,
            venue: p.venue,
        },
        tuning: Tuning {
            rerank: p.rerank.unwrap_or(search::RERANK),
            ..Default::default()
        },
        as_of,
        ..Default::default()
    };
    let mode = req.mode;
    let hits = state.service().search(req).await?;
    Ok(HttpResponse::Ok().json(SearchResults { mode, hits }))
}

/// Query parameters of `/findings`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct FindingsParams {
    /// The question (not blank).
    #[param(value_type = crate::common::fields::NonBlank, inline)]
    q: String,
    /// The retriever: `bm25`, `vector` or `hybrid` (the default).
    mode: Option<Mode>,
    /// How many papers (default 5).
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1, maximum = 50)]
    papers: Option<usize>,
    /// How many passages per paper (default 3).
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1, maximum = 10)]
    per_paper: Option<usize>,
    /// Only papers of this year or later.
    year_from: Option<i32>,
    /// Only papers of this year or earlier.
    year_to: Option<i32>,
    /// Only passages of this section (e.g. `abstract`).
    section: Option<String>,
    /// Only papers of this venue.
    venue: Option<String>,
    /// Keep passages of retracted papers, marked `retracted: true` (default false: they are
    /// left out).
    include_retracted: Option<bool>,
    /// Answer as the store stood then: a year (its end), a date (its end) or an RFC 3339
    /// date-time. Papers published or learned later are left out, retractions issued or
    /// learned later do not count.
    #[param(value_type = Option<crate::common::fields::AsOfMoment>, inline)]
    as_of: Option<String>,
    /// Which clocks `as_of` reads: `both` (default) or `valid` (the sources' dates only,
    /// whatever the store learned since).
    #[param(value_type = Option<Clocks>)]
    clock: Option<String>,
}

/// The formats of an evidence pack.
#[derive(Debug, Clone, Copy)]
enum PackFormat {
    Json,
    JsonLd,
    Markdown,
}

/// An evidence pack for a question: the best papers, each with its verified passages and
/// claims and its full reference, as JSON, JSON-LD or Markdown (by `Accept`).
#[utoipa::path(
    get,
    path = "/findings",
    tag = "search",
    params(FindingsParams),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The evidence pack.", content(
            (crate::answers::findings::EvidencePack = "application/json"),
            (Object = "application/ld+json"),
            (String = "text/markdown"),
        )),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status = 406, description = "`Accept` allows none of the three formats.", body = ErrorBody),
        (status = 503, description = "Vector and hybrid search need the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
pub(super) async fn findings_handler(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    params: web::Query<FindingsParams>,
) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let offered = [
        ("application/json", PackFormat::Json),
        ("application/ld+json", PackFormat::JsonLd),
        ("text/markdown", PackFormat::Markdown),
    ];
    let format = negotiate::choose(accept, &offered).ok_or_else(|| {
        Error::from(UserError::NotAcceptable(
            "findings come as application/json, application/ld+json or text/markdown".into(),
        ))
    })?;
    let p = params.into_inner();
    let d = crate::answers::findings::FindingsRequest::default();
    let fr = crate::answers::findings::FindingsRequest {
        question: p.q,
        mode: p.mode.unwrap_or(Mode::Hybrid),
        papers: p.papers.unwrap_or(d.papers),
        per_paper: p.per_paper.unwrap_or(d.per_paper),
        filter: SearchFilter {
            year_from: p.year_from,
            year_to: p.year_to,
            section: p.section,
            venue: p.venue,
        },
        include_retracted: p.include_retracted.unwrap_or(false),
        as_of: as_of_param(p.as_of.as_deref(), clock(p.clock.as_deref())?)?,
    };
    let pack = state.service().findings(fr).await?;
    Ok(match format {
        PackFormat::Json => HttpResponse::Ok().json(pack),
        PackFormat::JsonLd => HttpResponse::Ok()
            .content_type("application/ld+json")
            .body(crate::answers::formats::to_jsonld(&pack).to_string()),
        PackFormat::Markdown => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(crate::answers::formats::to_markdown(&pack)),
    })
}
