//! The calling thread's M (Go's `getg().m`, `runtime/proc.go: acquirep,
//! releasep, resetspinning`, Go 1.27): what an M's own thread keeps — its
//! P, whether it spins, the G it runs — and the
//! accessors through which any code reaches the current M, G and runtime.
//!
//! The context lives in a thread-local pointer. Code on a goroutine's stack
//! reaches it only through [`with_m`], which is `#[inline(never)]` so the
//! compiler cannot keep an address computed before a switch — after a
//! switch the goroutine may be on another M.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::g::G;
use crate::m::M;
use crate::p::{NO_P, P, P_RUNNING};
use crate::sched::Sched;

/// Per-M state, owned by the M's thread.
pub(crate) struct MCtx {
    pub(crate) sched: Arc<Sched>,
    pub(crate) m: Arc<M>,
    /// Index of the P held, or `NO_P`.
    pub(crate) p: Cell<usize>,
    pub(crate) spinning: Cell<bool>,
    /// The running G (kept alive by `execute`'s `Arc`).
    pub(crate) curg: Cell<*const G>,
    rng: Cell<u64>,
}

thread_local! {
    static MCTX: Cell<*const MCtx> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` with the calling thread's M context, if it is an M.
///
/// Never inlined: callers on a goroutine stack must re-read the context
/// after every switch, and this keeps the compiler from caching the TLS
/// address across one.
#[inline(never)]
pub(crate) fn with_m<R>(f: impl FnOnce(&MCtx) -> R) -> Option<R> {
    let p = MCTX.with(Cell::get);
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-null MCTX was set on this thread by `MCtx::enter`,
    // whose guard borrows the MCtx and clears the pointer when it drops:
    // the MCtx is alive (and `mstart` keeps it so while its goroutines run).
    Some(f(unsafe { &*p }))
}

/// Runs `f` with the running goroutine, if the caller is one.
#[inline(never)]
pub(crate) fn with_g<R>(f: impl FnOnce(&G) -> R) -> Option<R> {
    let g = with_m(|m| m.curg.get())?;
    if g.is_null() {
        return None;
    }
    // SAFETY: `curg` is set by `execute` from an `Arc<G>` it holds until the
    // coroutine switches back; we are running on that goroutine (or on the
    // M between switches, when `curg` is null), so the G is alive for `f`
    // even if `f` switches out: a suspended G is held by `allgs`.
    Some(f(unsafe { &*g }))
}

/// The running goroutine as an `Arc`, if the caller is one.
pub(crate) fn current_g() -> Option<Arc<G>> {
    with_g(|g| {
        let ptr: *const G = g;
        // SAFETY: `g` is alive and came from an `Arc` (see `with_g`); bump
        // the count before making a second owner from the same pointer.
        unsafe {
            Arc::increment_strong_count(ptr);
            Arc::from_raw(ptr)
        }
    })
}

impl MCtx {
    #[inline]
    pub(crate) fn p(&self) -> &P {
        &self.sched.ps[self.p.get()]
    }

    #[inline]
    pub(crate) fn fastrand(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[inline]
    pub(crate) fn acquirep(&self, p: usize) {
        self.p.set(p);
        let pp = &self.sched.ps[p];
        pp.status.store(P_RUNNING, Ordering::Release);
        pp.m.store(self.m.id, Ordering::Release);
        self.m.p.store(p, Ordering::Relaxed);
    }

    #[inline]
    pub(crate) fn releasep(&self) -> usize {
        let p = self.p.replace(NO_P);
        self.m.p.store(NO_P, Ordering::Relaxed);
        p
    }

    /// `resetspinning`.
    #[inline]
    pub(crate) fn reset_spinning(&self) {
        self.spinning.set(false);
        self.m.spinning.store(false, Ordering::Relaxed);
        let prev = self.sched.nmspinning.fetch_sub(1, Ordering::SeqCst);
        if prev == 1 {
            self.sched.wakep();
        }
    }

    #[inline]
    pub(crate) fn become_spinning(&self) {
        self.spinning.set(true);
        self.m.spinning.store(true, Ordering::Relaxed);
    }
}

impl MCtx {
    /// The context `mstart` sets up for M `m` of `sched`.
    pub(crate) fn new(sched: Arc<Sched>, m: Arc<M>) -> MCtx {
        let seed = m.id.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        MCtx {
            sched,
            m,
            p: Cell::new(NO_P),
            spinning: Cell::new(false),
            curg: Cell::new(std::ptr::null()),
            rng: Cell::new(seed),
        }
    }

    /// Makes `self` the calling thread's M context until the guard drops.
    pub(crate) fn enter(&self) -> Entered<'_> {
        MCTX.with(|c| c.set(self));
        Entered(PhantomData)
    }
}

/// While this lives, the calling thread's M context is the one it borrows.
pub(crate) struct Entered<'a>(PhantomData<&'a MCtx>);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        MCTX.with(|c| c.set(std::ptr::null()));
    }
}

/// The scheduler the caller runs on, if it is on an M.
pub(crate) fn current_sched() -> Option<Arc<Sched>> {
    with_m(|m| Arc::clone(&m.sched))
}
