//! The buffer of a buffered channel: Go's `buf`, `sendx`, `recvx` and
//! `qcount` (`runtime/chan.go`, Go 1.27), rearranged so that a sender and a
//! receiver can use it at the same time, each holding only its own half of
//! the channel lock (see `hchan.rs`).
//!
//! Go counts the buffered values in `qcount`, which every send and every
//! receive writes: with one sender and one receiver on two cores, that word
//! (and the lock beside it) moves between the cores on every message. Here
//! nothing is written by both sides per message:
//!
//! - Each side has a [`Cursor`]: `pos`, the number of operations it has
//!   done, and `index`, the slot its next operation uses (`pos` mod the
//!   capacity, kept separately so no operation divides). Go's `sendx` and
//!   `recvx` are the two `index`es; `qcount` is send `pos` − receive `pos`.
//! - Each [`Slot`] carries a stamp saying whose turn it is: [`free_for`]`(p)`
//!   when send number `p` may fill it, [`filled_by`]`(p)` once it has, so
//!   receive number `p` may take it; emptied by that receive, it becomes
//!   free for send `p + cap`. (Two stamps per position: with `p` and
//!   `p + 1`, a slot of a one-slot buffer filled by send `p` would read as
//!   free for send `p + 1`.) A side checks its slot's stamp instead of a
//!   shared count, and the stamp's release/acquire pair carries the value
//!   from the side that wrote it to the side that reads it.
//!
//! Positions and stamps are 32-bit and all arithmetic on them wraps: they
//! are only compared for equality, differences are at most the capacity,
//! and a slot's stamps for successive laps, `2p` and `2(p + cap)`, stay
//! distinct for every capacity up to [`MAX_CAP`]. (Eight bytes a cursor let
//! an unsplit channel keep both cursors on the cache line of its lock.)

use std::cell::{Cell, UnsafeCell};
use std::mem::MaybeUninit;
use std::ptr;

use crate::sync::{AtomicU32, Ordering};

/// The largest buffer: 2³¹ − 1 slots (Go allows up to its allocation limit;
/// `make` panics above this with Go's `makechan: size out of range`).
pub(crate) const MAX_CAP: usize = (1 << 31) - 1;

/// One side's place in the ring (Go's `sendx` or `recvx`, and that side's
/// share of `qcount`). Written only under that side's half of the channel
/// lock (or the whole lock); `pos` is also read without it, by `len`.
#[derive(Debug, Default)]
pub(crate) struct Cursor {
    /// Operations this side has completed (wrapping).
    pos: AtomicU32,
    /// The slot of this side's next operation: `pos` mod the capacity.
    index: Cell<u32>,
}

impl Cursor {
    /// Moves to the next operation (Go's `c.sendx++; if c.sendx ==
    /// c.dataqsiz { c.sendx = 0 }`). `pos` is published (Release) before the
    /// slot's stamp is, so a reader of the two positions never sees a
    /// receive counted before the send it took (see [`Slots::len`]).
    // Not generic: without `#[inline]` every operation on a channel made
    // in another crate would call it.
    #[inline]
    fn advance(&self, cap: u32) {
        let next = self.index.get() + 1;
        self.index.set(if next == cap { 0 } else { next });
        self.pos.store(
            self.pos.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Release,
        );
    }
}

/// The stamp of a slot that send number `pos` may fill.
#[inline]
fn free_for(pos: u32) -> u32 {
    pos.wrapping_mul(2)
}

/// The stamp of a slot holding the value of send number `pos` (so receive
/// number `pos` may take it).
#[inline]
fn filled_by(pos: u32) -> u32 {
    pos.wrapping_mul(2) | 1
}

