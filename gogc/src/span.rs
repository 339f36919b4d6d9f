//! A span: a run of same-typed object slots with their generations, pointer
//! fields, allocation bits and mark bits side by side (Go's `mspan`,
//! `runtime/mheap.go` and `mbitmap.go`: `allocBits`, `gcmarkBits`,
//! `allocCache`).
//!
//! Go groups objects by size class; we group them by type, a finer
//! partition that gives each span one pointer layout and one Rust type for
//! its values. A span holds [`SPAN_OBJECTS`] slots. Everything the collector
//! needs sits in one anonymous memory mapping per span ([`SpanMemory`]),
//! dense arrays indexed by the slot's offset:
//!
//! ```text
//! 0        1 KiB      2 KiB                 34 KiB
//! | marks  | allocs   | generations (u32)   | pointer fields (u64, `fields` per slot) |
//! ```
//!
//! Mapping the memory from the OS, rather than taking it from the Rust
//! allocator, is what lets an empty span be given back: dropping the mapping
//! unmaps it and the process's RSS falls (Go's scavenger). Untouched pages
//! of a new mapping cost no RSS either.
//!
//! The objects' Rust values sit in a separate typed array the collector
//! never reads; sweep drops what it frees. Allocation finds free slots a
//! 64-bit word at a time (`nextFreeFast`); sweeping is word-parallel: the
//! slots still allocated are those both allocated and marked (Go swaps its
//! mark bits in as the allocation bits), and only the dead slots are
//! touched, to bump their generations so that their handles go stale.

// The crate's one unsafe region: `SpanMemory`'s views of its mapping,
// argued on the type.
#![allow(unsafe_code)]

use std::any::{Any, TypeId};
use std::num::NonZeroU32;
use std::ptr::NonNull;

use memmap2::MmapMut;

use crate::Object;
use crate::handle::Ptr;

/// Objects per span, as a power of two: a handle's index is
/// `span << SPAN_SHIFT | offset`.
pub(crate) const SPAN_SHIFT: u32 = 13;
/// Slots per span.
pub(crate) const SPAN_OBJECTS: usize = 1 << SPAN_SHIFT;
/// Words in a span's mark or allocation bitmap.
const BITMAP_WORDS: usize = SPAN_OBJECTS / 64;

const MARKS_AT: usize = 0;
const ALLOCS_AT: usize = MARKS_AT + BITMAP_WORDS * 8;
const GENERATIONS_AT: usize = ALLOCS_AT + BITMAP_WORDS * 8;
const POINTERS_AT: usize = GENERATIONS_AT + SPAN_OBJECTS * 4;

type Bitmap = [u64; BITMAP_WORDS];
type Generations = [u32; SPAN_OBJECTS];

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

/// A span's collector memory: one anonymous mapping, zeroed by the OS,
/// laid out as the module docs draw it.
///
/// The accessors view its regions through a pointer to the mapping's
/// start, taken once: the collector's hot paths (a handle check, a pointer
/// load, a mark) then cost one load each, with no slice or alignment checks
/// re-done per access. This is the crate's only unsafe code. It rests on
/// three facts, argued once here and cited by each block:
///
/// 1. **Valid and aligned**: `base` is the start of a live, page-aligned
///    mapping of `POINTERS_AT + SPAN_OBJECTS * fields * 8` bytes that the
///    struct owns (`map`) and unmaps only when dropped; every region below
///    lies inside it at an offset that is a multiple of its element's
///    alignment (0, 1 KiB, 2 KiB, 34 KiB; all multiples of 8).
/// 2. **Any bit pattern**: the regions hold `u64` and `u32` only; the OS
///    zeroes the mapping; no byte is ever uninitialised.
/// 3. **No aliasing**: nothing else ever reads or writes the mapping — `map`
///    is never dereferenced after `base` is taken — so a region borrowed
///    through `&self` is not written and one borrowed through `&mut self`
///    is not otherwise accessed, for as long as the borrow of `self` lasts.
pub(crate) struct SpanMemory {
    map: MmapMut,
    base: NonNull<u8>,
    fields: usize,
}

