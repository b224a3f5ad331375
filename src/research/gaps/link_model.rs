//! The learned missing-link score: a logistic regression over a pair's graph features, trained on
//! an earlier slice of a corpus than the one it is selected and reported on (see
//! [`fit_link_model`](super::fit_link_model)), shipped as a small versioned file.
//!
//! Features of an unconnected pair (A, C) in the co-occurrence graph as of T, each a plain
//! function of the graph (no word of the concepts is read):
//!
//! | name | value |
//! |---|---|
//! | `ln_pa` | ln(1 + deg A · deg C) |
//! | `ln_cn` | ln(1 + common neighbours) |
//! | `aa` | Adamic–Adar |
//! | `salton` | CN / √(deg A · deg C) (the share of their neighbourhoods they share) |
//! | `no_bridge` | 1 when they have no common neighbour, else 0 |
//! | `recency` | mean share of their papers from the last [`RECENT_YEARS`](super::RECENT_YEARS) years |
//! | `growth` | mean share of their neighbours first linked in those years |
//! | `ln_papers` | ln(papers of A) + ln(papers of C) |
//! | `degree_gap` | \|ln deg A − ln deg C\| |
//! | `actionable` | 1 when the type pair is one a researcher acts on ([`actionable`]) |
//! | `same_type` | 1 when both have the same type |
//!
//! Features are standardised with the training sample's means and deviations; the score is the
//! logit (ranking needs no sigmoid).

use serde::{Deserialize, Serialize};

use hypatia_extract::ConceptType;

use crate::common::error::{Error, Result};
use crate::common::logistic::{Logistic, Moments};

/// The feature names, in the order of [`LinkModel::weights`].
pub const FEATURES: [&str; 11] = [
    "ln_pa",
    "ln_cn",
    "aa",
    "salton",
    "no_bridge",
    "recency",
    "growth",
    "ln_papers",
    "degree_gap",
    "actionable",
    "same_type",
];

/// One pair's features, in [`FEATURES`] order.
pub type Features = [f64; FEATURES.len()];

/// Whether a pair of concept types is one a researcher acts on: a method for a task, a method on
/// a dataset or material, a task on a dataset or material, or two methods to combine. Pairs of
/// metrics, of tasks, of datasets, and anything with a metric, are not.
pub fn actionable(a: ConceptType, c: ConceptType) -> bool {
    use ConceptType::*;
    let data = |t: ConceptType| matches!(t, Dataset | Material);
    match (a, c) {
        (Method, Method) | (Method, Task) | (Task, Method) => true,
        (Method, x) | (x, Method) | (Task, x) | (x, Task) => data(x),
        _ => false,
    }
}

/// A trained logistic link model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkModel {
    /// Name and version, e.g. `acl-links-v1`.
    pub version: String,
    /// What it was trained on (corpus, cut, horizon, sample sizes).
    pub trained_on: String,
    /// [`FEATURES`], as trained (checked on load).
    pub features: Vec<String>,
    /// Training means of the features.
    pub mean: Vec<f64>,
    /// Training standard deviations (1 where a feature was constant).
    pub scale: Vec<f64>,
    /// Weights of the standardised features.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
}

/// The bundled model's file.
const BUNDLED: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/gaps-link-model.json"));

