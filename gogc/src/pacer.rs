//! The pacer: when to start a cycle and how much mark work each byte of
//! allocation must pay for while one runs — Go 1.27's `gcControllerState`
//! (`runtime/mgcpacer.go`, the Go 1.18 pacer of design 44167), with the
//! memory-limit goal of `GOMEMLIMIT` (Go 1.19).
//!
//! The heap goal of a cycle is
//!
//! ```text
//! goal = marked + (marked + stacks + globals) × GOGC/100     at least 4 MiB × GOGC/100
//! ```
//!
//! where `marked` is what the last cycle marked live, `stacks` the stack
//! bytes it scanned and `globals` the global bytes; a soft memory limit can
//! only lower it (to the limit less the heap's other memory, less 3% and at
//! least 1 MiB of headroom). The trigger — the heap size at which the next
//! cycle starts — sits inside the runway between `marked` and the goal:
//! `goal − runway`, where the runway is what the mutator will allocate
//! while the collector does the expected scan work at 25% of the CPU
//! (estimated from the last four cycles' cons/mark ratio), clamped to
//! between 0.7 and 0.95 of the way from `marked` to the goal (or to the
//! goal less 4 MiB for large heaps).
//!
//! Every quantity is in bytes, as in Go; scan work is bytes of pointer
//! words scanned. [`Pacer`] is the state and the arithmetic alone, public so
//! that its formulas can be checked by hand; the heap drives it
//! (`crate::pacing`).

/// `gcBackgroundUtilization` (= `gcGoalUtilization`): the share of the CPU
/// background marking aims for.
pub const GC_BACKGROUND_UTILIZATION: f64 = 0.25;

/// `defaultHeapMinimum`: the heap goal's floor at `GOGC=100`, 4 MiB (Go
/// scales it by GOGC/100).
pub const DEFAULT_HEAP_MINIMUM: u64 = 4 << 20;

/// `gcOverAssistWork`: an assist does at least this much scan work, to
/// pre-pay for future allocation.
pub const GC_OVER_ASSIST_WORK: i64 = 64 << 10;

/// `memoryLimitMinHeapGoalHeadroom`: the memory-limit goal keeps at least
/// 1 MiB of headroom.
pub const MEMORY_LIMIT_MIN_HEAP_GOAL_HEADROOM: u64 = 1 << 20;

/// `memoryLimitHeapGoalHeadroomPercent`: and at least 3% of itself.
pub const MEMORY_LIMIT_HEAP_GOAL_HEADROOM_PERCENT: u64 = 3;

/// `sweepMinHeapDistance`: while sweeping, the trigger stays at least
/// 1 MiB above the live heap, so that the sweeper has room.
pub const SWEEP_MIN_HEAP_DISTANCE: u64 = 1 << 20;

/// `triggerRatioDen`, `minTriggerRatioNum`, `maxTriggerRatioNum`: the
/// trigger lies between 45/64 (~0.7) and 61/64 (~0.95) of the runway.
pub const TRIGGER_RATIO_DEN: u64 = 64;
/// See [`TRIGGER_RATIO_DEN`].
pub const MIN_TRIGGER_RATIO_NUM: u64 = 45;
/// See [`TRIGGER_RATIO_DEN`].
pub const MAX_TRIGGER_RATIO_NUM: u64 = 61;

/// `GOMEMLIMIT=off`: no limit (`math.MaxInt64`).
pub const NO_MEMORY_LIMIT: i64 = i64::MAX;

