//! Go's `TestPingPongHog` as a program: two goroutine pairs ping-pong on
//! unbuffered channels, one pair doing 100x more work per round; prints
//! both counts and their ratio (Go keeps it within 20x; Go 1.27 itself
//! shows 1.6-1.7 on GOMAXPROCS=1). GOMAXPROCS from the first argument
//! (default 1). Same program in Go: `benches/go/pingponghog/main.go`.
//!
//! ```text
//! cargo run --release -p gosched --example pingponghog -- 1
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let procs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let (hog, light) = common::ping_pong_hog(procs);
    println!(
        "GOMAXPROCS={procs} hog={hog} light={light} hog/light={:.2}",
        hog as f64 / light.max(1) as f64
    );
}
