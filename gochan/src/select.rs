//! `select`: Go's `selectgo` (`runtime/select.go`, Go 1.27), the engine
//! behind the [`select!`](crate::select!) macro.
//!
//! 1. Poll order: a uniformly random permutation of the non-nil cases
//!    (`cheaprandn` shuffle). Lock order: the cases sorted by channel address
//!    (`sortkey`), so two selects over the same channels cannot deadlock.
//!    Not in Go: before locking everything, the first case in poll order
//!    that looks ready (racy word reads: a party waiting, a value or room
//!    in the buffer, or closed) is tried alone, under its channel's lock
//!    (or the one half of it a buffered operation needs, see `hchan`); only
//!    a success, or a send on a closed channel (a panic), ends the select
//!    there. Closed channels count as ready as in Go's poll loop, so the
//!    first ready case in a uniformly random order is still Go's uniform
//!    choice among the ready ones.
//! 2. Lock every channel once ([`SelLock`], Go's `sellock`: a guard for
//!    each, which the cases' operations under the locks borrow; dropping it
//!    is `selunlock`), poll the cases in poll order; the first ready one
//!    runs and the select returns (`send on closed channel` panics after
//!    unlocking). With `default`, return now.
//! 3. Otherwise enqueue one sudog per case (they all share one `Parker`),
//!    unlock, park with reason `select`.
//! 4. Woken: the counterpart that fired claimed the parker for its case (see
//!    `waitq`). Lock every channel again, unlink the other sudogs, read the
//!    winner's outcome, unlock.
//!
//! Nil-channel cases take no part; with no cases at all the caller parks
//! forever with reason `select (no cases)`, with only nil cases with reason
//! `select`, as Go.

use std::cell::Cell;
use std::fmt;

use gosched::WaitReason;

use crate::chan::{CanRecv, CanSend, block_forever};
use crate::elem::Elem;
use crate::error::SEND_ON_CLOSED;
use crate::hchan::{Guard, HChan, Locked, Received, RecvPoll, SendPoll};
use crate::sync::Unparker;
use crate::waitq::{Parker, Sudog};

/// Outcome of polling one case under the locks.
enum Poll {
    Pending,
    Ready(Option<Unparker>),
    SendClosed,
}

/// One case as `selectgo` sees it (Go's `scase` plus the code of its
/// `goto` targets). `'c` is how long its channel is borrowed, so the
/// select's guards ([`SelLock`]) can outlive a borrow of the case.
trait CaseOps<'c> {
    /// The channel, as far as locking goes, or `None` for a nil channel.
    fn chan(&self) -> Option<&'c dyn WholeLock>;
    /// The channel's `sortkey`, or `None` for nil.
    fn key(&self) -> Option<usize> {
        self.chan().map(WholeLock::sortkey)
    }
    /// A racy guess that polling would not find the case pending (Go's
    /// `empty`/`full` word reads and `closed`): a closed channel is ready,
    /// for a receive (it reports closed) and for a send (it panics).
    fn looks_ready(&self) -> bool;
    /// The case's operation, under the select's locks.
    fn poll(&mut self, locks: &SelLock<'_, 'c>) -> Poll;
    /// [`CaseOps::poll`] without the caller holding any lock (the channel
    /// takes what it needs); `Pending` may be a false negative.
    fn poll_alone(&mut self) -> Poll;
    /// Links the case's sudog into its channel's queue.
    ///
    /// # Safety
    /// `self` and `parker` stay put until [`CaseOps::dequeue`] or a
    /// counterpart unlinks the sudog.
    unsafe fn enqueue(&mut self, locks: &SelLock<'_, 'c>, parker: &Parker, case: usize);
    /// Unlinks the case's sudog if it is still linked.
    fn dequeue(&mut self, locks: &SelLock<'_, 'c>);
    /// The outcome after this case fired while parked; `false` for a send
    /// woken by close. Under the select's locks, so its counterpart is done.
    fn finish(&mut self, locks: &SelLock<'_, 'c>) -> bool;
}

/// A channel's whole lock (Go's `c.lock`) and its `sortkey`, whatever the
/// element type: `selectgo` locks channels of several types in one order.
trait WholeLock {
    fn sortkey(&self) -> usize;
    fn lock(&self) -> Guard<'_>;
}

