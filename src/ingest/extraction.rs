//! Extracted knowledge as RDF: concepts, their types, claims, results and relations found in a
//! paper's canonical text by `hypatia-extract`, each with its span and provenance.
//!
//! These facts live in the paper's *extraction graph* (`{base}graph/extraction/{key}`), apart
//! from its source facts, so that re-running a newer extractor (`hypatia extract`) replaces
//! exactly them; re-ingesting or deleting the paper replaces or removes both graphs together.
//!
//! **Invariant:** every extracted item carries `hyp:start` / `hyp:end` (characters into the
//! paper's `hyp:canonicalText`), `hyp:exact` equal to that slice,
//! `prov:wasDerivedFrom` the passage it stands in, and `prov:wasGeneratedBy` the extractor's
//! versioned IRI.

use std::collections::BTreeMap;
use std::path::Path;

use hypatia_extract::learned::{Heads, LearnedExtraction, TokenStates};
use hypatia_extract::{ConceptType, Extraction, Lexicon, RelationKind, Span};

use crate::common::error::{Error, Result};
use crate::common::ids::Base;
use crate::common::passages::Passage;
use crate::common::vocab::{hyp, prov, rdf, schema, skos, xsd};
use crate::ingest::facts::{slug_key, Facts};

/// The file in the data folder holding the corpus lexicon `hypatia extract` built.
pub const LEXICON_FILE: &str = "lexicon.json";

/// The least C-value score of a lexicon term, unless the caller says otherwise
/// (`hypatia extract --min-score`, `hypatia eval gaps --min-score`).
pub const LEXICON_MIN_SCORE: f64 = 2.0;

/// The version of the extraction a paper's graph holds: the rules' version, and the learned
/// heads' version (name and weights hash) when they ran.
pub fn extractor_version(heads: Option<&str>) -> String {
    match heads {
        Some(h) => format!("{}+{h}", hypatia_extract::EXTRACTOR_VERSION),
        None => hypatia_extract::EXTRACTOR_VERSION.to_string(),
    }
}

/// The versioned IRI of the extractor that produced a fact.
pub fn extractor_iri(base: &Base, heads: Option<&str>) -> String {
    base.iri(
        "extractor",
        &format!("{}/{}", hypatia_extract::EXTRACTOR_NAME, extractor_version(heads)),
    )
}

/// The IRI of an extracted concept.
pub fn concept_iri(base: &Base, key: &str) -> String {
    base.iri("concept/term", &slug_key(key))
}

/// The local name of a concept type's class in the `hyp:` vocabulary (`Method`, …, `OtherConcept`).
pub fn type_class(t: ConceptType) -> &'static str {
    match t {
        ConceptType::Method => "Method",
        ConceptType::Task => "Task",
        ConceptType::Dataset => "Dataset",
        ConceptType::Metric => "Metric",
        ConceptType::Material => "Material",
        ConceptType::Other => "OtherConcept",
    }
}

/// The class IRI of a concept type.
pub fn type_iri(t: ConceptType) -> String {
    format!("{}{}", hyp::NS, type_class(t))
}

/// The concept type a class IRI names, by its local name; any other IRI is `Other`.
pub fn type_of_iri(iri: &str) -> ConceptType {
    let local = iri.rsplit(['#', '/']).next().unwrap_or(iri);
    ConceptType::ALL
        .into_iter()
        .find(|t| type_class(*t) == local)
        .unwrap_or(ConceptType::Other)
}

/// The property a relation kind asserts between two concepts.
pub fn relation_property(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Uses => hyp::USES,
        RelationKind::EvaluatedOn => hyp::EVALUATED_ON,
        RelationKind::ComparedWith => hyp::COMPARED_WITH,
        RelationKind::ImprovesOn => hyp::IMPROVES_ON,
        RelationKind::PartOf => hyp::PART_OF,
        RelationKind::FeatureOf => hyp::FEATURE_OF,
        RelationKind::Broader => skos::BROADER,
        RelationKind::Conjunction => hyp::CONJUNCTION,
    }
}

