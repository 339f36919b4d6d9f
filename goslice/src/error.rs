//! Runtime errors with Go's exact texts (`runtime/error.go: boundsError`,
//! `runtime/slice.go`).
//!
//! The panicking API panics with `Display` of these; the `try_` API returns
//! them. Go prints `panic: runtime error: ...`; the `runtime error: ` part is
//! in our message, the `panic: ` part is the panic itself.

use std::fmt;

/// A Go runtime error raised by slice operations.
///
/// ```
/// use goslice::{slice, RuntimeError};
/// let s = slice![1, 2, 3];
/// let err = s.try_get(5).unwrap_err();
/// assert_eq!(err, RuntimeError::IndexOutOfRange { index: 5, len: 3 });
/// assert_eq!(err.to_string(), "runtime error: index out of range [5] with length 3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuntimeError {
    /// `s[index]` with `index >= len` (`boundsIndex`).
    IndexOutOfRange {
        /// The index used.
        index: usize,
        /// The slice's length.
        len: usize,
    },
    /// `s[:hi]` with `hi > cap` (`boundsSliceAcap`).
    SliceHighOverCap {
        /// The high bound used.
        hi: usize,
        /// The slice's capacity.
        cap: usize,
    },
    /// `s[lo:hi]` with `lo > hi` (`boundsSliceB`).
    SliceLowOverHigh {
        /// The low bound.
        lo: usize,
        /// The high bound.
        hi: usize,
    },
    /// `s[::max]` with `max > cap` (`boundsSlice3Acap`).
    Slice3MaxOverCap {
        /// The max bound used.
        max: usize,
        /// The slice's capacity.
        cap: usize,
    },
    /// `s[:hi:max]` with `hi > max` (`boundsSlice3B`).
    Slice3HighOverMax {
        /// The high bound.
        hi: usize,
        /// The max bound.
        max: usize,
    },
    /// `s[lo:hi:]` with `lo > hi` (`boundsSlice3C`).
    Slice3LowOverHigh {
        /// The low bound.
        lo: usize,
        /// The high bound.
        hi: usize,
    },
    /// `append` past what can be allocated: `growslice: len out of range`
    /// (Go 1.20+).
    GrowsliceLenOutOfRange,
    /// The same, as releases before 1.20 word it: `growslice: cap out of range`.
    GrowsliceCapOutOfRange,
    /// `make([]T, len, cap)` with a length that cannot be allocated.
    MakesliceLenOutOfRange,
    /// `make([]T, len, cap)` with `cap < len` or a capacity that cannot be
    /// allocated.
    MakesliceCapOutOfRange,
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("runtime error: ")?;
        match *self {
            RuntimeError::IndexOutOfRange { index, len } => {
                write!(f, "index out of range [{index}] with length {len}")
            }
            RuntimeError::SliceHighOverCap { hi, cap } => {
                write!(f, "slice bounds out of range [:{hi}] with capacity {cap}")
            }
            RuntimeError::SliceLowOverHigh { lo, hi } => {
                write!(f, "slice bounds out of range [{lo}:{hi}]")
            }
            RuntimeError::Slice3MaxOverCap { max, cap } => {
                write!(f, "slice bounds out of range [::{max}] with capacity {cap}")
            }
            RuntimeError::Slice3HighOverMax { hi, max } => {
                write!(f, "slice bounds out of range [:{hi}:{max}]")
            }
            RuntimeError::Slice3LowOverHigh { lo, hi } => {
                write!(f, "slice bounds out of range [{lo}:{hi}:]")
            }
            RuntimeError::GrowsliceLenOutOfRange => f.write_str("growslice: len out of range"),
            RuntimeError::GrowsliceCapOutOfRange => f.write_str("growslice: cap out of range"),
            RuntimeError::MakesliceLenOutOfRange => f.write_str("makeslice: len out of range"),
            RuntimeError::MakesliceCapOutOfRange => f.write_str("makeslice: cap out of range"),
        }
    }
}

impl std::error::Error for RuntimeError {}

/// Raises `err` as a Go runtime panic: the panic message is Go's text.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn go_panic(err: RuntimeError) -> ! {
    panic!("{err}")
}
