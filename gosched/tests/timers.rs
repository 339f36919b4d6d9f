//! Timers: order, lateness bounds, stop, sleep (`runtime/time.go`, Go 1.27).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gosched::{Runtime, WaitGroup};

/// Deterministic pseudo-random durations 1..=40 ms.
fn durations(n: usize) -> Vec<Duration> {
    let mut x: u64 = 0x2545_f491;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(1 + x % 40)
        })
        .collect()
}

/// `fired[k] = (timer index, when it fired)`; `set[i] = (just before and
/// just after timer i was set, its duration)`: its deadline lies in
/// `[before + d, after + d]`.
fn check_in_order_not_early(fired: &[(usize, Instant)], set: &[(Instant, Instant, Duration)]) {
    assert_eq!(fired.len(), set.len());
    for w in fired.windows(2) {
        let (a, b) = (w[0].0, w[1].0);
        assert!(
            set[a].0 + set[a].2 <= set[b].1 + set[b].2,
            "timer {a} fired after timer {b}, whose deadline is earlier"
        );
    }
    for &(i, at) in fired {
        let earliest = set[i].0 + set[i].2;
        assert!(at >= earliest, "timer {i} fired {:?} early", earliest - at);
    }
}

#[test]
fn after_func_timers_fire_in_order_and_not_early_on_a_runtime() {
    let ds = durations(60);
    let ds2 = ds.clone();
    let (set, fired) = Runtime::new()
        .gomaxprocs(2)
        .run(move || {
            let fired = Arc::new(Mutex::new(Vec::new()));
            let wg = WaitGroup::new();
            wg.add(ds2.len() as i64);
            let mut set = Vec::new();
            for (i, d) in ds2.iter().enumerate() {
                let (fired, wg) = (fired.clone(), wg.clone());
                let before = Instant::now();
                gosched::time::after_func(*d, move || {
                    fired.lock().unwrap().push((i, Instant::now()));
                    // Callbacks run on an M of this runtime.
                    assert!(
                        std::thread::current()
                            .name()
                            .unwrap_or("")
                            .starts_with("gosched-m")
                    );
                    wg.done();
                });
                set.push((before, Instant::now(), *d));
            }
            wg.wait();
            let v = fired.lock().unwrap().clone();
            (set, v)
        })
        .unwrap();
    check_in_order_not_early(&fired, &set);
}

#[test]
fn after_func_timers_fire_in_order_and_not_early_without_a_runtime() {
    let ds = durations(30);
    let fired = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut set = Vec::new();
    for (i, d) in ds.iter().enumerate() {
        let (fired, tx) = (fired.clone(), tx.clone());
        let before = Instant::now();
        gosched::time::after_func(*d, move || {
            fired.lock().unwrap().push((i, Instant::now()));
            tx.send(()).unwrap();
        });
        set.push((before, Instant::now(), *d));
    }
    for _ in 0..ds.len() {
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    let fired = fired.lock().unwrap().clone();
    check_in_order_not_early(&fired, &set);
}

#[test]
fn sleeping_goroutines_wake_no_earlier_than_asked() {
    let ds = durations(200);
    let ds2 = ds.clone();
    let early = Runtime::new()
        .gomaxprocs(2)
        .run(move || {
            let early = Arc::new(Mutex::new(Vec::new()));
            let wg = WaitGroup::new();
            for d in ds2 {
                let early = early.clone();
                wg.go(move || {
                    let t = Instant::now();
                    gosched::time::sleep(d);
                    if t.elapsed() < d {
                        early.lock().unwrap().push((d, t.elapsed()));
                    }
                });
            }
            wg.wait();
            early.lock().unwrap().clone()
        })
        .unwrap();
    assert!(early.is_empty(), "woke early: {early:?}");
}

#[test]
fn many_sleepers_share_a_few_threads() {
    let threads = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let wg = WaitGroup::new();
            for _ in 0..1000 {
                wg.go(|| gosched::time::sleep(Duration::from_millis(30)));
            }
            wg.wait();
            gosched::sched_stats().unwrap().threads
        })
        .unwrap();
    // No thread per timer: a handful of Ms serve 1000 sleepers.
    assert!(
        threads <= 8,
        "{threads} threads for 1000 sleeping goroutines"
    );
}

#[test]
fn a_stopped_timer_does_not_fire() {
    Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let fired = Arc::new(AtomicBool::new(false));
            let f = fired.clone();
            let t = gosched::time::after_func(Duration::from_millis(10), move || {
                f.store(true, Ordering::Release)
            });
            assert!(t.stop());
            assert!(!t.stop());
            gosched::time::sleep(Duration::from_millis(30));
            assert!(!fired.load(Ordering::Acquire));
            let f2 = Arc::new(AtomicBool::new(false));
            let f3 = f2.clone();
            let t2 = gosched::time::after_func(Duration::from_millis(1), move || {
                f3.store(true, Ordering::Release)
            });
            gosched::time::sleep(Duration::from_millis(20));
            assert!(f2.load(Ordering::Acquire));
            assert!(!t2.stop(), "stop after firing reports false");
        })
        .unwrap();
}

#[test]
fn park_timeout_returns_after_the_timeout() {
    Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let t = Instant::now();
            gosched::park_timeout(gosched::WaitReason::Other("t"), Duration::from_millis(15));
            // May return spuriously, never late by much; here nobody wakes it.
            assert!(t.elapsed() >= Duration::from_millis(15));
            assert!(t.elapsed() < Duration::from_secs(2));
        })
        .unwrap();
}

#[test]
fn woken_park_timeouts_do_not_pile_up_in_the_heap() {
    // 10 000 park_timeouts of an hour, each woken at once: their timers are
    // stopped, and the heap sweeps them instead of keeping 10 000 entries
    // for an hour.
    let t = Instant::now();
    let timers = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let me = gosched::park::current();
            for _ in 0..10_000 {
                me.unpark();
                gosched::park_timeout(gosched::WaitReason::Other("t"), Duration::from_secs(3600));
            }
            let n = gosched::sched_stats().unwrap().timers;
            gosched::time::sleep(Duration::from_millis(2));
            n
        })
        .unwrap();
    assert!(timers <= 200, "{timers} timers in the heap");
    assert!(t.elapsed() < Duration::from_secs(30));
}
