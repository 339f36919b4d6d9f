//! P: a processor, the right to run goroutines, with its local run queue
//! and what sysmon watches on it (`runtime/runtime2.go: p, sysmontick`,
//! Go 1.27).

use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::g::G;
use crate::runq::RunQueue;

/// What only the P's owner uses on every spawn and exit (`gfree.rs`):
/// behind a lock nobody else takes but at shutdown, so it costs an
/// uncontended lock, never a cache line another M writes.
#[derive(Debug, Default)]
pub(crate) struct PLocal {
    /// Dead Gs with their stacks (`p.gFree`).
    pub(crate) gfree: Vec<Arc<G>>,
    /// The P's next goroutine id and the end of its batch (`goidcache`).
    pub(crate) goid_next: u64,
    pub(crate) goid_end: u64,
}

/// "No P" where a P index is kept (`m.p == nil`).
pub(crate) const NO_P: usize = usize::MAX;

/// P status (`_Pidle`, `_Prunning`, and Go ≤ 1.25's `_Psyscall`; Go 1.26+
/// leaves the P `_Prunning` and reads the G's status instead — same effect).
pub(crate) const P_IDLE: u8 = 0;
pub(crate) const P_RUNNING: u8 = 1;
pub(crate) const P_SYSCALL: u8 = 2;

/// A processor: the right to run goroutines, with its local run queue.
///
/// Aligned to 128 bytes (two cache lines, the unit the adjacent-line
/// prefetcher moves) so the fields one M writes on every schedule never
/// share a line with the next P's, which another M writes.
#[repr(align(128))]
pub(crate) struct P {
    pub(crate) id: usize,
    pub(crate) runq: RunQueue<G>,
    pub(crate) status: AtomicU8,
    /// Incremented on every schedule that does not inherit a time slice.
    pub(crate) schedtick: AtomicU32,
    /// Incremented on every `syscall` entry.
    pub(crate) syscalltick: AtomicU32,
    /// Id of the M that holds the P (0: none).
    pub(crate) m: AtomicU64,
    /// Id of the goroutine running on it (0: none).
    pub(crate) curg: AtomicU64,
    /// Where that goroutine was spawned (null: none); always a
    /// `&'static Location`, for sysmon's long-runner warning.
    pub(crate) curg_site: AtomicPtr<Location<'static>>,
    /// sysmon's last observation (`p.sysmontick`).
    pub(crate) sysmon: Mutex<SysmonTick>,
    /// Resumptions of goroutines on this P (tells a goroutine that runs on
    /// from a chain of hand-offs sharing one time slice).
    pub(crate) runs: AtomicU64,
    /// Pulls from the global queue into this P.
    pub(crate) global_pulls: AtomicU64,
    /// Parks committed by goroutines that ran on this P (per P, like
    /// `global_pulls`: a runtime-wide counter bumped on every park is a
    /// cache line every M writes).
    pub(crate) parks: AtomicU64,
    /// Goroutines spawned and exited on this P (their difference, summed
    /// over Ps, is `gcount`).
    pub(crate) spawned: AtomicU64,
    pub(crate) exited: AtomicU64,
    /// Free Gs and goroutine ids (`gfree.rs`).
    pub(crate) local: Mutex<PLocal>,
    /// Set by sysmon when one time slice ran over 10 ms (`preemptone`);
    /// honoured at the P's next schedule point.
    pub(crate) preempt: AtomicBool,
}

/// `sysmontick`: what sysmon last saw on a P.
#[derive(Debug, Default)]
pub(crate) struct SysmonTick {
    pub(crate) schedtick: u32,
    pub(crate) schedwhen: u64,
    pub(crate) runs: u64,
    pub(crate) syscalltick: u32,
    pub(crate) syscallwhen: u64,
    pub(crate) warned_tick: Option<u32>,
}

impl std::fmt::Debug for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P")
            .field("id", &self.id)
            .field("status", &self.status.load(Ordering::Relaxed))
            .field("runq", &self.runq)
            .finish_non_exhaustive()
    }
}

impl P {
    pub(crate) fn new(id: usize) -> P {
        P {
            id,
            runq: RunQueue::new(),
            status: AtomicU8::new(P_IDLE),
            schedtick: AtomicU32::new(0),
            syscalltick: AtomicU32::new(0),
            m: AtomicU64::new(0),
            curg: AtomicU64::new(0),
            curg_site: AtomicPtr::new(std::ptr::null_mut()),
            sysmon: Mutex::new(SysmonTick::default()),
            preempt: AtomicBool::new(false),
            runs: AtomicU64::new(0),
            global_pulls: AtomicU64::new(0),
            parks: AtomicU64::new(0),
            spawned: AtomicU64::new(0),
            exited: AtomicU64::new(0),
            local: Mutex::new(PLocal::default()),
        }
    }
}

/// `x += 1` on a counter only the P's owner writes: no locked RMW needed.
#[inline]
pub(crate) fn bump(x: &AtomicU32) {
    x.store(x.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
}

/// [`bump`] for a 64-bit counter.
#[inline]
pub(crate) fn bump64(x: &AtomicU64) {
    x.store(x.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
}
