//! The map's hash seed (`hmap.hash0`) and the default hasher, plus the
//! runtime's `fastrand` (Go 1.19 `runtime/stubs.go: fastrand`, a wyrand).
//!
//! Go hashes a key with `t.hasher(key, uintptr(h.hash0))` where `hash0` is a
//! per-map random seed drawn by `makemap`. Here the hasher is a
//! [`BuildHasher`] type parameter, as in std and hashbrown. The default,
//! [`RandomSeed`], draws its `hash0` at construction like `makemap`;
//! [`RandomSeed::fixed`] pins it for reproducible runs. The hash function
//! itself is a folded-multiply mixer in the spirit of Go's `memhash`
//! fallback (not Go's AES hash: bucket choice depends on the hash, never on
//! which function produced it).

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};

const MUL0: u64 = 0x9E37_79B9_7F4A_7C15;
const MUL1: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// A [`BuildHasher`] carrying the map's seed, Go's `hash0`.
///
/// ```
/// use std::hash::BuildHasher;
/// use gomap::RandomSeed;
/// let a = RandomSeed::fixed(7);
/// let b = RandomSeed::fixed(7);
/// assert_eq!(a.hash_one(42u64), b.hash_one(42u64));
/// assert_eq!(a.hash0(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomSeed {
    hash0: u64,
}

impl RandomSeed {
    /// A fresh random seed, as `makemap` draws `h.hash0 = fastrand()`.
    pub fn new() -> Self {
        RandomSeed { hash0: fastrand() }
    }

    /// A fixed seed, for reproducible bucket layouts.
    pub fn fixed(hash0: u64) -> Self {
        RandomSeed { hash0 }
    }

    /// The seed (`hmap.hash0`).
    pub fn hash0(&self) -> u64 {
        self.hash0
    }
}

impl Default for RandomSeed {
    fn default() -> Self {
        Self::new()
    }
}

impl BuildHasher for RandomSeed {
    type Hasher = GoHasher;
    #[inline]
    fn build_hasher(&self) -> GoHasher {
        GoHasher {
            acc: self.hash0 ^ MUL1,
        }
    }
}

/// The hasher [`RandomSeed`] builds: a folded multiply per 8 bytes of input.
#[derive(Clone, Debug)]
pub struct GoHasher {
    acc: u64,
}

impl Hasher for GoHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.acc = folded_multiply(self.acc ^ w, MUL0);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            let w = u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59);
            self.acc = folded_multiply(self.acc ^ w, MUL0);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.acc = folded_multiply(self.acc ^ i, MUL0);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        folded_multiply(self.acc, MUL1)
    }
}

thread_local! {
    static RAND: Cell<u64> = Cell::new(initial_rand_state());
}

fn initial_rand_state() -> u64 {
    // std's RandomState is seeded from the OS once per thread.
    std::collections::hash_map::RandomState::new().hash_one(0x0067_6f6d_6170_u64)
}

/// `fastrand`: a per-thread wyrand stream (Go 1.19 uses wyrand on 64-bit too).
pub(crate) fn fastrand() -> u64 {
    RAND.with(|s| {
        let x = s.get().wrapping_add(0xa076_1d64_78bd_642f);
        s.set(x);
        folded_multiply(x, x ^ 0xe703_7ed1_a0b4_28db)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_change_the_hash_and_fixed_seeds_repeat() {
        let a = RandomSeed::fixed(1);
        let b = RandomSeed::fixed(2);
        assert_ne!(a.hash_one("key"), b.hash_one("key"));
        assert_eq!(a.hash_one("key"), RandomSeed::fixed(1).hash_one("key"));
        assert_ne!(RandomSeed::new().hash0(), RandomSeed::new().hash0());
    }

    #[test]
    fn sequential_keys_spread_over_low_and_high_bits() {
        let s = RandomSeed::fixed(0);
        let mut low = [0u32; 64];
        let mut high = [0u32; 256];
        for k in 0..64_000u64 {
            let h = s.hash_one(k);
            low[(h & 63) as usize] += 1;
            high[(h >> 56) as usize] += 1;
        }
        assert!(low.iter().all(|&n| (800..1200).contains(&n)), "{low:?}");
        assert!(high.iter().all(|&n| (150..360).contains(&n)), "{high:?}");
    }
}
