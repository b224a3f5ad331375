//! Retraction and correction notices in JSON work records, as Crossref writes them (and as
//! exports that merge Crossref metadata into other records carry them):
//!
//! - `update-to`: `[{"DOI": …, "type": "retraction", "updated": {"date-parts": [[2020, 1, 2]]}}]`,
//!   this record is a notice about each DOI;
//! - `updated-by`: the same shape, each DOI is a notice about this record;
//! - `relation`: `{"is-retraction-of": [{"id-type": "doi", "id": …}], "has-retraction": […]}`,
//!   a relation whose name says a notice kind (see [`NoticeKind::from_label`]); `…-of` names the
//!   record this one is a notice of, `has-…` and `…-by` a notice about this one.
//!
//! Entries of other types (`new_version`, `clarification` …) and without an identifier are left
//! out; a field of the wrong JSON type is a located error like any other.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::json::{opt_array, opt_object, opt_text};
use crate::jsonl::Line;
use crate::model::{normalize_doi, Identifiers, Notice, NoticeKind, NoticeRole};

/// The notices of a JSON work's `update-to`, `updated-by` and `relation` fields.
pub(crate) fn crossref(line: &Line<'_>, o: &Map<String, Value>) -> Result<Vec<Notice>, ParseError> {
    let mut out = Vec::new();
    for (field, role) in [
        ("update-to", NoticeRole::NoticeOf),
        ("updated-by", NoticeRole::NoticeIn),
    ] {
        for (i, u) in opt_array(line, o, field, field)?.iter().enumerate() {
            let Value::Object(u) = u else { continue };
            let path = format!("{field}[{i}]");
            let kind = opt_text(line, u, "type", &format!("{path}.type"))?
                .as_deref()
                .and_then(NoticeKind::from_label);
            let doi = opt_text(line, u, "DOI", &format!("{path}.DOI"))?.and_then(|d| normalize_doi(&d));
            let (Some(kind), Some(doi)) = (kind, doi) else { continue };
            out.push(Notice {
                kind,
                role,
                other: Identifiers {
                    doi: Some(doi),
                    ..Identifiers::default()
                },
                citation: opt_text(line, u, "label", &format!("{path}.label"))?,
                date: u.get("updated").and_then(crossref_date),
            });
        }
    }
    if let Some(relations) = opt_object(line, o, "relation", "relation")? {
        for name in relations.keys() {
            let (Some(kind), Some(role)) = (NoticeKind::from_label(name), relation_role(name)) else {
                continue;
            };
            for (i, t) in opt_array(line, relations, name, &format!("relation.{name}"))?
                .iter()
                .enumerate()
            {
                let Value::Object(t) = t else { continue };
                let path = format!("relation.{name}[{i}]");
                let id_type = opt_text(line, t, "id-type", &format!("{path}.id-type"))?;
                let id = opt_text(line, t, "id", &format!("{path}.id"))?;
                let doi = id
                    .filter(|_| id_type.as_deref().is_none_or(|k| k.eq_ignore_ascii_case("doi")))
                    .and_then(|d| normalize_doi(&d));
                if let Some(doi) = doi {
                    out.push(Notice {
                        kind,
                        role,
                        other: Identifiers {
                            doi: Some(doi),
                            ..Identifiers::default()
                        },
                        citation: None,
                        date: None,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Which end of a notice a relation's name makes this record: `is-retraction-of` names the
/// record this one retracts, `has-retraction` / `is-retracted-by` a notice about this one.
fn relation_role(name: &str) -> Option<NoticeRole> {
    if name.ends_with("-of") {
        Some(NoticeRole::NoticeOf)
    } else if name.starts_with("has-") || name.ends_with("-by") {
        Some(NoticeRole::NoticeIn)
    } else {
        None
    }
}

/// `{"date-parts": [[2020, 1, 2]]}` (else its `date-time` string) as an ISO date prefix.
fn crossref_date(v: &Value) -> Option<String> {
    let parts = v.get("date-parts").and_then(|p| p.get(0)).and_then(Value::as_array);
    let n = |i: usize| parts.and_then(|p| p.get(i)).and_then(Value::as_u64);
    let Some(year) = n(0)
        .and_then(|y| i32::try_from(y).ok())
        .filter(|y| (1000..3000).contains(y))
    else {
        let time = v.get("date-time")?.as_str()?;
        return crate::dates::leading_year(time).map(|_| time.chars().take(10).collect());
    };
    let month = n(1)
        .and_then(|m| u32::try_from(m).ok())
        .filter(|m| (1..=12).contains(m));
    let day = n(2)
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| (1..=31).contains(d));
    Some(crate::dates::iso_date(year, month, day.filter(|_| month.is_some())))
}
