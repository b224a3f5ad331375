//! Temporal evaluation of missing links, after the Science4Cast protocol, with nothing later
//! than the cut in the graph that is scored.
//!
//! For a cut year T and a horizon H ([`LinkEvalConfig`]; Science4Cast predicts T+3):
//!
//! - **Nodes and features come from papers up to T only.** The store's extraction graphs are
//!   not read: their concepts come from the corpus lexicon `hypatia extract` built over every
//!   stored paper, later ones included, and a concept's type there is a vote over every paper
//!   that mentions it. Instead, the canonical texts of the papers up to T build an as-of-T
//!   lexicon (the same C-value builder and least score as `hypatia extract`), and every paper up
//!   to T+H is re-extracted with it in memory; nothing is written. A concept's type is the vote
//!   of the papers up to T that mention it (as [`Corpus::ctype`] votes over extraction
//!   graphs). Nodes, edges, degrees, recency and growth are then built from the papers up to T
//!   by the code `/gaps?as_of=T` uses ([`CoGraph::build`]).
//! - **Papers of years T+1 ..= T+H only define the positives**: the pairs of nodes, unconnected
//!   at T, that one of them mentions together (each paper's node concepts capped as at T,
//!   ranked by their paper counts at T). They are extracted with the as-of-T lexicon, so they add
//!   no term, no node and no type; papers after T+H are not read, and papers without a year
//!   count nowhere.
//! - **AUC** over a uniform sample of [`AUC_NEGATIVES`] unconnected pairs that no paper within
//!   the horizon links (every such pair when there are fewer), plus every positive; ties count
//!   one half (Mann–Whitney). **P@k**: the share of positives among a ranker's top k unconnected
//!   pairs.
//!
//! Rankers, in report order:
//! 1. the served missing-link score [`LinkScore::SERVED`], its top k chosen by the same
//!    [`best_pairs`] that serves `/gaps`: only pairs with a common neighbour are listed (a
//!    missing link is named by its bridges). In the AUC, pairs without one score what the score
//!    gives them: the learned score ranks them too, the closed-form ones give them 0;
//! 2. the other [`LinkScore`]s, measured the same way and not served;
//! 3. Adamic–Adar and common neighbours (0 beyond two hops);
//! 4. preferential attachment (the degree product, over all unconnected pairs);
//! 5. random: a seeded sample of unconnected pairs for P@k (expected: positives / unconnected
//!    pairs, [`LinkEval::random_expected_precision`]); its AUC is 0.5 in expectation and is not
//!    measured ([`RankerEval::auc`] is `None`).
//!
//! Each ranker is measured on three strata ([`StratumEval`]): all unconnected pairs; the
//! **actionable** ones, whose type pair a researcher acts on (see
//! [`actionable`](super::link_model::actionable)) and neither of whose concepts is generic
//! (mentioned by more than [`GENERIC_SHARE`](super::graph::GENERIC_SHARE) of the papers up to
//! T): the pairs `/gaps` lists; and the **specific** ones, both concepts outside the top 10 % of
//! nodes by degree (the hubs every ranker finds). Within a stratum,
//! positives, AUC negatives and each ranker's top k are the stratum's own.
//!
//! [`fit_link_model`] trains the learned score on one cut (its features at T, its labels from
//! the horizon), with the same graph, positives and negative sample.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use super::corpus::{papers_of_format, vote, Corpus};
use super::graph::{pair_key, CoGraph, LinkScore, LinkScores, MAX_CONCEPTS_PER_PAPER};
use super::link_model::{actionable, Features, LinkModel};
use super::ranking::best_pairs;
use crate::common::error::{Error, Result};
use crate::common::rng::SplitMix;
use crate::store::queries::lexical;
use crate::store::Store;
use hypatia_extract::ConceptType;

/// A score of a concept pair (two node ids and their neighbourhood statistics).
type PairScore = dyn Fn(u32, u32, &LinkScores) -> f64 + Sync;

