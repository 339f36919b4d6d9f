//! What the collector's two threads share, as std gives it or loom's under
//! `--cfg loom` (tokio's `loom` module, in one file, as gosched's, gochan's
//! and goctx's `sync.rs`): the mark worker's mutex, condition variable,
//! `mutator_waiting` flag and thread (`worker.rs`), and the word type of
//! the mark bitmaps (`span/memory.rs`). Go's runtime has no counterpart;
//! its mark workers are checked by review, tests and `GODEBUG` checks.
//!
//! A span's bitmaps live in an OS mapping viewed as std's atomics, which
//! loom cannot track, so the one read-modify-write two threads race on —
//! setting a mark bit — is written once, over [`MarkWord`], and the models
//! run it on loom's atomics (`span/memory/loom_models.rs`). Nothing but the
//! models (`cargo test --profile loom -p gogc --lib loom_`) may run in a
//! loom build: loom's types panic outside `loom::model`.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::AtomicBool;
pub(crate) use std::sync::atomic::Ordering;
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::thread::{JoinHandle, yield_now};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::AtomicBool;
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(loom)]
pub(crate) use loom::thread::{JoinHandle, yield_now};

/// Starts the mark worker's thread (named, so that a debugger or a panic
/// message says whose it is).
#[cfg(not(loom))]
pub(crate) fn spawn_worker(run: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("gogc-mark-worker".to_owned())
        .spawn(run)
        .expect("gogc: could not start the mark worker thread")
}

/// Starts the mark worker's thread: a loom thread.
#[cfg(loom)]
pub(crate) fn spawn_worker(run: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    loom::thread::spawn(run)
}

/// A word of a mark bitmap: std's `AtomicU64` in a span's mapping, loom's
/// in the models.
pub(crate) trait MarkWord {
    fn load(&self, order: Ordering) -> u64;
    fn store(&self, value: u64, order: Ordering);
    fn fetch_or(&self, bits: u64, order: Ordering) -> u64;
}

macro_rules! mark_word {
    ($atomic:ty) => {
        impl MarkWord for $atomic {
            #[inline]
            fn load(&self, order: Ordering) -> u64 {
                <$atomic>::load(self, order)
            }
            #[inline]
            fn store(&self, value: u64, order: Ordering) {
                <$atomic>::store(self, value, order);
            }
            #[inline]
            fn fetch_or(&self, bits: u64, order: Ordering) -> u64 {
                <$atomic>::fetch_or(self, bits, order)
            }
        }
    };
}

mark_word!(std::sync::atomic::AtomicU64);
#[cfg(loom)]
mark_word!(loom::sync::atomic::AtomicU64);
