//! The HTTP interface (actix-web): thin handlers that parse, call one core function on a
//! blocking thread, map the error and serialise.
//!
//! **Invariant:** this is the only module that names `actix_web`.

mod access;
mod body;
mod graph_store;
mod mcp;
mod metrics;
mod negotiate;
mod openapi;
mod research;
mod sparql;
mod update;

pub use access::{Access, Caller, Scope};
pub use sparql::{serialize_results, serialize_results_capped};

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use self::openapi::Documented;

use crate::embed::Embedder;
use crate::error::{Error, InternalError, UserError};
use crate::search::{self, Hit, Mode, SearchRequest};
use crate::store::{SearchFilter, Stats, Store};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<Store>,
    /// The embedding model, when loaded (vector and hybrid search need it).
    pub embedder: Option<Arc<dyn Embedder>>,
    /// Where `POST /admin/backup` writes snapshots; `None` turns the endpoint off.
    pub backup_dir: Option<std::path::PathBuf>,
    /// Who may read, write and administer (tokens and anonymous access).
    pub access: Arc<Access>,
    /// Query time and result size limits.
    pub limits: Limits,
}

/// Limits on what one request may cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// A SPARQL query running longer is cancelled (503).
    pub query_timeout: std::time::Duration,
    /// A SPARQL result with more solutions or triples is refused (400).
    pub max_rows: usize,
    /// Decompression bounds of uploads (see [`UPLOAD_LIMITS`]).
    pub upload: hypatia_ingest::archive::Limits,
    /// How long an upload waits for its turn (see [`CONCURRENT_INGESTS`]) before a 503.
    pub ingest_wait: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            query_timeout: std::time::Duration::from_secs(30),
            max_rows: 1_000_000,
            upload: UPLOAD_LIMITS,
            ingest_wait: std::time::Duration::from_secs(30),
        }
    }
}

/// Registers every route on an actix `App`, and `/openapi.json` describing them; `mcp` is the
/// MCP endpoint all workers share.
fn configure(state: AppState, mcp: mcp::Endpoint, turns: IngestTurns) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let (public, gated) = (public_routes(), routes(state.access.cors(), Some(mcp)));
        let spec = openapi::describe(&[&public.0, &public.1], &[&gated]);
        cfg.app_data(web::Data::new(state))
            .app_data(web::Data::new(turns))
            .app_data(web::Data::new(spec))
            .app_data(web::PayloadConfig::new(1 << 20))
            .app_data(web::FormConfig::default().limit(1 << 20))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| ApiError(Error::invalid("query string", e.to_string())).into()),
            )
            .app_data(
                web::JsonConfig::default()
                    .limit(MAX_JSON)
                    .error_handler(|e, _| ApiError(json_error(e)).into()),
            )
            .app_data(
                web::PathConfig::default().error_handler(|e, _| ApiError(Error::invalid("path", e.to_string())).into()),
            )
            .service(public.0)
            .service(public.1)
            .service(gated)
            .default_service(web::to(no_route));
    }
}

/// The OpenAPI description of every route [`configure`] registers, as `/openapi.json` serves it.
pub fn openapi() -> serde_json::Value {
    let (public, gated) = (public_routes(), routes(Access::open(false).cors(), None));
    openapi::describe(&[&public.0, &public.1], &[&gated])
}

/// The routes outside the access gate: anyone may ask whether the server is up and what its API
/// is.
fn public_routes() -> (Documented, Documented) {
    (
        Documented::at("/healthz").to(__path_healthz, healthz),
        Documented::at("/openapi.json").to(openapi::__path_handler, openapi::handler),
    )
}

/// A JSON body that could not be read: too large (413), not JSON (415) or not the expected
/// document (400).
fn json_error(e: actix_web::error::JsonPayloadError) -> Error {
    use actix_web::error::JsonPayloadError as J;
    match e {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => {
            UserError::PayloadTooLarge(format!("a JSON body may be at most {} bytes", MAX_JSON)).into()
        }
        J::ContentType => UserError::UnsupportedMediaType("the body must be application/json".into()).into(),
        e => Error::invalid("body", e.to_string()),
    }
}

/// Largest JSON body accepted.
pub const MAX_JSON: usize = 1 << 20;

/// A path no route has: a JSON 404 like every other error.
async fn no_route(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(Error::not_found(format!("no route for {}", req.path())).into())
}

