//! The RDF store (oxigraph on RocksDB): each paper's facts in the paper's own named graph.

use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};
use std::collections::{HashMap, HashSet};

use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple,
};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{Store, Transaction};

use parking_lot::Mutex;

use super::{history, owned, PaperDoc};
use crate::common::clock::Moment;
use crate::common::error::{Error, Result, UserError};
use crate::common::ids::Base;
use crate::common::vocab::{cito, hyp, rdf, schema};

/// New extraction quads from which a write goes through the bulk loader rather than a
/// transaction: per quad, a transaction indexes six keys and each term's string in a write batch
/// and then in the memtables, which made re-extracting the ACL Anthology's 61k papers spend most
/// of its time in one writing thread.
pub const BULK_LOAD_MIN_QUADS: usize = 20_000;

/// A literal as the store gives it back: oxigraph keeps the XML Schema types derived from
/// `xsd:integer` (`xsd:nonNegativeInteger` for offsets) as `xsd:integer`, so a written offset
/// compares equal to the stored one only in this form.
fn stored_form(term: Term) -> Term {
    const INTEGERS: [&str; 13] = [
        "integer",
        "byte",
        "short",
        "int",
        "long",
        "unsignedByte",
        "unsignedShort",
        "unsignedInt",
        "unsignedLong",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "nonNegativeInteger",
    ];
    if let Term::Literal(l) = &term {
        let integer = l
            .datatype()
            .as_str()
            .strip_prefix("http://www.w3.org/2001/XMLSchema#")
            .is_some_and(|t| INTEGERS.contains(&t));
        if let (true, Ok(v)) = (integer, l.value().parse::<i64>()) {
            return Literal::new_typed_literal(v.to_string(), oxigraph::model::vocab::xsd::INTEGER).into();
        }
    }
    term
}

/// Quads to remove and to add, and the graphs they are in.
struct Difference<'a> {
    stale: Vec<Quad>,
    added: Vec<Quad>,
    graphs: Vec<&'a NamedNode>,
}

/// Sets of quads compared by the thousand: rustc's hash is several times faster than SipHash on
/// their strings, and nothing here is keyed by outside input an attacker could collide (the
/// stored graph and the extractor's own output).
type FxHashSet<T> = rustc_hash::FxHashSet<T>;

/// The graph store.
pub struct GraphStore {
    store: Store,
    /// IRI prefixes of the graphs the store owns (see [`Base::owned_graph_prefixes`]).
    owned: Vec<String>,
    /// IRI prefix of the papers' graphs.
    papers: String,
    /// The base of local resources (history graphs and version IRIs).
    base: Base,
    /// Named queries rewritten to read the owned graphs only, by query text.
    named: Mutex<HashMap<String, spargebra::Query>>,
}

impl GraphStore {
    /// Opens or creates the RocksDB store in `dir`, for a store whose local resources live
    /// under `base`.
    pub fn open(dir: &Path, base: &Base) -> Result<Self> {
        let store = Store::open(dir).map_err(|e| {
            let text = e.to_string();
            // RocksDB admits one process per database and one open per process.
            if text.contains("lock file") || text.contains("lock hold") {
                Error::from(UserError::Conflict(format!(
                    "the store's RDF database {} is already open, by another process (a running \
                     `hypatia serve`, ingest or load?) or earlier in this one; RocksDB admits one: stop \
                     that process first, or send the work to the server's API ({text})",
                    dir.display()
                )))
            } else {
                Error::from(e)
            }
        })?;
        Ok(GraphStore {
            store,
            owned: base.owned_graph_prefixes().to_vec(),
            papers: base.paper_graph(""),
            base: base.clone(),
            named: Mutex::new(HashMap::new()),
        })
    }

