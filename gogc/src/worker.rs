//! The background mark worker: a second thread that blackens grey objects
//! while the mutators run — Go's mark worker on an otherwise idle P
//! (`gcBgMarkWorker` in `gcMarkWorkerIdleMode`, `runtime/mgc.go`; `gcDrain`,
//! `runtime/mgcmark.go`, Go 1.27). A paced heap with two processors
//! ([`Settings::procs`](crate::Settings::procs)) runs one.
//!
//! The protocol, and why it is correct:
//!
//! 1. **What is shared.** The worker sees the span memory (`SpanMemory`,
//!    whose words are all accessed atomically) through a table of `Arc`s,
//!    and the grey queue, both inside one mutex. Everything else — roots,
//!    object values, allocation state, the write barrier buffer — stays on
//!    the mutator's thread.
//! 2. **Who greys.** The mutator's thread scans roots and flushes the write
//!    barrier buffer, shading into its own queue, then moves what it greyed
//!    into the shared queue under the mutex (`publish`). The worker pops
//!    grey objects, scans their pointer words and shades what they point
//!    to, all while holding the mutex for one batch. Shading on either
//!    thread sets the mark bit with one `fetch_or`, so an object is greyed
//!    once whoever reaches it first.
//! 3. **Why nothing is lost.** The barrier (Go's hybrid barrier, or any
//!    other: the worker changes who scans, not what is scanned) shades
//!    every pointer the mutator writes or overwrites in the heap while
//!    marking, new objects are allocated black, and a span made while
//!    marking enters the worker's table under the mutex before any pointer
//!    to it can be queued — so every object a grey object or a root reaches
//!    is either scanned by some thread or already black.
//! 4. **When it is done.** The worker holds the mutex for the whole of a
//!    batch, so an empty shared queue seen under the mutex means the worker
//!    is idle. The mutator then flushes its barrier buffer: if that greys
//!    nothing, marking is complete (`gcMarkDone`) and mark termination
//!    turns the worker off under the mutex.
//! 5. **Checkers.** An invariant check takes the mutex for its whole
//!    length: the worker is between batches, every grey object is in one of
//!    the queues, and the colours the check reads hold still.
//! 6. **Stepping aside.** `mutator_waiting` is a hint, not a hand-off:
//!    the mutator sets it before it asks for the mutex and clears it once
//!    it has it; the worker, between batches, lets go of the mutex while
//!    it is set. Relaxed is enough: the flag publishes no data (the mutex
//!    orders everything the threads share but the span words, whose races
//!    `span/memory.rs` argues), and a stale read costs a batch's delay or
//!    a yield, never a hang, since the worker holds nothing while it
//!    waits. The loom models (`worker/loom_models.rs`, and the mark words'
//!    in `span/memory/loom_models.rs`) check this under every
//!    interleaving: each of the mutator's locks granted, each object
//!    scanned once.
//!
//! The worker's work is background credit mutator assists may steal
//! (`bgScanCredit`) and its time is the cycle's idle mark time in
//! `gctrace`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cycle::Collector;
use crate::handle::Ptr;
use crate::heap::{Heap, WORD_BYTES};
use crate::span::{Span, SpanMemory, split_index};
use crate::sync::{
    AtomicBool, Condvar, JoinHandle, Mutex, MutexGuard, Ordering, spawn_worker, yield_now,
};

#[cfg(all(test, loom))]
mod loom_models;

/// Scan work the worker does per hold of the mutex: short, since the
/// mutator may be waiting for it. Under loom, one two-field object, so
/// that a model's few objects take several batches (as tokio shrinks its
/// queues for its models).
const BATCH_WORK: i64 = if cfg!(loom) { 16 } else { 4 << 10 };

/// At most this many grey objects move to the mutator's thread when it
/// assists.
const ASSIST_PULL: usize = 1024;

/// What the worker did since the mutator last collected it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    pub(crate) objects_scanned: usize,
    pub(crate) scan_work: i64,
    pub(crate) time: Duration,
}

/// The state behind the mutex.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// A cycle marks: the worker may work.
    pub(crate) marking: bool,
    shutdown: bool,
    /// Grey objects waiting for a scan.
    pub(crate) grey: Vec<Ptr>,
    /// Span memory by span number, for this cycle.
    pub(crate) spans: Vec<Option<Arc<SpanMemory>>>,
    pub(crate) tally: Tally,
}

