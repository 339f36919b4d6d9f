//! The channel locks: Go's `runtime.mutex` as `hchan.lock` uses it
//! (`runtime/lock_spinbit.go`, Go 1.27: spin, then yield, then sleep until
//! the holder wakes you), in two forms, because a channel's lock meets two
//! kinds of contention. Each is held through a guard that releases it when
//! dropped ([`SleepGuard`], [`SpinGuard`]); `hchan.rs` builds the channel's
//! own guards from them.
//!
//! - [`SleepLock`], the whole lock of an unsplit channel (unbuffered or one
//!   slot). With goroutines on two Ps its contention is two Ms fighting
//!   over one channel line. A goroutine's M that finds it held takes one
//!   more look and then sleeps on a futex, as Go's M sleeps (with its P)
//!   after a short spin. The sleeper stops pulling the line from the other
//!   core, and the other M runs both ends of the channel on one core; a
//!   spin before sleeping only kept the line moving, so there is none.
//!   - An M sleeping in the middle of a goroutine widens the window between
//!     a goroutine's wake-up and its next park; this lock relies on
//!     gosched's `park` consuming its token with a swap, so that a notify
//!     racing with it is never erased (`gosched/src/schedpoint.rs:
//!     park_current`).
//!   - A plain OS thread has no P to hand over, and a futex sleep and wake
//!     per contended acquisition costs it more than it saves. So a thread
//!     spins and yields as [`SpinLock`] does, and never sleeps.
//! - [`SpinLock`], each half of a split channel's lock. Its contention is
//!   producers (or consumers) sharing one half, over critical sections of
//!   a few dozen instructions: shorter than a futex sleep and wake, so it
//!   spins, then yields, and never sleeps. Its unlock is one release store,
//!   where a sleeping lock's must be an atomic exchange (to see sleepers),
//!   which every uncontended operation would pay.
//!
//! The measured effect of each choice is in the README ("The channel lock
//! comes in two forms").
//!
//! What differs from Go:
//! - `SleepLock`'s goroutine waiters do not spin (Go: 4 × 30 pauses, one
//!   `osyield`), and its thread waiters never sleep.
//! - There is no spin bit (Go lets one waiter spin).
//! - `SpinLock` has no sleeping stage.

use std::marker::PhantomData;

use crate::sync::{AtomicBool, AtomicU32, Ordering, goid, spin_loop, yield_now};
#[cfg(loom)]
use crate::sync::{futex_wait, futex_wake_one};

/// A spin-then-yield lock: the halves of a split channel's lock.
#[derive(Debug, Default)]
pub(crate) struct SpinLock {
    locked: AtomicBool,
}

impl SpinLock {
    #[inline]
    pub(crate) fn lock(&self) -> SpinGuard<'_> {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        gosched::chaos::spin_in_lock();
        SpinGuard {
            lock: self,
            _not_shared: PhantomData,
        }
    }

    #[cold]
    fn lock_contended(&self) {
        // Test, then test-and-set: wait on a shared read of the line.
        spin_then_yield_until(|| {
            !self.locked.load(Ordering::Relaxed)
                && self
                    .locked
                    .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
        });
    }
}

/// A held [`SpinLock`]; dropping it unlocks. Neither `Send` nor `Sync`,
/// as std's `MutexGuard`: what the lock guards is used, and unlocked, by
/// the thread that locked it.
#[must_use = "the lock is released as soon as the guard is dropped"]
#[derive(Debug)]
pub(crate) struct SpinGuard<'a> {
    lock: &'a SpinLock,
    _not_shared: PhantomData<*const ()>,
}

impl Drop for SpinGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

/// Doubling spin rounds (1 + 2 + ... + 32 hints) before yielding.
const SPIN_STEPS: u32 = 6;

/// Calls `try_take` until it succeeds: between tries, doubling spins, then
/// `yield_now` (the holder may be descheduled: let it, or anyone, run).
#[inline]
fn spin_then_yield_until(mut try_take: impl FnMut() -> bool) {
    let mut step = 0u32;
    while !try_take() {
        if step < SPIN_STEPS {
            for _ in 0..1u32 << step {
                spin_loop();
            }
            step += 1;
        } else {
            yield_now();
        }
    }
}

/// A spin-then-sleep lock: the whole lock of an unsplit channel, as
/// Drepper's three-state futex mutex ("Futexes Are Tricky", mutex 2).
#[derive(Debug, Default)]
pub(crate) struct SleepLock {
    state: AtomicU32,
}

const FREE: u32 = 0;
const LOCKED: u32 = 1;
/// Locked, and a waiter may be asleep: the unlock must wake one.
const SLEEPERS: u32 = 2;