/// Most unconnected, never-linked pairs sampled for the AUC.
pub const AUC_NEGATIVES: usize = 100_000;

/// What [`evaluate_link_prediction`] measures.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkEvalConfig {
    /// The cut year T: the graph is built from papers up to T.
    pub cut: i32,
    /// Positives are the pairs first linked by papers of years T+1 ..= T+horizon.
    pub horizon: i32,
    /// The cut-offs of the precision.
    pub ks: Vec<usize>,
    /// Only papers read from this source format (`hyp:sourceFormat`, e.g. "acl"), so that a
    /// store holding several corpora can be evaluated on one.
    pub source_format: Option<String>,
    /// The least C-value score of a term of the as-of-T lexicon.
    pub min_score: f64,
}

impl Default for LinkEvalConfig {
    fn default() -> Self {
        LinkEvalConfig {
            cut: 2015,
            horizon: 3,
            ks: vec![100, 1000],
            source_format: None,
            min_score: crate::ingest::extraction::LEXICON_MIN_SCORE,
        }
    }
}

/// Precision of a ranker's top k pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionAt {
    /// The cut-off.
    pub k: usize,
    /// Of the top k pairs, how many are positives.
    pub hits: usize,
    /// How many pairs were ranked (fewer than k when there are fewer candidates).
    pub ranked: usize,
    /// hits / ranked (0 when nothing was ranked).
    pub precision: f64,
}

/// How one ranker of unconnected pairs did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankerEval {
    /// A [`LinkScore`] name, "adamic_adar", "common_neighbours", "preferential_attachment" or
    /// "random".
    pub name: String,
    /// Whether this is the score `/gaps` serves missing links by.
    pub served: bool,
    /// Precision at each asked cut-off, in the order asked.
    pub precision: Vec<PrecisionAt>,
    /// ROC AUC over every positive and the sampled negatives (ties count one half); `None`
    /// without both, and for random, whose AUC is 0.5 in expectation and is not measured.
    pub auc: Option<f64>,
}

/// Missing links predicted as of T against the links papers of the horizon make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkEval {
    /// The cut year T.
    pub t: i32,
    /// The horizon H: positives come from papers of years T+1 ..= T+H.
    pub horizon: i32,
    /// The cut-offs of the precision.
    pub ks: Vec<usize>,
    /// Terms of the lexicon built from the papers up to T.
    pub lexicon_terms: usize,
    /// Papers up to T in which the re-extraction finds concepts.
    pub papers_up_to_t: usize,
    /// Papers of the horizon in which it finds concepts known at T.
    pub papers_in_horizon: usize,
    /// Nodes of the graph as of T.
    pub concepts: usize,
    /// Edges as of T.
    pub edges: usize,
    /// Unconnected pairs of nodes as of T.
    pub unconnected_pairs: u64,
    /// Unconnected pairs within two hops (what the served score ranks).
    pub candidates: usize,
    /// Unconnected pairs as of T that a paper of the horizon mentions together.
    pub positives: usize,
    /// Of them, how many are within two hops.
    pub positives_in_candidates: usize,
    /// Negative pairs in the AUC sample: unconnected at T, not linked within the horizon.
    pub auc_negatives: usize,
    /// All pairs, the actionable ones and the specific ones, in that order.
    pub strata: Vec<StratumEval>,
}

/// The rankers measured on one stratum of the unconnected pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumEval {
    /// "all", "actionable" or "specific".
    pub name: String,
    /// Unconnected pairs as of T in the stratum.
    pub unconnected_pairs: u64,
    /// Of them, positives.
    pub positives: usize,
    /// Of the AUC sample's negatives, those in the stratum.
    pub auc_negatives: usize,
    /// The served score first, then the other link scores, Adamic–Adar, common neighbours,
    /// preferential attachment and random.
    pub rankers: Vec<RankerEval>,
    /// The expected precision of random pairs: positives / unconnected pairs.
    pub random_expected_precision: f64,
}

