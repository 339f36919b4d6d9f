//! A closed channel is ready in `select!` (Go 1.27 `runtime/select.go`:
//! `selectgo` polls a receive case as ready when its channel is closed,
//! and a send case on a closed channel as ready, to panic), and the choice
//! among ready cases is uniform. Go 1.27.3, on the shape of the first test
//! below (10 000 selects), took the closed case 5 051 times; a fast path
//! that skipped closed channels took it 0 times, so a worker draining a
//! busy channel beside a closed `done` channel took every item before it
//! noticed the cancel. Each scenario runs on threads, goroutines and mixed.
//!
//! The bounds are ten standard deviations (binomial, as Go's
//! `TestSelectFairness`) or a chi-square quantile of probability 10⁻⁹:
//! a fair select fails them about never, a select that favours one kind of
//! ready case fails them at once.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use common::Rt;
use gochan::{Chan, SEND_ON_CLOSED, make, select};

/// Asserts `hits` out of `trials` is within ten standard deviations of a
/// fair coin (Go's `TestSelectFairness` bound).
fn assert_fair_coin(what: &str, hits: usize, trials: usize) {
    let mean = trials as f64 / 2.0;
    let stddev = (trials as f64 * 0.25).sqrt();
    assert!(
        (hits as f64 - mean).abs() <= 10.0 * stddev,
        "{what}: {hits} of {trials}, expected {mean} ± {}",
        10.0 * stddev
    );
}

/// A closed unbuffered channel beside a buffered one
/// holding a value for every select. Go chooses each about half the time.
fn closed_beside_ready_is_chosen_half_the_time(_rt: Rt) {
    const TRIALS: usize = 10_000;
    let closed: Chan<u8> = make(0);
    closed.close();
    let ready: Chan<u8> = make(TRIALS + 1);
    for _ in 0..=TRIALS {
        ready.send(1);
    }
    let mut took_closed = 0;
    for _ in 0..TRIALS {
        select! {
            recv(closed) -> v => {
                assert_eq!(v, None);
                took_closed += 1;
            },
            recv(ready) -> v => assert_eq!(v, Some(1)),
        }
    }
    assert_fair_coin("closed case chosen", took_closed, TRIALS);
}

/// Five kinds of ready case, each kept ready throughout: a closed
/// unbuffered channel, a closed (split) buffered one, a (split) buffered
/// one with values, a one-slot one refilled after each take, and a send on
/// a (split) buffered channel with room. A chi-square test of uniformity,
/// 4 degrees of freedom, at probability 10⁻⁹ (47.9).
fn every_kind_of_ready_case_is_chosen_uniformly(_rt: Rt) {
    const TRIALS: usize = 15_000;
    let closed_unbuffered: Chan<u32> = make(0);
    closed_unbuffered.close();
    let closed_buffered: Chan<u32> = make(4);
    closed_buffered.close();
    let buffered: Chan<u32> = make(TRIALS);
    for i in 0..TRIALS as u32 {
        buffered.send(i);
    }
    let one_slot: Chan<u32> = make(1);
    one_slot.send(7);
    let room: Chan<u32> = make(TRIALS);
    let mut counts = [0usize; 5];
    for _ in 0..TRIALS {
        let chosen = select! {
            recv(closed_unbuffered) -> v => { assert_eq!(v, None); 0 },
            recv(closed_buffered) -> v => { assert_eq!(v, None); 1 },
            recv(buffered) -> v => { assert!(v.is_some()); 2 },
            recv(one_slot) -> v => { assert_eq!(v, Some(7)); one_slot.send(7); 3 },
            send(room, 9) => 4,
        };
        counts[chosen] += 1;
    }
    let expected = TRIALS as f64 / counts.len() as f64;
    let chi_square: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(
        chi_square < 47.9,
        "select is not uniform over ready cases: {counts:?} (chi-square {chi_square:.1})"
    );
}

/// Installs (once) a panic hook that keeps the expected `send on closed
/// channel` panics of these tests off stderr and passes every other panic
/// to the default hook.
fn quiet_send_on_closed_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied());
            if msg != Some(SEND_ON_CLOSED) {
                default(info);
            }
        }));
    });
}

