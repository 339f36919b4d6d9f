//! A collection cycle in Go's phases (`runtime/mgc.go`, Go 1.27), one step
//! at a time:
//!
//! 1. **Sweep termination** (stop the world, [`Heap::gc_start`]): finish
//!    the previous cycle's sweep (Go sweeps what is left just before
//!    stopping the world, `finishsweep_m` inside), set the phase to mark and
//!    turn the write barrier on (`setGCPhase(_GCmark)`), count the root jobs
//!    (`gcPrepareMarkRoots`). Under [`Barrier::Yuasa`] every stack is
//!    scanned here: the snapshot at the beginning.
//! 2. **Mark** (the world runs, [`Heap::gc_step`] interleaved with the
//!    mutators): root jobs first — global blocks, then one stack per job
//!    (`markroot`, `scanstack`) — then grey objects, one per step
//!    (`gcDrain`, `scanobject`). With nothing left, `gcMarkDone` flushes the
//!    write barrier buffer; if that greyed something, marking goes on.
//! 3. **Mark termination** (stop the world): under [`Barrier::Dijkstra`]
//!    re-scan every stack and drain; turn the barrier off
//!    (`setGCPhase(_GCoff)`), advance `sweepgen` so every span needs
//!    sweeping (`gcSweep`), and forget the per-type allocation spans
//!    (`mcache.prepareForSweep`).
//! 4. **Sweep** (the world runs): one span per step (`sweepone`); an
//!    allocation that needs a span sweeps it first.
//!
//! In this single-threaded model "stop the world" means the phase is one
//! indivisible step; its duration is measured and kept in [`CycleStats`].
//! Each phase change is a `tracing` debug event (target `gogc::phase`).

use std::time::{Duration, Instant, SystemTime};

use crate::barrier::{Barrier, WriteBarrierBuffer};
use crate::handle::Ptr;
use crate::heap::{Heap, WORD_BYTES};
use crate::pacer::Pacer;
use crate::roots::{GLOBALS_PER_ROOT_JOB, Mutator};
use crate::settings::Settings;
use crate::span::SpanState;
use crate::trace::GcTrace;
use crate::worker::MarkWorker;

/// Where the collector is (Go's `gcphase`, with `_GCoff` split into
/// sweeping and done).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// No cycle running and every span swept.
    Off,
    /// Sweep termination: the stop-the-world start of a cycle.
    SweepTermination,
    /// Concurrent mark: the write barrier is on.
    Mark,
    /// Mark termination: the stop-the-world end of marking.
    MarkTermination,
    /// Marking is over and spans are still being swept (Go: `_GCoff`
    /// with sweeping in progress).
    Sweep,
}

impl Phase {
    /// The phase's name in Go's comments.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Off => "off",
            Phase::SweepTermination => "sweep termination",
            Phase::Mark => "mark",
            Phase::MarkTermination => "mark termination",
            Phase::Sweep => "sweep",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One unit of mark work: a root job or a grey object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    /// Scan a block of [`GLOBALS_PER_ROOT_JOB`] globals (`markrootBlock`).
    Globals {
        /// The block number.
        block: usize,
    },
    /// Scan a mutator's stack (`markroot` → `scanstack`).
    Stack(Mutator),
    /// Scan a grey object, blackening it (`scanobject`).
    Object(Ptr),
}

/// What one [`Heap::gc_step`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GcStep {
    /// Nothing: no cycle is running and every span is swept.
    Idle,
    /// A unit of mark work.
    Marked(Work),
    /// `gcMarkDone` flushed the write barrier buffer and greyed this many
    /// objects, so marking goes on.
    FlushedWbBuf {
        /// Objects the flush greyed.
        greyed: usize,
    },
    /// Mark termination ran (stop the world); the cycle now sweeps.
    MarkTermination,
    /// One span was swept.
    Swept {
        /// The span's number.
        span: usize,
        /// Objects freed in it.
        freed: usize,
    },
}

/// Counters and pause times of one cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CycleStats {
    /// The cycle's number, from 1.
    pub cycle: u32,
    /// Sweep termination's stop-the-world time.
    pub sweep_termination: Duration,
    /// Mark termination's stop-the-world time.
    pub mark_termination: Duration,
    /// Stacks scanned while marking (or in the snapshot).
    pub stacks_scanned: usize,
    /// Stacks re-scanned in mark termination.
    pub stacks_rescanned: usize,
    /// Objects marked, allocations included (counted at mark
    /// termination).
    pub objects_marked: usize,
    /// Grey objects scanned to black.
    pub objects_scanned: usize,
    /// Objects allocated since the cycle started (through its sweep).
    pub allocated: usize,
    /// Objects allocated black.
    pub allocated_black: usize,
    /// Write barrier buffer flushes.
    pub wb_buf_flushes: usize,
    /// Objects freed by the cycle's sweep.
    pub objects_freed: usize,
}

