//! `growslice`: the capacity an `append` produces, exact per Go release
//! (`runtime/slice.go: growslice, nextslicecap`).
//!
//! Two steps, both pure:
//! 1. the capacity policy picks a minimum `newcap` ([`next_slice_cap`]):
//!    - Go 1.9–1.15: double while `old.len < 1024`, else grow by 1/4 until it
//!      fits (the seed quotes 1.9.5, which tests `old.len`, not `old.cap`);
//!    - Go 1.16–1.17: the same, testing `old.cap < 1024`;
//!    - Go 1.18+: double while `old.cap < 256`, else
//!      `newcap += (newcap + 3*256) / 4` until it fits;
//!    - either way, if the new length is more than double, the new length.
//! 2. `roundupsize(newcap * size)` rounds the bytes up to the allocator's
//!    size class (or whole pages), and the spare bytes become spare capacity
//!    ([`roundupsize`](crate::roundupsize)).

use crate::sizeclass::{Rounded, SizeClass, roundupsize};
use crate::{GoVersion, HasPointers, RuntimeError};

/// What `growslice` needs to know of an element type: Go's `_type.Size_` and
/// whether `_type.PtrBytes != 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ElemType {
    /// `size_of::<T>()`.
    pub size: usize,
    /// Whether the element holds pointers (matters from Go 1.22 on).
    pub pointers: bool,
}

impl ElemType {
    /// The element type of a Rust `T`.
    ///
    /// ```
    /// use goslice::ElemType;
    /// assert_eq!(ElemType::of::<u64>(), ElemType { size: 8, pointers: false });
    /// assert_eq!(ElemType::of::<String>(), ElemType { size: 24, pointers: true });
    /// ```
    pub const fn of<T: HasPointers>() -> ElemType {
        ElemType {
            size: size_of::<T>(),
            pointers: T::HAS_POINTERS,
        }
    }
}

/// `maxAlloc` on linux/amd64: the largest allocation Go allows.
///
/// Go 1.11 introduced `maxAlloc = 1 << heapAddrBits` (48 bits); before it,
/// `_MaxMem` was the 512 GiB arena, `1<<39 - 1`.
pub fn max_alloc(version: GoVersion) -> usize {
    if version >= GoVersion::V1_11 {
        1 << 48
    } else {
        (1 << 39) - 1
    }
}

/// Models the capacity policy of `growslice` (its own function,
/// `nextslicecap`, since Go 1.22):
/// the capacity, before size-class rounding, for a slice of `old_len` /
/// `old_cap` that must hold `new_len` elements.
///
/// ```
/// use goslice::{next_slice_cap, GoVersion};
/// // The seed: []int{1,2} append 3 elements: more than double, so 5.
/// assert_eq!(next_slice_cap(GoVersion::V1_27, 2, 2, 5), 5);
/// // Go 1.17 doubles until cap 1024; Go 1.18 starts to slow at cap 256.
/// assert_eq!(next_slice_cap(GoVersion::V1_17, 512, 512, 513), 1024);
/// // Go 1.15 tested the length, 1.16 the capacity.
/// assert_eq!(next_slice_cap(GoVersion::V1_15, 1000, 1100, 1200), 2200);
/// assert_eq!(next_slice_cap(GoVersion::V1_16, 1000, 1100, 1200), 1375);
/// assert_eq!(next_slice_cap(GoVersion::V1_18, 512, 512, 513), 832);
/// ```
pub fn next_slice_cap(version: GoVersion, old_len: usize, old_cap: usize, new_len: usize) -> usize {
    // Go computes in signed `int`; the overflow checks below mirror its
    // `0 < newcap` / `uint(newcap) >= uint(newLen)` tests.
    let (old_len, old_cap, new_len) = (old_len as isize, old_cap as isize, new_len as isize);
    let doublecap = old_cap.wrapping_add(old_cap);
    if new_len > doublecap {
        return new_len as usize;
    }
    let mut newcap = old_cap;
    if version >= GoVersion::V1_18 {
        const THRESHOLD: isize = 256;
        if old_cap < THRESHOLD {
            return doublecap as usize;
        }
        loop {
            newcap = newcap.wrapping_add((newcap.wrapping_add(3 * THRESHOLD)) >> 2);
            if newcap as usize >= new_len as usize {
                break;
            }
        }
        if newcap <= 0 {
            new_len as usize
        } else {
            newcap as usize
        }
    } else {
        // Go 1.9–1.15 test `old.len < 1024`; Go 1.16 switched to `old.cap`
        // (commit 2333c6299f).
        let small = if version >= GoVersion::V1_16 {
            old_cap < 1024
        } else {
            old_len < 1024
        };
        if small {
            return doublecap as usize;
        }
        while 0 < newcap && newcap < new_len {
            newcap = newcap.wrapping_add(newcap / 4);
        }
        if newcap <= 0 {
            new_len as usize
        } else {
            newcap as usize
        }
    }
}

