//! goctx — Go's `context` package (chapter 4 of the notes, "Context"),
//! modelled on **Go 1.27**'s `src/context/context.go`, on
//! [gochan](gochan) channels and [gosched](gosched) timers.
//!
//! ```
//! use std::time::Duration;
//! use gochan::{make, select};
//! use goctx::{Key, background, with_timeout, with_value};
//!
//! const USER: Key<&str> = Key::new("user");
//! let ctx = with_value(&background(), USER, "gopher");
//! let (ctx, cancel) = with_timeout(&ctx, Duration::from_secs(5));
//! let _cancel = cancel.drop_guard(); // defer cancel()
//!
//! let results = make::<String>(1);
//! let (c, r) = (ctx.clone(), results.clone());
//! gosched::go(move || {
//!     // ... work for the request, giving up when its context is done:
//!     select! {
//!         send(r, format!("hello, {}", c.value(&USER).unwrap())) => {},
//!         recv(c.done()) -> _ => {},
//!     }
//! });
//! select! {
//!     recv(results) -> v => assert_eq!(v.unwrap(), "hello, gopher"),
//!     recv(ctx.done()) -> _ => panic!("{}", ctx.err().unwrap()),
//! }
//! ```
//!
//! # What is modelled
//!
//! - [`Context`]: Go's interface as a cheap, cloneable, `Send + Sync`
//!   handle: [`deadline`](Context::deadline), [`done`](Context::done) (a
//!   gochan [`RecvChan<()>`](gochan::RecvChan), closed on cancellation,
//!   usable in [`select!`](gochan::select!); the nil channel for contexts
//!   that are never canceled), [`err`](Context::err) (`None`,
//!   [`Error::Canceled`], [`Error::DeadlineExceeded`]),
//!   [`value`](Context::value); `Display` is Go's `String()`
//!   (`context.Background.WithValue(user, gopher).WithDeadline(… [4.99s])`).
//! - [`background`], [`todo`], [`with_cancel`], [`with_cancel_cause`],
//!   [`with_deadline`], [`with_deadline_cause`], [`with_timeout`],
//!   [`with_timeout_cause`], [`with_value`], [`without_cancel`],
//!   [`after_func`], [`cause()`].
//! - Typed keys ([`ContextKey`], [`Key`]): a key names the type of its
//!   value, so `ctx.value(&key)` returns `Option<&V>`; lookups walk the
//!   parent chain as Go's `value` does.
//! - Go's `propagateCancel` and `cancel`, exactly: canceling a context
//!   cancels every descendant with its error and cause; a canceled child
//!   leaves its parent's children (no dead children pile up under a
//!   long-lived parent); a child of a canceled parent is born canceled; a
//!   deadline later than the parent's is not kept; a deadline's timer is
//!   stopped when the context is canceled earlier; the first cancellation
//!   wins; cancel functions are idempotent and safe from any goroutine or
//!   thread. `done` channels are made lazily; contexts canceled before
//!   anyone asked share one closed channel (Go's `closedchan`).
//! - Contexts of the caller's ([`CustomContext`]) as parents, with Go's
//!   three ways to follow them (wrapped cancel context, `AfterFunc`
//!   method, a watching goroutine).
//! - Deadlines are gosched timers: a thousand deadlines cost no threads.
//!   Everything works from goroutines and plain threads alike, and
//!   `after_func` functions run in their own goroutine
//!   ([`gosched::go`]).
//! - [`introspect`]: linked children, armed timers, watcher goroutines
//!   (what Go's tests read from unexported fields).
//!
//! # What differs from Go, and why
//!
//! - **No panics.** Go's context panics cannot happen here: `cannot create
//!   context from nil parent` (a [`Context`] is never nil), `nil key` (a
//!   key is a value of a [`ContextKey`] type, never nil) and `key is not
//!   comparable` (`ContextKey` requires `PartialEq`, checked at compile
//!   time). Go's `context: internal error: missing cancel error` is
//!   reachable only through a [`CustomContext`] that breaks the contract
//!   (its `done()` closed while `err()` is `None`), and panics with Go's
//!   text.
//! - **Cancel functions are values**: [`CancelFunc::cancel`],
//!   [`CancelCauseFunc::cancel`] (a cause or `None`), and
//!   [`CancelFunc::drop_guard`] for `defer cancel()`.
//! - **A parent does not own its children's parent pointers.** Go's
//!   `children` map points at whole child contexts, and the garbage
//!   collector frees a tree nobody cancels. Here a parent holds only its
//!   children's cancellation state, so dropping every handle of a tree
//!   frees it without any cancel.
//! - **Deadlines print in UTC**, with a monotonic reading counted from the
//!   first time goctx read the clock: `Instant` has no wall clock or zone.
//! - **Where a deadline's timer lives.** A context made on a goroutine puts
//!   its timer on that runtime's heap, which stops when the runtime's `run`
//!   returns; one made on a plain thread uses gosched's timer thread. An
//!   [`after_func`] function runs on the runtime of the goroutine that
//!   canceled the context, else on gosched's process-wide runtime.
//! - **`done()` lends a reference** (`&RecvChan<()>`, clone it to keep it):
//!   Go returns the channel pointer; cloning here would touch a shared
//!   reference count on every call.
//! - Cancellation holds each context's lock only while canceling that
//!   context, and visits descendants in a loop (Go holds the parent's lock
//!   while it recurses into children); the order of children is Go's map
//!   order in Go and last-linked-first here — neither is promised.

#![forbid(unsafe_code)]

mod afterfunc;
mod cancel;
mod children;
mod context;
mod custom;
mod derived;
mod error;
mod gofmt;
pub mod introspect;
mod sync;
mod value;

pub use afterfunc::{AfterFuncStop, after_func};
pub use context::{Context, background, todo};
pub use custom::CustomContext;
pub use derived::{
    CancelCauseFunc, CancelFunc, CancelGuard, cause, with_cancel, with_cancel_cause, with_deadline,
    with_deadline_cause, with_timeout, with_timeout_cause, without_cancel,
};
pub use error::{Cause, Error};
pub use value::{ContextKey, Key, Lookup, with_value};

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
