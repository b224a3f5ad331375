//! Evaluation against SciERC and SemEval-2018 task 7, from file contents (pure: no I/O).
//!
//! For context, published supervised systems (figures only, on the official test splits, which
//! this crate never reads):
//! - SciERC (Luan et al. 2018, SciIE): entity F1 ≈ 64.2, relation F1 ≈ 39.3; PURE (Zhong and
//!   Chen 2021): entity F1 ≈ 68.9, relation F1 ≈ 50.1.
//! - SemEval-2018 task 7 subtask 1.1 (relation classification on clean data): best macro-F1 ≈ 81.7.
//!
//! Our extractor is unsupervised and rule-based: these numbers are an upper reference, not a target.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::relations;
use crate::text::{self, Token};
use crate::{
    extract_with, normalize_key, typing, ConceptType, Lexicon, LexiconBuilder, Mention, Options, RelationKind, Span,
};

/// A malformed input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EvalError {}

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Prf {
    /// Predictions that match.
    pub correct_pred: usize,
    /// Predictions.
    pub pred: usize,
    /// Gold items found.
    pub correct_gold: usize,
    /// Gold items.
    pub gold: usize,
    /// `correct_pred / pred`.
    pub precision: f64,
    /// `correct_gold / gold`.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

impl Prf {
    /// From counts (a prediction and a gold item can match once each).
    pub fn new(correct_pred: usize, pred: usize, correct_gold: usize, gold: usize) -> Self {
        let precision = if pred == 0 {
            0.0
        } else {
            correct_pred as f64 / pred as f64
        };
        let recall = if gold == 0 {
            0.0
        } else {
            correct_gold as f64 / gold as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            correct_pred,
            pred,
            correct_gold,
            gold,
            precision,
            recall,
            f1,
        }
    }
}

impl fmt::Display for Prf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P {:5.1}  R {:5.1}  F1 {:5.1}  ({}/{} pred, {}/{} gold)",
            100.0 * self.precision,
            100.0 * self.recall,
            100.0 * self.f1,
            self.correct_pred,
            self.pred,
            self.correct_gold,
            self.gold
        )
    }
}

// ---------------------------------------------------------------- SciERC

/// start, end (inclusive), start, end (inclusive), label
type GoldRelation = (usize, usize, usize, usize, String);

#[derive(Deserialize)]
struct SciercDoc {
    #[serde(default)]
    doc_key: String,
    sentences: Vec<Vec<String>>,
    #[serde(default)]
    ner: Vec<Vec<(usize, usize, String)>>,
    #[serde(default)]
    relations: Vec<Vec<GoldRelation>>,
}

struct Reconstructed {
    text: String,
    /// byte span of each (global) token
    offsets: Vec<(usize, usize)>,
}

fn parse_jsonl(src: &str) -> Result<Vec<SciercDoc>, EvalError> {
    src.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| EvalError(format!("SciERC line {}: {e}", i + 1))))
        .collect()
}

/// Tokens joined by spaces, sentences by a blank line (SciERC gives the sentence segmentation).
fn reconstruct(doc: &SciercDoc) -> Reconstructed {
    let mut text = String::new();
    let mut offsets = Vec::new();
    for (si, s) in doc.sentences.iter().enumerate() {
        if si > 0 {
            text.push_str("\n\n");
        }
        for (ti, t) in s.iter().enumerate() {
            if ti > 0 {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(t);
            offsets.push((start, text.len()));
        }
    }
    Reconstructed { text, offsets }
}

/// Our type as a SciERC label: Dataset and Material are `Material`; `Other` stands for both
/// `OtherScientificTerm` and `Generic`.
pub fn scierc_label(t: ConceptType) -> &'static str {
    match t {
        ConceptType::Method => "Method",
        ConceptType::Task => "Task",
        ConceptType::Dataset | ConceptType::Material => "Material",
        ConceptType::Metric => "Metric",
        ConceptType::Other => "Other",
    }
}

fn gold_label(t: &str) -> &str {
    match t {
        "OtherScientificTerm" | "Generic" => "Other",
        other => other,
    }
}