/// Every route but `/healthz` and `/openapi.json`, behind the access gate (read scope, request
/// ids, request log) and, outside it so that preflights need no token, CORS for the allowed
/// origins. Each `Documented` route is in `/openapi.json`; SPARQL and the Graph Store Protocol,
/// registered through `map`, are not (their W3C specifications describe them), nor is `/mcp`
/// (MCP's `tools/list` describes it), which `openapi()` leaves out by passing no endpoint.
fn routes(
    cors: actix_web::middleware::Condition<actix_cors::Cors>,
    mcp: Option<mcp::Endpoint>,
) -> utoipa_actix_web::scope::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope(web::scope(""))
        .configure(research::routes)
        .service(Documented::at("/metrics").to(metrics::__path_handler, metrics::handler))
        .service(Documented::at("/search").to(__path_search_handler, search_handler))
        .service(Documented::at("/findings").to(__path_findings_handler, findings_handler))
        .service(Documented::at("/papers").to(__path_ingest_handler, ingest_handler))
        .service(
            Documented::at("/papers/{id:.*}")
                .to(__path_paper_handler, paper_handler)
                .to(__path_delete_paper_handler, delete_paper_handler),
        )
        .service(Documented::at("/admin/backup").to(__path_backup_handler, backup_handler))
        .map(|scope| {
            scope
                .service(
                    web::resource("/sparql")
                        .route(web::get().to(sparql::get))
                        .route(web::post().to(sparql::post)),
                )
                .service(graph_store::resources())
                .configure(|cfg| {
                    if let Some(mcp) = mcp {
                        mcp::routes(mcp)(cfg)
                    }
                })
        })
        .wrap(actix_web::middleware::from_fn(access::gate))
        .wrap(cors)
}

/// Runs the server on its own actix system until the process is stopped.
pub fn run(state: AppState, bind: &str) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(serve(state, bind))
}

/// A server running on its own thread, for tests and harnesses; stops when told or dropped.
pub struct RunningServer {
    addr: std::net::SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Stops accepting, finishes in-flight requests, and joins the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(t) = self.thread.take() {
            actix_web::rt::System::new().block_on(self.handle.stop(true));
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a server on `bind` (port 0 picks a free one) on a background thread.
pub fn spawn(state: AppState, bind: &str) -> std::io::Result<RunningServer> {
    let (tx, rx) = std::sync::mpsc::channel();
    let bind = bind.to_string();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (mcp, turns) = (mcp::Endpoint::new(&state), IngestTurns::new());
            let server =
                HttpServer::new(move || App::new().configure(configure(state.clone(), mcp.clone(), turns.clone())))
                    .workers(2)
                    .bind(&bind);
            let server = match server {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return Ok(());
                }
            };
            let addr = server.addrs()[0];
            let running = server.disable_signals().run();
            let _ = tx.send(Ok((addr, running.handle())));
            running.await
        })
    });
    let (addr, handle) = rx.recv().map_err(|_| std::io::Error::other("server thread died"))??;
    Ok(RunningServer {
        addr,
        handle,
        thread: Some(thread),
    })
}

/// Serves on `bind` until the process is stopped.
pub async fn serve(state: AppState, bind: &str) -> std::io::Result<()> {
    tracing::info!(%bind, "listening");
    let (mcp, turns) = (mcp::Endpoint::new(&state), IngestTurns::new());
    HttpServer::new(move || App::new().configure(configure(state.clone(), mcp.clone(), turns.clone())))
        .bind(bind)?
        .run()
        .await
}

/// The JSON error body: a stable machine code and a human message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`invalid_parameter`, `not_found`, `unauthorized`, ...).
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

