//! Reading papers back: the citation of a passage (full reference + verified quote) and the
//! record of a paper.

use std::collections::HashMap;

use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::QueryResults;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, InternalError, Result};
use crate::passages::verify_quote;
use crate::queries;
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
}

/// Builds citations, fetching each paper's record once.
pub struct Citer<'a> {
    store: &'a Store,
    papers: HashMap<String, Option<(Reference, String)>>,
}

impl<'a> Citer<'a> {
    /// A citer over `store`.
    pub fn new(store: &'a Store) -> Self {
        Citer {
            store,
            papers: HashMap::new(),
        }
    }

    /// The citation of a stored passage, or `None` when its paper is not visible (not in the
    /// graph yet, or being deleted). A quote that does not match the stored text is an error.
    pub fn cite(&mut self, p: &StoredPassage) -> Result<Option<Citation>> {
        if !self.papers.contains_key(&p.paper_key) {
            let loaded = load_reference(self.store, &p.paper_key, &p.paper_iri)?;
            self.papers.insert(p.paper_key.clone(), loaded);
        }
        let Some((reference, canonical)) = self.papers.get(&p.paper_key).and_then(Option::as_ref) else {
            return Ok(None);
        };
        if !verify_quote(canonical, p.start, p.end, &p.text) {
            return Err(InternalError::Integrity(format!(
                "passage {} does not match the canonical text of {} at {}..{}",
                p.key, reference.iri, p.start, p.end
            ))
            .into());
        }
        Ok(Some(Citation {
            passage: p.key.clone(),
            paper: reference.clone(),
            section: p.section.clone(),
            quote: p.text.clone(),
            start: p.start,
            end: p.end,
        }))
    }
}

fn bindings(store: &Store, key: &str, iri: &str) -> Result<[(&'static str, Term); 2]> {
    let paper = NamedNode::new(iri).map_err(Error::graph)?;
    let graph = NamedNode::new(store.base().doc_graph(key)).map_err(Error::graph)?;
    Ok([("paper", paper.into()), ("g", graph.into())])
}

/// The lexical form of a literal, or the IRI of a named node.
pub fn lexical(t: &Term) -> String {
    match t {
        Term::Literal(l) => l.value().to_string(),
        Term::NamedNode(n) => n.as_str().to_string(),
        other => other.to_string(),
    }
}

/// The bibliographic record of a stored paper, or `None` when its graph does not exist.
pub fn reference(store: &Store, key: &str, iri: &str) -> Result<Option<Reference>> {
    Ok(load_reference(store, key, iri)?.map(|(r, _)| r))
}

/// The record and canonical text of a paper, or `None` when its graph does not exist.
fn load_reference(store: &Store, key: &str, iri: &str) -> Result<Option<(Reference, String)>> {
    let b = bindings(store, key, iri)?;
    let Some(row) = queries::select(store, queries::CITATION, &b)?.into_iter().next() else {
        return Ok(None);
    };
    let authors = queries::select(store, queries::AUTHORS, &b)?
        .into_iter()
        .filter_map(|mut r| r.remove("name"))
        .collect();
    let canonical = queries::select(store, queries::CANONICAL_TEXT, &b)?
        .into_iter()
        .next()
        .and_then(|mut r| r.remove("text"))
        .unwrap_or_default();
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
    Ok(Some((r, canonical)))
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
    let (reference, _) =
        load_reference(store, &key, &iri)?.ok_or_else(|| Error::not_found(format!("paper {key_or_iri}")))?;
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
        reference,
        passages: passages
            .into_iter()
            .map(|p| PassageSummary {
                key: p.key,
                section: p.section,
                start: p.start,
                end: p.end,
                text: p.text,
            })
            .collect(),
        facts,
    })
}
