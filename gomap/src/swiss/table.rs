//! One swiss table: Go 1.27 `internal/runtime/maps/table.go` — `newTable`,
//! `maxGrowthLeft`, `getWithKey`, `PutSlot`, `uncheckedPutSlot`, `Delete`,
//! `pruneTombstones`, `tombstones`, `Clear`, `grow`, `split` and
//! `probeSeq` — generic over the key and value and told the hash by its
//! caller. The directory above it (`Map`) is `raw.rs`.
//!
//! 1. A key's hash splits into H1 (the upper 57 bits) and H2 (the low 7).
//!    H1 picks the group a probe starts at; H2 is what a full slot's
//!    control byte holds, so one word operation finds the candidates among
//!    a group's eight slots.
//! 2. Probing visits groups `h1, h1+1, h1+1+2, …` (triangular numbers,
//!    mod the group count, a power of two: every group once) and stops at
//!    the first group with an empty slot — so a table always keeps one.
//! 3. A delete from a group that has an empty slot empties the slot; from a
//!    full group it leaves a tombstone (`ctrlDeleted`), since a probe may
//!    need to walk past. Inserts reuse the first tombstone of their probe.
//! 4. `growthLeft` counts the slots that may still be filled before the
//!    table must grow: 7/8 of the capacity (capacity − 1 for a one-group
//!    table), less entries and tombstones. An insert that finds none left
//!    first prunes tombstones no probe needs (Go 1.25+), then rehashes.
//! 5. Rehashing replaces the table: by one of twice the capacity up to
//!    1 024 slots, beyond that by two tables of 1 024 that split its hash
//!    range at the next directory bit.

use crate::group::{CTRL_DELETED, CTRL_EMPTY};
use crate::swiss::groups::{GroupArray, SlotRef};
use crate::version::{BUCKET_CNT, GoVersion};

/// `maxTableCapacity`: a table never has more slots; past it, it splits.
pub(crate) const MAX_TABLE_CAPACITY: usize = 1024;
/// `maxAvgGroupLoad`: the load factor is 7/8.
pub(crate) const MAX_AVG_GROUP_LOAD: usize = 7;

/// `h1`: the upper 57 bits of a hash, where probing starts.
#[inline]
pub(crate) fn h1(hash: u64) -> u64 {
    hash >> 7
}

/// `h2`: the low 7 bits of a hash, a full slot's control byte.
#[inline]
pub(crate) fn h2(hash: u64) -> u8 {
    (hash & 0x7f) as u8
}

/// `probeSeq`: the groups a probe for one hash visits, in order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProbeSeq {
    mask: usize,
    /// The group to look at now.
    pub(crate) offset: usize,
    index: usize,
}

impl ProbeSeq {
    /// `makeProbeSeq(h1(hash), mask)`.
    #[inline]
    pub(crate) fn new(hash: u64, mask: usize) -> Self {
        ProbeSeq {
            mask,
            offset: h1(hash) as usize & mask,
            index: 0,
        }
    }

    /// `next`: `p(i) = h1 + (i² + i)/2 (mod groups)`.
    #[inline]
    pub(crate) fn next(&mut self) {
        self.index += 1;
        self.offset = (self.offset + self.index) & self.mask;
    }
}

/// Where an insert goes, as `PutSlot` decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PutSlot {
    /// The key is there, in this slot.
    Found(SlotRef),
    /// The key is absent and goes here; `tombstone` when the slot is the
    /// first tombstone of the probe (which costs no `growthLeft`).
    Vacant { at: SlotRef, tombstone: bool },
    /// The key is absent and the table has no room: it must be rehashed.
    Full,
}

/// Go's `table`.
pub(crate) struct Table<K, V> {
    /// `used`: full slots.
    pub(crate) used: u16,
    /// `capacity`: slots, a power of two, 8 to 1 024.
    pub(crate) capacity: u16,
    /// `growthLeft`: slots that may still be filled before a rehash.
    pub(crate) growth_left: u16,
    /// `localDepth`: the directory bits above this table.
    pub(crate) local_depth: u8,
    /// `index`: the first directory entry that points here.
    pub(crate) index: usize,
    /// `groups`.
    pub(crate) groups: GroupArray<K, V>,
}

