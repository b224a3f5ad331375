//! Citation resolution and paper identity: the keys by which a reference finds the paper it
//! cites, and by which two records of one paper (an arXiv preprint and its journal DOI, an
//! OpenAlex work and its JATS full text) find each other.
//!
//! A *match key* is one identifier in a canonical spelling (`doi:10.1/x`, `arxiv:1706.03762`,
//! `pmid:123`, …) or a fingerprint of normalised title, first author's family name and year
//! (`fp:…`). Papers carry theirs as `hyp:matchKey`, references as `hyp:refKey`; both are literals
//! the graph store indexes, so resolution in either direction is an index lookup.
//!
//! **Invariant:** keys are listed strongest first (DOI, arXiv, PubMed, PMC, ACL, OpenAlex, then
//! fingerprint), and resolution takes the first key that names a stored paper.

use hypatia_ingest::{Identifiers, Paper, Reference};

/// Prefixes of identifier keys, strongest first.
const ID_KINDS: [&str; 6] = ["doi", "arxiv", "pmid", "pmcid", "acl", "openalex"];

/// A fingerprint needs a title of at least this many words: short titles ("Introduction",
/// "Editorial") are shared by unrelated works.
const MIN_TITLE_WORDS: usize = 3;

/// The identifier keys of `ids`, strongest first.
pub fn id_keys(ids: &Identifiers) -> Vec<String> {
    let values = [&ids.doi, &ids.arxiv, &ids.pmid, &ids.pmcid, &ids.acl, &ids.openalex];
    ID_KINDS
        .iter()
        .zip(values)
        .filter_map(|(kind, v)| {
            let v = v.as_deref()?.trim();
            (!v.is_empty()).then(|| {
                let v = if *kind == "doi" {
                    v.to_lowercase()
                } else {
                    v.to_string()
                };
                format!("{kind}:{v}")
            })
        })
        .collect()
}

/// The match keys of a paper, strongest first.
pub fn paper_keys(paper: &Paper) -> Vec<String> {
    let mut keys = id_keys(&paper.ids);
    let first = paper
        .authors
        .first()
        .map(|a| a.family.clone().unwrap_or_else(|| family_name(&a.name)));
    keys.extend(fingerprint_key(&paper.title, first.as_deref(), paper.year));
    keys
}

/// The keys by which a reference looks for the paper it cites, strongest first.
pub fn reference_keys(r: &Reference) -> Vec<String> {
    let mut keys = id_keys(&r.ids);
    if let Some(title) = &r.title {
        let first = r.authors.first().map(|a| family_name(a));
        keys.extend(fingerprint_key(title, first.as_deref(), r.year));
    }
    keys
}

/// `fp:` + hash of normalised title and first author's family name, or of title and year when
/// no author is known; `None` when the title is too short or nothing else narrows it down.
/// The year is left out when there is an author: a preprint and its journal version, or a
/// reference and the work it cites, often disagree on it.
fn fingerprint_key(title: &str, family: Option<&str>, year: Option<i32>) -> Option<String> {
    let title = normalize_title(title);
    if title.split(' ').count() < MIN_TITLE_WORDS {
        return None;
    }
    let anchor = match (family.map(normalize_title).filter(|f| !f.is_empty()), year) {
        (Some(family), _) => family,
        (None, Some(y)) => format!("year {y}"),
        (None, None) => return None,
    };
    Some(format!(
        "fp:{}",
        &crate::common::ids::content_hash(&format!("{title}|{anchor}"))[..24]
    ))
}

/// Lower-case letters and digits, words separated by one space: what survives markup,
/// punctuation and case differences between two printings of one title.
pub fn normalize_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The family name in a printed name: before the comma of "Smith, J.", else the last word of
/// "Jane Smith".
pub fn family_name(name: &str) -> String {
    let name = name.trim();
    match name.split_once(',') {
        Some((family, _)) => family.trim().to_string(),
        None => name.split_whitespace().last().unwrap_or("").to_string(),
    }
}

