//! Criterion benches for gomap's `HashMap` — `gomap` is Go 1.27's swiss
//! tables (the default), `gomap-classic` Go 1.23's bucket map — beside
//! `hashbrown::HashMap` (a swiss table too) and `std::collections::HashMap`,
//! all hashing with the same `RandomSeed` hasher, so the ratio is the
//! table's. `gomap-classic` runs last in each group, so the report's
//! ratio column is the swiss map's.
//! Shapes: insert N fresh keys (1k, 100k, 1M), lookup hit, lookup miss,
//! remove, iterate; `u64` keys and `String` keys.
//!
//! Run: `cargo xtask bench map` (add `-- --warm-up-time 1 --measurement-time 2`
//! for a quick pass).
//!
//! glibc's allocator is pinned to one policy first (see [`same_allocator_for_all`]):
//! its default moves the line between "fresh pages from the kernel" and
//! "memory reused from the heap" after every large `free`, so whichever
//! map ran *before* decided whether the next one paid page faults.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
use gomap::{GoVersion, RandomSeed};

type Go<K> = gomap::HashMap<K, u64, RandomSeed>;
type Brown<K> = hashbrown::HashMap<K, u64, RandomSeed>;
type Std<K> = std::collections::HashMap<K, u64, RandomSeed>;

const SEED: u64 = 0x5eed;