    /// Whether a quad sits in a paper's own graph (not in the default graph, nor in a graph a
    /// user wrote): the only quads identity and citation resolution may read.
    fn in_paper_graph(&self, q: &Quad) -> bool {
        matches!(&q.graph_name, GraphName::NamedNode(g) if g.as_str().starts_with(&self.papers))
    }

    /// Whether a quad sits in a graph the store owns.
    pub fn is_owned_quad(&self, q: &Quad) -> bool {
        matches!(&q.graph_name, GraphName::NamedNode(g) if owned::is_owned(g.as_str(), &self.owned))
    }

    /// The quads matching a pattern in the graphs the store owns, in any of them: what the
    /// store's own readers may see (facts users wrote elsewhere never change their answers).
    pub fn owned_quads(
        &self,
        subject: Option<oxigraph::model::NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<oxigraph::model::TermRef<'_>>,
    ) -> impl Iterator<Item = Result<Quad>> + '_ {
        self.store
            .quads_for_pattern(subject, predicate, object, None)
            .map(|q| q.map_err(Error::from))
            .filter(|q| q.as_ref().map_or(true, |q| self.is_owned_quad(q)))
    }

    /// The underlying oxigraph store, for SPARQL evaluation.
    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    /// Replaces the named graphs of these papers in one transaction, resolving citations both
    /// ways in the same transaction: this batch's references to stored papers, and stored
    /// references to this batch's papers; records each new version learned `at` in the paper's
    /// history ([`history`]). Idempotent.
    pub(crate) fn put(&self, docs: &[(NamedNode, NamedNode, &PaperDoc)], at: Moment) -> Result<()> {
        let mut parsed = Vec::with_capacity(docs.len());
        let mut extractions = Vec::with_capacity(docs.len());
        for (graph, extraction, d) in docs {
            let triples = parse_ntriples(&d.ntriples)?;
            let iri = NamedNode::new(d.iri.as_str()).map_err(Error::graph)?;
            parsed.push((graph, iri, triples));
            extractions.push((extraction, parse_ntriples(&d.extraction)?));
        }
        let mut t = self.store.start_transaction()?;
        for (graph, triples) in &extractions {
            replace_graph(&mut t, graph, triples)?;
        }
        // Match keys of this batch's papers, for references between papers of one batch.
        let mut batch_keys: HashMap<String, NamedNode> = HashMap::new();
        for ((graph, iri, triples), (_, _, doc)) in parsed.iter().zip(docs) {
            let stamps = history::notice_stamps(&t, graph)?;
            t.clear_graph(graph.as_ref())?;
            t.insert_named_graph(graph.as_ref());
            let quads: Vec<Quad> = triples
                .iter()
                .map(|tr| {
                    Quad::new(
                        tr.subject.clone(),
                        tr.predicate.clone(),
                        tr.object.clone(),
                        (*graph).clone(),
                    )
                })
                .collect();
            t.extend(quads.iter());
            history::stamp_notices(&mut t, graph, triples, &stamps, at)?;
            history::record_version(&mut t, &self.base, &doc.key, iri, &doc.digest, at)?;
            for k in literals_of(triples, hyp::MATCH_KEY) {
                batch_keys.entry(k.1).or_insert_with(|| iri.clone());
            }
        }
        for (graph, iri, triples) in &parsed {
            self.resolve_forward(&mut t, graph, iri, triples, &batch_keys)?;
            self.resolve_backward(&mut t, graph, iri, triples)?;
        }
        t.commit()?;
        Ok(())
    }

    /// Adds triples to existing paper graphs (others are skipped) and resolves stored references
    /// by any match key the additions bring; notices among them are stamped as learned `at`.
    /// Idempotent.
    pub(crate) fn add(&self, additions: &[(NamedNode, &str)], at: Moment) -> Result<()> {
        let mut t = self.store.start_transaction()?;
        for (graph, ntriples) in additions {
            if !t.contains_named_graph(graph.as_ref())? {
                continue;
            }
            let triples = parse_ntriples(ntriples)?;
            for tr in &triples {
                t.insert(&Quad::new(
                    tr.subject.clone(),
                    tr.predicate.clone(),
                    tr.object.clone(),
                    graph.clone(),
                ));
            }
            history::stamp_notices(&mut t, graph, &triples, &HashMap::new(), at)?;
            let papers: HashSet<NamedNode> = literals_of(&triples, hyp::MATCH_KEY)
                .into_iter()
                .filter_map(|(s, _)| match s {
                    NamedOrBlankNode::NamedNode(n) => Some(n),
                    _ => None,
                })
                .collect();
            for paper in papers {
                self.resolve_backward(&mut t, graph, &paper, &triples)?;
            }
        }
        t.commit()?;
        Ok(())
    }

    /// Writes these named graphs whole (each replaces any graph of its name) in one transaction.
    /// Idempotent.
    pub(crate) fn put_graphs(&self, graphs: &[(NamedNode, &str)]) -> Result<()> {
        let parsed = graphs
            .iter()
            .map(|(g, nt)| Ok((g, parse_ntriples(nt)?)))
            .collect::<Result<Vec<_>>>()?;
        let mut t = self.store.start_transaction()?;
        for (g, triples) in &parsed {
            replace_graph(&mut t, g, triples)?;
        }
        t.commit()?;
        Ok(())
    }

    /// Replaces the extraction graphs of papers whose paper graph exists (others are skipped: a
    /// paper deleted since extraction started stays deleted).
    ///
    /// Writes only the difference: every read happens first, on the committed store (which
    /// papers are stored, what their extraction graphs hold now), and the transaction then
    /// removes the quads that are no longer found and inserts the new ones. A re-run of an
    /// unchanged extractor writes almost nothing, and a changed one only what changed: RocksDB's
    /// cost here is per written key (six index entries and the term strings per quad), not per
    /// read. Sound because the caller holds the store's write lock, and extraction graphs are
    /// written by nothing else; extraction graphs hold no blank nodes, so equal triples compare
    /// equal.
    ///
    /// From [`BULK_LOAD_MIN_QUADS`] new quads on (a re-extraction's batch after a lexicon or
    /// extractor change), the transaction removes the stale quads and then the new ones go
    /// through oxigraph's bulk loader: a reader in between sees the batch's extraction graphs
    /// without their new facts. A crash in between is finished from the journal (the difference
    /// is taken again, against what was written).
    pub(crate) fn put_extraction(&self, items: &[(NamedNode, NamedNode, &str)]) -> Result<()> {
        // The reads and comparisons run on every core (the writer holds the write lock, so the
        // threads that extract wait meanwhile).
        let parts = crate::common::parallel::map_parts(items, crate::common::parallel::cores(), |part| {
            self.extraction_difference(part)
        });
        let (mut stale, mut added, mut graphs) = (Vec::new(), Vec::new(), Vec::new());
        for p in parts {
            let p = p?;
            stale.extend(p.stale);
            added.extend(p.added);
            graphs.extend(p.graphs);
        }
        // Removals first: a stale quad may be stored under the same key as a new one (two
        // literals the store encodes alike), which must end up present.
        let bulk = added.len() >= BULK_LOAD_MIN_QUADS;
        let mut t = self.store.start_transaction()?;
        for q in &stale {
            t.remove(q);
        }
        for g in graphs {
            t.insert_named_graph(g.as_ref());
        }
        if !bulk {
            t.extend(added.iter());
        }
        t.commit()?;
        if bulk {
            // Sorted SST files ingested at once: no write batch index, no memtable.
            let mut loader = self.store.bulk_loader();
            loader.load_quads(added)?;
            loader.commit()?;
        }
        Ok(())
    }

    /// What writing these extraction graphs changes, read on the committed store: papers not
    /// stored are left out.
    fn extraction_difference<'a>(&self, items: &'a [(NamedNode, NamedNode, &str)]) -> Result<Difference<'a>> {
        let mut d = Difference {
            stale: Vec::new(),
            added: Vec::new(),
            graphs: Vec::with_capacity(items.len()),
        };
        for (paper_graph, graph, ntriples) in items {
            if !self.store.contains_named_graph(paper_graph.as_ref())? {
                continue;
            }
            let mut old: FxHashSet<Quad> = FxHashSet::default();
            for q in self
                .store
                .quads_for_pattern(None, None, None, Some(graph.as_ref().into()))
            {
                old.insert(q?);
            }
            let new: FxHashSet<Quad> = parse_ntriples(ntriples)?
                .into_iter()
                .map(|tr| Quad::new(tr.subject, tr.predicate, stored_form(tr.object), graph.clone()))
                .collect();
            d.stale.extend(old.iter().filter(|q| !new.contains(*q)).cloned());
            d.added.extend(new.into_iter().filter(|q| !old.contains(q)));
            d.graphs.push(graph);
        }
        Ok(d)
    }

    /// Removes the named graphs of these papers in one transaction, and the citation links other
    /// papers' references had resolved to them (the references stay, unresolved); their current
    /// versions end `at` (the history stays). Idempotent.
    pub(crate) fn delete(&self, graphs: &[(String, NamedNode, NamedNode)], at: Moment) -> Result<()> {
        let mut t = self.store.start_transaction()?;
        for (key, g, extraction) in graphs {
            t.remove_named_graph(extraction.as_ref())?;
            let papers: Vec<NamedOrBlankNode> = t
                .quads_for_pattern(
                    None,
                    Some(rdf_type()),
                    Some(scholarly_article().into()),
                    Some(g.as_ref().into()),
                )
                .map(|q| q.map(|q| q.subject))
                .collect::<std::result::Result<_, _>>()?;
            let papers: Vec<NamedNode> = papers
                .into_iter()
                .filter_map(|p| match p {
                    NamedOrBlankNode::NamedNode(p) => Some(p),
                    _ => None,
                })
                .collect();
            for p in &papers {
                self.unresolve(&mut t, p, g)?;
            }
            history::end_versions(&mut t, &self.base, key, &papers, at)?;
            t.remove_named_graph(g.as_ref())?;
        }
        t.commit()?;
        Ok(())
    }

    /// Whether a named graph exists.
    pub fn has_graph(&self, graph: NamedNodeRef<'_>) -> Result<bool> {
        Ok(self.store.contains_named_graph(graph)?)
    }

    /// Evaluates a read-only SPARQL query against the union of all graphs, or against the
    /// given default and named graphs.
    pub fn query(
        &self,
        query: &str,
        default_graphs: &[NamedNode],
        named_graphs: &[NamedNode],
    ) -> Result<QueryResults<'static>> {
        self.query_with(SparqlEvaluator::new(), query, default_graphs, named_graphs)
    }

    /// [`GraphStore::query`] with an evaluator configured by the caller (SERVICE handlers,
    /// custom functions).
    pub fn query_with(
        &self,
        evaluator: SparqlEvaluator,
        query: &str,
        default_graphs: &[NamedNode],
        named_graphs: &[NamedNode],
    ) -> Result<QueryResults<'static>> {
        check_nesting(query)?;
        let mut prepared = evaluator
            .parse_query(query)
            .map_err(|e| UserError::SparqlSyntax(e.to_string()))?;
        // The Protocol's dataset replaces the query's FROM / FROM NAMED; without either, the
        // default graph is the union of all graphs (every paper's facts sit in a named graph).
        let ds = prepared.dataset_mut();
        if !default_graphs.is_empty() || !named_graphs.is_empty() {
            ds.set_default_graph(default_graphs.iter().cloned().map(Into::into).collect());
            ds.set_available_named_graphs(named_graphs.iter().cloned().map(Into::into).collect());
        } else if ds.is_default_dataset() {
            ds.set_default_graph_as_union();
        }
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| UserError::SparqlEvaluation(e.to_string()).into())
    }

    /// Evaluates a named query from `queries/` with bound variables over the store's own graphs
    /// (their union is the default graph; see [`owned`]): facts users wrote with SPARQL Update
    /// or the Graph Store Protocol never reach it.
    pub fn query_bound(
        &self,
        query: &str,
        bindings: &[(&str, oxigraph::model::Term)],
    ) -> Result<QueryResults<'static>> {
        let mut prepared = SparqlEvaluator::new().for_query(self.owned_query(query)?);
        // Every pattern of the rewritten query names its graphs; the default graph is none.
        prepared.dataset_mut().set_default_graph(Vec::new());
        let mut bound = prepared.on_store(&self.store);
        for (var, value) in bindings {
            let v = oxigraph::sparql::Variable::new(*var).map_err(Error::graph)?;
            bound = bound.substitute_variable(v, value.clone());
        }
        bound.execute().map_err(Error::graph)
    }

    /// Evaluates a named SELECT from `queries/` over the union of a few owned graphs (e.g. one
    /// paper's facts and extraction graphs) as its default graph: the rows the whole-store query
    /// has for what those graphs state, when the query joins nothing across papers. oxigraph
    /// reads a listed default graph with one index seek per graph and pattern, so for a few
    /// graphs this costs what they hold, not what the store holds.
    pub fn query_in(&self, query: &str, graphs: &[NamedNode]) -> Result<QueryResults<'static>> {
        if let Some(g) = graphs.iter().find(|g| !owned::is_owned(g.as_str(), &self.owned)) {
            return Err(Error::graph(format!("{g} is not a graph the store owns")));
        }
        let parsed = spargebra::SparqlParser::new()
            .parse_query(query)
            .map_err(|e| Error::graph(format!("named query: {e}")))?;
        let mut prepared = SparqlEvaluator::new().for_query(parsed);
        prepared
            .dataset_mut()
            .set_default_graph(graphs.iter().map(|g| g.clone().into()).collect());
        prepared.on_store(&self.store).execute().map_err(Error::graph)
    }

    /// A named query rewritten to read the owned graphs only, parsed and rewritten once.
    fn owned_query(&self, query: &str) -> Result<spargebra::Query> {
        if let Some(q) = self.named.lock().get(query) {
            return Ok(q.clone());
        }
        let parsed = spargebra::SparqlParser::new()
            .parse_query(query)
            .map_err(|e| Error::graph(format!("named query: {e}")))?;
        let restricted = owned::restrict(parsed, &self.owned).map_err(|e| Error::graph(format!("named query: {e}")))?;
        self.named.lock().insert(query.to_string(), restricted.clone());
        Ok(restricted)
    }

    /// Number of quads in all graphs.
    pub fn len(&self) -> Result<usize> {
        Ok(self.store.len()?)
    }

    /// Whether the store holds no quad.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.is_empty()?)
    }

    /// Names of all named graphs.
    pub fn graph_names(&self) -> Result<Vec<String>> {
        self.store
            .named_graphs()
            .map(|g| {
                g.map(|g| g.to_string().trim_start_matches('<').trim_end_matches('>').to_string())
                    .map_err(Error::from)
            })
            .collect()
    }

    /// Flushes RocksDB's memtables to disk.
    pub fn flush(&self) -> Result<()> {
        Ok(self.store.flush()?)
    }

    /// Writes a consistent copy of the store into `target` (which must not exist).
    pub fn backup(&self, target: &Path) -> Result<()> {
        Ok(self.store.backup(target)?)
    }

    /// Whether the default graph is empty (all facts belong to named graphs).
    pub fn default_graph_is_empty(&self) -> Result<bool> {
        Ok(self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .next()
            .is_none())
    }
}

