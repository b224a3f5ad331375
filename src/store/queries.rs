//! The named SPARQL queries of `queries/`, embedded at build time, and the one way the code runs
//! them for rows of lexical values.

use std::collections::HashMap;

use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;

use crate::common::error::{Error, Result};
use crate::store::Store;

/// One row of a SELECT: variable name to lexical value (a literal's value, an IRI's string).
pub type Row = HashMap<String, String>;

/// Runs a named query with variables bound (over the store's own graphs, see
/// [`crate::store::graph::GraphStore::query_bound`]) and returns its rows.
pub fn select(store: &Store, query: &str, bindings: &[(&str, Term)]) -> Result<Vec<Row>> {
    rows(store.graph().query_bound(query, bindings)?)
}

/// The rows of a SELECT's results as lexical values.
pub fn rows(results: QueryResults<'_>) -> Result<Vec<Row>> {
    let QueryResults::Solutions(solutions) = results else {
        return Err(Error::graph("named query is not a SELECT"));
    };
    solutions
        .map(|s| {
            let s = s.map_err(Error::graph)?;
            Ok(s.iter().map(|(v, t)| (v.as_str().to_string(), lexical(t))).collect())
        })
        .collect()
}

/// Bibliographic record, canonical text and digest of one paper (`?paper`, `?g` bound).
pub const CITATION: &str = include_str!("../../queries/citation.rq");
/// Authors of one paper in byline order (`?paper`, `?g` bound).
pub const AUTHORS: &str = include_str!("../../queries/authors.rq");
/// The passages one paper's graph states, in order (`?paper`, `?g` bound).
pub const PASSAGES_OF: &str = include_str!("../../queries/passages_of.rq");
/// All facts of one paper's graph but its canonical text (`?g` bound).
pub const PAPER: &str = include_str!("../../queries/paper.rq");
/// Numbers of papers and passages.
pub const COUNT_PAPERS: &str = include_str!("../../queries/count_papers.rq");
/// Every paper's corpus id with its graph, for BEIR judgements.
pub const CORPUS_IDS: &str = include_str!("../../queries/corpus_ids.rq");

/// Methods most often studied with a task (`?task` bound).
pub const METHODS_FOR_TASK: &str = include_str!("../../queries/methods_for_task.rq");
/// Datasets a method was evaluated on (`?method` bound).
pub const DATASETS_OF_METHOD: &str = include_str!("../../queries/datasets_of_method.rq");
/// Claims about a concept with their quotes (`?concept` bound).
pub const CLAIMS_ABOUT: &str = include_str!("../../queries/claims_about.rq");

/// Claims standing in one passage (`?passage` bound).
pub const CLAIMS_IN_PASSAGE: &str = include_str!("../../queries/claims_in_passage.rq");

/// Every (paper, concept) pair of `hyp:mentionsConcept` (the gap finder reads the same pairs by a quad scan).
pub const GAP_CONCEPT_SETS: &str = include_str!("../../queries/gap_concept_sets.rq");
/// Every statement that a method was evaluated on a dataset or task.
pub const METHOD_EVALUATIONS: &str = include_str!("../../queries/method_evaluations.rq");
/// Every result tuple naming a method and a dataset or task: metric, value, unit and quote.
pub const METHOD_RESULTS: &str = include_str!("../../queries/method_results.rq");
/// Passages that may state future work, a limitation or an open question.
pub const OPEN_QUESTION_PASSAGES: &str = include_str!("../../queries/open_question_passages.rq");
/// Concepts with a preferred or alternative label, case aside (`?label` bound).
pub const CONCEPT_BY_LABEL: &str = include_str!("../../queries/concept_by_label.rq");

/// The preferred label of a concept (`?concept` bound).
pub const CONCEPT_LABELS: &str = include_str!("../../queries/concept_labels.rq");
/// Hypotheses with their status, newest first (`?h`, `?status`, `?agent` may be bound).
pub const HYPOTHESES: &str = include_str!("../../queries/hypotheses.rq");
/// What a hypothesis' evidence passages said when it was recorded (`?h` bound).
pub const HYPOTHESIS_EVIDENCE: &str = include_str!("../../queries/hypothesis_evidence.rq");
/// Status changes of a hypothesis, oldest first (`?h` bound).
pub const HYPOTHESIS_HISTORY: &str = include_str!("../../queries/hypothesis_history.rq");
/// Experiment runs, oldest first (`?e`, `?h`, `?status`, `?agent` may be bound).
pub const EXPERIMENTS: &str = include_str!("../../queries/experiments.rq");
/// Measurements, parameters and artefacts of a run (`?e` bound).
pub const EXPERIMENT_DETAILS: &str = include_str!("../../queries/experiment_details.rq");

/// Papers per year mentioning two concepts (`?a`, `?b` bound; or only `?a`).
pub const CONCEPT_COOCCURRENCE: &str = include_str!("../../queries/concept_cooccurrence.rq");

/// Every notice about a stored paper (retraction, correction…), met by match key.
pub const NOTICES: &str = include_str!("../../queries/notices.rq");
/// When each document became true and known (publication, record and status-change times).
pub const TIMELINE: &str = include_str!("../../queries/timeline.rq");

