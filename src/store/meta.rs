//! `hypatia.json`: what a data folder was created with (format, base IRI, and the embedding
//! model that made its vectors), checked on every open.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::files::write_atomically;
use super::StoreOptions;
use crate::common::error::{Error, Result};
use crate::embed::ModelIdentity;

/// The file's name in the data folder.
pub(crate) const META: &str = "hypatia.json";
/// The store format this build writes. 1: passages without versions; 2: each passage carries
/// its paper's digest; 3: the text index keeps passage keys in a column (older formats are
/// upgraded on open).
pub(crate) const FORMAT: u32 = 3;
/// The oldest format this build opens (and upgrades).
const OLDEST: u32 = 1;

/// What the data folder was created with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub format: u32,
    pub dim: usize,
    pub base_iri: String,
    /// The model that made the vectors; absent in stores written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelIdentity>,
}

/// A small JSON file of the data folder (`hypatia.json`, `reembed.json`): `None` when absent; a
/// file that does not parse is an error naming it.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::invalid("data_dir", format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Writes a small JSON file of the data folder atomically (temporary file, fsync, rename).
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    write_atomically(path, &serde_json::to_vec_pretty(value).map_err(Error::journal)?)
}

impl Meta {
    /// Reads the folder's file, `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Meta>> {
        read_json(&dir.join(META))
    }

    /// Writes the file atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        write_json(&dir.join(META), self)
    }

    /// The folder's meta, checked against `opts` (format, base IRI, model), or a new one when
    /// the folder holds no store yet (which needs a model). A store written before models were
    /// recorded adopts the model it is first opened with when the dimensions agree.
    pub fn open(dir: &Path, opts: &StoreOptions) -> Result<Meta> {
        let Some(mut meta) = Meta::read(dir)? else {
            let model = opts.model.clone().ok_or_else(|| {
                Error::not_found(format!("no Hypatia store in {}; ingest something first", dir.display()))
            })?;
            let meta = Meta {
                format: FORMAT,
                dim: model.dim,
                base_iri: opts.base.as_str().to_string(),
                model: Some(model),
            };
            meta.write(dir)?;
            return Ok(meta);
        };
        if !(OLDEST..=FORMAT).contains(&meta.format) {
            return Err(Error::invalid(
                "data_dir",
                format!(
                    "{} holds store format {}; this build reads formats {OLDEST} to {FORMAT}",
                    dir.display(),
                    meta.format
                ),
            ));
        }
        if meta.base_iri != opts.base.as_str() {
            return Err(Error::invalid(
                "base_iri",
                format!(
                    "{} uses base IRI {}, not {}",
                    dir.display(),
                    meta.base_iri,
                    opts.base.as_str()
                ),
            ));
        }
        let Some(given) = &opts.model else {
            return Ok(meta);
        };
        match &meta.model {
            Some(stored) if stored.same_space(given) => {}
            Some(stored) => {
                return Err(Error::invalid(
                    "model",
                    format!(
                        "{}'s vectors were made by {}; the model given is {}. Vectors of two models \
                         cannot be searched together: use the store's model (--model-dir), or rebuild \
                         the vectors in place with `hypatia --data-dir {} --model-dir NEW_MODEL reembed`",
                        dir.display(),
                        stored.describe(),
                        given.describe(),
                        dir.display()
                    ),
                ))
            }
            None if meta.dim != given.dim => {
                return Err(Error::invalid(
                    "model",
                    format!(
                        "{} was built with {}-dimensional embeddings; the model given ({}) makes {}: \
                         rebuild the vectors with `hypatia --data-dir {} --model-dir NEW_MODEL reembed`",
                        dir.display(),
                        meta.dim,
                        given.describe(),
                        given.dim,
                        dir.display()
                    ),
                ))
            }
            None => {
                tracing::warn!(
                    store = %dir.display(),
                    model = %given.describe(),
                    "the store does not record its embedding model (written by an older build); recording this one"
                );
                meta.model = Some(given.clone());
                meta.write(dir)?;
            }
        }
        Ok(meta)
    }
}
