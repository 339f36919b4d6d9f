//! The bucket array (`h.buckets` or `h.oldbuckets` of Go 1.19
//! `runtime/map.go`) in raw memory: `makeBucketArray`'s allocation with its
//! preallocated overflow buckets, the slots of each `bmap` laid out by
//! [`Shape`], and the operations on them that `mapaccess`, `mapassign`,
//! `mapdelete` and `evacuate` build on. Together with `shape.rs` this is
//! where the map's raw memory is touched; everything above it uses the safe,
//! bounds-checked API below (the one other `unsafe` of the crate is
//! `IterMut`'s, in `iter.rs`).
//!
//! The invariant every `unsafe` block below rests on: **slot `i` of bucket
//! `b` holds an initialized key and value iff `tophash[i] >= min_top`**
//! (`minTopHash` of the release). Only [`BucketArray::write`] makes a slot
//! live and only [`BucketArray::take`] (or drop) makes it dead again; every
//! other tophash write is asserted to stay below `min_top`.

use std::alloc::{self, Layout};
use std::marker::PhantomData;
use std::mem::needs_drop;
use std::ptr::{self, NonNull};

use crate::group::TopHashWord;
use crate::shape::Shape;
use crate::version::{BUCKET_CNT, TopHashStates};

/// Asks the CPU for the cache lines of a bucket beyond its first, so the
/// key and value loads that follow a tophash match overlap with the tophash
/// load instead of waiting for it. (Not in Go's code: Go relies on the
/// hardware prefetcher; this is a speed detail with no effect on behaviour.)
#[inline(always)]
fn prefetch_bucket<K, V>(b: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // Only for buckets of up to three cache lines (e.g. 8-byte keys and
        // values): for bigger ones the extra lines cost more bandwidth than
        // the latency they hide.
        if Shape::<K, V>::SIZE > 192 {
            return;
        }
        let mut off = 64;
        while off < Shape::<K, V>::OVERFLOW_OFFSET {
            // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 CPU has
            // (it is in the x86_64 baseline). A prefetch is a hint that never
            // faults and reads nothing into the program; `wrapping_add`
            // keeps the address arithmetic itself defined.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(b.wrapping_add(off) as *const i8) };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = b;
}

/// `evacDst`: where the next entry evacuated to X or Y goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EvacDst {
    /// The destination bucket (head or overflow) in the new array.
    pub(crate) idx: usize,
    /// The next free slot in it (`BUCKET_CNT` when full).
    pub(crate) slot: usize,
}

/// One bucket array (`h.buckets` or `h.oldbuckets`) with its overflow buckets.
pub(crate) struct BucketArray<K, V> {
    /// Start of `cap * Shape::SIZE` bytes (dangling when `cap == 0`).
    ptr: NonNull<u8>,
    /// Buckets allocated.
    cap: usize,
    /// Buckets in use: the `base` main ones plus the overflow buckets handed out.
    len: usize,
    /// `2^B` (0 for the nil array).
    base: usize,
    /// Overflow buckets preallocated by `makeBucketArray` (Go's `nextOverflow` tail).
    prealloc: usize,
    /// `minTopHash` of the release: slots with tophash `>= min_top` are live.
    min_top: u8,
    /// Owns `K`s and `V`s (directly or boxed).
    marker: PhantomData<(K, V, Box<K>, Box<V>)>,
}

// SAFETY: a BucketArray owns its keys and values exclusively (like a
// `Vec<(K, V)>`); moving it to another thread moves them, so it is Send when
// K and V are.
unsafe impl<K: Send, V: Send> Send for BucketArray<K, V> {}
// SAFETY: `&BucketArray` only hands out `&K`/`&V` (all mutation needs
// `&mut`), so sharing it is sound when K and V are Sync.
unsafe impl<K: Sync, V: Sync> Sync for BucketArray<K, V> {}

impl<K, V> BucketArray<K, V> {
    /// The nil array (`h.buckets == nil`): no buckets at all.
    pub(crate) fn nil(min_top: u8) -> Self {
        BucketArray {
            ptr: NonNull::dangling(),
            cap: 0,
            len: 0,
            base: 0,
            prealloc: 0,
            min_top,
            marker: PhantomData,
        }
    }

