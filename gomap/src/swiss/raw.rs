//! The swiss map: Go 1.27 `internal/runtime/maps/map.go`'s `Map` — the
//! small map, the extendible-hash directory of tables and the seed —
//! with `NewMap`, `getWithKey`, `PutSlot`, `putSlotSmall`, `growToSmall`,
//! `growToTable`, `Delete`, `deleteSmall`, `Clear`, `replaceTable`,
//! `installTableSplit` and `rehash`, generic over the key and value and
//! told the hash by its caller.
//!
//! 1. A map made with a hint of at most 8 allocates nothing; its first
//!    insert allocates one group, the **small map** (`dirLen == 0`), which
//!    holds up to 8 entries with no probing and no tombstones.
//! 2. The 9th key turns it into a **table** of 16 slots under a directory
//!    of one entry (`growToTable`).
//! 3. The directory has `2^globalDepth` entries, picked by the hash's top
//!    bits; a table of local depth `d` is the target of `2^(globalDepth−d)`
//!    consecutive entries, starting at its `index`.
//! 4. A full table of under 1 024 slots is replaced by one twice its size
//!    (`grow`); a full table of 1 024 splits into two, one bit deeper, and
//!    when that bit is past `globalDepth` the directory doubles first
//!    (`installTableSplit`). Growth is per table and all at once: there is
//!    no incremental evacuation.
//! 5. The seed is drawn at `make`, again when a delete removes the last
//!    entry and again on `clear` (go.dev/issue/25237), so keys that
//!    collided before collide no longer.
//!
//! Here the directory holds table numbers, indices into `tables` (Go's
//! holds table pointers): a grown table replaces its predecessor in place,
//! so only a split touches the directory.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::group::CTRL_EMPTY;
use crate::shape::GroupShape;
use crate::swiss::groups::{GroupArray, SlotRef};
use crate::swiss::table::{MAX_AVG_GROUP_LOAD, MAX_TABLE_CAPACITY, PutSlot, Table, h2};
use crate::version::{BUCKET_CNT, GoVersion};

/// `maxAlloc` of linux/amd64 (`runtime/malloc.go`): `NewMap` gives an empty
/// map for a hint whose tables would pass it.
const MAX_ALLOC: u128 = 1 << 48;

/// Where an entry sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    /// The table (`None`: the small map's group).
    pub(crate) table: Option<usize>,
    /// Group and slot.
    pub(crate) at: SlotRef,
}

/// Go's `Map`.
pub(crate) struct RawMap<K, V> {
    /// `used`: entries in all tables (or in the small group).
    pub(crate) used: usize,
    /// `seed`: mixed into every hash (see `crate::swiss::hash`).
    pub(crate) seed: u64,
    /// Seeds drawn so far: the next one is derived from this count.
    pub(crate) seeds_drawn: u64,
    /// The small map's group (`dirPtr` while `dirLen == 0`; `None` before
    /// the first insert, Go's nil `dirPtr`).
    pub(crate) small: Option<GroupArray<K, V>>,
    /// The directory (`dirLen` entries): table numbers.
    pub(crate) dir: Vec<u32>,
    /// The tables the directory names, in the order they were made.
    pub(crate) tables: Vec<Table<K, V>>,
    /// `globalDepth`.
    pub(crate) global_depth: u8,
    /// `tombstonePossible` (Go 1.25+): false when no table can hold one.
    pub(crate) tombstone_possible: bool,
    /// `clearSeq`: how many times the map was cleared.
    pub(crate) clear_seq: u64,
    /// The release whose rules apply.
    pub(crate) version: GoVersion,
    /// Tells maps apart, for iterations that outlive a borrow.
    pub(crate) id: u64,
}

