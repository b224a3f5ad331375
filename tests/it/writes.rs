//! SPARQL Update and the Graph Store Protocol over real HTTP, on a real store that holds papers:
//! what the spec asks, and that graphs the store owns are never written.

use hypatia::embed::Embedder;
use hypatia::serve::http::{spawn, AppState, RunningServer};
use hypatia::store::Store;
use reqwest::blocking::{Client, Response};
use std::sync::Arc;

use super::common::{fixtures, hash_embedder, ingest, reopen, temp_store};

const BASE: &str = "https://w3id.org/hypatia/id/";

/// Fields drop in order: the server, the store, then its folder.
struct Fixture {
    server: RunningServer,
    store: Arc<Store>,
    dir: tempfile::TempDir,
}

/// A store with the JATS papers ingested (paper and extraction graphs exist), served.
fn served(writes: bool) -> Fixture {
    let e = hash_embedder();
    let (dir, store) = temp_store(hash_embedder().identity());
    ingest(&store, &e, &[fixtures().join("papers/jats")]);
    let store = Arc::new(store);
    let server = spawn(
        AppState {
            store: store.clone(),
            embedder: None,
            backup_dir: None,
            access: Arc::new(hypatia::serve::http::Access::open(writes)),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap();
    Fixture { server, store, dir }
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr())
    }

    fn update(&self, update: &str) -> Response {
        Client::new()
            .post(self.url("/sparql"))
            .header("Content-Type", "application/sparql-update")
            .body(update.to_string())
            .send()
            .unwrap()
    }

    fn ask(&self, query: &str) -> bool {
        let r: serde_json::Value = Client::new()
            .get(self.url("/sparql"))
            .query(&[("query", query)])
            .header("Accept", "application/sparql-results+json")
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["boolean"].as_bool().unwrap_or_else(|| panic!("{r}"))
    }

    /// Some paper graph and some extraction graph of the store.
    fn owned_graphs(&self) -> (String, String) {
        let names = self.store.graph().graph_names().unwrap();
        let paper = names
            .iter()
            .find(|g| g.starts_with(&format!("{BASE}graph/paper/")))
            .unwrap();
        let extraction = names
            .iter()
            .find(|g| g.starts_with(&format!("{BASE}graph/extraction/")))
            .unwrap();
        (paper.clone(), extraction.clone())
    }
}

