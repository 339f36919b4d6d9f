//! Parking and waking: the contract channels and contexts build on.
//!
//! Models `gopark`/`goready` (`runtime/proc.go`, Go 1.27) with the token
//! semantics of `std::thread::park`: every [`Unparker`] carries one wake-up
//! token. [`park`] consumes the token if it is there and returns at once,
//! otherwise blocks the caller until [`Unparker::unpark`] provides it. An
//! `unpark` that arrives before the `park` is therefore never lost, which lets
//! a channel enqueue a waiter under its lock, drop the lock, and only then
//! park, without Go's `unlockf` callback.
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
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::g::{G, TOKEN_NOTIFIED, TOKEN_PARKED};

/// Why a goroutine (or thread) is parked; shown by deadlock dumps and leak
/// reports. `Display` gives Go's `waitReason` strings (`runtime/runtime2.go`).
///
/// ```
/// assert_eq!(gosched::WaitReason::ChanReceive.to_string(), "chan receive");
/// assert_eq!(gosched::WaitReason::Other("gate").as_str(), "gate");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// `chan send`
    ChanSend,
    /// `chan receive`
    ChanReceive,
    /// `chan send (nil chan)`
    ChanSendNilChan,
    /// `chan receive (nil chan)`
    ChanReceiveNilChan,
    /// `select`
    Select,
    /// `select (no cases)`
    SelectNoCases,
    /// `sleep`
    Sleep,
    /// `sync.WaitGroup.Wait`
    WaitGroupWait,
    /// `sync.Mutex.Lock`
    SyncMutexLock,
    /// `sync.Cond.Wait`
    SyncCondWait,
    /// `syscall`
    Syscall,
    /// `sync.RWMutex.RLock`
    SyncRWMutexRLock,
    /// `sync.RWMutex.Lock`
    SyncRWMutexLock,
    /// A reason of the caller's own.
    Other(&'static str),
}

impl WaitReason {
    /// Go's string for this reason.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::ChanSend => "chan send",
            WaitReason::ChanReceive => "chan receive",
            WaitReason::ChanSendNilChan => "chan send (nil chan)",
            WaitReason::ChanReceiveNilChan => "chan receive (nil chan)",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::WaitGroupWait => "sync.WaitGroup.Wait",
            WaitReason::SyncMutexLock => "sync.Mutex.Lock",
            WaitReason::SyncCondWait => "sync.Cond.Wait",
            WaitReason::Syscall => "syscall",
            WaitReason::SyncRWMutexRLock => "sync.RWMutex.RLock",
            WaitReason::SyncRWMutexLock => "sync.RWMutex.Lock",
            WaitReason::Other(s) => s,
        }
    }
}

impl WaitReason {
    /// The reasons with a fixed string, in code order (code = index + 1;
    /// 0 is "no reason", [`OTHER_CODE`] is [`WaitReason::Other`]).
    const FIXED: [WaitReason; 13] = [
        WaitReason::ChanSend,
        WaitReason::ChanReceive,
        WaitReason::ChanSendNilChan,
        WaitReason::ChanReceiveNilChan,
        WaitReason::Select,
        WaitReason::SelectNoCases,
        WaitReason::Sleep,
        WaitReason::WaitGroupWait,
        WaitReason::SyncMutexLock,
        WaitReason::SyncCondWait,
        WaitReason::Syscall,
        WaitReason::SyncRWMutexRLock,
        WaitReason::SyncRWMutexLock,
    ];

    /// A one-byte code, so a parking goroutine records its reason with one
    /// store (Go's `gp.waitreason` is a `uint8` too). A match rather than a
    /// search of [`FIXED`](Self::FIXED): this runs on every park. The test
    /// `wait_reason_codes_round_trip` keeps the two in step.
    pub(crate) fn code(self) -> u8 {
        match self {
            WaitReason::ChanSend => 1,
            WaitReason::ChanReceive => 2,
            WaitReason::ChanSendNilChan => 3,
            WaitReason::ChanReceiveNilChan => 4,
            WaitReason::Select => 5,
            WaitReason::SelectNoCases => 6,
            WaitReason::Sleep => 7,
            WaitReason::WaitGroupWait => 8,
            WaitReason::SyncMutexLock => 9,
            WaitReason::SyncCondWait => 10,
            WaitReason::Syscall => 11,
            WaitReason::SyncRWMutexRLock => 12,
            WaitReason::SyncRWMutexLock => 13,
            WaitReason::Other(_) => OTHER_CODE,
        }
    }

