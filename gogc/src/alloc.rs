//! Allocation (`mallocgc`, `runtime/malloc.go`; `mcache.refill`,
//! `mcentral.cacheSpan`, `mheap.alloc`, Go 1.27).
//!
//! The fast path takes the next free slot of the type's current span (the
//! `mcache` span of its size class) from a 64-bit cache of free bits. The
//! slow path, once per span, is where Go does its bookkeeping and so do we:
//!
//! 1. the heap's live bytes grow by the new span's free slots (`heapLive`
//!    counts whole spans handed to allocation), and a paced heap checks the
//!    trigger, sweeps in proportion and lets its fractional worker mark
//!    (`pacing.rs`);
//! 2. a span with free slots is taken from the type's partial list, or its
//!    list of spans left unswept by the last cycle, sweeping it first —
//!    never allocate into an unswept span, or its stale mark bits would free
//!    the new object;
//! 3. else an idle span's memory is reused, or a span is mapped afresh.

use std::any::TypeId;

use crate::handle::{Gc, Ptr};
use crate::heap::{Class, Heap};
use crate::object::{Object, type_name_of};
use crate::roots::Mutator;
use crate::span::{SPAN_OBJECTS, SPAN_SHIFT, Span, SpanMemory, SpanState, slot_index};
use crate::sweep::Swept;

impl Heap {
    /// Allocates `value` for mutator `m` and pushes the pointer on `m`'s
    /// stack (`p := new(T)`: the result lives in a stack variable until it
    /// is popped). Its pointer fields start nil. While the collector marks
    /// the object is black if the barrier needs it (`gcmarknewobject`), and
    /// on a paced heap `m` pays for it with mark work (an assist).
    #[inline]
    #[track_caller]
    pub fn alloc<T: Object>(&mut self, m: Mutator, value: T) -> Gc<T> {
        self.stack_ref(m);
        let class = self.class_of::<T>();
        let ptr = self.alloc_slot(class, value);
        // On the stack before anything can end the cycle: an assist may
        // finish marking, and under Dijkstra's barrier (white allocation)
        // mark termination's re-scan is what keeps the new object.
        // `stack_ref` checked the index.
        self.stacks[m.index()].slots.push(Some(ptr));
        self.stack_slots += 1;
        if self.gc.marking {
            self.allocated_while_marking(m, ptr, class);
        }
        self.after_op();
        Gc::from_ptr(ptr)
    }

    /// The class number of `T`, registering it on first use. A linear
    /// search: heaps hold few types.
    #[inline]
    fn class_of<T: Object>(&mut self) -> usize {
        let id = TypeId::of::<T>();
        match self.classes.iter().position(|c| c.type_id == id) {
            Some(c) => c,
            None => self.new_class::<T>(),
        }
    }

    #[cold]
    fn new_class<T: Object>(&mut self) -> usize {
        assert!(
            self.classes.len() < usize::from(u16::MAX),
            "gogc: too many object types"
        );
        let words = size_of::<T>().div_ceil(8) + T::POINTER_FIELDS.len();
        self.classes.push(Class {
            type_id: TypeId::of::<T>(),
            name: type_name_of::<T>(),
            fields: T::POINTER_FIELDS,
            object_bytes: (words.max(1) * 8) as u64,
            current: None,
            partial: Vec::new(),
            unswept: Vec::new(),
            mallocs: 0,
            frees: 0,
        });
        self.classes.len() - 1
    }

    #[inline]
    fn alloc_slot<T: Object>(&mut self, class: usize, value: T) -> Ptr {
        let value = match self.classes[class].current {
            Some(s) => match self.spans[s].alloc(value) {
                Ok((offset, generation)) => {
                    self.classes[class].mallocs += 1;
                    return Ptr::new(slot_index(s, offset), generation);
                }
                Err(value) => value,
            },
            None => value,
        };
        self.alloc_slow(class, value)
    }

