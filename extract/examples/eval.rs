//! Runs the SciERC and SemEval-2018 task 7 evaluations and measures extraction speed.
//!
//! `cargo run -p hypatia-extract --example eval -- [SCIERC_DIR] [SEMEVAL_1.1_DIR] [SCIFACT_CORPUS]`
//! (defaults: the shared data folders of this project).

use std::time::Instant;

use hypatia_extract::{eval, extract, LexiconBuilder};

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scierc = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("/work/shared/data/extraction/scierc");
    let semeval = args
        .get(2)
        .map(String::as_str)
        .unwrap_or("/work/shared/data/extraction/semeval2018-task7/training-data/1.1");
    let scifact = args
        .get(3)
        .map(String::as_str)
        .unwrap_or("/work/shared/data/scifact/corpus.jsonl");

    let t = Instant::now();
    let report = eval::scierc(
        &read(&format!("{scierc}/train.json")),
        &read(&format!("{scierc}/dev.json")),
    )
    .expect("SciERC eval");
    println!("{report}({:.1} s)\n", t.elapsed().as_secs_f64());

    let report = eval::semeval2018(
        &read(&format!("{semeval}/text.xml")),
        &read(&format!("{semeval}/relations.txt")),
    )
    .expect("SemEval eval");
    println!("{report}");

    // speed: lexicon over all abstracts, then extraction per abstract (title + text)
    let corpus = read(scifact);
    let texts: Vec<String> = corpus
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            format!(
                "{}\n\n{}",
                v["title"].as_str().unwrap_or(""),
                v["text"].as_str().unwrap_or("")
            )
        })
        .collect();
    let t = Instant::now();
    let mut builder = LexiconBuilder::new();
    for text in &texts {
        builder.add_text(text);
    }
    let lexicon = builder.build(2.0);
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (mut mentions, mut claims, mut results, mut relations) = (0, 0, 0, 0);
    for text in &texts {
        let ex = extract(text, &lexicon);
        mentions += ex.mentions.len();
        claims += ex.claims.len();
        results += ex.results.len();
        relations += ex.relations.len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "SciFact: {} abstracts; lexicon {} terms built in {:.2} s ({:.0} abstracts/s); extraction {:.2} s = {:.0} \
         passages/s; {mentions} mentions, {claims} claims, {results} results, {relations} relations",
        texts.len(),
        lexicon.len(),
        build,
        texts.len() as f64 / build,
        secs,
        texts.len() as f64 / secs
    );
}
