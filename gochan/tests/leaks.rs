//! Section 3.4 of the notes ("Channel 各种操作导致阻塞和协程泄漏的场景"):
//! every blocking and leak scenario, on goroutines, shown blocked with Go's
//! wait reason by gosched's leak report (`gosched::leak::find`), and each
//! fixed version (a `select!` with a timeout, or a close) leaking none.
//! Also: a lone goroutine blocked on a nil channel is a deadlock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use gochan::{Chan, RecvTimeoutError, after, make, select, tick};
use gosched::leak::{GoroutineInfo, LeakReport, find};
use gosched::{GStatus, RunError, Runtime, WaitReason, go};

/// Runs `scenario` as `main` on a runtime; returns the leak report of the
/// goroutines it left behind (after a short grace to let them block).
fn leaks_of(scenario: impl FnOnce() + Send + 'static) -> Vec<GoroutineInfo> {
    Runtime::new()
        .gomaxprocs(2)
        .deadlock_detection(None)
        .run(move || {
            scenario();
            match find(Duration::from_millis(100), &[]) {
                Ok(()) => Vec::new(),
                Err(LeakReport { goroutines }) => goroutines,
            }
        })
        .expect("scenario runs")
}

/// Every leaked goroutine waits for `reason`; there are `n` of them.
fn assert_leaked(leaked: &[GoroutineInfo], n: usize, reason: WaitReason) {
    let report: String = leaked.iter().map(|g| format!("{g}\n")).collect();
    assert_eq!(leaked.len(), n, "leak report:\n{report}");
    for g in leaked {
        assert_eq!(g.status, GStatus::Waiting, "{g}");
        assert_eq!(g.wait_reason, Some(reason), "{g}");
    }
    // The dump reads like Go's: `goroutine N [chan send]:` (whole minutes
    // only from the first one on).
    if n > 0 {
        assert!(report.contains(&format!(" [{reason}]:\n")), "{report}");
    }
}

// --- Writes that block -----------------------------------------------------

#[test]
fn send_on_nil_channel_blocks() {
    let leaked = leaks_of(|| {
        go(|| Chan::<i32>::nil().send(1));
    });
    assert_leaked(&leaked, 1, WaitReason::ChanSendNilChan);
}

#[test]
fn unbuffered_send_without_reader_blocks() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(0);
        let c = ch.clone();
        go(move || c.send(1));
    });
    assert_leaked(&leaked, 1, WaitReason::ChanSend);
}

/// "每次来一个请求就开一个 go 协程往里面写数据，但是一直没有被读取": one
/// writer per request, nobody reads: every writer leaks.
#[test]
fn goroutine_per_request_writing_unread_channel_leaks_all() {
    let leaked = leaks_of(|| {
        let results = make::<u32>(0);
        for req in 0..10 {
            let r = results.clone();
            go(move || r.send(req));
        }
        // The handler takes the first answer only.
        assert!(results.recv().is_some());
    });
    assert_leaked(&leaked, 9, WaitReason::ChanSend);
}

#[test]
fn goroutine_per_request_fixed_with_buffer_or_timeout() {
    // Fix 1: a buffer as large as the number of writers.
    let leaked = leaks_of(|| {
        let results = make::<u32>(10);
        for req in 0..10 {
            let r = results.clone();
            go(move || r.send(req));
        }
        assert!(results.recv().is_some());
    });
    assert_leaked(&leaked, 0, WaitReason::ChanSend);
    // Fix 2: writers give up after a timeout.
    let leaked = leaks_of(|| {
        let results = make::<u32>(0);
        for req in 0..10 {
            let r = results.clone();
            go(move || {
                select! {
                    send(r, req) => {},
                    recv(after(Duration::from_millis(10))) -> _ => {},
                }
            });
        }
        assert!(results.recv().is_some());
    });
    assert_leaked(&leaked, 0, WaitReason::ChanSend);
}

/// "在缓冲 buffer 之内，不读取也不会导致阻塞": within the buffer nothing
/// blocks, even if nobody ever reads.
#[test]
fn buffered_send_within_capacity_does_not_block() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(3);
        let c = ch.clone();
        go(move || {
            for i in 0..3 {
                c.send(i);
            }
        });
    });
    assert_leaked(&leaked, 0, WaitReason::ChanSend);
}

