//! Criterion benches for the scheduler, each beside its OS-thread peer in
//! the same group: spawn+join (goroutines, `std::thread`,
//! `crossbeam::scope`), spawn+exit throughput with 1, 2 and 4 Ps (beside
//! `std::thread`, `may`'s stackful coroutines and `tokio`'s stackless
//! tasks, each on 2 workers), yield ping (`yield_now` vs `std::thread::yield_now`
//! between two threads), park/ready round trip (goroutines vs
//! `std::thread::park`/`unpark`).
//!
//! ```text
//! cargo xtask bench sched -- --warm-up-time 1 --measurement-time 2
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gosched::{Runtime, WaitGroup, WaitReason};

const SPAWN: u64 = 100;

/// `iters` rounds, on a fresh runtime of `procs` Ps, of spawning `n`
/// goroutines that do nothing but `wg.Done()` and waiting for them all.
fn spawn_and_wait(procs: usize, n: usize, iters: u64) -> std::time::Duration {
    Runtime::new()
        .gomaxprocs(procs)
        .run(move || {
            let t = Instant::now();
            for _ in 0..iters {
                let wg = WaitGroup::new();
                wg.add(n as i64);
                for _ in 0..n {
                    let wg = wg.clone();
                    gosched::go(move || wg.done());
                }
                wg.wait();
            }
            t.elapsed()
        })
        .unwrap()
}

fn spawn_join(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn_join_100");
    g.bench_function("gosched", |b| {
        b.iter_custom(|iters| spawn_and_wait(2, SPAWN as usize, iters))
    });
    g.bench_function("std_thread", |b| {
        b.iter(|| {
            let hs: Vec<_> = (0..SPAWN)
                .map(|i| std::thread::spawn(move || black_box(i)))
                .collect();
            for h in hs {
                h.join().unwrap();
            }
        })
    });
    g.bench_function("crossbeam_scope", |b| {
        b.iter(|| {
            crossbeam::scope(|s| {
                for i in 0..SPAWN {
                    s.spawn(move |_| black_box(i));
                }
            })
            .unwrap()
        })
    });
    g.finish();
}

/// Goroutines (threads, coroutines, tasks) per iteration of `spawn_exit`.
const SPAWN_EXIT: usize = 1000;

