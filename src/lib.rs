//! goruntime — Go's runtime, chapter by chapter, as Rust libraries.
//!
//! This umbrella crate re-exports each chapter crate:
//!
//! | module | chapter of the notes | models |
//! |---|---|---|
//! | [`slice`] | 1. 数组与切片 | `runtime/slice.go`, `runtime/msize.go`, `runtime/sizeclasses.go` |
//! | [`map`] | 2. Map | `runtime/map.go` (the classic hmap, Go 1.9–1.23) and `internal/runtime/maps` (swiss tables, Go 1.24–1.27) |
//! | [`chan`] | 3. Channel | `runtime/chan.go`, `runtime/select.go` |
//! | [`ctx`] | 4. Context | `context/context.go` |
//! | [`sched`] | 7. GOROUTING | `runtime/proc.go`, `runtime/runtime2.go` |
//! | [`gc`] | 8. 垃圾回收 (and 5. Unsafe's `uintptr`) | `runtime/mgc.go`, `mgcmark.go`, `mbarrier.go`, `mwbbuf.go`, `mgcsweep.go` |

#[doc(inline)]
pub use gochan as chan;
#[doc(inline)]
pub use goctx as ctx;
#[doc(inline)]
pub use gogc as gc;
#[doc(inline)]
pub use gomap as map;
#[doc(inline)]
pub use gosched as sched;
#[doc(inline)]
pub use goslice as slice;
