//! Text embeddings: the [`Embedder`] seam, the real local model (fastembed on ONNX Runtime,
//! loaded from files set up by `scripts/setup.sh`), and a deterministic embedder for unit tests
//! of plumbing.
//!
//! **Invariant:** nothing here downloads anything. The model and the runtime come from local
//! files; when they are missing the error says which file and which command installs it.

use std::path::{Path, PathBuf};
use std::sync::{mpsc, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::common::error::{Error, InternalError, Result, UserError};
pub use hypatia_extract::learned::TokenStates;

/// Which model made a store's vectors: two models of the same dimension (all-MiniLM-L6-v2 and
/// bge-small-en-v1.5 both give 384) make vectors of different spaces, so a store records this
/// and refuses to be searched or written with another model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelIdentity {
    /// A name for people (the model folder's name).
    pub name: String,
    /// SHA-256 of the weights file (`model.onnx`), hex.
    pub weights_sha256: String,
    /// How token states become one vector: `mean`, `cls` (or the test embedder's own).
    pub pooling: String,
    /// The vectors' dimension.
    pub dim: usize,
}

impl ModelIdentity {
    /// Whether vectors of `other` live in the same space as this model's (the name aside: a
    /// renamed folder holds the same model).
    pub fn same_space(&self, other: &ModelIdentity) -> bool {
        self.weights_sha256 == other.weights_sha256 && self.pooling == other.pooling && self.dim == other.dim
    }

    /// One line for messages: name, weights hash prefix, pooling and dimension.
    pub fn describe(&self) -> String {
        format!(
            "{} (model.onnx sha256 {}…, {} pooling, {} dimensions)",
            self.name,
            self.weights_sha256.get(..12).unwrap_or(&self.weights_sha256),
            self.pooling,
            self.dim
        )
    }
}

/// Turns texts into unit-length vectors of one fixed dimension.
pub trait Embedder: Send + Sync {
    /// The vectors' dimension.
    fn dim(&self) -> usize;
    /// A name for reports ("all-MiniLM-L6-v2").
    fn name(&self) -> &str;
    /// Which model this is, as a store records it.
    fn identity(&self) -> ModelIdentity;
    /// Embeds a batch of texts, one vector each, in order.
    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>>;

    /// Embeds a batch of texts and keeps, for each, the token states of the same forward pass
    /// (for the learned extractor). An embedder without token states gives empty ones.
    fn embed_with_states(&self, texts: &[String]) -> Result<Vec<(Vec<f32>, TokenStates)>> {
        Ok(self
            .embed(texts)?
            .into_iter()
            .map(|v| (v, TokenStates::default()))
            .collect())
    }
}

/// The folder `scripts/setup.sh` fills: searched in the current directory and its ancestors,
/// then beside the executable and its ancestors, then in the source checkout the binary was
/// built from.
pub fn setup_dir() -> Option<PathBuf> {
    let mut starts: Vec<PathBuf> = Vec::new();
    starts.extend(std::env::current_dir().ok());
    starts.extend(
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf)),
    );
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    starts
        .iter()
        .flat_map(|s| s.ancestors())
        .map(|a| a.join(".hypatia"))
        .find(|d| d.is_dir())
}

/// Where the model and the ONNX Runtime library are.
#[derive(Debug, Clone, Default)]
pub struct ModelLocation {
    /// A folder with `model.onnx`, `tokenizer.json`, `config.json`, `special_tokens_map.json`
    /// and `tokenizer_config.json`; default `.hypatia/models/all-MiniLM-L6-v2`.
    pub model_dir: Option<PathBuf>,
    /// The ONNX Runtime shared library (>= 1.24); default `ORT_DYLIB_PATH`, then
    /// `.hypatia/onnxruntime/libonnxruntime.so.*`.
    pub ort_library: Option<PathBuf>,
    /// Threads ONNX Runtime may use for one batch; default all cores.
    pub threads: Option<usize>,
    /// Whether ONNX Runtime's threads spin while they wait for work between operators
    /// (`session.intra_op.allow_spinning`); default [`DEFAULT_SPINNING`].
    pub spinning: Option<bool>,
}

