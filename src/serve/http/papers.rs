//! Papers over HTTP: uploads ingested one at a time (`POST /papers`), a paper's record, its
//! deletion, and store backups.

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{access, blocking, body, metrics, ApiError, AppState, ErrorBody};
use crate::common::error::{Error, UserError};
use crate::ingest::pipeline::Progress;
use crate::service::Scope;
use crate::store::Stats;

/// Largest body `POST /papers` accepts (a file or archive of papers). The body is streamed to
/// a file, never held in memory whole.
pub const MAX_UPLOAD: usize = 256 << 20;

/// Uploads ingested at once: ingest is bound by the one embedding model, so a second upload at
/// the same time would only share it, and each holds up to an archive entry in memory.
pub const CONCURRENT_INGESTS: usize = 1;

/// The server's ingest turns, shared by every worker.
#[derive(Clone)]
pub(crate) struct IngestTurns(Arc<tokio::sync::Semaphore>);

impl IngestTurns {
    pub(crate) fn new() -> Self {
        IngestTurns(Arc::new(tokio::sync::Semaphore::new(CONCURRENT_INGESTS)))
    }

    /// Waits up to `wait` for a turn, or refuses (503, `Retry-After`).
    async fn take(&self, wait: std::time::Duration) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(wait, self.0.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Error::from(UserError::Busy(format!(
                "{CONCURRENT_INGESTS} upload(s) at a time are ingested, and this one waited {:.1} s for its turn; retry later",
                wait.as_secs_f64()
            )))
            .into()),
        }
    }
}

/// Query parameters of `POST /papers`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct IngestParams {
    /// The file name the body goes by (its extension helps format detection); `upload` when
    /// absent.
    name: Option<String>,
    /// Force a format instead of detecting it.
    #[param(value_type = Option<IngestFormat>, inline)]
    format: Option<String>,
}

crate::common::fields::schema_type!(
    /// The format names `hypatia ingest --format` takes.
    IngestFormat => utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(hypatia_ingest::Format::ALL.iter().map(|f| f.name())))
        .build()
);

crate::common::fields::schema_type!(
    /// The bytes of an uploaded file.
    Upload => utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)))
        .min_length(Some(1))
        .build()
);

