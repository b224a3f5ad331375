//! The W3C SPARQL 1.1 test suite, run as data through the HTTP endpoints of a real server.
//!
//! The manifests in `tests/fixtures/w3c-sparql11/` are read as RDF; every query-evaluation,
//! update-evaluation and syntax test is run against one server on a loopback port over a RocksDB
//! store in a temp dir, emptied (`DROP ALL` over HTTP) before each test. Data goes in with the
//! Graph Store Protocol (`PUT /store`), queries and updates go to `/sparql`, and results are
//! compared as the suite defines them: solution multisets (sequences under `ORDER BY`) and graphs
//! up to blank-node renaming, update results as the expected default and named graphs.
//!
//! The Protocol and Graph Store Protocol manifests describe HTTP exchanges in RDF; those requests
//! are sent as written (paths mapped to `/sparql` and `/store`) and the responses checked.
//!
//! A test in `skips.tsv` is not run; one in `known-failures.tsv` must fail (the engine's
//! limitation, with the reason); any other failure, and any known failure that passes, fails this
//! test, so that both a regression and a stale list are seen. Counts per manifest are printed.
//!
//! Two things the HTTP Protocol cannot carry are stated in the requests instead: a test's base
//! IRI (its file's IRI) as a `BASE` line before the query, and its dataset as
//! `default-graph-uri` / `named-graph-uri` (the default graph's data goes into a graph of its
//! own, since queries without a dataset see the union of all graphs on this server).