/// Whether ONNX Runtime's threads spin between operators unless told otherwise: ONNX Runtime's
/// own default. Spinning could take cores from the threads that parse and write during ingest,
/// but turning it off made no difference `benches/ingest_scifact.rs` could separate from run
/// order (`HYPATIA_ORT_SPINNING`); `benches/embed.rs` measures it alone.
pub const DEFAULT_SPINNING: bool = true;

const SETUP_HINT: &str = "run `bash scripts/setup.sh` in the Hypatia checkout, or pass --model-dir / --ort-library";
const MODEL_FILES: [&str; 5] = [
    "model.onnx",
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
];
/// The oldest ONNX Runtime that ort 2.0.0-rc.15 works with.
const MIN_ORT: (u32, u32) = (1, 24);

impl ModelLocation {
    /// The model folder to use.
    pub fn resolve_model_dir(&self) -> Result<PathBuf> {
        let dir = self
            .model_dir
            .clone()
            .or_else(|| std::env::var_os("HYPATIA_MODEL_DIR").map(PathBuf::from))
            .or_else(|| setup_dir().map(|d| d.join("models/all-MiniLM-L6-v2")))
            .ok_or_else(|| setup_error(format!("no embedding model found; {SETUP_HINT}")))?;
        for f in MODEL_FILES {
            if !dir.join(f).is_file() {
                return Err(setup_error(format!(
                    "model file {} is missing; {SETUP_HINT}",
                    dir.join(f).display()
                )));
            }
        }
        Ok(dir)
    }

    /// The ONNX Runtime library to load, checked for its version.
    pub fn resolve_ort_library(&self) -> Result<PathBuf> {
        let lib = self
            .ort_library
            .clone()
            .or_else(|| std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from))
            .or_else(|| setup_dir().and_then(|d| find_ort_in(&d.join("onnxruntime"))))
            .ok_or_else(|| setup_error(format!("no ONNX Runtime library found; {SETUP_HINT}")))?;
        if !lib.is_file() {
            return Err(setup_error(format!(
                "ONNX Runtime library {} does not exist; {SETUP_HINT}",
                lib.display()
            )));
        }
        if let Some(v) = ort_version(&lib) {
            if v < MIN_ORT {
                return Err(setup_error(format!(
                    "ONNX Runtime {}.{} at {} is too old (need >= {}.{}); {SETUP_HINT}",
                    v.0,
                    v.1,
                    lib.display(),
                    MIN_ORT.0,
                    MIN_ORT.1
                )));
            }
        }
        Ok(lib)
    }
}

fn setup_error(message: String) -> Error {
    UserError::Setup(message).into()
}

fn find_ort_in(dir: &Path) -> Option<PathBuf> {
    let mut libs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so"))
        })
        .collect();
    libs.sort();
    libs.pop()
}

