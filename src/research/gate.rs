//! The gate: before an agent spends compute on a change, it asks whether the change was tried
//! already and how it went. The answer is `proceed`, `warn` or `refuse`, with the nearest past
//! runs (their outcome, similarity, and whether their parameters and numbers match) and the
//! literature that already covers the change.
//!
//! A run is a *repeat* of the change when the two say the same thing: the change's description
//! and the run's are at least `refuse_at` similar (cosine of the model's embeddings of the two
//! descriptions alone, not of the run's whole record), and nothing specific tells them apart:
//! when both name numbers, the same numbers; when both give parameters, the same parameters (equal
//! parameters are a repeat whatever the wording). A repeat of a run that was discarded or crashed
//! is refused; a repeat of a kept run, or a run at least `warn_at` similar, or a passage of the
//! literature at least `literature_at` similar, is a warning. Thresholds are the caller's; the
//! defaults are set on a small hand-written set of autoresearch-style change pairs (the test
//! `tests/it/gate.rs` holds them), not on held-out data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::error::{Error, Result};
use crate::common::fields;
use crate::embed::{dot, Embedder};
use crate::research::novelty::{self, NearPaper};
use crate::research::{Experiment, RunStatus};
use crate::store::Store;

/// Default `refuse_at`: a discarded or crashed run this similar (and not told apart by numbers
/// or parameters) is a repeat. On the 24 hand-written pairs of `tests/fixtures/gate/pairs.tsv`
/// (in-sample) with all-MiniLM-L6-v2: pairs of different changes named by no differing number
/// reach 0.749 at most, paraphrases of one change run from 0.518 to 0.976 (eight of twelve
/// above 0.87); 0.8 refuses no different change and eight of the twelve repeats, and a refusal
/// costs the agent a run it wanted, so the bar sits above the closest different pair with room.
pub const REFUSE_AT: f32 = 0.8;
/// Default `warn_at`: any run this similar is worth a look (on the same pairs, every
/// paraphrase but one, at 0.518, is at least this similar).
pub const WARN_AT: f32 = 0.55;
/// Default `literature_at`: a passage this similar means the literature covers the change.
pub const LITERATURE_AT: f32 = 0.7;
/// Past runs compared with the change (the nearest by their records' vectors).
const CANDIDATES: usize = 50;

/// A proposed change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GateRequest {
    /// What the agent is about to try, as it would describe the run ("use rotary position
    /// embeddings instead of learned ones").
    #[schema(value_type = fields::Text)]
    pub change: String,
    /// The run's parameters, if the agent knows them (NAME → VALUE): a past run with the same
    /// parameters is a repeat whatever its wording.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Similarity at or above which a discarded or crashed run is a repeat (default 0.8).
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub refuse_at: Option<f32>,
    /// Similarity at or above which any run is a warning (default 0.55).
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub warn_at: Option<f32>,
    /// Similarity at or above which a passage of the literature is a warning (default 0.7).
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub literature_at: Option<f32>,
    /// Past runs and papers to return, each (default 5, at most 50).
    #[serde(default, deserialize_with = "fields::json_count")]
    #[schema(minimum = 1, maximum = 50)]
    pub k: Option<usize>,
}

/// The gate's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Nothing like it was tried.
    Proceed,
    /// Something like it was tried, kept, or is in the literature: look before running.
    Warn,
    /// It was tried and discarded (or crashed).
    Refuse,
}

/// A past run near the change.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PastRun {
    /// Cosine of the change's description and the run's.
    pub similarity: f32,
    /// Whether this run counts as a repeat of the change (see the module's rule).
    pub repeat: bool,
    /// Whether the numbers the two descriptions name are the same (`true` when either names
    /// none).
    pub same_numbers: bool,
    /// Whether the parameters are the same; absent when either side gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_parameters: Option<bool>,
    /// "tried on … by …, discarded, val_bpb 1.02".
    pub outcome: String,
    /// The run.
    pub experiment: Experiment,
}

/// The thresholds the answer was decided with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Thresholds {
    /// See [`GateRequest::refuse_at`].
    pub refuse_at: f32,
    /// See [`GateRequest::warn_at`].
    pub warn_at: f32,
    /// See [`GateRequest::literature_at`].
    pub literature_at: f32,
}

/// What the gate says.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GateAnswer {
    /// proceed, warn or refuse.
    pub decision: Decision,
    /// Why, a sentence per reason, the strongest first.
    pub reasons: Vec<String>,
    /// The nearest past runs: repeats first, then the most similar.
    pub runs: Vec<PastRun>,
    /// The nearest papers, most similar first.
    pub literature: Vec<NearPaper>,
    /// The thresholds used.
    pub thresholds: Thresholds,
}

