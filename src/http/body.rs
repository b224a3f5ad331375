//! Request bodies: their media type, and reading them under a size limit with a JSON 413.

use actix_web::http::header;
use actix_web::{web, HttpRequest};

use super::ApiError;
use crate::error::{Error, UserError};

/// The request's media type, lower-case, without parameters (empty when absent).
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads the whole body, refusing with 413 once it passes `limit` bytes.
pub async fn read(payload: web::Payload, limit: usize, what: &str) -> Result<web::Bytes, ApiError> {
    let too_large = || {
        ApiError(Error::from(UserError::PayloadTooLarge(format!(
            "{what} may be at most {limit} bytes"
        ))))
    };
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(ApiError(Error::invalid(
            "body",
            format!("reading the body failed: {e}"),
        ))),
        Err(_) => Err(too_large()),
    }
}
