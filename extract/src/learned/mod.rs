//! The learned extractor: trained heads on the token states of the embedding model's forward
//! pass. Entities are classified as spans of whole words (a span classifier over the first and
//! last word-piece states, the mean of the span's states and its width); relations between two
//! entities of one sentence from the two spans and the pieces just outside them, their predicted
//! labels, the text between them and their distance in each direction (`relation.rs`).
//!
//! The heads are small: every matrix that touches a token state is applied once per token (one
//! matrix product for the whole passage), and a candidate span or pair costs a few hundred
//! additions. The weights come from `scripts/train_extractor.py` (SciERC train; model selection
//! on dev) and ship as [`BUNDLED`]; their SHA-256 is part of [`Heads::version`].
//!
//! **Invariant:** every span returned is a byte range of the text the states were computed on,
//! on `char` boundaries, built from the tokenizer's own offsets: `&text[span.start..span.end]`
//! is exactly the words of the span.

mod models;
mod relation;
mod weights;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::text;
use crate::{normalize_key, Claim, ConceptType, Extraction, Mention, Relation, RelationKind, Span};
use relation::RelationHead;
use weights::Weights;
pub use weights::WeightsError;

/// The trained heads shipped with this crate (`models/scierc-heads.bin`).
pub const BUNDLED: &[u8] = include_bytes!("../../models/scierc-heads.bin");

pub use models::{ListedModel, BUNDLED_MODELS};

/// The token states of one text from the embedding model's forward pass: one row of `dim`
/// floats per word piece (special tokens and padding left out), with the byte range of the text
/// each piece came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenStates {
    /// Byte range of each word piece in the text.
    pub offsets: Vec<(usize, usize)>,
    /// Whether each piece continues the word of the piece before it (`##ing`).
    pub continues: Vec<bool>,
    /// Width of a state.
    pub dim: usize,
    /// `offsets.len() × dim` floats, row by row.
    pub states: Vec<f32>,
    /// True when the tokenizer cut the text: pieces past the model's length are missing.
    pub truncated: bool,
}

impl TokenStates {
    /// Number of word pieces.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// True when there are no pieces.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    fn matrix(&self) -> ArrayView2<'_, f32> {
        ArrayView2::from_shape((self.len(), self.dim), &self.states).expect("states are len × dim")
    }

    /// The words: runs of pieces where each piece after the first continues the one before.
    /// Each is (first piece, last piece inclusive).
    pub fn words(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in 0..self.len() {
            match out.last_mut() {
                Some(w) if self.continues[i] && self.offsets[i].0 == self.offsets[w.1].1 => w.1 = i,
                _ => out.push((i, i)),
            }
        }
        out
    }
}

/// SciERC's six entity labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EntityLabel {
    /// A task or problem.
    Task,
    /// A method, model, system or tool.
    Method,
    /// An evaluation metric.
    Metric,
    /// Data, datasets, corpora, resources.
    Material,
    /// A scientific term of none of the above kinds.
    OtherScientificTerm,
    /// A generic reference ("this approach", "the model").
    Generic,
}

impl EntityLabel {
    /// In the order of the heads' outputs (after "no entity").
    pub const ALL: [EntityLabel; 6] = [
        EntityLabel::Task,
        EntityLabel::Method,
        EntityLabel::Metric,
        EntityLabel::Material,
        EntityLabel::OtherScientificTerm,
        EntityLabel::Generic,
    ];

    /// SciERC's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityLabel::Task => "Task",
            EntityLabel::Method => "Method",
            EntityLabel::Metric => "Metric",
            EntityLabel::Material => "Material",
            EntityLabel::OtherScientificTerm => "OtherScientificTerm",
            EntityLabel::Generic => "Generic",
        }
    }

    fn index(self) -> usize {
        EntityLabel::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// SciERC's seven relation labels, `arg1 LABEL arg2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RelationLabel {
    /// arg1 is used for arg2.
    UsedFor,
    /// arg1 evaluates arg2 (a metric or dataset evaluating a method).
    EvaluateFor,
    /// arg1 is a feature of arg2.
    FeatureOf,
    /// arg1 is part of arg2.
    PartOf,
    /// arg1 is a hyponym of arg2.
    HyponymOf,
    /// arg1 and arg2 are compared (unordered).
    Compare,
    /// arg1 and arg2 are coordinated (unordered).
    Conjunction,
}

