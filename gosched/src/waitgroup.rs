//! `sync.WaitGroup` (`sync/waitgroup.go`, Go 1.27) on the parking contract:
//! waiters park (goroutines or threads) until the counter drops to zero.

use std::fmt;
use std::panic::{AssertUnwindSafe, Location};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use crate::park::{Unparker, park_at};
use crate::report::Repanicked;
use crate::spawn;
use crate::status::WaitReason;

struct Waiter {
    woken: AtomicBool,
    unparker: Unparker,
}

struct Inner {
    count: AtomicI64,
    waiters: Mutex<Vec<Arc<Waiter>>>,
}

/// Waits for a collection of goroutines to finish. Clones share one
/// counter.
///
/// ```
/// gosched::Runtime::new().run(|| {
///     let wg = gosched::WaitGroup::new();
///     for _ in 0..10 {
///         wg.go(|| {});
///     }
///     wg.wait();
/// }).unwrap();
/// ```
#[derive(Clone)]
pub struct WaitGroup {
    inner: Arc<Inner>,
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitGroup")
            .field("count", &self.inner.count.load(Ordering::Relaxed))
            .finish()
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup::new()
    }
}

impl WaitGroup {
    /// A zero counter.
    pub fn new() -> WaitGroup {
        WaitGroup {
            inner: Arc::new(Inner {
                count: AtomicI64::new(0),
                waiters: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Adds `delta` (may be negative). Panics with Go's message
    /// `sync: negative WaitGroup counter` if the counter goes below zero.
    pub fn add(&self, delta: i64) {
        let v = self.inner.count.fetch_add(delta, Ordering::AcqRel) + delta;
        if v < 0 {
            panic!("sync: negative WaitGroup counter");
        }
        if v == 0 && delta != 0 {
            let waiters =
                std::mem::take(&mut *self.inner.waiters.lock().unwrap_or_else(|e| e.into_inner()));
            for w in waiters {
                w.woken.store(true, Ordering::Release);
                w.unparker.unpark_by_ref();
            }
        }
    }

    /// `add(-1)`.
    pub fn done(&self) {
        self.add(-1);
    }

    /// The current counter.
    pub fn count(&self) -> i64 {
        self.inner.count.load(Ordering::Acquire)
    }

    /// Blocks until the counter is zero (the goroutine parks with reason
    /// `sync.WaitGroup.Wait`, at the caller's location in dumps).
    ///
    /// ```
    /// let wg = gosched::WaitGroup::new();
    /// wg.add(2);
    /// for _ in 0..2 {
    ///     let wg = wg.clone();
    ///     std::thread::spawn(move || wg.done()); // plain threads work too
    /// }
    /// wg.wait();
    /// assert_eq!(wg.count(), 0);
    /// ```
    #[track_caller]
    pub fn wait(&self) {
        let at = Location::caller();
        if self.count() == 0 {
            return;
        }
        let w = Arc::new(Waiter {
            woken: AtomicBool::new(false),
            unparker: Unparker::current(),
        });
        {
            let mut ws = self.inner.waiters.lock().unwrap_or_else(|e| e.into_inner());
            if self.count() == 0 {
                return;
            }
            ws.push(Arc::clone(&w));
        }
        while !w.woken.load(Ordering::Acquire) {
            park_at(WaitReason::WaitGroupWait, at);
        }
    }

    /// Go 1.25's `WaitGroup.Go`: `add(1)`, spawn `f`, `done()` when it
    /// returns. If `f` panics, `done()` is not called, as in Go 1.27
    /// (golang/go#76126): [`wait`](Self::wait) must not return and let the
    /// program run on (or exit 0) while the panic is still being reported.
    /// The panic is re-raised, and reported as Go reports it:
    /// `panic: … [recovered, repanicked]`.
    ///
    /// ```
    /// let err = gosched::Runtime::new().gomaxprocs(2).run(|| {
    ///     let wg = gosched::WaitGroup::new();
    ///     wg.go(|| panic!("boom"));
    ///     wg.wait();
    ///     unreachable!("wait never returns after a panic");
    /// }).unwrap_err();
    /// assert!(err.to_string().starts_with("panic: boom [recovered, repanicked]\n"));
    /// ```
    #[track_caller]
    pub fn go(&self, f: impl FnOnce() + Send + 'static) {
        self.add(1);
        let wg = self.clone();
        let spawn = spawn::spawned_here(Location::caller(), &f);
        spawn::spawn(spawn, move || {
            match std::panic::catch_unwind(AssertUnwindSafe(f)) {
                Ok(()) => wg.done(),
                Err(payload) => std::panic::resume_unwind(Box::new(Repanicked(payload))),
            }
        });
    }
}
