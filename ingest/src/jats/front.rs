//! Front matter (`article-meta`, `journal-meta`): authors, publication date, abstract, keywords,
//! licence and venue.

use super::plain::{text, FLOATS, RUNNING, SEPARATED, SKIP};
use super::sections::Walker;
use crate::dates::{day_number, iso_date, leading_year, month_number};
use crate::model::Author;
use crate::xml::{text_with, Element, TextRules};

pub(super) fn authors(meta: &Element) -> Vec<Author> {
    let mut authors = Vec::new();
    for group in meta.children_named("contrib-group") {
        for contrib in group.children_named("contrib") {
            let kind = contrib.attr("contrib-type").or_else(|| group.attr("content-type"));
            if kind.is_some_and(|k| !k.trim().eq_ignore_ascii_case("author")) {
                continue;
            }
            let Some(mut author) = contrib_name(contrib) else {
                continue;
            };
            author.orcid = contrib
                .children_named("contrib-id")
                .find(|id| id.attr_is("contrib-id-type", "orcid"))
                .and_then(|id| orcid(&text(id)));
            authors.push(author);
        }
    }
    authors
}

fn contrib_name(contrib: &Element) -> Option<Author> {
    for e in contrib.elements() {
        let author = match e.local() {
            "name" => person_name(e),
            "name-alternatives" => e.elements().find_map(|n| match n.local() {
                "name" => person_name(n),
                "string-name" => string_name(n),
                _ => None,
            }),
            "string-name" => string_name(e),
            "collab" => collab_name(e).map(Author::named),
            "collab-alternatives" => e.child("collab").and_then(collab_name).map(Author::named),
            _ => continue,
        };
        if author.is_some() {
            return author;
        }
    }
    None
}

