//! The public map: one std-like `HashMap` over either of Go's maps, chosen
//! by the [`GoVersion`] it is made with — the classic `hmap` (Go 1.9–1.23,
//! `classic/`) or the swiss tables (Go 1.24–1.27, `swiss/`) — with Go's
//! operations under Rust's names: `make(map[K]V, hint)` is
//! [`HashMap::with_capacity`], `m[k] = v` is [`HashMap::insert`]
//! (`mapassign`), `v, ok := m[k]` is [`HashMap::get`] (`mapaccess2`),
//! `delete(m, k)` is [`HashMap::remove`] (`mapdelete`), `clear(m)` is
//! [`HashMap::clear`] (`mapclear`/`Clear`), `for k, v := range m` is
//! [`HashMap::iter`] (or [`HashMap::range`] when the body writes to `m`).
//!
//! Why one type: a release is a value, as in goslice, so the same code
//! (and `cargo xtask mapgrowth --go 1.N`) runs under any release's rules,
//! as one Go program builds with any toolchain. The price is a branch on
//! the representation in every operation, which is always taken the same
//! way for a given map (the README measures it). Introspection that only
//! one design has (`B`, the directory) panics on the other; [`stats`]
//! answers for both.
//!
//! [`stats`]: HashMap::stats

use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::Index;

use crate::classic::{self, RawTable};
use crate::entry::{Entry, OccupiedEntry, VacantEntry};
use crate::hasher::RandomSeed;
use crate::iter::{Drain, IntoIter, Iter, IterMut, Keys, Values, ValuesMut};
use crate::swiss::{self, RawMap, nth_seed, seeded_hash};
use crate::version::{BUCKET_CNT, GoVersion};

/// Go's map as a generic Rust hash map: the classic `hmap` for releases
/// 1.9–1.23, swiss tables for 1.24–1.27 (the default, Go 1.27).
///
/// ```
/// use gomap::HashMap;
/// let mut ages: HashMap<&str, u32> = HashMap::new();
/// ages.insert("gopher", 13);
/// ages.insert("ferris", 9);
/// assert_eq!(ages.get("gopher"), Some(&13));
/// assert_eq!(ages.remove("ferris"), Some(9));
/// assert_eq!(ages.len(), 1);
/// assert_eq!(ages.to_string(), "map[gopher:13]");
/// assert!(ages.is_swiss()); // Go 1.27's map
/// ```
pub struct HashMap<K, V, S = RandomSeed> {
    pub(crate) repr: Repr<K, V>,
    pub(crate) hash_builder: S,
}

/// Which of Go's maps a [`HashMap`] is.
pub(crate) enum Repr<K, V> {
    /// Go 1.9–1.23.
    Classic(RawTable<K, V>),
    /// Go 1.24–1.27.
    Swiss(RawMap<K, V>),
}

/// Where an entry sits, in either map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AnyPos {
    Classic(classic::Pos),
    Swiss(swiss::Pos),
}

impl<K, V> Repr<K, V> {
    /// The entry at a position.
    #[inline]
    pub(crate) fn entry(&self, pos: AnyPos) -> (&K, &V) {
        match (self, pos) {
            (Repr::Classic(t), AnyPos::Classic(p)) => t.entry(p),
            (Repr::Swiss(m), AnyPos::Swiss(p)) => m.entry(p),
            _ => unreachable!("a position of the other map"),
        }
    }

    /// The entry at a position, value mutable.
    #[inline]
    pub(crate) fn entry_mut(&mut self, pos: AnyPos) -> (&K, &mut V) {
        match (self, pos) {
            (Repr::Classic(t), AnyPos::Classic(p)) => t.entry_mut(p),
            (Repr::Swiss(m), AnyPos::Swiss(p)) => m.entry_mut(p),
            _ => unreachable!("a position of the other map"),
        }
    }

