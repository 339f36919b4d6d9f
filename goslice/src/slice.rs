//! The slice header `{array, len, cap}` over a shared backing array
//! (`runtime/slice.go: type slice`).
//!
//! A [`Slice`] is a cheap value, like Go's: cloning it copies the header and
//! shares the array, so a write through any slice over an array is seen by
//! every other until an `append` has to move to a new array.
//!
//! The array is `Rc<[Cell<T>]>`: shared, mutable through any header, and
//! single-threaded. Elements are read by cloning out of their cell (Go copies
//! too), which needs `T: Default` for the moment the value is out — and every
//! Go type has a zero value, which is what `Default` stands for here.
//!
//! Zero-sized element types: as in Go, every non-nil slice of them reports
//! the one `zerobase` address ([`Slice::addr`]) and appends set the capacity
//! to the new length. As in Go they have no storage at all: the slice is
//! `zerobase` and its header, so `make`, `append` and `copy` take constant
//! time however long it is (Go's `append` to `make([]struct{}, 1<<40)` is
//! instant too). A value written is dropped at once and a read gives
//! `T::default()`: every value of a zero-sized type is alike.

use std::cell::Cell;
use std::ops::{Bound, RangeBounds};
use std::rc::Rc;

use crate::error::go_panic;
use crate::{GoVersion, RuntimeError};

/// Where a slice's elements live.
pub(crate) enum Array<T> {
    /// A nil slice: no array at all (`var s []T`).
    Nil,
    /// Go's `zerobase`: what every zero-byte allocation points to. Empty
    /// non-nil slices and every non-nil slice of a zero-sized type use it
    /// (the latter of any length: their elements need no storage).
    ZeroBase,
    /// A heap array of `cap` cells.
    Heap(Rc<[Cell<T>]>),
}

impl<T> Clone for Array<T> {
    fn clone(&self) -> Self {
        match self {
            Array::Nil => Array::Nil,
            Array::ZeroBase => Array::ZeroBase,
            Array::Heap(rc) => Array::Heap(Rc::clone(rc)),
        }
    }
}

/// A Go slice: a window `[offset, offset+len)` with room up to `offset+cap`
/// on a backing array that other slices may share.
///
/// ```
/// use goslice::slice;
/// let a = slice![0, 1, 2, 3, 4];
/// let b = a.slice(1..3); // b = a[1:3], len 2, cap 4
/// b.set(0, 10);          // writes a[1]
/// assert_eq!(a.to_string(), "[0 10 2 3 4]");
/// assert_eq!((b.len(), b.cap()), (2, 4));
/// ```
///
/// `Slice` is neither `Send` nor `Sync`: Go lets goroutines write one array
/// through many headers without synchronisation, which Rust only allows
/// within one thread. Move data across threads with [`Slice::to_vec`].
///
/// ```compile_fail
/// fn send<T: Send>(_: T) {}
/// send(goslice::slice![1, 2, 3]); // Slice is not Send
/// ```
pub struct Slice<T> {
    pub(crate) array: Array<T>,
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) cap: usize,
    pub(crate) version: GoVersion,
}

impl<T> Clone for Slice<T> {
    /// Copies the header, as Go's assignment does; the array is shared.
    fn clone(&self) -> Self {
        Slice {
            array: self.array.clone(),
            offset: self.offset,
            len: self.len,
            cap: self.cap,
            version: self.version,
        }
    }
}

impl<T> Default for Slice<T> {
    /// The nil slice.
    fn default() -> Self {
        Slice::nil()
    }
}

/// An opaque address of a slice's first element, for "do these share an
/// array, and where in it" questions — what `fmt.Printf("%p", s)` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayAddr {
    array: usize,
    offset: usize,
}

impl std::fmt::Display for ArrayAddr {
    /// `0x0` for nil, like Go's `%p` of a nil slice.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.array.wrapping_add(self.offset))
    }
}

impl<T> Slice<T> {
    /// The nil slice (`var s []T`): len 0, cap 0, no array.
    pub const fn nil() -> Self {
        Slice {
            array: Array::Nil,
            offset: 0,
            len: 0,
            cap: 0,
            version: GoVersion::LATEST,
        }
    }

    /// An empty, non-nil slice (`[]T{}`), pointing at Go's `zerobase`.
    ///
    /// ```
    /// let s = goslice::Slice::<i32>::empty();
    /// assert!(!s.is_nil() && s.is_empty());
    /// ```
    pub const fn empty() -> Self {
        Slice {
            array: Array::ZeroBase,
            offset: 0,
            len: 0,
            cap: 0,
            version: GoVersion::LATEST,
        }
    }

