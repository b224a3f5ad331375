//! Identifiers: `article-id` and `pub-id` values filed by their `pub-id-type` (DOI, PMID, PMCID,
//! arXiv), DOIs also from resolver URLs and `info:doi/` URIs.

use super::plain::text;
use crate::beir::normalize_pmcid;
use crate::model::{normalize_arxiv, normalize_doi, Identifiers};
use crate::xml::Element;

pub(super) fn article_ids(meta: &Element) -> Identifiers {
    let mut ids = Identifiers::default();
    for id in meta.children_named("article-id") {
        add_id(&mut ids, id.attr("pub-id-type").unwrap_or_default(), &text(id));
    }
    ids
}

/// Files `value` under the JATS `pub-id-type` `kind`; the first value of each kind wins.
pub(super) fn add_id(ids: &mut Identifiers, kind: &str, value: &str) {
    let (slot, normalized) = match kind.trim().to_ascii_lowercase().as_str() {
        "doi" => (&mut ids.doi, doi(value)),
        "pmid" => (
            &mut ids.pmid,
            Some(value.trim())
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string),
        ),
        "pmc" | "pmcid" => (&mut ids.pmcid, normalize_pmcid(value)),
        "arxiv" => (&mut ids.arxiv, normalize_arxiv(value)),
        _ => return,
    };
    if slot.is_none() {
        *slot = normalized;
    }
}

/// A DOI from a value, a resolver URL or an `info:doi/` URI.
pub(super) fn doi(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v.strip_prefix("info:doi/").unwrap_or(v);
    normalize_doi(v)
}
