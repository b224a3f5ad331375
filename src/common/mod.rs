//! What every layer shares: identity, the two clocks, the vocabulary, the citable-passage model, errors, the
//! checks of request fields, configuration, the deterministic generator, the logistic fit
//! the learned rankers share, work split over the cores, and how long operations are stopped and heard from.

pub mod clock;
pub mod config;
pub mod error;
pub mod fields;
pub mod ids;
pub mod logistic;
pub mod parallel;
pub mod passages;
pub mod rng;
pub mod vocab;
pub mod work;