    /// `s == nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self.array, Array::Nil)
    }

    /// `len(s)`.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// `len(s) == 0`.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `cap(s)`.
    #[inline]
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The Go release whose growth policy this slice's appends follow.
    pub fn version(&self) -> GoVersion {
        self.version
    }

    /// The same header, whose appends (and those of slices derived from it)
    /// follow `version`'s growth policy.
    ///
    /// ```
    /// use goslice::{GoVersion, Slice};
    /// let s: Slice<i64> = Slice::make(512, 512).with_version(GoVersion::V1_17);
    /// assert_eq!(s.append(0).cap(), 1024); // 1.18+ would give 848
    /// ```
    pub fn with_version(mut self, version: GoVersion) -> Self {
        self.version = version;
        self
    }

    /// Whether both slices view the same backing array (not necessarily the
    /// same elements of it). Slices of zero-sized types, and empty non-nil
    /// slices, all share Go's `zerobase`.
    pub fn shares_array(&self, other: &Slice<T>) -> bool {
        match (&self.array, &other.array) {
            (Array::Nil, _) | (_, Array::Nil) => false,
            _ if size_of::<T>() == 0 => true,
            (Array::Heap(a), Array::Heap(b)) => Rc::ptr_eq(a, b),
            (Array::ZeroBase, Array::ZeroBase) => true,
            _ => false,
        }
    }

    /// The address of the slice's first element (`%p`): equal for two slices
    /// that start at the same element of the same array.
    pub fn addr(&self) -> ArrayAddr {
        let size = size_of::<T>().max(1);
        match &self.array {
            Array::Nil => ArrayAddr {
                array: 0,
                offset: 0,
            },
            _ if size_of::<T>() == 0 => ArrayAddr {
                array: zerobase_addr(),
                offset: 0,
            },
            Array::ZeroBase => ArrayAddr {
                array: zerobase_addr(),
                offset: 0,
            },
            Array::Heap(rc) => ArrayAddr {
                array: rc.as_ptr() as usize,
                offset: self.offset * size,
            },
        }
    }

    /// The cells of this slice's window, `[offset, offset+len)`.
    #[inline]
    pub(crate) fn cells(&self) -> &[Cell<T>] {
        match &self.array {
            Array::Heap(rc) => &rc[self.offset..self.offset + self.len],
            _ => &[],
        }
    }

    /// The cells up to the capacity, `[offset, offset+cap)`.
    #[inline]
    pub(crate) fn cells_to_cap(&self) -> &[Cell<T>] {
        match &self.array {
            Array::Heap(rc) => &rc[self.offset..self.offset + self.cap],
            _ => &[],
        }
    }

    /// The first cell past the length, if the capacity has room.
    #[inline]
    pub(crate) fn spare_cell(&self) -> Option<&Cell<T>> {
        match &self.array {
            Array::Heap(rc) if self.len < self.cap => rc.get(self.offset + self.len),
            _ => None,
        }
    }

    /// This header with another length (within the capacity).
    #[inline]
    pub(crate) fn with_len(&self, len: usize) -> Slice<T> {
        debug_assert!(len <= self.cap);
        Slice {
            array: self.array.clone(),
            offset: self.offset,
            len,
            cap: self.cap,
            version: self.version,
        }
    }

    /// Resolves Go's `s[lo:hi]` bounds, with Go's defaults (`lo = 0`,
    /// `hi = len`) and Go's check order (`hi` against `cap` first).
    fn bounds2(&self, range: impl RangeBounds<usize>) -> Result<(usize, usize), RuntimeError> {
        let lo = match range.start_bound() {
            Bound::Included(&lo) => lo,
            Bound::Excluded(&lo) => lo.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let hi = match range.end_bound() {
            Bound::Included(&hi) => hi.saturating_add(1),
            Bound::Excluded(&hi) => hi,
            Bound::Unbounded => self.len,
        };
        if hi > self.cap {
            return Err(RuntimeError::SliceHighOverCap { hi, cap: self.cap });
        }
        if lo > hi {
            return Err(RuntimeError::SliceLowOverHigh { lo, hi });
        }
        Ok((lo, hi))
    }

    /// `s[lo:hi:max]` once the bounds are checked, as the compiler lowers it
    /// (`cmd/compile/internal/ssagen/ssa.go: slice`): the new pointer is
    /// `ptr + (mask(cap) & (lo * elemsize))`, so a result with capacity 0
    /// keeps the old pointer rather than point past the end of the array.
    fn reslice(&self, lo: usize, hi: usize, max: usize) -> Slice<T> {
        let cap = max - lo;
        Slice {
            // The array is kept even when the result is empty: only a nil
            // slice stays nil.
            array: self.array.clone(),
            offset: if cap == 0 {
                self.offset
            } else {
                self.offset + lo
            },
            len: hi - lo,
            cap,
            version: self.version,
        }
    }

    /// Go's `s[lo:hi]`, with `a..b`, `a..`, `..b` and `..` standing for
    /// `s[a:b]`, `s[a:]`, `s[:b]` and `s[:]`. The result shares the array and
    /// keeps the capacity up to the end of it.
    ///
    /// # Panics
    /// With Go's message if `hi > cap` or `lo > hi`, e.g.
    /// `runtime error: slice bounds out of range [:7] with capacity 5`.
    ///
    /// ```
    /// let s = goslice::slice![0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    /// let s1 = s.slice(2..5);
    /// assert_eq!((s1.to_string(), s1.cap()), ("[2 3 4]".to_string(), 8));
    /// assert_eq!(s1.slice(..6).to_string(), "[2 3 4 5 6 7]"); // up to cap, not len
    /// ```
    #[track_caller]
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Slice<T> {
        self.try_slice(range).unwrap_or_else(|e| go_panic(e))
    }

    /// [`Slice::slice`] that returns the error instead of panicking.
    pub fn try_slice(&self, range: impl RangeBounds<usize>) -> Result<Slice<T>, RuntimeError> {
        let (lo, hi) = self.bounds2(range)?;
        Ok(self.reslice(lo, hi, self.cap))
    }

    /// Go's three-index `s[lo:hi:max]`: like `s[lo:hi]` with the capacity
    /// cut to `max - lo`, so the next append past it must reallocate.
    ///
    /// # Panics
    /// With Go's message if `max > cap`, `hi > max` or `lo > hi`.
    ///
    /// ```
    /// let s = goslice::slice![0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    /// let s2 = s.slice(2..5).slice3(2, 6, 7);
    /// assert_eq!((s2.to_string(), s2.cap()), ("[4 5 6 7]".to_string(), 5));
    /// ```
    #[track_caller]
    pub fn slice3(&self, lo: usize, hi: usize, max: usize) -> Slice<T> {
        self.try_slice3(lo, hi, max).unwrap_or_else(|e| go_panic(e))
    }

    /// [`Slice::slice3`] that returns the error instead of panicking.
    pub fn try_slice3(&self, lo: usize, hi: usize, max: usize) -> Result<Slice<T>, RuntimeError> {
        if max > self.cap {
            return Err(RuntimeError::Slice3MaxOverCap { max, cap: self.cap });
        }
        if hi > max {
            return Err(RuntimeError::Slice3HighOverMax { hi, max });
        }
        if lo > hi {
            return Err(RuntimeError::Slice3LowOverHigh { lo, hi });
        }
        Ok(self.reslice(lo, hi, max))
    }

    /// Checks an index against the length (`boundsIndex`).
    #[inline]
    pub(crate) fn check_index(&self, index: usize) -> Result<&Cell<T>, RuntimeError> {
        self.cells()
            .get(index)
            .ok_or(RuntimeError::IndexOutOfRange {
                index,
                len: self.len,
            })
    }

    /// [`check_index`](Self::check_index) for an element of a zero-sized
    /// type, which has no cell.
    #[cold]
    fn check_zero_sized_index(&self, index: usize) -> Result<(), RuntimeError> {
        if index < self.len {
            Ok(())
        } else {
            Err(RuntimeError::IndexOutOfRange {
                index,
                len: self.len,
            })
        }
    }

    /// `s[index] = value`.
    ///
    /// # Panics
    /// `runtime error: index out of range [i] with length n`.
    #[inline]
    #[track_caller]
    pub fn set(&self, index: usize, value: T) {
        if let Err(e) = self.try_set(index, value) {
            go_panic(e);
        }
    }

    /// [`Slice::set`] that returns the error instead of panicking.
    #[inline]
    pub fn try_set(&self, index: usize, value: T) -> Result<(), RuntimeError> {
        if size_of::<T>() == 0 {
            // Nothing to store: the value is dropped.
            return self.check_zero_sized_index(index);
        }
        self.check_index(index).map(|cell| cell.set(value))
    }

    /// Replaces `s[index]` and returns the old value (for a zero-sized type,
    /// which stores nothing, the value given: all its values are alike).
    #[track_caller]
    pub fn replace(&self, index: usize, value: T) -> T {
        if size_of::<T>() == 0 {
            return match self.check_zero_sized_index(index) {
                Ok(()) => value,
                Err(e) => go_panic(e),
            };
        }
        match self.check_index(index) {
            Ok(cell) => cell.replace(value),
            Err(e) => go_panic(e),
        }
    }
}

