//! M: a machine, an OS thread that runs goroutines while it holds a P
//! (`runtime/runtime2.go: m`, Go 1.27): the handle through which other
//! threads hand it a P (`nextp`) and wake it (`notewakeup(&mp.park)`). What
//! its own thread keeps is in `current.rs`; what it runs, in `mstart.rs`.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use crate::p::NO_P;

/// A machine: an OS thread that runs goroutines while it holds a P.
#[derive(Debug)]
pub(crate) struct M {
    pub(crate) id: u64,
    parked: Mutex<bool>,
    cv: Condvar,
    /// P handed over by `startm` (`m.nextp`).
    pub(crate) nextp: AtomicUsize,
    /// Whether `startm` asked it to spin.
    pub(crate) start_spinning: AtomicBool,
    pub(crate) spinning: AtomicBool,
    /// Id of the goroutine it runs (0: none), for `scheddetail`.
    pub(crate) curg: AtomicU64,
    pub(crate) p: AtomicUsize,
}

impl M {
    pub(crate) fn new(id: u64) -> M {
        M {
            id,
            parked: Mutex::new(false),
            cv: Condvar::new(),
            nextp: AtomicUsize::new(NO_P),
            start_spinning: AtomicBool::new(false),
            spinning: AtomicBool::new(false),
            curg: AtomicU64::new(0),
            p: AtomicUsize::new(NO_P),
        }
    }

    /// `notewakeup(&mp.park)`.
    pub(crate) fn wake(&self) {
        let mut w = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        *w = true;
        drop(w);
        self.cv.notify_one();
    }

    /// `notesleep(&mp.park)` with an optional timeout; consumes a wake-up.
    pub(crate) fn sleep(&self, timeout: Option<Duration>) {
        let mut w = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        if !*w {
            w = match timeout {
                None => self.cv.wait(w).unwrap_or_else(|e| e.into_inner()),
                Some(t) => {
                    self.cv
                        .wait_timeout(w, t)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
        *w = false;
    }
}
