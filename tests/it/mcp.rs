//! The MCP server as agents reach it: `hypatia mcp` over stdio (a real child process speaking
//! newline-delimited JSON-RPC), and `/mcp` over streamable HTTP with tokens and DNS-rebinding
//! checks. Real store, real model.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use hypatia::serve::http::{spawn, Access, AppState};
use serde_json::{json, Value};

use super::common::{fixtures, ingest, model, temp_store};

/// A stdio MCP session with a `hypatia mcp` child.
struct StdioSession {
    child: Child,
    stdin: ChildStdin,
    /// The child's stdout, line by line, read on a thread so that a test waiting for a message
    /// that never comes fails instead of hanging.
    stdout: mpsc::Receiver<String>,
    next_id: u64,
}

/// Longest wait for one message from the server: a guard against a hang, not a timing claim.
const PATIENCE: Duration = Duration::from_secs(120);

impl StdioSession {
    fn start(data: &std::path::Path, extra: &[&str]) -> StdioSession {
        Self::start_with(data, extra, &[])
    }

    fn start_with(data: &std::path::Path, extra: &[&str], env: &[(&str, &str)]) -> StdioSession {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hypatia"))
            .arg("mcp")
            .args(extra)
            .env("HYPATIA_DATA_DIR", data)
            .env("HYPATIA_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let (tx, stdout) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut line = String::new();
            match lines.read_line(&mut line) {
                Ok(n) if n > 0 && tx.send(line).is_ok() => {}
                _ => break,
            }
        });
        let mut s = StdioSession {
            child,
            stdin,
            stdout,
            next_id: 1,
        };
        let init = s.call(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": { "name": "hypatia-test", "version": "1" }
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "hypatia", "{init}");
        assert!(init["result"]["capabilities"]["tools"].is_object(), "{init}");
        assert!(init["result"]["capabilities"]["resources"].is_object(), "{init}");
        s.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        s
    }

    fn send(&mut self, msg: &Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and returns its response (skipping notifications).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.call_hearing(method, params).0
    }

    /// Sends a request and returns its response and the notifications that came before it.
    fn call_hearing(&mut self, method: &str, params: Value) -> (Value, Vec<Value>) {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let mut heard = Vec::new();
        loop {
            let v = self.next(method);
            if v["id"] == json!(id) {
                return (v, heard);
            }
            if v.get("id").is_none() {
                heard.push(v);
            }
        }
    }

    /// Sends a request without waiting for its response; returns its id.
    fn request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The next message from the server.
    fn next(&mut self, waiting_for: &str) -> Value {
        let line = self
            .stdout
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no message from the server while waiting for {waiting_for}: {e}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line}"))
    }

    /// Calls a tool; returns its structured content and whether it is an error.
    fn tool(&mut self, name: &str, args: Value) -> (Value, bool) {
        let r = self.call("tools/call", json!({ "name": name, "arguments": args }));
        let result = &r["result"];
        assert!(result.is_object(), "{name}: {r}");
        let structured = result.get("structuredContent").cloned().unwrap_or(Value::Null);
        (structured, result["isError"] == json!(true))
    }
}

impl Drop for StdioSession {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A store with the arXiv and Markdown samples, closed so that a child process can open it.
fn sample_store() -> tempfile::TempDir {
    let m = model();
    let (dir, store) = temp_store(m.identity());
    let report = ingest(
        &store,
        m.as_ref(),
        &[fixtures().join("papers/arxiv"), fixtures().join("papers/markdown")],
    );
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report.papers >= 3, "{report:?}");
    drop(store);
    dir
}

