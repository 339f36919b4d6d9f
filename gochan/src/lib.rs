//! gochan — Go's channels and `select` (chapter 3 of the notes, "Channel"),
//! modelled on `runtime/chan.go` and `runtime/select.go` of **Go 1.27**.
//!
//! ```
//! use gochan::{make, select, after};
//! use std::time::Duration;
//!
//! let jobs = make::<u32>(10);           // jobs := make(chan uint32, 10)
//! let done = make::<u32>(0);            // done := make(chan uint32)
//! let (j, d) = (jobs.clone(), done.clone());
//! std::thread::spawn(move || {          // go func() { ... }()
//!     let mut sum = 0;
//!     for v in &j { sum += v }          // for v := range jobs
//!     d.send(sum);                      // done <- sum
//! });
//! for i in 1..=10 { jobs.send(i) }
//! jobs.close();
//! select! {
//!     recv(done) -> sum => assert_eq!(sum, Some(55)),
//!     recv(after(Duration::from_secs(5))) -> _ => panic!("timeout"),
//! }
//! ```
//!
//! # What is modelled
//!
//! - `hchan`: a ring buffer (`buf`, `sendx`, `recvx`, `qcount`, `dataqsiz`),
//!   FIFO queues of waiting senders and receivers (`sudog`s, kept on the
//!   waiters' stacks), one lock (two halves when buffered, below).
//!   Unbuffered channels hand the value directly from sender to receiver; a
//!   receiver at a full buffer with waiting senders takes the head and moves
//!   the first sender's value into the tail.
//! - Values: [`Chan<T>`] (clones are the same channel and compare equal),
//!   [`make`], the nil channel ([`Chan::nil`], also `Default`), directional
//!   views [`RecvChan<T>`] / [`SendChan<T>`].
//! - Operations: [`Chan::send`], [`Chan::recv`] (`Option<T>`: Go's
//!   `v, ok := <-ch`), `try_*`, `*_timeout`, `len`, `cap`, `close`,
//!   `for v in &ch`. Dropping handles never closes a channel.
//! - Go's panics, with Go's messages: `send on closed channel` (also for
//!   senders blocked when the close happens), `close of closed channel`,
//!   `close of nil channel`; `*_checked` variants return errors instead.
//! - [`select!`] (`selectgo`): uniform random choice among ready cases (a
//!   closed channel is ready: a receive gives `None`, a send panics), lock
//!   order by channel address, enqueue on every channel and dequeue the rest
//!   when one fires, `default`, nil cases never fire, no cases blocks
//!   forever; operands by value or by reference; timer channels [`after`]
//!   and [`tick`].
//! - Values move by pointer, as Go's (`ep`, `sg.elem`): one copy per
//!   hand-off, whatever the size. Go's largest element type, 65 535 bytes,
//!   goes through every operation on a goroutine's default 256 KiB stack,
//!   in debug builds too.
//! - Blocking goes through gosched's parking contract with Go's wait
//!   reasons (`chan send`, `chan receive`, `select`, `chan send (nil chan)`,
//!   `chan receive (nil chan)`, `select (no cases)`): on a gosched worker it
//!   parks the goroutine, elsewhere the OS thread. One channel type serves
//!   both, and threads and goroutines can talk over the same channel.
//!
//! # What differs from Go, and why
//!
//! - A blocked OS thread spins briefly (about a hundred spin hints and a few
//!   yields) before parking, as crossbeam-channel does: parking an OS thread
//!   costs microseconds, and a partner is often nanoseconds away. A
//!   goroutine parks at once, as in Go.
//! - A buffered channel (capacity 2 and up) splits Go's lock into a send
//!   half and a receive half; holding both is Go's lock, and a buffered send
//!   or receive with nobody waiting on the other side needs only its own
//!   half, so a sender and a receiver on two cores do not take turns on one
//!   lock. The queues and `closed` change only under both halves, so Go's
//!   hand-off and ordering rules hold unchanged.
//! - The whole lock of an unbuffered or one-slot channel puts a
//!   goroutine's M to sleep on a futex while it is held, as Go's
//!   `runtime.mutex` does (without Go's spin first); OS threads, and the
//!   halves of a split lock, spin and yield instead. `select!` tries the
//!   first ready-looking case (closed channels included) alone, under its
//!   lock or the half it needs, before Go's all-locks pass.
//! - Rust returns values by value: a received value is copied once more,
//!   into the `Option` that `recv` returns (Go writes it straight into the
//!   receiver's variable). Values over 256 bytes are received into heap
//!   storage of their own (one allocation a receive), and a `select!` send
//!   case keeps such a value there too: a debug build keeps a stack copy
//!   of every value a function moves, and 64 KiB ones would not fit a
//!   goroutine's stack otherwise.
//! - `try_send`/`send_timeout` report a closed channel as an error where
//!   Go's `select` would panic; `send`, `close` and `select!` panic as Go.
//! - A `select!` takes at most 32 cases (Go: 65536).
//! - Timer channels have one internal buffer slot (Go 1.23+ reports
//!   `len == cap == 0` for them, and so do we).
//! - After a gosched [`Runtime::run`](gosched::Runtime::run) returns (Go's
//!   program would have exited), channels made inside it may live on:
//!   - a timer channel ([`after`], [`tick`]) made on that runtime delivers
//!     nothing more: the runtime's timers end with it, and a receive on it
//!     waits for good;
//!   - a goroutine it abandoned (blocked when `run` returned) keeps what it
//!     holds, never dropped. It still waits in its channel's queue: a send
//!     to it afterwards is handed over, and whether it then runs depends
//!     on whether one of the runtime's threads has yet to exit (`run` does
//!     not wait for them).
//!
//!   Close, or stop using, channels that goroutines of a runtime wait on
//!   before its `run` returns.

mod chan;
mod elem;
mod error;
mod hchan;
mod lock;
mod ring;
mod select;
mod select_macro;
mod sync;
mod time;
mod waitq;

pub use chan::{CanRecv, CanSend, Chan, Iter, RecvChan, SendChan, make};
pub use error::{
    CLOSE_OF_CLOSED, CLOSE_OF_NIL, CloseError, RecvTimeoutError, SEND_ON_CLOSED, SendError,
    SendTimeoutError, TryRecvError, TrySendError,
};
pub use time::{after, tick};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Items the [`select!`] macro expands to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::select::{Case, RecvCase, SendCase, select};
}
