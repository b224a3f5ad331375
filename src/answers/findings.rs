//! Cited findings: a question in, an evidence pack out — for the best passages, the one to three
//! sentences that answer the question ([`super::evidence`]) with the passage around them as
//! context, and the claims in them, each labelled by its [`Stance`] to the question where that
//! can be told; grouped by paper, deduplicated, with offsets, section and the paper's full
//! reference (its JSON-LD and Markdown forms are in [`super::formats`]). Contradicting evidence
//! is listed again on its own ([`EvidencePack::contradicting`]), never dropped.
//!
//! **Invariant:** every quote in a pack (sentences, context, claim) has been checked against the
//! paper's stored canonical text at its offsets (the passage by the search that returned it, its
//! sentences against that verified passage); a mismatch fails the request, it is never served.
//! Titles, reference-list sections and bibliography entries are never quoted as evidence.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::evidence::{self, SentenceSpan};
use super::stance::{self, Polarity, Stance};
use crate::common::clock::AsOf;
use crate::common::error::{Error, InternalError, Result};
use crate::common::passages::{verify_quote, TITLE};
use crate::common::work::Watch;
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
    /// Keep passages of retracted papers (marked [`PaperEvidence::retracted`]); left out by
    /// default.
    pub include_retracted: bool,
    /// Answer as of a moment: see [`SearchRequest::as_of`].
    pub as_of: Option<AsOf>,
}

impl Default for FindingsRequest {
    fn default() -> Self {
        FindingsRequest {
            question: String::new(),
            papers: 5,
            per_paper: 3,
            mode: Mode::Hybrid,
            filter: SearchFilter::default(),
            include_retracted: false,
            as_of: None,
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
    /// Every quote and claim of the pack whose stance is `contradicts`, again, in pack order:
    /// evidence against the question is shown on its own, not buried.
    pub contradicting: Vec<Pointer>,
    /// Counts over the pack.
    pub summary: Summary,
}

/// A quote or claim of the pack, pointed at.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pointer {
    /// The paper's rank in the pack.
    pub paper: usize,
    /// The passage's or the claim's IRI.
    pub iri: String,
    /// The quote.
    pub quote: String,
}

/// Counts over a pack, for an agent's first glance.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Summary {
    /// Papers.
    pub papers: usize,
    /// Passages.
    pub passages: usize,
    /// Quotes and claims that support the question's statement.
    pub supporting: usize,
    /// Quotes and claims that contradict it.
    pub contradicting: usize,
    /// Quotes and claims on its topic that do neither.
    pub related: usize,
    /// Quotes and claims whose stance cannot be told (their polarity is still given).
    pub unlabelled: usize,
}

/// What one paper contributes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperEvidence {
    /// 1-based rank of the paper.
    #[schema(minimum = 1)]
    pub rank: usize,
    /// The full reference.
    pub reference: Reference,
    /// The paper is retracted (only with `include_retracted`); present only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retracted: bool,
    /// The passages, best first, none overlapping another.
    pub passages: Vec<Quote>,
    /// Claims the extractor found in those passages.
    pub claims: Vec<ClaimQuote>,
}

/// The evidence of one passage: the sentences that answer, verbatim, and the passage around them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quote {
    /// The passage key.
    pub passage: String,
    /// The passage IRI.
    pub iri: String,
    /// Section label.
    pub section: String,
    /// The one to three consecutive sentences of the passage that answer the question best,
    /// exactly as in the paper's canonical text.
    pub quote: String,
    /// Start offset of the quote in the paper's canonical text, in characters.
    pub start: usize,
    /// End offset (exclusive), in characters.
    pub end: usize,
    /// How many sentences the quote holds (1 to 3).
    pub sentences: usize,
    /// How well the quote answers the question: sentence-vector cosine plus 0.3 × the share of
    /// the question's content words it holds.
    pub relevance: f32,
    /// The quote's stance to the question; absent when it cannot be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<Stance>,
    /// Whether the quote, as written, asserts or denies.
    pub polarity: Polarity,
    /// The whole passage the quote stands in, for context.
    pub context: Context,
    /// The retriever's score of the passage.
    pub score: f32,
}

