//! Where a goroutine's G comes from and goes back to: free lists of dead
//! Gs with their stacks, one per P and one global, and per-P batches of
//! goroutine ids (`runtime/proc.go: newproc1, gfget, gfput, gdestroy`,
//! `goidcache`; Go 1.27).
//!
//! A dead G keeps its stack and goes to its P's free list; the next spawn
//! on that P takes it back, so a steady spawn/exit loop allocates nothing
//! and takes no lock another M takes. A P's list that reaches 64 Gs
//! moves Gs to the global list until 32 remain; an empty one refills up to
//! 32 from the global list first: Go's batches, so a P that only spawns
//! and one that only retires goroutines trade Gs 32 at a time. Only when
//! every list is empty is a G made (`malg`) and registered in `allgs`.
//!
//! A dead G's stack keeps the pages its goroutine touched. The scavenger
//! (sysmon: Go's background scavenger, off the exit path) starts a pass
//! every [`SCAVENGE_PERIOD_NS`] over the Gs that rested on the global list
//! for that whole period (below its low-water mark), keeping
//! [`SCAVENGE_KEEP`] at the top, and gives their pages back a batch per
//! sysmon tick, one `madvise` per run of neighbouring stacks: after a
//! burst the memory follows the live goroutines down within a second or
//! two, while a spawn/exit loop, which trades the top of the list, keeps
//! its stacks warm (Go, too, keeps freed stacks for reuse and returns
//! memory to the OS only slowly).
//!
//! Goroutine ids come from a per-P cache refilled 16 at a time from the
//! global counter (Go's `goidcache`), so ids stay unique, and increase per
//! P, without an atomic every M writes on every spawn.

use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard};

use crate::current::with_m;
use crate::g::{G, Spawn};
use crate::p::{P_RUNNING, PLocal, bump64};
use crate::report;
use crate::sched::Sched;
use crate::stack;
use crate::status::GStatus;

/// A P's free list flushes down to this many Gs, and refills up to it.
const GFREE_BATCH: usize = 32;
/// A P's free list holding this many flushes to the global list.
const GFREE_MAX: usize = 64;
/// Goroutine ids a P takes from the global counter at once (`_GoidCacheBatch`).
const GOID_BATCH: u64 = 16;
/// Dead Gs at the top of the global list whose stacks the scavenger leaves
/// committed: the next refills' worth.
const SCAVENGE_KEEP: usize = 1024;
/// How long a G must rest on the global list before its stack's pages go.
pub(crate) const SCAVENGE_PERIOD_NS: u64 = 1_000_000_000;
/// Gs whose stacks one sysmon tick releases at most (a few ms of
/// `madvise`, so sysmon stays prompt).
const SCAVENGE_BATCH: usize = 16 * 1024;

impl Sched {
    /// The P the calling thread runs goroutines of this runtime on, if any.
    fn current_p(&self) -> Option<usize> {
        with_m(|ctx| {
            let p = ctx.p.get();
            (std::ptr::eq(Arc::as_ptr(&ctx.sched), self)
                && p != crate::p::NO_P
                && self.ps[p].status.load(Ordering::Acquire) == P_RUNNING)
                .then_some(p)
        })
        .flatten()
    }