/// The (major, minor) version in a library file name like `libonnxruntime.so.1.24.4`.
fn ort_version(lib: &Path) -> Option<(u32, u32)> {
    let name = lib.file_name()?.to_str()?;
    let v = name.split(".so.").nth(1)?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Loads ONNX Runtime once per process; later calls reuse the first library.
fn init_ort(lib: &Path) -> Result<()> {
    static ORT: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    ORT.get_or_init(|| {
        // Loading the library is all we need; ort creates its default environment from it when
        // the first session is built.
        ort::init_from(lib)
            .map(drop)
            .map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", lib.display()))
    })
    .clone()
    .map_err(setup_error)
}

/// What the worker hands back for one text: its vector, and its token states when asked for.
type Embedded = (Vec<f32>, Option<TokenStates>);

/// Texts, whether to keep token states, and where to send the result.
type Job = (Vec<String>, bool, mpsc::Sender<Result<Vec<Embedded>>>);

/// Requests of at most this many texts (queries) go to the query session, bigger ones (ingest
/// batches) to the bulk session: a search never waits for an ingest batch to be embedded.
const URGENT_TEXTS: usize = 8;

/// Texts per forward pass.
const BULK_SLICE: usize = 8;

/// The real model: fastembed's user-defined text embedding, two sessions of it on a worker
/// thread each, fed by a channel each (fastembed's `embed` takes `&mut self`, so a lock per
/// request would serialise callers anyway): bulk work on one with every core, queries on one
/// with one thread, so that a search beside a bulk ingest does not queue behind it.
pub struct FastEmbedder {
    urgent: crossbeam_channel::Sender<Job>,
    bulk: crossbeam_channel::Sender<Job>,
    dim: usize,
    name: String,
    identity: ModelIdentity,
    /// The model's tokenizer (a copy of the worker's, truncation included), for counting tokens
    /// without a trip to the worker.
    count: TokenCounter,
}

/// Counts the tokens each text becomes, special tokens included, after truncation.
type TokenCounter = Box<dyn Fn(&[&str]) -> Result<Vec<usize>> + Send + Sync>;

impl FastEmbedder {
    /// Loads the model described by `loc`.
    pub fn load(loc: &ModelLocation) -> Result<Self> {
        let dir = loc.resolve_model_dir()?;
        init_ort(&loc.resolve_ort_library()?)?;
        let read = |f: &str| std::fs::read(dir.join(f)).map_err(|e| Error::io(dir.join(f), e));
        let tokenizer = fastembed::TokenizerFiles {
            tokenizer_file: read("tokenizer.json")?,
            config_file: read("config.json")?,
            special_tokens_map_file: read("special_tokens_map.json")?,
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        let weights = read("model.onnx")?;
        let weights_sha256 = hex::encode(Sha256::digest(&weights));
        let pooling = pooling_of(&dir);
        let pooling_name = match pooling {
            fastembed::Pooling::Cls => "cls",
            _ => "mean",
        };
        let model = fastembed::UserDefinedEmbeddingModel::new(weights, tokenizer).with_pooling(pooling.clone());
        let threads = loc.threads.unwrap_or_else(crate::common::parallel::cores);
        let session = |threads: usize, spinning: bool| {
            let spinning = if spinning { "1" } else { "0" };
            let options = fastembed::InitOptionsUserDefined::new()
                .with_max_length(256)
                .with_intra_threads(threads)
                .with_session_config("session.intra_op.allow_spinning", spinning)
                .with_session_config("session.inter_op.allow_spinning", spinning);
            fastembed::TextEmbedding::try_new_from_user_defined(model.clone(), options)
                .map_err(|e| setup_error(format!("cannot load the model in {}: {e}", dir.display())))
        };
        let mut te = session(threads, loc.spinning.unwrap_or(DEFAULT_SPINNING))?;
        // Queries have a session of their own: one thread, not spinning (it idles between
        // queries), so a search runs beside a bulk ingest instead of waiting for its batch.
        let query_te = session(1, false)?;
        let dim = te
            .embed(["dimension probe"], None)
            .map_err(|e| Error::from(InternalError::Embedding(e.to_string())))?
            .first()
            .map_or(0, Vec::len);
        let tokenizer = te.tokenizer.clone();
        let count: TokenCounter = Box::new(move |texts: &[&str]| {
            tokenizer
                .encode_batch(texts.to_vec(), true)
                // A batch is padded to its longest text: count the tokens the mask keeps.
                .map(|encodings| {
                    encodings
                        .iter()
                        .map(|e| e.get_attention_mask().iter().filter(|&&m| m != 0).count())
                        .collect()
                })
                .map_err(|e| Error::from(InternalError::Embedding(format!("tokenizer: {e}"))))
        });
        let (urgent, urgent_rx) = crossbeam_channel::unbounded::<Job>();
        let (bulk, bulk_rx) = crossbeam_channel::unbounded::<Job>();
        for (name, te, jobs) in [("embedder", te, bulk_rx), ("query-embedder", query_te, urgent_rx)] {
            let pooling = pooling.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let mut model = Model { te, pooling };
                    work(&mut model, &jobs)
                })
                .map_err(|e| Error::io(name, e))?;
        }
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("model").to_string();
        Ok(FastEmbedder {
            urgent,
            bulk,
            identity: ModelIdentity {
                name: name.clone(),
                weights_sha256,
                pooling: pooling_name.to_string(),
                dim,
            },
            dim,
            name,
            count,
        })
    }

    /// How many tokens each text becomes (special tokens included, after truncation): what the
    /// model computes on, for throughput figures.
    pub fn count_tokens(&self, texts: &[&str]) -> Result<Vec<usize>> {
        (self.count)(texts)
    }
}

