//! Go's text forms of times and durations, as a deadline context prints
//! them: `time.Duration.String` (`time/time.go: Duration.format`, `fmtFrac`,
//! `fmtInt`) and `time.Time.String` (`time/format.go`: date, time to the
//! nanosecond, zone offset and name, plus the monotonic reading
//! ` m=±S.NNNNNNNNN`), Go 1.27.
//!
//! Rust's `Instant` has no wall clock and no time zone: a deadline prints
//! as the wall-clock time it falls on, in UTC (Go prints the local zone),
//! and its monotonic reading counts from the first time goctx looked at
//! the clock (Go's from process start).

use std::fmt::{self, Write};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A signed duration in nanoseconds, printed as Go's `Duration.String`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GoDuration(pub(crate) i128);

impl GoDuration {
    /// `time.Until(t)`: from now to `t`, negative when `t` has passed.
    pub(crate) fn until(t: Instant) -> GoDuration {
        GoDuration(signed_nanos(Instant::now(), t))
    }
}

/// `b - a` in nanoseconds.
fn signed_nanos(a: Instant, b: Instant) -> i128 {
    match b.checked_duration_since(a) {
        Some(d) => d.as_nanos() as i128,
        None => -((a - b).as_nanos() as i128),
    }
}

const SECOND: u128 = 1_000_000_000;

impl fmt::Display for GoDuration {
    /// Go's `Duration.format`, written front to back. Go's `Duration` is an
    /// `int64`; longer spans print as if it were wider.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let u = self.0.unsigned_abs();
        if u == 0 {
            return f.write_str("0s");
        }
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        if u < SECOND {
            // Below a second: the largest unit that keeps an integer part.
            let (prec, unit) = match u {
                0..1_000 => (0, "ns"),
                1_000..1_000_000 => (3, "µs"),
                _ => (6, "ms"),
            };
            let (int, frac) = split_frac(u, prec);
            write!(out, "{int}{frac}{unit}")?;
        } else {
            let (secs, frac) = split_frac(u, 9);
            let (mins, s) = (secs / 60, secs % 60);
            let (hours, m) = (mins / 60, mins % 60);
            if hours > 0 {
                write!(out, "{hours}h{m}m")?;
            } else if mins > 0 {
                write!(out, "{m}m")?;
            }
            write!(out, "{s}{frac}s")?;
        }
        f.write_str(&out)
    }
}

/// Go's `fmtFrac`: `v / 10^prec` and its fraction as `.ddd` with trailing
/// zeros dropped (nothing at all when the fraction is zero).
fn split_frac(v: u128, prec: u32) -> (u128, String) {
    let scale = 10u128.pow(prec);
    let (int, frac) = (v / scale, v % scale);
    if frac == 0 {
        return (int, String::new());
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    (int, format!(".{}", digits.trim_end_matches('0')))
}

/// The instant goctx takes as its monotonic clock's zero (Go's process
/// start), set the first time a deadline is made or printed.
pub(crate) fn clock_epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// A deadline printed as Go's `Time.String` prints a monotonic time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GoTime(pub(crate) Instant);

impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        let unix_now = match wall_now.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        let unix = unix_now + signed_nanos(now, self.0);
        f.write_str(&utc_string(unix))?;
        f.write_str(&monotonic_suffix(signed_nanos(clock_epoch(), self.0)))
    }
}

/// Go's `Time.String` of a time without a monotonic reading, in UTC:
/// `YYYY-MM-DD hh:mm:ss.fffffffff +0000 UTC` (fraction trimmed of zeros).
pub(crate) fn utc_string(unix_nanos: i128) -> String {
    let secs = unix_nanos.div_euclid(SECOND as i128);
    let nanos = unix_nanos.rem_euclid(SECOND as i128) as u128;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (_, frac) = split_frac(nanos, 9);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{frac} +0000 UTC",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// Go's monotonic suffix of `Time.String`: ` m=+1.500000000` (seconds and
/// nine digits of fraction, signed).
pub(crate) fn monotonic_suffix(nanos: i128) -> String {
    let sign = if nanos < 0 { '-' } else { '+' };
    let u = nanos.unsigned_abs();
    format!(" m={sign}{}.{:09}", u / SECOND, u % SECOND)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`; Go's `absDate` computes the same).
fn civil_from_days(z: i128) -> (i128, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i128::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_go() {
        // From Go's time_test.go `durationTests`.
        let cases: &[(i128, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (3_300_000_000, "3.3s"),
            (4 * 60 * 1_000_000_000 + 5_000_000_000, "4m5s"),
            (4 * 60 * 1_000_000_000 + 5_001_000_000, "4m5.001s"),
            (
                5 * 3600 * 1_000_000_000 + 6 * 60 * 1_000_000_000 + 7_001_000_000,
                "5h6m7.001s",
            ),
            (8 * 60 * 1_000_000_000 + 1, "8m0.000000001s"),
            (i128::from(i64::MAX), "2562047h47m16.854775807s"),
            (i128::from(i64::MIN), "-2562047h47m16.854775808s"),
            (-1_100, "-1.1µs"),
        ];
        for &(ns, want) in cases {
            assert_eq!(GoDuration(ns).to_string(), want, "{ns}");
        }
    }

    /// Every line of `tests/golden/gofmt.txt`, which Go 1.27 printed
    /// (`tests/golden/gen/main.go`).
    #[test]
    fn golden_durations_and_times_from_go() {
        let golden = include_str!("../tests/golden/gofmt.txt");
        let mut checked = 0;
        for line in golden.lines() {
            let mut parts = line.splitn(3, ' ');
            let (kind, n, want) = (parts.next(), parts.next(), parts.next());
            let n: i128 = n.and_then(|n| n.parse().ok()).expect("a number");
            let got = match kind {
                Some("d") => GoDuration(n).to_string(),
                Some("t") => utc_string(n),
                other => panic!("unknown golden line kind {other:?}"),
            };
            assert_eq!(Some(got.as_str()), want, "{line}");
            checked += 1;
        }
        assert!(checked > 300, "{checked} golden lines");
    }

    #[test]
    fn monotonic_suffix_reads_like_go() {
        assert_eq!(monotonic_suffix(1_000_000_001), " m=+1.000000001");
        assert_eq!(monotonic_suffix(-1_500_000), " m=-0.001500000");
        assert_eq!(monotonic_suffix(0), " m=+0.000000000");
    }
}
