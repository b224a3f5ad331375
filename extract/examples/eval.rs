//! Runs the SciERC and SemEval-2018 task 7 evaluations and measures extraction speed.
//!
//! `cargo run -p hypatia-extract --example eval -- [SCIERC_DIR] [SEMEVAL_1.1_DIR] [SCIFACT_CORPUS]
//! [ANSWERS_DIR]` (defaults: the shared data folders of this project). With `ANSWERS_DIR`, the
//! SemEval answers are also written there in the official format, with and without the
//! fallback, for the task's own scorer: `perl eval.pl ANSWERS_DIR/semeval-answers.txt
//! SEMEVAL_1.1_DIR/relations.txt`.

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

    let (text_xml, key) = (
        read(&format!("{semeval}/text.xml")),
        read(&format!("{semeval}/relations.txt")),
    );
    let report = eval::semeval2018(&text_xml, &key).expect("SemEval eval");
    println!("{report}");
    if let Some(dir) = args.get(4) {
        let answers = eval::semeval2018_answers(&text_xml, &key).expect("SemEval answers");
        let lines = |keep: &dyn Fn(bool) -> bool| {
            let kept: Vec<&str> = answers
                .iter()
                .filter(|(_, fallback)| keep(*fallback))
                .map(|(l, _)| l.as_str())
                .collect();
            kept.join("\n") + "\n"
        };
        for (name, text) in [
            ("semeval-answers.txt", lines(&|_| true)),
            ("semeval-answers-without-fallback.txt", lines(&|fallback| !fallback)),
        ] {
            let path = format!("{dir}/{name}");
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{path}: {e}"));
            println!("wrote {path}");
        }
    }

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
