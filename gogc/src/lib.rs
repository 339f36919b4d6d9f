//! gogc — Go's garbage collector, chapter 8 of the notes (垃圾回收), as a
//! Rust library: a heap of typed objects collected by incremental tri-color
//! mark-sweep in Go's phases, with the write barrier chosen per heap, and
//! the checkers and schedule explorer that show why the barriers matter.
//! Modelled on **Go 1.27**'s `runtime/mgc.go`, `mgcmark.go`, `mbarrier.go`,
//! `mwbbuf.go` and `mgcsweep.go`, and on Go proposal 17503 (the hybrid
//! barrier, Go 1.8).
//!
//! ```
//! use gogc::{Barrier, Colour, Field, Heap, Object, Phase};
//!
//! struct Node { value: i64 }
//! impl Object for Node {
//!     const POINTER_FIELDS: &'static [&'static str] = &["next"];
//! }
//! const NEXT: Field<Node, Node> = Field::new(0);
//!
//! let mut heap = Heap::new(Barrier::HybridGo);   // Go's barrier
//! let g = heap.new_mutator();                    // a goroutine and its stack
//! let head = heap.alloc(g, Node { value: 1 });   // head := &Node{1} (on g's stack)
//! let tail = heap.alloc(g, Node { value: 2 });
//! heap.store(g, head, NEXT, Some(tail));         // head.next = tail (barriered)
//! heap.pop(g);                                   // tail's variable ends
//! heap.alloc(g, Node { value: 3 });              // garbage once popped
//! heap.pop(g);
//!
//! // One cycle, a step at a time, interleaved with the mutator.
//! heap.gc_start();                               // sweep termination (STW)
//! assert_eq!(heap.phase(), Phase::Mark);
//! heap.gc_step();                                // scan g's stack: head is grey
//! assert_eq!(heap.colour(head), Colour::Grey);
//! let late = heap.alloc(g, Node { value: 4 });   // allocated black while marking
//! assert_eq!(heap.colour(late), Colour::Black);
//! heap.gc();                                     // finish it, then runtime.GC()
//! assert_eq!(heap.live_objects(), 3);            // head, tail, late
//! assert_eq!(heap.get(heap.load(head, NEXT).unwrap()).value, 2);
//! ```
//!
//! # What is modelled
//!
//! - **Objects and handles** ([`Object`], [`Field`], [`Gc`], [`Ptr`]). An
//!   object type names its pointer fields; the heap keeps them, so every
//!   pointer load and store goes through the heap — the write barrier's
//!   place. Handles are a slot and a generation; a handle whose object was
//!   freed panics on use ([`StaleHandle`] from the `try_` methods), never a
//!   silent read of whatever now lives in the slot.
//! - **Roots** (chapter 8.1, 根对象): globals ([`Global`], barriered, as
//!   Go's are) and one stack per mutator ([`Mutator`]; pushes, pops and
//!   slot writes unbarriered, as Go's stack writes are).
//! - **Go's phases** ([`Phase`], [`Heap::gc_start`], [`Heap::gc_step`]):
//!   sweep termination (STW) turns the barrier on; mark runs root jobs (a
//!   block of globals, one stack) and grey objects one step at a time,
//!   interleaved with the mutators, in Go's order or any order
//!   ([`Heap::gc_pending`], [`Heap::gc_work`]); `gcMarkDone` flushes the
//!   write barrier buffer (`wbBuf`) and, when nothing is left, mark
//!   termination (STW) turns the barrier off; sweep frees one span per step,
//!   and allocation sweeps a span before using it. New objects are black
//!   while marking where the barrier needs it. Pause times are measured
//!   ([`CycleStats`]).
//! - **Barriers** ([`Barrier`]): none; Dijkstra's insertion barrier with the
//!   STW re-scan of every stack it needs (Go 1.5–1.7); Yuasa's deletion
//!   barrier with a snapshot of every stack at the start; the hybrid
//!   barrier as proposal 17503 states it (shade the old pointee, and the
//!   new one while the writer's stack is grey) and as Go's compiler emits it
//!   since Go 1.8 (shade both), neither needing a re-scan. And two broken
//!   protocols, to show what each stack rule is for.
//! - **Colours and checkers** ([`Heap::colours`], [`Heap::verify`]): the
//!   strong invariant for Dijkstra, the weak one for the deletion and hybrid
//!   barriers, and an independent reachability oracle — no reachable object
//!   is ever freed. [`Heap::with_checks`] runs them after every operation.
//! - **The schedule explorer** (`explore`, feature `explore`): random
//!   programs of mutator and collector steps; a lost object is shrunk to a
//!   short story told like the notes' figures. `cargo xtask gc-explore`.
//! - **Chapter 5's `uintptr`** ([`Uintptr`]): an address does not keep an
//!   object alive; a pointer does.
//!
//! # Designed for speed
//!
//! The model is also meant to be a heap programs use, and the second gogc
//! issue (Go's pacer, assists, a concurrent marker, binary-trees) builds on
//! it. So:
//!
//! - **Dense spans, no per-object allocation.** Objects live in spans of
//!   512 same-typed slots (Go's `mspan`, one span class per type). What the
//!   collector needs — generations, pointer fields, mark bits — sits in
//!   flat arrays beside the objects' values; the values are `Option<T>` in
//!   one boxed slice per span. No `Box` per object.
//! - **Small `Copy` handles.** [`Gc<T>`] is a 32-bit slot index and a 32-bit
//!   generation: `Option<Gc<T>>` is 8 bytes, a handle check is a load and a
//!   compare, and the slot index finds the span with a shift (Go's
//!   `spanOf`).
//! - **A barrier that costs a branch when off.** [`Heap::store`] tests one
//!   flag; only while marking does it append to the write barrier buffer,
//!   which is flushed in batches, as Go's `wbBuf` is.
//! - **A marker that could run elsewhere.** Marking reads only pointer
//!   fields, generations and mark bits, never an object's value: a marker on
//!   another thread would need those arrays atomic, and `T` need not be
//!   `Sync`. The grey queue and the barrier buffer are the per-P `gcWork`
//!   and `wbBuf` of Go, ready to become per-thread.
//! - **No unsafe code.** Slots are indexed, values downcast from
//!   `dyn Any` once per span access; the crate is `#![forbid(unsafe_code)]`.
//!
//! # What differs from Go, and why
//!
//! - **Explicit roots.** A handle in a Rust variable is a value in a
//!   register: it keeps nothing alive. Roots are what Go's stack maps would
//!   list, made explicit: push a handle on a mutator's stack, store it in a
//!   global or a field. [`Heap::alloc`] pushes the new object, like `p :=
//!   new(T)`. A mutator's stack must only receive pointers that mutator got
//!   itself (allocation, a load, a global, its own stack); Go's compiler
//!   guarantees it, here it is the user's side of the contract — break it
//!   and an object may be freed, and its handle panics, but nothing worse.
//! - **One thread, one P.** Mutators are interleaved by the caller; "stop
//!   the world" is a step that runs alone; the heap has one `wbBuf` and one
//!   grey queue. `Heap` is `Send` but not `Sync`.
//! - **Type-segregated spans** instead of size classes; spans are never
//!   returned to the OS; no finalizers, weak pointers or interior pointers;
//!   a type has a fixed number of pointer fields (no pointer arrays).
//! - **Object-at-a-time marking.** Go 1.27 scans small objects a span at a
//!   time (the Green Tea collector); the colours and barriers are the same.
//! - **When to collect** — the pacer, `GOGC`, assists — is not modelled
//!   yet: the caller starts cycles and steps them.
//! - **Handles carry no heap identity**: a handle used on another heap is
//!   caught only if its slot or generation differs there.
//!
//! # Observability
//!
//! Phase changes are `tracing` debug events (target `gogc::phase`: sweep
//! termination, mark termination and sweep done, with pause times); stack
//! and global scans, barrier buffer flushes and new spans are trace events
//! (`gogc::mark`, `gogc::barrier`, `gogc::heap`).