/// Decides whether a change should run.
pub fn gate(store: &Store, embedder: &dyn Embedder, req: &GateRequest) -> Result<GateAnswer> {
    let change = fields::text("change", &req.change)?;
    let k = req.k.unwrap_or(5);
    if k == 0 || k > novelty::MAX_K {
        return Err(Error::invalid("k", format!("{k}: expected 1 to {}", novelty::MAX_K)));
    }
    let thresholds = Thresholds {
        refuse_at: threshold("refuse_at", req.refuse_at, REFUSE_AT)?,
        warn_at: threshold("warn_at", req.warn_at, WARN_AT)?,
        literature_at: threshold("literature_at", req.literature_at, LITERATURE_AT)?,
    };
    // Compare descriptions with descriptions: a run's record also holds its outcome and
    // parameters, which would blur the similarity of what was tried. The nearest runs by their
    // records are the candidates.
    let query = embedder
        .embed(&[change.to_string()])?
        .pop()
        .ok_or_else(|| Error::invalid("change", "the embedder returned no vector"))?;
    let near = novelty::neighbours(store, &query, [k, 0, CANDIDATES], None)?;
    let texts: Vec<String> = near
        .experiments
        .iter()
        .map(|e| e.experiment.description.clone())
        .collect();
    let described = if texts.is_empty() {
        Vec::new()
    } else {
        embedder.embed(&texts)?
    };
    let numbers = numbers_in(change);
    let mut runs: Vec<PastRun> = near
        .experiments
        .into_iter()
        .zip(&described)
        .map(|(e, v)| {
            let similarity = dot(&query, v);
            let theirs = numbers_in(&e.experiment.description);
            let same_numbers = numbers.is_empty() || theirs.is_empty() || numbers == theirs;
            let same_parameters = (!req.parameters.is_empty() && !e.experiment.parameters.is_empty())
                .then(|| req.parameters == e.experiment.parameters);
            let repeat = same_parameters == Some(true)
                || (similarity >= thresholds.refuse_at && same_numbers && same_parameters != Some(false));
            PastRun {
                similarity,
                repeat,
                same_numbers,
                same_parameters,
                outcome: e.outcome,
                experiment: e.experiment,
            }
        })
        .collect();
    // Repeats first, then by similarity.
    runs.sort_by(|a, b| {
        b.repeat
            .cmp(&a.repeat)
            .then_with(|| b.similarity.total_cmp(&a.similarity))
            .then_with(|| a.experiment.key.cmp(&b.experiment.key))
    });
    let literature = near.papers;

    let mut refuse = Vec::new();
    let mut warn = Vec::new();
    for r in &runs {
        let what = format!(
            "run {} ({:.2} similar{}): \"{}\", {}",
            r.experiment.key,
            r.similarity,
            if r.same_parameters == Some(true) {
                ", same parameters"
            } else {
                ""
            },
            r.experiment.description,
            r.outcome
        );
        match (r.repeat, r.experiment.status) {
            (true, RunStatus::Discard | RunStatus::Crash) => refuse.push(format!("a repeat of {what}")),
            (true, RunStatus::Keep) => warn.push(format!("a repeat of a kept {what}")),
            (false, _) if r.similarity >= thresholds.warn_at => warn.push(format!("close to {what}")),
            _ => {}
        }
    }
    for p in literature.iter().filter(|p| p.similarity >= thresholds.literature_at) {
        warn.push(format!(
            "the literature covers it ({:.2} similar): {} — \"{}\"",
            p.similarity, p.citation.paper.title, p.citation.quote
        ));
    }
    let decision = if !refuse.is_empty() {
        Decision::Refuse
    } else if !warn.is_empty() {
        Decision::Warn
    } else {
        Decision::Proceed
    };
    let mut reasons: Vec<String> = refuse.into_iter().chain(warn).collect();
    if reasons.is_empty() {
        reasons.push(format!(
            "no past run is {:.2} similar or more, and no passage {:.2} or more",
            thresholds.warn_at, thresholds.literature_at
        ));
    }
    runs.truncate(k);
    Ok(GateAnswer {
        decision,
        reasons,
        runs,
        literature,
        thresholds,
    })
}

fn threshold(name: &str, given: Option<f32>, default: f32) -> Result<f32> {
    match given {
        None => Ok(default),
        Some(t) if (0.0..=1.0).contains(&t) => Ok(t),
        Some(t) => Err(Error::invalid(name, format!("{t}: expected a similarity from 0 to 1"))),
    }
}

/// The numbers a description names, as written (`3e-4`, `0.02`, `12`), sorted: two changes
/// that differ only in a number (a learning rate, a depth) are different runs.
fn numbers_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '=' | ':' | '→' | '/'))
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | '"' | '\'' | 'x' | '×' | '%')))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.parse::<f64>().is_ok())
        .map(|w| {
            w.parse::<f64>()
                .map(|v| v.to_string())
                .unwrap_or_else(|_| w.to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::numbers_in;

    #[test]
    fn numbers_are_read_as_values() {
        assert_eq!(
            numbers_in("raise the learning rate to 0.02 (from 0.010)"),
            ["0.01", "0.02"]
        );
        assert_eq!(numbers_in("depth 12, 3e-4 lr, 2x wider"), ["0.0003", "12", "2"]);
        assert!(numbers_in("use rotary embeddings in every layer").is_empty());
        // Words with digits inside are names, not numbers.
        assert!(numbers_in("switch to GPT2-style init").is_empty());
    }
}
