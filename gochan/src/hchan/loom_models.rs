//! loom models of the channel: every interleaving of a few senders and
//! receivers on one [`HChan`], under the C11 memory model
//! (`RUSTFLAGS="--cfg loom" cargo test --release -p gochan --lib loom_`).
//! They run the channel's own code — the stamped ring (`ring.rs`), the
//! split halves' fast paths and the whole lock (`guard.rs`), the sudog
//! hand-off (`waitq.rs`) — with loom's atomics (`sync.rs`).
//!
//! What loom cannot run is modelled one level down, as `sync.rs` says: a
//! waiting party parks as a loom thread on a token, not a goroutine (gosched's park
//! token has models of its own), so these check gochan's protocol down to
//! `park`/`unpark`. A lost wake-up leaves a loom thread parked for good,
//! and loom reports the deadlock.
//!
//! The slots and a waiter's storage are plain memory that loom does not
//! track, so the values sent are [`Payload`]s: a loom cell written by the
//! sender before the send and read by whoever ends up with the value. A
//! hand-off that does not order the sender's writes before the receiver's
//! reads (the stamp's or `selected`'s Release/Acquire pair) is a causality
//! violation loom reports, as it would be for the slot itself.
//!
//! Planted bugs, each under its own `--cfg 'loom_planted_bug="…"'` (one
//! at a time: each model checks one protocol, and `cargo xtask verify
//! --deep` runs each model on its bug in a process of its own):
//! - `stamp_relaxed`, the receive half's stamp load Relaxed where Acquire
//!   is needed (`ring.rs: Slots::pop`): `loom_split_halves_keep_fifo`
//!   reads a value before the send that wrote it (causality violation);
//! - `no_recheck`, the send half's fast path without its re-check of the
//!   receive queue (`guard.rs: SendHalf::send`):
//!   `loom_buffered_send_wakes_a_queued_receiver` buffers the value beside
//!   a parked receiver, which sleeps for good (deadlock);
//! - `selected_relaxed`, the waiter's load of `selected` Relaxed where
//!   Acquire is needed (`waitq.rs: Parker::selected`):
//!   `loom_handoff_to_a_parked_receiver_against_close` reads the handed-off
//!   value before the sender's writes (causality violation);
//! - `claim_store`, a select's parker claimed by a load and a store where
//!   a compare-and-swap is needed (`waitq.rs: LockedQ::dequeue`):
//!   `loom_select_is_completed_once` has two senders complete one select
//!   (a second completion panics, or a value is lost).

use std::mem::{ManuallyDrop, MaybeUninit};

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

use super::{Block, HChan, Received, SendFail};

/// A value whose contents loom tracks (see the module docs).
struct Payload(Box<UnsafeCell<u32>>);

impl Payload {
    /// Written by the calling thread, the sender.
    fn new(value: u32) -> Payload {
        let cell = UnsafeCell::new(0);
        // SAFETY: the cell is ours alone until sent.
        cell.with_mut(|p| unsafe { *p = value });
        Payload(Box::new(cell))
    }

    /// Read by whoever holds it: loom checks that the write is ordered
    /// before.
    fn read(&self) -> u32 {
        // SAFETY: nobody writes after the sender.
        self.0.with(|p| unsafe { *p })
    }
}

type Chan = Arc<HChan<Payload>>;

fn chan(cap: usize) -> Chan {
    Arc::new(HChan::new(cap, false))
}

/// A party (loom thread) using the channel `c`.
fn spawn_on<R: Send + 'static>(
    c: &Chan,
    party: impl FnOnce(&HChan<Payload>) -> R + Send + 'static,
) -> thread::JoinHandle<R> {
    let c = Arc::clone(c);
    thread::spawn(move || party(&c))
}

/// A blocking send (`ch <- v`); the value back if the channel closed.
fn send(c: &HChan<Payload>, v: Payload) -> Result<(), Payload> {
    let v = ManuallyDrop::new(v);
    // SAFETY: `v` holds a value and lives until `send` returns; on `Ok` it
    // was moved out (we forget it), on `Err` it is still ours.
    match unsafe { c.send(&raw const *v, Block::Forever) } {
        Ok(()) => Ok(()),
        Err(SendFail::Closed) => Err(ManuallyDrop::into_inner(v)),
        Err(SendFail::NotReady) => unreachable!("a blocking send waits"),
    }
}

