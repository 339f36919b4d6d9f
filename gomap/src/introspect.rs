//! Introspection through [`HashMap`]: the fields of whichever of Go's maps
//! it is — the classic `hmap` (`classic/introspect.rs`) or the swiss `Map`
//! and its tables (`swiss/introspect.rs`) — a dump, and the invariant
//! checker the tests run after every operation.
//!
//! A figure that exists in one design only (`B`, `noverflow`; the
//! directory, the tables) panics when asked of the other, naming the
//! design the map has: the map's [`GoVersion`](crate::GoVersion) decides
//! it, so asking is a mistake in the program, not a state to handle.
//! [`HashMap::stats`] answers for both.

use std::fmt;
use std::hash::{BuildHasher, Hash};

use crate::classic::RawTable;
use crate::classic::introspect::{ClassicStats, Evacuation};
use crate::map::{HashMap, Repr};
use crate::swiss::introspect::{SwissStats, TableStats};
use crate::swiss::{RawMap, seeded_hash};
use crate::version::{BUCKET_CNT, bucket_shift};

/// A snapshot of a map's shape, whichever design it is.
#[derive(Clone, Debug, PartialEq)]
pub enum MapStats {
    /// Go 1.9–1.23's `hmap`.
    Classic(ClassicStats),
    /// Go 1.24–1.27's `Map` and its tables.
    Swiss(SwissStats),
}

impl MapStats {
    /// `len(m)`.
    pub fn count(&self) -> usize {
        match self {
            MapStats::Classic(s) => s.count,
            MapStats::Swiss(s) => s.count,
        }
    }

    /// The classic map's figures, if it is one.
    pub fn classic(&self) -> Option<&ClassicStats> {
        match self {
            MapStats::Classic(s) => Some(s),
            MapStats::Swiss(_) => None,
        }
    }

    /// The swiss map's figures, if it is one.
    pub fn swiss(&self) -> Option<&SwissStats> {
        match self {
            MapStats::Swiss(s) => Some(s),
            MapStats::Classic(_) => None,
        }
    }
}

impl fmt::Display for MapStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapStats::Classic(s) => s.fmt(f),
            MapStats::Swiss(s) => s.fmt(f),
        }
    }
}

impl<K, V, S> HashMap<K, V, S> {
    /// The classic map, or a panic naming `what` was asked.
    #[track_caller]
    fn classic(&self, what: &str) -> &RawTable<K, V> {
        match &self.repr {
            Repr::Classic(t) => t,
            Repr::Swiss(m) => panic!(
                "gomap: {what} is the classic map's (Go 1.9-1.23); this map is {}'s swiss tables",
                m.version
            ),
        }
    }

    /// The swiss map, or a panic naming `what` was asked.
    #[track_caller]
    fn swiss(&self, what: &str) -> &RawMap<K, V> {
        match &self.repr {
            Repr::Swiss(m) => m,
            Repr::Classic(t) => panic!(
                "gomap: {what} is the swiss map's (Go 1.24-1.27); this map is {}'s classic hmap",
                t.version
            ),
        }
    }