/// Deepest bracket nesting a query may have. The SPARQL parser and evaluator recurse per level,
/// so a query of thousands of nested groups would overflow a thread's stack and abort the
/// process; real queries stay far below this.
pub const MAX_NESTING: usize = 128;

/// Refuses queries nested deeper than [`MAX_NESTING`]. Brackets are counted everywhere, string
/// literals included: that can only overestimate, so no crafted quoting hides nesting from it.
pub(crate) fn check_nesting(query: &str) -> Result<()> {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in query.bytes() {
        match b {
            b'{' | b'(' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if max > MAX_NESTING {
        return Err(UserError::SparqlSyntax(format!(
            "the query nests brackets {max} deep; at most {MAX_NESTING} are accepted"
        ))
        .into());
    }
    Ok(())
}

/// Makes `graph` hold exactly `triples`.
fn replace_graph(t: &mut Transaction<'_>, graph: &NamedNode, triples: &[Triple]) -> Result<()> {
    t.clear_graph(graph.as_ref())?;
    t.insert_named_graph(graph.as_ref());
    let quads: Vec<Quad> = triples
        .iter()
        .map(|tr| {
            Quad::new(
                tr.subject.clone(),
                tr.predicate.clone(),
                tr.object.clone(),
                graph.clone(),
            )
        })
        .collect();
    t.extend(quads.iter());
    Ok(())
}

fn node(iri: &'static str) -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked(iri)
}

fn rdf_type() -> NamedNodeRef<'static> {
    node(rdf::TYPE)
}

fn scholarly_article() -> NamedNodeRef<'static> {
    node(schema::SCHOLARLY_ARTICLE)
}

