//! Go's channel rules, one test each (Go 1.27 spec and `runtime/chan.go`):
//! close rules and panic messages, nil channels, handles and views, the
//! full-buffer-with-waiting-senders handoff, timeouts, timer channels and
//! select corner cases. OS threads and goroutines both take part.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gochan::{
    Chan, CloseError, RecvChan, RecvTimeoutError, SendChan, SendTimeoutError, TryRecvError,
    TrySendError, after, make, select, tick,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Waits until `ch` has `senders` blocked senders and `receivers` blocked
/// receivers.
fn wait_for_waiters<T>(ch: &Chan<T>, senders: usize, receivers: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while ch.waiting() != (senders, receivers) {
        assert!(Instant::now() < deadline, "waiters: {:?}", ch.waiting());
        std::thread::sleep(ms(1));
    }
}

#[test]
#[should_panic(expected = "close of closed channel")]
fn close_of_closed_channel_panics() {
    let ch = make::<i32>(1);
    ch.close();
    ch.close();
}

#[test]
#[should_panic(expected = "close of nil channel")]
fn close_of_nil_channel_panics() {
    Chan::<i32>::nil().close();
}

#[test]
#[should_panic(expected = "send on closed channel")]
fn send_on_closed_channel_panics() {
    let ch = make::<i32>(1);
    ch.close();
    ch.send(1);
}

#[test]
#[should_panic(expected = "send on closed channel")]
fn select_send_on_closed_channel_panics() {
    let ch = make::<i32>(1);
    ch.close();
    select! {
        send(ch, 1) => {},
        default => {},
    }
}

#[test]
fn checked_variants_report_instead_of_panicking() {
    let ch = make::<String>(0);
    assert_eq!(Chan::<i32>::nil().close_checked(), Err(CloseError::Nil));
    assert_eq!(ch.close_checked(), Ok(()));
    assert_eq!(ch.close_checked(), Err(CloseError::Closed));
    assert_eq!(CloseError::Closed.to_string(), "close of closed channel");
    assert_eq!(CloseError::Nil.to_string(), "close of nil channel");
    let e = ch.send_checked("x".to_string()).unwrap_err();
    assert_eq!(
        (e.0.as_str(), e.to_string().as_str()),
        ("x", "send on closed channel")
    );
    assert_eq!(
        ch.try_send("y".into()),
        Err(TrySendError::Closed("y".into()))
    );
    assert_eq!(
        ch.send_timeout("z".into(), ms(1)),
        Err(SendTimeoutError::Closed("z".into()))
    );
    assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(ch.recv_timeout(ms(1)), Err(RecvTimeoutError::Closed));
}

/// Senders blocked when the close happens panic (here: get `Err` from the
/// checked variant, and the panicking one panics in its thread).
#[test]
fn senders_blocked_at_close_see_send_on_closed_channel() {
    for cap in [0usize, 2] {
        let ch = make::<usize>(cap);
        for i in 0..cap {
            ch.send(i);
        }
        let checked = {
            let ch = ch.clone();
            std::thread::spawn(move || ch.send_checked(99).map_err(|e| e.0))
        };
        let panicking = {
            let ch = ch.clone();
            std::thread::spawn(move || ch.send(100))
        };
        wait_for_waiters(&ch, 2, 0);
        ch.close();
        assert_eq!(checked.join().unwrap(), Err(99));
        let msg = panicking.join().unwrap_err();
        assert_eq!(
            msg.downcast_ref::<String>().map(String::as_str),
            Some("send on closed channel")
        );
        // The buffer still drains, then reports closed.
        let drained: Vec<usize> = ch.iter().collect();
        assert_eq!(drained, (0..cap).collect::<Vec<_>>());
    }
}

/// Every blocked receiver wakes on close, with `None`; the buffer drains
/// first.
#[test]
fn close_wakes_every_blocked_receiver() {
    let ch = make::<i32>(0);
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let ch = ch.clone();
            std::thread::spawn(move || ch.recv())
        })
        .collect();
    wait_for_waiters(&ch, 0, 5);
    ch.close();
    for h in handles {
        assert_eq!(h.join().unwrap(), None);
    }
}

/// Go's `recv` on a full buffer with waiting senders: the receiver takes
/// the head and the first waiting sender's value moves into the tail, so
/// values come out in send order.
#[test]
fn full_buffer_with_waiting_senders_keeps_fifo() {
    let ch = make::<i32>(2);
    ch.send(1);
    ch.send(2);
    let s3 = {
        let ch = ch.clone();
        std::thread::spawn(move || ch.send(3))
    };
    wait_for_waiters(&ch, 1, 0);
    let s4 = {
        let ch = ch.clone();
        std::thread::spawn(move || ch.send(4))
    };
    wait_for_waiters(&ch, 2, 0);
    assert_eq!(ch.recv(), Some(1));
    // Sender 3 completed by the receive: its value is in the buffer now.
    s3.join().unwrap();
    assert_eq!((ch.len(), ch.waiting()), (2, (1, 0)));
    assert_eq!(ch.recv(), Some(2));
    s4.join().unwrap();
    assert_eq!((ch.recv(), ch.recv()), (Some(3), Some(4)));
    assert_eq!(ch.len(), 0);
}

