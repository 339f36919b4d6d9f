//! The second half of Go's `src/context/x_test.go` (Go 1.27), from
//! `TestCause` on, rewritten in Rust against goctx: causes, custom contexts
//! (`customContext`, `customDoneContext`, `customCauseContext` are
//! [`CustomContext`]s), `AfterFunc`, and the `Err`/`Done` race of issue
//! #75533. Each scenario runs on OS threads and on goroutines; names follow
//! Go's.
//!
//! Source: https://go.googlesource.com/go/+/refs/tags/go1.27/src/context/x_test.go
//!
//! Copyright 2014 The Go Authors.
//!
//! Redistribution and use in source and binary forms, with or without
//! modification, are permitted provided that the following conditions are
//! met:
//!
//!    * Redistributions of source code must retain the above copyright
//!      notice, this list of conditions and the following disclaimer.
//!    * Redistributions in binary form must reproduce the above
//!      copyright notice, this list of conditions and the following disclaimer
//!      in the documentation and/or other materials provided with the
//!      distribution.
//!    * Neither the name of Google LLC nor the names of its
//!      contributors may be used to endorse or promote products derived from
//!      this software without specific prior written permission.
//!
//! THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
//! "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
//! LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
//! A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
//! OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
//! SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
//! LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
//! DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
//! THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
//! (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
//! OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

mod common;

use std::any::Any;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::{Rt, SHORT, VERY_LONG, errorf, is_closed};
use gochan::{Chan, RecvChan, after, make, select};
use goctx::{
    CancelFunc, Cause, Context, CustomContext, Error, Key, Lookup, after_func, background, cause,
    todo, with_cancel, with_cancel_cause, with_timeout, with_timeout_cause, with_value,
    without_cancel,
};

/// `customContext` and `newCustomContext`: a context with a done channel of
/// its own, canceled by its cancel function or, through `AfterFunc`, by its
/// parent.
struct CustomCtx {
    parent: Context,
    done: Chan<()>,
    done_rx: RecvChan<()>,
    err: OnceLock<Error>,
}

impl CustomCtx {
    /// `c.doneOnce.Do(func() { c.err = err; close(c.donec) })`.
    fn finish(&self, err: Option<Error>) {
        if let Some(err) = err {
            if self.err.set(err).is_ok() {
                self.done.close();
            }
        }
    }
}

impl CustomContext for CustomCtx {
    fn deadline(&self) -> Option<Instant> {
        self.parent.deadline()
    }
    fn done(&self) -> &RecvChan<()> {
        &self.done_rx
    }
    fn err(&self) -> Option<Error> {
        if is_closed(&self.done_rx) {
            self.err.get().copied()
        } else {
            None
        }
    }
    fn value(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        self.parent.lookup(key)
    }
}

/// `newCustomContext(parent)`: the context and its cancel function.
fn new_custom_context(parent: &Context) -> (Context, impl Fn() + use<>) {
    let done = make::<()>(0);
    let c = Arc::new(CustomCtx {
        parent: parent.clone(),
        done_rx: done.recv_only(),
        done,
        err: OnceLock::new(),
    });
    // Go's closure captures c and parent; a strong reference here would be
    // a cycle (parent -> its after_func -> c -> parent) that only Go's
    // collector frees when the parent is never canceled.
    let weak = Arc::downgrade(&c);
    after_func(parent, move || {
        if let Some(c) = weak.upgrade() {
            c.finish(c.parent.err());
        }
    });
    let ctx = Context::from_custom(c.clone());
    (ctx, move || c.finish(Some(Error::Canceled)))
}

// TestCause's errors: `fmt.Errorf` values, each its own identity.
static PARENT_CAUSE: LazyLock<Cause> = LazyLock::new(|| errorf("parentCause"));
static CHILD_CAUSE: LazyLock<Cause> = LazyLock::new(|| errorf("childCause"));
static TOO_SLOW: LazyLock<Cause> = LazyLock::new(|| errorf("tooSlow"));
static FINISHED_EARLY: LazyLock<Cause> = LazyLock::new(|| errorf("finishedEarly"));
const FOREVER: Duration = Duration::from_secs(1_000_000);