/// The model on the worker thread, and how it pools token states into one vector.
struct Model {
    te: fastembed::TextEmbedding,
    pooling: fastembed::Pooling,
}

/// An embedding worker: its session embeds the jobs of its queue in turn. Ends when the sender
/// is gone.
fn work(model: &mut Model, jobs: &crossbeam_channel::Receiver<Job>) {
    for (texts, states, reply) in jobs {
        let _ = reply.send(embed_by_length(model, &texts, states));
    }
}

/// Embeds texts in batches of similar length, so that a batch's padding (to its longest text)
/// wastes little: a title batched with abstracts would cost as much as an abstract. Returns the
/// vectors (and token states when `states`) in the order of `texts`.
fn embed_by_length(model: &mut Model, texts: &[String], states: bool) -> Result<Vec<Embedded>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let sorted: Vec<&str> = order.iter().map(|&i| texts[i].as_str()).collect();
    let mut embedded = Vec::with_capacity(texts.len());
    // ONNX Runtime's throughput per text barely changes between batches of 8 and 32 on CPU.
    for batch in sorted.chunks(BULK_SLICE) {
        embedded.extend(forward(model, batch, states)?);
    }
    let mut out = vec![(Vec::new(), None); texts.len()];
    for (e, &i) in embedded.into_iter().zip(&order) {
        out[i] = e;
    }
    Ok(out)
}

/// One forward pass over `batch`: the pooled, unit-length vector of each text (pooled here, as
/// fastembed's `embed` pools, from the same last hidden state), and its token states when asked.
fn forward(model: &mut Model, batch: &[&str], states: bool) -> Result<Vec<Embedded>> {
    let failed = |e: String| Error::from(InternalError::Embedding(e));
    let output = model
        .te
        .transform(batch, Some(batch.len()))
        .map_err(|e| failed(e.to_string()))?;
    let encodings = if states {
        model
            .te
            .tokenizer
            .encode_batch(batch.to_vec(), true)
            .map_err(|e| failed(format!("tokenizer: {e}")))?
    } else {
        Vec::new()
    };
    let precedence = [
        fastembed::OutputKey::ByName("last_hidden_state"),
        fastembed::OutputKey::OnlyOne,
    ];
    let mut out = Vec::with_capacity(batch.len());
    for b in output.into_raw() {
        let hidden = b.select_output(&&precedence[..]).map_err(|e| failed(e.to_string()))?;
        let shape = hidden.shape().to_vec();
        let [rows, len, dim] = shape[..] else {
            return Err(failed(format!(
                "the model's last hidden state has shape {shape:?}, not [batch, tokens, dim]"
            )));
        };
        let flat = hidden
            .as_slice()
            .ok_or_else(|| failed("the model's last hidden state is not contiguous".into()))?;
        for r in 0..rows {
            let mask = b.attention_mask_array.row(r);
            let state = |t: usize, x: usize| flat[(r * len + t) * dim + x];
            let mut v = vec![0f32; dim];
            match model.pooling {
                fastembed::Pooling::Cls => (0..dim).for_each(|x| v[x] = state(0, x)),
                _ => {
                    let mut n = 0f32;
                    for t in (0..len).filter(|&t| mask[t] != 0) {
                        (0..dim).for_each(|x| v[x] += state(t, x));
                        n += 1.0;
                    }
                    v.iter_mut().for_each(|x| *x /= n.max(1e-9));
                }
            }
            normalize(&mut v);
            let token_states = states.then(|| {
                let enc = &encodings[out.len()];
                let mut ts = TokenStates {
                    dim,
                    truncated: !enc.get_overflowing().is_empty(),
                    ..TokenStates::default()
                };
                let special = enc.get_special_tokens_mask();
                for (t, (&(start, end), token)) in enc.get_offsets().iter().zip(enc.get_tokens()).enumerate() {
                    if t >= len || special[t] != 0 || mask[t] == 0 || start >= end {
                        continue;
                    }
                    ts.offsets.push((start, end));
                    ts.continues.push(token.starts_with("##"));
                    ts.states.extend((0..dim).map(|x| state(t, x)));
                }
                ts
            });
            out.push((v, token_states));
        }
    }
    Ok(out)
}

