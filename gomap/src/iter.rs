//! Iteration: Go 1.19 `runtime/map.go`'s `mapiterinit` and `mapiternext`,
//! and the iterator types built on them.
//!
//! An iteration starts at a random bucket (`r & bucketMask(B)`) and a random
//! slot offset (`r >> B & 7`), walks every bucket once (wrapping around),
//! each bucket's chain in order, and the slots of each bucket starting at the
//! offset. If the map is mid-growth, a new bucket whose old bucket is not yet
//! evacuated is read from the old bucket instead, keeping only the entries
//! whose hash sends them to this new bucket (on doubling each old bucket
//! feeds two new ones), so every entry is yielded exactly once.

use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::iter::FusedIterator;
use std::marker::PhantomData;

use crate::hasher::fastrand;
use crate::raw::{Pos, RawTable};
use crate::version::{BUCKET_CNT, bucket_shift};

/// Go's `hiter` without its pointers: the cursor of one iteration.
#[derive(Clone, Debug)]
pub(crate) struct Walker {
    /// `it.B`: `B` when the iteration started.
    b: u8,
    /// `it.startBucket`.
    start_bucket: usize,
    /// `it.offset`.
    offset: usize,
    /// `it.wrapped`.
    wrapped: bool,
    /// `it.bucket`: the next bucket to start.
    bucket: usize,
    /// The bucket being read: (in old array, chain head, bucket).
    cur: Option<(bool, usize, usize)>,
    /// Live slots of the current bucket not yet visited, rotated so that
    /// bit `j` is slot `(j + offset) & 7` (Go's `it.i` walks the same order).
    pending: u8,
    /// `it.checkBucket`: when reading an old bucket during a doubling, the
    /// new bucket whose entries we want.
    check_bucket: Option<usize>,
    /// Entries not yet yielded (lets the walk stop early; Go walks on).
    remaining: usize,
}

impl Walker {
    /// `mapiterinit`: picks the random start.
    pub(crate) fn new<K, V>(t: &RawTable<K, V>) -> Self {
        let r = fastrand() as usize;
        let start_bucket = r & t.mask();
        let offset = (r.checked_shr(u32::from(t.b)).unwrap_or(0)) & (BUCKET_CNT - 1);
        Walker {
            b: t.b,
            start_bucket,
            offset,
            wrapped: false,
            bucket: start_bucket,
            cur: None,
            pending: 0,
            check_bucket: None,
            remaining: t.count,
        }
    }

    /// The bucket and slot offset this iteration started at.
    pub(crate) fn start(&self) -> (usize, usize) {
        (self.start_bucket, self.offset)
    }

    /// Entries still to come.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// `mapiternext`: the position of the next entry. The table must not
    /// have changed since `new` except for entries removed at positions
    /// this walk already yielded.
    #[inline]
    pub(crate) fn next<K, V, H: Fn(&K) -> u64>(
        &mut self,
        t: &RawTable<K, V>,
        hasher: &H,
    ) -> Option<Pos> {
        if self.remaining == 0 {
            return None;
        }
        debug_assert_eq!(self.b, t.b, "the map changed under an iterator");
        loop {
            let (old, head, idx) = match self.cur {
                Some(cur) => cur,
                None => {
                    if self.bucket == self.start_bucket && self.wrapped {
                        return None;
                    }
                    let bucket = self.bucket;
                    let cur = match &t.oldbuckets {
                        // Iterator was started in the middle of a grow, and
                        // the grow isn't done yet. If the bucket we're
                        // looking at hasn't been filled in yet (i.e. the old
                        // bucket hasn't been evacuated) then we need to
                        // iterate through the old bucket and only return the
                        // ones that will be migrated to this bucket.
                        Some(ob) => {
                            let oldbucket = bucket & (t.noldbuckets() - 1);
                            if !t.st.evacuated(ob.tophash(oldbucket, 0)) {
                                self.check_bucket = Some(bucket);
                                (true, oldbucket, oldbucket)
                            } else {
                                self.check_bucket = None;
                                (false, bucket, bucket)
                            }
                        }
                        None => {
                            self.check_bucket = None;
                            (false, bucket, bucket)
                        }
                    };
                    self.bucket += 1;
                    if self.bucket == bucket_shift(self.b) {
                        self.bucket = 0;
                        self.wrapped = true;
                    }
                    self.cur = Some(cur);
                    self.pending = t
                        .array(cur.0)
                        .live_mask(cur.2)
                        .rotate_right(self.offset as u32);
                    cur
                }
            };
            let arr = t.array(old);
            while self.pending != 0 {
                let j = self.pending.trailing_zeros() as usize;
                self.pending &= self.pending - 1;
                let offi = (j + self.offset) & (BUCKET_CNT - 1);
                if let (Some(check), false) = (self.check_bucket, t.same_size_grow) {
                    // We're iterating through the oldbucket, skipping any
                    // keys that will go to the other new bucket.
                    let hash = hasher(arr.key(idx, offi));
                    if hash as usize & t.mask() != check {
                        continue;
                    }
                }
                self.remaining -= 1;
                return Some(Pos {
                    old,
                    head,
                    idx,
                    slot: offi,
                });
            }
            self.cur = arr.overflow(idx).map(|next| (old, head, next));
            if let Some((o, _, next)) = self.cur {
                self.pending = t.array(o).live_mask(next).rotate_right(self.offset as u32);
            }
        }
    }
}

