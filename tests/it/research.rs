//! The research loop end to end over HTTP (gaps → hypothesis → experiments → status → SPARQL →
//! novelty → results.tsv import) with the real model, and concurrent agents writing at once.

use std::sync::{Arc, OnceLock};

use hypatia::embed::Embedder;
use hypatia::research::{self, HypothesisStatus, NewExperiment, NewHypothesis, RunStatus, StatusUpdate};
use hypatia::serve::http::RunningServer;
use hypatia::store::Store;
use serde_json::{json, Value};

use super::common::{client, fixtures, hash_embedder, ingest, model, open_server, reextract, static_store, temp_store};

/// The ACL Anthology sample (1989 and 2020 volumes), ingested with the real model and extracted.
fn acl() -> &'static Arc<Store> {
    static S: OnceLock<(tempfile::TempDir, Arc<Store>)> = OnceLock::new();
    &S.get_or_init(|| {
        let m = model();
        let (dir, store) = static_store(m.identity());
        let report = ingest(&store, m.as_ref(), &[fixtures().join("papers/acl")]);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        reextract(&store, 64);
        (dir, Arc::new(store))
    })
    .1
}

fn server(store: Arc<Store>, writes: bool) -> RunningServer {
    open_server(store, Some(model()), writes)
}

/// A SPARQL query's JSON results (also for other test modules).
pub(super) fn sparql(c: &reqwest::blocking::Client, base: &str, q: &str) -> Value {
    let r = c
        .get(format!("{base}/sparql"))
        .query(&[("query", q)])
        .header("accept", "application/sparql-results+json")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

const P: &str = "PREFIX hyp: <https://w3id.org/hypatia/ns#> ";

#[test]
fn the_research_loop_over_http() {
    let store = acl().clone();
    let srv = server(store.clone(), true);
    let base = format!("http://{}", srv.addr());
    let c = client();

    // Gaps from the literature.
    let gaps: Value = c.get(format!("{base}/gaps?limit=3")).send().unwrap().json().unwrap();
    let gap = gaps
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "missing_link")
        .unwrap_or_else(|| panic!("no missing link in {gaps:#}"))
        .clone();
    let concept = gap["concepts"][0]["iri"].as_str().unwrap().to_string();
    let label = gap["concepts"][0]["label"].as_str().unwrap().to_string();

    // A hypothesis from it; proposing it again is idempotent.
    let proposal = json!({
        "statement": format!("Character-level encoders close the gap on {label} for noisy clinical text."),
        "agent": "agent-a",
        "concepts": [concept],
        "gap": gap,
    });
    let r = c.post(format!("{base}/hypotheses")).json(&proposal).send().unwrap();
    assert_eq!(r.status(), 201);
    let w: Value = r.json().unwrap();
    let h = w["record"]["key"].as_str().unwrap().to_string();
    assert!(h.starts_with("hyp_"), "{w:#}");
    assert_eq!(w["record"]["status"], "proposed");
    assert_eq!(w["record"]["gap"][0], "missing_link");
    assert_eq!(
        w["record"]["concepts"][0]["label"], label,
        "concept_labels.rq names the concept"
    );
    assert!(
        !w["record"]["evidence"].as_array().unwrap().is_empty(),
        "the gap's passages are evidence"
    );
    let again = c.post(format!("{base}/hypotheses")).json(&proposal).send().unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().unwrap()["record"]["key"], h.as_str());

    // Two runs: one kept, one discarded.
    let kept = c
        .post(format!("{base}/experiments"))
        .json(&json!({
            "agent": "agent-a", "hypothesis": h, "status": "keep", "code_version": "a1b2c3d",
            "description": "Add a character-level CNN encoder in front of the tagger",
            "metrics": [{"name": "val_bpb", "value": 0.981, "split": "val"},
                        {"name": "memory_gb", "value": 41.5, "unit": "GB"}],
            "parameters": {"kernel": "5"},
        }))
        .send()
        .unwrap();
    assert_eq!(kept.status(), 201);
    let kept: Value = kept.json().unwrap();
    let kept_key = kept["record"]["key"].as_str().unwrap().to_string();
    let discarded = c
        .post(format!("{base}/experiments"))
        .json(&json!({
            "agent": "agent-b", "hypothesis": h, "status": "discard", "code_version": "e4f5a6b",
            "description": "Raise the Muon optimizer learning rate to 0.08 for the transformer language model",
            "metrics": [{"name": "val_bpb", "value": 1.02, "split": "val"}],
        }))
        .send()
        .unwrap();
    assert_eq!(discarded.status(), 201);
    let discarded_key = discarded.json::<Value>().unwrap()["record"]["key"]
        .as_str()
        .unwrap()
        .to_string();

    // Logging the first run moved the hypothesis to testing; now it is supported by the kept run.
    let shown: Value = c.get(format!("{base}/hypotheses/{h}")).send().unwrap().json().unwrap();
    assert_eq!(shown["status"], "testing", "{shown:#}");
    let bad = c
        .post(format!("{base}/hypotheses/{h}/status"))
        .json(&json!({"status": "refuted", "agent": "agent-a"}))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 400, "refuting needs an outcome");
    let moved = c
        .post(format!("{base}/hypotheses/{h}/status"))
        .json(&json!({"status": "supported", "agent": "agent-a", "outcomes": [kept_key], "note": "val_bpb down 0.017"}))
        .send()
        .unwrap();
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().unwrap();
    assert_eq!(moved["status"], "supported");
    let history: Vec<(&str, &str)> = moved["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["from"].as_str().unwrap_or("-"), c["to"].as_str().unwrap()))
        .collect();
    assert_eq!(history, [("proposed", "testing"), ("testing", "supported")]);
    assert_eq!(moved["history"][1]["outcomes"][0], kept_key.as_str());
    assert_eq!(moved["experiments"].as_array().unwrap().len(), 2);
    let twice = c
        .post(format!("{base}/hypotheses/{h}/status"))
        .json(&json!({"status": "supported", "agent": "agent-a", "outcomes": [kept_key]}))
        .send()
        .unwrap();
    assert_eq!(twice.status(), 409);

    // The status and the outcome are facts in SPARQL.
    let hyp_iri = moved["iri"].as_str().unwrap();
    let ask = sparql(
        &c,
        &base,
        &format!("{P} ASK {{ <{hyp_iri}> hyp:status hyp:Supported }}"),
    );
    assert_eq!(ask["boolean"], true);
    let rows = sparql(
        &c,
        &base,
        &format!(
            "{P} SELECT ?e ?v WHERE {{ ?e hyp:tests <{hyp_iri}> ; hyp:runStatus hyp:Keep ;
               hyp:measurement ?m . ?m hyp:name \"val_bpb\" ; hyp:value ?v }}"
        ),
    );
    let b = &rows["results"]["bindings"];
    assert_eq!(b.as_array().unwrap().len(), 1, "{rows:#}");
    assert_eq!(b[0]["v"]["value"].as_str().unwrap().parse::<f64>().unwrap(), 0.981);
    // Nanopublication structure: the assertion has provenance naming the agent.
    let np = sparql(
        &c,
        &base,
        &format!(
            "PREFIX np: <http://www.nanopub.org/nschema#> PREFIX prov: <http://www.w3.org/ns/prov#>
             SELECT ?agent WHERE {{ ?pub np:hasAssertion ?a ; np:hasProvenance ?p .
               GRAPH ?a {{ <{hyp_iri}> a <https://w3id.org/hypatia/ns#Hypothesis> }}
               GRAPH ?p {{ ?a prov:wasAttributedTo ?agent }} }}"
        ),
    );
    assert_eq!(np["results"]["bindings"].as_array().unwrap().len(), 1, "{np:#}");

    // A similar idea finds the discarded run first, with its outcome.
    let nov: Value = c
        .get(format!("{base}/novelty"))
        .query(&[(
            "idea",
            "Increase the learning rate of Muon to 0.08 when training the transformer LM",
        )])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        nov["experiments"][0]["experiment"]["key"],
        discarded_key.as_str(),
        "{nov:#}"
    );
    let outcome = nov["experiments"][0]["outcome"].as_str().unwrap();
    assert!(
        outcome.contains("discarded") && outcome.contains("val_bpb 1.02"),
        "{outcome}"
    );
    assert!(
        nov["summary"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("similar experiment")),
        "{nov:#}"
    );
    let novelty = nov["novelty"].as_f64().unwrap();
    assert!((0.0..0.4).contains(&novelty), "a repeated idea is not novel: {novelty}");
    assert!(!nov["papers"].as_array().unwrap().is_empty());

    // Experiments are searchable beside papers.
    let hits: Value = c
        .get(format!("{base}/search"))
        .query(&[("q", "Muon optimizer learning rate"), ("mode", "bm25"), ("k", "3")])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let first = &hits["hits"][0]["citation"];
    assert_eq!(first["paper"]["venue"], "Hypatia experiment log", "{hits:#}");
    assert_eq!(first["paper"]["authors"][0], "agent-b");

    // The autoresearch results.tsv, as is; a second import stores nothing new.
    let tsv = std::fs::read(fixtures().join("research/results.tsv")).unwrap();
    let url = format!("{base}/experiments/import?agent=loop&hypothesis={h}");
    let rep: Value = c.post(&url).body(tsv.clone()).send().unwrap().json().unwrap();
    assert_eq!(
        (rep["rows"].as_u64(), rep["imported"].as_u64()),
        (Some(5), Some(5)),
        "{rep:#}"
    );
    assert!(rep["failures"].as_array().unwrap().is_empty(), "{rep:#}");
    let rep2: Value = c.post(&url).body(tsv).send().unwrap().json().unwrap();
    assert_eq!(
        (rep2["imported"].as_u64(), rep2["already_present"].as_u64()),
        (Some(0), Some(5))
    );
    let runs: Value = c
        .get(format!("{base}/experiments?hypothesis={h}&status=crash"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let crash = &runs.as_array().unwrap()[0];
    assert_eq!(crash["code_version"], "93aa6e0");
    assert!(
        crash["metrics"].as_array().unwrap().is_empty(),
        "a crash's zeros are not metrics"
    );
    let kept_runs: Value = c
        .get(format!("{base}/experiments?hypothesis={h}&status=keep"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let baseline = kept_runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code_version"] == "4f1c2a9")
        .unwrap();
    let units: Vec<(&str, Option<&str>, Option<&str>)> = baseline["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["unit"].as_str(), m["split"].as_str()))
        .collect();
    assert_eq!(units, [("memory_gb", Some("GB"), None), ("val_bpb", None, Some("val"))]);

    // Bad input: a row-level failure is reported with its line; the rest imports.
    let bad_tsv = "commit\tval_bpb\tstatus\tdescription\nx1\t0.9\tkeep\tfine\nx2\tabc\tkeep\tbad number\nx3\t0.8\tmaybe\tbad status\n";
    let rep: Value = c
        .post(format!(
            "{base}/experiments/import?agent=loop&map=val_bpb%3Dmetric%3A%3Aval"
        ))
        .body(bad_tsv)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(rep["imported"], 1, "{rep:#}");
    let lines: Vec<(u64, &str)> = rep["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["field"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(3, "val_bpb"), (4, "status")]);
    let unknown = c
        .post(format!("{base}/experiments"))
        .json(&json!({"agent": "a", "description": "x", "status": "keep", "hypothesis": "hyp_0000000000000000"}))
        .send()
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let typo = c
        .post(format!("{base}/experiments"))
        .json(&json!({"agent": "a", "description": "x", "status": "keep", "metrics": [{"name": "loss", "valeu": 1}]}))
        .send()
        .unwrap();
    assert_eq!(typo.status(), 400);
    assert!(store.check_consistency().unwrap().is_consistent());

    // Writes are refused when the server is read-only, and nothing is stored.
    let before = store.stats().unwrap();
    let ro = server(store.clone(), false);
    let r = c
        .post(format!("http://{}/hypotheses", ro.addr()))
        .json(&json!({"statement": "anything", "agent": "z"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(store.stats().unwrap(), before);
}

#[test]
fn concurrent_agents_lose_nothing_and_one_status_change_wins() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let h = research::propose(
        &store,
        &e,
        &research::Actor::local(),
        &NewHypothesis {
            statement: "Warm-up length matters more than peak learning rate.".into(),
            agent: "lead".into(),
            concepts: vec![research::ConceptArg::Name("learning rate warm-up".into())],
            gap: None,
            evidence: vec![],
            derived_from: vec![],
        },
    )
    .unwrap()
    .record
    .key;
    let (agents, runs) = (4, 12);
    std::thread::scope(|s| {
        for a in 0..agents {
            let (store, e, h) = (store.clone(), &e, h.clone());
            s.spawn(move || {
                for i in 0..runs {
                    let w = research::log_experiment(
                        &store,
                        e,
                        &research::Actor::local(),
                        &NewExperiment {
                            agent: format!("agent-{a}"),
                            description: format!("warm-up of {} steps, run {i}", 100 * (i + 1)),
                            status: if i % 3 == 0 {
                                RunStatus::Discard
                            } else {
                                RunStatus::Keep
                            },
                            hypothesis: Some(h.clone()),
                            code_version: Some(format!("c{a}{i}")),
                            parameters: Default::default(),
                            metrics: vec![research::Metric {
                                name: "val_loss".into(),
                                value: 1.0 + i as f64 / 100.0,
                                unit: None,
                                split: Some("val".into()),
                            }],
                            notes: None,
                            artefacts: vec![],
                            time: None,
                            idempotency_key: None,
                        },
                    )
                    .unwrap();
                    assert!(w.created);
                }
            });
        }
    });
    let all = research::experiments(&store, &Default::default()).unwrap();
    assert_eq!(all.len(), agents * runs);
    let stats = store.stats().unwrap();
    assert_eq!(stats.records, 1 + agents * runs);
    assert!(store.check_consistency().unwrap().is_consistent());
    let one = all[0].key.clone();
    // Several agents try to settle the hypothesis at once: exactly one succeeds.
    let results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..agents)
            .map(|a| {
                let (store, h, one) = (store.clone(), h.clone(), one.clone());
                s.spawn(move || {
                    research::set_status(
                        &store,
                        &research::Actor::local(),
                        &h,
                        &StatusUpdate {
                            status: HypothesisStatus::Supported,
                            agent: format!("agent-{a}"),
                            outcomes: vec![one],
                            note: None,
                        },
                    )
                    .is_ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{results:?}");
    let shown = research::hypothesis(&store, &h).unwrap();
    assert_eq!(shown.status, HypothesisStatus::Supported);
    assert_eq!(shown.history.len(), 2, "proposed → testing → supported");
    assert_eq!(shown.experiments.len(), agents * runs);
    // Deleting a record as if it were a paper is refused.
    assert!(store.delete_papers(std::slice::from_ref(&h)).is_err());
}

/// `Follow` logs each complete row of a growing results table once: a row still being written
/// waits for its line end, a bad row is reported once with its line and column, and following
/// the file again after a restart stores nothing twice.
#[test]
fn following_a_growing_results_table_logs_each_row_once() {
    use hypatia::research::results_import::{Follow, ImportOptions};
    use std::io::Write;

    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let path = dir.path().join("results.tsv");
    let opts = ImportOptions {
        agent: "loop".into(),
        ..Default::default()
    };
    let actor = research::Actor::local();
    let mut follow = Follow::new(&path);
    assert!(follow.poll(&store, &e, &actor, &opts).unwrap().is_none(), "no file yet");

    let append = |text: &str| {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append("commit\tval_bpb\tmemory_gb\tstatus\tdescription\n");
    append("a1\t1.00\t4.0\tkeep\tbaseline\n");
    append("b2\t1.02\t4.0\tdiscard\tswap the activation\n");
    append("c3\t0.99\t4.1\tke"); // the loop is still writing this row
    let step = follow
        .poll(&store, &e, &actor, &opts)
        .unwrap()
        .expect("the file changed");
    let lines: Vec<(u64, &str, bool)> = step
        .new_runs
        .iter()
        .map(|r| (r.line, r.run.description.as_str(), r.created))
        .collect();
    assert_eq!(lines, [(2, "baseline", true), (3, "swap the activation", true)]);
    assert!(step.new_failures.is_empty(), "{:?}", step.new_failures);
    assert!(follow.poll(&store, &e, &actor, &opts).unwrap().is_none(), "unchanged");

    append("ep\tlonger warm-up\n");
    append("d4\t0.98\t4.1\tmaybe\tbad status\n");
    let step = follow.poll(&store, &e, &actor, &opts).unwrap().expect("changed");
    assert_eq!(step.new_runs.len(), 1, "{:?}", step.new_runs);
    assert_eq!(
        (step.new_runs[0].line, step.new_runs[0].run.description.as_str()),
        (4, "longer warm-up")
    );
    assert_eq!(step.new_failures.len(), 1);
    assert_eq!(
        (step.new_failures[0].line, step.new_failures[0].field.as_deref()),
        (5, Some("status"))
    );
    assert_eq!(step.report.already_present, 2);

    append("e5\t0.97\t4.2\tkeep\tdeeper model\n");
    let step = follow.poll(&store, &e, &actor, &opts).unwrap().expect("changed");
    assert_eq!(step.new_runs.len(), 1);
    assert!(step.new_failures.is_empty(), "a bad row is reported once");

    // A restarted watcher sees every run again, all stored already.
    let mut again = Follow::new(&path);
    let step = again.poll(&store, &e, &actor, &opts).unwrap().expect("first look");
    assert_eq!(step.new_runs.len(), 4);
    assert!(step.new_runs.iter().all(|r| !r.created));
    let runs = research::experiments(&store, &Default::default()).unwrap();
    assert_eq!(runs.len(), 4, "{runs:?}");
}

/// `hypatia experiments watch` through the real binary, while the table grows.
#[test]
fn experiments_watch_follows_a_file_until_idle() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.tsv");
    let child = Command::new(env!("CARGO_BIN_EXE_hypatia"))
        .env_remove("HYPATIA_DATA_DIR")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["experiments", "watch"])
        .arg(&path)
        .args(["--agent", "loop", "--interval", "0.2", "--idle-exit", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::fs::write(&path, "commit\tval_bpb\tstatus\tdescription\na1\t1.0\tkeep\tbaseline\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"b2\t0.95\tmaybe\tbad status\nc3\t0.9\tdiscard\twider MLP\n")
        .unwrap();
    drop(f);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let logged: Vec<&str> = stdout.lines().filter(|l| l.contains(": logged ")).collect();
    assert_eq!(logged.len(), 2, "{stdout}\n{stderr}");
    assert!(logged[0].contains("results.tsv:2: logged") && logged[0].ends_with("(keep) baseline"));
    assert!(logged[1].contains("results.tsv:4: logged") && logged[1].ends_with("(discard) wider MLP"));
    assert!(stderr.contains("results.tsv:3 (status): "), "{stderr}");
}
