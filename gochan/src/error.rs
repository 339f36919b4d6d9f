//! Errors of the checked and non-blocking operations. Where Go panics
//! (`runtime/chan.go`, Go 1.27: `plainError("send on closed channel")`,
//! `"close of closed channel"`, `"close of nil channel"`), the error's
//! `Display` is Go's message.

use std::error::Error;
use std::fmt;

/// Go's panic message for a send on a closed channel.
pub const SEND_ON_CLOSED: &str = "send on closed channel";
/// Go's panic message for closing a closed channel.
pub const CLOSE_OF_CLOSED: &str = "close of closed channel";
/// Go's panic message for closing a nil channel.
pub const CLOSE_OF_NIL: &str = "close of nil channel";

/// The channel was closed: the value comes back
/// ([`Chan::send_checked`](crate::Chan::send_checked)).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}
impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SEND_ON_CLOSED)
    }
}
impl<T> Error for SendError<T> {}

/// Why [`Chan::try_send`](crate::Chan::try_send) did not send.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// No receiver is waiting and the buffer is full (always so for a nil
    /// channel).
    Full(T),
    /// The channel is closed (where Go's `select` with `default` panics).
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}
impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}
impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("send would block"),
            TrySendError::Closed(_) => f.write_str(SEND_ON_CLOSED),
        }
    }
}
impl<T> Error for TrySendError<T> {}

/// Why [`Chan::send_timeout`](crate::Chan::send_timeout) did not send.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SendTimeoutError<T> {
    /// Nobody took the value in time.
    Timeout(T),
    /// The channel is closed, or was closed while we waited.
    Closed(T),
}

impl<T> SendTimeoutError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            SendTimeoutError::Timeout(v) | SendTimeoutError::Closed(v) => v,
        }
    }
}
impl<T> fmt::Debug for SendTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendTimeoutError::Timeout(_) => f.write_str("Timeout(..)"),
            SendTimeoutError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}
impl<T> fmt::Display for SendTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendTimeoutError::Timeout(_) => f.write_str("timed out waiting on send"),
            SendTimeoutError::Closed(_) => f.write_str(SEND_ON_CLOSED),
        }
    }
}
impl<T> Error for SendTimeoutError<T> {}

/// Why [`Chan::try_recv`](crate::Chan::try_recv) got no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing to receive yet (always so for a nil channel).
    Empty,
    /// Closed and drained (Go's `ok == false`).
    Closed,
}
impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("receive would block"),
            TryRecvError::Closed => f.write_str("receive from closed channel"),
        }
    }
}
impl Error for TryRecvError {}

/// Why [`Chan::recv_timeout`](crate::Chan::recv_timeout) got no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvTimeoutError {
    /// Nothing arrived in time.
    Timeout,
    /// Closed and drained (Go's `ok == false`).
    Closed,
}
impl fmt::Display for RecvTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvTimeoutError::Timeout => f.write_str("timed out waiting on receive"),
            RecvTimeoutError::Closed => f.write_str("receive from closed channel"),
        }
    }
}
impl Error for RecvTimeoutError {}

/// Why [`Chan::close_checked`](crate::Chan::close_checked) failed; `Display`
/// is Go's panic message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseError {
    /// `close of closed channel`
    Closed,
    /// `close of nil channel`
    Nil,
}
impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseError::Closed => CLOSE_OF_CLOSED,
            CloseError::Nil => CLOSE_OF_NIL,
        })
    }
}
impl Error for CloseError {}
