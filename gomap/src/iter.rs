//! The iterator types over either map: each steps the walker of its map's
//! design (the classic `mapiternext` in `classic/walk.rs`, the swiss
//! `Iter.Next` in `swiss/walk.rs`) and reads the entry it names. Plus
//! [`Range`], Go's `range` loop whose body may write to the map.

use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::iter::FusedIterator;
use std::marker::PhantomData;

use crate::classic::{self, RawTable};
use crate::group::CTRL_EMPTY;
use crate::map::{HashMap, Repr};
use crate::swiss::{self, RawMap, seeded_hash};

/// The map's `BuildHasher` with the function that hashes a key with it.
///
/// A walk over a classic map that is doubling hashes the keys of old
/// buckets not yet evacuated (Go's `mapiternext` does too, to skip the
/// entries bound for the other new bucket). [`HashMap::iter`] has the
/// `K: Hash, S: BuildHasher` bounds that takes and fills in the function
/// here, so the iterator types and their trait impls need neither.
pub(crate) struct KeyHasher<'a, K, S> {
    builder: &'a S,
    hash: fn(&S, &K) -> u64,
}

impl<'a, K: Hash, S: BuildHasher> KeyHasher<'a, K, S> {
    pub(crate) fn new(builder: &'a S) -> Self {
        KeyHasher {
            builder,
            hash: |builder, key| builder.hash_one(key),
        }
    }
}

impl<K, S> KeyHasher<'_, K, S> {
    #[inline]
    pub(crate) fn hash(&self, key: &K) -> u64 {
        (self.hash)(self.builder, key)
    }
}

impl<K, S> Clone for KeyHasher<'_, K, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, S> Copy for KeyHasher<'_, K, S> {}

/// Iterator over `(&K, &V)`, from [`HashMap::iter`].
pub struct Iter<'a, K, V, S> {
    inner: IterInner<'a, K, V, S>,
}

enum IterInner<'a, K, V, S> {
    Classic {
        table: &'a RawTable<K, V>,
        hasher: KeyHasher<'a, K, S>,
        walker: classic::Walker,
    },
    Swiss {
        map: &'a RawMap<K, V>,
        walker: swiss::Walker,
    },
}

impl<'a, K, V, S> Iter<'a, K, V, S> {
    pub(crate) fn new(m: &'a HashMap<K, V, S>) -> Self
    where
        K: Hash,
        S: BuildHasher,
    {
        let inner = match &m.repr {
            Repr::Classic(t) => IterInner::Classic {
                table: t,
                hasher: KeyHasher::new(&m.hash_builder),
                walker: classic::Walker::new(t),
            },
            Repr::Swiss(map) => IterInner::Swiss {
                map,
                walker: swiss::Walker::new(map),
            },
        };
        Iter { inner }
    }

    /// Where this iteration starts: for the classic map, the bucket and the
    /// in-bucket offset (Go's `it.startBucket` and `it.offset`); for the
    /// swiss map, the first table's first directory entry and the slot
    /// offset in it (`dirOffset` and `entryOffset`, reduced).
    pub fn start(&self) -> (usize, usize) {
        match &self.inner {
            IterInner::Classic { walker, .. } => walker.start(),
            IterInner::Swiss { map, walker } => walker.start(map),
        }
    }

    fn remaining(&self) -> usize {
        match &self.inner {
            IterInner::Classic { walker, .. } => walker.remaining(),
            IterInner::Swiss { walker, .. } => walker.remaining(),
        }
    }
}

impl<K, V, S> Clone for Iter<'_, K, V, S> {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            IterInner::Classic {
                table,
                hasher,
                walker,
            } => IterInner::Classic {
                table,
                hasher: *hasher,
                walker: walker.clone(),
            },
            IterInner::Swiss { map, walker } => IterInner::Swiss {
                map,
                walker: walker.clone(),
            },
        };
        Iter { inner }
    }
}

impl<K, V, S> fmt::Debug for Iter<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Iter");
        match &self.inner {
            IterInner::Classic { walker, .. } => d.field("walker", walker),
            IterInner::Swiss { walker, .. } => d.field("walker", walker),
        };
        d.finish()
    }
}

impl<'a, K, V, S> Iterator for Iter<'a, K, V, S> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a V)> {
        match &mut self.inner {
            IterInner::Swiss { map, walker } => {
                let pos = walker.next(map)?;
                Some(map.entry(pos))
            }
            IterInner::Classic {
                table,
                hasher,
                walker,
            } => {
                let hasher = *hasher;
                let pos = walker.next(table, &|k: &K| hasher.hash(k))?;
                Some(table.entry(pos))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining(), Some(self.remaining()))
    }
}