impl CycleStats {
    /// The longer of the two stop-the-world phases.
    pub fn max_stw(&self) -> Duration {
        self.sweep_termination.max(self.mark_termination)
    }
}

/// The collector's state (Go's `work`, `gcphase`, `mheap_.sweepgen`).
#[derive(Debug)]
pub(crate) struct Collector {
    pub(crate) barrier: Barrier,
    /// The write barrier is on (`writeBarrier.enabled`).
    pub(crate) marking: bool,
    /// Cycles started; a stack or global block scanned in this cycle
    /// carries its number.
    pub(crate) cycle: u32,
    /// `mheap_.sweepgen`: +2 per cycle.
    pub(crate) sweepgen: u32,
    /// Spans whose sweepgen is behind.
    pub(crate) unswept: usize,
    /// The next span `sweepone` looks at.
    pub(crate) sweep_next: usize,
    /// Global blocks and stacks that existed when marking began; root job
    /// `j` is block `j` below `global_blocks`, else stack `j -
    /// global_blocks` (`work.baseStacks`).
    pub(crate) global_blocks: usize,
    pub(crate) root_jobs: usize,
    /// The next root job `gc_step` takes (`work.markrootNext`).
    pub(crate) root_next: usize,
    /// The cycle in which each global block was scanned.
    pub(crate) globals_scanned: Vec<u32>,
    /// Grey objects (`gcWork`): marked, waiting to be scanned. Popped from
    /// the end, as Go's workbufs are.
    pub(crate) grey: Vec<Ptr>,
    pub(crate) wb_buf: WriteBarrierBuffer,
    /// The buffer a flush empties `wb_buf` into, kept between flushes.
    pub(crate) wb_buf_spare: Vec<Ptr>,
    pub(crate) stats: CycleStats,
    /// The background mark worker, on a paced heap with two processors.
    pub(crate) worker: Option<MarkWorker>,
    /// Go's pacer: heap live, goal, trigger, assist ratio.
    pub(crate) pacer: Pacer,
    /// Object bytes marked this cycle (`work.bytesMarked`).
    pub(crate) bytes_marked: u64,
    /// Objects allocated before this cycle began.
    pub(crate) mallocs_at_start: u64,
    /// This cycle was started by `runtime.GC()` (`work.userForced`).
    pub(crate) user_forced: bool,
    /// The cycle's clock: sweep termination began, mark began, mark
    /// termination began (nanoseconds since the heap was made), and the
    /// heap when it began (`work.tSweepTerm`, `tMark`, `tMarkTerm`,
    /// `heap0`).
    pub(crate) t_sweep_term: i64,
    pub(crate) t_mark: i64,
    pub(crate) heap0: u64,
    /// In-use span memory at the last mark termination (`lastHeapInUse`).
    pub(crate) last_heap_in_use: u64,
    /// Spans swept so far, and the proportional sweeper's pacing
    /// (`pagesSwept`, `sweepPagesPerByte`, `sweepHeapLiveBasis`,
    /// `pagesSweptBasis`; spans here, not pages).
    pub(crate) swept_spans: u64,
    pub(crate) sweep_spans_per_byte: f64,
    pub(crate) sweep_heap_live_basis: u64,
    pub(crate) swept_basis: u64,
}

impl Collector {
    pub(crate) fn new(barrier: Barrier, wb_buf_entries: usize, settings: Settings) -> Collector {
        Collector {
            barrier,
            marking: false,
            cycle: 0,
            sweepgen: 0,
            unswept: 0,
            sweep_next: 0,
            global_blocks: 0,
            root_jobs: 0,
            root_next: 0,
            globals_scanned: Vec::new(),
            grey: Vec::new(),
            wb_buf: WriteBarrierBuffer::new(wb_buf_entries),
            wb_buf_spare: Vec::with_capacity(wb_buf_entries),
            stats: CycleStats::default(),
            worker: None,
            pacer: Pacer::new(settings.gc_percent, settings.memory_limit),
            bytes_marked: 0,
            mallocs_at_start: 0,
            user_forced: false,
            t_sweep_term: 0,
            t_mark: 0,
            heap0: 0,
            last_heap_in_use: 0,
            swept_spans: 0,
            sweep_spans_per_byte: 0.0,
            sweep_heap_live_basis: 0,
            swept_basis: 0,
        }
    }

