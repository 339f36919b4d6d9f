//! A P's local run queue: 256 slots plus `runnext` (`runtime/proc.go:
//! runqput, runqputslow, runqget, runqgrab, runqsteal`, Go 1.27).
//!
//! Single producer (the M that owns the P), many consumers (the owner and
//! thieves). The owner writes a slot and then publishes it by storing
//! `tail` (Release); anybody takes slots by advancing `head` with a CAS, so
//! a slot is owned by exactly the consumer whose CAS moved `head` over it.
//! A thief reads slots *before* its CAS; if the owner reused a slot in the
//! meantime, `head` must have moved past it, so the CAS fails and the stale
//! read is discarded — Go's argument, unchanged. Slots are `AtomicPtr`s, so
//! those racing reads are not data races in Rust's model either.
//!
//! A queued G is an `Arc<G>` turned into a raw pointer; whoever takes it out
//! turns it back exactly once. The queue is generic over what it holds (the
//! scheduler queues `G`s), so its tests and models queue plain values.

use std::marker::PhantomData;
use std::ptr;
use std::sync::Arc;

use crate::sync::{AtomicPtr, AtomicU32, Ordering};

/// Local run queue capacity (Go: `len(p.runq)`).
#[cfg(not(loom))]
pub(crate) const RUNQ_SIZE: u32 = 256;
/// Under loom, four slots: enough to fill, overflow and steal half of in
/// a model small enough to explore whole (tokio shrinks its queue so).
#[cfg(loom)]
pub(crate) const RUNQ_SIZE: u32 = 4;

pub(crate) struct RunQueue<G> {
    head: AtomicU32,
    tail: AtomicU32,
    slots: [AtomicPtr<G>; RUNQ_SIZE as usize],
    runnext: AtomicPtr<G>,
    /// The queue owns the `Arc<G>`s behind its pointers, so it is `Send`
    /// and `Sync` exactly when `Arc<G>` is.
    _owns: PhantomData<Arc<G>>,
}

impl<G> std::fmt::Debug for RunQueue<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunQueue")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

fn into_raw<G>(g: Arc<G>) -> *mut G {
    Arc::into_raw(g).cast_mut()
}

/// # Safety
/// `p` came from `into_raw` and the caller took sole ownership of it.
unsafe fn from_raw<G>(p: *mut G) -> Arc<G> {
    // SAFETY: the caller's contract.
    unsafe { Arc::from_raw(p) }
}

impl<G> RunQueue<G> {
    pub(crate) fn new() -> RunQueue<G> {
        RunQueue {
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            slots: std::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
            runnext: AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// Goroutines queued, counting `runnext` (approximate under races).
    pub(crate) fn len(&self) -> u32 {
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Acquire);
        t.wrapping_sub(h).min(RUNQ_SIZE)
            + u32::from(!self.runnext.load(Ordering::Acquire).is_null())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `runqput`: owner only. With `next`, `g` goes to `runnext` and kicks
    /// the previous `runnext` to the tail. Returns a batch for the global
    /// queue when the local queue overflowed (half of it plus the new G).
    pub(crate) fn put(&self, g: Arc<G>, next: bool) -> Option<Vec<Arc<G>>> {
        let mut gp = into_raw(g);
        if next {
            let old = self.runnext.swap(gp, Ordering::AcqRel);
            if old.is_null() {
                return None;
            }
            gp = old;
        }
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Relaxed);
            if t.wrapping_sub(h) < RUNQ_SIZE {
                self.slots[(t % RUNQ_SIZE) as usize].store(gp, Ordering::Relaxed);
                self.tail.store(t.wrapping_add(1), Ordering::Release);
                return None;
            }
            if let Some(batch) = self.put_slow(gp, h, t) {
                return Some(batch);
            }
            // The queue is no longer full: a thief took some. Retry.
        }
    }

    /// `runqputslow`: moves half the full queue plus `gp` out, for the
    /// global queue.
    fn put_slow(&self, gp: *mut G, h: u32, t: u32) -> Option<Vec<Arc<G>>> {
        let n = t.wrapping_sub(h) / 2;
        debug_assert_eq!(n, RUNQ_SIZE / 2, "queue is not full");
        let mut taken = Vec::with_capacity(n as usize + 1);
        for i in 0..n {
            taken
                .push(self.slots[(h.wrapping_add(i) % RUNQ_SIZE) as usize].load(Ordering::Relaxed));
        }
        if self
            .head
            .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        taken.push(gp);
        // SAFETY: our CAS moved `head` over these slots, so we own them;
        // `gp` was ours already.
        Some(taken.into_iter().map(|p| unsafe { from_raw(p) }).collect())
    }

