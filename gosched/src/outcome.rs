//! How a run ends: [`RunError`], and the outcome decided once (Go's
//! `panicking` and `exit`: the first failure to be claimed is the one
//! reported, and it wins over main's return).
//!
//! The slot goes `Open` → `Failing` (a failure claimed, being reported) →
//! `Decided` → `Taken` (by `Runtime::run`), or `Open` → `Decided` when
//! main returns first. Whatever comes later is ignored: a second panic, a
//! panic after the end, main returning while a failure is reported.

use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::report;

/// Why [`Runtime::run`](crate::Runtime::run) failed.
///
/// ```
/// let err = gosched::Runtime::new()
///     .run(|| gosched::park(gosched::WaitReason::SelectNoCases))
///     .unwrap_err();
/// assert!(err.to_string().starts_with("fatal error: all goroutines are asleep - deadlock!"));
/// assert!(err.to_string().contains("goroutine 1 [select (no cases)]:"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunError {
    /// A goroutine panicked.
    ///
    /// ```
    /// let err = gosched::Runtime::new().gomaxprocs(1).run(|| {
    ///     gosched::go(|| panic!("boom"));
    ///     gosched::time::sleep(std::time::Duration::from_secs(5));
    /// }).unwrap_err();
    /// let gosched::RunError::Panic { goroutine, message, .. } = &err else { unreachable!() };
    /// assert_eq!((*goroutine, message.as_str()), (2, "boom"));
    /// assert!(err.to_string().starts_with("panic: boom\n\ngoroutine 2 [running]:\n"));
    /// ```
    #[non_exhaustive]
    Panic {
        /// The goroutine's id.
        goroutine: u64,
        /// The panic message.
        message: String,
        /// Where it was spawned (`file:line:col`).
        spawned_at: String,
        /// Go's report as printed on stderr (`panic: …`, the goroutine, its
        /// creator); also what `Display` shows.
        report: String,
    },
    /// Every goroutine was blocked with nothing that could wake one.
    Deadlock {
        /// The goroutine dump (Go's format, one block per goroutine).
        dump: String,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Panic { report, .. } => f.write_str(report.trim_end()),
            RunError::Deadlock { dump } => {
                write!(f, "{}\n\n{}", report::DEADLOCK, dump.trim_end())
            }
        }
    }
}

impl std::error::Error for RunError {}

/// How a run ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    MainReturned,
    Failed(RunError),
}

/// The outcome as it is being decided.
#[derive(Debug, Default)]
enum Slot {
    /// Still running.
    #[default]
    Open,
    /// A failure is being reported (Go's `panicking`): main returning now
    /// does not end the run; the failure will.
    Failing,
    Decided(Outcome),
    /// [`RunOutcome::wait`] took it.
    Taken,
}

/// A run's outcome, decided once.
#[derive(Debug, Default)]
pub(crate) struct RunOutcome {
    slot: Mutex<Slot>,
    decided: Condvar,
}

impl RunOutcome {
    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Claims the right to report a failure (Go's `startpanic_m`): true for
    /// the first claimant while the run is still open. From then on main
    /// returning does not end the run; the claimant's [`finish`] will.
    /// Others (a second panic, a panic after the end) print nothing.
    ///
    /// [`finish`]: RunOutcome::finish
    pub(crate) fn claim_failure(&self) -> bool {
        let mut slot = self.slot();
        let open = matches!(*slot, Slot::Open);
        if open {
            *slot = Slot::Failing;
        }
        open
    }

    /// Records how the run ended and wakes [`wait`](RunOutcome::wait): a
    /// failure after its [`claim_failure`](RunOutcome::claim_failure);
    /// main's return only while nothing is failing.
    pub(crate) fn finish(&self, o: Outcome) {
        let mut slot = self.slot();
        let decide = matches!(
            (&*slot, &o),
            (Slot::Open, Outcome::MainReturned) | (Slot::Failing, Outcome::Failed(_))
        );
        if decide {
            *slot = Slot::Decided(o);
            drop(slot);
            self.decided.notify_all();
        }
    }

    /// Blocks until the outcome is decided and takes it.
    pub(crate) fn wait(&self) -> Outcome {
        let mut slot = self.slot();
        loop {
            match std::mem::take(&mut *slot) {
                Slot::Decided(o) => {
                    *slot = Slot::Taken;
                    return o;
                }
                other => *slot = other,
            }
            slot = self.decided.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, RunError, RunOutcome};

    fn deadlock() -> Outcome {
        Outcome::Failed(RunError::Deadlock {
            dump: String::new(),
        })
    }

    #[test]
    fn main_returning_first_ends_the_run() {
        let o = RunOutcome::default();
        o.finish(Outcome::MainReturned);
        assert!(!o.claim_failure(), "a failure after the end prints nothing");
        o.finish(deadlock());
        assert!(matches!(o.wait(), Outcome::MainReturned));
    }

    #[test]
    fn a_claimed_failure_wins_over_main_returning() {
        let o = RunOutcome::default();
        assert!(o.claim_failure());
        assert!(!o.claim_failure(), "only the first claimant reports");
        o.finish(Outcome::MainReturned);
        o.finish(deadlock());
        assert!(matches!(
            o.wait(),
            Outcome::Failed(RunError::Deadlock { .. })
        ));
    }
}
