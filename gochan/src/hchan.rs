//! The channel itself: Go's `hchan` (`runtime/chan.go`, Go 1.27) —
//! `makechan`, `chansend`, `chanrecv`, `send`, `recv`, `closechan`, `full`,
//! `empty`.
//!
//! Go's one lock guards everything: the buffer, `closed`, both wait queues.
//! Here a buffered channel's lock is two halves, send and receive, and
//! holding both is holding Go's lock (see [`HChan`]); the buffer is in
//! `ring.rs`. `closed` and the queue heads are atomics so `len` and failing
//! non-blocking operations can read them without a lock, as Go reads them
//! with plain word loads; they are only written under the whole lock.
//!
//! A lock is held by a guard, released when the guard is dropped, and the
//! operations that need a lock are the methods of its guard (`guard.rs`):
//! the code that unlocks is the end of a guard's scope.
//!
//! Values move by pointer, as Go's `ep` (see `elem.rs`): a send gets a
//! `*const T` to a value its caller gives up once the send succeeds, a
//! receive a `*mut T` destination, and each hand-off is one copy.
//!
//! Invariants (Go's, from the top of `chan.go`), whenever the whole lock is
//! free: at least one of `sendq` and `recvq` is empty, except for an
//! unbuffered channel with one select blocked on it for both directions;
//! for buffered channels a non-empty buffer implies `recvq` is empty and a
//! buffer with room implies `sendq` is empty.

use std::fmt;
use std::time::Instant;

use gosched::WaitReason;

use crate::error::CloseError;
use crate::lock::{SleepLock, SpinLock};
use crate::ring::{Cursor, Slots};
use crate::sync::{AtomicBool, Ordering, Unparker};
use crate::waitq::{Parker, Sudog, WAITING, WaitQ};

mod guard;
#[cfg(all(test, loom))]
mod loom_models;

pub(crate) use guard::{Guard, Locked};

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

/// Why a send did not happen (the value stays with the sender).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SendFail {
    /// Would block (non-blocking) or timed out.
    NotReady,
    /// The channel is (or got, while we waited) closed.
    Closed,
}

/// How a receive that did not fail ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Received {
    /// A value was moved into the destination.
    Value,
    /// Closed and drained: the destination is untouched.
    Closed,
}

/// Outcome of a send attempted under the lock.
pub(crate) enum SendPoll {
    /// Done (the value was moved out); wake this receiver after unlocking
    /// (Go's `goready` follows `unlock`).
    Sent(Option<Unparker>),
    /// No room and no receiver.
    Full,
    /// Closed: the caller panics or reports, after unlocking.
    Closed,
}

/// Outcome of a receive attempted under the lock.
pub(crate) enum RecvPoll {
    /// A value was moved into the destination; wake this sender after
    /// unlocking.
    Got(Option<Unparker>),
    /// Closed and drained.
    Closed,
    /// Nothing to receive yet.
    Empty,
}

/// The smallest buffer whose lock is split in two halves (see [`HChan`]).
pub(crate) const SPLIT_MIN_CAP: usize = 2;

/// One half of a buffered channel's lock, with the cursor it guards, on
/// a cache-line pair of its own (128 bytes: x86's adjacent-line prefetcher
/// moves lines in pairs, so 64 would let the halves share traffic).
#[repr(C, align(128))]
#[derive(Debug, Default)]
struct Half {
    lock: SpinLock,
    cursor: Cursor,
}

