//! Scheduler behaviour: many goroutines, spawn chains, work stealing,
//! runnext hand-offs, global-queue fairness (syscalls: `tests/syscalls.rs`)
//! (`runtime/proc_test.go`-style scenarios, Go 1.27).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::watchdog;
use gosched::{Runtime, WaitGroup, WaitReason, go};

/// A million goroutines, in every build (about 2.5 s in a debug build on
/// a 2-core machine, well under a second in release).
#[test]
fn a_million_short_goroutines_all_complete() {
    let n: u64 = 1_000_000;
    let (sum, stats) = Runtime::new()
        .gomaxprocs(2)
        .run(move || {
            let sum = Arc::new(AtomicU64::new(0));
            let wg = WaitGroup::new();
            wg.add(n as i64);
            for i in 0..n {
                let (sum, wg) = (sum.clone(), wg.clone());
                go(move || {
                    sum.fetch_add(i, Ordering::Relaxed);
                    wg.done();
                });
            }
            wg.wait();
            (sum.load(Ordering::Relaxed), gosched::sched_stats().unwrap())
        })
        .unwrap();
    assert_eq!(sum, n * (n - 1) / 2);
    assert_eq!(stats.spawned, n + 1);
}

/// A dead goroutine's G, with its stack, goes to its P's free list and
/// the next spawn takes it back (Go's `gfput`/`gfget`): spawning 100 000
/// short goroutines, at most 1 000 alive at once, on 2 Ps makes about as
/// many Gs as were alive at once, not one per goroutine.
#[test]
fn a_spawn_loop_reuses_dead_gs() {
    let stats = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            for _ in 0..100 {
                let wg = WaitGroup::new();
                wg.add(1000);
                for _ in 0..1000 {
                    let wg = wg.clone();
                    go(move || wg.done());
                }
                wg.wait();
            }
            gosched::sched_stats().unwrap()
        })
        .unwrap();
    assert!(stats.spawned > 100_000);
    assert!(
        stats.gs_made < 2_000,
        "{} Gs made for {} goroutines",
        stats.gs_made,
        stats.spawned
    );
}

/// A goroutine that only spawns never parks or yields, but its time slice
/// still ends (Go's prologue check at each call, here at each `go`): on
/// one P, what it spawned gets to run.
#[test]
fn a_spawn_loop_is_preempted_when_its_time_slice_ends() {
    let done = watchdog("spawn loop preemption", Duration::from_secs(60));
    let ran = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            go(move || r.store(true, Ordering::Release));
            let t = Instant::now();
            while !ran.load(Ordering::Acquire) && t.elapsed() < Duration::from_secs(5) {
                go(|| {});
            }
            ran.load(Ordering::Acquire)
        })
        .unwrap();
    done.store(true, Ordering::Release);
    assert!(ran, "the spawning goroutine kept its P for 5 s");
}

#[test]
fn a_chain_of_goroutines_spawning_goroutines() {
    const DEPTH: u64 = 10_000;
    fn link(left: u64, seen: Arc<Mutex<Vec<u64>>>, wg: WaitGroup) {
        seen.lock().unwrap().push(gosched::goid().unwrap());
        if left == 0 {
            wg.done();
        } else {
            go(move || link(left - 1, seen, wg));
        }
    }
    let ids = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let wg = WaitGroup::new();
            wg.add(1);
            let (s, w) = (seen.clone(), wg.clone());
            go(move || link(DEPTH, s, w));
            wg.wait();
            seen.lock().unwrap().clone()
        })
        .unwrap();
    assert_eq!(ids.len() as u64, DEPTH + 1);
    // Each link is a new goroutine with a fresh id (ids come from per-P
    // batches, Go's `goidcache`, so they are unique but not ordered across
    // Ps), though each link's G is the previous one's, reused.
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len());
}

