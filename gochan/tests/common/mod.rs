//! Test harness shared by gochan's integration tests: run one scenario on
//! OS threads, on goroutines (a gosched runtime with GOMAXPROCS=4, as Go's
//! `TestChan` sets), or mixed (threads send, goroutines receive).

#![allow(dead_code)] // each test binary uses its own subset

use std::time::Duration;

/// Where the parties of a scenario run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every party, `main` included, is an OS thread.
    Threads,
    /// Every party is a goroutine of one gosched runtime.
    Goroutines,
    /// `main` and receivers are goroutines; senders are OS threads.
    Mixed,
}

/// The scenario's `go` statement, per mode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rt {
    pub(crate) mode: Mode,
}

impl Rt {
    /// Runs `main` in `mode` and returns its result; a panic in any party
    /// fails the test.
    pub(crate) fn run<T: Send + 'static>(
        mode: Mode,
        main: impl FnOnce(Rt) -> T + Send + 'static,
    ) -> T {
        let rt = Rt { mode };
        match mode {
            Mode::Threads => main(rt),
            Mode::Goroutines => gosched::Runtime::new()
                .gomaxprocs(4)
                .run(move || main(rt))
                .unwrap_or_else(|e| panic!("goroutine run failed: {e}")),
            // Threads may wake goroutines at any time: the detector's grace
            // period cannot see them coming.
            Mode::Mixed => gosched::Runtime::new()
                .gomaxprocs(4)
                .deadlock_detection(None)
                .run(move || main(rt))
                .unwrap_or_else(|e| panic!("goroutine run failed: {e}")),
        }
    }

    /// `go f()` for a party that mostly receives (or both).
    #[track_caller]
    pub(crate) fn go(self, f: impl FnOnce() + Send + 'static) {
        match self.mode {
            Mode::Threads => {
                std::thread::spawn(f);
            }
            Mode::Goroutines | Mode::Mixed => gosched::go(f),
        }
    }

    /// `go f()` for a party that sends: an OS thread in mixed mode.
    #[track_caller]
    pub(crate) fn go_send(self, f: impl FnOnce() + Send + 'static) {
        match self.mode {
            Mode::Threads | Mode::Mixed => {
                std::thread::spawn(f);
            }
            Mode::Goroutines => gosched::go(f),
        }
    }

    /// `runtime.Gosched()`.
    pub(crate) fn yield_now(self) {
        gosched::yield_now();
    }
}

/// `time.Sleep(d)` on a thread or goroutine.
pub(crate) fn sleep(d: Duration) {
    gosched::time::sleep(d);
}

/// `time.Millisecond * n`.
pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One `#[test]` per mode for a scenario `fn(Rt)`.
#[macro_export]
macro_rules! all_modes {
    ($($name:ident),* $(,)?) => {
        mod threads {
            $(#[test] fn $name() { $crate::common::Rt::run($crate::common::Mode::Threads, super::$name) })*
        }
        mod goroutines {
            $(#[test] fn $name() { $crate::common::Rt::run($crate::common::Mode::Goroutines, super::$name) })*
        }
        mod mixed {
            $(#[test] fn $name() { $crate::common::Rt::run($crate::common::Mode::Mixed, super::$name) })*
        }
    };
}