impl<K, V, S> ExactSizeIterator for Iter<'_, K, V, S> {}
impl<K, V, S> FusedIterator for Iter<'_, K, V, S> {}

/// Iterator over `(&K, &mut V)`, from [`HashMap::iter_mut`].
pub struct IterMut<'a, K, V, S> {
    inner: IterMutInner<'a, K, V, S>,
    marker: PhantomData<&'a mut Repr<K, V>>,
}

/// A `&'a mut` map in disguise: raw pointers, so that the iterator can hand
/// out `&'a mut V` to distinct slots.
enum IterMutInner<'a, K, V, S> {
    Classic {
        table: *mut RawTable<K, V>,
        hasher: KeyHasher<'a, K, S>,
        walker: classic::Walker,
    },
    Swiss {
        map: *mut RawMap<K, V>,
        walker: swiss::Walker,
    },
}

// SAFETY: IterMut is a `&'a mut` map in disguise (raw pointers so that it
// can hand out `&'a mut V` to distinct slots), so it may cross threads
// exactly when `&mut RawTable<K, V>` / `&mut RawMap<K, V>` and `&S` may.
unsafe impl<K: Send, V: Send, S: Sync> Send for IterMut<'_, K, V, S> {}
// SAFETY: as above: `&IterMut` gives no access to the map at all.
unsafe impl<K: Sync, V: Sync, S: Sync> Sync for IterMut<'_, K, V, S> {}

impl<'a, K, V, S> IterMut<'a, K, V, S> {
    pub(crate) fn new(m: &'a mut HashMap<K, V, S>) -> Self
    where
        K: Hash,
        S: BuildHasher,
    {
        let inner = match &mut m.repr {
            Repr::Classic(t) => {
                let walker = classic::Walker::new(t);
                IterMutInner::Classic {
                    table: t,
                    hasher: KeyHasher::new(&m.hash_builder),
                    walker,
                }
            }
            Repr::Swiss(map) => {
                let walker = swiss::Walker::new(map);
                IterMutInner::Swiss { map, walker }
            }
        };
        IterMut {
            inner,
            marker: PhantomData,
        }
    }

    fn remaining(&self) -> usize {
        match &self.inner {
            IterMutInner::Classic { walker, .. } => walker.remaining(),
            IterMutInner::Swiss { walker, .. } => walker.remaining(),
        }
    }
}

impl<K, V, S> fmt::Debug for IterMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("IterMut");
        match &self.inner {
            IterMutInner::Classic { walker, .. } => d.field("walker", walker),
            IterMutInner::Swiss { walker, .. } => d.field("walker", walker),
        };
        d.finish()
    }
}

impl<'a, K, V, S> Iterator for IterMut<'a, K, V, S> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<(&'a K, &'a mut V)> {
        let (k, v) = match &mut self.inner {
            IterMutInner::Classic {
                table,
                hasher,
                walker,
            } => {
                let hasher = *hasher;
                // SAFETY: `table` came from a `&'a mut RawTable` that this
                // iterator holds for 'a; the shared reborrow here ends
                // before we make the pointers below, and no other reference
                // derived from it is live while we read (earlier items only
                // alias the slots they point to).
                let pos = walker.next(unsafe { &**table }, &|k: &K| hasher.hash(k))?;
                // SAFETY: as above, the table is exclusively ours for 'a.
                let table = unsafe { &mut **table };
                table.array_mut(pos.old).entry_ptrs(pos.idx, pos.slot)
            }
            IterMutInner::Swiss { map, walker } => {
                // SAFETY: as for the classic map, for a `&'a mut RawMap`.
                let pos = walker.next(unsafe { &**map })?;
                // SAFETY: as above.
                let map = unsafe { &mut **map };
                map.groups_mut(pos.table).entry_ptrs(pos.at)
            }
        };
        // SAFETY: the walk yields every full slot at most once and nothing
        // moves entries while the iterator borrows the map, so each `&mut V`
        // is to a distinct, live value that stays put for 'a.
        unsafe { Some((&*k, &mut *v)) }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining(), Some(self.remaining()))
    }
}

impl<K, V, S> ExactSizeIterator for IterMut<'_, K, V, S> {}
impl<K, V, S> FusedIterator for IterMut<'_, K, V, S> {}