/// "如果写数据超过了 buffer 还没有读取，那么继续写的时候就会阻塞": the
/// write past the buffer blocks and leaks the writer.
#[test]
fn buffered_send_past_capacity_blocks() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(3);
        let c = ch.clone();
        go(move || {
            for i in 0..4 {
                c.send(i);
            }
        });
    });
    assert_leaked(&leaked, 1, WaitReason::ChanSend);
}

#[test]
fn buffered_send_past_capacity_fixed_with_timeout() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(3);
        let c = ch.clone();
        go(move || {
            for i in 0..4 {
                if c.send_timeout(i, Duration::from_millis(10)).is_err() {
                    return;
                }
            }
        });
    });
    assert_leaked(&leaked, 0, WaitReason::ChanSend);
}

// --- Reads that block ------------------------------------------------------

#[test]
fn recv_on_nil_channel_blocks() {
    let leaked = leaks_of(|| {
        go(|| {
            Chan::<i32>::nil().recv();
        });
    });
    assert_leaked(&leaked, 1, WaitReason::ChanReceiveNilChan);
}

#[test]
fn unbuffered_recv_without_writer_blocks() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(0);
        let c = ch.clone();
        go(move || {
            c.recv();
        });
    });
    assert_leaked(&leaked, 1, WaitReason::ChanReceive);
}

#[test]
fn buffered_recv_on_empty_blocks() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(5);
        let c = ch.clone();
        go(move || {
            c.recv();
        });
    });
    assert_leaked(&leaked, 1, WaitReason::ChanReceive);
}

/// The fix for blocked readers: close the channel (they see `None`), or
/// select with a timeout.
#[test]
fn blocked_recv_fixed_with_close_or_timeout() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(0);
        for _ in 0..5 {
            let c = ch.clone();
            go(move || for _ in &c {});
        }
        ch.close();
    });
    assert_leaked(&leaked, 0, WaitReason::ChanReceive);
    let leaked = leaks_of(|| {
        let ch = make::<i32>(0);
        let c = ch.clone();
        go(move || {
            select! {
                recv(c) -> _ => {},
                recv(after(Duration::from_millis(10))) -> _ => {},
            }
        });
    });
    assert_leaked(&leaked, 0, WaitReason::ChanReceive);
}

#[test]
fn select_without_ready_case_blocks_with_select_reason() {
    let leaked = leaks_of(|| {
        let (a, b) = (make::<i32>(0), make::<i32>(1));
        go(move || {
            select! {
                recv(a) -> _ => {},
                send(b.clone(), 1) => {},
                send(b, 2) => {},
            }
        });
    });
    // b has room for one: the select completes. a alone would block:
    assert_leaked(&leaked, 0, WaitReason::Select);
    let leaked = leaks_of(|| {
        let a = make::<i32>(0);
        let nil = Chan::<i32>::nil();
        go(move || {
            select! {
                recv(a) -> _ => {},
                recv(nil) -> _ => {},
            }
        });
    });
    assert_leaked(&leaked, 1, WaitReason::Select);
}

#[test]
fn empty_select_blocks_forever() {
    let leaked = leaks_of(|| {
        go(|| select! {});
    });
    assert_leaked(&leaked, 1, WaitReason::SelectNoCases);
}

// --- close -----------------------------------------------------------------

/// "close channel 对 channel 阻塞是没有任何效果的": close never blocks and
/// values already buffered stay readable; nobody needs to read them (no
/// leak).
#[test]
fn close_does_not_block_and_buffered_values_survive() {
    let leaked = leaks_of(|| {
        let ch = make::<i32>(2);
        ch.send(1);
        ch.send(2);
        ch.close();
        assert_eq!((ch.recv(), ch.recv(), ch.recv()), (Some(1), Some(2), None));
    });
    assert_leaked(&leaked, 0, WaitReason::ChanSend);
}