/// TestCause's table: name, context, `Err()`, `Cause()`.
type CauseCase = (
    &'static str,
    fn() -> Context,
    Option<Error>,
    Option<&'static LazyLock<Cause>>,
);

static CANCELED: LazyLock<Cause> = LazyLock::new(|| Error::Canceled.into());
static EXCEEDED: LazyLock<Cause> = LazyLock::new(|| Error::DeadlineExceeded.into());

const CAUSE_CASES: &[CauseCase] = &[
    ("Background", background, None, None),
    ("TODO", todo, None, None),
    (
        "WithCancel",
        || {
            let (ctx, cancel) = with_cancel(&background());
            cancel.cancel();
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "WithCancelCause",
        || {
            let (ctx, cancel) = with_cancel_cause(&background());
            cancel.cancel(PARENT_CAUSE.clone());
            ctx
        },
        Some(Error::Canceled),
        Some(&PARENT_CAUSE),
    ),
    (
        "WithCancelCause nil",
        || {
            let (ctx, cancel) = with_cancel_cause(&background());
            cancel.cancel(None);
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "WithCancelCause: parent cause before child",
        || {
            let (ctx, cancel_parent) = with_cancel_cause(&background());
            let (ctx, cancel_child) = with_cancel_cause(&ctx);
            cancel_parent.cancel(PARENT_CAUSE.clone());
            cancel_child.cancel(CHILD_CAUSE.clone());
            ctx
        },
        Some(Error::Canceled),
        Some(&PARENT_CAUSE),
    ),
    (
        "WithCancelCause: parent cause after child",
        || {
            let (ctx, cancel_parent) = with_cancel_cause(&background());
            let (ctx, cancel_child) = with_cancel_cause(&ctx);
            cancel_child.cancel(CHILD_CAUSE.clone());
            cancel_parent.cancel(PARENT_CAUSE.clone());
            ctx
        },
        Some(Error::Canceled),
        Some(&CHILD_CAUSE),
    ),
    (
        "WithCancelCause: parent cause before nil",
        || {
            let (ctx, cancel_parent) = with_cancel_cause(&background());
            let (ctx, cancel_child) = with_cancel(&ctx);
            cancel_parent.cancel(PARENT_CAUSE.clone());
            cancel_child.cancel();
            ctx
        },
        Some(Error::Canceled),
        Some(&PARENT_CAUSE),
    ),
    (
        "WithCancelCause: parent cause after nil",
        || {
            let (ctx, cancel_parent) = with_cancel_cause(&background());
            let (ctx, cancel_child) = with_cancel(&ctx);
            cancel_child.cancel();
            cancel_parent.cancel(PARENT_CAUSE.clone());
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "WithCancelCause: child cause after nil",
        || {
            let (ctx, cancel_parent) = with_cancel(&background());
            let (ctx, cancel_child) = with_cancel_cause(&ctx);
            cancel_parent.cancel();
            cancel_child.cancel(CHILD_CAUSE.clone());
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "WithCancelCause: child cause before nil",
        || {
            let (ctx, cancel_parent) = with_cancel(&background());
            let (ctx, cancel_child) = with_cancel_cause(&ctx);
            cancel_child.cancel(CHILD_CAUSE.clone());
            cancel_parent.cancel();
            ctx
        },
        Some(Error::Canceled),
        Some(&CHILD_CAUSE),
    ),
    (
        "WithTimeout",
        || {
            let (ctx, cancel) = with_timeout(&background(), Duration::ZERO);
            cancel.cancel();
            ctx
        },
        Some(Error::DeadlineExceeded),
        Some(&EXCEEDED),
    ),
    (
        "WithTimeout canceled",
        || {
            let (ctx, cancel) = with_timeout(&background(), FOREVER);
            cancel.cancel();
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "WithTimeoutCause",
        || {
            let (ctx, cancel) =
                with_timeout_cause(&background(), Duration::ZERO, Some(TOO_SLOW.clone()));
            cancel.cancel();
            ctx
        },
        Some(Error::DeadlineExceeded),
        Some(&TOO_SLOW),
    ),
    (
        "WithTimeoutCause canceled",
        || {
            let (ctx, cancel) = with_timeout_cause(&background(), FOREVER, Some(TOO_SLOW.clone()));
            cancel.cancel();
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "WithTimeoutCause stacked",
        || {
            let (ctx, cancel) = with_cancel_cause(&background());
            let (ctx, _) = with_timeout_cause(&ctx, Duration::ZERO, Some(TOO_SLOW.clone()));
            cancel.cancel(FINISHED_EARLY.clone());
            ctx
        },
        Some(Error::DeadlineExceeded),
        Some(&TOO_SLOW),
    ),
    (
        "WithTimeoutCause stacked canceled",
        || {
            let (ctx, cancel) = with_cancel_cause(&background());
            let (ctx, _) = with_timeout_cause(&ctx, FOREVER, Some(TOO_SLOW.clone()));
            cancel.cancel(FINISHED_EARLY.clone());
            ctx
        },
        Some(Error::Canceled),
        Some(&FINISHED_EARLY),
    ),
    (
        "WithoutCancel",
        || without_cancel(&background()),
        None,
        None,
    ),
    (
        "WithoutCancel canceled",
        || {
            let (ctx, cancel) = with_cancel_cause(&background());
            let ctx = without_cancel(&ctx);
            cancel.cancel(FINISHED_EARLY.clone());
            ctx
        },
        None,
        None,
    ),
    (
        "WithoutCancel timeout",
        || {
            let (ctx, cancel) =
                with_timeout_cause(&background(), Duration::ZERO, Some(TOO_SLOW.clone()));
            let ctx = without_cancel(&ctx);
            cancel.cancel();
            ctx
        },
        None,
        None,
    ),
    (
        "parent of custom context not canceled",
        || {
            let (ctx, _) = with_cancel_cause(&background());
            let (ctx, cancel2) = new_custom_context(&ctx);
            cancel2();
            ctx
        },
        Some(Error::Canceled),
        Some(&CANCELED),
    ),
    (
        "parent of custom context is canceled before",
        || {
            let (ctx, cancel1) = with_cancel_cause(&background());
            let (ctx, cancel2) = new_custom_context(&ctx);
            cancel1.cancel(PARENT_CAUSE.clone());
            cancel2();
            ctx
        },
        Some(Error::Canceled),
        Some(&PARENT_CAUSE),
    ),
    (
        "parent of custom context is canceled after",
        || {
            let (ctx, cancel1) = with_cancel_cause(&background());
            let (ctx, cancel2) = new_custom_context(&ctx);
            cancel2();
            cancel1.cancel(PARENT_CAUSE.clone());
            ctx
        },
        Some(Error::Canceled),
        // This isn't really right: the child context was canceled before
        // the parent context, and shouldn't inherit the parent's cause.
        // However, since the child is a custom context, Cause has no way
        // to tell which was canceled first and returns the parent's cause.
        Some(&PARENT_CAUSE),
    ),
];

fn test_cause(_: Rt) {
    for &(name, ctx, err, want) in CAUSE_CASES {
        let ctx = ctx();
        assert_eq!(ctx.err(), err, "{name}: ctx.Err()");
        assert_eq!(
            cause(&ctx),
            want.map(|w| (**w).clone()),
            "{name}: Cause(ctx)"
        );
    }
}

fn test_cause_race(rt: Rt) {
    let why = errorf("TestCauseRace");
    let (ctx, cancel) = with_cancel_cause(&background());
    let w = why.clone();
    rt.go(move || cancel.cancel(w));
    loop {
        // Poll Cause, rather than waiting for Done, to test that access to
        // the underlying cause is synchronized properly.
        if let Some(err) = cause(&ctx) {
            assert_eq!(err, why, "Cause returned {err}, want {why}");
            break;
        }
        gosched::yield_now();
    }
}

fn test_without_cancel(_: Rt) {
    const KEY: Key<&str> = Key::new("key");
    let ctx = with_value(&background(), KEY, "value");
    let ctx = without_cancel(&ctx);
    assert_eq!(ctx.deadline(), None, "ctx.Deadline()");
    assert!(ctx.done().is_nil(), "ctx.Done() want nil");
    assert_eq!(ctx.err(), None, "ctx.Err()");
    assert_eq!(ctx.value(&KEY), Some(&"value"), "ctx.Value({KEY:?})");
}

/// `customDoneContext`: a Context whose `Done` is a channel of its own.
struct CustomDoneContext {
    ctx: Context,
    donec: RecvChan<()>,
}

impl CustomContext for CustomDoneContext {
    fn deadline(&self) -> Option<Instant> {
        self.ctx.deadline()
    }
    fn done(&self) -> &RecvChan<()> {
        &self.donec
    }
    fn err(&self) -> Option<Error> {
        self.ctx.err()
    }
    fn value(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        self.ctx.lookup(key)
    }
}

fn test_custom_context_propagation(_: Rt) {
    let why = errorf("TestCustomContextPropagation");
    let donec = make::<()>(0);
    let (ctx1, cancel1) = with_cancel_cause(&background());
    let ctx2 = Context::custom(CustomDoneContext {
        ctx: ctx1,
        donec: donec.recv_only(),
    });
    let (ctx3, cancel3) = with_cancel(&ctx2);
    let _cancel3 = cancel3.drop_guard();

    cancel1.cancel(why.clone());
    donec.close();

    ctx3.done().recv();
    assert_eq!(ctx3.err(), Some(Error::Canceled), "child not canceled");
    assert_eq!(cause(&ctx3), Some(why), "child has wrong cause");
}

/// `customCauseContext`: a custom Context used to test `context.Cause`.
struct CustomCauseContext {
    mu: Mutex<CauseState>,
    done: Chan<()>,
    done_rx: RecvChan<()>,
}

#[derive(Default)]
struct CauseState {
    err: Option<Error>,
    cancel_child: Option<CancelFunc>,
}

impl CustomCauseContext {
    fn new() -> Arc<CustomCauseContext> {
        let done = make::<()>(0);
        Arc::new(CustomCauseContext {
            mu: Mutex::new(CauseState::default()),
            done_rx: done.recv_only(),
            done,
        })
    }

    fn cancel(&self) {
        let cancel_child = {
            let mut s = self.mu.lock().unwrap();
            s.err = Some(Error::Canceled);
            self.done.close();
            // Go keeps the cancel function; taking it breaks the cycle
            // (ccc -> child's cancel -> child -> ccc) no collector frees here.
            s.cancel_child.take()
        };
        if let Some(cancel_child) = cancel_child {
            cancel_child.cancel();
        }
    }

    fn set_cancel_child(&self, cancel_child: CancelFunc) {
        self.mu.lock().unwrap().cancel_child = Some(cancel_child);
    }
}

impl CustomContext for CustomCauseContext {
    fn deadline(&self) -> Option<Instant> {
        None
    }
    fn done(&self) -> &RecvChan<()> {
        &self.done_rx
    }
    fn err(&self) -> Option<Error> {
        self.mu.lock().unwrap().err
    }
    fn value(&self, _: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        None
    }
}

fn test_custom_context_cause(_: Rt) {
    // Test if we cancel a custom context, Err and Cause return Canceled.
    let ccc = CustomCauseContext::new();
    ccc.cancel();
    let c = Context::from_custom(ccc.clone());
    assert_eq!(ccc.err(), Some(Error::Canceled));
    assert_eq!(cause(&c), Some(Error::Canceled.into()));

    // Test that if we pass a custom context to WithCancelCause, and then
    // cancel that child context with a cause, that the cause of the child
    // canceled context is correct but that the parent custom context is
    // not canceled.
    let ccc = CustomCauseContext::new();
    let c = Context::from_custom(ccc.clone());
    let (ctx, cause_func) = with_cancel_cause(&c);
    let why = errorf("TestCustomContextCause");
    cause_func.cancel(why.clone());
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(cause(&ctx), Some(why.clone()));
    assert_eq!(ccc.err(), None);
    assert_eq!(cause(&c), None);

    // Test that if we now cancel the parent custom context, the cause of
    // the child canceled context is still correct, and the parent custom
    // context is canceled without a cause.
    ccc.cancel();
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(cause(&ctx), Some(why));
    assert_eq!(ccc.err(), Some(Error::Canceled));
    assert_eq!(cause(&c), Some(Error::Canceled.into()));

    // Test that if we associate a custom context with a child, then
    // canceling the custom context cancels the child.
    let ccc = CustomCauseContext::new();
    let c = Context::from_custom(ccc.clone());
    let (ctx, cancel_func) = with_cancel(&c);
    ccc.set_cancel_child(cancel_func);
    ccc.cancel();
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(cause(&ctx), Some(Error::Canceled.into()));
    assert_eq!(ccc.err(), Some(Error::Canceled));
    assert_eq!(cause(&c), Some(Error::Canceled.into()));
}

fn test_after_func_called_after_cancel(_: Rt) {
    let (ctx, cancel) = with_cancel(&background());
    let donec = make::<()>(0);
    let d = donec.clone();
    let stop = after_func(&ctx, move || d.close());
    select! {
        recv(donec) -> _ => panic!("AfterFunc called before context is done"),
        recv(after(SHORT)) -> _ => {},
    }
    cancel.cancel();
    select! {
        recv(donec) -> _ => {},
        recv(after(VERY_LONG)) -> _ => panic!("AfterFunc not called after context is canceled"),
    }
    assert!(!stop.stop(), "stop() = true, want false");
}

fn test_after_func_called_after_timeout(_: Rt) {
    let (ctx, cancel) = with_timeout(&background(), SHORT);
    let _cancel = cancel.drop_guard();
    let donec = make::<()>(0);
    let d = donec.clone();
    after_func(&ctx, move || d.close());
    select! {
        recv(donec) -> _ => {},
        recv(after(VERY_LONG)) -> _ => panic!("AfterFunc not called after context is canceled"),
    }
}

fn test_after_func_called_immediately(_: Rt) {
    let (ctx, cancel) = with_cancel(&background());
    cancel.cancel();
    let donec = make::<()>(0);
    let d = donec.clone();
    after_func(&ctx, move || d.close());
    select! {
        recv(donec) -> _ => {},
        recv(after(VERY_LONG)) -> _ => panic!("AfterFunc not called for already-canceled context"),
    }
}

fn test_after_func_not_called_after_stop(_: Rt) {
    let (ctx, cancel) = with_cancel(&background());
    let donec = make::<()>(0);
    let d = donec.clone();
    let stop = after_func(&ctx, move || d.close());
    assert!(stop.stop(), "stop() = false, want true");
    cancel.cancel();
    select! {
        recv(donec) -> _ => panic!("AfterFunc called for already-canceled context"),
        recv(after(SHORT)) -> _ => {},
    }
    assert!(!stop.stop(), "stop() = true, want false");
}

/// Canceling a context does not block waiting for AfterFuncs to finish.
fn test_after_func_called_asynchronously(_: Rt) {
    let (ctx, cancel) = with_cancel(&background());
    let donec = make::<()>(0);
    let d = donec.clone();
    let stop = after_func(&ctx, move || {
        // The channel send blocks until donec is read from.
        d.send(());
    });
    cancel.cancel();
    // After cancel returns, read from donec and unblock the AfterFunc.
    select! {
        recv(donec) -> _ => {},
        recv(after(VERY_LONG)) -> _ => panic!("AfterFunc not called after context is canceled"),
    }
    stop.stop();
}

/// Issue #75533: once `Err` is non-nil, `Done` is closed.
fn test_context_err_done_race(rt: Rt) {
    // 4 iterations reliably reproduced #75533.
    for _ in 0..10 {
        let (ctx, cancel) = with_cancel(&background());
        let donec = ctx.done().clone();
        rt.go(move || cancel.cancel());
        while ctx.err().is_none() {
            // Goroutines are preempted only at schedule points.
            gosched::yield_now();
        }
        assert!(
            is_closed(&donec),
            "ctx.Err is non-nil, but ctx.Done is not closed"
        );
    }
}

all_modes!(
    test_cause,
    test_cause_race,
    test_without_cancel,
    test_custom_context_propagation,
    test_custom_context_cause,
    test_after_func_called_after_cancel,
    test_after_func_called_after_timeout,
    test_after_func_called_immediately,
    test_after_func_not_called_after_stop,
    test_after_func_called_asynchronously,
    test_context_err_done_race,
);
