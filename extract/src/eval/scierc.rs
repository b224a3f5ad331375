//! SciERC (Luan et al. 2018): entities and relations of 500 abstracts, DyGIE JSON-lines format.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::matching::max_matching;
use super::{EvalError, Prf};
use crate::learned::{self, EntityLabel, Heads, LearnedExtraction, TokenStates};
use crate::relations;
use crate::text;
use crate::{
    extract_with, normalize_key, ConceptType, Lexicon, LexiconBuilder, Mention, Options, Relation, RelationKind, Span,
};

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

/// Words (SciERC tokens) in one window of the learned extractor, about a passage at ingest
/// (160 words there, plus the title).
pub const WINDOW_WORDS: usize = 160;

/// A window of a SciERC document: whole sentences, as the learned extractor sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SciercWindow {
    /// Index of the document in its file.
    pub doc: usize,
    /// The document's key.
    pub doc_key: String,
    /// Byte offset of the window in the document's text (tokens joined by spaces, sentences by
    /// a blank line).
    pub start: usize,
    /// The window's text.
    pub text: String,
}

/// The windows of every document of a DyGIE-format SciERC file, in order.
pub fn scierc_windows(jsonl: &str) -> Result<Vec<SciercWindow>, EvalError> {
    let mut out = Vec::new();
    for (di, doc) in parse_jsonl(jsonl)?.iter().enumerate() {
        let r = reconstruct(doc);
        for span in crate::learned::sentence_windows(&r.text, WINDOW_WORDS) {
            out.push(SciercWindow {
                doc: di,
                doc_key: doc.doc_key.clone(),
                start: span.start,
                text: span.slice(&r.text).to_string(),
            });
        }
    }
    Ok(out)
}

/// SciERC's six entity labels, the typed scoring published systems report.
pub const SCIERC_ENTITY_LABELS: [&str; 6] = ["Task", "Method", "Metric", "Material", "OtherScientificTerm", "Generic"];

/// Our type as one of SciERC's six entity labels.
///
/// - Method, Task, Metric and Material are the same categories.
/// - Dataset is `Material`: SciERC annotates datasets, corpora and resources as Material (in
///   train, 74 of the 98 gold spans headed by corpus, dataset, treebank or benchmark are Material,
///   16 are Generic).
/// - Other is `OtherScientificTerm`, SciERC's label for a scientific term of none of the four
///   kinds. Our mentions are terms: generic words ("model", "approach") are filtered out before
///   typing, so no type of ours is `Generic`, and the gold Generic entities (18% of dev) can be
///   found only in the untyped scores.
pub fn scierc_label(t: ConceptType) -> &'static str {
    match t {
        ConceptType::Method => "Method",
        ConceptType::Task => "Task",
        ConceptType::Dataset | ConceptType::Material => "Material",
        ConceptType::Metric => "Metric",
        ConceptType::Other => "OtherScientificTerm",
    }
}

/// The coarse label of a six-way SciERC label, for the secondary typed score only: Generic and
/// OtherScientificTerm are merged into `Other`, which forgives calling a generic phrase a term.
fn coarse_label(label: &str) -> &str {
    match label {
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

/// Entity scores of one setting. Types are SciERC's six labels ([`scierc_label`]) unless said;
/// spans are matched one to one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityScores {
    /// Exact span and six-way label: the score published systems report.
    pub exact_typed: Prf,
    /// Exact span and coarse label (Generic and OtherScientificTerm merged into Other); secondary.
    pub exact_typed_coarse: Prf,
    /// Exact span, type ignored.
    pub exact_untyped: Prf,
    /// Overlapping span and same six-way label.
    pub partial_typed: Prf,
    /// Overlapping span, type ignored.
    pub partial_untyped: Prf,
    /// Exact span and label, per six-way label.
    pub exact_by_type: BTreeMap<String, Prf>,
    /// Overlapping span and same label, per six-way label.
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

/// Which text the lexicon of a [`SciercRun`] was built over. No label reaches a lexicon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LexiconText {
    /// The train split's text only: the dev text is not seen (inductive).
    #[default]
    Train,
    /// The text of train and of dev, the split scored (transductive: its text, not its labels).
    TrainAndDev,
}

impl LexiconText {
    /// How the report names it.
    pub fn describe(self) -> &'static str {
        match self {
            LexiconText::Train => "lexicon over train text only (inductive: dev text not seen)",
            LexiconText::TrainAndDev => "lexicon over train + dev text, no labels (transductive)",
        }
    }
}