/// The pacer's state: Go's `gcControllerState`, the fields that apply.
///
/// ```
/// use gogc::Pacer;
///
/// // GOGC=100, no memory limit; the last cycle marked 10 MiB live,
/// // scanned 8 MiB of it and 1 MiB of stacks, and has 1 MiB of globals.
/// let mut pacer = Pacer::new(100, gogc::NO_MEMORY_LIMIT);
/// pacer.set_last_cycle(10 << 20, 8 << 20, 1 << 20, 1 << 20);
/// pacer.commit(true);
/// assert_eq!(pacer.heap_goal(), (10 << 20) + (12 << 20)); // marked + (marked+stacks+globals)
/// let (trigger, goal) = pacer.trigger();
/// // No cons/mark estimate yet: the runway is 0, so the trigger is the
/// // 0.95 bound — but a large heap gives it the goal less 4 MiB at most.
/// assert_eq!(goal, 22 << 20);
/// assert_eq!(trigger, (12 << 20) / 64 * 61 + (10 << 20));
/// ```
#[derive(Clone, Debug)]
pub struct Pacer {
    /// `GOGC`; -1 is off.
    gc_percent: i32,
    /// `GOMEMLIMIT` in bytes.
    memory_limit: i64,
    /// `heapMinimum`: 4 MiB × GOGC/100.
    heap_minimum: u64,
    /// `runway`: bytes the mutator allocates while the collector marks.
    runway: u64,
    /// `consMark` and the last four cycles' values.
    cons_mark: f64,
    last_cons_mark: [f64; 4],
    gc_percent_heap_goal: u64,
    sweep_dist_min_trigger: u64,
    /// `triggered`: heap_live when the cycle started; `u64::MAX` between.
    triggered: u64,
    /// `lastHeapGoal`: the goal of the cycle that ended last.
    pub(crate) last_heap_goal: u64,
    /// `heapLive`: bytes in spans given to allocation since marking ended,
    /// plus what that marking found live.
    pub(crate) heap_live: u64,
    /// `heapScan`: scannable bytes expected this cycle.
    heap_scan: u64,
    last_heap_scan: u64,
    last_stack_scan: u64,
    /// `maxStackScan`: the stack bytes that could be scanned now.
    pub(crate) max_stack_scan: u64,
    /// `globalsScan`: the global bytes scanned per cycle.
    pub(crate) globals_scan: u64,
    /// `heapMarked`: what the last cycle marked.
    heap_marked: u64,
    /// This cycle's scan work (bytes of pointer words scanned).
    pub(crate) heap_scan_work: i64,
    pub(crate) stack_scan_work: i64,
    pub(crate) globals_scan_work: i64,
    /// `bgScanCredit`: background work assists may steal.
    pub(crate) bg_scan_credit: i64,
    /// This cycle's mark CPU time, nanoseconds, by who did it.
    pub(crate) assist_time: i64,
    pub(crate) dedicated_mark_time: i64,
    pub(crate) fractional_mark_time: i64,
    pub(crate) idle_mark_time: i64,
    mark_start_time: i64,
    dedicated_mark_workers_needed: i64,
    pub(crate) fractional_utilization_goal: f64,
    assist_work_per_byte: f64,
    assist_bytes_per_work: f64,
    /// Memory the limit is about: mapped and not released (`mappedReady`),
    /// mapped but free (`heapFree`), object bytes allocated and freed.
    pub(crate) mapped_ready: u64,
    pub(crate) heap_free: u64,
    pub(crate) total_alloc: u64,
    pub(crate) total_free: u64,
}

impl Pacer {
    /// `gcControllerState.init`: a pacer for `GOGC=gc_percent` (negative:
    /// off) and a memory limit in bytes ([`NO_MEMORY_LIMIT`] for none), as
    /// at program start.
    pub fn new(gc_percent: i32, memory_limit: i64) -> Pacer {
        let mut pacer = Pacer {
            gc_percent: 100,
            memory_limit: NO_MEMORY_LIMIT,
            heap_minimum: DEFAULT_HEAP_MINIMUM,
            runway: 0,
            cons_mark: 0.0,
            last_cons_mark: [0.0; 4],
            gc_percent_heap_goal: 0,
            sweep_dist_min_trigger: 0,
            triggered: u64::MAX,
            last_heap_goal: 0,
            heap_live: 0,
            heap_scan: 0,
            last_heap_scan: 0,
            last_stack_scan: 0,
            max_stack_scan: 0,
            globals_scan: 0,
            heap_marked: 0,
            heap_scan_work: 0,
            stack_scan_work: 0,
            globals_scan_work: 0,
            bg_scan_credit: 0,
            assist_time: 0,
            dedicated_mark_time: 0,
            fractional_mark_time: 0,
            idle_mark_time: 0,
            mark_start_time: 0,
            dedicated_mark_workers_needed: 0,
            fractional_utilization_goal: 0.0,
            assist_work_per_byte: 0.0,
            assist_bytes_per_work: 0.0,
            mapped_ready: 0,
            heap_free: 0,
            total_alloc: 0,
            total_free: 0,
        };
        pacer.set_gc_percent(gc_percent);
        pacer.set_memory_limit(memory_limit);
        pacer.commit(true);
        pacer
    }

