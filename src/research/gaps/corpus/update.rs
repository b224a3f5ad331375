//! A kept corpus brought up to date by difference after writes to some papers
//! ([`CorpusData::written`], then [`CorpusData::updated`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use oxigraph::model::{NamedNode, Term};
use rustc_hash::FxHashMap;

use super::{count_type, retractions, Concept, CorpusData, Labels, PaperRow, TypeVotes};
use crate::common::error::{Error, Result};
use crate::store::queries::lexical;
use crate::store::Store;

/// Papers written since a corpus was read, as the store now holds them
/// ([`CorpusData::written`]).
pub(in crate::research::gaps) struct Written {
    /// Their keys ([`key_bits`]).
    keys: HashSet<u64>,
    /// Those that still mention concepts: (IRI, year, concept IRIs), in IRI order.
    fresh: Vec<(String, Option<i32>, BTreeSet<String>)>,
    /// Type statements about the concepts of those new to the corpus, by concept IRI.
    type_delta: HashMap<String, TypeVotes>,
    /// Preferred labels given to the concepts of those new to the corpus, by concept IRI.
    label_delta: HashMap<String, BTreeMap<String, u32>>,
    /// The concepts of those that were in the corpus before (their earlier statements are
    /// gone: these concepts are typed and labelled again).
    rewritten: HashSet<String>,
    /// Their IRIs, as they were or now are.
    pub(in crate::research::gaps) iris: BTreeSet<String>,
}

impl CorpusData {
    /// The papers with these keys as the store now holds them, after writes to them: each
    /// one's concept set and year read from its own graphs (none when it has no concept any
    /// more, e.g. deleted), and, of those new to this corpus, the type and label statements
    /// about their concepts.
    pub(in crate::research::gaps) fn written(&self, store: &Store, written: &BTreeSet<String>) -> Result<Written> {
        use crate::common::vocab::hyp;
        use oxigraph::model::{GraphNameRef, NamedNodeRef};
        let ox = store.graph().oxigraph();
        let mentions_p = NamedNodeRef::new_unchecked(hyp::MENTIONS_CONCEPT);
        // The written papers as they now are: (IRI, year, concept IRIs); the type and label
        // statements of those new to the corpus, counted by concept; the concepts of the others.
        let mut fresh: Vec<(String, Option<i32>, BTreeSet<String>)> = Vec::new();
        let mut type_delta: HashMap<String, TypeVotes> = HashMap::new();
        let mut label_delta: HashMap<String, BTreeMap<String, u32>> = HashMap::new();
        let mut rewritten: HashSet<String> = HashSet::new();
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
            if self.years.contains_key(iri.as_str()) {
                rewritten.extend(concepts.iter().cloned());
            } else {
                let type_p = NamedNodeRef::new_unchecked(hyp::CONCEPT_TYPE);
                let label_p = NamedNodeRef::new_unchecked(crate::common::vocab::skos::PREF_LABEL);
                for g in [store.base().paper_graph(key), store.base().extraction_graph(key)] {
                    let g = NamedNode::new(g).map_err(Error::graph)?;
                    for p in [type_p, label_p] {
                        for q in ox.quads_for_pattern(None, Some(p), None, Some(GraphNameRef::NamedNode(g.as_ref()))) {
                            let q = q?;
                            let oxigraph::model::NamedOrBlankNode::NamedNode(c) = &q.subject else {
                                continue;
                            };
                            if !concepts.contains(c.as_str()) {
                                continue;
                            }
                            if p == type_p {
                                count_type(type_delta.entry(c.as_str().to_string()).or_default(), &q.object);
                            } else {
                                *label_delta
                                    .entry(c.as_str().to_string())
                                    .or_default()
                                    .entry(lexical(&q.object))
                                    .or_default() += 1;
                            }
                        }
                    }
                }
            }
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
        let mut iris: BTreeSet<String> = fresh.iter().map(|f| f.0.clone()).collect();
        let keys: HashSet<u64> = written.iter().filter_map(|k| u64::from_str_radix(k, 16).ok()).collect();
        iris.extend(
            self.papers
                .iter()
                .filter(|p| keys.contains(&p.key))
                .map(|p| p.iri.to_string()),
        );
        Ok(Written {
            keys,
            fresh,
            type_delta,
            label_delta,
            rewritten,
            iris,
        })
    }

