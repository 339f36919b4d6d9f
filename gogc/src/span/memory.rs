//! A span's collector memory — mark bits, allocation bits, generations
//! and pointer words — in one anonymous mapping from the OS (the parts of
//! Go's `mspan` that `runtime/mbitmap.go` and `mgcmark.go` read), viewed
//! through atomics so that a background mark worker may share it:
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

// The crate's one unsafe region: `SpanMemory`'s views of its mapping,
// argued on the type.
#![allow(unsafe_code)]

use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicU32, AtomicU64};

use memmap2::MmapMut;

use super::{BITMAP_WORDS, SPAN_OBJECTS};
use crate::handle::Ptr;
use crate::sync::MarkWord;

#[cfg(all(test, loom))]
mod loom_models;

const MARKS_AT: usize = 0;
const ALLOCS_AT: usize = MARKS_AT + BITMAP_WORDS * 8;
const GENERATIONS_AT: usize = ALLOCS_AT + BITMAP_WORDS * 8;
const POINTERS_AT: usize = GENERATIONS_AT + SPAN_OBJECTS * 4;

/// A span's collector memory: one anonymous mapping, zeroed by the OS,
/// laid out as the module docs draw it, shared (`Arc`) between the heap and
/// its background mark worker (`worker.rs`).
///
/// Every word is accessed atomically — relaxed loads and stores, which
/// are plain moves on x86-64, and `fetch_or` for mark bits while a worker
/// may be marking — so the mutator's thread and the worker's never race.
/// While a cycle marks, three kinds of word are touched by both threads
/// at once, none of them publishing data to the other (what the worker
/// scans reaches it under its mutex, `worker.rs`), so Relaxed throughout:
/// mark bits (the worker's scan against the mutator's barrier, roots and
/// black allocation: one `fetch_or`, [`set_mark_bit`], model-checked by
/// loom in `span/memory/loom_models.rs`); pointer words (a store against
/// the worker's scan: whichever value the worker reads, the barrier shaded
/// the other); and generations (an allocation against the worker's
/// liveness test: a stale read makes the worker skip an object that the
/// mutator's thread allocated black or shaded when it stored the pointer).
///
/// The accessors view the regions through a pointer to the mapping's
/// start, taken once: the collector's hot paths then cost one load each.
/// This is the crate's only unsafe code. It rests on three facts, argued
/// once here and cited by each block:
///
/// 1. **Valid and aligned**: `base` is the start of a live, page-aligned
///    mapping of `POINTERS_AT + SPAN_OBJECTS * fields * 8` bytes that the
///    struct owns (`map`) and unmaps only when dropped; every region lies
///    inside it at an offset that is a multiple of 8 (0, 1 KiB, 2 KiB,
///    34 KiB).
/// 2. **Any bit pattern**: the regions hold `AtomicU64` and `AtomicU32`,
///    which have the size, alignment and bit validity of `u64` and `u32`;
///    the OS zeroes the mapping, so no byte is ever uninitialised.
/// 3. **Only atomics**: nothing reads or writes the mapping except through
///    these atomic views — `map` is never dereferenced after `base` is
///    taken — so shared references to the regions are sound from any
///    number of threads.
pub(crate) struct SpanMemory {
    map: MmapMut,
    base: NonNull<u8>,
    fields: usize,
}

// SAFETY: a `SpanMemory` owns its mapping as a `Box` owns its allocation
// (`base` points only into `map`), and every access to the mapping is
// atomic (fact 3), so it may move to and be shared between threads.
unsafe impl Send for SpanMemory {}
// SAFETY: as above: shared access goes through atomics only.
unsafe impl Sync for SpanMemory {}