    /// `GOGC` now; -1 when off.
    pub fn gc_percent(&self) -> i32 {
        self.gc_percent
    }

    /// The soft memory limit now, in bytes.
    pub fn memory_limit(&self) -> i64 {
        self.memory_limit
    }

    /// `setGCPercent`: sets `GOGC` (negative: off) and the heap minimum;
    /// returns the previous value. Call [`commit`](Pacer::commit) after.
    pub fn set_gc_percent(&mut self, percent: i32) -> i32 {
        let previous = self.gc_percent;
        let percent = percent.max(-1);
        self.heap_minimum = DEFAULT_HEAP_MINIMUM * percent.max(0) as u64 / 100;
        self.gc_percent = percent;
        previous
    }

    /// `setMemoryLimit`: sets the limit if `limit >= 0`; returns the
    /// previous value (a negative `limit` only reads it). Call
    /// [`commit`](Pacer::commit) after.
    pub fn set_memory_limit(&mut self, limit: i64) -> i64 {
        let previous = self.memory_limit;
        if limit >= 0 {
            self.memory_limit = limit;
        }
        previous
    }

    /// Sets what the last cycle found — marked heap bytes, heap and stack
    /// bytes scanned, global bytes — as mark termination does
    /// (`resetLive`); the live heap is the marked heap.
    pub fn set_last_cycle(&mut self, marked: u64, heap_scan: u64, stacks: u64, globals: u64) {
        self.heap_marked = marked;
        self.heap_live = marked;
        self.heap_scan = heap_scan;
        self.last_heap_scan = heap_scan;
        self.last_stack_scan = stacks;
        self.globals_scan = globals;
    }

    /// Sets the live heap (`heapLive`), as allocation grows it.
    pub fn set_heap_live(&mut self, bytes: u64) {
        self.heap_live = bytes;
    }

    /// Sets the memory the limit is about: bytes mapped and not released,
    /// the free part of them, and object bytes allocated and freed so far.
    pub fn set_memory(
        &mut self,
        mapped_ready: u64,
        heap_free: u64,
        total_alloc: u64,
        total_free: u64,
    ) {
        self.mapped_ready = mapped_ready;
        self.heap_free = heap_free;
        self.total_alloc = total_alloc;
        self.total_free = total_free;
    }

    /// Sets the cons/mark estimate (what [`end_cycle`](Pacer::end_cycle)
    /// measures).
    pub fn set_cons_mark(&mut self, cons_mark: f64) {
        self.cons_mark = cons_mark;
    }

    /// `heapLive`: bytes the heap holds for objects now, as the pacer
    /// counts them.
    pub fn heap_live(&self) -> u64 {
        self.heap_live
    }

    /// `heapMarked`.
    pub fn heap_marked(&self) -> u64 {
        self.heap_marked
    }

    /// The runway [`commit`](Pacer::commit) computed.
    pub fn runway(&self) -> u64 {
        self.runway
    }

    /// `assistWorkPerByte`: scan work an allocating mutator owes per byte
    /// while marking.
    pub fn assist_work_per_byte(&self) -> f64 {
        self.assist_work_per_byte
    }

    /// `assistBytesPerWork`: its inverse.
    pub fn assist_bytes_per_work(&self) -> f64 {
        self.assist_bytes_per_work
    }

