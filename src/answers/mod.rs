//! Answers an engine can cite: evidence packs of verified sentence-level quotes, claims with
//! their stance to the question, full references, and their JSON, JSON-LD and Markdown forms.

pub mod eval;
pub mod evidence;
pub mod findings;
pub mod formats;
pub mod stance;
