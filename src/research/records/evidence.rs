//! What a record rests on: concepts named by IRI or label, cited passages, and the quoted
//! evidence that keeps what each passage said when it was cited.

use std::collections::BTreeMap;

use oxigraph::model::{Literal, NamedNode};

use crate::common::error::{Error, Result, UserError};
use crate::common::vocab::{hyp, oa, prov, rdf, xsd};
use crate::ingest::extraction::concept_iri;
use crate::ingest::facts::Facts;
use crate::store::queries::{self, select};
use crate::store::{Store, StoredPassage};

use super::answers::QuotedEvidence;
use super::helpers::node;
use super::requests::ConceptArg;

/// Concept IRIs for IRIs or labels: a label the store knows (preferred or alternative) names
/// that concept; an unknown label names the concept the extractor would mint for it.
pub(super) fn resolve_concepts(store: &Store, args: &[ConceptArg]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in args {
        let name = match a {
            ConceptArg::Name(s) | ConceptArg::Object { iri: s } => s.trim(),
        };
        if name.is_empty() {
            return Err(Error::invalid("concepts", "an empty concept name"));
        }
        // A name that is not a valid IRI is a label, whatever it looks like.
        let iri = if name.contains("://") && NamedNode::new(name).is_ok() {
            name.to_string()
        } else {
            let rows = select(
                store,
                queries::CONCEPT_BY_LABEL,
                &[("label", Literal::new_simple_literal(name).into())],
            )?;
            rows.into_iter()
                .find_map(|mut r| r.remove("concept"))
                .unwrap_or_else(|| concept_iri(store.base(), name))
        };
        if !out.contains(&iri) {
            out.push(iri);
        }
    }
    Ok(out)
}

/// The stored passages named by passage keys or IRIs, in order, without repeats; each must be
/// stored (and visible).
pub(super) fn resolve_passages<'a>(store: &Store, names: impl Iterator<Item = &'a str>) -> Result<Vec<StoredPassage>> {
    let prefix = store.base().passage_iri("");
    let mut keys: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim();
        let k = n.strip_prefix(&prefix).unwrap_or(n).to_string();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let found = store.text().passages(&keys)?;
    keys.iter()
        .map(|k| {
            found
                .iter()
                .find(|p| &p.key == k)
                .cloned()
                .ok_or_else(|| UserError::NotFound(format!("evidence passage `{k}`")).into())
        })
        .collect()
}

/// Links `subject` to each evidence passage, and records what the passage said when it was
/// cited: its quote, offsets, content hash and the version (digest) of its paper. A later
/// re-put of the paper can give the passage key other text; the snapshot keeps what the
/// hypothesis rests on (see [`QuotedEvidence`]).
pub(super) fn evidence_facts(a: &mut Facts, store: &Store, subject: &str, tag: &str, evidence: &[StoredPassage]) {
    for (i, p) in evidence.iter().enumerate() {
        let passage = store.base().passage_iri(&p.key);
        a.link(subject, hyp::EVIDENCE, &passage);
        let snap = format!("{subject}#{tag}-{i}");
        let (quote, position) = (format!("{snap}-quote"), format!("{snap}-position"));
        a.link(subject, hyp::QUOTED_EVIDENCE, &snap);
        a.link(&snap, rdf::TYPE, oa::SPECIFIC_RESOURCE);
        a.link(&snap, oa::HAS_SOURCE, &p.paper_iri);
        a.link(&snap, prov::WAS_DERIVED_FROM, &passage);
        a.text(&snap, hyp::CONTENT_HASH, &p.hash);
        a.text(&snap, hyp::DIGEST, &p.version);
        a.link(&snap, oa::HAS_SELECTOR, &quote);
        a.link(&quote, rdf::TYPE, oa::TEXT_QUOTE_SELECTOR);
        a.add(&quote, oa::EXACT, Literal::new_simple_literal(&p.text));
        a.link(&snap, oa::HAS_SELECTOR, &position);
        a.link(&position, rdf::TYPE, oa::TEXT_POSITION_SELECTOR);
        a.typed(&position, oa::START, p.start, xsd::NON_NEGATIVE_INTEGER);
        a.typed(&position, oa::END, p.end, xsd::NON_NEGATIVE_INTEGER);
    }
}

/// The quoted evidence of a hypothesis (its own and its gap's), each marked with whether the
/// passage still says the same today.
pub(super) fn quoted_evidence(store: &Store, h_iri: &str) -> Result<Vec<QuotedEvidence>> {
    let rows = select(store, queries::HYPOTHESIS_EVIDENCE, &[("h", node(h_iri)?)])?;
    let prefix = store.base().passage_iri("");
    let keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get("passage")?.strip_prefix(&prefix).map(str::to_string))
        .collect();
    let now: BTreeMap<String, StoredPassage> = store
        .text()
        .passages(&keys)?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    rows.into_iter()
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            let num = |k: &str| {
                get(k)
                    .parse::<usize>()
                    .map_err(|_| Error::graph(format!("evidence {k} of {h_iri}")))
            };
            let key = get("passage").strip_prefix(&prefix).unwrap_or_default().to_string();
            let (start, end, content_hash) = (num("start")?, num("end")?, get("hash"));
            let unchanged = now
                .get(&key)
                .is_some_and(|p| p.hash == content_hash && p.start == start && p.end == end);
            Ok(QuotedEvidence {
                passage: key,
                paper: get("paper"),
                quote: get("quote"),
                start,
                end,
                content_hash,
                paper_digest: get("digest"),
                unchanged,
            })
        })
        .collect()
}