impl std::fmt::Debug for SpanMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanMemory")
            .field("bytes", &self.bytes())
            .field("fields", &self.fields())
            .finish()
    }
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// The mutator is waiting for the mutex: the worker steps aside
    /// between batches.
    mutator_waiting: AtomicBool,
}

/// A heap's background mark worker: its thread and what it shares.
#[derive(Debug)]
pub(crate) struct MarkWorker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl MarkWorker {
    /// Starts the worker's thread, idle until a cycle marks.
    pub(crate) fn start() -> MarkWorker {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let thread = spawn_worker(move || run(&theirs));
        MarkWorker {
            shared,
            thread: Some(thread),
        }
    }

    /// The shared state, the worker paused between batches while the
    /// guard lives.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.mutator_waiting.store(true, Ordering::Relaxed);
        let guard = self
            .shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.shared.mutator_waiting.store(false, Ordering::Relaxed);
        guard
    }

    /// Wakes the worker: there is grey work, or it should stop.
    pub(crate) fn wake(&self) {
        self.shared.wake.notify_one();
    }
}

impl Drop for MarkWorker {
    fn drop(&mut self) {
        self.lock().shutdown = true;
        self.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The worker's loop: wait for grey work while a cycle marks, drain a
/// batch holding the mutex, step aside if the mutator waits.
fn run(shared: &Shared) {
    let mut state = shared
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        if state.shutdown {
            return;
        }
        if !state.marking || state.grey.is_empty() {
            state = shared
                .wake
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            continue;
        }
        let start = Instant::now();
        drain(&mut state, BATCH_WORK);
        state.tally.time += start.elapsed();
        if shared.mutator_waiting.load(Ordering::Relaxed) {
            // Steps aside: lets go of the mutex until the mutator has it.
            // Spinning with the mutex held (planted for the loom models,
            // `--cfg 'loom_planted_bug="step_aside_locked"'`) waits for a
            // mutator that waits for the mutex: neither moves again.
            #[cfg(not(loom_planted_bug = "step_aside_locked"))]
            drop(state);
            while shared.mutator_waiting.load(Ordering::Relaxed) {
                yield_now();
            }
            #[cfg(loom_planted_bug = "step_aside_locked")]
            drop(state);
            state = shared
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

/// `gcDrain`: scans grey objects until `budget` scan work is done or none
/// is left. As on the mutator's side, a few objects wait in a window
/// between the queue and their scan while their pointer words load.
fn drain(state: &mut State, budget: i64) {
    let State {
        grey, spans, tally, ..
    } = state;
    let mut window = [None::<Ptr>; 8];
    let mut at = 0;
    let mut done = 0;
    while done < budget {
        let Some(obj) = grey.pop() else { break };
        let (s, offset) = split_index(obj.index());
        if let Some(memory) = spans.get(s).and_then(Option::as_ref) {
            memory.prefetch_pointers(offset);
        }
        if let Some(ready) = window[at].replace(obj) {
            done += scan(spans, grey, tally, ready);
        }
        at = (at + 1) % window.len();
    }
    for ready in window.into_iter().flatten() {
        scan(spans, grey, tally, ready);
    }
}

/// `scanobject` on the worker's side; returns the scan work.
fn scan(
    spans: &[Option<Arc<SpanMemory>>],
    grey: &mut Vec<Ptr>,
    tally: &mut Tally,
    obj: Ptr,
) -> i64 {
    let (s, offset) = split_index(obj.index());
    let Some(memory) = spans.get(s).and_then(Option::as_ref) else {
        return 0;
    };
    let fields = memory.fields();
    for field in 0..fields {
        if let Some(target) = memory.pointer(offset, field) {
            shade(spans, grey, target);
        }
    }
    tally.objects_scanned += 1;
    let work = (fields as u64 * WORD_BYTES) as i64;
    tally.scan_work += work;
    work
}

/// `greyobject` on the worker's side.
fn shade(spans: &[Option<Arc<SpanMemory>>], grey: &mut Vec<Ptr>, ptr: Ptr) {
    let (s, offset) = split_index(ptr.index());
    let Some(memory) = spans.get(s).and_then(Option::as_ref) else {
        return;
    };
    if memory.mark_if_live(offset, ptr.generation(), true) && memory.fields() > 0 {
        memory.prefetch_pointers(offset);
        grey.push(ptr);
    }
}

impl Heap {
    /// Marking begins: the worker gets this cycle's span table; the roots
    /// are scanned on the mutator's thread and what they grey handed over.
    pub(crate) fn start_worker(&mut self) {
        let spans = self.spans.iter().map(Span::shared_memory).collect();
        if let Some(worker) = &self.gc.worker {
            let mut state = worker.lock();
            state.spans = spans;
            state.grey.clear();
            state.tally = Tally::default();
            state.marking = true;
        }
        while self.gc.root_next < self.gc.root_jobs {
            if let Some(work) = self.next_work() {
                self.do_work(work);
            }
        }
        self.publish_greys();
    }

    /// Marking is over: the worker is off (idle between batches, the
    /// shared queue empty) and its last tally counted.
    pub(crate) fn stop_worker(&mut self) {
        let Some(worker) = &self.gc.worker else {
            return;
        };
        let mut state = worker.lock();
        debug_assert!(state.grey.is_empty(), "mark termination with grey work");
        state.marking = false;
        let tally = std::mem::take(&mut state.tally);
        state.spans = Vec::new();
        drop(state);
        self.count_worker_tally(tally);
    }

    /// Hands the greys shaded on the mutator's thread to the worker.
    pub(crate) fn publish_greys(&mut self) {
        let Collector { worker, grey, .. } = &mut self.gc;
        if let Some(worker) = worker {
            if !grey.is_empty() {
                worker.lock().grey.append(grey);
                worker.wake();
            }
        }
    }

    /// Takes every grey object back from the worker (which pauses between
    /// batches meanwhile), so that the mutator's thread can scan them, and
    /// counts what the worker did.
    pub(crate) fn pull_greys(&mut self) {
        self.pull_some_greys(usize::MAX);
    }

    /// Takes up to `ASSIST_PULL` grey objects (half the worker's queue at
    /// most) for an assist.
    pub(crate) fn pull_greys_to_assist(&mut self) {
        self.pull_some_greys(ASSIST_PULL);
    }

    fn pull_some_greys(&mut self, most: usize) {
        let Collector { worker, grey, .. } = &mut self.gc;
        let Some(worker) = worker else {
            return;
        };
        let mut state = worker.lock();
        // For an assist, half the worker's queue, so that both threads
        // have work (all of a short one); else all of it.
        let len = state.grey.len();
        let take = if most == usize::MAX || len <= 64 {
            len
        } else {
            most.min(len / 2)
        };
        let from = state.grey.len() - take;
        grey.extend(state.grey.drain(from..));
        let tally = std::mem::take(&mut state.tally);
        drop(state);
        self.count_worker_tally(tally);
    }

    /// Counts what the worker did so far; `true` if it has no grey work
    /// left (it is between batches while the mutex is held, so an empty
    /// queue means it is idle).
    pub(crate) fn sync_worker(&mut self) -> bool {
        let Some(worker) = &self.gc.worker else {
            return true;
        };
        let mut state = worker.lock();
        let idle = state.grey.is_empty();
        let tally = std::mem::take(&mut state.tally);
        drop(state);
        self.count_worker_tally(tally);
        idle
    }

    /// Counts what the worker did: its marks and scan work, its time as
    /// idle mark time, its work as background credit for assists.
    fn count_worker_tally(&mut self, tally: Tally) {
        self.gc.stats.objects_scanned += tally.objects_scanned;
        let pacer = &mut self.gc.pacer;
        pacer.heap_scan_work += tally.scan_work;
        pacer.bg_scan_credit += tally.scan_work;
        pacer.idle_mark_time += i64::try_from(tally.time.as_nanos()).unwrap_or(i64::MAX);
    }

    /// A span made or reused while marking enters the worker's table.
    pub(crate) fn publish_span(&mut self, s: usize) {
        if let (true, Some(worker)) = (self.gc.marking, &self.gc.worker) {
            let memory = self.spans[s].shared_memory();
            let mut state = worker.lock();
            if state.spans.len() <= s {
                state.spans.resize(s + 1, None);
            }
            state.spans[s] = memory;
        }
    }

    /// Whether a mark worker runs beside the mutators (mark bits are then
    /// set with atomic read-modify-writes).
    #[inline]
    pub(crate) fn shared_marking(&self) -> bool {
        self.gc.worker.is_some()
    }
}