/// Go's `hchan`, with the lock of a buffered channel split in two.
///
/// Go's `c.lock` guards everything. Here, for a buffered channel, it is two
/// locks, always taken send half first: holding both is holding Go's
/// `c.lock`, and every path of Go's code runs that way (`close`, `select`,
/// every operation that finds a party waiting or has to wait). The halves
/// add fast paths Go does not have: a buffered send with nobody waiting to
/// receive runs under the send half alone, a buffered receive with no
/// sender waiting under the receive half alone, so a sender and a receiver
/// on two cores do not take turns on one lock (see `ring.rs` for the
/// buffer). The rules they rely on:
///
/// - The wait queues and `closed` change only under the whole lock, so
///   under either half they are stable: a fast path that finds its own
///   conditions met (the other side's queue empty, not closed) is right
///   for as long as it holds its half, and no one is passed in the queue:
///   with receivers waiting the buffer is empty, so a send goes to the
///   whole-lock path and hands its value to the first of them; with
///   senders waiting the buffer is full, so a receive goes there too and
///   moves the first one's value into the freed slot (Go's `recv`).
/// - "Nothing to do, so wait" is only concluded under the whole lock, when
///   no fast path can be half-way through.
///
/// Channels below [`SPLIT_MIN_CAP`] are not split: an unbuffered one has
/// no buffer for halves to share, and a one-slot buffer is nearly always
/// full or empty, so its operations would take the whole lock anyway and
/// the halves would only add a lock and lines. Their whole lock is the
/// single `lock` on the first cache line, beside the queues and (for
/// capacity 1) the cursors `sendx`/`recvx`: everything such an operation
/// writes is on that one line, as in Go's `hchan`.
///
/// Layout (`repr(C)`, 128-byte aligned): the first line holds what the
/// fast paths only read (`closed`, the queue heads, `dataqsiz`) and what
/// only an unsplit channel or a waiting party writes; each half has its own
/// pair of lines; the `Arc`'s reference counts, written by every clone of a
/// handle, are on the line before.
#[repr(C, align(128))]
pub(crate) struct HChan<T> {
    /// The whole lock of an unsplit channel (unused when split).
    lock: SleepLock,
    closed: AtomicBool,
    /// Fed by a timer (`after`, `tick`): `len` and `cap` report 0, as Go
    /// 1.23+ reports for timer channels.
    timer: bool,
    /// The cursors of an unsplit buffer, on the line of the lock that
    /// guards them (unused when split or unbuffered).
    sendx: Cursor,
    recvx: Cursor,
    recvq: WaitQ<T>,
    sendq: WaitQ<T>,
    dataqsiz: usize,
    slots: Slots<T>,
    send: Half,
    recv: Half,
    /// Under loom, the order the channel was made in: `select`'s lock order.
    /// Addresses change from one of loom's executions to the next, and an
    /// execution that takes locks in another order is not the one loom is
    /// replaying ("Is the model fully deterministic?").
    #[cfg(loom)]
    made: usize,
}

