//! Writes that come from outside ingest: SPARQL 1.1 Update, the Graph Store Protocol, and bulk
//! loads of RDF documents.
//!
//! All are graph-only: they never touch the text or vector index, so they need no journal
//! record. Each request is one oxigraph transaction, taken under the store's write lock (oxigraph
//! transactions are not isolated from each other: two running at once could lose one's
//! changes), committed whole or not at all, then flushed (see [`Store::flush_graph`]). A bulk
//! load ([`Store::bulk_load`]) goes through oxigraph's bulk loader instead, under the same lock:
//! sorted files built from the whole document and added to RocksDB at once, so it too is whole
//! or nothing, and several times faster than a transaction for large documents.
//!
//! **Invariant:** graphs the store owns are read-only here. Owned are every graph under
//! `{base}graph/` (each paper's facts and what the extractor found in it: ingest replaces them
//! whole) and under `{base}np/` (agents' nanopublications: the research layer writes them with
//! their provenance). A request that would write one is refused before anything is written,
//! with [`UserError::ProtectedGraph`] naming the graph. Writes to the default graph and to any
//! other named graph follow the SPARQL 1.1 Update semantics exactly.
//!
//! How each Update operation is checked (in request order, against the state the earlier
//! operations of the same request left):
//! - `INSERT DATA`, `DELETE DATA`: the graph of every quad.
//! - `DELETE/INSERT` (with `WITH`, `DELETE WHERE`): the graph of every template quad; when a
//!   template's graph is a variable, the `WHERE` pattern is evaluated first for the values of
//!   that variable, and any owned graph among them refuses the request (even a solution whose
//!   template quad would turn out incomplete: refusing is cheaper to explain than guessing).
//! - `CLEAR`, `DROP`, `CREATE` of a named graph: that graph.
//! - `CLEAR`/`DROP NAMED` and `ALL`: refused while any owned graph exists, since the spec's
//!   meaning ("every named graph") cannot hold without writing them. `DEFAULT` is always allowed.
//! - `LOAD`: refused: the server fetches no URLs on a client's behalf (`LOAD SILENT` does
//!   nothing and succeeds, as a failed `LOAD SILENT` does).

use std::io::Read;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{GraphName as QuadGraph, GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, UpdateEvaluationError};
use oxigraph::store::Transaction;
use spargebra::algebra::{GraphPattern, GraphTarget, QueryDataset};
use spargebra::term::{GraphName, GraphNamePattern, Variable};
use spargebra::{GraphUpdateOperation, SparqlParser};

use super::Store;
use crate::common::error::{Error, Result, UserError};

/// A SPARQL Update request as the Protocol carries it.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    /// The update text.
    pub update: String,
    /// `using-graph-uri` parameters: the default graph of every `WHERE`.
    pub using_graphs: Vec<NamedNode>,
    /// `using-named-graph-uri` parameters: the named graphs of every `WHERE`.
    pub using_named_graphs: Vec<NamedNode>,
    /// The IRI relative IRIs resolve against when the update sets no `BASE` (over the Protocol,
    /// the endpoint's URL).
    pub base: Option<String>,
}

/// A graph of the Graph Store Protocol: `?default` or `?graph=IRI`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphRef {
    /// The store's default graph.
    Default,
    /// A named graph.
    Named(NamedNode),
}

impl std::fmt::Display for GraphRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphRef::Default => f.write_str("the default graph"),
            GraphRef::Named(n) => write!(f, "{n}"),
        }
    }
}

impl Store {
    /// Refuses a Graph Store Protocol write (`what`: the method) to a graph the store owns.
    pub fn check_writable(&self, graph: &GraphRef, what: &str) -> Result<()> {
        match graph {
            GraphRef::Default => Ok(()),
            GraphRef::Named(n) => self.check_writable_named(n, what),
        }
    }

    fn check_writable_named(&self, graph: &NamedNode, what: &str) -> Result<()> {
        match self
            .base
            .owned_graph_prefixes()
            .iter()
            .find(|p| graph.as_str().starts_with(p.as_str()))
        {
            Some(prefix) => {
                Err(UserError::ProtectedGraph(format!(
                "{what} would write {graph}, and graphs under <{prefix}> are written only by {}; nothing was written",
                if prefix.ends_with("np/") { "the research layer" } else { "ingest" }
            ))
                .into())
            }
            None => Ok(()),
        }
    }