    /// `B`: a classic map has `2^B` main buckets.
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap};
    /// let mut m = HashMap::with_version(0, GoVersion::V1_23);
    /// for i in 0..9u64 { m.insert(i, i); }
    /// assert_eq!(m.b(), 1); // the 9th key passed 8 slots of one bucket
    /// ```
    ///
    /// # Panics
    /// For a swiss map (Go 1.24+), as every classic-only figure here does.
    #[track_caller]
    pub fn b(&self) -> u8 {
        self.classic("b()").b
    }

    /// `2^B` (classic map).
    #[track_caller]
    pub fn bucket_count(&self) -> usize {
        bucket_shift(self.classic("bucket_count()").b)
    }

    /// `noverflow`: Go's overflow-bucket counter (exact below `B = 16`,
    /// sampled above), which drives same-size growth (classic map).
    #[track_caller]
    pub fn noverflow(&self) -> u16 {
        self.classic("noverflow()").noverflow
    }

    /// Overflow buckets linked into the current bucket array (counted;
    /// classic map).
    #[track_caller]
    pub fn overflow_buckets(&self) -> usize {
        self.classic("overflow_buckets()").overflow_buckets()
    }

    /// Is the growth in progress a same-size one (classic map)?
    #[track_caller]
    pub fn is_same_size_grow(&self) -> bool {
        self.classic("is_same_size_grow()").same_size_grow
    }

    /// `hist[n]` = number of main buckets with `n` overflow buckets chained
    /// (classic map).
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap};
    /// let mut m = HashMap::with_version(0, GoVersion::V1_19);
    /// m.extend((0..1000u32).map(|i| (i, i)));
    /// let hist = m.overflow_histogram();
    /// assert_eq!(hist.iter().sum::<usize>(), m.bucket_count());
    /// ```
    #[track_caller]
    pub fn overflow_histogram(&self) -> Vec<usize> {
        self.classic("overflow_histogram()").overflow_histogram()
    }

    /// The tophash bytes of every chain of the classic map's current bucket
    /// array, or of the old one (`old`, empty when not growing):
    /// `chains[i]` is main bucket `i` and then each overflow bucket linked
    /// after it, as Go stores them (a live slot's tophash, or a state: see
    /// [`TopHashStates`](crate::TopHashStates)). Empty for the nil array of
    /// a map not yet written.
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap, RandomSeed};
    /// let mut m = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_23);
    /// m.insert(1u8, 'a');
    /// let chains = m.tophash_chains(false);
    /// assert_eq!(chains.len(), 1); // B = 0: one bucket, no overflow
    /// assert_eq!(chains[0][0].iter().filter(|&&t| t >= 5).count(), 1);
    /// assert!(m.tophash_chains(true).is_empty());
    /// ```
    #[track_caller]
    pub fn tophash_chains(&self, old: bool) -> Vec<Vec<[u8; BUCKET_CNT]>> {
        self.classic("tophash_chains()").tophash_chains(old)
    }

    /// Preallocated overflow buckets still unused (`mapextra.nextOverflow`;
    /// classic map).
    #[track_caller]
    pub fn spare_overflow_buckets(&self) -> usize {
        self.classic("spare_overflow_buckets()")
            .buckets
            .spare_prealloc()
    }

    /// Is a growth (evacuation) in progress? Never for a swiss map, whose
    /// tables grow all at once.
    pub fn is_growing(&self) -> bool {
        match &self.repr {
            Repr::Classic(t) => t.growing(),
            Repr::Swiss(_) => false,
        }
    }

    /// Progress of the classic map's growth in progress (`None` for a swiss
    /// map).
    pub fn evacuation(&self) -> Option<Evacuation> {
        match &self.repr {
            Repr::Classic(t) => t.evacuation(),
            Repr::Swiss(_) => None,
        }
    }

    /// Entries per bucket, `count / 2^B`, for a classic map (Go grows past
    /// 6.5); entries per slot, `used / total_capacity`, for a swiss map (Go
    /// grows a table past 7/8; 0 for a map with no group yet).
    pub fn load_factor(&self) -> f64 {
        match &self.repr {
            Repr::Classic(t) => t.load_factor(),
            Repr::Swiss(m) => {
                let capacity = m.stats().total_capacity;
                if capacity == 0 {
                    0.0
                } else {
                    m.used as f64 / capacity as f64
                }
            }
        }
    }

    /// Bytes allocated for buckets or groups (plus boxed keys and values).
    pub fn allocated_bytes(&self) -> usize {
        match &self.repr {
            Repr::Classic(t) => t.allocated_bytes(),
            Repr::Swiss(m) => m.stats().allocated_bytes,
        }
    }

    /// All of the figures in one value.
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap, RandomSeed};
    /// let mut m = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_27);
    /// m.extend((0..9u64).map(|k| (k, k)));
    /// let s = m.stats();
    /// assert_eq!(s.swiss().unwrap().total_capacity, 16); // the 9th key made a table
    /// assert!(s.to_string().starts_with("count=9 dirLen=1 globalDepth=0 tables=1 total_capacity=16"));
    /// ```
    pub fn stats(&self) -> MapStats {
        match &self.repr {
            Repr::Classic(t) => MapStats::Classic(t.stats()),
            Repr::Swiss(m) => MapStats::Swiss(m.stats()),
        }
    }

    /// `dirLen`: the swiss map's directory entries (0 for a small map or
    /// one never written).
    ///
    /// # Panics
    /// For a classic map (Go 1.9–1.23), as every swiss-only figure here does.
    #[track_caller]
    pub fn dir_len(&self) -> usize {
        self.swiss("dir_len()").dir_len()
    }

    /// `globalDepth`: the hash's top bits the directory uses (swiss map).
    #[track_caller]
    pub fn global_depth(&self) -> u8 {
        self.swiss("global_depth()").global_depth
    }

    /// The swiss map's tables in directory order, each once, with their
    /// `index`, local depth, capacity, entries, growth left and tombstones.
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap, RandomSeed};
    /// let mut m = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_27);
    /// m.extend((0..897u64).map(|k| (k, k)));
    /// // The 897th key passed a full 1 024-slot table's 896: it split.
    /// let tables = m.tables();
    /// assert_eq!((m.dir_len(), m.global_depth(), tables.len()), (2, 1, 2));
    /// assert!(tables.iter().all(|t| t.capacity == 1024 && t.local_depth == 1));
    /// assert_eq!(tables.iter().map(|t| t.used).sum::<usize>(), 897);
    /// ```
    #[track_caller]
    pub fn tables(&self) -> Vec<TableStats> {
        self.swiss("tables()").stats().tables
    }

    /// Slots in all of the swiss map's tables (8 for a small map, 0 before
    /// its first group).
    #[track_caller]
    pub fn total_capacity(&self) -> usize {
        self.swiss("total_capacity()").stats().total_capacity
    }

    /// The swiss map's seed (Go's `m.seed`): mixed into every hash, drawn
    /// anew when the map empties.
    #[track_caller]
    pub fn seed(&self) -> u64 {
        self.swiss("seed()").seed
    }

    /// Every group's 8 control bytes (`0x80` empty, `0xfe` deleted, else a
    /// full slot's H2): a list per table in directory order, or one list of
    /// one group for a small map (none before its first group).
    #[track_caller]
    pub fn control_bytes(&self) -> Vec<Vec<[u8; BUCKET_CNT]>> {
        self.swiss("control_bytes()").control_bytes()
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> HashMap<K, V, S> {
    /// A text dump. Classic: per bucket its 8 tophash cells (live tophash
    /// in hex; `..` emptyRest, `__` emptyOne/empty, `eX`/`eY`
    /// evacuatedX/Y, `e_` evacuatedEmpty), its overflow link and its
    /// entries, old buckets too while growing. Swiss: per table (or the
    /// small group) its figures, then per group its 8 control bytes (a full
    /// slot's H2 in hex, `..` empty, `xx` deleted) and its entries.
    ///
    /// ```
    /// use gomap::{GoVersion, HashMap, RandomSeed};
    /// let mut m = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_23);
    /// m.insert(1u8, 'a');
    /// assert!(m.dump().starts_with("hmap go1.23 count=1 B=0"));
    /// let mut m = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_27);
    /// m.insert(1u8, 'a');
    /// let dump = m.dump();
    /// assert!(dump.starts_with("swiss go1.27 count=1 dirLen=0"));
    /// assert!(dump.contains("1 => 'a'"));
    /// ```
    pub fn dump(&self) -> String {
        match &self.repr {
            Repr::Classic(t) => t.dump(),
            Repr::Swiss(m) => m.dump(),
        }
    }
}

impl<K: Eq + Hash, V, S: BuildHasher> HashMap<K, V, S> {
    /// Checks the structural invariants of the map; `Err` says which broke.
    ///
    /// Classic (`hmap`):
    /// - `count` equals the live slots (new array plus not-yet-evacuated old
    ///   buckets), and evacuated old buckets hold none;
    /// - every live entry sits in the chain its hash names (low `B` bits, or
    ///   the old mask in the old array), with `tophash(hash)` in its slot;
    /// - every live key is found by lookup at exactly its own slot (so no key
    ///   is in two places);
    /// - tophash states: no `evacuated*` state in the new array; an old
    ///   bucket is evacuated iff its whole chain is in `evacuated*` states;
    ///   from Go 1.12, after an `emptyRest` the chain holds only `emptyRest`;
    /// - growth: old buckets below `nevacuate` are evacuated, `nevacuate` is
    ///   below the old size while growing, the same-size flag is off when not
    ///   growing, and below `B = 16` `noverflow` counts exactly the overflow
    ///   buckets of the current array.
    ///
    /// Swiss (`Map`, `table`):
    /// - a small map has no directory, at most 8 entries and no tombstones;
    /// - the directory has `2^globalDepth` entries; each table's run of
    ///   `2^(globalDepth − localDepth)` entries starts at its `index`, is
    ///   aligned to its length and names it alone; every table is named;
    /// - a table's capacity is a power of two from 8 to 1 024; `used` counts
    ///   its full slots; its tombstones are `7/8·capacity − used −
    ///   growthLeft`; it keeps an empty slot;
    /// - every full slot's control byte is its key's H2; the key's top hash
    ///   bits name its table's run; a lookup finds it at exactly that slot;
    /// - `used` is the tables' sum; `tombstonePossible` is set if a table
    ///   holds a tombstone.
    pub fn check_invariants(&self) -> Result<(), String> {
        let hb = &self.hash_builder;
        match &self.repr {
            Repr::Classic(t) => t.check_invariants(|k| hb.hash_one(k)),
            Repr::Swiss(m) => m.check_invariants(|k| seeded_hash(hb, m.seed, k), |a, b| a == b),
        }
    }
}
