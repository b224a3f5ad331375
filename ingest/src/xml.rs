//! Shared XML plumbing for the XML formats other than JATS: a small element tree read with
//! quick-xml (bounded depth, DTD entities never expanded, external DTDs never fetched), and plain
//! text extraction.
//!
//! A tree can be read for a whole document ([`read_document`]) or for one element of a larger
//! stream ([`read_element`]), so that record-per-element formats never hold the whole file as a
//! tree.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Location, ParseError};
use crate::jats::{resolve_reference, unescape};
use crate::model::normalize_ws;

/// Deepest element nesting accepted; deeper input is an error rather than a stack risk.
pub const MAX_DEPTH: usize = 512;

/// An element: qualified name, unescaped attributes, children in document order.
#[derive(Debug, Default)]
pub(crate) struct Element {
    /// Qualified name as written (`mml:math`).
    pub name: String,
    /// Attributes, qualified names, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The name without namespace prefix.
    pub fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// An attribute by qualified name, or else by local name (`id` finds `xml:id`).
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| self.attrs.iter().find(|(k, _)| k.rsplit(':').next() == Some(key)))
            .map(|(_, v)| v.as_str())
    }

    /// Whether attribute `key` equals `value`, ignoring ASCII case and surrounding space.
    pub fn attr_is(&self, key: &str, value: &str) -> bool {
        self.attr(key).is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements with local name `local`.
    pub fn children_named<'s>(&'s self, local: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.elements().filter(move |e| e.local() == local)
    }

    /// The first child element with local name `local`.
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.local() == local)
    }

    /// The first descendant named `local`, in document order.
    pub fn find(&self, local: &str) -> Option<&Element> {
        self.elements()
            .find_map(|e| if e.local() == local { Some(e) } else { e.find(local) })
    }

    /// Outermost descendants whose local name is one of `names`, in document order.
    pub fn collect<'s>(&'s self, names: &[&str], out: &mut Vec<&'s Element>) {
        for e in self.elements() {
            if names.contains(&e.local()) {
                out.push(e);
            } else {
                e.collect(names, out);
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(Node::Text(last)) = self.children.last_mut() {
            last.push_str(text);
        } else {
            self.children.push(Node::Text(text.to_string()));
        }
    }
}

/// An error at byte `byte` of the source `name`.
pub(crate) fn error_at(name: &str, byte: u64, message: impl Into<String>) -> ParseError {
    ParseError::new(name, Location::byte(byte), message)
}