#[test]
fn stdio_tools_resources_and_writes() {
    let dir = sample_store();
    let data = dir.path().join("data");
    let mut s = StdioSession::start(&data, &[]);

    let tools = s.call("tools/list", json!({}));
    let tools = tools["result"]["tools"].as_array().unwrap().clone();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for want in [
        "search",
        "findings",
        "sparql",
        "get_paper",
        "gaps",
        "propose_hypothesis",
        "set_hypothesis_status",
        "log_experiment",
        "compare_hypotheses",
        "hypotheses",
        "novelty",
        "gate",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for t in &tools {
        assert!(!t["description"].as_str().unwrap_or("").is_empty(), "{t}");
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
    }
    let search_schema = &tools.iter().find(|t| t["name"] == "search").unwrap()["inputSchema"];
    assert_eq!(search_schema["required"], json!(["query"]), "{search_schema}");

    // Search: short verbatim quotes whose offsets match, and a cursor to page on.
    let (page1, err) = s.tool(
        "search",
        json!({ "query": "neural networks language models", "limit": 2 }),
    );
    assert!(!err, "{page1}");
    let hits = page1["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{page1}");
    for h in hits {
        let quote = h["quote"].as_str().unwrap();
        assert!(!quote.is_empty() && quote.chars().count() <= 300, "{h}");
        assert_eq!(
            h["end"].as_u64().unwrap() - h["start"].as_u64().unwrap(),
            quote.chars().count() as u64,
            "{h}"
        );
    }
    let cursor = page1["next_cursor"].as_str().expect("a second page").to_string();
    let (page2, _) = s.tool(
        "search",
        json!({ "query": "neural networks language models", "limit": 2, "cursor": cursor }),
    );
    assert_eq!(page2["hits"][0]["rank"], 3, "{page2}");
    let (bad, err) = s.tool("search", json!({ "query": "x", "limit": 500 }));
    assert!(err, "a limit above 50 is the caller's mistake: {bad}");
    assert_eq!(bad["error"], "invalid_parameter");
    let unknown = s.call("tools/call", json!({ "name": "search", "arguments": { "q": "x" } }));
    assert!(
        unknown.get("error").is_some() || unknown["result"]["isError"] == json!(true),
        "unknown argument names are refused: {unknown}"
    );

    // A paper: summary first, then the full record page by page, and as a resource.
    let key = hits[0]["paper"].as_str().unwrap().to_string();
    // A long call with a progress token reports each step before its answer.
    let (r, heard) = s.call_hearing(
        "tools/call",
        json!({ "name": "gaps", "arguments": { "limit": 2 }, "_meta": { "progressToken": "gaps-1" } }),
    );
    assert!(r["result"]["structuredContent"]["gaps"].is_array(), "{r}");
    let steps: Vec<&Value> = heard
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .map(|n| &n["params"])
        .collect();
    assert_eq!(steps.len(), 5, "corpus, then the four kinds: {heard:?}");
    for (i, p) in steps.iter().enumerate() {
        assert_eq!(p["progressToken"], "gaps-1");
        assert_eq!(p["progress"], json!((i + 1) as f64));
        assert_eq!(p["total"], json!(5.0));
        assert!(!p["message"].as_str().unwrap().is_empty(), "{p}");
    }
    assert!(
        steps[4]["message"].as_str().unwrap().starts_with("contested_claim"),
        "{steps:?}"
    );
    // Without a token, none.
    let (_, heard) = s.call_hearing("tools/call", json!({ "name": "gaps", "arguments": { "limit": 2 } }));
    assert!(
        heard.iter().all(|n| n["method"] != "notifications/progress"),
        "{heard:?}"
    );

    let (summary, err) = s.tool("get_paper", json!({ "id": key }));
    assert!(!err, "{summary}");
    assert!(summary["title"].as_str().is_some_and(|t| !t.is_empty()), "{summary}");
    assert!(summary.get("passages").is_none(), "a summary leaves the passages out");
    let (full, _) = s.tool("get_paper", json!({ "id": key, "detail": "full" }));
    assert_eq!(
        full["passages"].as_array().unwrap().len() as u64,
        full["passages_total"].as_u64().unwrap().min(20),
        "{full}"
    );
    let (missing, err) = s.tool("get_paper", json!({ "id": "no-such-paper" }));
    assert!(err && missing["error"] == "not_found", "{missing}");

    let listed = s.call("resources/list", json!({}));
    let resources = listed["result"]["resources"].as_array().unwrap();
    assert!(
        resources.iter().any(|r| r["uri"] == format!("hypatia://paper/{key}")),
        "{listed}"
    );
    let read = s.call("resources/read", json!({ "uri": format!("hypatia://paper/{key}") }));
    let text = read["result"]["contents"][0]["text"].as_str().unwrap();
    let record: Value = serde_json::from_str(text).unwrap();
    assert_eq!(record["key"], key.as_str());
    let templates = s.call("resources/templates/list", json!({}));
    assert_eq!(
        templates["result"]["resourceTemplates"][0]["uriTemplate"],
        "hypatia://paper/{key}"
    );
    let nothing = s.call("resources/read", json!({ "uri": "hypatia://paper/nope" }));
    assert!(nothing.get("error").is_some(), "{nothing}");
    let completed = s.call(
        "completion/complete",
        json!({
            "ref": { "type": "ref/resource", "uri": "hypatia://paper/{key}" },
            "argument": { "name": "key", "value": &key[..3] }
        }),
    );
    assert!(
        completed["result"]["completion"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == key.as_str()),
        "{completed}"
    );

    // SPARQL, paged.
    let q = "SELECT ?p WHERE { ?p a <http://schema.org/ScholarlyArticle> } ORDER BY ?p";
    let (rows, err) = s.tool("sparql", json!({ "query": q, "limit": 1 }));
    assert!(!err, "{rows}");
    assert_eq!(rows["rows"].as_array().unwrap().len(), 1, "{rows}");
    let next = rows["next_cursor"].as_str().expect("more papers than one").to_string();
    let (rows2, _) = s.tool("sparql", json!({ "query": q, "limit": 1, "cursor": next }));
    assert_ne!(rows["rows"][0], rows2["rows"][0]);
    let (syntax, err) = s.tool("sparql", json!({ "query": "INSERT DATA { <a:b> <a:c> <a:d> }" }));
    assert!(
        err && syntax["error"] == "sparql_syntax",
        "updates are not queries: {syntax}"
    );

    // The research loop.
    let (h, err) = s.tool(
        "propose_hypothesis",
        json!({ "statement": "Character-level models need less data for rare words.", "agent": "mcp-test" }),
    );
    assert!(!err, "{h}");
    assert_eq!(h["created"], true);
    let hkey = h["record"]["key"].as_str().unwrap().to_string();
    let (x, err) = s.tool(
        "log_experiment",
        json!({
            "agent": "mcp-test",
            "description": "char-level tokeniser on the rare-word split",
            "status": "discard",
            "hypothesis": hkey,
            "metrics": [{ "name": "val_bpb", "value": 1.02 }],
            "idempotency_key": "mcp-run-1"
        }),
    );
    assert!(!err, "{x}");
    let xkey = x["record"]["key"].as_str().unwrap().to_string();
    let (again, _) = s.tool(
        "log_experiment",
        json!({
            "agent": "mcp-test",
            "description": "char-level tokeniser on the rare-word split",
            "status": "discard",
            "hypothesis": hkey,
            "metrics": [{ "name": "val_bpb", "value": 1.02 }],
            "idempotency_key": "mcp-run-1"
        }),
    );
    assert_eq!(again["created"], false, "a retried log is stored once: {again}");
    let (changed, err) = s.tool(
        "set_hypothesis_status",
        json!({ "hypothesis": hkey, "status": "refuted", "agent": "mcp-test", "outcomes": [xkey] }),
    );
    assert!(!err, "{changed}");
    let (one, _) = s.tool("hypotheses", json!({ "id": hkey }));
    assert_eq!(one["hypothesis"]["status"], "refuted", "{one}");
    assert_eq!(one["hypothesis"]["experiments"][0]["key"], xkey.as_str(), "{one}");
    let (n, err) = s.tool(
        "novelty",
        json!({ "idea": "Character-level models need less data for rare words.", "k": 3 }),
    );
    assert!(!err, "{n}");
    assert_eq!(n["hypotheses"][0]["key"], hkey.as_str(), "{n}");
    assert!(n["novelty"].as_f64().unwrap() < 0.1, "{n}");
    drop(s);

    // Read-only: the writing tools refuse and store nothing.
    let mut ro = StdioSession::start(&data, &["--read-only"]);
    let (refused, err) = ro.tool(
        "propose_hypothesis",
        json!({ "statement": "Something new entirely.", "agent": "mcp-test" }),
    );
    assert!(err && refused["error"] == "forbidden", "{refused}");
    let (listed, _) = ro.tool("hypotheses", json!({}));
    assert_eq!(listed["hypotheses"].as_array().unwrap().len(), 1, "{listed}");
}

/// Posts one JSON-RPC message to `/mcp`; returns the status, the session header and the
/// response message (from a JSON body or an event stream) when there is one.
pub(super) fn post(
    c: &reqwest::blocking::Client,
    url: &str,
    token: Option<&str>,
    session: Option<&str>,
    msg: &Value,
) -> (u16, Option<String>, Option<Value>) {
    let mut r = c
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .body(msg.to_string());
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(s) = session {
        r = r.header("mcp-session-id", s);
    }
    let res = r.send().unwrap();
    let status = res.status().as_u16();
    let sid = res
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    let sse = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream"));
    let body = res.text().unwrap();
    let reply = if sse {
        body.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
            .find(|v| v.get("id").is_some() && v["id"] == msg["id"])
    } else {
        serde_json::from_str(&body).ok()
    };
    (status, sid, reply)
}

#[test]
fn http_mcp_needs_write_scope_to_write_and_refuses_foreign_hosts() {
    let m = model();
    let (_dir, store) = temp_store(m.identity());
    let report = ingest(&store, m.as_ref(), &[fixtures().join("papers/markdown")]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let tokens = "read reader reader-secret-0123456789\nwrite writer writer-secret-0123456789 http-test\n";
    let server = spawn(
        AppState {
            store: Arc::new(store),
            embedder: Some(m),
            backup_dir: None,
            access: Arc::new(Access::from_tokens(tokens, "test", false).unwrap()),
            limits: Default::default(),
        },
        "127.0.0.1:0",
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{}/mcp", server.addr().port());
    let c = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "hypatia-test", "version": "1" } }
    });

    // No token on a server without anonymous reads: 401 before MCP sees it.
    let (status, _, _) = post(&c, &url, None, None, &init);
    assert_eq!(status, 401);

    let session = |token: &str| {
        let (status, sid, reply) = post(&c, &url, Some(token), None, &init);
        assert_eq!(status, 200, "{reply:?}");
        assert_eq!(reply.unwrap()["result"]["serverInfo"]["name"], "hypatia");
        let sid = sid.expect("a session id");
        let (status, _, _) = post(
            &c,
            &url,
            Some(token),
            Some(&sid),
            &json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
        );
        assert_eq!(status, 202);
        sid
    };
    let propose = json!({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": { "name": "propose_hypothesis",
                    "arguments": { "statement": "Summaries help reviewers.", "agent": "http-test" } }
    });
    let count = json!({
        "jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": { "name": "hypotheses", "arguments": {} }
    });

    // A read token may search but not write, and its refused write stores nothing.
    let reader = "reader-secret-0123456789";
    let rs = session(reader);
    let (_, _, reply) = post(&c, &url, Some(reader), Some(&rs), &propose);
    let result = &reply.unwrap()["result"];
    assert_eq!(result["isError"], true, "{result}");
    assert_eq!(result["structuredContent"]["error"], "forbidden", "{result}");
    let (_, _, reply) = post(&c, &url, Some(reader), Some(&rs), &count);
    assert_eq!(reply.unwrap()["result"]["structuredContent"]["hypotheses"], json!([]));
    let search = json!({
        "jsonrpc": "2.0", "id": 4, "method": "tools/call",
        "params": { "name": "search", "arguments": { "query": "summary", "mode": "bm25" } }
    });
    let (_, _, reply) = post(&c, &url, Some(reader), Some(&rs), &search);
    let reply = reply.unwrap();
    assert!(
        !reply["result"]["structuredContent"]["hits"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{reply}"
    );

    // A write token writes.
    let writer = "writer-secret-0123456789";
    let ws = session(writer);
    let (_, _, reply) = post(&c, &url, Some(writer), Some(&ws), &propose);
    let reply = reply.unwrap();
    assert_eq!(reply["result"]["structuredContent"]["created"], true, "{reply}");
    // The grant is per request: the reader's token on the writer's session may not write.
    let (_, _, reply) = post(&c, &url, Some(reader), Some(&ws), &propose);
    assert_eq!(reply.unwrap()["result"]["isError"], true);

    // A foreign Host (DNS rebinding) or a foreign page's Origin is refused.
    let rebound = c
        .post(&url)
        .header("host", "evil.example.com")
        .bearer_auth(writer)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(init.to_string())
        .send()
        .unwrap();
    assert_eq!(rebound.status(), 403);
    let foreign = c
        .post(&url)
        .header("origin", "https://evil.example.com")
        .bearer_auth(writer)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(init.to_string())
        .send()
        .unwrap();
    assert_eq!(foreign.status(), 403);
    server.stop();
}

