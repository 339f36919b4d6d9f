//! Timers: `time.Sleep` and `time.AfterFunc` (`runtime/time.go`,
//! `time/sleep.go`, Go 1.27).
//!
//! On a goroutine (any M of a runtime), timers go on that runtime's timer
//! heap (`timerheap.rs`), which the scheduler checks on every schedule and
//! idle Ms sleep towards. Outside a runtime, timers live on one lazily started
//! timer thread with the same heap, not a thread per timer.
//!
//! As in Go, the heap runs only short, non-blocking functions itself (a
//! sleeper's wake-up, [`after_func_nonblocking`]); [`after_func`]'s
//! callback runs in a goroutine of its own (Go's `goFunc`), so it may block,
//! sleep or panic like any goroutine without holding up other timers.

use std::panic::Location;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::g::Spawn;
use crate::m::current_sched;
use crate::process;
use crate::report;
use crate::schedpoint::{sleep_current, spawn_g};
pub use crate::timerheap::Timer;
use crate::timerheap::{CallbackPanic, Origin, TimerHeap, nanos, nanos_since};

/// The timer thread that serves timers set outside any runtime. It keeps
/// the same heap a runtime does (`timerheap.rs`), on its own clock.
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
        nanos_since(self.epoch)
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
        process::install_handlers();
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
                report::fatal(&format!("runtime: cannot start the timer thread: {e}"))
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
                report::print_panic(&p.report, p.site.as_ref());
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
    match current_sched() {
        Some(sched) => {
            let on = Arc::clone(&sched);
            sched.add_timer(
                d,
                origin,
                Box::new(move || spawn_g(on.new_g(spawn, Box::new(f)))),
            )
        }
        None => add_thread_timer(d, origin, move || {
            let sched = process::default_sched();
            spawn_g(sched.new_g(spawn, Box::new(f)));
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
    match current_sched() {
        Some(sched) => sched.add_timer(d, origin, Box::new(f)),
        None => add_thread_timer(d, origin, f),
    }
}

/// A timer on the timer thread.
fn add_thread_timer(d: Duration, origin: Origin, f: impl FnOnce() + Send + 'static) -> Timer {
    let shared = timer_thread();
    let when = shared.now().saturating_add(nanos(d));
    let (timer, earliest) = shared.timers.add(when, origin, Box::new(f));
    if earliest {
        // The earliest deadline moved up: wake the thread to wait less.
        let _sleeping = shared.sleep.lock().unwrap_or_else(|e| e.into_inner());
        shared.changed.notify_one();
    }
    timer
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
    if !d.is_zero() && !sleep_current(d, Location::caller()) {
        std::thread::sleep(d);
    }
}
