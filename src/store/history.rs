//! What the store learned when: the record clock of the graph (see [`crate::common::clock`]).
//!
//! Each paper has a history graph (`{base}graph/history/{key}`) of `hyp:Version`s, one per
//! state of its facts (its digest) the store has held: `prov:generatedAtTime` is when the store
//! learned it, `prov:invalidatedAtTime` when a re-ingestion replaced it or a delete removed the
//! paper. Writing the same digest again changes nothing; nothing here is ever removed, so a
//! superseded version is end-dated, not deleted. Notices (`hyp:Notice`) carry their own record
//! time, since another record of a stored paper can add one long after the paper's version was
//! written; a notice keeps the time it was first learned when its paper is written again.
//!
//! All of it is written in the transaction of the write it dates, at the record time the journal
//! holds for that write, so that recovery stamps the same times.

use std::collections::HashMap;

use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::store::Transaction;

use crate::common::clock::Moment;
use crate::common::error::{Error, Result};
use crate::common::ids::Base;
use crate::common::vocab::{hyp, prov, rdf, xsd};

fn node(iri: &'static str) -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked(iri)
}

fn time_literal(at: Moment) -> Literal {
    Literal::new_typed_literal(at.rfc3339(), node(xsd::DATE_TIME))
}

/// Records that the store holds `digest` of the paper `paper` (key `key`) from `at`: a new
/// version, the current one end-dated, unless the current one already has that digest.
pub(super) fn record_version(
    t: &mut Transaction<'_>,
    base: &Base,
    key: &str,
    paper: &NamedNode,
    digest: &str,
    at: Moment,
) -> Result<()> {
    let history = named(&base.history_graph(key))?;
    let versions = versions(t, &history, paper)?;
    let current = versions.iter().find(|v| !v.ended);
    if current.is_some_and(|v| v.digest.as_deref() == Some(digest)) {
        return Ok(());
    }
    if let Some(v) = current {
        end(t, &history, &v.node, at);
    }
    // Numbered over every version in the graph (the paper may have had another IRI under
    // this key).
    let n = t
        .quads_for_pattern(None, Some(node(hyp::VERSION_OF)), None, Some(history.as_ref().into()))
        .count();
    let v = named(&base.version_iri(key, n))?;
    t.insert_named_graph(history.as_ref());
    let quads = [
        (node(rdf::TYPE), Term::from(node(hyp::VERSION).into_owned())),
        (node(hyp::VERSION_OF), paper.clone().into()),
        (node(hyp::DIGEST), Literal::new_simple_literal(digest).into()),
        (node(prov::GENERATED_AT_TIME), time_literal(at).into()),
    ];
    for (p, o) in quads {
        t.insert(&Quad::new(v.clone(), p, o, history.clone()));
    }
    Ok(())
}

/// End-dates the current version of each paper in the graph `paper_graph` of key `key` (it is
/// being deleted).
pub(super) fn end_versions(
    t: &mut Transaction<'_>,
    base: &Base,
    key: &str,
    papers: &[NamedNode],
    at: Moment,
) -> Result<()> {
    let history = named(&base.history_graph(key))?;
    for paper in papers {
        for v in versions(t, &history, paper)? {
            if !v.ended {
                end(t, &history, &v.node, at);
            }
        }
    }
    Ok(())
}

/// The record times of the notices in `graph` as it stands, by notice node.
pub(super) fn notice_stamps(t: &Transaction<'_>, graph: &NamedNode) -> Result<HashMap<NamedOrBlankNode, Term>> {
    let g: GraphNameRef<'_> = graph.as_ref().into();
    let mut out = HashMap::new();
    for q in t.quads_for_pattern(None, Some(node(prov::GENERATED_AT_TIME)), None, Some(g)) {
        let q = q?;
        let is_notice = t
            .quads_for_pattern(
                Some(q.subject.as_ref()),
                Some(node(rdf::TYPE)),
                Some(node(hyp::NOTICE).into()),
                Some(g),
            )
            .next()
            .is_some();
        if is_notice {
            out.insert(q.subject, q.object);
        }
    }
    Ok(out)
}

/// Stamps each notice among `triples` (now in `graph`) with its record time: the one `kept`
/// holds for it (learned earlier), else one already in the graph, else `at`.
pub(super) fn stamp_notices(
    t: &mut Transaction<'_>,
    graph: &NamedNode,
    triples: &[Triple],
    kept: &HashMap<NamedOrBlankNode, Term>,
    at: Moment,
) -> Result<()> {
    let stamp = node(prov::GENERATED_AT_TIME);
    for tr in triples {
        if tr.predicate.as_str() != rdf::TYPE || !matches!(&tr.object, Term::NamedNode(n) if n.as_str() == hyp::NOTICE)
        {
            continue;
        }
        let g: GraphNameRef<'_> = graph.as_ref().into();
        if t.quads_for_pattern(Some(tr.subject.as_ref()), Some(stamp), None, Some(g))
            .next()
            .is_some()
        {
            continue;
        }
        let time = kept
            .get(&tr.subject)
            .cloned()
            .unwrap_or_else(|| time_literal(at).into());
        t.insert(&Quad::new(tr.subject.clone(), stamp, time, graph.clone()));
    }
    Ok(())
}

struct Version {
    node: NamedOrBlankNode,
    digest: Option<String>,
    /// Whether it was end-dated.
    ended: bool,
}

fn versions(t: &Transaction<'_>, history: &NamedNode, paper: &NamedNode) -> Result<Vec<Version>> {
    let g: GraphNameRef<'_> = history.as_ref().into();
    let value = |s: &NamedOrBlankNode, p: &'static str| -> Result<Option<Term>> {
        Ok(t.quads_for_pattern(Some(s.as_ref()), Some(node(p)), None, Some(g))
            .next()
            .transpose()?
            .map(|q| q.object))
    };
    let mut out = Vec::new();
    for q in t.quads_for_pattern(None, Some(node(hyp::VERSION_OF)), Some(paper.as_ref().into()), Some(g)) {
        let subject = q?.subject;
        let digest = match value(&subject, hyp::DIGEST)? {
            Some(Term::Literal(l)) => Some(l.value().to_string()),
            _ => None,
        };
        let ended = value(&subject, prov::INVALIDATED_AT_TIME)?.is_some();
        out.push(Version {
            node: subject,
            digest,
            ended,
        });
    }
    Ok(out)
}

fn end(t: &mut Transaction<'_>, history: &NamedNode, version: &NamedOrBlankNode, at: Moment) {
    t.insert(&Quad::new(
        version.clone(),
        node(prov::INVALIDATED_AT_TIME),
        time_literal(at),
        history.clone(),
    ));
}

fn named(iri: &str) -> Result<NamedNode> {
    NamedNode::new(iri).map_err(Error::graph)
}
