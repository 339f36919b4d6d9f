//! What gochan's lock-free protocols are built from — atomics, the park
//! and unpark of a waiting party, spin and yield hints — as std and gosched
//! give them, or loom's under `--cfg loom` (tokio's `loom` module, in one
//! file, as `gosched/src/sync.rs`). Go's runtime has no counterpart; its
//! channel code is checked by review and stress.
//!
//! Normally every item is a re-export: the shim costs nothing. Under loom:
//! - the atomics of the ring (`ring.rs`), the wait queues and parkers
//!   (`waitq.rs`), the channel (`hchan.rs`) and its locks (`lock.rs`) are
//!   loom's, so loom explores their orderings;
//! - a waiting party parks on a token of its own ([`Unparker`], [`park`],
//!   a loom mutex and condition variable): loom cannot run gosched's
//!   goroutines, so the models check gochan's own protocol (the sudog
//!   hand-off, `selected`) down to the park, and take gosched's park token
//!   as correct (it has models of its own, `gosched/src/parktoken.rs`).
//!   Every loom thread counts as a goroutine ([`goid`] is `Some`): it
//!   parks at once, and its `SleepLock` waits sleep, the path a lost
//!   wake-up would hang;
//! - a futex is a loom mutex and condition variable with the kernel's
//!   semantics ([`futex_wait`], [`futex_wake_one`]).
//!
//! Only the models (`cargo test --release -p gochan --lib loom_`) may run
//! in a loom build: loom's atomics panic outside `loom::model`.

pub(crate) use std::sync::atomic::Ordering;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize};

#[cfg(not(loom))]
pub(crate) use gosched::{Unparker, goid, park, park_timeout};
#[cfg(not(loom))]
pub(crate) use std::hint::spin_loop;
#[cfg(not(loom))]
pub(crate) use std::thread::yield_now;

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize};
#[cfg(loom)]
pub(crate) use loom::thread::yield_now;
#[cfg(loom)]
pub(crate) use model::{Unparker, futex_wait, futex_wake_one, goid, park, park_timeout, spin_loop};

#[cfg(loom)]
mod model {
    use std::time::Duration;

    use gosched::WaitReason;
    use loom::sync::atomic::AtomicU32;
    use loom::sync::{Arc, Condvar, Mutex};

    /// A party's wake-up token, as gosched's park token and std's thread
    /// token: an unpark before the park makes the park return at once.
    /// Not loom's own `thread::park`: loom lets an unpark end a wait in
    /// any of its primitives, so a late unpark (its waiter saw `selected`
    /// and moved on, harmless for a token) would end a futex sleep.
    #[derive(Debug)]
    struct Token {
        notified: Mutex<bool>,
        woken: Condvar,
    }

    loom::thread_local! {
        static TOKEN: Arc<Token> = Arc::new(Token {
            notified: Mutex::new(false),
            woken: Condvar::new(),
        });
    }

    /// A loom thread standing for a goroutine (see the module docs).
    #[derive(Debug)]
    pub(crate) struct Unparker(Arc<Token>);

    impl Unparker {
        pub(crate) fn current() -> Unparker {
            Unparker(TOKEN.with(Arc::clone))
        }

        pub(crate) fn unpark(self) {
            *self.0.notified.lock().unwrap() = true;
            self.0.woken.notify_one();
        }

        /// Every loom thread plays a goroutine: its waits park at once.
        pub(crate) fn goid(&self) -> Option<u64> {
            goid()
        }
    }

    pub(crate) fn goid() -> Option<u64> {
        Some(1)
    }

    /// A pause hint is no scheduling point (loom's own `spin_loop` is a
    /// yield, which would multiply the states of every spin): a spinning
    /// waiter lets others run where it calls [`yield_now`](super::yield_now).
    pub(crate) fn spin_loop() {}

    pub(crate) fn park(_reason: WaitReason) {
        TOKEN.with(|t| {
            let mut notified = t.notified.lock().unwrap();
            while !*notified {
                notified = t.woken.wait(notified).unwrap();
            }
            *notified = false;
        });
    }

    /// No model waits with a deadline; a spurious return is allowed.
    pub(crate) fn park_timeout(_reason: WaitReason, _timeout: Duration) {
        loom::thread::yield_now();
    }

    /// The kernel's futex table: sleepers by word address, each woken
    /// once, by a wake on its address, in arrival order.
    #[derive(Default)]
    struct Table {
        /// (address, ticket) of each sleeper not yet woken.
        sleepers: Vec<(usize, u64)>,
        next_ticket: u64,
    }

    loom::lazy_static! {
        static ref FUTEX: (Mutex<Table>, Condvar) = (Mutex::new(Table::default()), Condvar::new());
    }

    /// `FUTEX_WAIT`: sleeps while `*word == expected`, checked under the
    /// table lock that every wake takes, as the kernel checks under its
    /// hash bucket's lock.
    pub(crate) fn futex_wait(word: &AtomicU32, expected: u32) {
        let addr = std::ptr::from_ref(word).addr();
        let (table, woken) = &*FUTEX;
        let mut t = table.lock().unwrap();
        if word.load(std::sync::atomic::Ordering::SeqCst) != expected {
            return;
        }
        let ticket = t.next_ticket;
        t.next_ticket += 1;
        t.sleepers.push((addr, ticket));
        while t.sleepers.contains(&(addr, ticket)) {
            t = woken.wait(t).unwrap();
        }
    }

    /// `FUTEX_WAKE` of one: the first sleeper on `word`, if any.
    pub(crate) fn futex_wake_one(word: &AtomicU32) {
        let addr = std::ptr::from_ref(word).addr();
        let (table, woken) = &*FUTEX;
        let mut t = table.lock().unwrap();
        if let Some(i) = t.sleepers.iter().position(|&(a, _)| a == addr) {
            t.sleepers.remove(i);
            woken.notify_all();
        }
    }
}