/// A `name` (surname, given-names, prefix, suffix) as an author.
fn person_name(name: &Element) -> Option<Author> {
    let part = |p: &str| name.child(p).map(text).filter(|t| !t.is_empty());
    let family = part("surname");
    let given = part("given-names");
    let eastern = name.attr_is("name-style", "eastern");
    let ordered = if eastern { [&family, &given] } else { [&given, &family] };
    let (prefix, suffix) = (part("prefix"), part("suffix"));
    let display: Vec<&str> = [
        prefix.as_ref(),
        ordered[0].as_ref(),
        ordered[1].as_ref(),
        suffix.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    let display = display.join(" ");
    if display.is_empty() {
        return None;
    }
    Some(Author {
        name: display,
        given,
        family,
        orcid: None,
    })
}

fn string_name(e: &Element) -> Option<Author> {
    if e.child("surname").is_some() {
        return person_name(e);
    }
    let t = text_with(e, SEPARATED);
    (!t.is_empty()).then(|| Author::named(t))
}

fn collab_name(e: &Element) -> Option<String> {
    let t = text_with(
        e,
        TextRules {
            skip: &[SKIP, FLOATS, &["contrib-group", "xref", "address", "email", "aff"]],
            ..RUNNING
        },
    );
    (!t.is_empty()).then_some(t)
}

/// The bare ORCID iD from an iD or an orcid.org URL.
fn orcid(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('/');
    let id = v.rsplit('/').next().unwrap_or(v).trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Year and ISO date of the preferred `pub-date`: electronic, then print, then any other.
pub(super) fn publication_date(meta: &Element) -> Option<(i32, String)> {
    let rank = |d: &Element| -> u8 {
        let kind = d
            .attr("pub-type")
            .or_else(|| d.attr("date-type"))
            .unwrap_or_default()
            .to_ascii_lowercase();
        let format = d.attr("publication-format").unwrap_or_default().to_ascii_lowercase();
        match (kind.as_str(), format.as_str()) {
            ("epub", _) | ("pub", "electronic") => 0,
            ("ppub", _) | ("epub-ppub", _) | ("pub", "print") => 1,
            ("pub", _) | ("", _) => 2,
            ("collection", _) => 4,
            ("pmc-release", _) | ("nihms-submitted", _) | ("ecorrected", _) | ("pcorrected", _) => 5,
            _ => 3,
        }
    };
    let mut best: Option<(u8, i32, String)> = None;
    for d in meta.children_named("pub-date") {
        let Some(year) = d.child("year").and_then(|y| leading_year(&text(y))) else {
            continue;
        };
        let r = rank(d);
        if best.as_ref().is_some_and(|(b, _, _)| *b <= r) {
            continue;
        }
        let month = d.child("month").and_then(|m| month_number(&text(m)));
        let day = d.child("day").and_then(|m| day_number(&text(m)));
        best = Some((r, year, iso_date(year, month, day)));
    }
    best.map(|(_, y, d)| (y, d))
}

/// The plain abstracts (those without `abstract-type`), else the first that is not a
/// table-of-contents blurb or graphical abstract, else the first; paragraphs joined by a blank
/// line, sub-section titles leading their first paragraph.
pub(super) fn abstract_text(meta: &Element) -> Option<String> {
    let all: Vec<&Element> = meta.children_named("abstract").collect();
    let plain: Vec<&Element> = all
        .iter()
        .copied()
        .filter(|a| a.attr("abstract-type").is_none())
        .collect();
    let chosen = if !plain.is_empty() {
        plain
    } else {
        let secondary = ["toc", "graphical", "teaser", "web-summary", "precis", "highlights"];
        all.iter()
            .copied()
            .find(|a| !secondary.iter().any(|s| a.attr_is("abstract-type", s)))
            .or_else(|| all.first().copied())
            .into_iter()
            .collect()
    };
    let mut paragraphs = Vec::new();
    for a in chosen {
        let mut walker = Walker::new("");
        walker.walk(a, 0, &mut None);
        for section in walker.sections {
            for (i, p) in section.paragraphs.into_iter().enumerate() {
                if i == 0 && !section.heading.is_empty() {
                    let sep = if section.heading.ends_with(['.', ':', '?', '!']) {
                        " "
                    } else {
                        ": "
                    };
                    paragraphs.push(format!("{}{sep}{p}", section.heading));
                } else {
                    paragraphs.push(p);
                }
            }
        }
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

pub(super) fn keywords(meta: &Element) -> Vec<String> {
    let mut kwds = Vec::new();
    for group in meta.children_named("kwd-group") {
        group.collect(&["kwd"], &mut kwds);
    }
    let mut out: Vec<String> = Vec::new();
    for k in kwds {
        let t = text(k);
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The licence URL (`@xlink:href`, `ali:license_ref`, or a licence link in the statement),
/// else the statement's text.
pub(super) fn license(meta: &Element) -> Option<String> {
    let license = meta.child("permissions").and_then(|p| p.find("license"))?;
    let href = license
        .attr("href")
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    let reference = || license.find("license_ref").map(text).filter(|t| !t.is_empty());
    let linked = || {
        let mut links = Vec::new();
        license.collect(&["ext-link", "uri"], &mut links);
        links
            .into_iter()
            .filter_map(|l| l.attr("href").map(str::to_string).or_else(|| Some(text(l))))
            .map(|h| h.trim().to_string())
            .find(|h| h.contains("creativecommons.org") || h.contains("/licenses/") || h.contains("/licence"))
    };
    href.or_else(reference)
        .or_else(linked)
        .or_else(|| Some(text(license)).filter(|t| !t.is_empty()))
}

pub(super) fn venue(journal_meta: &Element) -> Option<String> {
    journal_meta
        .find("journal-title")
        .or_else(|| journal_meta.find("abbrev-journal-title"))
        .map(text)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            journal_meta
                .children_named("journal-id")
                .find(|j| j.attr_is("journal-id-type", "nlm-ta"))
                .map(text)
                .filter(|t| !t.is_empty())
        })
}