    /// This corpus brought up to date after writes to these papers, as [`Corpus::load`] would
    /// read the store now: the written papers as they now are, the others kept, papers and
    /// concepts numbered in IRI order again, and retractions as the store now stands
    /// ([`Store::standing`]). The types and labels already looked up are kept for the concepts
    /// that no written paper mentioned before or mentions now (a type is a vote of the papers
    /// mentioning the concept), and counted on with the statements of the written papers new
    /// to the corpus for those only such papers mention.
    pub(in crate::research::gaps) fn updated(&self, store: &Store, w: &Written) -> Result<CorpusData> {
        let Written {
            keys,
            fresh,
            type_delta,
            label_delta,
            rewritten,
            ..
        } = w;
        // Concepts a written paper mentioned before or mentions now (`touched`): their type and
        // label votes counted on with the new papers' statements, or, when a paper mentioning
        // them was there before (`reset`: its earlier statements are gone), read again.
        let mut touched = vec![false; self.concepts.len()];
        let mut reset = vec![false; self.concepts.len()];
        let mut kept_papers: Vec<&PaperRow> = Vec::with_capacity(self.papers.len());
        for p in &self.papers {
            if keys.contains(&p.key) {
                for &c in &p.concepts {
                    touched[c as usize] = true;
                    reset[c as usize] = true;
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
                    reset[i as usize] |= rewritten.contains(c.as_str());
                    false
                }
                None => true,
            })
            .map(String::as_str)
            .collect();
        let all: Vec<(Arc<str>, Option<u32>)> = merge_sorted(
            self.concepts
                .iter()
                .enumerate()
                .map(|(i, o)| (o.iri.clone(), Some(i as u32)))
                .collect(),
            added.into_iter().map(|c| (Arc::from(c), None)).collect(),
            |a, b| a.0 < b.0,
        );
        let mut at_old = vec![0u32; self.concepts.len()];
        let mut at_iri: FxHashMap<&str, u32> = FxHashMap::default();
        for (i, (iri, was)) in all.iter().enumerate() {
            match was {
                Some(o) => at_old[*o as usize] = i as u32,
                None => {
                    at_iri.insert(&**iri, i as u32);
                }
            }
        }
        let id_of = |c: &str| match self.by_iri.get(c) {
            Some(&o) => at_old[o as usize],
            None => at_iri[c],
        };
        // Papers in IRI order, concepts in the merged numbering.
        let rows: Vec<PaperRow> = merge_sorted(
            kept_papers
                .into_iter()
                .map(|p| PaperRow {
                    iri: p.iri.clone(),
                    key: p.key,
                    year: p.year,
                    retracted: None,
                    concepts: p.concepts.iter().map(|&c| at_old[c as usize]).collect(),
                })
                .collect(),
            fresh
                .iter()
                .map(|(iri, year, cs)| {
                    let mut concepts: Vec<u32> = cs.iter().map(|c| id_of(c)).collect();
                    concepts.sort_unstable();
                    PaperRow::new(iri, *year, concepts)
                })
                .collect(),
            |a, b| a.iri < b.iri,
        );
        // Concepts no paper mentions any more leave; the others are numbered again.
        let mut df = vec![0u32; all.len()];
        for p in &rows {
            for &c in &p.concepts {
                df[c as usize] += 1;
            }
        }
        // The numbering stays when no concept came or left.
        let renumbered = all.len() != self.concepts.len() || df.contains(&0);
        let mut final_id = vec![u32::MAX; all.len()];
        let mut concepts = Vec::with_capacity(all.len());
        let mut labels = HashMap::new();
        {
            let old_labels = self.labels.lock().unwrap_or_else(|e| e.into_inner());
            for (i, (iri, was)) in all.iter().enumerate() {
                if df[i] == 0 {
                    continue;
                }
                let id = concepts.len() as u32;
                final_id[i] = id;
                let (votes, ctype) = (OnceLock::new(), OnceLock::new());
                match was.map(|o| (o, &self.concepts[o as usize])) {
                    Some((o, old)) if !touched[o as usize] => {
                        if let Some(&v) = old.votes.get() {
                            let _ = votes.set(v);
                        }
                        if let Some(&t) = old.ctype.get() {
                            let _ = ctype.set(t);
                        }
                        if let Some(l) = old_labels.get(&o) {
                            labels.insert(id, l.clone());
                        }
                    }
                    Some((o, old)) if !reset[o as usize] => {
                        if let Some(&v) = old.votes.get() {
                            let d = type_delta.get(&**iri).copied().unwrap_or_default();
                            let _ = votes.set(std::array::from_fn(|t| v[t] + d[t]));
                        }
                        if let Some(l) = old_labels.get(&o) {
                            let mut v = l.votes.clone();
                            for (label, n) in label_delta.get(&**iri).into_iter().flatten() {
                                *v.entry(label.clone()).or_default() += n;
                            }
                            labels.insert(id, Labels::of(v, iri));
                        }
                    }
                    _ => {}
                }
                concepts.push(Concept {
                    iri: iri.clone(),
                    papers: df[i],
                    votes,
                    ctype,
                });
            }
        }
        let mut papers = rows;
        if renumbered {
            for p in &mut papers {
                for c in &mut p.concepts {
                    *c = final_id[*c as usize];
                }
            }
        }
        let by_iri = self.by_iri.renumbered(&all, &final_id);
        let mut data = CorpusData::new(concepts, by_iri, papers, retractions(store)?);
        *data.labels.get_mut().unwrap_or_else(|e| e.into_inner()) = labels;
        Ok(data)
    }
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