/// A hasher for walks over a table that is not growing (never called then).
pub(crate) fn no_hash<K>(_: &K) -> u64 {
    unreachable!("hash needed to iterate a growing map")
}

/// The map's `BuildHasher` with the function that hashes a key with it.
///
/// A walk over a map that is doubling hashes the keys of old buckets not
/// yet evacuated (Go's `mapiternext` does too, to skip the entries bound for
/// the other new bucket). [`HashMap::iter`](crate::HashMap::iter) has the
/// `K: Hash, S: BuildHasher` bounds that takes and fills in the function
/// here, so the iterator types and their trait impls need neither.
pub(crate) struct KeyHasher<'a, K, S> {
    builder: &'a S,
    hash: fn(&S, &K) -> u64,
}

impl<'a, K: Hash, S: BuildHasher> KeyHasher<'a, K, S> {
    pub(crate) fn new(builder: &'a S) -> Self {
        KeyHasher {
            builder,
            hash: |builder, key| builder.hash_one(key),
        }
    }
}

impl<K, S> KeyHasher<'_, K, S> {
    #[inline]
    pub(crate) fn hash(&self, key: &K) -> u64 {
        (self.hash)(self.builder, key)
    }
}

impl<K, S> Clone for KeyHasher<'_, K, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, S> Copy for KeyHasher<'_, K, S> {}

/// Iterator over `(&K, &V)`, from [`HashMap::iter`](crate::HashMap::iter).
pub struct Iter<'a, K, V, S> {
    pub(crate) table: &'a RawTable<K, V>,
    pub(crate) hasher: KeyHasher<'a, K, S>,
    pub(crate) walker: Walker,
}

impl<K, V, S> Iter<'_, K, V, S> {
    /// The bucket and in-bucket offset this iteration started at (Go's
    /// `it.startBucket` and `it.offset`).
    pub fn start(&self) -> (usize, usize) {
        self.walker.start()
    }
}

impl<K, V, S> Clone for Iter<'_, K, V, S> {
    fn clone(&self) -> Self {
        Iter {
            table: self.table,
            hasher: self.hasher,
            walker: self.walker.clone(),
        }
    }
}

impl<K, V, S> fmt::Debug for Iter<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("walker", &self.walker)
            .finish()
    }
}

impl<'a, K, V, S> Iterator for Iter<'a, K, V, S> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        let hasher = self.hasher;
        let pos = self.walker.next(self.table, &|k: &K| hasher.hash(k))?;
        Some(self.table.entry(pos))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.walker.remaining(), Some(self.walker.remaining()))
    }
}

impl<K, V, S> ExactSizeIterator for Iter<'_, K, V, S> {}
impl<K, V, S> FusedIterator for Iter<'_, K, V, S> {}

/// Iterator over `(&K, &mut V)`, from [`HashMap::iter_mut`](crate::HashMap::iter_mut).
pub struct IterMut<'a, K, V, S> {
    pub(crate) table: *mut RawTable<K, V>,
    pub(crate) hasher: KeyHasher<'a, K, S>,
    pub(crate) walker: Walker,
    pub(crate) marker: PhantomData<&'a mut RawTable<K, V>>,
}

// SAFETY: IterMut is a `&'a mut RawTable` in disguise (a raw pointer so that
// it can hand out `&'a mut V` to distinct slots), so it may cross threads
// exactly when `&mut RawTable<K, V>` and `&S` may.
unsafe impl<K: Send, V: Send, S: Sync> Send for IterMut<'_, K, V, S> {}
// SAFETY: as above: `&IterMut` gives no access to the table at all.
unsafe impl<K: Sync, V: Sync, S: Sync> Sync for IterMut<'_, K, V, S> {}

impl<K, V, S> fmt::Debug for IterMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut")
            .field("walker", &self.walker)
            .finish()
    }
}

