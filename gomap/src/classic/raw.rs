//! The raw table: Go's `hmap` header and its lookup, assign and delete paths
//! (Go 1.19 `runtime/map.go`: `makemap`, `mapaccess1/2/K`, `mapassign`,
//! `mapdelete`, `mapclear`, `newoverflow`, `incrnoverflow`), generic over
//! the key and value and told the hash by its caller.
//!
//! Growth (`hashGrow`, `growWork`, `evacuate`) lives in `evacuate.rs`,
//! iteration (`mapiterinit`/`mapiternext`) in `iter.rs`.

use crate::classic::bucket::BucketArray;
use crate::hasher::fastrand;
use crate::shape::Shape;
use crate::version::{BUCKET_CNT, GoVersion, TopHashStates, bucket_shift};

/// Where a live entry sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    /// In `oldbuckets` (an old bucket not yet evacuated) or in `buckets`.
    pub(crate) old: bool,
    /// The chain's main bucket (its index in the array).
    pub(crate) head: usize,
    /// The bucket in the chain that holds the slot.
    pub(crate) idx: usize,
    /// The slot, 0..8.
    pub(crate) slot: usize,
}

/// Go's `hmap`.
pub(crate) struct RawTable<K, V> {
    /// `count`: live entries.
    pub(crate) count: usize,
    /// `B`: log2 of the number of main buckets. Set through
    /// [`set_b`](Self::set_b), which keeps `grow_at` in step.
    pub(crate) b: u8,
    /// `version.assign_growth_threshold(b)`: `mapassign`'s `overLoadFactor`
    /// test as one compare, since it depends only on `count` and `B` and
    /// every insert asks it.
    grow_at: usize,
    /// `flags & sameSizeGrow`.
    pub(crate) same_size_grow: bool,
    /// `noverflow`: approximate number of overflow buckets (see `incrnoverflow`).
    pub(crate) noverflow: u16,
    /// `buckets` (nil until the first insert when `B == 0`).
    pub(crate) buckets: BucketArray<K, V>,
    /// `oldbuckets`: the previous array, only while growing.
    pub(crate) oldbuckets: Option<BucketArray<K, V>>,
    /// `nevacuate`: old buckets below this index are evacuated.
    pub(crate) nevacuate: usize,
    /// The release whose rules apply.
    pub(crate) version: GoVersion,
    /// That release's tophash states.
    pub(crate) st: TopHashStates,
}

impl<K, V> RawTable<K, V> {
    /// `makemap(t, hint)`: picks `B` for the hint; allocates the buckets
    /// unless `B == 0` (then the first insert allocates one bucket).
    pub(crate) fn with_hint(hint: usize, version: GoVersion) -> Self {
        let st = version.tophash_states();
        // makemap: a hint whose buckets would not fit in memory counts as 0.
        let bucket_bytes = Shape::<K, V>::SIZE as u128;
        let hint = if (hint as u128).saturating_mul(bucket_bytes) > isize::MAX as u128 {
            0
        } else {
            hint
        };
        let b = version.make_b(hint);
        let buckets = if b == 0 {
            BucketArray::nil(st.min_top_hash)
        } else {
            BucketArray::new(b, st.min_top_hash)
        };
        RawTable {
            count: 0,
            b,
            grow_at: version.assign_growth_threshold(b),
            same_size_grow: false,
            noverflow: 0,
            buckets,
            oldbuckets: None,
            nevacuate: 0,
            version,
            st,
        }
    }

    /// Sets `B` (and the growth threshold that depends on it).
    pub(crate) fn set_b(&mut self, b: u8) {
        self.b = b;
        self.grow_at = self.version.assign_growth_threshold(b);
    }

    /// `overLoadFactor(h.count+1, h.B)` as `mapassign` asks it.
    #[inline]
    pub(crate) fn over_load_factor_on_assign(&self) -> bool {
        debug_assert_eq!(
            self.count >= self.grow_at,
            self.version.over_load_factor_on_assign(self.count, self.b)
        );
        self.count >= self.grow_at
    }

    /// `mapassign`'s reason to start growing before adding a key:
    /// `overLoadFactor(h.count+1, h.B) || tooManyOverflowBuckets(...)`.
    #[inline]
    fn due_to_grow(&self) -> bool {
        self.over_load_factor_on_assign()
            || crate::version::too_many_overflow_buckets(self.noverflow, self.b)
    }

