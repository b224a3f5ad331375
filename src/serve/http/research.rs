//! The research layer over HTTP: `/gaps`, `/hypotheses`, `/experiments`, `/novelty`, `/gate`.
//! Writes (proposing, status changes, logging and importing runs) need `--writes`.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::require;
use super::openapi::Documented;
use super::{ApiError, AppState, ErrorBody};
use crate::common::clock::{AsOf, Clocks};
use crate::common::error::Error;
use crate::research::gaps::{Gap, GapKind, GapQuery};
use crate::research::gate::{GateAnswer, GateRequest};
use crate::research::novelty::{NoveltyReport, NoveltyRequest};
use crate::research::results_import::{self, Field, ImportOptions, ImportReport};
use crate::research::{
    self, Compared, Experiment, ExperimentFilter, Hypothesis, HypothesisFilter, NewComparison, NewExperiment,
    NewHypothesis, PlateauQuery, StatusUpdate, Written,
};
use crate::service::Scope;

/// Largest results table `POST /experiments/import` accepts.
pub const MAX_TABLE: usize = 16 << 20;

/// Registers the routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(Documented::at("/gaps").to(__path_gaps_handler, gaps_handler))
        .service(
            Documented::at("/hypotheses")
                .to(__path_list_hypotheses, list_hypotheses)
                .to(__path_propose, propose),
        )
        // Before `/hypotheses/{id}`, which would take `compare` for an id.
        .service(Documented::at("/hypotheses/compare").to(__path_compare, compare))
        .service(Documented::at("/hypotheses/{id}").to(__path_get_hypothesis, get_hypothesis))
        .service(Documented::at("/hypotheses/{id}/status").to(__path_set_status, set_status))
        .service(
            Documented::at("/experiments")
                .to(__path_list_experiments, list_experiments)
                .to(__path_log_experiment, log_experiment),
        )
        .service(Documented::at("/experiments/import").to(__path_import, import))
        .service(Documented::at("/experiments/{id}").to(__path_get_experiment, get_experiment))
        .service(
            Documented::at("/novelty")
                .to(__path_novelty_get, novelty_get)
                .to(__path_novelty_post, novelty_post),
        )
        .service(Documented::at("/gate").to(__path_gate, gate));
}

/// The id in `/hypotheses/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct HypothesisId {
    /// The hypothesis' key or IRI.
    #[param(value_type = research::HypothesisKey, inline)]
    id: String,
}

/// The id in `/experiments/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct ExperimentId {
    /// The experiment's key or IRI.
    #[param(value_type = research::ExperimentKey, inline)]
    id: String,
}

/// Checks write scope and returns who writes (recorded in each record's provenance).
fn writer(state: &AppState, req: &HttpRequest) -> Result<research::Actor, ApiError> {
    Ok(require(state, req, Scope::Write)?.actor)
}

fn written<T: serde::Serialize>(w: Written<T>) -> HttpResponse {
    if w.created {
        HttpResponse::Created().json(w)
    } else {
        HttpResponse::Ok().json(w)
    }
}

/// Query parameters of `GET /gaps`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct GapParams {
    /// One kind of gap; every kind when absent (then up to `limit` of each).
    kind: Option<GapKind>,
    /// Only gaps about this concept (IRI or label).
    concept: Option<String>,
    /// As of a year (its end) or a date: only papers of whole years up to it count, by their
    /// publication years, and retractions dated up to it (gaps read the sources' dates only).
    #[param(value_type = Option<crate::common::fields::AsOfMoment>, inline)]
    as_of: Option<String>,
    /// Most gaps (of each kind); default 10, more than 200 is taken as 200.
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1)]
    limit: Option<usize>,
}