impl LinkEval {
    /// The stratum of all unconnected pairs.
    pub fn all(&self) -> &StratumEval {
        &self.strata[0]
    }
}

/// Predicts missing links from the papers up to `cfg.cut` and measures them against the pairs
/// that papers of the horizon mention together for the first time: precision@k and ROC AUC of
/// the served score beside the other scores and the baselines (see the module docs for what is
/// read from which years).
pub fn evaluate_link_prediction(store: &Store, cfg: &LinkEvalConfig) -> Result<LinkEval> {
    if cfg.ks.is_empty() || cfg.ks.contains(&0) {
        return Err(Error::invalid("k", "give one or more cut-offs of at least 1"));
    }
    if cfg.horizon < 1 {
        return Err(Error::invalid("horizon", "must be at least 1 year"));
    }
    let (corpus, lexicon_terms) = corpus_as_of(store, cfg)?;
    let mut e = evaluate(&corpus, cfg.cut, cfg.horizon, &cfg.ks);
    e.lexicon_terms = lexicon_terms;
    Ok(e)
}

/// A paper of the evaluation.
struct Doc {
    iri: String,
    year: i32,
    text: String,
}

/// The papers with a year up to `last` (of one source format when given) and their canonical
/// texts, by indexed lookups.
fn papers_up_to(store: &Store, last: i32, format: Option<&str>) -> Result<Vec<Doc>> {
    use oxigraph::model::NamedNodeRef;
    let only = format.map(|f| papers_of_format(store, f)).transpose()?;
    let mut years: BTreeMap<String, i32> = BTreeMap::new();
    for q in store.graph().owned_quads(
        None,
        Some(NamedNodeRef::new_unchecked(crate::common::vocab::hyp::YEAR)),
        None,
    ) {
        let q = q?;
        let paper = lexical(&q.subject.into());
        match lexical(&q.object).parse::<i32>() {
            Ok(y) if y <= last && only.as_ref().is_none_or(|o| o.contains(&paper)) => {
                years.insert(paper, y);
            }
            _ => {}
        }
    }
    let mut docs = Vec::with_capacity(years.len());
    for (iri, year) in years {
        // Agent records have a year too, but no paper graph and so no canonical text.
        if let Some((_, text)) = store.canonical_text(&crate::common::ids::paper_key(&iri))? {
            docs.push(Doc { iri, year, text });
        }
    }
    Ok(docs)
}

/// The corpus as of the cut, and the size of its lexicon: a lexicon built from the texts of
/// the papers up to T, every paper up to T+H re-extracted with it in memory, each concept
/// typed by the vote of the papers up to T. The concepts are the ones papers up to T mention.
fn corpus_as_of<'s>(store: &'s Store, cfg: &LinkEvalConfig) -> Result<(Corpus<'s>, usize)> {
    let docs = papers_up_to(store, cfg.cut + cfg.horizon, cfg.source_format.as_deref())?;
    let mut builder = hypatia_extract::LexiconBuilder::new();
    for d in docs.iter().filter(|d| d.year <= cfg.cut) {
        builder.add_text(&d.text);
    }
    let lexicon = builder.build(cfg.min_score);
    // Per concept known at T: the typed votes, and the papers up to T that mention it.
    let mut votes: BTreeMap<String, (BTreeMap<ConceptType, u32>, u32)> = BTreeMap::new();
    let mut sets = Vec::with_capacity(docs.len());
    for d in docs {
        let found = hypatia_extract::extract(&d.text, &lexicon);
        // Concept IRIs with the types this paper's extraction graph would state for each.
        let mut concepts: BTreeMap<String, BTreeSet<ConceptType>> = BTreeMap::new();
        for (key, (_, t, _)) in crate::ingest::extraction::paper_concepts(&found) {
            let typed = concepts
                .entry(crate::ingest::extraction::concept_iri(store.base(), key))
                .or_default();
            if t != ConceptType::Other {
                typed.insert(t);
            }
        }
        if d.year <= cfg.cut {
            for (c, typed) in &concepts {
                let v = votes.entry(c.clone()).or_default();
                v.1 += 1;
                for t in typed {
                    *v.0.entry(*t).or_default() += 1;
                }
            }
        }
        sets.push((d.iri, Some(d.year), concepts.into_keys().collect()));
    }
    let types = votes
        .into_iter()
        .map(|(c, (typed, papers))| (c, vote(typed, papers)))
        .collect();
    Ok((Corpus::from_sets(store, sets, types), lexicon.len()))
}

