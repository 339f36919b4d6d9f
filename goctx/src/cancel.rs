//! The cancellable part of a context: Go's `cancelCtx` (`context/context.go`,
//! Go 1.27) — its lock, its lazily made `done` channel, its error and
//! cause, its `children` — with `cancel` and `removeChild`.
//!
//! A [`CancelState`] is kept apart from the context node that points at
//! its parent (`context.rs`): a parent's `children` hold only the
//! children's states, so a parent and a child never own each other, and a
//! tree nobody cancels is freed when its last handle goes (Go's collector
//! frees such a tree; `Arc`s would keep a parent-child cycle forever).
//!
//! The protocol, all under the state's own lock (`mu`):
//!
//! 1. `adopt` (Go's `propagateCancel`, the `parentCancelCtx` branch): a
//!    parent that is already canceled has the newcomer born canceled with
//!    its own error and cause (`cancel_new`: nobody else sees it yet, so
//!    without its lock); otherwise the child goes into `children`, and the
//!    child's `slot` records where.
//! 2. `cancel` (Go's `cancelCtx.cancel`): the first call wins (later ones
//!    find `err` set and return); it stores the error and cause, closes
//!    `done` (or, if nobody asked for it yet, makes it Go's shared
//!    `closedchan`), takes `children` and the hook (a deadline's timer to
//!    stop, an `AfterFunc`'s function to start), and then cancels every
//!    descendant the same way, with the same error and cause. Go recurses
//!    holding each lock; here each lock is dropped before the children are
//!    visited, and the visit is a loop, so a chain of a million contexts
//!    needs no stack.
//! 3. `remove_child` (Go's `removeChild`): a child canceled by its own
//!    cancel function, deadline or `stop` leaves its parent's `children`, so
//!    a long-lived parent does not collect dead children. `children`
//!    (`children.rs`) is indexed like a vector and the child's `slot` is
//!    its index (a swap-remove moves the last child into the hole and
//!    rewrites its `slot`); a child whose parent was canceled meanwhile
//!    finds another state, or none, at its slot, and does nothing.
//!
//! `err` is read without the lock. As in Go (issue #75533), a non-nil
//! error means `done` is closed: `err` carries a `DONE_CLOSED` bit set only
//! after the close, and a reader that sees the error without the bit waits
//! for the lock, which the canceller holds until then. That read, the
//! first cancel's win and a link against a cancel are model-checked by
//! loom (`cancel/loom_models.rs`; the lock and atomics from `sync.rs`).

use std::sync::{Arc, LazyLock, OnceLock};

use gochan::{Chan, RecvChan};

use crate::children::Children;
use crate::error::{Cause, Error};
use crate::sync::{AtomicU8, AtomicUsize, Mutex, MutexGuard, Ordering};

#[cfg(all(test, loom))]
mod loom_models;

/// `err` bits: the [`Error::code`] in the low bits, and `DONE_CLOSED`
/// once `done` is closed.
const KIND: u8 = 0b011;
const DONE_CLOSED: u8 = 0b100;

/// A done channel: the channel (to close it) and its receive-only view
/// (what `Context::done` lends out).
#[derive(Debug)]
struct DoneChan {
    chan: Chan<()>,
    rx: RecvChan<()>,
}

impl DoneChan {
    fn new() -> DoneChan {
        let chan = gochan::make::<()>(0);
        let rx = chan.recv_only();
        DoneChan { chan, rx }
    }
}

/// What `CancelState::done` holds once set.
#[derive(Debug)]
enum Done {
    /// Made by `done()` before any cancel; closed by the first.
    Made(DoneChan),
    /// Canceled before anyone asked: [`closed_chan`], shared, not cloned.
    Closed,
}

impl Done {
    fn rx(&self) -> &RecvChan<()> {
        match self {
            Done::Made(d) => &d.rx,
            Done::Closed => &closed_chan().rx,
        }
    }
}

/// Go's `closedchan`: the one closed channel every context canceled before
/// anyone asked for its `done` shares.
fn closed_chan() -> &'static DoneChan {
    static CLOSED: LazyLock<DoneChan> = LazyLock::new(|| {
        let d = DoneChan::new();
        d.chan.close();
        d
    });
    &CLOSED
}

/// Whether `rx` is Go's `closedchan`.
pub(crate) fn is_closed_chan(rx: &RecvChan<()>) -> bool {
    *rx == closed_chan().rx
}