impl<K, V> Table<K, V> {
    /// `newTable(capacity, index, localDepth)`: at least one group, rounded
    /// up to a power of two.
    pub(crate) fn new(capacity: usize, index: usize, local_depth: u8) -> Self {
        let capacity = capacity.max(BUCKET_CNT);
        assert!(
            capacity <= MAX_TABLE_CAPACITY,
            "initial table capacity too large"
        );
        let capacity = capacity.next_power_of_two();
        let mut t = Table {
            used: 0,
            capacity: capacity as u16,
            growth_left: 0,
            local_depth,
            index,
            groups: GroupArray::new(capacity / BUCKET_CNT),
        };
        t.growth_left = t.max_growth_left();
        t
    }

    /// `maxGrowthLeft`: how many slots an empty table may fill. A
    /// one-group table keeps one slot empty to end every probe (Go leaves
    /// the special case open: go.dev/issue/54766); larger ones fill 7/8.
    pub(crate) fn max_growth_left(&self) -> u16 {
        let capacity = usize::from(self.capacity);
        if capacity <= BUCKET_CNT {
            self.capacity - 1
        } else {
            (capacity * MAX_AVG_GROUP_LOAD / BUCKET_CNT) as u16
        }
    }

    /// `tombstones`: slots that are deleted but still count against growth.
    pub(crate) fn tombstones(&self) -> u16 {
        let max = (usize::from(self.capacity) * MAX_AVG_GROUP_LOAD / BUCKET_CNT) as u16;
        max - self.used - self.growth_left
    }

    /// `getWithKey`: the slot holding the key `eq` accepts.
    #[inline]
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<SlotRef> {
        let mut seq = ProbeSeq::new(hash, self.groups.mask());
        let h2 = h2(hash);
        loop {
            let (hit, ctrl) = self.groups.find_in_group(seq.offset, h2, &mut eq);
            if let Some(i) = hit {
                return Some((seq.offset, i));
            }
            if !ctrl.match_empty().is_empty() {
                // Finding an empty slot means we've reached the end of the
                // probe sequence.
                return None;
            }
            seq.next();
        }
    }

    /// [`find`](Self::find) returning the entry itself (the lookup path).
    #[inline(always)]
    pub(crate) fn find_entry(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        let mut seq = ProbeSeq::new(hash, self.groups.mask());
        let h2 = h2(hash);
        loop {
            let (hit, ctrl) = self.groups.find_entry_in_group(seq.offset, h2, &mut eq);
            if hit.is_some() {
                return hit;
            }
            if !ctrl.match_empty().is_empty() {
                return None;
            }
            seq.next();
        }
    }

    /// `PutSlot`'s search: the key's slot if it is there, else where it
    /// would go. As in Go, a table out of growth room first prunes its
    /// tombstones (Go 1.25+; this hashes every key, with `hasher`) before
    /// it asks for a rehash. Nothing else changes: the insert is
    /// [`fill`](Self::fill).
    #[inline]
    pub(crate) fn put_slot<H: Fn(&K) -> u64>(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        version: GoVersion,
        hasher: &H,
    ) -> PutSlot {
        let mut seq = ProbeSeq::new(hash, self.groups.mask());
        // As we look for a match, keep track of the first deleted slot we
        // find, which we'll use to insert the new entry if necessary.
        let mut first_deleted: Option<SlotRef> = None;
        let h2 = h2(hash);
        loop {
            let (hit, ctrl) = self.groups.find_in_group(seq.offset, h2, &mut eq);
            if let Some(i) = hit {
                return PutSlot::Found((seq.offset, i));
            }
            // No existing slot for this key in this group. Is this the end
            // of the probe sequence?
            let free = ctrl.match_empty_or_deleted();
            if free.is_empty() {
                seq.next();
                continue; // nothing but filled slots. Keep probing.
            }
            let i = free.first().expect("a free slot");
            if ctrl.get(i) == CTRL_DELETED {
                // Remember the first deleted slot, and keep probing.
                first_deleted.get_or_insert((seq.offset, i));
                seq.next();
                continue;
            }
            // We've found an empty slot: the end of the probe sequence. A
            // deleted slot found on the way is reused without consuming
            // growthLeft.
            if let Some(at) = first_deleted {
                return PutSlot::Vacant {
                    at,
                    tombstone: true,
                };
            }
            if self.growth_left == 0 && version.prunes_tombstones() {
                self.prune_tombstones(hasher, version);
            }
            return if self.growth_left > 0 {
                PutSlot::Vacant {
                    at: (seq.offset, i),
                    tombstone: false,
                }
            } else {
                PutSlot::Full
            };
        }
    }

