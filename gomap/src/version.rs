//! Which Go release the map follows, and the per-release rules that differ.
//! Go 1.9–1.23 ship the classic map (`runtime/map.go`): the tophash reserved
//! states (changed in Go 1.12), `overLoadFactor` (float math before Go 1.10,
//! integer math after) and `tooManyOverflowBuckets` (unchanged in effect
//! from 1.9 to 1.23). Go 1.24–1.27 ship swiss tables
//! (`internal/runtime/maps`), whose rules changed too (second table).
//!
//! What changed between Go 1.9 and Go 1.23 in the classic map, and what this
//! crate does with it:
//!
//! | release | change | modelled |
//! |---|---|---|
//! | 1.9 | `overLoadFactor(count int64, B)` is `count >= 8 && float32(count) >= 6.5*float32(1<<B)`, called with `h.count` *before* the insert | yes: `make` hints 8, 13, 26, 52, … get one more B than in 1.10+ |
//! | 1.10 | `overLoadFactor(count int, B)` is `count > 8 && count > 13*(1<<B/2)`, called with `h.count+1` | yes (same growth points on insert, different `make` sizing) |
//! | 1.10 | `tooManyOverflowBuckets` rewritten (`if B > 15 { B = 15 }`) | same result as 1.9 for every `B`: one rule |
//! | 1.11 | `mapclear` (the `for k := range m { delete(m, k) }` idiom; builtin `clear` in 1.21) keeps `B`, drops `oldbuckets`; returns at once when `h.count == 0` | [`crate::HashMap::clear`] is `mapclear` for every release |
//! | 1.12 | tophash states: `emptyRest`=0 added, `emptyOne`=1, `evacuatedX`=2, `evacuatedY`=3, `evacuatedEmpty`=4, `minTopHash`=5 (was `empty`=0, `evacuatedEmpty`=1, X=2, Y=3, `minTopHash`=4); lookups stop at `emptyRest`; deletes turn trailing `emptyOne`s into `emptyRest` | yes |
//! | 1.21 | `loadFactorNum = (bucketCnt * 13 / 16) * loadFactorDen` is `6 * 2 = 12` by integer division: load factor 6, not 6.5 (golang/go#63438) | yes: 1.21 grows at 13, 25, 49, … instead of 14, 27, 53, … (confirmed by the go1.21.13 golden data) |
//! | 1.22 | reordered to `loadFactorDen * bucketCnt * 13 / 16` = 13: 6.5 again | yes |
//! | 1.24 | swiss tables replace this map | yes: [`GoVersion::is_swiss`] picks the swiss map for 1.24+ |
//!
//! What changed between Go 1.24 and Go 1.27 in the swiss map
//! (`internal/runtime/maps/map.go`, `table.go`; read in go1.24.11,
//! go1.25.5, go1.26.6 and go1.27.3), and what this crate does with it:
//!
//! | release | change | modelled |
//! |---|---|---|
//! | 1.24 | swiss tables: groups of 8 slots behind a control word, tables of at most 1 024 slots under an extendible-hash directory, the small map of one group | yes |
//! | 1.24 | `Clear` returns at once when `used == 0`, so a map with tombstones and no entries keeps its tombstones (and its seed) | yes: [`GoVersion::clear_keeps_tombstones`] |
//! | 1.25 | `pruneTombstones`: an insert that finds `growthLeft == 0` first turns unneeded tombstones back into empty slots (if at least 10% of the capacity can be won back) | yes: [`GoVersion::prunes_tombstones`] |
//! | 1.25 | `tombstonePossible`: `Clear` also clears a map that has no entries but may have tombstones | yes |
//! | 1.27 | a full small map grows to a table only when a *new* key arrives (1.24–1.26 grow on any assignment to a full small map, an update included: `if m.used < abi.MapGroupSlots`) | yes: [`GoVersion::small_update_grows`] |
//! | 1.27 | `GOEXPERIMENT=mapsplitgroup` (off by default) lays a group out as keys then values | no: the default interleaved layout |

use std::fmt;
use std::str::FromStr;

/// Number of slots in one bucket (`bucketCnt`).
pub const BUCKET_CNT: usize = 8;