/// The SciERC dev scores of the extractor with one lexicon.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SciercRun {
    /// The text the lexicon was built over.
    pub lexicon: LexiconText,
    /// Terms in the lexicon.
    pub lexicon_terms: usize,
    /// Default extraction (lexicon terms, acronyms, cue-typed phrases): what the store keeps.
    pub entities_default: EntityScores,
    /// Every noun-phrase chunk a mention ([`Options::all_noun_phrases`]).
    pub entities_all_np: EntityScores,
    /// Relations end to end, default mentions.
    pub relations_default: RelationScores,
    /// Relations end to end, all noun phrases.
    pub relations_all_np: RelationScores,
}

/// SciERC report, on the dev split. The dev split was this extractor's development fixture and
/// the word lists of `words.rs` were chosen on train, so these are development figures, not a
/// held-out estimate; the SciERC test split is never read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SciercReport {
    /// Documents evaluated.
    pub documents: usize,
    /// Gold entities.
    pub gold_entities: usize,
    /// Gold relations.
    pub gold_relations: usize,
    /// With the lexicon over train text only; holds the headline ([`SciercReport::headline`]).
    pub inductive: SciercRun,
    /// With the lexicon over train and dev text.
    pub transductive: SciercRun,
    /// Relations between the gold entities (an oracle: gold spans, and gold types as ours, Generic
    /// and OtherScientificTerm as Other; no lexicon).
    pub relations_gold_entities: RelationScores,
}

impl SciercReport {
    /// The headline: exact, six-way typed entity scores (the figure published systems report) of
    /// the default extraction with the inductive lexicon, on the dev split.
    pub fn headline(&self) -> Prf {
        self.inductive.entities_default.exact_typed
    }
}

type Ent = (usize, usize, usize); // doc, start token, end token (exclusive)

/// Maps a byte span to SciERC tokens: (first, last exclusive, boundaries exact). A span that
/// covers no token (only whitespace) maps to an empty range past every token, which overlaps
/// nothing and is not exact: it still counts as a prediction.
fn tokens_of(offsets: &[(usize, usize)], span: Span) -> (usize, usize, bool) {
    let first = offsets.partition_point(|o| o.1 <= span.start);
    let last = offsets.partition_point(|o| o.0 < span.end);
    if first >= last {
        return (usize::MAX, usize::MAX, false);
    }
    let exact = offsets[first].0 == span.start && offsets[last - 1].1 == span.end;
    (first, last, exact)
}

/// The gold entities and the predictions of one setting, every document together.
#[derive(Default)]
struct EntityCounter {
    gold: Vec<GoldEnt>,
    pred: Vec<PredEnt>,
}

/// A gold entity: span and label.
type GoldEnt = (Ent, String);
/// A predicted entity: span, label, and whether its boundaries are exactly SciERC token boundaries.
type PredEnt = (Ent, String, bool);

/// Which labels a prediction and a gold item must share.
#[derive(Clone, Copy)]
enum Typing {
    /// None.
    Untyped,
    /// The same six-way SciERC label.
    SixWay,
    /// The same [`coarse_label`].
    Coarse,
}

impl Typing {
    fn fits(self, pred: &str, gold: &str) -> bool {
        match self {
            Typing::Untyped => true,
            Typing::SixWay => pred == gold,
            Typing::Coarse => coarse_label(pred) == coarse_label(gold),
        }
    }
}

/// How a predicted span must meet a gold span.
#[derive(Clone, Copy)]
enum SpanMatch {
    /// Same tokens, and the prediction's boundaries are token boundaries.
    Exact,
    /// At least one token in common.
    Overlap,
}

impl EntityCounter {
    fn scores(&self) -> EntityScores {
        let mut out = EntityScores {
            exact_typed: self.prf(None, SpanMatch::Exact, Typing::SixWay),
            exact_typed_coarse: self.prf(None, SpanMatch::Exact, Typing::Coarse),
            exact_untyped: self.prf(None, SpanMatch::Exact, Typing::Untyped),
            partial_typed: self.prf(None, SpanMatch::Overlap, Typing::SixWay),
            partial_untyped: self.prf(None, SpanMatch::Overlap, Typing::Untyped),
            ..Default::default()
        };
        for l in SCIERC_ENTITY_LABELS {
            let exact = self.prf(Some(l), SpanMatch::Exact, Typing::SixWay);
            out.exact_by_type.insert(l.to_string(), exact);
            let partial = self.prf(Some(l), SpanMatch::Overlap, Typing::SixWay);
            out.partial_by_type.insert(l.to_string(), partial);
        }
        out
    }