#[test]
fn work_spreads_across_ps_by_stealing() {
    let (stats, threads) = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let threads = Arc::new(Mutex::new(std::collections::HashSet::new()));
            // 200 goroutines fit in the spawner's local queue (no overflow to
            // the global queue), so the other P can only get work by
            // stealing. Each spins 50 µs, 10 ms in all; on a machine so busy
            // that the second M never got a CPU meanwhile, try again.
            for _round in 0..5 {
                let wg = WaitGroup::new();
                for _ in 0..200 {
                    let threads = threads.clone();
                    wg.go(move || {
                        let t = Instant::now();
                        while t.elapsed() < Duration::from_micros(50) {
                            std::hint::spin_loop();
                        }
                        threads.lock().unwrap().insert(std::thread::current().id());
                    });
                }
                wg.wait();
                if gosched::sched_stats().unwrap().steals > 0 {
                    break;
                }
            }
            let n = threads.lock().unwrap().len();
            (gosched::sched_stats().unwrap(), n)
        })
        .unwrap();
    assert!(stats.steals > 0, "{stats:?}");
    assert!(stats.stolen_goroutines >= stats.steals);
    assert!(threads >= 2, "all work ran on one M");
}

#[test]
fn runnext_ping_pong_stays_on_one_p() {
    const ROUNDS: usize = 20_000;
    let (same, total) = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            // Two goroutines hand a token back and forth with park/unpark;
            // the woken one goes to runnext of the waker's P, so both keep
            // running on the waker's M.
            let turn = Arc::new(AtomicUsize::new(0));
            let slots: Arc<[Mutex<Option<gosched::Unparker>>; 2]> =
                Arc::new([Mutex::new(None), Mutex::new(None)]);
            let same = Arc::new(AtomicUsize::new(0));
            let total = Arc::new(AtomicUsize::new(0));
            let last_thread = Arc::new(Mutex::new(None));
            let wg = WaitGroup::new();
            for me in 0..2 {
                let (turn, slots, same, total, last) = (
                    turn.clone(),
                    slots.clone(),
                    same.clone(),
                    total.clone(),
                    last_thread.clone(),
                );
                wg.go(move || {
                    *slots[me].lock().unwrap() = Some(gosched::Unparker::current());
                    for _ in 0..ROUNDS {
                        while turn.load(Ordering::Acquire) % 2 != me {
                            gosched::park(WaitReason::Other("ping-pong"));
                        }
                        let tid = std::thread::current().id();
                        let mut l = last.lock().unwrap();
                        if *l == Some(tid) {
                            same.fetch_add(1, Ordering::Relaxed);
                        }
                        *l = Some(tid);
                        drop(l);
                        total.fetch_add(1, Ordering::Relaxed);
                        turn.fetch_add(1, Ordering::AcqRel);
                        loop {
                            if let Some(u) = slots[1 - me].lock().unwrap().as_ref() {
                                u.unpark_by_ref();
                                break;
                            }
                            gosched::yield_now();
                        }
                    }
                });
            }
            wg.wait();
            (same.load(Ordering::Relaxed), total.load(Ordering::Relaxed))
        })
        .unwrap();
    assert_eq!(total, 2 * ROUNDS);
    // Nearly every hand-off resumes on the same M (a thief may take runnext
    // now and then, after Go's 3 µs grace).
    assert!(
        same * 10 >= total * 9,
        "only {same} of {total} hand-offs stayed on one M"
    );
}

#[test]
fn a_self_respawning_goroutine_cannot_starve_a_queued_one() {
    let dog = watchdog("fairness", Duration::from_secs(20));
    let respawns = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let stop = Arc::new(AtomicBool::new(false));
            let count = Arc::new(AtomicU64::new(0));
            fn hog(stop: Arc<AtomicBool>, count: Arc<AtomicU64>) {
                if !stop.load(Ordering::Acquire) {
                    count.fetch_add(1, Ordering::Relaxed);
                    let (s, c) = (stop.clone(), count.clone());
                    go(move || hog(s, c));
                }
            }
            let (s, c) = (stop.clone(), count.clone());
            go(move || hog(s, c));
            // Main goes to the back of the global queue; the hog's chain
            // hands its time slice from child to child through runnext.
            // Go's sysmon ends that slice after 10 ms; so does ours.
            gosched::yield_now();
            stop.store(true, Ordering::Release);
            count.load(Ordering::Relaxed)
        })
        .unwrap();
    dog.store(true, Ordering::Release);
    assert!(respawns > 0);
}

