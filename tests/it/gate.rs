//! The gate with the real model: on hand-written pairs of autoresearch-style runs
//! (`tests/fixtures/gate/pairs.tsv`), a paraphrase of a discarded run is refused as a repeat,
//! and a change that differs in a number or in substance is not; a repeat of a kept run warns;
//! equal parameters are a repeat whatever the wording. Over HTTP and MCP too.

use std::collections::BTreeMap;
use std::sync::Arc;

use hypatia::research::gate::{gate, Decision, GateRequest};
use hypatia::research::{self, Actor, NewExperiment, RunStatus};

use super::common::{client, fixtures, model, open_server, temp_store};

struct Pair {
    repeat: bool,
    past: String,
    proposal: String,
}

fn pairs() -> Vec<Pair> {
    let text = std::fs::read_to_string(fixtures().join("gate/pairs.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("label\t") && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l}");
            Pair {
                repeat: f[0] == "repeat",
                past: f[1].into(),
                proposal: f[2].into(),
            }
        })
        .collect()
}

fn run(description: &str, status: RunStatus, parameters: BTreeMap<String, String>) -> NewExperiment {
    NewExperiment {
        agent: "loop".into(),
        description: description.into(),
        status,
        hypothesis: None,
        code_version: None,
        parameters,
        metrics: vec![],
        notes: None,
        artefacts: vec![],
        time: None,
        idempotency_key: None,
    }
}

fn ask(change: &str) -> GateRequest {
    GateRequest {
        change: change.into(),
        parameters: BTreeMap::new(),
        refuse_at: None,
        warn_at: None,
        literature_at: None,
        k: Some(50),
    }
}

#[test]
fn the_gate_refuses_repeats_of_dead_ends_and_lets_new_changes_through() {
    let e = model();
    let (_dir, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let pairs = pairs();
    let mut keys = BTreeMap::new();
    for p in &pairs {
        if !keys.contains_key(&p.past) {
            let x = research::log_experiment(
                &store,
                e.as_ref(),
                &Actor::local(),
                &run(&p.past, RunStatus::Discard, BTreeMap::new()),
            )
            .unwrap()
            .record;
            keys.insert(p.past.clone(), x.key);
        }
    }
    // What each pair gets with the default thresholds.
    let (mut refused_repeats, mut warned_repeats, mut refused_others, mut table) = (0, 0, 0, String::new());
    for p in &pairs {
        let answer = gate(&store, e.as_ref(), &ask(&p.proposal)).unwrap();
        let paired = answer
            .runs
            .iter()
            .find(|r| r.experiment.key == keys[&p.past])
            .expect("the paired run is among the nearest 50");
        table.push_str(&format!(
            "{} {:.3} {:?} | {} | {}\n",
            if p.repeat { "repeat" } else { "other " },
            paired.similarity,
            answer.decision,
            p.past,
            p.proposal
        ));
        match (p.repeat, paired.repeat, answer.decision) {
            (true, true, Decision::Refuse) => refused_repeats += 1,
            (true, false, Decision::Warn) => warned_repeats += 1,
            (false, true, _) => refused_others += 1,
            _ => {}
        }
    }
    println!("{table}");
    // In-sample (the defaults were set on these pairs): no different change is taken for a
    // repeat; eight of the twelve repeats are refused and three more warned of.
    assert_eq!(refused_others, 0, "\n{table}");
    assert!(refused_repeats >= 8, "{refused_repeats} refused\n{table}");
    assert!(
        refused_repeats + warned_repeats >= 11,
        "{warned_repeats} warned\n{table}"
    );

    // Something nobody tried.
    let fresh = gate(
        &store,
        e.as_ref(),
        &ask("train on a corpus of Shakespeare sonnets reversed"),
    )
    .unwrap();
    assert_ne!(fresh.decision, Decision::Refuse, "{:?}", fresh.reasons);

    // A repeat of a kept run warns; equal parameters are a repeat whatever the wording.
    let params: BTreeMap<String, String> =
        [("lr".to_string(), "0.04".to_string()), ("depth".into(), "8".into())].into();
    research::log_experiment(
        &store,
        e.as_ref(),
        &Actor::local(),
        &run("a bigger embedding table", RunStatus::Keep, BTreeMap::new()),
    )
    .unwrap();
    research::log_experiment(
        &store,
        e.as_ref(),
        &Actor::local(),
        &run("sweep point A", RunStatus::Crash, params.clone()),
    )
    .unwrap();
    let kept = gate(&store, e.as_ref(), &ask("a larger embedding table")).unwrap();
    assert_eq!(kept.decision, Decision::Warn, "{:?}", kept.reasons);
    let same = gate(
        &store,
        e.as_ref(),
        &GateRequest {
            parameters: params,
            ..ask("try the configuration from yesterday's notebook")
        },
    )
    .unwrap();
    assert_eq!(same.decision, Decision::Refuse, "{:?}", same.reasons);
    assert_eq!(same.runs[0].same_parameters, Some(true));
    // Bad thresholds are refused, naming the field.
    let bad = gate(
        &store,
        e.as_ref(),
        &GateRequest {
            refuse_at: Some(1.5),
            ..ask("x")
        },
    );
    assert!(bad.unwrap_err().to_string().contains("refuse_at"));

    // Over HTTP.
    let srv = open_server(store.clone(), Some(e.clone()), false);
    let r = client()
        .post(format!("http://{}/gate", srv.addr()))
        .json(&serde_json::json!({ "change": "raise the learning rate to 0.04", "k": 3 }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().unwrap();
    assert_eq!(v["decision"], "refuse", "{v}");
    assert_eq!(v["runs"].as_array().unwrap().len(), 3);
    assert!(v["runs"][0]["outcome"].as_str().unwrap().contains("discarded"), "{v}");
    let r = client()
        .post(format!("http://{}/gate", srv.addr()))
        .json(&serde_json::json!({ "change": "  " }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
}
