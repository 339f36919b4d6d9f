//! Write barriers: the code every pointer store runs while the collector
//! marks, and the per-P buffer it writes to (`runtime/mbarrier.go`,
//! `runtime/mwbbuf.go`, Go 1.27).
//!
//! A barrier is chosen per heap ([`Barrier`]). Each choice comes with the
//! stack protocol it needs, because Go never barriers stack writes:
//!
//! | barrier | on `*slot = ptr` while marking | stacks | new objects |
//! |---|---|---|---|
//! | `None` | nothing | scanned one at a time, once | black |
//! | `Dijkstra` (Go 1.5–1.7) | shade `ptr` | scanned once, then **all re-scanned in mark termination** (STW) | white |
//! | `Yuasa` | shade `*slot` | **all scanned in sweep termination** (STW snapshot) | black |
//! | `Hybrid` (proposal 17503) | shade `*slot`; shade `ptr` if the writer's stack is grey | scanned one at a time, once | black |
//! | `HybridGo` (Go 1.8–1.27) | shade `*slot` and `ptr` | scanned one at a time, once | black |
//!
//! Two deliberately broken protocols show why the stack rules are there:
//! `DijkstraNoRescan` (Dijkstra without its re-scan) and `YuasaNoSnapshot`
//! (Yuasa with stacks scanned one at a time — also the hybrid barrier
//! without its insertion half). The schedule explorer finds lost objects
//! under both.
//!
//! "Shade" puts the pointer in the write barrier buffer (`wbBuf`); the
//! buffer is flushed — its pointers greyed — when full and before mark
//! termination (`wbBufFlush1`). Until then a buffered pointer counts as
//! grey for the invariant checkers, as it does in Go's proofs.

use std::fmt;
use std::str::FromStr;

use crate::handle::Ptr;
use crate::heap::Heap;
use crate::roots::Mutator;

/// Which write barrier a heap runs while marking, and the stack protocol
/// that goes with it (see the module table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Barrier {
    /// No barrier: loses objects when the mutator hides a pointer (the
    /// notes' figures of 8.2, "no STW").
    None,
    /// Dijkstra's insertion barrier: shade the new pointee. Stack writes are
    /// unbarriered, so mark termination re-scans every stack with the world
    /// stopped — Go 1.5 to 1.7, and the pause proposal 17503 removed.
    Dijkstra,
    /// Yuasa's deletion barrier: shade the old pointee. Every stack is
    /// scanned in sweep termination (a snapshot at the beginning); objects
    /// unlinked during the cycle survive it (floating garbage).
    Yuasa,
    /// The hybrid barrier as proposal 17503 states it: shade the old
    /// pointee, and the new one while the writing goroutine's stack is still
    /// grey. No stack re-scan.
    Hybrid,
    /// The hybrid barrier as Go's compiler emits it since Go 1.8 and still
    /// in Go 1.27 (`gcWriteBarrier` + `wbBuf`): shade both, unconditionally,
    /// while marking — tracking the stack's colour costs more than the extra
    /// shading. No stack re-scan.
    HybridGo,
    /// Broken on purpose: Dijkstra's barrier without the mark-termination
    /// stack re-scan.
    DijkstraNoRescan,
    /// Broken on purpose: Yuasa's barrier with stacks scanned one at a time
    /// during mark instead of all at the start (equally: the hybrid barrier
    /// without its insertion half).
    YuasaNoSnapshot,
}

/// The tri-color invariant a barrier maintains while marking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Invariant {
    /// No black object points to a white object (强三色不变式).
    Strong,
    /// Every white object pointed to by a black object is reachable from a
    /// grey object through white objects (弱三色不变式).
    Weak,
}

impl Barrier {
    /// The barriers that never lose an object.
    pub const SOUND: [Barrier; 4] = [
        Barrier::Dijkstra,
        Barrier::Yuasa,
        Barrier::Hybrid,
        Barrier::HybridGo,
    ];

    /// Every variant, sound or not.
    pub const ALL: [Barrier; 7] = [
        Barrier::None,
        Barrier::Dijkstra,
        Barrier::Yuasa,
        Barrier::Hybrid,
        Barrier::HybridGo,
        Barrier::DijkstraNoRescan,
        Barrier::YuasaNoSnapshot,
    ];

    /// The name `cargo xtask gc-explore --barrier` takes.
    pub fn name(self) -> &'static str {
        match self {
            Barrier::None => "none",
            Barrier::Dijkstra => "dijkstra",
            Barrier::Yuasa => "yuasa",
            Barrier::Hybrid => "hybrid",
            Barrier::HybridGo => "hybrid-go",
            Barrier::DijkstraNoRescan => "dijkstra-no-rescan",
            Barrier::YuasaNoSnapshot => "yuasa-no-snapshot",
        }
    }

    /// Whether this barrier and its stack protocol never lose an object.
    pub fn is_sound(self) -> bool {
        Barrier::SOUND.contains(&self)
    }

    /// The invariant the barrier maintains, which the checkers hold it to;
    /// `None` for [`Barrier::None`], which maintains nothing. The broken
    /// variants keep their parent's invariant — on the heap — and still
    /// lose objects through the stacks.
    pub fn invariant(self) -> Option<Invariant> {
        match self {
            Barrier::None => None,
            Barrier::Dijkstra | Barrier::DijkstraNoRescan => Some(Invariant::Strong),
            Barrier::Yuasa | Barrier::Hybrid | Barrier::HybridGo | Barrier::YuasaNoSnapshot => {
                Some(Invariant::Weak)
            }
        }
    }

    /// Mark termination re-scans every stack with the world stopped.
    pub fn rescans_stacks(self) -> bool {
        self == Barrier::Dijkstra
    }

    /// Sweep termination scans every stack with the world stopped.
    pub fn snapshots_stacks(self) -> bool {
        self == Barrier::Yuasa
    }

    /// Objects allocated while marking are black. Dijkstra's collector can
    /// allocate white: its insertion barrier shades a new object stored in
    /// the heap and its re-scan finds one kept on a stack. The deletion
    /// barriers need black: a new object is in no snapshot.
    pub fn allocates_black(self) -> bool {
        !matches!(self, Barrier::Dijkstra | Barrier::DijkstraNoRescan)
    }

    /// Shades the old pointee (`shade(*slot)`).
    fn shades_old(self) -> bool {
        matches!(
            self,
            Barrier::Yuasa | Barrier::Hybrid | Barrier::HybridGo | Barrier::YuasaNoSnapshot
        )
    }

    /// Shades the new pointee (`shade(ptr)`), given whether the writer's
    /// stack is still grey.
    fn shades_new(self, stack_is_grey: bool) -> bool {
        match self {
            Barrier::Dijkstra | Barrier::DijkstraNoRescan | Barrier::HybridGo => true,
            Barrier::Hybrid => stack_is_grey,
            Barrier::None | Barrier::Yuasa | Barrier::YuasaNoSnapshot => false,
        }
    }
}

