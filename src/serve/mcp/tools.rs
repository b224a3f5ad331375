//! The tools: each parses its arguments, checks the caller's scope when it writes, and calls the
//! domain code on a blocking thread.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Extensions};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router, ErrorData as McpError, RoleServer};
use serde_json::json;

use super::watch::Call;
use super::*;
use crate::common::clock::as_of_param;
use crate::common::error::Error;
use crate::common::work::Watch;
use crate::research::gaps::GapQuery;
use crate::research::gate::GateRequest;
use crate::research::novelty::NoveltyRequest;
use crate::research::{HypothesisFilter, NewComparison, NewExperiment, NewHypothesis, PlateauQuery, StatusUpdate};
use crate::retrieval::search::SearchRequest;
use crate::service::Scope;
use crate::store::SearchFilter;

#[tool_router(vis = "pub(super)")]
impl HypatiaMcp {
    /// Search passages.
    #[tool(
        description = "Search the papers' passages (BM25, vector or hybrid). Returns ranked hits, each a verbatim \
                       quote (at most 300 characters, with its character offsets in the paper's text), the paper's \
                       key, title and year. Page with `cursor`; get the whole paper with get_paper.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search(&self, Parameters(a): Parameters<SearchArgs>) -> Result<CallToolResult, McpError> {
        reply(self.search_page(a).await)
    }

    /// An evidence pack.
    #[tool(
        description = "Answer a question with evidence: for the best passages, grouped by paper, the one to three \
                       sentences that answer it as a verbatim quote with offsets (the passage as context), the claims \
                       extracted from them, each with its stance to the question (supports / contradicts / related) \
                       where it can be told, and the full reference. Markdown with footnotes by default, or the \
                       pack as JSON.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn findings(
        &self,
        request: RequestContext<RoleServer>,
        Parameters(a): Parameters<FindingsArgs>,
    ) -> Result<CallToolResult, McpError> {
        let format = a.format.unwrap_or_default();
        let (call, watch) = Call::start("findings", &request, &self.logging);
        let pack = async {
            let max_tokens = budget::checked(a.max_tokens)?;
            let req = crate::answers::findings::FindingsRequest {
                question: a.question,
                mode: mode(a.mode.as_deref())?,
                papers: bounded("papers", a.papers, 5, 20)?,
                per_paper: bounded("per_paper", a.per_paper, 2, crate::answers::findings::MAX_PER_PAPER)?,
                filter: SearchFilter {
                    year_from: a.year_from,
                    year_to: a.year_to,
                    ..Default::default()
                },
                include_retracted: a.include_retracted.unwrap_or(false),
                as_of: as_of_param(a.as_of.as_deref(), a.clock)?,
            };
            Ok((self.ctx.service.findings_watched(req, watch).await?, max_tokens))
        }
        .await;
        call.end(&pack).await;
        match pack {
            Ok((p, max_tokens)) => budget::pack_reply(p, format, max_tokens),
            Err(e) => failed(e),
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
        reply(
            self.ctx
                .service
                .sparql(move |store, embedder, cancel| sparql_page(store, embedder, &a, cancel))
                .await,
        )
    }

    /// One paper.
    #[tool(
        description = "Get one paper by key or IRI. detail=summary (default): the reference, authors, sections and \
                       opening text. detail=full: its passages (20 per page, page with `cursor`) with offsets, and \
                       its facts as triples.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_paper(&self, Parameters(a): Parameters<GetPaperArgs>) -> Result<CallToolResult, McpError> {
        reply(async { paper(self.ctx.service.paper(a.id.clone()).await?, &a) }.await)
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
        // On a large store the search takes tens of seconds: a caller that sent a progress token
        // hears of each step (corpus loaded, each kind done), and a cancelled call stops it.
        let (call, watch) = Call::start("gaps", &request, &self.logging);
        let result = async {
            let q = GapQuery {
                kind: a.kind,
                concept: a.concept,
                as_of: a.as_of,
                limit: bounded("limit", a.limit, 5, 50)?,
            };
            let max_tokens = budget::checked(a.max_tokens)?;
            let gaps = self.ctx.service.gaps(q, watch).await?;
            let mut v = match a.detail.unwrap_or_default() {
                Detail::Full => json!({ "gaps": gaps }),
                Detail::Summary => json!({ "gaps": gaps.iter().map(gap_summary).collect::<Vec<_>>() }),
            };
            budget::fit(&mut v, max_tokens, budget::pop_lowest_gap);
            Ok(v)
        }
        .await;
        call.end(&result).await;
        reply(result)
    }

    /// Propose a hypothesis.
    #[tool(
        description = "Record a hypothesis (status proposed) as a nanopublication with provenance: a statement, the \
                       proposing agent, and optionally the concepts, the gap (as `gaps` returned it), the passages \
                       behind it, and `derived_from`: earlier hypotheses (key) it refines, combines or \
                       contradicts. Proposing the same statement again as the same agent returns the stored one. \
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
        reply(self.ctx.service.propose(actor, h).await)
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
        let update = StatusUpdate {
            status: a.status,
            agent: a.agent,
            outcomes: a.outcomes,
            note: a.note,
        };
        reply(self.ctx.service.set_status(actor, a.hypothesis, update).await)
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
        reply(self.ctx.service.log_experiment(actor, x).await)
    }

    /// Compare two hypotheses.
    #[tool(
        description = "Record a pairwise judgement of two hypotheses (winner and loser, or draw: true) with your \
                       rationale, as in a tournament. Every hypothesis has an Elo rating (1200 at first, K = 32) \
                       computed from all comparisons in the order they were recorded; the answer gives both ratings \
                       after this one. Each call is a new match; give `match` (an id of yours) to make retries \
                       safe. Needs write scope.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn compare_hypotheses(
        &self,
        ext: Extensions,
        Parameters(c): Parameters<NewComparison>,
    ) -> Result<CallToolResult, McpError> {
        let actor = match self.allow(&ext, "compare_hypotheses", Scope::Write) {
            Ok(a) => a,
            Err(e) => return failed(e),
        };
        reply(self.ctx.service.compare(actor, c).await)
    }

    /// Hypotheses.
    #[tool(
        description = "List stored hypotheses (newest first, or sort by rating or evidence; filter by status or \
                       agent), each with its lineage (derived_from, derivatives) and Elo rating; or get one by key \
                       with its status history, the experiment runs that tested it, and per metric whether the runs \
                       have plateaued (no gain above plateau_threshold over the best for plateau_window runs).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn hypotheses(&self, Parameters(a): Parameters<HypothesesArgs>) -> Result<CallToolResult, McpError> {
        reply(
            async {
                let svc = &self.ctx.service;
                if let Some(id) = a.id {
                    let plateau = PlateauQuery {
                        plateau_metric: a.plateau_metric,
                        plateau_direction: a.plateau_direction,
                        plateau_window: a.plateau_window,
                        plateau_threshold: a.plateau_threshold,
                    }
                    .settings()?;
                    return Ok(json!({ "hypothesis": svc.hypothesis(id, plateau).await? }));
                }
                let f = HypothesisFilter {
                    status: a.status,
                    agent: a.agent,
                    flag: a.flag,
                    sort: a.sort,
                    order: a.order,
                    limit: Some(bounded("limit", a.limit, 20, 100)?),
                };
                Ok(json!({ "hypotheses": svc.hypotheses(f).await? }))
            }
            .await,
        )
    }

    /// The gate.
    #[tool(
        description = "Before running a change, ask whether it was tried: answers proceed, warn (something like it \
                       was kept, is close, or the literature covers it) or refuse (a repeat of a discarded or \
                       crashed run), with the nearest past runs (similarity, outcome, whether numbers and \
                       parameters match) and papers. Thresholds (refuse_at, warn_at, literature_at) are yours \
                       to set. Log the run afterwards with log_experiment so the next gate knows.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn gate(&self, Parameters(a): Parameters<GateArgs>) -> Result<CallToolResult, McpError> {
        reply(self.gate_answer(a).await)
    }

    /// Novelty.
    #[tool(
        description = "Check an idea for novelty before spending compute on it: the nearest papers (with their \
                       claims), the nearest past hypotheses and experiment runs with their outcomes (\"tried on ... \
                       by ..., discarded, val_bpb 1.02\"), and a novelty score (1 - the highest similarity).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn novelty(
        &self,
        request: RequestContext<RoleServer>,
        Parameters(a): Parameters<NoveltyArgs>,
    ) -> Result<CallToolResult, McpError> {
        let (call, watch) = Call::start("novelty", &request, &self.logging);
        let answer = self.novelty_answer(a, watch).await;
        call.end(&answer).await;
        reply(answer)
    }
}

