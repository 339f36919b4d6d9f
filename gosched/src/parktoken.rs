//! The park token: `std::thread::park`'s wake-up protocol, moved onto a
//! goroutine. Go's `gopark` takes an `unlockf` that runs once the
//! goroutine is off its stack; the token replaces it, so a channel can
//! enqueue a waiter under its lock, drop the lock, and only then park,
//! without losing a wake-up that comes in between.
//!
//! One byte, three states:
//!
//! | state      | meaning                                                    |
//! |------------|------------------------------------------------------------|
//! | `EMPTY`    | no wake-up pending, the goroutine is not parked            |
//! | `NOTIFIED` | a wake-up arrived; the next park consumes it and returns   |
//! | `PARKED`   | the goroutine is off its M; whoever notifies must ready it |
//!
//! The protocol, in the order a park goes through it:
//! 1. The goroutine, on its stack, consumes a pending wake-up
//!    ([`take_notified`](ParkToken::take_notified)) and returns at once if
//!    there was one; else it switches to its M.
//! 2. The M, off the goroutine's stack, commits the park
//!    ([`commit_park`](ParkToken::commit_park): `EMPTY` → `PARKED`). If a
//!    wake-up came in between, the commit fails and the M runs the
//!    goroutine again right away.
//! 3. A waker sets `NOTIFIED` ([`notify`](ParkToken::notify)); if it
//!    replaced `PARKED`, the park had committed and the waker makes the
//!    goroutine runnable (exactly one waker sees `PARKED`).
//! 4. The goroutine, resumed, clears the token
//!    ([`clear_after_wake`](ParkToken::clear_after_wake)) and its caller
//!    re-checks the condition it waited for.

use std::sync::atomic::{AtomicU8, Ordering};

const EMPTY: u8 = 0;
const NOTIFIED: u8 = 1;
const PARKED: u8 = 2;

/// A goroutine's park token (see the module docs).
#[derive(Debug)]
pub(crate) struct ParkToken(AtomicU8);

impl ParkToken {
    pub(crate) const fn new() -> ParkToken {
        ParkToken(AtomicU8::new(EMPTY))
    }

    /// Step 1: consumes a pending wake-up. Reads first, so the common case
    /// (none pending) costs a load rather than a locked CAS.
    #[inline]
    pub(crate) fn take_notified(&self) -> bool {
        self.0.load(Ordering::Acquire) == NOTIFIED
            && self
                .0
                .compare_exchange(NOTIFIED, EMPTY, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    /// Step 2, on the M once the goroutine is off its stack: true when the
    /// park committed, false when a wake-up arrived meanwhile.
    #[inline]
    pub(crate) fn commit_park(&self) -> bool {
        self.0
            .compare_exchange(EMPTY, PARKED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Step 3: leaves the wake-up; true when the park had committed, so the
    /// caller must make the goroutine runnable.
    #[inline]
    pub(crate) fn notify(&self) -> bool {
        self.0.swap(NOTIFIED, Ordering::AcqRel) == PARKED
    }

    /// Step 4, on the goroutine once it runs again (woken, or its park did
    /// not commit): consumes the token.
    ///
    /// A swap, not a store: the caller re-checks its wake-up condition
    /// next, and a plain store could land after a concurrent
    /// [`notify`](Self::notify) (erasing its wake-up) while that re-check,
    /// reordered before the store, still read the condition as unmet: the
    /// goroutine would then park with nobody left to wake it. The swap
    /// either reads that notify's token (Acquire: the condition it
    /// published is visible to the re-check) or comes first (the token
    /// stays for the next park).
    #[inline]
    pub(crate) fn clear_after_wake(&self) {
        self.0.swap(EMPTY, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::ParkToken;

    #[test]
    fn a_wake_up_before_the_park_is_kept() {
        let t = ParkToken::new();
        assert!(!t.notify(), "nobody parked: no ready");
        assert!(t.take_notified());
        assert!(!t.take_notified(), "consumed once");
    }

    #[test]
    fn a_wake_up_between_switch_and_commit_fails_the_commit() {
        let t = ParkToken::new();
        assert!(!t.take_notified());
        assert!(!t.notify());
        assert!(!t.commit_park(), "the M runs the goroutine again");
        t.clear_after_wake();
        assert!(!t.take_notified());
    }

    #[test]
    fn a_committed_park_is_readied_by_exactly_one_waker() {
        let t = ParkToken::new();
        assert!(t.commit_park());
        assert!(t.notify(), "the first waker readies");
        assert!(!t.notify(), "a second one does not");
        t.clear_after_wake();
        assert!(t.commit_park(), "the next park commits again");
    }
}
