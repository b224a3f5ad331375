//! Body sections: the `sec` tree walked into headed sections of paragraphs, with the captions of
//! figures and tables in the section where they stand.

use super::plain::{caption_paragraph, text, BLOCK_CHILDREN, FLOATS, SKIP};
use crate::model::Section;
use crate::xml::Element;

pub(super) struct Walker {
    pub(super) sections: Vec<Section>,
    /// Heading for paragraphs met outside any `sec`.
    pub(super) loose_heading: &'static str,
}

impl Walker {
    pub(super) fn new(loose_heading: &'static str) -> Self {
        Walker {
            sections: Vec::new(),
            loose_heading,
        }
    }

    fn paragraph(&mut self, cur: &mut Option<usize>, depth: u8, text: String) {
        if text.is_empty() {
            return;
        }
        let index = match *cur {
            Some(i) if i < self.sections.len() => i,
            _ => {
                self.sections.push(Section {
                    heading: self.loose_heading.to_string(),
                    level: depth.max(1),
                    paragraphs: Vec::new(),
                });
                let i = self.sections.len() - 1;
                *cur = Some(i);
                i
            }
        };
        if let Some(section) = self.sections.get_mut(index) {
            section.paragraphs.push(text);
        }
    }

    /// Walks the block content of `container`, whose own sections are at `depth + 1`.
    pub(super) fn walk(&mut self, container: &Element, depth: u8, cur: &mut Option<usize>) {
        for child in container.elements() {
            match child.local() {
                "sec" => {
                    let level = depth.saturating_add(1);
                    let heading = child.child("title").map(text).filter(|t| !t.is_empty());
                    let heading = heading.or_else(|| child.child("label").map(text)).unwrap_or_default();
                    self.sections.push(Section {
                        heading,
                        level,
                        paragraphs: Vec::new(),
                    });
                    let mut inner = Some(self.sections.len() - 1);
                    self.walk(child, level, &mut inner);
                }
                "title" | "label" | "sec-meta" | "disp-formula" | "ref-list" | "kwd-group" => {}
                local if SKIP.contains(&local) => {}
                local if FLOATS.contains(&local) => self.float(child, depth, cur),
                "p" | "preformat" | "code" => self.paragraph_with_floats(child, depth, cur),
                _ if child.elements().any(|c| BLOCK_CHILDREN.contains(&c.local())) => self.walk(child, depth, cur),
                _ => self.paragraph_with_floats(child, depth, cur),
            }
        }
    }

    fn paragraph_with_floats(&mut self, p: &Element, depth: u8, cur: &mut Option<usize>) {
        self.paragraph(cur, depth, text(p));
        self.floats_within(p, depth, cur);
    }

    fn float(&mut self, float: &Element, depth: u8, cur: &mut Option<usize>) {
        match float.local() {
            "boxed-text" => self.walk(float, depth, cur),
            "fig-group" | "table-wrap-group" => {
                if let Some(p) = caption_paragraph(float) {
                    self.paragraph(cur, depth, p);
                }
                for member in float.elements().filter(|m| FLOATS.contains(&m.local())) {
                    self.float(member, depth, cur);
                }
            }
            _ => {
                if let Some(p) = caption_paragraph(float) {
                    self.paragraph(cur, depth, p);
                }
            }
        }
    }

    /// Figures and tables standing inside a paragraph, after its text.
    fn floats_within(&mut self, e: &Element, depth: u8, cur: &mut Option<usize>) {
        for child in e.elements() {
            if FLOATS.contains(&child.local()) {
                self.float(child, depth, cur);
            } else {
                self.floats_within(child, depth, cur);
            }
        }
    }
}
