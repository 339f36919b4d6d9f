//! The park token: `std::thread::park`'s wake-up protocol, moved onto a
//! goroutine. Go's `gopark` takes an `unlockf` that runs once the
//! goroutine is off its stack; the token replaces it, so a channel can
//! enqueue a waiter under its lock, drop the lock, and only then park,
//! without losing a wake-up that comes in between.
//!
//! Three states, in the low two bits of a word whose other bits hold the
//! id of the goroutine the G currently runs (a G is reused for goroutine
//! after goroutine, `gfget`), so that an [`Unparker`](crate::Unparker)
//! kept past its goroutine's exit wakes nobody: its id no longer matches.
//!
//! | state      | meaning                                                    |
//! |------------|------------------------------------------------------------|
//! | `EMPTY`    | no wake-up pending, the goroutine is not parked            |
//! | `NOTIFIED` | a wake-up arrived; the next park consumes it and returns   |
//! | `PARKED`   | the goroutine is off its M; whoever notifies must ready it |
//!
//! The protocol, in the order a park goes through it:
//! 1. The goroutine, on its stack, consumes a pending wake-up
//!    ([`take_notified`](ParkToken::take_notified)) and returns at once if
//!    there was one; else it switches to its M.
//! 2. The M, off the goroutine's stack, commits the park
//!    ([`commit_park`](ParkToken::commit_park): `EMPTY` → `PARKED`). If a
//!    wake-up came in between, the commit fails and the M runs the
//!    goroutine again right away.
//! 3. A waker sets `NOTIFIED` ([`notify`](ParkToken::notify)); if it
//!    replaced `PARKED`, the park had committed and the waker makes the
//!    goroutine runnable (exactly one waker sees `PARKED`). A waker for
//!    an earlier goroutine on the same G changes nothing.
//! 4. The goroutine, resumed, clears the token
//!    ([`clear_after_wake`](ParkToken::clear_after_wake)) and its caller
//!    re-checks the condition it waited for.

use crate::sync::{AtomicU64, Ordering};

const EMPTY: u64 = 0;
const NOTIFIED: u64 = 1;
const PARKED: u64 = 2;
const STATE: u64 = 3;
const ID_SHIFT: u32 = 2;

/// A goroutine's park token (see the module docs).
#[derive(Debug)]
pub(crate) struct ParkToken(AtomicU64);

impl ParkToken {
    /// The token of goroutine `goid`, nothing pending. (Not `const`:
    /// loom's atomics cannot be built in a constant.)
    pub(crate) fn new(goid: u64) -> ParkToken {
        ParkToken(AtomicU64::new(goid << ID_SHIFT))
    }

    /// The G now runs goroutine `goid` (it was dead, so no waker for it
    /// can exist yet; a waker for the previous one now finds no match).
    pub(crate) fn reset(&self, goid: u64) {
        self.0.store(goid << ID_SHIFT, Ordering::Release);
    }