    /// `bucketMask(h.B)`.
    #[inline]
    pub(crate) fn mask(&self) -> usize {
        bucket_shift(self.b) - 1
    }

    /// `h.growing()`.
    #[inline]
    pub(crate) fn growing(&self) -> bool {
        self.oldbuckets.is_some()
    }

    /// `noldbuckets()`: main buckets before the current growth.
    #[inline]
    pub(crate) fn noldbuckets(&self) -> usize {
        if self.same_size_grow {
            bucket_shift(self.b)
        } else {
            bucket_shift(self.b) >> 1
        }
    }

    /// Where a lookup for `hash` starts (`mapaccess`'s `oldbuckets` check):
    /// the old array's bucket while it is not yet evacuated, else the new
    /// array's. Returns the array, the head bucket and whether it is old.
    #[inline]
    fn lookup_bucket(&self, hash: u64) -> (&BucketArray<K, V>, usize, bool) {
        let mut m = self.mask();
        if let Some(ob) = &self.oldbuckets {
            if !self.same_size_grow {
                // There used to be half as many buckets; mask down one more power of two.
                m >>= 1;
            }
            let oi = hash as usize & m;
            if !self.st.evacuated(ob.tophash(oi, 0)) {
                return (ob, oi, true);
            }
        }
        (&self.buckets, hash as usize & self.mask(), false)
    }

    /// `mapaccess`: finds the entry for `hash` whose key satisfies `eq`.
    #[inline]
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<Pos> {
        if self.count == 0 {
            return None;
        }
        let (arr, head, old) = self.lookup_bucket(hash);
        let top = self.st.tophash(hash);
        let mut idx = head;
        loop {
            let (hit, word) = arr.scan(idx, top, &mut eq);
            if let Some(slot) = hit {
                return Some(Pos {
                    old,
                    head,
                    idx,
                    slot,
                });
            }
            if word.ends_chain(&self.st) {
                return None;
            }
            idx = arr.overflow(idx)?;
        }
    }

    /// `mapaccess2`/`mapaccessK`: [`find`](Self::find) returning the
    /// entry itself (the lookup fast path).
    #[inline(always)]
    pub(crate) fn find_entry(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        if self.count == 0 {
            return None;
        }
        let (arr, mut idx, _) = self.lookup_bucket(hash);
        let top = self.st.tophash(hash);
        loop {
            let (hit, word) = arr.scan_entry(idx, top, &mut eq);
            if hit.is_some() {
                return hit;
            }
            if word.ends_chain(&self.st) {
                return None;
            }
            idx = arr.overflow(idx)?;
        }
    }

    /// The array a position refers to.
    #[inline]
    pub(crate) fn array(&self, old: bool) -> &BucketArray<K, V> {
        if old {
            self.oldbuckets.as_ref().expect("no old buckets")
        } else {
            &self.buckets
        }
    }

    #[inline]
    pub(crate) fn array_mut(&mut self, old: bool) -> &mut BucketArray<K, V> {
        if old {
            self.oldbuckets.as_mut().expect("no old buckets")
        } else {
            &mut self.buckets
        }
    }

    /// The entry at a position.
    #[inline]
    pub(crate) fn entry(&self, pos: Pos) -> (&K, &V) {
        self.array(pos.old).entry(pos.idx, pos.slot)
    }

    /// The entry at a position, value mutable.
    #[inline]
    pub(crate) fn entry_mut(&mut self, pos: Pos) -> (&K, &mut V) {
        self.array_mut(pos.old).entry_mut(pos.idx, pos.slot)
    }

    /// `incrnoverflow`: exact below `B = 16`, then counted with probability
    /// `1/2^(B-15)` so the `uint16` can stand for about `2^B` buckets.
    /// (A function of the two fields it uses, so `evacuate` can call it
    /// while it borrows the bucket arrays.)
    pub(crate) fn incrnoverflow(noverflow: &mut u16, b: u8) {
        if b < 16 {
            *noverflow = noverflow.wrapping_add(1);
            return;
        }
        let mask = (1u64 << (b - 15)) - 1;
        if fastrand() & mask == 0 {
            *noverflow = noverflow.wrapping_add(1);
        }
    }

    /// `newoverflow`: links a fresh overflow bucket after `idx` in the
    /// current array and counts it.
    pub(crate) fn new_overflow(&mut self, idx: usize) -> usize {
        let ovf = self.buckets.new_overflow(idx);
        Self::incrnoverflow(&mut self.noverflow, self.b);
        ovf
    }

