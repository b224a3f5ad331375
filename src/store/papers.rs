//! Reading papers back: the citation of a passage (full reference + verified quote) and the
//! record of a paper.

use std::collections::HashMap;

use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::QueryResults;
use serde::Serialize;
use utoipa::ToSchema;

use crate::common::error::{Error, InternalError, Result};
use crate::common::passages::verify_quote;
use crate::store::queries;
use crate::store::{Store, StoredPassage};

/// The bibliographic record of a paper, as a citation needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reference {
    /// The paper's IRI.
    pub iri: String,
    /// The paper's short key (for `/papers/{key}`).
    pub key: String,
    /// Title.
    pub title: String,
    /// Authors in byline order.
    pub authors: Vec<String>,
    /// Year.
    pub year: Option<i32>,
    /// Publication date as the source gave it.
    pub date: Option<String>,
    /// Venue.
    pub venue: Option<String>,
    /// DOI.
    pub doi: Option<String>,
    /// arXiv id.
    pub arxiv: Option<String>,
    /// PubMed id.
    pub pmid: Option<String>,
    /// PubMed Central id.
    pub pmcid: Option<String>,
    /// Collection-local id ("scifact:4983").
    pub corpus_id: Option<String>,
    /// The best link to read the paper: DOI, arXiv, PubMed or PMC page.
    pub link: Option<String>,
}

/// A checkable citation of a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Citation {
    /// The passage key.
    pub passage: String,
    /// The paper.
    pub paper: Reference,
    /// Section label.
    pub section: String,
    /// The verbatim quote.
    pub quote: String,
    /// Start offset in the paper's canonical text, in characters.
    pub start: usize,
    /// End offset (exclusive), in characters.
    pub end: usize,
    /// The version of the paper's text the quote was verified against (its `hyp:digest`, a
    /// SHA-256 of the canonical text); absent for records written before records carried one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What a citer knows of one visible paper: its reference, canonical text and version.
struct Loaded {
    reference: Reference,
    canonical: String,
    /// The digest the graph states (`hyp:digest`); `None` for records written before agent
    /// records carried one.
    digest: Option<String>,
}

/// Builds citations, fetching each paper's record once.
pub struct Citer<'a> {
    store: &'a Store,
    papers: HashMap<String, Option<Loaded>>,
}

impl<'a> Citer<'a> {
    /// A citer over `store`.
    pub fn new(store: &'a Store) -> Self {
        Citer {
            store,
            papers: HashMap::new(),
        }
    }

    /// The citation of a stored passage, or `None` when the passage is not visible: its paper's
    /// graph does not exist (not written yet, or deleted), or states another version of the
    /// paper than the one the passage was cut from (a replacement is being written, or one
    /// could not be finished). A passage of the graph's version whose quote does not match the
    /// graph's text is a broken invariant, an error.
    pub fn cite(&mut self, p: &StoredPassage) -> Result<Option<Citation>> {
        if !self.papers.contains_key(&p.paper_key) {
            let loaded = load(self.store, &p.paper_key, &p.paper_iri)?;
            self.papers.insert(p.paper_key.clone(), loaded);
        }
        let Some(paper) = self.papers.get(&p.paper_key).and_then(Option::as_ref) else {
            return Ok(None);
        };
        let same_version = match (&paper.digest, p.version.is_empty()) {
            (Some(d), false) => Some(*d == p.version),
            _ => None,
        };
        if same_version == Some(false) {
            tracing::debug!(passage = %p.key, "passage of another version than the graph's: not visible");
            return Ok(None);
        }
        if !verify_quote(&paper.canonical, p.start, p.end, &p.text) {
            if same_version.is_none() {
                // No version to tell a stale passage from a broken one (an agent record written
                // before records carried digests): not visible, and said.
                tracing::warn!(passage = %p.key, "passage does not match its paper's text and has no version; not served");
                return Ok(None);
            }
            return Err(InternalError::Integrity(format!(
                "passage {} does not match the canonical text of {} at {}..{}",
                p.key, paper.reference.iri, p.start, p.end
            ))
            .into());
        }
        Ok(Some(Citation {
            passage: p.key.clone(),
            paper: paper.reference.clone(),
            section: p.section.clone(),
            quote: p.text.clone(),
            start: p.start,
            end: p.end,
            version: paper.digest.clone(),
        }))
    }
}