impl LinkModel {
    /// The model shipped with Hypatia (`models/gaps-link-model.json`).
    pub fn bundled() -> &'static LinkModel {
        static M: std::sync::OnceLock<LinkModel> = std::sync::OnceLock::new();
        M.get_or_init(|| LinkModel::parse(BUNDLED).expect("the bundled link model is valid"))
    }

    /// Reads a model file, checking that it has this build's features.
    pub fn parse(json: &str) -> Result<LinkModel> {
        let m: LinkModel = serde_json::from_str(json)
            .map_err(|e| Error::invalid("link model", format!("not a link model file: {e}")))?;
        let n = FEATURES.len();
        if m.features != FEATURES || m.mean.len() != n || m.scale.len() != n || m.weights.len() != n {
            return Err(Error::invalid(
                "link model",
                format!("its features are {:?}, this build's are {FEATURES:?}", m.features),
            ));
        }
        Ok(m)
    }

    /// The served score of a pair: softplus of the logit, ln(1 + e^logit). Positive and
    /// increasing in the logit like the probability, but it does not saturate: a probability
    /// rounds to exactly 1.0 above a logit of ~37, and the pairs above would tie. (The classes
    /// were weighted equally in training, so neither is the chance that a link appears.)
    pub fn served_score(&self, x: &Features) -> f64 {
        let z = self.score(x);
        z.max(0.0) + (-z.abs()).exp().ln_1p()
    }

    /// The logit of a pair.
    pub fn score(&self, x: &Features) -> f64 {
        let mut z = self.bias;
        for (((x, w), m), sd) in x.iter().zip(&self.weights).zip(&self.mean).zip(&self.scale) {
            z += w * (x - m) / sd;
        }
        z
    }

    /// Fits a logistic regression to positive and negative pairs by Newton's method (IRLS), the
    /// two classes weighted to count equally, with a small L2 penalty on the weights so that a
    /// constant or separable feature stays finite. Deterministic: no sampling, no learning rate.
    pub fn fit(version: &str, trained_on: &str, positives: &[Features], negatives: &[Features]) -> Result<LinkModel> {
        if positives.is_empty() || negatives.is_empty() {
            return Err(Error::invalid(
                "training slice",
                "needs both positives and negatives: choose a cut with papers after it",
            ));
        }
        // The two classes weighted to count equally; the features standardised over all pairs.
        let (wp, wn) = (0.5 / positives.len() as f64, 0.5 / negatives.len() as f64);
        let rows: Vec<(Vec<f64>, bool, f64)> = positives
            .iter()
            .map(|x| (x.to_vec(), true, wp))
            .chain(negatives.iter().map(|x| (x.to_vec(), false, wn)))
            .collect();
        let fit = Logistic::fit_with(&rows, 1e-4, Moments::Unweighted)
            .map_err(|_| Error::invalid("training slice", "the features are degenerate on it (singular Hessian)"))?;
        Ok(LinkModel {
            version: version.into(),
            trained_on: trained_on.into(),
            features: FEATURES.iter().map(|f| f.to_string()).collect(),
            mean: fit.mean,
            scale: fit.scale,
            weights: fit.weights,
            bias: fit.bias,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actionable_type_pairs_are_the_ones_a_researcher_acts_on() {
        use ConceptType::*;
        assert!(actionable(Method, Task) && actionable(Task, Method));
        assert!(actionable(Method, Dataset) && actionable(Material, Method));
        assert!(actionable(Task, Dataset) && actionable(Method, Method));
        assert!(!actionable(Metric, Metric) && !actionable(Method, Metric) && !actionable(Metric, Task));
        assert!(!actionable(Task, Task) && !actionable(Dataset, Material) && !actionable(Other, Method));
    }

    /// A feature that separates the classes gets a positive weight and ranks them apart; a
    /// constant one gets none; the fit is deterministic and survives a JSON round trip.
    #[test]
    fn fit_learns_the_informative_feature() {
        let mut rng = crate::common::rng::SplitMix(3);
        let mut draw = |shift: f64| {
            let mut x = [0.0; FEATURES.len()];
            for v in x.iter_mut() {
                *v = rng.below(1000) as f64 / 1000.0;
            }
            x[2] += shift;
            x[4] = 1.0;
            x
        };
        let pos: Vec<Features> = (0..300).map(|_| draw(0.5)).collect();
        let neg: Vec<Features> = (0..3000).map(|_| draw(0.0)).collect();
        let m = LinkModel::fit("t", "synthetic", &pos, &neg).unwrap();
        assert!(m.weights[2] > 1.0, "{:?}", m.weights);
        assert!(m.weights[4].abs() < 1e-12, "{:?}", m.weights);
        for (i, w) in m.weights.iter().enumerate() {
            if i != 2 {
                assert!(w.abs() < 0.5 * m.weights[2], "{i}: {w}");
            }
        }
        let p: Vec<f64> = pos.iter().map(|x| m.score(x)).collect();
        let n: Vec<f64> = neg.iter().map(|x| m.score(x)).collect();
        assert!(super::super::auc(&p, &n).unwrap() > 0.85);
        assert_eq!(m, LinkModel::fit("t", "synthetic", &pos, &neg).unwrap());
        // The file keeps the weights to the last bit or so (serde_json's default float parsing
        // may be one unit in the last place off): the same scores to 1e-12.
        let back = LinkModel::parse(&serde_json::to_string(&m).unwrap()).unwrap();
        for x in pos.iter().chain(&neg) {
            assert!((back.score(x) - m.score(x)).abs() < 1e-12);
        }
        assert!(LinkModel::parse("{}").is_err());
    }

    #[test]
    fn bundled_model_loads() {
        let m = LinkModel::bundled();
        assert_eq!(m.features, FEATURES);
        assert!(m.weights.iter().all(|w| w.is_finite()));
    }
}
