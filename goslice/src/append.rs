//! `append` and `copy`, the built-ins that move elements
//! (`cmd/compile` lowers `append` to an in-place write or a call of
//! `runtime/slice.go: growslice`; `copy` to `memmove`).

use std::cell::Cell;
use std::rc::Rc;

use crate::error::go_panic;
use crate::slice::{Array, clone_cell};
use crate::{ElemType, Growth, HasPointers, RuntimeError, Slice, growslice};

impl<T: Clone + Default + HasPointers> Slice<T> {
    /// Go's `append(s, value)`: a new header with `value` after the last
    /// element. If the capacity has room, the value is written into the
    /// shared array (other slices over it see the write); otherwise the
    /// elements move to a new array sized by [`growslice`] for this slice's
    /// Go release.
    ///
    /// # Panics
    /// `runtime error: growslice: len out of range` if the new array could not
    /// be allocated in Go.
    ///
    /// ```
    /// let s = goslice::slice![1, 2];
    /// let t = s.append(3);
    /// assert_eq!((t.to_string(), t.cap()), ("[1 2 3]".to_string(), 4));
    /// assert_eq!(s.to_string(), "[1 2]"); // s is untouched: append returns a new header
    /// ```
    #[inline]
    #[track_caller]
    pub fn append(&self, value: T) -> Slice<T> {
        if let Some(cell) = self.spare_cell() {
            cell.set(value);
            return self.with_len(self.len + 1);
        }
        self.grow_and_append(std::iter::once(value), 1)
            .unwrap_or_else(|e| go_panic(e))
    }

    /// Go's `s = append(s, value)` in place: the header `self` is replaced by
    /// the one `append` returns (other headers are untouched, as in Go).
    ///
    /// ```
    /// let mut s = goslice::Slice::nil();
    /// for i in 0..5 {
    ///     s.push(i);
    /// }
    /// assert_eq!((s.to_string(), s.cap()), ("[0 1 2 3 4]".to_string(), 8));
    /// ```
    #[inline]
    #[track_caller]
    pub fn push(&mut self, value: T) {
        if let Some(cell) = self.spare_cell() {
            cell.set(value);
            self.len += 1;
            return;
        }
        *self = self
            .grow_and_append(std::iter::once(value), 1)
            .unwrap_or_else(|e| go_panic(e));
    }

    /// Go's `append(s, values...)` with `values` a Rust slice.
    ///
    /// ```
    /// let s = goslice::slice![1, 2].append_all(&[4, 5, 6]);
    /// assert_eq!(format!("len={}, cap={}", s.len(), s.cap()), "len=5, cap=6");
    /// ```
    #[track_caller]
    pub fn append_all(&self, values: &[T]) -> Slice<T> {
        self.try_append_iter(values.iter().cloned())
            .unwrap_or_else(|e| go_panic(e))
    }

    /// Go's `append(s, other...)` with another Go slice — which may be `s`
    /// itself or overlap it; the result is as if `other` were read first.
    ///
    /// ```
    /// let s = goslice::slice![1, 2, 3];
    /// assert_eq!(s.append_slice(&s).to_string(), "[1 2 3 1 2 3]");
    /// ```
    #[track_caller]
    pub fn append_slice(&self, other: &Slice<T>) -> Slice<T> {
        self.try_append_slice(other).unwrap_or_else(|e| go_panic(e))
    }

    /// [`Slice::append`] that returns the error instead of panicking.
    pub fn try_append(&self, value: T) -> Result<Slice<T>, RuntimeError> {
        self.try_append_iter(std::iter::once(value))
    }

    /// [`Slice::append_slice`] that returns the error instead of panicking.
    pub fn try_append_slice(&self, other: &Slice<T>) -> Result<Slice<T>, RuntimeError> {
        if size_of::<T>() != 0 && self.shares_array(other) && self.len < self.cap {
            // The write may land on elements `other` still has to read
            // (zero-sized elements are never written).
            return self.try_append_iter(other.to_vec().into_iter());
        }
        self.try_append_iter(other.iter())
    }

    /// Appends every element of an exactly sized iterator.
    pub fn try_append_iter<I>(&self, values: I) -> Result<Slice<T>, RuntimeError>
    where
        I: ExactSizeIterator<Item = T>,
    {
        let added = values.len();
        let new_len = self.len.checked_add(added);
        match new_len {
            Some(new_len) if new_len <= self.cap && size_of::<T>() != 0 => {
                let room = &self.cells_to_cap()[self.len..new_len];
                for (cell, value) in room.iter().zip(values) {
                    cell.set(value);
                }
                Ok(self.with_len(new_len))
            }
            _ => self.grow_and_append(values, added),
        }
    }

