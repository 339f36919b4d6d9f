//! The public map: a std-like `HashMap` over the raw `hmap` (Go 1.19
//! `runtime/map.go`), with Go's operations mapped to Rust's names:
//! `make(map[K]V, hint)` is [`HashMap::with_capacity`], `m[k] = v` is
//! [`HashMap::insert`] (`mapassign`), `v, ok := m[k]` is [`HashMap::get`]
//! (`mapaccess2`), `delete(m, k)` is [`HashMap::remove`] (`mapdelete`),
//! `clear(m)` is [`HashMap::clear`] (`mapclear`), `for k, v := range m` is
//! [`HashMap::iter`] (`mapiterinit`/`mapiternext`).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::ops::Index;

use crate::hasher::RandomSeed;
use crate::iter::{Drain, IntoIter, Iter, IterMut, KeyHasher, Keys, Values, ValuesMut, Walker};
use crate::raw::{Pos, RawTable};
use crate::version::GoVersion;

/// Go's classic map (`hmap`, releases 1.9–1.23) as a generic Rust hash map.
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
/// ```
pub struct HashMap<K, V, S = RandomSeed> {
    pub(crate) raw: RawTable<K, V>,
    pub(crate) hash_builder: S,
}

impl<K, V> HashMap<K, V, RandomSeed> {
    /// `make(map[K]V)`: an empty map with `B = 0` and no buckets yet, a fresh
    /// random seed, Go 1.23's rules.
    pub fn new() -> Self {
        Self::with_capacity_and_hasher(0, RandomSeed::new())
    }

    /// `make(map[K]V, hint)`: `B` is the smallest that holds `hint` entries
    /// without passing the 6.5 load factor.
    ///
    /// ```
    /// let m: gomap::HashMap<i64, i64> = gomap::HashMap::with_capacity(100);
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
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::with_capacity_and_hasher(0, hash_builder)
    }

    /// `make(map[K]V, hint)` hashing with `hash_builder`.
    pub fn with_capacity_and_hasher(hint: usize, hash_builder: S) -> Self {
        Self::with_options(hint, hash_builder, GoVersion::default())
    }

    /// `make(map[K]V, hint)` with a hasher, under a given release's rules.
    pub fn with_options(hint: usize, hash_builder: S, version: GoVersion) -> Self {
        HashMap {
            raw: RawTable::with_hint(hint, version),
            hash_builder,
        }
    }

    /// `len(m)`.
    pub fn len(&self) -> usize {
        self.raw.count
    }

    /// `len(m) == 0`.
    pub fn is_empty(&self) -> bool {
        self.raw.count == 0
    }

    /// The map's hasher.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// The release whose rules this map follows.
    pub fn go_version(&self) -> GoVersion {
        self.raw.version
    }

    /// `clear(m)` (`mapclear`): removes every entry but keeps `B` and the
    /// bucket memory, and ends any growth in progress.
    ///
    /// ```
    /// let mut m: gomap::HashMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// let b = m.b();
    /// m.clear();
    /// assert!(m.is_empty());
    /// assert_eq!(m.b(), b);
    /// ```
    pub fn clear(&mut self) {
        self.raw.clear();
    }
}

