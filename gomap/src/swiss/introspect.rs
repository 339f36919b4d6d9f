//! Introspection of a swiss map for people who study it: Go 1.27's `Map`
//! and `table` fields (`used`, `seed`, `dirLen`, `globalDepth`, each table's
//! `index`, `localDepth`, `capacity`, `used`, `growthLeft` and tombstones),
//! every group's control bytes, a text dump, and the invariant checker the
//! tests run after every operation (Go's `table.checkInvariants`, and the
//! directory's rules besides).

use std::fmt::{self, Write as _};

use crate::group::{CTRL_DELETED, CTRL_EMPTY};
use crate::shape::GroupShape;
use crate::swiss::groups::GroupArray;
use crate::swiss::raw::RawMap;
use crate::swiss::table::{MAX_TABLE_CAPACITY, Table, h2};
use crate::version::BUCKET_CNT;

/// One table of a swiss map (Go's `table`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableStats {
    /// `index`: the first directory entry that points at it.
    pub index: usize,
    /// How many directory entries point at it: `2^(globalDepth − localDepth)`.
    pub dir_entries: usize,
    /// `localDepth`.
    pub local_depth: u8,
    /// `capacity`: slots (8 per group).
    pub capacity: usize,
    /// `used`: entries.
    pub used: usize,
    /// `growthLeft`: slots that may still be filled before it grows.
    pub growth_left: usize,
    /// Tombstones (`ctrlDeleted` slots).
    pub tombstones: usize,
}

impl fmt::Display for TableStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "index={} entries={} localDepth={} capacity={} used={} growthLeft={} tombstones={}",
            self.index,
            self.dir_entries,
            self.local_depth,
            self.capacity,
            self.used,
            self.growth_left,
            self.tombstones
        )
    }
}

/// A snapshot of a swiss map's shape (Go's `Map` and its tables).
#[derive(Clone, Debug, PartialEq)]
pub struct SwissStats {
    /// `used`: entries.
    pub count: usize,
    /// `seed`.
    pub seed: u64,
    /// `dirLen`: 0 for a small map (or one never written).
    pub dir_len: usize,
    /// `globalDepth`.
    pub global_depth: u8,
    /// Does the map hold its small group (8 slots, no table)?
    pub small: bool,
    /// The tables, in directory order (each once).
    pub tables: Vec<TableStats>,
    /// Slots in all tables, or 8 for a small map, 0 for none.
    pub total_capacity: usize,
    /// Tombstones in all tables.
    pub tombstones: usize,
    /// Bytes allocated for groups (plus boxed keys and values).
    pub allocated_bytes: usize,
}

impl fmt::Display for SwissStats {
    /// `count=N dirLen=D globalDepth=G tables=T total_capacity=C
    /// tombstones=X load=L` (with `small` for a small map).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let load = if self.total_capacity == 0 {
            0.0
        } else {
            self.count as f64 / self.total_capacity as f64
        };
        write!(
            f,
            "count={} dirLen={} globalDepth={} tables={} total_capacity={} tombstones={} load={load:.2}",
            self.count,
            self.dir_len,
            self.global_depth,
            self.tables.len(),
            self.total_capacity,
            self.tombstones
        )?;
        if self.small {
            f.write_str(" small")?;
        }
        Ok(())
    }
}

fn table_stats<K, V>(m: &RawMap<K, V>, t: &Table<K, V>) -> TableStats {
    TableStats {
        index: t.index,
        dir_entries: 1 << (m.global_depth - t.local_depth),
        local_depth: t.local_depth,
        capacity: usize::from(t.capacity),
        used: usize::from(t.used),
        growth_left: usize::from(t.growth_left),
        tombstones: usize::from(t.tombstones()),
    }
}

/// A group array's control bytes, group by group.
fn control_bytes<K, V>(groups: &GroupArray<K, V>) -> Vec<[u8; BUCKET_CNT]> {
    (0..groups.groups())
        .map(|g| groups.ctrl(g).0.to_le_bytes())
        .collect()
}

