//! A hypothesis' lineage: the earlier hypotheses it derives from (refines, combines,
//! contradicts), checked when it is proposed, and both directions of the edges when read.

use std::collections::{HashMap, HashSet};

use crate::common::error::{Error, Result, UserError};
use crate::common::ids::RecordKind;
use crate::common::vocab::prov;
use crate::ingest::facts::Facts;
use crate::store::queries::{self, select};
use crate::store::Store;

use super::answers::Derivation;
use super::helpers::key_of_iri;
use super::requests::{check_count, hypothesis_key_in, DerivationArg, DerivationRelation};

/// The parents a proposal names, as keys with their relation: each a hypothesis key or IRI
/// that is stored, none named twice, none the proposal itself (`own_key`). Every error names
/// the field and index (`derived_from[1].hypothesis`).
pub(super) fn parents(
    store: &Store,
    own_key: &str,
    derived_from: &[DerivationArg],
) -> Result<Vec<(String, DerivationRelation)>> {
    check_count("derived_from", derived_from.len())?;
    let mut out: Vec<(String, DerivationRelation)> = Vec::with_capacity(derived_from.len());
    for (i, d) in derived_from.iter().enumerate() {
        let field = format!("derived_from[{i}].hypothesis");
        let key = hypothesis_key_in(&field, &d.hypothesis)?;
        if key == own_key {
            return Err(Error::invalid(&field, "a hypothesis cannot derive from itself"));
        }
        if let Some(j) = out.iter().position(|(k, _)| *k == key) {
            return Err(Error::invalid(
                &field,
                format!("`{key}` is named already, as derived_from[{j}]"),
            ));
        }
        if !store.has_doc(&key)? {
            return Err(UserError::NotFound(format!("{field}: no hypothesis `{}`", d.hypothesis.trim())).into());
        }
        out.push((key, d.relation));
    }
    Ok(out)
}

/// The facts stating that `iri` derives from `parents`: `prov:wasDerivedFrom` and the typed
/// sub-property (`hyp:refines`, ...) for each.
pub(super) fn facts(a: &mut Facts, store: &Store, iri: &str, parents: &[(String, DerivationRelation)]) {
    for (key, relation) in parents {
        let parent = store.base().iri(RecordKind::Hypothesis.segment(), key);
        a.link(iri, prov::WAS_DERIVED_FROM, &parent);
        a.link(iri, relation.iri(), &parent);
    }
}

/// Every derivation edge of the store, by hypothesis key both ways.
#[derive(Debug, Default)]
pub(super) struct Lineage {
    parents: HashMap<String, Vec<Derivation>>,
    /// With each child's creation time, for reads as of a moment.
    children: HashMap<String, Vec<(Derivation, String)>>,
}

impl Lineage {
    /// Reads every edge (one query).
    pub(super) fn load(store: &Store) -> Result<Lineage> {
        let mut l = Lineage::default();
        let mut seen = HashSet::new();
        for r in select(store, queries::HYPOTHESIS_LINEAGE, &[])? {
            let (Some(child), Some(parent), Some(relation)) = (
                r.get("child").map(|c| key_of_iri(c)),
                r.get("parent").map(|p| key_of_iri(p)),
                r.get("relation").and_then(|x| DerivationRelation::from_iri(x)),
            ) else {
                continue;
            };
            if !seen.insert((child.clone(), parent.clone(), relation)) {
                continue;
            }
            l.parents.entry(child.clone()).or_default().push(Derivation {
                hypothesis: parent.clone(),
                relation,
            });
            l.children.entry(parent).or_default().push((
                Derivation {
                    hypothesis: child,
                    relation,
                },
                r.get("created").cloned().unwrap_or_default(),
            ));
        }
        Ok(l)
    }

    /// The hypotheses `key` derives from.
    pub(super) fn parents_of(&self, key: &str) -> Vec<Derivation> {
        self.parents.get(key).cloned().unwrap_or_default()
    }

    /// The hypotheses derived from `key`, oldest first, each with its creation time.
    pub(super) fn children_of(&self, key: &str) -> &[(Derivation, String)] {
        self.children.get(key).map_or(&[], Vec::as_slice)
    }
}
