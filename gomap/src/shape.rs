//! The byte layouts of the two maps' storage units for keys `K` and values
//! `V`, as constants that fold at compile time, and how a slot is read when
//! the key or value is stored indirectly: the classic bucket (`bmap`, what
//! Go 1.19's compiler computes in `cmd/compile/internal/reflectdata:
//! MapBucketType`) and the swiss group (Go 1.27's `MapGroupType`, below
//! [`GroupShape`]).
//!
//! One bucket, for `K` and `V` of at most 128 bytes (larger ones are stored
//! indirectly: the slot holds a pointer to a boxed key or value, as Go's
//! `indirectkey`/`indirectelem`):
//!
//! ```text
//! offset 0             DATA_OFFSET          ELEMS_OFFSET         OVERFLOW_OFFSET
//!        +-------------+--------------------+--------------------+-----------------+
//!        | tophash [8] | key0 key1 ... key7 | val0 val1 ... val7 | overflow (usize)|
//!        +-------------+--------------------+--------------------+-----------------+
//! ```
//!
//! Keys together then values together, so `map[int64]int8` needs no padding
//! between pairs (the notes' point). Go links overflow buckets by pointer;
//! here every bucket of one array lives in one allocation (the `2^B` main
//! buckets, then overflow buckets: Go's preallocated `nextOverflow` tail,
//! then more as needed), and the link is the index of the next bucket in that
//! allocation (`0` = nil: bucket 0 is always a main bucket).

use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ptr;

use crate::version::BUCKET_CNT;

/// Keys over this size are stored indirectly (`maxKeySize`).
pub(crate) const MAX_KEY_SIZE: usize = 128;
/// Values over this size are stored indirectly (`maxElemSize`).
pub(crate) const MAX_ELEM_SIZE: usize = 128;

const fn round_up(n: usize, align: usize) -> usize {
    (n + align - 1) & !(align - 1)
}

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// The byte layout of a bucket for keys `K` and values `V` (all constants
/// fold at compile time, like the compiler-generated `bmap` type).
pub(crate) struct Shape<K, V>(PhantomData<(K, V)>);

impl<K, V> Shape<K, V> {
    /// Keys are stored as `*mut K` (a leaked `Box<K>`).
    pub(crate) const INDIRECT_KEY: bool = size_of::<K>() > MAX_KEY_SIZE;
    /// Values are stored as `*mut V` (a leaked `Box<V>`).
    pub(crate) const INDIRECT_ELEM: bool = size_of::<V>() > MAX_ELEM_SIZE;
    /// Bytes of one key slot (`t.keysize`).
    pub(crate) const KEY_SIZE: usize = if Self::INDIRECT_KEY {
        size_of::<*mut K>()
    } else {
        size_of::<K>()
    };
    pub(crate) const KEY_ALIGN: usize = if Self::INDIRECT_KEY {
        align_of::<*mut K>()
    } else {
        align_of::<K>()
    };
    /// Bytes of one value slot (`t.elemsize`).
    pub(crate) const ELEM_SIZE: usize = if Self::INDIRECT_ELEM {
        size_of::<*mut V>()
    } else {
        size_of::<V>()
    };
    pub(crate) const ELEM_ALIGN: usize = if Self::INDIRECT_ELEM {
        align_of::<*mut V>()
    } else {
        align_of::<V>()
    };
    /// Where the keys start (`dataOffset`, 8 on 64-bit Go).
    pub(crate) const DATA_OFFSET: usize = round_up(BUCKET_CNT, Self::KEY_ALIGN);
    /// Where the values start.
    pub(crate) const ELEMS_OFFSET: usize = round_up(
        Self::DATA_OFFSET + BUCKET_CNT * Self::KEY_SIZE,
        Self::ELEM_ALIGN,
    );
    /// Where the overflow link sits.
    pub(crate) const OVERFLOW_OFFSET: usize = round_up(
        Self::ELEMS_OFFSET + BUCKET_CNT * Self::ELEM_SIZE,
        align_of::<usize>(),
    );
    /// Alignment of a bucket (at least 8, so tophash can be read as a `u64`).
    pub(crate) const ALIGN: usize = max(
        max(Self::KEY_ALIGN, Self::ELEM_ALIGN),
        max(align_of::<usize>(), 8),
    );
    /// `t.bucketsize`.
    pub(crate) const SIZE: usize =
        round_up(Self::OVERFLOW_OFFSET + size_of::<usize>(), Self::ALIGN);

    /// Byte offset of slot `i`'s key in a bucket (`i` is taken mod 8, so
    /// the offset is always inside the bucket).
    pub(crate) const fn key_offset(i: usize) -> usize {
        Self::DATA_OFFSET + (i & (BUCKET_CNT - 1)) * Self::KEY_SIZE
    }

