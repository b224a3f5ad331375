//! What the gap finder reads of the store besides the corpus: concept mentions, claims and
//! the rows of statement queries, whole or (after writes) for the written papers only, merged
//! into what an earlier generation read.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use oxigraph::model::NamedNode;

use crate::common::error::{Error, Result};
use crate::store::queries::{self, lexical};
use crate::store::Store;

/// The rows of a statement query, shared between the generations that have them.
pub(super) type Rows = Vec<Arc<queries::Row>>;

/// A concept mention: where a paper's text names a concept.
pub(super) struct Mention {
    pub(super) concept: String,
    pub(super) paper: String,
    pub(super) passage: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// A claim about one concept (a claim about several is one `Claim` each).
#[derive(Clone)]
pub(super) struct Claim {
    pub(super) claim: String,
    pub(super) concept: String,
    pub(super) paper: String,
    pub(super) negative: bool,
    pub(super) hedged: bool,
}

/// Every claim with a polarity and a paper, of any year, in (paper, claim, concept) order.
pub(super) fn all_claims(store: &Store) -> Result<Vec<Claim>> {
    claims_scanned(|p| {
        store
            .graph()
            .owned_quads(None, Some(oxigraph::model::NamedNodeRef::new_unchecked(p)), None)
            .map(|q| {
                let q = q?;
                Ok((lexical(&q.subject.into()), lexical(&q.object)))
            })
            .collect()
    })
}

/// The concept mentions in a paper's extraction graph, of any year, in (start, concept)
/// order: four indexed scans of the graph, one per predicate a mention has (its concept,
/// offsets and passage), O(mentions found), rather than a lookup per mention and predicate.
pub(super) fn mentions_in(store: &Store, paper: &str) -> Result<Vec<Mention>> {
    use crate::common::vocab::{hyp, prov};
    use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNode};
    #[derive(Default)]
    struct Parts {
        concept: Option<String>,
        start: Option<usize>,
        end: Option<usize>,
        passage: Option<String>,
    }
    let mut parts: HashMap<NamedOrBlankNode, Parts> = HashMap::new();
    {
        let g = NamedNode::new(store.base().extraction_graph(&crate::common::ids::paper_key(paper)))
            .map_err(Error::graph)?;
        let ox = store.graph().oxigraph();
        for p in [hyp::CONCEPT, hyp::START, hyp::END, prov::WAS_DERIVED_FROM] {
            let pattern = ox.quads_for_pattern(
                None,
                Some(NamedNodeRef::new_unchecked(p)),
                None,
                Some(GraphNameRef::NamedNode(g.as_ref())),
            );
            for q in pattern {
                let q = q?;
                // Only subjects with a concept are mentions (claims have offsets too).
                let part = match parts.get_mut(&q.subject) {
                    Some(part) => part,
                    None if p == hyp::CONCEPT => parts.entry(q.subject.clone()).or_default(),
                    None => continue,
                };
                let value = lexical(&q.object);
                match p {
                    hyp::CONCEPT => {
                        part.concept.get_or_insert(value);
                    }
                    hyp::START => part.start = part.start.or(value.parse().ok()),
                    hyp::END => part.end = part.end.or(value.parse().ok()),
                    _ => {
                        part.passage.get_or_insert(value);
                    }
                }
            }
        }
    }
    let mut list: Vec<Mention> = parts
        .into_values()
        .filter_map(|p| {
            Some(Mention {
                concept: p.concept?,
                paper: paper.to_string(),
                passage: p.passage?,
                start: p.start?,
                end: p.end?,
            })
        })
        .collect();
    list.sort_by(|a, b| (a.start, &a.concept, &a.passage).cmp(&(b.start, &b.concept, &b.passage)));
    list.dedup_by(|a, b| (a.start, &a.concept) == (b.start, &b.concept));
    Ok(list)
}

/// The claims the quads of some predicates make, as (subject, object) pairs by predicate
/// from `scan`: every claim with a polarity and a paper, in (paper, claim, concept) order.
fn claims_scanned(scan: impl Fn(&str) -> Result<Vec<(String, String)>>) -> Result<Vec<Claim>> {
    use crate::common::vocab::{hyp, schema};
    let polarity: HashMap<String, bool> = scan(hyp::POLARITY)?
        .into_iter()
        .map(|(c, p)| (c, p == "negative"))
        .collect();
    let hedged: HashSet<String> = scan(hyp::HEDGED)?
        .into_iter()
        .filter(|(_, h)| h == "true" || h == "1")
        .map(|(c, _)| c)
        .collect();
    let paper: HashMap<String, String> = scan(schema::IS_BASED_ON)?
        .into_iter()
        .filter(|(c, _)| polarity.contains_key(c))
        .collect();
    let mut list: Vec<Claim> = scan(schema::ABOUT)?
        .into_iter()
        .filter_map(|(claim, concept)| {
            let negative = *polarity.get(&claim)?;
            let paper = paper.get(&claim)?.clone();
            Some(Claim {
                hedged: hedged.contains(&claim),
                claim,
                concept,
                paper,
                negative,
            })
        })
        .collect();
    sort_claims(&mut list);
    Ok(list)
}

