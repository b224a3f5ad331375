//! Ranking missing-link candidates: the best unconnected pairs within two hops of a
//! co-occurrence graph by a score ([`best_pairs`], what `/gaps` serves and the evaluation
//! measures), and the ranking kept between calls and brought up to date after writes
//! ([`Ranking`]).
//!
//! ## Brought up to date, exactly
//!
//! Ranking every candidate of the full ACL graph (22k nodes, 390k edges) takes seconds; a write
//! to one paper changes the scores of few pairs. A [`Ranking`] keeps the best [`RESERVOIR`]
//! pairs with a floor no other pair scores above. For the graph after writes (same `as_of`),
//! the nodes that differ from the earlier graph (new, gone from, or with other papers, recent
//! papers, type, growth or edges) are the *changed* ones. A pair of two unchanged nodes has the
//! same neighbours, degrees, paper counts, recency, growth and types as before; only the degrees
//! of its bridges may differ, and only changed bridges. When no changed node lost edges and the
//! served model weighs Adamic–Adar positively (it does: `models/gaps-link-model.json`), such a
//! pair scores at most what it did, so if it was below the floor it still is. The new ranking is
//! then the kept pairs scored again, with every pair touching a changed node (or a node that is
//! no longer generic) enumerated from those nodes, cut at the floor: exact, at the cost of the
//! changed nodes' two-hop neighbourhoods instead of the whole graph. When the reference year
//! moves, a changed node lost edges (a paper deleted or re-extracted with fewer concepts), or
//! fewer than `limit` pairs stay above the floor, the graph is ranked whole again.

use std::sync::Arc;

use super::corpus::CorpusData;
use super::graph::{CoGraph, LinkScores};
use super::link_model::{LinkModel, FEATURES};
use super::rank::top_k;

/// Pairs a [`Ranking`] keeps. A call asking for more than half of it ranks the whole graph.
pub(super) const RESERVOIR: usize = 256;

/// The best pairs of one co-occurrence graph by the served score, kept between calls.
pub(super) struct Ranking {
    /// The corpus the graph's concept ids refer to.
    corpus: Arc<CorpusData>,
    pub(super) ranked: Ranked,
}

/// The best pairs of one graph and the floor below them.
pub(super) struct Ranked {
    /// The graph they were ranked on.
    pub(super) graph: Arc<CoGraph>,
    /// At most [`RESERVOIR`] actionable pairs (local ids of `graph`, `a < c`), best first.
    pub(super) best: Vec<(f64, (u32, u32))>,
    /// No actionable pair outside `best` scores above it (−∞: `best` holds them all).
    floor: f64,
}

/// The served score of a pair `/gaps` may name, −∞ for the others.
fn served(g: &CoGraph, a: u32, c: u32, s: &LinkScores) -> f64 {
    if g.actionable(a, c) {
        g.score(a, c, s)
    } else {
        f64::NEG_INFINITY
    }
}

/// The pair in (smaller, larger) order: scores and ties do not depend on the order.
fn ordered(a: u32, c: u32) -> (u32, u32) {
    (a.min(c), a.max(c))
}

impl Ranking {
    /// The whole graph ranked.
    pub(super) fn full(g: Arc<CoGraph>, corpus: Arc<CorpusData>, stop: &(dyn Fn() -> bool + Sync)) -> Ranking {
        Ranking {
            corpus,
            ranked: Ranked::full(g, stop),
        }
    }