    /// `commit`: recomputes the GOGC heap goal and the runway from the
    /// last cycle's figures. `sweep_done` is false while the last cycle's
    /// sweep is still running (the trigger then keeps 1 MiB above the live
    /// heap).
    pub fn commit(&mut self, sweep_done: bool) {
        self.sweep_dist_min_trigger = if sweep_done {
            0
        } else {
            self.heap_live + SWEEP_MIN_HEAP_DISTANCE
        };
        let mut goal = u64::MAX;
        if self.gc_percent >= 0 {
            let base = self.heap_marked + self.last_stack_scan + self.globals_scan;
            goal = self.heap_marked + base * self.gc_percent as u64 / 100;
        }
        self.gc_percent_heap_goal = goal.max(self.heap_minimum);
        let scan = (self.last_heap_scan + self.last_stack_scan + self.globals_scan) as f64;
        let weighted =
            self.cons_mark * (1.0 - GC_BACKGROUND_UTILIZATION) / GC_BACKGROUND_UTILIZATION;
        self.runway = (weighted * scan) as u64;
    }

    /// `heapGoal`: the heap size this cycle aims to finish under.
    pub fn heap_goal(&self) -> u64 {
        self.heap_goal_internal().0
    }

    /// `heapGoalInternal`: the goal, and the lowest trigger it allows.
    fn heap_goal_internal(&self) -> (u64, u64) {
        let mut goal = self.gc_percent_heap_goal;
        let mut min_trigger = 0;
        let limit_goal = self.memory_limit_heap_goal();
        if limit_goal < goal {
            goal = limit_goal;
        } else {
            if self.sweep_dist_min_trigger > goal {
                goal = self.sweep_dist_min_trigger;
            }
            min_trigger = self.sweep_dist_min_trigger;
            const MIN_RUNWAY: u64 = 64 << 10;
            if self.triggered != u64::MAX && goal < self.triggered.saturating_add(MIN_RUNWAY) {
                goal = self.triggered + MIN_RUNWAY;
            }
        }
        (goal, min_trigger)
    }

    /// `memoryLimitHeapGoal`: the largest heap the soft limit allows — the
    /// limit less the memory that is not heap objects (and less any
    /// overage), less 3% (at least 1 MiB) of headroom, never below the
    /// marked heap.
    pub fn memory_limit_heap_goal(&self) -> u64 {
        let heap_alloc = self.total_alloc.saturating_sub(self.total_free);
        let mapped = self.mapped_ready.max(self.heap_free + heap_alloc);
        let limit = self.memory_limit.max(0) as u64;
        let non_heap = mapped - self.heap_free - heap_alloc;
        let overage = mapped.saturating_sub(limit);
        if non_heap + overage >= limit {
            return self.heap_marked;
        }
        let mut goal = limit - (non_heap + overage);
        let headroom = (goal / 100 * MEMORY_LIMIT_HEAP_GOAL_HEADROOM_PERCENT)
            .max(MEMORY_LIMIT_MIN_HEAP_GOAL_HEADROOM);
        if goal < headroom || goal - headroom < headroom {
            goal = headroom;
        } else {
            goal -= headroom;
        }
        goal.max(self.heap_marked)
    }

    /// `trigger`: the heap size at which the next cycle starts, and the
    /// goal. The trigger lies between 45/64 and 61/64 of the way from the
    /// marked heap to the goal (the upper bound is the goal less 4 MiB when
    /// that is higher), at `goal − runway` when that fits.
    pub fn trigger(&self) -> (u64, u64) {
        let (goal, mut min_trigger) = self.heap_goal_internal();
        if self.heap_marked >= goal {
            return (goal, goal);
        }
        min_trigger = min_trigger.max(self.heap_marked);
        let runway_span = (goal - self.heap_marked) / TRIGGER_RATIO_DEN;
        let lower_bound = runway_span * MIN_TRIGGER_RATIO_NUM + self.heap_marked;
        min_trigger = min_trigger.max(lower_bound);
        let mut max_trigger = runway_span * MAX_TRIGGER_RATIO_NUM + self.heap_marked;
        if goal > DEFAULT_HEAP_MINIMUM && goal - DEFAULT_HEAP_MINIMUM > max_trigger {
            max_trigger = goal - DEFAULT_HEAP_MINIMUM;
        }
        max_trigger = max_trigger.max(min_trigger);
        let trigger = if self.runway > goal {
            min_trigger
        } else {
            goal - self.runway
        };
        let trigger = trigger.max(min_trigger).min(max_trigger);
        assert!(
            trigger <= goal,
            "gogc: produced a trigger greater than the heap goal"
        );
        (trigger, goal)
    }

