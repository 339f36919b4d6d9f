//! Channel values: `chan T`, `<-chan T`, `chan<- T` (Go 1.27 spec and
//! `runtime/chan.go`: `makechan`, `chansend1`, `chanrecv1/2`, `closechan`,
//! `chanlen`, `chancap`, `selectnbsend`, `selectnbrecv`).
//!
//! [`Chan<T>`] is a reference to one `hchan` (or nil), like a Go channel
//! value: clones are the same channel and compare equal; dropping handles
//! never closes it. [`RecvChan<T>`] and [`SendChan<T>`] are the directional
//! views Go converts `chan T` to.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gosched::{WaitReason, park, park_timeout};

use crate::elem::Elem;
use crate::error::{
    CLOSE_OF_CLOSED, CLOSE_OF_NIL, CloseError, RecvTimeoutError, SEND_ON_CLOSED, SendError,
    SendTimeoutError, TryRecvError, TrySendError,
};
use crate::hchan::{Block, HChan, Received, SendFail};

/// A bidirectional channel (Go's `chan T`), or the nil channel.
///
/// ```
/// let ch = gochan::make::<i32>(1); // make(chan int, 1)
/// ch.send(42);
/// assert_eq!(ch.len(), 1);
/// assert_eq!(ch.recv(), Some(42));
/// ch.close();
/// assert_eq!(ch.recv(), None); // v, ok := <-ch gives ok == false
/// ```
pub struct Chan<T> {
    pub(crate) h: Option<Arc<HChan<T>>>,
}

/// A receive-only view (Go's `<-chan T`).
///
/// ```
/// let ch = gochan::make::<&str>(1);
/// let rx: gochan::RecvChan<&str> = ch.clone().into();
/// ch.send("hi");
/// assert_eq!(rx.recv(), Some("hi"));
/// assert!(rx == ch.recv_only());
/// ```
pub struct RecvChan<T>(Chan<T>);

/// A send-only view (Go's `chan<- T`).
///
/// ```
/// let ch = gochan::make::<u8>(1);
/// let tx = ch.send_only();
/// tx.send(7);
/// tx.close();
/// assert_eq!(ch.recv(), Some(7));
/// assert_eq!(ch.recv(), None);
/// ```
pub struct SendChan<T>(Chan<T>);

/// `make(chan T, cap)`: an unbuffered channel if `cap == 0`, else a buffered
/// one holding up to `cap` values.
///
/// ```
/// let unbuffered = gochan::make::<()>(0);
/// assert_eq!(unbuffered.cap(), 0);
/// ```
pub fn make<T>(cap: usize) -> Chan<T> {
    Chan::new(cap)
}

/// Parks the caller forever (a nil-channel operation, or an empty select).
pub(crate) fn block_forever(reason: WaitReason) -> ! {
    tracing::debug!(%reason, "blocking forever");
    loop {
        park(reason);
    }
}

/// Parks until `deadline` (a nil-channel operation with a timeout).
fn block_until(reason: WaitReason, deadline: Instant) {
    while let Some(left) = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
    {
        park_timeout(reason, left);
    }
}

impl<T> Chan<T> {
    /// `make(chan T, cap)`; see [`make`].
    pub fn new(cap: usize) -> Chan<T> {
        Chan {
            h: Some(Arc::new(HChan::new(cap, false))),
        }
    }

    /// A channel fed by a timer (`len`/`cap` read 0, as Go 1.23+).
    pub(crate) fn new_timer() -> Chan<T> {
        Chan {
            h: Some(Arc::new(HChan::new(1, true))),
        }
    }

    /// The nil channel (Go's zero value `var ch chan T`): sends and receives
    /// block forever, `close` panics, `select!` never picks it.
    ///
    /// ```
    /// let ch = gochan::Chan::<i32>::nil();
    /// assert!(ch.is_nil());
    /// assert!(ch.try_recv().is_err());
    /// assert_eq!(ch.cap(), 0);
    /// ```
    pub const fn nil() -> Chan<T> {
        Chan { h: None }
    }

    /// Whether this is the nil channel.
    pub fn is_nil(&self) -> bool {
        self.h.is_none()
    }

    pub(crate) fn hchan(&self) -> Option<&HChan<T>> {
        self.h.as_deref()
    }

