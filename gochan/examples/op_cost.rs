//! Uncontended channel operations on one thread, for counting instructions
//! with callgrind: load on the machine does not change the count, so it
//! compares two builds where timings under load would not.
//!
//! ```sh
//! cargo build --profile bench -p gochan --example op_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/op_cost send_recv_cap64 100000   # then with 0
//! ```
//!
//! Instructions an operation = (Ir at N − Ir at 0) / N, the program's start
//! and the channels' creation cancelling out. `op_cost list` names the
//! operations.

use std::hint::black_box;

use gochan::{Chan, make, select};
use tracing_subscriber::EnvFilter;

/// One operation, run `n` times on channels made before the loop.
type Op = fn(u64);

/// Channels the `close` operation makes, whatever its count.
const CLOSE_POOL: usize = 100_000;

const OPS: &[(&str, &str, Op)] = &[
    (
        "send_recv_cap64",
        "send + recv, capacity 64 (split lock: each under its half)",
        |n| send_recv(64, n),
    ),
    (
        "seq",
        "the bench's seq shape: 20 000 sends then 20 000 receives, a message",
        |n| {
            let c = make::<u64>(20_000);
            let mut left = n;
            while left > 0 {
                let k = left.min(20_000);
                for i in 0..k {
                    c.send(i);
                }
                for _ in 0..k {
                    black_box(c.recv());
                }
                left -= k;
            }
        },
    ),
    (
        "send_recv_cap1",
        "send + recv, capacity 1 (the whole lock each)",
        |n| send_recv(1, n),
    ),
    (
        "try_recv_empty_cap0",
        "try_recv on an empty unbuffered channel (lock-free failure)",
        |n| {
            let c = make::<u64>(0);
            for _ in 0..n {
                black_box(c.try_recv()).ok();
            }
        },
    ),
    (
        "try_recv_closed_cap4",
        "try_recv on a closed, drained buffered channel",
        |n| {
            let c = make::<u64>(4);
            c.close();
            for _ in 0..n {
                black_box(c.try_recv()).ok();
            }
        },
    ),
    (
        "try_send_full_cap1",
        "try_send on a full one-slot channel (lock-free failure)",
        |n| {
            let c = make::<u64>(1);
            c.send(0);
            for i in 0..n {
                black_box(c.try_send(i)).ok();
            }
        },
    ),
    (
        "close",
        "close a channel with capacity 1 (N up to 100 000; all runs make as many)",
        |n| {
            // Every run makes (and frees) the same channels, so that the
            // allocator's work cancels out of the difference.
            let chans: Vec<Chan<u64>> = (0..CLOSE_POOL).map(|_| make(1)).collect();
            for c in &chans[..n as usize] {
                c.close();
            }
            black_box(chans);
        },
    ),
    (
        "select_recv_4_ready",
        "select! receiving from one of four ready buffered channels (+ the send that refills it)",
        |n| {
            let c: [Chan<u64>; 4] = [make(8), make(8), make(8), make(8)];
            for ch in &c {
                ch.send(0);
            }
            for _ in 0..n {
                let (i, v) = select! {
                    recv(c[0]) -> v => (0, v),
                    recv(c[1]) -> v => (1, v),
                    recv(c[2]) -> v => (2, v),
                    recv(c[3]) -> v => (3, v),
                };
                c[i].send(black_box(v).unwrap_or(0));
            }
        },
    ),
    (
        "select_send_2_room",
        "select! with two send cases with room (+ the receive that empties it)",
        |n| {
            let c: [Chan<u64>; 2] = [make(8), make(8)];
            for i in 0..n {
                let k = select! {
                    send(c[0], i) => 0,
                    send(c[1], i) => 1,
                };
                black_box(c[k].recv());
            }
        },
    ),
    (
        "select_default_2_empty_cap1",
        "select! over two empty one-slot channels with default (the all-locks pass)",
        |n| select_default_over_empty(1, n),
    ),
    (
        "select_default_2_empty_cap4",
        "select! over two empty split channels with default (the all-locks pass)",
        |n| select_default_over_empty(4, n),
    ),
    (
        "go1_mpsc_cap0",
        "goroutines on one P: 4 senders, 1 receiver, unbuffered (a message)",
        |n| on_one_p(move || multi(0, n, 4, 1, false)),
    ),
    (
        "go1_mpmc_cap1",
        "goroutines on one P: 4 senders, 4 receivers, capacity 1 (a message)",
        |n| on_one_p(move || multi(1, n, 4, 4, false)),
    ),
    (
        "go1_select_both_cap0",
        "goroutines on one P: 4 select! senders, 4 select! receivers over 4 unbuffered channels",
        |n| on_one_p(move || multi(0, n, 4, 4, true)),
    ),
    (
        "go1_select_both_capN",
        "goroutines on one P: the same over 4 channels of capacity 20 000",
        |n| on_one_p(move || multi(20_000, n, 4, 4, true)),
    ),
];

