//! Is the machine idle enough to benchmark? On a 2-core VM one stray busy
//! loop on the other CPU turns every two-thread shape into a one-core run
//! and its numbers into fiction, so `bench` looks at `/proc/stat` for a
//! moment first and warns (it never refuses: the user may mean it).

use std::time::Duration;

/// Per-CPU busy fraction above which `bench` warns.
const BUSY_LIMIT: f64 = 0.2;

/// Prints a warning naming each CPU that was busier than [`BUSY_LIMIT`]
/// over `window`. Silent where `/proc/stat` does not exist.
pub(crate) fn warn_if_busy(window: Duration) {
    let Ok(before) = std::fs::read_to_string("/proc/stat") else {
        return;
    };
    std::thread::sleep(window);
    let Ok(after) = std::fs::read_to_string("/proc/stat") else {
        return;
    };
    for (cpu, busy) in busy_fractions(&before, &after) {
        if busy > BUSY_LIMIT {
            eprintln!(
                "warning: {cpu} was {:.0} % busy just before this run: another process is \
                 using the machine, so these numbers will not compare (check `ps`)",
                busy * 100.0
            );
        }
    }
}

/// `(cpuN, busy fraction)` for each CPU line present in both snapshots of
/// `/proc/stat` (user nice system idle iowait irq softirq steal ...; idle
/// and iowait count as idle).
pub(crate) fn busy_fractions(before: &str, after: &str) -> Vec<(String, f64)> {
    let parse = |text: &str| -> Vec<(String, u64, u64)> {
        text.lines()
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .filter_map(|l| {
                let mut it = l.split_whitespace();
                let name = it.next()?.to_owned();
                let ticks: Vec<u64> = it.filter_map(|t| t.parse().ok()).collect();
                let total: u64 = ticks.iter().take(8).sum();
                let idle = ticks.get(3)? + ticks.get(4).copied().unwrap_or(0);
                Some((name, total, idle))
            })
            .collect()
    };
    let (b, a) = (parse(before), parse(after));
    a.iter()
        .filter_map(|(name, total, idle)| {
            let (_, t0, i0) = b.iter().find(|(n, _, _)| n == name)?;
            let dt = total.checked_sub(*t0)?;
            let di = idle.checked_sub(*i0)?;
            (dt > 0).then(|| (name.clone(), (dt - di.min(dt)) as f64 / dt as f64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::busy_fractions;

    #[test]
    fn a_cpu_running_a_busy_loop_reads_busy() {
        let before = "cpu  300 0 10 700 0 0 0 0 0 0\n\
                      cpu0 100 0 5 395 0 0 0 0 0 0\n\
                      cpu1 200 0 5 305 0 0 0 0 0 0\n\
                      intr 12345\n";
        // 30 ticks later: cpu0 stayed idle, cpu1 ran user code throughout.
        let after = "cpu  330 0 10 730 0 0 0 0 0 0\n\
                     cpu0 100 0 5 425 0 0 0 0 0 0\n\
                     cpu1 230 0 5 305 0 0 0 0 0 0\n";
        let got = busy_fractions(before, after);
        assert_eq!(got.len(), 2, "the aggregate `cpu` line is skipped");
        assert_eq!(got[0], ("cpu0".to_owned(), 0.0));
        assert_eq!(got[1], ("cpu1".to_owned(), 1.0));
    }

    #[test]
    fn unreadable_or_unchanged_counters_give_nothing() {
        assert!(busy_fractions("", "").is_empty());
        let same = "cpu0 1 0 0 1 0 0 0 0\n";
        assert!(busy_fractions(same, same).is_empty());
    }
}
