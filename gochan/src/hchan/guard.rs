//! What runs under a channel's lock: the guards of `hchan.rs`'s locks,
//! and Go's code that runs under `c.lock` (`runtime/chan.go`, Go 1.27:
//! `chansend` and `chanrecv` once locked, `send`, `recv`, `closechan`;
//! `runtime/select.go`: `selectgo`'s polls) as the methods of the guard
//! that holds it.
//!
//! | guard | holds | runs |
//! |---|---|---|
//! | [`Guard`] (any element type), [`Locked`] (its view of one channel) | the whole lock: Go's `c.lock` | the queues, [`Locked::poll_send`], [`Locked::poll_recv`], Go's `recv` and `closechan` |
//! | [`SendHalf`], [`RecvHalf`] | one half of a split lock | the buffered fast paths |
//!
//! A guard releases its lock when dropped. Where Go unlocks before it
//! readies a goroutine or panics, the caller drops the guard first.

use std::fmt;
use std::marker::PhantomData;

use super::{HChan, RecvPoll, SendPoll};
use crate::error::CloseError;
use crate::lock::{SleepGuard, SpinGuard};
use crate::sync::{Ordering, Unparker};
use crate::waitq::{LockedQ, Waiter};

impl<T> HChan<T> {
    /// Go's `lock(&c.lock)`: the whole channel (both halves of a buffered
    /// one, send half first), until the guard is dropped.
    #[inline]
    pub(crate) fn lock(&self) -> Guard<'_> {
        let held = if self.split() {
            let send = self.send.lock.lock();
            let recv = self.recv.lock.lock();
            Held::Halves {
                _recv: recv,
                _send: send,
            }
        } else {
            Held::Whole {
                _lock: self.lock.lock(),
            }
        };
        Guard {
            key: self.sortkey(),
            _held: held,
        }
    }

    /// The send half of a split channel's lock; `None` if unsplit.
    #[inline]
    pub(super) fn send_half(&self) -> Option<SendHalf<'_, T>> {
        self.split().then(|| SendHalf {
            chan: self,
            _held: self.send.lock.lock(),
        })
    }

    /// The receive half of a split channel's lock; `None` if unsplit.
    #[inline]
    pub(super) fn recv_half(&self) -> Option<RecvHalf<'_, T>> {
        self.split().then(|| RecvHalf {
            chan: self,
            _held: self.recv.lock.lock(),
        })
    }
}

/// Go's `c.lock` held on one channel, whatever its element type (so that
/// `select` can hold the locks of channels of several types at once);
/// released when dropped. [`Guard::of`] gives the operations that run
/// under it.
///
/// Neither `Send` nor `Sync`, as the lock guards it is made of: the thread
/// that locked is the one that uses the channel's locked state, and
/// unlocks. So are [`Locked`], [`SendHalf`] and [`RecvHalf`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub(crate) struct Guard<'a> {
    /// The locked channel's `sortkey`.
    key: usize,
    _held: Held<'a>,
}

/// The lock guards a [`Guard`] is made of.
enum Held<'a> {
    /// Both halves of a split channel's lock. Fields drop in order: the
    /// receive half is released first, the reverse of locking.
    Halves {
        _recv: SpinGuard<'a>,
        _send: SpinGuard<'a>,
    },
    /// The one lock of an unsplit channel.
    Whole { _lock: SleepGuard<'a> },
}

impl<'a> Guard<'a> {
    /// The locked channel's `sortkey`.
    #[inline]
    pub(crate) fn key(&self) -> usize {
        self.key
    }

    /// `chan`, with this guard's lock held: Go's code under `c.lock`.
    ///
    /// # Panics
    /// If this guard does not lock `chan` (a bug in the caller).
    #[inline]
    pub(crate) fn of<'g, T>(&'g self, chan: &'g HChan<T>) -> Locked<'g, T> {
        assert_eq!(self.key, chan.sortkey(), "a guard of another channel");
        Locked {
            chan,
            _guard: PhantomData,
        }
    }
}

impl fmt::Debug for Guard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("chan", &self.key)
            .finish_non_exhaustive()
    }
}

/// A channel whose whole lock is held (borrowed from its [`Guard`]): the
/// parts of Go's `chansend`, `chanrecv`, `closechan` and `selectgo` that
/// run under `c.lock`.
pub(crate) struct Locked<'g, T> {
    chan: &'g HChan<T>,
    /// Lives no longer than the guard; neither `Send` nor `Sync`, as it.
    _guard: PhantomData<&'g Guard<'g>>,
}

