//! What Go's tests leave implicit, stated: Go's `String` forms, typed keys,
//! deadline clamping, timers stopped, the first cancellation winning,
//! unlinking under a long-lived parent, trees nobody cancels being freed,
//! chains of any depth, `select!` beside other channels, and the one Go
//! panic a `CustomContext` can still reach.

mod common;

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{errorf, other};
use gochan::{RecvChan, after, make, select};
use goctx::introspect::{linked_children, timer_armed};
use goctx::{
    AfterFuncStop, CancelCauseFunc, CancelFunc, CancelGuard, Cause, Context, ContextKey,
    CustomContext, Error, Key, Lookup, after_func, background, cause, with_cancel,
    with_cancel_cause, with_deadline, with_deadline_cause, with_timeout, with_timeout_cause,
    with_value, without_cancel,
};

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Context>();
    send_sync::<CancelFunc>();
    send_sync::<CancelCauseFunc>();
    send_sync::<CancelGuard>();
    send_sync::<AfterFuncStop>();
    send_sync::<Cause>();
    send_sync::<Error>();
    send_sync::<Key<std::cell::Cell<u8>>>();
}

/// `context.Background.WithDeadline(YYYY-MM-DD hh:mm:ss.fff +0000 UTC m=+0.5 [59m59.9s])`
/// split into its date, time, zone, monotonic and remaining parts.
fn deadline_parts(s: &str) -> (String, String) {
    let inner = s
        .strip_prefix("context.Background.WithDeadline(")
        .and_then(|r| r.strip_suffix("])"))
        .unwrap_or_else(|| panic!("not a deadline context: {s}"));
    let (time, remaining) = inner.split_once(" [").expect("a remaining duration");
    (time.to_string(), remaining.to_string())
}

#[test]
fn deadline_prints_as_go_time_and_remaining_duration() {
    let (ctx, _cancel) = with_timeout(&background(), Duration::from_secs(3600));
    let (time, remaining) = deadline_parts(&ctx.to_string());
    // `YYYY-MM-DD hh:mm:ss.fffffffff +0000 UTC m=+1.234567890`
    let fields: Vec<&str> = time.split(' ').collect();
    assert_eq!(fields.len(), 5, "{time}");
    assert_eq!(fields[0].len(), 10, "date {time}");
    assert!(
        fields[1].starts_with(|c: char| c.is_ascii_digit()),
        "{time}"
    );
    assert_eq!((fields[2], fields[3]), ("+0000", "UTC"), "{time}");
    let m = fields[4].strip_prefix("m=+").expect("monotonic reading");
    let (secs, frac) = m.split_once('.').expect("seconds.nanoseconds");
    assert!(secs.parse::<u64>().unwrap() >= 3599, "{m}");
    assert_eq!(frac.len(), 9, "{m}");
    // An hour away, seen a little later: `59m59.99…s`.
    assert!(
        remaining.starts_with("59m59.") && remaining.ends_with('s'),
        "{remaining}"
    );

    let (past, _cancel) =
        with_deadline(&background(), Instant::now() - Duration::from_millis(1500));
    let (_, remaining) = deadline_parts(&past.to_string());
    assert!(
        remaining.starts_with("-1.5") && remaining.ends_with('s'),
        "{remaining}"
    );
}

#[test]
fn string_forms_follow_the_chain() {
    #[derive(PartialEq)]
    struct UserId;
    impl ContextKey for UserId {
        type Value = u64;
    }
    const NAME: Key<&str> = Key::new("name");
    let ctx = with_value(&background(), NAME, "gopher");
    let ctx = with_value(&ctx, UserId, 7);
    let (ctx, _c) = with_cancel(&ctx);
    let ctx = without_cancel(&ctx);
    assert_eq!(
        ctx.to_string(),
        "context.Background.WithValue(name, gopher).WithValue(semantics::string_forms_follow_the_chain::UserId, u64)\
         .WithCancel.WithoutCancel"
    );
    assert_eq!(format!("{:?}", goctx::todo()), "Context(context.TODO)");
}

#[test]
fn typed_keys_compare_by_type_and_value() {
    const A: Key<u32> = Key::new("a");
    let ctx = with_value(&background(), A, 1);
    assert_eq!(ctx.value(&A), Some(&1));
    assert_eq!(ctx.value(&Key::<u32>::new("a")), Some(&1)); // the same key
    assert_eq!(ctx.value(&Key::<u64>::new("a")), None); // another value type
    assert_eq!(ctx.value(&Key::<u32>::new("b")), None); // another name
    // Through every kind of context.
    let (c, _cancel) = with_timeout(&ctx, Duration::from_secs(60));
    let c = without_cancel(&with_value(&c, Key::<u8>::new("x"), 0));
    let c = other(&c);
    assert_eq!(c.value(&A), Some(&1));
}

