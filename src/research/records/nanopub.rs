//! A record as a nanopublication: its head, assertion, provenance and publication-info graphs,
//! and the document the text and vector indexes keep for it.

use hypatia_ingest::{Author, Paper, Section};

use crate::common::error::Result;
use crate::common::ids::{self, RecordKind};
use crate::common::passages::{self, ChunkConfig};
use crate::common::vocab::{hyp, np, prov, rdf, schema, xsd};
use crate::embed::Embedder;
use crate::ingest::facts::{self, Facts};
use crate::store::{PaperDoc, ResearchWrite, Store};

/// What one record is made of, before it becomes a nanopublication.
pub(super) struct Record<'a> {
    pub(super) key: &'a str,
    pub(super) iri: &'a str,
    pub(super) kind: RecordKind,
    pub(super) agent: &'a str,
    pub(super) credential: &'a str,
    pub(super) time: &'a str,
    pub(super) title: &'a str,
    pub(super) body: Vec<String>,
    pub(super) assertion: Facts,
}

/// A searchable record as a nanopublication plus the document the text and vector indexes keep.
pub(super) fn nanopub(
    store: &Store,
    embedder: &dyn Embedder,
    r: Record<'_>,
    extra_graphs: Vec<(String, String)>,
) -> Result<ResearchWrite> {
    let year = r.time.get(..4).and_then(|y| y.parse::<i32>().ok());
    let venue = match r.kind {
        RecordKind::Hypothesis => "Hypatia hypotheses",
        _ => "Hypatia experiment log",
    };
    // The record as a paper of one section, so that its canonical text and passages are made
    // exactly as a paper's are.
    let paper = Paper {
        title: r.title.to_string(),
        authors: vec![Author {
            name: r.agent.to_string(),
            ..Default::default()
        }],
        year,
        date: Some(r.time.to_string()),
        venue: Some(venue.to_string()),
        sections: vec![Section {
            heading: r.kind.segment().to_string(),
            paragraphs: r.body,
            ..Default::default()
        }],
        ..Default::default()
    };
    let seg = passages::segment(&paper, r.key, &ChunkConfig::default());
    let texts: Vec<String> = seg
        .passages
        .iter()
        .map(|p| passages::embedding_text(&paper.title, p))
        .collect();
    let vectors = embedder.embed(&texts)?;
    let mut info = Facts::new();
    info.text(r.iri, schema::NAME, r.title);
    info.typed(r.iri, schema::DATE_CREATED, r.time, xsd::DATE_TIME);
    if let Some(y) = year {
        info.typed(r.iri, hyp::YEAR, y, xsd::INTEGER);
    }
    info.text(r.iri, hyp::VENUE, venue);
    let author = format!("{}#author", r.iri);
    info.link(r.iri, schema::AUTHOR, &author);
    info.text(&author, schema::NAME, r.agent);
    info.typed(&author, schema::POSITION, 0, xsd::INTEGER);
    info.text(r.iri, hyp::CANONICAL_TEXT, &seg.canonical);
    // The version its passages carry in the text index (see `papers::Citer`).
    let digest = ids::content_hash(&seg.canonical);
    info.text(r.iri, hyp::DIGEST, &digest);
    for p in &seg.passages {
        facts::passage(&mut info, store.base(), r.iri, p);
    }
    let graphs = nanopub_graphs(store, r.key, r.iri, (r.agent, r.credential), r.time, r.assertion, info);
    let mut graphs = graphs;
    graphs.extend(extra_graphs);
    Ok(ResearchWrite {
        key: r.key.to_string(),
        graphs,
        doc: Some(PaperDoc {
            key: r.key.to_string(),
            iri: r.iri.to_string(),
            title: paper.title.clone(),
            year,
            venue: paper.venue.clone(),
            digest,
            passages: seg.passages,
            vectors,
            ntriples: String::new(),
            extraction: String::new(),
        }),
    })
}

/// The four graphs of a nanopublication: head, assertion, provenance (who: the agent, and the
/// credential the write came through), publication info (with `info` added to the last).
pub(super) fn nanopub_graphs(
    store: &Store,
    key: &str,
    iri: &str,
    (agent, credential): (&str, &str),
    time: &str,
    assertion: Facts,
    mut info: Facts,
) -> Vec<(String, String)> {
    let base = store.base();
    let np_iri = base.nanopub(key);
    let [head, a, prov_g, pubinfo] = ["head", "assertion", "provenance", "pubinfo"].map(|p| base.nanopub_graph(key, p));
    let agent_iri = base.iri("agent", &facts::slug_key(agent));
    let mut h = Facts::new();
    h.link(&np_iri, rdf::TYPE, np::NANOPUBLICATION);
    h.link(&np_iri, np::HAS_ASSERTION, &a);
    h.link(&np_iri, np::HAS_PROVENANCE, &prov_g);
    h.link(&np_iri, np::HAS_PUBLICATION_INFO, &pubinfo);
    let mut p = Facts::new();
    p.link(&a, prov::WAS_ATTRIBUTED_TO, &agent_iri);
    p.typed(&a, prov::GENERATED_AT_TIME, time, xsd::DATE_TIME);
    p.link(&agent_iri, rdf::TYPE, prov::SOFTWARE_AGENT);
    p.text(&agent_iri, schema::NAME, agent);
    p.text(&a, hyp::VIA_CREDENTIAL, credential);
    info.link(&np_iri, prov::WAS_ATTRIBUTED_TO, &agent_iri);
    info.typed(&np_iri, prov::GENERATED_AT_TIME, time, xsd::DATE_TIME);
    info.text(iri, hyp::AGENT_ID, agent);
    vec![
        (head, to_ntriples(&h)),
        (a, to_ntriples(&assertion)),
        (prov_g, to_ntriples(&p)),
        (pubinfo, to_ntriples(&info)),
    ]
}

pub(super) fn to_ntriples(f: &Facts) -> String {
    f.triples.iter().map(|t| format!("{t} .\n")).collect()
}