/// A fresh map identity.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// How `NewMap` lays out `make(map[K]V, hint)`: `(directory entries, slots
/// per table)`, or `None` when it allocates nothing (a hint of at most 8,
/// or one too large to honour). `group_size` is `GroupSize`.
pub(crate) fn make_layout(hint: usize, group_size: usize) -> Option<(usize, usize)> {
    if hint <= BUCKET_CNT {
        // A small map can fill all 8 slots, and an 8-slot group is what the
        // first assignment allocates anyway: allocate nothing yet.
        return None;
    }
    // Set initial capacity to hold hint entries without growing in the
    // average case (Go's uintptr arithmetic: an overflow gives an empty map).
    let target = hint.wrapping_mul(BUCKET_CNT) / MAX_AVG_GROUP_LOAD;
    if target < hint {
        return None;
    }
    let dir_size =
        (target as u64).wrapping_add(MAX_TABLE_CAPACITY as u64 - 1) / MAX_TABLE_CAPACITY as u64;
    let dir_size = dir_size.checked_next_power_of_two()?;
    let dir_size = usize::try_from(dir_size).ok()?;
    // Reject hints that are obviously too large.
    let slots = dir_size.checked_mul(MAX_TABLE_CAPACITY)?;
    let bytes = slots.checked_mul(group_size)?;
    if bytes as u128 > MAX_ALLOC {
        return None;
    }
    Some((dir_size, target / dir_size))
}

impl<K, V> RawMap<K, V> {
    /// `NewMap(hint)` with the given first seed.
    pub(crate) fn with_hint(hint: usize, version: GoVersion, seed: u64) -> Self {
        let mut m = RawMap {
            used: 0,
            seed,
            seeds_drawn: 1,
            small: None,
            dir: Vec::new(),
            tables: Vec::new(),
            global_depth: 0,
            tombstone_possible: false,
            clear_seq: 0,
            version,
            id: next_id(),
        };
        if let Some((dir_size, capacity)) = make_layout(hint, GroupShape::<K, V>::SIZE) {
            m.global_depth = dir_size.trailing_zeros() as u8;
            for i in 0..dir_size {
                m.tables.push(Table::new(capacity, i, m.global_depth));
                m.dir.push(i as u32);
            }
        }
        m
    }

    /// `dirLen`.
    #[inline]
    pub(crate) fn dir_len(&self) -> usize {
        self.dir.len()
    }

    /// `directoryIndex(hash)`: the top `globalDepth` bits.
    #[inline]
    pub(crate) fn directory_index(&self, hash: u64) -> usize {
        if self.dir.len() == 1 {
            return 0;
        }
        (hash >> ((64 - u32::from(self.global_depth)) & 63)) as usize
    }

    /// The number of the table `hash` belongs to.
    #[inline]
    pub(crate) fn table_for(&self, hash: u64) -> usize {
        self.dir[self.directory_index(hash)] as usize
    }

    /// The group array a position refers to.
    #[inline]
    pub(crate) fn groups(&self, table: Option<usize>) -> &GroupArray<K, V> {
        match table {
            Some(t) => &self.tables[t].groups,
            None => self.small.as_ref().expect("a small map"),
        }
    }

    #[inline]
    pub(crate) fn groups_mut(&mut self, table: Option<usize>) -> &mut GroupArray<K, V> {
        match table {
            Some(t) => &mut self.tables[t].groups,
            None => self.small.as_mut().expect("a small map"),
        }
    }

    /// The entry at a position.
    #[inline]
    pub(crate) fn entry(&self, pos: Pos) -> (&K, &V) {
        self.groups(pos.table).entry(pos.at)
    }

    /// The entry at a position, value mutable.
    #[inline]
    pub(crate) fn entry_mut(&mut self, pos: Pos) -> (&K, &mut V) {
        self.groups_mut(pos.table).entry_mut(pos.at)
    }

    /// `getWithKey`/`getWithKeySmall`: where the key `eq` accepts is.
    #[inline]
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<Pos> {
        if self.used == 0 {
            return None;
        }
        if self.dir.is_empty() {
            // A single group: no probing, no empty-slot test.
            let small = self.small.as_ref()?;
            let (hit, _) = small.find_in_group(0, h2(hash), &mut eq);
            return hit.map(|i| Pos {
                table: None,
                at: (0, i),
            });
        }
        let t = self.table_for(hash);
        let at = self.tables[t].find(hash, eq)?;
        Some(Pos { table: Some(t), at })
    }

    /// [`find`](Self::find) returning the entry (the lookup fast path).
    #[inline(always)]
    pub(crate) fn find_entry(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        if self.used == 0 {
            return None;
        }
        if self.dir.is_empty() {
            let small = self.small.as_ref()?;
            return small.find_entry_in_group(0, h2(hash), &mut eq).0;
        }
        self.tables[self.table_for(hash)].find_entry(hash, eq)
    }

