//! Derived contexts that can be canceled: Go's `WithCancel`,
//! `WithCancelCause`, `WithDeadline`, `WithDeadlineCause`, `WithTimeout`,
//! `WithTimeoutCause`, `WithoutCancel`, `Cause`, and the `propagateCancel`
//! that links a child to its parent (`context/context.go`, Go 1.27).
//!
//! A [`CancelNode`] is Go's `cancelCtx` or `timerCtx` as a context: the
//! parent it embeds, its deadline, the [`CancelState`] it cancels, and how
//! it is linked to its parent ([`Link`]), so that canceling it can unlink
//! it (Go's `removeChild`). Deadlines are gosched timers (`gosched::time`):
//! on a goroutine, the runtime's timer heap; elsewhere, the one timer
//! thread. A thousand deadlines cost no thread.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::afterfunc::AfterFuncStop;
use crate::cancel::{CancelState, Hook};
use crate::context::{Context, Repr};
use crate::error::{Cause, Error};
use crate::value::Lookup;

/// Go's `cancelCtx` (and `timerCtx` when `deadline` is set) as a context.
pub(crate) struct CancelNode {
    /// Go: the embedded `Context`.
    pub(crate) parent: Context,
    pub(crate) state: Arc<CancelState>,
    /// Go's `timerCtx.deadline`.
    pub(crate) deadline: Option<Instant>,
    pub(crate) link: Link,
}

/// How a cancellable context hangs off its parent, for `removeChild`.
pub(crate) enum Link {
    /// Nothing to undo: the parent is never canceled, the child was born
    /// canceled, or a goroutine watches the parent (it ends with the child).
    None,
    /// In this state's `children`.
    Child(Arc<CancelState>),
    /// Registered with a custom parent's `after_func` (Go's `stopCtx`).
    Stop(AfterFuncStop),
}

impl CancelNode {
    /// A cancellable child of `parent` with `hook`, linked (Go:
    /// `c := &cancelCtx{}; c.propagateCancel(parent, c)`).
    pub(crate) fn new(parent: &Context, deadline: Option<Instant>, hook: Hook) -> Arc<CancelNode> {
        let mut state = Arc::new(CancelState::new(hook));
        let link = propagate_cancel(parent, &mut state);
        Arc::new(CancelNode {
            parent: parent.clone(),
            state,
            deadline,
            link,
        })
    }

    /// Go's `cancel(removeFromParent, err, cause)` of `cancelCtx`,
    /// `timerCtx` and `afterFuncCtx`.
    pub(crate) fn cancel(&self, remove_from_parent: bool, err: Error, cause: Option<Cause>) {
        if self.state.cancel(err, cause) && remove_from_parent {
            self.remove_from_parent();
        }
    }

    /// Go's `removeChild(c.Context, c)`.
    fn remove_from_parent(&self) {
        match &self.link {
            Link::None => {}
            Link::Child(parent) => parent.remove_child(&self.state),
            Link::Stop(stop) => {
                stop.stop();
            }
        }
    }
}

/// Go's `propagateCancel`: arranges for `child` to be canceled when
/// `parent` is. Walks up to the nearest context that decides: one that is
/// never canceled (nothing to do), a cancellable one (`adopt`: linked, or
/// canceled at once if that one already is), or one of the caller's
/// (`custom.rs`, which follows Go's `parentCancelCtx`/`afterFuncer`/
/// goroutine steps).
pub(crate) fn propagate_cancel(parent: &Context, child: &mut Arc<CancelState>) -> Link {
    let mut c = parent;
    loop {
        match &c.repr {
            Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return Link::None,
            Repr::Value(n) => c = &n.parent,
            Repr::Cancel(n) => {
                return if n.state.adopt(child) {
                    Link::Child(Arc::clone(&n.state))
                } else {
                    Link::None
                };
            }
            Repr::Custom(_) => return crate::custom::propagate_cancel(parent, child),
        }
    }
}

/// Go's `CancelFunc`: cancels its context (and every context derived from
/// it), and unlinks it from its parent. Idempotent: calls after the first
/// do nothing. Callable from any goroutine or thread; clones cancel the
/// same context. Dropping it does not cancel (as in Go, where `go vet`
/// asks you to call it); [`drop_guard`](CancelFunc::drop_guard) does.
#[derive(Clone)]
pub struct CancelFunc {
    node: Arc<CancelNode>,
}

