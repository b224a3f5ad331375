//! Ranked lists of passages, as retrievers, fusion and the reranker pass them to each other, and
//! the score normalisation fusion and the reranker's features share.

use std::collections::HashMap;

/// A ranked list of (passage key, score), best first.
pub type Ranked = Vec<(String, f32)>;

/// A list's scores mapped linearly so that its maximum is 1 and its *floor* 0, the floor lying
/// one mean gap below the list's minimum: `min − (max − min) / len`.
///
/// A document the retriever did not return scores at most the list's minimum, and fusion gives
/// it 0. Were the minimum itself mapped to 0 (plain min-max), the lowest candidate would tie
/// with every unretrieved document; against the floor it keeps a small positive score
/// (`1 / (len + 1)` of the range). A list whose scores are all equal maps each to 1.
pub(crate) fn normalise(list: &[(String, f32)]) -> HashMap<&str, f32> {
    let (lo, hi) = list
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (_, s)| {
            (lo.min(*s), hi.max(*s))
        });
    let floor = lo - (hi - lo) / list.len().max(1) as f32;
    let span = hi - floor;
    list.iter()
        .map(|(k, s)| (k.as_str(), if span > 0.0 { (s - floor) / span } else { 1.0 }))
        .collect()
}
