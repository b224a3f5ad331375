//! Cited findings: a question in, an evidence pack out — the best passages and the claims in
//! them, grouped by paper, deduplicated, each with its verbatim quote, offsets, section and the
//! paper's full reference (its JSON-LD and Markdown forms are in [`super::formats`]).
//!
//! **Invariant:** every quote in a pack (passage or claim) has been checked against the paper's
//! stored canonical text at its offsets; a mismatch fails the request, it is never served.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::common::error::{Error, InternalError, Result};
use crate::common::passages::verify_quote;
use crate::embed::Embedder;
use crate::retrieval::search::{self, Mode, SearchRequest};
use crate::store::papers::Reference;
use crate::store::queries::lexical;
use crate::store::{SearchFilter, Store};

/// What to look for and how much to return.
#[derive(Debug, Clone)]
pub struct FindingsRequest {
    /// The question.
    pub question: String,
    /// Most papers in the pack.
    pub papers: usize,
    /// Most passages per paper.
    pub per_paper: usize,
    /// Retriever (hybrid by default).
    pub mode: Mode,
    /// Restrictions.
    pub filter: SearchFilter,
}

impl Default for FindingsRequest {
    fn default() -> Self {
        FindingsRequest {
            question: String::new(),
            papers: 5,
            per_paper: 3,
            mode: Mode::Hybrid,
            filter: SearchFilter::default(),
        }
    }
}

/// The largest number of papers a pack holds.
pub const MAX_PAPERS: usize = 50;
/// The largest number of passages per paper.
pub const MAX_PER_PAPER: usize = 10;

/// An evidence pack.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidencePack {
    /// The question asked.
    pub question: String,
    /// Papers, best first.
    pub papers: Vec<PaperEvidence>,
    /// Counts over the pack.
    pub summary: Summary,
}

/// Counts over a pack, for an agent's first glance.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Summary {
    /// Papers.
    pub papers: usize,
    /// Passages.
    pub passages: usize,
    /// Claims stated positively (findings that something holds).
    pub supporting_claims: usize,
    /// Claims stated negatively (findings that something does not hold).
    pub contradicting_claims: usize,
}

/// What one paper contributes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperEvidence {
    /// 1-based rank of the paper.
    pub rank: usize,
    /// The full reference.
    pub reference: Reference,
    /// The passages, best first, none overlapping another.
    pub passages: Vec<Quote>,
    /// Claims the extractor found in those passages.
    pub claims: Vec<ClaimQuote>,
}

/// A verbatim passage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quote {
    /// The passage key.
    pub passage: String,
    /// The passage IRI.
    pub iri: String,
    /// Section label.
    pub section: String,
    /// The exact text.
    pub quote: String,
    /// Start offset in the paper's canonical text, in characters.
    pub start: usize,
    /// End offset (exclusive), in characters.
    pub end: usize,
    /// The retriever's score.
    pub score: f32,
}

/// A verbatim claim sentence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimQuote {
    /// The claim's IRI.
    pub claim: String,
    /// The passage it stands in.
    pub passage: String,
    /// The exact sentence.
    pub quote: String,
    /// Start offset in the paper's canonical text, in characters.
    pub start: usize,
    /// End offset (exclusive), in characters.
    pub end: usize,
    /// `supports` (stated positively) or `contradicts` (stated negatively, e.g. "no effect"):
    /// the polarity of the claim as written, not an entailment judgement against the question.
    pub stance: &'static str,
    /// Whether the claim is hedged ("may", "suggests").
    pub hedged: bool,
}