/// One buffer slot: a value and the stamp saying whose turn it is.
struct Slot<T> {
    stamp: AtomicU32,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// The buffer: `cap` stamped slots (none for an unbuffered channel).
///
/// Invariant: the slots from the receive cursor's `index` on, as many as
/// send `pos` − receive `pos`, hold initialised values; every other slot is
/// uninitialised. When `stamped`, each slot holding a value is stamped
/// `filled_by` the send that wrote it, and each other one `free_for` the
/// send that will fill it.
pub(crate) struct Slots<T> {
    slots: Box<[Slot<T>]>,
    /// Whether the stamps are kept: only a split lock's half paths read
    /// them, and writing them costs an unsplit receiver a write to a line
    /// it otherwise only reads.
    stamped: bool,
}

impl<T> Slots<T> {
    /// `cap` slots; `stamped` for a channel whose lock is split (the half
    /// paths, [`Slots::push`] and [`Slots::pop`], need the stamps).
    ///
    /// # Panics
    /// If `cap` exceeds [`MAX_CAP`].
    pub(crate) fn new(cap: usize, stamped: bool) -> Slots<T> {
        let cap = u32::try_from(cap)
            .ok()
            .filter(|&cap| cap as usize <= MAX_CAP)
            .expect("makechan: size out of range");
        // Built in place: a slot made on the stack and moved in would put
        // a (large) value's worth of stack per move under `make`.
        let mut slots = Box::<[Slot<T>]>::new_uninit_slice(cap as usize);
        for (i, slot) in (0..cap).zip(slots.iter_mut()) {
            let slot = slot.as_mut_ptr();
            // SAFETY: `slot` points to a slot's storage; its `stamp` field
            // is written in place, without reading anything.
            unsafe { (&raw mut (*slot).stamp).write(AtomicU32::new(free_for(i))) };
        }
        Slots {
            // SAFETY: every stamp is written above, and a slot's value is a
            // `MaybeUninit`, valid uninitialised.
            slots: unsafe { slots.assume_init() },
            stamped,
        }
    }