fn bindings(store: &Store, key: &str, iri: &str) -> Result<[(&'static str, Term); 2]> {
    let paper = NamedNode::new(iri).map_err(Error::graph)?;
    let graph = NamedNode::new(store.base().doc_graph(key)).map_err(Error::graph)?;
    Ok([("paper", paper.into()), ("g", graph.into())])
}

/// The bibliographic record of a stored paper, or `None` when its graph does not exist.
pub fn reference(store: &Store, key: &str, iri: &str) -> Result<Option<Reference>> {
    Ok(load(store, key, iri)?.map(|l| l.reference))
}

/// The record, canonical text and version of a paper, or `None` when its graph does not exist.
fn load(store: &Store, key: &str, iri: &str) -> Result<Option<Loaded>> {
    let b = bindings(store, key, iri)?;
    let Some(row) = queries::select(store, queries::CITATION, &b)?.into_iter().next() else {
        return Ok(None);
    };
    let authors = queries::select(store, queries::AUTHORS, &b)?
        .into_iter()
        .filter_map(|mut r| r.remove("name"))
        .collect();
    // The text and the digest come from the one query, so from one snapshot: a replacement
    // committed between two queries cannot pair one version's text with another's digest.
    let canonical = row.get("text").cloned().unwrap_or_default();
    let get = |k: &str| row.get(k).cloned();
    let mut r = Reference {
        iri: iri.to_string(),
        key: key.to_string(),
        title: get("title").unwrap_or_default(),
        authors,
        year: get("year").and_then(|y| y.parse().ok()),
        date: get("date"),
        venue: get("venue"),
        doi: get("doi"),
        arxiv: get("arxiv"),
        pmid: get("pmid"),
        pmcid: get("pmcid"),
        corpus_id: get("corpus"),
        link: None,
    };
    r.link = best_link(&r);
    Ok(Some(Loaded {
        reference: r,
        canonical,
        digest: get("digest"),
    }))
}

fn best_link(r: &Reference) -> Option<String> {
    r.doi
        .as_ref()
        .map(|d| format!("https://doi.org/{d}"))
        .or_else(|| r.arxiv.as_ref().map(|a| format!("https://arxiv.org/abs/{a}")))
        .or_else(|| r.pmid.as_ref().map(|p| format!("https://pubmed.ncbi.nlm.nih.gov/{p}/")))
        .or_else(|| {
            r.pmcid
                .as_ref()
                .map(|p| format!("https://www.ncbi.nlm.nih.gov/pmc/articles/{p}/"))
        })
}

/// A passage of a paper record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PassageSummary {
    /// Passage key.
    pub key: String,
    /// Section label.
    pub section: String,
    /// Start offset (characters).
    pub start: usize,
    /// End offset (characters).
    pub end: usize,
    /// The text.
    pub text: String,
}

/// Everything about one paper: its reference, its passages and its facts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperRecord {
    /// The bibliographic record.
    #[serde(flatten)]
    pub reference: Reference,
    /// Passages in order.
    pub passages: Vec<PassageSummary>,
    /// Every triple of the paper's graph but its canonical text, as (subject, predicate, object)
    /// in N-Triples term syntax.
    pub facts: Vec<[String; 3]>,
    /// What notices say about the paper (retractions, corrections, updates, expressions of
    /// concern), from its own record and from the notices' records; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<crate::store::standing::NoticeRef>,
}

/// The record of the paper with this key or IRI.
pub fn paper_record(store: &Store, key_or_iri: &str) -> Result<PaperRecord> {
    let key = store
        .resolve_paper(key_or_iri)?
        .ok_or_else(|| Error::not_found(format!("paper {key_or_iri}")))?;
    let passages = store.text().passages_of(&key)?;
    let iri = passages
        .first()
        .map(|p| p.paper_iri.clone())
        .ok_or_else(|| Error::not_found(format!("passages of paper {key_or_iri}")))?;
    let loaded = load(store, &key, &iri)?.ok_or_else(|| Error::not_found(format!("paper {key_or_iri}")))?;
    // The passages of the version the graph states: the text index's when they are of it (the
    // usual case), else the graph's own (a new version is being written).
    let current = passages
        .iter()
        .all(|p| loaded.digest.as_deref().is_none_or(|d| d == p.version));
    let passages: Vec<PassageSummary> = if current {
        passages
            .into_iter()
            .map(|p| PassageSummary {
                key: p.key,
                section: p.section,
                start: p.start,
                end: p.end,
                text: p.text,
            })
            .collect()
    } else {
        graph_passages(store, &key, &iri)?
    };
    let reference = loaded.reference;
    let b = bindings(store, &key, &iri)?;
    let QueryResults::Solutions(sol) = store.graph().query_bound(queries::PAPER, &b[1..])? else {
        return Err(Error::graph("paper.rq is not a SELECT"));
    };
    let mut facts = Vec::new();
    for s in sol {
        let s = s.map_err(Error::graph)?;
        let term = |v: &str| s.get(v).map(ToString::to_string).unwrap_or_default();
        facts.push([term("s"), term("p"), term("o")]);
    }
    facts.sort();
    Ok(PaperRecord {
        notices: store.standing()?.notices(&key).to_vec(),
        reference,
        passages,
        facts,
    })
}

/// A paper's passages as its graph states them.
fn graph_passages(store: &Store, key: &str, iri: &str) -> Result<Vec<PassageSummary>> {
    let prefix = store.base().passage_iri("");
    queries::select(store, queries::PASSAGES_OF, &bindings(store, key, iri)?)?
        .into_iter()
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            let offset = |k: &str| {
                get(k)
                    .parse()
                    .map_err(|_| Error::graph(format!("passage offset `{k}` of {iri} is not a number")))
            };
            Ok(PassageSummary {
                key: get("passage").strip_prefix(&prefix).unwrap_or_default().to_string(),
                section: get("section"),
                start: offset("start")?,
                end: offset("end")?,
                text: get("text"),
            })
        })
        .collect()
}
