//! The learned extractor with the real model: token states that line up with the text, the
//! bundled heads reproducing the dev figures recorded when they were trained, and their findings
//! in an ingested store's extraction graphs.

use hypatia_extract::learned::{Heads, TokenStates};

use super::common::{fixtures, model, scifact};
use super::extraction::rows;

fn states(texts: &[String]) -> Vec<TokenStates> {
    model()
        .embed_with_states(texts)
        .unwrap()
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

/// Real passages: the SciFact sample's abstracts and titles, and a few texts of other scripts.
fn real_texts() -> Vec<String> {
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    let mut texts: Vec<String> = corpus
        .lines()
        .take(80)
        .flat_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            [
                v["title"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    texts.extend(
        [
            "Größere Modelle übertreffen kleinere — naïve Bayes, façade, ﬁne-tuning (ﬂow).",
            "多语言模型 BERT 在中文上的表现; emoji 🧪 as a reagent; α-helix and β-sheet (Å).",
            "   leading spaces,\ttabs\nand newlines   ",
        ]
        .map(String::from),
    );
    texts
}

#[test]
fn token_states_cover_the_text_piece_by_piece_on_char_boundaries() {
    let texts = real_texts();
    let all = states(&texts);
    let mut truncated = 0;
    for (text, st) in texts.iter().zip(&all) {
        assert_eq!(st.dim, 384);
        assert_eq!(st.states.len(), st.len() * st.dim);
        assert_eq!(st.continues.len(), st.len());
        let mut last = 0;
        for &(a, b) in &st.offsets {
            assert!(
                last <= a && a < b && b <= text.len(),
                "{a}..{b} after {last} in {text:?}"
            );
            assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
            last = b;
        }
        // The pieces, in order, are the text without its whitespace (the tokenizer drops
        // nothing else from these texts), or a prefix of it when the text was cut at 256 pieces.
        let covered: String = st.offsets.iter().map(|&(a, b)| &text[a..b]).collect();
        let expected: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if st.truncated {
            // cut at the model's 256 tokens, [CLS] and [SEP] among them
            truncated += 1;
            assert_eq!(st.len(), 254, "{text:?}");
            assert!(expected.starts_with(&covered), "{text:?}");
        } else {
            assert_eq!(covered, expected, "{text:?}");
        }
        // A word (pieces joined by ##) has no space inside.
        for (first, last) in st.words() {
            let w = &text[st.offsets[first].0..st.offsets[last].1];
            assert!(!w.contains(char::is_whitespace), "word {w:?}");
        }
    }
    // whole SciFact abstracts: about a third are longer than the model reads
    assert!(
        truncated < texts.len() / 2,
        "{truncated} of {} texts cut short",
        texts.len()
    );
}

#[test]
fn the_bundled_heads_reproduce_their_recorded_dev_figures() {
    let heads = Heads::bundled();
    let dev = std::fs::read_to_string(fixtures().join("scierc/dev.json")).unwrap();
    // No train text: the rules run without a lexicon, which changes the combination only.
    let run = hypatia_extract::eval::scierc_learned("", &dev, heads, &mut |t| Ok(states(t))).unwrap();
    let entity = 100.0 * run.entities.exact_typed.f1;
    let recorded = heads.param("dev_entity_f1").unwrap();
    assert!(
        (entity - recorded).abs() <= 0.5,
        "typed exact entity F1 {entity:.2} on dev, {recorded:.2} recorded by the trainer"
    );
    let relation = 100.0 * run.relations.strict.f1;
    let recorded = heads.param("dev_relation_f1").unwrap();
    // The trainer pairs entities within SciERC's sentences; the heads within the sentences the
    // rules' splitter finds, which differ in a few places.
    assert!(
        (relation - recorded).abs() <= 1.0,
        "strict relation F1 {relation:.2} on dev, {recorded:.2} recorded by the trainer"
    );
    assert!(entity >= 45.0 && relation >= 12.0, "{run}");
}

#[test]
fn an_ingested_abstract_holds_typed_learned_concepts() {
    let store = &scifact().store;
    let p = "PREFIX hyp: <https://w3id.org/hypatia/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX schema: <http://schema.org/> ";
    let agents = rows(
        store,
        &format!("{p} SELECT DISTINCT ?v WHERE {{ ?m a hyp:Mention ; prov:wasGeneratedBy ?a . ?a schema:version ?v }}"),
        &[],
    );
    assert_eq!(agents.len(), 1, "{agents:?}");
    assert!(agents[0]["v"].contains(Heads::bundled().version()), "{:?}", agents[0]);
    let typed = rows(
        store,
        &format!("{p} SELECT ?t (COUNT(*) AS ?n) WHERE {{ ?m a hyp:Mention ; hyp:conceptType ?t }} GROUP BY ?t"),
        &[],
    );
    let n = |class: &str| {
        typed
            .iter()
            .find(|r| r["t"].ends_with(class))
            .map_or(0, |r| r["n"].parse::<usize>().unwrap())
    };
    assert!(n("#Method") > 50 && n("#Task") > 20, "{typed:?}");
    let relations = rows(
        store,
        &format!("{p} SELECT (COUNT(*) AS ?n) WHERE {{ ?r a hyp:Relation ; hyp:confidence ?c }}"),
        &[],
    );
    assert!(relations[0]["n"].parse::<usize>().unwrap() > 20, "{relations:?}");
}

/// The variants of the model the heads also serve (extract/models/scierc-heads-models.json)
/// give the figures listed for them, as the trained-on model gives the trainer's.
#[test]
fn the_listed_model_variants_reproduce_their_dev_figures() {
    let heads = Heads::bundled();
    let dev = std::fs::read_to_string(fixtures().join("scierc/dev.json")).unwrap();
    let default_dir = hypatia::embed::ModelLocation::default().resolve_model_dir().unwrap();
    let list: serde_json::Value = serde_json::from_str(hypatia_extract::learned::BUNDLED_MODELS).unwrap();
    for m in list["models"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let dir = default_dir.with_file_name(name);
        if !dir.join("model.onnx").is_file() {
            assert_eq!(
                std::env::var("HYPATIA_MODEL_VARIANTS").as_deref(),
                Ok("0"),
                "{} is missing: run `bash scripts/setup.sh`",
                dir.display()
            );
            continue;
        }
        let model = hypatia::embed::FastEmbedder::load(&hypatia::embed::ModelLocation {
            model_dir: Some(dir),
            threads: Some(2),
            ..Default::default()
        })
        .unwrap();
        use hypatia::embed::Embedder;
        let sha = model.identity().weights_sha256;
        assert!(
            heads.fits_model(&sha),
            "{name}: its model.onnx ({sha}) is not the one listed"
        );
        let listed = heads.listed_model(&sha).unwrap();
        let run = hypatia_extract::eval::scierc_learned("", &dev, heads, &mut |t| {
            model
                .embed_with_states(t)
                .map(|v| v.into_iter().map(|(_, s)| s).collect())
                .map_err(|e| e.to_string())
        })
        .unwrap();
        let entity = 100.0 * run.entities.exact_typed.f1;
        let relation = 100.0 * run.relations.strict.f1;
        assert!(
            (entity - listed.heads_entity_f1).abs() <= 0.5,
            "{name}: entity F1 {entity:.2}, listed {}",
            listed.heads_entity_f1
        );
        assert!(
            (relation - listed.heads_relation_f1).abs() <= 1.0,
            "{name}: relation F1 {relation:.2}, listed {}",
            listed.heads_relation_f1
        );
    }
}
