//! What the example programs share: the `RUST_LOG` subscriber, the one
//! numeric argument, and the resident set size they report.

#![allow(dead_code)] // each example uses part of it

/// Installs `tracing-subscriber` with `RUST_LOG`-style filtering.
pub(crate) fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
}

/// The first command-line argument as a number, or `default`.
pub(crate) fn arg_or(default: u64) -> u64 {
    std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Resident set size in bytes (`/proc/self/statm`).
pub(crate) fn rss() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = s
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}
