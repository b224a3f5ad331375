//! The corpus: every paper's concept set and year, concepts and papers numbered in IRI order,
//! each concept's type (a vote) and label looked up when first asked for.
//! The data is shared ([`CorpusData`] behind an `Arc`) so that a loaded corpus can be kept
//! between calls (see `context::Kept`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use oxigraph::model::{NamedNode, Term};
use rustc_hash::FxHashMap;

use super::ConceptRef;
use crate::common::error::{Error, Result};
use crate::common::ids;
use crate::ingest::extraction::{type_class, type_of_iri};
use crate::store::queries;
use crate::store::queries::{lexical, select};
use crate::store::Store;
use hypatia_extract::ConceptType;

mod update;

/// Whether concepts of this type are what methods are evaluated on (datasets) or studied for
/// (tasks): the targets of untested combinations.
pub(super) fn is_target(t: ConceptType) -> bool {
    matches!(t, ConceptType::Dataset | ConceptType::Task)
}

/// A concept's type from the papers that mention it: `typed` holds the votes of the papers that
/// type it, and each of the other `papers` votes for Other; most votes win, ties go to a typed
/// kind.
pub(super) fn vote(mut typed: BTreeMap<ConceptType, u32>, papers: u32) -> ConceptType {
    let n: u32 = typed.values().sum();
    *typed.entry(ConceptType::Other).or_default() += papers.saturating_sub(n);
    typed
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(t, _)| *t)
        .unwrap_or(ConceptType::Other)
}

/// The `hyp:conceptType` statements about a concept, counted by type (in the order of
/// [`ConceptType::ALL`]).
type TypeVotes = [u32; 6];

/// A concept's `skos:prefLabel`s counted over the graphs that give one, and the one shown.
#[derive(Clone)]
struct Labels {
    votes: BTreeMap<String, u32>,
    best: String,
}

impl Labels {
    /// The most given label (ties: the smallest), else the IRI's last segment.
    fn of(votes: BTreeMap<String, u32>, iri: &str) -> Labels {
        let best = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(l, _)| l.clone())
            .unwrap_or_else(|| iri.rsplit('/').next().unwrap_or(iri).to_string());
        Labels { votes, best }
    }
}

/// [`vote`] over counted type statements.
fn vote_of(votes: &TypeVotes, papers: u32) -> ConceptType {
    let typed = ConceptType::ALL
        .iter()
        .zip(votes)
        .filter(|(_, &n)| n > 0)
        .map(|(&t, &n)| (t, n))
        .collect();
    vote(typed, papers)
}

/// Counts one `hyp:conceptType` object.
fn count_type(votes: &mut TypeVotes, object: &Term) {
    let t = type_of_iri(&lexical(object));
    if let Some(i) = ConceptType::ALL.iter().position(|&x| x == t) {
        votes[i] += 1;
    }
}

pub(super) struct Concept {
    /// Shared between the generations of a kept corpus.
    pub(super) iri: Arc<str>,
    /// Papers stating that they mention it.
    papers: u32,
    /// The type statements about it, read when first asked for, and counted on after writes
    /// of new papers.
    votes: OnceLock<TypeVotes>,
    /// Its type ([`vote`] of `votes` and `papers`).
    ctype: OnceLock<ConceptType>,
}

pub(super) struct PaperRow {
    /// Shared between the generations of a kept corpus.
    pub(super) iri: Arc<str>,
    /// Its key ([`ids::paper_key`]) as a number ([`key_bits`]).
    key: u64,
    pub(super) year: Option<i32>,
    /// When it was retracted: `Some(None)` when no notice dates the retraction.
    pub(super) retracted: Option<Option<i32>>,
    /// Concept ids, ascending.
    pub(super) concepts: Vec<u32>,
}

impl PaperRow {
    /// A paper with this IRI, year and concepts (ids, ascending), not retracted.
    pub(super) fn new(iri: &str, year: Option<i32>, concepts: Vec<u32>) -> PaperRow {
        PaperRow {
            iri: iri.into(),
            key: key_bits(iri),
            year,
            retracted: None,
            concepts,
        }
    }
}