impl SleepLock {
    /// (Not `const`: loom's atomics cannot be built in a constant.)
    pub(crate) fn new() -> SleepLock {
        SleepLock {
            state: AtomicU32::new(FREE),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> SleepGuard<'_> {
        if self
            .state
            .compare_exchange_weak(FREE, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        gosched::chaos::spin_in_lock();
        SleepGuard {
            lock: self,
            _not_shared: PhantomData,
        }
    }

    #[cold]
    fn lock_contended(&self) {
        if goid().is_none() {
            // A plain thread: spin and yield, never sleep (module docs).
            spin_then_yield_until(|| self.try_take());
            return;
        }
        // A goroutine's M: one more look, then sleep, so the holder's M
        // runs on undisturbed.
        if self.try_take() {
            return;
        }
        // Sleep: announce a sleeper (so the unlock wakes one), and take the
        // lock if that found it free. Once we have slept we always take it
        // in the `SLEEPERS` state: other sleepers may remain, and our own
        // unlock must wake the next.
        while self.state.swap(SLEEPERS, Ordering::Acquire) != FREE {
            #[cfg(all(test, not(loom)))]
            tests::SLEEPS.fetch_add(1, Ordering::Relaxed);
            futex_wait(&self.state, SLEEPERS);
        }
    }

    /// Test, then test-and-set.
    #[inline]
    fn try_take(&self) -> bool {
        self.state.load(Ordering::Relaxed) == FREE
            && self
                .state
                .compare_exchange(FREE, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }
}

/// A held [`SleepLock`]; dropping it unlocks, waking a sleeper if one may
/// be asleep. Neither `Send` nor `Sync`, as [`SpinGuard`].
#[must_use = "the lock is released as soon as the guard is dropped"]
#[derive(Debug)]
pub(crate) struct SleepGuard<'a> {
    lock: &'a SleepLock,
    _not_shared: PhantomData<*const ()>,
}

impl Drop for SleepGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        #[cfg(not(loom_planted_bug = "unlock_store"))]
        let sleepers = self.lock.state.swap(FREE, Ordering::Release) == SLEEPERS;
        // The lost wake-up the swap prevents: a waiter that announces
        // itself between the load and the store sleeps, and the store
        // erases its `SLEEPERS` unseen. Kept so that the loom model below
        // can be seen to catch it (`--cfg 'loom_planted_bug="unlock_store"'`).
        #[cfg(loom_planted_bug = "unlock_store")]
        let sleepers = {
            let state = self.lock.state.load(Ordering::Relaxed);
            self.lock.state.store(FREE, Ordering::Release);
            state == SLEEPERS
        };
        if sleepers {
            futex_wake_one(&self.lock.state);
        }
    }
}

/// Sleeps while `*word == expected` (or until woken; spurious returns are
/// fine, the caller re-checks).
#[cfg(all(target_os = "linux", not(loom)))]
fn futex_wait(word: &AtomicU32, expected: u32) {
    // SAFETY: FUTEX_WAIT reads the aligned u32 behind a live reference and
    // sleeps; a null timeout means no deadline. It writes no memory.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            std::ptr::null::<libc::timespec>(),
        );
    }
}

/// Wakes one thread sleeping in [`futex_wait`] on `word`.
#[cfg(all(target_os = "linux", not(loom)))]
fn futex_wake_one(word: &AtomicU32) {
    // SAFETY: FUTEX_WAKE uses the address only as a key; no memory access.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            1,
        );
    }
}

/// Without futexes the sleeping stage polls, yielding between looks.
#[cfg(not(any(target_os = "linux", loom)))]
fn futex_wait(word: &AtomicU32, expected: u32) {
    if word.load(Ordering::Relaxed) == expected {
        std::thread::yield_now();
    }
}

