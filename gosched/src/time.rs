//! Timers: `time.Sleep` and `time.AfterFunc` (`runtime/time.go`,
//! `time/sleep.go`, Go 1.27).
//!
//! On a goroutine (any M of a runtime), timers go on that runtime's timer
//! heap (`timerheap.rs`), which the scheduler checks on every schedule and
//! idle Ms sleep towards. Outside a runtime, timers live on one lazily started
//! timer thread with the same heap, not a thread per timer
//! (`timerthread.rs`).
//!
//! As in Go, the heap runs only short, non-blocking functions itself (a
//! sleeper's wake-up, [`after_func_nonblocking`]); [`after_func`]'s
//! callback runs in a goroutine of its own (Go's `goFunc`), so it may block,
//! sleep or panic like any goroutine without holding up other timers.

use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::current::current_sched;
use crate::g::Spawn;
use crate::schedpoint::{sleep_current, spawn_g};
use crate::spawn;
use crate::timerheap::Origin;
pub use crate::timerheap::Timer;
use crate::timerthread::add_thread_timer;

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
    let spawn = Spawn::of(0, Location::caller(), &f);
    let origin = Origin {
        at: spawn.at,
        entry: (spawn.entry)(),
    };
    match current_sched() {
        Some(sched) => {
            let on = Arc::clone(&sched);
            sched.add_timer(d, origin, Box::new(move || spawn_g(on.new_g(spawn, f))))
        }
        None => add_thread_timer(d, origin, move || {
            let sched = spawn::default_sched();
            spawn_g(sched.new_g(spawn, f));
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
