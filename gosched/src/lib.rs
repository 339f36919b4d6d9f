//! gosched — goroutines on a GMP scheduler (chapter 7). Work in progress (issue 4).
//!
//! Today only the parking contract that `gochan` and `goctx` build on exists
//! ([`park`], [`time`]); it parks OS threads. The scheduler makes the same
//! calls park goroutines.

pub mod park;
pub mod time;

pub use park::{Unparker, WaitReason, park, park_timeout};