    /// The number of slots (at most [`MAX_CAP`], so it fits).
    #[inline]
    fn cap(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Moves the value at `src` in at the send cursor if that slot is free
    /// (Go's buffered send: `typedmemmove(qp, ep); c.sendx++; c.qcount++`),
    /// for a sender holding only the send half: the slot's stamp decides.
    /// `false` (and the value left where it is) when the buffer is full (or,
    /// for a moment, when the receive that empties the slot has not yet
    /// published its stamp).
    ///
    /// # Safety
    /// The caller holds the send half of the channel lock, `send` is the
    /// send cursor, and the slots are stamped; `src` holds a value, which
    /// the caller gives up if this returns `true`.
    #[inline]
    pub(crate) unsafe fn push(&self, send: &Cursor, src: *const T) -> bool {
        let pos = send.pos.load(Ordering::Relaxed);
        match self.slots.get(send.index.get() as usize) {
            // Acquire: the receive that freed the slot is done with it.
            Some(slot) if slot.stamp.load(Ordering::Acquire) == free_for(pos) => {
                // SAFETY: the stamp says the slot is free for this send,
                // and only the holder of the send half writes it until the
                // stamp changes; `src` per our contract.
                unsafe { self.fill(slot, send, pos, src) };
                true
            }
            _ => false,
        }
    }

    /// [`Slots::push`] for a caller holding the whole lock, which makes the
    /// two positions exact: room is decided from them, without reading the
    /// slot, whose line may be on the other core (a miss paid with the lock
    /// held, lengthening every other party's wait). `false` when the buffer
    /// is full or has no slots.
    ///
    /// # Safety
    /// The caller holds the whole channel lock, and `send` and `recv` are
    /// its cursors; `src` as for [`Slots::push`].
    #[inline]
    pub(crate) unsafe fn push_locked(&self, send: &Cursor, recv: &Cursor, src: *const T) -> bool {
        let pos = send.pos.load(Ordering::Relaxed);
        if pos.wrapping_sub(recv.pos.load(Ordering::Relaxed)) >= self.cap() {
            return false;
        }
        let slot = &self.slots[send.index.get() as usize];
        // SAFETY: fewer values than slots, so the send cursor's slot is
        // free (type invariant), and the whole lock excludes every other
        // access to it; `src` per our contract.
        unsafe { self.fill(slot, send, pos, src) };
        true
    }

    /// Moves send number `pos`'s value in and hands the slot to its receive.
    ///
    /// # Safety
    /// `slot` is the send cursor's, free, and the caller may write it; `src`
    /// holds a value the caller gives up.
    #[inline]
    unsafe fn fill(&self, slot: &Slot<T>, send: &Cursor, pos: u32, src: *const T) {
        // SAFETY: forwarded; a slot of the channel and the sender's value
        // never overlap.
        unsafe { ptr::copy_nonoverlapping(src, slot.value.get().cast::<T>(), 1) };
        send.advance(self.cap());
        if self.stamped {
            slot.stamp.store(filled_by(pos), Ordering::Release);
        }
    }

    /// Moves the value at the receive cursor into `dst` if it has been
    /// sent (Go's buffered receive: `typedmemmove(ep, qp); c.recvx++;
    /// c.qcount--`), for a receiver holding only the receive half: the stamp
    /// decides. `false` when there is none.
    ///
    /// # Safety
    /// The caller holds the receive half of the channel lock, `recv` is the
    /// receive cursor, and the slots are stamped; `dst` is valid for a
    /// write of one `T` and holds no value.
    #[inline]
    pub(crate) unsafe fn pop(&self, recv: &Cursor, dst: *mut T) -> bool {
        let pos = recv.pos.load(Ordering::Relaxed);
        let Some(slot) = self.slots.get(recv.index.get() as usize) else {
            return false;
        };
        // Acquire: pairs with the filling send's Release. (Relaxed, the
        // stamp could be seen before the value it publishes: planted under
        // `--cfg 'loom_planted_bug="stamp_relaxed"'` for the loom models.)
        let stamp = slot
            .stamp
            .load(if cfg!(loom_planted_bug = "stamp_relaxed") {
                Ordering::Relaxed
            } else {
                Ordering::Acquire
            });
        if stamp != filled_by(pos) {
            return false;
        }
        // SAFETY: the stamp says send `pos` filled the slot, and only the
        // holder of the receive half takes it until the stamp changes;
        // `dst` per our contract.
        unsafe { self.take(slot, recv, pos, dst) };
        true
    }

    /// [`Slots::pop`] for a caller holding the whole lock: the positions
    /// decide, as in [`Slots::push_locked`].
    ///
    /// # Safety
    /// The caller holds the whole channel lock, and `send` and `recv` are
    /// its cursors; `dst` as for [`Slots::pop`].
    #[inline]
    pub(crate) unsafe fn pop_locked(&self, send: &Cursor, recv: &Cursor, dst: *mut T) -> bool {
        let pos = recv.pos.load(Ordering::Relaxed);
        if send.pos.load(Ordering::Relaxed) == pos {
            return false;
        }
        let slot = &self.slots[recv.index.get() as usize];
        // SAFETY: a value is buffered, so the receive cursor's slot holds
        // it (type invariant); the whole lock excludes every other access;
        // `dst` per our contract.
        unsafe { self.take(slot, recv, pos, dst) };
        true
    }

    /// Moves receive number `pos`'s value (exactly once) into `dst` and
    /// frees the slot for the send one lap later.
    ///
    /// # Safety
    /// `slot` is the receive cursor's, holds send `pos`'s value, and the
    /// caller may take it; `dst` is valid for a write and holds no value.
    #[inline]
    unsafe fn take(&self, slot: &Slot<T>, recv: &Cursor, pos: u32, dst: *mut T) {
        // SAFETY: forwarded; the slot and the receiver's destination never
        // overlap.
        unsafe { ptr::copy_nonoverlapping(slot.value.get().cast::<T>(), dst, 1) };
        let cap = self.cap();
        recv.advance(cap);
        if self.stamped {
            slot.stamp
                .store(free_for(pos.wrapping_add(cap)), Ordering::Release);
        }
    }

    /// Go's `recv` on a full buffer with a sender waiting: moves the head
    /// into `dst` and the waiting sender's value at `src` into the slot it
    /// frees, which is the tail (both cursors point at it when the buffer
    /// is full).
    ///
    /// # Safety
    /// The caller holds the whole channel lock, and the buffer is full;
    /// `dst` is valid for a write and holds no value; `src` holds a value
    /// its owner gives up.
    pub(crate) unsafe fn rotate(&self, send: &Cursor, recv: &Cursor, dst: *mut T, src: *const T) {
        let cap = self.cap();
        let slot = &self.slots[recv.index.get() as usize];
        debug_assert_eq!(
            send.index.get(),
            recv.index.get(),
            "a full ring's cursors meet"
        );
        let value = slot.value.get().cast::<T>();
        // SAFETY: full, so the head slot holds a value (type invariant); it
        // is moved out and refilled at once, under the whole lock. The
        // slot, `dst` and `src` are three parties' storage: no overlap.
        unsafe {
            ptr::copy_nonoverlapping(value, dst, 1);
            ptr::copy_nonoverlapping(src, value, 1);
        }
        let send_pos = send.pos.load(Ordering::Relaxed);
        recv.advance(cap);
        send.advance(cap);
        if self.stamped {
            slot.stamp.store(filled_by(send_pos), Ordering::Release);
        }
    }

    /// Buffered values (Go's `qcount`), read without the lock: a racy
    /// snapshot as Go's `len(ch)`, never above the capacity. The receive
    /// position is read first: every receive is published after the send
    /// it took (see [`Cursor::advance`]), so the difference is never
    /// negative.
    pub(crate) fn len(&self, send: &Cursor, recv: &Cursor) -> usize {
        let received = recv.pos.load(Ordering::Acquire);
        let sent = send.pos.load(Ordering::Acquire);
        sent.wrapping_sub(received).min(self.cap()) as usize
    }

    /// Whether the buffer was full at some moment during the call (Go's
    /// `full` reads `qcount` once). The send position is read first: a send
    /// waits for the receive that freed its slot, so sent − received never
    /// exceeds the capacity, and reaching it means it was full when `sent`
    /// was read.
    pub(crate) fn was_full(&self, send: &Cursor, recv: &Cursor) -> bool {
        let sent = send.pos.load(Ordering::Acquire);
        let received = recv.pos.load(Ordering::Acquire);
        sent.wrapping_sub(received) >= self.cap()
    }

    /// Drops the buffered values (the channel is being freed).
    pub(crate) fn drop_values(&mut self, send: &mut Cursor, recv: &mut Cursor) {
        let cap = self.cap();
        // Relaxed loads, not `get_mut` (loom's atomics have none): `&mut`
        // makes them plain reads all the same.
        let n = send
            .pos
            .load(Ordering::Relaxed)
            .wrapping_sub(recv.pos.load(Ordering::Relaxed));
        let mut at = recv.index.get();
        for _ in 0..n {
            // SAFETY: the `n` slots from the receive index on hold values
            // (type invariant); `&mut self` makes this the only access, and
            // each is dropped once (the channel is not used again).
            unsafe { self.slots[at as usize].value.get_mut().assume_init_drop() };
            at = if at + 1 == cap { 0 } else { at + 1 };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::mem::ManuallyDrop;

    /// A ring with its two cursors, used through the half paths (stamped)
    /// or the whole-lock paths (unstamped), as a channel uses it.
    struct Ring<T> {
        slots: Slots<T>,
        send: Cursor,
        recv: Cursor,
    }

    /// As `HChan`'s: the ring holds the cursors, so it drops what is left.
    impl<T> Drop for Ring<T> {
        fn drop(&mut self) {
            self.slots.drop_values(&mut self.send, &mut self.recv);
        }
    }

    impl<T> Ring<T> {
        fn new(cap: usize, stamped: bool) -> Ring<T> {
            Ring {
                slots: Slots::new(cap, stamped),
                send: Cursor::default(),
                recv: Cursor::default(),
            }
        }

        fn push(&self, v: T) -> bool {
            let v = ManuallyDrop::new(v);
            let src: *const T = &raw const *v;
            // SAFETY: single-threaded test: no other access; stamped rings
            // take the half path, unstamped ones the whole-lock path. On
            // failure the value is still ours: dropped below.
            let pushed = unsafe {
                if self.slots.stamped {
                    self.slots.push(&self.send, src)
                } else {
                    self.slots.push_locked(&self.send, &self.recv, src)
                }
            };
            if !pushed {
                drop(ManuallyDrop::into_inner(v));
            }
            pushed
        }

        fn pop(&self) -> Option<T> {
            let mut dst = MaybeUninit::uninit();
            // SAFETY: as in `push`; `dst` is a fresh destination.
            let popped = unsafe {
                if self.slots.stamped {
                    self.slots.pop(&self.recv, dst.as_mut_ptr())
                } else {
                    self.slots
                        .pop_locked(&self.send, &self.recv, dst.as_mut_ptr())
                }
            };
            // SAFETY: a pop that succeeded moved a value into `dst`.
            popped.then(|| unsafe { dst.assume_init() })
        }

        fn pop_locked(&self) -> Option<T> {
            let mut dst = MaybeUninit::uninit();
            // SAFETY: single-threaded test; a fresh destination.
            let popped = unsafe {
                self.slots
                    .pop_locked(&self.send, &self.recv, dst.as_mut_ptr())
            };
            // SAFETY: a pop that succeeded moved a value into `dst`.
            popped.then(|| unsafe { dst.assume_init() })
        }

        fn push_locked(&self, v: T) -> bool {
            let v = ManuallyDrop::new(v);
            // SAFETY: single-threaded test; the value is given up only if
            // pushed, and dropped below otherwise.
            let pushed = unsafe {
                self.slots
                    .push_locked(&self.send, &self.recv, &raw const *v)
            };
            if !pushed {
                drop(ManuallyDrop::into_inner(v));
            }
            pushed
        }

        /// `rotate` on a full ring: the head comes out, `v` goes in.
        fn rotate(&self, v: T) -> T {
            let v = ManuallyDrop::new(v);
            let mut head = MaybeUninit::uninit();
            // SAFETY: single-threaded test on a full ring (the callers'
            // doing); `v` is given up, `head` is a fresh destination.
            unsafe {
                self.slots
                    .rotate(&self.send, &self.recv, head.as_mut_ptr(), &raw const *v)
            };
            // SAFETY: filled by `rotate`.
            unsafe { head.assume_init() }
        }

        fn len(&self) -> usize {
            self.slots.len(&self.send, &self.recv)
        }

        fn was_full(&self) -> bool {
            self.slots.was_full(&self.send, &self.recv)
        }
    }

    #[test]
    fn fifo_through_wraparound() {
        for (cap, stamped) in [1, 2, 3].into_iter().flat_map(|c| [(c, true), (c, false)]) {
            let ring = Ring::new(cap, stamped);
            for round in 0..5 {
                for i in 0..cap {
                    assert!(ring.push(format!("{round}.{i}")));
                }
                assert!(!ring.push("overflow".into()), "cap {cap}: full");
                assert!(ring.was_full());
                assert_eq!(ring.len(), cap);
                for i in 0..cap {
                    assert_eq!(ring.pop(), Some(format!("{round}.{i}")));
                }
                assert_eq!(ring.pop(), None, "cap {cap}: empty");
                assert_eq!(ring.len(), 0);
                assert!(!ring.was_full());
            }
        }
    }

    #[test]
    fn half_and_whole_lock_paths_agree_on_a_stamped_ring() {
        // A split channel mixes both: fast paths under a half, the rest
        // under the whole lock. The stamps must stay right across them.
        let ring = Ring::new(2, true);
        for round in 0..4 {
            assert!(ring.push_locked(round));
            assert!(ring.push(round + 100));
            assert!(!ring.push(0));
            assert_eq!(ring.pop(), Some(round));
            assert_eq!(ring.pop_locked(), Some(round + 100));
            assert_eq!(ring.pop(), None);
        }
    }

    #[test]
    fn rotate_keeps_fifo_order_of_a_full_ring() {
        for stamped in [true, false] {
            let ring = Ring::new(2, stamped);
            assert!(ring.push("a".to_string()));
            ring.pop();
            assert!(ring.push("b".to_string()));
            assert!(ring.push("c".to_string()));
            assert_eq!(ring.rotate("d".to_string()), "b");
            assert!(ring.was_full());
            let rest: Vec<String> = std::iter::from_fn(|| ring.pop()).collect();
            assert_eq!(rest, ["c", "d"]);
            assert!(ring.push("e".to_string()), "free again after draining");
        }
    }

    #[test]
    fn unbuffered_has_no_room() {
        let ring = Ring::<String>::new(0, false);
        assert!(!ring.push("x".into()));
        assert_eq!(ring.pop(), None);
        assert!(ring.was_full());
    }

    #[test]
    #[should_panic(expected = "makechan: size out of range")]
    fn capacity_above_the_limit_panics_as_go() {
        Slots::<()>::new(MAX_CAP + 1, true);
    }

    #[test]
    fn drop_values_drops_exactly_the_buffered_ones() {
        use std::rc::Rc;
        let token = Rc::new(());
        let ring = Ring::new(4, true);
        for _ in 0..6 {
            assert!(ring.push(Rc::clone(&token)));
            drop(ring.pop());
        }
        for _ in 0..3 {
            assert!(ring.push(Rc::clone(&token)));
        }
        assert_eq!(Rc::strong_count(&token), 4);
        drop(ring);
        assert_eq!(Rc::strong_count(&token), 1);
    }
}