    /// `growToSmall`: the first insert's group.
    fn grow_to_small(&mut self) {
        self.small = Some(GroupArray::new(1));
    }

    /// `growToTable`: the small map's entries move, in slot order, into a
    /// table of 16 slots under a directory of one entry. Every key is
    /// hashed first, so a `Hash` that panics leaves the small map as it
    /// was.
    pub(crate) fn grow_to_table<H: Fn(&K) -> u64>(&mut self, hasher: &H) {
        let small = self.small.as_ref().expect("a small map");
        let mut hashes = [(0usize, 0u64); BUCKET_CNT];
        let mut n = 0;
        let key_clone = small.pinned_key_clone();
        let mut kept = Vec::new();
        let mut full = small.ctrl(0).match_full();
        while !full.is_empty() {
            let i = full.pop_first();
            let key = small.key((0, i));
            hashes[n] = (i, hasher(key));
            n += 1;
            if let Some(clone) = key_clone {
                kept.push(((0, i), clone(key)));
            }
        }
        let mut tab = Table::new(2 * BUCKET_CNT, 0, 0);
        let small = self.small.take().expect("a small map");
        for &(i, hash) in &hashes[..n] {
            tab.unchecked_move_in(&small, (0, i), hash);
        }
        small.retire(kept);
        tracing::debug!(
            used = self.used,
            capacity = usize::from(tab.capacity),
            release = %self.version,
            "gomap: small map became a table"
        );
        self.tables = vec![tab];
        self.dir = vec![0];
        self.global_depth = 0;
    }

    /// `PutSlot` for a new or present key, ending with `fill`: returns where
    /// the entry is now and the value it replaced. `eq(stored, new)`.
    pub(crate) fn insert<H: Fn(&K) -> u64>(
        &mut self,
        hash: u64,
        key: K,
        val: V,
        hasher: &H,
        eq: impl Fn(&K, &K) -> bool,
    ) -> (Pos, Option<V>) {
        if self.dir.is_empty() {
            if self.small.is_none() {
                self.grow_to_small();
            }
            if !(self.version.small_update_grows() && self.used >= BUCKET_CNT) {
                match self.put_slot_small(hash, |k| eq(k, &key)) {
                    Ok(at) => {
                        let small = self.small.as_mut().expect("a small map");
                        let pos = Pos { table: None, at };
                        if small.is_full(at) {
                            let old = std::mem::replace(small.entry_mut(at).1, val);
                            return (pos, Some(old));
                        }
                        small.write(at, h2(hash), key, val);
                        self.used += 1;
                        return (pos, None);
                    }
                    Err(()) if self.version.small_update_grows() => unreachable!("room checked"),
                    Err(()) => {
                        // Can't fit another entry (and the key is not
                        // there): grow to a full-size map, where it goes
                        // without another search (Go 1.27).
                        self.grow_to_table(hasher);
                        let at = self.tables[0].unchecked_put(hash, key, val);
                        self.used += 1;
                        return (Pos { table: Some(0), at }, None);
                    }
                }
            }
            // Go 1.24–1.26: a full small map grows on any assignment.
            self.grow_to_table(hasher);
        }
        loop {
            let t = self.table_for(hash);
            match self.tables[t].put_slot(hash, |k| eq(k, &key), self.version, hasher) {
                PutSlot::Found(at) => {
                    let old = std::mem::replace(self.tables[t].groups.entry_mut(at).1, val);
                    return (Pos { table: Some(t), at }, Some(old));
                }
                PutSlot::Vacant { at, tombstone } => {
                    self.tables[t].fill(at, tombstone, hash, key, val);
                    self.used += 1;
                    return (Pos { table: Some(t), at }, None);
                }
                PutSlot::Full => self.rehash(t, hasher),
            }
        }
    }

