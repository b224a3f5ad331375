//! Hypotheses with lineage and rank (issue 21, part 4): derivations both ways, pairwise
//! comparisons as Elo ratings (checked against a hand computation, kept across a reopen),
//! sorting, and plateau detection over a hypothesis' runs; in the core and over HTTP.

use std::sync::Arc;

use hypatia::common::error::{Error, UserError};
use hypatia::embed::{Embedder, HashEmbedder};
use hypatia::research::{
    self, Actor, DerivationArg, DerivationRelation, HypothesisFilter, HypothesisSort, Metric, MetricDirection,
    NewComparison, NewExperiment, NewHypothesis, PlateauQuery, RunStatus, SortOrder,
};
use hypatia::serve::http::RunningServer;
use hypatia::store::Store;
use serde_json::{json, Value};

use super::common::{client, hash_embedder, open_server, reopen, temp_store};

fn propose(store: &Store, e: &HashEmbedder, statement: &str, derived_from: &[(&str, DerivationRelation)]) -> String {
    research::propose(store, e, &Actor::local(), &new(statement, derived_from))
        .unwrap()
        .record
        .key
}

fn new(statement: &str, derived_from: &[(&str, DerivationRelation)]) -> NewHypothesis {
    NewHypothesis {
        statement: statement.into(),
        agent: "lead".into(),
        concepts: vec![],
        gap: None,
        evidence: vec![],
        derived_from: derived_from
            .iter()
            .map(|(k, relation)| DerivationArg {
                hypothesis: k.to_string(),
                relation: *relation,
            })
            .collect(),
    }
}

fn compare(store: &Store, winner: &str, loser: &str, draw: bool, match_id: Option<&str>) -> research::Compared {
    research::compare(
        store,
        &Actor::local(),
        &NewComparison {
            winner: winner.into(),
            loser: loser.into(),
            draw,
            agent: "judge".into(),
            rationale: Some("clearer mechanism".into()),
            match_id: match_id.map(str::to_string),
        },
    )
    .unwrap()
}

fn field_of(e: &Error) -> String {
    match e {
        Error::User(UserError::InvalidParameter { field, .. }) => field.clone(),
        Error::User(UserError::NotFound(m)) => m.clone(),
        other => panic!("not a field error: {other}"),
    }
}

#[test]
fn lineage_reads_both_ways_and_bad_parents_store_nothing() {
    use DerivationRelation::*;
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let a = propose(&store, &e, "Warm-up length matters more than peak learning rate.", &[]);
    let b = propose(&store, &e, "Gradient clipping stabilises small-batch training.", &[]);
    let c = propose(
        &store,
        &e,
        "Warm-up over 5% of steps beats 1% at any peak rate.",
        &[(&a, Refines)],
    );
    let d = propose(
        &store,
        &e,
        "Long warm-up and clipping together allow twice the peak rate.",
        &[(&a, Combines), (&b, Combines)],
    );
    let x = propose(
        &store,
        &e,
        "Warm-up length does not matter once clipping is on.",
        &[(&c, Contradicts)],
    );

    let read = |k: &str| research::hypothesis(&store, k).unwrap();
    let edges = |v: &[research::Derivation]| -> Vec<(String, DerivationRelation)> {
        v.iter().map(|d| (d.hypothesis.clone(), d.relation)).collect()
    };
    assert_eq!(edges(&read(&c).derived_from), [(a.clone(), Refines)]);
    let mut parents = edges(&read(&d).derived_from);
    parents.sort();
    let mut want = vec![(a.clone(), Combines), (b.clone(), Combines)];
    want.sort();
    assert_eq!(parents, want);
    // Children, oldest first.
    assert_eq!(
        edges(&read(&a).derivatives),
        [(c.clone(), Refines), (d.clone(), Combines)]
    );
    assert_eq!(edges(&read(&c).derivatives), [(x.clone(), Contradicts)]);
    assert!(read(&x).derivatives.is_empty() && read(&a).derived_from.is_empty());
    // Lists carry lineage too.
    let listed = research::hypotheses(&store, &HypothesisFilter::default()).unwrap();
    let la = listed.iter().find(|h| h.key == a).unwrap();
    assert_eq!(la.derivatives.len(), 2);
    // A parent that is not stored: refused naming the field and index; nothing stored.
    let before = research::hypotheses(&store, &HypothesisFilter::default())
        .unwrap()
        .len();
    let ghost = hypatia::common::ids::RecordKind::Hypothesis.key("nobody proposed this");
    let bad = new("Something else entirely.", &[(&a, Refines), (&ghost, Refines)]);
    let err = research::propose(&store, &e, &Actor::local(), &bad).unwrap_err();
    assert!(
        field_of(&err).starts_with("derived_from[1].hypothesis: no hypothesis"),
        "{err}"
    );
    let malformed = new("Something else entirely.", &[("h-123", Refines)]);
    let err = research::propose(&store, &e, &Actor::local(), &malformed).unwrap_err();
    assert_eq!(field_of(&err), "derived_from[0].hypothesis");
    let twice = new("Something else entirely.", &[(&a, Refines), (&a, Contradicts)]);
    let err = research::propose(&store, &e, &Actor::local(), &twice).unwrap_err();
    assert_eq!(field_of(&err), "derived_from[1].hypothesis");
    assert_eq!(
        research::hypotheses(&store, &HypothesisFilter::default())
            .unwrap()
            .len(),
        before
    );
    // Deriving from itself: the proposal's own key, refused before the stored one answers.
    let own = new("Warm-up length matters more than peak learning rate.", &[(&a, Refines)]);
    let err = research::propose(&store, &e, &Actor::local(), &own).unwrap_err();
    assert_eq!(field_of(&err), "derived_from[0].hypothesis", "{err}");
    assert!(read(&a).derived_from.is_empty());
}

