//! gomap's swiss map beside hashbrown on the `u64` keys of
//! `benches/map.rs` and of Go's twin `benches/go/mapbench.go`: per N, ns
//! per key for inserting N fresh keys into an empty map, looking all of
//! them up (hit) and looking up N absent keys (miss), the two maps timed in
//! turn, three rounds, the last printed. Both hash with the same
//! `RandomSeed`, so the ratio is the table's. A quick check between
//! criterion runs (`cargo xtask bench map` is the measurement).
//!
//! ```text
//! cargo run --release -p gomap --example swiss_vs_hashbrown -- 100000
//! n=100000 hit gomap=… hashbrown=… ratio=…
//! ```

use std::hint::black_box;
use std::time::Instant;

use gomap::RandomSeed;

type Swiss = gomap::HashMap<u64, u64, RandomSeed>;
type Brown = hashbrown::HashMap<u64, u64, RandomSeed>;

const SEED: u64 = 0x5eed;

/// The bench's keys: `i ^ salt`, spread by a multiply.
fn keys(n: usize, salt: u64) -> Vec<u64> {
    (0..n as u64)
        .map(|i| (i ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect()
}

/// The two maps under one interface.
trait Map {
    fn new_map() -> Self;
    fn put(&mut self, k: u64, v: u64);
    fn lookup(&self, k: &u64) -> Option<&u64>;
}

/// The same three calls on either map (both take the same hasher).
macro_rules! impl_map {
    ($t:ty) => {
        impl Map for $t {
            fn new_map() -> Self {
                <$t>::with_hasher(RandomSeed::fixed(SEED))
            }
            #[inline]
            fn put(&mut self, k: u64, v: u64) {
                self.insert(k, v);
            }
            #[inline]
            fn lookup(&self, k: &u64) -> Option<&u64> {
                self.get(k)
            }
        }
    };
}
impl_map!(Swiss);
impl_map!(Brown);

fn filled<M: Map>(ks: &[u64]) -> M {
    let mut m = M::new_map();
    for (i, &k) in ks.iter().enumerate() {
        m.put(k, i as u64);
    }
    m
}

/// ns per key of `reps` passes over `probe`.
fn lookups<M: Map>(m: &M, probe: &[u64], reps: usize) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        let mut sum = 0u64;
        for k in probe {
            sum = sum.wrapping_add(*m.lookup(k).unwrap_or(&1));
        }
        black_box(sum);
    }
    t.elapsed().as_nanos() as f64 / (reps * probe.len()) as f64
}

/// ns per key of `reps` fills of an empty map.
fn inserts<M: Map>(ks: &[u64], reps: usize) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        black_box(filled::<M>(ks));
    }
    t.elapsed().as_nanos() as f64 / (reps * ks.len()) as f64
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |s| s.parse().expect("N: a number of keys"));
    let reps = (20_000_000 / n.max(1)).max(3);
    let (present, absent) = (keys(n, 1), keys(n, 0xdead_beef));
    let (swiss, brown): (Swiss, Brown) = (filled(&present), filled(&present));
    let mut lines = Vec::new();
    for _round in 0..3 {
        lines.clear();
        let pair = |what: &str, ours: f64, peer: f64| {
            format!(
                "n={n} {what} gomap={ours:.2} hashbrown={peer:.2} ratio={:.2}",
                ours / peer
            )
        };
        lines.push(pair(
            "insert",
            inserts::<Swiss>(&present, reps.min(200)),
            inserts::<Brown>(&present, reps.min(200)),
        ));
        lines.push(pair(
            "hit",
            lookups(&swiss, &present, reps),
            lookups(&brown, &present, reps),
        ));
        lines.push(pair(
            "miss",
            lookups(&swiss, &absent, reps),
            lookups(&brown, &absent, reps),
        ));
    }
    for line in &lines {
        println!("{line}");
    }
}
