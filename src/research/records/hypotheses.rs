//! Proposing a hypothesis and moving it between statuses: the transition rules, and each change
//! as a record of its own beside the hypothesis' one mutable status graph.

use crate::common::error::{Error, Result, UserError};
use crate::common::fields;
use crate::common::ids::RecordKind;
use crate::common::vocab::{hyp, prov, rdf, xsd};
use crate::embed::Embedder;
use crate::ingest::facts::Facts;
use crate::store::{ResearchWrite, Store};

use super::actor::Actor;
use super::answers::{Hypothesis, Written};
use super::evidence::{evidence_facts, resolve_concepts, resolve_passages};
use super::helpers::{clip, normalise};
use super::lineage;
use super::nanopub::{nanopub, nanopub_graphs, to_ntriples, Record};
use super::reads::{current_status, hypothesis};
use super::requests::{check_concept_names, check_count, record_key, EvidenceArg, NewHypothesis, StatusUpdate};
use super::status::HypothesisStatus;

/// Records a hypothesis (status proposed), with the earlier hypotheses it derives from.
/// Proposing the same statement again as the same agent returns the stored hypothesis
/// unchanged (its lineage included: a second proposal adds no parents).
pub fn propose(
    store: &Store,
    embedder: &dyn Embedder,
    actor: &Actor,
    h: &NewHypothesis,
) -> Result<Written<Hypothesis>> {
    let statement = fields::text("statement", &h.statement)?;
    let agent = fields::agent(&h.agent)?;
    actor.check_agent(agent)?;
    check_count("concepts", h.concepts.len())?;
    check_count("evidence", h.evidence.len())?;
    check_concept_names("concepts", &h.concepts)?;
    // The whole request is checked before an identical earlier one can answer for it.
    let gap_explanation = match &h.gap {
        Some(g) => {
            check_count("gap.concepts", g.concepts.len())?;
            check_count("gap.evidence", g.evidence.len())?;
            check_concept_names("gap.concepts", &g.concepts)?;
            g.explanation
                .as_deref()
                .map(|x| fields::text("gap.explanation", x))
                .transpose()?
        }
        None => None,
    };
    let key = RecordKind::Hypothesis.key(&format!("{agent}\n{}", normalise(statement)));
    // Parents are never deleted, so what is checked here still holds under the lock.
    let parents = lineage::parents(store, &key, &h.derived_from)?;
    let _guard = store.research_lock();
    if store.has_doc(&key)? {
        return Ok(Written {
            record: hypothesis(store, &key)?,
            created: false,
        });
    }
    let base = store.base();
    let iri = base.iri(RecordKind::Hypothesis.segment(), &key);
    let now = fields::now_rfc3339();
    let concepts = resolve_concepts(store, &h.concepts)?;
    let evidence = resolve_passages(store, h.evidence.iter().map(EvidenceArg::name))?;

    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::HYPOTHESIS);
    a.text(&iri, hyp::STATEMENT, statement);
    for c in &concepts {
        a.link(&iri, hyp::CONCERNS, c);
    }
    evidence_facts(&mut a, store, &iri, "evidence", &evidence);
    lineage::facts(&mut a, store, &iri, &parents);
    if let Some(g) = &h.gap {
        let gap = format!("{iri}#gap");
        a.link(&iri, hyp::MOTIVATED_BY, &gap);
        a.link(&gap, rdf::TYPE, hyp::GAP);
        a.text(&gap, hyp::GAP_KIND, g.kind.as_str());
        if let Some(x) = gap_explanation {
            a.text(&gap, hyp::EXPLANATION, x);
        }
        if let Some(s) = g.score.filter(|s| s.is_finite()) {
            a.typed(&gap, hyp::SCORE, s, xsd::DOUBLE);
        }
        for c in resolve_concepts(store, &g.concepts)? {
            a.link(&gap, hyp::CONCERNS, &c);
        }
        let gap_evidence = resolve_passages(store, g.evidence.iter().map(EvidenceArg::name))?;
        evidence_facts(&mut a, store, &gap, "evidence", &gap_evidence);
    }
    let title = format!("Hypothesis: {}", clip(statement, 200));
    let body = vec![statement.to_string()];
    let status_graph = (
        base.nanopub_graph(&key, "status"),
        status_triples(&iri, HypothesisStatus::Proposed),
    );
    let w = nanopub(
        store,
        embedder,
        Record {
            key: &key,
            iri: &iri,
            kind: RecordKind::Hypothesis,
            agent,
            credential: &actor.credential,
            time: &now,
            title: &title,
            body,
            assertion: a,
        },
        vec![status_graph],
    )?;
    store.put_research(w)?;
    Ok(Written {
        record: hypothesis(store, &key)?,
        created: true,
    })
}