/// The corpus lexicon stored in `data_dir`, or an empty one (acronyms and cue patterns still
/// find concepts) when `hypatia extract` has not built one yet.
pub fn load_lexicon(data_dir: &Path) -> Result<Lexicon> {
    let path = data_dir.join(LEXICON_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::invalid(
                "lexicon",
                format!("{}: {e}; delete it and run `hypatia extract`", path.display()),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lexicon::empty()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Writes the lexicon into `data_dir` atomically.
pub fn save_lexicon(data_dir: &Path, lexicon: &Lexicon) -> Result<()> {
    let bytes = serde_json::to_vec(lexicon).map_err(|e| Error::invalid("lexicon", e.to_string()))?;
    crate::store::write_atomically(&data_dir.join(LEXICON_FILE), &bytes)
}

/// The concepts one extraction mentions, each with the label, type and confidence of its most
/// confident mention (the first on ties): what a paper's extraction graph states about each
/// concept (`hyp:mentionsConcept`, `skos:prefLabel`, `hyp:conceptType` unless Other). The gap
/// evaluation reads the same from an extraction it keeps in memory.
pub fn paper_concepts(found: &Extraction) -> BTreeMap<&str, (&str, ConceptType, f32)> {
    let mut concepts: BTreeMap<&str, (&str, ConceptType, f32)> = BTreeMap::new();
    for m in &found.mentions {
        let e = concepts.entry(&m.key).or_insert((&m.label, m.ctype, m.confidence));
        if m.confidence > e.2 {
            *e = (&m.label, m.ctype, m.confidence);
        }
    }
    concepts
}

/// Maps byte offsets of a text to character offsets.
struct CharIndex {
    /// Character count before each byte that starts a character (a byte inside a character:
    /// the same as its start).
    chars_before: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let mut chars_before = vec![0; text.len() + 1];
        let mut n = 0;
        for (b, c) in text.char_indices() {
            // the bytes inside a character count as its start, so the list never decreases
            chars_before[b..b + c.len_utf8()].fill(n);
            n += 1;
        }
        chars_before[text.len()] = n;
        CharIndex { chars_before }
    }

    fn chars(&self, span: Span) -> (usize, usize) {
        (self.chars_before[span.start], self.chars_before[span.end])
    }

    /// The byte where character `c` starts (the text's length for the end).
    fn byte_of(&self, c: usize) -> Option<usize> {
        if c == 0 {
            return Some(0);
        }
        let b = self.chars_before.partition_point(|&n| n < c);
        (b < self.chars_before.len() && self.chars_before[b] == c).then_some(b)
    }
}

/// What extraction found in one paper, as triples for its extraction graph.
pub struct PaperExtraction {
    /// The triples.
    pub triples: Vec<Triple>,
    /// Mentions, claims, results and relations found (for reports and benches).
    pub items: usize,
}

use oxigraph::model::Triple;

/// Runs the rule-based extractor over a paper's canonical text and builds its extraction facts.
pub fn extract_paper(
    base: &Base,
    paper_iri: &str,
    canonical: &str,
    passages: &[Passage],
    lexicon: &Lexicon,
) -> PaperExtraction {
    let found = hypatia_extract::extract(canonical, lexicon);
    render_paper(base, paper_iri, canonical, passages, lexicon, &found, None)
}

/// The extraction facts of `found` (what the extractors found in the paper's canonical text),
/// generated by the rules and, when `heads` names them, the learned heads.
pub fn render_paper(
    base: &Base,
    paper_iri: &str,
    canonical: &str,
    passages: &[Passage],
    lexicon: &Lexicon,
    found: &Extraction,
    heads: Option<&str>,
) -> PaperExtraction {
    let index = CharIndex::new(canonical);
    let mut w = Writer {
        f: Facts::new(),
        base,
        paper_iri,
        canonical,
        passages,
        index,
        agent: extractor_iri(base, heads),
        version: extractor_version(heads),
    };
    let mut items = found.mentions.len() + found.claims.len() + found.results.len() + found.relations.len();
    w.write(found, lexicon);
    items += w.tables(lexicon);
    PaperExtraction {
        triples: w.f.triples,
        items,
    }
}

/// What the learned heads find in a paper, in the coordinates of its canonical text: each
/// passage's token states (from the forward pass that embedded `embedding_text(title, passage)`)
/// give that passage's entities and relations; what falls in the title prefix is dropped (the
/// title passage has its own), and overlapping passages are merged.
pub fn learned_of_passages(
    heads: &Heads,
    canonical: &str,
    title: &str,
    passages: &[Passage],
    states: &[TokenStates],
) -> LearnedExtraction {
    let index = CharIndex::new(canonical);
    let mut parts = Vec::with_capacity(passages.len());
    for (p, st) in passages.iter().zip(states) {
        let text = crate::common::passages::embedding_text(title, p);
        let Some(prefix) = text.len().checked_sub(p.text.len()) else {
            continue;
        };
        let Some(start) = index.byte_of(p.start) else {
            continue;
        };
        if canonical.get(start..start + p.text.len()) != Some(p.text.as_str()) || text[prefix..] != p.text {
            continue;
        }
        let found = heads.extract(&text, st).from_byte(prefix);
        parts.push(found.shifted(start - prefix));
    }
    LearnedExtraction::merge(parts)
}

struct Writer<'a> {
    f: Facts,
    version: String,
    base: &'a Base,
    paper_iri: &'a str,
    canonical: &'a str,
    passages: &'a [Passage],
    index: CharIndex,
    agent: String,
}

impl Writer<'_> {
    fn write(&mut self, found: &Extraction, lexicon: &Lexicon) {
        let agent = self.agent.clone();
        self.f.link(&agent, rdf::TYPE, prov::SOFTWARE_AGENT);
        self.f.text(&agent, schema::NAME, hypatia_extract::EXTRACTOR_NAME);
        let version = self.version.clone();
        self.f.text(&agent, schema::VERSION, &version);
        for (key, (label, ctype, confidence)) in &paper_concepts(found) {
            self.concept(key, label, *ctype, *confidence, lexicon);
        }
        for a in &found.acronyms {
            let c = concept_iri(self.base, &a.key);
            self.f.text(&c, skos::ALT_LABEL, &a.short_text);
            self.f.text(&c, skos::ALT_LABEL, &a.long_text);
        }
        for (i, m) in found.mentions.iter().enumerate() {
            let Some(node) = self.item("mention", i, m.span) else {
                continue;
            };
            self.f.link(&node, rdf::TYPE, hyp::MENTION);
            self.f.link(&node, hyp::CONCEPT, &concept_iri(self.base, &m.key));
            self.f.link(&node, hyp::CONCEPT_TYPE, &type_iri(m.ctype));
        }
        for (i, c) in found.claims.iter().enumerate() {
            let Some(node) = self.item("claim", i, c.span) else {
                continue;
            };
            self.f.link(&node, rdf::TYPE, hyp::CLAIM);
            self.f.link(&node, rdf::TYPE, schema::CLAIM);
            self.f.text(&node, hyp::POLARITY, c.polarity.as_str());
            self.f.typed(&node, hyp::HEDGED, c.hedged, xsd::BOOLEAN);
            self.f.text(&node, hyp::CUE, &c.cue);
            self.f.link(&node, schema::IS_BASED_ON, self.paper_iri);
            for k in &c.concepts {
                self.f.link(&node, schema::ABOUT, &concept_iri(self.base, k));
            }
        }
        for (i, r) in found.results.iter().enumerate() {
            let Some(node) = self.item("result", i, r.span) else {
                continue;
            };
            self.result(
                &node,
                &r.metric,
                r.value,
                r.unit.as_deref(),
                r.method.as_deref(),
                r.dataset.as_deref(),
            );
        }
        for (i, r) in found.relations.iter().enumerate() {
            let (head, tail) = (concept_iri(self.base, &r.head), concept_iri(self.base, &r.tail));
            let property = relation_property(r.kind);
            self.f.link(&head, property, &tail);
            let Some(node) = self.item("relation", i, r.span) else {
                continue;
            };
            self.f.link(&node, rdf::TYPE, hyp::RELATION);
            self.f.link(&node, hyp::HEAD, &head);
            self.f.link(&node, hyp::TAIL, &tail);
            self.f.link(&node, hyp::RELATION_KIND, property);
            self.f.typed(&node, hyp::CONFIDENCE, r.confidence, xsd::DOUBLE);
        }
    }

    /// Results read from the paper's tables (rendered into its canonical text, see
    /// [`crate::common::passages::parse_table`]): each numeric cell under a metric is a `hyp:Result`
    /// whose span is the cell. Returns how many.
    fn tables(&mut self, lexicon: &Lexicon) -> usize {
        let mut regions: Vec<(String, usize, usize)> = Vec::new();
        for p in self.passages {
            if !p.section.starts_with(crate::common::passages::TABLE_SECTION_PREFIX) {
                continue;
            }
            match regions.last_mut() {
                Some((s, _, e)) if *s == p.section => *e = (*e).max(p.end),
                _ => regions.push((p.section.clone(), p.start, p.end)),
            }
        }
        let byte_of = |c: usize| {
            self.canonical
                .char_indices()
                .nth(c)
                .map_or(self.canonical.len(), |(b, _)| b)
        };
        let mut n = 0;
        for (t, (_, start, end)) in regions.iter().enumerate() {
            let table = crate::common::passages::parse_table(self.canonical, byte_of(*start), byte_of(*end));
            let texts = |rows: &[Vec<(String, usize, usize)>]| -> Vec<Vec<String>> {
                rows.iter().map(|r| r.iter().map(|c| c.0.clone()).collect()).collect()
            };
            let found = hypatia_extract::tables::table_results(
                &table.caption,
                &texts(&table.header),
                &texts(&table.rows),
                lexicon,
            );
            for (i, r) in found.iter().enumerate() {
                let Some((_, s, e)) = table.rows.get(r.row).and_then(|row| row.get(r.col)) else {
                    continue;
                };
                let Some(node) = self.item(&format!("table{t}-result"), i, Span::new(*s, *e)) else {
                    continue;
                };
                self.result(
                    &node,
                    &r.metric,
                    r.value,
                    r.unit.as_deref(),
                    r.method.as_deref(),
                    r.dataset.as_deref(),
                );
                n += 1;
            }
        }
        n
    }

    /// The facts of a result node, from running text or a table cell alike.
    fn result(
        &mut self,
        node: &str,
        metric: &str,
        value: f64,
        unit: Option<&str>,
        method: Option<&str>,
        dataset: Option<&str>,
    ) {
        self.f.link(node, rdf::TYPE, hyp::RESULT);
        self.f.text(node, hyp::METRIC, metric);
        self.f.typed(node, hyp::VALUE, value, xsd::DOUBLE);
        self.f.text(node, hyp::UNIT, unit.unwrap_or(""));
        if let Some(m) = method {
            self.f.link(node, hyp::METHOD, &concept_iri(self.base, m));
        }
        if let Some(d) = dataset {
            self.f.link(node, hyp::DATASET, &concept_iri(self.base, d));
        }
    }

    fn concept(&mut self, key: &str, label: &str, ctype: ConceptType, confidence: f32, lexicon: &Lexicon) {
        let c = concept_iri(self.base, key);
        self.f.link(self.paper_iri, hyp::MENTIONS_CONCEPT, &c);
        self.f.link(&c, rdf::TYPE, skos::CONCEPT);
        self.f.link(&c, skos::IN_SCHEME, &self.base.iri("scheme", "extracted"));
        self.f.text(
            &c,
            crate::common::vocab::dcterms::SOURCE,
            hypatia_extract::EXTRACTOR_NAME,
        );
        let term = lexicon.get(key);
        self.f.text(
            &c,
            skos::PREF_LABEL,
            term.map(|t| t.pref_label.as_str()).unwrap_or(label),
        );
        if let Some(t) = term {
            for alt in &t.alt_labels {
                self.f.text(&c, skos::ALT_LABEL, alt);
            }
        }
        if ctype != ConceptType::Other {
            self.f.link(&c, hyp::CONCEPT_TYPE, &type_iri(ctype));
            self.f.typed(&c, hyp::CONFIDENCE, confidence, xsd::DOUBLE);
        }
    }

    /// A node for an extracted item with its span, exact text, passage and provenance; `None`
    /// when the span is not on character boundaries (never served unverifiable).
    fn item(&mut self, kind: &str, i: usize, span: Span) -> Option<String> {
        let exact = self.canonical.get(span.start..span.end)?;
        let (start, end) = self.index.chars(span);
        let passage = self
            .passages
            .iter()
            .find(|p| p.start <= start && end <= p.end)
            .or_else(|| self.passages.iter().find(|p| p.start <= start && start < p.end))?;
        let node = format!("{}#{kind}-{i}", self.base.passage_iri(&passage.key));
        self.f.typed(&node, hyp::START, start, xsd::NON_NEGATIVE_INTEGER);
        self.f.typed(&node, hyp::END, end, xsd::NON_NEGATIVE_INTEGER);
        self.f.text(&node, hyp::EXACT, exact);
        self.f
            .link(&node, prov::WAS_DERIVED_FROM, &self.base.passage_iri(&passage.key));
        self.f.link(&node, prov::WAS_GENERATED_BY, &self.agent);
        Some(node)
    }
}