    /// The insert that follows a [`PutSlot::Vacant`] answer.
    #[inline]
    pub(crate) fn fill(&mut self, at: SlotRef, tombstone: bool, hash: u64, key: K, val: V) {
        if !tombstone {
            self.growth_left -= 1;
        }
        self.groups.write(at, h2(hash), key, val);
        self.used += 1;
    }

    /// `uncheckedPutSlot`'s search: the first slot that is not full on the
    /// key's probe sequence, for a key known to be absent in a table with
    /// growth room.
    fn first_free(&self, hash: u64) -> SlotRef {
        assert!(
            self.growth_left > 0,
            "invariant failed: growthLeft is unexpectedly 0"
        );
        let mut seq = ProbeSeq::new(hash, self.groups.mask());
        loop {
            if let Some(i) = self
                .groups
                .ctrl(seq.offset)
                .match_empty_or_deleted()
                .first()
            {
                return (seq.offset, i);
            }
            seq.next();
        }
    }

    /// `uncheckedPutSlot` for a new key of a map (`uncheckedPutSlotForAssign`).
    pub(crate) fn unchecked_put(&mut self, hash: u64, key: K, val: V) -> SlotRef {
        let at = self.first_free(hash);
        self.growth_left -= 1;
        self.groups.write(at, h2(hash), key, val);
        self.used += 1;
        at
    }

    /// `uncheckedPutSlot` of an entry moving in from `src` (grow, split, a
    /// small map becoming a table): its bytes move as they are.
    pub(crate) fn unchecked_move_in(&mut self, src: &GroupArray<K, V>, from: SlotRef, hash: u64) {
        let at = self.first_free(hash);
        self.growth_left -= 1;
        src.move_to(from, &mut self.groups, at, h2(hash));
        self.used += 1;
    }

    /// The deleting half of `Delete`. Only a full group can appear in the
    /// middle of a probe sequence (a group with an empty slot ends
    /// probing), and a full group stays full until the table is rehashed;
    /// so a slot in a group that has an empty slot can simply be emptied,
    /// and a slot in a full group becomes a tombstone.
    pub(crate) fn remove_at(&mut self, at: SlotRef) -> ((K, V), bool) {
        let tombstone = self.groups.ctrl(at.0).match_empty().is_empty();
        let state = if tombstone {
            CTRL_DELETED
        } else {
            self.growth_left += 1;
            CTRL_EMPTY
        };
        self.used -= 1;
        (self.groups.take(at, state), tombstone)
    }