/// Every paper's concept set, concepts and papers numbered in IRI order.
pub(super) struct CorpusData {
    /// Labels, looked up when first asked for (a corpus has tens of thousands of concepts; a
    /// call names a few hundred).
    labels: Mutex<HashMap<u32, Labels>>,
    pub(super) concepts: Vec<Concept>,
    pub(super) by_iri: IriIndex,
    pub(super) papers: Vec<PaperRow>,
    /// Each concept's papers (indices into `papers`, ascending).
    postings: Vec<Vec<u32>>,
    years: FxHashMap<Arc<str>, Option<i32>>,
    /// Keys of the retracted papers with the year of their retraction (`None`: undated): left
    /// out of the co-occurrence graph ([`PaperRow::retracted`]) and of every kind's evidence
    /// through [`CorpusData::counts`], as of any year from their retraction on.
    retracted: FxHashMap<String, Option<i32>>,
}

/// Concept ids by IRI. IRIs map to slots that stay across the generations of a kept corpus (a
/// map shared between them, and the IRIs added since it was built), slots to this generation's
/// ids: bringing a corpus up to date renumbers the slots, not the map of hundreds of thousands
/// of IRIs.
pub(super) struct IriIndex {
    slots: Arc<FxHashMap<Arc<str>, u32>>,
    /// IRIs added since `slots` was built, with their slots (past those of `slots`).
    added: FxHashMap<Arc<str>, u32>,
    /// Each slot's concept id, `u32::MAX` for a concept no paper mentions any more.
    ids: Vec<u32>,
    /// Each concept id's slot.
    slot_of: Vec<u32>,
}

impl IriIndex {
    /// The index of concepts numbered as in this map.
    fn new(by_iri: FxHashMap<Arc<str>, u32>) -> IriIndex {
        let mut ids = vec![u32::MAX; by_iri.len()];
        for &id in by_iri.values() {
            ids[id as usize] = id;
        }
        IriIndex {
            slot_of: ids.clone(),
            ids,
            slots: Arc::new(by_iri),
            added: FxHashMap::default(),
        }
    }

    /// The id of the concept with this IRI.
    pub(super) fn get(&self, iri: &str) -> Option<&u32> {
        let slot = self.slots.get(iri).or_else(|| self.added.get(iri))?;
        self.ids.get(*slot as usize).filter(|&&id| id != u32::MAX)
    }

    /// The index after renumbering: `all` lists the concepts before (with their ids) and the
    /// added ones, `numbered` gives each of them its new id (`u32::MAX`: gone). Built again
    /// whole when the added IRIs or the slots of concepts gone grow past an eighth of it.
    fn renumbered(&self, all: &[(Arc<str>, Option<u32>)], numbered: &[u32]) -> IriIndex {
        let kept = numbered.iter().filter(|&&id| id != u32::MAX).count();
        let new_iris = all.iter().filter(|(_, was)| was.is_none()).count();
        let slots = self.ids.len() + new_iris;
        if self.added.len() + new_iris > self.slots.len() / 8 || slots - kept > slots / 8 {
            let map = all
                .iter()
                .zip(numbered)
                .filter(|(_, &id)| id != u32::MAX)
                .map(|((iri, _), &id)| (iri.clone(), id))
                .collect();
            return IriIndex::new(map);
        }
        let mut added = self.added.clone();
        let mut ids = vec![u32::MAX; slots];
        let mut slot_of = vec![u32::MAX; kept];
        let mut next = self.ids.len() as u32;
        for ((iri, was), &id) in all.iter().zip(numbered) {
            let slot = match was {
                Some(o) => self.slot_of[*o as usize],
                None => {
                    added.insert(iri.clone(), next);
                    next += 1;
                    next - 1
                }
            };
            if id != u32::MAX {
                ids[slot as usize] = id;
                slot_of[id as usize] = slot;
            }
        }
        IriIndex {
            slots: self.slots.clone(),
            added,
            ids,
            slot_of,
        }
    }
}

