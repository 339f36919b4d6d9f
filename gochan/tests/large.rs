//! Large values: Go accepts channel element types up to 65 535 bytes
//! (`cmd/compile: channel element type too large (>64kB)`) and moves them
//! by pointer. These run 4 KiB, 16 KiB and 65 535-byte values through
//! unbuffered, one-slot and split buffered channels and through `select!`
//! (both directions), on goroutines with gosched's default 256 KiB stack,
//! on threads (2 MiB, Rust's default) and mixed. Every byte of every value
//! is checked, and a drop counter shows each value dropped exactly once:
//! none lost, none duplicated by a copy.
//!
//! The scenario functions keep their own frames small (each big value is
//! made in place and checked by reference): in a debug build every move of
//! a value is a copy on the stack, and these test what gochan adds to the
//! user's frames, not what the user's code costs.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Rt;
use gochan::{Chan, make, select};

/// A value of `N` bytes (with a drop counter) whose every byte depends on
/// its sequence number.
struct Big<const N: usize> {
    bytes: [u8; N],
    drops: Arc<AtomicUsize>,
}

impl<const N: usize> Big<N> {
    const ZEROS: [u8; N] = [0; N];

    #[inline(never)]
    fn new(seq: usize, drops: &Arc<AtomicUsize>) -> Big<N> {
        let mut big = Big {
            bytes: Self::ZEROS,
            drops: Arc::clone(drops),
        };
        fill(&mut big.bytes, seq);
        big
    }
}

impl<const N: usize> Drop for Big<N> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

fn pattern(seq: usize, k: usize) -> u8 {
    (seq.wrapping_mul(131) ^ k.wrapping_mul(7) ^ (k >> 8)) as u8
}

fn fill(bytes: &mut [u8], seq: usize) {
    for (k, b) in bytes.iter_mut().enumerate() {
        *b = pattern(seq, k);
    }
}

/// Panics unless `got` is value number `seq`, intact.
#[inline(never)]
fn check<const N: usize>(got: Option<&Big<N>>, seq: usize) {
    let got = got.unwrap_or_else(|| panic!("value {seq}: channel closed early"));
    if let Some(k) = (0..N).find(|&k| got.bytes[k] != pattern(seq, k)) {
        panic!("value {seq} of {N} bytes: byte {k} corrupted");
    }
}

const VALUES: usize = 50;

#[inline(never)]
fn send_all<const N: usize>(ch: &Chan<Big<N>>, drops: &Arc<AtomicUsize>) {
    for seq in 0..VALUES {
        ch.send(Big::new(seq, drops));
    }
}

#[inline(never)]
fn recv_all<const N: usize>(ch: &Chan<Big<N>>) {
    for seq in 0..VALUES {
        check(ch.recv().as_ref(), seq);
    }
}

#[inline(never)]
fn select_send_all<const N: usize>(ch: &Chan<Big<N>>, never: &Chan<u8>, drops: &Arc<AtomicUsize>) {
    for seq in 0..VALUES {
        select! {
            send(ch, Big::new(seq, drops)) => {},
            recv(never) -> _ => unreachable!("nothing is sent on `never`"),
        }
    }
}

#[inline(never)]
fn select_recv_all<const N: usize>(ch: &Chan<Big<N>>, never: &Chan<u8>) {
    for seq in 0..VALUES {
        select! {
            recv(ch) -> got => check(got.as_ref(), seq),
            recv(never) -> _ => unreachable!("nothing is sent on `never`"),
        }
    }
}

/// Which operations carry the values.
#[derive(Clone, Copy)]
enum Ops {
    /// `send` and `recv`.
    Plain,
    /// Both ends in `select!`, beside a case that never fires: the select
    /// parks on both channels, so values go through the parked-select
    /// paths as well as the ready ones.
    Select,
}