impl<K, V> RawMap<K, V> {
    /// The figures of [`SwissStats`].
    pub(crate) fn stats(&self) -> SwissStats {
        let tables: Vec<TableStats> = self
            .tables_in_dir_order()
            .into_iter()
            .map(|t| table_stats(self, &self.tables[t]))
            .collect();
        let small = self.dir.is_empty() && self.small.is_some();
        let groups_bytes = if small {
            GroupShape::<K, V>::SIZE
        } else {
            self.tables.iter().map(|t| t.groups.allocated_bytes()).sum()
        };
        let boxed = if GroupShape::<K, V>::INDIRECT_KEY {
            size_of::<K>()
        } else {
            0
        } + if GroupShape::<K, V>::INDIRECT_ELEM {
            size_of::<V>()
        } else {
            0
        };
        SwissStats {
            count: self.used,
            seed: self.seed,
            dir_len: self.dir.len(),
            global_depth: self.global_depth,
            small,
            total_capacity: if small {
                BUCKET_CNT
            } else {
                tables.iter().map(|t| t.capacity).sum()
            },
            tombstones: tables.iter().map(|t| t.tombstones).sum(),
            tables,
            allocated_bytes: groups_bytes + boxed * self.used,
        }
    }

    /// Every group's control bytes: one list per table in directory order,
    /// or one list of one group for a small map (none for a map never
    /// written).
    pub(crate) fn control_bytes(&self) -> Vec<Vec<[u8; BUCKET_CNT]>> {
        if self.dir.is_empty() {
            return self.small.iter().map(control_bytes).collect();
        }
        self.tables_in_dir_order()
            .into_iter()
            .map(|t| control_bytes(&self.tables[t].groups))
            .collect()
    }

    /// Checks the structural invariants; `hash` is the map's hash of a key.
    ///
    /// - a small map has no directory, at most 8 entries and no tombstones;
    /// - the directory has `2^globalDepth` entries; each table's run of
    ///   `2^(globalDepth − localDepth)` entries starts at its `index`, is
    ///   aligned to its length and names it alone; every table is named;
    /// - a table's capacity is a power of two from 8 to 1 024; `used` counts
    ///   its full slots, its tombstones are `7/8·capacity − used −
    ///   growthLeft` (Go's `checkInvariants`), and it keeps an empty slot;
    /// - every full slot's control byte is the H2 of its key's hash, whose
    ///   top `globalDepth` bits fall in its table's run, and a lookup finds
    ///   the key at exactly that slot (so it is reachable from its probe
    ///   start, and nowhere else);
    /// - `used` is the sum of the tables'; `tombstonePossible` is set if a
    ///   table holds a tombstone.
    pub(crate) fn check_invariants(
        &self,
        hash: impl Fn(&K) -> u64,
        eq: impl Fn(&K, &K) -> bool,
    ) -> Result<(), String> {
        if self.dir.is_empty() {
            if !self.tables.is_empty() {
                return Err("tables without a directory".into());
            }
            let Some(small) = &self.small else {
                return if self.used == 0 {
                    Ok(())
                } else {
                    Err(format!("used {} with no group", self.used))
                };
            };
            let ctrl = small.ctrl(0);
            if ctrl.match_empty_or_deleted().count() != ctrl.match_empty().count() {
                return Err("a tombstone in a small map".into());
            }
            if ctrl.match_full().count() != self.used {
                return Err(format!(
                    "small map: used {} but {} full slots",
                    self.used,
                    ctrl.match_full().count()
                ));
            }
            let mut full = ctrl.match_full();
            while !full.is_empty() {
                let i = full.pop_first();
                let key = small.key((0, i));
                let h = hash(key);
                if ctrl.get(i) != h2(h) {
                    return Err(format!(
                        "small slot {i}: control {:#x} != h2 {:#x}",
                        ctrl.get(i),
                        h2(h)
                    ));
                }
                match self.find(h, |k| eq(k, key)) {
                    Some(p) if p.table.is_none() && p.at == (0, i) => {}
                    other => return Err(format!("small slot {i}: key found at {other:?}")),
                }
            }
            return Ok(());
        }
        if self.small.is_some() {
            return Err("a small group beside a directory".into());
        }
        if self.dir.len() != 1 << self.global_depth {
            return Err(format!(
                "dirLen {} with globalDepth {}",
                self.dir.len(),
                self.global_depth
            ));
        }
        let order = self.tables_in_dir_order();
        if order.len() != self.tables.len() {
            return Err(format!(
                "{} tables but the directory names {}",
                self.tables.len(),
                order.len()
            ));
        }
        let mut used = 0usize;
        let mut any_tombstone = false;
        for &t in &order {
            let tab = &self.tables[t];
            if tab.local_depth > self.global_depth {
                return Err(format!(
                    "table {t}: localDepth {} > globalDepth",
                    tab.local_depth
                ));
            }
            let span = 1usize << (self.global_depth - tab.local_depth);
            if tab.index % span != 0
                || self.dir[tab.index..tab.index + span]
                    .iter()
                    .any(|&e| e as usize != t)
            {
                return Err(format!(
                    "table {t}: index {} run of {span} entries broken",
                    tab.index
                ));
            }
            let capacity = usize::from(tab.capacity);
            if !capacity.is_power_of_two()
                || !(BUCKET_CNT..=MAX_TABLE_CAPACITY).contains(&capacity)
                || tab.groups.groups() * BUCKET_CNT != capacity
            {
                return Err(format!(
                    "table {t}: capacity {capacity}, {} groups",
                    tab.groups.groups()
                ));
            }
            let (mut full, mut deleted, mut empty) = (0usize, 0usize, 0usize);
            for g in 0..tab.groups.groups() {
                let ctrl = tab.groups.ctrl(g);
                for i in 0..BUCKET_CNT {
                    match ctrl.get(i) {
                        CTRL_EMPTY => empty += 1,
                        CTRL_DELETED => deleted += 1,
                        c if c < CTRL_EMPTY => {
                            full += 1;
                            let key = tab.groups.key((g, i));
                            let h = hash(key);
                            if c != h2(h) {
                                return Err(format!(
                                    "table {t} group {g} slot {i}: control {c:#x} != h2 {:#x}",
                                    h2(h)
                                ));
                            }
                            let d = self.directory_index(h);
                            if d < tab.index || d >= tab.index + span {
                                return Err(format!(
                                    "table {t} group {g} slot {i}: key's directory entry {d} outside {}..{}",
                                    tab.index,
                                    tab.index + span
                                ));
                            }
                            match self.find(h, |k| eq(k, key)) {
                                Some(p) if p.table == Some(t) && p.at == (g, i) => {}
                                other => {
                                    return Err(format!(
                                        "table {t} group {g} slot {i}: key found at {other:?}"
                                    ));
                                }
                            }
                        }
                        c => {
                            return Err(format!(
                                "table {t} group {g} slot {i}: control byte {c:#x}"
                            ));
                        }
                    }
                }
            }
            if full != usize::from(tab.used) {
                return Err(format!(
                    "table {t}: used {} but {full} full slots",
                    tab.used
                ));
            }
            if deleted != usize::from(tab.tombstones()) || tab.growth_left > tab.max_growth_left() {
                return Err(format!(
                    "table {t}: {deleted} tombstones, but growthLeft {} says {}",
                    tab.growth_left,
                    tab.tombstones()
                ));
            }
            if empty == 0 {
                return Err(format!(
                    "table {t}: no empty slot (violates the probe invariant)"
                ));
            }
            used += full;
            any_tombstone |= deleted > 0;
        }
        if used != self.used {
            return Err(format!("used {} but the tables hold {used}", self.used));
        }
        if any_tombstone && !self.tombstone_possible {
            return Err("a tombstone while tombstonePossible is false".into());
        }
        Ok(())
    }
}

