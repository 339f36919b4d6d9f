//! `GODEBUG=gctrace=1`: the line Go 1.27 prints at the end of each cycle
//! (`gcMarkTermination`, `runtime/mgc.go`; the format documented in
//! `runtime/extern.go`), field for field:
//!
//! ```text
//! gc # @#s #%: #+#+# ms clock, #+#/#/#+# ms cpu, #->#-># MB, # MB goal, # MB stacks, # MB globals, # P
//! ```
//!
//! the cycle number; seconds since the heap was created; the share of CPU
//! time spent in the collector since then; the wall-clock times of sweep
//! termination (STW), concurrent mark and mark termination (STW); the CPU
//! times of sweep termination, mark assists / background marking / idle
//! marking, and mark termination; the heap at the start of the cycle, at
//! the end of marking and live (marked); the goal; the stack and global
//! bytes scanned; the processors; and ` (forced)` after `runtime.GC()`.

use std::fmt;
use std::time::Duration;

/// One cycle's `gctrace` line. `Display` prints it exactly as Go does.
///
/// ```
/// use std::time::Duration;
/// use gogc::GcTrace;
///
/// let line = GcTrace {
///     cycle: 3,
///     at: Duration::from_millis(1_234),
///     cpu_percent: 5,
///     clock: [Duration::from_micros(12), Duration::from_micros(2_345), Duration::from_micros(8)],
///     cpu: [
///         Duration::from_micros(12),
///         Duration::from_micros(1_100),
///         Duration::from_micros(600),
///         Duration::ZERO,
///         Duration::from_micros(8),
///     ],
///     heap_start: 8 << 20,
///     heap_end: 9 << 20,
///     heap_marked: 4 << 20,
///     goal: 8 << 20,
///     stacks: 0,
///     globals: 0,
///     procs: 1,
///     forced: false,
/// };
/// assert_eq!(
///     line.to_string(),
///     "gc 3 @1.234s 5%: 0.012+2.3+0.008 ms clock, 0.012+1.1/0.60/0+0.008 ms cpu, \
///      8->9->4 MB, 8 MB goal, 0 MB stacks, 0 MB globals, 1 P"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GcTrace {
    /// `gc #`: the cycle number (`memstats.numgc`).
    pub cycle: u32,
    /// `@#s`: time since the heap was created, at the start of the cycle.
    pub at: Duration,
    /// `#%`: percentage of CPU time spent in the collector since then.
    pub cpu_percent: u32,
    /// Wall clock: sweep termination (STW), concurrent mark, mark
    /// termination (STW).
    pub clock: [Duration; 3],
    /// CPU: sweep termination, assists, background (dedicated and
    /// fractional) marking, idle marking, mark termination.
    pub cpu: [Duration; 5],
    /// `heap0`: bytes of heap when the cycle started.
    pub heap_start: u64,
    /// `heap1`: bytes of heap when marking ended.
    pub heap_end: u64,
    /// `heap2`: bytes marked live.
    pub heap_marked: u64,
    /// The cycle's heap goal, bytes.
    pub goal: u64,
    /// Stack bytes scanned.
    pub stacks: u64,
    /// Global bytes scanned.
    pub globals: u64,
    /// Processors (`GOMAXPROCS`).
    pub procs: u32,
    /// The cycle was `runtime.GC()`'s.
    pub forced: bool,
}

/// `itoaDiv`: `val` in decimal with a decimal point `dec` digits from the
/// right.
fn itoa_div(val: u64, dec: usize) -> String {
    let mut digits = Vec::with_capacity(24);
    let mut val = val;
    let mut written = 0;
    loop {
        digits.push(b'0' + (val % 10) as u8);
        written += 1;
        val /= 10;
        if written == dec {
            digits.push(b'.');
        }
        if val == 0 && written > dec {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).expect("ASCII digits")
}

/// `fmtNSAsMS`: milliseconds with two significant digits and at most three
/// decimals under 10 ms (`0.012`, `2.3`, `0.60`), whole milliseconds from
/// 10 ms, `0` under a microsecond.
pub fn fmt_ns_as_ms(ns: u64) -> String {
    if ns >= 10_000_000 {
        return itoa_div(ns / 1_000_000, 0);
    }
    let mut x = ns / 1_000;
    if x == 0 {
        return "0".to_owned();
    }
    let mut dec = 3;
    while x >= 100 {
        x /= 10;
        dec -= 1;
    }
    itoa_div(x, dec)
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl fmt::Display for GcTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at_ms = nanos(self.at) / 1_000_000;
        write!(
            f,
            "gc {} @{}s {}%: ",
            self.cycle,
            itoa_div(at_ms, 3),
            self.cpu_percent
        )?;
        for (i, d) in self.clock.iter().enumerate() {
            if i != 0 {
                f.write_str("+")?;
            }
            f.write_str(&fmt_ns_as_ms(nanos(*d)))?;
        }
        f.write_str(" ms clock, ")?;
        for (i, d) in self.cpu.iter().enumerate() {
            match i {
                0 => {}
                2 | 3 => f.write_str("/")?,
                _ => f.write_str("+")?,
            }
            f.write_str(&fmt_ns_as_ms(nanos(*d)))?;
        }
        write!(
            f,
            " ms cpu, {}->{}->{} MB, {} MB goal, {} MB stacks, {} MB globals, {} P",
            self.heap_start >> 20,
            self.heap_end >> 20,
            self.heap_marked >> 20,
            self.goal >> 20,
            self.stacks >> 20,
            self.globals >> 20,
            self.procs
        )?;
        if self.forced {
            f.write_str(" (forced)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_as_go_formats_them() {
        for (ns, want) in [
            (0, "0"),
            (999, "0"),
            (1_000, "0.001"),
            (12_000, "0.012"),
            (99_000, "0.099"),
            (100_000, "0.10"),
            (600_000, "0.60"),
            (1_234_000, "1.2"),
            (9_999_999, "9.9"),
            (10_000_000, "10"),
            (123_456_789, "123"),
        ] {
            assert_eq!(fmt_ns_as_ms(ns), want, "{ns} ns");
        }
    }

    #[test]
    fn seconds_since_start_have_three_decimals() {
        assert_eq!(itoa_div(5, 3), "0.005");
        assert_eq!(itoa_div(1234, 3), "1.234");
        assert_eq!(itoa_div(61_000, 3), "61.000");
        assert_eq!(itoa_div(12, 0), "12");
    }
}