/// `VALUES` values of `N` bytes through a channel of capacity `cap`: they
/// arrive in order, intact, each dropped once by its receiver.
fn through<const N: usize>(rt: Rt, cap: usize, ops: Ops) {
    let drops = Arc::new(AtomicUsize::new(0));
    let ch: Chan<Big<N>> = make(cap);
    let never: Chan<u8> = make(0);
    let done: Chan<()> = make(0);
    let (tx, n, d, counter) = (ch.clone(), never.clone(), done.clone(), Arc::clone(&drops));
    rt.go_send(move || {
        match ops {
            Ops::Plain => send_all(&tx, &counter),
            Ops::Select => select_send_all(&tx, &n, &counter),
        }
        d.send(());
    });
    match ops {
        Ops::Plain => recv_all(&ch),
        Ops::Select => select_recv_all(&ch, &never),
    }
    done.recv();
    assert_eq!(
        drops.load(Ordering::Relaxed),
        VALUES,
        "each value dropped once"
    );
}

/// One `select!` with a big send case and a big receive case, against a
/// partner that alternates a plain receive and a plain send.
#[inline(never)]
fn select_both_ways<const N: usize>(rt: Rt) {
    let drops = Arc::new(AtomicUsize::new(0));
    let (to_partner, from_partner): (Chan<Big<N>>, Chan<Big<N>>) = (make(0), make(0));
    let (rx, tx, counter) = (to_partner.clone(), from_partner.clone(), Arc::clone(&drops));
    rt.go_send(move || {
        for seq in 0..VALUES {
            if seq % 2 == 0 {
                check(rx.recv().as_ref(), seq);
            } else {
                tx.send(Big::new(seq, &counter));
            }
        }
    });
    let mut seq = 0;
    while seq < VALUES {
        let want = seq;
        select! {
            send(to_partner, Big::new(want, &drops)) => assert_eq!(want % 2, 0),
            recv(from_partner) -> got => {
                assert_eq!(want % 2, 1);
                check(got.as_ref(), want);
            },
        }
        seq += 1;
    }
    // The unsent value of each select is dropped with it.
    assert_eq!(drops.load(Ordering::Relaxed), VALUES + VALUES / 2);
}

const KIB4: usize = 4 * 1024;
const KIB16: usize = 16 * 1024;
/// Go's limit: the largest element type a channel may have.
const GO_MAX: usize = 65_535;

fn unbuffered_4k(rt: Rt) {
    through::<KIB4>(rt, 0, Ops::Plain);
}
fn unbuffered_16k(rt: Rt) {
    through::<KIB16>(rt, 0, Ops::Plain);
}
fn unbuffered_go_max(rt: Rt) {
    through::<GO_MAX>(rt, 0, Ops::Plain);
}
fn one_slot_go_max(rt: Rt) {
    through::<GO_MAX>(rt, 1, Ops::Plain);
}
fn buffered_4k(rt: Rt) {
    through::<KIB4>(rt, 4, Ops::Plain);
}
fn buffered_16k(rt: Rt) {
    through::<KIB16>(rt, 4, Ops::Plain);
}
fn buffered_go_max(rt: Rt) {
    through::<GO_MAX>(rt, 4, Ops::Plain);
}
fn select_unbuffered_4k(rt: Rt) {
    through::<KIB4>(rt, 0, Ops::Select);
}
fn select_unbuffered_16k(rt: Rt) {
    through::<KIB16>(rt, 0, Ops::Select);
}
fn select_unbuffered_go_max(rt: Rt) {
    through::<GO_MAX>(rt, 0, Ops::Select);
}
fn select_buffered_go_max(rt: Rt) {
    through::<GO_MAX>(rt, 3, Ops::Select);
}
fn select_both_ways_go_max(rt: Rt) {
    select_both_ways::<GO_MAX>(rt);
}

all_modes!(
    unbuffered_4k,
    unbuffered_16k,
    unbuffered_go_max,
    one_slot_go_max,
    buffered_4k,
    buffered_16k,
    buffered_go_max,
    select_unbuffered_4k,
    select_unbuffered_16k,
    select_unbuffered_go_max,
    select_buffered_go_max,
    select_both_ways_go_max,
);