#![deny(unsafe_code)]

mod alloc;
mod barrier;
mod check;
mod colour;
mod cycle;
mod handle;
mod heap;
mod mark;
mod object;
mod pacer;
mod pacing;
mod roots;
mod scavenge;
mod settings;
mod span;
mod stats;
mod sweep;
mod trace;
mod uintptr;
mod worker;

#[cfg(feature = "explore")]
pub mod explore;

pub use barrier::{Barrier, Invariant, ParseBarrierError, WB_BUF_ENTRIES};
pub use check::{Edge, Holder, Reachability, Violation};
pub use colour::{Colour, Colours};
pub use cycle::{CycleStats, GcStep, Phase, Work};
pub use handle::{Gc, Ptr, StaleHandle};
pub use heap::Heap;
pub use object::{Field, Object};
pub use pacer::{
    DEFAULT_HEAP_MINIMUM, GC_BACKGROUND_UTILIZATION, GC_OVER_ASSIST_WORK, MAX_TRIGGER_RATIO_NUM,
    MEMORY_LIMIT_HEAP_GOAL_HEADROOM_PERCENT, MEMORY_LIMIT_MIN_HEAP_GOAL_HEADROOM,
    MIN_TRIGGER_RATIO_NUM, NO_MEMORY_LIMIT, Pacer, SWEEP_MIN_HEAP_DISTANCE, TRIGGER_RATIO_DEN,
};
pub use roots::{GLOBALS_PER_ROOT_JOB, Global, IntoPtr, Mutator};
pub use scavenge::{REDUCE_EXTRA_PERCENT, RETAIN_EXTRA_PERCENT};
pub use settings::{
    MalformedMemoryLimit, Settings, parse_byte_count, read_gctrace, read_gogc, read_gomaxprocs,
    read_gomemlimit,
};
pub use stats::MemStats;
pub use trace::{GcTrace, fmt_ns_as_ms};
pub use uintptr::{ARENA_BASE, SLOT_BYTES, Uintptr, UintptrError};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
