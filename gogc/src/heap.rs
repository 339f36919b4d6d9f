//! The heap: typed allocation into spans (`mallocgc`, `runtime/malloc.go`),
//! handle checks, and the loads and stores of pointer fields that run the
//! write barrier.
//!
//! Allocation follows Go's path in miniature: each type has a current span
//! (the `mcache` span of its size class); when it is full the type's list of
//! spans with free slots is tried (`mcentral.cacheSpan`), sweeping a span
//! first if this cycle has not swept it yet — never allocate into an
//! unswept span, or its stale mark bits would free the new object — and
//! only then a new span is made (`mheap.alloc`).

use std::any::TypeId;

use crate::barrier::{Barrier, WB_BUF_ENTRIES};
use crate::cycle::Collector;
use crate::handle::{Gc, Ptr, StaleHandle};
use crate::object::{Field, Object, type_name_of};
use crate::roots::{IntoPtr, Mutator, Stack};
use crate::span::{SPAN_SHIFT, Span, split_index};

/// A type the heap has seen: Go's span class, one per type here.
#[derive(Debug)]
pub(crate) struct Class {
    type_id: TypeId,
    pub(crate) name: &'static str,
    pub(crate) fields: &'static [&'static str],
    /// The span allocation takes from (`mcache.alloc[spc]`).
    pub(crate) current: Option<usize>,
    /// Spans with free slots (`mcentral.partial`).
    pub(crate) partial: Vec<usize>,
}

/// A garbage-collected heap of typed objects, with its roots and its
/// collector. See the [crate docs](crate) for a tour.
pub struct Heap {
    pub(crate) spans: Vec<Span>,
    pub(crate) classes: Vec<Class>,
    pub(crate) globals: Vec<Option<Ptr>>,
    pub(crate) stacks: Vec<Stack>,
    pub(crate) gc: Collector,
    /// Run the invariant checkers and the reachability oracle after every
    /// operation and panic on a violation.
    pub(crate) checked: bool,
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heap")
            .field("barrier", &self.gc.barrier)
            .field("phase", &self.phase())
            .field("cycle", &self.gc.cycle)
            .field("objects", &self.live_objects())
            .field("spans", &self.spans.len())
            .field("mutators", &self.stacks.len())
            .field("globals", &self.globals.len())
            .finish()
    }
}

impl Heap {
    /// An empty heap whose collector runs `barrier` while marking.
    pub fn new(barrier: Barrier) -> Heap {
        Heap {
            spans: Vec::new(),
            classes: Vec::new(),
            globals: Vec::new(),
            stacks: Vec::new(),
            gc: Collector::new(barrier, WB_BUF_ENTRIES),
            checked: false,
        }
    }

    /// Turns the checkers on: after every operation the heap verifies the
    /// barrier's tri-color invariant and, with an independent reachability
    /// oracle, that no reachable object was or is about to be freed; it
    /// panics with the violation. Costs a walk of the heap per operation:
    /// for tests and small heaps.
    pub fn with_checks(mut self, on: bool) -> Heap {
        self.checked = on;
        self
    }

    /// Sets the write barrier buffer's size (Go: 512; Go's `testSmallBuf`
    /// mode makes it tiny to stress flushing, and so may a test).
    ///
    /// # Panics
    /// If `entries` is 0, or a cycle is running.
    pub fn with_wb_buf_entries(mut self, entries: usize) -> Heap {
        assert!(!self.gc.marking, "gogc: resize the wbBuf between cycles");
        self.gc.set_wb_buf_entries(entries);
        self
    }

    /// The barrier this heap's collector runs.
    pub fn barrier(&self) -> Barrier {
        self.gc.barrier
    }

    /// Allocates `value` for mutator `m` and pushes the pointer on `m`'s
    /// stack (`p := new(T)`: the result lives in a stack variable until it
    /// is popped). Its pointer fields start nil. While the collector marks
    /// the object is black if the barrier needs it (`gcmarknewobject`).
    #[track_caller]
    pub fn alloc<T: Object>(&mut self, m: Mutator, value: T) -> Gc<T> {
        self.stack_ref(m);
        let class = self.class_of::<T>();
        let ptr = self.alloc_slot(class, value);
        if self.gc.marking && self.gc.barrier.allocates_black() {
            self.mark_new_object(ptr);
        }
        self.push(m, ptr);
        Gc::from_ptr(ptr)
    }

    /// The class number of `T`, registering it on first use. A linear
    /// search: heaps hold few types.
    fn class_of<T: Object>(&mut self) -> usize {
        let id = TypeId::of::<T>();
        if let Some(c) = self.classes.iter().position(|c| c.type_id == id) {
            return c;
        }
        assert!(
            self.classes.len() < usize::from(u16::MAX),
            "gogc: too many object types"
        );
        self.classes.push(Class {
            type_id: id,
            name: type_name_of::<T>(),
            fields: T::POINTER_FIELDS,
            current: None,
            partial: Vec::new(),
        });
        self.classes.len() - 1
    }

