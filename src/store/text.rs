//! The full-text index (tantivy): one document per passage, BM25 over passage text and the
//! paper's title, with fields for filters. The schema is data: `schema/text-schema.json`.

use std::ops::Bound;
use std::path::Path;

use parking_lot::Mutex;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value};
use tantivy::tokenizer::TokenStream;
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::{PaperDoc, SearchFilter, StoredPassage};
use crate::common::error::{Error, Result};

/// The schema file, in tantivy's own JSON form.
const SCHEMA_JSON: &str = include_str!("../../schema/text-schema.json");
/// Memory the index writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 << 20;

/// Field handles of the schema.
#[derive(Clone, Copy)]
struct Fields {
    passage: Field,
    paper: Field,
    paper_iri: Field,
    section: Field,
    ordinal: Field,
    start: Field,
    end: Field,
    hash: Field,
    text: Field,
    title: Field,
    year: Field,
    venue: Field,
    version: Field,
    key_owner: Field,
    key_tail: Field,
}

impl Fields {
    fn of(schema: &Schema) -> Result<Self> {
        let f = |name: &str| schema.get_field(name).map_err(Error::from);
        Ok(Fields {
            passage: f("passage")?,
            paper: f("paper")?,
            paper_iri: f("paper_iri")?,
            section: f("section")?,
            ordinal: f("ordinal")?,
            start: f("start")?,
            end: f("end")?,
            hash: f("hash")?,
            text: f("text")?,
            title: f("title")?,
            year: f("year")?,
            venue: f("venue")?,
            version: f("version")?,
            key_owner: f("key_owner")?,
            key_tail: f("key_tail")?,
        })
    }
}

