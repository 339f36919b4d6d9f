//! The runtime's timer heap (`runtime/time.go: timers, addtimer, check,
//! run`, Go 1.27, one heap per runtime instead of per P).
//!
//! A binary min-heap ordered by (when, seq). Ms look at it on every
//! schedule (`checkTimers` in `findRunnable`) through one atomic load of the
//! earliest deadline; idle Ms sleep until that deadline. Stopping a timer
//! marks it; the heap drops marked entries when they reach the top. A
//! callback runs on the M that found it due, outside the heap lock, one at
//! a time, and must not block: Go's runtime timer functions (a sleeper's
//! wake-up, a channel timer's send) are like that, and `time.AfterFunc`'s
//! callback gets a goroutine of its own (`time.rs`).
//!
//! The same heap serves the timer thread that runs timers set off any
//! runtime (`time.rs`).

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::{self, Display};
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::{self, PanicSite};

/// Nanoseconds of `d`, saturating: `Duration::MAX` is a deadline that never
/// comes (Go clamps to `maxWhen` the same way).
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Reads the current time as nanoseconds since `epoch`.
pub(crate) fn nanos_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

pub(crate) type Callback = Box<dyn FnOnce() + Send + 'static>;

/// Who set a timer: where, and the function its callback is (for the
/// report of a callback that panics).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin {
    pub(crate) at: &'static Location<'static>,
    pub(crate) entry: &'static str,
}

/// A pending timer ([`time::after_func`](crate::time::after_func),
/// [`time::after_func_nonblocking`](crate::time::after_func_nonblocking)).
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
    /// it, `false` if it had already run (or, for
    /// [`after_func`](crate::time::after_func), its goroutine had been
    /// started) or been stopped (Go's `Timer.Stop`).
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

struct Entry {
    when: u64,
    seq: u64,
    stopped: Arc<AtomicBool>,
    origin: Origin,
    f: Callback,
}

thread_local! {
    /// While a callback runs on this thread: where its panic started, once
    /// the panic hook has seen one.
    static CALLBACK: RefCell<Option<Option<PanicSite>>> = const { RefCell::new(None) };
}

/// Called by the panic hook: records the panic's site if this thread is
/// running a timer callback (then Go's report is printed instead of Rust's
/// hook's).
pub(crate) fn callback_panicked(site: impl FnOnce() -> PanicSite) -> bool {
    CALLBACK.with(|c| match &mut *c.borrow_mut() {
        Some(slot) => {
            *slot = Some(site());
            true
        }
        None => false,
    })
}

/// A timer callback that panicked: Go's report for it, as for a goroutine
/// panic of no goroutine (`goroutine 0`), created where the timer was set.
#[derive(Debug)]
pub(crate) struct CallbackPanic {
    pub(crate) message: String,
    /// Go's report.
    pub(crate) report: String,
    pub(crate) site: Option<PanicSite>,
    pub(crate) origin: Origin,
}

impl CallbackPanic {
    fn new(payload: &(dyn std::any::Any + Send), site: Option<PanicSite>, origin: Origin) -> Self {
        let (message, repanicked) = report::panic_message(payload);
        let mut text = String::new();
        let _ = report::panic(
            &mut text,
            &message,
            repanicked,
            &report::Goroutine {
                id: 0,
                status: "running",
                waiting_minutes: 0,
                throwing: None,
                function: origin.entry,
                frame_at: site.as_ref().map(|s| &s.at as &dyn Display),
                created_by: Some(report::CreatedBy {
                    function: report::creator(origin.entry),
                    goroutine: 0,
                    at: origin.at,
                }),
            },
        );
        CallbackPanic {
            message,
            report: text,
            site,
            origin,
        }
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.when, self.seq) == (other.when, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.when, self.seq).cmp(&(other.when, other.seq))
    }
}

#[derive(Default)]
struct Heap {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    /// Adds since stopped entries were last swept out.
    adds_since_sweep: usize,
}

/// A runtime's timers.
pub(crate) struct TimerHeap {
    heap: Mutex<Heap>,
    /// Held while callbacks run, so they run one at a time and in order
    /// even when several Ms find timers due at once (others skip).
    runner: Mutex<()>,
    /// Earliest `when` in the heap (`u64::MAX`: empty), read lock-free.
    next: AtomicU64,
}

impl std::fmt::Debug for TimerHeap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerHeap")
            .field("next", &self.next.load(Ordering::Relaxed))
            .finish()
    }
}

