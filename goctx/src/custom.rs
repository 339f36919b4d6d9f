//! Contexts of the caller's: Go lets any type that implements
//! `context.Context` be a parent, and `propagateCancel` then has three ways
//! to follow it (`context/context.go`, Go 1.27):
//!
//! 1. `parentCancelCtx`: if the custom context only wraps one of the
//!    package's cancellable contexts (its `Done` is that one's channel, and
//!    `Value(&cancelCtxKey)` reaches it), the child links under that one.
//! 2. `afterFuncer`: if it can run a function when done (an `AfterFunc`
//!    method; here [`CustomContext::after_func`]), the child registers one
//!    that cancels it, and unregisters it when canceled first (`stopCtx`).
//! 3. Otherwise a goroutine waits for either context to be done (Go counts
//!    these in `goroutines`; so does [`propagation_goroutines`]).
//!
//! [`propagation_goroutines`]: crate::introspect::propagation_goroutines

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use gochan::{RecvChan, TryRecvError, select};

use crate::afterfunc::AfterFuncStop;
use crate::cancel::{CancelState, is_closed_chan};
use crate::context::{Context, Repr};
use crate::derived::{Link, cause};
use crate::error::Error;
use crate::value::Lookup;

/// Go's `context.Context` interface, for contexts of the caller's; wrap one
/// with [`Context::custom`]. Most wrap a parent [`Context`] and forward
/// what they do not change to it.
///
/// The contract is Go's: once `done()` is closed, `err()` is `Some` and
/// stays the same; `done()` returns the same channel every time.
///
/// ```
/// use std::any::Any;
/// use std::time::Instant;
/// use goctx::{Context, CustomContext, Error, Lookup};
/// use gochan::RecvChan;
///
/// /// A context that hides its parent's deadline.
/// struct NoDeadline(Context);
///
/// impl CustomContext for NoDeadline {
///     fn deadline(&self) -> Option<Instant> { None }
///     fn done(&self) -> &RecvChan<()> { self.0.done() }
///     fn err(&self) -> Option<Error> { self.0.err() }
///     fn value(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> { self.0.lookup(key) }
/// }
///
/// let (parent, cancel) = goctx::with_timeout(&goctx::background(), std::time::Duration::from_secs(60));
/// let ctx = Context::custom(NoDeadline(parent));
/// let (child, _) = goctx::with_cancel(&ctx);
/// assert!(child.deadline().is_none());
/// cancel.cancel();
/// assert_eq!(child.err(), Some(Error::Canceled)); // linked to the parent it wraps
/// ```
pub trait CustomContext: Send + Sync + 'static {
    /// Go's `Deadline()`.
    fn deadline(&self) -> Option<Instant>;

    /// Go's `Done()`: the nil channel if this context is never canceled,
    /// else a channel closed when it is done (and never sent on).
    fn done(&self) -> &RecvChan<()>;

    /// Go's `Err()`: `None` until `done()` is closed.
    fn err(&self) -> Option<Error>;

    /// Go's `Value(key)`: answer keys of your own (see [`Lookup::key`]),
    /// forward the rest to the parent with [`Context::lookup`].
    fn value(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)>;

    /// Go's `String()`, or the type's name when it has none (Go's
    /// `contextName`). It continues the parent's text, so a wrapper of a
    /// context usually prints that context.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::any::type_name::<Self>())
    }

    /// Go's optional `AfterFunc(f func()) (stop func() bool)` method: run
    /// `f` in its own goroutine once this context is done, and return a
    /// handle that unregisters it ([`AfterFuncStop::from_fn`]). A child then
    /// registers here instead of starting a goroutine. `None` (the default)
    /// means the method is not there.
    fn after_func(&self, f: Box<dyn FnOnce() + Send + 'static>) -> Option<AfterFuncStop> {
        drop(f);
        None
    }
}

/// Go's `goroutines` counter: goroutines started to watch a custom parent.
pub(crate) static GOROUTINES: AtomicU64 = AtomicU64::new(0);

/// `parent.Err()` of a parent whose `Done` is closed. A custom parent that
/// breaks the contract (done, yet no error) meets Go's panic.
fn done_err(parent: &Context) -> Error {
    parent
        .err()
        .unwrap_or_else(|| panic!("context: internal error: missing cancel error"))
}

/// Go's `propagateCancel` for a chain that reaches a custom context before
/// any cancellable context of goctx's.
pub(crate) fn propagate_cancel(parent: &Context, child: &mut Arc<CancelState>) -> Link {
    let done = parent.done();
    if done.is_nil() {
        return Link::None; // parent is never canceled
    }
    match done.try_recv() {
        Ok(()) | Err(TryRecvError::Closed) => {
            // parent is already canceled
            child.cancel_new(done_err(parent), cause(parent));
            return Link::None;
        }
        Err(TryRecvError::Empty) => {}
    }
    if let Some(p) = parent_cancel_ctx(parent, done) {
        // parent is (or wraps) one of ours
        return if p.adopt(child) {
            Link::Child(p)
        } else {
            Link::None
        };
    }
    let (watched, canceled) = (parent.clone(), Arc::clone(child));
    let on_done = Box::new(move || {
        canceled.cancel(done_err(&watched), cause(&watched));
    });
    if let Some(stop) = after_func_of(parent, on_done) {
        // parent implements an AfterFunc method
        return Link::Stop(stop);
    }
    GOROUTINES.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(parent = %parent, "propagateCancel: a goroutine watches a custom parent");
    let (watched, canceled) = (parent.clone(), Arc::clone(child));
    let (parent_done, child_done) = (done.clone(), child.done().clone());
    gosched::go(move || {
        select! {
            recv(parent_done) -> _ => {
                canceled.cancel(done_err(&watched), cause(&watched));
            },
            recv(child_done) -> _ => {},
        }
    });
    Link::None
}

/// Go's `parentCancelCtx`: the cancellable context of goctx's that `parent`
/// is or wraps, if `parent`'s done channel is that one's.
fn parent_cancel_ctx(parent: &Context, done: &RecvChan<()>) -> Option<Arc<CancelState>> {
    if is_closed_chan(done) {
        return None;
    }
    let p = parent
        .lookup(&Lookup::CANCEL_STATE)?
        .downcast_ref::<Arc<CancelState>>()?;
    if p.done_if_made()? != done {
        return None;
    }
    Some(Arc::clone(p))
}

/// `parent.(afterFuncer)`: only a custom context itself has the method (a
/// value context over one does not: Go promotes only `Context`'s methods).
fn after_func_of(parent: &Context, f: Box<dyn FnOnce() + Send + 'static>) -> Option<AfterFuncStop> {
    match &parent.repr {
        Repr::Custom(x) => x.after_func(f),
        _ => None,
    }
}
