//! The web UI: `web/`'s page, script and style sheet, embedded in the binary at build time so
//! that `hypatia serve` works offline with nothing fetched from elsewhere. `/` is the page,
//! `/ui/{file}` its assets; the page calls the same API as any client, with the token the user
//! saves in the page (the assets themselves are public, like `/healthz`: they hold no data).
//! Not in `/openapi.json`, which describes the API, not the pages.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::common::error::Error;

use super::error::ApiError;

/// An embedded file: its name under `/ui/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static str,
}

const PAGE: Asset = Asset {
    name: "index.html",
    media_type: "text/html; charset=utf-8",
    body: include_str!("../../../web/index.html"),
};

const ASSETS: [Asset; 2] = [
    Asset {
        name: "app.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_str!("../../../web/app.js"),
    },
    Asset {
        name: "style.css",
        media_type: "text/css; charset=utf-8",
        body: include_str!("../../../web/style.css"),
    },
];

/// What the page may load and call: only this server (no inline script, no other origin), and
/// it may not be framed by another site.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn serve(a: &Asset) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(a.media_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        // The assets change with the binary: revalidate rather than keep an old script.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(a.body)
}

async fn page() -> HttpResponse {
    serve(&PAGE)
}

async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    ASSETS
        .iter()
        .find(|a| a.name == name.as_str())
        .map(serve)
        .ok_or_else(|| Error::not_found(format!("no UI file `{name}`")).into())
}

/// `/` and `/ui/{file}`, GET and HEAD.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .route(web::get().to(page))
            .route(web::head().to(page)),
    )
    .service(
        web::resource("/ui/{file}")
            .route(web::get().to(asset))
            .route(web::head().to(asset)),
    );
}