    /// `len(m)`.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Repr::Classic(t) => t.count,
            Repr::Swiss(m) => m.used,
        }
    }
}

impl<K, V> HashMap<K, V, RandomSeed> {
    /// `make(map[K]V)`: an empty map that allocates nothing yet, a fresh
    /// random seed, Go 1.27's rules.
    pub fn new() -> Self {
        Self::with_capacity_and_hasher(0, RandomSeed::new())
    }

    /// `make(map[K]V, hint)`. Go 1.27 allocates nothing for a hint of at
    /// most 8, else enough tables to hold `hint` entries at 7/8 load
    /// (`NewMap`); the classic map picks the smallest `B` that holds them
    /// at 6.5 per bucket (`makemap`).
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap};
    /// let m: HashMap<i64, i64> = HashMap::with_capacity(100);
    /// assert_eq!((m.dir_len(), m.total_capacity()), (1, 128)); // 100 * 8/7 → 128 slots
    /// let m: HashMap<i64, i64> = HashMap::with_version(100, GoVersion::V1_19);
    /// assert_eq!(m.b(), 4); // 16 buckets: 100 <= 6.5 * 16
    /// ```
    pub fn with_capacity(hint: usize) -> Self {
        Self::with_capacity_and_hasher(hint, RandomSeed::new())
    }

    /// `make(map[K]V, hint)` under the rules of a given release.
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap};
    /// let m: HashMap<i64, i64> = HashMap::with_version(8, GoVersion::V1_9);
    /// assert_eq!(m.b(), 1); // Go 1.9's float overLoadFactor used >=
    /// ```
    pub fn with_version(hint: usize, version: GoVersion) -> Self {
        Self::with_options(hint, RandomSeed::new(), version)
    }
}

impl<K, V, S> HashMap<K, V, S> {
    /// An empty map hashing with `hash_builder` (for a fixed seed pass
    /// [`RandomSeed::fixed`]).
    pub fn with_hasher(hash_builder: S) -> Self
    where
        S: BuildHasher,
    {
        Self::with_capacity_and_hasher(0, hash_builder)
    }

    /// `make(map[K]V, hint)` hashing with `hash_builder`.
    pub fn with_capacity_and_hasher(hint: usize, hash_builder: S) -> Self
    where
        S: BuildHasher,
    {
        Self::with_options(hint, hash_builder, GoVersion::default())
    }

    /// `make(map[K]V, hint)` with a hasher, under a given release's rules.
    /// A swiss map's first seed comes from the hasher (so a fixed hasher
    /// gives a reproducible layout).
    pub fn with_options(hint: usize, hash_builder: S, version: GoVersion) -> Self
    where
        S: BuildHasher,
    {
        let repr = if version.is_swiss() {
            Repr::Swiss(RawMap::with_hint(hint, version, nth_seed(&hash_builder, 0)))
        } else {
            Repr::Classic(RawTable::with_hint(hint, version))
        };
        HashMap { repr, hash_builder }
    }

    /// `len(m)`.
    #[inline]
    pub fn len(&self) -> usize {
        self.repr.len()
    }

    /// `len(m) == 0`.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The map's hasher.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// The release whose rules this map follows.
    pub fn go_version(&self) -> GoVersion {
        match &self.repr {
            Repr::Classic(t) => t.version,
            Repr::Swiss(m) => m.version,
        }
    }

    /// Is this Go 1.24+'s swiss-table map (rather than the classic one)?
    pub fn is_swiss(&self) -> bool {
        matches!(self.repr, Repr::Swiss(_))
    }
}

