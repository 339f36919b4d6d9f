//! Waiting parties: Go's `sudog` and `waitq` (`runtime/runtime2.go`,
//! `runtime/chan.go: waitq.enqueue/dequeue/dequeueSudoG`, Go 1.27).
//!
//! A [`Sudog`] is one pending channel operation of one parked goroutine (or
//! thread). It lives **on the stack of the waiting party**, as Go's sudogs
//! point into the waiting goroutine's stack: a blocking `send`/`recv` puts
//! one in its own frame, a blocking `select!` one per case. Queues link them
//! intrusively (doubly, so a `select` can unlink the losing cases in O(1)).
//!
//! # The protocol (every step under the channel's lock unless said)
//!
//! The lock is held through `hchan.rs`'s guards; a queue can only be
//! changed through the [`LockedQ`] such a guard lends out, so the steps
//! below that say "under the lock" cannot be taken without it.
//!
//! 1. The waiter sets up a [`Parker`] (`selected = WAITING`) and its sudogs,
//!    links them into the channel queues ([`LockedQ::enqueue`], the one
//!    step whose promise the type system cannot check: the sudog, its
//!    parker and its storage stay put until unlinked), unlocks, and parks
//!    until `selected != WAITING`.
//! 2. A counterpart [`LockedQ::dequeue`]s the first sudog, as a [`Waiter`].
//!    For a select sudog it first claims the parker (`CAS WAITING -> case`,
//!    Go's `selectDone`); a sudog whose select already fired is dropped
//!    from the queue and skipped.
//! 3. The counterpart moves the value into or out of the waiter's storage
//!    (`Sudog::elem` points to it, in the waiter's frame or on the heap
//!    owned by that frame: [`Waiter::send_direct`], [`Waiter::recv_direct`]),
//!    then consumes the `Waiter` with [`Waiter::complete`], which sets
//!    `success`, takes the [`Unparker`] and, for a plain operation,
//!    publishes `selected` (Release). That store is the counterpart's
//!    **last** access to the sudog, the parker or the storage. It unlocks
//!    and unparks.
//! 4. A plain waiter that sees `selected != WAITING` (Acquire) owns its sudog
//!    again and returns. A select waiter first locks all its channels (the
//!    counterpart still holds one of them until step 3 is done), unlinks its
//!    other sudogs, and only then returns.
//! 5. A waiter that gives up (timeout) locks the channel; if `selected` is
//!    still `WAITING` its sudog is still linked (only step 2 unlinks, under
//!    the same lock) and it unlinks it itself ([`LockedQ::remove`]).
//!
//! So a sudog is linked only while its owner's frame is blocked in one of
//! the functions above, and the owner never leaves that frame before the
//! sudog is unlinked and every counterpart is done with it.

use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::ptr;
use std::time::Instant;

use gosched::WaitReason;

use crate::sync::{
    AtomicPtr, AtomicUsize, Ordering, Unparker, park, park_timeout, spin_loop, yield_now,
};

/// `Parker::selected` before any operation of the waiter has completed.
pub(crate) const WAITING: usize = usize::MAX;

/// The waiting goroutine or thread, as far as channels care: its unparker and
/// Go's `g.selectDone` + `g.param` folded into one word.
pub(crate) struct Parker {
    /// Taken (not cloned) by the one counterpart that completes an
    /// operation of this waiter, under that channel's lock.
    unparker: UnsafeCell<Option<Unparker>>,
    /// Whether the waiter is a goroutine (it then parks without spinning).
    goroutine: bool,
    /// `WAITING`, or the index of the case that completed (0 for a plain
    /// send or receive).
    selected: AtomicUsize,
}

impl Parker {
    /// A parker for the calling goroutine or thread.
    pub(crate) fn current() -> Parker {
        let unparker = Unparker::current();
        Parker {
            goroutine: unparker.goid().is_some(),
            unparker: UnsafeCell::new(Some(unparker)),
            selected: AtomicUsize::new(WAITING),
        }
    }

    /// The completed case, or `WAITING` (Acquire: pairs with the
    /// counterpart's publication in [`Waiter::complete`] or its claim in
    /// [`LockedQ::dequeue`]).
    #[inline]
    pub(crate) fn selected(&self) -> usize {
        // Relaxed, the waiter could see its operation done before the
        // counterpart's writes to its storage: planted for the loom models
        // (`--cfg 'loom_planted_bug="selected_relaxed"'`).
        self.selected
            .load(if cfg!(loom_planted_bug = "selected_relaxed") {
                Ordering::Relaxed
            } else {
                Ordering::Acquire
            })
    }