/// A Go release `1.N` from 1.9 to 1.27: 1.9–1.23 pick the classic `hmap`,
/// 1.24–1.27 the swiss-table map. The default is the newest, Go 1.27.
///
/// The same shape as `goslice::GoVersion`: a constant per release,
/// [`OLDEST`](Self::OLDEST)/[`LATEST`](Self::LATEST),
/// [`from_minor`](Self::from_minor), [`all`](Self::all), parsing from `1.N`
/// or `go1.N`, and `go1.N` as its `Display`.
///
/// ```
/// use gomap::GoVersion;
/// let v: GoVersion = "1.19".parse().unwrap();
/// assert_eq!(v, GoVersion::V1_19);
/// assert_eq!(v.to_string(), "go1.19");
/// assert_eq!(GoVersion::default(), GoVersion::LATEST);
/// assert!(!v.is_swiss());
/// assert!(GoVersion::from_minor(24).unwrap().is_swiss()); // swiss tables from 1.24 on
/// assert!(GoVersion::from_minor(28).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion {
    minor: u8,
}

macro_rules! releases {
    ($($name:ident = $minor:literal $(: $note:literal)?),* $(,)?) => {
        impl GoVersion {
            $(
                #[doc = concat!("Go 1.", stringify!($minor), "." $(, " ", $note)?)]
                pub const $name: GoVersion = GoVersion { minor: $minor };
            )*
        }
    };
}

releases! {
    V1_9 = 9: "Float `overLoadFactor`, tophash states without `emptyRest`.",
    V1_10 = 10: "Integer `overLoadFactor`.",
    V1_11 = 11: "`mapclear`.",
    V1_12 = 12: "`emptyRest`/`emptyOne` tophash states.",
    V1_13 = 13, V1_14 = 14, V1_15 = 15, V1_16 = 16, V1_17 = 17, V1_18 = 18,
    V1_19 = 19: "The release of the notes' oracle (Debian's `golang-1.19`).",
    V1_20 = 20,
    V1_21 = 21: "Load factor 6 (`loadFactorNum` 12).",
    V1_22 = 22,
    V1_23 = 23: "The last release with the classic map.",
    V1_24 = 24: "Swiss tables replace the classic map.",
    V1_25 = 25: "Tombstone pruning; `Clear` of a map with tombstones only.",
    V1_26 = 26,
    V1_27 = 27: "A full small map grows only for a new key (the default).",
}

impl GoVersion {
    /// The oldest release modelled.
    pub const OLDEST: GoVersion = GoVersion::V1_9;
    /// The newest release modelled, and the default.
    pub const LATEST: GoVersion = GoVersion::V1_27;
    /// The last release with the classic map.
    pub const LAST_CLASSIC: GoVersion = GoVersion::V1_23;

    /// Go `1.minor`, if it is a release this crate models.
    pub const fn from_minor(minor: u32) -> Option<GoVersion> {
        if minor >= GoVersion::OLDEST.minor as u32 && minor <= GoVersion::LATEST.minor as u32 {
            Some(GoVersion { minor: minor as u8 })
        } else {
            None
        }
    }

    /// The `N` of `1.N`.
    pub const fn minor(self) -> u32 {
        self.minor as u32
    }

    /// Every modelled release, oldest first.
    pub fn all() -> impl Iterator<Item = GoVersion> {
        (GoVersion::OLDEST.minor..=GoVersion::LATEST.minor).map(|minor| GoVersion { minor })
    }

    /// Does this release use swiss tables (Go 1.24+) rather than the
    /// classic map?
    #[inline]
    pub const fn is_swiss(self) -> bool {
        self.minor > GoVersion::LAST_CLASSIC.minor
    }

    /// Swiss map, Go 1.25+: an insert that finds its table out of growth
    /// room first prunes the tombstones no probe sequence needs
    /// (`pruneTombstones`).
    #[inline]
    pub const fn prunes_tombstones(self) -> bool {
        self.is_swiss() && self.minor >= 25
    }

    /// Swiss map, Go 1.24: `Clear` of a map with no entries returns at once,
    /// keeping its tombstones and its seed (1.25+ clear them).
    #[inline]
    pub const fn clear_keeps_tombstones(self) -> bool {
        self.minor == 24
    }

    /// Swiss map, Go 1.24–1.26: an assignment to a full small map (8
    /// entries) turns it into a table first, even when it updates a key
    /// already there; Go 1.27 looks for the key first.
    #[inline]
    pub const fn small_update_grows(self) -> bool {
        self.is_swiss() && self.minor <= 26
    }

    /// Panics unless this release has the classic map.
    #[track_caller]
    fn assert_classic(self, what: &str) {
        assert!(
            !self.is_swiss(),
            "gomap: {what} is a rule of the classic map (Go 1.9-1.23), not of {self}'s swiss tables"
        );
    }

