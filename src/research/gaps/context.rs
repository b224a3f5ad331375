//! The shared state of one call of the gap finder: the corpus, the as-of year and focus, the
//! graph built on first use, and caches of mentions, texts and claims, quoted as evidence; and
//! what calls keep between them ([`Kept`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use oxigraph::model::NamedNode;

use super::corpus::{Corpus, CorpusData};
use super::graph::CoGraph;
use super::ranking::Ranking;
use super::reads::{all_claims, claims_updated, graphs_of, mentions_in, merge_rows, sort_rows, Rows};
pub(super) use super::reads::{Claim, Mention};
use super::text::{Text, MAX_QUOTE_CHARS};
use super::{Evidence, Gap, GapKind};
use crate::common::error::{Error, Result};
use crate::common::work::Cancel;
use crate::store::queries::{self, lexical};
use crate::store::Store;

/// A co-occurrence graph, built on first use and shared by the kinds searched at the same time.
pub(super) type GraphCell = Arc<OnceLock<Arc<CoGraph>>>;

/// `as_of` and two concepts' IRIs.
type CooccurrenceKey = (Option<i32>, Arc<str>, Arc<str>);

/// What [`Kept`] had read of the store besides the corpus: statement rows by query, claims and
/// future-work sentences.
type Reads = (
    HashMap<&'static str, Arc<Rows>>,
    Option<Arc<Vec<Claim>>>,
    Option<Arc<Questions>>,
);

/// Gaps found without a concept filter, by kind, `as_of` and limit.
type Found = HashMap<(GapKind, Option<i32>, usize), Arc<Vec<Gap>>>;

/// What gap searches on one open store keep between calls, while the store's
/// [`Store::generation`] is the one read before loading it: loading the corpus is most of a
/// search's cost on a large store (a scan of every mention, then the types of tens of
/// thousands of concepts), and so is building its co-occurrence graph and ranking its pairs.
/// A write of research records only (hypotheses, experiments: no gap reads them) moves the
/// generation on. After paper writes ([`Kept::updated`]) the corpus, the statement rows, the
/// claims and the future-work sentences are brought up to date by difference with the keys the
/// store says were written; missing-link rankings are brought up to date from the earlier ones
/// ([`Ranking::updated`]); quotes of co-occurrences of concepts no written paper mentions, and
/// the gaps found as of a year no written paper counts in, stand; the rest is derived again.
pub(super) struct Kept {
    /// The store generation it describes: moved on in place past writes that wrote no paper
    /// (hypotheses, experiments and the other research records, which no gap reads).
    generation: AtomicU64,
    /// The open store it describes ([`Store::instance`]).
    instance: u64,
    pub(super) corpus: Arc<CorpusData>,
    /// Co-occurrence graphs by `as_of` (only those with no forced node), each built once by
    /// whichever search asks for it first (the others wait for it).
    graphs: Mutex<HashMap<Option<i32>, GraphCell>>,
    /// The missing-link rankings of those graphs, by `as_of`.
    rankings: Mutex<HashMap<Option<i32>, Arc<Ranking>>>,
    /// The rankings of the generation before, which the rankings of this one are brought up to
    /// date from ([`Ranking::updated`]).
    earlier_rankings: HashMap<Option<i32>, Arc<Ranking>>,
    /// Every claim with a polarity, of any year (calls keep the counted ones); read under the
    /// lock, so that kinds searched at the same time read them once.
    claims: Mutex<Option<Arc<Vec<Claim>>>>,
    /// Rows of named queries that read the whole store, by query.
    rows: Mutex<HashMap<&'static str, Arc<Rows>>>,
    /// Gaps found without a concept filter.
    found: Mutex<Found>,
    /// Every paper's future-work and limitation sentences, once read.
    questions: Mutex<Option<Arc<Questions>>>,
    /// [`Ctx::cooccurrence`]s found, by `as_of` and the two concepts' IRIs.
    cooccurrences: Mutex<HashMap<CooccurrenceKey, Option<Evidence>>>,
}

/// A future-work, limitation or open-question sentence ([`super::open_questions`]) with the
/// concepts mentioned in it.
#[derive(Clone)]
pub(super) struct Question {
    pub(super) passage: String,
    /// In the paper's canonical text, in characters.
    pub(super) span: (usize, usize),
    pub(super) quote: String,
    pub(super) cue: f64,
    /// Concept IRIs, in order of first mention.
    pub(super) concepts: Vec<String>,
    /// The sentence's language, when it is told reliably ([`super::open_questions::language`]).
    pub(super) lang: Option<whatlang::Lang>,
}

