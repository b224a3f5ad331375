//! The MCP server for agents (rmcp, the official Rust SDK): the research tools, and the papers
//! as resources, over stdio (`hypatia mcp`) or streamable HTTP (`/mcp`, bridged in `http::mcp`).
//!
//! Results are sized for an agent's context: a short summary first, a limit and a cursor on
//! every list, quotes cut to a few hundred characters (with offsets that still match the cut
//! quote), and the full record only when asked for (`detail: "full"`, or the paper resource).
//!
//! Tools that write (`propose_hypothesis`, `set_hypothesis_status`, `log_experiment`) need write
//! scope: over HTTP the caller's token decides (the bridge puts a [`Grant`] in the request), over
//! stdio the process owner has write scope unless `--read-only`.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, CompleteRequestParams, CompleteResult, CompletionInfo, Extensions, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams, ProgressNotificationParam,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference as CompletionRef, Resource,
    ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData as McpError, RoleServer, ServerHandler};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::embed::Embedder;
use crate::error::{Error, UserError};
use crate::gaps::{GapKind, GapQuery};
use crate::http::{Limits, Scope};
use crate::novelty::NoveltyRequest;
use crate::papers::Citation;
use crate::research::{HypothesisFilter, HypothesisStatus, NewExperiment, NewHypothesis, StatusUpdate};
use crate::search::{Mode, SearchRequest};
use crate::store::{SearchFilter, Store};

/// What the tools work on.
pub struct Context {
    /// The store.
    pub store: Arc<Store>,
    /// The embedding model (vector and hybrid search, findings, novelty and writes need it).
    pub embedder: Option<Arc<dyn Embedder>>,
    /// SPARQL time and size limits.
    pub limits: Limits,
    /// The scope of a caller without a [`Grant`] (stdio: the process owner).
    pub scope: Scope,
}

/// What the HTTP layer granted one request (its scope, and as whom it may write), carried in
/// its `http::Extensions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant(pub crate::http::Caller);

/// The URI scheme of paper resources: `hypatia://paper/{key}`.
pub const PAPER_URI: &str = "hypatia://paper/";

/// Longest quote in a summary, in characters.
const QUOTE_CHARS: usize = 300;
/// Most papers per page of `resources/list`.
const RESOURCES_PAGE: usize = 50;
/// Most passages per page of a full paper.
const PASSAGES_PAGE: usize = 20;
/// Most facts in a full paper.
const MAX_FACTS: usize = 200;
/// Deepest a search may page (offset + limit).
const MAX_SEARCH_DEPTH: usize = 200;

/// The MCP server: one per session, cheap to clone.
#[derive(Clone)]
pub struct HypatiaMcp {
    ctx: Arc<Context>,
    tool_router: ToolRouter<Self>,
}

/// How much of a record to return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// A short summary (the default).
    #[default]
    Summary,
    /// Everything.
    Full,
}

/// Arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for, in words.
    pub query: String,
    /// bm25, vector or hybrid (default hybrid).
    #[serde(default)]
    pub mode: Option<String>,
    /// Hits per page (default 10, at most 50).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Only papers from this year on.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Only papers up to this year.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// Only passages of this section (e.g. "abstract", "results").
    #[serde(default)]
    pub section: Option<String>,
    /// Only papers of this venue.
    #[serde(default)]
    pub venue: Option<String>,
}

/// Arguments of `findings`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingsArgs {
    /// The question.
    pub question: String,
    /// Most papers (default 5, at most 20).
    #[serde(default)]
    pub papers: Option<usize>,
    /// Most passages per paper (default 2, at most 10).
    #[serde(default)]
    pub per_paper: Option<usize>,
    /// bm25, vector or hybrid (default hybrid).
    #[serde(default)]
    pub mode: Option<String>,
    /// Only papers from this year on.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Only papers up to this year.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// markdown (quotes with footnoted references; the default) or json (the whole pack).
    #[serde(default)]
    pub format: Option<PackFormat>,
}

/// The formats of an evidence pack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackFormat {
    /// Markdown with footnotes.
    #[default]
    Markdown,
    /// The evidence pack as JSON.
    Json,
}

