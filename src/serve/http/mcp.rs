//! `/mcp`: MCP's streamable HTTP transport. rmcp's service (sessions, SSE streams, `Host` and
//! `Origin` checks against DNS rebinding) runs behind actix: the request is handed over with the
//! scope the caller's token grants, and the response (JSON or an event stream) is streamed back.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use http_body_util::BodyExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use super::AppState;
use crate::serve::mcp::{Context, Grant, HypatiaMcp};
use crate::service::{Caller, Scope};

/// Largest JSON-RPC message `/mcp` accepts.
pub const MAX_MESSAGE: usize = 4 << 20;

/// The MCP service every worker shares (one session table for the server).
#[derive(Clone)]
pub struct Endpoint(StreamableHttpService<HypatiaMcp, LocalSessionManager>);

impl Endpoint {
    /// The service over the state's store, with the state's allowed hosts and origins.
    pub fn new(state: &AppState) -> Self {
        let ctx = Arc::new(Context {
            service: state.service(),
            scope: Scope::Read,
        });
        let config = StreamableHttpServerConfig::default()
            .with_allowed_hosts(state.access.allowed_hosts().to_vec())
            .with_allowed_origins(state.access.allowed_origins())
            .with_max_request_body_bytes(MAX_MESSAGE);
        Endpoint(StreamableHttpService::new(
            move || Ok(HypatiaMcp::new(ctx.clone())),
            Arc::new(LocalSessionManager::default()),
            config,
        ))
    }
}

/// Registers `/mcp` (POST messages, GET the server's event stream, DELETE a session).
pub fn routes(endpoint: Endpoint) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.service(
            web::resource("/mcp")
                .app_data(web::Data::new(endpoint))
                .app_data(web::PayloadConfig::new(MAX_MESSAGE))
                .route(web::post().to(handle))
                .route(web::get().to(handle))
                .route(web::delete().to(handle)),
        );
    }
}

/// What the request's credentials grant as far as MCP tools care: write (with the token's
/// identity) or read (the gate already checked read).
fn granted(state: &AppState, req: &HttpRequest) -> Caller {
    super::access::require(state, req, Scope::Write).unwrap_or(Caller {
        scope: Scope::Read,
        actor: crate::research::Actor::anonymous(),
    })
}

async fn handle(
    state: web::Data<AppState>,
    endpoint: web::Data<Endpoint>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let mut forwarded = http::Request::builder()
        .method(req.method().as_str())
        .uri(req.uri().to_string());
    for (name, value) in req.headers() {
        forwarded = forwarded.header(name.as_str(), value.as_bytes());
    }
    let mut forwarded = match forwarded.body(http_body_util::Full::new(body)) {
        Ok(r) => r,
        Err(e) => return HttpResponse::BadRequest().body(format!("unreadable request: {e}")),
    };
    forwarded.extensions_mut().insert(Grant(granted(&state, &req)));
    let (parts, body) = endpoint.0.handle(forwarded).await.into_parts();
    let mut res = HttpResponse::build(StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::OK));
    for (name, value) in &parts.headers {
        res.append_header((name.as_str(), value.as_bytes()));
    }
    res.streaming(body.into_data_stream())
}
