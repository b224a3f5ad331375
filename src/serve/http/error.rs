//! Errors as HTTP answers: every error is a JSON body with a stable code and a message, under
//! the status its kind calls for.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::common::error::{Error, InternalError, UserError};

/// The JSON error body: a stable machine code and a human message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`invalid_parameter`, `not_found`, `unauthorized`, ...).
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

/// A core error on its way to becoming an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    /// Status and code; exhaustive so that a new variant does not compile until it is mapped.
    fn status_code_pair(&self) -> (StatusCode, &'static str) {
        match &self.0 {
            Error::User(u) => (
                match u {
                    UserError::InvalidParameter { .. }
                    | UserError::SparqlSyntax(_)
                    | UserError::SparqlEvaluation(_)
                    | UserError::Parse(_) => StatusCode::BAD_REQUEST,
                    UserError::NotFound(_) => StatusCode::NOT_FOUND,
                    UserError::Setup(_) | UserError::Timeout(_) | UserError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
                    UserError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
                    UserError::Forbidden(_) | UserError::ProtectedGraph(_) => StatusCode::FORBIDDEN,
                    UserError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                    UserError::Conflict(_) => StatusCode::CONFLICT,
                    UserError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                    UserError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    // HTTP routes never cancel (a closed connection has no one to answer); nginx's
                    // "client closed request" says what it would mean.
                    UserError::Cancelled(_) => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
                },
                u.code(),
            ),
            Error::Internal(i) => match i {
                InternalError::Io { .. }
                | InternalError::Text(_)
                | InternalError::Graph(_)
                | InternalError::Vector(_)
                | InternalError::Embedding(_)
                | InternalError::Journal(_)
                | InternalError::Integrity(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status_code_pair().0
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code_pair().0;
        let mut res = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer realm=\"hypatia\""));
        }
        if matches!(self.0, Error::User(UserError::Busy(_))) {
            res.insert_header((actix_web::http::header::RETRY_AFTER, "10"));
        }
        res.json(self.body())
    }
}

impl ApiError {
    /// What a client is told: the stable code and a message (internal details go to the log,
    /// not to clients; a caller's 503 (busy, timed out, the model not loaded) says what to do
    /// about it).
    pub(super) fn body(&self) -> ErrorBody {
        let code = self.status_code_pair().1;
        let message = match &self.0 {
            Error::Internal(_) => {
                tracing::error!(error = %self.0, "request failed");
                "internal error; see the server log".to_string()
            }
            Error::User(_) => self.0.to_string(),
        };
        ErrorBody { code, message }
    }
}