impl RelationLabel {
    /// In the order of the heads' outputs (after "no relation").
    pub const ALL: [RelationLabel; 7] = [
        RelationLabel::UsedFor,
        RelationLabel::EvaluateFor,
        RelationLabel::FeatureOf,
        RelationLabel::PartOf,
        RelationLabel::HyponymOf,
        RelationLabel::Compare,
        RelationLabel::Conjunction,
    ];

    /// SciERC's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationLabel::UsedFor => "USED-FOR",
            RelationLabel::EvaluateFor => "EVALUATE-FOR",
            RelationLabel::FeatureOf => "FEATURE-OF",
            RelationLabel::PartOf => "PART-OF",
            RelationLabel::HyponymOf => "HYPONYM-OF",
            RelationLabel::Compare => "COMPARE",
            RelationLabel::Conjunction => "CONJUNCTION",
        }
    }

    /// True for the unordered labels (COMPARE, CONJUNCTION).
    pub fn symmetric(self) -> bool {
        matches!(self, RelationLabel::Compare | RelationLabel::Conjunction)
    }
}

/// An entity the heads found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedEntity {
    /// Its bytes in the text.
    pub span: Span,
    /// Its label.
    pub label: EntityLabel,
    /// The probability of that label.
    pub score: f32,
}

/// A relation the heads found between two of the entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedRelation {
    /// Index of arg1 in [`LearnedExtraction::entities`].
    pub arg1: usize,
    /// Index of arg2.
    pub arg2: usize,
    /// Its label.
    pub label: RelationLabel,
    /// The probability of that label.
    pub score: f32,
}

/// What the heads found in one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LearnedExtraction {
    /// Entities, sorted by start, never overlapping.
    pub entities: Vec<LearnedEntity>,
    /// Relations between entities of one sentence; an unordered label appears once per pair.
    pub relations: Vec<LearnedRelation>,
}

/// The trained heads.
#[derive(Debug)]
pub struct Heads {
    version: String,
    model_sha256: Option<String>,
    /// Other models measured with these heads (empty unless the list names this version).
    also: Vec<ListedModel>,
    params: std::collections::BTreeMap<String, f64>,
    dim: usize,
    /// Each state dimension is standardised first: `(x - shift) * scale` (train statistics).
    shift: Vec<f32>,
    scale: Vec<f32>,
    max_width: usize,
    ent: EntityHead,
    rel: RelationHead,
}

#[derive(Debug)]
struct EntityHead {
    /// (5·hidden) × dim: first, last, mean, before and after projections stacked.
    token: Array2<f32>,
    /// (max_width + 1) × hidden.
    width: Array2<f32>,
    bias: Vec<f32>,
    /// classes × hidden.
    out: Array2<f32>,
    out_bias: Vec<f32>,
    hidden: usize,
    /// Added to the "no entity" logit (chosen on dev).
    none_bias: f32,
}

/// Distance buckets between two spans, in words: 0, 1, 2, 3, 4, 5–7, 8–15, 16+.
pub const DISTANCE_BUCKETS: usize = 8;

/// The bucket of a distance in words.
pub fn distance_bucket(words: usize) -> usize {
    match words {
        0..=4 => words,
        5..=7 => 5,
        8..=15 => 6,
        _ => 7,
    }
}

