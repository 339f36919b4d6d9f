//! goctx's criterion benches (placeholder until the shapes land).

fn main() {}
