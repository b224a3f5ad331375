//! Small helpers the writes and reads share: an IRI as a term or a key, the space-separated
//! lists of query rows, and text normalised or clipped.

use oxigraph::model::{NamedNode, Term};

use crate::common::error::{Error, Result};

pub(super) fn node(iri: &str) -> Result<Term> {
    Ok(NamedNode::new(iri).map_err(Error::graph)?.into())
}

pub(super) fn key_of_iri(iri: &str) -> String {
    iri.rsplit('/').next().unwrap_or(iri).to_string()
}

pub(super) fn words(s: Option<&String>) -> Vec<String> {
    s.map(|s| s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

pub(super) fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

pub(super) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}
