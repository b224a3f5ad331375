//! Work split over the machine's cores.

/// The cores this process may use (at least one).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over `items` cut into at most `parts` contiguous parts, each part on a thread of its own;
/// the results come back in the parts' order (none for no items). A panic in a part is resumed
/// on the calling thread.
pub fn map_parts<'a, T: Sync, R: Send>(items: &'a [T], parts: usize, f: impl Fn(&'a [T]) -> R + Sync) -> Vec<R> {
    let size = items.len().div_ceil(parts.max(1)).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let running: Vec<_> = items.chunks(size).map(|part| scope.spawn(move || f(part))).collect();
        running
            .into_iter()
            .map(|r| r.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// `a` and `b` at once, `a` on a thread of its own (in turn, on one core); both results. A panic
/// in `a` is resumed on the calling thread.
pub fn join<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if cores() < 2 {
        let a = a();
        return (a, b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_gives_both_results() {
        let data = [1, 2, 3];
        assert_eq!(join(|| data.iter().sum::<i32>(), || data.len()), (6, 3));
    }

    #[test]
    fn parts_are_contiguous_and_come_back_in_order() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(
            map_parts(&items, 3, |p| p.to_vec()),
            [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
        );
        assert_eq!(map_parts(&items, 1, |p| p.len()), [10]);
        assert_eq!(map_parts(&items, 0, |p| p.len()), [10]);
        assert_eq!(map_parts(&items[..2], 8, |p| p.len()), [1, 1]);
        assert!(map_parts(&items[..0], 4, |p| p.len()).is_empty());
    }

    #[test]
    #[should_panic(expected = "part panicked")]
    fn a_panic_in_a_part_reaches_the_caller() {
        map_parts(&[1, 2], 2, |p| assert!(p[0] != 2, "part panicked"));
    }
}