/// Research gaps found in the extracted facts: missing links between concepts, untested
/// method × dataset combinations, open questions and contested claims, best first, each with
/// verified evidence quotes.
#[utoipa::path(
    get,
    path = "/gaps",
    tag = "research",
    params(GapParams),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The gaps, best first.", body = Vec<Gap>),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status = 404, description = "No extracted concept has the name `concept` gives.", body = ErrorBody),
    )
)]
async fn gaps_handler(state: web::Data<AppState>, p: web::Query<GapParams>) -> Result<HttpResponse, ApiError> {
    let p = p.into_inner();
    let q = GapQuery {
        kind: p.kind,
        concept: p.concept,
        as_of: p
            .as_of
            .as_deref()
            .map(|s| AsOf::parse("as_of", s, Clocks::Valid).map(|a| a.whole_year()))
            .transpose()?,
        limit: p.limit.unwrap_or(10).min(200),
    };
    let found = state.service().gaps(q, crate::common::work::Watch::none()).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Records a hypothesis (status proposed) as a nanopublication. Proposing the same statement
/// again as the same agent returns the stored hypothesis (200 instead of 201).
#[utoipa::path(
    post,
    path = "/hypotheses",
    tag = "research",
    request_body = NewHypothesis,
    security(("bearer" = ["write"])),
    responses(
        (status = 201, description = "Recorded.", body = Written<Hypothesis>, links(
            ("get" = (operation_id = "get_hypothesis", parameters(("id" = "$response.body#/record/key")))),
            ("set_status" = (operation_id = "set_status", parameters(("id" = "$response.body#/record/key")))),
        )),
        (status = 200, description = "Already recorded: the stored hypothesis.", body = Written<Hypothesis>),
        (status = 400, description = "The body is invalid.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, the token's scope is too small, or the token is not bound to the agent named.", body = ErrorBody),
        (status = 404, description = "An evidence passage, or a hypothesis `derived_from` names, is not stored (the message names the field, e.g. `derived_from[1].hypothesis`).", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`.", body = ErrorBody),
        (status = 503, description = "This needs the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn propose(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<NewHypothesis>,
) -> Result<HttpResponse, ApiError> {
    let actor = writer(&state, &req)?;
    let w = state.service().propose(actor, body.into_inner()).await?;
    Ok(written(w))
}

/// Stored hypotheses, newest first or sorted by `sort` (Elo rating, evidence count, recency),
/// without their history, experiments and plateaus (ask for one to get them). Each carries its
/// lineage (`derived_from`, `derivatives`), its rating and its evidence count.
#[utoipa::path(
    get,
    path = "/hypotheses",
    tag = "research",
    params(HypothesisFilter),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The hypotheses.", body = Vec<Hypothesis>),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
    )
)]
async fn list_hypotheses(
    state: web::Data<AppState>,
    f: web::Query<HypothesisFilter>,
) -> Result<HttpResponse, ApiError> {
    let list = state.service().hypotheses(f.into_inner()).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One hypothesis, with its status history, the experiments that test it, its lineage both
/// ways (`derived_from`: parents; `derivatives`: hypotheses derived from it), its Elo rating, and
/// for each metric its runs report whether the runs have plateaued: with the metric's direction
/// (given as `plateau_direction` or inferred from its name), the best value and the run that
/// reached it, and `runs_since_best`, the kept or discarded runs since then (crashed runs do
/// not count) none of which improved on the best by more than `plateau_threshold`; `plateaued`
/// is `runs_since_best >= plateau_window`.
#[utoipa::path(
    get,
    path = "/hypotheses/{id}",
    tag = "research",
    params(HypothesisId, PlateauQuery),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The hypothesis.", body = Hypothesis),
        (status = 400, description = "The id is not a hypothesis key or IRI, or a plateau parameter is invalid.", body = ErrorBody),
        (status = 404, description = "No such hypothesis.", body = ErrorBody),
    )
)]
async fn get_hypothesis(
    state: web::Data<AppState>,
    id: web::Path<HypothesisId>,
    plateau: web::Query<PlateauQuery>,
) -> Result<HttpResponse, ApiError> {
    let settings = plateau.settings()?;
    let h = state.service().hypothesis(id.into_inner().id, settings).await?;
    Ok(HttpResponse::Ok().json(h))
}

/// Records a pairwise comparison of two hypotheses (a match of a tournament, as in AI
/// co-scientist) as its own nanopublication with provenance: who judged, when, why. Ratings are
/// never stored: each hypothesis' Elo rating is computed when read from every comparison in
/// record-time order (ties by comparison key), starting at 1200 with K = 32 (see `Rating`).
/// Each call is a new match; with a `match` id, the same agent sending it again gets the stored
/// comparison back (200), and a different outcome under that id is a conflict (409).
#[utoipa::path(
    post,
    path = "/hypotheses/compare",
    tag = "research",
    request_body = NewComparison,
    security(("bearer" = ["write"])),
    responses(
        (status = 201, description = "Recorded; both hypotheses' ratings after it.", body = Compared, links(
            ("winner" = (operation_id = "get_hypothesis", parameters(("id" = "$response.body#/record/winner")))),
            ("loser" = (operation_id = "get_hypothesis", parameters(("id" = "$response.body#/record/loser")))),
        )),
        (status = 200, description = "This agent's match id was recorded already with the same outcome: the stored comparison.", body = Compared),
        (status = 400, description = "The body is invalid, or a hypothesis is compared with itself.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, the token's scope is too small, or the token is not bound to the agent named.", body = ErrorBody),
        (status = 404, description = "The winner or the loser is not stored (the message names which).", body = ErrorBody),
        (status = 409, description = "The match id was recorded with another outcome.", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`.", body = ErrorBody),
    )
)]
async fn compare(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<NewComparison>,
) -> Result<HttpResponse, ApiError> {
    let actor = writer(&state, &req)?;
    let c = state.service().compare(actor, body.into_inner()).await?;
    Ok(if c.created {
        HttpResponse::Created().json(c)
    } else {
        HttpResponse::Ok().json(c)
    })
}

