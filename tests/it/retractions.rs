//! Retractions propagate: a real retracted paper (Arnaiz-Villena et al., "The origin of
//! Palestinians and their genetic relatedness with other Mediterranean populations", Hum Immunol
//! 2001, PMID 11543891) is ingested as MEDLINE first indexed it, and the journal's retraction
//! notice (PMID 11600210) arrives in a later batch. Findings, search, hypotheses and experiment
//! runs are checked before and after (gaps on a corpus that has some, below); the paper is not
//! written again, and deleting the notice takes the retraction back. The notice before the
//! paper, and the paper's own updated record, mark it too.

use std::path::PathBuf;
use std::sync::Arc;

use hypatia::answers::findings::{self, EvidencePack, FindingsRequest};
use hypatia::common::ids::paper_key;
use hypatia::embed::Embedder;
use hypatia::research::gaps::{find_gaps, Gap, GapKind, GapQuery};
use hypatia::research::{
    self, Actor, EvidenceArg, ExperimentFilter, HypothesisFilter, NewExperiment, NewHypothesis, RecordFlag, RunStatus,
};
use hypatia::retrieval::search::{self, Hit, Mode, SearchRequest};
use hypatia::store::standing::NoticeRef;
use hypatia::store::Store;

use super::common::{client, fixtures, hash_embedder, ingest, open_server, temp_store};
use super::mcp::post;

const PAPER: &str = "https://pubmed.ncbi.nlm.nih.gov/11543891";
const NOTICE: &str = "https://pubmed.ncbi.nlm.nih.gov/11600210";
const QUESTION: &str = "genetic relatedness of Palestinians Jews Mediterranean populations HLA";

fn fixture(name: &str) -> PathBuf {
    fixtures().join("papers/medline").join(name)
}

fn pack(store: &Store, include_retracted: bool) -> EvidencePack {
    findings::find(
        store,
        None,
        &FindingsRequest {
            question: QUESTION.into(),
            mode: Mode::Bm25,
            include_retracted,
            ..Default::default()
        },
    )
    .unwrap()
}

fn hits(store: &Store) -> Vec<Hit> {
    search::search(
        store,
        None,
        &SearchRequest {
            query: QUESTION.into(),
            mode: Mode::Bm25,
            k: 10,
            ..Default::default()
        },
    )
    .unwrap()
}

