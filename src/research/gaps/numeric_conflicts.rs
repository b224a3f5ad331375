//! Numeric contested claims: papers that report a result for the same specific method on the
//! same specific dataset or task and the same metric, with values that disagree.
//!
//! The extractor's result tuples (`hyp:Result`: method, dataset, metric name, value, unit; read
//! through `queries/method_results.rq`) are put on one scale before they are compared:
//! - **Metric names** are normalised by a small table, [`METRICS`]: case, hyphens, spaces and a
//!   trailing "score(s)" aside, "F1", "F-score", "F-measure" and "F1 score" are F1; "acc",
//!   "accuracy" and "accuracies" are accuracy; "BLEU score" is BLEU; and so on for precision,
//!   recall, macro and micro F1, exact match, ROUGE-1/2/L, LAS, UAS, WER, AUC, MAP and MRR.
//!   Every metric of the table is a proportion; a metric outside it ("unknown word accuracy",
//!   "perplexity", "times compression rate") is not compared: without knowing its scale a
//!   number cannot be put beside another.
//! - **Scale** ([`on_one_scale`]): a value with "%" is read as a percentage (0–100); one without
//!   a unit as a fraction when it is at most 1, else as a percentage (an F1 "of 88.5" and one
//!   "of 0.885" are one result); a value past 100, or with another unit ("points": a
//!   difference), cannot be reconciled and is left out.
//! - **Differences and bounds are not results** ([`is_difference`]): of the ACL Anthology
//!   store's 574 result tuples with a method and a dataset, 135 are an improvement ("increased
//!   F1 by 3 points", "outperforms them by 4.3 points in F1", "+2.4% F1", "3.2 BLEU" after "by
//!   up to") or a bound ("over 98% accuracy") by this rule; a value whose own words or the four
//!   words before it in its sentence say so is left out (a comparison such as "below bi-LSTM's
//!   F1 of 0.862" is left out with them).
//!
//! A paper's values for one (method, dataset, metric) make an interval (a paper may report
//! several settings). The papers, by their lowest value, are split in two where the gap
//! between the highest value below and the lowest value above is the largest; the results
//! disagree when that gap is more than [`MIN_RELATIVE_GAP`] of the upper value and at least
//! [`MIN_POINTS_GAP`] points on the percentage scale. The F1 and accuracy values of the ACL
//! store's result tuples with a method and a dataset lie mostly between 50 and 90 on that scale
//! (medians 74.5 and 77; quartiles 48–87.5 and 63–90), where ten per cent relative is 5 to 9
//! points: past what
//! usually separates settings of one method on one benchmark (seeds, base and large models,
//! BLEU tokenisations: one to four points), though not past every setting (a zero-shot and a
//! fine-tuned result do differ that much). The absolute floor keeps near-zero values (a BLEU
//! of 0.5 against 0.6) out. A paper whose own values straddle another's is no disagreement,
//! and one paper never disagrees with itself.
//!
//! Both concepts are specific ([`CoGraph::specific`](super::graph::CoGraph::specific)), as for
//! contested claims by polarity. The score is comparable to theirs: √(papers below × papers
//! above), times min(1, relative gap / (2 × [`MIN_RELATIVE_GAP`])), so a clear conflict between
//! two papers scores 1 as two opposite claims of two papers do.

use std::collections::{BTreeMap, BTreeSet};

use super::context::Ctx;
use super::rank::top_k;
use super::{Gap, GapKind, MAX_EVIDENCE};
use crate::common::error::Result;
use crate::store::queries;

/// Least gap between the two sides, relative to the upper side's value.
pub const MIN_RELATIVE_GAP: f64 = 0.10;

/// Least gap between the two sides, in points of the percentage scale.
pub const MIN_POINTS_GAP: f64 = 2.0;

/// Metric names, normalised by [`metric_key`], and the metric each names. Every one is a
/// proportion, reported as a fraction or a percentage.
pub const METRICS: [(&str, &[&str]); 16] = [
    ("F1", &["f1", "f", "fmeasure", "f1measure", "fmeasures", "f1s", "fs"]),
    (
        "macro F1",
        &[
            "macrof1",
            "macrof",
            "macroaveragedf1",
            "macroaveragedf",
            "macrofmeasure",
            "macroavgf1",
        ],
    ),
    (
        "micro F1",
        &[
            "microf1",
            "microf",
            "microaveragedf1",
            "microaveragedf",
            "microfmeasure",
            "microavgf1",
        ],
    ),
    ("accuracy", &["accuracy", "accuracies", "acc"]),
    ("precision", &["precision", "precisions"]),
    ("recall", &["recall", "recalls"]),
    ("BLEU", &["bleu", "bleus"]),
    ("ROUGE-1", &["rouge1"]),
    ("ROUGE-2", &["rouge2"]),
    ("ROUGE-L", &["rougel"]),
    ("exact match", &["exactmatch", "em"]),
    ("LAS", &["las", "labeledattachment", "labelledattachment"]),
    ("UAS", &["uas", "unlabeledattachment", "unlabelledattachment"]),
    ("WER", &["wer", "worderrorrate"]),
    ("AUC", &["auc", "rocauc", "aucroc"]),
    ("MAP", &["map", "meanaverageprecision"]),
];