    /// The current span is full (or there is none): `mcache.refill`.
    #[cold]
    #[inline(never)]
    fn alloc_slow<T: Object>(&mut self, class: usize, mut value: T) -> Ptr {
        loop {
            self.classes[class].current = None;
            if self.paced {
                self.pace_refill(class);
            }
            let s = self.cache_span::<T>(class);
            let free = self.spans[s].free_slots() as u64;
            self.gc.pacer.heap_live += free * self.classes[class].object_bytes;
            if !self.gc.marking && self.spans[s].fields > 0 {
                self.gc
                    .pacer
                    .add_heap_scan(free * (self.spans[s].fields as u64) * 8);
            }
            self.classes[class].current = Some(s);
            if self.gc.marking && self.paced {
                self.gc.pacer.revise();
            }
            match self.spans[s].alloc(value) {
                Ok((offset, generation)) => {
                    self.classes[class].mallocs += 1;
                    return Ptr::new(slot_index(s, offset), generation);
                }
                Err(back) => value = back,
            }
        }
    }

    /// `mcentral.cacheSpan` + `mheap.alloc`: a swept span of `class` with
    /// a free slot.
    fn cache_span<T: Object>(&mut self, class: usize) -> usize {
        while let Some(s) = self.classes[class].partial.pop() {
            let span = &mut self.spans[s];
            if !span.in_partial
                || span.state != SpanState::InUse
                || usize::from(span.class) != class
            {
                continue;
            }
            span.in_partial = false;
            if span.sweepgen != self.gc.sweepgen {
                self.sweep_span(s, Swept::ToAllocate);
            }
            if self.spans[s].has_free() {
                return s;
            }
        }
        while let Some(s) = self.classes[class].unswept.pop() {
            let span = &self.spans[s];
            if span.state != SpanState::InUse
                || usize::from(span.class) != class
                || span.sweepgen == self.gc.sweepgen
            {
                continue;
            }
            self.sweep_span(s, Swept::ToAllocate);
            if self.spans[s].has_free() {
                return s;
            }
        }
        self.new_span::<T>(class)
    }

    /// `mheap.alloc`: an idle span of the same layout, else a span number
    /// whose memory was released, else a new one — each with memory.
    fn new_span<T: Object>(&mut self, class: usize) -> usize {
        let fields = T::POINTER_FIELDS.len();
        let class_no = u16::try_from(class).expect("checked in new_class");
        let sweepgen = self.gc.sweepgen;
        let object_bytes = self.classes[class].object_bytes;
        let idle = self.idle_spans.get_mut(&fields).and_then(Vec::pop);
        let s = if let Some(s) = idle {
            let idle_bytes = (self.spans[s].memory_bytes() + self.spans[s].values_bytes) as u64;
            self.gc.pacer.heap_free -= idle_bytes;
            self.gc.pacer.mapped_ready -= self.spans[s].values_bytes as u64;
            self.spans[s].reuse::<T>(class_no, object_bytes, sweepgen, None);
            s
        } else {
            let memory = SpanMemory::map(fields);
            self.gc.pacer.mapped_ready += memory.bytes() as u64;
            if let Some(s) = self.released_spans.pop() {
                let released = &mut self.totals.released_bytes;
                *released = released.saturating_sub(memory.bytes() as u64);
                self.spans[s].reuse::<T>(class_no, object_bytes, sweepgen, Some(memory));
                s
            } else {
                let s = self.spans.len();
                assert!(
                    s < 1 << (32 - SPAN_SHIFT),
                    "gogc: heap full ({} spans)",
                    self.spans.len()
                );
                self.spans
                    .push(Span::new::<T>(class_no, object_bytes, sweepgen, memory));
                s
            }
        };
        self.gc.pacer.mapped_ready += (SPAN_OBJECTS * size_of::<Option<T>>()) as u64;
        self.publish_span(s);
        tracing::trace!(target: "gogc::heap", span = s, class = self.classes[class].name, "new span");
        s
    }

    /// Puts span `s` on its type's list of spans to allocate from, once.
    pub(crate) fn put_partial(&mut self, s: usize) {
        let span = &mut self.spans[s];
        if !span.in_partial {
            span.in_partial = true;
            self.classes[usize::from(span.class)].partial.push(s);
        }
    }
}
