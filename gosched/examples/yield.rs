//! With GOMAXPROCS=1, two goroutines alternate through `yield_now` N times;
//! prints `switches=N ns_per_switch=X`. Same program in Go:
//! `benches/go/yield/main.go`.
//!
//! ```text
//! cargo run --release -p gosched --example yield -- 1000000
//! ```

use std::time::Instant;

mod common;

fn main() {
    common::init_tracing();
    let n = common::arg_or(1_000_000);
    let ns = gosched::Runtime::new().gomaxprocs(1).run_or_exit(move || {
        let wg = gosched::WaitGroup::new();
        let t = Instant::now();
        for _ in 0..2 {
            wg.go(move || {
                for _ in 0..n / 2 {
                    gosched::yield_now();
                }
            });
        }
        wg.wait();
        t.elapsed().as_nanos() as f64 / n as f64
    });
    println!("switches={n} ns_per_switch={ns:.0}");
}