    /// Step 1's wait: until a counterpart completes one of our operations
    /// (`true`) or `deadline` passes (`false`). Spins briefly first, as
    /// crossbeam's `Context::wait_until` does: a rendezvous partner is often
    /// a few hundred nanoseconds away, and a park/unpark pair costs
    /// microseconds on OS threads. `park` may return spuriously (token
    /// semantics); the loop re-checks `selected`.
    pub(crate) fn wait(&self, reason: WaitReason, deadline: Option<Instant>) -> bool {
        // A goroutine parks at once, as in Go: its M runs the partner
        // instead, which spinning would only delay.
        let mut step = if self.goroutine {
            SPIN_STEPS + YIELD_STEPS + 1
        } else {
            0
        };
        loop {
            if self.selected() != WAITING {
                return true;
            }
            if step <= SPIN_STEPS {
                for _ in 0..1u32 << step {
                    spin_loop();
                }
                step += 1;
                continue;
            }
            if step <= SPIN_STEPS + YIELD_STEPS {
                yield_now();
                step += 1;
                continue;
            }
            match deadline {
                None => park(reason),
                Some(at) => {
                    let now = Instant::now();
                    if now >= at {
                        return false;
                    }
                    park_timeout(reason, at - now);
                }
            }
        }
    }
}

/// Doubling spin rounds before yielding (2^0 + ... + 2^6 = 127 spin hints).
const SPIN_STEPS: u32 = 6;
/// `yield_now` rounds before parking.
const YIELD_STEPS: u32 = 4;

impl fmt::Debug for Parker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parker")
            .field("selected", &self.selected.load(Ordering::Relaxed))
            .finish()
    }
}

/// One pending operation of a waiting party (Go's `sudog`).
pub(crate) struct Sudog<T> {
    prev: Cell<*const Sudog<T>>,
    next: Cell<*const Sudog<T>>,
    /// The queue this sudog is linked in, or null.
    queue: Cell<*const WaitQ<T>>,
    parker: Cell<*const Parker>,
    is_select: Cell<bool>,
    case: Cell<usize>,
    /// Go's `sg.success`: the operation completed by communication (`true`)
    /// or by close (`false`).
    success: Cell<bool>,
    /// Go's `sg.elem`: a sender's value, which the counterpart moves out, or
    /// a receiver's destination, which the counterpart moves a value into.
    /// Either lives in the waiter's frame, which stays put while linked.
    elem: Cell<*mut T>,
}

impl<T> Sudog<T> {
    /// An unlinked sudog.
    pub(crate) fn new() -> Sudog<T> {
        Sudog {
            prev: Cell::new(ptr::null()),
            next: Cell::new(ptr::null()),
            queue: Cell::new(ptr::null()),
            parker: Cell::new(ptr::null()),
            is_select: Cell::new(false),
            case: Cell::new(0),
            success: Cell::new(false),
            elem: Cell::new(ptr::null_mut()),
        }
    }

    /// Ties this sudog to its waiter and its value (a sender's, initialised)
    /// or destination (a receiver's) before it is linked. `elem` must stay
    /// valid while the sudog is linked.
    pub(crate) fn arm(&self, parker: &Parker, is_select: bool, case: usize, elem: *mut T) {
        self.parker.set(parker);
        self.is_select.set(is_select);
        self.case.set(case);
        self.success.set(false);
        self.elem.set(elem);
    }

    /// Whether the operation completed by communication rather than close.
    /// Read by the owner once it owns the sudog again.
    pub(crate) fn success(&self) -> bool {
        self.success.get()
    }
}

impl<T> fmt::Debug for Sudog<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sudog")
            .field("linked", &!self.queue.get().is_null())
            .field("is_select", &self.is_select.get())
            .field("case", &self.case.get())
            .finish_non_exhaustive()
    }
}

/// A FIFO of sudogs (Go's `waitq`). Changed only under the whole channel
/// lock, through [`LockedQ`]; `first` is also read under a half of it (a
/// buffered channel's fast paths) and racily (Relaxed) by the lock-free
/// "would this non-blocking operation fail" checks, as Go's `full`/`empty`.
pub(crate) struct WaitQ<T> {
    first: AtomicPtr<Sudog<T>>,
    last: Cell<*const Sudog<T>>,
}

