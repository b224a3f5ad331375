//! The gap finder: what the literature in the store has not done yet, each gap with a kind, a
//! score, an explanation and the passages behind it, computable "as of year T" (only papers with
//! `hyp:year <= T` count; papers without a year then count not at all).
//!
//! Four kinds:
//! - **Missing links** (Swanson's ABC model as link prediction): concepts A and C that no paper
//!   mentions together but that share neighbours B in the concept co-occurrence graph.
//! - **Untested combinations**: a method never evaluated on, used for, nor mentioned with a
//!   dataset or task that methods similar to it were evaluated on or used for, by extracted
//!   statements.
//! - **Open questions**: future-work and limitation sentences that no later paper answers with
//!   claims about the same concepts.
//! - **Contested claims**: claims about the same pair of specific concepts with opposite
//!   `hyp:polarity` from different papers, and results of different papers for the same
//!   specific method, dataset and metric whose values disagree ([`numeric_conflicts`]: metric
//!   names normalised, values put on one scale, differences and bounds left out).
//!
//! ## The co-occurrence graph
//!
//! Nodes are the extracted concepts typed Method, Task, Dataset, Metric or Material (untyped
//! `hyp:OtherConcept`s are mostly generic words) that at least [`MIN_PAPERS`] counted papers
//! mention; a concept the caller filters on is a node whenever one paper mentions it. Each counted
//! paper links every pair of its node concepts, keeping at most [`MAX_CONCEPTS_PER_PAPER`] of them
//! (those most papers mention, ties by IRI) so that one long paper costs at most 40·39/2 edges.
//! Edges carry the number of papers and the year of the first one. Loading is one scan of the
//! `hyp:mentionsConcept` quads (the pairs `queries/gap_concept_sets.rq` lists, O(papers ×
//! concepts); after writes, only the written papers are read again, and the ranking of missing
//! links is brought up to date from the nodes the writes changed, see `ranking.rs`) plus indexed lookups of the
//! types of the concepts at least two papers mention and of the labels of the concepts a gap names;
//! building is O(P·m²) for P papers of at most m node concepts. Mentions, claim quotes and
//! labels are read by indexed quad lookups, not bound SPARQL: oxigraph plans a query before it
//! sees the bound values and would scan.
//!
//! ## Missing-link score
//!
//! Candidates are unconnected pairs (A, C) within two hops (at least one common neighbour);
//! enumerating them costs O(Σ_B deg(B)²) with dense accumulators, which bounds the work to
//! what the graph's hubs make it. For each pair, with Γ(X) the neighbours of X and T the
//! reference year (`as_of`, or the newest counted paper's year):
//! - common neighbours CN = |Γ(A) ∩ Γ(C)|,
//! - Adamic–Adar AA = Σ_{B ∈ Γ(A) ∩ Γ(C)} 1 / ln deg(B),
//! - resource allocation RA = Σ_B 1 / deg(B),
//! - preferential attachment PA = deg(A) · deg(C),
//! - recency r(X) = share of X's papers from the last [`RECENT_YEARS`] years up to T,
//! - growth g(X) = share of X's neighbours first linked to it in those years,
//!
//! and the served score is [`LinkScore::SERVED`], a logistic model over these and a few more
//! features of the pair (paper counts, Salton, degree gap, type indicators; see
//! [`LinkModel`]) trained on an earlier slice of the ACL Anthology than it was chosen and
//! reported on. Only pairs whose types a researcher acts on ([`actionable`]: a method for a
//! task, on a dataset, two methods...) and that share a neighbour are listed: a missing link is
//! named by its bridges. [`evaluate_link_prediction`] measures it against the links that papers
//! of the few years after T make, beside the closed-form [`LinkScore`]s and the usual baselines,
//! on all, actionable and specific pairs; the README has the figures, and how the served score
//! was chosen (on the 2012 cut, reported on later ones).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
pub use crate::common::work::Step;
use crate::common::work::Watch;
use crate::store::Store;

mod contested_claims;
mod context;
mod corpus;
mod evaluation;
mod graph;
mod link_model;
mod missing_links;
mod numeric_conflicts;
mod open_questions;
mod rank;
mod ranking;
mod reads;
mod text;
mod untested_combinations;

pub use evaluation::{
    auc, evaluate_link_prediction, fit_link_model, LinkEval, LinkEvalConfig, LinkFit, PrecisionAt, RankerEval,
    StratumEval, AUC_NEGATIVES,
};
pub use graph::{
    generic_above, link_scores, LinkScore, LinkScores, GENERIC_MIN_PAPERS, GENERIC_SHARE, MAX_CONCEPTS_PER_PAPER,
    MIN_PAPERS, RECENT_YEARS,
};
pub use link_model::{actionable, LinkModel, FEATURES};
pub use numeric_conflicts::{MIN_POINTS_GAP, MIN_RELATIVE_GAP};
pub use untested_combinations::SIMILAR_METHODS;

