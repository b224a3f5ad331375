//! When each stored document became true and known: what an `as_of` read needs (see
//! [`crate::common::clock`]). Read from the graphs with one named query
//! (`queries/timeline.rq`) and kept per store generation, like [`super::standing`], but only
//! loaded by reads that ask for a moment.
//!
//! A paper is visible as of a moment when it was certainly published by then (its date's last
//! millisecond, else its year's; no date: always) and, on the record clock, when the store had
//! learned it (its first version's record time; a store written before record times has none,
//! and its papers count as always known). An agent record is visible from its creation, on
//! either clock: it has no other date. A hypothesis' status as of a moment is the one its last
//! change before then set (see [`Timeline::changes`]).

use std::collections::HashMap;
use std::sync::Arc;

use crate::common::clock::{AsOf, Moment};
use crate::common::error::Result;
use crate::common::ids::{self, RecordKind};
use crate::store::queries::{self, select};
use crate::store::Store;

/// What the timeline knows of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocTimes {
    /// When it became true: a paper's publication (the end of the period its date names).
    pub published: Option<Moment>,
    /// When the store first learned it.
    pub recorded: Option<Moment>,
    /// When each of a hypothesis' status changes happened, oldest first.
    pub changes: Vec<Moment>,
}

/// The times of every stored document, by paper or record key.
#[derive(Debug, Default)]
pub struct Timeline {
    docs: HashMap<String, DocTimes>,
}

impl Timeline {
    /// Reads the times of every document from the store's graphs.
    pub fn load(store: &Store) -> Result<Self> {
        let mut docs: HashMap<String, DocTimes> = HashMap::new();
        let mut years: HashMap<String, Moment> = HashMap::new();
        for mut row in select(store, queries::TIMELINE, &[])? {
            let Some(doc) = row.remove("doc") else { continue };
            let key = doc_key(&doc);
            let t = docs.entry(key.clone()).or_default();
            if let Some(p) = row.remove("published").as_deref().and_then(Moment::latest_in) {
                t.published = Some(t.published.map_or(p, |q| q.min(p)));
            }
            if let Some(y) = row.remove("year").as_deref().and_then(Moment::latest_in) {
                years.insert(key.clone(), y);
            }
            if let Some(r) = row.remove("recorded").as_deref().and_then(Moment::latest_in) {
                t.recorded = Some(t.recorded.map_or(r, |q| q.min(r)));
            }
            if let Some(c) = row.remove("changed").as_deref().and_then(Moment::latest_in) {
                t.changes.push(c);
            }
        }
        for (key, t) in docs.iter_mut() {
            if t.published.is_none() {
                t.published = years.get(key).copied();
            }
            t.changes.sort_unstable();
            if RecordKind::of_key(key).is_some() {
                t.published = t.recorded;
            }
        }
        Ok(Timeline { docs })
    }

    /// The times of a document (a paper or record key), if the store holds any.
    pub fn times(&self, key: &str) -> Option<&DocTimes> {
        self.docs.get(key)
    }

    /// Whether the document of this key counts as of `as_of` (a document without times does).
    pub fn visible(&self, key: &str, as_of: &AsOf) -> bool {
        self.docs.get(key).is_none_or(|t| as_of.admits(t.published, t.recorded))
    }

    /// How many of a hypothesis' status changes had happened as of `as_of` (on either clock:
    /// a change's time is both).
    pub fn changes(&self, hypothesis_key: &str, as_of: &AsOf) -> usize {
        self.docs
            .get(hypothesis_key)
            .map_or(0, |t| t.changes.iter().filter(|c| **c <= as_of.at).count())
    }
}

/// A paper's key, or an agent record's (the last segment of its IRI).
fn doc_key(iri: &str) -> String {
    match iri.rsplit('/').next() {
        Some(last) if RecordKind::of_key(last).is_some() => last.to_string(),
        _ => ids::paper_key(iri),
    }
}

impl Store {
    /// The named graphs a SPARQL read as of `as_of` sees (sorted): a paper's facts and
    /// extraction graphs when the paper is visible then, an agent record's graphs when it was
    /// made by then, a hypothesis' status graph only when no change came after (its status then
    /// is the last visible status change's), and every graph the store does not own (users'
    /// graphs carry no times). Papers' history graphs are left out: they record what came later.
    pub fn graphs_as_of(&self, as_of: &AsOf) -> Result<Vec<String>> {
        let timeline = self.timeline()?;
        let base = self.base();
        let (papers, extraction, history, np) = (
            base.paper_graph(""),
            base.extraction_graph(""),
            base.history_graph(""),
            base.nanopub(""),
        );
        let owned = base.owned_graph_prefixes();
        let mut out = Vec::new();
        for g in self.graph().graph_names()? {
            let visible = if let Some(key) = g.strip_prefix(&papers).or_else(|| g.strip_prefix(&extraction)) {
                timeline.visible(key, as_of)
            } else if g.starts_with(&history) {
                false
            } else if let Some(rest) = g.strip_prefix(&np) {
                let (key, part) = rest.split_once('/').unwrap_or((rest, ""));
                timeline.visible(key, as_of)
                    && (part != "status"
                        || timeline
                            .times(key)
                            .is_none_or(|t| timeline.changes(key, as_of) == t.changes.len()))
            } else {
                !owned.iter().any(|p| g.starts_with(p.as_str()))
            };
            if visible {
                out.push(g);
            }
        }
        out.sort();
        Ok(out)
    }

    /// When each stored document became true and known, read once per write generation.
    pub fn timeline(&self) -> Result<Arc<Timeline>> {
        self.timeline.get_or_load(self.generation(), || Timeline::load(self))
    }
}