impl Heads {
    /// The heads shipped with the crate.
    pub fn bundled() -> &'static Heads {
        static HEADS: std::sync::OnceLock<Heads> = std::sync::OnceLock::new();
        HEADS.get_or_init(|| {
            let mut heads = Heads::from_bytes(BUNDLED).expect("the bundled heads are well formed");
            heads.also = models::listed_for(&heads.version);
            heads
        })
    }

    /// Reads heads written by `scripts/train_extractor.py`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Heads, WeightsError> {
        let mut w = Weights::parse(bytes)?;
        let dim = w.usize_param("dim")?;
        let max_width = w.usize_param("max_width")?;
        let eh = w.usize_param("entity_hidden")?;
        let nent = EntityLabel::ALL.len() + 1;
        let ent = EntityHead {
            token: w.matrix("ent.token", 5 * eh, dim)?,
            width: w.matrix("ent.width", max_width + 1, eh)?,
            bias: w.vector("ent.bias", eh)?,
            out: w.matrix("ent.out", nent, eh)?,
            out_bias: w.vector("ent.out_bias", nent)?,
            hidden: eh,
            none_bias: w.f32_param("entity_none_bias")?,
        };
        let rel = RelationHead::read(&mut w, dim)?;
        let version = format!("{}+{}", w.name(), &w.sha256()[..12]);
        Ok(Heads {
            version,
            model_sha256: w.model_sha256().map(str::to_string),
            also: Vec::new(),
            params: w.params().clone(),
            dim,
            shift: w.vector("norm.shift", dim)?,
            scale: w.vector("norm.scale", dim)?,
            max_width,
            ent,
            rel,
        })
    }

    /// Name and weights hash, for the extractor's version (`scierc-heads-v2+3f2a…`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether the heads read the token states of the model whose ONNX file has this SHA-256:
    /// the model they were trained on, or a variant of it they were measured on (see
    /// [`BUNDLED_MODELS`]). Another model's states (even of the same width) mean nothing to them.
    pub fn fits_model(&self, weights_sha256: &str) -> bool {
        self.model_sha256.as_deref() == Some(weights_sha256) || self.listed_model(weights_sha256).is_some()
    }

    /// The listed variant with this ONNX SHA-256, with the figures measured on it.
    pub fn listed_model(&self, weights_sha256: &str) -> Option<&ListedModel> {
        self.also.iter().find(|m| m.model_sha256 == weights_sha256)
    }

    /// A number the trainer recorded in the file (`dev_entity_f1`, `dev_relation_f1`, `seed`, ...).
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.get(name).copied()
    }

    /// The token state width the heads expect.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Entities and relations in `text`, whose token states are `states`. States of another
    /// width give nothing.
    pub fn extract(&self, text: &str, states: &TokenStates) -> LearnedExtraction {
        if states.dim != self.dim || states.is_empty() || states.offsets.iter().any(|o| o.1 > text.len()) {
            return LearnedExtraction::default();
        }
        let words = states.words();
        let mut h = states.matrix().to_owned();
        for mut row in h.rows_mut() {
            for ((x, s), k) in row.iter_mut().zip(&self.shift).zip(&self.scale) {
                *x = (*x - s) * k;
            }
        }
        let h = h.view();
        let entities = self.entities(&words, states, h);
        let relations = self.rel.relations(text, &words, states, h, &entities);
        LearnedExtraction { entities, relations }
    }

    fn entities(&self, words: &[(usize, usize)], states: &TokenStates, h: ArrayView2<'_, f32>) -> Vec<LearnedEntity> {
        let e = &self.ent;
        let hid = e.hidden;
        // tokens × 5·hidden: projections of every piece as a span's first, last, mean, the piece
        // before a span and the piece after it
        let proj = h.dot(&e.token.t());
        let zero = vec![0f32; hid];
        // prefix sums of the mean projection, for the mean over any run of pieces
        let n = states.len();
        let mut prefix = vec![0f32; (n + 1) * hid];
        for t in 0..n {
            let row = proj.row(t);
            for k in 0..hid {
                prefix[(t + 1) * hid + k] = prefix[t * hid + k] + row[2 * hid + k];
            }
        }
        let mut cands: Vec<(f32, usize, usize, usize)> = Vec::new(); // score, first word, last word, label
        let mut z = vec![0f32; hid];
        let mut logits = vec![0f32; e.out_bias.len()];
        let flat = proj.as_slice().expect("a fresh product is contiguous");
        let part = |t: usize, p: usize| &flat[(5 * t + p) * hid..(5 * t + p + 1) * hid];
        let widths = e.width.as_slice().expect("weights are contiguous");
        for i in 0..words.len() {
            for j in i..words.len().min(i + self.max_width) {
                let (s, t) = (words[i].0, words[j].1);
                let inv_len = 1.0 / (t + 1 - s) as f32;
                let width = &widths[(j - i + 1) * hid..(j - i + 2) * hid];
                let (first, last) = (part(s, 0), part(t, 1));
                let before = if s > 0 { part(s - 1, 3) } else { &zero[..] };
                let after = if t + 1 < n { part(t + 1, 4) } else { &zero[..] };
                let (hi, lo) = (&prefix[(t + 1) * hid..(t + 2) * hid], &prefix[s * hid..(s + 1) * hid]);
                for k in 0..hid {
                    let mean = (hi[k] - lo[k]) * inv_len;
                    z[k] = (first[k] + last[k] + mean + before[k] + after[k] + width[k] + e.bias[k]).max(0.0);
                }
                affine(&e.out, &e.out_bias, &z, &mut logits);
                logits[0] += e.none_bias;
                let (best, p) = softmax_argmax(&mut logits);
                if best > 0 {
                    cands.push((p, i, j, best - 1));
                }
            }
        }
        // the most probable first; a span overlapping one already kept is dropped
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut taken = vec![false; words.len()];
        let mut out = Vec::new();
        for (p, i, j, label) in cands {
            if taken[i..=j].iter().any(|t| *t) {
                continue;
            }
            taken[i..=j].iter_mut().for_each(|t| *t = true);
            out.push(LearnedEntity {
                span: Span::new(states.offsets[words[i].0].0, states.offsets[words[j].1].1),
                label: EntityLabel::ALL[label],
                score: p,
            });
        }
        out.sort_by_key(|e| e.span.start);
        out
    }
}