/// Ingests the body (a file of any supported format, or an archive of them) like `hypatia
/// ingest`, and answers with the report once every paper in it is durable. Records that fail
/// are reported with where and why; the others are written.
///
/// With `Accept: text/event-stream` the answer is a stream of server-sent events instead, once
/// the body is received: a `progress` event after each durable batch of papers (and once more
/// at the end when records failed after the last batch), a `failure` event per failed record or
/// file, then either a `report` event (the same report as the JSON answer) or an `error` event
/// (`{code, message}`) when the ingest as a whole failed. Every event's data is one line of
/// JSON. Refusals before the ingest starts (401, 403, 413, 503, ...) are answered as usual.
#[utoipa::path(
    post,
    path = "/papers",
    tag = "papers",
    params(IngestParams),
    request_body(content = inline(Upload), content_type = "application/octet-stream",
        description = "The file's bytes (not empty), at most 256 MiB."),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "What was ingested, and what failed where; with `Accept: text/event-stream`, the ingest's progress as server-sent events: `progress` (data: an `IngestProgress`), `failure` (a `Failure`), and last `report` (the `IngestReport`) or `error` (an `ErrorBody`).", content(
            (crate::ingest::pipeline::IngestReport = "application/json"),
            (String = "text/event-stream"),
        )),
        (status = 400, description = "A parameter is invalid, or the body is empty.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, or the token's scope is too small.", body = ErrorBody),
        (status = 413, description = "The body is larger than 256 MiB.", body = ErrorBody),
        (status = 503, description = "Ingest needs the embedding model, which is not loaded, or another upload is being ingested (retry after the `Retry-After` seconds).", body = ErrorBody),
    )
)]
pub(super) async fn ingest_handler(
    state: web::Data<AppState>,
    turns: web::Data<IngestTurns>,
    req: actix_web::HttpRequest,
    params: web::Query<IngestParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Write)?;
    let turn = turns.take(state.limits.ingest_wait).await?;
    let upload = body::to_file(payload, &state.store.dir().join("uploads"), MAX_UPLOAD, "an upload").await?;
    if upload.len == 0 {
        return Err(Error::invalid("body", "the upload is empty: send the file's bytes").into());
    }
    let p = params.into_inner();
    // Exactly the names the description lists (the CLI is lenient about case and spaces).
    let format = p
        .format
        .as_deref()
        .map(|f| {
            hypatia_ingest::Format::ALL
                .into_iter()
                .find(|known| known.name() == f)
                .ok_or_else(|| Error::invalid("format", format!("`{f}` is not a format name")))
        })
        .transpose()?;
    let embedder = state.embedder.clone().ok_or_else(|| {
        Error::from(UserError::Setup(
            "ingest needs the embedding model; it is not loaded".into(),
        ))
    })?;
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|a| a.to_str().ok());
    let events =
        super::negotiate::choose(accept, &[("application/json", false), ("text/event-stream", true)]) == Some(true);
    let (store, limits) = (state.store.clone(), state.limits.upload);
    let name = p.name.unwrap_or_else(|| "upload".to_string());
    let ingest = move |progress: &(dyn Fn(Progress<'_>) + Sync)| {
        // The turn is held until the ingest ends, even when an event stream's reader left.
        let _turn = turn;
        crate::ingest::pipeline::ingest_upload(
            &store,
            embedder.as_ref(),
            &name,
            upload.file.path(),
            format,
            limits,
            progress,
        )
    };
    if !events {
        let report = blocking(move || ingest(&|_| {})).await?;
        metrics::ingested(report.papers);
        return Ok(HttpResponse::Ok().json(report));
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<web::Bytes>();
    actix_web::rt::spawn(async move {
        let started = std::time::Instant::now();
        let sender = tx.clone();
        let progress = move |p: Progress<'_>| {
            for f in p.failures {
                let _ = sender.send(sse("failure", f));
            }
            let secs = started.elapsed().as_secs_f64();
            let _ = sender.send(sse(
                "progress",
                &IngestProgress {
                    papers: p.papers,
                    failed: p.failed,
                    passages: p.passages,
                    records: p.records,
                    bytes: p.bytes,
                    elapsed_secs: secs,
                    papers_per_sec: p.papers as f64 / secs.max(1e-9),
                    file: p.file.to_string(),
                    committed: p.committed.to_vec(),
                },
            ));
        };
        let last = match blocking(move || ingest(&progress)).await {
            Ok(report) => {
                metrics::ingested(report.papers);
                sse("report", &report)
            }
            Err(e) => sse("error", &ApiError(e).body()),
        };
        let _ = tx.send(last);
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .streaming(stream))
}

/// One server-sent event: its name and one line of JSON.
fn sse(event: &str, data: &impl Serialize) -> web::Bytes {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    web::Bytes::from(format!("event: {event}\ndata: {json}\n\n"))
}

/// The data of a `progress` event of `POST /papers` (with `Accept: text/event-stream`): sent
/// after each durable batch of papers.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct IngestProgress {
    /// Papers written so far (durable).
    papers: usize,
    /// Records or files that failed so far (each also sent as a `failure` event).
    failed: usize,
    /// Passages written so far.
    passages: usize,
    /// Records parsed so far (parsing runs ahead of the writes).
    records: u64,
    /// Bytes of input parsed so far (decompressed).
    bytes: u64,
    /// Seconds since the ingest started.
    elapsed_secs: f64,
    /// Papers written per second so far.
    papers_per_sec: f64,
    /// The file (or archive entry) being parsed.
    file: String,
    /// Keys of the papers of the batch just written.
    committed: Vec<String>,
}