/// What claims are ordered by.
fn claim_key(c: &Claim) -> (&str, &str, &str) {
    (&c.paper, &c.claim, &c.concept)
}

/// (paper, claim, concept) order, one entry per claim and concept.
fn sort_claims(list: &mut Vec<Claim>) {
    list.sort_by(|a, b| claim_key(a).cmp(&claim_key(b)));
    list.dedup_by(|a, b| (&a.claim, &a.concept) == (&b.claim, &b.concept));
}

/// The two graphs of a paper (its own and its extraction): what a write to it changes.
pub(super) fn graphs_of(store: &Store, key: &str) -> Result<Vec<NamedNode>> {
    [store.base().paper_graph(key), store.base().extraction_graph(key)]
        .into_iter()
        .map(|g| NamedNode::new(g).map_err(Error::graph))
        .collect()
}

/// `earlier`'s claims without those of the written papers (by key, and by IRI as they were or
/// are), with what the written papers' graphs state now.
pub(super) fn claims_updated(
    store: &Store,
    earlier: &[Claim],
    written: &BTreeSet<String>,
    written_iris: &BTreeSet<String>,
) -> Result<Vec<Claim>> {
    use oxigraph::model::{GraphNameRef, NamedNodeRef};
    let mut graphs = Vec::new();
    for key in written {
        graphs.extend(graphs_of(store, key)?);
    }
    let ox = store.graph().oxigraph();
    let fresh = claims_scanned(|p| {
        let mut pairs = Vec::new();
        for g in &graphs {
            for q in ox.quads_for_pattern(
                None,
                Some(NamedNodeRef::new_unchecked(p)),
                None,
                Some(GraphNameRef::NamedNode(g.as_ref())),
            ) {
                let q = q?;
                pairs.push((lexical(&q.subject.into()), lexical(&q.object)));
            }
        }
        Ok(pairs)
    })?;
    // Both in `sort_claims` order: merged, not sorted again.
    let mut list = Vec::with_capacity(earlier.len() + fresh.len());
    let mut kept = earlier.iter().filter(|c| !written_iris.contains(&c.paper)).peekable();
    for c in fresh {
        while let Some(k) = kept.next_if(|k| claim_key(k) < claim_key(&c)) {
            list.push(k.clone());
        }
        list.push(c);
    }
    list.extend(kept.cloned());
    list.dedup_by(|a, b| (&a.claim, &a.concept) == (&b.claim, &b.concept));
    Ok(list)
}

/// The variables a statement query orders its rows by (numeric ones compared as numbers),
/// as its `ORDER BY` says.
fn order_of(query: &str) -> &'static [(&'static str, bool)] {
    if query == queries::METHOD_EVALUATIONS || query == queries::METHOD_RESULTS {
        &[("method", false), ("dataset", false), ("paper", false), ("start", true)]
    } else if query == queries::OPEN_QUESTION_PASSAGES {
        &[("paper", false), ("start", true)]
    } else {
        &[]
    }
}

/// Sorts a statement query's rows by its `ORDER BY`, then by every value (the order SPARQL
/// leaves to the engine), so that rows read whole and rows brought up to date by difference
/// come in one order.
pub(super) fn sort_rows(query: &str, rows: &mut [queries::Row]) {
    rows.sort_by_cached_key(|r| row_key(query, r));
}

/// A row's place in [`sort_rows`] order.
fn row_key(query: &str, r: &queries::Row) -> Vec<(i64, String)> {
    let mut key: Vec<(i64, String)> = order_of(query)
        .iter()
        .map(|(var, numeric)| {
            let v = r.get(*var).cloned().unwrap_or_default();
            let n = if *numeric { v.parse().unwrap_or(i64::MIN) } else { 0 };
            (n, v)
        })
        .collect();
    let mut rest: Vec<(&String, &String)> = r.iter().collect();
    rest.sort();
    key.extend(rest.into_iter().map(|(var, v)| (0, format!("{var}={v}"))));
    key
}

/// `kept` (in [`sort_rows`] order) with `fresh` put in their places: O(|fresh| log |kept|)
/// row keys, instead of sorting all again.
pub(super) fn merge_rows(query: &str, kept: Rows, mut fresh: Vec<queries::Row>) -> Rows {
    sort_rows(query, &mut fresh);
    let mut out = Vec::with_capacity(kept.len() + fresh.len());
    let mut at = 0;
    for r in fresh {
        let key = row_key(query, &r);
        let to = at + kept[at..].partition_point(|k| row_key(query, k) <= key);
        out.extend(kept[at..to].iter().cloned());
        out.push(Arc::new(r));
        at = to;
    }
    out.extend(kept[at..].iter().cloned());
    out
}