    pub(crate) fn set_wb_buf_entries(&mut self, entries: usize) {
        self.wb_buf = WriteBarrierBuffer::new(entries);
    }
}

impl Heap {
    /// Where the collector is: [`Phase::Off`], [`Phase::Mark`] or
    /// [`Phase::Sweep`] (the two stop-the-world phases happen inside one
    /// call and are never seen from outside).
    pub fn phase(&self) -> Phase {
        if self.gc.marking {
            Phase::Mark
        } else if self.gc.unswept > 0 {
            Phase::Sweep
        } else {
            Phase::Off
        }
    }

    /// The current (or last) cycle's counters.
    pub fn cycle_stats(&self) -> CycleStats {
        let mallocs: u64 = self.classes.iter().map(|c| c.mallocs).sum();
        CycleStats {
            allocated: (mallocs - self.gc.mallocs_at_start) as usize,
            ..self.gc.stats.clone()
        }
    }

    /// Cycles started so far.
    pub fn cycles(&self) -> u32 {
        self.gc.cycle
    }

    /// `gcStart`: begins a cycle — sweeps what the last one left, then
    /// sweep termination with the world stopped. Returns `false`, doing
    /// nothing, if a cycle is already marking.
    pub fn gc_start(&mut self) -> bool {
        self.start_cycle(false)
    }

    /// [`gc_start`](Heap::gc_start); `forced` for `runtime.GC()`.
    pub(crate) fn start_cycle(&mut self, forced: bool) -> bool {
        if self.gc.marking {
            return false;
        }
        while self.sweep_one().is_some() {}

        let stw = Instant::now();
        self.gc.t_sweep_term = self.nanotime();
        self.gc.cycle += 1;
        self.gc.user_forced = forced;
        self.gc.stats = CycleStats {
            cycle: self.gc.cycle,
            ..CycleStats::default()
        };
        self.gc.bytes_marked = 0;
        self.gc.mallocs_at_start = self.classes.iter().map(|c| c.mallocs).sum();
        self.gc.heap0 = self.gc.pacer.heap_live;
        self.gc.grey.clear();
        self.gc.global_blocks = self.globals.len().div_ceil(GLOBALS_PER_ROOT_JOB);
        self.gc.globals_scanned.resize(self.gc.global_blocks, 0);
        let stack_jobs = if self.gc.barrier.snapshots_stacks() {
            0
        } else {
            self.stacks.len()
        };
        self.gc.root_jobs = self.gc.global_blocks + stack_jobs;
        self.gc.root_next = 0;
        self.gc.marking = true;
        self.gc.pacer.max_stack_scan = self.stack_slots as u64 * WORD_BYTES;
        self.gc.pacer.globals_scan = self.globals.len() as u64 * WORD_BYTES;
        if self.gc.barrier.snapshots_stacks() {
            for i in 0..self.stacks.len() {
                self.scan_stack(Mutator::from_index(i));
            }
        }
        let pause = stw.elapsed();
        self.gc.stats.sweep_termination = pause;
        self.gc.t_mark = self.nanotime();
        self.gc
            .pacer
            .start_cycle(self.gc.t_mark, self.settings.procs);
        for stack in &mut self.stacks {
            stack.assist_bytes = 0;
        }
        if self.gc.worker.is_some() {
            self.start_worker();
        }
        tracing::debug!(
            target: "gogc::phase",
            cycle = self.gc.cycle,
            barrier = %self.gc.barrier,
            phase = %Phase::SweepTermination,
            stw_us = pause.as_micros() as u64,
            root_jobs = self.gc.root_jobs,
            heap_live = self.gc.pacer.heap_live,
            "sweep termination (STW): barrier on, mark begins"
        );
        self.after_op();
        true
    }