    /// `ch <- v`: blocks until a receiver takes `v` (unbuffered) or there is
    /// room in the buffer. Blocks forever on the nil channel.
    ///
    /// # Panics
    /// `send on closed channel` if the channel is closed, or gets closed
    /// while this send waits.
    ///
    /// ```
    /// let ch = gochan::make::<i32>(1);
    /// ch.send(1);
    /// assert_eq!(ch.recv(), Some(1));
    /// ```
    #[inline]
    pub fn send(&self, v: T) {
        let Some(h) = self.hchan() else {
            block_forever(WaitReason::ChanSendNilChan)
        };
        // SAFETY: `v` is ours and stays put until `send` returns; on `Ok` it
        // has moved into the channel (forgotten here), else it is dropped
        // as the panic unwinds.
        match unsafe { h.send(&raw const v, Block::Forever) } {
            Ok(()) => mem::forget(v),
            Err(_) => panic!("{SEND_ON_CLOSED}"),
        }
    }

    /// [`send`](Chan::send) that returns the value instead of panicking
    /// when the channel is closed.
    ///
    /// ```
    /// let ch = gochan::make::<i32>(1);
    /// ch.close();
    /// assert_eq!(ch.send_checked(5).unwrap_err().0, 5);
    /// ```
    #[inline]
    pub fn send_checked(&self, v: T) -> Result<(), SendError<T>> {
        let Some(h) = self.hchan() else {
            block_forever(WaitReason::ChanSendNilChan)
        };
        // SAFETY: as in `send`; on `Err` the value is still ours.
        match unsafe { h.send(&raw const v, Block::Forever) } {
            Ok(()) => {
                mem::forget(v);
                Ok(())
            }
            Err(SendFail::Closed) => Err(SendError(v)),
            Err(SendFail::NotReady) => unreachable!("a blocking send completes or sees close"),
        }
    }

