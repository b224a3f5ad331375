//! How well findings pick and label evidence, on labelled (question, sentence) pairs: the stance
//! rules' confusion against hand labels, and, given the abstracts, whether the quote findings
//! would pick from an abstract holds the labelled rationale sentence.
//!
//! The pairs file is JSON lines `{"claim", "doc_id", "sentence", "label"}` with label
//! `supports`, `contradicts` or `related` (`tests/fixtures/stance/` holds 120 SciFact training
//! pairs, labelled by us, see its SOURCE.md). Nothing here was fitted to them: the stance
//! thresholds were set before the pairs existed, so these are development figures on training
//! claims, not held-out ones.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use super::evidence;
use super::stance::{self, Stance};
use crate::common::error::{Error, Result};
use crate::embed::Embedder;

/// One labelled pair.
#[derive(Debug, Clone, Deserialize)]
pub struct Pair {
    /// The question (a SciFact claim).
    pub claim: String,
    /// The abstract the sentence is from.
    pub doc_id: String,
    /// The sentence, verbatim.
    pub sentence: String,
    /// `supports`, `contradicts` or `related`.
    pub label: String,
}

/// Reads a pairs file; a bad line is an error naming its line.
pub fn read_pairs(path: &std::path::Path) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let p: Pair = serde_json::from_str(line)
            .map_err(|e| Error::invalid("pairs", format!("{}:{}: {e}", path.display(), i + 1)))?;
        if !["supports", "contradicts", "related"].contains(&p.label.as_str()) {
            return Err(Error::invalid(
                "pairs",
                format!(
                    "{}:{}: label `{}` is not supports, contradicts or related",
                    path.display(),
                    i + 1,
                    p.label
                ),
            ));
        }
        out.push(p);
    }
    Ok(out)
}

const LABELS: [&str; 3] = ["supports", "contradicts", "related"];

/// The figures.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Pairs scored.
    pub pairs: usize,
    /// `confusion[gold][predicted]`, gold in supports/contradicts/related, predicted also none.
    pub confusion: [[usize; 4]; 3],
    /// Whether the model's cosines were used.
    pub with_model: bool,
    /// Rationale pairs (supports or contradicts) whose abstract was found.
    pub rationales: usize,
    /// Of those, how often the quote findings picks holds the labelled sentence.
    pub quote_hits: usize,
    /// Baseline: how often the abstract's last quotable sentence is it.
    pub last_sentence_hits: usize,
}

impl Report {
    /// Share of pairs whose predicted label equals the gold one (no label counts as wrong).
    pub fn accuracy(&self) -> f64 {
        (0..3).map(|g| self.confusion[g][g]).sum::<usize>() as f64 / self.pairs.max(1) as f64
    }

    /// Precision and recall of one label.
    pub fn precision_recall(&self, label: usize) -> (f64, f64) {
        let predicted: usize = (0..3).map(|g| self.confusion[g][label]).sum();
        let gold: usize = self.confusion[label].iter().sum();
        let hit = self.confusion[label][label] as f64;
        (hit / predicted.max(1) as f64, hit / gold.max(1) as f64)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "stance on {} labelled pairs ({}): accuracy {:.1}% (a pair without a stance counts as wrong)",
            self.pairs,
            if self.with_model {
                "rules + sentence vectors"
            } else {
                "rules, no model"
            },
            100.0 * self.accuracy()
        )?;
        writeln!(
            f,
            "{:<12} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6}",
            "gold \\ got", "supports", "contra", "related", "none", "P", "R"
        )?;
        for (g, label) in LABELS.iter().enumerate() {
            let (p, r) = self.precision_recall(g);
            let c = self.confusion[g];
            writeln!(
                f,
                "{label:<12} {:>9} {:>9} {:>9} {:>9} {:>5.0}% {:>5.0}%",
                c[0],
                c[1],
                c[2],
                c[3],
                100.0 * p,
                100.0 * r
            )?;
        }
        if self.rationales > 0 {
            writeln!(
                f,
                "quote holds the labelled rationale sentence: {}/{} ({:.1}%); baseline last sentence {}/{} ({:.1}%)",
                self.quote_hits,
                self.rationales,
                100.0 * self.quote_hits as f64 / self.rationales as f64,
                self.last_sentence_hits,
                self.rationales,
                100.0 * self.last_sentence_hits as f64 / self.rationales as f64
            )?;
        }
        Ok(())
    }
}

/// Scores the pairs. `abstracts` maps doc ids to abstract texts, for the quote figure (empty:
/// not scored).
pub fn evaluate(
    pairs: &[Pair],
    embedder: Option<&dyn Embedder>,
    abstracts: &HashMap<String, String>,
) -> Result<Report> {
    let mut report = Report {
        pairs: pairs.len(),
        with_model: embedder.is_some(),
        ..Report::default()
    };
    for p in pairs {
        let cos = cosines(embedder, &p.claim, std::slice::from_ref(&p.sentence))?;
        let got = match stance::stance(&p.claim, &p.sentence, cos[0]) {
            Some(Stance::Supports) => 0,
            Some(Stance::Contradicts) => 1,
            Some(Stance::Related) => 2,
            None => 3,
        };
        let gold = LABELS.iter().position(|l| *l == p.label).expect("checked when read");
        report.confusion[gold][got] += 1;
        if gold == 2 {
            continue;
        }
        let Some(text) = abstracts.get(&p.doc_id) else {
            continue;
        };
        let Some(at) = text.find(&p.sentence) else {
            continue;
        };
        let (s, e) = (at, at + p.sentence.len());
        let spans = evidence::quotable_sentences(text);
        if spans.is_empty() {
            continue;
        }
        report.rationales += 1;
        let texts: Vec<String> = spans.iter().map(|x| text[x.start..x.end].to_string()).collect();
        let cos = cosines(embedder, &p.claim, &texts)?;
        let terms = evidence::content_words(&p.claim);
        let scores: Vec<f32> = texts
            .iter()
            .zip(&cos)
            .map(|(t, c)| evidence::relevance(*c, evidence::overlap(&terms, t)))
            .collect();
        let (first, last) = evidence::best_run(&scores).expect("not empty");
        // A hit when the labelled sentence overlaps the quote (the segmenter may cut a sentence
        // the labeller kept whole, or the other way round).
        if spans[first].start < e && s < spans[last - 1].end {
            report.quote_hits += 1;
        }
        let l = spans[spans.len() - 1];
        if l.start < e && s < l.end {
            report.last_sentence_hits += 1;
        }
    }
    Ok(report)
}

fn cosines(embedder: Option<&dyn Embedder>, question: &str, texts: &[String]) -> Result<Vec<Option<f32>>> {
    let Some(m) = embedder else {
        return Ok(vec![None; texts.len()]);
    };
    let mut all = Vec::with_capacity(texts.len() + 1);
    all.push(question.to_string());
    all.extend(texts.iter().cloned());
    let v = m.embed(&all)?;
    Ok(v[1..].iter().map(|x| Some(evidence::cosine(&v[0], x))).collect())
}