    /// Takes only `runnext` (owner only).
    pub(crate) fn get_runnext(&self) -> Option<Arc<G>> {
        let next = self.runnext.swap(ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: the swap took `runnext` out; we own it.
        (!next.is_null()).then(|| unsafe { from_raw(next) })
    }

    /// `runqget`: owner only. `runnext` first; the bool says whether the G
    /// inherits the current time slice (it came from `runnext`).
    pub(crate) fn get(&self) -> Option<(Arc<G>, bool)> {
        let next = self.runnext.swap(ptr::null_mut(), Ordering::AcqRel);
        if !next.is_null() {
            // SAFETY: the swap took `runnext` out; we own it.
            return Some((unsafe { from_raw(next) }, true));
        }
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Relaxed);
            if t == h {
                return None;
            }
            let gp = self.slots[(h % RUNQ_SIZE) as usize].load(Ordering::Relaxed);
            if self
                .head
                .compare_exchange(h, h.wrapping_add(1), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                // SAFETY: our CAS moved `head` over the slot; we own it.
                return Some((unsafe { from_raw(gp) }, false));
            }
        }
    }

    /// `runqgrab`: a thief takes half of the queue (rounded up). With
    /// `steal_runnext` and an empty queue it takes `runnext` instead.
    pub(crate) fn grab(&self, steal_runnext: bool) -> Vec<Arc<G>> {
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Acquire);
            let n = t.wrapping_sub(h);
            let n = n - n / 2;
            if n == 0 {
                if steal_runnext {
                    let next = self.runnext.load(Ordering::Acquire);
                    if !next.is_null() && self.take_runnext(next) {
                        // SAFETY: our CAS took `runnext`; we own it.
                        return vec![unsafe { from_raw(next) }];
                    }
                }
                return Vec::new();
            }
            if n > RUNQ_SIZE / 2 {
                continue; // read an inconsistent h and t
            }
            let mut taken = Vec::with_capacity(n as usize);
            for i in 0..n {
                taken.push(
                    self.slots[(h.wrapping_add(i) % RUNQ_SIZE) as usize].load(Ordering::Relaxed),
                );
            }
            #[cfg(not(loom_planted_bug = "grab_store"))]
            let claimed = self
                .head
                .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok();
            // A store where the CAS is needed: the thief takes slots that
            // the owner or another thief took meanwhile (kept for the loom
            // models below, `--cfg 'loom_planted_bug="grab_store"'`).
            #[cfg(loom_planted_bug = "grab_store")]
            let claimed = {
                self.head.store(h.wrapping_add(n), Ordering::Release);
                true
            };
            if claimed {
                // SAFETY: our CAS moved `head` over these slots; we own them.
                return taken.into_iter().map(|p| unsafe { from_raw(p) }).collect();
            }
        }
    }

    /// A thief's claim on `runnext`, which it read as `next`: true when it
    /// took it (Go's `cas(&pp.runnext, next, 0)` in `runqgrab`).
    fn take_runnext(&self, next: *mut G) -> bool {
        // A store where the CAS is needed: when the owner swapped a new G
        // in since the load, the thief erases it and takes `next`, which
        // the owner kicked to the tail (kept for the loom models below,
        // `--cfg 'loom_planted_bug="steal_next_store"'`).
        if cfg!(loom_planted_bug = "steal_next_store") {
            self.runnext.store(ptr::null_mut(), Ordering::Release);
            return true;
        }
        self.runnext
            .compare_exchange(next, ptr::null_mut(), Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Takes everything (shutdown, or a P going away).
    pub(crate) fn drain(&self) -> Vec<Arc<G>> {
        let mut out = Vec::new();
        while let Some((g, _)) = self.get() {
            out.push(g);
        }
        out
    }
}

impl<G> Drop for RunQueue<G> {
    fn drop(&mut self) {
        drop(self.drain());
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::{RUNQ_SIZE, RunQueue};

    /// A queued goroutine, as far as the queue can tell: its id.
    fn g(id: u64) -> Arc<u64> {
        Arc::new(id)
    }

    #[derive(Clone, Debug)]
    enum Op {
        Put,
        PutNext,
        Get,
        Grab(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => Just(Op::Put),
            2 => Just(Op::PutNext),
            3 => Just(Op::Get),
            1 => any::<bool>().prop_map(Op::Grab),
        ]
    }

    proptest! {
        /// The queue against a model: a FIFO plus a `runnext` slot, half
        /// overflowing to "global" when full, thieves taking the older half.
        #[test]
        fn matches_a_fifo_plus_runnext_model(ops in proptest::collection::vec(op(), 1..1200)) {
            let q = RunQueue::new();
            let mut fifo: VecDeque<u64> = VecDeque::new();
            let mut next: Option<u64> = None;
            let mut global: Vec<u64> = Vec::new();
            let mut id = 0;
            for op in ops {
                match op {
                    Op::Put | Op::PutNext => {
                        id += 1;
                        let is_next = matches!(op, Op::PutNext);
                        let over = q.put(g(id), is_next);
                        let mut pushed = id;
                        if is_next {
                            match next.replace(id) {
                                None => { prop_assert!(over.is_none()); continue; }
                                Some(old) => pushed = old,
                            }
                        }
                        if fifo.len() < RUNQ_SIZE as usize {
                            fifo.push_back(pushed);
                            prop_assert!(over.is_none());
                        } else {
                            let half: Vec<u64> = fifo.drain(..RUNQ_SIZE as usize / 2).chain([pushed]).collect();
                            let got: Vec<u64> = over.expect("overflow").iter().map(|g| **g).collect();
                            prop_assert_eq!(&got, &half);
                            global.extend(half);
                        }
                    }
                    Op::Get => {
                        let got = q.get().map(|(g, inherit)| (*g, inherit));
                        let want = match next.take() {
                            Some(n) => Some((n, true)),
                            None => fifo.pop_front().map(|x| (x, false)),
                        };
                        prop_assert_eq!(got, want);
                    }
                    Op::Grab(steal_next) => {
                        let got: Vec<u64> = q.grab(steal_next).iter().map(|g| **g).collect();
                        let n = fifo.len() - fifo.len() / 2;
                        let want: Vec<u64> = if n == 0 {
                            if steal_next { next.take().into_iter().collect() } else { Vec::new() }
                        } else {
                            fifo.drain(..n).collect()
                        };
                        prop_assert_eq!(got, want);
                    }
                }
                prop_assert_eq!(q.len() as usize, fifo.len() + usize::from(next.is_some()));
            }
            let rest: Vec<u64> = q.drain().iter().map(|g| **g).collect();
            let want: Vec<u64> = next.into_iter().chain(fifo).collect();
            prop_assert_eq!(rest, want);
        }
    }

    /// One owner pushing and popping, two thieves stealing: every G comes
    /// out exactly once.
    #[test]
    fn concurrent_owner_and_thieves_lose_and_duplicate_nothing() {
        let q = Arc::new(RunQueue::new());
        const N: u64 = 50_000;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let (q, stop) = (Arc::clone(&q), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    while !stop.load(std::sync::atomic::Ordering::Acquire) {
                        got.extend(q.grab(true).iter().map(|g| **g));
                    }
                    got
                })
            })
            .collect();
        let mut mine = Vec::new();
        let mut global = Vec::new();
        for id in 1..=N {
            if let Some(over) = q.put(g(id), id % 7 == 0) {
                global.extend(over.iter().map(|g| **g));
            }
            if id % 3 == 0 {
                mine.extend(q.get().map(|(g, _)| *g));
            }
        }
        mine.extend(q.drain().iter().map(|g| **g));
        stop.store(true, std::sync::atomic::Ordering::Release);
        let mut all: Vec<u64> = mine;
        all.extend(global);
        for t in thieves {
            all.extend(t.join().unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (1..=N).collect::<Vec<_>>());
    }
}

