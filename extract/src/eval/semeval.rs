//! SemEval-2018 task 7 (Gábor et al. 2018): semantic relations in ACL abstracts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{EvalError, Prf};
use crate::relations;
use crate::text::{self, Token};
use crate::{normalize_key, typing, ConceptType, Mention, RelationKind, Span};

/// The six labels of SemEval-2018 task 7.
pub const SEMEVAL_LABELS: [&str; 6] = ["COMPARE", "MODEL-FEATURE", "PART_WHOLE", "RESULT", "TOPIC", "USAGE"];

/// Our relation as a SemEval-2018 label, with whether its first argument is our head. `uses`:
/// USAGE(tail, head); `evaluated-on`: RESULT(head, tail); comparison: COMPARE; `part-of`:
/// PART_WHOLE(head, tail); `feature-of`: MODEL-FEATURE(head, tail); `broader` (is-a):
/// PART_WHOLE(head, tail). `conjunction` has no label.
pub fn semeval_relation(kind: RelationKind) -> Option<(&'static str, bool)> {
    match kind {
        RelationKind::Uses => Some(("USAGE", false)),
        RelationKind::EvaluatedOn => Some(("RESULT", true)),
        RelationKind::ComparedWith | RelationKind::ImprovesOn => Some(("COMPARE", true)),
        RelationKind::PartOf | RelationKind::Broader => Some(("PART_WHOLE", true)),
        RelationKind::FeatureOf => Some(("MODEL-FEATURE", true)),
        RelationKind::Conjunction => None,
    }
}

/// SemEval-2018 task 7 report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SemevalReport {
    /// Abstracts.
    pub documents: usize,
    /// Gold entities.
    pub entities: usize,
    /// Gold relations (entity pairs to classify).
    pub relations: usize,
    /// Pairs where a pattern fired (the rest get the fallback USAGE, in text order).
    pub covered: usize,
    /// Classification of the gold pairs (subtask 1.1): label and direction must both be right.
    pub by_label: BTreeMap<String, Prf>,
    /// Macro-averaged P, R and F1 over the labels of the gold file (the official score).
    pub macro_precision: f64,
    /// Macro recall.
    pub macro_recall: f64,
    /// Macro F1.
    pub macro_f1: f64,
    /// Micro F1 (accuracy over the gold pairs).
    pub micro_f1: f64,
    /// Accuracy on the pairs where a pattern fired.
    pub covered_accuracy: f64,
    /// Extraction over gold entities (subtask 2 style): which same-sentence neighbour pairs are
    /// related, label and direction ignored.
    pub extraction: Prf,
}

struct SemDoc {
    text: String,
    /// entity id -> span
    entities: Vec<(String, Span)>,
}

fn decode_entity(s: &str) -> Option<(char, usize)> {
    for (name, c) in [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&apos;", '\''),
    ] {
        if s.starts_with(name) {
            return Some((c, name.len()));
        }
    }
    None
}

/// Parses the task's `text.xml`: `<text id>` elements with `<title>`, `<abstract>` and
/// `<entity id>` markup. Titles and abstracts become paragraphs of one plain text.
fn parse_semeval_xml(xml: &str) -> Result<Vec<SemDoc>, EvalError> {
    let mut docs = Vec::new();
    let mut rest = xml;
    while let Some(p) = rest.find("<text") {
        let after = &rest[p..];
        let Some(end) = after.find("</text>") else {
            return Err(EvalError("SemEval XML: <text> without </text>".into()));
        };
        let body = &after[..end];
        let open_end = body
            .find('>')
            .ok_or_else(|| EvalError("SemEval XML: unterminated <text> tag".into()))?;
        let inner = &body[open_end + 1..];
        let mut text = String::new();
        let mut entities = Vec::new();
        let mut open: Option<(String, usize)> = None;
        let mut i = 0;
        let bytes = inner.as_bytes();
        while i < inner.len() {
            let c = bytes[i];
            if c == b'<' {
                let close = inner[i..]
                    .find('>')
                    .ok_or_else(|| EvalError("SemEval XML: unterminated tag".into()))?;
                let tag = &inner[i + 1..i + close];
                if let Some(attrs) = tag.strip_prefix("entity") {
                    let id = attrs
                        .split('"')
                        .nth(1)
                        .ok_or_else(|| EvalError(format!("SemEval XML: entity without id: <{tag}>")))?;
                    open = Some((id.to_string(), text.len()));
                } else if tag == "/entity" {
                    if let Some((id, start)) = open.take() {
                        entities.push((id, Span::new(start, text.len())));
                    }
                } else if tag == "/title" || tag == "abstract" || tag == "/abstract" {
                    text.push_str("\n\n");
                } else {
                    text.push(' ');
                }
                i += close + 1;
            } else if c == b'&' {
                if let Some((ch, len)) = decode_entity(&inner[i..]) {
                    text.push(ch);
                    i += len;
                } else {
                    text.push('&');
                    i += 1;
                }
            } else {
                let ch = inner[i..].chars().next().unwrap_or(' ');
                text.push(if ch == '\n' { ' ' } else { ch });
                i += ch.len_utf8();
            }
        }
        docs.push(SemDoc { text, entities });
        rest = &after[end + "</text>".len()..];
    }
    Ok(docs)
}

