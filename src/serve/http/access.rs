//! Who may do what: scoped API tokens (read < write < admin), anonymous access, and the
//! per-request gate that also gives every request an id.
//!
//! Without tokens the server trusts its network: anyone reads, writes need `--writes`, backups
//! need `--backup-dir`. With tokens, a write needs a write (or admin) token and an admin endpoint
//! an admin token; anonymous requests may read unless anonymous reads are switched off. No token
//! where one is needed is 401 (with `WWW-Authenticate: Bearer`); a valid token with too small a
//! scope is 403; an unknown token is 401 whatever it asked for.
//!
//! Before any of that, the gate checks where a request comes from, because a browser lets any
//! page send simple requests to a server on the user's machine: a `Host` other than loopback and
//! the allowed hosts (a page reaching the server through DNS rebinding) and an `Origin` other than
//! loopback pages and the CORS origins (a cross-site form posting an update to a `--writes`
//! server) are refused with 403. Requests without those headers are not a browser's and pass.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest};
use sha2::{Digest, Sha256};

use super::error::ErrorBody;
use super::{ApiError, AppState};
use crate::common::error::{Error, Result, UserError};
use crate::service::{Caller, Scope};

/// Shortest token secret accepted.
pub const MIN_SECRET: usize = 16;

/// One API token as the tokens file gives it (the secret is kept only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    name: String,
    scope: Scope,
    /// The agent ids it may act as in research writes; `None`: any (`*`).
    agents: Option<Vec<String>>,
}

/// The server's access rules.
#[derive(Debug, Clone)]
pub struct Access {
    /// SHA-256 of each secret → the token. Secrets themselves are not kept.
    tokens: HashMap<[u8; 32], Token>,
    /// What a request without a token may do.
    anonymous: Option<Scope>,
    /// Browser origins allowed to call the API (CORS); none by default.
    cors_origins: Vec<String>,
    /// Host names (or `host:port`) the server answers to besides loopback, against DNS rebinding:
    /// as given, and parsed (see [`authority`]).
    hosts: Vec<(String, Authority)>,
}

/// A host name, lower-case and without IPv6 brackets, and its port when one is named.
type Authority = (String, Option<u16>);

