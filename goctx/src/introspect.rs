//! Looking inside a context tree, for tests and for people who study it:
//! what Go's own tests read from unexported fields (`len(c.children)`, the
//! `goroutines` counter of `context/context.go`, Go 1.27).

use std::sync::atomic::Ordering;

use crate::context::{Context, Repr};

/// How many cancellable children (contexts, deadlines, `after_func`s) are
/// linked under `ctx` (Go's `len(c.children)`), or `None` if `ctx` is not a
/// cancellable context itself. A child leaves when it is canceled; a
/// canceled context has none.
///
/// ```
/// let (parent, _) = goctx::with_cancel(&goctx::background());
/// let (_child, cancel) = goctx::with_cancel(&parent);
/// assert_eq!(goctx::introspect::linked_children(&parent), Some(1));
/// cancel.cancel();
/// assert_eq!(goctx::introspect::linked_children(&parent), Some(0));
/// assert_eq!(goctx::introspect::linked_children(&goctx::background()), None);
/// ```
pub fn linked_children(ctx: &Context) -> Option<usize> {
    match &ctx.repr {
        Repr::Cancel(n) => Some(n.state.children_len()),
        _ => None,
    }
}

/// Whether `child` is linked under `parent`: `parent` is the cancellable
/// context `child` hangs off, and neither has been canceled (Go's
/// `contains(pc.children, cc)`).
///
/// ```
/// let (parent, _) = goctx::with_cancel(&goctx::background());
/// let valued = goctx::with_value(&parent, goctx::Key::<u8>::new("k"), 1);
/// let (child, cancel) = goctx::with_cancel(&valued);
/// assert!(goctx::introspect::linked_under(&parent, &child));
/// cancel.cancel();
/// assert!(!goctx::introspect::linked_under(&parent, &child));
/// ```
pub fn linked_under(parent: &Context, child: &Context) -> bool {
    match (&parent.repr, &child.repr) {
        (Repr::Cancel(p), Repr::Cancel(c)) => p.state.has_child(&c.state),
        _ => false,
    }
}

/// Whether `ctx` has its own deadline timer armed: set by
/// [`with_deadline`](crate::with_deadline), stopped when `ctx` is canceled
/// (by its timer or earlier).
///
/// ```
/// use std::time::Duration;
/// let (ctx, cancel) = goctx::with_timeout(&goctx::background(), Duration::from_secs(60));
/// assert!(goctx::introspect::timer_armed(&ctx));
/// cancel.cancel();
/// assert!(!goctx::introspect::timer_armed(&ctx));
/// ```
pub fn timer_armed(ctx: &Context) -> bool {
    match &ctx.repr {
        Repr::Cancel(n) => n.state.timer_armed(),
        _ => false,
    }
}

/// Goroutines started so far, process-wide, to watch a custom parent that
/// neither wraps a goctx context nor has an `after_func` (Go's
/// `goroutines` counter).
pub fn propagation_goroutines() -> u64 {
    crate::custom::GOROUTINES.load(Ordering::Relaxed)
}