    /// The ranking of `g`, the graph of the same `as_of` after writes (its concept ids refer to
    /// `corpus`), from this one (see the module docs), or `None` when it cannot be told exactly
    /// this way and the graph must be ranked whole.
    pub(super) fn updated(
        &self,
        g: Arc<CoGraph>,
        corpus: Arc<CorpusData>,
        limit: usize,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<Ranking> {
        let was = |id: u32| self.corpus.by_iri.get(&corpus.concepts[id as usize].iri).copied();
        let ranked = self.ranked.updated(g, was, limit, stop)?;
        Some(Ranking { corpus, ranked })
    }
}

impl Ranked {
    /// The whole graph ranked.
    pub(super) fn full(g: Arc<CoGraph>, stop: &(dyn Fn() -> bool + Sync)) -> Ranked {
        let best: Vec<(f64, (u32, u32))> = best_pairs(&g, None, RESERVOIR, stop, |a, c, s| served(&g, a, c, s))
            .into_iter()
            .map(|(score, (a, c, _))| (score, ordered(a, c)))
            .collect();
        let floor = match best.last() {
            Some(last) if best.len() >= RESERVOIR => last.0,
            _ => f64::NEG_INFINITY,
        };
        Ranked { graph: g, best, floor }
    }

    /// The best `limit` pairs (at most [`RESERVOIR`]).
    pub(super) fn top(&self, limit: usize) -> &[(f64, (u32, u32))] {
        &self.best[..limit.min(self.best.len())]
    }

    /// The ranking of `g` from this one, `was` giving the concept id in this ranking's graph of
    /// a concept id of `g` ([`Ranking::updated`]).
    fn updated(
        &self,
        g: Arc<CoGraph>,
        was: impl Fn(u32) -> Option<u32>,
        limit: usize,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<Ranked> {
        let aa = FEATURES.iter().position(|f| *f == "aa")?;
        let old = &self.graph;
        if limit > RESERVOIR / 2 || g.t != old.t || LinkModel::bundled().weights[aa] < 0.0 {
            return None;
        }
        // Nodes of both graphs, matched by concept.
        let mut old_of = vec![u32::MAX; g.len()];
        let mut new_of = vec![u32::MAX; old.len()];
        for (l, &id) in g.ids.iter().enumerate() {
            if let Some(o) = was(id).and_then(|w| old.local.get(w as usize).copied()) {
                if o != u32::MAX {
                    old_of[l] = o;
                    new_of[o as usize] = l as u32;
                }
            }
        }
        let changed = g.changed_since(old, &old_of, &new_of);
        if changed.iter().any(|&l| {
            let o = old_of[l as usize];
            o != u32::MAX && g.deg(l) < old.deg(o)
        }) {
            return None;
        }
        let mut sources = changed;
        sources.extend((0..g.len() as u32).filter(|&l| {
            let o = old_of[l as usize];
            o != u32::MAX && old.generic(o) && !g.generic(l)
        }));
        // Only a node of a type that can end a served pair, and not generic, is a source: the
        // pairs of the others all score −∞ (as bridges they are covered above).
        sources.retain(|&l| g.may_end_a_pair(l));
        sources.sort_unstable();
        sources.dedup();
        // The kept pairs scored again (their neighbourhoods may have changed), and every pair
        // touching a source.
        let mut cands: Vec<(f64, (u32, u32))> = Vec::new();
        for &(_, (oa, oc)) in &self.best {
            let (a, c) = (new_of[oa as usize], new_of[oc as usize]);
            if a == u32::MAX || c == u32::MAX || g.co_mentioned(a, c) {
                continue;
            }
            let s = g.pair(a, c);
            let score = served(&g, a, c, &s);
            if s.cn > 0 && score.is_finite() {
                cands.push((score, ordered(a, c)));
            }
        }
        let mut bound = self.floor;
        if !sources.is_empty() {
            let touching = best_pairs(&g, Some(&sources), RESERVOIR, stop, |a, c, s| served(&g, a, c, s));
            if touching.len() >= RESERVOIR {
                bound = bound.max(touching.last().map_or(f64::NEG_INFINITY, |t| t.0));
            }
            cands.extend(touching.into_iter().map(|(score, (a, c, _))| (score, ordered(a, c))));
        }
        cands.sort_unstable_by_key(|c| c.1);
        cands.dedup_by_key(|c| c.1);
        // Complete above `bound`: every pair left out scores at most it.
        cands.retain(|c| c.0 > bound);
        if bound > f64::NEG_INFINITY && cands.len() < limit {
            return None;
        }
        let cut = cands.len() > RESERVOIR;
        let best = top_k(cands, RESERVOIR, |a, b| a.cmp(b));
        let floor = match best.last() {
            Some(last) if cut => last.0,
            _ => bound,
        };
        Some(Ranked { graph: g, best, floor })
    }
}

/// The best `limit` unconnected pairs within two hops (touching `focus` when given) by `score`,
/// ties by local ids, each with its neighbourhood scores: the ranking [`missing_links`] serves
/// and [`evaluate_link_prediction`](super::evaluate_link_prediction) measures. A bounded buffer
/// is sorted and cut when it doubles; a pair below the last cut's floor cannot enter, so only
/// the others pay the co-mention check. A pair scored NaN or −∞ is left out. Once `stop` says
/// yes the remaining source concepts are skipped (the caller reports the cancellation).
pub(super) fn best_pairs(
    g: &CoGraph,
    focus: Option<&[u32]>,
    limit: usize,
    stop: &(dyn Fn() -> bool + Sync),
    score: impl Fn(u32, u32, &LinkScores) -> f64 + Sync,
) -> Vec<(f64, (u32, u32, LinkScores))> {
    let sources: Vec<u32> = match focus {
        Some(f) => f.to_vec(),
        None => (0..g.len() as u32).collect(),
    };
    // The source concepts dealt round-robin to one thread a core (hubs spread evenly); each
    // keeps its own best, and the union is cut once more. The same pairs, scores and ties as
    // one thread: the cut is a total order.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(sources.len() / MIN_SOURCES_PER_THREAD)
        .max(1);
    let best: Vec<(f64, (u32, u32, LinkScores))> = if threads == 1 {
        best_from(g, &sources, focus, limit, stop, &score)
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let share: Vec<u32> = sources.iter().skip(t).step_by(threads).copied().collect();
                    let score = &score;
                    scope.spawn(move || best_from(g, &share, focus, limit, stop, score))
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a best-pairs thread panicked"))
                .collect()
        })
    };
    top_k(best, limit, |a, b| (a.0, a.1).cmp(&(b.0, b.1)))
}