impl LearnedExtraction {
    /// The same items with every span moved `by` bytes later (a window's findings in the
    /// coordinates of the text the window was cut from).
    pub fn shifted(mut self, by: usize) -> LearnedExtraction {
        for e in &mut self.entities {
            e.span = Span::new(e.span.start + by, e.span.end + by);
        }
        self
    }

    /// Without the entities that start before byte `start` (a prefix the window was given as
    /// context, such as the paper's title before a passage), nor their relations.
    pub fn from_byte(self, start: usize) -> LearnedExtraction {
        let keep: Vec<bool> = self.entities.iter().map(|e| e.span.start >= start).collect();
        let mut new_index = Vec::with_capacity(keep.len());
        let mut n = 0;
        for k in &keep {
            new_index.push(n);
            n += usize::from(*k);
        }
        LearnedExtraction {
            relations: self
                .relations
                .into_iter()
                .filter(|r| keep[r.arg1] && keep[r.arg2])
                .map(|r| LearnedRelation {
                    arg1: new_index[r.arg1],
                    arg2: new_index[r.arg2],
                    ..r
                })
                .collect(),
            entities: self
                .entities
                .into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(e, _)| e)
                .collect(),
        }
    }

    /// The findings of several windows of one text (in its coordinates), as one: where windows
    /// overlap, of two overlapping entities the more probable stays, and relations follow their
    /// entities.
    pub fn merge(parts: Vec<LearnedExtraction>) -> LearnedExtraction {
        let mut all: Vec<(LearnedEntity, usize, usize)> = Vec::new(); // entity, part, index in part
        for (p, part) in parts.iter().enumerate() {
            all.extend(part.entities.iter().cloned().enumerate().map(|(i, e)| (e, p, i)));
        }
        all.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(a.0.span.cmp(&b.0.span)));
        let mut kept: Vec<(LearnedEntity, usize, usize)> = Vec::new();
        for c in all {
            if !kept.iter().any(|k| k.0.span.overlaps(&c.0.span)) {
                kept.push(c);
            }
        }
        kept.sort_by_key(|k| k.0.span);
        let index: std::collections::HashMap<(usize, usize), usize> =
            kept.iter().enumerate().map(|(n, k)| ((k.1, k.2), n)).collect();
        let mut relations: Vec<LearnedRelation> = Vec::new();
        for (p, part) in parts.iter().enumerate() {
            for r in &part.relations {
                if let (Some(&a), Some(&b)) = (index.get(&(p, r.arg1)), index.get(&(p, r.arg2))) {
                    if !relations
                        .iter()
                        .any(|x| x.arg1 == a && x.arg2 == b && x.label == r.label)
                    {
                        relations.push(LearnedRelation {
                            arg1: a,
                            arg2: b,
                            ..r.clone()
                        });
                    }
                }
            }
        }
        LearnedExtraction {
            entities: kept.into_iter().map(|k| k.0).collect(),
            relations,
        }
    }
}

