//! Search, papers and SPARQL over real HTTP on a loopback port.

use hypatia::serve::http::{spawn, AppState};

use super::common::{client, model, scifact};

fn server() -> hypatia::serve::http::RunningServer {
    let s = scifact();
    spawn(
        AppState {
            store: s.store.clone(),
            embedder: Some(model()),
            backup_dir: Some(backups().to_path_buf()),
            access: std::sync::Arc::new(hypatia::serve::http::Access::open(false)),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap()
}

fn backups() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(super::common::static_temp_dir).path()
}

#[test]
fn search_returns_citable_passages_in_every_mode() {
    let srv = server();
    let base = format!("http://{}", srv.addr());
    for mode in ["bm25", "vector", "hybrid"] {
        let r = client()
            .get(format!("{base}/search"))
            .query(&[
                ("q", "whole-genome DNA methylation of human blood mononuclear cells"),
                ("mode", mode),
                ("k", "3"),
            ])
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{mode}");
        let body: serde_json::Value = r.json().unwrap();
        let hits = body["hits"].as_array().unwrap();
        assert_eq!(hits.len(), 3, "{mode}: {body}");
        let c = &hits[0]["citation"];
        for field in ["passage", "section", "quote", "start", "end"] {
            assert!(!c[field].is_null(), "{mode}: citation lacks {field}: {c}");
        }
        assert!(
            c["paper"]["title"].as_str().unwrap().contains("Methylome"),
            "{mode}: {c}"
        );
        assert!(c["paper"]["iri"].as_str().unwrap().starts_with("https://"));
        // The paper is reachable by its key.
        let key = c["paper"]["key"].as_str().unwrap();
        let paper: serde_json::Value = client()
            .get(format!("{base}/papers/{key}"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(paper["title"], c["paper"]["title"]);
        assert!(paper["passages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["text"] == c["quote"]));
    }
    srv.stop();
}

#[test]
fn bad_requests_get_json_errors_with_the_right_status() {
    let srv = server();
    let base = format!("http://{}", srv.addr());
    let cases: [(&str, u16, &str); 5] = [
        ("/search?q=x&mode=fuzzy", 400, "invalid_parameter"),
        ("/search?q=", 400, "invalid_parameter"),
        ("/search?q=x&k=0", 400, "invalid_parameter"),
        ("/papers/0000000000000000", 404, "not_found"),
        ("/sparql?query=SELEKT", 400, "sparql_syntax"),
    ];
    for (path, status, code) in cases {
        let r = client().get(format!("{base}{path}")).send().unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["code"], code, "{path}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    srv.stop();
}

const COUNT: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <http://schema.org/ScholarlyArticle> }";

#[test]
fn sparql_protocol_get_and_both_posts_with_content_negotiation() {
    let srv = server();
    let url = format!("http://{}/sparql", srv.addr());
    let get: serde_json::Value = client()
        .get(&url)
        .query(&[("query", COUNT)])
        .header("Accept", "application/sparql-results+json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(get["results"]["bindings"][0]["n"]["value"], "150");
    let form = client()
        .post(&url)
        .form(&[("query", COUNT)])
        .header("Accept", "text/csv")
        .send()
        .unwrap();
    assert_eq!(form.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(form.text().unwrap().replace("\r\n", "\n"), "n\n150\n");
    let direct = client()
        .post(&url)
        .header("Content-Type", "application/sparql-query")
        .header("Accept", "text/tab-separated-values")
        .body(COUNT)
        .send()
        .unwrap();
    assert!(direct.text().unwrap().contains("150"));
    let xml = client()
        .get(&url)
        .query(&[("query", "ASK { ?s ?p ?o }")])
        .header("Accept", "application/sparql-results+xml")
        .send()
        .unwrap();
    assert!(xml.text().unwrap().contains("<boolean>true</boolean>"));
    let construct = "CONSTRUCT { ?p <http://schema.org/name> ?t } WHERE { ?p <http://schema.org/name> ?t } LIMIT 2";
    for (accept, needle) in [
        ("text/turtle", "<http://schema.org/name>"),
        ("application/n-triples", " ."),
        ("application/rdf+xml", "rdf:RDF"),
        ("application/ld+json", "@id"),
    ] {
        let r = client()
            .get(&url)
            .query(&[("query", construct)])
            .header("Accept", accept)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{accept}");
        assert!(r.text().unwrap().contains(needle), "{accept}");
    }
    let refused = client()
        .get(&url)
        .query(&[("query", COUNT)])
        .header("Accept", "image/png")
        .send()
        .unwrap();
    assert_eq!(refused.status(), 406);
    let named = client()
        .get(&url)
        .query(&[
            ("query", COUNT),
            ("default-graph-uri", "https://w3id.org/hypatia/id/graph/paper/none"),
        ])
        .header("Accept", "text/csv")
        .send()
        .unwrap();
    assert_eq!(
        named.text().unwrap().replace("\r\n", "\n"),
        "n\n0\n",
        "default-graph-uri restricts the dataset"
    );
    srv.stop();
}

#[test]
fn a_backup_taken_while_serving_restores_with_every_paper() {
    let srv = server();
    let r = client()
        .post(format!("http://{}/admin/backup", srv.addr()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().unwrap();
    let path = std::path::PathBuf::from(body["path"].as_str().unwrap());
    srv.stop();
    let restored_dir = tempfile::tempdir().unwrap();
    let target = restored_dir.path().join("restored");
    let restored = hypatia::store::Store::restore(&path, &target, &Default::default()).unwrap();
    let original = &scifact().store;
    assert_eq!(restored.stats().unwrap(), original.stats().unwrap());
    assert_eq!(
        restored.graph_paper_keys().unwrap(),
        original.graph_paper_keys().unwrap()
    );
    assert!(restored.check_consistency().unwrap().is_consistent());
    let hits = restored
        .text()
        .search("DNA methylation", 5, &Default::default(), 1.0)
        .unwrap();
    assert!(!hits.is_empty(), "the restored text index answers");
    let any = original.vectors().live_keys().into_iter().next().unwrap();
    assert!(restored.vectors().live_keys().contains(&any));
}
