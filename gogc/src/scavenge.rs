//! The scavenger: giving idle spans' memory back to the OS
//! (`runtime/mgcscavenge.go`, Go 1.27: `gcPaceScavenger` and the background
//! scavenger; `debug.FreeOSMemory`).
//!
//! Go keeps freed pages for reuse and returns them in the background until
//! the memory it retains is at most 10% above what the next heap goal
//! needs (`retainExtraPercent`), or 5% under the soft memory limit
//! (`reduceExtraPercent`). Here the scavenger runs when a cycle's sweep
//! ends — the moment idle spans appear — and unmaps idle spans, most
//! recently emptied last, until the heap is within both goals. Unmapping is
//! what makes a heap that shrank show it in the process's RSS.

use crate::heap::Heap;

/// `retainExtraPercent`: memory retained above the heap goal's needs.
pub const RETAIN_EXTRA_PERCENT: u64 = 10;

/// `reduceExtraPercent`: the scavenger aims this far under the memory
/// limit.
pub const REDUCE_EXTRA_PERCENT: u64 = 5;

impl Heap {
    /// The background scavenger's pass: unmaps idle spans while the heap
    /// retains more than `gcPaceScavenger`'s goals allow.
    pub(crate) fn scavenge(&mut self) {
        let goal = self.scavenge_goal();
        let mut released = 0;
        while self.gc.pacer.mapped_ready > goal && self.release_one_idle_span() {
            released += 1;
        }
        if released > 0 {
            tracing::debug!(
                target: "gogc::scavenge",
                cycle = self.gc.cycle,
                spans = released,
                retained = self.gc.pacer.mapped_ready,
                goal,
                "released idle spans to the OS"
            );
        }
    }

    /// `gcPaceScavenger`: the memory the heap may retain — what its in-use
    /// spans held at the last mark termination, scaled by how the goal
    /// moved, plus 10%; and 95% of the memory limit.
    fn scavenge_goal(&self) -> u64 {
        let pacer = &self.gc.pacer;
        let limit = pacer.memory_limit().max(0) as u64;
        let memory_limit_goal = limit / 100 * (100 - REDUCE_EXTRA_PERCENT);
        let last_goal = pacer.last_heap_goal;
        if last_goal == 0 {
            return memory_limit_goal;
        }
        let ratio = pacer.heap_goal() as f64 / last_goal as f64;
        let in_use_goal = (self.gc.last_heap_in_use as f64 * ratio) as u64;
        let gc_percent_goal = in_use_goal + in_use_goal / 100 * RETAIN_EXTRA_PERCENT;
        gc_percent_goal.min(memory_limit_goal)
    }

    /// Unmaps one idle span; `false` if there is none.
    fn release_one_idle_span(&mut self) -> bool {
        let Some((&fields, _)) = self.idle_spans.iter().find(|(_, v)| !v.is_empty()) else {
            return false;
        };
        let s = self
            .idle_spans
            .get_mut(&fields)
            .and_then(Vec::pop)
            .expect("found above");
        let values_bytes = self.spans[s].values_bytes as u64;
        let memory = self.spans[s].release();
        let bytes = memory.bytes() as u64 + values_bytes;
        drop(memory);
        self.gc.pacer.heap_free -= bytes;
        self.gc.pacer.mapped_ready -= bytes;
        self.totals.released_bytes += bytes;
        if self.spans[s].reusable() {
            self.released_spans.push(s);
        }
        true
    }

    /// `debug.FreeOSMemory`: a full collection ([`gc`](Heap::gc)), then
    /// every idle span's memory back to the OS.
    pub fn free_os_memory(&mut self) {
        self.gc();
        while self.release_one_idle_span() {}
    }
}