impl<K, V, S: BuildHasher> HashMap<K, V, S> {
    /// `clear(m)`. The classic map's `mapclear` removes every entry, keeps
    /// `B` and the bucket memory and ends a growth in progress (and does
    /// nothing to a map with no entries). The swiss map's `Clear` empties
    /// every table (tombstones too), keeps the directory and capacities and
    /// draws a new seed (Go 1.24: not for a map with no entries).
    ///
    /// ```
    /// let mut m: gomap::HashMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// let capacity = m.total_capacity();
    /// m.clear();
    /// assert!(m.is_empty());
    /// assert_eq!(m.total_capacity(), capacity);
    /// ```
    pub fn clear(&mut self) {
        let hb = &self.hash_builder;
        match &mut self.repr {
            Repr::Classic(t) => t.clear(),
            Repr::Swiss(m) => m.clear(|n| nth_seed(hb, n)),
        }
    }
}

impl<K, V, S> HashMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    /// Where the entry for `key` is.
    #[inline]
    pub(crate) fn find<Q>(&self, key: &Q) -> Option<AnyPos>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hb = &self.hash_builder;
        match &self.repr {
            Repr::Classic(t) => t
                .find(hb.hash_one(key), |k| k.borrow() == key)
                .map(AnyPos::Classic),
            Repr::Swiss(m) => {
                if m.used == 0 {
                    return None;
                }
                m.find(seeded_hash(hb, m.seed, key), |k| k.borrow() == key)
                    .map(AnyPos::Swiss)
            }
        }
    }

    /// `m[k] = v` (`mapassign`): returns the previous value if the key was
    /// there (the stored key is kept). The classic map may start a growth,
    /// and if one is in progress evacuates up to two old buckets first; the
    /// swiss map may grow or split the key's table, all at once.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hb = &self.hash_builder;
        match &mut self.repr {
            Repr::Classic(t) => {
                let hash = hb.hash_one(&key);
                t.insert(hash, key, value, &|k: &K| hb.hash_one(k))
            }
            Repr::Swiss(m) => {
                let seed = m.seed;
                let hash = seeded_hash(hb, seed, &key);
                let hasher = |k: &K| seeded_hash(hb, seed, k);
                m.insert(hash, key, value, &hasher, |a, b| a == b).1
            }
        }
    }

    /// `v, ok := m[k]` (`mapaccess2`).
    #[inline(always)]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_key_value(key).map(|(_, v)| v)
    }

    /// The stored key and its value (`mapaccessK`, `getWithKey`).
    #[inline(always)]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hb = &self.hash_builder;
        match &self.repr {
            Repr::Swiss(m) => {
                if m.used == 0 {
                    return None;
                }
                m.find_entry(seeded_hash(hb, m.seed, key), |k| k.borrow() == key)
            }
            Repr::Classic(t) => t.find_entry(hb.hash_one(key), |k| k.borrow() == key),
        }
    }

    /// A mutable reference to the value (a lookup: it does no growth work).
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let pos = self.find(key)?;
        Some(self.repr.entry_mut(pos).1)
    }

    /// `_, ok := m[k]`.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_key_value(key).is_some()
    }

    /// `delete(m, k)` (`mapdelete`), returning the value. The classic map
    /// evacuates up to two old buckets first if it is growing, even when
    /// the key is absent, as Go does; the swiss map draws a new seed when
    /// the delete removes its last entry.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// `delete(m, k)`, returning the stored key and the value.
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hb = &self.hash_builder;
        match &mut self.repr {
            Repr::Classic(t) => {
                let hash = hb.hash_one(key);
                t.remove(hash, |k| k.borrow() == key, &|k: &K| hb.hash_one(k))
            }
            Repr::Swiss(m) => {
                if m.used == 0 {
                    return None;
                }
                let hash = seeded_hash(hb, m.seed, key);
                m.remove(hash, |k| k.borrow() == key, |n| nth_seed(hb, n))
            }
        }
    }

    /// The entry for `key`, to insert or update in place: the first half of
    /// `mapassign`, so `*m.entry(k).or_insert(0) += 1` is Go's `m[k]++`.
    /// What `mapassign` does before it looks for the key is done here,
    /// whether the key is there or not: a growing classic map evacuates up
    /// to two old buckets; under Go 1.24–1.26 a full small swiss map
    /// becomes a table. What you do with the entry then does no more of it.
    ///
    /// ```
    /// let mut counts: gomap::HashMap<char, u32> = gomap::HashMap::new();
    /// for c in "gopher go".chars() {
    ///     counts.entry(c).and_modify(|n| *n += 1).or_insert(1);
    /// }
    /// assert_eq!(counts[&'o'], 2);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, S> {
        let hb = &self.hash_builder;
        let (hash, found) = match &mut self.repr {
            Repr::Classic(t) => {
                let hash = hb.hash_one(&key);
                t.grow_work_for(hash, &|k: &K| hb.hash_one(k));
                (hash, t.find(hash, |k| *k == key).map(AnyPos::Classic))
            }
            Repr::Swiss(m) => {
                let seed = m.seed;
                let hash = seeded_hash(hb, seed, &key);
                if m.version.small_update_grows() && m.dir_len() == 0 && m.used >= BUCKET_CNT {
                    m.grow_to_table(&|k: &K| seeded_hash(hb, seed, k));
                }
                (hash, m.find(hash, |k| *k == key).map(AnyPos::Swiss))
            }
        };
        match found {
            Some(pos) => Entry::Occupied(OccupiedEntry { map: self, pos }),
            None => Entry::Vacant(VacantEntry {
                map: self,
                hash,
                key,
            }),
        }
    }

    /// Takes every entry out; the map is left as [`clear`](Self::clear)
    /// leaves it (the classic map's growth in progress finished first).
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        let hb = &self.hash_builder;
        let taken = match &mut self.repr {
            Repr::Classic(t) => {
                t.finish_growth(&|k: &K| hb.hash_one(k));
                Repr::Classic(t.take_all())
            }
            Repr::Swiss(m) => Repr::Swiss(m.take_all(|n| nth_seed(hb, n))),
        };
        Drain::new(IntoIter::new(taken))
    }

    /// Keeps the entries for which `f` returns true: Go's
    /// `for k, v := range m { if !f(k, v) { delete(m, k) } }`, except that
    /// the classic map's deletes do no growth work (the walk must not see
    /// entries move).
    pub fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, mut f: F) {
        let hb = &self.hash_builder;
        match &mut self.repr {
            Repr::Classic(t) => {
                let mut walker = classic::Walker::new(t);
                while let Some(pos) = walker.next(t, &|k: &K| hb.hash_one(k)) {
                    let (k, v) = t.entry_mut(pos);
                    if !f(k, v) {
                        drop(t.remove_at(pos));
                    }
                }
            }
            Repr::Swiss(m) => {
                let mut walker = swiss::Walker::new(m);
                while let Some(pos) = walker.next(m) {
                    let (k, v) = m.entry_mut(pos);
                    if !f(k, v) {
                        drop(m.remove_at(pos, |n| nth_seed(hb, n)));
                    }
                }
            }
        }
    }
}