/// Spawn+exit throughput: one spawner starts `SPAWN_EXIT` units of work
/// that do nothing and waits for them all, as `go wg.Done()` in a loop.
fn spawn_exit(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn_exit_1000");
    for procs in [1, 2, 4] {
        g.bench_function(format!("gosched_{procs}p"), |b| {
            b.iter_custom(|iters| spawn_and_wait(procs, SPAWN_EXIT, iters))
        });
    }
    g.bench_function("std_thread", |b| {
        b.iter(|| {
            let hs: Vec<_> = (0..SPAWN_EXIT)
                .map(|i| std::thread::spawn(move || black_box(i)))
                .collect();
            for h in hs {
                h.join().unwrap();
            }
        })
    });
    may::config().set_workers(2);
    g.bench_function("may_2_workers", |b| {
        b.iter(|| {
            let hs: Vec<_> = (0..SPAWN_EXIT)
                .map(|i| {
                    // SAFETY: may's contract for a coroutine: it touches no
                    // thread-local and stays far inside its stack (it
                    // returns its argument).
                    unsafe { may::coroutine::spawn(move || black_box(i)) }
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
        })
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    g.bench_function("tokio_2_workers", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hs: Vec<_> = (0..SPAWN_EXIT)
                    .map(|i| tokio::spawn(async move { black_box(i) }))
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    g.finish();
}

fn yield_ping(c: &mut Criterion) {
    let mut g = c.benchmark_group("yield_switch");
    g.bench_function("gosched_gomaxprocs1", |b| {
        b.iter_custom(|iters| {
            Runtime::new()
                .gomaxprocs(1)
                .run(move || {
                    let wg = WaitGroup::new();
                    let t = Instant::now();
                    for _ in 0..2 {
                        wg.go(move || {
                            for _ in 0..iters.div_ceil(2) {
                                gosched::yield_now();
                            }
                        });
                    }
                    wg.wait();
                    t.elapsed()
                })
                .unwrap()
        })
    });
    g.bench_function("std_thread_yield", |b| {
        // Two threads take turns through an atomic, yielding while waiting.
        b.iter_custom(|iters| {
            let turn = Arc::new(AtomicU64::new(0));
            let t = Instant::now();
            let hs: Vec<_> = (0..2u64)
                .map(|me| {
                    let turn = turn.clone();
                    std::thread::spawn(move || {
                        for _ in 0..iters.div_ceil(2) {
                            while turn.load(Ordering::Acquire) % 2 != me {
                                std::thread::yield_now();
                            }
                            turn.fetch_add(1, Ordering::AcqRel);
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            t.elapsed()
        })
    });
    g.finish();
}

/// A round trip: A readies B and parks; B readies A and parks.
fn ping_pong(iters: u64) -> Duration {
    let turn = Arc::new(AtomicU64::new(0));
    let slots: Arc<[std::sync::Mutex<Option<gosched::Unparker>>; 2]> =
        Arc::new([std::sync::Mutex::new(None), std::sync::Mutex::new(None)]);
    let ready = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let wg = WaitGroup::new();
    for me in 0..2u64 {
        let (turn, slots, ready) = (turn.clone(), slots.clone(), ready.clone());
        let body = move || {
            *slots[me as usize].lock().unwrap() = Some(gosched::Unparker::current());
            ready.fetch_add(1, Ordering::AcqRel);
            while ready.load(Ordering::Acquire) < 2 {
                gosched::yield_now();
            }
            let other = slots[1 - me as usize].lock().unwrap().clone().unwrap();
            for _ in 0..iters {
                while turn.load(Ordering::Acquire) % 2 != me {
                    gosched::park(WaitReason::Other("bench"));
                }
                turn.fetch_add(1, Ordering::AcqRel);
                other.unpark_by_ref();
            }
        };
        wg.go(body);
    }
    wg.wait();
    t.elapsed()
}

fn park_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("park_ready_round_trip");
    g.bench_function("gosched_gomaxprocs1", |b| {
        b.iter_custom(|iters| {
            Runtime::new()
                .gomaxprocs(1)
                .run(move || ping_pong(iters))
                .unwrap()
        })
    });
    g.bench_function("gosched_gomaxprocs2", |b| {
        b.iter_custom(|iters| {
            Runtime::new()
                .gomaxprocs(2)
                .run(move || ping_pong(iters))
                .unwrap()
        })
    });
    g.bench_function("std_thread", |b| {
        // The same code on two OS threads: park/unpark park the threads.
        b.iter_custom(|iters| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || tx.send(ping_pong_threads(iters)).unwrap());
            rx.recv().unwrap()
        })
    });
    g.finish();
}

fn ping_pong_threads(iters: u64) -> Duration {
    let turn = Arc::new(AtomicU64::new(0));
    let (tx0, rx0) = std::sync::mpsc::channel::<std::thread::Thread>();
    let (tx1, rx1) = std::sync::mpsc::channel::<std::thread::Thread>();
    let t = Instant::now();
    let hs: Vec<_> = [(0u64, tx0, rx1), (1u64, tx1, rx0)]
        .into_iter()
        .map(|(me, tx, rx)| {
            let turn = turn.clone();
            std::thread::spawn(move || {
                tx.send(std::thread::current()).unwrap();
                let other = rx.recv().unwrap();
                for _ in 0..iters {
                    while turn.load(Ordering::Acquire) % 2 != me {
                        std::thread::park();
                    }
                    turn.fetch_add(1, Ordering::AcqRel);
                    other.unpark();
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    t.elapsed()
}

criterion_group!(benches, spawn_join, spawn_exit, yield_ping, park_ready);
criterion_main!(benches);