impl<K, V, S> HashMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    #[inline]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hash_builder.hash_one(key)
    }

    #[inline]
    fn find<Q>(&self, key: &Q) -> Option<Pos>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.raw.find(hash, |k| k.borrow() == key)
    }

    /// `m[k] = v` (`mapassign`): returns the previous value if the key was
    /// there (the stored key is kept). May start a growth, and if one is in
    /// progress evacuates up to two old buckets first.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hash(&key);
        let hb = &self.hash_builder;
        self.raw.insert(hash, key, value, &|k: &K| hb.hash_one(k))
    }

    /// `v, ok := m[k]` (`mapaccess2`).
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.raw
            .find_entry(hash, |k| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// The stored key and its value (`mapaccessK`).
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.raw.find_entry(hash, |k| k.borrow() == key)
    }

    /// A mutable reference to the value (a lookup: it does no growth work).
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let pos = self.find(key)?;
        Some(self.raw.entry_mut(pos).1)
    }

    /// `_, ok := m[k]`.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_key_value(key).is_some()
    }

    /// `delete(m, k)` (`mapdelete`), returning the value. Evacuates up to
    /// two old buckets first if the map is growing, even when the key is
    /// absent, as Go does.
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
        let hash = self.hash(key);
        let hb = &self.hash_builder;
        self.raw
            .remove(hash, |k| k.borrow() == key, &|k: &K| hb.hash_one(k))
    }

    /// The entry for `key`, to insert or update in place: the first half of
    /// `mapassign`, so `*m.entry(k).or_insert(0) += 1` is Go's `m[k]++`. If
    /// the map is growing, this evacuates up to two old buckets first, as
    /// every `mapassign` does, whether the key is there or not; what you do
    /// with the entry then does no more growth work.
    ///
    /// ```
    /// let mut counts: gomap::HashMap<char, u32> = gomap::HashMap::new();
    /// for c in "gopher go".chars() {
    ///     counts.entry(c).and_modify(|n| *n += 1).or_insert(1);
    /// }
    /// assert_eq!(counts[&'o'], 2);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, S> {
        let hash = self.hash(&key);
        let hb = &self.hash_builder;
        self.raw.grow_work_for(hash, &|k: &K| hb.hash_one(k));
        match self.raw.find(hash, |k| *k == key) {
            Some(pos) => Entry::Occupied(OccupiedEntry { map: self, pos }),
            None => Entry::Vacant(VacantEntry {
                map: self,
                hash,
                key,
            }),
        }
    }

    /// Takes every entry out; the map is left as after [`clear`](Self::clear)
    /// (same `B`). A growth in progress is finished first.
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        let hb = &self.hash_builder;
        self.raw.finish_growth(&|k: &K| hb.hash_one(k));
        let fresh = RawTable::with_hint(0, self.raw.version);
        let mut table = std::mem::replace(&mut self.raw, fresh);
        self.raw.set_b(table.b);
        if !table.buckets.is_nil() {
            self.raw.buckets = crate::bucket::BucketArray::new(table.b, table.st.min_top_hash);
        }
        table.noverflow = 0;
        Drain {
            inner: IntoIter::new(table),
            marker: PhantomData,
        }
    }

    /// Keeps the entries for which `f` returns true: Go's
    /// `for k, v := range m { if !f(k, v) { delete(m, k) } }`, except that
    /// the deletes do no growth work (the walk must not see entries move).
    pub fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, mut f: F) {
        let mut walker = Walker::new(&self.raw);
        let hb = &self.hash_builder;
        while let Some(pos) = walker.next(&self.raw, &|k: &K| hb.hash_one(k)) {
            let (k, v) = self.raw.entry_mut(pos);
            if !f(k, v) {
                drop(self.raw.remove_at(pos));
            }
        }
    }
}

