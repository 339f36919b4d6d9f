//! Where a channel value waits outside the channel: Go's `ep` and
//! `sg.elem` (`runtime/chan.go`, `runtime/select.go`, Go 1.27).
//!
//! Go moves channel values by pointer. `chansend(c, ep)` gets a pointer to
//! the sender's value, `chanrecv(c, ep)` a pointer to the receiver's
//! variable, a parked party's `sudog.elem` points into its stack, and each
//! hand-off is one `typedmemmove` (sender → receiver, sender → buffer slot,
//! buffer slot → receiver). Element types may be up to 65 535 bytes.
//!
//! gochan does the same below its public API: every layer passes
//! `*const T` (a value that may be moved out) or `*mut T` (a destination),
//! and a hand-off is one `ptr::copy_nonoverlapping`. A value passed by
//! value is copied at every generic frame and enum it crosses: a dozen
//! stack copies in a debug build, far too many for a 64 KiB value on a
//! goroutine's 256 KiB stack.
//!
//! What is left is the storage a value needs outside a channel where Rust,
//! unlike Go's compiler, has no variable to point at:
//!
//! - a sender's value stays where the caller passed it (the argument of
//!   `send`), and is forgotten once a receiver or the buffer has taken it;
//! - a receive lands in an [`Elem`], whose value the API then returns;
//! - a `select!` send case keeps its value in an [`Elem`] (Go evaluates
//!   the sent value before the select runs).
//!
//! An [`Elem`] holds a value of up to [`INLINE_BYTES`] in itself, on the
//! stack, and a larger one in a heap allocation of its own. Large values
//! thus cost one allocation a receive (or a `select!` case) instead of
//! stack: a debug build keeps a temporary of every value it moves, so an
//! `Elem` that held 64 KiB in itself would put 128 KiB or more on the
//! stack of a receive, and a `select!` would hold one per case.

use std::fmt;
use std::mem::{self, MaybeUninit};
use std::ptr;

/// The largest value an [`Elem`] holds in itself (with alignment at most
/// 16); larger ones go to the heap.
pub(crate) const INLINE_BYTES: usize = 256;

/// The in-place storage of an [`Elem`].
#[repr(C, align(16))]
struct Inline([u8; INLINE_BYTES]);

/// Storage for one value of `T`, initialised or not (it does not know
/// which: its owner does, and drops or takes the value itself; dropping an
/// `Elem` only frees its heap allocation).
pub(crate) struct Elem<T> {
    inline: MaybeUninit<Inline>,
    /// The storage when [`Elem::ON_HEAP`] (`None` once its value is taken);
    /// never written otherwise, so that an inline `Elem` is not written at
    /// all until it holds a value: a `None` stored beside the undefined
    /// inline bytes lets LLVM zero all of them with one `memset`, on every
    /// receive.
    heap: MaybeUninit<Option<Box<MaybeUninit<T>>>>,
}

impl<T> Elem<T> {
    /// Whether `T` goes to the heap (decided per type, at compile time).
    const ON_HEAP: bool =
        mem::size_of::<T>() > INLINE_BYTES || mem::align_of::<T>() > mem::align_of::<Inline>();

    /// Storage without a value.
    #[inline]
    pub(crate) fn uninit() -> Elem<T> {
        Elem {
            inline: MaybeUninit::uninit(),
            heap: if Self::ON_HEAP {
                MaybeUninit::new(Some(Box::new_uninit()))
            } else {
                MaybeUninit::uninit()
            },
        }
    }

    /// The heap storage's slot: `Some` until the value is taken.
    ///
    /// # Safety
    /// [`Elem::ON_HEAP`].
    #[inline]
    unsafe fn heap(&mut self) -> &mut Option<Box<MaybeUninit<T>>> {
        // SAFETY: `uninit` initialises `heap` for heap types (our contract).
        unsafe { self.heap.assume_init_mut() }
    }

    /// Where the value is (or goes): valid for reads and writes of one `T`
    /// for as long as `self` is neither moved nor dropped.
    #[inline]
    pub(crate) fn as_mut_ptr(&mut self) -> *mut T {
        if Self::ON_HEAP {
            // SAFETY: a heap type.
            let heap = unsafe { self.heap() }.as_mut();
            heap.expect("the value was taken").as_mut_ptr()
        } else {
            self.inline.as_mut_ptr().cast()
        }
    }

    /// Takes the value out, as `Some(v)` or `Ok(v)` (`R`), built from the
    /// storage without another temporary of `T` in debug builds.
    ///
    /// # Safety
    /// The storage holds an initialised value; afterwards it holds none.
    #[inline]
    pub(crate) unsafe fn take<R: Wrap<T>>(&mut self) -> R {
        // One frame per storage, so that a debug build (which reserves
        // stack for every temporary of a function, used or not) does not
        // reserve a `T` for the inline path on the heap path.
        if Self::ON_HEAP {
            // SAFETY: forwarded.
            unsafe { self.take_from_heap() }
        } else {
            // SAFETY: forwarded.
            unsafe { self.take_inline() }
        }
    }

