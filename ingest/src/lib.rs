//! Pure parsers from scholarly formats to one [`Paper`] model.
//!
//! Every parser takes bytes and a source name (for error messages) and yields one result per
//! record, so that one bad record never hides the good ones around it. Nothing here touches the
//! store, the network or the file system.
//!
//! Large inputs are read as streams: [`archive`] gives the entries of plain files, gzip streams,
//! zip and tar archives one at a time within decompression limits, and [`stream`] cuts large
//! line-oriented dumps (and MEDLINE article sets) into chunks that [`parse_chunk`] parses with
//! locations in the whole source. The caller opens the files; this crate only reads what it is
//! given.
//!
//! **Invariant:** this crate has no dependency on storage, HTTP or embedding crates; a parse error
//! always says where (source, line or byte offset, field).

pub mod acl;
pub mod archive;
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
mod notices;
pub mod openalex;
pub mod pdf;
pub mod s2orc;
pub mod stream;
pub mod tei;
pub mod text;
mod textual;
pub mod unarxive;
pub mod xml;

pub use detect::{detect, json_lines, Format};
pub use error::{Location, ParseError};
pub use model::{
    Author, CorpusId, Identifiers, Notice, NoticeKind, NoticeRole, Paper, PublicationStatus, Reference, Section,
    Subject, Table,
};

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

/// Parses `bytes`, a chunk of a larger source (see [`stream`]), as `format`, with every record's
/// and error's location shifted by `base`, the location in the source that line 1, byte 0 of the
/// chunk stand for ([`stream::Chunk::base`]): lines by `base.line - 1`, bytes by `base.byte`.
pub fn parse_chunk<'a>(format: Format, name: &'a str, bytes: &'a [u8], base: &Location) -> Records<'a> {
    let base = base.clone();
    Box::new(parse(format, name, bytes).map(move |result| match result {
        Ok(mut record) => {
            record.location = shift(&record.location, &base);
            Ok(record)
        }
        Err(mut error) => {
            error.location = shift(&error.location, &base);
            Err(error)
        }
    }))
}

/// `location` (in a chunk) as a location in the source the chunk starts at `base` of.
fn shift(location: &Location, base: &Location) -> Location {
    Location {
        line: location.line.map(|l| l + base.line.unwrap_or(1).saturating_sub(1)),
        byte: location.byte.map(|b| b + base.byte.unwrap_or(0)),
    }
}
