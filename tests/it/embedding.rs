//! The real model's vectors: semantics and agreement with an independent implementation.

use hypatia::embed::dot;

use super::common::{fixtures, model};

#[derive(serde::Deserialize)]
struct Reference {
    texts: Vec<String>,
    vectors: Vec<Vec<f32>>,
}

#[test]
fn vectors_match_python_onnxruntime_to_1e_4() {
    let r: Reference =
        serde_json::from_slice(&std::fs::read(fixtures().join("embeddings/reference.json")).unwrap()).unwrap();
    let got = model().embed(&r.texts).unwrap();
    assert_eq!(got.len(), r.vectors.len());
    for (i, (g, want)) in got.iter().zip(&r.vectors).enumerate() {
        assert_eq!(g.len(), want.len());
        let worst = g.iter().zip(want).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst <= 1e-4, "text {i} ({:?}) differs by {worst}", r.texts[i]);
    }
}

#[test]
fn a_paraphrase_scores_higher_than_unrelated_sentences() {
    let texts: Vec<String> = [
        "Protein folding is determined by the amino acid sequence.",
        "The amino acid sequence of a protein dictates how it folds.",
        "Stock markets fell sharply on Tuesday after the announcement.",
        "The recipe needs two cups of flour and a pinch of salt.",
    ]
    .map(String::from)
    .to_vec();
    let v = model().embed(&texts).unwrap();
    let para = dot(&v[0], &v[1]);
    assert!(para > 0.7, "paraphrase similarity {para}");
    for other in &v[2..] {
        assert!(para > dot(&v[0], other) + 0.4);
    }
    for x in &v {
        assert!((dot(x, x) - 1.0).abs() < 1e-4, "vectors are unit length");
    }
}

/// Passages of the SciFact fixture, cut to a spread of lengths (a title-sized text up to a
/// whole abstract), in an order unrelated to length.
fn passages_of_many_lengths(n: usize) -> Vec<String> {
    let corpus = std::fs::read_to_string(fixtures().join("scifact/corpus.jsonl")).unwrap();
    corpus
        .lines()
        .take(n)
        .enumerate()
        .map(|(i, line)| {
            let doc: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = doc["text"].as_str().unwrap();
            let words: Vec<&str> = text.split_whitespace().collect();
            // Lengths cycle through 4, 17, 30, ... words, so neighbours differ in length.
            let keep = (4 + (i * 13) % 240).min(words.len());
            words[..keep].join(" ")
        })
        .collect()
}

#[test]
fn length_bucketing_keeps_order_and_vectors() {
    let texts = passages_of_many_lengths(40);
    // One call: the embedder sorts the texts by length and embeds batches of similar length.
    let together = model().embed(&texts).unwrap();
    assert_eq!(together.len(), texts.len());
    for (i, text) in texts.iter().enumerate() {
        // Alone: no batch, no padding, nothing to reorder.
        let alone = model().embed(std::slice::from_ref(text)).unwrap().remove(0);
        let worst = together[i]
            .iter()
            .zip(&alone)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            worst <= 1e-5,
            "text {i} ({} chars) differs by {worst} when batched",
            text.len()
        );
    }
}

/// How close the int8 variant's vectors stay to the exact fp32 model's on real passages, as the
/// README states it: cosine at least 0.98 for every passage and 0.99 on average.
#[test]
fn the_int8_variant_stays_close_to_fp32() {
    let default_dir = hypatia::embed::ModelLocation::default().resolve_model_dir().unwrap();
    let variant = |v: &str| default_dir.with_file_name(format!("all-MiniLM-L6-v2-{v}"));
    let (fp32, int8) = (variant("fp32"), variant("int8"));
    if !int8.join("model.onnx").is_file() || !fp32.join("model.onnx").is_file() {
        assert_eq!(
            std::env::var("HYPATIA_MODEL_VARIANTS").as_deref(),
            Ok("0"),
            "the model variants are missing from {}: run `bash scripts/setup.sh` (or set HYPATIA_MODEL_VARIANTS=0 to skip them)",
            default_dir.parent().unwrap().display()
        );
        return;
    }
    // A second and third session in this process (ONNX Runtime allows many sessions, one
    // environment).
    let load = |dir| {
        hypatia::embed::FastEmbedder::load(&hypatia::embed::ModelLocation {
            model_dir: Some(dir),
            threads: Some(2),
            ..Default::default()
        })
        .unwrap()
    };
    use hypatia::embed::Embedder;
    let texts = passages_of_many_lengths(60);
    let exact = load(fp32).embed(&texts).unwrap();
    let quantised = load(int8).embed(&texts).unwrap();
    let cosines: Vec<f32> = exact.iter().zip(&quantised).map(|(a, b)| dot(a, b)).collect();
    let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
    let (worst_i, worst) = cosines
        .iter()
        .copied()
        .enumerate()
        .fold((0, f32::MAX), |a, (i, c)| if c < a.1 { (i, c) } else { a });
    assert!(worst >= 0.98, "text {worst_i} has cosine {worst} between fp32 and int8");
    assert!(mean >= 0.99, "mean cosine {mean} between fp32 and int8");
    // Different models: the quantised one must not be the same file by mistake.
    assert!(
        cosines.iter().any(|&c| c < 0.9999),
        "int8 vectors equal fp32's: is the variant quantised?"
    );
}

/// A query embedded while a bulk job (an ingest's passages) is on the model comes back before
/// that job does: queries have a session of their own and never queue behind ingest.
#[test]
fn a_query_does_not_wait_for_bulk_embedding() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let bulk: Vec<String> = passages_of_many_lengths(60)
        .into_iter()
        .cycle()
        .take(400)
        .map(|p| format!("{p} {p}"))
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let worker = {
        let done = done.clone();
        std::thread::spawn(move || {
            let v = model().embed(&bulk).unwrap();
            done.store(true, Ordering::SeqCst);
            v.len()
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let query = "Does vitamin D supplementation reduce fracture risk?".to_string();
    let v = model().embed(std::slice::from_ref(&query)).unwrap();
    assert!(
        !done.load(Ordering::SeqCst),
        "the query came back only after the bulk job of 400 passages"
    );
    assert_eq!(v[0].len(), model().dim());
    assert_eq!(worker.join().unwrap(), 400);
}
