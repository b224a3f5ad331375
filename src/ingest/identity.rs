//! Who a record is: its identity on its own (IRI, key, match keys), and whether an earlier record
//! of the same paper (in this run, or in the store) takes it in.

use hypatia_ingest::{Format, Paper};

use crate::common::error::Result;
use crate::common::ids;
use crate::ingest::citations;
use crate::ingest::facts;
use crate::store::Store;

/// Who a paper is: the IRI and key it is stored under, and its match keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The paper's IRI.
    pub iri: String,
    /// The paper key.
    pub key: String,
    /// Match keys, strongest first (see [`crate::ingest::citations`]).
    pub match_keys: Vec<String>,
}

impl Identity {
    /// The identity a record has on its own, before looking for other records of the paper.
    pub fn of(base: &crate::common::ids::Base, paper: &Paper) -> Self {
        let iri = ids::paper_iri(base, paper);
        Identity {
            key: ids::paper_key(&iri),
            iri,
            match_keys: citations::paper_keys(paper),
        }
    }
}

/// What to do with a record once its identity is known.
pub(super) enum Resolved {
    /// Write this paper (possibly merged with another record of it) under this identity; its
    /// text comes from a record of `format`.
    Put {
        paper: Box<Paper>,
        format: Format,
        identity: Identity,
        merged: bool,
    },
    /// The store holds a richer record of this paper: add what this one brings.
    AddFacts { key: String, ntriples: String },
    /// The store holds a richer record of this paper that already has everything this one brings.
    Unchanged,
}

/// Finds the earlier record of a paper: among the records of this run still on their way to the
/// store (kept whole, so that they merge field by field), else in the store.
pub(super) struct Identities<'s> {
    store: &'s Store,
    /// Match key → slot in `recent`.
    by_key: std::collections::HashMap<String, u64>,
    /// Recent records by slot, oldest first.
    recent: std::collections::BTreeMap<u64, (Paper, Format, Identity)>,
    next_slot: u64,
    window: usize,
}

impl<'s> Identities<'s> {
    pub(super) fn new(store: &'s Store, window: usize) -> Self {
        Identities {
            store,
            by_key: Default::default(),
            recent: Default::default(),
            next_slot: 0,
            window: window.max(1),
        }
    }

    pub(super) fn resolve(&mut self, paper: Paper, format: Format) -> Result<Resolved> {
        let own = Identity::of(self.store.base(), &paper);
        let slot = own.match_keys.iter().find_map(|k| self.by_key.get(k).copied());
        if let Some((earlier, earlier_format, identity)) = slot.and_then(|s| self.recent.remove(&s)) {
            // Same run, not yet stored: merge the two records whole.
            let (merged, merged_format) =
                citations::merge_papers((earlier, earlier_format.name()), (paper, format.name()));
            let format = if merged_format == format.name() {
                format
            } else {
                earlier_format
            };
            let identity = Identity {
                match_keys: union_keys(&citations::paper_keys(&merged), &identity.match_keys),
                ..identity
            };
            self.remember(&merged, format, &identity);
            return Ok(Resolved::Put {
                paper: Box::new(merged),
                format,
                identity,
                merged: true,
            });
        }
        let stored = self.store.find_by_match_keys(&own.match_keys)?;
        let Some(stored) = stored.filter(|s| s.key != own.key) else {
            // A new paper, or a new version of the same record: it replaces what is stored.
            self.remember(&paper, format, &own);
            return Ok(Resolved::Put {
                paper: Box::new(paper),
                format,
                identity: own,
                merged: false,
            });
        };
        // Another record of a stored paper: keep the stored IRI, take the better text (source
        // rank first, then length; see `citations::quality`), and make sure both records'
        // identifiers end up on the one paper.
        let stored_ids = citations::ids_from_keys(stored.match_keys.iter().map(String::as_str));
        let match_keys = union_keys(&stored.match_keys, &own.match_keys);
        let stored_quality = (
            citations::source_rank(&stored.source_format, stored.has_body),
            stored.text_len,
        );
        if citations::quality(&paper, format.name()) >= stored_quality {
            let mut paper = paper;
            paper.ids = citations::union_ids(&paper.ids, &stored_ids);
            // What the richer record lacks, the stored one may have (a GROBID full text has no
            // year; the Anthology record of the same paper does).
            if let Some(r) = crate::store::papers::reference(self.store, &stored.key, &stored.iri)? {
                citations::fill_from_reference(&mut paper, &r);
            }
            let identity = Identity {
                iri: stored.iri,
                key: stored.key,
                match_keys,
            };
            self.remember(&paper, format, &identity);
            return Ok(Resolved::Put {
                paper: Box::new(paper),
                format,
                identity,
                merged: true,
            });
        }
        if match_keys.len() == stored.match_keys.len() && paper.status.is_empty() {
            return Ok(Resolved::Unchanged);
        }
        let ids = citations::union_ids(&stored_ids, &paper.ids);
        // What this record says about standing (an OpenAlex `is_retracted` on a stored full
        // text) is added too, under notice IRIs of its own so as not to replace the stored
        // record's.
        let status = facts::status_facts(
            self.store.base(),
            &stored.iri,
            &format!("{}-{}", stored.key, own.key),
            &paper.status,
        );
        let ntriples = facts::identity_facts(&stored.iri, &ids, &match_keys)
            .iter()
            .chain(&status)
            .map(|t| format!("{t} .\n"))
            .collect();
        Ok(Resolved::AddFacts {
            key: stored.key,
            ntriples,
        })
    }

    fn remember(&mut self, paper: &Paper, format: Format, identity: &Identity) {
        let slot = self.next_slot;
        self.next_slot += 1;
        for k in &identity.match_keys {
            self.by_key.insert(k.clone(), slot);
        }
        self.recent.insert(slot, (paper.clone(), format, identity.clone()));
        while self.recent.len() > self.window {
            let Some((_, (_, _, old))) = self.recent.pop_first() else {
                break;
            };
            for k in &old.match_keys {
                if self.by_key.get(k).is_some_and(|s| !self.recent.contains_key(s)) {
                    self.by_key.remove(k);
                }
            }
        }
    }
}

/// `first`'s keys, then those of `second` it lacks.
fn union_keys(first: &[String], second: &[String]) -> Vec<String> {
    let mut out = first.to_vec();
    for k in second {
        if !out.contains(k) {
            out.push(k.clone());
        }
    }
    out
}