/// A stratum of the unconnected pairs (see the module docs).
enum Stratum {
    All,
    Actionable,
    /// `hub[l]`: node `l` is in the top 10 % by degree.
    Specific {
        hub: Vec<bool>,
    },
}

impl Stratum {
    fn strata(g: &CoGraph) -> [Stratum; 3] {
        let n = g.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|a, b| g.deg(*b).cmp(&g.deg(*a)).then(a.cmp(b)));
        let mut hub = vec![false; n];
        for &l in &order[..n.div_ceil(10)] {
            hub[l as usize] = true;
        }
        [Stratum::All, Stratum::Actionable, Stratum::Specific { hub }]
    }

    fn name(&self) -> &'static str {
        match self {
            Stratum::All => "all",
            Stratum::Actionable => "actionable",
            Stratum::Specific { .. } => "specific",
        }
    }

    /// Whether a node can be in a pair of the stratum at all.
    fn keeps_node(&self, g: &CoGraph, l: u32) -> bool {
        match self {
            Stratum::All => true,
            Stratum::Actionable => !g.generic(l),
            Stratum::Specific { hub } => !hub[l as usize],
        }
    }

    fn keeps(&self, g: &CoGraph, a: u32, c: u32) -> bool {
        match self {
            Stratum::All => true,
            Stratum::Actionable => g.actionable(a, c),
            Stratum::Specific { hub } => !hub[a as usize] && !hub[c as usize],
        }
    }

    /// Unconnected pairs in the stratum: its pairs of nodes (counted by type or by hub, not
    /// enumerated), less its edges.
    fn unconnected(&self, g: &CoGraph) -> u64 {
        let pairs_of = |m: u64| m * m.saturating_sub(1) / 2;
        let pairs = match self {
            Stratum::All => pairs_of(g.len() as u64),
            Stratum::Specific { hub } => pairs_of(hub.iter().filter(|h| !**h).count() as u64),
            Stratum::Actionable => {
                let mut count: BTreeMap<ConceptType, u64> = BTreeMap::new();
                for (l, t) in g.types.iter().enumerate() {
                    if !g.generic(l as u32) {
                        *count.entry(*t).or_default() += 1;
                    }
                }
                let mut pairs = 0;
                for (i, (&t, &m)) in count.iter().enumerate() {
                    for (&u, &k) in count.iter().skip(i) {
                        if actionable(t, u) {
                            pairs += if t == u { pairs_of(m) } else { m * k };
                        }
                    }
                }
                pairs
            }
        };
        let mut edges = 0u64;
        for a in 0..g.len() as u32 {
            for e in &g.adj[a as usize] {
                if e.n > a && self.keeps(g, a, e.n) {
                    edges += 1;
                }
            }
        }
        pairs - edges
    }
}

/// The graph, positives and AUC sample of a cut.
struct Cut {
    g: CoGraph,
    positives: HashSet<u64>,
    unconnected: u64,
    sample: Sample,
}

impl Cut {
    fn new(corpus: &Corpus<'_>, t: i32, horizon: i32, rng: &mut SplitMix) -> Cut {
        let g = CoGraph::build(corpus, Some(t), &BTreeSet::new());
        let positives = positives(corpus, &g, t, horizon);
        let n = g.len() as u64;
        let unconnected = n * n.saturating_sub(1) / 2 - g.edges() as u64;
        let sample = Sample::new(&g, &positives, unconnected, rng);
        Cut {
            g,
            positives,
            unconnected,
            sample,
        }
    }
}