/// Words that make a value a difference or a bound rather than a result, in the value's own
/// span or among the four words before it.
const DIFFERENCE_WORDS: [&str; 40] = [
    "by",
    "improve",
    "improves",
    "improved",
    "improvement",
    "improvements",
    "gain",
    "gains",
    "increase",
    "increases",
    "increased",
    "decrease",
    "decreases",
    "decreased",
    "reduce",
    "reduces",
    "reduced",
    "reduction",
    "boost",
    "boosts",
    "boosted",
    "higher",
    "lower",
    "better",
    "worse",
    "outperform",
    "outperforms",
    "outperformed",
    "margin",
    "absolute",
    "relative",
    "point",
    "points",
    "pp",
    "drop",
    "over",
    "above",
    "below",
    "than",
    "delta",
];

/// A metric name as [`METRICS`] lists it: lower case, without spaces, hyphens or underscores,
/// without a trailing "score(s)".
fn metric_key(name: &str) -> String {
    let k: String = name
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '‐' | '–'))
        .collect();
    for suffix in ["scores", "score"] {
        if let Some(s) = k.strip_suffix(suffix) {
            if !s.is_empty() {
                return s.to_string();
            }
        }
    }
    k
}

/// The metric a name names, if [`METRICS`] has it.
pub fn canonical_metric(name: &str) -> Option<&'static str> {
    let k = metric_key(name);
    METRICS
        .iter()
        .find(|(_, aliases)| aliases.contains(&k.as_str()))
        .map(|(m, _)| *m)
}

/// A proportion on one scale (a fraction, 0–1): "%" values divided by 100, values without a
/// unit read as fractions up to 1 and as percentages above; `None` for values that cannot be a
/// proportion and for other units.
pub fn on_one_scale(value: f64, unit: &str) -> Option<f64> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    match unit.trim() {
        "%" if value <= 100.0 => Some(value / 100.0),
        "" if value <= 1.0 => Some(value),
        "" if value <= 100.0 => Some(value / 100.0),
        _ => None,
    }
}

/// Whether a value is a difference or a bound: its span says so, or the four words before it
/// in its sentence (`before`), or a sign right before it.
pub fn is_difference(before: &str, exact: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let signed = before.trim_end().ends_with(['+', '±', 'Δ']) || exact.trim_start().starts_with(['+', '±']);
    let prior = words(before);
    signed
        || prior
            .iter()
            .rev()
            .take(4)
            .chain(words(exact).iter())
            .any(|w| DIFFERENCE_WORDS.contains(&w.as_str()))
}

/// One result as a paper states it.
struct Reading {
    paper: String,
    passage: String,
    span: (usize, usize),
    /// The value as stated, with its unit ("88.5", "93.2%").
    stated: String,
    /// On one scale ([`on_one_scale`]).
    scaled: f64,
}

/// A reading to quote: paper, passage, span, the value as stated.
type Quoted = (String, String, (usize, usize), String);

/// The values of one paper for one (method, dataset, metric).
struct Side<'r> {
    readings: Vec<&'r Reading>,
    low: f64,
    high: f64,
}