type AtomicBitmap = [AtomicU64; BITMAP_WORDS];
type AtomicGenerations = [AtomicU32; SPAN_OBJECTS];

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

    /// Pointer fields per slot.
    pub(crate) fn fields(&self) -> usize {
        self.fields
    }

    #[inline]
    pub(super) fn marks(&self) -> &AtomicBitmap {
        // SAFETY: facts 1–3 of the type's docs; bytes MARKS_AT..ALLOCS_AT
        // are one bitmap.
        unsafe { &*self.base.as_ptr().add(MARKS_AT).cast::<AtomicBitmap>() }
    }

    #[inline]
    pub(super) fn allocs(&self) -> &AtomicBitmap {
        // SAFETY: facts 1–3; bytes ALLOCS_AT..GENERATIONS_AT are one bitmap.
        unsafe { &*self.base.as_ptr().add(ALLOCS_AT).cast::<AtomicBitmap>() }
    }

    #[inline]
    pub(super) fn generations(&self) -> &AtomicGenerations {
        // SAFETY: facts 1–3; bytes GENERATIONS_AT..POINTERS_AT are one
        // generations array.
        unsafe {
            &*self
                .base
                .as_ptr()
                .add(GENERATIONS_AT)
                .cast::<AtomicGenerations>()
        }
    }

    #[inline]
    pub(super) fn pointers(&self) -> &[AtomicU64] {
        // SAFETY: facts 1–3; the mapping ends with SPAN_OBJECTS * fields
        // words from POINTERS_AT.
        unsafe {
            std::slice::from_raw_parts(
                self.base.as_ptr().add(POINTERS_AT).cast::<AtomicU64>(),
                SPAN_OBJECTS * self.fields,
            )
        }
    }

    /// Asks the CPU to start loading the pointer words of the object at
    /// `offset`, which the marker will read soon.
    #[inline]
    pub(crate) fn prefetch_pointers(&self, offset: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let at = POINTERS_AT + (offset % SPAN_OBJECTS) * self.fields * 8;
            // SAFETY: fact 1 puts `at` inside the mapping; a prefetch only
            // hints the cache and never faults. The intrinsic is unsafe
            // only for its target feature, SSE, which every x86-64 CPU has.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(self.base.as_ptr().add(at).cast()) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = offset;
    }

    /// The slot's generation.
    #[inline]
    pub(crate) fn generation(&self, offset: usize) -> u32 {
        self.generations()[offset % SPAN_OBJECTS].load(Relaxed)
    }

    #[inline]
    pub(super) fn set_generation(&self, offset: usize, generation: u32) {
        self.generations()[offset % SPAN_OBJECTS].store(generation, Relaxed);
    }

    #[inline]
    pub(crate) fn is_marked(&self, offset: usize) -> bool {
        self.marks()[offset / 64 % BITMAP_WORDS].load(Relaxed) & (1 << (offset % 64)) != 0
    }

    /// Sets the mark bit; `true` if it was clear. `shared`: a worker may be
    /// marking in the same word, so the update is one atomic `fetch_or`.
    #[inline]
    pub(crate) fn mark(&self, offset: usize, shared: bool) -> bool {
        set_mark_bit(
            &self.marks()[offset / 64 % BITMAP_WORDS],
            1 << (offset % 64),
            shared,
        )
    }

    /// If `generation` is the live object's at `offset`, marks it and
    /// returns `true` when the mark bit was clear: `shade`'s test.
    #[inline]
    pub(crate) fn mark_if_live(&self, offset: usize, generation: u32, shared: bool) -> bool {
        self.generation(offset) == generation && self.mark(offset, shared)
    }

    /// Pointer field `field` of the object at `offset`.
    #[inline]
    pub(crate) fn pointer(&self, offset: usize, field: usize) -> Option<Ptr> {
        debug_assert!(field < self.fields);
        Ptr::from_raw(self.pointers()[offset * self.fields + field].load(Relaxed))
    }

    /// Both pointer fields of a two-field object.
    #[inline]
    pub(crate) fn two_pointers(&self, offset: usize) -> [Option<Ptr>; 2] {
        let words = &self.pointers()[offset * 2..offset * 2 + 2];
        [
            Ptr::from_raw(words[0].load(Relaxed)),
            Ptr::from_raw(words[1].load(Relaxed)),
        ]
    }

    #[inline]
    pub(super) fn set_pointer(
        &self,
        offset: usize,
        field: usize,
        value: Option<Ptr>,
    ) -> Option<Ptr> {
        let word = &self.pointers()[offset * self.fields + field];
        let old = word.load(Relaxed);
        word.store(Ptr::to_raw(value), Relaxed);
        Ptr::from_raw(old)
    }
}

/// Sets `bit` in a mark bitmap word; `true` if it was clear. `shared`: the
/// mark worker may be setting another bit of the same word on its thread
/// (an object shaded by its scan while the mutator's barrier shades a
/// neighbour), so the update is one `fetch_or`; a load-then-store would
/// erase the worker's bit, and its object, reachable, would be swept.
/// Alone, the mutator's thread saves the locked instruction.
///
/// Relaxed either way: a mark bit publishes nothing. The worker learns of
/// work (its span table, grey objects) and the mutator of the worker's
/// idleness only under the worker's mutex (`worker.rs`).
///
/// With `--cfg 'loom_planted_bug="mark_unshared"'` the shared update is a
/// load-then-store too, for the loom model that must catch it.
#[inline]
pub(crate) fn set_mark_bit(word: &impl MarkWord, bit: u64, shared: bool) -> bool {
    if shared && !cfg!(loom_planted_bug = "mark_unshared") {
        word.fetch_or(bit, Relaxed) & bit == 0
    } else {
        let old = word.load(Relaxed);
        word.store(old | bit, Relaxed);
        old & bit == 0
    }
}