    /// Sends only if that needs no waiting: Go's
    /// `select { case ch <- v: default: }`, except that a closed channel is
    /// reported as [`TrySendError::Closed`] where Go panics.
    ///
    /// ```
    /// use gochan::TrySendError;
    /// let ch = gochan::make::<i32>(1);
    /// assert!(ch.try_send(1).is_ok());
    /// assert_eq!(ch.try_send(2), Err(TrySendError::Full(2)));
    /// ```
    #[inline]
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        let Some(h) = self.hchan() else {
            return Err(TrySendError::Full(v));
        };
        // SAFETY: as in `send_checked`.
        match unsafe { h.send(&raw const v, Block::No) } {
            Ok(()) => {
                mem::forget(v);
                Ok(())
            }
            Err(SendFail::NotReady) => Err(TrySendError::Full(v)),
            Err(SendFail::Closed) => Err(TrySendError::Closed(v)),
        }
    }

    /// Sends, waiting at most `timeout`: Go's
    /// `select { case ch <- v: case <-time.After(timeout): }`, except that a
    /// closed channel is reported as an error where Go panics.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ch = gochan::make::<i32>(0);
    /// let err = ch.send_timeout(1, Duration::from_millis(1)).unwrap_err();
    /// assert_eq!(err.into_inner(), 1);
    /// ```
    pub fn send_timeout(&self, v: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        let deadline = Instant::now() + timeout;
        let Some(h) = self.hchan() else {
            block_until(WaitReason::ChanSendNilChan, deadline);
            return Err(SendTimeoutError::Timeout(v));
        };
        // SAFETY: as in `send_checked`.
        match unsafe { h.send(&raw const v, Block::Until(deadline)) } {
            Ok(()) => {
                mem::forget(v);
                Ok(())
            }
            Err(SendFail::NotReady) => Err(SendTimeoutError::Timeout(v)),
            Err(SendFail::Closed) => Err(SendTimeoutError::Closed(v)),
        }
    }

    /// `v, ok := <-ch`: `Some(v)`, or `None` once the channel is closed and
    /// drained. Blocks until then; forever on the nil channel.
    ///
    /// ```
    /// let ch = gochan::make::<i32>(2);
    /// ch.send(1);
    /// ch.close();
    /// assert_eq!(ch.recv(), Some(1)); // the buffer drains first
    /// assert_eq!(ch.recv(), None);
    /// ```
    #[inline]
    pub fn recv(&self) -> Option<T> {
        let Some(h) = self.hchan() else {
            block_forever(WaitReason::ChanReceiveNilChan)
        };
        let mut slot = Elem::uninit();
        // SAFETY: a fresh destination, which stays put until `recv` returns.
        match unsafe { h.recv(slot.as_mut_ptr(), Block::Forever) } {
            // SAFETY: the receive moved a value in.
            Ok(Received::Value) => unsafe { slot.take() },
            Ok(Received::Closed) => None,
            Err(()) => unreachable!("a blocking receive completes or sees close"),
        }
    }

    /// Receives only if that needs no waiting: Go's
    /// `select { case v, ok := <-ch: default: }`.
    ///
    /// ```
    /// use gochan::TryRecvError;
    /// let ch = gochan::make::<i32>(1);
    /// assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
    /// ch.close();
    /// assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[inline]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let Some(h) = self.hchan() else {
            return Err(TryRecvError::Empty);
        };
        let mut slot = Elem::uninit();
        // SAFETY: as in `recv`.
        match unsafe { h.recv(slot.as_mut_ptr(), Block::No) } {
            // SAFETY: the receive moved a value in.
            Ok(Received::Value) => unsafe { slot.take() },
            Ok(Received::Closed) => Err(TryRecvError::Closed),
            Err(()) => Err(TryRecvError::Empty),
        }
    }

    /// Receives, waiting at most `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gochan::RecvTimeoutError;
    /// let ch = gochan::make::<i32>(0);
    /// assert_eq!(ch.recv_timeout(Duration::from_millis(1)), Err(RecvTimeoutError::Timeout));
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        let deadline = Instant::now() + timeout;
        let Some(h) = self.hchan() else {
            block_until(WaitReason::ChanReceiveNilChan, deadline);
            return Err(RecvTimeoutError::Timeout);
        };
        let mut slot = Elem::uninit();
        // SAFETY: as in `recv`.
        match unsafe { h.recv(slot.as_mut_ptr(), Block::Until(deadline)) } {
            // SAFETY: the receive moved a value in.
            Ok(Received::Value) => unsafe { slot.take() },
            Ok(Received::Closed) => Err(RecvTimeoutError::Closed),
            Err(()) => Err(RecvTimeoutError::Timeout),
        }
    }

    /// `len(ch)`: values in the buffer (0 for nil and unbuffered channels).
    pub fn len(&self) -> usize {
        self.hchan().map_or(0, HChan::len)
    }

    /// `len(ch) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `cap(ch)`: the buffer size (0 for nil and unbuffered channels).
    pub fn cap(&self) -> usize {
        self.hchan().map_or(0, HChan::cap)
    }

    /// Whether the channel has been closed (not in Go, which has no such
    /// query; handy in tests). `false` for nil.
    pub fn is_closed(&self) -> bool {
        self.hchan().is_some_and(HChan::is_closed)
    }

    /// `close(ch)`: receivers drain the buffer, then see `None`; every
    /// waiting receiver wakes; every waiting sender panics.
    ///
    /// # Panics
    /// `close of closed channel`, `close of nil channel`.
    ///
    /// ```should_panic
    /// let ch = gochan::make::<i32>(0);
    /// ch.close();
    /// ch.close(); // panics: close of closed channel
    /// ```
    pub fn close(&self) {
        match self.close_checked() {
            Ok(()) => {}
            Err(CloseError::Closed) => panic!("{CLOSE_OF_CLOSED}"),
            Err(CloseError::Nil) => panic!("{CLOSE_OF_NIL}"),
        }
    }

    /// [`close`](Chan::close) that reports misuse instead of panicking.
    ///
    /// ```
    /// use gochan::CloseError;
    /// let ch = gochan::make::<i32>(0);
    /// assert_eq!(ch.close_checked(), Ok(()));
    /// assert_eq!(ch.close_checked(), Err(CloseError::Closed));
    /// assert_eq!(gochan::Chan::<i32>::nil().close_checked(), Err(CloseError::Nil));
    /// ```
    pub fn close_checked(&self) -> Result<(), CloseError> {
        match self.hchan() {
            None => Err(CloseError::Nil),
            Some(h) => h.close(),
        }
    }

    /// `for v := range ch`: receives until the channel is closed and
    /// drained.
    ///
    /// ```
    /// let ch = gochan::make::<i32>(3);
    /// for i in 0..3 { ch.send(i) }
    /// ch.close();
    /// assert_eq!(ch.iter().sum::<i32>(), 3);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { ch: self }
    }

    /// The receive-only view (`<-chan T`) of this channel.
    pub fn recv_only(&self) -> RecvChan<T> {
        RecvChan(self.clone())
    }

    /// The send-only view (`chan<- T`) of this channel.
    pub fn send_only(&self) -> SendChan<T> {
        SendChan(self.clone())
    }

    /// Senders and receivers parked on this channel (a debugging aid).
    pub fn waiting(&self) -> (usize, usize) {
        self.hchan().map_or((0, 0), HChan::waiters)
    }
}