/// What a re-run of the extractor over the stored corpus did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExtractReport {
    /// Papers re-extracted.
    pub papers: usize,
    /// Terms in the rebuilt corpus lexicon.
    pub lexicon_terms: usize,
    /// Mentions, claims, results and relations found.
    pub items: usize,
    /// Triples written to extraction graphs.
    pub triples: usize,
    /// Wall time building the lexicon (reading every text included).
    pub lexicon_time: std::time::Duration,
    /// Time reading texts and passages for extraction, summed over the threads.
    pub read_time: std::time::Duration,
    /// Time extracting, summed over the threads (reads, embedding and writes excluded).
    pub extract_time: std::time::Duration,
    /// Time in the embedding model for token states (learned extraction only), summed over the
    /// threads.
    pub embed_time: std::time::Duration,
    /// Wall time writing extraction graphs (journal and graph store).
    pub write_time: std::time::Duration,
    /// Threads that read and extracted.
    pub threads: usize,
    /// Wall time.
    pub elapsed: std::time::Duration,
}

/// How [`reextract`] runs.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Papers per journaled write (and per unit of work of a thread).
    pub batch: usize,
    /// Minimum C-value score of a lexicon term.
    pub min_score: f64,
    /// Threads reading and extracting (at least one); the calling thread writes meanwhile.
    pub threads: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            batch: 256,
            min_score: LEXICON_MIN_SCORE,
            threads: crate::common::parallel::cores(),
        }
    }
}

