//! Go's context tests of `src/context/context_test.go` (the in-package
//! `XTest`s that x_test.go calls) and `src/context/afterfunc_test.go`
//! (Go 1.27), rewritten in Rust against goctx, each on OS threads and on
//! goroutines. What Go's in-package tests read from unexported fields
//! (`len(pc.children)`, `contains(pc.children, cc)`, the `goroutines`
//! counter) comes from `goctx::introspect`; `myCtx`, `myDoneCtx` and
//! `afterFuncContext` are [`CustomContext`]s.
//!
//! Sources: https://go.googlesource.com/go/+/refs/tags/go1.27/src/context/context_test.go,
//! https://go.googlesource.com/go/+/refs/tags/go1.27/src/context/afterfunc_test.go
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
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common::{Rt, VERY_LONG, is_done, other};
use gochan::{RecvChan, make, select};
use goctx::introspect::{linked_children, linked_under, propagation_goroutines};
use goctx::{
    AfterFuncStop, Context, CustomContext, Error, Key, Lookup, after_func, background, with_cancel,
    with_timeout, with_value,
};

/// `test_custom_context_goroutines` counts goroutines process-wide: its
/// two runs (threads, goroutines) take turns.
fn goroutine_counter() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

// --- context_test.go (Go's in-package XTests) --------------------------------

fn test_parent_finishes_child(_: Rt) {
    // Context tree:
    // parent -> cancelChild
    // parent -> valueChild -> timerChild
    // parent -> afterChild
    let (parent, cancel) = with_cancel(&background());
    let (cancel_child, stop) = with_cancel(&parent);
    let _stop1 = stop.drop_guard();
    let value_child = with_value(&parent, Key::<&str>::new("key"), "value");
    let (timer_child, stop) = with_timeout(&value_child, VERY_LONG);
    let _stop2 = stop.drop_guard();
    let after_stop = after_func(&parent, || {});

    select! {
        recv(parent.done()) -> x => panic!("<-parent.Done() == {x:?} want nothing (it should block)"),
        recv(cancel_child.done()) -> x => panic!("<-cancelChild.Done() == {x:?} want nothing (it should block)"),
        recv(timer_child.done()) -> x => panic!("<-timerChild.Done() == {x:?} want nothing (it should block)"),
        recv(value_child.done()) -> x => panic!("<-valueChild.Done() == {x:?} want nothing (it should block)"),
        default => {}
    }

    // The parent's children should contain the three cancelable children.
    assert_eq!(
        linked_children(&parent),
        Some(3),
        "bad linkage: pc.children"
    );
    assert!(
        linked_under(&parent, &cancel_child),
        "bad linkage: cancelChild"
    );
    assert!(
        linked_under(&parent, &timer_child),
        "bad linkage: timerChild"
    );

    cancel.cancel();

    assert_eq!(
        linked_children(&parent),
        Some(0),
        "pc.cancel didn't clear pc.children"
    );

    // parent and children should all be finished.
    let check = |ctx: &Context, name: &str| {
        assert!(is_done(ctx), "<-{name}.Done() blocked, but shouldn't have");
        assert_eq!(ctx.err(), Some(Error::Canceled), "{name}.Err()");
    };
    check(&parent, "parent");
    check(&cancel_child, "cancelChild");
    check(&value_child, "valueChild");
    check(&timer_child, "timerChild");
    assert!(!after_stop.stop(), "afterChild ran on cancel");

    // WithCancel should return a canceled context on a canceled parent.
    let precanceled_child = with_value(&parent, Key::<&str>::new("key"), "value");
    assert!(
        is_done(&precanceled_child),
        "<-precanceledChild.Done() blocked, but shouldn't have"
    );
    assert_eq!(precanceled_child.err(), Some(Error::Canceled));
}

fn test_child_finishes_first(_: Rt) {
    let (cancelable, stop) = with_cancel(&background());
    let _stop = stop.drop_guard();
    for parent in [background(), cancelable] {
        let (child, cancel) = with_cancel(&parent);

        select! {
            recv(parent.done()) -> x => panic!("<-parent.Done() == {x:?} want nothing (it should block)"),
            recv(child.done()) -> x => panic!("<-child.Done() == {x:?} want nothing (it should block)"),
            default => {}
        }

        // pcok == false when parent == Background()
        let pcok = linked_children(&parent).is_some();
        assert_eq!(linked_under(&parent, &child), pcok, "bad linkage");
        if pcok {
            assert_eq!(
                linked_children(&parent),
                Some(1),
                "bad linkage: pc.children"
            );
        }

        cancel.cancel();

        if pcok {
            assert_eq!(
                linked_children(&parent),
                Some(0),
                "child's cancel didn't remove self from pc.children"
            );
        }

        // child should be finished.
        assert!(
            is_done(&child),
            "<-child.Done() blocked, but shouldn't have"
        );
        assert_eq!(child.err(), Some(Error::Canceled));

        // parent should not be finished.
        select! {
            recv(parent.done()) -> x => panic!("<-parent.Done() == {x:?} want nothing (it should block)"),
            default => {}
        }
        assert_eq!(parent.err(), None);
    }
}

