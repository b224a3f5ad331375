//! Who writes a research record: the credential a write came through and the agent ids it may
//! act as, checked before a write and recorded in its provenance.

use crate::common::error::{Result, UserError};

/// Who writes a research record: the credential the write came through, which is recorded in
/// the record's provenance, and the agent ids it may act as. An agent id in a request is only
/// accepted when the credential is bound to it, so `prov:wasAttributedTo` says who really
/// wrote; changing the status of another agent's hypothesis needs an admin credential or one
/// bound to that agent too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The credential's name: an API token's name, `anonymous` (a server without tokens that
    /// lets its network write), or `local` (the command line, MCP over stdio).
    pub credential: String,
    /// The agent ids it may act as; `None` for any.
    pub agents: Option<Vec<String>>,
    /// Whether it may change any agent's hypothesis.
    pub admin: bool,
}

impl Actor {
    /// The owner of the process (command line, MCP over stdio): any agent, any hypothesis.
    pub fn local() -> Self {
        Actor {
            credential: "local".into(),
            agents: None,
            admin: true,
        }
    }

    /// A caller without a token on a server that lets its network write: it may name any agent
    /// (nothing can check it), and that is what its provenance says.
    pub fn anonymous() -> Self {
        Actor {
            credential: "anonymous".into(),
            agents: None,
            admin: false,
        }
    }

    /// Whether this credential may act as `agent`.
    pub fn acts_as(&self, agent: &str) -> bool {
        self.agents.as_ref().is_none_or(|a| a.iter().any(|x| x == agent))
    }

    /// Refuses (403) an agent id this credential is not bound to.
    pub(super) fn check_agent(&self, agent: &str) -> Result<()> {
        if self.acts_as(agent) {
            return Ok(());
        }
        Err(UserError::Forbidden(format!(
            "credential `{}` may act as {}, not as `{agent}` (the tokens file binds tokens to agent ids)",
            self.credential,
            self.agents.as_deref().unwrap_or_default().join(", ")
        ))
        .into())
    }

    /// Whether this credential may change a hypothesis `owner` proposed.
    pub fn may_change(&self, owner: &str) -> bool {
        self.admin || self.acts_as(owner)
    }
}