/// The `params` of the progress notifications among `heard`, in order.
fn progress_of(heard: &[Value]) -> Vec<Value> {
    heard
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .map(|n| n["params"].clone())
        .collect()
}

/// Every quote of an evidence pack as JSON, with its passage and offsets.
fn pack_quotes(pack: &Value) -> Vec<(String, String, u64, u64)> {
    pack["papers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["passages"].as_array().unwrap().iter())
        .map(|q| {
            (
                q["iri"].as_str().unwrap().to_string(),
                q["quote"].as_str().unwrap().to_string(),
                q["start"].as_u64().unwrap(),
                q["end"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn stdio_prompts_progress_and_token_budgets() {
    let dir = sample_store();
    let mut s = StdioSession::start(&dir.path().join("data"), &[]);

    // Prompts: listed with typed arguments; each names the tools to call and how to cite.
    let listed = s.call("prompts/list", json!({}));
    let prompts = listed["result"]["prompts"].as_array().expect("prompts").clone();
    let names: Vec<&str> = prompts.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["find_gaps", "check_novelty", "summarise_evidence"], "{listed}");
    let gaps_args = &prompts[0]["arguments"];
    assert_eq!(gaps_args[0]["name"], "topic");
    assert_eq!(gaps_args[0]["required"], true, "{gaps_args}");
    assert_eq!(gaps_args[2]["name"], "as_of");
    let got = s.call(
        "prompts/get",
        json!({ "name": "find_gaps", "arguments": { "topic": "language models", "as_of": "2019" } }),
    );
    let text = got["result"]["messages"][0]["content"]["text"]
        .as_str()
        .expect("a text message")
        .to_string();
    assert!(
        text.contains(r#"Call `gaps` with {"concept": "language models", "as_of": 2019"#),
        "{text}"
    );
    assert!(text.contains("`novelty`") && text.contains("offsets"), "{text}");
    let got = s.call(
        "prompts/get",
        json!({ "name": "summarise_evidence", "arguments": { "claim": "Attention helps." } }),
    );
    let text = got["result"]["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(
        text.contains(r#"Call `findings` with {"question": "Attention helps.""#),
        "{text}"
    );
    let missing = s.call("prompts/get", json!({ "name": "check_novelty", "arguments": {} }));
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    assert!(
        missing["error"]["message"].as_str().unwrap().contains("`idea`"),
        "{missing}"
    );
    let unknown = s.call("prompts/get", json!({ "name": "test_simple_prompt" }));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let kinds = s.call(
        "completion/complete",
        json!({ "ref": { "type": "ref/prompt", "name": "find_gaps" }, "argument": { "name": "kind", "value": "un" } }),
    );
    assert_eq!(
        kinds["result"]["completion"]["values"],
        json!(["untested_combination"]),
        "{kinds}"
    );
    let level = s.call("logging/setLevel", json!({ "level": "info" }));
    assert_eq!(level["result"], json!({}), "{level}");

    // Progress: novelty and findings report their stages in order, with the total.
    for (tool, args, stages) in [
        ("novelty", json!({ "idea": "character-level language models" }), 3),
        (
            "findings",
            json!({ "question": "Do language models need more data?" }),
            4,
        ),
    ] {
        let (r, heard) = s.call_hearing(
            "tools/call",
            json!({ "name": tool, "arguments": args, "_meta": { "progressToken": tool } }),
        );
        assert_ne!(r["result"]["isError"], json!(true), "{r}");
        let steps = progress_of(&heard);
        assert_eq!(steps.len(), stages, "{tool}: {heard:?}");
        for (i, p) in steps.iter().enumerate() {
            assert_eq!(p["progressToken"], tool);
            assert_eq!(p["progress"], json!((i + 1) as f64), "{tool}: {steps:?}");
            assert_eq!(p["total"], json!(stages as f64));
            assert!(!p["message"].as_str().unwrap().is_empty(), "{p}");
        }
    }

    // A token budget drops the lowest-ranked evidence whole, and says how much.
    let question = "neural networks language models";
    let (full, _) = s.tool("findings", json!({ "question": question, "format": "json" }));
    let all = pack_quotes(&full);
    assert!(all.len() >= 3, "{full}");
    let budget = (full.to_string().len() / 4 / 2).max(200);
    let (fitted, err) = s.tool(
        "findings",
        json!({ "question": question, "format": "json", "max_tokens": budget }),
    );
    assert!(!err, "{fitted}");
    let kept = pack_quotes(&fitted);
    assert!(!kept.is_empty() && kept.len() < all.len(), "{fitted}");
    assert_eq!(
        kept[..],
        all[..kept.len()],
        "the best quotes stay, whole, with their offsets"
    );
    let claims = |p: &Value| -> usize {
        p["papers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["claims"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(
        fitted["dropped"].as_u64().unwrap() as usize,
        all.len() + claims(&full) - kept.len() - claims(&fitted),
        "{fitted}"
    );
    assert!(
        fitted.to_string().len() / 4 <= budget + 10,
        "{} > {budget}",
        fitted.to_string().len() / 4
    );
    let ranks: Vec<u64> = fitted["papers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ranks,
        (1..=ranks.len() as u64).collect::<Vec<_>>(),
        "the last papers go first"
    );
    let (md, _) = {
        let r = s.call(
            "tools/call",
            json!({ "name": "findings", "arguments": { "question": question, "max_tokens": 200 } }),
        );
        (r["result"]["content"][0]["text"].as_str().unwrap().to_string(), ())
    };
    assert!(md.contains("Fitted to max_tokens 200"), "{md}");

    let (hits, _) = s.tool("search", json!({ "query": question, "limit": 10 }));
    let budget = (hits.to_string().len() / 4 / 2).max(200);
    let (page, err) = s.tool(
        "search",
        json!({ "query": question, "limit": 10, "max_tokens": budget }),
    );
    assert!(!err, "{page}");
    let n = page["hits"].as_array().unwrap().len();
    assert!(n > 0 && n < hits["hits"].as_array().unwrap().len(), "{page}");
    assert_eq!(
        page["dropped"].as_u64().unwrap() as usize,
        hits["hits"].as_array().unwrap().len() - n
    );
    assert_eq!(
        page["next_cursor"],
        json!(n.to_string()),
        "dropped hits start the next page"
    );
    for (tool, args) in [
        ("novelty", json!({ "idea": "x y z", "max_tokens": 200 })),
        ("gaps", json!({ "limit": 5, "max_tokens": 200 })),
    ] {
        let (v, err) = s.tool(tool, args);
        assert!(!err, "{tool}: {v}");
        assert!(
            v.to_string().len() / 4 <= 210 || v["dropped"].as_u64() > Some(0),
            "{tool}: {v}"
        );
        assert_eq!(v["max_tokens"], 200, "{tool}: {v}");
    }
    let (small, err) = s.tool("search", json!({ "query": question, "max_tokens": 10 }));
    assert!(err && small["error"] == "invalid_parameter", "{small}");
    let tools = s.call("tools/list", json!({}));
    let findings = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "findings")
        .unwrap()
        .clone();
    let schema = &findings["inputSchema"]["properties"]["max_tokens"];
    assert_eq!(
        (schema["minimum"].clone(), schema["maximum"].clone()),
        (json!(200), json!(100000)),
        "{schema}"
    );
}

#[test]
fn stdio_cancelled_gaps_search_stops_working() {
    let dir = sample_store();
    // Every cancellation check of this child sleeps 50 ms (a debug-build hook), so that the search
    // on three papers is still running when the cancellation arrives.
    let mut s = StdioSession::start_with(&dir.path().join("data"), &[], &[("HYPATIA_SLOW_CHECKS_MS", "50")]);
    let level = s.call("logging/setLevel", json!({ "level": "info" }));
    assert_eq!(level["result"], json!({}), "{level}");
    let id = s.request(
        "tools/call",
        json!({ "name": "gaps", "arguments": { "limit": 5 }, "_meta": { "progressToken": "slow" } }),
    );
    // Cancel once the corpus is loaded (step 1 of 5).
    loop {
        let m = s.next("the first step of the gap search");
        assert_ne!(m["id"], json!(id), "the search ended before it could be cancelled: {m}");
        if m["method"] == "notifications/progress" {
            assert_eq!(m["params"]["progress"], json!(1.0), "{m}");
            break;
        }
    }
    s.send(&json!({
        "jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": { "requestId": id, "reason": "the test gave up" }
    }));
    // The server keeps answering, and the search itself reports that it stopped, short of its
    // last step; the cancelled request gets no response.
    let (pong, mut heard) = s.call_hearing("ping", json!({}));
    assert_eq!(pong["result"], json!({}), "{pong}");
    let stopped = loop {
        if let Some(i) = heard.iter().position(|m| m["method"] == "notifications/message") {
            break heard.remove(i);
        }
        let m = s.next("the log notice of the cancelled search");
        assert_ne!(m["id"], json!(id), "a cancelled request is not answered: {m}");
        heard.push(m);
    };
    let data = &stopped["params"]["data"];
    assert_eq!(stopped["params"]["level"], "notice", "{stopped}");
    assert_eq!(
        (data["tool"].clone(), data["event"].clone()),
        (json!("gaps"), json!("cancelled")),
        "{data}"
    );
    assert_eq!(data["steps_total"], 5, "{data}");
    assert!(
        data["steps_done"].as_u64().unwrap() < 5,
        "the search stopped before its end: {data}"
    );
    assert!(
        progress_of(&heard).iter().all(|p| p["progress"].as_f64() < Some(5.0)),
        "no step after the cancellation reached the end: {heard:?}"
    );
    // Nothing half-done was kept: the next search runs to its end.
    let (r, heard) = s.call_hearing(
        "tools/call",
        json!({ "name": "gaps", "arguments": { "kind": "contested_claim", "limit": 1 },
                "_meta": { "progressToken": "again" } }),
    );
    assert!(r["result"]["structuredContent"]["gaps"].is_array(), "{r}");
    assert_eq!(progress_of(&heard).last().unwrap()["progress"], json!(2.0), "{heard:?}");
}
