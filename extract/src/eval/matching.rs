//! One-to-one matching of predictions to gold items, so that one prediction can be credited
//! with one gold item at most and the other way round.

/// Size of a maximum one-to-one matching between `preds` predictions and `golds` gold items, where
/// `fits(p, g)` says whether prediction `p` may stand for gold item `g`.
///
/// This is a maximum-cardinality bipartite matching (Kuhn's augmenting paths), so the count is
/// the largest number of disjoint (prediction, gold) pairs: it depends on no tie rule or
/// iteration order. A long predicted span that overlaps two gold spans is credited once, and
/// each of the two gold items can still be found by another prediction. Cost: O(preds × edges),
/// which is small because callers match one document at a time.
pub(super) fn max_matching(preds: usize, golds: usize, fits: impl Fn(usize, usize) -> bool) -> usize {
    let edges: Vec<Vec<usize>> = (0..preds)
        .map(|p| (0..golds).filter(|&g| fits(p, g)).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; golds];
    let mut matched = 0;
    for p in 0..preds {
        let mut seen = vec![false; golds];
        if augment(p, &edges, &mut owner, &mut seen) {
            matched += 1;
        }
    }
    matched
}

/// Finds an augmenting path from prediction `p`: a free gold item, or one whose current owner
/// can move to another. Depth is at most the number of gold items of one document.
fn augment(p: usize, edges: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &g in &edges[p] {
        if seen[g] {
            continue;
        }
        seen[g] = true;
        let free = match owner[g] {
            None => true,
            Some(q) => augment(q, edges, owner, seen),
        };
        if free {
            owner[g] = Some(p);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::max_matching;

    /// Overlap of half-open token ranges.
    fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
        a.0 < b.1 && b.0 < a.1
    }

    fn matching(preds: &[(usize, usize)], golds: &[(usize, usize)]) -> usize {
        max_matching(preds.len(), golds.len(), |p, g| overlaps(preds[p], golds[g]))
    }

    #[test]
    fn one_long_prediction_over_two_gold_spans_counts_once() {
        // tokens 0..6 cover both gold spans 0..2 and 3..5
        assert_eq!(matching(&[(0, 6)], &[(0, 2), (3, 5)]), 1);
    }

    #[test]
    fn two_predictions_inside_one_gold_span_count_once() {
        assert_eq!(matching(&[(0, 1), (1, 2)], &[(0, 2)]), 1);
    }

    #[test]
    fn the_matching_is_maximum_not_greedy() {
        // A greedy pass that gives gold 0..2 to the first prediction (0..4, which overlaps
        // both) leaves the second prediction (1..2, which fits gold 0..2 only) unmatched; the
        // maximum matching moves the first prediction to gold 3..4 and matches both.
        assert_eq!(matching(&[(0, 4), (1, 2)], &[(0, 2), (3, 4)]), 2);
    }

    #[test]
    fn nothing_to_match() {
        assert_eq!(matching(&[], &[(0, 1)]), 0);
        assert_eq!(matching(&[(0, 1)], &[]), 0);
        assert_eq!(matching(&[(0, 1)], &[(1, 2)]), 0);
    }
}
