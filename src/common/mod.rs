//! What every layer shares: identity, the vocabulary, the citable-passage model, errors, the
//! checks of request fields, configuration and the deterministic generator.

pub mod config;
pub mod error;
pub mod fields;
pub mod ids;
pub mod passages;
pub mod rng;
pub mod vocab;