    /// Scores the gold items and predictions of `label` (all when `None`), matched one to one in
    /// each document: a prediction is credited with one gold item at most and the other way round,
    /// as [`Prf::new`] promises, for exact and for overlap matching alike.
    fn prf(&self, label: Option<&str>, spans: SpanMatch, typing: Typing) -> Prf {
        let mut by_doc: BTreeMap<usize, (Vec<&GoldEnt>, Vec<&PredEnt>)> = BTreeMap::new();
        for g in self.gold.iter().filter(|g| label.is_none_or(|l| g.1 == l)) {
            by_doc.entry(g.0 .0).or_default().0.push(g);
        }
        for p in self.pred.iter().filter(|p| label.is_none_or(|l| p.1 == l)) {
            by_doc.entry(p.0 .0).or_default().1.push(p);
        }
        let fits = |p: &PredEnt, g: &GoldEnt| {
            let span = match spans {
                SpanMatch::Exact => p.2 && p.0 == g.0,
                SpanMatch::Overlap => p.0 .1 < g.0 .2 && g.0 .1 < p.0 .2,
            };
            span && typing.fits(&p.1, &g.1)
        };
        let (mut matched, mut preds, mut golds) = (0, 0, 0);
        for (gs, ps) in by_doc.values() {
            matched += max_matching(ps.len(), gs.len(), |p, g| fits(ps[p], gs[g]));
            preds += ps.len();
            golds += gs.len();
        }
        Prf::new(matched, preds, matched, golds)
    }
}

type Rel = (usize, Ent, Ent, String); // doc, arg1, arg2, label

/// A predicted relation, and whether both its argument spans are exactly SciERC token spans: a
/// relation whose argument is a sub-token or cross-token byte span counts as a prediction but
/// never matches.
type PredRel = (Rel, bool);

fn rel_key(doc: usize, a: (usize, usize), b: (usize, usize), label: &str) -> Rel {
    let (a, b) = if symmetric(label) && b < a { (b, a) } else { (a, b) };
    (doc, (doc, a.0, a.1), (doc, b.0, b.1), label.to_string())
}

/// Our relation as a SciERC relation over the tokens of `offsets`, with its exactness.
fn pred_rel(offsets: &[(usize, usize)], doc: usize, rel: &Relation) -> PredRel {
    let (label, head_first) = scierc_relation(rel.kind);
    let (a, b) = if head_first {
        (rel.head_span, rel.tail_span)
    } else {
        (rel.tail_span, rel.head_span)
    };
    let (a, b) = (tokens_of(offsets, a), tokens_of(offsets, b));
    (rel_key(doc, (a.0, a.1), (b.0, b.1), label), a.2 && b.2)
}

/// The unordered argument pair of a relation.
fn unordered(r: &Rel) -> (usize, Ent, Ent) {
    if r.1 <= r.2 {
        (r.0, r.1, r.2)
    } else {
        (r.0, r.2, r.1)
    }
}

/// Strict and unlabeled relation scores. Predictions are a set (the same relation found by two
/// patterns is one prediction); gold relations are matched once each, so the correct count is
/// the number of distinct gold relations that an exact prediction equals.
fn relation_scores(gold: &[Rel], pred: &[PredRel]) -> RelationScores {
    let pred: BTreeSet<&PredRel> = pred.iter().collect();
    let strict = |label: Option<&str>| {
        let gold: Vec<&Rel> = gold.iter().filter(|r| label.is_none_or(|l| r.3 == l)).collect();
        let pred: Vec<&&PredRel> = pred.iter().filter(|r| label.is_none_or(|l| r.0 .3 == l)).collect();
        let exact: HashSet<&Rel> = pred.iter().filter(|r| r.1).map(|r| &r.0).collect();
        let found = gold
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .filter(|r| exact.contains(**r))
            .count();
        Prf::new(found, pred.len(), found, gold.len())
    };
    let gold_u: HashSet<(usize, Ent, Ent)> = gold.iter().map(unordered).collect();
    let pred_u: HashSet<((usize, Ent, Ent), bool)> = pred.iter().map(|r| (unordered(&r.0), r.1)).collect();
    let found_u = gold_u.iter().filter(|r| pred_u.contains(&(**r, true))).count();
    let mut out = RelationScores {
        strict: strict(None),
        unlabeled: Prf::new(found_u, pred_u.len(), found_u, gold_u.len()),
        by_label: BTreeMap::new(),
    };
    let labels: BTreeSet<&str> = gold
        .iter()
        .chain(pred.iter().map(|r| &r.0))
        .map(|r| r.3.as_str())
        .collect();
    for l in labels {
        out.by_label.insert(l.to_string(), strict(Some(l)));
    }
    out
}

