//! Years and months as sources print them.

/// The four-digit year a text starts with (`2010`, `2010-05-01`, `2010a`).
pub(crate) fn leading_year(s: &str) -> Option<i32> {
    let digits: String = s.trim().chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// The first four-digit number in a text that looks like a year (1000–2999).
pub(crate) fn year_in(s: &str) -> Option<i32> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                let y: i32 = s.get(start..i)?.parse().ok()?;
                if (1000..3000).contains(&y) {
                    return Some(y);
                }
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A month as a number 1–12, from `5`, `05`, `May` or `may.`.
pub(crate) fn month_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u32>() {
        return (1..=12).contains(&n).then_some(n);
    }
    let lower = s.to_ascii_lowercase();
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| lower.starts_with(m))
    .map(|i| i as u32 + 1)
}

/// A day of the month, 1–31, from its digits.
pub(crate) fn day_number(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|d| (1..=31).contains(d))
}

/// The ISO date `YYYY-MM-DD`, `YYYY-MM` or `YYYY` of a year and what is known of its month and
/// day (a day without a month is left out).
pub(crate) fn iso_date(year: i32, month: Option<u32>, day: Option<u32>) -> String {
    match (month, day) {
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        _ => format!("{year:04}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_months() {
        assert_eq!(year_in("Spring 1991-1992"), Some(1991));
        assert_eq!(year_in("12345 x"), None);
        assert_eq!(leading_year("2001-02"), Some(2001));
        assert_eq!(month_number("Sep"), Some(9));
        assert_eq!(month_number("12"), Some(12));
        assert_eq!(month_number("13"), None);
        assert_eq!(leading_year("2008-11-26"), Some(2008));
    }
}