impl<T: Clone + Default> Slice<T> {
    /// Go's `make([]T, len, cap)`: `len` zero values (`T::default()`), room
    /// for `cap`.
    ///
    /// # Panics
    /// `runtime error: makeslice: cap out of range` if `cap < len` or the
    /// array could not be allocated; `makeslice: len out of range` likewise
    /// for `len`.
    ///
    /// ```
    /// let s: goslice::Slice<i32> = goslice::Slice::make(3, 5);
    /// assert_eq!((s.to_string(), s.len(), s.cap()), ("[0 0 0]".to_string(), 3, 5));
    /// ```
    #[track_caller]
    pub fn make(len: usize, cap: usize) -> Self {
        Self::try_make(len, cap).unwrap_or_else(|e| go_panic(e))
    }

    /// [`Slice::make`] that returns the error instead of panicking
    /// (`runtime/slice.go: makeslice`).
    pub fn try_make(len: usize, cap: usize) -> Result<Self, RuntimeError> {
        let max = crate::max_alloc(GoVersion::LATEST);
        let size = size_of::<T>();
        let fits = |n: usize| n.checked_mul(size).is_some_and(|b| b <= max);
        if !fits(cap) || len > cap {
            // Go reports len when len alone is too big, else cap.
            return Err(if !fits(len) {
                RuntimeError::MakesliceLenOutOfRange
            } else {
                RuntimeError::MakesliceCapOutOfRange
            });
        }
        let array = if cap == 0 || size_of::<T>() == 0 {
            Array::ZeroBase
        } else {
            Array::Heap(
                std::iter::repeat_with(|| Cell::new(T::default()))
                    .take(cap)
                    .collect(),
            )
        };
        Ok(Slice {
            array,
            offset: 0,
            len,
            cap,
            version: GoVersion::LATEST,
        })
    }