    /// `mapassign`: inserts or updates. Returns the old value when the key
    /// was present (the stored key is kept, as std's maps do).
    pub(crate) fn insert<H>(&mut self, hash: u64, key: K, val: V, hasher: &H) -> Option<V>
    where
        K: Eq,
        H: Fn(&K) -> u64,
    {
        match self.insert_fresh_into_head(hash, key, val) {
            Ok(()) => None,
            Err((key, val)) => {
                self.grow_work_for(hash, hasher);
                self.assign(hash, key, val, hasher, |k, key| k == key).1
            }
        }
    }

    /// `mapassign`'s commonest outcome without its general loop: a new key
    /// whose head bucket holds no slot with its tophash, has a free slot and
    /// ends its chain (`emptyRest`), in a map that is neither growing nor
    /// due to grow. What it does is exactly what `mapassign` would do there
    /// (same slot, same tophash, no growth work, none due); anything else
    /// hands the key and value back for [`assign`](Self::assign).
    ///
    /// Not in Go, whose `mapassign` is one loop for every case: the loop's
    /// bookkeeping (chain walk, insert position, growth checks) costs more
    /// than the write itself for small keys, and this case is most inserts
    /// (the README gives the figures).
    #[inline]
    fn insert_fresh_into_head(&mut self, hash: u64, key: K, val: V) -> Result<(), (K, V)> {
        if self.buckets.is_nil() || self.growing() || self.due_to_grow() {
            return Err((key, val));
        }
        let top = self.st.tophash(hash);
        let idx = hash as usize & self.mask();
        let word = self.buckets.tophash_word(idx);
        // A slot with this tophash may hold the key (an update); a bucket
        // that does not end its chain may have the key further on (and
        // before Go 1.12 none says it does).
        if !word.match_byte(top).is_empty() || !word.ends_chain(&self.st) {
            return Err((key, val));
        }
        let slot = word.first_empty(&self.st).expect("emptyRest is empty");
        self.buckets.write(idx, slot, top, key, val);
        self.count += 1;
        Ok(())
    }

    /// The growth work every `mapassign` and `mapdelete` begins with
    /// (`growWork(t, h, bucket)` when `h.growing()`), for the bucket `hash`
    /// names.
    #[inline]
    pub(crate) fn grow_work_for<H>(&mut self, hash: u64, hasher: &H)
    where
        H: Fn(&K) -> u64,
    {
        if self.growing() {
            self.grow_work(hash as usize & self.mask(), hasher);
        }
    }

    /// `mapassign` after its first [`grow_work_for`](Self::grow_work_for),
    /// with a caller-supplied equality (`eq(stored, new)`): where the entry
    /// now is, and the value it replaced.
    pub(crate) fn assign<H>(
        &mut self,
        hash: u64,
        key: K,
        val: V,
        hasher: &H,
        eq: impl Fn(&K, &K) -> bool,
    ) -> (Pos, Option<V>)
    where
        H: Fn(&K) -> u64,
    {
        if self.buckets.is_nil() {
            // h.buckets = newobject(t.bucket): one bucket, B stays 0.
            self.buckets = BucketArray::new(self.b, self.st.min_top_hash);
        }
        let top = self.st.tophash(hash);
        loop {
            let bucket = hash as usize & self.mask();
            let mut insert_at: Option<(usize, usize)> = None;
            let mut idx = bucket;
            let last = loop {
                let (hit, word) = self.buckets.scan(idx, top, &mut |k| eq(k, &key));
                if let Some(slot) = hit {
                    // Already have a mapping for key. Update it.
                    let (_, v) = self.buckets.entry_mut(idx, slot);
                    let old = std::mem::replace(v, val);
                    return (
                        Pos {
                            old: false,
                            head: bucket,
                            idx,
                            slot,
                        },
                        Some(old),
                    );
                }
                if insert_at.is_none() {
                    insert_at = word.first_empty(&self.st).map(|slot| (idx, slot));
                }
                if word.ends_chain(&self.st) {
                    break idx;
                }
                match self.buckets.overflow(idx) {
                    Some(next) => idx = next,
                    None => break idx,
                }
            };

            // Did not find mapping for key. Allocate new cell & add entry.
            // If we hit the max load factor or we have too many overflow
            // buckets, and we're not already in the middle of growing, start
            // growing.
            if !self.growing() && self.due_to_grow() {
                self.hash_grow();
                // Growing the table invalidates everything, so try again
                // (Go's `goto again`, which does the growth work first).
                self.grow_work_for(hash, hasher);
                continue;
            }

            let (idx, slot) = match insert_at {
                Some(at) => at,
                None => (self.new_overflow(last), 0),
            };
            self.buckets.write(idx, slot, top, key, val);
            self.count += 1;
            return (
                Pos {
                    old: false,
                    head: bucket,
                    idx,
                    slot,
                },
                None,
            );
        }
    }

