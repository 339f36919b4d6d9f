//! Iteration over a swiss map that does not change meanwhile: Go 1.27
//! `internal/runtime/maps/table.go`'s `Iter.Init` and `Iter.Next`, less
//! what Go needs for writes during a `range` (which `range.rs` models).
//!
//! An iteration draws two random offsets: `entryOffset` rotates the slots
//! of every table (and of a small map's group), `dirOffset` the directory.
//! It visits the directory's tables in order from the rotated start, each
//! table once (a table spans `2^(globalDepth − localDepth)` entries), and
//! each table's slots `(i + entryOffset) mod capacity` for `i` from 0. A
//! group's full slots are read with one `matchFull`, as Go's slow path does
//! when it skips empty slots; the order is the same either way.

use crate::group::SlotMask;
use crate::hasher::fastrand;
use crate::swiss::groups::GroupArray;
use crate::swiss::raw::{Pos, RawMap};
use crate::version::BUCKET_CNT;

/// Go's `Iter` without its table pointers: the cursor of one iteration.
#[derive(Clone, Debug)]
pub(crate) struct Walker {
    /// `entryOffset`.
    entry_offset: u64,
    /// `dirOffset` (adjusted once, so the walk starts at a table's first
    /// directory entry).
    dir_offset: u64,
    /// `dirIdx`, before `dirOffset` is added; `None` for a small map.
    dir_idx: Option<usize>,
    /// The table being read (its number), once resolved.
    table: Option<usize>,
    /// `entryIdx`: slots of the current table (or group) visited.
    entry_idx: usize,
    /// The group being read and its full slots not yet visited.
    group: usize,
    pending: SlotMask,
    /// Entries not yet yielded (lets the walk stop early; Go walks on).
    remaining: usize,
}

impl Walker {
    /// `Iter.Init`: draws the offsets.
    pub(crate) fn new<K, V>(m: &RawMap<K, V>) -> Self {
        Walker {
            entry_offset: fastrand(),
            dir_offset: fastrand(),
            dir_idx: (m.dir_len() > 0).then_some(0),
            table: None,
            entry_idx: 0,
            group: 0,
            pending: SlotMask::EMPTY,
            remaining: m.used,
        }
    }

    /// Entries still to come.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// Where the walk starts: the first table's first directory entry (0
    /// for a small map) and the slot offset in it.
    pub(crate) fn start<K, V>(&self, m: &RawMap<K, V>) -> (usize, usize) {
        if m.dir_len() == 0 {
            return (0, self.entry_offset as usize % BUCKET_CNT);
        }
        let d = self.dir_offset as usize & (m.dir_len() - 1);
        let t = &m.tables[m.dir[d] as usize];
        (
            t.index,
            self.entry_offset as usize & (usize::from(t.capacity) - 1),
        )
    }

    /// The next full slot of a `capacity`-slot array, from the rotated
    /// start (the slots `(entry_idx + entryOffset) mod capacity` in order).
    #[inline]
    fn next_slot<K, V>(
        &mut self,
        groups: &GroupArray<K, V>,
        capacity: usize,
    ) -> Option<(usize, usize)> {
        loop {
            if !self.pending.is_empty() {
                return Some((self.group, self.pending.pop_first()));
            }
            if self.entry_idx >= capacity {
                return None;
            }
            let e = (self.entry_idx + self.entry_offset as usize) & (capacity - 1);
            let (g, s) = (e / BUCKET_CNT, e % BUCKET_CNT);
            // This visit reads slots s.. of group g, up to the table's end
            // (the first group is read again from slot 0 at the very end).
            let span = (BUCKET_CNT - s).min(capacity - self.entry_idx);
            self.group = g;
            self.pending = groups
                .ctrl(g)
                .match_full()
                .remove_below(s)
                .keep_below(s + span);
            self.entry_idx += span;
        }
    }

    /// `Iter.Next`: the position of the next entry. The map must not have
    /// changed since [`new`](Self::new), except for entries removed at
    /// positions this walk already yielded.
    #[inline]
    pub(crate) fn next<K, V>(&mut self, m: &RawMap<K, V>) -> Option<Pos> {
        if self.remaining == 0 {
            return None;
        }
        let Some(mut dir_idx) = self.dir_idx else {
            let small = m.small.as_ref().expect("a small map");
            let at = self.next_slot(small, BUCKET_CNT)?;
            self.remaining -= 1;
            return Some(Pos { table: None, at });
        };
        while dir_idx < m.dir_len() {
            let t = match self.table {
                Some(t) => t,
                None => {
                    let mut d =
                        (dir_idx as u64).wrapping_add(self.dir_offset) as usize & (m.dir_len() - 1);
                    let t = m.dir[d] as usize;
                    let first = m.tables[t].index;
                    if first != d {
                        // The random start fell in the middle of a table's
                        // run of entries: move the offset once so the walk
                        // starts at the run's first entry.
                        self.dir_offset = self.dir_offset.wrapping_sub((d - first) as u64);
                        d = first;
                    }
                    debug_assert_eq!(m.dir[d] as usize, t);
                    self.table = Some(t);
                    self.entry_idx = 0;
                    t
                }
            };
            let table = &m.tables[t];
            if let Some(at) = self.next_slot(&table.groups, usize::from(table.capacity)) {
                self.remaining -= 1;
                return Some(Pos { table: Some(t), at });
            }
            // `nextDirIdx`: skip the other entries of this table.
            dir_idx += 1usize << (m.global_depth - table.local_depth);
            self.dir_idx = Some(dir_idx);
            self.table = None;
        }
        None
    }
}