/// A gold SciERC label as our type, for the gold-entity relation oracle (our relation patterns
/// constrain the types of their ends): Generic and OtherScientificTerm are our Other.
fn gold_type(label: &str) -> ConceptType {
    match label {
        "Method" => ConceptType::Method,
        "Task" => ConceptType::Task,
        "Material" => ConceptType::Material,
        "Metric" => ConceptType::Metric,
        _ => ConceptType::Other,
    }
}

/// Scores extraction on the SciERC dev split: `train` and `dev` are the DyGIE-format JSON-lines
/// files. Each document's text is its tokens joined by spaces, its sentences by blank lines
/// (SciERC's own segmentation). Two lexicons, neither seeing a label: one over the train text
/// only (inductive, the headline), one over train and dev text (transductive). Relations
/// between the gold entities are scored once, as they need no lexicon.
pub fn scierc(train: &str, dev: &str) -> Result<SciercReport, EvalError> {
    let train: Vec<String> = parse_jsonl(train)?.iter().map(|d| reconstruct(d).text).collect();
    let dev = Gold::new(&parse_jsonl(dev)?)?;
    let inductive = lexicon_over(train.iter());
    let transductive = lexicon_over(train.iter().chain(dev.texts.iter().map(|r| &r.text)));
    Ok(SciercReport {
        documents: dev.texts.len(),
        gold_entities: dev.entities.len(),
        gold_relations: dev.relations.len(),
        inductive: run(&dev, &inductive, LexiconText::Train),
        transductive: run(&dev, &transductive, LexiconText::TrainAndDev),
        relations_gold_entities: relation_scores(&dev.relations, &gold_entity_relations(&dev)),
    })
}

/// SciERC dev scores of the learned extractor (alone) and of its combination with the rules
/// (what ingest keeps, Generic entities aside: they are scored here but are no concept in the
/// store).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LearnedRun {
    /// The heads' version (name and weights hash).
    pub heads: String,
    /// Windows embedded (whole sentences, at most [`WINDOW_WORDS`] words each).
    pub windows: usize,
    /// Of them, windows the tokenizer cut short.
    pub truncated: usize,
    /// Time in the heads (the model's forward pass excluded), in seconds, over every window.
    pub heads_seconds: f64,
    /// The learned entities.
    pub entities: EntityScores,
    /// The learned relations between the learned entities.
    pub relations: RelationScores,
    /// [`learned::combine`] with the default rule extraction (inductive lexicon), plus the
    /// learned Generic entities and their relations.
    pub combined_entities: EntityScores,
    /// Relations of the combination.
    pub combined_relations: RelationScores,
}

/// Token states of a batch of texts (the embedding model's forward pass), or why not.
pub type StatesOf<'a> = dyn FnMut(&[String]) -> Result<Vec<TokenStates>, String> + 'a;