/// A corpus and the store it describes.
pub(super) struct Corpus<'s> {
    store: &'s Store,
    data: Arc<CorpusData>,
}

impl std::ops::Deref for Corpus<'_> {
    type Target = CorpusData;
    fn deref(&self) -> &CorpusData {
        &self.data
    }
}

impl<'s> Corpus<'s> {
    /// A corpus already loaded, for this store.
    pub(super) fn with_data(store: &'s Store, data: Arc<CorpusData>) -> Corpus<'s> {
        Corpus { store, data }
    }

    /// Its shared data.
    pub(super) fn data(&self) -> &Arc<CorpusData> {
        &self.data
    }

    /// Loads every paper's concept set (see [`Corpus::load_from`]).
    pub(super) fn load(store: &'s Store) -> Result<Corpus<'s>> {
        Self::load_from(store, None)
    }

    /// Loads every paper's concept set (only of the papers read from one source format,
    /// `hyp:sourceFormat`, e.g. "acl", when `format` is given): one scan of the
    /// `hyp:mentionsConcept` quads in the graphs the store owns (the pairs
    /// `queries/gap_concept_sets.rq` lists), IRIs interned as they come, then each paper's year
    /// by one scan of `hyp:year`. Each concept's type (a vote over the extraction graphs that
    /// describe it: no `hyp:conceptType` in a graph is a vote for OtherConcept) and label are
    /// looked up when first asked for.
    fn load_from(store: &'s Store, format: Option<&str>) -> Result<Corpus<'s>> {
        use crate::common::vocab::hyp;
        use oxigraph::model::NamedNodeRef;
        let only = format.map(|f| papers_of_format(store, f)).transpose()?;
        let mut paper_iris = Interned::default();
        let mut concept_iris = Interned::default();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for q in store
            .graph()
            .owned_quads(None, Some(NamedNodeRef::new_unchecked(hyp::MENTIONS_CONCEPT)), None)
        {
            let q = q?;
            let paper = match &q.subject {
                oxigraph::model::NamedOrBlankNode::NamedNode(n) => n.as_str(),
                _ => continue,
            };
            if only.as_ref().is_some_and(|o| !o.contains(paper)) {
                continue;
            }
            let concept = match &q.object {
                Term::NamedNode(n) => n.as_str(),
                _ => continue,
            };
            pairs.push((paper_iris.id(paper), concept_iris.id(concept)));
        }
        // Number papers and concepts in IRI order.
        let (paper_iris, paper_order) = paper_iris.sorted();
        let (concept_iris, concept_order) = concept_iris.sorted();
        for (p, c) in &mut pairs {
            *p = paper_order[*p as usize];
            *c = concept_order[*c as usize];
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut df = vec![0u32; concept_iris.len()];
        for &(_, c) in &pairs {
            df[c as usize] += 1;
        }
        let mut by_iri = FxHashMap::with_capacity_and_hasher(concept_iris.len(), Default::default());
        let concepts: Vec<Concept> = concept_iris
            .into_iter()
            .zip(df)
            .enumerate()
            .map(|(i, (iri, papers))| {
                let iri: Arc<str> = iri.into();
                by_iri.insert(iri.clone(), i as u32);
                Concept {
                    iri,
                    papers,
                    votes: OnceLock::new(),
                    ctype: OnceLock::new(),
                }
            })
            .collect();
        let paper_index: FxHashMap<&str, u32> = paper_iris
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i as u32))
            .collect();
        let mut year_of = vec![None; paper_iris.len()];
        for q in store
            .graph()
            .owned_quads(None, Some(NamedNodeRef::new_unchecked(hyp::YEAR)), None)
        {
            let q = q?;
            let oxigraph::model::NamedOrBlankNode::NamedNode(n) = &q.subject else {
                continue;
            };
            if let Some(&i) = paper_index.get(n.as_str()) {
                if let Ok(y) = lexical(&q.object).parse::<i32>() {
                    year_of[i as usize] = Some(y);
                }
            }
        }
        drop(paper_index);
        let mut papers: Vec<PaperRow> = paper_iris
            .into_iter()
            .zip(year_of)
            .map(|(iri, year)| PaperRow {
                key: key_bits(&iri),
                iri: iri.into(),
                year,
                retracted: None,
                concepts: Vec::new(),
            })
            .collect();
        for (p, c) in pairs {
            papers[p as usize].concepts.push(c);
        }
        Ok(Corpus {
            store,
            data: Arc::new(CorpusData::new(
                concepts,
                IriIndex::new(by_iri),
                papers,
                retractions(store)?,
            )),
        })
    }

    /// A corpus of concept sets held in memory (the evaluation's re-extraction, see
    /// [`evaluate_link_prediction`]): each paper's IRI, year and concept IRIs, and the type of
    /// every concept, decided by the caller. Concepts without a type are dropped from the sets.
    pub(super) fn from_sets(
        store: &'s Store,
        mut sets: Vec<(String, Option<i32>, BTreeSet<String>)>,
        types: BTreeMap<String, ConceptType>,
    ) -> Corpus<'s> {
        sets.sort_by(|a, b| a.0.cmp(&b.0));
        let mut by_iri = FxHashMap::with_capacity_and_hasher(types.len(), Default::default());
        let mut concepts: Vec<Concept> = types
            .into_iter()
            .enumerate()
            .map(|(i, (iri, t))| {
                let iri: Arc<str> = iri.into();
                by_iri.insert(iri.clone(), i as u32);
                Concept {
                    iri,
                    papers: 0,
                    votes: OnceLock::new(),
                    ctype: OnceLock::from(t),
                }
            })
            .collect();
        let mut papers = Vec::with_capacity(sets.len());
        for (iri, year, cs) in sets {
            let ids: Vec<u32> = cs.iter().filter_map(|c| by_iri.get(c.as_str()).copied()).collect();
            for &c in &ids {
                concepts[c as usize].papers += 1;
            }
            papers.push(PaperRow {
                key: key_bits(&iri),
                iri: iri.into(),
                year,
                retracted: None,
                concepts: ids,
            });
        }
        Corpus {
            store,
            data: Arc::new(CorpusData::new(
                concepts,
                IriIndex::new(by_iri),
                papers,
                FxHashMap::default(),
            )),
        }
    }

    /// The concepts a filter names: its IRI, or every concept whose preferred or alternative
    /// label equals it (case aside).
    pub(super) fn resolve(&self, store: &Store, s: &str) -> Result<BTreeSet<u32>> {
        if let Some(&i) = self.by_iri.get(s.trim()) {
            return Ok(BTreeSet::from([i]));
        }
        let mut found = BTreeSet::new();
        let label = Term::from(oxigraph::model::Literal::new_simple_literal(s.trim()));
        for row in select(store, queries::CONCEPT_BY_LABEL, &[("label", label)])? {
            if let Some(i) = row.get("concept").and_then(|c| self.by_iri.get(c.as_str())) {
                found.insert(*i);
            }
        }
        if found.is_empty() {
            return Err(Error::not_found(format!("no extracted concept is called `{s}`")));
        }
        Ok(found)
    }

    pub(super) fn concept_ref(&self, c: u32) -> ConceptRef {
        let k = &self.concepts[c as usize];
        ConceptRef {
            iri: k.iri.to_string(),
            label: self.label(c),
            ctype: type_class(self.ctype(c)).to_string(),
        }
    }

    /// Calls `each` with the object of every statement with this subject and predicate in the
    /// graphs the store owns (a concept's type or label statements, one per graph giving one).
    fn each_statement(&self, subject: &str, predicate: &str, mut each: impl FnMut(&Term)) {
        let Ok(node) = NamedNode::new(subject) else {
            return;
        };
        let p = oxigraph::model::NamedNodeRef::new_unchecked(predicate);
        for q in self
            .store
            .graph()
            .owned_quads(Some(node.as_ref().into()), Some(p), None)
            .flatten()
        {
            each(&q.object);
        }
    }

    /// A concept's type: a vote over the extraction graphs that describe it (one without
    /// `hyp:conceptType` votes for OtherConcept); most votes win, ties go to a typed kind.
    pub(super) fn ctype(&self, c: u32) -> ConceptType {
        let k = &self.concepts[c as usize];
        *k.ctype.get_or_init(|| {
            let votes = k.votes.get_or_init(|| {
                let mut votes = TypeVotes::default();
                self.each_statement(&k.iri, crate::common::vocab::hyp::CONCEPT_TYPE, |o| {
                    count_type(&mut votes, o)
                });
                votes
            });
            vote_of(votes, k.papers)
        })
    }

    /// A concept's preferred label (the one most of its extraction graphs give; ties: the
    /// smallest), looked up when first asked for.
    pub(super) fn label(&self, c: u32) -> String {
        if let Some(l) = self.labels.lock().unwrap_or_else(|e| e.into_inner()).get(&c) {
            return l.best.clone();
        }
        let iri: &str = &self.concepts[c as usize].iri;
        let mut votes: BTreeMap<String, u32> = BTreeMap::new();
        self.each_statement(iri, crate::common::vocab::skos::PREF_LABEL, |o| {
            *votes.entry(lexical(o)).or_default() += 1
        });
        let labels = Labels::of(votes, iri);
        let best = labels.best.clone();
        self.labels.lock().unwrap_or_else(|e| e.into_inner()).insert(c, labels);
        best
    }

    /// Whether everything a gap search as of year `t` reads of the corpus is what it was in
    /// `earlier`, before writes to the papers with these IRIs: no written paper counted as of
    /// `t` before or counts now, retractions are the same, and the concepts the written papers
    /// mentioned before or mention now keep the types and labels `earlier` had looked up
    /// (those it had not looked up, no search of it used). The statements, claims, mentions
    /// and texts a search reads are those of the papers that count.
    pub(super) fn unchanged_as_of(&self, earlier: &CorpusData, written: &BTreeSet<String>, t: i32) -> bool {
        let as_of = Some(t);
        let rows = |c: &'_ CorpusData| -> Vec<(usize, bool)> {
            c.papers
                .iter()
                .filter(|p| written.contains(&*p.iri))
                .flat_map(|p| p.concepts.iter().map(move |&k| (k as usize, counts(p.year, as_of))))
                .collect()
        };
        let (before, now) = (rows(earlier), rows(&self.data));
        if before.iter().chain(&now).any(|r| r.1) || earlier.retracted != self.retracted {
            return false;
        }
        let earlier_labels = earlier.labels.lock().unwrap_or_else(|e| e.into_inner());
        before.iter().map(|r| r.0).all(|k| {
            let iri = &earlier.concepts[k].iri;
            let Some(&id) = self.by_iri.get(iri) else {
                return earlier.concepts[k].ctype.get().is_none() && !earlier_labels.contains_key(&(k as u32));
            };
            earlier.concepts[k].ctype.get().is_none_or(|&was| was == self.ctype(id))
                && earlier_labels
                    .get(&(k as u32))
                    .is_none_or(|was| was.best == self.label(id))
        }) && now.iter().map(|r| r.0).all(|k| {
            let iri = &self.concepts[k].iri;
            let Some(&was) = earlier.by_iri.get(iri) else {
                // A concept new to the corpus: only the written papers mention it.
                return true;
            };
            earlier.concepts[was as usize]
                .ctype
                .get()
                .is_none_or(|&t| t == self.ctype(k as u32))
                && earlier_labels.get(&was).is_none_or(|l| l.best == self.label(k as u32))
        })
    }

