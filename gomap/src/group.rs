//! Eight control bytes read as one little-endian word, and the tests lookups
//! and inserts make on them, all eight slots at once: a classic bucket's
//! tophash array (`bmap.tophash` of Go 1.19 `runtime/map.go`) and a swiss
//! group's control word (`ctrlGroup` of Go 1.27
//! `internal/runtime/maps/group.go`).
//!
//! The classic map's loops test the bytes one by one (`b.tophash[i] != top`,
//! `isEmpty(b.tophash[i])`, `b.tophash[i] == emptyRest`); the answers here
//! are the same, found with word arithmetic, as hashbrown tests its control
//! bytes in `control/group`. The swiss map's `matchH2`, `matchEmpty`,
//! `matchEmptyOrDeleted` and `matchFull` are word arithmetic in Go too
//! (SIMD intrinsics on amd64, which are exact: so is `match_h2` here, where
//! Go's portable version may report false positives). Bit 7 of byte `i` of
//! a mask stands for slot `i`. This is the bottom of the crate with
//! `version.rs`: it knows nothing of buckets' or groups' memory.

use crate::version::TopHashStates;

/// A bucket's tophash array as a little-endian `u64` (byte `i` = slot `i`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TopHashWord(u64);

/// Eight copies of a byte.
#[inline]
const fn splat(b: u8) -> u64 {
    (b as u64) * 0x0101_0101_0101_0101
}

/// Bit 7 of every byte.
const MSB: u64 = splat(0x80);

/// Bit 7 of every byte of `word` equal to `b`, exactly (each byte is tested
/// on its own, so a match never spills into its neighbour).
#[inline]
fn match_byte(word: u64, b: u8) -> SlotMask {
    let x = word ^ splat(b);
    SlotMask(!(((x & 0x7f7f_7f7f_7f7f_7f7f) + 0x7f7f_7f7f_7f7f_7f7f) | x) & MSB)
}

impl TopHashWord {
    /// The word of a tophash array.
    #[inline]
    pub(crate) fn from_bytes(tophash: [u8; 8]) -> Self {
        TopHashWord(u64::from_le_bytes(tophash))
    }

    /// The slots whose tophash is `b`.
    #[inline]
    pub(crate) fn match_byte(self, b: u8) -> SlotMask {
        match_byte(self.0, b)
    }

    /// The slots whose tophash is at least `min_top`: the live ones when
    /// `min_top` is the release's `minTopHash` (at most 128). Exact: each
    /// byte's low seven bits plus `0x80 - min_top` stay below `0x100`, so
    /// nothing carries into the next byte.
    #[inline]
    pub(crate) fn at_least(self, min_top: u8) -> SlotMask {
        debug_assert!(min_top <= 0x80);
        let low = (self.0 & 0x7f7f_7f7f_7f7f_7f7f) + splat(0x80 - min_top);
        SlotMask((low | self.0) & 0x8080_8080_8080_8080)
    }

    /// Does the rest of the chain hold no entry? That is what an `emptyRest`
    /// slot says (Go 1.12+) about itself, every later slot and every later
    /// bucket of the chain, so lookups stop at the first bucket that has
    /// one. Always false before Go 1.12, which has no `emptyRest`.
    #[inline]
    pub(crate) fn ends_chain(self, st: &TopHashStates) -> bool {
        // emptyRest is 0 whenever it exists, so this is "has a zero byte":
        // the classic test, exact for "any" (not for which byte).
        const { assert!(matches!(TopHashStates::GO1_12.empty_rest, Some(0))) };
        st.empty_rest.is_some()
            && self.0.wrapping_sub(0x0101_0101_0101_0101) & !self.0 & 0x8080_8080_8080_8080 != 0
    }

    /// The first slot that `isEmpty` calls empty (`emptyRest` or `emptyOne`
    /// from Go 1.12, `empty` before): where `mapassign` would put a new key
    /// if this bucket is the first in the chain with room.
    #[inline]
    pub(crate) fn first_empty(self, st: &TopHashStates) -> Option<usize> {
        let mut empties = self.match_byte(st.empty_one).0;
        if let Some(rest) = st.empty_rest {
            empties |= self.match_byte(rest).0;
        }
        SlotMask(empties).first()
    }
}