/// Moves a hypothesis to a new status, recording the change and the outcomes behind it.
/// Supported and refuted need at least one outcome; a hypothesis never returns to proposed, and a
/// change to the current status is refused. Only a credential bound to the proposing agent, or
/// an admin one, may move another agent's hypothesis.
pub fn set_status(store: &Store, actor: &Actor, hypothesis_id: &str, u: &StatusUpdate) -> Result<Hypothesis> {
    let agent = fields::agent(&u.agent)?;
    actor.check_agent(agent)?;
    check_count("outcomes", u.outcomes.len())?;
    if let Some(n) = &u.note {
        fields::text("note", n)?;
    }
    let key = record_key(RecordKind::Hypothesis, hypothesis_id)?;
    let _guard = store.research_lock();
    let (current, owner) = current_status(store, &key)?;
    if owner != agent && !actor.may_change(&owner) {
        return Err(UserError::Forbidden(format!(
            "hypothesis {key} is `{owner}`'s; credential `{}` may change only its own agents' hypotheses \
             (an admin token, or one bound to `{owner}`, may change it)",
            actor.credential
        ))
        .into());
    }
    let outcomes = u
        .outcomes
        .iter()
        .map(|o| {
            let k = record_key(RecordKind::Experiment, o)?;
            // 409, not 404: the hypothesis this request is about exists.
            if !store.has_doc(&k)? {
                return Err(UserError::Conflict(format!("no experiment `{o}` is stored")).into());
            }
            Ok(k)
        })
        .collect::<Result<Vec<_>>>()?;
    check_transition(current, u.status, outcomes.len())?;
    let w = status_change(
        store,
        &key,
        current,
        u.status,
        agent,
        &actor.credential,
        &outcomes,
        u.note.as_deref(),
    )?;
    store.put_research(w)?;
    hypothesis(store, &key)
}

fn check_transition(from: HypothesisStatus, to: HypothesisStatus, outcomes: usize) -> Result<()> {
    use HypothesisStatus::*;
    if to == Proposed {
        return Err(UserError::Conflict("a hypothesis cannot return to proposed".into()).into());
    }
    if from == to {
        return Err(UserError::Conflict(format!("the hypothesis is already {}", to.as_str())).into());
    }
    if to.needs_outcome() && outcomes == 0 {
        return Err(Error::invalid(
            "outcomes",
            format!("moving a hypothesis to {} needs at least one experiment", to.as_str()),
        ));
    }
    Ok(())
}

fn status_triples(hypothesis_iri: &str, status: HypothesisStatus) -> String {
    let mut f = Facts::new();
    f.link(hypothesis_iri, hyp::STATUS, status.iri());
    to_ntriples(&f)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn status_change(
    store: &Store,
    hypothesis_key: &str,
    from: HypothesisStatus,
    to: HypothesisStatus,
    agent: &str,
    credential: &str,
    outcomes: &[String],
    note: Option<&str>,
) -> Result<ResearchWrite> {
    let base = store.base();
    let time = fields::now_rfc3339();
    let h_iri = base.iri(RecordKind::Hypothesis.segment(), hypothesis_key);
    let key = RecordKind::StatusChange.key(&format!(
        "{hypothesis_key}\n{}\n{}\n{agent}\n{time}\n{outcomes:?}",
        from.as_str(),
        to.as_str()
    ));
    let iri = base.iri(RecordKind::StatusChange.segment(), &key);
    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::STATUS_CHANGE);
    a.link(&iri, hyp::OF_HYPOTHESIS, &h_iri);
    a.link(&iri, hyp::FROM_STATUS, from.iri());
    a.link(&iri, hyp::TO_STATUS, to.iri());
    a.typed(&iri, prov::GENERATED_AT_TIME, &time, xsd::DATE_TIME);
    for o in outcomes {
        a.link(&iri, hyp::BASED_ON, &base.iri(RecordKind::Experiment.segment(), o));
    }
    if let Some(n) = note {
        a.text(&iri, hyp::NOTE, n);
    }
    let mut w = nanopub_graphs(store, &key, &iri, (agent, credential), &time, a, Facts::new());
    w.push((base.nanopub_graph(hypothesis_key, "status"), status_triples(&h_iri, to)));
    Ok(ResearchWrite {
        key,
        graphs: w,
        doc: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use HypothesisStatus::*;
        assert!(check_transition(Proposed, Testing, 0).is_ok());
        assert!(check_transition(Testing, Supported, 0).is_err());
        assert!(check_transition(Testing, Supported, 1).is_ok());
        assert!(check_transition(Testing, Inconclusive, 0).is_ok());
        assert!(check_transition(Supported, Proposed, 1).is_err());
        assert!(check_transition(Refuted, Refuted, 1).is_err());
        assert!(check_transition(Refuted, Testing, 0).is_ok());
    }
}
