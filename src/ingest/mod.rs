//! Files in, facts and passages out: input sources, the ingest pipeline (identity, passages,
//! facts, extraction, embedding, write), citation matching and the extraction glue.

pub mod citations;
pub mod extraction;
pub mod facts;
pub mod identity;
pub mod pipeline;
pub mod sources;