    /// The slow path: `growslice`, then the copy into the new array. Also
    /// every append of zero-sized elements, which have no storage (not even
    /// a spare cell).
    #[cold]
    #[inline(never)]
    fn grow_and_append<I>(&self, values: I, added: usize) -> Result<Slice<T>, RuntimeError>
    where
        I: ExactSizeIterator<Item = T>,
    {
        if size_of::<T>() == 0 {
            // Nothing to store: the values are not even read.
            drop(values);
            return self.append_zero_sized(added);
        }
        let growth = self.growslice(added)?;
        let new_len = self.len + added;
        let zeros = growth.new_cap - new_len;
        let array: Rc<[Cell<T>]> = self
            .cells()
            .iter()
            .map(|c| Cell::new(clone_cell(c)))
            .chain(values.map(Cell::new))
            .chain(std::iter::repeat_with(|| Cell::new(T::default())).take(zeros))
            .collect();
        // A safe `ExactSizeIterator` may lie about its length; a short array
        // would make the header lie about its capacity.
        assert_eq!(
            array.len(),
            growth.new_cap,
            "append: the iterator yielded a different count than its len()"
        );
        Ok(Slice {
            array: Array::Heap(array),
            offset: 0,
            len: new_len,
            cap: growth.new_cap,
            version: self.version,
        })
    }
}

impl<T: HasPointers> Slice<T> {
    /// `growslice` for `added` more elements under this slice's release,
    /// with its `tracing` event.
    fn growslice(&self, added: usize) -> Result<Growth, RuntimeError> {
        let growth = growslice(self.version, ElemType::of::<T>(), self.len, self.cap, added)?;
        tracing::debug!(
            target: "goslice::growslice",
            old_cap = self.cap,
            new_cap = growth.new_cap,
            bytes = growth.bytes,
            size_class = ?growth.class,
            release = %self.version,
            "slice regrown"
        );
        Ok(growth)
    }

    /// `append` of `added` zero-sized elements: the header only, in
    /// constant time however long the slice. Past the capacity,
    /// `growslice`'s zero-size case: `zerobase`, capacity = the new length.
    fn append_zero_sized(&self, added: usize) -> Result<Slice<T>, RuntimeError> {
        debug_assert_eq!(size_of::<T>(), 0);
        match self.len.checked_add(added) {
            Some(new_len) if new_len <= self.cap => Ok(self.with_len(new_len)),
            _ => {
                let growth = self.growslice(added)?;
                Ok(Slice {
                    array: Array::ZeroBase,
                    offset: 0,
                    len: self.len + added,
                    cap: growth.new_cap,
                    version: self.version,
                })
            }
        }
    }
}

impl<T: Clone + Default> Slice<T> {
    /// Go's `copy(dst, src)` with `self` as `dst`: copies
    /// `min(len(dst), len(src))` elements and returns how many. Overlapping
    /// slices of one array behave like `memmove`.
    ///
    /// ```
    /// let s = goslice::slice![1, 2, 3, 4, 5];
    /// assert_eq!(s.slice(1..).copy_from(&s), 4);
    /// assert_eq!(s.to_string(), "[1 1 2 3 4]");
    /// ```
    pub fn copy_from(&self, src: &Slice<T>) -> usize {
        let n = self.len.min(src.len);
        if size_of::<T>() == 0 {
            return n; // zero-sized elements: nothing to move
        }
        let dst = &self.cells()[..n];
        let from = &src.cells()[..n];
        // memmove: when dst starts after src in the same array, copying
        // forwards would overwrite elements before they are read.
        if self.shares_array(src) && self.offset > src.offset {
            for (d, s) in dst.iter().zip(from).rev() {
                d.set(clone_cell(s));
            }
        } else {
            for (d, s) in dst.iter().zip(from) {
                d.set(clone_cell(s));
            }
        }
        n
    }
}

/// Go's built-in `copy(dst, src)`; see [`Slice::copy_from`].
pub fn copy<T: Clone + Default>(dst: &Slice<T>, src: &Slice<T>) -> usize {
    dst.copy_from(src)
}

/// Go's built-in `append(s, values...)` as a macro:
/// `append!(s, 1, 2, 3)` is `s.append_all(&[1, 2, 3])`.
///
/// ```
/// use goslice::{append, slice};
/// let s = append!(slice![1, 1, 1], 100);
/// assert_eq!(s.to_string(), "[1 1 1 100]");
/// ```
#[macro_export]
macro_rules! append {
    ($s:expr $(,)?) => { ::std::clone::Clone::clone(&$s) };
    ($s:expr, $($x:expr),+ $(,)?) => { $s.append_all(&[$($x),+]) };
}