/// The concept type of a learned label; `None` for Generic ("this method"), which is no concept.
/// Material is a Dataset where the rules typed an overlapping mention so.
fn concept_type(label: EntityLabel, rules_say_dataset: bool) -> Option<ConceptType> {
    Some(match label {
        EntityLabel::Task => ConceptType::Task,
        EntityLabel::Method => ConceptType::Method,
        EntityLabel::Metric => ConceptType::Metric,
        EntityLabel::Material if rules_say_dataset => ConceptType::Dataset,
        EntityLabel::Material => ConceptType::Material,
        EntityLabel::OtherScientificTerm => ConceptType::Other,
        EntityLabel::Generic => return None,
    })
}

/// A learned relation as ours, `(kind, head is arg1)`: USED-FOR(a, b) is b uses a,
/// EVALUATE-FOR(a, b) is b evaluated on a, HYPONYM-OF(a, b) is a broader b; the rest keep the order.
pub fn relation_kind(label: RelationLabel) -> (RelationKind, bool) {
    match label {
        RelationLabel::UsedFor => (RelationKind::Uses, false),
        RelationLabel::EvaluateFor => (RelationKind::EvaluatedOn, false),
        RelationLabel::FeatureOf => (RelationKind::FeatureOf, true),
        RelationLabel::PartOf => (RelationKind::PartOf, true),
        RelationLabel::HyponymOf => (RelationKind::Broader, true),
        RelationLabel::Compare => (RelationKind::ComparedWith, true),
        RelationLabel::Conjunction => (RelationKind::Conjunction, true),
    }
}

/// The rule-based extraction of `text` and the learned one of the same text, as one:
/// - mentions: the learned entities (their spans and types win; keys and labels are the rules'
///   where a rule mention has the same span, else an acronym's key or the text's own key), then
///   the typed rule mentions that overlap no learned entity (an untyped rule term the heads
///   passed over is more often no entity than a missed one: on SciERC dev, adding them took
///   entity precision from 53.7 to 36.9 for 5 points of recall). Generic entities ("this approach") are no
///   concept: they are left out, and so are rule mentions overlapping them.
/// - relations: the learned ones between kept mentions, then the rules' between kept mentions
///   that the learned ones do not already state for the same pair;
/// - acronyms and results as the rules found them; claims with their concepts recomputed from
///   the mentions.
pub fn combine(text: &str, rules: &Extraction, learned: &LearnedExtraction) -> Extraction {
    let mut mentions: Vec<Mention> = Vec::new();
    let mut of_learned: Vec<Option<usize>> = vec![None; learned.entities.len()];
    for (i, e) in learned.entities.iter().enumerate() {
        let overlapping = || rules.mentions.iter().filter(|m| m.span.overlaps(&e.span));
        let dataset = overlapping().any(|m| m.ctype == ConceptType::Dataset);
        let Some(ctype) = concept_type(e.label, dataset) else {
            continue;
        };
        let surface = e.span.slice(text);
        let (key, label) = match rules.mentions.iter().find(|m| m.span == e.span) {
            Some(m) => (m.key.clone(), m.label.clone()),
            None => {
                let key = rules
                    .acronyms
                    .iter()
                    .find(|a| a.short_text == surface)
                    .map_or_else(|| normalize_key(surface), |a| a.key.clone());
                (key, surface.to_string())
            }
        };
        if key.is_empty() {
            continue;
        }
        of_learned[i] = Some(mentions.len());
        mentions.push(Mention {
            span: e.span,
            key,
            label,
            ctype,
            confidence: e.score,
        });
    }
    for m in &rules.mentions {
        // an untyped rule term the heads passed over is more often no entity than a missed one
        if m.ctype != ConceptType::Other && !learned.entities.iter().any(|e| e.span.overlaps(&m.span)) {
            mentions.push(m.clone());
        }
    }
    let mut relations: Vec<Relation> = Vec::new();
    for r in &learned.relations {
        let (Some(a), Some(b)) = (of_learned[r.arg1], of_learned[r.arg2]) else {
            continue;
        };
        let (kind, arg1_is_head) = relation_kind(r.label);
        let (h, t) = if arg1_is_head { (a, b) } else { (b, a) };
        let (h, t) = (&mentions[h], &mentions[t]);
        relations.push(Relation {
            kind,
            head: h.key.clone(),
            tail: t.key.clone(),
            head_span: h.span,
            tail_span: t.span,
            span: Span::new(h.span.start.min(t.span.start), h.span.end.max(t.span.end)),
            confidence: r.score,
        });
    }
    let stated = |x: Span, y: Span, rels: &[Relation]| {
        rels.iter()
            .any(|r| (r.head_span == x && r.tail_span == y) || (r.head_span == y && r.tail_span == x))
    };
    let learned_relations = relations.len();
    for r in &rules.relations {
        let kept = |s: Span| mentions.iter().any(|m| m.span == s);
        if kept(r.head_span) && kept(r.tail_span) && !stated(r.head_span, r.tail_span, &relations[..learned_relations])
        {
            relations.push(r.clone());
        }
    }
    mentions.sort_by_key(|m| m.span);
    let claims = rules
        .claims
        .iter()
        .map(|c| {
            let mut concepts: Vec<String> = Vec::new();
            for m in mentions.iter().filter(|m| c.span.contains(&m.span)) {
                if !concepts.contains(&m.key) {
                    concepts.push(m.key.clone());
                }
            }
            Claim { concepts, ..c.clone() }
        })
        .collect();
    Extraction {
        mentions,
        acronyms: rules.acronyms.clone(),
        claims,
        results: rules.results.clone(),
        relations,
    }
}

