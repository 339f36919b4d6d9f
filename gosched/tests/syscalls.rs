//! Syscalls (`runtime/proc.go: entersyscall, exitsyscall, retake`, Go
//! 1.27): a goroutine blocked in one gives its P up to the others, a
//! goroutine that loops over short ones cannot starve its P's timers, and
//! nesting, parking and yielding inside one behave.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::watchdog;
use gosched::{Runtime, WaitGroup, go};

/// A goroutine that only ever makes short syscalls holds its P between
/// them and never reaches the scheduler, which is where timers run. Go's
/// sysmon ends such a time slice after 10 ms by taking the P from the
/// syscall it is in (`sysretake`), however many syscalls came before.
#[test]
fn a_loop_of_short_syscalls_does_not_starve_a_timer_with_gomaxprocs_1() {
    let dog = watchdog("short syscalls against a timer", Duration::from_secs(20));
    let slept = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            // Idle first, so that sysmon has backed off to its 10 ms
            // tick: from then on it never sees one syscall twice.
            gosched::time::sleep(Duration::from_millis(50));
            let stop = Arc::new(AtomicBool::new(false));
            let s = stop.clone();
            go(move || {
                while !s.load(Ordering::Acquire) {
                    gosched::syscall(|| std::thread::sleep(Duration::from_micros(200)));
                }
            });
            gosched::yield_now(); // let the loop take the P
            let t = Instant::now();
            for _ in 0..50 {
                gosched::time::sleep(Duration::from_millis(1));
            }
            stop.store(true, Ordering::Release);
            t.elapsed()
        })
        .unwrap();
    dog.store(true, Ordering::Release);
    // Each sleep waits at most about one 10 ms time slice.
    assert!(
        slept < Duration::from_secs(5),
        "50 sleeps of 1 ms took {slept:?}"
    );
}

#[test]
fn a_long_syscall_does_not_stop_other_goroutines_with_gomaxprocs_1() {
    let (progress_during, handoffs, elapsed) = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let in_call = Arc::new(AtomicBool::new(false));
            let out_of_call = Arc::new(AtomicBool::new(false));
            let progress = Arc::new(AtomicU64::new(0));
            let wg = WaitGroup::new();
            let (i, o) = (in_call.clone(), out_of_call.clone());
            let t0 = Instant::now();
            wg.go(move || {
                gosched::syscall(|| {
                    i.store(true, Ordering::Release);
                    std::thread::sleep(Duration::from_millis(100));
                });
                o.store(true, Ordering::Release);
            });
            let (i, o, p) = (in_call.clone(), out_of_call.clone(), progress.clone());
            wg.go(move || {
                while !i.load(Ordering::Acquire) {
                    gosched::yield_now();
                }
                while !o.load(Ordering::Acquire) {
                    p.fetch_add(1, Ordering::Relaxed);
                    gosched::time::sleep(Duration::from_millis(1));
                }
            });
            wg.wait();
            (
                progress.load(Ordering::Relaxed),
                gosched::sched_stats().unwrap().handoffs,
                t0.elapsed(),
            )
        })
        .unwrap();
    assert!(
        progress_during >= 10,
        "only {progress_during} steps ran during the 100 ms syscall"
    );
    assert!(handoffs >= 1);
    assert!(elapsed >= Duration::from_millis(100));
}

#[test]
fn many_short_syscalls_race_with_retakes_and_all_finish() {
    // Syscalls around sysmon's 20 µs retake threshold, so exits race with
    // hand-offs; every goroutine finishes and none runs on two Ms at once.
    let (done, handoffs) = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let done = Arc::new(AtomicUsize::new(0));
            let wg = WaitGroup::new();
            for i in 0..200u64 {
                let done = done.clone();
                wg.go(move || {
                    let running = AtomicBool::new(false);
                    for k in 0..30u64 {
                        assert!(!running.swap(true, Ordering::AcqRel));
                        gosched::syscall(|| {
                            std::thread::sleep(Duration::from_micros((i * 7 + k * 13) % 60))
                        });
                        running.store(false, Ordering::Release);
                        if k % 5 == 0 {
                            gosched::yield_now();
                        }
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                });
            }
            wg.wait();
            (
                done.load(Ordering::Relaxed),
                gosched::sched_stats().unwrap().handoffs,
            )
        })
        .unwrap();
    assert_eq!(done, 200);
    assert!(handoffs > 0);
}

#[test]
fn parking_yielding_and_nesting_inside_a_syscall() {
    let v = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let wg = WaitGroup::new();
            wg.add(1);
            let w = wg.clone();
            go(move || {
                gosched::time::sleep(Duration::from_millis(5));
                w.done();
            });
            gosched::syscall(|| {
                wg.wait(); // parks the goroutine, not the P
                gosched::yield_now();
                gosched::time::sleep(Duration::from_millis(1));
                gosched::syscall(|| std::thread::sleep(Duration::from_millis(1))) // nested
            });
            // The runtime is still sound: more goroutines run to completion.
            let wg = WaitGroup::new();
            for _ in 0..100 {
                wg.go(gosched::yield_now);
            }
            wg.wait();
            gosched::syscall(|| 7)
        })
        .unwrap();
    assert_eq!(v, 7);
}