/// Turns a start tag into an element without children; `at` is its absolute byte offset.
pub(crate) fn open_element(name: &str, at: u64, e: &BytesStart<'_>) -> Result<Element, ParseError> {
    let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| error_at(name, at, format!("malformed attribute in `<{qname}>`: {err}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = unescape(&String::from_utf8_lossy(&attr.value));
        attrs.push((key, value));
    }
    Ok(Element {
        name: qname,
        attrs,
        children: Vec::new(),
    })
}

/// Reads, from `reader`, the content of the element whose start tag `start` was just read, up to
/// its end tag. `base` is the absolute offset of the reader's byte 0 in the source; `depth` is the
/// nesting depth of `start` itself (0 for a root).
pub(crate) fn read_element(
    reader: &mut Reader<&[u8]>,
    name: &str,
    base: u64,
    start: &BytesStart<'_>,
    depth: usize,
) -> Result<Element, ParseError> {
    let at = base + reader.buffer_position();
    let mut stack = vec![open_element(name, at, start)?];
    loop {
        let pos = base + reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| error_at(name, base + reader.error_position(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if stack.len() + depth >= MAX_DEPTH {
                    return Err(error_at(name, pos, format!("elements nested deeper than {MAX_DEPTH}")));
                }
                let element = open_element(name, pos, e)?;
                if matches!(event, Event::Empty(_)) {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(Node::Element(element));
                    }
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(error_at(name, pos, "closing tag without an open element"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => return Ok(element),
                }
            }
            Event::Text(t) => {
                let decoded = t
                    .decode()
                    .map_err(|e| error_at(name, pos, format!("undecodable text: {e}")))?;
                if let Some(top) = stack.last_mut() {
                    top.push_text(&decoded);
                }
            }
            Event::CData(t) => {
                let decoded = t
                    .decode()
                    .map_err(|e| error_at(name, pos, format!("undecodable CDATA: {e}")))?;
                if let Some(top) = stack.last_mut() {
                    top.push_text(&decoded);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = resolve_reference(&r).map_err(|m| error_at(name, pos, m))?;
                if let Some(top) = stack.last_mut() {
                    top.push_text(&resolved);
                }
            }
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => {
                let open = stack.last().map(|e| e.name.as_str()).unwrap_or_default();
                return Err(error_at(
                    name,
                    base + reader.buffer_position(),
                    format!("unexpected end of document: `<{open}>` is not closed"),
                ));
            }
        }
    }
}

/// Reads a whole document (`bytes` stand at offset `base` of the source `name`) into a tree; the
/// root's local name must satisfy `is_root`, else the error says the input is not a `kind`
/// document. The doctype is neither expanded nor fetched.
pub(crate) fn read_document(
    name: &str,
    bytes: &[u8],
    base: u64,
    kind: &str,
    is_root: impl Fn(&str) -> bool,
) -> Result<Element, ParseError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(error_at(
            name,
            base + e.valid_up_to() as u64,
            format!("invalid UTF-8 ({kind} must be UTF-8 here)"),
        ));
    }
    let mut reader = Reader::from_reader(bytes);
    let mut root: Option<Element> = None;
    loop {
        let pos = base + reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| error_at(name, base + reader.error_position(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(error_at(name, pos, "content after the root element"));
                }
                let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let local = qname.rsplit(':').next().unwrap_or(&qname);
                if !is_root(local) {
                    return Err(error_at(
                        name,
                        pos,
                        format!("not a {kind} document: root element is `{qname}`"),
                    ));
                }
                root = Some(if matches!(event, Event::Empty(_)) {
                    open_element(name, pos, e)?
                } else {
                    let e = e.to_owned();
                    read_element(&mut reader, name, base, &e, 0)?
                });
            }
            Event::End(_) => return Err(error_at(name, pos, "closing tag without an open element")),
            Event::Text(t) => {
                if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(error_at(name, pos, "text outside the root element"));
                }
            }
            Event::CData(_) | Event::GeneralRef(_) => {
                return Err(error_at(name, pos, "text outside the root element"));
            }
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    root.ok_or_else(|| error_at(name, base, format!("not a {kind} document: no root element")))
}

/// How to turn an element into plain text.
#[derive(Clone, Copy)]
pub(crate) struct TextRules {
    /// Elements left out, with their content.
    pub skip: &'static [&'static str],
    /// Elements whose text is separated from its neighbours by a space.
    pub blocks: &'static [&'static str],
    /// Put a space between every two adjacent elements.
    pub spaced: bool,
}

/// Plain text: every element inline, nothing skipped.
pub(crate) const INLINE: TextRules = TextRules {
    skip: &[],
    blocks: &[],
    spaced: false,
};

/// Whitespace-normalised plain text of `e` under `rules`.
pub(crate) fn text_with(e: &Element, rules: TextRules) -> String {
    let mut out = String::new();
    write_text(e, &mut out, rules);
    normalize_ws(&out)
}

/// Whitespace-normalised text of all of `e`, every element inline.
pub(crate) fn text(e: &Element) -> String {
    text_with(e, INLINE)
}

fn write_text(e: &Element, out: &mut String, rules: TextRules) {
    for node in &e.children {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(c) => {
                let local = c.local();
                if rules.skip.contains(&local) {
                    continue;
                }
                let block = rules.spaced || rules.blocks.contains(&local);
                if block {
                    out.push(' ');
                }
                write_text(c, out, rules);
                if block {
                    out.push(' ');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_errors() {
        let e = read_document("x", b"<a><b>t&amp;<c/>u</b></a>", 0, "test", |r| r == "a").unwrap();
        assert_eq!(text(&e), "t&u");
        let err = read_document("x", b"<a><b></a>", 10, "test", |r| r == "a").unwrap_err();
        assert!(err.message.contains("malformed"), "{err}");
        let err = read_document("x", b"<z/>", 10, "test", |r| r == "a").unwrap_err();
        assert_eq!(err.location, Location::byte(10));
        let err = read_document("x", b"<a>\xff</a>", 4, "test", |r| r == "a").unwrap_err();
        assert_eq!(err.location, Location::byte(7));
        let deep = format!("<a>{}{}</a>", "<b>".repeat(MAX_DEPTH + 1), "</b>".repeat(MAX_DEPTH + 1));
        let err = read_document("x", deep.as_bytes(), 0, "test", |r| r == "a").unwrap_err();
        assert!(err.message.contains("nested deeper"), "{err}");
        assert!(read_document("x", b"", 0, "test", |_| true).is_err());
    }

    #[test]
    fn years() {}
}
