//! Stress: N producers and M consumers over unbuffered and buffered
//! channels, producers closing through a coordinator once done; every
//! message is received exactly once (none lost, none duplicated). Runs on
//! threads, goroutines and mixed (producers on threads).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Rt, ms, sleep};
use gochan::{Chan, make, select};
use gosched::WaitGroup;

const PRODUCERS: usize = 4;
const CONSUMERS: usize = 3;
const PER_PRODUCER: usize = 5_000;

/// Consumers `range` over the channel; the coordinator closes it after the
/// producers finish. Counts every message's arrivals.
fn exactly_once(rt: Rt, cap: usize, consumers_select: bool) {
    let ch: Chan<usize> = make(cap);
    let results: Chan<Vec<usize>> = make(CONSUMERS);
    let producers = WaitGroup::new();
    for p in 0..PRODUCERS {
        producers.add(1);
        let (ch, wg) = (ch.clone(), producers.clone());
        rt.go_send(move || {
            for i in 0..PER_PRODUCER {
                ch.send(p * PER_PRODUCER + i);
            }
            wg.done();
        });
    }
    let quit: Chan<()> = make(0);
    for _ in 0..CONSUMERS {
        let (ch, results, quit) = (ch.clone(), results.clone(), quit.clone());
        rt.go(move || {
            let mut got = Vec::new();
            if consumers_select {
                // Receive through a select that also watches a channel
                // that never fires before the end.
                loop {
                    let v = select! {
                        recv(ch) -> v => v,
                        recv(quit) -> _ => unreachable!("quit is never sent on"),
                    };
                    match v {
                        Some(v) => got.push(v),
                        None => break,
                    }
                }
            } else {
                for v in &ch {
                    got.push(v);
                }
            }
            results.send(got);
        });
    }
    let closer = ch.clone();
    rt.go(move || {
        producers.wait();
        closer.close();
    });
    let mut seen = vec![0u8; PRODUCERS * PER_PRODUCER];
    for _ in 0..CONSUMERS {
        for v in results.recv().expect("consumer reports") {
            seen[v] += 1;
        }
    }
    let lost = seen.iter().filter(|&&n| n == 0).count();
    let duplicated = seen.iter().filter(|&&n| n > 1).count();
    assert_eq!(
        (lost, duplicated),
        (0, 0),
        "cap {cap}: lost {lost}, duplicated {duplicated}"
    );
    assert!(ch.is_closed());
    assert_eq!(ch.len(), 0);
}

fn unbuffered(rt: Rt) {
    exactly_once(rt, 0, false);
}
fn cap1(rt: Rt) {
    exactly_once(rt, 1, false);
}
fn buffered(rt: Rt) {
    exactly_once(rt, 64, false);
}
/// The smallest buffer whose lock is split into send and receive halves:
/// it fills and drains most often, so the halves' fast paths meet queued
/// senders and receivers (and Go's hand-offs under the whole lock) most.
fn smallest_split(rt: Rt) {
    exactly_once(rt, 2, false);
}
fn unbuffered_select(rt: Rt) {
    exactly_once(rt, 0, true);
}
fn buffered_select(rt: Rt) {
    exactly_once(rt, 7, true);
}

/// Per-producer FIFO: with one consumer, each producer's messages arrive in
/// the order sent (Go's channels are FIFO; senders queue in order).
fn per_producer_fifo(rt: Rt) {
    for cap in [0, 1, 2, 16] {
        let ch: Chan<(usize, usize)> = make(cap);
        for p in 0..PRODUCERS {
            let ch = ch.clone();
            rt.go_send(move || {
                for i in 0..PER_PRODUCER {
                    ch.send((p, i));
                }
            });
        }
        let mut next = [0usize; PRODUCERS];
        for _ in 0..PRODUCERS * PER_PRODUCER {
            let (p, i) = ch.recv().unwrap();
            assert_eq!(i, next[p], "cap {cap}: producer {p} out of order");
            next[p] += 1;
        }
    }
}

/// `close` racing senders and receivers mid-stream. A buffered channel's
/// fast paths check `closed` under one half of the lock while `close`
/// takes both: every send that reported success must be received exactly
/// once, every send after the close must report it (blocked senders
/// included), and receivers drain the buffer before they see the close.
fn close_races_with_sends(rt: Rt) {
    for cap in [0, 1, 2, 16] {
        let ch: Chan<usize> = make(cap);
        let sent: Chan<Vec<usize>> = make(PRODUCERS);
        for p in 0..PRODUCERS {
            let (ch, sent) = (ch.clone(), sent.clone());
            rt.go_send(move || {
                let mut delivered = Vec::new();
                for i in 0.. {
                    let v = p * 1_000_000_000 + i;
                    if ch.send_checked(v).is_err() {
                        break;
                    }
                    delivered.push(v);
                }
                sent.send(delivered);
            });
        }
        let received: Chan<Vec<usize>> = make(CONSUMERS);
        let count = Arc::new(AtomicUsize::new(0));
        for _ in 0..CONSUMERS {
            let (ch, received, count) = (ch.clone(), received.clone(), count.clone());
            rt.go(move || {
                let mut got = Vec::new();
                for v in &ch {
                    count.fetch_add(1, Ordering::Relaxed);
                    got.push(v);
                }
                received.send(got);
            });
        }
        // Close mid-stream: once messages flow, while producers still send.
        while count.load(Ordering::Relaxed) < 100 {
            sleep(ms(1));
        }
        ch.close();
        let mut sent_all: Vec<usize> = (0..PRODUCERS).flat_map(|_| sent.recv().unwrap()).collect();
        let mut received_all: Vec<usize> = (0..CONSUMERS)
            .flat_map(|_| received.recv().unwrap())
            .collect();
        sent_all.sort_unstable();
        received_all.sort_unstable();
        assert_eq!(
            received_all.len(),
            sent_all.len(),
            "cap {cap}: received vs successfully sent"
        );
        assert!(
            received_all == sent_all,
            "cap {cap}: a value lost or duplicated"
        );
        assert!(ch.try_send(0).is_err(), "cap {cap}: closed stays closed");
    }
}

all_modes!(
    unbuffered,
    cap1,
    buffered,
    smallest_split,
    unbuffered_select,
    buffered_select,
    per_producer_fifo,
    close_races_with_sends
);
