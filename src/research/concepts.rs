//! The concept explorer's reads: extracted concepts found by label, and one concept's
//! neighbourhood in the co-occurrence graph as of a year (its papers, the concepts they mention
//! with it and how often, its type).
//!
//! Everything is read through named queries (`queries/concept_search.rq`, `concept_facts.rq`,
//! `concept_neighbours.rq`), and counted the way the gap finder counts: a paper counts as of T
//! when its publication year is T or earlier (undated papers count only without T), and a paper
//! retracted by T adds no co-occurrence. A concept's type is a vote over the extraction graphs
//! that describe it (a paper that mentions it without typing it votes for OtherConcept).
//! Unlike the gap finder's graph, every co-occurring concept is a neighbour, whatever its type
//! and however few its papers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxigraph::model::{Literal, NamedNode, Term};
use serde::Serialize;
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
use crate::common::ids;
use crate::ingest::extraction::{type_class, type_of_iri};
use crate::store::queries::{self, select};
use crate::store::Store;
use hypatia_extract::ConceptType;

/// Most concepts `GET /concepts` returns.
pub const MAX_MATCHES: usize = 50;
/// Most neighbours one concept view returns.
pub const MAX_NEIGHBOURS: usize = 100;
/// Most papers one concept view lists (newest first; `paper_count` counts them all).
pub const MAX_PAPERS: usize = 100;
/// Longest text `GET /concepts` looks for, in characters.
pub const MAX_QUERY: usize = 200;

/// An extracted concept whose label matched a look-up.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConceptMatch {
    /// The concept's IRI.
    pub iri: String,
    /// Its key: the last segment of its IRI, which `GET /concepts/{id}` takes.
    pub key: String,
    /// Its preferred label (the one most extraction graphs give).
    pub label: String,
    /// The label that matched (preferred or alternative).
    pub matched: String,
    /// Method, Task, Dataset, Metric, Material or OtherConcept.
    pub ctype: String,
    /// Papers that mention it.
    pub papers: usize,
}

/// A span of publication years.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct YearSpan {
    /// The earliest.
    pub first: i32,
    /// The latest.
    pub last: i32,
}

/// A paper that mentions a concept.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConceptPaper {
    /// The paper's key (`GET /papers/{id}`).
    pub key: String,
    /// Its IRI.
    pub iri: String,
    /// Its title, when known.
    pub title: Option<String>,
    /// Its publication year, when known.
    pub year: Option<i32>,
    /// Whether it is retracted as of `as_of` (then it adds no co-occurrence).
    pub retracted: bool,
}

/// A concept mentioned together with another.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConceptNeighbour {
    /// The concept's IRI.
    pub iri: String,
    /// Its key.
    pub key: String,
    /// Its preferred label.
    pub label: String,
    /// Method, Task, Dataset, Metric, Material or OtherConcept.
    pub ctype: String,
    /// Papers (as of `as_of`, not retracted) that mention both: the edge's weight.
    pub weight: usize,
    /// Papers (as of `as_of`) that mention it.
    pub papers: usize,
}

/// Two neighbours of a concept mentioned together by some of its papers.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConceptLink {
    /// One neighbour's IRI.
    pub a: String,
    /// The other's (`a` < `b`).
    pub b: String,
    /// Papers of the concept (as of `as_of`, not retracted) that mention all three.
    pub weight: usize,
}

/// A concept and its neighbourhood in the co-occurrence graph as of a year.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConceptView {
    /// The concept's IRI.
    pub iri: String,
    /// Its key.
    pub key: String,
    /// Its preferred label.
    pub label: String,
    /// Its alternative labels (acronyms, other spellings).
    pub alt_labels: Vec<String>,
    /// Method, Task, Dataset, Metric, Material or OtherConcept.
    pub ctype: String,
    /// The year the view is cut at (its end), when asked for.
    pub as_of: Option<i32>,
    /// The publication years of the papers that mention it, all of them (what a year slider
    /// spans); absent when none is dated.
    pub years: Option<YearSpan>,
    /// Papers that mention it as of `as_of`.
    pub paper_count: usize,
    /// Of every paper that mentions it, those without a publication year (left out as of any
    /// year).
    pub undated: usize,
    /// The papers, newest first, at most 100.
    pub papers: Vec<ConceptPaper>,
    /// Concepts mentioned with it as of `as_of`.
    pub neighbour_count: usize,
    /// The neighbours, heaviest edge first, at most `limit`.
    pub neighbours: Vec<ConceptNeighbour>,
    /// The edges among those neighbours within the concept's papers.
    pub links: Vec<ConceptLink>,
}