/// One batch's extraction graphs, ready to write, and what finding them took.
struct ExtractedBatch {
    pending: Vec<(String, String)>,
    report: ExtractReport,
}

/// Rebuilds the corpus lexicon over every stored paper, saves it, and replaces every paper's
/// extraction graph with what the current extractor finds, in journaled batches of
/// `options.batch`. Batches are read and extracted on `options.threads` threads while the calling
/// thread writes finished ones (graph writes are serial in the store); the graphs do not depend
/// on the thread count. With `model`, each batch's passages go through the embedding model again
/// for their token states, and the learned heads' findings are combined with the rules' (as at
/// ingest); without it, the graphs hold the rules' findings only. Papers ingested or deleted
/// meanwhile are handled by the store (a deleted paper's extraction is skipped). On an error the
/// batches already written stay written, and a re-run finishes the job.
pub fn reextract(
    store: &crate::store::Store,
    options: &ExtractOptions,
    model: Option<&dyn crate::embed::Embedder>,
) -> Result<ExtractReport> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Instant;
    let started = Instant::now();
    let keys: Vec<String> = store.graph_paper_keys()?.into_iter().collect();
    let threads = options.threads.max(1);
    let mut report = ExtractReport {
        threads,
        ..Default::default()
    };
    let t = Instant::now();
    let lexicon = corpus_lexicon(store, &keys, threads)?.build(options.min_score);
    report.lexicon_terms = lexicon.len();
    report.lexicon_time = t.elapsed();
    save_lexicon(store.dir(), &lexicon)?;
    let heads = Heads::bundled();
    let model = model.filter(|m| heads.fits_model(&m.identity().weights_sha256));
    let batches: Vec<&[String]> = keys.chunks(options.batch.max(1)).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = crossbeam_channel::bounded::<Result<ExtractedBatch>>(threads);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (batches, next, stop, lexicon) = (&batches, &next, &stop, &lexicon);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(batch) = batches.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    if tx.send(extract_batch(store, batch, lexicon, heads, model)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut failed = None;
        for done in rx {
            if failed.is_some() {
                continue;
            }
            let written = done.and_then(|b| {
                let t = Instant::now();
                store.put_extractions(b.pending)?;
                report.write_time += t.elapsed();
                report.add(&b.report);
                Ok(())
            });
            if let Err(e) = written {
                stop.store(true, Ordering::Relaxed);
                failed = Some(e);
            }
        }
        failed.map_or(Ok(()), Err)
    })?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The corpus statistics of these papers' texts, counted on `threads` threads (each reads and