/// A swiss control byte: `ctrlEmpty`.
pub(crate) const CTRL_EMPTY: u8 = 0b1000_0000;
/// A swiss control byte: `ctrlDeleted`, a tombstone.
pub(crate) const CTRL_DELETED: u8 = 0b1111_1110;

/// A swiss group's control word (`ctrlGroup`): byte `i` is slot `i`'s
/// control byte, read as a little-endian `u64`.
///
/// | state | bits |
/// |---|---|
/// | empty (`ctrlEmpty`) | `1000 0000` |
/// | deleted (`ctrlDeleted`, a tombstone) | `1111 1110` |
/// | full | `0hhh hhhh`: the hash's low 7 bits (H2) |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CtrlWord(pub(crate) u64);

impl CtrlWord {
    /// Every slot empty (`setEmpty`, `abi.MapCtrlEmpty`).
    pub(crate) const EMPTY: CtrlWord = CtrlWord(splat(CTRL_EMPTY));

    /// Slot `i`'s control byte (`ctrlGroup.get`).
    #[inline]
    pub(crate) fn get(self, i: usize) -> u8 {
        (self.0 >> (8 * (i & 7))) as u8
    }

    /// `matchH2`: the full slots whose control byte is `h2` (a 7-bit value).
    #[inline]
    pub(crate) fn match_h2(self, h2: u8) -> SlotMask {
        debug_assert!(h2 < 0x80);
        match_byte(self.0, h2)
    }

    /// `matchEmpty`: a slot is empty iff bit 7 is set and bit 1 is not.
    #[inline]
    pub(crate) fn match_empty(self) -> SlotMask {
        SlotMask(self.0 & !(self.0 << 6) & MSB)
    }

    /// `matchEmptyOrDeleted`: bit 7 set.
    #[inline]
    pub(crate) fn match_empty_or_deleted(self) -> SlotMask {
        SlotMask(self.0 & MSB)
    }

    /// `matchFull`: bit 7 clear.
    #[inline]
    pub(crate) fn match_full(self) -> SlotMask {
        SlotMask(!self.0 & MSB)
    }
}

/// A set of slots of one bucket or group: bit 7 of byte `i` for slot `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SlotMask(u64);

impl SlotMask {
    /// No slot.
    pub(crate) const EMPTY: SlotMask = SlotMask(0);

