//! The public face of the scheduler: the [`Runtime`] builder and
//! `run(main)` (`runtime/proc.go: main, newproc`, Go 1.27), [`go`],
//! [`Handle`], and the calls a goroutine makes about itself and its
//! runtime ([`yield_now`], [`syscall`], [`goid`], [`num_goroutine`], ...).
//!
//! # Failure policy
//! Go kills the whole program when a goroutine panics, and on deadlock. A
//! library must not kill a program that runs a [`Runtime`] of its own, so:
//! - a goroutine panic prints Go's report (`panic: <msg>`, the goroutine,
//!   its creator) to stderr, stops the runtime and makes [`Runtime::run`]
//!   return [`RunError::Panic`]; [`Runtime::run_or_exit`] instead exits the
//!   process with status 2, as Go does. On the default runtime (goroutines
//!   started by [`go`] off any `run`) there is no `run` to fail: the
//!   process exits with status 2 after the report, as Go's does;
//! - once a goroutine has started panicking, that panic is the outcome
//!   (Go's `runningPanicDefers` and `panicking`): main returning meanwhile
//!   waits for the panicking goroutine to finish unwinding (up to
//!   [`PANIC_GRACE`]), and a failure being reported wins over main's
//!   return. A panic the goroutine catches itself (`catch_unwind`, Go's
//!   `recover`) prints nothing, as in Go;
//! - a deadlock makes `run` return [`RunError::Deadlock`] whose `Display` is
//!   Go's `fatal error: all goroutines are asleep - deadlock!` plus the dump
//!   (also printed to stderr);
//! - a stack overflow cannot be recovered from at all: it prints Go's
//!   report and exits the process with status 2, as Go's does.
//!
//! gosched installs a panic hook (once, in front of the one already set) so
//! that a goroutine's panic prints Go's report instead of Rust's `thread
//! '…' panicked at` line; panics off goroutines still go to the previous
//! hook. A hook set later replaces gosched's: goroutine panics are then
//! still reported and fail the run, but main returning at the same moment
//! may win the race.

use std::fmt;
use std::panic::{AssertUnwindSafe, Location};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::current::{current_sched, with_g};
use crate::g::Spawn;
use crate::outcome::{Outcome, RunError};
use crate::sched::{Config, Sched, default_gomaxprocs};
use crate::schedpoint::{enter_syscall, exit_syscall, sleep_current, spawn_g, yield_current};
use crate::signal;
use crate::spawn;
use crate::stack;
use crate::sysmon;

/// How long main, having returned, waits for goroutines still unwinding
/// from a panic before it ends the run anyway (after Go's 1000 `Gosched`s,
/// which suffice for Go's deferred calls; a Rust unwind may run longer
/// `Drop`s).
pub const PANIC_GRACE: Duration = Duration::from_secs(1);

/// Builds and runs a scheduler.
///
/// ```
/// let n = gosched::Runtime::new().gomaxprocs(2).run(|| {
///     let wg = gosched::WaitGroup::new();
///     for _ in 0..100 {
///         let wg = wg.clone();
///         wg.add(1);
///         gosched::go(move || wg.done());
///     }
///     wg.wait();
///     gosched::gomaxprocs()
/// });
/// assert_eq!(n.unwrap(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct Runtime {
    cfg: Config,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new()
    }
}

impl Runtime {
    /// A builder with Go's defaults: `GOMAXPROCS` from the environment or
    /// the number of cores, [`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE),
    /// `GODEBUG` read now.
    pub fn new() -> Runtime {
        Runtime {
            cfg: Config::from_env(),
        }
    }

    /// Sets the number of Ps (at least 1).
    ///
    /// ```
    /// assert_eq!(gosched::Runtime::new().gomaxprocs(3).run(gosched::gomaxprocs).unwrap(), 3);
    /// ```
    pub fn gomaxprocs(mut self, n: usize) -> Runtime {
        self.cfg.gomaxprocs = n.max(1);
        self
    }

    /// Sets the usable stack size of every goroutine (rounded up to whole
    /// pages, at least 4).
    ///
    /// ```
    /// // Each goroutine may use 64 KiB of stack; overflowing it aborts with Go's message.
    /// gosched::Runtime::new().stack_size(64 * 1024).run(|| ()).unwrap();
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Runtime {
        self.cfg.stack_size = stack::round_size(bytes);
        self
    }

    /// Deadlock detection: `Some(grace)` reports a deadlock once every
    /// goroutine has been blocked, with no timer or syscall pending, for
    /// `grace` (default 100 ms); `None` turns it off. Go reports at once;
    /// the grace exists because a plain OS thread outside the runtime may
    /// still wake a goroutine, which gosched cannot see coming.
    pub fn deadlock_detection(mut self, grace: Option<Duration>) -> Runtime {
        self.cfg.deadlock_grace = grace;
        self
    }

