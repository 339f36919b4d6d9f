//! Ping-pong: two goroutines bounce a value over two unbuffered channels
//! (the classic Go benchmark of a channel handoff plus a goroutine switch).
//!
//! `cargo run --release -p gochan --example pingpong -- [ROUNDTRIPS]`
//! prints `roundtrips=N ns_per_roundtrip=X`. Honours `GOMAXPROCS` (gosched's
//! `Runtime::new` reads it) and `RUST_LOG`.

use std::time::Instant;

use gochan::make;
use tracing_subscriber::EnvFilter;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("ROUNDTRIPS: a number"));
    let ns = gosched::Runtime::new().run_or_exit(move || {
        let ping = make::<u64>(0);
        let pong = make::<u64>(0);
        let (pi, po) = (ping.clone(), pong.clone());
        gosched::go(move || {
            for v in &pi {
                po.send(v + 1);
            }
        });
        let start = Instant::now();
        let mut v = 0;
        for _ in 0..n {
            ping.send(v);
            v = pong.recv().expect("pong open");
        }
        let elapsed = start.elapsed();
        assert_eq!(v, n);
        ping.close();
        elapsed.as_nanos() as f64 / n as f64
    });
    println!("roundtrips={n} ns_per_roundtrip={ns:.0}");
}
