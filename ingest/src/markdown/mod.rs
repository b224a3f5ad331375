//! Markdown papers, one paper per file (UTF-8, optional byte-order mark).
//!
//! **Front matter.** YAML between a first line `---` and the next `---` (or `...`) line may give
//! `title`, `author`/`authors` (a list, a list of `name:` mappings, or a string split at `;`, `,`
//! and ` and `), `year`, `date`, `doi`, `arxiv` (or `arxiv_id`, `eprint`), `venue` (or `journal`,
//! `booktitle`, `conference`), `keywords`/`tags` (list or comma string), `abstract`/`summary`
//! (plain, quoted or `|`/`>` block) and `license`; other keys are ignored. Only that subset of
//! YAML is read: `key: value` lines, flow lists `[a, b]`, block lists `- item` and indented
//! continuations. An unterminated front matter, a line that is not `key: value` and a `year` that
//! is not a year are errors naming the line and field.
//!
//! **Body.** Without a front-matter title the first `# ` heading (or `===` setext heading) is the
//! title. A heading `Abstract` makes its paragraphs the abstract (unless the front matter has
//! one); a heading `References` or `Bibliography` makes its paragraphs and list items references
//! (raw text, a leading `[n]` as label, DOIs, arXiv ids and a year found in the text); every other
//! ATX heading (`#`…`######`, level = number of `#`) or setext heading (`===` 1, `---` 2) starts a
//! section. Paragraphs before the first heading go into a section
//! [`BODY_HEADING`](crate::s2orc::BODY_HEADING). Paragraphs are separated by blank lines; each
//! list item is a paragraph of its own; block quotes keep their text; fenced code blocks, indented
//! code blocks (outside lists), HTML comments, thematic breaks, link reference definitions and
//! footnote definitions are dropped. **Tables** keep their text: each row (header included,
//! delimiter row dropped) becomes one paragraph whose cells are joined by ` | `.
//!
//! **Inline markup** is stripped: emphasis, strong and strike-through markers go, inline code
//! keeps its text verbatim, links (inline, reference-style and autolinks) keep their text, images
//! and footnote references are dropped, HTML tags are dropped (their content kept), backslash
//! escapes and the common HTML entities are resolved; whitespace is normalised.
//!
//! By file: `front_matter.rs` reads the YAML subset, `blocks.rs` cuts the body into headings and
//! paragraphs, `inline.rs` strips inline markup; the paper is put together here.

mod blocks;
mod front_matter;
mod inline;

use crate::arxiv::split_authors;
use crate::dates::{leading_year, year_in};
use crate::error::{Location, ParseError};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, Author, Identifiers, Paper, Section};
use crate::s2orc::BODY_HEADING;
use crate::textual;
use crate::Record;

use blocks::{blocks, Block};
use front_matter::{front_matter, Value};
use inline::inline;

/// Parses a Markdown paper; always exactly one result.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || convert(name, bytes))
}

/// Line starts (byte offsets) of `text`, for locations.
fn line_offsets(text: &str) -> Vec<u64> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i as u64 + 1))
        .collect()
}

