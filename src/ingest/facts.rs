//! A paper's RDF facts: schema.org bibliography, CiTO citations, and passages as Web Annotation
//! selectors. All of them go into the paper's own named graph, so that re-ingesting or deleting
//! the paper replaces exactly these triples.

use hypatia_ingest::{Paper, Reference};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};

use crate::common::ids::{self, Base};
use crate::common::passages::Passage;
use crate::common::vocab::{dcterms, hyp, oa, rdf, schema, skos, xsd};
use crate::ingest::citations;

/// Builds triples while skipping IRIs that do not parse (a malformed identifier in a source must
/// cost one fact, not the paper).
pub(crate) struct Facts {
    pub(crate) triples: Vec<Triple>,
}

impl Facts {
    pub(crate) fn new() -> Self {
        Facts { triples: Vec::new() }
    }

    fn node(iri: &str) -> Option<NamedNode> {
        NamedNode::new(iri).ok()
    }

    pub(crate) fn add(&mut self, s: &str, p: &str, o: impl Into<Term>) {
        if let (Some(s), Some(p)) = (Self::node(s), Self::node(p)) {
            self.triples.push(Triple::new(NamedOrBlankNode::from(s), p, o.into()));
        }
    }

    pub(crate) fn link(&mut self, s: &str, p: &str, o: &str) {
        if let Some(o) = Self::node(o) {
            self.add(s, p, o);
        }
    }

    pub(crate) fn text(&mut self, s: &str, p: &str, value: &str) {
        if !value.trim().is_empty() {
            self.add(s, p, Literal::new_simple_literal(value));
        }
    }

    pub(crate) fn typed(&mut self, s: &str, p: &str, value: impl ToString, datatype: &str) {
        if let Some(dt) = Self::node(datatype) {
            self.add(s, p, Literal::new_typed_literal(value.to_string(), dt));
        }
    }
}

/// What the facts of one paper are built from.
pub struct PaperInput<'a> {
    /// The parsed record.
    pub paper: &'a Paper,
    /// The paper's IRI (its own, or the one of the stored record it merged with).
    pub iri: &'a str,
    /// The paper key.
    pub key: &'a str,
    /// The canonical text passages point into.
    pub canonical: &'a str,
    /// The passages.
    pub passages: &'a [Passage],
    /// The ingest format's name.
    pub format: &'a str,
    /// The paper's match keys (see [`crate::ingest::citations`]), strongest first.
    pub match_keys: &'a [String],
}

/// The facts of one paper.
pub fn paper_facts(base: &Base, input: &PaperInput<'_>) -> Vec<Triple> {
    let PaperInput {
        paper,
        iri,
        key,
        canonical,
        passages,
        format,
        match_keys,
    } = *input;
    let mut f = Facts { triples: Vec::new() };
    bibliography(&mut f, paper, iri, format);
    f.triples.extend(identity_facts(iri, &paper.ids, match_keys));
    f.text(iri, hyp::CANONICAL_TEXT, canonical);
    for (i, a) in paper.authors.iter().enumerate() {
        let person = match &a.orcid {
            Some(o) => format!("https://orcid.org/{o}"),
            None => base.iri("author", &format!("{key}-{i}")),
        };
        f.link(iri, schema::AUTHOR, &person);
        f.link(&person, rdf::TYPE, schema::PERSON);
        f.text(&person, schema::NAME, &a.name);
        f.text(&person, schema::GIVEN_NAME, a.given.as_deref().unwrap_or(""));
        f.text(&person, schema::FAMILY_NAME, a.family.as_deref().unwrap_or(""));
        f.typed(&person, schema::POSITION, i + 1, xsd::INTEGER);
    }
    for subject in &paper.subjects {
        source_subject(&mut f, base, iri, subject);
    }
    for p in passages {
        passage(&mut f, base, iri, p);
    }
    for (i, r) in paper.references.iter().enumerate() {
        reference(&mut f, base, iri, key, i, r);
    }
    f.triples.extend(status_facts(base, iri, key, &paper.status));
    f.triples
}