    /// `putSlotSmall`'s search: the key's slot, else the first empty one,
    /// else `Err` (the group is full). Small maps never have tombstones.
    fn put_slot_small(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Result<SlotRef, ()> {
        let small = self.small.as_ref().expect("a small map");
        let (hit, ctrl) = small.find_in_group(0, h2(hash), &mut eq);
        if let Some(i) = hit {
            return Ok((0, i));
        }
        ctrl.match_empty_or_deleted()
            .first()
            .map(|i| (0, i))
            .ok_or(())
    }

    /// `rehash`: replaces table `t` by one twice its size, or splits it.
    /// Every key is hashed (and, for a pinning iteration, cloned) before
    /// anything moves.
    pub(crate) fn rehash<H: Fn(&K) -> u64>(&mut self, t: usize, hasher: &H) {
        let old = &self.tables[t];
        let moving = old.prepare_move(hasher);
        let capacity = 2 * usize::from(old.capacity);
        let (index, local_depth, used) = (old.index, old.local_depth, old.used);
        if capacity <= MAX_TABLE_CAPACITY {
            let grown = old.grow(&moving.slots, capacity);
            // The entries are the new table's now: the old one lets go of
            // them at once.
            let old = std::mem::replace(&mut self.tables[t], grown);
            old.groups.retire(moving.kept);
            tracing::debug!(
                index,
                local_depth,
                global_depth = self.global_depth,
                used,
                old_capacity = capacity / 2,
                new_capacity = capacity,
                release = %self.version,
                "gomap: table grew"
            );
            return;
        }
        let (left, right) = old.split(&moving.slots);
        let (left_used, right_used) = (left.used, right.used);
        let old = std::mem::replace(&mut self.tables[t], left);
        old.groups.retire(moving.kept);
        self.install_table_split(t, index, local_depth, right);
        // The halves' indices as installed: a directory that doubled for
        // this split has moved every index.
        let right_index = self.tables.last().expect("the right half").index;
        tracing::debug!(
            left_index = self.tables[t].index,
            right_index,
            local_depth = local_depth + 1,
            global_depth = self.global_depth,
            old_capacity = capacity / 2,
            left_used,
            right_used,
            release = %self.version,
            "gomap: table split"
        );
    }

    /// `installTableSplit`: puts the two halves of a table split at
    /// directory entry `index` (local depth `old_depth`) into the
    /// directory — the left half already in `tables[t]`, the right one
    /// given — doubling the directory first when the split goes deeper
    /// than `globalDepth`.
    fn install_table_split(
        &mut self,
        t: usize,
        index: usize,
        old_depth: u8,
        mut right: Table<K, V>,
    ) {
        let mut index = index;
        if old_depth == self.global_depth {
            // No room for another level in the directory: grow it. Each
            // entry becomes two, so every table's first entry doubles.
            let old_len = self.dir.len();
            self.dir = self.dir.iter().flat_map(|&e| [e, e]).collect();
            for tab in &mut self.tables {
                tab.index *= 2;
            }
            index *= 2;
            self.global_depth += 1;
            tracing::debug!(
                old_len,
                new_len = self.dir.len(),
                global_depth = self.global_depth,
                release = %self.version,
                "gomap: directory doubled"
            );
        }
        // Left and right may still span several entries if the directory
        // has grown more than once since this table last split.
        let entries = 1usize << (self.global_depth - right.local_depth);
        self.tables[t].index = index;
        right.index = index + entries;
        let r = self.tables.len();
        self.dir[index..index + entries].fill(t as u32);
        self.dir[index + entries..index + 2 * entries].fill(r as u32);
        self.tables.push(right);
    }

    /// `Delete`/`deleteSmall`: removes the entry `eq` accepts. A delete
    /// that removes the last entry draws a new seed (`next_seed`).
    pub(crate) fn remove(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        next_seed: impl FnOnce(u64) -> u64,
    ) -> Option<(K, V)> {
        let pos = self.find(hash, eq)?;
        Some(self.remove_at(pos, next_seed))
    }

    /// The deleting half of `Delete`: a small map's slot becomes empty (one
    /// group needs no tombstones); a table decides between empty and
    /// tombstone.
    pub(crate) fn remove_at(&mut self, pos: Pos, next_seed: impl FnOnce(u64) -> u64) -> (K, V) {
        let kv = match pos.table {
            None => {
                let small = self.small.as_mut().expect("a small map");
                small.take(pos.at, CTRL_EMPTY)
            }
            Some(t) => {
                let (kv, tombstone) = self.tables[t].remove_at(pos.at);
                self.tombstone_possible |= tombstone;
                kv
            }
        };
        self.used -= 1;
        if self.used == 0 {
            // Reset the hash seed to make it more difficult for attackers
            // to repeatedly trigger hash collisions (go.dev/issue/25237).
            self.reseed(next_seed);
        }
        kv
    }

    /// Draws the next seed.
    pub(crate) fn reseed(&mut self, next_seed: impl FnOnce(u64) -> u64) {
        self.seed = next_seed(self.seeds_drawn);
        self.seeds_drawn += 1;
    }

    /// `Clear`: drops every entry (and tombstone), keeps the directory and
    /// the tables' capacities, draws a new seed. Go 1.24 leaves a map with
    /// no entries alone; 1.25+ clears one that may hold tombstones.
    pub(crate) fn clear(&mut self, next_seed: impl FnOnce(u64) -> u64) {
        let keeps = self.version.clear_keeps_tombstones();
        if self.used == 0 && (keeps || !self.tombstone_possible) {
            return;
        }
        match &mut self.small {
            Some(small) if self.dir.is_empty() => {
                small.clear();
                if !keeps {
                    self.clear_seq += 1;
                }
            }
            _ => {
                for t in &mut self.tables {
                    t.clear(self.version);
                }
                self.tombstone_possible = false;
                self.clear_seq += 1;
            }
        }
        self.used = 0;
        self.reseed(next_seed);
    }

    /// For `drain`: a map holding every entry, this one left as
    /// [`clear`](Self::clear) leaves it (same directory and capacities,
    /// empty, a new seed).
    pub(crate) fn take_all(&mut self, next_seed: impl FnOnce(u64) -> u64) -> RawMap<K, V> {
        if self.used == 0 {
            self.clear(next_seed);
            return RawMap::with_hint(0, self.version, 0);
        }
        let fresh = RawMap {
            used: 0,
            seed: self.seed,
            seeds_drawn: self.seeds_drawn,
            small: self.small.as_ref().map(|_| GroupArray::new(1)),
            dir: self.dir.clone(),
            tables: self
                .tables
                .iter()
                .map(|t| Table::new(usize::from(t.capacity), t.index, t.local_depth))
                .collect(),
            global_depth: self.global_depth,
            tombstone_possible: false,
            clear_seq: self.clear_seq,
            version: self.version,
            id: self.id,
        };
        let mut taken = std::mem::replace(self, fresh);
        taken.id = next_id();
        // Go 1.24 counts only a table map's clears.
        if !(self.dir.is_empty() && self.version.clear_keeps_tombstones()) {
            self.clear_seq += 1;
        }
        self.reseed(next_seed);
        taken
    }

    /// The tables, in directory order (each once); for introspection.
    pub(crate) fn tables_in_dir_order(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(self.tables.len());
        let mut i = 0;
        while i < self.dir.len() {
            let t = self.dir[i] as usize;
            out.push(t);
            i += 1usize << (self.global_depth - self.tables[t].local_depth);
        }
        out
    }

    /// An exact copy: same seed, directory, tables and control bytes
    /// (`Clone`).
    pub(crate) fn clone_map(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        RawMap {
            used: self.used,
            seed: self.seed,
            seeds_drawn: self.seeds_drawn,
            small: self.small.as_ref().map(GroupArray::clone_array),
            dir: self.dir.clone(),
            tables: self.tables.iter().map(Table::clone_table).collect(),
            global_depth: self.global_depth,
            tombstone_possible: self.tombstone_possible,
            clear_seq: self.clear_seq,
            version: self.version,
            id: next_id(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_layout_is_go_s() {
        // map[int64]int64: GroupSize 136.
        assert_eq!(make_layout(8, 136), None);
        assert_eq!(make_layout(9, 136), Some((1, 10)));
        assert_eq!(make_layout(896, 136), Some((1, 1024)));
        // 897 * 8 / 7 = 1025 slots wanted: two tables of 512 each.
        assert_eq!(make_layout(897, 136), Some((2, 512)));
        assert_eq!(make_layout(2000, 136), Some((4, 571)));
        assert_eq!(make_layout(usize::MAX, 136), None);
        assert_eq!(make_layout(1 << 62, 136), None);
    }
}
