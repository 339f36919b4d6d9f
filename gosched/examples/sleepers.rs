//! N goroutines each sleep a random 0–10 ms; how late do they wake? Prints
//! `sleepers=N p50_us=X p99_us=Y max_us=Z` (lateness: time asleep less the
//! time asked for). Same program in Go: `benches/go/sleepers/main.go`.
//!
//! ```text
//! cargo run --release -p gosched --example sleepers -- 100000
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod common;

fn main() {
    common::init_tracing();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut late = gosched::Runtime::new().run_or_exit(move || {
        let late: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
        let wg = gosched::WaitGroup::new();
        wg.add(n as i64);
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..n {
            // xorshift64: Go's program draws from math/rand.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let d = Duration::from_nanos(rng % 10_000_000);
            let (late, wg) = (late.clone(), wg.clone());
            gosched::go(move || {
                let t = Instant::now();
                gosched::time::sleep(d);
                let over = t.elapsed().saturating_sub(d);
                late[i].store(over.as_nanos() as u64, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait();
        late.iter()
            .map(|l| l.load(Ordering::Relaxed))
            .collect::<Vec<_>>()
    });
    late.sort_unstable();
    let us = |ns: u64| ns / 1000;
    println!(
        "sleepers={n} p50_us={} p99_us={} max_us={}",
        us(late[n / 2]),
        us(late[n * 99 / 100]),
        us(late[n - 1])
    );
}