    /// `mapdelete`: removes the entry for `hash` matching `eq`.
    pub(crate) fn remove<H>(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        hasher: &H,
    ) -> Option<(K, V)>
    where
        H: Fn(&K) -> u64,
    {
        if self.count == 0 {
            return None;
        }
        self.grow_work_for(hash, hasher);
        let bucket = hash as usize & self.mask();
        let top = self.st.tophash(hash);
        let mut idx = bucket;
        loop {
            let (hit, word) = self.buckets.scan(idx, top, &mut eq);
            if let Some(slot) = hit {
                return Some(self.remove_at(Pos {
                    old: false,
                    head: bucket,
                    idx,
                    slot,
                }));
            }
            if word.ends_chain(&self.st) {
                return None;
            }
            idx = self.buckets.overflow(idx)?;
        }
    }

    /// The deleting half of `mapdelete`: empties the slot (`emptyOne`, or
    /// `empty` before Go 1.12) and, from Go 1.12, turns the run of
    /// `emptyOne`s that now ends the chain into `emptyRest`.
    pub(crate) fn remove_at(&mut self, pos: Pos) -> (K, V) {
        let st = self.st;
        let arr = self.array_mut(pos.old);
        let kv = arr.take(pos.idx, pos.slot, st.empty_one);
        if let Some(rest) = st.empty_rest {
            let (mut b, mut i) = (pos.idx, pos.slot);
            let next_is_rest = if i == BUCKET_CNT - 1 {
                arr.overflow(b).is_none_or(|o| arr.tophash(o, 0) == rest)
            } else {
                arr.tophash(b, i + 1) == rest
            };
            if next_is_rest {
                loop {
                    arr.set_state(b, i, rest);
                    if i == 0 {
                        if b == pos.head {
                            break; // beginning of initial bucket, we're done.
                        }
                        // Find previous bucket, continue at its last entry.
                        let c = b;
                        b = pos.head;
                        while arr.overflow(b) != Some(c) {
                            b = arr.overflow(b).expect("broken overflow chain");
                        }
                        i = BUCKET_CNT - 1;
                    } else {
                        i -= 1;
                    }
                    if arr.tophash(b, i) != st.empty_one {
                        break;
                    }
                }
            }
        }
        self.count -= 1;
        kv
    }

    /// `mapclear` (Go 1.11+; builtin `clear` from 1.21): drops every entry,
    /// ends any growth, resets `noverflow`, keeps `B` and reuses the bucket
    /// memory. A map with no entries is left exactly as it is, growth,
    /// `noverflow` and tombstones included: `mapclear` returns at once when
    /// `h.count == 0`.
    pub(crate) fn clear(&mut self) {
        if self.count == 0 {
            return;
        }
        self.same_size_grow = false;
        self.oldbuckets = None;
        self.nevacuate = 0;
        self.noverflow = 0;
        self.count = 0;
        self.buckets.reset();
    }

    /// For `drain`: a table holding every entry (it must not be growing),
    /// this one left as `mapclear` leaves it (same `B`, fresh buckets).
    pub(crate) fn take_all(&mut self) -> RawTable<K, V> {
        debug_assert!(!self.growing());
        let fresh = RawTable::with_hint(0, self.version);
        let mut table = std::mem::replace(self, fresh);
        self.set_b(table.b);
        if !table.buckets.is_nil() {
            self.buckets = BucketArray::new(table.b, table.st.min_top_hash);
        }
        table.noverflow = 0;
        table
    }

    /// An exact copy: same `B`, same buckets, same growth state.
    pub(crate) fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        RawTable {
            count: self.count,
            b: self.b,
            grow_at: self.grow_at,
            same_size_grow: self.same_size_grow,
            noverflow: self.noverflow,
            buckets: self.buckets.clone_array(),
            oldbuckets: self.oldbuckets.as_ref().map(BucketArray::clone_array),
            nevacuate: self.nevacuate,
            version: self.version,
            st: self.st,
        }
    }
}