#[cfg(not(any(target_os = "linux", loom)))]
fn futex_wake_one(_word: &AtomicU32) {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::cell::UnsafeCell;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    /// Times a `SleepLock` waiter went to sleep (so the test can show the
    /// sleeping stage ran).
    pub(super) static SLEEPS: AtomicUsize = AtomicUsize::new(0);

    /// What both locks offer, for one test.
    trait TestLock: Default + Send + Sync + 'static {
        /// Locks until the returned guard is dropped.
        fn acquire(&self) -> impl Sized + '_;
    }
    impl TestLock for SpinLock {
        fn acquire(&self) -> impl Sized + '_ {
            self.lock()
        }
    }
    impl TestLock for SleepLock {
        fn acquire(&self) -> impl Sized + '_ {
            self.lock()
        }
    }

    /// A counter guarded by the lock.
    #[derive(Default)]
    struct Guarded<L> {
        lock: L,
        count: UnsafeCell<u64>,
    }
    // SAFETY: `count` is only touched with `lock` held.
    unsafe impl<L: Sync> Sync for Guarded<L> {}

    const WORKERS: u64 = 8;
    const ROUNDS: u64 = 20_000;

    /// One worker's increments; every 1000th holds the lock for 50 µs (the
    /// M blocks in the kernel, its P with it), long enough for waiters to
    /// fall asleep.
    fn increments<L: TestLock>(g: &Guarded<L>) {
        for i in 0..ROUNDS {
            let _held = g.lock.acquire();
            // SAFETY: we hold the lock (`_held`, dropped after this).
            unsafe { *g.count.get() += 1 };
            if i % 1000 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
        }
    }

    /// Increments from goroutines on four Ps (whose Ms sleep on a held
    /// `SleepLock`) and from plain threads (which spin and yield) all land:
    /// a broken exclusion would lose counts, a lost wake-up would hang.
    fn excludes_and_wakes<L: TestLock>() {
        let g = Arc::new(Guarded::<L>::default());
        let threads: Vec<_> = (0..WORKERS / 2)
            .map(|_| {
                let g = Arc::clone(&g);
                std::thread::spawn(move || increments(&g))
            })
            .collect();
        let on_goroutines = Arc::clone(&g);
        gosched::Runtime::new()
            .gomaxprocs(4)
            .run(move || {
                let wg = gosched::WaitGroup::new();
                for _ in 0..WORKERS / 2 {
                    let (g, wg) = (Arc::clone(&on_goroutines), wg.clone());
                    wg.add(1);
                    gosched::go(move || {
                        increments(&g);
                        wg.done();
                    });
                }
                wg.wait();
            })
            .unwrap();
        for t in threads {
            t.join().unwrap();
        }
        let _held = g.lock.acquire();
        // SAFETY: we hold the lock; every worker has finished.
        assert_eq!(unsafe { *g.count.get() }, WORKERS * ROUNDS);
    }

    #[test]
    fn spin_lock_excludes() {
        excludes_and_wakes::<SpinLock>();
    }

    #[test]
    fn sleep_lock_excludes_and_wakes_sleepers() {
        excludes_and_wakes::<SleepLock>();
        assert!(
            SLEEPS.load(Ordering::Relaxed) > 0,
            "goroutine waiters slept on the held lock"
        );
    }
}

/// loom model: goroutines contending for a [`SleepLock`] under every
/// interleaving and the C11 memory model (`RUSTFLAGS="--cfg loom" cargo
/// test --release -p gochan --lib loom_`). Each loom thread counts as a
/// goroutine, so a waiter that finds the lock held sleeps on the futex
/// (`sync.rs` models it with the kernel's semantics); a lost wake-up
/// leaves it asleep for good and loom reports the deadlock. A plain
/// thread's spin-and-yield path is a test-and-set lock with no wake-up to
/// lose, and is not modelled.
///
/// Planted bug: with `--cfg 'loom_planted_bug="unlock_store"'`, the unlock
/// is a load and then a plain store of `FREE` where a swap is needed, and
/// `loom_sleeping_lock_wakes_its_sleeper` deadlocks.
#[cfg(all(test, loom))]
mod loom_models {
    use loom::cell::UnsafeCell;
    use loom::sync::Arc;
    use loom::thread;

    use super::SleepLock;

    /// A counter guarded by the lock: loom checks that every access is
    /// ordered after the last (mutual exclusion, and the lock's
    /// Acquire/Release), and the count that no increment was lost.
    struct Guarded {
        lock: SleepLock,
        count: UnsafeCell<u32>,
    }

    // SAFETY: `count` is only touched with `lock` held.
    unsafe impl Sync for Guarded {}

    fn increment(g: &Guarded) {
        let _held = g.lock.lock();
        // SAFETY: we hold the lock.
        g.count.with_mut(|c| unsafe { *c += 1 });
    }

    /// Two goroutines, each locking twice: an unlock meets the other asleep
    /// or about to sleep, and must wake it.
    #[test]
    fn loom_sleeping_lock_wakes_its_sleeper() {
        loom::model(|| {
            let g = Arc::new(Guarded {
                lock: SleepLock::new(),
                count: UnsafeCell::new(0),
            });
            let goroutines: Vec<_> = (0..2)
                .map(|_| {
                    let g = Arc::clone(&g);
                    thread::spawn(move || {
                        increment(&g);
                        increment(&g);
                    })
                })
                .collect();
            for g in goroutines {
                g.join().unwrap();
            }
            let _held = g.lock.lock();
            // SAFETY: we hold the lock.
            assert_eq!(g.count.with(|c| unsafe { *c }), 4);
        });
    }
}
