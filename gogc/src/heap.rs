//! The heap: its parts, its handle checks, and the loads and stores of
//! pointer fields that run the write barrier. Allocation is in
//! `alloc.rs`, the collector's phases in `cycle.rs`, when to collect in
//! `pacing.rs`.

use std::any::TypeId;
use std::collections::BTreeMap;
use std::time::Instant;

use crate::barrier::{Barrier, WB_BUF_ENTRIES};
use crate::cycle::Collector;
use crate::handle::{Gc, Ptr, StaleHandle};
use crate::object::{Field, Object, type_name_of};
use crate::roots::{IntoPtr, Mutator, Stack};
use crate::settings::Settings;
use crate::span::{Span, SpanState, slot_index, split_index};
use crate::stats::Totals;
use crate::trace::GcTrace;
use crate::worker::MarkWorker;

/// A type the heap has seen: Go's span class, one per type here.
#[derive(Debug)]
pub(crate) struct Class {
    pub(crate) type_id: TypeId,
    pub(crate) name: &'static str,
    pub(crate) fields: &'static [&'static str],
    /// Bytes an object counts for in the pacer and the statistics: its
    /// pointer words and its value, in words (a `Node{left, right}` is 16,
    /// as in Go).
    pub(crate) object_bytes: u64,
    /// The span allocation takes from (`mcache.alloc[spc]`).
    pub(crate) current: Option<usize>,
    /// Spans with free slots (`mcentral.partial`); an entry whose span is
    /// no longer `in_partial` or of this class is skipped.
    pub(crate) partial: Vec<usize>,
    /// Spans to sweep before allocating from them, as they stood at mark
    /// termination (`mcentral.fullUnswept`); swept ones are skipped.
    pub(crate) unswept: Vec<usize>,
    /// Objects of this type allocated so far (`Mallocs`).
    pub(crate) mallocs: u64,
    /// And freed (`Frees`).
    pub(crate) frees: u64,
}

/// A receiver of `gctrace` lines ([`Heap::set_gctrace_sink`]).
pub(crate) type TraceSink = Box<dyn FnMut(&GcTrace) + Send>;

/// Where a stack or global lives in the heap's memory, for the pacer: a
/// root slot counts as a pointer word.
pub(crate) const WORD_BYTES: u64 = 8;

/// A garbage-collected heap of typed objects, with its roots and its
/// collector. See the [crate docs](crate) for a tour.
pub struct Heap {
    pub(crate) spans: Vec<Span>,
    pub(crate) classes: Vec<Class>,
    /// Idle spans (empty, memory kept), by the pointer fields their memory
    /// was laid out for.
    pub(crate) idle_spans: BTreeMap<usize, Vec<usize>>,
    /// Span numbers whose memory was unmapped, free to map again.
    pub(crate) released_spans: Vec<usize>,
    pub(crate) globals: Vec<Option<Ptr>>,
    pub(crate) stacks: Vec<Stack>,
    /// Slots on all mutator stacks, kept as they change (Go's
    /// `scannableStackSize`, `mgcpacer.go: addScannableStack`), so sweep
    /// termination reads the pacer's `maxStackScan` without walking every
    /// stack with the world stopped.
    pub(crate) stack_slots: usize,
    pub(crate) gc: Collector,
    pub(crate) totals: Totals,
    /// Go's pacer drives collection (`Heap::paced`); otherwise the caller
    /// does (`Heap::new`).
    pub(crate) paced: bool,
    pub(crate) settings: Settings,
    /// Where `gctrace` lines go: standard error unless redirected.
    pub(crate) trace_sink: Option<TraceSink>,
    /// When the heap was made: `gctrace`'s `@#s` counts from here.
    pub(crate) created: Instant,
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
            .field("paced", &self.paced)
            .field("objects", &self.live_objects())
            .field("spans", &self.spans.len())
            .field("mutators", &self.stacks.len())
            .field("globals", &self.globals.len())
            .finish()
    }
}

impl Heap {
    /// An empty heap whose collector runs `barrier` while marking, and runs
    /// only when the caller says: [`gc`](Heap::gc), [`gc_start`](Heap::gc_start),
    /// [`gc_step`](Heap::gc_step). The model of issue one: every step of a
    /// cycle is the caller's to take. [`Heap::paced`] collects by itself.
    pub fn new(barrier: Barrier) -> Heap {
        Heap::build(barrier, Settings::default(), false)
    }

