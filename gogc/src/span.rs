//! A span: a run of same-typed object slots with their generations, pointer
//! fields and mark bits side by side (Go's `mspan`, `runtime/mheap.go`, with
//! `gcmarkBits` from `runtime/mbitmap.go`).
//!
//! Go groups objects by size class; we group them by type, a finer
//! partition that gives each span one pointer layout and one Rust type for
//! its values. A span holds [`SPAN_OBJECTS`] slots. Everything the collector
//! needs — generation (is the slot live?), pointer fields, mark bit — sits
//! in dense arrays indexed by the slot's offset; the objects' Rust values
//! sit in a separate typed array the collector never reads, and which only
//! sweep touches (to drop what it frees).

use std::any::{Any, TypeId};
use std::num::NonZeroU32;

use crate::Object;
use crate::handle::Ptr;

/// Objects per span, as a power of two: a handle's index is
/// `span << SPAN_SHIFT | offset`.
pub(crate) const SPAN_SHIFT: u32 = 9;
/// Slots per span.
pub(crate) const SPAN_OBJECTS: usize = 1 << SPAN_SHIFT;
const MARK_WORDS: usize = SPAN_OBJECTS / 64;

/// The span number and offset a slot index names.
#[inline]
pub(crate) fn split_index(index: u32) -> (usize, usize) {
    (
        (index >> SPAN_SHIFT) as usize,
        (index as usize) & (SPAN_OBJECTS - 1),
    )
}