/// Iteration. A walk over a classic map that is doubling hashes the keys of
/// the old buckets not yet evacuated, as Go's `mapiternext` does, hence the
/// bounds.
impl<K, V, S> HashMap<K, V, S>
where
    K: Hash,
    S: BuildHasher,
{
    /// `for k, v := range m`: from a random start, every entry once (the
    /// classic map correct mid-growth). For a loop whose body writes to the
    /// map, see [`range`](Self::range).
    pub fn iter(&self) -> Iter<'_, K, V, S> {
        Iter::new(self)
    }

    /// Like [`iter`](Self::iter), with mutable values.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, S> {
        IterMut::new(self)
    }

    /// The keys, in iteration order.
    pub fn keys(&self) -> Keys<'_, K, V, S> {
        Keys(self.iter())
    }

    /// The values, in iteration order.
    pub fn values(&self) -> Values<'_, K, V, S> {
        Values(self.iter())
    }

    /// The values, mutable, in iteration order.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, S> {
        ValuesMut(self.iter_mut())
    }
}

impl<K, V, S> Default for HashMap<K, V, S>
where
    S: Default + BuildHasher,
{
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K: Clone, V: Clone, S: Clone> Clone for HashMap<K, V, S> {
    /// A copy with the same layout: the classic map's `B`, buckets and
    /// growth state; the swiss map's seed, directory, tables and control
    /// bytes (Go's `maps.Clone`).
    fn clone(&self) -> Self {
        let repr = match &self.repr {
            Repr::Classic(t) => Repr::Classic(t.clone_table()),
            Repr::Swiss(m) => Repr::Swiss(m.clone_map()),
        };
        HashMap {
            repr,
            hash_builder: self.hash_builder.clone(),
        }
    }
}

impl<K, V, S, Q> Index<&Q> for HashMap<K, V, S>
where
    K: Eq + Hash + Borrow<Q>,
    Q: Eq + Hash + ?Sized,
    S: BuildHasher,
{
    type Output = V;

    /// `m[k]` for a key that must be present (Go would give the zero value;
    /// Rust has no zero value for every `V`, so a missing key panics).
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("gomap: key not found in map")
    }
}

