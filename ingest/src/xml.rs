//! Shared XML plumbing for the XML formats (JATS, TEI, MEDLINE, ACL, …): a small element tree
//! read with quick-xml (bounded depth, DTD entities never expanded, external DTDs never fetched),
//! character references and the common named entities decoded, and plain text extraction.
//!
//! A tree can be read for a whole document ([`read_document`]) or for one element of a larger
//! stream ([`read_element`]), so that record-per-element formats never hold the whole file as a
//! tree.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Location, ParseError};
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
/// document (and names the `expected` root, if given). The doctype is neither expanded nor
/// fetched.
pub(crate) fn read_document(
    name: &str,
    bytes: &[u8],
    base: u64,
    kind: &str,
    expected: Option<&str>,
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
                    let expected = expected.map(|r| format!(", not `{r}`")).unwrap_or_default();
                    return Err(error_at(
                        name,
                        pos,
                        format!("not a {kind} document: root element is `{qname}`{expected}"),
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

/// The text a `&…;` reference stands for; unknown named entities stay as written.
pub(crate) fn resolve_reference(r: &BytesRef<'_>) -> Result<String, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => {
            let entity = r.decode().map_err(|e| format!("undecodable entity reference: {e}"))?;
            Ok(named_entity(&entity).map_or_else(|| format!("&{entity};"), str::to_string))
        }
        Err(e) => Err(format!("invalid character reference: {e}")),
    }
}

/// Decodes references in an attribute value; anything unrecognised is kept as written.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 32).and_then(|semi| {
            let entity = &after[..semi];
            let text = match entity.strip_prefix('#') {
                Some(num) => {
                    let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.filter(|&c| c != 0).and_then(char::from_u32).map(String::from)
                }
                None => named_entity(entity).map(str::to_string),
            }?;
            Some((text, semi))
        });
        match decoded {
            Some((text, semi)) => {
                out.push_str(&text);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The XML predefined entities and the common named entities of JATS/HTML texts.
pub(crate) fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        "nbsp" => "\u{a0}",
        "ensp" => "\u{2002}",
        "emsp" => "\u{2003}",
        "thinsp" => "\u{2009}",
        "hairsp" => "\u{200a}",
        "zwnj" => "\u{200c}",
        "zwj" => "\u{200d}",
        "shy" => "\u{ad}",
        "ndash" => "–",
        "mdash" => "—",
        "hyphen" | "dash" => "‐",
        "minus" => "−",
        "plus" => "+",
        "plusmn" | "pm" => "±",
        "times" => "×",
        "divide" | "div" => "÷",
        "equals" => "=",
        "ne" => "≠",
        "le" | "leq" => "≤",
        "ge" | "geq" => "≥",
        "lt2" => "≪",
        "asymp" | "approx" | "ap" => "≈",
        "sim" => "∼",
        "equiv" => "≡",
        "prop" => "∝",
        "infin" => "∞",
        "deg" => "°",
        "micro" => "µ",
        "middot" | "centerdot" => "·",
        "bull" | "bullet" => "•",
        "hellip" => "…",
        "prime" => "′",
        "Prime" => "″",
        "lsquo" => "‘",
        "rsquo" => "’",
        "sbquo" => "‚",
        "ldquo" => "“",
        "rdquo" => "”",
        "bdquo" => "„",
        "laquo" => "«",
        "raquo" => "»",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "sect" => "§",
        "para" => "¶",
        "dagger" => "†",
        "Dagger" => "‡",
        "permil" => "‰",
        "percnt" => "%",
        "num" => "#",
        "dollar" => "$",
        "ast" | "midast" => "*",
        "excl" => "!",
        "quest" => "?",
        "commat" => "@",
        "colon" => ":",
        "semi" => ";",
        "comma" => ",",
        "period" => ".",
        "sol" => "/",
        "bsol" => "\\",
        "verbar" | "vert" => "|",
        "lowbar" => "_",
        "lpar" => "(",
        "rpar" => ")",
        "lsqb" | "lbrack" => "[",
        "rsqb" | "rbrack" => "]",
        "lcub" | "lbrace" => "{",
        "rcub" | "rbrace" => "}",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "harr" => "↔",
        "lArr" => "⇐",
        "rArr" => "⇒",
        "hArr" => "⇔",
        "forall" => "∀",
        "part" => "∂",
        "exist" => "∃",
        "empty" => "∅",
        "nabla" => "∇",
        "isin" => "∈",
        "notin" => "∉",
        "sum" => "∑",
        "prod" => "∏",
        "radic" => "√",
        "cap" => "∩",
        "cup" => "∪",
        "sub" => "⊂",
        "sup" => "⊃",
        "and" => "∧",
        "or" => "∨",
        "not" => "¬",
        "int" => "∫",
        "there4" => "∴",
        "cent" => "¢",
        "pound" => "£",
        "euro" => "€",
        "yen" => "¥",
        "iexcl" => "¡",
        "iquest" => "¿",
        "szlig" => "ß",
        "aacute" => "á",
        "Aacute" => "Á",
        "agrave" => "à",
        "Agrave" => "À",
        "acirc" => "â",
        "Acirc" => "Â",
        "atilde" => "ã",
        "Atilde" => "Ã",
        "auml" => "ä",
        "Auml" => "Ä",
        "aring" => "å",
        "Aring" => "Å",
        "aelig" => "æ",
        "AElig" => "Æ",
        "ccedil" => "ç",
        "Ccedil" => "Ç",
        "eacute" => "é",
        "Eacute" => "É",
        "egrave" => "è",
        "Egrave" => "È",
        "ecirc" => "ê",
        "Ecirc" => "Ê",
        "euml" => "ë",
        "Euml" => "Ë",
        "iacute" => "í",
        "Iacute" => "Í",
        "igrave" => "ì",
        "Igrave" => "Ì",
        "icirc" => "î",
        "Icirc" => "Î",
        "iuml" => "ï",
        "Iuml" => "Ï",
        "ntilde" => "ñ",
        "Ntilde" => "Ñ",
        "oacute" => "ó",
        "Oacute" => "Ó",
        "ograve" => "ò",
        "Ograve" => "Ò",
        "ocirc" => "ô",
        "Ocirc" => "Ô",
        "otilde" => "õ",
        "Otilde" => "Õ",
        "ouml" => "ö",
        "Ouml" => "Ö",
        "oslash" => "ø",
        "Oslash" => "Ø",
        "uacute" => "ú",
        "Uacute" => "Ú",
        "ugrave" => "ù",
        "Ugrave" => "Ù",
        "ucirc" => "û",
        "Ucirc" => "Û",
        "uuml" => "ü",
        "Uuml" => "Ü",
        "yacute" => "ý",
        "Yacute" => "Ý",
        "yuml" => "ÿ",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" | "epsi" | "epsiv" | "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" | "thetav" | "thetasym" | "vartheta" => "θ",
        "iota" => "ι",
        "kappa" | "kappav" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "omicron" => "ο",
        "pi" | "piv" => "π",
        "rho" | "rhov" => "ρ",
        "sigma" => "σ",
        "sigmaf" | "sigmav" => "ς",
        "tau" => "τ",
        "upsilon" | "upsi" => "υ",
        "phi" | "phiv" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Alpha" => "Α",
        "Beta" => "Β",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Epsilon" => "Ε",
        "Zeta" => "Ζ",
        "Eta" => "Η",
        "Theta" => "Θ",
        "Iota" => "Ι",
        "Kappa" => "Κ",
        "Lambda" => "Λ",
        "Mu" => "Μ",
        "Nu" => "Ν",
        "Xi" => "Ξ",
        "Omicron" => "Ο",
        "Pi" => "Π",
        "Rho" => "Ρ",
        "Sigma" => "Σ",
        "Tau" => "Τ",
        "Upsilon" => "Υ",
        "Phi" => "Φ",
        "Chi" => "Χ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        _ => return None,
    })
}

