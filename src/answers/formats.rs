//! An evidence pack as an answer engine takes it: Markdown with footnoted full references, and
//! JSON-LD (schema.org and Web Annotation terms); the full reference of a paper as one line.

use super::findings::EvidencePack;
use super::stance::{Polarity, Stance};
use crate::store::papers::Reference;

/// The pack as Markdown: numbered quotes with footnotes holding the full references, ready to
/// paste into an answer.
pub fn to_markdown(pack: &EvidencePack) -> String {
    let mut md = format!("## Evidence: {}\n\n", pack.question.trim());
    if pack.papers.is_empty() {
        md.push_str("No passage in the store answers this.\n");
        return md;
    }
    let mut notes = String::new();
    for (n, paper) in pack.papers.iter().enumerate() {
        let n = n + 1;
        for q in &paper.passages {
            md.push_str(&format!(
                "- \"{}\" ({}, {}; {})[^{n}]\n",
                q.quote.replace('\n', " ").trim(),
                short_title(&paper.reference),
                q.section,
                stance_label(q.stance, q.polarity),
            ));
        }
        for c in &paper.claims {
            md.push_str(&format!(
                "  - claim ({}{}): \"{}\"[^{n}]\n",
                stance_label(c.stance, c.polarity),
                if c.hedged { ", hedged" } else { "" },
                c.quote.replace('\n', " ").trim()
            ));
        }
        let mark = if paper.retracted { "**Retracted.** " } else { "" };
        notes.push_str(&format!("[^{n}]: {mark}{}\n", full_reference(&paper.reference)));
    }
    if !pack.contradicting.is_empty() {
        md.push_str("\n### Contradicting evidence\n\n");
        for c in &pack.contradicting {
            md.push_str(&format!("- \"{}\"[^{}]\n", c.quote.replace('\n', " ").trim(), c.paper));
        }
    }
    md.push('\n');
    md.push_str(&notes);
    md
}

/// "supports", "contradicts", "related", or, when no stance can be told, the polarity under its
/// own name ("affirmative", "negative").
fn stance_label(stance: Option<Stance>, polarity: Polarity) -> String {
    match stance {
        Some(s) => s.name().to_string(),
        None => match polarity {
            Polarity::Affirmative => "affirmative".into(),
            Polarity::Negative => "negative".into(),
        },
    }
}

fn short_title(r: &Reference) -> String {
    match r.year {
        Some(y) => format!("{}, {y}", r.title),
        None => r.title.clone(),
    }
}

/// "Authors. Title. Venue, Year. Link": what a footnote or a bibliography shows.
pub fn full_reference(r: &Reference) -> String {
    let mut s = String::new();
    if !r.authors.is_empty() {
        let authors = if r.authors.len() > 6 {
            format!("{} et al.", r.authors[..6].join(", "))
        } else {
            r.authors.join(", ")
        };
        s.push_str(&authors);
        s.push_str(". ");
    }
    s.push_str(r.title.trim_end_matches('.'));
    s.push('.');
    match (&r.venue, r.year) {
        (Some(v), Some(y)) => s.push_str(&format!(" {v}, {y}.")),
        (Some(v), None) => s.push_str(&format!(" {v}.")),
        (None, Some(y)) => s.push_str(&format!(" {y}.")),
        (None, None) => {}
    }
    if let Some(link) = &r.link {
        s.push(' ');
        s.push_str(link);
    }
    s
}

/// The pack as JSON-LD with schema.org: each paper a `ScholarlyArticle`, each passage a
/// `Quotation` and each claim a `Claim`, both `isBasedOn` the paper and located by a
/// Web Annotation text-position selector.
pub fn to_jsonld(pack: &EvidencePack) -> serde_json::Value {
    use serde_json::json;
    let mut graph = Vec::new();
    let mut parts = Vec::new();
    for paper in &pack.papers {
        let r = &paper.reference;
        let mut article = json!({
            "@id": r.iri,
            "@type": "ScholarlyArticle",
            "name": r.title,
            "author": r.authors.iter().map(|a| json!({"@type": "Person", "name": a})).collect::<Vec<_>>(),
        });
        if let Some(y) = r.year {
            article["datePublished"] = json!(y.to_string());
        }
        if let Some(v) = &r.venue {
            article["isPartOf"] = json!({"@type": "Periodical", "name": v});
        }
        if let Some(d) = &r.doi {
            article["identifier"] = json!(format!("doi:{d}"));
        }
        if let Some(l) = &r.link {
            article["url"] = json!(l);
        }
        if paper.retracted {
            article["creativeWorkStatus"] = json!("Retracted");
        }
        graph.push(article);
        for q in &paper.passages {
            let id = format!("{}#quote", q.iri);
            parts.push(json!({"@id": id}));
            let mut quotation = json!({
                "@id": id,
                "@type": "Quotation",
                "text": q.quote,
                "isBasedOn": {"@id": r.iri},
                "hyp:polarity": q.polarity,
                "oa:hasSelector": {
                    "@type": "oa:TextPositionSelector",
                    "oa:start": q.start,
                    "oa:end": q.end,
                },
                "about": q.section,
            });
            if let Some(st) = q.stance {
                quotation["hyp:stance"] = json!(st);
            }
            graph.push(quotation);
        }
        for c in &paper.claims {
            parts.push(json!({"@id": c.claim}));
            let mut claim = json!({
                "@id": c.claim,
                "@type": "Claim",
                "text": c.quote,
                "isBasedOn": {"@id": r.iri},
                "hyp:polarity": c.polarity,
                "hyp:hedged": c.hedged,
                "oa:hasSelector": {
                    "@type": "oa:TextPositionSelector",
                    "oa:start": c.start,
                    "oa:end": c.end,
                },
            });
            if let Some(st) = c.stance {
                claim["hyp:stance"] = json!(st);
            }
            graph.push(claim);
        }
    }
    graph.push(json!({
        "@id": "_:pack",
        "@type": "ItemList",
        "name": pack.question,
        "itemListElement": parts,
    }));
    json!({
        "@context": {
            "@vocab": "http://schema.org/",
            "oa": "http://www.w3.org/ns/oa#",
            "hyp": crate::common::vocab::hyp::NS,
        },
        "@graph": graph,
    })
}
