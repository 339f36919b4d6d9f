//! G: one goroutine — its id, status, wait reason, spawn site, park token and
//! its stackful coroutine (`runtime/runtime2.go: type g`, `gstatus`,
//! `runtime/proc.go: newproc1, gdestroy`, Go 1.27).
//!
//! A G is shared as `Arc<G>` between run queues, the `allgs` registry and
//! [`Unparker`](crate::Unparker)s, and holds its scheduler (the one link
//! up from here: a G is always some runtime's, as a task is its
//! scheduler's in tokio). As in Go, a G outlives its goroutine: a dead G
//! keeps its stack and waits on a free list (`gfree.rs`) for the next
//! `newproc`, which gives it a new id and body ([`G::reuse`]). So what
//! names the goroutine (id, parent, spawn site, function) is atomics that
//! a report may read while the G is being reused, and its coroutine is
//! touched only by whoever owns the G (took it off a free list, out of a
//! run queue, or is running it), which is what makes the `UnsafeCell`s
//! below sound.
use std::cell::{Cell, UnsafeCell};
use std::fmt::{self, Display};
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use corosensei::{Coroutine, Yielder};

use crate::parktoken::ParkToken;
use crate::report::{self, PanicSite};
use crate::sched::Sched;
use crate::stack::{self, PooledStack, StackBounds};
use crate::status::{GStatus, OTHER_CODE, WaitReason};

/// What a goroutine asks its M to do when it switches back to the scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Switch {
    /// `Gosched`: put me on the global run queue.
    Yield,
    /// `gopark`: park me unless my wake-up token arrived meanwhile.
    Park,
    /// `exitsyscall` found no P: queue me globally and stop this M.
    SyscallNoP,
    /// The runtime has shut down: drop me (I never run again; my stack is
    /// abandoned, as a blocked goroutine's is).
    Stop,
}

pub(crate) type Coro = Coroutine<(), Switch, (), PooledStack>;
pub(crate) type GYielder = Yielder<(), Switch>;

/// What a G holds of a goroutine: its coroutine from spawn until it
/// returns (the body waits on its stack until the first run, as Go's
/// `newproc` copies the arguments onto the new stack), then the stack it
/// ran on, kept for the G's next goroutine (Go's `gfput`). One slot for
/// both, as a G never holds both: a separate spare-stack field would make
/// every G, parked goroutines' included, 40 bytes bigger.
enum Body {
    Empty,
    Running(Coro),
    Spare(PooledStack),
}

/// The name of a goroutine's function: `std::any::type_name::<F>` of its
/// closure, a thin pointer where the name itself (`&str`) is two words.
pub(crate) type EntryName = fn() -> &'static str;

/// What the spawner knows about a new goroutine.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spawn {
    /// Id of the spawning goroutine (0: a thread, or a timer).
    pub(crate) parent: u64,
    pub(crate) at: &'static Location<'static>,
    /// The function it runs.
    pub(crate) entry: EntryName,
    /// A runtime's main goroutine (Go prints no creator for it).
    pub(crate) main: bool,
}

impl Spawn {
    /// A goroutine running `f`, started by `parent` at `at`.
    pub(crate) fn of<F>(parent: u64, at: &'static Location<'static>, _f: &F) -> Spawn {
        Spawn {
            parent,
            at,
            entry: std::any::type_name::<F>,
            main: false,
        }
    }
}

/// A goroutine.
pub(crate) struct G {
    /// Goroutine id; a new one each time the G is reused.
    id: AtomicU64,
    /// Id of the goroutine that spawned this one (0: spawned from a thread).
    parent: AtomicU64,
    /// Always a `&'static Location`.
    spawned_at: AtomicPtr<Location<'static>>,
    /// Always an [`EntryName`].
    entry: AtomicPtr<()>,
    /// A runtime's main goroutine.
    main: AtomicBool,
    pub(crate) sched: Arc<Sched>,
    status: AtomicU8,
    /// Its park token (`parktoken.rs`).
    pub(crate) token: ParkToken,
    /// [`WaitReason::code`] of the last park (0: never parked).
    wait_reason: AtomicU8,
    /// The text of a [`WaitReason::Other`] reason (read only when
    /// `wait_reason` says `OTHER_CODE`).
    wait_other: Mutex<&'static str>,
    /// Nanoseconds since the runtime's epoch when the G last started waiting.
    wait_since: AtomicU64,
    /// Where it last parked (null: never), for its frame in dumps.
    park_site: AtomicPtr<Location<'static>>,
    /// Set by the panic hook while the G unwinds (or until its next
    /// schedule point shows the panic was caught); counted in
    /// `Sched::unwinding`.
    unwinding: AtomicBool,
    /// Where its panic started (set with `unwinding`; boxed, as few Gs
    /// ever panic).
    panic_site: Mutex<Option<Box<PanicSite>>>,
    /// The coroutine while a goroutine runs on the G, or the stack a dead
    /// one left (see [`Body`]).
    body: UnsafeCell<Body>,
    /// The coroutine's yielder while it runs (lives on the coroutine stack).
    yielder: Cell<*const GYielder>,
    /// Its stack's bounds (see the `Sync` argument below).
    pub(crate) stack: Cell<StackBounds>,
    /// Id of the M that last ran it (`scheddetail`'s `m=`).
    pub(crate) m: AtomicU64,
}