    /// The tophash reserved states of this release (classic map).
    ///
    /// # Panics
    /// For a release with swiss tables (1.24+).
    #[track_caller]
    pub fn tophash_states(self) -> TopHashStates {
        self.assert_classic("tophash_states");
        if self.minor >= 12 {
            TopHashStates::GO1_12
        } else {
            TopHashStates::GO1_9
        }
    }

    /// `loadFactorNum` (with `loadFactorDen = 2`): 13 (load factor 6.5),
    /// except Go 1.21's 12 (`(bucketCnt * 13 / 16) * loadFactorDen` with
    /// integer division; fixed in 1.22).
    ///
    /// ```
    /// use gomap::GoVersion;
    /// assert_eq!(GoVersion::V1_21.load_factor_num(), 12);
    /// assert_eq!(GoVersion::V1_23.load_factor_num(), 13);
    /// ```
    #[inline]
    pub fn load_factor_num(self) -> u8 {
        if self.minor == 21 { 12 } else { 13 }
    }

    /// `overLoadFactor` as `makemap` calls it: would `hint` elements overflow
    /// the 6.5 load factor in `2^b` buckets? (Classic map; a swiss release
    /// answers with 1.23's rule.)
    ///
    /// ```
    /// use gomap::GoVersion;
    /// assert!(!GoVersion::V1_19.over_load_factor(8, 0));
    /// assert!(GoVersion::V1_9.over_load_factor(8, 0)); // float32 math, >=
    /// ```
    #[inline]
    pub fn over_load_factor(self, count: usize, b: u8) -> bool {
        if self.minor >= 10 {
            // Go 1.10+: count > bucketCnt && uintptr(count) > loadFactorNum*(bucketShift(B)/loadFactorDen)
            count > BUCKET_CNT
                && (count as u128)
                    > u128::from(self.load_factor_num()) * (bucket_shift(b) as u128 / 2)
        } else {
            // Go 1.9: count >= bucketCnt && float32(count) >= loadFactor*float32((uint64(1)<<B))
            count >= BUCKET_CNT && (count as f32) >= 6.5f32 * (bucket_shift(b) as f32)
        }
    }

    /// The growth test `mapassign` makes before adding a new key to a map
    /// that holds `count` keys: Go 1.10+ asks `overLoadFactor(h.count+1, B)`,
    /// Go 1.9 asked `overLoadFactor(int64(h.count), B)` with its own formula.
    #[inline]
    pub fn over_load_factor_on_assign(self, count: usize, b: u8) -> bool {
        if self.minor >= 10 {
            self.over_load_factor(count + 1, b)
        } else {
            self.over_load_factor(count, b)
        }
    }

    /// The smallest `count` for which
    /// [`over_load_factor_on_assign`](Self::over_load_factor_on_assign)`(count, b)`
    /// holds: the map grows when an insert finds `count` at or past it.
    ///
    /// `mapassign` evaluates the load-factor formula on every insert; the
    /// formula depends only on `count` and `B` and is monotone in `count`, so
    /// the map computes this threshold once per `B` and an insert compares
    /// one integer. (Go 1.10+ in closed form; Go 1.9's float32 formula by a
    /// binary search over the formula itself, so its rounding is kept.)
    ///
    /// ```
    /// use gomap::GoVersion;
    /// assert_eq!(GoVersion::V1_19.assign_growth_threshold(0), 8); // the 9th insert grows
    /// assert_eq!(GoVersion::V1_19.assign_growth_threshold(4), 104); // 6.5 * 16
    /// ```
    pub fn assign_growth_threshold(self, b: u8) -> usize {
        // No map holds more than isize::MAX entries, and `count + 1` must not
        // overflow inside the formula.
        let most = isize::MAX as usize;
        if self.minor >= 10 {
            // count+1 > bucketCnt && count+1 > loadFactorNum*(2^B/2), i.e.
            // count >= max(bucketCnt, loadFactorNum*(2^B/2)).
            let limit = u128::from(self.load_factor_num()) * (bucket_shift(b) as u128 / 2);
            let t = limit.max(BUCKET_CNT as u128);
            return if t > most as u128 {
                usize::MAX
            } else {
                t as usize
            };
        }
        // Go 1.9's float32 formula: search it (it runs once per growth).
        let (mut lo, mut hi) = (0usize, most);
        if !self.over_load_factor_on_assign(hi, b) {
            return usize::MAX;
        }
        // Invariant: the formula is false below `lo` and true at `hi`.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.over_load_factor_on_assign(mid, b) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi
    }

