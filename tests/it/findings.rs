//! Findings on a real ingested sample (SciFact abstracts, the real model): evidence packs in
//! every format, every quote byte-exact at its offsets over many questions, JSON-LD that parses
//! as RDF.

use hypatia::answers::evidence;
use hypatia::answers::findings::{self, FindingsRequest};
use hypatia::answers::stance::Stance;
use hypatia::common::passages::verify_quote;

use super::common::{fixtures, model, open_server, scifact};

/// Questions: the sample's training claims, and the titles of its first abstracts reworded as
/// topics (many queries, so that many passages and claims pass through the checks).
fn questions() -> Vec<String> {
    let claims = std::fs::read_to_string(fixtures().join("scifact/queries-train.jsonl")).unwrap();
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    let field = |line: &str, f: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v[f].as_str().unwrap_or("").to_string()
    };
    claims
        .lines()
        .map(|l| field(l, "text"))
        .chain(corpus.lines().take(40).map(|l| field(l, "title")))
        .filter(|q| !q.is_empty())
        .collect()
}

#[test]
fn every_quote_in_every_pack_is_byte_exact_at_its_offsets() {
    let s = scifact();
    let m = model();
    let (mut passages, mut claims, mut sentences, mut quotes) = (0, 0, 0, 0);
    for q in questions() {
        let mut contradicting = Vec::new();
        let pack = findings::find(
            &s.store,
            Some(m.as_ref()),
            &FindingsRequest {
                question: q.clone(),
                papers: 5,
                per_paper: 3,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(!pack.papers.is_empty(), "{q}");
        assert_eq!(pack.summary.papers, pack.papers.len());
        for p in &pack.papers {
            let text = s.store.canonical_text(&p.reference.key).unwrap().unwrap().1;
            assert!(p.passages.len() <= 3);
            for (i, a) in p.passages.iter().enumerate() {
                assert!(verify_quote(&text, a.start, a.end, &a.quote), "{q}: {}", a.passage);
                // The quote is 1 to 3 whole sentences of its passage, never the title, and the
                // passage around it is served verbatim too.
                assert!(
                    verify_quote(&text, a.context.start, a.context.end, &a.context.text),
                    "{q}: context of {}",
                    a.passage
                );
                assert!(
                    a.context.start <= a.start && a.end <= a.context.end,
                    "{q}: {}",
                    a.passage
                );
                assert!(
                    (1..=evidence::MAX_SENTENCES).contains(&a.sentences),
                    "{q}: {}",
                    a.sentences
                );
                assert_ne!(a.section, "title", "{q}: a title quoted as evidence");
                assert_ne!(
                    a.quote.trim(),
                    p.reference.title.trim(),
                    "{q}: a title quoted as evidence"
                );
                let words = a.quote.split_whitespace().count();
                assert!(words >= evidence::MIN_WORDS, "{q}: a {words}-word quote: {}", a.quote);
                assert!(!evidence::looks_like_reference(&a.quote), "{q}: {}", a.quote);
                sentences += a.sentences;
                quotes += 1;
                if a.stance == Some(Stance::Contradicts) {
                    contradicting.push(a.iri.clone());
                }
                for b in &p.passages[i + 1..] {
                    assert!(
                        a.end <= b.start || b.end <= a.start,
                        "overlapping passages in one paper"
                    );
                }
                passages += 1;
            }
            for c in &p.claims {
                assert!(verify_quote(&text, c.start, c.end, &c.quote), "{q}: {}", c.claim);
                if c.stance == Some(Stance::Contradicts) {
                    contradicting.push(c.claim.clone());
                }
                assert!(p.passages.iter().any(|a| a.passage == c.passage));
                claims += 1;
            }
            assert!(!p.reference.title.is_empty());
        }
        // Contradicting evidence is listed on its own, all of it and nothing else.
        let listed: Vec<String> = pack.contradicting.iter().map(|c| c.iri.clone()).collect();
        assert_eq!(listed, contradicting, "{q}");
        assert_eq!(pack.summary.contradicting, contradicting.len());
    }
    assert!(
        passages > 200 && claims > 20,
        "{passages} passages, {claims} claims checked"
    );
    // Sentence-level, not passage-level: on average well under three sentences a quote.
    assert!(
        (sentences as f64) < 2.0 * quotes as f64,
        "{sentences} sentences in {quotes} quotes"
    );
}

#[test]
fn findings_over_http_in_json_jsonld_and_markdown() {
    let s = scifact();
    let srv = open_server(s.store.clone(), Some(model()), false);
    let url = format!("http://{}/findings", srv.addr());
    let client = reqwest::blocking::Client::new();
    let q = [("q", "DNA methylation in blood cells"), ("papers", "3")];
    let get = |accept: &str| {
        let r = client.get(&url).query(&q).header("Accept", accept).send().unwrap();
        assert_eq!(r.status(), 200, "{accept}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        (ct, r.text().unwrap())
    };
    let (ct, json) = get("application/json");
    assert!(ct.starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["papers"].as_array().unwrap().len(), 3);
    assert!(v["papers"][0]["passages"][0]["quote"].as_str().unwrap().len() > 20);

    let (ct, jsonld) = get("application/ld+json");
    assert!(ct.starts_with("application/ld+json"));
    let quads: Vec<oxigraph::model::Quad> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::JsonLd {
        profile: Default::default(),
    })
    .for_slice(jsonld.as_bytes())
    .collect::<Result<_, _>>()
    .unwrap();
    let has = |p: &str, o: &str| {
        quads
            .iter()
            .any(|q| q.predicate.as_str() == p && q.object.to_string().contains(o))
    };
    assert!(has(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://schema.org/ScholarlyArticle"
    ));
    assert!(has(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://schema.org/Quotation"
    ));
    assert!(quads
        .iter()
        .any(|q| q.predicate.as_str() == "http://schema.org/isBasedOn"));
    assert!(quads
        .iter()
        .any(|q| q.predicate.as_str() == "http://www.w3.org/ns/oa#start"));
    assert!(quads
        .iter()
        .any(|q| q.predicate.as_str() == format!("{}polarity", hypatia::common::vocab::hyp::NS)));

    let (ct, md) = get("text/markdown");
    assert!(ct.starts_with("text/markdown"));
    assert!(md.contains("[^1]") && md.contains("\n[^1]: "), "{md}");
    assert!(md.contains("[^3]: "), "three numbered references: {md}");

    let r = client.get(&url).query(&q).header("Accept", "image/png").send().unwrap();
    assert_eq!(r.status(), 406);
    let r = client.get(&url).query(&[("q", "x"), ("papers", "0")]).send().unwrap();
    assert_eq!(r.status(), 400);
}

#[test]
fn claims_in_passage_query_lists_the_claims_findings_quote() {
    // queries/claims_in_passage.rq: every claim of a pack comes back for its passage.
    let s = scifact();
    let pack = findings::find(
        &s.store,
        Some(model().as_ref()),
        &FindingsRequest {
            question: "vitamin D supplementation and fracture risk".into(),
            papers: 10,
            ..Default::default()
        },
    )
    .unwrap();
    let claim = pack
        .papers
        .iter()
        .flat_map(|p| &p.claims)
        .next()
        .expect("some claim among ten papers");
    let node = |iri: String| oxigraph::model::NamedNode::new(iri).unwrap();
    let base = s.store.base();
    let paper = hypatia::common::ids::paper_key_of_passage(&claim.passage);
    let passage = node(base.passage_iri(&claim.passage));
    let oxigraph::sparql::QueryResults::Solutions(rows) = s
        .store
        .graph()
        .query_bound(
            hypatia::store::queries::CLAIMS_IN_PASSAGE,
            &[
                ("passage", passage.into()),
                ("g", node(base.paper_graph(paper)).into()),
                ("x", node(base.extraction_graph(paper)).into()),
            ],
        )
        .unwrap()
    else {
        panic!()
    };
    let claims: Vec<String> = rows
        .map(|r| hypatia::store::queries::lexical(r.unwrap().get("claim").unwrap()))
        .collect();
    assert!(claims.contains(&claim.claim));
}

#[test]
fn stance_on_hand_labelled_scifact_pairs_holds_its_recorded_figures() {
    // `hypatia eval stance --half odd` (and `--half even`): the README's figures, recomputed
    // with the real model; the thresholds were chosen on the even lines.
    let pairs = hypatia::answers::eval::read_pairs(&fixtures().join("stance/scifact-train-stance.jsonl")).unwrap();
    assert_eq!(pairs.len(), 120);
    let m = model();
    let half = |parity: usize| -> Vec<_> {
        pairs
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, p)| p.clone())
            .collect()
    };
    let none = std::collections::HashMap::new();
    let even = hypatia::answers::eval::evaluate(&half(0), Some(m.as_ref()), &none).unwrap();
    let odd = hypatia::answers::eval::evaluate(&half(1), Some(m.as_ref()), &none).unwrap();
    eprintln!("{even}{odd}");
    let correct = |r: &hypatia::answers::eval::Report| (0..3).map(|g| r.confusion[g][g]).sum::<usize>();
    assert_eq!((correct(&even), correct(&odd)), (EVEN_CORRECT, ODD_CORRECT));
}

/// Correct stance labels of 60 pairs each, as the README reports them.
const EVEN_CORRECT: usize = 31;
const ODD_CORRECT: usize = 23;