impl<K, V, S> Extend<(K, V)> for HashMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K, V, S> Extend<(&'a K, &'a V)> for HashMap<K, V, S>
where
    K: Eq + Hash + Copy,
    V: Copy,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(*k, *v);
        }
    }
}

impl<K, V, S> FromIterator<(K, V)> for HashMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = HashMap::with_hasher(S::default());
        m.extend(iter);
        m
    }
}

impl<K, V, S> IntoIterator for HashMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(mut self) -> IntoIter<K, V> {
        let hb = &self.hash_builder;
        if let Repr::Classic(t) = &mut self.repr {
            t.finish_growth(&|k: &K| hb.hash_one(k));
        }
        IntoIter::new(self.repr)
    }
}

impl<'a, K: Hash, V, S: BuildHasher> IntoIterator for &'a HashMap<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V, S>;
    fn into_iter(self) -> Iter<'a, K, V, S> {
        self.iter()
    }
}

impl<'a, K: Hash, V, S: BuildHasher> IntoIterator for &'a mut HashMap<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V, S>;
    fn into_iter(self) -> IterMut<'a, K, V, S> {
        self.iter_mut()
    }
}

impl<K, V, S> PartialEq for HashMap<K, V, S>
where
    K: Eq + Hash,
    V: PartialEq,
    S: BuildHasher,
{
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Eq + Hash, V: Eq, S: BuildHasher> Eq for HashMap<K, V, S> {}

impl<K, V, S> fmt::Debug for HashMap<K, V, S>
where
    K: Hash + fmt::Debug,
    V: fmt::Debug,
    S: BuildHasher,
{
    /// std's `{k: v, ...}` form, in iteration order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V, S> fmt::Display for HashMap<K, V, S>
where
    K: Hash + Ord + fmt::Display,
    V: fmt::Display,
    S: BuildHasher,
{
    /// Go's `fmt` form, `map[k1:v1 k2:v2]`, keys sorted (as `fmt` has done
    /// since Go 1.12).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<(&K, &V)> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        f.write_str("map[")?;
        for (i, (k, v)) in entries.into_iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{k}:{v}")?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::HashMap;

    #[test]
    fn send_and_sync_follow_k_v_s() {
        fn is_send<T: Send>() {}
        fn is_sync<T: Sync>() {}
        is_send::<HashMap<String, Vec<u8>>>();
        is_sync::<HashMap<String, Vec<u8>>>();
        is_send::<crate::IterMut<'static, String, u8, crate::RandomSeed>>();
        is_send::<crate::Range<String, u8>>();
        is_sync::<crate::Range<String, u8>>();
    }
}
