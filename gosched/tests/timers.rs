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

/// How a test sets a timer.
type SetTimer = fn(Duration, Box<dyn FnOnce() + Send>);

/// For each timer: just before and just after it was set, its duration.
type Set = Vec<(Instant, Instant, Duration)>;

/// For each callback that ran: its timer's index, when it ran.
type Fired = Vec<(usize, Instant)>;

/// Sets 60 timers of 1..=40 ms with `set_timer` from the main goroutine of
/// a runtime with `procs` Ps; each callback first runs `check(main's id)`.
/// Returns when and for how long each was set, and which fired when.
fn fire_on_a_runtime(procs: usize, set_timer: SetTimer, check: fn(Option<u64>)) -> (Set, Fired) {
    let ds = durations(60);
    Runtime::new()
        .gomaxprocs(procs)
        .run(move || {
            let fired = Arc::new(Mutex::new(Vec::new()));
            let wg = WaitGroup::new();
            wg.add(ds.len() as i64);
            let mut set = Vec::new();
            let main = gosched::goid();
            for (i, d) in ds.iter().enumerate() {
                let (fired, wg) = (fired.clone(), wg.clone());
                let before = Instant::now();
                set_timer(
                    *d,
                    Box::new(move || {
                        check(main);
                        fired.lock().unwrap().push((i, Instant::now()));
                        wg.done();
                    }),
                );
                set.push((before, Instant::now(), *d));
            }
            wg.wait();
            let v = fired.lock().unwrap().clone();
            (set, v)
        })
        .unwrap()
}

/// Non-blocking callbacks run on the M that finds them due, off any
/// goroutine, one at a time, in deadline order, never early.
#[test]
fn nonblocking_timers_fire_in_order_and_not_early_on_a_runtime() {
    let (set, fired) = fire_on_a_runtime(
        2,
        |d, f| drop(gosched::time::after_func_nonblocking(d, f)),
        |_| {
            let thread = std::thread::current();
            assert!(thread.name().unwrap_or("").starts_with("gosched-m"));
            assert_eq!(gosched::goid(), None);
        },
    );
    check_in_order_not_early(&fired, &set);
}