/// "写了数据但是不读，直接 close，还是会阻塞的" is not what Go does: a
/// writer still blocked when the channel is closed panics with `send on
/// closed channel` (Go 1.27 `closechan` wakes it with `success = false`).
#[test]
fn close_with_blocked_writer_panics_the_writer() {
    let err = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let ch = make::<i32>(0);
            let c = ch.clone();
            go(move || c.send(1));
            gosched::time::sleep(Duration::from_millis(20));
            assert_eq!(ch.waiting(), (1, 0), "the writer is blocked");
            ch.close();
            gosched::time::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
    match err {
        RunError::Panic { message, .. } => assert_eq!(message, "send on closed channel"),
        other => panic!("expected the writer's panic, got {other}"),
    }
}

/// A lone goroutine blocked on a nil channel is a deadlock for gosched's
/// detector, with Go's wait reason in the dump.
#[test]
fn lone_goroutine_on_nil_channel_is_a_deadlock() {
    let err = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            Chan::<i32>::nil().recv();
        })
        .unwrap_err();
    match err {
        RunError::Deadlock { dump } => {
            assert!(dump.contains("[chan receive (nil chan)"), "{dump}");
        }
        other => panic!("expected a deadlock, got {other}"),
    }
    let err = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let ch = make::<()>(0);
            ch.send(());
        })
        .unwrap_err();
    assert!(
        matches!(&err, RunError::Deadlock { dump } if dump.contains("[chan send")),
        "{err}"
    );
}

// --- After `run` returns ---------------------------------------------------
//
// Go's program ends when `main` returns, so nothing can use a channel or a
// timer of it afterwards. A gosched runtime ends when `run` returns while
// the program goes on, and channels made inside it may outlive it. What
// happens then is decided, documented (crate docs, README "What differs")
// and shown here.

/// Counts drops of the values it is given.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A timer channel made on a runtime fires on that runtime's timers, which
/// are cleared when `run` returns: what has not fired by then never does
/// (and a receive on it blocks for good). Made outside any runtime, a timer
/// fires on gosched's timer thread.
#[test]
fn timer_of_a_finished_runtime_never_fires() {
    let (late, ticker) = Runtime::new()
        .run(|| {
            let ticker = tick(Duration::from_millis(2));
            ticker.recv();
            (after(Duration::from_millis(100)), ticker)
        })
        .expect("runs");
    // Let the runtime's threads wind down (a tick already firing as `run`
    // returned may still arrive), then take what came.
    std::thread::sleep(Duration::from_millis(50));
    let _ = ticker.try_recv();
    assert_eq!(
        late.recv_timeout(Duration::from_millis(300)),
        Err(RecvTimeoutError::Timeout),
        "the runtime's timers were cleared with it"
    );
    assert_eq!(
        ticker.recv_timeout(Duration::from_millis(50)),
        Err(RecvTimeoutError::Timeout),
        "a ticker stops with its runtime"
    );
    let fired = Runtime::new()
        .run(|| {
            let t = after(Duration::from_millis(1));
            t.recv()
        })
        .expect("runs");
    assert!(fired.is_some(), "fires while its runtime runs");
    assert!(
        after(Duration::from_millis(1)).recv().is_some(),
        "and outside any"
    );
}

/// A goroutine still blocked when `run` returns is abandoned with its stack
/// (gosched's rule: unwinding it on another thread could run arbitrary
/// drops at any point of the program). What it holds is never dropped. It
/// still waits in its channel's queue, so a send to it afterwards is
/// handed over; whether it then runs depends on whether one of the
/// finished runtime's Ms has yet to exit (`run` does not wait for them), so
/// only the hand-over is shown.
#[test]
fn values_held_by_an_abandoned_goroutine_are_never_dropped() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&drops);
    let later: Chan<Counted> = Runtime::new()
        .deadlock_detection(None)
        .run(move || {
            let now: Chan<Counted> = make(0);
            let later: Chan<Counted> = make(0);
            let (n, l) = (now.clone(), later.clone());
            go(move || {
                let held = n.recv();
                let _also = l.recv(); // blocks past the end of `run`
                drop(held);
            });
            now.send(Counted(counter));
            while later.waiting() != (0, 1) {
                gosched::yield_now();
            }
            later
        })
        .expect("runs");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "the received value is held"
    );
    assert_eq!(Arc::strong_count(&drops), 2, "by the abandoned goroutine");
    later.send(Counted(Arc::clone(&drops)));
    assert_eq!(later.waiting(), (0, 0), "the abandoned receiver took it");
}