    /// # Safety
    /// As [`Elem::take`], and `T` is on the heap.
    #[inline(never)]
    unsafe fn take_from_heap<R: Wrap<T>>(&mut self) -> R {
        // SAFETY: a heap type (our contract).
        let b = unsafe { self.heap() }.take().expect("the value was taken");
        // SAFETY: initialised (our contract).
        let b = unsafe { b.assume_init() };
        // The value moves out of the box (then freed without dropping it)
        // as a call's result, which `wrap` takes without another copy.
        R::wrap(unbox(b))
    }

    /// # Safety
    /// As [`Elem::take`], and `T` is inline.
    #[inline]
    unsafe fn take_inline<R: Wrap<T>>(&mut self) -> R {
        // SAFETY: initialised (our contract), read once.
        R::wrap(unsafe { self.as_mut_ptr().read() })
    }

    /// Drops the value in place.
    ///
    /// # Safety
    /// The storage holds an initialised value; afterwards it holds none.
    pub(crate) unsafe fn drop_value(&mut self) {
        // SAFETY: forwarded.
        unsafe { ptr::drop_in_place(self.as_mut_ptr()) };
    }
}

impl<T> Drop for Elem<T> {
    /// Frees the heap storage (never the value: see [`Elem`]).
    fn drop(&mut self) {
        if Self::ON_HEAP {
            // SAFETY: a heap type.
            drop(unsafe { self.heap() }.take());
        }
    }
}

/// What [`Elem::take`] returns a value in.
pub(crate) trait Wrap<T> {
    fn wrap(v: T) -> Self;
}

impl<T> Wrap<T> for Option<T> {
    #[inline]
    fn wrap(v: T) -> Self {
        Some(v)
    }
}

impl<T, E> Wrap<T> for Result<T, E> {
    #[inline]
    fn wrap(v: T) -> Self {
        Ok(v)
    }
}

/// `*b`, as a call whose result the caller passes on without copying it.
#[allow(clippy::boxed_local)] // the box is the heap storage being emptied
#[inline]
fn unbox<T>(b: Box<T>) -> T {
    *b
}

impl<T> fmt::Debug for Elem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Elem")
            .field("on_heap", &Self::ON_HEAP)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn with<T>(v: T) -> Elem<T> {
        let mut elem = Elem::<T>::uninit();
        // SAFETY: fresh storage for one `T`.
        unsafe { elem.as_mut_ptr().write(v) };
        elem
    }

    fn round_trip<T: Clone + PartialEq + fmt::Debug>(v: T, on_heap: bool) {
        assert_eq!(Elem::<T>::ON_HEAP, on_heap);
        let mut elem = with(v.clone());
        // SAFETY: `with` initialised it.
        assert_eq!(unsafe { elem.take::<Option<T>>() }, Some(v.clone()));
        let mut elem = with(v.clone());
        // SAFETY: as above.
        assert_eq!(unsafe { elem.take::<Result<T, ()>>() }, Ok(v));
    }

    #[test]
    fn small_values_stay_inline_large_and_overaligned_ones_go_to_the_heap() {
        #[derive(Clone, Debug, PartialEq)]
        #[repr(align(64))]
        struct Aligned(u8);
        round_trip((), false);
        round_trip(7u64, false);
        round_trip("text".to_string(), false);
        round_trip([3u8; INLINE_BYTES], false);
        round_trip([4u8; INLINE_BYTES + 1], true);
        round_trip(vec![5u8; 10_000], false);
        round_trip(Aligned(6), true);
    }

    /// Counts its drops, and owns no memory (so a test may leave one
    /// undropped without leaking).
    struct Counted<'a, const N: usize>(&'a Cell<usize>, [u8; N]);
    impl<const N: usize> Drop for Counted<'_, N> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    fn only_drop_value_drops<const N: usize>(on_heap: bool) {
        assert_eq!(Elem::<Counted<'_, N>>::ON_HEAP, on_heap);
        let drops = Cell::new(0);
        let mut elem = with(Counted(&drops, [0; N]));
        // SAFETY: initialised by `with`.
        unsafe { elem.drop_value() };
        assert_eq!(drops.get(), 1);
        drop(elem);
        assert_eq!(drops.get(), 1, "the storage drops no value");
        drop(with(Counted(&drops, [0; N])));
        assert_eq!(drops.get(), 1, "not even one left in it");
    }

    #[test]
    fn only_drop_value_drops_the_value() {
        only_drop_value_drops::<8>(false);
        only_drop_value_drops::<1024>(true);
    }
}