#[test]
fn a_later_deadline_than_the_parents_is_not_kept() {
    let soon = Instant::now() + Duration::from_secs(60);
    let (parent, _c1) = with_deadline(&background(), soon);
    let (child, _c2) = with_deadline(&parent, soon + Duration::from_secs(3600));
    assert_eq!(child.deadline(), Some(soon));
    assert!(child.to_string().ends_with(".WithCancel"), "{child}");
    assert!(!timer_armed(&child), "no timer of its own");
    assert!(timer_armed(&parent));
    // An earlier one is kept, with a timer of its own.
    let sooner = soon - Duration::from_secs(30);
    let (child, _c3) = with_deadline(&parent, sooner);
    assert_eq!(child.deadline(), Some(sooner));
    assert!(timer_armed(&child));
}

#[test]
fn the_timer_of_a_context_canceled_early_is_stopped() {
    let (ctx, cancel) = with_timeout(&background(), Duration::from_millis(30));
    assert!(timer_armed(&ctx));
    cancel.cancel();
    assert!(!timer_armed(&ctx));
    // Past the deadline, it stays canceled, not exceeded.
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(cause(&ctx), Some(Error::Canceled.into()));
    // A parent's cancel stops a child's timer too.
    let (parent, cancel) = with_cancel(&background());
    let (child, _c) = with_timeout(&parent, Duration::from_secs(60));
    assert!(timer_armed(&child));
    cancel.cancel();
    assert!(!timer_armed(&child));
}

#[test]
fn a_deadline_that_fires_records_its_cause_and_disarms() {
    let why = errorf("too slow");
    let (ctx, cancel) =
        with_timeout_cause(&background(), Duration::from_millis(2), Some(why.clone()));
    ctx.done().recv();
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    assert_eq!(cause(&ctx), Some(why.clone()));
    assert!(!timer_armed(&ctx));
    cancel.cancel(); // the first cancellation won
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    // Already past: born exceeded, with the cause.
    let (ctx, _c) = with_deadline_cause(&background(), Instant::now(), Some(why.clone()));
    assert_eq!(
        (ctx.err(), cause(&ctx)),
        (Some(Error::DeadlineExceeded), Some(why))
    );
}

#[test]
fn the_first_cancellation_wins() {
    let (ctx, cancel) = with_cancel_cause(&background());
    let (first, second) = (errorf("first"), errorf("second"));
    cancel.cancel(first.clone());
    cancel.cancel(second);
    cancel.cancel(None);
    assert_eq!(cause(&ctx), Some(first));
    assert_eq!(ctx.err(), Some(Error::Canceled));
}

#[test]
fn canceled_children_leave_a_long_lived_parent() {
    let (parent, _cancel) = with_cancel(&background());
    for i in 0..10_000 {
        let (child, cancel) = match i % 3 {
            0 => with_cancel(&parent),
            1 => with_timeout(&parent, Duration::from_secs(60)),
            _ => with_cancel(&with_value(&parent, Key::<usize>::new("i"), i)),
        };
        let stop = after_func(&child, || {});
        assert_eq!(linked_children(&parent), Some(1));
        if i % 2 == 0 {
            cancel.cancel();
        } else {
            assert!(stop.stop());
            cancel.cancel();
        }
        assert_eq!(linked_children(&parent), Some(0));
        assert_eq!(linked_children(&child), Some(0));
    }
    // As in Go, a child whose cancel function is dropped unused stays
    // linked until the parent is canceled (`go vet`'s lostcancel).
    for _ in 0..10 {
        drop(with_cancel(&parent));
    }
    assert_eq!(linked_children(&parent), Some(10));
}

/// Counts drops, to show what a tree holds on to.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_tree_nobody_cancels_is_freed_with_its_last_handle() {
    const VAL: Key<Tracked> = Key::new("tracked");
    let dropped = Arc::new(AtomicUsize::new(0));
    {
        let (root, _root_cancel) = with_cancel(&background());
        let mut deadlines = Vec::new();
        for _ in 0..100 {
            let v = with_value(&root, VAL, Tracked(dropped.clone()));
            let (child, _cancel) = with_cancel(&v);
            let _ = child.done();
            let _ = after_func(&child, || {});
            // A deadline's timer holds its context until the deadline (or
            // a cancel), as Go's does: let these pass.
            deadlines.push(with_timeout(&child, Duration::from_millis(1)).0);
        }
        for d in &deadlines {
            d.done().recv();
        }
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            0,
            "held while the tree lives"
        );
    }
    // The timer thread lets go of a fired timer's closure just after the
    // close the loop above saw.
    let give_up = Instant::now() + Duration::from_secs(5);
    while dropped.load(Ordering::SeqCst) < 100 && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        100,
        "freed without any cancel"
    );
}

