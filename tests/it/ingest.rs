//! Ingest through the store: every format on real fixtures, re-ingest, delete, bad input.

use std::collections::BTreeMap;

use hypatia::embed::Embedder;

use super::common::{fixtures, hash_embedder, ingest, reopen, temp_store};

fn count(store: &hypatia::store::Store, query: &str) -> usize {
    let oxigraph::sparql::QueryResults::Solutions(mut s) = store.graph().query(query, &[], &[]).unwrap() else {
        panic!()
    };
    let row = s.next().unwrap().unwrap();
    hypatia::store::queries::lexical(row.get("n").unwrap()).parse().unwrap()
}

const PAPERS_BY_FORMAT: &str = "PREFIX hyp: <https://w3id.org/hypatia/ns#>
SELECT ?f (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p hyp:sourceFormat ?f } GROUP BY ?f";

fn papers_by_format(store: &hypatia::store::Store) -> BTreeMap<String, usize> {
    let oxigraph::sparql::QueryResults::Solutions(s) = store.graph().query(PAPERS_BY_FORMAT, &[], &[]).unwrap() else {
        panic!()
    };
    s.map(|r| {
        let r = r.unwrap();
        (
            hypatia::store::queries::lexical(r.get("f").unwrap()),
            hypatia::store::queries::lexical(r.get("n").unwrap()).parse().unwrap(),
        )
    })
    .collect()
}

