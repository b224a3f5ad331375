//! Durable file writes: a small file replaced whole, so that a crash leaves the old or the new
//! contents, never a mix (the journal, `hypatia.json`, the lexicon, vector snapshots).

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::common::error::{Error, Result};

/// Writes `bytes` to `path` through a temporary file, fsync and rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    if let Some(parent) = path.parent() {
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(parent, e))?;
    }
    Ok(())
}
