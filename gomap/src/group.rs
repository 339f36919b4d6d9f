//! A bucket's 8 tophash bytes (`bmap.tophash` of Go 1.19 `runtime/map.go`)
//! read as one little-endian word, and the tests lookups and inserts make on
//! it, all eight slots at once.
//!
//! Go's loops test the bytes one by one (`b.tophash[i] != top`,
//! `isEmpty(b.tophash[i])`, `b.tophash[i] == emptyRest`); the answers here
//! are the same, found with word arithmetic, as hashbrown tests its control
//! bytes in `control/group`. Bit 7 of byte `i` of a mask stands for slot `i`.
//! This is the bottom of the crate with `version.rs`: it knows nothing of
//! buckets' memory.

use crate::version::TopHashStates;

/// A bucket's tophash array as a little-endian `u64` (byte `i` = slot `i`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TopHashWord(u64);

/// Eight copies of a byte.
#[inline]
const fn splat(b: u8) -> u64 {
    (b as u64) * 0x0101_0101_0101_0101
}

impl TopHashWord {
    /// The word of a tophash array.
    #[inline]
    pub(crate) fn from_bytes(tophash: [u8; 8]) -> Self {
        TopHashWord(u64::from_le_bytes(tophash))
    }

    /// Bit 7 of every byte equal to `b`, exactly (each byte is tested on its
    /// own, so a match never spills into its neighbour).
    #[inline]
    pub(crate) fn match_byte(self, b: u8) -> SlotMask {
        let x = self.0 ^ splat(b);
        SlotMask(
            !(((x & 0x7f7f_7f7f_7f7f_7f7f) + 0x7f7f_7f7f_7f7f_7f7f) | x) & 0x8080_8080_8080_8080,
        )
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

/// A set of slots of one bucket: bit 7 of byte `i` for slot `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SlotMask(u64);

impl SlotMask {
    /// Is no slot in the set?
    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
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
