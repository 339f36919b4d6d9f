//! Test harness shared by goctx's integration tests: run one scenario on OS
//! threads, or on goroutines of a gosched runtime (Go's default
//! `GOMAXPROCS`: the number of cores).

#![allow(dead_code)] // each test binary uses its own subset

use std::any::Any;
use std::fmt;
use std::time::{Duration, Instant};

use gochan::RecvChan;
use goctx::{Context, CustomContext, Error, Lookup};

/// Where the parties of a scenario run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every party, `main` included, is an OS thread.
    Threads,
    /// Every party is a goroutine of one gosched runtime.
    Goroutines,
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
                .run(move || main(rt))
                .unwrap_or_else(|e| panic!("goroutine run failed: {e}")),
        }
    }

    /// `go f()`.
    #[track_caller]
    pub(crate) fn go(self, f: impl FnOnce() + Send + 'static) {
        match self.mode {
            Mode::Threads => {
                std::thread::spawn(f);
            }
            Mode::Goroutines => gosched::go(f),
        }
    }
}

/// Go's `fmt.Errorf(text)`: an error of its own identity.
#[derive(Debug)]
pub(crate) struct GoError(pub(crate) &'static str);

impl fmt::Display for GoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for GoError {}

/// A cause made with `errors.New(text)` / `fmt.Errorf(text)`.
pub(crate) fn errorf(text: &'static str) -> goctx::Cause {
    goctx::Cause::new(GoError(text))
}

/// Go's `shortDuration`: a reasonable duration to block in a test.
pub(crate) const SHORT: Duration = Duration::from_millis(1);
/// Go's `veryLongDuration`: an arbitrary upper bound on a test's running
/// time.
pub(crate) const VERY_LONG: Duration = Duration::from_secs(1000 * 3600);

/// Go's `quiescent(t)` without a test deadline: 5 s.
pub(crate) fn quiescent() -> Duration {
    Duration::from_secs(5)
}

/// Go's `select { case <-ctx.Done(): default: }`: whether `done` is closed.
pub(crate) fn is_done(ctx: &Context) -> bool {
    is_closed(ctx.done())
}

/// Go's `otherContext` (`x_test.go`; `myCtx` of `context_test.go`): a
/// Context that's not one of the types defined in context.go, so the code
/// paths for "some other context" run. It embeds a Context, so everything,
/// `String` included, is the embedded one's.
pub(crate) struct OtherContext(pub(crate) Context);

impl CustomContext for OtherContext {
    fn deadline(&self) -> Option<Instant> {
        self.0.deadline()
    }
    fn done(&self) -> &RecvChan<()> {
        self.0.done()
    }
    fn err(&self) -> Option<Error> {
        self.0.err()
    }
    fn value(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        self.0.lookup(key)
    }
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// `otherContext{c}`.
pub(crate) fn other(c: &Context) -> Context {
    Context::custom(OtherContext(c.clone()))
}

/// Whether `done` is closed, without waiting.
pub(crate) fn is_closed(done: &RecvChan<()>) -> bool {
    gochan::select! {
        recv(done) -> _ => true,
        default => false,
    }
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
    };
}
