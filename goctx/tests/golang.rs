//! Go's context tests of `src/context/x_test.go` (Go 1.27) rewritten in
//! Rust against goctx, up to `TestDeadlineExceededSupportsTimeout`;
//! `golang_cause.rs` has the rest of the file (causes, custom contexts,
//! `AfterFunc`), `golang_context.rs` the tests of `context_test.go` and
//! `afterfunc_test.go`. Each scenario runs twice: on OS threads and on
//! goroutines. Names follow Go's (`TestWithCancel` is `test_with_cancel`).
//! Go's `otherContext` is a `CustomContext` (`tests/common`).
//!
//! Not ported, because the API makes them impossible to write:
//! `TestWithValueChecksKey` (a nil or non-comparable key does not compile:
//! see the `compile_fail` example of `ContextKey`) and
//! `TestInvalidDerivedFail` (there is no nil parent). `TestAllocs` is in
//! `tests/allocs.rs`, which counts allocations process-wide and so runs
//! alone.
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

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use common::{Rt, SHORT, VERY_LONG, errorf, is_done, other, quiescent};
use gochan::{Chan, after, make, select};
use goctx::{
    CancelFunc, Context, ContextKey, Error, background, cause, todo, with_cancel,
    with_cancel_cause, with_deadline, with_timeout, with_value,
};
use gosched::WaitGroup;

// --- x_test.go ----------------------------------------------------------------

fn test_background(_: Rt) {
    let c = background();
    select! {
        recv(c.done()) -> x => panic!("<-c.Done() == {x:?} want nothing (it should block)"),
        default => {}
    }
    assert_eq!(c.to_string(), "context.Background");
}

fn test_todo(_: Rt) {
    let c = todo();
    select! {
        recv(c.done()) -> x => panic!("<-c.Done() == {x:?} want nothing (it should block)"),
        default => {}
    }
    assert_eq!(c.to_string(), "context.TODO");
}

fn test_with_cancel(_: Rt) {
    let (c1, cancel) = with_cancel(&background());
    assert_eq!(c1.to_string(), "context.Background.WithCancel");

    let o = other(&c1);
    let (c2, _) = with_cancel(&o);
    let contexts = [c1, o, c2];

    for (i, c) in contexts.iter().enumerate() {
        assert!(!c.done().is_nil(), "c[{i}].Done() == nil want non-nil");
        assert_eq!(c.err(), None, "c[{i}].Err()");
        select! {
            recv(c.done()) -> x => panic!("<-c.Done() == {x:?} want nothing (it should block)"),
            default => {}
        }
    }

    cancel.cancel(); // Should propagate synchronously.
    for (i, c) in contexts.iter().enumerate() {
        assert!(is_done(c), "<-c[{i}].Done() blocked, but shouldn't have");
        assert_eq!(c.err(), Some(Error::Canceled), "c[{i}].Err()");
    }
}

/// `testDeadline`: `c` is done within `quiescent()`, with `DeadlineExceeded`.
fn check_deadline(c: &Context, name: &str) {
    let d = quiescent();
    select! {
        recv(after(d)) -> _ => panic!("{name}: context not timed out after {d:?}"),
        recv(c.done()) -> _ => {},
    }
    assert_eq!(c.err(), Some(Error::DeadlineExceeded), "{name}: c.Err()");
}

fn test_deadline(_: Rt) {
    let bg = background();
    let (c, _) = with_deadline(&bg, Instant::now() + SHORT);
    let (got, prefix) = (c.to_string(), "context.Background.WithDeadline(");
    assert!(
        got.starts_with(prefix),
        "c.String() = {got:?} want prefix {prefix:?}"
    );
    check_deadline(&c, "WithDeadline");

    let (c, _) = with_deadline(&bg, Instant::now() + SHORT);
    let o = other(&c);
    check_deadline(&o, "WithDeadline+otherContext");

    let (c, _) = with_deadline(&bg, Instant::now() + SHORT);
    let o = other(&c);
    let (c, _) = with_deadline(&o, Instant::now() + VERY_LONG);
    check_deadline(&c, "WithDeadline+otherContext+WithDeadline");

    let (c, _) = with_deadline(&bg, Instant::now() - SHORT);
    check_deadline(&c, "WithDeadline+inthepast");

    let (c, _) = with_deadline(&bg, Instant::now());
    check_deadline(&c, "WithDeadline+now");
}

fn test_timeout(_: Rt) {
    let bg = background();
    let (c, _) = with_timeout(&bg, SHORT);
    let (got, prefix) = (c.to_string(), "context.Background.WithDeadline(");
    assert!(
        got.starts_with(prefix),
        "c.String() = {got:?} want prefix {prefix:?}"
    );
    check_deadline(&c, "WithTimeout");

    let (c, _) = with_timeout(&bg, SHORT);
    let o = other(&c);
    check_deadline(&o, "WithTimeout+otherContext");

    let (c, _) = with_timeout(&bg, SHORT);
    let o = other(&c);
    let (c, _) = with_timeout(&o, VERY_LONG);
    check_deadline(&c, "WithTimeout+otherContext+WithTimeout");
}