#[test]
fn chains_of_any_depth_need_no_stack() {
    // A goroutine with 64 KiB of stack: recursion over the chain would
    // overflow it (and abort) long before 100 000 levels.
    gosched::Runtime::new()
        .stack_size(64 * 1024)
        .run(|| {
            const ROOT: Key<u8> = Key::new("root");
            let (root, cancel) = with_cancel(&with_value(&background(), ROOT, 1));
            let mut ctx = root;
            for i in 0..100_000 {
                ctx = if i % 2 == 0 {
                    with_cancel(&ctx).0
                } else {
                    with_value(&ctx, Key::<usize>::new("level"), i)
                };
            }
            assert_eq!(ctx.value(&ROOT), Some(&1));
            assert!(
                ctx.to_string()
                    .ends_with(".WithCancel.WithValue(level, usize)")
            );
            cancel.cancel();
            assert_eq!(ctx.err(), Some(Error::Canceled));
            drop(ctx);
            // Never canceled, then dropped.
            let mut ctx = background();
            for _ in 0..100_000 {
                ctx = with_cancel(&ctx).0;
            }
            drop(ctx);
        })
        .expect("no stack overflow");
}

#[test]
fn done_works_in_select_beside_other_channels() {
    let (ctx, cancel) = with_cancel(&background());
    let work = make::<u32>(1);
    work.send(1);
    let got = select! {
        recv(work) -> v => v,
        recv(ctx.done()) -> _ => None,
    };
    assert_eq!(got, Some(1));
    cancel.cancel();
    let stopped = select! {
        recv(work) -> _ => false,
        recv(ctx.done()) -> _ => true,
    };
    assert!(stopped);
    // Background's done is the nil channel: it never fires.
    let bg = background();
    let timed_out = select! {
        recv(bg.done()) -> _ => false,
        recv(after(Duration::from_millis(5))) -> _ => true,
    };
    assert!(timed_out);
}

#[test]
fn after_func_runs_in_its_own_goroutine() {
    let (ctx, cancel) = with_cancel(&background());
    let (tx, rx) = std::sync::mpsc::channel();
    after_func(&ctx, move || tx.send(gosched::goid()).unwrap());
    cancel.cancel(); // from a plain thread
    assert!(rx.recv().unwrap().is_some(), "ran on a goroutine");
}

#[test]
fn cause_of_a_without_cancel_child_is_none() {
    let (ctx, cancel) = with_cancel_cause(&background());
    let detached = without_cancel(&ctx);
    let (child, _c) = with_cancel(&detached);
    cancel.cancel(errorf("gone"));
    assert_eq!((detached.err(), cause(&detached)), (None, None));
    assert_eq!((child.err(), cause(&child)), (None, None));
    assert!(child.done().try_recv().is_err());
}

#[test]
fn contexts_compare_by_identity() {
    let (a, _ca) = with_cancel(&background());
    let (b, _cb) = with_cancel(&background());
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    assert_eq!(background(), background());
    assert_ne!(background(), goctx::todo());
}

/// A custom context that breaks the contract: done, yet no error.
struct Broken(RecvChan<()>);

impl CustomContext for Broken {
    fn deadline(&self) -> Option<Instant> {
        None
    }
    fn done(&self) -> &RecvChan<()> {
        &self.0
    }
    fn err(&self) -> Option<Error> {
        None
    }
    fn value(&self, _: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        None
    }
}

#[test]
#[should_panic(expected = "context: internal error: missing cancel error")]
fn a_custom_parent_done_without_an_error_panics_as_go() {
    let done = make::<()>(0);
    done.close();
    let _ = with_cancel(&Context::custom(Broken(done.recv_only())));
}

#[test]
fn cancel_guard_cancels_on_drop_unless_disarmed() {
    let (ctx, cancel) = with_cancel(&background());
    let cancel = cancel.drop_guard().disarm();
    assert_eq!(ctx.err(), None);
    drop(cancel.drop_guard());
    assert_eq!(ctx.err(), Some(Error::Canceled));
}