impl CancelFunc {
    /// Cancels the context with [`Error::Canceled`] (the first cancellation
    /// wins: a context whose deadline already passed stays
    /// `DeadlineExceeded`).
    pub fn cancel(&self) {
        self.node.cancel(true, Error::Canceled, None);
    }

    /// A guard that cancels when dropped: Go's `defer cancel()`.
    ///
    /// ```
    /// let (ctx, cancel) = goctx::with_cancel(&goctx::background());
    /// {
    ///     let _cancel = cancel.drop_guard(); // defer cancel()
    /// }
    /// assert!(ctx.err().is_some());
    /// ```
    pub fn drop_guard(self) -> CancelGuard {
        CancelGuard { cancel: Some(self) }
    }
}

impl std::fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelFunc")
            .field("err", &self.node.state.err())
            .finish()
    }
}

/// Cancels its context when dropped (see [`CancelFunc::drop_guard`]).
#[derive(Debug)]
#[must_use = "dropping the guard cancels at once"]
pub struct CancelGuard {
    /// Taken by `disarm`.
    cancel: Option<CancelFunc>,
}

impl CancelGuard {
    /// Gives the cancel function back without canceling.
    pub fn disarm(mut self) -> CancelFunc {
        self.cancel.take().expect("a guard is disarmed once")
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel.cancel();
        }
    }
}

/// Go's `CancelCauseFunc`: a [`CancelFunc`] that also records why.
#[derive(Clone)]
pub struct CancelCauseFunc {
    node: Arc<CancelNode>,
}

impl CancelCauseFunc {
    /// Cancels the context with [`Error::Canceled`] and records `cause`
    /// (`None`: the cause is `Canceled` itself, as Go's `nil`). Only the
    /// first cancellation's error and cause stick.
    ///
    /// ```
    /// use goctx::{Cause, Error};
    /// let (ctx, cancel) = goctx::with_cancel_cause(&goctx::background());
    /// let why = Cause::new(std::io::Error::other("upstream went away"));
    /// cancel.cancel(why.clone());
    /// cancel.cancel(None); // too late: the first cause stays
    /// assert_eq!(ctx.err(), Some(Error::Canceled));
    /// assert_eq!(goctx::cause(&ctx), Some(why));
    /// ```
    pub fn cancel(&self, cause: impl Into<Option<Cause>>) {
        self.node.cancel(true, Error::Canceled, cause.into());
    }
}

impl std::fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelCauseFunc")
            .field("err", &self.node.state.err())
            .finish()
    }
}

fn cancel_ctx(node: &Arc<CancelNode>) -> Context {
    Context {
        repr: Repr::Cancel(Arc::clone(node)),
    }
}

/// `context.WithCancel(parent)`: a child of `parent` with its own cancel
/// function. The child is done when `cancel` runs or when `parent` is done,
/// whichever is first; a child of a canceled parent is born canceled.
///
/// ```
/// let (parent, cancel_parent) = goctx::with_cancel(&goctx::background());
/// let (child, _cancel_child) = goctx::with_cancel(&parent);
/// assert_eq!(child.to_string(), "context.Background.WithCancel.WithCancel");
/// cancel_parent.cancel();
/// assert_eq!(child.err(), Some(goctx::Error::Canceled));
/// ```
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let node = CancelNode::new(parent, None, Hook::None);
    (cancel_ctx(&node), CancelFunc { node })
}

/// `context.WithCancelCause(parent)`: [`with_cancel`] whose cancel function
/// takes a cause, which [`cause`](crate::cause()) reports.
pub fn with_cancel_cause(parent: &Context) -> (Context, CancelCauseFunc) {
    let node = CancelNode::new(parent, None, Hook::None);
    (cancel_ctx(&node), CancelCauseFunc { node })
}

