//! Sweeping, one span at a time (`runtime/mgcsweep.go`, Go 1.27).
//!
//! Mark termination advances the heap's `sweepgen` by two, which makes
//! every span's own `sweepgen` stale at once (`gcSweep`); `sweepone` then
//! walks the spans and sweeps each stale one, and an allocation that wants a
//! stale span sweeps it first. Sweeping a span frees its live, unmarked
//! objects — dropping their values and bumping their slots' generations, so
//! old handles go stale — and clears its mark bits for the next cycle.

use crate::cycle::{GcStep, Phase};
use crate::heap::Heap;

impl Heap {
    /// `sweepone`: sweeps the next unswept span; `None` when none is left.
    pub(crate) fn sweep_one(&mut self) -> Option<GcStep> {
        while self.gc.sweep_next < self.spans.len() {
            let s = self.gc.sweep_next;
            self.gc.sweep_next += 1;
            if self.spans[s].sweepgen != self.gc.sweepgen {
                let freed = self.sweep_span(s);
                return Some(GcStep::Swept { span: s, freed });
            }
        }
        None
    }

    /// Sweeps span `s` (stale) and puts it back on its type's list of spans
    /// with room. Returns how many objects it freed.
    pub(crate) fn sweep_span(&mut self, s: usize) -> usize {
        debug_assert_ne!(self.spans[s].sweepgen, self.gc.sweepgen);
        let reachable = self.checked.then(|| self.reachability());
        let freed = self.spans[s].sweep(s, |p| {
            if let Some(oracle) = &reachable {
                if let Some(edge) = oracle.reached_by(p) {
                    panic!("gogc: sweep frees {p}, which is reachable ({edge})");
                }
            }
        });
        self.spans[s].sweepgen = self.gc.sweepgen;
        let class = usize::from(self.spans[s].class);
        if self.spans[s].has_free() && self.classes[class].current != Some(s) {
            self.put_partial(s);
        }
        self.gc.stats.objects_freed += freed;
        self.gc.unswept -= 1;
        if self.gc.unswept == 0 {
            tracing::debug!(
                target: "gogc::phase",
                cycle = self.gc.cycle,
                phase = %Phase::Off,
                freed = self.gc.stats.objects_freed,
                live = self.live_objects(),
                "sweep done"
            );
        }
        freed
    }
}
