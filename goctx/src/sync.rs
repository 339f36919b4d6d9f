//! The lock and atomics of a context's cancellation state
//! (`cancel.rs`): std's, or loom's under `--cfg loom` — tokio's `loom`
//! module, in one file, as `gosched/src/sync.rs` and `gochan/src/sync.rs`.
//! Go's `context` package has no counterpart; its `cancelCtx` is checked by
//! review and its tests.
//!
//! Only `cancel.rs` goes through here: the rest of the crate keeps std's
//! types. The models (`cargo test --profile loom -p goctx --lib loom_`)
//! run the real `CancelState` on gochan channels, whose own atomics are
//! loom's in the same build, so a model sees a `done` channel's close as
//! loom sees any other write. Nothing but the models may run in a loom
//! build: loom's types panic outside `loom::model`.

pub(crate) use std::sync::atomic::Ordering;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU8, AtomicUsize};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU8, AtomicUsize};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
