//! Rebuilding a store's vectors with another embedding model, in place, resumable.
//!
//! The text index holds every passage (papers' and agents' records') with its title and year,
//! so the vectors can be made again from it alone: in batches of papers, into a new vector
//! index beside the old one (`vector.new/`), with the progress recorded in `reembed.json` after
//! each batch (written atomically, after the batch's vectors are synced). A crash or an
//! interrupt loses at most the batch in flight; running `hypatia reembed` again with the same
//! model continues from the last recorded paper. When every passage has its vector, the new
//! index replaces the old one and `hypatia.json` names the new model, in steps that a re-run
//! completes whichever one a crash stopped at.
//!
//! While `reembed.json` exists the store does not open for anything else: its vectors would be
//! of two models. The old index stays untouched until the swap, so `reembed --abort` (before the
//! swap) leaves the store as it was.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::graph::GraphStore;
use super::journal::Journal;
use super::meta::{read_json, write_json, Meta};
use super::text::TextIndex;
use super::vector::{HnswParams, Tail, VectorIndex};
use super::StoreOptions;
use crate::common::error::{Error, Result, UserError};
use crate::embed::{Embedder, ModelIdentity};

const STATE: &str = "reembed.json";
const STAGED: &str = "vector.new";
const RETIRED: &str = "vector.old";

/// What `reembed.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    /// The model the new vectors come from.
    target: ModelIdentity,
    /// The last paper (or record) key whose passages have their new vectors, in key order.
    done_through: Option<String>,
    /// Passages embedded so far.
    passages: usize,
    /// Every vector is made; the new index is being swapped in.
    swapping: bool,
}

impl State {
    fn read(dir: &Path) -> Result<Option<State>> {
        read_json(&dir.join(STATE))
    }

    fn write(&self, dir: &Path) -> Result<()> {
        write_json(&dir.join(STATE), self)
    }
}

/// Refuses to open a store whose re-embedding has not finished.
pub(crate) fn refuse_if_unfinished(dir: &Path) -> Result<()> {
    match State::read(dir)? {
        None => Ok(()),
        Some(s) => Err(UserError::Conflict(format!(
            "{} is being re-embedded with {} ({} passages so far{}); finish it with `hypatia --data-dir {} \
             --model-dir MODEL reembed` using that model{}",
            dir.display(),
            s.target.describe(),
            s.passages,
            if s.swapping { ", all made" } else { "" },
            dir.display(),
            if s.swapping {
                String::new()
            } else {
                ", or give it up with `reembed --abort`".to_string()
            }
        ))
        .into()),
    }
}

/// What a re-embedding did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReembedReport {
    /// Papers and records whose passages were embedded by this run.
    pub documents: usize,
    /// Passages embedded by this run.
    pub passages: usize,
    /// Whether this run continued one that had stopped.
    pub resumed: bool,
    /// Whether the store already had this model's vectors (nothing was done).
    pub already: bool,
}

/// Rebuilds every vector of the store in `dir` with `embedder` (see the module docs).
/// `batch` papers are embedded and recorded at a time; `progress(done, total)` is told after
/// each batch.
pub fn reembed(
    dir: &Path,
    opts: &StoreOptions,
    embedder: &dyn Embedder,
    batch: usize,
    progress: &dyn Fn(usize, usize),
) -> Result<ReembedReport> {
    let target = embedder.identity();
    let mut meta = Meta::open(
        dir,
        &StoreOptions {
            model: None,
            ..opts.clone()
        },
    )?;
    let state = State::read(dir)?;
    if let Some(s) = &state {
        if !s.target.same_space(&target) {
            return Err(UserError::Conflict(format!(
                "a re-embedding with {} is under way; finish it with that model, or `reembed --abort` first",
                s.target.describe()
            ))
            .into());
        }
    } else if meta.model.as_ref().is_some_and(|m| m.same_space(&target)) {
        return Ok(ReembedReport {
            already: true,
            ..Default::default()
        });
    }
    if meta.format < super::meta::FORMAT {
        return Err(UserError::Conflict(format!(
            "{} is of an older store format; open it once with its own model (e.g. `hypatia stats`) to upgrade it, then re-embed",
            dir.display()
        ))
        .into());
    }
    // The graph store's lock keeps every other process out while the vectors change.
    let _graph = GraphStore::open(&dir.join("graph"), &opts.base)?;
    if Journal::open(&dir.join("journal"))?.pending()?.is_some() {
        return Err(UserError::Conflict(format!(
            "{} has an unfinished write; open it once with its own model (any command) to finish it, then re-embed",
            dir.display()
        ))
        .into());
    }
    let mut report = ReembedReport {
        resumed: state.is_some(),
        ..Default::default()
    };
    let mut state = state.unwrap_or(State {
        target: target.clone(),
        done_through: None,
        passages: 0,
        swapping: false,
    });
    if !state.swapping {
        if state.done_through.is_none() {
            // A fresh start: nothing staged is trusted.
            let staged = dir.join(STAGED);
            if staged.exists() {
                std::fs::remove_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
            }
        }
        state.write(dir)?;
        embed_all(dir, opts.hnsw, embedder, batch, &mut state, &mut report, progress)?;
        state.swapping = true;
        state.write(dir)?;
    }
    swap_in(dir, &mut meta, &target)?;
    Ok(report)
}