/// Scores the learned extractor on the SciERC dev split, and its combination with the rules.
/// `states` runs the embedding model over window texts.
pub fn scierc_learned(
    train: &str,
    dev: &str,
    heads: &Heads,
    states: &mut StatesOf<'_>,
) -> Result<LearnedRun, EvalError> {
    let train: Vec<String> = parse_jsonl(train)?.iter().map(|d| reconstruct(d).text).collect();
    let lexicon = lexicon_over(train.iter());
    let gold = Gold::new(&parse_jsonl(dev)?)?;
    let windows = scierc_windows(dev)?;
    let mut found: Vec<Vec<LearnedExtraction>> = vec![Vec::new(); gold.texts.len()];
    let mut truncated = 0;
    let mut heads_seconds = 0.0;
    for chunk in windows.chunks(32) {
        let texts: Vec<String> = chunk.iter().map(|w| w.text.clone()).collect();
        let st = states(&texts).map_err(|e| EvalError(format!("embedding SciERC dev windows: {e}")))?;
        for (w, s) in chunk.iter().zip(&st) {
            truncated += usize::from(s.truncated);
            let t = std::time::Instant::now();
            found[w.doc].push(heads.extract(&w.text, s).shifted(w.start));
            heads_seconds += t.elapsed().as_secs_f64();
        }
    }
    let mut learned_ents = EntityCounter {
        gold: gold.entities.clone(),
        pred: Vec::new(),
    };
    let mut combined_ents = EntityCounter {
        gold: gold.entities.clone(),
        pred: Vec::new(),
    };
    let (mut learned_rels, mut combined_rels) = (Vec::new(), Vec::new());
    for (di, parts) in found.into_iter().enumerate() {
        let r = &gold.texts[di];
        let ex = LearnedExtraction::merge(parts);
        let token_span = |s: Span| tokens_of(&r.offsets, s);
        for e in &ex.entities {
            let (f, l, exact) = token_span(e.span);
            learned_ents
                .pred
                .push(((di, f, l), e.label.as_str().to_string(), exact));
            if e.label == EntityLabel::Generic {
                combined_ents
                    .pred
                    .push(((di, f, l), e.label.as_str().to_string(), exact));
            }
        }
        for rel in &ex.relations {
            let (a, b) = (
                token_span(ex.entities[rel.arg1].span),
                token_span(ex.entities[rel.arg2].span),
            );
            let p = (rel_key(di, (a.0, a.1), (b.0, b.1), rel.label.as_str()), a.2 && b.2);
            if ex.entities[rel.arg1].label == EntityLabel::Generic
                || ex.entities[rel.arg2].label == EntityLabel::Generic
            {
                combined_rels.push(p.clone());
            }
            learned_rels.push(p);
        }
        let rules = extract_with(&r.text, &lexicon, Options::default());
        let both = learned::combine(&r.text, &rules, &ex);
        for m in &both.mentions {
            let (f, l, exact) = token_span(m.span);
            combined_ents
                .pred
                .push(((di, f, l), scierc_label(m.ctype).to_string(), exact));
        }
        combined_rels.extend(both.relations.iter().map(|rel| pred_rel(&r.offsets, di, rel)));
    }
    Ok(LearnedRun {
        heads: heads.version().to_string(),
        windows: windows.len(),
        truncated,
        heads_seconds,
        entities: learned_ents.scores(),
        relations: relation_scores(&gold.relations, &learned_rels),
        combined_entities: combined_ents.scores(),
        combined_relations: relation_scores(&gold.relations, &combined_rels),
    })
}

impl fmt::Display for LearnedRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  learned heads {} on the embedding model's token states ({} windows of whole sentences, {} cut short; \
             trained on train, epoch and thresholds chosen on dev; heads {:.1} ms per window):",
            self.heads,
            self.windows,
            self.truncated,
            1000.0 * self.heads_seconds / self.windows.max(1) as f64
        )?;
        write_entities(f, "learned", &self.entities)?;
        write_relations(f, "learned, end to end", &self.relations)?;
        write_entities(
            f,
            "learned + rules (what ingest keeps, Generic aside)",
            &self.combined_entities,
        )?;
        write_relations(f, "learned + rules, end to end", &self.combined_relations)
    }
}

fn lexicon_over<'a>(texts: impl Iterator<Item = &'a String>) -> Lexicon {
    let mut builder = LexiconBuilder::new();
    for t in texts {
        builder.add_text(t);
    }
    builder.build(2.0)
}

/// The documents of the split scored, with their gold entities and relations.
struct Gold {
    texts: Vec<Reconstructed>,
    entities: Vec<GoldEnt>,
    relations: Vec<Rel>,
}