impl<T> WholeLock for HChan<T> {
    fn sortkey(&self) -> usize {
        HChan::sortkey(self)
    }
    fn lock(&self) -> Guard<'_> {
        HChan::lock(self)
    }
}

/// A `recv(ch) -> v` case. Built by [`select!`](crate::select!).
#[doc(hidden)]
pub struct RecvCase<'a, T> {
    h: Option<&'a HChan<T>>,
    sg: Sudog<T>,
    /// Where the received value lands (Go's `scase.elem`).
    slot: Elem<T>,
    got: Option<Received>,
}

impl<'a, T> RecvCase<'a, T> {
    #[doc(hidden)]
    pub fn new<C: CanRecv<T> + ?Sized>(ch: &'a C) -> Self {
        RecvCase {
            h: ch.as_chan().hchan(),
            sg: Sudog::new(),
            slot: Elem::uninit(),
            got: None,
        }
    }

    #[doc(hidden)]
    pub fn case(&mut self) -> Case<'_> {
        Case(self)
    }

    /// The received value: `Some(v)`, or `None` if the channel was closed.
    #[doc(hidden)]
    pub fn value(mut self) -> Option<T> {
        match self.got {
            // SAFETY: the case received: its slot holds the value.
            Some(Received::Value) => unsafe { self.slot.take() },
            Some(Received::Closed) => None,
            None => unreachable!("select: the chosen receive case has a result"),
        }
    }

    /// Receives with `recv` into the slot; records the outcome.
    fn attempt(&mut self, recv: impl FnOnce(&'a HChan<T>, *mut T) -> RecvPoll) -> Poll {
        let Some(h) = self.h else {
            return Poll::Pending;
        };
        match recv(h, self.slot.as_mut_ptr()) {
            RecvPoll::Got(u) => {
                self.got = Some(Received::Value);
                Poll::Ready(u)
            }
            RecvPoll::Closed => {
                self.got = Some(Received::Closed);
                Poll::Ready(None)
            }
            RecvPoll::Empty => Poll::Pending,
        }
    }
}

// A case's channel outlives any borrow of the case (`'a: 'c`), which
// [`Case`] erases to that borrow's lifetime.
impl<'a: 'c, 'c, T> CaseOps<'c> for RecvCase<'a, T> {
    fn chan(&self) -> Option<&'c dyn WholeLock> {
        self.h.map(|h| h as &dyn WholeLock)
    }
    fn looks_ready(&self) -> bool {
        self.h.is_some_and(HChan::recv_ready)
    }
    fn poll(&mut self, locks: &SelLock<'_, 'c>) -> Poll {
        // SAFETY: the slot is empty (a case is polled until it fires) and
        // stays put during the call.
        self.attempt(|h, dst| unsafe { locks.chan(h).poll_recv(dst) })
    }
    fn poll_alone(&mut self) -> Poll {
        // SAFETY: as in `poll`.
        self.attempt(|h, dst| unsafe { h.poll_recv_alone(dst) })
    }
    /// # Safety
    /// As [`CaseOps::enqueue`].
    unsafe fn enqueue(&mut self, locks: &SelLock<'_, 'c>, parker: &Parker, case: usize) {
        if let Some(h) = self.h {
            self.sg.arm(parker, true, case, self.slot.as_mut_ptr());
            // SAFETY: forwarded; the slot stays put with `self`.
            unsafe { locks.chan(h).recvq().enqueue(&self.sg) };
        }
    }
    fn dequeue(&mut self, locks: &SelLock<'_, 'c>) {
        if let Some(h) = self.h {
            locks.chan(h).recvq().remove(&self.sg);
        }
    }
    fn finish(&mut self, _locks: &SelLock<'_, 'c>) -> bool {
        // A sender that completed us moved its value into the slot.
        self.got = Some(if self.sg.success() {
            Received::Value
        } else {
            Received::Closed
        });
        true
    }
}

/// A `send(ch, v)` case. Built by [`select!`](crate::select!): `new`,
/// then `load` with the value, once the case is where it stays (moving a
/// case that holds a small value would copy its whole inline storage).
#[doc(hidden)]
pub struct SendCase<'a, T> {
    h: Option<&'a HChan<T>>,
    sg: Sudog<T>,
    /// The value to send (Go's `scase.elem`), while `loaded`.
    value: Elem<T>,
    loaded: bool,
}