/// Our relation as a SciERC label with its (arg1 = head?) order: `uses` is USED-FOR(tail, head),
/// `evaluated-on` is EVALUATE-FOR(tail, head), `compared-with` and `improves-on` are COMPARE,
/// `part-of` PART-OF, `feature-of` FEATURE-OF, `broader` HYPONYM-OF (narrower first),
/// `conjunction` CONJUNCTION.
pub fn scierc_relation(kind: RelationKind) -> (&'static str, bool) {
    match kind {
        RelationKind::Uses => ("USED-FOR", false),
        RelationKind::EvaluatedOn => ("EVALUATE-FOR", false),
        RelationKind::ComparedWith | RelationKind::ImprovesOn => ("COMPARE", true),
        RelationKind::PartOf => ("PART-OF", true),
        RelationKind::FeatureOf => ("FEATURE-OF", true),
        RelationKind::Broader => ("HYPONYM-OF", true),
        RelationKind::Conjunction => ("CONJUNCTION", true),
    }
}

fn symmetric(label: &str) -> bool {
    label == "COMPARE" || label == "CONJUNCTION"
}

/// Entity scores of one setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityScores {
    /// Exact span, type ignored.
    pub exact_untyped: Prf,
    /// Exact span and type.
    pub exact_typed: Prf,
    /// Overlapping span, type ignored.
    pub partial_untyped: Prf,
    /// Overlapping span and same type.
    pub partial_typed: Prf,
    /// Exact span and type, per SciERC label (Other = OtherScientificTerm + Generic).
    pub exact_by_type: BTreeMap<String, Prf>,
    /// Overlapping span and same type, per label.
    pub partial_by_type: BTreeMap<String, Prf>,
}

/// Relation scores of one setting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelationScores {
    /// Both argument spans exact, label and direction right (COMPARE and CONJUNCTION unordered).
    pub strict: Prf,
    /// Both argument spans exact, any label, any order.
    pub unlabeled: Prf,
    /// Strict, per SciERC label.
    pub by_label: BTreeMap<String, Prf>,
}

/// SciERC dev report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SciercReport {
    /// Documents evaluated.
    pub documents: usize,
    /// Gold entities.
    pub gold_entities: usize,
    /// Gold relations.
    pub gold_relations: usize,
    /// Terms in the lexicon built over train + dev text.
    pub lexicon_terms: usize,
    /// Default extraction (lexicon terms, acronyms, cue-typed phrases).
    pub entities_default: EntityScores,
    /// Every noun-phrase chunk a mention ([`Options::all_noun_phrases`]).
    pub entities_all_np: EntityScores,
    /// Relations end to end, default mentions.
    pub relations_default: RelationScores,
    /// Relations end to end, all noun phrases.
    pub relations_all_np: RelationScores,
    /// Relations between the gold entities (typed by SciERC's labels mapped to ours).
    pub relations_gold_entities: RelationScores,
}

type Ent = (usize, usize, usize); // doc, start token, end token (exclusive)

/// Maps a byte span to tokens: (first, last exclusive, boundaries exact).
fn to_tokens(offsets: &[(usize, usize)], span: Span) -> Option<(usize, usize, bool)> {
    let first = offsets.partition_point(|o| o.1 <= span.start);
    let last = offsets.partition_point(|o| o.0 < span.end);
    if first >= last {
        return None;
    }
    let exact = offsets[first].0 == span.start && offsets[last - 1].1 == span.end;
    Some((first, last, exact))
}

#[derive(Default)]
struct EntityCounter {
    gold: Vec<(Ent, String)>,
    pred: Vec<(Ent, String, bool)>,
}

