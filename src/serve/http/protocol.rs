//! What the SPARQL 1.1 Protocol (query and update) and the Graph Store Protocol share: request
//! parameters, dataset IRIs, the RDF formats, and the endpoint's own IRI.

use actix_web::HttpRequest;
use oxigraph::io::RdfFormat;
use oxigraph::model::NamedNode;

use crate::common::error::{Error, Result};

/// The RDF formats graphs are read and written in, by media type.
pub(super) fn graph_formats() -> [(&'static str, RdfFormat); 6] {
    [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        ("application/rdf+xml", RdfFormat::RdfXml),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
        ("application/n-quads", RdfFormat::NQuads),
        ("application/trig", RdfFormat::TriG),
    ]
}

/// Parses `key=value` pairs of a query string or form body.
pub(super) fn pairs(s: &str) -> Result<Vec<(String, String)>> {
    serde_urlencoded::from_str(s).map_err(|e| Error::invalid("parameters", e.to_string()))
}

/// The IRIs given for a dataset parameter (`default-graph-uri`, `using-named-graph-uri`, ...).
pub(super) fn graphs(pairs: &[(String, String)], name: &str) -> Result<Vec<NamedNode>> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| NamedNode::new(v).map_err(|e| Error::invalid(name, format!("`{v}`: {e}"))))
        .collect()
}

/// The endpoint's own URL, against which relative IRIs of a query or update resolve (the
/// Protocol's retrieval URI; a query's or update's own `BASE` takes precedence).
pub(super) fn endpoint_iri(req: &HttpRequest) -> String {
    let c = req.connection_info();
    format!("{}://{}{}", c.scheme(), c.host(), req.path())
}