/// Mean pooling unless a sentence-transformers `1_Pooling/config.json` says CLS.
fn pooling_of(dir: &Path) -> fastembed::Pooling {
    let cfg = std::fs::read_to_string(dir.join("1_Pooling/config.json")).unwrap_or_default();
    let cls = serde_json::from_str::<serde_json::Value>(&cfg)
        .ok()
        .and_then(|v| v.get("pooling_mode_cls_token").and_then(|b| b.as_bool()))
        .unwrap_or(false);
    if cls {
        fastembed::Pooling::Cls
    } else {
        fastembed::Pooling::Mean
    }
}

impl Embedder for FastEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn identity(&self) -> ModelIdentity {
        self.identity.clone()
    }

    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        Ok(self.run(texts, false)?.into_iter().map(|(v, _)| v).collect())
    }

    fn embed_with_states(&self, texts: &[String]) -> Result<Vec<(Vec<f32>, TokenStates)>> {
        Ok(self
            .run(texts, true)?
            .into_iter()
            .map(|(v, s)| (v, s.unwrap_or_default()))
            .collect())
    }
}

impl FastEmbedder {
    /// Sends `texts` to the worker (a few texts go ahead of bulk work) and waits for the result.
    fn run(&self, texts: &[String], states: bool) -> Result<Vec<Embedded>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let (tx, rx) = mpsc::channel();
        let queue = if texts.len() <= URGENT_TEXTS {
            &self.urgent
        } else {
            &self.bulk
        };
        queue
            .send((texts.to_vec(), states, tx))
            .map_err(|_| InternalError::Embedding("embedding worker stopped".into()))?;
        rx.recv()
            .map_err(|_| InternalError::Embedding("embedding worker stopped".into()))?
    }
}

/// A deterministic bag-of-words embedder: each lower-cased word adds a pseudo-random unit
/// vector seeded by its hash. Texts sharing words are close. For tests of plumbing only: no
/// command, configuration or evaluation can select it (every entry point loads
/// [`FastEmbedder`]), and a store it wrote refuses to open with the real model.
#[doc(hidden)]
pub struct HashEmbedder {
    dim: usize,
}

impl HashEmbedder {
    /// A hash embedder of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        HashEmbedder { dim }
    }

    fn word_vector(&self, word: &str, out: &mut [f32]) {
        let mut seed = Sha256::digest(word.as_bytes()).to_vec();
        let mut i = 0;
        while i < out.len() {
            for b in &seed {
                if i == out.len() {
                    break;
                }
                out[i] += (*b as f32 - 127.5) / 127.5;
                i += 1;
            }
            seed = Sha256::digest(&seed).to_vec();
        }
    }
}

impl Embedder for HashEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn name(&self) -> &str {
        "hash"
    }

    fn identity(&self) -> ModelIdentity {
        ModelIdentity {
            name: "hash".into(),
            weights_sha256: "none".into(),
            pooling: "bag-of-words".into(),
            dim: self.dim,
        }
    }

    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; self.dim];
                for w in t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                    self.word_vector(&w.to_lowercase(), &mut v);
                }
                normalize(&mut v);
                v
            })
            .collect())
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// A pseudo-random unit vector of `dim` components for `seed` (xorshift): test data for the
/// vector index and its quantisation.
#[cfg(test)]
pub(crate) fn random_unit(seed: u64, dim: usize) -> Vec<f32> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut v: Vec<f32> = (0..dim)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 1000) as f32 / 500.0 - 1.0
        })
        .collect();
    normalize(&mut v);
    v
}

/// Dot product; the cosine similarity of unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ort_version_from_file_name() {
        assert_eq!(ort_version(Path::new("/x/libonnxruntime.so.1.24.4")), Some((1, 24)));
        assert_eq!(ort_version(Path::new("/x/libonnxruntime.so")), None);
    }

    #[test]
    fn hash_embedder_is_deterministic_and_word_sensitive() {
        let e = HashEmbedder::new(32);
        let v = e
            .embed(&[
                "protein folding".into(),
                "protein folding".into(),
                "galaxy mergers".into(),
            ])
            .unwrap();
        assert_eq!(v[0], v[1]);
        assert!(dot(&v[0], &v[1]) > 0.99);
        assert!(dot(&v[0], &v[2]) < 0.9);
    }
}