impl HypatiaMcp {
    /// One page of search hits, summarised, with the cursor of the next.
    async fn search_page(&self, a: SearchArgs) -> crate::Result<Page<serde_json::Value>> {
        let limit = bounded("limit", a.limit, 10, 50)?;
        let max_tokens = budget::checked(a.max_tokens)?;
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
            tuning: crate::retrieval::search::Tuning {
                rerank: a.rerank.unwrap_or(crate::retrieval::search::RERANK),
                ..Default::default()
            },
            as_of: as_of_param(a.as_of.as_deref(), a.clock)?,
            ..Default::default()
        };
        let mode = req.mode;
        let hits = self.ctx.service.search(req).await?;
        let full = hits.len() == depth && depth < MAX_SEARCH_DEPTH;
        let page: Vec<HitSummary> = hits.iter().skip(from).map(HitSummary::of_hit).collect();
        let mut items = json!({ "mode": mode, "hits": page });
        // Hits dropped to fit the budget are the next page's first.
        let dropped = budget::fit(&mut items, max_tokens, |v| budget::pop(v, "hits"));
        let kept = page.len() - dropped;
        let next_cursor = (kept > 0 && (full || dropped > 0)).then(|| (from + kept).to_string());
        Ok(Page { items, next_cursor })
    }

    /// The gate's answer, in full or summarised.
    async fn gate_answer(&self, a: GateArgs) -> crate::Result<serde_json::Value> {
        let req = GateRequest {
            change: a.change,
            parameters: a.parameters.unwrap_or_default(),
            refuse_at: a.refuse_at,
            warn_at: a.warn_at,
            literature_at: a.literature_at,
            k: Some(bounded("k", a.k, 5, 20)?),
        };
        let r = self.ctx.service.gate(req).await?;
        if a.detail.unwrap_or_default() == Detail::Full {
            return serde_json::to_value(r).map_err(|e| Error::journal(e.to_string()));
        }
        Ok(json!({
            "decision": r.decision,
            "reasons": r.reasons,
            "thresholds": r.thresholds,
            "runs": r.runs.iter().map(|x| json!({
                "similarity": x.similarity, "repeat": x.repeat, "key": x.experiment.key,
                "status": x.experiment.status, "outcome": x.outcome, "description": x.experiment.description,
            })).collect::<Vec<_>>(),
            "literature": r.literature.iter().map(|p| {
                let h = HitSummary::new(0, p.similarity, &p.citation);
                json!({ "similarity": p.similarity, "paper": h.paper, "title": h.title, "year": h.year,
                        "passage": h.passage, "quote": h.quote, "start": h.start, "end": h.end })
            }).collect::<Vec<_>>(),
        }))
    }

    /// The novelty report, in full or summarised.
    async fn novelty_answer(&self, a: NoveltyArgs, watch: Watch<'static>) -> crate::Result<serde_json::Value> {
        let max_tokens = budget::checked(a.max_tokens)?;
        let req = NoveltyRequest {
            idea: a.idea,
            k: Some(bounded("k", a.k, 5, 20)?),
            as_of: a.as_of,
            clock: a.clock,
        };
        let r = self.ctx.service.novelty_watched(req, watch).await?;
        let mut v = match a.detail.unwrap_or_default() {
            Detail::Full => serde_json::to_value(r).map_err(|e| Error::journal(e.to_string()))?,
            Detail::Summary => novelty_summary(&r),
        };
        budget::fit(&mut v, max_tokens, |v| {
            budget::pop_least_similar(v, &["papers", "hypotheses", "experiments"])
        });
        Ok(v)
    }
}