    /// `makeBucketArray(t, b)`: `2^b` zeroed buckets, plus `2^(b-4)`
    /// preallocated overflow buckets when `b >= 4`. (Go then rounds the
    /// allocation up to its size class and uses the slack as more overflow
    /// buckets; that rounding is the allocator's, not the map's, and is left
    /// out.)
    pub(crate) fn new(b: u8, min_top: u8) -> Self {
        let base = 1usize << b;
        let extra = if b >= 4 { 1usize << (b - 4) } else { 0 };
        let mut arr = Self::nil(min_top);
        arr.alloc(base + extra);
        arr.base = base;
        arr.len = base;
        arr.prealloc = extra;
        arr
    }

    fn layout(cap: usize) -> Layout {
        let bytes = Shape::<K, V>::SIZE
            .checked_mul(cap)
            .expect("map bucket array too large");
        Layout::from_size_align(bytes, Shape::<K, V>::ALIGN).expect("map bucket array too large")
    }

    /// Allocates `cap` zeroed buckets (the array must be unallocated).
    fn alloc(&mut self, cap: usize) {
        debug_assert_eq!(self.cap, 0);
        let layout = Self::layout(cap);
        // SAFETY: layout has non-zero size (a bucket is at least 16 bytes
        // and cap >= 1) and a power-of-two alignment.
        let p = unsafe { alloc::alloc_zeroed(layout) };
        self.ptr = NonNull::new(p).unwrap_or_else(|| alloc::handle_alloc_error(layout));
        self.cap = cap;
        self.touch_pages(layout.size());
    }

    /// Writes one zero byte into every page of the allocation's first `len`
    /// bytes (which must already be zero).
    ///
    /// A large zeroed allocation is a fresh mapping of the kernel's shared
    /// zero page: the map's first look at a bucket (a read of its tophash)
    /// would fault each page in read-only, and the insert that follows would
    /// fault it again to copy it. Writing first makes that one fault per
    /// page (the README gives the counts). The writes are volatile so the
    /// compiler cannot drop them as stores of the value already there.
    fn touch_pages(&mut self, len: usize) {
        const PAGE: usize = 4096;
        let base = self.ptr.as_ptr();
        let mut at = 0;
        while at < len {
            // SAFETY: `at < len <= allocation size`, so the byte is ours; it
            // is zero already (caller's contract) and no reference to it is
            // live (`&mut self`), so writing zero changes nothing visible.
            unsafe { ptr::write_volatile(base.add(at), 0) };
            // Next page boundary after `at`, relative to the allocation.
            at = (base as usize + at + PAGE) / PAGE * PAGE - base as usize;
        }
    }

    /// Makes room for more overflow buckets (doubles the overflow region).
    #[cold]
    fn grow_storage(&mut self) {
        let old_cap = self.cap;
        let new_cap = old_cap + (old_cap - self.base).max(self.base / 8).max(1);
        let new_layout = Self::layout(new_cap);
        // SAFETY: `ptr` was allocated with `layout(old_cap)` (cap > 0 here:
        // only allocated arrays hand out overflow buckets), and the new size
        // is non-zero and fits `isize` (checked by `layout`). Buckets are
        // plain bytes to move: keys and values are relocated by memcpy, which
        // is a Rust move, and no reference into them can be alive because we
        // hold `&mut self`.
        let p =
            unsafe { alloc::realloc(self.ptr.as_ptr(), Self::layout(old_cap), new_layout.size()) };
        let p = NonNull::new(p).unwrap_or_else(|| alloc::handle_alloc_error(new_layout));
        let old_bytes = old_cap * Shape::<K, V>::SIZE;
        // SAFETY: the new allocation is `new_layout.size()` bytes long; the
        // bytes from `old_bytes` to its end are freshly allocated and ours.
        unsafe { ptr::write_bytes(p.as_ptr().add(old_bytes), 0, new_layout.size() - old_bytes) };
        self.ptr = p;
        self.cap = new_cap;
    }