impl EntityCounter {
    fn scores(&self) -> EntityScores {
        let gold_exact: HashSet<(Ent, &str)> = self.gold.iter().map(|(e, t)| (*e, t.as_str())).collect();
        let gold_spans: HashSet<Ent> = self.gold.iter().map(|(e, _)| *e).collect();
        let pred_exact: HashSet<(Ent, &str)> = self
            .pred
            .iter()
            .filter(|p| p.2)
            .map(|(e, t, _)| (*e, t.as_str()))
            .collect();
        let pred_spans: HashSet<Ent> = self.pred.iter().filter(|p| p.2).map(|(e, _, _)| *e).collect();
        let overlaps = |a: &Ent, b: &Ent| a.0 == b.0 && a.1 < b.2 && b.1 < a.2;
        // gold entities by document, for overlap tests
        let mut by_doc: HashMap<usize, Vec<&(Ent, String)>> = HashMap::new();
        for g in &self.gold {
            by_doc.entry(g.0 .0).or_default().push(g);
        }
        let mut pred_by_doc: HashMap<usize, Vec<&(Ent, String, bool)>> = HashMap::new();
        for p in &self.pred {
            pred_by_doc.entry(p.0 .0).or_default().push(p);
        }
        let empty_g = Vec::new();
        let empty_p = Vec::new();
        let labels = ["Method", "Task", "Material", "Metric", "Other"];
        let mut out = EntityScores::default();
        let count = |label: Option<&str>| -> (Prf, Prf) {
            let golds: Vec<&(Ent, String)> = self.gold.iter().filter(|g| label.is_none_or(|l| g.1 == l)).collect();
            let preds: Vec<&(Ent, String, bool)> =
                self.pred.iter().filter(|p| label.is_none_or(|l| p.1 == l)).collect();
            let typed = label.is_some();
            let ex_p = preds
                .iter()
                .filter(|p| p.2 && gold_exact.contains(&(p.0, p.1.as_str())))
                .count();
            let ex_g = golds
                .iter()
                .filter(|g| pred_exact.contains(&(g.0, g.1.as_str())))
                .count();
            let pa_p = preds
                .iter()
                .filter(|p| {
                    by_doc
                        .get(&p.0 .0)
                        .unwrap_or(&empty_g)
                        .iter()
                        .any(|g| overlaps(&p.0, &g.0) && (!typed || g.1 == p.1))
                })
                .count();
            let pa_g = golds
                .iter()
                .filter(|g| {
                    pred_by_doc
                        .get(&g.0 .0)
                        .unwrap_or(&empty_p)
                        .iter()
                        .any(|p| overlaps(&p.0, &g.0) && (!typed || g.1 == p.1))
                })
                .count();
            (
                Prf::new(ex_p, preds.len(), ex_g, golds.len()),
                Prf::new(pa_p, preds.len(), pa_g, golds.len()),
            )
        };
        // typed overall: sum over labels
        let mut sums = [0usize; 8];
        for l in labels {
            let (e, p) = count(Some(l));
            out.exact_by_type.insert(l.to_string(), e);
            out.partial_by_type.insert(l.to_string(), p);
            for (k, v) in [
                e.correct_pred,
                e.pred,
                e.correct_gold,
                e.gold,
                p.correct_pred,
                p.pred,
                p.correct_gold,
                p.gold,
            ]
            .into_iter()
            .enumerate()
            {
                sums[k] += v;
            }
        }
        out.exact_typed = Prf::new(sums[0], sums[1], sums[2], sums[3]);
        out.partial_typed = Prf::new(sums[4], sums[5], sums[6], sums[7]);
        // untyped
        let ex_p = self.pred.iter().filter(|p| p.2 && gold_spans.contains(&p.0)).count();
        let ex_g = self.gold.iter().filter(|g| pred_spans.contains(&g.0)).count();
        out.exact_untyped = Prf::new(ex_p, self.pred.len(), ex_g, self.gold.len());
        let (_, pu) = count(None);
        out.partial_untyped = pu;
        out
    }
}

type Rel = (usize, Ent, Ent, String); // doc, arg1, arg2, label

fn rel_key(doc: usize, a: (usize, usize), b: (usize, usize), label: &str) -> Rel {
    let (a, b) = if symmetric(label) && b < a { (b, a) } else { (a, b) };
    (doc, (doc, a.0, a.1), (doc, b.0, b.1), label.to_string())
}

