//! SemEval-2018 task 7 (Gábor et al. 2018): semantic relations in ACL abstracts.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

/// Whether a SemEval-2018 label is undirected. The task annotates COMPARE without a direction
/// (no COMPARE in the training keys carries REVERSE), so a COMPARE prediction is written in text
/// order and scored on label alone. The official scorer (`eval.pl`) compares the argument string
/// with its REVERSE flag; for keys without a reversed COMPARE, this is the score it gives to a
/// submission that writes COMPARE in text order.
fn undirected(label: &str) -> bool {
    label == "COMPARE"
}

/// The data a SemEval-2018 task 7 report is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SemevalData {
    /// The task's training data (`text.xml`, `relations.txt`).
    #[default]
    Training,
    /// Test-format data: the entity-annotated test text and its answer key (for subtask 1.1,
    /// `1.1.test.text.xml` and `keys.test.1.1.txt`), which nothing in this crate was built on.
    Test,
}

impl SemevalData {
    /// How the report names it.
    pub fn describe(self) -> &'static str {
        match self {
            SemevalData::Training => "training data (in-sample for anything tuned on it)",
            SemevalData::Test => "test data (entity-annotated text and its key)",
        }
    }
}

/// Classification of the given pairs, scored as the official scorer (`eval.pl`) does: a
/// prediction is right when its label and direction are (COMPARE: its label); per-label P and
/// R over the predictions and gold pairs of the label; macro and micro averages over the labels
/// of the key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// Pairs given a label.
    pub predicted: usize,
    /// Per label of the key.
    pub by_label: BTreeMap<String, Prf>,
    /// Macro-averaged precision over the labels of the key.
    pub macro_precision: f64,
    /// Macro recall.
    pub macro_recall: f64,
    /// Macro F1: the official score.
    pub macro_f1: f64,
    /// Micro-averaged over the labels of the key.
    pub micro: Prf,
}

/// SemEval-2018 task 7 report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SemevalReport {
    /// The data scored.
    pub data: SemevalData,
    /// Abstracts.
    pub documents: usize,
    /// Gold entities.
    pub entities: usize,
    /// Gold relations (entity pairs to classify).
    pub relations: usize,
    /// Pairs where a pattern fired.
    pub covered: usize,
    /// Pairs where no pattern fired, which the fallback labels USAGE in text order (the
    /// majority label of the training data): `relations - covered`.
    pub fallbacks: usize,
    /// Every pair labelled, the uncovered ones by the fallback: a full submission.
    pub with_fallback: Classification,
    /// Only the covered pairs labelled (`eval.pl` accepts a partial submission): what the
    /// patterns alone do.
    pub without_fallback: Classification,
    /// Extraction over gold entities (subtask 2 style): which same-sentence neighbour pairs are
    /// related, label and direction ignored. (`eval.pl` 1.1 keys extraction on the argument string
    /// with its REVERSE flag, so its extraction score would also require the direction.)
    pub extraction: Prf,
}

/// A pair of the key: label, first and second entity ids (text order), reversed.
type GoldPair = (String, String, String, bool);

/// A predicted label and whether it is reversed.
type Label = (String, bool);

/// A prediction is right when its label is the key's and so is its direction, for directed labels.
fn right(gold: &GoldPair, pred: &Label) -> bool {
    gold.0 == pred.0 && (undirected(&pred.0) || gold.3 == pred.1)
}