    pub(super) fn year_of(&self, paper: &str) -> Option<i32> {
        self.years.get(paper).copied().flatten()
    }

    /// Whether a paper's statements count as of `as_of`: of that year or earlier, and not
    /// retracted by then.
    pub(super) fn counts(&self, paper: &str, as_of: Option<i32>) -> bool {
        counts(self.year_of(paper), as_of)
            && (self.retracted.is_empty() || !retracted_by(self.retracted.get(&ids::paper_key(paper)).copied(), as_of))
    }
}

impl CorpusData {
    /// The corpus of these concepts and papers (in IRI order), each paper marked with its
    /// retraction from `retracted` (paper key to the year of the retraction).
    fn new(
        concepts: Vec<Concept>,
        by_iri: IriIndex,
        mut papers: Vec<PaperRow>,
        retracted: FxHashMap<String, Option<i32>>,
    ) -> CorpusData {
        let mut years = FxHashMap::with_capacity_and_hasher(papers.len(), Default::default());
        for p in &mut papers {
            years.insert(p.iri.clone(), p.year);
            if !retracted.is_empty() {
                p.retracted = retracted.get(&format!("{:016x}", p.key)).copied();
            }
        }
        let mut postings = vec![Vec::new(); concepts.len()];
        for (i, p) in papers.iter().enumerate() {
            for &c in &p.concepts {
                postings[c as usize].push(i as u32);
            }
        }
        CorpusData {
            labels: Default::default(),
            concepts,
            by_iri,
            papers,
            postings,
            years,
            retracted,
        }
    }

