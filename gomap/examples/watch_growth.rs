//! Watch Go's map grow: inserts keys one by one and prints the map's state
//! (Go 1.19 `runtime/map.go`'s `hmap` fields) whenever a growth starts, an
//! evacuation step moves `nevacuate`, or a growth finishes; then dumps the
//! buckets of a small map caught mid-evacuation, and shows same-size growth
//! caused by insert/delete churn. Last, Go 1.27's swiss map
//! (`internal/runtime/maps`) at each change of its directory or tables.
//!
//! ```text
//! cargo run -p gomap --example watch_growth
//! RUST_LOG=gomap=trace cargo run -p gomap --example watch_growth   # with tracing events
//! ```

use gomap::{GoVersion, HashMap, RandomSeed};
use tracing_subscriber::EnvFilter;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .init();

    println!(
        "== doubling: inserting keys 0..1000 into make(map[u64]u64) ({})",
        GoVersion::V1_19
    );
    let mut m: HashMap<u64, u64> =
        HashMap::with_options(0, RandomSeed::fixed(2024), GoVersion::V1_19);
    let mut last = String::new();
    for k in 0..1000u64 {
        m.insert(k, k * k);
        let stats = m.stats();
        let s = stats.classic().expect("a Go 1.19 map is the classic hmap");
        let line = format!("{s}");
        // print on growth start/finish, and every evacuation step while small
        let step = s
            .evacuation
            .filter(|_| s.b <= 5)
            .map(|e| (e.nevacuate, e.evacuated));
        let key = format!("{} {} {step:?}", s.b, s.evacuation.is_some());
        if key != last {
            println!("after insert #{:<4} {line}", k + 1);
            last = key;
        }
    }

    println!();
    println!("== a small map caught mid-evacuation");
    let mut small: HashMap<u64, char> =
        HashMap::with_options(0, RandomSeed::fixed(7), GoVersion::V1_19);
    let mut k = 0u64;
    while !(small.b() == 4 && small.is_growing()) {
        small.insert(k, char::from(b'a' + (k % 26) as u8));
        k += 1;
    }
    print!("{}", small.dump());
    println!("one more insert (growWork evacuates up to two old buckets):");
    small.insert(k, '!');
    print!("{}", small.dump());

    println!();
    println!("== same-size growth from churn (insert 100 new keys, delete the previous 100)");
    let mut churn: HashMap<u64, u64> =
        HashMap::with_options(0, RandomSeed::fixed(5), GoVersion::V1_19);
    let mut next = 0u64;
    for round in 0..60 {
        for _ in 0..100 {
            let was = churn.is_same_size_grow();
            churn.insert(next, next);
            if churn.is_same_size_grow() && !was {
                println!(
                    "round {round:>2}: same-size growth started: {}",
                    churn.stats()
                );
            }
            next += 1;
        }
        if round > 0 {
            for k in next - 200..next - 100 {
                churn.remove(&k);
            }
        }
    }
    println!("after churn: {}", churn.stats());
    println!("overflow-chain histogram: {:?}", churn.overflow_histogram());

    println!();
    println!(
        "== swiss tables: inserting keys 0..4000 into make(map[u64]u64) ({})",
        GoVersion::V1_27
    );
    let mut swiss: HashMap<u64, u64> =
        HashMap::with_options(0, RandomSeed::fixed(2024), GoVersion::V1_27);
    let mut last = None;
    for k in 0..4000u64 {
        swiss.insert(k, k * k);
        let stats = swiss.stats();
        let s = stats.swiss().expect("a Go 1.27 map is swiss tables");
        // print when the small map becomes a table, a table grows or
        // splits, or the directory doubles
        let shape = (s.dir_len, s.tables.len(), s.total_capacity);
        if last.replace(shape) != Some(shape) {
            println!("after insert #{:<4} {s}", k + 1);
        }
    }
}
