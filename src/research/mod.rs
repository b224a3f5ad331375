//! The research layer: gaps in the literature, agents' hypotheses and experiment runs (as
//! nanopublications), results tables imported as runs, and novelty checks.

pub mod gaps;
pub mod novelty;
mod records;
pub mod results_import;

pub use records::*;