/// A core error on its way to becoming an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    /// Status and code; exhaustive so that a new variant does not compile until it is mapped.
    fn status_code_pair(&self) -> (StatusCode, &'static str) {
        match &self.0 {
            Error::User(u) => (
                match u {
                    UserError::InvalidParameter { .. }
                    | UserError::SparqlSyntax(_)
                    | UserError::SparqlEvaluation(_)
                    | UserError::Parse(_) => StatusCode::BAD_REQUEST,
                    UserError::NotFound(_) => StatusCode::NOT_FOUND,
                    UserError::Setup(_) | UserError::Timeout(_) | UserError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
                    UserError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
                    UserError::Forbidden(_) | UserError::ProtectedGraph(_) => StatusCode::FORBIDDEN,
                    UserError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                    UserError::Conflict(_) => StatusCode::CONFLICT,
                    UserError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                    UserError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                },
                u.code(),
            ),
            Error::Internal(i) => match i {
                InternalError::Io { .. }
                | InternalError::Text(_)
                | InternalError::Graph(_)
                | InternalError::Vector(_)
                | InternalError::Embedding(_)
                | InternalError::Journal(_)
                | InternalError::Integrity(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status_code_pair().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, code) = self.status_code_pair();
        let message = match &self.0 {
            // Internal details go to the log, not to clients. A caller's 503 (busy, timed out,
            // the model not loaded) says what to do about it.
            Error::Internal(_) => {
                tracing::error!(error = %self.0, "request failed");
                "internal error; see the server log".to_string()
            }
            Error::User(_) => self.0.to_string(),
        };
        let mut res = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer realm=\"hypatia\""));
        }
        if matches!(self.0, Error::User(UserError::Busy(_))) {
            res.insert_header((actix_web::http::header::RETRY_AFTER, "10"));
        }
        res.json(ErrorBody { code, message })
    }
}

/// Runs blocking core work off the async executor.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> crate::Result<T> + Send + 'static) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(|e| ApiError(Error::journal(format!("blocking task failed: {e}"))))?
        .map_err(ApiError)
}

/// `GET /healthz`: the server is up and its store answers.
#[derive(Debug, Serialize, ToSchema)]
struct Health {
    /// Always `ok`.
    status: Up,
    /// What the store holds.
    stats: Stats,
    /// The embedding model, when one is loaded (vector and hybrid search, ingest and the
    /// research writes need it).
    embedder: Option<String>,
}

/// The one status `/healthz` reports (any failure is an error response instead).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Up {
    /// The server answers and its store can be read.
    Ok,
}

/// Whether the server is up, with the store's counts. Needs no token.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    security(()),
    responses((status = 200, description = "Up, with the store's counts.", body = Health))
)]
async fn healthz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    let store = state.store.clone();
    let stats = blocking(move || store.stats()).await?;
    Ok(web::Json(Health {
        status: Up::Ok,
        stats,
        embedder: state.embedder.as_ref().map(|e| e.name().to_string()),
    }))
}

/// Query parameters of `/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// The question or keywords (not blank).
    #[param(value_type = crate::fields::NonBlank, inline)]
    q: String,
    /// The retriever: `bm25`, `vector` or `hybrid` (the default).
    mode: Option<Mode>,
    /// How many passages (default 10).
    #[serde(default, deserialize_with = "crate::fields::count")]
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
async fn search_handler(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
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
        tuning: Default::default(),
    };
    let (store, embedder) = (state.store.clone(), state.embedder.clone());
    let mode = req.mode;
    let hits = blocking(move || search::search(&store, embedder.as_deref(), &req)).await?;
    Ok(HttpResponse::Ok().json(SearchResults { mode, hits }))
}

/// Query parameters of `/findings`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FindingsParams {
    /// The question (not blank).
    #[param(value_type = crate::fields::NonBlank, inline)]
    q: String,
    /// The retriever: `bm25`, `vector` or `hybrid` (the default).
    mode: Option<Mode>,
    /// How many papers (default 5).
    #[serde(default, deserialize_with = "crate::fields::count")]
    #[param(minimum = 1, maximum = 50)]
    papers: Option<usize>,
    /// How many passages per paper (default 3).
    #[serde(default, deserialize_with = "crate::fields::count")]
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
            (crate::findings::EvidencePack = "application/json"),
            (Object = "application/ld+json"),
            (String = "text/markdown"),
        )),
        (status = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status = 406, description = "`Accept` allows none of the three formats.", body = ErrorBody),
        (status = 503, description = "Vector and hybrid search need the embedding model, which is not loaded.", body = ErrorBody),
    )
)]
async fn findings_handler(
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
    let d = crate::findings::FindingsRequest::default();
    let fr = crate::findings::FindingsRequest {
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
    };
    let (store, embedder) = (state.store.clone(), state.embedder.clone());
    let pack = blocking(move || crate::findings::find(&store, embedder.as_deref(), &fr)).await?;
    Ok(match format {
        PackFormat::Json => HttpResponse::Ok().json(pack),
        PackFormat::JsonLd => HttpResponse::Ok()
            .content_type("application/ld+json")
            .body(crate::findings::to_jsonld(&pack).to_string()),
        PackFormat::Markdown => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(crate::findings::to_markdown(&pack)),
    })
}