fn flagged_hypotheses(store: &Store) -> Vec<research::Hypothesis> {
    research::hypotheses(
        store,
        &HypothesisFilter {
            flag: Some(RecordFlag::RetractedEvidence),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn a_later_retraction_notice_propagates_without_reingesting_the_paper() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    let store = Arc::new(store);
    let key = paper_key(PAPER);
    let report = ingest(
        &store,
        &e,
        &[
            fixture("retraction/pubmed-11543891-as-first-indexed.xml"),
            fixture("medsample1.sample.xml"),
        ],
    );
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let digest = store.paper_digest(&key).unwrap().expect("the paper is stored");
    let generation = store.generation();

    // Before the notice: nothing is retracted.
    assert!(store.standing().unwrap().notices(&key).is_empty());
    let before = pack(&store, false);
    assert_eq!(before.papers[0].reference.key, key);
    assert!(!before.papers[0].retracted);
    let found = hits(&store);
    assert_eq!(found[0].citation.paper.key, key);
    // (The sample holds two papers MEDLINE marks retracted itself, 8655018 and 8863847.)
    assert!(found
        .iter()
        .filter(|h| h.citation.paper.key == key)
        .all(|h| !h.retracted));
    let json = serde_json::to_value(&found[0]).unwrap();
    assert!(
        json.get("retracted").is_none(),
        "the marker is there only when true: {json}"
    );

    // A hypothesis resting on one of its passages, a run testing it, and one resting on nothing.
    let passage = found[0].citation.passage.clone();
    let propose = |statement: &str, evidence: Vec<EvidenceArg>| {
        research::propose(
            &store,
            &e as &dyn Embedder,
            &Actor::local(),
            &NewHypothesis {
                statement: statement.into(),
                agent: "a1".into(),
                concepts: vec![],
                gap: None,
                evidence,
                derived_from: vec![],
            },
        )
        .unwrap()
        .record
    };
    let cited = propose(
        "HLA haplotypes place Palestinians close to Jews and other Middle East populations.",
        vec![EvidenceArg::Name(passage.clone())],
    );
    let unrelated = propose("Nothing here rests on the retracted paper.", vec![]);
    let run = research::log_experiment(
        &store,
        &e,
        &Actor::local(),
        &NewExperiment {
            agent: "a1".into(),
            description: "re-typed HLA-A and -B alleles of a fresh sample".into(),
            status: RunStatus::Keep,
            hypothesis: Some(cited.key.clone()),
            code_version: None,
            parameters: Default::default(),
            metrics: vec![],
            notes: None,
            artefacts: vec![],
            time: None,
            idempotency_key: None,
        },
    )
    .unwrap()
    .record;
    assert!(cited.retracted_evidence.is_empty());
    assert!(flagged_hypotheses(&store).is_empty());

    // The notice, in a later batch: the paper is not written again.
    let report = ingest(&store, &e, &[fixture("retraction/pubmed-11600210-notice.xml")]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(store.generation() > generation);
    assert_eq!(store.paper_digest(&key).unwrap().as_deref(), Some(digest.as_str()));
    let notices = store.standing().unwrap().notices(&key).to_vec();
    let recorded = notices.first().and_then(|n| n.recorded.clone());
    assert!(
        recorded.is_some(),
        "the notice carries when it was learned: {notices:?}"
    );
    assert_eq!(
        notices,
        [NoticeRef {
            kind: "retraction".into(),
            notice: Some(NOTICE.into()),
            date: Some("2001-10".into()),
            recorded,
        }]
    );

    let record = hypatia::store::papers::paper_record(&store, &key).unwrap();
    assert_eq!(record.notices.len(), 1);

    // Findings leave it out by default, and show it marked on request.
    let after = pack(&store, false);
    assert!(
        after.papers.iter().all(|p| p.reference.key != key),
        "{:?}",
        after.papers
    );
    assert!(after.papers.iter().all(|p| !p.retracted));
    let shown = pack(&store, true);
    let p = shown.papers.iter().find(|p| p.reference.key == key).unwrap();
    assert!(p.retracted);
    assert!(hypatia::answers::formats::to_markdown(&shown).contains("**Retracted.**"));
    assert_eq!(
        hypatia::answers::formats::to_jsonld(&shown)["@graph"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["@id"] == PAPER)
            .unwrap()["creativeWorkStatus"],
        "Retracted"
    );

    // Search still finds it, marked.
    let found = hits(&store);
    assert_eq!(found[0].citation.paper.key, key);
    assert!(found[0].retracted);
    assert!(found
        .iter()
        .filter(|h| h.citation.paper.key == key)
        .all(|h| h.retracted));

    // The hypothesis citing it, and the run testing that hypothesis, are flagged.
    let flagged = flagged_hypotheses(&store);
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].key, cited.key);
    assert_eq!(flagged[0].retracted_evidence, [store.base().passage_iri(&passage)]);
    assert!(research::hypothesis(&store, &unrelated.key)
        .unwrap()
        .retracted_evidence
        .is_empty());
    let runs = research::experiments(
        &store,
        &ExperimentFilter {
            flag: Some(RecordFlag::RetractedEvidence),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(runs.iter().map(|r| &r.key).collect::<Vec<_>>(), [&run.key]);

    // (These fifteen abstracts make no gap; `gaps_ignore_retracted_papers` checks gaps.)

    // Over HTTP: the same answers.
    let srv = open_server(store.clone(), None, false);
    let get = |path: &str, query: &[(&str, &str)]| -> serde_json::Value {
        let r = client()
            .get(format!("http://{}{path}", srv.addr()))
            .query(query)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.json().unwrap()
    };
    let q = ("q", QUESTION);
    let bm25 = ("mode", "bm25");
    let v = get("/findings", &[q, bm25]);
    assert!(v["papers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["reference"]["key"] != key));
    let v = get("/findings", &[q, bm25, ("include_retracted", "true")]);
    let p = v["papers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["reference"]["key"] == key)
        .unwrap();
    assert_eq!(p["retracted"], true);
    let v = get("/search", &[q, bm25]);
    assert_eq!(v["hits"][0]["retracted"], true);
    let v = get("/hypotheses", &[("flag", "retracted_evidence")]);
    let keys: Vec<&str> = v.as_array().unwrap().iter().filter_map(|h| h["key"].as_str()).collect();
    assert_eq!(keys, [cited.key.as_str()]);
    let v = get("/experiments", &[("flag", "retracted_evidence")]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    // The description names the new parameters.
    let api = get("/openapi.json", &[]);
    let params = |path: &str| -> Vec<String> {
        api["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(params("/findings").contains(&"include_retracted".to_string()));
    assert!(params("/hypotheses").contains(&"flag".to_string()));
    assert!(params("/experiments").contains(&"flag".to_string()));
    assert!(api.to_string().contains("retracted_evidence"));

    // Over MCP (`/mcp`): findings with `include_retracted`, hypotheses with `flag`.
    let url = format!("http://{}/mcp", srv.addr());
    let c = client();
    let rpc = |id: u64, method: &str, params: serde_json::Value| serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
    let init = rpc(
        1,
        "initialize",
        serde_json::json!({ "protocolVersion": "2025-11-25", "capabilities": {},
                            "clientInfo": { "name": "hypatia-test", "version": "1" } }),
    );
    let (_, sid, _) = post(&c, &url, None, None, &init);
    let sid = sid.expect("a session id");
    let note = serde_json::json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    post(&c, &url, None, Some(&sid), &note);
    let tool = |id: u64, name: &str, args: serde_json::Value| -> String {
        let msg = rpc(id, "tools/call", serde_json::json!({ "name": name, "arguments": args }));
        let (status, _, reply) = post(&c, &url, None, Some(&sid), &msg);
        assert_eq!(status, 200);
        let reply = reply.expect("a reply").to_string();
        assert!(!reply.contains("\"isError\":true"), "{reply}");
        reply
    };
    let args = |include: bool| serde_json::json!({ "question": QUESTION, "mode": "bm25", "format": "json", "include_retracted": include });
    assert!(!tool(2, "findings", args(false)).contains(&key));
    let shown = tool(3, "findings", args(true));
    let marked = [r#""retracted":true"#, r#"\"retracted\":true"#];
    assert!(
        shown.contains(&key) && marked.iter().any(|m| shown.contains(m)),
        "{shown}"
    );
    let flagged = tool(4, "hypotheses", serde_json::json!({ "flag": "retracted_evidence" }));
    assert!(
        flagged.contains(&cited.key) && !flagged.contains(&unrelated.key),
        "{flagged}"
    );

    // Deleting the notice takes the retraction back.
    store.delete_papers(&[paper_key(NOTICE)]).unwrap();
    assert!(!store.standing().unwrap().is_retracted(&key));
    assert!(!hits(&store)[0].retracted);
    assert!(flagged_hypotheses(&store).is_empty());
    assert_eq!(pack(&store, false).papers[0].reference.key, key);
}

#[test]
fn a_notice_stored_before_its_paper_and_the_updated_record_mark_it_too() {
    let e = hash_embedder();
    let key = paper_key(PAPER);
    // The notice first, then the paper as first indexed.
    let (_d1, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixture("retraction/pubmed-11600210-notice.xml")]);
    assert!(!store.standing().unwrap().is_retracted(&key));
    ingest(
        &store,
        &e,
        &[fixture("retraction/pubmed-11543891-as-first-indexed.xml")],
    );
    assert!(store.standing().unwrap().is_retracted(&key));
    assert!(hits(&store)[0].retracted);
    // MEDLINE's updated record says it itself ("Retracted Publication", `RetractionIn`), with
    // the notice not stored: retracted, dated by the record's `RefSource`.
    let (_d2, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixture("retraction/pubmed-11543891.xml")]);
    let standing = store.standing().unwrap();
    assert!(standing.is_retracted(&key));
    assert!(standing
        .notices(&key)
        .iter()
        .any(|n| n.kind == "retraction" && n.date.as_deref() == Some("2001-10")));
    assert!(pack(&store, false).papers.iter().all(|p| p.reference.key != key));
}

/// Gaps ignore a retracted paper: on a hand-written corpus (the open-question case of
/// `tests/it/gaps.rs`), an open question stops being a gap once its paper is retracted, and
/// one a later paper answered is open again once the answer is retracted; as of a year before
/// the retraction, nothing changes. The notice is a Crossref-style `update-to` record naming
/// the papers' DOIs.
#[test]
fn gaps_ignore_retracted_papers() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let src = dir.path().join("papers");
    std::fs::create_dir_all(&src).unwrap();
    let papers = [
        ("Questions one", 2000, "In future work, we will apply CRF to SVM."),
        ("Questions two", 2000, "In future work, we will apply GRU to HMM."),
        ("Earlier work", 1990, "We combine GRU with HMM."),
        ("Answers", 2005, "We show that CRF outperforms SVM."),
    ];
    for (i, (title, year, text)) in papers.iter().enumerate() {
        let md = format!("---\ntitle: {title}\nyear: {year}\ndoi: 10.5555/toy.{i}\nabstract: {text}\n---\n");
        std::fs::write(src.join(format!("p{i:02}.md")), md).unwrap();
    }
    let report = ingest(&store, &e, &[src]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let lexicon = hypatia::ingest::extraction::LEXICON_MIN_SCORE;
    hypatia::ingest::extraction::reextract(
        &store,
        &hypatia::ingest::extraction::ExtractOptions {
            batch: 64,
            min_score: lexicon,
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let open_as_of = |store: &Store, as_of: Option<i32>| {
        let q = GapQuery {
            kind: Some(GapKind::OpenQuestion),
            as_of,
            ..Default::default()
        };
        find_gaps(store, &q).unwrap()
    };
    let open = |store: &Store| open_as_of(store, None);
    let labels = |g: &Gap| g.concepts.iter().map(|c| c.label.to_lowercase()).collect::<Vec<_>>();
    let before = open(&store);
    assert_eq!(before.len(), 2, "{before:#?}");
    let crf = before.iter().find(|g| labels(g) == ["crf", "svm"]).unwrap();
    assert_eq!(crf.features["later_papers_addressing"], 1.0);

    let notice = dir.path().join("notice.json");
    std::fs::write(
        &notice,
        r#"{"id": "https://openalex.org/W1", "title": "Retraction notice", "publication_year": 2006,
"update-to": [{"DOI": "10.5555/toy.1", "type": "retraction", "updated": {"date-parts": [[2006, 1, 2]]}},
              {"DOI": "10.5555/toy.3", "type": "retraction", "updated": {"date-parts": [[2007]]}}]}"#,
    )
    .unwrap();
    let report = ingest(&store, &e, &[notice]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let after = open(&store);
    assert_eq!(after.len(), 1, "{after:#?}");
    assert_eq!(labels(&after[0]), ["crf", "svm"]);
    assert_eq!(
        after[0].features["later_papers_addressing"], 0.0,
        "the answer is retracted"
    );
    let retracted = ["https://doi.org/10.5555/toy.1", "https://doi.org/10.5555/toy.3"];
    assert!(after[0]
        .evidence
        .iter()
        .all(|ev| !retracted.contains(&ev.paper.as_str())));
    // A retraction has a valid time: as of 2005, before either notice (2006, 2007), the gaps
    // are what they were.
    let then = open_as_of(&store, Some(2005));
    assert_eq!(then.len(), 2, "{then:#?}");
    let crf = then.iter().find(|g| labels(g) == ["crf", "svm"]).unwrap();
    assert_eq!(crf.features["later_papers_addressing"], 1.0);
    assert_eq!(open_as_of(&store, Some(2006)).len(), 1);
}