/// counts a contiguous part of `keys`) and merged in order: the same as counting them in order on
/// one thread.
fn corpus_lexicon(
    store: &crate::store::Store,
    keys: &[String],
    threads: usize,
) -> Result<hypatia_extract::LexiconBuilder> {
    let parts = crate::common::parallel::map_parts(keys, threads, |part| -> Result<_> {
        let mut b = hypatia_extract::LexiconBuilder::new();
        for key in part {
            if let Some((_, text)) = store.canonical_text(key)? {
                b.add_text(&text);
            }
        }
        Ok(b)
    });
    let mut parts = parts.into_iter();
    let mut whole = parts.next().transpose()?.unwrap_or_default();
    for p in parts {
        whole.merge(p?);
    }
    Ok(whole)
}

impl ExtractReport {
    /// Adds a batch's counts and per-thread times.
    fn add(&mut self, b: &ExtractReport) {
        self.papers += b.papers;
        self.items += b.items;
        self.triples += b.triples;
        self.read_time += b.read_time;
        self.extract_time += b.extract_time;
        self.embed_time += b.embed_time;
    }
}

/// Reads one batch of papers and renders their extraction graphs (rules, and the learned heads
/// when `model` is given).
fn extract_batch(
    store: &crate::store::Store,
    keys: &[String],
    lexicon: &Lexicon,
    heads: &Heads,
    model: Option<&dyn crate::embed::Embedder>,
) -> Result<ExtractedBatch> {
    use std::time::Instant;
    let mut report = ExtractReport::default();
    let t = Instant::now();
    let mut papers = Vec::with_capacity(keys.len());
    for key in keys {
        let Some((iri, text)) = store.canonical_text(key)? else {
            continue;
        };
        let passages = store
            .text()
            .passages_of(key)?
            .into_iter()
            .map(|p| p.into_passage())
            .collect::<Vec<_>>();
        let title = passages
            .iter()
            .find(|p| p.section == crate::common::passages::TITLE)
            .map(|p| p.text.clone())
            .unwrap_or_default();
        papers.push((key, iri, text, passages, title));
    }
    report.read_time = t.elapsed();
    let mut states: Vec<TokenStates> = Vec::new();
    if let Some(model) = model {
        let t = Instant::now();
        let texts: Vec<String> = papers
            .iter()
            .flat_map(|(_, _, _, passages, title)| {
                passages
                    .iter()
                    .map(|p| crate::common::passages::embedding_text(title, p))
            })
            .collect();
        states = model.embed_with_states(&texts)?.into_iter().map(|(_, s)| s).collect();
        report.embed_time = t.elapsed();
    }
    let learned = states.iter().any(|s| s.dim == heads.dim());
    let mut states = states.into_iter();
    let mut pending = Vec::with_capacity(papers.len());
    let t = Instant::now();
    for (key, iri, text, passages, title) in &papers {
        let rules = hypatia_extract::extract(text, lexicon);
        let found = if learned {
            let st: Vec<TokenStates> = states.by_ref().take(passages.len()).collect();
            let l = learned_of_passages(heads, text, title, passages, &st);
            hypatia_extract::learned::combine(text, &rules, &l)
        } else {
            rules
        };
        let version = learned.then(|| heads.version());
        let found = render_paper(store.base(), iri, text, passages, lexicon, &found, version);
        report.items += found.items;
        report.triples += found.triples.len();
        report.papers += 1;
        pending.push((
            (*key).clone(),
            found.triples.iter().map(|t| format!("{t} .\n")).collect::<String>(),
        ));
    }
    report.extract_time = t.elapsed();
    Ok(ExtractedBatch { pending, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_index_counts_characters() {
        let t = "é a β";
        let idx = CharIndex::new(t);
        let b = t.find('β').unwrap();
        assert_eq!(idx.chars(Span::new(b, t.len())), (4, 5));
    }
}
