//! What notices say about stored papers: which are retracted, corrected, updated or under an
//! expression of concern, and by which notice. Read from the papers' own graphs with one named
//! query (`queries/notices.rq`), where a notice and the paper it names meet by match key, and
//! kept per store generation: a notice ingested later changes the next read, without the paper
//! being ingested again.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::common::clock::{AsOf, Moment};
use crate::common::error::Result;
use crate::common::ids;
use crate::store::queries::{self, select};
use crate::store::Store;

/// One notice about a paper.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct NoticeRef {
    /// `retraction`, `correction`, `update` or `expression-of-concern`.
    pub kind: String,
    /// The notice's IRI, when the notice's record is stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// When the notice appeared, as its source says (valid time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When the store learned it (record time; absent in stores written before record times).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<String>,
}

impl NoticeRef {
    /// Whether the notice counts as of `as_of`: issued by then (a date it gives that cannot
    /// be read counts as none) and, on the record clock, learned by then.
    pub fn counts_as_of(&self, as_of: &AsOf) -> bool {
        as_of.admits(
            self.date.as_deref().and_then(Moment::latest_in),
            self.recorded.as_deref().and_then(Moment::latest_in),
        )
    }
}

/// The notices about stored papers, by paper key.
#[derive(Debug, Default)]
pub struct Standing {
    by_paper: HashMap<String, Vec<NoticeRef>>,
}

impl Standing {
    /// Reads every notice from the store's graphs.
    pub fn load(store: &Store) -> Result<Self> {
        let mut by_paper: HashMap<String, BTreeSet<NoticeRef>> = HashMap::new();
        for mut row in select(store, queries::NOTICES, &[])? {
            let (Some(paper), Some(kind)) = (row.remove("paper"), row.remove("kind")) else {
                continue;
            };
            by_paper.entry(ids::paper_key(&paper)).or_default().insert(NoticeRef {
                kind,
                notice: row.remove("notice"),
                date: row.remove("date"),
                recorded: row.remove("recorded"),
            });
        }
        let by_paper = by_paper
            .into_iter()
            .map(|(k, set)| {
                // A bare "retracted" flag says nothing a notice naming or dating the retraction,
                // learned no later, does not.
                let learned = |n: &NoticeRef| n.recorded.as_deref().and_then(Moment::latest_in);
                let named: Vec<Option<Moment>> = set
                    .iter()
                    .filter(|n| n.kind == "retraction" && (n.notice.is_some() || n.date.is_some()))
                    .map(learned)
                    .collect();
                let list = set
                    .iter()
                    .filter(|n| {
                        let bare = n.kind == "retraction" && n.notice.is_none() && n.date.is_none();
                        !(bare
                            && named
                                .iter()
                                .any(|m| m.is_none() || learned(n).is_none_or(|b| *m <= Some(b))))
                    })
                    .cloned()
                    .collect();
                (k, list)
            })
            .collect();
        Ok(Standing { by_paper })
    }

    /// Whether the paper of this key is retracted.
    pub fn is_retracted(&self, paper_key: &str) -> bool {
        self.is_retracted_as_of(paper_key, None)
    }

    /// Whether the paper of this key is retracted as of `as_of` (now when `None`).
    pub fn is_retracted_as_of(&self, paper_key: &str, as_of: Option<&AsOf>) -> bool {
        self.notices(paper_key)
            .iter()
            .any(|n| n.kind == "retraction" && as_of.is_none_or(|a| n.counts_as_of(a)))
    }

    /// The notices about a paper that count as of `as_of` (all when `None`).
    pub fn notices_as_of(&self, paper_key: &str, as_of: Option<&AsOf>) -> Vec<NoticeRef> {
        self.notices(paper_key)
            .iter()
            .filter(|n| as_of.is_none_or(|a| n.counts_as_of(a)))
            .cloned()
            .collect()
    }

    /// The notices about a paper, ordered by kind, then notice.
    pub fn notices(&self, paper_key: &str) -> &[NoticeRef] {
        self.by_paper.get(paper_key).map_or(&[], Vec::as_slice)
    }

    /// The keys of every retracted paper, each with the year of its earliest dated retraction
    /// (`None` when no notice dates it).
    pub fn retracted(&self) -> impl Iterator<Item = (&str, Option<i32>)> {
        self.by_paper.iter().filter_map(|(k, notices)| {
            let mut retractions = notices.iter().filter(|n| n.kind == "retraction").peekable();
            retractions.peek()?;
            let year = retractions
                .filter_map(|n| n.date.as_deref()?.get(..4)?.parse::<i32>().ok())
                .min();
            Some((k.as_str(), year))
        })
    }
}

impl Store {
    /// What notices say about stored papers, read once per write generation.
    pub fn standing(&self) -> Result<Arc<Standing>> {
        self.standing.get_or_load(self.generation(), || Standing::load(self))
    }
}
