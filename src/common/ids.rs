//! Identity: how a paper's IRI and the one id space of passages are derived (DESIGN.md,
//! "Identity"). Every store sees the same keys; backend ids never leave `store/`.

use hypatia_ingest::{Identifiers, Paper};
use sha2::{Digest, Sha256};

/// The base IRI under which local resources (passages, authors, references) live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base(String);

impl Base {
    /// The default base for local resources.
    pub const DEFAULT: &'static str = "https://w3id.org/hypatia/id/";

    /// A base from an absolute IRI; a missing final `/` or `#` is added.
    pub fn new(iri: &str) -> crate::Result<Self> {
        let mut s = iri.trim().to_string();
        if oxigraph::model::NamedNode::new(&s).is_err() {
            return Err(crate::Error::invalid(
                "base_iri",
                format!("`{iri}` is not an absolute IRI"),
            ));
        }
        if !s.ends_with('/') && !s.ends_with('#') {
            s.push('/');
        }
        Ok(Base(s))
    }

    /// The base IRI as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The IRI of a local resource of the given kind and key, e.g. `passage/ab12-3`.
    pub fn iri(&self, kind: &str, key: &str) -> String {
        format!("{}{kind}/{key}", self.0)
    }

    /// The IRI prefixes of the graphs the store owns: papers' facts and extraction graphs
    /// (written by ingest), agents' nanopublications (written by the research layer). Users
    /// may not write them, and the store's own readers read nothing else.
    pub fn owned_graph_prefixes(&self) -> [String; 2] {
        [self.iri("graph", ""), self.iri("np", "")]
    }

    /// The named graph holding one paper's facts.
    pub fn paper_graph(&self, paper_key: &str) -> String {
        self.iri("graph/paper", paper_key)
    }

    /// The named graph holding what the extractor found in one paper.
    pub fn extraction_graph(&self, paper_key: &str) -> String {
        self.iri("graph/extraction", paper_key)
    }

    /// The named graph holding one paper's versions (`hyp:Version`): when the store learned
    /// each state of the paper's facts and when another replaced it. Never removed.
    pub fn history_graph(&self, paper_key: &str) -> String {
        self.iri("graph/history", paper_key)
    }

    /// The IRI of a paper's `n`-th version (from 0).
    pub fn version_iri(&self, paper_key: &str, n: usize) -> String {
        self.iri("version", &format!("{paper_key}-{n}"))
    }

    /// The IRI of a passage.
    pub fn passage_iri(&self, passage_key: &str) -> String {
        self.iri("passage", passage_key)
    }

    /// The IRI of the nanopublication that carries an agent-written record.
    pub fn nanopub(&self, record_key: &str) -> String {
        self.iri("np", record_key)
    }

    /// One of a nanopublication's named graphs: `head`, `assertion`, `provenance`, `pubinfo`,
    /// or (hypotheses only) `status`, the one graph the store replaces on each status change.
    pub fn nanopub_graph(&self, record_key: &str, part: &str) -> String {
        format!("{}/{part}", self.nanopub(record_key))
    }

    /// The graph that makes a document visible and describes it for citations: a paper's graph,
    /// or an agent record's publication-info graph.
    pub fn doc_graph(&self, key: &str) -> String {
        match RecordKind::of_key(key) {
            Some(_) => self.nanopub_graph(key, "pubinfo"),
            None => self.paper_graph(key),
        }
    }

    /// The IRI of a paper that has no external identifier at all.
    fn hashed_paper_iri(&self, hash: &str) -> String {
        self.iri("paper", hash)
    }
}

impl Default for Base {
    fn default() -> Self {
        Base(Self::DEFAULT.to_string())
    }
}

/// The canonical IRI of a paper from its strongest identifier: DOI, arXiv, PubMed, PMC, ACL
/// Anthology, OpenAlex, a collection-local id, and last a hash of normalised title, first author
/// and year.
pub fn paper_iri(base: &Base, paper: &Paper) -> String {
    identifier_iri(base, &paper.ids).unwrap_or_else(|| {
        let first = paper.authors.first().map(|a| a.name.as_str()).unwrap_or("");
        base.hashed_paper_iri(&fingerprint(&paper.title, first, paper.year))
    })
}

/// The IRI given by the strongest external identifier, if any.
pub fn identifier_iri(base: &Base, ids: &Identifiers) -> Option<String> {
    let enc = |s: &str| iri_escape(s);
    if let Some(doi) = &ids.doi {
        return Some(format!("https://doi.org/{}", enc(&doi.to_lowercase())));
    }
    if let Some(a) = &ids.arxiv {
        return Some(format!("https://arxiv.org/abs/{}", enc(a)));
    }
    if let Some(p) = &ids.pmid {
        return Some(format!("https://pubmed.ncbi.nlm.nih.gov/{}", enc(p)));
    }
    if let Some(p) = &ids.pmcid {
        return Some(format!("https://www.ncbi.nlm.nih.gov/pmc/articles/{}", enc(p)));
    }
    if let Some(a) = &ids.acl {
        return Some(format!("https://aclanthology.org/{}", enc(a)));
    }
    if let Some(w) = &ids.openalex {
        return Some(format!("https://openalex.org/{}", enc(w)));
    }
    ids.corpus
        .as_ref()
        .map(|c| base.iri("paper", &format!("{}-{}", enc(&c.collection), enc(&c.id))))
}