/// The queries both directional views forward to their [`Chan`].
macro_rules! view_queries {
    ($($view:ident),*) => {$(
        impl<T> $view<T> {
            /// See [`Chan::is_nil`].
            pub fn is_nil(&self) -> bool {
                self.0.is_nil()
            }
            /// See [`Chan::len`].
            pub fn len(&self) -> usize {
                self.0.len()
            }
            /// See [`Chan::is_empty`].
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
            /// See [`Chan::cap`].
            pub fn cap(&self) -> usize {
                self.0.cap()
            }
        }
    )*};
}

view_queries!(RecvChan, SendChan);

impl<T> RecvChan<T> {
    /// The nil receive-only channel.
    pub const fn nil() -> RecvChan<T> {
        RecvChan(Chan::nil())
    }
    /// See [`Chan::recv`].
    #[inline]
    pub fn recv(&self) -> Option<T> {
        self.0.recv()
    }
    /// See [`Chan::try_recv`].
    #[inline]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.0.try_recv()
    }
    /// See [`Chan::recv_timeout`].
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.0.recv_timeout(timeout)
    }
    /// See [`Chan::iter`].
    pub fn iter(&self) -> Iter<'_, T> {
        self.0.iter()
    }
}

impl<T> SendChan<T> {
    /// The nil send-only channel.
    pub const fn nil() -> SendChan<T> {
        SendChan(Chan::nil())
    }
    /// See [`Chan::send`].
    ///
    /// # Panics
    /// `send on closed channel`.
    #[inline]
    pub fn send(&self, v: T) {
        self.0.send(v)
    }
    /// See [`Chan::send_checked`].
    #[inline]
    pub fn send_checked(&self, v: T) -> Result<(), SendError<T>> {
        self.0.send_checked(v)
    }
    /// See [`Chan::try_send`].
    #[inline]
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        self.0.try_send(v)
    }
    /// See [`Chan::send_timeout`].
    pub fn send_timeout(&self, v: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        self.0.send_timeout(v, timeout)
    }
    /// See [`Chan::close`] (Go allows closing a send-only channel).
    ///
    /// # Panics
    /// `close of closed channel`, `close of nil channel`.
    pub fn close(&self) {
        self.0.close()
    }
    /// See [`Chan::close_checked`].
    pub fn close_checked(&self) -> Result<(), CloseError> {
        self.0.close_checked()
    }
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan { h: self.h.clone() }
    }
}
impl<T> Clone for RecvChan<T> {
    fn clone(&self) -> Self {
        RecvChan(self.0.clone())
    }
}
impl<T> Clone for SendChan<T> {
    fn clone(&self) -> Self {
        SendChan(self.0.clone())
    }
}

impl<T> Default for Chan<T> {
    /// The zero value: nil.
    fn default() -> Self {
        Chan::nil()
    }
}
impl<T> Default for RecvChan<T> {
    /// The zero value: nil.
    fn default() -> Self {
        RecvChan::nil()
    }
}
impl<T> Default for SendChan<T> {
    /// The zero value: nil.
    fn default() -> Self {
        SendChan::nil()
    }
}