// SAFETY: a `SpanMemory` owns its mapping as a `Box` owns its allocation:
// `base` points only into `map`, which moves with it. Sending it to another
// thread sends that ownership; nothing is shared (it is not `Sync`).
unsafe impl Send for SpanMemory {}

impl SpanMemory {
    /// Maps the memory of a span whose objects have `fields` pointer
    /// fields.
    ///
    /// # Panics
    /// If the OS refuses the mapping (out of memory, Go's `fatal error:
    /// out of memory`).
    pub(crate) fn map(fields: usize) -> SpanMemory {
        let bytes = POINTERS_AT + SPAN_OBJECTS * fields * 8;
        let mut map = match MmapMut::map_anon(bytes) {
            Ok(map) => map,
            Err(e) => panic!("gogc: out of memory: mapping a {bytes}-byte span: {e}"),
        };
        assert!(map.len() >= bytes && map.as_ptr() as usize % 8 == 0);
        let base = NonNull::new(map.as_mut_ptr()).expect("a mapping is never at address 0");
        SpanMemory { map, base, fields }
    }

    /// Bytes mapped.
    pub(crate) fn bytes(&self) -> usize {
        self.map.len()
    }

    #[inline]
    fn marks(&self) -> &Bitmap {
        // SAFETY: facts 1–3 of the type's docs; bytes MARKS_AT..ALLOCS_AT
        // are one Bitmap.
        unsafe { &*self.base.as_ptr().add(MARKS_AT).cast::<Bitmap>() }
    }

    #[inline]
    fn marks_mut(&mut self) -> &mut Bitmap {
        // SAFETY: facts 1–3; `&mut self` makes this the only access.
        unsafe { &mut *self.base.as_ptr().add(MARKS_AT).cast::<Bitmap>() }
    }

    #[inline]
    fn allocs(&self) -> &Bitmap {
        // SAFETY: facts 1–3; bytes ALLOCS_AT..GENERATIONS_AT are one Bitmap.
        unsafe { &*self.base.as_ptr().add(ALLOCS_AT).cast::<Bitmap>() }
    }

    #[inline]
    fn allocs_mut(&mut self) -> &mut Bitmap {
        // SAFETY: facts 1–3; `&mut self` makes this the only access.
        unsafe { &mut *self.base.as_ptr().add(ALLOCS_AT).cast::<Bitmap>() }
    }

    #[inline]
    fn generations(&self) -> &Generations {
        // SAFETY: facts 1–3; bytes GENERATIONS_AT..POINTERS_AT are one
        // Generations array.
        unsafe { &*self.base.as_ptr().add(GENERATIONS_AT).cast::<Generations>() }
    }

    #[inline]
    fn generations_mut(&mut self) -> &mut Generations {
        // SAFETY: facts 1–3; `&mut self` makes this the only access.
        unsafe { &mut *self.base.as_ptr().add(GENERATIONS_AT).cast::<Generations>() }
    }

    #[inline]
    fn pointers(&self) -> &[u64] {
        // SAFETY: facts 1–3; the mapping ends with SPAN_OBJECTS * fields
        // u64 words from POINTERS_AT.
        unsafe {
            std::slice::from_raw_parts(
                self.base.as_ptr().add(POINTERS_AT).cast::<u64>(),
                SPAN_OBJECTS * self.fields,
            )
        }
    }

    /// Asks the CPU to start loading the pointer words of the object at
    /// `offset`, which the marker will read soon (it was just greyed).
    #[inline]
    fn prefetch_pointers(&self, offset: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let at = POINTERS_AT + (offset % SPAN_OBJECTS) * self.fields * 8;
            // SAFETY: fact 1 of the type's docs puts `at` inside the
            // mapping; a prefetch only hints the cache and never faults.
            // The intrinsic is unsafe only for its target feature, SSE,
            // which every x86_64 CPU has.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(self.base.as_ptr().add(at).cast()) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = offset;
    }

    #[inline]
    fn pointers_mut(&mut self) -> &mut [u64] {
        // SAFETY: facts 1–3; `&mut self` makes this the only access.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.base.as_ptr().add(POINTERS_AT).cast::<u64>(),
                SPAN_OBJECTS * self.fields,
            )
        }
    }
}