    /// The reason for a code of [`code`](Self::code) (`None` for 0 and for
    /// [`OTHER_CODE`], whose text is kept beside the code).
    pub(crate) fn from_code(code: u8) -> Option<WaitReason> {
        Self::FIXED.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// [`WaitReason::code`] of every [`WaitReason::Other`].
pub(crate) const OTHER_CODE: u8 = u8::MAX;

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A handle that wakes one parked goroutine or thread (Go's `goready`
/// target). Cheap to clone; `Send + Sync`.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
/// gosched::Runtime::new().run(|| {
///     let done = Arc::new(AtomicBool::new(false));
///     let (me, d) = (gosched::park::current(), done.clone());
///     gosched::go(move || { d.store(true, Ordering::Release); me.unpark(); });
///     while !done.load(Ordering::Acquire) {
///         gosched::park(gosched::WaitReason::Other("example"));
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
    Goroutine(Arc<G>),
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Thread(t) => f.debug_tuple("Unparker::Thread").field(&t.id()).finish(),
            Inner::Goroutine(g) => f.debug_tuple("Unparker::Goroutine").field(&g.id).finish(),
        }
    }
}

impl Unparker {
    /// The unparker of goroutine `g`.
    pub(crate) fn of(g: Arc<G>) -> Unparker {
        Unparker {
            inner: Inner::Goroutine(g),
        }
    }

    /// Provides the wake-up token: the next (or current) [`park`] of the
    /// owner returns. Callable from any goroutine or thread.
    pub fn unpark(&self) {
        match &self.inner {
            Inner::Thread(t) => t.unpark(),
            Inner::Goroutine(g) => {
                if notify(g) {
                    crate::schedule::ready(Arc::clone(g));
                }
            }
        }
    }

    /// [`unpark`](Self::unpark), consuming the handle: a goroutine's
    /// reference moves into the run queue instead of being cloned there and
    /// dropped here (two atomic reference-count updates fewer per wake-up,
    /// as `std::task::Waker::wake` saves over `wake_by_ref`).
    ///
    /// ```
    /// gosched::Runtime::new().run(|| {
    ///     let me = gosched::park::current();
    ///     gosched::go(move || me.wake());
    ///     gosched::park(gosched::WaitReason::Other("test"));
    /// }).unwrap();
    /// ```
    pub fn wake(self) {
        match self.inner {
            Inner::Thread(t) => t.unpark(),
            Inner::Goroutine(g) => {
                if notify(&g) {
                    crate::schedule::ready(g);
                }
            }
        }
    }

    /// The goroutine id this unparker wakes (`None` for a thread).
    pub fn goid(&self) -> Option<u64> {
        match &self.inner {
            Inner::Thread(_) => None,
            Inner::Goroutine(g) => Some(g.id),
        }
    }
}

/// Leaves the wake-up token on `g`; true when `g` had committed a park, so
/// the caller must make it runnable.
fn notify(g: &G) -> bool {
    g.token.swap(TOKEN_NOTIFIED, Ordering::AcqRel) == TOKEN_PARKED
}

/// Go's `goready(gp)`: [`Unparker::unpark`] under Go's name.
pub fn ready(handle: &Unparker) {
    handle.unpark();
}

/// The [`Unparker`] of the calling goroutine, or of the calling OS thread.
pub fn current() -> Unparker {
    match crate::schedule::current_g() {
        Some(g) => Unparker::of(g),
        None => Unparker {
            inner: Inner::Thread(std::thread::current()),
        },
    }
}

/// Parks the caller until its token is provided (see the module docs). On
/// a goroutine only the goroutine blocks; its M runs others. The caller's
/// location is the goroutine's frame in deadlock dumps and leak reports.
///
/// ```
/// gosched::Runtime::new().run(|| {
///     let me = gosched::park::current();
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
    if !crate::schedule::park_current(reason, at) {
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
    match crate::schedule::current_g() {
        None => std::thread::park_timeout(timeout),
        Some(g) => {
            let at = Location::caller();
            let sched = Arc::clone(&g.sched);
            let timer = crate::time::wake_after(&sched, timeout, at, Unparker::of(g));
            park_at(reason, at);
            timer.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{OTHER_CODE, WaitReason};

    #[test]
    fn wait_reason_codes_round_trip() {
        for (i, &r) in WaitReason::FIXED.iter().enumerate() {
            assert_eq!(usize::from(r.code()), i + 1, "{r}");
            assert_eq!(WaitReason::from_code(r.code()), Some(r));
        }
        assert_eq!(WaitReason::Other("gate").code(), OTHER_CODE);
        assert_eq!(WaitReason::from_code(0), None);
        assert_eq!(WaitReason::from_code(OTHER_CODE), None);
    }
}
