//! gosched — goroutines on a GMP scheduler (chapter 7 of the notes: M:N
//! scheduling of goroutines onto OS threads through processors), modelled on
//! Go 1.27's `runtime/proc.go` and `runtime/runtime2.go`.
//!
//! ```
//! use gosched::{Runtime, WaitGroup, go};
//!
//! let sum = Runtime::new().gomaxprocs(2).run(|| {
//!     let wg = WaitGroup::new();
//!     let total = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
//!     for i in 1..=100u64 {
//!         let (wg, total) = (wg.clone(), total.clone());
//!         wg.add(1);
//!         go(move || {
//!             total.fetch_add(i, std::sync::atomic::Ordering::Relaxed);
//!             wg.done();
//!         });
//!     }
//!     wg.wait();
//!     total.load(std::sync::atomic::Ordering::Relaxed)
//! });
//! assert_eq!(sum.unwrap(), 5050);
//! ```
//!
//! # The model
//! - **G** (`g.rs`): a stackful coroutine (corosensei) on a pooled stack
//!   (`stack.rs`) reserved at [`DEFAULT_STACK_SIZE`] with a guard page and
//!   committed lazily by the kernel, so a parked goroutine costs the pages
//!   its frames touched (one, typically). Ids, [`GStatus`], [`WaitReason`]
//!   (`status.rs`), spawn site (`#[track_caller]`). As in Go, a dead G
//!   keeps its stack on its P's free list for the next spawn (`gfree.rs`:
//!   `gfget`/`gfput`), so a steady spawn/exit loop allocates nothing; sysmon
//!   gives back the pages of Gs left idle after a burst.
//! - **P** (`p.rs`, `runq.rs`): `GOMAXPROCS` processors, each with a
//!   256-slot lock-free run queue plus `runnext`; overflow moves half to the
//!   global queue (`sched.rs`), which is checked every 61 schedule ticks.
//! - **M** (`m.rs`, `current.rs`, `mstart.rs`): OS threads that hold a P to run
//!   goroutines, spin and steal half of a victim's queue, then sleep; new
//!   work wakes an M only when none is spinning. A goroutine leaves its M
//!   only at schedule points (`schedpoint.rs`).
//! - **sysmon** (`sysmon.rs`): Go's back-off (20 µs to 10 ms), retakes Ps
//!   from goroutines blocked in [`syscall`], preempts time slices over
//!   10 ms at their next schedule point (and warns about a goroutine that
//!   ran that long without one), prints
//!   `GODEBUG=schedtrace=N[,scheddetail=1]` lines, and detects deadlocks.
//! - **timers** (`timerheap.rs`, [`time`]): one heap per runtime, checked by
//!   the scheduler; [`time::sleep`], [`time::after_func`] (its callback in a
//!   goroutine of its own, as Go's), [`time::after_func_nonblocking`].
//! - **reports** (`report.rs`): Go's goroutine, panic, deadlock, overflow
//!   and leak report formats, written in one place and checked against
//!   real Go 1.27's text.
//! - **parking** (`park.rs`, `parktoken.rs`): [`park()`] /
//!   [`Unparker::unpark`] (Go's `gopark`/`goready`, with
//!   `std::thread::park`'s token), the contract gochan and goctx build on;
//!   from a plain OS thread these park the thread.
//!
//! # Preemption is cooperative
//! Go preempts a goroutine that runs 10 ms (signals, since 1.14). Rust code
//! cannot be stopped at an arbitrary instruction and resumed elsewhere
//! safely, so a goroutine gives up its M only at schedule points: parking
//! (channel operations, [`WaitGroup::wait`], [`time::sleep`]),
//! [`yield_now`], [`syscall`], returning, or [`go`] once sysmon has ended
//! the time slice (Go's function-prologue check). A loop without those hogs its P;
//! sysmon logs a `tracing` warning when it sees one run over 10 ms. A time
//! slice that goroutines pass along through hand-offs (a channel send
//! readying its receiver) ends at the first schedule point after 10 ms,
//! as Go's preemption ends it, so that a ping-ponging pair cannot starve
//! the rest of its P's queue (Go's `TestPingPongHog`).
//!
//! # Thread-locals
//! A goroutine that parks may resume on a different M (OS thread). A
//! `thread_local!` read before a schedule point and after it may therefore
//! be two different variables, and a reference into one must not be held
//! across a schedule point (`std::thread::current()` changes too). Use
//! goroutine-owned data instead (captured values, `Arc`s). gosched's own
//! code reaches the current G, M and P only through `#[inline(never)]`
//! accessors, re-read after every switch. std's panic count is such a
//! thread-local too: a goroutine that parks inside a `Drop` while it
//! unwinds leaves `std::thread::panicking()` wrong on both Ms.
//!
//! # The chaos schedule
//! The `chaos` cargo feature builds in [`chaos`]: random yields at spawns
//! and channel operations, `runnext` bypasses, shuffled steal orders and
//! spins inside channel locks, so that stress tests see more interleavings
//! on few cores. Off by default; without it the hooks are constant `false`.
//!
//! # What differs from Go
//! - Stacks have a fixed reserved size instead of growing by copying; a
//!   goroutine that overflows it dies with Go's report
//!   (`runtime: goroutine stack exceeds N-byte limit`,
//!   `fatal error: stack overflow`, the goroutine) and exit status 2. A
//!   guard page below each stack catches the overflow: lightweight guard
//!   regions on Linux 6.13+ (any number of stacks), else `mprotect`ed
//!   pages within a budget of `vm.max_map_count`, past which stacks rely
//!   on random canaries checked at every switch and before every resume
//!   (loud, but an overflow may clobber a neighbouring stack first).
//! - A goroutine panic or a deadlock fails [`Runtime::run`] with a
//!   [`RunError`] (after printing Go's report) instead of killing the
//!   process; [`Runtime::run_or_exit`] exits with status 2 like Go, and so
//!   does a panic on the default runtime behind [`go`].
//! - Reports show one frame per goroutine (its function and where it
//!   parked or panicked: a parked coroutine's stack cannot be walked) and
//!   Rust names (`app::main::{{closure}}` for Go's `main.main.func1`).
//! - Deadlock detection waits a short grace period (plain threads may still
//!   wake a goroutine) — see [`Runtime::deadlock_detection`].
//! - Goroutines still running when `run` returns stop at their next
//!   schedule point, and blocked ones stay blocked; their stacks are
//!   abandoned (Go's die with the process). One that never reaches a
//!   schedule point keeps its thread until it does.

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