impl<T> WaitQ<T> {
    /// (Not `const`: loom's atomics cannot be built in a constant.)
    pub(crate) fn new() -> WaitQ<T> {
        WaitQ {
            first: AtomicPtr::new(ptr::null_mut()),
            last: Cell::new(ptr::null()),
        }
    }

    /// Whether nobody waits. Exact while the caller holds any part of the
    /// channel lock (queues change only under the whole lock); without it a
    /// hint, like Go's `c.recvq.first == nil` in `full`.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.first.load(Ordering::Relaxed).is_null()
    }

    /// The operations that change the queue, for the holder of the lock
    /// it changes under.
    ///
    /// # Safety
    /// For as long as the view lives, the caller holds the whole lock of
    /// the channel this queue belongs to.
    #[inline]
    pub(crate) unsafe fn locked(&self) -> LockedQ<'_, T> {
        LockedQ { q: self }
    }
}

/// A wait queue whose channel lock is held (lent out by `hchan.rs`'s
/// guards): Go's `waitq` operations, which run under `c.lock`.
pub(crate) struct LockedQ<'g, T> {
    q: &'g WaitQ<T>,
}

impl<'g, T> LockedQ<'g, T> {
    /// Appends `sg` (Go's `waitq.enqueue`).
    ///
    /// # Safety
    /// `sg` is unlinked and armed, and it, its parker and its storage stay
    /// at their addresses until it is unlinked again (step 1 of the module
    /// protocol).
    #[inline]
    pub(crate) unsafe fn enqueue(&self, sg: &Sudog<T>) {
        debug_assert!(sg.queue.get().is_null(), "a sudog waits in one queue");
        sg.next.set(ptr::null());
        sg.queue.set(self.q);
        let last = self.q.last.get();
        sg.prev.set(last);
        if last.is_null() {
            self.q
                .first
                .store(ptr::from_ref(sg).cast_mut(), Ordering::Relaxed);
        } else {
            // SAFETY: linked sudogs are live (`enqueue`'s contract); the
            // lock we hold makes this the only access to the links.
            unsafe { (*last).next.set(sg) };
        }
        self.q.last.set(sg);
    }

    /// Removes and returns the first sudog whose operation may still happen
    /// (Go's `waitq.dequeue`): a select sudog is claimed for its case first,
    /// and skipped if its select already fired elsewhere.
    #[inline]
    pub(crate) fn dequeue(&self) -> Option<Waiter<'g, T>> {
        loop {
            let sg: *const Sudog<T> = self.q.first.load(Ordering::Relaxed);
            if sg.is_null() {
                return None;
            }
            // SAFETY: linked sudogs are live (`enqueue`'s contract).
            let s = unsafe { &*sg };
            self.remove(s);
            if s.is_select.get() {
                // SAFETY: the parker outlives its linked sudogs.
                let parker = unsafe { &*s.parker.get() };
                // A CAS: the select's other cases are claimed under other
                // channels' locks. (A load and a store let two counterparts
                // both claim it: planted under `--cfg
                // 'loom_planted_bug="claim_store"'` for the loom models.)
                #[cfg(not(loom_planted_bug = "claim_store"))]
                let claimed = parker
                    .selected
                    .compare_exchange(WAITING, s.case.get(), Ordering::AcqRel, Ordering::Acquire)
                    .is_ok();
                #[cfg(loom_planted_bug = "claim_store")]
                let claimed = parker.selected.load(Ordering::Acquire) == WAITING && {
                    parker.selected.store(s.case.get(), Ordering::Release);
                    true
                };
                if !claimed {
                    continue;
                }
            }
            return Some(Waiter {
                sg,
                _queue: PhantomData,
            });
        }
    }

    /// Unlinks `sg` if it is linked in this queue (Go's
    /// `waitq.dequeueSudoG`).
    #[inline]
    pub(crate) fn remove(&self, sg: &Sudog<T>) {
        if !ptr::eq(sg.queue.get(), self.q) {
            return;
        }
        let prev = sg.prev.get();
        let next = sg.next.get();
        if prev.is_null() {
            self.q.first.store(next.cast_mut(), Ordering::Relaxed);
        } else {
            // SAFETY: neighbours of a linked sudog are linked, hence live.
            unsafe { (*prev).next.set(next) };
        }
        if next.is_null() {
            self.q.last.set(prev);
        } else {
            // SAFETY: as above.
            unsafe { (*next).prev.set(prev) };
        }
        sg.prev.set(ptr::null());
        sg.next.set(ptr::null());
        sg.queue.set(ptr::null());
    }

    /// Number of linked sudogs (tests and debug output; O(n)).
    pub(crate) fn len(&self) -> usize {
        let mut n = 0;
        let mut p: *const Sudog<T> = self.q.first.load(Ordering::Relaxed);
        while !p.is_null() {
            n += 1;
            // SAFETY: linked sudogs are live.
            p = unsafe { (*p).next.get() };
        }
        n
    }
}