    /// Sets `schedtrace` (ms, 0 = off) and `scheddetail` as `GODEBUG` would.
    pub fn schedtrace(mut self, every_ms: u64, detail: bool) -> Runtime {
        self.cfg.schedtrace_ms = every_ms;
        self.cfg.scheddetail = detail;
        self
    }

    /// Runs `main` as goroutine 1 on a new scheduler and returns its result
    /// once it returns (other goroutines still running are abandoned, as
    /// when Go's `main` returns). Fails on a goroutine panic or deadlock —
    /// see the module docs.
    #[track_caller]
    pub fn run<T: Send + 'static>(
        self,
        main: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, RunError> {
        let spawn = Spawn {
            main: true,
            ..Spawn::of(0, Location::caller(), &main)
        };
        signal::install_handlers();
        let sched = Sched::new(self.cfg);
        let result: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&result);
        let s2 = Arc::clone(&sched);
        let g = sched.new_g(spawn, move || {
            let v = main();
            await_panics(&s2);
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
            s2.outcome.finish(Outcome::MainReturned);
        });
        let sysmon = sysmon::start(Arc::clone(&sched));
        spawn_g(g);
        // On a goroutine (a nested runtime), wait as a syscall so the outer
        // runtime hands this M's P to another M meanwhile.
        let outcome = syscall(|| sched.outcome.wait());
        sched.shut_down();
        let _ = sysmon.join();
        match outcome {
            Outcome::MainReturned => Ok(result
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .expect("main stores its result before the run ends with it")),
            Outcome::Failed(e) => Err(e),
        }
    }

    /// Like [`run`](Self::run), but a failure ends the process as Go's
    /// runtime does: exit status 2 after the report on stderr.
    #[track_caller]
    pub fn run_or_exit<T: Send + 'static>(self, main: impl FnOnce() -> T + Send + 'static) -> T {
        match self.run(main) {
            Ok(v) => v,
            Err(_) => std::process::exit(2),
        }
    }
}

/// Go's `main` before `exit(0)`: while goroutines are unwinding from a
/// panic (`runningPanicDefers`), let them finish (1000 yields, as Go, then
/// sleeps up to [`PANIC_GRACE`]), so that their panic, not main's return,
/// ends the run.
fn await_panics(sched: &Sched) {
    let start = Instant::now();
    let mut yields = 0;
    while sched.unwinding.load(Ordering::Acquire) > 0 && start.elapsed() < PANIC_GRACE {
        if yields < 1000 {
            yields += 1;
            yield_now();
        } else {
            sleep_current(Duration::from_millis(1), Location::caller());
        }
    }
}

/// Starts a goroutine running `f` (Go's `go f()`): on the caller's runtime
/// when called from a goroutine, else on the process-wide default runtime.
///
/// A goroutine on the default runtime that panics ends the process with
/// status 2 after Go's report, as in Go: there is no [`Runtime::run`] to
/// return the failure to. Start goroutines under `Runtime::run` to get the
/// failure back as a [`RunError`] instead.
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// gosched::go(move || tx.send(gosched::goid()).unwrap());
/// assert!(rx.recv().unwrap().is_some());
/// ```
#[track_caller]
pub fn go(f: impl FnOnce() + Send + 'static) {
    spawn::spawn(spawn::spawned_here(Location::caller(), &f), f);
}

/// A handle on a runtime, to spawn goroutines onto it from any thread (they
/// enter through its global run queue) and read its counters.
///
/// ```
/// let h = gosched::Runtime::new().run(|| gosched::Handle::current().unwrap()).unwrap();
/// assert!(h.stats().spawned >= 1);
/// ```
#[derive(Clone)]
pub struct Handle {
    sched: Arc<Sched>,
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("gomaxprocs", &self.sched.cfg.gomaxprocs)
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// The runtime the caller runs on (`None` on a plain thread).
    pub fn current() -> Option<Handle> {
        current_sched().map(|sched| Handle { sched })
    }

    /// Starts a goroutine on this runtime. After the runtime has finished,
    /// `f` is dropped without running.
    #[track_caller]
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) {
        if self.sched.shutdown.load(Ordering::Acquire) {
            return;
        }
        let g = self
            .sched
            .new_g(spawn::spawned_here(Location::caller(), &f), f);
        spawn_g(g);
    }

    /// Live goroutines.
    ///
    /// ```
    /// let n = gosched::Runtime::new().run(gosched::num_goroutine).unwrap();
    /// assert_eq!(n, 1);
    /// ```
    pub fn num_goroutine(&self) -> usize {
        self.sched.gcount()
    }

    /// Scheduler counters.
    pub fn stats(&self) -> SchedStats {
        SchedStats::of(&self.sched)
    }
}

/// Yields the processor so other goroutines run (`runtime.Gosched`); the
/// caller goes to the global run queue. On a plain thread, yields the
/// thread.
///
/// ```
/// let log = gosched::Runtime::new().gomaxprocs(1).run(|| {
///     let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
///     let l = log.clone();
///     gosched::go(move || l.lock().unwrap().push("other"));
///     gosched::yield_now(); // the other goroutine runs meanwhile
///     log.lock().unwrap().push("main");
///     let v = log.lock().unwrap().clone();
///     v
/// }).unwrap();
/// assert_eq!(log, ["other", "main"]);
/// ```
pub fn yield_now() {
    if !yield_current() {
        std::thread::yield_now();
    }
}

