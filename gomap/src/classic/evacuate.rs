//! Growth: Go 1.19 `runtime/map.go`'s `hashGrow`, `growWork`, `evacuate`
//! and `advanceEvacuationMark`.
//!
//! 1. `hashGrow` only allocates: a new array of `2^(B+1)` buckets when the
//!    load factor would pass 6.5 (doubling), or of `2^B` when there are too
//!    many overflow buckets (same-size growth). The old array becomes
//!    `oldbuckets`, `nevacuate = 0`, `noverflow = 0`.
//! 2. Every later assign or delete calls `growWork(bucket)`: it evacuates the
//!    old bucket that the operation's bucket comes from, then the old bucket
//!    at `nevacuate`, so growth finishes after at most `2^oldB` writes.
//! 3. `evacuate` walks the old bucket's chain in order. On doubling each
//!    entry goes to X (same index) or Y (index + old size) by the hash bit
//!    `newbit`; on same-size growth everything goes to X. The old slot keeps
//!    `evacuatedX`/`evacuatedY` (or `evacuatedEmpty`), so `evacuated(b)` can
//!    read the bucket's state from `tophash[0]`. Here the whole chain is
//!    hashed before any entry moves, so a `Hash` that panics leaves the
//!    chain as it was (see [`RawTable::evacuate`]).
//! 4. `advanceEvacuationMark` moves `nevacuate` past evacuated buckets (at
//!    most 1024 per step); when it reaches the old size, `oldbuckets` is
//!    dropped and growth is over.
//!
//! Unlike Go, the old slot gives up its key and value when they move (Go
//! keeps them for iterators that started before the growth; Rust's borrow
//! rules forbid an iterator to live across a write, so none can need them).

use crate::classic::bucket::{BucketArray, EvacDst};
use crate::classic::raw::RawTable;

/// The X/Y decisions for one old chain, made before anything moves: a byte
/// per bucket of the chain, bit `i` set when slot `i`'s entry goes to Y.
/// Chains of up to 8 buckets keep them on the stack; longer ones (only bad
/// hashes make them) spill to the heap.
#[derive(Default)]
struct ChainSplit {
    inline: [u8; 8],
    spill: Vec<u8>,
    len: usize,
}

impl ChainSplit {
    /// Records the next bucket's decisions.
    fn push(&mut self, to_y: u8) {
        match self.inline.get_mut(self.len) {
            Some(byte) => *byte = to_y,
            None => self.spill.push(to_y),
        }
        self.len += 1;
    }