#[test]
fn nonblocking_timers_fire_in_order_and_not_early_without_a_runtime() {
    let ds = durations(30);
    let fired = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut set = Vec::new();
    for (i, d) in ds.iter().enumerate() {
        let (fired, tx) = (fired.clone(), tx.clone());
        let before = Instant::now();
        gosched::time::after_func_nonblocking(*d, move || {
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

/// `after_func` starts each callback as a goroutine of its own (Go's
/// `goFunc`), never before its deadline; callbacks due together may then
/// run in any order, as in Go.
fn after_func_never_early(procs: usize) {
    let (set, fired) = fire_on_a_runtime(
        procs,
        |d, f| drop(gosched::time::after_func(d, f)),
        |main| {
            let me = gosched::goid();
            assert!(me.is_some() && me != main, "not a goroutine of its own");
        },
    );
    assert_eq!(fired.len(), set.len());
    for &(i, at) in &fired {
        let earliest = set[i].0 + set[i].2;
        assert!(at >= earliest, "timer {i} fired {:?} early", earliest - at);
    }
}

#[test]
fn after_func_runs_callbacks_in_goroutines_never_early() {
    after_func_never_early(1);
    after_func_never_early(2);
}

#[test]
fn after_func_without_a_runtime_runs_on_the_default_runtime() {
    let (tx, rx) = std::sync::mpsc::channel();
    let before = Instant::now();
    gosched::time::after_func(Duration::from_millis(5), move || {
        tx.send((gosched::goid(), Instant::now())).unwrap();
    });
    let (id, at) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(id.is_some());
    assert!(at >= before + Duration::from_millis(5));
}

/// Go: `tests/golden/afterfuncblocking`. A callback that sleeps an hour
/// holds up nothing: main's later 50 ms sleep returns on time.
#[test]
fn a_blocking_after_func_callback_does_not_stop_other_timers() {
    for procs in [1, 2] {
        let slept = Runtime::new()
            .gomaxprocs(procs)
            .run(|| {
                gosched::time::after_func(Duration::from_millis(1), || {
                    gosched::time::sleep(Duration::from_secs(3600));
                });
                gosched::time::sleep(Duration::from_millis(10));
                let start = Instant::now();
                gosched::time::sleep(Duration::from_millis(50));
                start.elapsed()
            })
            .unwrap();
        assert!(slept >= Duration::from_millis(50));
        assert!(
            slept < Duration::from_secs(2),
            "{slept:?} with GOMAXPROCS={procs}"
        );
    }
    // Off a runtime too: the blocked callback is a goroutine of the
    // default runtime, and the timer thread goes on.
    gosched::time::after_func(Duration::from_millis(1), || {
        gosched::time::sleep(Duration::from_secs(3600));
    });
    let (tx, rx) = std::sync::mpsc::channel();
    gosched::time::after_func(Duration::from_millis(20), move || tx.send(()).unwrap());
    rx.recv_timeout(Duration::from_secs(5)).unwrap();
}

/// Go: `tests/golden/sleepforever`. `Duration::MAX` sleeps without a
/// panic and without waking, on goroutines and threads; its pending timer
/// keeps the deadlock detector quiet, as in Go.
#[test]
fn sleep_duration_max_sleeps_forever() {
    for procs in [1, 2] {
        Runtime::new()
            .gomaxprocs(procs)
            .run(|| {
                let woke = Arc::new(AtomicBool::new(false));
                let w = woke.clone();
                gosched::go(move || {
                    gosched::time::sleep(Duration::MAX);
                    w.store(true, Ordering::Release);
                });
                gosched::time::sleep(Duration::from_millis(200));
                assert!(!woke.load(Ordering::Acquire), "the sleeper woke");
            })
            .unwrap();
    }
    // Main parks with no timer of its own while the only other goroutine
    // sleeps forever: Go reports no deadlock (a timer is pending), and nor
    // do we, well past the detector's grace. A plain thread ends it.
    let parked = Runtime::new()
        .gomaxprocs(1)
        .deadlock_detection(Some(Duration::from_millis(20)))
        .run(|| {
            gosched::go(|| gosched::time::sleep(Duration::MAX));
            let me = gosched::Unparker::current();
            let done = Arc::new(AtomicBool::new(false));
            let d = done.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                d.store(true, Ordering::Release);
                me.unpark();
            });
            while !done.load(Ordering::Acquire) {
                gosched::park(gosched::WaitReason::Other("until a thread says"));
            }
        });
    assert!(parked.is_ok(), "{parked:?}");
    // A thread, and park_timeout with no timeout worth the name.
    let woke = Arc::new(AtomicBool::new(false));
    let w = woke.clone();
    std::thread::spawn(move || {
        gosched::time::sleep(Duration::MAX);
        w.store(true, Ordering::Release);
    });
    Runtime::new()
        .run(|| {
            let me = gosched::Unparker::current();
            gosched::go(move || me.unpark());
            gosched::park_timeout(gosched::WaitReason::Other("t"), Duration::MAX);
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(!woke.load(Ordering::Acquire));
    // A leak check that may wait forever.
    Runtime::new()
        .run(|| gosched::leak::find(Duration::MAX, &[]).unwrap())
        .unwrap();
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
            // The callback's goroutine runs once the timer is due; how soon
            // after depends on the machine (a loaded one, or valgrind, can
            // wake the M late enough that main's own wake-up comes due in
            // the same check and runs first), so wait for it.
            let deadline = Instant::now() + Duration::from_secs(10);
            while !f2.load(Ordering::Acquire) && Instant::now() < deadline {
                gosched::time::sleep(Duration::from_millis(1));
            }
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
            let me = gosched::Unparker::current();
            for _ in 0..10_000 {
                me.unpark_by_ref();
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