impl<'a, T> SendCase<'a, T> {
    #[doc(hidden)]
    pub fn new<C: CanSend<T> + ?Sized>(ch: &'a C) -> Self {
        SendCase {
            h: ch.as_chan().hchan(),
            sg: Sudog::new(),
            value: Elem::uninit(),
            loaded: false,
        }
    }

    /// Puts the value to send in the case.
    #[doc(hidden)]
    pub fn load(&mut self, v: T) {
        debug_assert!(!self.loaded, "select: a send case is loaded once");
        // SAFETY: the storage holds no value (not loaded); `v` moves in.
        unsafe { self.value.as_mut_ptr().write(v) };
        self.loaded = true;
    }

    #[doc(hidden)]
    pub fn case(&mut self) -> Case<'_> {
        Case(self)
    }
}

impl<'a, T> SendCase<'a, T> {
    /// Offers the case's value with `send`; keeps it if not taken.
    fn attempt(&mut self, send: impl FnOnce(&'a HChan<T>, *const T) -> SendPoll) -> Poll {
        let Some(h) = self.h else {
            return Poll::Pending;
        };
        match send(h, self.value.as_mut_ptr()) {
            SendPoll::Sent(u) => {
                self.loaded = false;
                Poll::Ready(u)
            }
            SendPoll::Full => Poll::Pending,
            SendPoll::Closed => Poll::SendClosed,
        }
    }
}

impl<T> Drop for SendCase<'_, T> {
    /// A value the select did not send is dropped with its case.
    fn drop(&mut self) {
        if self.loaded {
            // SAFETY: loaded: the storage holds the value.
            unsafe { self.value.drop_value() };
        }
    }
}

impl<'a: 'c, 'c, T> CaseOps<'c> for SendCase<'a, T> {
    fn chan(&self) -> Option<&'c dyn WholeLock> {
        self.h.map(|h| h as &dyn WholeLock)
    }
    fn looks_ready(&self) -> bool {
        self.h.is_some_and(HChan::send_ready)
    }
    fn poll(&mut self, locks: &SelLock<'_, 'c>) -> Poll {
        // SAFETY: the value is there (`select!` loads a case before the
        // select; a case is polled until it fires) and given up only when
        // `Sent` (then no longer `loaded`, so not dropped).
        self.attempt(|h, src| unsafe { locks.chan(h).poll_send(src) })
    }
    fn poll_alone(&mut self) -> Poll {
        // SAFETY: as in `poll`.
        self.attempt(|h, src| unsafe { h.poll_send_alone(src) })
    }
    /// # Safety
    /// As [`CaseOps::enqueue`].
    unsafe fn enqueue(&mut self, locks: &SelLock<'_, 'c>, parker: &Parker, case: usize) {
        if let Some(h) = self.h {
            self.sg.arm(parker, true, case, self.value.as_mut_ptr());
            // SAFETY: forwarded; the value stays put with `self`.
            unsafe { locks.chan(h).sendq().enqueue(&self.sg) };
        }
    }
    fn dequeue(&mut self, locks: &SelLock<'_, 'c>) {
        if let Some(h) = self.h {
            locks.chan(h).sendq().remove(&self.sg);
        }
    }
    fn finish(&mut self, _locks: &SelLock<'_, 'c>) -> bool {
        // A receiver that completed us moved the value out.
        let sent = self.sg.success();
        self.loaded = !sent;
        sent
    }
}

/// A type-erased case handed to [`select`].
#[doc(hidden)]
pub struct Case<'a>(&'a mut dyn CaseOps<'a>);

impl fmt::Debug for Case<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Case").field(&self.0.key()).finish()
    }
}
impl<T> fmt::Debug for RecvCase<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvCase")
            .field("chan", &self.key())
            .finish_non_exhaustive()
    }
}
impl<T> fmt::Debug for SendCase<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendCase")
            .field("chan", &self.key())
            .finish_non_exhaustive()
    }
}

/// Cases up to which the orders live on the stack.
const INLINE_CASES: usize = 16;