#[test]
#[cfg_attr(
    feature = "chaos",
    ignore = "the chaos schedule's yields fill the global queue faster than one G in 61 ticks drains it"
)]
fn the_global_queue_is_polled_while_local_work_never_runs_out() {
    let dog = watchdog("global queue poll", Duration::from_secs(20));
    let ran_at = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            // 100 goroutines that each spin ~20 µs and re-queue themselves
            // on the local queue (not runnext, which a fresh spawn would
            // take), so the local queue is never empty; a goroutine spawned
            // from a plain thread waits in the global queue and must get
            // its turn within 61 schedule ticks.
            let stop = Arc::new(AtomicBool::new(false));
            let ticks = Arc::new(AtomicU64::new(0));
            fn worker(stop: Arc<AtomicBool>, ticks: Arc<AtomicU64>) {
                let t = Instant::now();
                while t.elapsed() < Duration::from_micros(20) {
                    std::hint::spin_loop();
                }
                ticks.fetch_add(1, Ordering::Relaxed);
                if !stop.load(Ordering::Acquire) {
                    let (s, c) = (stop.clone(), ticks.clone());
                    // Two spawns: the second kicks the first out of runnext
                    // into the local queue; the first returns at once.
                    go(move || worker(s, c));
                    go(|| {});
                }
            }
            for _ in 0..100 {
                let (s, c) = (stop.clone(), ticks.clone());
                go(move || worker(s, c));
            }
            let h = gosched::Handle::current().unwrap();
            let ran_at = Arc::new(AtomicU64::new(0));
            let done = WaitGroup::new();
            done.add(1);
            let (r, t, d) = (ran_at.clone(), ticks.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                let start = t.load(Ordering::Relaxed);
                h.spawn(move || {
                    r.store(t.load(Ordering::Relaxed) - start + 1, Ordering::Relaxed);
                    d.done();
                });
            });
            done.wait();
            stop.store(true, Ordering::Release);
            ran_at.load(Ordering::Relaxed)
        })
        .unwrap();
    dog.store(true, Ordering::Release);
    // Within 61 schedule ticks (plus slack for the ticks counted while the
    // spawn itself was in flight).
    assert!(
        ran_at > 0 && ran_at <= 2 * 61,
        "queued goroutine waited {ran_at} worker runs"
    );
}

#[test]
fn park_and_unpark_across_goroutines_and_threads() {
    Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            // goroutine waits for a thread
            let flag = Arc::new(AtomicBool::new(false));
            let me = gosched::Unparker::current();
            assert!(me.goid().is_some());
            let f = flag.clone();
            let t = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                f.store(true, Ordering::Release);
                me.unpark();
            });
            while !flag.load(Ordering::Acquire) {
                gosched::park(WaitReason::Other("thread"));
            }
            t.join().unwrap();
            // thread waits for a goroutine
            let flag = Arc::new(AtomicBool::new(false));
            let f = flag.clone();
            let (tx, rx) = std::sync::mpsc::channel();
            let t = std::thread::spawn(move || {
                tx.send(gosched::Unparker::current()).unwrap();
                assert!(gosched::Unparker::current().goid().is_none());
                while !f.load(Ordering::Acquire) {
                    gosched::park(WaitReason::Other("goroutine"));
                }
            });
            let thread = rx.recv().unwrap();
            go(move || {
                flag.store(true, Ordering::Release);
                thread.unpark();
            });
            t.join().unwrap();
        })
        .unwrap();
}