    /// Step 1: consumes a pending wake-up. Reads first, so the common case
    /// (none pending) costs a load rather than a locked CAS.
    #[inline]
    pub(crate) fn take_notified(&self) -> bool {
        let t = self.0.load(Ordering::Acquire);
        t & STATE == NOTIFIED
            && self
                .0
                .compare_exchange(t, t & !STATE, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    /// Step 2, on the M once the goroutine is off its stack: true when the
    /// park committed, false when a wake-up arrived meanwhile.
    #[inline]
    pub(crate) fn commit_park(&self) -> bool {
        let t = self.0.load(Ordering::Relaxed) & !STATE;
        // A check then a store where the CAS is needed: a notify between
        // them sees `EMPTY`, readies nobody, and the store overwrites its
        // `NOTIFIED` with `PARKED` (kept so that the loom models below can
        // be seen to catch it, `--cfg 'loom_planted_bug="commit_store"'`).
        if cfg!(loom_planted_bug = "commit_store") {
            let empty = self.0.load(Ordering::Acquire) == t | EMPTY;
            if empty {
                self.0.store(t | PARKED, Ordering::Release);
            }
            return empty;
        }
        self.0
            .compare_exchange(t | EMPTY, t | PARKED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Step 3: leaves the wake-up for goroutine `goid`; true when its park
    /// had committed, so the caller must make the goroutine runnable. A
    /// no-op when the G runs another goroutine by now.
    #[inline]
    pub(crate) fn notify(&self, goid: u64) -> bool {
        let mine = goid << ID_SHIFT;
        let mut t = self.0.load(Ordering::Relaxed);
        loop {
            if t & !STATE != mine {
                return false;
            }
            match self.0.compare_exchange_weak(
                t,
                mine | NOTIFIED,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(prev) => return prev & STATE == PARKED,
                Err(now) => t = now,
            }
        }
    }

    /// Step 4, on the goroutine once it runs again (woken, or its park did
    /// not commit): consumes the token.
    ///
    /// A read-modify-write, not a store: the caller re-checks its wake-up condition
    /// next, and a plain store could land after a concurrent
    /// [`notify`](Self::notify) (erasing its wake-up) while that re-check,
    /// reordered before the store, still read the condition as unmet: the
    /// goroutine would then park with nobody left to wake it. The RMW
    /// either reads that notify's token (Acquire: the condition it
    /// published is visible to the re-check) or comes first (the token
    /// stays for the next park).
    #[inline]
    pub(crate) fn clear_after_wake(&self) {
        #[cfg(not(loom_planted_bug = "clear_store"))]
        self.0.fetch_and(!STATE, Ordering::AcqRel);
        // The lost wake-up this read-modify-write prevents: a plain store
        // of the cleared state erases a notify that lands between the load
        // and the store. Kept so that the loom models below can be seen to
        // catch it (`--cfg 'loom_planted_bug="clear_store"'`).
        #[cfg(loom_planted_bug = "clear_store")]
        {
            let id = self.0.load(Ordering::Acquire) & !STATE;
            self.0.store(id, Ordering::Release);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::ParkToken;

    #[test]
    fn a_wake_up_before_the_park_is_kept() {
        let t = ParkToken::new(7);
        assert!(!t.notify(7), "nobody parked: no ready");
        assert!(t.take_notified());
        assert!(!t.take_notified(), "consumed once");
    }

    #[test]
    fn a_wake_up_between_switch_and_commit_fails_the_commit() {
        let t = ParkToken::new(7);
        assert!(!t.take_notified());
        assert!(!t.notify(7));
        assert!(!t.commit_park(), "the M runs the goroutine again");
        t.clear_after_wake();
        assert!(!t.take_notified());
    }

    #[test]
    fn a_committed_park_is_readied_by_exactly_one_waker() {
        let t = ParkToken::new(7);
        assert!(t.commit_park());
        assert!(t.notify(7), "the first waker readies");
        assert!(!t.notify(7), "a second one does not");
        t.clear_after_wake();
        assert!(t.commit_park(), "the next park commits again");
    }

    #[test]
    fn a_waker_of_an_earlier_goroutine_on_the_g_wakes_nobody() {
        let t = ParkToken::new(7);
        t.reset(8);
        assert!(t.commit_park());
        assert!(!t.notify(7), "goroutine 7 is gone; 8 stays parked");
        assert!(t.notify(8));
        t.clear_after_wake();
        assert!(!t.notify(7));
        assert!(!t.take_notified(), "the stale wake-up left no token");
    }
}

/// loom models: every interleaving of a goroutine parking against its
/// wakers, under the C11 memory model (`RUSTFLAGS="--cfg loom" cargo test
/// --release -p gosched loom_`).
///
/// A loom thread plays the goroutine and its M in turn (they never run at
/// once); readying it is `loom::thread::Thread::unpark`, so a lost wake-up
/// leaves it parked for good and loom reports the deadlock.
///
/// Planted bugs, one a build (`--cfg 'loom_planted_bug="…"'`):
/// - `clear_store`: `clear_after_wake` is the plain load-then-store (a
///   `store` of the cleared state, as it once was), and
///   `loom_double_notify_wakes_the_waiter` and
///   `loom_timeout_and_notify_race_to_wake_the_waiter` deadlock (the second
///   notify erased while the re-check reads the old condition). One notify
///   cannot be erased so, and `loom_park_then_notify_wakes_the_waiter`
///   passes.
/// - `commit_store`: `commit_park` checks for `EMPTY` and then stores
///   `PARKED`; a notify in between readies nobody and is overwritten, and
///   `loom_park_then_notify_wakes_the_waiter` deadlocks.
#[cfg(all(test, loom))]
mod loom_models {
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;

    use super::ParkToken;

    /// The one goroutine each model parks.
    const GOID: u64 = 1;

    /// A goroutine as the model sees it: its token, how many parks
    /// committed and how many times a waker readied it.
    struct Goroutine {
        token: ParkToken,
        commits: AtomicUsize,
        readies: AtomicUsize,
    }

    impl Goroutine {
        fn new() -> Arc<Goroutine> {
            Arc::new(Goroutine {
                token: ParkToken::new(GOID),
                commits: AtomicUsize::new(0),
                readies: AtomicUsize::new(0),
            })
        }

        /// `schedpoint::park_current` and the M's half (`mstart.rs`):
        /// a pending wake-up returns at once; else the park commits, or
        /// fails on a wake-up that came in between; a committed park waits
        /// until a waker readies it.
        fn park(&self) {
            if self.token.take_notified() {
                return;
            }
            if self.token.commit_park() {
                let parks = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
                while self.readies.load(Ordering::Acquire) < parks {
                    thread::park();
                }
            }
            self.token.clear_after_wake();
        }

        /// `schedpoint::unpark`: `goready` when the park had committed.
        fn unpark(&self, goroutine: &thread::Thread) {
            if self.token.notify(GOID) {
                self.readies.fetch_add(1, Ordering::Release);
                goroutine.unpark();
            }
        }

        /// Every committed park was readied exactly once.
        fn check(&self) {
            assert_eq!(
                self.commits.load(Ordering::Relaxed),
                self.readies.load(Ordering::Relaxed),
                "a park readied twice, or never"
            );
        }
    }

    /// Spawns the goroutine: it parks until `done` says `wakers` wake-ups
    /// were published, re-checking after each wake as every caller of
    /// `gosched::park` does.
    fn spawn_waiter(
        g: &Arc<Goroutine>,
        done: &Arc<AtomicUsize>,
        wakers: usize,
        first: impl FnOnce(&Goroutine) + Send + 'static,
    ) -> thread::JoinHandle<()> {
        let (g, done) = (Arc::clone(g), Arc::clone(done));
        thread::spawn(move || {
            first(&g);
            while done.load(Ordering::Acquire) < wakers {
                g.park();
            }
        })
    }

    fn spawn_waker(
        g: &Arc<Goroutine>,
        done: &Arc<AtomicUsize>,
        goroutine: thread::Thread,
    ) -> thread::JoinHandle<()> {
        let (g, done) = (Arc::clone(g), Arc::clone(done));
        thread::spawn(move || {
            done.fetch_add(1, Ordering::Release);
            g.unpark(&goroutine);
        })
    }

    /// One park against one notify: the notify lands before the park,
    /// between its switch and commit, or after the commit.
    #[test]
    fn loom_park_then_notify_wakes_the_waiter() {
        loom::model(|| {
            let g = Goroutine::new();
            let done = Arc::new(AtomicUsize::new(0));
            let waiter = spawn_waiter(&g, &done, 1, |_| {});
            spawn_waker(&g, &done, waiter.thread().clone())
                .join()
                .unwrap();
            waiter.join().unwrap();
            g.check();
        });
    }

    /// Two wakers: exactly one of them readies each committed park, and
    /// the second wake-up is never erased (the bug `clear_after_wake`'s
    /// swap fixed).
    #[test]
    fn loom_double_notify_wakes_the_waiter() {
        loom::model(|| {
            let g = Goroutine::new();
            let done = Arc::new(AtomicUsize::new(0));
            let waiter = spawn_waiter(&g, &done, 2, |_| {});
            let a = spawn_waker(&g, &done, waiter.thread().clone());
            let b = spawn_waker(&g, &done, waiter.thread().clone());
            a.join().unwrap();
            b.join().unwrap();
            waiter.join().unwrap();
            g.check();
        });
    }

    /// `park_timeout`: one park that a timer's notify may end (the timer is
    /// never stopped in time, so its token may stay for a later park),
    /// then the waiter waits for the real notify. The stale token makes a
    /// spurious wake-up, never a lost one.
    #[test]
    fn loom_timeout_and_notify_race_to_wake_the_waiter() {
        loom::model(|| {
            let g = Goroutine::new();
            let done = Arc::new(AtomicUsize::new(0));
            let waiter = spawn_waiter(&g, &done, 1, Goroutine::park);
            let me = waiter.thread().clone();
            let timer = {
                let g = Arc::clone(&g);
                let me = me.clone();
                thread::spawn(move || g.unpark(&me))
            };
            let waker = spawn_waker(&g, &done, me);
            timer.join().unwrap();
            waker.join().unwrap();
            waiter.join().unwrap();
            g.check();
        });
    }
}
