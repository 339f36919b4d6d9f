//! Typed objects: how an object reports its pointer fields.
//!
//! Go's collector learns which words of an object are pointers from its
//! type (`_type.PtrBytes` and the GC bitmap; `runtime/mbitmap.go`). Here an
//! object type says how many pointer fields it has and what they are called
//! ([`Object::POINTER_FIELDS`]); the heap keeps those fields itself, in a
//! dense array beside the object's other data, so that every load and store
//! of a pointer goes through the heap — the write barrier's place — and the
//! marker reads pointers without ever touching the object's Rust value.
//! [`Field`] names one field with its owner and target types.

use std::fmt;
use std::marker::PhantomData;

/// A type whose values live on a [`Heap`](crate::Heap).
///
/// The value itself holds the object's scalars (Go's non-pointer words):
/// read and change them freely with [`Heap::get`](crate::Heap::get) and
/// [`Heap::get_mut`](crate::Heap::get_mut). The object's pointers are
/// separate: `POINTER_FIELDS` names them, [`Field`] constants reach them.
///
/// ```
/// use gogc::{Barrier, Field, Heap, Object};
///
/// /// A binary tree node: two pointers and a value.
/// struct Node { value: i64 }
/// impl Object for Node {
///     const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
/// }
/// impl Node {
///     const LEFT: Field<Node, Node> = Field::new(0);
///     const RIGHT: Field<Node, Node> = Field::new(1);
/// }
///
/// let mut heap = Heap::new(Barrier::HybridGo);
/// let g = heap.new_mutator();
/// let root = heap.alloc(g, Node { value: 1 });
/// let leaf = heap.alloc(g, Node { value: 2 });
/// heap.store(g, root, Node::LEFT, Some(leaf)); // root.left = leaf
/// heap.pop(g);                                  // leaf's variable ends
/// heap.gc();
/// let left = heap.load(root, Node::LEFT).unwrap();
/// assert_eq!(heap.get(left).value, 2);          // kept: root.left points to it
/// assert!(heap.load(root, Node::RIGHT).is_none());
/// ```
///
/// A handle stored inside the value (a `Gc<T>` field of the struct) is not
/// one of the object's pointers: the collector does not see it, exactly as
/// it does not see a `uintptr` in Go (chapter 5 of the notes). Its object
/// can be freed; using it then panics.
pub trait Object: Send + 'static {
    /// The names of the pointer fields, in slot order. The length is the
    /// number of pointer fields; an object with none is Go's `noscan`
    /// object, marked black at once and never scanned.
    const POINTER_FIELDS: &'static [&'static str];
}

/// A pointer field of `O` that points to a `T`: its slot number.
///
/// Declared as a constant next to the type (`const LEFT: Field<Node, Node> =
/// Field::new(0)`); [`Field::new`] checks at compile time that the slot
/// exists.
pub struct Field<O, T> {
    index: u16,
    _types: PhantomData<fn(&O) -> T>,
}

impl<O: Object, T: Object> Field<O, T> {
    /// The field in slot `index` of `O::POINTER_FIELDS`.
    ///
    /// # Panics
    /// If `O` has no such field (at compile time when used in a constant).
    pub const fn new(index: usize) -> Field<O, T> {
        assert!(
            index < O::POINTER_FIELDS.len(),
            "gogc: Field::new: the type has no pointer field with that index"
        );
        Field {
            index: index as u16,
            _types: PhantomData,
        }
    }

    /// The slot number.
    pub const fn index(self) -> usize {
        self.index as usize
    }

    /// The field's name, from `O::POINTER_FIELDS`.
    pub fn name(self) -> &'static str {
        O::POINTER_FIELDS[self.index()]
    }
}

impl<O, T> Clone for Field<O, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O, T> Copy for Field<O, T> {}

impl<O: Object, T: Object> fmt::Debug for Field<O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({}.{})", type_name_of::<O>(), self.name())
    }
}

/// The last path segment of `T`'s name (`Node`, not `my_crate::tree::Node`),
/// for messages and the colour display.
pub(crate) fn type_name_of<T: ?Sized>() -> &'static str {
    short_type_name(std::any::type_name::<T>())
}

fn short_type_name(full: &'static str) -> &'static str {
    // Cut at the last `::` before any generic arguments.
    let head = full.split('<').next().unwrap_or(full);
    match head.rfind("::") {
        Some(i) => &full[i + 2..],
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_the_path_but_keep_generics() {
        assert_eq!(short_type_name("a::b::Node"), "Node");
        assert_eq!(short_type_name("Node"), "Node");
        assert_eq!(
            short_type_name("a::Pair<alloc::string::String>"),
            "Pair<alloc::string::String>"
        );
    }
}
