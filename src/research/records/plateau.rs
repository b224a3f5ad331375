//! Plateau detection over a hypothesis' runs: for a metric, has any of the last N runs
//! improved on the best value so far by more than a threshold? Crashed runs report no metric
//! and do not count; kept and discarded ones do (a discarded run that beat the best on this
//! metric is still a gain on it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::common::error::{Error, Result};
use crate::common::fields;

use super::requests::Metric;
use super::status::RunStatus;

/// The window when the caller gives none.
pub const DEFAULT_WINDOW: usize = 5;
/// The largest window.
pub const MAX_WINDOW: usize = 1000;
/// The largest threshold (any finite gain a metric can make is far below it).
pub const MAX_THRESHOLD: f64 = 1e300;

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetricDirection {
    /// Lower is better (loss, bits per byte, perplexity, error rates, memory, time).
    Lower,
    /// Higher is better (accuracy, F1, BLEU, reward, throughput).
    Higher,
}

/// Name parts of metrics where lower is better, for when the caller does not say.
const LOWER_IS_BETTER: [&str; 16] = [
    "loss",
    "bpb",
    "bpc",
    "perplexity",
    "ppl",
    "err",
    "wer",
    "cer",
    "mse",
    "mae",
    "nll",
    "latency",
    "mem",
    "time",
    "seconds",
    "vram",
];

impl MetricDirection {
    /// The direction a metric's name suggests: lower is better when it contains one of
    /// loss, bpb, bpc, perplexity, ppl, err (error), wer, cer, mse, mae (rmse), nll, latency,
    /// mem (memory), time, seconds or vram (case aside); higher otherwise.
    pub fn inferred(metric: &str) -> MetricDirection {
        let m = metric.to_lowercase();
        if LOWER_IS_BETTER.iter().any(|p| m.contains(p)) {
            MetricDirection::Lower
        } else {
            MetricDirection::Higher
        }
    }

    /// How much `value` improves on `best` (negative when it is worse).
    fn gain(self, best: f64, value: f64) -> f64 {
        match self {
            MetricDirection::Lower => best - value,
            MetricDirection::Higher => value - best,
        }
    }
}

/// The plateau parameters of `GET /hypotheses/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, IntoParams, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlateauQuery {
    /// Only this metric (by name, case aside); every metric the counted runs report when absent.
    #[serde(default)]
    #[param(value_type = Option<fields::NonBlank>, inline)]
    pub plateau_metric: Option<String>,
    /// Which way the metric improves: `lower` or `higher` is better. When absent it is inferred
    /// from each metric's name (lower for names containing loss, bpb, bpc, perplexity, ppl,
    /// err, wer, cer, mse, mae, nll, latency, mem, time, seconds or vram; higher otherwise),
    /// and the answer says which was used.
    #[serde(default)]
    #[param(inline)]
    pub plateau_direction: Option<MetricDirection>,
    /// N: a metric has plateaued when N runs in a row after its best one brought no gain above
    /// the threshold; 5 when absent.
    #[serde(default, deserialize_with = "fields::count")]
    #[param(minimum = 1, maximum = 1000)]
    pub plateau_window: Option<usize>,
    /// The smallest improvement on the best value so far that counts as progress, in the
    /// metric's own unit (absolute, not relative); 0 when absent, so that any strict
    /// improvement counts.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1e300)]
    pub plateau_threshold: Option<f64>,
}

/// [`PlateauQuery`] checked, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct PlateauSettings {
    metric: Option<String>,
    direction: Option<MetricDirection>,
    window: usize,
    threshold: f64,
}

impl Default for PlateauSettings {
    fn default() -> Self {
        PlateauSettings {
            metric: None,
            direction: None,
            window: DEFAULT_WINDOW,
            threshold: 0.0,
        }
    }
}

impl PlateauQuery {
    /// The settings these parameters ask for, or which one is wrong.
    pub fn settings(&self) -> Result<PlateauSettings> {
        let metric = self
            .plateau_metric
            .as_deref()
            .map(|m| fields::non_blank("plateau_metric", m).map(str::to_string))
            .transpose()?;
        let window = self.plateau_window.unwrap_or(DEFAULT_WINDOW);
        if !(1..=MAX_WINDOW).contains(&window) {
            return Err(Error::invalid(
                "plateau_window",
                format!("{window}; from 1 to {MAX_WINDOW} runs"),
            ));
        }
        let threshold = self.plateau_threshold.unwrap_or(0.0);
        if !(0.0..=MAX_THRESHOLD).contains(&threshold) {
            return Err(Error::invalid(
                "plateau_threshold",
                format!("`{threshold}` is not a number from 0 to {MAX_THRESHOLD:e}"),
            ));
        }
        Ok(PlateauSettings {
            metric,
            direction: self.plateau_direction,
            window,
            threshold,
        })
    }
}

/// Whether a hypothesis' runs have stopped improving one metric.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Plateau {
    /// The metric's name.
    pub metric: String,
    /// The split it was measured on, when the runs say (each split is its own series).
    pub split: Option<String>,
    /// Which way it improves.
    pub direction: MetricDirection,
    /// Whether `direction` was inferred from the metric's name (`false`: the caller gave it).
    pub direction_inferred: bool,
    /// Runs that reported it (kept or discarded, oldest first; crashed runs do not count).
    pub runs: usize,
    /// The best value so far.
    pub best: f64,
    /// The run that reached it first (key).
    pub best_run: String,
    /// The value of the latest run.
    pub latest: f64,
    /// Runs since the best one, none of which improved on it by more than `threshold`.
    pub runs_since_best: usize,
    /// N, the window asked for.
    pub window: usize,
    /// The smallest gain that counts, in the metric's unit.
    pub threshold: f64,
    /// `runs_since_best >= window`: N runs in a row brought no gain above the threshold.
    pub plateaued: bool,
}