fn test_canceled_timeout(_: Rt) {
    let (c, _) = with_timeout(&background(), Duration::from_secs(1));
    let o = other(&c);
    let (c, cancel) = with_timeout(&o, VERY_LONG);
    cancel.cancel(); // Should propagate synchronously.
    assert!(is_done(&c), "<-c.Done() blocked, but shouldn't have");
    assert_eq!(c.err(), Some(Error::Canceled));
}

/// `type key1 int`: no `String` method, so it prints as its type name.
#[derive(PartialEq)]
struct Key1(i32);
/// `type key2 int` with `String() = "%T(%d)"`.
#[derive(PartialEq)]
struct Key2(i32);

/// Go's values are `any`, and `nil` is one of them.
fn fmt_any(v: &Option<&'static str>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(v.unwrap_or("<nil>"))
}

impl ContextKey for Key1 {
    type Value = Option<&'static str>;
    fn fmt_value(v: &Self::Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_any(v, f)
    }
}
impl ContextKey for Key2 {
    type Value = Option<&'static str>;
    fn fmt_key(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", std::any::type_name::<Self>(), self.0)
    }
    fn fmt_value(v: &Self::Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_any(v, f)
    }
}

const K1: Key1 = Key1(1);
const K2: Key2 = Key2(1); // same int as k1, different type
const K3: Key2 = Key2(3); // same type as k2, different int

fn test_values(_: Rt) {
    fn get<K: ContextKey<Value = Option<&'static str>>>(c: &Context, k: &K) -> &'static str {
        c.value(k).copied().flatten().unwrap_or("")
    }
    let check = |c: &Context, nm: &str, v1: &str, v2: &str, v3: &str| {
        assert_eq!(get(c, &K1), v1, "{nm}.Value(k1)");
        assert_eq!(get(c, &K2), v2, "{nm}.Value(k2)");
        assert_eq!(get(c, &K3), v3, "{nm}.Value(k3)");
    };

    let c0 = background();
    check(&c0, "c0", "", "", "");

    let c1 = with_value(&background(), K1, Some("c1k1"));
    check(&c1, "c1", "c1k1", "", "");
    assert_eq!(
        c1.to_string(),
        "context.Background.WithValue(golang::Key1, c1k1)"
    );

    let c2 = with_value(&c1, K2, Some("c2k2"));
    check(&c2, "c2", "c1k1", "c2k2", "");
    assert_eq!(
        c2.to_string(),
        "context.Background.WithValue(golang::Key1, c1k1).WithValue(golang::Key2(1), c2k2)"
    );

    let c3 = with_value(&c2, K3, Some("c3k3"));
    check(&c3, "c2", "c1k1", "c2k2", "c3k3");

    let c4 = with_value(&c3, K1, None);
    check(&c4, "c4", "", "c2k2", "c3k3");
    assert_eq!(
        c4.to_string(),
        "context.Background.WithValue(golang::Key1, c1k1).WithValue(golang::Key2(1), c2k2)\
         .WithValue(golang::Key2(3), c3k3).WithValue(golang::Key1, <nil>)"
    );

    let o0 = other(&background());
    check(&o0, "o0", "", "", "");

    let o1 = other(&with_value(&background(), K1, Some("c1k1")));
    check(&o1, "o1", "c1k1", "", "");

    let o2 = with_value(&o1, K2, Some("o2k2"));
    check(&o2, "o2", "c1k1", "o2k2", "");

    let o3 = other(&c4);
    check(&o3, "o3", "", "c2k2", "c3k3");

    let o4 = with_value(&o3, K3, None);
    check(&o4, "o4", "", "c2k2", "");
}

/// A stand-in for Go's `time.AfterFunc(d, func() { close(stuck) })`: a
/// channel closed after `d`, which every select sees.
fn stuck_after(d: Duration) -> (Chan<()>, gosched::time::Timer) {
    let stuck = make::<()>(0);
    let s = stuck.clone();
    (stuck, gosched::time::after_func(d, move || s.close()))
}

// A context hashes by identity, which never changes.
#[allow(clippy::mutable_key_type)]
fn test_simultaneous_cancels(rt: Rt) {
    let (root, cancel) = with_cancel(&background());
    let mut m: HashMap<Context, CancelFunc> = HashMap::from([(root.clone(), cancel)]);
    let mut q = VecDeque::from([root]);
    // Create a tree of contexts.
    while let Some(parent) = q.pop_front() {
        if m.len() >= 100 {
            break;
        }
        for _ in 0..4 {
            let (ctx, cancel) = with_cancel(&parent);
            m.insert(ctx.clone(), cancel);
            q.push_back(ctx);
        }
    }
    // Start all the cancels in a random order.
    let wg = WaitGroup::new();
    wg.add(m.len() as i64);
    for cancel in m.values() {
        let (cancel, wg) = (cancel.clone(), wg.clone());
        rt.go(move || {
            cancel.cancel();
            wg.done();
        });
    }

    let d = quiescent();
    let (stuck, timer) = stuck_after(d);

    // Wait on all the contexts in a random order.
    for ctx in m.keys() {
        select! {
            recv(ctx.done()) -> _ => {},
            recv(stuck) -> _ => panic!("timed out after {d:?} waiting for <-ctx.Done()"),
        }
    }
    // Wait for all the cancel functions to return.
    let done = make::<()>(0);
    let d2 = done.clone();
    rt.go(move || {
        wg.wait();
        d2.close();
    });
    select! {
        recv(done) -> _ => {},
        recv(stuck) -> _ => panic!("timed out after {d:?} waiting for cancel functions"),
    }
    timer.stop();
}