    fn alloc_slot<T: Object>(&mut self, class: usize, mut value: T) -> Ptr {
        loop {
            let span_no = match self.classes[class].current {
                Some(s) => s,
                None => self.refill::<T>(class),
            };
            match self.spans[span_no].alloc(value) {
                Ok((offset, generation)) => {
                    self.gc.stats.allocated += 1;
                    let index = ((span_no as u32) << SPAN_SHIFT) | offset as u32;
                    return Ptr::new(index, generation);
                }
                Err(back) => {
                    value = back;
                    self.classes[class].current = None;
                }
            }
        }
    }

    /// `mcentral.cacheSpan` + `mheap.alloc`: a swept span of `class` with a
    /// free slot, made current.
    fn refill<T: Object>(&mut self, class: usize) -> usize {
        while let Some(s) = self.classes[class].partial.pop() {
            self.spans[s].in_partial = false;
            if self.spans[s].sweepgen != self.gc.sweepgen {
                self.sweep_span(s);
            }
            if self.spans[s].has_free() {
                self.classes[class].current = Some(s);
                return s;
            }
        }
        let s = self.spans.len();
        assert!(
            s < 1 << (32 - SPAN_SHIFT),
            "gogc: heap full ({} spans)",
            self.spans.len()
        );
        let class_no = u16::try_from(class).expect("checked in class_of");
        self.spans.push(Span::new::<T>(class_no, self.gc.sweepgen));
        self.classes[class].current = Some(s);
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

    /// Whether `ptr`'s object is still live, without a type check.
    #[inline]
    pub fn check_handle(&self, ptr: Ptr) -> Result<(), StaleHandle> {
        let (s, offset) = split_index(ptr.index());
        let Some(span) = self.spans.get(s) else {
            return Err(StaleHandle::NoSuchSlot { ptr });
        };
        if span.is_live(offset, ptr.raw_generation()) {
            Ok(())
        } else {
            Err(StaleHandle::Freed {
                ptr,
                now: span.generation(offset),
            })
        }
    }

    /// Whether `ptr`'s object is live.
    #[inline]
    pub fn is_live(&self, ptr: impl Into<Ptr>) -> bool {
        self.check_handle(ptr.into()).is_ok()
    }

    /// The live span and offset of a `T` behind `ptr`.
    #[inline]
    fn locate<T: Object>(&self, ptr: Ptr) -> Result<(usize, usize), StaleHandle> {
        self.check_handle(ptr)?;
        let (s, offset) = split_index(ptr.index());
        if self.spans[s].type_id != TypeId::of::<T>() {
            return Err(StaleHandle::WrongType {
                ptr,
                is: self.classes[usize::from(self.spans[s].class)].name,
                wanted: type_name_of::<T>(),
            });
        }
        Ok((s, offset))
    }

    /// The span and offset of `ptr`'s live object.
    ///
    /// # Panics
    /// With the [`StaleHandle`] message if it was freed.
    #[inline]
    #[track_caller]
    pub(crate) fn expect_live(&self, ptr: Ptr) -> (usize, usize) {
        match self.check_handle(ptr) {
            Ok(()) => split_index(ptr.index()),
            Err(e) => stale(e),
        }
    }

    /// [`expect_live`](Heap::expect_live) for a pointer that may be nil.
    #[inline]
    #[track_caller]
    pub(crate) fn expect_live_or_nil(&self, value: Option<Ptr>) {
        if let Some(ptr) = value {
            self.expect_live(ptr);
        }
    }

    /// [`expect_live`](Heap::expect_live) for a `T`.
    #[inline]
    #[track_caller]
    fn expect_typed<T: Object>(&self, ptr: Ptr) -> (usize, usize) {
        match self.locate::<T>(ptr) {
            Ok(at) => at,
            Err(e) => stale(e),
        }
    }

    /// The typed handle for `ptr`, if its object is a live `T`.
    pub fn cast<T: Object>(&self, ptr: Ptr) -> Result<Gc<T>, StaleHandle> {
        self.locate::<T>(ptr).map(|_| Gc::from_ptr(ptr))
    }

    /// The object's value.
    ///
    /// # Panics
    /// If its object was freed ([`try_get`](Heap::try_get) returns the error).
    #[track_caller]
    pub fn get<T: Object>(&self, h: Gc<T>) -> &T {
        let (s, offset) = self.expect_typed::<T>(h.ptr());
        self.spans[s].value(offset)
    }

    /// The object's value, or why the handle is stale.
    pub fn try_get<T: Object>(&self, h: Gc<T>) -> Result<&T, StaleHandle> {
        let (s, offset) = self.locate::<T>(h.ptr())?;
        Ok(self.spans[s].value(offset))
    }

    /// The object's value, to change its scalars (no barrier: Go barriers
    /// only pointer writes).
    ///
    /// # Panics
    /// If its object was freed.
    #[track_caller]
    pub fn get_mut<T: Object>(&mut self, h: Gc<T>) -> &mut T {
        let (s, offset) = self.expect_typed::<T>(h.ptr());
        self.spans[s].value_mut(offset)
    }

    /// Loads pointer field `field` of `obj` (`obj.field`). Loads are not
    /// barriered (Go has no read barrier).
    ///
    /// # Panics
    /// If `obj`'s object was freed.
    #[track_caller]
    pub fn load<O: Object, T: Object>(&self, obj: Gc<O>, field: Field<O, T>) -> Option<Gc<T>> {
        let (s, offset) = self.expect_typed::<O>(obj.ptr());
        self.spans[s]
            .pointer(offset, field.index())
            .map(Gc::from_ptr)
    }

    /// Stores `value` in pointer field `field` of `obj` (`obj.field =
    /// value`) for mutator `m`, through the write barrier.
    ///
    /// # Panics
    /// If `obj`'s or `value`'s object was freed.
    #[track_caller]
    pub fn store<O: Object, T: Object>(
        &mut self,
        m: Mutator,
        obj: Gc<O>,
        field: Field<O, T>,
        value: Option<Gc<T>>,
    ) {
        let (s, offset) = self.expect_typed::<O>(obj.ptr());
        self.store_at(m, s, offset, field.index(), value.map(Gc::ptr));
    }

    /// The pointer fields of any live object.
    ///
    /// # Panics
    /// If its object was freed.
    #[track_caller]
    pub fn pointers(&self, obj: impl Into<Ptr>) -> &[Option<Ptr>] {
        let (s, offset) = self.expect_live(obj.into());
        self.spans[s].pointers(offset)
    }

    /// [`load`](Heap::load) by field number, untyped.
    ///
    /// # Panics
    /// If `obj`'s object was freed or has no field `field`.
    #[track_caller]
    pub fn load_ptr(&self, obj: impl Into<Ptr>, field: usize) -> Option<Ptr> {
        self.pointers(obj)[field]
    }

    /// [`store`](Heap::store) by field number, untyped.
    ///
    /// # Panics
    /// If `obj`'s or `value`'s object was freed, or `obj` has no field
    /// `field`.
    #[track_caller]
    pub fn store_ptr(
        &mut self,
        m: Mutator,
        obj: impl Into<Ptr>,
        field: usize,
        value: impl IntoPtr,
    ) {
        let obj = obj.into();
        let (s, offset) = self.expect_live(obj);
        let fields = self.spans[s].fields;
        assert!(
            field < fields,
            "gogc: {obj} (a {}) has {fields} pointer fields, not {}",
            self.type_name(obj),
            field + 1
        );
        self.store_at(m, s, offset, field, value.into_ptr());
    }

    #[inline]
    #[track_caller]
    fn store_at(&mut self, m: Mutator, s: usize, offset: usize, field: usize, value: Option<Ptr>) {
        self.expect_live_or_nil(value);
        assert!(
            !self.stacks[m.index()].exited,
            "gogc: mutator {m} has exited"
        );
        let old = self.spans[s].pointer(offset, field);
        self.write_barrier(m, old, value);
        self.spans[s].set_pointer(offset, field, value);
        self.after_op();
    }

    /// The type name of a live object (`Node`).
    ///
    /// # Panics
    /// If its object was freed.
    #[track_caller]
    pub fn type_name(&self, obj: impl Into<Ptr>) -> &'static str {
        let (s, _) = split_index(obj.into().index());
        self.classes[usize::from(self.spans[s].class)].name
    }

    /// The name of pointer field `field` of a live object.
    pub(crate) fn field_name(&self, obj: Ptr, field: usize) -> &'static str {
        let (s, _) = split_index(obj.index());
        self.classes[usize::from(self.spans[s].class)].fields[field]
    }

    /// How many objects are live (allocated and not yet freed by sweep).
    pub fn live_objects(&self) -> usize {
        self.spans.iter().map(|s| s.live() as usize).sum()
    }

    /// Every live object, in slot order.
    pub fn objects(&self) -> impl Iterator<Item = Ptr> + '_ {
        self.spans.iter().enumerate().flat_map(|(s, span)| {
            span.live_slots().map(move |(offset, generation)| {
                Ptr::new(((s as u32) << SPAN_SHIFT) | offset as u32, generation)
            })
        })
    }
}

/// Panics with a stale handle's message, out of the callers' hot paths.
#[cold]
#[inline(never)]
#[track_caller]
fn stale(e: StaleHandle) -> ! {
    panic!("{e}")
}
