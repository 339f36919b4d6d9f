//! A runnable tour of the notes, chapter by chapter, through the umbrella
//! crate: `cargo run --example tour` (add `RUST_LOG=debug` to watch slices
//! regrow, the map grow, goroutines park, contexts get canceled and the
//! collector change phase).

use std::time::Duration;

use goruntime::chan::{after, make, select};
use goruntime::ctx::{Key, after_func, background, with_cancel, with_timeout, with_value};
use goruntime::gc::{Barrier, Field, GcStep, Heap, Object, Settings, Work};
use goruntime::map::{HashMap, RandomSeed};
use goruntime::sched::{Runtime, WaitGroup, go, goid};
use goruntime::slice::{ElemType, GoVersion, growslice, slice};

fn chapter1_slices() {
    println!("== 1. slices");
    let s = slice![0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let s1 = s.slice(2..5);
    let s2 = s1.slice3(2, 6, 7).append(100).append(200);
    s1.set(2, 20);
    println!("s1={s1} s2={s2} s={s}");
    let int = ElemType::of::<i64>();
    for v in [GoVersion::V1_17, GoVersion::V1_18, GoVersion::V1_27] {
        let g = growslice(v, int, 512, 512, 1).expect("small enough");
        println!("{v}: append to a full []int64 of 512 -> cap {}", g.new_cap);
    }
}

fn chapter2_maps() {
    println!("== 2. maps");
    let mut m = HashMap::with_hasher(RandomSeed::fixed(7));
    let mut last_b = m.b();
    for k in 0..1000u64 {
        m.insert(k, k * k);
        if m.b() != last_b {
            println!("after {} inserts: B {} -> {}", m.len(), last_b, m.b());
            last_b = m.b();
        }
    }
    println!("m[31] = {}", m[&31]);
}

fn chapter3_and_7_channels_on_goroutines() {
    println!("== 3 + 7. channels between goroutines");
    let total = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let results = make::<u64>(16);
            let wg = WaitGroup::new();
            for worker in 0..4u64 {
                let (results, wg) = (results.clone(), wg.clone());
                wg.add(1);
                go(move || {
                    for i in 0..100 {
                        results.send(worker * 100 + i);
                    }
                    wg.done();
                });
            }
            let closer = results.clone();
            go(move || {
                wg.wait();
                closer.close();
            });
            let mut total = 0;
            loop {
                select! {
                    recv(results) -> v => match v {
                        Some(v) => total += v,
                        None => break,
                    },
                    recv(after(Duration::from_secs(5))) -> _ => panic!("workers stalled"),
                }
            }
            println!("main goroutine is goroutine {}", goid().unwrap_or(0));
            total
        })
        .expect("the tour's goroutines do not panic");
    println!("sum of 0..400 over a channel = {total}");
}

fn chapter4_context() {
    println!("== 4. Context");
    const TRACE_ID: Key<String> = Key::new("traceId");
    let ctx = with_value(&background(), TRACE_ID, "qcrao-2019".to_string());
    println!("process over. trace_id={}", ctx.value(&TRACE_ID).unwrap());
    let lines = Runtime::new()
        .run(move || {
            let mut lines = Vec::new();
            // A worker that ticks until its context is done: once by a
            // cancel, once by a timeout.
            let worker = |ctx: goruntime::ctx::Context| {
                let stopped = make::<String>(1);
                let s = stopped.clone();
                go(move || {
                    loop {
                        select! {
                            recv(ctx.done()) -> _ => {
                                s.send(format!("worker stopped: {}", ctx.err().unwrap()));
                                return;
                            },
                            recv(after(Duration::from_millis(1))) -> _ => {},
                        }
                    }
                });
                stopped
            };
            let (ctx, cancel) = with_cancel(&ctx);
            let stopped = worker(ctx.clone());
            let ran = make::<()>(1);
            let r = ran.clone();
            let _stop = after_func(&ctx, move || r.send(()));
            cancel.cancel();
            lines.push(stopped.recv().unwrap());
            ran.recv();
            lines.push(format!("after_func ran once {ctx} was canceled"));
            let (ctx, _cancel) = with_timeout(&background(), Duration::from_millis(20));
            lines.push(worker(ctx).recv().unwrap());
            lines
        })
        .expect("the tour's goroutines do not panic");
    for line in lines {
        println!("{line}");
    }
}

/// A node of the notes' chapter 8 figures, with pointers `p` and `q`.
struct Obj;
impl Object for Obj {
    const POINTER_FIELDS: &'static [&'static str] = &["p", "q"];
}
const P: Field<Obj, Obj> = Field::new(0);
const Q: Field<Obj, Obj> = Field::new(1);

/// The notes' lost object: root set -> 1, 4; 1 -> 2 -> 3; 4 -> 7. After
/// one round 1 and 4 are black; then black 4 takes a pointer to white 3
/// (`4.q = 3`) and grey 2 lets go of it (`2.p = nil`).
fn hide_object_3(barrier: Barrier) -> Heap {
    let mut heap = Heap::new(barrier);
    let g = heap.new_mutator();
    let o: Vec<_> = (0..7).map(|_| heap.alloc(g, Obj)).collect();
    heap.truncate(g, 0);
    heap.store(g, o[0], P, Some(o[1]));
    heap.store(g, o[1], P, Some(o[2]));
    heap.store(g, o[3], P, Some(o[6]));
    heap.push(g, o[0]);
    heap.push(g, o[3]);
    heap.gc_start();
    if !barrier.snapshots_stacks() {
        heap.gc_work(Work::Stack(g));
    }
    heap.gc_work(Work::Object(o[0].ptr()));
    heap.gc_work(Work::Object(o[3].ptr()));
    heap.store(g, o[3], Q, Some(o[2]));
    heap.store(g, o[1], P, None);
    heap
}

fn chapter8_gc() {
    println!("== 8. GC");
    println!("{:#}", hide_object_3(Barrier::None).colours());
    for barrier in [
        Barrier::None,
        Barrier::Dijkstra,
        Barrier::Yuasa,
        Barrier::Hybrid,
        Barrier::HybridGo,
    ] {
        let mut heap = hide_object_3(barrier);
        while heap.gc_step() != GcStep::MarkTermination {}
        let rescanned = heap.cycle_stats().stacks_rescanned;
        match heap.verify_reachable() {
            Err(lost) => println!("{barrier}: {lost}"),
            Ok(()) => println!(
                "{barrier}: o3 kept; stacks re-scanned with the world stopped: {rescanned}"
            ),
        }
    }
    // When Go collects: GOGC=100 lets the heap grow to twice what the last
    // cycle marked (at least 4 MiB) before the next one starts.
    let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    let g = heap.new_mutator();
    for _ in 0..1_000_000 {
        heap.alloc(g, Leaf);
        heap.pop(g);
    }
    let stats = heap.stats();
    println!(
        "GOGC=100: 1000000 garbage objects, {} cycles, heap {} KiB, next goal {} MiB",
        stats.num_gc,
        stats.heap_alloc >> 10,
        stats.next_gc >> 20
    );
}

/// An object with no pointers: 8 bytes on the heap.
struct Leaf;

impl Object for Leaf {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    chapter1_slices();
    chapter2_maps();
    chapter3_and_7_channels_on_goroutines();
    chapter4_context();
    chapter8_gc();
}
