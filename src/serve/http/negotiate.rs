//! Content negotiation: picks the best of the formats we can write for an `Accept` header.

/// Media ranges of an `Accept` header, best first (by q, then by order), without parameters.
fn ranges(accept: &str) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32, usize)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let media = bits.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = bits
                .filter_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            Some((media, q, i))
        })
        .filter(|(_, q, _)| *q > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    out.into_iter().map(|(m, q, _)| (m, q)).collect()
}

/// The first of `offered` (media type, value) that `accept` allows, the first offered when the
/// header is absent or says `*/*`; `None` when nothing offered is acceptable.
pub fn choose<T: Copy>(accept: Option<&str>, offered: &[(&str, T)]) -> Option<T> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return offered.first().map(|(_, v)| *v);
    };
    for (range, _) in ranges(accept) {
        if range == "*/*" {
            return offered.first().map(|(_, v)| *v);
        }
        if let Some(prefix) = range.strip_suffix("/*") {
            if let Some((_, v)) = offered.iter().find(|(m, _)| m.split('/').next() == Some(prefix)) {
                return Some(*v);
            }
            continue;
        }
        if let Some((_, v)) = offered.iter().find(|(m, _)| *m == range) {
            return Some(*v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::choose;

    const OFFER: [(&str, u8); 3] = [("application/json", 0), ("text/csv", 1), ("application/xml", 2)];

    #[test]
    fn picks_by_quality_then_order() {
        assert_eq!(choose(None, &OFFER), Some(0));
        assert_eq!(choose(Some("text/csv"), &OFFER), Some(1));
        assert_eq!(choose(Some("text/csv;q=0.5, application/xml"), &OFFER), Some(2));
        assert_eq!(choose(Some("text/*"), &OFFER), Some(1));
        assert_eq!(choose(Some("image/png"), &OFFER), None);
        assert_eq!(choose(Some("image/png, */*;q=0.1"), &OFFER), Some(0));
        assert_eq!(choose(Some("text/csv;q=0"), &OFFER), None);
    }
}
