//! The OpenAPI 3.1 description of the API, generated from the handlers: each handler's
//! `#[utoipa::path]` gives its method, path, parameters, bodies and statuses, and the routes are
//! registered from those same annotations ([`Documented`]), so what is served and what
//! `/openapi.json` says cannot drift apart. SPARQL (`/sparql`) and the Graph Store Protocol
//! (`/store`) are left out, as their W3C specifications describe them, and so is MCP (`/mcp`),
//! whose `tools/list` describes its tools.

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::{web, FromRequest, Handler, HttpResponse, Responder};
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Spec, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::OpenApiFactory;

/// The parts of the description that no handler carries: the API's info (title, version and
/// licence from Cargo.toml), the token scheme, the tags and the shared error body.
#[derive(OpenApi)]
#[openapi(
    info(description = "A knowledge-graph research database for AI research agents: search with \
        verifiable citations, evidence packs, papers, research gaps, hypotheses, experiment runs \
        and novelty checks. SPARQL 1.1 (`/sparql`) and the Graph Store Protocol (`/store`) are \
        served too and follow their W3C specifications; MCP tools for agents are at `/mcp` \
        (streamable HTTP)."),
    modifiers(&BearerTokens),
    components(schemas(super::ErrorBody, super::papers::IngestProgress)),
    tags(
        (name = "meta", description = "Health, metrics and this description."),
        (name = "search", description = "Passages, evidence packs and papers."),
        (name = "papers", description = "Ingest and paper records."),
        (name = "research", description = "Concepts, gaps, hypotheses, experiment runs and novelty."),
        (name = "admin", description = "Backups."),
    )
)]
struct ApiDoc;

/// `Authorization: Bearer TOKEN` with the tokens of `hypatia serve --tokens`.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, spec: &mut Spec) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A token of `hypatia serve --tokens`, with scope read, write or admin (each \
                 includes the ones before it). Reads need no token unless the server refuses \
                 anonymous reads; writes need write scope, backups admin scope. A server started \
                 without tokens takes none: anyone reads, and anyone writes with `--writes`.",
            ))
            .build();
        spec.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The name of the token scheme in the description (`#[utoipa::path]` security lists can only
/// spell it as a literal; `tests/it/openapi.rs` checks that they agree).
pub const BEARER: &str = "bearer";

/// The description of everything [`Documented`] registered, on top of [`ApiDoc`], as JSON:
/// `public` routes, and `gated` ones behind the access gate, which may refuse any of them (403).
pub fn describe(public: &[&dyn OpenApiFactory], gated: &[&dyn OpenApiFactory]) -> serde_json::Value {
    let mut spec = ApiDoc::openapi();
    let mut gated_paths = Vec::new();
    for (f, is_gated) in public.iter().map(|f| (f, false)).chain(gated.iter().map(|f| (f, true))) {
        // `paths()` hands the paths over: a utoipa-actix-web scope gives them only once.
        let paths = f.paths();
        if is_gated {
            gated_paths.extend(paths.paths.keys().cloned());
        }
        spec.paths.merge(paths);
        let mut schemas = Vec::new();
        f.schemas(&mut schemas);
        spec.components
            .get_or_insert_with(Default::default)
            .schemas
            .extend(schemas);
    }
    let mut json = serde_json::to_value(&spec).unwrap_or_default();
    camel_case_links(&mut json);
    for path in gated_paths {
        if let Some(item) = json.pointer_mut(&format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"))) {
            refused_by_the_gate(item);
        }
    }
    json
}

/// Adds to each operation of a path item what `access::gate` may answer before its handler
/// runs: 401 (no token where reads need one, or an unknown one; an operation that needs more
/// than read scope says so itself) and 403 (a `Host` or `Origin` the server does not answer to;
/// added to an operation's own 403 as another reason).
fn refused_by_the_gate(item: &mut serde_json::Value) {
    const UNAUTHORIZED: &str = "A token is needed, or the one given is unknown.";
    const FOREIGN: &str = "The request's Host or Origin is not one this server answers to (see --allowed-host and \
                           --cors-origin).";
    let error = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        })
    };
    let Some(ops) = item.as_object_mut() else {
        return;
    };
    for op in ops.values_mut() {
        let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
            continue;
        };
        responses.entry("401").or_insert_with(|| error(UNAUTHORIZED));
        match responses.get_mut("403").and_then(|r| r.get_mut("description")) {
            Some(serde_json::Value::String(d)) => {
                d.push(' ');
                d.push_str(FOREIGN);
            }
            _ => {
                responses.insert("403".into(), error(FOREIGN));
            }
        }
    }
}

