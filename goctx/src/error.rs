//! Why a context is done: Go's `context.Canceled` and
//! `context.DeadlineExceeded` (`context/context.go`, Go 1.27), and the
//! cause a `WithCancelCause`/`WithDeadlineCause`/`WithTimeoutCause` context
//! carries beside its error (Go's `context.Cause`).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// What [`Context::err`](crate::Context::err) reports once a context is
/// done: Go's two error values.
///
/// ```
/// use goctx::Error;
/// assert_eq!(Error::Canceled.to_string(), "context canceled");
/// assert_eq!(Error::DeadlineExceeded.to_string(), "context deadline exceeded");
/// assert!(Error::DeadlineExceeded.timeout());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Error {
    /// `context.Canceled`: the context was canceled (its cancel function
    /// ran, or an ancestor's did).
    Canceled = 1,
    /// `context.DeadlineExceeded`: the context's deadline (or an
    /// ancestor's) passed.
    DeadlineExceeded = 2,
}

impl Error {
    /// Go's `Timeout()` method, which `DeadlineExceeded` has (so `net`
    /// code treats it as a timeout): `true` for
    /// [`DeadlineExceeded`](Error::DeadlineExceeded).
    pub fn timeout(self) -> bool {
        self == Error::DeadlineExceeded
    }

    /// Go's `Temporary()` method of `DeadlineExceeded` (deprecated in Go,
    /// kept for `net.Error`): `true` for
    /// [`DeadlineExceeded`](Error::DeadlineExceeded).
    pub fn temporary(self) -> bool {
        self == Error::DeadlineExceeded
    }

    /// The one-byte code a context stores (see `cancel.rs`).
    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    /// The error of a non-zero code of [`Error::code`].
    pub(crate) fn from_code(code: u8) -> Option<Error> {
        match code {
            1 => Some(Error::Canceled),
            2 => Some(Error::DeadlineExceeded),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Canceled => "context canceled",
            Error::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl std::error::Error for Error {}

/// Why a context was canceled, as [`cause`](crate::cause()) reports it
/// (Go's `context.Cause`): the error handed to a
/// [`CancelCauseFunc`](crate::CancelCauseFunc) or to
/// [`with_deadline_cause`](crate::with_deadline_cause), else the context's
/// [`Error`].
///
/// Causes compare as Go's error values do: two [`Error`]s by value, two
/// errors of the caller's by identity (the same [`Cause::new`], cloned).
///
/// ```
/// use goctx::{Cause, Error};
/// let why = Cause::new(std::io::Error::other("disk full"));
/// assert_eq!(why, why.clone());
/// assert_ne!(why, Cause::new(std::io::Error::other("disk full")));
/// assert_eq!(Cause::from(Error::Canceled), Error::Canceled);
/// assert_eq!(why.to_string(), "disk full");
/// ```
#[derive(Clone)]
pub struct Cause(Repr);

#[derive(Clone)]
enum Repr {
    Context(Error),
    Custom(Arc<dyn std::error::Error + Send + Sync + 'static>),
}

impl Cause {
    /// A cause of the caller's. An [`Error`] passed here is kept as the
    /// error value itself (so it equals `Error::Canceled` and the like).
    pub fn new<E: std::error::Error + Send + Sync + 'static>(err: E) -> Cause {
        match (&err as &dyn Any).downcast_ref::<Error>() {
            Some(&e) => Cause(Repr::Context(e)),
            None => Cause(Repr::Custom(Arc::new(err))),
        }
    }

    /// A cause from an error already shared; it keeps its identity.
    pub fn from_arc(err: Arc<dyn std::error::Error + Send + Sync + 'static>) -> Cause {
        Cause(Repr::Custom(err))
    }

    /// The cause as an error.
    pub fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        match &self.0 {
            Repr::Context(e) => e,
            Repr::Custom(e) => &**e,
        }
    }

    /// The cause as `E`, if it is one (Go's `errors.As`, without unwrapping).
    ///
    /// ```
    /// let why = goctx::Cause::new(std::io::Error::other("disk full"));
    /// assert!(why.downcast_ref::<std::io::Error>().is_some());
    /// ```
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.as_error().downcast_ref::<E>()
    }

    /// The context [`Error`] this cause is, if it is one.
    pub fn context_error(&self) -> Option<Error> {
        match self.0 {
            Repr::Context(e) => Some(e),
            Repr::Custom(_) => None,
        }
    }
}

impl From<Error> for Cause {
    fn from(e: Error) -> Cause {
        Cause(Repr::Context(e))
    }
}

impl PartialEq for Cause {
    /// Go's `==` on error values: [`Error`]s by value, the caller's errors
    /// by identity.
    fn eq(&self, other: &Cause) -> bool {
        match (&self.0, &other.0) {
            (Repr::Context(a), Repr::Context(b)) => a == b,
            (Repr::Custom(a), Repr::Custom(b)) => std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b)),
            _ => false,
        }
    }
}

impl Eq for Cause {}

impl PartialEq<Error> for Cause {
    fn eq(&self, other: &Error) -> bool {
        self.context_error() == Some(*other)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_error(), f)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Context(e) => f.debug_tuple("Cause").field(e).finish(),
            Repr::Custom(e) => f.debug_tuple("Cause").field(&**e).finish(),
        }
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.as_error().source()
    }
}