fn u64_keys(n: usize, salt: u64) -> Vec<u64> {
    (0..n as u64)
        .map(|i| (i ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect()
}

fn string_keys(n: usize, salt: u64) -> Vec<String> {
    u64_keys(n, salt)
        .iter()
        .map(|k| format!("key-{k:x}"))
        .collect()
}

/// The operations every map under test offers.
trait Map<K>: Sized {
    fn new_map() -> Self;
    fn put(&mut self, k: K, v: u64);
    fn lookup(&self, k: &K) -> Option<&u64>;
    fn del(&mut self, k: &K) -> Option<u64>;
    fn sum(&self) -> u64;
}

macro_rules! impl_map {
    ($t:ident) => {
        impl<K: std::hash::Hash + Eq + Clone> Map<K> for $t<K> {
            fn new_map() -> Self {
                $t::with_hasher(RandomSeed::fixed(SEED))
            }
            #[inline]
            fn put(&mut self, k: K, v: u64) {
                self.insert(k, v);
            }
            #[inline]
            fn lookup(&self, k: &K) -> Option<&u64> {
                self.get(k)
            }
            #[inline]
            fn del(&mut self, k: &K) -> Option<u64> {
                self.remove(k)
            }
            fn sum(&self) -> u64 {
                self.values().fold(0u64, |a, v| a.wrapping_add(*v))
            }
        }
    };
}
impl_map!(Go);
impl_map!(Brown);
impl_map!(Std);

/// gomap under the classic map's rules (Go 1.23).
#[derive(Clone)]
struct Classic<K>(Go<K>);

impl<K: std::hash::Hash + Eq + Clone> Map<K> for Classic<K> {
    fn new_map() -> Self {
        Classic(Go::with_options(
            0,
            RandomSeed::fixed(SEED),
            GoVersion::LAST_CLASSIC,
        ))
    }
    #[inline]
    fn put(&mut self, k: K, v: u64) {
        self.0.put(k, v);
    }
    #[inline]
    fn lookup(&self, k: &K) -> Option<&u64> {
        self.0.lookup(k)
    }
    #[inline]
    fn del(&mut self, k: &K) -> Option<u64> {
        self.0.del(k)
    }
    fn sum(&self) -> u64 {
        self.0.sum()
    }
}

fn filled<K: Clone, M: Map<K>>(keys: &[K]) -> M {
    let mut m = M::new_map();
    for (i, k) in keys.iter().enumerate() {
        m.put(k.clone(), i as u64);
    }
    m
}

fn bench_kind<K>(c: &mut Criterion, kind: &str, make_keys: fn(usize, u64) -> Vec<K>)
where
    K: std::hash::Hash + Eq + Clone,
    Go<K>: Clone,
    Brown<K>: Clone,
    Std<K>: Clone,
{
    // insert N fresh keys into an empty map (growth included)
    for n in [1_000usize, 100_000, 1_000_000] {
        let keys = make_keys(n, 1);
        let mut g = c.benchmark_group(format!("insert_{kind}"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 100_000 {
            g.sample_size(10);
        }
        macro_rules! one {
            ($g:ident, $name:literal, $t:ty) => {
                $g.bench_with_input(BenchmarkId::new($name, n), &keys, |b, keys| {
                    b.iter_batched(
                        || keys.clone(),
                        |keys| {
                            let mut m = <$t>::new_map();
                            for (i, k) in keys.into_iter().enumerate() {
                                m.put(k, i as u64);
                            }
                            m
                        },
                        BatchSize::LargeInput,
                    )
                });
            };
        }
        one!(g, "gomap", Go<K>);
        one!(g, "hashbrown", Brown<K>);
        one!(g, "std", Std<K>);
        one!(g, "gomap-classic", Classic<K>);
        g.finish();
    }

    for n in [1_000usize, 100_000, 1_000_000] {
        let keys = make_keys(n, 1);
        let misses = make_keys(n, 0xdead_beef);
        let (go, brown, std, classic): (Go<K>, Brown<K>, Std<K>, Classic<K>) =
            (filled(&keys), filled(&keys), filled(&keys), filled(&keys));

        let mut g = c.benchmark_group(format!("lookup_hit_{kind}"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 1_000_000 {
            g.sample_size(10);
        }
        macro_rules! hit {
            ($g:ident, $name:literal, $m:expr, $probe:expr) => {
                $g.bench_function(BenchmarkId::new($name, n), |b| {
                    b.iter(|| {
                        let mut s = 0u64;
                        for k in $probe {
                            s = s.wrapping_add(*$m.lookup(k).unwrap_or(&1));
                        }
                        black_box(s)
                    })
                });
            };
        }
        hit!(g, "gomap", go, &keys);
        hit!(g, "hashbrown", brown, &keys);
        hit!(g, "std", std, &keys);
        hit!(g, "gomap-classic", classic, &keys);
        g.finish();

        let mut g = c.benchmark_group(format!("lookup_miss_{kind}"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 1_000_000 {
            g.sample_size(10);
        }
        hit!(g, "gomap", go, &misses);
        hit!(g, "hashbrown", brown, &misses);
        hit!(g, "std", std, &misses);
        hit!(g, "gomap-classic", classic, &misses);
        g.finish();

        let mut g = c.benchmark_group(format!("remove_{kind}"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 100_000 {
            g.sample_size(if n >= 1_000_000 { 10 } else { 20 });
        }
        macro_rules! remove {
            ($g:ident, $name:literal, $m:expr) => {
                $g.bench_function(BenchmarkId::new($name, n), |b| {
                    b.iter_batched(
                        || $m.clone(),
                        |mut m| {
                            for k in &keys {
                                black_box(m.del(k));
                            }
                            m
                        },
                        BatchSize::LargeInput,
                    )
                });
            };
        }
        remove!(g, "gomap", go);
        remove!(g, "hashbrown", brown);
        remove!(g, "std", std);
        remove!(g, "gomap-classic", classic);
        g.finish();

        let mut g = c.benchmark_group(format!("iterate_{kind}"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 1_000_000 {
            g.sample_size(10);
        }
        g.bench_function(BenchmarkId::new("gomap", n), |b| {
            b.iter(|| black_box(go.sum()))
        });
        g.bench_function(BenchmarkId::new("hashbrown", n), |b| {
            b.iter(|| black_box(brown.sum()))
        });
        g.bench_function(BenchmarkId::new("std", n), |b| {
            b.iter(|| black_box(std.sum()))
        });
        g.bench_function(BenchmarkId::new("gomap-classic", n), |b| {
            b.iter(|| black_box(classic.sum()))
        });
        g.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_kind::<u64>(c, "u64", u64_keys);
    bench_kind::<String>(c, "string", string_keys);
}

/// Fixes glibc's mmap threshold at its documented default (128 KiB).
///
/// By default glibc raises the threshold to the size of every large block
/// freed, so after gomap's insert runs (whose last bucket array is a little
/// larger than hashbrown's last table) hashbrown's tables came from reused
/// heap memory with no page faults while gomap's largest array was always a
/// fresh mapping: the insert ratio at 100 k moved from ~2× to ~3.6× with
/// the order of the runs alone. Setting the threshold explicitly turns that
/// adjustment off, so every table over 128 KiB is a fresh mapping for every
/// map, in any order.
fn same_allocator_for_all() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only changes glibc's allocator tuning (no
        // pointer is involved); nothing allocated so far depends on the old
        // value, and Rust's System allocator is glibc's malloc.
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
        assert_eq!(ok, 1, "mallopt(M_MMAP_THRESHOLD) failed");
    }
}

criterion_group!(map, benches);

fn main() {
    same_allocator_for_all();
    map();
    Criterion::default().configure_from_args().final_summary();
}