fn test_cancel_removes(_: Rt) {
    let check_children = |when: &str, ctx: &Context, want: usize| {
        assert_eq!(linked_children(ctx), Some(want), "{when}: context children");
    };

    let (ctx, _) = with_cancel(&background());
    check_children("after creation", &ctx, 0);
    let (_, cancel) = with_cancel(&ctx);
    check_children("with WithCancel child ", &ctx, 1);
    cancel.cancel();
    check_children("after canceling WithCancel child", &ctx, 0);

    let (ctx, _) = with_cancel(&background());
    check_children("after creation", &ctx, 0);
    let (_, cancel) = with_timeout(&ctx, Duration::from_secs(60 * 60));
    check_children("with WithTimeout child ", &ctx, 1);
    cancel.cancel();
    check_children("after canceling WithTimeout child", &ctx, 0);

    let (ctx, _) = with_cancel(&background());
    check_children("after creation", &ctx, 0);
    let stop = after_func(&ctx, || {});
    check_children("with AfterFunc child ", &ctx, 1);
    stop.stop();
    check_children("after stopping AfterFunc child ", &ctx, 0);
}

/// `myDoneCtx`: `Done` returns a channel of its own (a new one per call in
/// Go; one that nobody closes here), so the context it wraps must not be
/// used for propagation.
struct MyDoneCtx {
    ctx: Context,
    never: RecvChan<()>,
}

fn my_done_ctx(ctx: &Context) -> Context {
    Context::custom(MyDoneCtx {
        ctx: ctx.clone(),
        never: make::<()>(0).recv_only(),
    })
}

impl CustomContext for MyDoneCtx {
    fn deadline(&self) -> Option<Instant> {
        self.ctx.deadline()
    }
    fn done(&self) -> &RecvChan<()> {
        &self.never
    }
    fn err(&self) -> Option<Error> {
        self.ctx.err()
    }
    fn value(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        self.ctx.lookup(key)
    }
}

fn test_custom_context_goroutines(_: Rt) {
    let _counter = goroutine_counter();
    let g = AtomicU64::new(propagation_goroutines());
    let check_no_goroutine = || {
        let now = propagation_goroutines();
        assert_eq!(now, g.load(Ordering::SeqCst), "goroutines created");
    };
    let check_created_goroutine = || {
        let now = propagation_goroutines();
        assert_eq!(
            now,
            g.load(Ordering::SeqCst) + 1,
            "goroutines created, want 1"
        );
        g.store(now, Ordering::SeqCst);
    };

    let (_, cancel0) = with_cancel(&my_done_ctx(&background()));
    cancel0.cancel();
    check_created_goroutine();

    let (_, cancel0) = with_timeout(&my_done_ctx(&background()), VERY_LONG);
    cancel0.cancel();
    check_created_goroutine();

    check_no_goroutine();

    let (ctx1, cancel1) = with_cancel(&background());
    check_no_goroutine();

    let ctx2 = other(&ctx1); // myCtx{ctx1}
    let (ctx3, cancel3) = with_cancel(&ctx2);
    let _cancel3 = cancel3.drop_guard();
    check_no_goroutine();

    let (_, cancel3b) = with_cancel(&my_done_ctx(&ctx2));
    let _cancel3b = cancel3b.drop_guard();
    check_created_goroutine(); // ctx1 is not providing Done, must not be used

    let (ctx4, cancel4) = with_timeout(&ctx3, VERY_LONG);
    let _cancel4 = cancel4.drop_guard();
    check_no_goroutine();

    let (ctx5, cancel5) = with_cancel(&ctx4);
    let _cancel5 = cancel5.clone().drop_guard();
    check_no_goroutine();

    cancel5.cancel();
    check_no_goroutine();

    let (_, cancel6) = with_timeout(&ctx5, VERY_LONG);
    let _cancel6 = cancel6.clone().drop_guard();
    check_no_goroutine();

    // Check applied to canceled context.
    cancel6.cancel();
    cancel1.cancel();
    let (_, cancel7) = with_cancel(&ctx5);
    let _cancel7 = cancel7.drop_guard();
    check_no_goroutine();
}

// --- afterfunc_test.go ---------------------------------------------------------

/// `afterFuncContext`: a context that's not one of the types defined in
/// context.go, that supports registering AfterFuncs.
#[derive(Default)]
struct AfterFuncContext {
    mu: Mutex<AfterFuncs>,
    done: OnceLock<RecvChan<()>>,
}