/// Derivation edges between hypotheses (refines, combines, contradicts).
pub const HYPOTHESIS_LINEAGE: &str = include_str!("../../queries/hypothesis_lineage.rq");
/// Pairwise comparisons of hypotheses in record-time order, for Elo ratings.
pub const COMPARISONS: &str = include_str!("../../queries/comparisons.rq");

/// What the extractor found in a paper, with spans (`?x`, its extraction graph, bound).
pub const PAPER_EXTRACTION: &str = include_str!("../../queries/paper_extraction.rq");
/// A paper's bibliography, resolved entries with the stored paper (`?paper`, `?g` bound).
pub const PAPER_REFERENCES: &str = include_str!("../../queries/paper_references.rq");
/// Stored papers that cite a paper (`?paper` bound).
pub const CITED_BY: &str = include_str!("../../queries/cited_by.rq");
/// Extracted concepts whose label contains `?q`, with their papers (`?q`, `?scheme` bound).
pub const CONCEPT_SEARCH: &str = include_str!("../../queries/concept_search.rq");
/// A concept's labels and types (a row per graph) and the papers that mention it (`?concept` bound).
pub const CONCEPT_FACTS: &str = include_str!("../../queries/concept_facts.rq");
/// The concepts mentioned with a concept, a row per paper and concept (`?concept` bound).
pub const CONCEPT_NEIGHBOURS: &str = include_str!("../../queries/concept_neighbours.rq");

/// Every named query with its file name, for the test that each has a case.
pub const ALL: [(&str, &str); 32] = [
    ("citation.rq", CITATION),
    ("passages_of.rq", PASSAGES_OF),
    ("authors.rq", AUTHORS),
    ("paper.rq", PAPER),
    ("count_papers.rq", COUNT_PAPERS),
    ("corpus_ids.rq", CORPUS_IDS),
    ("methods_for_task.rq", METHODS_FOR_TASK),
    ("datasets_of_method.rq", DATASETS_OF_METHOD),
    ("claims_about.rq", CLAIMS_ABOUT),
    ("claims_in_passage.rq", CLAIMS_IN_PASSAGE),
    ("gap_concept_sets.rq", GAP_CONCEPT_SETS),
    ("method_evaluations.rq", METHOD_EVALUATIONS),
    ("method_results.rq", METHOD_RESULTS),
    ("open_question_passages.rq", OPEN_QUESTION_PASSAGES),
    ("concept_by_label.rq", CONCEPT_BY_LABEL),
    ("concept_labels.rq", CONCEPT_LABELS),
    ("hypotheses.rq", HYPOTHESES),
    ("hypothesis_history.rq", HYPOTHESIS_HISTORY),
    ("hypothesis_evidence.rq", HYPOTHESIS_EVIDENCE),
    ("experiments.rq", EXPERIMENTS),
    ("experiment_details.rq", EXPERIMENT_DETAILS),
    ("concept_cooccurrence.rq", CONCEPT_COOCCURRENCE),
    ("notices.rq", NOTICES),
    ("timeline.rq", TIMELINE),
    ("hypothesis_lineage.rq", HYPOTHESIS_LINEAGE),
    ("comparisons.rq", COMPARISONS),
    ("paper_extraction.rq", PAPER_EXTRACTION),
    ("paper_references.rq", PAPER_REFERENCES),
    ("cited_by.rq", CITED_BY),
    ("concept_search.rq", CONCEPT_SEARCH),
    ("concept_facts.rq", CONCEPT_FACTS),
    ("concept_neighbours.rq", CONCEPT_NEIGHBOURS),
];

/// A named query as the server lists it (`GET /queries`): its file name without `.rq`, what
/// its leading `#` comment says, its text, and the variables callers bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedQuery {
    /// The file name without `.rq`.
    pub name: &'static str,
    /// The file's leading `#` comment lines, as one paragraph.
    pub description: String,
    /// The SPARQL text, comment included.
    pub text: &'static str,
    /// The variables the description says are bound (or may be bound), in the order it names
    /// them: the sentences of the comment that speak of binding (`Bound: ?paper, ?g.`, `Bind ?h
    /// for one hypothesis; ?status or ?agent to filter.`), their `?variables`.
    pub parameters: Vec<String>,
}

/// Every named query of [`ALL`], described from its own file, in file-name order.
pub fn catalogue() -> Vec<NamedQuery> {
    let mut all: Vec<NamedQuery> = ALL
        .iter()
        .map(|(file, text)| {
            let description = description(text);
            NamedQuery {
                name: file.strip_suffix(".rq").unwrap_or(file),
                parameters: parameters(&description),
                description,
                text,
            }
        })
        .collect();
    all.sort_by_key(|q| q.name);
    all
}

/// The leading `#` comment lines of a query, joined into one paragraph.
fn description(text: &str) -> String {
    text.lines()
        .map_while(|l| l.trim_start().strip_prefix('#'))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `?variables` of the sentences of `description` that speak of binding.
fn parameters(description: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sentence in description.split(". ") {
        let lower = sentence.to_lowercase();
        if !(lower.contains("bound") || lower.contains("bind")) {
            continue;
        }
        for (i, _) in sentence.match_indices('?') {
            let name: String = sentence[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The lexical form of a literal, or the IRI of a named node.
pub fn lexical(t: &Term) -> String {
    match t {
        Term::Literal(l) => l.value().to_string(),
        Term::NamedNode(n) => n.as_str().to_string(),
        other => other.to_string(),
    }
}
