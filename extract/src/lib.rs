//! Local, deterministic knowledge extraction from scientific text.
//!
//! From a passage (a title, an abstract, a body paragraph) and a corpus-level [`Lexicon`],
//! [`extract`] finds:
//! - concept mentions ([`Mention`]): multi-word terms scored over the whole corpus (C-value),
//!   acronyms merged with their expansions, variants collapsed by [`normalize_key`], each typed
//!   ([`ConceptType`]) with a confidence. Words that are no concept on their own (numbers,
//!   "Table", "dataset", "results", "males", "predicting", adjectives) are never reported alone,
//!   only inside longer terms ("Penn Treebank dataset"); a type needs evidence (a head word, a
//!   cue, the corpus), else it is `Other`, and a field ("natural language processing") is never a
//!   method;
//! - acronym definitions ([`AcronymDef`]) such as "long short-term memory (LSTM)";
//! - claims ([`Claim`]): sentences stating a finding, with negation and hedging;
//! - results ([`ResultTuple`]): (method, dataset, metric, value, unit) from text like
//!   "achieves 92.3% accuracy on X" or "F1 = 0.87";
//! - relations between concepts ([`Relation`]): uses, evaluated-on, compared-with, improves-on,
//!   part-of, feature-of, broader (Hearst patterns), conjunction; constrained by the types of
//!   their ends (evaluated-on from a method to a dataset or task, uses from a method or task to a
//!   method, material or dataset, comparisons between comparable things).
//!
//! Every item carries a byte [`Span`] into the passage such that `&text[span.start..span.end]` is
//! exactly the mention or sentence (always on `char` boundaries). Extraction is linear in the text
//! (no regular expressions, bounded windows) and allocation-light: thousands of passages per second
//! on one core.
//!
//! The corpus step: feed every text to a [`LexiconBuilder`], then [`LexiconBuilder::build`]. A
//! [`Lexicon`] is serialisable, so that a store can persist it; [`Lexicon::empty`] still finds
//! acronyms, cue-typed phrases, claims, results and relations.
//!
//! [`eval`] scores the extractor on SciERC and SemEval-2018 task 7 from file contents.

mod acronym;
mod chunk;
mod claims;
pub mod eval;
pub mod learned;
mod lexicon;
mod normalize;
mod relations;
mod results;
pub mod tables;
pub mod text;
mod typing;
mod words;

use serde::{Deserialize, Serialize};

pub use claims::is_negation;
pub use lexicon::{Lexicon, LexiconBuilder, Term};
pub use normalize::normalize_key;

/// Name of this extractor, for provenance (PROV-O `prov:wasGeneratedBy`).
pub const EXTRACTOR_NAME: &str = "hypatia-extract";
/// Version of the extraction rules; changes whenever an output may change.
pub const EXTRACTOR_VERSION: &str = "0.2.0";

/// A byte range `[start, end)` into the passage text, on `char` boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from its bounds.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The text it covers.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `other` lies inside this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// The kind of a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConceptType {
    /// A method, model, algorithm, architecture or tool.
    Method,
    /// A task or problem.
    Task,
    /// A named dataset, corpus or benchmark.
    Dataset,
    /// An evaluation metric.
    Metric,
    /// Material: data, text, images, languages, samples.
    Material,
    /// Anything else, or no evidence.
    Other,
}

impl ConceptType {
    /// All types, in a fixed order.
    pub const ALL: [ConceptType; 6] = [
        ConceptType::Method,
        ConceptType::Task,
        ConceptType::Dataset,
        ConceptType::Metric,
        ConceptType::Material,
        ConceptType::Other,
    ];

    /// Lower-case name (`method`, `task`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            ConceptType::Method => "method",
            ConceptType::Task => "task",
            ConceptType::Dataset => "dataset",
            ConceptType::Metric => "metric",
            ConceptType::Material => "material",
            ConceptType::Other => "other",
        }
    }

    fn index(&self) -> usize {
        match self {
            ConceptType::Method => 0,
            ConceptType::Task => 1,
            ConceptType::Dataset => 2,
            ConceptType::Metric => 3,
            ConceptType::Material => 4,
            ConceptType::Other => 5,
        }
    }
}

/// A mention of a concept in the passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Where it is.
    pub span: Span,
    /// The concept key ([`normalize_key`] of the preferred form; acronyms resolve to their
    /// expansion's key).
    pub key: String,
    /// The concept's preferred label (from the lexicon, else the mention text).
    pub label: String,
    /// Its type.
    pub ctype: ConceptType,
    /// Confidence in the type, in `[0, 1]` (0 for `Other` without evidence).
    pub confidence: f32,
}

/// An acronym defined in the passage: "long short-term memory (LSTM)".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcronymDef {
    /// The short form's span ("LSTM").
    pub short: Span,
    /// The long form's span ("long short-term memory").
    pub long: Span,
    /// The short form's text.
    pub short_text: String,
    /// The long form's text.
    pub long_text: String,
    /// The concept key both resolve to (the long form's key).
    pub key: String,
}

/// Whether a claim asserts or denies its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// The finding holds ("X improves Y").
    Positive,
    /// The finding is denied ("X does not improve Y", "no association").
    Negative,
}

impl Polarity {
    /// `supports` or `negative`, for the graph.
    pub fn as_str(&self) -> &'static str {
        match self {
            Polarity::Positive => "supports",
            Polarity::Negative => "negative",
        }
    }
}