#[test]
fn elo_ratings_match_a_hand_computation_and_survive_a_reopen() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let a = propose(&store, &e, "Hypothesis A about tokenisation.", &[]);
    let b = propose(&store, &e, "Hypothesis B about tokenisation.", &[]);
    let c = propose(&store, &e, "Hypothesis C about tokenisation.", &[]);
    let d = propose(&store, &e, "Hypothesis D, never compared.", &[]);
    // Record times are milliseconds: keep the three apart so their order is the written one.
    let pause = || std::thread::sleep(std::time::Duration::from_millis(5));
    let first = compare(&store, &a, &b, false, None);
    assert!(first.created);
    assert_eq!((first.winner_rating.elo, first.loser_rating.elo), (1216.0, 1184.0));
    pause();
    compare(&store, &b, &c, false, Some("round-1/b-c"));
    pause();
    compare(&store, &c, &a, true, None);

    // By hand: A beats B (±16); B (1184) beats C (1200), expected 1/(1+10^(16/400)), so
    // B gains 32 × (1 − that) = 16.7365; A (1216) draws C (1183.2635): A expected 0.546886, so
    // A loses 32 × 0.046886 = 1.5003 and C gains it.
    let want = [
        (&a, 1214.4968829087939, (1, 0, 1)),
        (&b, 1200.736306793522, (1, 1, 0)),
        (&c, 1184.766810297684, (0, 1, 1)),
        (&d, 1200.0, (0, 0, 0)),
    ];
    let check = |store: &Store| {
        for (k, elo, (wins, losses, draws)) in &want {
            let r = research::hypothesis(store, k).unwrap().rating;
            assert!((r.elo - elo).abs() < 1e-9, "{k}: {} != {elo}", r.elo);
            assert_eq!((r.wins, r.losses, r.draws), (*wins, *losses, *draws), "{k}");
            assert_eq!(r.comparisons, wins + losses + draws);
        }
        // Highest rated first; D (1200, never compared) between B and C.
        let by_rating = research::hypotheses(
            store,
            &HypothesisFilter {
                sort: Some(HypothesisSort::Rating),
                ..Default::default()
            },
        )
        .unwrap();
        let keys: Vec<&str> = by_rating.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, [a.as_str(), b.as_str(), d.as_str(), c.as_str()]);
        let asc = research::hypotheses(
            store,
            &HypothesisFilter {
                sort: Some(HypothesisSort::Rating),
                order: Some(SortOrder::Asc),
                limit: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(asc[0].key, c);
    };
    check(&store);
    assert_eq!(research::comparisons(&store).unwrap().len(), 3);

    // A match id makes a retry return the stored comparison; another outcome under it is a
    // conflict; without one, the same judgement twice is two matches.
    let again = compare(&store, &b, &c, false, Some("round-1/b-c"));
    assert!(!again.created);
    assert_eq!(again.record.match_id.as_deref(), Some("round-1/b-c"));
    let flipped = research::compare(
        &store,
        &Actor::local(),
        &NewComparison {
            winner: c.clone(),
            loser: b.clone(),
            draw: false,
            agent: "judge".into(),
            rationale: None,
            match_id: Some("round-1/b-c".into()),
        },
    )
    .unwrap_err();
    assert!(matches!(flipped, Error::User(UserError::Conflict(_))), "{flipped}");
    check(&store);
    // Refusals: itself, an unknown hypothesis (the field named).
    let refuse = |w: &str, l: &str| {
        research::compare(
            &store,
            &Actor::local(),
            &NewComparison {
                winner: w.into(),
                loser: l.into(),
                draw: false,
                agent: "judge".into(),
                rationale: None,
                match_id: None,
            },
        )
        .unwrap_err()
    };
    assert_eq!(field_of(&refuse(&a, &a)), "loser");
    let ghost = hypatia::common::ids::RecordKind::Hypothesis.key("ghost");
    assert!(field_of(&refuse(&a, &ghost)).starts_with("loser: no hypothesis"));
    assert!(field_of(&refuse(&ghost, &a)).starts_with("winner: no hypothesis"));
    assert_eq!(research::comparisons(&store).unwrap().len(), 3);

    // The comparisons are facts on disk: the same ratings after a reopen.
    drop(store);
    let store = reopen(&dir, e.identity());
    check(&store);
    let c1 = &research::comparisons(&store).unwrap()[0];
    assert_eq!(
        (c1.winner.as_str(), c1.loser.as_str(), c1.draw),
        (a.as_str(), b.as_str(), false)
    );
    assert_eq!(c1.rationale.as_deref(), Some("clearer mechanism"));
    let twice = [
        compare(&store, &d, &c, false, None),
        compare(&store, &d, &c, false, None),
    ];
    assert!(twice.iter().all(|t| t.created) && twice[0].record.key != twice[1].record.key);
    assert_eq!(research::hypothesis(&store, &d).unwrap().rating.wins, 2);
}

