//! A small logistic regression over standardised features, fitted by Newton's method (IRLS):
//! deterministic (no sampling, no learning rate), with an L2 penalty on the weights so that a
//! constant or separable feature stays finite. The learned rankers (the search reranker) store
//! its parameters in versioned files.

use serde::{Deserialize, Serialize};

use crate::common::error::{Error, Result};

/// A fitted model's parameters: score = bias + Σ weight · (x − mean) / scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Training means of the features.
    pub mean: Vec<f64>,
    /// Training standard deviations (1 where a feature was constant).
    pub scale: Vec<f64>,
    /// Weights of the standardised features.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
}

/// How [`Logistic::fit_with`] takes the features' means and standard deviations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moments {
    /// Weighted by the rows' weights.
    Weighted,
    /// Every row counting once, whatever its weight.
    Unweighted,
}

impl Logistic {
    /// The logit of one row.
    pub fn score(&self, x: &[f64]) -> f64 {
        let mut z = self.bias;
        for (((x, w), m), sd) in x.iter().zip(&self.weights).zip(&self.mean).zip(&self.scale) {
            z += w * (x - m) / sd;
        }
        z
    }

    /// Fits rows of `n` features with 0/1 labels, each row weighted by `weight` (1 for plain
    /// maximum likelihood), penalising the weights (not the intercept) by `l2`; features are
    /// standardised by their weighted moments.
    pub fn fit(rows: &[(Vec<f64>, bool, f64)], l2: f64) -> Result<Logistic> {
        Self::fit_with(rows, l2, Moments::Weighted)
    }

    /// [`Logistic::fit`], with the features standardised as `moments` says.
    pub fn fit_with(rows: &[(Vec<f64>, bool, f64)], l2: f64, moments: Moments) -> Result<Logistic> {
        let Some(n) = rows.first().map(|r| r.0.len()) else {
            return Err(Error::invalid("training rows", "there are none"));
        };
        let total: f64 = rows.iter().map(|r| r.2).sum();
        let count = rows.len() as f64;
        // A row's share in the moments.
        let share = |w: f64, v: f64| match moments {
            Moments::Weighted => w * v / total,
            Moments::Unweighted => v / count,
        };
        let mut mean = vec![0.0; n];
        for (x, _, w) in rows {
            for i in 0..n {
                mean[i] += share(*w, x[i]);
            }
        }
        let mut scale = vec![0.0; n];
        for (x, _, w) in rows {
            for i in 0..n {
                scale[i] += share(*w, (x[i] - mean[i]).powi(2));
            }
        }
        for s in &mut scale {
            *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
        }
        // Standardised rows with a 1 for the intercept (last); weights normalised to sum to 1
        // so that `l2` means the same whatever the sample size.
        let std_rows: Vec<(Vec<f64>, f64, f64)> = rows
            .iter()
            .map(|(x, y, w)| {
                let mut r: Vec<f64> = (0..n).map(|i| (x[i] - mean[i]) / scale[i]).collect();
                r.push(1.0);
                (r, if *y { 1.0 } else { 0.0 }, w / total)
            })
            .collect();
        let mut beta = vec![0.0; n + 1];
        for _ in 0..50 {
            let mut grad = vec![0.0; n + 1];
            let mut hess = vec![vec![0.0; n + 1]; n + 1];
            for (r, y, w) in &std_rows {
                let z: f64 = r.iter().zip(&beta).map(|(a, b)| a * b).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                for ((g, h), ri) in grad.iter_mut().zip(hess.iter_mut()).zip(r) {
                    *g += w * (p - y) * ri;
                    for (hij, rj) in h.iter_mut().zip(r) {
                        *hij += w * p * (1.0 - p) * ri * rj;
                    }
                }
            }
            for i in 0..n {
                grad[i] += l2 * beta[i];
                hess[i][i] += l2;
            }
            let step = solve(hess, grad)
                .ok_or_else(|| Error::invalid("training rows", "the features are degenerate (singular Hessian)"))?;
            let mut moved = 0.0f64;
            for i in 0..=n {
                beta[i] -= step[i];
                moved = moved.max(step[i].abs());
            }
            if moved < 1e-9 {
                break;
            }
        }
        Ok(Logistic {
            mean,
            scale,
            weights: beta[..n].to_vec(),
            bias: beta[n],
        })
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when `a` is singular.
pub fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (i, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            if f != 0.0 {
                for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
                b[col + 1 + i] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
    }
}