/// Embeds the passages of every document after `state.done_through` into the staged index.
fn embed_all(
    dir: &Path,
    hnsw: HnswParams,
    embedder: &dyn Embedder,
    batch: usize,
    state: &mut State,
    report: &mut ReembedReport,
    progress: &dyn Fn(usize, usize),
) -> Result<()> {
    let text = TextIndex::open(&dir.join("text"))?;
    let staged = VectorIndex::open(&dir.join(STAGED), state.target.dim, hnsw, Tail::MayBeTorn)?;
    let (keys, _) = text.paper_keys()?;
    let total = keys.len();
    let todo: Vec<String> = keys
        .into_iter()
        .filter(|k| state.done_through.as_ref().is_none_or(|d| k > d))
        .collect();
    let mut done = total - todo.len();
    for chunk in todo.chunks(batch.max(1)) {
        let mut texts = Vec::new();
        let mut items: Vec<(String, Option<i32>, Vec<f32>)> = Vec::new();
        for key in chunk {
            for p in text.passages_of(key)? {
                let title = p.title.clone();
                let (key, year) = (p.key.clone(), p.year);
                texts.push(crate::common::passages::embedding_text(&title, &p.into_passage()));
                items.push((key, year, Vec::new()));
            }
        }
        let vectors = embedder.embed(&texts)?;
        for (item, v) in items.iter_mut().zip(vectors) {
            item.2 = v;
        }
        staged.put(chunk, &items)?;
        done += chunk.len();
        report.documents += chunk.len();
        report.passages += items.len();
        state.passages += items.len();
        state.done_through = chunk.last().cloned();
        state.write(dir)?;
        progress(done, total);
    }
    staged.checkpoint()
}

/// Puts the staged index in place of the old one and records the new model. Each step is
/// idempotent, so a crash between two is completed by the next run.
fn swap_in(dir: &Path, meta: &mut Meta, target: &ModelIdentity) -> Result<()> {
    let (current, staged, retired) = (dir.join("vector"), dir.join(STAGED), dir.join(RETIRED));
    let rename = |from: &Path, to: &Path| std::fs::rename(from, to).map_err(|e| Error::io(from, e));
    if staged.exists() {
        if current.exists() {
            if retired.exists() {
                std::fs::remove_dir_all(&retired).map_err(|e| Error::io(&retired, e))?;
            }
            rename(&current, &retired)?;
        }
        rename(&staged, &current)?;
    }
    meta.model = Some(target.clone());
    meta.dim = target.dim;
    meta.write(dir)?;
    if retired.exists() {
        std::fs::remove_dir_all(&retired).map_err(|e| Error::io(&retired, e))?;
    }
    let state = dir.join(STATE);
    std::fs::remove_file(&state).map_err(|e| Error::io(&state, e))?;
    tracing::info!(store = %dir.display(), model = %target.describe(), "vectors rebuilt");
    Ok(())
}

/// Gives up a re-embedding that has not reached its swap: the staged vectors are removed and
/// the store is as it was. Returns whether there was one.
pub fn abort(dir: &Path) -> Result<bool> {
    let Some(state) = State::read(dir)? else {
        return Ok(false);
    };
    if state.swapping {
        return Err(UserError::Conflict(
            "every vector is already made and the new index is being swapped in; run `reembed` to finish".into(),
        )
        .into());
    }
    let staged = dir.join(STAGED);
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(|e| Error::io(&staged, e))?;
    }
    let path = dir.join(STATE);
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    Ok(true)
}
