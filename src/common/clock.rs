//! The two clocks of what the store knows (DESIGN.md, "Two clocks"): the record time (when the
//! store learned a statement: the time of the write that brought it, fixed in the journal) and
//! the valid time (when the source says it became true: a publication date, a notice date, a
//! status change). Both are read as [`Moment`]s, milliseconds since 1970-01-01 UTC, so that
//! dates of any precision and RFC 3339 times with any offset compare as numbers.
//!
//! A source date names a period ("2001", "2001-08", "2001-08-10"); [`Moment::latest_in`] is its
//! last millisecond. An `as_of` read counts a dated fact only once it is certainly true: a paper
//! dated "2012" is visible as of 2012 (the end of that year) and not as of 2012-06-01.

use crate::common::error::{Error, Result};

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(pub i64);

const DAY_MS: i64 = 86_400_000;

impl Moment {
    /// Now.
    pub fn now() -> Moment {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Moment(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    /// The first millisecond of a civil date (proleptic Gregorian).
    pub fn from_civil(year: i64, month: u32, day: u32) -> Moment {
        Moment(days_from_civil(year, month, day) * DAY_MS)
    }

    /// The last millisecond of the period a source date or time names: a year, a year and
    /// month, a date, or an RFC 3339 date-time (itself). `None` when `s` is none of these.
    pub fn latest_in(s: &str) -> Option<Moment> {
        let s = s.trim();
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = s.get(r)?;
            (!part.is_empty() && part.bytes().all(|c| c.is_ascii_digit())).then(|| part.parse().ok())?
        };
        let year = num(0..4)?;
        match b.len() {
            4 => Some(Moment(Moment::from_civil(year + 1, 1, 1).0 - 1)),
            7 if b[4] == b'-' => {
                let month = u32::try_from(num(5..7)?).ok().filter(|m| (1..=12).contains(m))?;
                let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
                Some(Moment(Moment::from_civil(ny, nm, 1).0 - 1))
            }
            10 if b[4] == b'-' && b[7] == b'-' => {
                let start = Self::date(year, num(5..7)?, num(8..10)?)?;
                Some(Moment(start.0 + DAY_MS - 1))
            }
            n if n > 10 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' => Self::parse_time(s),
            _ => None,
        }
    }

    fn date(year: i64, month: i64, day: i64) -> Option<Moment> {
        let month = u32::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
        let day = u32::try_from(day)
            .ok()
            .filter(|d| (1..=days_in_month(year, month)).contains(d))?;
        Some(Moment::from_civil(year, month, day))
    }

    /// An RFC 3339 date-time (`2026-11-26T10:00:00Z`, fractions and offsets allowed; no offset
    /// reads as UTC).
    fn parse_time(s: &str) -> Option<Moment> {
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = s.get(r)?;
            (!part.is_empty() && part.bytes().all(|c| c.is_ascii_digit())).then(|| part.parse().ok())?
        };
        let day = Self::date(num(0..4)?, num(5..7)?, num(8..10)?)?;
        if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
            return None;
        }
        let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if h > 23 || m > 59 || sec > 60 {
            return None;
        }
        let mut i = 19;
        let mut millis = 0;
        if b.get(i) == Some(&b'.') {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            let frac = &s[i + 1..i + 1 + n];
            millis = format!("{:0<3}", &frac[..n.min(3)]).parse::<i64>().ok()?;
            i += 1 + n;
        }
        let offset_min = match b.get(i) {
            None => 0,
            Some(b'Z') if i + 1 == b.len() => 0,
            Some(c @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let v = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
                if *c == b'+' {
                    v
                } else {
                    -v
                }
            }
            _ => return None,
        };
        Some(Moment(day.0 + ((h * 60 + m - offset_min) * 60 + sec) * 1000 + millis))
    }

    /// As an RFC 3339 UTC time with milliseconds (`2026-11-26T10:00:00.000Z`).
    pub fn rfc3339(self) -> String {
        let (days, rem) = (self.0.div_euclid(DAY_MS), self.0.rem_euclid(DAY_MS));
        let (year, month, day) = civil_from_days(days);
        let secs = rem / 1000;
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60,
            rem % 1000
        )
    }

    /// The calendar year the moment falls in (UTC).
    pub fn year(self) -> i32 {
        civil_from_days(self.0.div_euclid(DAY_MS)).0 as i32
    }
}

/// Which clocks an `as_of` read filters on.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Clocks {
    /// The store as it stood then: what it had not yet learned, and what the sources date
    /// later, are both invisible.
    #[default]
    Both,
    /// The literature as it stood then, by the sources' dates only, whatever the store learned
    /// since (for a store built after the fact: time-sliced evaluations, history).
    Valid,
}

