//! How a long core operation (a gap search, a novelty check, an evidence pack) is heard from and
//! stopped: it reports [`Step`]s as it finishes its stages, and checks a [`Cancel`] flag between
//! them and inside its ranking loops, returning [`UserError::Cancelled`] once the caller gave up.
//!
//! The check is cooperative and cheap (one relaxed atomic load), so that loops may check once per
//! candidate group without measuring. Callers that cannot give up (HTTP, the CLI) pass
//! [`Watch::none`].

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use super::error::{Result, UserError};

/// A stop signal shared between the caller (who [`cancel`](Cancel::cancel)s) and the work
/// (which [`check`](Cancel::check)s). Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

/// Operations stopped by a [`Cancel`] since the process started.
static STOPPED: AtomicU64 = AtomicU64::new(0);

impl Cancel {
    /// A flag not yet raised.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the work to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Cancel::cancel) was called. Loops that cannot return an error check
    /// this, stop, and leave [`check`](Cancel::check) to the caller.
    pub fn is_cancelled(&self) -> bool {
        slow_for_tests();
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once cancelled, naming what stopped (`what`: "the gap search").
    pub fn check(&self, what: &str) -> Result<()> {
        if !self.is_cancelled() {
            return Ok(());
        }
        STOPPED.fetch_add(1, Ordering::Relaxed);
        Err(UserError::Cancelled(format!("{what} was cancelled by the caller")).into())
    }

    /// Operations that returned [`UserError::Cancelled`] since the process started.
    pub fn stopped() -> u64 {
        STOPPED.load(Ordering::Relaxed)
    }
}

/// A stage of a long operation done: `done` of `total` stages, and what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Stages done, from 1.
    pub done: usize,
    /// Stages in all.
    pub total: usize,
    /// What the stage did, in a few words.
    pub what: String,
}

/// What a long operation reports to and is stopped by.
pub struct Watch<'a> {
    /// Checked between stages and in ranking loops.
    pub cancel: Cancel,
    progress: Box<dyn FnMut(Step) + Send + 'a>,
}

impl<'a> Watch<'a> {
    /// Reports each step to `progress`, stops when `cancel` is raised.
    pub fn new(cancel: Cancel, progress: impl FnMut(Step) + Send + 'a) -> Self {
        Watch {
            cancel,
            progress: Box::new(progress),
        }
    }

    /// Hears nothing, never stops.
    pub fn none() -> Watch<'static> {
        Watch::new(Cancel::new(), |_| {})
    }

    /// Reports that stage `done` of `total` finished.
    pub fn step(&mut self, done: usize, total: usize, what: impl Into<String>) {
        (self.progress)(Step {
            done,
            total,
            what: what.into(),
        });
    }

    /// [`Cancel::check`] of this watch's flag.
    pub fn check(&self, what: &str) -> Result<()> {
        self.cancel.check(what)
    }
}

/// Debug builds only: `HYPATIA_SLOW_CHECKS_MS` makes every cancellation check sleep that long,
/// so that a test can stop a gap search on a small store before it finishes (the way
/// `HYPATIA_FAILPOINT` makes a crash test's process abort). A release build has none of it.
fn slow_for_tests() {
    #[cfg(debug_assertions)]
    {
        static SLOW: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
        let slow = SLOW.get_or_init(|| {
            std::env::var("HYPATIA_SLOW_CHECKS_MS")
                .ok()
                .and_then(|v| v.parse().ok())
        });
        if let Some(ms) = slow {
            std::thread::sleep(std::time::Duration::from_millis(*ms));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_check_fails_once_raised_and_counts() {
        let c = Cancel::new();
        let other = c.clone();
        assert!(c.check("x").is_ok());
        let before = Cancel::stopped();
        other.cancel();
        let e = c.check("the gap search").unwrap_err();
        assert!(e.to_string().contains("the gap search was cancelled"), "{e}");
        assert!(Cancel::stopped() > before);
    }
}