fn relation_scores(gold: &[Rel], pred: &[Rel]) -> RelationScores {
    let gold_set: HashSet<&Rel> = gold.iter().collect();
    let pred_set: HashSet<&Rel> = pred.iter().collect();
    let unl = |r: &Rel| if r.1 <= r.2 { (r.0, r.1, r.2) } else { (r.0, r.2, r.1) };
    let gold_u: HashSet<(usize, Ent, Ent)> = gold.iter().map(unl).collect();
    let pred_u: HashSet<(usize, Ent, Ent)> = pred.iter().map(unl).collect();
    let mut out = RelationScores {
        strict: Prf::new(
            pred.iter().filter(|r| gold_set.contains(r)).count(),
            pred.len(),
            gold.iter().filter(|r| pred_set.contains(r)).count(),
            gold.len(),
        ),
        unlabeled: Prf::new(
            pred_u.iter().filter(|r| gold_u.contains(r)).count(),
            pred_u.len(),
            gold_u.iter().filter(|r| pred_u.contains(r)).count(),
            gold_u.len(),
        ),
        by_label: BTreeMap::new(),
    };
    let labels: HashSet<&str> = gold.iter().chain(pred.iter()).map(|r| r.3.as_str()).collect();
    let mut labels: Vec<&str> = labels.into_iter().collect();
    labels.sort_unstable();
    for l in labels {
        let g: Vec<&Rel> = gold.iter().filter(|r| r.3 == l).collect();
        let p: Vec<&Rel> = pred.iter().filter(|r| r.3 == l).collect();
        out.by_label.insert(
            l.to_string(),
            Prf::new(
                p.iter().filter(|r| gold_set.contains(*r)).count(),
                p.len(),
                g.iter().filter(|r| pred_set.contains(*r)).count(),
                g.len(),
            ),
        );
    }
    out
}

fn gold_type(label: &str) -> ConceptType {
    match label {
        "Method" => ConceptType::Method,
        "Task" => ConceptType::Task,
        "Material" => ConceptType::Material,
        "Metric" => ConceptType::Metric,
        _ => ConceptType::Other,
    }
}

/// Scores extraction on SciERC: `train` and `dev` are the DyGIE-format JSON-lines files. The
/// lexicon is built over the text of both; scores are on dev. Each document's text is its tokens
/// joined by spaces, its sentences by blank lines (SciERC's own segmentation).
pub fn scierc(train: &str, dev: &str) -> Result<SciercReport, EvalError> {
    let train_docs = parse_jsonl(train)?;
    let dev_docs = parse_jsonl(dev)?;
    let mut builder = LexiconBuilder::new();
    for d in train_docs.iter().chain(dev_docs.iter()) {
        builder.add_text(&reconstruct(d).text);
    }
    let lexicon = builder.build(2.0);
    scierc_with_lexicon(&dev_docs, &lexicon)
}