/// Moves a hypothesis to a new status, recording the change and the experiments behind it.
/// Supported and refuted need at least one experiment; a hypothesis never returns to proposed.
#[utoipa::path(
    post,
    path = "/hypotheses/{id}/status",
    tag = "research",
    params(HypothesisId),
    request_body = StatusUpdate,
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "The hypothesis after the change.", body = Hypothesis),
        (status = 400, description = "The id or the body is invalid.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, the token's scope is too small, the token is not bound to the agent named, or the hypothesis is another agent's.", body = ErrorBody),
        (status = 404, description = "No such hypothesis.", body = ErrorBody),
        (status = 409, description = "The hypothesis cannot move to that status from where it stands, or an outcome names no stored experiment.", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`.", body = ErrorBody),
    )
)]
async fn set_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<HypothesisId>,
    body: web::Json<StatusUpdate>,
) -> Result<HttpResponse, ApiError> {
    let actor = writer(&state, &req)?;
    let h = state
        .service()
        .set_status(actor, id.into_inner().id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(h))
}

/// Logs an experiment run; its outcome becomes facts linked to the hypothesis it tests, and a
/// proposed hypothesis moves to testing. Logging the same run again returns the stored run (200
/// instead of 201).
#[utoipa::path(
    post,
    path = "/experiments",
    tag = "research",
    request_body = NewExperiment,
    security(("bearer" = ["write"])),
    responses(
        (status = 201, description = "Logged.", body = Written<Experiment>, links(
            ("get" = (operation_id = "get_experiment", parameters(("id" = "$response.body#/record/key")))),
        )),
        (status = 200, description = "Already logged: the stored run.", body = Written<Experiment>),
        (status = 400, description = "The body is invalid.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, the token's scope is too small, or the token is not bound to the agent named.", body = ErrorBody),
        (status = 404, description = "The hypothesis is not stored.", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`.", body = ErrorBody),
        (status = 503, description = "This needs the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn log_experiment(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<NewExperiment>,
) -> Result<HttpResponse, ApiError> {
    let actor = writer(&state, &req)?;
    let w = state.service().log_experiment(actor, body.into_inner()).await?;
    Ok(written(w))
}

/// Stored experiment runs, oldest first.
#[utoipa::path(
    get,
    path = "/experiments",
    tag = "research",
    params(ExperimentFilter),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The runs.", body = Vec<Experiment>),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
    )
)]
async fn list_experiments(
    state: web::Data<AppState>,
    f: web::Query<ExperimentFilter>,
) -> Result<HttpResponse, ApiError> {
    let list = state.service().experiments(f.into_inner()).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One experiment run.
#[utoipa::path(
    get,
    path = "/experiments/{id}",
    tag = "research",
    params(ExperimentId),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The run.", body = Experiment),
        (status = 400, description = "The id is not an experiment key or IRI.", body = ErrorBody),
        (status = 404, description = "No such run.", body = ErrorBody),
    )
)]
async fn get_experiment(state: web::Data<AppState>, id: web::Path<ExperimentId>) -> Result<HttpResponse, ApiError> {
    let x = state.service().experiment(id.into_inner().id).await?;
    Ok(HttpResponse::Ok().json(x))
}