/// loom models: every interleaving of the owner against thieves on a
/// four-slot queue (`RUNQ_SIZE` under loom), under the C11 memory model
/// (`RUSTFLAGS="--cfg loom" cargo test --release -p gosched loom_`). Each
/// checks that every G queued comes out exactly once — taken by the owner,
/// stolen, or moved to the global queue — and that none leaks.
///
/// The test keeps its own reference to every G, so a G taken twice (the
/// failure the models look for) is reported, not freed twice.
///
/// Planted bugs, one a build (`--cfg 'loom_planted_bug="…"'`), each making
/// a model fail with a G taken twice:
/// - `grab_store`: `grab` claims its slots with a plain store instead of a
///   CAS on `head`; the owner-`get`, overflow and two-thieves models fail
///   (in the `runnext` model only one party ever takes from the slots).
/// - `steal_next_store`: a thief takes `runnext` with a plain store of
///   null instead of a CAS; `loom_owner_put_next_against_a_thief` fails
///   (the thief takes the `runnext` it read after the owner kicked it to
///   the tail, so it comes out twice, and may erase the owner's new one).
#[cfg(all(test, loom))]
mod loom_models {
    use std::sync::Arc;

    use loom::thread;

    use super::{RUNQ_SIZE, RunQueue};

    type Queue = loom::sync::Arc<RunQueue<u64>>;

