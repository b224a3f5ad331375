//! What goes into the store and comes out of it: papers and research records to write, stored
//! passages, search filters, open options, counts and the consistency report.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::vector::HnswParams;
use crate::common::ids::Base;
use crate::common::passages::Passage;

/// Everything the store needs to write one paper: prepared by the pipeline, journaled whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperDoc {
    /// The paper key (see [`ids::paper_key`]).
    pub key: String,
    /// The paper's IRI.
    pub iri: String,
    /// Title, indexed with every passage.
    pub title: String,
    /// Year, for filters.
    pub year: Option<i32>,
    /// Venue, for filters.
    pub venue: Option<String>,
    /// The passages in order.
    pub passages: Vec<Passage>,
    /// One embedding per passage, in the same order.
    pub vectors: Vec<Vec<f32>>,
    /// The paper's facts as N-Triples, for its named graph.
    pub ntriples: String,
    /// What the extractor found, as N-Triples, for the paper's extraction graph.
    pub extraction: String,
    /// Hash of the facts (also stored as `hyp:digest`): equal digests, identical paper.
    pub digest: String,
}

/// An agent-written record (hypothesis, experiment, status change) as the store writes it: the
/// nanopublication's named graphs, and for searchable records a document for the text and
/// vector indexes (its `ntriples` and `extraction` stay empty: the graphs carry the facts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResearchWrite {
    /// The record key ([`ids::RecordKind`]).
    pub key: String,
    /// Named graphs written whole, replacing any graph of the same name: (graph IRI, N-Triples).
    /// The publication-info graph (the record's visibility gate) is among them.
    pub graphs: Vec<(String, String)>,
    /// The text and vectors that make the record searchable beside papers.
    pub doc: Option<PaperDoc>,
}

/// A passage as the text index stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPassage {
    /// Passage key.
    pub key: String,
    /// Paper key.
    pub paper_key: String,
    /// Paper IRI.
    pub paper_iri: String,
    /// Section label.
    pub section: String,
    /// Position within the paper.
    pub ordinal: usize,
    /// Start offset in the paper's canonical text (characters).
    pub start: usize,
    /// End offset (exclusive, characters).
    pub end: usize,
    /// Hash of the text.
    pub hash: String,
    /// The exact text.
    pub text: String,
    /// The paper's year.
    pub year: Option<i32>,
    /// The paper's venue.
    pub venue: Option<String>,
    /// The paper's title.
    pub title: String,
    /// The version of the paper this passage was cut from: the paper's digest (`hyp:digest`)
    /// when it was written. A reader that finds another digest in the graph is looking at a
    /// passage of a version not (or no longer) visible. Empty in indexes that predate it.
    pub version: String,
}

impl StoredPassage {
    /// The passage as the segmenter made it.
    pub fn into_passage(self) -> Passage {
        Passage {
            key: self.key,
            ordinal: self.ordinal,
            section: self.section,
            text: self.text,
            start: self.start,
            end: self.end,
            hash: self.hash,
        }
    }
}

/// Restrictions on search hits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SearchFilter {
    /// Earliest year, inclusive.
    pub year_from: Option<i32>,
    /// Latest year, inclusive.
    pub year_to: Option<i32>,
    /// Only passages of this section label.
    pub section: Option<String>,
    /// Only papers of this venue (exact).
    pub venue: Option<String>,
}

impl SearchFilter {
    /// Whether a paper of this year passes the year bounds (papers without a year pass only
    /// when no bound is set).
    pub fn accepts_year(&self, year: Option<i32>) -> bool {
        match (year, self.year_from, self.year_to) {
            (_, None, None) => true,
            (None, _, _) => false,
            (Some(y), from, to) => from.is_none_or(|f| y >= f) && to.is_none_or(|t| y <= t),
        }
    }

    /// Whether filters that only the text index can apply are set.
    pub fn needs_text_fields(&self) -> bool {
        self.section.is_some() || self.venue.is_some()
    }

    /// Whether a stored passage passes every restriction.
    pub fn accepts(&self, p: &StoredPassage) -> bool {
        self.accepts_year(p.year)
            && self.section.as_ref().is_none_or(|s| &p.section == s)
            && self.venue.as_ref().is_none_or(|v| p.venue.as_ref() == Some(v))
    }
}

/// How to open a store.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Base IRI of local resources; must match the one the store was created with.
    pub base: Base,
    /// The embedding model in use (see [`Embedder::identity`]); `None` for uses that embed
    /// nothing (statistics, SPARQL, a server without the model), which take the stored one.
    /// A store refuses a model other than the one that made its vectors.
    ///
    /// [`Embedder::identity`]: crate::embed::Embedder::identity
    pub model: Option<crate::embed::ModelIdentity>,
    /// HNSW parameters.
    pub hnsw: HnswParams,
}

/// A stored paper as identity resolution sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIdentity {
    /// The paper's IRI.
    pub iri: String,
    /// The paper key.
    pub key: String,
    /// Its match keys.
    pub match_keys: Vec<String>,
    /// Length of its canonical text in bytes: how much text the stored record carries.
    pub text_len: usize,
    /// The format its text was read from (`hyp:sourceFormat`).
    pub source_format: String,
    /// Whether its text has a body beyond title and abstract.
    pub has_body: bool,
}

/// Counts of what the store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Stats {
    /// Papers (named paper graphs).
    pub papers: usize,
    /// Searchable agent records (hypotheses and experiments).
    pub records: usize,
    /// Passages in the text index.
    pub passages: usize,
    /// Live vectors.
    pub vectors: usize,
    /// Quads in the graph store.
    pub triples: usize,
}

/// Differences between the three indexes, for recovery checks and the torture harness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Consistency {
    /// Paper keys in the graph but not in the text index, or the reverse.
    pub text_vs_graph: Vec<String>,
    /// Passage keys in the text index but not in the vector index, or the reverse.
    pub text_vs_vector: Vec<String>,
    /// Passages of the text index that do not match their paper's graph: another version
    /// than the graph's digest, a text whose hash is not the stored one, or a quote that is
    /// not the canonical text at its offsets. A half-applied replacement shows here, where
    /// the key sets alone agree.
    pub text_vs_canonical: Vec<String>,
}

impl Consistency {
    /// Whether the three indexes agree.
    pub fn is_consistent(&self) -> bool {
        self.text_vs_graph.is_empty() && self.text_vs_vector.is_empty() && self.text_vs_canonical.is_empty()
    }
}
