//! A cancellation tree, timed: a cancellable root and N children of it made
//! with `with_cancel`, every child's `done()` taken once, the root canceled,
//! and every child's `done()` received from. The same program in Go is
//! `benches/go/cancel_tree/main.go`.
//!
//! `cargo run --release -p goctx --example cancel_tree -- N` prints exactly
//! one line, `contexts=N ns_per_context=X` (X: the whole time over N).

use std::time::Instant;

use gochan::RecvChan;
use goctx::{background, with_cancel};

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("N: a number of contexts"));
    let start = Instant::now();
    let (root, cancel) = with_cancel(&background());
    let dones: Vec<RecvChan<()>> = (0..n)
        .map(|_| with_cancel(&root).0.done().clone())
        .collect();
    cancel.cancel();
    for done in &dones {
        assert_eq!(done.recv(), None);
    }
    let elapsed = start.elapsed();
    println!(
        "contexts={n} ns_per_context={:.1}",
        elapsed.as_nanos() as f64 / n as f64
    );
}
