//! Ranking shared by every kind of gap: the best k candidates by score, ties broken by a given
//! order so that the same store and query give the same gaps.

pub(super) fn top_k<T>(
    mut items: Vec<(f64, T)>,
    k: usize,
    tie: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<(f64, T)> {
    items.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| tie(&a.1, &b.1)));
    items.truncate(k);
    items
}
