//! Answers sized for an agent: summaries of hits and gaps, pages with cursors, quotes cut with
//! offsets that still match, and tool results and errors in MCP's shapes.

use std::sync::Arc;

use rmcp::model::CallToolResult;
use rmcp::ErrorData as McpError;
use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::common::error::{Error, UserError};
use crate::embed::Embedder;
use crate::retrieval::search::Mode;
use crate::store::papers::Citation;
use crate::store::Store;

/// A search hit, short.
#[derive(Debug, Serialize)]
pub(super) struct HitSummary {
    pub(super) rank: usize,
    pub(super) score: f32,
    pub(super) paper: String,
    pub(super) title: String,
    pub(super) year: Option<i32>,
    pub(super) passage: String,
    pub(super) section: String,
    /// Verbatim, at most [`QUOTE_CHARS`] characters; `start..end` are its offsets in the
    /// paper's text.
    pub(super) quote: String,
    pub(super) start: usize,
    pub(super) end: usize,
    /// The passage goes on past `end` (get_paper has it whole).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) cut: bool,
    /// The paper is retracted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) retracted: bool,
}

impl HitSummary {
    pub(super) fn new(rank: usize, score: f32, c: &Citation) -> Self {
        let (quote, end, cut) = cut_quote(&c.quote, c.start, c.end);
        HitSummary {
            rank,
            score,
            paper: c.paper.key.clone(),
            title: c.paper.title.clone(),
            year: c.paper.year,
            passage: c.passage.clone(),
            section: c.section.clone(),
            quote,
            start: c.start,
            end,
            cut,
            retracted: false,
        }
    }

    /// The summary of a search hit, marked when its paper is retracted.
    pub(super) fn of_hit(h: &crate::retrieval::search::Hit) -> Self {
        HitSummary {
            retracted: h.retracted,
            ..HitSummary::new(h.rank, h.score, &h.citation)
        }
    }
}

/// The first [`QUOTE_CHARS`] characters of a quote, its new end offset, and whether it was cut.
pub(super) fn cut_quote(quote: &str, start: usize, end: usize) -> (String, usize, bool) {
    match quote.char_indices().nth(QUOTE_CHARS) {
        Some((i, _)) => (quote[..i].to_string(), start + QUOTE_CHARS, true),
        None => (quote.to_string(), end, false),
    }
}

/// A page of results: the items and the cursor of the next page.
#[derive(Debug, Serialize)]
pub(super) struct Page<T> {
    #[serde(flatten)]
    pub(super) items: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) next_cursor: Option<String>,
}

pub(super) fn offset(cursor: Option<&str>) -> crate::Result<usize> {
    cursor.map_or(Ok(0), |c| {
        c.parse()
            .map_err(|_| Error::invalid("cursor", format!("`{c}` is not a cursor this server gave")))
    })
}

pub(super) fn bounded(field: &str, value: Option<usize>, default: usize, max: usize) -> crate::Result<usize> {
    let v = value.unwrap_or(default);
    if v == 0 || v > max {
        return Err(Error::invalid(field, format!("{v}: expected 1 to {max}")));
    }
    Ok(v)
}

pub(super) fn mode(m: Option<&str>) -> crate::Result<Mode> {
    m.map_or(Ok(Mode::Hybrid), str::parse)
}

/// A tool's answer: a JSON value as structured content (and its text).
pub(super) fn answer(value: impl Serialize) -> Result<CallToolResult, McpError> {
    let v = serde_json::to_value(value).map_err(|e| McpError::internal_error(e.to_string(), None))?;
    Ok(CallToolResult::structured(v))
}

/// A failed call: the caller's mistakes come back as a tool error the agent can read and fix;
/// ours as a protocol error with the details left in the log.
pub(super) fn failed(e: Error) -> Result<CallToolResult, McpError> {
    match e {
        Error::User(u) => Ok(CallToolResult::structured_error(json!({
            "error": u.code(),
            "message": u.to_string(),
        }))),
        Error::Internal(i) => {
            tracing::error!(error = %i, "MCP tool failed");
            Err(McpError::internal_error("internal error; see the server log", None))
        }
    }
}

/// Turns a result into a tool answer.
pub(super) fn reply<T: Serialize>(r: crate::Result<T>) -> Result<CallToolResult, McpError> {
    r.map_or_else(failed, answer)
}

/// A gap, short: its kind, score, explanation, concept labels and two evidence quotes.
pub(super) fn gap_summary(g: &crate::research::gaps::Gap) -> Value {
    json!({
        "kind": g.kind,
        "score": g.score,
        "explanation": g.explanation,
        "concepts": g.concepts.iter().map(|c| json!({ "iri": c.iri, "label": c.label, "type": c.ctype })).collect::<Vec<_>>(),
        "evidence": g.evidence.iter().take(2).map(|e| {
            let (quote, end, _) = cut_quote(&e.quote, e.start, e.end);
            json!({ "paper": e.paper, "passage": e.passage, "quote": quote, "start": e.start, "end": end,
                    "year": e.year, "role": e.role })
        }).collect::<Vec<_>>(),
        "evidence_total": g.evidence.len(),
    })
}

