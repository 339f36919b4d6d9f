//! The runtime's timer heap (`runtime/time.go: timers, addtimer, check,
//! run`, Go 1.27, one heap per runtime instead of per P).
//!
//! A binary min-heap ordered by (when, seq). Ms look at it on every
//! schedule (`checkTimers` in `findRunnable`) through one atomic load of the
//! earliest deadline; idle Ms sleep until that deadline. Stopping a timer
//! marks it; the heap drops marked entries when they reach the top. A
//! callback runs on the M that found it due, outside the heap lock, and must
//! not block.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub(crate) type Callback = Box<dyn FnOnce() + Send + 'static>;

pub(crate) struct Entry {
    pub(crate) when: u64,
    seq: u64,
    pub(crate) stopped: Arc<AtomicBool>,
    f: Callback,
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
}

/// A runtime's timers.
pub(crate) struct TimerHeap {
    heap: Mutex<Heap>,
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
            next: AtomicU64::new(u64::MAX),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Heap> {
        self.heap.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn next_when(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }

    /// Adds a timer; returns whether it became the earliest one.
    pub(crate) fn add(&self, when: u64, stopped: Arc<AtomicBool>, f: Callback) -> bool {
        let mut h = self.lock();
        let seq = h.seq;
        h.seq += 1;
        h.heap.push(Reverse(Entry {
            when,
            seq,
            stopped,
            f,
        }));
        let old = self.next.load(Ordering::SeqCst);
        if when < old {
            self.next.store(when, Ordering::SeqCst);
            true
        } else {
            false
        }
    }

    /// Pops every timer due at `now` (skipping stopped ones) and runs them.
    /// Returns how many callbacks ran.
    pub(crate) fn run_due(&self, now: u64) -> usize {
        if now < self.next.load(Ordering::SeqCst) {
            return 0;
        }
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
                (e.f)();
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
