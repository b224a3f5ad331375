//! Errors of the core library, split by who must act: the caller (bad input, missing thing) or
//! us (a backend failed, an invariant broke). The HTTP layer maps each variant to a status.

use std::path::PathBuf;

/// What went wrong in a core operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller sent something we cannot accept; the message says what and where.
    #[error(transparent)]
    User(#[from] UserError),
    /// Something on our side failed; the request may succeed later, the data is unharmed.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// Errors the caller must fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UserError {
    /// A parameter or body field is missing or malformed.
    #[error("invalid `{field}`: {message}")]
    InvalidParameter {
        /// The parameter or field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A SPARQL query or update does not parse.
    #[error("SPARQL syntax error: {0}")]
    SparqlSyntax(String),
    /// The SPARQL query is valid but failed while being evaluated.
    #[error("SPARQL evaluation error: {0}")]
    SparqlEvaluation(String),
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A file or record could not be parsed.
    #[error(transparent)]
    Parse(#[from] hypatia_ingest::ParseError),
    /// The embedding model or its runtime is not where it should be.
    #[error("{0}")]
    Setup(String),
    /// No requested representation can be produced.
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// The operation is switched off on this server, or the caller's token does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request ran longer than the server allows and was cancelled.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The operation needs a token, and none (or an unknown one) was given.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The request contradicts the stored state (e.g. a status change that is not allowed).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A write would touch a graph the store owns (papers' and agents' graphs); nothing was
    /// written.
    #[error("protected graph: {0}")]
    ProtectedGraph(String),
    /// The request body is larger than the endpoint accepts.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// The request body comes in a media type the endpoint does not read.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// The server is doing as much of this as it accepts at once; retry later.
    #[error("busy: {0}")]
    Busy(String),
    /// The caller gave up on the operation (MCP `notifications/cancelled`), and it stopped.
    #[error("cancelled: {0}")]
    Cancelled(String),
}

/// Errors on our side.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InternalError {
    /// File system I/O failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The full-text index failed.
    #[error("text index: {0}")]
    Text(#[from] tantivy::TantivyError),
    /// The RDF store failed.
    #[error("graph store: {0}")]
    Graph(String),
    /// The vector index failed.
    #[error("vector index: {0}")]
    Vector(String),
    /// The embedding model failed on input it should accept.
    #[error("embedding: {0}")]
    Embedding(String),
    /// The journal is unreadable or a recovery failed.
    #[error("journal: {0}")]
    Journal(String),
    /// A stored quote no longer matches the stored text at its offsets.
    #[error("citation integrity: {0}")]
    Integrity(String),
}

impl UserError {
    /// The stable machine-readable code of this kind of mistake, the same over HTTP and MCP.
    pub fn code(&self) -> &'static str {
        match self {
            UserError::InvalidParameter { .. } => "invalid_parameter",
            UserError::SparqlSyntax(_) => "sparql_syntax",
            UserError::SparqlEvaluation(_) => "sparql_evaluation",
            UserError::NotFound(_) => "not_found",
            UserError::Parse(_) => "parse_error",
            UserError::Setup(_) => "model_unavailable",
            UserError::NotAcceptable(_) => "not_acceptable",
            UserError::Forbidden(_) => "forbidden",
            UserError::Unauthorized(_) => "unauthorized",
            UserError::Timeout(_) => "timeout",
            UserError::Conflict(_) => "conflict",
            UserError::ProtectedGraph(_) => "protected_graph",
            UserError::PayloadTooLarge(_) => "payload_too_large",
            UserError::UnsupportedMediaType(_) => "unsupported_media_type",
            UserError::Busy(_) => "busy",
            UserError::Cancelled(_) => "cancelled",
        }
    }
}

impl Error {
    /// An invalid-parameter error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        UserError::InvalidParameter {
            field: field.to_string(),
            message: message.into(),
        }
        .into()
    }

    /// A not-found error.
    pub fn not_found(what: impl Into<String>) -> Self {
        UserError::NotFound(what.into()).into()
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        InternalError::Io {
            path: path.into(),
            source,
        }
        .into()
    }

    /// A graph store error.
    pub fn graph(e: impl std::fmt::Display) -> Self {
        InternalError::Graph(e.to_string()).into()
    }

    /// A vector index error.
    pub fn vector(e: impl std::fmt::Display) -> Self {
        InternalError::Vector(e.to_string()).into()
    }

    /// A journal error.
    pub fn journal(e: impl std::fmt::Display) -> Self {
        InternalError::Journal(e.to_string()).into()
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        InternalError::Text(e).into()
    }
}

impl From<oxigraph::store::StorageError> for Error {
    fn from(e: oxigraph::store::StorageError) -> Self {
        Error::graph(e)
    }
}

/// The result type of the core library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