// SAFETY: `body` and `yielder` are only touched by the single
// thread that owns the G at that moment: its spawner (which took it off a
// free list or made it), then the M running it; ownership passes through the
// run queues and free lists (whose CAS/locks order the hand-over) or through
// the park token protocol, never two threads at once. `stack` is written by
// the spawner before it arms the stack's canary (a Release store) and
// publishes the G; the only reader besides the owner is an overflow report
// that found the G through that canary (an Acquire load), so the write
// happens before the read. Everything else is atomics or mutexes. The body
// is `Send`, and the coroutine only ever holds `Send` data of ours plus the
// user's `Send` closure's frames (see the crate docs on thread-locals).
unsafe impl Send for G {}
// SAFETY: as for `Send`: shared access goes through atomics and mutexes; the
// cells are owner-only, or (`stack`) written once before being shared.
unsafe impl Sync for G {}

impl fmt::Debug for G {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("G")
            .field("id", &self.id())
            .field("status", &self.status())
            .field("spawned_at", &self.spawned_at())
            .finish_non_exhaustive()
    }
}

impl G {
    /// `malg`: a G for goroutine `id`, without a coroutine yet.
    pub(crate) fn new(id: u64, spawn: Spawn, sched: Arc<Sched>) -> G {
        G {
            id: AtomicU64::new(id),
            parent: AtomicU64::new(spawn.parent),
            spawned_at: AtomicPtr::new(std::ptr::from_ref(spawn.at).cast_mut()),
            entry: AtomicPtr::new(spawn.entry as *mut ()),
            main: AtomicBool::new(spawn.main),
            sched,
            status: AtomicU8::new(GStatus::Runnable as u8),
            token: ParkToken::new(id),
            wait_reason: AtomicU8::new(0),
            wait_other: Mutex::new(""),
            wait_since: AtomicU64::new(0),
            park_site: AtomicPtr::new(std::ptr::null_mut()),
            unwinding: AtomicBool::new(false),
            panic_site: Mutex::new(None),
            body: UnsafeCell::new(Body::Empty),
            yielder: Cell::new(std::ptr::null()),
            stack: Cell::new(StackBounds::default()),
            m: AtomicU64::new(0),
        }
    }

    /// `newproc1` on a G from a free list: it becomes goroutine `id`.
    /// The caller owns the dead G.
    pub(crate) fn reuse(&self, id: u64, spawn: Spawn) {
        self.id.store(id, Ordering::Relaxed);
        self.parent.store(spawn.parent, Ordering::Relaxed);
        self.spawned_at
            .store(std::ptr::from_ref(spawn.at).cast_mut(), Ordering::Relaxed);
        self.entry.store(spawn.entry as *mut (), Ordering::Relaxed);
        self.main.store(spawn.main, Ordering::Relaxed);
        self.token.reset(id);
        self.wait_reason.store(0, Ordering::Relaxed);
        self.park_site
            .store(std::ptr::null_mut(), Ordering::Relaxed);
        self.set_status(GStatus::Runnable);
    }