/// A sentence stating a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The whole sentence.
    pub span: Span,
    /// Asserted or denied.
    pub polarity: Polarity,
    /// True when hedged ("may", "suggest", "likely").
    pub hedged: bool,
    /// The cue that made it a claim, lower case ("we show", "outperforms", "associated with").
    pub cue: String,
    /// Keys of the concepts mentioned in the sentence, in order, without repeats.
    pub concepts: Vec<String>,
}

/// A reported number: method, dataset or task, metric, value and unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultTuple {
    /// From the first to the last part of the statement (metric, value, unit, dataset).
    pub span: Span,
    /// Concept key of the method the number belongs to, when the sentence says.
    pub method: Option<String>,
    /// Concept key of the dataset or task it was measured on, when the sentence says.
    pub dataset: Option<String>,
    /// The metric as written ("accuracy", "BLEU", "F1").
    pub metric: String,
    /// The value as written, parsed (92.3 for "92.3%").
    pub value: f64,
    /// `%`, `points` or none.
    pub unit: Option<String>,
}

/// The kind of a relation between two concepts (`head` kind `tail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationKind {
    /// The head uses the tail ("X based on Y", "Y for X" gives X uses Y).
    Uses,
    /// The head (a method) is evaluated on the tail (a dataset or a task).
    EvaluatedOn,
    /// The head is compared with the tail.
    ComparedWith,
    /// The head improves on (outperforms) the tail.
    ImprovesOn,
    /// The head is part of the tail.
    PartOf,
    /// The head is a feature or property of the tail.
    FeatureOf,
    /// The head is narrower than the tail ("X such as Y": Y broader X); SKOS `broader`.
    Broader,
    /// The head and the tail are coordinated ("X and Y").
    Conjunction,
}

impl RelationKind {
    /// Kebab-case name (`uses`, `evaluated-on`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            RelationKind::Uses => "uses",
            RelationKind::EvaluatedOn => "evaluated-on",
            RelationKind::ComparedWith => "compared-with",
            RelationKind::ImprovesOn => "improves-on",
            RelationKind::PartOf => "part-of",
            RelationKind::FeatureOf => "feature-of",
            RelationKind::Broader => "broader",
            RelationKind::Conjunction => "conjunction",
        }
    }
}

/// A relation between two mentioned concepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// Kind.
    pub kind: RelationKind,
    /// Concept key of the head.
    pub head: String,
    /// Concept key of the tail.
    pub tail: String,
    /// Span of the head mention.
    pub head_span: Span,
    /// Span of the tail mention.
    pub tail_span: Span,
    /// From the first to the last of the two mentions (the evidence).
    pub span: Span,
    /// Confidence of the pattern, in `[0, 1]`.
    pub confidence: f32,
}

/// Everything found in one passage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// Concept mentions, sorted by start, never overlapping.
    pub mentions: Vec<Mention>,
    /// Acronyms defined in the passage.
    pub acronyms: Vec<AcronymDef>,
    /// Claims.
    pub claims: Vec<Claim>,
    /// Results.
    pub results: Vec<ResultTuple>,
    /// Relations.
    pub relations: Vec<Relation>,
}

impl Extraction {
    /// Unordered pairs of distinct concept keys mentioned together in this passage, each once,
    /// `(a, b)` with `a < b`. Callers aggregate them (per year, per corpus) into co-occurrence counts.
    pub fn cooccurrences(&self) -> Vec<(String, String)> {
        cooccurrences(&self.mentions)
    }
}

/// Unordered pairs of distinct keys among `mentions`, each once, `(a, b)` with `a < b`.
pub fn cooccurrences(mentions: &[Mention]) -> Vec<(String, String)> {
    let mut keys: Vec<&str> = mentions.iter().map(|m| m.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    // bounded: a passage with very many concepts would give a quadratic number of pairs
    keys.truncate(64);
    let mut out = Vec::with_capacity(keys.len() * keys.len().saturating_sub(1) / 2);
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            out.push(((*a).to_string(), (*b).to_string()));
        }
    }
    out
}

/// How much [`extract_with`] reports as concept mentions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Report every noun-phrase chunk as a mention (typed `Other` without evidence), not only
    /// lexicon terms, acronyms and cue-typed phrases. Higher recall, much lower precision; meant
    /// for evaluation against exhaustive annotations such as SciERC.
    pub all_noun_phrases: bool,
}

/// Extracts concepts, acronyms, claims, results and relations from one passage.
pub fn extract(text: &str, lexicon: &Lexicon) -> Extraction {
    extract_with(text, lexicon, Options::default())
}

/// [`extract`] with options.
pub fn extract_with(text: &str, lexicon: &Lexicon, options: Options) -> Extraction {
    let tokens = text::tokenize(text);
    let lowers = chunk::lowers(text, &tokens);
    let sentences = text::sentences(text, &tokens);
    let mut out = Extraction::default();
    for sentence in &sentences {
        let acronyms = acronym::definitions(text, &tokens, sentence);
        out.acronyms.extend(acronyms);
    }
    for sentence in &sentences {
        let start = out.mentions.len();
        lexicon::mentions(
            text,
            &tokens,
            &lowers,
            sentence,
            lexicon,
            &out.acronyms,
            options,
            &mut out.mentions,
        );
        let mentions = &out.mentions[start..];
        if let Some(c) = claims::claim(&lowers, sentence, mentions) {
            out.claims.push(c);
        }
        results::results(text, &tokens, &lowers, sentence, mentions, &mut out.results);
        relations::relations(text, &tokens, &lowers, sentence, mentions, &mut out.relations);
    }
    out
}
