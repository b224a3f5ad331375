//! The research layer: concepts and their co-occurrence neighbourhoods, gaps in the literature,
//! agents' hypotheses and experiment runs (as nanopublications), results tables imported as
//! runs, novelty checks, and the gate that refuses a repeat of a dead end.

pub mod concepts;
pub mod gaps;
pub mod gate;
pub mod novelty;
mod records;
pub mod results_import;

pub use records::*;
