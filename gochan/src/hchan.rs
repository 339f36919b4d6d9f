//! The channel itself: Go's `hchan` (`runtime/chan.go`, Go 1.27) —
//! `makechan`, `chansend`, `chanrecv`, `send`, `recv`, `closechan`, `full`,
//! `empty`.
//!
//! One lock guards everything: the ring buffer (`buf`, `sendx`, `recvx`,
//! `qcount`, `dataqsiz`), `closed`, and both wait queues. `qcount`, `closed`
//! and the queue heads are atomics so `len` and failing non-blocking
//! operations can read them without the lock, as Go reads them with plain
//! word loads; they are only written under the lock.
//!
//! Invariants (Go's, from the top of `chan.go`): at least one of `sendq` and
//! `recvq` is empty, except for an unbuffered channel with one select
//! blocked on it for both directions; for buffered channels `qcount > 0`
//! implies `recvq` is empty and `qcount < dataqsiz` implies `sendq` is empty.
//! The `qcount` slots from `recvx` on (mod `dataqsiz`) are initialised.

use std::cell::UnsafeCell;
use std::fmt;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use gosched::park::{Unparker, WaitReason};

use crate::error::CloseError;
use crate::lock::Lock;
use crate::waitq::{Parker, Sudog, WAITING, WaitQ};

/// How long an operation may wait.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Block {
    /// Fail instead of waiting (`select` with `default`).
    No,
    /// Wait until done (or forever).
    Forever,
    /// Wait until the instant, then fail.
    Until(Instant),
}

/// Why a send did not happen; the value comes back.
#[derive(Debug)]
pub(crate) enum SendFail<T> {
    /// Would block (non-blocking) or timed out.
    NotReady(T),
    /// The channel is (or got, while we waited) closed.
    Closed(T),
}

/// Outcome of a send attempted under the lock.
pub(crate) enum SendPoll<T> {
    /// Done; wake this receiver after unlocking.
    Sent(Option<Unparker>),
    /// No room and no receiver.
    Full(T),
    /// Closed: the caller panics or reports, after unlocking.
    Closed(T),
}

/// Outcome of a receive attempted under the lock.
pub(crate) enum RecvPoll<T> {
    /// Got a value; wake this sender after unlocking.
    Got(T, Option<Unparker>),
    /// Closed and drained.
    Closed,
    /// Nothing to receive yet.
    Empty,
}

/// The ring buffer's cursors and storage, guarded by `HChan::lock`.
/// (`repr(C)`: the cursors, written on every buffered operation, come
/// first and end `HChan`'s first cache line; `buf`, only read, starts the
/// second.)
#[repr(C)]
struct Ring<T> {
    sendx: usize,
    recvx: usize,
    buf: Box<[MaybeUninit<T>]>,
}

/// Go's `hchan`.
///
/// Laid out by hand (`repr(C)`, 64-byte aligned) so that everything a send
/// or receive writes — the lock, `qcount`, the queue heads and the ring
/// cursors — shares one cache line, which the lock's acquisition brings to
/// the core with it; the read-only rest (`buf`'s pointer, `dataqsiz`) is on
/// the next line, and the `Arc`'s reference counts, written by every clone
/// of a handle, on the line before. Between goroutines on two cores each
/// operation then moves one line instead of two or three.
#[repr(C, align(64))]
pub(crate) struct HChan<T> {
    lock: Lock,
    closed: AtomicBool,
    /// Fed by a timer (`after`, `tick`): `len` and `cap` report 0, as Go
    /// 1.23+ reports for timer channels.
    timer: bool,
    qcount: AtomicUsize,
    pub(crate) recvq: WaitQ<T>,
    pub(crate) sendq: WaitQ<T>,
    ring: UnsafeCell<Ring<T>>,
    dataqsiz: usize,
}