    /// Nanoseconds since the heap was made (Go's `nanotime`, counted from
    /// `runtimeInitTime`).
    pub(crate) fn nanotime(&self) -> i64 {
        i64::try_from(self.created.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }

    /// Does the next unit of the collector's work: a root job, a grey
    /// object, `gcMarkDone` (flush the barrier buffer or terminate
    /// marking), or one span of sweeping. Never starts a cycle.
    pub fn gc_step(&mut self) -> GcStep {
        self.pull_greys();
        let step = if self.gc.marking {
            if let Some(work) = self.next_work() {
                self.do_work(work);
                GcStep::Marked(work)
            } else {
                self.mark_done()
            }
        } else {
            self.sweep_one().unwrap_or(GcStep::Idle)
        };
        self.publish_greys();
        self.after_op();
        step
    }

    /// The mark work waiting now: root jobs not yet done, then grey
    /// objects. Empty outside marking.
    pub fn gc_pending(&self) -> Vec<Work> {
        if !self.gc.marking {
            return Vec::new();
        }
        let roots = (self.gc.root_next..self.gc.root_jobs).filter_map(|j| self.root_job(j));
        let shared = self.gc.worker.as_ref().map(|w| w.lock().grey.clone());
        roots
            .chain(self.gc.grey.iter().map(|&p| Work::Object(p)))
            .chain(shared.into_iter().flatten().map(Work::Object))
            .collect()
    }

    /// Does one chosen unit of mark work out of order — scan this stack
    /// now, blacken that grey object — as a concurrent collector might.
    ///
    /// # Panics
    /// If `work` is not pending ([`gc_pending`](Heap::gc_pending)).
    pub fn gc_work(&mut self, work: Work) {
        self.pull_greys();
        let pending = match work {
            Work::Globals { block } => {
                self.gc.marking
                    && block < self.gc.global_blocks
                    && self.gc.globals_scanned[block] != self.gc.cycle
            }
            Work::Stack(m) => {
                self.gc.marking
                    && !self.gc.barrier.snapshots_stacks()
                    && m.index() < self.stacks.len()
                    && !self.stacks[m.index()].exited
                    && self.stacks[m.index()].scanned != self.gc.cycle
            }
            Work::Object(p) => self.gc.grey.contains(&p),
        };
        assert!(pending, "gogc: {work:?} is not pending mark work");
        if let Work::Object(p) = work {
            let at = self.gc.grey.iter().rposition(|&q| q == p).expect("pending");
            self.gc.grey.remove(at);
        }
        self.do_work(work);
        self.publish_greys();
        self.after_op();
    }

    /// `runtime.GC()`: finishes the cycle in progress, runs a full new one
    /// and sweeps everything, so that every object unreachable when it was
    /// called is freed.
    pub fn gc(&mut self) {
        self.finish_marking();
        self.start_cycle(true);
        self.finish_marking();
        while self.gc_step() != GcStep::Idle {}
    }

    /// Root job `j`, if it still needs doing.
    fn root_job(&self, j: usize) -> Option<Work> {
        if j < self.gc.global_blocks {
            (self.gc.globals_scanned[j] != self.gc.cycle).then_some(Work::Globals { block: j })
        } else {
            let i = j - self.gc.global_blocks;
            let stack = &self.stacks[i];
            (!stack.exited && stack.scanned != self.gc.cycle)
                .then_some(Work::Stack(Mutator::from_index(i)))
        }
    }

    /// The next work in Go's order: root jobs, then the grey queue (taken
    /// off it).
    pub(crate) fn next_work(&mut self) -> Option<Work> {
        while self.gc.root_next < self.gc.root_jobs {
            let j = self.gc.root_next;
            self.gc.root_next += 1;
            if let Some(work) = self.root_job(j) {
                return Some(work);
            }
        }
        self.gc.grey.pop().map(Work::Object)
    }

    /// Does one unit of mark work; returns its scan work in bytes.
    pub(crate) fn do_work(&mut self, work: Work) -> i64 {
        match work {
            Work::Globals { block } => {
                let before = self.gc.pacer.globals_scan_work;
                self.scan_globals(block);
                self.gc.pacer.globals_scan_work - before
            }
            Work::Stack(m) => {
                let before = self.gc.pacer.stack_scan_work;
                self.scan_stack(m);
                self.gc.pacer.stack_scan_work - before
            }
            Work::Object(p) => self.scan_object(p),
        }
    }

    /// `gcMarkDone`, reached with no root job and no grey object left.
    fn mark_done(&mut self) -> GcStep {
        let greyed = self.wb_buf_flush();
        if greyed > 0 {
            return GcStep::FlushedWbBuf { greyed };
        }
        self.mark_termination();
        GcStep::MarkTermination
    }

    /// `gcMarkTermination` + `gcSweep`, with the world stopped.
    fn mark_termination(&mut self) {
        let stw = Instant::now();
        let t_mark_term = self.nanotime();
        self.stop_worker();
        self.gc.pacer.end_cycle(t_mark_term, self.settings.procs);
        if self.gc.barrier.rescans_stacks() {
            for i in 0..self.stacks.len() {
                if self.rescan_stack(Mutator::from_index(i)) {
                    self.gc.stats.stacks_rescanned += 1;
                }
            }
            while let Some(p) = self.gc.grey.pop() {
                self.scan_object(p);
            }
        }
        debug_assert!(self.gc.wb_buf.entries().is_empty() && self.gc.grey.is_empty());
        self.gc.marking = false;
        self.count_marked();
        let heap1 = self.gc.pacer.heap_live;
        self.gc.pacer.reset_live(self.gc.bytes_marked);
        self.gc.sweepgen = self.gc.sweepgen.wrapping_add(2);
        self.gc.sweep_next = 0;
        self.gc.unswept = 0;
        for s in 0..self.spans.len() {
            if self.spans[s].state == SpanState::InUse {
                self.gc.unswept += 1;
                let class = usize::from(self.spans[s].class);
                self.classes[class].unswept.push(s);
            }
        }
        for class in 0..self.classes.len() {
            // The allocation span goes back where allocation finds spans
            // to sweep before use.
            if let Some(s) = self.classes[class].current.take() {
                self.put_partial(s);
            }
        }
        self.gc.last_heap_in_use = self.gc.pacer.mapped_ready - self.gc.pacer.heap_free;
        self.gc.pacer.commit(self.gc.unswept == 0);
        self.pace_sweeper();
        let pause = stw.elapsed();
        self.gc.stats.mark_termination = pause;
        self.end_of_cycle(t_mark_term, heap1);
        tracing::debug!(
            target: "gogc::phase",
            cycle = self.gc.cycle,
            barrier = %self.gc.barrier,
            phase = %Phase::MarkTermination,
            stw_us = pause.as_micros() as u64,
            stacks_rescanned = self.gc.stats.stacks_rescanned,
            marked = self.gc.stats.objects_marked,
            "mark termination (STW): barrier off, sweep begins"
        );
        if self.gc.unswept == 0 {
            self.gc.pacer.commit(true);
            self.scavenge();
        }
    }

    /// The statistics of a finished cycle, and its `gctrace` line.
    fn end_of_cycle(&mut self, t_mark_term: i64, heap1: u64) {
        let stats = &self.gc.stats;
        let pacer = &self.gc.pacer;
        let ns = |n: i64| Duration::from_nanos(n.max(0) as u64);
        let pause = stats.sweep_termination + stats.mark_termination;
        let procs = self.settings.procs;
        let cpu = [
            stats.sweep_termination * procs,
            ns(pacer.assist_time),
            ns(pacer.dedicated_mark_time + pacer.fractional_mark_time),
            ns(pacer.idle_mark_time),
            stats.mark_termination * procs,
        ];
        let totals = &mut self.totals;
        totals.gc_cpu += cpu.iter().sum::<Duration>();
        totals.gc_idle_cpu += cpu[3];
        totals.pause_total += pause;
        let unix_now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let slot = (totals.num_gc % 256) as usize;
        totals.pause_ns[slot] = u64::try_from(pause.as_nanos()).unwrap_or(u64::MAX);
        totals.pause_end[slot] = unix_now;
        totals.last_gc_unix_ns = unix_now;
        totals.num_gc += 1;
        if self.gc.user_forced {
            totals.num_forced_gc += 1;
        }
        if self.settings.gctrace == 0
            && !tracing::enabled!(target: "gogc::gctrace", tracing::Level::DEBUG)
        {
            return;
        }
        let elapsed = self.created.elapsed().as_secs_f64() * f64::from(procs);
        let gc_cpu = (self.totals.gc_cpu - self.totals.gc_idle_cpu).as_secs_f64();
        let line = GcTrace {
            cycle: self.totals.num_gc,
            at: ns(self.gc.t_sweep_term),
            cpu_percent: if elapsed > 0.0 {
                (gc_cpu / elapsed * 100.0) as u32
            } else {
                0
            },
            clock: [
                self.gc.stats.sweep_termination,
                ns(t_mark_term - self.gc.t_mark),
                self.gc.stats.mark_termination,
            ],
            cpu,
            heap_start: self.gc.heap0,
            heap_end: heap1,
            heap_marked: self.gc.bytes_marked,
            goal: self.gc.pacer.last_heap_goal,
            stacks: self.gc.pacer.stack_scan_work.max(0) as u64,
            globals: self.gc.pacer.globals_scan,
            procs,
            forced: self.gc.user_forced,
        };
        tracing::debug!(target: "gogc::gctrace", "{line}");
        if self.settings.gctrace > 0 {
            match &mut self.trace_sink {
                Some(sink) => sink(&line),
                None => eprintln!("{line}"),
            }
        }
    }
}