impl<'g, T> Locked<'g, T> {
    /// The receive wait queue, to change.
    #[inline]
    pub(crate) fn recvq(&self) -> LockedQ<'g, T> {
        // SAFETY: the whole lock is held for `'g` (this view borrows its
        // guard).
        unsafe { self.chan.recvq.locked() }
    }

    /// The send wait queue, to change.
    #[inline]
    pub(crate) fn sendq(&self) -> LockedQ<'g, T> {
        // SAFETY: as in `recvq`.
        unsafe { self.chan.sendq.locked() }
    }

    /// A send (the non-parking half of Go's `chansend`, also `selectgo`'s
    /// send case): moves the value at `src` to a waiting receiver or into
    /// the buffer.
    ///
    /// # Safety
    /// `src` holds a value, which the caller gives up (must not drop or
    /// use again) if this returns `Sent`.
    // Always inline: `chansend`'s locked path is this and the lock, and a
    // call would cost as much as the work.
    #[inline(always)]
    pub(crate) unsafe fn poll_send(&self, src: *const T) -> SendPoll {
        let c = self.chan;
        if c.closed.load(Ordering::Relaxed) {
            return SendPoll::Closed;
        }
        if let Some(receiver) = self.recvq().dequeue() {
            // Go's `send`: hand the value straight to the waiting receiver,
            // bypassing the buffer (which is empty: a receiver waits).
            // SAFETY: a receiver's sudog (from `recvq`); `src` per our
            // contract.
            unsafe { receiver.send_direct(src) };
            return SendPoll::Sent(Some(receiver.complete(true)));
        }
        let (send, recv) = c.cursors();
        // SAFETY: the whole lock is held, and these are its cursors; `src`
        // per our contract.
        if unsafe { c.slots.push_locked(send, recv, src) } {
            SendPoll::Sent(None)
        } else {
            SendPoll::Full
        }
    }

    /// A receive (the non-parking half of Go's `chanrecv`, also
    /// `selectgo`'s receive case): moves a value into `dst`.
    ///
    /// # Safety
    /// `dst` is valid for a write of one `T` and holds no value; it holds
    /// one afterwards if this returns `Got`.
    // Always inline, as `poll_send`.
    #[inline(always)]
    pub(crate) unsafe fn poll_recv(&self, dst: *mut T) -> RecvPoll {
        let c = self.chan;
        let closed = c.closed.load(Ordering::Relaxed);
        if !closed {
            if let Some(sender) = self.sendq().dequeue() {
                // SAFETY: a sender just dequeued; `dst` forwarded.
                let u = unsafe { self.recv_from(sender, dst) };
                return RecvPoll::Got(Some(u));
            }
        }
        let (send, recv) = c.cursors();
        // SAFETY: the whole lock is held, and these are its cursors; `dst`
        // forwarded.
        if unsafe { c.slots.pop_locked(send, recv, dst) } {
            RecvPoll::Got(None)
        } else if closed {
            // Go: closed and `qcount == 0`.
            RecvPoll::Closed
        } else {
            RecvPoll::Empty
        }
    }

    /// Go's `recv`: takes the value of the waiting `sender`. Unbuffered:
    /// straight from the sender. Buffered (and so full, since a sender
    /// waits): take the head of the buffer and move the sender's value into
    /// the freed tail slot, keeping FIFO order.
    ///
    /// # Safety
    /// `sender` was dequeued from `sendq`; `dst` as for
    /// [`Locked::poll_recv`].
    unsafe fn recv_from(&self, sender: Waiter<'g, T>, dst: *mut T) -> Unparker {
        let c = self.chan;
        if c.dataqsiz == 0 {
            // SAFETY: a sender's sudog, completed with success below; `dst`
            // forwarded.
            unsafe { sender.recv_direct(dst) };
        } else {
            let (send, recv) = c.cursors();
            // SAFETY: the whole lock is held (these are its cursors), and
            // the buffer is full (a sender waits: `chan.go`'s invariants,
            // at the top of `hchan.rs`); the sender gives its value up (it
            // completes with success); `dst` forwarded.
            unsafe { c.slots.rotate(send, recv, dst, sender.sender_value()) };
        }
        sender.complete(true)
    }

    /// The part of Go's `closechan` under the lock: mark closed and release
    /// every waiting party into `ready`, for the caller to wake after
    /// unlocking.
    #[inline]
    pub(super) fn close(&self, ready: &mut Vec<Unparker>) -> Result<(), CloseError> {
        let c = self.chan;
        if c.closed.load(Ordering::Relaxed) {
            return Err(CloseError::Closed);
        }
        c.closed.store(true, Ordering::Release);
        while let Some(receiver) = self.recvq().dequeue() {
            ready.push(receiver.complete(false));
        }
        while let Some(sender) = self.sendq().dequeue() {
            ready.push(sender.complete(false));
        }
        Ok(())
    }
}

