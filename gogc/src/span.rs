//! A span: a run of same-typed object slots with their generations, pointer
//! fields, allocation bits and mark bits side by side (Go's `mspan`,
//! `runtime/mheap.go` and `mbitmap.go`: `allocBits`, `gcmarkBits`,
//! `allocCache`).
//!
//! Go groups objects by size class; we group them by type, a finer
//! partition that gives each span one pointer layout and one Rust type for
//! its values. A span holds [`SPAN_OBJECTS`] slots. Everything the collector
//! needs sits in one anonymous memory mapping per span ([`SpanMemory`],
//! `span/memory.rs`), dense arrays indexed by the slot's offset.
//!
//! The objects' Rust values sit in a separate typed array the collector
//! never reads; sweep drops what it frees. Allocation finds free slots a
//! 64-bit word at a time (`nextFreeFast`); sweeping is word-parallel: the
//! slots still allocated are those both allocated and marked (Go swaps its
//! mark bits in as the allocation bits), and only the dead slots are
//! touched, to bump their generations so that their handles go stale.

use std::any::{Any, TypeId};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use crate::Object;
use crate::handle::Ptr;

mod memory;

pub(crate) use memory::SpanMemory;

/// Objects per span, as a power of two: a handle's index is
/// `span << SPAN_SHIFT | offset`.
pub(crate) const SPAN_SHIFT: u32 = 13;
/// Slots per span.
pub(crate) const SPAN_OBJECTS: usize = 1 << SPAN_SHIFT;
/// Words in a span's mark or allocation bitmap.
const BITMAP_WORDS: usize = SPAN_OBJECTS / 64;

type Bitmap = [u64; BITMAP_WORDS];

/// The span number and offset a slot index names.
#[inline]
pub(crate) fn split_index(index: u32) -> (usize, usize) {
    (
        (index >> SPAN_SHIFT) as usize,
        (index as usize) & (SPAN_OBJECTS - 1),
    )
}

/// The slot index of `offset` in span `span`.
#[inline]
pub(crate) fn slot_index(span: usize, offset: usize) -> u32 {
    ((span as u32) << SPAN_SHIFT) | offset as u32
}

/// The values of a span of `T`s, behind `dyn Any` so that one heap holds
/// spans of many types; `None` in slots never used.
type TypedValues<T> = Box<[Option<T>]>;

/// A type whose values carry nothing: zero-sized, no drop glue (binary
/// trees' `Node`, whose data is all pointers). Its span keeps one value
/// for every slot to lend out, and allocation stores nothing.
const fn stateless<T>() -> bool {
    size_of::<T>() == 0 && !std::mem::needs_drop::<T>()
}

/// The value slot that holds `offset`'s value.
#[inline]
const fn value_slot<T>(offset: usize) -> usize {
    if stateless::<T>() { 0 } else { offset }
}

/// Drops the values of the dead slots `dead` of bitmap word `word` (sweep
/// freed them); nothing for types without drop glue, whose stale values
/// are simply overwritten by the next allocation.
fn free_values<T: 'static>(values: &mut (dyn Any + Send), word: usize, mut dead: u64) {
    if !std::mem::needs_drop::<T>() {
        return;
    }
    let Some(values) = values.downcast_mut::<TypedValues<T>>() else {
        unreachable!("gogc: span values typed differently from its class")
    };
    while dead != 0 {
        let offset = word * 64 + dead.trailing_zeros() as usize;
        dead &= dead - 1;
        values[offset] = None;
    }
}

/// What a span number holds now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpanState {
    /// Objects of its class live here (`mSpanInUse`).
    InUse,
    /// Empty, its memory kept for the next span any class needs (Go's free
    /// pages, `heapFree`).
    Idle,
    /// Empty and unmapped: the memory went back to the OS (Go's scavenged
    /// pages, `heapReleased`).
    Released,
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
    /// Bytes an object counts for (the class's `object_bytes`).
    pub(crate) object_bytes: u64,
    /// `mspan.sweepgen`: equal to the heap's when swept this cycle, two
    /// less when it still needs sweeping.
    pub(crate) sweepgen: u32,
    /// On its type's list of spans with free slots (`mcentral.partial`).
    pub(crate) in_partial: bool,
    pub(crate) state: SpanState,
    memory: Option<Arc<SpanMemory>>,
    values: Option<Box<dyn Any + Send>>,
    /// `free_values::<T>` for this span's `T`.
    free_values: fn(&mut (dyn Any + Send), usize, u64),
    /// Bytes of the values array.
    pub(crate) values_bytes: usize,
    /// A stateless type's one value has been stored.
    values_ready: bool,
    /// Every generation this span number handed out is below this (even)
    /// one: a span mapped afresh for the number starts its slots here, so
    /// that no handle from before the unmapping can match a new object.
    floor: u32,
    live: u32,
    /// Slots that can never be used again (their generation would wrap).
    retired: u32,
    /// `freeindex` / `allocCache`: the bitmap word allocation looks at
    /// next, and the free slots left in the word it took last.
    next_word: usize,
    cache_word: usize,
    free_bits: u64,
    /// Retired slots, as a bitmap (rare: a slot retires after 2^31 reuses).
    retired_bits: Option<Box<Bitmap>>,
}

