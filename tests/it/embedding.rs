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
