//! gogc's costs beside plain Rust: a pointer store with the write barrier
//! off and on beside a plain `Vec` write, and allocation beside `Box::new`.
//! Each group holds both, so one run gives the ratio: `cargo xtask bench gc`.
//! (Mark throughput, sweep rate and binary-trees beside gc-arena come with
//! the pacer.)

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gogc::{Barrier, Field, Gc, Heap, Mutator, Object, Phase};

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}
const LEFT: Field<Node, Node> = Field::new(0);

const N: usize = 1_000;

/// `N` nodes on `g`'s stack of a heap running `barrier`, marking if `marking`.
fn nodes(barrier: Barrier, marking: bool) -> (Heap, Mutator, Vec<Gc<Node>>) {
    let mut heap = Heap::new(barrier);
    let g = heap.new_mutator();
    let nodes = (0..N).map(|_| heap.alloc(g, Node)).collect();
    if marking {
        heap.gc_start();
        assert_eq!(heap.phase(), Phase::Mark);
    }
    (heap, g, nodes)
}

/// `nodes[i].left = nodes[i+1]` for every node: N stores. `gogc` is the
/// barrier off (no cycle running), the others a cycle marking.
fn store(c: &mut Criterion) {
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(N as u64));
    for (name, barrier, marking) in [
        ("gogc", Barrier::HybridGo, false),
        ("gogc-hybrid-go-marking", Barrier::HybridGo, true),
        ("gogc-dijkstra-marking", Barrier::Dijkstra, true),
    ] {
        let (mut heap, g, nodes) = nodes(barrier, marking);
        group.bench_function(BenchmarkId::new(name, N), |b| {
            b.iter(|| {
                for w in nodes.windows(2) {
                    heap.store(g, w[0], LEFT, Some(black_box(w[1])));
                }
            })
        });
    }
    let mut fields: Vec<Option<u64>> = vec![None; 2 * N];
    group.bench_function(BenchmarkId::new("vec", N), |b| {
        b.iter(|| {
            for i in 0..N - 1 {
                fields[2 * i] = Some(black_box(i as u64 + 1));
            }
        })
    });
    group.finish();
}

/// N allocations, each dropped at once (popped; freed by the next cycle).
fn alloc(c: &mut Criterion) {
    let mut group = c.benchmark_group("alloc");
    group.throughput(Throughput::Elements(N as u64));
    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    group.bench_function(BenchmarkId::new("gogc", N), |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(heap.alloc(g, Node));
                heap.pop(g);
            }
            heap.gc();
        })
    });
    group.bench_function(BenchmarkId::new("box", N), |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(Box::new([0u64; 2]));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, store, alloc);
criterion_main!(benches);
