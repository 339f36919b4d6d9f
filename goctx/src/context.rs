//! The [`Context`] handle: Go's `context.Context` interface
//! (`context/context.go`, Go 1.27) over the kinds of context Go's package
//! defines — `backgroundCtx`, `todoCtx`, `cancelCtx`/`timerCtx`, `valueCtx`,
//! `withoutCancelCtx` — and the caller's own ([`CustomContext`]).
//!
//! A context is immutable and points at its parent; queries walk up the
//! chain in a loop, as Go's `value` does, and so do `Display` (Go's
//! `String`) and `Drop`, so a chain of any depth needs no stack.

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Instant;

use gochan::RecvChan;

use crate::custom::CustomContext;
use crate::derived::CancelNode;
use crate::error::Error;
use crate::gofmt::{GoDuration, GoTime};
use crate::value::{Entry, Lookup, ValueNode};

/// A context: a deadline, a cancellation signal and request-scoped values
/// that cross API boundaries and goroutines (Go's `context.Context`).
///
/// A cheap handle: clones are the same context (and compare equal), and it
/// is `Send + Sync`, so it can be handed to goroutines and threads alike.
/// Make one with [`background`], [`todo`] or a `with_*` function of this
/// crate; or wrap a [`CustomContext`] with [`Context::custom`].
///
/// ```
/// use std::time::Duration;
/// let (ctx, cancel) = goctx::with_timeout(&goctx::background(), Duration::from_secs(1));
/// assert!(ctx.err().is_none());
/// cancel.cancel();
/// assert_eq!(ctx.err(), Some(goctx::Error::Canceled));
/// assert_eq!(ctx.done().recv(), None); // closed
/// ```
///
/// [`background`]: crate::background
/// [`todo`]: crate::todo
#[derive(Clone)]
pub struct Context {
    pub(crate) repr: Repr,
}

#[derive(Clone)]
pub(crate) enum Repr {
    /// Go's `backgroundCtx`: never canceled, no values, no deadline.
    Background,
    /// Go's `todoCtx`: the same, under another name.
    Todo,
    /// Go's `cancelCtx`, or `timerCtx` when it has a deadline.
    Cancel(Arc<CancelNode>),
    /// Go's `valueCtx`.
    Value(Arc<ValueNode<dyn Entry>>),
    /// Go's `withoutCancelCtx`: the parent's values, nothing else.
    WithoutCancel(Arc<Context>),
    /// A context of the caller's.
    Custom(Arc<dyn CustomContext>),
}

/// The receive-only nil channel, background's `done()` (Go: `nil`).
static NIL_DONE: RecvChan<()> = RecvChan::nil();

/// `context.Background()`: the root of every context tree. Never canceled,
/// no deadline, no values; its `done()` is the nil channel, which never
/// fires. Costs nothing.
///
/// ```
/// let bg = goctx::background();
/// assert_eq!(bg.to_string(), "context.Background");
/// assert!(bg.done().is_nil());
/// assert!(bg.err().is_none() && bg.deadline().is_none());
/// ```
pub fn background() -> Context {
    Context {
        repr: Repr::Background,
    }
}

/// `context.TODO()`: like [`background`], for code that does not know yet
/// which context to use.
///
/// ```
/// assert_eq!(goctx::todo().to_string(), "context.TODO");
/// ```
pub fn todo() -> Context {
    Context { repr: Repr::Todo }
}

impl Context {
    /// Wraps a context of the caller's, so it can be a parent like any
    /// other (Go: any type that implements `context.Context`).
    pub fn custom(c: impl CustomContext) -> Context {
        Context::from_custom(Arc::new(c))
    }

    /// [`Context::custom`] for a context already shared.
    pub fn from_custom(c: Arc<dyn CustomContext>) -> Context {
        Context {
            repr: Repr::Custom(c),
        }
    }