impl Span {
    /// A span of `T`s for class `class` over `memory`, swept at `sweepgen`.
    pub(crate) fn new<T: Object>(
        class: u16,
        object_bytes: u64,
        sweepgen: u32,
        memory: SpanMemory,
    ) -> Span {
        let mut span = Span {
            type_id: TypeId::of::<()>(),
            class,
            fields: 0,
            object_bytes: 0,
            sweepgen,
            in_partial: false,
            state: SpanState::Released,
            memory: None,
            values: None,
            free_values: free_values::<()>,
            values_bytes: 0,
            values_ready: false,
            floor: 0,
            live: 0,
            retired: 0,
            next_word: 0,
            cache_word: 0,
            free_bits: 0,
            retired_bits: None,
        };
        span.reuse::<T>(class, object_bytes, sweepgen, Some(memory));
        span
    }

    /// Puts an idle or released span number back in use for `T`s: an idle
    /// one with its own memory (`None`), a released one with `memory`
    /// mapped afresh.
    pub(crate) fn reuse<T: Object>(
        &mut self,
        class: u16,
        object_bytes: u64,
        sweepgen: u32,
        memory: Option<SpanMemory>,
    ) {
        debug_assert_ne!(self.state, SpanState::InUse);
        let memory = match memory {
            Some(fresh) => {
                debug_assert_eq!(self.state, SpanState::Released);
                if self.floor > 0 {
                    for g in fresh.generations() {
                        g.store(self.floor, Relaxed);
                    }
                }
                Arc::new(fresh)
            }
            None => self.memory.take().expect("an idle span keeps its memory"),
        };
        debug_assert_eq!(memory.fields(), T::POINTER_FIELDS.len());
        self.type_id = TypeId::of::<T>();
        self.class = class;
        self.fields = T::POINTER_FIELDS.len();
        self.object_bytes = object_bytes;
        self.sweepgen = sweepgen;
        self.in_partial = false;
        self.state = SpanState::InUse;
        self.memory = Some(memory);
        // An idle span's values array is kept; a span of the same type
        // reuses it (sweep dropped whatever needed dropping).
        if !self
            .values
            .as_ref()
            .is_some_and(|v| v.is::<TypedValues<T>>())
        {
            let slots = if stateless::<T>() { 1 } else { SPAN_OBJECTS };
            let values: TypedValues<T> = std::iter::repeat_with(|| None).take(slots).collect();
            self.values = Some(Box::new(values));
            self.values_ready = false;
        }
        self.free_values = free_values::<T>;
        self.values_bytes = if stateless::<T>() {
            0
        } else {
            SPAN_OBJECTS * size_of::<Option<T>>()
        };
        self.next_word = 0;
        self.free_bits = 0;
    }

    /// Empties an in-use span that holds no object: it becomes idle, its
    /// memory kept.
    pub(crate) fn make_idle(&mut self) {
        debug_assert_eq!(self.live, 0);
        self.state = SpanState::Idle;
        self.type_id = TypeId::of::<()>();
        self.in_partial = false;
    }

    /// Takes an idle span's memory to unmap it (when the last `Arc` goes:
    /// a mark worker's table may hold one until its next cycle): the number
    /// is released.
    pub(crate) fn release(&mut self) -> Arc<SpanMemory> {
        debug_assert_eq!(self.state, SpanState::Idle);
        let memory = self.memory.take().expect("an idle span keeps its memory");
        self.values = None;
        self.values_bytes = 0;
        self.values_ready = false;
        let top = memory
            .generations()
            .iter()
            .map(|g| g.load(Relaxed))
            .max()
            .unwrap_or(0);
        // Above every generation handed out, and even (free).
        self.floor = self.floor.max(top.saturating_add(2) & !1);
        self.state = SpanState::Released;
        memory
    }