    /// `startCycle`: resets the cycle's work counters and sets the mark
    /// workers for `procs` processors: with one, no dedicated worker and a
    /// fractional one aiming at 25% of the CPU.
    pub fn start_cycle(&mut self, mark_start_ns: i64, procs: u32) {
        self.heap_scan_work = 0;
        self.stack_scan_work = 0;
        self.globals_scan_work = 0;
        self.bg_scan_credit = 0;
        self.assist_time = 0;
        self.dedicated_mark_time = 0;
        self.fractional_mark_time = 0;
        self.idle_mark_time = 0;
        self.mark_start_time = mark_start_ns;
        self.triggered = self.heap_live;
        let total_goal = f64::from(procs) * GC_BACKGROUND_UTILIZATION;
        let mut dedicated = (total_goal + 0.5) as i64;
        let util_error = dedicated as f64 / total_goal - 1.0;
        const MAX_UTIL_ERROR: f64 = 0.3;
        if !(-MAX_UTIL_ERROR..=MAX_UTIL_ERROR).contains(&util_error) {
            if dedicated as f64 > total_goal {
                dedicated -= 1;
            }
            self.fractional_utilization_goal = (total_goal - dedicated as f64) / f64::from(procs);
        } else {
            self.fractional_utilization_goal = 0.0;
        }
        self.dedicated_mark_workers_needed = dedicated;
        self.revise();
    }

    /// Dedicated mark workers this cycle runs (0 with one processor).
    pub fn dedicated_mark_workers(&self) -> i64 {
        self.dedicated_mark_workers_needed
    }

    /// `revise`: recomputes the assist ratio from the work left and the
    /// heap left before the goal (extending the goal, up to the hard goal,
    /// when the scan work already exceeds what was expected).
    pub fn revise(&mut self) {
        let gc_percent = if self.gc_percent < 0 {
            100_000
        } else {
            self.gc_percent
        };
        let live = self.heap_live as i64;
        let scan = self.heap_scan;
        let work = self.heap_scan_work + self.stack_scan_work + self.globals_scan_work;
        let mut heap_goal = self.heap_goal() as i64;
        let mut scan_work_expected =
            (self.last_heap_scan + self.last_stack_scan + self.globals_scan) as i64;
        let max_scan_work = (scan + self.max_stack_scan + self.globals_scan) as i64;
        if work > scan_work_expected {
            // With no scan work expected (a first cycle) the quotient is
            // infinite, which Go's conversion on amd64 turns into the
            // smallest int64: the goal is then behind the live heap and
            // assists pay for everything. Kept, saturating elsewhere.
            let triggered = self.triggered.min(i64::MAX as u64) as i64;
            let ext = (heap_goal.saturating_sub(triggered)) as f64 / scan_work_expected as f64
                * max_scan_work as f64;
            let mut ext_goal = if ext.is_finite() {
                (ext as i64).saturating_add(triggered)
            } else {
                i64::MIN
            };
            scan_work_expected = max_scan_work;
            let hard_goal = ((1.0 + f64::from(gc_percent) / 100.0) * heap_goal as f64) as i64;
            if ext_goal > hard_goal {
                ext_goal = hard_goal;
            }
            heap_goal = ext_goal;
        }
        if live > heap_goal {
            const MAX_OVERSHOOT: f64 = 1.1;
            heap_goal = (heap_goal as f64 * MAX_OVERSHOOT) as i64;
            scan_work_expected = max_scan_work;
        }
        let scan_work_remaining = scan_work_expected.saturating_sub(work).max(1000);
        let heap_remaining = heap_goal.saturating_sub(live).max(1);
        self.assist_work_per_byte = scan_work_remaining as f64 / heap_remaining as f64;
        self.assist_bytes_per_work = heap_remaining as f64 / scan_work_remaining as f64;
    }