/// A stable short key for a paper IRI: 16 hex digits of its SHA-256. Used in URLs, passage keys
/// and graph names.
pub fn paper_key(paper_iri: &str) -> String {
    hex::encode(&Sha256::digest(paper_iri.as_bytes())[..8])
}

/// The paper key named by `key_or_iri`: a 16-hex-digit key as is, anything else as a paper IRI.
pub fn paper_key_of(key_or_iri: &str) -> String {
    if key_or_iri.len() == 16 && key_or_iri.bytes().all(|b| b.is_ascii_hexdigit()) {
        key_or_iri.to_string()
    } else {
        paper_key(key_or_iri)
    }
}

/// What agents write, each as a nanopublication under its own key: `hyp_`, `exp_` or `chg_`
/// followed by 16 hex digits, so that record keys never collide with paper keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A hypothesis (text-indexed and embedded).
    Hypothesis,
    /// An experiment run and its outcome (text-indexed and embedded).
    Experiment,
    /// A change of a hypothesis' status (graph only).
    StatusChange,
    /// A pairwise comparison of two hypotheses by an agent or a person (graph only).
    Comparison,
}

impl RecordKind {
    /// Every kind, in a fixed order (the order [`passage_key_numbers`] codes prefixes by).
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Hypothesis,
        RecordKind::Experiment,
        RecordKind::StatusChange,
        RecordKind::Comparison,
    ];

    /// The key prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            RecordKind::Hypothesis => "hyp_",
            RecordKind::Experiment => "exp_",
            RecordKind::StatusChange => "chg_",
            RecordKind::Comparison => "cmp_",
        }
    }

    /// The path segment of the record's IRI under the base.
    pub fn segment(self) -> &'static str {
        match self {
            RecordKind::Hypothesis => "hypothesis",
            RecordKind::Experiment => "experiment",
            RecordKind::StatusChange => "status-change",
            RecordKind::Comparison => "comparison",
        }
    }

    /// The kind of a record key, or `None` for a paper key (or anything else).
    pub fn of_key(key: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| {
            key.strip_prefix(k.prefix())
                .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
    }

    /// Whether records of this kind are searchable (in the text and vector indexes).
    pub fn is_indexed(self) -> bool {
        !matches!(self, RecordKind::StatusChange | RecordKind::Comparison)
    }

    /// A record key derived from `seed` (the same seed, the same key: retries are idempotent).
    pub fn key(self, seed: &str) -> String {
        format!(
            "{}{}",
            self.prefix(),
            hex::encode(&Sha256::digest(seed.as_bytes())[..8])
        )
    }
}

/// The key of passage `ordinal` of the paper with key `paper_key`.
pub fn passage_key(paper_key: &str, ordinal: usize) -> String {
    format!("{paper_key}-{ordinal}")
}

/// A passage key as two numbers, so that an index can keep it in numeric columns and read it
/// per hit without a dictionary: the 64-bit number the paper's (or record's) 16 hex digits
/// spell, and the ordinal in the low 32 bits of the second under the record prefix's code (0 for
/// a paper, 1 + its place in [`RecordKind::ALL`]). `None` unless the key is exactly
/// `[prefix]<16 lower-case hex digits>-<ordinal>` as [`passage_key`] writes it: a key either
/// comes back unchanged from [`passage_key_of_numbers`] or is not encoded.
pub fn passage_key_numbers(key: &str) -> Option<(u64, u64)> {
    let (owner, ordinal) = key.rsplit_once('-')?;
    let ordinal: u32 = ordinal.parse().ok()?;
    let (code, hex) = match RecordKind::of_key(owner) {
        Some(kind) => (
            1 + RecordKind::ALL.iter().position(|k| *k == kind)? as u64,
            &owner[kind.prefix().len()..],
        ),
        None => (0, owner),
    };
    if hex.len() != 16 {
        return None;
    }
    let numbers = (u64::from_str_radix(hex, 16).ok()?, (code << 32) | u64::from(ordinal));
    (passage_key_of_numbers(numbers).as_deref() == Some(key)).then_some(numbers)
}

