//! `runtime.ReadMemStats` (`runtime/mstats.go`, Go 1.27): the `MemStats`
//! fields that apply to a gogc heap, and the running totals behind them.

use std::time::Duration;

use crate::heap::Heap;

/// The running totals behind [`MemStats`] that no other part keeps.
#[derive(Clone, Debug)]
pub(crate) struct Totals {
    /// Completed cycles (`numgc`) and those `runtime.GC()` forced.
    pub(crate) num_gc: u32,
    pub(crate) num_forced_gc: u32,
    pub(crate) pause_total: Duration,
    /// Circular buffers of the last 256 cycles' pauses and their ends
    /// (Unix nanoseconds), indexed by `(num_gc + 255) % 256`.
    pub(crate) pause_ns: [u64; 256],
    pub(crate) pause_end: [u64; 256],
    pub(crate) last_gc_unix_ns: u64,
    /// Collector CPU time (pauses, assists, background and idle marking)
    /// and its idle part, for `GCCPUFraction` and `gctrace`'s `#%`.
    pub(crate) gc_cpu: Duration,
    pub(crate) gc_idle_cpu: Duration,
    /// Bytes unmapped by the scavenger and not mapped again.
    pub(crate) released_bytes: u64,
}

impl Default for Totals {
    fn default() -> Totals {
        Totals {
            num_gc: 0,
            num_forced_gc: 0,
            pause_total: Duration::ZERO,
            pause_ns: [0; 256],
            pause_end: [0; 256],
            last_gc_unix_ns: 0,
            gc_cpu: Duration::ZERO,
            gc_idle_cpu: Duration::ZERO,
            released_bytes: 0,
        }
    }
}

/// Go's `runtime.MemStats`, the fields that apply to a gogc heap (Go 1.27
/// names in `snake_case`). Byte counts are object bytes as the pacer counts
/// them ([`Heap::stats`]), memory counts are mapped bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct MemStats {
    /// `Alloc`: bytes of allocated heap objects (= `heap_alloc`).
    pub alloc: u64,
    /// `TotalAlloc`: cumulative bytes allocated (never decreases).
    pub total_alloc: u64,
    /// `Sys`: bytes of memory obtained from the OS for the heap.
    pub sys: u64,
    /// `Mallocs`: cumulative objects allocated.
    pub mallocs: u64,
    /// `Frees`: cumulative objects freed.
    pub frees: u64,
    /// `HeapAlloc`: bytes of allocated heap objects, reachable or not yet
    /// swept.
    pub heap_alloc: u64,
    /// `HeapSys`: heap memory obtained from the OS (in use, idle and
    /// released).
    pub heap_sys: u64,
    /// `HeapIdle`: bytes in idle (empty) spans, released ones included.
    pub heap_idle: u64,
    /// `HeapInuse`: bytes in in-use spans.
    pub heap_inuse: u64,
    /// `HeapReleased`: bytes given back to the OS.
    pub heap_released: u64,
    /// `HeapObjects`: objects allocated and not yet freed.
    pub heap_objects: u64,
    /// `NextGC`: the heap goal of the next cycle.
    pub next_gc: u64,
    /// `LastGC`: when the last cycle finished, Unix nanoseconds (0: never).
    pub last_gc: u64,
    /// `PauseTotalNs`: cumulative stop-the-world nanoseconds.
    pub pause_total_ns: u64,
    /// `PauseNs`: recent pauses, the latest at `[(num_gc + 255) % 256]`.
    pub pause_ns: [u64; 256],
    /// `PauseEnd`: when they ended, Unix nanoseconds.
    pub pause_end: [u64; 256],
    /// `NumGC`: completed cycles.
    pub num_gc: u32,
    /// `NumForcedGC`: cycles forced by `runtime.GC()` ([`Heap::gc`]).
    pub num_forced_gc: u32,
    /// `GCCPUFraction`: the share of CPU time the collector used since the
    /// heap was created.
    pub gc_cpu_fraction: f64,
    /// `EnableGC`: always true, as in Go (even with `GOGC=off`).
    pub enable_gc: bool,
}

impl Heap {
    /// `runtime.ReadMemStats`: the heap's statistics now.
    ///
    /// ```
    /// use gogc::{Barrier, Heap, Object};
    ///
    /// struct Node;
    /// impl Object for Node { const POINTER_FIELDS: &'static [&'static str] = &["l", "r"]; }
    ///
    /// let mut heap = Heap::new(Barrier::HybridGo);
    /// let g = heap.new_mutator();
    /// heap.alloc(g, Node);
    /// heap.alloc(g, Node);
    /// heap.pop(g);
    /// heap.gc();
    /// let stats = heap.stats();
    /// assert_eq!((stats.mallocs, stats.frees, stats.heap_objects), (2, 1, 1));
    /// assert_eq!(stats.heap_alloc, 16);        // one Node: two pointer words
    /// assert_eq!((stats.num_gc, stats.num_forced_gc), (1, 1));
    /// assert_eq!(stats.next_gc, 4 << 20);      // GOGC=100's 4 MiB minimum
    /// ```
    pub fn stats(&self) -> MemStats {
        let pacer = &self.gc.pacer;
        let (mut mallocs, mut frees, mut total_alloc) = (0, 0, 0);
        for class in &self.classes {
            mallocs += class.mallocs;
            frees += class.frees;
            total_alloc += class.mallocs * class.object_bytes;
        }
        let heap_alloc = total_alloc - pacer.total_free;
        let released = self.totals.released_bytes;
        let heap_sys = pacer.mapped_ready + released;
        let total_cpu = self.created.elapsed().as_secs_f64();
        let gc_cpu = (self.totals.gc_cpu - self.totals.gc_idle_cpu).as_secs_f64();
        MemStats {
            alloc: heap_alloc,
            total_alloc,
            sys: heap_sys,
            mallocs,
            frees,
            heap_alloc,
            heap_sys,
            heap_idle: pacer.heap_free + released,
            heap_inuse: pacer.mapped_ready - pacer.heap_free,
            heap_released: released,
            heap_objects: mallocs - frees,
            next_gc: pacer.heap_goal(),
            last_gc: self.totals.last_gc_unix_ns,
            pause_total_ns: u64::try_from(self.totals.pause_total.as_nanos()).unwrap_or(u64::MAX),
            pause_ns: self.totals.pause_ns,
            pause_end: self.totals.pause_end,
            num_gc: self.totals.num_gc,
            num_forced_gc: self.totals.num_forced_gc,
            gc_cpu_fraction: if total_cpu > 0.0 {
                gc_cpu / total_cpu
            } else {
                0.0
            },
            enable_gc: true,
        }
    }
}