/// The send half of a split channel's lock, held (see [`HChan`]): the
/// buffered send that needs no more; released when dropped.
pub(super) struct SendHalf<'a, T> {
    chan: &'a HChan<T>,
    _held: SpinGuard<'a>,
}

impl<T> SendHalf<'_, T> {
    /// The buffered send of Go's `chansend`: moves the value at `src` into
    /// the buffer when no receiver waits, the channel is open and there is
    /// room. `Full` also means "a receiver waits: ask again under the
    /// whole lock".
    ///
    /// # Safety
    /// `src` as for [`Locked::poll_send`].
    #[inline]
    pub(super) unsafe fn send(&self, src: *const T) -> SendPoll {
        let c = self.chan;
        // `closed` and `recvq` change only under the whole lock, which
        // includes the half we hold: stable until we release it.
        if c.closed.load(Ordering::Relaxed) {
            return SendPoll::Closed;
        }
        // The re-check that keeps a send from buffering past a parked
        // receiver (which would then wait forever beside a value): left
        // out under `--cfg 'loom_planted_bug="no_recheck"'` for the loom
        // models.
        #[cfg(not(loom_planted_bug = "no_recheck"))]
        if !c.recvq.is_empty() {
            return SendPoll::Full;
        }
        // SAFETY: we hold the send half of a split (so stamped) channel,
        // and `send.cursor` is the cursor it guards; `src` per our
        // contract.
        if unsafe { c.slots.push(&c.send.cursor, src) } {
            SendPoll::Sent(None)
        } else {
            SendPoll::Full
        }
    }
}

/// The receive half of a split channel's lock, held: the buffered receive
/// that needs no more; released when dropped.
pub(super) struct RecvHalf<'a, T> {
    chan: &'a HChan<T>,
    _held: SpinGuard<'a>,
}

impl<T> RecvHalf<'_, T> {
    /// The buffered receive of Go's `chanrecv`: moves the next buffered
    /// value into `dst` when no sender waits. `false` when the whole lock
    /// is needed (a sender waits, or nothing buffered: perhaps closed).
    ///
    /// # Safety
    /// `dst` as for [`Locked::poll_recv`].
    #[inline]
    pub(super) unsafe fn recv(&self, dst: *mut T) -> bool {
        let c = self.chan;
        // `sendq` changes only under the whole lock (see `SendHalf::send`).
        // SAFETY: we hold the receive half of a split (so stamped)
        // channel, and `recv.cursor` is the cursor it guards; `dst` per our
        // contract.
        c.sendq.is_empty() && unsafe { c.slots.pop(&c.recv.cursor, dst) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles only if `$t` is neither `Send` nor `Sync` (the trick of
    /// `static_assertions::assert_not_impl_any!`: with two blanket impls
    /// applying, the call below is ambiguous).
    macro_rules! assert_not_send_nor_sync {
        ($($t:ty),* $(,)?) => {$({
            trait AmbiguousIfImpl<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
            struct IfSend;
            impl<T: ?Sized + Send> AmbiguousIfImpl<IfSend> for T {}
            struct IfSync;
            impl<T: ?Sized + Sync> AmbiguousIfImpl<IfSync> for T {}
            let _ = <$t as AmbiguousIfImpl<_>>::some_item;
        })*};
    }

    #[test]
    fn what_a_lock_guards_stays_on_the_thread_that_locked_it() {
        assert_not_send_nor_sync!(
            Guard<'static>,
            Locked<'static, u64>,
            SendHalf<'static, u64>,
            RecvHalf<'static, u64>,
            LockedQ<'static, u64>,
            Waiter<'static, u64>,
        );
    }
}
