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
    /// What the extractor found, in text order, each with its span; only spans that verify
    /// against the passages above are listed.
    pub extracted: Vec<Extracted>,
    /// The paper's bibliography in order, resolved entries naming the stored paper.
    pub references: Vec<CitedWork>,
    /// Stored papers whose bibliography resolved to this one, newest first (at most 500).
    pub cited_by: Vec<LinkedPaper>,
}

/// What an extracted item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExtractedKind {
    /// A mention of a concept.
    Mention,
    /// A claim, with its polarity.
    Claim,
    /// A numeric result.
    Result,
    /// A relation between two concepts.
    Relation,
}

/// One item the extractor found in a paper, with its span in the canonical text.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Extracted {
    /// What it is.
    pub kind: ExtractedKind,
    /// Start offset (characters into the paper's canonical text).
    pub start: usize,
    /// End offset (characters, exclusive).
    pub end: usize,
    /// The text at [start, end).
    pub exact: String,
    /// The key of the passage it stands in.
    pub passage: String,
    /// Mentions: the concept's IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    /// Mentions: the concept's preferred label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Mentions: the concept's type (`Method`, `Task`, `Dataset`, `Metric`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concept_type: Option<String>,
    /// Claims: `affirmative`, `negative` or `hedged` as the extractor read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polarity: Option<String>,
    /// Claims: whether it is hedged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hedged: Option<bool>,
    /// Results: the metric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Results: the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Results: the unit (may be empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Relations: the kind (`uses`, `evaluatedOn`, … the `hyp:` property's local name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// Relations: the head concept's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Relations: the tail concept's label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tail: Option<String>,
}

/// An entry of a paper's bibliography.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CitedWork {
    /// Its position in the bibliography (from 0).
    pub ordinal: u32,
    /// The cited work's title as the citing paper gives it (may be empty).
    pub title: String,
    /// Its year, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Its venue, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// The entry as printed, when the source has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its DOI, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// The stored paper it resolved to, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<LinkedPaper>,
}

/// A stored paper on the other end of a citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LinkedPaper {
    /// Its IRI.
    pub iri: String,
    /// Its key (for `/papers/{key}`).
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its year, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
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
    let extracted = extracted(store, &key, &passages)?;
    let references = references(store, &b)?;
    let cited_by = queries::select(store, queries::CITED_BY, &b[..1])?
        .into_iter()
        .map(|r| linked_paper(r.get("citer"), r.get("title"), r.get("year")))
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    Ok(PaperRecord {
        notices: store.standing()?.notices(&key).to_vec(),
        extracted,
        references,
        cited_by,
        reference,
        passages,
        facts,
    })
}

/// A stored paper named by IRI, with its title and year as the query found them.
fn linked_paper(iri: Option<&String>, title: Option<&String>, year: Option<&String>) -> Option<LinkedPaper> {
    let iri = iri?.clone();
    Some(LinkedPaper {
        key: crate::common::ids::paper_key(&iri),
        iri,
        title: title.cloned().unwrap_or_default(),
        year: year.and_then(|y| y.get(..4)?.parse().ok()),
    })
}

/// The bibliography of the paper bound in `b`.
fn references(store: &Store, b: &[(&'static str, Term); 2]) -> Result<Vec<CitedWork>> {
    let nonempty = |r: &queries::Row, k: &str| r.get(k).filter(|v| !v.is_empty()).cloned();
    queries::select(store, queries::PAPER_REFERENCES, b)?
        .into_iter()
        .map(|r| {
            let ordinal = r
                .get("ordinal")
                .and_then(|o| o.parse().ok())
                .ok_or_else(|| Error::graph("a reference without a numeric ordinal"))?;
            Ok(CitedWork {
                ordinal,
                title: nonempty(&r, "title").unwrap_or_default(),
                year: r.get("year").and_then(|y| y.get(..4)?.parse().ok()),
                venue: nonempty(&r, "venue"),
                description: nonempty(&r, "description"),
                doi: nonempty(&r, "doi"),
                resolved: linked_paper(r.get("target"), r.get("targetTitle"), None),
            })
        })
        .collect()
}

/// What the extractor found in paper `key`, keeping only spans whose text is what `passages`
/// hold at those offsets (the extraction graph and the text are replaced together, but a page
/// must never show a span that does not verify).
fn extracted(store: &Store, key: &str, passages: &[PassageSummary]) -> Result<Vec<Extracted>> {
    let x = NamedNode::new(store.base().extraction_graph(key)).map_err(Error::graph)?;
    let hyp = crate::common::vocab::hyp::NS;
    let mut out = Vec::new();
    for r in queries::select(store, queries::PAPER_EXTRACTION, &[("x", x.into())])? {
        let get = |k: &str| r.get(k).filter(|v| !v.is_empty()).cloned();
        let local = |k: &str| get(k).map(|v| v.strip_prefix(hyp).map_or(v.clone(), str::to_string));
        let kind = match local("kind").as_deref() {
            Some("Mention") => ExtractedKind::Mention,
            Some("Claim") => ExtractedKind::Claim,
            Some("Result") => ExtractedKind::Result,
            Some("Relation") => ExtractedKind::Relation,
            _ => continue,
        };
        let (Some(start), Some(end), Some(exact)) = (
            get("start").and_then(|v| v.parse::<usize>().ok()),
            get("end").and_then(|v| v.parse::<usize>().ok()),
            get("exact"),
        ) else {
            continue;
        };
        let Some(p) = passages.iter().find(|p| p.start <= start && end <= p.end) else {
            continue;
        };
        let verifies = p.text.chars().skip(start - p.start).take(end - start).eq(exact.chars());
        if !verifies {
            continue;
        }
        out.push(Extracted {
            kind,
            start,
            end,
            exact,
            passage: p.key.clone(),
            concept: get("concept"),
            label: get("label"),
            concept_type: local("ctype"),
            polarity: get("polarity"),
            hedged: get("hedged").map(|h| h == "true"),
            metric: get("metric"),
            value: get("value").and_then(|v| v.parse().ok()),
            unit: r.get("unit").cloned(),
            relation: local("relation"),
            head: get("headLabel"),
            tail: get("tailLabel"),
        });
    }
    Ok(out)
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