    /// `pruneTombstones` (Go 1.25+): turns back into empty slots the
    /// tombstones that no key's probe sequence walks past — if that wins
    /// back at least 10% of the capacity, as the O(capacity) walk must pay
    /// for itself. Best effort: entries never move (an iteration must not
    /// see them reorder). Every key is hashed before any byte changes, so
    /// a `Hash` that panics leaves the table as it was.
    /// `version` only names the release in the `tracing` event.
    pub(crate) fn prune_tombstones<H: Fn(&K) -> u64>(&mut self, hasher: &H, version: GoVersion) {
        let capacity = usize::from(self.capacity);
        if usize::from(self.tombstones()) * 10 < capacity {
            // Not enough tombstones to be worth the effort.
            return;
        }
        // Bit set marking all the groups whose tombstones are needed.
        let mut needed = [0u32; (MAX_TABLE_CAPACITY / BUCKET_CNT).div_ceil(32)];
        let mark = |needed: &mut [u32], g: usize| needed[g / 32] |= 1 << (g % 32);
        let is_needed = |needed: &[u32], g: usize| needed[g / 32] >> (g % 32) & 1 != 0;
        // Trace the probe sequence of every full entry.
        for g in 0..self.groups.groups() {
            let ctrl = self.groups.ctrl(g);
            let mut full = ctrl.match_full();
            while !full.is_empty() {
                let j = full.pop_first();
                // Walk the probe sequence for this key: each tombstone
                // group it walks past is needed.
                let hash = hasher(self.groups.key((g, j)));
                let mut seq = ProbeSeq::new(hash, self.groups.mask());
                while seq.offset != g {
                    if !self
                        .groups
                        .ctrl(seq.offset)
                        .match_empty_or_deleted()
                        .is_empty()
                    {
                        // Must be deleted, not empty: the key is further on.
                        mark(&mut needed, seq.offset);
                    }
                    seq.next();
                }
            }
            if !ctrl.match_empty().is_empty() {
                // Also mark groups with an empty slot, so we don't try to
                // remove tombstones from them below.
                mark(&mut needed, g);
            }
        }
        // Only remove tombstones if enough of them go to justify the walk.
        let removable: usize = (0..self.groups.groups())
            .filter(|&g| !is_needed(&needed, g))
            .map(|g| self.groups.ctrl(g).match_empty_or_deleted().count())
            .sum();
        if removable * 10 < capacity {
            return; // The caller will grow instead.
        }
        let mut pruned = 0;
        for g in 0..self.groups.groups() {
            if is_needed(&needed, g) {
                continue;
            }
            let mut deleted = self.groups.ctrl(g).match_empty_or_deleted();
            while !deleted.is_empty() {
                self.groups.set_state((g, deleted.pop_first()), CTRL_EMPTY);
                self.growth_left += 1;
                pruned += 1;
            }
        }
        tracing::debug!(
            index = self.index,
            capacity,
            pruned,
            growth_left = self.growth_left,
            release = %version,
            "gomap: tombstones pruned"
        );
    }

    /// `Clear`: drops every entry and tombstone, keeping the capacity. From
    /// Go 1.25 a table with neither is left alone.
    pub(crate) fn clear(&mut self, version: GoVersion) {
        let max = self.max_growth_left();
        if !version.clear_keeps_tombstones() && self.used == 0 && self.growth_left == max {
            return; // no current entries and no tombstones
        }
        self.groups.clear();
        self.used = 0;
        self.growth_left = max;
    }

    /// The first step of `grow` and `split`, where user code runs: the hash
    /// of every entry, in the order Go moves them (group by group, slot by
    /// slot), and — if an iteration pins this table — a clone of each key to
    /// leave behind. A `Hash` or `Clone` that panics here leaves the table
    /// as it was.
    pub(crate) fn prepare_move<H: Fn(&K) -> u64>(&self, hasher: &H) -> Moving<K> {
        let mut slots = Vec::with_capacity(usize::from(self.used));
        let key_clone = self.groups.pinned_key_clone();
        let mut kept = Vec::new();
        for g in 0..self.groups.groups() {
            let mut full = self.groups.ctrl(g).match_full();
            while !full.is_empty() {
                let at = (g, full.pop_first());
                let key = self.groups.key(at);
                slots.push((at, hasher(key)));
                if let Some(clone) = key_clone {
                    kept.push((at, clone(key)));
                }
            }
        }
        Moving { slots, kept }
    }

    /// `grow`: a table of `capacity` slots (same index and depth) holding
    /// this one's entries, moved in the order `slots` lists them. This
    /// table's entries belong to the new one afterwards: the caller must
    /// [`retire`](GroupArray::retire) its groups at once.
    pub(crate) fn grow(&self, slots: &[(SlotRef, u64)], capacity: usize) -> Table<K, V> {
        let mut t = Table::new(capacity, self.index, self.local_depth);
        for &(at, hash) in slots {
            t.unchecked_move_in(&self.groups, at, hash);
        }
        t
    }