/// Arguments of `sparql`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SparqlArgs {
    /// A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); `SERVICE hyp:search` works
    /// inside it.
    pub query: String,
    /// Rows or triples per page (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Arguments of `get_paper`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetPaperArgs {
    /// The paper's key (from search results) or IRI.
    pub id: String,
    /// summary (reference, sections, opening text; the default) or full (passages, 20 per page,
    /// and the paper's facts).
    #[serde(default)]
    pub detail: Option<Detail>,
    /// With detail full: the `next_cursor` of the previous page of passages.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Arguments of `gaps`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GapsArgs {
    /// missing_link, untested_combination, open_question or contested_claim; all kinds when
    /// absent.
    #[serde(default)]
    pub kind: Option<GapKind>,
    /// Only gaps touching this concept (IRI or label).
    #[serde(default)]
    pub concept: Option<String>,
    /// Only papers up to this year count.
    #[serde(default)]
    pub as_of: Option<i32>,
    /// Most gaps of each kind (default 5, at most 50).
    #[serde(default)]
    pub limit: Option<usize>,
    /// summary (the default) or full (every concept, evidence span and score feature).
    #[serde(default)]
    pub detail: Option<Detail>,
}

/// Arguments of `set_hypothesis_status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatusArgs {
    /// The hypothesis' key or IRI.
    pub hypothesis: String,
    /// testing, supported, refuted or inconclusive.
    pub status: HypothesisStatus,
    /// Who changes it.
    pub agent: String,
    /// The experiments (keys or IRIs) the change rests on; at least one for supported and
    /// refuted.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
}

/// Arguments of `hypotheses`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HypothesesArgs {
    /// One hypothesis (key or IRI), with its status history and experiments; else a list.
    #[serde(default)]
    pub id: Option<String>,
    /// Only this status.
    #[serde(default)]
    pub status: Option<HypothesisStatus>,
    /// Only this agent's.
    #[serde(default)]
    pub agent: Option<String>,
    /// Most hypotheses, newest first (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `novelty`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoveltyArgs {
    /// The idea, in a sentence or a paragraph.
    pub idea: String,
    /// Nearest papers, hypotheses and experiments, each (default 5, at most 20).
    #[serde(default)]
    pub k: Option<usize>,
    /// summary (the default) or full (whole records).
    #[serde(default)]
    pub detail: Option<Detail>,
}

/// A search hit, short.
#[derive(Debug, Serialize)]
struct HitSummary {
    rank: usize,
    score: f32,
    paper: String,
    title: String,
    year: Option<i32>,
    passage: String,
    section: String,
    /// Verbatim, at most [`QUOTE_CHARS`] characters; `start..end` are its offsets in the
    /// paper's text.
    quote: String,
    start: usize,
    end: usize,
    /// The passage goes on past `end` (get_paper has it whole).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    cut: bool,
}

impl HitSummary {
    fn new(rank: usize, score: f32, c: &Citation) -> Self {
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
        }
    }
}

/// The first [`QUOTE_CHARS`] characters of a quote, its new end offset, and whether it was cut.
fn cut_quote(quote: &str, start: usize, end: usize) -> (String, usize, bool) {
    match quote.char_indices().nth(QUOTE_CHARS) {
        Some((i, _)) => (quote[..i].to_string(), start + QUOTE_CHARS, true),
        None => (quote.to_string(), end, false),
    }
}

/// A page of results: the items and the cursor of the next page.
#[derive(Debug, Serialize)]
struct Page<T> {
    #[serde(flatten)]
    items: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

fn offset(cursor: Option<&str>) -> crate::Result<usize> {
    cursor.map_or(Ok(0), |c| {
        c.parse()
            .map_err(|_| Error::invalid("cursor", format!("`{c}` is not a cursor this server gave")))
    })
}

fn bounded(field: &str, value: Option<usize>, default: usize, max: usize) -> crate::Result<usize> {
    let v = value.unwrap_or(default);
    if v == 0 || v > max {
        return Err(Error::invalid(field, format!("{v}: expected 1 to {max}")));
    }
    Ok(v)
}

fn mode(m: Option<&str>) -> crate::Result<Mode> {
    m.map_or(Ok(Mode::Hybrid), str::parse)
}

/// A tool's answer: a JSON value as structured content (and its text).
fn answer(value: impl Serialize) -> Result<CallToolResult, McpError> {
    let v = serde_json::to_value(value).map_err(|e| McpError::internal_error(e.to_string(), None))?;
    Ok(CallToolResult::structured(v))
}

/// A failed call: the caller's mistakes come back as a tool error the agent can read and fix;
/// ours as a protocol error with the details left in the log.
fn failed(e: Error) -> Result<CallToolResult, McpError> {
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

/// Runs blocking store work off the async executor.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> crate::Result<T> + Send + 'static) -> crate::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::journal(format!("blocking task failed: {e}")))?
}

/// Turns a result into a tool answer.
fn reply<T: Serialize>(r: crate::Result<T>) -> Result<CallToolResult, McpError> {
    r.map_or_else(failed, answer)
}

impl HypatiaMcp {
    /// A server over `ctx`.
    pub fn new(ctx: Arc<Context>) -> Self {
        HypatiaMcp {
            ctx,
            tool_router: Self::tool_router(),
        }
    }

