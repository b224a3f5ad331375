//! Long tool calls (gaps, novelty, findings) as the caller sees them: stopped by
//! `notifications/cancelled`, heard from through `notifications/progress`, and, once the client
//! chose a level with `logging/setLevel`, told in `notifications/message` when a call stopped
//! early or failed on our side.
//!
//! rmcp cancels a request's `RequestContext::ct` on `notifications/cancelled` (and drops the
//! response), but the handler's future runs on; the domain work runs on a blocking thread that
//! only a [`Cancel`] flag reaches. [`Call`] links the two, so that cancelling stops the work
//! itself, not only its answer.

// Logging is deprecated by SEP-2577 (rmcp marks its types so) but still part of the protocol
// versions clients speak today (2025-06-18, 2025-11-25).
#![allow(deprecated)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam};
use rmcp::service::{Peer, RequestContext};
use rmcp::RoleServer;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::common::error::{Error, UserError};
use crate::common::work::{Cancel, Step, Watch};

/// The level of log notifications a session asked for (none until it asks).
#[derive(Clone, Default)]
pub(super) struct Logging(Arc<Mutex<Option<LoggingLevel>>>);

/// Severity order of MCP's (syslog's) levels.
fn severity(l: LoggingLevel) -> u8 {
    match l {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

impl Logging {
    /// `logging/setLevel`: messages at `level` and above are sent from now on.
    pub(super) fn set(&self, level: LoggingLevel) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(level);
    }

    /// Sends `data` as a log notification if the session asked for this level.
    pub(super) async fn send(&self, peer: &Peer<RoleServer>, level: LoggingLevel, data: Value) {
        let wanted = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        if wanted.is_some_and(|w| severity(level) >= severity(w)) {
            let note = LoggingMessageNotificationParam::new(level, data).with_logger("hypatia");
            if let Err(e) = peer.notify_logging_message(note).await {
                tracing::debug!(error = %e, "log notification not sent");
            }
        }
    }
}

/// One long tool call: its [`Watch`] goes to the domain code, the call keeps the other ends.
pub(super) struct Call {
    tool: &'static str,
    peer: Peer<RoleServer>,
    logging: Logging,
    /// The watch's flag, raised if the call is dropped before it ends (its answer is not
    /// wanted any more).
    cancel: Cancel,
    ended: bool,
    /// The last step reported, and the steps in all (0 until the first report).
    done: Arc<(AtomicUsize, AtomicUsize)>,
    /// Raises the watch's flag when the request is cancelled.
    link: JoinHandle<()>,
    /// Sends the steps as progress notifications, when the caller sent a progress token.
    forward: Option<JoinHandle<()>>,
}

impl Call {
    /// The call of `tool` for this request, and the watch to hand to the domain code.
    pub(super) fn start(
        tool: &'static str,
        request: &RequestContext<RoleServer>,
        logging: &Logging,
    ) -> (Call, Watch<'static>) {
        let cancel = Cancel::new();
        let link = {
            let (ct, cancel) = (request.ct.clone(), cancel.clone());
            tokio::spawn(async move {
                ct.cancelled().await;
                cancel.cancel();
            })
        };
        let (steps, forward) = match request.meta.get_progress_token() {
            Some(token) => {
                let (steps, mut heard) = tokio::sync::mpsc::unbounded_channel::<Step>();
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
        let done = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let watch = {
            let done = done.clone();
            Watch::new(cancel.clone(), move |step: Step| {
                done.0.store(step.done, Ordering::Relaxed);
                done.1.store(step.total, Ordering::Relaxed);
                if let Some(steps) = &steps {
                    let _ = steps.send(step);
                }
            })
        };
        let call = Call {
            tool,
            peer: request.peer.clone(),
            logging: logging.clone(),
            cancel,
            ended: false,
            done,
            link,
            forward,
        };
        (call, watch)
    }

    /// Ends the call once its work returned `result`: the progress notifications go out before
    /// the answer (the watch, and with it the sender, went with the work), and a stop or an
    /// internal failure is logged to a client that asked for log notifications.
    pub(super) async fn end<T>(mut self, result: &crate::Result<T>) {
        self.ended = true;
        if let Some(forward) = self.forward.take() {
            let _ = forward.await;
        }
        let (done, total) = (self.done.0.load(Ordering::Relaxed), self.done.1.load(Ordering::Relaxed));
        let (level, data) = match result {
            Err(Error::User(UserError::Cancelled(m))) => (
                LoggingLevel::Notice,
                json!({ "tool": self.tool, "event": "cancelled", "message": m, "steps_done": done, "steps_total": total }),
            ),
            Err(Error::Internal(_)) => (
                LoggingLevel::Error,
                json!({ "tool": self.tool, "event": "failed", "message": "internal error; see the server log" }),
            ),
            _ => return,
        };
        self.logging.send(&self.peer, level, data).await;
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if !self.ended {
            self.cancel.cancel();
        }
        self.link.abort();
    }
}