/// The host names the server always answers to.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl Access {
    /// No tokens: anonymous reads, and anonymous writes when `writes` is on.
    pub fn open(writes: bool) -> Self {
        Access {
            tokens: HashMap::new(),
            anonymous: Some(if writes { Scope::Write } else { Scope::Read }),
            cors_origins: Vec::new(),
            hosts: Vec::new(),
        }
    }

    /// Lets pages from these origins (`https://app.example.org`) call the API from a browser.
    pub fn allow_origins(mut self, origins: Vec<String>) -> Result<Self> {
        for o in &origins {
            let host = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
            let ok = host.is_some_and(|h| !h.is_empty() && !h.contains('/') && !h.contains(char::is_whitespace));
            if !ok {
                return Err(Error::invalid(
                    "cors-origin",
                    format!("`{o}`: expected an origin such as https://app.example.org (scheme, host, port; no path)"),
                ));
            }
        }
        self.cors_origins = origins;
        Ok(self)
    }

    /// Lets the server answer requests whose `Host` is one of these names (or `name:port`),
    /// besides loopback: the names a server bound to a public address is reached by.
    pub fn allow_hosts(mut self, hosts: Vec<String>) -> Result<Self> {
        self.hosts = hosts
            .into_iter()
            .map(|h| match authority(&h) {
                Some(a) => Ok((h, a)),
                None => Err(Error::invalid(
                    "allowed-host",
                    format!("`{h}`: expected a host name such as hypatia.example.org, optionally with :PORT"),
                )),
            })
            .collect::<Result<_>>()?;
        Ok(self)
    }

    /// The `Host` values the server accepts: loopback and the allowed hosts (for rmcp's own check
    /// on `/mcp`; [`Access::check_site`] is the gate's).
    pub(crate) fn allowed_hosts(&self) -> Vec<String> {
        LOOPBACK_HOSTS
            .iter()
            .map(|h| h.to_string())
            .chain(self.hosts.iter().map(|(given, _)| given.clone()))
            .collect()
    }

    /// The browser origins `/mcp` accepts, in rmcp's syntax (a request without `Origin` is not a
    /// browser's): pages served from loopback, and the CORS origins.
    pub(crate) fn allowed_origins(&self) -> Vec<String> {
        ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]
            .iter()
            .map(|o| o.to_string())
            .chain(self.cors_origins.iter().cloned())
            .collect()
    }

    /// Refuses (403) a request whose `Host` is not loopback or an allowed host, or whose `Origin`
    /// is not a loopback page or a CORS origin. Missing headers pass: such a request is not a
    /// browser's, and only a browser can be made to send one on the user's behalf.
    pub fn check_site(&self, host: Option<&str>, origin: Option<&str>) -> Result<()> {
        if let Some(h) = host {
            let allowed = authority(h).is_some_and(|(name, port)| {
                is_loopback(&name)
                    || self
                        .hosts
                        .iter()
                        .any(|(_, (a, p))| *a == name && (p.is_none() || *p == port))
            });
            if !allowed {
                return Err(UserError::Forbidden(format!(
                    "Host `{h}` is not a name this server answers to (loopback, and the names given \
                     with --allowed-host or allowed_hosts)"
                ))
                .into());
            }
        }
        if let Some(o) = origin {
            let loopback = o
                .strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                .and_then(authority)
                .is_some_and(|(name, _)| is_loopback(&name));
            let listed = self.cors_origins.iter().any(|c| c.eq_ignore_ascii_case(o));
            if !loopback && !listed {
                return Err(UserError::Forbidden(format!(
                    "pages from Origin `{o}` may not call this server (loopback pages, and the \
                     origins given with --cors-origin or cors_origins)"
                ))
                .into());
            }
        }
        Ok(())
    }

    /// The CORS middleware for the allowed origins (inactive without any).
    pub(crate) fn cors(&self) -> actix_web::middleware::Condition<actix_cors::Cors> {
        let mut cors = actix_cors::Cors::default()
            .allowed_methods(["GET", "HEAD", "POST", "PUT", "DELETE"])
            .allowed_headers([
                actix_web::http::header::AUTHORIZATION,
                actix_web::http::header::CONTENT_TYPE,
                actix_web::http::header::ACCEPT,
                HeaderName::from_static(REQUEST_ID),
            ])
            .expose_headers([HeaderName::from_static(REQUEST_ID)])
            .max_age(3600);
        for o in &self.cors_origins {
            cors = cors.allowed_origin(o);
        }
        actix_web::middleware::Condition::new(!self.cors_origins.is_empty(), cors)
    }

    /// Tokens as lines `SCOPE NAME SECRET [AGENTS]` (blank lines and `#` comments skipped).
    /// AGENTS, for research writes, is a comma-separated list of the agent ids the token may
    /// act as, or `*` for any; without it a token acts as the agent named like the token.
    /// Admin tokens may act as any agent. Anonymous requests may read when `anonymous_read`,
    /// else nothing. `source` names the text in errors.
    pub fn from_tokens(text: &str, source: &str, anonymous_read: bool) -> Result<Self> {
        let mut tokens = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |m: String| Error::invalid("tokens", format!("{source}:{}: {m}", i + 1));
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (scope, name, secret, agents) = match parts[..] {
                [scope, name, secret] => (scope, name, secret, None),
                [scope, name, secret, agents] => (scope, name, secret, Some(agents)),
                _ => return Err(at("expected `SCOPE NAME SECRET [AGENTS]`".into())),
            };
            let scope: Scope = scope.parse().map_err(|e: Error| at(e.to_string()))?;
            if secret.len() < MIN_SECRET {
                return Err(at(format!(
                    "the secret of `{name}` is shorter than {MIN_SECRET} characters"
                )));
            }
            if names.iter().any(|n| n == name) {
                return Err(at(format!("token name `{name}` appears twice")));
            }
            let agents = match (scope, agents) {
                (Scope::Admin, _) | (_, Some("*")) => None,
                (_, None) => Some(vec![name.to_string()]),
                (_, Some(list)) => Some(
                    list.split(',')
                        .map(|a| {
                            crate::common::fields::agent(a)
                                .map(str::to_string)
                                .map_err(|e| at(format!("agents of `{name}`: {e}")))
                        })
                        .collect::<Result<Vec<_>>>()?,
                ),
            };
            let token = Token {
                name: name.to_string(),
                scope,
                agents,
            };
            if tokens.insert(hash(secret), token).is_some() {
                return Err(at(format!("the secret of `{name}` is used by another token")));
            }
            names.push(name.to_string());
        }
        if tokens.is_empty() {
            return Err(Error::invalid("tokens", format!("{source}: no tokens")));
        }
        Ok(Access {
            tokens,
            anonymous: anonymous_read.then_some(Scope::Read),
            cors_origins: Vec::new(),
            hosts: Vec::new(),
        })
    }

    /// How many tokens there are, by scope, for the start-up line (secrets never printed).
    pub fn describe(&self) -> String {
        let anonymous = self.anonymous.map_or("nothing", Scope::as_str);
        let tokens = if self.tokens.is_empty() {
            format!("no tokens; anonymous {anonymous}")
        } else {
            let count = |s: Scope| self.tokens.values().filter(|t| t.scope == s).count();
            format!(
                "{} tokens (read {}, write {}, admin {}); anonymous {anonymous}",
                self.tokens.len(),
                count(Scope::Read),
                count(Scope::Write),
                count(Scope::Admin),
            )
        };
        let list = |extra: &[String]| {
            std::iter::once("loopback")
                .chain(extra.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let hosts: Vec<String> = self.hosts.iter().map(|(given, _)| given.clone()).collect();
        format!("{tokens}; hosts {}; origins {}", list(&hosts), list(&self.cors_origins))
    }

    /// Whether requests naming this host (the address a server is bound to) are answered.
    pub fn answers_to(&self, host: &str) -> bool {
        self.check_site(Some(host), None).is_ok()
    }

    /// Checks that a request with this `Authorization` header may act with scope `need`, and
    /// says who it is.
    pub fn authorize(&self, authorization: Option<&str>, need: Scope) -> Result<Caller> {
        match authorization {
            Some(h) => {
                // RFC 7235: the scheme is case-insensitive.
                let secret = h
                    .split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, s)| s.trim())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| UserError::Unauthorized("expected `Authorization: Bearer TOKEN`".into()))?;
                match self.tokens.get(&hash(secret)) {
                    Some(t) if t.scope >= need => Ok(Caller {
                        scope: t.scope,
                        actor: crate::research::Actor {
                            credential: t.name.clone(),
                            agents: t.agents.clone(),
                            admin: t.scope == Scope::Admin,
                        },
                    }),
                    Some(t) => Err(UserError::Forbidden(format!(
                        "token `{}` has {} scope; this needs {}",
                        t.name,
                        t.scope.as_str(),
                        need.as_str()
                    ))
                    .into()),
                    None => Err(UserError::Unauthorized("unknown token".into()).into()),
                }
            }
            None => match self.anonymous {
                Some(s) if s >= need => Ok(Caller {
                    scope: s,
                    actor: crate::research::Actor::anonymous(),
                }),
                _ if self.tokens.is_empty() => {
                    Err(UserError::Forbidden("writes are off on this server; start it with --writes".into()).into())
                }
                _ => Err(UserError::Unauthorized(format!(
                    "this needs a token with {} scope (Authorization: Bearer TOKEN)",
                    need.as_str()
                ))
                .into()),
            },
        }
    }

    /// Whether admin endpoints are governed by their own switches only (no tokens configured).
    pub fn trusts_network(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// A `Host` value or allowed host as (lower-case name without IPv6 brackets, port), or `None`
/// when it is not an authority.
fn authority(s: &str) -> Option<Authority> {
    let a = http::uri::Authority::try_from(s.trim()).ok()?;
    let name = a
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    (!a.as_str().contains('@')).then_some((name, a.port_u16()))
}

fn is_loopback(name: &str) -> bool {
    LOOPBACK_HOSTS.contains(&name)
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Checks the request against the server's rules for scope `need`, and says who it is.
pub(crate) fn require(state: &AppState, req: &HttpRequest, need: Scope) -> std::result::Result<Caller, ApiError> {
    if need == Scope::Admin && state.access.trusts_network() {
        return Ok(Caller {
            scope: Scope::Admin,
            actor: crate::research::Actor::anonymous(),
        });
    }
    let h = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.access.authorize(h, need).map_err(ApiError)
}

/// `GET /access`: what the caller may do, so that a client (the web UI) offers only what will
/// be allowed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Grant {
    /// The widest scope the request's token (or its absence) has: `read`, `write` or `admin`.
    scope: &'static str,
    /// The token's name; `anonymous` without a token.
    credential: String,
    /// The agent ids its research writes may name; absent: any.
    #[serde(skip_serializing_if = "Option::is_none")]
    agents: Option<Vec<String>>,
}

/// What the request's bearer token (or, without one, an anonymous caller) may do. Reading it
/// needs read scope like any other route; an unknown token is 401.
#[utoipa::path(
    get,
    path = "/access",
    operation_id = "access",
    tag = "meta",
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The caller's widest scope.", body = Grant),
        (status = 401, description = "No token where one is needed, or an unknown token.", body = ErrorBody),
    )
)]
pub(crate) async fn grant(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> std::result::Result<web::Json<Grant>, ApiError> {
    // The gate let the request through with read scope; the widest scope it also has wins.
    // Admin is asked of the token itself: a server that trusts its network lets anyone reach
    // its admin routes, but that does not make an anonymous caller a writer.
    let h = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = state
        .access
        .authorize(h, Scope::Admin)
        .map_err(ApiError)
        .or_else(|_| require(&state, &req, Scope::Write))
        .or_else(|_| require(&state, &req, Scope::Read))?;
    Ok(web::Json(Grant {
        scope: caller.scope.as_str(),
        credential: caller.actor.credential,
        agents: caller.actor.agents,
    }))
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The request id header, in requests (kept when well-formed) and in every response.
pub const REQUEST_ID: &str = "x-request-id";

/// Every request but `/healthz` and `/openapi.json` passes here: it gets an id (the caller's
/// `X-Request-Id` when it is short and plain, else a new one), must come from an allowed host
/// and origin ([`Access::check_site`]), needs read scope, and is logged with its id, status and
/// time.
pub(crate) async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> std::result::Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
            format!("{:x}-{n}", std::process::id())
        });
    let (method, path) = (req.method().to_string(), req.path().to_string());
    let allowed = match req.app_data::<web::Data<AppState>>() {
        Some(state) => {
            // A value that is not text is kept as one no rule allows.
            let header = |name| req.headers().get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
            let host = header(actix_web::http::header::HOST);
            let origin = header(actix_web::http::header::ORIGIN);
            state
                .access
                .check_site(host, origin)
                .map_err(ApiError)
                .and_then(|()| require(state, req.request(), Scope::Read).map(drop))
        }
        // Every app the server builds carries its state; without it nothing is known about the
        // caller, so nothing is let through.
        None => Err(ApiError(
            crate::common::error::InternalError::Integrity("the access gate has no server state".into()).into(),
        )),
    };
    let mut res = match allowed {
        Ok(()) => next.call(req).await?.map_into_left_body(),
        Err(e) => {
            let res = actix_web::ResponseError::error_response(&e);
            req.into_response(res).map_into_right_body()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static(REQUEST_ID), v);
    }
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_string());
    super::metrics::observe(&method, &route, res.status().as_u16(), started.elapsed());
    tracing::info!(
        request_id = %id,
        %method,
        %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKENS: &str = "# scope name secret\nread reader r-0123456789abcdef\nwrite agent w-0123456789abcdef\n\nadmin ops a-0123456789abcdef\n";

    fn status(r: Result<impl Sized>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(Error::User(UserError::Unauthorized(_))) => "401",
            Err(Error::User(UserError::Forbidden(_))) => "403",
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn scopes_grant_what_they_include() {
        let a = Access::from_tokens(TOKENS, "tokens.txt", true).unwrap();
        let bearer = |s: &str| format!("Bearer {s}");
        assert_eq!(status(a.authorize(None, Scope::Read)), "ok");
        assert_eq!(status(a.authorize(None, Scope::Write)), "401");
        assert_eq!(
            status(a.authorize(Some(&bearer("r-0123456789abcdef")), Scope::Write)),
            "403"
        );
        assert_eq!(
            status(a.authorize(Some(&bearer("w-0123456789abcdef")), Scope::Write)),
            "ok"
        );
        assert_eq!(
            status(a.authorize(Some(&bearer("w-0123456789abcdef")), Scope::Admin)),
            "403"
        );
        assert_eq!(
            status(a.authorize(Some(&bearer("a-0123456789abcdef")), Scope::Admin)),
            "ok"
        );
        assert_eq!(
            status(a.authorize(Some(&bearer("nope-0123456789abcdef")), Scope::Read)),
            "401"
        );
        assert_eq!(status(a.authorize(Some("Basic abc"), Scope::Read)), "401");
        for scheme in ["BEARER", "bearer", "Bearer", "bEaReR"] {
            assert_eq!(
                status(a.authorize(Some(&format!("{scheme} w-0123456789abcdef")), Scope::Write)),
                "ok",
                "{scheme}"
            );
        }
        let closed = Access::from_tokens(TOKENS, "tokens.txt", false).unwrap();
        assert_eq!(status(closed.authorize(None, Scope::Read)), "401");
        assert_eq!(status(Access::open(false).authorize(None, Scope::Write)), "403");
        assert_eq!(status(Access::open(true).authorize(None, Scope::Write)), "ok");
        assert!(a.describe().contains("3 tokens") && !a.describe().contains("0123456789"));
    }

    #[test]
    fn tokens_are_bound_to_the_agents_they_may_act_as() {
        let a = Access::from_tokens(
            "write loop-7 w-0123456789abcdef\nwrite orchestrator o-0123456789abcdef a1,a2\nwrite any y-0123456789abcdef *\nadmin ops a-0123456789abcdef\n",
            "t.txt",
            true,
        )
        .unwrap();
        let actor = |secret: &str| {
            a.authorize(Some(&format!("Bearer {secret}")), Scope::Write)
                .unwrap()
                .actor
        };
        let own = actor("w-0123456789abcdef");
        assert_eq!(own.credential, "loop-7");
        assert!(own.acts_as("loop-7") && !own.acts_as("a1") && !own.may_change("a1"));
        let listed = actor("o-0123456789abcdef");
        assert!(listed.acts_as("a1") && listed.acts_as("a2") && !listed.acts_as("loop-7"));
        assert!(actor("y-0123456789abcdef").acts_as("whoever"));
        let admin = actor("a-0123456789abcdef");
        assert!(admin.acts_as("whoever") && admin.may_change("a1"));
        let anonymous = a.authorize(None, Scope::Read).unwrap().actor;
        assert_eq!(anonymous.credential, "anonymous");
        let e = Access::from_tokens("write x 0123456789abcdefg a1,bad\u{7}agent\n", "t.txt", true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.txt:1") && e.contains("agents of `x`"), "{e}");
    }

    #[test]
    fn bad_token_files_say_where() {
        let e = Access::from_tokens("read r short\n", "t.txt", true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.txt:1") && e.contains("shorter"), "{e}");
        let e = Access::from_tokens("\nroot x 0123456789abcdefg\n", "t.txt", true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.txt:2") && e.contains("read, write or admin"), "{e}");
        let e = Access::from_tokens("read a 0123456789abcdefg\nwrite a 0123456789abcdefh\n", "t.txt", true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("twice"), "{e}");
        assert!(Access::from_tokens("# nothing\n", "t.txt", true).is_err());
    }

    #[test]
    fn only_loopback_allowed_hosts_and_allowed_pages_get_through() {
        let a = Access::open(true)
            .allow_hosts(vec!["Hypatia.Example.org".into(), "10.0.0.5:8080".into()])
            .unwrap()
            .allow_origins(vec!["https://app.example.org".into()])
            .unwrap();
        let site = |host: Option<&str>, origin: Option<&str>| status(a.check_site(host, origin));
        for ok in [
            "localhost",
            "localhost:7878",
            "127.0.0.1:7878",
            "[::1]:7878",
            "hypatia.example.org",
            "HYPATIA.example.org:443",
            "10.0.0.5:8080",
        ] {
            assert_eq!(site(Some(ok), None), "ok", "{ok}");
        }
        for refused in [
            "evil.example.com",
            "localhost.evil.example.com:7878",
            "10.0.0.5:8081",
            "10.0.0.5",
            "user@localhost",
            "",
            "\u{fffd}",
        ] {
            assert_eq!(site(Some(refused), None), "403", "{refused}");
        }
        assert_eq!(site(None, None), "ok");
        for ok in [
            "http://localhost:3000",
            "https://127.0.0.1",
            "http://[::1]:8080",
            "https://app.example.org",
        ] {
            assert_eq!(site(Some("localhost"), Some(ok)), "ok", "{ok}");
        }
        for refused in [
            "https://evil.example.com",
            "null",
            "http://localhost.evil.example.com",
            "https://app.example.org:8443",
        ] {
            assert_eq!(site(Some("localhost"), Some(refused)), "403", "{refused}");
        }
        assert!(a.answers_to("127.0.0.1:7878") && !a.answers_to("0.0.0.0:7878"));
        let d = a.describe();
        assert!(d.contains("hosts loopback, Hypatia.Example.org, 10.0.0.5:8080"), "{d}");
        assert!(d.contains("origins loopback, https://app.example.org"), "{d}");
    }
}