/// `select { case closed <- 1: case <-ready: }`: Go 1.27.3 panicked in 533
/// of 1 000 runs. Here too about half the runs panic, with Go's message,
/// whether the closed channel is unbuffered or buffered (its send tries
/// the split lock's send half alone).
fn send_case_on_closed_channel_panics_half_the_time(_rt: Rt) {
    const RUNS: usize = 1_000;
    quiet_send_on_closed_panics();
    for cap in [0, 4] {
        let closed: Chan<u32> = make(cap);
        closed.close();
        let ready: Chan<u32> = make(RUNS);
        for i in 0..RUNS as u32 {
            ready.send(i);
        }
        let mut panics = 0;
        for _ in 0..RUNS {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                select! {
                    send(closed, 1) => unreachable!("a send on a closed channel never completes"),
                    recv(ready) -> v => assert!(v.is_some()),
                }
            }));
            if let Err(payload) = outcome {
                assert_eq!(
                    payload.downcast_ref::<String>().map(String::as_str),
                    Some(SEND_ON_CLOSED)
                );
                panics += 1;
            }
        }
        assert_fair_coin(&format!("cap {cap}: panics"), panics, RUNS);
    }
}

/// The pattern the notes teach for cancellation: workers drain a busy
/// channel in a `select!` beside a `done` channel. With `done` closed
/// before they start, each notices at its first or second select, rarely
/// later (a worker takes k items first with probability 2⁻⁽ᵏ⁺¹⁾; the bound
/// of 40 fails once in 2⁴⁰ runs). A select that ignored the closed channel
/// while work was ready took all 10 000 items.
fn workers_notice_a_closed_done_while_draining(rt: Rt) {
    const ITEMS: usize = 10_000;
    const WORKERS: usize = 4;
    let done: Chan<()> = make(0);
    done.close();
    let work: Chan<usize> = make(ITEMS);
    for i in 0..ITEMS {
        work.send(i);
    }
    let taken: Chan<usize> = make(WORKERS);
    for _ in 0..WORKERS {
        let (done, work, taken) = (done.clone(), work.clone(), taken.clone());
        rt.go(move || {
            let mut n = 0;
            loop {
                select! {
                    recv(done) -> _ => break,
                    recv(work) -> v => { assert!(v.is_some()); n += 1 },
                }
            }
            taken.send(n);
        });
    }
    for _ in 0..WORKERS {
        let n = taken.recv().expect("open");
        assert!(n < 40, "a worker took {n} items after `done` was closed");
    }
    assert!(work.len() > ITEMS - 40 * WORKERS);
}

/// The same, with `done` closed while two workers are busy draining
/// 100 000 items: they stop within a few selects of the close, leaving
/// most of the work (a select that preferred ready work left none).
fn workers_stop_soon_after_done_closes_mid_drain(rt: Rt) {
    const ITEMS: usize = 100_000;
    let done: Chan<()> = make(0);
    let work: Chan<usize> = make(ITEMS);
    for i in 0..ITEMS {
        work.send(i);
    }
    let stopped: Chan<()> = make(2);
    for _ in 0..2 {
        let (done, work, stopped) = (done.clone(), work.clone(), stopped.clone());
        rt.go(move || {
            loop {
                select! {
                    recv(done) -> _ => break,
                    recv(work) -> v => assert!(v.is_some()),
                }
            }
            stopped.send(());
        });
    }
    while work.len() > ITEMS - 1_000 {
        rt.yield_now();
    }
    done.close();
    let left_at_close = work.len();
    stopped.recv();
    stopped.recv();
    let left = work.len();
    assert!(
        left > left_at_close / 2,
        "{} items taken after the close ({left_at_close} were left)",
        left_at_close - left
    );
}

all_modes!(
    closed_beside_ready_is_chosen_half_the_time,
    every_kind_of_ready_case_is_chosen_uniformly,
    send_case_on_closed_channel_panics_half_the_time,
    workers_notice_a_closed_done_while_draining,
    workers_stop_soon_after_done_closes_mid_drain,
);
