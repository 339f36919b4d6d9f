//! Bytes per entry of gomap's `HashMap` in both designs beside hashbrown's
//! `allocation_size()`: Go 1.27's swiss tables (a group is an 8-byte
//! control word and 8 slots of key and value, at most 7/8 full; tables of
//! up to 1 024 slots) and Go 1.23's classic buckets (8 tophash bytes, 8
//! keys, 8 values and an overflow link a bucket, at most 6.5 entries a
//! bucket on average, plus `makeBucketArray`'s preallocated overflow
//! buckets). Table memory only (a `String` key's heap bytes are not
//! counted).
//!
//! ```text
//! cargo run --release -p gomap --example footprint
//! ```

use gomap::{GoVersion, RandomSeed};

type Go<K> = gomap::HashMap<K, u64, RandomSeed>;

fn filled<K: std::hash::Hash + Eq + Clone>(keys: &[K], version: GoVersion) -> Go<K> {
    let mut m = Go::with_options(0, RandomSeed::fixed(1), version);
    for (i, k) in keys.iter().enumerate() {
        m.insert(k.clone(), i as u64);
    }
    m
}

fn row<K: std::hash::Hash + Eq + Clone>(kind: &str, keys: &[K]) {
    let swiss = filled(keys, GoVersion::LATEST);
    let classic = filled(keys, GoVersion::LAST_CLASSIC);
    let mut hb: hashbrown::HashMap<K, u64, RandomSeed> =
        hashbrown::HashMap::with_hasher(RandomSeed::fixed(1));
    for (i, k) in keys.iter().enumerate() {
        hb.insert(k.clone(), i as u64);
    }
    let n = keys.len() as f64;
    let per_entry = |bytes: usize| bytes as f64 / n;
    println!(
        "{kind:<12} n={:>8}  swiss {:>6.1} B/entry (tables {}, capacity {})  \
         classic {:>6.1} B/entry (B={}, overflow buckets {})  hashbrown {:>6.1} B/entry",
        keys.len(),
        per_entry(swiss.allocated_bytes()),
        swiss.tables().len(),
        swiss.total_capacity(),
        per_entry(classic.allocated_bytes()),
        classic.b(),
        classic.overflow_buckets(),
        per_entry(hb.allocation_size()),
    );
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .init();
    for n in [1_000u64, 100_000, 1_000_000] {
        let keys: Vec<u64> = (0..n)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        row("u64->u64", &keys);
        let skeys: Vec<String> = keys.iter().map(|k| format!("key-{k:x}")).collect();
        row("String->u64", &skeys);
    }
}
