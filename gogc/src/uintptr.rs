//! Chapter 5 of the notes (Unsafe): a `uintptr` has no pointer semantics —
//! the object it was taken from can be collected — while an
//! `unsafe.Pointer` keeps its object alive (uintptr 并没有指针的语义…
//! unsafe.Pointer 有指针语义).
//!
//! In the model a pointer is a [`Ptr`] in a pointer slot (a stack, a global,
//! a field): the collector sees it. [`Uintptr`] is the object's address as a
//! number — what `uintptr(unsafe.Pointer(p))` gives — and the collector sees
//! nothing: keep one in a Rust variable or inside an object's value and the
//! object is freed all the same. Converting it back (`unsafe.Pointer(u)`)
//! after that is Go's use-after-free; here it is caught: the address
//! remembers which object it was taken from.

use std::fmt;

use crate::handle::{Gc, Ptr, StaleHandle};
use crate::heap::Heap;
use crate::object::Object;

/// Where the model's heap addresses start: Go's first heap arena on
/// linux/amd64 (`0xc000000000`).
pub const ARENA_BASE: u64 = 0xc0_0000_0000;

/// The bytes between two slots' addresses in the model.
pub const SLOT_BYTES: u64 = 16;

/// An object's address as a plain number (Go's `uintptr`). It does not
/// keep the object alive.
///
/// ```
/// use gogc::{Barrier, Heap, Object};
///
/// struct T { id: u32 }
/// impl Object for T { const POINTER_FIELDS: &'static [&'static str] = &[]; }
///
/// let mut heap = Heap::new(Barrier::HybridGo);
/// let g = heap.new_mutator();
/// let p = heap.alloc(g, T { id: 7 });          // p := &T{7}
/// let u = heap.uintptr(p);                      // u := uintptr(unsafe.Pointer(p))
/// assert_eq!(u.to_string(), "0xc000000000");
/// heap.pop(g);                                  // p is dead; only u is left
/// heap.gc();                                    // runtime.GC()
/// assert!(heap.try_pointer_from_uintptr::<T>(u).is_err()); // freed
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uintptr {
    address: u64,
    /// The object the address was taken from, to catch a conversion back
    /// after it was freed. Not part of the value Go would have.
    taken_from: Ptr,
}

impl Uintptr {
    /// The address.
    pub fn address(self) -> u64 {
        self.address
    }
}

impl fmt::Display for Uintptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.address)
    }
}

impl fmt::Debug for Uintptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uintptr({self})")
    }
}

/// Why `unsafe.Pointer(u)` failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UintptrError {
    /// The address is not the start of a slot.
    NotAnObject(Uintptr),
    /// The object the address was taken from is gone: nothing kept it
    /// alive. In Go this pointer would now point at free memory or at
    /// another object.
    Freed(Uintptr, StaleHandle),
}

impl fmt::Display for UintptrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UintptrError::NotAnObject(u) => {
                write!(f, "gogc: unsafe.Pointer({u}): not the address of an object")
            }
            UintptrError::Freed(u, stale) => write!(
                f,
                "gogc: unsafe.Pointer({u}): the object at this address was freed — a \
                 uintptr does not keep its object alive ({stale})"
            ),
        }
    }
}

impl std::error::Error for UintptrError {}

impl Heap {
    /// `uintptr(unsafe.Pointer(p))`: the object's address as a number.
    ///
    /// # Panics
    /// If the handle's object was freed.
    #[track_caller]
    pub fn uintptr(&self, p: impl Into<Ptr>) -> Uintptr {
        let p = p.into();
        self.expect_live(p);
        Uintptr {
            address: ARENA_BASE + u64::from(p.index()) * SLOT_BYTES,
            taken_from: p,
        }
    }

    /// `unsafe.Pointer(u)`: the pointer back, if the object is still there
    /// and is a `T`.
    pub fn try_pointer_from_uintptr<T: Object>(&self, u: Uintptr) -> Result<Gc<T>, UintptrError> {
        let offset = u.address.wrapping_sub(ARENA_BASE);
        if u.address < ARENA_BASE
            || offset % SLOT_BYTES != 0
            || offset / SLOT_BYTES != u64::from(u.taken_from.index())
        {
            return Err(UintptrError::NotAnObject(u));
        }
        self.cast::<T>(u.taken_from)
            .map_err(|stale| UintptrError::Freed(u, stale))
    }

    /// [`try_pointer_from_uintptr`](Heap::try_pointer_from_uintptr), panicking
    /// with the error.
    #[track_caller]
    pub fn pointer_from_uintptr<T: Object>(&self, u: Uintptr) -> Gc<T> {
        match self.try_pointer_from_uintptr(u) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }
}
