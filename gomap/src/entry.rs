//! The entry API over either map: [`HashMap::entry`] does the first half of
//! Go's `mapassign` (the growth work it does before it looks for the key,
//! and the lookup), an [`Entry`] the rest, so `*m.entry(k).or_insert(0) +=
//! 1` is Go's `m[k]++`.

use std::fmt;
use std::hash::{BuildHasher, Hash};

use crate::map::{AnyPos, HashMap, Repr};
use crate::swiss::{nth_seed, seeded_hash};

/// A view into one entry, from [`HashMap::entry`].
pub enum Entry<'a, K, V, S> {
    /// The key is in the map.
    Occupied(OccupiedEntry<'a, K, V, S>),
    /// The key is not in the map.
    Vacant(VacantEntry<'a, K, V, S>),
}

/// An entry whose key is present.
pub struct OccupiedEntry<'a, K, V, S> {
    pub(crate) map: &'a mut HashMap<K, V, S>,
    pub(crate) pos: AnyPos,
}

/// An entry whose key is absent.
pub struct VacantEntry<'a, K, V, S> {
    pub(crate) map: &'a mut HashMap<K, V, S>,
    /// The key's hash (with the map's seed, for a swiss map).
    pub(crate) hash: u64,
    pub(crate) key: K,
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for Entry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => {
                let (k, v) = o.map.repr.entry(o.pos);
                f.debug_tuple("Occupied").field(k).field(v).finish()
            }
            Entry::Vacant(v) => f.debug_tuple("Vacant").field(&v.key).finish(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for OccupiedEntry<'_, K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (k, v) = self.map.repr.entry(self.pos);
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
        self.map.repr.entry(self.pos).0
    }

    /// The value.
    pub fn get(&self) -> &V {
        self.map.repr.entry(self.pos).1
    }

    /// The value, mutable.
    pub fn get_mut(&mut self) -> &mut V {
        self.map.repr.entry_mut(self.pos).1
    }

    /// The value, mutable, for the map's borrow.
    pub fn into_mut(self) -> &'a mut V {
        self.map.repr.entry_mut(self.pos).1
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, value: V) -> V {
        std::mem::replace(self.get_mut(), value)
    }

    /// `delete(m, k)` on this entry. The growth work `mapdelete` would do
    /// was done by [`HashMap::entry`]; a swiss map that loses its last entry
    /// draws a new seed.
    pub fn remove_entry(self) -> (K, V) {
        let hb = &self.map.hash_builder;
        match (&mut self.map.repr, self.pos) {
            (Repr::Classic(t), AnyPos::Classic(p)) => t.remove_at(p),
            (Repr::Swiss(m), AnyPos::Swiss(p)) => m.remove_at(p, |n| nth_seed(hb, n)),
            _ => unreachable!("a position of the other map"),
        }
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
    /// began (a classic growth this insert starts gets its first step
    /// here, as Go's `goto again` does; a swiss table out of room grows or
    /// splits here), and a reference to the stored value.
    pub fn insert(self, value: V) -> &'a mut V {
        let VacantEntry { map, hash, key } = self;
        let hb = &map.hash_builder;
        // The key is absent (we just looked), so no stored key can equal it.
        let pos = match &mut map.repr {
            Repr::Classic(t) => {
                let hasher = |k: &K| hb.hash_one(k);
                let (pos, old) = t.assign(hash, key, value, &hasher, |_, _| false);
                debug_assert!(old.is_none());
                AnyPos::Classic(pos)
            }
            Repr::Swiss(m) => {
                let seed = m.seed;
                let hasher = |k: &K| seeded_hash(hb, seed, k);
                let (pos, old) = m.insert(hash, key, value, &hasher, |_, _| false);
                debug_assert!(old.is_none());
                AnyPos::Swiss(pos)
            }
        };
        map.repr.entry_mut(pos).1
    }
}