/// What a record says about standing, in its own graph: `hyp:retracted true`, and one
/// `hyp:Notice` per notice link, naming the other end by its match keys. Nothing is written
/// about the other record: the two ends meet by match key when they are read
/// (`queries/notices.rq`), so a notice takes effect whichever arrives first, and deleting or
/// replacing either record takes it back. Also what a poorer record of a stored paper adds.
pub fn status_facts(base: &Base, iri: &str, key: &str, status: &hypatia_ingest::PublicationStatus) -> Vec<Triple> {
    use hypatia_ingest::NoticeRole;
    let mut f = Facts::new();
    if status.retracted {
        f.typed(iri, hyp::RETRACTED, "true", xsd::BOOLEAN);
        // The flag as a notice too, so that it carries the record time of the record that
        // said it (an `as_of` read before then does not see the paper retracted).
        let node = base.iri("notice", &format!("{key}-retracted"));
        f.link(&node, rdf::TYPE, hyp::NOTICE);
        f.text(&node, hyp::NOTICE_KIND, "retraction");
        f.link(&node, hyp::NOTICE_ABOUT, iri);
    }
    for (i, n) in status.notices.iter().enumerate() {
        let node = base.iri("notice", &format!("{key}-{i}"));
        f.link(&node, rdf::TYPE, hyp::NOTICE);
        f.text(&node, hyp::NOTICE_KIND, n.kind.name());
        f.text(&node, hyp::NOTICE_DATE, n.date.as_deref().unwrap_or(""));
        f.text(&node, schema::DESCRIPTION, n.citation.as_deref().unwrap_or(""));
        let (this_end, other_key) = match n.role {
            NoticeRole::NoticeIn => (hyp::NOTICE_ABOUT, hyp::NOTICE_KEY),
            NoticeRole::NoticeOf => (hyp::NOTICE_BY, hyp::TARGET_KEY),
        };
        f.link(&node, this_end, iri);
        for k in citations::id_keys(&n.other) {
            f.text(&node, other_key, &k);
        }
    }
    f.triples
}

fn bibliography(f: &mut Facts, paper: &Paper, iri: &str, format: &str) {
    f.link(iri, rdf::TYPE, schema::SCHOLARLY_ARTICLE);
    f.text(iri, schema::NAME, &paper.title);
    f.text(iri, schema::ABSTRACT, paper.abstract_text.as_deref().unwrap_or(""));
    match (&paper.date, paper.year) {
        (Some(d), _) => f.text(iri, schema::DATE_PUBLISHED, d),
        (None, Some(y)) => f.typed(iri, schema::DATE_PUBLISHED, y, xsd::G_YEAR),
        (None, None) => {}
    }
    if let Some(y) = paper.year {
        f.typed(iri, hyp::YEAR, y, xsd::INTEGER);
    }
    f.text(iri, hyp::VENUE, paper.venue.as_deref().unwrap_or(""));
    f.text(iri, schema::LICENSE, paper.license.as_deref().unwrap_or(""));
    f.text(iri, hyp::SOURCE_FORMAT, format);
    for k in &paper.keywords {
        f.text(iri, schema::KEYWORDS, k);
    }
}

/// A paper's identifiers as literals, every identifier's IRI other than the canonical one as
/// `schema:sameAs` (so that the graph joins the records other sources keep under those IRIs), and
/// its match keys. Also what another record of a stored paper adds to it.
pub fn identity_facts(iri: &str, ids: &hypatia_ingest::Identifiers, match_keys: &[String]) -> Vec<Triple> {
    let mut f = Facts { triples: Vec::new() };
    f.text(iri, hyp::DOI, ids.doi.as_deref().unwrap_or(""));
    f.text(iri, hyp::ARXIV_ID, ids.arxiv.as_deref().unwrap_or(""));
    f.text(iri, hyp::PMID, ids.pmid.as_deref().unwrap_or(""));
    f.text(iri, hyp::PMCID, ids.pmcid.as_deref().unwrap_or(""));
    if let Some(c) = &ids.corpus {
        f.text(iri, hyp::CORPUS_ID, &format!("{}:{}", c.collection, c.id));
    }
    for alias in alias_iris(ids) {
        if alias != iri {
            f.link(iri, schema::SAME_AS, &alias);
        }
    }
    for k in match_keys {
        f.text(iri, hyp::MATCH_KEY, k);
    }
    f.triples
}