/// The passage key [`passage_key_numbers`] made these numbers of (`None` for numbers it never
/// makes).
pub fn passage_key_of_numbers((owner, tail): (u64, u64)) -> Option<String> {
    let prefix = match (tail >> 32) as usize {
        0 => "",
        code => RecordKind::ALL.get(code - 1)?.prefix(),
    };
    Some(format!("{prefix}{owner:016x}-{}", tail as u32))
}

/// The paper key of a passage key.
pub fn paper_key_of_passage(passage_key: &str) -> &str {
    passage_key.rsplit_once('-').map(|(p, _)| p).unwrap_or(passage_key)
}

/// Hex SHA-256 of a text, shortened to 128 bits.
pub fn content_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// A hash of normalised title + first author + year, for papers without identifiers.
fn fingerprint(title: &str, first_author: &str, year: Option<i32>) -> String {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let surname = first_author.split_whitespace().last().unwrap_or("");
    let year = year.map(|y| y.to_string()).unwrap_or_default();
    let material = format!("{}|{}|{}", norm(title), norm(surname), year);
    hex::encode(&Sha256::digest(material.as_bytes())[..12])
}

/// Percent-encodes the characters an IRI path segment may not hold; keeps `/` and `:` so that
/// DOIs and old-style arXiv ids read as usual.
fn iri_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "-._~/:;()!$&'*+,=@".contains(c) || (!c.is_ascii() && !c.is_whitespace()) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hypatia_ingest::{Author, CorpusId};

    fn paper(ids: Identifiers) -> Paper {
        Paper {
            ids,
            title: "A Study".into(),
            authors: vec![Author::named("Ada Lovelace")],
            year: Some(1843),
            ..Paper::default()
        }
    }

    #[test]
    fn strongest_identifier_wins() {
        let b = Base::default();
        let ids = Identifiers {
            doi: Some("10.1/ABC".into()),
            arxiv: Some("1234.5678".into()),
            ..Default::default()
        };
        assert_eq!(paper_iri(&b, &paper(ids)), "https://doi.org/10.1/abc");
        let ids = Identifiers {
            arxiv: Some("hep-th/9901001".into()),
            pmid: Some("1".into()),
            ..Default::default()
        };
        assert_eq!(paper_iri(&b, &paper(ids)), "https://arxiv.org/abs/hep-th/9901001");
        let ids = Identifiers {
            corpus: Some(CorpusId {
                collection: "scifact".into(),
                id: "4983".into(),
            }),
            ..Default::default()
        };
        assert_eq!(
            paper_iri(&b, &paper(ids)),
            "https://w3id.org/hypatia/id/paper/scifact-4983"
        );
    }

    #[test]
    fn hash_identity_ignores_case_and_punctuation() {
        let b = Base::default();
        let mut p = paper(Identifiers::default());
        let a = paper_iri(&b, &p);
        p.title = "a  STUDY.".into();
        assert_eq!(a, paper_iri(&b, &p));
        p.year = Some(1844);
        assert_ne!(a, paper_iri(&b, &p));
    }

    #[test]
    fn doi_with_odd_characters_is_a_valid_iri() {
        let ids = Identifiers {
            doi: Some("10.1002/(sici)1097-4636<1>3.0.co;2-x".into()),
            ..Default::default()
        };
        let iri = paper_iri(&Base::default(), &paper(ids));
        assert!(oxigraph::model::NamedNode::new(&iri).is_ok(), "{iri}");
    }

    #[test]
    fn passage_keys_round_trip() {
        let k = passage_key("0123456789abcdef", 7);
        assert_eq!(paper_key_of_passage(&k), "0123456789abcdef");
    }

    #[test]
    fn passage_keys_as_numbers_come_back_exactly_or_not_at_all() {
        let paper = paper_key("https://doi.org/10.1000/x");
        let mut keys = vec![
            passage_key(&paper, 0),
            passage_key(&paper, 4_294_967_295),
            "ffffffffffffffff-12".into(),
        ];
        keys.extend(RecordKind::ALL.map(|k| passage_key(&k.key("seed"), 3)));
        let mut seen = std::collections::HashSet::new();
        for key in &keys {
            let n = passage_key_numbers(key).unwrap_or_else(|| panic!("{key} is canonical"));
            assert!(seen.insert(n), "{key}: two keys, one pair of numbers");
            assert_eq!(passage_key_of_numbers(n).as_deref(), Some(key.as_str()));
        }
        for odd in [
            "0123456789ABCDEF-1",  // upper case
            "+123456789abcdef-1",  // a sign u64::from_str_radix would take
            "0123456789abcdef-01", // a leading zero
            "0123456789abcdef-4294967296",
            "0123456789abcde-1",
            "xyz_0123456789abcdef-1",
            "0123456789abcdef",
            "",
        ] {
            assert_eq!(passage_key_numbers(odd), None, "{odd}");
        }
        assert_eq!(passage_key_of_numbers((1, 99 << 32)), None);
    }
}