    /// Byte offset of slot `i`'s value in a bucket (`i` taken mod 8).
    pub(crate) const fn elem_offset(i: usize) -> usize {
        Self::ELEMS_OFFSET + (i & (BUCKET_CNT - 1)) * Self::ELEM_SIZE
    }

    /// The key a key slot holds (see [`held_in`]).
    ///
    /// # Safety
    /// As for [`held_in`], for a key slot of this shape.
    #[inline]
    pub(crate) unsafe fn key_in(slot: *mut u8) -> *mut K {
        // SAFETY: our caller gives a live key slot of this shape, which is
        // laid out for `K`, or for `*mut K` exactly when INDIRECT_KEY: what
        // `held_in` asks.
        unsafe { held_in(slot, Self::INDIRECT_KEY) }
    }

    /// The value a value slot holds (see [`held_in`]).
    ///
    /// # Safety
    /// As for [`held_in`], for a value slot of this shape.
    #[inline]
    pub(crate) unsafe fn elem_in(slot: *mut u8) -> *mut V {
        // SAFETY: as in `key_in`, for a value slot and INDIRECT_ELEM.
        unsafe { held_in(slot, Self::INDIRECT_ELEM) }
    }
}

/// The byte layout of a swiss group for keys `K` and values `V`: Go 1.27's
/// default (interleaved) group type, a control word then eight slots, each
/// a key and its value (`cmd/compile/internal/reflectdata: MapGroupType`
/// without `GOEXPERIMENT=mapsplitgroup`). Keys and values over 128 bytes are
/// stored indirectly, as in the classic bucket.
///
/// ```text
/// offset 0           SLOTS_OFFSET
///        +-----------+----------------+----------------+-----+----------------+
///        | ctrl (u64)| key0 [pad] val0| key1 [pad] val1| ... | key7 [pad] val7|
///        +-----------+----------------+----------------+-----+----------------+
///                    |<- SLOT_SIZE -->|
/// ```
///
/// `map[int64]int64`: 8 + 8 × 16 = 136 bytes, as Go's `GroupSize`. A slot
/// whose value has size zero keeps Go's trailing byte of padding (Go gives a
/// struct that ends in a zero-sized field one more byte, so pointers to it
/// stay inside): `map[int64]struct{}`'s slots are 16 bytes, not 8.
pub(crate) struct GroupShape<K, V>(PhantomData<(K, V)>);

impl<K, V> GroupShape<K, V> {
    /// Keys are stored as `*mut K` (a leaked `Box<K>`).
    pub(crate) const INDIRECT_KEY: bool = Shape::<K, V>::INDIRECT_KEY;
    /// Values are stored as `*mut V` (a leaked `Box<V>`).
    pub(crate) const INDIRECT_ELEM: bool = Shape::<K, V>::INDIRECT_ELEM;
    /// Bytes of a key in its slot.
    pub(crate) const KEY_SIZE: usize = Shape::<K, V>::KEY_SIZE;
    /// Bytes of a value in its slot.
    pub(crate) const ELEM_SIZE: usize = Shape::<K, V>::ELEM_SIZE;
    const SLOT_ALIGN: usize = max(Shape::<K, V>::KEY_ALIGN, Shape::<K, V>::ELEM_ALIGN);
    /// Where the value sits in a slot (`ElemOff`).
    pub(crate) const ELEM_IN_SLOT: usize = round_up(Self::KEY_SIZE, Shape::<K, V>::ELEM_ALIGN);
    /// The slot struct's size before rounding: with Go's extra byte when it
    /// ends in a zero-sized value.
    const SLOT_END: usize = Self::ELEM_IN_SLOT
        + Self::ELEM_SIZE
        + if Self::ELEM_SIZE == 0 && Self::ELEM_IN_SLOT > 0 {
            1
        } else {
            0
        };
    /// Bytes between two slots (`KeyStride`, `ElemStride`).
    pub(crate) const SLOT_SIZE: usize = round_up(Self::SLOT_END, Self::SLOT_ALIGN);
    /// Where slot 0 starts (`KeysOff`).
    pub(crate) const SLOTS_OFFSET: usize = round_up(8, Self::SLOT_ALIGN);
    /// Alignment of a group (at least 8, for the control word).
    pub(crate) const ALIGN: usize = max(Self::SLOT_ALIGN, 8);
    /// `GroupSize`. A group of zero-sized slots still ends one byte past
    /// its control word (Go's padding rule again), so it is 16 bytes.
    pub(crate) const SIZE: usize = round_up(
        Self::SLOTS_OFFSET
            + BUCKET_CNT * Self::SLOT_SIZE
            + if Self::SLOT_SIZE == 0 { 1 } else { 0 },
        Self::ALIGN,
    );