/// A control byte as the dump shows it: full slots' H2 in hex, `..` empty,
/// `xx` deleted.
fn cell(c: u8) -> String {
    match c {
        CTRL_EMPTY => "..".into(),
        CTRL_DELETED => "xx".into(),
        c => format!("{c:02x}"),
    }
}

fn dump_groups<K: fmt::Debug, V: fmt::Debug>(out: &mut String, groups: &GroupArray<K, V>) {
    for g in 0..groups.groups() {
        let ctrl = groups.ctrl(g);
        let cells: Vec<String> = (0..BUCKET_CNT).map(|i| cell(ctrl.get(i))).collect();
        let _ = writeln!(out, "  group {g:>3}: {}", cells.join(" "));
        let mut full = ctrl.match_full();
        while !full.is_empty() {
            let i = full.pop_first();
            let (k, v) = groups.entry((g, i));
            let _ = writeln!(out, "          {i}: {k:?} => {v:?}");
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> RawMap<K, V> {
    /// The text of `HashMap::dump` for a swiss map.
    pub(crate) fn dump(&self) -> String {
        let stats = self.stats();
        let mut out = format!("swiss {} {stats} seed={:#018x}\n", self.version, self.seed);
        if self.dir.is_empty() {
            match &self.small {
                Some(small) => {
                    out.push_str("small group:\n");
                    dump_groups(&mut out, small);
                }
                None => out.push_str("no group yet\n"),
            }
            return out;
        }
        for (t, s) in self.tables_in_dir_order().into_iter().zip(&stats.tables) {
            let _ = writeln!(out, "table #{t}: {s}");
            dump_groups(&mut out, &self.tables[t].groups);
        }
        out
    }
}
