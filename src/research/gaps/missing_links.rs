//! Missing links (Swanson's ABC model as link prediction): the best unconnected pairs within two
//! hops by the served score, each explained by its strongest bridges and their co-occurrences.

use std::collections::BTreeMap;

use super::context::Ctx;
use super::graph::{CoGraph, LinkScores};
use super::rank::top_k;
use super::{Gap, GapKind, MAX_EVIDENCE};
use crate::common::error::Result;
use crate::ingest::extraction::type_class;

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
pub(super) fn best_from(
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

pub(super) fn missing_links(ctx: &mut Ctx<'_>, limit: usize) -> Result<Vec<Gap>> {
    let g = ctx.graph();
    let focus: Option<Vec<u32>> = ctx.focus.as_ref().map(|f| {
        let mut v: Vec<u32> = f
            .iter()
            .map(|&c| g.local[c as usize])
            .filter(|&l| l != u32::MAX)
            .collect();
        v.sort_unstable();
        v
    });
    if focus.as_ref().is_some_and(|f| f.is_empty()) {
        return Ok(Vec::new());
    }
    // Only pairs of types a researcher acts on (a method for a task, on a dataset, ...).
    let cancel = ctx.cancel.clone();
    let best = best_pairs(&g, focus.as_deref(), limit, &|| cancel.is_cancelled(), |a, c, s| {
        if g.actionable(a, c) {
            g.score(a, c, s)
        } else {
            f64::NEG_INFINITY
        }
    });
    let mut gaps = Vec::new();
    for (score, (a, c, s)) in best {
        ctx.check()?;
        gaps.push(missing_link_gap(ctx, a, c, s, score)?);
    }
    Ok(gaps)
}

fn missing_link_gap(ctx: &mut Ctx<'_>, a: u32, c: u32, s: LinkScores, score: f64) -> Result<Gap> {
    let g = ctx.graph();
    let (ca, cc) = (g.ids[a as usize], g.ids[c as usize]);
    // Bridges, strongest first: the weaker of the two edges, discounted by the bridge's degree.
    let mut bridges: Vec<(f64, u32, u32, u32)> = g.adj[a as usize]
        .iter()
        .filter_map(|e| {
            let e2 = g.edge(e.n, c)?;
            let w = e.papers.min(e2.papers) as f64 / (g.deg(e.n).max(2) as f64).ln();
            Some((w, e.n, e.papers, e2.papers))
        })
        .collect();
    bridges.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut features = BTreeMap::new();
    features.insert("common_neighbours".into(), s.cn as f64);
    features.insert("adamic_adar".into(), s.aa);
    features.insert("resource_allocation".into(), s.ra);
    features.insert("preferential_attachment".into(), s.pa);
    features.insert("papers_a".into(), g.df[a as usize] as f64);
    features.insert("papers_c".into(), g.df[c as usize] as f64);
    features.insert("recency_a".into(), g.recency(a));
    features.insert("recency_c".into(), g.recency(c));
    features.insert("growth_a".into(), g.growth(a));
    features.insert("growth_c".into(), g.growth(c));
    let corpus = ctx.corpus;
    let (la, lc) = (corpus.label(ca), corpus.label(cc));
    let named: Vec<String> = bridges
        .iter()
        .take(3)
        .map(|&(_, b, wa, wc)| {
            format!(
                "{} ({wa} paper{} with {la}, {wc} with {lc})",
                corpus.label(g.ids[b as usize]),
                if wa == 1 { "" } else { "s" }
            )
        })
        .collect();
    let explanation = format!(
        "{la} ({}) and {lc} ({}) never co-occur in a paper {}, but {} concept{} link{} them: {}{}.",
        type_class(g.types[a as usize]),
        type_class(g.types[c as usize]),
        ctx.horizon(),
        s.cn,
        if s.cn == 1 { "" } else { "s" },
        if s.cn == 1 { "s" } else { "" },
        named.join(", "),
        if s.cn > 3 { ", ..." } else { "" }
    );
    let top: Vec<u32> = bridges.iter().take(3).map(|b| g.ids[b.1 as usize]).collect();
    let mut concepts = vec![corpus.concept_ref(ca), corpus.concept_ref(cc)];
    concepts.extend(top.iter().map(|&b| corpus.concept_ref(b)));
    let mut evidence = Vec::new();
    for &b in &top {
        let lb = corpus.label(b).to_string();
        for (x, y, role) in [(ca, b, format!("{la} with {lb}")), (b, cc, format!("{lb} with {lc}"))] {
            if evidence.len() >= MAX_EVIDENCE {
                break;
            }
            if let Some(ev) = ctx.cooccurrence(x, y, &role)? {
                evidence.push(ev);
            }
        }
    }
    Ok(Gap {
        kind: GapKind::MissingLink,
        score,
        explanation,
        concepts,
        evidence,
        features,
    })
}
