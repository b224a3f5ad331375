mod common;
mod embedding;
mod http;
mod ingest;
mod queries;
mod recovery;
mod retrieval;