/// The calling goroutine's id, or `None` on a plain thread.
///
/// ```
/// assert_eq!(gosched::goid(), None);
/// assert_eq!(gosched::Runtime::new().run(gosched::goid).unwrap(), Some(1));
/// ```
pub fn goid() -> Option<u64> {
    with_g(|g| g.id())
}

/// Live goroutines of the caller's runtime (`runtime.NumGoroutine`); on a
/// plain thread, the default runtime's, without starting it (0 if nothing
/// did), the same rule as [`leak::snapshot`](crate::leak::snapshot).
///
/// ```
/// assert_eq!(gosched::Runtime::new().run(gosched::num_goroutine).unwrap(), 1);
/// ```
pub fn num_goroutine() -> usize {
    current_sched()
        .or_else(spawn::default_sched_if_started)
        .map_or(0, |s| s.gcount())
}

/// The caller's runtime's `GOMAXPROCS`; on a plain thread, what a new
/// runtime would use.
pub fn gomaxprocs() -> usize {
    current_sched().map_or_else(default_gomaxprocs, |s| s.cfg.gomaxprocs)
}

/// Scheduler counters of the caller's runtime (`None` on a plain thread).
///
/// ```
/// let s = gosched::Runtime::new().run(|| gosched::sched_stats().unwrap()).unwrap();
/// assert!(s.spawned >= 1);
/// ```
pub fn sched_stats() -> Option<SchedStats> {
    current_sched().map(|s| SchedStats::of(&s))
}

/// A snapshot of a runtime's scheduler counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchedStats {
    /// Successful steals (each moves half a victim's queue).
    pub steals: u64,
    /// Goroutines moved by steals.
    pub stolen_goroutines: u64,
    /// Ps handed off from Ms blocked in syscalls.
    pub handoffs: u64,
    /// Pulls from the global run queue.
    pub global_pulls: u64,
    /// Goroutines spawned.
    pub spawned: u64,
    /// Gs made (Go's `allglen`): a dead goroutine's G, with its stack, is
    /// reused by a later spawn, so this stays near the most goroutines
    /// ever alive at once (plus up to 64 resting Gs per P), however many
    /// were spawned.
    pub gs_made: usize,
    /// Stacks of dead goroutines whose pages sysmon's scavenger gave back
    /// to the kernel (after a burst, the memory follows the live
    /// goroutines down).
    pub stacks_scavenged: u64,
    /// Parks that committed.
    pub parks: u64,
    /// Goroutines sysmon saw running over 10 ms without yielding.
    pub long_runners: u64,
    /// OS threads (Ms) alive.
    pub threads: usize,
    /// Entries in the timer heap, stopped ones not yet swept included
    /// (`timerslen` in `scheddetail`).
    pub timers: usize,
}

impl SchedStats {
    pub(crate) fn of(s: &Sched) -> SchedStats {
        let c = &s.counters;
        SchedStats {
            steals: c.steals.load(Ordering::Relaxed),
            stolen_goroutines: c.stolen_gs.load(Ordering::Relaxed),
            handoffs: c.handoffs.load(Ordering::Relaxed),
            global_pulls: s
                .ps
                .iter()
                .map(|p| p.global_pulls.load(Ordering::Relaxed))
                .sum(),
            spawned: s.spawned(),
            gs_made: s.gs_made(),
            stacks_scavenged: c.stacks_scavenged.load(Ordering::Relaxed),
            parks: s.ps.iter().map(|p| p.parks.load(Ordering::Relaxed)).sum(),
            long_runners: c.long_runners.load(Ordering::Relaxed),
            threads: s.mcount.load(Ordering::Relaxed),
            timers: s.timers.len(),
        }
    }
}

/// Runs a blocking call (`entersyscall`/`exitsyscall`): the goroutine keeps
/// its M, but if the call lasts, sysmon hands the P to another M so other
/// goroutines keep running; afterwards the goroutine takes a P back or
/// waits in the global queue. On a plain thread, just calls `f`. If `f`
/// parks or yields (say, waits on a [`WaitGroup`](crate::WaitGroup)), the
/// goroutine leaves the syscall for that wait and re-enters it after; a
/// nested `syscall` is just a call.
///
/// ```
/// let v = gosched::Runtime::new().run(|| gosched::syscall(|| 6 * 7)).unwrap();
/// assert_eq!(v, 42);
/// ```
pub fn syscall<R>(f: impl FnOnce() -> R) -> R {
    if !enter_syscall() {
        return f();
    }
    let r = std::panic::catch_unwind(AssertUnwindSafe(f));
    exit_syscall();
    match r {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    }
}
