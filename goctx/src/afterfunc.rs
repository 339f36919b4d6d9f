//! `context.AfterFunc` (`context/context.go`, Go 1.27: `AfterFunc`,
//! `afterFuncCtx`): run a function in its own goroutine once a context is
//! done, unless stopped first.
//!
//! Go makes an `afterFuncCtx`, a `cancelCtx` linked under the context like
//! any child, whose cancel starts the function (guarded by a `sync.Once`
//! that `stop` may take first). So does goctx: the function is the hook of
//! a [`CancelState`](crate::cancel), taken either by its cancellation or by
//! [`AfterFuncStop::stop`].

use std::fmt;
use std::sync::Arc;

use crate::cancel::Hook;
use crate::context::Context;
use crate::derived::CancelNode;
use crate::error::Error;

/// `context.AfterFunc(ctx, f)`: arranges to call `f` in its own goroutine
/// (gosched's [`go`](gosched::go)) after `ctx` is done, whether canceled or
/// past its deadline; at once if it is done already. Several calls for one
/// context run independently. Returns the handle that can stop it.
///
/// The function is kept until it runs or is stopped. If it holds a clone
/// of the very context it watches, that context and its ancestors stay
/// alive as long as it is kept: should nothing be able to cancel them any
/// more, that is a reference cycle, which Go's collector would free and
/// `Arc`s do not. Let the function capture what it needs (a channel, a
/// connection) or a `Weak`, or `stop` it.
///
/// ```
/// let (ctx, cancel) = goctx::with_cancel(&goctx::background());
/// let (tx, rx) = std::sync::mpsc::channel();
/// let _stop = goctx::after_func(&ctx, move || tx.send("cleaned up").unwrap());
/// cancel.cancel();
/// assert_eq!(rx.recv().unwrap(), "cleaned up");
/// ```
pub fn after_func(ctx: &Context, f: impl FnOnce() + Send + 'static) -> AfterFuncStop {
    let node = CancelNode::new(ctx, None, Hook::AfterFunc(Box::new(f)));
    AfterFuncStop(Stop::Context(node))
}

/// Stops an [`after_func`] (Go: the `stop func() bool` it returns).
/// Clones stop the same call.
#[derive(Clone)]
pub struct AfterFuncStop(Stop);

#[derive(Clone)]
enum Stop {
    Context(Arc<CancelNode>),
    Custom(Arc<dyn Fn() -> bool + Send + Sync + 'static>),
}

impl AfterFuncStop {
    /// Unregisters the function: returns `true` if this call kept it from
    /// running, `false` if it had already started (the context was done)
    /// or had been stopped. It does not wait for a started function.
    ///
    /// ```
    /// let (ctx, cancel) = goctx::with_cancel(&goctx::background());
    /// let stop = goctx::after_func(&ctx, || unreachable!("stopped first"));
    /// assert!(stop.stop());
    /// assert!(!stop.stop());
    /// cancel.cancel();
    /// ```
    pub fn stop(&self) -> bool {
        match &self.0 {
            Stop::Context(node) => match node.state.take_after_func() {
                Some(f) => {
                    drop(f);
                    // Go: `a.cancel(true, Canceled, nil)`, to unlink it.
                    node.cancel(true, Error::Canceled, None);
                    true
                }
                None => false,
            },
            Stop::Custom(stop) => stop(),
        }
    }

    /// The stop handle a [`CustomContext`](crate::CustomContext)'s
    /// [`after_func`](crate::CustomContext::after_func) returns: `stop`
    /// unregisters the function and says whether it was still registered.
    pub fn from_fn(stop: impl Fn() -> bool + Send + Sync + 'static) -> AfterFuncStop {
        AfterFuncStop(Stop::Custom(Arc::new(stop)))
    }
}

impl fmt::Debug for AfterFuncStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Stop::Context(node) => f
                .debug_struct("AfterFuncStop")
                .field("err", &node.state.err())
                .finish(),
            Stop::Custom(_) => f.write_str("AfterFuncStop(custom)"),
        }
    }
}
