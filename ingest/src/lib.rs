//! Pure parsers from scholarly formats to one [`Paper`] model.
//!
//! Every parser takes bytes and a source name (for error messages) and yields one result per
//! record, so that one bad record never hides the good ones around it. Nothing here touches the
//! store, the network or the file system.
//!
//! **Invariant:** this crate has no dependency on storage, HTTP or embedding crates; a parse error
//! always says where (source, line or byte offset, field).

pub mod acl;
pub mod arxiv;
pub mod beir;
pub mod bibtex;
mod dates;
pub mod detect;
pub mod error;
pub mod jats;
mod json;
mod jsonl;
pub mod latex;
pub mod markdown;
pub mod medline;
pub mod model;
pub mod openalex;
pub mod pdf;
pub mod s2orc;
pub mod tei;
pub mod text;
mod textual;
pub mod unarxive;
pub mod xml;

pub use detect::{detect, Format};
pub use error::{Location, ParseError};
pub use model::{Author, CorpusId, Identifiers, Paper, Reference, Section, Subject};

/// One parsed record and where it stood in its source.
#[derive(Debug, Clone)]
pub struct Record {
    /// The paper the record describes.
    pub paper: Paper,
    /// Where the record starts in its source.
    pub location: Location,
}

/// The records of one source, each parsed or failed on its own.
pub type Records<'a> = Box<dyn Iterator<Item = Result<Record, ParseError>> + 'a>;

/// Parses `bytes` (the content of the source called `name`) as `format`.
pub fn parse<'a>(format: Format, name: &'a str, bytes: &'a [u8]) -> Records<'a> {
    match format {
        Format::BeirJsonl => Box::new(beir::parse(name, bytes)),
        Format::ArxivMetadata => Box::new(arxiv::parse(name, bytes)),
        Format::Jats => Box::new(jats::parse(name, bytes)),
        Format::Tei => Box::new(tei::parse(name, bytes)),
        Format::OpenAlex => Box::new(openalex::parse(name, bytes)),
        Format::Medline => Box::new(medline::parse(name, bytes)),
        Format::Bibtex => Box::new(bibtex::parse(name, bytes)),
        Format::Acl => Box::new(acl::parse(name, bytes)),
        Format::S2orc => Box::new(s2orc::parse(name, bytes)),
        Format::Unarxive => Box::new(unarxive::parse(name, bytes)),
        Format::Markdown => Box::new(markdown::parse(name, bytes)),
        Format::Text => Box::new(text::parse(name, bytes)),
        Format::Pdf => Box::new(pdf::parse(name, bytes)),
    }
}