#[test]
fn every_format_ingests_from_real_fixtures() {
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    let report = ingest(&store, &e, &[fixtures().join("papers")]);
    // The one failure is real: an upstream MEDLINE file that stops mid-tag.
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let f = &report.failures[0];
    assert!(
        f.source.ends_with("pubmed-29768149.xml") && f.location.byte.is_some(),
        "{f:?}"
    );
    let by_format = papers_by_format(&store);
    // The PDF fixture was made from one of the PLOS articles and prints its DOI: one paper, and
    // its text stays the JATS record's (structured full text outranks a PDF's, however long).
    // Six JATS articles: four PLOS (one of them a retraction notice) and two PMC.
    assert_eq!(by_format.get("jats"), Some(&6), "{by_format:?}");
    assert_eq!(by_format.get("pdf"), None, "{by_format:?}");
    assert_eq!(
        by_format.get("markdown"),
        Some(&2),
        "SOURCE.md files are not papers: {by_format:?}"
    );
    assert_eq!(by_format.get("arxiv"), Some(&21), "{by_format:?}");
    assert!(by_format.get("beir").is_some_and(|n| *n >= 20), "{by_format:?}");
    for format in ["tei", "openalex", "medline", "bibtex", "acl", "s2orc"] {
        assert!(by_format.get(format).is_some_and(|n| *n > 0), "{format}: {by_format:?}");
    }
    let mesh = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?p <http://schema.org/about> ?c . ?c skos:exactMatch ?m
        FILTER(STRSTARTS(STR(?m), \"http://id.nlm.nih.gov/mesh/\")) }";
    assert!(
        count(&store, mesh) > 10,
        "MeSH headings become SKOS concepts matched to MeSH IRIs"
    );
    let stats = store.stats().unwrap();
    // The GROBID TEI and S2ORC fixtures both hold "Construction of the Literature Graph in
    // Semantic Scholar" (N18-3011) without a DOI: same title, first author and year, so one
    // paper, written twice. Likewise the PDF and JATS records of PLOS ONE pone.0146913.
    assert_eq!(stats.papers, report.papers - 2, "N18-3011 twice, pone.0146913 twice");
    assert!(store.check_consistency().unwrap().is_consistent());
    // A JATS paper keeps its body sections as passages with their headings, and its DOI IRI.
    let q = "PREFIX hyp: <https://w3id.org/hypatia/ns#>
        SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?passage hyp:passageOf ?p ; hyp:section ?s . ?p hyp:sourceFormat \"jats\" .
        FILTER(?s != \"title\" && ?s != \"abstract\") }";
    assert!(count(&store, q) > 10, "body section headings become passage sections");
    let refs = "PREFIX schema: <http://schema.org/> SELECT (COUNT(*) AS ?n) WHERE { ?p schema:citation ?r }";
    assert!(count(&store, refs) > 50, "JATS references become bibliography entries");
    let doi = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <http://schema.org/ScholarlyArticle> FILTER(STRSTARTS(STR(?p), \"https://doi.org/10.1371/\")) }";
    assert!(count(&store, doi) >= 3, "PLOS papers are named by their DOI");
}

#[test]
fn re_ingesting_leaves_counts_unchanged() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let paths = [fixtures().join("papers/arxiv"), fixtures().join("papers/jats")];
    let first = ingest(&store, &e, &paths);
    let before = store.stats().unwrap();
    let second = ingest(&store, &e, &paths);
    assert_eq!(
        second.unchanged, first.papers,
        "identical papers are skipped, not re-embedded"
    );
    assert_eq!(second.papers, 0);
    assert_eq!(store.stats().unwrap(), before);
    drop(store);
    let store = reopen(&dir, e.identity());
    assert_eq!(store.stats().unwrap(), before, "reopening changes nothing");
    assert!(store.check_consistency().unwrap().is_consistent());
}

#[test]
fn delete_removes_a_paper_from_all_three_indexes() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    ingest(&store, &e, &[fixtures().join("papers/jats")]);
    let before = store.stats().unwrap();
    let victim = hypatia::common::ids::paper_key("https://doi.org/10.1371/journal.pbio.1001044");
    assert!(store.has_paper(&victim).unwrap());
    let passages = store.text().passages_of(&victim).unwrap();
    assert!(!passages.is_empty());
    assert_eq!(store.delete_papers(std::slice::from_ref(&victim)).unwrap(), 1);
    let after = store.stats().unwrap();
    assert_eq!(after.papers, before.papers - 1);
    assert_eq!(after.passages, before.passages - passages.len());
    assert_eq!(after.vectors, before.vectors - passages.len());
    assert!(store.text().passages_of(&victim).unwrap().is_empty());
    assert!(!store.vectors().live_keys().iter().any(|k| k.starts_with(&victim)));
    assert!(!store.has_paper(&victim).unwrap());
    let hits = store
        .text()
        .search(&passages[0].text, 50, &Default::default(), 1.0)
        .unwrap();
    assert!(hits.iter().all(|(k, _)| !k.starts_with(&victim)));
    assert_eq!(
        store.delete_papers(std::slice::from_ref(&victim)).unwrap(),
        0,
        "deleting twice is harmless"
    );
    drop(store);
    let store = reopen(&dir, e.identity());
    assert_eq!(store.stats().unwrap(), after);
}

#[test]
fn a_malformed_file_is_reported_with_its_location_and_the_rest_is_stored() {
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    let good =
        std::fs::read_to_string(fixtures().join("papers/arxiv/arxiv-metadata-oai-snapshot.sample.jsonl")).unwrap();
    let mut lines: Vec<&str> = good.lines().take(5).collect();
    lines.insert(2, "{\"id\": \"0704.9999\", \"title\": \"cut off here");
    std::fs::write(input.join("arxiv.jsonl"), lines.join("\n")).unwrap();
    std::fs::write(
        input.join("broken.xml"),
        "<?xml version=\"1.0\"?>\n<article><front><article-meta><title-group>",
    )
    .unwrap();
    let report = ingest(&store, &e, &[input]);
    assert_eq!(report.papers, 5, "{report:?}");
    assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
    let bad_line = report
        .failures
        .iter()
        .find(|f| f.source.ends_with("arxiv.jsonl"))
        .unwrap();
    assert_eq!(bad_line.location.line, Some(3));
    let bad_xml = report
        .failures
        .iter()
        .find(|f| f.source.ends_with("broken.xml"))
        .unwrap();
    assert!(bad_xml.location.byte.is_some(), "{bad_xml:?}");
    assert_eq!(store.stats().unwrap().papers, 5);
}

/// Papers with their DOI, for the citation tests.
fn cited_dois(store: &hypatia::store::Store, citing_title: &str) -> Vec<String> {
    let q = format!(
        "PREFIX cito: <http://purl.org/spar/cito/> PREFIX schema: <http://schema.org/> PREFIX hyp: <https://w3id.org/hypatia/ns#>
         SELECT DISTINCT ?doi WHERE {{ ?p schema:name \"{citing_title}\" ; cito:cites ?c . ?c hyp:doi ?doi }} ORDER BY ?doi"
    );
    match store.graph().query(&q, &[], &[]).unwrap() {
        oxigraph::sparql::QueryResults::Solutions(s) => s
            .map(|r| match r.unwrap().get("doi") {
                Some(oxigraph::model::Term::Literal(l)) => l.value().to_string(),
                other => panic!("{other:?}"),
            })
            .collect(),
        _ => unreachable!(),
    }
}

#[test]
fn references_resolve_to_stored_papers_whichever_arrives_first() {
    let e = hash_embedder();
    let tei = fixtures().join("papers/tei/N18-3011.tei.xml");
    let acl = [
        fixtures().join("citations/N18.sample.xml"),
        fixtures().join("citations/N16.sample.xml"),
    ];
    let title = "Construction of the Literature Graph in Semantic Scholar";
    let expected = vec!["10.18653/v1/n16-1030".to_string(), "10.18653/v1/n18-1022".to_string()];

    // Cited papers first: the citing paper's references resolve as it is written.
    let (_d1, forward) = temp_store(e.identity());
    ingest(&forward, &e, &acl);
    ingest(&forward, &e, std::slice::from_ref(&tei));
    assert_eq!(cited_dois(&forward, title), expected);

    // Citing paper first: its references resolve when the cited papers arrive.
    let (_d2, backward) = temp_store(e.identity());
    ingest(&backward, &e, std::slice::from_ref(&tei));
    assert!(cited_dois(&backward, title).is_empty());
    ingest(&backward, &e, &acl);
    assert_eq!(cited_dois(&backward, title), expected);

    // Unresolved references stay as descriptions linked from the citing paper.
    let unresolved = "PREFIX schema: <http://schema.org/> PREFIX hyp: <https://w3id.org/hypatia/ns#>
        SELECT (COUNT(*) AS ?n) WHERE { ?p schema:citation ?r . ?r a hyp:Reference ; schema:name ?t
        FILTER NOT EXISTS { ?r hyp:resolvesTo ?x } }";
    assert!(count(&backward, unresolved) > 20);

    // Deleting a cited paper takes its incoming citation links with it, not the reference.
    let n16 = hypatia::common::ids::paper_key("https://doi.org/10.18653/v1/n16-1030");
    assert_eq!(backward.delete_papers(&[n16]).unwrap(), 1);
    assert_eq!(cited_dois(&backward, title), vec!["10.18653/v1/n18-1022".to_string()]);
    assert!(count(&backward, unresolved) > 21);
    assert!(backward.check_consistency().unwrap().is_consistent());
}

/// A paper's record lists its bibliography (resolved entries naming the stored paper), the
/// stored papers that cite it, and what the extractor found with spans that verify.
#[test]
fn a_paper_record_has_its_references_citers_and_verified_spans() {
    use hypatia::store::papers::{paper_record, ExtractedKind};
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    // The Anthology records first: GROBID's full text of N18-3011 then merges into its record.
    ingest(
        &store,
        &e,
        &[
            fixtures().join("citations/N18.sample.xml"),
            fixtures().join("citations/N16.sample.xml"),
        ],
    );
    ingest(&store, &e, &[fixtures().join("papers/tei/N18-3011.tei.xml")]);
    let citing = paper_record(&store, "https://doi.org/10.18653/v1/n18-3011").unwrap();
    assert!(citing.references.len() > 20, "{}", citing.references.len());
    let ordinals: Vec<u32> = citing.references.iter().map(|r| r.ordinal).collect();
    assert!(
        ordinals.windows(2).all(|w| w[0] < w[1]),
        "in bibliography order: {ordinals:?}"
    );
    let resolved: Vec<&str> = citing
        .references
        .iter()
        .filter_map(|r| r.resolved.as_ref().map(|c| c.iri.as_str()))
        .collect();
    assert_eq!(resolved.len(), 2, "the two cited papers that are stored: {resolved:?}");
    let n16 = citing
        .references
        .iter()
        .find_map(|r| {
            r.resolved
                .as_ref()
                .filter(|c| c.iri == "https://doi.org/10.18653/v1/n16-1030")
        })
        .expect("N16-1030 resolved");
    assert!(!n16.title.is_empty());
    assert_eq!(n16.key, hypatia::common::ids::paper_key(&n16.iri));

    let cited = paper_record(&store, "https://doi.org/10.18653/v1/n16-1030").unwrap();
    assert_eq!(cited.cited_by.len(), 1);
    assert_eq!(cited.cited_by[0].key, citing.reference.key);
    assert_eq!(cited.cited_by[0].title, citing.reference.title);
    assert!(cited.references.is_empty(), "an Anthology record has no bibliography");

    // Every span is the text of its passage at its offsets, in text order.
    assert!(citing.extracted.len() > 10, "{}", citing.extracted.len());
    for x in &citing.extracted {
        let p = citing.passages.iter().find(|p| p.key == x.passage).unwrap();
        let text: String = p.text.chars().skip(x.start - p.start).take(x.end - x.start).collect();
        assert_eq!(text, x.exact, "{x:?}");
    }
    assert!(citing.extracted.windows(2).all(|w| w[0].start <= w[1].start));
    let mention = citing
        .extracted
        .iter()
        .find(|x| x.kind == ExtractedKind::Mention)
        .expect("a mention");
    assert!(mention.concept.is_some() && mention.label.is_some(), "{mention:?}");
    assert!(citing
        .extracted
        .iter()
        .any(|x| x.kind == ExtractedKind::Claim && x.polarity.is_some()));
}

#[test]
fn two_records_of_one_paper_become_one_paper_with_both_identities() {
    let e = hash_embedder();
    let (_dir, store) = temp_store(e.identity());
    // The Anthology record (DOI, ACL id, abstract only), then GROBID's full text of the same
    // paper (no identifier at all): one paper, the Anthology IRI, the richer full text.
    let first = ingest(&store, &e, &[fixtures().join("citations/N18.sample.xml")]);
    assert_eq!(first.papers, 2);
    let second = ingest(&store, &e, &[fixtures().join("papers/tei/N18-3011.tei.xml")]);
    assert_eq!(second.merged, 1, "{second:?}");
    assert_eq!(store.stats().unwrap().papers, 2);
    let key = hypatia::common::ids::paper_key("https://doi.org/10.18653/v1/n18-3011");
    let record = hypatia::store::papers::paper_record(&store, &key).unwrap();
    assert_eq!(record.reference.doi.as_deref(), Some("10.18653/v1/n18-3011"));
    assert!(
        record.passages.len() > 10,
        "the full text won: {} passages",
        record.passages.len()
    );
    assert!(record
        .passages
        .iter()
        .any(|p| p.section != "title" && p.section != "abstract"));
    let acl_alias =
        "ASK { <https://doi.org/10.18653/v1/n18-3011> <http://schema.org/sameAs> <https://aclanthology.org/N18-3011> }";
    assert!(matches!(
        store.graph().query(acl_alias, &[], &[]).unwrap(),
        oxigraph::sparql::QueryResults::Boolean(true)
    ));

    // The other way round: a poorer record of a stored paper only adds its identifiers.
    let (_dir2, store2) = temp_store(e.identity());
    ingest(&store2, &e, &[fixtures().join("papers/tei/N18-3011.tei.xml")]);
    let before = store2.stats().unwrap();
    let acl = ingest(&store2, &e, &[fixtures().join("citations/N18.sample.xml")]);
    assert_eq!(acl.merged, 1, "{acl:?}");
    let after = store2.stats().unwrap();
    assert_eq!(after.papers, before.papers + 1, "only N18-1022 is new");
    let doi = "PREFIX hyp: <https://w3id.org/hypatia/ns#> SELECT (COUNT(*) AS ?n) WHERE { ?p hyp:doi \"10.18653/v1/n18-3011\" ; hyp:sourceFormat \"tei\" }";
    assert_eq!(count(&store2, doi), 1, "the TEI paper now carries the Anthology DOI");
    // And re-running it changes nothing.
    let again = ingest(&store2, &e, &[fixtures().join("citations/N18.sample.xml")]);
    assert_eq!((again.papers, again.merged), (0, 0), "{again:?}");
    assert_eq!(store2.stats().unwrap(), after);
}

#[test]
fn full_texts_are_written_in_batches_bounded_by_passages() {
    use hypatia::ingest::pipeline::{ingest_paths, IngestOptions};
    use std::sync::Mutex;
    let e = hash_embedder();
    let (_d, store) = temp_store(e.identity());
    let opts = IngestOptions {
        batch_papers: 64,
        batch_passages: 16,
        ..Default::default()
    };
    let batches: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    let report = ingest_paths(&store, &e, &[fixtures().join("papers/jats/plos")], &opts, &|p| {
        batches.lock().unwrap().push((p.committed.len(), p.passages))
    })
    .unwrap();
    let batches = batches.into_inner().unwrap();
    assert!(report.papers >= 3, "{report:?}");
    // Several papers' full texts exceed 16 passages together: more than one batch, each closed
    // as soon as it reached the bound, so no batch holds more than one paper beyond it.
    assert!(batches.len() >= 2, "{batches:?}");
    assert_eq!(batches.iter().map(|b| b.0).sum::<usize>(), report.papers);
    assert_eq!(store.stats().unwrap().passages, report.passages);
    assert!(store.check_consistency().unwrap().is_consistent());
}

#[test]
fn a_bulk_ingest_leaves_one_text_segment_and_a_small_one_does_not_rewrite_the_index() {
    use hypatia::ingest::pipeline::{ingest_paths, IngestOptions};
    let e = hash_embedder();
    let (dir, store) = temp_store(e.identity());
    // Batches of 16 passages: each commits a segment of its own.
    let opts = IngestOptions {
        batch_papers: 64,
        batch_passages: 16,
        ..Default::default()
    };
    let papers = fixtures().join("papers");
    let bulk = ["jats", "tei", "s2orc", "arxiv", "acl"].map(|f| papers.join(f));
    let bulk = ingest_paths(&store, &e, &bulk, &opts, &|_| {}).unwrap();
    assert_eq!(
        store.text().num_segments(),
        1,
        "the bulk ingest is merged into one segment"
    );
    let probe = store
        .text()
        .passages_of(&store.text().paper_keys().unwrap().0.into_iter().next().unwrap())
        .unwrap();
    let hits = store
        .text()
        .search(&probe[0].text, 10, &Default::default(), 1.0)
        .unwrap();
    assert!(
        hits.iter().any(|(k, _)| *k == probe[0].key),
        "the merged index finds a passage by its text"
    );

    // A file adding under a tenth of the passages commits one more segment and leaves it.
    let small = ingest_paths(&store, &e, &[papers.join("markdown")], &opts, &|_| {}).unwrap();
    assert!(small.passages > 0 && small.passages * 10 < bulk.passages, "{small:?}");
    assert!(
        store.text().num_segments() > 1,
        "a small ingest does not rewrite the index"
    );
    let stats = store.stats().unwrap();
    assert!(store.check_consistency().unwrap().is_consistent());
    drop(store);
    let store = reopen(&dir, e.identity());
    assert_eq!(store.stats().unwrap(), stats);
}
