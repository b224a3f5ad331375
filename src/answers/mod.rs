//! Answers an engine can cite: evidence packs of verified quotes, claims and full references,
//! and their JSON, JSON-LD and Markdown forms.

pub mod findings;
pub mod formats;