/// Iteration. A walk over a map that is doubling hashes the keys of the old
/// buckets not yet evacuated, as Go's `mapiternext` does, hence the bounds.
impl<K, V, S> HashMap<K, V, S>
where
    K: Hash,
    S: BuildHasher,
{
    /// `for k, v := range m`: from a random bucket and offset, correct
    /// mid-growth.
    pub fn iter(&self) -> Iter<'_, K, V, S> {
        Iter {
            table: &self.raw,
            hasher: KeyHasher::new(&self.hash_builder),
            walker: Walker::new(&self.raw),
        }
    }

    /// Like [`iter`](Self::iter), with mutable values.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, S> {
        let walker = Walker::new(&self.raw);
        IterMut {
            table: &mut self.raw,
            hasher: KeyHasher::new(&self.hash_builder),
            walker,
            marker: PhantomData,
        }
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
    S: Default,
{
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K: Clone, V: Clone, S: Clone> Clone for HashMap<K, V, S> {
    /// A copy with the same `B`, buckets, slots, growth state and seed.
    fn clone(&self) -> Self {
        HashMap {
            raw: self.raw.clone_table(),
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
        self.raw.finish_growth(&|k: &K| hb.hash_one(k));
        IntoIter::new(self.raw)
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

/// A view into one entry, from [`HashMap::entry`].
pub enum Entry<'a, K, V, S> {
    /// The key is in the map.
    Occupied(OccupiedEntry<'a, K, V, S>),
    /// The key is not in the map.
    Vacant(VacantEntry<'a, K, V, S>),
}

/// An entry whose key is present.
pub struct OccupiedEntry<'a, K, V, S> {
    map: &'a mut HashMap<K, V, S>,
    pos: Pos,
}

/// An entry whose key is absent.
pub struct VacantEntry<'a, K, V, S> {
    map: &'a mut HashMap<K, V, S>,
    hash: u64,
    key: K,
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for Entry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => {
                let (k, v) = o.map.raw.entry(o.pos);
                f.debug_tuple("Occupied").field(k).field(v).finish()
            }
            Entry::Vacant(v) => f.debug_tuple("Vacant").field(&v.key).finish(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for OccupiedEntry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (k, v) = self.map.raw.entry(self.pos);
        f.debug_struct("OccupiedEntry")
            .field("key", k)
            .field("value", v)
            .finish()
    }
}

impl<K: fmt::Debug, V, S> fmt::Debug for VacantEntry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VacantEntry")
            .field("key", &self.key)
            .finish()
    }
}

impl<'a, K: Eq + Hash, V, S: BuildHasher> Entry<'a, K, V, S> {
    /// The value, inserting `default` if absent.
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default),
        }
    }

    /// The value, inserting `default()` if absent.
    pub fn or_insert_with<F: FnOnce() -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default()),
        }
    }

    /// The value, inserting `V::default()` if absent.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Runs `f` on the value if present.
    pub fn and_modify<F: FnOnce(&mut V)>(mut self, f: F) -> Self {
        if let Entry::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }

    /// The entry's key.
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => &v.key,
        }
    }
}

impl<'a, K: Eq + Hash, V, S: BuildHasher> OccupiedEntry<'a, K, V, S> {
    /// The stored key.
    pub fn key(&self) -> &K {
        self.map.raw.entry(self.pos).0
    }

    /// The value.
    pub fn get(&self) -> &V {
        self.map.raw.entry(self.pos).1
    }

    /// The value, mutable.
    pub fn get_mut(&mut self) -> &mut V {
        self.map.raw.entry_mut(self.pos).1
    }

    /// The value, mutable, for the map's borrow.
    pub fn into_mut(self) -> &'a mut V {
        self.map.raw.entry_mut(self.pos).1
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, value: V) -> V {
        std::mem::replace(self.get_mut(), value)
    }

    /// `delete(m, k)` on this entry. The growth work `mapdelete` would do
    /// was done by [`HashMap::entry`].
    pub fn remove_entry(self) -> (K, V) {
        self.map.raw.remove_at(self.pos)
    }

    /// Removes the entry, returning the value.
    pub fn remove(self) -> V {
        self.remove_entry().1
    }
}

impl<'a, K: Eq + Hash, V, S: BuildHasher> VacantEntry<'a, K, V, S> {
    /// The key that would be inserted.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Takes the key back.
    pub fn into_key(self) -> K {
        self.key
    }

    /// `m[k] = v`: the rest of the `mapassign` that [`HashMap::entry`]
    /// began (which did its growth work; a growth this insert starts gets
    /// its first step here, as Go's `goto again` does), and a reference to
    /// the stored value.
    pub fn insert(self, value: V) -> &'a mut V {
        let VacantEntry { map, hash, key } = self;
        let hb = &map.hash_builder;
        let hasher = |k: &K| hb.hash_one(k);
        // The key is absent (we just looked), so no stored key can equal it.
        let (pos, old) = map.raw.assign(hash, key, value, &hasher, |_, _| false);
        debug_assert!(old.is_none());
        map.raw.entry_mut(pos).1
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
    }
}
