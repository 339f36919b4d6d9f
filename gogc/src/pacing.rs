//! A paced heap collects by itself, as Go does: the trigger test, mark
//! assists, the fractional mark worker and proportional sweeping, run from
//! allocation (`mallocgc`'s slow path and `deductAssistCredit`), plus the
//! knobs `debug.SetGCPercent` and `debug.SetMemoryLimit`. Go 1.27's
//! `runtime/malloc.go`, `mgc.go` (`gcTrigger.test`), `mgcmark.go`
//! (`gcAssistAlloc`, `gcDrainN`), `mgcpacer.go` (`findRunnableGCWorker`,
//! `pollFractionalWorkerExit`) and `mgcsweep.go` (`deductSweepCredit`,
//! `gcPaceSweeper`).
//!
//! With one processor ([`Settings::procs`](crate::Settings::procs)) Go's
//! pacer asks for no dedicated mark worker and a fractional one at 25% of
//! the CPU; mutators and the fractional worker share the thread. With two,
//! a background worker on its own thread marks instead of the fractional
//! worker (`worker.rs`, Go's idle-P worker):
//!
//! 1. Each time allocation takes a new span, the heap's live bytes grow by
//!    the span's free bytes; if they reach the trigger and no cycle runs, a
//!    cycle starts (`gcTrigger{kind: gcTriggerHeap}`).
//! 2. While a cycle's sweep runs, the same point sweeps spans in proportion
//!    to the bytes allocated, so that the sweep ends before the next
//!    trigger (`deductSweepCredit`).
//! 3. While a cycle marks, the same point runs the fractional worker if it
//!    has had less than its 25% of the time since marking began, until it
//!    has had 1.2 × 25% (`pollFractionalWorkerExit`); its work is credit
//!    assists may steal (`bgScanCredit`).
//! 4. While a cycle marks, every allocation debits the mutator's assist
//!    credit by the object's bytes; a mutator in debt steals background
//!    credit, then does scan work itself — at least 64 KiB of it, at the
//!    pacer's ratio of work per byte — so that allocation cannot outrun
//!    marking (`gcAssistAlloc`). Work that runs out ends the mark phase.

use crate::handle::Ptr;
use crate::heap::Heap;
use crate::roots::Mutator;
use crate::span::{SPAN_OBJECTS, split_index};

/// Grey objects between the grey stack and their scan, their pointer
/// words being prefetched.
const PREFETCH_WINDOW: usize = 8;

/// Scan work the fractional worker does between looks at the clock.
const FRACTIONAL_WORK_CHUNK: i64 = 16 << 10;

/// `pollFractionalWorkerExit`: the fractional worker stops once its share
/// of the time since marking began exceeds its goal by this factor.
const FRACTIONAL_EXIT_FACTOR: f64 = 1.2;

impl Heap {
    /// The pacer's side of taking a new span for `class`: account the
    /// allocation, test the trigger, sweep in proportion, let the
    /// fractional worker mark.
    pub(crate) fn pace_refill(&mut self, class: usize) {
        self.gc.pacer.total_alloc = self
            .classes
            .iter()
            .map(|c| c.mallocs * c.object_bytes)
            .sum();
        if self.gc.marking {
            if self.shared_marking() {
                self.poll_worker();
            } else {
                self.fractional_worker();
            }
            return;
        }
        let (trigger, _) = self.gc.pacer.trigger();
        if self.gc.pacer.heap_live >= trigger {
            self.start_cycle(false);
            return;
        }
        let span_bytes = SPAN_OBJECTS as u64 * self.classes[class].object_bytes;
        self.deduct_sweep_credit(span_bytes);
    }

    /// `deductSweepCredit`: sweeps spans until the sweep is as far along
    /// as the bytes allocated since mark termination say it must be.
    fn deduct_sweep_credit(&mut self, span_bytes: u64) {
        if self.gc.sweep_spans_per_byte == 0.0 {
            return;
        }
        let live = self.gc.pacer.heap_live;
        let new_heap_live = span_bytes + live.saturating_sub(self.gc.sweep_heap_live_basis);
        let target = (self.gc.sweep_spans_per_byte * new_heap_live as f64) as u64;
        while self.gc.swept_spans - self.gc.swept_basis < target {
            if self.sweep_one().is_none() {
                self.gc.sweep_spans_per_byte = 0.0;
                break;
            }
        }
    }

