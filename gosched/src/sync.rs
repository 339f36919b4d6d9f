//! The atomics of the files whose protocols loom model-checks
//! (`gosched/src/parktoken.rs`, `gosched/src/runq.rs`): std's, or loom's
//! under `--cfg loom` — tokio's `loom` module, in one file. Go's runtime
//! has no counterpart; its lock-free code is checked by review and stress.
//!
//! Only the modelled files go through here: the rest of the crate keeps
//! std's atomics, so a `--cfg loom` build is still the whole scheduler,
//! but only the models (`cargo test --release -p gosched loom_`) may run
//! in it — loom's atomics panic outside `loom::model`.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64};
pub(crate) use std::sync::atomic::Ordering;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64};
