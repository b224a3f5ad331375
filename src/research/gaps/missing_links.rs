//! Missing links (Swanson's ABC model as link prediction): the best unconnected pairs within two
//! hops by the served score, each explained by its strongest bridges and their co-occurrences.

use std::collections::BTreeMap;

use super::context::Ctx;
use super::graph::LinkScores;
use super::ranking::{best_pairs, RESERVOIR};
use super::{Gap, GapKind, MAX_EVIDENCE};
use crate::common::error::Result;
use crate::ingest::extraction::type_class;

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
    // Only pairs of types a researcher acts on (a method for a task, on a dataset, ...). Without
    // a focus, from the ranking kept for the graph (brought up to date after writes).
    let best: Vec<(f64, (u32, u32, LinkScores))> = match focus {
        None if limit <= RESERVOIR / 2 => {
            let ranking = ctx.ranking(limit)?;
            let top = ranking.ranked.top(limit);
            top.iter()
                .map(|&(score, (a, c))| (score, (a, c, g.pair(a, c))))
                .collect()
        }
        _ => {
            let cancel = ctx.cancel.clone();
            best_pairs(&g, focus.as_deref(), limit, &|| cancel.is_cancelled(), |a, c, s| {
                if g.actionable(a, c) {
                    g.score(a, c, s)
                } else {
                    f64::NEG_INFINITY
                }
            })
        }
    };
    ctx.check()?;
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