    /// Whether a fresh mapping may serve this number again without a
    /// generation wrapping.
    pub(crate) fn reusable(&self) -> bool {
        self.floor < u32::MAX - 2
    }

    /// Bytes of collector memory mapped for this span.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.memory.as_ref().map_or(0, |m| m.bytes())
    }

    /// The span's memory, for a mark worker's table.
    pub(crate) fn shared_memory(&self) -> Option<Arc<SpanMemory>> {
        self.memory.clone()
    }

    /// The memory's pointer fields per slot, if it is mapped.
    pub(crate) fn memory_fields(&self) -> Option<usize> {
        self.memory.as_ref().map(|m| m.fields())
    }

    #[inline]
    fn memory(&self) -> &SpanMemory {
        match &self.memory {
            Some(memory) => memory,
            None => unreachable!("gogc: a span in use has its memory"),
        }
    }

    /// Takes a free slot for `value` and returns its offset and new (odd)
    /// generation; `Err(value)` if the span is full (`nextFreeFast`, then
    /// `nextFree`).
    #[inline]
    pub(crate) fn alloc<T: Object>(&mut self, value: T) -> Result<(usize, NonZeroU32), T> {
        if self.free_bits == 0 && !self.next_free_word() {
            return Err(value);
        }
        let bit = self.free_bits.trailing_zeros() as usize;
        self.free_bits &= self.free_bits - 1;
        let word = self.cache_word;
        let offset = word * 64 + bit;
        let memory = self.memory();
        let allocs = &memory.allocs()[word % BITMAP_WORDS];
        allocs.store(allocs.load(Relaxed) | 1 << bit, Relaxed);
        let generation = memory.generation(offset) + 1;
        memory.set_generation(offset, generation);
        // Nil fields, word by word (a run-time-length `fill` would be a
        // `memset` call), the common binary node unrolled.
        let fields = memory.fields();
        let words = &memory.pointers()[offset * fields..(offset + 1) * fields];
        if let [left, right] = words {
            left.store(0, Relaxed);
            right.store(0, Relaxed);
        } else {
            for word in words {
                word.store(0, Relaxed);
            }
        }
        self.live += 1;
        if !stateless::<T>() || !self.values_ready {
            self.typed_mut::<T>()[value_slot::<T>(offset)] = Some(value);
            self.values_ready = true;
        }
        match NonZeroU32::new(generation) {
            Some(generation) => Ok((offset, generation)),
            None => unreachable!("odd generations are not zero"),
        }
    }

    /// Loads the allocation cache with the next bitmap word that has a
    /// free slot (`refillAllocCache`); `false` when none is left.
    #[cold]
    fn next_free_word(&mut self) -> bool {
        while self.next_word < BITMAP_WORDS {
            let word = self.next_word;
            self.next_word += 1;
            let mut free = !self.memory().allocs()[word].load(Relaxed);
            if let Some(retired) = &self.retired_bits {
                free &= !retired[word];
            }
            if free != 0 {
                self.cache_word = word;
                self.free_bits = free;
                return true;
            }
        }
        false
    }

    /// Whether a slot is free.
    pub(crate) fn has_free(&self) -> bool {
        self.free_slots() > 0
    }

    /// How many slots are free.
    pub(crate) fn free_slots(&self) -> usize {
        SPAN_OBJECTS - self.retired as usize - self.live as usize
    }

    pub(crate) fn live(&self) -> u32 {
        self.live
    }

    /// How many slots are marked.
    pub(crate) fn marked(&self) -> u32 {
        self.memory.as_ref().map_or(0, |m| {
            m.marks().iter().map(|w| w.load(Relaxed).count_ones()).sum()
        })
    }

    /// The slot's generation: odd while an object lives in it; the floor
    /// of a span whose memory was unmapped.
    #[inline]
    pub(crate) fn generation(&self, offset: usize) -> u32 {
        match &self.memory {
            Some(memory) => memory.generation(offset),
            None => self.floor,
        }
    }

    #[inline]
    pub(crate) fn is_live(&self, offset: usize, generation: NonZeroU32) -> bool {
        match &self.memory {
            Some(memory) => memory.generation(offset) == generation.get(),
            None => false,
        }
    }

    /// The offsets and generations of the live objects.
    pub(crate) fn live_slots(&self) -> impl Iterator<Item = (usize, NonZeroU32)> + '_ {
        let memory = match (&self.memory, self.state) {
            (Some(memory), SpanState::InUse) => Some(memory),
            _ => None,
        };
        memory
            .into_iter()
            .flat_map(|m| m.generations().iter().map(|g| g.load(Relaxed)).enumerate())
            .filter(|(_, g)| *g % 2 == 1)
            .map(|(offset, g)| (offset, NonZeroU32::new(g).expect("odd")))
    }

    #[inline]
    fn typed<T: Object>(&self) -> &[Option<T>] {
        match self
            .values
            .as_ref()
            .and_then(|v| v.downcast_ref::<TypedValues<T>>())
        {
            Some(values) => values,
            None => unreachable!("gogc: span values typed differently from its class"),
        }
    }

    #[inline]
    fn typed_mut<T: Object>(&mut self) -> &mut [Option<T>] {
        match self
            .values
            .as_mut()
            .and_then(|v| v.downcast_mut::<TypedValues<T>>())
        {
            Some(values) => values,
            None => unreachable!("gogc: span values typed differently from its class"),
        }
    }

    /// The value of the live object at `offset`; the caller checked the
    /// generation and the type.
    pub(crate) fn value<T: Object>(&self, offset: usize) -> &T {
        self.typed::<T>()[value_slot::<T>(offset)]
            .as_ref()
            .expect("gogc: a live slot holds a value")
    }

    pub(crate) fn value_mut<T: Object>(&mut self, offset: usize) -> &mut T {
        self.typed_mut::<T>()[value_slot::<T>(offset)]
            .as_mut()
            .expect("gogc: a live slot holds a value")
    }

    /// The object's pointer fields.
    pub(crate) fn pointers(&self, offset: usize) -> impl Iterator<Item = Option<Ptr>> + '_ {
        let memory = self.memory();
        (0..self.fields).map(move |field| memory.pointer(offset, field))
    }

    #[inline]
    pub(crate) fn pointer(&self, offset: usize, field: usize) -> Option<Ptr> {
        self.memory().pointer(offset, field)
    }

    /// Both pointer fields of a two-field object.
    #[inline]
    pub(crate) fn two_pointers(&self, offset: usize) -> [Option<Ptr>; 2] {
        self.memory().two_pointers(offset)
    }

    /// Writes a pointer field and returns what it held.
    #[inline]
    pub(crate) fn set_pointer(
        &mut self,
        offset: usize,
        field: usize,
        value: Option<Ptr>,
    ) -> Option<Ptr> {
        self.memory().set_pointer(offset, field, value)
    }

    #[inline]
    pub(crate) fn is_marked(&self, offset: usize) -> bool {
        self.memory.as_ref().is_some_and(|m| m.is_marked(offset))
    }

    /// Sets the mark bit of a live slot; `true` if it was clear
    /// (`greyobject`'s `mbits.isMarked` / `setMarked`). `shared` while a
    /// mark worker may run.
    #[inline]
    pub(crate) fn mark(&mut self, offset: usize, shared: bool) -> bool {
        self.memory().mark(offset, shared)
    }

    /// If `generation` is the live object's at `offset`, marks it and
    /// returns `true` when the mark bit was clear: `shade`'s test in one
    /// look at the span.
    #[inline]
    pub(crate) fn mark_if_live(&mut self, offset: usize, generation: u32, shared: bool) -> bool {
        match &self.memory {
            Some(memory) => memory.mark_if_live(offset, generation, shared),
            None => false,
        }
    }

    /// Starts loading the pointer words of the object at `offset` into the
    /// cache: the marker scans it a few objects from now.
    #[inline]
    pub(crate) fn prefetch_pointers(&self, offset: usize) {
        if let Some(memory) = &self.memory {
            memory.prefetch_pointers(offset);
        }
    }

    /// Frees every live, unmarked object and clears the mark bits for the
    /// next cycle (`mspan.sweep`, `runtime/mgcsweep.go`: the marked slots
    /// become the allocated ones, as Go's `gcmarkBits` become `allocBits`).
    /// `freed` hears of each freed object; the return value is how many
    /// were freed.
    pub(crate) fn sweep(&mut self, span_no: usize, mut freed: impl FnMut(Ptr)) -> usize {
        let mut count = 0;
        let mut retire = Vec::new();
        let Span {
            memory: Some(memory),
            values: Some(values),
            ..
        } = self
        else {
            unreachable!("gogc: sweeping a span that is not in use")
        };
        for word in 0..BITMAP_WORDS {
            let marked = memory.marks()[word].load(Relaxed);
            let allocated = memory.allocs()[word].load(Relaxed);
            let mut dead = allocated & !marked;
            if marked != 0 {
                memory.marks()[word].store(0, Relaxed);
            }
            if dead == 0 {
                continue;
            }
            memory.allocs()[word].store(allocated & marked, Relaxed);
            (self.free_values)(&mut **values, word, dead);
            while dead != 0 {
                let offset = word * 64 + dead.trailing_zeros() as usize;
                dead &= dead - 1;
                let generation = memory.generation(offset);
                freed(Ptr::new(
                    slot_index(span_no, offset),
                    NonZeroU32::new(generation).expect("odd"),
                ));
                // Even again. A slot whose generation would wrap to 0 is
                // retired rather than reused, so no old handle can ever
                // match it again.
                let next = generation.wrapping_add(1);
                memory.set_generation(offset, next);
                if next == 0 {
                    retire.push(offset);
                }
                count += 1;
            }
        }
        for offset in retire {
            self.retired_bits
                .get_or_insert_with(|| Box::new([0; BITMAP_WORDS]))[offset / 64] |=
                1 << (offset % 64);
            self.retired += 1;
        }
        self.live -= count as u32;
        self.next_word = 0;
        self.free_bits = 0;
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair;
    impl Object for Pair {
        const POINTER_FIELDS: &'static [&'static str] = &["a", "b"];
    }

    fn span() -> Span {
        Span::new::<Pair>(0, 16, 0, SpanMemory::map(2))
    }

    #[test]
    fn alloc_mark_sweep_round_trip() {
        let mut span = span();
        let (a, ga) = span.alloc(Pair).ok().unwrap();
        let (b, gb) = span.alloc(Pair).ok().unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!((ga.get(), gb.get()), (1, 1));
        span.set_pointer(a, 1, Some(Ptr::new(1, gb)));
        assert!(span.mark(a, false));
        assert!(!span.mark(a, true));
        let mut freed = Vec::new();
        assert_eq!(span.sweep(0, |p| freed.push(p)), 1);
        assert_eq!(freed, vec![Ptr::new(1, gb)]);
        assert!(span.is_live(a, ga) && !span.is_live(b, gb));
        assert!(!span.is_marked(a), "sweep clears the marks");
        // The freed slot is reused with a new generation and nil fields.
        let (c, gc) = span.alloc(Pair).ok().unwrap();
        assert_eq!((c, gc.get()), (1, 3));
        assert_eq!(span.pointers(c).collect::<Vec<_>>(), [None, None]);
        assert_eq!(span.pointer(a, 1), Some(Ptr::new(1, gb)));
    }

    #[test]
    fn a_full_span_says_so_and_sweep_makes_room() {
        let mut span = span();
        for _ in 0..SPAN_OBJECTS {
            assert!(span.alloc(Pair).is_ok());
        }
        assert!(span.alloc(Pair).is_err());
        assert!(!span.has_free());
        span.mark(100, false);
        assert_eq!(span.sweep(0, |_| {}), SPAN_OBJECTS - 1);
        assert_eq!(span.live(), 1);
        let (offset, _) = span.alloc(Pair).ok().unwrap();
        assert_eq!(offset, 0);
    }

    #[test]
    fn a_slot_about_to_wrap_is_retired() {
        let mut span = span();
        span.memory().set_generation(0, u32::MAX - 1); // the next alloc takes slot 0 at MAX
        let (offset, generation) = span.alloc(Pair).ok().unwrap();
        assert_eq!(generation.get(), u32::MAX);
        span.sweep(0, |_| {});
        assert_eq!(span.generation(offset), 0);
        let (next, _) = span.alloc(Pair).ok().unwrap();
        assert_eq!(next, 1, "slot 0 is retired");
        assert_eq!(span.free_slots(), SPAN_OBJECTS - 2);
    }

    #[test]
    fn a_remapped_span_number_starts_above_its_old_generations() {
        let mut span = span();
        let (offset, generation) = span.alloc(Pair).ok().unwrap();
        span.sweep(0, |_| {});
        span.make_idle();
        drop(span.release());
        assert!(!span.is_live(offset, generation));
        span.reuse::<Pair>(0, 16, 0, Some(SpanMemory::map(2)));
        let (again, fresh) = span.alloc(Pair).ok().unwrap();
        assert_eq!(again, offset);
        assert!(fresh.get() > generation.get() + 1);
        assert!(!span.is_live(offset, generation));
    }
}