/// `n` sends, each followed by a receive, on one channel of capacity `cap`.
fn send_recv(cap: usize, n: u64) {
    let c = make::<u64>(cap);
    for i in 0..n {
        c.send(i);
        black_box(c.recv());
    }
}

/// `n` selects with `default` over two empty channels of capacity `cap`:
/// no case looks ready, so each is the all-locks pass alone.
fn select_default_over_empty(cap: usize, n: u64) {
    let c: [Chan<u64>; 2] = [make(cap), make(cap)];
    for _ in 0..n {
        let k = select! {
            recv(c[0]) -> _ => 0,
            recv(c[1]) -> _ => 1,
            default => 2,
        };
        black_box(k);
    }
}

/// Runs `f` on a gosched runtime with one P, where the order in which
/// goroutines run, and so the instructions, repeat from run to run.
fn on_one_p(f: impl FnOnce() + Send + 'static) {
    gosched::Runtime::new()
        .gomaxprocs(1)
        .run(f)
        .expect("the shape completes");
}

/// The bench's multi-party shapes: `n` messages from `senders` goroutines
/// to `receivers` goroutines, over one channel of capacity `cap`, or with
/// `select!` over four.
fn multi(cap: usize, n: u64, senders: u64, receivers: u64, select: bool) {
    let chans: Vec<Chan<u64>> = (0..if select { 4 } else { 1 }).map(|_| make(cap)).collect();
    let wg = gosched::WaitGroup::new();
    for _ in 0..senders {
        let (c, wg) = (chans.clone(), wg.clone());
        wg.add(1);
        gosched::go(move || {
            for i in 0..n / senders {
                if select {
                    select! {
                        send(c[0], i) => {},
                        send(c[1], i) => {},
                        send(c[2], i) => {},
                        send(c[3], i) => {},
                    }
                } else {
                    c[0].send(i);
                }
            }
            wg.done();
        });
    }
    for _ in 0..receivers {
        let (c, wg) = (chans.clone(), wg.clone());
        wg.add(1);
        gosched::go(move || {
            for _ in 0..n / receivers {
                if select {
                    black_box(select! {
                        recv(c[0]) -> v => v,
                        recv(c[1]) -> v => v,
                        recv(c[2]) -> v => v,
                        recv(c[3]) -> v => v,
                    });
                } else {
                    black_box(c[0].recv());
                }
            }
            wg.done();
        });
    }
    wg.wait();
}

fn main() {
    // As in every example; with `RUST_LOG` unset every event is filtered
    // out, and a build's count stays comparable with another's.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "list".into());
    if name == "list" {
        for (name, what, _) in OPS {
            println!("{name:28} {what}");
        }
        return;
    }
    let n: u64 = args
        .next()
        .map_or(100_000, |s| s.parse().expect("N is a count"));
    let Some((_, _, op)) = OPS.iter().find(|(o, _, _)| *o == name) else {
        eprintln!("unknown operation `{name}` (`op_cost list` names them)");
        std::process::exit(2);
    };
    op(black_box(n));
}
