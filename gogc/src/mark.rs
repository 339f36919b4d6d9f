//! Marking: shading, root jobs and scanning (`runtime/mgcmark.go`, Go 1.27).
//!
//! An object is white while its mark bit is clear, grey once marked and
//! queued, black once scanned — Go keeps no grey bit either: grey is "marked
//! and on a work queue" (`greyobject`). An object without pointer fields is
//! Go's noscan object and goes straight to black.
//!
//! Go 1.27 scans small objects a span at a time (the Green Tea collector,
//! `GOEXPERIMENT=greenteagc`, on by default since Go 1.26); the colours and
//! the barriers are the same, and the model keeps the object-at-a-time
//! queue that Go still uses for large objects and with the experiment off.

use crate::handle::Ptr;
use crate::heap::{Heap, WORD_BYTES};
use crate::roots::{GLOBALS_PER_ROOT_JOB, Mutator};
use crate::span::{SpanState, split_index};

impl Heap {
    /// `shade` / `greyobject`: marks `ptr`'s object and queues it to be
    /// scanned; `true` if it was white. A stale pointer — only a lost
    /// object leaves one — is ignored: it must not mark the slot's next
    /// tenant.
    #[inline]
    pub(crate) fn shade(&mut self, ptr: Ptr) -> bool {
        let (s, offset) = split_index(ptr.index());
        let span = &mut self.spans[s];
        if !span.mark_if_live(offset, ptr.generation(), self.gc.worker.is_some()) {
            return false;
        }
        if span.fields > 0 {
            self.gc.grey.push(ptr);
        }
        true
    }

    /// `gcmarknewobject`: a new object is black (marked, nothing to scan:
    /// its fields are nil).
    pub(crate) fn mark_new_object(&mut self, ptr: Ptr) {
        let (s, offset) = split_index(ptr.index());
        let shared = self.shared_marking();
        self.spans[s].mark(offset, shared);
        self.gc.stats.allocated_black += 1;
    }

    /// Mark termination counts what was marked — objects and their bytes —
    /// from the mark bits, a word at a time, rather than on every shade.
    pub(crate) fn count_marked(&mut self) {
        let (mut objects, mut bytes) = (0, 0);
        for span in &self.spans {
            if span.state == SpanState::InUse {
                let marked = span.marked();
                objects += marked as usize;
                bytes += u64::from(marked) * span.object_bytes;
            }
        }
        self.gc.stats.objects_marked = objects;
        self.gc.bytes_marked = bytes;
    }

    /// `scanobject`: shades every pointer field of a grey object, which is
    /// black afterwards. Returns the scan work: the bytes of pointer words
    /// read.
    pub(crate) fn scan_object(&mut self, ptr: Ptr) -> i64 {
        let (s, offset) = split_index(ptr.index());
        let fields = self.spans[s].fields;
        if fields == 2 {
            // The common binary node: both words in one look.
            let [a, b] = self.spans[s].two_pointers(offset);
            for target in [a, b].into_iter().flatten() {
                self.shade(target);
            }
        } else {
            for field in 0..fields {
                if let Some(target) = self.spans[s].pointer(offset, field) {
                    self.shade(target);
                }
            }
        }
        self.gc.stats.objects_scanned += 1;
        let work = fields as i64 * WORD_BYTES as i64;
        self.gc.pacer.heap_scan_work += work;
        work
    }

    /// `markrootBlock`: shades one block of globals.
    pub(crate) fn scan_globals(&mut self, block: usize) {
        let start = block * GLOBALS_PER_ROOT_JOB;
        let end = (start + GLOBALS_PER_ROOT_JOB).min(self.globals.len());
        for i in start..end {
            if let Some(p) = self.globals[i] {
                self.shade(p);
            }
        }
        self.gc.pacer.globals_scan_work += ((end - start) as u64 * WORD_BYTES) as i64;
        self.gc.globals_scanned[block] = self.gc.cycle;
        tracing::trace!(target: "gogc::mark", cycle = self.gc.cycle, block, "scanned globals");
    }

    /// `scanstack`: shades every pointer on `m`'s stack, which is black
    /// afterwards. A stack already scanned this cycle, or of an exited
    /// mutator, is skipped.
    pub(crate) fn scan_stack(&mut self, m: Mutator) {
        let stack = &self.stacks[m.index()];
        if stack.exited || stack.scanned == self.gc.cycle {
            return;
        }
        self.shade_stack(m);
        self.stacks[m.index()].scanned = self.gc.cycle;
        self.gc.stats.stacks_scanned += 1;
        tracing::trace!(target: "gogc::mark", cycle = self.gc.cycle, mutator = %m, "scanned stack");
    }

    /// Mark termination's re-scan of one stack (Go 1.5–1.7); `false` for
    /// an exited mutator.
    pub(crate) fn rescan_stack(&mut self, m: Mutator) -> bool {
        if self.stacks[m.index()].exited {
            return false;
        }
        self.shade_stack(m);
        self.stacks[m.index()].scanned = self.gc.cycle;
        true
    }

    fn shade_stack(&mut self, m: Mutator) {
        let slots = self.stacks[m.index()].slots.len();
        for i in 0..slots {
            if let Some(p) = self.stacks[m.index()].slots[i] {
                self.shade(p);
            }
        }
        self.gc.pacer.stack_scan_work += (slots as u64 * WORD_BYTES) as i64;
    }
}