/// One gold relation: label, first and second entity ids (text order), reversed.
fn parse_semeval_relations(src: &str) -> Result<Vec<(String, String, String, bool)>, EvalError> {
    let mut out = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = || EvalError(format!("SemEval relations line {}: {line}", n + 1));
        let open = line.find('(').ok_or_else(bad)?;
        let label = &line[..open];
        let args = line[open + 1..].strip_suffix(')').ok_or_else(bad)?;
        let parts: Vec<&str> = args.split(',').map(|s| s.trim()).collect();
        if parts.len() < 2 {
            return Err(bad());
        }
        out.push((
            label.to_string(),
            parts[0].to_string(),
            parts[1].to_string(),
            parts.get(2) == Some(&"REVERSE"),
        ));
    }
    Ok(out)
}

fn entity_type(text: &str, span: Span) -> ConceptType {
    let key = normalize_key(span.slice(text));
    let words: Vec<&str> = key.split(' ').collect();
    typing::head_type(&words).map(|t| t.0).unwrap_or(ConceptType::Other)
}

/// Scores relation classification (subtask 1.1: the related pairs are given, we label them) and
/// extraction (which neighbour pairs are related) on SemEval-2018 task 7 data: `text_xml` is
/// `text.xml`, `relations` is `relations.txt` of the same subtask folder. Nothing is tuned on it.
pub fn semeval2018(text_xml: &str, relations: &str) -> Result<SemevalReport, EvalError> {
    let docs = parse_semeval_xml(text_xml)?;
    let gold = parse_semeval_relations(relations)?;
    let mut where_is: HashMap<&str, (usize, Span)> = HashMap::new();
    for (di, d) in docs.iter().enumerate() {
        for (id, span) in &d.entities {
            where_is.insert(id.as_str(), (di, *span));
        }
    }
    let mut report = SemevalReport {
        documents: docs.len(),
        entities: where_is.len(),
        relations: gold.len(),
        ..Default::default()
    };
    let tokenized: Vec<(Vec<Token>, Vec<String>)> = docs
        .iter()
        .map(|d| {
            let t = text::tokenize(&d.text);
            let l = crate::chunk::lowers(&d.text, &t);
            (t, l)
        })
        .collect();
    // classification
    let mut predicted: Vec<(String, bool)> = Vec::new();
    let mut covered_correct = 0;
    for (label, a, b, reverse) in &gold {
        let (Some(&(da, sa)), Some(&(db, sb))) = (where_is.get(a.as_str()), where_is.get(b.as_str())) else {
            return Err(EvalError(format!(
                "SemEval: relation {label}({a},{b}) names an unknown entity"
            )));
        };
        let pred = if da != db {
            None
        } else {
            let d = &docs[da];
            let (tokens, lowers) = &tokenized[da];
            let (left, right) = if sa.start <= sb.start { (sa, sb) } else { (sb, sa) };
            let (_, la) = relations::token_range(tokens, left);
            let (rb, rl) = relations::token_range(tokens, right);
            let (lf, _) = relations::token_range(tokens, left);
            let gap: Vec<&str> = lowers[la.min(rb)..rb].iter().map(|s| s.as_str()).collect();
            let lh = if la > lf { lowers[la - 1].as_str() } else { "" };
            let rh = if rl > rb { lowers[rl - 1].as_str() } else { "" };
            relations::classify(
                &gap,
                (entity_type(&d.text, left), lh),
                (entity_type(&d.text, right), rh),
            )
            .and_then(|(kind, left_is_head, _)| {
                semeval_relation(kind).map(|(l, head_first)| {
                    // first argument: the head when head_first; reversed when it is the right mention
                    let first_is_left = head_first == left_is_head;
                    (l.to_string(), !first_is_left)
                })
            })
        };
        let covered = pred.is_some();
        let pred = pred.unwrap_or_else(|| ("USAGE".to_string(), false));
        if covered {
            report.covered += 1;
            if pred.0 == *label && pred.1 == *reverse {
                covered_correct += 1;
            }
        }
        predicted.push(pred);
    }
    let mut labels: Vec<&str> = gold.iter().map(|g| g.0.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    let (mut mp, mut mr, mut mf) = (0.0, 0.0, 0.0);
    let mut correct_all = 0;
    for l in &labels {
        let gold_n = gold.iter().filter(|g| g.0 == *l).count();
        let pred_n = predicted.iter().filter(|p| p.0 == *l).count();
        let correct = gold
            .iter()
            .zip(&predicted)
            .filter(|(g, p)| g.0 == *l && p.0 == *l && g.3 == p.1)
            .count();
        correct_all += correct;
        let prf = Prf::new(correct, pred_n, correct, gold_n);
        mp += prf.precision;
        mr += prf.recall;
        mf += prf.f1;
        report.by_label.insert(l.to_string(), prf);
    }
    let k = labels.len().max(1) as f64;
    report.macro_precision = mp / k;
    report.macro_recall = mr / k;
    report.macro_f1 = mf / k;
    report.micro_f1 = if gold.is_empty() {
        0.0
    } else {
        correct_all as f64 / gold.len() as f64
    };
    report.covered_accuracy = if report.covered == 0 {
        0.0
    } else {
        covered_correct as f64 / report.covered as f64
    };
    // extraction over gold entities
    let gold_pairs: HashSet<(String, String)> = gold
        .iter()
        .map(|g| {
            if g.1 <= g.2 {
                (g.1.clone(), g.2.clone())
            } else {
                (g.2.clone(), g.1.clone())
            }
        })
        .collect();
    let mut pred_pairs: HashSet<(String, String)> = HashSet::new();
    for (di, d) in docs.iter().enumerate() {
        let (tokens, lowers) = &tokenized[di];
        let mut ms: Vec<(Mention, &str)> = d
            .entities
            .iter()
            .filter(|(_, s)| s.end > s.start)
            .map(|(id, s)| {
                let m = Mention {
                    span: *s,
                    key: id.clone(),
                    label: s.slice(&d.text).to_string(),
                    ctype: entity_type(&d.text, *s),
                    confidence: 1.0,
                };
                (m, id.as_str())
            })
            .collect();
        ms.sort_by_key(|m| m.0.span.start);
        let mentions: Vec<Mention> = ms.iter().map(|m| m.0.clone()).collect();
        let mut rels = Vec::new();
        for s in text::sentences(&d.text, tokens) {
            relations::relations(&d.text, tokens, lowers, &s, &mentions, &mut rels);
        }
        for r in rels {
            if r.kind == RelationKind::Conjunction {
                continue;
            }
            let (a, b) = if r.head <= r.tail {
                (r.head, r.tail)
            } else {
                (r.tail, r.head)
            };
            pred_pairs.insert((a, b));
        }
    }
    report.extraction = Prf::new(
        pred_pairs.iter().filter(|p| gold_pairs.contains(*p)).count(),
        pred_pairs.len(),
        gold_pairs.iter().filter(|p| pred_pairs.contains(*p)).count(),
        gold_pairs.len(),
    );
    Ok(report)
}

impl fmt::Display for SemevalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "SemEval-2018 task 7: {} abstracts, {} entities, {} gold relations",
            self.documents, self.entities, self.relations
        )?;
        writeln!(f, "  reference (supervised, subtask 1.1 test): best macro-F1 81.7")?;
        writeln!(
            f,
            "  classification of the gold pairs (label + direction): macro P {:.1} R {:.1} F1 {:.1}; micro F1 {:.1}",
            100.0 * self.macro_precision,
            100.0 * self.macro_recall,
            100.0 * self.macro_f1,
            100.0 * self.micro_f1
        )?;
        writeln!(
            f,
            "  a pattern fired on {}/{} pairs (accuracy there {:.1}); the rest got USAGE in text order",
            self.covered,
            self.relations,
            100.0 * self.covered_accuracy
        )?;
        for (l, p) in &self.by_label {
            writeln!(f, "      {l:<14}{p}")?;
        }
        writeln!(
            f,
            "  extraction over gold entities (pairs, unlabeled): {}",
            self.extraction
        )
    }
}