/// A sudog just dequeued, whose operation the holder of its channel's
/// lock completes (steps 2 and 3 of the module protocol). Its waiter stays
/// parked, and its storage valid, until [`Waiter::complete`] consumes it.
#[must_use = "a dequeued waiter stays parked until completed"]
pub(crate) struct Waiter<'g, T> {
    sg: *const Sudog<T>,
    /// Lives no longer than the lock it was dequeued under.
    _queue: PhantomData<LockedQ<'g, T>>,
}

impl<T> Waiter<'_, T> {
    /// Go's `sendDirect`: moves the value at `src` into this waiting
    /// receiver's destination.
    ///
    /// # Safety
    /// This is a receiver's sudog; `src` holds a value the caller gives up
    /// (it must not be dropped or read as a value again).
    #[inline]
    pub(crate) unsafe fn send_direct(&self, src: *const T) {
        // SAFETY: `elem` is the parked receiver's destination, valid until
        // we complete it (the waiter's frame stays put) and written by no
        // one else (we dequeued it); `src` is readable (our contract), and
        // the two never overlap (two parties' storage).
        unsafe { ptr::copy_nonoverlapping(src, (*self.sg).elem.get(), 1) };
    }

    /// Go's `recvDirect`: moves this waiting sender's value into `dst`.
    ///
    /// # Safety
    /// This is a sender's sudog, which the caller completes with success
    /// (the sender then gives the value up); `dst` is valid for a write of
    /// one `T` and holds no value.
    #[inline]
    pub(crate) unsafe fn recv_direct(&self, dst: *mut T) {
        // SAFETY: `elem` is the parked sender's value (initialised, valid
        // until we complete it); `dst` per our contract; distinct parties'
        // storage, no overlap.
        unsafe { ptr::copy_nonoverlapping(self.sender_value(), dst, 1) };
    }

    /// Where a waiting sender's value is: valid for reads until this
    /// waiter is completed, and given up by the sender if that is with
    /// success (Go's `recv` on a full buffer moves it into the buffer).
    #[inline]
    pub(crate) fn sender_value(&self) -> *const T {
        // SAFETY: dequeued, not yet completed: the sudog is live.
        unsafe { (*self.sg).elem.get() }
    }

    /// Step 3's end: records the outcome and hands back the waiter's
    /// unparker, to be unparked **after** the channel is unlocked (Go's
    /// `send`/`recv`/`closechan` ready the goroutine after unlock).
    #[inline]
    pub(crate) fn complete(self, success: bool) -> Unparker {
        // SAFETY: the sudog is live: it was dequeued under the lock still
        // held (this `Waiter` borrows it), and its owner cannot leave its
        // frame until `selected` is published below (plain) or until it
        // takes this lock (select).
        let s = unsafe { &*self.sg };
        s.success.set(success);
        // SAFETY: the parker lives in the owner's frame, as long as the sudog.
        let parker = unsafe { &*s.parker.get() };
        // SAFETY: exactly one counterpart completes an operation of a given
        // parker (a plain waiter has one sudog, dequeued once; a select's
        // sudogs are completed only by the winner of the `selected` CAS),
        // and the owner never touches `unparker` after creating it: this
        // access is exclusive.
        let unparker = unsafe { (*parker.unparker.get()).take() }.expect("a parker completes once");
        if !s.is_select.get() {
            // Last access: once published the owner may return and free both.
            parker.selected.store(s.case.get(), Ordering::Release);
        }
        unparker
    }
}