/// Query parameters of `POST /experiments/import`, read by hand because `map` repeats.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportParams {
    /// The agent the runs are attributed to; `import` when absent.
    agent: Option<String>,
    /// A hypothesis (key or IRI) every run tests; a `hypothesis` column overrides it per row.
    hypothesis: Option<String>,
    /// The file name, for reports; `upload` when absent.
    name: Option<String>,
    /// `COLUMN=FIELD`, repeatable: what a column holds (`description`, `status`,
    /// `code_version`, `time`, `hypothesis`, `notes`, `parameter`, `ignore` or
    /// `metric[:UNIT[:SPLIT]]`), instead of recognising it by its name.
    #[param(value_type = Vec<results_import::ColumnMapping>, inline, explode, style = Form, required = false)]
    map: Vec<String>,
    /// The field delimiter; guessed from the header line (tab, else comma) when absent.
    #[param(value_type = Option<Delimiter>, inline)]
    delimiter: Option<String>,
}

crate::common::fields::schema_type!(
    /// The delimiters a results table may name.
    Delimiter => utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["tab", "comma", "\t", ","]))
        .build()
);

impl ImportParams {
    fn parse(query: &str) -> Result<Self, Error> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| Error::invalid("query string", e.to_string()))?;
        let mut p = ImportParams::default();
        for (k, v) in pairs {
            match k.as_str() {
                "agent" => p.agent = Some(v),
                "hypothesis" => p.hypothesis = Some(v),
                "name" => p.name = Some(v),
                "map" => p.map.push(v),
                "delimiter" => p.delimiter = Some(v),
                other => {
                    return Err(Error::invalid(
                        other,
                        "unknown parameter (agent, hypothesis, name, map, delimiter)",
                    ))
                }
            }
        }
        Ok(p)
    }

    fn options(self) -> Result<(String, ImportOptions), Error> {
        let mut mapping = BTreeMap::new();
        for m in &self.map {
            let (col, field) = m
                .split_once('=')
                .ok_or_else(|| Error::invalid("map", format!("`{m}`: expected COLUMN=FIELD")))?;
            mapping.insert(col.trim().to_string(), field.parse::<Field>()?);
        }
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("tab" | "\t") => Some(b'\t'),
            Some("comma" | ",") => Some(b','),
            Some(other) => return Err(Error::invalid("delimiter", format!("`{other}`: expected tab or comma"))),
        };
        let opts = ImportOptions {
            agent: self.agent.unwrap_or_else(|| "import".into()),
            hypothesis: self.hypothesis,
            mapping,
            delimiter,
        };
        Ok((self.name.unwrap_or_else(|| "upload".into()), opts))
    }
}