    /// Is no slot in the set?
    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many slots are in the set (`bitset.count`).
    #[inline]
    pub(crate) fn count(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The set less its slots below `i` (`bitset.removeBelow`).
    #[inline]
    pub(crate) fn remove_below(self, i: usize) -> SlotMask {
        SlotMask(self.0 & !((1u64 << (8 * (i & 7))) - 1))
    }

    /// The set's slots below `n` (all of them for `n >= 8`).
    #[inline]
    pub(crate) fn keep_below(self, n: usize) -> SlotMask {
        if n >= 8 {
            self
        } else {
            SlotMask(self.0 & ((1u64 << (8 * n)) - 1))
        }
    }

    /// The lowest slot in the set.
    #[inline]
    pub(crate) fn first(self) -> Option<usize> {
        (self.0 != 0).then(|| (self.0.trailing_zeros() / 8) as usize)
    }

    /// Takes the lowest slot out of a set that is not empty.
    #[inline]
    pub(crate) fn pop_first(&mut self) -> usize {
        debug_assert!(!self.is_empty());
        let slot = (self.0.trailing_zeros() / 8) as usize;
        self.0 &= self.0.wrapping_sub(1);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::TopHashStates;

    /// The slots in a mask, lowest first.
    fn slots(mut mask: SlotMask) -> Vec<usize> {
        let mut out = Vec::new();
        while !mask.is_empty() {
            out.push(mask.pop_first());
        }
        out
    }

    /// A few words with few distinct byte values, so matches and near
    /// misses (a byte one above or below) are common.
    fn words() -> Vec<[u8; 8]> {
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut words = vec![
            [0, 5, 0, 1, 5, 255, 5, 0],
            [0; 8],
            [255; 8],
            [1, 0, 1, 0, 1, 0, 1, 0],
            [1; 8],
            [4, 5, 6, 0x7f, 0x80, 0x81, 0xff, 3],
        ];
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            words.push((x & 0x0303_0303_0303_0303 | 0x8000_0000_0000_0000).to_le_bytes());
        }
        words
    }

    #[test]
    fn match_byte_is_exact() {
        for bytes in words() {
            for b in [0u8, 1, 2, 3, 5, 128, 255] {
                let want: Vec<usize> = (0..8).filter(|&i| bytes[i] == b).collect();
                let got = slots(TopHashWord::from_bytes(bytes).match_byte(b));
                assert_eq!(got, want, "{bytes:?} {b}");
            }
        }
    }

    #[test]
    fn at_least_is_exact() {
        for bytes in words() {
            for min in [0u8, 1, 4, 5, 6, 127, 128] {
                let want: Vec<usize> = (0..8).filter(|&i| bytes[i] >= min).collect();
                let got = slots(TopHashWord::from_bytes(bytes).at_least(min));
                assert_eq!(got, want, "{bytes:?} >= {min}");
            }
        }
    }

    /// Control words: every byte one of empty, deleted or a 7-bit H2 from a
    /// small range, so H2 matches and near misses are common.
    fn ctrl_words() -> Vec<[u8; 8]> {
        words()
            .into_iter()
            .map(|w| {
                w.map(|b| match b & 0x0f {
                    0..=3 => CTRL_EMPTY,
                    4..=6 => CTRL_DELETED,
                    n => n & 0x7f,
                })
            })
            .chain([[CTRL_EMPTY; 8], [CTRL_DELETED; 8], [0x7f; 8], [0; 8]])
            .collect()
    }

    #[test]
    fn control_word_matches_are_exact() {
        for bytes in ctrl_words() {
            let word = CtrlWord(u64::from_le_bytes(bytes));
            let want = |f: &dyn Fn(u8) -> bool| -> Vec<usize> {
                (0..8).filter(|&i| f(bytes[i])).collect()
            };
            for h2 in [0u8, 1, 7, 8, 9, 0x7e, 0x7f] {
                assert_eq!(
                    slots(word.match_h2(h2)),
                    want(&|b| b == h2),
                    "{bytes:?} {h2}"
                );
            }
            assert_eq!(slots(word.match_empty()), want(&|b| b == CTRL_EMPTY));
            assert_eq!(slots(word.match_empty_or_deleted()), want(&|b| b >= 0x80));
            assert_eq!(slots(word.match_full()), want(&|b| b < 0x80));
            for (i, &byte) in bytes.iter().enumerate() {
                assert_eq!(word.get(i), byte);
                assert_eq!(word.match_full().0 >> (8 * i + 7) & 1 == 1, byte < 0x80);
                let above: Vec<usize> = want(&|b| b < 0x80)
                    .into_iter()
                    .filter(|&j| j >= i)
                    .collect();
                assert_eq!(slots(word.match_full().remove_below(i)), above);
                let below: Vec<usize> =
                    want(&|b| b < 0x80).into_iter().filter(|&j| j < i).collect();
                assert_eq!(slots(word.match_full().keep_below(i)), below);
            }
            assert_eq!(word.match_full().count(), want(&|b| b < 0x80).len());
        }
    }

    #[test]
    fn empties_and_chain_ends_agree_with_the_byte_loops() {
        for st in [TopHashStates::GO1_12, TopHashStates::GO1_9] {
            for bytes in words() {
                let word = TopHashWord::from_bytes(bytes);
                let first_empty = (0..8).find(|&i| st.is_empty(bytes[i]));
                assert_eq!(word.first_empty(&st), first_empty, "{bytes:?}");
                let ends = st.empty_rest.is_some_and(|rest| bytes.contains(&rest));
                assert_eq!(word.ends_chain(&st), ends, "{bytes:?}");
            }
        }
    }
}