#[test]
fn unpark_before_park_is_not_lost() {
    Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let me = gosched::Unparker::current();
            me.unpark_by_ref();
            me.unpark_by_ref(); // tokens do not accumulate
            gosched::park(WaitReason::Other("token")); // returns at once
            let t = Instant::now();
            gosched::park_timeout(WaitReason::Other("timeout"), Duration::from_millis(20));
            assert!(
                t.elapsed() >= Duration::from_millis(15),
                "second park consumed a second token"
            );
        })
        .unwrap();
}

#[test]
fn identity_and_counts() {
    Runtime::new()
        .gomaxprocs(3)
        .run(|| {
            assert_eq!(gosched::goid(), Some(1));
            assert_eq!(gosched::gomaxprocs(), 3);
            assert_eq!(gosched::num_goroutine(), 1);
            let gate = Arc::new(AtomicBool::new(false));
            let wg = WaitGroup::new();
            for _ in 0..5 {
                let gate = gate.clone();
                wg.go(move || {
                    while !gate.load(Ordering::Acquire) {
                        gosched::time::sleep(Duration::from_millis(1));
                    }
                });
            }
            assert_eq!(gosched::num_goroutine(), 6);
            gate.store(true, Ordering::Release);
            wg.wait();
            let t = Instant::now();
            while gosched::num_goroutine() > 1 && t.elapsed() < Duration::from_secs(5) {
                gosched::yield_now();
            }
            assert_eq!(gosched::num_goroutine(), 1);
        })
        .unwrap();
    assert_eq!(gosched::goid(), None);
}

#[test]
fn a_goroutine_running_over_10ms_is_noticed() {
    let stats = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(40) {
                std::hint::spin_loop();
            }
            gosched::sched_stats().unwrap()
        })
        .unwrap();
    assert!(stats.long_runners >= 1, "{stats:?}");
}

#[test]
fn yield_alternates_two_goroutines_on_one_p() {
    let log = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let log = Arc::new(Mutex::new(Vec::new()));
            let wg = WaitGroup::new();
            for who in 0..2 {
                let log = log.clone();
                wg.go(move || {
                    for _ in 0..5 {
                        log.lock().unwrap().push(who);
                        gosched::yield_now();
                    }
                });
            }
            wg.wait();
            log.lock().unwrap().clone()
        })
        .unwrap();
    assert_eq!(log.len(), 10);
    assert!(log.windows(2).all(|w| w[0] != w[1]), "{log:?}");
}

#[test]
fn go_outside_a_runtime_uses_the_default_runtime() {
    let (tx, rx) = std::sync::mpsc::channel();
    go(move || {
        let id = gosched::goid();
        let wg = WaitGroup::new();
        wg.go(|| gosched::time::sleep(Duration::from_millis(1)));
        wg.wait();
        tx.send(id).unwrap();
    });
    assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap().is_some());
}

#[test]
fn forty_thousand_parked_goroutines_use_guarded_and_unguarded_stacks() {
    // Past the guard-page budget (a third of vm.max_map_count, 21 843 by
    // default) stacks come from unguarded, canary-checked slabs; both kinds
    // must park and resume.
    const N: usize = 40_000;
    let woke = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let open = Arc::new(AtomicBool::new(false));
            let waiters = Arc::new(Mutex::new(Vec::with_capacity(N)));
            let parked = WaitGroup::new();
            let done = WaitGroup::new();
            let woke = Arc::new(AtomicUsize::new(0));
            for _ in 0..N {
                let (open, waiters, parked, done, woke) = (
                    open.clone(),
                    waiters.clone(),
                    parked.clone(),
                    done.clone(),
                    woke.clone(),
                );
                parked.add(1);
                done.add(1);
                go(move || {
                    waiters.lock().unwrap().push(gosched::Unparker::current());
                    parked.done();
                    while !open.load(Ordering::Acquire) {
                        gosched::park(WaitReason::Other("gate"));
                    }
                    woke.fetch_add(1, Ordering::Relaxed);
                    done.done();
                });
            }
            parked.wait();
            open.store(true, Ordering::Release);
            for u in waiters.lock().unwrap().drain(..) {
                u.unpark();
            }
            done.wait();
            woke.load(Ordering::Relaxed)
        })
        .unwrap();
    assert_eq!(woke, N);
}

