//! The one integration test binary: real RocksDB, real tantivy, real hnsw_rs in temp dirs, and
//! the real embedding model where embeddings matter.

mod it;