/// How to turn an element into plain text.
#[derive(Clone, Copy)]
pub(crate) struct TextRules {
    /// Lists of elements left out, with their content.
    pub skip: &'static [&'static [&'static str]],
    /// `(parent, child)`: elements `child` left out when they stand directly in a `parent`.
    pub skip_in: &'static [(&'static str, &'static str)],
    /// Elements whose text is separated from its neighbours by a space.
    pub blocks: &'static [&'static str],
    /// Put a space around every element.
    pub spaced: bool,
    /// Put a space between two sibling elements with no text between them, except before the
    /// elements of `attached`.
    pub separated: bool,
    /// Elements never separated from what precedes them (`sup`, `sub`).
    pub attached: &'static [&'static str],
    /// Elements whose text is that of their descendants with each piece trimmed (MathML, where
    /// whitespace is layout).
    pub tokens: &'static [&'static str],
    /// Elements holding alternative renderings, each with the children never chosen: only the
    /// first other child element is written.
    pub choices: &'static [(&'static str, &'static [&'static str])],
}

/// Plain text: every element inline, nothing skipped.
pub(crate) const INLINE: TextRules = TextRules {
    skip: &[],
    skip_in: &[],
    blocks: &[],
    spaced: false,
    separated: false,
    attached: &[],
    tokens: &[],
    choices: &[],
};