/// How many channels were made under loom (see [`HChan::sortkey`]): a std
/// counter, outside the model, so it only orders, never synchronises.
#[cfg(loom)]
static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every `T` crosses threads by value (moved in by a sender, out by a
// receiver), so `T: Send` suffices; all shared mutable state (the cursors,
// the slots, the queues' cells, the sudogs they point to) is only accessed
// through a guard of the lock that guards it ([`Guard`], [`SendHalf`],
// [`RecvHalf`]; see `HChan` and `ring.rs`), on the thread that holds it.
unsafe impl<T: Send> Send for HChan<T> {}
// SAFETY: as above; `&HChan` only gives access to state behind guards and to
// atomics.
unsafe impl<T: Send> Sync for HChan<T> {}

/// The start of a channel operation, a schedule point in Go (an
/// asynchronous preemption may stop the goroutine here): with gosched's
/// chaos schedule (the `chaos` feature), it now and then yields here, with
/// no lock held. Nothing without the feature.
#[inline(always)]
pub(crate) fn chaos_point() {
    if gosched::chaos::roll() {
        gosched::yield_now();
    }
}

impl<T> HChan<T> {
    /// Go's `makechan`.
    pub(crate) fn new(cap: usize, timer: bool) -> HChan<T> {
        HChan {
            lock: SleepLock::new(),
            closed: AtomicBool::new(false),
            timer,
            sendx: Cursor::default(),
            recvx: Cursor::default(),
            recvq: WaitQ::new(),
            sendq: WaitQ::new(),
            slots: Slots::new(cap, cap >= SPLIT_MIN_CAP),
            dataqsiz: cap,
            send: Half::default(),
            recv: Half::default(),
            #[cfg(loom)]
            made: MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Address used to order locks in `select` (Go's `hchan.sortkey`);
    /// under loom, the order of making, which every execution replays.
    #[inline]
    pub(crate) fn sortkey(&self) -> usize {
        #[cfg(loom)]
        return self.made;
        #[cfg(not(loom))]
        std::ptr::from_ref(self).addr()
    }

    /// Whether the lock is split in halves (buffered, at least
    /// [`SPLIT_MIN_CAP`]); `dataqsiz` shares the first line with the
    /// unsplit lock, so this costs no extra line.
    #[inline]
    fn split(&self) -> bool {
        self.dataqsiz >= SPLIT_MIN_CAP
    }

    /// The send and receive cursors: the halves' when split, else the pair
    /// beside the one lock.
    #[inline]
    fn cursors(&self) -> (&Cursor, &Cursor) {
        if self.split() {
            (&self.send.cursor, &self.recv.cursor)
        } else {
            (&self.sendx, &self.recvx)
        }
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
            let (send, recv) = self.cursors();
            self.slots.len(send, recv)
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Go's `full`: would a send block? Racy word reads.
    #[inline]
    pub(crate) fn full(&self) -> bool {
        if self.dataqsiz == 0 {
            self.recvq.is_empty()
        } else {
            let (send, recv) = self.cursors();
            self.slots.was_full(send, recv)
        }
    }

    /// Go's `empty`: would a receive block? Racy word reads.
    #[inline]
    pub(crate) fn empty(&self) -> bool {
        if self.dataqsiz == 0 {
            self.sendq.is_empty()
        } else {
            let (send, recv) = self.cursors();
            self.slots.len(send, recv) == 0
        }
    }

    /// Whether a send would not wait: there is a receiver or room, or the
    /// channel is closed (the send then panics). Racy word reads, as
    /// `selectgo` polls a send case: `c.closed != 0 || !full(c)`.
    #[inline]
    pub(crate) fn send_ready(&self) -> bool {
        !self.full() || self.closed.load(Ordering::Relaxed)
    }

    /// Whether a receive would not wait: there is a sender or a buffered
    /// value, or the channel is closed. Racy word reads, as `selectgo`
    /// polls a receive case: `!empty(c) || c.closed != 0`.
    #[inline]
    pub(crate) fn recv_ready(&self) -> bool {
        !self.empty() || self.closed.load(Ordering::Relaxed)
    }

    /// Closed, and nothing left to receive: the lock-free test of Go's
    /// `chanrecv` (`closed` read first, then `empty`). Once true it stays
    /// true: `closed` is never undone, no send completes after the close
    /// (the Acquire pairs with the close's Release, which every completed
    /// send happened before), and a closed channel has no waiting senders.
    #[inline]
    fn closed_and_drained(&self) -> bool {
        self.closed.load(Ordering::Acquire) && self.empty()
    }

    /// A send attempted under as little of the lock as will do (the
    /// first try of `select`'s fast path): the send half of a split lock,
    /// else the whole lock. `Full` may also mean "a receiver waits: ask
    /// again under the whole lock".
    ///
    /// # Safety
    /// `src` as for [`Locked::poll_send`].
    pub(crate) unsafe fn poll_send_alone(&self, src: *const T) -> SendPoll {
        if let Some(half) = self.send_half() {
            // SAFETY: `src` forwarded.
            return unsafe { half.send(src) };
        }
        let guard = self.lock();
        // SAFETY: `src` forwarded.
        unsafe { guard.of(self).poll_send(src) }
    }

    /// The receiving twin of [`HChan::poll_send_alone`]; `Empty` may also
    /// mean "a sender waits: ask again under the whole lock".
    ///
    /// # Safety
    /// `dst` as for [`Locked::poll_recv`].
    pub(crate) unsafe fn poll_recv_alone(&self, dst: *mut T) -> RecvPoll {
        if let Some(half) = self.recv_half() {
            // SAFETY: `dst` forwarded.
            let got = unsafe { half.recv(dst) };
            drop(half);
            return if got {
                RecvPoll::Got(None)
            } else if self.closed_and_drained() {
                RecvPoll::Closed
            } else {
                RecvPoll::Empty
            };
        }
        let guard = self.lock();
        // SAFETY: `dst` forwarded.
        unsafe { guard.of(self).poll_recv(dst) }
    }

    /// Go's `chansend` (without the nil-channel case, handled by callers):
    /// moves the value at `src` into the channel.
    ///
    /// # Safety
    /// `src` holds a value and stays valid until this returns (a parked
    /// sender's value is read by its receiver); on `Ok` the caller has
    /// given it up and must not drop or use it again; on `Err` it is
    /// untouched.
    // Always inline, whole-lock path included (only parking is out of
    // line), so that no operation makes a call before it parks: with the
    // whole-lock path out of line that call cost ~30 instructions an
    // operation between goroutines (registers saved and restored), and
    // with plain `#[inline]` the compiler left `send` itself out of line,
    // costing the half-lock fast path as much (callgrind, README).
    #[inline(always)]
    pub(crate) unsafe fn send(&self, src: *const T, block: Block) -> Result<(), SendFail> {
        chaos_point();
        // Fast path: a failing non-blocking send without the lock (see
        // `chansend`'s comment on why the two racy reads are enough).
        if matches!(block, Block::No) && !self.closed.load(Ordering::Relaxed) && self.full() {
            return Err(SendFail::NotReady);
        }
        if let Some(half) = self.send_half() {
            // SAFETY: `src` forwarded.
            match unsafe { half.send(src) } {
                SendPoll::Sent(_) => return Ok(()),
                SendPoll::Closed => return Err(SendFail::Closed),
                SendPoll::Full => {}
            }
        }
        // SAFETY: `src` forwarded.
        unsafe { self.send_locked(src, block) }
    }

    /// [`HChan::send`] under the whole lock: to a waiting receiver, into
    /// the buffer, or park.
    ///
    /// # Safety
    /// As [`HChan::send`].
    #[inline]
    unsafe fn send_locked(&self, src: *const T, block: Block) -> Result<(), SendFail> {
        let guard = self.lock();
        // SAFETY: `src` forwarded.
        match unsafe { guard.of(self).poll_send(src) } {
            SendPoll::Sent(u) => {
                drop(guard);
                if let Some(u) = u {
                    u.unpark();
                }
                Ok(())
            }
            // Unlocked on return, before the caller panics (Go's order).
            SendPoll::Closed => Err(SendFail::Closed),
            SendPoll::Full => match block {
                Block::No => Err(SendFail::NotReady),
                // SAFETY: `src` forwarded.
                Block::Forever => unsafe { self.send_park(guard, src, None) },
                // SAFETY: as above.
                Block::Until(t) => unsafe { self.send_park(guard, src, Some(t)) },
            },
        }
    }

    /// The parking half of `chansend`: enqueue a sudog pointing at the value,
    /// unlock, park until a receiver takes it or the channel closes (or
    /// `deadline`).
    ///
    /// # Safety
    /// `guard` is this channel's; `src` as for [`HChan::send`].
    // Out of line: parking is the slow path, and `send` is inlined into
    // every caller.
    #[cold]
    #[inline(never)]
    unsafe fn send_park(
        &self,
        guard: Guard<'_>,
        src: *const T,
        deadline: Option<Instant>,
    ) -> Result<(), SendFail> {
        let parker = Parker::current();
        let sg = Sudog::new();
        // The receiver only reads through the pointer (moves the value out).
        sg.arm(&parker, false, 0, src.cast_mut());
        // SAFETY: `sg` and `parker` stay in this frame until `sg` is
        // unlinked (below, either by a counterpart before it publishes
        // `selected`, or by us on timeout), and `src` outlives this call.
        unsafe { guard.of(self).sendq().enqueue(&sg) };
        drop(guard);
        tracing::trace!(chan = self.sortkey(), "chan send: parking");
        if !parker.wait(WaitReason::ChanSend, deadline) {
            let guard = self.lock();
            if parker.selected() == WAITING {
                // Still linked: only a dequeue under this lock unlinks it,
                // and that publishes `selected`.
                guard.of(self).sendq().remove(&sg);
                return Err(SendFail::NotReady);
            }
        }
        if sg.success() {
            Ok(())
        } else {
            // Woken by close: Go panics `send on closed channel`; the value
            // never left us.
            Err(SendFail::Closed)
        }
    }

    /// Go's `chanrecv` (without the nil-channel case): moves a value into
    /// `dst`. `Err(())`: would block or timed out.
    ///
    /// # Safety
    /// `dst` is valid for a write of one `T`, holds no value, and stays
    /// valid until this returns (a parked receiver's destination is written
    /// by its sender); it holds a value afterwards iff this returns
    /// `Ok(Received::Value)`.
    // Always inline, as `send`.
    #[inline(always)]
    pub(crate) unsafe fn recv(&self, dst: *mut T, block: Block) -> Result<Received, ()> {
        chaos_point();
        // Go's lock-free paths for a non-blocking receive: nothing there
        // and open fails; nothing there and closed reports closed.
        if matches!(block, Block::No) && self.empty() {
            if !self.closed.load(Ordering::Acquire) {
                return Err(());
            }
            if self.empty() {
                return Ok(Received::Closed);
            }
        }
        if let Some(half) = self.recv_half() {
            // SAFETY: `dst` forwarded.
            if unsafe { half.recv(dst) } {
                return Ok(Received::Value);
            }
        }
        // SAFETY: `dst` forwarded.
        unsafe { self.recv_locked(dst, block) }
    }

    /// [`HChan::recv`] under the whole lock: from a waiting sender, from
    /// the buffer, closed, or park.
    ///
    /// # Safety
    /// As [`HChan::recv`].
    #[inline]
    unsafe fn recv_locked(&self, dst: *mut T, block: Block) -> Result<Received, ()> {
        let guard = self.lock();
        // SAFETY: `dst` forwarded.
        match unsafe { guard.of(self).poll_recv(dst) } {
            RecvPoll::Got(u) => {
                drop(guard);
                if let Some(u) = u {
                    u.unpark();
                }
                Ok(Received::Value)
            }
            RecvPoll::Closed => Ok(Received::Closed),
            RecvPoll::Empty => match block {
                Block::No => Err(()),
                // SAFETY: `dst` forwarded.
                Block::Forever => unsafe { self.recv_park(guard, dst, None) },
                // SAFETY: as above.
                Block::Until(t) => unsafe { self.recv_park(guard, dst, Some(t)) },
            },
        }
    }

    /// The parking half of `chanrecv`: a sender moves its value straight
    /// into `dst`.
    ///
    /// # Safety
    /// `guard` is this channel's; `dst` as for [`HChan::recv`].
    // Out of line, as `send_park`.
    #[cold]
    #[inline(never)]
    unsafe fn recv_park(
        &self,
        guard: Guard<'_>,
        dst: *mut T,
        deadline: Option<Instant>,
    ) -> Result<Received, ()> {
        let parker = Parker::current();
        let sg = Sudog::new();
        sg.arm(&parker, false, 0, dst);
        // SAFETY: as in `send_park`.
        unsafe { guard.of(self).recvq().enqueue(&sg) };
        drop(guard);
        tracing::trace!(chan = self.sortkey(), "chan receive: parking");
        if !parker.wait(WaitReason::ChanReceive, deadline) {
            let guard = self.lock();
            if parker.selected() == WAITING {
                // Still linked (see `send_park`).
                guard.of(self).recvq().remove(&sg);
                return Err(());
            }
        }
        Ok(if sg.success() {
            Received::Value
        } else {
            Received::Closed
        })
    }

    /// Go's `closechan`: mark closed, wake every waiting receiver (they see
    /// closed) and every waiting sender (they panic), after unlocking.
    pub(crate) fn close(&self) -> Result<(), CloseError> {
        let mut ready = Vec::new();
        let guard = self.lock();
        guard.of(self).close(&mut ready)?;
        drop(guard);
        tracing::debug!(chan = self.sortkey(), woken = ready.len(), "close");
        for u in ready {
            u.unpark();
        }
        Ok(())
    }

    /// Waiting senders and receivers (tests, debug output).
    pub(crate) fn waiters(&self) -> (usize, usize) {
        let guard = self.lock();
        let locked = guard.of(self);
        (locked.sendq().len(), locked.recvq().len())
    }
}

impl<T> Drop for HChan<T> {
    fn drop(&mut self) {
        let (send, recv) = if self.split() {
            (&mut self.send.cursor, &mut self.recv.cursor)
        } else {
            (&mut self.sendx, &mut self.recvx)
        };
        self.slots.drop_values(send, recv);
    }
}

impl<T> fmt::Debug for HChan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("hchan")
            .field("qcount", &self.len())
            .field("dataqsiz", &self.dataqsiz)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn each_side_writes_its_own_cache_lines() {
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(align_of::<HChan<u64>>(), 128);
        // The first line: all an unsplit channel's operations write (its
        // lock, cursors and queues) and what every path reads first;
        // then one 128-byte pair per half.
        assert!(offset_of!(HChan<u64>, sendx) < 64);
        assert!(offset_of!(HChan<u64>, recvx) < 64);
        assert!(offset_of!(HChan<u64>, dataqsiz) + size_of::<usize>() <= 64);
        assert_eq!(offset_of!(HChan<u64>, send), 128);
        assert_eq!(offset_of!(HChan<u64>, recv), 256);
        assert_eq!(size_of::<HChan<u64>>(), 384);
    }
}
