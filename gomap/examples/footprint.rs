//! Bytes per entry of gomap's `HashMap` (Go 1.19's bucket layout: 8 tophash
//! bytes + 8 keys + 8 values + an overflow link per bucket, at most 6.5
//! entries per bucket on average, plus `makeBucketArray`'s preallocated
//! overflow buckets) beside hashbrown's `allocation_size()`. Table memory
//! only (a `String` key's heap bytes are not counted).
//!
//! ```text
//! cargo run --release -p gomap --example footprint
//! ```

use gomap::RandomSeed;

fn row<K: std::hash::Hash + Eq + Clone>(kind: &str, keys: &[K]) {
    let mut go: gomap::HashMap<K, u64, RandomSeed> =
        gomap::HashMap::with_hasher(RandomSeed::fixed(1));
    let mut hb: hashbrown::HashMap<K, u64, RandomSeed> =
        hashbrown::HashMap::with_hasher(RandomSeed::fixed(1));
    for (i, k) in keys.iter().enumerate() {
        go.insert(k.clone(), i as u64);
        hb.insert(k.clone(), i as u64);
    }
    let n = keys.len() as f64;
    println!(
        "{kind:<12} n={:>8}  gomap {:>6.1} B/entry (B={}, overflow buckets {})  hashbrown {:>6.1} B/entry",
        keys.len(),
        go.allocated_bytes() as f64 / n,
        go.b(),
        go.overflow_buckets(),
        hb.allocation_size() as f64 / n,
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
