//! `allgs`: the registry of live goroutines behind goroutine dumps, leak
//! reports and deadlock detection (`runtime/proc.go: allgadd, forEachG`,
//! Go 1.27).
//!
//! Go appends every G to one slice under `allglock` and never removes it
//! (dead Gs are reused from free lists). Here a dead G is removed, so the
//! registry is a set of slabs: each shard is a `Vec` of slots plus a free
//! list, a G remembers its slot, and insert and remove are O(1) with no
//! hashing. Shards are picked by goroutine id, so a spawner and the M that
//! retires an older goroutine rarely contend for the same lock.
//!
//! The registry is generic over what it holds ([`Registered`]: the
//! scheduler registers `G`s), so it sits below the G.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const SHARDS: usize = 16;

/// What the registry needs of a goroutine: its id, and a place to keep
/// its slot.
pub(crate) trait Registered {
    fn id(&self) -> u64;
    fn reg_slot(&self) -> &AtomicU32;
}

struct Shard<G> {
    slots: Vec<Option<Arc<G>>>,
    free: Vec<u32>,
}

/// The registry.
pub(crate) struct AllGs<G> {
    shards: Box<[Mutex<Shard<G>>]>,
}

impl<G> std::fmt::Debug for AllGs<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllGs").finish_non_exhaustive()
    }
}

impl<G: Registered> AllGs<G> {
    pub(crate) fn new() -> AllGs<G> {
        AllGs {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        slots: Vec::new(),
                        free: Vec::new(),
                    })
                })
                .collect(),
        }
    }

    fn shard(&self, id: u64) -> MutexGuard<'_, Shard<G>> {
        self.shards[(id as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// `allgadd`.
    pub(crate) fn add(&self, g: &Arc<G>) {
        let mut s = self.shard(g.id());
        let slot = match s.free.pop() {
            Some(i) => {
                s.slots[i as usize] = Some(Arc::clone(g));
                i
            }
            None => {
                s.slots.push(Some(Arc::clone(g)));
                u32::try_from(s.slots.len() - 1).expect("under 2^32 goroutines per shard")
            }
        };
        g.reg_slot().store(slot, Ordering::Relaxed);
    }

    /// Removes a dead G (a no-op if the registry was emptied at shutdown).
    pub(crate) fn remove(&self, g: &G) {
        let slot = g.reg_slot().load(Ordering::Relaxed);
        let mut s = self.shard(g.id());
        let ours = s
            .slots
            .get(slot as usize)
            .and_then(Option::as_ref)
            .is_some_and(|t| std::ptr::eq(Arc::as_ptr(t), g));
        if !ours {
            return;
        }
        let taken = s.slots[slot as usize].take();
        s.free.push(slot);
        drop(s);
        drop(taken);
    }

    /// Every registered G, by id.
    pub(crate) fn snapshot(&self) -> Vec<Arc<G>> {
        let mut out = Vec::new();
        for s in &self.shards[..] {
            let s = s.lock().unwrap_or_else(|e| e.into_inner());
            out.extend(s.slots.iter().flatten().cloned());
        }
        out.sort_by_key(|g| g.id());
        out
    }

    /// Empties the registry (runtime shutdown), returning what it held.
    pub(crate) fn take_all(&self) -> Vec<Arc<G>> {
        let mut out = Vec::new();
        for s in &self.shards[..] {
            let mut s = s.lock().unwrap_or_else(|e| e.into_inner());
            out.extend(s.slots.drain(..).flatten());
            s.free.clear();
        }
        out
    }
}
