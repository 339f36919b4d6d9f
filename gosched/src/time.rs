//! Timers: `time.Sleep` and `time.AfterFunc` (`runtime/time.go`, Go 1.27).
//!
//! On a goroutine (any M of a runtime), timers go on that runtime's timer
//! heap (`timers.rs`), which the scheduler checks on every schedule and idle
//! Ms sleep towards. Outside a runtime, timers live on one lazily started
//! timer thread with a binary heap, not a thread per timer. Either way a
//! callback runs on the thread that found it due and must not block (Go runs
//! `AfterFunc` callbacks in their own goroutine; a callback here that needs
//! to block should [`go`](crate::go)).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::park::{WaitReason, current, park};
use crate::sched::Sched;
use crate::timers::TimerHeap;

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

fn timer_thread() -> &'static TimerThread {
    static THREAD: OnceLock<&'static TimerThread> = OnceLock::new();
    THREAD.get_or_init(|| {
        let shared: &'static TimerThread = Box::leak(Box::new(TimerThread {
            epoch: Instant::now(),
            timers: TimerHeap::new(),
            sleep: Mutex::new(()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("gosched-timers".into())
            .spawn(move || run_timers(shared))
            .expect("failed to start the timer thread");
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
            // A panicking callback must not kill the timer thread (every
            // later timer would never fire): report it as Go reports a
            // goroutine panic, and go on.
            shared.timers.run_due(now, &mut |message| {
                eprintln!("panic: {message}\n\ngoroutine 0 [running]:\ncreated by time.AfterFunc");
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

/// A pending [`after_func`] timer.
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
    /// it, `false` if it had already run or been stopped (Go's `Timer.Stop`).
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

/// Runs `f` once `d` has passed (Go's `time.AfterFunc`). `f` must not block.
///
/// ```
/// use std::sync::mpsc;
/// let (tx, rx) = mpsc::channel();
/// gosched::time::after_func(std::time::Duration::from_millis(1), move || tx.send(7).unwrap());
/// assert_eq!(rx.recv().unwrap(), 7);
/// ```
pub fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) -> Timer {
    if let Some(sched) = crate::runtime::current_sched() {
        return runtime_timer(&sched, d, f);
    }
    let stopped = Arc::new(AtomicBool::new(false));
    let shared = timer_thread();
    let when = shared
        .now()
        .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    if shared.timers.add(when, Arc::clone(&stopped), Box::new(f)) {
        // The earliest deadline moved up: wake the thread to wait less.
        let _sleeping = shared.sleep.lock().unwrap_or_else(|e| e.into_inner());
        shared.changed.notify_one();
    }
    Timer { stopped }
}

/// A timer on `sched`'s heap.
pub(crate) fn runtime_timer(
    sched: &Sched,
    d: Duration,
    f: impl FnOnce() + Send + 'static,
) -> Timer {
    let stopped = Arc::new(AtomicBool::new(false));
    let when = sched
        .now()
        .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    if sched.timers.add(when, Arc::clone(&stopped), Box::new(f)) {
        // The earliest deadline moved up: an idle M may be sleeping towards
        // the old one.
        sched.kick_idle_m();
    }
    Timer { stopped }
}

/// Blocks the calling goroutine (or thread) for at least `d` (Go's
/// `time.Sleep`). A goroutine parks with wait reason `sleep` and its M runs
/// others.
///
/// ```
/// let t = std::time::Instant::now();
/// gosched::Runtime::new().run(|| gosched::time::sleep(std::time::Duration::from_millis(5))).unwrap();
/// assert!(t.elapsed() >= std::time::Duration::from_millis(5));
/// ```
pub fn sleep(d: Duration) {
    if d.is_zero() {
        return;
    }
    let deadline = Instant::now() + d;
    let me = current();
    let timer = after_func(d, move || me.unpark());
    while Instant::now() < deadline {
        park(WaitReason::Sleep);
    }
    timer.stop();
}
