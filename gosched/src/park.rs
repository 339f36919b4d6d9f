//! Parking and unparking: the contract channels and contexts build on.
//!
//! One vocabulary, `std::thread`'s: [`park`] blocks the caller,
//! [`Unparker::unpark`] wakes it. They model Go's `gopark` and `goready`
//! (`runtime/proc.go`, Go 1.27) with the token semantics of
//! `std::thread::park`: every [`Unparker`] carries one wake-up token.
//! [`park`] consumes the token if it is there and returns at once,
//! otherwise blocks the caller until an unpark provides it. An unpark that
//! arrives before the `park` is therefore never lost, which lets a channel
//! enqueue a waiter under its lock, drop the lock, and only then park,
//! without Go's `unlockf` callback (the protocol: `parktoken.rs`).
//!
//! `park` may also return spuriously; callers re-check their own condition in
//! a loop (`while !done { park(reason) }`).
//!
//! Called on a plain OS thread, these park the thread. Called from a goroutine
//! on a gosched worker, they park only the goroutine and the worker runs
//! another one.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::current::current_g;
use crate::g::G;
use crate::schedpoint::{self, park_current, park_current_timeout};
use crate::status::WaitReason;

/// A handle that wakes one parked goroutine or thread (Go's `goready`
/// target). Cheap to clone; `Send + Sync`.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
/// use gosched::{Unparker, WaitReason};
/// gosched::Runtime::new().run(|| {
///     let done = Arc::new(AtomicBool::new(false));
///     let (me, d) = (Unparker::current(), done.clone());
///     gosched::go(move || { d.store(true, Ordering::Release); me.unpark(); });
///     while !done.load(Ordering::Acquire) {
///         gosched::park(WaitReason::Other("example"));
///     }
/// }).unwrap();
/// ```
#[derive(Clone)]
pub struct Unparker {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Thread(std::thread::Thread),
    /// The G and the goroutine on it (a G outlives its goroutine).
    Goroutine(Arc<G>, u64),
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Thread(t) => f.debug_tuple("Unparker::Thread").field(&t.id()).finish(),
            Inner::Goroutine(_, id) => f.debug_tuple("Unparker::Goroutine").field(id).finish(),
        }
    }
}

impl Unparker {
    /// The unparker of the calling goroutine, or of the calling OS thread
    /// (as `std::thread::current()` is the handle to unpark a thread).
    pub fn current() -> Unparker {
        let inner = match current_g() {
            Some(g) => {
                let id = g.id();
                Inner::Goroutine(g, id)
            }
            None => Inner::Thread(std::thread::current()),
        };
        Unparker { inner }
    }

    /// Provides the wake-up token: the next (or current) [`park`] of the
    /// owner returns (Go's `goready`). Callable from any goroutine or
    /// thread. Consumes the handle, as `std::task::Waker::wake` does: a
    /// goroutine's reference moves into the run queue rather than being
    /// cloned there; [`unpark_by_ref`](Self::unpark_by_ref) keeps it.
    ///
    /// ```
    /// gosched::Runtime::new().run(|| {
    ///     let me = gosched::Unparker::current();
    ///     gosched::go(move || me.unpark());
    ///     gosched::park(gosched::WaitReason::Other("test"));
    /// }).unwrap();
    /// ```
    #[inline]
    pub fn unpark(self) {
        match self.inner {
            Inner::Thread(t) => t.unpark(),
            Inner::Goroutine(g, id) => schedpoint::unpark(g, id),
        }
    }

    /// [`unpark`](Self::unpark), keeping the handle (a goroutine's
    /// reference is cloned into the run queue only when it parked).
    ///
    /// ```
    /// let me = gosched::Unparker::current();
    /// me.unpark_by_ref();
    /// me.unpark_by_ref(); // one token: the park below returns at once
    /// gosched::park(gosched::WaitReason::Other("token"));
    /// ```
    #[inline]
    pub fn unpark_by_ref(&self) {
        match &self.inner {
            Inner::Thread(t) => t.unpark(),
            Inner::Goroutine(g, id) => schedpoint::unpark_by_ref(g, *id),
        }
    }

    /// The goroutine id this unparker wakes (`None` for a thread).
    pub fn goid(&self) -> Option<u64> {
        match &self.inner {
            Inner::Thread(_) => None,
            Inner::Goroutine(_, id) => Some(*id),
        }
    }
}

/// Parks the caller until its token is provided (see the module docs); Go's
/// `gopark`. On a goroutine only the goroutine blocks; its M runs others.
/// The caller's location is the goroutine's frame in deadlock dumps and
/// leak reports.
///
/// ```
/// gosched::Runtime::new().run(|| {
///     let me = gosched::Unparker::current();
///     gosched::go(move || me.unpark());
///     gosched::park(gosched::WaitReason::Other("test"));
/// }).unwrap();
/// ```
#[track_caller]
pub fn park(reason: WaitReason) {
    park_at(reason, Location::caller());
}

/// [`park`] on behalf of a caller at `at`.
pub(crate) fn park_at(reason: WaitReason, at: &'static Location<'static>) {
    if !park_current(reason, at) {
        std::thread::park();
    }
}

/// Like [`park`], but returns after `timeout` at the latest (a timer on the
/// runtime's heap wakes a goroutine).
///
/// ```
/// let t = std::time::Instant::now();
/// gosched::Runtime::new().run(|| {
///     gosched::park_timeout(gosched::WaitReason::Sleep, std::time::Duration::from_millis(2));
/// }).unwrap();
/// assert!(t.elapsed() >= std::time::Duration::from_millis(2));
/// ```
#[track_caller]
pub fn park_timeout(reason: WaitReason, timeout: Duration) {
    if !park_current_timeout(reason, timeout, Location::caller()) {
        std::thread::park_timeout(timeout);
    }
}