/// A novelty report, short: the score, the summary, and the nearest items with their quotes.
pub(super) fn novelty_summary(r: &crate::research::novelty::NoveltyReport) -> serde_json::Value {
    json!({
        "idea": r.idea,
        "novelty": r.novelty,
        "literature_similarity": r.literature_similarity,
        "record_similarity": r.record_similarity,
        "summary": r.summary,
        "papers": r.papers.iter().map(|p| {
            let h = HitSummary::new(0, p.similarity, &p.citation);
            json!({ "similarity": p.similarity, "paper": h.paper, "title": h.title, "year": h.year,
                    "passage": h.passage, "quote": h.quote, "start": h.start, "end": h.end,
                    "claims": p.claims.len() })
        }).collect::<Vec<_>>(),
        "hypotheses": r.hypotheses.iter().map(|h| json!({
            "similarity": h.similarity, "key": h.hypothesis.key, "statement": h.hypothesis.statement,
            "status": h.hypothesis.status, "agent": h.hypothesis.agent,
        })).collect::<Vec<_>>(),
        "experiments": r.experiments.iter().map(|x| json!({
            "similarity": x.similarity, "key": x.experiment.key, "outcome": x.outcome,
            "description": x.experiment.description, "hypothesis": x.experiment.hypothesis,
        })).collect::<Vec<_>>(),
    })
}

/// A page of a SPARQL result.
pub(super) fn sparql_page(
    store: &Arc<Store>,
    embedder: Option<Arc<dyn Embedder>>,
    a: &SparqlArgs,
    cancel: oxigraph::sparql::CancellationToken,
) -> crate::Result<Value> {
    use oxigraph::sparql::{QueryEvaluationError, QueryResults};
    let limit = bounded("limit", a.limit, 100, 1000)?;
    let from = offset(a.cursor.as_deref())?;
    let eval = |e: QueryEvaluationError| match e {
        QueryEvaluationError::Cancelled => Error::from(UserError::Timeout("the query was cancelled".into())),
        e => Error::from(UserError::SparqlEvaluation(e.to_string())),
    };
    let next = |taken: usize, more: bool| more.then(|| (from + taken).to_string());
    Ok(
        match crate::retrieval::sparql_search::query_cancellable(
            store,
            embedder,
            &a.query,
            &[],
            &[],
            Some(cancel),
            None,
        )? {
            QueryResults::Boolean(b) => json!({ "boolean": b }),
            QueryResults::Solutions(solutions) => {
                let vars: Vec<String> = solutions.variables().iter().map(|v| v.as_str().to_string()).collect();
                let mut rows = Vec::new();
                let mut more = false;
                for (i, s) in solutions.enumerate() {
                    let s = s.map_err(eval)?;
                    if i < from {
                        continue;
                    }
                    if rows.len() == limit {
                        more = true;
                        break;
                    }
                    let row: serde_json::Map<String, Value> = s
                        .iter()
                        .map(|(v, t)| (v.as_str().to_string(), Value::String(t.to_string())))
                        .collect();
                    rows.push(Value::Object(row));
                }
                let n = rows.len();
                json!({ "variables": vars, "rows": rows, "next_cursor": next(n, more) })
            }
            QueryResults::Graph(triples) => {
                let mut out = Vec::new();
                let mut more = false;
                for (i, t) in triples.enumerate() {
                    let t = t.map_err(eval)?;
                    if i < from {
                        continue;
                    }
                    if out.len() == limit {
                        more = true;
                        break;
                    }
                    out.push(format!("{t} ."));
                }
                let n = out.len();
                json!({ "triples": out, "next_cursor": next(n, more) })
            }
        },
    )
}

/// One paper, summary or a page of the full record.
pub(super) fn paper(record: crate::store::papers::PaperRecord, a: &GetPaperArgs) -> crate::Result<Value> {
    let r = &record.reference;
    match a.detail.unwrap_or_default() {
        Detail::Summary => {
            let mut sections: Vec<&str> = Vec::new();
            for p in &record.passages {
                if !sections.contains(&p.section.as_str()) {
                    sections.push(&p.section);
                }
            }
            let opening = record.passages.first().map(|p| cut_quote(&p.text, p.start, p.end));
            Ok(json!({
                "key": r.key, "iri": r.iri, "title": r.title,
                "authors": r.authors.iter().take(10).collect::<Vec<_>>(),
                "authors_total": r.authors.len(),
                "year": r.year, "venue": r.venue, "doi": r.doi, "link": r.link,
                "reference": crate::answers::formats::full_reference(r),
                "sections": sections,
                "passages_total": record.passages.len(),
                "facts_total": record.facts.len(),
                "opening": opening.map(|(text, end, cut)| json!({
                    "passage": record.passages[0].key, "section": record.passages[0].section,
                    "text": text, "start": record.passages[0].start, "end": end, "cut": cut,
                })),
            }))
        }
        Detail::Full => {
            let from = offset(a.cursor.as_deref())?;
            let page: Vec<_> = record.passages.iter().skip(from).take(PASSAGES_PAGE).collect();
            let next_cursor = (from + page.len() < record.passages.len()).then(|| (from + page.len()).to_string());
            let mut v = serde_json::to_value(r).map_err(|e| Error::journal(e.to_string()))?;
            v["passages"] = serde_json::to_value(&page).map_err(|e| Error::journal(e.to_string()))?;
            v["passages_total"] = json!(record.passages.len());
            if from == 0 {
                v["facts"] = json!(record.facts.iter().take(MAX_FACTS).collect::<Vec<_>>());
                v["facts_total"] = json!(record.facts.len());
            }
            v["next_cursor"] = json!(next_cursor);
            Ok(v)
        }
    }
}

/// The key of a paper resource URI.
pub(super) fn paper_key(uri: &str) -> Option<&str> {
    uri.strip_prefix(PAPER_URI).filter(|k| !k.is_empty())
}
