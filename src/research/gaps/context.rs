//! The shared state of one call of the gap finder: the corpus, the as-of year and focus, the
//! graph built on first use, and caches of mentions, texts and claims, quoted as evidence; and
//! what calls keep between them ([`Kept`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use oxigraph::model::NamedNode;

use super::corpus::{Corpus, CorpusData};
use super::graph::CoGraph;
use super::text::{Text, MAX_QUOTE_CHARS};
use super::{Evidence, Gap, GapKind};
use crate::common::error::{Error, Result};
use crate::common::work::Cancel;
use crate::store::queries::{self, lexical};
use crate::store::Store;

/// Gaps found without a concept filter, by kind, `as_of` and limit.
type Found = HashMap<(GapKind, Option<i32>, usize), Arc<Vec<Gap>>>;

/// What gap searches on one open store keep between calls, while the store's
/// [`Store::generation`] is the one read before loading it: loading the corpus is most of a
/// search's cost on a large store (a scan of every mention, then the types of tens of
/// thousands of concepts), and so is building its co-occurrence graph. After writes the corpus
/// and the statement rows are brought up to date by difference ([`Kept::updated`]) with the keys
/// the store says were written; the claims, graphs and gaps are derived again.
pub(super) struct Kept {
    generation: u64,
    /// The open store it describes ([`Store::instance`]).
    instance: u64,
    pub(super) corpus: Arc<CorpusData>,
    /// Co-occurrence graphs by `as_of` (only those with no forced node).
    graphs: Mutex<HashMap<Option<i32>, Arc<CoGraph>>>,
    /// Every claim with a polarity, of any year (calls keep the counted ones).
    claims: OnceLock<Arc<Vec<Claim>>>,
    /// Rows of named queries that read the whole store, by query.
    rows: Mutex<HashMap<&'static str, Arc<Vec<queries::Row>>>>,
    /// Gaps found without a concept filter.
    found: Mutex<Found>,
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
            if k.generation == generation {
                return Ok(k.clone());
            }
        }
        // After writes, the corpus by difference when the store remembers which papers they
        // wrote; the rest is derived again as it is asked for.
        let written = earlier
            .as_ref()
            .and_then(|k| Some((k, store.papers_written_since(k.generation)?)));
        let kept = match written.filter(|(k, w)| w.len() <= k.corpus.papers.len() / DELTA_SHARE) {
            Some((k, written)) => Kept::updated(store, k, &written, generation)?,
            None => Kept {
                generation,
                instance,
                corpus: Corpus::load(store)?.data().clone(),
                graphs: Default::default(),
                claims: OnceLock::new(),
                rows: Default::default(),
                found: Default::default(),
            },
        };
        let kept = Arc::new(kept);
        let mut all = lock(&KEPT);
        all.retain(|k| k.instance != instance);
        all.insert(0, kept.clone());
        all.truncate(KEPT_STORES);
        Ok(kept)
    }

    /// `earlier` brought up to date after writes to the papers with these keys: the corpus
    /// ([`CorpusData::updated`]), and the statement rows `earlier` had read, without the
    /// written papers' and with what each written paper's two graphs state now (the same named
    /// query over them, [`GraphStore::query_in`](crate::store::graph::GraphStore::query_in):
    /// these queries join nothing across papers). Claims, graphs and gaps are derived again
    /// when asked for.
    fn updated(store: &Store, earlier: &Kept, written: &BTreeSet<String>, generation: u64) -> Result<Kept> {
        let corpus = Arc::new(earlier.corpus.updated(store, written)?);
        let is_written = |paper: &str| written.contains(&crate::common::ids::paper_key(paper));
        let graphs_of = |key: &str| -> Result<Vec<NamedNode>> {
            [store.base().paper_graph(key), store.base().extraction_graph(key)]
                .into_iter()
                .map(|g| NamedNode::new(g).map_err(Error::graph))
                .collect()
        };
        let mut rows = HashMap::new();
        let earlier_rows: Vec<(&'static str, Arc<Vec<queries::Row>>)> =
            lock(&earlier.rows).iter().map(|(q, r)| (*q, r.clone())).collect();
        for (query, old) in earlier_rows {
            let mut new: Vec<queries::Row> = old
                .iter()
                .filter(|r| r.get("paper").is_none_or(|p| !is_written(p)))
                .cloned()
                .collect();
            for key in written {
                new.extend(queries::rows(store.graph().query_in(query, &graphs_of(key)?)?)?);
            }
            sort_rows(query, &mut new);
            rows.insert(query, Arc::new(new));
        }
        Ok(Kept {
            generation,
            instance: store.instance(),
            corpus,
            graphs: Default::default(),
            claims: OnceLock::new(),
            rows: Mutex::new(rows),
            found: Default::default(),
        })
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

pub(super) struct Mention {
    pub(super) concept: String,
    paper: String,
    passage: String,
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

pub(super) struct Ctx<'a> {
    pub(super) store: &'a Store,
    pub(super) corpus: &'a Corpus<'a>,
    kept: Arc<Kept>,
    pub(super) as_of: Option<i32>,
    pub(super) focus: Option<BTreeSet<u32>>,
    graph: Option<Arc<CoGraph>>,
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
        cancel: Cancel,
    ) -> Self {
        Ctx {
            store,
            corpus,
            kept,
            as_of,
            focus,
            graph: None,
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

    /// The co-occurrence graph as of this call's year: the one kept for this store and year, unless the call's
    /// focus forces nodes into it.
    pub(super) fn graph(&mut self) -> Arc<CoGraph> {
        if self.graph.is_none() {
            let forced = self.focus.clone().unwrap_or_default();
            let g = if forced.is_empty() {
                let kept = lock(&self.kept.graphs).get(&self.as_of).cloned();
                kept.unwrap_or_else(|| {
                    let g = Arc::new(CoGraph::build(self.corpus, self.as_of, &forced));
                    lock(&self.kept.graphs).insert(self.as_of, g.clone());
                    g
                })
            } else {
                Arc::new(CoGraph::build(self.corpus, self.as_of, &forced))
            };
            self.graph = Some(g);
        }
        self.graph.clone().expect("built above")
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

    /// The concept mentions in a paper's extraction graph (none when the paper does not count
    /// as of this call's year), in (start, concept) order: four indexed scans of the graph, one
    /// per predicate a mention has (its concept, offsets and passage), O(mentions found), rather
    /// than a lookup per mention and predicate.
    pub(super) fn mentions(&mut self, paper: &str) -> Result<std::rc::Rc<Vec<Mention>>> {
        use crate::common::vocab::{hyp, prov};
        use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNode};
        if let Some(m) = self.mentions.get(paper) {
            return Ok(m.clone());
        }
        #[derive(Default)]
        struct Parts {
            concept: Option<String>,
            start: Option<usize>,
            end: Option<usize>,
            passage: Option<String>,
        }
        let mut parts: HashMap<NamedOrBlankNode, Parts> = HashMap::new();
        if self.counts_paper(paper) {
            let g = NamedNode::new(
                self.store
                    .base()
                    .extraction_graph(&crate::common::ids::paper_key(paper)),
            )
            .map_err(Error::graph)?;
            let ox = self.store.graph().oxigraph();
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
        let list = std::rc::Rc::new(list);
        self.mentions.insert(paper.to_string(), list.clone());
        Ok(list)
    }

    fn text(&mut self, paper: &str) -> Result<Option<std::rc::Rc<Text>>> {
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
        let all = match self.kept.claims.get() {
            Some(all) => all.clone(),
            None => {
                let all = Arc::new(Self::all_claims(self.store)?);
                let _ = self.kept.claims.set(all.clone());
                all
            }
        };
        let list: Vec<Claim> = all.iter().filter(|c| self.counts_paper(&c.paper)).cloned().collect();
        let list = std::rc::Rc::new(list);
        self.claims = Some(list.clone());
        Ok(list)
    }

    /// The rows of a named query that takes no binding, run once while the store is unchanged
    /// (after writes, brought up to date by difference: [`Kept::of`]), in [`sort_rows`] order.
    pub(super) fn rows(&self, query: &'static str) -> Result<Arc<Vec<queries::Row>>> {
        if let Some(r) = lock(&self.kept.rows).get(query) {
            return Ok(r.clone());
        }
        let mut rows = queries::select(self.store, query, &[])?;
        sort_rows(query, &mut rows);
        let rows = Arc::new(rows);
        lock(&self.kept.rows).insert(query, rows.clone());
        Ok(rows)
    }

    /// Every claim with a polarity and a paper, of any year, in (paper, claim, concept) order.
    fn all_claims(store: &Store) -> Result<Vec<Claim>> {
        use crate::common::vocab::{hyp, schema};
        let scan = |p: &str| -> Result<Vec<(String, String)>> {
            let p = oxigraph::model::NamedNodeRef::new_unchecked(p);
            store
                .graph()
                .owned_quads(None, Some(p), None)
                .map(|q| {
                    let q = q?;
                    Ok((lexical(&q.subject.into()), lexical(&q.object)))
                })
                .collect()
        };
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
        list.sort_by(|a, b| (&a.paper, &a.claim, &a.concept).cmp(&(&b.paper, &b.claim, &b.concept)));
        list.dedup_by(|a, b| (&a.claim, &a.concept) == (&b.claim, &b.concept));
        Ok(list)
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
    pub(super) fn cooccurrence(&mut self, a: u32, b: u32, role: &str) -> Result<Option<Evidence>> {
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
            .cloned()
            .collect();
        let mut best: Option<(std::rc::Rc<Vec<Mention>>, usize, usize, usize)> = None;
        let mut fallback: Option<(std::rc::Rc<Vec<Mention>>, usize)> = None;
        for paper in &papers {
            let ms = self.mentions(paper)?;
            let mut by_passage: HashMap<&str, Vec<usize>> = HashMap::new();
            for (j, m) in ms.iter().enumerate() {
                if m.concept == ib {
                    by_passage.entry(m.passage.as_str()).or_default().push(j);
                }
            }
            let mut here: Option<(usize, usize, usize)> = None;
            for (i, x) in ms.iter().enumerate().filter(|(_, m)| m.concept == ia) {
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
                if let Some(j) = ms.iter().position(|m| m.concept == ib) {
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

/// The variables a statement query orders its rows by (numeric ones compared as numbers),
/// as its `ORDER BY` says.
fn order_of(query: &str) -> &'static [(&'static str, bool)] {
    if query == queries::METHOD_EVALUATIONS {
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
fn sort_rows(query: &str, rows: &mut [queries::Row]) {
    let order = order_of(query);
    rows.sort_by_cached_key(|r| {
        let mut key: Vec<(i64, String)> = order
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
    });
}