impl<T> From<Chan<T>> for RecvChan<T> {
    fn from(ch: Chan<T>) -> Self {
        RecvChan(ch)
    }
}
impl<T> From<Chan<T>> for SendChan<T> {
    fn from(ch: Chan<T>) -> Self {
        SendChan(ch)
    }
}

fn same<T>(a: &Chan<T>, b: &Chan<T>) -> bool {
    match (&a.h, &b.h) {
        (None, None) => true,
        (Some(x), Some(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

fn key<T>(a: &Chan<T>) -> usize {
    a.hchan().map_or(0, HChan::sortkey)
}

macro_rules! identity {
    ($($a:ident / $b:ident => $fa:tt, $fb:tt;)*) => {$(
        impl<T> PartialEq<$b<T>> for $a<T> {
            /// Go's `==` on channels: the same channel, or both nil.
            fn eq(&self, other: &$b<T>) -> bool {
                same(identity!(@inner self $fa), identity!(@inner other $fb))
            }
        }
    )*};
    (@inner $e:ident c) => { $e };
    (@inner $e:ident v) => { &$e.0 };
}
identity! {
    Chan / Chan => c, c;
    RecvChan / RecvChan => v, v;
    SendChan / SendChan => v, v;
    Chan / RecvChan => c, v;
    RecvChan / Chan => v, c;
    Chan / SendChan => c, v;
    SendChan / Chan => v, c;
}
impl<T> Eq for Chan<T> {}
impl<T> Eq for RecvChan<T> {}
impl<T> Eq for SendChan<T> {}

impl<T> Hash for Chan<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        key(self).hash(state)
    }
}
impl<T> Hash for RecvChan<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        key(&self.0).hash(state)
    }
}
impl<T> Hash for SendChan<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        key(&self.0).hash(state)
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hchan() {
            None => f.write_str("Chan(nil)"),
            Some(h) => f
                .debug_struct("Chan")
                .field("addr", &format_args!("{:#x}", h.sortkey()))
                .field("len", &h.len())
                .field("cap", &h.cap())
                .field("closed", &h.is_closed())
                .finish(),
        }
    }
}
impl<T> fmt::Debug for RecvChan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RecvChan").field(&self.0).finish()
    }
}
impl<T> fmt::Debug for SendChan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SendChan").field(&self.0).finish()
    }
}

/// `for v := range ch`: see [`Chan::iter`].
#[derive(Debug)]
pub struct Iter<'a, T> {
    ch: &'a Chan<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.ch.recv()
    }
}

impl<'a, T> IntoIterator for &'a Chan<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
impl<'a, T> IntoIterator for &'a RecvChan<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Channels a `select!` `recv` case accepts: [`Chan`] and [`RecvChan`],
/// and references to them.
pub trait CanRecv<T>: sealed::Sealed {
    #[doc(hidden)]
    fn as_chan(&self) -> &Chan<T>;
}
/// Channels a `select!` `send` case accepts: [`Chan`] and [`SendChan`],
/// and references to them.
pub trait CanSend<T>: sealed::Sealed {
    #[doc(hidden)]
    fn as_chan(&self) -> &Chan<T>;
}
impl<T, C: CanRecv<T> + ?Sized> CanRecv<T> for &C {
    fn as_chan(&self) -> &Chan<T> {
        C::as_chan(self)
    }
}
impl<T, C: CanSend<T> + ?Sized> CanSend<T> for &C {
    fn as_chan(&self) -> &Chan<T> {
        C::as_chan(self)
    }
}
impl<T> CanRecv<T> for Chan<T> {
    fn as_chan(&self) -> &Chan<T> {
        self
    }
}
impl<T> CanRecv<T> for RecvChan<T> {
    fn as_chan(&self) -> &Chan<T> {
        &self.0
    }
}
impl<T> CanSend<T> for Chan<T> {
    fn as_chan(&self) -> &Chan<T> {
        self
    }
}
impl<T> CanSend<T> for SendChan<T> {
    fn as_chan(&self) -> &Chan<T> {
        &self.0
    }
}

mod sealed {
    pub trait Sealed {}
    impl<T> Sealed for super::Chan<T> {}
    impl<T> Sealed for super::RecvChan<T> {}
    impl<T> Sealed for super::SendChan<T> {}
    impl<C: Sealed + ?Sized> Sealed for &C {}
}