    /// Go's `Deadline()`: when this context will be canceled by its deadline
    /// (its own or the nearest ancestor's), if it has one.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let at = Instant::now() + Duration::from_secs(60);
    /// let (ctx, _cancel) = goctx::with_deadline(&goctx::background(), at);
    /// let child = goctx::with_value(&ctx, goctx::Key::<u8>::new("k"), 1);
    /// assert_eq!(child.deadline(), Some(at));
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        let mut c = self;
        loop {
            match &c.repr {
                Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return None,
                Repr::Cancel(n) => match n.deadline {
                    Some(d) => return Some(d),
                    None => c = &n.parent,
                },
                Repr::Value(n) => c = &n.parent,
                Repr::Custom(x) => return x.deadline(),
            }
        }
    }

    /// Go's `Done()`: a channel closed when this context is canceled (by its
    /// cancel function, its deadline, or an ancestor). A context that can
    /// never be canceled returns the nil channel, which never fires in a
    /// [`select!`](gochan::select!). Made on the first call, as in Go.
    ///
    /// ```
    /// use gochan::select;
    /// let (ctx, cancel) = goctx::with_cancel(&goctx::background());
    /// cancel.cancel();
    /// let why = select! {
    ///     recv(ctx.done()) -> _ => ctx.err(),
    ///     default => None,
    /// };
    /// assert_eq!(why, Some(goctx::Error::Canceled));
    /// ```
    #[inline]
    pub fn done(&self) -> &RecvChan<()> {
        let mut c = self;
        loop {
            match &c.repr {
                Repr::Cancel(n) => return n.state.done(),
                Repr::Value(n) => c = &n.parent,
                Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return &NIL_DONE,
                Repr::Custom(x) => return x.done(),
            }
        }
    }

    /// Go's `Err()`: `None` until [`done`](Context::done) is closed, then
    /// why: [`Error::Canceled`] or [`Error::DeadlineExceeded`]. Once set it
    /// never changes.
    #[inline]
    pub fn err(&self) -> Option<Error> {
        let mut c = self;
        loop {
            match &c.repr {
                Repr::Cancel(n) => return n.state.err(),
                Repr::Value(n) => c = &n.parent,
                Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return None,
                Repr::Custom(x) => return x.err(),
            }
        }
    }

    /// Go's `Value(key)`: the value bound to `key` by the nearest
    /// [`with_value`](crate::with_value) up the chain. The key's type says
    /// the value's, so there is nothing to downcast.
    ///
    /// ```
    /// use goctx::Key;
    /// const USER: Key<String> = Key::new("user");
    /// let ctx = goctx::with_value(&goctx::background(), USER, "gopher".to_string());
    /// assert_eq!(ctx.value(&USER).map(String::as_str), Some("gopher"));
    /// assert_eq!(goctx::background().value(&USER), None);
    /// ```
    pub fn value<K: crate::ContextKey>(&self, key: &K) -> Option<&K::Value> {
        self.lookup(&Lookup::new(key))?.downcast_ref::<K::Value>()
    }

    /// The untyped lookup behind [`value`](Context::value), which a
    /// [`CustomContext`] forwards to its parent (Go's `value(c, key)`).
    pub fn lookup(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        let mut c = self;
        loop {
            match &c.repr {
                Repr::Background | Repr::Todo => return None,
                Repr::Value(n) => match n.get(key) {
                    Some(v) => return Some(v),
                    None => c = &n.parent,
                },
                Repr::Cancel(n) => {
                    if key.is_cancel_state() {
                        return Some(&n.state);
                    }
                    c = &n.parent;
                }
                Repr::WithoutCancel(parent) => {
                    if key.is_cancel_state() {
                        return None;
                    }
                    c = parent;
                }
                Repr::Custom(x) => return x.value(key),
            }
        }
    }

    /// The parent, for the kinds of context that have one.
    fn parent(&self) -> Option<&Context> {
        match &self.repr {
            Repr::Cancel(n) => Some(&n.parent),
            Repr::Value(n) => Some(&n.parent),
            Repr::WithoutCancel(p) => Some(p),
            Repr::Background | Repr::Todo | Repr::Custom(_) => None,
        }
    }

    /// The address that identifies this context (0 for background, 1 for
    /// TODO).
    fn addr(&self) -> usize {
        match &self.repr {
            Repr::Background => 0,
            Repr::Todo => 1,
            Repr::Cancel(n) => Arc::as_ptr(n).addr(),
            Repr::Value(n) => Arc::as_ptr(n).addr(),
            Repr::WithoutCancel(p) => Arc::as_ptr(p).addr(),
            Repr::Custom(x) => Arc::as_ptr(x).addr(),
        }
    }

    /// This context's own part of Go's `String()`: what it adds after its
    /// parent's name.
    fn fmt_own(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Background => f.write_str("context.Background"),
            Repr::Todo => f.write_str("context.TODO"),
            Repr::Cancel(n) => match n.deadline {
                None => f.write_str(".WithCancel"),
                Some(d) => write!(f, ".WithDeadline({} [{}])", GoTime(d), GoDuration::until(d)),
            },
            Repr::Value(n) => {
                f.write_str(".WithValue(")?;
                n.fmt_entry(f)?;
                f.write_str(")")
            }
            Repr::WithoutCancel(_) => f.write_str(".WithoutCancel"),
            Repr::Custom(x) => x.fmt(f),
        }
    }
}

impl fmt::Display for Context {
    /// Go's `String()`: the chain from the root, e.g.
    /// `context.Background.WithValue(user, gopher).WithCancel`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chain = vec![self];
        while let Some(p) = chain.last().and_then(|c| c.parent()) {
            chain.push(p);
        }
        for c in chain.iter().rev() {
            c.fmt_own(f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Context({self})")
    }
}

impl PartialEq for Context {
    /// Go's `==` on contexts: the same context.
    fn eq(&self, other: &Context) -> bool {
        std::mem::discriminant(&self.repr) == std::mem::discriminant(&other.repr)
            && self.addr() == other.addr()
    }
}

impl Eq for Context {}

impl Hash for Context {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.addr().hash(state);
    }
}

impl Drop for Context {
    /// Drops a chain of any depth in a loop: a node this handle holds the
    /// last reference to gives up its parent first.
    fn drop(&mut self) {
        let mut next = take_parent(&mut self.repr);
        while let Some(mut c) = next {
            next = take_parent(&mut c.repr);
        }
    }
}

/// The parent of the node `repr` points at, taken out of it (background
/// left in its place), if `repr` holds the last reference to that node.
fn take_parent(repr: &mut Repr) -> Option<Context> {
    // Nodes are never referenced weakly, so one strong reference means
    // `get_mut` succeeds; the count check keeps shared nodes to one load.
    match repr {
        Repr::Cancel(n) if Arc::strong_count(n) == 1 => {
            Arc::get_mut(n).map(|n| std::mem::replace(&mut n.parent, background()))
        }
        Repr::Value(n) if Arc::strong_count(n) == 1 => {
            Arc::get_mut(n).map(|n| std::mem::replace(&mut n.parent, background()))
        }
        Repr::WithoutCancel(p) if Arc::strong_count(p) == 1 => {
            Arc::get_mut(p).map(|p| std::mem::replace(p, background()))
        }
        _ => None,
    }
}