fn run(store: &Store, e: &HashEmbedder, h: &str, i: usize, status: RunStatus, metrics: &[(&str, f64)]) {
    research::log_experiment(
        store,
        e,
        &Actor::local(),
        &NewExperiment {
            agent: "lead".into(),
            description: format!("run {i}"),
            status,
            hypothesis: Some(h.into()),
            code_version: None,
            parameters: Default::default(),
            metrics: metrics
                .iter()
                .map(|(name, value)| Metric {
                    name: name.to_string(),
                    value: *value,
                    unit: None,
                    split: None,
                })
                .collect(),
            notes: None,
            artefacts: vec![],
            time: Some(format!("2026-03-01T10:{i:02}:00Z")),
            idempotency_key: None,
        },
    )
    .unwrap();
}

#[test]
fn runs_that_stop_improving_plateau_and_evidence_sorts() {
    use RunStatus::*;
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let h = propose(&store, &e, "A deeper MLP lowers val_bpb at equal compute.", &[]);
    let other = propose(&store, &e, "Rotary embeddings beat learned ones at 2k context.", &[]);
    // val_bpb improves, then stalls; accuracy keeps rising; a crash reports nothing.
    let series = [
        (Keep, 1.00, 0.50),
        (Keep, 0.95, 0.55),
        (Keep, 0.90, 0.60),
        (Discard, 0.899, 0.61),
        (Crash, 0.10, 0.99),
        (Discard, 0.899, 0.62),
        (Discard, 0.93, 0.63),
    ];
    for (i, (status, bpb, acc)) in series.into_iter().enumerate() {
        run(&store, &e, &h, i, status, &[("val_bpb", bpb), ("accuracy", acc)]);
    }
    run(&store, &e, &other, 10, Keep, &[("val_bpb", 1.0)]);

    let read = |q: PlateauQuery| research::hypothesis_with(&store, &h, &q.settings().unwrap()).unwrap();
    let q = |metric: &str, window: usize, threshold: f64| PlateauQuery {
        plateau_metric: Some(metric.into()),
        plateau_window: Some(window),
        plateau_threshold: Some(threshold),
        ..Default::default()
    };
    // 0.899 gains only 0.001 on 0.90: under a 0.005 threshold, three runs without gain.
    let p = read(q("val_bpb", 3, 0.005)).plateaus;
    assert_eq!(p.len(), 1, "{p:?}");
    let p = &p[0];
    assert_eq!((p.direction, p.direction_inferred), (MetricDirection::Lower, true));
    assert_eq!((p.runs, p.best, p.runs_since_best, p.latest), (6, 0.90, 3, 0.93));
    assert!(p.plateaued);
    assert_eq!(research::experiment(&store, &p.best_run).unwrap().description, "run 2");
    // Any strict gain counts at threshold 0: 0.899 is the best, from run 3 (run 5 only equals
    // it), two runs since.
    let p = &read(q("val_bpb", 3, 0.0)).plateaus[0];
    assert_eq!((p.best, p.runs_since_best, p.plateaued), (0.899, 2, false));
    assert_eq!(research::experiment(&store, &p.best_run).unwrap().description, "run 3");
    // Accuracy (higher is better) improves on every counted run.
    let p = &read(q("accuracy", 1, 0.0)).plateaus[0];
    assert_eq!(
        (p.direction, p.best, p.runs_since_best, p.plateaued),
        (MetricDirection::Higher, 0.63, 0, false)
    );
    // Told the other way round, val_bpb never beat its first run.
    let p = &read(PlateauQuery {
        plateau_direction: Some(MetricDirection::Higher),
        ..q("val_bpb", 5, 0.0)
    })
    .plateaus[0];
    assert_eq!(
        (p.best, p.runs_since_best, p.plateaued, p.direction_inferred),
        (1.0, 5, true, false)
    );
    // Defaults: every metric, window 5, threshold 0.
    let all = research::hypothesis(&store, &h).unwrap();
    let names: Vec<&str> = all.plateaus.iter().map(|p| p.metric.as_str()).collect();
    assert_eq!(names, ["accuracy", "val_bpb"]);
    assert!(all.plateaus.iter().all(|p| p.window == 5 && !p.plateaued));

    // Evidence: three kept runs against one.
    assert_eq!(
        (
            all.evidence_count,
            research::hypothesis(&store, &other).unwrap().evidence_count
        ),
        (3, 1)
    );
    let sorted = |order| {
        research::hypotheses(
            &store,
            &HypothesisFilter {
                sort: Some(HypothesisSort::Evidence),
                order,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|h| (h.key, h.evidence_count))
        .collect::<Vec<_>>()
    };
    assert_eq!(sorted(None), [(h.clone(), 3), (other.clone(), 1)]);
    assert_eq!(sorted(Some(SortOrder::Asc)), [(other.clone(), 1), (h.clone(), 3)]);
    // Recency (the default order): newest first; ascending: oldest first.
    let recency = |order| {
        research::hypotheses(
            &store,
            &HypothesisFilter {
                sort: Some(HypothesisSort::Recency),
                order,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|h| h.key)
        .collect::<Vec<_>>()
    };
    let default: Vec<String> = research::hypotheses(&store, &HypothesisFilter::default())
        .unwrap()
        .into_iter()
        .map(|h| h.key)
        .collect();
    assert_eq!(recency(None), default);
    let mut reversed = default.clone();
    reversed.reverse();
    assert_eq!(recency(Some(SortOrder::Asc)), reversed);
}

fn server(store: Arc<Store>, e: HashEmbedder) -> RunningServer {
    open_server(store, Some(Arc::new(e)), true)
}

#[test]
fn lineage_and_rank_over_http() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let srv = server(Arc::new(store), hash_embedder());
    let base = format!("http://{}", srv.addr());
    let c = client();
    let post = |path: &str, body: Value| {
        let r = c.post(format!("{base}{path}")).json(&body).send().unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let get = |path: &str| {
        let r = c.get(format!("{base}{path}")).send().unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let (s, a) = post("/hypotheses", json!({"statement": "Parent one.", "agent": "a1"}));
    assert_eq!(s, 201, "{a}");
    let a = a["record"]["key"].as_str().unwrap().to_string();
    let (_, b) = post("/hypotheses", json!({"statement": "Parent two.", "agent": "a1"}));
    let b = b["record"]["key"].as_str().unwrap().to_string();
    let (s, child) = post(
        "/hypotheses",
        json!({"statement": "Both parents at once.", "agent": "a1",
               "derived_from": [{"hypothesis": a, "relation": "combines"},
                                {"hypothesis": b, "relation": "combines"}]}),
    );
    assert_eq!(s, 201, "{child}");
    assert_eq!(child["record"]["derived_from"].as_array().unwrap().len(), 2);
    let child = child["record"]["key"].as_str().unwrap().to_string();

    // A missing parent: 404 naming the field, nothing stored.
    let ghost = hypatia::common::ids::RecordKind::Hypothesis.key("ghost");
    let (s, err) = post(
        "/hypotheses",
        json!({"statement": "Orphan.", "agent": "a1",
               "derived_from": [{"hypothesis": a, "relation": "refines"},
                                {"hypothesis": ghost, "relation": "refines"}]}),
    );
    assert_eq!(s, 404, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("derived_from[1].hypothesis"),
        "{err}"
    );
    let (s, err) = post(
        "/hypotheses",
        json!({"statement": "Orphan.", "agent": "a1",
               "derived_from": [{"hypothesis": a, "relation": "inspires"}]}),
    );
    assert_eq!(s, 400, "{err}");
    assert_eq!(get("/hypotheses").1.as_array().unwrap().len(), 3);

    // Comparisons.
    let (s, won) = post(
        "/hypotheses/compare",
        json!({"winner": child, "loser": a, "agent": "judge", "rationale": "combines both", "match": "m1"}),
    );
    assert_eq!(s, 201, "{won}");
    assert_eq!(won["winner_rating"]["elo"], 1216.0);
    assert_eq!(won["record"]["match"], "m1");
    let (s, again) = post(
        "/hypotheses/compare",
        json!({"winner": child, "loser": a, "agent": "judge", "match": "m1"}),
    );
    assert_eq!((s, &again["record"]["key"]), (200, &won["record"]["key"]));
    let (s, _) = post(
        "/hypotheses/compare",
        json!({"winner": a, "loser": child, "agent": "judge", "match": "m1"}),
    );
    assert_eq!(s, 409);
    let (s, err) = post(
        "/hypotheses/compare",
        json!({"winner": a, "loser": a, "agent": "judge"}),
    );
    assert_eq!(s, 400, "{err}");
    let (s, err) = post(
        "/hypotheses/compare",
        json!({"winner": ghost, "loser": a, "agent": "judge"}),
    );
    assert_eq!(s, 404);
    assert!(err["message"].as_str().unwrap().contains("winner"), "{err}");
    let (s, _) = post(
        "/hypotheses/compare",
        json!({"winner": b, "loser": a, "agent": "judge", "draw": true}),
    );
    assert_eq!(s, 201);

    let (s, list) = get("/hypotheses?sort=rating");
    assert_eq!(s, 200, "{list}");
    assert_eq!(list[0]["key"], child.as_str());
    assert_eq!(list.as_array().unwrap().last().unwrap()["key"], a.as_str());
    let (_, one) = get(&format!("/hypotheses/{a}?plateau_window=3&plateau_direction=lower"));
    assert_eq!(one["rating"]["comparisons"], 2);
    assert_eq!(one["derivatives"][0]["hypothesis"], child.as_str());
    for bad in [
        "/hypotheses?sort=hype",
        "/hypotheses?order=sideways",
        &format!("/hypotheses/{a}?plateau_window=0"),
        &format!("/hypotheses/{a}?plateau_threshold=-1"),
        &format!("/hypotheses/{a}?plateau_direction=up"),
    ] {
        assert_eq!(get(bad).0, 400, "{bad}");
    }
    // As RDF: the typed edge beside prov:wasDerivedFrom, and the comparison with provenance.
    let ask = |q: String| super::research::sparql(&c, &base, &q)["boolean"].as_bool().unwrap();
    let iri = |k: &str| format!("https://w3id.org/hypatia/id/hypothesis/{k}");
    assert!(ask(format!(
        "ASK {{ GRAPH ?g {{ <{0}> <https://w3id.org/hypatia/ns#combines> <{1}> ; \
         <http://www.w3.org/ns/prov#wasDerivedFrom> <{1}> }} }}",
        iri(&child),
        iri(&a)
    )));
    assert!(ask(format!(
        "PREFIX hyp: <https://w3id.org/hypatia/ns#> PREFIX prov: <http://www.w3.org/ns/prov#> \
         ASK {{ GRAPH ?a {{ ?c a hyp:Comparison ; hyp:winner <{0}> ; hyp:compares <{1}> ; \
         hyp:note \"combines both\" }} GRAPH ?p {{ ?a prov:wasAttributedTo ?agent }} }}",
        iri(&child),
        iri(&a)
    )));
}
