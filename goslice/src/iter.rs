//! Iteration (Go's `for i, v := range s`) and printing (`fmt.Println(s)`).

use std::cell::Cell;
use std::fmt;

use crate::Slice;
use crate::slice::clone_cell;

/// Iterator over copies of a slice's elements; see [`Slice::iter`].
///
/// Like Go's `range`, it reads the window fixed when it started; writes
/// through any slice during the loop are seen by the elements not read yet.
pub struct Iter<'a, T> {
    cells: std::slice::Iter<'a, Cell<T>>,
    /// Elements of a zero-sized type still to come (they have no cells).
    zero_sized: usize,
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &(self.cells.len() + self.zero_sized))
            .finish()
    }
}

impl<T: Clone + Default> Iter<'_, T> {
    /// The next zero-sized element, if any are left.
    #[inline]
    fn next_zero_sized(&mut self) -> Option<T> {
        self.zero_sized = self.zero_sized.checked_sub(1)?;
        Some(T::default())
    }
}

impl<T: Clone + Default> Iterator for Iter<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match self.cells.next() {
            Some(cell) => Some(clone_cell(cell)),
            None => self.next_zero_sized(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.cells.len() + self.zero_sized;
        (n, Some(n))
    }

    #[inline]
    fn fold<B, F: FnMut(B, T) -> B>(self, init: B, mut f: F) -> B {
        let acc = self.cells.fold(init, |acc, c| f(acc, clone_cell(c)));
        (0..self.zero_sized).fold(acc, |acc, _| f(acc, T::default()))
    }
}

impl<T: Clone + Default> DoubleEndedIterator for Iter<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        match self.cells.next_back() {
            Some(cell) => Some(clone_cell(cell)),
            None => self.next_zero_sized(),
        }
    }
}

impl<T: Clone + Default> ExactSizeIterator for Iter<'_, T> {}

impl<T: Clone + Default> Slice<T> {
    /// Copies of the elements, in order (Go's `for _, v := range s`).
    ///
    /// ```
    /// let s = goslice::slice![1, 2, 3];
    /// assert_eq!(s.iter().sum::<i32>(), 6);
    /// for (i, v) in s.iter().enumerate() {
    ///     s.set(i, v + 1); // writes while ranging, as Go allows
    /// }
    /// assert_eq!(s.to_string(), "[2 3 4]");
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        let cells = self.cells();
        Iter {
            cells: cells.iter(),
            zero_sized: self.len - cells.len(),
        }
    }
}

impl<'a, T: Clone + Default> IntoIterator for &'a Slice<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: fmt::Display + Default> fmt::Display for Slice<T> {
    /// Go's `fmt.Println(s)`: `[1 2 3]`; a nil or empty slice prints `[]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_elems(self, f, " ", fmt::Display::fmt)
    }
}

impl<T: fmt::Debug + Default> fmt::Debug for Slice<T> {
    /// The elements as a list, then the header: `[1, 2] (len 2, cap 4)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_elems(self, f, ", ", fmt::Debug::fmt)?;
        write!(f, " (len {}, cap {}", self.len, self.cap)?;
        if self.is_nil() {
            f.write_str(", nil")?;
        }
        f.write_str(")")
    }
}

/// Writes `[a<sep>b<sep>c]`, each element through `write`.
fn write_elems<T: Default>(
    s: &Slice<T>,
    f: &mut fmt::Formatter<'_>,
    sep: &str,
    write: fn(&T, &mut fmt::Formatter<'_>) -> fmt::Result,
) -> fmt::Result {
    f.write_str("[")?;
    let cells = s.cells();
    // The elements of a zero-sized type have no cells: each is this value.
    let zero_sized = T::default();
    for i in 0..s.len() {
        if i > 0 {
            f.write_str(sep)?;
        }
        match cells.get(i) {
            Some(cell) => with_value(cell, |v| write(v, f))?,
            None => write(&zero_sized, f)?,
        }
    }
    f.write_str("]")
}

/// Lends the value in `cell` to `f` without cloning it: `Cell` gives no `&T`
/// to a shared owner, so the value is taken out and put back.
fn with_value<T: Default, R>(cell: &Cell<T>, f: impl FnOnce(&T) -> R) -> R {
    let value = cell.take();
    let result = f(&value);
    cell.set(value);
    result
}
