//! The web UI: `web/`'s page and the bundle build.rs makes of its scripts and styles, embedded in
//! the binary at build time so that `hypatia serve` works offline with nothing fetched from
//! elsewhere. `/` is the page, `/ui/{file}` its assets; the page calls the same API as any client, with the token the user
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
    body: &'static [u8],
}

/// The bundle build.rs made of `web/`: `index.html`, `app.js`, `app.css`, and the chunks pages
/// load on demand.
const ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// For work on the UI: `HYPATIA_UI_DIR=web/dist` (after `npm run build` in `web/`) serves the
/// bundle in that folder instead of the embedded one, read at each request, so that a change
/// needs no new binary. Only plain file names in that folder are served.
fn ui_dir() -> Option<&'static std::path::Path> {
    static DIR: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("HYPATIA_UI_DIR").map(Into::into))
        .as_deref()
}

/// What the page may load and call: only this server (no inline script, no other origin), and
/// it may not be framed by another site. Styles may be inline because the SPARQL console's
/// results table (YASR's, from @zazuko/yasgui) sizes its columns with column-resizer, which adds
/// a `<style>` element of its own; scripts never may.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn serve(media_type: &str, body: impl actix_web::body::MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        // The assets change with the binary: revalidate rather than keep an old script.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

async fn page() -> Result<HttpResponse, ApiError> {
    file("index.html")
}

fn file(name: &str) -> Result<HttpResponse, ApiError> {
    let missing = || Error::not_found(format!("no UI file `{name}`"));
    // A plain file name: no separators, no leading dot.
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
        return Err(missing().into());
    }
    if let Some(dir) = ui_dir() {
        let body = std::fs::read(dir.join(name)).map_err(|_| missing())?;
        return Ok(serve(media_type(name), body));
    }
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| serve(a.media_type, a.body))
        .ok_or_else(|| missing().into())
}

/// The media type of a bundle file, by its extension (as build.rs gives the embedded ones).
fn media_type(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|a| a.name.rsplit_once('.').map(|x| x.1) == name.rsplit_once('.').map(|x| x.1))
        .map_or("application/octet-stream", |a| a.media_type)
}

async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    file(&name)
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
