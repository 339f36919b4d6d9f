//! Go 1.9–1.23's map: the classic `hmap` of `runtime/map.go` (Go 1.19's
//! source, with the per-release differences of `version.rs`).
//!
//! Layers, bottom to top (a file uses only those below it, except that
//! `raw.rs` and `evacuate.rs` are one type, `RawTable`, Go's `hmap`, in two
//! files: its access/assign/delete half and its growth half): `bucket.rs`
//! (the bucket array in raw memory, the unsafe) -> `raw.rs` + `evacuate.rs`
//! -> `walk.rs` (`mapiterinit`/`mapiternext`) -> `introspect.rs`.

pub(crate) mod bucket;
mod evacuate;
pub(crate) mod introspect;
pub(crate) mod raw;
pub(crate) mod walk;

pub(crate) use raw::{Pos, RawTable};
pub(crate) use walk::{Walker, no_hash};