    fn local(&self, p: usize) -> MutexGuard<'_, PLocal> {
        self.ps[p].local.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `newproc1`: a runnable G for `body`, reused from a free list when
    /// one has a G, with the body moved onto its stack.
    pub(crate) fn new_g<F: FnOnce() + Send + 'static>(
        self: &Arc<Self>,
        spawn: Spawn,
        body: F,
    ) -> Arc<G> {
        let p = self.current_p();
        let (id, reused) = match p {
            Some(p) => {
                let mut local = self.local(p);
                if local.goid_next == local.goid_end {
                    let start = self.next_gid.fetch_add(GOID_BATCH, Ordering::Relaxed);
                    (local.goid_next, local.goid_end) = (start, start + GOID_BATCH);
                }
                let id = local.goid_next;
                local.goid_next += 1;
                (id, self.gfget(&mut local))
            }
            None => (
                self.next_gid.fetch_add(1, Ordering::Relaxed),
                self.gfget_global(),
            ),
        };
        let (g, st) = match reused {
            Some(g) => {
                g.reuse(id, spawn);
                // SAFETY: a G off a free list is ours alone.
                let st = unsafe { g.take_spare_stack() };
                (g, st)
            }
            None => {
                let g = Arc::new(G::new(id, spawn, Arc::clone(self)));
                self.allgs.add(&g);
                (g, None)
            }
        };
        let st = match st {
            Some(st) => st,
            None => stack::alloc(self.cfg.stack_size).unwrap_or_else(|e| {
                report::fatal(&format!("runtime: cannot allocate goroutine stack: {e}"))
            }),
        };
        // SAFETY: the G is ours until it is published (returned to the
        // caller, who queues it), and has no coroutine: new, or dead.
        unsafe { g.start(st, move |y| crate::panic::goroutine_entry(y, body)) };
        match p {
            Some(p) => bump64(&self.ps[p].spawned),
            None => {
                self.spawned_off_p.fetch_add(1, Ordering::Relaxed);
            }
        }
        tracing::trace!(goroutine = id, parent = spawn.parent, spawned_at = %spawn.at, "spawn");
        g
    }

    /// `goexit0` + `gdestroy`: the G's goroutine returned; the G, with its
    /// stack, goes to the free list of the P `p` the M holds.
    pub(crate) fn g_dead(&self, p: Option<usize>, g: Arc<G>) {
        g.set_status(GStatus::Dead);
        // SAFETY: the caller, the M that ran the G, owns it.
        unsafe { g.finish() };
        match p {
            Some(p) => {
                bump64(&self.ps[p].exited);
                let mut local = self.local(p);
                self.gfput(&mut local, g);
            }
            None => {
                self.exited_off_p.fetch_add(1, Ordering::Relaxed);
                self.gfput_global(vec![g]);
            }
        }
    }

    /// `gfget`: a dead G from P's list, refilled from the global list
    /// first when empty.
    fn gfget(&self, local: &mut PLocal) -> Option<Arc<G>> {
        if local.gfree.is_empty() && self.gfree_len.load(Ordering::Relaxed) > 0 {
            let mut global = self.gfree.lock().unwrap_or_else(|e| e.into_inner());
            local.gfree.extend(global.take(GFREE_BATCH));
            self.gfree_len.store(global.len(), Ordering::Relaxed);
        }
        local.gfree.pop()
    }

    /// `gfget` off any P: straight from the global list.
    fn gfget_global(&self) -> Option<Arc<G>> {
        if self.gfree_len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut global = self.gfree.lock().unwrap_or_else(|e| e.into_inner());
        let g = global.take(1).next();
        self.gfree_len.store(global.len(), Ordering::Relaxed);
        g
    }

    /// `gfput`: onto P's list; a full list moves half to the global one.
    fn gfput(&self, local: &mut PLocal, g: Arc<G>) {
        if self.shutdown.load(Ordering::Acquire) {
            return; // dropped: see `gfpurge`
        }
        local.gfree.push(g);
        if local.gfree.len() >= GFREE_MAX {
            let batch: Vec<_> = local.gfree.drain(..GFREE_MAX - GFREE_BATCH).collect();
            self.gfput_global(batch);
        }
    }

    fn gfput_global(&self, gs: Vec<Arc<G>>) {
        let mut global = self.gfree.lock().unwrap_or_else(|e| e.into_inner());
        if self.shutdown.load(Ordering::Acquire) {
            return;
        }
        global.put(gs);
        self.gfree_len.store(global.len(), Ordering::Relaxed);
    }

    /// The scavenger (sysmon, every tick; `new_pass` every
    /// [`SCAVENGE_PERIOD_NS`]): releases the stack pages of up to
    /// [`SCAVENGE_BATCH`] Gs of the current pass, those that rested on the
    /// global list for the whole period before it started, below its top
    /// [`SCAVENGE_KEEP`]. The batch leaves the list while its `madvise`s
    /// run, so spawners never wait on them. Returns how many stacks gave
    /// pages back.
    pub(crate) fn scavenge(&self, new_pass: bool) -> usize {
        let batch = {
            let mut global = self.gfree.lock().unwrap_or_else(|e| e.into_inner());
            if new_pass {
                global.new_pass();
            }
            let batch = global.take_to_scavenge(SCAVENGE_KEEP, SCAVENGE_BATCH);
            if batch.is_empty() {
                return 0;
            }
            self.gfree_len.store(global.len(), Ordering::Relaxed);
            batch
        };
        // SAFETY: Gs off the free list are ours alone (the references go
        // before the Gs go back).
        let stacks = batch
            .iter()
            .filter_map(|g| unsafe { g.spare_stack_mut() })
            .collect();
        let released = stack::release(stacks);
        self.counters
            .stacks_scavenged
            .fetch_add(released as u64, Ordering::Relaxed);
        let mut global = self.gfree.lock().unwrap_or_else(|e| e.into_inner());
        if self.shutdown.load(Ordering::Acquire) {
            return released;
        }
        global.put_back_clean(batch);
        self.gfree_len.store(global.len(), Ordering::Relaxed);
        released
    }

    /// At shutdown, after `shutdown` is set: empties every free list (a
    /// dead G holds its runtime, so one left there would keep it alive),
    /// the stacks beyond those the pool keeps committed giving their pages
    /// back first ([`stack::release_surplus`]).
    /// A `gfput` that comes later sees `shutdown` under the same lock
    /// and drops its G instead.
    pub(crate) fn gfpurge(&self) -> Vec<Arc<G>> {
        let mut out = self
            .gfree
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take_all();
        self.gfree_len.store(0, Ordering::Relaxed);
        for p in 0..self.ps.len() {
            out.append(&mut self.local(p).gfree);
        }
        // The stacks' pages in one pass, before the Gs drop one by one.
        // SAFETY: the purged Gs are off every free list, so ours alone (as
        // in `scavenge`); the references go before the Gs do.
        let spare = out.iter().filter_map(|g| unsafe { g.spare_stack_mut() });
        stack::release_surplus(spare.collect());
        out
    }

    /// Live goroutines (Go's `gcount`): spawned less exited, over all Ps.
    /// Exact whenever no spawn or exit is under way.
    pub(crate) fn gcount(&self) -> usize {
        let (mut spawned, mut exited) = (
            self.spawned_off_p.load(Ordering::Acquire),
            self.exited_off_p.load(Ordering::Acquire),
        );
        for p in &self.ps[..] {
            spawned += p.spawned.load(Ordering::Acquire);
            exited += p.exited.load(Ordering::Acquire);
        }
        usize::try_from(spawned.saturating_sub(exited)).unwrap_or(usize::MAX)
    }

    /// Goroutines spawned so far.
    pub(crate) fn spawned(&self) -> u64 {
        self.spawned_off_p.load(Ordering::Relaxed)
            + self
                .ps
                .iter()
                .map(|p| p.spawned.load(Ordering::Relaxed))
                .sum::<u64>()
    }

    /// Gs made so far (`allglen`): how many goroutines were ever alive at
    /// once, give or take the Gs resting on other Ps' free lists.
    pub(crate) fn gs_made(&self) -> usize {
        self.allgs.len()
    }
}
