//! The inner loops a search runs millions of times, in a crate of their own so that every
//! profile builds them at full optimisation without overflow checks (the dev profile builds
//! Hypatia's own crate lightly, where these loops would not be vectorised).

/// Dot product of two byte vectors over their common length, summed in `i32`. Exact for any
/// vector shorter than 2^17 components (127² · 2^17 < 2^31).
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    // Independent lanes, so that the compiler keeps several sums in vector registers.
    const LANES: usize = 16;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0i32; LANES];
    let mut ca = a.chunks_exact(LANES);
    let mut cb = b.chunks_exact(LANES);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..LANES {
            acc[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    let tail: i32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum();
    acc.iter().sum::<i32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_i8_is_the_plain_sum_at_every_length() {
        for n in [0usize, 1, 15, 16, 17, 384, 388, 1000] {
            let a: Vec<i8> = (0..n).map(|i| ((i * 37 + 11) % 255) as i32 as i8).collect();
            let b: Vec<i8> = (0..n).map(|i| ((i * 91 + 5) % 253) as i32 as i8).collect();
            let plain: i32 = a.iter().zip(&b).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum();
            assert_eq!(dot_i8(&a, &b), plain, "n {n}");
        }
        let extreme = vec![-128i8; 1024];
        assert_eq!(dot_i8(&extreme, &extreme), 1024 * 128 * 128);
    }
}
