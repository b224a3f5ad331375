//! Tokens and scopes over real HTTP: anonymous reads, writes that need a write token and store
//! nothing without one, admin endpoints, 401 vs 403, and request ids.

use std::sync::Arc;

use hypatia::embed::Embedder;
use hypatia::http::{spawn, Access, AppState, RunningServer};
use hypatia::store::Store;

use super::common::{fixtures, hash_embedder, ingest, temp_store};

const TOKENS: &str =
    "read reader read-secret-0123456789\nwrite agent write-secret-0123456789\nadmin ops admin-secret-0123456789\n";

fn server(store: Arc<Store>, anonymous_read: bool, backups: &std::path::Path) -> RunningServer {
    spawn(
        AppState {
            store,
            embedder: Some(Arc::new(hash_embedder())),
            backup_dir: Some(backups.to_path_buf()),
            access: Arc::new(Access::from_tokens(TOKENS, "test tokens", anonymous_read).unwrap()),
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

#[test]
fn tokens_and_scopes_guard_writes_and_reads() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.dim());
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
}