    /// `B` right after `make(map[k]v, hint)`: the smallest `B` that does not
    /// overflow the load factor (`makemap`; classic map).
    ///
    /// # Panics
    /// For a release with swiss tables (1.24+), which sizes a map by its
    /// directory and tables instead (see
    /// [`HashMap::with_capacity`](crate::HashMap::with_capacity)).
    ///
    /// ```
    /// use gomap::GoVersion;
    /// assert_eq!(GoVersion::V1_19.make_b(100), 4);
    /// assert_eq!(GoVersion::V1_19.make_b(8), 0);
    /// assert_eq!(GoVersion::V1_9.make_b(8), 1);
    /// ```
    #[track_caller]
    pub fn make_b(self, hint: usize) -> u8 {
        self.assert_classic("make_b");
        let mut b = 0u8;
        while self.over_load_factor(hint, b) {
            b += 1;
        }
        b
    }
}

impl Default for GoVersion {
    fn default() -> Self {
        GoVersion::LATEST
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go1.{}", self.minor)
    }
}

/// The error of parsing a [`GoVersion`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseGoVersionError {
    text: String,
}

impl fmt::Display for ParseGoVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown Go release `{}`: expected 1.{} to 1.{} (written 1.N or go1.N)",
            self.text,
            GoVersion::OLDEST.minor,
            GoVersion::LATEST.minor
        )
    }
}

impl std::error::Error for ParseGoVersionError {}

impl FromStr for GoVersion {
    type Err = ParseGoVersionError;

    /// Accepts `1.N` or `go1.N` (a patch suffix `1.N.P` is ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseGoVersionError { text: s.to_owned() };
        let rest = s
            .strip_prefix("go")
            .unwrap_or(s)
            .strip_prefix("1.")
            .ok_or_else(err)?;
        let minor = rest.split('.').next().unwrap_or_default();
        let minor: u32 = minor.parse().map_err(|_| err())?;
        GoVersion::from_minor(minor).ok_or_else(err)
    }
}

/// `1 << b` (`bucketShift`; like Go, the shift is masked to the word size).
#[inline]
pub(crate) fn bucket_shift(b: u8) -> usize {
    1usize << (b & (usize::BITS as u8 - 1))
}

/// `tooManyOverflowBuckets`: "too many" means (approximately) as many
/// overflow buckets as regular buckets, capped at `2^15` because `noverflow`
/// is a `uint16` (Go 1.9's `if B < 16 {...} return noverflow >= 1<<15` and
/// Go 1.10+'s `if B > 15 { B = 15 }` agree for every `B`).
///
/// ```
/// assert!(gomap::too_many_overflow_buckets(16, 4));
/// assert!(!gomap::too_many_overflow_buckets(15, 4));
/// assert!(gomap::too_many_overflow_buckets(1 << 15, 20));
/// ```
#[inline]
pub fn too_many_overflow_buckets(noverflow: u16, b: u8) -> bool {
    let b = b.min(15);
    noverflow >= 1u16 << b
}

/// The reserved tophash values of one release. A slot whose tophash is at
/// least `min_top_hash` holds a live entry; smaller values are states.
///
/// | Go 1.12+ | value | Go 1.9–1.11 | value |
/// |---|---|---|---|
/// | `emptyRest` (empty, and so is every later slot and overflow bucket) | 0 | `empty` | 0 |
/// | `emptyOne` (empty) | 1 | — | |
/// | `evacuatedX` | 2 | `evacuatedX` | 2 |
/// | `evacuatedY` | 3 | `evacuatedY` | 3 |
/// | `evacuatedEmpty` | 4 | `evacuatedEmpty` | 1 |
/// | `minTopHash` | 5 | `minTopHash` | 4 |
///
/// For Go 1.9–1.11, `empty_one` is Go's `empty` and `empty_rest` is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopHashStates {
    /// `emptyRest` (Go 1.12+), `None` before.
    pub empty_rest: Option<u8>,
    /// `emptyOne` (Go 1.12+) or `empty` (before).
    pub empty_one: u8,
    /// `evacuatedX`: moved to the same index of the new array.
    pub evacuated_x: u8,
    /// `evacuatedY`: moved to index + old size (doubling only).
    pub evacuated_y: u8,
    /// `evacuatedEmpty`: was empty when its bucket was evacuated.
    pub evacuated_empty: u8,
    /// `minTopHash`: smallest tophash of a filled slot.
    pub min_top_hash: u8,
}

