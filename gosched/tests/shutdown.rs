//! What becomes of goroutines when `run` returns (Go's die with the
//! process; ours stop at their next schedule point, and a goroutine woken
//! afterwards is not resumed), on GOMAXPROCS 1 and 2.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gosched::{Runtime, WaitGroup, WaitReason, go};

/// Go's goroutines die with the process when `main` returns. Ours stop at
/// their next schedule point after `run` returns: a yield, a `syscall`
/// (before or after the call), a park that would not even block (its
/// token already there), a sleep. Their Ms exit; nothing keeps running.
#[test]
fn goroutines_running_when_run_returns_stop_at_their_next_schedule_point() {
    type Step = fn();
    // A park that finds its token never gives up the P: with one P, main
    // would never run again, so that loop gets a P of its own.
    let steps: [(&str, Step, &[usize]); 4] = [
        ("yield_now", gosched::yield_now, &[1, 2]),
        (
            "syscall",
            || gosched::syscall(|| std::thread::sleep(Duration::from_micros(200))),
            &[1, 2],
        ),
        (
            "park with its token already there",
            || {
                gosched::Unparker::current().unpark();
                gosched::park(WaitReason::Other("token"));
            },
            &[2],
        ),
        (
            "sleep",
            || gosched::time::sleep(Duration::from_micros(200)),
            &[1, 2],
        ),
    ];
    for (what, step, procs) in steps {
        for &procs in procs {
            let count = Arc::new(AtomicU64::new(0));
            let (c, count_in) = (count.clone(), count.clone());
            let handle = Runtime::new()
                .gomaxprocs(procs)
                .run(move || {
                    go(move || {
                        loop {
                            c.fetch_add(1, Ordering::Relaxed);
                            step();
                        }
                    });
                    while count_in.load(Ordering::Relaxed) < 100 {
                        gosched::time::sleep(Duration::from_millis(1));
                    }
                    gosched::Handle::current().unwrap()
                })
                .unwrap();
            let t = Instant::now();
            while handle.stats().threads > 0 {
                assert!(
                    t.elapsed() < Duration::from_secs(5),
                    "{what}, GOMAXPROCS={procs}: {} Ms still running",
                    handle.stats().threads
                );
                std::thread::sleep(Duration::from_millis(1));
            }
            let stopped = count.load(Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(30));
            assert_eq!(
                count.load(Ordering::Relaxed),
                stopped,
                "{what}, GOMAXPROCS={procs}: a goroutine ran on after run returned"
            );
        }
    }
}

/// A goroutine left parked when `run` returns and woken afterwards (from a
/// thread, say by a late channel send) is not resumed: its runtime's Ms
/// drop it instead of running it.
#[test]
fn a_goroutine_woken_after_run_returns_never_runs() {
    for procs in [1, 2] {
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        let parked = Runtime::new()
            .gomaxprocs(procs)
            .run(move || {
                let slot = Arc::new(Mutex::new(None));
                let s = slot.clone();
                let wg = WaitGroup::new();
                wg.add(1);
                let w = wg.clone();
                go(move || {
                    *s.lock().unwrap() = Some(gosched::Unparker::current());
                    w.done();
                    gosched::park(WaitReason::Other("until after run"));
                    r.store(true, Ordering::Release);
                });
                wg.wait();
                slot.lock().unwrap().take().unwrap()
            })
            .unwrap();
        parked.unpark();
        std::thread::sleep(Duration::from_millis(50));
        assert!(!ran.load(Ordering::Acquire), "GOMAXPROCS={procs}");
    }
}