use contested_claims::contested_claims;
use context::{Ctx, Kept};
use corpus::Corpus;
use missing_links::missing_links;
use open_questions::open_questions;
use untested_combinations::untested_combinations;

/// What a cancelled gap search says stopped.
const SEARCH: &str = "the gap search";

/// Most evidence items per gap.
pub const MAX_EVIDENCE: usize = 5;

/// What to look for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapQuery {
    /// One kind, or all of them (then up to `limit` of each).
    pub kind: Option<GapKind>,
    /// A concept IRI or label: only gaps touching that concept.
    pub concept: Option<String>,
    /// Only papers with a year up to this one count.
    pub as_of: Option<i32>,
    /// Most gaps (of each kind).
    pub limit: usize,
}

impl Default for GapQuery {
    fn default() -> Self {
        GapQuery {
            kind: None,
            concept: None,
            as_of: None,
            limit: 20,
        }
    }
}

/// The kinds of gaps.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// Two concepts never mentioned together but linked through others.
    MissingLink,
    /// A method never evaluated on a dataset or task that similar methods were.
    UntestedCombination,
    /// A future-work or limitation statement no later paper addresses.
    OpenQuestion,
    /// Claims about a pair of specific concepts with opposite polarity, or results for one
    /// method, dataset and metric whose values disagree (feature `numeric_conflict` = 1).
    ContestedClaim,
}

impl GapKind {
    /// Every kind, in the order [`find_gaps`] returns them.
    pub const ALL: [GapKind; 4] = [
        GapKind::MissingLink,
        GapKind::UntestedCombination,
        GapKind::OpenQuestion,
        GapKind::ContestedClaim,
    ];

    /// The kind's name as it appears in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::MissingLink => "missing_link",
            GapKind::UntestedCombination => "untested_combination",
            GapKind::OpenQuestion => "open_question",
            GapKind::ContestedClaim => "contested_claim",
        }
    }
}

impl std::str::FromStr for GapKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        GapKind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm || k.as_str().trim_end_matches('s') == norm.trim_end_matches('s'))
            .ok_or_else(|| {
                Error::invalid(
                    "kind",
                    format!("`{s}`: expected missing_link, untested_combination, open_question or contested_claim"),
                )
            })
    }
}

/// A concept a gap is about.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConceptRef {
    /// The concept's IRI.
    pub iri: String,
    /// Its preferred label.
    pub label: String,
    /// Method, Task, Dataset, Metric, Material or OtherConcept.
    pub ctype: String,
}

/// A verbatim span behind a gap.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Evidence {
    /// The paper's IRI.
    pub paper: String,
    /// The passage the span stands in.
    pub passage: String,
    /// The exact text: `canonical_text[start..end]` in characters.
    pub quote: String,
    /// Start in the paper's canonical text, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The paper's year, when known.
    pub year: Option<i32>,
    /// What the span shows ("A–B co-occurrence", "supports", "open question", ...).
    pub role: String,
}

/// One gap.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Gap {
    /// Its kind.
    pub kind: GapKind,
    /// Higher is a stronger gap; comparable within a kind only.
    pub score: f64,
    /// One or two sentences a person or an agent can act on.
    pub explanation: String,
    /// The concepts it is about (for missing links: A, C, then the strongest bridges).
    pub concepts: Vec<ConceptRef>,
    /// At most [`MAX_EVIDENCE`] verbatim spans.
    pub evidence: Vec<Evidence>,
    /// The numbers the score is made of.
    pub features: BTreeMap<String, f64>,
}

/// Finds gaps: up to `q.limit` of the asked kind, or of each kind, best first (kinds in the
/// order of [`GapKind::ALL`]). Deterministic: the same store and query give the same gaps.
pub fn find_gaps(store: &Store, q: &GapQuery) -> Result<Vec<Gap>> {
    find_gaps_watched(store, q, &mut Watch::none())
}

