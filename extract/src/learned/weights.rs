//! The heads' file: `HYPHEADS`, a little-endian `u32` header length, a JSON header (name,
//! scalar parameters, and each tensor's name, shape, dtype and byte offset in the data), then
//! the data (`f16` or `f32`, little-endian, row-major).

use std::collections::BTreeMap;
use std::fmt;

use ndarray::Array2;
use serde::Deserialize;
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"HYPHEADS";

/// A heads file that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightsError(pub String);

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "heads file: {}", self.0)
    }
}

impl std::error::Error for WeightsError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    /// SHA-256 of the embedding model file whose token states the heads were trained on.
    #[serde(default)]
    model_sha256: Option<String>,
    params: BTreeMap<String, f64>,
    tensors: Vec<TensorEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TensorEntry {
    name: String,
    shape: Vec<usize>,
    dtype: String,
    offset: usize,
}

pub(super) struct Weights<'a> {
    header: Header,
    data: &'a [u8],
    sha256: String,
}

impl<'a> Weights<'a> {
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Weights<'a>, WeightsError> {
        let err = |m: &str| WeightsError(m.to_string());
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(err("does not start with HYPHEADS"));
        }
        let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        let header = bytes.get(12..12 + len).ok_or_else(|| err("header runs past the end"))?;
        let header: Header = serde_json::from_slice(header).map_err(|e| WeightsError(format!("header: {e}")))?;
        Ok(Weights {
            header,
            data: &bytes[12 + len..],
            sha256: hex(&Sha256::digest(bytes)),
        })
    }

    pub(super) fn name(&self) -> &str {
        &self.header.name
    }

    pub(super) fn model_sha256(&self) -> Option<&str> {
        self.header.model_sha256.as_deref()
    }

    pub(super) fn params(&self) -> &BTreeMap<String, f64> {
        &self.header.params
    }

    pub(super) fn sha256(&self) -> &str {
        &self.sha256
    }

    pub(super) fn f32_param(&self, name: &str) -> Result<f32, WeightsError> {
        self.header
            .params
            .get(name)
            .map(|v| *v as f32)
            .ok_or_else(|| WeightsError(format!("parameter {name} is missing")))
    }

    pub(super) fn usize_param(&self, name: &str) -> Result<usize, WeightsError> {
        let v = self.f32_param(name)?;
        if v < 0.0 || v.fract() != 0.0 {
            return Err(WeightsError(format!("parameter {name} = {v} is not a count")));
        }
        Ok(v as usize)
    }

    fn floats(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, WeightsError> {
        let t = self
            .header
            .tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| WeightsError(format!("tensor {name} is missing")))?;
        if t.shape != shape {
            return Err(WeightsError(format!(
                "tensor {name} has shape {:?}, expected {shape:?}",
                t.shape
            )));
        }
        let n: usize = shape.iter().product();
        let width = match t.dtype.as_str() {
            "f16" => 2,
            "f32" => 4,
            other => return Err(WeightsError(format!("tensor {name} has dtype {other}"))),
        };
        let raw = self
            .data
            .get(t.offset..t.offset + n * width)
            .ok_or_else(|| WeightsError(format!("tensor {name} runs past the end")))?;
        Ok(if width == 2 {
            raw.chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect()
        } else {
            raw.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        })
    }

    pub(super) fn matrix(&mut self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>, WeightsError> {
        let v = self.floats(name, &[rows, cols])?;
        Ok(Array2::from_shape_vec((rows, cols), v).expect("length checked"))
    }

    pub(super) fn vector(&mut self, name: &str, len: usize) -> Result<Vec<f32>, WeightsError> {
        self.floats(name, &[len])
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// IEEE 754 half precision to single precision.
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // subnormal: normalise
            let mut e = 127 - 15 + 1;
            let mut f = f;
            while f & 0x400 == 0 {
                f <<= 1;
                e -= 1;
            }
            sign | ((e as u32) << 23) | ((f & 0x3ff) << 13)
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert_eq!(f16_to_f32(0x3555), 0.33325195);
        assert_eq!(f16_to_f32(0x0001), 5.9604645e-8);
        assert!(f16_to_f32(0x7c00).is_infinite());
    }

    #[test]
    fn a_file_without_the_magic_is_refused() {
        assert!(Weights::parse(b"not a heads file").is_err());
    }
}