/// Numeric conflicts as contested-claim gaps, best first, at most `limit`.
pub(super) fn numeric_conflicts(ctx: &mut Ctx<'_>, limit: usize) -> Result<Vec<Gap>> {
    let corpus = ctx.corpus;
    let rows = ctx.rows(queries::METHOD_RESULTS)?;
    let g = ctx.graph();
    let forced = |k: u32| ctx.focus.as_ref().is_some_and(|f| f.contains(&k));
    let mut groups: BTreeMap<(u32, u32, &'static str), Vec<Reading>> = BTreeMap::new();
    for r in rows.iter() {
        let (Some(m), Some(d), Some(metric), Some(value), Some(paper), Some(passage)) = (
            r.get("method"),
            r.get("dataset"),
            r.get("metric"),
            r.get("value").and_then(|v| v.parse::<f64>().ok()),
            r.get("paper"),
            r.get("passage"),
        ) else {
            continue;
        };
        let (Some(&m), Some(&d)) = (corpus.by_iri.get(m), corpus.by_iri.get(d)) else {
            continue;
        };
        if m == d || !ctx.counts_paper(paper) || !(ctx.in_focus(m) || ctx.in_focus(d)) {
            continue;
        }
        if !(g.specific(corpus, m) || forced(m)) || !(g.specific(corpus, d) || forced(d)) {
            continue;
        }
        let Some(metric) = canonical_metric(metric) else {
            continue;
        };
        let unit = r.get("unit").map(String::as_str).unwrap_or("");
        let (Some(scaled), Some(start), Some(end)) = (
            on_one_scale(value, unit),
            r.get("start").and_then(|s| s.parse().ok()),
            r.get("end").and_then(|s| s.parse().ok()),
        ) else {
            continue;
        };
        groups.entry((m, d, metric)).or_default().push(Reading {
            paper: paper.clone(),
            passage: passage.clone(),
            span: (start, end),
            stated: format!("{value}{}", if unit.trim() == "%" { "%" } else { "" }),
            scaled,
        });
    }
    let mut cands = Vec::new();
    for (key, readings) in &groups {
        ctx.check()?;
        if readings.iter().map(|r| r.paper.as_str()).collect::<BTreeSet<_>>().len() < 2 {
            continue;
        }
        // Differences and bounds out, by the words of the sentence before each value.
        let mut by_paper: BTreeMap<&str, Vec<&Reading>> = BTreeMap::new();
        for r in readings {
            let Some(text) = ctx.text(&r.paper)? else {
                continue;
            };
            let (s, _) = text.sentence_around(r.span.0, r.span.1);
            let before = text.slice(s.min(r.span.0), r.span.0).unwrap_or("");
            let exact = text.slice(r.span.0, r.span.1).unwrap_or("");
            if !is_difference(before, exact) {
                by_paper.entry(r.paper.as_str()).or_default().push(r);
            }
        }
        let mut sides: Vec<Side> = by_paper
            .into_values()
            .map(|readings| {
                let low = readings.iter().map(|r| r.scaled).fold(f64::INFINITY, f64::min);
                let high = readings.iter().map(|r| r.scaled).fold(f64::NEG_INFINITY, f64::max);
                Side { readings, low, high }
            })
            .collect();
        if sides.len() < 2 {
            continue;
        }
        sides.sort_by(|a, b| {
            (a.low, a.high, &a.readings[0].paper)
                .partial_cmp(&(b.low, b.high, &b.readings[0].paper))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        // The split with the largest relative gap between the sides.
        let mut best: Option<(f64, usize, f64, f64)> = None;
        for k in 1..sides.len() {
            let below = sides[..k].iter().map(|s| s.high).fold(f64::NEG_INFINITY, f64::max);
            let above = sides[k..].iter().map(|s| s.low).fold(f64::INFINITY, f64::min);
            if above <= below || above <= 0.0 {
                continue;
            }
            let rel = (above - below) / above;
            if best.is_none_or(|b| rel > b.0) {
                best = Some((rel, k, below, above));
            }
        }
        let Some((rel, k, below, above)) = best else {
            continue;
        };
        if rel <= MIN_RELATIVE_GAP || (above - below) * 100.0 < MIN_POINTS_GAP - 1e-9 {
            continue;
        }
        let (n_low, n_high) = (k, sides.len() - k);
        let score = ((n_low * n_high) as f64).sqrt() * (rel / (2.0 * MIN_RELATIVE_GAP)).min(1.0);
        // Per paper, its reading nearest the gap; the papers nearest it first.
        let nearest = |side: &[Side<'_>], lower: bool| -> Vec<Quoted> {
            let mut v: Vec<&Reading> = side
                .iter()
                .filter_map(|s| {
                    let by = |a: &&&Reading, b: &&&Reading| a.scaled.total_cmp(&b.scaled).then(b.span.cmp(&a.span));
                    if lower {
                        s.readings.iter().max_by(by)
                    } else {
                        s.readings.iter().min_by(by)
                    }
                })
                .copied()
                .collect();
            v.sort_by(|a, b| {
                let o = a.scaled.total_cmp(&b.scaled);
                if lower { o.reverse() } else { o }.then(a.paper.cmp(&b.paper))
            });
            v.into_iter()
                .map(|r| (r.paper.clone(), r.passage.clone(), r.span, r.stated.clone()))
                .collect()
        };
        let (low, high) = (nearest(&sides[..k], true), nearest(&sides[k..], false));
        cands.push((score, (*key, low, high, rel, below, above, readings.len())));
    }
    let best = top_k(cands, limit, |a, b| a.0.cmp(&b.0));
    let mut gaps = Vec::new();
    for (score, ((m, d, metric), low, high, rel, below, above, results)) in best {
        ctx.check()?;
        // Alternate sides, lower first, the papers nearest the gap first.
        let mut evidence = Vec::new();
        let mut i = 0;
        while evidence.len() < MAX_EVIDENCE && (i < low.len() || i < high.len()) {
            for (side, role) in [(&low, "lower result"), (&high, "higher result")] {
                if let Some((paper, passage, span, _)) = side.get(i) {
                    if evidence.len() < MAX_EVIDENCE {
                        let Some(text) = ctx.text(paper)? else {
                            continue;
                        };
                        let sentence = text.sentence_around(span.0, span.1);
                        evidence.extend(ctx.evidence(paper, passage, sentence, role)?);
                    }
                }
            }
            i += 1;
        }
        let who = |side: &[Quoted], lower: bool| -> String {
            let year = |p: &str| {
                corpus
                    .year_of(p)
                    .map(|y| format!("a {y} paper"))
                    .unwrap_or_else(|| "a paper of unknown year".into())
            };
            match side.len() {
                1 => year(&side[0].0),
                n => format!(
                    "{}; {n} papers {} it",
                    year(&side[0].0),
                    if lower { "at or below" } else { "at or above" }
                ),
            }
        };
        let explanation = format!(
            "Results for {} on {} disagree on {metric} {}: {} ({}) vs {} ({}), {:.0}% apart.",
            corpus.label(m),
            corpus.label(d),
            ctx.horizon(),
            low[0].3,
            who(&low, true),
            high[0].3,
            who(&high, false),
            rel * 100.0,
        );
        let mut features = BTreeMap::new();
        features.insert("numeric_conflict".into(), 1.0);
        features.insert("low_value".into(), below * 100.0);
        features.insert("high_value".into(), above * 100.0);
        features.insert("relative_difference".into(), rel);
        features.insert("lower_papers".into(), low.len() as f64);
        features.insert("higher_papers".into(), high.len() as f64);
        features.insert("results".into(), results as f64);
        gaps.push(Gap {
            kind: GapKind::ContestedClaim,
            score,
            explanation,
            concepts: vec![corpus.concept_ref(m), corpus.concept_ref(d)],
            evidence,
            features,
        });
    }
    Ok(gaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_normalised_by_the_table() {
        for (name, want) in [
            ("F1", Some("F1")),
            ("F-score", Some("F1")),
            ("F1 score", Some("F1")),
            ("F1-Score", Some("F1")),
            ("F-measure", Some("F1")),
            ("f1 scores", Some("F1")),
            ("acc", Some("accuracy")),
            ("Accuracy", Some("accuracy")),
            ("accuracies", Some("accuracy")),
            ("BLEU score", Some("BLEU")),
            ("BLEU", Some("BLEU")),
            ("macro F1-score", Some("macro F1")),
            ("macro-averaged F1 score", Some("macro F1")),
            ("labeled attachment score", Some("LAS")),
            ("ROUGE-L", Some("ROUGE-L")),
            ("EM", Some("exact match")),
            ("word error rate", Some("WER")),
            ("unknown word accuracy", None),
            ("perplexity", None),
            ("score", None),
        ] {
            assert_eq!(canonical_metric(name), want, "{name}");
        }
    }

    #[test]
    fn values_go_on_one_scale_or_none() {
        assert_eq!(on_one_scale(88.5, "%"), Some(0.885));
        assert_eq!(on_one_scale(88.5, ""), Some(0.885));
        assert_eq!(on_one_scale(0.885, ""), Some(0.885));
        assert_eq!(on_one_scale(0.5, "%"), Some(0.005));
        assert_eq!(on_one_scale(346.0, "%"), None);
        assert_eq!(on_one_scale(884.0, ""), None);
        assert_eq!(on_one_scale(2.3, "points"), None);
        assert_eq!(on_one_scale(-1.0, ""), None);
    }

    #[test]
    fn differences_and_bounds_are_not_results() {
        // From the ACL store's result tuples.
        assert!(is_difference("It improves the baseline ", "F1 score by 2.3 points"));
        assert!(is_difference(
            "outperforming the state of the art by ",
            "1.9 absolute F1"
        ));
        assert!(is_difference("gains of up to ", "2.4 BLEU"));
        assert!(is_difference("a ", "6.6% higher average accuracy on GLUE"));
        assert!(is_difference("reaching over ", "90% accuracy"));
        assert!(is_difference("(+", "2.4 BLEU"));
        assert!(!is_difference("BERT achieves an ", "F1 of 88.5 on SQuAD"));
        assert!(!is_difference("Our parser reaches ", "92.1% UAS on the Penn Treebank"));
        assert!(!is_difference("", "accuracy of 84.68%"));
    }
}