    fn model(&self) -> crate::Result<Arc<dyn Embedder>> {
        self.ctx
            .embedder
            .clone()
            .ok_or_else(|| UserError::Setup("this needs the embedding model; it is not loaded".into()).into())
    }

    /// Checks that the caller of this request may act with scope `need`, and says as whom it
    /// writes: over HTTP the token's identity, over stdio the process owner.
    fn allow(&self, ext: &Extensions, tool: &str, need: Scope) -> crate::Result<crate::research::Actor> {
        let (granted, actor) = match ext
            .get::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Grant>())
        {
            Some(g) => (g.0.scope, g.0.actor.clone()),
            None => (self.ctx.scope, crate::research::Actor::local()),
        };
        if granted >= need {
            return Ok(actor);
        }
        Err(UserError::Forbidden(format!(
            "{tool} writes to the store and needs write scope; this connection may only read \
             (over HTTP: a token with write scope, or --writes on a server without tokens)"
        ))
        .into())
    }
}

#[tool_router]
impl HypatiaMcp {
    /// Search passages.
    #[tool(
        description = "Search the papers' passages (BM25, vector or hybrid). Returns ranked hits, each a verbatim \
                       quote (at most 300 characters, with its character offsets in the paper's text), the paper's \
                       key, title and year. Page with `cursor`; get the whole paper with get_paper.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search(&self, Parameters(a): Parameters<SearchArgs>) -> Result<CallToolResult, McpError> {
        let (store, embedder) = (self.ctx.store.clone(), self.ctx.embedder.clone());
        reply(
            blocking(move || {
                let limit = bounded("limit", a.limit, 10, 50)?;
                let from = offset(a.cursor.as_deref())?;
                let depth = (from + limit).min(MAX_SEARCH_DEPTH);
                let req = SearchRequest {
                    query: a.query,
                    mode: mode(a.mode.as_deref())?,
                    k: depth,
                    filter: SearchFilter {
                        year_from: a.year_from,
                        year_to: a.year_to,
                        section: a.section,
                        venue: a.venue,
                    },
                    tuning: Default::default(),
                };
                let hits = crate::search::search(&store, embedder.as_deref(), &req)?;
                let full = hits.len() == depth && depth < MAX_SEARCH_DEPTH;
                let page: Vec<HitSummary> = hits
                    .iter()
                    .skip(from)
                    .map(|h| HitSummary::new(h.rank, h.score, &h.citation))
                    .collect();
                let next_cursor = (full && !page.is_empty()).then(|| (from + page.len()).to_string());
                Ok(Page {
                    items: json!({ "mode": req.mode, "hits": page }),
                    next_cursor,
                })
            })
            .await,
        )
    }

    /// An evidence pack.
    #[tool(
        description = "Answer a question with evidence: the best passages grouped by paper, each a verbatim quote \
                       with offsets, the claims extracted from it (with polarity), and the full reference. Markdown \
                       with footnotes by default, or the pack as JSON.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn findings(&self, Parameters(a): Parameters<FindingsArgs>) -> Result<CallToolResult, McpError> {
        let (store, embedder) = (self.ctx.store.clone(), self.ctx.embedder.clone());
        let format = a.format.unwrap_or_default();
        let pack = blocking(move || {
            let req = crate::findings::FindingsRequest {
                question: a.question,
                mode: mode(a.mode.as_deref())?,
                papers: bounded("papers", a.papers, 5, 20)?,
                per_paper: bounded("per_paper", a.per_paper, 2, crate::findings::MAX_PER_PAPER)?,
                filter: SearchFilter {
                    year_from: a.year_from,
                    year_to: a.year_to,
                    ..Default::default()
                },
            };
            crate::findings::find(&store, embedder.as_deref(), &req)
        })
        .await;
        match (pack, format) {
            (Ok(p), PackFormat::Markdown) => Ok(CallToolResult::success(vec![rmcp::model::ContentBlock::text(
                crate::findings::to_markdown(&p),
            )])),
            (pack, PackFormat::Json) => reply(pack),
            (Err(e), _) => failed(e),
        }
    }

    /// SPARQL.
    #[tool(
        description = "Run a read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the knowledge graph: \
                       papers (schema.org, bibo, dcterms), passages, extracted concepts, claims and results (the hyp: \
                       vocabulary, https://w3id.org/hypatia/ns#), hypotheses and experiment runs. Terms come in \
                       N-Triples syntax. Rows are paged with `cursor`. The server's query timeout applies.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn sparql(&self, Parameters(a): Parameters<SparqlArgs>) -> Result<CallToolResult, McpError> {
        let (store, embedder, limits) = (self.ctx.store.clone(), self.ctx.embedder.clone(), self.ctx.limits);
        let cancel = oxigraph::sparql::CancellationToken::new();
        let timer = {
            let cancel = cancel.clone();
            tokio::spawn(async move {
                tokio::time::sleep(limits.query_timeout).await;
                cancel.cancel();
            })
        };
        let r = blocking(move || sparql_page(&store, embedder, &a, cancel)).await;
        timer.abort();
        reply(r.map_err(|e| {
            match e {
                Error::User(UserError::Timeout(_)) => UserError::Timeout(format!(
                    "the query ran longer than {} s and was cancelled",
                    limits.query_timeout.as_secs_f64()
                ))
                .into(),
                e => e,
            }
        }))
    }

    /// One paper.
    #[tool(
        description = "Get one paper by key or IRI. detail=summary (default): the reference, authors, sections and \
                       opening text. detail=full: its passages (20 per page, page with `cursor`) with offsets, and \
                       its facts as triples.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_paper(&self, Parameters(a): Parameters<GetPaperArgs>) -> Result<CallToolResult, McpError> {
        let store = self.ctx.store.clone();
        reply(blocking(move || paper(&store, &a)).await)
    }

    /// Research gaps.
    #[tool(
        description = "Find research gaps in the stored literature: missing links between concepts, untested method \
                       x dataset combinations, open questions nobody answered, contested claims. Each gap has a score, \
                       an explanation, its concepts and verbatim evidence. Pass a gap (or its concepts) to \
                       propose_hypothesis.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn gaps(
        &self,
        request: RequestContext<RoleServer>,
        Parameters(a): Parameters<GapsArgs>,
    ) -> Result<CallToolResult, McpError> {
        let store = self.ctx.store.clone();
        // A caller that sent a progress token hears of each step (corpus loaded, each kind done):
        // on a large store the search takes tens of seconds.
        let (steps, forward) = match request.meta.get_progress_token() {
            Some(token) => {
                let (steps, mut heard) = tokio::sync::mpsc::unbounded_channel::<crate::gaps::Step>();
                let peer = request.peer.clone();
                let forward = tokio::spawn(async move {
                    while let Some(step) = heard.recv().await {
                        let note = ProgressNotificationParam::new(token.clone(), step.done as f64)
                            .with_total(step.total as f64)
                            .with_message(step.what);
                        if peer.notify_progress(note).await.is_err() {
                            break;
                        }
                    }
                });
                (Some(steps), Some(forward))
            }
            None => (None, None),
        };
        let result = blocking(move || {
            let q = GapQuery {
                kind: a.kind,
                concept: a.concept,
                as_of: a.as_of,
                limit: bounded("limit", a.limit, 5, 50)?,
            };
            let gaps = crate::gaps::find_gaps_reporting(&store, &q, &mut |step| {
                if let Some(steps) = &steps {
                    let _ = steps.send(step);
                }
            })?;
            Ok(match a.detail.unwrap_or_default() {
                Detail::Full => json!({ "gaps": gaps }),
                Detail::Summary => json!({ "gaps": gaps.iter().map(gap_summary).collect::<Vec<_>>() }),
            })
        })
        .await;
        // The sender went with the search, so the forwarder ends once it has sent every step:
        // the notifications precede the answer.
        if let Some(forward) = forward {
            let _ = forward.await;
        }
        reply(result)
    }

    /// Propose a hypothesis.
    #[tool(
        description = "Record a hypothesis (status proposed) as a nanopublication with provenance: a statement, the \
                       proposing agent, and optionally the concepts, the gap (as `gaps` returned it) and the passages \
                       behind it. Proposing the same statement again as the same agent returns the stored one. \
                       Needs write scope.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn propose_hypothesis(
        &self,
        ext: Extensions,
        Parameters(h): Parameters<NewHypothesis>,
    ) -> Result<CallToolResult, McpError> {
        let actor = match self.allow(&ext, "propose_hypothesis", Scope::Write) {
            Ok(a) => a,
            Err(e) => return failed(e),
        };
        let store = self.ctx.store.clone();
        let model = self.model();
        reply(blocking(move || crate::research::propose(&store, model?.as_ref(), &actor, &h)).await)
    }

    /// Change a hypothesis' status.
    #[tool(
        description = "Move a hypothesis to testing, supported, refuted or inconclusive, naming the experiment runs \
                       the change rests on (at least one for supported and refuted). Every change is kept in its \
                       history. Needs write scope.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn set_hypothesis_status(
        &self,
        ext: Extensions,
        Parameters(a): Parameters<SetStatusArgs>,
    ) -> Result<CallToolResult, McpError> {
        let actor = match self.allow(&ext, "set_hypothesis_status", Scope::Write) {
            Ok(a) => a,
            Err(e) => return failed(e),
        };
        let store = self.ctx.store.clone();
        let update = StatusUpdate {
            status: a.status,
            agent: a.agent,
            outcomes: a.outcomes,
            note: a.note,
        };
        reply(blocking(move || crate::research::set_status(&store, &actor, &a.hypothesis, &update)).await)
    }

    /// Log an experiment run.
    #[tool(
        description = "Log an experiment run: what was tried, keep/discard/crash, metrics (name, value, unit, split), \
                       parameters, code version, notes, artefacts, and the hypothesis it tests (which then moves to \
                       testing). It becomes facts others can query and novelty checks see. Give an \
                       idempotency_key to make retries safe. Needs write scope.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn log_experiment(
        &self,
        ext: Extensions,
        Parameters(x): Parameters<NewExperiment>,
    ) -> Result<CallToolResult, McpError> {
        let actor = match self.allow(&ext, "log_experiment", Scope::Write) {
            Ok(a) => a,
            Err(e) => return failed(e),
        };
        let store = self.ctx.store.clone();
        let model = self.model();
        reply(blocking(move || crate::research::log_experiment(&store, model?.as_ref(), &actor, &x)).await)
    }

    /// Hypotheses.
    #[tool(
        description = "List stored hypotheses (newest first; filter by status or agent), or get one by key with its \
                       status history and the experiment runs that tested it.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn hypotheses(&self, Parameters(a): Parameters<HypothesesArgs>) -> Result<CallToolResult, McpError> {
        let store = self.ctx.store.clone();
        reply(
            blocking(move || {
                if let Some(id) = &a.id {
                    return Ok(json!({ "hypothesis": crate::research::hypothesis(&store, id)? }));
                }
                let f = HypothesisFilter {
                    status: a.status,
                    agent: a.agent,
                    limit: Some(bounded("limit", a.limit, 20, 100)?),
                };
                Ok(json!({ "hypotheses": crate::research::hypotheses(&store, &f)? }))
            })
            .await,
        )
    }

    /// Novelty.
    #[tool(
        description = "Check an idea for novelty before spending compute on it: the nearest papers (with their \
                       claims), the nearest past hypotheses and experiment runs with their outcomes (\"tried on ... \
                       by ..., discarded, val_bpb 1.02\"), and a novelty score (1 - the highest similarity).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn novelty(&self, Parameters(a): Parameters<NoveltyArgs>) -> Result<CallToolResult, McpError> {
        let store = self.ctx.store.clone();
        let model = self.model();
        reply(
            blocking(move || {
                let req = NoveltyRequest {
                    idea: a.idea,
                    k: Some(bounded("k", a.k, 5, 20)?),
                };
                let r = crate::novelty::novelty(&store, model?.as_ref(), &req)?;
                if a.detail.unwrap_or_default() == Detail::Full {
                    return serde_json::to_value(r).map_err(|e| Error::journal(e.to_string()));
                }
                Ok(json!({
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
                }))
            })
            .await,
        )
    }
}