    /// Is this the nil array?
    #[inline]
    pub(crate) fn is_nil(&self) -> bool {
        self.base == 0
    }

    /// Number of main buckets, `2^B`.
    #[inline]
    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// Bytes allocated for buckets.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.cap * Shape::<K, V>::SIZE
    }

    /// Preallocated overflow buckets not yet handed out.
    pub(crate) fn spare_prealloc(&self) -> usize {
        (self.base + self.prealloc).saturating_sub(self.len)
    }

    /// The start of bucket `idx`, bounds-checked.
    #[inline]
    fn bucket(&self, idx: usize) -> *mut u8 {
        assert!(
            idx < self.len,
            "bucket index {idx} out of range {}",
            self.len
        );
        // SAFETY: idx < len <= cap, so the offset stays inside the allocation.
        unsafe { self.ptr.as_ptr().add(idx * Shape::<K, V>::SIZE) }
    }

    /// The 8 tophash bytes of bucket `idx`.
    #[inline]
    pub(crate) fn tophashes(&self, idx: usize) -> [u8; BUCKET_CNT] {
        let b = self.bucket(idx);
        // SAFETY: the first 8 bytes of an in-bounds bucket are its tophash
        // array, always initialized (the allocation is zeroed).
        unsafe { ptr::read(b as *const [u8; BUCKET_CNT]) }
    }

    /// The 8 tophash bytes of bucket `idx` as one word.
    #[inline]
    pub(crate) fn tophash_word(&self, idx: usize) -> TopHashWord {
        TopHashWord::from_bytes(self.tophashes(idx))
    }

    /// `mapaccess`'s inner loop over one bucket: the first live slot whose
    /// tophash is `top` and whose key satisfies `eq`, and the bucket's
    /// tophash word (for the `emptyRest` test).
    #[inline]
    pub(crate) fn scan(
        &self,
        idx: usize,
        top: u8,
        eq: &mut impl FnMut(&K) -> bool,
    ) -> (Option<usize>, TopHashWord) {
        let b = self.bucket(idx);
        prefetch_bucket::<K, V>(b);
        // SAFETY: an in-bounds bucket starts with its 8 initialized tophash
        // bytes.
        let word = TopHashWord::from_bytes(unsafe { ptr::read(b as *const [u8; BUCKET_CNT]) });
        let mut hits = word.match_byte(top);
        // Tested first and the state check inside: a miss (most buckets of
        // a lookup's chain) then costs one compare.
        while !hits.is_empty() {
            // A matching tophash marks a live slot only if it is not a state.
            assert!(top >= self.min_top, "tophash {top} is a reserved state");
            let i = hits.pop_first();
            // SAFETY: the key offset is inside the bucket; tophash[i] ==
            // top >= min_top, so slot i is live: its key (or key pointer) is
            // initialized and aligned, and lives as long as `&self`.
            let key = unsafe { &*Shape::<K, V>::key_in(b.add(Shape::<K, V>::key_offset(i))) };
            if eq(key) {
                return (Some(i), word);
            }
        }
        (None, word)
    }

    /// [`scan`](Self::scan) for lookups: the matching key and its value.
    #[inline]
    pub(crate) fn scan_entry(
        &self,
        idx: usize,
        top: u8,
        eq: &mut impl FnMut(&K) -> bool,
    ) -> (Option<(&K, &V)>, TopHashWord) {
        let (hit, word) = self.scan(idx, top, eq);
        let Some(i) = hit else { return (None, word) };
        let b = self.bucket(idx);
        // SAFETY: `scan` found slot i live (tophash[i] == top >= min_top);
        // the offsets are inside the bucket and aligned (Shape); the refs
        // live as long as `&self`.
        unsafe {
            let k = &*Shape::<K, V>::key_in(b.add(Shape::<K, V>::key_offset(i)));
            let v = &*Shape::<K, V>::elem_in(b.add(Shape::<K, V>::elem_offset(i)));
            (Some((k, v)), word)
        }
    }

    /// Tophash of slot `i` of bucket `idx`.
    #[inline]
    pub(crate) fn tophash(&self, idx: usize, i: usize) -> u8 {
        let b = self.bucket(idx);
        // SAFETY: `i & 7` < 8 indexes the in-bounds tophash array.
        unsafe { *b.add(i & (BUCKET_CNT - 1)) }
    }

    /// Asks the CPU for every cache line of bucket `idx` (evacuation reads or
    /// writes all of them). A hint only: no effect on behaviour.
    #[inline]
    pub(crate) fn prefetch(&self, idx: usize) {
        if idx >= self.len {
            return;
        }
        let b = self.ptr.as_ptr().wrapping_add(idx * Shape::<K, V>::SIZE);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let mut off = 0;
            while off < Shape::<K, V>::SIZE.min(8 * 64) {
                // SAFETY: as in `prefetch_bucket`: SSE is x86_64 baseline and
                // a prefetch never faults or reads into the program.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(b.wrapping_add(off) as *const i8) };
                off += 64;
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = b;
    }

    /// Bit `i` set for each live slot `i` of bucket `idx`.
    #[inline]
    pub(crate) fn live_mask(&self, idx: usize) -> u8 {
        let th = self.tophashes(idx);
        let mut mask = 0u8;
        for (i, &t) in th.iter().enumerate() {
            mask |= u8::from(t >= self.min_top) << i;
        }
        mask
    }

    /// Does slot `i` of bucket `idx` hold an entry?
    #[inline]
    pub(crate) fn is_live(&self, idx: usize, i: usize) -> bool {
        self.tophash(idx, i) >= self.min_top
    }

    /// Sets a *state* (a tophash below `minTopHash`) on a slot that holds no
    /// entry.
    #[inline]
    pub(crate) fn set_state(&mut self, idx: usize, i: usize, state: u8) {
        assert!(
            state < self.min_top,
            "tophash state {state} is not a reserved state"
        );
        assert!(!self.is_live(idx, i), "set_state on a live slot");
        let b = self.bucket(idx);
        // SAFETY: in-bounds tophash byte (see `tophash`); `&mut self` is unique.
        unsafe { *b.add(i & (BUCKET_CNT - 1)) = state };
    }

    #[inline]
    fn key_slot(&self, idx: usize, i: usize) -> *mut u8 {
        let b = self.bucket(idx);
        // SAFETY: a key offset is inside the bucket.
        unsafe { b.add(Shape::<K, V>::key_offset(i)) }
    }

    #[inline]
    fn elem_slot(&self, idx: usize, i: usize) -> *mut u8 {
        let b = self.bucket(idx);
        // SAFETY: a value offset is inside the bucket.
        unsafe { b.add(Shape::<K, V>::elem_offset(i)) }
    }

    /// Pointers to the key and value of a live slot (one bounds check, one
    /// liveness check).
    #[inline]
    fn live_ptrs(&self, idx: usize, i: usize) -> (*mut K, *mut V) {
        let b = self.bucket(idx);
        let i = i & (BUCKET_CNT - 1);
        // SAFETY: i < 8 indexes the in-bounds, initialized tophash array.
        let top = unsafe { *b.add(i) };
        assert!(top >= self.min_top, "slot {i} of bucket {idx} is empty");
        // SAFETY: both offsets (i < 8) are inside the bucket; the slot is
        // live, so indirect slots hold the pointers `write` stored (slots
        // are aligned for a pointer: see Shape).
        unsafe {
            (
                Shape::<K, V>::key_in(b.add(Shape::<K, V>::key_offset(i))),
                Shape::<K, V>::elem_in(b.add(Shape::<K, V>::elem_offset(i))),
            )
        }
    }

    /// The key in a live slot.
    #[inline]
    pub(crate) fn key(&self, idx: usize, i: usize) -> &K {
        // SAFETY: live_ptrs checked the slot is live, so the key is
        // initialized and aligned; it lives as long as `&self` (only
        // `&mut self` can take it out or move the storage).
        unsafe { &*self.live_ptrs(idx, i).0 }
    }

    /// The key and value in a live slot.
    #[inline]
    pub(crate) fn entry(&self, idx: usize, i: usize) -> (&K, &V) {
        let (k, v) = self.live_ptrs(idx, i);
        // SAFETY: as in `key`, for the key and the value of a live slot.
        unsafe { (&*k, &*v) }
    }

    /// The key and a mutable value in a live slot.
    #[inline]
    pub(crate) fn entry_mut(&mut self, idx: usize, i: usize) -> (&K, &mut V) {
        let (k, v) = self.live_ptrs(idx, i);
        // SAFETY: live slot (checked); the key and value occupy disjoint
        // bytes (or disjoint boxes), and `&mut self` makes the value unique.
        unsafe { (&*k, &mut *v) }
    }

    /// Raw pointers to a live slot's key and value, for `IterMut` (which
    /// hands out `&mut V` to distinct slots over one `&mut` borrow).
    #[inline]
    pub(crate) fn entry_ptrs(&mut self, idx: usize, i: usize) -> (*const K, *mut V) {
        let (k, v) = self.live_ptrs(idx, i);
        (k, v)
    }

    /// Stores an entry in an empty slot and makes it live with tophash `top`.
    #[inline]
    pub(crate) fn write(&mut self, idx: usize, i: usize, top: u8, key: K, val: V) {
        assert!(top >= self.min_top, "tophash {top} is a reserved state");
        assert!(!self.is_live(idx, i), "write to a live slot");
        let (ks, es) = (self.key_slot(idx, i), self.elem_slot(idx, i));
        // SAFETY: the slot is dead, so its bytes hold no value we would leak
        // or double-drop; they are in bounds and aligned for K (or *mut K)
        // and V (or *mut V) by Shape. The tophash is set last, so a panic
        // can't leave a live tophash over uninitialized bytes (and nothing
        // here panics between the writes).
        unsafe {
            if Shape::<K, V>::INDIRECT_KEY {
                ptr::write(ks as *mut *mut K, Box::into_raw(Box::new(key)));
            } else {
                ptr::write(ks as *mut K, key);
            }
            if Shape::<K, V>::INDIRECT_ELEM {
                ptr::write(es as *mut *mut V, Box::into_raw(Box::new(val)));
            } else {
                ptr::write(es as *mut V, val);
            }
            *self.bucket(idx).add(i & 7) = top;
        }
    }

    /// Moves the entry out of a live slot, leaving `state` in its tophash.
    #[inline]
    pub(crate) fn take(&mut self, idx: usize, i: usize, state: u8) -> (K, V) {
        assert!(
            state < self.min_top,
            "tophash state {state} is not a reserved state"
        );
        let (kp, ep) = self.live_ptrs(idx, i);
        // SAFETY: live_ptrs checked the slot is live, so both are
        // initialized; marking the slot dead right after reading means they
        // are never read or dropped again. Indirect ones were made by
        // Box::into_raw in `write`.
        unsafe {
            let k = if Shape::<K, V>::INDIRECT_KEY {
                *Box::from_raw(kp)
            } else {
                ptr::read(kp)
            };
            let v = if Shape::<K, V>::INDIRECT_ELEM {
                *Box::from_raw(ep)
            } else {
                ptr::read(ep)
            };
            *self.bucket(idx).add(i & 7) = state;
            (k, v)
        }
    }

    /// `evacuate`'s X/Y decision for every live slot of bucket `idx`: bit
    /// `i` is set when `to_y` sends slot `i`'s key to Y. It changes nothing,
    /// so a `to_y` that panics (it runs the user's `Hash`) leaves the bucket
    /// as it was.
    #[inline]
    pub(crate) fn y_slots(&self, idx: usize, mut to_y: impl FnMut(&K) -> bool) -> u8 {
        let b = self.bucket(idx);
        // SAFETY: an in-bounds bucket starts with its 8 initialized tophash
        // bytes.
        let word = TopHashWord::from_bytes(unsafe { ptr::read(b as *const [u8; BUCKET_CNT]) });
        let mut live = word.at_least(self.min_top);
        let mut mask = 0u8;
        while !live.is_empty() {
            let i = live.pop_first();
            // SAFETY: the key offset is inside the bucket (i < 8); slot i is
            // live (tophash >= min_top), so its key (or key pointer) is
            // initialized and aligned, and `&self` keeps it in place while
            // `to_y` reads it.
            let key = unsafe { &*Shape::<K, V>::key_in(b.add(Shape::<K, V>::key_offset(i))) };
            mask |= u8::from(to_y(key)) << i;
        }
        mask
    }

    /// `evacuate`'s loop over one bucket `idx` of an old chain: each live
    /// entry moves to the destination cursor in `dst` (`xy[1]` for the
    /// slots set in `to_y`, bit `i` for slot `i`; `xy[0]` for the others),
    /// and every slot is left in an evacuated state (`evacuatedX`/
    /// `evacuatedY` for moved entries, `evacuatedEmpty` for empty slots). A
    /// full destination bucket gets an overflow bucket chained after it, and
    /// `on_overflow` is told (for `incrnoverflow`). Returns how many moved.
    ///
    /// The caller decides X or Y for the whole chain before calling this, so
    /// no user code (a `Hash` that may panic) runs while a chain is half
    /// moved. Key and value bytes move as they are (`typedmemmove`), so an
    /// indirect key or value moves its pointer and its box stays where it
    /// is, as in Go. A bucket per call rather than a slot per call, so the
    /// bounds and state checks of both arrays are made once a bucket.
    pub(crate) fn evacuate_bucket(
        &mut self,
        idx: usize,
        dst: &mut Self,
        xy: &mut [EvacDst; 2],
        mut to_y: u8,
        st: &TopHashStates,
        mut on_overflow: impl FnMut(),
    ) -> usize {
        assert!(
            st.evacuated_empty < self.min_top && st.evacuated_y < self.min_top,
            "evacuated states must be reserved states"
        );
        let src = self.bucket(idx);
        let mut moved = 0;
        for i in 0..BUCKET_CNT {
            // Slot i's decision is the low bit of what is left of `to_y`.
            let y = to_y & 1 != 0;
            to_y >>= 1;
            // SAFETY: i < 8 indexes the in-bounds, initialized tophash array.
            let top = unsafe { *src.add(i) };
            if top < self.min_top {
                // An old bucket that is not yet evacuated holds only live
                // and empty slots.
                assert!(top <= st.empty_one, "bad map state");
                // SAFETY: as above; `&mut self` is unique.
                unsafe { *src.add(i) = st.evacuated_empty };
                continue;
            }
            let cursor = &mut xy[usize::from(y)];
            if cursor.slot == BUCKET_CNT {
                cursor.idx = dst.new_overflow(cursor.idx);
                on_overflow();
                cursor.slot = 0;
            }
            let (dst_b, j) = (dst.bucket(cursor.idx), cursor.slot & (BUCKET_CNT - 1));
            // SAFETY: both buckets are in bounds and i, j < 8, so the key and
            // value offsets are inside them and aligned (Shape); `self` and
            // `dst` are distinct arrays (two `&mut`), so the copies cannot
            // overlap. Slot i is live (top >= min_top): its bytes hold a key
            // and value (or their pointers). The destination slot is checked
            // dead first, and the source slot is marked evacuated in the same
            // step the destination becomes live, so the entry has exactly one
            // owner.
            unsafe {
                assert!(*dst_b.add(j) < dst.min_top, "move into a live slot");
                ptr::copy_nonoverlapping(
                    src.add(Shape::<K, V>::key_offset(i)),
                    dst_b.add(Shape::<K, V>::key_offset(j)),
                    Shape::<K, V>::KEY_SIZE,
                );
                ptr::copy_nonoverlapping(
                    src.add(Shape::<K, V>::elem_offset(i)),
                    dst_b.add(Shape::<K, V>::elem_offset(j)),
                    Shape::<K, V>::ELEM_SIZE,
                );
                *src.add(i) = st.evacuated_x + u8::from(y);
                *dst_b.add(j) = top;
            }
            cursor.slot += 1;
            moved += 1;
        }
        moved
    }

    /// The overflow bucket after `idx`, if any.
    #[inline]
    pub(crate) fn overflow(&self, idx: usize) -> Option<usize> {
        let b = self.bucket(idx);
        // SAFETY: OVERFLOW_OFFSET is inside the bucket and aligned for usize;
        // the allocation is zeroed, so the link is always initialized.
        let next = unsafe { ptr::read(b.add(Shape::<K, V>::OVERFLOW_OFFSET) as *const usize) };
        (next != 0).then_some(next)
    }

    /// `newoverflow` without the counting: hands out an empty bucket (a
    /// preallocated one first) and links it after `idx`, which must be the
    /// last bucket of its chain.
    pub(crate) fn new_overflow(&mut self, idx: usize) -> usize {
        assert!(
            self.overflow(idx).is_none(),
            "bucket {idx} already has an overflow bucket"
        );
        if self.len == self.cap {
            self.grow_storage();
        }
        let new = self.len;
        self.len += 1;
        let b = self.bucket(idx);
        // SAFETY: as in `overflow`; `&mut self` is unique.
        unsafe { ptr::write(b.add(Shape::<K, V>::OVERFLOW_OFFSET) as *mut usize, new) };
        new
    }

    /// Drops every live entry (making its slot `empty_state`).
    fn drop_entries(&mut self) {
        if !(needs_drop::<K>()
            || needs_drop::<V>()
            || Shape::<K, V>::INDIRECT_KEY
            || Shape::<K, V>::INDIRECT_ELEM)
        {
            return;
        }
        for idx in 0..self.len {
            for i in 0..BUCKET_CNT {
                if self.is_live(idx, i) {
                    drop(self.take(idx, i, 0));
                }
            }
        }
    }

    /// The bucket memory of `mapclear` (`makeBucketArray(t, h.B, h.buckets)`
    /// reusing the old array): drops the entries and zeroes every bucket,
    /// giving the overflow buckets back to the preallocated pool.
    pub(crate) fn reset(&mut self) {
        self.drop_entries();
        let bytes = self.cap * Shape::<K, V>::SIZE;
        // SAFETY: `bytes` is exactly the allocation (0 for the nil array);
        // all entries were dropped, so zeroing forgets nothing live.
        unsafe { ptr::write_bytes(self.ptr.as_ptr(), 0, bytes) };
        self.len = self.base;
        self.prealloc = self.cap - self.base;
    }

    /// A copy with the same buckets, links, states and entries.
    pub(crate) fn clone_array(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        let mut out = Self::nil(self.min_top);
        if self.cap > 0 {
            out.alloc(self.cap);
        }
        out.base = self.base;
        out.prealloc = self.prealloc;
        out.len = self.len;
        for idx in 0..self.len {
            if let Some(next) = self.overflow(idx) {
                let b = out.bucket(idx);
                // SAFETY: as in `new_overflow`.
                unsafe { ptr::write(b.add(Shape::<K, V>::OVERFLOW_OFFSET) as *mut usize, next) };
            }
            for i in 0..BUCKET_CNT {
                let top = self.tophash(idx, i);
                if top >= self.min_top {
                    let (k, v) = self.entry(idx, i);
                    out.write(idx, i, top, k.clone(), v.clone());
                } else if top != 0 {
                    out.set_state(idx, i, top);
                }
            }
        }
        out
    }
}

impl<K, V> Drop for BucketArray<K, V> {
    fn drop(&mut self) {
        self.drop_entries();
        if self.cap > 0 {
            // SAFETY: allocated in `alloc`/`grow_storage` with this layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), Self::layout(self.cap)) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_take_and_overflow_links() {
        let mut a: BucketArray<String, Box<u32>> = BucketArray::new(1, 5);
        a.write(1, 3, 200, "k".to_string(), Box::new(7));
        assert_eq!(a.entry(1, 3), (&"k".to_string(), &Box::new(7)));
        let o = a.new_overflow(1);
        assert_eq!(a.overflow(1), Some(o));
        a.write(o, 0, 9, "x".into(), Box::new(1));
        let (k, v) = a.take(1, 3, 1);
        assert_eq!((k.as_str(), *v), ("k", 7));
        assert!(!a.is_live(1, 3));
        // `o` still holds "x": dropping the array must free it (valgrind/miri clean).
    }
}