/// Owning iterator over `(K, V)`, from `HashMap::into_iter`.
pub struct IntoIter<K, V> {
    inner: IntoIterInner<K, V>,
}

enum IntoIterInner<K, V> {
    Classic {
        table: RawTable<K, V>,
        walker: classic::Walker,
    },
    Swiss {
        map: RawMap<K, V>,
        walker: swiss::Walker,
    },
}

impl<K, V> IntoIter<K, V> {
    /// Walks a map (a classic one must not be growing).
    pub(crate) fn new(repr: Repr<K, V>) -> Self {
        let inner = match repr {
            Repr::Classic(table) => {
                assert!(!table.growing());
                let walker = classic::Walker::new(&table);
                IntoIterInner::Classic { table, walker }
            }
            Repr::Swiss(map) => {
                let walker = swiss::Walker::new(&map);
                IntoIterInner::Swiss { map, walker }
            }
        };
        IntoIter { inner }
    }

    fn remaining(&self) -> usize {
        match &self.inner {
            IntoIterInner::Classic { walker, .. } => walker.remaining(),
            IntoIterInner::Swiss { walker, .. } => walker.remaining(),
        }
    }
}

impl<K, V> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("IntoIter");
        match &self.inner {
            IntoIterInner::Classic { walker, .. } => d.field("walker", walker),
            IntoIterInner::Swiss { walker, .. } => d.field("walker", walker),
        };
        d.finish()
    }
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        match &mut self.inner {
            IntoIterInner::Classic { table, walker } => {
                let pos = walker.next(table, &classic::no_hash)?;
                let empty = table.st.empty_one;
                table.count -= 1;
                Some(table.array_mut(pos.old).take(pos.idx, pos.slot, empty))
            }
            IntoIterInner::Swiss { map, walker } => {
                let pos = walker.next(map)?;
                map.used -= 1;
                Some(map.groups_mut(pos.table).take(pos.at, CTRL_EMPTY))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining(), Some(self.remaining()))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

/// Draining iterator, from [`HashMap::drain`].
pub struct Drain<'a, K, V> {
    inner: IntoIter<K, V>,
    marker: PhantomData<&'a mut Repr<K, V>>,
}

impl<K, V> Drain<'_, K, V> {
    pub(crate) fn new(inner: IntoIter<K, V>) -> Self {
        Drain {
            inner,
            marker: PhantomData,
        }
    }
}

impl<K, V> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").field("inner", &self.inner).finish()
    }
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

/// Iterator over keys, from [`HashMap::keys`].
pub struct Keys<'a, K, V, S>(pub(crate) Iter<'a, K, V, S>);

impl<K, V, S> Clone for Keys<'_, K, V, S> {
    fn clone(&self) -> Self {
        Keys(self.0.clone())
    }
}

impl<K, V, S> fmt::Debug for Keys<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Keys").field(&self.0).finish()
    }
}

impl<'a, K, V, S> Iterator for Keys<'a, K, V, S> {
    type Item = &'a K;
    #[inline]
    fn next(&mut self) -> Option<&'a K> {
        self.0.next().map(|(k, _)| k)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V, S> ExactSizeIterator for Keys<'_, K, V, S> {}
impl<K, V, S> FusedIterator for Keys<'_, K, V, S> {}

/// Iterator over values, from [`HashMap::values`].
pub struct Values<'a, K, V, S>(pub(crate) Iter<'a, K, V, S>);

impl<K, V, S> Clone for Values<'_, K, V, S> {
    fn clone(&self) -> Self {
        Values(self.0.clone())
    }
}

impl<K, V, S> fmt::Debug for Values<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Values").field(&self.0).finish()
    }
}

impl<'a, K, V, S> Iterator for Values<'a, K, V, S> {
    type Item = &'a V;
    #[inline]
    fn next(&mut self) -> Option<&'a V> {
        self.0.next().map(|(_, v)| v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V, S> ExactSizeIterator for Values<'_, K, V, S> {}
impl<K, V, S> FusedIterator for Values<'_, K, V, S> {}

/// Iterator over mutable values, from [`HashMap::values_mut`].
pub struct ValuesMut<'a, K, V, S>(pub(crate) IterMut<'a, K, V, S>);

impl<K, V, S> fmt::Debug for ValuesMut<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ValuesMut").field(&self.0).finish()
    }
}