/// Identifiers as parsed back from identifier keys (`doi:…` and so on); unknown keys are ignored.
pub fn ids_from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Identifiers {
    let mut ids = Identifiers::default();
    for key in keys {
        let Some((kind, value)) = key.split_once(':') else {
            continue;
        };
        let slot = match kind {
            "doi" => &mut ids.doi,
            "arxiv" => &mut ids.arxiv,
            "pmid" => &mut ids.pmid,
            "pmcid" => &mut ids.pmcid,
            "acl" => &mut ids.acl,
            "openalex" => &mut ids.openalex,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
    ids
}

/// `ours` completed by `theirs`: every identifier kind `ours` lacks is taken from `theirs`.
pub fn union_ids(ours: &Identifiers, theirs: &Identifiers) -> Identifiers {
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    Identifiers {
        doi: pick(&ours.doi, &theirs.doi),
        arxiv: pick(&ours.arxiv, &theirs.arxiv),
        pmid: pick(&ours.pmid, &theirs.pmid),
        pmcid: pick(&ours.pmcid, &theirs.pmcid),
        acl: pick(&ours.acl, &theirs.acl),
        openalex: pick(&ours.openalex, &theirs.openalex),
        corpus: ours.corpus.clone().or_else(|| theirs.corpus.clone()),
    }
}

/// How far a record's text can be trusted when two records of one paper meet, best last:
/// a record without body text (metadata, an abstract at most) < unstructured full text (PDF,
/// Markdown, plain text: extraction loses headings, hyphenation and layout) < structured full
/// text (JATS, GROBID TEI, S2ORC, unarXive: sections, references and offsets as the publisher
/// or parser marked them). Text length only decides between records of one rank.
pub fn source_rank(format: &str, has_body: bool) -> u8 {
    if !has_body {
        return 1;
    }
    match format {
        "jats" | "tei" | "s2orc" | "unarxive" => 3,
        _ => 2,
    }
}

/// Whether a record carries body text beyond its title and abstract.
pub fn has_body(p: &Paper) -> bool {
    p.sections
        .iter()
        .any(|s| s.paragraphs.iter().any(|t| !t.trim().is_empty()))
}

/// The order in which two records of one paper supply its content: source rank, then text.
pub fn quality(p: &Paper, format: &str) -> (u8, usize) {
    (source_rank(format, has_body(p)), p.title.len() + richness(p))
}

/// How much text a record carries: the richer of two records of one paper supplies the content.
pub fn richness(p: &Paper) -> usize {
    p.abstract_text.as_ref().map_or(0, String::len)
        + p.sections
            .iter()
            .flat_map(|s| &s.paragraphs)
            .map(String::len)
            .sum::<usize>()
}

/// One record from two records of the same paper (each with the format it was read from):
/// the better one's text (see [`quality`]), the union of their identifiers, and every field
/// the better one lacks taken from the other. Returns the merged record and its format.
pub fn merge_papers<'f>(a: (Paper, &'f str), b: (Paper, &'f str)) -> (Paper, &'f str) {
    let ((mut rich, format), (poor, _)) = if quality(&b.0, b.1) > quality(&a.0, a.1) {
        (b, a)
    } else {
        (a, b)
    };
    rich.ids = union_ids(&rich.ids, &poor.ids);
    if rich.title.is_empty() {
        rich.title = poor.title;
    }
    if rich.authors.is_empty() {
        rich.authors = poor.authors;
    }
    rich.year = rich.year.or(poor.year);
    rich.date = rich.date.or(poor.date);
    rich.venue = rich.venue.or(poor.venue);
    rich.abstract_text = rich.abstract_text.or(poor.abstract_text);
    if rich.references.is_empty() {
        rich.references = poor.references;
    }
    if rich.tables.is_empty() {
        rich.tables = poor.tables;
    }
    for k in poor.keywords {
        if !rich.keywords.contains(&k) {
            rich.keywords.push(k);
        }
    }
    for s in poor.subjects {
        if !rich.subjects.contains(&s) {
            rich.subjects.push(s);
        }
    }
    rich.license = rich.license.or(poor.license);
    // A retraction either record knows of stands whichever record's text wins.
    rich.status.retracted |= poor.status.retracted;
    for n in poor.status.notices {
        if !rich.status.notices.contains(&n) {
            rich.status.notices.push(n);
        }
    }
    (rich, format)
}

/// Fills the fields `paper` lacks from the stored record of the same paper.
pub fn fill_from_reference(paper: &mut Paper, r: &crate::store::papers::Reference) {
    if paper.title.is_empty() {
        paper.title = r.title.clone();
    }
    if paper.authors.is_empty() {
        paper.authors = r.authors.iter().map(hypatia_ingest::Author::named).collect();
    }
    paper.year = paper.year.or(r.year);
    if paper.date.is_none() {
        paper.date = r.date.clone();
    }
    if paper.venue.is_none() {
        paper.venue = r.venue.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hypatia_ingest::Author;

    fn paper(title: &str, author: &str, year: i32) -> Paper {
        Paper {
            title: title.into(),
            authors: vec![Author::named(author)],
            year: Some(year),
            ..Paper::default()
        }
    }

    #[test]
    fn keys_strongest_first() {
        let mut p = paper("Attention Is All You Need", "Ashish Vaswani", 2017);
        p.ids.arxiv = Some("1706.03762".into());
        p.ids.doi = Some("10.5555/ABC".into());
        let keys = paper_keys(&p);
        assert_eq!(keys[0], "doi:10.5555/abc");
        assert_eq!(keys[1], "arxiv:1706.03762");
        assert!(keys[2].starts_with("fp:"));
        assert_eq!(keys.len(), 3);
    }

    #[test]
    fn reference_fingerprint_matches_paper_across_printings() {
        let p = paper("Attention Is All You Need", "Ashish Vaswani", 2017);
        let r = Reference {
            title: Some("Attention is all you need.".into()),
            authors: vec!["Vaswani, A.".into(), "Shazeer, N.".into()],
            year: Some(2017),
            ..Reference::default()
        };
        assert_eq!(paper_keys(&p).last(), reference_keys(&r).last());
        let preprint_year = Reference {
            year: Some(2016),
            ..r.clone()
        };
        assert_eq!(paper_keys(&p).last(), reference_keys(&preprint_year).last());
        let other_author = Reference {
            authors: vec!["Smith, J.".into()],
            ..r.clone()
        };
        assert_ne!(paper_keys(&p).last(), reference_keys(&other_author).last());
    }

    #[test]
    fn short_or_unanchored_titles_get_no_fingerprint() {
        assert!(paper_keys(&paper("Introduction", "A B", 2000)).is_empty());
        let bare = Paper {
            title: "A long enough title here".into(),
            ..Paper::default()
        };
        assert!(
            paper_keys(&bare).is_empty(),
            "no author and no year: too weak to match on"
        );
        let dated = Paper {
            year: Some(2001),
            ..bare
        };
        assert_eq!(paper_keys(&dated).len(), 1);
    }

    #[test]
    fn ids_round_trip_through_keys() {
        let ids = Identifiers {
            doi: Some("10.1/x".into()),
            pmid: Some("42".into()),
            ..Identifiers::default()
        };
        let keys = id_keys(&ids);
        assert_eq!(ids_from_keys(keys.iter().map(String::as_str)), ids);
    }

    #[test]
    fn merge_keeps_richer_text_and_both_ids() {
        let mut preprint = paper("Deep Residual Learning", "Kaiming He", 2015);
        preprint.ids.arxiv = Some("1512.03385".into());
        preprint.abstract_text = Some("short".into());
        let mut journal = paper("Deep Residual Learning", "Kaiming He", 2016);
        journal.ids.doi = Some("10.1109/cvpr.2016.90".into());
        journal.abstract_text = Some("a much longer abstract than the preprint's".into());
        journal.venue = Some("CVPR".into());
        let (merged, _) = merge_papers((preprint, "arxiv"), (journal, "openalex"));
        assert_eq!(merged.ids.doi.as_deref(), Some("10.1109/cvpr.2016.90"));
        assert_eq!(merged.ids.arxiv.as_deref(), Some("1512.03385"));
        assert_eq!(merged.venue.as_deref(), Some("CVPR"));
        assert_eq!(merged.year, Some(2016));
    }

    #[test]
    fn structured_full_text_beats_a_longer_pdf_and_full_text_beats_metadata() {
        let mut jats = paper("Deep Residual Learning", "Kaiming He", 2016);
        jats.sections = vec![hypatia_ingest::Section {
            heading: "Introduction".into(),
            paragraphs: vec!["Deeper networks are harder to train.".into()],
            ..Default::default()
        }];
        let mut pdf = jats.clone();
        pdf.sections[0].paragraphs[0] =
            "Deeper net- works are harder to train, and the PDF's text layer adds page headers and footers.".into();
        let (merged, format) = merge_papers((jats.clone(), "jats"), (pdf.clone(), "pdf"));
        assert_eq!(
            (format, merged.sections[0].paragraphs[0].as_str()),
            ("jats", "Deeper networks are harder to train.")
        );
        let (_, format) = merge_papers((pdf.clone(), "pdf"), (jats, "jats"));
        assert_eq!(format, "jats", "whichever comes first");
        let mut metadata = paper("Deep Residual Learning", "Kaiming He", 2016);
        metadata.abstract_text = Some("A long abstract ".repeat(40));
        let (_, format) = merge_papers((metadata, "openalex"), (pdf, "pdf"));
        assert_eq!(format, "pdf", "full text beats a longer abstract-only record");
    }

    #[test]
    fn family_names() {
        assert_eq!(family_name("Smith, J."), "Smith");
        assert_eq!(family_name("Jane van Smith"), "Smith");
        assert_eq!(family_name(""), "");
    }
}
