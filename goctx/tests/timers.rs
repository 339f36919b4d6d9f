//! Deadlines are gosched timers, not threads: a thousand contexts with
//! deadlines add no OS thread a deadline, on a goroutine (the runtime's
//! timer heap) or on a plain thread (gosched's one timer thread; at most
//! one M a P of the default runtime their goroutines run on), and every
//! one of them expires with `DeadlineExceeded`. Its own binary, so that no other test
//! starts threads meanwhile. And a goroutine waiting for a deadline set on
//! a plain thread is not taken for a deadlock.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use goctx::{Context, Error, background, with_deadline};

const CONTEXTS: usize = 1000;

/// OS threads of this process (`Threads:` of `/proc/self/status`).
fn os_threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a Threads: line")
}

/// [`os_threads`] once it stops changing (threads of a finished runtime
/// may still be exiting).
fn settled_threads() -> usize {
    let mut last = os_threads();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let now = os_threads();
        if now == last {
            return now;
        }
        last = now;
    }
}

/// The tests take turns, so each sees only its own threads.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A thousand contexts whose deadlines fall 20 to 60 ms from now.
fn thousand_deadlines() -> Vec<Context> {
    let start = Instant::now();
    (0..CONTEXTS)
        .map(|i| {
            let at = start + Duration::from_millis(20 + (i % 41) as u64);
            with_deadline(&background(), at).0
        })
        .collect()
}

fn all_exceed(contexts: &[Context]) {
    for ctx in contexts {
        assert_eq!(ctx.done().recv(), None);
        assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    }
}

#[test]
fn a_thousand_deadlines_on_a_plain_thread_add_no_thread() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Start gosched's timer thread, and the default runtime that runs a
    // fired deadline's goroutine (Go's `time.AfterFunc`), so neither is
    // counted as new.
    let (warm_up, _cancel) =
        with_deadline(&background(), Instant::now() + Duration::from_millis(1));
    all_exceed(&[warm_up]);
    let before = settled_threads();
    let contexts = thousand_deadlines();
    assert!(
        os_threads() <= before,
        "threads after setting {CONTEXTS} deadlines"
    );
    all_exceed(&contexts);
    // A thousand callback goroutines arriving together may wake the
    // default runtime's idle Ps and so start their Ms: one thread a P at
    // most, never one a deadline.
    let ps = std::thread::available_parallelism().map_or(1, |n| n.get());
    let after = os_threads();
    assert!(
        after <= before + ps,
        "{after} threads after {CONTEXTS} deadlines fired, {before} before ({ps} Ps)"
    );
}

#[test]
fn a_thousand_deadlines_on_a_goroutine_add_no_thread() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    gosched::Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let before = os_threads();
            let contexts = thousand_deadlines();
            let stats = gosched::sched_stats().expect("on a runtime");
            // Each deadline is on the runtime's heap, or has fired already
            // (a slow machine, valgrind): counted after the heap was read.
            let fired = contexts.iter().filter(|c| c.err().is_some()).count();
            assert!(
                stats.timers + fired >= CONTEXTS,
                "{} timers on the runtime's heap, {fired} fired",
                stats.timers
            );
            // A timer may wake an idle P, and so start its M: the runtime's
            // threads stay within its Ps (plus one), never one a deadline.
            let bound = |what: &str| {
                let ms = gosched::sched_stats().expect("on a runtime").threads;
                assert!(ms <= 3, "{ms} Ms {what}");
                assert!(os_threads() <= before + 2, "threads {what}");
            };
            bound("after setting the deadlines");
            all_exceed(&contexts);
            bound("after the deadlines fired");
        })
        .expect("the runtime runs");
}

#[test]
fn a_goroutine_waiting_for_a_deadline_set_on_a_thread_is_not_deadlocked() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Longer than the runtime's 100 ms deadlock grace.
    let (ctx, _cancel) = goctx::with_timeout(&background(), Duration::from_millis(300));
    let err = gosched::Runtime::new()
        .run(move || {
            ctx.done().recv();
            ctx.err()
        })
        .expect("not a deadlock: a timer will fire");
    assert_eq!(err, Some(Error::DeadlineExceeded));
}