/// A blocking receive (`v, ok := <-ch`): `None` once closed and drained.
fn recv(c: &HChan<Payload>) -> Option<Payload> {
    let mut dst = MaybeUninit::<Payload>::uninit();
    // SAFETY: `dst` is a fresh destination that outlives the call.
    match unsafe { c.recv(dst.as_mut_ptr(), Block::Forever) } {
        // SAFETY: `Value`: the receive moved a value in.
        Ok(Received::Value) => Some(unsafe { dst.assume_init() }),
        Ok(Received::Closed) => None,
        Err(()) => unreachable!("a blocking receive waits"),
    }
}

/// A split channel (two slots) carries three values from a sender to a
/// receiver in order, each read once. The sender's fast path fills
/// stamped slots under the send half while the receiver empties them
/// under the receive half; the third send finds the ring full if the
/// receiver lags, and queues (parks) under the whole lock, to be taken by
/// Go's `recv` rotation. Catches `stamp_relaxed`.
#[test]
fn loom_split_halves_keep_fifo() {
    loom::model(|| {
        let c = chan(2);
        let sender = spawn_on(&c, |c| {
            for v in 1..=3 {
                assert!(send(c, Payload::new(v)).is_ok(), "never closed");
            }
        });
        let receiver = spawn_on(&c, |c| {
            (0..3)
                .map(|_| recv(c).expect("never closed").read())
                .collect::<Vec<u32>>()
        });
        sender.join().unwrap();
        assert_eq!(receiver.join().unwrap(), [1, 2, 3]);
        assert_eq!(c.len(), 0);
    });
}

/// A receiver that found the split channel empty queues and parks; the
/// send that follows must see it under the send half and hand the value
/// over under the whole lock, waking it. Catches `no_recheck`.
#[test]
fn loom_buffered_send_wakes_a_queued_receiver() {
    loom::model(|| {
        let c = chan(2);
        let receiver = spawn_on(&c, |c| recv(c).expect("never closed").read());
        let sender = spawn_on(&c, |c| {
            assert!(send(c, Payload::new(7)).is_ok(), "never closed")
        });
        sender.join().unwrap();
        assert_eq!(receiver.join().unwrap(), 7);
        assert_eq!(c.len(), 0);
    });
}

/// The sudog hand-off on an unbuffered channel, raced by a close: the
/// value goes to the receiver exactly once (and the send succeeds), or
/// the close ends both (the value stays with the sender). Each waiter is
/// completed once (a second completion panics, `Waiter::complete`) and
/// woken: a lost wake-up deadlocks. Catches `selected_relaxed`.
#[test]
fn loom_handoff_to_a_parked_receiver_against_close() {
    loom::model(|| {
        let c = chan(0);
        let receiver = spawn_on(&c, |c| recv(c).map(|v| v.read()));
        let closer = spawn_on(&c, |c| c.close().expect("closed once"));
        let sender = spawn_on(&c, |c| send(c, Payload::new(7)));
        let sent = sender.join().unwrap();
        let got = receiver.join().unwrap();
        closer.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(got, Some(7), "a completed send was received"),
            Err(v) => {
                assert_eq!(got, None, "a value both received and returned");
                assert_eq!(v.read(), 7);
            }
        }
    });
}

/// A `select!` parked on two unbuffered channels, each with a sender
/// coming: exactly one sender's dequeue claims the select (the `selected`
/// CAS, Go's `selectDone`) and completes it, the other sender stays
/// queued until the receiver, done with its select, takes its value
/// plainly. Every value received once; the select completed and woken
/// once. Poll order is fixed under loom (`select.rs: cheaprandn`).
/// Catches `claim_store`.
#[test]
fn loom_select_is_completed_once() {
    loom::model(|| {
        let (a, b) = (crate::make::<Payload>(0), crate::make::<Payload>(0));
        let senders: Vec<_> = [(a.clone(), 1), (b.clone(), 2)]
            .into_iter()
            .map(|(c, v)| thread::spawn(move || c.send(Payload::new(v))))
            .collect();
        let receiver = thread::spawn(move || {
            let (first, rest) = crate::select! {
                recv(a) -> v => (v, b.recv()),
                recv(b) -> v => (v, a.recv()),
            };
            let read = |v: Option<Payload>| v.expect("never closed").read();
            let mut got = [read(first), read(rest)];
            got.sort_unstable();
            got
        });
        for s in senders {
            s.join().unwrap();
        }
        assert_eq!(receiver.join().unwrap(), [1, 2]);
    });
}