/// The values of a span of `T`s, behind `dyn Any` so that one heap holds
/// spans of many types; `None` in slots never used.
type TypedValues<T> = Box<[Option<T>]>;

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
    memory: Option<SpanMemory>,
    values: Option<Box<dyn Any + Send>>,
    /// `free_values::<T>` for this span's `T`.
    free_values: fn(&mut (dyn Any + Send), usize, u64),
    /// Bytes of the values array.
    pub(crate) values_bytes: usize,
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
            Some(mut fresh) => {
                debug_assert_eq!(self.state, SpanState::Released);
                if self.floor > 0 {
                    fresh.generations_mut().fill(self.floor);
                }
                fresh
            }
            None => self.memory.take().expect("an idle span keeps its memory"),
        };
        debug_assert_eq!(memory.fields, T::POINTER_FIELDS.len());
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
            let values: TypedValues<T> =
                std::iter::repeat_with(|| None).take(SPAN_OBJECTS).collect();
            self.values = Some(Box::new(values));
        }
        self.free_values = free_values::<T>;
        self.values_bytes = SPAN_OBJECTS * size_of::<Option<T>>();
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

    /// Takes an idle span's memory to unmap it: the number is released.
    pub(crate) fn release(&mut self) -> SpanMemory {
        debug_assert_eq!(self.state, SpanState::Idle);
        let memory = self.memory.take().expect("an idle span keeps its memory");
        self.values = None;
        self.values_bytes = 0;
        let top = memory.generations().iter().copied().max().unwrap_or(0);
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
        self.memory.as_ref().map_or(0, SpanMemory::bytes)
    }

    /// The memory's pointer fields per slot, if it is mapped.
    pub(crate) fn memory_fields(&self) -> Option<usize> {
        self.memory.as_ref().map(|m| m.fields)
    }

    #[inline]
    fn memory(&self) -> &SpanMemory {
        match &self.memory {
            Some(memory) => memory,
            None => unreachable!("gogc: a span in use has its memory"),
        }
    }

    #[inline]
    fn memory_mut(&mut self) -> &mut SpanMemory {
        match &mut self.memory {
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
        let fields = self.fields;
        let memory = self.memory_mut();
        memory.allocs_mut()[word] |= 1 << bit;
        let slot = &mut memory.generations_mut()[offset];
        *slot += 1;
        let generation = *slot;
        // Nil fields. Written word by word for the small counts: a `fill`
        // of a run-time length becomes a `memset` call.
        let words = &mut memory.pointers_mut()[offset * fields..(offset + 1) * fields];
        match words {
            [] => {}
            [a] => *a = 0,
            [a, b] => (*a, *b) = (0, 0),
            [a, b, c] => (*a, *b, *c) = (0, 0, 0),
            [a, b, c, d] => (*a, *b, *c, *d) = (0, 0, 0, 0),
            longer => longer.fill(0),
        }
        self.live += 1;
        self.typed_mut::<T>()[offset] = Some(value);
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
            let mut free = !self.memory().allocs()[word];
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

    /// The slot's generation: odd while an object lives in it; the floor
    /// of a span whose memory was unmapped.
    #[inline]
    pub(crate) fn generation(&self, offset: usize) -> u32 {
        match &self.memory {
            Some(memory) => memory.generations()[offset],
            None => self.floor,
        }
    }

    #[inline]
    pub(crate) fn is_live(&self, offset: usize, generation: NonZeroU32) -> bool {
        match &self.memory {
            Some(memory) => memory.generations()[offset] == generation.get(),
            None => false,
        }
    }

    /// The offsets and generations of the live objects.
    pub(crate) fn live_slots(&self) -> impl Iterator<Item = (usize, NonZeroU32)> + '_ {
        let generations = match (&self.memory, self.state) {
            (Some(memory), SpanState::InUse) => &memory.generations()[..],
            _ => &[][..],
        };
        generations
            .iter()
            .enumerate()
            .filter(|(_, g)| *g % 2 == 1)
            .map(|(offset, &g)| (offset, NonZeroU32::new(g).expect("odd")))
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
    pub(crate) fn pointers(&self, offset: usize) -> impl Iterator<Item = Option<Ptr>> + '_ {
        let fields = self.fields;
        self.memory().pointers()[offset * fields..(offset + 1) * fields]
            .iter()
            .map(|&raw| Ptr::from_raw(raw))
    }

    #[inline]
    pub(crate) fn pointer(&self, offset: usize, field: usize) -> Option<Ptr> {
        Ptr::from_raw(self.memory().pointers()[offset * self.fields + field])
    }

    /// Both pointer fields of a two-field object.
    #[inline]
    pub(crate) fn two_pointers(&self, offset: usize) -> [Option<Ptr>; 2] {
        let words = &self.memory().pointers()[offset * 2..offset * 2 + 2];
        [Ptr::from_raw(words[0]), Ptr::from_raw(words[1])]
    }

    /// Writes a pointer field and returns what it held.
    #[inline]
    pub(crate) fn set_pointer(
        &mut self,
        offset: usize,
        field: usize,
        value: Option<Ptr>,
    ) -> Option<Ptr> {
        let at = offset * self.fields + field;
        let slot = &mut self.memory_mut().pointers_mut()[at];
        Ptr::from_raw(std::mem::replace(slot, Ptr::to_raw(value)))
    }

    #[inline]
    pub(crate) fn is_marked(&self, offset: usize) -> bool {
        match &self.memory {
            Some(memory) => memory.marks()[offset / 64] & (1 << (offset % 64)) != 0,
            None => false,
        }
    }

    /// Sets the mark bit of a live slot; `true` if it was clear
    /// (`greyobject`'s `mbits.isMarked` / `setMarked`).
    #[inline]
    pub(crate) fn mark(&mut self, offset: usize) -> bool {
        let word = &mut self.memory_mut().marks_mut()[offset / 64];
        let bit = 1 << (offset % 64);
        let was_clear = *word & bit == 0;
        *word |= bit;
        was_clear
    }

    /// If `generation` is the live object's at `offset`, marks it and
    /// returns `true` when the mark bit was clear: `shade`'s test in one
    /// look at the span.
    #[inline]
    pub(crate) fn mark_if_live(&mut self, offset: usize, generation: u32) -> bool {
        let Some(memory) = &mut self.memory else {
            return false;
        };
        if memory.generations()[offset] != generation {
            return false;
        }
        let word = &mut memory.marks_mut()[offset / 64];
        let bit = 1 << (offset % 64);
        let was_clear = *word & bit == 0;
        *word |= bit;
        if was_clear && self.fields > 0 {
            memory.prefetch_pointers(offset);
        }
        was_clear
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
            let marked = memory.marks()[word];
            let allocated = memory.allocs()[word];
            let mut dead = allocated & !marked;
            if dead == 0 {
                continue;
            }
            memory.allocs_mut()[word] = allocated & marked;
            (self.free_values)(&mut **values, word, dead);
            while dead != 0 {
                let offset = word * 64 + dead.trailing_zeros() as usize;
                dead &= dead - 1;
                let generation = memory.generations()[offset];
                freed(Ptr::new(
                    slot_index(span_no, offset),
                    NonZeroU32::new(generation).expect("odd"),
                ));
                // Even again. A slot whose generation would wrap to 0 is
                // retired rather than reused, so no old handle can ever
                // match it again.
                let next = generation.wrapping_add(1);
                memory.generations_mut()[offset] = next;
                if next == 0 {
                    retire.push(offset);
                }
                count += 1;
            }
        }
        memory.marks_mut().fill(0);
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
        assert!(span.mark(a));
        assert!(!span.mark(a));
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
        span.mark(100);
        assert_eq!(span.sweep(0, |_| {}), SPAN_OBJECTS - 1);
        assert_eq!(span.live(), 1);
        let (offset, _) = span.alloc(Pair).ok().unwrap();
        assert_eq!(offset, 0);
    }

    #[test]
    fn a_slot_about_to_wrap_is_retired() {
        let mut span = span();
        span.memory_mut().generations_mut()[0] = u32::MAX - 1; // the next alloc takes slot 0 at MAX
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