    /// Goroutine id.
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.id.load(Ordering::Relaxed)
    }

    /// Id of the goroutine that spawned it (0: a thread, or a timer).
    pub(crate) fn parent(&self) -> u64 {
        self.parent.load(Ordering::Relaxed)
    }

    /// Where it was spawned.
    #[inline]
    pub(crate) fn spawned_at(&self) -> &'static Location<'static> {
        // SAFETY: `spawned_at` only ever holds pointers made from
        // `&'static Location<'static>`s.
        unsafe { &*self.spawned_at.load(Ordering::Relaxed) }
    }

    /// The function it runs (a Rust type path; see `report.rs`).
    pub(crate) fn entry(&self) -> &'static str {
        let f = self.entry.load(Ordering::Relaxed);
        // SAFETY: `entry` only ever holds an `EntryName` cast to a data
        // pointer (same size on every platform Rust supports).
        let f: EntryName = unsafe { std::mem::transmute::<*mut (), EntryName>(f) };
        f()
    }

    /// A runtime's main goroutine.
    pub(crate) fn is_main(&self) -> bool {
        self.main.load(Ordering::Relaxed)
    }

    /// Gives the G its coroutine: `body` on `st` (the body is moved onto
    /// the stack, not boxed), with the canary armed for its goroutine.
    ///
    /// # Safety
    /// The caller owns the G (see the type's docs), which has no coroutine.
    pub(crate) unsafe fn start(
        &self,
        mut st: PooledStack,
        body: impl FnOnce(&GYielder) + Send + 'static,
    ) {
        st.committed = true;
        let bounds = st.bounds();
        self.stack.set(bounds);
        bounds.arm(self.id());
        // SAFETY: the caller owns the G (contract above).
        let slot = unsafe { &mut *self.body.get() };
        debug_assert!(
            matches!(slot, Body::Empty),
            "a G starts one goroutine at a time"
        );
        *slot = Body::Running(Coroutine::with_stack(st, move |y, ()| body(y)));
    }

    /// The stack a dead G kept, if any.
    ///
    /// # Safety
    /// The caller owns the G.
    pub(crate) unsafe fn take_spare_stack(&self) -> Option<PooledStack> {
        // SAFETY: the caller owns the G (contract above).
        let slot = unsafe { &mut *self.body.get() };
        match std::mem::replace(slot, Body::Empty) {
            Body::Spare(st) => Some(st),
            other => {
                *slot = other;
                None
            }
        }
    }

    /// The stack a dead G kept, to give its pages back.
    ///
    /// # Safety
    /// The caller owns the G and drops the reference before it passes the
    /// G on.
    #[allow(clippy::mut_from_ref)] // owner-only cell, see the type's docs
    pub(crate) unsafe fn spare_stack_mut(&self) -> Option<&mut PooledStack> {
        // SAFETY: the caller owns the G (contract above).
        match unsafe { &mut *self.body.get() } {
            Body::Spare(st) => Some(st),
            _ => None,
        }
    }

    /// The goroutine returned: keeps its stack for the G's next goroutine.
    ///
    /// # Safety
    /// The caller owns the G.
    pub(crate) unsafe fn finish(&self) {
        // SAFETY: the caller owns the G (contract above).
        let slot = unsafe { &mut *self.body.get() };
        let Body::Running(c) = std::mem::replace(slot, Body::Empty) else {
            panic!("a running G has its coroutine");
        };
        let st = c.into_stack();
        st.bounds().disarm();
        *slot = Body::Spare(st);
    }

    pub(crate) fn status(&self) -> GStatus {
        GStatus::from_u8(self.status.load(Ordering::Acquire))
    }

    pub(crate) fn set_status(&self, s: GStatus) {
        self.status.store(s as u8, Ordering::Release);
    }

    pub(crate) fn wait_reason(&self) -> Option<WaitReason> {
        match self.wait_reason.load(Ordering::Acquire) {
            OTHER_CODE => Some(WaitReason::Other(
                *self.wait_other.lock().unwrap_or_else(|e| e.into_inner()),
            )),
            code => WaitReason::from_code(code),
        }
    }

    /// Records why, where and since when the G waits. A channel's reason
    /// is one byte store (this runs on every park); only a caller's own
    /// [`WaitReason::Other`] text takes a lock.
    pub(crate) fn set_waiting(
        &self,
        reason: WaitReason,
        at: &'static Location<'static>,
        now_nanos: u64,
    ) {
        if let WaitReason::Other(text) = reason {
            *self.wait_other.lock().unwrap_or_else(|e| e.into_inner()) = text;
        }
        self.wait_reason.store(reason.code(), Ordering::Release);
        self.park_site
            .store(std::ptr::from_ref(at).cast_mut(), Ordering::Relaxed);
        self.wait_since.store(now_nanos, Ordering::Relaxed);
    }

    /// Where it last parked.
    pub(crate) fn park_site(&self) -> Option<&'static Location<'static>> {
        // SAFETY: `park_site` only ever holds null or a pointer made from a
        // `&'static Location<'static>`.
        unsafe { self.park_site.load(Ordering::Relaxed).as_ref() }
    }

    /// The panic hook saw this G start panicking (called on the G itself).
    pub(crate) fn panic_started(&self, site: PanicSite) {
        *self.panic_site.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(site));
        if !self.unwinding.swap(true, Ordering::AcqRel) {
            self.sched.unwinding.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The panic it started is over: caught by the runtime (fatal) or by
    /// the goroutine's own `catch_unwind` (recovered). Returns where it
    /// started.
    pub(crate) fn panic_ended(&self) -> Option<Box<PanicSite>> {
        if self.unwinding.swap(false, Ordering::AcqRel) {
            self.sched.unwinding.fetch_sub(1, Ordering::AcqRel);
        }
        self.panic_site
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// At a schedule point: a G marked unwinding whose thread no longer
    /// unwinds caught its panic, which must no longer hold `run` back.
    pub(crate) fn notice_recovery(&self) {
        if self.unwinding.load(Ordering::Relaxed) && !std::thread::panicking() {
            self.panic_ended();
        }
    }

    /// The goroutine as Go's reports print it (`report.rs`), with its
    /// frame at `frame_at`; `now` is the runtime's clock.
    pub(crate) fn report<'a>(
        &'a self,
        now: u64,
        frame_at: Option<&'a dyn Display>,
    ) -> report::Goroutine<'a> {
        let status = self.status();
        let (status_text, waiting_minutes) = match (status, self.wait_reason()) {
            (GStatus::Waiting, Some(r)) => (
                r.as_str(),
                now.saturating_sub(self.wait_since()) / 60_000_000_000,
            ),
            (s, _) => (s.as_str(), 0),
        };
        report::Goroutine {
            id: self.id(),
            status: status_text,
            waiting_minutes,
            throwing: None,
            function: self.entry(),
            frame_at,
            created_by: self.created_by(),
        }
    }

    /// Its `created by` line; none for a runtime's main goroutine.
    pub(crate) fn created_by(&self) -> Option<report::CreatedBy<'static>> {
        (!self.is_main()).then(|| report::CreatedBy {
            function: report::creator(self.entry()),
            goroutine: self.parent(),
            at: self.spawned_at(),
        })
    }

    pub(crate) fn wait_since(&self) -> u64 {
        self.wait_since.load(Ordering::Relaxed)
    }

    /// The coroutine of the goroutine on the G, if one is alive.
    ///
    /// # Safety
    /// The caller owns the G and does not keep the reference across a point
    /// where ownership passes on.
    #[allow(clippy::mut_from_ref)] // owner-only cell, see the type's docs
    pub(crate) unsafe fn coro_mut(&self) -> Option<&mut Coro> {
        // SAFETY: the caller owns the G (contract above).
        match unsafe { &mut *self.body.get() } {
            Body::Running(c) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn set_yielder(&self, y: *const GYielder) {
        self.yielder.set(y);
    }

    /// Switches from this (running) goroutine back to its M's scheduler.
    ///
    /// Must be called on the goroutine's own stack, which is the only place
    /// that reaches a running G through the current-G accessor.
    #[inline(never)]
    pub(crate) fn switch(&self, why: Switch) {
        self.notice_recovery();
        let y = self.yielder.get();
        debug_assert!(!y.is_null());
        // SAFETY: `yielder` points at the Yielder on this goroutine's own
        // stack, set when the coroutine started and valid until it returns;
        // we are running on that stack, so the coroutine is alive.
        unsafe { (*y).suspend(why) };
    }
}

impl Drop for G {
    fn drop(&mut self) {
        // A goroutine still blocked when its runtime shut down: leak its
        // stack rather than unwind it on some unrelated thread (Go's die
        // with the process). A never-started one drops its body; its
        // stack, and a dead G's, go back to the pool.
        let spare = match std::mem::replace(self.body.get_mut(), Body::Empty) {
            Body::Empty => None,
            Body::Spare(st) => Some(st),
            Body::Running(c) if c.started() && !c.done() => {
                std::mem::forget(c);
                None
            }
            Body::Running(mut c) => {
                c.force_unwind();
                let st = c.into_stack();
                st.bounds().disarm();
                Some(st)
            }
        };
        if let Some(st) = spare {
            stack::free_many([st]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Body, Coro, G};

    /// Every parked goroutine holds a G on the heap beside its stack page:
    /// its size is most of what a goroutine costs beyond the page. With
    /// the `Arc` header and malloc's own word, 216 bytes fill a 240-byte
    /// chunk; the next field added moves every G up a class.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_g_fits_its_malloc_class() {
        assert_eq!(size_of::<Body>(), size_of::<Coro>(), "no room for a tag");
        assert!(size_of::<G>() <= 216, "G is {} bytes", size_of::<G>());
    }
}
