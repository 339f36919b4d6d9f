//! gomap — Go's map, chapter 2 ("Map") of the notes, as a generic Rust
//! hash map you can use and watch grow, in both designs Go has shipped:
//!
//! - **Go 1.24–1.27** (the default, Go 1.27): swiss tables, Go 1.27's
//!   `internal/runtime/maps` — groups of 8 slots behind a 64-bit control
//!   word (empty `0x80`, deleted `0xFE`, full = the hash's low 7 bits),
//!   H1/H2, triangular probing, tombstones and their pruning (1.25+), the
//!   small map of one group, tables of at most 1 024 slots that double
//!   below that and split above it, the extendible-hash directory, load
//!   7/8, a new seed when the map empties. See `swiss/` and the README.
//! - **Go 1.9–1.23**: the classic `hmap` of `runtime/map.go`, Go 1.19's
//!   source (and, where they differ, any release from 1.9 to 1.23 — see
//!   [`GoVersion`]), described below.
//!
//! One [`HashMap`] type serves both, picked by the [`GoVersion`] a map is
//! made with (see `map.rs` for why one type).
//!
//! Every growth step is a `tracing` event at debug level, naming the
//! release and the figures that changed: the swiss map's small map
//! becoming a table, a table growing, splitting or pruning tombstones and
//! the directory doubling; the classic map's growth starting and finishing
//! (and, at trace level, each old bucket evacuated). The README lists
//! their fields; `examples/watch_growth.rs` shows them with `RUST_LOG`.
//!
//! ```
//! use gomap::{GoVersion, HashMap, RandomSeed};
//!
//! let mut m = HashMap::with_options(0, RandomSeed::fixed(42), GoVersion::V1_27);
//! for i in 0..9u64 {
//!     m.insert(i, i * i);
//! }
//! // A small map holds 8 entries in one group; the 9th made a 16-slot table.
//! assert_eq!((m.dir_len(), m.total_capacity()), (1, 16));
//! assert!(m.check_invariants().is_ok());
//! ```
//!
//! The classic map:
//!
//! - `2^B` buckets of 8 slots: `tophash[8]`, then the 8 keys together, then
//!   the 8 values together, then an overflow link; keys or values over 128
//!   bytes are stored indirectly (boxed), as Go does;
//! - a per-map seed (`hash0`) in the [`BuildHasher`](std::hash::BuildHasher)
//!   type parameter: [`RandomSeed`] by default, [`RandomSeed::fixed`] for
//!   reproducible layouts;
//! - bucket = low `B` bits of the hash, tophash = top 8 bits bumped past the
//!   reserved states (`emptyRest`, `emptyOne`, `evacuatedX`, `evacuatedY`,
//!   `evacuatedEmpty`, `minTopHash` of Go 1.12+; the older set for 1.9–1.11,
//!   see [`TopHashStates`]);
//! - `make` hint sizing, growth when the load factor 6.5 would be passed
//!   (doubling) or when there are too many overflow buckets (same-size), by
//!   `overLoadFactor` and [`too_many_overflow_buckets`];
//! - incremental evacuation: growth only allocates, each insert and delete
//!   then evacuates the old bucket it touches plus the one at `nevacuate`;
//!   X/Y split on doubling; lookups read old buckets not yet evacuated;
//! - every write does `mapassign`'s or `mapdelete`'s growth work, `entry`
//!   included (`*m.entry(k).or_insert(0) += 1` is Go's `m[k]++`);
//! - deletes mark `emptyOne`/`emptyRest`; [`HashMap::clear`] is `mapclear`;
//! - iteration starts at a random bucket and slot offset and is correct
//!   mid-growth.
//!
//! ```
//! use gomap::{GoVersion, HashMap, RandomSeed};
//!
//! let mut m = HashMap::with_options(0, RandomSeed::fixed(42), GoVersion::V1_19);
//! for i in 0..53u64 {
//!     m.insert(i, i * i);
//! }
//! // 53 entries in 8 buckets would pass 6.5 per bucket: a doubling started.
//! assert_eq!(m.b(), 4);
//! assert!(m.is_growing());
//! let e = m.evacuation().unwrap();
//! assert_eq!(e.old_buckets, 8);
//! assert!(e.evacuated <= 2); // growth only allocates; that insert moved ≤ 2
//! assert_eq!(m[&3], 9); // lookups read old buckets not yet evacuated
//! for i in 53..60u64 {
//!     m.insert(i, 0); // each write evacuates up to two old buckets
//! }
//! assert!(!m.is_growing());
//! assert!(m.check_invariants().is_ok());
//! ```
//!
//! # What differs from Go, and why
//!
//! - **Hash function.** Go uses AES or `memhash` with `hash0`; here any
//!   `BuildHasher` (the default is a seeded folded-multiply hash). Which
//!   bucket a key lands in depends on the hash, not on how it was made.
//! - **Re-seeding.** Go 1.19 draws a new `hash0` in `mapclear` and when the
//!   last key is deleted; a generic `BuildHasher` cannot be re-seeded, so the
//!   classic map's seed is kept. The swiss map hashes its own seed before
//!   the key, so it re-seeds where Go does.
//! - **Evacuated slots give up their entries.** Go keeps evacuated keys in
//!   old buckets for iterators that began before the growth. A Rust iterator
//!   borrows the map, so no write (and no growth step) can happen during an
//!   iteration; entries are moved, not copied.
//! - **Iteration with writes.** Go allows writes inside `range`; Rust's
//!   borrows forbid them during [`HashMap::iter`]. [`HashMap::range`] is a
//!   cursor that borrows the map only during each step, with Go's
//!   guarantees; [`HashMap::retain`] deletes during a walk.
//! - **`m[k]` on a missing key** panics (`Index`) instead of giving the zero
//!   value; use [`HashMap::get`].
//! - **Overflow storage.** Go links overflow buckets by pointer and rounds the
//!   bucket array up to its allocator's size class; here each array is one
//!   allocation holding the `2^B` buckets, the `2^(B-4)` preallocated
//!   overflow buckets of `makeBucketArray`, and more as needed, linked by
//!   index.
//! - **NaN keys.** `K: Eq` keys are reflexive, so Go's `k != k` paths (the
//!   tophash-bit choice for NaNs) are not needed.
//! - **Releases.** `mapclear` arrived in Go 1.11 (builtin `clear` in 1.21);
//!   [`HashMap::clear`] behaves as `mapclear` for every classic release
//!   (on a map with no entries it does nothing, as `mapclear` returns at
//!   once), and as the swiss map's `Clear` of each release from 1.24.
//! - **A `Hash` or `Eq` that panics.** Go's hashers cannot panic once a key
//!   is in a map; a Rust `Hash` may, and `evacuate` hashes every key it
//!   moves. Here an old chain is hashed whole before any entry of it moves,
//!   so a panic loses the operation that asked, never an entry; the map
//!   stays consistent and drops each key and value once.

// The layers, bottom to top; a module uses only those below it:
//   version, group, hasher, shape -> classic/, swiss/ -> map, entry, iter
//   -> introspect
mod classic;
mod entry;
mod group;
mod hasher;
mod introspect;
mod iter;
mod map;
mod shape;
mod swiss;
mod version;

pub use classic::introspect::{ClassicStats, Evacuation};
pub use entry::{Entry, OccupiedEntry, VacantEntry};
pub use hasher::{GoHasher, RandomSeed};
pub use introspect::MapStats;
pub use iter::{Drain, IntoIter, Iter, IterMut, Keys, Range, Values, ValuesMut};
pub use map::HashMap;
pub use swiss::introspect::{SwissStats, TableStats};
pub use version::{
    BUCKET_CNT, GoVersion, ParseGoVersionError, TopHashStates, too_many_overflow_buckets,
};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
