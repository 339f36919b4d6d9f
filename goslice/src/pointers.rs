//! Whether an element type holds pointers — what Go's `_type.PtrBytes != 0`
//! tells the allocator and Rust's type system does not.
//!
//! Since Go 1.22 the answer changes growth: a pointer-holding object over
//! 512 bytes carries an 8-byte malloc header inside its size class
//! (`runtime/msize.go: roundupsize`), so it gets fewer elements. A slice of
//! `T` asks `T::HAS_POINTERS`.

/// Declares whether values of a type contain Go pointers.
///
/// Implemented for primitives (no pointers), references, `Box`, `String`,
/// `Vec`, `Rc`, `Arc`, [`Slice`](crate::Slice) (pointers), and for arrays,
/// tuples and `Option` by their parts. Your own element types say it
/// themselves, with the trait or with [`has_pointers!`](crate::has_pointers):
///
/// ```
/// use goslice::{has_pointers, HasPointers};
/// struct Point { x: f64, y: f64 }
/// struct Node { next: Option<Box<Node>> }
/// has_pointers!(false: Point);
/// impl HasPointers for Node { const HAS_POINTERS: bool = true; }
/// assert!(!Point::HAS_POINTERS && Node::HAS_POINTERS);
/// assert!(<(u8, String)>::HAS_POINTERS);
/// ```
pub trait HasPointers {
    /// `true` if a value of this type holds a pointer the collector scans.
    const HAS_POINTERS: bool;
}

/// Implements [`HasPointers`] for the listed types: `has_pointers!(false: A, B; true: C)`.
#[macro_export]
macro_rules! has_pointers {
    ($($flag:literal : $($ty:ty),+);+ $(;)?) => {
        $($(impl $crate::HasPointers for $ty { const HAS_POINTERS: bool = $flag; })+)+
    };
}

has_pointers!(
    false: (), bool, char, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64;
    true: String
);

impl<T: ?Sized> HasPointers for &T {
    const HAS_POINTERS: bool = true;
}
impl<T: ?Sized> HasPointers for &mut T {
    const HAS_POINTERS: bool = true;
}
impl<T: ?Sized> HasPointers for Box<T> {
    const HAS_POINTERS: bool = true;
}
impl<T> HasPointers for Vec<T> {
    const HAS_POINTERS: bool = true;
}
impl<T: ?Sized> HasPointers for std::rc::Rc<T> {
    const HAS_POINTERS: bool = true;
}
impl<T: ?Sized> HasPointers for std::sync::Arc<T> {
    const HAS_POINTERS: bool = true;
}
impl<T> HasPointers for crate::Slice<T> {
    const HAS_POINTERS: bool = true;
}
impl<T: HasPointers> HasPointers for Option<T> {
    const HAS_POINTERS: bool = T::HAS_POINTERS;
}
impl<T: HasPointers, const N: usize> HasPointers for [T; N] {
    const HAS_POINTERS: bool = N > 0 && T::HAS_POINTERS;
}

macro_rules! tuples {
    ($(($($t:ident),+))+) => {
        $(impl<$($t: HasPointers),+> HasPointers for ($($t,)+) {
            const HAS_POINTERS: bool = false $(|| $t::HAS_POINTERS)+;
        })+
    };
}
tuples! { (A) (A, B) (A, B, C) (A, B, C, D) (A, B, C, D, E) (A, B, C, D, E, F) }