/// The new backing array [`growslice`] picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Growth {
    /// The new capacity, in elements.
    pub new_cap: usize,
    /// The bytes of the new array (`newcap * size`; Go's `capmem`).
    pub bytes: usize,
    /// The size class the array is allocated from.
    pub class: SizeClass,
}

/// Models `growslice` (`runtime/slice.go`): the backing array an `append` of
/// `added` elements allocates for a slice of `old_len` / `old_cap`, or the
/// error Go panics with when it cannot be allocated.
///
/// Zero-sized elements never allocate: the capacity becomes the new length.
///
/// ```
/// use goslice::{growslice, ElemType, GoVersion};
/// let int = ElemType { size: 8, pointers: false };
/// // The seed: append(s, 4, 5, 6) with len=cap=2 gives cap 6.
/// assert_eq!(growslice(GoVersion::V1_27, int, 2, 2, 3).unwrap().new_cap, 6);
/// assert!(growslice(GoVersion::V1_27, int, 0, 0, usize::MAX / 2).is_err());
/// ```
pub fn growslice(
    version: GoVersion,
    elem: ElemType,
    old_len: usize,
    old_cap: usize,
    added: usize,
) -> Result<Growth, RuntimeError> {
    let overflow_error = if version >= GoVersion::V1_20 {
        RuntimeError::GrowsliceLenOutOfRange
    } else {
        RuntimeError::GrowsliceCapOutOfRange
    };
    // Go's `newLen < 0`: the length overflowed `int`.
    let new_len = old_len
        .checked_add(added)
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or(overflow_error)?;
    if elem.size == 0 {
        return Ok(Growth {
            new_cap: new_len,
            bytes: 0,
            class: SizeClass::Small(0),
        });
    }
    let newcap = next_slice_cap(version, old_len, old_cap, new_len);
    let max = max_alloc(version);
    let noscan = !elem.pointers;
    // Go specialises sizes 1, 8 and powers of two with shifts; all compute
    // `roundupsize(newcap * size) / size`, checked against maxAlloc.
    let bytes = match newcap.checked_mul(elem.size) {
        Some(bytes) if bytes <= max => bytes,
        _ => return Err(overflow_error),
    };
    let Rounded {
        bytes: rounded,
        class,
    } = roundupsize(version, bytes, noscan);
    let new_cap = rounded / elem.size;
    let bytes = new_cap * elem.size;
    if bytes > max {
        return Err(overflow_error);
    }
    Ok(Growth {
        new_cap,
        bytes,
        class,
    })
}

/// The capacity after `append`ing `added` elements to a slice of `len` /
/// `cap`: unchanged if they fit, else [`growslice`]'s.
///
/// ```
/// use goslice::{append_cap, ElemType, GoVersion};
/// let int = ElemType::of::<i64>();
/// assert_eq!(append_cap(GoVersion::V1_27, int, 2, 10, 3), Ok(10));
/// assert_eq!(append_cap(GoVersion::V1_27, int, 2, 2, 3), Ok(6));
/// ```
pub fn append_cap(
    version: GoVersion,
    elem: ElemType,
    len: usize,
    cap: usize,
    added: usize,
) -> Result<usize, RuntimeError> {
    match len.checked_add(added) {
        Some(new_len) if new_len <= cap => Ok(cap),
        _ => growslice(version, elem, len, cap, added).map(|g| g.new_cap),
    }
}
