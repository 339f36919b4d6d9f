//! Sweeping, one span at a time (`runtime/mgcsweep.go`, Go 1.27), and
//! giving empty spans back.
//!
//! Mark termination advances the heap's `sweepgen` by two, which makes
//! every span's own `sweepgen` stale at once (`gcSweep`); `sweepone` then
//! walks the spans and sweeps each stale one, and an allocation that wants a
//! stale span sweeps it first. Sweeping a span frees its live, unmarked
//! objects — dropping their values and bumping their slots' generations, so
//! old handles go stale — and clears its mark bits for the next cycle.
//!
//! A span left with no object becomes idle: any type's next span may reuse
//! its memory (Go's free pages). The scavenger (`scavenge.rs`) unmaps idle
//! spans when the heap holds more memory than its goal needs.

use crate::cycle::{GcStep, Phase};
use crate::heap::Heap;
use crate::span::SpanState;

/// What the span being swept is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Swept {
    /// Background sweeping (`sweepone`): an emptied span becomes idle, one
    /// with room goes on its type's partial list.
    Background,
    /// Allocation is about to use it (`mcentral.cacheSpan`): keep it as it
    /// is.
    ToAllocate,
}

impl Heap {
    /// `sweepone`: sweeps the next unswept span; `None` when none is left.
    pub(crate) fn sweep_one(&mut self) -> Option<GcStep> {
        while self.gc.sweep_next < self.spans.len() {
            let s = self.gc.sweep_next;
            self.gc.sweep_next += 1;
            let span = &mut self.spans[s];
            if span.sweepgen != self.gc.sweepgen {
                if span.state != SpanState::InUse {
                    span.sweepgen = self.gc.sweepgen;
                    continue;
                }
                let freed = self.sweep_span(s, Swept::Background);
                return Some(GcStep::Swept { span: s, freed });
            }
        }
        None
    }

    /// Sweeps span `s` (stale, in use) for `purpose`. Returns how many
    /// objects it freed.
    pub(crate) fn sweep_span(&mut self, s: usize, purpose: Swept) -> usize {
        debug_assert_ne!(self.spans[s].sweepgen, self.gc.sweepgen);
        let reachable = self.checked.then(|| self.reachability());
        let freed = self.spans[s].sweep(s, |p| {
            if let Some(oracle) = &reachable {
                if let Some(edge) = oracle.reached_by(p) {
                    panic!("gogc: sweep frees {p}, which is reachable ({edge})");
                }
            }
        });
        let span = &mut self.spans[s];
        span.sweepgen = self.gc.sweepgen;
        let class = usize::from(span.class);
        let freed_bytes = freed as u64 * self.classes[class].object_bytes;
        self.classes[class].frees += freed as u64;
        self.gc.pacer.total_free += freed_bytes;
        self.gc.stats.objects_freed += freed;
        self.gc.swept_spans += 1;
        if purpose == Swept::Background && self.classes[class].current != Some(s) {
            if span.live() == 0 {
                self.make_idle(s);
            } else if span.has_free() {
                self.put_partial(s);
            }
        }
        self.gc.unswept -= 1;
        if self.gc.unswept == 0 {
            self.sweep_done();
        }
        freed
    }

    /// An empty span's memory goes to the idle pool.
    fn make_idle(&mut self, s: usize) {
        let span = &mut self.spans[s];
        span.make_idle();
        let memory_bytes = (span.memory_bytes() + span.values_bytes) as u64;
        let fields = span.memory_fields().expect("an idle span keeps its memory");
        self.gc.pacer.heap_free += memory_bytes;
        self.idle_spans.entry(fields).or_default().push(s);
    }

    /// The cycle's sweep is over: the trigger no longer needs the sweep
    /// distance, and the scavenger may give memory back.
    fn sweep_done(&mut self) {
        self.gc.pacer.commit(true);
        self.scavenge();
        tracing::debug!(
            target: "gogc::phase",
            cycle = self.gc.cycle,
            phase = %Phase::Off,
            freed = self.gc.stats.objects_freed,
            live = self.live_objects(),
            "sweep done"
        );
    }
}