/// [`find_gaps`], reporting a [`Step`] after loading the corpus and after each kind (a long
/// search on a large store can take tens of seconds), and stopping with
/// [`Cancelled`](crate::common::error::UserError::Cancelled) at the watch's next check once it
/// is cancelled: before each kind, per source concept of the missing-link candidates, and per
/// candidate of the other kinds. What a cancelled search found is not kept.
pub fn find_gaps_watched(store: &Store, q: &GapQuery, watch: &mut Watch<'_>) -> Result<Vec<Gap>> {
    if q.limit == 0 {
        return Err(Error::invalid("limit", "must be at least 1"));
    }
    let kept = Kept::of(store)?;
    let corpus = Corpus::with_data(store, kept.corpus.clone());
    let focus = match &q.concept {
        Some(c) => Some(corpus.resolve(store, c)?),
        None => None,
    };
    let graph = kept.graph_cell(q.as_of, focus.as_ref());
    let kinds: Vec<GapKind> = match q.kind {
        Some(k) => vec![k],
        None => GapKind::ALL.to_vec(),
    };
    let total = 1 + kinds.len();
    watch.step(1, total, "loaded the concepts of the papers");
    let cancel = watch.cancel.clone();
    let done = std::sync::atomic::AtomicUsize::new(1);
    let watch = std::sync::Mutex::new(watch);
    // The kinds of one group, in order, with a context of their own (contexts cache reads
    // per thread; the graph, claims and rows are shared through `kept` and `graph`).
    let search = |group: &[GapKind]| -> Result<Vec<(GapKind, Vec<Gap>)>> {
        let mut ctx = Ctx::new(
            store,
            &corpus,
            kept.clone(),
            q.as_of,
            focus.clone(),
            graph.clone(),
            cancel.clone(),
        );
        let mut out = Vec::new();
        for &kind in group {
            cancel.check(SEARCH)?;
            // Without a concept filter, what an earlier call found is kept until the next write.
            let key = (kind, q.as_of, q.limit);
            let found = match q.concept {
                None => kept.found(&key),
                Some(_) => None,
            };
            let gaps = match found {
                Some(gaps) => gaps.as_ref().clone(),
                None => {
                    let gaps = match kind {
                        GapKind::MissingLink => missing_links(&mut ctx, q.limit)?,
                        GapKind::UntestedCombination => untested_combinations(&mut ctx, q.limit)?,
                        GapKind::OpenQuestion => open_questions(&mut ctx, q.limit)?,
                        GapKind::ContestedClaim => contested_claims(&mut ctx, q.limit)?,
                    };
                    if q.concept.is_none() {
                        kept.keep_found(key, gaps.clone());
                    }
                    gaps
                }
            };
            let n = done.fetch_add(1, std::sync::atomic::Ordering::AcqRel) + 1;
            let mut w = watch.lock().unwrap_or_else(|e| e.into_inner());
            w.step(n, total, format!("{}: {} found", kind.as_str(), gaps.len()));
            out.push((kind, gaps));
        }
        Ok(out)
    };
    // Missing links (most of the work: the graph, its ranking, the quotes) on one thread, the
    // other kinds on another, those that need no graph first; one thread where there is one.
    let (links, others): (Vec<GapKind>, Vec<GapKind>) = kinds.iter().partition(|&&k| k == GapKind::MissingLink);
    let parallel =
        !links.is_empty() && !others.is_empty() && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let mut found = if parallel {
        let mut others = others;
        others.sort_by_key(|&k| k != GapKind::OpenQuestion);
        std::thread::scope(|s| {
            let t = s.spawn(|| search(&others));
            let mine = search(&links);
            let theirs = t.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            let mut all = mine?;
            all.extend(theirs?);
            Ok::<_, Error>(all)
        })?
    } else {
        search(&kinds)?
    };
    found.sort_by_key(|(k, _)| kinds.iter().position(|x| x == k));
    Ok(found.into_iter().flat_map(|(_, gaps)| gaps).collect())
}

#[cfg(test)]
mod tests {
    use super::open_questions::cue_weight;
    use super::text::Text;
    use super::*;

    #[test]
    fn sentences_are_cut_at_ends_not_at_abbreviations() {
        let t = Text::new("We use BERT, e.g. on SQuAD. It works well! Future work: more data.\nNext".into());
        let s: Vec<&str> = t
            .sentences(0, t.chars.len())
            .into_iter()
            .map(|(a, b)| t.slice(a, b).unwrap())
            .collect();
        assert_eq!(
            s,
            vec![
                "We use BERT, e.g. on SQuAD.",
                "It works well!",
                "Future work: more data.",
                "Next"
            ]
        );
        let at = t.text.find("SQuAD").unwrap();
        let (a, b) = t.sentence_around(at, at + 5);
        assert_eq!(t.slice(a, b), Some("We use BERT, e.g. on SQuAD."));
        assert_eq!(cue_weight("Discussion", "Future work: more data."), 1.0);
        assert_eq!(cue_weight("Conclusions and Future Work", "We will add data."), 0.6);
        assert_eq!(cue_weight("Results", "We will add data."), 0.0);
        assert_eq!("contested-claims".parse::<GapKind>().unwrap(), GapKind::ContestedClaim);
    }
}
