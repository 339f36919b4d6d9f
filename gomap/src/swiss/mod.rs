//! Go 1.24+'s map: swiss tables under an extendible-hash directory, as Go
//! 1.27's `internal/runtime/maps` (`map.go`, `table.go`, `group.go`) and
//! `internal/abi/map.go` lay them out, with the per-release differences of
//! 1.24–1.26 (see `version.rs`).
//!
//! Layers, bottom to top (a file uses only those below it): `groups.rs`
//! (group memory, the unsafe), `table.rs` (one table: probing, tombstones,
//! growth), `raw.rs` (the small map and the directory: Go's `Map`),
//! `walk.rs` and `range.rs` (iteration without and with writes between
//! steps), `introspect.rs` (figures, dump, invariant checker).
//!
//! Hashing: Go hashes a key with the map's seed, `typ.Hasher(key,
//! m.seed)`, and draws a new seed when the map empties. Here the key is
//! hashed with the map's [`BuildHasher`] after the seed
//! ([`seeded_hash`]); each seed is derived from the `BuildHasher` and how
//! many seeds the map has drawn ([`nth_seed`]), so a fixed hasher
//! ([`RandomSeed::fixed`](crate::RandomSeed::fixed)) gives reproducible
//! layouts and a random one unpredictable seeds.

use std::hash::{BuildHasher, Hash, Hasher};

mod groups;
pub(crate) mod introspect;
mod range;
mod raw;
mod table;
mod walk;

pub(crate) use range::Cursor;
pub(crate) use raw::{Pos, RawMap};
pub(crate) use walk::Walker;

/// `typ.Hasher(key, m.seed)`: `key` hashed by `s` after the map's seed.
#[inline]
pub(crate) fn seeded_hash<S: BuildHasher, Q: Hash + ?Sized>(s: &S, seed: u64, key: &Q) -> u64 {
    let mut h = s.build_hasher();
    h.write_u64(seed);
    key.hash(&mut h);
    h.finish()
}

/// The `n`th seed a map hashing with `s` draws (Go's `rand()` in `NewMap`,
/// `Delete` and `Clear`): `n` hashed by `s` alone.
#[inline]
pub(crate) fn nth_seed<S: BuildHasher>(s: &S, n: u64) -> u64 {
    s.hash_one(n)
}