/// utoipa 5 writes the fields of a Link Object in snake case (`operation_id`); OpenAPI spells
/// them in camel case (`operationId`), which utoipa 6 does too.
fn camel_case_links(spec: &mut serde_json::Value) {
    let Some(paths) = spec.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|r| r.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut()) else {
            continue;
        };
        for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
            for (snake, camel) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(v) = link.remove(snake) {
                    link.insert(camel.to_string(), v);
                }
            }
        }
    }
}

/// A resource whose routes come from its handlers' `#[utoipa::path]` annotations: each handler
/// is served at the methods its annotation names, and the annotation's path must be the
/// resource's pattern (checked when the routes are built), so the served API and its
/// description are one.
pub struct Documented {
    pattern: String,
    resource: actix_web::Resource,
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Documented {
    /// A resource at `pattern`, in actix syntax (`{id:.*}` is documented as `{id}`).
    pub fn at(pattern: &str) -> Self {
        Documented {
            pattern: pattern.to_string(),
            resource: web::resource(pattern),
            paths: Paths::new(),
            schemas: Vec::new(),
        }
    }

    /// Serves `handler` as the operation `op` (the `__path_…` type `#[utoipa::path]` made for it).
    pub fn to<P, F, Args>(mut self, op: P, handler: F) -> Self
    where
        P: utoipa::Path + OpenApiFactory,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        assert_eq!(
            P::path(),
            documented_path(&self.pattern),
            "a handler's #[utoipa::path] names another path than its resource"
        );
        for m in P::methods() {
            self.resource = self.resource.route(web::method(method(&m)).to(handler.clone()));
        }
        self.paths.merge(op.paths());
        op.schemas(&mut self.schemas);
        self
    }
}

impl HttpServiceFactory for Documented {
    fn register(self, config: &mut AppService) {
        self.resource.register(config)
    }
}

impl OpenApiFactory for Documented {
    fn paths(&self) -> Paths {
        self.paths.clone()
    }

    fn schemas(&self, schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend(self.schemas.iter().cloned());
    }
}

fn method(m: &HttpMethod) -> actix_web::http::Method {
    use actix_web::http::Method;
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

/// An actix pattern as OpenAPI writes it: `{name:regex}` becomes `{name}`.
fn documented_path(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut in_name = false;
    let mut skipping = false;
    for c in pattern.chars() {
        match c {
            '{' => {
                in_name = true;
                out.push(c);
            }
            ':' if in_name => skipping = true,
            '}' if in_name => {
                in_name = false;
                skipping = false;
                out.push(c);
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

/// This description of the API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 description of this API.", body = Object))
)]
pub async fn handler(spec: web::Data<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(spec.get_ref())
}

#[cfg(test)]
mod tests {
    use super::documented_path;

    #[test]
    fn actix_patterns_document_without_their_regexes() {
        for (pattern, documented) in [
            ("/papers/{id:.*}", "/papers/{id}"),
            ("/hypotheses/{id}/status", "/hypotheses/{id}/status"),
            ("/healthz", "/healthz"),
            ("/a/{x:[0-9]+}/{y}", "/a/{x}/{y}"),
        ] {
            assert_eq!(documented_path(pattern), documented);
        }
    }
}