impl<'a, K, V, S> Iterator for ValuesMut<'a, K, V, S> {
    type Item = &'a mut V;
    #[inline]
    fn next(&mut self) -> Option<&'a mut V> {
        self.0.next().map(|(_, v)| v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V, S> ExactSizeIterator for ValuesMut<'_, K, V, S> {}
impl<K, V, S> FusedIterator for ValuesMut<'_, K, V, S> {}

/// Go's `for k, v := range m { ... }` whose body may write to `m`, from
/// [`HashMap::range`]: a cursor that holds no borrow of the map between
/// steps, so the loop body can insert and delete.
///
/// Go's guarantees hold: no entry is returned twice; an entry present for
/// the whole iteration is returned exactly once, with its latest value; a
/// deleted entry is not returned; an entry added meanwhile may or may not
/// be. On a swiss map this is Go 1.27's own mechanism — the iteration keeps
/// reading a table the map has grown or split away, and looks its keys up
/// in the map (see [`HashMap::range`]). On a classic map it walks a
/// snapshot of the keys taken in Go's iteration order when the range
/// began, looking each up (Go's classic iterator reads the evacuated old
/// buckets instead, which this crate does not keep).
///
/// ```
/// use gomap::{GoVersion, HashMap, RandomSeed};
/// let mut m: HashMap<u32, u32> = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_27);
/// m.extend((0..900).map(|k| (k, k)));
/// let (mut seen, mut range) = (0, m.range());
/// let mut added = 0;
/// while let Some((&k, &v)) = range.next(&m) {
///     seen += 1;
///     if k < 10_000 {
///         assert_eq!(k, v);
///         m.insert(k + 10_000, k); // the tables grow and split under the loop
///         added += 1;
///     } // else: an entry added meanwhile, which Go may or may not return
/// }
/// assert_eq!((added, m.len()), (900, 1800)); // every old key once
/// ```
pub struct Range<K, V> {
    inner: RangeInner<K, V>,
}

enum RangeInner<K, V> {
    Classic(std::vec::IntoIter<K>),
    Swiss(swiss::Cursor<K, V>),
}

impl<K, V> fmt::Debug for Range<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            RangeInner::Classic(keys) => format!("classic, {} keys to go", keys.len()),
            RangeInner::Swiss(_) => "swiss".to_owned(),
        };
        f.debug_tuple("Range").field(&kind).finish()
    }
}

impl<K, V> Range<K, V> {
    pub(crate) fn new<S>(m: &HashMap<K, V, S>) -> Self
    where
        K: Clone + Hash,
        S: BuildHasher,
    {
        let inner = match &m.repr {
            Repr::Classic(_) => RangeInner::Classic(
                m.iter()
                    .map(|(k, _)| k.clone())
                    .collect::<Vec<K>>()
                    .into_iter(),
            ),
            Repr::Swiss(raw) => RangeInner::Swiss(swiss::Cursor::new(raw, K::clone)),
        };
        Range { inner }
    }

    /// The next entry of the map the range was made from, as it holds it
    /// now (Go's `mapiternext`/`Iter.Next`).
    ///
    /// # Panics
    /// If `m` is not the map the range was made from (a swiss map checks).
    pub fn next<'m, S>(&mut self, m: &'m HashMap<K, V, S>) -> Option<(&'m K, &'m V)>
    where
        K: Eq + Hash,
        S: BuildHasher,
    {
        match &mut self.inner {
            RangeInner::Classic(keys) => keys.by_ref().find_map(|k| m.get_key_value(&k)),
            RangeInner::Swiss(cursor) => {
                let Repr::Swiss(raw) = &m.repr else {
                    panic!("gomap: a Range stepped with a map it does not iterate");
                };
                let hb = &m.hash_builder;
                let pos = cursor.next(raw, |key| {
                    raw.find(seeded_hash(hb, raw.seed, key), |k| k == key)
                })?;
                Some(raw.entry(pos))
            }
        }
    }
}

impl<K: Clone + Hash, V, S: BuildHasher> HashMap<K, V, S> {
    /// `for k, v := range m` for a loop whose body writes to `m`: a
    /// [`Range`] cursor that borrows the map only during each step.
    ///
    /// On a swiss map this models Go 1.27's iterator exactly: a random
    /// start in the directory and in the slots, each table's slots in
    /// rotated order, and when a write grows or splits the table being
    /// read, the iteration keeps reading the old table and looks each key
    /// up in the map (the map leaves a clone of each key in a table it
    /// replaces while a `Range` reads it: hence `K: Clone`).
    pub fn range(&self) -> Range<K, V> {
        Range::new(self)
    }
}
