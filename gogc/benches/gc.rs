//! gogc's costs beside Rust's own heap and the `gc-arena` crate, each group
//! holding ours and the peers so that one run gives the ratio (`cargo
//! xtask bench gc`, then `cargo xtask report gc`):
//!
//! - `store`: a pointer store with the barrier off and while marking,
//!   beside a plain `Vec` write;
//! - `alloc`: allocation of a two-pointer node that the next collection
//!   frees, beside `Box`, `Rc` and gc-arena;
//! - `mark`: a full collection of a 1 M-object random graph, all of it live
//!   (objects per second marked), beside gc-arena's and beside a plain
//!   depth-first walk of the same graph in a `Vec` (what marking costs with
//!   no collector at all);
//! - `sweep`: freeing 1 M unreachable objects, beside dropping 1 M `Box`es
//!   and `Rc`s and gc-arena's collection of them;
//! - `binarytrees`: the whole Benchmarks Game program (its lines
//!   discarded) at depths 16–18 on gogc with one and two processors, on
//!   `Box` and on gc-arena.

use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gc_arena::{Arena, Collect, Gc as ArenaGc, RefLock, Rootable};
use gogc::{Barrier, Field, Gc, Heap, Mutator, Object, Phase, Settings};

#[path = "../examples/binarytrees/trees.rs"]
#[allow(dead_code, unreachable_pub)]
mod trees;

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}
const LEFT: Field<Node, Node> = Field::new(0);
const RIGHT: Field<Node, Node> = Field::new(1);

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

/// gc-arena's node: two mutable pointers behind its write barrier.
#[derive(Collect)]
#[collect(no_drop)]
struct ArenaNode<'gc> {
    left: Option<ArenaGc<'gc, RefLock<ArenaNode<'gc>>>>,
    right: Option<ArenaGc<'gc, RefLock<ArenaNode<'gc>>>>,
}

type NodeRef<'gc> = ArenaGc<'gc, RefLock<ArenaNode<'gc>>>;

#[derive(Collect, Default)]
#[collect(no_drop)]
struct ArenaRoot<'gc> {
    nodes: Vec<NodeRef<'gc>>,
}

type GraphArena = Arena<Rootable![ArenaRoot<'_>]>;

fn arena_node<'gc>(mc: &gc_arena::Mutation<'gc>) -> NodeRef<'gc> {
    ArenaGc::new(
        mc,
        RefLock::new(ArenaNode {
            left: None,
            right: None,
        }),
    )
}

/// `Rc`'s node, for allocation and drop.
struct RcNode {
    _left: Option<Rc<RcNode>>,
    _right: Option<Rc<RcNode>>,
}

/// N allocations, each garbage at once, and the collection that frees
/// them.
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
    group.bench_function(BenchmarkId::new("rc", N), |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(Rc::new(RcNode {
                    _left: None,
                    _right: None,
                }));
            }
        })
    });
    let mut arena = GraphArena::new(|_| ArenaRoot::default());
    group.bench_function(BenchmarkId::new("gc-arena", N), |b| {
        b.iter(|| {
            arena.mutate(|mc, _| {
                for _ in 0..N {
                    black_box(arena_node(mc));
                }
            });
            arena.finish_cycle();
        })
    });
    group.finish();
}

/// Objects in the mark and sweep graphs.
const GRAPH: usize = 1_000_000;

/// Edges of a random graph on `GRAPH` nodes, two per node (a simple
/// xorshift, the same for every heap).
fn random_edges() -> Vec<[usize; 2]> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % GRAPH as u64) as usize
    };
    (0..GRAPH).map(|_| [next(), next()]).collect()
}

