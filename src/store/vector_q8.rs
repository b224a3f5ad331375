//! The vectors the HNSW graph navigates by: each unit vector quantised to one signed byte a
//! component with its own scale, a quarter of the memory of `f32`. The graph's order is then
//! approximate, so a search re-scores its candidates exactly with the `f32` vectors read back
//! from the log ([`LogVectors`]), which stays the durable truth.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use hnsw_rs::prelude::Distance;

use super::vector_log::{decode_at, LogRecord, CORRUPT_LOG_REMEDY};
use crate::common::error::{Error, Result};

/// Bytes after the components: the vector's scale, an `f32` in little-endian order.
const SCALE_BYTES: usize = 4;

/// `v` as one byte a component, `round(127 · x / max|x|)`, followed by the scale
/// `max|x| / 127` that turns the bytes back into the vector.
pub(super) fn quantise(v: &[f32]) -> Vec<i8> {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 && max.is_finite() { max / 127.0 } else { 0.0 };
    let mut out: Vec<i8> = Vec::with_capacity(v.len() + SCALE_BYTES);
    out.extend(v.iter().map(|x| {
        if scale == 0.0 {
            0
        } else {
            (x / scale).round().clamp(-127.0, 127.0) as i8
        }
    }));
    out.extend(scale.to_le_bytes().map(|b| b as i8));
    out
}

fn split(q: &[i8]) -> (&[i8], f32) {
    let (components, tail) = q.split_at(q.len().saturating_sub(SCALE_BYTES));
    let mut bytes = [0u8; SCALE_BYTES];
    for (b, t) in bytes.iter_mut().zip(tail) {
        *b = *t as u8;
    }
    (components, f32::from_le_bytes(bytes))
}

/// Cosine distance (`1 - a·b`, at least 0) between two quantised unit vectors, the distance the
/// graph is built and searched with. Its name is written into the graph's dump: renaming it
/// makes older dumps unreadable (the graph is then rebuilt from the log).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct DistQ8;

impl Distance<i8> for DistQ8 {
    fn eval(&self, a: &[i8], b: &[i8]) -> f32 {
        let (ca, sa) = split(a);
        let (cb, sb) = split(b);
        (1.0 - hypatia_kernels::dot_i8(ca, cb) as f32 * sa * sb).max(0.0)
    }
}

/// Reads passage vectors back from the log by the offset of the record that added them: the
/// exact re-score of a search's candidates. Reads are positioned (`pread`), so searches share
/// one handle and appends go on beside them (records below the log's end never change).
pub(super) struct LogVectors {
    path: PathBuf,
    file: File,
}

impl LogVectors {
    pub(super) fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(LogVectors {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The vector of the `Add` record at `at`, whose key is `key_len` bytes long and whose
    /// vector has `dim` components.
    pub(super) fn vector_at(&self, at: u64, key_len: usize, dim: usize) -> Result<Vec<f32>> {
        // Frame (length, CRC) and the longest encoding of the record's other fields: variant,
        // id, key length, year, vector length (postcard varints).
        let most = 8 + 1 + 10 + 5 + key_len + 6 + 5 + 4 * dim;
        let mut buf = vec![0u8; most];
        let mut got = 0;
        while got < most {
            match self.file.read_at(&mut buf[got..], at + got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&self.path, e)),
            }
        }
        match decode_at(&buf[..got], 0) {
            Some((LogRecord::Add { vector, .. }, _)) if vector.len() == dim => Ok(vector),
            Some(_) => Err(Error::vector(format!(
                "{}: the id map points at byte {at} for a passage vector of dimension {dim}, and the \
                 record there is another; remove {} and reopen to rebuild the map from the log",
                self.path.display(),
                self.path.with_file_name("checkpoint").display()
            ))),
            None => Err(Error::vector(format!(
                "{} is corrupt at byte {at} (a passage vector's record fails its length or checksum); \
                 {CORRUPT_LOG_REMEDY}",
                self.path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::random_unit as unit;

    #[test]
    fn quantised_distance_is_close_to_the_exact_one() {
        for i in 0..200u64 {
            let (a, b) = (unit(i, 384), unit(i + 1000, 384));
            let exact = 1.0 - crate::embed::dot(&a, &b);
            let approx = DistQ8.eval(&quantise(&a), &quantise(&b));
            assert!((exact - approx).abs() < 0.01, "{exact} vs {approx}");
        }
        let a = unit(7, 384);
        assert!(
            DistQ8.eval(&quantise(&a), &quantise(&a)) < 0.002,
            "a vector is nearest itself"
        );
    }

    #[test]
    fn a_zero_vector_quantises_to_zeros_and_is_far_from_everything() {
        let z = quantise(&[0.0; 8]);
        assert!(z.iter().all(|b| *b == 0));
        assert_eq!(DistQ8.eval(&z, &quantise(&unit(1, 8))), 1.0);
    }
}