/// Whitespace-normalised plain text of `e` under `rules`.
pub(crate) fn text_with(e: &Element, rules: TextRules) -> String {
    let mut out = String::new();
    write_children(e, &mut out, rules);
    normalize_ws(&out)
}

/// Whitespace-normalised text of all of `e`, every element inline.
pub(crate) fn text(e: &Element) -> String {
    text_with(e, INLINE)
}

fn write_children(e: &Element, out: &mut String, rules: TextRules) {
    let mut after_element = false;
    for node in &e.children {
        match node {
            Node::Text(t) => {
                out.push_str(t);
                if !t.trim().is_empty() {
                    after_element = false;
                }
            }
            Node::Element(c) => {
                let local = c.local();
                if rules.skip.iter().any(|list| list.contains(&local))
                    || rules.skip_in.iter().any(|&(p, l)| l == local && p == e.local())
                {
                    continue;
                }
                if rules.separated && after_element && !rules.attached.contains(&local) {
                    out.push(' ');
                }
                after_element = true;
                write_element(c, out, rules);
            }
        }
    }
}

fn write_element(e: &Element, out: &mut String, rules: TextRules) {
    let local = e.local();
    if rules.tokens.contains(&local) {
        write_tokens(e, out);
    } else if let Some((_, never)) = rules.choices.iter().find(|(c, _)| *c == local) {
        if let Some(choice) = e.elements().find(|a| !never.contains(&a.local())) {
            write_element(choice, out, rules);
        }
    } else {
        let block = rules.spaced || rules.blocks.contains(&local);
        if block {
            out.push(' ');
        }
        write_children(e, out, rules);
        if block {
            out.push(' ');
        }
    }
}

/// The text of every descendant, each piece trimmed.
fn write_tokens(e: &Element, out: &mut String) {
    for node in &e.children {
        match node {
            Node::Text(t) => out.push_str(t.trim()),
            Node::Element(c) => write_tokens(c, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_errors() {
        let e = read_document("x", b"<a><b>t&amp;<c/>u</b></a>", 0, "test", None, |r| r == "a").unwrap();
        assert_eq!(text(&e), "t&u");
        let err = read_document("x", b"<a><b></a>", 10, "test", None, |r| r == "a").unwrap_err();
        assert!(err.message.contains("malformed"), "{err}");
        let err = read_document("x", b"<z/>", 10, "test", None, |r| r == "a").unwrap_err();
        assert_eq!(err.location, Location::byte(10));
        let err = read_document("x", b"<a>\xff</a>", 4, "test", None, |r| r == "a").unwrap_err();
        assert_eq!(err.location, Location::byte(7));
        let deep = format!("<a>{}{}</a>", "<b>".repeat(MAX_DEPTH + 1), "</b>".repeat(MAX_DEPTH + 1));
        let err = read_document("x", deep.as_bytes(), 0, "test", None, |r| r == "a").unwrap_err();
        assert!(err.message.contains("nested deeper"), "{err}");
        assert!(read_document("x", b"", 0, "test", None, |_| true).is_err());
    }

    #[test]
    fn attribute_unescaping() {
        assert_eq!(
            unescape("a&amp;b &#x41;&#66; &alpha; &nope; & x; &#0; é&"),
            "a&b AB α &nope; & x; &#0; é&"
        );
    }

    #[test]
    fn years() {}
}