/// Builds the evidence pack for a question.
pub fn find(store: &Store, embedder: Option<&dyn Embedder>, req: &FindingsRequest) -> Result<EvidencePack> {
    if req.papers == 0 || req.papers > MAX_PAPERS {
        return Err(Error::invalid("papers", format!("must be between 1 and {MAX_PAPERS}")));
    }
    if req.per_paper == 0 || req.per_paper > MAX_PER_PAPER {
        return Err(Error::invalid(
            "per_paper",
            format!("must be between 1 and {MAX_PER_PAPER}"),
        ));
    }
    let hits = search::search(
        store,
        embedder,
        &SearchRequest {
            query: req.question.clone(),
            mode: req.mode,
            k: (req.papers * req.per_paper * 4).min(search::MAX_K),
            filter: req.filter.clone(),
            ..SearchRequest::default()
        },
    )?;
    // Group by paper in rank order, dropping passages that overlap a better one.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, (Reference, Vec<Quote>, Option<String>)> = HashMap::new();
    for h in hits {
        let c = h.citation;
        let key = c.paper.key.clone();
        if !groups.contains_key(&key) {
            if order.len() == req.papers {
                continue;
            }
            order.push(key.clone());
        }
        let (_, quotes, _) = groups
            .entry(key)
            .or_insert_with(|| (c.paper.clone(), Vec::new(), c.version.clone()));
        if quotes.len() < req.per_paper && !quotes.iter().any(|q| q.start < c.end && c.start < q.end) {
            quotes.push(Quote {
                iri: store.base().passage_iri(&c.passage),
                passage: c.passage,
                section: c.section,
                quote: c.quote,
                start: c.start,
                end: c.end,
                score: h.score,
            });
        }
    }
    let mut papers = Vec::with_capacity(order.len());
    let mut summary = Summary::default();
    for (i, key) in order.into_iter().enumerate() {
        let (reference, passages, version) = groups.remove(&key).expect("grouped above");
        let keys: Vec<&str> = passages.iter().map(|p| p.passage.as_str()).collect();
        let claims = claims_in(store, &key, &keys, version.as_deref())?;
        summary.passages += passages.len();
        for c in &claims {
            match c.stance {
                "contradicts" => summary.contradicting_claims += 1,
                _ => summary.supporting_claims += 1,
            }
        }
        papers.push(PaperEvidence {
            rank: i + 1,
            reference,
            passages,
            claims,
        });
    }
    summary.papers = papers.len();
    Ok(EvidencePack {
        question: req.question.clone(),
        papers,
        summary,
    })
}

/// The extracted claims standing in these passages of one paper, verified against the canonical
/// text read in the same snapshot. `version` is the digest of the text the passages were quoted
/// from ([`Citation::version`]): claims of another version (the paper was replaced since) are
/// not the passages' claims and are left out. A claim of the snapshot's own text that does not
/// verify is a broken invariant, an error.
///
/// [`Citation::version`]: crate::store::papers::Citation::version
pub(crate) fn claims_in(
    store: &Store,
    paper_key: &str,
    passages: &[&str],
    version: Option<&str>,
) -> Result<Vec<ClaimQuote>> {
    let node = |iri: String| oxigraph::model::NamedNode::new(iri).map_err(Error::graph);
    let graph = node(store.base().paper_graph(paper_key))?;
    let extraction = node(store.base().extraction_graph(paper_key))?;
    let mut out = Vec::new();
    for p in passages {
        let passage = node(store.base().passage_iri(p))?;
        let results = store.graph().query_bound(
            crate::store::queries::CLAIMS_IN_PASSAGE,
            &[
                ("passage", passage.into()),
                ("g", graph.clone().into()),
                ("x", extraction.clone().into()),
            ],
        )?;
        let oxigraph::sparql::QueryResults::Solutions(rows) = results else {
            return Err(Error::graph("claims_in_passage.rq is not a SELECT"));
        };
        for row in rows {
            let row = row.map_err(Error::graph)?;
            let get = |v: &str| row.get(v).map(lexical).unwrap_or_default();
            let digest = row.get("digest").map(lexical);
            if version.is_some() && digest.as_deref() != version {
                continue;
            }
            let (start, end): (usize, usize) = (
                get("start").parse().map_err(Error::graph)?,
                get("end").parse().map_err(Error::graph)?,
            );
            let quote = get("quote");
            let text = row.get("text").map(lexical).unwrap_or_default();
            if !verify_quote(&text, start, end, &quote) {
                return Err(InternalError::Integrity(format!(
                    "claim {} does not match the canonical text of paper {paper_key} at {start}..{end}",
                    get("claim")
                ))
                .into());
            }
            out.push(ClaimQuote {
                claim: get("claim"),
                passage: p.to_string(),
                quote,
                start,
                end,
                stance: if get("polarity") == "negative" {
                    "contradicts"
                } else {
                    "supports"
                },
                hedged: get("hedged") == "true",
            });
        }
    }
    out.sort_by_key(|c| c.start);
    out.dedup_by(|a, b| a.claim == b.claim);
    Ok(out)
}