    /// Queues ids `ids` (owner side, before any thief runs); returns the
    /// test's own references.
    fn fill(q: &RunQueue<u64>, ids: std::ops::RangeInclusive<u64>) -> Vec<Arc<u64>> {
        ids.map(|id| {
            let g = Arc::new(id);
            assert!(q.put(Arc::clone(&g), false).is_none());
            g
        })
        .collect()
    }

    fn spawn_thief(q: &Queue, steal_runnext: bool) -> thread::JoinHandle<Vec<Arc<u64>>> {
        let q = loom::sync::Arc::clone(q);
        thread::spawn(move || q.grab(steal_runnext))
    }

    /// Every G of `ours` came out exactly once in `out` (and the queue is
    /// empty); then nothing but the test holds a G.
    fn check_exactly_once(q: &RunQueue<u64>, ours: &[Arc<u64>], mut out: Vec<Arc<u64>>) {
        out.extend(q.drain());
        let mut ids: Vec<u64> = out.iter().map(|g| **g).collect();
        ids.sort_unstable();
        let want: Vec<u64> = ours.iter().map(|g| **g).collect();
        if ids != want {
            // A G taken twice holds one reference too many: dropping both
            // would free it under the test's own reference.
            std::mem::forget(out);
            panic!("a G lost or taken twice: came out {ids:?}, queued {want:?}");
        }
        drop(out);
        for g in ours {
            assert_eq!(Arc::strong_count(g), 1, "G {g} leaked");
        }
    }

    /// The owner pops (runnext first) while a thief steals half.
    #[test]
    fn loom_owner_get_against_a_thief() {
        loom::model(|| {
            let q: Queue = loom::sync::Arc::new(RunQueue::new());
            let mut ours = fill(&q, 1..=3);
            let next = Arc::new(4);
            assert!(q.put(Arc::clone(&next), true).is_none());
            ours.push(next);
            let thief = spawn_thief(&q, true);
            let mut out: Vec<Arc<u64>> = Vec::new();
            out.extend(q.get().map(|(g, _)| g));
            out.extend(q.get().map(|(g, _)| g));
            out.extend(thief.join().unwrap());
            check_exactly_once(&q, &ours, out);
        });
    }

    /// The owner pushes (a `runnext` put kicks the old one to the tail)
    /// while a thief steals: from an empty queue the thief's `runnext`
    /// steal races the owner's swap; with one G queued it takes that G
    /// while the owner kicks its old `runnext` in behind it.
    #[test]
    fn loom_owner_put_next_against_a_thief() {
        for queued in [0, 1] {
            loom::model(move || {
                let q: Queue = loom::sync::Arc::new(RunQueue::new());
                let mut ours = fill(&q, 1..=queued);
                let (a, b) = (Arc::new(10), Arc::new(11));
                assert!(q.put(Arc::clone(&a), true).is_none());
                let thief = spawn_thief(&q, true);
                assert!(
                    q.put(Arc::clone(&b), true).is_none(),
                    "room for the kicked G"
                );
                ours.extend([a, b]);
                let mut out: Vec<Arc<u64>> = Vec::new();
                out.extend(q.get().map(|(g, _)| g));
                out.extend(thief.join().unwrap());
                check_exactly_once(&q, &ours, out);
            });
        }
    }

    /// A full queue overflows half of itself plus the new G to the global
    /// queue while a thief steals: `runqputslow`'s CAS loses to the thief
    /// and the put retries, or wins and the thief takes what is left.
    #[test]
    fn loom_overflow_to_global_against_a_thief() {
        loom::model(|| {
            let q: Queue = loom::sync::Arc::new(RunQueue::new());
            let mut ours = fill(&q, 1..=u64::from(RUNQ_SIZE));
            let thief = spawn_thief(&q, false);
            let extra = Arc::new(u64::from(RUNQ_SIZE) + 1);
            let mut out = q.put(Arc::clone(&extra), false).unwrap_or_default();
            ours.push(extra);
            out.extend(thief.join().unwrap());
            check_exactly_once(&q, &ours, out);
        });
    }

    /// Two thieves against each other and the owner's pop.
    #[test]
    fn loom_two_thieves_and_the_owner() {
        loom::model(|| {
            let q: Queue = loom::sync::Arc::new(RunQueue::new());
            let ours = fill(&q, 1..=3);
            let thieves = [spawn_thief(&q, true), spawn_thief(&q, true)];
            let mut out: Vec<Arc<u64>> = q.get().map(|(g, _)| g).into_iter().collect();
            for t in thieves {
                out.extend(t.join().unwrap());
            }
            check_exactly_once(&q, &ours, out);
        });
    }
}