fn convert(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let text = textual::decode(name, bytes)?;
    let offsets = line_offsets(text);
    let at = |line: usize| Location::line(line as u64 + 1, offsets.get(line).copied().unwrap_or(0));
    let lines: Vec<&str> = text.lines().collect();
    let (front, body_start) = front_matter(name, &lines, &at)?;
    let blocks = blocks(&lines[body_start..]);

    let get = |keys: &[&str]| front.iter().find(|(k, _, _)| keys.contains(&k.as_str()));
    let mut title = get(&["title"]).map(|(_, v, _)| inline(&v.text())).unwrap_or_default();
    let mut abstract_text = get(&["abstract", "summary"])
        .map(|(_, v, _)| v.text())
        .map(|a| {
            a.split("\n\n")
                .map(inline)
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .filter(|a| !a.is_empty());
    let authors: Vec<Author> = match get(&["authors", "author"]).map(|(_, v, _)| v) {
        Some(Value::List(items)) => items.iter().map(|a| Author::named(inline(a))).collect(),
        Some(Value::Text(t)) if t.contains(';') => t.split(';').map(inline).map(Author::named).collect(),
        Some(Value::Text(t)) => split_authors(&inline(t)),
        None => Vec::new(),
    }
    .into_iter()
    .filter(|a| !a.name.is_empty())
    .collect();
    let year = match get(&["year"]) {
        Some((_, v, line)) => Some(leading_year(&v.text()).ok_or_else(|| {
            ParseError::new(
                name,
                at(*line as usize - 1),
                format!("expected a year, found {:?}", v.text()),
            )
            .with_field("year")
        })?),
        None => None,
    };
    let date = get(&["date"]).map(|(_, v, _)| normalize_ws(&v.text()));
    let year = year.or_else(|| date.as_deref().and_then(year_in));
    let date = date.filter(|d| leading_year(d).is_some()).map(|d| {
        let iso: String = d
            .chars()
            .take(10)
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        iso.trim_end_matches('-').to_string()
    });
    let ids = Identifiers {
        doi: get(&["doi"]).and_then(|(_, v, _)| normalize_doi(&v.text())),
        arxiv: get(&["arxiv", "arxiv_id", "eprint"]).and_then(|(_, v, _)| normalize_arxiv(&v.text())),
        ..Identifiers::default()
    };
    let venue = get(&["venue", "journal", "booktitle", "conference"])
        .map(|(_, v, _)| inline(&v.text()))
        .filter(|v| !v.is_empty());
    let keywords: Vec<String> = match get(&["keywords", "tags"]).map(|(_, v, _)| v) {
        Some(Value::List(items)) => items.iter().map(|k| inline(k)).collect(),
        Some(Value::Text(t)) => t.split([',', ';']).map(inline).collect(),
        None => Vec::new(),
    }
    .into_iter()
    .filter(|k| !k.is_empty())
    .collect();
    let license = get(&["license", "licence"]).map(|(_, v, _)| inline(&v.text()));

    let mut title_taken = !title.is_empty();
    let mut sections: Vec<Section> = Vec::new();
    let mut abstract_paras: Vec<String> = Vec::new();
    let mut references = Vec::new();
    #[derive(PartialEq)]
    enum Target {
        Body,
        Abstract,
        References,
    }
    let mut target = Target::Body;
    for block in blocks {
        match block {
            Block::Heading(1, text) if !title_taken => {
                title = text;
                title_taken = true;
            }
            Block::Heading(level, text) => {
                if textual::is_abstract_heading(&text) {
                    target = Target::Abstract;
                } else if textual::is_references_heading(&text) {
                    target = Target::References;
                } else {
                    target = Target::Body;
                    sections.push(Section {
                        heading: text,
                        level,
                        paragraphs: Vec::new(),
                    });
                }
            }
            Block::Paragraph(text) => match target {
                Target::Abstract => abstract_paras.push(text),
                Target::References => references.extend(textual::reference_from(&text)),
                Target::Body => {
                    if sections.is_empty() {
                        sections.push(Section {
                            heading: BODY_HEADING.to_string(),
                            level: 1,
                            paragraphs: Vec::new(),
                        });
                    }
                    if let Some(s) = sections.last_mut() {
                        s.paragraphs.push(text);
                    }
                }
            },
        }
    }
    sections.retain(|s| !s.paragraphs.is_empty());
    if abstract_text.is_none() && !abstract_paras.is_empty() {
        abstract_text = Some(abstract_paras.join("\n\n"));
    }
    if title.is_empty() {
        return Err(
            ParseError::new(name, at(0), "no title: no front-matter `title` and no `# ` heading").with_field("title"),
        );
    }
    Ok(Record {
        paper: Paper {
            ids,
            title,
            authors,
            year,
            date,
            venue,
            abstract_text,
            sections,
            references,
            keywords,
            subjects: Vec::new(),
            license,
            tables: Vec::new(),
            status: Default::default(),
        },
        location: at(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/papers/markdown");

    fn paper(file: &str) -> Paper {
        let bytes = std::fs::read(format!("{DIR}/{file}")).unwrap();
        let mut records: Vec<_> = parse(file, &bytes).collect();
        assert_eq!(records.len(), 1);
        records.remove(0).unwrap().paper
    }

    #[test]
    fn readme_summary() {
        let p = paper("paper-summary.md");
        assert_eq!(p.title, "Attention Is All You Need");
        let names: Vec<&str> = p.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names[..3], ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]);
        assert_eq!(p.year, Some(2017));
        assert_eq!(p.date.as_deref(), Some("2017-06-12"));
        assert_eq!(p.ids.arxiv.as_deref(), Some("1706.03762"));
        assert_eq!(p.ids.doi.as_deref(), Some("10.48550/arxiv.1706.03762"));
        assert_eq!(p.venue.as_deref(), Some("NeurIPS 2017"));
        assert_eq!(p.keywords, ["transformers", "attention", "machine translation"]);
        assert!(p
            .abstract_text
            .as_deref()
            .unwrap()
            .starts_with("A hand-written summary"));
        let heads: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            heads,
            [
                ("Key idea", 2),
                ("Architecture", 2),
                ("Attention", 3),
                ("Results", 2),
                ("Notes", 2)
            ]
        );
        let key = &p.sections[0].paragraphs;
        assert_eq!(
            key[0],
            "The Transformer replaces recurrence with self-attention, so that every position attends to every other in one step."
        );
        assert_eq!(key[1], "No recurrence.");
        assert_eq!(key[2], "No convolution: only attention and feed-forward layers.");
        assert!(!p
            .sections
            .iter()
            .flat_map(|s| &s.paragraphs)
            .any(|t| t.contains("import torch")));
        let results = &p.sections[3].paragraphs;
        assert_eq!(results[0], "Task | BLEU");
        assert_eq!(results[1], "WMT 2014 En-De | 28.4");
        assert_eq!(
            p.sections[4].paragraphs,
            [
                "A setext heading, a quote and an HTML comment follow.".to_string(),
                "Quoted text stays.".to_string()
            ]
        );
        assert_eq!(p.references.len(), 2);
        assert_eq!(p.references[0].label.as_deref(), Some("1"));
        assert_eq!(p.references[0].ids.doi.as_deref(), Some("10.1162/neco.1997.9.8.1735"));
        assert_eq!(p.references[1].ids.arxiv.as_deref(), Some("1409.0473"));
    }

    #[test]
    fn without_front_matter() {
        let p = paper("no-front-matter.md");
        assert_eq!(p.title, "Notes on a Small Graph");
        assert_eq!(p.abstract_text.as_deref(), Some("We count citations by hand."));
        assert_eq!(p.sections[0].heading, "Body");
        assert_eq!(p.sections[0].paragraphs, ["Written by hand for the parser tests."]);
        assert_eq!((p.sections[1].heading.as_str(), p.sections[1].level), ("Method", 2));
        assert_eq!(
            (p.sections[2].heading.as_str(), p.sections[2].level),
            ("Setext section", 2)
        );
    }

    #[test]
    fn front_matter_shapes_and_errors() {
        let input = "---\ntitle: \"A: quoted\"\nauthors: Ada One, Ben Two and Cy Three\nkeywords: a, b\nabstract: >\n  First line\n  continues.\n\n  Second.\n---\nBody text.\n";
        let p = parse("a.md", input.as_bytes()).next().unwrap().unwrap().paper;
        assert_eq!(p.title, "A: quoted");
        assert_eq!(p.authors.len(), 3);
        assert_eq!(p.keywords, ["a", "b"]);
        assert_eq!(p.abstract_text.as_deref(), Some("First line continues.\n\nSecond."));
        let input = "---\ntitle: T\nauthors:\n  - name: Ada One\n    affiliation: X\n  - Ben Two\n---\n";
        let p = parse("a.md", input.as_bytes()).next().unwrap().unwrap().paper;
        assert_eq!(p.authors, [Author::named("Ada One"), Author::named("Ben Two")]);
        let e = parse("a.md", b"---\ntitle: T\n").next().unwrap().unwrap_err();
        assert_eq!((e.field.as_deref(), e.location.line), (Some("front matter"), Some(1)));
        let e = parse("a.md", b"---\ntitle: T\njunk line\n---\n")
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!((e.field.as_deref(), e.location.line), (Some("front matter"), Some(3)));
        let e = parse("a.md", b"---\ntitle: T\nyear: soon\n---\n")
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!((e.field.as_deref(), e.location), (Some("year"), Location::line(3, 13)));
        let e = parse("a.md", b"## Only a section\n\ntext").next().unwrap().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        let e = parse("a.md", b"# T\n\xc3").next().unwrap().unwrap_err();
        assert!(e.message.contains("UTF-8"));
        for input in [
            "# T\n```\nunclosed",
            "# T\n<!-- unclosed",
            "# T\n[a](b",
            "# T\n![",
            "# T\n<",
            "# T\n&#xffffffff;",
            "# T\n|",
            "# T\n- ",
            "# T\n1)",
            "# T\n`",
            "# T\n[^",
            "# T\n***\n___",
            "---\n---\n# é\n> \n>",
            "# T\n\\",
            "# T\n<!--->",
            "# T\n&;",
            "# T\n[x]:",
            "---\na:\n - \n---\n# T",
        ] {
            let _ = parse("x.md", input.as_bytes()).next().unwrap();
        }
    }
}
