//! Retraction and correction links: `related-article` elements of the front matter whose
//! `related-article-type` names a notice. `retracted-article`, `corrected-article`,
//! `updated-article` and `object-of-concern` stand in the notice and name the article it is
//! about (this record is the notice); `retraction-forward`, `correction-forward` and
//! `expression-of-concern` stand in the article and name the notice about it. The other
//! article's identifiers come from `xlink:href` (a DOI, `info:doi/…`) and `pub-id` children, its
//! citation from `article-title`.

use super::ids::{add_id, doi};
use super::plain::text;
use crate::model::{Identifiers, Notice, NoticeKind, NoticeRole, PublicationStatus};
use crate::xml::Element;

/// The notices the front matter links to.
pub(super) fn status(front: &Element) -> PublicationStatus {
    let mut links = Vec::new();
    front.collect(&["related-article"], &mut links);
    PublicationStatus {
        retracted: false,
        notices: links.into_iter().filter_map(notice).collect(),
    }
}

fn notice(link: &Element) -> Option<Notice> {
    let kind_label = link.attr("related-article-type")?.trim().to_ascii_lowercase();
    let role = if kind_label.ends_with("-forward") || kind_label == "expression-of-concern" {
        NoticeRole::NoticeIn
    } else if kind_label.ends_with("-article") || kind_label == "object-of-concern" {
        NoticeRole::NoticeOf
    } else {
        return None;
    };
    let kind = NoticeKind::from_label(&kind_label)?;
    let mut other = Identifiers::default();
    if let Some(href) = link.attr("href") {
        other.doi = doi(href);
    }
    for id in link.children_named("pub-id") {
        add_id(&mut other, id.attr("pub-id-type").unwrap_or_default(), &text(id));
    }
    let citation = link.child("article-title").map(text).filter(|t| !t.is_empty());
    Some(Notice {
        kind,
        role,
        other,
        citation,
        date: None,
    })
}
