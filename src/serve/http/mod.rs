//! The HTTP interface (actix-web): thin handlers that parse, call one core function on a
//! blocking thread, map the error and serialise.
//!
//! **Invariant:** this is the only module that names `actix_web`.

mod access;
mod body;
mod concepts;
mod error;
mod graph_store;
mod mcp;
mod metrics;
mod negotiate;
mod openapi;
mod papers;
mod protocol;
mod queries;
mod research;
mod search;
mod sparql;
mod ui;
mod update;

pub use crate::service::{Caller, Limits, Scope, UPLOAD_LIMITS};
pub use access::Access;
pub use error::{ApiError, ErrorBody};
pub use papers::{CONCURRENT_INGESTS, MAX_UPLOAD};
pub use sparql::{serialize_results, serialize_results_capped};

use std::sync::Arc;

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::Serialize;
use utoipa::ToSchema;

use self::openapi::Documented;

use crate::common::error::{Error, UserError};
use crate::embed::Embedder;
use crate::service::blocking;
use crate::store::{Stats, Store};

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

impl AppState {
    /// The service layer over this state's store, model and limits.
    pub fn service(&self) -> crate::service::Service {
        crate::service::Service {
            store: self.store.clone(),
            embedder: self.embedder.clone(),
            limits: self.limits,
        }
    }
}

/// Registers every route on an actix `App`, and `/openapi.json` describing them; `mcp` is the
/// MCP endpoint all workers share.
fn configure(state: AppState, mcp: mcp::Endpoint, turns: papers::IngestTurns) -> impl FnOnce(&mut web::ServiceConfig) {
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
            // Before the gated scope, which matches every path.
            .configure(ui::routes)
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
        .configure(concepts::routes)
        .service(Documented::at("/metrics").to(metrics::__path_handler, metrics::handler))
        .service(Documented::at("/access").to(access::__path_grant, access::grant))
        .service(Documented::at("/queries").to(queries::__path_list, queries::list))
        .service(Documented::at("/search").to(search::__path_search_handler, search::search_handler))
        .service(Documented::at("/findings").to(search::__path_findings_handler, search::findings_handler))
        .service(Documented::at("/papers").to(papers::__path_ingest_handler, papers::ingest_handler))
        .service(
            Documented::at("/papers/{id:.*}")
                .to(papers::__path_paper_handler, papers::paper_handler)
                .to(papers::__path_delete_paper_handler, papers::delete_paper_handler),
        )
        .service(Documented::at("/admin/backup").to(papers::__path_backup_handler, papers::backup_handler))
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
            let (mcp, turns) = (mcp::Endpoint::new(&state), papers::IngestTurns::new());
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
    let (mcp, turns) = (mcp::Endpoint::new(&state), papers::IngestTurns::new());
    HttpServer::new(move || App::new().configure(configure(state.clone(), mcp.clone(), turns.clone())))
        .bind(bind)?
        .run()
        .await
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