// SAFETY: every `T` crosses threads by value (moved in by a sender, out by a
// receiver), so `T: Send` suffices; all shared mutable state (`ring`, the
// queues' cells, the sudogs they point to) is only accessed under `lock`.
unsafe impl<T: Send> Send for HChan<T> {}
// SAFETY: as above; `&HChan` only gives access to the locked state and to
// atomics.
unsafe impl<T: Send> Sync for HChan<T> {}

impl<T> HChan<T> {
    /// Go's `makechan`.
    pub(crate) fn new(cap: usize, timer: bool) -> HChan<T> {
        let buf: Box<[MaybeUninit<T>]> = Box::new_uninit_slice(cap);
        HChan {
            lock: Lock::new(),
            closed: AtomicBool::new(false),
            qcount: AtomicUsize::new(0),
            dataqsiz: cap,
            timer,
            ring: UnsafeCell::new(Ring {
                sendx: 0,
                recvx: 0,
                buf,
            }),
            recvq: WaitQ::new(),
            sendq: WaitQ::new(),
        }
    }

    /// Address used to order locks in `select` (Go's `hchan.sortkey`).
    #[inline]
    pub(crate) fn sortkey(&self) -> usize {
        std::ptr::from_ref(self).addr()
    }

    /// The lock itself, for `select`, which locks channels of different
    /// element types through one interface.
    #[inline]
    pub(crate) fn raw_lock(&self) -> &Lock {
        &self.lock
    }

    #[inline]
    pub(crate) fn lock(&self) {
        self.lock.lock();
    }