    /// `split`: two tables of [`MAX_TABLE_CAPACITY`] one directory bit
    /// deeper, the entries whose hash has that bit clear going left. The
    /// caller retires this table's groups at once and installs the two
    /// (`installTableSplit`).
    pub(crate) fn split(&self, slots: &[(SlotRef, u64)]) -> (Table<K, V>, Table<K, V>) {
        let local_depth = self.local_depth + 1;
        let mut left = Table::new(MAX_TABLE_CAPACITY, self.index, local_depth);
        let mut right = Table::new(MAX_TABLE_CAPACITY, self.index, local_depth);
        // Split in half at the localDepth bit from the top.
        let mask = local_depth_mask(local_depth);
        for &(at, hash) in slots {
            let side = if hash & mask == 0 {
                &mut left
            } else {
                &mut right
            };
            side.unchecked_move_in(&self.groups, at, hash);
        }
        (left, right)
    }

    /// An exact copy (same groups, control bytes, counts).
    pub(crate) fn clone_table(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        Table {
            used: self.used,
            capacity: self.capacity,
            growth_left: self.growth_left,
            local_depth: self.local_depth,
            index: self.index,
            groups: self.groups.clone_array(),
        }
    }
}

/// `localDepthMask`: the hash bit a split at this depth decides on.
#[inline]
pub(crate) fn local_depth_mask(local_depth: u8) -> u64 {
    1u64 << (64 - u32::from(local_depth))
}

/// A table's entries, ready to move: their slots and hashes in Go's order,
/// and the key clones a pinning iteration needs.
pub(crate) struct Moving<K> {
    pub(crate) slots: Vec<(SlotRef, u64)>,
    pub(crate) kept: Vec<(SlotRef, K)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_sequence_visits_every_group_once() {
        for groups in [1usize, 2, 8, 128] {
            for start in [0u64, 5, 127] {
                let mut seq = ProbeSeq::new(start << 7, groups - 1);
                let mut seen = vec![false; groups];
                for _ in 0..groups {
                    assert!(!seen[seq.offset], "group {} twice", seq.offset);
                    seen[seq.offset] = true;
                    seq.next();
                }
            }
        }
    }

    #[test]
    fn growth_left_is_seven_eighths_or_one_group_less_one() {
        let t: Table<u64, u64> = Table::new(0, 0, 0);
        assert_eq!((t.capacity, t.growth_left), (8, 7));
        let t: Table<u64, u64> = Table::new(10, 0, 0);
        assert_eq!((t.capacity, t.growth_left), (16, 14));
        let t: Table<u64, u64> = Table::new(1024, 0, 0);
        assert_eq!((t.capacity, t.growth_left, t.tombstones()), (1024, 896, 0));
    }

    #[test]
    fn a_delete_in_a_full_group_leaves_a_tombstone() {
        let mut t: Table<u64, u64> = Table::new(8, 0, 0);
        // Hashes with H1 = 0 (the one group) and distinct H2s.
        for k in 0..7u64 {
            t.unchecked_put(k, k, k);
        }
        assert_eq!(t.growth_left, 0);
        // The group still has one empty slot: deletes empty their slots.
        let (_, tomb) = t.remove_at(t.find(3, |k| *k == 3).unwrap());
        assert!(!tomb);
        assert_eq!((t.used, t.growth_left, t.tombstones()), (6, 1, 0));
        // Two groups: eight keys whose H1 is 0 fill group 0.
        let mut t: Table<u64, u64> = Table::new(16, 0, 0);
        for k in 0..8u64 {
            t.unchecked_put(k, k, k);
        }
        assert!(t.groups.ctrl(0).match_empty().is_empty());
        let (_, tomb) = t.remove_at(t.find(0, |k| *k == 0).unwrap());
        assert!(tomb);
        assert_eq!((t.used, t.growth_left, t.tombstones()), (7, 6, 1));
        // An insert on the same probe reuses the tombstone, growth-free.
        let slot = t.put_slot(0, |k| *k == 0, GoVersion::V1_27, &|_: &u64| unreachable!());
        assert_eq!(
            slot,
            PutSlot::Vacant {
                at: (0, 0),
                tombstone: true
            }
        );
    }
}
