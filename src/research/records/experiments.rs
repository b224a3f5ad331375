//! Logging an experiment run: its outcome as facts linked to the hypothesis it tests, which a
//! run moves from proposed to testing.

use std::fmt::Write as _;

use oxigraph::model::{Literal, NamedNode};

use crate::common::error::{Error, Result};
use crate::common::fields;
use crate::common::ids::RecordKind;
use crate::common::vocab::{hyp, prov, rdf, schema, xsd};
use crate::embed::Embedder;
use crate::ingest::facts::Facts;
use crate::store::Store;

use super::actor::Actor;
use super::answers::{Experiment, Written};
use super::helpers::clip;
use super::hypotheses::status_change;
use super::nanopub::{nanopub, Record};
use super::reads::{current_status, experiment};
use super::requests::{check_count, record_key, NewExperiment};
use super::status::HypothesisStatus;

/// Logs an experiment run; its outcome becomes facts linked to the hypothesis it tests, and a
/// proposed hypothesis moves to testing (when the credential may change that hypothesis; a run
/// on another agent's hypothesis is logged and leaves its status alone). Logging the same run
/// again (same idempotency key, or same content and time) returns the stored run unchanged.
pub fn log_experiment(
    store: &Store,
    embedder: &dyn Embedder,
    actor: &Actor,
    x: &NewExperiment,
) -> Result<Written<Experiment>> {
    let agent = fields::agent(&x.agent)?;
    actor.check_agent(agent)?;
    let description = fields::text("description", &x.description)?;
    check_count("metrics", x.metrics.len())?;
    check_count("parameters", x.parameters.len())?;
    check_count("artefacts", x.artefacts.len())?;
    if let Some(n) = &x.notes {
        fields::text("notes", n)?;
    }
    for m in &x.metrics {
        if m.name.trim().is_empty() {
            return Err(Error::invalid("metrics.name", "must not be empty"));
        }
        if !m.value.is_finite() {
            return Err(Error::invalid(
                "metrics.value",
                format!("`{}` of {} is not a finite number", m.value, m.name),
            ));
        }
    }
    let time = match &x.time {
        Some(t) => fields::time(t)?.to_string(),
        None => fields::now_rfc3339(),
    };
    // Checked before an identical earlier run can answer for this one.
    let hypothesis_key = x
        .hypothesis
        .as_deref()
        .map(|h| record_key(RecordKind::Hypothesis, h))
        .transpose()?;
    let seed = match &x.idempotency_key {
        Some(k) => format!("{agent}\nkey\n{k}"),
        None => format!(
            "{agent}\n{description}\n{}\n{:?}\n{:?}\n{:?}\n{:?}\n{time}",
            x.status.as_str(),
            x.hypothesis,
            x.code_version,
            x.parameters,
            x.metrics
        ),
    };
    let key = RecordKind::Experiment.key(&seed);
    let _guard = store.research_lock();
    if store.has_doc(&key)? {
        return Ok(Written {
            record: experiment(store, &key)?,
            created: false,
        });
    }
    let hypothesis = match hypothesis_key {
        Some(k) => {
            let (status, owner) = current_status(store, &k)?;
            let movable = owner == agent || actor.may_change(&owner);
            Some((k, status, movable))
        }
        None => None,
    };
    let base = store.base();
    let iri = base.iri(RecordKind::Experiment.segment(), &key);
    let mut a = Facts::new();
    a.link(&iri, rdf::TYPE, hyp::EXPERIMENT);
    a.link(&iri, rdf::TYPE, prov::ACTIVITY);
    a.text(&iri, schema::DESCRIPTION, description);
    a.link(&iri, hyp::RUN_STATUS, x.status.iri());
    if let Some((h, _, _)) = &hypothesis {
        a.link(&iri, hyp::TESTS, &base.iri(RecordKind::Hypothesis.segment(), h));
    }
    if let Some(c) = &x.code_version {
        a.text(&iri, hyp::CODE_VERSION, c.trim());
    }
    for (i, (name, value)) in x.parameters.iter().enumerate() {
        let p = format!("{iri}#parameter-{i}");
        a.link(&iri, hyp::PARAMETER, &p);
        a.text(&p, hyp::NAME, name);
        a.add(&p, hyp::VALUE, Literal::new_simple_literal(value));
    }
    for (i, m) in x.metrics.iter().enumerate() {
        let n = format!("{iri}#measurement-{i}");
        a.link(&iri, hyp::MEASUREMENT, &n);
        a.text(&n, hyp::NAME, m.name.trim());
        a.typed(&n, hyp::VALUE, m.value, xsd::DOUBLE);
        if let Some(u) = &m.unit {
            a.text(&n, hyp::UNIT, u);
        }
        if let Some(s) = &m.split {
            a.text(&n, hyp::SPLIT, s);
        }
    }
    if let Some(n) = &x.notes {
        a.text(&iri, hyp::NOTE, n);
    }
    for l in &x.artefacts {
        match NamedNode::new(l.trim()) {
            Ok(n) => a.add(&iri, hyp::ARTEFACT, n),
            Err(_) => a.text(&iri, hyp::ARTEFACT, l),
        }
    }
    a.typed(&iri, prov::GENERATED_AT_TIME, &time, xsd::DATE_TIME);

    let title = format!("Experiment ({}): {}", x.status.as_str(), clip(description, 200));
    let mut body = vec![description.to_string()];
    let mut outcome = format!("Outcome: {}.", x.status.as_str());
    for m in &x.metrics {
        let _ = write!(outcome, " {} = {}", m.name, m.value);
        if let Some(u) = &m.unit {
            let _ = write!(outcome, " {u}");
        }
        if let Some(s) = &m.split {
            let _ = write!(outcome, " ({s})");
        }
        outcome.push(';');
    }
    body.push(outcome.trim_end_matches(';').to_string());
    if let Some(n) = &x.notes {
        body.push(n.clone());
    }
    if !x.parameters.is_empty() {
        let p: Vec<String> = x.parameters.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        body.push(format!("Parameters: {}.", p.join(", ")));
    }
    let w = nanopub(
        store,
        embedder,
        Record {
            key: &key,
            iri: &iri,
            kind: RecordKind::Experiment,
            agent,
            credential: &actor.credential,
            time: &time,
            title: &title,
            body,
            assertion: a,
        },
        Vec::new(),
    )?;
    store.put_research(w)?;
    if let Some((h, HypothesisStatus::Proposed, true)) = &hypothesis {
        let note = "an experiment testing it was logged";
        let w = status_change(
            store,
            h,
            HypothesisStatus::Proposed,
            HypothesisStatus::Testing,
            agent,
            &actor.credential,
            std::slice::from_ref(&key),
            Some(note),
        )?;
        store.put_research(w)?;
    }
    Ok(Written {
        record: experiment(store, &key)?,
        created: true,
    })
}