/// The objects' Rust values, typed, behind a trait object so that one heap
/// holds spans of many types.
pub(crate) trait Values: Send {
    /// Drops the value at `offset` (sweep freed it).
    fn drop_value(&mut self, offset: usize);
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The values of a span of `T`s; `None` in free slots.
pub(crate) struct TypedValues<T>(Box<[Option<T>]>);

impl<T: Object> Values for TypedValues<T> {
    fn drop_value(&mut self, offset: usize) {
        self.0[offset] = None;
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// One span. Slot `offset` is live when its generation is odd.
pub(crate) struct Span {
    /// The objects' type, checked on every typed access.
    pub(crate) type_id: TypeId,
    /// The heap's type number of this span's objects.
    pub(crate) class: u16,
    /// Pointer fields per object (`O::POINTER_FIELDS.len()`); 0 is Go's
    /// noscan span.
    pub(crate) fields: usize,
    /// `mspan.sweepgen`: equal to the heap's when swept this cycle, two
    /// less when it still needs sweeping.
    pub(crate) sweepgen: u32,
    /// On its type's list of spans with free slots (`mcentral.partial`).
    pub(crate) in_partial: bool,
    generations: Box<[u32]>,
    pointers: Box<[Option<Ptr>]>,
    marks: [u64; MARK_WORDS],
    free: Vec<u16>,
    live: u32,
    values: Box<dyn Values>,
}

impl Span {
    /// A span of free slots for `T`s.
    pub(crate) fn new<T: Object>(class: u16, sweepgen: u32) -> Span {
        let fields = T::POINTER_FIELDS.len();
        Span {
            type_id: TypeId::of::<T>(),
            class,
            fields,
            sweepgen,
            in_partial: false,
            generations: vec![0; SPAN_OBJECTS].into_boxed_slice(),
            pointers: vec![None; SPAN_OBJECTS * fields].into_boxed_slice(),
            marks: [0; MARK_WORDS],
            // Popped from the end: slots are handed out in address order.
            free: (0..SPAN_OBJECTS as u16).rev().collect(),
            live: 0,
            values: Box::new(TypedValues::<T>(
                std::iter::repeat_with(|| None).take(SPAN_OBJECTS).collect(),
            )),
        }
    }

    /// Takes a free slot for `value` and returns its offset and new (odd)
    /// generation; `Err(value)` if the span is full.
    pub(crate) fn alloc<T: Object>(&mut self, value: T) -> Result<(usize, NonZeroU32), T> {
        let Some(offset) = self.free.pop() else {
            return Err(value);
        };
        let offset = offset as usize;
        let generation = self.generations[offset] + 1;
        self.generations[offset] = generation;
        self.live += 1;
        self.typed_mut::<T>()[offset] = Some(value);
        let generation = NonZeroU32::new(generation).expect("odd generations are not zero");
        Ok((offset, generation))
    }

    pub(crate) fn has_free(&self) -> bool {
        !self.free.is_empty()
    }

    pub(crate) fn live(&self) -> u32 {
        self.live
    }

    /// The slot's generation: odd while an object lives in it.
    #[inline]
    pub(crate) fn generation(&self, offset: usize) -> u32 {
        self.generations[offset]
    }

    #[inline]
    pub(crate) fn is_live(&self, offset: usize, generation: NonZeroU32) -> bool {
        self.generations[offset] == generation.get()
    }

    /// The offsets and generations of the live objects.
    pub(crate) fn live_slots(&self) -> impl Iterator<Item = (usize, NonZeroU32)> + '_ {
        self.generations
            .iter()
            .enumerate()
            .filter(|(_, g)| *g % 2 == 1)
            .map(|(offset, &g)| (offset, NonZeroU32::new(g).expect("odd")))
    }

    fn typed<T: Object>(&self) -> &[Option<T>] {
        match self.values.as_any().downcast_ref::<TypedValues<T>>() {
            Some(values) => &values.0,
            None => unreachable!("gogc: span values typed differently from its class"),
        }
    }

    fn typed_mut<T: Object>(&mut self) -> &mut [Option<T>] {
        match self.values.as_any_mut().downcast_mut::<TypedValues<T>>() {
            Some(values) => &mut values.0,
            None => unreachable!("gogc: span values typed differently from its class"),
        }
    }

    /// The value of the live object at `offset`; the caller checked the
    /// generation and the type.
    pub(crate) fn value<T: Object>(&self, offset: usize) -> &T {
        self.typed::<T>()[offset]
            .as_ref()
            .expect("gogc: a live slot holds a value")
    }

    pub(crate) fn value_mut<T: Object>(&mut self, offset: usize) -> &mut T {
        self.typed_mut::<T>()[offset]
            .as_mut()
            .expect("gogc: a live slot holds a value")
    }

    /// The object's pointer fields.
    #[inline]
    pub(crate) fn pointers(&self, offset: usize) -> &[Option<Ptr>] {
        &self.pointers[offset * self.fields..(offset + 1) * self.fields]
    }

    #[inline]
    pub(crate) fn pointer(&self, offset: usize, field: usize) -> Option<Ptr> {
        self.pointers[offset * self.fields + field]
    }

    /// Writes a pointer field and returns what it held.
    #[inline]
    pub(crate) fn set_pointer(
        &mut self,
        offset: usize,
        field: usize,
        value: Option<Ptr>,
    ) -> Option<Ptr> {
        std::mem::replace(&mut self.pointers[offset * self.fields + field], value)
    }

    #[inline]
    pub(crate) fn is_marked(&self, offset: usize) -> bool {
        self.marks[offset / 64] & (1 << (offset % 64)) != 0
    }

    /// Sets the mark bit; `true` if it was clear (`greyobject`'s
    /// `mbits.isMarked` / `setMarked`).
    #[inline]
    pub(crate) fn mark(&mut self, offset: usize) -> bool {
        let word = &mut self.marks[offset / 64];
        let bit = 1 << (offset % 64);
        let was_clear = *word & bit == 0;
        *word |= bit;
        was_clear
    }

    /// Frees every live, unmarked object and clears the mark bits for the
    /// next cycle (`mspan.sweep`, `runtime/mgcsweep.go`: Go swaps the mark
    /// bits in as the allocation bits; the generations play that part
    /// here). `freed` hears of each freed object; the return value is how
    /// many were freed.
    pub(crate) fn sweep(&mut self, span_no: usize, mut freed: impl FnMut(Ptr)) -> usize {
        let mut count = 0;
        for offset in 0..SPAN_OBJECTS {
            let generation = self.generations[offset];
            if generation % 2 == 0 || self.is_marked(offset) {
                continue;
            }
            let index = ((span_no as u32) << SPAN_SHIFT) | offset as u32;
            freed(Ptr::new(index, NonZeroU32::new(generation).expect("odd")));
            self.free_slot(offset);
            count += 1;
        }
        self.marks = [0; MARK_WORDS];
        count
    }

    fn free_slot(&mut self, offset: usize) {
        self.values.drop_value(offset);
        self.pointers[offset * self.fields..(offset + 1) * self.fields].fill(None);
        self.live -= 1;
        // Even again. A slot whose generation would wrap to 0 is retired
        // rather than reused, so no old handle can ever match it again.
        let next = self.generations[offset].wrapping_add(1);
        self.generations[offset] = next;
        if next != 0 {
            self.free.push(offset as u16);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair;
    impl Object for Pair {
        const POINTER_FIELDS: &'static [&'static str] = &["a", "b"];
    }

    #[test]
    fn alloc_mark_sweep_round_trip() {
        let mut span = Span::new::<Pair>(0, 0);
        let (a, ga) = span.alloc(Pair).ok().unwrap();
        let (b, gb) = span.alloc(Pair).ok().unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!((ga.get(), gb.get()), (1, 1));
        span.set_pointer(a, 1, Some(Ptr::new(1, gb)));
        assert!(span.mark(a));
        assert!(!span.mark(a));
        let mut freed = Vec::new();
        assert_eq!(span.sweep(0, |p| freed.push(p)), 1);
        assert_eq!(freed, vec![Ptr::new(1, gb)]);
        assert!(span.is_live(a, ga) && !span.is_live(b, gb));
        assert!(!span.is_marked(a), "sweep clears the marks");
        // The freed slot is reused with a new generation.
        let (c, gc) = span.alloc(Pair).ok().unwrap();
        assert_eq!((c, gc.get()), (1, 3));
        assert_eq!(span.pointers(c), &[None, None]);
    }

    #[test]
    fn a_slot_about_to_wrap_is_retired() {
        let mut span = Span::new::<Pair>(0, 0);
        span.generations[0] = u32::MAX - 1; // the next alloc takes slot 0 at MAX
        let (offset, generation) = span.alloc(Pair).ok().unwrap();
        assert_eq!(generation.get(), u32::MAX);
        span.sweep(0, |_| {});
        assert_eq!(span.generation(offset), 0);
        assert!(!span.free.contains(&(offset as u16)));
    }
}
