//! Results: a number tied to a metric, and when the sentence says, to a method and a dataset.

use crate::text::{Sentence, Token, TokenKind};
use crate::typing::is_metric_name;
use crate::{ConceptType, Mention, ResultTuple, Span};

/// Verbs whose subject is the method a result belongs to.
const ACHIEVE: &[&str] = &[
    "achieves", "achieved", "obtains", "obtained", "reaches", "reached", "attains", "attained", "scores", "scored",
    "yields", "yielded", "gets", "gives", "records", "sets",
];

/// Words allowed between a metric and its value: "BLEU of 28.4", "F1 = 0.87", "accuracy was 92%".
const LINKERS: &[&str] = &[
    "of",
    "=",
    ":",
    "is",
    "was",
    "were",
    "are",
    "score",
    "scores",
    "at",
    "(",
    "about",
    "approximately",
    "around",
    "~",
    "≈",
    "to",
    "reaching",
    "reached",
    "reaches",
    "achieves",
    "achieved",
    "achieving",
    "obtained",
    "an",
    "a",
    "by",
    "value",
    "improvement",
    "gain",
    "increase",
    "up",
];

/// Metrics named by two words: the first word, then the second.
const TWO_WORD_METRICS: &[(&str, &str)] = &[
    ("error", "rate"),
    ("odds", "ratio"),
    ("hazard", "ratio"),
    ("relative", "risk"),
    ("exact", "match"),
    ("mean", "average"),
    ("top-1", "accuracy"),
    ("top-5", "accuracy"),
    ("f1", "score"),
    ("f", "score"),
    ("f-1", "score"),
    ("bleu", "score"),
    ("rouge", "score"),
    ("area", "under"),
];

fn parse_value(s: &str) -> Option<f64> {
    let cleaned: String = s.chars().filter(|c| *c != ',').collect();
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The metric ending at or starting at token `i`: its token range and text.
fn metric_at(
    tokens: &[Token],
    lowers: &[String],
    mentions: &[&Mention],
    i: usize,
    last: usize,
) -> Option<(usize, usize)> {
    let w = lowers[i].as_str();
    // a Metric mention covering the token
    if let Some(m) = mentions
        .iter()
        .find(|m| m.ctype == ConceptType::Metric && m.span.start <= tokens[i].start && tokens[i].end <= m.span.end)
    {
        let f = tokens.partition_point(|t| t.start < m.span.start);
        let l = tokens.partition_point(|t| t.end <= m.span.end);
        if f <= i && i < l {
            return Some((f, l));
        }
    }
    if i + 1 < last && TWO_WORD_METRICS.iter().any(|(a, b)| *a == w && *b == lowers[i + 1]) {
        return Some((i, i + 2));
    }
    if is_metric_name(w) {
        // "F1 score", "BLEU score"
        if i + 1 < last && matches!(lowers[i + 1].as_str(), "score" | "scores") {
            return Some((i, i + 2));
        }
        return Some((i, i + 1));
    }
    None
}

/// The results stated in one sentence, appended to `out`.
pub fn results(
    text: &str,
    tokens: &[Token],
    lowers: &[String],
    sentence: &Sentence,
    mentions: &[Mention],
    out: &mut Vec<ResultTuple>,
) {
    let (first, last) = (sentence.first, sentence.last);
    let in_sentence: Vec<&Mention> = mentions.iter().filter(|m| sentence.span.contains(&m.span)).collect();
    let mut used_metric_tokens: Vec<(usize, usize)> = Vec::new();
    for k in first..last {
        if tokens[k].kind != TokenKind::Number {
            continue;
        }
        let Some(value) = parse_value(tokens[k].text(text)) else {
            continue;
        };
        // unit
        let mut vend = k + 1;
        let mut unit = None;
        if vend < last && tokens[vend].start == tokens[k].end && tokens[vend].text(text) == "%" {
            unit = Some("%".to_string());
            vend += 1;
        } else if vend < last && matches!(lowers[vend].as_str(), "%" | "percent" | "points" | "pp" | "point") {
            unit = Some(if lowers[vend] == "percent" || lowers[vend] == "%" {
                "%".to_string()
            } else {
                "points".to_string()
            });
            vend += 1;
        }
        // metric after the value: "92.3% accuracy", "28.4 BLEU", "2 points of F1"
        let mut metric: Option<(usize, usize)> = None;
        let mut j = vend;
        let mut skipped = 0;
        while j < last && skipped <= 2 {
            if let Some(r) = metric_at(tokens, lowers, &in_sentence, j, last) {
                metric = Some(r);
                break;
            }
            if !matches!(
                lowers[j].as_str(),
                "in" | "of" | "absolute" | "relative" | "higher" | "lower" | "top-1"
            ) {
                break;
            }
            j += 1;
            skipped += 1;
        }
        // metric before the value: "BLEU of 28.4", "F1 = 0.87", "an accuracy of 92.3%"
        if metric.is_none() {
            let mut j = k;
            let mut steps = 0;
            while j > first && steps < 4 {
                j -= 1;
                steps += 1;
                if let Some(r) = metric_at(tokens, lowers, &in_sentence, j, last) {
                    if r.1 <= k {
                        metric = Some(r);
                    }
                    break;
                }
                if !LINKERS.contains(&lowers[j].as_str()) {
                    break;
                }
            }
        }
        let Some((ms, me)) = metric else { continue };
        if used_metric_tokens.iter().any(|&(a, b)| a == ms && b == me && ms > k) {
            continue;
        }
        used_metric_tokens.push((ms, me));
        let metric_text = text[tokens[ms].start..tokens[me - 1].end].to_string();
        let mut span_start = tokens[ms.min(k)].start;
        let mut span_end = tokens[(me.max(vend)) - 1].end;
        // dataset: "on X" / "in X" right after the statement
        let after = me.max(vend);
        let mut dataset = None;
        if after < last && matches!(lowers[after].as_str(), "on" | "for" | "in") {
            if let Some(m) = in_sentence
                .iter()
                .find(|m| m.span.start >= tokens[after].end && m.span.start <= tokens[(after + 3).min(last - 1)].end)
            {
                dataset = Some(m.key.clone());
                span_end = m.span.end;
            }
        }
        if dataset.is_none() {
            dataset = in_sentence
                .iter()
                .find(|m| m.ctype == ConceptType::Dataset)
                .map(|m| m.key.clone());
        }
        // method: the nearest Method mention before the statement, else the first in the sentence,
        // else the subject of an achievement verb ("SPECTER achieves a MAP score of 83.8")
        let method = in_sentence
            .iter()
            .rev()
            .find(|m| m.ctype == ConceptType::Method && m.span.end <= span_start)
            .or_else(|| in_sentence.iter().find(|m| m.ctype == ConceptType::Method))
            .or_else(|| {
                let verb = (first..ms.min(k))
                    .rev()
                    .find(|&j| ACHIEVE.contains(&lowers[j].as_str()))?;
                in_sentence.iter().rev().find(|m| {
                    m.span.end <= tokens[verb].start
                        && !matches!(m.ctype, ConceptType::Metric | ConceptType::Dataset)
                        && tokens[verb].start - m.span.end <= 2
                })
            })
            .map(|m| m.key.clone());
        span_start = span_start.min(tokens[ms].start);
        out.push(ResultTuple {
            span: Span::new(span_start, span_end),
            method,
            dataset,
            metric: metric_text,
            value,
            unit,
        });
    }
}