/// `(subject, value)` of the literal objects of `predicate`, in document order.
fn literals_of(triples: &[Triple], predicate: &str) -> Vec<(NamedOrBlankNode, String)> {
    triples
        .iter()
        .filter(|t| t.predicate.as_str() == predicate)
        .filter_map(|t| match &t.object {
            Term::Literal(l) => Some((t.subject.clone(), l.value().to_string())),
            _ => None,
        })
        .collect()
}

impl GraphStore {
    /// Links each reference of a new paper to the stored paper its strongest matching key names.
    fn resolve_forward(
        &self,
        t: &mut Transaction<'_>,
        graph: &NamedNode,
        citing: &NamedNode,
        triples: &[Triple],
        batch_keys: &HashMap<String, NamedNode>,
    ) -> Result<()> {
        // Keys come strongest first per reference; the first that names a paper wins.
        let mut resolved: Vec<NamedOrBlankNode> = Vec::new();
        for (reference, key) in literals_of(triples, hyp::REF_KEY) {
            if resolved.contains(&reference) {
                continue;
            }
            let target = match batch_keys.get(&key) {
                Some(p) => Some(p.clone()),
                None => self.paper_with_key(t, &key)?,
            };
            if let Some(target) = target.filter(|p| p != citing) {
                link(t, graph, citing, &reference, &target);
                resolved.push(reference);
            }
        }
        Ok(())
    }

