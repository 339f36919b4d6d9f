//! gogc — Go's garbage collector, chapter 8 of the notes (垃圾回收), as a
//! Rust library: a heap of typed objects collected by incremental tri-color
//! mark-sweep in Go's phases, with the write barrier chosen per heap, and
//! the checkers and schedule explorer that show why the barriers matter.
//! Modelled on **Go 1.27**'s `runtime/mgc.go`, `mgcmark.go`, `mbarrier.go`,
//! `mwbbuf.go`, `mgcsweep.go`, `mgcpacer.go` (the Go 1.18 pacer, design
//! 44167) and `mgcscavenge.go`, and on Go proposal 17503 (the hybrid
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
//! # A collector people can run
//!
//! [`Heap::new`] is the model: the caller starts and steps every cycle.
//! [`Heap::paced`] collects as Go 1.27 does, with Go's knobs and
//! diagnostics ([`Settings`], read from `GOGC`, `GOMEMLIMIT`, `GODEBUG`
//! and `GOMAXPROCS` by [`Settings::from_env`]):
//!
//! - **The pacer** ([`Pacer`], Go 1.18's design 44167): heap goal =
//!   marked + (marked + stacks + globals) × GOGC/100, at least 4 MiB ×
//!   GOGC/100; a soft memory limit lowers it, with Go's 3% (at least
//!   1 MiB) headroom; the trigger sits 0.7–0.95 of the way from the marked
//!   heap to the goal, where the cons/mark estimate puts it.
//!   [`Heap::set_gc_percent`] and [`Heap::set_memory_limit`] return the
//!   previous value as Go's `debug` package does; [`Heap::gc`] is
//!   `runtime.GC()`.
//! - **Mark assists**: while marking, each allocation debits its mutator;
//!   a mutator in debt steals background credit or scans, at least 64 KiB
//!   of work at the pacer's ratio, so allocation cannot outrun marking.
//! - **Background marking**: with one processor a fractional worker takes
//!   a quarter of the mutator's thread while a cycle marks; with two, a
//!   mark worker runs on its own thread (Go's idle-P worker), the barrier
//!   and the checkers covering it (`worker.rs` argues the protocol).
//! - **`GODEBUG=gctrace=1`**: Go's line per cycle, field for field
//!   ([`GcTrace`]), and [`Heap::stats`] with `runtime.MemStats`' fields
//!   that apply ([`MemStats`]).
//! - **Memory back to the OS**: sweep frees slots for reuse; an empty span
//!   goes idle and the scavenger unmaps it when the heap retains more than
//!   Go's goals allow, so a heap that shrinks shows it in RSS.
//!
//! One heap per thread, as `gc-arena` has it: `Heap` is `Send`, not
//! `Sync`; its mutators are goroutines interleaved on the thread that owns
//! it. A heap shared by threads would put a lock or an atomic on every
//! load, store and allocation; Go pays for that with per-P caches and a
//! compiler that knows where pointers live, which a library cannot have.
//! The collector's own work is what goes to another core: the mark worker.
//!
//! # Speed
//!
//! - **Spans mapped from the OS.** 8192 same-typed slots per span, one
//!   anonymous mapping each: mark bits, allocation bits, generations and
//!   pointer words in dense arrays; objects' values in a typed array the
//!   collector never reads. No `Box` per object.
//! - **Small `Copy` handles.** [`Gc<T>`] is a 32-bit slot index and a
//!   32-bit generation: `Option<Gc<T>>` is 8 bytes, a handle check is a
//!   load and a compare, and the slot index finds the span with a shift
//!   (Go's `spanOf`).
//! - **Word-at-a-time allocation and sweep.** Allocation takes free slots
//!   from a 64-bit cache of the allocation bitmap (`nextFreeFast`); sweep
//!   keeps the slots both allocated and marked and touches only the dead
//!   ones, to bump their generations.
//! - **A barrier that costs a branch when off**, a buffer append when on.
//! - **Prefetching marker**: grey objects' pointer words are prefetched a
//!   few objects before they are scanned.
//! - **One argued unsafe region**: `span/memory.rs`'s views of a span's
//!   mapping (atomic words, one load per access); everything else is safe
//!   code.
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
//! - **One mutator thread per heap**, at most one mark worker; the
//!   collector runs when the mutators allocate (or on [`Heap::gc`],
//!   [`Heap::gc_step`]): a heap nobody allocates from finishes its cycle at
//!   its next allocation. "Stop the world" is a step that runs alone.
//! - **Type-segregated spans** instead of size classes; no finalizers,
//!   weak pointers or interior pointers; a type has a fixed number of
//!   pointer fields (no pointer arrays). No GC CPU limiter
//!   (`mgclimit.go`): under a memory limit below the live heap the
//!   collector runs continuously.
//! - **Object-at-a-time marking.** Go 1.27 scans small objects a span at a
//!   time (the Green Tea collector); the colours and barriers are the same.
//! - **Handles carry no heap identity**: a handle used on another heap is
//!   caught only if its slot or generation differs there.
//!
//! # Observability
//!
//! Phase changes are `tracing` debug events (target `gogc::phase`: sweep
//! termination, mark termination and sweep done, with pause times); stack
//! and global scans, barrier buffer flushes and new spans are trace events
//! (`gogc::mark`, `gogc::barrier`, `gogc::heap`). Each cycle's `gctrace`
//! line is a debug event (`gogc::gctrace`) whatever `GODEBUG` says, and
//! the scavenger's releases are debug events (`gogc::scavenge`).

// `span/memory.rs` alone allows it, for `SpanMemory`'s argued views of a mapping.
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
mod sync;
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
