//! The research layer over HTTP: `/gaps`, `/hypotheses`, `/experiments`, `/novelty`.
//! Writes (proposing, status changes, logging and importing runs) need `--writes`.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::{require, Scope};
use super::{blocking, ApiError, AppState};
use crate::embed::Embedder;
use crate::error::{Error, UserError};
use crate::gaps::{self, GapQuery};
use crate::novelty::{self, NoveltyRequest};
use crate::research::{self, ExperimentFilter, HypothesisFilter, NewExperiment, NewHypothesis, StatusUpdate, Written};
use crate::results_import::{self, Field, ImportOptions};

/// Largest results table `POST /experiments/import` accepts.
pub const MAX_TABLE: usize = 16 << 20;

/// Registers the routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/gaps", web::get().to(gaps_handler))
        .service(
            web::resource("/hypotheses")
                .route(web::get().to(list_hypotheses))
                .route(web::post().to(propose)),
        )
        .route("/hypotheses/{id}", web::get().to(get_hypothesis))
        .route("/hypotheses/{id}/status", web::post().to(set_status))
        .service(
            web::resource("/experiments")
                .route(web::get().to(list_experiments))
                .route(web::post().to(log_experiment)),
        )
        .service(
            web::resource("/experiments/import")
                .app_data(web::PayloadConfig::new(MAX_TABLE))
                .route(web::post().to(import)),
        )
        .route("/experiments/{id}", web::get().to(get_experiment))
        .service(
            web::resource("/novelty")
                .route(web::get().to(novelty_get))
                .route(web::post().to(novelty_post)),
        );
}

fn writable(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    require(state, req, Scope::Write)
}

fn model(state: &AppState) -> Result<Arc<dyn Embedder>, ApiError> {
    state.embedder.clone().ok_or_else(|| {
        Error::from(UserError::Setup(
            "this needs the embedding model; it is not loaded".into(),
        ))
        .into()
    })
}

fn written<T: serde::Serialize>(w: Written<T>) -> HttpResponse {
    if w.created {
        HttpResponse::Created().json(w)
    } else {
        HttpResponse::Ok().json(w)
    }
}

/// Query parameters of `GET /gaps`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GapParams {
    kind: Option<String>,
    concept: Option<String>,
    as_of: Option<i32>,
    limit: Option<usize>,
}

async fn gaps_handler(state: web::Data<AppState>, p: web::Query<GapParams>) -> Result<HttpResponse, ApiError> {
    let p = p.into_inner();
    let q = GapQuery {
        kind: p.kind.map(|k| k.parse()).transpose()?,
        concept: p.concept,
        as_of: p.as_of,
        limit: p.limit.unwrap_or(10).min(200),
    };
    let store = state.store.clone();
    let found = blocking(move || gaps::find_gaps(&store, &q)).await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn propose(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<NewHypothesis>,
) -> Result<HttpResponse, ApiError> {
    writable(&state, &req)?;
    let (store, embedder) = (state.store.clone(), model(&state)?);
    let w = blocking(move || research::propose(&store, embedder.as_ref(), &body)).await?;
    Ok(written(w))
}

async fn list_hypotheses(
    state: web::Data<AppState>,
    f: web::Query<HypothesisFilter>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let list = blocking(move || research::hypotheses(&store, &f)).await?;
    Ok(HttpResponse::Ok().json(list))
}

async fn get_hypothesis(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let h = blocking(move || research::hypothesis(&store, &id)).await?;
    Ok(HttpResponse::Ok().json(h))
}

async fn set_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<StatusUpdate>,
) -> Result<HttpResponse, ApiError> {
    writable(&state, &req)?;
    let store = state.store.clone();
    let h = blocking(move || research::set_status(&store, &id, &body)).await?;
    Ok(HttpResponse::Ok().json(h))
}

async fn log_experiment(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<NewExperiment>,
) -> Result<HttpResponse, ApiError> {
    writable(&state, &req)?;
    let (store, embedder) = (state.store.clone(), model(&state)?);
    let w = blocking(move || research::log_experiment(&store, embedder.as_ref(), &body)).await?;
    Ok(written(w))
}

async fn list_experiments(
    state: web::Data<AppState>,
    f: web::Query<ExperimentFilter>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let list = blocking(move || research::experiments(&store, &f)).await?;
    Ok(HttpResponse::Ok().json(list))
}

async fn get_experiment(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let x = blocking(move || research::experiment(&store, &id)).await?;
    Ok(HttpResponse::Ok().json(x))
}

/// Query parameters of `POST /experiments/import`: `map` is `COLUMN=FIELD`, repeated.
async fn import(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    writable(&state, &req)?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).map_err(|e| Error::invalid("query string", e.to_string()))?;
    let mut opts = ImportOptions {
        agent: "import".into(),
        ..Default::default()
    };
    let mut name = "upload".to_string();
    let mut mapping = BTreeMap::new();
    for (k, v) in pairs {
        match k.as_str() {
            "agent" => opts.agent = v,
            "hypothesis" => opts.hypothesis = Some(v),
            "name" => name = v,
            "map" => {
                let (col, field) = v
                    .split_once('=')
                    .ok_or_else(|| Error::invalid("map", format!("`{v}`: expected COLUMN=FIELD")))?;
                mapping.insert(col.trim().to_string(), field.parse::<Field>()?);
            }
            "delimiter" => {
                opts.delimiter = Some(match v.as_str() {
                    "tab" | "\t" => b'\t',
                    "comma" | "," => b',',
                    other => {
                        return Err(Error::invalid("delimiter", format!("`{other}`: expected tab or comma")).into())
                    }
                })
            }
            other => {
                return Err(Error::invalid(other, "unknown parameter (agent, hypothesis, name, map, delimiter)").into())
            }
        }
    }
    opts.mapping = mapping;
    let (store, embedder) = (state.store.clone(), model(&state)?);
    let report =
        blocking(move || results_import::import_results(&store, embedder.as_ref(), &name, &body, &opts)).await?;
    Ok(HttpResponse::Ok().json(report))
}

async fn novelty_get(state: web::Data<AppState>, q: web::Query<NoveltyRequest>) -> Result<HttpResponse, ApiError> {
    novelty_of(state, q.into_inner()).await
}

async fn novelty_post(state: web::Data<AppState>, q: web::Json<NoveltyRequest>) -> Result<HttpResponse, ApiError> {
    novelty_of(state, q.into_inner()).await
}

async fn novelty_of(state: web::Data<AppState>, q: NoveltyRequest) -> Result<HttpResponse, ApiError> {
    let (store, embedder) = (state.store.clone(), model(&state)?);
    let report = blocking(move || novelty::novelty(&store, embedder.as_ref(), &q)).await?;
    Ok(HttpResponse::Ok().json(report))
}