/// Go's `selectgo`: runs one ready case (random among the ready ones), or
/// returns `None` when `block` is false and none is ready, or parks until a
/// case fires. Returns the index of the case that ran.
///
/// # Panics
/// `send on closed channel` if the chosen send case's channel is closed.
#[doc(hidden)]
pub fn select<'c>(cases: &mut [Case<'c>], block: bool) -> Option<usize> {
    crate::hchan::chaos_point();
    let n = cases.len();
    if n == 0 {
        if block {
            block_forever(WaitReason::SelectNoCases);
        }
        return None;
    }
    let mut inline = [0u16; 2 * INLINE_CASES];
    let mut heap = Vec::new();
    let orders: &mut [u16] = if n <= INLINE_CASES {
        &mut inline[..2 * n]
    } else {
        assert!(n <= usize::from(u16::MAX), "select: too many cases");
        heap.resize(2 * n, 0u16);
        &mut heap
    };
    let (pollorder, lockorder) = orders.split_at_mut(n);

    // Poll order: a random permutation of the non-nil cases.
    let mut norder = 0;
    for (i, case) in cases.iter().enumerate() {
        if case.0.key().is_none() {
            continue;
        }
        let j = cheaprandn(norder as u32 + 1) as usize;
        pollorder[norder] = pollorder[j];
        pollorder[j] = i as u16;
        norder += 1;
    }
    let pollorder = &pollorder[..norder];
    let lockorder = &mut lockorder[..norder];
    if norder == 0 {
        if block {
            block_forever(WaitReason::Select);
        }
        return None;
    }
    // Fast path (not in Go): the first case in poll order that looks ready
    // is tried alone, under (part of) its own lock. Success there is a
    // valid outcome (that case was ready while we held that lock, and it
    // was the first ready-looking one in random order, closed channels
    // included); anything else falls through to Go's all-locks pass, so
    // "nothing is ready" is only ever concluded from a consistent snapshot.
    if let Some(&first) = pollorder
        .iter()
        .find(|&&i| cases[usize::from(i)].0.looks_ready())
    {
        let i = usize::from(first);
        match cases[i].0.poll_alone() {
            Poll::Ready(u) => {
                if let Some(u) = u {
                    u.unpark();
                }
                return Some(i);
            }
            Poll::SendClosed => panic!("{SEND_ON_CLOSED}"),
            Poll::Pending => {}
        }
    }

    // Lock order: by channel address (insertion sort: selects are small).
    lockorder.copy_from_slice(pollorder);
    let key = |cases: &[Case<'_>], i: u16| cases[usize::from(i)].0.key().unwrap_or(0);
    for i in 1..norder {
        let mut j = i;
        let o = lockorder[i];
        while j > 0 && key(cases, lockorder[j - 1]) > key(cases, o) {
            lockorder[j] = lockorder[j - 1];
            j -= 1;
        }
        lockorder[j] = o;
    }
    let lockorder = &*lockorder;

    let mut guards = Guards::new();
    let locks = SelLock::new(&mut guards, cases, lockorder);
    for &i in pollorder {
        let i = usize::from(i);
        match cases[i].0.poll(&locks) {
            Poll::Pending => continue,
            Poll::Ready(u) => {
                drop(locks);
                if let Some(u) = u {
                    u.unpark();
                }
                return Some(i);
            }
            Poll::SendClosed => {
                drop(locks);
                panic!("{SEND_ON_CLOSED}");
            }
        }
    }
    if !block {
        return None; // unlocking as `locks` goes
    }

    // Park on every channel at once.
    let parker = Parker::current();
    for &i in lockorder {
        let i = usize::from(i);
        // SAFETY: `cases` (and their sudogs) and `parker` stay in place
        // until the dequeue pass below, which this function always reaches
        // before returning (nothing between here and there panics).
        unsafe { cases[i].0.enqueue(&locks, &parker, i) };
    }
    drop(locks);
    tracing::trace!(cases = n, "select: parking");
    parker.wait(WaitReason::Select, None);

    let locks = SelLock::new(&mut guards, cases, lockorder);
    let won = parker.selected();
    for &i in lockorder {
        let i = usize::from(i);
        if i != won {
            cases[i].0.dequeue(&locks);
        }
    }
    // Case `won` fired: its counterpart claimed the parker for it and
    // finished under a lock we now hold.
    let ok = cases[won].0.finish(&locks);
    drop(locks);
    if !ok {
        panic!("{SEND_ON_CLOSED}");
    }
    Some(won)
}

/// Where a select keeps its [`Guard`]s, in lock order: the first
/// [`INLINE_GUARDS`] on the stack, the rest (a select over more distinct
/// channels) in a `Vec`, allocated only then. Reused by the second
/// all-locks pass (the first is also what a `select` with `default` that
/// finds nothing ready costs, so it should cost little more than the
/// locks), so it is not a `SmallVec`, which tests spilled-or-not in every
/// push, read and clear.
struct Guards<'c> {
    inline: [Option<Guard<'c>>; INLINE_GUARDS],
    len: usize,
    more: Vec<Guard<'c>>,
}

/// Guards a select keeps on the stack: most selects name two to four
/// channels.
const INLINE_GUARDS: usize = 4;

impl<'c> Guards<'c> {
    #[inline]
    fn new() -> Self {
        Guards {
            inline: [None, None, None, None],
            len: 0,
            more: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, g: Guard<'c>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = Some(g),
            None => self.more.push(g),
        }
        self.len += 1;
    }

    /// The guards, in lock order.
    #[inline]
    fn iter(&self) -> impl Iterator<Item = &Guard<'c>> {
        self.inline
            .iter()
            .map_while(Option::as_ref)
            .chain(&self.more)
    }

    /// Releases every lock, the last taken first (Go's `selunlock`).
    #[inline]
    fn clear(&mut self) {
        while self.more.pop().is_some() {}
        for slot in self.inline[..self.len.min(INLINE_GUARDS)].iter_mut().rev() {
            *slot = None;
        }
        self.len = 0;
    }
}

