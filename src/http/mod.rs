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
mod research;
mod sparql;
mod update;

pub use access::{Access, Scope};
pub use sparql::{serialize_results, serialize_results_capped};

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer, ResponseError};
use serde::{Deserialize, Serialize};

use crate::embed::Embedder;
use crate::error::{Error, InternalError, UserError};
use crate::search::{self, Mode, SearchRequest};
use crate::store::{SearchFilter, Store};

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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            query_timeout: std::time::Duration::from_secs(30),
            max_rows: 1_000_000,
        }
    }
}

/// Registers every route on an actix `App`; `mcp` is the MCP endpoint all workers share.
fn configure(state: AppState, mcp: mcp::Endpoint) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let cors = state.access.cors();
        cfg.app_data(web::Data::new(state))
            .app_data(web::PayloadConfig::new(1 << 20))
            .app_data(web::FormConfig::default().limit(1 << 20))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| ApiError(Error::invalid("query string", e.to_string())).into()),
            )
            .app_data(
                web::JsonConfig::default()
                    .limit(1 << 20)
                    .error_handler(|e, _| ApiError(Error::invalid("body", e.to_string())).into()),
            )
            .route("/healthz", web::get().to(healthz))
            .service(routes(cors, mcp));
    }
}

/// Every route but `/healthz`, behind the access gate (read scope, request ids, request log)
/// and, outside it so that preflights need no token, CORS for the allowed origins.
fn routes(
    cors: actix_web::middleware::Condition<actix_cors::Cors>,
    mcp: mcp::Endpoint,
) -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::scope("")
        .wrap(actix_web::middleware::from_fn(access::gate))
        .wrap(cors)
        .configure(research::routes)
        .configure(mcp::routes(mcp))
        .route("/metrics", web::get().to(metrics::handler))
        .route("/search", web::get().to(search_handler))
        .route("/findings", web::get().to(findings_handler))
        .service(
            web::resource("/papers")
                .app_data(web::PayloadConfig::new(MAX_UPLOAD))
                .route(web::post().to(ingest_handler)),
        )
        .route("/papers/{id:.*}", web::get().to(paper_handler))
        .route("/admin/backup", web::post().to(backup_handler))
        .service(
            web::resource("/sparql")
                .route(web::get().to(sparql::get))
                .route(web::post().to(sparql::post)),
        )
        .service(graph_store::resource())
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
            let mcp = mcp::Endpoint::new(&state);
            let server = HttpServer::new(move || App::new().configure(configure(state.clone(), mcp.clone())))
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
    let mcp = mcp::Endpoint::new(&state);
    HttpServer::new(move || App::new().configure(configure(state.clone(), mcp.clone())))
        .bind(bind)?
        .run()
        .await
}

/// The JSON error body: a stable machine code and a human message.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// Stable machine-readable code.
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
                    UserError::Setup(_) | UserError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
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
        let message = if status.is_server_error() {
            // Internal details go to the log, not to clients.
            tracing::error!(error = %self.0, "request failed");
            "internal error; see the server log".to_string()
        } else {
            self.0.to_string()
        };
        let mut res = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer realm=\"hypatia\""));
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

async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let stats = blocking(move || store.stats()).await?;
    Ok(HttpResponse::Ok().json(
        serde_json::json!({ "status": "ok", "stats": stats, "embedder": state.embedder.as_ref().map(|e| e.name()) }),
    ))
}

/// Query parameters of `/search`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: String,
    mode: Option<String>,
    k: Option<usize>,
    year_from: Option<i32>,
    year_to: Option<i32>,
    section: Option<String>,
    venue: Option<String>,
}

async fn search_handler(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let req = SearchRequest {
        query: p.q,
        mode: p.mode.as_deref().map(str::parse).transpose()?.unwrap_or(Mode::Hybrid),
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
    Ok(HttpResponse::Ok().json(serde_json::json!({ "mode": mode, "hits": hits })))
}

/// Query parameters of `/findings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingsParams {
    q: String,
    mode: Option<String>,
    papers: Option<usize>,
    per_paper: Option<usize>,
    year_from: Option<i32>,
    year_to: Option<i32>,
    section: Option<String>,
    venue: Option<String>,
}

/// The formats of an evidence pack.
#[derive(Debug, Clone, Copy)]
enum PackFormat {
    Json,
    JsonLd,
    Markdown,
}

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
        mode: p.mode.as_deref().map(str::parse).transpose()?.unwrap_or(Mode::Hybrid),
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

/// Largest body `POST /papers` accepts (a file or archive of papers).
pub const MAX_UPLOAD: usize = 256 << 20;

/// Query parameters of `POST /papers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IngestParams {
    /// The file name the body goes by (its extension helps format detection).
    name: Option<String>,
    /// Force a format.
    format: Option<String>,
}

/// `POST /papers?name=FILE[&format=NAME]`: ingests the body (a file of any supported format, or
/// an archive of them) like `hypatia ingest`, and answers with the report once every paper in it
/// is durable.
async fn ingest_handler(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    params: web::Query<IngestParams>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Write)?;
    let p = params.into_inner();
    let format = p
        .format
        .as_deref()
        .map(|f| {
            f.parse::<hypatia_ingest::Format>()
                .map_err(|e| Error::invalid("format", e.to_string()))
        })
        .transpose()?;
    let (store, embedder) = (state.store.clone(), state.embedder.clone());
    let report = blocking(move || {
        let embedder = embedder.ok_or_else(|| {
            Error::from(UserError::Setup(
                "ingest needs the embedding model; it is not loaded".into(),
            ))
        })?;
        crate::pipeline::ingest_bytes(
            &store,
            embedder.as_ref(),
            p.name.as_deref().unwrap_or("upload"),
            &body,
            format,
        )
    })
    .await?;
    metrics::ingested(report.papers);
    Ok(HttpResponse::Ok().json(report))
}

async fn paper_handler(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let id = id.into_inner();
    let record = blocking(move || crate::papers::paper_record(&store, &id)).await?;
    Ok(HttpResponse::Ok().json(record))
}

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
    Ok(HttpResponse::Created().json(serde_json::json!({ "path": target, "stats": stats })))
}