/// Largest body `POST /papers` accepts (a file or archive of papers). The body is streamed to
/// a file, never held in memory whole.
pub const MAX_UPLOAD: usize = 256 << 20;

/// Decompression bounds for uploads: an archive entry is read whole into memory to be parsed,
/// so one upload may cost at most this much at a time (the command line's defaults allow 2 GiB
/// entries for local dumps).
pub const UPLOAD_LIMITS: hypatia_ingest::archive::Limits = hypatia_ingest::archive::Limits {
    max_entry_bytes: 256 << 20,
    max_total_bytes: 8 << 30,
    max_ratio: 200,
    ratio_floor_bytes: 1 << 20,
};

/// Uploads ingested at once: ingest is bound by the one embedding model, so a second upload at
/// the same time would only share it, and each holds up to an archive entry in memory.
pub const CONCURRENT_INGESTS: usize = 1;

/// The server's ingest turns, shared by every worker.
#[derive(Clone)]
pub(crate) struct IngestTurns(Arc<tokio::sync::Semaphore>);

impl IngestTurns {
    pub(crate) fn new() -> Self {
        IngestTurns(Arc::new(tokio::sync::Semaphore::new(CONCURRENT_INGESTS)))
    }

    /// Waits up to `wait` for a turn, or refuses (503, `Retry-After`).
    async fn take(&self, wait: std::time::Duration) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(wait, self.0.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Error::from(UserError::Busy(format!(
                "{CONCURRENT_INGESTS} upload(s) at a time are ingested, and this one waited {:.1} s for its turn; retry later",
                wait.as_secs_f64()
            )))
            .into()),
        }
    }
}

/// Query parameters of `POST /papers`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct IngestParams {
    /// The file name the body goes by (its extension helps format detection); `upload` when
    /// absent.
    name: Option<String>,
    /// Force a format instead of detecting it.
    #[param(value_type = Option<IngestFormat>, inline)]
    format: Option<String>,
}

crate::fields::schema_type!(
    /// The format names `hypatia ingest --format` takes.
    IngestFormat => utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(hypatia_ingest::Format::ALL.iter().map(|f| f.name())))
        .build()
);

crate::fields::schema_type!(
    /// The bytes of an uploaded file.
    Upload => utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)))
        .min_length(Some(1))
        .build()
);

/// Ingests the body (a file of any supported format, or an archive of them) like `hypatia
/// ingest`, and answers with the report once every paper in it is durable. Records that fail
/// are reported with where and why; the others are written.
#[utoipa::path(
    post,
    path = "/papers",
    tag = "papers",
    params(IngestParams),
    request_body(content = inline(Upload), content_type = "application/octet-stream",
        description = "The file's bytes (not empty), at most 256 MiB."),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "What was ingested, and what failed where.", body = crate::pipeline::IngestReport),
        (status = 400, description = "A parameter is invalid, or the body is empty.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, or the token's scope is too small.", body = ErrorBody),
        (status = 413, description = "The body is larger than 256 MiB.", body = ErrorBody),
        (status = 503, description = "Ingest needs the embedding model, which is not loaded, or another upload is being ingested (retry after the `Retry-After` seconds).", body = ErrorBody),
    )
)]
async fn ingest_handler(
    state: web::Data<AppState>,
    turns: web::Data<IngestTurns>,
    req: actix_web::HttpRequest,
    params: web::Query<IngestParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Write)?;
    let _turn = turns.take(state.limits.ingest_wait).await?;
    let upload = body::to_file(payload, &state.store.dir().join("uploads"), MAX_UPLOAD, "an upload").await?;
    if upload.len == 0 {
        return Err(Error::invalid("body", "the upload is empty: send the file's bytes").into());
    }
    let p = params.into_inner();
    // Exactly the names the description lists (the CLI is lenient about case and spaces).
    let format = p
        .format
        .as_deref()
        .map(|f| {
            hypatia_ingest::Format::ALL
                .into_iter()
                .find(|known| known.name() == f)
                .ok_or_else(|| Error::invalid("format", format!("`{f}` is not a format name")))
        })
        .transpose()?;
    let (store, embedder, limits) = (state.store.clone(), state.embedder.clone(), state.limits.upload);
    let report = blocking(move || {
        let embedder = embedder.ok_or_else(|| {
            Error::from(UserError::Setup(
                "ingest needs the embedding model; it is not loaded".into(),
            ))
        })?;
        crate::pipeline::ingest_upload(
            &store,
            embedder.as_ref(),
            p.name.as_deref().unwrap_or("upload"),
            upload.file.path(),
            format,
            limits,
        )
    })
    .await?;
    metrics::ingested(report.papers);
    Ok(HttpResponse::Ok().json(report))
}

