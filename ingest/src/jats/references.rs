//! References: each `ref` of the back matter as a [`Reference`], from its structured citation when
//! there is one (title, source, year, identifiers, authors) and its printed text.

use super::ids::{add_id, doi};
use super::plain::{text, FLOATS, SEPARATED, SKIP};
use crate::dates::leading_year;
use crate::model::{normalize_arxiv, normalize_doi, Identifiers, Reference};
use crate::xml::{text_with, Element, TextRules};

const CITATIONS: &[&str] = &["element-citation", "mixed-citation", "nlm-citation", "citation"];

/// The printed text of a citation: adjacent elements separated, labels left out.
const CITATION: TextRules = TextRules {
    skip: &[SKIP, FLOATS, &["label"]],
    ..SEPARATED
};

pub(super) fn reference(r: &Element) -> Reference {
    let mut citations = Vec::new();
    r.collect(CITATIONS, &mut citations);
    let structured = ["element-citation", "nlm-citation", "citation", "mixed-citation"]
        .iter()
        .find_map(|kind| citations.iter().copied().find(|c| c.local() == *kind));
    let label = r
        .child("label")
        .or_else(|| structured.and_then(|s| s.child("label")))
        .map(text)
        .filter(|l| !l.is_empty())
        .or_else(|| r.attr("id").map(str::to_string));
    let Some(cite) = structured else {
        let raw = text_with(r, CITATION);
        return Reference {
            label,
            raw: (!raw.is_empty()).then_some(raw),
            ..Reference::default()
        };
    };
    let printed = citations
        .iter()
        .copied()
        .find(|c| c.local() == "mixed-citation")
        .unwrap_or(cite);
    let raw = text_with(printed, CITATION);

    let work_title = cite
        .child("article-title")
        .or_else(|| cite.child("chapter-title"))
        .or_else(|| cite.find("article-title"))
        .map(text)
        .filter(|t| !t.is_empty());
    let source = cite
        .child("source")
        .or_else(|| cite.find("source"))
        .map(text)
        .filter(|t| !t.is_empty());
    let (title, venue) = match work_title {
        Some(t) => (Some(t), source),
        None => (source, None),
    };
    let year = cite.find("year").and_then(|y| leading_year(&text(y)));

    let mut ids = Identifiers::default();
    let mut pub_ids = Vec::new();
    cite.collect(&["pub-id", "object-id", "ext-link", "uri"], &mut pub_ids);
    for id in &pub_ids {
        if matches!(id.local(), "pub-id" | "object-id") {
            add_id(&mut ids, id.attr("pub-id-type").unwrap_or_default(), &text(id));
            continue;
        }
        let href = id.attr("href").map(str::to_string).unwrap_or_else(|| text(id));
        if id.attr_is("ext-link-type", "doi") {
            ids.doi = ids.doi.take().or_else(|| doi(&href)).or_else(|| doi(&text(id)));
        } else if let Some(d) = doi_in(&href) {
            ids.doi = ids.doi.take().or(Some(d));
        } else if let Some(a) = href.split("arxiv.org/abs/").nth(1) {
            ids.arxiv = ids.arxiv.take().or_else(|| normalize_arxiv(a));
        }
    }
    if ids.doi.is_none() {
        ids.doi = doi_in(&raw);
    }

    Reference {
        label,
        ids,
        title,
        authors: reference_authors(cite),
        year,
        venue,
        raw: (!raw.is_empty()).then_some(raw),
    }
}

/// A DOI written after `doi:`, `doi.org/` or `info:doi/` somewhere in `s`.
fn doi_in(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    ["doi.org/", "info:doi/", "doi: ", "doi:"].iter().find_map(|marker| {
        let at = lower.find(marker)? + marker.len();
        let rest = lower.get(at..)?;
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let candidate = rest.get(..end)?.trim_end_matches(['.', ',', ';', ')', ']']);
        normalize_doi(candidate).filter(|d| d.contains('/'))
    })
}

/// "Surname Given" for each author of a citation: its author `person-group`, else the names
/// leading the citation (names after the title, such as "In: Editor E, editor", are not authors).
fn reference_authors(cite: &Element) -> Vec<String> {
    let groups: Vec<&Element> = cite.children_named("person-group").collect();
    let leading_only = groups.is_empty();
    let holders: Vec<&Element> = if leading_only {
        vec![cite]
    } else {
        groups
            .into_iter()
            .filter(|g| {
                g.attr("person-group-type")
                    .is_none_or(|t| t.trim().eq_ignore_ascii_case("author"))
            })
            .collect()
    };
    let mut names = Vec::new();
    for holder in holders {
        for e in holder.elements() {
            let name = match e.local() {
                "name" => Some(surname_first(e)),
                "string-name" if e.child("surname").is_some() => Some(surname_first(e)),
                "string-name" | "collab" => Some(text(e)),
                "name-alternatives" => e.child("name").map(surname_first),
                "etal" | "x" => None,
                _ if leading_only && !names.is_empty() => break,
                _ => None,
            };
            if let Some(n) = name.filter(|n| !n.is_empty()) {
                names.push(n);
            }
        }
    }
    names
}

fn surname_first(name: &Element) -> String {
    ["surname", "given-names", "suffix"]
        .iter()
        .filter_map(|p| name.child(p).map(text))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