/// A read as of a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AsOf {
    /// The moment.
    pub at: Moment,
    /// Which clocks count.
    pub clocks: Clocks,
}

impl AsOf {
    /// Parses an `as_of` parameter: a year, a year and month, a date (each meaning its last
    /// millisecond) or an RFC 3339 date-time; `field` names the parameter in the error.
    pub fn parse(field: &str, s: &str, clocks: Clocks) -> Result<AsOf> {
        match Moment::latest_in(s) {
            Some(at) => Ok(AsOf { at, clocks }),
            None => Err(Error::invalid(
                field,
                format!(
                    "`{s}` is not a year (2012), a date (2012-06-30) or an RFC 3339 date-time (2012-06-30T12:00:00Z)"
                ),
            )),
        }
    }

    /// Whether something the source dates `valid` (a date of any precision, or none) and the
    /// store learned at `recorded` (none: not known) counts as of this moment.
    pub fn admits(&self, valid: Option<Moment>, recorded: Option<Moment>) -> bool {
        valid.is_none_or(|v| v <= self.at) && (self.clocks == Clocks::Valid || recorded.is_none_or(|r| r <= self.at))
    }

    /// The last year every day of which lies at or before the moment: the newest year a
    /// year-granular reader (the gap finder) may count.
    pub fn whole_year(&self) -> i32 {
        let y = self.at.year();
        if Moment::latest_in(&format!("{y:04}")) == Some(self.at) {
            y
        } else {
            y - 1
        }
    }
}

/// The moment the request parameters `as_of` and `clock` name, if `as_of` is given (a `clock`
/// without it reads now, on either clock: the same answer).
pub fn as_of_param(as_of: Option<&str>, clock: Option<Clocks>) -> Result<Option<AsOf>> {
    as_of
        .map(|s| AsOf::parse("as_of", s, clock.unwrap_or_default()))
        .transpose()
}

impl std::str::FromStr for Clocks {
    type Err = Error;

    fn from_str(s: &str) -> Result<Clocks> {
        match s {
            "both" => Ok(Clocks::Both),
            "valid" => Ok(Clocks::Valid),
            other => Err(Error::invalid("clock", format!("`{other}` is not one of both, valid"))),
        }
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_end_at_their_last_millisecond() {
        let t = |s: &str| Moment::latest_in(s).map(Moment::rfc3339);
        assert_eq!(t("2012").unwrap(), "2012-12-31T23:59:59.999Z");
        assert_eq!(t("2012-02").unwrap(), "2012-02-29T23:59:59.999Z");
        assert_eq!(t("2011-12").unwrap(), "2011-12-31T23:59:59.999Z");
        assert_eq!(t("2001-08-10").unwrap(), "2001-08-10T23:59:59.999Z");
        assert_eq!(t("2026-11-26T10:00:00Z").unwrap(), "2026-11-26T10:00:00.000Z");
        assert_eq!(t("2026-11-26T10:00:00.5+01:00").unwrap(), "2026-11-26T09:00:00.500Z");
        assert_eq!(t("2026-11-26T10:00:00-05:30").unwrap(), "2026-11-26T15:30:00.000Z");
        for bad in [
            "",
            "12",
            "2012-13",
            "2012-02-30",
            "2012/01/01",
            "2012-01-01T25:00:00Z",
            "yesterday",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 59, 365, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(Moment(0).rfc3339(), "1970-01-01T00:00:00.000Z");
        let now = Moment::now();
        assert_eq!(Moment::latest_in(&now.rfc3339()), Some(now));
    }

    #[test]
    fn as_of_counts_what_is_certainly_true_by_then() {
        let mid = AsOf::parse("as_of", "2012-06-30", Clocks::Both).unwrap();
        let end = AsOf::parse("as_of", "2012", Clocks::Both).unwrap();
        let y2012 = Moment::latest_in("2012");
        assert!(!mid.admits(y2012, None));
        assert!(end.admits(y2012, None));
        assert!(mid.admits(Moment::latest_in("2012-06"), None));
        assert!(mid.admits(None, None));
        let later = Moment::latest_in("2020");
        assert!(!mid.admits(None, later));
        assert!(AsOf {
            clocks: Clocks::Valid,
            ..mid
        }
        .admits(None, later));
        assert_eq!(mid.whole_year(), 2011);
        assert_eq!(end.whole_year(), 2012);
        assert!(AsOf::parse("as_of", "last week", Clocks::Both).is_err());
    }
}
