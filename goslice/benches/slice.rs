//! goslice beside `Vec<T>`: append one by one, indexed get/set, iteration,
//! and `append` to a slice of 2^40 zero-sized elements (Go's
//! `append(make([]struct{}, 1<<40), struct{}{})`, constant time). Each group
//! holds both, so one run gives the ratio: `cargo xtask bench slice`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use goslice::{GoVersion, Slice};

fn append_one_by_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("append");
    for n in [1_000u64, 1_000_000] {
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::new("goslice", n), &n, |b, &n| {
            b.iter(|| {
                let mut s: Slice<u64> = Slice::nil();
                for i in 0..n {
                    s = s.append(black_box(i));
                }
                s
            })
        });
        group.bench_with_input(BenchmarkId::new("goslice-push", n), &n, |b, &n| {
            b.iter(|| {
                let mut s: Slice<u64> = Slice::nil();
                for i in 0..n {
                    s.push(black_box(i));
                }
                s
            })
        });
        // Vec, but growing to the capacities Go 1.27 picks: separates the
        // cost of Go's policy (1.25x growth past 256, so ~5 copies of each
        // element instead of ~2) from the cost of the shared-array model.
        group.bench_with_input(BenchmarkId::new("Vec-go-growth", n), &n, |b, &n| {
            b.iter(|| {
                let elem = goslice::ElemType::of::<u64>();
                let mut v: Vec<u64> = Vec::new();
                for i in 0..n {
                    if v.len() == v.capacity() {
                        let cap =
                            goslice::append_cap(GoVersion::LATEST, elem, v.len(), v.capacity(), 1)
                                .unwrap();
                        let mut grown = Vec::with_capacity(cap);
                        grown.extend_from_slice(&v);
                        v = grown;
                    }
                    v.push(black_box(i));
                }
                v
            })
        });
        group.bench_with_input(BenchmarkId::new("Vec::push", n), &n, |b, &n| {
            b.iter(|| {
                let mut v: Vec<u64> = Vec::new();
                for i in 0..n {
                    v.push(black_box(i));
                }
                v
            })
        });
    }
    group.finish();
}

const N: usize = 10_000;

fn indexed(c: &mut Criterion) {
    let mut group = c.benchmark_group("get_set");
    group.throughput(Throughput::Elements(N as u64));
    let s: Slice<u64> = (0..N as u64).collect();
    group.bench_function("goslice", |b| {
        b.iter(|| {
            for i in 0..N {
                let j = (i * 7919) % N;
                s.set(j, s.get(i).wrapping_add(1));
            }
            black_box(&s);
        })
    });
    let mut v: Vec<u64> = (0..N as u64).collect();
    group.bench_function("Vec", |b| {
        b.iter(|| {
            for i in 0..N {
                let j = (i * 7919) % N;
                v[j] = v[i].wrapping_add(1);
            }
            black_box(&v);
        })
    });
    group.finish();
}

fn iterate(c: &mut Criterion) {
    let mut group = c.benchmark_group("iterate");
    group.throughput(Throughput::Elements(N as u64));
    let s: Slice<u64> = (0..N as u64).collect();
    group.bench_function("goslice", |b| {
        b.iter(|| black_box(&s).iter().fold(0u64, u64::wrapping_add))
    });
    let v: Vec<u64> = (0..N as u64).collect();
    group.bench_function("Vec", |b| {
        b.iter(|| black_box(&v).iter().fold(0u64, |a, &x| a.wrapping_add(x)))
    });
    group.finish();
}

/// One `append` that regrows a slice of 2^40 zero-sized elements: Go's
/// `growslice` returns at once for them (capacity = new length, nothing to
/// copy), and so must goslice. `Vec<()>` beside it: a push past its
/// (unbounded) capacity.
fn append_zero_sized(c: &mut Criterion) {
    const HUGE: usize = 1 << 40;
    let mut group = c.benchmark_group("append_zero_sized");
    group.throughput(Throughput::Elements(1));
    let s: Slice<()> = Slice::make(HUGE, HUGE);
    group.bench_function(BenchmarkId::new("goslice", HUGE), |b| {
        b.iter(|| black_box(&s).append(()))
    });
    let v: Vec<()> = vec![(); HUGE];
    group.bench_function(BenchmarkId::new("Vec::push", HUGE), |b| {
        b.iter_batched(
            || v.clone(),
            |mut v| {
                v.push(());
                v
            },
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(
    benches,
    append_one_by_one,
    indexed,
    iterate,
    append_zero_sized
);
criterion_main!(benches);
