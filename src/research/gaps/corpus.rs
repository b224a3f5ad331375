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

pub(super) struct Concept {
    pub(super) iri: String,
    /// Papers stating that they mention it.
    papers: u32,
    /// Its type, looked up when first asked for.
    ctype: OnceLock<ConceptType>,
}

pub(super) struct PaperRow {
    pub(super) iri: String,
    pub(super) year: Option<i32>,
    /// When it was retracted: `Some(None)` when no notice dates the retraction.
    pub(super) retracted: Option<Option<i32>>,
    /// Concept ids, ascending.
    pub(super) concepts: Vec<u32>,
}

/// Every paper's concept set, concepts and papers numbered in IRI order.
pub(super) struct CorpusData {
    /// Labels, looked up when first asked for (a corpus has tens of thousands of concepts; a
    /// call names a few hundred).
    labels: Mutex<HashMap<u32, String>>,
    pub(super) concepts: Vec<Concept>,
    pub(super) by_iri: FxHashMap<String, u32>,
    pub(super) papers: Vec<PaperRow>,
    /// Each concept's papers (indices into `papers`, ascending).
    postings: Vec<Vec<u32>>,
    years: FxHashMap<String, Option<i32>>,
    /// Keys of the retracted papers with the year of their retraction (`None`: undated): left
    /// out of the co-occurrence graph ([`PaperRow::retracted`]) and of every kind's evidence
    /// through [`CorpusData::counts`], as of any year from their retraction on.
    retracted: FxHashMap<String, Option<i32>>,
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
                by_iri.insert(iri.clone(), i as u32);
                Concept {
                    iri,
                    papers,
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
                iri,
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
            data: Arc::new(CorpusData::new(concepts, by_iri, papers, retractions(store)?)),
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
                by_iri.insert(iri.clone(), i as u32);
                Concept {
                    iri,
                    papers: 0,
                    ctype: OnceLock::from(t),
                }
            })
            .collect();
        let mut papers = Vec::with_capacity(sets.len());
        for (iri, year, cs) in sets {
            let ids: Vec<u32> = cs.iter().filter_map(|c| by_iri.get(c).copied()).collect();
            for &c in &ids {
                concepts[c as usize].papers += 1;
            }
            papers.push(PaperRow {
                iri,
                year,
                retracted: None,
                concepts: ids,
            });
        }
        Corpus {
            store,
            data: Arc::new(CorpusData::new(concepts, by_iri, papers, FxHashMap::default())),
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
            if let Some(i) = row.get("concept").and_then(|c| self.by_iri.get(c)) {
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
            iri: k.iri.clone(),
            label: self.label(c),
            ctype: type_class(self.ctype(c)).to_string(),
        }
    }

    /// A concept's type: a vote over the extraction graphs that describe it (one without
    /// `hyp:conceptType` votes for OtherConcept); most votes win, ties go to a typed kind.
    pub(super) fn ctype(&self, c: u32) -> ConceptType {
        let k = &self.concepts[c as usize];
        *k.ctype.get_or_init(|| {
            let mut types: BTreeMap<ConceptType, u32> = BTreeMap::new();
            if let Ok(node) = NamedNode::new(k.iri.as_str()) {
                let p = oxigraph::model::NamedNodeRef::new_unchecked(crate::common::vocab::hyp::CONCEPT_TYPE);
                for q in self
                    .store
                    .graph()
                    .owned_quads(Some(node.as_ref().into()), Some(p), None)
                    .flatten()
                {
                    *types.entry(type_of_iri(&lexical(&q.object))).or_default() += 1;
                }
            }
            vote(types, k.papers)
        })
    }

    /// A concept's preferred label (the one most of its extraction graphs give; ties: the
    /// smallest), looked up when first asked for.
    pub(super) fn label(&self, c: u32) -> String {
        if let Some(l) = self.labels.lock().unwrap_or_else(|e| e.into_inner()).get(&c) {
            return l.clone();
        }
        let iri = &self.concepts[c as usize].iri;
        let mut labels: BTreeMap<String, u32> = BTreeMap::new();
        if let Ok(node) = NamedNode::new(iri.as_str()) {
            let p = oxigraph::model::NamedNodeRef::new_unchecked(crate::common::vocab::skos::PREF_LABEL);
            for q in self
                .store
                .graph()
                .owned_quads(Some(node.as_ref().into()), Some(p), None)
                .flatten()
            {
                *labels.entry(lexical(&q.object)).or_default() += 1;
            }
        }
        let label = labels
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(l, _)| l.clone())
            .unwrap_or_else(|| iri.rsplit('/').next().unwrap_or(iri).to_string());
        self.labels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(c, label.clone());
        label
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
                .filter(|p| written.contains(&p.iri))
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
                && earlier_labels.get(&(k as u32)).is_none_or(|was| *was == self.label(id))
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
                && earlier_labels.get(&was).is_none_or(|l| *l == self.label(k as u32))
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
        by_iri: FxHashMap<String, u32>,
        mut papers: Vec<PaperRow>,
        retracted: FxHashMap<String, Option<i32>>,
    ) -> CorpusData {
        let mut years = FxHashMap::with_capacity_and_hasher(papers.len(), Default::default());
        for p in &mut papers {
            years.insert(p.iri.clone(), p.year);
            if !retracted.is_empty() {
                p.retracted = retracted.get(&ids::paper_key(&p.iri)).copied();
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

    /// This corpus brought up to date after writes to the papers with these keys, as
    /// [`Corpus::load`] would read the store now: each written paper's concept set and year
    /// read again from its own graphs (left out when it has no concept any more, e.g. deleted),
    /// the others kept, papers and concepts numbered in IRI order again, and retractions as the
    /// store now stands ([`Store::standing`]). The types and labels already looked up are kept
    /// for the concepts that no written paper mentioned before or mentions now (a type is a
    /// vote of the papers mentioning the concept).
    /// Also returns the IRIs of the written papers, as they were or now are.
    pub(super) fn updated(&self, store: &Store, written: &BTreeSet<String>) -> Result<(CorpusData, BTreeSet<String>)> {
        use crate::common::vocab::hyp;
        use oxigraph::model::{GraphNameRef, NamedNodeRef};
        let ox = store.graph().oxigraph();
        let mentions_p = NamedNodeRef::new_unchecked(hyp::MENTIONS_CONCEPT);
        // The written papers as they now are: (IRI, year, concept IRIs).
        let mut fresh: Vec<(String, Option<i32>, BTreeSet<String>)> = Vec::new();
        for key in written {
            let mut iri: Option<String> = None;
            let mut concepts = BTreeSet::new();
            for g in [store.base().paper_graph(key), store.base().extraction_graph(key)] {
                let g = NamedNode::new(g).map_err(Error::graph)?;
                for q in ox.quads_for_pattern(None, Some(mentions_p), None, Some(GraphNameRef::NamedNode(g.as_ref()))) {
                    let q = q?;
                    if let (oxigraph::model::NamedOrBlankNode::NamedNode(p), Term::NamedNode(c)) =
                        (&q.subject, &q.object)
                    {
                        iri.get_or_insert_with(|| p.as_str().to_string());
                        concepts.insert(c.as_str().to_string());
                    }
                }
            }
            let Some(iri) = iri else { continue };
            let node = NamedNode::new(iri.as_str()).map_err(Error::graph)?;
            let mut year = None;
            for q in store.graph().owned_quads(
                Some(node.as_ref().into()),
                Some(NamedNodeRef::new_unchecked(hyp::YEAR)),
                None,
            ) {
                if let Ok(y) = lexical(&q?.object).parse::<i32>() {
                    year = Some(y);
                }
            }
            fresh.push((iri, year, concepts));
        }
        fresh.sort_by(|a, b| a.0.cmp(&b.0));
        // Concepts a written paper mentioned before or mentions now: typed and labelled again.
        let mut touched = vec![false; self.concepts.len()];
        let mut kept_papers: Vec<&PaperRow> = Vec::with_capacity(self.papers.len());
        let mut written_iris: BTreeSet<String> = fresh.iter().map(|f| f.0.clone()).collect();
        for p in &self.papers {
            if written.contains(&ids::paper_key(&p.iri)) {
                written_iris.insert(p.iri.clone());
                for &c in &p.concepts {
                    touched[c as usize] = true;
                }
            } else {
                kept_papers.push(p);
            }
        }
        // Every concept IRI, old and new, in order: old ids map into it.
        let added: BTreeSet<&str> = fresh
            .iter()
            .flat_map(|f| f.2.iter())
            .filter(|c| match self.by_iri.get(c.as_str()) {
                Some(&i) => {
                    touched[i as usize] = true;
                    false
                }
                None => true,
            })
            .map(String::as_str)
            .collect();
        let all: Vec<(&str, Option<u32>)> = merge_sorted(
            self.concepts
                .iter()
                .enumerate()
                .map(|(i, o)| (o.iri.as_str(), Some(i as u32)))
                .collect(),
            added.into_iter().map(|c| (c, None)).collect(),
            |a, b| a.0 < b.0,
        );
        let mut at_old = vec![0u32; self.concepts.len()];
        let mut at_iri: FxHashMap<&str, u32> = FxHashMap::default();
        for (i, (iri, was)) in all.iter().enumerate() {
            match was {
                Some(o) => at_old[*o as usize] = i as u32,
                None => {
                    at_iri.insert(iri, i as u32);
                }
            }
        }
        let id_of = |c: &str| match self.by_iri.get(c) {
            Some(&o) => at_old[o as usize],
            None => at_iri[c],
        };
        // Papers in IRI order, concepts in the merged numbering.
        let rows: Vec<(String, Option<i32>, Vec<u32>)> = merge_sorted(
            kept_papers
                .into_iter()
                .map(|p| {
                    let cs = p.concepts.iter().map(|&c| at_old[c as usize]).collect();
                    (p.iri.clone(), p.year, cs)
                })
                .collect(),
            fresh
                .iter()
                .map(|(iri, year, cs)| {
                    let mut cids: Vec<u32> = cs.iter().map(|c| id_of(c)).collect();
                    cids.sort_unstable();
                    (iri.clone(), *year, cids)
                })
                .collect(),
            |a, b| a.0 < b.0,
        );
        // Concepts no paper mentions any more leave; the others are numbered again.
        let mut df = vec![0u32; all.len()];
        for (_, _, cs) in &rows {
            for &c in cs {
                df[c as usize] += 1;
            }
        }
        let mut final_id = vec![u32::MAX; all.len()];
        let mut concepts = Vec::new();
        let mut by_iri = FxHashMap::with_capacity_and_hasher(all.len(), Default::default());
        let mut labels = HashMap::new();
        {
            let old_labels = self.labels.lock().unwrap_or_else(|e| e.into_inner());
            for (i, (iri, was)) in all.iter().enumerate() {
                if df[i] == 0 {
                    continue;
                }
                let id = concepts.len() as u32;
                final_id[i] = id;
                by_iri.insert(iri.to_string(), id);
                let ctype = OnceLock::new();
                if let Some(o) = was.filter(|&o| !touched[o as usize]) {
                    if let Some(&t) = self.concepts[o as usize].ctype.get() {
                        let _ = ctype.set(t);
                    }
                    if let Some(l) = old_labels.get(&o) {
                        labels.insert(id, l.clone());
                    }
                }
                concepts.push(Concept {
                    iri: iri.to_string(),
                    papers: df[i],
                    ctype,
                });
            }
        }
        let papers = rows
            .into_iter()
            .map(|(iri, year, cs)| PaperRow {
                concepts: cs.into_iter().map(|c| final_id[c as usize]).collect(),
                iri,
                year,
                retracted: None,
            })
            .collect();
        let mut data = CorpusData::new(concepts, by_iri, papers, retractions(store)?);
        *data.labels.get_mut().unwrap_or_else(|e| e.into_inner()) = labels;
        Ok((data, written_iris))
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

/// The keys of the retracted papers as the store now stands, with the year of each retraction.
fn retractions(store: &Store) -> Result<FxHashMap<String, Option<i32>>> {
    Ok(store.standing()?.retracted().map(|(k, y)| (k.to_string(), y)).collect())
}

/// Two ascending lists merged into one (`less`: whether an item of `a` goes before one of `b`;
/// ties take `b`'s first).
fn merge_sorted<T>(a: Vec<T>, b: Vec<T>, less: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = if less(x, y) { a.next() } else { b.next() };
        out.extend(next);
    }
    out.extend(a);
    out.extend(b);
    out
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
    use super::retracted_by;

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
