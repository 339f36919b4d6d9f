//! Producer/consumer: one producer and one consumer goroutine over a
//! buffered channel.
//!
//! `cargo run --release -p gochan --example prodcons -- [MESSAGES] [CAP]`
//! prints `messages=N cap=C ns_per_message=X`. Honours `GOMAXPROCS` (gosched's
//! `Runtime::new` reads it) and `RUST_LOG`.

use std::time::Instant;

use gochan::make;
use tracing_subscriber::EnvFilter;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map_or(10_000_000, |a| a.parse().expect("MESSAGES: a number"));
    let cap: usize = args
        .next()
        .map_or(100, |a| a.parse().expect("CAP: a number"));
    let ns = gosched::Runtime::new().run_or_exit(move || {
        let ch = make::<u64>(cap);
        let done = make::<u64>(0);
        let (rx, d) = (ch.clone(), done.clone());
        let start = Instant::now();
        gosched::go(move || {
            let mut sum = 0u64;
            for v in &rx {
                sum = sum.wrapping_add(v);
            }
            d.send(sum);
        });
        for i in 0..n {
            ch.send(i);
        }
        ch.close();
        let sum = done.recv().expect("consumer reports");
        let elapsed = start.elapsed();
        assert_eq!(sum, n.wrapping_mul(n.wrapping_sub(1)) / 2);
        elapsed.as_nanos() as f64 / n as f64
    });
    println!("messages={n} cap={cap} ns_per_message={ns:.1}");
}