impl TimerHeap {
    pub(crate) fn new() -> TimerHeap {
        TimerHeap {
            heap: Mutex::new(Heap::default()),
            runner: Mutex::new(()),
            next: AtomicU64::new(u64::MAX),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Heap> {
        self.heap.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn next_when(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }

    /// Adds a timer; returns it and whether it became the earliest one.
    pub(crate) fn add(&self, when: u64, origin: Origin, f: Callback) -> (Timer, bool) {
        let stopped = Arc::new(AtomicBool::new(false));
        let timer = Timer {
            stopped: Arc::clone(&stopped),
        };
        let mut h = self.lock();
        let seq = h.seq;
        h.seq += 1;
        // Stopped timers (a `park_timeout` woken early, a stopped
        // `after_func`) stay until they reach the top; once the adds since
        // the last sweep are over 64 and over half the heap, sweep them, so
        // the heap stays within about twice the live timers (Go's
        // `timers.zombies` clean-up).
        h.adds_since_sweep += 1;
        if h.adds_since_sweep > 64 && 2 * h.adds_since_sweep > h.heap.len() {
            h.heap
                .retain(|Reverse(e)| !e.stopped.load(Ordering::Acquire));
            h.adds_since_sweep = 0;
            let next = h.heap.peek().map_or(u64::MAX, |Reverse(e)| e.when);
            self.next.store(next, Ordering::SeqCst);
        }
        h.heap.push(Reverse(Entry {
            when,
            seq,
            stopped,
            origin,
            f,
        }));
        let old = self.next.load(Ordering::SeqCst);
        let earliest = when < old;
        if earliest {
            self.next.store(when, Ordering::SeqCst);
        }
        (timer, earliest)
    }

    /// Pops every timer due at `now` (skipping stopped ones) and runs them.
    /// Returns how many callbacks ran. A callback that panics does not take
    /// the caller (an M's scheduler loop) down: its report goes to
    /// `on_panic` and the remaining callbacks still run.
    pub(crate) fn run_due(&self, now: u64, on_panic: &mut dyn FnMut(CallbackPanic)) -> usize {
        if now < self.next.load(Ordering::SeqCst) {
            return 0;
        }
        let Ok(_running) = self.runner.try_lock() else {
            return 0;
        };
        let mut due = Vec::new();
        {
            let mut h = self.lock();
            while let Some(Reverse(top)) = h.heap.peek() {
                if top.when > now && !top.stopped.load(Ordering::Acquire) {
                    break;
                }
                let Reverse(e) = h.heap.pop().expect("peeked");
                if e.when <= now {
                    due.push(e);
                }
            }
            let next = h.heap.peek().map_or(u64::MAX, |Reverse(e)| e.when);
            self.next.store(next, Ordering::SeqCst);
        }
        let mut ran = 0;
        for e in due {
            if !e.stopped.swap(true, Ordering::AcqRel) {
                CALLBACK.with(|c| *c.borrow_mut() = Some(None));
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(e.f));
                let site = CALLBACK.with(|c| c.borrow_mut().take()).flatten();
                if let Err(p) = result {
                    on_panic(CallbackPanic::new(&*p, site, e.origin));
                }
                ran += 1;
            }
        }
        ran
    }

    /// Timers that can still fire (deadlock detection).
    pub(crate) fn live(&self) -> usize {
        self.lock()
            .heap
            .iter()
            .filter(|Reverse(e)| !e.stopped.load(Ordering::Acquire))
            .count()
    }

    /// Timers in the heap, stopped or not (`timerslen`).
    pub(crate) fn len(&self) -> usize {
        self.lock().heap.len()
    }

    pub(crate) fn clear(&self) {
        let old = std::mem::take(&mut self.lock().heap);
        self.next.store(u64::MAX, Ordering::SeqCst);
        drop(old);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use proptest::prelude::*;

    use super::TimerHeap;

    #[derive(Clone, Debug)]
    enum Op {
        Add(u64),
        Stop(usize),
        Advance(u64),
    }

    proptest! {
        /// Against a model: at each time step exactly the unstopped timers
        /// that are due fire, in (when, insertion) order, and never early.
        #[test]
        fn fires_due_timers_in_order(ops in proptest::collection::vec(prop_oneof![
            4 => (0u64..1000).prop_map(Op::Add),
            1 => any::<usize>().prop_map(Op::Stop),
            2 => (0u64..300).prop_map(Op::Advance),
        ], 1..300)) {
            let heap = TimerHeap::new();
            let fired = Arc::new(Mutex::new(Vec::new()));
            let mut timers: Vec<(u64, super::Timer, bool, bool)> = Vec::new(); // when, timer, stopped and fired in the model
            let mut now = 0u64;
            for op in ops {
                match op {
                    Op::Add(d) => {
                        let i = timers.len();
                        let f = Arc::clone(&fired);
                        let origin = super::Origin { at: std::panic::Location::caller(), entry: "test" };
                        let (timer, _) = heap.add(now + d, origin, Box::new(move || f.lock().unwrap().push((i, now + d))));
                        timers.push((now + d, timer, false, false));
                    }
                    Op::Stop(k) if !timers.is_empty() => {
                        let n = timers.len();
                        let t = &mut timers[k % n];
                        t.1.stop();
                        t.2 = true;
                    }
                    Op::Stop(_) => {}
                    Op::Advance(d) => {
                        now += d;
                        let mut want: Vec<(usize, u64)> = timers
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| !t.3 && t.0 <= now && !t.2)
                            .map(|(i, t)| (i, t.0))
                            .collect();
                        want.sort_by_key(|&(i, w)| (w, i));
                        let before = fired.lock().unwrap().len();
                        heap.run_due(now, &mut |p| panic!("{}", p.message));
                        let got: Vec<(usize, u64)> = fired.lock().unwrap()[before..].to_vec();
                        for &(i, _) in &want {
                            timers[i].3 = true;
                        }
                        prop_assert_eq!(got, want);
                        // Nothing pending is due any more.
                        prop_assert!(heap.next_when() > now);
                    }
                }
            }
            let live = timers.iter().filter(|t| !t.3 && !t.2).count();
            prop_assert_eq!(heap.live(), live);
        }
    }
}