// The layers, bottom up: a file uses only files of its own layer or
// below. The two links up (a G holds its scheduler; `startm` starts an M's
// loop) are the runtime's own circles, as in Go and tokio. `cargo test -p
// xtask tidy` checks this order against ARCHITECTURE.md.

// 1. Words and formats.
mod report;
mod status;
mod sync;

// 2. Structures that know nothing of goroutines.
mod allgs;
pub mod chaos;
mod freelist;
mod outcome;
mod parktoken;
mod runq;
mod stack;
mod timerheap;

// 3. The goroutine.
mod g;

// 4. The scheduler core.
mod current;
mod gfree;
mod m;
mod mstart;
mod overflow;
mod p;
mod panic;
mod sched;
mod schedpoint;

// 5. Beside the scheduler: the monitor thread, the signal handler, the
//    default runtime, the timer thread for timers set off any runtime.
mod signal;
mod spawn;
mod sysmon;
mod timerthread;

// 6. The public face.
pub mod leak;
mod park;
mod runtime;
pub mod time;
mod waitgroup;

pub use outcome::RunError;
pub use park::{Unparker, park, park_timeout};
pub use runtime::{
    Handle, PANIC_GRACE, Runtime, SchedStats, go, goid, gomaxprocs, num_goroutine, sched_stats,
    syscall, yield_now,
};
pub use stack::DEFAULT_STACK_SIZE;
pub use status::{GStatus, WaitReason};
pub use waitgroup::WaitGroup;