    /// `gcPaceSweeper`: after mark termination, the spans to sweep per
    /// byte allocated so that the sweep finishes 1 MiB before the trigger.
    pub(crate) fn pace_sweeper(&mut self) {
        if self.gc.unswept == 0 {
            self.gc.sweep_spans_per_byte = 0.0;
            return;
        }
        let (trigger, _) = self.gc.pacer.trigger();
        let basis = self.gc.pacer.heap_live;
        let distance = (trigger as i64 - basis as i64 - (1 << 20)).max(8192);
        self.gc.sweep_spans_per_byte = self.gc.unswept as f64 / distance as f64;
        self.gc.sweep_heap_live_basis = basis;
        self.gc.swept_basis = self.gc.swept_spans;
    }

    /// An object allocated while marking: black if the barrier needs it
    /// (`gcmarknewobject`), and paid for by its mutator on a paced heap
    /// (`deductAssistCredit`).
    #[inline(never)]
    pub(crate) fn allocated_while_marking(&mut self, m: Mutator, ptr: Ptr, class: usize) {
        if self.gc.barrier.allocates_black() {
            self.mark_new_object(ptr);
        }
        if self.paced {
            let stack = &mut self.stacks[m.index()];
            stack.assist_bytes -= self.classes[class].object_bytes as i64;
            if stack.assist_bytes < 0 {
                self.assist(m);
            }
        }
    }

    /// With a mark worker: counts its work (credit for assists) and, when
    /// it has run out and so has the mutator's side, ends marking.
    fn poll_worker(&mut self) {
        let worker_idle = self.sync_worker();
        let roots_done = self.gc.root_next >= self.gc.root_jobs;
        if worker_idle && self.gc.grey.is_empty() && roots_done {
            self.finish_marking();
        }
    }

    /// `gcAssistAlloc`: mutator `m` is in debt; it steals background
    /// credit, then scans until the debt (at least 64 KiB of work) is paid
    /// or no work is left — which ends marking.
    fn assist(&mut self, m: Mutator) {
        if self.shared_marking() {
            // Count the worker's fresh credit first.
            self.sync_worker();
        }
        let debt = -self.stacks[m.index()].assist_bytes;
        let pacer = &mut self.gc.pacer;
        let (mut scan_work, debt_bytes) = pacer.assist_quota(debt);
        let credit = pacer.bg_scan_credit;
        if credit > 0 {
            let stolen = if credit < scan_work {
                self.stacks[m.index()].assist_bytes += 1 + pacer.bytes_for_work(credit);
                credit
            } else {
                self.stacks[m.index()].assist_bytes += debt_bytes;
                scan_work
            };
            pacer.bg_scan_credit -= stolen;
            scan_work -= stolen;
            if scan_work == 0 {
                return;
            }
        }
        let start = self.nanotime();
        let done = self.gc_drain_n(scan_work);
        let elapsed = self.nanotime() - start;
        let pacer = &mut self.gc.pacer;
        self.stacks[m.index()].assist_bytes += 1 + pacer.bytes_for_work(done);
        pacer.assist_time += elapsed;
        if done < scan_work {
            // Out of work: marking is complete — with a worker, once it is
            // idle too (else the debt waits for the next assist).
            if self.shared_marking() {
                self.poll_worker();
            } else {
                self.finish_marking();
            }
        }
    }

    /// `gcBgMarkWorker` in fractional mode, if it is due.
    fn fractional_worker(&mut self) {
        let goal = self.gc.pacer.fractional_utilization_goal();
        let start = self.nanotime();
        let since_mark = self.gc.pacer.mark_elapsed(start);
        if goal == 0.0 || since_mark <= 0 {
            return;
        }
        let had = self.gc.pacer.fractional_mark_time;
        if had as f64 / since_mark as f64 >= goal {
            return;
        }
        loop {
            let done = self.gc_drain_n(FRACTIONAL_WORK_CHUNK);
            self.gc.pacer.bg_scan_credit += done;
            let now = self.nanotime();
            let out_of_work = done < FRACTIONAL_WORK_CHUNK;
            let share = (had + now - start) as f64 / self.gc.pacer.mark_elapsed(now) as f64;
            if out_of_work || share > FRACTIONAL_EXIT_FACTOR * goal {
                self.gc.pacer.fractional_mark_time += now - start;
                if out_of_work {
                    self.finish_marking();
                }
                return;
            }
        }
    }

    /// `gcDrainN`: does up to `target` units of scan work — root jobs, then
    /// grey objects, flushing the write barrier buffer when they run out.
    /// Returns the work done (less than `target` only if none is left).
    ///
    /// Grey objects pass through a small window between leaving the grey
    /// stack and being scanned: each one's pointer words are prefetched as
    /// it enters, so that the cache miss scanning would take overlaps the
    /// scans of the objects ahead of it. Before returning, the window goes
    /// back on the grey stack (its objects are still grey).
    pub(crate) fn gc_drain_n(&mut self, target: i64) -> i64 {
        self.pull_greys_to_assist();
        let done = self.drain_here(target);
        self.publish_greys();
        done
    }