    /// Byte offset of slot `i`'s key in a group (`i` taken mod 8).
    #[inline]
    pub(crate) const fn key_offset(i: usize) -> usize {
        Self::SLOTS_OFFSET + (i & (BUCKET_CNT - 1)) * Self::SLOT_SIZE
    }

    /// Byte offset of slot `i`'s value in a group (`i` taken mod 8).
    #[inline]
    pub(crate) const fn elem_offset(i: usize) -> usize {
        Self::key_offset(i) + Self::ELEM_IN_SLOT
    }

    /// The key a key slot holds (see [`held_in`]).
    ///
    /// # Safety
    /// As for [`held_in`], for a key slot of this shape.
    #[inline]
    pub(crate) unsafe fn key_in(slot: *mut u8) -> *mut K {
        // SAFETY: our caller gives a live key slot of this shape, laid out
        // for `K`, or for `*mut K` exactly when INDIRECT_KEY.
        unsafe { held_in(slot, Self::INDIRECT_KEY) }
    }

    /// The value a value slot holds (see [`held_in`]).
    ///
    /// # Safety
    /// As for [`held_in`], for a value slot of this shape.
    #[inline]
    pub(crate) unsafe fn elem_in(slot: *mut u8) -> *mut V {
        // SAFETY: as in `key_in`, for a value slot and INDIRECT_ELEM.
        unsafe { held_in(slot, Self::INDIRECT_ELEM) }
    }
}

/// What a slot holds: the slot itself, or (`indirect`) the box whose
/// pointer it stores.
///
/// # Safety
/// `slot` is a live slot laid out for `X` (or, when `indirect`, for a
/// `*mut X`, which then holds the pointer `write` stored).
#[inline]
unsafe fn held_in<X>(slot: *mut u8, indirect: bool) -> *mut X {
    if indirect {
        // SAFETY: a live indirect slot holds an aligned `*mut X` (this
        // function's contract; slots are pointer-aligned).
        unsafe { ptr::read(slot as *const *mut X) }
    } else {
        slot as *mut X
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_go_for_int64_maps() {
        // map[int64]int64: 8 + 8*8 + 8*8 + 8 = 144 bytes, as Go's bucketsize.
        assert_eq!(Shape::<i64, i64>::SIZE, 144);
        // map[int64]int8: keys together, values together, no padding: 88.
        assert_eq!(Shape::<i64, i8>::SIZE, 88);
        assert_eq!(Shape::<i64, i8>::ELEMS_OFFSET, 72);
        // a 200-byte value is stored through a pointer.
        const { assert!(Shape::<u8, [u8; 200]>::INDIRECT_ELEM) };
        assert_eq!(Shape::<u8, [u8; 200]>::SIZE, 8 + 8 + 64 + 8);
        const { assert!(!Shape::<u8, [u8; 128]>::INDIRECT_ELEM) };
    }

    #[test]
    fn group_layout_matches_go_1_27() {
        // Go 1.27's GroupSize, KeysOff and ElemOff, printed by
        // tests/golden/gen-swiss (`go run . layout`).
        type G<K, V> = GroupShape<K, V>;
        assert_eq!((G::<i64, i64>::SIZE, G::<i64, i64>::SLOT_SIZE), (136, 16));
        assert_eq!(G::<i64, i64>::elem_offset(0), 16);
        assert_eq!((G::<i64, i8>::SIZE, G::<i64, i8>::SLOT_SIZE), (136, 16));
        assert_eq!((G::<i8, i64>::SIZE, G::<i8, i64>::ELEM_IN_SLOT), (136, 8));
        assert_eq!((G::<u8, u8>::SIZE, G::<u8, u8>::SLOT_SIZE), (24, 2));
        assert_eq!((G::<i64, ()>::SIZE, G::<i64, ()>::SLOT_SIZE), (136, 16));
        assert_eq!((G::<(), ()>::SIZE, G::<(), ()>::SLOT_SIZE), (16, 0));
        assert_eq!(G::<u32, u8>::SIZE, 72);
        // Over 128 bytes: a pointer in the slot.
        assert_eq!(G::<[u8; 200], u8>::SIZE, 8 + 8 * 16);
        assert_eq!(G::<u8, [u8; 129]>::SIZE, 8 + 8 * 16);
        assert_eq!(G::<[u8; 128], u8>::SIZE, 8 + 8 * 129);
    }
}
