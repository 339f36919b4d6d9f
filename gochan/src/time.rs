//! Timer channels: Go's `time.After` and `time.Tick` (`time/sleep.go`,
//! `time/tick.go`, `runtime/time.go`, Go 1.27), fed by gosched's timers.
//!
//! As in Go 1.23+ (`asynctimerchan=0`), `len` and `cap` of a timer channel
//! read 0, and a timer whose channel nobody references any more stops: the
//! timer holds only a weak reference (Go lets the garbage collector reclaim
//! unreferenced timers since 1.23). Internally the channel has one buffer
//! slot and the timer sends without blocking, as Go's `sendTime` does, so a
//! slow receiver of a ticker skips ticks instead of queueing them.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crate::chan::{Chan, RecvChan};
use crate::hchan::{Block, HChan};

/// `time.After(d)`: a channel that receives the current instant once `d`
/// has passed. Use it in a [`select!`](crate::select!) for a timeout.
///
/// ```
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// let at = gochan::after(Duration::from_millis(5)).recv().unwrap();
/// assert!(at >= start + Duration::from_millis(5));
/// ```
pub fn after(d: Duration) -> RecvChan<Instant> {
    let ch = Chan::new_timer();
    let weak = Arc::downgrade(ch.h.as_ref().expect("timer channels are not nil"));
    gosched::time::after_func_nonblocking(d, move || {
        fire(&weak);
    });
    ch.into()
}

/// `time.Tick(d)`: a channel that receives the current instant every `d`.
/// Like Go, `d == 0` gives the nil channel (which never delivers).
///
/// ```
/// use std::time::Duration;
/// let t = gochan::tick(Duration::from_millis(1));
/// let (a, b) = (t.recv().unwrap(), t.recv().unwrap());
/// assert!(b > a);
/// ```
pub fn tick(d: Duration) -> RecvChan<Instant> {
    if d.is_zero() {
        return RecvChan::nil();
    }
    let ch = Chan::new_timer();
    let weak = Arc::downgrade(ch.h.as_ref().expect("timer channels are not nil"));
    arm_ticker(weak, d, Instant::now() + d);
    ch.into()
}

/// Go's `sendTime`: a non-blocking send of the current instant. Returns
/// whether the channel is still referenced.
fn fire(weak: &Weak<HChan<Instant>>) -> bool {
    match weak.upgrade() {
        Some(h) => {
            // A full buffer means the receiver has not taken the last tick:
            // drop this one, as Go does.
            let now = Instant::now();
            // SAFETY: `now` is ours until the call returns; an `Instant` is
            // `Copy`, so giving it up needs nothing more.
            let _ = unsafe { h.send(&raw const now, Block::No) };
            true
        }
        None => false,
    }
}

fn arm_ticker(weak: Weak<HChan<Instant>>, period: Duration, when: Instant) {
    let delay = when.saturating_duration_since(Instant::now());
    gosched::time::after_func_nonblocking(delay, move || {
        if fire(&weak) {
            // Next tick on the period grid, skipping ticks we are late for.
            let now = Instant::now();
            let mut next = when + period;
            if next <= now {
                let behind = (now - when).as_nanos() / period.as_nanos();
                next = when + period * (behind as u32 + 1);
            }
            arm_ticker(weak, period, next);
        } else {
            tracing::trace!("ticker stopped: channel unreferenced");
        }
    });
}