/// What one concept's rows of `concept_facts.rq` say.
struct Facts {
    labels: BTreeMap<String, u32>,
    alt: BTreeSet<String>,
    types: BTreeMap<ConceptType, u32>,
    /// Paper IRI to (year, title).
    papers: BTreeMap<String, (Option<i32>, Option<String>)>,
}

impl Facts {
    fn read(store: &Store, iri: &str) -> Result<Facts> {
        let mut f = Facts {
            labels: BTreeMap::new(),
            alt: BTreeSet::new(),
            types: BTreeMap::new(),
            papers: BTreeMap::new(),
        };
        let Ok(node) = NamedNode::new(iri) else {
            return Ok(f);
        };
        for row in select(store, queries::CONCEPT_FACTS, &[("concept", node.into())])? {
            if let Some(l) = row.get("label") {
                *f.labels.entry(l.clone()).or_default() += 1;
            } else if let Some(a) = row.get("alt") {
                f.alt.insert(a.clone());
            } else if let Some(t) = row.get("type") {
                *f.types.entry(type_of_iri(t)).or_default() += 1;
            } else if let Some(p) = row.get("paper") {
                let e = f.papers.entry(p.clone()).or_default();
                if let Some(y) = row.get("year").and_then(|y| y.parse().ok()) {
                    e.0 = Some(y);
                }
                if e.1.is_none() {
                    e.1 = row.get("title").cloned();
                }
            }
        }
        Ok(f)
    }

    /// The label most graphs give (ties: the smallest), or the IRI's last segment.
    fn label(&self, iri: &str) -> String {
        self.labels
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(l, _)| l.clone())
            .unwrap_or_else(|| key_of(iri))
    }

    /// The type most votes give: each typing graph votes for its type, each other paper for
    /// OtherConcept; ties go to a typed kind (as the gap finder decides).
    fn ctype(&self) -> &'static str {
        let mut votes = self.types.clone();
        let typed: u32 = votes.values().sum();
        *votes.entry(ConceptType::Other).or_default() += (self.papers.len() as u32).saturating_sub(typed);
        let t = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(t, _)| *t)
            .unwrap_or(ConceptType::Other);
        type_class(t)
    }
}

/// A concept's key: its IRI's last path segment.
pub fn key_of(iri: &str) -> String {
    iri.rsplit('/').next().unwrap_or(iri).to_string()
}

/// How well a label matches a look-up (lower is better): the whole label, its start, the start
/// of one of its words, anywhere.
fn rank(label: &str, q: &str) -> u8 {
    let l = label.to_lowercase();
    if l == q {
        0
    } else if l.starts_with(q) {
        1
    } else if l.split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(q)) {
        2
    } else {
        3
    }
}

