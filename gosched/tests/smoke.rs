//! Smoke tests: run, go, park/unpark, yield, sleep.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use gosched::{Runtime, WaitGroup, go};

#[test]
fn run_returns_main_value() {
    assert_eq!(Runtime::new().gomaxprocs(2).run(|| 7).unwrap(), 7);
}

#[test]
fn spawn_and_wait() {
    let n = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let c = Arc::new(AtomicUsize::new(0));
            let wg = WaitGroup::new();
            for _ in 0..10_000 {
                let c = c.clone();
                wg.go(move || {
                    c.fetch_add(1, Ordering::Relaxed);
                });
            }
            wg.wait();
            c.load(Ordering::Relaxed)
        })
        .unwrap();
    assert_eq!(n, 10_000);
}

#[test]
fn park_unpark_between_goroutines() {
    Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            for _ in 0..1000 {
                let me = gosched::park::current();
                let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let d2 = done.clone();
                go(move || {
                    d2.store(true, Ordering::Release);
                    me.unpark();
                });
                while !done.load(Ordering::Acquire) {
                    gosched::park(gosched::WaitReason::Other("test"));
                }
            }
        })
        .unwrap();
}

#[test]
fn sleep_on_goroutines() {
    let t = std::time::Instant::now();
    Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let wg = WaitGroup::new();
            for _ in 0..100 {
                wg.go(|| gosched::time::sleep(Duration::from_millis(20)));
            }
            wg.wait();
        })
        .unwrap();
    let e = t.elapsed();
    assert!(e >= Duration::from_millis(20), "{e:?}");
}