    /// Runs a SPARQL 1.1 Update as one transaction under the write lock. Durable when it
    /// returns `Ok`; on any error nothing is written.
    pub fn update(&self, req: &UpdateRequest) -> Result<()> {
        super::graph::check_nesting(&req.update)?;
        let mut parser = SparqlParser::new();
        if let Some(b) = &req.base {
            parser = parser
                .with_base_iri(b)
                .map_err(|e| crate::Error::invalid("base", format!("`{b}`: {e}")))?;
        }
        let mut update = parser
            .parse_update(&req.update)
            .map_err(|e| UserError::SparqlSyntax(e.to_string()))?;
        self.apply_protocol_dataset(&mut update.operations, req)?;
        let _w = self.write_lock();
        self.recover_locked()?;
        let mut t = self.graph.oxigraph().start_transaction()?;
        for op in update.operations {
            if matches!(op, GraphUpdateOperation::Load { silent: true, .. }) {
                // LOAD is off (see `check_operation`); SILENT makes its failure a success.
                continue;
            }
            self.check_operation(&t, &op, update.base_iri.as_ref())?;
            let single = spargebra::Update {
                base_iri: update.base_iri.clone(),
                operations: vec![op],
            };
            SparqlEvaluator::new()
                .for_update(single)
                .on_transaction(&mut t)
                .execute()
                .map_err(update_error)?;
        }
        t.commit()?;
        self.flush_graph()
    }

    /// Puts the Protocol's `using-graph-uri` / `using-named-graph-uri` into every DELETE/INSERT;
    /// the Protocol makes it an error to give them with `USING`, `USING NAMED` or `WITH`.
    fn apply_protocol_dataset(&self, ops: &mut [GraphUpdateOperation], req: &UpdateRequest) -> Result<()> {
        if req.using_graphs.is_empty() && req.using_named_graphs.is_empty() {
            return Ok(());
        }
        for op in ops {
            if let GraphUpdateOperation::DeleteInsert { using, .. } = op {
                if using.is_some() {
                    return Err(Error::invalid(
                        "using-graph-uri",
                        "the update has USING, USING NAMED or WITH: give the dataset there or in the parameters, not both",
                    ));
                }
                *using = Some(QueryDataset {
                    default: req.using_graphs.clone(),
                    named: Some(req.using_named_graphs.clone()),
                });
            }
        }
        Ok(())
    }