/// Extracted concepts whose preferred or alternative label contains `q` (case aside), best
/// first: exact, then prefix, then word-prefix, then other matches, each by papers, most first.
pub fn find(store: &Store, q: &str, limit: usize) -> Result<Vec<ConceptMatch>> {
    let q = crate::common::fields::non_blank("q", q)?;
    if q.chars().count() > MAX_QUERY {
        return Err(Error::invalid("q", format!("at most {MAX_QUERY} characters")));
    }
    let lower = q.to_lowercase();
    let scheme = NamedNode::new(store.base().iri("scheme", "extracted")).map_err(Error::graph)?;
    let bindings = [
        ("q", Term::from(Literal::new_simple_literal(q))),
        ("scheme", Term::from(scheme)),
    ];
    // The best label of each concept: (rank, papers, label).
    let mut best: HashMap<String, (u8, usize, String)> = HashMap::new();
    for row in select(store, queries::CONCEPT_SEARCH, &bindings)? {
        let (Some(c), Some(l)) = (row.get("concept"), row.get("label")) else {
            continue;
        };
        let papers: usize = row.get("papers").and_then(|p| p.parse().ok()).unwrap_or(0);
        let cand = (rank(l, &lower), papers, l.clone());
        let e = best.entry(c.clone()).or_insert_with(|| cand.clone());
        if (cand.0, cand.2.len()) < (e.0, e.2.len()) {
            *e = cand;
        }
    }
    let mut ranked: Vec<(String, (u8, usize, String))> = best.into_iter().collect();
    ranked.sort_by(|a, b| {
        (a.1 .0, std::cmp::Reverse(a.1 .1), &a.1 .2, &a.0).cmp(&(b.1 .0, std::cmp::Reverse(b.1 .1), &b.1 .2, &b.0))
    });
    ranked.truncate(limit.clamp(1, MAX_MATCHES));
    ranked
        .into_iter()
        .map(|(iri, (_, _, matched))| {
            let f = Facts::read(store, &iri)?;
            Ok(ConceptMatch {
                key: key_of(&iri),
                label: f.label(&iri),
                ctype: f.ctype().to_string(),
                papers: f.papers.len(),
                matched,
                iri,
            })
        })
        .collect()
}

/// The concept `id` names: its IRI, its key, or a label (preferred or alternative, case aside;
/// of several concepts with that label, the one most papers mention).
fn resolve(store: &Store, id: &str) -> Result<(String, Facts)> {
    let id = crate::common::fields::non_blank("id", id)?;
    let mut candidates = Vec::new();
    if id.contains(':') {
        candidates.push(id.to_string());
    } else if !id.contains(char::is_whitespace) {
        candidates.push(store.base().iri("concept/term", id));
    }
    for iri in candidates {
        let f = Facts::read(store, &iri)?;
        if !f.papers.is_empty() {
            return Ok((iri, f));
        }
    }
    let label = Term::from(Literal::new_simple_literal(id));
    let mut best: Option<(String, Facts)> = None;
    for row in select(store, queries::CONCEPT_BY_LABEL, &[("label", label)])? {
        let Some(iri) = row.get("concept") else { continue };
        let f = Facts::read(store, iri)?;
        if !f.papers.is_empty() && best.as_ref().is_none_or(|(_, b)| f.papers.len() > b.papers.len()) {
            best = Some((iri.clone(), f));
        }
    }
    best.ok_or_else(|| Error::not_found(format!("no paper mentions a concept called `{id}`")))
}

/// Whether a paper of this year counts as of T (undated papers only without T).
fn counts(year: Option<i32>, as_of: Option<i32>) -> bool {
    match as_of {
        None => true,
        Some(t) => year.is_some_and(|y| y <= t),
    }
}

/// Whether a paper retracted in this year (`Some(None)`: undated) is retracted as of T.
fn retracted_by(retracted: Option<Option<i32>>, as_of: Option<i32>) -> bool {
    match (retracted, as_of) {
        (None, _) => false,
        (Some(None), _) | (Some(Some(_)), None) => true,
        (Some(Some(year)), Some(t)) => year <= t,
    }
}