/// The evaluation of a corpus already cut (see [`evaluate_link_prediction`]).
fn evaluate(corpus: &Corpus<'_>, t: i32, horizon: i32, ks: &[usize]) -> LinkEval {
    let mut rng = SplitMix(0x5EED ^ t as u64);
    let cut = Cut::new(corpus, t, horizon, &mut rng);
    let g = &cut.g;
    let in_horizon = |y: Option<i32>| y.is_some_and(|y| y > t && y <= t + horizon);
    let (mut candidates, mut positives_in_candidates) = (0, 0);
    g.for_each_candidate(None, |a, c, _| {
        if !g.co_mentioned(a, c) {
            candidates += 1;
            positives_in_candidates += usize::from(cut.positives.contains(&pair_key(a, c)));
        }
    });
    let strata = Stratum::strata(g)
        .iter()
        .map(|stratum| evaluate_stratum(&cut, stratum, ks, &mut rng))
        .collect();
    LinkEval {
        t,
        horizon,
        ks: ks.to_vec(),
        lexicon_terms: 0,
        papers_up_to_t: corpus
            .papers
            .iter()
            .filter(|p| p.year.is_some_and(|y| y <= t) && !p.concepts.is_empty())
            .count(),
        papers_in_horizon: corpus
            .papers
            .iter()
            .filter(|p| in_horizon(p.year) && !p.concepts.is_empty())
            .count(),
        concepts: g.len(),
        edges: g.edges(),
        unconnected_pairs: cut.unconnected,
        candidates,
        positives: cut.positives.len(),
        positives_in_candidates,
        auc_negatives: cut.sample.negatives.len(),
        strata,
    }
}

/// Every ranker on one stratum of a cut.
fn evaluate_stratum(cut: &Cut, stratum: &Stratum, ks: &[usize], rng: &mut SplitMix) -> StratumEval {
    let g = &cut.g;
    let k = ks.iter().copied().max().unwrap_or(1);
    let keeps = |a: u32, c: u32| stratum.keeps(g, a, c);
    let positives: HashSet<u64> = cut
        .positives
        .iter()
        .copied()
        .filter(|&key| keeps((key >> 32) as u32, key as u32))
        .collect();
    let sample = cut.sample.within(&keeps);
    let unconnected = stratum.unconnected(g);
    let precision = |pairs: &[(u32, u32)]| precision_at(ks, pairs, &positives);
    // A ranker's top k within two hops, by the code that serves `/gaps`.
    let top = |f: &(dyn Fn(u32, u32, &LinkScores) -> f64 + Sync + '_)| {
        best_pairs(g, None, k, &|| false, |a, c, s| {
            if keeps(a, c) {
                f(a, c, s)
            } else {
                f64::NEG_INFINITY
            }
        })
        .into_iter()
        .map(|(_, (a, c, _))| (a, c))
        .collect::<Vec<_>>()
    };
    let mut rankers = Vec::new();
    for kind in LinkScore::served_first() {
        let f = |a: u32, c: u32, s: &LinkScores| {
            if s.cn == 0 && !kind.scores_every_pair() {
                0.0
            } else {
                g.score_with(kind, a, c, s)
            }
        };
        rankers.push(RankerEval {
            name: kind.name().into(),
            served: kind == LinkScore::SERVED,
            precision: precision(&top(&f)),
            auc: sample.auc(&f),
        });
    }
    let neighbourhood: [(&str, &PairScore); 2] = [
        ("adamic_adar", &|_, _, s| s.aa),
        ("common_neighbours", &|_, _, s| s.cn as f64),
    ];
    for (name, f) in neighbourhood {
        rankers.push(RankerEval {
            name: name.into(),
            served: false,
            precision: precision(&top(f)),
            auc: sample.auc(f),
        });
    }
    rankers.push(RankerEval {
        name: "preferential_attachment".into(),
        served: false,
        precision: precision(&preferential_attachment_top(g, k, stratum)),
        auc: sample.auc(&|_, _, s| s.pa),
    });
    // Random pairs: P@k is measured on a seeded sample; the AUC of a random score is 0.5 in
    // expectation and is reported as such, not measured.
    rankers.push(RankerEval {
        name: "random".into(),
        served: false,
        precision: precision(&random_pairs(g, k, unconnected, rng, &keeps)),
        auc: None,
    });
    StratumEval {
        name: stratum.name().into(),
        unconnected_pairs: unconnected,
        positives: positives.len(),
        auc_negatives: sample.negatives.len(),
        rankers,
        random_expected_precision: if unconnected == 0 {
            0.0
        } else {
            positives.len() as f64 / unconnected as f64
        },
    }
}