/// Threads [`best_pairs`] uses at most.
const MAX_THREADS: usize = 4;
/// Source concepts per thread below which [`best_pairs`] stays on one.
const MIN_SOURCES_PER_THREAD: usize = 2048;

/// The best `limit` pairs whose first concept is one of `sources` (see [`best_pairs`]).
fn best_from(
    g: &CoGraph,
    sources: &[u32],
    focus: Option<&[u32]>,
    limit: usize,
    stop: &dyn Fn() -> bool,
    score: &impl Fn(u32, u32, &LinkScores) -> f64,
) -> Vec<(f64, (u32, u32, LinkScores))> {
    let mut best: Vec<(f64, (u32, u32, LinkScores))> = Vec::new();
    let mut floor = f64::NEG_INFINITY;
    let cut = |best: &mut Vec<(f64, (u32, u32, LinkScores))>, floor: &mut f64| {
        let kept = top_k(std::mem::take(best), limit, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        if kept.len() >= limit {
            *floor = kept.last().map(|k| k.0).unwrap_or(f64::NEG_INFINITY);
        }
        *best = kept;
    };
    g.for_each_candidate_from(sources, focus, stop, |a, c, s| {
        let score = score(a, c, s);
        if !score.is_finite() || score < floor || g.co_mentioned(a, c) {
            return;
        }
        best.push((score, (a, c, *s)));
        if best.len() >= 2 * limit.max(64) {
            cut(&mut best, &mut floor);
        }
    });
    cut(&mut best, &mut floor);
    best
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::research::gaps::corpus::PaperRow;
    use hypatia_extract::ConceptType;

    /// A generator of synthetic papers of concepts numbered below `.1`: skewed concept choices
    /// (some concepts are hubs), years up to 2010.
    struct Papers(u64, u32);

    impl Papers {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as u32
        }

        fn paper(&mut self, i: usize) -> PaperRow {
            let k = 3 + self.next() % 6;
            let n = self.1;
            let concepts: BTreeSet<u32> = (0..k).map(|_| (self.next() % n) * (self.next() % n) / n).collect();
            // The first paper fixes the reference year, as later ones never pass it.
            let year = Some(if i == 0 { 2010 } else { 2000 + (self.next() % 11) as i32 });
            PaperRow::new(
                &format!("https://example.org/p{i:06}"),
                year,
                concepts.into_iter().collect(),
            )
        }
    }

    fn ctype(c: u32) -> ConceptType {
        [
            ConceptType::Method,
            ConceptType::Task,
            ConceptType::Dataset,
            ConceptType::Metric,
        ][(c % 4) as usize]
    }

    fn graph(papers: &[PaperRow], concepts: u32) -> Arc<CoGraph> {
        Arc::new(CoGraph::of_papers(
            papers,
            concepts as usize,
            ctype,
            None,
            &BTreeSet::new(),
        ))
    }

    fn bits(v: &[(f64, (u32, u32))]) -> Vec<(u64, (u32, u32))> {
        v.iter().map(|(s, p)| (s.to_bits(), *p)).collect()
    }

    /// Brought up to date after each of a run of new papers, a ranking lists the pairs ranking
    /// the whole new graph lists, with the same scores, in the same order; after a paper is
    /// taken away (bridges lose edges) it declines and the graph is ranked whole.
    #[test]
    fn a_ranking_brought_up_to_date_is_the_whole_ranking() {
        let mut gen = Papers(7, 3000);
        let graph = |papers: &[PaperRow]| graph(papers, 3000);
        let mut papers: Vec<PaperRow> = (0..6000).map(|i| gen.paper(i)).collect();
        let never = || false;
        let mut ranked = Ranked::full(graph(&papers), &never);
        assert_eq!(ranked.best.len(), RESERVOIR);
        assert!(ranked.floor > f64::NEG_INFINITY);
        let mut updated = 0;
        for i in 0..12 {
            papers.push(gen.paper(6000 + i));
            let g = graph(&papers);
            let whole = Ranked::full(g.clone(), &never);
            match ranked.updated(g, Some, 20, &never) {
                Some(r) => {
                    updated += 1;
                    assert!(r.best.len() >= 20, "paper {i}: {} pairs", r.best.len());
                    assert_eq!(bits(&r.best), bits(&whole.best[..r.best.len()]), "paper {i}");
                    // What it leaves out scores no more than its floor says.
                    assert!(whole.best[r.best.len()..].iter().all(|p| p.0 <= r.floor), "paper {i}");
                    ranked = r;
                }
                None => ranked = whole,
            }
        }
        assert!(updated >= 10, "brought up to date {updated} times of 12");
        // A paper taken away: its concepts lose edges.
        let gone = papers.remove(100);
        assert!(gone.concepts.len() >= 3);
        assert!(ranked.updated(graph(&papers), Some, 20, &never).is_none());
    }

    /// The best pairs found by one thread a core (a graph with enough source concepts to
    /// share them) are those one thread finds over all sources: same pairs, scores and order.
    #[test]
    fn best_pairs_on_threads_are_those_of_one() {
        let mut gen = Papers(42, 30_000);
        let papers: Vec<PaperRow> = (0..30_000).map(|i| gen.paper(i)).collect();
        let g = graph(&papers, 30_000);
        assert!(g.len() > 2 * MIN_SOURCES_PER_THREAD, "{} nodes", g.len());
        let score = |a: u32, c: u32, s: &LinkScores| served(&g, a, c, s);
        let all: Vec<u32> = (0..g.len() as u32).collect();
        for limit in [1, 20, 500] {
            let threaded = best_pairs(&g, None, limit, &|| false, score);
            let one = best_from(&g, &all, None, limit, &|| false, &score);
            assert_eq!(threaded.len(), limit);
            let key = |v: &[(f64, (u32, u32, LinkScores))]| -> Vec<(u64, u32, u32)> {
                v.iter().map(|(s, (a, c, _))| (s.to_bits(), *a, *c)).collect()
            };
            assert_eq!(key(&threaded), key(&one), "limit {limit}");
        }
    }
}
