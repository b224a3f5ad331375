//! Tokens, scopes and limits over real HTTP: anonymous reads, writes that need a write token and
//! store nothing without one, admin endpoints, 401 vs 403, request ids, the query timeout and the
//! result cap.

use std::sync::Arc;

use hypatia::embed::Embedder;
use hypatia::serve::http::{spawn, Access, AppState, RunningServer};
use hypatia::store::Store;

use super::common::{fixtures, hash_embedder, ingest, temp_store};

const TOKENS: &str =
    "read reader read-secret-0123456789\nwrite agent write-secret-0123456789\nadmin ops admin-secret-0123456789\n";

fn server(store: Arc<Store>, anonymous_read: bool, backups: &std::path::Path) -> RunningServer {
    let access = Access::from_tokens(TOKENS, "test tokens", anonymous_read)
        .unwrap()
        .allow_origins(vec!["https://app.example.org".into()])
        .unwrap();
    spawn(
        AppState {
            store,
            embedder: Some(Arc::new(hash_embedder())),
            backup_dir: Some(backups.to_path_buf()),
            access: Arc::new(access),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

#[test]
fn tokens_and_scopes_guard_writes_and_reads() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/arxiv")]);
    let store = Arc::new(store);
    let srv = server(store.clone(), true, dir.path());
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::new();
    let update = "INSERT DATA { <http://example.org/a> <http://example.org/b> \"c\" }";
    let post_update = |token: Option<&str>| {
        let mut r = c
            .post(format!("{base}/sparql"))
            .header("content-type", "application/sparql-update")
            .body(update);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().unwrap()
    };
    let before = store.stats().unwrap();

    // Anonymous reads pass; an unknown token is refused even for a read.
    let r = c.get(format!("{base}/search?q=galaxy&mode=bm25")).send().unwrap();
    assert_eq!(r.status(), 200);
    let id = r.headers().get("x-request-id").unwrap().to_str().unwrap().to_string();
    assert!(!id.is_empty());
    let r = c
        .get(format!("{base}/search?q=galaxy&mode=bm25"))
        .header("x-request-id", "trace-42")
        .send()
        .unwrap();
    assert_eq!(
        r.headers().get("x-request-id").unwrap(),
        "trace-42",
        "a caller's id is kept"
    );
    let r = c
        .get(format!("{base}/search?q=x"))
        .bearer_auth("not-a-token-at-all")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);

    // A write without a token: 401 with a challenge; with a read token: 403; nothing stored.
    let r = post_update(None);
    assert_eq!(r.status(), 401);
    assert!(r
        .headers()
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert_eq!(post_update(Some("read-secret-0123456789")).status(), 403);
    let r = c
        .post(format!("{base}/hypotheses"))
        .json(&serde_json::json!({"statement": "s", "agent": "a"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(format!("{base}/papers?name=x.jsonl"))
        .bearer_auth("read-secret-0123456789")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(store.stats().unwrap(), before, "refused writes store nothing");

    // A write token writes; an admin token too; backups need admin.
    assert_eq!(post_update(Some("write-secret-0123456789")).status(), 204);
    let r = c
        .post(format!("{base}/hypotheses"))
        .bearer_auth("admin-secret-0123456789")
        .json(&serde_json::json!({"statement": "Tokens keep strangers out.", "agent": "ops"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let backup = |t: &str| {
        c.post(format!("{base}/admin/backup"))
            .bearer_auth(t)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(backup("write-secret-0123456789"), 403);
    assert_eq!(backup("admin-secret-0123456789"), 201);

    // Anonymous reads switched off: 401 without a token, /healthz stays open.
    let closed = server(store.clone(), false, dir.path());
    let cbase = format!("http://{}", closed.addr());
    let r = c.get(format!("{cbase}/search?q=galaxy&mode=bm25")).send().unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(
        c.get(format!("{cbase}/search?q=galaxy&mode=bm25"))
            .bearer_auth("read-secret-0123456789")
            .send()
            .unwrap()
            .status(),
        200
    );
    assert_eq!(c.get(format!("{cbase}/healthz")).send().unwrap().status(), 200);

    // CORS: an allowed origin's preflight passes without a token (reads off or not); another
    // origin gets no allow header.
    let pre = |origin: &str| {
        c.request(reqwest::Method::OPTIONS, format!("{cbase}/search"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
            .unwrap()
    };
    let ok = pre("https://app.example.org");
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "https://app.example.org"
    );
    assert!(pre("https://evil.example.com")
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(Access::open(false)
        .allow_origins(vec!["app.example.org/x".into()])
        .is_err());

    // Prometheus metrics: requests by route and status, latency histograms, store sizes.
    let text = c.get(format!("{base}/metrics")).send().unwrap().text().unwrap();
    assert!(text.contains("# TYPE hypatia_http_requests_total counter"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("hypatia_http_requests_total{method=\"POST\",route=\"/sparql\",status=\"401\"}")),
        "{text}"
    );
    assert!(text.contains("hypatia_http_request_duration_seconds_bucket{route=\"/search\",le=\"+Inf\"}"));
    let papers = text.lines().find_map(|l| l.strip_prefix("hypatia_papers ")).unwrap();
    assert_eq!(papers.parse::<usize>().unwrap(), store.stats().unwrap().papers);
}

/// A browser can be made to send requests to a server on the user's machine: through DNS
/// rebinding (a foreign `Host`) or from a page on another site (a foreign `Origin`, a form posting
/// an update). On a server that lets anyone write, both are refused and store nothing; loopback
/// pages, allowed hosts and clients that send neither header get through.
#[test]
fn foreign_hosts_and_pages_are_refused_on_every_route() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let access = Access::open(true)
        .allow_hosts(vec!["hypatia.example.org".into()])
        .unwrap();
    let srv = spawn(
        AppState {
            store: store.clone(),
            embedder: Some(Arc::new(hash_embedder())),
            backup_dir: None,
            access: Arc::new(access),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::new();
    let update = |n: u32, header: Option<(&str, &str)>| {
        let mut r = c.post(format!("{base}/sparql")).form(&[(
            "update",
            format!("INSERT DATA {{ <http://example.org/s> <http://example.org/p> {n} }}"),
        )]);
        if let Some((name, value)) = header {
            r = r.header(name, value);
        }
        r.send().unwrap()
    };
    let triples = || store.stats().unwrap().triples;
    let before = triples();

    for (header, what) in [
        (("origin", "https://evil.example.com"), "Origin"),
        (("origin", "null"), "Origin"),
        (("host", "evil.example.com"), "Host"),
        (("host", "localhost.evil.example.com"), "Host"),
    ] {
        let r = update(1, Some(header));
        assert_eq!(r.status(), 403, "{header:?}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["code"], "forbidden");
        assert!(body["message"].as_str().unwrap().contains(what), "{body}");
        assert_eq!(triples(), before, "{header:?} stored something");
    }
    let r = c
        .get(format!("{base}/search?q=x&mode=bm25"))
        .header("host", "evil.example.com")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);

    // Loopback pages, the allowed host, and clients without an Origin write.
    assert_eq!(update(2, Some(("origin", "http://localhost:5173"))).status(), 204);
    assert_eq!(update(3, Some(("host", "hypatia.example.org"))).status(), 204);
    assert_eq!(update(4, None).status(), 204);
    assert_eq!(triples(), before + 3);
    // Anyone may still ask whether the server is up.
    let r = c
        .get(format!("{base}/healthz"))
        .header("host", "evil.example.com")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// `GET /access` says what the caller's token may do, so that the UI offers only what will be
/// allowed: the widest scope and the token's name, 401 for no token where reads need one or
/// for an unknown token.
#[test]
fn access_says_what_a_token_may_do() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let srv = server(Arc::new(store), false, dir.path());
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::new();
    let grant = |token: Option<&str>| {
        let mut r = c.get(format!("{base}/access"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().unwrap();
        (r.status().as_u16(), r.json::<serde_json::Value>().unwrap())
    };
    let (status, body) = grant(None);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{body}");
    let (status, body) = grant(Some("nope-0123456789abcdef"));
    assert_eq!(status, 401, "{body}");
    for (secret, name, scope) in [
        ("read-secret-0123456789", "reader", "read"),
        ("write-secret-0123456789", "agent", "write"),
        ("admin-secret-0123456789", "ops", "admin"),
    ] {
        let (status, body) = grant(Some(secret));
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["scope"].as_str(), body["credential"].as_str()),
            (Some(scope), Some(name))
        );
    }
    // A write token acts as the agent named like it; an admin token as any.
    assert_eq!(
        grant(Some("write-secret-0123456789")).1["agents"],
        serde_json::json!(["agent"])
    );
    assert!(grant(Some("admin-secret-0123456789")).1.get("agents").is_none());

    // Without tokens: anonymous reads, and writes only with --writes; trusting the network for
    // backups does not make an anonymous caller an admin.
    for (writes, scope) in [(false, "read"), (true, "write")] {
        let (dir, store) = temp_store(e.identity());
        let open = spawn(
            AppState {
                store: Arc::new(store),
                embedder: None,
                backup_dir: Some(dir.path().to_path_buf()),
                access: Arc::new(Access::open(writes)),
                limits: Default::default(),
            },
            "127.0.0.1:0",
        )
        .unwrap();
        let body: serde_json::Value = c
            .get(format!("http://{}/access", open.addr()))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(
            (body["scope"].as_str(), body["credential"].as_str()),
            (Some(scope), Some("anonymous")),
            "{body}"
        );
    }
}

#[test]
fn a_runaway_query_is_cancelled_at_the_timeout_and_the_server_stays_responsive() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/arxiv")]);
    let srv = spawn(
        AppState {
            store: Arc::new(store),
            embedder: None,
            backup_dir: None,
            access: Arc::new(Access::open(false)),
            limits: hypatia::serve::http::Limits {
                query_timeout: std::time::Duration::from_secs(1),
                max_rows: 5,
                ..Default::default()
            },
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let ask = |q: &str| {
        c.get(format!("{base}/sparql"))
            .query(&[("query", q)])
            .header("accept", "application/sparql-results+json")
            .send()
            .unwrap()
    };
    // A cross product of the whole store, three times over: ~10^11 rows to count.
    let cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let r = ask(cross);
        assert_eq!(r.status(), 503);
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["code"], "timeout", "{body}");
        assert!(
            t.elapsed() < std::time::Duration::from_secs(15),
            "cancelled late: {:?}",
            t.elapsed()
        );
    }
    // Cancelled, not left running: the server answers at once.
    let t = std::time::Instant::now();
    assert_eq!(ask("ASK { ?s ?p ?o }").status(), 200);
    assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
    // The result cap.
    let r = ask("SELECT * WHERE { ?s ?p ?o }");
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("more than 5 rows"));
    assert_eq!(ask("SELECT * WHERE { ?s ?p ?o } LIMIT 5").status(), 200);
}

/// Agents are who their token says: a token acts only as the agents it is bound to, its name is
/// recorded in the provenance of what it writes, and another agent's hypothesis moves only with
/// an admin token or one bound to that agent.
#[test]
fn write_tokens_act_only_as_their_agents() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/arxiv")]);
    let store = Arc::new(store);
    let tokens = "write loop-a secret-loop-a-0123456789\nwrite loop-b secret-loop-b-0123456789\n\
                  write orchestra secret-orchestra-0123456789 loop-a,loop-b\nadmin ops secret-ops-0123456789\n";
    let srv = spawn(
        AppState {
            store: store.clone(),
            embedder: Some(Arc::new(hash_embedder())),
            backup_dir: None,
            access: Arc::new(Access::from_tokens(tokens, "tokens", true).unwrap()),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::new();
    let propose = |token: &str, agent: &str| {
        c.post(format!("{base}/hypotheses"))
            .bearer_auth(token)
            .json(&serde_json::json!({"statement": format!("{agent}: galaxies merge faster in clusters"), "agent": agent}))
            .send()
            .unwrap()
    };
    let status = |token: &str, h: &str, agent: &str, to: &str| {
        c.post(format!("{base}/hypotheses/{h}/status"))
            .bearer_auth(token)
            .json(&serde_json::json!({"status": to, "agent": agent}))
            .send()
            .unwrap()
            .status()
    };

    let r = propose("secret-loop-a-0123456789", "loop-b");
    assert_eq!(r.status(), 403, "a token names only its own agents");
    let r = propose("secret-loop-a-0123456789", "loop-a");
    assert_eq!(r.status(), 201);
    let h = r.json::<serde_json::Value>().unwrap()["record"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let q = format!(
        "ASK {{ GRAPH ?g {{ ?a <https://w3id.org/hypatia/ns#viaCredential> \"loop-a\" }} \
         FILTER(STRENDS(STR(?g), \"{h}/provenance\")) }}"
    );
    let recorded = c
        .get(format!("{base}/sparql"))
        .query(&[("query", q.as_str())])
        .header("accept", "application/sparql-results+json")
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap();
    assert_eq!(recorded["boolean"], true, "the token's name is in the provenance");

    // loop-b may not move loop-a's hypothesis, as itself or as loop-a.
    assert_eq!(status("secret-loop-b-0123456789", &h, "loop-b", "testing"), 403);
    assert_eq!(status("secret-loop-b-0123456789", &h, "loop-a", "testing"), 403);
    // A run loop-b logs against it is stored, and leaves its status alone.
    let r = c
        .post(format!("{base}/experiments"))
        .bearer_auth("secret-loop-b-0123456789")
        .json(&serde_json::json!({"agent": "loop-b", "hypothesis": h, "status": "keep", "description": "replicate on 2MASS"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let shown = hypatia::research::hypothesis(&store, &h).unwrap();
    assert_eq!(shown.status, hypatia::research::HypothesisStatus::Proposed);
    // A token bound to loop-a (among others) may, and so may an admin token.
    assert_eq!(status("secret-orchestra-0123456789", &h, "loop-b", "testing"), 200);
    assert_eq!(status("secret-ops-0123456789", &h, "ops-on-call", "inconclusive"), 200);
}

/// The web UI's page and assets are served without a token even when reads need one (they hold
/// no data), with a policy that keeps the page to this server; the API it calls stays gated.
#[test]
fn the_web_ui_is_public_and_its_api_is_not() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let srv = server(Arc::new(store), false, dir.path());
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::new();

    let page = c.get(format!("{base}/")).send().unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("script-src 'self';")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let html = page.text().unwrap();
    assert!(
        html.contains(r#"src="/ui/app.js""#) && html.contains(r#"href="/ui/app.css""#),
        "{html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing loads from elsewhere"
    );

    for (file, media) in [("app.js", "text/javascript"), ("app.css", "text/css")] {
        let r = c.get(format!("{base}/ui/{file}")).send().unwrap();
        assert_eq!(r.status(), 200, "{file}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with(media));
        assert!(!r.text().unwrap().is_empty());
    }
    let head = c.head(format!("{base}/ui/app.js")).send().unwrap();
    assert_eq!(head.status(), 200);
    for missing in ["nope.js", "..%2FCargo.toml", "index.html.bak"] {
        let r = c.get(format!("{base}/ui/{missing}")).send().unwrap();
        assert_eq!(r.status(), 404, "{missing}");
        assert_eq!(r.json::<serde_json::Value>().unwrap()["code"], "not_found");
    }
    // The API behind the page still needs a token.
    assert_eq!(c.get(format!("{base}/search?q=x")).send().unwrap().status(), 401);
    let r = c
        .get(format!("{base}/search?q=x&mode=bm25"))
        .bearer_auth("read-secret-0123456789")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}