impl fmt::Display for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A barrier name that is not one of [`Barrier::ALL`]'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseBarrierError(pub String);

impl fmt::Display for ParseBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown barrier `{}` (barriers:", self.0)?;
        for b in Barrier::ALL {
            write!(f, " {b}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for ParseBarrierError {}

impl FromStr for Barrier {
    type Err = ParseBarrierError;
    fn from_str(s: &str) -> Result<Barrier, ParseBarrierError> {
        Barrier::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| ParseBarrierError(s.to_owned()))
    }
}

/// `wbBufEntries`: Go's per-P write barrier buffer holds 512 pointers.
pub const WB_BUF_ENTRIES: usize = 512;

/// The write barrier buffer (`wbBuf`): pointers the barrier has seen and
/// the collector has not yet greyed. Go keeps one per P; the model runs its
/// mutators on one P, so a heap has one.
#[derive(Debug)]
pub(crate) struct WriteBarrierBuffer {
    entries: Vec<Ptr>,
    capacity: usize,
}

impl WriteBarrierBuffer {
    pub(crate) fn new(capacity: usize) -> WriteBarrierBuffer {
        assert!(capacity > 0, "gogc: a write barrier buffer needs room");
        WriteBarrierBuffer {
            entries: Vec::with_capacity(capacity),
            capacity,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.entries.len() == self.capacity
    }

    pub(crate) fn push(&mut self, ptr: Ptr) {
        self.entries.push(ptr);
    }

    pub(crate) fn entries(&self) -> &[Ptr] {
        &self.entries
    }

    /// Empties the buffer into `into` (which must be empty), keeping both
    /// allocations: the flush hands the old one back.
    pub(crate) fn swap(&mut self, into: &mut Vec<Ptr>) {
        debug_assert!(into.is_empty());
        std::mem::swap(&mut self.entries, into);
    }
}

impl Heap {
    /// The write barrier on `*slot = new` by mutator `m`, where the slot
    /// held `old`: one predictable branch while the collector is not
    /// marking.
    #[inline]
    pub(crate) fn write_barrier(&mut self, m: Mutator, old: Option<Ptr>, new: Option<Ptr>) {
        if self.gc.marking {
            self.write_barrier_marking(m, old, new);
        }
    }

    /// `gcWriteBarrier` while marking: queue the pointers this barrier
    /// shades. Nil pointers are dropped here rather than at flush time.
    pub(crate) fn write_barrier_marking(&mut self, m: Mutator, old: Option<Ptr>, new: Option<Ptr>) {
        let barrier = self.gc.barrier;
        if barrier.shades_old() {
            if let Some(old) = old {
                self.wb_buf_put(old);
            }
        }
        if let Some(new) = new {
            if barrier.shades_new(!self.stack_is_scanned(m)) {
                self.wb_buf_put(new);
            }
        }
    }

    fn wb_buf_put(&mut self, ptr: Ptr) {
        if self.gc.wb_buf.is_full() {
            self.wb_buf_flush();
            self.publish_greys();
        }
        self.gc.wb_buf.push(ptr);
    }

    /// `wbBufFlush1`: grey every buffered pointer; returns how many were
    /// newly greyed.
    pub(crate) fn wb_buf_flush(&mut self) -> usize {
        let mut entries = std::mem::take(&mut self.gc.wb_buf_spare);
        self.gc.wb_buf.swap(&mut entries);
        self.gc.stats.wb_buf_flushes += 1;
        tracing::trace!(
            target: "gogc::barrier",
            cycle = self.gc.cycle,
            entries = entries.len(),
            "wbBufFlush"
        );
        let greyed = entries.iter().filter(|&&p| self.shade(p)).count();
        entries.clear();
        self.gc.wb_buf_spare = entries;
        greyed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in Barrier::ALL {
            assert_eq!(b.name().parse::<Barrier>(), Ok(b));
        }
        let err = "steele".parse::<Barrier>().unwrap_err().to_string();
        assert!(err.starts_with("unknown barrier `steele` (barriers: none dijkstra"));
    }

    #[test]
    fn the_hybrid_shades_the_new_pointee_only_from_grey_stacks() {
        assert!(Barrier::Hybrid.shades_new(true));
        assert!(!Barrier::Hybrid.shades_new(false));
        assert!(Barrier::HybridGo.shades_new(false));
        assert!(Barrier::Hybrid.shades_old() && Barrier::HybridGo.shades_old());
        assert!(!Barrier::Dijkstra.shades_old() && !Barrier::Yuasa.shades_new(true));
    }
}