    /// [`gc_drain_n`](Heap::gc_drain_n) on the mutator's own queue.
    fn drain_here(&mut self, target: i64) -> i64 {
        let mut done = 0;
        let mut window = [None::<Ptr>; PREFETCH_WINDOW];
        let mut at = 0;
        let mut held = 0;
        while done < target {
            if self.gc.root_next < self.gc.root_jobs {
                if let Some(work) = self.next_work() {
                    done += self.do_work(work);
                }
                continue;
            }
            match self.gc.grey.pop() {
                Some(p) => {
                    let (s, offset) = split_index(p.index());
                    self.spans[s].prefetch_pointers(offset);
                    if let Some(ready) = window[at].replace(p) {
                        done += self.scan_object(ready);
                    } else {
                        held += 1;
                    }
                    at = (at + 1) % PREFETCH_WINDOW;
                }
                None if held > 0 => {
                    // Scan what the window holds, oldest first.
                    for i in 0..PREFETCH_WINDOW {
                        if let Some(ready) = window[(at + i) % PREFETCH_WINDOW].take() {
                            done += self.scan_object(ready);
                        }
                    }
                    held = 0;
                }
                None => {
                    if self.wb_buf_flush() == 0 {
                        break;
                    }
                }
            }
        }
        self.gc.grey.extend(window.into_iter().flatten());
        done
    }

    /// Mark work ran out: `gcMarkDone` until mark termination (each flush
    /// of the barrier buffer may find more).
    pub(crate) fn finish_marking(&mut self) {
        while self.gc.marking {
            if !self.checked {
                // All of it in one drain; the checkers, when on, want to
                // look after every unit instead.
                self.gc_drain_n(i64::MAX);
            }
            self.gc_step();
        }
    }

    /// `debug.SetGCPercent`: sets `GOGC` (negative: off) and returns the
    /// previous setting. Turning it off finishes any cycle marking now, as
    /// Go waits for it. On a [`Heap::new`] heap it only changes the goal
    /// [`stats`](Heap::stats) reports.
    ///
    /// ```
    /// use gogc::{Barrier, Heap, Settings};
    ///
    /// let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    /// assert_eq!(heap.set_gc_percent(50), 100);
    /// assert_eq!(heap.stats().next_gc, 2 << 20); // 4 MiB × 50/100
    /// assert_eq!(heap.set_gc_percent(-10), 50);
    /// assert_eq!(heap.gc_percent(), -1);         // off
    /// ```
    pub fn set_gc_percent(&mut self, percent: i32) -> i32 {
        let previous = self.gc.pacer.set_gc_percent(percent);
        self.commit_pacer();
        if percent < 0 {
            self.finish_marking();
        }
        previous
    }

    /// `GOGC` now; -1 when off.
    pub fn gc_percent(&self) -> i32 {
        self.gc.pacer.gc_percent()
    }

    /// `debug.SetMemoryLimit`: sets the soft memory limit in bytes if
    /// `limit >= 0` and returns the previous one (a negative `limit` only
    /// reads it).
    ///
    /// ```
    /// use gogc::{Barrier, Heap, NO_MEMORY_LIMIT, Settings};
    ///
    /// let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    /// assert_eq!(heap.set_memory_limit(64 << 20), NO_MEMORY_LIMIT);
    /// assert_eq!(heap.set_memory_limit(-1), 64 << 20);
    /// ```
    pub fn set_memory_limit(&mut self, limit: i64) -> i64 {
        let previous = self.gc.pacer.set_memory_limit(limit);
        if limit >= 0 && previous != limit {
            self.commit_pacer();
        }
        previous
    }

    /// The soft memory limit now.
    pub fn memory_limit(&self) -> i64 {
        self.gc.pacer.memory_limit()
    }

    /// `gcControllerCommit`: new knobs take effect on the goal, the
    /// trigger, the assist ratio and the sweeper's pace.
    fn commit_pacer(&mut self) {
        self.gc.pacer.commit(self.gc.unswept == 0);
        if self.gc.marking {
            self.gc.pacer.revise();
        } else {
            self.pace_sweeper();
        }
    }

    /// The pacer's state, read-only: heap live, goal, trigger, assist
    /// ratio.
    pub fn pacer(&self) -> &crate::Pacer {
        &self.gc.pacer
    }
}