/// `context.WithDeadline(parent, d)`: [`with_cancel`] that is also canceled
/// with [`Error::DeadlineExceeded`] at `d`. A deadline later than the
/// parent's is not kept: the child is then a plain `with_cancel` child
/// (the parent's deadline comes first). A deadline already passed gives a
/// child born `DeadlineExceeded`. The timer is stopped when the context is
/// canceled earlier.
///
/// ```
/// use std::time::{Duration, Instant};
/// let (ctx, _cancel) = goctx::with_deadline(&goctx::background(), Instant::now());
/// assert_eq!(ctx.err(), Some(goctx::Error::DeadlineExceeded));
/// ```
pub fn with_deadline(parent: &Context, d: Instant) -> (Context, CancelFunc) {
    with_deadline_cause(parent, d, None)
}

/// `context.WithDeadlineCause(parent, d, cause)`: [`with_deadline`] whose
/// deadline records `cause` (a cancel function still records none).
pub fn with_deadline_cause(
    parent: &Context,
    d: Instant,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    if parent.deadline().is_some_and(|cur| cur < d) {
        // The current deadline is already sooner than the new one.
        return with_cancel(parent);
    }
    crate::gofmt::clock_epoch();
    let node = CancelNode::new(parent, Some(d), Hook::None);
    let now = Instant::now();
    if d <= now {
        // The deadline has already passed.
        node.cancel(true, Error::DeadlineExceeded, cause);
    } else {
        let timer_node = Arc::clone(&node);
        node.state.arm_timer(move || {
            gosched::time::after_func(d - now, move || {
                tracing::debug!("context deadline exceeded");
                timer_node.cancel(true, Error::DeadlineExceeded, cause);
            })
        });
    }
    (cancel_ctx(&node), CancelFunc { node })
}

/// `context.WithTimeout(parent, timeout)`: `with_deadline(parent, now +
/// timeout)`.
///
/// ```
/// use std::time::Duration;
/// let (ctx, _cancel) = goctx::with_timeout(&goctx::background(), Duration::from_millis(1));
/// assert_eq!(ctx.done().recv(), None); // closed when the millisecond is up
/// assert!(ctx.err().unwrap().timeout());
/// ```
pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFunc) {
    with_deadline(parent, deadline_in(timeout))
}

/// `context.WithTimeoutCause(parent, timeout, cause)`.
pub fn with_timeout_cause(
    parent: &Context,
    timeout: Duration,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    with_deadline_cause(parent, deadline_in(timeout), cause)
}

/// `time.Now().Add(timeout)`; a timeout past what `Instant` can hold is a
/// deadline a century away, which no program outlives.
fn deadline_in(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// `context.WithoutCancel(parent)`: a child that has `parent`'s values but
/// is never canceled, has no deadline, and whose `done()` is nil, even
/// when `parent` is canceled. For work that must outlive a request.
///
/// ```
/// let (ctx, cancel) = goctx::with_cancel(&goctx::background());
/// let detached = goctx::without_cancel(&ctx);
/// cancel.cancel();
/// assert!(detached.err().is_none() && detached.done().is_nil());
/// assert_eq!(detached.to_string(), "context.Background.WithCancel.WithoutCancel");
/// ```
pub fn without_cancel(parent: &Context) -> Context {
    Context {
        repr: Repr::WithoutCancel(Arc::new(parent.clone())),
    }
}

/// `context.Cause(c)`: why `c` was canceled. `None` while `c` is not done;
/// then the cause given to the first cancellation of `c` or of the
/// ancestor that canceled it (a [`CancelCauseFunc`]'s, or a
/// `*_cause` deadline's), else `c.err()` itself.
///
/// ```
/// use goctx::{Cause, Error};
/// let (parent, cancel) = goctx::with_cancel_cause(&goctx::background());
/// let (child, _) = goctx::with_cancel(&parent);
/// let why = Cause::new(std::io::Error::other("shutting down"));
/// cancel.cancel(why.clone());
/// assert_eq!(child.err(), Some(Error::Canceled));
/// assert_eq!(goctx::cause(&child), Some(why));
/// assert_eq!(goctx::cause(&goctx::background()), None);
/// ```
pub fn cause(c: &Context) -> Option<Cause> {
    let err = c.err()?;
    let state = c
        .lookup(&Lookup::CANCEL_STATE)
        .and_then(|s| s.downcast_ref::<Arc<CancelState>>());
    Some(state.and_then(|s| s.cause()).unwrap_or(Cause::from(err)))
}