/// A gap, short: its kind, score, explanation, concept labels and two evidence quotes.
fn gap_summary(g: &crate::gaps::Gap) -> Value {
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

/// A page of a SPARQL result.
fn sparql_page(
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
        match crate::sparql_search::query_cancellable(store, embedder, &a.query, &[], &[], Some(cancel), None)? {
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
fn paper(store: &Store, a: &GetPaperArgs) -> crate::Result<Value> {
    let record = crate::papers::paper_record(store, &a.id)?;
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
                "reference": crate::findings::full_reference(r),
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
fn paper_key(uri: &str) -> Option<&str> {
    uri.strip_prefix(PAPER_URI).filter(|k| !k.is_empty())
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for HypatiaMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_completions()
                .build(),
        )
        .with_server_info(Implementation::new("hypatia", env!("CARGO_PKG_VERSION")).with_title("Hypatia"))
        .with_instructions(
            "Hypatia is a research memory: papers as citable passages and RDF facts, plus the hypotheses and \
             experiment runs agents record. Typical loop: gaps -> novelty -> propose_hypothesis -> run the \
             experiment -> log_experiment -> set_hypothesis_status. search and findings return verbatim quotes \
             with offsets; get_paper or the resource hypatia://paper/{key} gives a whole paper; sparql reads \
             everything else.",
        )
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let store = self.ctx.store.clone();
        let cursor = request.and_then(|r| r.cursor);
        let page = blocking(move || {
            let keys = store.graph_paper_keys()?;
            let after = cursor.unwrap_or_default();
            let mut out = Vec::new();
            let mut more = false;
            for key in keys.range::<String, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded)) {
                if out.len() == RESOURCES_PAGE {
                    more = true;
                    break;
                }
                // The title from the paper's reference alone (not its whole record, facts and all).
                let iri = store.text().passages_of(key)?.into_iter().next().map(|p| p.paper_iri);
                let title = match iri {
                    Some(iri) => crate::papers::reference(&store, key, &iri)?.map(|r| r.title),
                    None => None,
                }
                .unwrap_or_default();
                let mut r = Resource::new(format!("{PAPER_URI}{key}"), key.clone())
                    .with_mime_type("application/json")
                    .with_description("A paper: reference, passages with offsets, facts");
                if !title.is_empty() {
                    r = r.with_title(title);
                }
                out.push(r);
            }
            let next = more.then(|| out.last().map(|r| r.name.clone())).flatten();
            Ok((out, next))
        })
        .await
        .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        let mut result = ListResourcesResult::with_all_items(page.0);
        result.next_cursor = page.1;
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{PAPER_URI}{{key}}"), "paper")
                .with_title("A paper by key")
                .with_description("The paper's reference, passages (with character offsets) and facts, as JSON")
                .with_mime_type("application/json"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri;
        let Some(key) = paper_key(&uri).map(str::to_string) else {
            return Err(McpError::resource_not_found(
                format!("`{uri}`: resources here are {PAPER_URI}{{key}}"),
                None,
            ));
        };
        let store = self.ctx.store.clone();
        match blocking(move || crate::papers::paper_record(&store, &key)).await {
            Ok(record) => {
                let text = serde_json::to_string(&record).map_err(|e| McpError::internal_error(e.to_string(), None))?;
                Ok(ReadResourceResult::new(vec![ResourceContents::TextResourceContents {
                    uri,
                    mime_type: Some("application/json".into()),
                    text,
                    meta: None,
                }])
                .into())
            }
            Err(Error::User(UserError::NotFound(m))) => Err(McpError::resource_not_found(m, None)),
            Err(e) => Err(McpError::internal_error(e.to_string(), None)),
        }
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let CompletionRef::Resource(r) = &request.r#ref else {
            return Err(McpError::invalid_params("this server has no prompts to complete", None));
        };
        if r.uri != format!("{PAPER_URI}{{key}}") || request.argument.name != "key" {
            return Err(McpError::invalid_params(
                format!(
                    "completions are offered for the `key` of {PAPER_URI}{{key}} only, not `{}`",
                    r.uri
                ),
                None,
            ));
        }
        let prefix = request.argument.value.clone();
        let store = self.ctx.store.clone();
        let keys = blocking(move || {
            Ok(store
                .graph_paper_keys()?
                .into_iter()
                .filter(|k| k.starts_with(&prefix))
                .collect::<Vec<_>>())
        })
        .await
        .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        let total = keys.len();
        let values: Vec<String> = keys.into_iter().take(CompletionInfo::MAX_VALUES).collect();
        let info = CompletionInfo::with_pagination(values, Some(total as u32), total > CompletionInfo::MAX_VALUES)
            .map_err(|e| McpError::internal_error(e, None))?;
        Ok(CompleteResult::new(info))
    }
}

/// Serves MCP over stdin/stdout until the client closes it.
pub async fn serve_stdio(ctx: Arc<Context>) -> anyhow::Result<()> {
    use rmcp::ServiceExt;
    let running = HypatiaMcp::new(ctx).serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}