    /// `s[index]` (a copy, as in Go).
    ///
    /// # Panics
    /// `runtime error: index out of range [i] with length n`.
    #[inline]
    #[track_caller]
    pub fn get(&self, index: usize) -> T {
        match self.try_get(index) {
            Ok(value) => value,
            Err(e) => go_panic(e),
        }
    }

    /// [`Slice::get`] that returns the error instead of panicking.
    #[inline]
    pub fn try_get(&self, index: usize) -> Result<T, RuntimeError> {
        if size_of::<T>() == 0 {
            // A zero-sized type's one value.
            return self.check_zero_sized_index(index).map(|()| T::default());
        }
        self.check_index(index).map(clone_cell)
    }

    /// The elements, copied into a `Vec`.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }
}

/// A copy of the value in `cell`. The value is taken out while it is cloned,
/// so a `Clone` impl that reads the same slice sees a zero value instead of
/// aliasing memory being written.
#[inline]
pub(crate) fn clone_cell<T: Clone + Default>(cell: &Cell<T>) -> T {
    let value = cell.take();
    let copy = value.clone();
    cell.set(value);
    copy
}

fn zerobase_addr() -> usize {
    static ZEROBASE: u8 = 0;
    &ZEROBASE as *const u8 as usize
}

impl<T> From<Vec<T>> for Slice<T> {
    /// A slice over the vector's elements, len = cap = `v.len()`. An empty
    /// vector gives an empty, non-nil slice.
    fn from(v: Vec<T>) -> Self {
        let len = v.len();
        let array = if len == 0 || size_of::<T>() == 0 {
            Array::ZeroBase
        } else {
            Array::Heap(v.into_iter().map(Cell::new).collect())
        };
        Slice {
            array,
            offset: 0,
            len,
            cap: len,
            version: GoVersion::LATEST,
        }
    }
}

impl<T> FromIterator<T> for Slice<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Slice::from(iter.into_iter().collect::<Vec<T>>())
    }
}

/// A slice literal, like Go's `[]T{a, b, c}`: `slice![1, 2, 3]`, or
/// `slice![0; n]` for `n` copies. `slice![]` is empty but not nil.
///
/// ```
/// let s = goslice::slice![1, 2, 3];
/// assert_eq!((s.len(), s.cap(), s.to_string()), (3, 3, "[1 2 3]".to_string()));
/// ```
#[macro_export]
macro_rules! slice {
    () => { $crate::Slice::empty() };
    ($elem:expr; $n:expr) => { $crate::Slice::from(::std::vec![$elem; $n]) };
    ($($x:expr),+ $(,)?) => { $crate::Slice::from(::std::vec![$($x),+]) };
}
