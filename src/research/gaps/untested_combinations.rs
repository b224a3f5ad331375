//! Untested combinations: a method never evaluated on, used for, nor mentioned with a dataset or
//! task that methods similar to it (co-mentioned, or sharing targets) were evaluated on or used
//! for. What a similar method did with the target is read from extracted statements only
//! (`hyp:evaluatedOn` and `hyp:uses` relations, result tuples), each quoted as evidence: two
//! concepts merely mentioned in one paper say nothing about whether one was tried on the other.

use std::collections::{BTreeMap, BTreeSet};

use super::context::Ctx;
use super::corpus::is_target;
use super::rank::top_k;
use super::{Gap, GapKind, MAX_EVIDENCE};
use crate::common::error::Result;
use crate::ingest::extraction::type_class;
use crate::store::queries;
use hypatia_extract::ConceptType;

/// The most similar methods an untested combination is inferred from, per method.
pub const SIMILAR_METHODS: usize = 20;

/// A statement that a method was evaluated on or used for a dataset or task.
#[derive(Clone)]
struct Evaluation {
    /// "evaluated on", "used for" or "used with".
    kind: String,
    paper: String,
    passage: String,
    start: usize,
    end: usize,
}

pub(super) fn untested_combinations(ctx: &mut Ctx<'_>, limit: usize) -> Result<Vec<Gap>> {
    // Evaluation and use statements of counted papers, between a method and a target of the
    // graph (either end of a `uses` relation may be the method: the types decide).
    let rows = ctx.rows(queries::METHOD_EVALUATIONS)?;
    let corpus = ctx.corpus;
    let mut evaluated: BTreeMap<(u32, u32), Vec<Evaluation>> = BTreeMap::new();
    {
        let g = ctx.graph();
        for r in rows.iter() {
            let (Some(m), Some(d), Some(paper), Some(passage)) =
                (r.get("method"), r.get("dataset"), r.get("paper"), r.get("passage"))
            else {
                continue;
            };
            let (Some(&m), Some(&d)) = (corpus.by_iri.get(m.as_str()), corpus.by_iri.get(d.as_str())) else {
                continue;
            };
            let (mut lm, mut ld) = (g.local[m as usize], g.local[d as usize]);
            if lm == u32::MAX || ld == u32::MAX || lm == ld || !corpus.counts(paper, ctx.as_of) {
                continue;
            }
            let method_target =
                |x: u32, y: u32| g.types[x as usize] == ConceptType::Method && is_target(g.types[y as usize]);
            if !method_target(lm, ld) {
                if method_target(ld, lm) {
                    std::mem::swap(&mut lm, &mut ld);
                } else {
                    continue;
                }
            }
            let (Some(start), Some(end)) = (
                r.get("start").and_then(|s| s.parse().ok()),
                r.get("end").and_then(|s| s.parse().ok()),
            ) else {
                continue;
            };
            evaluated.entry((lm, ld)).or_default().push(Evaluation {
                kind: r.get("kind").cloned().unwrap_or_else(|| "evaluated on".into()),
                paper: paper.clone(),
                passage: passage.clone(),
                start,
                end,
            });
        }
    }
    let g = ctx.graph();
    let ctype = |l: u32| g.types[l as usize];
    // Method -> target statements.
    let mut links: Vec<BTreeMap<u32, Vec<Evaluation>>> = vec![BTreeMap::new(); g.len()];
    for ((m, d), evs) in evaluated {
        links[m as usize].insert(d, evs);
    }
    // Target -> methods linked to it.
    let mut methods_of: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (m, ts) in links.iter().enumerate() {
        for &d in ts.keys() {
            methods_of.entry(d).or_default().push(m as u32);
        }
    }
    let focus_local = |c: u32| ctx.in_focus(g.ids[c as usize]);
    struct Cand {
        m: u32,
        d: u32,
        similar: Vec<(f64, u32)>,
        score: f64,
        statements: usize,
    }
    let mut cands: Vec<(f64, Cand)> = Vec::new();
    let cancel = ctx.cancel.clone();
    for m in 0..g.len() as u32 {
        if ctype(m) != ConceptType::Method {
            continue;
        }
        cancel.check(super::SEARCH)?;
        let mine = &links[m as usize];
        // Similar methods: co-mentioned with m (cosine of paper counts) or sharing targets
        // (Jaccard of target sets); similarity is the mean of the two.
        let mut others: BTreeSet<u32> = g.adj[m as usize]
            .iter()
            .map(|e| e.n)
            .filter(|&x| ctype(x) == ConceptType::Method)
            .collect();
        for d in mine.keys() {
            others.extend(methods_of.get(d).into_iter().flatten().copied().filter(|&x| x != m));
        }
        let mut similar: Vec<(f64, u32)> = others
            .iter()
            .map(|&o| {
                let cos = g
                    .edge(m, o)
                    .map(|e| e.papers as f64 / ((g.df[m as usize] as f64) * (g.df[o as usize] as f64)).sqrt())
                    .unwrap_or(0.0);
                let theirs = &links[o as usize];
                let shared = mine.keys().filter(|d| theirs.contains_key(d)).count();
                let union = mine.len() + theirs.len() - shared;
                let jac = if union == 0 { 0.0 } else { shared as f64 / union as f64 };
                ((cos + jac) / 2.0, o)
            })
            .filter(|s| s.0 > 0.0)
            .collect();
        similar.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        similar.truncate(SIMILAR_METHODS);
        // Per target: score, the similar methods reaching it, how many by an evaluation.
        type Reach = (f64, Vec<(f64, u32)>, usize);
        let mut per_target: BTreeMap<u32, Reach> = BTreeMap::new();
        for &(sim, o) in &similar {
            for (&d, statements) in &links[o as usize] {
                if mine.contains_key(&d) || g.co_mentioned(m, d) {
                    continue;
                }
                if !(focus_local(m) || focus_local(d)) {
                    continue;
                }
                let e = per_target.entry(d).or_default();
                e.0 += sim;
                e.1.push((sim, o));
                e.2 += statements.len();
            }
        }
        for (d, (score, mut similar, statements)) in per_target {
            similar.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            cands.push((
                score,
                Cand {
                    m,
                    d,
                    similar,
                    score,
                    statements,
                },
            ));
        }
    }
    let best = top_k(cands, limit, |a, b| (a.m, a.d).cmp(&(b.m, b.d)));
    let mut gaps = Vec::new();
    for (_, c) in best {
        ctx.check()?;
        let g = ctx.graph();
        let (cm, cd) = (g.ids[c.m as usize], g.ids[c.d as usize]);
        let (lm, ld) = (corpus.label(cm).to_string(), corpus.label(cd).to_string());
        let top: Vec<(f64, u32)> = c.similar.iter().take(3).copied().collect();
        let named: Vec<String> = top
            .iter()
            .map(|&(_, o)| {
                let statements = &links[o as usize][&c.d];
                let how = format!(
                    "{} {ld} in {} statement{}",
                    statements[0].kind,
                    statements.len(),
                    if statements.len() == 1 { "" } else { "s" }
                );
                let with_m = g.edge(c.m, o).map(|e| e.papers).unwrap_or(0);
                format!(
                    "{} ({how}; {with_m} paper{} with {lm})",
                    corpus.label(g.ids[o as usize]),
                    if with_m == 1 { "" } else { "s" }
                )
            })
            .collect();
        let n = c.similar.len();
        let explanation = format!(
            "{lm} ({}) is never evaluated on, used for or mentioned with {ld} ({}) {}, but {n} similar method{} {}: {}{}.",
            type_class(corpus.ctype(cm)),
            type_class(corpus.ctype(cd)),
            ctx.horizon(),
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
            named.join(", "),
            if n > 3 { ", ..." } else { "" }
        );
        let mut features = BTreeMap::new();
        features.insert("similar_methods".into(), n as f64);
        features.insert("statements".into(), c.statements as f64);
        features.insert("similarity_sum".into(), c.similar.iter().map(|s| s.0).sum::<f64>());
        features.insert("papers_method".into(), g.df[c.m as usize] as f64);
        features.insert("papers_target".into(), g.df[c.d as usize] as f64);
        let mut concepts = vec![corpus.concept_ref(cm), corpus.concept_ref(cd)];
        concepts.extend(top.iter().map(|&(_, o)| corpus.concept_ref(g.ids[o as usize])));
        let mut evidence = Vec::new();
        for &(_, o) in &top {
            let co = g.ids[o as usize];
            let lo = corpus.label(co).to_string();
            let e = links[o as usize][&c.d][0].clone();
            evidence.extend(ctx.evidence(&e.paper, &e.passage, (e.start, e.end), &format!("{lo} {} {ld}", e.kind))?);
        }
        for &(_, o) in &top {
            if evidence.len() >= MAX_EVIDENCE {
                break;
            }
            let co = ctx.graph().ids[o as usize];
            let lo = corpus.label(co).to_string();
            if ctx.graph().edge(c.m, o).is_some() {
                evidence.extend(ctx.cooccurrence(cm, co, &format!("{lm} with {lo}"))?);
            }
        }
        evidence.truncate(MAX_EVIDENCE);
        gaps.push(Gap {
            kind: GapKind::UntestedCombination,
            score: c.score,
            explanation,
            concepts,
            evidence,
            features,
        });
    }
    Ok(gaps)
}