/// Imports a results table (autoresearch `results.tsv` as is, or any TSV/CSV with a column
/// mapping) as experiment runs, one per row. Rows that fail are reported with their line; the
/// others are logged.
#[utoipa::path(
    post,
    path = "/experiments/import",
    tag = "research",
    params(ImportParams),
    request_body(description = "The table, UTF-8, at most 16 MiB.", content(
        (String = "text/tab-separated-values"),
        (String = "text/csv"),
    )),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "What was imported, and which rows failed.", body = ImportReport),
        (status = 400, description = "A parameter is invalid, or the table has no status column or is not UTF-8.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, or the token's scope is too small.", body = ErrorBody),
        (status = 413, description = "The table is larger than 16 MiB.", body = ErrorBody),
        (status = 503, description = "This needs the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn import(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = writer(&state, &req)?;
    let (name, opts) = ImportParams::parse(req.query_string())?.options()?;
    let body = super::body::read(payload, MAX_TABLE, "a results table").await?;
    let report = state.service().import_results(actor, name, body.to_vec(), opts).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// How novel an idea is: the nearest papers (with the claims in their nearest passages), the
/// nearest past hypotheses and runs with their outcomes, and a score in [0, 1].
#[utoipa::path(
    get,
    path = "/novelty",
    tag = "research",
    params(NoveltyQuery),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The report.", body = NoveltyReport),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status = 503, description = "This needs the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn novelty_get(state: web::Data<AppState>, q: web::Query<NoveltyQuery>) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    novelty_of(
        state,
        NoveltyRequest {
            idea: q.idea,
            k: q.k,
            as_of: q.as_of,
            clock: super::search::clock(q.clock.as_deref())?,
        },
    )
    .await
}

/// Query parameters of `GET /novelty`: a [`NoveltyRequest`] in the query string.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct NoveltyQuery {
    /// The idea, in a sentence or a paragraph.
    #[param(value_type = crate::common::fields::Text, inline)]
    idea: String,
    /// Nearest papers, hypotheses and experiments to return, each (default 5, at most 50).
    #[serde(default, deserialize_with = "crate::common::fields::count")]
    #[param(minimum = 1, maximum = 50)]
    k: Option<usize>,
    /// Check against the store as it stood then: a year (its end), a date (its end) or an
    /// RFC 3339 date-time.
    #[param(value_type = Option<crate::common::fields::AsOfMoment>, inline)]
    as_of: Option<String>,
    /// Which clocks `as_of` reads: `both` (default) or `valid`.
    #[param(value_type = Option<Clocks>)]
    clock: Option<String>,
}

/// [`novelty_get`] with the idea in a JSON body (for long ideas).
#[utoipa::path(
    post,
    path = "/novelty",
    tag = "research",
    request_body = NoveltyRequest,
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The report.", body = NoveltyReport),
        (status = 400, description = "The body is invalid.", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`.", body = ErrorBody),
        (status = 503, description = "This needs the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn novelty_post(state: web::Data<AppState>, q: web::Json<NoveltyRequest>) -> Result<HttpResponse, ApiError> {
    novelty_of(state, q.into_inner()).await
}

/// Whether a proposed change should run, before it spends compute: `proceed`, `warn` (something
/// like it was tried and kept, or is close, or the literature covers it) or `refuse` (a repeat of
/// a run that was discarded or crashed), with the nearest past runs (outcome, similarity, same
/// numbers and parameters) and papers. Thresholds are the caller's.
#[utoipa::path(
    post,
    path = "/gate",
    tag = "research",
    request_body = GateRequest,
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The decision and what it rests on.", body = GateAnswer),
        (status = 400, description = "The body is invalid.", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`.", body = ErrorBody),
        (status = 503, description = "This needs the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn gate(state: web::Data<AppState>, q: web::Json<GateRequest>) -> Result<HttpResponse, ApiError> {
    let answer = state.service().gate(q.into_inner()).await?;
    Ok(HttpResponse::Ok().json(answer))
}

async fn novelty_of(state: web::Data<AppState>, q: NoveltyRequest) -> Result<HttpResponse, ApiError> {
    let report = state.service().novelty(q).await?;
    Ok(HttpResponse::Ok().json(report))
}