    /// The decisions for the `n`th bucket of the chain (all X if none were
    /// recorded, as in same-size growth).
    fn get(&self, n: usize) -> u8 {
        let spilled = n.checked_sub(self.inline.len());
        match spilled {
            None => self.inline[n],
            Some(i) => self.spill.get(i).copied().unwrap_or(0),
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// `hashGrow`: starts a doubling or a same-size growth.
    pub(crate) fn hash_grow(&mut self) {
        // If we've hit the load factor, get bigger. Otherwise, there are too
        // many overflow buckets, so keep the same number of buckets and
        // "grow" laterally.
        let bigger = if self.over_load_factor_on_assign() {
            1
        } else {
            self.same_size_grow = true;
            0
        };
        let newbuckets = BucketArray::new(self.b + bigger, self.st.min_top_hash);
        let old = std::mem::replace(&mut self.buckets, newbuckets);
        tracing::debug!(
            kind = if bigger == 1 { "double" } else { "same-size" },
            old_b = self.b,
            new_b = self.b + bigger,
            count = self.count,
            noverflow = self.noverflow,
            release = %self.version,
            "gomap: growth started"
        );
        self.set_b(self.b + bigger);
        self.oldbuckets = Some(old);
        self.nevacuate = 0;
        self.noverflow = 0;
    }

    /// `growWork`: evacuates the old bucket behind `bucket`, then one more.
    pub(crate) fn grow_work<H: Fn(&K) -> u64>(&mut self, bucket: usize, hasher: &H) {
        let oldbucket = bucket & (self.noldbuckets() - 1);
        // Start the memory traffic of both evacuations at once (a speed
        // detail: Go lets the hardware discover it bucket by bucket).
        self.prefetch_evacuation(oldbucket);
        self.prefetch_evacuation(self.nevacuate);
        // Make sure we evacuate the oldbucket corresponding to the bucket
        // we're about to use.
        self.evacuate(oldbucket, hasher);
        // Evacuate one more oldbucket to make progress on growing.
        if self.growing() {
            self.evacuate(self.nevacuate, hasher);
        }
    }

    /// Prefetches an old bucket and its X and Y destinations.
    fn prefetch_evacuation(&self, oldbucket: usize) {
        if let Some(old) = &self.oldbuckets {
            old.prefetch(oldbucket);
            self.buckets.prefetch(oldbucket);
            if !self.same_size_grow {
                self.buckets.prefetch(oldbucket + self.noldbuckets());
            }
        }
    }

    /// Evacuates every old bucket that is left (used where Rust needs a
    /// stable table, e.g. `retain`; Go never does this).
    pub(crate) fn finish_growth<H: Fn(&K) -> u64>(&mut self, hasher: &H) {
        while self.growing() {
            self.evacuate(self.nevacuate, hasher);
        }
    }

    /// `evacuate(oldbucket)`.
    ///
    /// Go hashes each key as it moves it. Here every key of the chain is
    /// hashed first and only then does anything move: a Rust `Hash` may
    /// panic, and a panic halfway through a chain would leave an old bucket
    /// marked evacuated (its `tophash[0]`) while some of its entries were
    /// still in it, where no lookup would look again. Hashing first, a
    /// panic leaves the chain as it was: the write that asked for the
    /// evacuation is lost, no entry is.
    pub(crate) fn evacuate<H: Fn(&K) -> u64>(&mut self, oldbucket: usize, hasher: &H) {
        let newbit = self.noldbuckets();
        let (st, same_size, b) = (self.st, self.same_size_grow, self.b);
        let RawTable {
            oldbuckets,
            buckets,
            noverflow,
            ..
        } = self;
        let old = oldbuckets.as_mut().expect("evacuate while not growing");
        if !st.evacuated(old.tophash(oldbucket, 0)) {
            // Same-size growth sends every entry to X.
            let mut split = ChainSplit::default();
            if !same_size {
                let mut chain = Some(oldbucket);
                while let Some(bi) = chain {
                    // Compute hash to make our evacuation decision (whether
                    // we need to send this key/elem to bucket x or bucket y).
                    split.push(old.y_slots(bi, |key| hasher(key) as usize & newbit != 0));
                    chain = old.overflow(bi);
                }
            }
            // xy contains the x and y (low and high) evacuation destinations.
            let mut xy = [
                EvacDst {
                    idx: oldbucket,
                    slot: 0,
                },
                EvacDst {
                    idx: oldbucket + newbit,
                    slot: 0,
                },
            ];
            let mut moved = 0usize;
            let mut chain = Some(oldbucket);
            let mut n = 0;
            while let Some(bi) = chain {
                moved += old.evacuate_bucket(bi, buckets, &mut xy, split.get(n), &st, || {
                    Self::incrnoverflow(noverflow, b)
                });
                n += 1;
                chain = old.overflow(bi);
            }
            tracing::trace!(
                oldbucket,
                moved,
                nevacuate = self.nevacuate,
                release = %self.version,
                "gomap: bucket evacuated"
            );
        }
        if oldbucket == self.nevacuate {
            self.advance_evacuation_mark(newbit);
        }
    }

    /// `advanceEvacuationMark`.
    fn advance_evacuation_mark(&mut self, newbit: usize) {
        self.nevacuate += 1;
        // Experiments suggest that 1024 is overkill by at least an order of
        // magnitude. Put it in there as a safeguard anyway, to ensure O(1)
        // behavior.
        let stop = (self.nevacuate + 1024).min(newbit);
        let st = self.st;
        let old = self.oldbuckets.as_ref().expect("growing");
        while self.nevacuate != stop && st.evacuated(old.tophash(self.nevacuate, 0)) {
            self.nevacuate += 1;
        }
        if self.nevacuate == newbit {
            // Growing is all done. Free old main bucket array.
            self.oldbuckets = None;
            self.same_size_grow = false;
            tracing::debug!(
                b = self.b,
                count = self.count,
                release = %self.version,
                "gomap: growth finished"
            );
        }
    }
}
