//! The MCP server for agents (rmcp, the official Rust SDK): the research tools, and the papers
//! as resources, over stdio (`hypatia mcp`) or streamable HTTP (`/mcp`, bridged in `http::mcp`).
//!
//! Results are sized for an agent's context: a short summary first, a limit and a cursor on
//! every list, quotes cut to a few hundred characters (with offsets that still match the cut
//! quote), the full record only when asked for (`detail: "full"`, or the paper resource), and a
//! `max_tokens` budget met by dropping the lowest-ranked items whole (`budget.rs`).
//!
//! Prompts spell out the common research moves (`prompts.rs`). The long tools (gaps, novelty,
//! findings) report their stages as progress and stop their work when the request is cancelled
//! (`watch.rs`).
//!
//! Tools that write (`propose_hypothesis`, `set_hypothesis_status`, `log_experiment`) need write
//! scope: over HTTP the caller's token decides (the bridge puts a [`Grant`] in the request), over
//! stdio the process owner has write scope unless `--read-only`.

mod answers;
mod args;
mod budget;
mod prompts;
mod tools;
mod watch;

pub use args::*;

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, CompletionInfo, Extensions, GetPromptRequestParams, GetPromptResponse,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference as CompletionRef, Resource,
    ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{tool_handler, ErrorData as McpError, RoleServer, ServerHandler};

use crate::common::error::{Error, UserError};
use crate::service::{blocking, Caller, Scope, Service};
use answers::*;

/// What the tools work on.
pub struct Context {
    /// The store, the embedding model (vector and hybrid search, findings, novelty and writes
    /// need it) and the SPARQL time and size limits, as the service layer holds them.
    pub service: Service,
    /// The scope of a caller without a [`Grant`] (stdio: the process owner).
    pub scope: Scope,
}

/// What the HTTP layer granted one request (its scope, and as whom it may write), carried in
/// its `http::Extensions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant(pub Caller);

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
    /// The level of log notifications this session asked for.
    logging: watch::Logging,
}

impl HypatiaMcp {
    /// A server over `ctx`.
    pub fn new(ctx: Arc<Context>) -> Self {
        HypatiaMcp {
            ctx,
            tool_router: Self::tool_router(),
            logging: watch::Logging::default(),
        }
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

#[tool_handler(router = self.tool_router)]
impl ServerHandler for HypatiaMcp {
    // Logging is deprecated by SEP-2577 but still part of the protocol versions clients speak.
    #[allow(deprecated)]
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_logging()
                .enable_completions()
                .enable_prompts()
                .enable_resources()
                .enable_tools()
                .build(),
        )
        .with_server_info(Implementation::new("hypatia", env!("CARGO_PKG_VERSION")).with_title("Hypatia"))
        .with_instructions(
            "Hypatia is a research memory: papers as citable passages and RDF facts, plus the hypotheses and \
             experiment runs agents record. Typical loop: gaps -> novelty -> propose_hypothesis -> run the \
             experiment -> log_experiment -> set_hypothesis_status. search and findings return verbatim quotes \
             with offsets; get_paper or the resource hypatia://paper/{key} gives a whole paper; sparql reads \
             everything else. The prompts find_gaps, check_novelty and summarise_evidence spell out these moves.",
        )
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let store = self.ctx.service.store.clone();
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
                    Some(iri) => crate::store::papers::reference(&store, key, &iri)?.map(|r| r.title),
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
        match self.ctx.service.paper(key).await {
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

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.logging.set(request.level);
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        prompts::get(&request.name, request.arguments.as_ref()).map(Into::into)
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let r = match &request.r#ref {
            CompletionRef::Resource(r) => r,
            CompletionRef::Prompt(p) => {
                let arg = &request.argument;
                let values = prompts::complete(&p.name, &arg.name, &arg.value).ok_or_else(|| {
                    McpError::invalid_params(format!("no prompt `{}` with an argument `{}`", p.name, arg.name), None)
                })?;
                let info = CompletionInfo::with_pagination(values.clone(), Some(values.len() as u32), false)
                    .map_err(|e| McpError::internal_error(e, None))?;
                return Ok(CompleteResult::new(info));
            }
            _ => {
                return Err(McpError::invalid_params(
                    "completions are offered for prompts and resource templates",
                    None,
                ))
            }
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
        let store = self.ctx.service.store.clone();
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