    /// Refuses an operation that would write an owned graph (see the module docs).
    fn check_operation(
        &self,
        t: &Transaction<'_>,
        op: &GraphUpdateOperation,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<()> {
        match op {
            GraphUpdateOperation::InsertData { data } => data
                .iter()
                .try_for_each(|q| named(&q.graph_name).map_or(Ok(()), |g| self.check_writable_named(g, "INSERT DATA"))),
            GraphUpdateOperation::DeleteData { data } => data
                .iter()
                .try_for_each(|q| named(&q.graph_name).map_or(Ok(()), |g| self.check_writable_named(g, "DELETE DATA"))),
            GraphUpdateOperation::DeleteInsert {
                delete,
                insert,
                using,
                pattern,
            } => {
                let graphs = delete
                    .iter()
                    .map(|q| &q.graph_name)
                    .chain(insert.iter().map(|q| &q.graph_name));
                let mut variables: Vec<Variable> = Vec::new();
                for g in graphs {
                    match g {
                        GraphNamePattern::NamedNode(n) => self.check_writable_named(n, "DELETE/INSERT")?,
                        GraphNamePattern::Variable(v) if !variables.contains(v) => variables.push(v.clone()),
                        GraphNamePattern::Variable(_) | GraphNamePattern::DefaultGraph => {}
                    }
                }
                if variables.is_empty() {
                    return Ok(());
                }
                self.check_template_graphs(t, pattern, using, variables, base_iri)
            }
            GraphUpdateOperation::Load { .. } => Err(Error::invalid(
                "update",
                "LOAD is not supported: the server fetches no URLs for clients; send the data with \
                 INSERT DATA or PUT/POST to /store",
            )),
            GraphUpdateOperation::Create { graph, .. } => self.check_writable_named(graph, "CREATE"),
            GraphUpdateOperation::Clear { graph, .. } => self.check_target(graph, "CLEAR"),
            GraphUpdateOperation::Drop { graph, .. } => self.check_target(graph, "DROP"),
        }
    }

    fn check_target(&self, target: &GraphTarget, what: &str) -> Result<()> {
        match target {
            GraphTarget::NamedNode(n) => self.check_writable_named(n, what),
            GraphTarget::DefaultGraph => Ok(()),
            GraphTarget::NamedGraphs | GraphTarget::AllGraphs => match self.first_owned_graph()? {
                Some(g) => Err(UserError::ProtectedGraph(format!(
                    "{what} {} would also remove graphs the store owns, such as {g}; clear your own graphs \
                     by name (or CLEAR DEFAULT); nothing was written",
                    if matches!(target, GraphTarget::AllGraphs) {
                        "ALL"
                    } else {
                        "NAMED"
                    }
                ))
                .into()),
                None => Ok(()),
            },
        }
    }

    fn first_owned_graph(&self) -> Result<Option<NamedNode>> {
        let prefixes = self.base.owned_graph_prefixes();
        for g in self.graph.oxigraph().named_graphs() {
            if let NamedOrBlankNode::NamedNode(n) = g? {
                if prefixes.iter().any(|p| n.as_str().starts_with(p.as_str())) {
                    return Ok(Some(n));
                }
            }
        }
        Ok(None)
    }

    /// Evaluates the `WHERE` of a DELETE/INSERT for the values its templates' graph variables
    /// take, and refuses the operation if one is an owned graph.
    fn check_template_graphs(
        &self,
        t: &Transaction<'_>,
        pattern: &GraphPattern,
        using: &Option<QueryDataset>,
        variables: Vec<Variable>,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<()> {
        let query = spargebra::Query::Select {
            // Without USING, an update's WHERE sees the store's default graph and every named
            // graph, as in the operation itself.
            dataset: using.clone(),
            pattern: GraphPattern::Distinct {
                inner: Box::new(GraphPattern::Project {
                    inner: Box::new(pattern.clone()),
                    variables,
                }),
            },
            base_iri: base_iri.cloned(),
        };
        let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
            .for_query(query)
            .on_transaction(t)
            .execute()
            .map_err(|e| UserError::SparqlEvaluation(e.to_string()))?
        else {
            return Ok(());
        };
        for s in solutions {
            let s = s.map_err(|e| UserError::SparqlEvaluation(e.to_string()))?;
            for (_, value) in s.iter() {
                if let Term::NamedNode(n) = value {
                    self.check_writable_named(n, "DELETE/INSERT")?;
                }
            }
        }
        Ok(())
    }

    /// The triples of a graph, or `None` when the named graph does not exist (the default
    /// graph always does).
    pub fn graph_triples(&self, graph: &GraphRef) -> Result<Option<Vec<Triple>>> {
        let ox = self.graph.oxigraph();
        let name = match graph {
            GraphRef::Default => GraphNameRef::DefaultGraph,
            GraphRef::Named(n) => {
                if !ox.contains_named_graph(n)? {
                    return Ok(None);
                }
                n.as_ref().into()
            }
        };
        ox.quads_for_pattern(None, None, None, Some(name))
            .map(|q| q.map(Triple::from).map_err(Error::from))
            .collect::<Result<_>>()
            .map(Some)
    }

    /// Graph Store Protocol PUT: makes `graph` hold exactly `triples`. Returns whether the
    /// graph was created (it did not exist before).
    pub fn put_graph(&self, graph: &GraphRef, triples: &[Triple]) -> Result<bool> {
        self.write_graph(
            graph,
            "PUT",
            |t, name| {
                t.clear_graph(name)?;
                Ok(())
            },
            triples,
        )
    }

    /// Graph Store Protocol POST: adds `triples` to `graph`. Returns whether the graph was
    /// created.
    pub fn post_graph(&self, graph: &GraphRef, triples: &[Triple]) -> Result<bool> {
        self.write_graph(graph, "POST", |_, _| Ok(()), triples)
    }

    /// A graph IRI for a Graph Store Protocol POST to the store itself: `{base}store/{id}`, with
    /// an id no graph has (then `post_graph` creates it).
    pub fn fresh_graph_iri(&self) -> Result<NamedNode> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        loop {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = crate::common::ids::content_hash(&format!("{nanos}-{}-{n}", std::process::id()));
            let iri = NamedNode::new(format!("{}store/{id}", self.base.as_str())).map_err(Error::graph)?;
            if !self.graph.has_graph(iri.as_ref())? {
                return Ok(iri);
            }
        }
    }

    fn write_graph(
        &self,
        graph: &GraphRef,
        what: &str,
        prepare: impl FnOnce(&mut Transaction<'_>, GraphNameRef<'_>) -> Result<()>,
        triples: &[Triple],
    ) -> Result<bool> {
        self.check_writable(graph, what)?;
        let _w = self.write_lock();
        self.recover_locked()?;
        let mut t = self.graph.oxigraph().start_transaction()?;
        let (name, created) = match graph {
            GraphRef::Default => (oxigraph::model::GraphName::DefaultGraph, false),
            GraphRef::Named(n) => {
                let created = !t.contains_named_graph(n)?;
                t.insert_named_graph(n);
                (n.clone().into(), created)
            }
        };
        prepare(&mut t, name.as_ref())?;
        let quads: Vec<Quad> = triples.iter().map(|tr| tr.clone().in_graph(name.clone())).collect();
        t.extend(quads.iter());
        t.commit()?;
        self.flush_graph()?;
        Ok(created)
    }

    /// Graph Store Protocol DELETE: removes a named graph (or empties the default graph).
    /// Returns whether it existed.
    pub fn delete_graph(&self, graph: &GraphRef) -> Result<bool> {
        self.check_writable(graph, "DELETE")?;
        let _w = self.write_lock();
        self.recover_locked()?;
        let mut t = self.graph.oxigraph().start_transaction()?;
        let existed = match graph {
            GraphRef::Default => {
                t.clear_graph(GraphNameRef::DefaultGraph)?;
                true
            }
            GraphRef::Named(n) => {
                let existed = t.contains_named_graph(n)?;
                if existed {
                    t.remove_named_graph(n)?;
                }
                existed
            }
        };
        t.commit()?;
        self.flush_graph()?;
        Ok(existed)
    }

    /// Loads an RDF document (any format oxigraph reads; with a triple format, or for the
    /// triples of a dataset's default graph, the parser says which graph they go to) through
    /// oxigraph's bulk loader, under the write lock. Whole or nothing: a syntax error, or a quad
    /// in a graph the store owns (see the module docs), stops the load before anything is
    /// written, and the error says where (`source`, then the line and column, or the quad's
    /// number). Blank nodes are the document's own: fresh ones, whatever their labels, so two
    /// loads never share one (and loading a document twice doubles its blank-node triples, while
    /// every other quad is stored once). `memory_mb`: about how much memory the loader's buffers
    /// may take (default: batches of [`BULK_BATCH_QUADS`]). Returns the quads read.
    pub fn bulk_load(
        &self,
        reader: impl Read,
        parser: RdfParser,
        source: &str,
        memory_mb: Option<usize>,
    ) -> Result<u64> {
        let _w = self.write_lock();
        self.recover_locked()?;
        let mut read = 0u64;
        // Quads of one graph come in runs: the graph checked last is not checked again.
        let mut allowed: Option<NamedNode> = None;
        let quads = parser.rename_blank_nodes().for_reader(reader).map(|q| -> Result<Quad> {
            let q = q.map_err(|e| match e {
                RdfParseError::Syntax(e) => Error::invalid("document", format!("{source}: {e}; nothing was loaded")),
                RdfParseError::Io(e) => Error::io(source, e),
            })?;
            read += 1;
            if let QuadGraph::NamedNode(g) = &q.graph_name {
                if allowed.as_ref() != Some(g) {
                    self.check_writable_named(g, &format!("{source} (quad {read})"))?;
                    allowed = Some(g.clone());
                }
            }
            Ok(q)
        });
        let mut loader = self
            .graph
            .oxigraph()
            .bulk_loader()
            .on_progress(|n| tracing::info!(quads = n, "bulk load"));
        // oxigraph sizes a loader thread's batch as 1,000 quads per MB over the threads.
        let mb = memory_mb.unwrap_or(BULK_BATCH_QUADS / 1000 * crate::common::parallel::cores());
        loader = loader.with_max_memory_size_in_megabytes(mb.max(1));
        // On an error the loader is dropped uncommitted, and removes the files it built.
        loader.load_ok_quads::<Error, Error>(quads)?;
        loader.commit()?;
        self.flush_graph()?;
        Ok(read)
    }

    /// [`Store::bulk_load`] of a file, gzip-compressed when its name ends in `.gz`; its format
    /// from `options` or from its extension (before the `.gz`).
    pub fn load_file(&self, path: &Path, options: &LoadOptions) -> Result<u64> {
        let name = path.display().to_string();
        let format = match options.format {
            Some(f) => f,
            None => rdf_format_of(path).ok_or_else(|| {
                Error::invalid(
                    "format",
                    format!("{name}: the extension names no RDF format (nq, trig, nt, ttl, rdf, jsonld, n3, each maybe .gz); give one"),
                )
            })?,
        };
        let mut parser = RdfParser::from_format(format);
        if let Some(g) = &options.graph {
            parser = parser.with_default_graph(g.clone());
        }
        if let Some(base) = &options.base {
            parser = parser
                .with_base_iri(base)
                .map_err(|e| Error::invalid("base", format!("`{base}` is not an IRI: {e}")))?;
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let reader = std::io::BufReader::with_capacity(1 << 20, file);
        if name.ends_with(".gz") {
            self.bulk_load(
                flate2::bufread::MultiGzDecoder::new(reader),
                parser,
                &name,
                options.memory_mb,
            )
        } else {
            self.bulk_load(reader, parser, &name, options.memory_mb)
        }
    }

    /// Makes graph writes that do not go through the journal survive power loss: oxigraph
    /// commits a RocksDB write batch to the write-ahead log without fsync (so a commit survives a
    /// process crash but not an OS crash), and flushing the memtables writes and syncs SST files.
    fn flush_graph(&self) -> Result<()> {
        self.graph.flush()
    }
}

/// Quads a bulk-loader thread sorts and writes at a time, unless the caller sets the memory: small
/// enough that the parser and the threads that build files overlap (oxigraph's default, a million
/// a thread, left a 0.74 M-quad file to one thread after the whole parse), large enough to make
/// few files. Chosen on the SciFact and JATS peers' N-Quads (0.38 M and 0.74 M quads, 2 cores:
/// 2.3–3.1 s and 4.6–5.5 s with this, 3.6–4.6 s and 7.0–9.2 s with oxigraph's); on a file not
/// used to choose it (the quads of ACL 2020's ACL, EMNLP and COLING papers, 0.83 M) 4.7–4.8 s
/// against 8.2 s.
pub const BULK_BATCH_QUADS: usize = 250_000;

/// How [`Store::load_file`] reads a file.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The format; `None`: from the file's extension.
    pub format: Option<RdfFormat>,
    /// The graph of the triples outside any named graph; `None`: the default graph.
    pub graph: Option<NamedNode>,
    /// The IRI relative IRIs resolve against (without one, a relative IRI is an error).
    pub base: Option<String>,
    /// About how much memory the bulk loader may take, in MB (see [`Store::bulk_load`]).
    pub memory_mb: Option<usize>,
}

/// The RDF format a file name says (`data.nq`, `data.ttl.gz`), if any.
pub fn rdf_format_of(path: &Path) -> Option<RdfFormat> {
    let name = path.file_name()?.to_str()?;
    let name = name.strip_suffix(".gz").unwrap_or(name);
    RdfFormat::from_extension(name.rsplit_once('.')?.1)
}

fn named(g: &GraphName) -> Option<&NamedNode> {
    match g {
        GraphName::NamedNode(n) => Some(n),
        GraphName::DefaultGraph => None,
    }
}

/// Errors of evaluation are the caller's, except storage failures.
fn update_error(e: UpdateEvaluationError) -> Error {
    match e {
        UpdateEvaluationError::Storage(s) => s.into(),
        other => UserError::SparqlEvaluation(other.to_string()).into(),
    }
}

/// Parses a Graph Store Protocol body: triples only (a TriG or N-Quads body that names a
/// graph is refused, since the request names the one graph it writes). Blank nodes are fresh
/// per document, as two documents never share a blank node.
pub fn parse_graph(body: &[u8], format: RdfFormat, base_iri: Option<&str>) -> Result<Vec<Triple>> {
    let mut parser = RdfParser::from_format(format)
        .rename_blank_nodes()
        .without_named_graphs();
    if let Some(base) = base_iri {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| Error::invalid("graph", format!("`{base}` is not a base IRI: {e}")))?;
    }
    parser
        .for_slice(body)
        .map(|q| {
            q.map(Triple::from)
                .map_err(|e| Error::invalid("body", format!("{} body: {e}", format.name())))
        })
        .collect()
}
