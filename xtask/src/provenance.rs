//! Where and when a figure was made: the machine (host, CPU, cores), its
//! load, a UTC date, and the log `cargo xtask bench` keeps of its runs
//! (`target/criterion/goruntime-runs.tsv`) so `report --plots` can say on
//! what and under what load each benchmark figure was measured.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The log's file name, beside criterion's results.
const RUNS: &str = "goruntime-runs.tsv";

/// `host (CPU model, N cores)`, from `/proc`; what is unreadable is left out.
pub(crate) fn machine() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown host".to_owned());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, name)| name.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{host} ({cpu}, {cores} cores)")
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them.
pub(crate) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `YYYY-MM-DD HH:MM UTC`.
pub(crate) fn utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`, as goctx's `gofmt.rs` has it for
/// `Time.String`; xtask does not depend on goctx for nine lines).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// One `cargo xtask bench` run of a topic.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BenchRun {
    pub(crate) topic: String,
    pub(crate) when: String,
    pub(crate) machine: String,
    pub(crate) load: String,
}

/// Appends a run of `topic` to the log under `criterion_dir`.
pub(crate) fn record_bench_run(criterion_dir: &Path, topic: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(criterion_dir)?;
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(criterion_dir.join(RUNS))?;
    writeln!(
        log,
        "{topic}\t{}\t{}\t{}",
        utc(SystemTime::now()),
        machine(),
        loadavg()
    )
}

/// The last logged run of `topic`, if any.
pub(crate) fn last_bench_run(criterion_dir: &Path, topic: &str) -> Option<BenchRun> {
    let log = std::fs::read_to_string(criterion_dir.join(RUNS)).ok()?;
    log.lines().rev().find_map(|line| {
        let mut f = line.split('\t');
        let run = BenchRun {
            topic: f.next()?.to_owned(),
            when: f.next()?.to_owned(),
            machine: f.next()?.to_owned(),
            load: f.next()?.to_owned(),
        };
        (run.topic == topic).then_some(run)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01 00:00 UTC");
        // A leap day, at 12:34:56 UTC.
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(utc(t), "2024-02-29 12:34 UTC");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_800); // the first day of 2100
        assert_eq!(utc(t), "2100-01-01 00:00 UTC");
    }

    #[test]
    fn the_log_gives_each_topic_its_last_run() {
        let dir = std::env::temp_dir().join(format!("xtask-runs-{}", std::process::id()));
        record_bench_run(&dir, "map").unwrap();
        record_bench_run(&dir, "chan").unwrap();
        let map = last_bench_run(&dir, "map").unwrap();
        let none = last_bench_run(&dir, "slice");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(map.topic, "map");
        assert!(map.when.ends_with(" UTC"), "{map:?}");
        assert_eq!(map.load.split(' ').count(), 3, "{map:?}");
        assert!(none.is_none());
    }
}