/// A full collection of a 1 M-object random graph, every object reachable
/// from a root (objects marked per second).
fn mark(c: &mut Criterion) {
    let mut group = c.benchmark_group("mark");
    group.sample_size(10);
    group.throughput(Throughput::Elements(GRAPH as u64));
    let edges = random_edges();

    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    let nodes: Vec<Gc<Node>> = (0..GRAPH).map(|_| heap.alloc(g, Node)).collect();
    for (node, [l, r]) in nodes.iter().zip(&edges) {
        heap.store(g, *node, LEFT, Some(nodes[*l]));
        heap.store(g, *node, RIGHT, Some(nodes[*r]));
    }
    heap.gc();
    group.bench_function(BenchmarkId::new("gogc", GRAPH), |b| b.iter(|| heap.gc()));
    drop(heap);

    let mut arena = GraphArena::new(|_| ArenaRoot::default());
    arena.mutate_root(|mc, root| {
        root.nodes = (0..GRAPH).map(|_| arena_node(mc)).collect();
        for (node, [l, r]) in root.nodes.iter().zip(&edges) {
            let mut n = node.borrow_mut(mc);
            n.left = Some(root.nodes[*l]);
            n.right = Some(root.nodes[*r]);
        }
    });
    arena.finish_cycle();
    group.bench_function(BenchmarkId::new("gc-arena", GRAPH), |b| {
        b.iter(|| arena.finish_cycle())
    });
    drop(arena);

    let mut seen = vec![false; GRAPH];
    let mut stack = Vec::with_capacity(GRAPH);
    group.bench_function(BenchmarkId::new("vec-dfs", GRAPH), |b| {
        b.iter(|| {
            seen.fill(false);
            stack.extend(0..GRAPH);
            while let Some(n) = stack.pop() {
                if !std::mem::replace(&mut seen[n], true) {
                    stack.extend(edges[n].iter().filter(|&&m| !seen[m]));
                }
            }
            black_box(&seen);
        })
    });
    group.finish();
}

/// Freeing 1 M unreachable objects (objects freed per second); each
/// iteration allocates them untimed.
fn sweep(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(GRAPH as u64));
    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    group.bench_function(BenchmarkId::new("gogc", GRAPH), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for _ in 0..GRAPH {
                    heap.alloc(g, Node);
                    heap.pop(g);
                }
                let start = std::time::Instant::now();
                heap.gc();
                total += start.elapsed();
            }
            total
        })
    });
    group.bench_function(BenchmarkId::new("box", GRAPH), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let boxes: Vec<Box<[u64; 2]>> = (0..GRAPH).map(|_| Box::new([0; 2])).collect();
                let start = std::time::Instant::now();
                drop(boxes);
                total += start.elapsed();
            }
            total
        })
    });
    group.bench_function(BenchmarkId::new("rc", GRAPH), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let rcs: Vec<Rc<RcNode>> = (0..GRAPH)
                    .map(|_| {
                        Rc::new(RcNode {
                            _left: None,
                            _right: None,
                        })
                    })
                    .collect();
                let start = std::time::Instant::now();
                drop(rcs);
                total += start.elapsed();
            }
            total
        })
    });
    let mut arena = GraphArena::new(|_| ArenaRoot::default());
    group.bench_function(BenchmarkId::new("gc-arena", GRAPH), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                arena.mutate(|mc, _| {
                    for _ in 0..GRAPH {
                        black_box(arena_node(mc));
                    }
                });
                let start = std::time::Instant::now();
                arena.finish_cycle();
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

/// The whole binary-trees program at depths 16–18.
fn binarytrees(c: &mut Criterion) {
    let mut group = c.benchmark_group("binarytrees");
    group.sample_size(10);
    for depth in [16, 17, 18] {
        for procs in [1, 2] {
            let name = if procs == 1 { "gogc" } else { "gogc-2p" };
            group.bench_function(BenchmarkId::new(name, depth), |b| {
                b.iter(|| {
                    let settings = Settings {
                        procs,
                        ..Settings::default()
                    };
                    trees::run(&mut trees::OnGogc::new(settings), depth, |l| {
                        black_box(l);
                    })
                })
            });
        }
        group.bench_function(BenchmarkId::new("box", depth), |b| {
            b.iter(|| {
                trees::run(&mut trees::OnBox::default(), depth, |l| {
                    black_box(l);
                })
            })
        });
        // gc-arena takes several times `Box`'s time, so this group takes
        // minutes: `-- 'binarytrees/(gogc|box)'` leaves it out.
        group.bench_function(BenchmarkId::new("gc-arena", depth), |b| {
            b.iter(|| {
                trees::run(&mut trees::arena::new(), depth, |l| {
                    black_box(l);
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, store, alloc, mark, sweep, binarytrees);
criterion_main!(benches);