/// One paper: its reference, its passages in order and its facts.
#[utoipa::path(
    get,
    path = "/papers/{id}",
    tag = "papers",
    params(("id" = String, Path, description = "The paper's key (16 hex digits) or IRI.")),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The paper.", body = crate::papers::PaperRecord),
        (status = 400, description = "The id is not valid text.", body = ErrorBody),
        (status = 404, description = "No such paper.", body = ErrorBody),
    )
)]
async fn paper_handler(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let id = id.into_inner();
    let record = blocking(move || crate::papers::paper_record(&store, &id)).await?;
    Ok(HttpResponse::Ok().json(record))
}

/// What `DELETE /papers/{id}` removed.
#[derive(Debug, Serialize, ToSchema)]
struct Deleted {
    /// The paper's key.
    key: String,
    /// Papers removed (1).
    deleted: usize,
}

/// Deletes one paper from all three indexes (its facts, extraction, passages and vectors, and
/// the citation links other papers had resolved to it), durably before it answers. Agents'
/// records are not papers and are refused.
#[utoipa::path(
    delete,
    path = "/papers/{id}",
    tag = "papers",
    params(("id" = String, Path, description = "The paper's key (16 hex digits) or IRI.")),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Deleted.", body = Deleted),
        (status = 400, description = "The id names an agent's record, not a paper.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, or the token's scope is too small.", body = ErrorBody),
        (status = 404, description = "No such paper.", body = ErrorBody),
    )
)]
async fn delete_paper_handler(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Write)?;
    let store = state.store.clone();
    let id = id.trim();
    let key = match crate::ids::RecordKind::of_key(id) {
        Some(_) => id.to_string(),
        None => crate::ids::paper_key_of(id),
    };
    let deleted = blocking(move || {
        let n = store.delete_papers(std::slice::from_ref(&key))?;
        if n == 0 {
            return Err(Error::not_found(format!("paper {key}")));
        }
        Ok(Deleted { key, deleted: n })
    })
    .await?;
    Ok(HttpResponse::Ok().json(deleted))
}

/// Where a backup went.
#[derive(Debug, Serialize, ToSchema)]
struct Backup {
    /// The backup's folder on the server.
    path: String,
    /// What it holds.
    stats: Stats,
}

/// Snapshots the store into a new folder under the server's `--backup-dir` (writers wait,
/// readers do not).
#[utoipa::path(
    post,
    path = "/admin/backup",
    tag = "admin",
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "The backup is written.", body = Backup),
        (status = 401, description = "A token with admin scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "The token's scope is too small.", body = ErrorBody),
        (status = 404, description = "Backups are off: the server runs without --backup-dir.", body = ErrorBody),
    )
)]
async fn backup_handler(state: web::Data<AppState>, req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Admin)?;
    let Some(dir) = state.backup_dir.clone() else {
        return Err(Error::not_found("backups are off: start the server with --backup-dir").into());
    };
    let store = state.store.clone();
    let (target, stats) = blocking(move || {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let target = dir.join(format!("hypatia-backup-{stamp}"));
        let stats = store.backup(&target)?;
        Ok((target, stats))
    })
    .await?;
    Ok(HttpResponse::Created().json(Backup {
        path: target.display().to_string(),
        stats,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One upload is ingested at a time; the next waits its turn, then is refused with a 503
    /// `busy` that says why and when to retry, rather than queueing without bound.
    #[test]
    fn a_second_upload_waits_for_its_turn_then_is_told_to_retry() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let turns = IngestTurns::new();
            let first = turns.take(std::time::Duration::from_secs(1)).await.unwrap();
            let refused = turns
                .take(std::time::Duration::from_millis(50))
                .await
                .expect_err("the only turn is taken");
            let res = refused.error_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(res.headers().get(actix_web::http::header::RETRY_AFTER).unwrap(), "10");
            let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["code"], "busy");
            assert!(body["message"].as_str().unwrap().contains("retry later"), "{body}");
            drop(first);
            let _next = turns.take(std::time::Duration::from_millis(50)).await.unwrap();
        });
    }
}
