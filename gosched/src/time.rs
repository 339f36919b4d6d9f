//! Timers: `time.Sleep` and `time.AfterFunc` (`runtime/time.go`,
//! `time/sleep.go`, Go 1.27).
//!
//! On a goroutine (any M of a runtime), timers go on that runtime's timer
//! heap (`timers.rs`), which the scheduler checks on every schedule and idle
//! Ms sleep towards. Outside a runtime, timers live on one lazily started
//! timer thread with the same heap, not a thread per timer.
//!
//! As in Go, the heap runs only short, non-blocking functions itself (a
//! sleeper's wake-up, [`after_func_nonblocking`]); [`after_func`]'s
//! callback runs in a goroutine of its own (Go's `goFunc`), so it may block,
//! sleep or panic like any goroutine without holding up other timers.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::g::Spawn;
use crate::park::{Unparker, WaitReason};
use crate::sched::Sched;
use crate::timers::{CallbackPanic, Origin, TimerHeap};

/// The timer thread that serves timers set outside any runtime. It keeps
/// the same heap a runtime does (`timers.rs`), on its own clock.
struct TimerThread {
    epoch: Instant,
    timers: TimerHeap,
    /// Held from reading the earliest deadline until waiting on `changed`,
    /// so an earlier timer added in between cannot be missed.
    sleep: Mutex<()>,
    changed: Condvar,
}

impl TimerThread {
    fn now(&self) -> u64 {
        crate::g::nanos_since(self.epoch)
    }
}

static THREAD: OnceLock<&'static TimerThread> = OnceLock::new();

/// Timers set outside any runtime that can still fire. A goroutine may be
/// waiting for one (a channel from `after`, a context's deadline), so a
/// runtime is not deadlocked while there are any.
pub(crate) fn thread_timers_live() -> usize {
    THREAD.get().map_or(0, |t| t.timers.live())
}

fn timer_thread() -> &'static TimerThread {
    THREAD.get_or_init(|| {
        crate::runtime::install_handlers();
        let shared: &'static TimerThread = Box::leak(Box::new(TimerThread {
            epoch: Instant::now(),
            timers: TimerHeap::new(),
            sleep: Mutex::new(()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("gosched-timers".into())
            .spawn(move || run_timers(shared))
            .unwrap_or_else(|e| {
                crate::runtime::fatal(&format!("runtime: cannot start the timer thread: {e}"))
            });
        shared
    })
}