/// A passage as context around a quote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Context {
    /// The exact passage text.
    pub text: String,
    /// Start offset in the paper's canonical text, in characters.
    pub start: usize,
    /// End offset (exclusive), in characters.
    pub end: usize,
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
    /// The claim's stance to the question where it can be told ([`super::stance`]); absent
    /// otherwise, and outside findings (novelty), where there is no question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<Stance>,
    /// The claim as written, as the extractor read it: `negative` for "no effect", "did not".
    pub polarity: Polarity,
    /// Whether the claim is hedged ("may", "suggests").
    pub hedged: bool,
}

/// A retrieved passage chosen for the pack, before its sentences are scored.
struct Chosen {
    passage: String,
    section: String,
    text: String,
    start: usize,
    end: usize,
    score: f32,
    sentences: Vec<SentenceSpan>,
}

/// Builds the evidence pack for a question.
pub fn find(store: &Store, embedder: Option<&dyn Embedder>, req: &FindingsRequest) -> Result<EvidencePack> {
    find_watched(store, embedder, req, &mut Watch::none())
}

/// [`find`], reporting a [`Step`](crate::common::work::Step) after each of its four stages
/// (retrieval, the papers' claims, the model's scoring of sentences and claims, stances) and
/// stopping between them, and between papers, once the watch is cancelled.
pub fn find_watched(
    store: &Store,
    embedder: Option<&dyn Embedder>,
    req: &FindingsRequest,
    watch: &mut Watch<'_>,
) -> Result<EvidencePack> {
    const PACK: &str = "the evidence pack";
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
            exclude_retracted: !req.include_retracted,
            as_of: req.as_of,
            ..SearchRequest::default()
        },
    )?;
    watch.step(1, 4, format!("retrieved {} passages", hits.len()));
    watch.check(PACK)?;
    // Group by paper in rank order, dropping passages that overlap a better one and passages
    // nothing may be quoted from (titles, reference lists, no sentence long enough).
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, (Reference, Vec<Chosen>, Option<String>)> = HashMap::new();
    let retracted: std::collections::HashSet<String> = hits
        .iter()
        .filter(|h| h.retracted)
        .map(|h| h.citation.paper.key.clone())
        .collect();
    for h in hits {
        let c = h.citation;
        if c.section == TITLE || evidence::is_reference_section(&c.section) {
            continue;
        }
        let key = c.paper.key.clone();
        if !groups.contains_key(&key) && order.len() == req.papers {
            continue;
        }
        let sentences = evidence::quotable_sentences(&c.quote);
        if sentences.is_empty() {
            continue;
        }
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        let (_, chosen, _) = groups
            .entry(key)
            .or_insert_with(|| (c.paper.clone(), Vec::new(), c.version.clone()));
        if chosen.len() < req.per_paper && !chosen.iter().any(|q| q.start < c.end && c.start < q.end) {
            chosen.push(Chosen {
                passage: c.passage,
                section: c.section,
                text: c.quote,
                start: c.start,
                end: c.end,
                score: h.score,
                sentences,
            });
        }
    }
    let mut papers: Vec<(Reference, Vec<Chosen>, Vec<ClaimQuote>)> = Vec::with_capacity(order.len());
    for key in &order {
        watch.check(PACK)?;
        let (reference, chosen, version) = groups.remove(key).expect("grouped above");
        let keys: Vec<&str> = chosen.iter().map(|p| p.passage.as_str()).collect();
        let claims = claims_in(store, key, &keys, version.as_deref())?;
        papers.push((reference, chosen, claims));
    }
    watch.step(2, 4, format!("claims of {} papers", papers.len()));
    watch.check(PACK)?;
    // One model call scores every candidate sentence and every claim against the question.
    let cosines = sentence_cosines(embedder, &req.question, &papers)?;
    watch.step(3, 4, format!("scored {} sentences and claims", cosines.len()));
    watch.check(PACK)?;
    let mut cosines = cosines.into_iter();
    let mut next_cosine = || cosines.next().flatten();
    let mut pack = EvidencePack {
        question: req.question.clone(),
        papers: Vec::with_capacity(papers.len()),
        contradicting: Vec::new(),
        summary: Summary::default(),
    };
    let terms = evidence::content_words(&req.question);
    for (i, (reference, chosen, mut claims)) in papers.into_iter().enumerate() {
        let rank = i + 1;
        let mut passages = Vec::with_capacity(chosen.len());
        for c in chosen {
            let scored: Vec<(f32, Option<f32>)> = c
                .sentences
                .iter()
                .map(|s| {
                    let cos = next_cosine();
                    let text = &c.text[s.start..s.end];
                    (evidence::relevance(cos, evidence::overlap(&terms, text)), cos)
                })
                .collect();
            let relevances: Vec<f32> = scored.iter().map(|s| s.0).collect();
            let (first, last) = evidence::best_run(&relevances).expect("passages without sentences are skipped");
            let (bs, be) = (c.sentences[first].start, c.sentences[last - 1].end);
            let quote = c.text[bs..be].to_string();
            let start = c.start + c.text[..bs].chars().count();
            let end = start + quote.chars().count();
            if !verify_quote(&c.text, start - c.start, end - c.start, &quote) {
                return Err(InternalError::Integrity(format!(
                    "evidence of passage {} does not match its text at {start}..{end}",
                    c.passage
                ))
                .into());
            }
            let best = (first..last).max_by(|&a, &b| relevances[a].total_cmp(&relevances[b]));
            let cos = best.and_then(|b| scored[b].1);
            passages.push(Quote {
                iri: store.base().passage_iri(&c.passage),
                stance: stance::stance(&req.question, &quote, cos),
                polarity: stance::polarity(&quote),
                passage: c.passage,
                section: c.section,
                relevance: relevances[first..last].iter().copied().fold(f32::MIN, f32::max),
                sentences: last - first,
                quote,
                start,
                end,
                context: Context {
                    text: c.text,
                    start: c.start,
                    end: c.end,
                },
                score: c.score,
            });
        }
        for c in &mut claims {
            c.stance = stance::stance(&req.question, &c.quote, next_cosine());
        }
        let stances = passages
            .iter()
            .map(|q| (q.stance, &q.iri, &q.quote))
            .chain(claims.iter().map(|c| (c.stance, &c.claim, &c.quote)));
        for (st, iri, quote) in stances {
            match st {
                Some(Stance::Supports) => pack.summary.supporting += 1,
                Some(Stance::Contradicts) => {
                    pack.summary.contradicting += 1;
                    pack.contradicting.push(Pointer {
                        paper: rank,
                        iri: iri.clone(),
                        quote: quote.clone(),
                    });
                }
                Some(Stance::Related) => pack.summary.related += 1,
                None => pack.summary.unlabelled += 1,
            }
        }
        pack.summary.passages += passages.len();
        pack.papers.push(PaperEvidence {
            rank,
            retracted: retracted.contains(&reference.key),
            reference,
            passages,
            claims,
        });
    }
    pack.summary.papers = pack.papers.len();
    watch.step(4, 4, format!("stances of {} passages", pack.summary.passages));
    Ok(pack)
}