    /// Links the stored references that name a new paper by one of its keys and were not resolved
    /// yet (the paper arrived after the papers citing it). Only references in papers' graphs count:
    /// a graph a user wrote is neither read nor written here.
    fn resolve_backward(
        &self,
        t: &mut Transaction<'_>,
        graph: &NamedNode,
        paper: &NamedNode,
        triples: &[Triple],
    ) -> Result<()> {
        let resolves_to = node(hyp::RESOLVES_TO);
        let citation = node(schema::CITATION);
        for (_, key) in literals_of(triples, hyp::MATCH_KEY) {
            let literal = Literal::new_simple_literal(key);
            let refs: Vec<Quad> = t
                .quads_for_pattern(None, Some(node(hyp::REF_KEY)), Some(literal.as_ref().into()), None)
                .filter(|q| q.as_ref().map_or(true, |q| self.in_paper_graph(q)))
                .collect::<std::result::Result<_, _>>()?;
            for q in refs {
                let GraphName::NamedNode(g) = &q.graph_name else {
                    continue;
                };
                if g == graph
                    || t.quads_for_pattern(
                        Some(q.subject.as_ref()),
                        Some(resolves_to),
                        None,
                        Some(g.as_ref().into()),
                    )
                    .next()
                    .is_some()
                {
                    continue;
                }
                let reference_term: Term = q.subject.clone().into();
                let citers: Vec<NamedOrBlankNode> = t
                    .quads_for_pattern(
                        None,
                        Some(citation),
                        Some(reference_term.as_ref()),
                        Some(g.as_ref().into()),
                    )
                    .map(|c| c.map(|c| c.subject))
                    .collect::<std::result::Result<_, _>>()?;
                for citer in citers {
                    if let NamedOrBlankNode::NamedNode(citer) = citer {
                        if &citer != paper {
                            link(t, g, &citer, &q.subject, paper);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Removes the links that resolved references to `paper` (which is going away), in papers'
    /// graphs only.
    fn unresolve(&self, t: &mut Transaction<'_>, paper: &NamedNode, own_graph: &NamedNode) -> Result<()> {
        let links: Vec<Quad> = t
            .quads_for_pattern(None, Some(node(hyp::RESOLVES_TO)), Some(paper.as_ref().into()), None)
            .filter(|q| q.as_ref().map_or(true, |q| self.in_paper_graph(q)))
            .collect::<std::result::Result<_, _>>()?;
        for l in links {
            let GraphName::NamedNode(g) = &l.graph_name else {
                continue;
            };
            if g == own_graph {
                continue;
            }
            let reference_term: Term = l.subject.clone().into();
            let citers: Vec<NamedOrBlankNode> = t
                .quads_for_pattern(
                    None,
                    Some(node(schema::CITATION)),
                    Some(reference_term.as_ref()),
                    Some(g.as_ref().into()),
                )
                .map(|c| c.map(|c| c.subject))
                .collect::<std::result::Result<_, _>>()?;
            for citer in citers {
                t.remove(&Quad::new(citer, node(cito::CITES), paper.clone(), g.clone()));
            }
            t.remove(&l);
        }
        Ok(())
    }

    /// The stored paper carrying match key `key` in its own graph, if any.
    fn paper_with_key(&self, t: &Transaction<'_>, key: &str) -> Result<Option<NamedNode>> {
        let literal = Literal::new_simple_literal(key);
        for q in t.quads_for_pattern(None, Some(node(hyp::MATCH_KEY)), Some(literal.as_ref().into()), None) {
            let q = q?;
            if !self.in_paper_graph(&q) {
                continue;
            }
            if let NamedOrBlankNode::NamedNode(n) = q.subject {
                return Ok(Some(n));
            }
        }
        Ok(None)
    }
}

/// `citing cito:cites target` and `reference hyp:resolvesTo target`, in the citing paper's graph.
fn link(
    t: &mut Transaction<'_>,
    graph: &NamedNode,
    citing: &NamedNode,
    reference: &NamedOrBlankNode,
    target: &NamedNode,
) {
    t.insert(&Quad::new(
        citing.clone(),
        node(cito::CITES),
        target.clone(),
        graph.clone(),
    ));
    t.insert(&Quad::new(
        reference.clone(),
        node(hyp::RESOLVES_TO),
        target.clone(),
        graph.clone(),
    ));
}

/// Parses the N-Triples a [`PaperDoc`] carries.
fn parse_ntriples(text: &str) -> Result<Vec<Triple>> {
    RdfParser::from_format(RdfFormat::NTriples)
        .for_slice(text.as_bytes())
        .map(|q| {
            q.map(Triple::from)
                .map_err(|e| Error::graph(format!("prepared triples do not parse: {e}")))
        })
        .collect()
}