impl Gold {
    fn new(docs: &[SciercDoc]) -> Result<Gold, EvalError> {
        let mut gold = Gold {
            texts: docs.iter().map(reconstruct).collect(),
            entities: Vec::new(),
            relations: Vec::new(),
        };
        for (di, doc) in docs.iter().enumerate() {
            let ntok = gold.texts[di].offsets.len();
            for (a, b, t) in doc.ner.iter().flatten() {
                if *a > *b || *b >= ntok {
                    return Err(EvalError(format!(
                        "SciERC {}: entity [{a}, {b}] outside the document",
                        doc.doc_key
                    )));
                }
                gold.entities.push(((di, *a, b + 1), t.clone()));
            }
            for (a, b, c, d, l) in doc.relations.iter().flatten() {
                gold.relations.push(rel_key(di, (*a, b + 1), (*c, d + 1), l));
            }
        }
        Ok(gold)
    }
}

/// Extraction with one lexicon, in both modes, scored against `gold`.
fn run(gold: &Gold, lexicon: &Lexicon, text: LexiconText) -> SciercRun {
    let mode = |all_noun_phrases| {
        let mut ents = EntityCounter {
            gold: gold.entities.clone(),
            pred: Vec::new(),
        };
        let mut rels = Vec::new();
        for (di, r) in gold.texts.iter().enumerate() {
            let ex = extract_with(&r.text, lexicon, Options { all_noun_phrases });
            for m in &ex.mentions {
                let (f, l, exact) = tokens_of(&r.offsets, m.span);
                ents.pred.push(((di, f, l), scierc_label(m.ctype).to_string(), exact));
            }
            rels.extend(ex.relations.iter().map(|rel| pred_rel(&r.offsets, di, rel)));
        }
        (ents.scores(), relation_scores(&gold.relations, &rels))
    };
    let (entities_default, relations_default) = mode(false);
    let (entities_all_np, relations_all_np) = mode(true);
    SciercRun {
        lexicon: text,
        lexicon_terms: lexicon.len(),
        entities_default,
        entities_all_np,
        relations_default,
        relations_all_np,
    }
}

/// Our relation patterns run over the gold entities (typed by [`gold_type`]) instead of our
/// mentions: an oracle for the relation step alone.
fn gold_entity_relations(gold: &Gold) -> Vec<PredRel> {
    let mut out = Vec::new();
    for (di, r) in gold.texts.iter().enumerate() {
        let tokens = text::tokenize(&r.text);
        let lowers = crate::chunk::lowers(&r.text, &tokens);
        let mut mentions: Vec<Mention> = gold
            .entities
            .iter()
            .filter(|((d, _, _), _)| *d == di)
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
        mentions.sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
        // nested gold entities: keep the outer ones for neighbour relations
        let mut flat: Vec<Mention> = Vec::new();
        for m in mentions {
            if flat.last().is_some_and(|p: &Mention| p.span.overlaps(&m.span)) {
                continue;
            }
            flat.push(m);
        }
        let mut rels = Vec::new();
        for sentence in text::sentences(&r.text, &tokens) {
            relations::relations(&r.text, &tokens, &lowers, &sentence, &flat, &mut rels);
        }
        out.extend(rels.iter().map(|rel| pred_rel(&r.offsets, di, rel)));
    }
    out
}

fn write_entities(f: &mut fmt::Formatter<'_>, name: &str, e: &EntityScores) -> fmt::Result {
    writeln!(f, "    entities, {name}:")?;
    writeln!(f, "      exact   typed, 6-way   {}", e.exact_typed)?;
    writeln!(
        f,
        "      exact   typed, coarse  {}  (secondary: Generic + OtherScientificTerm = Other)",
        e.exact_typed_coarse
    )?;
    writeln!(f, "      exact   untyped        {}", e.exact_untyped)?;
    writeln!(f, "      partial typed, 6-way   {}", e.partial_typed)?;
    writeln!(f, "      partial untyped        {}", e.partial_untyped)?;
    for (l, p) in &e.exact_by_type {
        writeln!(f, "        exact   {l:<20}{p}")?;
    }
    for (l, p) in &e.partial_by_type {
        writeln!(f, "        partial {l:<20}{p}")?;
    }
    Ok(())
}

fn write_relations(f: &mut fmt::Formatter<'_>, name: &str, r: &RelationScores) -> fmt::Result {
    writeln!(f, "    relations, {name}:")?;
    writeln!(f, "      strict     {}", r.strict)?;
    writeln!(f, "      unlabeled  {}", r.unlabeled)?;
    for (l, p) in &r.by_label {
        writeln!(f, "        {l:<13}{p}")?;
    }
    Ok(())
}

