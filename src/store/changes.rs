//! Which papers each write put, replaced, deleted or added facts or extractions to, by write
//! generation ([`super::Store::generation`]): what a reader that derived something from the
//! store at one generation needs to bring it up to date by difference instead of reading the
//! whole store again (the gap finder's corpus).
//!
//! Kept in memory for the life of the open store, for the last [`MAX_KEYS`] paper keys; a
//! reader whose generation is older than that learns that the log no longer reaches back.

use std::collections::{BTreeSet, VecDeque};

use parking_lot::Mutex;

/// Most paper keys kept over all entries.
const MAX_KEYS: usize = 200_000;

#[derive(Default)]
pub(crate) struct Changes(Mutex<Log>);

#[derive(Default)]
struct Log {
    /// (generation the write started at, the keys it wrote), oldest first.
    entries: VecDeque<(u64, Vec<String>)>,
    keys: usize,
    /// The log is complete for readers of this generation or later.
    complete_from: u64,
}

impl Changes {
    /// Notes that the write that started at `generation` may change these papers. Called
    /// under the write lock, before the write is applied: a reader of that generation may
    /// or may not have seen it, and is told about it either way.
    pub(crate) fn note(&self, generation: u64, keys: Vec<String>) {
        let mut log = self.0.lock();
        log.keys += keys.len();
        log.entries.push_back((generation, keys));
        while log.keys > MAX_KEYS {
            let Some((g, dropped)) = log.entries.pop_front() else {
                break;
            };
            log.keys -= dropped.len();
            log.complete_from = g + 1;
        }
    }

    /// The keys of the papers written since a reader read `generation` (the writes that
    /// started at it or later), or `None` when the log no longer reaches back that far.
    pub(crate) fn since(&self, generation: u64) -> Option<BTreeSet<String>> {
        let log = self.0.lock();
        if generation < log.complete_from {
            return None;
        }
        Some(
            log.entries
                .iter()
                .filter(|(g, _)| *g >= generation)
                .flat_map(|(_, keys)| keys.iter().cloned())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_learns_the_writes_from_its_generation_on_until_the_log_forgets_them() {
        let c = Changes::default();
        assert_eq!(c.since(0), Some(BTreeSet::new()));
        c.note(0, vec!["a".into()]);
        c.note(1, vec!["b".into(), "c".into()]);
        c.note(2, vec![]);
        assert_eq!(c.since(0).unwrap().len(), 3);
        assert_eq!(c.since(1).unwrap(), BTreeSet::from(["b".to_string(), "c".to_string()]));
        assert_eq!(c.since(3), Some(BTreeSet::new()));
        c.note(3, (0..MAX_KEYS).map(|i| i.to_string()).collect());
        assert_eq!(c.since(1), None, "the first writes were forgotten");
        assert_eq!(c.since(3).unwrap().len(), MAX_KEYS);
    }
}