/// What [`fit_link_model`] trained on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkFit {
    /// The model.
    pub model: LinkModel,
    /// Positive and negative pairs it was fitted to.
    pub positives: usize,
    /// Negatives.
    pub negatives: usize,
    /// Its AUC on those pairs (in-sample).
    pub in_sample_auc: f64,
}

/// Trains the learned missing-link score on one cut: features of the graph as of `cfg.cut`,
/// labels from the papers of its horizon; every positive and the cut's [`AUC_NEGATIVES`]
/// sampled negatives (the same as-of-T re-extraction and sample as the evaluation). Choose a
/// cut whose horizon ends no later than the cut the model is then selected on.
pub fn fit_link_model(store: &Store, cfg: &LinkEvalConfig, version: &str) -> Result<LinkFit> {
    if cfg.horizon < 1 {
        return Err(Error::invalid("horizon", "must be at least 1 year"));
    }
    let (corpus, lexicon_terms) = corpus_as_of(store, cfg)?;
    let mut rng = SplitMix(0x5EED ^ cfg.cut as u64);
    let cut = Cut::new(&corpus, cfg.cut, cfg.horizon, &mut rng);
    let features = |pairs: &[(u32, u32)], scores: &[LinkScores]| -> Vec<Features> {
        pairs
            .iter()
            .zip(scores)
            .map(|(&(a, c), s)| cut.g.features(a, c, s))
            .collect()
    };
    let pos = features(&cut.sample.positives, &cut.sample.pos_scores);
    let neg = features(&cut.sample.negatives, &cut.sample.neg_scores);
    let trained_on = format!(
        "cut {} horizon {}{}: {} nodes, {} edges, lexicon of {} terms; {} positives, {} sampled negatives",
        cfg.cut,
        cfg.horizon,
        cfg.source_format
            .as_deref()
            .map(|f| format!(" ({f} papers)"))
            .unwrap_or_default(),
        cut.g.len(),
        cut.g.edges(),
        lexicon_terms,
        pos.len(),
        neg.len()
    );
    let model = LinkModel::fit(version, &trained_on, &pos, &neg)?;
    let score = |xs: &[Features]| xs.iter().map(|x| model.score(x)).collect::<Vec<_>>();
    let in_sample_auc = auc(&score(&pos), &score(&neg)).unwrap_or(0.5);
    Ok(LinkFit {
        positives: pos.len(),
        negatives: neg.len(),
        model,
        in_sample_auc,
    })
}

/// The positives: pairs of nodes unconnected at T that a paper of years T+1 ..= T+horizon
/// mentions together, each paper's nodes capped at [`MAX_CONCEPTS_PER_PAPER`] as at T.
fn positives(corpus: &Corpus<'_>, g: &CoGraph, t: i32, horizon: i32) -> HashSet<u64> {
    let mut positives = HashSet::new();
    let mut nodes = Vec::new();
    for p in corpus
        .papers
        .iter()
        .filter(|p| p.year.is_some_and(|y| y > t && y <= t + horizon))
    {
        nodes.clear();
        nodes.extend(
            p.concepts
                .iter()
                .map(|&c| g.local[c as usize])
                .filter(|&l| l != u32::MAX),
        );
        if nodes.len() > MAX_CONCEPTS_PER_PAPER {
            nodes.sort_unstable_by(|a, b| g.df[*b as usize].cmp(&g.df[*a as usize]).then(a.cmp(b)));
            nodes.truncate(MAX_CONCEPTS_PER_PAPER);
        }
        for (i, &a) in nodes.iter().enumerate() {
            for &c in &nodes[i + 1..] {
                if !g.co_mentioned(a, c) {
                    positives.insert(pair_key(a, c));
                }
            }
        }
    }
    positives
}

