//! The full-text index (tantivy): one document per passage, BM25 over passage text and the
//! paper's title, with fields for filters. The schema is data: `schema/text-schema.json`.

use std::ops::Bound;
use std::path::Path;

use parking_lot::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value};
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
    pub fn search(&self, query: &str, k: usize, filter: &SearchFilter, title_boost: f32) -> Result<Vec<(String, f32)>> {
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.text, f.title]);
        parser.set_field_boost(f.title, title_boost);
        let (parsed, _errors) = parser.parse_query_lenient(query);
        let query = self.filtered(parsed, filter);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(k.max(1)))?;
        top.into_iter()
            .map(|(score, addr)| {
                let d: TantivyDocument = searcher.doc(addr)?;
                Ok((str_of(&d, f.passage), score))
            })
            .collect()
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

/// Rewrites an index of store format 1 (passages without the `version` field) into the current
/// schema, each passage carrying `version_of(paper key)` (its paper's digest in the graph, or
/// an empty string when unknown). The new index is built beside the old one (`text.v2`), then
/// swapped in; [`finish_upgrade`] completes a swap a crash interrupted, and a half-built
/// `text.v2` is built again.
pub(crate) fn upgrade(dir: &Path, version_of: &dyn Fn(&str) -> Result<String>) -> Result<usize> {
    let staged = dir.with_extension("v2");
    finish_upgrade(dir)?;
    let _ = std::fs::remove_dir_all(&staged);
    std::fs::create_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
    let old = Index::open_in_dir(dir)?;
    let schema = schema_in_code();
    let version = schema.get_field("version")?;
    let paper = schema.get_field("paper")?;
    let new = Index::create_in_dir(&staged, schema)?;
    let mut w: IndexWriter = new.writer(WRITER_MEMORY)?;
    let searcher = old.reader()?.searcher();
    let mut versions: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut n = 0;
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(64).map_err(|e| Error::io("text index store", e))?;
        for id in seg.doc_ids_alive() {
            let mut d: TantivyDocument = store.get(id)?;
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
    b.build()
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