/// Unbuffered: the send completes only once a receiver has the value.
#[test]
fn unbuffered_send_completes_only_with_a_receiver() {
    let ch = make::<i32>(0);
    let done = Arc::new(AtomicUsize::new(0));
    let sender = {
        let (ch, done) = (ch.clone(), done.clone());
        std::thread::spawn(move || {
            ch.send(7);
            done.store(1, Ordering::SeqCst);
        })
    };
    wait_for_waiters(&ch, 1, 0);
    std::thread::sleep(ms(5));
    assert_eq!(
        done.load(Ordering::SeqCst),
        0,
        "send returned without a receiver"
    );
    assert_eq!(ch.recv(), Some(7));
    sender.join().unwrap();
    assert_eq!(done.load(Ordering::SeqCst), 1);
}

#[test]
fn nil_channel_never_ready() {
    let nil = Chan::<i32>::nil();
    assert!(nil.is_nil() && nil == Chan::default());
    assert_eq!((nil.len(), nil.cap()), (0, 0));
    assert_eq!(nil.try_send(1), Err(TrySendError::Full(1)));
    assert_eq!(nil.try_recv(), Err(TryRecvError::Empty));
    let t = Instant::now();
    assert_eq!(nil.recv_timeout(ms(5)), Err(RecvTimeoutError::Timeout));
    assert_eq!(
        nil.send_timeout(2, ms(5)),
        Err(SendTimeoutError::Timeout(2))
    );
    assert!(t.elapsed() >= ms(10));
    let ready = make::<i32>(1);
    ready.send(3);
    for _ in 0..100 {
        let got = select! {
            recv(nil) -> _ => unreachable!("nil case fired"),
            send(nil, 1) => unreachable!("nil case fired"),
            recv(ready) -> v => v,
        };
        assert_eq!(got, Some(3));
        ready.send(3);
    }
    let fired = select! {
        recv(nil) -> _ => true,
        default => false,
    };
    assert!(!fired);
}

/// A select over more distinct channels than it keeps guards for on the
/// stack (four): with `default` it locks and releases all seven; blocking,
/// it parks on all seven, takes the one a sender fills, and unlinks from
/// the other six.
#[test]
fn select_over_seven_channels_locks_and_releases_every_one() {
    let c: Vec<Chan<usize>> = (0..7).map(|i| make(i % 2)).collect();
    for round in 0..50 {
        let idle = select! {
            recv(c[0]) -> _ => 0, recv(c[1]) -> _ => 1, recv(c[2]) -> _ => 2,
            recv(c[3]) -> _ => 3, recv(c[4]) -> _ => 4, recv(c[5]) -> _ => 5,
            recv(c[6]) -> _ => 6,
            default => 7,
        };
        assert_eq!(idle, 7);
        let target = round % 7;
        let tx = c[target].clone();
        let sender = std::thread::spawn(move || tx.send(round));
        let got = select! {
            recv(c[0]) -> v => (0, v), recv(c[1]) -> v => (1, v), recv(c[2]) -> v => (2, v),
            recv(c[3]) -> v => (3, v), recv(c[4]) -> v => (4, v), recv(c[5]) -> v => (5, v),
            recv(c[6]) -> v => (6, v),
        };
        assert_eq!(got, (target, Some(round)));
        sender.join().unwrap();
        for ch in &c {
            assert_eq!(ch.waiting(), (0, 0), "a select case left linked");
        }
    }
}

#[test]
fn handles_views_and_identity() {
    let a = make::<i32>(3);
    let b = a.clone();
    let c = make::<i32>(3);
    assert!(a == b && a != c);
    let rx: RecvChan<i32> = a.clone().into();
    let tx: SendChan<i32> = b.send_only();
    assert!(rx == a && tx == a && rx == b.recv_only() && tx != c.send_only());
    #[allow(clippy::mutable_key_type)] // a Chan hashes by identity, which never changes
    let mut set = std::collections::HashSet::new();
    set.insert(a.clone());
    assert!(set.contains(&b) && !set.contains(&c));
    tx.send(1);
    assert_eq!((rx.len(), rx.cap(), tx.len()), (1, 3, 1));
    assert_eq!(rx.recv(), Some(1));
    // Dropping every handle but one never closes the channel.
    drop((b, tx));
    assert!(!a.is_closed());
    a.send(2);
    drop(rx);
    assert_eq!(a.recv(), Some(2));
    assert!(!a.is_closed());
}

#[test]
fn range_until_closed() {
    let ch = make::<i32>(0);
    let producer = {
        let ch = ch.clone();
        std::thread::spawn(move || {
            for i in 0..100 {
                ch.send(i);
            }
            ch.close();
        })
    };
    let mut sum = 0;
    for v in &ch {
        sum += v;
    }
    producer.join().unwrap();
    assert_eq!(sum, 4950);
}

