//! gogc benchmarks (filled in below).
fn main() {}