/// What a plateau reads of one run: its key, what became of it, and its metrics. (Not the
/// `Experiment` read model, which carries its plateaus' type: this module stays below it.)
pub type RunMetrics<'a> = (&'a str, RunStatus, &'a [Metric]);

/// The plateau of every metric (each name and split; or only the one asked for) that `runs`
/// (oldest first) report, in name order.
pub fn plateaus<'a>(runs: impl IntoIterator<Item = RunMetrics<'a>>, s: &PlateauSettings) -> Vec<Plateau> {
    let mut series: BTreeMap<(String, Option<String>), Plateau> = BTreeMap::new();
    let wanted = s.metric.as_deref().map(str::to_lowercase);
    for (key, _, metrics) in runs.into_iter().filter(|(_, status, _)| *status != RunStatus::Crash) {
        let mut seen = Vec::new();
        for m in metrics {
            if wanted.as_deref().is_some_and(|w| m.name.to_lowercase() != w) || !m.value.is_finite() {
                continue;
            }
            let id = (m.name.clone(), m.split.clone());
            // A run that reports a series twice counts once, with its first value.
            if seen.contains(&id) {
                continue;
            }
            seen.push(id.clone());
            let (direction, direction_inferred) = match s.direction {
                Some(d) => (d, false),
                None => (MetricDirection::inferred(&m.name), true),
            };
            let p = series.entry(id).or_insert_with(|| Plateau {
                metric: m.name.clone(),
                split: m.split.clone(),
                direction,
                direction_inferred,
                runs: 0,
                best: m.value,
                best_run: key.to_string(),
                latest: m.value,
                runs_since_best: 0,
                window: s.window,
                threshold: s.threshold,
                plateaued: false,
            });
            if p.runs > 0 {
                if direction.gain(p.best, m.value) > s.threshold {
                    p.best = m.value;
                    p.best_run = key.to_string();
                    p.runs_since_best = 0;
                } else {
                    p.runs_since_best += 1;
                }
            }
            p.runs += 1;
            p.latest = m.value;
            p.plateaued = p.runs_since_best >= s.window;
        }
    }
    series.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(i: usize, status: RunStatus, value: f64) -> (String, RunStatus, Vec<Metric>) {
        let metric = Metric {
            name: "val_bpb".into(),
            value,
            unit: None,
            split: None,
        };
        (format!("exp_{i}"), status, vec![metric])
    }

    fn of(runs: &[(String, RunStatus, Vec<Metric>)]) -> impl Iterator<Item = RunMetrics<'_>> {
        runs.iter().map(|(k, s, m)| (k.as_str(), *s, m.as_slice()))
    }

    fn settings(window: usize, threshold: f64, direction: Option<MetricDirection>) -> PlateauSettings {
        PlateauSettings {
            metric: None,
            direction,
            window,
            threshold,
        }
    }

    #[test]
    fn improving_then_flat_is_a_plateau() {
        use RunStatus::*;
        let values = [1.00, 0.95, 0.90, 0.899, 0.91, 0.90, 0.95];
        let runs: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| run(i, if i == 4 { Crash } else { Keep }, *v))
            .collect();
        // Lower is better (inferred from "bpb"); 0.899 beats 0.90 by 0.001, under 0.005.
        let p = &plateaus(of(&runs), &settings(3, 0.005, None))[0];
        assert_eq!(p.direction, MetricDirection::Lower);
        assert!(p.direction_inferred);
        assert_eq!((p.best, p.best_run.as_str()), (0.90, "exp_2"));
        // 0.899, 0.90, 0.95 after it (the crash does not count).
        assert_eq!((p.runs, p.runs_since_best, p.latest), (6, 3, 0.95));
        assert!(p.plateaued);
        // With no threshold, 0.899 is progress: two runs since.
        let p = &plateaus(of(&runs), &settings(3, 0.0, None))[0];
        assert_eq!((p.best, p.best_run.as_str(), p.runs_since_best), (0.899, "exp_3", 2));
        assert!(!p.plateaued);
        // Read the other way (higher is better), nothing beat the first run.
        let p = &plateaus(of(&runs), &settings(3, 0.0, Some(MetricDirection::Higher)))[0];
        assert_eq!((p.best, p.runs_since_best, p.direction_inferred), (1.00, 5, false));
        assert!(p.plateaued);
    }

    #[test]
    fn directions_from_names() {
        for lower in [
            "val_bpb",
            "train_loss",
            "WER",
            "peak_memory_gb",
            "perplexity",
            "error_rate",
        ] {
            assert_eq!(MetricDirection::inferred(lower), MetricDirection::Lower, "{lower}");
        }
        for higher in ["accuracy", "f1", "bleu", "reward"] {
            assert_eq!(MetricDirection::inferred(higher), MetricDirection::Higher, "{higher}");
        }
    }

    #[test]
    fn settings_are_checked() {
        let q = |w: Option<usize>, t: Option<f64>| PlateauQuery {
            plateau_window: w,
            plateau_threshold: t,
            ..Default::default()
        };
        assert!(q(Some(0), None).settings().is_err());
        assert!(q(Some(1001), None).settings().is_err());
        assert!(q(None, Some(-1.0)).settings().is_err());
        assert!(q(None, Some(f64::NAN)).settings().is_err());
        assert_eq!(q(None, None).settings().unwrap(), PlateauSettings::default());
    }
}
