//! `/openapi.json`: an OpenAPI 3.1 description, generated from the handlers, of every route the
//! server has (SPARQL and the Graph Store Protocol aside), with references that resolve and the
//! limits the core enforces. `scripts/openapi_fuzz.sh` checks the server against it with
//! schemathesis; this checks the description itself.

use hypatia::embed::Embedder;
use std::sync::Arc;

use serde_json::Value;

use super::common::{hash_embedder, open_server, temp_store};

#[test]
fn openapi_json_is_openapi_3_1_and_names_served_routes() {
    let (_dir, store) = temp_store(hash_embedder().identity());
    let srv = open_server(Arc::new(store), Some(Arc::new(hash_embedder())), false);
    let base = format!("http://{}", srv.addr());
    let c = reqwest::blocking::Client::new();
    let r = c.get(format!("{base}/openapi.json")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let spec: Value = r.json().unwrap();
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        spec["openapi"]
    );
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        spec,
        hypatia::serve::http::openapi(),
        "the served description is the one the code builds"
    );

    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/healthz",
        "/openapi.json",
        "/metrics",
        "/search",
        "/findings",
        "/papers",
        "/papers/{id}",
        "/admin/backup",
        "/gaps",
        "/hypotheses",
        "/hypotheses/{id}",
        "/hypotheses/{id}/status",
        "/hypotheses/compare",
        "/experiments",
        "/experiments/import",
        "/experiments/{id}",
        "/novelty",
        "/queries",
    ] {
        assert!(paths.contains_key(path), "{path} is not described");
    }
    // Every described operation is served: asked with its method, the server answers from a
    // handler (errors on the empty input are fine), never "no route" (404) or 405.
    for (path, item) in paths {
        let url = format!("{base}{}", path.replace("{id}", "hyp_0000000000000000"));
        for method in item.as_object().unwrap().keys() {
            let r = c
                .request(method.to_uppercase().parse().unwrap(), &url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().unwrap();
            assert_ne!(status, 405, "{method} {path}: {body}");
            assert!(!body.contains("no route"), "{method} {path}: {status} {body}");
            assert!(status < 500, "{method} {path}: {status} {body}");
        }
    }
    // An undescribed method is 405 with the allowed ones, as RFC 9110 asks.
    let r = c.delete(format!("{base}/hypotheses")).send().unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, POST");
    srv.stop();
}

#[test]
fn every_reference_in_openapi_json_resolves() {
    let spec = hypatia::serve::http::openapi();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&spec, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r} points outside the schemas"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
    // Every operation behind the access gate says it may be refused for a foreign Host or
    // Origin; the two open ones do not.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let refused = op["responses"]["403"]["description"].as_str().unwrap_or("");
            let open = path == "/healthz" || path == "/openapi.json";
            assert_eq!(
                !open,
                refused.contains("Host or Origin"),
                "{method} {path}: {refused:?}"
            );
        }
    }
    // Operation ids name handlers, and links name operations that exist.
    let ids: Vec<&str> = operations(&spec)
        .map(|(_, op)| op["operationId"].as_str().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "operation ids repeat: {ids:?}");
    for (_, op) in operations(&spec) {
        for response in op["responses"].as_object().unwrap().values() {
            for link in response["links"].as_object().into_iter().flat_map(|l| l.values()) {
                let target = link["operationId"]
                    .as_str()
                    .expect("a link names its operation by operationId");
                assert!(ids.contains(&target), "a link names {target}");
            }
        }
    }
}

#[test]
fn openapi_json_states_the_limits_the_core_enforces() {
    let spec = hypatia::serve::http::openapi();
    let param = |path: &str, method: &str, name: &str| -> Value {
        spec["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))["schema"]
            .clone()
    };
    let schema = |name: &str| spec["components"]["schemas"][name].clone();
    assert_eq!(
        param("/search", "get", "k")["maximum"],
        hypatia::retrieval::search::MAX_K as f64
    );
    assert_eq!(
        param("/findings", "get", "papers")["maximum"],
        hypatia::answers::findings::MAX_PAPERS as f64
    );
    assert_eq!(
        param("/findings", "get", "per_paper")["maximum"],
        hypatia::answers::findings::MAX_PER_PAPER as f64
    );
    assert_eq!(
        param("/novelty", "get", "k")["maximum"],
        hypatia::research::novelty::MAX_K as f64
    );
    assert_eq!(
        schema("NoveltyRequest")["properties"]["k"]["maximum"],
        hypatia::research::novelty::MAX_K as f64
    );
    assert_eq!(schema("Text")["maxLength"], hypatia::common::fields::MAX_TEXT);
    assert_eq!(schema("Agent")["maxLength"], hypatia::common::fields::MAX_AGENT);
    for (name, field) in [
        ("NewHypothesis", "concepts"),
        ("NewHypothesis", "evidence"),
        ("GapArg", "concepts"),
        ("GapArg", "evidence"),
        ("NewExperiment", "metrics"),
        ("NewExperiment", "artefacts"),
    ] {
        assert_eq!(
            schema(name)["properties"][field]["maxItems"],
            hypatia::research::MAX_ITEMS,
            "{name}.{field}"
        );
    }
    assert_eq!(schema("Parameters")["maxProperties"], hypatia::research::MAX_ITEMS);
    // Writes need a write token, backups an admin one, reads none.
    let security = |path: &str, method: &str| spec["paths"][path][method]["security"].clone();
    assert_eq!(security("/papers", "post"), serde_json::json!([{"bearer": ["write"]}]));
    assert_eq!(
        security("/admin/backup", "post"),
        serde_json::json!([{"bearer": ["admin"]}])
    );
    assert_eq!(
        security("/search", "get"),
        serde_json::json!([{}, {"bearer": ["read"]}])
    );
    assert_eq!(security("/healthz", "get"), serde_json::json!([{}]));
    assert_eq!(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

fn operations(spec: &Value) -> impl Iterator<Item = (&String, &Value)> {
    spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().iter())
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}