fn scierc_with_lexicon(docs: &[SciercDoc], lexicon: &Lexicon) -> Result<SciercReport, EvalError> {
    let mut report = SciercReport {
        documents: docs.len(),
        lexicon_terms: lexicon.len(),
        ..Default::default()
    };
    let mut ents = [EntityCounter::default(), EntityCounter::default()];
    let mut gold_rels: Vec<Rel> = Vec::new();
    let mut pred_rels: [Vec<Rel>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for (di, doc) in docs.iter().enumerate() {
        let r = reconstruct(doc);
        let ntok = r.offsets.len();
        let mut gold_ents: Vec<(Ent, String)> = Vec::new();
        for s in &doc.ner {
            for (a, b, t) in s {
                if *a > *b || *b >= ntok {
                    return Err(EvalError(format!(
                        "SciERC {}: entity [{a}, {b}] outside the document",
                        doc.doc_key
                    )));
                }
                gold_ents.push(((di, *a, b + 1), gold_label(t).to_string()));
            }
        }
        for s in &doc.relations {
            for (a, b, c, d, l) in s {
                gold_rels.push(rel_key(di, (*a, b + 1), (*c, d + 1), l));
            }
        }
        for (mode, counter) in ents.iter_mut().enumerate() {
            counter.gold.extend(gold_ents.iter().cloned());
            let options = Options {
                all_noun_phrases: mode == 1,
            };
            let ex = extract_with(&r.text, lexicon, options);
            for m in &ex.mentions {
                if let Some((f, l, exact)) = to_tokens(&r.offsets, m.span) {
                    counter
                        .pred
                        .push(((di, f, l), scierc_label(m.ctype).to_string(), exact));
                }
            }
            for rel in &ex.relations {
                let (label, head_first) = scierc_relation(rel.kind);
                let (a, b) = if head_first {
                    (rel.head_span, rel.tail_span)
                } else {
                    (rel.tail_span, rel.head_span)
                };
                if let (Some(a), Some(b)) = (to_tokens(&r.offsets, a), to_tokens(&r.offsets, b)) {
                    pred_rels[mode].push(rel_key(di, (a.0, a.1), (b.0, b.1), label));
                }
            }
        }
        // relations between gold entities
        let tokens = text::tokenize(&r.text);
        let lowers = crate::chunk::lowers(&r.text, &tokens);
        let mut gold_mentions: Vec<Mention> = gold_ents
            .iter()
            .map(|((_, a, b), t)| {
                let span = Span::new(r.offsets[*a].0, r.offsets[b - 1].1);
                Mention {
                    span,
                    key: normalize_key(span.slice(&r.text)),
                    label: span.slice(&r.text).to_string(),
                    ctype: gold_type(t),
                    confidence: 1.0,
                }
            })
            .collect();
        gold_mentions.sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
        // nested gold entities: keep the outer ones for neighbour relations
        let mut flat: Vec<Mention> = Vec::new();
        for m in gold_mentions {
            if flat.last().is_some_and(|p: &Mention| p.span.overlaps(&m.span)) {
                continue;
            }
            flat.push(m);
        }
        let mut rels = Vec::new();
        for sentence in text::sentences(&r.text, &tokens) {
            relations::relations(&r.text, &tokens, &lowers, &sentence, &flat, &mut rels);
        }
        for rel in &rels {
            let (label, head_first) = scierc_relation(rel.kind);
            let (a, b) = if head_first {
                (rel.head_span, rel.tail_span)
            } else {
                (rel.tail_span, rel.head_span)
            };
            if let (Some(a), Some(b)) = (to_tokens(&r.offsets, a), to_tokens(&r.offsets, b)) {
                pred_rels[2].push(rel_key(di, (a.0, a.1), (b.0, b.1), label));
            }
        }
    }
    report.gold_entities = ents[0].gold.len();
    report.gold_relations = gold_rels.len();
    report.entities_default = ents[0].scores();
    report.entities_all_np = ents[1].scores();
    report.relations_default = relation_scores(&gold_rels, &pred_rels[0]);
    report.relations_all_np = relation_scores(&gold_rels, &pred_rels[1]);
    report.relations_gold_entities = relation_scores(&gold_rels, &pred_rels[2]);
    Ok(report)
}

fn write_entities(f: &mut fmt::Formatter<'_>, name: &str, e: &EntityScores) -> fmt::Result {
    writeln!(f, "  entities, {name}:")?;
    writeln!(f, "    exact   untyped  {}", e.exact_untyped)?;
    writeln!(f, "    exact   typed    {}", e.exact_typed)?;
    writeln!(f, "    partial untyped  {}", e.partial_untyped)?;
    writeln!(f, "    partial typed    {}", e.partial_typed)?;
    for (l, p) in &e.exact_by_type {
        writeln!(f, "      exact   {l:<9}{p}")?;
    }
    for (l, p) in &e.partial_by_type {
        writeln!(f, "      partial {l:<9}{p}")?;
    }
    Ok(())
}

fn write_relations(f: &mut fmt::Formatter<'_>, name: &str, r: &RelationScores) -> fmt::Result {
    writeln!(f, "  relations, {name}:")?;
    writeln!(f, "    strict     {}", r.strict)?;
    writeln!(f, "    unlabeled  {}", r.unlabeled)?;
    for (l, p) in &r.by_label {
        writeln!(f, "      {l:<13}{p}")?;
    }
    Ok(())
}

impl fmt::Display for SciercReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "SciERC dev: {} documents, {} entities, {} relations; lexicon over the given train + dev text: {} terms",
            self.documents, self.gold_entities, self.gold_relations, self.lexicon_terms
        )?;
        writeln!(
            f,
            "  types mapped: Dataset -> Material; Other <-> OtherScientificTerm + Generic. Partial = any token overlap."
        )?;
        writeln!(
            f,
            "  reference (supervised, test split): SciIE entity F1 64.2, relation F1 39.3; PURE 68.9 / 50.1"
        )?;
        write_entities(
            f,
            "default (lexicon terms, acronyms, cue-typed phrases)",
            &self.entities_default,
        )?;
        write_entities(f, "all noun phrases", &self.entities_all_np)?;
        write_relations(f, "end to end, default mentions", &self.relations_default)?;
        write_relations(f, "end to end, all noun phrases", &self.relations_all_np)?;
        write_relations(f, "between gold entities", &self.relations_gold_entities)
    }
}

// ---------------------------------------------------------------- SemEval-2018 task 7

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
