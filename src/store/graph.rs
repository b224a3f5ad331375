//! The RDF store (oxigraph on RocksDB): each paper's facts in the paper's own named graph.

use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::PaperDoc;
use crate::error::{Error, Result, UserError};

/// The graph store.
pub struct GraphStore {
    store: Store,
}

impl GraphStore {
    /// Opens or creates the RocksDB store in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(GraphStore {
            store: Store::open(dir)?,
        })
    }

    /// The underlying oxigraph store, for SPARQL evaluation.
    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    /// Replaces the named graphs of these papers in one transaction. Idempotent.
    pub(crate) fn put(&self, docs: &[(NamedNode, &PaperDoc)]) -> Result<()> {
        let mut parsed = Vec::with_capacity(docs.len());
        for (graph, d) in docs {
            let triples = parse_ntriples(&d.ntriples)?;
            parsed.push((graph, triples));
        }
        let mut t = self.store.start_transaction()?;
        for (graph, triples) in &parsed {
            t.clear_graph(graph.as_ref())?;
            t.insert_named_graph(graph.as_ref());
            t.extend(
                triples
                    .iter()
                    .map(|tr| {
                        Quad::new(
                            tr.subject.clone(),
                            tr.predicate.clone(),
                            tr.object.clone(),
                            (*graph).clone(),
                        )
                    })
                    .collect::<Vec<_>>()
                    .iter(),
            );
        }
        t.commit()?;
        Ok(())
    }

    /// Removes the named graphs of these papers in one transaction. Idempotent.
    pub(crate) fn delete(&self, graphs: &[NamedNode]) -> Result<()> {
        let mut t = self.store.start_transaction()?;
        for g in graphs {
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
        let mut prepared = SparqlEvaluator::new()
            .parse_query(query)
            .map_err(|e| UserError::SparqlSyntax(e.to_string()))?;
        let ds = prepared.dataset_mut();
        if default_graphs.is_empty() {
            ds.set_default_graph_as_union();
        } else {
            ds.set_default_graph(default_graphs.iter().cloned().map(Into::into).collect());
        }
        if !named_graphs.is_empty() {
            ds.set_available_named_graphs(named_graphs.iter().cloned().map(Into::into).collect());
        }
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| UserError::SparqlEvaluation(e.to_string()).into())
    }

    /// Evaluates a named query from `queries/` with bound variables, against all graphs.
    pub fn query_bound(
        &self,
        query: &str,
        bindings: &[(&str, oxigraph::model::Term)],
    ) -> Result<QueryResults<'static>> {
        let mut prepared = SparqlEvaluator::new()
            .parse_query(query)
            .map_err(|e| Error::graph(format!("named query: {e}")))?;
        prepared.dataset_mut().set_default_graph_as_union();
        let mut bound = prepared.on_store(&self.store);
        for (var, value) in bindings {
            let v = oxigraph::sparql::Variable::new(*var).map_err(Error::graph)?;
            bound = bound.substitute_variable(v, value.clone());
        }
        bound.execute().map_err(Error::graph)
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
