//! Handles: the model's pointers. A handle is a slot index and the slot's
//! generation, eight bytes, `Copy`; the heap checks the generation on every
//! use, so a handle whose object was freed panics (or, through the `try_`
//! methods, returns [`StaleHandle`]) instead of reading whatever now lives in
//! the slot.
//!
//! Go finds an object's span from its address (`spanOf`, `findObject` in
//! `runtime/mbitmap.go`); here the slot index does the same job: its high
//! bits name the span, its low bits the object in it
//! ([`SPAN_SHIFT`](crate::span)).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::num::NonZeroU32;

/// An untyped handle: what a pointer slot, a global or a stack slot holds.
///
/// `Option<Ptr>` is a nil-able pointer and is eight bytes, like `Ptr`
/// itself. Turn it back into a typed [`Gc`] with [`Heap::cast`]
/// (`crate::Heap::cast`), which checks the object's type.
///
/// Displayed as `o` and the slot number counted from 1 (`o3`), the way the
/// notes' figures number their objects.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ptr {
    index: u32,
    generation: NonZeroU32,
}

impl Ptr {
    pub(crate) fn new(index: u32, generation: NonZeroU32) -> Ptr {
        Ptr { index, generation }
    }

    /// The slot this handle names (span number and offset in the span).
    pub fn index(self) -> u32 {
        self.index
    }

    /// The slot's generation when the object was allocated; odd while the
    /// object lives.
    pub fn generation(self) -> u32 {
        self.generation.get()
    }

    pub(crate) fn raw_generation(self) -> NonZeroU32 {
        self.generation
    }

    /// The word a pointer field holds: generation above index; nil is 0
    /// (no live generation is 0).
    #[inline]
    pub(crate) fn to_raw(ptr: Option<Ptr>) -> u64 {
        match ptr {
            Some(p) => (u64::from(p.generation.get()) << 32) | u64::from(p.index),
            None => 0,
        }
    }

    /// The pointer a field word holds.
    #[inline]
    pub(crate) fn from_raw(raw: u64) -> Option<Ptr> {
        NonZeroU32::new((raw >> 32) as u32).map(|generation| Ptr {
            index: raw as u32,
            generation,
        })
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "o{}", u64::from(self.index) + 1)
    }
}

impl fmt::Debug for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}@{}", self.generation)
    }
}

/// A typed handle to an object of type `T` on a [`Heap`](crate::Heap).
///
/// A handle in a Rust variable is a value in a register: it does not keep
/// its object alive. What keeps an object alive is a pointer to it in a
/// root — a mutator's stack ([`Heap::push`](crate::Heap::push)), a global —
/// or in a pointer field of a reachable object.
///
/// ```
/// use gogc::{Barrier, Heap, Object};
///
/// struct Point { x: i32, y: i32 }
/// impl Object for Point { const POINTER_FIELDS: &'static [&'static str] = &[]; }
///
/// let mut heap = Heap::new(Barrier::HybridGo);
/// let g = heap.new_mutator();
/// let p = heap.alloc(g, Point { x: 1, y: 2 }); // p := &Point{1, 2}, on g's stack
/// assert_eq!(heap.get(p).y, 2);
/// heap.pop(g);                                  // p goes out of scope
/// heap.gc();
/// assert!(heap.try_get(p).is_err());            // freed: the handle is stale
/// ```
pub struct Gc<T> {
    ptr: Ptr,
    // `fn() -> T`: a handle owns no `T`, so it is `Send`, `Sync` and `Copy`
    // whatever `T` is.
    _type: PhantomData<fn() -> T>,
}

impl<T> Gc<T> {
    pub(crate) fn from_ptr(ptr: Ptr) -> Gc<T> {
        Gc {
            ptr,
            _type: PhantomData,
        }
    }

    /// The untyped handle.
    pub fn ptr(self) -> Ptr {
        self.ptr
    }
}

impl<T> Clone for Gc<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Gc<T> {}

impl<T> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

impl<T> Eq for Gc<T> {}

impl<T> Hash for Gc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ptr.hash(state);
    }
}

impl<T> fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.ptr, f)
    }
}

impl<T> fmt::Display for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.ptr, f)
    }
}

impl<T> From<Gc<T>> for Ptr {
    fn from(gc: Gc<T>) -> Ptr {
        gc.ptr
    }
}

/// A handle was used after its object was freed, or names an object of
/// another type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaleHandle {
    /// The object the handle named was freed by a sweep: it was unreachable
    /// when a cycle marked. The slot may since hold another object.
    Freed {
        /// The handle that was used.
        ptr: Ptr,
        /// The slot's generation now (even: free; odd: another object).
        now: u32,
    },
    /// The handle names a slot that no span of this heap holds (a handle of
    /// another heap).
    NoSuchSlot {
        /// The handle that was used.
        ptr: Ptr,
    },
    /// The object lives but is not a `T` (a [`Ptr`] cast to the wrong type).
    WrongType {
        /// The handle that was used.
        ptr: Ptr,
        /// The object's type.
        is: &'static str,
        /// The type asked for.
        wanted: &'static str,
    },
}

impl fmt::Display for StaleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StaleHandle::Freed { ptr, now } => {
                write!(
                    f,
                    "gogc: handle {ptr} (generation {}) used after its object was freed \
                     (the slot is at generation {now}",
                    ptr.generation()
                )?;
                if now % 2 == 1 {
                    f.write_str(", another object now")?;
                }
                f.write_str(
                    "): the object was unreachable when a cycle marked; keep it on a \
                     mutator's stack, in a global or in a pointer field",
                )
            }
            StaleHandle::NoSuchSlot { ptr } => {
                write!(f, "gogc: handle {ptr} names no slot of this heap")
            }
            StaleHandle::WrongType { ptr, is, wanted } => {
                write!(f, "gogc: handle {ptr} names a {is}, not a {wanted}")
            }
        }
    }
}

impl std::error::Error for StaleHandle {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_eight_bytes_and_nil_is_free() {
        assert_eq!(size_of::<Ptr>(), 8);
        assert_eq!(size_of::<Option<Ptr>>(), 8);
        assert_eq!(size_of::<Option<Gc<String>>>(), 8);
    }

    #[test]
    fn a_pointer_field_word_round_trips() {
        let p = Ptr::new(0x1234_5678, NonZeroU32::new(7).unwrap());
        assert_eq!(Ptr::from_raw(Ptr::to_raw(Some(p))), Some(p));
        assert_eq!(Ptr::to_raw(None), 0);
        assert_eq!(Ptr::from_raw(0), None);
    }

    #[test]
    fn display_counts_from_one() {
        let p = Ptr::new(2, NonZeroU32::MIN);
        assert_eq!(p.to_string(), "o3");
        assert_eq!(format!("{p:?}"), "o3@1");
    }
}