/// What a context's cancellation also does besides closing `done`.
pub(crate) enum Hook {
    None,
    /// A deadline's timer, stopped on cancel (Go's `timerCtx.cancel`).
    Timer(gosched::time::Timer),
    /// An `AfterFunc`'s function: started in its own goroutine on cancel,
    /// or taken by `stop` (Go's `afterFuncCtx.once`).
    AfterFunc(Box<dyn FnOnce() + Send + 'static>),
}

impl Hook {
    /// Stops the timer or starts the function.
    fn fire(self) {
        match self {
            Hook::None => {}
            Hook::Timer(t) => {
                t.stop();
            }
            Hook::AfterFunc(f) => gosched::go(f),
        }
    }
}

/// What the lock guards.
struct Inner {
    /// Set by the first cancel (Go: `cause`, "set to non-nil by the first
    /// cancel call").
    cause: Option<Cause>,
    /// Linked children (Go: `children map[canceler]struct{}`).
    children: Children,
    hook: Hook,
}

/// Go's `cancelCtx`, less the parent it embeds (see the module docs).
pub(crate) struct CancelState {
    mu: Mutex<Inner>,
    /// Zero while live; then [`Error::code`], and `DONE_CLOSED`.
    err: AtomicU8,
    /// Made on the first `done()` (Go: `done atomic.Value`, "created
    /// lazily, closed by first cancel call").
    done: OnceLock<Done>,
    /// This state's index in its parent's `children`, read and written
    /// only under the parent's lock (an atomic only to be written through
    /// a shared reference: the lock orders it).
    slot: AtomicUsize,
}

impl CancelState {
    pub(crate) fn new(hook: Hook) -> CancelState {
        CancelState {
            mu: Mutex::new(Inner {
                cause: None,
                children: Children::None,
                hook,
            }),
            err: AtomicU8::new(0),
            done: OnceLock::new(),
            slot: AtomicUsize::new(usize::MAX),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; a poisoned lock would be a
        // bug elsewhere, and the state it guards is still consistent.
        self.mu.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Go's `cancelCtx.Done`.
    #[inline]
    pub(crate) fn done(&self) -> &RecvChan<()> {
        self.done.get_or_init(|| Done::Made(DoneChan::new())).rx()
    }

    /// The done channel if it was made (Go's `p.done.Load()` in
    /// `parentCancelCtx`).
    pub(crate) fn done_if_made(&self) -> Option<&RecvChan<()>> {
        self.done.get().map(Done::rx)
    }

    /// Go's `cancelCtx.Err`: the error once `done` is closed.
    #[inline]
    pub(crate) fn err(&self) -> Option<Error> {
        // Acquire: an error seen here brings the close of `done` (and the
        // cause) with it. Relaxed is planted for the loom models
        // (`--cfg 'loom_planted_bug="err_relaxed"'`).
        let e = self.err.load(if cfg!(loom_planted_bug = "err_relaxed") {
            Ordering::Relaxed
        } else {
            Ordering::Acquire
        });
        if e == 0 {
            return None;
        }
        if e & DONE_CLOSED == 0 {
            // The canceller stored the error and is closing `done` under
            // the lock: wait for it (Go: `<-c.Done()`).
            drop(self.lock());
        }
        Error::from_code(e & KIND)
    }

    /// The cause, once canceled (Go reads `cc.cause` under `cc.mu`).
    pub(crate) fn cause(&self) -> Option<Cause> {
        self.lock().cause.clone()
    }

    /// Step 1 of the protocol: links `child`, or cancels it if this state
    /// is canceled already. Returns whether it was linked.
    pub(crate) fn adopt(&self, child: &mut Arc<CancelState>) -> bool {
        // The check is made under the lock that a cancel drains `children`
        // under: made before it (planted for the loom models, `--cfg
        // 'loom_planted_bug="adopt_unlocked"'`), a cancel can slip between
        // the check and the push, and the child is linked under a parent
        // that will never cancel it again.
        #[cfg(loom_planted_bug = "adopt_unlocked")]
        let code = self.err.load(Ordering::Acquire);
        let mut inner = self.lock();
        #[cfg(not(loom_planted_bug = "adopt_unlocked"))]
        let code = self.err.load(Ordering::Relaxed);
        if let Some(err) = Error::from_code(code & KIND) {
            let cause = inner.cause.clone();
            drop(inner);
            child.cancel_new(err, cause);
            return false;
        }
        let slot = inner.children.push(Arc::clone(child));
        child.slot.store(slot, Ordering::Relaxed);
        tracing::trace!(
            children = inner.children.len(),
            "context linked under its parent"
        );
        true
    }

    /// Step 3: Go's `removeChild`, for a `child` this state adopted.
    pub(crate) fn remove_child(&self, child: &Arc<CancelState>) {
        let mut inner = self.lock();
        let i = child.slot.load(Ordering::Relaxed);
        if !inner.children.get(i).is_some_and(|c| Arc::ptr_eq(c, child)) {
            return; // this state was canceled meanwhile and let go of it
        }
        let removed = inner.children.swap_remove(i);
        tracing::trace!(
            children = inner.children.len(),
            "context unlinked from its parent"
        );
        if let Some(moved) = inner.children.get(i) {
            moved.slot.store(i, Ordering::Relaxed);
        }
        drop(inner);
        drop(removed);
    }

    /// Whether `child` is linked under this state (Go's
    /// `contains(c.children, child)`).
    pub(crate) fn has_child(&self, child: &Arc<CancelState>) -> bool {
        let inner = self.lock();
        let i = child.slot.load(Ordering::Relaxed);
        inner.children.get(i).is_some_and(|c| Arc::ptr_eq(c, child))
    }

    /// Linked children (Go's `len(c.children)`).
    pub(crate) fn children_len(&self) -> usize {
        self.lock().children.len()
    }

    /// Whether a deadline's timer is armed.
    pub(crate) fn timer_armed(&self) -> bool {
        matches!(self.lock().hook, Hook::Timer(_))
    }

    /// Arms `make_timer()`'s timer unless already canceled (Go starts the
    /// timer under `c.mu` after checking `c.err`).
    pub(crate) fn arm_timer(&self, make_timer: impl FnOnce() -> gosched::time::Timer) {
        let mut inner = self.lock();
        if self.err.load(Ordering::Relaxed) == 0 {
            inner.hook = Hook::Timer(make_timer());
        }
    }

    /// Takes an `AfterFunc`'s function if it has not started (Go's
    /// `a.once.Do(func() { stopped = true })`).
    pub(crate) fn take_after_func(&self) -> Option<Box<dyn FnOnce() + Send + 'static>> {
        let mut inner = self.lock();
        match std::mem::replace(&mut inner.hook, Hook::None) {
            Hook::AfterFunc(f) => Some(f),
            other => {
                inner.hook = other;
                None
            }
        }
    }

    /// Step 2: Go's `cancelCtx.cancel(false, err, cause)` for this state and
    /// every descendant. Returns whether this call canceled it (the first
    /// cancel wins).
    pub(crate) fn cancel(&self, err: Error, cause: Option<Cause>) -> bool {
        let cause = cause.unwrap_or_else(|| Cause::from(err));
        let mut pending = Vec::new();
        if !self.cancel_self(err, &cause, &mut pending) {
            return false;
        }
        let mut descendants = 0usize;
        while let Some(child) = pending.pop() {
            if child.cancel_self(err, &cause, &mut pending) {
                descendants += 1;
            }
        }
        tracing::debug!(%err, %cause, descendants, "context canceled");
        true
    }

    /// Cancels a state born under a canceled parent. Nobody else can see it
    /// yet, so it needs no lock: it is born with the error, the cause and
    /// Go's `closedchan`.
    pub(crate) fn cancel_new(self: &mut Arc<Self>, err: Error, cause: Option<Cause>) {
        let Some(state) = Arc::get_mut(self) else {
            self.cancel(err, cause);
            return;
        };
        let cause = cause.unwrap_or_else(|| Cause::from(err));
        tracing::debug!(%err, %cause, "context born canceled");
        let inner = state.mu.get_mut().unwrap_or_else(|e| e.into_inner());
        inner.cause = Some(cause);
        let hook = std::mem::replace(&mut inner.hook, Hook::None);
        // (A store, not `get_mut`, which loom's atomics lack; the `&mut`
        // orders it anyway.)
        state.err.store(err.code() | DONE_CLOSED, Ordering::Relaxed);
        state.done = OnceLock::from(Done::Closed);
        hook.fire();
    }

    /// Cancels this state alone and moves its children, now unlinked, to
    /// `children` for the caller to cancel. Returns `false` if it was
    /// canceled already.
    fn cancel_self(&self, err: Error, cause: &Cause, children: &mut Vec<Arc<CancelState>>) -> bool {
        // The first cancel wins by checking `err` under the lock. Checked
        // only before taking it (planted for the loom models, `--cfg
        // 'loom_planted_bug="cancel_unlocked"'`), two cancels both see it
        // zero and both close `done`.
        #[cfg(loom_planted_bug = "cancel_unlocked")]
        if self.err.load(Ordering::Acquire) != 0 {
            return false;
        }
        let mut inner = self.lock();
        #[cfg(not(loom_planted_bug = "cancel_unlocked"))]
        if self.err.load(Ordering::Relaxed) != 0 {
            return false;
        }
        let code = err.code();
        self.err.store(code, Ordering::Release);
        inner.cause = Some(cause.clone());
        // Unless a `done()` made the channel first (perhaps racing with us:
        // then it is ours to close), it is Go's `closedchan`.
        let _ = self.done.set(Done::Closed);
        if let Some(Done::Made(d)) = self.done.get() {
            d.chan.close();
        }
        self.err.store(code | DONE_CLOSED, Ordering::Release);
        inner.children.drain_into(children);
        let hook = std::mem::replace(&mut inner.hook, Hook::None);
        drop(inner);
        hook.fire();
        true
    }
}

impl Drop for CancelState {
    /// Frees a never-canceled tree of states without recursion (a chain of
    /// a million would overflow the stack).
    fn drop(&mut self) {
        let inner = self.mu.get_mut().unwrap_or_else(|e| e.into_inner());
        let mut pending = Vec::new();
        inner.children.drain_into(&mut pending);
        while let Some(mut child) = pending.pop() {
            if let Some(c) = Arc::get_mut(&mut child) {
                let inner = c.mu.get_mut().unwrap_or_else(|e| e.into_inner());
                inner.children.drain_into(&mut pending);
            }
        }
    }
}

impl std::fmt::Debug for CancelState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("cancelCtx")
            .field(
                "err",
                &Error::from_code(self.err.load(Ordering::Relaxed) & KIND),
            )
            .field("done_made", &matches!(self.done.get(), Some(Done::Made(_))))
            .finish_non_exhaustive()
    }
}