    /// # Safety
    /// The caller holds the lock (taken with [`HChan::lock`]).
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        // SAFETY: our caller holds the channel lock (this function's
        // contract), which is all `Lock::unlock` asks.
        unsafe { self.lock.unlock() };
    }

    /// `cap(ch)`.
    pub(crate) fn cap(&self) -> usize {
        if self.timer { 0 } else { self.dataqsiz }
    }

    /// `len(ch)`: a racy read, as in Go.
    pub(crate) fn len(&self) -> usize {
        if self.timer {
            0
        } else {
            self.qcount.load(Ordering::Relaxed)
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Go's `full`: would a send block? One racy word read.
    #[inline]
    pub(crate) fn full(&self) -> bool {
        if self.dataqsiz == 0 {
            self.recvq.is_empty_racy()
        } else {
            self.qcount.load(Ordering::Relaxed) == self.dataqsiz
        }
    }

    /// Go's `empty`: would a receive block? One racy word read.
    #[inline]
    pub(crate) fn empty(&self) -> bool {
        if self.dataqsiz == 0 {
            self.sendq.is_empty_racy()
        } else {
            self.qcount.load(Ordering::Relaxed) == 0
        }
    }

    /// # Safety
    /// The lock is held, and no other `&mut Ring` is live.
    #[inline]
    #[allow(clippy::mut_from_ref)] // the lock is what makes the borrow unique
    unsafe fn ring(&self) -> &mut Ring<T> {
        // SAFETY: the lock serialises all access to `ring`.
        unsafe { &mut *self.ring.get() }
    }

    /// Appends to the buffer (caller checked `qcount < dataqsiz`).
    ///
    /// # Safety
    /// The lock is held.
    #[inline]
    unsafe fn buf_push(&self, v: T) {
        // SAFETY: lock held.
        let ring = unsafe { self.ring() };
        ring.buf[ring.sendx].write(v);
        ring.sendx += 1;
        if ring.sendx == self.dataqsiz {
            ring.sendx = 0;
        }
        self.qcount
            .store(self.qcount.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Removes the buffer's head (caller checked `qcount > 0`).
    ///
    /// # Safety
    /// The lock is held and `qcount > 0`.
    #[inline]
    unsafe fn buf_pop(&self) -> T {
        // SAFETY: lock held.
        let ring = unsafe { self.ring() };
        // SAFETY: qcount > 0, so the slot at recvx is initialised (module
        // invariant); advancing recvx and decrementing qcount below marks it
        // uninitialised again, so it is read exactly once.
        let v = unsafe { ring.buf[ring.recvx].assume_init_read() };
        ring.recvx += 1;
        if ring.recvx == self.dataqsiz {
            ring.recvx = 0;
        }
        self.qcount
            .store(self.qcount.load(Ordering::Relaxed) - 1, Ordering::Relaxed);
        v
    }

    /// A send attempted under the lock (the non-parking half of Go's
    /// `chansend`, also `selectgo`'s send case).
    ///
    /// # Safety
    /// The lock is held.
    #[inline]
    pub(crate) unsafe fn poll_send(&self, v: T) -> SendPoll<T> {
        if self.closed.load(Ordering::Relaxed) {
            return SendPoll::Closed(v);
        }
        // SAFETY: lock held.
        if let Some(sg) = unsafe { self.recvq.dequeue() } {
            // Go's `send`: hand the value straight to the waiting receiver,
            // bypassing the buffer (which is empty: a receiver waits).
            // SAFETY: we dequeued `sg` under the lock we hold.
            unsafe { (*sg).put_elem(v) };
            // SAFETY: as above; we do not touch `sg` afterwards.
            return SendPoll::Sent(Some(unsafe { Sudog::complete(sg, true) }));
        }
        if self.qcount.load(Ordering::Relaxed) < self.dataqsiz {
            // SAFETY: lock held, room checked.
            unsafe { self.buf_push(v) };
            return SendPoll::Sent(None);
        }
        SendPoll::Full(v)
    }

    /// A receive attempted under the lock (the non-parking half of Go's
    /// `chanrecv`, also `selectgo`'s receive case).
    ///
    /// # Safety
    /// The lock is held.
    #[inline]
    pub(crate) unsafe fn poll_recv(&self) -> RecvPoll<T> {
        if self.closed.load(Ordering::Relaxed) {
            if self.qcount.load(Ordering::Relaxed) == 0 {
                return RecvPoll::Closed;
            }
        } else {
            // SAFETY: lock held.
            if let Some(sg) = unsafe { self.sendq.dequeue() } {
                // SAFETY: lock held, `sg` just dequeued.
                let (v, u) = unsafe { self.recv_from(sg) };
                return RecvPoll::Got(v, Some(u));
            }
        }
        if self.qcount.load(Ordering::Relaxed) > 0 {
            // SAFETY: lock held, qcount > 0.
            return RecvPoll::Got(unsafe { self.buf_pop() }, None);
        }
        RecvPoll::Empty
    }

    /// Go's `recv`: takes the value of the waiting sender `sg`. Unbuffered:
    /// straight from the sender. Buffered (and so full, since a sender
    /// waits): take the head of the buffer and move the sender's value into
    /// the freed tail slot, keeping FIFO order.
    ///
    /// # Safety
    /// The lock is held and `sg` was just dequeued from `sendq`.
    unsafe fn recv_from(&self, sg: *const Sudog<T>) -> (T, Unparker) {
        // SAFETY: dequeued under our lock: exclusive access until complete.
        let theirs = unsafe { (*sg).take_elem() }.expect("waiting sender carries a value");
        let v = if self.dataqsiz == 0 {
            theirs
        } else {
            // SAFETY: lock held.
            let ring = unsafe { self.ring() };
            // SAFETY: the buffer is full (a sender waits), so the head slot
            // is initialised; we read it out and refill it at once.
            let head = unsafe { ring.buf[ring.recvx].assume_init_read() };
            ring.buf[ring.recvx].write(theirs);
            ring.recvx += 1;
            if ring.recvx == self.dataqsiz {
                ring.recvx = 0;
            }
            ring.sendx = ring.recvx; // c.sendx = (c.sendx+1) % c.dataqsiz
            head
        };
        // SAFETY: `sg` was dequeued under our lock; not touched afterwards.
        (v, unsafe { Sudog::complete(sg, true) })
    }

    /// Go's `chansend` (without the nil-channel case, handled by callers).
    #[inline]
    pub(crate) fn send(&self, v: T, block: Block) -> Result<(), SendFail<T>> {
        // Fast path: a failing non-blocking send without the lock (see
        // `chansend`'s comment on why the two racy reads are enough).
        if matches!(block, Block::No) && !self.closed.load(Ordering::Relaxed) && self.full() {
            return Err(SendFail::NotReady(v));
        }
        self.lock();
        // SAFETY: lock held.
        match unsafe { self.poll_send(v) } {
            SendPoll::Sent(u) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                if let Some(u) = u {
                    u.wake();
                }
                Ok(())
            }
            SendPoll::Closed(v) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                Err(SendFail::Closed(v))
            }
            SendPoll::Full(back) => match block {
                Block::No => {
                    // SAFETY: we hold the lock.
                    unsafe { self.unlock() };
                    Err(SendFail::NotReady(back))
                }
                // SAFETY: we hold the lock.
                Block::Forever => unsafe { self.send_park(back, None) },
                // SAFETY: we hold the lock.
                Block::Until(t) => unsafe { self.send_park(back, Some(t)) },
            },
        }
    }

    /// The parking half of `chansend`: enqueue a sudog carrying `v`, unlock,
    /// park until a receiver takes `v` or the channel closes (or `deadline`).
    ///
    /// # Safety
    /// The lock is held; it is released before parking.
    #[cold]
    unsafe fn send_park(&self, v: T, deadline: Option<Instant>) -> Result<(), SendFail<T>> {
        let parker = Parker::current();
        let sg = Sudog::new(Some(v));
        sg.arm(&parker, false, 0);
        // SAFETY: lock held; `sg` stays in this frame until unlinked (below,
        // either by a counterpart before it publishes `selected`, or by us
        // under the lock on timeout).
        unsafe { self.sendq.enqueue(&sg) };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        tracing::trace!(chan = self.sortkey(), "chan send: parking");
        if !parker.wait(WaitReason::ChanSend, deadline) {
            self.lock();
            if parker.selected() == WAITING {
                // SAFETY: lock held; still linked in sendq (only a dequeue
                // under this lock unlinks it, and that publishes `selected`).
                unsafe { self.sendq.remove(&sg) };
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                // SAFETY: unlinked, nobody else can reach it.
                let v = unsafe { sg.take_elem() }.expect("unsent value is still there");
                return Err(SendFail::NotReady(v));
            }
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
        }
        if sg.success() {
            Ok(())
        } else {
            // Woken by close: Go panics `send on closed channel`; the value
            // never left us.
            // SAFETY: completed and unlinked: we own `sg` again.
            let v = unsafe { sg.take_elem() }.expect("unsent value is still there");
            Err(SendFail::Closed(v))
        }
    }

    /// Go's `chanrecv` (without the nil-channel case). `Ok(Some(v))`:
    /// received; `Ok(None)`: closed and drained; `Err(())`: would block or
    /// timed out.
    #[inline]
    pub(crate) fn recv(&self, block: Block) -> Result<Option<T>, ()> {
        // Closed: fall through to the locked path, which drains what a
        // racing sender may have left before the close.
        if matches!(block, Block::No) && self.empty() && !self.closed.load(Ordering::Acquire) {
            return Err(());
        }
        self.lock();
        // SAFETY: lock held.
        match unsafe { self.poll_recv() } {
            RecvPoll::Got(v, u) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                if let Some(u) = u {
                    u.wake();
                }
                Ok(Some(v))
            }
            RecvPoll::Closed => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                Ok(None)
            }
            RecvPoll::Empty => match block {
                Block::No => {
                    // SAFETY: we hold the lock.
                    unsafe { self.unlock() };
                    Err(())
                }
                // SAFETY: we hold the lock.
                Block::Forever => unsafe { self.recv_park(None) },
                // SAFETY: we hold the lock.
                Block::Until(t) => unsafe { self.recv_park(Some(t)) },
            },
        }
    }

    /// The parking half of `chanrecv`.
    ///
    /// # Safety
    /// The lock is held; it is released before parking.
    #[cold]
    unsafe fn recv_park(&self, deadline: Option<Instant>) -> Result<Option<T>, ()> {
        let parker = Parker::current();
        let sg = Sudog::new(None);
        sg.arm(&parker, false, 0);
        // SAFETY: as in `send_park`.
        unsafe { self.recvq.enqueue(&sg) };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        tracing::trace!(chan = self.sortkey(), "chan receive: parking");
        if !parker.wait(WaitReason::ChanReceive, deadline) {
            self.lock();
            if parker.selected() == WAITING {
                // SAFETY: lock held; still linked (see `send_park`).
                unsafe { self.recvq.remove(&sg) };
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                return Err(());
            }
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
        }
        if sg.success() {
            // SAFETY: completed and unlinked: we own `sg` again.
            let v = unsafe { sg.take_elem() }.expect("sender filled the slot");
            Ok(Some(v))
        } else {
            Ok(None)
        }
    }

    /// Go's `closechan`: mark closed, wake every waiting receiver (they see
    /// closed) and every waiting sender (they panic).
    pub(crate) fn close(&self) -> Result<(), CloseError> {
        self.lock();
        if self.closed.load(Ordering::Relaxed) {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            return Err(CloseError::Closed);
        }
        self.closed.store(true, Ordering::Release);
        let mut ready: Vec<Unparker> = Vec::new();
        // SAFETY: lock held; each dequeued sudog is completed before the next.
        while let Some(sg) = unsafe { self.recvq.dequeue() } {
            // SAFETY: just dequeued under our lock.
            ready.push(unsafe { Sudog::complete(sg, false) });
        }
        // SAFETY: as above.
        while let Some(sg) = unsafe { self.sendq.dequeue() } {
            // SAFETY: just dequeued under our lock.
            ready.push(unsafe { Sudog::complete(sg, false) });
        }
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        tracing::debug!(chan = self.sortkey(), woken = ready.len(), "close");
        for u in ready {
            u.wake();
        }
        Ok(())
    }

    /// Waiting senders and receivers (tests, debug output).
    pub(crate) fn waiters(&self) -> (usize, usize) {
        self.lock();
        // SAFETY: lock held.
        let n = unsafe { (self.sendq.len(), self.recvq.len()) };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        n
    }
}

impl<T> Drop for HChan<T> {
    fn drop(&mut self) {
        let n = *self.qcount.get_mut();
        let ring = self.ring.get_mut();
        for i in 0..n {
            let at = (ring.recvx + i) % self.dataqsiz;
            // SAFETY: the qcount slots from recvx on are initialised (module
            // invariant) and dropped exactly once, here.
            unsafe { ring.buf[at].assume_init_drop() };
        }
    }
}

impl<T> fmt::Debug for HChan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("hchan")
            .field("qcount", &self.qcount.load(Ordering::Relaxed))
            .field("dataqsiz", &self.dataqsiz)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_fields_share_the_first_cache_line() {
        use std::mem::{align_of, offset_of};
        assert_eq!(align_of::<HChan<u64>>(), 64);
        // lock, closed, timer, qcount, recvq, sendq, then the two cursors.
        let cursors_end = offset_of!(HChan<u64>, ring) + offset_of!(Ring<u64>, buf);
        assert!(cursors_end <= 64, "cursors end at byte {cursors_end}");
        assert!(offset_of!(HChan<u64>, sendq) < offset_of!(HChan<u64>, ring));
        assert!(offset_of!(HChan<u64>, dataqsiz) >= 64);
    }
}