/// Scores predictions (`None`: no label submitted for that pair) against the key, as `eval.pl`.
fn classification(gold: &[GoldPair], predicted: &[Option<Label>]) -> Classification {
    let labels: BTreeSet<&str> = gold.iter().map(|g| g.0.as_str()).collect();
    let mut out = Classification {
        predicted: predicted.iter().flatten().count(),
        ..Default::default()
    };
    let (mut correct_all, mut pred_all) = (0, 0);
    for l in &labels {
        let gold_n = gold.iter().filter(|g| g.0 == *l).count();
        let pred_n = predicted.iter().flatten().filter(|p| p.0 == *l).count();
        let correct = gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| g.0 == *l && p.as_ref().is_some_and(|p| right(g, p)))
            .count();
        let prf = Prf::new(correct, pred_n, correct, gold_n);
        out.macro_precision += prf.precision;
        out.macro_recall += prf.recall;
        out.macro_f1 += prf.f1;
        correct_all += correct;
        pred_all += pred_n;
        out.by_label.insert(l.to_string(), prf);
    }
    let k = labels.len().max(1) as f64;
    out.macro_precision /= k;
    out.macro_recall /= k;
    out.macro_f1 /= k;
    out.micro = Prf::new(correct_all, pred_all, correct_all, gold.len());
    out
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
        // entities can nest in the noisy data of subtask 1.2 ("<entity>signal <entity>processing
        // </entity></entity>"): a stack of the open ones
        let mut open: Vec<(String, usize)> = Vec::new();
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
                    open.push((id.to_string(), text.len()));
                } else if tag == "/entity" {
                    if let Some((id, start)) = open.pop() {
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

/// The pairs of a key file (`relations.txt`), one `LABEL(id1,id2[,REVERSE])` a line.
fn parse_semeval_relations(src: &str) -> Result<Vec<GoldPair>, EvalError> {
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
/// extraction (which neighbour pairs are related) on the task's training data: `text_xml` is
/// `text.xml`, `relations` is `relations.txt` of the same subtask folder. Nothing is tuned on it.
pub fn semeval2018(text_xml: &str, relations: &str) -> Result<SemevalReport, EvalError> {
    semeval2018_on(text_xml, relations, SemevalData::Training)
}

/// [`semeval2018`] on any data in the task's format: `text_xml` with the entity markup, `key`
/// with the labelled pairs; `data` says what they are, for the report. The key's labels and
/// directions are used for scoring only; the pairs are what a test input gives.
pub fn semeval2018_on(text_xml: &str, key: &str, data: SemevalData) -> Result<SemevalReport, EvalError> {
    let docs = parse_semeval_xml(text_xml)?;
    let gold = parse_semeval_relations(key)?;
    let mut where_is: HashMap<&str, (usize, Span)> = HashMap::new();
    for (di, d) in docs.iter().enumerate() {
        for (id, span) in &d.entities {
            where_is.insert(id.as_str(), (di, *span));
        }
    }
    let predicted = classify_pairs(&docs, &where_is, &gold)?;
    let covered = predicted.iter().flatten().count();
    let with_fallback: Vec<Option<Label>> = predicted
        .iter()
        .map(|p| Some(p.clone().unwrap_or_else(|| ("USAGE".to_string(), false))))
        .collect();
    Ok(SemevalReport {
        data,
        documents: docs.len(),
        entities: where_is.len(),
        relations: gold.len(),
        covered,
        fallbacks: gold.len() - covered,
        with_fallback: classification(&gold, &with_fallback),
        without_fallback: classification(&gold, &predicted),
        extraction: extraction(&docs, &gold),
    })
}

/// Our answers for the pairs of `key` in the official submission format
/// (`LABEL(id1,id2[,REVERSE])`), each with whether it is the fallback USAGE, so that the official
/// scorer can be run on them: `perl eval.pl answers.txt key.txt`. Leave the fallback lines out for
/// the score without the fallback.
pub fn semeval2018_answers(text_xml: &str, key: &str) -> Result<Vec<(String, bool)>, EvalError> {
    let docs = parse_semeval_xml(text_xml)?;
    let gold = parse_semeval_relations(key)?;
    let mut where_is: HashMap<&str, (usize, Span)> = HashMap::new();
    for (di, d) in docs.iter().enumerate() {
        for (id, span) in &d.entities {
            where_is.insert(id.as_str(), (di, *span));
        }
    }
    let predicted = classify_pairs(&docs, &where_is, &gold)?;
    Ok(gold
        .iter()
        .zip(predicted)
        .map(|(g, p)| {
            let fallback = p.is_none();
            let (label, reverse) = p.unwrap_or_else(|| ("USAGE".to_string(), false));
            let reverse = if reverse { ",REVERSE" } else { "" };
            (format!("{label}({},{}{reverse})", g.1, g.2), fallback)
        })
        .collect())
}

/// Our label for each pair of the key, `None` where no pattern fires (the pair spans two
/// abstracts, or nothing between the two mentions is a cue we know).
fn classify_pairs(
    docs: &[SemDoc],
    where_is: &HashMap<&str, (usize, Span)>,
    gold: &[GoldPair],
) -> Result<Vec<Option<Label>>, EvalError> {
    let tokenized: Vec<(Vec<Token>, Vec<String>)> = docs
        .iter()
        .map(|d| {
            let t = text::tokenize(&d.text);
            let l = crate::chunk::lowers(&d.text, &t);
            (t, l)
        })
        .collect();
    let mut out = Vec::with_capacity(gold.len());
    for (label, a, b, _) in gold {
        let (Some(&(da, sa)), Some(&(db, sb))) = (where_is.get(a.as_str()), where_is.get(b.as_str())) else {
            return Err(EvalError(format!(
                "SemEval: relation {label}({a},{b}) names an unknown entity"
            )));
        };
        if da != db {
            out.push(None);
            continue;
        }
        let d = &docs[da];
        let (tokens, lowers) = &tokenized[da];
        let (left, right) = if sa.start <= sb.start { (sa, sb) } else { (sb, sa) };
        let (lf, la) = relations::token_range(tokens, left);
        let (rb, rl) = relations::token_range(tokens, right);
        let gap: Vec<&str> = lowers[la.min(rb)..rb].iter().map(|s| s.as_str()).collect();
        let lh = if la > lf { lowers[la - 1].as_str() } else { "" };
        let rh = if rl > rb { lowers[rl - 1].as_str() } else { "" };
        let pred = relations::classify(
            &gap,
            (entity_type(&d.text, left), lh),
            (entity_type(&d.text, right), rh),
        )
        .and_then(|(kind, left_is_head, _)| {
            semeval_relation(kind).map(|(l, head_first)| {
                // first argument: the head when head_first; reversed when it is the right mention
                let first_is_left = head_first == left_is_head;
                (l.to_string(), !first_is_left && !undirected(l))
            })
        });
        out.push(pred);
    }
    Ok(out)
}

/// Which same-sentence neighbour pairs of gold entities our patterns relate, against the pairs
/// of the key, label and direction ignored.
fn extraction(docs: &[SemDoc], gold: &[GoldPair]) -> Prf {
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
    for d in docs {
        let tokens = text::tokenize(&d.text);
        let lowers = crate::chunk::lowers(&d.text, &tokens);
        let mut mentions: Vec<Mention> = d
            .entities
            .iter()
            .filter(|(_, s)| s.end > s.start)
            .map(|(id, s)| Mention {
                span: *s,
                key: id.clone(),
                label: s.slice(&d.text).to_string(),
                ctype: entity_type(&d.text, *s),
                confidence: 1.0,
            })
            .collect();
        mentions.sort_by_key(|m| m.span.start);
        let mut rels = Vec::new();
        for s in text::sentences(&d.text, &tokens) {
            relations::relations(&d.text, &tokens, &lowers, &s, &mentions, &mut rels);
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
    let found = gold_pairs.iter().filter(|p| pred_pairs.contains(*p)).count();
    Prf::new(found, pred_pairs.len(), found, gold_pairs.len())
}

fn write_classification(f: &mut fmt::Formatter<'_>, c: &Classification) -> fmt::Result {
    writeln!(
        f,
        "      macro P {:.1} R {:.1} F1 {:.1}; micro {}",
        100.0 * c.macro_precision,
        100.0 * c.macro_recall,
        100.0 * c.macro_f1,
        c.micro
    )?;
    for (l, p) in &c.by_label {
        writeln!(f, "        {l:<14}{p}")?;
    }
    Ok(())
}

impl fmt::Display for SemevalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "SemEval-2018 task 7, {}: {} abstracts, {} entities, {} gold relations",
            self.data.describe(),
            self.documents,
            self.entities,
            self.relations
        )?;
        writeln!(
            f,
            "  classification of the given pairs (official score: macro F1 over the key's labels; label and \
             direction right, COMPARE undirected):"
        )?;
        let share = 100.0 * self.fallbacks as f64 / self.relations.max(1) as f64;
        writeln!(
            f,
            "    with the fallback: {} of {} pairs ({share:.1}%) got no pattern and are labelled USAGE in text order",
            self.fallbacks, self.relations
        )?;
        write_classification(f, &self.with_fallback)?;
        writeln!(
            f,
            "    without the fallback: only the {} pairs where a pattern fired are labelled",
            self.covered
        )?;
        write_classification(f, &self.without_fallback)?;
        writeln!(
            f,
            "  extraction over gold entities (pairs, label and direction ignored): {}",
            self.extraction
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(label: &str, a: &str, b: &str, reverse: bool) -> GoldPair {
        (label.to_string(), a.to_string(), b.to_string(), reverse)
    }

    fn label(l: &str, reverse: bool) -> Option<Label> {
        Some((l.to_string(), reverse))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn compare_is_scored_without_direction_and_other_labels_with_it() {
        let gold = [pair("COMPARE", "X.1", "X.2", false), pair("USAGE", "X.3", "X.4", true)];
        let c = classification(&gold, &[label("COMPARE", true), label("USAGE", false)]);
        assert_eq!(c.by_label["COMPARE"].correct_pred, 1, "{c:?}");
        assert_eq!(c.by_label["USAGE"].correct_pred, 0, "{c:?}");
        let c = classification(&gold, &[label("COMPARE", false), label("USAGE", true)]);
        assert_eq!(c.micro.correct_pred, 2, "{c:?}");
    }

    /// Hand-computed as `eval.pl` does: per label of the key, P over the predictions of the
    /// label, R over its gold pairs; macro over the key's labels; micro over the same.
    #[test]
    fn classification_with_and_without_the_fallback() {
        let gold = [
            pair("USAGE", "X.1", "X.2", false),
            pair("USAGE", "X.3", "X.4", true),
            pair("COMPARE", "X.5", "X.6", false),
            pair("RESULT", "X.7", "X.8", false),
        ];
        // right; wrong direction; right (COMPARE undirected); no pattern
        let patterns = [
            label("USAGE", false),
            label("USAGE", false),
            label("COMPARE", true),
            None,
        ];
        let c = classification(&gold, &patterns);
        // COMPARE P 1/1 R 1/1; RESULT 0/0, 0/1; USAGE P 1/2 R 1/2
        assert_eq!(c.predicted, 3);
        assert!(
            close(c.macro_precision, 0.5) && close(c.macro_recall, 0.5) && close(c.macro_f1, 0.5),
            "{c:?}"
        );
        assert_eq!((c.micro.correct_pred, c.micro.pred, c.micro.gold), (2, 3, 4));
        assert!(close(c.micro.f1, 4.0 / 7.0), "{c:?}");
        // the fallback labels the fourth pair USAGE: USAGE P 1/3 R 1/2 F1 2/5
        let mut fallback = patterns.clone();
        fallback[3] = label("USAGE", false);
        let c = classification(&gold, &fallback);
        assert!(close(c.by_label["USAGE"].f1, 0.4), "{c:?}");
        assert!(close(c.macro_precision, 4.0 / 9.0), "{c:?}");
        assert!(close(c.macro_recall, 0.5), "{c:?}");
        assert!(close(c.macro_f1, 1.4 / 3.0), "{c:?}");
        assert!(close(c.micro.f1, 0.5), "{c:?}");
    }

    const XML: &str = r#"<doc>
<text id="X01-1001"><title>Tagging</title><abstract><entity id="X01-1001.1">tagging tasks</entity> such as
<entity id="X01-1001.2">chunking</entity> are hard . Our <entity id="X01-1001.3">parser</entity> outperforms the
<entity id="X01-1001.4">baseline</entity> . <entity id="X01-1001.5">parsers</entity> and
<entity id="X01-1001.6">taggers</entity> were run .</abstract></text>
<text id="X01-1002"><title>Corpora</title><abstract>A <entity id="X01-1002.1">corpus</entity> is big .</abstract></text>
</doc>"#;

    const KEY: &str = "PART_WHOLE(X01-1001.1,X01-1001.2,REVERSE)\nCOMPARE(X01-1001.3,X01-1001.4)\n\
                       MODEL-FEATURE(X01-1001.5,X01-1001.6)\nUSAGE(X01-1001.1,X01-1002.1)\n";

    #[test]
    fn fallbacks_are_counted_and_scored_apart() {
        // "such as" and "outperforms" fire; "and" (a conjunction) and a pair across two
        // abstracts do not, so those two get the fallback USAGE
        let answers = semeval2018_answers(XML, KEY).expect("answers");
        let expected = [
            ("PART_WHOLE(X01-1001.1,X01-1001.2,REVERSE)", false),
            ("COMPARE(X01-1001.3,X01-1001.4)", false),
            ("USAGE(X01-1001.5,X01-1001.6)", true),
            ("USAGE(X01-1001.1,X01-1002.1)", true),
        ];
        assert_eq!(answers, expected.map(|(l, f)| (l.to_string(), f)));
        let r = semeval2018(XML, KEY).expect("report");
        assert_eq!((r.documents, r.entities, r.relations), (2, 7, 4));
        assert_eq!((r.covered, r.fallbacks), (2, 2));
        // with: COMPARE 1, MODEL-FEATURE 0, PART_WHOLE 1, USAGE P 1/2 R 1/1 F1 2/3
        let w = &r.with_fallback;
        assert_eq!(w.predicted, 4);
        assert!(close(w.macro_f1, 2.0 / 3.0) && close(w.macro_precision, 0.625) && close(w.macro_recall, 0.75));
        assert!(close(w.micro.f1, 0.75), "{w:?}");
        // without: USAGE 0
        let wo = &r.without_fallback;
        assert_eq!(wo.predicted, 2);
        assert!(close(wo.macro_f1, 0.5), "{wo:?}");
        assert_eq!((wo.micro.correct_pred, wo.micro.pred, wo.micro.gold), (2, 2, 4));
        assert_eq!(r.data, SemevalData::Training);
        assert!(r
            .to_string()
            .contains("training data (in-sample for anything tuned on it)"));
        let t = semeval2018_on(XML, KEY, SemevalData::Test).expect("test-format report");
        assert!(t.to_string().contains("test data"), "{t}");
        assert_eq!(t.with_fallback, r.with_fallback);
    }

    #[test]
    fn nested_entities_keep_both_spans() {
        let xml = r#"<text id="L08-1"><abstract>data for <entity id="L08-1.1">signal <entity id="L08-1.2">processing</entity></entity> front-end</abstract></text>"#;
        let docs = parse_semeval_xml(xml).expect("parses");
        let spans: Vec<(&str, &str)> = docs[0]
            .entities
            .iter()
            .map(|(id, s)| (id.as_str(), s.slice(&docs[0].text)))
            .collect();
        assert_eq!(spans, [("L08-1.2", "processing"), ("L08-1.1", "signal processing")]);
    }
}