use hypatia::embed::Embedder;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use hypatia::serve::http::{spawn, AppState};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::{BlankNode, Dataset, Graph, Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use spargebra::algebra::GraphPattern;
use spargebra::{Query, SparqlParser};

use super::common::{fixtures, temp_store};

/// The IRI the suite's files are published under; manifests are read as if from there.
const SUITE: &str = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/";
const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const QT: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#";
const UT: &str = "http://www.w3.org/2009/sparql/tests/test-update#";
const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// Where a query test's default-graph data goes (see the module docs).
const DEFAULT_DATA: &str = "urn:x-hypatia:w3c:default-graph";

fn dir() -> PathBuf {
    fixtures().join("w3c-sparql11")
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new(s).unwrap()
}

/// A suite IRI's local file.
fn local(file: &str) -> PathBuf {
    dir().join(
        file.strip_prefix(SUITE)
            .unwrap_or_else(|| panic!("{file} is outside the suite")),
    )
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(local(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn format_of(file: &str) -> RdfFormat {
    RdfFormat::from_extension(file.rsplit('.').next().unwrap_or(""))
        .unwrap_or_else(|| panic!("{file}: no RDF format for this extension"))
}

/// A manifest file as a graph.
fn manifest(file: &str) -> Graph {
    RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri(file)
        .unwrap()
        .for_slice(&read(file))
        .map(|q| Triple::from(q.unwrap_or_else(|e| panic!("{file}: {e}"))))
        .collect()
}

fn object(g: &Graph, s: &NamedOrBlankNode, p: &str) -> Option<Term> {
    g.object_for_subject_predicate(s, &iri(p)).map(|t| t.into_owned())
}

fn objects(g: &Graph, s: &NamedOrBlankNode, p: &str) -> Vec<Term> {
    g.objects_for_subject_predicate(s, &iri(p))
        .map(|t| t.into_owned())
        .collect()
}

fn subject(t: &Term) -> NamedOrBlankNode {
    match t {
        Term::NamedNode(n) => n.clone().into(),
        Term::BlankNode(b) => b.clone().into(),
        other => panic!("{other} is not a node"),
    }
}

fn named(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_string(),
        other => panic!("{other} is not an IRI"),
    }
}

/// The members of an RDF list.
fn list(g: &Graph, head: &Term) -> Vec<Term> {
    let mut out = Vec::new();
    let mut node = head.clone();
    while node != Term::NamedNode(iri(&format!("{RDF}nil"))) {
        let s = subject(&node);
        out.push(object(g, &s, &format!("{RDF}first")).expect("rdf:first"));
        node = object(g, &s, &format!("{RDF}rest")).expect("rdf:rest");
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    QueryEvaluation,
    UpdateEvaluation,
    PositiveQuerySyntax,
    NegativeQuerySyntax,
    PositiveUpdateSyntax,
    NegativeUpdateSyntax,
}

struct Test {
    iri: String,
    kind: Option<Kind>,
    type_name: String,
    graph: Arc<Graph>,
    node: NamedOrBlankNode,
}

/// The tests of one sub-manifest, in manifest order.
fn tests_of(file: &str) -> (String, Vec<Test>) {
    let g = Arc::new(manifest(file));
    let me: NamedOrBlankNode = iri(file).into();
    let label = object(&g, &me, &format!("{RDFS}label"))
        .map(|t| match t {
            Term::Literal(l) => l.value().to_string(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| {
            let folder = file.strip_prefix(SUITE).unwrap_or(file);
            folder.split('/').next().unwrap_or(folder).to_string()
        });
    let entries = object(&g, &me, &format!("{MF}entries")).expect("mf:entries");
    let tests = list(&g, &entries)
        .iter()
        .map(|t| {
            let node = subject(t);
            let ty = named(&object(&g, &node, &format!("{RDF}type")).expect("rdf:type"));
            let type_name = ty.rsplit(['#', '/']).next().unwrap_or("").to_string();
            let kind = match type_name.as_str() {
                "QueryEvaluationTest" => Some(Kind::QueryEvaluation),
                "UpdateEvaluationTest" => Some(Kind::UpdateEvaluation),
                "PositiveSyntaxTest11" => Some(Kind::PositiveQuerySyntax),
                "NegativeSyntaxTest11" => Some(Kind::NegativeQuerySyntax),
                "PositiveUpdateSyntaxTest11" => Some(Kind::PositiveUpdateSyntax),
                "NegativeUpdateSyntaxTest11" => Some(Kind::NegativeUpdateSyntax),
                _ => None,
            };
            Test {
                iri: named(t),
                kind,
                type_name,
                graph: g.clone(),
                node,
            }
        })
        .collect();
    (label, tests)
}

/// The sub-manifests a top manifest includes.
fn includes(top: &str) -> Vec<String> {
    let file = format!("{SUITE}{top}");
    let g = manifest(&file);
    let head = object(&g, &iri(&file).into(), &format!("{MF}include")).expect("mf:include");
    list(&g, &head).iter().map(named).collect()
}

/// `IRI<TAB>reason` lines (comments and blank lines skipped); a line without a reason fails.
fn reasons(name: &str) -> BTreeMap<String, String> {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let (iri, reason) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("{name}:{}: expected IRI<TAB>reason", i + 1));
            assert!(!reason.trim().is_empty(), "{name}:{}: no reason", i + 1);
            (iri.to_string(), reason.to_string())
        })
        .collect()
}

/// One server over one store, and a client.
struct Endpoint {
    _dir: tempfile::TempDir,
    store: Arc<hypatia::store::Store>,
    server: hypatia::serve::http::RunningServer,
    client: reqwest::blocking::Client,
}

impl Endpoint {
    fn start() -> Self {
        let (dir, store) = temp_store(hypatia::embed::HashEmbedder::new(8).identity());
        let store = Arc::new(store);
        let server = spawn(
            AppState {
                store: store.clone(),
                embedder: None,
                backup_dir: None,
                access: std::sync::Arc::new(hypatia::serve::http::Access::open(true)),
                limits: Default::default(),
            },
            "127.0.0.1:0",
        )
        .unwrap();
        let client = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap();
        Endpoint {
            _dir: dir,
            store,
            server,
            client,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr())
    }

    /// Sends an update; the status and body.
    fn update(&self, update: &str) -> (u16, String) {
        let r = self
            .client
            .post(self.url("/sparql"))
            .header("Content-Type", "application/sparql-update")
            .body(update.to_string())
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    }

    fn reset(&self) {
        let (status, body) = self.update("DROP ALL");
        assert_eq!(status, 204, "DROP ALL: {body}");
    }

    /// Loads a file into a graph (`None`: the default graph) with the Graph Store Protocol.
    fn load(&self, file: &str, graph: Option<&str>) -> Result<(), String> {
        let format = format_of(file);
        let target = match graph {
            Some(g) => format!("graph={}", urlencode(g)),
            None => "default".to_string(),
        };
        // The Graph Store Protocol resolves a body's relative IRIs against the graph's IRI; the
        // suite means the file's, so the runner makes them absolute first.
        let triples: Vec<Triple> = RdfParser::from_format(format)
            .with_base_iri(file)
            .unwrap()
            .for_slice(&read(file))
            .map(|q| q.map(Triple::from).map_err(|e| format!("{file}: {e}")))
            .collect::<Result<_, _>>()?;
        let mut body = String::new();
        for t in &triples {
            body.push_str(&format!("{t} .\n"));
        }
        let r = self
            .client
            .post(self.url(&format!("/store?{target}")))
            .header("Content-Type", "application/n-triples")
            .body(body)
            .send()
            .unwrap();
        match r.status().as_u16() {
            201 | 204 => Ok(()),
            s => Err(format!("loading {file}: {s} {}", r.text().unwrap_or_default())),
        }
    }

    /// Everything the store holds, as a dataset.
    fn dataset(&self) -> Dataset {
        self.store.graph().oxigraph().iter().map(|q| q.unwrap()).collect()
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string()
}

/// Outcome of one test.
enum Outcome {
    Pass,
    Fail(String),
}

fn check(cond: bool, why: impl FnOnce() -> String) -> Outcome {
    if cond {
        Outcome::Pass
    } else {
        Outcome::Fail(why())
    }
}

/// A test's request text, with its file's IRI as base.
fn with_base(file: &str) -> String {
    let text = String::from_utf8(read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    format!("BASE <{file}>\n{text}")
}

fn action_file(t: &Test, p: &str) -> Option<String> {
    let action = object(&t.graph, &t.node, &format!("{MF}action"))?;
    match action {
        Term::NamedNode(n) => Some(n.as_str().to_string()),
        b => object(&t.graph, &subject(&b), p).map(|f| named(&f)),
    }
}

/// Runs a syntax test: the request goes to the endpoint, and a syntax error must come back
/// exactly when the test is negative (other errors, e.g. of evaluation, are not the parser's).
fn run_syntax(ep: &Endpoint, t: &Test, update: bool, positive: bool) -> Outcome {
    let file = action_file(t, &format!("{QT}query")).expect("mf:action");
    let text = with_base(&file);
    ep.reset();
    let (status, body) = if update {
        ep.update(&text)
    } else {
        let r = ep
            .client
            .post(ep.url("/sparql"))
            .header("Content-Type", "application/sparql-query")
            .header("Accept", "application/sparql-results+json, application/n-triples")
            .body(text)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let syntax_error = status == 400 && body.contains("\"sparql_syntax\"");
    if positive {
        check(!syntax_error && status < 500, || format!("{status} {body}"))
    } else {
        check(syntax_error, || format!("expected a syntax error, got {status} {body}"))
    }
}

/// The top of a query's algebra under projection, distinct and slice.
fn ordered(q: &Query) -> bool {
    let mut p = match q {
        Query::Select { pattern, .. } => pattern,
        _ => return false,
    };
    loop {
        p = match p {
            GraphPattern::Project { inner, .. }
            | GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. } => inner,
            GraphPattern::OrderBy { .. } => return true,
            _ => return false,
        }
    }
}

/// A result set as a graph (one blank node per solution, its bindings as triples, its index
/// when the order matters), so that two result sets are equal exactly when these graphs are
/// isomorphic: multisets of solutions up to blank-node renaming.
fn results_graph(variables: &[String], rows: Vec<Vec<(String, Term)>>, ordered: bool) -> Graph {
    let mut g = Graph::new();
    let head = BlankNode::default();
    for v in variables {
        g.insert(&Triple::new(
            head.clone(),
            iri("urn:x-rs:variable"),
            Literal::new_simple_literal(v),
        ));
    }
    for (i, row) in rows.into_iter().enumerate() {
        let s = BlankNode::default();
        g.insert(&Triple::new(head.clone(), iri("urn:x-rs:solution"), s.clone()));
        if ordered {
            g.insert(&Triple::new(s.clone(), iri("urn:x-rs:index"), Literal::from(i as i64)));
        }
        for (var, value) in row {
            g.insert(&Triple::new(s.clone(), iri(&format!("urn:x-rs:var:{var}")), value));
        }
    }
    g
}

enum Results {
    Boolean(bool),
    /// The solutions as a graph (see [`results_graph`]) and as text, for messages.
    Solutions(Graph, Vec<String>),
    Graph(Graph),
}

fn parse_results(bytes: &[u8], format: QueryResultsFormat, ordered: bool) -> Result<Results, String> {
    match QueryResultsParser::from_format(format)
        .for_slice(bytes)
        .map_err(|e| e.to_string())?
    {
        SliceQueryResultsParserOutput::Boolean(b) => Ok(Results::Boolean(b)),
        SliceQueryResultsParserOutput::Solutions(s) => {
            let variables: Vec<String> = s.variables().iter().map(|v| v.as_str().to_string()).collect();
            let rows = s
                .map(|r| {
                    r.map(|r| {
                        r.iter()
                            .map(|(v, t)| (v.as_str().to_string(), t.clone()))
                            .collect::<Vec<_>>()
                    })
                    .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let text = rows
                .iter()
                .map(|r| r.iter().map(|(v, t)| format!("?{v}={t}")).collect::<Vec<_>>().join(" "))
                .collect();
            Ok(Results::Solutions(results_graph(&variables, rows, ordered), text))
        }
    }
}

fn parse_graph(bytes: &[u8], format: RdfFormat, base: Option<&str>) -> Result<Graph, String> {
    let mut parser = RdfParser::from_format(format);
    if let Some(b) = base {
        parser = parser.with_base_iri(b).map_err(|e| e.to_string())?;
    }
    parser
        .for_slice(bytes)
        .map(|q| q.map(Triple::from).map_err(|e| e.to_string()))
        .collect()
}

/// The graph with numeric and boolean literals in one lexical form per value: only to say, in a
/// failure message, that two results differ in lexical forms alone (term equality is the test).
fn by_value(g: &Graph) -> Graph {
    const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
    let norm = |l: &Literal| -> Option<Literal> {
        let dt = l.datatype().as_str().strip_prefix(XSD)?;
        let v = l.value().trim();
        let canonical = match dt {
            "boolean" => (v == "true" || v == "1").to_string(),
            "double" | "float" => format!("{:e}", v.parse::<f64>().ok()?),
            "decimal" => {
                let v = v.strip_prefix('+').unwrap_or(v);
                let (neg, v) = v.strip_prefix('-').map_or((false, v), |r| (true, r));
                let (int, frac) = v.split_once('.').unwrap_or((v, ""));
                let (int, frac) = (int.trim_start_matches('0'), frac.trim_end_matches('0'));
                let body = format!(
                    "{}{}{frac}",
                    if int.is_empty() { "0" } else { int },
                    if frac.is_empty() { "" } else { "." }
                );
                if neg && body != "0" {
                    format!("-{body}")
                } else {
                    body
                }
            }
            _ if dt.ends_with("nteger") || ["int", "long", "short", "byte"].contains(&dt) => {
                v.parse::<i128>().ok()?.to_string()
            }
            _ => return None,
        };
        Some(Literal::new_typed_literal(canonical, l.datatype().into_owned()))
    };
    g.iter()
        .map(|t| {
            let object = match t.object {
                oxigraph::model::TermRef::Literal(l) => {
                    norm(&l.into_owned()).map_or_else(|| t.object.into_owned(), Term::from)
                }
                other => other.into_owned(),
            };
            Triple::new(t.subject.into_owned(), t.predicate.into_owned(), object)
        })
        .collect()
}

fn canonical(mut g: Graph) -> Graph {
    g.canonicalize(CanonicalizationAlgorithm::Unstable);
    g
}

fn same(expected: Results, actual: Results) -> Outcome {
    match (expected, actual) {
        (Results::Boolean(e), Results::Boolean(a)) => check(e == a, || format!("expected {e}, got {a}")),
        (Results::Solutions(e, et), Results::Solutions(a, at)) => {
            let by_value = canonical(by_value(&e)) == canonical(by_value(&a));
            check(canonical(e) == canonical(a), || {
                let missing: Vec<&String> = et.iter().filter(|r| !at.contains(r)).collect();
                let extra: Vec<&String> = at.iter().filter(|r| !et.contains(r)).collect();
                format!(
                    "{} solutions expected, {} returned{}; expected, not returned: {missing:?}; returned, not expected: \
                     {extra:?}",
                    et.len(),
                    at.len(),
                    if by_value { " (equal by the value of numeric and boolean literals)" } else { "" }
                )
            })
        }
        (Results::Graph(e), Results::Graph(a)) => {
            let (e, a) = (canonical(e), canonical(a));
            check(e == a, || format!("expected\n{e}\ngot\n{a}"))
        }
        _ => Outcome::Fail("a different kind of result".into()),
    }
}

fn expected_results(file: &str, ordered: bool, is_graph: bool) -> Result<Results, String> {
    let ext = file.rsplit('.').next().unwrap_or("");
    let bytes = read(file);
    match ext {
        "srx" => parse_results(&bytes, QueryResultsFormat::Xml, ordered),
        "srj" => parse_results(&bytes, QueryResultsFormat::Json, ordered),
        "tsv" => parse_results(&bytes, QueryResultsFormat::Tsv, ordered),
        _ => {
            let g = parse_graph(&bytes, format_of(file), Some(file))?;
            if is_graph {
                Ok(Results::Graph(g))
            } else {
                rdf_result_set(&g, ordered)
            }
        }
    }
}

/// A result set written in the suite's RDF vocabulary (`rs:ResultSet`).
fn rdf_result_set(g: &Graph, ordered: bool) -> Result<Results, String> {
    const RS: &str = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#";
    let set = g
        .subjects_for_predicate_object(&iri(&format!("{RDF}type")), &iri(&format!("{RS}ResultSet")))
        .next()
        .ok_or("no rs:ResultSet")?
        .into_owned();
    if let Some(Term::Literal(b)) = object(g, &set, &format!("{RS}boolean")) {
        return Ok(Results::Boolean(b.value() == "true"));
    }
    let text = |t: Term| match t {
        Term::Literal(l) => l.value().to_string(),
        other => other.to_string(),
    };
    let variables: Vec<String> = objects(g, &set, &format!("{RS}resultVariable"))
        .into_iter()
        .map(text)
        .collect();
    let mut rows: Vec<(i64, Vec<(String, Term)>)> = objects(g, &set, &format!("{RS}solution"))
        .iter()
        .map(|sol| {
            let sol = subject(sol);
            let index = object(g, &sol, &format!("{RS}index"))
                .and_then(|i| text(i).parse().ok())
                .unwrap_or(0);
            let bindings = objects(g, &sol, &format!("{RS}binding"))
                .iter()
                .map(|b| {
                    let b = subject(b);
                    let var = text(object(g, &b, &format!("{RS}variable")).expect("rs:variable"));
                    (var, object(g, &b, &format!("{RS}value")).expect("rs:value"))
                })
                .collect();
            (index, bindings)
        })
        .collect();
    rows.sort_by_key(|(i, _)| *i);
    let rows: Vec<Vec<(String, Term)>> = rows.into_iter().map(|(_, r)| r).collect();
    let text = rows
        .iter()
        .map(|r| r.iter().map(|(v, t)| format!("?{v}={t}")).collect::<Vec<_>>().join(" "))
        .collect();
    Ok(Results::Solutions(results_graph(&variables, rows, ordered), text))
}

fn query_over_http(ep: &Endpoint, t: &Test) -> Outcome {
    let action = subject(&object(&t.graph, &t.node, &format!("{MF}action")).expect("mf:action"));
    let query_file = named(&object(&t.graph, &action, &format!("{QT}query")).expect("qt:query"));
    let text = with_base(&query_file);
    let query = match SparqlParser::new().parse_query(&text) {
        Ok(q) => q,
        Err(e) => return Outcome::Fail(format!("the runner cannot parse the query: {e}")),
    };
    ep.reset();
    let data: Vec<String> = objects(&t.graph, &action, &format!("{QT}data"))
        .iter()
        .map(named)
        .collect();
    let graph_data: Vec<String> = objects(&t.graph, &action, &format!("{QT}graphData"))
        .iter()
        .map(named)
        .collect();
    for f in &data {
        if let Err(e) = ep.load(f, Some(DEFAULT_DATA)) {
            return Outcome::Fail(e);
        }
    }
    for f in &graph_data {
        if let Err(e) = ep.load(f, Some(f)) {
            return Outcome::Fail(e);
        }
    }
    let mut form: Vec<(String, String)> = vec![("query".into(), text)];
    match query.dataset() {
        // FROM / FROM NAMED name the suite's files: they are loaded as graphs of those names.
        Some(ds) => {
            for g in ds.default.iter().chain(ds.named.iter().flatten()) {
                if let Err(e) = ep.load(g.as_str(), Some(g.as_str())) {
                    return Outcome::Fail(e);
                }
            }
        }
        None => {
            form.push(("default-graph-uri".into(), DEFAULT_DATA.into()));
            form.extend(graph_data.iter().map(|g| ("named-graph-uri".to_string(), g.clone())));
        }
    }
    let is_graph = matches!(query, Query::Construct { .. } | Query::Describe { .. });
    let accept = if is_graph {
        "application/n-triples"
    } else {
        "application/sparql-results+json"
    };
    let r = ep
        .client
        .post(ep.url("/sparql"))
        .header("Accept", accept)
        .form(&form)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().unwrap();
    if status != 200 {
        return Outcome::Fail(format!("{status} {}", String::from_utf8_lossy(&bytes)));
    }
    let ordered = ordered(&query);
    let actual = if is_graph {
        parse_graph(&bytes, RdfFormat::NTriples, None).map(Results::Graph)
    } else {
        parse_results(&bytes, QueryResultsFormat::Json, ordered)
    };
    let actual = match actual {
        Ok(a) => a,
        Err(e) => return Outcome::Fail(format!("the server's answer does not parse: {e}")),
    };
    let result = named(&object(&t.graph, &t.node, &format!("{MF}result")).expect("mf:result"));
    match expected_results(&result, ordered, is_graph) {
        Ok(expected) => same(expected, actual),
        Err(e) => Outcome::Fail(format!("{result}: {e}")),
    }
}

/// Marks a failure that oxigraph alone shows too.
const ENGINE_TOO: &str = "[oxigraph alone fails the same way]";

/// Runs a query test over HTTP; when it fails, runs it again on oxigraph alone and says whether
/// the engine fails the same way (the `known-failures.tsv` entries must) or passes (our bug).
fn run_query(ep: &Endpoint, t: &Test) -> Outcome {
    match query_over_http(ep, t) {
        Outcome::Pass => Outcome::Pass,
        Outcome::Fail(why) => {
            let note = match query_on_engine_alone(t) {
                Ok(Outcome::Fail(_)) => ENGINE_TOO.to_string(),
                Ok(Outcome::Pass) => "[oxigraph alone passes: the failure is in our layer]".to_string(),
                Err(e) => format!("[oxigraph alone could not run it: {e}]"),
            };
            Outcome::Fail(format!("{why}\n{note}"))
        }
    }
}

/// The query test on an in-memory oxigraph store, without HTTP: the test's default data in the
/// store's default graph, its named graphs (and `FROM` files) under their IRIs.
fn query_on_engine_alone(t: &Test) -> Result<Outcome, String> {
    use oxigraph::sparql::SparqlEvaluator;
    let action = subject(&object(&t.graph, &t.node, &format!("{MF}action")).ok_or("no action")?);
    let query_file = named(&object(&t.graph, &action, &format!("{QT}query")).ok_or("no query")?);
    let text = with_base(&query_file);
    let query = SparqlParser::new().parse_query(&text).map_err(|e| e.to_string())?;
    let store = oxigraph::store::Store::new().map_err(|e| e.to_string())?;
    let load = |f: &str, g: oxigraph::model::GraphName| -> Result<(), String> {
        for tr in &parse_graph(&read(f), format_of(f), Some(f))? {
            store
                .insert(&tr.into_owned().in_graph(g.clone()))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    for f in objects(&t.graph, &action, &format!("{QT}data")).iter().map(named) {
        load(&f, oxigraph::model::GraphName::DefaultGraph)?;
    }
    let mut named_files: Vec<String> = objects(&t.graph, &action, &format!("{QT}graphData"))
        .iter()
        .map(named)
        .collect();
    if let Some(ds) = query.dataset() {
        named_files.extend(
            ds.default
                .iter()
                .chain(ds.named.iter().flatten())
                .map(|g| g.as_str().to_string()),
        );
    }
    for f in &named_files {
        load(f, iri(f).into())?;
    }
    let is_graph = matches!(query, Query::Construct { .. } | Query::Describe { .. });
    let ordered = ordered(&query);
    let results = SparqlEvaluator::new()
        .parse_query(&text)
        .map_err(|e| e.to_string())?
        .on_store(&store)
        .execute();
    let results = match results {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::Fail(e.to_string())),
    };
    let accept = if is_graph {
        "application/n-triples"
    } else {
        "application/sparql-results+json"
    };
    let (bytes, _) = hypatia::serve::http::serialize_results(results, Some(accept)).map_err(|e| e.to_string())?;
    let actual = if is_graph {
        parse_graph(&bytes, RdfFormat::NTriples, None).map(Results::Graph)?
    } else {
        parse_results(&bytes, QueryResultsFormat::Json, ordered)?
    };
    let result = named(&object(&t.graph, &t.node, &format!("{MF}result")).ok_or("no result")?);
    Ok(same(expected_results(&result, ordered, is_graph)?, actual))
}

/// `ut:data` (default graph) and `ut:graphData` (named by their label) of an action or result.
fn update_state(t: &Test, node: &NamedOrBlankNode) -> (Vec<String>, Vec<(String, String)>) {
    let data = objects(&t.graph, node, &format!("{UT}data"))
        .iter()
        .map(named)
        .collect();
    let graphs = objects(&t.graph, node, &format!("{UT}graphData"))
        .iter()
        .map(|gd| {
            let gd = subject(gd);
            let file = named(&object(&t.graph, &gd, &format!("{UT}graph")).expect("ut:graph"));
            let label = match object(&t.graph, &gd, &format!("{RDFS}label")).expect("rdfs:label") {
                Term::Literal(l) => l.value().to_string(),
                other => panic!("label {other}"),
            };
            (file, label)
        })
        .collect();
    (data, graphs)
}

fn run_update(ep: &Endpoint, t: &Test) -> Outcome {
    let action = subject(&object(&t.graph, &t.node, &format!("{MF}action")).expect("mf:action"));
    let request = named(&object(&t.graph, &action, &format!("{UT}request")).expect("ut:request"));
    ep.reset();
    let (data, graphs) = update_state(t, &action);
    for f in &data {
        if let Err(e) = ep.load(f, None) {
            return Outcome::Fail(e);
        }
    }
    for (f, g) in &graphs {
        if let Err(e) = ep.load(f, Some(g)) {
            return Outcome::Fail(e);
        }
    }
    let (status, body) = ep.update(&with_base(&request));
    if status != 204 {
        return Outcome::Fail(format!("{status} {body}"));
    }
    let result = subject(&object(&t.graph, &t.node, &format!("{MF}result")).expect("mf:result"));
    let (data, graphs) = update_state(t, &result);
    let mut expected = Dataset::new();
    let files = data
        .iter()
        .map(|f| (f, None))
        .chain(graphs.iter().map(|(f, g)| (f, Some(g))));
    for (f, g) in files {
        let triples = match parse_graph(&read(f), format_of(f), Some(f)) {
            Ok(t) => t,
            Err(e) => return Outcome::Fail(format!("{f}: {e}")),
        };
        for tr in &triples {
            let q = match g {
                Some(g) => tr.into_owned().in_graph(iri(g)),
                None => tr.into_owned().in_graph(oxigraph::model::GraphName::DefaultGraph),
            };
            expected.insert(&q);
        }
    }
    let mut actual = ep.dataset();
    expected.canonicalize(CanonicalizationAlgorithm::Unstable);
    actual.canonicalize(CanonicalizationAlgorithm::Unstable);
    check(expected == actual, || {
        let show = |d: &Dataset| {
            d.iter()
                .map(|q| Quad::from(q).to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        format!("expected\n{}\ngot\n{}", show(&expected), show(&actual))
    })
}

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Counts {
    /// Counts test `name`'s outcome. A failure not in `known`, and a listed test that passes,
    /// go to `unexpected`; a listed failure's reason is returned (for further checks).
    fn record(
        &mut self,
        name: &str,
        outcome: Outcome,
        known: &BTreeMap<String, String>,
        unexpected: &mut Vec<String>,
    ) -> Option<String> {
        match (outcome, known.contains_key(name)) {
            (Outcome::Pass, listed) => {
                self.passed += 1;
                if listed {
                    unexpected.push(format!("{name}: passes; remove it from known-failures.tsv"));
                }
                None
            }
            (Outcome::Fail(why), true) => {
                self.failed += 1;
                Some(why)
            }
            (Outcome::Fail(why), false) => {
                self.failed += 1;
                unexpected.push(format!("{name}: {why}"));
                None
            }
        }
    }

    fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }

    /// A line of the printed report.
    fn line(&self, suite: &str, label: &str) -> String {
        format!(
            "{suite:8} {label:40} passed {:3}  failed {:3}  skipped {:3}",
            self.passed, self.failed, self.skipped
        )
    }
}

#[test]
fn w3c_sparql11_query_and_update_suites_pass_through_http() {
    let skips = reasons("skips.tsv");
    let known = reasons("known-failures.tsv");
    let ep = Endpoint::start();
    let mut seen = BTreeSet::new();
    let mut unexpected = Vec::new();
    let mut report = Vec::new();
    for (suite, top) in [
        ("query", "manifest-sparql11-query.ttl"),
        ("update", "manifest-sparql11-update.ttl"),
    ] {
        let mut total = Counts::default();
        for sub in includes(top) {
            let (label, tests) = tests_of(&sub);
            let mut c = Counts::default();
            for t in &tests {
                seen.insert(t.iri.clone());
                if skips.contains_key(&t.iri) {
                    c.skipped += 1;
                    continue;
                }
                let outcome = match t.kind {
                    Some(Kind::QueryEvaluation) => run_query(&ep, t),
                    Some(Kind::UpdateEvaluation) => run_update(&ep, t),
                    Some(Kind::PositiveQuerySyntax) => run_syntax(&ep, t, false, true),
                    Some(Kind::NegativeQuerySyntax) => run_syntax(&ep, t, false, false),
                    Some(Kind::PositiveUpdateSyntax) => run_syntax(&ep, t, true, true),
                    Some(Kind::NegativeUpdateSyntax) => run_syntax(&ep, t, true, false),
                    None => Outcome::Fail(format!("no runner for {} and no reason in skips.tsv", t.type_name)),
                };
                if let Some(why) = c.record(&t.iri, outcome, &known, &mut unexpected) {
                    if t.kind == Some(Kind::QueryEvaluation) && !why.contains(ENGINE_TOO) {
                        unexpected.push(format!(
                            "{}: a known engine failure, but oxigraph alone does not fail: {why}",
                            t.iri
                        ));
                    }
                }
            }
            report.push(c.line(suite, &label));
            total.add(&c);
        }
        report.push(total.line(suite, "TOTAL"));
    }
    println!("W3C SPARQL 1.1 through HTTP\n{}", report.join("\n"));
    for listed in skips.keys().chain(known.keys()) {
        if !seen.contains(listed) {
            unexpected.push(format!("{listed}: listed, but not a test of the suite"));
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} unexpected results:\n{}",
        unexpected.len(),
        unexpected.join("\n\n")
    );
}

const HT: &str = "http://www.w3.org/2011/http#";
const CNT: &str = "http://www.w3.org/2011/content#";

fn text_of(g: &Graph, s: &NamedOrBlankNode, p: &str) -> Option<String> {
    object(g, s, p).map(|t| match t {
        Term::Literal(l) => l.value().to_string(),
        other => panic!("{other} is not a literal"),
    })
}

/// The status codes of `http-statusCodes#` names the manifests use, or a class (`StatusCode4xx`
/// is `4`).
fn expected_status(name: &str) -> Result<u16, u16> {
    let local = name
        .strip_prefix("http://www.w3.org/2011/http-statusCodes#")
        .unwrap_or_else(|| panic!("{name}: not an HTTP status"));
    if let Some(class) = local.strip_prefix("StatusCode").and_then(|x| x.strip_suffix("xx")) {
        return Err(class.parse().unwrap_or_else(|_| panic!("{name}: not a status class")));
    }
    Ok(match local {
        "OK" => 200,
        "Created" => 201,
        "NoContent" => 204,
        "BadRequest" => 400,
        "NotFound" => 404,
        "UnsupportedMediaType" => 415,
        other => panic!("{other}: no code known for this status"),
    })
}

/// The media type of a Content-Type value, lower-case, without parameters.
fn media_of(value: &str) -> String {
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Sends one request of a Protocol or Graph Store Protocol test as the manifest spells it
/// (`/sparql/` is this server's `/sparql`, `/gsp` its `/store`), with the values of earlier
/// `mf:expectedLocation`s put in place of their template names, and checks the response: its
/// status (a code or a class), headers (a Content-Type by media type), a result's format and
/// boolean, an RDF body up to blank-node renaming, and a `Location` to remember.
fn protocol_request(ep: &Endpoint, g: &Graph, req: &NamedOrBlankNode, vars: &mut BTreeMap<String, String>) -> Outcome {
    let fill = |text: String| vars.iter().fold(text, |t, (name, value)| t.replace(name, value));
    let method = text_of(g, req, &format!("{HT}methodName")).expect("ht:methodName");
    let path = fill(text_of(g, req, &format!("{HT}absolutePath")).expect("ht:absolutePath"));
    let path = if let Some(rest) = path.strip_prefix("/sparql/") {
        format!(
            "/sparql{}",
            if rest.is_empty() || rest.starts_with('?') {
                rest.to_string()
            } else {
                format!("?{rest}")
            }
        )
    } else if let Some(rest) = path
        .strip_prefix("/gsp")
        .filter(|r| r.is_empty() || r.starts_with(['?', '/']))
    {
        format!("/store{rest}")
    } else {
        path
    };
    let mut r = ep
        .client
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), ep.url(&path));
    if let Some(headers) = object(g, req, &format!("{HT}headers")) {
        for h in list(g, &headers) {
            let h = subject(&h);
            r = r.header(
                text_of(g, &h, &format!("{HT}fieldName")).expect("ht:fieldName"),
                text_of(g, &h, &format!("{HT}fieldValue")).expect("ht:fieldValue"),
            );
        }
    }
    if let Some(body) = object(g, req, &format!("{HT}body")) {
        let body = subject(&body);
        let chars = fill(text_of(g, &body, &format!("{CNT}chars")).expect("cnt:chars"));
        let bytes = match text_of(g, &body, &format!("{CNT}characterEncoding")).as_deref() {
            Some("UTF-16") => chars.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            _ => chars.into_bytes(),
        };
        r = r.body(bytes);
    }
    let res = r.send().unwrap();
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let media = media_of(&header("content-type"));
    let location = header("location");
    let mut got_headers = BTreeMap::new();
    let resp = subject(&object(g, req, &format!("{HT}resp")).expect("ht:resp"));
    let expected_headers: Vec<(String, String)> = object(g, &resp, &format!("{HT}headers"))
        .map(|hs| {
            list(g, &hs)
                .iter()
                .map(|h| {
                    let h = subject(h);
                    (
                        text_of(g, &h, &format!("{HT}fieldName")).expect("ht:fieldName"),
                        text_of(g, &h, &format!("{HT}fieldValue")).expect("ht:fieldValue"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for (name, _) in &expected_headers {
        got_headers.insert(name.clone(), header(name));
    }
    let body = res.bytes().unwrap();
    let expected: Vec<Result<u16, u16>> = objects(g, &resp, &format!("{MF}expectedStatus"))
        .iter()
        .map(|c| expected_status(&named(c)))
        .collect();
    let status_ok = expected.iter().any(|e| match *e {
        Ok(code) => code == status,
        Err(class) => class == status / 100,
    });
    if !status_ok {
        return Outcome::Fail(format!(
            "{method} {path}: status {status}, expected {expected:?} (Ok: a code, Err: a class): {}",
            String::from_utf8_lossy(&body)
        ));
    }
    for (name, want) in &expected_headers {
        let got = &got_headers[name];
        let same = if name.eq_ignore_ascii_case("content-type") {
            media_of(got) == media_of(want)
        } else {
            got == want
        };
        if !same {
            return Outcome::Fail(format!("{method} {path}: {name} `{got}`, expected `{want}`"));
        }
    }
    if let Some(var) = text_of(g, &resp, &format!("{MF}expectedLocation")) {
        if location.is_empty() {
            return Outcome::Fail(format!("{method} {path}: no Location header"));
        }
        vars.insert(var, location);
    }
    if let Some(want) = object(g, &resp, &format!("{HT}body")) {
        let chars = text_of(g, &subject(&want), &format!("{CNT}chars")).expect("cnt:chars");
        let want_media = expected_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| media_of(v))
            .expect("an expected body has an expected Content-Type");
        let want_format = RdfFormat::from_media_type(&want_media).expect("an RDF media type");
        let Some(format) = RdfFormat::from_media_type(&media) else {
            return Outcome::Fail(format!("{method} {path}: `{media}` is not an RDF format"));
        };
        return match (
            parse_graph(chars.as_bytes(), want_format, None),
            parse_graph(&body, format, None),
        ) {
            (Ok(e), Ok(a)) => same(Results::Graph(e), Results::Graph(a)),
            (Err(e), _) => panic!("the manifest's expected body does not parse: {e}"),
            (_, Err(e)) => Outcome::Fail(format!("{method} {path}: unreadable graph: {e}")),
        };
    }
    let Some(format) = text_of(g, &resp, &format!("{MF}expectedFormat")) else {
        return Outcome::Pass;
    };
    match format.as_str() {
        "boolean" | "tabular" => {
            let Some(rf) = QueryResultsFormat::from_media_type(&media) else {
                return Outcome::Fail(format!("{method} {path}: `{media}` is not a results format"));
            };
            match (parse_results(&body, rf, false), format.as_str()) {
                (Ok(Results::Boolean(b)), "boolean") => {
                    let want = text_of(g, &resp, &format!("{MF}expectedBoolean"));
                    check(want.as_ref().is_none_or(|w| *w == b.to_string()), || {
                        format!("{method} {path}: {b}, expected {want:?}")
                    })
                }
                (Ok(Results::Solutions(..)), "tabular") => Outcome::Pass,
                (Ok(_), f) => Outcome::Fail(format!("{method} {path}: not a {f} result")),
                (Err(e), _) => Outcome::Fail(format!("{method} {path}: unreadable result: {e}")),
            }
        }
        "RDF" => check(RdfFormat::from_media_type(&media).is_some(), || {
            format!("{method} {path}: `{media}` is not an RDF format")
        }),
        other => Outcome::Fail(format!("no check for expected format {other}")),
    }
}

/// Runs the tests of one manifest of HTTP exchanges (Protocol, Graph Store Protocol), each on
/// an emptied store with its graphs loaded, its requests in order. Returns the counts and the
/// unexpected results (see `known`).
fn run_http_manifest(ep: &Endpoint, file: &str, known: &BTreeMap<String, String>) -> (Counts, Vec<String>) {
    let g = manifest(file);
    let root = g
        .subject_for_predicate_object(&iri(&format!("{RDF}type")), &iri(&format!("{MF}Manifest")))
        .expect("a manifest")
        .into_owned();
    let entries = list(&g, &object(&g, &root, &format!("{MF}entries")).expect("mf:entries"));
    let (mut c, mut unexpected) = (Counts::default(), Vec::new());
    for t in &entries {
        let node = subject(t);
        let name = named(t);
        ep.reset();
        let mut outcome = Outcome::Pass;
        for data in objects(&g, &node, &format!("{UT}graphData")) {
            let data = subject(&data);
            let graph = named(&object(&g, &data, &format!("{UT}graph")).expect("ut:graph"));
            let label = text_of(&g, &data, &format!("{RDFS}label")).expect("rdfs:label");
            if let Err(e) = ep.load(&graph, Some(&label)) {
                outcome = Outcome::Fail(e);
            }
        }
        let action = subject(&object(&g, &node, &format!("{MF}action")).expect("mf:action"));
        let requests = list(&g, &object(&g, &action, &format!("{HT}requests")).expect("ht:requests"));
        let mut vars = BTreeMap::new();
        for req in &requests {
            if let Outcome::Fail(_) = outcome {
                break;
            }
            outcome = protocol_request(ep, &g, &subject(req), &mut vars);
        }
        c.record(&name, outcome, known, &mut unexpected);
    }
    (c, unexpected)
}

/// The SPARQL 1.1 Protocol tests (`protocol/manifest.ttl`, HTTP requests and expected
/// responses described in RDF).
#[test]
fn w3c_sparql11_protocol_suite_passes_through_http() {
    let known = reasons("known-failures.tsv");
    let ep = Endpoint::start();
    let (c, unexpected) = run_http_manifest(&ep, &format!("{SUITE}protocol/manifest.ttl"), &known);
    println!(
        "W3C SPARQL 1.1 Protocol through HTTP\n{}",
        c.line("protocol", "protocol/manifest.ttl")
    );
    assert_eq!(c.passed + c.failed, 34, "the manifest has 34 tests");
    assert!(
        unexpected.is_empty(),
        "{} unexpected results:\n{}",
        unexpected.len(),
        unexpected.join("\n\n")
    );
}

/// The SPARQL 1.1 Graph Store Protocol tests (`graph-store-protocol/`, HTTP exchanges described
/// in RDF, with `/gsp` standing for `/store`): PUT, GET, POST (also multipart), HEAD and DELETE
/// on named and default graphs named by URL (direct) and by `?graph=` (indirect), graph creation
/// by POST with `Location`, percent-encoded graph IRIs, and the graphs returned compared up to
/// blank-node renaming.
#[test]
fn w3c_graph_store_protocol_suite_passes_through_http() {
    let known = reasons("known-failures.tsv");
    let ep = Endpoint::start();
    let (mut total, mut unexpected, mut report) = (Counts::default(), Vec::new(), Vec::new());
    for file in includes("graph-store-protocol/manifest.ttl") {
        let (c, u) = run_http_manifest(&ep, &file, &known);
        let label = file.strip_prefix(SUITE).unwrap_or(&file).to_string();
        report.push(c.line("gsp", &label));
        total.add(&c);
        unexpected.extend(u);
    }
    println!(
        "W3C SPARQL 1.1 Graph Store Protocol through HTTP\n{}",
        report.join("\n")
    );
    assert_eq!(total.passed + total.failed, 13, "the manifests have 13 tests");
    assert!(
        unexpected.is_empty(),
        "{} unexpected results:\n{}",
        unexpected.len(),
        unexpected.join("\n\n")
    );
}
