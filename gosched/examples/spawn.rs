//! Spawn N goroutines that each call `wg.done()`, wait; prints
//! `goroutines=N ns_per_goroutine=X`. Same program in Go:
//! `benches/go/spawn/main.go`.
//!
//! ```text
//! cargo run --release -p gosched --example spawn -- 1000000
//! ```

use std::time::Instant;

mod common;

fn main() {
    common::init_tracing();
    let n = common::arg_or(1_000_000);
    let ns = gosched::Runtime::new().run_or_exit(move || {
        let t = Instant::now();
        let wg = gosched::WaitGroup::new();
        wg.add(n as i64);
        for _ in 0..n {
            let wg = wg.clone();
            gosched::go(move || wg.done());
        }
        wg.wait();
        t.elapsed().as_nanos() as f64 / n as f64
    });
    println!("goroutines={n} ns_per_goroutine={ns:.0}");
}
