//! Contested claims: claims about the same specific pair of concepts with opposite
//! `hyp:polarity` from different papers, one gap per set of concepts with the same claims on
//! both sides. A pair, not one concept: "claims about cells disagree" says nothing, "claims about
//! vitamin D and fracture risk disagree" is a question. Both concepts are typed, and neither is
//! generic: mentioned by more than [`GENERIC_SHARE`](super::graph::GENERIC_SHARE) of the
//! counted papers ([`generic_above`](super::graph::generic_above)).
//!
//! Beside them, numeric conflicts ([`super::numeric_conflicts`]): papers whose results for the
//! same specific method, dataset or task and metric disagree by more than a documented margin,
//! also `ContestedClaim` gaps (feature `numeric_conflict` = 1, 0 for claims by polarity), ranked
//! with them by a score of the same make.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::context::{Claim, Ctx};
use super::numeric_conflicts::numeric_conflicts;
use super::rank::top_k;
use super::{Gap, GapKind, MAX_EVIDENCE};
use crate::common::error::Result;

pub(super) fn contested_claims(ctx: &mut Ctx<'_>, limit: usize) -> Result<Vec<Gap>> {
    let corpus = ctx.corpus;
    let claims = ctx.claims()?;
    // Generic as the co-occurrence graph defines it.
    let g = ctx.graph();
    let specific = |k: u32| g.specific(corpus, k);
    // Per claim: its specific concepts (claims come one row per concept).
    let mut about: BTreeMap<&str, (usize, BTreeSet<u32>)> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let Some(&k) = corpus.by_iri.get(c.concept.as_str()) else {
            continue;
        };
        let forced = ctx.focus.as_ref().is_some_and(|f| f.contains(&k));
        if specific(k) || forced {
            about
                .entry(c.claim.as_str())
                .or_insert((i, BTreeSet::new()))
                .1
                .insert(k);
        }
    }
    // Per concept pair: the claims on each side (indices into `claims`).
    let mut sides: BTreeMap<(u32, u32), (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, ks) in about.values() {
        let ks: Vec<u32> = ks.iter().copied().collect();
        for (x, &a) in ks.iter().enumerate() {
            for &b in &ks[x + 1..] {
                if !(ctx.in_focus(a) || ctx.in_focus(b)) {
                    continue;
                }
                let e = sides.entry((a, b)).or_default();
                if claims[*i].negative {
                    e.1.push(*i);
                } else {
                    e.0.push(*i);
                }
            }
        }
    }
    // Pairs with the same claims on both sides make one gap, about all their concepts.
    let mut groups: BTreeMap<(Vec<String>, Vec<String>), BTreeSet<u32>> = BTreeMap::new();
    for ((a, b), (pos, neg)) in sides {
        ctx.check()?;
        let papers = |v: &[usize]| v.iter().map(|&i| claims[i].paper.as_str()).collect::<BTreeSet<&str>>();
        let (pp, np) = (papers(&pos), papers(&neg));
        if pp.is_empty() || np.is_empty() || (pp.len() == 1 && np.len() == 1 && pp == np) {
            continue;
        }
        let ids = |v: &[usize]| {
            let mut s: Vec<String> = v.iter().map(|&i| claims[i].claim.clone()).collect();
            s.sort();
            s.dedup();
            s
        };
        groups.entry((ids(&pos), ids(&neg))).or_default().extend([a, b]);
    }
    let by_claim: HashMap<&str, &Claim> = claims.iter().map(|c| (c.claim.as_str(), c)).collect();
    let mut cands = Vec::new();
    for ((pos, neg), concepts) in groups {
        let concepts: Vec<u32> = concepts.into_iter().collect();
        let papers = |v: &[String]| {
            v.iter()
                .map(|c| by_claim[c.as_str()].paper.as_str())
                .collect::<BTreeSet<&str>>()
        };
        let (pp, np) = (papers(&pos), papers(&neg));
        let hedged = pos.iter().chain(&neg).filter(|c| by_claim[c.as_str()].hedged).count() as f64
            / (pos.len() + neg.len()) as f64;
        let score = ((pp.len() * np.len()) as f64).sqrt() * (1.0 - hedged / 2.0);
        cands.push((score, (pos, neg, concepts, pp.len(), np.len(), hedged)));
    }
    let best = top_k(cands, limit, |a, b| (&a.2, &a.0, &a.1).cmp(&(&b.2, &b.0, &b.1)));
    let mut gaps = Vec::new();
    for (score, (pos, neg, concepts, np_pos, np_neg, hedged)) in best {
        ctx.check()?;
        // Alternate sides, negative first, one claim per paper and side before repeats.
        let order = |v: &[String]| {
            let mut seen = HashSet::new();
            let (mut firsts, mut rest): (Vec<&Claim>, Vec<&Claim>) = (Vec::new(), Vec::new());
            for c in v.iter().map(|c| by_claim[c.as_str()]) {
                if seen.insert(c.paper.as_str()) {
                    firsts.push(c);
                } else {
                    rest.push(c);
                }
            }
            firsts.extend(rest);
            firsts
        };
        let (ps, ns) = (order(&pos), order(&neg));
        let mut evidence = Vec::new();
        let mut i = 0;
        while evidence.len() < MAX_EVIDENCE && (i < ps.len() || i < ns.len()) {
            for (side, role) in [(&ns, "negative"), (&ps, "supports")] {
                if let Some(c) = side.get(i) {
                    if evidence.len() < MAX_EVIDENCE {
                        evidence.extend(ctx.claim_evidence(c, role)?);
                    }
                }
            }
            i += 1;
        }
        let labels: Vec<String> = concepts.iter().take(4).map(|&k| corpus.label(k)).collect();
        let labels = match labels.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => labels.join(""),
        };
        let first = |role: &str| {
            evidence
                .iter()
                .find(|e| e.role == role)
                .map(|e| clip(&e.quote, 160))
                .unwrap_or_default()
        };
        let explanation = format!(
            "Claims about {} disagree {}: {np_pos} paper{} support{} it (\"{}\"), {np_neg} paper{} state{} a negative finding (\"{}\").",
            labels,
            ctx.horizon(),
            if np_pos == 1 { "" } else { "s" },
            if np_pos == 1 { "s" } else { "" },
            first("supports"),
            if np_neg == 1 { "" } else { "s" },
            if np_neg == 1 { "s" } else { "" },
            first("negative"),
        );
        let mut features = BTreeMap::new();
        features.insert("supporting_papers".into(), np_pos as f64);
        features.insert("negative_papers".into(), np_neg as f64);
        features.insert("supporting_claims".into(), pos.len() as f64);
        features.insert("negative_claims".into(), neg.len() as f64);
        features.insert("hedged_share".into(), hedged);
        features.insert("numeric_conflict".into(), 0.0);
        gaps.push(Gap {
            kind: GapKind::ContestedClaim,
            score,
            explanation,
            concepts: concepts.iter().map(|&k| corpus.concept_ref(k)).collect(),
            evidence,
            features,
        });
    }
    // With the numeric conflicts, by score (polarity first on ties: a stable sort).
    gaps.extend(numeric_conflicts(ctx, limit)?);
    gaps.sort_by(|a, b| b.score.total_cmp(&a.score));
    gaps.truncate(limit);
    Ok(gaps)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}