/// The IRIs each single identifier would give on its own.
fn alias_iris(ids: &hypatia_ingest::Identifiers) -> Vec<String> {
    use hypatia_ingest::Identifiers as I;
    let base = Base::default();
    let one = |i: I| ids::identifier_iri(&base, &i);
    [
        ids.doi.clone().and_then(|d| {
            one(I {
                doi: Some(d),
                ..I::default()
            })
        }),
        ids.arxiv.clone().and_then(|a| {
            one(I {
                arxiv: Some(a),
                ..I::default()
            })
        }),
        ids.pmid.clone().and_then(|p| {
            one(I {
                pmid: Some(p),
                ..I::default()
            })
        }),
        ids.pmcid.clone().and_then(|p| {
            one(I {
                pmcid: Some(p),
                ..I::default()
            })
        }),
        ids.acl.clone().and_then(|a| {
            one(I {
                acl: Some(a),
                ..I::default()
            })
        }),
        ids.openalex.clone().and_then(|w| {
            one(I {
                openalex: Some(w),
                ..I::default()
            })
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A concept the source itself assigned (MeSH heading, OpenAlex concept, arXiv category...), as
/// a SKOS concept of a scheme named after its origin, linked to its external IRI when it has one.
fn source_subject(f: &mut Facts, base: &Base, paper_iri: &str, s: &hypatia_ingest::Subject) {
    let local = s.id.clone().unwrap_or_else(|| s.label.to_lowercase());
    let concept = base.iri(&format!("concept/{}", slug(&s.scheme)), &slug_key(&local));
    let scheme = base.iri("scheme", &slug(&s.scheme));
    f.link(paper_iri, schema::ABOUT, &concept);
    f.link(paper_iri, dcterms::SUBJECT, &concept);
    f.link(&concept, rdf::TYPE, skos::CONCEPT);
    f.text(&concept, skos::PREF_LABEL, &s.label);
    f.link(&concept, skos::IN_SCHEME, &scheme);
    f.text(&concept, dcterms::SOURCE, &s.scheme);
    if let Some(id) = &s.id {
        f.text(&concept, skos::NOTATION, id);
        if let Some(external) = external_concept_iri(&s.scheme, id) {
            f.link(&concept, skos::EXACT_MATCH, &external);
        }
    }
}

/// The public IRI of a concept of a known vocabulary.
fn external_concept_iri(scheme: &str, id: &str) -> Option<String> {
    match scheme {
        "mesh" => Some(format!("http://id.nlm.nih.gov/mesh/{id}")),
        "openalex-concept" | "openalex-topic" if id.starts_with("https://openalex.org/") => Some(id.to_string()),
        "openalex-concept" | "openalex-topic" => Some(format!("https://openalex.org/{id}")),
        _ => None,
    }
}

/// A readable, collision-free path segment: the slug, plus a short hash when slugging lost
/// anything (case aside).
pub(crate) fn slug_key(s: &str) -> String {
    let slugged = slug(s);
    if slugged == s.to_lowercase() {
        slugged
    } else {
        format!("{slugged}-{}", &ids::content_hash(s)[..8])
    }
}

/// Lower-case ASCII letters, digits and dashes: a safe IRI path segment.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

pub(crate) fn passage(f: &mut Facts, base: &Base, paper_iri: &str, p: &Passage) {
    let s = base.passage_iri(&p.key);
    let (pos, quote) = (format!("{s}#position"), format!("{s}#quote"));
    f.link(&s, rdf::TYPE, hyp::PASSAGE);
    f.link(&s, hyp::PASSAGE_OF, paper_iri);
    f.link(&s, oa::HAS_SOURCE, paper_iri);
    f.text(&s, hyp::SECTION, &p.section);
    f.typed(&s, hyp::ORDINAL, p.ordinal, xsd::INTEGER);
    f.text(&s, hyp::CONTENT_HASH, &p.hash);
    f.link(&s, oa::HAS_SELECTOR, &pos);
    f.link(&pos, rdf::TYPE, oa::TEXT_POSITION_SELECTOR);
    f.typed(&pos, oa::START, p.start, xsd::NON_NEGATIVE_INTEGER);
    f.typed(&pos, oa::END, p.end, xsd::NON_NEGATIVE_INTEGER);
    f.link(&s, oa::HAS_SELECTOR, &quote);
    f.link(&quote, rdf::TYPE, oa::TEXT_QUOTE_SELECTOR);
    f.add(&quote, oa::EXACT, Literal::new_simple_literal(&p.text));
}

/// A bibliography entry: a description of the cited work, local to the citing paper, with the
/// keys by which the graph store resolves it to a stored paper (`cito:cites` and
/// `hyp:resolvesTo` are added by the store when it does, see [`crate::store::graph`]).
fn reference(f: &mut Facts, base: &Base, paper_iri: &str, key: &str, i: usize, r: &Reference) {
    let node = base.iri("reference", &format!("{key}-{i}"));
    f.link(paper_iri, schema::CITATION, &node);
    f.link(&node, rdf::TYPE, hyp::REFERENCE);
    f.link(&node, rdf::TYPE, schema::CREATIVE_WORK);
    f.typed(&node, hyp::ORDINAL, i, xsd::INTEGER);
    f.text(&node, schema::NAME, r.title.as_deref().unwrap_or(""));
    if let Some(y) = r.year {
        f.typed(&node, schema::DATE_PUBLISHED, y, xsd::G_YEAR);
    }
    f.text(&node, hyp::VENUE, r.venue.as_deref().unwrap_or(""));
    f.text(&node, schema::DESCRIPTION, r.raw.as_deref().unwrap_or(""));
    f.text(&node, hyp::REFERENCE_LABEL, r.label.as_deref().unwrap_or(""));
    f.text(&node, hyp::DOI, r.ids.doi.as_deref().unwrap_or(""));
    f.text(&node, hyp::ARXIV_ID, r.ids.arxiv.as_deref().unwrap_or(""));
    f.text(&node, hyp::PMID, r.ids.pmid.as_deref().unwrap_or(""));
    for a in &r.authors {
        f.text(&node, hyp::AUTHOR_NAME, a);
    }
    if r.ids.corpus.is_none() {
        if let Some(id_iri) = ids::identifier_iri(&Base::default(), &r.ids) {
            f.link(&node, schema::SAME_AS, &id_iri);
        }
    }
    for k in citations::reference_keys(r) {
        f.text(&node, hyp::REF_KEY, &k);
    }
}
