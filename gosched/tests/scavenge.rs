//! Memory follows the live goroutines: after a burst, sysmon's scavenger
//! gives the dead goroutines' stack pages back (Go's background scavenger,
//! `runtime/mgcscavenge.go`, Go 1.27). Alone in its binary, so the
//! process's resident set is this test's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gosched::{Runtime, Unparker, WaitGroup, WaitReason, go};

/// Resident set size in bytes (`/proc/self/statm`).
fn rss() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = s.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn after_a_burst_the_resident_set_falls_back() {
    const N: usize = 20_000;
    let (base, peak, after, stats) = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let base = rss();
            let open = Arc::new(AtomicBool::new(false));
            let waiters = Arc::new(Mutex::new(Vec::with_capacity(N)));
            let parked = WaitGroup::new();
            let done = WaitGroup::new();
            parked.add(N as i64);
            done.add(N as i64);
            for _ in 0..N {
                let (open, waiters) = (open.clone(), waiters.clone());
                let (parked, done) = (parked.clone(), done.clone());
                go(move || {
                    // A few pages of stack each, as a deeper call chain would.
                    let frame = std::hint::black_box([1u8; 12 * 1024]);
                    waiters.lock().unwrap().push(Unparker::current());
                    parked.done();
                    while !open.load(Ordering::Acquire) {
                        gosched::park(WaitReason::Other("burst"));
                    }
                    std::hint::black_box(&frame);
                    done.done();
                });
            }
            parked.wait();
            let peak = rss();
            open.store(true, Ordering::Release);
            for u in std::mem::take(&mut *waiters.lock().unwrap()) {
                u.unpark();
            }
            done.wait();
            // A pass starts every second over what rested a whole second.
            let t = Instant::now();
            let mut after = rss();
            let scavenged = || gosched::sched_stats().unwrap().stacks_scavenged as usize;
            while (after > base + (peak - base) / 4 || scavenged() <= N / 4)
                && t.elapsed() < Duration::from_secs(10)
            {
                gosched::time::sleep(Duration::from_millis(20));
                after = rss();
            }
            (base, peak, after, gosched::sched_stats().unwrap())
        })
        .unwrap();
    let mb = |b: u64| b / (1 << 20);
    assert!(
        peak - base > (N as u64) * 12 * 1024,
        "the burst took {} MiB",
        mb(peak - base)
    );
    assert!(
        after < base + (peak - base) / 4,
        "RSS {} MiB before the burst, {} MiB at its peak, {} MiB 10 s after ({stats:?})",
        mb(base),
        mb(peak),
        mb(after)
    );
    assert!(stats.stacks_scavenged as usize > N / 4, "{stats:?}");
}
