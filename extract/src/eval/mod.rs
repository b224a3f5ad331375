//! Evaluation against SciERC and SemEval-2018 task 7, from file contents (pure: no I/O).
//!
//! What is scored, and on what:
//! - SciERC ([`scierc`]): the **dev** split. The headline is exact-span entity F1 over SciERC's six
//!   labels ([`SciercReport::headline`]); the merge of Generic and OtherScientificTerm is a
//!   secondary line. Dev was the extractor's development fixture and the word lists were chosen on
//!   train, so these are development figures.
//! - SemEval-2018 task 7 ([`semeval2018`]): the task's **training** data, or test-format data
//!   (entity-annotated text and its key) through [`semeval2018_on`]; the report names which.
//!   Nothing here is tuned on SemEval, but training data is in-sample for anything that is. Our
//!   scorer gives what the official `eval.pl` gives on [`semeval2018_answers`].
//!
//! Every score matches predictions to gold items one to one ([`Prf::new`]).
//!
//! Context only, and not comparable with our figures: published supervised systems, trained on
//! the training splits and measured on the official **test** splits, which this crate never reads.
//! SciERC (Luan et al. 2018, SciIE): entity F1 ≈ 64.2, relation F1 ≈ 39.3; PURE (Zhong and Chen
//! 2021): entity F1 ≈ 68.9, relation F1 ≈ 50.1. SemEval-2018 task 7 subtask 1.1: best macro-F1 ≈
//! 81.7. Our extractor is unsupervised and rule-based and is scored on other data (SciERC dev,
//! SemEval training data), so the reports do not print these figures.

mod matching;
mod scierc;
mod semeval;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use scierc::{
    scierc, scierc_label, scierc_learned, scierc_relation, scierc_windows, EntityScores, LearnedRun, LexiconText,
    RelationScores, SciercReport, SciercRun, SciercWindow, StatesOf, SCIERC_ENTITY_LABELS, WINDOW_WORDS,
};
pub use semeval::{
    semeval2018, semeval2018_answers, semeval2018_on, semeval_relation, Classification, SemevalData, SemevalReport,
    SEMEVAL_LABELS,
};

/// A malformed input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EvalError {}

/// Precision, recall and F1 with their counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Prf {
    /// Predictions that match.
    pub correct_pred: usize,
    /// Predictions.
    pub pred: usize,
    /// Gold items found.
    pub correct_gold: usize,
    /// Gold items.
    pub gold: usize,
    /// `correct_pred / pred`.
    pub precision: f64,
    /// `correct_gold / gold`.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

impl Prf {
    /// From counts (a prediction and a gold item can match once each).
    pub fn new(correct_pred: usize, pred: usize, correct_gold: usize, gold: usize) -> Self {
        let precision = if pred == 0 {
            0.0
        } else {
            correct_pred as f64 / pred as f64
        };
        let recall = if gold == 0 {
            0.0
        } else {
            correct_gold as f64 / gold as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            correct_pred,
            pred,
            correct_gold,
            gold,
            precision,
            recall,
            f1,
        }
    }
}

impl fmt::Display for Prf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P {:5.1}  R {:5.1}  F1 {:5.1}  ({}/{} pred, {}/{} gold)",
            100.0 * self.precision,
            100.0 * self.recall,
            100.0 * self.f1,
            self.correct_pred,
            self.pred,
            self.correct_gold,
            self.gold
        )
    }
}