/// The cosine of the question with every candidate sentence of every chosen passage, then every
/// claim, in pack order (what [`find`] consumes); all `None` without a model.
fn sentence_cosines(
    embedder: Option<&dyn Embedder>,
    question: &str,
    papers: &[(Reference, Vec<Chosen>, Vec<ClaimQuote>)],
) -> Result<Vec<Option<f32>>> {
    let mut texts = vec![question.to_string()];
    for (_, chosen, claims) in papers {
        for c in chosen {
            texts.extend(c.sentences.iter().map(|s| c.text[s.start..s.end].to_string()));
        }
        texts.extend(claims.iter().map(|c| c.quote.clone()));
    }
    let Some(embedder) = embedder else {
        return Ok(vec![None; texts.len() - 1]);
    };
    let vectors = embedder.embed(&texts)?;
    let (q, rest) = vectors
        .split_first()
        .ok_or_else(|| InternalError::Integrity("the model returned no vector for the question".into()))?;
    Ok(rest.iter().map(|v| Some(evidence::cosine(q, v))).collect())
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
                stance: None,
                polarity: if get("polarity") == "negative" {
                    Polarity::Negative
                } else {
                    Polarity::Affirmative
                },
                hedged: get("hedged") == "true",
            });
        }
    }
    out.sort_by_key(|c| c.start);
    out.dedup_by(|a, b| a.claim == b.claim);
    Ok(out)
}