    /// An empty heap collected as Go collects: a cycle starts when the heap
    /// reaches the pacer's trigger ([`Settings::gc_percent`] and
    /// [`Settings::memory_limit`], Go's `GOGC` and `GOMEMLIMIT`), mutators
    /// that allocate while it marks assist it, a fractional worker marks a
    /// quarter of the time, allocation sweeps in proportion, empty spans go
    /// back to the OS, and with [`Settings::gctrace`] each cycle prints
    /// Go's `gctrace` line on standard error.
    ///
    /// ```
    /// use gogc::{Barrier, Field, Heap, Object, Settings};
    ///
    /// struct Node;
    /// impl Object for Node { const POINTER_FIELDS: &'static [&'static str] = &["next"]; }
    ///
    /// let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    /// let g = heap.new_mutator();
    /// for _ in 0..1_000_000 {
    ///     heap.alloc(g, Node);   // garbage at once
    ///     heap.pop(g);
    /// }
    /// let stats = heap.stats();
    /// assert!(stats.num_gc >= 2, "16 MB of garbage, a 4 MB minimum goal");
    /// assert!(stats.heap_alloc < 8 << 20);
    /// ```
    pub fn paced(barrier: Barrier, settings: Settings) -> Heap {
        Heap::build(barrier, settings, true)
    }

    fn build(barrier: Barrier, settings: Settings, paced: bool) -> Heap {
        Heap {
            spans: Vec::new(),
            classes: Vec::new(),
            idle_spans: BTreeMap::new(),
            released_spans: Vec::new(),
            globals: Vec::new(),
            stacks: Vec::new(),
            stack_slots: 0,
            gc: Collector {
                worker: (paced && settings.procs >= 2).then(MarkWorker::start),
                ..Collector::new(barrier, WB_BUF_ENTRIES, settings)
            },
            totals: Totals::default(),
            paced,
            settings,
            trace_sink: None,
            created: Instant::now(),
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

    /// Sends each cycle's `gctrace` line to `sink` instead of standard
    /// error, and turns the trace on (at level 1) if it was off — for
    /// programs that log their own way, and for tests.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use gogc::{Barrier, Heap, Object, Settings};
    ///
    /// struct Leaf;
    /// impl Object for Leaf { const POINTER_FIELDS: &'static [&'static str] = &[]; }
    ///
    /// let lines = Arc::new(Mutex::new(Vec::new()));
    /// let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    /// let sink = Arc::clone(&lines);
    /// heap.set_gctrace_sink(move |line| sink.lock().unwrap().push(line.to_string()));
    /// heap.gc();
    /// let lines = lines.lock().unwrap();
    /// assert!(lines[0].starts_with("gc 1 @"));
    /// assert!(lines[0].ends_with(" 1 P (forced)"));
    /// ```
    pub fn set_gctrace_sink(&mut self, sink: impl FnMut(&GcTrace) + Send + 'static) {
        self.trace_sink = Some(Box::new(sink));
        self.settings.gctrace = self.settings.gctrace.max(1);
    }

    /// The settings the heap was made with (`gctrace` as now).
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Whether Go's pacer starts cycles and mutators assist
    /// ([`Heap::paced`]), or the caller drives every cycle ([`Heap::new`]).
    pub fn is_paced(&self) -> bool {
        self.paced
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
    #[inline]
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
    #[inline]
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
    #[inline]
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
    #[inline]
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
    pub fn pointers(&self, obj: impl Into<Ptr>) -> Vec<Option<Ptr>> {
        let (s, offset) = self.expect_live(obj.into());
        self.spans[s].pointers(offset).collect()
    }

    /// [`load`](Heap::load) by field number, untyped.
    ///
    /// # Panics
    /// If `obj`'s object was freed or has no field `field`.
    #[track_caller]
    pub fn load_ptr(&self, obj: impl Into<Ptr>, field: usize) -> Option<Ptr> {
        let obj = obj.into();
        let (s, offset) = self.expect_live(obj);
        self.expect_field(obj, s, field);
        self.spans[s].pointer(offset, field)
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
        self.expect_field(obj, s, field);
        self.store_at(m, s, offset, field, value.into_ptr());
    }

    /// Panics unless the object `obj` in span `s` has pointer field `field`.
    #[track_caller]
    fn expect_field(&self, obj: Ptr, s: usize, field: usize) {
        let fields = self.spans[s].fields;
        assert!(
            field < fields,
            "gogc: {obj} (a {}) has {fields} pointer fields, not {}",
            self.type_name(obj),
            field + 1
        );
    }

    /// `*slot = value` for mutator `m`: the value's handle is checked, the
    /// barrier runs (one predictable branch while the collector is not
    /// marking; the old value is read only when it is), then the write.
    #[inline]
    #[track_caller]
    fn store_at(&mut self, m: Mutator, s: usize, offset: usize, field: usize, value: Option<Ptr>) {
        self.expect_live_or_nil(value);
        if self.gc.marking {
            self.stack_ref(m);
            let old = self.spans[s].pointer(offset, field);
            self.write_barrier_marking(m, old, value);
        } else if m.index() >= self.stacks.len() || self.stacks[m.index()].exited {
            self.stack_ref(m);
        }
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
        self.spans
            .iter()
            .filter(|s| s.state == SpanState::InUse)
            .map(|s| s.live() as usize)
            .sum()
    }

    /// Every live object, in slot order.
    pub fn objects(&self) -> impl Iterator<Item = Ptr> + '_ {
        self.spans.iter().enumerate().flat_map(|(s, span)| {
            span.live_slots()
                .map(move |(offset, generation)| Ptr::new(slot_index(s, offset), generation))
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
