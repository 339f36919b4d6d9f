//! Iteration that allows writes between its steps — Go's `for k, v := range
//! m { m[k2] = v2 }` — over a swiss map: Go 1.27
//! `internal/runtime/maps/table.go`'s `Iter` in full (`Init`, `Next`,
//! `nextDirIdx`, `grownKeyElem`).
//!
//! Go's rules for such an iteration: an entry is never returned twice; an
//! entry present for the whole iteration is returned exactly once, with its
//! latest value; a deleted entry is not returned; an entry added meanwhile
//! may or may not be. How Go keeps them while tables grow and split:
//!
//! 1. The iterator remembers the table it is reading, even after the map
//!    replaces it, and keeps walking *its* slots in the same rotated order:
//!    the new table's probe sequences would reorder everything.
//! 2. While that table is still the map's, a full slot is returned as it is
//!    now. Once the table is replaced, a full slot of the old table only
//!    says which key to look up in the map: the entry is returned as the
//!    map holds it now, or skipped if it is gone.
//! 3. When the old table is done, the iterator skips every directory entry
//!    it covered, at its old local depth: if it split, both halves held
//!    only its keys (or newer ones, which need not be returned).
//! 4. When the directory doubles, the iterator's directory index and offset
//!    double too, so it stays on the same logical entry.
//! 5. A map that was small when the iteration began is read from its group
//!    to the end; once the map has become a table, each key found there is
//!    looked up in the map.
//!
//! Go's garbage collector keeps the old table alive for (1); here the
//! iterator pins the table's groups ([`Pinned`]), and the map, when it
//! replaces a pinned table, leaves a clone of each key behind
//! (`GroupArray::retire`) — hence `K: Clone` for this iteration only. The
//! iterator holds no borrow of the map between steps; each step borrows the
//! map it is given (which must be the same map: it is checked).

use crate::group::CTRL_EMPTY;
use crate::hasher::fastrand;
use crate::swiss::groups::Pinned;
use crate::swiss::raw::{Pos, RawMap};
use crate::version::BUCKET_CNT;

/// The table an iteration is reading, pinned.
struct PinnedTable<K, V> {
    /// Its number in the map (where the map's current table for it is).
    number: usize,
    groups: Pinned<K, V>,
    capacity: usize,
    local_depth: u8,
}

/// Go's `Iter`, for an iteration with writes between its steps.
pub(crate) struct Cursor<K, V> {
    /// The map iterated.
    map_id: u64,
    /// The map was empty at `Init` (Go's `it.m == nil`), or the walk is over.
    done: bool,
    /// `K::clone`, for tables pinned later.
    key_clone: fn(&K) -> K,
    entry_offset: u64,
    dir_offset: u64,
    /// `globalDepth` at the last step.
    global_depth: u8,
    /// `dirIdx`, before `dirOffset` is added.
    dir_idx: usize,
    /// The small map's group, if the map was small at `Init`.
    small: Option<Pinned<K, V>>,
    /// `tab`: the table being read.
    tab: Option<PinnedTable<K, V>>,
    /// `entryIdx`.
    entry_idx: usize,
}

impl<K, V> Cursor<K, V> {
    /// `Iter.Init`.
    pub(crate) fn new(m: &RawMap<K, V>, key_clone: fn(&K) -> K) -> Self {
        let small = if m.dir_len() == 0 {
            m.small.as_ref().map(|g| g.pin(key_clone))
        } else {
            None
        };
        Cursor {
            map_id: m.id,
            done: m.used == 0,
            key_clone,
            entry_offset: fastrand(),
            dir_offset: fastrand(),
            global_depth: m.global_depth,
            dir_idx: 0,
            small,
            tab: None,
            entry_idx: 0,
        }
    }

    /// `Iter.Next`: the position, in `m` as it is now, of the next entry to
    /// return. `lookup` finds a key in `m` (Go's `getWithKey`), for the
    /// keys of a table the map has replaced since.
    pub(crate) fn next(
        &mut self,
        m: &RawMap<K, V>,
        lookup: impl Fn(&K) -> Option<Pos>,
    ) -> Option<Pos> {
        if self.done {
            return None;
        }
        assert_eq!(
            m.id, self.map_id,
            "gomap: a Range stepped with a map it does not iterate"
        );
        if let Some(small) = &self.small {
            while self.entry_idx < BUCKET_CNT {
                let k = (self.entry_idx + self.entry_offset as usize) % BUCKET_CNT;
                self.entry_idx += 1;
                if small.ctrl(0).get(k) >= CTRL_EMPTY {
                    continue; // Empty or deleted.
                }
                if m.dir_len() > 0 {
                    // The map has grown to a table since: use the old group
                    // to decide the keys, the map for their entries.
                    match lookup(small.key((0, k))) {
                        Some(pos) => return Some(pos),
                        None => continue,
                    }
                }
                debug_assert!(m.small.as_ref().is_some_and(|g| g.is(small)));
                return Some(Pos {
                    table: None,
                    at: (0, k),
                });
            }
            self.done = true;
            return None;
        }
        if self.global_depth != m.global_depth {
            // The directory has grown since the last step: stay on the same
            // logical entry. (dirIdx + dirOffset) mod dirLen scales with
            // the directory, so both terms double with each doubling.
            let orders = m.global_depth - self.global_depth;
            self.dir_idx <<= orders;
            self.dir_offset <<= orders;
            self.global_depth = m.global_depth;
        }
        while self.dir_idx < m.dir_len() {
            let tab = match &self.tab {
                Some(tab) => tab,
                None => {
                    let mut d = (self.dir_idx as u64).wrapping_add(self.dir_offset) as usize
                        & (m.dir_len() - 1);
                    let number = m.dir[d] as usize;
                    let table = &m.tables[number];
                    if table.index != d {
                        // A random start in the middle of a table's run of
                        // entries: start at the run's first entry instead.
                        self.dir_offset = self.dir_offset.wrapping_sub((d - table.index) as u64);
                        d = table.index;
                    }
                    debug_assert_eq!(m.dir[d] as usize, number);
                    self.entry_idx = 0;
                    self.tab.insert(PinnedTable {
                        number,
                        groups: table.groups.pin(self.key_clone),
                        capacity: usize::from(table.capacity),
                        local_depth: table.local_depth,
                    })
                }
            };
            if self.entry_idx >= tab.capacity {
                // `nextDirIdx`: skip every entry the table covered, at its
                // own (old) local depth.
                self.dir_idx += 1usize << (m.global_depth - tab.local_depth);
                self.tab = None;
                continue;
            }
            let e = (self.entry_idx + self.entry_offset as usize) & (tab.capacity - 1);
            let at = (e / BUCKET_CNT, e % BUCKET_CNT);
            self.entry_idx += 1;
            if tab.groups.ctrl(at.0).get(at.1) >= CTRL_EMPTY {
                continue; // Empty or deleted.
            }
            let grown = !m.tables[tab.number].groups.is(&tab.groups);
            if grown {
                // The table was replaced: its keys say what to look up.
                match lookup(tab.groups.key(at)) {
                    Some(pos) => return Some(pos),
                    None => continue, // Deleted since.
                }
            }
            return Some(Pos {
                table: Some(tab.number),
                at,
            });
        }
        self.done = true;
        None
    }
}
