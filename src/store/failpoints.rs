//! Failure injection for the crash and error-path tests, compiled into debug builds only
//! (`cfg(debug_assertions)`: tests, benches and the dev-profile binaries they run); a release
//! binary has none of it.
//!
//! - `HYPATIA_FAILPOINT=NAME` makes the process abort at that point (the crash tests kill the
//!   real binary between two stores' commits);
//! - [`fail_next`] makes the next pass through a point on the calling thread fail with an I/O
//!   error (in-process tests of error paths; thread-local, so tests running in parallel do not
//!   trip over each other's failures).

/// Aborts the process at `name` when `HYPATIA_FAILPOINT` names it.
pub fn abort_at(name: &str) {
    #[cfg(debug_assertions)]
    {
        static POINT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        if POINT.get_or_init(|| std::env::var("HYPATIA_FAILPOINT").ok()).as_deref() == Some(name) {
            std::process::abort();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

#[cfg(debug_assertions)]
thread_local! {
    static ARMED: std::cell::RefCell<Vec<(String, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Makes the next `times` passes through `name` on this thread fail (debug builds only; a
/// release build ignores it).
pub fn fail_next(name: &str, times: usize) {
    #[cfg(debug_assertions)]
    ARMED.with(|a| a.borrow_mut().push((name.to_string(), times)));
    #[cfg(not(debug_assertions))]
    let _ = (name, times);
}

/// Whether this pass through `name` should fail (and counts it).
pub(crate) fn should_fail(name: &str) -> bool {
    #[cfg(debug_assertions)]
    {
        ARMED.with(|a| {
            let mut a = a.borrow_mut();
            let Some(i) = a.iter().position(|(n, left)| n == name && *left > 0) else {
                return false;
            };
            a[i].1 -= 1;
            if a[i].1 == 0 {
                a.remove(i);
            }
            true
        })
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = name;
        false
    }
}

/// An injected I/O error at `name`, when one is armed.
pub(crate) fn io(name: &str) -> std::io::Result<()> {
    if should_fail(name) {
        return Err(std::io::Error::other(format!("injected failure at {name}")));
    }
    Ok(())
}