/// The passage index.
pub struct TextIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl TextIndex {
    /// Opens or creates the index in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let schema: Schema =
            serde_json::from_str(SCHEMA_JSON).map_err(|e| Error::invalid("schema/text-schema.json", e.to_string()))?;
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| Error::io(dir, std::io::Error::other(e.to_string())))?;
        let index = Index::open_or_create(mmap, schema.clone())?;
        let fields = Fields::of(&index.schema())?;
        let writer = index.writer(WRITER_MEMORY)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(TextIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// Replaces the passages of these papers and commits. Idempotent.
    ///
    /// Public for `benches/latency.rs`, which builds a large index without the journal and
    /// the graph; everything else writes through [`super::Store`], which keeps the three
    /// indexes consistent.
    pub fn put(&self, docs: &[PaperDoc]) -> Result<()> {
        let f = self.fields;
        let mut w = self.writer.lock();
        for d in docs {
            w.delete_term(Term::from_field_text(f.paper, &d.key));
            for p in &d.passages {
                let (owner, tail) = key_numbers(&p.key);
                w.add_document(doc!(
                    f.passage => p.key.as_str(),
                    f.paper => d.key.as_str(),
                    f.paper_iri => d.iri.as_str(),
                    f.section => p.section.as_str(),
                    f.ordinal => p.ordinal as u64,
                    f.start => p.start as u64,
                    f.end => p.end as u64,
                    f.hash => p.hash.as_str(),
                    f.text => p.text.as_str(),
                    f.title => d.title.as_str(),
                    f.year => i64::from(d.year.unwrap_or(i32::MIN)),
                    f.venue => d.venue.as_deref().unwrap_or(""),
                    f.version => d.digest.as_str(),
                    f.key_owner => owner,
                    f.key_tail => tail,
                ))?;
            }
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes the passages of these papers and commits. Idempotent.
    pub(crate) fn delete(&self, paper_keys: &[String]) -> Result<()> {
        let mut w = self.writer.lock();
        for k in paper_keys {
            w.delete_term(Term::from_field_text(self.fields.paper, k));
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Copies the last committed state (meta files and the segment files they list) into
    /// `target`. Segment files never change once written; a merge may delete one while we copy,
    /// in which case the copy starts again from the newer commit.
    pub(crate) fn backup(&self, source: &Path, target: &Path) -> Result<()> {
        let mut last_err = None;
        for _ in 0..3 {
            let _ = std::fs::remove_dir_all(target);
            std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
            match self.copy_committed(source, target) {
                Ok(()) => return Ok(()),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| Error::io(target, std::io::Error::other("text backup failed"))))
    }

    fn copy_committed(&self, source: &Path, target: &Path) -> Result<()> {
        let metas = self.index.searchable_segment_metas()?;
        // `.managed.json` (tantivy's list of files to garbage-collect) is left out: tantivy
        // starts a fresh one.
        let mut files: Vec<std::path::PathBuf> = vec!["meta.json".into()];
        for m in &metas {
            // `list_files` names a delete file for every segment; it exists only when the
            // segment has deletes.
            files.extend(
                m.list_files()
                    .into_iter()
                    .filter(|f| m.has_deletes() || f.extension().is_none_or(|e| e != "del")),
            );
        }
        for f in files {
            let (from, to) = (source.join(&f), target.join(&f));
            std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
        Ok(())
    }

    /// BM25 search over passage text and the paper's title (weighted by `title_boost`); returns
    /// passage keys with scores, best first.
    ///
    /// The query is plain text, not a query language: the terms the fields' analyzer makes of
    /// it (see [`TextIndex::terms_query`]). Punctuation, `field:`, `+`, `-` and quotes carry no
    /// meaning; a hyphenated word is its parts.
    pub fn search(&self, query: &str, k: usize, filter: &SearchFilter, title_boost: f32) -> Result<Vec<(String, f32)>> {
        let Some(terms) = self.terms_query(query, title_boost)? else {
            return Ok(Vec::new());
        };
        let query = self.filtered(terms, filter);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(k.max(1)))?;
        // Keys from the two key columns, not the document store: a stored document is a block
        // to decompress per hit (and a string column a dictionary block), and fusion needs only
        // the key.
        let f = self.fields;
        let mut columns: std::collections::HashMap<u32, [Column<u64>; 2]> = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let [owner, tail] = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
                    e.insert([fast.u64("key_owner")?, fast.u64("key_tail")?])
                }
            };
            let numbers = owner.first(addr.doc_id).zip(tail.first(addr.doc_id));
            let key = match numbers.and_then(crate::common::ids::passage_key_of_numbers) {
                Some(key) => key,
                // A key not in canonical form: from the stored document.
                None => str_of(&searcher.doc::<TantivyDocument>(addr)?, f.passage),
            };
            out.push((key, score));
        }
        Ok(out)
    }

    /// One flat disjunction of term queries: each distinct term of `query` (as the `en_stem`
    /// analyzer of the text and title fields makes it) in the passage text, and in the title
    /// weighted by `title_boost`; a term said n times weighs n times. Flat and made of term
    /// queries only, so that tantivy's top-k collector prunes it by block-max WAND instead of
    /// scoring every posting of every term (a nested disjunction per term, as a query parser
    /// over two fields builds, is scored exhaustively). None when the text has no term.
    fn terms_query(&self, query: &str, title_boost: f32) -> Result<Option<Box<dyn Query>>> {
        let f = self.fields;
        let mut analyzer = self.index.tokenizer_for_field(f.text)?;
        let mut counts: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
        let mut stream = analyzer.token_stream(query);
        while let Some(token) = stream.next() {
            *counts.entry(token.text.clone()).or_default() += 1;
        }
        if counts.is_empty() {
            return Ok(None);
        }
        let term_query = |field: Field, term: &str, weight: f32| -> (Occur, Box<dyn Query>) {
            let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
            let q: Box<dyn Query> = if weight == 1.0 {
                Box::new(q)
            } else {
                Box::new(BoostQuery::new(Box::new(q), weight))
            };
            (Occur::Should, q)
        };
        let mut clauses = Vec::with_capacity(counts.len() * 2);
        for (term, n) in &counts {
            let n = *n as f32;
            clauses.push(term_query(f.text, term, n));
            if title_boost > 0.0 {
                clauses.push(term_query(f.title, term, title_boost * n));
            }
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    fn filtered(&self, q: Box<dyn Query>, filter: &SearchFilter) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, q)];
        if filter.year_from.is_some() || filter.year_to.is_some() {
            let lo = filter.year_from.map_or(
                Bound::Included(Term::from_field_i64(f.year, i64::from(i32::MIN) + 1)),
                |y| Bound::Included(Term::from_field_i64(f.year, i64::from(y))),
            );
            let hi = filter.year_to.map_or(Bound::Unbounded, |y| {
                Bound::Included(Term::from_field_i64(f.year, i64::from(y)))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        if let Some(s) = &filter.section {
            let t = Term::from_field_text(f.section, s);
            clauses.push((Occur::Must, Box::new(TermQuery::new(t, IndexRecordOption::Basic))));
        }
        if let Some(v) = &filter.venue {
            let t = Term::from_field_text(f.venue, v);
            clauses.push((Occur::Must, Box::new(TermQuery::new(t, IndexRecordOption::Basic))));
        }
        if clauses.len() == 1 {
            clauses
                .pop()
                .map(|(_, q)| q)
                .unwrap_or_else(|| Box::new(BooleanQuery::new(vec![])))
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    /// The stored passages with these keys (missing keys are skipped).
    pub fn passages(&self, keys: &[String]) -> Result<Vec<StoredPassage>> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let q = TermQuery::new(Term::from_field_text(f.passage, key), IndexRecordOption::Basic);
            if let Some((_, addr)) = searcher.search(&q, &TopDocs::with_limit(1))?.into_iter().next() {
                let d: TantivyDocument = searcher.doc(addr)?;
                out.push(self.stored(&d));
            }
        }
        Ok(out)
    }

    /// All stored passages of one paper, in order.
    pub fn passages_of(&self, paper_key: &str) -> Result<Vec<StoredPassage>> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_text(f.paper, paper_key), IndexRecordOption::Basic);
        let n = searcher.search(&q, &tantivy::collector::Count)?;
        let mut out: Vec<StoredPassage> = searcher
            .search(&q, &TopDocs::with_limit(n.max(1)))?
            .into_iter()
            .map(|(_, addr)| searcher.doc::<TantivyDocument>(addr).map(|d| self.stored(&d)))
            .collect::<tantivy::Result<_>>()?;
        out.sort_by_key(|p| p.ordinal);
        Ok(out)
    }

    /// Merges every searchable segment into one and waits for it (after a bulk load: each
    /// segment is searched on its own, and block-max WAND prunes best in one large segment).
    /// Returns the number of segments before. Writes go on while it runs: the writer is held
    /// only to start the merge, and deletes committed meanwhile are carried into its result.
    /// A segment the merge policy is merging in the background cannot join another merge: the
    /// merge is tried again (with the segments as they are then) until those merges end.
    pub fn merge_segments(&self) -> Result<usize> {
        const PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);
        let started = std::time::Instant::now();
        loop {
            let ids = self.index.searchable_segment_ids()?;
            if ids.len() <= 1 {
                return Ok(ids.len());
            }
            let merging = self.writer.lock().merge(&ids);
            match merging.wait() {
                Ok(_) => {
                    self.reader.reload()?;
                    return Ok(ids.len());
                }
                // tantivy refuses to start a merge of segments already in one this way; any
                // other failure is the merge's own.
                Err(e @ tantivy::TantivyError::InvalidArgument(_)) if started.elapsed() < PATIENCE => {
                    tracing::debug!(error = %e, "text merge not started; retrying");
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Number of searchable segments (each is searched on its own: fewer is faster).
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Number of live passages, without reading any document.
    pub fn num_passages(&self) -> usize {
        self.reader.searcher().num_docs() as usize
    }

    /// Distinct paper keys and the number of passages in the index (reads every document:
    /// for consistency checks, not for hot paths).
    pub fn paper_keys(&self) -> Result<(std::collections::BTreeSet<String>, usize)> {
        let searcher = self.reader.searcher();
        let mut papers = std::collections::BTreeSet::new();
        let mut passages = 0;
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(64).map_err(|e| Error::io("text index store", e))?;
            for id in seg.doc_ids_alive() {
                let d: TantivyDocument = store.get(id)?;
                papers.insert(str_of(&d, self.fields.paper));
                passages += 1;
            }
        }
        Ok((papers, passages))
    }

    fn stored(&self, d: &TantivyDocument) -> StoredPassage {
        let f = self.fields;
        let u = |field| d.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let year = d
            .get_first(f.year)
            .and_then(|v| v.as_i64())
            .filter(|y| *y != i64::from(i32::MIN));
        StoredPassage {
            key: str_of(d, f.passage),
            paper_key: str_of(d, f.paper),
            paper_iri: str_of(d, f.paper_iri),
            section: str_of(d, f.section),
            ordinal: u(f.ordinal),
            start: u(f.start),
            end: u(f.end),
            hash: str_of(d, f.hash),
            text: str_of(d, f.text),
            year: year.and_then(|y| i32::try_from(y).ok()),
            venue: Some(str_of(d, f.venue)).filter(|v| !v.is_empty()),
            title: str_of(d, f.title),
            version: str_of(d, f.version),
        }
    }
}

/// Rewrites an index of an older store format into the current schema from its stored
/// documents: format 1 passages (without the `version` field) gain `version_of(paper key)`, their
/// paper's digest in the graph or an empty string when unknown; passages of both gain the two
/// key columns (format 3). The new index is built beside the old one (`text.v2`), then
/// swapped in; [`finish_upgrade`] completes a swap a crash interrupted (the old index moved aside
/// as `text.v1`), and a half-built `text.v2` is built again.
pub(crate) fn upgrade(dir: &Path, version_of: &dyn Fn(&str) -> Result<String>) -> Result<usize> {
    let staged = dir.with_extension("v2");
    finish_upgrade(dir)?;
    let _ = std::fs::remove_dir_all(&staged);
    std::fs::create_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
    let old = Index::open_in_dir(dir)?;
    let schema = schema_in_code();
    let version = schema.get_field("version")?;
    let paper = schema.get_field("paper")?;
    let versioned = old.schema().get_field("version").is_ok();
    let (key_owner, key_tail) = (schema.get_field("key_owner")?, schema.get_field("key_tail")?);
    let passage = schema.get_field("passage")?;
    let new = Index::create_in_dir(&staged, schema)?;
    let mut w: IndexWriter = new.writer(WRITER_MEMORY)?;
    let searcher = old.reader()?.searcher();
    let mut versions: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut n = 0;
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(64).map_err(|e| Error::io("text index store", e))?;
        for id in seg.doc_ids_alive() {
            let mut d: TantivyDocument = store.get(id)?;
            if !versioned {
                let key = str_of(&d, paper);
                let v = match versions.get(&key) {
                    Some(v) => v.clone(),
                    None => {
                        let v = version_of(&key)?;
                        versions.insert(key, v.clone());
                        v
                    }
                };
                d.add_text(version, &v);
            }
            let (owner, tail) = key_numbers(&str_of(&d, passage));
            d.add_u64(key_owner, owner);
            d.add_u64(key_tail, tail);
            w.add_document(d)?;
            n += 1;
        }
    }
    w.commit()?;
    w.wait_merging_threads()?;
    let old_dir = dir.with_extension("v1");
    std::fs::rename(dir, &old_dir).map_err(|e| Error::io(dir, e))?;
    finish_upgrade(dir)?;
    Ok(n)
}

/// Completes an interrupted swap of an upgraded index: `text.v1` is the old index moved aside,
/// `text.v2` the new one not yet moved in.
pub(crate) fn finish_upgrade(dir: &Path) -> Result<()> {
    let (old, staged) = (dir.with_extension("v1"), dir.with_extension("v2"));
    if !old.exists() {
        return Ok(());
    }
    if !dir.exists() {
        std::fs::rename(&staged, dir).map_err(|e| Error::io(&staged, e))?;
    }
    std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    Ok(())
}

/// The schema `schema/text-schema.json` holds, built in code: a test checks that the file is
/// this schema, so the data file and the field handles above cannot drift apart.
pub fn schema_in_code() -> Schema {
    use tantivy::schema::{NumericOptions, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING};
    let mut b = Schema::builder();
    let english = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    b.add_text_field("passage", STRING | STORED);
    b.add_text_field("paper", STRING | STORED);
    b.add_text_field("paper_iri", TextOptions::default().set_stored());
    b.add_text_field("section", STRING | STORED);
    b.add_u64_field("ordinal", NumericOptions::default().set_stored());
    b.add_u64_field("start", NumericOptions::default().set_stored());
    b.add_u64_field("end", NumericOptions::default().set_stored());
    b.add_text_field("hash", TextOptions::default().set_stored());
    b.add_text_field("text", english.clone());
    b.add_text_field("title", english);
    b.add_i64_field("year", INDEXED | FAST | STORED);
    b.add_text_field("venue", STRING | STORED);
    // Last, so that the fields of indexes written before it keep their ids (see `upgrade`).
    b.add_text_field("version", TextOptions::default().set_stored());
    // The passage key as two numbers (`ids::passage_key_numbers`), read per hit by search
    // (store format 3); after `version` for the same reason.
    b.add_u64_field("key_owner", FAST);
    b.add_u64_field("key_tail", FAST);
    b.build()
}

/// The key columns' values of a passage key; a key not in canonical form gets numbers that
/// decode to nothing (search then reads it from the stored document).
fn key_numbers(key: &str) -> (u64, u64) {
    crate::common::ids::passage_key_numbers(key).unwrap_or((0, u64::MAX))
}

fn str_of(d: &TantivyDocument, field: Field) -> String {
    d.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::passages::Passage;

    fn paper(key: &str, title: &str, texts: &[&str]) -> PaperDoc {
        PaperDoc {
            key: key.into(),
            iri: format!("https://example.org/{key}"),
            title: title.into(),
            year: Some(2020),
            venue: None,
            passages: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Passage {
                    key: format!("{key}-{i}"),
                    ordinal: i,
                    section: "abstract".into(),
                    text: (*t).into(),
                    start: 0,
                    end: t.chars().count(),
                    hash: String::new(),
                })
                .collect(),
            vectors: Vec::new(),
            ntriples: String::new(),
            extraction: String::new(),
            digest: format!("digest-of-{key}"),
        }
    }

    fn keys(hits: &[(String, f32)]) -> Vec<&str> {
        hits.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn search_ranks_by_the_terms_of_plain_text() {
        let dir = tempfile::tempdir().unwrap();
        let index = TextIndex::open(dir.path()).unwrap();
        index
            .put(&[
                paper(
                    "a",
                    "Vitamin D and bones",
                    &["Vitamin D supplementation reduces fracture risk in the elderly."],
                ),
                paper(
                    "b",
                    "Interleukins",
                    &["IL-6 levels rise after exercise.", "Nothing about vitamins here."],
                ),
                paper("c", "Unrelated", &["The weather was cold."]),
                paper("d", "Unrelated", &["The winter was mild."]),
                paper("00000000000000ff", "Tides", &["Ocean tides follow the moon."]),
            ])
            .unwrap();
        let f = SearchFilter::default();
        let hits = index
            .search("Does vitamin D reduce fracture risk?", 10, &f, 0.05)
            .unwrap();
        assert_eq!(keys(&hits)[0], "a-0");
        assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
        // Query-language characters are text: no field, no negation, no phrase needed.
        let hits = index.search("-exercise title:IL-6 \"levels", 10, &f, 0.05).unwrap();
        assert_eq!(keys(&hits), ["b-0"]);
        assert!(index.search("?? --", 10, &f, 0.05).unwrap().is_empty());
        // A repeated term weighs more.
        assert_eq!(
            keys(&index.search("weather weather mild", 10, &f, 0.0).unwrap()),
            ["c-0", "d-0"]
        );
        assert_eq!(
            keys(&index.search("weather mild mild", 10, &f, 0.0).unwrap()),
            ["d-0", "c-0"]
        );
        // The title counts, weighted.
        let titled = index.search("interleukins", 10, &f, 0.5).unwrap();
        let mut hits = keys(&titled);
        hits.sort();
        assert_eq!(hits, ["b-0", "b-1"]);
        assert!(index.search("interleukins", 10, &f, 0.0).unwrap().is_empty());
        // Keys in canonical form come from the key columns, others from the stored document.
        assert_eq!(
            keys(&index.search("tides moon", 10, &f, 0.05).unwrap()),
            ["00000000000000ff-0"]
        );
    }

    #[test]
    fn segments_merge_into_one_and_search_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let index = TextIndex::open(dir.path()).unwrap();
        for (i, text) in [
            "Vitamin D and bone density.",
            "Exercise raises IL-6.",
            "Tides follow the moon.",
        ]
        .iter()
        .enumerate()
        {
            index.put(&[paper(&format!("{i:016x}"), "T", &[text])]).unwrap();
        }
        let f = SearchFilter::default();
        let before = index.search("vitamin exercise moon", 10, &f, 0.05).unwrap();
        let segments = index.num_segments();
        assert_eq!(index.merge_segments().unwrap(), segments);
        assert_eq!(index.num_segments(), 1);
        let mut after = index.search("vitamin exercise moon", 10, &f, 0.05).unwrap();
        let mut before = before;
        before.sort_by(|a, b| a.0.cmp(&b.0));
        after.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(keys(&before), keys(&after));
        assert_eq!(after.len(), 3);
    }

    /// The schema of store format 1 (no `version`, no key column) or 2 (no key column).
    fn older_schema(format: u32) -> Schema {
        let mut b = Schema::builder();
        for entry in schema_in_code().fields() {
            let (_, field) = entry;
            if (field.name() == "version" && format < 2) || field.name().starts_with("key_") {
                continue;
            }
            if field.name() == "passage" {
                b.add_text_field("passage", tantivy::schema::STRING | tantivy::schema::STORED);
                continue;
            }
            b.add_field(field.clone());
        }
        b.build()
    }

    #[test]
    fn older_formats_upgrade_in_place() {
        for format in [1, 2] {
            let dir = tempfile::tempdir().unwrap();
            let text = dir.path().join("text");
            {
                // Written by the current code, then copied into the older schema.
                let current = tempfile::tempdir().unwrap();
                let index = TextIndex::open(current.path()).unwrap();
                index
                    .put(&[
                        paper("a", "Vitamin D", &["Vitamin D reduces fractures.", "In the elderly."]),
                        paper("00000000000000bb", "Exercise", &["IL-6 rises after exercise."]),
                    ])
                    .unwrap();
                std::fs::create_dir_all(&text).unwrap();
                let schema = older_schema(format);
                let old = Index::create_in_dir(&text, schema.clone()).unwrap();
                let mut w: IndexWriter = old.writer(WRITER_MEMORY).unwrap();
                let searcher = index.reader.searcher();
                for seg in searcher.segment_readers() {
                    let store = seg.get_store_reader(4).unwrap();
                    for id in seg.doc_ids_alive() {
                        let d: TantivyDocument = store.get(id).unwrap();
                        let mut copy = TantivyDocument::new();
                        for (field, value) in d.field_values() {
                            let name = schema_in_code().get_field_name(field).to_string();
                            if (name == "version" && format < 2) || name.starts_with("key_") {
                                continue;
                            }
                            copy.add_field_value(field, value);
                        }
                        w.add_document(copy).unwrap();
                    }
                }
                w.commit().unwrap();
            }
            assert!(
                TextIndex::open(&text).is_err(),
                "format {format}: the old schema is refused as it is"
            );
            let n = upgrade(&text, &|key| Ok(format!("found-{key}"))).unwrap();
            assert_eq!(n, 3);
            assert!(!dir.path().join("text.v1").exists() && !dir.path().join("text.v2").exists());
            let index = TextIndex::open(&text).unwrap();
            let hits = index
                .search("vitamin fractures", 10, &SearchFilter::default(), 0.05)
                .unwrap();
            assert_eq!(keys(&hits), ["a-0", "a-1"], "format {format}");
            let stored = index.passages(&["a-0".to_string()]).unwrap();
            let want = if format < 2 { "found-a" } else { "digest-of-a" };
            assert_eq!(stored[0].version, want, "format {format}: versions kept or found");
            assert_eq!(stored[0].text, "Vitamin D reduces fractures.");
            let hits = index.search("exercise", 10, &SearchFilter::default(), 0.05).unwrap();
            assert_eq!(
                keys(&hits),
                ["00000000000000bb-0"],
                "format {format}: key columns filled"
            );
        }
    }

    #[test]
    fn schema_file_is_the_schema_in_code() {
        let file: Schema = serde_json::from_str(SCHEMA_JSON).unwrap();
        let code = schema_in_code();
        assert_eq!(
            serde_json::to_value(&file).unwrap(),
            serde_json::to_value(&code).unwrap(),
            "regenerate schema/text-schema.json from schema_in_code():\n{}",
            serde_json::to_string_pretty(&code).unwrap()
        );
    }
}