/// `out = w · x + b`.
fn affine(w: &Array2<f32>, b: &[f32], x: &[f32], out: &mut [f32]) {
    let w = w.as_slice().expect("weights are contiguous");
    for (c, o) in out.iter_mut().enumerate() {
        *o = b[c]
            + w[c * x.len()..(c + 1) * x.len()]
                .iter()
                .zip(x)
                .map(|(w, x)| w * x)
                .sum::<f32>();
    }
}

/// The index of the largest logit and its softmax probability.
fn softmax_argmax(logits: &mut [f32]) -> (usize, f32) {
    let (best, max) = logits.iter().enumerate().fold(
        (0, f32::NEG_INFINITY),
        |acc, (i, &v)| if v > acc.1 { (i, v) } else { acc },
    );
    let sum: f32 = logits.iter().map(|v| (v - max).exp()).sum();
    (best, 1.0 / sum)
}

/// Windows of whole sentences of at most `max_words` words each (a longer sentence is a window
/// of its own), for texts longer than one passage: the learned extractor sees about as much text
/// at once as it does at ingest.
pub fn sentence_windows(text: &str, max_words: usize) -> Vec<Span> {
    let toks = text::tokenize(text);
    let sents = text::sentences(text, &toks);
    let mut out: Vec<(Span, usize)> = Vec::new();
    for s in sents {
        let words = s.last - s.first;
        match out.last_mut() {
            Some((span, n)) if *n + words <= max_words => {
                span.end = s.span.end;
                *n += words;
            }
            _ => out.push((s.span, words)),
        }
    }
    out.into_iter().map(|(s, _)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_heads_load() {
        let h = Heads::bundled();
        assert_eq!(h.dim(), 384);
        assert!(h.version().starts_with("scierc-heads"));
    }

    #[test]
    fn the_model_list_names_the_bundled_heads() {
        // A retrained file without a re-measured list would silently drop the variants.
        let h = Heads::bundled();
        assert!(
            !h.also.is_empty(),
            "scierc-heads-models.json names other heads than {}",
            h.version()
        );
        for m in &h.also {
            assert!(h.fits_model(&m.model_sha256));
            assert_eq!(m.model_sha256.len(), 64);
        }
        assert!(!h.fits_model(&"0".repeat(64)));
    }

    #[test]
    fn words_join_continued_pieces() {
        let s = TokenStates {
            offsets: vec![(0, 4), (4, 7), (8, 9), (9, 10)],
            continues: vec![false, true, false, false],
            dim: 1,
            states: vec![0.0; 4],
            truncated: false,
        };
        assert_eq!(s.words(), vec![(0, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn windows_pack_sentences() {
        let text = "One two three. Four five six. Seven eight.";
        let w = sentence_windows(text, 8);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].slice(text), "One two three. Four five six.");
        assert_eq!(w[1].slice(text), "Seven eight.");
    }

    fn entity(text: &str, surface: &str, label: EntityLabel, score: f32) -> LearnedEntity {
        let start = text.find(surface).unwrap();
        LearnedEntity {
            span: Span::new(start, start + surface.len()),
            label,
            score,
        }
    }

    #[test]
    fn learned_spans_and_types_win_and_generic_entities_are_no_concepts() {
        let text = "We apply long short-term memory (LSTM) to machine translation. This approach uses BLEU.";
        let rules = crate::extract(text, &crate::Lexicon::empty());
        let learned = LearnedExtraction {
            entities: vec![
                entity(text, "LSTM", EntityLabel::Method, 0.9),
                entity(text, "machine translation", EntityLabel::Task, 0.8),
                entity(text, "This approach", EntityLabel::Generic, 0.7),
                entity(text, "BLEU", EntityLabel::Metric, 0.95),
            ],
            relations: vec![
                LearnedRelation {
                    arg1: 0,
                    arg2: 1,
                    label: RelationLabel::UsedFor,
                    score: 0.6,
                },
                LearnedRelation {
                    arg1: 3,
                    arg2: 2,
                    label: RelationLabel::EvaluateFor,
                    score: 0.6,
                },
            ],
        };
        let both = combine(text, &rules, &learned);
        let lstm = both.mentions.iter().find(|m| m.span.slice(text) == "LSTM").unwrap();
        assert_eq!(lstm.ctype, ConceptType::Method);
        // the acronym resolves to its expansion's concept, as the rules resolve it
        let long = rules.acronyms.iter().find(|a| a.short_text == "LSTM").unwrap();
        assert_eq!(lstm.key, long.key);
        let mt = both
            .mentions
            .iter()
            .find(|m| m.span.slice(text) == "machine translation")
            .unwrap();
        assert_eq!(mt.ctype, ConceptType::Task);
        assert!(both.mentions.iter().all(|m| !m.span.slice(text).contains("approach")));
        // USED-FOR(LSTM, MT): machine translation uses LSTM; the relation to a generic entity is gone
        assert!(both
            .relations
            .iter()
            .any(|r| r.kind == RelationKind::Uses && r.head == mt.key && r.tail == lstm.key));
        assert!(!both.relations.iter().any(|r| r.kind == RelationKind::EvaluatedOn));
        for w in both.mentions.windows(2) {
            assert!(w[0].span.end <= w[1].span.start, "mentions never overlap");
        }
    }

    #[test]
    fn merged_windows_keep_the_more_probable_of_overlapping_entities() {
        let text = "neural machine translation systems";
        let a = LearnedExtraction {
            entities: vec![entity(text, "neural machine translation", EntityLabel::Task, 0.6)],
            relations: vec![],
        };
        let b = LearnedExtraction {
            entities: vec![
                entity(text, "machine translation systems", EntityLabel::Method, 0.9),
                entity(text, "neural", EntityLabel::OtherScientificTerm, 0.5),
            ],
            relations: vec![LearnedRelation {
                arg1: 1,
                arg2: 0,
                label: RelationLabel::FeatureOf,
                score: 0.5,
            }],
        };
        let m = LearnedExtraction::merge(vec![a, b]);
        let kept: Vec<&str> = m.entities.iter().map(|e| e.span.slice(text)).collect();
        assert_eq!(kept, ["neural", "machine translation systems"]);
        assert_eq!(m.relations.len(), 1);
        assert_eq!((m.relations[0].arg1, m.relations[0].arg2), (0, 1));
    }

    #[test]
    fn a_prefix_and_its_relations_are_dropped_and_the_rest_shifted() {
        let text = "Title words. Body method here";
        let x = LearnedExtraction {
            entities: vec![
                entity(text, "Title words", EntityLabel::Task, 0.9),
                entity(text, "Body method", EntityLabel::Method, 0.9),
            ],
            relations: vec![LearnedRelation {
                arg1: 1,
                arg2: 0,
                label: RelationLabel::UsedFor,
                score: 0.5,
            }],
        };
        let y = x.from_byte(13).shifted(100);
        assert_eq!(y.entities.len(), 1);
        assert_eq!(y.entities[0].span, Span::new(113, 124));
        assert!(y.relations.is_empty());
    }

    #[test]
    fn distance_buckets_cover_every_distance() {
        assert_eq!(distance_bucket(0), 0);
        assert_eq!(distance_bucket(6), 5);
        assert_eq!(distance_bucket(100), DISTANCE_BUCKETS - 1);
    }
}