impl TopHashStates {
    /// Go 1.12 to 1.23.
    pub const GO1_12: TopHashStates = TopHashStates {
        empty_rest: Some(0),
        empty_one: 1,
        evacuated_x: 2,
        evacuated_y: 3,
        evacuated_empty: 4,
        min_top_hash: 5,
    };
    /// Go 1.9 to 1.11.
    pub const GO1_9: TopHashStates = TopHashStates {
        empty_rest: None,
        empty_one: 0,
        evacuated_x: 2,
        evacuated_y: 3,
        evacuated_empty: 1,
        min_top_hash: 4,
    };

    /// `isEmpty`: an empty slot (`emptyRest`/`emptyOne`, or `empty`).
    #[inline]
    pub fn is_empty(&self, top: u8) -> bool {
        top <= self.empty_one
    }

    /// `evacuated(b)` applied to a bucket's first tophash.
    #[inline]
    pub fn evacuated(&self, top0: u8) -> bool {
        top0 > self.empty_one && top0 < self.min_top_hash
    }

    /// `tophash(hash)`: the top 8 bits of the hash, bumped past the states.
    #[inline]
    pub fn tophash(&self, hash: u64) -> u8 {
        let top = (hash >> 56) as u8;
        if top < self.min_top_hash {
            top + self.min_top_hash
        } else {
            top
        }
    }

    /// A short name for a tophash value (a state name or the number).
    pub fn name(&self, top: u8) -> String {
        if Some(top) == self.empty_rest {
            "emptyRest".into()
        } else if top == self.empty_one {
            if self.empty_rest.is_some() {
                "emptyOne".into()
            } else {
                "empty".into()
            }
        } else if top == self.evacuated_x {
            "evacuatedX".into()
        } else if top == self.evacuated_y {
            "evacuatedY".into()
        } else if top == self.evacuated_empty {
            "evacuatedEmpty".into()
        } else {
            format!("{top:#04x}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("1.9".parse::<GoVersion>().unwrap(), GoVersion::V1_9);
        assert_eq!("go1.23.9".parse::<GoVersion>().unwrap(), GoVersion::V1_23);
        for bad in ["1.8", "1.28", "2.0", "1.x", "", "1."] {
            assert!(bad.parse::<GoVersion>().is_err(), "{bad} parsed");
        }
        assert_eq!("go1.27.3".parse::<GoVersion>().unwrap(), GoVersion::V1_27);
        assert_eq!(GoVersion::all().count(), 19);
        assert_eq!(GoVersion::all().filter(|v| v.is_swiss()).count(), 4);
        assert!(GoVersion::all().all(|v| v.to_string().parse() == Ok(v)));
    }

    #[test]
    fn go_1_9_and_1_10_grow_on_the_same_inserts() {
        for b in 0..20u8 {
            for count in 0..2000usize {
                assert_eq!(
                    GoVersion::V1_9.over_load_factor_on_assign(count, b),
                    GoVersion::V1_19.over_load_factor_on_assign(count, b),
                    "count {count} B {b}"
                );
            }
        }
    }

    #[test]
    fn growth_threshold_is_where_the_formula_turns_true() {
        for v in GoVersion::all() {
            for b in 0..64u8 {
                let t = v.assign_growth_threshold(b);
                if t == usize::MAX {
                    let most = isize::MAX as usize;
                    assert!(!v.over_load_factor_on_assign(most, b), "{v} B={b}");
                    continue;
                }
                assert!(v.over_load_factor_on_assign(t, b), "{v} B={b} at {t}");
                assert!(
                    t == 0 || !v.over_load_factor_on_assign(t - 1, b),
                    "{v} B={b} below {t}"
                );
                if b < 16 {
                    for count in 0..t.min(1 << 20) {
                        assert!(!v.over_load_factor_on_assign(count, b));
                    }
                }
            }
        }
    }

    #[test]
    fn make_hints_differ_only_at_thresholds() {
        for hint in 0..5000usize {
            let (old, new) = (GoVersion::V1_9.make_b(hint), GoVersion::V1_19.make_b(hint));
            assert!(GoVersion::V1_21.make_b(hint) >= new);
            let at_threshold = hint == 8 || (hint % 13 == 0 && (hint / 13).is_power_of_two());
            assert_eq!(old != new, at_threshold, "hint {hint}: {old} vs {new}");
        }
    }
}
