//! What readers derive from the store and keep until the next write: valid while the write
//! generation ([`super::Store::generation`]) it was read at has not moved.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::common::error::Result;

/// One value kept per write generation.
pub(crate) struct PerGeneration<T>(Mutex<Option<(u64, Arc<T>)>>);

impl<T> Default for PerGeneration<T> {
    fn default() -> Self {
        PerGeneration(Mutex::new(None))
    }
}

impl<T> PerGeneration<T> {
    /// The value kept for `generation`, or `load`'s, kept from now on. Two readers that miss at
    /// once may both load; the last one's is kept (both are the same store's state).
    pub(crate) fn get_or_load(&self, generation: u64, load: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        if let Some((g, v)) = self.0.lock().as_ref() {
            if *g == generation {
                return Ok(Arc::clone(v));
            }
        }
        let v = Arc::new(load()?);
        *self.0.lock() = Some((generation, Arc::clone(&v)));
        Ok(v)
    }
}