fn test_interlocked_cancels(rt: Rt) {
    let (parent, cancel_parent) = with_cancel(&background());
    let (child, cancel_child) = with_cancel(&parent);
    let p = parent.clone();
    rt.go(move || {
        p.done().recv();
        cancel_child.cancel();
    });
    cancel_parent.cancel();
    let d = quiescent();
    select! {
        recv(child.done()) -> _ => {},
        recv(after(d)) -> _ => panic!("timed out after {d:?} waiting for child.Done()"),
    }
}

/// A small xorshift generator standing in for Go's `math/rand` in
/// `testLayers`.
struct Rand(u64);

impl Rand {
    fn intn(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `type value int` with keys `new(value)`: every key is its own.
#[derive(PartialEq)]
struct LayerKey(u64);
impl ContextKey for LayerKey {
    type Value = u64;
}

fn test_layers(seed: u64, test_timeout: bool) {
    let mut r = Rand(seed | 1);
    const MIN_LAYERS: usize = 30;
    let mut vals: Vec<u64> = Vec::new();
    let mut cancels: Vec<CancelFunc> = Vec::new();
    let mut num_timers = 0;
    let mut ctx = background();
    let mut i = 0;
    while i < MIN_LAYERS || num_timers == 0 || cancels.is_empty() || vals.is_empty() {
        match r.intn(3) {
            0 => {
                let v = i as u64;
                ctx = with_value(&ctx, LayerKey(v), v);
                vals.push(v);
            }
            1 => {
                let (c, cancel) = with_cancel(&ctx);
                ctx = c;
                cancels.push(cancel);
            }
            _ => {
                let d = if test_timeout { SHORT } else { VERY_LONG };
                let (c, cancel) = with_timeout(&ctx, d);
                ctx = c;
                cancels.push(cancel);
                num_timers += 1;
            }
        }
        i += 1;
    }
    let check_values = |when: &str| {
        for &key in &vals {
            assert_eq!(ctx.value(&LayerKey(key)), Some(&key), "seed={seed} {when}");
        }
    };
    if !test_timeout {
        assert!(!is_done(&ctx), "seed={seed} ctx should not be canceled yet");
    }
    let (s, prefix) = (ctx.to_string(), "context.Background.");
    assert!(
        s.starts_with(prefix),
        "ctx.String() = {s:?} want prefix {prefix:?}"
    );
    check_values("before cancel");
    if test_timeout {
        let d = quiescent();
        select! {
            recv(ctx.done()) -> _ => {},
            recv(after(d)) -> _ => panic!("seed={seed} ctx should have timed out after {d:?}"),
        }
        check_values("after timeout");
    } else {
        let cancel = &cancels[r.intn(cancels.len())];
        cancel.cancel();
        assert!(is_done(&ctx), "seed={seed} ctx should be canceled");
        check_values("after cancel");
    }
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

fn test_layers_cancel(_: Rt) {
    test_layers(seed(), false);
}

fn test_layers_timeout(_: Rt) {
    test_layers(seed(), true);
}

fn test_with_cancel_canceled_parent(_: Rt) {
    let (parent, pcancel) = with_cancel_cause(&background());
    let why = errorf("Because!");
    pcancel.cancel(why.clone());

    let (c, _) = with_cancel(&parent);
    assert!(is_done(&c), "child not done immediately upon construction");
    assert_eq!(c.err(), Some(Error::Canceled), "child not canceled");
    assert_eq!(cause(&c), Some(why), "child has wrong cause");
}

fn test_with_cancel_simultaneously_canceled_parent(rt: Rt) {
    // Cancel the parent goroutine concurrently with creating a child.
    for _ in 0..100 {
        let (parent, pcancel) = with_cancel_cause(&background());
        let why = errorf("Because!");
        let w = why.clone();
        rt.go(move || pcancel.cancel(w));

        let (c, _) = with_cancel(&parent);
        c.done().recv();
        assert_eq!(c.err(), Some(Error::Canceled), "child not canceled");
        assert_eq!(cause(&c), Some(why), "child has wrong cause");
    }
}

fn test_deadline_exceeded_supports_timeout(_: Rt) {
    assert!(Error::DeadlineExceeded.timeout(), "wrong value for timeout");
}

all_modes!(
    test_background,
    test_todo,
    test_with_cancel,
    test_deadline,
    test_timeout,
    test_canceled_timeout,
    test_values,
    test_simultaneous_cancels,
    test_interlocked_cancels,
    test_layers_cancel,
    test_layers_timeout,
    test_with_cancel_canceled_parent,
    test_with_cancel_simultaneously_canceled_parent,
    test_deadline_exceeded_supports_timeout,
);