/// The pairs the AUC is computed over, with their neighbourhood scores (computed once).
struct Sample {
    positives: Vec<(u32, u32)>,
    negatives: Vec<(u32, u32)>,
    pos_scores: Vec<LinkScores>,
    neg_scores: Vec<LinkScores>,
}

impl Sample {
    /// Every positive, and a uniform sample of [`AUC_NEGATIVES`] unconnected pairs that are not
    /// positives (all of them when there are few).
    fn new(g: &CoGraph, positives: &HashSet<u64>, unconnected: u64, rng: &mut SplitMix) -> Self {
        let n = g.len();
        let mut negatives: Vec<(u32, u32)> = Vec::new();
        if unconnected as usize <= AUC_NEGATIVES + positives.len() {
            for a in 0..n as u32 {
                for c in a + 1..n as u32 {
                    if !g.co_mentioned(a, c) && !positives.contains(&pair_key(a, c)) {
                        negatives.push((a, c));
                    }
                }
            }
        } else if n >= 2 {
            let mut seen = HashSet::new();
            let mut tries = 0;
            while negatives.len() < AUC_NEGATIVES && tries < AUC_NEGATIVES * 20 {
                tries += 1;
                let (a, c) = (rng.below(n as u64) as u32, rng.below(n as u64) as u32);
                if a == c {
                    continue;
                }
                let key = pair_key(a, c);
                if !g.co_mentioned(a, c) && !positives.contains(&key) && seen.insert(key) {
                    negatives.push(((key >> 32) as u32, key as u32));
                }
            }
        }
        let mut pos: Vec<(u32, u32)> = positives.iter().map(|&k| ((k >> 32) as u32, k as u32)).collect();
        pos.sort_unstable();
        let scores = |pairs: &[(u32, u32)]| pairs.iter().map(|&(a, c)| g.pair(a, c)).collect::<Vec<_>>();
        Sample {
            pos_scores: scores(&pos),
            neg_scores: scores(&negatives),
            positives: pos,
            negatives,
        }
    }

    /// The pairs of the sample that `keeps` keeps.
    fn within(&self, keeps: &dyn Fn(u32, u32) -> bool) -> Sample {
        let part = |pairs: &[(u32, u32)], scores: &[LinkScores]| -> (Vec<(u32, u32)>, Vec<LinkScores>) {
            pairs
                .iter()
                .zip(scores)
                .filter(|(p, _)| keeps(p.0, p.1))
                .map(|(p, s)| (*p, *s))
                .unzip()
        };
        let (positives, pos_scores) = part(&self.positives, &self.pos_scores);
        let (negatives, neg_scores) = part(&self.negatives, &self.neg_scores);
        Sample {
            positives,
            negatives,
            pos_scores,
            neg_scores,
        }
    }

    fn auc(&self, f: &dyn Fn(u32, u32, &LinkScores) -> f64) -> Option<f64> {
        let apply = |pairs: &[(u32, u32)], scores: &[LinkScores]| {
            pairs
                .iter()
                .zip(scores)
                .map(|(&(a, c), s)| f(a, c, s))
                .collect::<Vec<f64>>()
        };
        auc(
            &apply(&self.positives, &self.pos_scores),
            &apply(&self.negatives, &self.neg_scores),
        )
    }
}