impl<'a, K, V, S> Iterator for IterMut<'a, K, V, S> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        let hasher = self.hasher;
        // SAFETY: `table` came from a `&'a mut RawTable` that this iterator
        // holds for 'a; the shared reborrow here is dropped before we create
        // the pointers below, and no other reference derived from it is live
        // while we read (earlier items only alias the slots they point to).
        let pos = self
            .walker
            .next(unsafe { &*self.table }, &|k: &K| hasher.hash(k))?;
        // SAFETY: as above, the table is exclusively ours for 'a.
        let table = unsafe { &mut *self.table };
        let (k, v) = table.array_mut(pos.old).entry_ptrs(pos.idx, pos.slot);
        // SAFETY: the walk yields every live slot at most once and nothing
        // moves entries while the iterator borrows the map, so each `&mut V`
        // is to a distinct, live value that stays put for 'a.
        unsafe { Some((&*k, &mut *v)) }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.walker.remaining(), Some(self.walker.remaining()))
    }
}

impl<K, V, S> ExactSizeIterator for IterMut<'_, K, V, S> {}
impl<K, V, S> FusedIterator for IterMut<'_, K, V, S> {}

/// Owning iterator over `(K, V)`, from `HashMap::into_iter`.
pub struct IntoIter<K, V> {
    pub(crate) table: RawTable<K, V>,
    pub(crate) walker: Walker,
}

impl<K, V> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("walker", &self.walker)
            .finish()
    }
}

impl<K, V> IntoIter<K, V> {
    /// Walks `table`, which must not be growing.
    pub(crate) fn new(table: RawTable<K, V>) -> Self {
        assert!(!table.growing());
        let walker = Walker::new(&table);
        IntoIter { table, walker }
    }
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        let pos = self.walker.next(&self.table, &no_hash)?;
        let empty = self.table.st.empty_one;
        self.table.count -= 1;
        Some(self.table.array_mut(pos.old).take(pos.idx, pos.slot, empty))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.walker.remaining(), Some(self.walker.remaining()))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

/// Draining iterator, from [`HashMap::drain`](crate::HashMap::drain).
pub struct Drain<'a, K, V> {
    pub(crate) inner: IntoIter<K, V>,
    pub(crate) marker: PhantomData<&'a mut RawTable<K, V>>,
}

impl<K, V> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").field("inner", &self.inner).finish()
    }
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

/// Iterator over keys, from [`HashMap::keys`](crate::HashMap::keys).
pub struct Keys<'a, K, V, S>(pub(crate) Iter<'a, K, V, S>);

impl<K, V, S> Clone for Keys<'_, K, V, S> {
    fn clone(&self) -> Self {
        Keys(self.0.clone())
    }
}

impl<K, V, S> fmt::Debug for Keys<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Keys").field(&self.0).finish()
    }
}

impl<'a, K, V, S> Iterator for Keys<'a, K, V, S> {
    type Item = &'a K;
    #[inline]
    fn next(&mut self) -> Option<&'a K> {
        self.0.next().map(|(k, _)| k)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V, S> ExactSizeIterator for Keys<'_, K, V, S> {}
impl<K, V, S> FusedIterator for Keys<'_, K, V, S> {}

/// Iterator over values, from [`HashMap::values`](crate::HashMap::values).
pub struct Values<'a, K, V, S>(pub(crate) Iter<'a, K, V, S>);

impl<K, V, S> Clone for Values<'_, K, V, S> {
    fn clone(&self) -> Self {
        Values(self.0.clone())
    }
}

impl<K, V, S> fmt::Debug for Values<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Values").field(&self.0).finish()
    }
}

impl<'a, K, V, S> Iterator for Values<'a, K, V, S> {
    type Item = &'a V;
    #[inline]
    fn next(&mut self) -> Option<&'a V> {
        self.0.next().map(|(_, v)| v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V, S> ExactSizeIterator for Values<'_, K, V, S> {}
impl<K, V, S> FusedIterator for Values<'_, K, V, S> {}

/// Iterator over mutable values, from [`HashMap::values_mut`](crate::HashMap::values_mut).
pub struct ValuesMut<'a, K, V, S>(pub(crate) IterMut<'a, K, V, S>);

impl<K, V, S> fmt::Debug for ValuesMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ValuesMut").field(&self.0).finish()
    }
}

impl<'a, K, V, S> Iterator for ValuesMut<'a, K, V, S> {
    type Item = &'a mut V;
    #[inline]
    fn next(&mut self) -> Option<&'a mut V> {
        self.0.next().map(|(_, v)| v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V, S> ExactSizeIterator for ValuesMut<'_, K, V, S> {}
impl<K, V, S> FusedIterator for ValuesMut<'_, K, V, S> {}