    /// Whether both corpora know the same retractions.
    pub(super) fn same_retractions(&self, other: &CorpusData) -> bool {
        self.retracted == other.retracted
    }

    /// The papers that mention both concepts (indices into `papers`, ascending), of any year.
    pub(super) fn common_papers(&self, a: u32, b: u32) -> Vec<u32> {
        let (pa, pb) = (&self.postings[a as usize], &self.postings[b as usize]);
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < pa.len() && j < pb.len() {
            match pa[i].cmp(&pb[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    out.push(pa[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        out
    }
}

/// A paper's key ([`ids::paper_key`]) as the number its 16 hex digits write.
fn key_bits(iri: &str) -> u64 {
    let key = ids::paper_key(iri);
    u64::from_str_radix(&key, 16).expect("a paper key is 16 hex digits")
}

/// The keys of the retracted papers as the store now stands, with the year of each retraction.
fn retractions(store: &Store) -> Result<FxHashMap<String, Option<i32>>> {
    Ok(store.standing()?.retracted().map(|(k, y)| (k.to_string(), y)).collect())
}

/// Strings numbered in the order they are first seen.
#[derive(Default)]
struct Interned {
    ids: FxHashMap<String, u32>,
    list: Vec<String>,
}

impl Interned {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.ids.insert(s.to_string(), i);
        self.list.push(s.to_string());
        i
    }

    /// The strings in ascending order, and each first-seen number's place in it.
    fn sorted(self) -> (Vec<String>, Vec<u32>) {
        drop(self.ids);
        let mut order: Vec<u32> = (0..self.list.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.list[a as usize].cmp(&self.list[b as usize]));
        let mut place = vec![0u32; order.len()];
        for (rank, &i) in order.iter().enumerate() {
            place[i as usize] = rank as u32;
        }
        let mut list: Vec<Option<String>> = self.list.into_iter().map(Some).collect();
        let sorted = order
            .iter()
            .map(|&i| list[i as usize].take().expect("each once"))
            .collect();
        (sorted, place)
    }
}

/// The IRIs of the papers read from one source format (`hyp:sourceFormat`, e.g. "acl").
pub(super) fn papers_of_format(store: &Store, format: &str) -> Result<HashSet<String>> {
    use oxigraph::model::{LiteralRef, NamedNodeRef};
    store
        .graph()
        .owned_quads(
            None,
            Some(NamedNodeRef::new_unchecked(crate::common::vocab::hyp::SOURCE_FORMAT)),
            Some(LiteralRef::new_simple_literal(format).into()),
        )
        .map(|q| q.map(|q| lexical(&q.subject.into())))
        .collect()
}

/// Whether a paper retracted in this year (`Some(None)`: undated; `None`: not retracted) is
/// retracted as of T: an undated retraction always, a dated one from its year on.
pub(super) fn retracted_by(retracted: Option<Option<i32>>, as_of: Option<i32>) -> bool {
    match (retracted, as_of) {
        (None, _) => false,
        (Some(None), _) | (Some(Some(_)), None) => true,
        (Some(Some(year)), Some(t)) => year <= t,
    }
}

/// Whether a paper with this year counts as of T.
pub(super) fn counts(year: Option<i32>, as_of: Option<i32>) -> bool {
    match as_of {
        None => true,
        Some(t) => year.is_some_and(|y| y <= t),
    }
}

#[cfg(test)]
mod tests {
    use super::{retracted_by, IriIndex};
    use rustc_hash::FxHashMap;
    use std::sync::Arc;

    #[test]
    fn an_iri_index_renumbered_finds_what_one_built_afresh_finds() {
        // Concepts c000..c199 numbered in order; rounds of writes add IRIs between them and
        // drop some, as `CorpusData::updated` does (all IRIs in order, gone ones unnumbered).
        let iri = |i: usize| -> Arc<str> { format!("c{i:03}").into() };
        let mut live: Vec<usize> = (0..200).step_by(2).collect();
        let mut index = IriIndex::new(live.iter().enumerate().map(|(id, &i)| (iri(i), id as u32)).collect());
        let mut rebuilt = 0;
        for round in 0..12 {
            let added: Vec<usize> = (0..200).filter(|i| i % 2 == 1 && i % 24 == 2 * round + 1).collect();
            let dropped: Vec<usize> = live.iter().copied().filter(|i| i % 37 == round).collect();
            let mut all: Vec<(usize, Option<u32>)> =
                live.iter().enumerate().map(|(id, &i)| (i, Some(id as u32))).collect();
            all.extend(added.iter().map(|&i| (i, None)));
            all.sort();
            let mut numbered = Vec::new();
            let mut next = 0;
            for (i, _) in &all {
                if dropped.contains(i) {
                    numbered.push(u32::MAX);
                } else {
                    numbered.push(next);
                    next += 1;
                }
            }
            let all: Vec<(Arc<str>, Option<u32>)> = all.into_iter().map(|(i, was)| (iri(i), was)).collect();
            let before = index.slots.clone();
            index = index.renumbered(&all, &numbered);
            rebuilt += usize::from(!Arc::ptr_eq(&before, &index.slots));
            live = all
                .iter()
                .zip(&numbered)
                .filter(|(_, &id)| id != u32::MAX)
                .map(|((s, _), _)| s[1..].parse().unwrap())
                .collect();
            let afresh: FxHashMap<Arc<str>, u32> =
                live.iter().enumerate().map(|(id, &i)| (iri(i), id as u32)).collect();
            for i in 0..200 {
                assert_eq!(
                    index.get(&iri(i)).copied(),
                    afresh.get(&*iri(i)).copied(),
                    "round {round}, c{i:03}"
                );
            }
        }
        assert!((1..12).contains(&rebuilt), "rebuilt {rebuilt} times in 12 rounds");
    }

    #[test]
    fn a_retraction_counts_from_its_year_and_an_undated_one_always() {
        let cases = [
            (None, None, false),
            (None, Some(2000), false),
            (Some(None), None, true),
            (Some(None), Some(1990), true),
            (Some(Some(2006)), None, true),
            (Some(Some(2006)), Some(2005), false),
            (Some(Some(2006)), Some(2006), true),
        ];
        for (retracted, as_of, expected) in cases {
            assert_eq!(
                retracted_by(retracted, as_of),
                expected,
                "{retracted:?} as of {as_of:?}"
            );
        }
    }
}