    /// `endCycle`: records the goal the cycle ran to and updates the
    /// cons/mark estimate from how much the mutator allocated per unit of
    /// scan work, weighted by the CPU each side had.
    pub fn end_cycle(&mut self, now_ns: i64, procs: u32) {
        self.last_heap_goal = self.heap_goal();
        let duration = now_ns - self.mark_start_time;
        let mut utilization = GC_BACKGROUND_UTILIZATION;
        if duration > 0 {
            utilization += self.assist_time as f64 / (duration * i64::from(procs)) as f64;
        }
        if self.heap_live <= self.triggered {
            // Nothing was allocated while marking (a forced cycle, say): no
            // estimate to learn from.
            return;
        }
        let idle_utilization = if duration > 0 {
            self.idle_mark_time as f64 / (duration * i64::from(procs)) as f64
        } else {
            0.0
        };
        let scan_work = self.heap_scan_work + self.stack_scan_work + self.globals_scan_work;
        let current = ((self.heap_live - self.triggered) as f64 * (utilization + idle_utilization))
            / (scan_work as f64 * (1.0 - utilization));
        self.cons_mark = self.last_cons_mark.iter().fold(current, |m, &c| m.max(c));
        self.last_cons_mark.rotate_left(1);
        self.last_cons_mark[3] = current;
    }

    /// `resetLive`: at mark termination the live heap is what was marked.
    pub fn reset_live(&mut self, bytes_marked: u64) {
        self.heap_marked = bytes_marked;
        self.heap_live = bytes_marked;
        self.heap_scan = self.heap_scan_work.max(0) as u64;
        self.last_heap_scan = self.heap_scan_work.max(0) as u64;
        self.last_stack_scan = self.stack_scan_work.max(0) as u64;
        self.triggered = u64::MAX;
    }

    /// The cons/mark estimate in use.
    pub fn cons_mark(&self) -> f64 {
        self.cons_mark
    }

    /// The fractional worker's share of the CPU this cycle.
    pub fn fractional_utilization_goal(&self) -> f64 {
        self.fractional_utilization_goal
    }

    /// Nanoseconds since the cycle's mark began, given `now_ns`.
    pub(crate) fn mark_elapsed(&self, now_ns: i64) -> i64 {
        now_ns - self.mark_start_time
    }

    /// `heapScan` grows with pointerful allocation outside marking.
    pub(crate) fn add_heap_scan(&mut self, bytes: u64) {
        self.heap_scan += bytes;
    }

    /// The scan work and heap-bytes credit an assist of `debt_bytes`
    /// bytes owes (`gcAssistAlloc`: at least [`GC_OVER_ASSIST_WORK`]).
    pub(crate) fn assist_quota(&self, debt_bytes: i64) -> (i64, i64) {
        let mut scan_work = (self.assist_work_per_byte * debt_bytes as f64) as i64;
        let mut debt = debt_bytes;
        if scan_work < GC_OVER_ASSIST_WORK {
            scan_work = GC_OVER_ASSIST_WORK;
            debt = (self.assist_bytes_per_work * scan_work as f64) as i64;
        }
        (scan_work, debt)
    }

    /// Allocation bytes `work` units of scan work pay for.
    pub(crate) fn bytes_for_work(&self, work: i64) -> i64 {
        (self.assist_bytes_per_work * work as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gogc_off_has_no_goal_but_the_limit() {
        let mut pacer = Pacer::new(-1, NO_MEMORY_LIMIT);
        pacer.set_last_cycle(100 << 20, 0, 0, 0);
        pacer.commit(true);
        assert!(pacer.heap_goal() > 1 << 60);
        assert_eq!(pacer.heap_minimum, 0);
    }

    #[test]
    fn one_processor_runs_a_fractional_worker_at_a_quarter() {
        let mut pacer = Pacer::new(100, NO_MEMORY_LIMIT);
        pacer.start_cycle(0, 1);
        assert_eq!(pacer.dedicated_mark_workers(), 0);
        assert_eq!(pacer.fractional_utilization_goal(), 0.25);
        pacer.start_cycle(0, 4);
        assert_eq!(pacer.dedicated_mark_workers(), 1);
        assert_eq!(pacer.fractional_utilization_goal(), 0.0);
        // Two processors: one dedicated worker would be 100% off the 0.5
        // goal, so a fractional worker at 25% of each.
        pacer.start_cycle(0, 2);
        assert_eq!(pacer.dedicated_mark_workers(), 0);
        assert_eq!(pacer.fractional_utilization_goal(), 0.25);
    }
}