/// The JSON error of a response, after checking its status.
fn error(r: Response, status: u16) -> (String, String) {
    assert_eq!(r.status().as_u16(), status);
    let body: serde_json::Value = r.json().unwrap();
    (
        body["code"].as_str().unwrap().to_string(),
        body["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn an_update_is_applied_durably_and_seen_by_queries() {
    let f = served(true);
    let r = f.update(
        "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:says \"hello\" . GRAPH <urn:agent:notes> { ex:a ex:says \"hi\" } }",
    );
    assert_eq!(r.status(), 204);
    assert!(f.ask("ASK { <http://example.org/a> <http://example.org/says> \"hello\" }"));
    assert!(f.ask("ASK { GRAPH <urn:agent:notes> { ?s ?p \"hi\" } }"));
    // A query's own FROM is its default graph (not the union of all graphs).
    assert!(f.ask("ASK FROM <urn:agent:notes> { ?s ?p \"hi\" }"));
    assert!(!f.ask("ASK FROM <urn:agent:notes> { ?s ?p \"hello\" }"));
    // A form update with a protocol dataset: the WHERE reads only the named graph.
    let r = Client::new()
        .post(f.url("/sparql"))
        .form(&[
            (
                "update",
                "INSERT { GRAPH <urn:agent:copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
            ),
            ("using-graph-uri", "urn:agent:notes"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(f.ask("ASK { GRAPH <urn:agent:copy> { ?s ?p \"hi\" } }"));
    assert!(!f.ask("ASK { GRAPH <urn:agent:copy> { ?s ?p \"hello\" } }"));
    let Fixture { server, store, dir } = f;
    server.stop();
    // The server's worker threads let go of their handle on the store after `stop` returns.
    let mut store = store;
    for _ in 0..200 {
        match Arc::try_unwrap(store) {
            Ok(s) => {
                drop(s);
                break;
            }
            Err(s) => {
                store = s;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
    let reopened = reopen(&dir, hash_embedder().identity());
    let text = reopened
        .graph()
        .query("ASK { GRAPH <urn:agent:copy> { ?s ?p \"hi\" } }", &[], &[])
        .unwrap();
    assert!(matches!(text, oxigraph::sparql::QueryResults::Boolean(true)));
    assert!(reopened.check_consistency().unwrap().is_consistent());
}

#[test]
fn updates_that_would_write_owned_graphs_are_refused_and_write_nothing() {
    let f = served(true);
    let (paper, extraction) = f.owned_graphs();
    let before = f.store.graph().len().unwrap();
    let np = format!("{BASE}np/hyp_0123456789abcdef/assertion");
    let cases = [
        format!("INSERT DATA {{ GRAPH <{paper}> {{ <urn:s> <urn:p> <urn:o> }} }}"),
        format!("DELETE DATA {{ GRAPH <{extraction}> {{ <urn:s> <urn:p> <urn:o> }} }}"),
        format!("INSERT DATA {{ GRAPH <{np}> {{ <urn:s> <urn:p> <urn:o> }} }}"),
        // One allowed operation before the refused one: the whole request is refused.
        format!("INSERT DATA {{ <urn:s> <urn:p> <urn:o> }} ; DROP GRAPH <{paper}>"),
        format!("WITH <{paper}> INSERT {{ <urn:s> <urn:p> <urn:o> }} WHERE {{}}"),
        format!("CLEAR GRAPH <{extraction}>"),
        format!("CREATE GRAPH <{BASE}graph/paper/0000000000000000>"),
        // The graph comes from the data: found by evaluating the WHERE first.
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s a <http://schema.org/ScholarlyArticle> ; ?p ?o } }"
            .to_string(),
        // MOVE drops its source; COPY replaces its target.
        format!("MOVE <{paper}> TO <urn:agent:mine>"),
        format!("COPY DEFAULT TO <{extraction}>"),
        "DROP ALL".to_string(),
        "CLEAR NAMED".to_string(),
    ];
    for update in &cases {
        let (code, message) = error(f.update(update), 403);
        assert_eq!(code, "protected_graph", "{update}");
        assert!(
            message.contains(BASE),
            "{update}: the message names the graph: {message}"
        );
        assert!(message.contains("nothing was written"), "{message}");
    }
    assert_eq!(f.store.graph().len().unwrap(), before, "nothing was written");
    assert!(!f.ask("ASK { <urn:s> <urn:p> <urn:o> }"));
    assert!(f.store.check_consistency().unwrap().is_consistent());
    // The default graph and the agent's own graphs stay writable, also by DROP DEFAULT.
    assert_eq!(f.update("INSERT DATA { <urn:s> <urn:p> <urn:o> }").status(), 204);
    assert_eq!(f.update("DROP DEFAULT").status(), 204);
    assert_eq!(f.store.graph().len().unwrap(), before);
    // Reading an owned graph into one's own is fine.
    assert_eq!(f.update(&format!("ADD <{paper}> TO <urn:agent:mine>")).status(), 204);
    assert!(f.ask("ASK { GRAPH <urn:agent:mine> { ?p a <http://schema.org/ScholarlyArticle> } }"));
}

#[test]
fn the_protocol_refuses_what_it_must_with_the_right_status() {
    let f = served(true);
    let client = Client::new();
    // A query sent as an update, an update sent as a query, an update by GET.
    assert_eq!(error(f.update("SELECT * WHERE { ?s ?p ?o }"), 400).0, "sparql_syntax");
    let r = client
        .post(f.url("/sparql"))
        .header("Content-Type", "application/sparql-query")
        .body("INSERT DATA { <urn:s> <urn:p> <urn:o> }")
        .send()
        .unwrap();
    assert_eq!(error(r, 400).0, "sparql_syntax");
    let r = client
        .get(f.url("/sparql"))
        .query(&[("update", "INSERT DATA { <urn:s> <urn:p> <urn:o> }")])
        .send()
        .unwrap();
    assert_eq!(error(r, 400).0, "invalid_parameter");
    // Both a query and an update; a protocol dataset on top of USING.
    let r = client
        .post(f.url("/sparql"))
        .form(&[("query", "ASK {}"), ("update", "CLEAR DEFAULT")])
        .send()
        .unwrap();
    assert_eq!(error(r, 400).0, "invalid_parameter");
    let r = client
        .post(f.url("/sparql?using-named-graph-uri=urn:g"))
        .header("Content-Type", "application/sparql-update")
        .body("INSERT { <urn:s> <urn:p> ?o } USING <urn:g> WHERE { ?s ?p ?o }")
        .send()
        .unwrap();
    assert_eq!(error(r, 400).0, "invalid_parameter");
    // LOAD fetches nothing; LOAD SILENT succeeds doing nothing, as its failure would.
    assert_eq!(
        error(f.update("LOAD <http://example.org/data.ttl>"), 400).0,
        "invalid_parameter"
    );
    assert_eq!(f.update("LOAD SILENT <http://example.org/data.ttl>").status(), 204);
    // A query sent as a form past the query limit, an update past the update limit.
    let r = client
        .post(f.url("/sparql"))
        .form(&[("query", format!("ASK {{ ?s ?p \"{}\" }}", "x".repeat(1 << 20)))])
        .send()
        .unwrap();
    assert_eq!(error(r, 413).0, "payload_too_large");
    let big = format!("INSERT DATA {{ <urn:s> <urn:p> \"{}\" }}", "x".repeat(16 << 20));
    assert_eq!(error(f.update(&big), 413).0, "payload_too_large");
    assert!(!f.ask("ASK { <urn:s> <urn:p> ?o }"));
}

#[test]
fn writes_are_refused_when_the_server_runs_without_writes() {
    let f = served(false);
    let before = f.store.graph().len().unwrap();
    assert_eq!(
        error(f.update("INSERT DATA { <urn:s> <urn:p> <urn:o> }"), 403).0,
        "forbidden"
    );
    let r = Client::new()
        .put(f.url("/store?graph=urn:g"))
        .header("Content-Type", "text/turtle")
        .body("<urn:s> <urn:p> <urn:o> .")
        .send()
        .unwrap();
    assert_eq!(error(r, 403).0, "forbidden");
    let r = Client::new().delete(f.url("/store?default")).send().unwrap();
    assert_eq!(error(r, 403).0, "forbidden");
    assert_eq!(f.store.graph().len().unwrap(), before);
    // Reads stay open.
    let r = Client::new().get(f.url("/store?default")).send().unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn the_graph_store_protocol_reads_and_writes_graphs_in_every_format() {
    let f = served(true);
    let client = Client::new();
    let g = f.url("/store?graph=urn%3Aagent%3Ag");
    let put = |body: &str, ct: &str| {
        client
            .put(&g)
            .header("Content-Type", ct)
            .body(body.to_string())
            .send()
            .unwrap()
    };
    assert_eq!(put("<urn:s> <urn:p> \"one\" .", "text/turtle").status(), 201, "created");
    assert_eq!(
        put("<urn:s> <urn:p> \"two\" .", "text/turtle; charset=utf-8").status(),
        204,
        "replaced"
    );
    let r = client
        .post(&g)
        .header("Content-Type", "application/n-triples")
        .body("<urn:s> <urn:p> \"three\" .\n")
        .send()
        .unwrap();
    assert_eq!(r.status(), 204, "merged");
    for (accept, needle) in [
        ("text/turtle", "\"three\""),
        ("application/n-triples", "<urn:s> <urn:p> \"two\" ."),
        ("application/rdf+xml", "rdf:RDF"),
        ("application/ld+json", "\"two\""),
        ("application/n-quads", "\"three\""),
        ("application/trig", "\"two\""),
    ] {
        let r = client.get(&g).header("Accept", accept).send().unwrap();
        assert_eq!(r.status(), 200, "{accept}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with(accept));
        let body = r.text().unwrap();
        assert!(body.contains(needle), "{accept}: {body}");
        assert!(!body.contains("\"one\""), "PUT replaced the graph");
    }
    // Bodies in the other formats, blank nodes fresh per document.
    let jsonld = r#"{"@id": "urn:s2", "urn:p": "four"}"#;
    let r = client
        .post(&g)
        .header("Content-Type", "application/ld+json")
        .body(jsonld)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(f.ask("ASK { GRAPH <urn:agent:g> { <urn:s2> <urn:p> \"four\" } }"));
    let head = client.head(&g).send().unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.text().unwrap().is_empty());
    // The default graph always exists; a named graph that does not is a 404.
    assert_eq!(client.get(f.url("/store?default")).send().unwrap().status(), 200);
    assert_eq!(client.delete(&g).send().unwrap().status(), 204);
    assert_eq!(error(client.get(&g).send().unwrap(), 404).0, "not_found");
    assert_eq!(error(client.delete(&g).send().unwrap(), 404).0, "not_found");
}

#[test]
fn the_graph_store_protocol_refuses_owned_graphs_and_bad_requests() {
    let f = served(true);
    let client = Client::new();
    let (paper, _) = f.owned_graphs();
    let before = f.store.graph().len().unwrap();
    let paper_url = f.url(&format!("/store?graph={}", urlencode(&paper)));
    // Owned graphs: readable, never writable.
    let r = client
        .get(&paper_url)
        .header("Accept", "application/n-triples")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().unwrap().contains("http://schema.org/ScholarlyArticle"));
    for method in [reqwest::Method::PUT, reqwest::Method::POST, reqwest::Method::DELETE] {
        let r = client
            .request(method.clone(), &paper_url)
            .header("Content-Type", "text/turtle")
            .body("<urn:s> <urn:p> <urn:o> .")
            .send()
            .unwrap();
        let (code, message) = error(r, 403);
        assert_eq!(code, "protected_graph", "{method}");
        assert!(message.contains(&paper), "{method}: {message}");
    }
    assert_eq!(f.store.graph().len().unwrap(), before, "nothing was written");
    let send = |method: reqwest::Method, url: &str, ct: &str, body: &str| {
        client
            .request(method, f.url(url))
            .header("Content-Type", ct)
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let put = |url: &str, ct: &str, body: &str| send(reqwest::Method::PUT, url, ct, body);
    let post = |url: &str, ct: &str, body: &str| send(reqwest::Method::POST, url, ct, body);
    let ttl = "<urn:s> <urn:p> <urn:o> .";
    assert_eq!(error(put("/store", "text/turtle", ttl), 400).0, "invalid_parameter");
    assert_eq!(
        error(put("/store?default&graph=urn:g", "text/turtle", ttl), 400).0,
        "invalid_parameter"
    );
    assert_eq!(
        error(put("/store?graph=not%20an%20iri", "text/turtle", ttl), 400).0,
        "invalid_parameter"
    );
    assert_eq!(
        error(put("/store?graph=urn:g", "image/png", ttl), 415).0,
        "unsupported_media_type"
    );
    // A syntax error says where; nothing of the document is written.
    let (code, message) = error(
        put(
            "/store?graph=urn:g",
            "text/turtle",
            "<urn:s> <urn:p> <urn:o> .
<urn:s> <urn:p> .",
        ),
        400,
    );
    assert_eq!(code, "invalid_parameter");
    assert!(message.contains("line") || message.contains("2:"), "{message}");
    // A quad format naming a graph: the request names the one graph it writes.
    let (_, message) = error(
        put(
            "/store?graph=urn:g",
            "application/n-quads",
            "<urn:s> <urn:p> <urn:o> <urn:other> .",
        ),
        400,
    );
    assert!(!message.is_empty());
    assert_eq!(
        error(
            put("/store?graph=urn:g", "text/turtle", &"#".repeat((64 << 20) + 1)),
            413
        )
        .0,
        "payload_too_large"
    );
    // Multipart bodies: a part that is not RDF, a part that does not parse, broken framing.
    let form = "multipart/form-data; boundary=XX";
    let part = |name: &str, ct: &str, body: &str| {
        format!("--XX\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n{body}\r\n")
    };
    let body = format!(
        "{}{}--XX--\r\n",
        part("ok.ttl", "text/turtle", ttl),
        part("photo.png", "image/png", "x")
    );
    let (code, message) = error(post("/store?graph=urn:g", form, &body), 415);
    assert_eq!(code, "unsupported_media_type");
    assert!(message.contains("photo.png"), "{message}");
    let body = format!(
        "{}{}--XX--\r\n",
        part("ok.ttl", "text/turtle", ttl),
        part("bad.ttl", "text/turtle", "<urn:s> .")
    );
    let (_, message) = error(post("/store?graph=urn:g", form, &body), 400);
    assert!(message.contains("bad.ttl"), "{message}");
    let (_, message) = error(
        post("/store?graph=urn:g", form, &part("ok.ttl", "text/turtle", ttl)),
        400,
    );
    assert!(message.contains("closing"), "{message}");
    // A new graph by POST to the store itself is refused as a whole when its body is bad.
    assert_eq!(
        error(post("/store", "text/turtle", "<urn:s> ."), 400).0,
        "invalid_parameter"
    );
    assert_eq!(f.store.graph().len().unwrap(), before, "nothing was written");
    let r = client.get(f.url("/store?graph=urn:g")).send().unwrap();
    assert_eq!(error(r, 404).0, "not_found");
    // A good one is created under the store's base and named in Location.
    let r = post("/store", "text/turtle", ttl);
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(f.store.base().as_str()), "{location}");
    let r = client
        .get(f.url(&format!("/store?graph={}", urlencode(&location))))
        .header("Accept", "application/n-triples")
        .send()
        .unwrap();
    assert_eq!(r.text().unwrap(), "<urn:s> <urn:p> <urn:o> .\n");
    // Relative IRIs in its body resolve against the new graph's IRI.
    let r = post("/store", "text/turtle", "<> <urn:p> <#part> .");
    let third = r.headers()["location"].to_str().unwrap().to_string();
    let r = client
        .get(f.url(&format!("/store?graph={}", urlencode(&third))))
        .header("Accept", "application/n-triples")
        .send()
        .unwrap();
    assert_eq!(r.text().unwrap(), format!("<{third}> <urn:p> <{third}#part> .\n"));
    let second = post("/store", "text/turtle", ttl).headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(second, location, "each POST makes its own graph");
    // A graph named by its URL (direct identification) is the graph with that IRI.
    let direct = f.url("/store/people/1");
    assert_eq!(
        put("/store/people/1", "text/turtle", "<> <urn:p> <urn:o> .").status(),
        201
    );
    let r = client
        .get(f.url(&format!("/store?graph={}", urlencode(&direct))))
        .header("Accept", "application/n-triples")
        .send()
        .unwrap();
    assert_eq!(r.text().unwrap(), format!("<{direct}> <urn:p> <urn:o> .\n"));
    let (_, message) = error(put("/store/people/1?graph=urn:g", "text/turtle", ttl), 400);
    assert!(message.contains("one or the other"), "{message}");
    let r = client
        .get(f.url("/store?default"))
        .header("Accept", "image/png")
        .send()
        .unwrap();
    assert_eq!(error(r, 406).0, "not_acceptable");
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string()
}

#[test]
fn a_dataset_posted_to_the_store_loads_in_bulk_whole_or_not_at_all() {
    let f = served(true);
    let client = Client::new();
    let post = |ct: &str, body: String| {
        client
            .post(f.url("/store"))
            .header("Content-Type", ct)
            .body(body)
            .send()
            .unwrap()
    };
    let nquads = "<urn:s> <urn:p> \"in a\" <urn:g:a> .\n\
                  <urn:s> <urn:p> \"in b\" <urn:g:b> .\n\
                  <urn:s> <urn:p> \"in the default graph\" .\n\
                  _:x <urn:p> <urn:o> <urn:g:b> .\n";
    let r = post("application/n-quads", nquads.to_string());
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().unwrap()["quads"], 4);
    assert!(f.ask("ASK { GRAPH <urn:g:a> { <urn:s> <urn:p> \"in a\" } }"));
    assert!(f.ask("ASK { GRAPH <urn:g:b> { <urn:s> <urn:p> \"in b\" . ?x <urn:p> <urn:o> FILTER isBlank(?x) } }"));
    assert!(f.ask("ASK { <urn:s> <urn:p> \"in the default graph\" }"));
    // TriG, relative IRIs resolved against the request's URL.
    let trig = "<rel> { <urn:s> <urn:p> <other> }";
    assert_eq!(post("application/trig", trig.to_string()).status(), 200);
    let base = f.url("/");
    assert!(f.ask(&format!(
        "ASK {{ GRAPH <{base}rel> {{ <urn:s> <urn:p> <{base}other> }} }}"
    )));
    // A quad in a graph the store owns, after good ones: refused, nothing written.
    let before = f.store.graph().len().unwrap();
    let (paper, _) = f.owned_graphs();
    let body = format!("<urn:s> <urn:p> \"fine\" <urn:g:c> .\n<urn:s> <urn:p> <urn:o> <{paper}> .\n");
    let (code, message) = error(post("application/n-quads", body), 403);
    assert_eq!(code, "protected_graph");
    assert!(message.contains("quad 2") && message.contains(&paper), "{message}");
    // A syntax error on line 3: said where, nothing written.
    let body = "<urn:s> <urn:p> \"fine\" <urn:g:c> .\n<urn:s> <urn:p> \"fine too\" <urn:g:c> .\n<urn:s> <urn:p> .\n";
    let (code, message) = error(post("application/n-quads", body.to_string()), 400);
    assert_eq!(code, "invalid_parameter");
    assert!(message.contains("line 3"), "{message}");
    assert_eq!(f.store.graph().len().unwrap(), before, "nothing was written");
    assert!(!f.ask("ASK { GRAPH <urn:g:c> { ?s ?p ?o } }"));
}

#[test]
fn a_bulk_load_of_files_is_whole_or_nothing_and_refuses_owned_graphs() {
    use hypatia::store::writes::{rdf_format_of, LoadOptions};
    use std::io::Write;
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/jats")]);
    let files = tempfile::tempdir().unwrap();
    // 3,000 quads in three graphs, gzip-compressed; with a 1 MB budget the loader builds them
    // in several batches of sorted files before it adds any to the store.
    let lines: String = (0..3000)
        .map(|i| format!("<urn:s{i}> <urn:p> \"{i}\" <urn:g:{}> .\n", i % 3))
        .collect();
    let gz = files.path().join("dump.nq.gz");
    let mut w = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    w.write_all(lines.as_bytes()).unwrap();
    w.finish().unwrap();
    assert_eq!(rdf_format_of(&gz), Some(oxigraph::io::RdfFormat::NQuads));
    let small = LoadOptions {
        memory_mb: Some(1),
        ..Default::default()
    };
    let before = store.graph().len().unwrap();
    assert_eq!(store.load_file(&gz, &small).unwrap(), 3000);
    assert_eq!(store.graph().len().unwrap(), before + 3000);
    // Loading it again stores nothing new (no blank nodes in it).
    assert_eq!(store.load_file(&gz, &small).unwrap(), 3000);
    assert_eq!(store.graph().len().unwrap(), before + 3000);

    // A file whose last quad is in a paper's graph: nothing of it is stored, though the
    // batches before that quad were already built.
    let paper = store
        .graph()
        .graph_names()
        .unwrap()
        .into_iter()
        .find(|g| g.starts_with(&format!("{BASE}graph/paper/")))
        .unwrap();
    let bad = files.path().join("bad.nq");
    let more: String = (0..2500)
        .map(|i| format!("<urn:t{i}> <urn:p> \"{i}\" <urn:g:new> .\n"))
        .collect();
    std::fs::write(&bad, format!("{more}<urn:s> <urn:p> <urn:o> <{paper}> .\n")).unwrap();
    let err = store.load_file(&bad, &small).unwrap_err().to_string();
    assert!(err.contains("bad.nq (quad 2501)") && err.contains(&paper), "{err}");
    assert_eq!(
        store.graph().len().unwrap(),
        before + 3000,
        "nothing of bad.nq was stored"
    );
    assert!(!store
        .graph()
        .has_graph(oxigraph::model::NamedNodeRef::new("urn:g:new").unwrap())
        .unwrap());

    // Triples into a named graph; blank nodes are the document's own in each load.
    let ttl = files.path().join("vocab.ttl");
    std::fs::write(&ttl, "_:b <urn:p> <urn:o> .\n<urn:c> <urn:label> \"a concept\" .\n").unwrap();
    let into = LoadOptions {
        graph: Some(oxigraph::model::NamedNode::new("urn:vocab").unwrap()),
        ..Default::default()
    };
    assert_eq!(store.load_file(&ttl, &into).unwrap(), 2);
    assert_eq!(store.load_file(&ttl, &into).unwrap(), 2);
    let n = match store
        .graph()
        .query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:vocab> { ?s ?p ?o } }",
            &[],
            &[],
        )
        .unwrap()
    {
        // The solutions hold the store open: read them here.
        oxigraph::sparql::QueryResults::Solutions(mut s) => s.next().unwrap().unwrap().get("n").unwrap().to_string(),
        _ => panic!("a SELECT gives solutions"),
    };
    assert!(
        n.starts_with("\"3\""),
        "two loads of one blank node and one IRI triple: {n}"
    );
    // Into a paper's graph by option: refused before anything is written.
    let owned = LoadOptions {
        graph: Some(oxigraph::model::NamedNode::new(paper.as_str()).unwrap()),
        ..Default::default()
    };
    let err = store.load_file(&ttl, &owned).unwrap_err().to_string();
    assert!(err.contains("protected graph"), "{err}");
    // A name that says no format, a relative IRI without a base, a missing file.
    let txt = files.path().join("notes.csv");
    std::fs::write(&txt, "<urn:s> <urn:p> <urn:o> .").unwrap();
    assert!(store
        .load_file(&txt, &LoadOptions::default())
        .unwrap_err()
        .to_string()
        .contains("notes.csv"));
    let rel = files.path().join("rel.ttl");
    std::fs::write(&rel, "<a> <urn:p> <urn:o> .").unwrap();
    let err = store.load_file(&rel, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("rel.ttl") && err.contains("line 1"), "{err}");
    let based = LoadOptions {
        base: Some("http://example.org/".into()),
        ..Default::default()
    };
    assert_eq!(store.load_file(&rel, &based).unwrap(), 1);
    assert!(store
        .load_file(&files.path().join("missing.nq"), &LoadOptions::default())
        .is_err());
    drop(store);
    // The store opens again, consistent, with what was loaded.
    let store = reopen(&dir, e.identity());
    assert!(store.check_consistency().unwrap().is_consistent());
    assert!(store
        .graph()
        .has_graph(oxigraph::model::NamedNodeRef::new("urn:g:2").unwrap())
        .unwrap());
}

#[test]
fn hypatia_load_reports_each_file_and_goes_on_after_a_failure() {
    let (data, store) = temp_store(hash_embedder().identity());
    drop(store);
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("good.nt");
    std::fs::write(&good, "<urn:s> <urn:p> <urn:o> .\n<urn:s> <urn:p> <urn:o2> .\n").unwrap();
    let bad = files.path().join("bad.ttl");
    std::fs::write(&bad, "<urn:s> <urn:p> .\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypatia"))
        .env("HYPATIA_LOG", "warn")
        .args(["--data-dir"])
        .arg(data.path().join("data"))
        .arg("load")
        .arg(&bad)
        .arg(&good)
        .args(["--graph", "urn:loaded"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "one file failed");
    assert!(stderr.contains("bad.ttl") && stderr.contains("line 1"), "{stderr}");
    assert!(stderr.contains("1 of 2 files failed"), "{stderr}");
    assert!(
        stdout.contains("loaded 2 quads from") && stdout.contains("good.nt"),
        "{stdout}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypatia"))
        .env("HYPATIA_LOG", "warn")
        .args(["--data-dir"])
        .arg(data.path().join("data"))
        .args([
            "sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:loaded> { ?s ?p ?o } }",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "?n\n2\n", "{out:?}");
}

#[test]
fn a_store_already_open_is_refused_with_an_error_that_says_so() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let again = hypatia::store::Store::open(
        &dir.path().join("data"),
        &hypatia::store::StoreOptions {
            model: Some(e.identity()),
            ..Default::default()
        },
    );
    let err = again.err().expect("RocksDB admits one open").to_string();
    assert!(err.contains("already open") && err.contains("hypatia serve"), "{err}");
    drop(store);
}