#[test]
fn timeouts_return_the_value_and_leave_no_waiter() {
    let ch = make::<Box<i32>>(0);
    let t = Instant::now();
    let err = ch.send_timeout(Box::new(5), ms(10)).unwrap_err();
    assert!(t.elapsed() >= ms(10));
    assert_eq!(*err.into_inner(), 5);
    assert_eq!(ch.waiting(), (0, 0));
    assert_eq!(ch.recv_timeout(ms(5)), Err(RecvTimeoutError::Timeout));
    assert_eq!(ch.waiting(), (0, 0));
    // A partner within the timeout completes it.
    let sender = {
        let ch = ch.clone();
        std::thread::spawn(move || ch.send_timeout(Box::new(6), Duration::from_secs(10)))
    };
    assert_eq!(ch.recv_timeout(Duration::from_secs(10)).map(|b| *b), Ok(6));
    assert!(sender.join().unwrap().is_ok());
}

#[test]
fn after_and_tick() {
    let t = Instant::now();
    let timeout = select! {
        recv(make::<i32>(0)) -> _ => false,
        recv(after(ms(20))) -> at => at.unwrap() >= t + ms(20),
    };
    assert!(timeout);
    let a = after(ms(1));
    assert_eq!(
        (a.len(), a.cap()),
        (0, 0),
        "timer channels read len == cap == 0 (Go 1.23+)"
    );
    let ticker = tick(ms(2));
    let ticks: Vec<Instant> = (0..5).map(|_| ticker.recv().unwrap()).collect();
    assert!(ticks.windows(2).all(|w| w[1] > w[0]));
    assert!(tick(Duration::ZERO).is_nil(), "Go's Tick(0) is nil");
}

#[test]
fn select_default_and_expression_value() {
    let a = make::<i32>(1);
    let v = select! {
        recv(a) -> v => v.unwrap_or(-1),
        default => 0,
    };
    assert_eq!(v, 0);
    a.send(4);
    let v = select! {
        recv(a) -> v => v.unwrap_or(-1),
        default => 0,
    };
    assert_eq!(v, 4);
    // Only a default: runs it.
    let v = select! { default => 9 };
    assert_eq!(v, 9);
    // A closed channel is always ready, with None.
    a.close();
    let v = select! { recv(a) -> v => v };
    assert_eq!(v, None);
}

/// The chosen case among several ready ones is uniform: each of 4 ready
/// channels is picked about a quarter of the time.
#[test]
fn select_is_uniform_among_ready_cases() {
    let chans: Vec<Chan<usize>> = (0..4).map(|_| make(1)).collect();
    let mut counts = [0usize; 4];
    const TRIALS: usize = 40_000;
    for _ in 0..TRIALS {
        for (i, c) in chans.iter().enumerate() {
            let _ = c.try_send(i);
        }
        let i = select! {
            recv(chans[0]) -> v => v.unwrap(),
            recv(chans[1]) -> v => v.unwrap(),
            recv(chans[2]) -> v => v.unwrap(),
            recv(chans[3]) -> v => v.unwrap(),
        };
        counts[i] += 1;
    }
    // Binomial(40000, 1/4): sd ~ 87; allow 6 sd.
    for c in counts {
        assert!(
            (c as f64 - TRIALS as f64 / 4.0).abs() < 6.0 * 86.6,
            "{counts:?}"
        );
    }
}

/// Goroutines and threads on one channel: a thread receives what a
/// goroutine sends and the other way round.
#[test]
fn threads_and_goroutines_talk() {
    let to_thread = make::<u64>(0);
    let to_goroutine = make::<u64>(0);
    let (tt, tg) = (to_thread.clone(), to_goroutine.clone());
    let thread = std::thread::spawn(move || {
        let mut sum = 0;
        for _ in 0..1000 {
            let v = tt.recv().unwrap();
            sum += v;
            tg.send(v + 1);
        }
        sum
    });
    let got = gosched::Runtime::new()
        .gomaxprocs(2)
        .deadlock_detection(None)
        .run(move || {
            let mut v = 0;
            for _ in 0..1000 {
                to_thread.send(v);
                v = to_goroutine.recv().unwrap();
            }
            v
        })
        .unwrap();
    assert_eq!(got, 1000);
    assert_eq!(thread.join().unwrap(), (0..1000).sum::<u64>());
}

/// Values left in a buffer are dropped with the channel, exactly once, on
/// both kinds of buffer (capacity 1 keeps one lock, 2 and up split it) and
/// after the cursors have wrapped around.
#[test]
fn buffered_values_dropped_with_channel() {
    for cap in [1, 2, 5] {
        let counter = Arc::new(());
        let ch = make::<Arc<()>>(cap);
        for _ in 0..cap + 1 {
            ch.send(counter.clone());
            let _ = ch.recv();
        }
        for _ in 0..cap {
            ch.send(counter.clone());
        }
        let _ = ch.recv();
        assert_eq!(Arc::strong_count(&counter), cap, "cap {cap}");
        drop(ch);
        assert_eq!(Arc::strong_count(&counter), 1, "cap {cap}");
    }
}