/// One paper: its reference, its passages in order and its facts.
#[utoipa::path(
    get,
    path = "/papers/{id}",
    tag = "papers",
    params(("id" = String, Path, description = "The paper's key (16 hex digits) or IRI.")),
    security((), ("bearer" = ["read"])),
    responses(
        (status = 200, description = "The paper.", body = crate::store::papers::PaperRecord),
        (status = 400, description = "The id is not valid text.", body = ErrorBody),
        (status = 404, description = "No such paper.", body = ErrorBody),
    )
)]
pub(super) async fn paper_handler(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let record = state.service().paper(id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(record))
}

/// What `DELETE /papers/{id}` removed.
#[derive(Debug, Serialize, ToSchema)]
struct Deleted {
    /// The paper's key.
    key: String,
    /// Papers removed (1).
    deleted: usize,
}

/// Deletes one paper from all three indexes (its facts, extraction, passages and vectors, and
/// the citation links other papers had resolved to it), durably before it answers. Agents'
/// records are not papers and are refused.
#[utoipa::path(
    delete,
    path = "/papers/{id}",
    tag = "papers",
    params(("id" = String, Path, description = "The paper's key (16 hex digits) or IRI.")),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Deleted.", body = Deleted),
        (status = 400, description = "The id names an agent's record, not a paper.", body = ErrorBody),
        (status = 401, description = "A token with write scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "Writes are off, or the token's scope is too small.", body = ErrorBody),
        (status = 404, description = "No such paper.", body = ErrorBody),
    )
)]
pub(super) async fn delete_paper_handler(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Write)?;
    let store = state.store.clone();
    let id = id.trim();
    let key = match crate::common::ids::RecordKind::of_key(id) {
        Some(_) => id.to_string(),
        None => crate::common::ids::paper_key_of(id),
    };
    let deleted = blocking(move || {
        let n = store.delete_papers(std::slice::from_ref(&key))?;
        if n == 0 {
            return Err(Error::not_found(format!("paper {key}")));
        }
        Ok(Deleted { key, deleted: n })
    })
    .await?;
    Ok(HttpResponse::Ok().json(deleted))
}

/// Where a backup went.
#[derive(Debug, Serialize, ToSchema)]
struct Backup {
    /// The backup's folder on the server.
    path: String,
    /// What it holds.
    stats: Stats,
}

/// Snapshots the store into a new folder under the server's `--backup-dir` (writers wait,
/// readers do not).
#[utoipa::path(
    post,
    path = "/admin/backup",
    tag = "admin",
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "The backup is written.", body = Backup),
        (status = 401, description = "A token with admin scope is needed, or the one given is unknown.", body = ErrorBody),
        (status = 403, description = "The token's scope is too small.", body = ErrorBody),
        (status = 404, description = "Backups are off: the server runs without --backup-dir.", body = ErrorBody),
    )
)]
pub(super) async fn backup_handler(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    access::require(&state, &req, Scope::Admin)?;
    let Some(dir) = state.backup_dir.clone() else {
        return Err(Error::not_found("backups are off: start the server with --backup-dir").into());
    };
    let store = state.store.clone();
    let (target, stats) = blocking(move || {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let target = dir.join(format!("hypatia-backup-{stamp}"));
        let stats = store.backup(&target)?;
        Ok((target, stats))
    })
    .await?;
    Ok(HttpResponse::Created().json(Backup {
        path: target.display().to_string(),
        stats,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::ResponseError;

    /// One upload is ingested at a time; the next waits its turn, then is refused with a 503
    /// `busy` that says why and when to retry, rather than queueing without bound.
    #[test]
    fn a_second_upload_waits_for_its_turn_then_is_told_to_retry() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let turns = IngestTurns::new();
            let first = turns.take(std::time::Duration::from_secs(1)).await.unwrap();
            let refused = turns
                .take(std::time::Duration::from_millis(50))
                .await
                .expect_err("the only turn is taken");
            let res = refused.error_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(res.headers().get(actix_web::http::header::RETRY_AFTER).unwrap(), "10");
            let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["code"], "busy");
            assert!(body["message"].as_str().unwrap().contains("retry later"), "{body}");
            drop(first);
            let _next = turns.take(std::time::Duration::from_millis(50)).await.unwrap();
        });
    }
}
