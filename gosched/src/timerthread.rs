//! The timer thread: one lazily started thread that serves the timers set
//! outside any runtime (Go has no such thing: every Go program is in its
//! runtime). It keeps the same heap a runtime does (`timerheap.rs`), on its
//! own clock; a runtime waiting for one of its timers is not deadlocked.

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::report;
use crate::signal;
use crate::timerheap::{CallbackPanic, Origin, Timer, TimerHeap, nanos, nanos_since};

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
        signal::install_handlers();
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

/// A timer on the timer thread.
pub(crate) fn add_thread_timer(
    d: Duration,
    origin: Origin,
    f: impl FnOnce() + Send + 'static,
) -> Timer {
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
