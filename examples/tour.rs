//! A runnable tour of the notes, chapter by chapter, through the umbrella
//! crate: `cargo run --example tour` (add `RUST_LOG=debug` to watch slices
//! regrow, the map grow and goroutines park).

use std::time::Duration;

use goruntime::chan::{after, make, select};
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

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    chapter1_slices();
    chapter2_maps();
    chapter3_and_7_channels_on_goroutines();
}