fn run_timers(shared: &TimerThread) {
    let lock = || shared.sleep.lock().unwrap_or_else(|e| e.into_inner());
    let mut guard = lock();
    loop {
        let now = shared.now();
        let next = shared.timers.next_when();
        if next <= now {
            drop(guard);
            // No `run` to fail off a runtime: a panicking callback ends the
            // process, as any panic outside a goroutine's recover does in Go.
            shared.timers.run_due(now, &mut |p: CallbackPanic| {
                crate::runtime::print_report(&p.report, p.site.as_ref().map(|s| &s.backtrace));
                std::process::exit(2);
            });
            guard = lock();
        } else if next == u64::MAX {
            guard = shared
                .changed
                .wait(guard)
                .unwrap_or_else(|e| e.into_inner());
        } else {
            let wait = Duration::from_nanos(next - now);
            guard = shared
                .changed
                .wait_timeout(guard, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// A pending timer ([`after_func`], [`after_func_nonblocking`]).
pub struct Timer {
    stopped: Arc<AtomicBool>,
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer")
            .field("stopped", &self.stopped.load(Ordering::Relaxed))
            .finish()
    }
}

impl Timer {
    /// Prevents the callback from running. Returns `true` if this call stopped
    /// it, `false` if it had already run (or, for [`after_func`], its
    /// goroutine had been started) or been stopped (Go's `Timer.Stop`).
    ///
    /// ```
    /// let t = gosched::time::after_func(std::time::Duration::from_secs(60), || unreachable!());
    /// assert!(t.stop());
    /// assert!(!t.stop());
    /// ```
    pub fn stop(&self) -> bool {
        !self.stopped.swap(true, Ordering::AcqRel)
    }
}

/// Nanoseconds of `d`, saturating: `Duration::MAX` is a deadline that never
/// comes (Go clamps to `maxWhen` the same way).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Starts `f` in a goroutine of its own once `d` has passed (Go's
/// `time.AfterFunc`): on the caller's runtime when called from a goroutine,
/// else on the default runtime behind [`go`](crate::go). `f` may block;
/// like any goroutine's, its panic fails the run (or, on the default
/// runtime, ends the process with status 2). Its report names no creating
/// goroutine, as Go's (`created by time.goFunc`).
///
/// ```
/// use std::sync::mpsc;
/// let (tx, rx) = mpsc::channel();
/// gosched::time::after_func(std::time::Duration::from_millis(1), move || {
///     gosched::time::sleep(std::time::Duration::from_millis(1)); // blocking is fine
///     tx.send(gosched::goid()).unwrap();
/// });
/// assert!(rx.recv().unwrap().is_some());
/// ```
#[track_caller]
pub fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) -> Timer {
    let spawn = Spawn {
        parent: 0,
        at: Location::caller(),
        entry: std::any::type_name_of_val(&f),
        main: false,
    };
    let origin = Origin {
        at: spawn.at,
        entry: spawn.entry,
    };
    match crate::runtime::current_sched() {
        Some(sched) => {
            let on = Arc::clone(&sched);
            add_timer(&sched, d, origin, move || {
                crate::schedule::spawn_g(on.new_g(spawn, Box::new(f)));
            })
        }
        None => add_thread_timer(d, origin, move || {
            let sched = crate::runtime::default_sched();
            crate::schedule::spawn_g(sched.new_g(spawn, Box::new(f)));
        }),
    }
}

/// Runs `f` once `d` has passed, on whichever thread finds the timer due
/// (an M between goroutines, or the timer thread off a runtime), as Go's
/// runtime runs the functions of its own timers (a `time.NewTimer`
/// channel's send, a sleeper's wake-up). Cheaper than [`after_func`] (no
/// goroutine), but `f` must not block: every other timer of the runtime
/// waits while it runs. Its panic is reported as Go reports a panic off
/// any goroutine (`goroutine 0`) and fails the run (or ends the process).
///
/// ```
/// use std::sync::mpsc;
/// let (tx, rx) = mpsc::sync_channel(1);
/// gosched::time::after_func_nonblocking(std::time::Duration::from_millis(1), move || {
///     let _ = tx.try_send(7);
/// });
/// assert_eq!(rx.recv().unwrap(), 7);
/// ```
#[track_caller]
pub fn after_func_nonblocking(d: Duration, f: impl FnOnce() + Send + 'static) -> Timer {
    let origin = Origin {
        at: Location::caller(),
        entry: std::any::type_name_of_val(&f),
    };
    match crate::runtime::current_sched() {
        Some(sched) => add_timer(&sched, d, origin, f),
        None => add_thread_timer(d, origin, f),
    }
}

/// A timer on the timer thread.
fn add_thread_timer(d: Duration, origin: Origin, f: impl FnOnce() + Send + 'static) -> Timer {
    let stopped = Arc::new(AtomicBool::new(false));
    let shared = timer_thread();
    let when = shared.now().saturating_add(nanos(d));
    if shared
        .timers
        .add(when, Arc::clone(&stopped), origin, Box::new(f))
    {
        // The earliest deadline moved up: wake the thread to wait less.
        let _sleeping = shared.sleep.lock().unwrap_or_else(|e| e.into_inner());
        shared.changed.notify_one();
    }
    Timer { stopped }
}

/// A timer on `sched`'s heap running `f` in the timer's context.
fn add_timer(
    sched: &Sched,
    d: Duration,
    origin: Origin,
    f: impl FnOnce() + Send + 'static,
) -> Timer {
    let stopped = Arc::new(AtomicBool::new(false));
    let when = sched.now().saturating_add(nanos(d));
    if sched
        .timers
        .add(when, Arc::clone(&stopped), origin, Box::new(f))
    {
        // The earliest deadline moved up: an idle M may be sleeping towards
        // the old one.
        sched.kick_idle_m();
    }
    Timer { stopped }
}

/// A timer on `sched`'s heap that wakes `who` (`park_timeout`, `sleep`).
pub(crate) fn wake_after(
    sched: &Sched,
    d: Duration,
    at: &'static Location<'static>,
    who: Unparker,
) -> Timer {
    let origin = Origin {
        at,
        entry: "gosched::time::wake_after",
    };
    add_timer(sched, d, origin, move || who.wake())
}

/// Blocks the calling goroutine (or thread) for at least `d` (Go's
/// `time.Sleep`). A goroutine parks with wait reason `sleep` and its M runs
/// others; a plain thread sleeps. `Duration::MAX` sleeps forever (Go sleeps
/// until `maxWhen`, 292 years): like any pending timer it keeps the
/// deadlock detector quiet, as in Go.
///
/// ```
/// let t = std::time::Instant::now();
/// gosched::Runtime::new().run(|| gosched::time::sleep(std::time::Duration::from_millis(5))).unwrap();
/// assert!(t.elapsed() >= std::time::Duration::from_millis(5));
/// ```
#[track_caller]
pub fn sleep(d: Duration) {
    if d.is_zero() {
        return;
    }
    let Some(g) = crate::schedule::current_g() else {
        std::thread::sleep(d);
        return;
    };
    let at = Location::caller();
    let deadline = Instant::now().checked_add(d);
    let sched = Arc::clone(&g.sched);
    let timer = wake_after(&sched, d, at, Unparker::of(g));
    while deadline.is_none_or(|t| Instant::now() < t) {
        crate::park::park_at(WaitReason::Sleep, at);
    }
    timer.stop();
}