/// Every paper's questions, by paper IRI (papers with none left out), and the IRIs of the
/// papers written since they were read, whose questions are to be read again.
#[derive(Clone, Default)]
pub(super) struct Questions {
    pub(super) by_paper: BTreeMap<String, Vec<Question>>,
    pub(super) stale: BTreeSet<String>,
}

/// Most papers mentioning two concepts whose mentions [`Ctx::cooccurrence`] reads for the
/// nearest pair.
const COOCCURRENCE_PAPERS: usize = 8;

/// Writes to more than one paper in this many of the corpus's are followed by reading it
/// again rather than by difference.
const DELTA_SHARE: usize = 4;

/// Most stores whose corpus is kept at a time (a server has one; tests open many).
const KEPT_STORES: usize = 4;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Kept {
    /// The store's kept state: the one from an earlier call when no write has happened since,
    /// else the corpus loaded now, kept.
    pub(super) fn of(store: &Store) -> Result<Arc<Kept>> {
        static KEPT: Mutex<Vec<Arc<Kept>>> = Mutex::new(Vec::new());
        let generation = store.generation();
        let instance = store.instance();
        let earlier = lock(&KEPT).iter().find(|k| k.instance == instance).cloned();
        if let Some(k) = &earlier {
            if k.generation.load(Ordering::Acquire) == generation {
                return Ok(k.clone());
            }
        }
        // After writes, the corpus by difference when the store remembers which papers they
        // wrote; the rest is derived again as it is asked for.
        let written = earlier
            .as_ref()
            .and_then(|k| Some((k, store.papers_written_since(k.generation.load(Ordering::Acquire))?)));
        if let Some((k, w)) = &written {
            if w.is_empty() {
                // Only research records were written: everything kept still describes the
                // papers.
                k.generation.fetch_max(generation, Ordering::AcqRel);
                return Ok((*k).clone());
            }
        }
        let kept = match written.filter(|(k, w)| w.len() <= k.corpus.papers.len() / DELTA_SHARE) {
            Some((k, written)) => Kept::updated(store, k, &written, generation)?,
            None => Kept {
                generation: AtomicU64::new(generation),
                instance,
                corpus: Corpus::load(store)?.data().clone(),
                graphs: Default::default(),
                rankings: Default::default(),
                earlier_rankings: Default::default(),
                claims: Default::default(),
                rows: Default::default(),
                found: Default::default(),
                questions: Default::default(),
                cooccurrences: Default::default(),
            },
        };
        let kept = Arc::new(kept);
        let mut all = lock(&KEPT);
        all.retain(|k| k.instance != instance);
        all.insert(0, kept.clone());
        all.truncate(KEPT_STORES);
        drop(all);
        // What the earlier generation alone held (its corpus, hundreds of thousands of
        // strings) is freed off the caller's path.
        if let Some(earlier) = earlier {
            std::thread::spawn(move || drop(earlier));
        }
        Ok(kept)
    }

    /// `earlier` brought up to date after writes to the papers with these keys: the corpus
    /// ([`CorpusData::updated`]); the statement rows, claims and future-work sentences
    /// `earlier` had read, without the written papers' and with what each written paper's two
    /// graphs state now (the same reads over them, [`GraphStore::query_in`](crate::store::graph::GraphStore::query_in):
    /// none joins across papers; sentences are read again when next asked for); the
    /// co-occurrence quotes of concepts no written paper mentions; the gaps found as of a year
    /// no written paper counts in ([`Corpus::unchanged_as_of`]); and `earlier`'s rankings to
    /// bring up to date from. Graphs, rankings and the other gaps are derived again when asked
    /// for.
    fn updated(store: &Store, earlier: &Kept, written: &BTreeSet<String>, generation: u64) -> Result<Kept> {
        let w = earlier.corpus.written(store, written)?;
        let written_iris = &w.iris;
        let is_written = |paper: &str| written_iris.contains(paper);
        // The corpus on another thread, the rows, claims and questions on this one.
        let (corpus, (rows, claims, questions)) = std::thread::scope(|s| {
            let t = s.spawn(|| earlier.corpus.updated(store, &w));
            let rest = earlier.updated_reads(store, written, written_iris);
            let corpus = t.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            Ok::<_, Error>((Arc::new(corpus?), rest?))
        })?;
        // Co-occurrences of concepts no written paper mentioned or mentions (a paper that
        // mentions both would have been written), unless retractions changed.
        let cooccurrences = if corpus.same_retractions(&earlier.corpus) {
            let touched: HashSet<&str> = [&earlier.corpus, &corpus]
                .into_iter()
                .flat_map(|c| c.papers.iter().filter(|p| is_written(&p.iri)).map(move |p| (c, p)))
                .flat_map(|(c, p)| p.concepts.iter().map(move |&k| &*c.concepts[k as usize].iri))
                .collect();
            lock(&earlier.cooccurrences)
                .iter()
                .filter(|((_, a, b), _)| !touched.contains(&**a) && !touched.contains(&**b))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        } else {
            HashMap::new()
        };
        // The rankings of the earlier generation, to bring up to date from (only those: each
        // holds its generation's corpus).
        let earlier_rankings = lock(&earlier.rankings).clone();
        // Gaps found as of a year that no written paper counts in, with the same types and
        // labels, stand.
        let mut found = lock(&earlier.found).clone();
        let now = Corpus::with_data(store, corpus.clone());
        let mut years: BTreeMap<i32, bool> = BTreeMap::new();
        for (_, as_of, _) in found.keys() {
            if let Some(t) = as_of {
                years
                    .entry(*t)
                    .or_insert_with(|| now.unchanged_as_of(&earlier.corpus, written_iris, *t));
            }
        }
        found.retain(|(_, as_of, _), _| as_of.is_some_and(|t| years[&t]));
        Ok(Kept {
            generation: AtomicU64::new(generation),
            instance: store.instance(),
            corpus,
            graphs: Default::default(),
            rankings: Default::default(),
            earlier_rankings,
            claims: Mutex::new(claims),
            rows: Mutex::new(rows),
            found: Mutex::new(found),
            questions: Mutex::new(questions),
            cooccurrences: Mutex::new(cooccurrences),
        })
    }

    /// The statement rows, claims and future-work sentences this state had read, without the
    /// written papers' and with what each written paper's two graphs state now (the same reads
    /// over them, [`GraphStore::query_in`](crate::store::graph::GraphStore::query_in): none
    /// joins across papers); the written papers' sentences are to be read again when next
    /// asked for.
    fn updated_reads(
        &self,
        store: &Store,
        written: &BTreeSet<String>,
        written_iris: &BTreeSet<String>,
    ) -> Result<Reads> {
        let is_written = |paper: &str| written_iris.contains(paper);
        let mut rows = HashMap::new();
        let earlier_rows: Vec<(&'static str, Arc<Rows>)> =
            lock(&self.rows).iter().map(|(q, r)| (*q, r.clone())).collect();
        for (query, old) in earlier_rows {
            let kept: Rows = old
                .iter()
                .filter(|r| r.get("paper").is_none_or(|p| !is_written(p)))
                .cloned()
                .collect();
            let mut fresh = Vec::new();
            for key in written {
                fresh.extend(queries::rows(store.graph().query_in(query, &graphs_of(store, key)?)?)?);
            }
            rows.insert(query, Arc::new(merge_rows(query, kept, fresh)));
        }
        let claims = match lock(&self.claims).clone() {
            Some(old) => Some(Arc::new(claims_updated(store, &old, written, written_iris)?)),
            None => None,
        };
        let questions = lock(&self.questions).as_ref().map(|q| {
            Arc::new(Questions {
                by_paper: q
                    .by_paper
                    .iter()
                    .filter(|(p, _)| !is_written(p))
                    .map(|(p, q)| (p.clone(), q.clone()))
                    .collect(),
                stale: q.stale.union(written_iris).cloned().collect(),
            })
        });
        Ok((rows, claims, questions))
    }

    /// The cell of the graph as of `as_of` for a search with this focus: kept for the store
    /// when the focus forces no node, else one for the call.
    pub(super) fn graph_cell(&self, as_of: Option<i32>, focus: Option<&BTreeSet<u32>>) -> GraphCell {
        match focus {
            Some(f) if !f.is_empty() => GraphCell::default(),
            _ => lock(&self.graphs).entry(as_of).or_default().clone(),
        }
    }

    /// Gaps an earlier call found without a concept filter.
    pub(super) fn found(&self, key: &(GapKind, Option<i32>, usize)) -> Option<Arc<Vec<Gap>>> {
        lock(&self.found).get(key).cloned()
    }

    /// Keeps gaps found without a concept filter.
    pub(super) fn keep_found(&self, key: (GapKind, Option<i32>, usize), gaps: Vec<Gap>) {
        lock(&self.found).insert(key, Arc::new(gaps));
    }
}

pub(super) struct Ctx<'a> {
    pub(super) store: &'a Store,
    pub(super) corpus: &'a Corpus<'a>,
    kept: Arc<Kept>,
    pub(super) as_of: Option<i32>,
    pub(super) focus: Option<BTreeSet<u32>>,
    /// This call's graph: the one kept for the store and year, or, with a focus that forces
    /// nodes into it, one for the call.
    graph: GraphCell,
    mentions: HashMap<String, std::rc::Rc<Vec<Mention>>>,
    texts: HashMap<String, Option<std::rc::Rc<Text>>>,
    claims: Option<std::rc::Rc<Vec<Claim>>>,
    /// The caller's stop signal, checked per candidate.
    pub(super) cancel: Cancel,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        store: &'a Store,
        corpus: &'a Corpus<'a>,
        kept: Arc<Kept>,
        as_of: Option<i32>,
        focus: Option<BTreeSet<u32>>,
        graph: GraphCell,
        cancel: Cancel,
    ) -> Self {
        Ctx {
            store,
            corpus,
            kept,
            as_of,
            focus,
            graph,
            mentions: HashMap::new(),
            texts: HashMap::new(),
            claims: None,
            cancel,
        }
    }

    /// `Err(Cancelled)` once the caller gave up.
    pub(super) fn check(&self) -> Result<()> {
        self.cancel.check(super::SEARCH)
    }

    /// The co-occurrence graph as of this call's year, built by the first search of the call
    /// (or of an earlier call, when kept) that asks for it.
    pub(super) fn graph(&mut self) -> Arc<CoGraph> {
        let forced = self.focus.as_ref().filter(|f| !f.is_empty());
        self.graph
            .get_or_init(|| {
                Arc::new(CoGraph::build(
                    self.corpus,
                    self.as_of,
                    forced.unwrap_or(&BTreeSet::new()),
                ))
            })
            .clone()
    }

    /// The missing-link ranking of this call's graph (no focus): kept, brought up to date from
    /// an earlier generation's, or ranked whole.
    pub(super) fn ranking(&mut self, limit: usize) -> Result<Arc<Ranking>> {
        let g = self.graph();
        if let Some(r) = lock(&self.kept.rankings).get(&self.as_of) {
            if Arc::ptr_eq(&r.ranked.graph, &g) {
                return Ok(r.clone());
            }
        }
        let cancel = self.cancel.clone();
        let stop = move || cancel.is_cancelled();
        let corpus = self.corpus.data().clone();
        let r = self
            .kept
            .earlier_rankings
            .get(&self.as_of)
            .and_then(|earlier| earlier.updated(g.clone(), corpus.clone(), limit, &stop))
            .unwrap_or_else(|| Ranking::full(g, corpus, &stop));
        // A cancelled ranking is incomplete: not kept.
        self.check()?;
        let r = Arc::new(r);
        lock(&self.kept.rankings).insert(self.as_of, r.clone());
        Ok(r)
    }

    pub(super) fn counts_paper(&self, paper: &str) -> bool {
        self.corpus.counts(paper, self.as_of)
    }

    pub(super) fn in_focus(&self, c: u32) -> bool {
        self.focus.as_ref().is_none_or(|f| f.contains(&c))
    }

    /// "up to 2019" or "in the corpus".
    pub(super) fn horizon(&self) -> String {
        match self.as_of {
            Some(t) => format!("up to {t}"),
            None => "in the corpus".to_string(),
        }
    }

    /// The questions kept for the store, if read.
    pub(super) fn kept_questions(&self) -> Option<Arc<Questions>> {
        lock(&self.kept.questions).clone()
    }

    /// Keeps the questions read for the store.
    pub(super) fn keep_questions(&self, q: Arc<Questions>) {
        *lock(&self.kept.questions) = Some(q);
    }

    /// The concept mentions in a paper's extraction graph (none when the paper does not count
    /// as of this call's year), in (start, concept) order ([`mentions_in`]).
    pub(super) fn mentions(&mut self, paper: &str) -> Result<std::rc::Rc<Vec<Mention>>> {
        if let Some(m) = self.mentions.get(paper) {
            return Ok(m.clone());
        }
        let list = if self.counts_paper(paper) {
            mentions_in(self.store, paper)?
        } else {
            Vec::new()
        };
        let list = std::rc::Rc::new(list);
        self.mentions.insert(paper.to_string(), list.clone());
        Ok(list)
    }

    /// A paper's canonical text, read once per call.
    pub(super) fn text(&mut self, paper: &str) -> Result<Option<std::rc::Rc<Text>>> {
        if let Some(t) = self.texts.get(paper) {
            return Ok(t.clone());
        }
        let t = self
            .store
            .canonical_text(&crate::common::ids::paper_key(paper))?
            .map(|(_, text)| std::rc::Rc::new(Text::new(text)));
        self.texts.insert(paper.to_string(), t.clone());
        Ok(t)
    }

    /// Every claim about a concept, of counted papers, in (paper, claim) order: scans of the
    /// claim-only predicates (polarity, hedging, paper) and of `schema:about`; the quotes come
    /// later, for the claims a gap cites (`claim_evidence`).
    pub(super) fn claims(&mut self) -> Result<std::rc::Rc<Vec<Claim>>> {
        if let Some(c) = &self.claims {
            return Ok(c.clone());
        }
        let all = {
            let mut kept = lock(&self.kept.claims);
            match &*kept {
                Some(all) => all.clone(),
                None => kept.insert(Arc::new(all_claims(self.store)?)).clone(),
            }
        };
        let list: Vec<Claim> = all.iter().filter(|c| self.counts_paper(&c.paper)).cloned().collect();
        let list = std::rc::Rc::new(list);
        self.claims = Some(list.clone());
        Ok(list)
    }

    /// The rows of a named query that takes no binding, run once while the store is unchanged
    /// (after writes, brought up to date by difference: [`Kept::of`]), in [`sort_rows`] order.
    pub(super) fn rows(&self, query: &'static str) -> Result<Arc<Rows>> {
        if let Some(r) = lock(&self.kept.rows).get(query) {
            return Ok(r.clone());
        }
        let mut rows = queries::select(self.store, query, &[])?;
        sort_rows(query, &mut rows);
        let rows: Arc<Rows> = Arc::new(rows.into_iter().map(Arc::new).collect());
        lock(&self.kept.rows).insert(query, rows.clone());
        Ok(rows)
    }

    /// A claim's quote, offsets and passage as evidence (indexed lookups).
    pub(super) fn claim_evidence(&mut self, claim: &Claim, role: &str) -> Result<Option<Evidence>> {
        use crate::common::vocab::{hyp, prov};
        use oxigraph::model::NamedNodeRef;
        let graph = self.store.graph();
        let node = NamedNode::new(claim.claim.as_str()).map_err(Error::graph)?;
        let one = |p: &str| -> Result<Option<String>> {
            Ok(graph
                .owned_quads(Some(node.as_ref().into()), Some(NamedNodeRef::new_unchecked(p)), None)
                .next()
                .transpose()?
                .map(|q| lexical(&q.object)))
        };
        let (Some(quote), Some(start), Some(end), Some(passage)) = (
            one(hyp::EXACT)?,
            one(hyp::START)?.and_then(|v| v.parse().ok()),
            one(hyp::END)?.and_then(|v| v.parse().ok()),
            one(prov::WAS_DERIVED_FROM)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Evidence {
            year: self.corpus.year_of(&claim.paper),
            paper: claim.paper.clone(),
            passage,
            quote,
            start,
            end,
            role: role.to_string(),
        }))
    }

    /// A span of a paper's canonical text as evidence, `None` when the text is missing.
    pub(super) fn evidence(
        &mut self,
        paper: &str,
        passage: &str,
        span: (usize, usize),
        role: &str,
    ) -> Result<Option<Evidence>> {
        let Some(text) = self.text(paper)? else {
            return Ok(None);
        };
        let Some(quote) = text.slice(span.0, span.1) else {
            return Ok(None);
        };
        Ok(Some(Evidence {
            paper: paper.to_string(),
            passage: passage.to_string(),
            quote: quote.to_string(),
            start: span.0,
            end: span.1,
            year: self.corpus.year_of(paper),
            role: role.to_string(),
        }))
    }

    /// A passage where concepts `a` and `b` are both mentioned, quoted as the sentence(s)
    /// holding the nearest pair of their mentions in the first [`COOCCURRENCE_PAPERS`] counted
    /// papers that mention both (in IRI order; the corpus says which without reading
    /// mentions); failing that, the sentence of `b`'s mention in the first of those papers.
    /// Kept for the store and year (a write keeps those of concepts its papers do not mention).
    pub(super) fn cooccurrence(&mut self, a: u32, b: u32, role: &str) -> Result<Option<Evidence>> {
        let key = (
            self.as_of,
            self.corpus.concepts[a as usize].iri.clone(),
            self.corpus.concepts[b as usize].iri.clone(),
        );
        if let Some(found) = lock(&self.kept.cooccurrences).get(&key) {
            return Ok(found.clone().map(|e| Evidence {
                role: role.to_string(),
                ..e
            }));
        }
        let found = self.find_cooccurrence(a, b, role)?;
        lock(&self.kept.cooccurrences).insert(key, found.clone());
        Ok(found)
    }

    fn find_cooccurrence(&mut self, a: u32, b: u32, role: &str) -> Result<Option<Evidence>> {
        let (ia, ib) = (
            self.corpus.concepts[a as usize].iri.clone(),
            self.corpus.concepts[b as usize].iri.clone(),
        );
        let papers: Vec<String> = self
            .corpus
            .common_papers(a, b)
            .into_iter()
            .map(|p| &self.corpus.papers[p as usize].iri)
            .filter(|p| self.counts_paper(p))
            .take(COOCCURRENCE_PAPERS)
            .map(|p| p.to_string())
            .collect();
        let mut best: Option<(std::rc::Rc<Vec<Mention>>, usize, usize, usize)> = None;
        let mut fallback: Option<(std::rc::Rc<Vec<Mention>>, usize)> = None;
        for paper in &papers {
            let ms = self.mentions(paper)?;
            let mut by_passage: HashMap<&str, Vec<usize>> = HashMap::new();
            for (j, m) in ms.iter().enumerate() {
                if *m.concept == *ib {
                    by_passage.entry(m.passage.as_str()).or_default().push(j);
                }
            }
            let mut here: Option<(usize, usize, usize)> = None;
            for (i, x) in ms.iter().enumerate().filter(|(_, m)| *m.concept == *ia) {
                for &j in by_passage.get(x.passage.as_str()).into_iter().flatten() {
                    let dist = x.start.abs_diff(ms[j].start);
                    if here.is_none_or(|(_, _, d)| dist < d) {
                        here = Some((i, j, dist));
                    }
                }
            }
            if let Some((i, j, dist)) = here {
                if best.as_ref().is_none_or(|b| dist < b.3) {
                    best = Some((ms.clone(), i, j, dist));
                }
            }
            if fallback.is_none() {
                if let Some(j) = ms.iter().position(|m| *m.concept == *ib) {
                    fallback = Some((ms.clone(), j));
                }
            }
        }
        if let Some((ms, i, j, _)) = best {
            let (x, y) = (&ms[i], &ms[j]);
            let Some(text) = self.text(&x.paper)? else {
                return Ok(None);
            };
            let (s1, e1) = text.sentence_around(x.start, x.end);
            let (s2, e2) = text.sentence_around(y.start, y.end);
            let span = if e1.max(e2) - s1.min(s2) <= MAX_QUOTE_CHARS {
                (s1.min(s2), e1.max(e2))
            } else {
                (s2, e2)
            };
            return self.evidence(&x.paper, &x.passage, span, role);
        }
        if let Some((ms, j)) = fallback {
            let y = &ms[j];
            let Some(text) = self.text(&y.paper)? else {
                return Ok(None);
            };
            let span = text.sentence_around(y.start, y.end);
            return self.evidence(&y.paper, &y.passage, span, role);
        }
        Ok(None)
    }
}