/// Precision at each cut-off of a ranked list of pairs.
fn precision_at(ks: &[usize], pairs: &[(u32, u32)], positives: &HashSet<u64>) -> Vec<PrecisionAt> {
    ks.iter()
        .map(|&k| {
            let top = &pairs[..k.min(pairs.len())];
            let hits = top
                .iter()
                .filter(|(a, c)| positives.contains(&pair_key(*a, *c)))
                .count();
            PrecisionAt {
                k,
                hits,
                ranked: top.len(),
                precision: if top.is_empty() {
                    0.0
                } else {
                    hits as f64 / top.len() as f64
                },
            }
        })
        .collect()
}

/// The top `k` unconnected pairs that `keeps` keeps by degree product, over all pairs:
/// best-first over the nodes sorted by degree (ties by local ids).
fn preferential_attachment_top(g: &CoGraph, k: usize, stratum: &Stratum) -> Vec<(u32, u32)> {
    let keeps = |a: u32, c: u32| stratum.keeps(g, a, c);
    let mut order: Vec<u32> = (0..g.len() as u32).filter(|&l| stratum.keeps_node(g, l)).collect();
    let n = order.len();
    order.sort_by(|a, b| g.deg(*b).cmp(&g.deg(*a)).then(a.cmp(b)));
    let prod = |i: usize, j: usize| (g.deg(order[i]) * g.deg(order[j])) as u64;
    let mut heap = std::collections::BinaryHeap::new();
    if n >= 2 {
        heap.push((prod(0, 1), std::cmp::Reverse((0usize, 1usize))));
    }
    let mut top = Vec::new();
    while let Some((_, std::cmp::Reverse((i, j)))) = heap.pop() {
        if j + 1 < n {
            heap.push((prod(i, j + 1), std::cmp::Reverse((i, j + 1))));
        }
        if j == i + 1 && j + 1 < n {
            heap.push((prod(i + 1, j + 1), std::cmp::Reverse((i + 1, j + 1))));
        }
        let (a, c) = (order[i], order[j]);
        if keeps(a, c) && !g.co_mentioned(a, c) {
            top.push((a.min(c), a.max(c)));
            if top.len() >= k {
                break;
            }
        }
    }
    top
}

/// `k` distinct unconnected pairs that `keeps` keeps, drawn uniformly (fewer when there are
/// fewer, or when `keeps` rejects nearly every try).
fn random_pairs(
    g: &CoGraph,
    k: usize,
    unconnected: u64,
    rng: &mut SplitMix,
    keeps: &dyn Fn(u32, u32) -> bool,
) -> Vec<(u32, u32)> {
    let n = g.len();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut tries = 0;
    while n >= 2 && (out.len() as u64) < (k as u64).min(unconnected) && tries < k * 100 {
        tries += 1;
        let (a, c) = (rng.below(n as u64) as u32, rng.below(n as u64) as u32);
        if a != c && keeps(a, c) && !g.co_mentioned(a, c) && seen.insert(pair_key(a, c)) {
            out.push((a.min(c), a.max(c)));
        }
    }
    out
}

/// ROC AUC (Mann–Whitney U with average ranks for ties), `None` without both classes.
pub fn auc(positives: &[f64], negatives: &[f64]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> = positives
        .iter()
        .map(|&s| (s, true))
        .chain(negatives.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let avg = (i + 1 + j) as f64 / 2.0;
        rank_sum += avg * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let (np, nn) = (positives.len() as f64, negatives.len() as f64);
    Some((rank_sum - np * (np + 1.0) / 2.0) / (np * nn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(auc(&[2.0, 3.0], &[1.0, 0.0]), Some(1.0));
        assert_eq!(auc(&[0.0], &[1.0]), Some(0.0));
        assert_eq!(auc(&[1.0], &[1.0]), Some(0.5));
        assert_eq!(auc(&[1.0, 2.0], &[1.0, 0.0]), Some(0.875));
        assert_eq!(auc(&[], &[1.0]), None);
    }
}