fn write_run(f: &mut fmt::Formatter<'_>, run: &SciercRun) -> fmt::Result {
    writeln!(f, "  {}: {} terms", run.lexicon.describe(), run.lexicon_terms)?;
    write_entities(
        f,
        "default (lexicon terms, acronyms, cue-typed phrases)",
        &run.entities_default,
    )?;
    write_entities(f, "all noun phrases", &run.entities_all_np)?;
    write_relations(f, "end to end, default mentions", &run.relations_default)?;
    write_relations(f, "end to end, all noun phrases", &run.relations_all_np)
}

impl fmt::Display for SciercReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generic = self.inductive.entities_default.exact_by_type.get("Generic");
        writeln!(
            f,
            "SciERC, dev split: {} documents, {} entities, {} relations. Development figures, not held out: dev \
             was the extractor's development fixture and the word lists (words.rs) were tuned on train.",
            self.documents, self.gold_entities, self.gold_relations
        )?;
        let h = self.headline();
        writeln!(
            f,
            "  headline: entity F1 {:.1} (P {:.1}, R {:.1}): exact span, SciERC's 6 labels, default extraction, \
             inductive lexicon",
            100.0 * h.f1,
            100.0 * h.precision,
            100.0 * h.recall
        )?;
        writeln!(
            f,
            "  our types as SciERC labels: Method, Task, Metric, Material as such; Dataset -> Material; \
             Other -> OtherScientificTerm; none is Generic, so the {} Generic gold entities count as typed misses. \
             Partial = token overlap, matched one to one.",
            generic.map_or(0, |p| p.gold)
        )?;
        write_run(f, &self.inductive)?;
        write_run(f, &self.transductive)?;
        writeln!(f, "  no lexicon:")?;
        write_relations(
            f,
            "between gold entities (oracle: gold spans and types given)",
            &self.relations_gold_entities,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_prf(p: Prf, correct: usize, pred: usize, gold: usize, f1: f64) {
        assert_eq!(
            (p.correct_pred, p.pred, p.correct_gold, p.gold),
            (correct, pred, correct, gold),
            "{p}"
        );
        assert!((p.f1 - f1).abs() < 1e-9, "{p}: F1 {f1} expected");
    }

    fn entities(gold: &[(usize, usize, &str)], pred: &[(usize, usize, &str, bool)]) -> EntityScores {
        EntityCounter {
            gold: gold.iter().map(|&(a, b, l)| ((0, a, b), l.to_string())).collect(),
            pred: pred.iter().map(|&(a, b, l, x)| ((0, a, b), l.to_string(), x)).collect(),
        }
        .scores()
    }

    #[test]
    fn a_long_span_over_two_gold_entities_is_credited_once() {
        // gold: tokens 0..2 (Method) and 3..5 (Task); one prediction covers tokens 0..6
        let s = entities(&[(0, 2, "Method"), (3, 5, "Task")], &[(0, 6, "Method", true)]);
        // P 1/1, R 1/2, F1 2/3 (many-to-many overlap gave R 2/2)
        assert_prf(s.partial_untyped, 1, 1, 2, 2.0 / 3.0);
        assert_prf(s.partial_typed, 1, 1, 2, 2.0 / 3.0);
        assert_prf(s.exact_untyped, 0, 1, 2, 0.0);
    }

    #[test]
    fn two_predictions_inside_one_gold_entity_are_credited_once() {
        let s = entities(&[(0, 4, "Method")], &[(0, 2, "Method", true), (2, 4, "Method", true)]);
        // P 1/2, R 1/1, F1 2/3
        assert_prf(s.partial_untyped, 1, 2, 1, 2.0 / 3.0);
    }

    #[test]
    fn six_way_typed_coarse_and_untyped() {
        // gold Generic "this model" (0..2) and OtherScientificTerm "syntax" (3..4); we predict
        // both spans exactly, typed Other, that is OtherScientificTerm
        let other = scierc_label(ConceptType::Other);
        let s = entities(
            &[(0, 2, "Generic"), (3, 4, "OtherScientificTerm")],
            &[(0, 2, other, true), (3, 4, other, true)],
        );
        // six-way: P 1/2, R 1/2, F1 1/2; coarse and untyped: 2/2
        assert_prf(s.exact_typed, 1, 2, 2, 0.5);
        assert_prf(s.exact_typed_coarse, 2, 2, 2, 1.0);
        assert_prf(s.exact_untyped, 2, 2, 2, 1.0);
        assert_prf(s.exact_by_type["Generic"], 0, 0, 1, 0.0);
        assert_prf(s.exact_by_type["OtherScientificTerm"], 1, 2, 1, 2.0 / 3.0);
        // a Dataset is Material; a wrong type is a wrong typed prediction, not skipped
        let dataset = scierc_label(ConceptType::Dataset);
        let s = entities(
            &[(0, 2, "Material"), (3, 4, "Task")],
            &[(0, 2, dataset, true), (3, 4, "Method", true)],
        );
        assert_prf(s.exact_typed, 1, 2, 2, 0.5);
        assert_prf(s.exact_by_type["Method"], 0, 1, 0, 0.0);
    }

    #[test]
    fn exact_needs_token_boundaries_partial_does_not() {
        // the prediction snaps to the gold tokens 0..2 but its byte span cuts a token
        let s = entities(&[(0, 2, "Task")], &[(0, 2, "Task", false)]);
        assert_prf(s.exact_typed, 0, 1, 1, 0.0);
        assert_prf(s.exact_untyped, 0, 1, 1, 0.0);
        assert_prf(s.partial_typed, 1, 1, 1, 1.0);
        // overlap with the wrong type: partial untyped only
        let s = entities(&[(0, 2, "Task")], &[(1, 3, "Method", true)]);
        assert_prf(s.partial_typed, 0, 1, 1, 0.0);
        assert_prf(s.partial_untyped, 1, 1, 1, 1.0);
    }

    /// "neural parser uses CRF": the token offsets of the reconstructed text.
    const OFFSETS: [(usize, usize); 4] = [(0, 6), (7, 13), (14, 18), (19, 22)];

    fn uses(head: (usize, usize), tail: (usize, usize)) -> Relation {
        let (head_span, tail_span) = (Span::new(head.0, head.1), Span::new(tail.0, tail.1));
        Relation {
            kind: RelationKind::Uses,
            head: String::new(),
            tail: String::new(),
            head_span,
            tail_span,
            span: Span::new(head.0, tail.1),
            confidence: 1.0,
        }
    }

    #[test]
    fn a_sub_token_argument_is_no_strict_relation_match() {
        // gold: USED-FOR(CRF, neural parser), our `uses` is USED-FOR(tail, head)
        let gold = [rel_key(0, (3, 4), (0, 2), "USED-FOR")];
        let exact = pred_rel(&OFFSETS, 0, &uses((0, 13), (19, 22)));
        assert_prf(relation_scores(&gold, &[exact]).strict, 1, 1, 1, 1.0);
        // "CR" snaps to the token "CRF" but is not it
        let sub = pred_rel(&OFFSETS, 0, &uses((0, 13), (19, 21)));
        assert_eq!(sub.0, gold[0], "the snapped key is the gold key");
        let s = relation_scores(&gold, &[sub]);
        assert_prf(s.strict, 0, 1, 1, 0.0);
        assert_prf(s.unlabeled, 0, 1, 1, 0.0);
        assert_prf(s.by_label["USED-FOR"], 0, 1, 1, 0.0);
    }

    #[test]
    fn relation_label_direction_and_repeats() {
        let gold = [rel_key(0, (3, 4), (0, 2), "USED-FOR")];
        // reversed arguments: not strict, but unlabeled
        let reversed = (rel_key(0, (0, 2), (3, 4), "USED-FOR"), true);
        let s = relation_scores(&gold, std::slice::from_ref(&reversed));
        assert_prf(s.strict, 0, 1, 1, 0.0);
        assert_prf(s.unlabeled, 1, 1, 1, 1.0);
        // a symmetric label ignores the order
        let gold = [rel_key(0, (3, 4), (0, 2), "CONJUNCTION")];
        let swapped = (rel_key(0, (0, 2), (3, 4), "CONJUNCTION"), true);
        assert_prf(relation_scores(&gold, &[swapped]).strict, 1, 1, 1, 1.0);
        // the same relation found twice is one prediction
        let gold = [rel_key(0, (3, 4), (0, 2), "USED-FOR")];
        let twice = [gold[0].clone(), gold[0].clone()].map(|r| (r, true));
        assert_prf(relation_scores(&gold, &twice).strict, 1, 1, 1, 1.0);
    }
}
