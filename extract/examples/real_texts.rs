//! Prints what the extractor finds on real papers: the most frequent concepts with their types,
//! the acronyms, and the typed relations. A precision check by eye.
//!
//! `cargo run -p hypatia-extract --example real_texts -- [FILE.xml ...]` (defaults: the ACL
//! abstracts, GROBID TEI and JATS full texts of the workspace fixtures, plus the 200 SciFact
//! abstracts of this crate's fixtures).

use std::collections::BTreeMap;

use hypatia_extract::{extract, LexiconBuilder, RelationKind};

const DEFAULTS: &[&str] = &[
    "tests/fixtures/papers/acl/2020.nlpcovid19.sample.xml",
    "tests/fixtures/papers/acl/W89.xml",
    "tests/fixtures/papers/tei/2020.acl-main.207.tei.xml",
    "tests/fixtures/papers/tei/N18-3011.tei.xml",
    "tests/fixtures/papers/jats/plos/journal.pone.0146913.xml",
    "tests/fixtures/papers/jats/pmc/1472-6831-8-11.nxml",
    "tests/fixtures/papers/jats/pmc/ehp-116-1694.nxml",
];

/// The text of every `<abstract>` and `<p>` element, tags stripped, a few entities decoded.
fn passages(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("<abstract", "</abstract>"), ("<p", "</p>")] {
        let mut rest = xml;
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len()..];
            if !after.starts_with(['>', ' ']) {
                rest = after;
                continue;
            }
            let Some(j) = after.find(close) else { break };
            let inner = &after[..j];
            let inner = inner.split_once('>').map(|x| x.1).unwrap_or("");
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let text = decode_numeric(&text)
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.len() > 40 {
                out.push(text);
            }
            rest = &after[j..];
        }
    }
    out
}

/// Decodes `&#xHHHH;` and `&#DDDD;` character references.
fn decode_numeric(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find(';').filter(|&e| e <= 8);
        let c = end.and_then(|e| {
            let body = &after[..e];
            let v = match body.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => body.parse().ok(),
            };
            v.and_then(char::from_u32)
        });
        match (c, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let files: Vec<String> = if args.is_empty() {
        DEFAULTS.iter().map(|f| format!("{root}/{f}")).collect()
    } else {
        args
    };
    let mut texts: Vec<String> = Vec::new();
    for f in &files {
        let xml = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        texts.extend(passages(&xml));
    }
    let scifact = include_str!("../tests/fixtures/scifact_200.jsonl");
    for l in scifact.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("SciFact line");
        texts.push(format!(
            "{}\n\n{}",
            v["title"].as_str().unwrap_or(""),
            v["text"].as_str().unwrap_or("")
        ));
    }
    let mut b = LexiconBuilder::new();
    for t in &texts {
        b.add_text(t);
    }
    let lex = b.build(2.0);
    println!("{} passages, lexicon {} terms", texts.len(), lex.len());
    let mut counts: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    let mut rels: Vec<String> = Vec::new();
    let mut acronyms: Vec<String> = Vec::new();
    for t in &texts {
        let ex = extract(t, &lex);
        for m in &ex.mentions {
            *counts.entry((m.key.clone(), m.ctype.as_str())).or_default() += 1;
        }
        for a in &ex.acronyms {
            acronyms.push(format!("{} = {}", a.short_text, a.long_text));
        }
        let types: BTreeMap<&str, &str> = ex.mentions.iter().map(|m| (m.key.as_str(), m.ctype.as_str())).collect();
        for r in &ex.relations {
            if r.kind != RelationKind::Conjunction {
                rels.push(format!(
                    "{:<13} {} [{}] -> {} [{}]",
                    r.kind.as_str(),
                    r.head,
                    types.get(r.head.as_str()).unwrap_or(&"?"),
                    r.tail,
                    types.get(r.tail.as_str()).unwrap_or(&"?")
                ));
            }
        }
    }
    let mut top: Vec<_> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    println!("\n== top concepts (key, type, mentions)");
    for ((k, t), n) in top.iter().take(150) {
        println!("{n:>5}  {t:<8} {k}");
    }
    for ty in ["method", "task", "dataset", "metric", "material"] {
        let list: Vec<String> = top
            .iter()
            .filter(|((_, t), _)| *t == ty)
            .take(40)
            .map(|((k, _), n)| format!("{k} ({n})"))
            .collect();
        println!("\n== top {ty}: {}", list.join(", "));
    }
    println!("\n== acronyms ({})", acronyms.len());
    for a in &acronyms {
        println!("  {a}");
    }
    println!("\n== relations ({})", rels.len());
    rels.sort();
    for r in &rels {
        println!("  {r}");
    }
}
