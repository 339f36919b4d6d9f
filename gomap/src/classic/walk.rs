//! Iteration over the classic map: Go 1.19 `runtime/map.go`'s
//! `mapiterinit` and `mapiternext` (the public iterator types over both
//! maps are in `iter.rs`).
//!
//! An iteration starts at a random bucket (`r & bucketMask(B)`) and a random
//! slot offset (`r >> B & 7`), walks every bucket once (wrapping around),
//! each bucket's chain in order, and the slots of each bucket starting at the
//! offset. If the map is mid-growth, a new bucket whose old bucket is not yet
//! evacuated is read from the old bucket instead, keeping only the entries
//! whose hash sends them to this new bucket (on doubling each old bucket
//! feeds two new ones), so every entry is yielded exactly once.

use crate::classic::raw::{Pos, RawTable};
use crate::hasher::fastrand;
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