#[test]
fn blocking_parts_called_from_plain_threads_park_the_thread() {
    Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let wg = WaitGroup::new();
            wg.add(1);
            let w = wg.clone();
            let t = std::thread::spawn(move || {
                let t0 = Instant::now();
                gosched::time::sleep(Duration::from_millis(10)); // parks the thread
                assert!(t0.elapsed() >= Duration::from_millis(10));
                w.wait(); // parks the thread until the goroutine is done
                gosched::yield_now(); // a thread yield
                assert_eq!(gosched::syscall(|| 5), 5);
            });
            go(move || {
                gosched::time::sleep(Duration::from_millis(30));
                wg.done();
            });
            while !t.is_finished() {
                gosched::time::sleep(Duration::from_millis(1));
            }
            t.join().unwrap();
        })
        .unwrap();
}

#[test]
fn a_nested_runtime_does_not_stall_the_outer_one() {
    let (inner, outer_ran) = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            go(move || r.store(true, Ordering::Release));
            // The inner runtime waits until the outer goroutine has run: it
            // can only run if the outer P was handed off while we block.
            let r = ran.clone();
            let inner = Runtime::new()
                .gomaxprocs(1)
                .run(move || {
                    while !r.load(Ordering::Acquire) {
                        gosched::time::sleep(Duration::from_millis(1));
                    }
                    gosched::goid()
                })
                .unwrap();
            (inner, ran.load(Ordering::Acquire))
        })
        .unwrap();
    assert_eq!(inner, Some(1));
    assert!(outer_ran);
}

/// A counting semaphore on the park contract (what gochan's wait queues do).
struct Sema {
    count: std::sync::atomic::AtomicI64,
    waiters: Mutex<std::collections::VecDeque<gosched::Unparker>>,
}

impl Sema {
    fn acquire(&self) {
        loop {
            let c = self.count.load(Ordering::Acquire);
            if c > 0 {
                if self
                    .count
                    .compare_exchange(c, c - 1, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            {
                let mut w = self.waiters.lock().unwrap();
                if self.count.load(Ordering::Acquire) > 0 {
                    continue;
                }
                w.push_back(gosched::Unparker::current());
            }
            gosched::park(WaitReason::SyncMutexLock);
        }
    }

    fn release(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
        let next = self.waiters.lock().unwrap().pop_front();
        if let Some(u) = next {
            u.unpark();
        }
    }
}

#[test]
fn no_wakeup_is_lost_when_goroutines_and_threads_race_to_unpark() {
    // 4 goroutines take 20 000 permits that 2 goroutines and 2 OS threads
    // hand out one by one. A lost wake-up leaves a consumer parked with
    // permits available: the run would end in the deadlock report (or hang
    // on the watchdog) instead of returning.
    const EACH: i64 = 5_000;
    let dog = watchdog("semaphore", Duration::from_secs(60));
    Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let sema = Arc::new(Sema {
                count: 0.into(),
                waiters: Mutex::new(Default::default()),
            });
            let consumers = WaitGroup::new();
            for _ in 0..4 {
                let sema = sema.clone();
                consumers.go(move || {
                    for _ in 0..EACH {
                        sema.acquire();
                    }
                });
            }
            let mut threads = Vec::new();
            for k in 0..4 {
                let sema = sema.clone();
                let produce = move || {
                    for i in 0..EACH {
                        sema.release();
                        if i % 64 == 0 {
                            gosched::yield_now();
                        }
                    }
                };
                if k < 2 {
                    go(produce);
                } else {
                    threads.push(std::thread::spawn(produce));
                }
            }
            consumers.wait();
            for t in threads {
                t.join().unwrap();
            }
            assert_eq!(sema.count.load(Ordering::Acquire), 0);
            gosched::sched_stats().unwrap().parks
        })
        .map(|parks| {
            assert!(
                parks > 100,
                "only {parks} parks: the race was not exercised"
            )
        })
        .unwrap();
    dog.store(true, Ordering::Release);
}
