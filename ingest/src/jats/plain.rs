//! Plain text of JATS elements: which elements are skipped, floated or blocks, the text rules of
//! running text and citations, and the caption paragraphs of figures and tables.

use crate::xml::{text_with, Element, TextRules};

/// Elements whose content is never text of the article.
pub(super) const SKIP: &[&str] = &[
    "graphic",
    "inline-graphic",
    "media",
    "object-id",
    "alt-text",
    "table",
    "permissions",
];

/// Elements that stand apart from the running text: only their caption is kept.
pub(super) const FLOATS: &[&str] = &[
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "supplementary-material",
    "boxed-text",
];

/// Elements whose text is separated from its neighbours by a space.
const BLOCKS: &[&str] = &[
    "p",
    "title",
    "label",
    "caption",
    "list",
    "list-item",
    "def-list",
    "def-item",
    "term",
    "def",
    "disp-quote",
    "sec",
    "tr",
    "td",
    "th",
    "disp-formula",
    "fn",
    "attrib",
    "statement",
    "address",
    "aff",
    "fig",
    "table-wrap",
    "supplementary-material",
    "boxed-text",
    "ref",
    "mixed-citation",
    "element-citation",
    "citation",
    "nlm-citation",
    "kwd",
];

/// Elements that hold paragraphs rather than running text.
pub(super) const BLOCK_CHILDREN: &[&str] = &[
    "p",
    "sec",
    "list",
    "list-item",
    "def-list",
    "def-item",
    "def",
    "disp-quote",
    "statement",
    "fn",
    "fn-group",
    "glossary",
    "caption",
    "preformat",
    "code",
    "speech",
    "verse-group",
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "supplementary-material",
    "boxed-text",
];

/// Running text: floats left out, formula labels left out, MathML as its tokens, one rendering of
/// `alternatives`.
pub(super) const RUNNING: TextRules = TextRules {
    skip: &[SKIP, FLOATS],
    skip_in: &[("disp-formula", "label"), ("inline-formula", "label")],
    blocks: BLOCKS,
    spaced: false,
    separated: false,
    attached: &["sup", "sub"],
    tokens: &["math"],
    choices: &[("alternatives", SKIP)],
};

/// Element-only citations and names: a space between adjacent elements.
pub(super) const SEPARATED: TextRules = TextRules {
    separated: true,
    ..RUNNING
};

/// Normalised plain text of `e`, floats left out.
pub(super) fn text(e: &Element) -> String {
    text_with(e, RUNNING)
}

/// `Table 1. Caption title. Caption text.` for a figure, table or supplementary file; `None`
/// when it has no caption text.
pub(super) fn caption_paragraph(float: &Element) -> Option<String> {
    let label = float.child("label").map(text).unwrap_or_default();
    let caption = caption_text(float.child("caption")?);
    if caption.is_empty() {
        return None;
    }
    Some(match label.as_str() {
        "" => caption,
        l if l.ends_with(['.', ':']) => format!("{l} {caption}"),
        l => format!("{l}. {caption}"),
    })
}

/// Caption text: the title (closed by a full stop) and the paragraphs of `caption`.
pub(super) fn caption_text(caption: &Element) -> String {
    let mut parts: Vec<String> = Vec::new();
    for child in caption.elements() {
        let t = text(child);
        if t.is_empty() {
            continue;
        }
        if child.local() == "title" && !t.ends_with(['.', '!', '?', ':']) {
            parts.push(format!("{t}."));
        } else {
            parts.push(t);
        }
    }
    if parts.is_empty() {
        text(caption)
    } else {
        parts.join(" ")
    }
}