type AfterFn = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct AfterFuncs {
    next: u64,
    after_funcs: HashMap<u64, AfterFn>,
    err: Option<Error>,
}

impl AfterFuncContext {
    fn cancel(&self, err: Error) {
        let mut m = self.mu.lock().unwrap();
        if m.err.is_some() {
            return;
        }
        m.err = Some(err);
        for (_, f) in m.after_funcs.drain() {
            gosched::go(f);
        }
    }

    fn len(&self) -> usize {
        self.mu.lock().unwrap().after_funcs.len()
    }
}

/// The context handle's view of an [`AfterFuncContext`] the test keeps too.
struct AfterFuncCtx(Arc<AfterFuncContext>);

impl CustomContext for AfterFuncCtx {
    fn deadline(&self) -> Option<Instant> {
        None
    }
    fn done(&self) -> &RecvChan<()> {
        self.0.done.get_or_init(|| make::<()>(0).recv_only())
    }
    fn err(&self) -> Option<Error> {
        self.0.mu.lock().unwrap().err
    }
    fn value(&self, _: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        None
    }
    fn after_func(&self, f: AfterFn) -> Option<AfterFuncStop> {
        let mut m = self.0.mu.lock().unwrap();
        let k = m.next;
        m.next += 1;
        m.after_funcs.insert(k, f);
        let me = Arc::clone(&self.0);
        Some(AfterFuncStop::from_fn(move || {
            me.mu.lock().unwrap().after_funcs.remove(&k).is_some()
        }))
    }
}

fn after_func_context() -> (Arc<AfterFuncContext>, Context) {
    let ctx0 = Arc::new(AfterFuncContext::default());
    let c = Context::custom(AfterFuncCtx(Arc::clone(&ctx0)));
    (ctx0, c)
}

fn test_custom_context_after_func_cancel(_: Rt) {
    let (ctx0, c0) = after_func_context();
    let (ctx1, cancel) = with_cancel(&c0);
    let _cancel = cancel.drop_guard();
    ctx0.cancel(Error::Canceled);
    ctx1.done().recv();
}

fn test_custom_context_after_func_timeout(_: Rt) {
    let (ctx0, c0) = after_func_context();
    let (ctx1, cancel) = with_timeout(&c0, VERY_LONG);
    let _cancel = cancel.drop_guard();
    ctx0.cancel(Error::Canceled);
    ctx1.done().recv();
}

fn test_custom_context_after_func_after_func(_: Rt) {
    let (ctx0, c0) = after_func_context();
    let donec = make::<()>(0);
    let d = donec.clone();
    let stop = after_func(&c0, move || d.close());
    ctx0.cancel(Error::Canceled);
    donec.recv();
    stop.stop();
}

fn test_custom_context_after_func_unregister_cancel(_: Rt) {
    let (ctx0, c0) = after_func_context();
    let (_, cancel1) = with_cancel(&c0);
    let (_, cancel2) = with_cancel(&c0);
    assert_eq!(ctx0.len(), 2, "after WithCancel(ctx0): ctx0 afterFuncs");
    cancel1.cancel();
    cancel2.cancel();
    assert_eq!(
        ctx0.len(),
        0,
        "after canceling WithCancel(ctx0): ctx0 afterFuncs"
    );
}

fn test_custom_context_after_func_unregister_timeout(_: Rt) {
    let (ctx0, c0) = after_func_context();
    let (_, cancel) = with_timeout(&c0, VERY_LONG);
    assert_eq!(ctx0.len(), 1, "after WithTimeout(ctx0, d): ctx0 afterFuncs");
    cancel.cancel();
    assert_eq!(
        ctx0.len(),
        0,
        "after canceling WithTimeout(ctx0, d): ctx0 afterFuncs"
    );
}

fn test_custom_context_after_func_unregister_after_func(_: Rt) {
    let (ctx0, c0) = after_func_context();
    let stop = after_func(&c0, || {});
    assert_eq!(ctx0.len(), 1, "after AfterFunc(ctx0, f): ctx0 afterFuncs");
    stop.stop();
    assert_eq!(
        ctx0.len(),
        0,
        "after stopping AfterFunc(ctx0, f): ctx0 afterFuncs"
    );
}

all_modes!(
    test_parent_finishes_child,
    test_child_finishes_first,
    test_cancel_removes,
    test_custom_context_goroutines,
    test_custom_context_after_func_cancel,
    test_custom_context_after_func_timeout,
    test_custom_context_after_func_after_func,
    test_custom_context_after_func_unregister_cancel,
    test_custom_context_after_func_unregister_timeout,
    test_custom_context_after_func_unregister_after_func,
);