/// The whole lock of every channel of a select, held: a [`Guard`] for each
/// distinct channel, in address order (so two selects over the same
/// channels cannot deadlock). Made by Go's `sellock` ([`SelLock::new`]);
/// dropping it is Go's `selunlock`, in reverse order. The cases'
/// operations under the locks borrow it ([`SelLock::chan`]).
struct SelLock<'s, 'c> {
    /// The select's storage, empty outside a `SelLock`'s life.
    guards: &'s mut Guards<'c>,
}

impl<'s, 'c> SelLock<'s, 'c> {
    /// Go's `sellock`: each distinct channel once, in address order.
    #[inline]
    fn new(guards: &'s mut Guards<'c>, cases: &[Case<'c>], lockorder: &[u16]) -> Self {
        debug_assert!(guards.len == 0, "select: one all-locks pass at a time");
        let mut last = None;
        for &i in lockorder {
            let Some(c) = cases[usize::from(i)].0.chan() else {
                continue;
            };
            // Duplicates are adjacent in lock order.
            let key = c.sortkey();
            if last != Some(key) {
                guards.push(c.lock());
                last = Some(key);
            }
        }
        SelLock { guards }
    }

    /// `h`, one of the select's channels, with its lock held.
    fn chan<'g, T>(&'g self, h: &'g HChan<T>) -> Locked<'g, T> {
        let key = h.sortkey();
        self.guards
            .iter()
            .find(|g| g.key() == key)
            .expect("select: every case's channel is locked")
            .of(h)
    }
}

impl Drop for SelLock<'_, '_> {
    /// Go's `selunlock`: the reverse of the lock order (`clear` drops from
    /// the last element).
    #[inline]
    fn drop(&mut self) {
        self.guards.clear();
    }
}

thread_local! {
    static RNG: Cell<u64> = Cell::new({
        let local = 0u8;
        let here = std::ptr::from_ref(&local).addr() as u64;
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        (here ^ t.rotate_left(32)) | 1
    });
}

/// Go's `cheaprandn`: a uniform value in `[0, n)` (wyrand + Lemire's
/// multiply-shift reduction).
pub(crate) fn cheaprandn(n: u32) -> u32 {
    // Under loom every execution must replay the same operations: one
    // fixed poll order (the models explore interleavings, not orders).
    if cfg!(loom) {
        return 0;
    }
    let r = RNG.with(|s| {
        let x = s.get().wrapping_add(0xa076_1d64_78bd_642f);
        s.set(x);
        let m = u128::from(x) * u128::from(x ^ 0xe703_7ed1_a0b4_28db);
        ((m >> 64) as u64 ^ m as u64) as u32
    });
    ((u64::from(r) * u64::from(n)) >> 32) as u32
}
