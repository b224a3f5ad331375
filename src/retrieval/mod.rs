//! Reading passages back for a question: BM25, vector and hybrid search with verified
//! citations, the learned reranker over hybrid's candidates, `SERVICE hyp:search` inside SPARQL,
//! and the retrieval evaluation.

pub mod eval;
pub mod ranked;
pub mod rerank;
pub mod search;
pub mod sparql_search;
