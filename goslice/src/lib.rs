//! goslice — Go's slices, chapter 1 (数组与切片) of the notes, as a Rust
//! library.
//!
//! A Go slice is a header `{array, len, cap}` over a backing array that other
//! slices may share ([`Slice`]). This crate models it faithfully enough to
//! check against the real toolchain:
//!
//! - aliasing: writes through one slice are seen by all slices over the same
//!   array, until `append` has to reallocate;
//! - two- and three-index slicing, `append` (one, many, or a slice — itself
//!   included), `copy` with `memmove` overlap, nil vs empty;
//! - `growslice`, exact per Go release from 1.9 to 1.27 ([`growslice`],
//!   [`next_slice_cap`], [`roundupsize`], the size classes, Go 1.22's malloc
//!   headers), as pure public functions;
//! - Go's runtime panic messages, with `try_` variants returning
//!   [`RuntimeError`].
//!
//! ```
//! use goslice::slice;
//!
//! // The notes' first example (chapter 1, 引申2).
//! let slice = slice![0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
//! let s1 = slice.slice(2..5);
//! let mut s2 = s1.slice3(2, 6, 7);
//! s2 = s2.append(100); // fits in s2's cap: writes slice[8]
//! s2 = s2.append(200); // does not fit: s2 moves to a new array
//! s1.set(2, 20);
//! assert_eq!(s1.to_string(), "[2 3 20]");
//! assert_eq!(s2.to_string(), "[4 5 6 7 100 200]");
//! assert_eq!(slice.to_string(), "[0 1 2 3 20 5 6 7 100 9]");
//! ```
//!
//! # Go release
//! Growth follows [`GoVersion::LATEST`] (Go 1.27) unless a slice is given
//! another release with [`Slice::with_version`]; the pure functions take the
//! release as an argument. Each regrowth emits a `tracing` debug event
//! (target `goslice::growslice`) with the old and new capacity, bytes, size
//! class and release.
//!
//! # What differs from Go, and why
//! - Elements need `Clone + Default`: `Default` is Go's zero value (`make`,
//!   the spare capacity of a grown array), `Clone` is Go's copy of an element
//!   on read and on `append`'s move to a new array.
//! - Go does not know whether a Rust type holds pointers, and since Go 1.22
//!   that changes growth; element types declare it with [`HasPointers`].
//! - `Slice` is not `Send`/`Sync`: Go allows racy writes through aliases from
//!   many goroutines; Rust allows shared mutation only within one thread.
//! - Indices are `usize`, so Go's negative-index panics cannot happen.
//! - The compiler's stack-allocated backing arrays (Go 1.25+ for small
//!   non-escaping appends) are not modelled: every array here is a heap
//!   array, as Go's are once they escape.

#![forbid(unsafe_code)]

mod append;
mod error;
mod growth;
mod iter;
mod pointers;
mod sizeclass;
mod slice;
mod version;

pub use append::copy;
pub use error::RuntimeError;
pub use growth::{ElemType, Growth, append_cap, growslice, max_alloc, next_slice_cap};
pub use iter::Iter;
pub use pointers::HasPointers;
pub use sizeclass::{
    MALLOC_HEADER_SIZE, MAX_SMALL_SIZE, MIN_SIZE_FOR_MALLOC_HEADER, PAGE_SIZE, Rounded, SizeClass,
    class_sizes, roundupsize,
};
pub use slice::{ArrayAddr, Slice};
pub use version::{GoVersion, ParseGoVersionError};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