/// The concept `id` names (IRI, key or label) with its papers and its neighbours as of
/// `as_of` (a year; every paper when `None`), at most `limit` neighbours, heaviest first.
pub fn view(store: &Store, id: &str, as_of: Option<i32>, limit: usize) -> Result<ConceptView> {
    let (iri, facts) = resolve(store, id)?;
    let standing = store.standing()?;
    let retracted: HashMap<String, Option<i32>> = standing.retracted().map(|(k, y)| (k.to_string(), y)).collect();
    let is_retracted = |paper: &str| retracted_by(retracted.get(&ids::paper_key(paper)).copied(), as_of);

    let years: Vec<i32> = facts.papers.values().filter_map(|(y, _)| *y).collect();
    let span = years
        .iter()
        .min()
        .zip(years.iter().max())
        .map(|(&first, &last)| YearSpan { first, last });
    let undated = facts.papers.len() - years.len();
    let mut papers: Vec<ConceptPaper> = facts
        .papers
        .iter()
        .filter(|(_, (y, _))| counts(*y, as_of))
        .map(|(p, (year, title))| ConceptPaper {
            key: ids::paper_key(p),
            iri: p.clone(),
            title: title.clone(),
            year: *year,
            retracted: is_retracted(p),
        })
        .collect();
    papers.sort_by(|a, b| {
        b.year
            .unwrap_or(i32::MIN)
            .cmp(&a.year.unwrap_or(i32::MIN))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.key.cmp(&b.key))
    });
    let counted: BTreeSet<String> = papers.iter().filter(|p| !p.retracted).map(|p| p.iri.clone()).collect();
    let paper_count = papers.len();
    papers.truncate(MAX_PAPERS);

    let node = NamedNode::new(iri.as_str()).map_err(Error::graph)?;
    let mut weights: HashMap<String, usize> = HashMap::new();
    // What each counted paper mentions besides the concept.
    let mut by_paper: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in select(store, queries::CONCEPT_NEIGHBOURS, &[("concept", node.into())])? {
        let (Some(p), Some(other)) = (row.get("paper"), row.get("other")) else {
            continue;
        };
        if counted.contains(p.as_str()) && by_paper.entry(p.clone()).or_default().insert(other.clone()) {
            *weights.entry(other.clone()).or_default() += 1;
        }
    }
    let neighbour_count = weights.len();
    // Heaviest first; ties by IRI here, by label once labels are read.
    let mut heaviest: Vec<(String, usize)> = weights.into_iter().collect();
    heaviest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    heaviest.truncate(limit.clamp(1, MAX_NEIGHBOURS));
    let mut neighbours = heaviest
        .into_iter()
        .map(|(n, weight)| {
            let f = Facts::read(store, &n)?;
            Ok(ConceptNeighbour {
                key: key_of(&n),
                label: f.label(&n),
                ctype: f.ctype().to_string(),
                weight,
                papers: f.papers.values().filter(|(y, _)| counts(*y, as_of)).count(),
                iri: n,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    neighbours.sort_by(|a, b| b.weight.cmp(&a.weight).then_with(|| a.label.cmp(&b.label)));
    let shown: BTreeSet<&str> = neighbours.iter().map(|n| n.iri.as_str()).collect();
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for others in by_paper.values() {
        let here: Vec<&str> = others
            .iter()
            .map(String::as_str)
            .filter(|o| shown.contains(o))
            .collect();
        for (i, a) in here.iter().enumerate() {
            for b in &here[i + 1..] {
                *pairs.entry((*a, *b)).or_default() += 1;
            }
        }
    }
    let links = pairs
        .into_iter()
        .map(|((a, b), weight)| ConceptLink {
            a: a.to_string(),
            b: b.to_string(),
            weight,
        })
        .collect();

    let label = facts.label(&iri);
    let alt_labels: Vec<String> = facts.alt.iter().filter(|a| **a != label).cloned().collect();
    Ok(ConceptView {
        key: key_of(&iri),
        label,
        alt_labels,
        ctype: facts.ctype().to_string(),
        as_of,
        years: span,
        paper_count,
        undated,
        papers,
        neighbour_count,
        neighbours,
        links,
        iri,
    })
}

#[cfg(test)]
mod tests {
    use super::{counts, rank, retracted_by};

    #[test]
    fn whole_labels_rank_before_prefixes_words_and_infixes() {
        assert_eq!(rank("DNA methylation", "dna methylation"), 0);
        assert_eq!(rank("DNA methylation", "dna"), 1);
        assert_eq!(rank("DNA methylation", "meth"), 2);
        assert_eq!(rank("DNA methylation", "ethyl"), 3);
    }

    #[test]
    fn papers_count_up_to_their_year_and_retractions_from_theirs() {
        assert!(counts(None, None));
        assert!(!counts(None, Some(2000)));
        assert!(counts(Some(2000), Some(2000)));
        assert!(!counts(Some(2001), Some(2000)));
        assert!(retracted_by(Some(None), Some(1990)));
        assert!(!retracted_by(Some(Some(2006)), Some(2005)));
        assert!(retracted_by(Some(Some(2006)), None));
        assert!(!retracted_by(None, None));
    }
}
